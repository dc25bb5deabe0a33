/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_firmware.h: the firmware a domain boots, as the plan renders it.
 *
 * A domain names its firmware (<loader>, <nvram>) or asks for it
 * (<os firmware='efi'>, with <firmware><feature> wishes); the second is
 * resolved from QEMU's firmware descriptors (docs/interop/firmware.json in
 * QEMU: interface types, a flash mapping with the code and the varstore
 * template, targets, features), searched as libvirt searches them: the
 * directories of VgmQemuConfig in order, a file name in an earlier one
 * hiding the same name in later ones (an empty file hides without
 * offering anything), then all names sorted. A domain's varstore is
 * NVRAMDIR/NAME_VARS.fd unless it names one, made from the template at
 * start when it does not exist yet.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_conf.h"

typedef struct {
    char *loader;               /* NULL: no firmware of the domain's */
    VgmLoaderType type;
    gboolean readonly;
    gboolean secure;            /* cfi.pflash01 secure=on (SMM-only writes) */
    gboolean smm;               /* the firmware needs SMM */
    char *nvram;                /* the varstore, or NULL */
    gboolean nvramBlock;        /* the varstore is a block device */
    gboolean nvramNetwork;      /* the varstore is the domain's network image
                                 * (<nvram type='network'>; nvram NULL) */
    char *nvramTemplate;        /* what a missing varstore starts from */
    char *descriptor;           /* the descriptor chosen, or NULL */
} VgmQemuFirmware;

void vgmQemuFirmwareFree(VgmQemuFirmware *fw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuFirmware, vgmQemuFirmwareFree)

/* The firmware @def boots on canonical machine @machine: its own (with,
 * for a varstore without a template, the template of the descriptor that
 * offers its loader), or the first descriptor of @cfg's directories that
 * satisfies it. */
VgmQemuFirmware *vgmQemuFirmwareResolve(const VgmDomainDef *def, const char *machine,
                                        const VgmQemuConfig *cfg, GError **error);

/* The varstore of @def: its <nvram>, else NVRAMDIR/NAME_VARS.fd for a
 * domain that keeps UEFI variables (firmware='efi' without a loader, or a
 * read-only pflash loader that is not stateless), else NULL (also for a
 * varstore on the network, which is no file of the host's). */
char *vgmQemuFirmwareNvramPath(const VgmDomainDef *def, const VgmQemuConfig *cfg);

/* Whether a descriptor of @dirs offers UEFI firmware (a raw flash pair)
 * for @arch guests on canonical machine @machine: what <os
 * firmware='efi'> can be given there, some feature wishes aside. */
gboolean vgmQemuFirmwareEfiAvailable(const char *const *dirs, const char *arch,
                                     const char *machine);

/* The executables of the UEFI descriptors of @dirs for @arch guests on
 * canonical machine @machine, in the descriptors' order, each once;
 * *@secure: whether one of them boots securely (secure-boot with SMM) */
GPtrArray *vgmQemuFirmwareLoaders(const char *const *dirs, const char *arch,
                                  const char *machine, gboolean *secure);

/* Before a start: a missing varstore is copied from the template
 * (atomically, mode 0600); without a template it is an error. */
gboolean vgmQemuFirmwarePrepareNvram(const VgmQemuFirmware *fw, gboolean reset, GError **error);

/* The descriptor files of @dirs (QEMU's interop JSON: firmware, vhost-user
 * backends): a name in an earlier directory hides it in later ones, an
 * empty file offers nothing; sorted by name. */
GPtrArray *vgmQemuDescriptorPaths(const char *const *dirs);

/* The binary of the first vhost-user backend descriptor (QEMU's
 * docs/interop/vhost-user.json) of @type ("fs" for virtiofsd) in @dirs,
 * or NULL. */
char *vgmQemuVhostUserBinary(const char *const *dirs, const char *type);
