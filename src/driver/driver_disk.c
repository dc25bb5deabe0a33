/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_disk.c: see driver_disk.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "driver_disk.h"
#include "driver_net.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

#define VGM_DRIVER_OVERLAY_INFIX ".TRANSIENT-"

void
vgmDriverOverlayFree(VgmDriverOverlay *o)
{
    if (!o)
        return;
    g_free(o->path);
    g_free(o->backing);
    g_free(o->backingFormat);
    g_free(o);
}

/* Whether disk @d of domain @name runs on its overlay (prepared) */
static gboolean
vgmDriverDiskOnOverlay(const VgmDiskDef *d, const char *name)
{
    g_autofree char *suffix = NULL;

    if (!d->transient || !d->src || !d->backing || d->backing->len == 0)
        return FALSE;
    suffix = g_strconcat(VGM_DRIVER_OVERLAY_INFIX, name, NULL);
    return g_str_has_suffix(d->src, suffix);
}

gboolean
vgmDriverDiskTransientPrepare(VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        g_autofree char *overlay = NULL;
        VgmDiskBackingLayer *layer;

        if (!d->transient || !d->src)
            continue;
        overlay = g_strconcat(d->src, VGM_DRIVER_OVERLAY_INFIX, def->name, NULL);
        if (g_file_test(overlay, G_FILE_TEST_EXISTS)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("the overlay '%1$s' of transient disk '%2$s' exists already: another run of domain '%3$s' has it, or it was left behind"),
                        overlay, d->dst, def->name);
            return FALSE;
        }
        /* the image becomes the top of the chain below the overlay, with
         * its format and metadata cache */
        layer = g_new0(VgmDiskBackingLayer, 1);
        layer->type = VGM_DISK_TYPE_FILE;
        layer->format = g_strdup(d->driverType ? d->driverType : "raw");
        layer->path = g_steal_pointer(&d->src);
        layer->metadataCacheMax = d->metadataCacheMax;
        d->metadataCacheMax = 0;
        if (!d->backing)
            d->backing = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDiskBackingLayerFree);
        g_ptr_array_insert(d->backing, 0, layer);
        d->src = g_steal_pointer(&overlay);
        g_free(d->driverType);
        d->driverType = g_strdup("qcow2");
    }
    return TRUE;
}

GPtrArray *
vgmDriverDiskOverlays(const VgmDomainDef *def)
{
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverOverlayFree);
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        const VgmDiskBackingLayer *image;
        VgmDriverOverlay *o;

        if (!vgmDriverDiskOnOverlay(d, def->name))
            continue;
        image = g_ptr_array_index(d->backing, 0);
        o = g_new0(VgmDriverOverlay, 1);
        o->path = g_strdup(d->src);
        o->backing = g_strdup(image->path);
        o->backingFormat = g_strdup(image->format ? image->format : "raw");
        g_ptr_array_add(list, o);
    }
    return list;
}

gboolean
vgmDriverDiskOverlayCreate(const VgmDriverOverlay *o, GError **error)
{
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", o->backingFormat,
                           "-b", o->backing, o->path, NULL };

    return vgmDriverNetRun(argv, error);
}

void
vgmDriverDiskCleanup(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (vgmDriverDiskOnOverlay(d, def->name) && g_unlink(d->src) < 0 && errno != ENOENT)
            g_warning(_("cannot remove the overlay '%1$s' of transient disk '%2$s': %3$s"),
                      d->src, d->dst, g_strerror(errno));
    }
}
