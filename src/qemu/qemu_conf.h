/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_conf.h: the paths and settings a QEMU command line depends on that
 * are not part of the domain definition: where a domain's monitor socket
 * and file-backed memory live, and where hugetlbfs is mounted per page
 * size. The embedded driver fills it from its root directory; tests use
 * fixed values so golden files stay stable.
 */
#pragma once

#include <glib.h>

#include "util/vgmbitmap.h"

typedef struct {
    char *runDir;        /* per-domain runtime dirs: RUNDIR/domain-NAME/ */
    char *memoryDir;     /* file-backed RAM: MEMORYDIR/NAME/ALIAS */
    char *logDir;        /* per-domain QEMU logs */
    char *nvramDir;      /* UEFI varstores: NVRAMDIR/NAME_VARS.fd (beside
                          * MEMORYDIR, as 'nvram') */
    char *libDir;        /* the parent of MEMORYDIR (/var/lib/virt-gmem/qemu):
                          * where a <shmem><server/> without a path
                          * finds its ivshmem-server, LIBDIR/shmem-NAME-sock,
                          * as libvirt's in /var/lib/libvirt */
    GStrv firmwareDirs;  /* QEMU firmware descriptors, first wins; NULL:
                          * none */
    GHashTable *hugetlbfs; /* page size in KiB (guint64 *) -> mount path */
    char *nbdTLSDir;     /* the TLS client certificates of NBD disks with
                          * tls='yes' (libvirt's nbd_tls_x509_cert_dir):
                          * ca-cert.pem, client-cert.pem, client-key.pem */
    gboolean forceTCG;   /* use TCG even for <domain type='kvm'> (tests only) */
    gboolean vhostNet;   /* /dev/vhost-net opens read-write: KVM guests'
                          * virtio-net taps use the kernel's vhost-net */
    gint64 now;          /* unix time for clock offsets; 0: the real time */
    VgmBitmap *autoNodeset; /* the host nodes numad advised for placement
                             * 'auto' (with memory); NULL: no advice */
    GHashTable *hostCdroms; /* paths of the domain's host block devices
                             * that are CD-ROM drives (QEMU's host_cdrom
                             * for a CD-ROM disk on one); NULL: none */
} VgmQemuConfig;

VgmQemuConfig *vgmQemuConfigNew(const char *runDir, const char *memoryDir,
                                const char *logDir);
void vgmQemuConfigFree(VgmQemuConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuConfig, vgmQemuConfigFree)

void vgmQemuConfigAddHugetlbfs(VgmQemuConfig *cfg, unsigned long long pageKiB,
                               const char *mount);
const char *vgmQemuConfigGetHugetlbfs(const VgmQemuConfig *cfg,
                                      unsigned long long pageKiB);
/* Reads hugetlbfs mounts from @mountsFile (NULL: /proc/mounts). */
void vgmQemuConfigLoadHugetlbfs(VgmQemuConfig *cfg, const char *mountsFile);

/* The system-wide paths, with hugetlbfs mounts read from the host. */
VgmQemuConfig *vgmQemuConfigNewDefault(void);
/* The directories of QEMU firmware descriptors a configuration starts
 * with, first wins: the user's own (not as root), /etc/qemu/firmware,
 * /usr/share/qemu/firmware */
GStrv vgmQemuConfigFirmwareDirs(void);

/* The system-wide paths with fixed hugetlbfs mounts: what golden tests use. */
VgmQemuConfig *vgmQemuConfigNewForTest(void);

/* The socket of unix channel @index of domain @name when the definition
 * names none: RUNDIR/domain-NAME/channelN (named after its place: the
 * port's name or a user alias could take the path past the 107 bytes of
 * a socket address; a running domain's channels are not plugged or
 * unplugged, so the place stays). A start writes it into the live XML,
 * as libvirt does. */
char *vgmQemuChannelSocketPath(const VgmQemuConfig *cfg, const char *name, guint index);

/* The socket a VNC (or with @spice a SPICE) display of domain @name
 * listens on when its <listen type='socket'/> names none:
 * RUNDIR/domain-NAME/vnc.sock or spice.sock, as libvirt names it in its
 * own. A start writes it into the live XML, as libvirt does. */
char *vgmQemuGraphicsSocketPath(const VgmQemuConfig *cfg, const char *name, gboolean spice);

/* The ivshmem-server socket of the doorbell <shmem name='@name'>: its
 * <server path='@path'>, else LIBDIR/shmem-NAME-sock */
char *vgmQemuShmemServerPath(const VgmQemuConfig *cfg, const char *name, const char *path);

/* RUNDIR/domain-NAME */
char *vgmQemuConfigDomainRunDir(const VgmQemuConfig *cfg, const char *name);

/* The vhost-user socket of the virtiofs share of QEMU id @id of domain
 * @name: @socket where the XML names one (a virtiofsd of someone else's),
 * else the one the driver's virtiofsd listens on,
 * RUNDIR/domain-NAME/ID-fs.sock, as libvirt names it after the alias */
char *vgmQemuFsSocketPath(const VgmQemuConfig *cfg, const char *name, const char *socket,
                          const char *id);

/* The name QEMU gives the binary of libvirt's architecture @arch
 * (qemu-system-NAME): i686 is i386, the rest keep their names. */
const char *vgmQemuArchBinaryName(const char *arch);

/* Whether a binary that emulates @binaryArch (QEMU's name) runs a guest
 * of libvirt's @guestArch: the same, or a 32-bit x86 guest on either x86
 * binary, as libvirt runs one. */
gboolean vgmQemuArchRuns(const char *binaryArch, const char *guestArch);
