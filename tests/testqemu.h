/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testqemu.h: the QEMU configuration golden tests render with: fixed
 * paths (vgmQemuConfigNewForTest), the firmware descriptors of
 * tests/qemufirmwaredata instead of the host's, and /dev/sr0 as the host's
 * CD-ROM drive.
 */
#pragma once

#include "testutils.h"
#include "qemu/qemu_conf.h"

static inline VgmQemuConfig *
vgmTestQemuConfig(void)
{
    VgmQemuConfig *cfg = vgmQemuConfigNewForTest();

    g_strfreev(cfg->firmwareDirs);
    cfg->firmwareDirs = g_new0(char *, 2);
    cfg->firmwareDirs[0] = vgmTestDataPath("qemufirmwaredata");
    /* a host whose /dev/sr0 is a CD-ROM drive (the driver asks the
     * device; here no case depends on the host having one) */
    cfg->hostCdroms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_add(cfg->hostCdroms, g_strdup("/dev/sr0"));
    return cfg;
}
