/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_storage.c: directory storage pools (see driver_storage.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "driver_storage.h"
#include "driver_conn.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"
#include "util/vgmxml.h"

#define VGM_STORAGE_XML_MAX (1024 * 1024)
#define VGM_STORAGE_NAME_MAX 200

/* virStoragePoolCreateFlags / virStoragePoolBuildFlags */
#define VGM_POOL_CREATE_BUILD_ALL 0x7u
#define VGM_POOL_BUILD_FLAGS_OK ((1u << 2) | (1u << 3))
/* virConnectListAllStoragePoolsFlags */
#define VGM_LIST_POOLS_INACTIVE (1u << 0)
#define VGM_LIST_POOLS_ACTIVE (1u << 1)
#define VGM_LIST_POOLS_PERSISTENT (1u << 2)
#define VGM_LIST_POOLS_TRANSIENT (1u << 3)
#define VGM_LIST_POOLS_AUTOSTART (1u << 4)
#define VGM_LIST_POOLS_NO_AUTOSTART (1u << 5)
#define VGM_LIST_POOLS_DIR (1u << 6)
#define VGM_LIST_POOLS_TYPES (VGM_STORAGE_LIST_ALL_FLAGS & ~((1u << 6) - 1))
/* virStorageXMLFlags */
#define VGM_STORAGE_XML_INACTIVE 1u

typedef enum {
    VGM_STORAGE_FORMAT_RAW = 0,
    VGM_STORAGE_FORMAT_QCOW2,

    VGM_STORAGE_FORMAT_LAST
} VgmStorageFormat;
VGM_ENUM_DECL(vgmStorageFormat);
VGM_ENUM_IMPL(vgmStorageFormat, VGM_STORAGE_FORMAT_LAST,
              "raw",
              "qcow2");

/* A pool's definition. */
typedef struct {
    char *name;
    unsigned char uuid[16];
    char *path;         /* the target directory, absolute, canonical */
    int mode;           /* -1: not given */
    gint64 owner;       /* -1: not given */
    gint64 group;
    gboolean transient; /* made by virStoragePoolCreateXML: no config */
} VgmStoragePoolDef;

static void
vgmStoragePoolDefFree(VgmStoragePoolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->path);
    g_free(def);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmStoragePoolDef, vgmStoragePoolDefFree)

static GMutex vgmStorageLock;

void
vgmStoragePoolFree(VgmStoragePool *pool)
{
    if (!pool)
        return;
    g_free(pool->name);
    g_free(pool);
}

void
vgmStorageVolFree(VgmStorageVol *vol)
{
    if (!vol)
        return;
    g_free(vol->pool);
    g_free(vol->name);
    g_free(vol->key);
    g_free(vol);
}

/* ---- paths ---- */

static char *
vgmStorageConfigDir(VgmDriver *drv)
{
    g_autofree char *parent = g_path_get_dirname(vgmDriverGetStore(drv)->configDir);

    return g_build_filename(parent, "storage", NULL);
}

static char *
vgmStorageRunDir(VgmDriver *drv)
{
    g_autofree char *parent = g_path_get_dirname(vgmDriverGetStore(drv)->runDir);

    return g_build_filename(parent, "storage", NULL);
}

static char *
vgmStorageConfigPath(VgmDriver *drv, const char *name)
{
    g_autofree char *dir = vgmStorageConfigDir(drv);
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

/* a transient pool's definition, there while it runs */
static char *
vgmStorageTransientPath(VgmDriver *drv, const char *name)
{
    g_autofree char *dir = vgmStorageRunDir(drv);
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

static char *
vgmStorageAutostartPath(VgmDriver *drv, const char *name)
{
    g_autofree char *dir = vgmStorageConfigDir(drv);

    return g_build_filename(dir, "autostart", name, NULL);
}

static char *
vgmStorageActivePath(VgmDriver *drv, const char *name)
{
    g_autofree char *dir = vgmStorageRunDir(drv);
    g_autofree char *file = g_strdup_printf("%s.active", name);

    return g_build_filename(dir, file, NULL);
}

/* A pool or volume name fit to be a file name. */
static gboolean
vgmStorageCheckName(const char *name, const char *what, GError **error)
{
    const char *p;

    if (!name || !*name) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("the %1$s name must not be empty"), what);
        return FALSE;
    }
    if (strchr(name, '/') || name[0] == '.' || strlen(name) > VGM_STORAGE_NAME_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid %1$s name '%2$s': it must not contain '/', start with '.' or be longer than %3$d bytes"),
                    what, name, VGM_STORAGE_NAME_MAX);
        return FALSE;
    }
    for (p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("invalid %1$s name '%2$s': it must not contain control characters"),
                        what, name);
            return FALSE;
        }
    }
    return TRUE;
}

static gint
vgmStorageCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- pool XML ---- */

static gboolean
vgmStorageParsePermissions(xmlNodePtr node, int *mode, gint64 *owner, gint64 *group,
                           GError **error)
{
    static const char *const children[] = { "mode", "owner", "group", "label", NULL };
    xmlNodePtr c;

    if (!vgmXMLCheckNode(node, NULL, children, error))
        return FALSE;
    if ((c = vgmXMLChild(node, "mode"))) {
        g_autofree char *text = vgmXMLNodeContent(c);
        unsigned long long v;

        if (!text || !vgmStrToULLBase(text, 8, &v) || v > 07777) {
            vgmErrorSet(error, VGM_ERR_XML, _("invalid permissions mode '%1$s'"),
                        text ? text : "");
            return FALSE;
        }
        *mode = v;
    }
    if ((c = vgmXMLChild(node, "owner"))) {
        g_autofree char *text = vgmXMLNodeContent(c);
        unsigned long long v;

        if (!text || !vgmStrToULL(text, &v) || v > G_MAXUINT32) {
            vgmErrorSet(error, VGM_ERR_XML, _("invalid permissions owner '%1$s'"),
                        text ? text : "");
            return FALSE;
        }
        *owner = v;
    }
    if ((c = vgmXMLChild(node, "group"))) {
        g_autofree char *text = vgmXMLNodeContent(c);
        unsigned long long v;

        if (!text || !vgmStrToULL(text, &v) || v > G_MAXUINT32) {
            vgmErrorSet(error, VGM_ERR_XML, _("invalid permissions group '%1$s'"),
                        text ? text : "");
            return FALSE;
        }
        *group = v;
    }
    return TRUE;
}

static VgmStoragePoolDef *
vgmStoragePoolDefParse(const char *xml, const char *what, GError **error)
{
    static const char *const poolAttrs[] = { "type", NULL };
    static const char *const poolChildren[] = {
        "name", "uuid", "capacity", "allocation", "available", "source", "target", NULL
    };
    static const char *const targetChildren[] = { "path", "permissions", NULL };
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmStoragePoolDef) def = g_new0(VgmStoragePoolDef, 1);
    g_autofree char *type = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *path = NULL;
    xmlNodePtr root, node, target;

    def->mode = -1;
    def->owner = def->group = -1;
    if (!(doc = vgmXMLParseString(xml, what, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, BAD_CAST "pool")) {
        vgmErrorSet(error, VGM_ERR_XML, _("the root element of a storage pool must be <pool>"));
        return NULL;
    }
    if (vgmXMLPropString(root, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0)
        return NULL;
    if (!g_str_equal(type, "dir")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("storage pool type '%1$s' is not supported: only 'dir' pools are"),
                    type);
        return NULL;
    }
    if (!vgmXMLCheckNode(root, poolAttrs, poolChildren, error))
        return NULL;
    if (!(node = vgmXMLChild(root, "name")) || !(def->name = vgmXMLNodeContent(node))) {
        vgmErrorSet(error, VGM_ERR_XML, _("the storage pool has no <name>"));
        return NULL;
    }
    if (!vgmStorageCheckName(def->name, _("storage pool"), error))
        return NULL;
    if ((node = vgmXMLChild(root, "uuid")) && (uuid = vgmXMLNodeContent(node))) {
        if (!vgmDomainUUIDParse(uuid, def->uuid)) {
            vgmErrorSet(error, VGM_ERR_XML, _("malformed storage pool uuid '%1$s'"), uuid);
            return NULL;
        }
    } else {
        g_autofree char *random = g_uuid_string_random();

        vgmDomainUUIDParse(random, def->uuid);
    }
    if ((node = vgmXMLChild(root, "source")) && xmlFirstElementChild(node)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("a 'dir' storage pool has no <source> devices or hosts, found <%1$s>"),
                    (const char *)xmlFirstElementChild(node)->name);
        return NULL;
    }
    if (!(target = vgmXMLChild(root, "target")) ||
        !(node = vgmXMLChild(target, "path")) || !(path = vgmXMLNodeContent(node))) {
        vgmErrorSet(error, VGM_ERR_XML, _("the storage pool '%1$s' has no <target><path>"),
                    def->name);
        return NULL;
    }
    if (!vgmXMLCheckNode(target, NULL, targetChildren, error))
        return NULL;
    if (!g_path_is_absolute(path)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the target path '%1$s' of storage pool '%2$s' is not absolute"),
                    path, def->name);
        return NULL;
    }
    def->path = g_canonicalize_filename(path, "/");
    if ((node = vgmXMLChild(target, "permissions")) &&
        !vgmStorageParsePermissions(node, &def->mode, &def->owner, &def->group, error))
        return NULL;
    return g_steal_pointer(&def);
}

static void
vgmStorageFormatPermissions(VgmBuf *buf, int mode, gint64 owner, gint64 group)
{
    if (mode < 0 && owner < 0 && group < 0)
        return;
    vgmBufAdd(buf, "<permissions>\n");
    vgmBufAdjustIndent(buf, 2);
    if (mode >= 0)
        vgmBufAsprintf(buf, "<mode>0%o</mode>\n", (unsigned int)mode);
    if (owner >= 0)
        vgmBufAsprintf(buf, "<owner>%" G_GINT64_FORMAT "</owner>\n", owner);
    if (group >= 0)
        vgmBufAsprintf(buf, "<group>%" G_GINT64_FORMAT "</group>\n", group);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</permissions>\n");
}

/* libvirt's layout; @info NULL: the inactive numbers (0). */
static char *
vgmStoragePoolDefFormat(const VgmStoragePoolDef *def, const VgmStoragePoolInfo *info,
                        gboolean live)
{
    g_auto(VgmBuf) buf = { 0 };
    char uuid[37];
    int mode = def->mode;
    gint64 owner = def->owner, group = def->group;
    struct stat st;

    vgmBufInit(&buf, 0);
    vgmDomainUUIDFormat(def->uuid, uuid);
    vgmBufAdd(&buf, "<pool type='dir'>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeString(&buf, "<name>%s</name>\n", def->name);
    vgmBufAsprintf(&buf, "<uuid>%s</uuid>\n", uuid);
    vgmBufAsprintf(&buf, "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n",
                   info ? info->capacity : 0);
    vgmBufAsprintf(&buf, "<allocation unit='bytes'>%" G_GUINT64_FORMAT "</allocation>\n",
                   info ? info->allocation : 0);
    vgmBufAsprintf(&buf, "<available unit='bytes'>%" G_GUINT64_FORMAT "</available>\n",
                   info ? info->available : 0);
    vgmBufAdd(&buf, "<source>\n");
    vgmBufAdd(&buf, "</source>\n");
    vgmBufAdd(&buf, "<target>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeString(&buf, "<path>%s</path>\n", def->path);
    if (live && stat(def->path, &st) == 0) {
        mode = st.st_mode & 07777;
        owner = st.st_uid;
        group = st.st_gid;
    }
    vgmStorageFormatPermissions(&buf, mode, owner, group);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</target>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</pool>\n");
    return vgmBufSteal(&buf);
}

/* ---- the pools on disk (callers hold vgmStorageLock) ---- */

static gboolean vgmStorageIsActive(VgmDriver *drv, const char *name);

/* Pool @name: its config, else the definition of a transient pool that
 * runs (one whose run has ended, and a crash left, is none) */
static VgmStoragePoolDef *
vgmStorageLoad(VgmDriver *drv, const char *name, GError **error)
{
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    gboolean transient = FALSE;
    VgmStoragePoolDef *def;

    if (vgmStorageCheckName(name, _("storage pool"), NULL) &&
        !g_file_test((path = vgmStorageConfigPath(drv, name)), G_FILE_TEST_IS_REGULAR)) {
        g_free(path);
        path = vgmStorageTransientPath(drv, name);
        transient = TRUE;
    }
    if (!path || !g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
        (transient && !vgmStorageIsActive(drv, name))) {
        vgmErrorSet(error, VGM_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching name '%1$s'"), name);
        return NULL;
    }
    if (!vgmFileReadAll(path, VGM_STORAGE_XML_MAX, &xml, NULL, error) ||
        !(def = vgmStoragePoolDefParse(xml, path, error)))
        return NULL;
    def->transient = transient;
    return def;
}

/* Every pool definition, sorted by name (broken ones left out). */
static GPtrArray *
vgmStorageLoadAll(VgmDriver *drv, GError **error)
{
    g_autofree char *confDir = vgmStorageConfigDir(drv);
    g_autofree char *runDir = vgmStorageRunDir(drv);
    const char *dirs[] = { confDir, runDir };
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmStoragePoolDefFree);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    guint i, k;

    /* the configs, then the transient pools' definitions */
    for (k = 0; k < G_N_ELEMENTS(dirs); k++) {
        g_autoptr(GDir) d = NULL;
        const char *ent;

        if (!g_file_test(dirs[k], G_FILE_TEST_IS_DIR))
            continue;
        if (!(d = g_dir_open(dirs[k], 0, NULL))) {
            vgmErrorSetSystem(error, errno, _("cannot read the storage pool directory '%1$s'"),
                              dirs[k]);
            return NULL;
        }
        while ((ent = g_dir_read_name(d))) {
            char *name;

            if (!g_str_has_suffix(ent, ".xml") || ent[0] == '.')
                continue;
            name = g_strndup(ent, strlen(ent) - 4);
            if (g_hash_table_contains(seen, name)) {
                g_free(name);
                continue;
            }
            g_ptr_array_add(names, name);
            g_hash_table_add(seen, name);
        }
    }
    g_ptr_array_sort(names, vgmStorageCompareNames);
    for (i = 0; i < names->len; i++) {
        VgmStoragePoolDef *def = vgmStorageLoad(drv, g_ptr_array_index(names, i), NULL);

        if (def)
            g_ptr_array_add(defs, def);
    }
    return g_steal_pointer(&defs);
}

static gboolean
vgmStorageIsActive(VgmDriver *drv, const char *name)
{
    g_autofree char *path = vgmStorageActivePath(drv, name);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static gboolean
vgmStorageIsAutostart(VgmDriver *drv, const char *name)
{
    g_autofree char *path = vgmStorageAutostartPath(drv, name);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static gboolean
vgmStorageSetFlagFile(const char *path, gboolean on, GError **error)
{
    if (on) {
        g_autofree char *dir = g_path_get_dirname(path);

        return vgmFileMakePath(dir, 0755, error) &&
               vgmFileWriteAtomic(path, "", 0, 0644, error);
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

static VgmStoragePool *
vgmStoragePoolFromDef(const VgmStoragePoolDef *def)
{
    VgmStoragePool *pool = g_new0(VgmStoragePool, 1);

    pool->name = g_strdup(def->name);
    memcpy(pool->uuid, def->uuid, 16);
    return pool;
}

static gboolean
vgmStorageFsInfo(const char *path, VgmStoragePoolInfo *info, GError **error)
{
    struct statvfs sv;

    if (statvfs(path, &sv) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot read the file system of '%1$s'"), path);
        return FALSE;
    }
    info->capacity = (guint64)sv.f_blocks * sv.f_frsize;
    info->allocation = (guint64)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
    /* (the free blocks, root's reserve included, as libvirt counts them:
     * capacity is allocation plus available) */
    info->available = (guint64)sv.f_bfree * sv.f_frsize;
    return TRUE;
}

static VgmStoragePoolDef *
vgmStorageLoadActive(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = vgmStorageLoad(drv, name, error);

    if (!def)
        return NULL;
    if (!vgmStorageIsActive(drv, name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("storage pool '%1$s' is not active"), name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* ---- pools ---- */

GPtrArray *
vgmDriverStorageListPools(VgmDriver *drv, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(GPtrArray) pools = g_ptr_array_new_with_free_func((GDestroyNotify)vgmStoragePoolFree);
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_STORAGE_LIST_ALL_FLAGS, error))
        return NULL;
    g_mutex_lock(&vgmStorageLock);
    defs = vgmStorageLoadAll(drv, error);
    for (i = 0; defs && i < defs->len; i++) {
        const VgmStoragePoolDef *def = g_ptr_array_index(defs, i);
        gboolean active = vgmStorageIsActive(drv, def->name);
        gboolean autostart = vgmStorageIsAutostart(drv, def->name);

        if ((flags & (VGM_LIST_POOLS_ACTIVE | VGM_LIST_POOLS_INACTIVE)) &&
            !((active && (flags & VGM_LIST_POOLS_ACTIVE)) ||
              (!active && (flags & VGM_LIST_POOLS_INACTIVE))))
            continue;
        if ((flags & (VGM_LIST_POOLS_PERSISTENT | VGM_LIST_POOLS_TRANSIENT)) &&
            !((!def->transient && (flags & VGM_LIST_POOLS_PERSISTENT)) ||
              (def->transient && (flags & VGM_LIST_POOLS_TRANSIENT))))
            continue;
        if ((flags & (VGM_LIST_POOLS_AUTOSTART | VGM_LIST_POOLS_NO_AUTOSTART)) &&
            !((autostart && (flags & VGM_LIST_POOLS_AUTOSTART)) ||
              (!autostart && (flags & VGM_LIST_POOLS_NO_AUTOSTART))))
            continue;
        if ((flags & VGM_LIST_POOLS_TYPES) && !(flags & VGM_LIST_POOLS_DIR))
            continue;
        g_ptr_array_add(pools, vgmStoragePoolFromDef(def));
    }
    g_mutex_unlock(&vgmStorageLock);
    if (!defs)
        return NULL;
    return g_steal_pointer(&pools);
}

VgmStoragePool *
vgmDriverStoragePoolLookupByName(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;

    g_mutex_lock(&vgmStorageLock);
    def = vgmStorageLoad(drv, name, error);
    g_mutex_unlock(&vgmStorageLock);
    return def ? vgmStoragePoolFromDef(def) : NULL;
}

VgmStoragePool *
vgmDriverStoragePoolLookupByUUID(VgmDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    VgmStoragePool *pool = NULL;
    char str[37];
    guint i;

    g_mutex_lock(&vgmStorageLock);
    defs = vgmStorageLoadAll(drv, error);
    g_mutex_unlock(&vgmStorageLock);
    if (!defs)
        return NULL;
    for (i = 0; i < defs->len && !pool; i++) {
        const VgmStoragePoolDef *def = g_ptr_array_index(defs, i);

        if (memcmp(def->uuid, uuid, 16) == 0)
            pool = vgmStoragePoolFromDef(def);
    }
    if (!pool) {
        vgmDomainUUIDFormat(uuid, str);
        vgmErrorSet(error, VGM_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching uuid '%1$s'"), str);
    }
    return pool;
}

/* @path without repeated or trailing slashes, as libvirt's
 * virFileSanitizePath writes it ("." and ".." are kept) */
static char *
vgmStorageSanitizePath(const char *path)
{
    GString *out = g_string_sized_new(strlen(path));
    const char *p;

    for (p = path; *p; p++) {
        if (*p == '/' && out->len && out->str[out->len - 1] == '/')
            continue;
        g_string_append_c(out, *p);
    }
    if (out->len > 1 && out->str[out->len - 1] == '/')
        g_string_truncate(out, out->len - 1);
    return g_string_free(out, FALSE);
}

VgmStoragePool *
vgmDriverStoragePoolLookupByTargetPath(VgmDriver *drv, const char *path, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autofree char *clean = vgmStorageSanitizePath(path);
    VgmStoragePool *pool = NULL;
    guint i;

    g_mutex_lock(&vgmStorageLock);
    defs = vgmStorageLoadAll(drv, error);
    /* as libvirt's: an active pool whose target is the path, written
     * without repeated or trailing slashes */
    for (i = 0; defs && i < defs->len && !pool; i++) {
        const VgmStoragePoolDef *def = g_ptr_array_index(defs, i);

        if (g_strcmp0(def->path, clean) == 0 && vgmStorageIsActive(drv, def->name))
            pool = vgmStoragePoolFromDef(def);
    }
    g_mutex_unlock(&vgmStorageLock);
    if (!pool && defs)
        vgmErrorSet(error, VGM_ERR_NO_STORAGE_POOL,
                    _("no storage pool with matching target path '%1$s'"), path);
    return pool;
}

/* Whether @def may join the pools @defs: as a definition, or (@create)
 * as a transient pool started now, whose name no pool may have. No other
 * pool has its uuid or its target directory, and its name is another
 * pool's only when it redefines that one (the same uuid; an active pool
 * keeps its directory). */
static gboolean
vgmStorageCheckOthers(VgmDriver *drv, const GPtrArray *defs, const VgmStoragePoolDef *def,
                      gboolean create, GError **error)
{
    guint i;

    for (i = 0; i < defs->len; i++) {
        const VgmStoragePoolDef *other = g_ptr_array_index(defs, i);
        gboolean sameName = g_str_equal(other->name, def->name);
        gboolean sameUUID = memcmp(other->uuid, def->uuid, 16) == 0;
        char uuid[37];

        vgmDomainUUIDFormat(other->uuid, uuid);
        if (sameName && create) {
            /* (libvirt would run a defined pool with this definition for
             * the time it runs; here a pool has one definition) */
            if (vgmStorageIsActive(drv, other->name))
                vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                            _("storage pool '%1$s' is already active"), other->name);
            else
                vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                            _("storage pool '%1$s' is defined: start it (pool-start), or undefine it first"),
                            other->name);
            return FALSE;
        }
        if (sameName && !sameUUID) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("storage pool '%1$s' is already defined with uuid %2$s"),
                        other->name, uuid);
            return FALSE;
        }
        if (sameUUID && !sameName) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("storage pool '%1$s' already exists with uuid %2$s"),
                        other->name, uuid);
            return FALSE;
        }
        if (!sameName && g_str_equal(other->path, def->path)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("storage pool '%1$s' already uses the target path '%2$s'"),
                        other->name, def->path);
            return FALSE;
        }
        if (sameName && !g_str_equal(other->path, def->path) &&
            vgmStorageIsActive(drv, def->name)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot change the target path of active storage pool '%1$s'"),
                        def->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* Storage pool event @eventID (@event for the lifecycle) of @def, once the
 * change it reports is made */
static void
vgmStorageEmit(VgmDriver *drv, const VgmStoragePoolDef *def, int eventID, int event)
{
    vgmDriverEmitObjectEvent(drv, VGM_EVENT_OBJECT_STORAGE_POOL, eventID, def->name, def->uuid, 0,
                             event, 0);
}

static void
vgmStorageEmitLifecycle(VgmDriver *drv, const VgmStoragePoolDef *def, int event)
{
    vgmStorageEmit(drv, def, VGM_STORAGE_POOL_EVENT_ID_LIFECYCLE, event);
}

VgmStoragePool *
vgmDriverStoragePoolDefineXML(VgmDriver *drv, const char *xml, unsigned int flags,
                              GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autoptr(GPtrArray) defs = NULL;
    g_autofree char *text = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dir = NULL;
    VgmStoragePool *pool = NULL;

    /* VIR_STORAGE_POOL_DEFINE_VALIDATE (1): we always validate */
    if (!vgmDriverCheckFlags(flags, 1, error) ||
        !(def = vgmStoragePoolDefParse(xml, "pool.xml", error)))
        return NULL;
    g_mutex_lock(&vgmStorageLock);
    if (!(defs = vgmStorageLoadAll(drv, error)))
        goto out;
    if (!vgmStorageCheckOthers(drv, defs, def, FALSE, error))
        goto out;
    text = vgmStoragePoolDefFormat(def, NULL, FALSE);
    path = vgmStorageConfigPath(drv, def->name);
    dir = g_path_get_dirname(path);
    if (!vgmFileMakePath(dir, 0755, error) ||
        !vgmFileWriteAtomic(path, text, strlen(text), 0644, error))
        goto out;
    /* a transient pool defined is persistent from now on, and runs on (its
     * config, written first, is what a load finds) */
    {
        g_autofree char *transient = vgmStorageTransientPath(drv, def->name);

        if (unlink(transient) < 0 && errno != ENOENT)
            g_warning(_("cannot remove '%1$s': %2$s"), transient, g_strerror(errno));
    }
    pool = vgmStoragePoolFromDef(def);
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (pool)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_DEFINED);
    return pool;
}

gboolean
vgmDriverStoragePoolUndefine(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmStorageLock);
    if (!(def = vgmStorageLoad(drv, name, error)))
        goto out;
    if (vgmStorageIsActive(drv, name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("storage pool '%1$s' is still active"), name);
        goto out;
    }
    path = vgmStorageConfigPath(drv, name);
    if (!vgmStorageSetFlagFile(path, FALSE, error))
        goto out;
    g_clear_pointer(&path, g_free);
    path = vgmStorageAutostartPath(drv, name);
    ok = vgmStorageSetFlagFile(path, FALSE, error);
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (ok)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_UNDEFINED);
    return ok;
}

static gboolean
vgmStorageBuild(const VgmStoragePoolDef *def, GError **error)
{
    /* (a new directory's mode is libvirt's default for a pool's, 0711,
     * unless the pool names one) */
    if (!vgmFileMakePath(def->path, def->mode >= 0 ? def->mode : 0711, error))
        return FALSE;
    if (def->mode >= 0 && chmod(def->path, def->mode) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot set the mode of '%1$s'"), def->path);
        return FALSE;
    }
    if ((def->owner >= 0 || def->group >= 0) &&
        chown(def->path, def->owner >= 0 ? (uid_t)def->owner : (uid_t)-1,
              def->group >= 0 ? (gid_t)def->group : (gid_t)-1) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot set the owner of '%1$s'"), def->path);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverStoragePoolBuild(VgmDriver *drv, const char *name, unsigned int flags,
                          GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    gboolean ok = FALSE;

    if (!vgmDriverCheckFlags(flags, VGM_POOL_BUILD_FLAGS_OK, error))
        return FALSE;
    g_mutex_lock(&vgmStorageLock);
    if (!(def = vgmStorageLoad(drv, name, error)))
        goto out;
    if (vgmStorageIsActive(drv, name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("storage pool '%1$s' is already active"), name);
        goto out;
    }
    ok = vgmStorageBuild(def, error);
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (ok)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_CREATED);
    return ok;
}

gboolean
vgmDriverStoragePoolDelete(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    gboolean ok = FALSE;

    /* (a directory has nothing to zero: libvirt's dir backend takes no
     * flag either) */
    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    g_mutex_lock(&vgmStorageLock);
    if (!(def = vgmStorageLoad(drv, name, error)))
        goto out;
    if (vgmStorageIsActive(drv, name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("storage pool '%1$s' is still active"), name);
        goto out;
    }
    /* as libvirt's: the directory goes only when it is empty (and is
     * there) */
    if (rmdir(def->path) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot delete the directory '%1$s' of storage pool '%2$s'"),
                          def->path, name);
        goto out;
    }
    ok = TRUE;
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (ok)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_DELETED);
    return ok;
}

static gboolean
vgmStorageStart(VgmDriver *drv, const VgmStoragePoolDef *def, gboolean build, GError **error)
{
    g_autofree char *active = vgmStorageActivePath(drv, def->name);
    g_autofree char *dir = g_path_get_dirname(active);

    if (build && !vgmStorageBuild(def, error))
        return FALSE;
    if (!g_file_test(def->path, G_FILE_TEST_IS_DIR)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot start storage pool '%1$s': its target directory '%2$s' does not exist (build it first)"),
                    def->name, def->path);
        return FALSE;
    }
    return vgmFileMakePath(dir, 0755, error) &&
           vgmFileWriteAtomic(active, "", 0, 0644, error);
}

gboolean
vgmDriverStoragePoolStart(VgmDriver *drv, const char *name, unsigned int flags,
                          GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    gboolean ok = FALSE;

    if (!vgmDriverCheckFlags(flags, VGM_POOL_CREATE_BUILD_ALL, error))
        return FALSE;
    g_mutex_lock(&vgmStorageLock);
    if (!(def = vgmStorageLoad(drv, name, error)))
        goto out;
    if (vgmStorageIsActive(drv, name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("storage pool '%1$s' is already active"), name);
        goto out;
    }
    ok = vgmStorageStart(drv, def, flags != 0, error);
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (ok)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_STARTED);
    return ok;
}

VgmStoragePool *
vgmDriverStoragePoolCreateXML(VgmDriver *drv, const char *xml, unsigned int flags,
                              GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autoptr(GPtrArray) defs = NULL;
    g_autofree char *text = NULL;
    g_autofree char *path = NULL;
    g_autofree char *active = NULL;
    g_autofree char *dir = NULL;
    VgmStoragePool *pool = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_POOL_CREATE_BUILD_ALL, error) ||
        !(def = vgmStoragePoolDefParse(xml, "pool.xml", error)))
        return NULL;
    g_mutex_lock(&vgmStorageLock);
    if (!(defs = vgmStorageLoadAll(drv, error)))
        goto out;
    if (!vgmStorageCheckOthers(drv, defs, def, TRUE, error))
        goto out;
    if (flags && !vgmStorageBuild(def, error))
        goto out;
    if (!g_file_test(def->path, G_FILE_TEST_IS_DIR)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot start storage pool '%1$s': its target directory '%2$s' does not exist (build it first)"),
                    def->name, def->path);
        goto out;
    }
    /* the definition, then the mark that makes it a running pool: a crash
     * between them leaves no pool */
    text = vgmStoragePoolDefFormat(def, NULL, FALSE);
    path = vgmStorageTransientPath(drv, def->name);
    active = vgmStorageActivePath(drv, def->name);
    dir = g_path_get_dirname(path);
    if (!vgmStorageSetFlagFile(active, FALSE, error) || !vgmFileMakePath(dir, 0755, error) ||
        !vgmFileWriteAtomic(path, text, strlen(text), 0644, error))
        goto out;
    if (!vgmStorageSetFlagFile(active, TRUE, error)) {
        unlink(path);
        goto out;
    }
    def->transient = TRUE;
    pool = vgmStoragePoolFromDef(def);
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (pool)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_STARTED);
    return pool;
}

void
vgmDriverStorageAutostart(VgmDriver *drv)
{
    g_autoptr(GPtrArray) defs = NULL;
    guint i;

    g_mutex_lock(&vgmStorageLock);
    defs = vgmStorageLoadAll(drv, NULL);
    for (i = 0; defs && i < defs->len; i++) {
        const VgmStoragePoolDef *def = g_ptr_array_index(defs, i);
        g_autoptr(GError) err = NULL;

        if (vgmStorageIsAutostart(drv, def->name) && !vgmStorageIsActive(drv, def->name) &&
            !vgmStorageStart(drv, def, FALSE, &err))
            g_warning("%s", err->message);
    }
    g_mutex_unlock(&vgmStorageLock);
}

gboolean
vgmDriverStoragePoolDestroy(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *active = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmStorageLock);
    if (!(def = vgmStorageLoadActive(drv, name, error)))
        goto out;
    active = vgmStorageActivePath(drv, name);
    ok = vgmStorageSetFlagFile(active, FALSE, error);
    /* a transient pool is gone with its run (the mark first: a definition
     * left without it is no pool) */
    if (ok && def->transient) {
        g_autofree char *transient = vgmStorageTransientPath(drv, name);

        if (unlink(transient) < 0 && errno != ENOENT)
            g_warning(_("cannot remove '%1$s': %2$s"), transient, g_strerror(errno));
    }
 out:
    g_mutex_unlock(&vgmStorageLock);
    if (ok)
        vgmStorageEmitLifecycle(drv, def, VGM_STORAGE_POOL_EVENT_STOPPED);
    return ok;
}

gboolean
vgmDriverStoragePoolRefresh(VgmDriver *drv, const char *name, unsigned int flags,
                            GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;

    /* volumes are read from the directory at every call: nothing to do
     * but check that there is an active pool */
    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    g_mutex_lock(&vgmStorageLock);
    def = vgmStorageLoadActive(drv, name, error);
    g_mutex_unlock(&vgmStorageLock);
    if (def)
        vgmStorageEmit(drv, def, VGM_STORAGE_POOL_EVENT_ID_REFRESH, 0);
    return def != NULL;
}

gboolean
vgmDriverStoragePoolGetInfo(VgmDriver *drv, const char *name, VgmStoragePoolInfo *info,
                            GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    gboolean active;

    memset(info, 0, sizeof(*info));
    g_mutex_lock(&vgmStorageLock);
    def = vgmStorageLoad(drv, name, error);
    active = def && vgmStorageIsActive(drv, name);
    g_mutex_unlock(&vgmStorageLock);
    if (!def)
        return FALSE;
    if (!active)
        return TRUE;
    info->state = VGM_STORAGE_POOL_RUNNING;
    return vgmStorageFsInfo(def->path, info, error);
}

char *
vgmDriverStoragePoolGetXMLDesc(VgmDriver *drv, const char *name, unsigned int flags,
                               GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    VgmStoragePoolInfo info = { 0 };
    gboolean active;

    if (!vgmDriverCheckFlags(flags, VGM_STORAGE_XML_INACTIVE, error))
        return NULL;
    g_mutex_lock(&vgmStorageLock);
    def = vgmStorageLoad(drv, name, error);
    active = def && vgmStorageIsActive(drv, name);
    g_mutex_unlock(&vgmStorageLock);
    if (!def)
        return NULL;
    if (!active || (flags & VGM_STORAGE_XML_INACTIVE))
        return vgmStoragePoolDefFormat(def, NULL, FALSE);
    if (!vgmStorageFsInfo(def->path, &info, error))
        return NULL;
    return vgmStoragePoolDefFormat(def, &info, TRUE);
}

gboolean
vgmDriverStoragePoolGetAutostart(VgmDriver *drv, const char *name, gboolean *autostart,
                                 GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;

    g_mutex_lock(&vgmStorageLock);
    if ((def = vgmStorageLoad(drv, name, error)))
        *autostart = vgmStorageIsAutostart(drv, name);
    g_mutex_unlock(&vgmStorageLock);
    return def != NULL;
}

gboolean
vgmDriverStoragePoolSetAutostart(VgmDriver *drv, const char *name, gboolean autostart,
                                 GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmStorageLock);
    if ((def = vgmStorageLoad(drv, name, error)) && def->transient) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("storage pool '%1$s' is transient: it has no config to autostart (define it first)"),
                    name);
    } else if (def) {
        path = vgmStorageAutostartPath(drv, name);
        ok = vgmStorageSetFlagFile(path, autostart, error);
    }
    g_mutex_unlock(&vgmStorageLock);
    return ok;
}

gboolean
vgmDriverStoragePoolIsActive(VgmDriver *drv, const char *name, gboolean *active,
                             gboolean *persistent, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;

    g_mutex_lock(&vgmStorageLock);
    if ((def = vgmStorageLoad(drv, name, error))) {
        *active = vgmStorageIsActive(drv, name);
        *persistent = !def->transient;
    }
    g_mutex_unlock(&vgmStorageLock);
    return def != NULL;
}

/* libvirt 9.0's storage pool types, in its order */
static const char *const vgmStoragePoolTypes[] = {
    "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath", "rbd",
    "sheepdog", "gluster", "zfs", "vstorage",
};

char *
vgmDriverStoragePoolCapabilities(VgmDriver *drv G_GNUC_UNUSED, unsigned int flags,
                                 GError **error)
{
    g_auto(VgmBuf) buf = { 0 };
    guint i, f;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    vgmBufInit(&buf, 0);
    vgmBufAdd(&buf, "<storagepoolCapabilities>\n");
    for (i = 0; i < G_N_ELEMENTS(vgmStoragePoolTypes); i++) {
        if (!g_str_equal(vgmStoragePoolTypes[i], "dir")) {
            vgmBufAsprintf(&buf, "  <pool type='%s' supported='no'/>\n", vgmStoragePoolTypes[i]);
            continue;
        }
        /* a directory's volumes: the formats it makes */
        vgmBufAdd(&buf, "  <pool type='dir' supported='yes'>\n"
                        "    <volOptions>\n"
                        "      <defaultFormat type='raw'/>\n"
                        "      <enum name='targetFormatType'>\n");
        for (f = 0; f < VGM_STORAGE_FORMAT_LAST; f++)
            vgmBufAsprintf(&buf, "        <value>%s</value>\n", vgmStorageFormatTypeToString(f));
        vgmBufAdd(&buf, "      </enum>\n"
                        "    </volOptions>\n"
                        "  </pool>\n");
    }
    vgmBufAdd(&buf, "</storagepoolCapabilities>\n");
    return vgmBufSteal(&buf);
}

char *
vgmDriverStorageFindPoolSources(VgmDriver *drv G_GNUC_UNUSED, const char *type,
                                unsigned int flags, GError **error)
{
    guint i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(vgmStoragePoolTypes) && !g_str_equal(vgmStoragePoolTypes[i], type);
         i++)
        ;
    if (i == G_N_ELEMENTS(vgmStoragePoolTypes))
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unknown storage pool type '%1$s'"), type);
    else if (i == 0)
        /* as libvirt's: a directory has no sources to find */
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("pool type '%1$s' does not support source discovery"), type);
    else
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("storage pool type '%1$s' is not supported: only 'dir' pools are"), type);
    return NULL;
}

/* ---- volumes ---- */

typedef struct {
    VgmStorageFormat format;
    guint64 capacity;
    guint64 allocation;
    guint64 physical;
    int qcow2Version;
    char backing[1024];         /* a qcow2 volume's backing file, or "" */
    gboolean lazyRefcounts;     /* qcow2 v3's lazy refcounts feature */
    struct stat st;
} VgmStorageVolData;

/* The format of the file at @path as its first bytes tell: qcow2 by its
 * magic, else raw (as the volume listing reads every file) */
static gboolean
vgmStorageProbeFormat(const char *path, VgmStorageFormat *format)
{
    guint8 magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n;

    if (fd < 0)
        return FALSE;
    n = read(fd, magic, sizeof(magic));
    close(fd);
    *format = n == (ssize_t)sizeof(magic) && memcmp(magic, "QFI\xfb", 4) == 0 ?
              VGM_STORAGE_FORMAT_QCOW2 : VGM_STORAGE_FORMAT_RAW;
    return TRUE;
}

/* The virtual size in a qcow2 header (its first 32 bytes at least) */
static guint64
vgmStorageQcow2Size(const guint8 *hdr)
{
    guint64 size = 0;
    int i;

    for (i = 24; i < 32; i++)
        size = (size << 8) | hdr[i];
    return size;
}

const char *
vgmDriverImageFormat(const char *path)
{
    VgmStorageFormat format;

    if (!vgmStorageProbeFormat(path, &format))
        return NULL;
    return format == VGM_STORAGE_FORMAT_QCOW2 ? "qcow2" : "raw";
}

gboolean
vgmDriverImageCapacity(const char *path, guint64 *capacity, GError **error)
{
    guint8 hdr[32];
    struct stat st;
    ssize_t n;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 || fstat(fd, &st) < 0) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read image '%1$s': %2$s"), path,
                    g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    n = read(fd, hdr, sizeof(hdr));
    close(fd);
    *capacity = n == (ssize_t)sizeof(hdr) && memcmp(hdr, "QFI\xfb", 4) == 0 ?
                vgmStorageQcow2Size(hdr) : (guint64)st.st_size;
    return TRUE;
}

/* What the file @path is: raw, or qcow2 when it starts with the qcow2
 * magic (its virtual size from the header). */
static gboolean
vgmStorageVolRead(const char *path, const char *name, VgmStorageVolData *data,
                  GError **error)
{
    guint8 hdr[88];
    ssize_t n;
    int fd;

    memset(data, 0, sizeof(*data));
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0 ||
        fstat(fd, &data->st) < 0 || !S_ISREG(data->st.st_mode)) {
        if (fd >= 0)
            close(fd);
        vgmErrorSet(error, VGM_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching name '%1$s'"), name);
        return FALSE;
    }
    n = read(fd, hdr, sizeof(hdr));
    if (n >= 32 && memcmp(hdr, "QFI\xfb", 4) == 0) {
        /* the backing file's name: its offset and length in the header */
        guint64 off = 0;
        guint32 len = 0;
        int i;

        for (i = 8; i < 16; i++)
            off = (off << 8) | hdr[i];
        for (i = 16; i < 20; i++)
            len = (len << 8) | hdr[i];
        if (off && len && len < sizeof(data->backing) && off <= G_MAXINT64 &&
            pread(fd, data->backing, len, (off_t)off) == (ssize_t)len) {
            data->backing[len] = '\0';
            /* (a name with a NUL in it is no name) */
            if (strlen(data->backing) != len)
                data->backing[0] = '\0';
        } else {
            /* (nor is what a short read left) */
            data->backing[0] = '\0';
        }
    }
    close(fd);
    data->physical = data->st.st_size;
    data->allocation = (guint64)data->st.st_blocks * 512;
    data->capacity = data->st.st_size;
    if (n >= 32 && memcmp(hdr, "QFI\xfb", 4) == 0) {
        data->format = VGM_STORAGE_FORMAT_QCOW2;
        data->capacity = vgmStorageQcow2Size(hdr);
        data->qcow2Version = (hdr[4] << 24) | (hdr[5] << 16) | (hdr[6] << 8) | hdr[7];
        /* version 3: bit 0 of the compatible features (bytes 80-87) */
        data->lazyRefcounts = data->qcow2Version >= 3 && n == (ssize_t)sizeof(hdr) &&
                              (hdr[87] & 1);
    }
    return TRUE;
}

static VgmStorageVol *
vgmStorageVolMake(const VgmStoragePoolDef *def, const char *name)
{
    VgmStorageVol *vol = g_new0(VgmStorageVol, 1);

    vol->pool = g_strdup(def->name);
    vol->name = g_strdup(name);
    vol->key = g_build_filename(def->path, name, NULL);
    return vol;
}

GPtrArray *
vgmDriverStorageListVolumes(VgmDriver *drv, const char *pool, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) vols = g_ptr_array_new_with_free_func((GDestroyNotify)vgmStorageVolFree);
    g_autoptr(GDir) d = NULL;
    const char *ent;
    guint i;

    g_mutex_lock(&vgmStorageLock);
    def = vgmStorageLoadActive(drv, pool, error);
    g_mutex_unlock(&vgmStorageLock);
    if (!def)
        return NULL;
    if (!(d = g_dir_open(def->path, 0, NULL))) {
        vgmErrorSetSystem(error, errno, _("cannot read the directory '%1$s' of storage pool '%2$s'"),
                          def->path, def->name);
        return NULL;
    }
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        struct stat st;

        if (ent[0] == '.' || !vgmStorageCheckName(ent, "", NULL))
            continue;
        path = g_build_filename(def->path, ent, NULL);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            g_ptr_array_add(names, g_strdup(ent));
    }
    g_ptr_array_sort(names, vgmStorageCompareNames);
    for (i = 0; i < names->len; i++)
        g_ptr_array_add(vols, vgmStorageVolMake(def, g_ptr_array_index(names, i)));
    return g_steal_pointer(&vols);
}

/* The active pool @pool and its volume @name's path, checked. */
static VgmStoragePoolDef *
vgmStorageVolFind(VgmDriver *drv, const char *pool, const char *name,
                  VgmStorageVolData *data, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;

    g_mutex_lock(&vgmStorageLock);
    def = vgmStorageLoadActive(drv, pool, error);
    g_mutex_unlock(&vgmStorageLock);
    if (!def)
        return NULL;
    if (!vgmStorageCheckName(name, _("storage volume"), NULL)) {
        vgmErrorSet(error, VGM_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching name '%1$s'"), name);
        return NULL;
    }
    path = g_build_filename(def->path, name, NULL);
    if (!vgmStorageVolRead(path, name, data, error))
        return NULL;
    return g_steal_pointer(&def);
}

VgmStorageVol *
vgmDriverStorageVolLookupByName(VgmDriver *drv, const char *pool, const char *name,
                                GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    VgmStorageVolData data;

    if (!(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return NULL;
    return vgmStorageVolMake(def, name);
}

VgmStorageVol *
vgmDriverStorageVolLookupByPath(VgmDriver *drv, const char *path, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autofree char *canon = NULL;
    g_autofree char *real = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    VgmStorageVolData data;
    guint i;

    if (!g_path_is_absolute(path)) {
        vgmErrorSet(error, VGM_ERR_NO_STORAGE_VOL,
                    _("no storage vol with matching path '%1$s'"), path);
        return NULL;
    }
    canon = g_canonicalize_filename(path, "/");
    dir = g_path_get_dirname(canon);
    base = g_path_get_basename(canon);
    if ((real = realpath(dir, NULL))) {
        g_free(dir);
        dir = g_strdup(real);
    }
    g_mutex_lock(&vgmStorageLock);
    defs = vgmStorageLoadAll(drv, error);
    g_mutex_unlock(&vgmStorageLock);
    if (!defs)
        return NULL;
    for (i = 0; i < defs->len; i++) {
        const VgmStoragePoolDef *def = g_ptr_array_index(defs, i);
        g_autofree char *poolReal = realpath(def->path, NULL);

        if (!vgmStorageIsActive(drv, def->name))
            continue;
        if (!g_str_equal(def->path, dir) && !(poolReal && g_str_equal(poolReal, dir)))
            continue;
        if (vgmStorageCheckName(base, "", NULL) &&
            vgmStorageVolRead(canon, base, &data, NULL))
            return vgmStorageVolMake(def, base);
    }
    vgmErrorSet(error, VGM_ERR_NO_STORAGE_VOL,
                _("no storage vol with matching path '%1$s'"), path);
    return NULL;
}

/* <capacity unit='U'>N</capacity> and the like, in bytes. */
static gboolean
vgmStorageParseSize(xmlNodePtr node, guint64 *bytes, GError **error)
{
    g_autofree char *unit = NULL;
    g_autofree char *what = vgmXMLNodeDescribe(node);
    unsigned long long v;

    if (vgmXMLPropString(node, "unit", VGM_XML_PROP_NONE, &unit, error) < 0 ||
        vgmXMLNodeContentULL(node, &v, error) < 0)
        return FALSE;
    if (!vgmScaleInteger(&v, unit, 1, G_MAXINT64, what, error))
        return FALSE;
    *bytes = v;
    return TRUE;
}

/* Runs qemu-img with @argv (NULL-terminated) on volume @path; on failure
 * says what @what failed, and removes @path when @made (qemu-img was to
 * make it) */
static gboolean
vgmStorageQemuImgRun(GPtrArray *argv, const char *path, const char *what, gboolean made,
                     GError **error)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) spawnErr = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      &out, &err, &status, &spawnErr)) {
        if (made)
            unlink(path);
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot run qemu-img to %1$s the volume '%2$s': %3$s"),
                    what, path, spawnErr->message);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        if (made)
            unlink(path);
        g_strstrip(err);
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("qemu-img failed to %1$s the volume '%2$s': %3$s"), what, path, err);
        return FALSE;
    }
    return TRUE;
}

/* Resizes volume @path of format @fmt to @size bytes with qemu-img (a
 * smaller size with --shrink); @made as for vgmStorageQemuImgRun */
static gboolean
vgmStorageQemuImgResize(const char *path, const char *fmt, guint64 size, gboolean shrink,
                        gboolean made, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *sizeStr = g_strdup_printf("%" G_GUINT64_FORMAT, size);

    g_ptr_array_add(argv, (char *)"qemu-img");
    g_ptr_array_add(argv, (char *)"resize");
    g_ptr_array_add(argv, (char *)"-q");
    g_ptr_array_add(argv, (char *)"-f");
    g_ptr_array_add(argv, (char *)fmt);
    if (shrink)
        g_ptr_array_add(argv, (char *)"--shrink");
    g_ptr_array_add(argv, (char *)path);
    g_ptr_array_add(argv, sizeStr);
    g_ptr_array_add(argv, NULL);
    return vgmStorageQemuImgRun(argv, path, _("resize"), made, error);
}

/* qemu-img's options of a new qcow2 volume: its level (<compat>) and its
 * lazy refcounts */
static void
vgmStorageQcow2Options(GPtrArray *argv, const char *compat, gboolean lazyRefcounts)
{
    g_ptr_array_add(argv, (char *)"-o");
    g_ptr_array_add(argv, (char *)(g_str_equal(compat, "0.10") ? "compat=0.10" : "compat=1.1"));
    if (lazyRefcounts) {
        g_ptr_array_add(argv, (char *)"-o");
        g_ptr_array_add(argv, (char *)"lazy_refcounts=on");
    }
}

/* A new volume's mode; on failure the volume is gone */
static gboolean
vgmStorageSetMode(const char *path, int mode, GError **error)
{
    int e;

    if (chmod(path, mode) == 0)
        return TRUE;
    e = errno;
    unlink(path);
    vgmErrorSetSystem(error, e, _("cannot set the mode of '%1$s'"), path);
    return FALSE;
}

/* Copies volume @fromPath (@from) into file @path (there, mode 0600) in
 * @format: qemu-img converts (and copies raw to raw sparsely), with the
 * options of a new qcow2 volume as for an empty one, then grows it to
 * @capacity and gives it @mode. On failure @path is gone. */
static gboolean
vgmStorageCopy(const char *fromPath, const VgmStorageVolData *from, const char *path,
               VgmStorageFormat format, const char *compat, gboolean lazyRefcounts,
               unsigned int flags, guint64 capacity, int mode, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *fmt = vgmStorageFormatTypeToString(format);

    g_ptr_array_add(argv, (char *)"qemu-img");
    g_ptr_array_add(argv, (char *)"convert");
    g_ptr_array_add(argv, (char *)"-q");
    g_ptr_array_add(argv, (char *)"-f");
    g_ptr_array_add(argv, (char *)vgmStorageFormatTypeToString(from->format));
    g_ptr_array_add(argv, (char *)"-O");
    g_ptr_array_add(argv, (char *)fmt);
    if (format == VGM_STORAGE_FORMAT_QCOW2) {
        vgmStorageQcow2Options(argv, compat, lazyRefcounts);
        if (flags & VGM_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
            g_ptr_array_add(argv, (char *)"-o");
            g_ptr_array_add(argv, (char *)"preallocation=metadata");
        }
    }
    g_ptr_array_add(argv, (char *)fromPath);
    g_ptr_array_add(argv, (char *)path);
    g_ptr_array_add(argv, NULL);
    if (!vgmStorageQemuImgRun(argv, path, _("copy into"), TRUE, error))
        return FALSE;
    if (capacity > from->capacity &&
        !vgmStorageQemuImgResize(path, fmt, capacity, FALSE, TRUE, error))
        return FALSE;
    return vgmStorageSetMode(path, mode, error);
}

/* A new volume of @pool from @xml, empty or (@fromPool, @fromName) a
 * copy of another volume's data in the new one's format (libvirt's
 * virStorageVolCreateXMLFrom, which virt-clone and virt-manager's clone
 * use: its capacity at least the original's) */
static VgmStorageVol *
vgmStorageVolCreate(VgmDriver *drv, const char *pool, const char *xml, const char *fromPool,
                    const char *fromName, unsigned int flags, GError **error)
{
    static const char *const volAttrs[] = { "type", NULL };
    static const char *const volChildren[] = {
        "name", "key", "capacity", "allocation", "physical", "source", "target", "backingStore",
        NULL
    };
    static const char *const backingChildren[] = { "path", "format", NULL };
    static const char *const targetChildren[] = {
        "path", "format", "permissions", "compat", "features", NULL
    };
    static const char *const featureChildren[] = { "lazy_refcounts", NULL };
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *type = NULL;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    g_autofree char *sizeStr = NULL;
    VgmStorageFormat format = VGM_STORAGE_FORMAT_RAW;
    VgmStoragePoolInfo info = { 0 };
    guint64 capacity = 0, allocation = 0;
    gboolean haveAlloc = FALSE;
    int mode = 0600;
    gint64 owner = -1, group = -1;
    xmlNodePtr root, node, target;
    VgmStorageVol *vol = NULL;
    g_autofree char *backing = NULL;
    VgmStorageFormat backingFormat = VGM_STORAGE_FORMAT_RAW;
    g_autofree char *compat = NULL;
    gboolean haveFeatures = FALSE;
    gboolean lazyRefcounts = FALSE;
    struct stat st;
    g_autoptr(VgmStoragePoolDef) fromDef = NULL;
    g_autofree char *fromPath = NULL;
    VgmStorageVolData from = { 0 };

    if (!vgmDriverCheckFlags(flags, VGM_STORAGE_VOL_CREATE_PREALLOC_METADATA, error))
        return NULL;
    if (fromName) {
        if (!(fromDef = vgmStorageVolFind(drv, fromPool, fromName, &from, error)))
            return NULL;
        fromPath = g_build_filename(fromDef->path, fromName, NULL);
    }
    if (!(doc = vgmXMLParseString(xml, "volume.xml", error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, BAD_CAST "volume")) {
        vgmErrorSet(error, VGM_ERR_XML, _("the root element of a storage volume must be <volume>"));
        return NULL;
    }
    if (!vgmXMLCheckNode(root, volAttrs, volChildren, error) ||
        vgmXMLPropString(root, "type", VGM_XML_PROP_NONE, &type, error) < 0)
        return NULL;
    if (type && !g_str_equal(type, "file")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("storage volume type '%1$s' is not supported: only 'file' volumes are"),
                    type);
        return NULL;
    }
    if (!(node = vgmXMLChild(root, "name")) || !(name = vgmXMLNodeContent(node))) {
        vgmErrorSet(error, VGM_ERR_XML, _("the storage volume has no <name>"));
        return NULL;
    }
    if (!vgmStorageCheckName(name, _("storage volume"), error))
        return NULL;
    if (!(node = vgmXMLChild(root, "capacity")) && !vgmXMLChild(root, "backingStore") &&
        !fromName) {
        vgmErrorSet(error, VGM_ERR_XML, _("the storage volume '%1$s' has no <capacity>"), name);
        return NULL;
    }
    if (node && !vgmStorageParseSize(node, &capacity, error))
        return NULL;
    if ((node = vgmXMLChild(root, "allocation"))) {
        if (!vgmStorageParseSize(node, &allocation, error))
            return NULL;
        haveAlloc = TRUE;
    }
    if ((node = vgmXMLChild(root, "source")) && xmlFirstElementChild(node)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("storage volume '%1$s': <source> is not supported"), name);
        return NULL;
    }
    if ((target = vgmXMLChild(root, "target"))) {
        if (!vgmXMLCheckNode(target, NULL, targetChildren, error))
            return NULL;
        if ((node = vgmXMLChild(target, "format")) &&
            vgmXMLPropEnum(node, "type", vgmStorageFormatTypeFromString,
                           VGM_XML_PROP_REQUIRED, (int *)&format, error) < 0)
            return NULL;
        if ((node = vgmXMLChild(target, "permissions")) &&
            !vgmStorageParsePermissions(node, &mode, &owner, &group, error))
            return NULL;
        if (mode < 0)
            mode = 0600;
        /* qcow2's version (0.10: 2, 1.1: 3) and its features, which only
         * version 3 has (and libvirt then asks for by default) */
        if ((node = vgmXMLChild(target, "compat")) &&
            (!(compat = vgmXMLNodeContent(node)) ||
             (!g_str_equal(compat, "0.10") && !g_str_equal(compat, "1.1")))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid <compat> '%1$s' of storage volume '%2$s': expected 0.10 or 1.1"),
                        compat ? compat : "", name);
            return NULL;
        }
        if ((node = vgmXMLChild(target, "features"))) {
            if (!vgmXMLCheckNode(node, NULL, featureChildren, error))
                return NULL;
            haveFeatures = TRUE;
            lazyRefcounts = vgmXMLChild(node, "lazy_refcounts") != NULL;
        }
        if ((compat || haveFeatures) && format != VGM_STORAGE_FORMAT_QCOW2) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("storage volume '%1$s' of format '%2$s' has no <compat> or <features>: only a qcow2 volume has them"),
                        name, vgmStorageFormatTypeToString(format));
            return NULL;
        }
        if (lazyRefcounts && g_strcmp0(compat, "0.10") == 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("storage volume '%1$s': <lazy_refcounts/> needs <compat>1.1</compat>, not 0.10"),
                        name);
            return NULL;
        }
    }
    /* libvirt's qcow2 level: 1.1 where features are asked for, else 0.10 */
    if (format == VGM_STORAGE_FORMAT_QCOW2 && !compat)
        compat = g_strdup(haveFeatures ? "1.1" : "0.10");
    /* a qcow2 overlay on another image (virt-install's backing_store=):
     * its path (relative: in the pool's directory) and its format, raw
     * unless given (as libvirt: never probed, which a guest's data could
     * fool) */
    if ((node = vgmXMLChild(root, "backingStore"))) {
        xmlNodePtr sub;

        if (!vgmXMLCheckNode(node, NULL, backingChildren, error))
            return NULL;
        if (!(sub = vgmXMLChild(node, "path")) || !(backing = vgmXMLNodeContent(sub)) ||
            !*backing) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("the <backingStore> of storage volume '%1$s' needs the <path> of an image"),
                        name);
            return NULL;
        }
        if ((sub = vgmXMLChild(node, "format")) &&
            vgmXMLPropEnum(sub, "type", vgmStorageFormatTypeFromString,
                           VGM_XML_PROP_REQUIRED, (int *)&backingFormat, error) < 0)
            return NULL;
        if (format != VGM_STORAGE_FORMAT_QCOW2) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("storage volume '%1$s' of format '%2$s' cannot have a <backingStore>: only a qcow2 volume has one"),
                        name, vgmStorageFormatTypeToString(format));
            return NULL;
        }
        if (fromName) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("storage volume '%1$s' cannot have a <backingStore>: it is a copy of volume '%2$s'"),
                        name, fromName);
            return NULL;
        }
        /* an overlay's clusters are its backing image's until written */
        if (flags & VGM_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("storage volume '%1$s' cannot have its metadata preallocated: it has a <backingStore>"),
                        name);
            return NULL;
        }
    }
    if ((flags & VGM_STORAGE_VOL_CREATE_PREALLOC_METADATA) && format != VGM_STORAGE_FORMAT_QCOW2) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("storage volume '%1$s' of format '%2$s' cannot have its metadata preallocated: only a qcow2 volume has metadata"),
                    name, vgmStorageFormatTypeToString(format));
        return NULL;
    }

    g_mutex_lock(&vgmStorageLock);
    if (!(def = vgmStorageLoadActive(drv, pool, error)))
        goto out;
    path = g_build_filename(def->path, name, NULL);
    if (target && (node = vgmXMLChild(target, "path"))) {
        g_autofree char *want = vgmXMLNodeContent(node);
        g_autofree char *canon = want ? g_canonicalize_filename(want, "/") : NULL;

        /* (virsh vol-clone gives the original's XML, path and all: the
         * path of the original is the copy's own) */
        if (!canon || (!g_str_equal(canon, path) && g_strcmp0(canon, fromPath) != 0)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("the target path '%1$s' of volume '%2$s' is not '%3$s' in storage pool '%4$s'"),
                        want ? want : "", name, path, def->name);
            goto out;
        }
    }
    if (lstat(path, &st) == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("storage volume '%1$s' already exists in storage pool '%2$s'"),
                    name, def->name);
        goto out;
    }
    if (backing) {
        g_autofree char *full = g_path_is_absolute(backing) ? g_strdup(backing) :
                                g_build_filename(def->path, backing, NULL);

        if (access(full, R_OK) < 0) {
            vgmErrorSetSystem(error, errno,
                              _("cannot read the backing store '%1$s' of storage volume '%2$s'"),
                              backing, name);
            goto out;
        }
    }
    if (!vgmStorageFsInfo(def->path, &info, error))
        goto out;
    /* (a copy is never smaller than its original; the data it takes is
     * what the original has allocated) */
    if (fromName)
        capacity = MAX(capacity, from.capacity);
    if ((fromName ? from.allocation : capacity) > info.available ||
        allocation > info.available) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("storage volume '%1$s' of %2$" G_GUINT64_FORMAT " bytes does not fit in storage pool '%3$s' (%4$" G_GUINT64_FORMAT " bytes available)"),
                    name, MAX(fromName ? from.allocation : capacity, allocation), def->name,
                    info.available);
        goto out;
    }
    if (fromName) {
        g_autofree char *tmp = g_build_filename(def->path, ".vgm-copy-XXXXXX", NULL);
        int tfd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
        gboolean copied;

        if (tfd < 0) {
            vgmErrorSetSystem(error, errno, _("cannot create the volume '%1$s'"), path);
            goto out;
        }
        close(tfd);
        /* the data is copied outside the lock, which every storage call
         * takes, into a file of mode 0600 under a hidden name (the
         * listing skips it), named the volume once whole */
        g_mutex_unlock(&vgmStorageLock);
        copied = vgmStorageCopy(fromPath, &from, tmp, format, compat, lazyRefcounts, flags,
                                capacity, mode, error);
        g_mutex_lock(&vgmStorageLock);
        if (!copied)
            goto out;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0) {
            int e = errno;

            unlink(tmp);
            if (e == EEXIST)
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("storage volume '%1$s' already exists in storage pool '%2$s'"),
                            name, def->name);
            else
                vgmErrorSetSystem(error, e, _("cannot create the volume '%1$s'"), path);
            goto out;
        }
    } else if (format == VGM_STORAGE_FORMAT_RAW) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        int rc = 0;

        if (fd < 0) {
            vgmErrorSetSystem(error, errno, _("cannot create the volume '%1$s'"), path);
            goto out;
        }
        /* as libvirt: a raw volume without <allocation> is allocated
         * whole (virsh vol-create-as without --allocation) */
        if (ftruncate(fd, capacity) < 0)
            rc = errno;
        else if ((haveAlloc ? allocation : capacity) > 0)
            rc = posix_fallocate(fd, 0, haveAlloc ? MIN(allocation, capacity) : capacity);
        if (rc == 0 && fchmod(fd, mode) < 0)
            rc = errno;
        close(fd);
        if (rc != 0) {
            unlink(path);
            vgmErrorSetSystem(error, rc, _("cannot size the volume '%1$s'"), path);
            goto out;
        }
    } else {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();

        g_ptr_array_add(argv, (char *)"qemu-img");
        g_ptr_array_add(argv, (char *)"create");
        g_ptr_array_add(argv, (char *)"-q");
        g_ptr_array_add(argv, (char *)"-f");
        g_ptr_array_add(argv, (char *)"qcow2");
        /* VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA, as libvirt asks
         * qemu-img for it: the metadata, or all of it when the allocation
         * asked for is the whole disk */
        if (flags & VGM_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
            g_ptr_array_add(argv, (char *)"-o");
            g_ptr_array_add(argv, (char *)(haveAlloc && allocation >= capacity ?
                                           "preallocation=falloc" :
                                           "preallocation=metadata"));
        }
        vgmStorageQcow2Options(argv, compat, lazyRefcounts);
        if (backing) {
            g_ptr_array_add(argv, (char *)"-b");
            g_ptr_array_add(argv, backing);
            g_ptr_array_add(argv, (char *)"-F");
            g_ptr_array_add(argv, (char *)vgmStorageFormatTypeToString(backingFormat));
        }
        g_ptr_array_add(argv, path);
        /* (an overlay without a capacity has its backing image's) */
        if (capacity || !backing) {
            sizeStr = g_strdup_printf("%" G_GUINT64_FORMAT, capacity);
            g_ptr_array_add(argv, sizeStr);
        }
        g_ptr_array_add(argv, NULL);
        if (!vgmStorageQemuImgRun(argv, path, _("create"), TRUE, error) ||
            !vgmStorageSetMode(path, mode, error))
            goto out;
    }
    if ((owner >= 0 || group >= 0) &&
        chown(path, owner >= 0 ? (uid_t)owner : (uid_t)-1,
              group >= 0 ? (gid_t)group : (gid_t)-1) < 0) {
        int e = errno;

        unlink(path);
        vgmErrorSetSystem(error, e, _("cannot set the owner of '%1$s'"), path);
        goto out;
    }
    vol = vgmStorageVolMake(def, name);
 out:
    g_mutex_unlock(&vgmStorageLock);
    return vol;
}

VgmStorageVol *
vgmDriverStorageVolCreateXML(VgmDriver *drv, const char *pool, const char *xml,
                             unsigned int flags, GError **error)
{
    return vgmStorageVolCreate(drv, pool, xml, NULL, NULL, flags, error);
}

VgmStorageVol *
vgmDriverStorageVolCreateXMLFrom(VgmDriver *drv, const char *pool, const char *xml,
                                 const char *fromPool, const char *fromName,
                                 unsigned int flags, GError **error)
{
    return vgmStorageVolCreate(drv, pool, xml, fromPool, fromName, flags, error);
}

gboolean
vgmDriverStorageVolDelete(VgmDriver *drv, const char *pool, const char *name,
                          unsigned int flags, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    VgmStorageVolData data;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return FALSE;
    path = g_build_filename(def->path, name, NULL);
    if (unlink(path) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot delete the volume '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

/* libvirt's virStorageVolWipeAlgorithm, by number: the names scrub takes
 * (NULL: zeroes, which the driver writes itself; trim is not done) */
static const char *const vgmStorageWipeAlgorithms[] = {
    NULL, "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33", "random",
};
#define VGM_STORAGE_WIPE_ALG_TRIM 9

gboolean
vgmDriverStorageVolWipe(VgmDriver *drv, const char *pool, const char *name,
                        unsigned int algorithm, unsigned int flags, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    VgmStorageVolData data;
    struct stat st;
    int fd;
    int rc = 0;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return FALSE;
    path = g_build_filename(def->path, name, NULL);
    if (algorithm == VGM_STORAGE_WIPE_ALG_TRIM) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("the wipe algorithm 'trim' is not supported"));
        return FALSE;
    }
    if (algorithm >= G_N_ELEMENTS(vgmStorageWipeAlgorithms)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unsupported wipe algorithm %1$u"), algorithm);
        return FALSE;
    }
    if (vgmStorageWipeAlgorithms[algorithm]) {
        /* the passes of patterns are scrub's, as libvirt runs it */
        g_autofree char *scrub = g_find_program_in_path("scrub");
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(GError) err = NULL;
        g_autofree char *out = NULL;
        g_autofree char *errOut = NULL;
        int status = 0;

        if (!scrub) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the wipe algorithm '%1$s' needs scrub, which is not installed (Debian package scrub)"),
                        vgmStorageWipeAlgorithms[algorithm]);
            return FALSE;
        }
        g_ptr_array_add(argv, scrub);
        g_ptr_array_add(argv, (char *)"-f");
        g_ptr_array_add(argv, (char *)"-p");
        g_ptr_array_add(argv, (char *)vgmStorageWipeAlgorithms[algorithm]);
        g_ptr_array_add(argv, path);
        g_ptr_array_add(argv, NULL);
        if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, 0, NULL, NULL, &out, &errOut,
                          &status, &err) || !g_spawn_check_wait_status(status, NULL)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("scrub failed to wipe the volume '%1$s': %2$s"), path,
                        err ? err->message : g_strstrip(errOut));
            return FALSE;
        }
        return TRUE;
    }
    /* zeroes: a sparse file is emptied and made its length again, as
     * libvirt does; another is zeroed in place, its space kept (written
     * with zeroes where the file system cannot zero a range) */
    if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0 ||
        fstat(fd, &st) < 0) {
        rc = errno;
    } else if (!S_ISREG(st.st_mode)) {
        rc = EINVAL;
    } else if (st.st_blocks < st.st_size / 512) {
        if (ftruncate(fd, 0) < 0 || ftruncate(fd, st.st_size) < 0)
            rc = errno;
    } else if (st.st_size > 0 &&
               fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, st.st_size) < 0) {
        g_autofree guint8 *zeroes = g_malloc0(1024 * 1024);
        off_t done = 0;

        while (done < st.st_size && rc == 0) {
            ssize_t n = pwrite(fd, zeroes, MIN(st.st_size - done, 1024 * 1024), done);

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                rc = n < 0 ? errno : EIO;
            else
                done += n;
        }
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = errno;
    if (fd >= 0)
        close(fd);
    if (rc != 0) {
        vgmErrorSetSystem(error, rc, _("cannot wipe the volume '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverStorageVolResize(VgmDriver *drv, const char *pool, const char *name,
                          guint64 capacity, unsigned int flags, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    VgmStoragePoolInfo info = { 0 };
    VgmStorageVolData data;
    guint64 want;

    if (!vgmDriverCheckFlags(flags, VGM_STORAGE_VOL_RESIZE_ALLOCATE | VGM_STORAGE_VOL_RESIZE_DELTA |
                             VGM_STORAGE_VOL_RESIZE_SHRINK, error) ||
        !(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return FALSE;
    path = g_build_filename(def->path, name, NULL);
    /* libvirt's rules: a delta shrinks with the shrink flag, grows
     * without; no shrinking below the allocation, nor at all without the
     * flag; preallocation for raw volumes only, within the pool's space */
    if ((flags & VGM_STORAGE_VOL_RESIZE_DELTA) && !(flags & VGM_STORAGE_VOL_RESIZE_SHRINK) &&
        capacity > (guint64)G_MAXINT64 - data.capacity) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot grow volume '%1$s' by %2$" G_GUINT64_FORMAT " bytes: too large"),
                    name, capacity);
        return FALSE;
    }
    if (flags & VGM_STORAGE_VOL_RESIZE_DELTA)
        want = (flags & VGM_STORAGE_VOL_RESIZE_SHRINK) ? data.capacity - MIN(capacity, data.capacity) :
                                                          data.capacity + capacity;
    else
        want = capacity;
    if (want > (guint64)G_MAXINT64) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot resize volume '%1$s' to %2$" G_GUINT64_FORMAT " bytes: too large"),
                    name, want);
        return FALSE;
    }
    if (want < data.allocation && want < data.capacity) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot shrink volume '%1$s' to %2$" G_GUINT64_FORMAT " bytes: below its allocation (%3$" G_GUINT64_FORMAT " bytes)"),
                    name, want, data.allocation);
        return FALSE;
    }
    if (want < data.capacity && !(flags & VGM_STORAGE_VOL_RESIZE_SHRINK)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot shrink volume '%1$s' from %2$" G_GUINT64_FORMAT " to %3$" G_GUINT64_FORMAT " bytes without the shrink flag"),
                    name, data.capacity, want);
        return FALSE;
    }
    if ((flags & VGM_STORAGE_VOL_RESIZE_ALLOCATE) && data.format != VGM_STORAGE_FORMAT_RAW) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("volume '%1$s' is %2$s: only a raw volume is allocated when it is resized"),
                    name, vgmStorageFormatTypeToString(data.format));
        return FALSE;
    }
    if (!vgmStorageFsInfo(def->path, &info, error))
        return FALSE;
    if ((flags & VGM_STORAGE_VOL_RESIZE_ALLOCATE) && want > data.allocation &&
        want - data.allocation > info.available) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("not enough space left in storage pool '%1$s' to allocate %2$" G_GUINT64_FORMAT " bytes for volume '%3$s'"),
                    def->name, want - data.allocation, name);
        return FALSE;
    }
    if (data.format == VGM_STORAGE_FORMAT_RAW) {
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        int rc = 0;

        if (fd < 0 || ftruncate(fd, (off_t)want) < 0) {
            rc = errno;
        } else if ((flags & VGM_STORAGE_VOL_RESIZE_ALLOCATE) && want > 0 &&
                   (rc = posix_fallocate(fd, 0, (off_t)want)) != 0) {
            /* (the volume keeps its size when its space cannot be had) */
            if (ftruncate(fd, (off_t)data.st.st_size) < 0) {
                /* the error above is the one to report */
            }
        }
        if (fd >= 0)
            close(fd);
        if (rc != 0) {
            vgmErrorSetSystem(error, rc, _("cannot resize the volume '%1$s'"), path);
            return FALSE;
        }
    } else {
        if (!vgmStorageQemuImgResize(path, vgmStorageFormatTypeToString(data.format), want,
                                     want < data.capacity, FALSE, error))
            return FALSE;
    }
    return TRUE;
}

int
vgmDriverStorageVolOpenStream(VgmDriver *drv, const char *pool, const char *name,
                              guint64 offset, gboolean upload, unsigned int flags,
                              GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    VgmStorageVolData data;
    struct stat st;
    int fd;

    if (!vgmDriverCheckFlags(flags, VGM_STORAGE_VOL_STREAM_SPARSE, error) ||
        !(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return -1;
    if (offset > G_MAXINT64) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("offset %1$" G_GUINT64_FORMAT " in volume '%2$s' is too large"),
                    offset, name);
        return -1;
    }
    path = g_build_filename(def->path, name, NULL);
    /* an upload writes over the volume's bytes from @offset on and keeps
     * the rest (as libvirt's does: no truncation) */
    /* (not blocking on what is no regular file, which the open checks) */
    if ((fd = open(path, (upload ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW |
                   O_NONBLOCK)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open the volume '%1$s'"), path);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("the volume '%1$s' is no regular file"), path);
        close(fd);
        return -1;
    }
    if (lseek(fd, (off_t)offset, SEEK_SET) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot seek to offset %1$" G_GUINT64_FORMAT
                                          " in the volume '%2$s'"), offset, path);
        close(fd);
        return -1;
    }
    return fd;
}

char *
vgmDriverStorageVolGetXMLDesc(VgmDriver *drv, const char *pool, const char *name,
                              unsigned int flags, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    g_autofree char *path = NULL;
    g_auto(VgmBuf) buf = { 0 };
    VgmStorageVolData data;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return NULL;
    path = g_build_filename(def->path, name, NULL);
    vgmBufInit(&buf, 0);
    vgmBufAdd(&buf, "<volume type='file'>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeString(&buf, "<name>%s</name>\n", name);
    vgmBufEscapeString(&buf, "<key>%s</key>\n", path);
    vgmBufAsprintf(&buf, "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n",
                   data.capacity);
    vgmBufAsprintf(&buf, "<allocation unit='bytes'>%" G_GUINT64_FORMAT "</allocation>\n",
                   data.allocation);
    vgmBufAsprintf(&buf, "<physical unit='bytes'>%" G_GUINT64_FORMAT "</physical>\n",
                   data.physical);
    vgmBufAdd(&buf, "<target>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeString(&buf, "<path>%s</path>\n", path);
    vgmBufAsprintf(&buf, "<format type='%s'/>\n", vgmStorageFormatTypeToString(data.format));
    vgmStorageFormatPermissions(&buf, data.st.st_mode & 07777, data.st.st_uid, data.st.st_gid);
    if (data.format == VGM_STORAGE_FORMAT_QCOW2)
        vgmBufAsprintf(&buf, "<compat>%s</compat>\n", data.qcow2Version >= 3 ? "1.1" : "0.10");
    /* qcow2 version 3's features, as libvirt lists them (none: empty) */
    if (data.lazyRefcounts) {
        vgmBufAdd(&buf, "<features>\n");
        vgmBufAdjustIndent(&buf, 2);
        vgmBufAdd(&buf, "<lazy_refcounts/>\n");
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</features>\n");
    } else if (data.format == VGM_STORAGE_FORMAT_QCOW2 && data.qcow2Version >= 3) {
        vgmBufAdd(&buf, "<features/>\n");
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</target>\n");
    if (data.backing[0]) {
        /* the backing file as the header names it (relative to the
         * volume's directory when it is relative), its format probed */
        g_autofree char *bpath = g_path_is_absolute(data.backing) ?
                                 g_strdup(data.backing) :
                                 g_build_filename(def->path, data.backing, NULL);
        VgmStorageFormat bformat;

        vgmBufAdd(&buf, "<backingStore>\n");
        vgmBufAdjustIndent(&buf, 2);
        vgmBufEscapeString(&buf, "<path>%s</path>\n", bpath);
        if (vgmStorageProbeFormat(bpath, &bformat))
            vgmBufAsprintf(&buf, "<format type='%s'/>\n", vgmStorageFormatTypeToString(bformat));
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</backingStore>\n");
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</volume>\n");
    return vgmBufSteal(&buf);
}

gboolean
vgmDriverStorageVolGetInfo(VgmDriver *drv, const char *pool, const char *name,
                           unsigned int flags, VgmStorageVolInfo *info, GError **error)
{
    g_autoptr(VgmStoragePoolDef) def = NULL;
    VgmStorageVolData data;

    if (!vgmDriverCheckFlags(flags, VGM_STORAGE_VOL_GET_PHYSICAL, error) ||
        !(def = vgmStorageVolFind(drv, pool, name, &data, error)))
        return FALSE;
    info->type = VGM_STORAGE_VOL_FILE;
    info->capacity = data.capacity;
    /* VIR_STORAGE_VOL_GET_PHYSICAL: the file's size, in place of what
     * its blocks take */
    info->allocation = (flags & VGM_STORAGE_VOL_GET_PHYSICAL) ? data.physical : data.allocation;
    return TRUE;
}
