/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_priv.h: how the files that build a command line add to it.
 * Only qemu_command*.c include this.
 */
#pragma once

#include "qemu_command.h"

void vgmCmdArg(VgmQemuCmd *cmd, const char *arg);
void vgmCmdArgPair(VgmQemuCmd *cmd, const char *opt, const char *value);
void vgmCmdArgPairf(VgmQemuCmd *cmd, const char *opt, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* -object with @obj (qom-type and id first); recorded for schema checks */
void vgmCmdObject(VgmQemuCmd *cmd, JsonObject *obj);
/* -device with @dev; recorded for schema checks */
void vgmCmdDevice(VgmQemuCmd *cmd, JsonObject *dev);
/* A QMP command the driver runs once QEMU listens, before the guest
 * runs (cmd->startup); takes @args */
void vgmCmdStartup(VgmQemuCmd *cmd, const char *execute, JsonObject *args);
/* @opt with @obj as JSON (-blockdev, -netdev); takes @obj */
void vgmCmdJSONArg(VgmQemuCmd *cmd, const char *opt, JsonObject *obj);

/* How a -blockdev pair opens its image: libvirt writes "aio" on the
 * protocol node and the same "cache" object on both nodes. */
typedef struct {
    const char *aio;            /* threads, native, io_uring; NULL: QEMU's */
    gboolean cache;             /* write "cache":{"direct":..,"no-flush":..} */
    gboolean direct;
    gboolean noFlush;
    const char *discard;        /* the format node's "discard", or NULL */
    const char *detectZeroes;   /* the format node's "detect-zeroes", or NULL */
    unsigned long long cacheSize; /* qcow2's "cache-size", 0: none */
    const char *backing;        /* the format node's "backing" node, or NULL */
    gboolean noBacking;         /* "backing": null (the chain ends here) */
    const VgmDiskSlice *slice;  /* the image's storage slice, or NULL */
    const char *keySecret;      /* the secret object of the image's LUKS
                                 * passphrase, which the format node
                                 * decrypts with (QEMU's engine), or NULL */
} VgmCmdBlockdevOpts;

/* -blockdev pair: a @protocol node on @path named @storage, and a
 * @formatDriver node on top of it named @format (libvirt's layout);
 * @opts may be NULL. A storage slice is the raw format node's offset and
 * size, or under any other format (LUKS included) a raw node of its own
 * between the two (@storage with VGM_QEMU_SLICE_NODE_SUFFIX for
 * -storage), as libvirt layers it. */
void vgmCmdBlockdev(VgmQemuCmd *cmd, const char *protocol, const char *path,
                    const char *storage, const char *format,
                    const char *formatDriver, gboolean readonly,
                    const VgmCmdBlockdevOpts *opts);
/* The same with the protocol node's own members already in @node (a
 * network disk's server or URL), which the pair takes over */
void vgmCmdBlockdevNodes(VgmQemuCmd *cmd, JsonObject *node, const char *storage,
                         const char *format, const char *formatDriver, gboolean readonly,
                         const VgmCmdBlockdevOpts *opts);

/* The protocol node of network image @net of @what (a disk's target,
 * "nvram"), its storage node named @storage, with the objects it needs
 * (a secret, TLS credentials) emitted first. With the image's encryption
 * @enc (or NULL), whose secret object is named after format node
 * @format: librbd's is in the rbd node, QEMU's secret id is returned in
 * *@keySecret for the format node. */
JsonObject *vgmCmdNetSourceNode(VgmQemuCmd *cmd, const VgmDomainDef *def,
                                const VgmQemuConfig *cfg, const VgmDiskNetSource *net,
                                const char *what, const char *storage,
                                const VgmDiskEncryption *enc, const char *format,
                                char **keySecret);
/* The secret object of the passphrase of image @enc (of disk @dst) whose
 * format node is @format: its id */
char *vgmCmdImageKeySecret(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                           const VgmDiskEncryption *enc, const char *dst, const char *format);

/* qemu_command_devices.c: every device of <devices> but memory devices */
/* The backends of the memory devices, each followed by its -device */
void vgmCmdMemoryDevices(VgmQemuCmd *cmd, const VgmQemuPlan *plan);

void vgmCmdDevicesAfterSandbox(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                               const VgmQemuPlan *plan);
void vgmCmdDevices(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                   const VgmQemuPlan *plan);
