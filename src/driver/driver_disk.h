/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_disk.h: the host side of a domain's <transient/> disks.
 *
 * As libvirt does, a transient disk's guest writes go to an overlay,
 * SRC.TRANSIENT-NAME beside its image, which the start makes and the stop
 * removes: the image itself is opened read-only, below the overlay. The
 * live XML says so (the overlay as the source, the image as its
 * <backingStore>, <transient/> kept), and the cleanup of the run, also
 * after a crash or a failed start, finds the overlays there.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_monitor.h"

typedef struct {
    char *path;                 /* the overlay (qcow2) */
    char *backing;              /* the disk's image */
    char *backingFormat;        /* its format */
} VgmDriverOverlay;

void vgmDriverOverlayFree(VgmDriverOverlay *o);

/* Points each transient disk of @def at its overlay, with its image (and
 * the chain below it) below; refuses an overlay that exists already (an
 * earlier run's, or another file), as libvirt does. Makes nothing. */
gboolean vgmDriverDiskTransientPrepare(VgmDomainDef *def, GError **error);

/* The paths of @def's CD-ROM disks on host block devices that are CD-ROM
 * drives (VgmQemuConfig's hostCdroms), a new set. */
GHashTable *vgmDriverDiskHostCdroms(const VgmDomainDef *def);

/* The overlays the transient disks of @def (prepared) need
 * (VgmDriverOverlay). */
GPtrArray *vgmDriverDiskOverlays(const VgmDomainDef *def);

/* Makes overlay @o (qemu-img create, the image as its backing file). */
gboolean vgmDriverDiskOverlayCreate(const VgmDriverOverlay *o, GError **error);

/* Removes the overlays of the transient disks the live definition @def
 * of a run names. */
void vgmDriverDiskCleanup(const VgmDomainDef *def);

/* Whether QEMU's qdev path @qdev (query-block's) is device @id's. */
gboolean vgmDriverDiskQdevIs(const char *qdev, const char *id);

/* The file QEMU's name @name of an image stands for: the name itself, or
 * in a "json:{...}" name (which QEMU gives an image opened with options
 * of its own, such as a backing node named) the innermost "filename". */
char *vgmDriverDiskPlainName(const char *name);
gboolean vgmDriverDiskFormatIsFilter(const char *format);

/* Numbers each disk of running domain @def that has a medium and no
 * number (its QEMU nodes') and each image below one (<backingStore
 * index=''>, libvirt's DST[N]) past the highest number given. */
void vgmDriverDiskIndexesAssign(VgmDomainDef *def);

/* As libvirt's live XML has it once QEMU runs: the chain QEMU opened
 * below each disk of running domain @def that was given none, each image
 * a <backingStore> ending in <backingStore/> (a disk whose chain QEMU
 * cannot name as local raw or qcow2 images is left as it was), then the
 * numbers of vgmDriverDiskIndexesAssign, given also when QEMU does not
 * answer (FALSE then). */
gboolean vgmDriverDiskChainsDetect(VgmQemuMonitor *mon, VgmDomainDef *def, GError **error);
/* The same as a change of a running domain's live definition
 * (vgmDriverChangeLive), over monitor @mon: whether a chain was unknown */
gboolean vgmDriverDiskChainsDetectChange(VgmDomainDef *def, gconstpointer mon);
