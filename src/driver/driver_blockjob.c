/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_blockjob.c: libvirt's block calls on a running domain's disks.
 *
 * A copy job (virDomainBlockRebase with VIR_DOMAIN_BLOCK_REBASE_COPY, which
 * Nova's live snapshot starts, and virDomainBlockCopy, virsh blockcopy) is
 * QEMU's drive-mirror of the disk's top node into the destination; its
 * progress (virDomainGetBlockJobInfo) is query-block-jobs'; its end
 * (virDomainBlockJobAbort) is block-job-cancel, which leaves the copy as
 * the disk was at that moment, or block-job-complete, which pivots the
 * disk onto the copy (the live XML then names the copy).
 *
 * A pull (virDomainBlockPull, virDomainBlockRebase without COPY) is
 * QEMU's block-stream of the images above a base into the disk's top; a
 * commit (virDomainBlockCommit) is block-commit of the images from a top
 * down to a base into the base; a commit of the disk's top itself (an
 * active commit) becomes ready like a copy and ends with the disk on its
 * base when pivoted. The images are named as libvirt names them: by path,
 * or by the name the image above records. The chain these work on is
 * QEMU's (query-block), so a chain read from the images' own headers and
 * one given as <backingStore> are alike; when a job has taken images out
 * of the chain, the live XML's <backingStore> (and the config's, when it
 * describes the same disk) follows what QEMU has.
 *
 * The jobs live in QEMU only, each named after its kind and its disk
 * ("vgm-copy-vda", "vgm-pull-vda"), so the embedded driver and the daemon
 * see the same jobs and a daemon restart loses none. virDomainBlockResize
 * is block_resize; virDomainGetBlockInfo reads QEMU's view of a running
 * disk and the image of a shut-off one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include <glib/gstdio.h>

#include "driver_conn.h"
#include "driver_disk.h"
#include "driver_domain.h"
#include "driver_process.h"
#include "driver_storage.h"
#include "qemu/qemu_command.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

/* How long an end of a job is waited for, and how often it is looked at */
#define VGM_BLOCK_JOB_END_WAIT_MS (60 * 1000)
#define VGM_BLOCK_JOB_END_POLL_MS 50

/* virDomainBlockJobType */
enum {
    VGM_BLOCK_JOB_TYPE_PULL = 1,
    VGM_BLOCK_JOB_TYPE_COPY = 2,
    VGM_BLOCK_JOB_TYPE_COMMIT = 3,
    VGM_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4,
};

/* The driver's jobs: QEMU's job id is the kind's prefix and the disk's
 * target (which has no '-'), the kind libvirt's job type */
static const struct {
    const char *prefix;
    int type;
} vgmBlockJobKinds[] = {
    { "vgm-copy-", VGM_BLOCK_JOB_TYPE_COPY },
    { "vgm-pull-", VGM_BLOCK_JOB_TYPE_PULL },
    { "vgm-commit-", VGM_BLOCK_JOB_TYPE_COMMIT },
    { "vgm-active-commit-", VGM_BLOCK_JOB_TYPE_ACTIVE_COMMIT },
};

/* libvirt's type of the driver's job @id and the target of its disk
 * (*@dst, within @id); 0 for a job that is not the driver's */
static int
vgmBlockJobKindOf(const char *id, const char **dst)
{
    guint i;

    for (i = 0; id && i < G_N_ELEMENTS(vgmBlockJobKinds); i++) {
        if (g_str_has_prefix(id, vgmBlockJobKinds[i].prefix) &&
            id[strlen(vgmBlockJobKinds[i].prefix)] != '\0') {
            *dst = id + strlen(vgmBlockJobKinds[i].prefix);
            return vgmBlockJobKinds[i].type;
        }
    }
    return 0;
}

/* QEMU's id of a job of libvirt's @type on disk @dst */
static char *
vgmBlockJobIdFor(int type, const char *dst)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(vgmBlockJobKinds); i++) {
        if (vgmBlockJobKinds[i].type == type)
            return g_strconcat(vgmBlockJobKinds[i].prefix, dst, NULL);
    }
    g_return_val_if_reached(NULL);
}

/* virDomainBlockRebaseFlags, virDomainBlockCopyFlags and the others */
#define VGM_BLOCK_REBASE_SHALLOW (1u << 0)
#define VGM_BLOCK_REBASE_REUSE_EXT (1u << 1)
#define VGM_BLOCK_REBASE_COPY_RAW (1u << 2)
#define VGM_BLOCK_REBASE_COPY (1u << 3)
#define VGM_BLOCK_REBASE_RELATIVE (1u << 4)
#define VGM_BLOCK_REBASE_COPY_DEV (1u << 5)
#define VGM_BLOCK_REBASE_BANDWIDTH_BYTES (1u << 6)
#define VGM_BLOCK_COPY_SHALLOW (1u << 0)
#define VGM_BLOCK_COPY_REUSE_EXT (1u << 1)
#define VGM_BLOCK_COPY_TRANSIENT_JOB (1u << 2)
#define VGM_BLOCK_COPY_SYNCHRONOUS_WRITES (1u << 3)
#define VGM_BLOCK_JOB_ABORT_ASYNC (1u << 0)
#define VGM_BLOCK_JOB_ABORT_PIVOT (1u << 1)
#define VGM_BLOCK_JOB_INFO_BANDWIDTH_BYTES (1u << 0)
#define VGM_BLOCK_JOB_SPEED_BANDWIDTH_BYTES (1u << 0)
#define VGM_BLOCK_RESIZE_BYTES (1u << 0)
#define VGM_BLOCK_COMMIT_SHALLOW (1u << 0)
#define VGM_BLOCK_COMMIT_DELETE (1u << 1)
#define VGM_BLOCK_COMMIT_ACTIVE (1u << 2)
#define VGM_BLOCK_COMMIT_RELATIVE (1u << 3)
#define VGM_BLOCK_COMMIT_BANDWIDTH_BYTES (1u << 4)

/* One image of a running disk's chain as QEMU has it */
typedef struct {
    char *file;                 /* its file (QEMU's name of it, or the file
                                 * QEMU's json: name holds) */
    char *node;                 /* QEMU's node of it; NULL: not known */
    char *storage;              /* the node its data is stored on (the
                                 * node's "file" child); NULL: not known */
    char *format;
    char *backingRaw;           /* the name of the image below as this one
                                 * records it; NULL: none */
} VgmBlockImage;

static void
vgmBlockImageFree(VgmBlockImage *i)
{
    g_free(i->file);
    g_free(i->node);
    g_free(i->storage);
    g_free(i->format);
    g_free(i->backingRaw);
    g_free(i);
}

/* A running disk as QEMU has it (query-block) */
typedef struct {
    char *device;               /* the node its device reads: the top's,
                                 * or a filter's over it (copy-on-read) */
    char *node;                 /* the top image's format node */
    char *file;                 /* its image's file name */
    char *format;               /* its format driver */
    guint64 virtualSize;
    gint64 actualSize;          /* -1: not known */
    GPtrArray *chain;           /* VgmBlockImage: the top's image first */
} VgmBlockNode;

static void
vgmBlockNodeClear(VgmBlockNode *n)
{
    g_free(n->device);
    g_free(n->node);
    g_free(n->file);
    g_free(n->format);
    g_clear_pointer(&n->chain, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmBlockNode, vgmBlockNodeClear)

/* What happens to a disk's live <mirror> (libvirt's, which Nova reads to
 * see a copy is ready). Each is a compare-and-set on the live XML as it
 * is when changed: a job starts only where none is, becomes ready or ends
 * only where the same destination's is. */
typedef enum {
    VGM_BLOCK_MIRROR_START,
    VGM_BLOCK_MIRROR_READY,
    VGM_BLOCK_MIRROR_END,
} VgmBlockMirrorOp;

typedef struct {
    VgmBlockMirrorOp op;
    const char *dst;
    const char *file;           /* the destination */
    const char *format;         /* START */
    gboolean block;             /* START */
    gboolean commit;            /* START: an active commit's, not a copy's */
} VgmBlockMirror;

/* Disk @d has no copy job any more */
static void
vgmBlockMirrorClear(VgmDiskDef *d)
{
    g_clear_pointer(&d->mirrorFile, g_free);
    g_clear_pointer(&d->mirrorFormat, g_free);
    d->mirrorReady = d->mirrorBlock = d->mirrorCommit = FALSE;
}

static gboolean
vgmBlockMirrorChange(VgmDomainDef *def, gconstpointer data)
{
    const VgmBlockMirror *m = data;
    VgmDiskDef *d = (VgmDiskDef *)vgmDriverFindDisk(def, m->dst);

    if (!d)
        return FALSE;
    if (m->op == VGM_BLOCK_MIRROR_START) {
        if (d->mirrorFile)
            return FALSE;
        d->mirrorFile = g_strdup(m->file);
        d->mirrorFormat = g_strdup(m->format);
        d->mirrorBlock = m->block;
        d->mirrorCommit = m->commit;
        d->mirrorReady = FALSE;
        return TRUE;
    }
    if (!d->mirrorFile || g_strcmp0(d->mirrorFile, m->file) != 0)
        return FALSE;
    if (m->op == VGM_BLOCK_MIRROR_READY) {
        if (d->mirrorReady)
            return FALSE;
        d->mirrorReady = TRUE;
        return TRUE;
    }
    vgmBlockMirrorClear(d);
    return TRUE;
}

static gboolean
vgmBlockMirrorSet(VgmDriver *drv, const VgmDriverDomain *dom, const VgmBlockMirror *m,
                  GError **error)
{
    return vgmDriverChangeLive(drv, dom->name, dom->status->qemu.pid, vgmBlockMirrorChange, m,
                               error);
}

/* The <mirror> of disk @d follows its QEMU job @job (NULL: none any more);
 * a failure is only logged, as the job itself is what it is */
static void
vgmBlockMirrorFollow(VgmDriver *drv, const VgmDriverDomain *dom, const VgmDiskDef *d,
                     JsonObject *job)
{
    VgmBlockMirror m = { VGM_BLOCK_MIRROR_END, d->dst, d->mirrorFile, NULL, FALSE, FALSE };
    g_autoptr(GError) err = NULL;

    if (!d->mirrorFile)
        return;
    if (job) {
        if (d->mirrorReady || !json_object_get_boolean_member_with_default(job, "ready", FALSE))
            return;
        m.op = VGM_BLOCK_MIRROR_READY;
    }
    if (!vgmBlockMirrorSet(drv, dom, &m, &err))
        g_warning(_("domain '%1$s': the copy job of disk '%2$s' moved on, but its live XML cannot say so: %3$s"),
                  dom->name, d->dst, err->message);
}

/* Sets of keys the block jobs and write thresholds remember, in the
 * daemon's memory */
G_LOCK_DEFINE_STATIC(vgmBlockMarks);

/* Adds @key to *@set (@on) or takes it away */
static void
vgmBlockMark(GHashTable **set, char *key, gboolean on)
{
    g_autofree char *k = key;

    G_LOCK(vgmBlockMarks);
    if (!*set)
        *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (on)
        g_hash_table_add(*set, g_steal_pointer(&k));
    else
        g_hash_table_remove(*set, k);
    G_UNLOCK(vgmBlockMarks);
}

/* Whether *@set had @key, which it no longer has */
static gboolean
vgmBlockMarkTake(GHashTable **set, char *key)
{
    g_autofree char *k = key;
    gboolean was;

    G_LOCK(vgmBlockMarks);
    was = *set && g_hash_table_remove(*set, k);
    G_UNLOCK(vgmBlockMarks);
    return was;
}

/* The copies being ended by a cancel ("NAME/DST"), whose COMPLETED event
 * is libvirt's CANCELED */
static GHashTable *vgmBlockCancelling;

static void
vgmBlockCancellingMark(const char *name, const char *dst, gboolean on)
{
    vgmBlockMark(&vgmBlockCancelling, g_strdup_printf("%s/%s", name, dst), on);
}

static gboolean
vgmBlockCancellingTake(const char *name, const char *dst)
{
    return vgmBlockMarkTake(&vgmBlockCancelling, g_strdup_printf("%s/%s", name, dst));
}

/* The write thresholds set by an image's number (libvirt's vda[N]), by
 * "NAME/PID/NODE" of the node QEMU watches: their event names the image
 * by its number only, as libvirt's. A daemon restarted before the event
 * raises it by the target too. */
static GHashTable *vgmBlockThresholdIndexed;

/* The images a commit with VIR_DOMAIN_BLOCK_COMMIT_DELETE empties, by
 * "NAME/PID/DST" (a QEMU of the domain, which a later one's jobs do not
 * see): removed once QEMU's chain no longer has them (the commit
 * completed), forgotten when the job ends otherwise or another begins.
 * Kept in memory only: a daemon restarted during such a commit leaves the
 * images where they are. */
static GHashTable *vgmBlockDeleting;
G_LOCK_DEFINE_STATIC(vgmBlockDeleting);

/* Records @files (char *) as what the job of disk @dst of domain @name
 * (QEMU @pid) deletes once it completes; NULL: nothing */
static void
vgmBlockDeletingMark(const char *name, pid_t pid, const char *dst, GPtrArray *files)
{
    g_autofree char *key = g_strdup_printf("%s/%d/%s", name, (int)pid, dst);

    G_LOCK(vgmBlockDeleting);
    if (!vgmBlockDeleting)
        vgmBlockDeleting = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify)g_ptr_array_unref);
    if (files)
        g_hash_table_replace(vgmBlockDeleting, g_steal_pointer(&key), g_ptr_array_ref(files));
    else
        g_hash_table_remove(vgmBlockDeleting, key);
    G_UNLOCK(vgmBlockDeleting);
}

/* The job of disk @dst of domain @name (QEMU @pid) ended with QEMU's
 * @chain (VgmBlockImage) below the disk: the images it was to delete
 * that the chain no longer has are removed, and the record goes */
static void
vgmBlockDeletingRun(const char *name, pid_t pid, const char *dst, const GPtrArray *chain)
{
    g_autofree char *key = g_strdup_printf("%s/%d/%s", name, (int)pid, dst);
    g_autoptr(GPtrArray) files = NULL;
    g_autofree char *stolenKey = NULL;
    gpointer stolenKeyPtr = NULL;
    gpointer stolen = NULL;
    guint i, c;

    G_LOCK(vgmBlockDeleting);
    if (vgmBlockDeleting &&
        g_hash_table_steal_extended(vgmBlockDeleting, key, &stolenKeyPtr, &stolen)) {
        stolenKey = stolenKeyPtr;
        files = stolen;
    }
    G_UNLOCK(vgmBlockDeleting);
    for (i = 0; files && i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        gboolean chained = FALSE;

        for (c = 0; c < chain->len && !chained; c++)
            chained = g_str_equal(((VgmBlockImage *)g_ptr_array_index(chain, c))->file, file);
        if (!chained && g_unlink(file) < 0 && errno != ENOENT)
            g_warning(_("domain '%1$s': cannot delete image '%2$s' that the commit of disk '%3$s' emptied: %4$s"),
                      name, file, dst, g_strerror(errno));
    }
}

/* Holds domain @name's block job mutex until the end of the scope */
#define VGM_BLOCK_LOCKED(drv, name) \
    g_autoptr(GMutexLocker) vgmBlockLocker G_GNUC_UNUSED = \
        g_mutex_locker_new(vgmDriverDomainSideMutex(drv, "blockjob", name))

/* Running domain @name, its disk @path and a monitor connection */
static VgmDriverDomain *
vgmBlockDomain(VgmDriver *drv, const char *name, const char *path, const VgmDiskDef **disk,
               VgmQemuMonitor **mon, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    if (!(*disk = vgmDriverFindDisk(dom->def, path))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no disk '%2$s' (a target or a source path)"),
                    dom->name, path);
        return NULL;
    }
    if (!vgmDiskHasMedium(*disk) || (*disk)->type == VGM_DISK_TYPE_VHOSTUSER) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("disk '%1$s' of domain '%2$s' has no image QEMU opens (empty, or a vhost-user server's)"),
                    (*disk)->dst, dom->name);
        return NULL;
    }
    if (!(*mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return NULL;
    return g_steal_pointer(&dom);
}

/* The id of node @name in QEMU's block graph @graph
 * (x-debug-query-block-graph); -1 when it has none */
static gint64
vgmBlockGraphNodeId(JsonObject *graph, const char *name)
{
    JsonArray *nodes = json_object_has_member(graph, "nodes") ?
                       json_object_get_array_member(graph, "nodes") : NULL;
    guint i;

    for (i = 0; nodes && i < json_array_get_length(nodes); i++) {
        JsonObject *n = json_array_get_object_element(nodes, i);

        if (n && g_strcmp0(json_object_get_string_member_with_default(n, "type", NULL),
                           "block-driver") == 0 &&
            g_strcmp0(json_object_get_string_member_with_default(n, "name", NULL), name) == 0)
            return json_object_get_int_member_with_default(n, "id", -1);
    }
    return -1;
}

/* The child of node @id of @graph through its edge @edge ("file",
 * "backing"), its id into *@child; NULL when it has none */
static const char *
vgmBlockGraphChild(JsonObject *graph, gint64 id, const char *edge, gint64 *child)
{
    JsonArray *edges = json_object_has_member(graph, "edges") ?
                       json_object_get_array_member(graph, "edges") : NULL;
    JsonArray *nodes = json_object_has_member(graph, "nodes") ?
                       json_object_get_array_member(graph, "nodes") : NULL;
    guint i;

    *child = -1;
    for (i = 0; edges && i < json_array_get_length(edges) && *child < 0; i++) {
        JsonObject *e = json_array_get_object_element(edges, i);

        if (e && json_object_get_int_member_with_default(e, "parent", -2) == id &&
            g_strcmp0(json_object_get_string_member_with_default(e, "name", NULL), edge) == 0)
            *child = json_object_get_int_member_with_default(e, "child", -1);
    }
    for (i = 0; nodes && *child >= 0 && i < json_array_get_length(nodes); i++) {
        JsonObject *n = json_array_get_object_element(nodes, i);

        if (n && json_object_get_int_member_with_default(n, "id", -2) == *child)
            return json_object_get_string_member_with_default(n, "name", NULL);
    }
    return NULL;
}

/* The nodes of @chain from QEMU's block graph: @device is the node the
 * disk's device reads, @filters how many filters (copy-on-read) lie over
 * the top image, each the "file" parent of the next; the top's node is
 * returned, each image below gets the "backing" child of the one above,
 * and each the node its data is stored on, its node's "file" child.
 * An image's node is left NULL where QEMU does not say
 * (x-debug-query-block-graph is QEMU's debugging view of the graph;
 * without it the images are named by file, and NULL is returned when
 * there are filters, whose image below has no name then). */
static char *
vgmBlockChainNodes(VgmQemuMonitor *mon, const char *device, guint filters, GPtrArray *chain)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonObject *graph;
    const char *name = device;
    gint64 id;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "x-debug-query-block-graph", NULL, &ret, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(ret) ||
        (id = vgmBlockGraphNodeId((graph = json_node_get_object(ret)), device)) < 0)
        return filters == 0 ? g_strdup(device) : NULL;
    for (i = 0; i < filters && name; i++)
        name = vgmBlockGraphChild(graph, id, "file", &id);
    for (i = 0; i < chain->len && name; i++) {
        VgmBlockImage *im = g_ptr_array_index(chain, i);
        gint64 storage;

        if (i > 0 && !(name = vgmBlockGraphChild(graph, id, "backing", &id)))
            break;
        im->node = g_strdup(name);
        im->storage = g_strdup(vgmBlockGraphChild(graph, id, "file", &storage));
        /* below a storage slice's raw node, the file's: a write threshold
         * counts in the file, as libvirt sets it */
        if (im->storage && g_str_has_suffix(im->storage, VGM_QEMU_SLICE_NODE_SUFFIX)) {
            const char *file = vgmBlockGraphChild(graph, storage, "file", &storage);

            if (file) {
                g_free(im->storage);
                im->storage = g_strdup(file);
            }
        }
    }
    if (chain->len == 0 || !((VgmBlockImage *)g_ptr_array_index(chain, 0))->node)
        return filters == 0 ? g_strdup(device) : NULL;
    return g_strdup(((VgmBlockImage *)g_ptr_array_index(chain, 0))->node);
}

/* The top image of disk @d of @def as QEMU has it, below the filters
 * over it (a copy-on-read disk's): the node a block job or a snapshot
 * works on, as libvirt's are its format node, so that the filter stays
 * over whatever image a job leaves on top */
static gboolean
vgmBlockNodeOf(VgmQemuMonitor *mon, const VgmDomainDef *def, const VgmDiskDef *d,
               VgmBlockNode *out, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autofree char *id = vgmQemuDiskDeviceId(def, d);
    JsonArray *arr;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-block", NULL, &ret, error))
        return FALSE;
    arr = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        JsonObject *ins, *img;
        const char *device;
        guint filters = 0;

        if (!o || !vgmDriverDiskQdevIs(json_object_get_string_member_with_default(o, "qdev", NULL),
                                  id))
            continue;
        if (!json_object_has_member(o, "inserted") ||
            !JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "inserted")))
            break;
        ins = json_object_get_object_member(o, "inserted");
        device = json_object_get_string_member_with_default(ins, "node-name", NULL);
        img = json_object_has_member(ins, "image") &&
              JSON_NODE_HOLDS_OBJECT(json_object_get_member(ins, "image")) ?
              json_object_get_object_member(ins, "image") : NULL;
        out->chain = g_ptr_array_new_with_free_func((GDestroyNotify)vgmBlockImageFree);
        while (img) {
            JsonNode *below = json_object_get_member(img, "backing-image");
            const char *format = json_object_get_string_member_with_default(img, "format", "");

            if (out->chain->len == 0 && vgmDriverDiskFormatIsFilter(format)) {
                filters++;
            } else {
                VgmBlockImage *im = g_new0(VgmBlockImage, 1);

                im->file = vgmDriverDiskPlainName(json_object_get_string_member_with_default(img, "filename", ""));
                im->format = g_strdup(format);
                im->backingRaw = g_strdup(json_object_get_string_member_with_default(img, "backing-filename", NULL));
                g_ptr_array_add(out->chain, im);
                if (out->chain->len == 1) {
                    out->file = g_strdup(im->file);
                    out->format = g_strdup(im->format);
                    out->virtualSize = (guint64)json_object_get_int_member_with_default(img, "virtual-size", 0);
                    out->actualSize = json_object_get_int_member_with_default(img, "actual-size", -1);
                }
            }
            img = below && JSON_NODE_HOLDS_OBJECT(below) ? json_node_get_object(below) : NULL;
        }
        if (device && out->chain->len > 0 &&
            (out->node = vgmBlockChainNodes(mon, device, filters, out->chain))) {
            out->device = g_strdup(device);
            return TRUE;
        }
        break;
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("QEMU has no image for disk '%1$s' (device '%2$s')"), d->dst, id);
    return FALSE;
}

/* QEMU's job of disk @d (query-block-jobs) into *@job, NULL when it has
 * none; FALSE when the query failed */
static gboolean
vgmBlockJobOf(VgmQemuMonitor *mon, const VgmDiskDef *d, JsonObject **job, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    *job = NULL;
    if (!vgmQemuMonitorCommand(mon, "query-block-jobs", NULL, &ret, error))
        return FALSE;
    arr = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        const char *dst = NULL;

        if (o && vgmBlockJobKindOf(json_object_get_string_member_with_default(o, "device", NULL),
                                   &dst) &&
            g_str_equal(dst, d->dst)) {
            *job = json_object_ref(o);
            return TRUE;
        }
    }
    return TRUE;
}

/* A node of the driver's own (vgm-...-format, and its vgm-...-storage)
 * that no device uses now: an old top after a pivot, an image a job took
 * out of a chain; a node QEMU made goes with the device or its parent. A
 * failure (QEMU refuses a node still in use) is only logged: the job is
 * done. */
static void
vgmBlockDropNode(VgmQemuMonitor *mon, const char *domName, const char *node)
{
    g_autoptr(JsonObject) del = json_object_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *storage = NULL;

    if (!g_str_has_prefix(node, "vgm-") || !g_str_has_suffix(node, "-format"))
        return;
    storage = g_strdup_printf("%.*s-storage", (int)(strlen(node) - strlen("-format")), node);
    json_object_set_string_member(del, "node-name", node);
    if (vgmQemuMonitorCommand(mon, "blockdev-del", del, NULL, &err)) {
        json_object_set_string_member(del, "node-name", storage);
        vgmQemuMonitorCommand(mon, "blockdev-del", del, NULL, &err);
    }
    if (err)
        g_warning(_("domain '%1$s': image node '%2$s' a block job left is still open: %3$s"),
                  domName, node, err->message);
}

/* What a pull or commit that ended did to disk @dst, applied to a
 * definition (the live one, or the config) whose disk still has top
 * @top: an active commit's pivot puts the disk on its base (@newTop, in
 * QEMU's @newFormat), and of the <backingStore> layers given only those
 * QEMU still has below the top (@files) are kept. A chain with an image
 * on the network, which QEMU names otherwise, is left as it is. */
typedef struct {
    const char *dst;
    const char *top;
    const char *newTop;         /* NULL: the top stays */
    const char *newFormat;
    GPtrArray *files;           /* char *, QEMU's chain below the top */
} VgmBlockChainMove;

static gboolean
vgmBlockChainChange(VgmDomainDef *def, gconstpointer data)
{
    const VgmBlockChainMove *c = data;
    VgmDiskDef *d = (VgmDiskDef *)vgmDriverFindDisk(def, c->dst);
    gboolean changed = FALSE;
    guint k;

    if (!d || !d->src || d->net || g_strcmp0(d->src, c->top) != 0)
        return FALSE;
    for (k = 0; d->backing && k < d->backing->len; k++) {
        if (((VgmDiskBackingLayer *)g_ptr_array_index(d->backing, k))->net)
            return FALSE;
    }
    if (c->newTop && !g_str_equal(c->newTop, d->src)) {
        const VgmDiskBackingLayer *given = NULL;
        struct stat st;

        for (k = 0; d->backing && k < d->backing->len && !given; k++) {
            const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

            if (g_strcmp0(l->path, c->newTop) == 0)
                given = l;
        }
        g_free(d->driverType);
        d->driverType = g_strdup(given && given->format ? given->format : c->newFormat);
        d->type = given ? given->type
                        : (stat(c->newTop, &st) == 0 && S_ISBLK(st.st_mode) ? VGM_DISK_TYPE_BLOCK
                                                                             : VGM_DISK_TYPE_FILE);
        g_free(d->src);
        d->src = g_strdup(c->newTop);
        vgmBlockMirrorClear(d);
        changed = TRUE;
    }
    for (k = d->backing ? d->backing->len : 0; k > 0; k--) {
        const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k - 1);

        if (!g_ptr_array_find_with_equal_func(c->files, l->path, g_str_equal, NULL)) {
            g_ptr_array_remove_index(d->backing, k - 1);
            changed = TRUE;
        }
    }
    /* (layers were given and none is left: the top has no backing file) */
    if (changed && d->backing && d->backing->len == 0 && c->files->len == 0)
        d->backingEnd = TRUE;
    return changed;
}

/* The driver's own nodes of the images of disk @node's number that are
 * no longer in its chain (vgm-N-...-format and -storage, which QEMU keeps
 * open until deleted; a node QEMU made itself goes with its user). A node
 * still in use is refused by QEMU and stays: only logged. */
static void
vgmBlockDropUnchained(VgmQemuMonitor *mon, const VgmDomainDef *def, const VgmDiskDef *d,
                      const VgmBlockNode *node)
{
    const char *domName = def->name;
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    JsonArray *arr;
    unsigned int n, nn;
    guint i;

    /* (the disk's number: a pivot may have put it on a node QEMU named) */
    n = vgmQemuDiskNodeIndex(def, d);
    json_object_set_boolean_member(args, "flat", TRUE);
    if (!vgmQemuMonitorCommand(mon, "query-named-block-nodes", args, &ret, &err)) {
        g_warning(_("domain '%1$s': cannot list QEMU's images after a block job: %2$s"), domName,
                  err->message);
        return;
    }
    arr = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonNode *e = json_array_get_element(arr, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
        const char *name = o ? json_object_get_string_member_with_default(o, "node-name", "") : "";
        g_autofree char *file = vgmDriverDiskPlainName(o ? json_object_get_string_member_with_default(o, "file", "") : "");
        gboolean chained = FALSE;
        guint c;

        /* (a layer given, vgm-N-bK, or an external snapshot's, vgm-N-sK) */
        if (sscanf(name, "vgm-%u-", &nn) != 1 || nn != n || !g_str_has_suffix(name, "-format"))
            continue;
        for (c = 0; c < node->chain->len && !chained; c++)
            chained = g_str_equal(((VgmBlockImage *)g_ptr_array_index(node->chain, c))->file, file);
        if (!chained)
            vgmBlockDropNode(mon, domName, name);
    }
}

/* After a pull or commit of disk @d of running domain @dom ended: the
 * live XML, and the config when its disk is the same, follow QEMU's
 * chain; with @pivoted (an active commit completed) its top too */
static gboolean
vgmBlockChainFollow(VgmDriver *drv, const VgmDriverDomain *dom, const VgmDiskDef *d,
                    VgmQemuMonitor *mon, gboolean pivoted, GError **error)
{
    g_autoptr(VgmQemuMonitor) own = NULL;
    g_autoptr(GPtrArray) files = g_ptr_array_new();
    g_auto(VgmBlockNode) node = { 0 };
    VgmBlockChainMove c;
    guint i;

    if (!d->src || d->net)
        return TRUE;
    if (!mon && !(mon = own = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS,
                                                      error)))
        return FALSE;
    if (!vgmBlockNodeOf(mon, dom->def, d, &node, error))
        return FALSE;
    for (i = 1; i < node.chain->len; i++)
        g_ptr_array_add(files, ((VgmBlockImage *)g_ptr_array_index(node.chain, i))->file);
    c = (VgmBlockChainMove){ d->dst, d->src, pivoted ? node.file : NULL, node.format, files };
    if (!vgmDriverChangeLiveConfig(drv, dom->name, dom->status->qemu.pid, vgmBlockChainChange, &c,
                                   error))
        return FALSE;
    vgmBlockDropUnchained(mon, dom->def, d, &node);
    vgmBlockDeletingRun(dom->name, dom->status->qemu.pid, d->dst, node.chain);
    return TRUE;
}

static void
vgmBlockChainFollowLogged(VgmDriver *drv, const VgmDriverDomain *dom, const VgmDiskDef *d,
                          VgmQemuMonitor *mon, gboolean pivoted)
{
    g_autoptr(GError) err = NULL;

    if (!vgmBlockChainFollow(drv, dom, d, mon, pivoted, &err))
        g_warning(_("domain '%1$s': a block job of disk '%2$s' ended, but its XML cannot say so: %3$s"),
                  dom->name, d->dst, err->message);
}

/* Whether @name is libvirt's image notation DST[N] (else it names a
 * file), with the number N in *@index and the target DST in *@target */
static gboolean
vgmBlockIndexParse(const char *name, char **target, unsigned int *index)
{
    const char *open = strchr(name, '[');
    guint64 n;
    char *end;

    if (!open || !g_ascii_isdigit(open[1]))
        return FALSE;
    n = g_ascii_strtoull(open + 1, &end, 10);
    if (g_strcmp0(end, "]") != 0 || n > G_MAXUINT)
        return FALSE;
    *target = g_strndup(name, open - name);
    *index = (unsigned int)n;
    return TRUE;
}

/* The image of @chain at or below @from that @name names: by QEMU's file
 * name of it, by the name the image above records, or as DST[N] by the
 * number the live XML of disk @d gives it; -1 with an error when none
 * is */
static int
vgmBlockChainLookup(const GPtrArray *chain, const char *name, guint from, const VgmDiskDef *d,
                    GError **error)
{
    g_autofree char *target = NULL;
    unsigned int index = 0;
    guint i;

    /* (DST[0] is no image's number: as in libvirt, a name of a file) */
    if (vgmBlockIndexParse(name, &target, &index) && index) {
        const char *file = NULL;

        if (!g_str_equal(target, d->dst)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("image '%1$s': its target '%2$s' is not disk '%3$s'"), name, target,
                        d->dst);
            return -1;
        }
        if (index == d->nodeIndex)
            file = d->src;
        for (i = 0; !file && d->backing && i < d->backing->len; i++) {
            const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, i);

            if (l->index == index)
                file = l->path;
        }
        for (i = from; file && i < chain->len; i++) {
            if (g_str_equal(((VgmBlockImage *)g_ptr_array_index(chain, i))->file, file))
                return (int)i;
        }
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("could not find image index %1$u beneath '%2$s' in the chain of disk '%3$s' (the live XML numbers its images: <source index=''>, <backingStore index=''>)"),
                    index, ((VgmBlockImage *)g_ptr_array_index(chain, from ? from - 1 : 0))->file,
                    d->dst);
        return -1;
    }
    for (i = from; i < chain->len; i++) {
        const VgmBlockImage *img = g_ptr_array_index(chain, i);
        const VgmBlockImage *above = i ? g_ptr_array_index(chain, i - 1) : NULL;

        if (g_str_equal(img->file, name) || (above && g_strcmp0(above->backingRaw, name) == 0))
            return (int)i;
    }
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("could not find image '%1$s' beneath '%2$s' in the chain of disk '%3$s'"), name,
                ((VgmBlockImage *)g_ptr_array_index(chain, from ? from - 1 : 0))->file, d->dst);
    return -1;
}

/* The name of image @base of @chain relative to image @above, from the
 * relative names each image between them records of the one below
 * (libvirt's VIR_DOMAIN_BLOCK_*_RELATIVE); NULL with an error when one
 * of them is not relative */
static char *
vgmBlockRelativeBacking(const GPtrArray *chain, guint above, guint base, const VgmDiskDef *d,
                        GError **error)
{
    g_autofree char *path = NULL;
    guint i;

    for (i = above; i < base; i++) {
        const VgmBlockImage *img = g_ptr_array_index(chain, i);
        const char *raw = img->backingRaw;

        if (!raw || g_path_is_absolute(raw) || strstr(raw, "://") ||
            g_str_has_prefix(raw, "json:")) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cannot keep a relative backing file name in disk '%1$s': image '%2$s' names the one below it '%3$s', which is not relative"),
                        d->dst, img->file, raw ? raw : "");
            return NULL;
        }
        if (!path) {
            path = g_strdup(raw);
        } else {
            g_autofree char *dir = g_path_get_dirname(path);

            g_free(path);
            path = g_str_equal(dir, ".") ? g_strdup(raw) : g_build_filename(dir, raw, NULL);
        }
    }
    return g_steal_pointer(&path);
}

/* Image @img as the argument @what ("base", "top") of block-stream or
 * block-commit: by its node (@what-node) where QEMU said which, else by
 * its file name, which QEMU matches against the names the images record */
static void
vgmBlockImageArg(JsonObject *args, const char *what, const VgmBlockImage *img)
{
    g_autofree char *member = g_strconcat(what, "-node", NULL);

    if (img->node)
        json_object_set_string_member(args, member, img->node);
    else
        json_object_set_string_member(args, what, img->file);
}

/* Running domain @name's disk @path for a pull or a commit (@what names
 * it in messages), with no job, and its chain as QEMU has it */
static VgmDriverDomain *
vgmBlockChainJobDomain(VgmDriver *drv, const char *name, const char *path, gboolean commit,
                       const VgmDiskDef **disk, VgmQemuMonitor **mon, VgmBlockNode *node,
                       GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(JsonObject) job = NULL;
    guint k;

    if (!(dom = vgmBlockDomain(drv, name, path, disk, mon, error)))
        return NULL;
    if ((*disk)->readonly) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    commit ? _("disk '%1$s' is read-only: a block commit writes to it")
                           : _("disk '%1$s' is read-only: a block pull writes to it"),
                    (*disk)->dst);
        return NULL;
    }
    for (k = 0; (*disk)->backing && k < (*disk)->backing->len; k++) {
        if (((VgmDiskBackingLayer *)g_ptr_array_index((*disk)->backing, k))->net)
            break;
    }
    if (vgmDiskHasSlice(*disk)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    commit ? _("a block commit of disk '%1$s' is not supported: an image of its chain has a storage slice (<slices>)")
                           : _("a block pull of disk '%1$s' is not supported: an image of its chain has a storage slice (<slices>)"),
                    (*disk)->dst);
        return NULL;
    }
    if ((*disk)->net || (*disk)->type == VGM_DISK_TYPE_DIR ||
        ((*disk)->backing && k < (*disk)->backing->len)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    commit ? _("a block commit of disk '%1$s' (a directory, or with an image on the network) is not supported")
                           : _("a block pull of disk '%1$s' (a directory, or with an image on the network) is not supported"),
                    (*disk)->dst);
        return NULL;
    }
    if (!vgmBlockJobOf(*mon, *disk, &job, error))
        return NULL;
    if (job) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("disk '%1$s' already has a block job"), (*disk)->dst);
        return NULL;
    }
    if (!vgmBlockNodeOf(*mon, dom->def, *disk, node, error))
        return NULL;
    return g_steal_pointer(&dom);
}

gboolean
vgmDriverDomainNoBlockJob(VgmQemuMonitor *mon, const VgmDomainDef *def, const char *devId,
                          VgmDriverBlockJobBlocks what, GError **error)
{
    /* (each names the disk, then the domain) */
    static const char *const refusals[] = {
        [VGM_DRIVER_BLOCK_JOB_BLOCKS_SAVE] =
            N_("domain '%2$s' cannot be saved while disk '%1$s' has a block job running (virsh blockjob --abort ends it)"),
        [VGM_DRIVER_BLOCK_JOB_BLOCKS_DETACH] =
            N_("disk '%1$s' of domain '%2$s' has a block job running: it cannot be detached before the job ends (virsh blockjob --abort ends it)"),
        [VGM_DRIVER_BLOCK_JOB_BLOCKS_SNAPSHOT] =
            N_("disk '%1$s' of domain '%2$s' has a block job running: it cannot take an external snapshot before the job ends (virsh blockjob --abort ends it)"),
        [VGM_DRIVER_BLOCK_JOB_BLOCKS_MIGRATE] =
            N_("domain '%2$s' cannot be migrated while disk '%1$s' has a block job running (virsh blockjob --abort ends it)"),
    };
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        g_autoptr(JsonObject) job = NULL;
        g_autofree char *id = NULL;

        if (devId && !g_str_equal(devId, (id = vgmQemuDiskDeviceId(def, d))))
            continue;
        if (!vgmBlockJobOf(mon, d, &job, error))
            return FALSE;
        if (!job)
            continue;
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _(refusals[what]), d->dst, def->name);
        return FALSE;
    }
    return TRUE;
}

typedef struct {
    const char *dest;
    const char *format;         /* NULL: the disk's, or probed when reused */
    guint64 bandwidth;          /* bytes/s, 0: no limit */
    unsigned int granularity;   /* 0: QEMU's */
    guint64 bufSize;            /* 0: QEMU's */
    gboolean block;             /* the destination is a block device */
    gboolean shallow;
    gboolean reuse;
    gboolean transientJob;
} VgmBlockCopy;

static gboolean
vgmBlockCopyStart(VgmDriver *drv, const char *name, const char *path, const VgmBlockCopy *c,
                  GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) job = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_auto(VgmBlockNode) node = { 0 };
    g_autofree char *jobId = NULL;
    const VgmDiskDef *disk;
    const char *format = c->format;
    gboolean shallow = c->shallow;
    gboolean reuse = c->reuse;
    VgmBlockMirror m;
    struct stat st;

    VGM_BLOCK_LOCKED(drv, name);
    if (!(dom = vgmBlockDomain(drv, name, path, &disk, &mon, error)))
        return FALSE;
    /* as libvirt: the copy is not in the config a later start reads */
    if (dom->persistent && !c->transientJob) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is not transient: a copy of its disk '%2$s' needs it undefined first, or a transient job (VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB)"),
                    dom->name, disk->dst);
        return FALSE;
    }
    if (disk->readonly) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("disk '%1$s' is read-only: a copy of it is not supported"), disk->dst);
        return FALSE;
    }
    /* a copy's pivot makes a local image of it, and only the driver's own
     * nodes are what QEMU copies from */
    if (disk->net || disk->type == VGM_DISK_TYPE_DIR || disk->copyOnRead == VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("a copy of disk '%1$s' (a network disk, a directory, or one with copy_on_read) is not supported"),
                    disk->dst);
        return FALSE;
    }
    if (vgmDiskHasSlice(disk)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("a copy of disk '%1$s' is not supported: an image of its chain has a storage slice (<slices>)"),
                    disk->dst);
        return FALSE;
    }
    /* QEMU copies what the guest reads: the decrypted data */
    if (disk->encryption) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("a copy of disk '%1$s' is not supported: its image is encrypted (<encryption>), and the copy would hold its data unencrypted"),
                    disk->dst);
        return FALSE;
    }
    if (!vgmBlockNodeOf(mon, dom->def, disk, &node, error))
        return FALSE;
    if (!vgmBlockJobOf(mon, disk, &job, error))
        return FALSE;
    if (job) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("disk '%1$s' already has a block job"), disk->dst);
        return FALSE;
    }
    if (stat(c->dest, &st) == 0 && S_ISDIR(st.st_mode)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("copy destination '%1$s' of disk '%2$s' is a directory"), c->dest,
                    disk->dst);
        return FALSE;
    }
    if (c->block != (stat(c->dest, &st) == 0 && S_ISBLK(st.st_mode))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    c->block ? _("copy destination '%1$s' of disk '%2$s' is not a block device")
                             : _("copy destination '%1$s' of disk '%2$s' is a block device: say so (<disk type='block'>, or VIR_DOMAIN_BLOCK_REBASE_COPY_DEV)"),
                    c->dest, disk->dst);
        return FALSE;
    }
    if (c->reuse && access(c->dest, F_OK) < 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("copy destination '%1$s' of disk '%2$s' does not exist, and reusing it was asked for"),
                    c->dest, disk->dst);
        return FALSE;
    }
    /* as libvirt: a block device is always reused, and a file with data
     * in it is not overwritten unless reusing it was asked for */
    if (c->block)
        reuse = TRUE;
    else if (!reuse && stat(c->dest, &st) == 0 && st.st_size > 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("copy destination '%1$s' of disk '%2$s' already exists: reuse it (VIR_DOMAIN_BLOCK_COPY_REUSE_EXT, --reuse-external) or name another"),
                    c->dest, disk->dst);
        return FALSE;
    }
    /* a disk of one layer has no top to copy alone */
    if (node.chain->len < 2)
        shallow = FALSE;
    if (!format && reuse && !(format = vgmDriverImageFormat(c->dest))) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read copy destination '%1$s': %2$s"),
                    c->dest, g_strerror(errno));
        return FALSE;
    }
    if (!format)
        format = node.format;
    if (!g_str_equal(format, "raw") && !g_str_equal(format, "qcow2")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("copy destination format '%1$s' is not supported (raw, qcow2)"), format);
        return FALSE;
    }
    if (shallow && !reuse && g_str_equal(format, "raw")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("shallow copy of disk '%1$s' into a raw file is not possible"), disk->dst);
        return FALSE;
    }
    jobId = vgmBlockJobIdFor(VGM_BLOCK_JOB_TYPE_COPY, disk->dst);
    json_object_set_string_member(args, "job-id", jobId);
    /* (QEMU takes the device's root node; a copy-on-read disk's copy is
     * refused above) */
    json_object_set_string_member(args, "device", node.device);
    json_object_set_string_member(args, "target", c->dest);
    json_object_set_string_member(args, "format", format);
    json_object_set_string_member(args, "sync", shallow ? "top" : "full");
    json_object_set_string_member(args, "mode", reuse ? "existing" : "absolute-paths");
    if (c->bandwidth)
        json_object_set_int_member(args, "speed", (gint64)c->bandwidth);
    if (c->granularity)
        json_object_set_int_member(args, "granularity", c->granularity);
    if (c->bufSize)
        json_object_set_int_member(args, "buf-size", (gint64)c->bufSize);
    /* the live XML has the job before QEMU can say it is ready (the
     * watcher's follow waits on the mutex held here) */
    m = (VgmBlockMirror){ VGM_BLOCK_MIRROR_START, disk->dst, c->dest, format, c->block, FALSE };
    vgmBlockCancellingMark(dom->name, disk->dst, FALSE);
    vgmBlockDeletingMark(dom->name, dom->status->qemu.pid, disk->dst, NULL);
    /* (QEMU has no job of the disk: a <mirror> a job left that ended
     * unseen, without a daemon's watcher, goes first) */
    vgmBlockMirrorFollow(drv, dom, disk, NULL);
    if (!vgmBlockMirrorSet(drv, dom, &m, error))
        return FALSE;
    if (!vgmQemuMonitorCommand(mon, "drive-mirror", args, NULL, error)) {
        m.op = VGM_BLOCK_MIRROR_END;
        vgmBlockMirrorSet(drv, dom, &m, NULL);
        return FALSE;
    }
    return TRUE;
}

void
vgmDriverBlockJobEvent(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                       const char *qemuEvent, const char *jobId, const char *qemuType G_GNUC_UNUSED,
                       gboolean failed)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    const VgmDiskDef *disk = NULL;
    const char *dst = NULL;
    int status;
    int type;

    if (!(type = vgmBlockJobKindOf(jobId, &dst)))
        return;
    if (g_str_equal(qemuEvent, "BLOCK_JOB_READY"))
        status = VGM_EVENT_BLOCK_JOB_READY;
    else if (g_str_equal(qemuEvent, "BLOCK_JOB_CANCELLED"))
        status = VGM_EVENT_BLOCK_JOB_CANCELED;
    else if (g_str_equal(qemuEvent, "BLOCK_JOB_COMPLETED"))
        status = failed ? VGM_EVENT_BLOCK_JOB_FAILED : VGM_EVENT_BLOCK_JOB_COMPLETED;
    else
        return;
    /* a ready copy a cancel ended completes in QEMU's words: libvirt calls
     * it cancelled */
    if (status != VGM_EVENT_BLOCK_JOB_READY && vgmBlockCancellingTake(name, dst))
        status = VGM_EVENT_BLOCK_JOB_CANCELED;
    /* the live XML's <mirror> and chain follow; the older event names the
     * disk by its source */
    VGM_BLOCK_LOCKED(drv, name);
    if ((dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, NULL)) && dom->def &&
        dom->status && (disk = vgmDriverFindDisk(dom->def, dst))) {
        g_autoptr(JsonObject) ready = json_object_new();

        json_object_set_boolean_member(ready, "ready", TRUE);
        /* (a commit that did not complete deletes nothing) */
        if (status == VGM_EVENT_BLOCK_JOB_CANCELED || status == VGM_EVENT_BLOCK_JOB_FAILED)
            vgmBlockDeletingMark(name, dom->status->qemu.pid, dst, NULL);
        vgmBlockMirrorFollow(drv, dom, disk, status == VGM_EVENT_BLOCK_JOB_READY ? ready : NULL);
        if (status == VGM_EVENT_BLOCK_JOB_COMPLETED && type != VGM_BLOCK_JOB_TYPE_COPY)
            vgmBlockChainFollowLogged(drv, dom, disk, NULL, type == VGM_BLOCK_JOB_TYPE_ACTIVE_COMMIT);
        if (disk->src)
            vgmDriverEmitEventID(drv, VGM_EVENT_ID_BLOCK_JOB, name, uuid, id, type, status,
                                 disk->src, NULL, 0);
    }
    vgmDriverEmitEventID(drv, VGM_EVENT_ID_BLOCK_JOB_2, name, uuid, id, type, status, dst, NULL,
                         0);
}

static gboolean
vgmBlockBandwidth(guint64 in, gboolean bytes, guint64 *out, GError **error)
{
    if (!bytes && in > (guint64)G_MAXINT64 >> 20) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("bandwidth %1$" G_GUINT64_FORMAT " MiB/s is too large"), in);
        return FALSE;
    }
    if (bytes && in > (guint64)G_MAXINT64) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("bandwidth %1$" G_GUINT64_FORMAT " bytes/s is too large"), in);
        return FALSE;
    }
    *out = bytes ? in : in << 20;
    return TRUE;
}

/* A pull of the images above @base (NULL: all) into disk @path's top:
 * QEMU's block-stream; with @relative the top records @base by the
 * relative name the chain gives it */
static gboolean
vgmBlockPullStart(VgmDriver *drv, const char *name, const char *path, const char *base,
                  guint64 bandwidth, gboolean relative, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_auto(VgmBlockNode) node = { 0 };
    g_autofree char *jobId = NULL;
    g_autofree char *backingFile = NULL;
    const VgmDiskDef *disk;
    int b = -1;

    if (relative && !base) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("a block pull of disk '%1$s' keeps a relative backing file name only with a base"),
                    path);
        return FALSE;
    }
    VGM_BLOCK_LOCKED(drv, name);
    if (!(dom = vgmBlockChainJobDomain(drv, name, path, FALSE, &disk, &mon, &node, error)))
        return FALSE;
    if (base && (b = vgmBlockChainLookup(node.chain, base, 1, disk, error)) < 0)
        return FALSE;
    if (relative && !(backingFile = vgmBlockRelativeBacking(node.chain, 0, (guint)b, disk, error)))
        return FALSE;
    jobId = vgmBlockJobIdFor(VGM_BLOCK_JOB_TYPE_PULL, disk->dst);
    json_object_set_string_member(args, "job-id", jobId);
    json_object_set_string_member(args, "device", node.node);
    if (b > 0)
        vgmBlockImageArg(args, "base", g_ptr_array_index(node.chain, b));
    if (backingFile)
        json_object_set_string_member(args, "backing-file", backingFile);
    if (bandwidth)
        json_object_set_int_member(args, "speed", (gint64)bandwidth);
    vgmBlockCancellingMark(dom->name, disk->dst, FALSE);
    vgmBlockDeletingMark(dom->name, dom->status->qemu.pid, disk->dst, NULL);
    return vgmQemuMonitorCommand(mon, "block-stream", args, NULL, error);
}

gboolean
vgmDriverBlockRebase(VgmDriver *drv, const char *name, const char *path, const char *base,
                     guint64 bandwidth, unsigned int flags, GError **error)
{
    VgmBlockCopy c = { 0 };

    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_REBASE_SHALLOW | VGM_BLOCK_REBASE_REUSE_EXT |
                                    VGM_BLOCK_REBASE_COPY_RAW | VGM_BLOCK_REBASE_COPY |
                                    VGM_BLOCK_REBASE_RELATIVE | VGM_BLOCK_REBASE_COPY_DEV |
                                    VGM_BLOCK_REBASE_BANDWIDTH_BYTES, error))
        return FALSE;
    if (!(flags & VGM_BLOCK_REBASE_COPY)) {
        /* as libvirt: a pull takes only these */
        if (!vgmDriverCheckFlags(flags, VGM_BLOCK_REBASE_RELATIVE |
                                        VGM_BLOCK_REBASE_BANDWIDTH_BYTES, error) ||
            !vgmBlockBandwidth(bandwidth, flags & VGM_BLOCK_REBASE_BANDWIDTH_BYTES, &c.bandwidth,
                               error))
            return FALSE;
        return vgmBlockPullStart(drv, name, path, base && *base ? base : NULL, c.bandwidth,
                                 (flags & VGM_BLOCK_REBASE_RELATIVE) != 0, error);
    }
    if (flags & VGM_BLOCK_REBASE_RELATIVE) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("a relative backing chain in a copy is not supported"));
        return FALSE;
    }
    if (!base || !*base) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("a copy of disk '%1$s' needs a destination"),
                    path);
        return FALSE;
    }
    if (!vgmBlockBandwidth(bandwidth, flags & VGM_BLOCK_REBASE_BANDWIDTH_BYTES, &c.bandwidth,
                           error))
        return FALSE;
    c.dest = base;
    c.format = (flags & VGM_BLOCK_REBASE_COPY_RAW) ? "raw" : NULL;
    c.shallow = (flags & VGM_BLOCK_REBASE_SHALLOW) != 0;
    c.reuse = (flags & VGM_BLOCK_REBASE_REUSE_EXT) != 0;
    c.block = (flags & VGM_BLOCK_REBASE_COPY_DEV) != 0;
    return vgmBlockCopyStart(drv, name, path, &c, error);
}

/* The files of images @top to @base (excluded) of QEMU's @chain below
 * disk @d, which a commit with VIR_DOMAIN_BLOCK_COMMIT_DELETE deletes
 * once it completes; NULL with an error when one is not a local file the
 * live XML names (its top, or one of its <backingStore>) */
static GPtrArray *
vgmBlockCommitDeletes(const GPtrArray *chain, guint top, guint base, const VgmDiskDef *d,
                      GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    guint i, k;

    for (i = top; i < base; i++) {
        const char *file = ((VgmBlockImage *)g_ptr_array_index(chain, i))->file;
        gboolean local = i == 0 && d->type == VGM_DISK_TYPE_FILE && g_strcmp0(d->src, file) == 0;

        for (k = 0; !local && d->backing && k < d->backing->len; k++) {
            const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

            local = l->type == VGM_DISK_TYPE_FILE && !l->net && g_strcmp0(l->path, file) == 0;
        }
        if (!local) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("a commit of disk '%1$s' that deletes the images it empties (VIR_DOMAIN_BLOCK_COMMIT_DELETE, --delete) cannot delete '%2$s': the disk's live XML does not name it as a local file"),
                        d->dst, file);
            return NULL;
        }
        g_ptr_array_add(files, g_strdup(file));
    }
    return g_steal_pointer(&files);
}

gboolean
vgmDriverBlockCommit(VgmDriver *drv, const char *name, const char *path, const char *base,
                     const char *top, guint64 bandwidth, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_auto(VgmBlockNode) node = { 0 };
    g_autofree char *jobId = NULL;
    g_autofree char *backingFile = NULL;
    g_autoptr(GPtrArray) deleting = NULL;
    const VgmBlockImage *baseImg;
    const VgmDiskDef *disk;
    guint64 speed;
    VgmBlockMirror m;
    struct stat st;
    int t = 0, b;

    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_COMMIT_SHALLOW | VGM_BLOCK_COMMIT_DELETE |
                                    VGM_BLOCK_COMMIT_ACTIVE | VGM_BLOCK_COMMIT_RELATIVE |
                                    VGM_BLOCK_COMMIT_BANDWIDTH_BYTES, error) ||
        !vgmBlockBandwidth(bandwidth, flags & VGM_BLOCK_COMMIT_BANDWIDTH_BYTES, &speed, error))
        return FALSE;
    VGM_BLOCK_LOCKED(drv, name);
    if (!(dom = vgmBlockChainJobDomain(drv, name, path, TRUE, &disk, &mon, &node, error)))
        return FALSE;
    if (top && !g_str_equal(top, disk->dst) && g_strcmp0(top, disk->src) != 0 &&
        (t = vgmBlockChainLookup(node.chain, top, 0, disk, error)) < 0)
        return FALSE;
    if ((guint)t + 1 >= node.chain->len) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("top '%1$s' in the chain of disk '%2$s' has no backing file to commit into"),
                    ((VgmBlockImage *)g_ptr_array_index(node.chain, t))->file, disk->dst);
        return FALSE;
    }
    if (base)
        b = vgmBlockChainLookup(node.chain, base, (guint)t + 1, disk, error);
    else
        b = (flags & VGM_BLOCK_COMMIT_SHALLOW) ? t + 1 : (int)node.chain->len - 1;
    if (b < 0)
        return FALSE;
    baseImg = g_ptr_array_index(node.chain, b);
    if ((flags & VGM_BLOCK_COMMIT_SHALLOW) && b != t + 1) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("base '%1$s' is not immediately below '%2$s' in the chain of disk '%3$s'"),
                    baseImg->file, ((VgmBlockImage *)g_ptr_array_index(node.chain, t))->file,
                    disk->dst);
        return FALSE;
    }
    if (t == 0 && !(flags & VGM_BLOCK_COMMIT_ACTIVE)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("a commit of the active layer of disk '%1$s' needs the active flag (VIR_DOMAIN_BLOCK_COMMIT_ACTIVE, --active)"),
                    disk->dst);
        return FALSE;
    }
    if (t > 0 && (flags & VGM_BLOCK_COMMIT_ACTIVE)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("an active commit was asked for, but top '%1$s' of disk '%2$s' is not its active layer"),
                    ((VgmBlockImage *)g_ptr_array_index(node.chain, t))->file, disk->dst);
        return FALSE;
    }
    /* (an active commit leaves no image above the top to record the base) */
    if ((flags & VGM_BLOCK_COMMIT_RELATIVE) && t > 0 &&
        !(backingFile = vgmBlockRelativeBacking(node.chain, (guint)t - 1, (guint)b, disk, error)))
        return FALSE;
    if ((flags & VGM_BLOCK_COMMIT_DELETE) &&
        !(deleting = vgmBlockCommitDeletes(node.chain, (guint)t, (guint)b, disk, error)))
        return FALSE;
    jobId = vgmBlockJobIdFor(t ? VGM_BLOCK_JOB_TYPE_COMMIT : VGM_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
                             disk->dst);
    json_object_set_string_member(args, "job-id", jobId);
    /* QEMU takes a commit's device as the root node; its top, named even
     * for an active commit, is what a pivot replaces below a filter
     * (copy-on-read), which stays over the base, as libvirt's does */
    json_object_set_string_member(args, "device", node.device);
    if (t > 0 || ((VgmBlockImage *)g_ptr_array_index(node.chain, 0))->node)
        vgmBlockImageArg(args, "top", g_ptr_array_index(node.chain, t));
    vgmBlockImageArg(args, "base", baseImg);
    if (backingFile)
        json_object_set_string_member(args, "backing-file", backingFile);
    if (speed)
        json_object_set_int_member(args, "speed", (gint64)speed);
    vgmBlockCancellingMark(dom->name, disk->dst, FALSE);
    vgmBlockDeletingMark(dom->name, dom->status->qemu.pid, disk->dst, deleting);
    if (t > 0) {
        if (vgmQemuMonitorCommand(mon, "block-commit", args, NULL, error))
            return TRUE;
        vgmBlockDeletingMark(dom->name, dom->status->qemu.pid, disk->dst, NULL);
        return FALSE;
    }
    /* an active commit has libvirt's <mirror job='active-commit'> in the
     * live XML, before QEMU can say it is ready */
    m = (VgmBlockMirror){ VGM_BLOCK_MIRROR_START, disk->dst, baseImg->file, baseImg->format,
                          stat(baseImg->file, &st) == 0 && S_ISBLK(st.st_mode), TRUE };
    vgmBlockMirrorFollow(drv, dom, disk, NULL);
    if (!vgmBlockMirrorSet(drv, dom, &m, error) ||
        !vgmQemuMonitorCommand(mon, "block-commit", args, NULL, error)) {
        m.op = VGM_BLOCK_MIRROR_END;
        vgmBlockMirrorSet(drv, dom, &m, NULL);
        vgmBlockDeletingMark(dom->name, dom->status->qemu.pid, disk->dst, NULL);
        return FALSE;
    }
    return TRUE;
}

/* The destination in virDomainBlockCopy's @xml, the source part of a
 * <disk>: type file or block, <source file|dev=''> and <driver name='qemu'
 * type=''>. As libvirt reads it, the rest of a whole <disk> (Nova's
 * swap_volume gives its disk's <target>, <serial> and cache mode) is the
 * disk's, which the copy keeps: no part of the destination. */
static gboolean
vgmBlockCopyParseDest(const char *xml, char **path, char **format, gboolean *block,
                      GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *type = NULL;
    g_autofree char *name = NULL;
    xmlNodePtr root, n;

    if (!(doc = vgmXMLParseString(xml, NULL, error)))
        return FALSE;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, BAD_CAST "disk")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("a copy destination is a <disk> element"));
        return FALSE;
    }
    if (vgmXMLPropString(root, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0)
        return FALSE;
    if (!g_str_equal(type, "file") && !g_str_equal(type, "block")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("copy destination <disk type='%1$s'> is not supported (file, block)"), type);
        return FALSE;
    }
    *block = g_str_equal(type, "block");
    for (n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, BAD_CAST "source")) {
            static const char *const fileAttrs[] = { "file", NULL };
            static const char *const devAttrs[] = { "dev", NULL };

            if (!vgmXMLCheckAttrs(n, *block ? devAttrs : fileAttrs, error) ||
                vgmXMLPropString(n, *block ? "dev" : "file", VGM_XML_PROP_REQUIRED, path,
                                 error) < 0)
                return FALSE;
        }
        if (xmlStrEqual(n->name, BAD_CAST "encryption") ||
            (xmlStrEqual(n->name, BAD_CAST "source") && vgmXMLChild(n, "encryption"))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("a copy destination with <encryption> is not supported: the copy is written unencrypted"));
            return FALSE;
        } else if (xmlStrEqual(n->name, BAD_CAST "driver")) {
            if (vgmXMLPropString(n, "name", VGM_XML_PROP_NONE, &name, error) < 0 ||
                vgmXMLPropString(n, "type", VGM_XML_PROP_NONE, format, error) < 0)
                return FALSE;
            if (name && !g_str_equal(name, "qemu")) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("copy destination <driver name='%1$s'> is not supported (qemu)"),
                            name);
                return FALSE;
            }
        }
    }
    if (!*path) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("a copy destination needs a <source>"));
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverBlockCopy(VgmDriver *drv, const char *name, const char *path, const char *destxml,
                   const GPtrArray *params, unsigned int flags, GError **error)
{
    g_autofree char *dest = NULL;
    g_autofree char *format = NULL;
    VgmBlockCopy c = { 0 };
    gboolean block = FALSE;
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_COPY_SHALLOW | VGM_BLOCK_COPY_REUSE_EXT |
                                    VGM_BLOCK_COPY_TRANSIENT_JOB |
                                    VGM_BLOCK_COPY_SYNCHRONOUS_WRITES, error))
        return FALSE;
    if (flags & VGM_BLOCK_COPY_SYNCHRONOUS_WRITES) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("a copy with synchronous writes (VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES) is not supported"));
        return FALSE;
    }
    for (i = 0; params && i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);

        if (g_str_equal(p->field, "bandwidth") && p->type == VGM_TYPED_PARAM_ULLONG) {
            c.bandwidth = p->v.ul;
        } else if (g_str_equal(p->field, "granularity") && p->type == VGM_TYPED_PARAM_UINT) {
            c.granularity = p->v.ui;
        } else if (g_str_equal(p->field, "buf-size") && p->type == VGM_TYPED_PARAM_ULLONG) {
            c.bufSize = p->v.ul;
        } else {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("unknown or mistyped block copy parameter '%1$s' (bandwidth and buf-size are unsigned long long, granularity unsigned int)"),
                        p->field);
            return FALSE;
        }
    }
    if (c.bandwidth > (guint64)G_MAXINT64 ||
        (c.granularity && (c.granularity < 512 || c.granularity > 64 * 1024 * 1024 ||
                           (c.granularity & (c.granularity - 1))))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("block copy bandwidth too large, or granularity not a power of two from 512 bytes to 64 MiB"));
        return FALSE;
    }
    if (!vgmBlockCopyParseDest(destxml, &dest, &format, &block, error))
        return FALSE;
    c.dest = dest;
    c.format = format;
    c.shallow = (flags & VGM_BLOCK_COPY_SHALLOW) != 0;
    c.reuse = (flags & VGM_BLOCK_COPY_REUSE_EXT) != 0;
    c.transientJob = (flags & VGM_BLOCK_COPY_TRANSIENT_JOB) != 0;
    c.block = block;
    return vgmBlockCopyStart(drv, name, path, &c, error);
}

int
vgmDriverGetBlockJobInfo(VgmDriver *drv, const char *name, const char *path, unsigned int flags,
                         VgmDriverBlockJobInfo *info, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) job = NULL;
    const VgmDiskDef *disk;
    const char *dst;
    gboolean readyPresent, ready;

    memset(info, 0, sizeof(*info));
    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_JOB_INFO_BANDWIDTH_BYTES, error))
        return -1;
    VGM_BLOCK_LOCKED(drv, name);
    if (!(dom = vgmBlockDomain(drv, name, path, &disk, &mon, error)))
        return -1;
    if (!vgmBlockJobOf(mon, disk, &job, error))
        return -1;
    /* the live XML's <mirror> follows what this sees (a daemon's watcher
     * has it follow QEMU's events too) */
    vgmBlockMirrorFollow(drv, dom, disk, job);
    /* a pull or commit may have ended unseen (without a daemon's
     * watcher): the <backingStore> given follows QEMU's chain (what
     * cannot be kept is only logged: this call reads) */
    if (!job && disk->backing && disk->backing->len > 0)
        vgmBlockChainFollowLogged(drv, dom, disk, mon, FALSE);
    if (!job)
        return 0;
    info->type = vgmBlockJobKindOf(json_object_get_string_member(job, "device"), &dst);
    info->cur = (guint64)json_object_get_int_member_with_default(job, "offset", 0);
    info->end = (guint64)json_object_get_int_member_with_default(job, "len", 0);
    info->bandwidth = (guint64)json_object_get_int_member_with_default(job, "speed", 0);
    readyPresent = json_object_has_member(job, "ready");
    ready = json_object_get_boolean_member_with_default(job, "ready", FALSE);
    /* as libvirt reports them: a job that has not started is not done,
     * and one that is not ready never reads as done (cur == end) */
    if (info->cur == 0 && info->end == 0 && readyPresent) {
        info->end = 1;
        info->cur = ready ? 1 : 0;
    }
    if (readyPresent && !ready && info->cur == info->end && info->cur > 0)
        info->cur--;
    if (!(flags & VGM_BLOCK_JOB_INFO_BANDWIDTH_BYTES))
        info->bandwidth = (info->bandwidth + (1 << 20) - 1) >> 20;
    return 1;
}

gboolean
vgmDriverBlockJobSetSpeed(VgmDriver *drv, const char *name, const char *path,
                          guint64 bandwidth, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) job = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    const VgmDiskDef *disk;
    guint64 speed;

    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, error) ||
        !vgmBlockBandwidth(bandwidth, flags & VGM_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, &speed, error) ||
        !(dom = vgmBlockDomain(drv, name, path, &disk, &mon, error)))
        return FALSE;
    if (!vgmBlockJobOf(mon, disk, &job, error))
        return FALSE;
    if (!job) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("disk '%1$s' does not have an active block job"), disk->dst);
        return FALSE;
    }
    json_object_set_string_member(args, "device", json_object_get_string_member(job, "device"));
    json_object_set_int_member(args, "speed", (gint64)speed);
    return vgmQemuMonitorCommand(mon, "block-job-set-speed", args, NULL, error);
}

/* Waits until disk @d's job is gone from QEMU */
static gboolean
vgmBlockJobWaitGone(VgmQemuMonitor *mon, const VgmDiskDef *d, GError **error)
{
    gint64 end = g_get_monotonic_time() + (gint64)VGM_BLOCK_JOB_END_WAIT_MS * 1000;

    for (;;) {
        g_autoptr(JsonObject) job = NULL;

        if (!vgmBlockJobOf(mon, d, &job, error))
            return FALSE;
        if (!job)
            return TRUE;
        if (g_get_monotonic_time() > end) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("the block job of disk '%1$s' did not end within %2$d s"),
                        d->dst, VGM_BLOCK_JOB_END_WAIT_MS / 1000);
            return FALSE;
        }
        g_usleep(VGM_BLOCK_JOB_END_POLL_MS * 1000);
    }
}

typedef struct {
    const char *dst;
    const char *oldSrc;         /* the disk's image before the pivot */
    const char *file;           /* the copy's */
    const char *format;
    gboolean block;
    gboolean keepBacking;
} VgmBlockPivot;

/* The disk @p names now reads the copy (its <mirror> as libvirt makes it
 * the source): its source, type and format, and its backing chain only
 * if the copy kept it (a shallow copy). Applied to the live definition
 * and, as libvirt rewrites it, to the config when its disk has the image
 * the copy replaced (a config changed since keeps its own). */
static gboolean
vgmBlockPivotChange(VgmDomainDef *def, gconstpointer data)
{
    const VgmBlockPivot *p = data;
    VgmDiskDef *d = (VgmDiskDef *)vgmDriverFindDisk(def, p->dst);

    if (!d || d->net || g_strcmp0(d->src, p->oldSrc) != 0)
        return FALSE;
    g_free(d->src);
    d->src = g_strdup(p->file);
    d->type = p->block ? VGM_DISK_TYPE_BLOCK : VGM_DISK_TYPE_FILE;
    g_free(d->driverType);
    d->driverType = g_strdup(p->format);
    if (!p->keepBacking) {
        g_clear_pointer(&d->backing, g_ptr_array_unref);
        d->backingEnd = FALSE;
    }
    vgmBlockMirrorClear(d);
    return TRUE;
}

gboolean
vgmDriverBlockJobAbort(VgmDriver *drv, const char *name, const char *path, unsigned int flags,
                       GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) job = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_auto(VgmBlockNode) before = { 0 };
    g_auto(VgmBlockNode) after = { 0 };
    const VgmDiskDef *disk;
    const char *id;
    const char *dst;
    VgmBlockPivot p;
    int type;

    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_JOB_ABORT_ASYNC | VGM_BLOCK_JOB_ABORT_PIVOT, error))
        return FALSE;
    VGM_BLOCK_LOCKED(drv, name);
    if (!(dom = vgmBlockDomain(drv, name, path, &disk, &mon, error)))
        return FALSE;
    if (!vgmBlockJobOf(mon, disk, &job, error))
        return FALSE;
    if (!job) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("disk '%1$s' does not have an active block job"), disk->dst);
        return FALSE;
    }
    id = json_object_get_string_member(job, "device");
    json_object_set_string_member(args, "device", id);
    type = vgmBlockJobKindOf(id, &dst);
    if (!(flags & VGM_BLOCK_JOB_ABORT_PIVOT)) {
        /* a ready copy ends with the destination as the disk is now */
        vgmBlockCancellingMark(dom->name, disk->dst, TRUE);
        if (!vgmQemuMonitorCommand(mon, "block-job-cancel", args, NULL, error)) {
            vgmBlockCancellingMark(dom->name, disk->dst, FALSE);
            return FALSE;
        }
        if (flags & VGM_BLOCK_JOB_ABORT_ASYNC)
            return TRUE;
        if (!vgmBlockJobWaitGone(mon, disk, error))
            return FALSE;
        vgmBlockMirrorFollow(drv, dom, disk, NULL);
        /* (a pull or commit that completed before the cancel came changed
         * the chain all the same) */
        if (type != VGM_BLOCK_JOB_TYPE_COPY)
            vgmBlockChainFollowLogged(drv, dom, disk, mon, FALSE);
        return TRUE;
    }
    if ((type != VGM_BLOCK_JOB_TYPE_COPY && type != VGM_BLOCK_JOB_TYPE_ACTIVE_COMMIT) ||
        !json_object_get_boolean_member_with_default(job, "ready", FALSE) ||
        (type == VGM_BLOCK_JOB_TYPE_COPY && !disk->mirrorFile)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("the block job of disk '%1$s' is not a copy or an active commit ready to pivot"),
                    disk->dst);
        return FALSE;
    }
    if (type == VGM_BLOCK_JOB_TYPE_ACTIVE_COMMIT) {
        /* the disk goes onto the base, which has the top's data now */
        if (!vgmBlockNodeOf(mon, dom->def, disk, &before, error) ||
            !vgmQemuMonitorCommand(mon, "block-job-complete", args, NULL, error) ||
            !vgmBlockJobWaitGone(mon, disk, error) ||
            !vgmBlockChainFollow(drv, dom, disk, mon, TRUE, error))
            return FALSE;
        /* (the old top, out of the chain now, was closed by the follow) */
        return TRUE;
    }
    /* the pivot is waited for even when asked not to, so that the live
     * XML names the copy once this returns */
    if (!vgmBlockNodeOf(mon, dom->def, disk, &before, error) ||
        !vgmQemuMonitorCommand(mon, "block-job-complete", args, NULL, error) ||
        !vgmBlockJobWaitGone(mon, disk, error) ||
        !vgmBlockNodeOf(mon, dom->def, disk, &after, error))
        return FALSE;
    if (g_strcmp0(before.node, after.node) == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("the pivot of disk '%1$s' onto '%2$s' failed: QEMU's copy job ended with the disk on its own image"),
                    disk->dst, disk->mirrorFile);
        return FALSE;
    }
    /* the live XML says what the guest reads now, a backing chain only
     * where QEMU has one below the copy */
    p = (VgmBlockPivot){ disk->dst, disk->src, disk->mirrorFile, disk->mirrorFormat,
                         disk->mirrorBlock, after.chain->len > 1 };
    if (!vgmDriverChangeLiveConfig(drv, dom->name, dom->status->qemu.pid, vgmBlockPivotChange,
                                   &p, error))
        return FALSE;
    /* the chain QEMU has below the copy (none: it ends there), as libvirt
     * reads it, in the live XML; not knowing it is only logged */
    {
        g_autoptr(GError) err = NULL;

        if (!vgmDriverChangeLive(drv, dom->name, dom->status->qemu.pid,
                                 vgmDriverDiskChainsDetectChange, mon, &err))
            g_warning(_("domain '%1$s': the backing chain of disk '%2$s' after its pivot is not known: %3$s"),
                      dom->name, disk->dst, err ? err->message : "");
    }
    vgmBlockDropNode(mon, dom->name, before.node);
    /* (QEMU ends such a pivot with an error, which the job's end event
     * carries: the copy's image names a backing file QEMU could not give
     * it, as when a reused destination is not backed by the disk's own
     * backing image) */
    if (after.chain->len == 1 && ((VgmBlockImage *)g_ptr_array_index(after.chain, 0))->backingRaw) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("disk '%1$s' is on the copy '%2$s' now, but QEMU could not give it its backing file '%3$s': the guest reads the copy alone (a reused shallow copy must be backed by the disk's own backing image)"),
                    disk->dst, disk->mirrorFile,
                    ((VgmBlockImage *)g_ptr_array_index(after.chain, 0))->backingRaw);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverBlockResize(VgmDriver *drv, const char *name, const char *path, guint64 size,
                     unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_auto(VgmBlockNode) node = { 0 };
    const VgmDiskDef *disk;

    if (!vgmDriverCheckFlags(flags, VGM_BLOCK_RESIZE_BYTES, error))
        return FALSE;
    if (!(flags & VGM_BLOCK_RESIZE_BYTES)) {
        if (size > G_MAXUINT64 / 1024) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("size %1$" G_GUINT64_FORMAT " KiB is too large"), size);
            return FALSE;
        }
        size *= 1024;
    }
    if (!(dom = vgmBlockDomain(drv, name, path, &disk, &mon, error)) ||
        !vgmBlockNodeOf(mon, dom->def, disk, &node, error))
        return FALSE;
    /* qcow2 grows in whole sectors, as libvirt rounds it */
    if (g_strcmp0(node.format, "qcow2") == 0)
        size = (size + 511) / 512 * 512;
    if (size > (guint64)G_MAXINT64) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("size %1$" G_GUINT64_FORMAT " bytes is too large"), size);
        return FALSE;
    }
    json_object_set_string_member(args, "node-name", node.device);
    json_object_set_int_member(args, "size", (gint64)size);
    return vgmQemuMonitorCommand(mon, "block_resize", args, NULL, error);
}

/* Physical size of the file or block device @path */
static gboolean
vgmBlockPhysical(const char *path, guint64 *physical, guint64 *allocated, GError **error)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot stat '%1$s': %2$s"), path, g_strerror(errno));
        return FALSE;
    }
    *physical = (guint64)st.st_size;
    *allocated = (guint64)st.st_blocks * 512;
    if (S_ISBLK(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        guint64 bytes = 0;

        if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read the size of block device '%1$s': %2$s"),
                        path, g_strerror(errno));
            if (fd >= 0)
                close(fd);
            return FALSE;
        }
        close(fd);
        *physical = *allocated = bytes;
    }
    return TRUE;
}

gboolean
vgmDriverGetBlockInfo(VgmDriver *drv, const char *name, const char *path, unsigned int flags,
                      VgmDriverBlockInfo *info, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_auto(VgmBlockNode) node = { 0 };
    const VgmDiskDef *disk;
    guint64 allocated = 0;

    memset(info, 0, sizeof(*info));
    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    if (!(disk = vgmDriverFindDisk(dom->def, path))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no disk '%2$s' (a target or a source path)"),
                    dom->name, path);
        return FALSE;
    }
    /* (libvirt's code for a drive without a medium: an invalid argument) */
    if (!vgmDiskHasMedium(disk)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("disk '%1$s' of domain '%2$s' has no medium to measure"),
                    disk->dst, dom->name);
        return FALSE;
    }
    if (disk->net || disk->type == VGM_DISK_TYPE_VHOSTUSER || disk->type == VGM_DISK_TYPE_DIR) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("disk '%1$s' of domain '%2$s' has no local image to measure (network, directory or vhost-user)"),
                    disk->dst, dom->name);
        return FALSE;
    }
    if (!vgmDriverDomainIsActive(dom))
        return vgmDriverDiskSizesInactive(disk, info, error);
    if (!vgmBlockPhysical(disk->src, &info->physical, &allocated, error) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmBlockNodeOf(mon, dom->def, disk, &node, error))
        return FALSE;
    info->capacity = node.virtualSize;
    info->allocation = node.actualSize >= 0 ? (guint64)node.actualSize : allocated;
    return TRUE;
}

gboolean
vgmDriverDiskSizesInactive(const VgmDiskDef *disk, VgmDriverBlockInfo *info, GError **error)
{
    guint64 allocated = 0;

    memset(info, 0, sizeof(*info));
    if (!vgmBlockPhysical(disk->src, &info->physical, &allocated, error))
        return FALSE;
    info->allocation = allocated;
    /* a shut-off raw image is as large as its file; a qcow2 one's size is
     * in its header */
    if (!disk->driverType || !g_str_equal(disk->driverType, "qcow2")) {
        info->capacity = info->physical;
        return TRUE;
    }
    return vgmDriverImageCapacity(disk->src, &info->capacity, error);
}

/* ---- external snapshots ---- */

gboolean
vgmDriverBlockTop(VgmQemuMonitor *mon, const VgmDomainDef *def, const VgmDiskDef *d,
                  char **node, guint64 *virtualSize, GError **error)
{
    g_auto(VgmBlockNode) top = { 0 };
    const char *format = d->driverType ? d->driverType : "raw";

    if (!vgmBlockNodeOf(mon, def, d, &top, error))
        return FALSE;
    if (g_strcmp0(top.file, d->src) != 0 || g_strcmp0(top.format, format) != 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("QEMU's top image of disk '%1$s' is '%2$s' (%3$s), not the disk's '%4$s' (%5$s): a filter or a job holds the disk"),
                    d->dst, top.file ? top.file : "", top.format ? top.format : "", d->src,
                    format);
        return FALSE;
    }
    *node = g_steal_pointer(&top.node);
    *virtualSize = top.virtualSize;
    return TRUE;
}

/* The first free K of the overlay nodes vgm-@n-sK-... in QEMU @mon */
static gboolean
vgmBlockOverlayIndex(VgmQemuMonitor *mon, unsigned int n, unsigned int *k, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    *k = 1;
    json_object_set_boolean_member(args, "flat", TRUE);
    if (!vgmQemuMonitorCommand(mon, "query-named-block-nodes", args, &ret, error))
        return FALSE;
    arr = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        const char *name = o ? json_object_get_string_member_with_default(o, "node-name", "") : "";
        unsigned int nn, kk;

        if (sscanf(name, "vgm-%u-s%u-", &nn, &kk) == 2 && nn == n && kk >= *k)
            *k = kk + 1;
    }
    return TRUE;
}

gboolean
vgmDriverBlockSnapshot(VgmQemuMonitor *mon, const char *domName,
                       VgmDriverBlockOverlay *overlays, guint n, GError **error)
{
    g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(JsonObject) txn = json_object_new();
    JsonArray *actions = json_array_new();
    guint i;

    json_object_set_array_member(txn, "actions", actions);
    for (i = 0; i < n; i++) {
        VgmDriverBlockOverlay *o = &overlays[i];
        const char *rendered = json_object_get_string_member_with_default(o->format, "node-name", "");
        g_autofree char *storage = NULL;
        g_autofree char *format = NULL;
        g_autoptr(JsonObject) action = json_object_new();
        JsonObject *data = json_object_new();
        unsigned int num, k;

        if (sscanf(rendered, "vgm-%u-", &num) != 1 || !vgmBlockOverlayIndex(mon, num, &k, error)) {
            if (error && !*error)
                vgmErrorSet(error, VGM_ERR_INTERNAL,
                            _("disk '%1$s' has no node number of the driver's ('%2$s')"), o->dst,
                            rendered);
            json_object_unref(data);
            goto undo;
        }
        storage = g_strdup_printf("vgm-%u-s%u-storage", num, k);
        format = g_strdup_printf("vgm-%u-s%u-format", num, k);
        json_object_set_string_member(o->storage, "node-name", storage);
        json_object_set_string_member(o->format, "node-name", format);
        json_object_set_string_member(o->format, "file", storage);
        /* the disk's top becomes its backing in the transaction */
        json_object_set_null_member(o->format, "backing");
        if (!vgmQemuMonitorCommand(mon, "blockdev-add", o->storage, NULL, error)) {
            json_object_unref(data);
            goto undo;
        }
        g_ptr_array_add(added, g_strdup(storage));
        if (!vgmQemuMonitorCommand(mon, "blockdev-add", o->format, NULL, error)) {
            json_object_unref(data);
            goto undo;
        }
        g_ptr_array_add(added, g_strdup(format));
        json_object_set_string_member(data, "node", o->top);
        json_object_set_string_member(data, "overlay", format);
        json_object_set_string_member(action, "type", "blockdev-snapshot");
        json_object_set_object_member(action, "data", data);
        json_array_add_object_element(actions, json_object_ref(action));
    }
    if (vgmQemuMonitorCommand(mon, "transaction", txn, NULL, error))
        return TRUE;

 undo:
    while (added->len > 0) {
        g_autoptr(JsonObject) del = json_object_new();
        g_autoptr(GError) err = NULL;
        const char *name = g_ptr_array_index(added, added->len - 1);

        json_object_set_string_member(del, "node-name", name);
        if (!vgmQemuMonitorCommand(mon, "blockdev-del", del, NULL, &err))
            g_warning(_("domain '%1$s': the node '%2$s' of a failed snapshot is still open: %3$s"),
                      domName, name, err->message);
        g_ptr_array_remove_index(added, added->len - 1);
    }
    return FALSE;
}

/* ---- an external snapshot's image merged (its delete) ---- */

/* Whether QEMU's chain of disk @dst of running domain @name holds @file */
static gboolean
vgmBlockChainHolds(VgmDriver *drv, const char *name, const char *dst, const char *file,
                   gboolean *holds, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_auto(VgmBlockNode) node = { 0 };
    const VgmDiskDef *disk;
    guint i;

    if (!(dom = vgmBlockDomain(drv, name, dst, &disk, &mon, error)) ||
        !vgmBlockNodeOf(mon, dom->def, disk, &node, error))
        return FALSE;
    *holds = FALSE;
    for (i = 0; i < node.chain->len && !*holds; i++)
        *holds = g_str_equal(((VgmBlockImage *)g_ptr_array_index(node.chain, i))->file, file);
    return TRUE;
}

/* (the tries of a pivot QEMU says is not ready yet, 100 ms apart) */
#define VGM_BLOCK_MERGE_PIVOT_TRIES 100

gboolean
vgmDriverBlockMerge(VgmDriver *drv, const char *name, const char *dst, const char *overlay,
                    const char *base, gboolean top, GError **error)
{
    guint pivotTries = 0;
    gboolean holds = TRUE;

    if (!vgmDriverBlockCommit(drv, name, dst, base, top ? NULL : overlay, 0,
                              top ? VGM_BLOCK_COMMIT_ACTIVE : 0, error))
        return FALSE;
    for (;;) {
        VgmDriverBlockJobInfo info = { 0 };
        g_autoptr(GError) err = NULL;
        int r = vgmDriverGetBlockJobInfo(drv, name, dst, 0, &info, error);

        if (r < 0)
            return FALSE;
        if (r == 0)
            break;
        if (top && info.end > 0 && info.cur == info.end) {
            if (vgmDriverBlockJobAbort(drv, name, dst, VGM_BLOCK_JOB_ABORT_PIVOT, &err))
                break;
            if (++pivotTries >= VGM_BLOCK_MERGE_PIVOT_TRIES) {
                /* the job given up is ended, the disk left on its image */
                vgmDriverBlockJobAbort(drv, name, dst, 0, NULL);
                g_propagate_error(error, g_steal_pointer(&err));
                return FALSE;
            }
        }
        g_usleep(100 * 1000);
    }
    /* a job that ended without merging (an error, a cancel) leaves the
     * image in the chain */
    if (!vgmBlockChainHolds(drv, name, dst, overlay, &holds, error))
        return FALSE;
    if (holds) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("image '%1$s' of disk '%2$s' was not merged into '%3$s': its block job ended without it"),
                    overlay, dst, base);
        return FALSE;
    }
    return TRUE;
}

/* ---- disks stopped on an I/O error ---- */

void
vgmDriverDiskErrorFree(VgmDriverDiskError *e)
{
    if (!e)
        return;
    g_free(e->disk);
    g_free(e);
}

/* QEMU's io-status of a device and libvirt's code of it */
static const struct {
    const char *status;
    int code;
} vgmBlockIoStatus[] = {
    { "failed", VGM_DOMAIN_DISK_ERROR_UNSPEC },
    { "nospace", VGM_DOMAIN_DISK_ERROR_NO_SPACE },
};

GPtrArray *
vgmDriverDiskErrorsRead(const VgmDomainDef *def, JsonNode *queryBlock)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverDiskErrorFree);
    JsonArray *arr = queryBlock && JSON_NODE_HOLDS_ARRAY(queryBlock) ? json_node_get_array(queryBlock)
                                                                     : NULL;
    guint i, k;
    size_t s;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        g_autofree char *id = vgmQemuDiskDeviceId(def, d);

        for (k = 0; arr && k < json_array_get_length(arr); k++) {
            JsonObject *o = json_array_get_object_element(arr, k);
            const char *st;

            if (!o || !vgmDriverDiskQdevIs(json_object_get_string_member_with_default(o, "qdev", NULL),
                                      id))
                continue;
            st = json_object_get_string_member_with_default(o, "io-status", "ok");
            for (s = 0; s < G_N_ELEMENTS(vgmBlockIoStatus); s++) {
                VgmDriverDiskError *e;

                if (!g_str_equal(st, vgmBlockIoStatus[s].status))
                    continue;
                e = g_new0(VgmDriverDiskError, 1);
                e->disk = g_strdup(d->dst);
                e->error = vgmBlockIoStatus[s].code;
                g_ptr_array_add(errors, e);
            }
            break;
        }
    }
    return errors;
}

GPtrArray *
vgmDriverGetDiskErrors(VgmDriver *drv, const char *name, unsigned int flags, guint *ndisks,
                       GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"),
                    dom->name);
        return NULL;
    }
    *ndisks = dom->def->devices.disks->len;
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "query-block", NULL, &ret, error))
        return NULL;
    return vgmDriverDiskErrorsRead(dom->def, ret);
}


/* ---- write thresholds (virDomainSetBlockThreshold) ---- */

/* Each disk of running @def that QEMU has an image of, by target, to the
 * node its top image is stored on: below the device's node through the
 * "file" children (past a filter and the format driver), the node
 * libvirt sets a write threshold on. NULL with an error when QEMU's
 * devices or block graph cannot be read. */
static GHashTable *
vgmBlockStorageNodes(VgmQemuMonitor *mon, const VgmDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(JsonNode) block = NULL;
    g_autoptr(JsonNode) graph = NULL;
    JsonArray *arr;
    guint i, k;

    if (!vgmQemuMonitorCommand(mon, "query-block", NULL, &block, error) ||
        !vgmQemuMonitorCommand(mon, "x-debug-query-block-graph", NULL, &graph, error))
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(block) || !JSON_NODE_HOLDS_OBJECT(graph)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("QEMU's replies to query-block and x-debug-query-block-graph are not a list and an object"));
        return NULL;
    }
    arr = json_node_get_array(block);
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        g_autofree char *id = vgmQemuDiskDeviceId(def, d);
        const char *name = NULL;
        gint64 nid, child;

        for (k = 0; k < json_array_get_length(arr) && !name; k++) {
            JsonObject *o = json_array_get_object_element(arr, k);
            JsonNode *ins = o ? json_object_get_member(o, "inserted") : NULL;

            if (o && ins && JSON_NODE_HOLDS_OBJECT(ins) &&
                vgmDriverDiskQdevIs(json_object_get_string_member_with_default(o, "qdev", NULL), id))
                name = json_object_get_string_member_with_default(json_node_get_object(ins),
                                                                  "node-name", NULL);
        }
        if (!name || (nid = vgmBlockGraphNodeId(json_node_get_object(graph), name)) < 0)
            continue;
        /* (a graph has no cycle; the bound only guards a reply that has) */
        for (k = 0; k < 16; k++) {
            const char *below = vgmBlockGraphChild(json_node_get_object(graph), nid, "file",
                                                   &child);

            if (!below)
                break;
            name = below;
            nid = child;
        }
        g_hash_table_replace(out, g_strdup(d->dst), g_strdup(name));
    }
    return g_steal_pointer(&out);
}

void
vgmDriverChainImageFree(VgmDriverChainImage *im)
{
    if (!im)
        return;
    g_free(im->file);
    g_free(im->format);
    g_free(im->node);
    g_free(im->storage);
    g_free(im);
}

GPtrArray *
vgmDriverBlockChainImages(VgmQemuMonitor *mon, const VgmDomainDef *def, const VgmDiskDef *d,
                          GError **error)
{
    g_auto(VgmBlockNode) top = { 0 };
    GPtrArray *out;
    guint i, k;

    if (!vgmBlockNodeOf(mon, def, d, &top, error))
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverChainImageFree);
    for (i = 0; i < top.chain->len; i++) {
        const VgmBlockImage *b = g_ptr_array_index(top.chain, i);
        VgmDriverChainImage *im = g_new0(VgmDriverChainImage, 1);

        im->file = g_strdup(b->file);
        im->format = g_strdup(b->format);
        im->node = g_strdup(b->node);
        im->storage = g_strdup(b->storage);
        /* the numbers of the live XML: the top's is the disk's, an image
         * below has its <backingStore index> */
        if (i == 0)
            im->index = d->nodeIndex;
        for (k = 0; i > 0 && d->backing && k < d->backing->len && !im->index; k++) {
            const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

            if (g_strcmp0(l->path, b->file) == 0)
                im->index = l->index;
        }
        g_ptr_array_add(out, im);
    }
    return out;
}

gboolean
vgmDriverSetBlockThreshold(VgmDriver *drv, const char *name, const char *dev,
                           guint64 threshold, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GHashTable) nodes = NULL;
    g_autoptr(GPtrArray) images = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *target = NULL;
    const VgmDiskDef *disk = NULL;
    const char *node = NULL;
    unsigned int index = 0;
    gboolean indexed = FALSE;
    guint i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    /* a disk by its target, or one of its images by libvirt's DST[N], the
     * top also as DST[0] */
    if (strchr(dev, '[') && !(indexed = vgmBlockIndexParse(dev, &target, &index))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("block device '%1$s' is neither a disk's target nor an image of one as TARGET[N] (N the number the live XML gives the image)"),
                    dev);
        return FALSE;
    }
    if (threshold > (guint64)G_MAXINT64) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("write threshold %1$" G_GUINT64_FORMAT " of disk '%2$s' is too large"),
                    threshold, dev);
        return FALSE;
    }
    VGM_BLOCK_LOCKED(drv, name);
    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    /* as libvirt: by target only */
    for (i = 0; i < dom->def->devices.disks->len && !disk; i++) {
        const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);

        if (g_str_equal(d->dst, target ? target : dev))
            disk = d;
    }
    if (!disk) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("domain '%1$s' has no disk with target '%2$s'"),
                    dom->name, target ? target : dev);
        return FALSE;
    }
    if (disk->type == VGM_DISK_TYPE_VHOSTUSER) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("disk '%1$s' is a vhost-user disk: a write threshold is not supported for it"),
                    disk->dst);
        return FALSE;
    }
    if (!vgmDiskHasMedium(disk)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("disk '%1$s' of domain '%2$s' is empty: it has no image to set a write threshold on"),
                    disk->dst, dom->name);
        return FALSE;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    if (index) {
        if (!(images = vgmDriverBlockChainImages(mon, dom->def, disk, error)))
            return FALSE;
        for (i = 0; i < images->len && !node; i++) {
            const VgmDriverChainImage *im = g_ptr_array_index(images, i);

            if (im->index == index) {
                if (!(node = im->storage)) {
                    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                                _("QEMU's block graph does not say where image '%1$s' of disk '%2$s' is stored"),
                                dev, disk->dst);
                    return FALSE;
                }
            }
        }
        if (!node) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("disk '%1$s' has no image index %2$u (the live XML numbers its images: <source index=''>, <backingStore index=''>)"),
                        disk->dst, index);
            return FALSE;
        }
    } else {
        if (!(nodes = vgmBlockStorageNodes(mon, dom->def, error)))
            return FALSE;
        if (!(node = g_hash_table_lookup(nodes, disk->dst))) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU's block graph has no node of disk '%1$s' of domain '%2$s'"),
                        disk->dst, dom->name);
            return FALSE;
        }
    }
    json_object_set_string_member(args, "node-name", node);
    json_object_set_int_member(args, "write-threshold", (gint64)threshold);
    /* (as libvirt remembers it, to raise the event by the name used:
     * before QEMU has it, since a write may pass it at once) */
    vgmBlockMark(&vgmBlockThresholdIndexed,
                 g_strdup_printf("%s/%d/%s", dom->name, (int)dom->status->qemu.pid, node),
                 indexed);
    if (!vgmQemuMonitorCommand(mon, "block-set-write-threshold", args, NULL, error)) {
        vgmBlockMark(&vgmBlockThresholdIndexed,
                     g_strdup_printf("%s/%d/%s", dom->name, (int)dom->status->qemu.pid, node),
                     FALSE);
        return FALSE;
    }
    return TRUE;
}

/* The disk of running domain @dom that node @node belongs to: by the
 * disk number of the driver's node names, else (a node QEMU named, as a
 * pivot's) in QEMU's block graph, as the node an image is stored on
 * (@storage) or as the top node of a device. NULL with @error when QEMU
 * cannot be asked; NULL without when no disk has the node. */
static const VgmDiskDef *
vgmDriverDiskOfNode(const VgmDriverDomain *dom, const char *node, gboolean storage,
                    GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GHashTable) nodes = NULL;
    g_autoptr(JsonNode) ret = NULL;
    unsigned int n;
    guint i, k;

    if (sscanf(node, "vgm-%u-", &n) == 1) {
        for (i = 0; i < dom->def->devices.disks->len; i++) {
            const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);

            if (vgmQemuDiskNodeIndex(dom->def, d) == n)
                return d;
        }
        return NULL;
    }
    /* a copy-on-read disk's top node names its target */
    if (g_str_has_prefix(node, "vgm-CoR-")) {
        for (i = 0; i < dom->def->devices.disks->len; i++) {
            const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);

            if (g_str_equal(node + strlen("vgm-CoR-"), d->dst))
                return d;
        }
        return NULL;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return NULL;
    if (storage) {
        if (!(nodes = vgmBlockStorageNodes(mon, dom->def, error)))
            return NULL;
        for (i = 0; i < dom->def->devices.disks->len; i++) {
            const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);

            if (g_strcmp0(g_hash_table_lookup(nodes, d->dst), node) == 0)
                return d;
        }
        return NULL;
    }
    /* a device's top node: query-block names the device of each */
    if (!vgmQemuMonitorCommand(mon, "query-block", NULL, &ret, error) || !JSON_NODE_HOLDS_ARRAY(ret))
        return NULL;
    for (k = 0; k < json_array_get_length(json_node_get_array(ret)); k++) {
        JsonObject *b = json_array_get_object_element(json_node_get_array(ret), k);
        JsonObject *ins = b && json_object_has_member(b, "inserted") ?
                          json_object_get_object_member(b, "inserted") : NULL;
        const char *qdev = b ? json_object_get_string_member_with_default(b, "qdev", "") : "";

        if (!ins || g_strcmp0(json_object_get_string_member_with_default(ins, "node-name", ""),
                              node) != 0)
            continue;
        for (i = 0; i < dom->def->devices.disks->len; i++) {
            const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);
            g_autofree char *id = vgmQemuDiskDeviceId(dom->def, d);
            g_autofree char *path = g_strdup_printf("/machine/peripheral/%s/", id);

            if (g_str_equal(qdev, id) || g_str_has_prefix(qdev, path))
                return d;
        }
    }
    return NULL;
}

/* @name's running domain (with its definition) when the QEMU of @pid
 * still runs it; an event of a QEMU that is gone is not about the domain
 * now */
static VgmDriverDomain *
vgmDriverDomainOfQemu(VgmDriver *drv, const char *name, pid_t pid)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL,
                                                                NULL);

    if (!dom || !dom->def || !dom->status || dom->status->qemu.pid != pid)
        return NULL;
    return g_steal_pointer(&dom);
}

/* Which image of running @dom QEMU stores on @node: its disk into
 * *@disk, the image (its file, its number) into *@image; FALSE when no
 * image of a disk is, or QEMU cannot say */
static gboolean
vgmBlockImageOfStorage(const VgmDriverDomain *dom, const char *node, const VgmDiskDef **disk,
                       VgmDriverChainImage **image, guint *depth)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    guint i, k;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)))
        return FALSE;
    for (i = 0; i < dom->def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);
        g_autoptr(GPtrArray) images = NULL;

        if (!vgmDiskHasMedium(d) || d->type == VGM_DISK_TYPE_VHOSTUSER ||
            !(images = vgmDriverBlockChainImages(mon, dom->def, d, NULL)))
            continue;
        for (k = 0; k < images->len; k++) {
            if (g_strcmp0(((VgmDriverChainImage *)g_ptr_array_index(images, k))->storage,
                          node) == 0) {
                *disk = d;
                *image = g_ptr_array_steal_index(images, k);
                *depth = k;
                return TRUE;
            }
        }
    }
    return FALSE;
}

void
vgmDriverBlockThresholdEvent(VgmDriver *drv, const char *name, pid_t pid, const char *node,
                             guint64 threshold, guint64 excess)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainOfQemu(drv, name, pid);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDriverChainImage) image = NULL;
    const VgmDiskDef *disk = NULL;
    gboolean indexed = vgmBlockMarkTake(&vgmBlockThresholdIndexed,
                                        g_strdup_printf("%s/%d/%s", name, (int)pid, node));
    const char *path;
    guint depth = 0;

    if (!dom)
        return;
    /* (a node no disk stores its image on now: no event, as in libvirt) */
    if (!vgmBlockImageOfStorage(dom, node, &disk, &image, &depth) &&
        !(disk = vgmDriverDiskOfNode(dom, node, TRUE, &err))) {
        if (err)
            g_warning(_("domain '%1$s': QEMU's write threshold of node '%2$s' was passed, but its disk cannot be found: %3$s"),
                      name, node, err->message);
        return;
    }
    path = depth > 0 ? (g_path_is_absolute(image->file) ? image->file : NULL) :
           (disk->type == VGM_DISK_TYPE_FILE || disk->type == VGM_DISK_TYPE_BLOCK ||
            disk->type == VGM_DISK_TYPE_DIR) ? disk->src : NULL;
    /* as libvirt: the disk's top by its target unless its threshold was
     * set by number, and any image by its number */
    if (depth == 0 && !indexed)
        vgmDriverEmitBlockThreshold(drv, dom->name, dom->uuid, dom->id, disk->dst, path,
                                    threshold, excess);
    if (image && image->index) {
        g_autofree char *dev = g_strdup_printf("%s[%u]", disk->dst, image->index);

        vgmDriverEmitBlockThreshold(drv, dom->name, dom->uuid, dom->id, dev, path,
                                    threshold, excess);
    }
}

void
vgmDriverBlockIOErrorEvent(VgmDriver *drv, const char *name, pid_t pid, const char *device,
                           const char *node, int action, gboolean nospace)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainOfQemu(drv, name, pid);
    g_autoptr(GError) err = NULL;
    g_autofree char *alias = NULL;
    const VgmDiskDef *disk = NULL;
    const char *path = NULL;
    guint i;

    if (!dom)
        return;
    /* the disk by its device (a drive's id), else by its node; an error
     * of none still raises the events, as libvirt's, with empty names */
    for (i = 0; device && *device && i < dom->def->devices.disks->len && !disk; i++) {
        const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);
        g_autofree char *id = vgmQemuDiskDeviceId(dom->def, d);

        if (g_str_equal(id, device))
            disk = d;
    }
    if (!disk && node && *node && !(disk = vgmDriverDiskOfNode(dom, node, FALSE, &err)) && err)
        g_warning(_("domain '%1$s': QEMU's I/O error on node '%2$s' is raised without its disk, which cannot be found: %3$s"),
                  name, node, err->message);
    /* libvirt's source of a disk: its file or device, a network disk's
     * <source name> */
    if (disk)
        path = disk->net ? disk->net->name : disk->src;
    alias = disk ? vgmQemuDiskDeviceId(dom->def, disk) : g_strdup("");
    vgmDriverEmitIOError(drv, dom->name, dom->uuid, dom->id, path ? path : "", alias, action,
                         nospace ? "enospc" : "");
}

GHashTable *
vgmDriverBlockThresholds(VgmQemuMonitor *mon, const VgmDomainDef *def)
{
    g_autoptr(GHashTable) nodes = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    GHashTable *out;
    GHashTableIter it;
    gpointer dst, node;
    JsonArray *arr;
    guint i;

    json_object_set_boolean_member(args, "flat", TRUE);
    if (!(nodes = vgmBlockStorageNodes(mon, def, NULL)) ||
        !vgmQemuMonitorCommand(mon, "query-named-block-nodes", args, &ret, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(ret))
        return NULL;
    out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    arr = json_node_get_array(ret);
    g_hash_table_iter_init(&it, nodes);
    while (g_hash_table_iter_next(&it, &dst, &node)) {
        for (i = 0; i < json_array_get_length(arr); i++) {
            JsonObject *o = json_array_get_object_element(arr, i);
            gint64 t;

            if (!o || g_strcmp0(json_object_get_string_member_with_default(o, "node-name", NULL),
                                node) != 0)
                continue;
            if ((t = json_object_get_int_member_with_default(o, "write_threshold", 0)) > 0)
                g_hash_table_replace(out, g_strdup(dst), g_memdup2(&t, sizeof(t)));
            break;
        }
    }
    return out;
}
