/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_disk.c: see driver_disk.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <linux/cdrom.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "driver_disk.h"
#include "driver_net.h"
#include "qemu/qemu_command.h"
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

GHashTable *
vgmDriverDiskHostCdroms(const VgmDomainDef *def)
{
    GHashTable *drives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        struct stat sb;
        int fd;

        if (d->type != VGM_DISK_TYPE_BLOCK || d->device != VGM_DISK_DEVICE_CDROM || !d->src)
            continue;
        /* (as libvirt asks: a block device that answers a CD-ROM drive's
         * status query) */
        if ((fd = open(d->src, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
            continue;
        if (fstat(fd, &sb) == 0 && S_ISBLK(sb.st_mode) &&
            ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT) >= 0)
            g_hash_table_add(drives, g_strdup(d->src));
        close(fd);
    }
    return drives;
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

gboolean
vgmDriverDiskQdevIs(const char *qdev, const char *id)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    size_t len = strlen(path);

    return g_strcmp0(qdev, id) == 0 ||
           (qdev && strncmp(qdev, path, len) == 0 && (qdev[len] == '\0' || qdev[len] == '/'));
}

char *
vgmDriverDiskPlainName(const char *name)
{
    g_autoptr(JsonParser) parser = NULL;
    JsonObject *o;

    if (!name || !g_str_has_prefix(name, "json:"))
        return g_strdup(name);
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, name + strlen("json:"), -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        return g_strdup(name);
    o = json_node_get_object(json_parser_get_root(parser));
    while (o) {
        JsonNode *file = json_object_get_member(o, "file");

        if (json_object_has_member(o, "filename"))
            return g_strdup(json_object_get_string_member_with_default(o, "filename", name));
        o = file && JSON_NODE_HOLDS_OBJECT(file) ? json_node_get_object(file) : NULL;
    }
    return g_strdup(name);
}

void
vgmDriverDiskIndexesAssign(VgmDomainDef *def)
{
    unsigned int top = 0;
    guint i, k;

    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        /* (a disk's own is the number its QEMU nodes have; a drive empty
         * since the start gets none, its live XML having no <source> to
         * give it, as libvirt's; an eject gave its drive one) */
        top = MAX(top, vgmQemuDiskNodeIndex(def, d));
        if (!d->nodeIndex && vgmDiskHasMedium(d))
            d->nodeIndex = vgmQemuDiskNodeIndex(def, d);
        for (k = 0; d->backing && k < d->backing->len; k++)
            top = MAX(top, ((VgmDiskBackingLayer *)g_ptr_array_index(d->backing, k))->index);
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        for (k = 0; d->backing && k < d->backing->len; k++) {
            VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

            if (!l->index)
                l->index = ++top;
        }
    }
}

/* Whether the chain below disk @d is QEMU's to find: it has an image on
 * this host and no <backingStore> says what is below it */
static gboolean
vgmDriverDiskChainUnknown(const VgmDiskDef *d)
{
    return d->src && !d->net && (d->type == VGM_DISK_TYPE_FILE || d->type == VGM_DISK_TYPE_BLOCK) &&
           !(d->backing && d->backing->len > 0) && !d->backingEnd;
}

/* Whether QEMU's block driver @format is a filter over one image, which
 * query-block shows as an image above it (<driver copy_on_read='on'>, a
 * throttle group) */
gboolean
vgmDriverDiskFormatIsFilter(const char *format)
{
    static const char *const filters[] = { "copy-on-read", "throttle", "preallocate",
                                           "compress", NULL };

    return format && g_strv_contains(filters, format);
}

/* Disk @d's chain from QEMU's @image of its top (query-block's "image",
 * each image's "backing-image" the one below); left unknown when an
 * image below is not a local file or not raw or qcow2 */
static void
vgmDriverDiskChainFrom(VgmDiskDef *d, JsonObject *image)
{
    g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDiskBackingLayerFree);
    JsonObject *im = image;

    while (vgmDriverDiskFormatIsFilter(json_object_get_string_member_with_default(im, "format", ""))) {
        JsonNode *below = json_object_get_member(im, "backing-image");

        if (!below || !JSON_NODE_HOLDS_OBJECT(below))
            return;
        im = json_node_get_object(below);
    }

    for (;;) {
        JsonNode *below = json_object_get_member(im, "backing-image");
        g_autoptr(VgmDiskBackingLayer) l = NULL;
        const char *format;
        struct stat st;

        if (!below || !JSON_NODE_HOLDS_OBJECT(below))
            break;
        im = json_node_get_object(below);
        format = json_object_get_string_member_with_default(im, "format", "");
        l = g_new0(VgmDiskBackingLayer, 1);
        l->path = vgmDriverDiskPlainName(json_object_get_string_member_with_default(im, "filename", ""));
        if (!g_path_is_absolute(l->path) || g_strcmp0(l->path, d->src) == 0 ||
            !(g_str_equal(format, "raw") || g_str_equal(format, "qcow2")))
            return;
        l->format = g_strdup(format);
        l->type = stat(l->path, &st) == 0 && S_ISBLK(st.st_mode) ? VGM_DISK_TYPE_BLOCK
                                                                 : VGM_DISK_TYPE_FILE;
        g_ptr_array_add(layers, g_steal_pointer(&l));
    }
    if (d->backing)
        g_ptr_array_unref(d->backing);
    d->backing = g_steal_pointer(&layers);
    d->backingEnd = TRUE;
}

gboolean
vgmDriverDiskChainsDetectChange(VgmDomainDef *def, gconstpointer mon)
{
    g_autoptr(GError) err = NULL;
    gboolean unknown = FALSE;

    for (guint i = 0; i < def->devices.disks->len && !unknown; i++)
        unknown = vgmDriverDiskChainUnknown(g_ptr_array_index(def->devices.disks, i));
    if (!unknown)
        return FALSE;
    if (!vgmDriverDiskChainsDetect((VgmQemuMonitor *)mon, def, &err))
        g_warning(_("cannot read the backing chain of a disk QEMU opened: %1$s"), err->message);
    return TRUE;
}

gboolean
vgmDriverDiskChainsDetect(VgmQemuMonitor *mon, VgmDomainDef *def, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    gboolean any = FALSE;
    guint i, j;

    for (i = 0; i < def->devices.disks->len && !any; i++)
        any = vgmDriverDiskChainUnknown(g_ptr_array_index(def->devices.disks, i));
    /* (the images known get their numbers whether QEMU answers or not) */
    if (any && !vgmQemuMonitorCommand(mon, "query-block", NULL, &ret, error)) {
        vgmDriverDiskIndexesAssign(def);
        return FALSE;
    }
    arr = ret && JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < def->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        g_autofree char *id = NULL;

        if (!vgmDriverDiskChainUnknown(d))
            continue;
        id = vgmQemuDiskDeviceId(def, d);
        for (j = 0; j < json_array_get_length(arr); j++) {
            JsonObject *o = json_array_get_object_element(arr, j);
            JsonNode *ins = o ? json_object_get_member(o, "inserted") : NULL;
            JsonNode *image;

            if (!o || !vgmDriverDiskQdevIs(json_object_get_string_member_with_default(o, "qdev", NULL), id))
                continue;
            if (ins && JSON_NODE_HOLDS_OBJECT(ins) &&
                (image = json_object_get_member(json_node_get_object(ins), "image")) &&
                JSON_NODE_HOLDS_OBJECT(image))
                vgmDriverDiskChainFrom(d, json_node_get_object(image));
            break;
        }
    }
    vgmDriverDiskIndexesAssign(def);
    return TRUE;
}
