/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_store.c: the directory layout, configs, status files, locks and
 * domain ids of the embedded driver (see driver_store.h).
 *
 * Every file another virt-gmem process may read is replaced atomically.
 * Locks are flock()s on files that are never removed (removing a lock file
 * lets two processes lock two different files of the same name); they die
 * with their holder, so a killed tool never leaves a domain locked, and
 * their descriptors are close-on-exec so QEMU never inherits one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "driver_store.h"
#include "driver_disk.h"
#include "driver_net.h"
#include "driver_cgroup.h"
#include "driver_fs.h"
#include "driver_tpm.h"
#include "qemu/qemu_agent.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_firmware.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

/*
 * The configs read, uuid hints, and the index of domain files of a store
 * (see vgmDriverStoreGetConfig and vgmDriverStoreStartIndex).
 *
 * The index follows the config and runtime directories with inotify: a
 * process that changes a file there raises the event before its call
 * returns, so draining the queue at the start of a call sees every change
 * finished before it. A config with an event since it was read is
 * "unchecked" until read again; a lost event (queue overflow, a watch
 * gone) means a new scan of both directories.
 */
typedef struct _VgmDriverStoreCache VgmDriverStoreCache;
struct _VgmDriverStoreCache {
    GMutex lock;
    GHashTable *configs;    /* name -> VgmDriverConfig, the last one read */
    GHashTable *uuids;      /* 16 bytes -> name: hints */
    gint64 dirMtimeNs;      /* without the index: the config dir when every
                             * config was checked */
    gboolean dirSettled;    /* ... and that time was well in the past */

    /* the index; notifyFd -1 when there is none */
    int notifyFd;
    int wdConfig;
    int wdRun;
    gboolean scanned;       /* files and dots hold what the dirs hold */
    guint64 configGen;      /* config events applied so far */
    GHashTable *files;      /* name -> VGM_DRIVER_STORE_HAS_* (not 0) */
    GHashTable *dots;       /* dot files in the config dir (set) */
    GHashTable *unchecked;  /* config name -> VGM_DRIVER_CHECK_* */
    VgmDriverStoreView *view; /* the view as of the last change, or NULL */

    GHashTable *busy;       /* name -> what holds its QEMU's monitor (a
                             * static string) in this process */
    GHashTable *looks;      /* name -> how many looks of this process are
                             * on its QEMU's monitor (a count) */
    GCond lookDone;         /* a look is over */
    GHashTable *unplugs;    /* "NAME/ID" -> whether the guest refused: the
                             * unplugs a detach of this process waits for */
};

/* What an unchecked config needs: a look at the file's identity (a new
 * file: a new inode), or a new read (changed in place). */
enum {
    VGM_DRIVER_CHECK_IDENTITY = 1,
    VGM_DRIVER_CHECK_READ = 2,
};

/* How old a directory's modification time must be before an unchanged
 * one is taken to mean unchanged contents: file times tick coarsely (a
 * jiffy), so a change in the same tick as the last look is not seen in
 * the time. */
#define VGM_DRIVER_STORE_SETTLE_NS (100 * G_GINT64_CONSTANT(1000000))

static guint
vgmDriverUUIDHash(gconstpointer key)
{
    const guint8 *b = key;
    guint h = 5381;
    int i;

    for (i = 0; i < 16; i++)
        h = h * 33 + b[i];
    return h;
}

static gboolean
vgmDriverUUIDEqual(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 16) == 0;
}


/* Largest config or status file we read back. */
#define VGM_DRIVER_STORE_MAX_FILE (16 * 1024 * 1024)
/* A stored definition is read as libvirt loads its configs: parsed, not
 * checked against the rules but the size limits (a rule newer than the
 * definition would lose it); a start checks it (vgmDriverDomainStart) */
#define VGM_DRIVER_STORE_CONFIG_PARSE VGM_DOMAIN_PARSE_STORED

/* How long a command waits for the store lock (held only for moments). */
#define VGM_DRIVER_STORE_LOCK_TIMEOUT_MS 5000

VGM_ENUM_IMPL(vgmDriverStatusState, VGM_DRIVER_STATUS_LAST,
              "starting",
              "running");

VGM_ENUM_IMPL(vgmDriverUpdateRole, VGM_DRIVER_UPDATE_LAST,
              "incoming",
              "retiring");

/* ---- layout ---- */

void
vgmDriverStoreFree(VgmDriverStore *store)
{
    if (!store)
        return;
    g_free(store->root);
    g_free(store->configDir);
    g_free(store->stateDir);
    g_free(store->runDir);
    g_free(store->logDir);
    g_free(store->cacheDir);
    g_free(store->mountsFile);
    g_free(store->cgroupRoot);
    if (store->cache) {
        VgmDriverStoreCache *c = store->cache;

        if (c->notifyFd >= 0)
            close(c->notifyFd);
        g_hash_table_unref(c->configs);
        g_hash_table_unref(c->uuids);
        g_hash_table_unref(c->busy);
        g_hash_table_unref(c->looks);
        g_cond_clear(&c->lookDone);
        g_hash_table_unref(c->unplugs);
        g_clear_pointer(&c->files, g_hash_table_unref);
        g_clear_pointer(&c->dots, g_hash_table_unref);
        g_clear_pointer(&c->unchecked, g_hash_table_unref);
        g_clear_pointer(&c->view, vgmDriverStoreViewUnref);
        g_mutex_clear(&c->lock);
        g_free(c);
    }
    g_free(store);
}

VgmDriverStore *
vgmDriverStoreOpen(const char *root, GError **error)
{
    g_autoptr(VgmDriverStore) store = g_new0(VgmDriverStore, 1);

    store->cache = g_new0(VgmDriverStoreCache, 1);
    g_mutex_init(&store->cache->lock);
    store->cache->configs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify)vgmDriverConfigUnref);
    store->cache->uuids = g_hash_table_new_full(vgmDriverUUIDHash, vgmDriverUUIDEqual,
                                                g_free, g_free);
    store->cache->notifyFd = -1;
    store->cache->busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    store->cache->looks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_cond_init(&store->cache->lookDone);
    store->cache->unplugs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    store->cgroupRoot = g_strdup(g_getenv("VIRT_GMEM_CGROUP_ROOT"));
    if (!root || !*root)
        root = g_getenv("VIRT_GMEM_ROOT");
    if (root && *root) {
        store->root = g_canonicalize_filename(root, NULL);
        store->configDir = g_build_filename(store->root, "etc", "qemu", NULL);
        store->stateDir = g_build_filename(store->root, "lib", "qemu", NULL);
        store->runDir = g_build_filename(store->root, "run", "qemu", NULL);
        store->logDir = g_build_filename(store->root, "log", "qemu", NULL);
        store->cacheDir = g_build_filename(store->root, "cache", "qemucaps", NULL);
    } else if (geteuid() == 0) {
        store->configDir = g_strdup("/var/lib/virt-gmem/qemu/config");
        store->stateDir = g_strdup("/var/lib/virt-gmem/qemu");
        store->runDir = g_strdup("/run/virt-gmem/qemu");
        store->logDir = g_strdup("/var/log/virt-gmem/qemu");
        store->cacheDir = g_strdup("/var/cache/virt-gmem/qemucaps");
    } else {
        store->configDir = g_build_filename(g_get_user_config_dir(), "virt-gmem", "qemu", NULL);
        store->stateDir = g_build_filename(g_get_user_state_dir(), "virt-gmem", "qemu", NULL);
        store->runDir = g_build_filename(g_get_user_runtime_dir(), "virt-gmem", "qemu", NULL);
        store->logDir = g_build_filename(g_get_user_state_dir(), "virt-gmem", "log", "qemu", NULL);
        store->cacheDir = g_build_filename(g_get_user_cache_dir(), "virt-gmem", "qemucaps", NULL);
    }

    if (!vgmFileMakePath(store->configDir, 0755, error) ||
        !vgmFileMakePath(store->stateDir, 0755, error) ||
        !vgmFileMakePath(store->runDir, 0755, error) ||
        !vgmFileMakePath(store->logDir, 0755, error))
        return NULL;
    return g_steal_pointer(&store);
}

void
vgmDriverStoreSetBusy(const VgmDriverStore *store, const char *name, const char *what)
{
    VgmDriverStoreCache *c = store->cache;

    g_mutex_lock(&c->lock);
    if (what) {
        /* marked first, so that no look begins on the monitor any more;
         * then a look that found it free (within its timeouts) gets it
         * first: none waits for it behind this operation */
        g_hash_table_replace(c->busy, g_strdup(name), (gpointer)what);
        while (g_hash_table_contains(c->looks, name))
            g_cond_wait(&c->lookDone, &c->lock);
    } else {
        g_hash_table_remove(c->busy, name);
    }
    g_mutex_unlock(&c->lock);
}

const char *
vgmDriverStoreLookBegin(const VgmDriverStore *store, const char *name)
{
    VgmDriverStoreCache *c = store->cache;
    const char *what;

    g_mutex_lock(&c->lock);
    if (!(what = g_hash_table_lookup(c->busy, name))) {
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(c->looks, name));

        g_hash_table_replace(c->looks, g_strdup(name), GUINT_TO_POINTER(n + 1));
    }
    g_mutex_unlock(&c->lock);
    return what;
}

void
vgmDriverStoreLookEnd(const VgmDriverStore *store, const char *name)
{
    VgmDriverStoreCache *c = store->cache;
    guint n;

    g_mutex_lock(&c->lock);
    n = GPOINTER_TO_UINT(g_hash_table_lookup(c->looks, name));
    if (n > 1)
        g_hash_table_replace(c->looks, g_strdup(name), GUINT_TO_POINTER(n - 1));
    else
        g_hash_table_remove(c->looks, name);
    g_cond_broadcast(&c->lookDone);
    g_mutex_unlock(&c->lock);
}

const char *
vgmDriverStoreGetBusy(const VgmDriverStore *store, const char *name)
{
    VgmDriverStoreCache *c = store->cache;
    const char *what;

    g_mutex_lock(&c->lock);
    what = g_hash_table_lookup(c->busy, name);
    g_mutex_unlock(&c->lock);
    return what;
}

void
vgmDriverStoreUnplugWait(const VgmDriverStore *store, const char *name, const char *id,
                         gboolean waiting)
{
    VgmDriverStoreCache *c = store->cache;
    g_autofree char *key = g_strdup_printf("%s/%s", name, id);

    g_mutex_lock(&c->lock);
    if (waiting)
        g_hash_table_replace(c->unplugs, g_steal_pointer(&key), GINT_TO_POINTER(FALSE));
    else
        g_hash_table_remove(c->unplugs, key);
    g_mutex_unlock(&c->lock);
}

gboolean
vgmDriverStoreUnplugRefused(const VgmDriverStore *store, const char *name, const char *id,
                            gboolean refuse)
{
    VgmDriverStoreCache *c = store->cache;
    g_autofree char *key = g_strdup_printf("%s/%s", name, id);
    gpointer refused = NULL;
    gboolean waited;

    g_mutex_lock(&c->lock);
    waited = g_hash_table_lookup_extended(c->unplugs, key, NULL, &refused);
    if (waited && refuse)
        g_hash_table_replace(c->unplugs, g_steal_pointer(&key), GINT_TO_POINTER(TRUE));
    g_mutex_unlock(&c->lock);
    return refuse ? waited : GPOINTER_TO_INT(refused);
}

gboolean
vgmDriverStoreCheckName(const char *name, GError **error)
{
    const char *p;

    if (!name || !*name) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("domain name must not be empty"));
        return FALSE;
    }
    if (strlen(name) > 200) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain name '%1$s' is longer than 200 bytes"), name);
        return FALSE;
    }
    if (name[0] == '.') {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain name '%1$s' must not start with '.'"), name);
        return FALSE;
    }
    if (!g_utf8_validate(name, -1, NULL)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("domain name is not valid UTF-8"));
        return FALSE;
    }
    for (p = name; *p; p++) {
        if (*p == '/' || g_ascii_iscntrl(*p)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("domain name '%1$s' must not contain '/' or control characters"),
                        name);
            return FALSE;
        }
    }
    return TRUE;
}

/* DIR/PREFIX NAME SUFFIX */
static char *
vgmDriverStoreFile(const char *dir, const char *prefix, const char *name,
                   const char *suffix)
{
    g_autofree char *base = g_strconcat(prefix, name, suffix, NULL);

    return g_build_filename(dir, base, NULL);
}

/* Defines @func(store, name): the path of domain NAME's file (or runtime
 * dir) @prefix NAME @suffix in store->@dir, as driver_store.h lays out. */
#define VGM_DRIVER_STORE_PATH(func, dir, prefix, suffix) \
    char * \
    func(const VgmDriverStore *store, const char *name) \
    { \
        return vgmDriverStoreFile(store->dir, prefix, name, suffix); \
    }

VGM_DRIVER_STORE_PATH(vgmDriverStoreConfigPath, configDir, "", ".xml")
VGM_DRIVER_STORE_PATH(vgmDriverStoreStatusPath, runDir, "", ".status")
VGM_DRIVER_STORE_PATH(vgmDriverStoreLockPath, runDir, "", ".lock")
VGM_DRIVER_STORE_PATH(vgmDriverStoreLogPath, logDir, "", ".log")
VGM_DRIVER_STORE_PATH(vgmDriverStoreDomainRunDir, runDir, "domain-", "")

char *
vgmDriverStoreAutostartPath(const VgmDriverStore *store, const char *name)
{
    g_autofree char *dir = g_build_filename(store->configDir, "autostart", NULL);

    return vgmDriverStoreFile(dir, "", name, "");
}

/* The domain whose write left temporary @file (see
 * vgmDriverStoreRemoveTemps), or NULL */
static char *
vgmDriverStoreTempDomain(const char *file)
{
    static const char *const kinds[] = { ".status.", ".stopped.", ".xml." };
    const char *last = strrchr(file, '.');
    const char *tail;
    gsize i;

    if (file[0] != '.' || !last || last == file)
        return NULL;
    tail = last + 1;
    if (!g_str_equal(tail, "new")) {
        if (strlen(tail) != 6)
            return NULL;
        for (const char *c = tail; *c; c++) {
            if (!g_ascii_isalnum(*c))
                return NULL;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(kinds); i++) {
        gsize k = strlen(kinds[i]);

        if ((gsize)(last + 1 - file) > k + 1 &&
            strncmp(last + 1 - k, kinds[i], k) == 0 &&
            (g_str_equal(tail, "new") ? g_str_equal(kinds[i], ".xml.") : TRUE))
            return g_strndup(file + 1, (gsize)(last + 1 - k - (file + 1)));
    }
    return NULL;
}

void
vgmDriverStoreRemoveTemps(const VgmDriverStore *store)
{
    const char *dirs[] = { store->runDir, store->configDir };
    gsize i;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autoptr(GDir) d = g_dir_open(dirs[i], 0, NULL);
        const char *ent;

        while (d && (ent = g_dir_read_name(d))) {
            g_autofree char *name = vgmDriverStoreTempDomain(ent);
            g_autofree char *path = NULL;
            g_autoptr(VgmDriverLock) lock = NULL;

            if (!name || !vgmDriverStoreCheckName(name, NULL) ||
                !(lock = vgmDriverStoreLockDomain(store, name, 0, NULL)))
                continue;
            path = g_build_filename(dirs[i], ent, NULL);
            if (g_unlink(path) < 0 && errno != ENOENT)
                g_warning(_("cannot remove the temporary file '%1$s': %2$s"), path,
                          g_strerror(errno));
        }
    }
}

char *
vgmDriverStoreSnapshotDir(const VgmDriverStore *store, const char *name)
{
    return g_build_filename(store->stateDir, "snapshot", name, NULL);
}

char *
vgmDriverStorePidfilePath(const VgmDriverStore *store, const char *name)
{
    g_autofree char *dir = vgmDriverStoreDomainRunDir(store, name);

    return g_build_filename(dir, "qemu.pid", NULL);
}

char *
vgmDriverStoreMemoryDir(const VgmDriverStore *store)
{
    return g_build_filename(store->stateDir, "ram", NULL);
}

char *
vgmDriverStoreObjectDir(const VgmDriverStore *store, gboolean run, const char *kind)
{
    g_autofree char *parent = g_path_get_dirname(run ? store->runDir : store->configDir);

    return g_build_filename(parent, kind, NULL);
}

static gint
vgmDriverStoreCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the files in @dir ending in @suffix (dot files are a
 * write in progress or its leftover, never a domain). */
static GPtrArray *
vgmDriverStoreListSuffix(const char *dir, const char *suffix, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    const char *ent;

    if (!(d = g_dir_open(dir, 0, &err))) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read directory '%1$s': %2$s"),
                    dir, err->message);
        return NULL;
    }
    while ((ent = g_dir_read_name(d))) {
        if (ent[0] == '.' || !g_str_has_suffix(ent, suffix) ||
            strlen(ent) == strlen(suffix))
            continue;
        g_ptr_array_add(names, g_strndup(ent, strlen(ent) - strlen(suffix)));
    }
    g_ptr_array_sort(names, vgmDriverStoreCompareNames);
    return g_steal_pointer(&names);
}

static char *vgmDriverStoreStopReasonPath(const VgmDriverStore *store, const char *name);

/* ---- persistent configs ---- */

GPtrArray *
vgmDriverStoreListConfigs(const VgmDriverStore *store, GError **error)
{
    return vgmDriverStoreListSuffix(store->configDir, ".xml", error);
}

/* ---- the config cache ---- */

VgmDriverConfig *
vgmDriverConfigRef(VgmDriverConfig *cfg)
{
    g_atomic_int_inc(&cfg->refs);
    return cfg;
}

void
vgmDriverConfigUnref(VgmDriverConfig *cfg)
{
    if (!cfg || !g_atomic_int_dec_and_test(&cfg->refs))
        return;
    g_free(cfg->xml);
    g_free(cfg->broken);
    g_free(cfg);
}

VgmDomainDef *
vgmDriverConfigParse(const VgmDriverStore *store, const char *name,
                     const VgmDriverConfig *cfg, GError **error)
{
    g_autofree char *xml = vgmDriverStoreConfigXML(store, name, cfg, error);

    if (!xml)
        return NULL;
    return vgmDomainDefParseString(xml, NULL, VGM_DRIVER_STORE_CONFIG_PARSE, error);
}

static gboolean
vgmDriverConfigSameFile(const VgmDriverConfig *cfg, const struct stat *st)
{
    return cfg->dev == st->st_dev && cfg->ino == st->st_ino && cfg->size == st->st_size &&
           cfg->mtimeNs == vgmFileTimeNs(&st->st_mtim) &&
           cfg->ctimeNs == vgmFileTimeNs(&st->st_ctim);
}

char *
vgmDriverStoreUUIDHint(const VgmDriverStore *store, const unsigned char *uuid)
{
    char *name;

    g_mutex_lock(&store->cache->lock);
    name = g_strdup(g_hash_table_lookup(store->cache->uuids, uuid));
    g_mutex_unlock(&store->cache->lock);
    return name;
}

void
vgmDriverStoreSetUUIDHint(const VgmDriverStore *store, const unsigned char *uuid,
                          const char *name)
{
    g_mutex_lock(&store->cache->lock);
    g_hash_table_replace(store->cache->uuids, g_memdup2(uuid, 16), g_strdup(name));
    g_mutex_unlock(&store->cache->lock);
}

/* Without the index: TRUE when the config dir has not changed (its
 * modification time, old enough not to hide a change in the same clock
 * tick) since the last call, so that every cached config is still its
 * file; FALSE asks the caller to check each one (and records the dir as
 * it is now). Configs change only by rename (define) or removal, which
 * both change the dir. */
static gboolean
vgmDriverStoreConfigsUnchanged(const VgmDriverStore *store)
{
    struct stat st;
    gint64 mtime;
    gboolean same;

    if (stat(store->configDir, &st) < 0)
        return FALSE;
    mtime = vgmFileTimeNs(&st.st_mtim);
    g_mutex_lock(&store->cache->lock);
    same = store->cache->dirSettled && store->cache->dirMtimeNs == mtime;
    if (!same) {
        /* the caller checks every config now; from then on an unchanged
         * directory vouches for them, once its time is old enough */
        store->cache->dirMtimeNs = mtime;
        store->cache->dirSettled = g_get_real_time() * 1000 - mtime > VGM_DRIVER_STORE_SETTLE_NS;
    }
    g_mutex_unlock(&store->cache->lock);
    return same;
}

/* The uuid of the config text @xml of @name that cannot be parsed (see
 * vgmDriverStoreBrokenConfigUUID). */
static void
vgmDriverStoreBrokenUUID(const char *xml, const char *name, unsigned char *uuid)
{
    g_autofree char *sum = NULL;
    const char *start;
    const char *end;

    if (xml && (start = strstr(xml, "<uuid>")) && (end = strstr(start, "</uuid>"))) {
        g_autofree char *text = NULL;

        start += strlen("<uuid>");
        text = g_strndup(start, end - start);
        if (vgmDomainUUIDParse(text, uuid))
            return;
    }
    /* one of its own, the same every time: a uuid names no other domain */
    sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, name, -1);
    sum[32] = '\0';
    if (!vgmDomainUUIDParse(sum, uuid))
        g_assert_not_reached();
    uuid[6] = (uuid[6] & 0x0f) | 0x80; /* version 8: made up */
    uuid[8] = (uuid[8] & 0x3f) | 0x80; /* RFC 4122 variant */
}

void
vgmDriverStoreBrokenConfigUUID(const VgmDriverStore *store, const char *name,
                               unsigned char *uuid)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);
    g_autofree char *xml = NULL;

    if (!vgmFileReadAll(path, VGM_DRIVER_STORE_MAX_FILE, &xml, NULL, NULL))
        g_clear_pointer(&xml, g_free);
    vgmDriverStoreBrokenUUID(xml, name, uuid);
}

/* The cache's config of @name becomes @cfg (a reference is taken), or
 * none. Called with the cache lock held. */
static void
vgmDriverStoreCacheSet(VgmDriverStoreCache *c, const char *name, VgmDriverConfig *cfg)
{
    if (g_hash_table_lookup(c->configs, name) == cfg)
        return;
    if (cfg) {
        g_hash_table_replace(c->configs, g_strdup(name), vgmDriverConfigRef(cfg));
    } else {
        g_hash_table_remove(c->configs, name);
    }
}

/* A stored definition that does not parse: the error names the file,
 * which a message about the XML alone would not. */
static void
vgmDriverStoreConfigParseError(GError **error, const char *path, GError *err)
{
    vgmErrorSet(error, err->domain == VGM_ERROR ? (VgmErrorCode)err->code : VGM_ERR_XML,
                _("stored definition %1$s: %2$s"), path, err->message);
}

/* Reads the config of @name from its file; a file that is no definition
 * of @name gives a config with @broken set. NULL (and @error) when it
 * cannot be read. */
static gboolean vgmDriverStoreRenamedTo(const VgmDriverStore *store, const char *name,
                                        VgmDomainDef *def);

static VgmDriverConfig *
vgmDriverStoreReadConfig(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);
    g_autoptr(VgmDriverConfig) cfg = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    struct stat st;
    int fd;

    /* read it, keyed by what was read (fstat of the same descriptor) */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno == ENOENT) {
            vgmErrorSet(error, VGM_ERR_NO_DOMAIN, _("domain '%1$s' is not defined"), name);
            return NULL;
        }
        vgmErrorSetSystem(error, errno, _("cannot open '%1$s'"), path);
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("config '%1$s' is not a regular file"), path);
        return NULL;
    }
    {
        g_autofree char *fdPath = g_strdup_printf("/proc/self/fd/%d", fd);
        gboolean ok = vgmFileReadAll(fdPath, VGM_DRIVER_STORE_MAX_FILE, &xml, NULL, error);

        close(fd);
        if (!ok)
            return NULL;
    }
    cfg = g_new0(VgmDriverConfig, 1);
    cfg->refs = 1;
    cfg->dev = st.st_dev;
    cfg->ino = st.st_ino;
    cfg->size = st.st_size;
    cfg->mtimeNs = vgmFileTimeNs(&st.st_mtim);
    cfg->ctimeNs = vgmFileTimeNs(&st.st_ctim);
    if (!(def = vgmDomainDefParseString(xml, path, VGM_DRIVER_STORE_CONFIG_PARSE, &err))) {
        g_autoptr(GError) why = NULL;

        vgmDriverStoreConfigParseError(&why, path, err);
        cfg->brokenCode = why->code;
        cfg->broken = g_strdup(why->message);
    } else if (!g_str_equal(def->name, name) && !vgmDriverStoreRenamedTo(store, name, def)) {
        cfg->brokenCode = VGM_ERR_INTERNAL;
        cfg->broken = g_strdup_printf(_("config file '%1$s' holds domain '%2$s', not '%3$s'"),
                                      path, def->name, name);
    }
    if (cfg->broken) {
        vgmDriverStoreBrokenUUID(xml, name, cfg->uuid);
        return g_steal_pointer(&cfg);
    }
    memcpy(cfg->uuid, def->uuid, 16);
    cfg->xml = vgmDomainDefFormat(def);
    /* the file is the text: no need to keep a copy in memory */
    if (g_str_equal(cfg->xml, xml))
        g_clear_pointer(&cfg->xml, g_free);
    return g_steal_pointer(&cfg);
}

static void vgmDriverStoreIndexDrain(VgmDriverStoreCache *c);
static void vgmDriverStoreIndexUncheck(VgmDriverStoreCache *c, const char *name, guint how);

/* The config events seen so far (with the index), before a read. */
static guint64
vgmDriverStoreReadBegin(VgmDriverStoreCache *c)
{
    guint64 gen = 0;

    g_mutex_lock(&c->lock);
    if (c->notifyFd >= 0 && c->scanned) {
        vgmDriverStoreIndexDrain(c);
        gen = c->configGen;
    }
    g_mutex_unlock(&c->lock);
    return gen;
}

/* Caches @cfg, read of @name after vgmDriverStoreReadBegin gave @gen: a
 * config changed meanwhile may be older than what the index saw, so it
 * is looked at again before the index vouches for it. */
static void
vgmDriverStoreReadEnd(VgmDriverStoreCache *c, const char *name, VgmDriverConfig *cfg,
                      guint64 gen)
{
    g_mutex_lock(&c->lock);
    vgmDriverStoreCacheSet(c, name, cfg);
    if (c->notifyFd >= 0 && c->scanned) {
        vgmDriverStoreIndexDrain(c);
        if (c->configGen != gen)
            vgmDriverStoreIndexUncheck(c, name, VGM_DRIVER_CHECK_IDENTITY);
    }
    g_mutex_unlock(&c->lock);
}

/* The config of @name, from the cache when @trusted (no look at the
 * file) or when the file is the one cached, else read (again when
 * @reread) and cached; a broken one too (the caller turns it into an
 * error). */
static VgmDriverConfig *vgmDriverStoreFetchConfigFull(const VgmDriverStore *store,
                                                      const char *name, gboolean trusted,
                                                      gboolean reread, GError **error);

static VgmDriverConfig *
vgmDriverStoreFetchConfig(const VgmDriverStore *store, const char *name, gboolean trusted,
                          GError **error)
{
    return vgmDriverStoreFetchConfigFull(store, name, trusted, FALSE, error);
}

static VgmDriverConfig *
vgmDriverStoreFetchConfigFull(const VgmDriverStore *store, const char *name,
                              gboolean trusted, gboolean reread, GError **error)
{
    VgmDriverStoreCache *c = store->cache;
    VgmDriverConfig *cfg;
    struct stat st;
    guint64 gen;

    if (trusted) {
        g_mutex_lock(&c->lock);
        if ((cfg = g_hash_table_lookup(c->configs, name)))
            vgmDriverConfigRef(cfg);
        g_mutex_unlock(&c->lock);
        if (cfg)
            return cfg;
    }
    gen = vgmDriverStoreReadBegin(c);
    if (!reread) {
        g_autofree char *path = vgmDriverStoreConfigPath(store, name);

        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            g_mutex_lock(&c->lock);
            cfg = g_hash_table_lookup(c->configs, name);
            if (cfg && vgmDriverConfigSameFile(cfg, &st)) {
                vgmDriverConfigRef(cfg);
                g_mutex_unlock(&c->lock);
                return cfg;
            }
            g_mutex_unlock(&c->lock);
        }
    }
    if (!(cfg = vgmDriverStoreReadConfig(store, name, error)))
        return NULL;
    vgmDriverStoreReadEnd(c, name, cfg, gen);
    return cfg;
}

/* A broken config as the error it is. */
static VgmDriverConfig *
vgmDriverStoreConfigOrError(VgmDriverConfig *cfg, GError **error)
{
    if (cfg && cfg->broken) {
        vgmErrorSet(error, cfg->brokenCode, "%s", cfg->broken);
        vgmDriverConfigUnref(cfg);
        return NULL;
    }
    return cfg;
}

char *
vgmDriverStoreConfigXML(const VgmDriverStore *store, const char *name,
                        const VgmDriverConfig *cfg, GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);
    g_autoptr(VgmDriverConfig) now = NULL;
    guint tries;

    for (tries = 0; tries < 3; tries++) {
        g_autofree char *fdPath = NULL;
        char *xml = NULL;
        struct stat st;
        int fd;

        if (cfg->broken) {
            vgmErrorSet(error, cfg->brokenCode, "%s", cfg->broken);
            return NULL;
        }
        if (cfg->xml)
            return g_strdup(cfg->xml);
        /* the file, if it is still the one @cfg was read from */
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
            if (fstat(fd, &st) == 0 && vgmDriverConfigSameFile(cfg, &st)) {
                fdPath = g_strdup_printf("/proc/self/fd/%d", fd);
                if (!vgmFileReadAll(fdPath, VGM_DRIVER_STORE_MAX_FILE, &xml, NULL, error)) {
                    close(fd);
                    return NULL;
                }
                close(fd);
                return xml;
            }
            close(fd);
        }
        /* replaced meanwhile: the config as it is now */
        g_clear_pointer(&now, vgmDriverConfigUnref);
        if (!(now = vgmDriverStoreFetchConfig(store, name, FALSE, error)))
            return NULL;
        cfg = now;
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("config '%1$s' changes while it is read"), path);
    return NULL;
}

VgmDriverConfig *
vgmDriverStoreGetConfig(const VgmDriverStore *store, const char *name, GError **error)
{
    return vgmDriverStoreConfigOrError(vgmDriverStoreFetchConfig(store, name, FALSE, error),
                                       error);
}

/* ---- the index ---- */

VgmDriverStoreView *
vgmDriverStoreViewRef(VgmDriverStoreView *view)
{
    g_atomic_int_inc(&view->refs);
    return view;
}

void
vgmDriverStoreViewUnref(VgmDriverStoreView *view)
{
    if (!view || !g_atomic_int_dec_and_test(&view->refs))
        return;
    g_ptr_array_unref(view->names);
    g_hash_table_unref(view->files);
    g_free(view);
}

guint
vgmDriverStoreViewFiles(const VgmDriverStoreView *view, const char *name)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(view->files, name));
}

/* The name of domain file @file (NAME@suffix, not a dot file), or NULL. */
static char *
vgmDriverStoreFileDomain(const char *file, const char *suffix)
{
    gsize len = strlen(file);
    gsize slen = strlen(suffix);

    if (file[0] == '.' || len <= slen || !g_str_has_suffix(file, suffix))
        return NULL;
    return g_strndup(file, len - slen);
}

/* Index: domain @name has the file @bit (@present) or not any more. */
static void
vgmDriverStoreIndexFile(VgmDriverStoreCache *c, const char *name, guint bit, gboolean present)
{
    guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(c->files, name));
    guint now = present ? bits | bit : bits & ~bit;

    if (now != bits)
        g_clear_pointer(&c->view, vgmDriverStoreViewUnref);
    if (now)
        g_hash_table_replace(c->files, g_strdup(name), GUINT_TO_POINTER(now));
    else
        g_hash_table_remove(c->files, name);
    if (!(bits & VGM_DRIVER_STORE_HAS_CONFIG) || now & VGM_DRIVER_STORE_HAS_CONFIG)
        return;
    /* a config gone: so is what was read of it */
    vgmDriverStoreCacheSet(c, name, NULL);
    g_hash_table_remove(c->unchecked, name);
}

/* Index: a config to look at again, @how (VGM_DRIVER_CHECK_*). */
static void
vgmDriverStoreIndexUncheck(VgmDriverStoreCache *c, const char *name, guint how)
{
    guint was = GPOINTER_TO_UINT(g_hash_table_lookup(c->unchecked, name));

    if (how > was)
        g_hash_table_replace(c->unchecked, g_strdup(name), GUINT_TO_POINTER(how));
}

/* Index: one event of the config dir. */
static void
vgmDriverStoreIndexConfigEvent(VgmDriverStoreCache *c, guint32 mask, const char *file)
{
    gboolean gone = mask & (IN_DELETE | IN_MOVED_FROM);
    gboolean added = mask & (IN_CREATE | IN_MOVED_TO);
    g_autofree char *name = NULL;

    if (file[0] == '.') {
        /* a write in progress, or a leftover of a killed one */
        if (gone)
            g_hash_table_remove(c->dots, file);
        else if (added)
            g_hash_table_add(c->dots, g_strdup(file));
        return;
    }
    if (!(name = vgmDriverStoreFileDomain(file, ".xml")))
        return;
    c->configGen++;
    if (gone) {
        vgmDriverStoreIndexFile(c, name, VGM_DRIVER_STORE_HAS_CONFIG, FALSE);
        return;
    }
    /* a new file has a new inode; one written in place may look the same */
    vgmDriverStoreIndexUncheck(c, name, added ? VGM_DRIVER_CHECK_IDENTITY :
                                                VGM_DRIVER_CHECK_READ);
    if (added)
        vgmDriverStoreIndexFile(c, name, VGM_DRIVER_STORE_HAS_CONFIG, TRUE);
}

/* Index: one event of the runtime dir. */
static void
vgmDriverStoreIndexRunEvent(VgmDriverStoreCache *c, guint32 mask, const char *file)
{
    gboolean present = !(mask & (IN_DELETE | IN_MOVED_FROM));
    g_autofree char *name = NULL;

    if ((name = vgmDriverStoreFileDomain(file, ".status")))
        vgmDriverStoreIndexFile(c, name, VGM_DRIVER_STORE_HAS_STATUS, present);
    else if ((name = vgmDriverStoreFileDomain(file, ".stopped")))
        vgmDriverStoreIndexFile(c, name, VGM_DRIVER_STORE_HAS_STOPPED, present);
}

/* Index: applies the events queued so far. A lost one asks for a new
 * scan. Called with the cache lock held. */
static void
vgmDriverStoreIndexDrain(VgmDriverStoreCache *c)
{
    guint8 buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

    for (;;) {
        ssize_t n = read(c->notifyFd, buf, sizeof(buf));
        ssize_t off = 0;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN)
                c->scanned = FALSE;
            return;
        }
        while (off + (ssize_t)sizeof(struct inotify_event) <= n) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + off);

            off += sizeof(*ev) + ev->len;
            if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF |
                            IN_MOVE_SELF | IN_UNMOUNT)) {
                c->scanned = FALSE;
                continue;
            }
            if (!c->scanned || ev->len == 0 || !ev->name[0])
                continue;
            if (ev->wd == c->wdConfig)
                vgmDriverStoreIndexConfigEvent(c, ev->mask, ev->name);
            else if (ev->wd == c->wdRun)
                vgmDriverStoreIndexRunEvent(c, ev->mask, ev->name);
        }
    }
}

/* Index: reads both directories again (after the watches are in place,
 * so that the events then applied bring it up to date). Called with the
 * cache lock held; FALSE when a directory cannot be read or watched (the
 * index is then given up). */
static gboolean
vgmDriverStoreIndexScan(const VgmDriverStore *store)
{
    VgmDriverStoreCache *c = store->cache;
    const guint32 cfgMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                            IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB |
                            IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    const guint32 runMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                            IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    g_autoptr(GDir) cd = NULL;
    g_autoptr(GDir) rd = NULL;
    g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer key;
    const char *ent;
    guint i;

    /* what is queued describes what is about to be read anyway */
    c->scanned = FALSE;
    vgmDriverStoreIndexDrain(c);
    if ((c->wdConfig = inotify_add_watch(c->notifyFd, store->configDir, cfgMask)) < 0 ||
        (c->wdRun = inotify_add_watch(c->notifyFd, store->runDir, runMask)) < 0 ||
        !(cd = g_dir_open(store->configDir, 0, NULL)) ||
        !(rd = g_dir_open(store->runDir, 0, NULL)))
        return FALSE;
    g_hash_table_remove_all(c->files);
    g_hash_table_remove_all(c->dots);
    g_clear_pointer(&c->view, vgmDriverStoreViewUnref);
    c->scanned = TRUE;
    while ((ent = g_dir_read_name(cd)))
        vgmDriverStoreIndexConfigEvent(c, IN_MOVED_TO, ent);
    while ((ent = g_dir_read_name(rd)))
        vgmDriverStoreIndexRunEvent(c, IN_MOVED_TO, ent);
    /* configs cached of names no longer there */
    g_hash_table_iter_init(&it, c->configs);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        guint bits = GPOINTER_TO_UINT(g_hash_table_lookup(c->files, key));

        if (!(bits & VGM_DRIVER_STORE_HAS_CONFIG))
            g_ptr_array_add(gone, g_strdup(key));
    }
    for (i = 0; i < gone->len; i++)
        vgmDriverStoreCacheSet(c, g_ptr_array_index(gone, i), NULL);
    vgmDriverStoreIndexDrain(c);
    return c->scanned;
}

/* Index: gives it up (the store then reads the directories each time). */
static void
vgmDriverStoreIndexStop(VgmDriverStoreCache *c)
{
    if (c->notifyFd >= 0)
        close(c->notifyFd);
    c->notifyFd = -1;
    c->scanned = FALSE;
    g_clear_pointer(&c->view, vgmDriverStoreViewUnref);
}

/* Index: brings it up to date; FALSE when there is none. Called with the
 * cache lock held. */
static gboolean
vgmDriverStoreIndexUpdate(const VgmDriverStore *store)
{
    VgmDriverStoreCache *c = store->cache;

    if (c->notifyFd < 0)
        return FALSE;
    vgmDriverStoreIndexDrain(c);
    if (!c->scanned && !vgmDriverStoreIndexScan(store)) {
        vgmDriverStoreIndexStop(c);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverStoreStartIndex(VgmDriverStore *store)
{
    VgmDriverStoreCache *c = store->cache;
    gboolean ok;

    g_mutex_lock(&c->lock);
    if (c->notifyFd >= 0) {
        g_mutex_unlock(&c->lock);
        return TRUE;
    }
    if ((c->notifyFd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
        g_mutex_unlock(&c->lock);
        return FALSE;
    }
    c->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->dots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->unchecked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    ok = vgmDriverStoreIndexUpdate(store);
    g_mutex_unlock(&c->lock);
    return ok;
}

/* Index: reads again the configs that changed since they were read. */
static void
vgmDriverStoreIndexCheck(const VgmDriverStore *store)
{
    VgmDriverStoreCache *c = store->cache;
    guint round;

    /* a config that changes all the time is left unchecked after a few
     * rounds (the view then says so) */
    for (round = 0; round < 3; round++) {
        g_autoptr(GHashTable) todo = NULL;
        GHashTableIter it;
        gpointer key, value;

        g_mutex_lock(&c->lock);
        if (!vgmDriverStoreIndexUpdate(store) || g_hash_table_size(c->unchecked) == 0) {
            g_mutex_unlock(&c->lock);
            return;
        }
        /* events from now on put a name back */
        todo = g_steal_pointer(&c->unchecked);
        c->unchecked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_mutex_unlock(&c->lock);

        g_hash_table_iter_init(&it, todo);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            g_autoptr(VgmDriverConfig) cfg = NULL;

            /* one changed in place may look the same: read it */
            cfg = vgmDriverStoreFetchConfigFull(store, key, FALSE,
                                                GPOINTER_TO_UINT(value) == VGM_DRIVER_CHECK_READ,
                                                NULL);
            if (!cfg) {
                /* gone (its event says so), or unreadable: not cached */
                g_mutex_lock(&c->lock);
                vgmDriverStoreCacheSet(c, key, NULL);
                g_mutex_unlock(&c->lock);
            }
        }
    }
}

/* Sorted names of the files in @dir ending in @suffix (dot files are a
 * write in progress or its leftover, never a domain), added to @files
 * with @bit. */
static gboolean
vgmDriverStoreReadDir(const char *dir, const char *suffix, guint bit, GHashTable *files,
                      GError **error)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    const char *ent;

    if (!(d = g_dir_open(dir, 0, &err))) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read directory '%1$s': %2$s"),
                    dir, err->message);
        return FALSE;
    }
    while ((ent = g_dir_read_name(d))) {
        char *name = vgmDriverStoreFileDomain(ent, suffix);

        if (name)
            g_hash_table_replace(files, name, GUINT_TO_POINTER(bit |
                                 GPOINTER_TO_UINT(g_hash_table_lookup(files, name))));
    }
    return TRUE;
}

/* A view of @files (name -> bits), taken. */
static VgmDriverStoreView *
vgmDriverStoreViewNew(GHashTable *files, gboolean configsCurrent)
{
    VgmDriverStoreView *view = g_new0(VgmDriverStoreView, 1);
    GHashTableIter it;
    gpointer key, value;

    view->refs = 1;
    view->files = files;
    view->configsCurrent = configsCurrent;
    view->names = g_ptr_array_new_full(g_hash_table_size(files), NULL);
    g_hash_table_iter_init(&it, files);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        /* a stop reason alone is no domain */
        if (GPOINTER_TO_UINT(value) & (VGM_DRIVER_STORE_HAS_CONFIG | VGM_DRIVER_STORE_HAS_STATUS))
            g_ptr_array_add(view->names, key);
    }
    g_ptr_array_sort(view->names, vgmDriverStoreCompareNames);
    return view;
}

VgmDriverStoreView *
vgmDriverStoreGetView(const VgmDriverStore *store, GError **error)
{
    VgmDriverStoreCache *c = store->cache;
    g_autoptr(GHashTable) files = NULL;
    gboolean unchanged;

    vgmDriverStoreIndexCheck(store);
    g_mutex_lock(&c->lock);
    if (vgmDriverStoreIndexUpdate(store)) {
        VgmDriverStoreView *view;

        if (c->view) {
            view = vgmDriverStoreViewRef(c->view);
        } else {
            GHashTableIter it;
            gpointer key, value;

            files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            g_hash_table_iter_init(&it, c->files);
            while (g_hash_table_iter_next(&it, &key, &value))
                g_hash_table_insert(files, g_strdup(key), value);
            view = vgmDriverStoreViewNew(g_steal_pointer(&files), TRUE);
            c->view = vgmDriverStoreViewRef(view);
        }
        /* the cached configs are current, except those changed meanwhile
         * (vgmDriverStoreGetConfigIn asks the index about each) */
        g_mutex_unlock(&c->lock);
        return view;
    }
    g_mutex_unlock(&c->lock);

    /* no index: one listing of each directory says which files every
     * domain has */
    unchanged = vgmDriverStoreConfigsUnchanged(store);
    files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!vgmDriverStoreReadDir(store->configDir, ".xml", VGM_DRIVER_STORE_HAS_CONFIG, files, error) ||
        !vgmDriverStoreReadDir(store->runDir, ".status", VGM_DRIVER_STORE_HAS_STATUS, files, error) ||
        !vgmDriverStoreReadDir(store->runDir, ".stopped", VGM_DRIVER_STORE_HAS_STOPPED, files, error))
        return NULL;
    return vgmDriverStoreViewNew(g_steal_pointer(&files), unchanged);
}

guint
vgmDriverStoreDomainFiles(const VgmDriverStore *store, const char *name)
{
    VgmDriverStoreCache *c = store->cache;
    g_autofree char *cfgPath = NULL;
    g_autofree char *statusPath = NULL;
    g_autofree char *stopPath = NULL;
    guint bits = 0;

    g_mutex_lock(&c->lock);
    if (vgmDriverStoreIndexUpdate(store)) {
        bits = GPOINTER_TO_UINT(g_hash_table_lookup(c->files, name));
        g_mutex_unlock(&c->lock);
        return bits;
    }
    g_mutex_unlock(&c->lock);
    cfgPath = vgmDriverStoreConfigPath(store, name);
    statusPath = vgmDriverStoreStatusPath(store, name);
    stopPath = vgmDriverStoreStopReasonPath(store, name);
    if (g_file_test(cfgPath, G_FILE_TEST_IS_REGULAR))
        bits |= VGM_DRIVER_STORE_HAS_CONFIG;
    if (g_file_test(statusPath, G_FILE_TEST_EXISTS))
        bits |= VGM_DRIVER_STORE_HAS_STATUS;
    if (g_file_test(stopPath, G_FILE_TEST_EXISTS))
        bits |= VGM_DRIVER_STORE_HAS_STOPPED;
    return bits;
}

VgmDriverConfig *
vgmDriverStoreGetConfigIn(const VgmDriverStore *store, const VgmDriverStoreView *view,
                          const char *name, GError **error)
{
    VgmDriverStoreCache *c = store->cache;
    gboolean trusted = view && view->configsCurrent;

    if (trusted && c->notifyFd >= 0) {
        /* the index, as of the view (the events drained then): current
         * unless one of them asked for a look at it */
        g_mutex_lock(&c->lock);
        trusted = c->scanned && !g_hash_table_contains(c->unchecked, name);
        g_mutex_unlock(&c->lock);
    }
    return vgmDriverStoreConfigOrError(vgmDriverStoreFetchConfig(store, name, trusted, error),
                                       error);
}

GPtrArray *
vgmDriverStoreConfigsWithUUID(const VgmDriverStore *store, const VgmDriverStoreView *view,
                              const unsigned char *uuid)
{
    VgmDriverStoreCache *c = store->cache;
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer key, value;
    guint i;

    vgmDriverStoreIndexCheck(store);
    g_mutex_lock(&c->lock);
    if (!vgmDriverStoreIndexUpdate(store) || g_hash_table_size(c->unchecked) > 0) {
        g_mutex_unlock(&c->lock);
        return NULL;
    }
    /* every config of the view must be known to say which have @uuid */
    for (i = 0; i < view->names->len; i++) {
        const char *n = g_ptr_array_index(view->names, i);

        if ((vgmDriverStoreViewFiles(view, n) & VGM_DRIVER_STORE_HAS_CONFIG) &&
            (GPOINTER_TO_UINT(g_hash_table_lookup(c->files, n)) & VGM_DRIVER_STORE_HAS_CONFIG) &&
            !g_hash_table_contains(c->configs, n)) {
            g_mutex_unlock(&c->lock);
            return NULL;
        }
    }
    /* a comparison of 16 bytes per config: cheaper than an index by uuid
     * is in memory */
    g_hash_table_iter_init(&it, c->configs);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (memcmp(((VgmDriverConfig *)value)->uuid, uuid, 16) == 0 &&
            (vgmDriverStoreViewFiles(view, key) & VGM_DRIVER_STORE_HAS_CONFIG))
            g_ptr_array_add(out, g_strdup(key));
    }
    g_mutex_unlock(&c->lock);
    g_ptr_array_sort(out, vgmDriverStoreCompareNames);
    return g_steal_pointer(&out);
}

gboolean
vgmDriverStoreHasConfig(const VgmDriverStore *store, const char *name)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);

    return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

VgmDomainDef *
vgmDriverStoreLoadConfig(const VgmDriverStore *store, const char *name,
                         GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;

    if (!vgmFileReadAll(path, VGM_DRIVER_STORE_MAX_FILE, &xml, NULL, &err)) {
        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            vgmErrorSet(error, VGM_ERR_NO_DOMAIN,
                        _("domain '%1$s' is not defined"), name);
            return NULL;
        }
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    if (!(def = vgmDomainDefParseString(xml, path, VGM_DRIVER_STORE_CONFIG_PARSE, &err))) {
        vgmDriverStoreConfigParseError(error, path, err);
        return NULL;
    }
    if (!g_str_equal(def->name, name) && !vgmDriverStoreRenamedTo(store, name, def)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("config file '%1$s' holds domain '%2$s', not '%3$s'"),
                    path, def->name, name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* Whether dot file @ent of the config dir is what a killed config write
 * of @name left behind: the staging file, or a temporary of
 * vgmFileWriteAtomic (".BASE.XXXXXX") that older versions wrote with. */
static gboolean
vgmDriverStoreIsStaging(const char *ent, const char *name)
{
    g_autofree char *staged = g_strdup_printf(".%s.xml.new", name);
    g_autofree char *tmp1 = g_strdup_printf(".%s.xml.", name);
    g_autofree char *tmp2 = g_strdup_printf(".%s.", staged);

    return g_str_equal(ent, staged) ||
           (g_str_has_prefix(ent, tmp1) && strlen(ent) == strlen(tmp1) + 6) ||
           (g_str_has_prefix(ent, tmp2) && strlen(ent) == strlen(tmp2) + 6);
}

/* Removes what a killed config write of @name left behind. The index
 * knows the dot files of the config dir; without it, the dir is read. */
static void
vgmDriverStoreCleanStaging(const VgmDriverStore *store, const char *name)
{
    VgmDriverStoreCache *c = store->cache;
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
    guint i;

    g_mutex_lock(&c->lock);
    if (vgmDriverStoreIndexUpdate(store)) {
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, c->dots);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            if (vgmDriverStoreIsStaging(key, name))
                g_ptr_array_add(found, g_strdup(key));
        }
        g_mutex_unlock(&c->lock);
    } else {
        g_autoptr(GDir) d = NULL;
        const char *ent;

        g_mutex_unlock(&c->lock);
        if (!(d = g_dir_open(store->configDir, 0, NULL)))
            return;
        while ((ent = g_dir_read_name(d))) {
            if (vgmDriverStoreIsStaging(ent, name))
                g_ptr_array_add(found, g_strdup(ent));
        }
    }
    for (i = 0; i < found->len; i++) {
        g_autofree char *path = g_build_filename(store->configDir,
                                                 (char *)g_ptr_array_index(found, i), NULL);
        g_unlink(path);
    }
}

/* Writes @len bytes of @data to the new file @path (mode 0600) and syncs
 * it to disk. */
static gboolean
vgmDriverStoreWriteStaged(const char *path, const char *data, gsize len, GError **error)
{
    int fd;
    int err;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create '%1$s'"), path);
        return FALSE;
    }
    if (!vgmFileWriteFully(fd, data, len)) {
        err = errno;
        goto fail;
    }
    if (fsync(fd) < 0) {
        err = errno;
        goto fail;
    }
    /* close can report a deferred write error (NFS), so check it */
    if (close(fd) < 0) {
        err = errno;
        g_unlink(path);
        vgmErrorSetSystem(error, err, _("cannot write '%1$s'"), path);
        return FALSE;
    }
    return TRUE;

 fail:
    close(fd);
    g_unlink(path);
    vgmErrorSetSystem(error, err, _("cannot write '%1$s'"), path);
    return FALSE;
}

gboolean
vgmDriverStoreSaveConfig(const VgmDriverStore *store, const VgmDomainDef *def,
                         GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, def->name);
    g_autofree char *staged = vgmDriverStoreFile(store->configDir, ".", def->name, ".xml.new");
    g_autofree char *xml = vgmDomainDefFormat(def);

    /* the staging file is complete and on disk before it is renamed over
     * the config, and the rename is on disk before this returns: a crash
     * leaves the old config or the new one, never a part of one (a
     * staging file left behind is no config, and the next write of the
     * domain removes it) */
    vgmDriverStoreCleanStaging(store, def->name);
    if (!vgmDriverStoreWriteStaged(staged, xml, strlen(xml), error))
        return FALSE;
    vgmDriverTestPause("define-before-rename");
    if (rename(staged, path) < 0) {
        int err = errno;

        g_unlink(staged);
        vgmErrorSetSystem(error, err, _("cannot rename '%1$s' to '%2$s'"), staged, path);
        return FALSE;
    }
    return vgmFileSyncDir(store->configDir, error);
}

gboolean
vgmDriverStoreDeleteConfig(const VgmDriverStore *store, const char *name,
                           GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);

    vgmDriverStoreCleanStaging(store, name);
    if (g_unlink(path) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
        return FALSE;
    }
    g_mutex_lock(&store->cache->lock);
    vgmDriverStoreCacheSet(store->cache, name, NULL);
    g_mutex_unlock(&store->cache->lock);
    return TRUE;
}

/* ---- locks ---- */

struct _VgmDriverLock {
    int fd;
    char *path;
};

void
vgmDriverLockRelease(VgmDriverLock *lock)
{
    if (!lock)
        return;
    if (lock->fd >= 0) {
        /* forget the holder before letting go; closing drops the flock */
        if (ftruncate(lock->fd, 0) < 0) {
            /* harmless: the next holder overwrites it */
        }
        close(lock->fd);
    }
    g_free(lock->path);
    g_free(lock);
}

/* The pid recorded in a lock file, or 0. */
static long
vgmDriverLockHolder(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

/* Takes the flock on @path; FALSE with *@holder set when another process
 * holds it past @timeoutMs. */
static VgmDriverLock *
vgmDriverLockTake(const char *path, unsigned int timeoutMs, long *holder,
                  GError **error)
{
    g_autoptr(VgmDriverLock) lock = g_new0(VgmDriverLock, 1);
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    g_autofree char *pid = NULL;

    *holder = 0;
    lock->path = g_strdup(path);
    if ((lock->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open lock file '%1$s'"), path);
        return NULL;
    }
    while (flock(lock->fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            vgmErrorSetSystem(error, errno, _("cannot lock '%1$s'"), path);
            close(lock->fd);
            lock->fd = -1;
            return NULL;
        }
        if (g_get_monotonic_time() >= deadline) {
            *holder = vgmDriverLockHolder(lock->fd);
            /* not ours: close without wiping the holder's pid */
            close(lock->fd);
            lock->fd = -1;
            return NULL;
        }
        g_usleep(20 * 1000);
    }
    pid = g_strdup_printf("%ld\n", (long)getpid());
    if (ftruncate(lock->fd, 0) < 0 ||
        pwrite(lock->fd, pid, strlen(pid), 0) < 0) {
        /* the lock holds all the same; only the message would lack the pid */
    }
    return g_steal_pointer(&lock);
}

static gboolean vgmDriverStoreRenameRecover(const VgmDriverStore *store, const char *name,
                                            unsigned int timeoutMs, GError **error);

VgmDriverLock *
vgmDriverStoreLockDomain(const VgmDriverStore *store, const char *name,
                         unsigned int timeoutMs, GError **error)
{
    g_autofree char *path = vgmDriverStoreLockPath(store, name);
    g_autoptr(GError) err = NULL;
    VgmDriverLock *lock;
    long holder;

    if (!vgmDriverStoreCheckName(name, error))
        return NULL;
    if ((lock = vgmDriverLockTake(path, timeoutMs, &holder, &err))) {
        if (!vgmDriverStoreRenameRecover(store, name, timeoutMs, error)) {
            vgmDriverLockRelease(lock);
            return NULL;
        }
        return lock;
    }
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    if (holder > 0 && holder == (long)getpid())
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain %1$s is busy with another operation (of this process, which waited for it in vain)"),
                    name);
    else if (holder > 0)
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain %1$s is locked by another virt-gmem process (pid %2$ld)"),
                    name, holder);
    else
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain %1$s is locked by another virt-gmem process"), name);
    return NULL;
}

VgmDriverLock *
vgmDriverStoreLockStore(const VgmDriverStore *store, GError **error)
{
    g_autofree char *path = g_build_filename(store->runDir, "driver.lock", NULL);
    g_autoptr(GError) err = NULL;
    VgmDriverLock *lock;
    long holder;

    if ((lock = vgmDriverLockTake(path, VGM_DRIVER_STORE_LOCK_TIMEOUT_MS, &holder, &err)))
        return lock;
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                _("the domain store in '%1$s' is locked by another virt-gmem process (pid %2$ld)"),
                store->runDir, holder);
    return NULL;
}

/* ---- domain ids ---- */

gboolean
vgmDriverStoreAllocateId(const VgmDriverStore *store, int *id, GError **error)
{
    g_autofree char *path = g_build_filename(store->runDir, "next-id", NULL);
    g_autofree char *text = NULL;
    g_autofree char *next = NULL;
    gint64 value = 1;

    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        if (!vgmFileReadAll(path, 64, &text, NULL, error))
            return FALSE;
        value = g_ascii_strtoll(text, NULL, 10);
        if (value < 1 || value >= G_MAXINT)
            value = 1;
    }
    next = g_strdup_printf("%" G_GINT64_FORMAT "\n", value + 1);
    if (!vgmFileWriteAtomic(path, next, strlen(next), 0644, error))
        return FALSE;
    *id = (int)value;
    return TRUE;
}

/* ---- processes ---- */

void
vgmDriverProcIdentClear(VgmDriverProcIdent *ident)
{
    g_clear_pointer(&ident->bootId, g_free);
    ident->pid = 0;
    ident->startTime = 0;
}

gboolean
vgmDriverProcParseStat(const char *text, char *state, guint64 *startTime)
{
    const char *p = strrchr(text, ')');
    g_auto(GStrv) fields = NULL;
    char *end = NULL;

    /* "PID (COMM) S ppid pgrp ... starttime(22) ...": after the last ')',
     * field 3 is the first one */
    if (!p || p[1] != ' ')
        return FALSE;
    fields = g_strsplit(p + 2, " ", 0);
    if (g_strv_length(fields) < 20 || strlen(fields[0]) != 1)
        return FALSE;
    *state = fields[0][0];
    *startTime = g_ascii_strtoull(fields[19], &end, 10);
    return end && end != fields[19];
}

static char *
vgmDriverBootId(void)
{
    g_autofree char *text = NULL;

    if (!vgmFileReadAll("/proc/sys/kernel/random/boot_id", 256, &text, NULL, NULL))
        return g_strdup("");
    return g_strdup(g_strstrip(text));
}

gboolean
vgmDriverProcIdentGet(pid_t pid, VgmDriverProcIdent *ident, GError **error)
{
    g_autofree char *path = g_strdup_printf("/proc/%lld/stat", (long long)pid);
    g_autofree char *text = NULL;
    char state = 0;
    guint64 start = 0;

    if (pid <= 0 ||
        !vgmFileReadAll(path, 4096, &text, NULL, NULL) ||
        !vgmDriverProcParseStat(text, &state, &start) ||
        state == 'Z' || state == 'X' || state == 'x') {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("process %1$lld does not exist"), (long long)pid);
        return FALSE;
    }
    vgmDriverProcIdentClear(ident);
    ident->pid = pid;
    ident->startTime = start;
    ident->bootId = vgmDriverBootId();
    return TRUE;
}

gboolean
vgmDriverProcIdentIsAlive(const VgmDriverProcIdent *ident)
{
    g_auto(VgmDriverProcIdent) now = { 0 };

    if (!ident || ident->pid <= 0 || !vgmDriverProcIdentGet(ident->pid, &now, NULL))
        return FALSE;
    return now.startTime == ident->startTime &&
           g_strcmp0(now.bootId, ident->bootId ? ident->bootId : "") == 0;
}

/* ---- status files ---- */

void
vgmDriverStatusUpdateFree(VgmDriverStatusUpdate *update)
{
    if (!update)
        return;
    vgmDriverProcIdentClear(&update->qemu);
    g_free(update->monitor);
    g_free(update->events);
    g_free(update->pidfile);
    g_free(update->emulator);
    g_free(update->capsName);
    g_free(update->capsVersion);
    if (update->tapQueues)
        g_array_unref(update->tapQueues);
    g_free(update->tpmState);
    g_free(update);
}

static void
vgmDriverTapQueueClear(VgmDriverTapQueue *q)
{
    g_free(q->ifname);
}

GArray *
vgmDriverTapQueuesNew(void)
{
    GArray *queues = g_array_new(FALSE, TRUE, sizeof(VgmDriverTapQueue));

    g_array_set_clear_func(queues, (GDestroyNotify)vgmDriverTapQueueClear);
    return queues;
}

VgmDriverStatus *
vgmDriverStatusNew(void)
{
    VgmDriverStatus *status = g_new0(VgmDriverStatus, 1);

    status->id = -1;
    status->agentTimeout = VGM_QEMU_AGENT_TIMEOUT_BLOCK;
    return status;
}

void
vgmDriverStatusFree(VgmDriverStatus *status)
{
    if (!status)
        return;
    g_free(status->name);
    vgmDriverProcIdentClear(&status->qemu);
    g_free(status->monitor);
    g_free(status->events);
    g_free(status->pidfile);
    g_free(status->emulator);
    g_free(status->capsName);
    g_free(status->capsVersion);
    g_free(status->machine);
    g_free(status->runReason);
    g_free(status->job);
    g_free(status->jobTarget);
    g_free(status->jobTemp);
    g_free(status->log);
    g_free(status->xml);
    if (status->plan)
        json_node_unref(status->plan);
    if (status->unplugs)
        json_node_unref(status->unplugs);
    g_strfreev(status->hugetlbfsDirs);
    g_strfreev(status->deprecations);
    g_clear_pointer(&status->websocketPorts, g_array_unref);
    vgmDriverStatusUpdateFree(status->update);
    g_free(status);
}

VGM_ENUM_IMPL(vgmDriverTaint, VGM_DRIVER_TAINT_LAST,
              "custom-argv", "custom-monitor", "high-privileges", "shell-scripts",
              "host-cpu", "custom-ga-command", "deprecated-config");

/* Member @member of the status being built: the strings of @strv (none:
 * no member) */
static void
vgmDriverStatusAddStrv(JsonBuilder *b, const char *member, const char *const *strv)
{
    size_t i;

    if (!strv)
        return;
    json_builder_set_member_name(b, member);
    json_builder_begin_array(b);
    for (i = 0; strv[i]; i++)
        json_builder_add_string_value(b, strv[i]);
    json_builder_end_array(b);
}

/* Member @member of status object @obj (of file @what) into *@out: a list
 * of strings, or NULL when there is none */
static gboolean
vgmDriverStatusGetStrv(JsonObject *obj, const char *member, char ***out, const char *what,
                       GError **error)
{
    JsonNode *node = json_object_get_member(obj, member);
    g_autoptr(GPtrArray) list = NULL;
    JsonArray *arr;
    guint i;

    *out = NULL;
    if (!node || JSON_NODE_HOLDS_NULL(node))
        return TRUE;
    arr = JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
    list = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);

        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
            arr = NULL;
            break;
        }
        g_ptr_array_add(list, g_strdup(json_node_get_string(n)));
    }
    if (!arr) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("status file '%1$s' has a '%2$s' member that is not a list of strings"),
                    what, member);
        return FALSE;
    }
    g_ptr_array_add(list, NULL);
    *out = (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
    return TRUE;
}

char *
vgmDriverStatusFormat(const VgmDriverStatus *status)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    char uuid[37];

    vgmDomainUUIDFormat(status->uuid, uuid);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, status->name);
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, uuid);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, status->id);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, vgmDriverStatusStateTypeToString(status->state));
    json_builder_set_member_name(b, "pid");
    json_builder_add_int_value(b, status->qemu.pid);
    json_builder_set_member_name(b, "pid-start-time");
    json_builder_add_int_value(b, (gint64)status->qemu.startTime);
    json_builder_set_member_name(b, "boot-id");
    json_builder_add_string_value(b, status->qemu.bootId ? status->qemu.bootId : "");
    if (status->starterPid > 0) {
        json_builder_set_member_name(b, "starter-pid");
        json_builder_add_int_value(b, status->starterPid);
    }
    json_builder_set_member_name(b, "monitor");
    json_builder_add_string_value(b, status->monitor);
    if (status->events) {
        json_builder_set_member_name(b, "events");
        json_builder_add_string_value(b, status->events);
    }
    if (status->pidfile) {
        json_builder_set_member_name(b, "pidfile");
        json_builder_add_string_value(b, status->pidfile);
    }
    json_builder_set_member_name(b, "emulator");
    json_builder_add_string_value(b, status->emulator);
    json_builder_set_member_name(b, "caps");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, status->capsName);
    json_builder_set_member_name(b, "binary");
    json_builder_add_string_value(b, status->emulator);
    json_builder_set_member_name(b, "version");
    json_builder_add_string_value(b, status->capsVersion);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "machine");
    json_builder_add_string_value(b, status->machine);
    json_builder_set_member_name(b, "started-at");
    json_builder_add_int_value(b, status->startedAt);
    json_builder_set_member_name(b, "log");
    json_builder_add_string_value(b, status->log);
    json_builder_set_member_name(b, "log-offset");
    json_builder_add_int_value(b, status->logOffset);
    json_builder_set_member_name(b, "transient");
    json_builder_add_boolean_value(b, status->transient);
    json_builder_set_member_name(b, "paused");
    json_builder_add_boolean_value(b, status->paused);
    if (status->runReason) {
        json_builder_set_member_name(b, "run-reason");
        json_builder_add_string_value(b, status->runReason);
    }
    if (status->job) {
        json_builder_set_member_name(b, "job");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, status->job);
        json_builder_set_member_name(b, "resume");
        json_builder_add_boolean_value(b, status->jobResume);
        json_builder_set_member_name(b, "pid");
        json_builder_add_int_value(b, status->jobPid);
        if (status->jobTarget) {
            json_builder_set_member_name(b, "target");
            json_builder_add_string_value(b, status->jobTarget);
        }
        if (status->jobTemp) {
            json_builder_set_member_name(b, "temp");
            json_builder_add_string_value(b, status->jobTemp);
        }
        json_builder_end_object(b);
    }
    if (status->unplugs && JSON_NODE_HOLDS_OBJECT(status->unplugs) &&
        json_object_get_size(json_node_get_object(status->unplugs)) > 0) {
        json_builder_set_member_name(b, "unplugs");
        json_builder_add_value(b, json_node_copy(status->unplugs));
    }
    if (status->rebooting) {
        json_builder_set_member_name(b, "rebooting");
        json_builder_add_boolean_value(b, TRUE);
    }
    if (status->restartAtPoweroff) {
        json_builder_set_member_name(b, "restartAtPoweroff");
        json_builder_add_boolean_value(b, TRUE);
    }
    if (status->hasClockAdjustment0) {
        json_builder_set_member_name(b, "clock-adjustment0");
        json_builder_add_int_value(b, status->clockAdjustment0);
    }
    if (status->agentTimeout != VGM_QEMU_AGENT_TIMEOUT_BLOCK) {
        json_builder_set_member_name(b, "agent-timeout");
        json_builder_add_int_value(b, status->agentTimeout);
    }
    json_builder_set_member_name(b, "plan");
    if (status->plan)
        json_builder_add_value(b, json_node_copy(status->plan));
    else
        json_builder_add_null_value(b);
    vgmDriverStatusAddStrv(b, "hugetlbfs-dirs", (const char *const *)status->hugetlbfsDirs);
    if (status->taints) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        int t;

        for (t = 0; t < VGM_DRIVER_TAINT_LAST; t++) {
            if (status->taints & (1u << t))
                g_ptr_array_add(names, (gpointer)vgmDriverTaintTypeToString(t));
        }
        g_ptr_array_add(names, NULL);
        vgmDriverStatusAddStrv(b, "taints", (const char *const *)names->pdata);
    }
    vgmDriverStatusAddStrv(b, "deprecations", (const char *const *)status->deprecations);
    if (status->websocketPorts && status->websocketPorts->len) {
        guint i;

        json_builder_set_member_name(b, "websocket-ports");
        json_builder_begin_array(b);
        for (i = 0; i < status->websocketPorts->len; i++)
            json_builder_add_int_value(b, g_array_index(status->websocketPorts, int, i));
        json_builder_end_array(b);
    }
    if (status->update) {
        const VgmDriverStatusUpdate *u = status->update;

        json_builder_set_member_name(b, "update");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "role");
        json_builder_add_string_value(b, vgmDriverUpdateRoleTypeToString(u->role));
        json_builder_set_member_name(b, "pid");
        json_builder_add_int_value(b, u->qemu.pid);
        json_builder_set_member_name(b, "pid-start-time");
        json_builder_add_int_value(b, (gint64)u->qemu.startTime);
        json_builder_set_member_name(b, "boot-id");
        json_builder_add_string_value(b, u->qemu.bootId ? u->qemu.bootId : "");
        json_builder_set_member_name(b, "updater-pid");
        json_builder_add_int_value(b, u->updaterPid);
        json_builder_set_member_name(b, "was-running");
        json_builder_add_boolean_value(b, u->wasRunning);
        json_builder_set_member_name(b, "monitor");
        json_builder_add_string_value(b, u->monitor);
        if (u->events) {
            json_builder_set_member_name(b, "events");
            json_builder_add_string_value(b, u->events);
        }
        json_builder_set_member_name(b, "pidfile");
        json_builder_add_string_value(b, u->pidfile);
        json_builder_set_member_name(b, "emulator");
        json_builder_add_string_value(b, u->emulator);
        json_builder_set_member_name(b, "caps");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, u->capsName);
        json_builder_set_member_name(b, "version");
        json_builder_add_string_value(b, u->capsVersion);
        json_builder_end_object(b);
        if (u->tpmState) {
            json_builder_set_member_name(b, "tpm-state");
            json_builder_add_string_value(b, u->tpmState);
        }
        if (u->tapQueues && u->tapQueues->len) {
            json_builder_set_member_name(b, "tap-queues");
            json_builder_begin_array(b);
            for (guint i = 0; i < u->tapQueues->len; i++) {
                const VgmDriverTapQueue *q = &g_array_index(u->tapQueues, VgmDriverTapQueue, i);

                json_builder_begin_object(b);
                json_builder_set_member_name(b, "ifname");
                json_builder_add_string_value(b, q->ifname);
                json_builder_set_member_name(b, "macvtap");
                json_builder_add_boolean_value(b, q->macvtap);
                json_builder_set_member_name(b, "fd");
                json_builder_add_int_value(b, q->qemuFd);
                if (q->detached != VGM_TRISTATE_ABSENT) {
                    json_builder_set_member_name(b, "detached");
                    json_builder_add_boolean_value(b, q->detached == VGM_TRISTATE_YES);
                }
                json_builder_end_object(b);
            }
            json_builder_end_array(b);
        }
        json_builder_end_object(b);
    }
    json_builder_set_member_name(b, "xml");
    json_builder_add_string_value(b, status->xml);
    json_builder_end_object(b);

    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 2);
    text = json_generator_to_data(gen, NULL);
    return g_strconcat(text, "\n", NULL);
}

/* A string member of @obj; @required ones set an error when missing. */
static gboolean
vgmDriverStatusGetString(JsonObject *obj, const char *member, gboolean required,
                         char **value, const char *what, GError **error)
{
    JsonNode *node = json_object_get_member(obj, member);

    if (!node || JSON_NODE_HOLDS_NULL(node)) {
        if (!required)
            return TRUE;
    } else if (JSON_NODE_HOLDS_VALUE(node) &&
               json_node_get_value_type(node) == G_TYPE_STRING) {
        *value = g_strdup(json_node_get_string(node));
        return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_INTERNAL,
                _("status file '%1$s' lacks the string member '%2$s'"), what, member);
    return FALSE;
}

static gboolean
vgmDriverStatusGetInt(JsonObject *obj, const char *member, gboolean required,
                      gint64 *value, const char *what, GError **error)
{
    JsonNode *node = json_object_get_member(obj, member);

    if (!node) {
        if (!required)
            return TRUE;
    } else if (JSON_NODE_HOLDS_VALUE(node) &&
               json_node_get_value_type(node) == G_TYPE_INT64) {
        *value = json_node_get_int(node);
        return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_INTERNAL,
                _("status file '%1$s' lacks the integer member '%2$s'"), what, member);
    return FALSE;
}

static VgmDriverStatusUpdate *
vgmDriverStatusUpdateParse(JsonNode *node, const char *what, GError **error)
{
    g_autoptr(VgmDriverStatusUpdate) u = g_new0(VgmDriverStatusUpdate, 1);
    g_autofree char *role = NULL;
    JsonObject *obj;
    JsonNode *caps;
    JsonNode *queues;
    gint64 pid = 0, start = 0, updater = 0;

    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("status file '%1$s' has an 'update' member that is not an object"), what);
        return NULL;
    }
    obj = json_node_get_object(node);
    if (!vgmDriverStatusGetString(obj, "role", TRUE, &role, what, error) ||
        !vgmDriverStatusGetInt(obj, "pid", TRUE, &pid, what, error) ||
        !vgmDriverStatusGetInt(obj, "pid-start-time", TRUE, &start, what, error) ||
        !vgmDriverStatusGetString(obj, "boot-id", FALSE, &u->qemu.bootId, what, error) ||
        !vgmDriverStatusGetInt(obj, "updater-pid", FALSE, &updater, what, error) ||
        !vgmDriverStatusGetString(obj, "monitor", TRUE, &u->monitor, what, error) ||
        !vgmDriverStatusGetString(obj, "events", FALSE, &u->events, what, error) ||
        !vgmDriverStatusGetString(obj, "pidfile", TRUE, &u->pidfile, what, error) ||
        !vgmDriverStatusGetString(obj, "emulator", TRUE, &u->emulator, what, error) ||
        !vgmDriverStatusGetString(obj, "tpm-state", FALSE, &u->tpmState, what, error))
        return NULL;
    if ((int)(u->role = vgmDriverUpdateRoleTypeFromString(role)) < 0) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("status file '%1$s' has an invalid update role '%2$s'"), what, role);
        return NULL;
    }
    if ((caps = json_object_get_member(obj, "caps")) && JSON_NODE_HOLDS_OBJECT(caps) &&
        (!vgmDriverStatusGetString(json_node_get_object(caps), "name", FALSE,
                                   &u->capsName, what, error) ||
         !vgmDriverStatusGetString(json_node_get_object(caps), "version", FALSE,
                                   &u->capsVersion, what, error)))
        return NULL;
    if ((queues = json_object_get_member(obj, "tap-queues"))) {
        JsonArray *arr = JSON_NODE_HOLDS_ARRAY(queues) ? json_node_get_array(queues) : NULL;

        u->tapQueues = vgmDriverTapQueuesNew();
        for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
            JsonNode *qn = json_array_get_element(arr, i);
            JsonObject *qo = JSON_NODE_HOLDS_OBJECT(qn) ? json_node_get_object(qn) : NULL;
            VgmDriverTapQueue q = { 0 };
            gint64 fd = -1;

            if (!qo ||
                !vgmDriverStatusGetString(qo, "ifname", TRUE, &q.ifname, what, error) ||
                !vgmDriverStatusGetInt(qo, "fd", TRUE, &fd, what, error) || fd < 0 ||
                fd > G_MAXINT) {
                g_free(q.ifname);
                if (error && !*error)
                    vgmErrorSet(error, VGM_ERR_INTERNAL,
                                _("status file '%1$s' has an invalid tap queue %2$u in its update"),
                                what, i);
                return NULL;
            }
            q.qemuFd = (int)fd;
            q.macvtap = json_object_get_boolean_member_with_default(qo, "macvtap", FALSE);
            q.detached = !json_object_has_member(qo, "detached") ? VGM_TRISTATE_ABSENT :
                         json_object_get_boolean_member_with_default(qo, "detached", FALSE) ?
                         VGM_TRISTATE_YES : VGM_TRISTATE_NO;
            g_array_append_val(u->tapQueues, q);
        }
        if (!arr) {
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("status file '%1$s' has an update whose 'tap-queues' is not an array"),
                        what);
            return NULL;
        }
    }
    u->wasRunning = json_object_get_boolean_member_with_default(obj, "was-running", FALSE);
    u->qemu.pid = (pid_t)pid;
    u->qemu.startTime = (guint64)start;
    u->updaterPid = (pid_t)updater;
    return g_steal_pointer(&u);
}

VgmDriverStatus *
vgmDriverStatusParse(const char *text, const char *what, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(VgmDriverStatus) status = vgmDriverStatusNew();
    g_autoptr(GError) err = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *state = NULL;
    JsonObject *obj;
    JsonObject *caps;
    JsonNode *node;
    g_auto(GStrv) taints = NULL;
    gint64 id = -1, pid = 0, start = 0, starter = 0, startedAt = 0, logOffset = 0;

    if (!json_parser_load_from_data(parser, text, -1, &err)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("status file '%1$s' is not JSON: %2$s"),
                    what, err->message);
        return NULL;
    }
    if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("status file '%1$s' is not a JSON object"), what);
        return NULL;
    }
    obj = json_node_get_object(json_parser_get_root(parser));
    if (!vgmDriverStatusGetString(obj, "name", TRUE, &status->name, what, error) ||
        !vgmDriverStatusGetString(obj, "uuid", TRUE, &uuid, what, error) ||
        !vgmDriverStatusGetString(obj, "state", TRUE, &state, what, error) ||
        !vgmDriverStatusGetInt(obj, "id", TRUE, &id, what, error) ||
        !vgmDriverStatusGetInt(obj, "pid", TRUE, &pid, what, error) ||
        !vgmDriverStatusGetInt(obj, "pid-start-time", TRUE, &start, what, error) ||
        !vgmDriverStatusGetString(obj, "boot-id", FALSE, &status->qemu.bootId, what, error) ||
        !vgmDriverStatusGetInt(obj, "starter-pid", FALSE, &starter, what, error) ||
        !vgmDriverStatusGetString(obj, "monitor", TRUE, &status->monitor, what, error) ||
        !vgmDriverStatusGetString(obj, "events", FALSE, &status->events, what, error) ||
        !vgmDriverStatusGetString(obj, "pidfile", FALSE, &status->pidfile, what, error) ||
        !vgmDriverStatusGetString(obj, "emulator", TRUE, &status->emulator, what, error) ||
        !vgmDriverStatusGetString(obj, "machine", FALSE, &status->machine, what, error) ||
        !vgmDriverStatusGetInt(obj, "started-at", FALSE, &startedAt, what, error) ||
        !vgmDriverStatusGetString(obj, "log", FALSE, &status->log, what, error) ||
        !vgmDriverStatusGetInt(obj, "log-offset", FALSE, &logOffset, what, error) ||
        !vgmDriverStatusGetString(obj, "xml", TRUE, &status->xml, what, error))
        return NULL;
    if (!vgmDomainUUIDParse(uuid, status->uuid) ||
        (int)(status->state = vgmDriverStatusStateTypeFromString(state)) < 0) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("status file '%1$s' has an invalid uuid or state"), what);
        return NULL;
    }
    if ((node = json_object_get_member(obj, "caps")) && JSON_NODE_HOLDS_OBJECT(node)) {
        caps = json_node_get_object(node);
        if (!vgmDriverStatusGetString(caps, "name", FALSE, &status->capsName, what, error) ||
            !vgmDriverStatusGetString(caps, "version", FALSE, &status->capsVersion, what, error))
            return NULL;
    }
    if ((node = json_object_get_member(obj, "plan")) && !JSON_NODE_HOLDS_NULL(node))
        status->plan = json_node_copy(node);
    if (!vgmDriverStatusGetStrv(obj, "hugetlbfs-dirs", &status->hugetlbfsDirs, what, error) ||
        !vgmDriverStatusGetStrv(obj, "taints", &taints, what, error) ||
        !vgmDriverStatusGetStrv(obj, "deprecations", &status->deprecations, what, error))
        return NULL;
    /* (a name this build does not know is a later one's: left out) */
    for (char **name = taints; name && *name; name++) {
        int t = vgmDriverTaintTypeFromString(*name);

        if (t >= 0)
            status->taints |= 1u << t;
    }
    if ((node = json_object_get_member(obj, "websocket-ports")) && !JSON_NODE_HOLDS_NULL(node)) {
        JsonArray *arr = JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
        guint i;

        status->websocketPorts = g_array_new(FALSE, FALSE, sizeof(int));
        for (i = 0; arr && i < json_array_get_length(arr); i++) {
            JsonNode *n = json_array_get_element(arr, i);
            gint64 port;

            if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
                (port = json_node_get_int(n)) < 1 || port > 65535) {
                arr = NULL;
                break;
            }
            g_array_append_val(status->websocketPorts, (int){ (int)port });
        }
        if (!arr) {
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("status file '%1$s' has a 'websocket-ports' member that is not a list of TCP ports"),
                        what);
            return NULL;
        }
    }
    if ((node = json_object_get_member(obj, "update")) && !JSON_NODE_HOLDS_NULL(node) &&
        !(status->update = vgmDriverStatusUpdateParse(node, what, error)))
        return NULL;
    status->transient = json_object_get_boolean_member_with_default(obj, "transient", FALSE);
    status->paused = json_object_get_boolean_member_with_default(obj, "paused", FALSE);
    status->runReason = g_strdup(json_object_get_string_member_with_default(obj, "run-reason", NULL));
    if ((node = json_object_get_member(obj, "job")) && JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObject *job = json_node_get_object(node);

        status->job = g_strdup(json_object_get_string_member_with_default(job, "kind", NULL));
        status->jobResume = json_object_get_boolean_member_with_default(job, "resume", FALSE);
        status->jobPid = (pid_t)json_object_get_int_member_with_default(job, "pid", 0);
        status->jobTarget = g_strdup(json_object_get_string_member_with_default(job, "target",
                                                                                NULL));
        status->jobTemp = g_strdup(json_object_get_string_member_with_default(job, "temp", NULL));
    }
    status->rebooting = json_object_get_boolean_member_with_default(obj, "rebooting", FALSE);
    status->restartAtPoweroff = json_object_get_boolean_member_with_default(obj, "restartAtPoweroff",
                                                                            FALSE);
    if ((node = json_object_get_member(obj, "unplugs")) && JSON_NODE_HOLDS_OBJECT(node))
        status->unplugs = json_node_copy(node);
    if ((node = json_object_get_member(obj, "clock-adjustment0")) && JSON_NODE_HOLDS_VALUE(node) &&
        json_node_get_value_type(node) == G_TYPE_INT64) {
        status->hasClockAdjustment0 = TRUE;
        status->clockAdjustment0 = json_node_get_int(node);
    }
    status->agentTimeout = (int)CLAMP(json_object_get_int_member_with_default(obj, "agent-timeout",
                                                                           VGM_QEMU_AGENT_TIMEOUT_BLOCK),
                                       VGM_QEMU_AGENT_TIMEOUT_BLOCK, G_MAXINT);
    status->id = (int)id;
    status->qemu.pid = (pid_t)pid;
    status->qemu.startTime = (guint64)start;
    status->starterPid = (pid_t)starter;
    status->startedAt = startedAt;
    status->logOffset = logOffset;
    return g_steal_pointer(&status);
}

VgmDriverStatus *
vgmDriverStoreLoadStatus(const VgmDriverStore *store, const char *name,
                         GError **error)
{
    g_autofree char *path = vgmDriverStoreStatusPath(store, name);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmFileReadAll(path, VGM_DRIVER_STORE_MAX_FILE, &text, NULL, &err)) {
        /* no file, or one a stop removed between a listing and this read:
         * the domain does not run */
        if (access(path, F_OK) < 0 && errno == ENOENT)
            return NULL;
        /* or a start wrote its first status just after the failed open:
         * read that one */
        g_clear_error(&err);
        if (!vgmFileReadAll(path, VGM_DRIVER_STORE_MAX_FILE, &text, NULL, &err)) {
            if (access(path, F_OK) < 0 && errno == ENOENT)
                return NULL;
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
    }
    return vgmDriverStatusParse(text, path, error);
}

gboolean
vgmDriverStoreSaveStatus(const VgmDriverStore *store,
                         const VgmDriverStatus *status, GError **error)
{
    g_autofree char *path = vgmDriverStoreStatusPath(store, status->name);
    g_autofree char *text = vgmDriverStatusFormat(status);

    return vgmFileWriteAtomic(path, text, strlen(text), 0600, error);
}

static char *
vgmDriverStoreStopReasonPath(const VgmDriverStore *store, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.stopped", name);

    return g_build_filename(store->runDir, file, NULL);
}

void
vgmDriverStoreSetStopReason(const VgmDriverStore *store, const char *name,
                            const char *reason)
{
    g_autofree char *path = vgmDriverStoreStopReasonPath(store, name);

    if (!reason) {
        g_unlink(path);
        return;
    }
    vgmFileWriteAtomic(path, reason, strlen(reason), 0644, NULL);
}

char *
vgmDriverStoreGetStopReason(const VgmDriverStore *store, const char *name)
{
    g_autofree char *path = vgmDriverStoreStopReasonPath(store, name);
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, 64, &text, NULL, NULL))
        return NULL;
    return g_strstrip(g_steal_pointer(&text));
}

gboolean
vgmDriverStoreDeleteStatus(const VgmDriverStore *store, const char *name,
                           GError **error)
{
    g_autofree char *path = vgmDriverStoreStatusPath(store, name);
    g_autofree char *dir = vgmDriverStoreDomainRunDir(store, name);
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autofree char *ram = g_build_filename(memoryDir, name, NULL);
    g_autofree char *hugeSuffix = g_build_filename("/virt-gmem", name, NULL);
    g_autoptr(VgmDriverStatus) status = vgmDriverStoreLoadStatus(store, name, NULL);
    g_autoptr(VgmDomainDef) live = NULL;
    size_t i;

    /* the runtime dir and the guest RAM dirs of the run that ended first:
     * a status file is what says there is something to clean, so it goes
     * last. Only per-domain hugetlbfs dirs are taken from the status (the
     * mount and its virt-gmem dir are shared with other domains). */
    /* a swtpm whose QEMU never connected, or outlived it; the Open
     * vSwitch ports of the taps QEMU took with it, the macvtaps, which
     * outlive QEMU, and the interfaces' downscripts */
    vgmDriverTpmStop(store, name);
    vgmDriverFsStop(store, name);
    if (status && status->xml)
        live = vgmDomainDefParseString(status->xml, NULL,
                                       VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                       NULL);
    if (live) {
        vgmDriverNetCleanup(live);
        vgmDriverDiskCleanup(live);
    }
    vgmDriverCgroupRemove(store, name, live ? live->resourcePartition : NULL);
    /* a transient domain that ends is gone, and its emulated TPM's state
     * with it unless kept (persistent_state='yes'), as libvirt removes
     * it: a later domain of the same uuid must not find it. A save's
     * image needs it again. */
    if (status && status->transient && live && live->devices.tpm &&
        !live->devices.tpm->externalPath &&
        live->devices.tpm->persistentState != VGM_TRISTATE_YES &&
        g_strcmp0(status->job, "save") != 0 && !vgmDriverStoreHasConfig(store, name))
        vgmDriverTpmRemoveState(store, status->uuid);
    vgmFileRemoveTree(dir);
    vgmFileRemoveTree(ram);
    for (i = 0; status && status->hugetlbfsDirs && status->hugetlbfsDirs[i]; i++) {
        if (g_str_has_suffix(status->hugetlbfsDirs[i], hugeSuffix))
            vgmFileRemoveTree(status->hugetlbfsDirs[i]);
    }
    if (g_unlink(path) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

GPtrArray *
vgmDriverStoreListStatus(const VgmDriverStore *store, GError **error)
{
    return vgmDriverStoreListSuffix(store->runDir, ".status", error);
}

GPtrArray *
vgmDriverStoreListStopReasons(const VgmDriverStore *store, GError **error)
{
    return vgmDriverStoreListSuffix(store->runDir, ".stopped", error);
}

/* ---- renames ---- */

/*
 * A rename of domain FROM to TO (the caller holds both domain locks and
 * the store lock, so one runs at a time) goes through the journal
 * CONFIG/.rename, "FROM\nTO\nUUID\n":
 *   1. what a domain once named TO left (autostart mark, snapshots, stop
 *      reason) is removed, as libvirt removes it; the journal is written;
 *   2. FROM.xml is renamed to TO.xml: one rename(2), so the domain is
 *      FROM or TO and never both or neither. TO.xml still says FROM
 *      inside; a read takes it for TO while the journal says so;
 *   3. the domain's other files follow (autostart mark, snapshots, stop
 *      reason, a UEFI varstore named after it), each by a rename(2) made
 *      while the source is there and the target is not, and synced;
 *   4. TO.xml is written again with its own name, and the journal goes.
 * A process killed on the way leaves the journal: the next lock of FROM
 * or TO finishes the rename from step 3 when it can also have the other
 * domain's lock and the store lock (a lock of FROM that cannot fails, so
 * that no new FROM takes the renamed domain's files), or drops the
 * journal when step 2 never happened. Test hooks: rename-after-journal,
 * rename-after-config, rename-before-rewrite.
 */

typedef struct {
    char *from;
    char *to;
    unsigned char uuid[16];
} VgmDriverStoreRenameJournal;

static void
vgmDriverStoreRenameJournalClear(VgmDriverStoreRenameJournal *j)
{
    g_free(j->from);
    g_free(j->to);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverStoreRenameJournal, vgmDriverStoreRenameJournalClear)

static char *
vgmDriverStoreRenameJournalPath(const VgmDriverStore *store)
{
    return g_build_filename(store->configDir, ".rename", NULL);
}

/* The journal: 1 read, 0 there is none, -1 it cannot be read (an error;
 * it is kept) */
static int
vgmDriverStoreRenameJournalRead(const VgmDriverStore *store, VgmDriverStoreRenameJournal *j,
                                GError **error)
{
    g_autofree char *path = vgmDriverStoreRenameJournalPath(store);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmFileReadAll(path, 1024, &text, NULL, &err)) {
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            return 0;
        g_propagate_error(error, g_steal_pointer(&err));
        return -1;
    }
    lines = g_strsplit(text, "\n", -1);
    if (g_strv_length(lines) < 3 || !*lines[0] || !*lines[1] ||
        !vgmDomainUUIDParse(lines[2], j->uuid)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("the rename journal '%1$s' is not 'FROM', 'TO' and a uuid on three lines"),
                    path);
        return -1;
    }
    j->from = g_strdup(lines[0]);
    j->to = g_strdup(lines[1]);
    return 1;
}

static gboolean
vgmDriverStoreRenamedTo(const VgmDriverStore *store, const char *name, VgmDomainDef *def)
{
    g_auto(VgmDriverStoreRenameJournal) j = { 0 };

    if (vgmDriverStoreRenameJournalRead(store, &j, NULL) != 1 || !g_str_equal(j.to, name) ||
        !g_str_equal(j.from, def->name) || memcmp(j.uuid, def->uuid, 16) != 0)
        return FALSE;
    g_free(def->name);
    def->name = g_strdup(name);
    return TRUE;
}

char *
vgmDriverStoreDerivedNvram(const VgmDriverStore *store, const VgmDomainDef *def)
{
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);

    return def->os.nvram || def->os.nvramNet ? NULL : vgmQemuFirmwareNvramPath(def, cfg);
}

/* rename(2) of @from to @to while @from is there and @to is not, then
 * @to's directory synced */
static gboolean
vgmDriverStoreMoveOver(const char *from, const char *to, GError **error)
{
    g_autofree char *dir = NULL;

    if (!g_file_test(from, G_FILE_TEST_EXISTS) || g_file_test(to, G_FILE_TEST_EXISTS))
        return TRUE;
    if (rename(from, to) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot rename '%1$s' to '%2$s'"), from, to);
        return FALSE;
    }
    dir = g_path_get_dirname(to);
    return vgmFileSyncDir(dir, error);
}

/* The files of a domain that follow its name, besides its config */
static char *(*const vgmDriverStoreNamedFiles[])(const VgmDriverStore *store, const char *name) = {
    vgmDriverStoreAutostartPath,
    vgmDriverStoreSnapshotDir,
    vgmDriverStoreStopReasonPath,
};

/* Steps 3 and 4 of the journal's rename, or its drop when FROM.xml never
 * moved (TO.xml is not there, or is another domain's) */
static gboolean
vgmDriverStoreRenameFinish(const VgmDriverStore *store, GError **error)
{
    g_auto(VgmDriverStoreRenameJournal) j = { 0 };
    g_autofree char *journal = vgmDriverStoreRenameJournalPath(store);
    g_autofree char *newPath = NULL;
    g_autofree char *text = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    size_t i;
    int rc;

    if ((rc = vgmDriverStoreRenameJournalRead(store, &j, error)) <= 0)
        return rc == 0;
    newPath = vgmDriverStoreConfigPath(store, j.to);
    if (!vgmFileReadAll(newPath, VGM_DRIVER_STORE_MAX_FILE, &text, NULL, &err) &&
        g_file_test(newPath, G_FILE_TEST_EXISTS)) {
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    if (text && !(def = vgmDomainDefParseString(text, newPath, VGM_DOMAIN_PARSE_SKIP_VALIDATE,
                                                error)))
        return FALSE;
    if (def && memcmp(def->uuid, j.uuid, 16) == 0) {
        g_autofree char *nvramFrom = vgmDriverStoreDerivedNvram(store, def);
        g_autofree char *nvramTo = NULL;

        for (i = 0; i < G_N_ELEMENTS(vgmDriverStoreNamedFiles); i++) {
            g_autofree char *from = vgmDriverStoreNamedFiles[i](store, j.from);
            g_autofree char *to = vgmDriverStoreNamedFiles[i](store, j.to);

            if (!vgmDriverStoreMoveOver(from, to, error))
                return FALSE;
        }
        g_free(def->name);
        def->name = g_strdup(j.to);
        nvramTo = vgmDriverStoreDerivedNvram(store, def);
        if (nvramFrom && nvramTo && !vgmDriverStoreMoveOver(nvramFrom, nvramTo, error))
            return FALSE;
        vgmDriverTestPause("rename-before-rewrite");
        /* (a config already written again is written once more: the same) */
        if (!vgmDriverStoreSaveConfig(store, def, error))
            return FALSE;
    }
    if (g_unlink(journal) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), journal);
        return FALSE;
    }
    g_mutex_lock(&store->cache->lock);
    vgmDriverStoreCacheSet(store->cache, j.from, NULL);
    vgmDriverStoreCacheSet(store->cache, j.to, NULL);
    g_mutex_unlock(&store->cache->lock);
    return vgmFileSyncDir(store->configDir, error);
}

/* A journal of a rename of other domains than @held (the caller holds
 * their locks and the store lock) is finished when their locks can be
 * had at once; else the new rename waits for it (an error) */
static gboolean
vgmDriverStoreRenameSettle(const VgmDriverStore *store, const char *const *held,
                           GError **error)
{
    g_auto(VgmDriverStoreRenameJournal) j = { 0 };
    g_autoptr(VgmDriverLock) fromLock = NULL;
    g_autoptr(VgmDriverLock) toLock = NULL;
    g_autofree char *fromPath = NULL;
    g_autofree char *toPath = NULL;
    long holder;
    int rc;

    if ((rc = vgmDriverStoreRenameJournalRead(store, &j, error)) <= 0)
        return rc == 0;
    fromPath = vgmDriverStoreLockPath(store, j.from);
    toPath = vgmDriverStoreLockPath(store, j.to);
    /* (the bare file locks: a lock of the store's own would look at the
     * journal again) */
    if ((!g_strv_contains(held, j.from) &&
         !(fromLock = vgmDriverLockTake(fromPath, 0, &holder, NULL))) ||
        (!g_strv_contains(held, j.to) && !(toLock = vgmDriverLockTake(toPath, 0, &holder, NULL)))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("the rename of domain '%1$s' to '%2$s' is not finished and another process holds one of them: try again"),
                    j.from, j.to);
        return FALSE;
    }
    return vgmDriverStoreRenameFinish(store, error);
}

gboolean
vgmDriverStoreRename(const VgmDriverStore *store, const char *from, const char *to,
                     const unsigned char *uuid, GError **error)
{
    g_autofree char *journal = vgmDriverStoreRenameJournalPath(store);
    g_autofree char *oldPath = vgmDriverStoreConfigPath(store, from);
    g_autofree char *newPath = vgmDriverStoreConfigPath(store, to);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    const char *held[] = { from, to, NULL };
    char uuidStr[37];
    size_t i;

    if (!vgmDriverStoreRenameSettle(store, held, error))
        return FALSE;
    /* what a domain once named @to left behind is not the renamed one's */
    for (i = 0; i < G_N_ELEMENTS(vgmDriverStoreNamedFiles); i++) {
        g_autofree char *path = vgmDriverStoreNamedFiles[i](store, to);

        if (g_file_test(path, G_FILE_TEST_IS_DIR))
            vgmFileRemoveTree(path);
        else if (g_unlink(path) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
            return FALSE;
        }
    }
    vgmDomainUUIDFormat(uuid, uuidStr);
    text = g_strdup_printf("%s\n%s\n%s\n", from, to, uuidStr);
    if (!vgmFileWriteAtomic(journal, text, strlen(text), 0600, error))
        return FALSE;
    vgmDriverTestPause("rename-after-journal");
    if (rename(oldPath, newPath) < 0) {
        int saved = errno;

        g_unlink(journal);
        vgmErrorSetSystem(error, saved, _("cannot rename '%1$s' to '%2$s'"), oldPath, newPath);
        return FALSE;
    }
    /* the domain is @to from here on: what is left is the journal's to
     * finish, now or at the next lock of either name */
    if (!vgmFileSyncDir(store->configDir, &err) ||
        (vgmDriverTestPause("rename-after-config"), !vgmDriverStoreRenameFinish(store, &err)))
        g_warning(_("domain '%1$s' is renamed to '%2$s', but the rest of the rename is left for later: %3$s"),
                  from, to, err->message);
    return TRUE;
}

/* With the lock of domain @name held (@timeoutMs: how long its taker
 * waits): a rename of @name (to or from it) that a killed process left is
 * finished when the other domain's lock can be had at once and the store
 * lock within @timeoutMs. One from @name that cannot be is an error: a
 * new domain of that name would take the renamed one's files. */
static gboolean
vgmDriverStoreRenameRecover(const VgmDriverStore *store, const char *name,
                            unsigned int timeoutMs, GError **error)
{
    g_auto(VgmDriverStoreRenameJournal) j = { 0 };
    g_autoptr(VgmDriverLock) other = NULL;
    g_autoptr(VgmDriverLock) storeLock = NULL;
    g_autofree char *otherPath = NULL;
    g_autofree char *storePath = g_build_filename(store->runDir, "driver.lock", NULL);
    g_autoptr(GError) err = NULL;
    long holder;

    if (vgmDriverStoreRenameJournalRead(store, &j, &err) < 0) {
        g_warning("%s", err->message);
        return TRUE;
    }
    if (!j.from || (!g_str_equal(j.from, name) && !g_str_equal(j.to, name)))
        return TRUE;
    otherPath = vgmDriverStoreLockPath(store, g_str_equal(j.from, name) ? j.to : j.from);
    if ((other = vgmDriverLockTake(otherPath, 0, &holder, NULL)) &&
        (storeLock = vgmDriverLockTake(storePath, timeoutMs, &holder, NULL)) &&
        vgmDriverStoreRenameFinish(store, &err))
        return TRUE;
    if (err)
        g_warning(_("cannot finish the rename of domain '%1$s' to '%2$s': %3$s"),
                  j.from, j.to, err->message);
    if (!g_str_equal(j.from, name))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                _("domain '%1$s' was renamed to '%2$s' by a process that did not finish, and the rename cannot be finished now: try again"),
                j.from, j.to);
    return FALSE;
}

/* ---- test hook ---- */

void
vgmDriverTestPause(const char *point)
{
    const char *want = g_getenv("VIRT_GMEM_TEST_PAUSE_AT");
    const char *secs = g_getenv("VIRT_GMEM_TEST_PAUSE_SECS");
    guint64 n = 3600;
    guint64 i;

    if (!want || !g_str_equal(want, point))
        return;
    /* (a pause that ends lets the operation go on: a test of what happens
     * meanwhile; without, the test kills the process there) */
    if (secs && !g_ascii_string_to_unsigned(secs, 10, 1, 3600, &n, NULL))
        n = 3600;
    /* for tests only, so not translated: tests match this line */
    fprintf(stderr, "virt-gmem: paused at %s (pid %lld)\n", point, (long long)getpid());
    fflush(stderr);
    for (i = 0; i < n; i++)
        g_usleep(G_USEC_PER_SEC);
}
