/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testqemu.h: the QEMU configuration golden tests render with: fixed
 * paths (vgmQemuConfigNewForTest) and the firmware descriptors of
 * tests/qemufirmwaredata instead of the host's.
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
    return cfg;
}
