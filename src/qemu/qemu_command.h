/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command.h: rendering a backend plan and a domain as a QEMU command
 * line, the way libvirt writes it: environment first, -machine as
 * key=value, -object and -device as JSON. User-controlled strings can
 * never break out of their option: JSON values are JSON-escaped and
 * key=value values have their commas doubled.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_plan.h"

typedef struct {
    GPtrArray *env;     /* "NAME=value" strings */
    char *binary;
    GPtrArray *args;    /* every argument after the binary */
    GPtrArray *objects; /* (qom-type, JsonObject) pairs emitted, for checks */
    GPtrArray *devices; /* JsonObject of each -device emitted, for checks */
    GPtrArray *globals; /* JsonObject {"driver": D, P: V} of each -global
                         * D.P=V the PM lowering emits, for checks */
    GPtrArray *startup; /* JsonObject {"execute": C, "arguments": A}: the QMP
                         * commands the driver runs once QEMU listens,
                         * before the guest runs (libvirt sets disk
                         * throttling so), in order */
    gboolean customArgv; /* <qemu:commandline> added to it: libvirt's taint */
    GPtrArray *warnings; /* what may not work as the definition hopes,
                          * for the domain's log: translated lines */
    GPtrArray *secrets; /* VgmQemuCmdSecret: the secrets QEMU reads from
                         * files (a network disk's <auth>, an image's
                         * <encryption>), which the driver writes before
                         * QEMU starts */
} VgmQemuCmd;

/* A secret that a -object secret reads from @path (in the domain's
 * run-time directory, which only its owner reads), which the driver
 * writes there before QEMU starts: @value, or else the value of a secret
 * of the secret driver it looks up, by uuid or by usage, as one of usage
 * @usageType */
typedef struct {
    char *path;
    char *value;                /* the value itself (HTTP cookies), or NULL */
    char *usageType;            /* libvirt's secret usage: 'ceph', 'iscsi' */
    gboolean byUUID;
    unsigned char uuid[16];
    char *usage;                /* the usage id, when not by uuid */
    char *owner;                /* what needs it, for errors: "disk 'vda'" */
    const char *element;        /* what of the owner names it: "<auth>",
                                 * "<encryption>", "<cookies>" */
} VgmQemuCmdSecret;

/* The fds the driver hands QEMU for an interface whose host side it
 * opens itself: a macvtap (<interface type='direct'>), or a tap with a
 * <backend> (opened through its tap device, /dev/net/tun by default);
 * one fd a queue, then, with <backend vhost> where vhost-net serves the
 * interface, one of vhost-net a queue. Numbered from VGM_QEMU_NET_FD_BASE
 * up, in the order of the interfaces. */
#define VGM_QEMU_NET_FD_BASE 100
/* The fd of /dev/vhost-vsock the driver opens for <vsock> (its guest
 * address set) and hands QEMU as "vhostfd" */
#define VGM_QEMU_VSOCK_FD 99
/* The QEMU id of the balloon device (<memballoon>) */
#define VGM_QEMU_BALLOON_ID "balloon0"
/* the address a VNC or SPICE server that names none listens on (libvirt's
 * vnc_listen and spice_listen default); the driver names it in the live
 * XML */
#define VGM_QEMU_GRAPHICS_DEFAULT_LISTEN "127.0.0.1"
/* the suffix of the raw node a storage slice puts between an image's
 * storage and its format node (for a format other than raw) */
#define VGM_QEMU_SLICE_NODE_SUFFIX "-slice-sto"
/* the fd a save image is loaded from (-incoming fd:98) */
#define VGM_QEMU_INCOMING_FD 98
typedef struct {
    unsigned int queues;        /* 0: QEMU opens the interface's host side */
    int firstTap;               /* the first queue's tap fd */
    int firstVhost;             /* the first queue's vhost-net fd, or -1 */
} VgmQemuNetFds;

/* The arguments of QMP's chardev-add for -chardev value @opt as this
 * driver writes it (backend,id=ID,key=value..., commas doubled in a
 * value), or NULL for one it cannot say so */
JsonObject *vgmQemuChardevToQMP(const char *opt);

/* The QMP commands ({"execute", "arguments"}) that give graphics @g
 * its password and expiry, appended to @out (none without a password) */
void vgmQemuGraphicsPasswordCommands(const VgmGraphicsDef *g, GPtrArray *out);

/* Whether the driver opens the host side of @net itself (a macvtap, a tap
 * through <backend>) or hands QEMU the fds a live update takes over */
gboolean vgmQemuNetDriverOpens(const VgmNetDef *net);
/* Whether vhost-net serves @net: a KVM guest's virtio-net on a tap or
 * macvtap, unless <driver name='qemu'>, where its device opens (the
 * <backend vhost> given, or /dev/vhost-net) */
gboolean vgmQemuNetVhost(const VgmQemuPlan *plan, const VgmNetDef *net);
/* The fds of interface @index of @def */
void vgmQemuNetFdsOf(const VgmQemuPlan *plan, const VgmDomainDef *def, guint index,
                     VgmQemuNetFds *out);

void vgmQemuCmdFree(VgmQemuCmd *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCmd, vgmQemuCmdFree)

/* Validates against @caps (rules 9-12), plans and renders. */
VgmQemuCmd *vgmQemuBuildCommandLine(const VgmDomainDef *def,
                                    const VgmQemuCaps *caps,
                                    const VgmQemuConfig *cfg,
                                    VgmQemuPlan **planOut,
                                    GError **error);

/* Checks every emitted -object and -device against the set's QMP schema. */
gboolean vgmQemuCmdCheckSchema(const VgmQemuCmd *cmd, const VgmQemuCaps *caps,
                               GError **error);

/* libvirt's test layout: one option and its value a line, " \" joins. */
char *vgmQemuCmdFormatArgsFile(const VgmQemuCmd *cmd);
/* One shell-quoted line, as `virsh domxml-to-native qemu-argv` prints. */
char *vgmQemuCmdFormatShell(const VgmQemuCmd *cmd);
/* NULL-terminated argv (binary first) and envp for spawning. */
char **vgmQemuCmdGetArgv(const VgmQemuCmd *cmd);
char **vgmQemuCmdGetEnvp(const VgmQemuCmd *cmd);

/* The numeric id an NFS disk's <identity user|group=''> names: +ID, or a
 * user or group of this host's (then a number) */
gboolean vgmQemuNfsIdentity(const char *name, gboolean group, guint *id, GError **error);

/* QEMU's key=value escaping: every ',' doubled. */
char *vgmQemuEscapeOptValue(const char *value);

/* The seconds from UTC that <clock offset='variable'> starts the guest's
 * clock at: its adjustment, plus the host's UTC offset now for
 * basis='localtime' (libvirt's rule; -rtc base and RTC_CHANGE use it) */
long long vgmQemuClockAdjustment(const VgmClockDef *clock);
/* The QEMU id of disk @d's device (libvirt's alias: virtio-disk0, ide0-1-0,
 * sata0-0-1, scsi0-0-0-0, fdc0-0-0), which QEMU's events name */
char *vgmQemuDiskDeviceId(const VgmDomainDef *def, const VgmDiskDef *d);
/* The number in the names of disk @d's block nodes (vgm-N-format, ...):
 * the one a running disk keeps (<source index>), else its place in the
 * disk list, counted from 1 */
guint vgmQemuDiskNodeIndex(const VgmDomainDef *def, const VgmDiskDef *d);
/* The id block_set_io_throttle finds disk @d's block backend by (its
 * device's, or the QOM path of the child that holds it) */
char *vgmQemuDiskThrottleId(const VgmDomainDef *def, const VgmDiskDef *d);
/* The arguments of block_set_io_throttle for @t (NULL: no limits) on the
 * backend of @id, as libvirt sets them: the six basic limits always (0:
 * none), the others when not 0, the group when named */
JsonObject *vgmQemuDiskThrottleArgs(const char *id, const VgmDiskIotune *t);
/* The highest throttling value libvirt lets QEMU have: 10^15 */
#define VGM_QEMU_IOTUNE_MAX 1000000000000000ULL
/* JSON text of @obj, compact, as libvirt passes it. */
char *vgmQemuJSONToString(JsonObject *obj);
