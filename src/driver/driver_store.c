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
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "driver_store.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

/* The parsed configs and uuid hints of a store (see vgmDriverStoreGetConfig). */
typedef struct _VgmDriverStoreCache VgmDriverStoreCache;
struct _VgmDriverStoreCache {
    GMutex lock;
    GHashTable *configs;    /* name -> VgmDriverConfig */
    GHashTable *uuids;      /* 16 bytes -> name */
    gint64 dirMtimeNs;      /* the config dir when every config was checked */
    gboolean dirSettled;    /* ... and that time was well in the past */
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
    if (store->cache) {
        g_hash_table_unref(store->cache->configs);
        g_hash_table_unref(store->cache->uuids);
        g_mutex_clear(&store->cache->lock);
        g_free(store->cache);
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
    vgmDomainDefFree(cfg->def);
    g_free(cfg->xml);
    g_free(cfg);
}

static gboolean
vgmDriverConfigSameFile(const VgmDriverConfig *cfg, const struct stat *st)
{
    return cfg->dev == st->st_dev && cfg->ino == st->st_ino && cfg->size == st->st_size &&
           cfg->mtimeNs == st->st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_mtim.tv_nsec &&
           cfg->ctimeNs == st->st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_ctim.tv_nsec;
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

gboolean
vgmDriverStoreConfigsUnchanged(const VgmDriverStore *store)
{
    struct stat st;
    gint64 mtime;
    gboolean same;

    if (stat(store->configDir, &st) < 0)
        return FALSE;
    mtime = st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
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

VgmDriverConfig *
vgmDriverStoreGetConfigTrusted(const VgmDriverStore *store, const char *name,
                               gboolean trusted, GError **error)
{
    VgmDriverConfig *cfg;

    if (trusted) {
        g_mutex_lock(&store->cache->lock);
        if ((cfg = g_hash_table_lookup(store->cache->configs, name)))
            vgmDriverConfigRef(cfg);
        g_mutex_unlock(&store->cache->lock);
        if (cfg)
            return cfg;
    }
    return vgmDriverStoreGetConfig(store, name, error);
}

/* A stored definition that does not parse: the error names the file,
 * which a message about the XML alone would not. */
static void
vgmDriverStoreConfigParseError(GError **error, const char *path, GError *err)
{
    vgmErrorSet(error, err->domain == VGM_ERROR ? (VgmErrorCode)err->code : VGM_ERR_XML,
                _("stored definition %1$s: %2$s"), path, err->message);
}

VgmDriverConfig *
vgmDriverStoreGetConfig(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);
    g_autoptr(VgmDriverConfig) cfg = NULL;
    g_autofree char *xml = NULL;
    struct stat st;
    int fd;

    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        g_mutex_lock(&store->cache->lock);
        cfg = g_hash_table_lookup(store->cache->configs, name);
        if (cfg && vgmDriverConfigSameFile(cfg, &st)) {
            vgmDriverConfigRef(cfg);
            g_mutex_unlock(&store->cache->lock);
            return g_steal_pointer(&cfg);
        }
        cfg = NULL;
        g_mutex_unlock(&store->cache->lock);
    }

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
    {
        g_autoptr(GError) err = NULL;

        if (!(cfg->def = vgmDomainDefParseString(xml, path, VGM_DOMAIN_PARSE_NONE, &err))) {
            vgmDriverStoreConfigParseError(error, path, err);
            return NULL;
        }
    }
    if (!g_str_equal(cfg->def->name, name)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("config file '%1$s' holds domain '%2$s', not '%3$s'"),
                    path, cfg->def->name, name);
        return NULL;
    }
    cfg->xml = vgmDomainDefFormat(cfg->def);
    cfg->dev = st.st_dev;
    cfg->ino = st.st_ino;
    cfg->size = st.st_size;
    cfg->mtimeNs = st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
    cfg->ctimeNs = st.st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_ctim.tv_nsec;

    g_mutex_lock(&store->cache->lock);
    g_hash_table_replace(store->cache->configs, g_strdup(name), vgmDriverConfigRef(cfg));
    g_hash_table_replace(store->cache->uuids, g_memdup2(cfg->def->uuid, 16), g_strdup(name));
    g_mutex_unlock(&store->cache->lock);
    return g_steal_pointer(&cfg);
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
    if (!(def = vgmDomainDefParseString(xml, path, VGM_DOMAIN_PARSE_NONE, &err))) {
        vgmDriverStoreConfigParseError(error, path, err);
        return NULL;
    }
    if (!g_str_equal(def->name, name)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("config file '%1$s' holds domain '%2$s', not '%3$s'"),
                    path, def->name, name);
        return NULL;
    }
    return g_steal_pointer(&def);
}

void
vgmDriverStoreBrokenConfigUUID(const VgmDriverStore *store, const char *name,
                               unsigned char *uuid)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, name);
    g_autofree char *xml = NULL;
    g_autofree char *sum = NULL;
    const char *start;
    const char *end;

    if (vgmFileReadAll(path, VGM_DRIVER_STORE_MAX_FILE, &xml, NULL, NULL) &&
        (start = strstr(xml, "<uuid>")) &&
        (end = strstr(start, "</uuid>"))) {
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

/* Removes what a killed config write of @name left behind: the staging
 * file and vgmFileWriteAtomic's temporaries (".BASE.XXXXXX"). */
static void
vgmDriverStoreCleanStaging(const VgmDriverStore *store, const char *name)
{
    g_autofree char *staged = g_strdup_printf(".%s.xml.new", name);
    g_autofree char *tmp1 = g_strdup_printf(".%s.xml.", name);
    g_autofree char *tmp2 = g_strdup_printf(".%s.", staged);
    g_autoptr(GDir) d = g_dir_open(store->configDir, 0, NULL);
    const char *ent;

    if (!d)
        return;
    while ((ent = g_dir_read_name(d))) {
        gboolean ours = g_str_equal(ent, staged) ||
                        (g_str_has_prefix(ent, tmp1) && strlen(ent) == strlen(tmp1) + 6) ||
                        (g_str_has_prefix(ent, tmp2) && strlen(ent) == strlen(tmp2) + 6);

        if (ours) {
            g_autofree char *path = g_build_filename(store->configDir, ent, NULL);
            g_unlink(path);
        }
    }
}

gboolean
vgmDriverStoreSaveConfig(const VgmDriverStore *store, const VgmDomainDef *def,
                         GError **error)
{
    g_autofree char *path = vgmDriverStoreConfigPath(store, def->name);
    g_autofree char *staged = vgmDriverStoreFile(store->configDir, ".", def->name, ".xml.new");
    g_autofree char *xml = vgmDomainDefFormat(def);
    int fd;

    vgmDriverStoreCleanStaging(store, def->name);
    if (!vgmFileWriteAtomic(staged, xml, strlen(xml), 0600, error))
        return FALSE;
    vgmDriverTestPause("define-before-rename");
    if (rename(staged, path) < 0) {
        int err = errno;

        g_unlink(staged);
        vgmErrorSetSystem(error, err, _("cannot rename '%1$s' to '%2$s'"), staged, path);
        return FALSE;
    }
    if ((fd = open(store->configDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        /* the rename must survive a crash too; a file system that cannot
         * sync directories already made vgmFileWriteAtomic say so */
        (void)fsync(fd);
        close(fd);
    }
    return TRUE;
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
    g_hash_table_remove(store->cache->configs, name);
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
    if ((lock = vgmDriverLockTake(path, timeoutMs, &holder, &err)))
        return lock;
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    if (holder > 0)
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
    g_free(update);
}

VgmDriverStatus *
vgmDriverStatusNew(void)
{
    VgmDriverStatus *status = g_new0(VgmDriverStatus, 1);

    status->id = -1;
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
    g_free(status->log);
    g_free(status->xml);
    if (status->plan)
        json_node_unref(status->plan);
    g_strfreev(status->hugetlbfsDirs);
    vgmDriverStatusUpdateFree(status->update);
    g_free(status);
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
    json_builder_set_member_name(b, "plan");
    if (status->plan)
        json_builder_add_value(b, json_node_copy(status->plan));
    else
        json_builder_add_null_value(b);
    if (status->hugetlbfsDirs) {
        size_t i;

        json_builder_set_member_name(b, "hugetlbfs-dirs");
        json_builder_begin_array(b);
        for (i = 0; status->hugetlbfsDirs[i]; i++)
            json_builder_add_string_value(b, status->hugetlbfsDirs[i]);
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
        !vgmDriverStatusGetString(obj, "emulator", TRUE, &u->emulator, what, error))
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
    if ((node = json_object_get_member(obj, "hugetlbfs-dirs")) && !JSON_NODE_HOLDS_NULL(node)) {
        g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
        JsonArray *arr = JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
        guint i;

        for (i = 0; arr && i < json_array_get_length(arr); i++) {
            JsonNode *n = json_array_get_element(arr, i);

            if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
                arr = NULL;
                break;
            }
            g_ptr_array_add(dirs, g_strdup(json_node_get_string(n)));
        }
        if (!arr) {
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("status file '%1$s' has a 'hugetlbfs-dirs' member that is not a list of strings"),
                        what);
            return NULL;
        }
        g_ptr_array_add(dirs, NULL);
        status->hugetlbfsDirs = (char **)g_ptr_array_free(g_steal_pointer(&dirs), FALSE);
    }
    if ((node = json_object_get_member(obj, "update")) && !JSON_NODE_HOLDS_NULL(node) &&
        !(status->update = vgmDriverStatusUpdateParse(node, what, error)))
        return NULL;
    status->transient = json_object_get_boolean_member_with_default(obj, "transient", FALSE);
    status->paused = json_object_get_boolean_member_with_default(obj, "paused", FALSE);
    status->runReason = g_strdup(json_object_get_string_member_with_default(obj, "run-reason", NULL));
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

/* Removes @dir and the files in it, as far as it can; a missing @dir is
 * fine. */
static void
vgmDriverStoreRemoveDir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *sub = g_build_filename(dir, ent, NULL);
        g_unlink(sub);
    }
    g_rmdir(dir);
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
    size_t i;

    /* the runtime dir and the guest RAM dirs of the run that ended first:
     * a status file is what says there is something to clean, so it goes
     * last. Only per-domain hugetlbfs dirs are taken from the status (the
     * mount and its virt-gmem dir are shared with other domains). */
    vgmDriverStoreRemoveDir(dir);
    vgmDriverStoreRemoveDir(ram);
    for (i = 0; status && status->hugetlbfsDirs && status->hugetlbfsDirs[i]; i++) {
        if (g_str_has_suffix(status->hugetlbfsDirs[i], hugeSuffix))
            vgmDriverStoreRemoveDir(status->hugetlbfsDirs[i]);
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

/* ---- test hook ---- */

void
vgmDriverTestPause(const char *point)
{
    const char *want = g_getenv("VIRT_GMEM_TEST_PAUSE_AT");
    int i;

    if (!want || !g_str_equal(want, point))
        return;
    /* for tests only, so not translated: tests match this line */
    fprintf(stderr, "virt-gmem: paused at %s (pid %lld)\n", point, (long long)getpid());
    fflush(stderr);
    for (i = 0; i < 3600; i++)
        g_usleep(G_USEC_PER_SEC);
}
