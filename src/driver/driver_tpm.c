/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_tpm.c: the swtpm behind a domain's TPM (see the header).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "driver_tpm.h"
#include "driver_secret.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

#define VGM_DRIVER_TPM_WAIT_MS 10000

static char *
vgmDriverTpmStateRoot(const VgmDriverStore *store, const unsigned char *uuid)
{
    char str[37];

    vgmDomainUUIDFormat(uuid, str);
    return g_build_filename(store->stateDir, "swtpm", str, NULL);
}

/* The TPM's state lives in ROOT/tpm2 (tpm1.2), or after a live update
 * in ROOT/tpm2.b (tpm1.2.b), the two taking turns: ROOT/current names the
 * one in use, none naming the first. */
#define VGM_DRIVER_TPM_CURRENT "current"

static const char *
vgmDriverTpmStateBase(gboolean tpm2)
{
    return tpm2 ? "tpm2" : "tpm1.2";
}

/* The name of the state directory in use under @root */
static char *
vgmDriverTpmStateName(const char *root, gboolean tpm2)
{
    g_autofree char *marker = g_build_filename(root, VGM_DRIVER_TPM_CURRENT, NULL);
    g_autofree char *text = NULL;
    g_autofree char *other = g_strdup_printf("%s.b", vgmDriverTpmStateBase(tpm2));

    if (g_file_get_contents(marker, &text, NULL, NULL) && g_str_equal(g_strstrip(text), other))
        return g_steal_pointer(&other);
    return g_strdup(vgmDriverTpmStateBase(tpm2));
}

/* The other of the two state directory names than @name */
static char *
vgmDriverTpmStateOther(const char *name, gboolean tpm2)
{
    const char *base = vgmDriverTpmStateBase(tpm2);

    return g_str_equal(name, base) ? g_strdup_printf("%s.b", base) : g_strdup(base);
}

static const char *const vgmDriverTpmTools[] = { "swtpm", "swtpm_setup" };

static gboolean vgmDriverTpmSetupHas(const char *feature);

VgmDriverTpmHost
vgmDriverTpmHostProbe(void)
{
    VgmDriverTpmHost host = { TRUE, FALSE, FALSE };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDriverTpmTools) && host.swtpm; i++) {
        g_autofree char *path = g_find_program_in_path(vgmDriverTpmTools[i]);

        host.swtpm = path != NULL;
    }
    if (host.swtpm) {
        host.v12 = vgmDriverTpmSetupHas("tpm-1.2");
        host.v20 = vgmDriverTpmSetupHas("tpm-2.0");
    }
    return host;
}

gboolean
vgmDriverTpmCheckHost(const VgmDomainDef *def, GError **error)
{
    const char *const *tools = vgmDriverTpmTools;
    size_t i;

    if (!def->devices.tpm || def->devices.tpm->externalPath)
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(vgmDriverTpmTools); i++) {
        g_autofree char *path = g_find_program_in_path(tools[i]);

        if (!path) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("domain '%1$s' has a <tpm> with backend 'emulator', which needs '%2$s' (Debian's swtpm and swtpm-tools packages)"),
                        def->name, tools[i]);
            return FALSE;
        }
    }
    return TRUE;
}

/* A pipe whose read end gives @key and then EOF (a secret fits the pipe's
 * buffer: libvirt's 64 KiB at most); -1 on failure */
static int
vgmDriverTpmKeyPipe(GBytes *key, GError **error)
{
    int fds[2];
    gsize len = 0;
    const char *data = g_bytes_get_data(key, &len);
    int size;

    if (!g_unix_open_pipe(fds, FD_CLOEXEC, error))
        return -1;
    /* the whole key goes in before swtpm runs: the pipe must hold it (a
     * user over fs.pipe-user-pages-soft gets small pipes), and a write that
     * would wait fails instead */
    if ((size = fcntl(fds[1], F_GETPIPE_SZ)) >= 0 && (gsize)size < len)
        size = fcntl(fds[1], F_SETPIPE_SZ, (int)len);
    if (size < 0 || (gsize)size < len || !g_unix_set_fd_nonblocking(fds[1], TRUE, NULL) ||
        !vgmFileWriteFully(fds[1], data, len)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot hand the TPM's passphrase (%1$" G_GSIZE_FORMAT " bytes) to swtpm through a pipe"),
                    len);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    close(fds[1]);
    return fds[0];
}

/* Runs @argv to its end; with @key, @nkeys pipes that give it are the
 * program's descriptors 3, 4, ... (its arguments name them). Its failure
 * quotes the end of @log. */
static gboolean
vgmDriverTpmRun(const char *const *argv, GBytes *key, int nkeys, const char *log, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GBytes) errBytes = NULL;
    g_autofree char *errText = NULL;
    int i;

    for (i = 0; key && i < nkeys; i++) {
        int fd = vgmDriverTpmKeyPipe(key, error);

        if (fd < 0)
            return FALSE;
        g_subprocess_launcher_take_fd(launcher, fd, 3 + i);
    }
    if (!(proc = g_subprocess_launcher_spawnv(launcher, argv, &err)) ||
        !g_subprocess_communicate(proc, NULL, NULL, NULL, &errBytes, &err) ||
        !g_subprocess_get_successful(proc)) {
        g_autofree char *tail = vgmFileReadTail(log, 0, 1024);
        const char *why;

        /* what it said, whatever its encoding, fit for a message */
        if (errBytes) {
            gsize n = 0;
            const char *raw = g_bytes_get_data(errBytes, &n);
            g_autofree char *copy = g_strndup(raw, n);

            errText = vgmErrorEscape(copy);
        }
        why = errText && *g_strstrip(errText) ? errText : tail;

        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("%1$s failed: %2$s%3$s%4$s"),
                    argv[0], err ? err->message : _("it exited with an error"),
                    *why ? "; " : "", why);
        return FALSE;
    }
    return TRUE;
}

/* The host's swtpm_setup configuration and its local CA's (Debian's
 * swtpm-tools) */
#define VGM_DRIVER_TPM_SETUP_CONF "/etc/swtpm_setup.conf"
#define VGM_DRIVER_TPM_LOCALCA_CONF "/etc/swtpm-localca.conf"

/* The keys of the local CA's configuration that name its files: they
 * move into a directory of the driver's */
static const char *const vgmDriverTpmLocalCaFiles[][2] = {
    { "statedir", "" },
    { "signingkey", "signkey.pem" },
    { "issuercert", "issuercert.pem" },
    { "certserial", "certserial" },
};

/* @text's lines with the value of each key in @keys[i][0] replaced by
 * @values[i] (a line "key = value"; comments and the rest as they are) */
static char *
vgmDriverTpmConfRewrite(const char *text, const char *const (*keys)[2], const char *const *values,
                        size_t n)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i, k;

    for (i = 0; lines[i]; i++) {
        g_autofree char *key = NULL;
        const char *eq = strchr(lines[i], '=');

        if (!lines[i][0] && !lines[i + 1])
            break;
        if (eq && lines[i][0] != '#') {
            key = g_strstrip(g_strndup(lines[i], eq - lines[i]));
            for (k = 0; k < n && !g_str_equal(key, keys[k][0]); k++)
                ;
            if (k < n) {
                g_string_append_printf(out, "%s = %s\n", key, values[k]);
                continue;
            }
        }
        g_string_append_printf(out, "%s\n", lines[i]);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* A swtpm_setup configuration of the driver's (its path, or NULL to use
 * the host's: none there): the host's, with a local CA whose files are in
 * STATEDIR/swtpm-localca. The host's local CA (/var/lib/swtpm-localca)
 * is libvirtd's, which runs swtpm_setup as user tss: files the driver
 * made there as root would lock libvirtd's TPMs out. */
static char *
vgmDriverTpmSetupConfig(const VgmDriverStore *store, GError **error)
{
    g_autofree char *setupText = NULL;
    g_autofree char *caText = NULL;
    g_autofree char *dir = g_build_filename(store->stateDir, "swtpm-localca", NULL);
    g_autofree char *caConf = g_build_filename(dir, "swtpm-localca.conf", NULL);
    g_autofree char *setupConf = g_build_filename(dir, "swtpm_setup.conf", NULL);
    g_autofree char *setupOut = NULL;
    g_autofree char *caOut = NULL;
    const char *caValues[G_N_ELEMENTS(vgmDriverTpmLocalCaFiles)];
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    static const char *const setupKeys[][2] = { { "create_certs_tool_config", "" } };
    const char *setupValues[] = { caConf };
    size_t i;

    if (!g_file_get_contents(VGM_DRIVER_TPM_SETUP_CONF, &setupText, NULL, NULL) ||
        !g_file_get_contents(VGM_DRIVER_TPM_LOCALCA_CONF, &caText, NULL, NULL))
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(vgmDriverTpmLocalCaFiles); i++) {
        char *path = *vgmDriverTpmLocalCaFiles[i][1] ?
                     g_build_filename(dir, vgmDriverTpmLocalCaFiles[i][1], NULL) : g_strdup(dir);

        g_ptr_array_add(paths, path);
        caValues[i] = path;
    }
    caOut = vgmDriverTpmConfRewrite(caText, vgmDriverTpmLocalCaFiles, caValues,
                                    G_N_ELEMENTS(vgmDriverTpmLocalCaFiles));
    setupOut = vgmDriverTpmConfRewrite(setupText, setupKeys, setupValues, 1);
    if (!vgmFileMakePath(dir, 0700, error) ||
        !vgmFileWriteAtomic(caConf, caOut, strlen(caOut), 0600, error) ||
        !vgmFileWriteAtomic(setupConf, setupOut, strlen(setupOut), 0600, error))
        return NULL;
    return g_steal_pointer(&setupConf);
}

/* Whether this host's swtpm_setup lists @feature in its capabilities */
static gboolean
vgmDriverTpmSetupHas(const char *feature)
{
    /* swtpm_setup --print-capabilities, run once per binary: again only
     * when the file found in PATH is another or has changed since */
    static GMutex lock;
    static char *cachedPath;
    static gint64 cachedMtime;
    static char *cachedOut;
    g_autofree char *path = g_find_program_in_path("swtpm_setup");
    g_autofree char *quoted = g_strdup_printf("\"%s\"", feature);
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&lock);
    GStatBuf sb;
    gint64 mtime;

    if (!path || g_stat(path, &sb) < 0)
        return FALSE;
    mtime = vgmFileTimeNs(&sb.st_mtim);
    if (!cachedOut || g_strcmp0(cachedPath, path) != 0 || cachedMtime != mtime) {
        const char *argv[] = { path, "--print-capabilities", NULL };
        g_autofree char *out = NULL;
        int status = 0;

        g_clear_pointer(&cachedOut, g_free);
        if (!g_spawn_sync(NULL, (char **)argv, NULL,
                          G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES,
                          NULL, NULL, &out, NULL, &status, NULL) ||
            !g_spawn_check_wait_status(status, NULL) || !out)
            return FALSE;
        g_free(cachedPath);
        cachedPath = g_steal_pointer(&path);
        cachedMtime = mtime;
        cachedOut = g_steal_pointer(&out);
    }
    return strstr(cachedOut, quoted) != NULL;
}

/* Activates @tpm's <active_pcr_banks> in the state in @dir, as libvirt
 * does at every start (swtpm_setup --reconfigure), before swtpm runs */
static gboolean
vgmDriverTpmReconfigureBanks(const VgmTpmDef *tpm, const char *dir, const char *log, GBytes *key,
                             GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GString) banks = g_string_new(NULL);
    int b;

    if (!tpm->pcrBanks)
        return TRUE;
    if (!vgmDriverTpmSetupHas("cmdarg-reconfigure-pcr-banks")) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT, "%s",
                    _("<active_pcr_banks> of <tpm> needs a swtpm_setup that reconfigures PCR banks (capability 'cmdarg-reconfigure-pcr-banks', swtpm 0.7 or later)"));
        return FALSE;
    }
    for (b = 0; b < VGM_TPM_PCR_BANK_LAST; b++) {
        if (tpm->pcrBanks & (1u << b))
            g_string_append_printf(banks, "%s%s", banks->len ? "," : "", vgmTpmPcrBankTypeToString(b));
    }
    g_ptr_array_add(argv, (gpointer)"swtpm_setup");
    g_ptr_array_add(argv, (gpointer)"--tpm2");
    if (key) {
        g_ptr_array_add(argv, (gpointer)"--pwdfile-fd");
        g_ptr_array_add(argv, (gpointer)"3");
        g_ptr_array_add(argv, (gpointer)"--cipher");
        g_ptr_array_add(argv, (gpointer)"aes-256-cbc");
    }
    g_ptr_array_add(argv, (gpointer)"--tpm-state");
    g_ptr_array_add(argv, (gpointer)dir);
    g_ptr_array_add(argv, (gpointer)"--logfile");
    g_ptr_array_add(argv, (gpointer)log);
    g_ptr_array_add(argv, (gpointer)"--pcr-banks");
    g_ptr_array_add(argv, banks->str);
    g_ptr_array_add(argv, (gpointer)"--reconfigure");
    g_ptr_array_add(argv, NULL);
    return vgmDriverTpmRun((const char *const *)argv->pdata, key, 1, log, error);
}

static void vgmDriverTpmStopNamed(const VgmDriverStore *store, const char *name,
                                  const char *base);

/* Runs swtpm on state directory @dir for domain @name, listening on
 * RUNDIR/@base.sock (its pidfile RUNDIR/@base.pid), once it returns */
static gboolean
vgmDriverTpmLaunch(const VgmDriverStore *store, const char *name, gboolean tpm2,
                   const char *dir, const char *base, GBytes *key, const char *log,
                   GError **error)
{
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, name);
    g_autofree char *sockName = g_strdup_printf("%s.sock", base);
    g_autofree char *pidName = g_strdup_printf("%s.pid", base);
    g_autofree char *sock = g_build_filename(runDir, sockName, NULL);
    g_autofree char *pidfile = g_build_filename(runDir, pidName, NULL);
    g_autofree char *ctrl = NULL;
    g_autofree char *state = NULL;
    g_autofree char *logOpt = NULL;
    g_autofree char *pidOpt = NULL;
    gint64 deadline;

    /* swtpm splits its option values at commas */
    if (strchr(dir, ',') || strchr(sock, ',') || strchr(log, ',') || strchr(pidfile, ',')) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the TPM of domain '%1$s' cannot run: swtpm takes no ',' in its paths ('%2$s')"),
                    name, dir);
        return FALSE;
    }
    if (!vgmFileMakePath(runDir, 0700, error))
        return FALSE;
    g_unlink(sock);
    g_unlink(pidfile);
    ctrl = g_strdup_printf("type=unixio,path=%s,mode=0600", sock);
    state = g_strdup_printf("dir=%s,mode=0600", dir);
    logOpt = g_strdup_printf("file=%s", log);
    pidOpt = g_strdup_printf("file=%s", pidfile);
    {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        const char *const fixed[] = {
            "swtpm", "socket", "--ctrl", ctrl, "--tpmstate", state, "--log", logOpt,
            "--terminate", "--daemon", "--pid", pidOpt,
        };
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(fixed); i++)
            g_ptr_array_add(argv, (gpointer)fixed[i]);
        if (key) {
            /* the state's key and the migration stream's, each from its
             * own descriptor */
            g_ptr_array_add(argv, (gpointer)"--key");
            g_ptr_array_add(argv, (gpointer)"pwdfd=3,mode=aes-256-cbc");
            g_ptr_array_add(argv, (gpointer)"--migration-key");
            g_ptr_array_add(argv, (gpointer)"pwdfd=4,mode=aes-256-cbc");
        }
        if (tpm2)
            g_ptr_array_add(argv, (gpointer)"--tpm2");
        g_ptr_array_add(argv, NULL);
        if (!vgmDriverTpmRun((const char *const *)argv->pdata, key, 2, log, error))
            return FALSE;
    }
    /* the daemon listens before its parent exits; wait for the socket to
     * listen nonetheless, as QEMU needs it at once */
    deadline = g_get_monotonic_time() + VGM_DRIVER_TPM_WAIT_MS * 1000;
    while (!vgmFileUnixListening(sock)) {
        if (g_get_monotonic_time() > deadline) {
            vgmDriverTpmStopNamed(store, name, base);
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("swtpm of domain '%1$s' did not listen on '%2$s' within %3$d s"),
                        name, sock, VGM_DRIVER_TPM_WAIT_MS / 1000);
            return FALSE;
        }
        g_usleep(10 * 1000);
    }
    return TRUE;
}

gboolean
vgmDriverTpmStart(const VgmDriverStore *store, const char *name, const unsigned char *uuidBytes,
                  const VgmTpmDef *tpm, GError **error)
{
    gboolean tpm2;
    g_autofree char *root = NULL;
    g_autofree char *stateName = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *permall = NULL;
    g_autofree char *runDir = NULL;
    g_autofree char *logName = NULL;
    g_autofree char *log = NULL;
    g_autofree char *setupConf = NULL;
    g_autoptr(GBytes) key = NULL;
    char uuid[37];

    if (!tpm)
        return TRUE;
    /* an encrypted state: the passphrase a secret of usage vtpm holds, as
     * libvirt hands it over (aes-256-cbc, through a descriptor) */
    if (tpm->encrypted &&
        !(key = vgmDriverSecretValueFor(store, tpm->secret, VGM_SECRET_USAGE_VTPM, error)))
        return FALSE;
    tpm2 = tpm->version == VGM_TPM_VERSION_2_0;
    root = vgmDriverTpmStateRoot(store, uuidBytes);
    stateName = vgmDriverTpmStateName(root, tpm2);
    dir = g_build_filename(root, stateName, NULL);
    permall = g_build_filename(dir, tpm2 ? "tpm2-00.permall" : "tpm-00.permall", NULL);
    runDir = vgmDriverStoreDomainRunDir(store, name);
    logName = g_strdup_printf("%s-swtpm.log", name);
    log = g_build_filename(store->logDir, logName, NULL);
    vgmDomainUUIDFormat(uuidBytes, uuid);

    if (!vgmFileMakePath(dir, 0700, error) || !vgmFileMakePath(runDir, 0700, error) ||
        !vgmFileMakePath(store->logDir, 0755, error))
        return FALSE;

    /* manufactured once: an endorsement key, and as root the certificates
     * of the local CA Debian configures */
    if (!g_file_test(permall, G_FILE_TEST_EXISTS)) {
        g_autofree char *vmid = g_strdup_printf("%s:%s", name, uuid);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();

        g_ptr_array_add(argv, (gpointer)"swtpm_setup");
        if (tpm2)
            g_ptr_array_add(argv, (gpointer)"--tpm2");
        g_ptr_array_add(argv, (gpointer)"--tpm-state");
        g_ptr_array_add(argv, dir);
        g_ptr_array_add(argv, (gpointer)"--vmid");
        g_ptr_array_add(argv, vmid);
        g_ptr_array_add(argv, (gpointer)"--logfile");
        g_ptr_array_add(argv, log);
        g_ptr_array_add(argv, (gpointer)"--createek");
        if (geteuid() == 0) {
            g_autoptr(GError) err = NULL;

            if ((setupConf = vgmDriverTpmSetupConfig(store, &err))) {
                g_ptr_array_add(argv, (gpointer)"--config");
                g_ptr_array_add(argv, setupConf);
            } else if (err) {
                g_propagate_error(error, g_steal_pointer(&err));
                return FALSE;
            }
            g_ptr_array_add(argv, (gpointer)"--create-ek-cert");
            g_ptr_array_add(argv, (gpointer)"--create-platform-cert");
        }
        g_ptr_array_add(argv, (gpointer)"--lock-nvram");
        g_ptr_array_add(argv, (gpointer)"--not-overwrite");
        if (key) {
            g_ptr_array_add(argv, (gpointer)"--pwdfile-fd");
            g_ptr_array_add(argv, (gpointer)"3");
            g_ptr_array_add(argv, (gpointer)"--cipher");
            g_ptr_array_add(argv, (gpointer)"aes-256-cbc");
        }
        g_ptr_array_add(argv, NULL);
        if (!vgmDriverTpmRun((const char *const *)argv->pdata, key, 1, log, error))
            return FALSE;
    }
    if (!vgmDriverTpmReconfigureBanks(tpm, dir, log, key, error))
        return FALSE;

    return vgmDriverTpmLaunch(store, name, tpm2, dir, "swtpm", key, log, error);
}

static void
vgmDriverTpmStopNamed(const VgmDriverStore *store, const char *name, const char *base)
{
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, name);
    g_autofree char *pidName = g_strdup_printf("%s.pid", base);
    g_autofree char *pidfile = g_build_filename(runDir, pidName, NULL);
    g_autofree char *text = NULL;
    g_autofree char *commPath = NULL;
    g_autofree char *comm = NULL;
    gint64 pid;
    int i;

    if (!g_file_get_contents(pidfile, &text, NULL, NULL))
        return;
    pid = g_ascii_strtoll(text, NULL, 10);
    if (pid <= 1)
        return;
    /* a pid of a process that is swtpm, not one that took its number */
    commPath = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/comm", pid);
    if (!g_file_get_contents(commPath, &comm, NULL, NULL) ||
        !g_str_equal(g_strstrip(comm), "swtpm"))
        return;
    kill((pid_t)pid, SIGTERM);
    /* (a short while for it to write its state and go: what follows may
     * remove that state) */
    for (i = 0; i < 200 && g_file_test(commPath, G_FILE_TEST_EXISTS); i++)
        g_usleep(10 * 1000);
}

void
vgmDriverTpmStop(const VgmDriverStore *store, const char *name)
{
    /* (a live update's swtpm takes the other name) */
    vgmDriverTpmStopNamed(store, name, "swtpm");
    vgmDriverTpmStopNamed(store, name, "swtpm-b");
}

/* Copies the files of state directory @from into a new @to (the lock
 * file left out, which swtpm makes) */
static gboolean
vgmDriverTpmCopyState(const char *from, const char *to, GError **error)
{
    g_autoptr(GDir) dir = NULL;
    const char *entry;

    vgmFileRemoveTree(to);
    if (!vgmFileMakePath(to, 0700, error))
        return FALSE;
    if (!(dir = g_dir_open(from, 0, NULL))) {
        vgmErrorSetSystem(error, errno, _("cannot read the TPM state directory '%1$s'"), from);
        return FALSE;
    }
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *src = g_build_filename(from, entry, NULL);
        g_autofree char *dst = g_build_filename(to, entry, NULL);
        g_autofree char *data = NULL;
        gsize len = 0;

        if (g_str_equal(entry, ".lock") || !g_file_test(src, G_FILE_TEST_IS_REGULAR))
            continue;
        if (!vgmFileReadAll(src, 64 * 1024 * 1024, &data, &len, error) ||
            !vgmFileWriteAtomic(dst, data, len, 0600, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverTpmStartCopy(const VgmDriverStore *store, const char *name, const unsigned char *uuid,
                      const VgmTpmDef *tpm, const char *base, char **stateName, GError **error)
{
    gboolean tpm2 = tpm->version == VGM_TPM_VERSION_2_0;
    g_autofree char *root = vgmDriverTpmStateRoot(store, uuid);
    g_autofree char *current = vgmDriverTpmStateName(root, tpm2);
    g_autofree char *other = vgmDriverTpmStateOther(current, tpm2);
    g_autofree char *from = g_build_filename(root, current, NULL);
    g_autofree char *to = g_build_filename(root, other, NULL);
    g_autofree char *logName = g_strdup_printf("%s-swtpm.log", name);
    g_autofree char *log = g_build_filename(store->logDir, logName, NULL);
    g_autoptr(GBytes) key = NULL;

    *stateName = NULL;
    if (tpm->encrypted &&
        !(key = vgmDriverSecretValueFor(store, tpm->secret, VGM_SECRET_USAGE_VTPM, error)))
        return FALSE;
    vgmDriverTpmStopNamed(store, name, base);
    if (!vgmDriverTpmCopyState(from, to, error) ||
        !vgmDriverTpmLaunch(store, name, tpm2, to, base, key, log, error)) {
        vgmFileRemoveTree(to);
        return FALSE;
    }
    *stateName = g_steal_pointer(&other);
    return TRUE;
}

void
vgmDriverTpmDiscard(const VgmDriverStore *store, const char *name, const unsigned char *uuid,
                    const char *base, const char *stateName)
{
    g_autofree char *root = vgmDriverTpmStateRoot(store, uuid);
    g_autofree char *current = NULL;
    g_autofree char *dir = NULL;

    vgmDriverTpmStopNamed(store, name, base);
    if (!stateName || (!g_str_has_prefix(stateName, "tpm2") && !g_str_has_prefix(stateName, "tpm1.2")) ||
        strchr(stateName, '/'))
        return;
    /* (never the state in use) */
    current = vgmDriverTpmStateName(root, g_str_has_prefix(stateName, "tpm2"));
    if (g_str_equal(stateName, current))
        return;
    dir = g_build_filename(root, stateName, NULL);
    vgmFileRemoveTree(dir);
}

gboolean
vgmDriverTpmAdopt(const VgmDriverStore *store, const char *name, const unsigned char *uuid,
                  const char *oldBase, const char *stateName, GError **error)
{
    g_autofree char *root = vgmDriverTpmStateRoot(store, uuid);
    g_autofree char *marker = g_build_filename(root, VGM_DRIVER_TPM_CURRENT, NULL);
    gboolean tpm2 = g_str_has_prefix(stateName, "tpm2");
    g_autofree char *old = vgmDriverTpmStateOther(stateName, tpm2);
    g_autofree char *oldDir = g_build_filename(root, old, NULL);
    g_autofree char *text = g_strdup_printf("%s\n", stateName);

    if (!vgmFileWriteAtomic(marker, text, strlen(text), 0600, error))
        return FALSE;
    /* the old swtpm ended with its QEMU's connection; its state goes */
    vgmDriverTpmStopNamed(store, name, oldBase);
    vgmFileRemoveTree(oldDir);
    return TRUE;
}

void
vgmDriverTpmRemoveState(const VgmDriverStore *store, const unsigned char *uuid)
{
    g_autofree char *root = vgmDriverTpmStateRoot(store, uuid);

    vgmFileRemoveTree(root);
}
