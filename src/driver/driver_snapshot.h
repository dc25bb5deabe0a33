/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_snapshot.h: a domain's snapshots (virsh snapshot-*,
 * virt-manager's Snapshots page).
 *
 * A snapshot of a shut-off domain is qemu-img's internal snapshot of each
 * of its qcow2 disks; one of a running or paused domain is QEMU's savevm
 * (every writable disk and the guest's memory and device state, into the
 * qcow2 images). A revert is qemu-img's apply, or QEMU's loadvm in the
 * running QEMU or in one started paused for it; a delete is qemu-img's
 * delete or QEMU's delvm.
 *
 * An external snapshot of disks (virsh --disk-only, or <disk
 * snapshot='external'> of a shut-off domain) puts a new qcow2 image over
 * each disk's (qemu-img create with the image as its backing file, or
 * one reused); a running domain's QEMU moves onto them in one
 * transaction of blockdev-snapshot. The live XML and the config then name
 * the new images. As in libvirt 9.0 such a snapshot cannot be reverted
 * to, and its delete merges each new image into the one below (the
 * caller's block commit for a running domain, qemu-img commit else;
 * vgmDriverSnapshotMerges plans it). An external memory snapshot is
 * refused by name.
 *
 * The snapshots' metadata (snapshot_conf.h, with the domain's definition
 * as it was) lives in ROOT/lib/qemu/snapshot/DOMAIN/NAME.xml, as libvirt
 * keeps it in /var/lib/libvirt/qemu/snapshot; the name of the current
 * snapshot in the file 'current' beside them (no snapshot file has that
 * name: each ends in .xml). Each file is written atomically.
 */
#pragma once

#include <glib.h>

#include "driver_domain.h"
#include "driver_store.h"

/* virDomainSnapshotCreateFlags */
#define VGM_SNAPSHOT_CREATE_REDEFINE (1u << 0)
#define VGM_SNAPSHOT_CREATE_CURRENT (1u << 1)
#define VGM_SNAPSHOT_CREATE_NO_METADATA (1u << 2)
#define VGM_SNAPSHOT_CREATE_HALT (1u << 3)
#define VGM_SNAPSHOT_CREATE_DISK_ONLY (1u << 4)
#define VGM_SNAPSHOT_CREATE_REUSE_EXT (1u << 5)
#define VGM_SNAPSHOT_CREATE_QUIESCE (1u << 6)
#define VGM_SNAPSHOT_CREATE_ATOMIC (1u << 7)
#define VGM_SNAPSHOT_CREATE_LIVE (1u << 8)
#define VGM_SNAPSHOT_CREATE_VALIDATE (1u << 9)
/* (ours, never on the wire: every check of a create, nothing taken; a
 * quiesced snapshot makes them before the guest is frozen) */
#define VGM_DRIVER_SNAPSHOT_CREATE_CHECK_ONLY (1u << 31)

/* virDomainSnapshotListFlags (ROOTS for a domain's list, DESCENDANTS for
 * a snapshot's children: the same bit) */
#define VGM_SNAPSHOT_LIST_ROOTS (1u << 0)
#define VGM_SNAPSHOT_LIST_DESCENDANTS (1u << 0)
#define VGM_SNAPSHOT_LIST_METADATA (1u << 1)
#define VGM_SNAPSHOT_LIST_LEAVES (1u << 2)
#define VGM_SNAPSHOT_LIST_NO_LEAVES (1u << 3)
#define VGM_SNAPSHOT_LIST_NO_METADATA (1u << 4)
#define VGM_SNAPSHOT_LIST_INACTIVE (1u << 5)
#define VGM_SNAPSHOT_LIST_ACTIVE (1u << 6)
#define VGM_SNAPSHOT_LIST_DISK_ONLY (1u << 7)
#define VGM_SNAPSHOT_LIST_INTERNAL (1u << 8)
#define VGM_SNAPSHOT_LIST_EXTERNAL (1u << 9)
#define VGM_SNAPSHOT_LIST_TOPOLOGICAL (1u << 10)

/* virDomainSnapshotRevertFlags */
#define VGM_SNAPSHOT_REVERT_RUNNING (1u << 0)
#define VGM_SNAPSHOT_REVERT_PAUSED (1u << 1)
#define VGM_SNAPSHOT_REVERT_FORCE (1u << 2)
#define VGM_SNAPSHOT_REVERT_RESET_NVRAM (1u << 3)

/* virDomainSnapshotDeleteFlags */
#define VGM_SNAPSHOT_DELETE_CHILDREN (1u << 0)
#define VGM_SNAPSHOT_DELETE_METADATA_ONLY (1u << 1)
#define VGM_SNAPSHOT_DELETE_CHILDREN_ONLY (1u << 2)

/* The lifecycle events an operation caused, in order, for the caller to
 * raise (libvirt's event and detail numbers, and the domain's id then) */
typedef struct {
    int event;
    int detail;
    int id;
} VgmDriverSnapshotEvent;

typedef struct {
    GArray *events;             /* VgmDriverSnapshotEvent */
    gboolean started;           /* a QEMU was started */
    VgmDriverJob *job;          /* the caller's job for a creation (its
                                 * progress while QEMU writes the memory) */
    gboolean memoryDone;        /* an external memory file was written, */
    guint memoryDoneAt;         /* ... after this many of the events */
} VgmDriverSnapshotOutcome;

void vgmDriverSnapshotOutcomeClear(VgmDriverSnapshotOutcome *out);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverSnapshotOutcome, vgmDriverSnapshotOutcomeClear)

/* Takes a snapshot of domain @name as @xml describes it (or redefines
 * one, VGM_SNAPSHOT_CREATE_REDEFINE); *@snap gets its name. */
gboolean vgmDriverSnapshotCreate(const VgmDriverStore *store, const char *name, const char *xml,
                                 unsigned int flags, char **snap,
                                 VgmDriverSnapshotOutcome *out, GError **error);
gboolean vgmDriverSnapshotRevert(const VgmDriverStore *store, const char *name, const char *snap,
                                 unsigned int flags, VgmDriverSnapshotOutcome *out,
                                 GError **error);
gboolean vgmDriverSnapshotDelete(const VgmDriverStore *store, const char *name, const char *snap,
                                 unsigned int flags, GError **error);

/* One disk's merge of an external snapshot being deleted: its new image
 * (the overlay the snapshot put over the disk) goes into the image below
 * it, which the snapshot was taken of */
typedef struct {
    char *dst;
    char *overlay;
    char *base;
    char *baseFormat;
    gboolean top;               /* the overlay is the disk's active image */
    gboolean regular;           /* the overlay is a file (not a device) */
} VgmDriverSnapshotMerge;
void vgmDriverSnapshotMergeFree(VgmDriverSnapshotMerge *m);
/* After @m's merge: its image removed when it is a file */
void vgmDriverSnapshotMergeDone(const VgmDriverSnapshotMerge *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverSnapshotMerge, vgmDriverSnapshotMergeFree)

/* What deleting snapshot @snap of domain @name with @flags merges (an
 * empty array for an internal snapshot or with --metadata), as libvirt
 * 9.0 plans it: an external snapshot without children, below no
 * internal one, each of its disks' new images still in the disk's chain
 * over the image it was taken of; *@active says whether QEMU runs it */
GPtrArray *vgmDriverSnapshotMerges(const VgmDriverStore *store, const char *name,
                                   const char *snap, unsigned int flags, gboolean *active,
                                   GError **error);
/* The merges of a shut-off domain: qemu-img commit of each new image
 * (each its disk's top) into the image below, the config back on that
 * one, the new image removed */
gboolean vgmDriverSnapshotMergeOffline(const VgmDriverStore *store, const char *name,
                                       GPtrArray *merges, GError **error);

/* Lookups: VGM_ERR_NO_DOMAIN_SNAPSHOT for a snapshot that does not exist */
gboolean vgmDriverSnapshotLookup(const VgmDriverStore *store, const char *name, const char *snap,
                                 GError **error);
/* @snap's XML; the domain's secrets (graphics passwords) only with @secure */
char *vgmDriverSnapshotGetXML(const VgmDriverStore *store, const char *name, const char *snap,
                              gboolean secure, GError **error);
/* The names of @name's snapshots (@from NULL) or of @from's children
 * (all descendants with VGM_SNAPSHOT_LIST_DESCENDANTS), as @flags
 * filter them, parents before children */
GPtrArray *vgmDriverSnapshotList(const VgmDriverStore *store, const char *name, const char *from,
                                 unsigned int flags, GError **error);
/* The current snapshot's name; NULL with @error unset when there is none */
char *vgmDriverSnapshotCurrent(const VgmDriverStore *store, const char *name, GError **error);
/* @snap's parent; VGM_ERR_NO_DOMAIN_SNAPSHOT when it has none */
char *vgmDriverSnapshotParent(const VgmDriverStore *store, const char *name, const char *snap,
                              GError **error);
/* How many snapshots @name has (0 when none, or unreadable) */
guint vgmDriverSnapshotCount(const VgmDriverStore *store, const char *name);
/* Removes every snapshot's metadata of @name (undefine --snapshots-metadata) */
gboolean vgmDriverSnapshotRemoveAll(const VgmDriverStore *store, const char *name,
                                    GError **error);
