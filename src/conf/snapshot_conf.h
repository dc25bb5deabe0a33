/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot_conf.h: libvirt's domain snapshot XML (<domainsnapshot>), the
 * internal snapshots the driver takes.
 *
 * What a client gives (virDomainSnapshotCreateXML): <name>,
 * <description>, <memory snapshot='no|internal|external' file='PATH'/>
 * (a file makes it external, whose file it needs: absolute) and <disks>
 * with <disk name='TARGET|SOURCE' snapshot='no|internal|external'/>; an
 * external disk may name its new image (type='file|block', <source
 * file|dev>, <driver type='qcow2'/>). snapshot='manual' is refused by
 * name. <state>,
 * <parent>, <creationTime>,
 * <domain>, <inactiveDomain>, <cookie> and <active> are the driver's own
 * output and are read only from a redefinition (VGM_SNAPSHOT_PARSE_REDEFINE)
 * or the driver's stored files, as libvirt reads them.
 *
 * The driver writes: <name>, <description>, <state>, <parent><name>,
 * <creationTime>, <memory snapshot>, <disks>, the <domain> the snapshot
 * was taken of and, for a running persistent domain, its config then as
 * <inactiveDomain>, in libvirt's order.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "util/vgmenum.h"

/* The domain's state when the snapshot was taken, with libvirt's words */
typedef enum {
    VGM_SNAPSHOT_STATE_NOSTATE = 0,
    VGM_SNAPSHOT_STATE_RUNNING,
    VGM_SNAPSHOT_STATE_BLOCKED,
    VGM_SNAPSHOT_STATE_PAUSED,
    VGM_SNAPSHOT_STATE_SHUTDOWN,
    VGM_SNAPSHOT_STATE_SHUTOFF,
    VGM_SNAPSHOT_STATE_CRASHED,
    VGM_SNAPSHOT_STATE_PMSUSPENDED,
    VGM_SNAPSHOT_STATE_DISK_SNAPSHOT,

    VGM_SNAPSHOT_STATE_LAST
} VgmSnapshotState;
VGM_ENUM_DECL(vgmSnapshotState);    /* "nostate", "running", ..., "disk-snapshot" */

/* <memory snapshot> and <disk snapshot>: libvirt's words; the driver
 * takes 'no' and 'internal', and 'external' for disks */
typedef enum {
    VGM_SNAPSHOT_LOCATION_DEFAULT = 0,  /* not given */
    VGM_SNAPSHOT_LOCATION_NO,
    VGM_SNAPSHOT_LOCATION_INTERNAL,
    VGM_SNAPSHOT_LOCATION_EXTERNAL,
    VGM_SNAPSHOT_LOCATION_MANUAL,

    VGM_SNAPSHOT_LOCATION_LAST
} VgmSnapshotLocation;
VGM_ENUM_DECL(vgmSnapshotLocation); /* "default", "no", "internal", ... */

typedef struct {
    char *name;                 /* a target (vda) or a source, as given;
                                 * the driver's output: the target */
    VgmSnapshotLocation snapshot;
    /* external: the new image the disk moves onto (NULL until the driver
     * names it), a file or a block device, and its format */
    VgmDiskType type;           /* file or block */
    char *file;
    char *format;               /* NULL: qcow2 */
} VgmSnapshotDiskDef;

void vgmSnapshotDiskDefFree(VgmSnapshotDiskDef *disk);

typedef struct {
    char *name;
    char *description;          /* NULL: none */
    char *parent;               /* NULL: a root */
    long long creationTime;     /* seconds since the epoch */
    VgmSnapshotState state;
    VgmSnapshotLocation memory;
    char *memoryFile;           /* external memory: the saved state's file */
    GPtrArray *disks;           /* VgmSnapshotDiskDef, in the domain's order
                                 * once the driver has aligned them */
    char *domainXML;            /* the domain it was taken of, or NULL: of a
                                 * running domain its live XML */
    char *inactiveXML;          /* <inactiveDomain>: a running persistent
                                 * domain's config then, or NULL */
} VgmSnapshotDef;

void vgmSnapshotDefFree(VgmSnapshotDef *def);
/* Whether @def keeps a disk in an external image (libvirt's external
 * snapshot), rather than within the disks' images */
gboolean vgmSnapshotDefIsExternal(const VgmSnapshotDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSnapshotDef, vgmSnapshotDefFree)

typedef enum {
    VGM_SNAPSHOT_PARSE_NONE = 0,
    /* a redefinition or a stored file: the driver's own output is read
     * too, and a name, a state and a creation time are required */
    VGM_SNAPSHOT_PARSE_REDEFINE = 1 << 0,
} VgmSnapshotParseFlags;

/* Parses @xml (@what names it in messages: a file, or NULL for a
 * client's text). */
VgmSnapshotDef *vgmSnapshotDefParseString(const char *xml, const char *what,
                                          unsigned int flags, GError **error);
/* libvirt's output of @def */
char *vgmSnapshotDefFormat(const VgmSnapshotDef *def);

/* Fails unless @name can name a snapshot (and a file): not empty, no
 * '/', not starting with '.', no control characters, at most 200 bytes. */
gboolean vgmSnapshotNameValid(const char *name, GError **error);
