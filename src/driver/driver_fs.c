/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_fs.c: the host side of a domain's <filesystem> shares (see the
 * header).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "driver_fs.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_firmware.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

/* where QEMU's vhost-user backends describe themselves, first wins */
static const char *const vgmDriverFsVhostUserDirs[] = {
    "/etc/qemu/vhost-user", "/usr/share/qemu/vhost-user", NULL
};

/* the descriptor virtiofsd gets its listening socket as */
#define VGM_DRIVER_FS_SOCKET_FD 3

struct _VgmDriverFsRun {
    unsigned int index;         /* fsN */
    char *socket;               /* RUNDIR/ID-fs.sock (ID: its QEMU id, fsN) */
    char *pidfile;              /* RUNDIR/ID-virtiofsd.pid */
    char *log;                  /* LOGDIR/NAME-ID-virtiofsd.log */
    GStrv argv;
};

void
vgmDriverFsRunFree(VgmDriverFsRun *run)
{
    if (!run)
        return;
    g_free(run->socket);
    g_free(run->pidfile);
    g_free(run->log);
    g_strfreev(run->argv);
    g_free(run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverFsRun, vgmDriverFsRunFree)

static void
vgmDriverFsAppendOpt(GString *opts, const char *name, const char *value)
{
    if (opts->len)
        g_string_append_c(opts, ',');
    g_string_append(opts, name);
    if (value)
        g_string_append_printf(opts, "=%s", value);
}

/* virtiofsd's on/off options: name, or no_name */
static void
vgmDriverFsAppendSwitch(GString *opts, const char *name, VgmTristate value)
{
    g_autofree char *negated = g_strdup_printf("no_%s", name);

    if (value)
        vgmDriverFsAppendOpt(opts, value == VGM_TRISTATE_YES ? name : negated, NULL);
}

/* libvirt's command line of a virtiofsd */
static GStrv
vgmDriverFsArgv(const char *binary, const VgmFsDef *fs)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) opts = g_string_new(NULL);

    g_ptr_array_add(argv, g_strdup(binary));
    g_ptr_array_add(argv, g_strdup_printf("--fd=%d", VGM_DRIVER_FS_SOCKET_FD));
    vgmDriverFsAppendOpt(opts, "source", fs->dir);
    if (fs->cache)
        vgmDriverFsAppendOpt(opts, "cache", vgmFsCacheTypeToString(fs->cache));
    if (fs->sandbox)
        vgmDriverFsAppendOpt(opts, "sandbox", vgmFsSandboxTypeToString(fs->sandbox));
    vgmDriverFsAppendSwitch(opts, "xattr", fs->xattr);
    vgmDriverFsAppendSwitch(opts, "flock", fs->flock);
    vgmDriverFsAppendSwitch(opts, "posix_lock", fs->posixLock);
    g_ptr_array_add(argv, g_strdup("-o"));
    g_ptr_array_add(argv, g_string_free(g_steal_pointer(&opts), FALSE));
    if (fs->threadPoolSize >= 0)
        g_ptr_array_add(argv, g_strdup_printf("--thread-pool-size=%d", fs->threadPoolSize));
    g_ptr_array_add(argv, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}

GPtrArray *
vgmDriverFsPrepare(const VgmDriverStore *store, const VgmDomainDef *def, guint first,
                   GError **error)
{
    g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverFsRunFree);
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, def->name);
    guint i;

    for (i = first; i < def->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);
        g_autoptr(VgmDriverFsRun) run = NULL;
        g_autofree char *binary = NULL;
        g_autofree char *name = NULL;
        g_autofree char *id = NULL;
        struct sockaddr_un sa;

        /* a virtiofsd of someone else's */
        if (fs->socket)
            continue;
        if (!g_file_test(fs->dir, G_FILE_TEST_IS_DIR)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("the directory '%1$s' that <filesystem> '%2$s' of domain '%3$s' shares does not exist"),
                        fs->dir, fs->target, def->name);
            return NULL;
        }
        if (fs->driver != VGM_FS_DRIVER_VIRTIOFS)
            continue;
        /* virtiofsd splits its -o options at commas, with no escape that
         * both its C and its Rust versions read */
        if (strchr(fs->dir, ',')) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("virtiofs <filesystem> '%1$s' of domain '%2$s' cannot share '%3$s': virtiofsd takes no ',' in its source path"),
                        fs->target, def->name, fs->dir);
            return NULL;
        }

        binary = fs->binary ? g_strdup(fs->binary) :
                 vgmQemuVhostUserBinary(vgmDriverFsVhostUserDirs, "fs");
        if (!binary) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("virtiofs <filesystem> '%1$s' of domain '%2$s' needs a virtiofsd: give <binary path='...'/>, or install one with a vhost-user descriptor of type 'fs' in /usr/share/qemu/vhost-user (Debian 12's QEMU ships one, /usr/lib/qemu/virtiofsd)"),
                        fs->target, def->name);
            return NULL;
        }
        if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE) ||
            g_file_test(binary, G_FILE_TEST_IS_DIR)) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("the virtiofsd '%1$s' for <filesystem> '%2$s' of domain '%3$s' is not an executable file"),
                        binary, fs->target, def->name);
            return NULL;
        }
        run = g_new0(VgmDriverFsRun, 1);
        run->index = i;
        id = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_FS, i);
        run->socket = vgmQemuFsSocketPath(cfg, def->name, NULL, id);
        if (strlen(run->socket) >= sizeof(sa.sun_path)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("the virtiofs socket path '%1$s' is longer than a unix socket allows (%2$zu bytes); use a shorter --root or domain name"),
                        run->socket, sizeof(sa.sun_path) - 1);
            return NULL;
        }
        name = g_strdup_printf("%s-virtiofsd.pid", id);
        run->pidfile = g_build_filename(runDir, name, NULL);
        g_free(name);
        name = g_strdup_printf("%s-%s-virtiofsd.log", def->name, id);
        run->log = g_build_filename(store->logDir, name, NULL);
        run->argv = vgmDriverFsArgv(binary, fs);
        g_ptr_array_add(runs, g_steal_pointer(&run));
    }
    return g_steal_pointer(&runs);
}

gboolean
vgmDriverFsNameBinaries(VgmDomainDef *def)
{
    gboolean named = FALSE;
    guint i;

    for (i = 0; i < def->devices.fss->len; i++) {
        VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);

        if (fs->driver != VGM_FS_DRIVER_VIRTIOFS || fs->socket || fs->binary)
            continue;
        if ((fs->binary = vgmQemuVhostUserBinary(vgmDriverFsVhostUserDirs, "fs")))
            named = TRUE;
    }
    return named;
}

/* A unix socket listening on @path, close-on-exec */
static int
vgmDriverFsListen(const char *path, GError **error)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_unlink(path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        int saved = errno;

        if (fd >= 0)
            close(fd);
        vgmErrorSetSystem(error, saved, _("cannot listen on '%1$s'"), path);
        return -1;
    }
    return fd;
}

/* virtiofsd outlives the tool and must not get its terminal's signals */
static void
vgmDriverFsChildSetup(gpointer data G_GNUC_UNUSED)
{
    setsid();
}

static gboolean
vgmDriverFsStartOne(const char *name, VgmDriverFsRun *run, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *pidText = NULL;
    const char *pid;
    int logFd, sockFd;

    if ((logFd = open(run->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open log file '%1$s'"), run->log);
        return FALSE;
    }
    if ((sockFd = vgmDriverFsListen(run->socket, error)) < 0) {
        close(logFd);
        return FALSE;
    }
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_cwd(launcher, "/");
    g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
    g_subprocess_launcher_take_stdout_fd(launcher, fcntl(logFd, F_DUPFD_CLOEXEC, 3));
    g_subprocess_launcher_take_stderr_fd(launcher, logFd);
    g_subprocess_launcher_take_fd(launcher, sockFd, VGM_DRIVER_FS_SOCKET_FD);
    g_subprocess_launcher_set_child_setup(launcher, vgmDriverFsChildSetup, NULL, NULL);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)run->argv, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot start virtiofsd '%1$s' for domain '%2$s': %3$s"),
                    run->argv[0], name, err->message);
        return FALSE;
    }
    /* the launcher holds our end of the socket until it goes: QEMU must
     * find virtiofsd alone on it */
    g_clear_object(&launcher);
    if (!(pid = g_subprocess_get_identifier(proc))) {
        g_autofree char *tail = vgmFileReadTail(run->log, 0, 1024);

        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("virtiofsd '%1$s' of domain '%2$s' exited at once: %3$s"),
                    run->argv[0], name, tail);
        return FALSE;
    }
    /* the pid, and the binary that runs as it */
    pidText = g_strdup_printf("%s\n%s\n", pid, run->argv[0]);
    /* without its pidfile it would outlive a failed start: end it */
    if (!vgmFileWriteAtomic(run->pidfile, pidText, strlen(pidText), 0600, error)) {
        g_subprocess_force_exit(proc);
        return FALSE;
    }
    /* virtiofsd stays; the GSubprocess is only our handle on it (it is
     * reaped when it exits) */
    return TRUE;
}

gboolean
vgmDriverFsStart(const VgmDriverStore *store, const char *name, GPtrArray *runs, GError **error)
{
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, name);
    guint i;

    if (!runs || runs->len == 0)
        return TRUE;
    if (!vgmFileMakePath(runDir, 0700, error) || !vgmFileMakePath(store->logDir, 0755, error))
        return FALSE;
    for (i = 0; i < runs->len; i++) {
        if (!vgmDriverFsStartOne(name, g_ptr_array_index(runs, i), error)) {
            vgmDriverFsRunsStop(runs);
            return FALSE;
        }
    }
    return TRUE;
}

/* Ends the virtiofsd pidfile @pidfile names, if it still runs, and
 * removes the pidfile */
static void
vgmDriverFsStopPidfile(const char *pidfile)
{
    g_autofree char *text = NULL;
    g_autofree char *cmdlinePath = NULL;
    g_autofree char *cmdline = NULL;
    g_auto(GStrv) lines = NULL;
    gint64 pid;

    if (!g_file_get_contents(pidfile, &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", 3);
    pid = g_ascii_strtoll(lines[0], NULL, 10);
    /* the virtiofsd started, not a process that took its number: it runs
     * the binary the pidfile names */
    cmdlinePath = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
    if (pid > 1 && lines[1] && g_file_get_contents(cmdlinePath, &cmdline, NULL, NULL) &&
        g_str_equal(cmdline, lines[1]))
        kill((pid_t)pid, SIGTERM);
    g_unlink(pidfile);
}

void
vgmDriverFsRunsStop(GPtrArray *runs)
{
    for (guint i = 0; runs && i < runs->len; i++)
        vgmDriverFsStopPidfile(((VgmDriverFsRun *)g_ptr_array_index(runs, i))->pidfile);
}

void
vgmDriverFsStop(const VgmDriverStore *store, const char *name)
{
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, name);
    g_autoptr(GDir) dir = g_dir_open(runDir, 0, NULL);
    const char *ent;

    while (dir && (ent = g_dir_read_name(dir))) {
        g_autofree char *pidfile = NULL;

        /* (named after the share's QEMU id, fsN or a user alias) */
        if (!g_str_has_suffix(ent, "-virtiofsd.pid"))
            continue;
        pidfile = g_build_filename(runDir, ent, NULL);
        vgmDriverFsStopPidfile(pidfile);
    }
}
