/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtgmemd.c: the daemon's entry point.
 *
 * Serves libvirt's RPC protocol (the REMOTE program of src/remote over the
 * transport of src/rpc) on a read-write unix socket and a read-only one
 * beside it, in front of the driver of one root: the same store that
 * `virt-gmem --root DIR` uses. Options and defaults are in
 * docs/virtgmemd.8.rst.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <locale.h>
#include <unistd.h>

#include "driver/driver_conn.h"
#include "driver/driver_network.h"
#include "remote/remote_dispatch.h"
#include "rpc/vgm_rpc_server.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* The read-write socket only for its owner (and SO_PEERCRED checks root
 * or the daemon's user as well); the read-only one for everybody. */
#define VGM_DAEMON_RW_MODE 0700
#define VGM_DAEMON_RO_MODE 0777

/* Where the sockets go by default: /run/virt-gmem for root, else
 * $XDG_RUNTIME_DIR/virt-gmem. */
static char *
vgmDaemonDefaultSocket(void)
{
    if (geteuid() == 0)
        return g_strdup("/run/virt-gmem/virtgmemd-sock");
    return g_build_filename(g_get_user_runtime_dir(), "virt-gmem", "virtgmemd-sock", NULL);
}

/*
 * Sockets handed over by systemd (LISTEN_PID, LISTEN_FDS from fd 3 on,
 * LISTEN_FDNAMES): the one named virtgmemd-ro is read-only. Returns how
 * many were taken, -1 on error.
 */
static int
vgmDaemonSystemdSockets(VgmRpcServer *srv, GError **error)
{
    const char *pidStr = g_getenv("LISTEN_PID");
    const char *fdsStr = g_getenv("LISTEN_FDS");
    g_auto(GStrv) names = NULL;
    guint64 pid = 0, nfds = 0;
    guint i;

    if (!pidStr || !fdsStr ||
        !g_ascii_string_to_unsigned(pidStr, 10, 1, G_MAXINT, &pid, NULL) ||
        (pid_t)pid != getpid() ||
        !g_ascii_string_to_unsigned(fdsStr, 10, 0, 16, &nfds, NULL))
        return 0;
    names = g_strsplit(g_getenv("LISTEN_FDNAMES") ? g_getenv("LISTEN_FDNAMES") : "", ":", -1);
    for (i = 0; i < nfds; i++) {
        gboolean ro = i < g_strv_length(names) && g_str_equal(names[i], "virtgmemd-ro");

        if (!vgmRpcServerAddFd(srv, 3 + i, ro, error))
            return -1;
    }
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    return nfds;
}

static VgmDriver *volatile vgmDaemonDriver;

static gpointer
vgmDaemonAutostart(gpointer data)
{
    vgmDriverAutostartDomains(data);
    return NULL;
}

int
main(int argc, char **argv)
{
    g_autofree char *root = NULL;
    g_autofree char *listen = NULL;
    g_autofree char *roListen = NULL;
    gint timeout = 0;
    gboolean verbose = FALSE;
    GOptionEntry entries[] = {
        { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
          N_("Keep domains, state and logs under DIR (default: $VIRT_GMEM_ROOT, else the system or user directories)"),
          N_("DIR") },
        { "listen", 0, 0, G_OPTION_ARG_FILENAME, &listen,
          N_("Listen on this unix socket (the read-only one is PATH-ro)"), N_("PATH") },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          N_("Exit after SECS seconds with no client connected (0: never)"), N_("SECS") },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
          N_("Log connections and calls on stderr"), NULL },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDriver) drv = NULL;
    VgmRpcServer *srv;
    VgmRpcProgram program;
    VgmRpcLimits limits = { 0 };
    int activated;

    /* a small daemon: two malloc arenas are enough for the threads of a
     * few busy clients (glibc would make up to 8 per core, each keeping
     * its own free memory), and memory a call frees stays for the next
     * call of a burst (the server trims the heap when calls stop) */
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);

    vgmI18nInit();
    ctx = g_option_context_new(NULL);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    g_option_context_set_summary(ctx, _("Serve virt-gmem's domains to libvirt clients (virsh, virt-manager, virt-install, OpenStack Nova) over libvirt's RPC protocol."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        g_autofree char *msg = vgmErrorEscape(err->message);

        fprintf(stderr, _("virtgmemd: %1$s\n"), msg);
        return 1;
    }
    if (argc > 1) {
        g_autofree char *arg = vgmErrorEscape(argv[1]);

        fprintf(stderr, _("virtgmemd: unexpected argument '%1$s'\n"), arg);
        return 1;
    }
    if (timeout < 0) {
        fprintf(stderr, _("virtgmemd: --timeout must not be negative\n"));
        return 1;
    }
    if (!listen)
        listen = vgmDaemonDefaultSocket();
    roListen = g_strdup_printf("%s-ro", listen);

    /* a client that goes away must not take the daemon with it */
    signal(SIGPIPE, SIG_IGN);

    if (!(drv = vgmDriverNew(root, &err))) {
        fprintf(stderr, _("virtgmemd: %1$s\n"), err->message);
        return 1;
    }
    /* lookups and lists from the index, kept current with inotify */
    if (!vgmDriverStartIndex(drv) && verbose)
        fprintf(stderr, _("virtgmemd: no index of the domain files (inotify): every call reads the directories\n"));
    /* what guests and QEMU do by themselves reaches subscribers */
    vgmDriverWatchEvents(drv);
    /* the migrations a predecessor prepared cannot be finished: before
     * any client can prepare one of its own */
    vgmDriverMigrateCleanStale(drv);
    vgmDriverNetworkAutostart(drv);
    vgmDriverStorageAutostart(drv);
    /* after the networks and pools they may use, as libvirtd orders them;
     * in a thread of its own, so that clients are served meanwhile */
    g_thread_unref(g_thread_new("autostart", vgmDaemonAutostart, drv));
    vgmRemoteProgramInit(&program, drv);
    {
        /* tests shrink the outgoing queue to find a client that never
         * reads quickly; unset in normal use */
        const char *q = g_getenv("VIRTGMEMD_TEST_MAX_QUEUED_BYTES");
        guint64 v = 0;

        if (q && g_ascii_string_to_unsigned(q, 10, 4096, G_MAXSIZE, &v, NULL))
            limits.maxQueuedBytes = v;
    }
    srv = vgmRpcServerNew(&program, &limits);
    vgmRpcServerSetVerbose(srv, verbose);
    if ((activated = vgmDaemonSystemdSockets(srv, &err)) < 0 ||
        (activated == 0 &&
         (!vgmRpcServerAddSocket(srv, listen, VGM_DAEMON_RW_MODE, FALSE, &err) ||
          !vgmRpcServerAddSocket(srv, roListen, VGM_DAEMON_RO_MODE, TRUE, &err)))) {
        fprintf(stderr, _("virtgmemd: %1$s\n"), err->message);
        vgmRpcServerFree(srv);
        return 1;
    }
    if (verbose && activated == 0)
        fprintf(stderr, _("virtgmemd: listening on %1$s and %2$s\n"), listen, roListen);
    vgmRpcServerRun(srv, timeout);
    vgmRpcServerFree(srv);
    /* the driver stays, the process ends now; kept in a global so that
     * LeakSanitizer sees it reachable rather than leaked (a shutdown
     * watcher thread may still use it) */
    vgmDaemonDriver = g_steal_pointer(&drv);
    return 0;
}
