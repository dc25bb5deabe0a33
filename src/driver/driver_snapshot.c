/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_snapshot.c: a domain's internal and external snapshots (see driver_snapshot.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "conf/snapshot_conf.h"
#include "driver_conn.h"
#include "driver_net.h"
#include "driver_process.h"
#include "driver_save.h"
#include "driver_snapshot.h"
#include "driver_disk.h"
#include "qemu/qemu_monitor.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

#define VGM_SNAPSHOT_CURRENT_FILE "current"
#define VGM_SNAPSHOT_SUFFIX ".xml"

void
vgmDriverSnapshotOutcomeClear(VgmDriverSnapshotOutcome *out)
{
    g_clear_pointer(&out->events, g_array_unref);
}

static void
vgmSnapshotEvent(VgmDriverSnapshotOutcome *out, int event, int detail, int id)
{
    VgmDriverSnapshotEvent ev = { event, detail, id };

    if (!out->events)
        out->events = g_array_new(FALSE, FALSE, sizeof(VgmDriverSnapshotEvent));
    g_array_append_val(out->events, ev);
}

/* ---- the metadata ---- */

static char *
vgmSnapshotDir(const VgmDriverStore *store, const char *name)
{
    return vgmDriverStoreSnapshotDir(store, name);
}

static char *
vgmSnapshotPath(const VgmDriverStore *store, const char *name, const char *snap)
{
    g_autofree char *dir = vgmSnapshotDir(store, name);
    g_autofree char *file = g_strconcat(snap, VGM_SNAPSHOT_SUFFIX, NULL);

    return g_build_filename(dir, file, NULL);
}

/* A domain's snapshots as its files hold them */
typedef struct {
    GPtrArray *snaps;           /* VgmSnapshotDef, parents before children */
    char *current;              /* NULL: none */
} VgmSnapshotSet;

static void
vgmSnapshotSetFree(VgmSnapshotSet *set)
{
    if (!set)
        return;
    g_ptr_array_unref(set->snaps);
    g_free(set->current);
    g_free(set);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSnapshotSet, vgmSnapshotSetFree)

static VgmSnapshotDef *
vgmSnapshotFind(const VgmSnapshotSet *set, const char *snap)
{
    for (guint i = 0; i < set->snaps->len; i++) {
        VgmSnapshotDef *def = g_ptr_array_index(set->snaps, i);

        if (g_str_equal(def->name, snap))
            return def;
    }
    return NULL;
}

static gboolean
vgmSnapshotHasChildren(const VgmSnapshotSet *set, const VgmSnapshotDef *def)
{
    for (guint i = 0; i < set->snaps->len; i++) {
        const VgmSnapshotDef *other = g_ptr_array_index(set->snaps, i);

        if (g_strcmp0(other->parent, def->name) == 0)
            return TRUE;
    }
    return FALSE;
}

static VgmSnapshotDef *
vgmSnapshotGet(const VgmSnapshotSet *set, const char *name, const char *snap, GError **error)
{
    VgmSnapshotDef *def = snap ? vgmSnapshotFind(set, snap) : NULL;

    if (!def)
        vgmErrorSet(error, VGM_ERR_NO_DOMAIN_SNAPSHOT,
                    _("domain '%1$s' has no snapshot named '%2$s'"), name, snap ? snap : "");
    return def;
}

static gint
vgmSnapshotCompareAge(gconstpointer a, gconstpointer b)
{
    const VgmSnapshotDef *sa = *(VgmSnapshotDef *const *)a;
    const VgmSnapshotDef *sb = *(VgmSnapshotDef *const *)b;

    if (sa->creationTime != sb->creationTime)
        return sa->creationTime < sb->creationTime ? -1 : 1;
    return strcmp(sa->name, sb->name);
}

/* Orders @set's snapshots oldest first, each after its parent; a
 * snapshot whose parent is missing (or in a loop) is taken for a root */
static void
vgmSnapshotSort(VgmSnapshotSet *set)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSnapshotDefFree);
    g_autoptr(GHashTable) placed = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean progress = TRUE;

    g_ptr_array_sort(set->snaps, vgmSnapshotCompareAge);
    while (set->snaps->len && progress) {
        progress = FALSE;
        for (guint i = 0; i < set->snaps->len;) {
            VgmSnapshotDef *def = g_ptr_array_index(set->snaps, i);

            if (!def->parent || g_hash_table_contains(placed, def->parent) ||
                !vgmSnapshotFind(set, def->parent)) {
                if (def->parent && !g_hash_table_contains(placed, def->parent))
                    g_clear_pointer(&def->parent, g_free);
                g_ptr_array_add(sorted, g_ptr_array_steal_index(set->snaps, i));
                g_hash_table_add(placed, def->name);
                progress = TRUE;
                continue;
            }
            i++;
        }
    }
    /* what is left is a loop: its members become roots */
    while (set->snaps->len) {
        VgmSnapshotDef *def = g_ptr_array_steal_index(set->snaps, 0);

        g_clear_pointer(&def->parent, g_free);
        g_ptr_array_add(sorted, def);
    }
    g_ptr_array_unref(set->snaps);
    set->snaps = g_steal_pointer(&sorted);
}

static VgmSnapshotSet *
vgmSnapshotSetLoad(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autoptr(VgmSnapshotSet) set = g_new0(VgmSnapshotSet, 1);
    g_autofree char *dir = vgmSnapshotDir(store, name);
    g_autofree char *currentPath = g_build_filename(dir, VGM_SNAPSHOT_CURRENT_FILE, NULL);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    const char *entry;

    set->snaps = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSnapshotDefFree);
    if (!(d = g_dir_open(dir, 0, &err))) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer(&set);
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read the snapshots of domain '%1$s': %2$s"),
                    name, err->message);
        return NULL;
    }
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        g_autoptr(GError) perr = NULL;
        VgmSnapshotDef *def;

        /* dot files are a write in progress or its leftover */
        if (entry[0] == '.' || !g_str_has_suffix(entry, VGM_SNAPSHOT_SUFFIX))
            continue;
        path = g_build_filename(dir, entry, NULL);
        if (!g_file_get_contents(path, &text, NULL, &perr) ||
            !(def = vgmSnapshotDefParseString(text, path, VGM_SNAPSHOT_PARSE_REDEFINE, &perr))) {
            g_warning(_("snapshot file '%1$s' of domain '%2$s' is left out: %3$s"), path, name,
                      perr->message);
            continue;
        }
        g_ptr_array_add(set->snaps, def);
    }
    if (g_file_get_contents(currentPath, &set->current, NULL, NULL)) {
        g_strstrip(set->current);
        if (!vgmSnapshotFind(set, set->current))
            g_clear_pointer(&set->current, g_free);
    }
    vgmSnapshotSort(set);
    return g_steal_pointer(&set);
}

static gboolean
vgmSnapshotSave(const VgmDriverStore *store, const char *name, const VgmSnapshotDef *def,
                GError **error)
{
    g_autofree char *dir = vgmSnapshotDir(store, name);
    g_autofree char *path = vgmSnapshotPath(store, name, def->name);
    g_autofree char *xml = vgmSnapshotDefFormat(def);

    return vgmFileMakePath(dir, 0700, error) &&
           vgmFileWriteAtomic(path, xml, strlen(xml), 0600, error);
}

static gboolean
vgmSnapshotSetCurrent(const VgmDriverStore *store, const char *name, const char *snap,
                      GError **error)
{
    g_autofree char *dir = vgmSnapshotDir(store, name);
    g_autofree char *path = g_build_filename(dir, VGM_SNAPSHOT_CURRENT_FILE, NULL);

    if (!snap) {
        if (g_unlink(path) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
            return FALSE;
        }
        return TRUE;
    }
    return vgmFileMakePath(dir, 0700, error) &&
           vgmFileWriteAtomic(path, snap, strlen(snap), 0600, error);
}

/* ---- the images ---- */

/* Runs "qemu-img snapshot @op @snap" on every disk @snapDef took
 * internally, with their images as @def has them; with @tryAll, a disk
 * that fails is a warning and the rest go on (a delete), else the first
 * failure ends it and *@done counts the disks done before */
static gboolean
vgmSnapshotQemuImg(const VgmDomainDef *def, const VgmSnapshotDef *snapDef, const char *op,
                   gboolean tryAll, guint *done, GError **error)
{
    if (done)
        *done = 0;
    for (guint i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        const VgmDiskDef *d = NULL;
        g_autoptr(GError) err = NULL;

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_INTERNAL)
            continue;
        for (guint j = 0; j < def->devices.disks->len && !d; j++) {
            const VgmDiskDef *cand = g_ptr_array_index(def->devices.disks, j);

            if (g_strcmp0(cand->dst, sd->name) == 0)
                d = cand;
        }
        if (!d || !d->src) {
            vgmErrorSet(&err, VGM_ERR_OPERATION_INVALID,
                        _("the domain no longer has disk '%1$s' of snapshot '%2$s'"), sd->name,
                        snapDef->name);
        } else {
            const char *argv[] = { "qemu-img", "snapshot", op, snapDef->name, d->src, NULL };

            vgmDriverNetRun(argv, &err);
        }
        if (err && !tryAll) {
            g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        if (err)
            g_warning(_("snapshot '%1$s' of disk '%2$s': %3$s"), snapDef->name, sd->name,
                      err->message);
        if (done)
            (*done)++;
    }
    return TRUE;
}

/* A human monitor command whose silence is success (savevm, loadvm,
 * delvm print only what went wrong) */
static gboolean
vgmSnapshotHMP(VgmQemuMonitor *mon, const char *cmd, const char *snap, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autofree char *line = g_strdup_printf("%s %s", cmd, snap);
    g_autofree char *out = NULL;

    json_object_set_string_member(args, "command-line", line);
    if (!vgmQemuMonitorCommand(mon, "human-monitor-command", args, &ret, error))
        return FALSE;
    out = g_strdup(JSON_NODE_HOLDS_VALUE(ret) &&
                   json_node_get_value_type(ret) == G_TYPE_STRING ? json_node_get_string(ret) : "");
    g_strstrip(out);
    if (*out) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("QEMU's %1$s of snapshot '%2$s' failed: %3$s"),
                    cmd, snap, out);
        return FALSE;
    }
    return TRUE;
}

/* ---- taking one ---- */

/* Whether every disk @snapDef names is one of @def's (its target or its
 * source) */
static gboolean
vgmSnapshotDisksExist(const VgmDomainDef *def, const VgmSnapshotDef *snapDef, GError **error)
{
    for (guint i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);

        if (!vgmDriverFindDisk(def, sd->name)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("domain '%1$s' has no disk '%2$s' (a target or a source path) for the snapshot"),
                        def->name, sd->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* @snapDef's disks made one per disk of @def, in its order, as libvirt
 * aligns them: a disk not named is taken internally unless it says
 * snapshot='no', is read-only or has no medium; every disk taken must be
 * a qcow2 image QEMU can write its snapshot into */
static gboolean
vgmSnapshotAlignDisks(const VgmDomainDef *def, VgmSnapshotDef *snapDef, gboolean active,
                      GError **error)
{
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSnapshotDiskDefFree);
    guint taken = 0;

    if (!vgmSnapshotDisksExist(def, snapDef, error))
        return FALSE;
    for (guint j = 0; j < def->devices.disks->len; j++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, j);
        VgmSnapshotLocation loc = VGM_SNAPSHOT_LOCATION_DEFAULT;
        VgmSnapshotDiskDef *out;

        for (guint i = 0; i < snapDef->disks->len; i++) {
            const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);

            if (g_strcmp0(d->dst, sd->name) == 0 || g_strcmp0(d->src, sd->name) == 0)
                loc = sd->snapshot;
        }
        if (loc == VGM_SNAPSHOT_LOCATION_DEFAULT)
            loc = d->snapshotInternal ? VGM_SNAPSHOT_LOCATION_INTERNAL :
                  d->snapshotNo || d->readonly || !vgmDiskHasMedium(d) ?
                  VGM_SNAPSHOT_LOCATION_NO : VGM_SNAPSHOT_LOCATION_INTERNAL;
        if (loc == VGM_SNAPSHOT_LOCATION_INTERNAL) {
            const char *why = NULL;

            if (d->type != VGM_DISK_TYPE_FILE && d->type != VGM_DISK_TYPE_BLOCK)
                why = N_("only a file or block device image can hold one");
            else if (!d->src)
                why = N_("it has no medium");
            else if (g_strcmp0(d->driverType, "qcow2") != 0)
                why = N_("only a qcow2 image can hold one");
            else if (d->transient)
                why = N_("a <transient/> disk's writes are thrown away");
            else if (d->slice.set)
                why = N_("its image is a storage slice (<slices>) of the file");
            else if (d->encryption && !active)
                why = N_("its image is encrypted (<encryption>), which qemu-img would open without the passphrase (a running domain's QEMU can take it)");
            if (why) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("disk '%1$s' (format '%2$s') cannot take an internal snapshot: %3$s; mark it <disk name='%1$s' snapshot='no'/> in the snapshot's <disks> to leave it out"),
                            d->dst, d->driverType ? d->driverType : "raw", _(why));
                return FALSE;
            }
            taken++;
        } else if (active && !d->readonly && vgmDiskHasMedium(d)) {
            /* QEMU's savevm takes every writable disk */
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("an internal snapshot of running domain '%1$s' takes every writable disk, so disk '%2$s' cannot be left out"),
                        def->name, d->dst);
            return FALSE;
        }
        out = g_new0(VgmSnapshotDiskDef, 1);
        out->name = g_strdup(d->dst);
        out->snapshot = loc;
        g_ptr_array_add(disks, out);
    }
    if (active && !taken) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("domain '%1$s' has no qcow2 disk to hold the snapshot of its memory"),
                    def->name);
        return FALSE;
    }
    g_ptr_array_unref(snapDef->disks);
    snapDef->disks = g_steal_pointer(&disks);
    return TRUE;
}

/* A redefinition: @snapDef replaces or joins @set, as the client wrote it */
static gboolean
vgmSnapshotRedefine(const VgmDriverStore *store, const VgmDriverDomain *dom, VgmSnapshotSet *set,
                    VgmSnapshotDef *snapDef, unsigned int flags, GError **error)
{
    const VgmSnapshotDef *old = vgmSnapshotFind(set, snapDef->name);

    if (snapDef->domainXML) {
        g_autoptr(VgmDomainDef) def = NULL;

        if (!(def = vgmDomainDefParseString(snapDef->domainXML, NULL,
                                            VGM_DOMAIN_PARSE_SKIP_VALIDATE, error))) {
            g_prefix_error(error, _("the <domain> of snapshot '%1$s': "), snapDef->name);
            return FALSE;
        }
        if (memcmp(def->uuid, dom->uuid, sizeof(dom->uuid)) != 0) {
            char uuid[37];

            vgmDomainUUIDFormat(dom->uuid, uuid);
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("the <domain> of snapshot '%1$s' must have the uuid of domain '%2$s' (%3$s)"),
                        snapDef->name, dom->name, uuid);
            return FALSE;
        }
    } else if (old && old->domainXML) {
        snapDef->domainXML = g_strdup(old->domainXML);
        if (!snapDef->inactiveXML && old->inactiveXML)
            snapDef->inactiveXML = g_strdup(old->inactiveXML);
    }
    if (old && (old->state == VGM_SNAPSHOT_STATE_SHUTOFF) != (snapDef->state == VGM_SNAPSHOT_STATE_SHUTOFF)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("snapshot '%1$s' cannot change between a snapshot of a running and of a shut-off domain"),
                    snapDef->name);
        return FALSE;
    }
    /* its parent must exist, and must not be itself or below it */
    for (const char *p = snapDef->parent; p;) {
        const VgmSnapshotDef *up;

        if (g_str_equal(p, snapDef->name)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("snapshot '%1$s' cannot be its own ancestor"), snapDef->name);
            return FALSE;
        }
        if (!(up = vgmSnapshotFind(set, p))) {
            vgmErrorSet(error, VGM_ERR_NO_DOMAIN_SNAPSHOT,
                        _("the parent '%1$s' of snapshot '%2$s' does not exist"), p, snapDef->name);
            return FALSE;
        }
        p = up->parent;
    }
    for (guint i = 0; i < snapDef->disks->len; i++) {
        VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);

        if (sd->snapshot == VGM_SNAPSHOT_LOCATION_DEFAULT)
            sd->snapshot = VGM_SNAPSHOT_LOCATION_NO;
    }
    if (!snapDef->memory)
        snapDef->memory = snapDef->state == VGM_SNAPSHOT_STATE_SHUTOFF ||
                          snapDef->state == VGM_SNAPSHOT_STATE_DISK_SNAPSHOT ?
                          VGM_SNAPSHOT_LOCATION_NO : VGM_SNAPSHOT_LOCATION_INTERNAL;
    if (!vgmSnapshotSave(store, dom->name, snapDef, error))
        return FALSE;
    return !(flags & VGM_SNAPSHOT_CREATE_CURRENT) ||
           vgmSnapshotSetCurrent(store, dom->name, snapDef->name, error);
}

/* ---- external snapshots of disks ---- */

/* libvirt's name of a disk's new image the snapshot does not name: the
 * disk's file with the snapshot's name for its suffix (or after it) */
static char *
vgmSnapshotExternalName(const char *src, const char *snap)
{
    const char *dot = strrchr(src, '.');

    if (dot && !strchr(dot, '/'))
        return g_strdup_printf("%.*s.%s", (int)(dot - src), src, snap);
    return g_strdup_printf("%s.%s", src, snap);
}

/* The disk of @def that image @path already is (a top or a layer below) */
static const VgmDiskDef *
vgmSnapshotImageUser(const VgmDomainDef *def, const char *path)
{
    for (guint j = 0; j < def->devices.disks->len; j++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, j);

        if (g_strcmp0(d->src, path) == 0)
            return d;
        for (guint k = 0; d->backing && k < d->backing->len; k++) {
            if (g_strcmp0(((VgmDiskBackingLayer *)g_ptr_array_index(d->backing, k))->path,
                          path) == 0)
                return d;
        }
    }
    return NULL;
}

/* @snapDef's disks made one per disk of @def, in its order, for an
 * external snapshot, as libvirt aligns them: a disk not named goes into a
 * new image (with @diskOnly or its <disk snapshot='external'>) unless it
 * says snapshot='no', is read-only or has no medium; one taken internally
 * beside external ones is refused. Each new image gets its name, type and
 * format. */
static gboolean
vgmSnapshotAlignExternal(const VgmDomainDef *def, VgmSnapshotDef *snapDef, gboolean diskOnly,
                         gboolean memory, GError **error)
{
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSnapshotDiskDefFree);
    guint taken = 0;

    for (guint j = 0; j < def->devices.disks->len; j++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, j);
        const VgmSnapshotDiskDef *sd = NULL;
        VgmSnapshotDiskDef *out;
        const VgmDiskDef *user;
        const char *why = NULL;

        for (guint i = 0; i < snapDef->disks->len; i++) {
            const VgmSnapshotDiskDef *given = g_ptr_array_index(snapDef->disks, i);

            if (g_strcmp0(d->dst, given->name) != 0 && g_strcmp0(d->src, given->name) != 0)
                continue;
            if (sd) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("disk '%1$s' is named twice in the snapshot's <disks> ('%2$s' and '%3$s')"),
                            d->dst, sd->name, given->name);
                return FALSE;
            }
            sd = given;
        }
        out = g_new0(VgmSnapshotDiskDef, 1);
        out->name = g_strdup(d->dst);
        out->snapshot = sd ? sd->snapshot : VGM_SNAPSHOT_LOCATION_DEFAULT;
        g_ptr_array_add(disks, out);
        if (!out->snapshot)
            out->snapshot = d->snapshotNo || d->readonly || !vgmDiskHasMedium(d) ?
                            VGM_SNAPSHOT_LOCATION_NO :
                            d->snapshotInternal ? VGM_SNAPSHOT_LOCATION_INTERNAL :
                            diskOnly || memory || d->snapshotExternal ?
                            VGM_SNAPSHOT_LOCATION_EXTERNAL :
                            VGM_SNAPSHOT_LOCATION_INTERNAL;
        if (out->snapshot == VGM_SNAPSHOT_LOCATION_INTERNAL) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("disk '%1$s' would take an internal snapshot beside the external ones, and a snapshot is either internal or external: mark it <disk name='%1$s' snapshot='no'/> or 'external' in the snapshot's <disks>"),
                        d->dst);
            return FALSE;
        }
        if (out->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        if (d->type != VGM_DISK_TYPE_FILE && d->type != VGM_DISK_TYPE_BLOCK)
            why = N_("only a file or a block device can have a new image put over it");
        else if (!d->src)
            why = N_("it has no medium");
        else if (d->readonly)
            why = N_("it is read-only");
        else if (d->transient)
            why = N_("a <transient/> disk's writes are thrown away");
        else if (vgmDiskHasSlice(d))
            why = N_("an image of its chain has a storage slice (<slices>)");
        else if (d->encryption)
            why = N_("its image is encrypted (<encryption>), and the new image over it would hold the guest's writes unencrypted");
        else if (!(sd && sd->file) && d->type == VGM_DISK_TYPE_BLOCK)
            why = N_("the new image of a block device needs a name (<source file|dev> in the snapshot's <disk>)");
        if (why) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("disk '%1$s' cannot take an external snapshot: %2$s"), d->dst, _(why));
            return FALSE;
        }
        out->type = sd && sd->file ? sd->type : VGM_DISK_TYPE_FILE;
        out->file = sd && sd->file ? g_strdup(sd->file)
                                   : vgmSnapshotExternalName(d->src, snapDef->name);
        out->format = g_strdup("qcow2");
        user = vgmSnapshotImageUser(def, out->file);
        for (guint i = 0; i + 1 < disks->len && !user; i++) {
            const VgmSnapshotDiskDef *other = g_ptr_array_index(disks, i);

            if (g_strcmp0(other->file, out->file) == 0)
                user = vgmDriverFindDisk(def, other->name);
        }
        if (user) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("the new image '%1$s' of disk '%2$s' is an image of disk '%3$s' already"),
                        out->file, d->dst, user->dst);
            return FALSE;
        }
        taken++;
    }
    if (!vgmSnapshotDisksExist(def, snapDef, error))
        return FALSE;
    /* (an external memory snapshot may leave every disk out) */
    if (!taken && !memory) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("no disk of domain '%1$s' takes the external snapshot"), def->name);
        return FALSE;
    }
    g_ptr_array_unref(snapDef->disks);
    snapDef->disks = g_steal_pointer(&disks);
    return TRUE;
}

/* Whether @sd's new image may be made (or with @reuse, is there) */
static gboolean
vgmSnapshotExternalImageCheck(const VgmSnapshotDiskDef *sd, gboolean reuse, GError **error)
{
    struct stat st;
    gboolean exists = stat(sd->file, &st) == 0;

    if (reuse) {
        if (!exists) {
            vgmErrorSetSystem(error, errno,
                              _("the image '%1$s' to reuse for disk '%2$s' is missing"),
                              sd->file, sd->name);
            return FALSE;
        }
        return TRUE;
    }
    if (exists && !S_ISBLK(st.st_mode) && st.st_size > 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("the new image '%1$s' of disk '%2$s' exists already and is no block device (reuse it with --reuse-external)"),
                    sd->file, sd->name);
        return FALSE;
    }
    if ((sd->type == VGM_DISK_TYPE_BLOCK) != (exists && S_ISBLK(st.st_mode))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    sd->type == VGM_DISK_TYPE_BLOCK ?
                    _("the new image '%1$s' of disk '%2$s' is given as a block device, which it is not") :
                    _("the new image '%1$s' of disk '%2$s' is a block device: give it as one (type='block', <source dev>)"),
                    sd->file, sd->name);
        return FALSE;
    }
    return TRUE;
}

/* The new images of @snapDef's external disks of @def, made by qemu-img
 * over each disk's image (@sizes: the disks' sizes from QEMU, for a
 * running domain whose images qemu-img must not open; NULL: read from
 * the image), or with @reuse found; the files made are added to @made */
static gboolean
vgmSnapshotExternalImages(const VgmDomainDef *def, const VgmSnapshotDef *snapDef, gboolean reuse,
                          const guint64 *sizes, GPtrArray *made, GError **error)
{
    guint n = 0;

    for (guint i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        const VgmDiskDef *d;
        g_autoptr(GPtrArray) argv = NULL;
        g_autofree char *size = NULL;
        g_autoptr(GError) err = NULL;
        gboolean exists;

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        d = vgmDriverFindDisk(def, sd->name);
        if (!vgmSnapshotExternalImageCheck(sd, reuse, error))
            return FALSE;
        /* (a block device, or an empty file the user made: not ours) */
        exists = g_file_test(sd->file, G_FILE_TEST_EXISTS);
        if (reuse) {
            n++;
            continue;
        }
        argv = g_ptr_array_new();
        for (const char *const *a = (const char *const[]){ "qemu-img", "create", "-q", "-f", "qcow2",
                                                           "-F", NULL };
             *a; a++)
            g_ptr_array_add(argv, (gpointer)*a);
        g_ptr_array_add(argv, (gpointer)(d->driverType ? d->driverType : "raw"));
        g_ptr_array_add(argv, (gpointer)"-b");
        g_ptr_array_add(argv, d->src);
        /* (a running QEMU holds the image: qemu-img is told its size) */
        if (sizes)
            g_ptr_array_add(argv, (gpointer)"-u");
        g_ptr_array_add(argv, sd->file);
        if (sizes) {
            size = g_strdup_printf("%" G_GUINT64_FORMAT, sizes[n]);
            g_ptr_array_add(argv, size);
        }
        g_ptr_array_add(argv, NULL);
        n++;
        if (!vgmDriverNetRun((const char *const *)argv->pdata, &err)) {
            if (!exists)
                g_unlink(sd->file);
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot make the new image '%1$s' of disk '%2$s': %3$s"), sd->file,
                        sd->name, err->message);
            return FALSE;
        }
        if (!exists)
            g_ptr_array_add(made, g_strdup(sd->file));
    }
    return TRUE;
}

/* Each external disk of snapshot @data moved onto its new image in
 * @def, when @def's disk still has the image the snapshot was taken of
 * (@from's): the image becomes the first layer of a chain given as
 * <backingStore>; a chain read from the images follows the new image's
 * own backing file */
/* The domain a snapshot holds: a running domain's live XML (without the
 * run's id, as libvirt keeps it), else its config */
static char *
vgmSnapshotDomainXML(const VgmDriverStore *store, const VgmDriverDomain *dom, gboolean active,
                     GError **error)
{
    if (active && dom->status)
        return g_strdup(dom->status->xml);
    return vgmDriverDomainFormatXML(store, dom, TRUE, error);
}

typedef struct {
    const VgmSnapshotDef *snap;
    const VgmDomainDef *from;
} VgmSnapshotMove;

static gboolean
vgmSnapshotMoveDisks(VgmDomainDef *def, const VgmSnapshotMove *m)
{
    gboolean changed = FALSE;

    for (guint i = 0; i < m->snap->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(m->snap->disks, i);
        const VgmDiskDef *was = vgmDriverFindDisk(m->from, sd->name);
        VgmDiskDef *d = (VgmDiskDef *)vgmDriverFindDisk(def, sd->name);

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL || !d || !was ||
            g_strcmp0(d->dst, sd->name) != 0 || g_strcmp0(d->src, was->src) != 0)
            continue;
        /* (a chain given or found ends below: the old image joins it) */
        if (d->backing || d->backingEnd) {
            VgmDiskBackingLayer *l = g_new0(VgmDiskBackingLayer, 1);

            if (!d->backing)
                d->backing = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDiskBackingLayerFree);
            l->type = d->type;
            l->format = g_strdup(d->driverType ? d->driverType : "raw");
            l->path = g_strdup(d->src);
            g_ptr_array_insert(d->backing, 0, l);
        }
        g_free(d->src);
        d->src = g_strdup(sd->file);
        d->type = sd->type;
        g_free(d->driverType);
        d->driverType = g_strdup(sd->format ? sd->format : "qcow2");
        changed = TRUE;
    }
    return changed;
}

static void
vgmSnapshotUnlinkAll(GPtrArray *made)
{
    for (guint i = 0; i < made->len; i++)
        g_unlink(g_ptr_array_index(made, i));
}

/* The config of domain @name, when it has one, with @m's disks moved */
static gboolean
vgmSnapshotMoveConfig(const VgmDriverStore *store, const char *name, const VgmSnapshotMove *m,
                      GError **error)
{
    g_autoptr(VgmDomainDef) cfg = NULL;

    if (!vgmDriverStoreHasConfig(store, name))
        return TRUE;
    if (!(cfg = vgmDriverStoreLoadConfig(store, name, error)))
        return FALSE;
    return !vgmSnapshotMoveDisks(cfg, m) || vgmDriverStoreSaveConfig(store, cfg, error);
}

/* What a take of external snapshot @snapDef of @dom (lock held) checks
 * of its disks before anything is made: their new images, and on a
 * running domain that no block job holds them */
static gboolean
vgmSnapshotExternalCheck(VgmDriverDomain *dom, const VgmSnapshotDef *snapDef, gboolean reuse,
                         GError **error)
{
    g_autoptr(VgmDomainDef) live = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    guint i;

    if (vgmDriverDomainIsActive(dom) &&
        (!(live = vgmDriverDomainLiveDef(dom, error)) ||
         !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error))))
        return FALSE;
    for (i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        g_autofree char *id = NULL;

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        if (!vgmSnapshotExternalImageCheck(sd, reuse, error))
            return FALSE;
        if (mon && (id = vgmQemuDiskDeviceId(live, vgmDriverFindDisk(live, sd->name))) &&
            !vgmDriverDomainNoBlockJob(mon, live, id, VGM_DRIVER_BLOCK_JOB_BLOCKS_SNAPSHOT, error))
            return FALSE;
    }
    return TRUE;
}

/* The disks of running domain @dom (lock held) moved onto new images in
 * QEMU (one transaction of blockdev-snapshot), then in its live XML and
 * its config */
static gboolean
vgmSnapshotExternalLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                        const VgmSnapshotDef *snapDef, gboolean reuse, GError **error)
{
    g_autoptr(VgmDomainDef) live = NULL;
    g_autoptr(VgmDomainDef) moved = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) tops = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) sizes = g_array_new(FALSE, TRUE, sizeof(guint64));
    g_autoptr(GArray) overlays = g_array_new(FALSE, TRUE, sizeof(VgmDriverBlockOverlay));
    VgmSnapshotMove m;
    gboolean ok = FALSE;
    guint i;

    if (!(live = vgmDriverDomainLiveDef(dom, error)) ||
        !(moved = vgmDriverDomainLiveDef(dom, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    for (i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        const VgmDiskDef *d = vgmDriverFindDisk(live, sd->name);
        g_autofree char *id = NULL;
        char *top = NULL;
        guint64 size = 0;

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        id = vgmQemuDiskDeviceId(live, d);
        if (!vgmDriverDomainNoBlockJob(mon, live, id, VGM_DRIVER_BLOCK_JOB_BLOCKS_SNAPSHOT, error) ||
            !vgmDriverBlockTop(mon, live, d, &top, &size, error))
            return FALSE;
        g_ptr_array_add(tops, top);
        g_array_append_val(sizes, size);
    }
    if (!vgmSnapshotExternalImages(live, snapDef, reuse, (const guint64 *)(gpointer)sizes->data,
                                   made, error))
        goto out;
    m = (VgmSnapshotMove){ snapDef, live };
    vgmSnapshotMoveDisks(moved, &m);
    /* (the images now below a disk get their numbers) */
    vgmDriverDiskIndexesAssign(moved);
    for (i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        VgmDriverBlockOverlay o = { .dst = sd->name };

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        o.top = g_ptr_array_index(tops, overlays->len);
        if (!vgmDriverDomainDiskTopNodes(store, dom, moved, vgmDriverFindDisk(moved, sd->name),
                                         &o.storage, &o.format, error))
            goto out;
        g_array_append_val(overlays, o);
    }
    /* (an external memory snapshot may move no disk) */
    if (overlays->len == 0) {
        ok = TRUE;
        goto out;
    }
    if (!vgmDriverBlockSnapshot(mon, dom->name, (VgmDriverBlockOverlay *)(gpointer)overlays->data,
                                overlays->len, error))
        goto out;
    g_ptr_array_set_size(made, 0);
    /* QEMU writes the new images now: the config and the live XML say so
     * (the config first, which the next boot reads, were the daemon to
     * die between the two), and the snapshot is taken even when one of
     * them cannot (logged) */
    ok = TRUE;
    {
        g_autoptr(GError) err = NULL;

        if (!vgmSnapshotMoveConfig(store, dom->name, &m, &err) ||
            !vgmDriverDomainSaveLive(store, dom, moved, &err))
            g_warning(_("domain '%1$s' runs on the new images of its snapshot, but its XML does not say so: %2$s"),
                      dom->name, err->message);
    }

 out:
    vgmSnapshotUnlinkAll(made);
    for (i = 0; i < overlays->len; i++) {
        VgmDriverBlockOverlay *o = &g_array_index(overlays, VgmDriverBlockOverlay, i);

        json_object_unref(o->storage);
        json_object_unref(o->format);
    }
    return ok;
}

/* An external snapshot of running domain @dom (lock held) with its
 * memory: the guest paused (a live one runs on while QEMU writes, and
 * stops at its end), its state written into the snapshot's memory file as
 * a save image of the domain as it is, the disks moved onto their new
 * images, then the guest let run again unless it was paused or the
 * snapshot halts it; as libvirt takes one. A failure leaves the guest as
 * it was, without the memory file. */
static gboolean
vgmSnapshotExternalMemory(const VgmDriverStore *store, VgmDriverDomain *dom,
                          const VgmSnapshotDef *snapDef, gboolean reuse, gboolean live,
                          unsigned int flags, VgmDriverSnapshotOutcome *out, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *imageXml = NULL;
    gboolean running = dom->state == VGM_DOMAIN_STATE_RUNNING;
    gboolean written = FALSE;
    gboolean paused = FALSE;    /* the guest was running and is stopped now */
    /* (as libvirt: a file there is written over, and kept when the
     * snapshot fails) */
    gboolean existed = g_file_test(snapDef->memoryFile, G_FILE_TEST_EXISTS);
    gboolean ok = FALSE;

    if (!(def = vgmDriverDomainLiveDef(dom, error)) ||
        !vgmSnapshotExternalCheck(dom, snapDef, reuse, error))
        return FALSE;
    /* a look at the domain meanwhile reads it paused for a snapshot (or,
     * while a live one writes the memory, running); marked before the
     * monitor is taken, which a look would otherwise wait for */
    vgmDriverStoreSetBusy(store, dom->name, running && live ? "snapshot-live" : "snapshot");
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error))) {
        vgmDriverStoreSetBusy(store, dom->name, NULL);
        return FALSE;
    }
    if (running && !live) {
        if (!vgmQemuMonitorCommand(mon, "stop", NULL, NULL, &err))
            goto out;
        paused = TRUE;
        if (out->job)
            out->job->pausedAt = g_get_monotonic_time();
        vgmSnapshotEvent(out, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED, dom->id);
    }
    /* the write can be aborted (virDomainAbortJob) */
    if (out->job) {
        g_mutex_lock(&out->job->lock);
        out->job->noAbort = NULL;
        g_mutex_unlock(&out->job->lock);
    }
    /* (a live one's QEMU stops the guest at the end of the write) */
    if (!(imageXml = vgmDriverDomainImageXML(dom->status->xml, dom->status->websocketPorts,
                                             &err)) ||
        !vgmDriverDomainSaveMemory(mon, def, snapDef->memoryFile, imageXml, running,
                                   out->job, &err))
        goto out;
    written = TRUE;
    /* (libvirt's order: the pause at the end of a live write, then the
     * completed job) */
    if (running && live) {
        paused = TRUE;
        vgmDriverStoreSetBusy(store, dom->name, "snapshot");
        vgmSnapshotEvent(out, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED, dom->id);
    }
    out->memoryDone = TRUE;
    out->memoryDoneAt = out->events ? out->events->len : 0;
    g_clear_pointer(&mon, vgmQemuMonitorFree);
    if (!vgmSnapshotExternalLive(store, dom, snapDef, reuse, &err))
        goto out;
    ok = TRUE;

 out:
    if (!ok && written) {
        if (!existed)
            g_unlink(snapDef->memoryFile);
        out->memoryDone = FALSE;
    }
    /* the guest runs on as it did, unless the snapshot halts it (a live
     * write that failed left it running) */
    if (paused && (!ok || !(flags & VGM_SNAPSHOT_CREATE_HALT))) {
        g_autoptr(GError) contErr = NULL;

        if (!mon && !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS,
                                                    &contErr))) {
            g_warning(_("domain '%1$s' stays paused after its snapshot: %2$s"), dom->name,
                      contErr->message);
        } else if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &contErr)) {
            g_warning(_("domain '%1$s' stays paused after its snapshot: %2$s"), dom->name,
                      contErr->message);
        } else {
            vgmSnapshotEvent(out, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_UNPAUSED, dom->id);
        }
    }
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    if (!ok)
        vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                    _("cannot take the snapshot of domain '%1$s' with its memory: %2$s"),
                    dom->name, err->message);
    return ok;
}

/* Whether @snapDef of a domain of definition @def is an external one: a
 * disk it names external, or one it leaves to its own default
 * (<disk snapshot='external'>) */
static gboolean
vgmSnapshotWantsExternal(const VgmDomainDef *def, const VgmSnapshotDef *snapDef)
{
    if (vgmSnapshotDefIsExternal(snapDef))
        return TRUE;
    for (guint j = 0; j < def->devices.disks->len; j++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, j);
        gboolean named = FALSE;

        for (guint i = 0; i < snapDef->disks->len && !named; i++) {
            const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);

            named = sd->snapshot && (g_strcmp0(d->dst, sd->name) == 0 ||
                                     g_strcmp0(d->src, sd->name) == 0);
        }
        if (!named && d->snapshotExternal && !d->readonly && vgmDiskHasMedium(d))
            return TRUE;
    }
    return FALSE;
}

/* An external snapshot of domain @dom (lock held, its definition filled):
 * its disks' new images, made or (@flags' REUSE_EXT) reused, and the
 * domain moved onto them; a running domain's guest goes on writing
 * (unless HALT ends it after) */
static gboolean
vgmSnapshotCreateExternal(const VgmDriverStore *store, VgmDriverDomain *dom,
                          VgmSnapshotSet *set, VgmSnapshotDef *snapDef, unsigned int flags,
                          VgmDriverSnapshotOutcome *out, GError **error)
{
    gboolean active = vgmDriverDomainIsActive(dom);
    gboolean diskOnly = (flags & VGM_SNAPSHOT_CREATE_DISK_ONLY) != 0;
    gboolean reuse = (flags & VGM_SNAPSHOT_CREATE_REUSE_EXT) != 0;
    gboolean memory = snapDef->memory == VGM_SNAPSHOT_LOCATION_EXTERNAL;
    gboolean live = (flags & VGM_SNAPSHOT_CREATE_LIVE) != 0;
    gboolean running = dom->state == VGM_DOMAIN_STATE_RUNNING;

    if (active && dom->state != VGM_DOMAIN_STATE_RUNNING && dom->state != VGM_DOMAIN_STATE_PAUSED) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is %2$s: a snapshot needs it running, paused or shut off"),
                    dom->name, _(vgmDomainStateTypeToString(dom->state)));
        return FALSE;
    }
    /* (its restore would run the guest on the old images, under the new) */
    if (!active && vgmDriverSaveHasManaged(store, dom->name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' has a managed save image: start it or remove the image (virsh managedsave-remove) before an external snapshot"),
                    dom->name);
        return FALSE;
    }
    /* as libvirt: the memory goes with the disks into one kind of
     * snapshot; an external one's into a file of its own, which a running
     * domain that is not asked for disks only has */
    if (snapDef->memory == VGM_SNAPSHOT_LOCATION_INTERNAL) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<memory snapshot='internal'/> with external disks: a snapshot is either internal or external (its memory external, file='...')"));
        return FALSE;
    }
    if (memory && (!active || diskOnly)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    !active ? _("domain '%1$s' is shut off: its snapshot has no memory state to save")
                            : _("a disk-only snapshot of domain '%1$s' keeps no memory: drop its <memory snapshot='external'> (virsh --memspec), or the disk-only flag (virsh --disk-only)"),
                    dom->name);
        return FALSE;
    }
    if (active && !diskOnly && !memory) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("an external snapshot of running domain '%1$s' keeps its memory in a file: give it (<memory snapshot='external' file='...'/>, virsh --memspec) or ask for a disk-only snapshot (virsh --disk-only)"),
                    dom->name);
        return FALSE;
    }
    if (!memory)
        snapDef->memory = VGM_SNAPSHOT_LOCATION_NO;
    if (!vgmSnapshotAlignExternal(dom->def, snapDef, diskOnly, memory, error))
        return FALSE;
    if (flags & VGM_DRIVER_SNAPSHOT_CREATE_CHECK_ONLY)
        return vgmSnapshotExternalCheck(dom, snapDef, reuse, error);
    snapDef->creationTime = (long long)time(NULL);
    snapDef->state = !active ? VGM_SNAPSHOT_STATE_SHUTOFF :
                     !memory ? VGM_SNAPSHOT_STATE_DISK_SNAPSHOT :
                     running ? VGM_SNAPSHOT_STATE_RUNNING : VGM_SNAPSHOT_STATE_PAUSED;
    snapDef->parent = g_strdup(set->current);
    /* the definition the snapshot was taken of (its disks' old images):
     * a running domain's live XML, and a persistent one's config then, as
     * libvirt keeps them (<domain> and <inactiveDomain>) */
    if (!(snapDef->domainXML = vgmSnapshotDomainXML(store, dom, active, error)))
        return FALSE;
    if (active && dom->persistent &&
        !(snapDef->inactiveXML = vgmDriverDomainFormatXML(store, dom, TRUE, error)))
        return FALSE;
    if (active && memory) {
        if (!vgmSnapshotExternalMemory(store, dom, snapDef, reuse, live, flags, out, error))
            return FALSE;
    } else if (active) {
        if (!vgmSnapshotExternalLive(store, dom, snapDef, reuse, error))
            return FALSE;
    } else {
        g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
        VgmSnapshotMove m = { snapDef, dom->def };

        if (!vgmSnapshotExternalImages(dom->def, snapDef, reuse, NULL, made, error) ||
            !vgmSnapshotMoveConfig(store, dom->name, &m, error)) {
            vgmSnapshotUnlinkAll(made);
            return FALSE;
        }
    }
    if (!(flags & VGM_SNAPSHOT_CREATE_NO_METADATA) &&
        (!vgmSnapshotSave(store, dom->name, snapDef, error) ||
         !vgmSnapshotSetCurrent(store, dom->name, snapDef->name, error)))
        return FALSE;
    /* --halt: the domain shut off after it, as libvirt does */
    if (active && (flags & VGM_SNAPSHOT_CREATE_HALT)) {
        if (!vgmDriverDomainCleanup(store, dom, error))
            return FALSE;
        vgmDriverStoreSetStopReason(store, dom->name, "from snapshot");
        vgmSnapshotEvent(out, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FROM_SNAPSHOT, dom->id);
    }
    return TRUE;
}

gboolean
vgmDriverSnapshotCreate(const VgmDriverStore *store, const char *name, const char *xml,
                        unsigned int flags, char **snap, VgmDriverSnapshotOutcome *out,
                        GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmSnapshotSet) set = NULL;
    g_autoptr(VgmSnapshotDef) snapDef = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    gboolean active, running;

    if ((flags & VGM_SNAPSHOT_CREATE_CURRENT) && !(flags & VGM_SNAPSHOT_CREATE_REDEFINE)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a snapshot is made the current one on creation only with a redefinition"));
        return FALSE;
    }
    if ((flags & VGM_SNAPSHOT_CREATE_QUIESCE) && !(flags & VGM_SNAPSHOT_CREATE_DISK_ONLY)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a quiesced snapshot is a disk-only one (virsh --disk-only --quiesce)"));
        return FALSE;
    }
    if ((flags & VGM_SNAPSHOT_CREATE_REDEFINE) &&
        (flags & (VGM_SNAPSHOT_CREATE_NO_METADATA | VGM_SNAPSHOT_CREATE_HALT))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a snapshot's redefinition takes no snapshot, so it cannot go without metadata or halt the domain"));
        return FALSE;
    }
    if (!(snapDef = vgmSnapshotDefParseString(xml, NULL,
                                              (flags & VGM_SNAPSHOT_CREATE_REDEFINE) ?
                                              VGM_SNAPSHOT_PARSE_REDEFINE : 0, error)))
        return FALSE;
    /* as libvirt: a live snapshot writes the memory into a file of its own
     * while the guest runs */
    if ((flags & VGM_SNAPSHOT_CREATE_LIVE) &&
        (snapDef->memory != VGM_SNAPSHOT_LOCATION_EXTERNAL || (flags & VGM_SNAPSHOT_CREATE_REDEFINE))) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("a live snapshot is one whose memory goes into a file of its own while the guest runs (<memory snapshot='external' file='...'/>, virsh --memspec)"));
        return FALSE;
    }
    if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)) ||
        !vgmDriverDomainFillDef(store, dom, error) ||
        !(set = vgmSnapshotSetLoad(store, dom->name, error)))
        return FALSE;
    if (flags & VGM_SNAPSHOT_CREATE_REDEFINE) {
        if (flags & VGM_DRIVER_SNAPSHOT_CREATE_CHECK_ONLY)
            return TRUE;
        if (!vgmSnapshotRedefine(store, dom, set, snapDef, flags, error))
            return FALSE;
        *snap = g_strdup(snapDef->name);
        return TRUE;
    }

    /* as libvirt, of either kind of snapshot */
    if ((flags & VGM_SNAPSHOT_CREATE_HALT) && !dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is transient: a snapshot cannot halt it, which would make it go"),
                    dom->name);
        return FALSE;
    }
    if (!snapDef->name)
        snapDef->name = g_strdup_printf("%lld", (long long)time(NULL));
    if (vgmSnapshotFind(set, snapDef->name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("domain '%1$s' has a snapshot named '%2$s' already"), dom->name,
                    snapDef->name);
        return FALSE;
    }
    if ((flags & VGM_SNAPSHOT_CREATE_DISK_ONLY) || vgmSnapshotWantsExternal(dom->def, snapDef)) {
        if (!vgmSnapshotCreateExternal(store, dom, set, snapDef, flags, out, error))
            return FALSE;
        *snap = g_strdup(snapDef->name);
        return TRUE;
    }
    /* (a quiesced snapshot is a disk-only one: nothing else is checked
     * ahead) */
    if (flags & VGM_DRIVER_SNAPSHOT_CREATE_CHECK_ONLY)
        return TRUE;
    /* (VGM_SNAPSHOT_CREATE_REUSE_EXT: an internal snapshot has no
     * external image to reuse; libvirt takes the flag, as it does) */
    active = vgmDriverDomainIsActive(dom);
    running = dom->state == VGM_DOMAIN_STATE_RUNNING;
    if (active && dom->state != VGM_DOMAIN_STATE_RUNNING &&
        dom->state != VGM_DOMAIN_STATE_PAUSED) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is %2$s: a snapshot needs it running, paused or shut off"),
                    dom->name, _(vgmDomainStateTypeToString(dom->state)));
        return FALSE;
    }
    if (!snapDef->memory)
        snapDef->memory = active ? VGM_SNAPSHOT_LOCATION_INTERNAL : VGM_SNAPSHOT_LOCATION_NO;
    if (!active && snapDef->memory == VGM_SNAPSHOT_LOCATION_INTERNAL) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is shut off: its snapshot has no memory state to save"),
                    dom->name);
        return FALSE;
    }
    if (active && snapDef->memory == VGM_SNAPSHOT_LOCATION_NO) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("an internal snapshot of running domain '%1$s' holds its memory: <memory snapshot='no'/> would be a disk-only (external) snapshot"),
                    dom->name);
        return FALSE;
    }
    if (active && dom->def->os.loaderType == VGM_LOADER_TYPE_PFLASH) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("domain '%1$s' runs firmware from pflash, whose varstore cannot hold an internal snapshot of a running domain"),
                    dom->name);
        return FALSE;
    }
    if (!vgmSnapshotAlignDisks(dom->def, snapDef, active, error))
        return FALSE;
    /* without memory state, a disk must take it (as libvirt refuses a
     * snapshot of nothing) */
    if (snapDef->memory == VGM_SNAPSHOT_LOCATION_NO) {
        guint i;

        for (i = 0; i < snapDef->disks->len; i++) {
            const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);

            if (sd->snapshot == VGM_SNAPSHOT_LOCATION_INTERNAL)
                break;
        }
        if (i == snapDef->disks->len) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("snapshot '%1$s' of domain '%2$s' would hold nothing: the domain is shut off (no memory state) and no disk takes part"),
                        snapDef->name, dom->name);
            return FALSE;
        }
    }
    snapDef->creationTime = (long long)time(NULL);
    snapDef->state = !active ? VGM_SNAPSHOT_STATE_SHUTOFF :
                     running ? VGM_SNAPSHOT_STATE_RUNNING : VGM_SNAPSHOT_STATE_PAUSED;
    snapDef->parent = g_strdup(set->current);
    /* a running domain's live XML (the devices its saved state names),
     * and a persistent one's config then, as libvirt keeps them; a
     * shut-off domain's config */
    if (!(snapDef->domainXML = vgmSnapshotDomainXML(store, dom, active, error)))
        return FALSE;
    if (active && dom->persistent &&
        !(snapDef->inactiveXML = vgmDriverDomainFormatXML(store, dom, TRUE, error)))
        return FALSE;

    if (!active) {
        guint done = 0;

        if (!vgmSnapshotQemuImg(dom->def, snapDef, "-c", FALSE, &done, error)) {
            /* the disks done before lose it again */
            g_autoptr(VgmSnapshotDef) partial = NULL;

            partial = g_new0(VgmSnapshotDef, 1);
            partial->name = g_strdup(snapDef->name);
            partial->disks = g_ptr_array_new();
            for (guint i = 0; i < snapDef->disks->len && partial->disks->len < done; i++) {
                VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);

                if (sd->snapshot == VGM_SNAPSHOT_LOCATION_INTERNAL)
                    g_ptr_array_add(partial->disks, sd);
            }
            vgmSnapshotQemuImg(dom->def, partial, "-d", TRUE, NULL, NULL);
            g_ptr_array_set_size(partial->disks, 0);
            return FALSE;
        }
    } else {
        /* the guest paused while QEMU writes it, as libvirt does; a look
         * at the domain meanwhile reads it paused for a snapshot */
        vgmDriverStoreSetBusy(store, dom->name, "snapshot");
        if (!vgmDriverDomainJobMark(store, dom, "snapshot", running, NULL, error) ||
            !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
            (running && !vgmQemuMonitorCommand(mon, "stop", NULL, NULL, error))) {
            vgmDriverDomainJobUnmark(store, dom);
            vgmDriverStoreSetBusy(store, dom->name, NULL);
            return FALSE;
        }
        /* (libvirt reports the pause and the resume of a snapshot as
         * plain ones) */
        if (running)
            vgmSnapshotEvent(out, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED, dom->id);
        /* (as long as the guest's memory takes to write) */
        vgmQemuMonitorSetTimeout(mon, 0);
        if (!vgmSnapshotHMP(mon, "savevm", snapDef->name, &err)) {
            vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
            if (running && !vgmQemuMonitorCommand(mon, "cont", NULL, NULL, NULL))
                g_warning(_("domain '%1$s' stays paused after its snapshot failed"), dom->name);
            else if (running)
                vgmSnapshotEvent(out, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_UNPAUSED, dom->id);
            vgmDriverDomainJobUnmark(store, dom);
            vgmDriverStoreSetBusy(store, dom->name, NULL);
            g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
        if (flags & VGM_SNAPSHOT_CREATE_HALT) {
            g_clear_pointer(&mon, vgmQemuMonitorFree);
            vgmDriverStoreSetBusy(store, dom->name, NULL);
            if (!vgmDriverDomainCleanup(store, dom, error))
                return FALSE;
            vgmDriverStoreSetStopReason(store, dom->name, "from snapshot");
            vgmSnapshotEvent(out, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FROM_SNAPSHOT, dom->id);
        } else {
            if (running && !vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &err)) {
                g_warning(_("domain '%1$s' stays paused after its snapshot: %2$s"), dom->name,
                          err->message);
            } else if (running) {
                vgmSnapshotEvent(out, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_UNPAUSED, dom->id);
                /* running "unpaused" from now on, as after a resume (a
                 * status not saved keeps the old reason, nothing else) */
                if (g_strcmp0(dom->status->runReason, "unpaused") != 0) {
                    g_free(dom->status->runReason);
                    dom->status->runReason = g_strdup("unpaused");
                    vgmDriverStoreSaveStatus(store, dom->status, NULL);
                }
            }
            vgmDriverDomainJobUnmark(store, dom);
            vgmDriverStoreSetBusy(store, dom->name, NULL);
        }
    }
    if (!(flags & VGM_SNAPSHOT_CREATE_NO_METADATA) &&
        (!vgmSnapshotSave(store, dom->name, snapDef, error) ||
         !vgmSnapshotSetCurrent(store, dom->name, snapDef->name, error)))
        return FALSE;
    *snap = g_strdup(snapDef->name);
    return TRUE;
}

/* ---- reverting ---- */

static gboolean
vgmSnapshotHasMemory(const VgmSnapshotDef *def)
{
    return def->state == VGM_SNAPSHOT_STATE_RUNNING || def->state == VGM_SNAPSHOT_STATE_PAUSED;
}

/* The persistent definition of @name made the one @snapDef was taken of,
 * when it differs; *@changed says whether it did (a snapshot of a
 * transient domain holds its live XML, which is no definition) */
static gboolean
vgmSnapshotRestoreConfig(const VgmDriverStore *store, const char *name,
                         const VgmSnapshotDef *snapDef, gboolean *changed, GError **error)
{
    g_autoptr(VgmDriverConfig) cfg = NULL;
    g_autoptr(VgmDomainDef) defined = NULL;
    g_autofree char *now = NULL;
    g_autofree char *want = NULL;

    *changed = FALSE;
    if (!snapDef->domainXML || !vgmDriverStoreHasConfig(store, name))
        return TRUE;
    if ((cfg = vgmDriverStoreGetConfig(store, name, NULL)))
        now = vgmDriverStoreConfigXML(store, name, cfg, NULL);
    want = g_strdup(snapDef->inactiveXML ? snapDef->inactiveXML : snapDef->domainXML);
    /* the domain is its uuid: one renamed since the snapshot keeps its
     * name */
    {
        g_autoptr(VgmDomainDef) then = vgmDomainDefParseString(want, NULL,
                                                              VGM_DOMAIN_PARSE_SKIP_VALIDATE,
                                                              NULL);

        if (then && !g_str_equal(then->name, name)) {
            g_free(then->name);
            then->name = g_strdup(name);
            g_free(want);
            want = vgmDomainDefFormat(then);
        }
    }
    if (now && g_str_equal(g_strstrip(now), g_strstrip(want)))
        return TRUE;
    if (!(defined = vgmDriverDomainDefineXML(store, NULL, want, NULL, error))) {
        g_prefix_error(error, _("cannot restore the definition of snapshot '%1$s': "),
                       snapDef->name);
        return FALSE;
    }
    *changed = TRUE;
    return TRUE;
}

/* loadvm of @snap in running domain @name, left running or paused */
static gboolean
vgmSnapshotLoadVM(const VgmDriverStore *store, const char *name, const char *snap,
                  gboolean run, gboolean fresh, VgmDriverSnapshotOutcome *out, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    gboolean wasRunning;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)))
        return FALSE;
    wasRunning = dom->state == VGM_DOMAIN_STATE_RUNNING;
    /* (marked before the monitor is taken, which a look would otherwise
     * wait for) */
    vgmDriverStoreSetBusy(store, dom->name, "snapshot");
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        (wasRunning && !vgmQemuMonitorCommand(mon, "stop", NULL, NULL, error))) {
        vgmDriverStoreSetBusy(store, dom->name, NULL);
        return FALSE;
    }
    if (wasRunning)
        vgmSnapshotEvent(out, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_FROM_SNAPSHOT, dom->id);
    vgmQemuMonitorSetTimeout(mon, 0);
    if (!vgmSnapshotHMP(mon, "loadvm", snap, error)) {
        vgmDriverStoreSetBusy(store, dom->name, NULL);
        if (fresh) {
            /* a QEMU started for the snapshot that cannot load it ends */
            g_clear_pointer(&mon, vgmQemuMonitorFree);
            if (vgmDriverDomainCleanup(store, dom, NULL)) {
                vgmDriverStoreSetStopReason(store, dom->name, "failed");
                vgmSnapshotEvent(out, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FAILED, dom->id);
            }
        }
        return FALSE;
    }
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    /* running or paused "from snapshot", as libvirt says it */
    g_free(dom->status->runReason);
    dom->status->runReason = g_strdup("from snapshot");
    if (!vgmDriverStoreSaveStatus(store, dom->status, error))
        return FALSE;
    if (run) {
        if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, error))
            return FALSE;
        vgmSnapshotEvent(out, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_FROM_SNAPSHOT, dom->id);
    } else if (fresh || !wasRunning) {
        /* a domain left paused by a revert says so once more (a fresh
         * one's STARTED comes first) */
        vgmSnapshotEvent(out, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_FROM_SNAPSHOT, dom->id);
    }
    return TRUE;
}

/* Whether each disk internal snapshot @snapDef was taken in is still on
 * the image that holds it (an external snapshot may have put another
 * over it, into which QEMU's loadvm would not reach) */
static gboolean
vgmSnapshotOnItsImages(const VgmDriverDomain *dom, const VgmSnapshotDef *snapDef)
{
    g_autoptr(VgmDomainDef) then = NULL;

    if (!snapDef->domainXML ||
        !(then = vgmDomainDefParseString(snapDef->domainXML, NULL,
                                         VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                         NULL)))
        return TRUE;
    for (guint i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        const VgmDiskDef *was = vgmDriverFindDisk(then, sd->name);
        const VgmDiskDef *now = vgmDriverFindDisk(dom->def, sd->name);

        if (sd->snapshot == VGM_SNAPSHOT_LOCATION_INTERNAL && was && now &&
            g_strcmp0(was->src, now->src) != 0)
            return FALSE;
    }
    return TRUE;
}

/* Whether the image of each disk of @def that holds internal snapshot
 * @snapDef has it (qemu-img info, read while QEMU may have the image
 * open): the metadata of one whose delete was cut short can outlive it,
 * and a revert to it would end the running guest for nothing */
static gboolean
vgmSnapshotImagesHold(const VgmDomainDef *def, const VgmSnapshotDef *snapDef, GError **error)
{
    for (guint i = 0; i < snapDef->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(snapDef->disks, i);
        const VgmDiskDef *d = vgmDriverFindDisk(def, sd->name);
        const char *argv[] = { "qemu-img", "info", "-U", "--output=json", NULL, NULL };
        g_autofree char *out = NULL;
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonNode *root;
        JsonArray *snaps = NULL;
        gboolean found = FALSE;
        int status = 0;

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_INTERNAL || !d || !d->src || d->net)
            continue;
        argv[4] = d->src;
        /* (an image qemu-img cannot read is left to the revert to fail on) */
        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, &out, NULL, &status, NULL) ||
            !g_spawn_check_wait_status(status, NULL) ||
            !json_parser_load_from_data(parser, out, -1, NULL) ||
            !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
            continue;
        if (json_object_has_member(json_node_get_object(root), "snapshots"))
            snaps = json_object_get_array_member(json_node_get_object(root), "snapshots");
        for (guint k = 0; snaps && k < json_array_get_length(snaps) && !found; k++) {
            JsonNode *e = json_array_get_element(snaps, k);

            found = JSON_NODE_HOLDS_OBJECT(e) &&
                    g_strcmp0(json_object_get_string_member_with_default(json_node_get_object(e),
                                                                         "name", NULL),
                              snapDef->name) == 0;
        }
        if (!found) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("snapshot '%1$s' is not in the image '%2$s' of disk '%3$s' any more (its delete was cut short): delete its metadata (--metadata)"),
                        snapDef->name, d->src, sd->name);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDriverSnapshotRevert(const VgmDriverStore *store, const char *name, const char *snap,
                        unsigned int flags, VgmDriverSnapshotOutcome *out, GError **error)
{
    g_autoptr(VgmSnapshotSet) set = NULL;
    g_autoptr(VgmDomainDef) config = NULL;
    VgmSnapshotDef *snapDef;
    gboolean active, changed = FALSE, defined, run, moved;

    if ((flags & VGM_SNAPSHOT_REVERT_RUNNING) && (flags & VGM_SNAPSHOT_REVERT_PAUSED)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a revert cannot leave the domain both running and paused"));
        return FALSE;
    }
    if (flags & VGM_SNAPSHOT_REVERT_RESET_NVRAM) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("a revert does not reset the UEFI varstore in virt-gmem"));
        return FALSE;
    }
    {
        g_autoptr(VgmDriverLock) lock = NULL;
        g_autoptr(VgmDriverDomain) dom = NULL;

        if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)) ||
            !(set = vgmSnapshotSetLoad(store, dom->name, error)) ||
            !(snapDef = vgmSnapshotGet(set, dom->name, snap, error)))
            return FALSE;
        /* as libvirt 9.0 */
        if (vgmSnapshotDefIsExternal(snapDef)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("snapshot '%1$s' of domain '%2$s' is an external one, to which virt-gmem cannot revert"),
                        snapDef->name, dom->name);
            return FALSE;
        }
        if (!vgmDriverDomainFillDef(store, dom, error))
            return FALSE;
        active = vgmDriverDomainIsActive(dom);
        if (!active && vgmDriverSaveHasManaged(store, dom->name)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' has a managed save image: remove it (virsh managedsave-remove) before a revert"),
                        dom->name);
            return FALSE;
        }
        if (!active && !dom->persistent) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not defined"),
                        dom->name);
            return FALSE;
        }
        /* the disks go back with QEMU gone; so does a QEMU that no longer
         * runs on the images holding the snapshot (an external snapshot
         * put others over them): a fresh one loads it from the
         * definition the snapshot holds, as libvirt restarts QEMU */
        moved = !vgmSnapshotOnItsImages(dom, snapDef);
        if (!moved && dom->def && !vgmSnapshotImagesHold(dom->def, snapDef, error))
            return FALSE;
        if (moved && active && !dom->persistent) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("transient domain '%1$s' no longer runs on the images that hold snapshot '%2$s', and a new QEMU cannot be started for it"),
                        dom->name, snapDef->name);
            return FALSE;
        }
        /* a snapshot with the live XML of its run (libvirt's, and
         * virt-gmem's since 2026-12) starts a new QEMU from that XML, as
         * libvirt 9.0 reverts: the running one may have other devices
         * now (plugged or unplugged since), which the saved state would
         * not fit */
        if (!vgmSnapshotHasMemory(snapDef) || moved || (snapDef->inactiveXML && dom->persistent)) {
            if (active) {
                if (!vgmDriverDomainCleanup(store, dom, error))
                    return FALSE;
                vgmDriverStoreSetStopReason(store, dom->name, "from snapshot");
                vgmSnapshotEvent(out, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FROM_SNAPSHOT, dom->id);
                active = FALSE;
            }
        }
    }
    run = (flags & VGM_SNAPSHOT_REVERT_RUNNING) ||
          (snapDef->state == VGM_SNAPSHOT_STATE_RUNNING && !(flags & VGM_SNAPSHOT_REVERT_PAUSED));
    if (!vgmSnapshotRestoreConfig(store, name, snapDef, &changed, error))
        return FALSE;
    /* (as libvirtd 9.0: a persistent domain reverted to a snapshot that
     * holds its definition is DEFINED from snapshot, changed or not, once
     * the revert is done) */
    defined = changed || (snapDef->domainXML && vgmDriverStoreHasConfig(store, name));

    if (vgmSnapshotHasMemory(snapDef)) {
        gboolean fresh = !active;

        if (fresh) {
            g_autoptr(VgmDriverDomain) started = NULL;

            if (!(started = snapDef->inactiveXML ?
                            vgmDriverDomainStartLiveXML(store, name, snapDef->domainXML,
                                                        VGM_DRIVER_START_PAUSED, error) :
                            vgmDriverDomainStart(store, name, VGM_DRIVER_START_PAUSED, error)))
                return FALSE;
            out->started = TRUE;
            vgmSnapshotEvent(out, VGM_EVENT_STARTED, VGM_EVENT_STARTED_FROM_SNAPSHOT, started->id);
        }
        if (!vgmSnapshotLoadVM(store, name, snapDef->name, run, fresh, out, error))
            return FALSE;
    } else {
        g_autoptr(VgmDriverLock) lock = NULL;
        g_autoptr(VgmDriverDomain) dom = NULL;

        if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)))
            return FALSE;
        if (vgmDriverDomainIsActive(dom)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' was started while its revert ran"), dom->name);
            return FALSE;
        }
        /* (a start asked for checks the stored definition first, as the
         * start would, before any image changes) */
        if (!(config = vgmDriverStoreLoadConfig(store, name, error)) ||
            ((flags & (VGM_SNAPSHOT_REVERT_RUNNING | VGM_SNAPSHOT_REVERT_PAUSED)) &&
             !vgmDomainDefValidate(config, error)) ||
            !vgmSnapshotQemuImg(config, snapDef, "-a", FALSE, NULL, error))
            return FALSE;
        g_clear_pointer(&lock, vgmDriverLockRelease);
        if (flags & (VGM_SNAPSHOT_REVERT_RUNNING | VGM_SNAPSHOT_REVERT_PAUSED)) {
            g_autoptr(VgmDriverDomain) started = NULL;
            gboolean paused = (flags & VGM_SNAPSHOT_REVERT_PAUSED) != 0;

            if (!(started = vgmDriverDomainStart(store, name,
                                                 paused ? VGM_DRIVER_START_PAUSED : 0,
                                                 error)))
                return FALSE;
            out->started = TRUE;
            vgmSnapshotEvent(out, VGM_EVENT_STARTED, VGM_EVENT_STARTED_FROM_SNAPSHOT, started->id);
            vgmSnapshotEvent(out, paused ? VGM_EVENT_SUSPENDED : VGM_EVENT_RESUMED,
                             paused ? VGM_EVENT_SUSPENDED_FROM_SNAPSHOT :
                                      VGM_EVENT_RESUMED_FROM_SNAPSHOT, started->id);
        }
    }
    if (!vgmSnapshotSetCurrent(store, name, snapDef->name, error))
        return FALSE;
    if (defined)
        vgmSnapshotEvent(out, VGM_EVENT_DEFINED, VGM_EVENT_DEFINED_FROM_SNAPSHOT, -1);
    return TRUE;
}

/* ---- deleting ---- */

/* Whether @def is @anc or below it */
static gboolean
vgmSnapshotIsBelow(const VgmSnapshotSet *set, const VgmSnapshotDef *def, const char *anc)
{
    for (const char *p = def->parent; p;) {
        const VgmSnapshotDef *up;

        if (g_str_equal(p, anc))
            return TRUE;
        if (!(up = vgmSnapshotFind(set, p)))
            break;
        p = up->parent;
    }
    return FALSE;
}

gboolean
vgmDriverSnapshotDelete(const VgmDriverStore *store, const char *name, const char *snap,
                        unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmSnapshotSet) set = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(VgmDomainDef) config = NULL;
    g_autoptr(GPtrArray) doomed = g_ptr_array_new();
    const VgmSnapshotDef *target;
    const char *newCurrent;
    gboolean children = (flags & (VGM_SNAPSHOT_DELETE_CHILDREN |
                                  VGM_SNAPSHOT_DELETE_CHILDREN_ONLY)) != 0;

    if ((flags & VGM_SNAPSHOT_DELETE_CHILDREN) && (flags & VGM_SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a delete takes a snapshot with its children or its children only, not both"));
        return FALSE;
    }
    if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)) ||
        !(set = vgmSnapshotSetLoad(store, dom->name, error)) ||
        !(target = vgmSnapshotGet(set, dom->name, snap, error)))
        return FALSE;
    /* the descendants first, the deepest before their parents */
    for (guint i = set->snaps->len; i-- > 0;) {
        const VgmSnapshotDef *def = g_ptr_array_index(set->snaps, i);

        if (children && vgmSnapshotIsBelow(set, def, target->name))
            g_ptr_array_add(doomed, (gpointer)def);
    }
    if (!(flags & VGM_SNAPSHOT_DELETE_CHILDREN_ONLY))
        g_ptr_array_add(doomed, (gpointer)target);
    /* an external snapshot's images are merged before (the caller's
     * vgmDriverSnapshotMerges); here only its metadata goes */
    for (guint i = 0; i < doomed->len && !(flags & VGM_SNAPSHOT_DELETE_METADATA_ONLY); i++) {
        const VgmSnapshotDef *def = g_ptr_array_index(doomed, i);

        if (vgmSnapshotDefIsExternal(def) && def != target) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("snapshot '%1$s' of domain '%2$s' is an external one: the images of a deleted snapshot's external children are not merged (delete them first, or the metadata only with --metadata)"),
                        def->name, dom->name);
            return FALSE;
        }
    }
    if (!(flags & VGM_SNAPSHOT_DELETE_METADATA_ONLY)) {
        if (vgmDriverDomainIsActive(dom)) {
            if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
                return FALSE;
            vgmQemuMonitorSetTimeout(mon, 0);
        } else if (dom->persistent &&
                   !(config = vgmDriverStoreLoadConfig(store, dom->name, error))) {
            return FALSE;
        }
    }
    newCurrent = set->current;
    for (guint i = 0; i < doomed->len; i++) {
        const VgmSnapshotDef *def = g_ptr_array_index(doomed, i);
        g_autofree char *path = vgmSnapshotPath(store, dom->name, def->name);

        /* as libvirt: an image that lacks it is a warning, not a failure
         * (an external snapshot's images were merged before) */
        if (mon && !vgmSnapshotDefIsExternal(def)) {
            g_autoptr(GError) delErr = NULL;

            if (!vgmSnapshotHMP(mon, "delvm", def->name, &delErr))
                g_warning("%s", delErr->message);
        }
        if (config && !vgmSnapshotDefIsExternal(def))
            vgmSnapshotQemuImg(config, def, "-d", TRUE, NULL, NULL);
        /* its children go to its parent */
        for (guint j = 0; j < set->snaps->len; j++) {
            VgmSnapshotDef *child = g_ptr_array_index(set->snaps, j);

            if (g_strcmp0(child->parent, def->name) != 0 ||
                g_ptr_array_find(doomed, child, NULL))
                continue;
            g_free(child->parent);
            child->parent = g_strdup(def->parent);
            if (!vgmSnapshotSave(store, dom->name, child, error))
                return FALSE;
        }
        /* as libvirt: the parent of a current snapshot deleted is current */
        if (g_strcmp0(newCurrent, def->name) == 0)
            newCurrent = def->parent;
        if (g_unlink(path) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
            return FALSE;
        }
    }
    if (g_strcmp0(newCurrent, set->current) != 0)
        return vgmSnapshotSetCurrent(store, dom->name, newCurrent, error);
    return TRUE;
}

/* ---- deleting an external snapshot: its images merged ---- */

void
vgmDriverSnapshotMergeFree(VgmDriverSnapshotMerge *m)
{
    if (!m)
        return;
    g_free(m->dst);
    g_free(m->overlay);
    g_free(m->base);
    g_free(m->baseFormat);
    g_free(m);
}

/* The image below @image (its backing file, resolved) and that one's
 * format when the image records it (else NULL), as qemu-img reads them
 * (-U: QEMU may hold it) */
static gboolean
vgmSnapshotImageBelow(const char *image, char **below, char **format, GError **error)
{
    const char *argv[] = { "qemu-img", "info", "-U", "--output=json", image, NULL };
    g_autofree char *out = NULL;
    g_autofree char *errText = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonObject *o;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CLOEXEC_PIPES,
                      NULL, NULL, &out, &errText, &status, &err) ||
        !g_spawn_check_wait_status(status, NULL) ||
        !json_parser_load_from_data(parser, out, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("cannot read image '%1$s': %2$s"), image,
                    err ? err->message : errText && *g_strstrip(errText) ? errText
                                                                         : _("qemu-img failed"));
        return FALSE;
    }
    o = json_node_get_object(json_parser_get_root(parser));
    *below = g_strdup(json_object_get_string_member_with_default(o, "full-backing-filename", NULL));
    *format = g_strdup(json_object_get_string_member_with_default(o, "backing-filename-format",
                                                                  NULL));
    if (!*below) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("image '%1$s' has no backing image to merge it into"), image);
        return FALSE;
    }
    return TRUE;
}

GPtrArray *
vgmDriverSnapshotMerges(const VgmDriverStore *store, const char *name, const char *snap,
                        unsigned int flags, gboolean *active, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmSnapshotSet) set = NULL;
    g_autoptr(VgmDomainDef) then = NULL;
    g_autoptr(GPtrArray) merges = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverSnapshotMergeFree);
    const VgmSnapshotDef *def, *parent;

    if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)) ||
        !vgmDriverDomainFillDef(store, dom, error) ||
        !(set = vgmSnapshotSetLoad(store, dom->name, error)) ||
        !(def = vgmSnapshotGet(set, dom->name, snap, error)))
        return NULL;
    *active = vgmDriverDomainIsActive(dom);
    if ((flags & VGM_SNAPSHOT_DELETE_METADATA_ONLY) || !vgmSnapshotDefIsExternal(def))
        return g_steal_pointer(&merges);
    /* libvirt 9.0's limits */
    if (flags & (VGM_SNAPSHOT_DELETE_CHILDREN | VGM_SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the images of external snapshot '%1$s' of domain '%2$s' are not merged with its children's (delete them one by one, or the metadata only with --metadata)"),
                    def->name, dom->name);
        return NULL;
    }
    if (vgmSnapshotHasChildren(set, def)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("external snapshot '%1$s' of domain '%2$s' has children: its images cannot be merged (delete its children first, or its metadata only with --metadata)"),
                    def->name, dom->name);
        return NULL;
    }
    if (def->parent && (parent = vgmSnapshotFind(set, def->parent)) &&
        !vgmSnapshotDefIsExternal(parent)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("external snapshot '%1$s' of domain '%2$s' is below internal snapshot '%3$s': its images cannot be merged (delete its metadata only with --metadata)"),
                    def->name, dom->name, parent->name);
        return NULL;
    }
    /* (a restore would run the guest on images the merge changes) */
    if (!*active && vgmDriverSaveHasManaged(store, dom->name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' has a managed save image: start it or remove the image (virsh managedsave-remove) before its snapshot's images are merged"),
                    dom->name);
        return NULL;
    }
    if (def->domainXML &&
        !(then = vgmDomainDefParseString(def->domainXML, NULL,
                                         VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                         error)))
        return NULL;
    for (guint i = 0; i < def->disks->len; i++) {
        const VgmSnapshotDiskDef *sd = g_ptr_array_index(def->disks, i);
        const VgmDiskDef *d = vgmDriverFindDisk(dom->def, sd->name);
        const VgmDiskDef *was = then ? vgmDriverFindDisk(then, sd->name) : NULL;
        g_autoptr(VgmDriverSnapshotMerge) m = NULL;
        struct stat st;

        if (sd->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL)
            continue;
        if (!d || !sd->file) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        !d ? _("domain '%1$s' no longer has disk '%2$s' of snapshot '%3$s'")
                           : _("disk '%2$s' of snapshot '%3$s' of domain '%1$s' names no image"),
                        dom->name, sd->name, def->name);
            return NULL;
        }
        /* merged by a delete that failed after it: nothing left to do */
        if (g_strcmp0(d->src, sd->file) != 0 && stat(sd->file, &st) < 0 && errno == ENOENT)
            continue;
        m = g_new0(VgmDriverSnapshotMerge, 1);
        m->dst = g_strdup(d->dst);
        m->overlay = g_strdup(sd->file);
        m->regular = stat(sd->file, &st) == 0 && S_ISREG(st.st_mode);
        m->top = g_strcmp0(d->src, sd->file) == 0;
        if (!m->top && !*active) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("disk '%1$s' of shut-off domain '%2$s' is no longer on image '%3$s' of snapshot '%4$s': only the disk's top image is merged while the domain is shut off"),
                        d->dst, dom->name, sd->file, def->name);
            return NULL;
        }
        if (!vgmSnapshotImageBelow(sd->file, &m->base, &m->baseFormat, error))
            return NULL;
        /* (as libvirt: the image below is the one the snapshot was taken
         * of) */
        if (was && was->src && g_strcmp0(was->src, m->base) != 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("image '%1$s' of snapshot '%2$s' is over '%3$s', not over the image of disk '%4$s' it was taken of ('%5$s')"),
                        sd->file, def->name, m->base, d->dst, was->src);
            return NULL;
        }
        if (!m->baseFormat)
            m->baseFormat = g_strdup(was && was->driverType ? was->driverType : "raw");
        g_ptr_array_add(merges, g_steal_pointer(&m));
    }
    return g_steal_pointer(&merges);
}

/* The config's disk @m->dst on @m->overlay moved back onto the image
 * below it */
static gboolean
vgmSnapshotUnmoveDisk(VgmDomainDef *def, const VgmDriverSnapshotMerge *m)
{
    VgmDiskDef *d = (VgmDiskDef *)vgmDriverFindDisk(def, m->dst);
    struct stat st;

    if (!d || g_strcmp0(d->dst, m->dst) != 0 || g_strcmp0(d->src, m->overlay) != 0)
        return FALSE;
    if (d->backing && d->backing->len > 0 &&
        g_strcmp0(((VgmDiskBackingLayer *)g_ptr_array_index(d->backing, 0))->path, m->base) == 0)
        g_ptr_array_remove_index(d->backing, 0);
    g_free(d->src);
    d->src = g_strdup(m->base);
    g_free(d->driverType);
    d->driverType = g_strdup(m->baseFormat);
    d->type = stat(m->base, &st) == 0 && S_ISBLK(st.st_mode) ? VGM_DISK_TYPE_BLOCK
                                                              : VGM_DISK_TYPE_FILE;
    return TRUE;
}

void
vgmDriverSnapshotMergeDone(const VgmDriverSnapshotMerge *m)
{
    /* (a block device stays: only an image file goes) */
    if (m->regular && g_unlink(m->overlay) < 0 && errno != ENOENT)
        g_warning(_("cannot remove image '%1$s' of a deleted snapshot: %2$s"), m->overlay,
                  g_strerror(errno));
}

gboolean
vgmDriverSnapshotMergeOffline(const VgmDriverStore *store, const char *name, GPtrArray *merges,
                              GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) cfg = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)))
        return FALSE;
    if (vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' was started while its snapshot's delete ran"), dom->name);
        return FALSE;
    }
    if (!(cfg = vgmDriverStoreLoadConfig(store, dom->name, error)))
        return FALSE;
    for (guint i = 0; i < merges->len; i++) {
        const VgmDriverSnapshotMerge *m = g_ptr_array_index(merges, i);
        const char *argv[] = { "qemu-img", "commit", "-q", m->overlay, NULL };
        g_autoptr(GError) err = NULL;

        /* the config must still have the disk on the image, else nothing
         * is merged */
        if (!vgmSnapshotUnmoveDisk(cfg, m)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("disk '%1$s' of domain '%2$s' is no longer on image '%3$s'"), m->dst,
                        dom->name, m->overlay);
            return FALSE;
        }
        if (!vgmDriverNetRun(argv, &err)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot merge image '%1$s' of disk '%2$s' into '%3$s': %4$s"),
                        m->overlay, m->dst, m->base, err->message);
            return FALSE;
        }
        /* the config, written before the image goes: a crash between
         * leaves an unused file, never a disk on a missing one */
        if (!vgmDriverStoreSaveConfig(store, cfg, error))
            return FALSE;
        vgmDriverSnapshotMergeDone(m);
    }
    return TRUE;
}

/* ---- looking ---- */

gboolean
vgmDriverSnapshotLookup(const VgmDriverStore *store, const char *name, const char *snap,
                        GError **error)
{
    g_autoptr(VgmSnapshotSet) set = vgmSnapshotSetLoad(store, name, error);

    return set && vgmSnapshotGet(set, name, snap, error);
}

char *
vgmDriverSnapshotGetXML(const VgmDriverStore *store, const char *name, const char *snap,
                        gboolean secure, GError **error)
{
    g_autoptr(VgmSnapshotSet) set = vgmSnapshotSetLoad(store, name, error);
    VgmSnapshotDef *def;

    if (!set || !(def = vgmSnapshotGet(set, name, snap, error)))
        return NULL;
    /* the domain's graphics passwords only when asked for */
    for (size_t k = 0; !secure && k < 2; k++) {
        char **field = k == 0 ? &def->domainXML : &def->inactiveXML;
        char *hidden = *field ? vgmDomainXMLHideSecrets(*field) : NULL;

        if (hidden) {
            g_free(*field);
            *field = hidden;
        }
    }
    return vgmSnapshotDefFormat(def);
}

/* Whether @def passes @flags' filters (libvirt's groups: within one,
 * any; none of a group given, all) */
static gboolean
vgmSnapshotMatches(const VgmSnapshotSet *set, const VgmSnapshotDef *def, unsigned int flags)
{
    unsigned int leaves = flags & (VGM_SNAPSHOT_LIST_LEAVES | VGM_SNAPSHOT_LIST_NO_LEAVES);
    unsigned int meta = flags & (VGM_SNAPSHOT_LIST_METADATA | VGM_SNAPSHOT_LIST_NO_METADATA);
    unsigned int states = flags & (VGM_SNAPSHOT_LIST_INACTIVE | VGM_SNAPSHOT_LIST_ACTIVE |
                                   VGM_SNAPSHOT_LIST_DISK_ONLY);
    unsigned int where = flags & (VGM_SNAPSHOT_LIST_INTERNAL | VGM_SNAPSHOT_LIST_EXTERNAL);

    if (leaves && leaves != (VGM_SNAPSHOT_LIST_LEAVES | VGM_SNAPSHOT_LIST_NO_LEAVES) &&
        !!(leaves & VGM_SNAPSHOT_LIST_LEAVES) == vgmSnapshotHasChildren(set, def))
        return FALSE;
    /* every snapshot here has metadata */
    if (meta && !(meta & VGM_SNAPSHOT_LIST_METADATA))
        return FALSE;
    if (states) {
        gboolean ok = FALSE;

        if (def->state == VGM_SNAPSHOT_STATE_SHUTOFF)
            ok = (states & VGM_SNAPSHOT_LIST_INACTIVE) != 0;
        else if (def->state == VGM_SNAPSHOT_STATE_DISK_SNAPSHOT)
            ok = (states & VGM_SNAPSHOT_LIST_DISK_ONLY) != 0;
        else
            ok = (states & VGM_SNAPSHOT_LIST_ACTIVE) != 0;
        if (!ok)
            return FALSE;
    }
    if (where && !(where & (vgmSnapshotDefIsExternal(def) ? VGM_SNAPSHOT_LIST_EXTERNAL
                                                           : VGM_SNAPSHOT_LIST_INTERNAL)))
        return FALSE;
    return TRUE;
}

GPtrArray *
vgmDriverSnapshotList(const VgmDriverStore *store, const char *name, const char *from,
                      unsigned int flags, GError **error)
{
    g_autoptr(VgmSnapshotSet) set = vgmSnapshotSetLoad(store, name, error);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const VgmSnapshotDef *base = NULL;

    if (!set || (from && !(base = vgmSnapshotGet(set, name, from, error))))
        return NULL;
    for (guint i = 0; i < set->snaps->len; i++) {
        const VgmSnapshotDef *def = g_ptr_array_index(set->snaps, i);

        if (base) {
            if (flags & VGM_SNAPSHOT_LIST_DESCENDANTS ? !vgmSnapshotIsBelow(set, def, base->name) :
                                                       g_strcmp0(def->parent, base->name) != 0)
                continue;
        } else if ((flags & VGM_SNAPSHOT_LIST_ROOTS) && def->parent) {
            continue;
        }
        if (vgmSnapshotMatches(set, def, flags))
            g_ptr_array_add(names, g_strdup(def->name));
    }
    return g_steal_pointer(&names);
}

char *
vgmDriverSnapshotCurrent(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autoptr(VgmSnapshotSet) set = vgmSnapshotSetLoad(store, name, error);

    return set ? g_steal_pointer(&set->current) : NULL;
}

char *
vgmDriverSnapshotParent(const VgmDriverStore *store, const char *name, const char *snap,
                        GError **error)
{
    g_autoptr(VgmSnapshotSet) set = vgmSnapshotSetLoad(store, name, error);
    const VgmSnapshotDef *def;

    if (!set || !(def = vgmSnapshotGet(set, name, snap, error)))
        return NULL;
    if (!def->parent) {
        vgmErrorSet(error, VGM_ERR_NO_DOMAIN_SNAPSHOT,
                    _("snapshot '%1$s' of domain '%2$s' has no parent"), snap, name);
        return NULL;
    }
    return g_strdup(def->parent);
}

guint
vgmDriverSnapshotCount(const VgmDriverStore *store, const char *name)
{
    g_autoptr(VgmSnapshotSet) set = vgmSnapshotSetLoad(store, name, NULL);

    return set ? set->snaps->len : 0;
}

gboolean
vgmDriverSnapshotRemoveAll(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autofree char *dir = vgmSnapshotDir(store, name);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    if (!d)
        return TRUE;
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);

        if (g_unlink(path) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
            return FALSE;
        }
    }
    if (g_rmdir(dir) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), dir);
        return FALSE;
    }
    return TRUE;
}
