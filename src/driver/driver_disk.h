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

/* The overlays the transient disks of @def (prepared) need
 * (VgmDriverOverlay). */
GPtrArray *vgmDriverDiskOverlays(const VgmDomainDef *def);

/* Makes overlay @o (qemu-img create, the image as its backing file). */
gboolean vgmDriverDiskOverlayCreate(const VgmDriverOverlay *o, GError **error);

/* Removes the overlays of the transient disks the live definition @def
 * of a run names. */
void vgmDriverDiskCleanup(const VgmDomainDef *def);
