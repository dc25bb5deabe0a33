/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuacceptancetest.c: golden files prove we write what we meant; this
 * proves QEMU agrees.
 *
 * For each capability set captured from a real QEMU, every
 * tests/qemuxml2argvdata/NAME.xml whose NAME.SET.args golden file exists
 * is rendered with that set and started with that QEMU (test
 * /acceptance/SET/NAME):
 *  - qemu-7.2-debian: the binary the domain names, Debian 12's
 *    /usr/bin/qemu-system-x86_64;
 *  - qemu-10.0-debian: Debian's bookworm-backports QEMU 10.0, which
 *    scripts/fetch-qemu10.sh unpacks into $VGM_BUILDDIR/tests/qemu-10.0 on
 *    first use (see vgmTestQemu10Binary); its wrapper replaces the
 *    domain's <emulator> (printed). Without it (no network, no APT suite)
 *    every case of the set skips with the script's reason.
 * QEMU starts paused (-S), under KVM when /dev/kvm exists and TCG
 * otherwise; a case whose vCPU (its -cpu value) this host's KVM cannot
 * run with that binary, which is found once per binary by trying it, runs
 * under TCG too and says why. Under TCG a domain with locked memory gets
 * a 64 MiB translation cache (-accel tcg,tb-size=64, printed): QEMU would
 * otherwise lock its default 1 GiB, which takes seconds.
 *
 * Over QMP the test then checks that QEMU built exactly the memory the
 * backend plan said: query-memdev lists every planned backend and no
 * other, with the planned size, share, prealloc, policy and host-nodes;
 * qom-get /objects/ID "type" is the planned QOM type (also for
 * thread-context objects); query-memory-size-summary's base memory is the
 * -m size; query-memory-devices holds every planned memory device with its
 * backend and size. Beyond memory, what the command line asked of the
 * devices: every -blockdev node is in query-named-block-nodes with the
 * driver the command line gave it, one with a "backing" has the image of
 * that node below it (or none, for null), a raw node over a storage slice
 * has the slice's size as its virtual size, and one with a "cache" shows that
 * cache mode there, every -device has the disk front-end
 * properties the command line gave it (qom-get of "write-cache",
 * "serial", "wwn", "vendor", "cyls", "werror", "acpi-index" and the like, in
 * vgmAcceptCheckDevices), every channel's virtserialport has its port number (qom-get
 * "nr"), a vmcoreinfo device exists (qom-list of the anonymous
 * devices), every chardev <log> file was created, each character device's
 * hot-plug form (the chardev-add arguments the driver makes of its
 * -chardev option) is taken by QEMU under another id and removed again
 * (but for host devices, stdio and sockets that need a peer), VNC and SPICE servers
 * are enabled on the command line's port (query-vnc, query-spice; the
 * test gives each a free port of the host's instead of the definition's)
 * and authenticate their clients exactly when they have a passwd='',
 * every USB redirection, USB hub and USB input is on its port, query-iothreads lists exactly
 * the command line's iothread objects, query-cpus-fast lists exactly the
 * vCPUs <vcpus> enables once the startup commands plugged them, qom-get reads back the
 * thread-pool sizes it gave them and the main loop; the QMP commands
 * the driver sends before the guest runs (disk throttling) are accepted
 * and query-block shows each value they set. (SMBIOS strings
 * have no QMP query: that QEMU starts with the -smbios options is what is
 * checked of them.) Then `quit`, and QEMU must exit cleanly.
 *
 * Host resources a case needs are made by the test in a temporary
 * directory: every path below /var/lib/virt-gmem-test/ in the parsed
 * definition is moved there (raw and qcow2 disk images, ISO, NVDIMM and
 * virtio-pmem files, serial log files and sockets, a listening socket for
 * unix chardevs in connect mode, a stub bzImage, initrd and device tree
 * blob for direct kernel boot, a firmware file (a copy of OVMF's code, which
 * QEMU may write), NVRAM copied from its template, over a loop device for a
 * varstore on a block device (root), an NBD server (qemu-nbd) for each
 * NBD disk, with TLS certificates made by openssl (a CA, the server's for
 * the disk's tlsHostname, a client's for QEMU's tls-creds-x509 directory,
 * which replaces /etc/pki/qemu) where the disk has tls='yes', a stub
 * vhost-user net backend
 * (tests/vhostusernetstub.py) for each vhostuser interface, which QEMU must
 * have opened (SET_OWNER) by the time it answers QMP, and loopback ports
 * for socket interfaces, with a listener for a client; chardev <log> files are
 * moved there too, and QEMU makes them; an ACPI SLIC table's file is
 * made there too; a stub ivshmem-server (tests/ivshmemserverstub.py) for
 * each ivshmem-doorbell <shmem>, which QEMU's device must have heard
 * from before QEMU answers QMP, and an ivshmem-plain's /dev/shm file
 * named after the case and removed with it). The definition is adapted
 * where the test host cannot provide what it asks for, and the adaptation
 * is printed (a user-mode stand-in loses <bandwidth>, which shapes a host
 * tap with tc, not QEMU): host-passthrough CPUs become 'maximum' under
 * TCG, block disks are given /dev/null (a device node the host_device
 * driver accepts), bridge interfaces become user-mode networking (the test
 * makes no bridge; see also the note in the report), and so do direct
 * (macvtap) interfaces, with one queue; an interface's <backend> is
 * dropped (QEMU opens its own tap and vhost-net). Cases are skipped,
 * with the reason printed, when the host lacks what cannot be faked:
 * guest RAM (more than the host's RAM and swap, which QEMU cannot
 * reserve), hugepages (a mounted hugetlbfs with enough free pages), NUMA
 * host nodes that are not online, SEV (/dev/sev and KVM), SGX, a host
 * serial or parallel port (<serial type='dev'>), /dev/vhost-vsock (<vsock>;
 * where it is there, the test opens it and hands QEMU the fd with the
 * case's address, as the driver does), a multicast group it
 * cannot join (<interface type='mcast'>), or an OSS audio device
 * the host has not, an emulated smartcard (the host's NSS setup), firmware
 * files that are not installed, guests of another architecture.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_monitor.h"
#include "util/vgmerror.h"

#define VGM_ACCEPT_TESTDIR "/var/lib/virt-gmem-test/"
/* what a firmware file below VGM_ACCEPT_TESTDIR is a copy of */
#define VGM_ACCEPT_PFLASH_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define VGM_ACCEPT_START_TIMEOUT_MS 30000
#define VGM_ACCEPT_EXIT_TIMEOUT_MS 10000
#define VGM_ACCEPT_LOG_TAIL 3000
/* the passphrase of every LUKS image the test makes, which it writes into
 * the secret files QEMU reads for an <encryption> */
#define VGM_ACCEPT_LUKS_PASSPHRASE "virt-gmem acceptance passphrase"

/* A capability set whose golden command lines are started, and with what. */
typedef struct {
    const char *name;        /* the set, e.g. "qemu-7.2-debian" */
    /* finds the QEMU to run in place of the domain's <emulator> (NULL and
     * a reason when it is not there); NULL: the domain's own, Debian's
     * /usr/bin/qemu-system-x86_64 */
    const char *(*find)(const char **reason);
    VgmQemuCaps *caps;
    const char *binary;      /* what find gave */
    const char *missing;     /* why find gave nothing: the set's cases skip */
} VgmAcceptSet;

typedef struct {
    char *name;              /* NAME of qemuxml2argvdata/NAME.xml */
    const VgmAcceptSet *set;
} VgmAcceptCase;

static VgmAcceptSet vgmSets[] = {
    { "qemu-7.2-debian", NULL, NULL, NULL, NULL },
    /* Debian's bookworm-backports build, fetched and unpacked into the
     * build directory on first use (scripts/fetch-qemu10.sh) */
    { "qemu-10.0-debian", vgmTestQemu10Binary, NULL, NULL, NULL },
};
static gboolean vgmHaveKVM;

static char *vgmTmpRoot;     /* one temporary directory for the whole run */

/* Everything a case made outside the definition, undone at the end. */
typedef struct {
    char *dir;               /* vgmTmpRoot/NAME */
    char *resDir;            /* dir/res: relocated host resources */
    GPtrArray *listeners;    /* GSocket, listening for connect-mode chardevs */
    GPtrArray *servers;      /* GSubprocess: NBD servers of network disks */
    GPtrArray *hostDirs;     /* dirs made outside dir (hugetlbfs), made order */
    GPtrArray *hostFiles;    /* files QEMU makes outside dir (/dev/shm) */
    char *loopDev;           /* a loop device made for a block varstore */
    char *tlsClientDir;      /* the client certificates of an NBD server
                              * with TLS, QEMU's nbd TLS directory */
    gboolean tcg;            /* the case runs under TCG */
} VgmAcceptEnv;

static gboolean vgmAcceptRun(const char *const *argv, GError **error);

static void
vgmAcceptEnvFree(VgmAcceptEnv *env)
{
    guint i;

    if (!env)
        return;
    g_clear_pointer(&env->listeners, g_ptr_array_unref);
    for (i = 0; env->servers && i < env->servers->len; i++) {
        GSubprocess *p = g_ptr_array_index(env->servers, i);

        g_subprocess_force_exit(p);
        g_subprocess_wait(p, NULL, NULL);
    }
    g_clear_pointer(&env->servers, g_ptr_array_unref);
    g_free(env->tlsClientDir);
    for (i = env->hostDirs ? env->hostDirs->len : 0; i > 0; i--)
        g_rmdir(g_ptr_array_index(env->hostDirs, i - 1));
    g_clear_pointer(&env->hostDirs, g_ptr_array_unref);
    for (i = 0; env->hostFiles && i < env->hostFiles->len; i++)
        g_unlink(g_ptr_array_index(env->hostFiles, i));
    g_clear_pointer(&env->hostFiles, g_ptr_array_unref);
    if (env->loopDev) {
        const char *const detach[] = { "losetup", "-d", env->loopDev, NULL };

        vgmAcceptRun(detach, NULL);
        g_free(env->loopDev);
    }
    if (env->dir)
        vgmTestRemoveTree(env->dir);
    g_free(env->dir);
    g_free(env->resDir);
    g_free(env);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmAcceptEnv, vgmAcceptEnvFree)

/* ---------------- host facts ---------------- */

static unsigned long long
vgmAcceptReadULL(const char *path, unsigned long long dflt)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return dflt;
    return g_ascii_strtoull(text, NULL, 10);
}

static unsigned long long
vgmAcceptFreeHugepages(unsigned long long pageKiB)
{
    g_autofree char *path = g_strdup_printf(
        "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages", pageKiB);
    return vgmAcceptReadULL(path, 0);
}

static gboolean
vgmAcceptHostNodeOnline(gint64 node)
{
    g_autofree char *path = g_strdup_printf("/sys/devices/system/node/node%" G_GINT64_FORMAT,
                                            node);
    /* a host without NUMA sysfs still has node 0 */
    if (!g_file_test("/sys/devices/system/node", G_FILE_TEST_IS_DIR))
        return node == 0;
    return g_file_test(path, G_FILE_TEST_IS_DIR);
}

/* ---------------- making host resources ---------------- */

/* The place of @path in the case's resource directory. */
static char *
vgmAcceptRelocate(VgmAcceptEnv *env, const char *path)
{
    const char *rel;
    g_autofree char *base = NULL;
    char *ret;

    if (g_str_has_prefix(path, VGM_ACCEPT_TESTDIR)) {
        rel = path + strlen(VGM_ACCEPT_TESTDIR);
        ret = g_build_filename(env->resDir, rel, NULL);
    } else {
        base = g_path_get_basename(path);
        ret = g_build_filename(env->resDir, base, NULL);
    }
    {
        g_autofree char *parent = g_path_get_dirname(ret);
        g_mkdir_with_parents(parent, 0755);
    }
    return ret;
}

static gboolean
vgmAcceptMakeSparse(const char *path, unsigned long long bytes, GError **error)
{
    if (!g_file_set_contents(path, "", 0, error))
        return FALSE;
    if (truncate(path, bytes) < 0) {
        vgmErrorSetSystem(error, errno, "cannot size %s", path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmAcceptRun(const char *const *argv, GError **error)
{
    g_autofree char *out = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, error))
        return FALSE;
    return g_spawn_check_wait_status(status, error);
}

/*
 * A stub Linux bzImage: enough of the x86 boot protocol header (2.15,
 * "HdrS", setup sectors, loaded high) for QEMU's loader to place it and
 * its initrd in guest memory. It is never run: the guest stays paused.
 */
static gboolean
vgmAcceptMakeKernel(const char *path, GError **error)
{
    gsize len = 64 * 1024;
    g_autofree guint8 *buf = g_malloc0(len);

    buf[0x1f1] = 4;                      /* setup_sects */
    buf[0x1fe] = 0x55;                   /* boot_flag */
    buf[0x1ff] = 0xaa;
    memcpy(buf + 0x202, "HdrS", 4);      /* header magic */
    buf[0x206] = 0x0f;                   /* version 2.15 */
    buf[0x207] = 0x02;
    buf[0x211] = 0x01;                   /* loadflags: LOADED_HIGH */
    buf[0x22c] = 0xff;                   /* initrd_addr_max 0x37ffffff */
    buf[0x22d] = 0xff;
    buf[0x22e] = 0xff;
    buf[0x22f] = 0x37;
    buf[0x238] = 0xff;                   /* cmdline_size 2047 */
    buf[0x239] = 0x07;
    return g_file_set_contents(path, (const char *)buf, len, error);
}

static void
vgmAcceptReplace(char **field, char *value)
{
    g_free(*field);
    *field = value;
}

static gboolean
vgmAcceptListen(VgmAcceptEnv *env, const char *path, GError **error)
{
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GSocketAddress) addr = NULL;

    if (!(sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                              G_SOCKET_PROTOCOL_DEFAULT, error)))
        return FALSE;
    addr = g_unix_socket_address_new(path);
    if (!g_socket_bind(sock, addr, TRUE, error) || !g_socket_listen(sock, error))
        return FALSE;
    g_ptr_array_add(env->listeners, g_steal_pointer(&sock));
    return TRUE;
}

/* A TCP (@type stream) or UDP (datagram) socket bound to a port of
 * 127.0.0.1 the kernel chose, in *port. */
static GSocket *
vgmAcceptBindLoopbackType(GSocketType type, guint16 *port, GError **error)
{
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    if (!(sock = g_socket_new(G_SOCKET_FAMILY_IPV4, type, G_SOCKET_PROTOCOL_DEFAULT, error)) ||
        !g_socket_bind(sock, addr, type == G_SOCKET_TYPE_STREAM, error) ||
        !(bound = g_socket_get_local_address(sock, error)))
        return NULL;
    *port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    return g_steal_pointer(&sock);
}

static GSocket *
vgmAcceptBindLoopback(guint16 *port, GError **error)
{
    return vgmAcceptBindLoopbackType(G_SOCKET_TYPE_STREAM, port, error);
}

/* A TCP port of 127.0.0.1 that is free now, for QEMU to listen on: one
 * below the kernel's ephemeral range (ip_local_port_range), where no
 * connection another program (or test) makes meanwhile takes it before
 * QEMU binds it, as one of the kernel's choosing was taken once ("Failed
 * to find an available port: Address already in use"); the kernel's
 * choice where none there is free. */
static gboolean
vgmAcceptFreeTcpPort(guint16 *port, GError **error)
{
    /* (each port once per run: two servers of one domain were once given
     * the same one, both free when looked at, and QEMU could bind one) */
    static GHashTable *given;
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autofree char *range = NULL;
    g_autoptr(GSocket) sock = NULL;
    unsigned int low = 32768;
    guint tries;

    if (!given)
        given = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (g_file_get_contents("/proc/sys/net/ipv4/ip_local_port_range", &range, NULL, NULL))
        low = (unsigned int)g_ascii_strtoull(range, NULL, 10);
    for (tries = 0; low > 11000 && tries < 64; tries++) {
        guint16 p = (guint16)g_random_int_range((gint32)(low - 10000), (gint32)low);
        g_autoptr(GSocketAddress) addr = NULL;
        g_autoptr(GSocket) s = NULL;

        if (g_hash_table_contains(given, GUINT_TO_POINTER(p)))
            continue;
        addr = g_inet_socket_address_new(lo, p);
        s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         NULL);
        if (s && g_socket_bind(s, addr, TRUE, NULL)) {
            g_hash_table_add(given, GUINT_TO_POINTER(p));
            *port = p;
            return TRUE;
        }
    }
    sock = vgmAcceptBindLoopback(port, error);
    return sock != NULL;
}

/* A TCP listener on 127.0.0.1 for a connect-mode tcp chardev; its port
 * in *port. */
static gboolean
vgmAcceptListenTcp(VgmAcceptEnv *env, guint16 *port, GError **error)
{
    g_autoptr(GSocket) sock = vgmAcceptBindLoopback(port, error);

    if (!sock || !g_socket_listen(sock, error))
        return FALSE;
    g_ptr_array_add(env->listeners, g_steal_pointer(&sock));
    return TRUE;
}

/* A UDP port of 127.0.0.1 that is free now (the kernel's choice). */
static gboolean
vgmAcceptFreeUdpPort(guint16 *port, GError **error)
{
    g_autoptr(GSocket) sock = vgmAcceptBindLoopbackType(G_SOCKET_TYPE_DATAGRAM, port, error);

    return sock != NULL;
}

/* A socket interface on the host's loopback: a free port for a server,
 * a listener of the test's for a client, free ports at both ends of a
 * udp one; a multicast group is kept, and the case skips (*skip) where
 * this host cannot join one. */
static gboolean
vgmAcceptPrepareSocketNet(VgmAcceptEnv *env, VgmNetDef *net, char **skip, GError **error)
{
    guint16 port = 0;
    guint16 local = 0;

    if (net->type == VGM_NET_TYPE_MCAST) {
        struct ip_mreq mreq = { 0 };
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int rc = -1;
        int err = 0;

        if (fd >= 0 && inet_pton(AF_INET, net->source, &mreq.imr_multiaddr) == 1) {
            mreq.imr_interface.s_addr = htonl(INADDR_ANY);
            rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
            err = errno;
        }
        if (fd >= 0)
            close(fd);
        if (rc < 0)
            *skip = g_strdup_printf("this host cannot join multicast group %s (%s), which <interface type='mcast'> does",
                                    net->source, err ? g_strerror(err) : "not an IPv4 group");
        return TRUE;
    }
    if ((net->type == VGM_NET_TYPE_SERVER && !vgmAcceptFreeTcpPort(&port, error)) ||
        (net->type == VGM_NET_TYPE_CLIENT && !vgmAcceptListenTcp(env, &port, error)) ||
        (net->type == VGM_NET_TYPE_UDP &&
         (!vgmAcceptFreeUdpPort(&port, error) || !vgmAcceptFreeUdpPort(&local, error))))
        return FALSE;
    g_test_message("interface %s: type='%s' on 127.0.0.1:%u (was %s:%u)%s", net->mac,
                   vgmNetTypeToString(net->type), port, net->source ? net->source : "",
                   net->port, local ? ", sending from a free port of 127.0.0.1" : "");
    vgmAcceptReplace(&net->source, g_strdup("127.0.0.1"));
    net->port = port;
    if (net->localAddress) {
        vgmAcceptReplace(&net->localAddress, g_strdup("127.0.0.1"));
        net->localPort = local;
    }
    return TRUE;
}

static gboolean
vgmAcceptPrepareChr(VgmAcceptEnv *env, VgmChrDef *chr, GError **error)
{
    if (chr->logfile)
        vgmAcceptReplace(&chr->logfile, vgmAcceptRelocate(env, chr->logfile));
    if (chr->type == VGM_CHR_TYPE_UDP) {
        /* datagrams to the loopback; a local end on an ephemeral port */
        g_test_message("chardev udp to %s:%s moved to 127.0.0.1", chr->host ? chr->host : "", chr->service);
        vgmAcceptReplace(&chr->host, g_strdup("127.0.0.1"));
        if (chr->bindService) {
            vgmAcceptReplace(&chr->bindHost, g_strdup("127.0.0.1"));
            vgmAcceptReplace(&chr->bindService, g_strdup("0"));
        }
        return TRUE;
    }
    if (chr->type == VGM_CHR_TYPE_TCP) {
        /* the host's loopback: a listener of the test's for a client, an
         * ephemeral port (0) for a server */
        guint16 port = 0;

        if (g_str_equal(chr->mode, "connect") && !vgmAcceptListenTcp(env, &port, error))
            return FALSE;
        g_test_message("chardev tcp %s:%s (%s) moved to 127.0.0.1:%u", chr->host, chr->service,
                       chr->mode, port);
        vgmAcceptReplace(&chr->host, g_strdup("127.0.0.1"));
        vgmAcceptReplace(&chr->service, g_strdup_printf("%u", port));
        return TRUE;
    }
    /* a host port is the host's (the case skips where it is missing) */
    if (!chr->path || chr->type == VGM_CHR_TYPE_PTY || chr->type == VGM_CHR_TYPE_DEV)
        return TRUE;
    vgmAcceptReplace(&chr->path, vgmAcceptRelocate(env, chr->path));
    if (chr->type == VGM_CHR_TYPE_PIPE) {
        /* a named pipe of the test's, which QEMU opens read-write */
        g_test_message("chardev %s: a named pipe made by the test", chr->path);
        if (mkfifo(chr->path, 0600) < 0 && errno != EEXIST) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "mkfifo %s: %s", chr->path, g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    if (chr->type == VGM_CHR_TYPE_UNIX && chr->mode && g_str_equal(chr->mode, "connect")) {
        g_test_message("chardev %s: a listening socket made by the test", chr->path);
        return vgmAcceptListen(env, chr->path, error);
    }
    return TRUE;
}

static char *vgmAcceptLogTail(const char *path);

/* Whether something accepts connections at @addr now. */
static gboolean
vgmAcceptCanConnect(GSocketAddress *addr)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketConnection) conn =
        g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, NULL);

    return conn != NULL;
}

/* Certificates for an NBD server with TLS and its client, made with
 * openssl under @dir: a CA, a server certificate for @hostname (and
 * 127.0.0.1) in dir/server, a client certificate in dir/client, each
 * directory with the CA's certificate, named as QEMU's tls-creds-x509
 * reads them. */
static gboolean
vgmAcceptMakeTLS(const char *dir, const char *hostname, GError **error)
{
    g_autofree char *ca = g_build_filename(dir, "ca-cert.pem", NULL);
    g_autofree char *caKey = g_build_filename(dir, "ca-key.pem", NULL);
    g_autofree char *caSubj = g_strdup("/CN=virt-gmem acceptance CA");
    const char *const roles[] = { "server", "client" };

    if (g_mkdir_with_parents(dir, 0700) < 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make %s", dir);
        return FALSE;
    }
    {
        const char *const mkca[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                     "-keyout", caKey, "-out", ca, "-days", "2", "-subj", caSubj,
                                     "-addext", "basicConstraints=critical,CA:TRUE",
                                     "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL };

        if (!vgmAcceptRun(mkca, error))
            return FALSE;
    }
    for (guint r = 0; r < G_N_ELEMENTS(roles); r++) {
        g_autofree char *sub = g_build_filename(dir, roles[r], NULL);
        g_autofree char *cert = g_strdup_printf("%s/%s-cert.pem", sub, roles[r]);
        g_autofree char *key = g_strdup_printf("%s/%s-key.pem", sub, roles[r]);
        g_autofree char *csr = g_strdup_printf("%s/%s.csr", sub, roles[r]);
        g_autofree char *ext = g_strdup_printf("%s/%s.ext", sub, roles[r]);
        g_autofree char *subj = g_strdup_printf("/CN=%s", r == 0 ? hostname : "virt-gmem client");
        g_autofree char *caCopy = g_build_filename(sub, "ca-cert.pem", NULL);
        g_autofree char *extText = g_strdup_printf(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=%s\n%s%s%s",
            r == 0 ? "serverAuth" : "clientAuth",
            r == 0 ? "subjectAltName=DNS:" : "", r == 0 ? hostname : "",
            r == 0 ? ",IP:127.0.0.1\n" : "");
        g_autofree char *caText = NULL;
        gsize caLen = 0;
        const char *const mkreq[] = { "openssl", "req", "-newkey", "rsa:2048", "-nodes",
                                      "-keyout", key, "-out", csr, "-subj", subj, NULL };
        const char *const sign[] = { "openssl", "x509", "-req", "-in", csr, "-CA", ca,
                                     "-CAkey", caKey, "-CAcreateserial", "-out", cert,
                                     "-days", "2", "-extfile", ext, NULL };

        if (g_mkdir_with_parents(sub, 0700) < 0 ||
            !g_file_set_contents(ext, extText, -1, error) ||
            !vgmAcceptRun(mkreq, error) || !vgmAcceptRun(sign, error) ||
            !g_file_get_contents(ca, &caText, &caLen, error) ||
            !g_file_set_contents(caCopy, caText, caLen, error))
            return FALSE;
    }
    return TRUE;
}

/* An NBD server for network disk @disk (number @n): qemu-nbd, running for
 * the case, exports a new image (qcow2 or raw, 64 MiB, as the disk's
 * format says) on the disk's unix socket moved to the case's directory,
 * or on a free port of 127.0.0.1, under the disk's export name. */
static gboolean
vgmAcceptServeNbd(VgmAcceptEnv *env, VgmDiskDef *disk, guint n, GError **error)
{
    VgmDiskNetHost *host = g_ptr_array_index(disk->net->hosts, 0);
    const VgmDiskNetSource *net = disk->net;
    g_autofree char *img = g_strdup_printf("%s/nbd%u.img", env->dir, n);
    g_autofree char *log = g_strdup_printf("%s/nbd%u.log", env->dir, n);
    g_autofree char *portStr = NULL;
    g_autofree char *tlsObject = NULL;
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    GSubprocess *proc;
    gint64 deadline;

    if (disk->driverType && g_str_equal(disk->driverType, "qcow2")) {
        const char *mk[] = { "qemu-img", "create", "-q", "-f", "qcow2", img, "64M", NULL };

        if (!vgmAcceptRun(mk, error))
            return FALSE;
    } else if (!vgmAcceptMakeSparse(img, 64 << 20, error)) {
        return FALSE;
    }
    g_ptr_array_add(argv, (gpointer)"qemu-nbd");
    g_ptr_array_add(argv, (gpointer)"--persistent");
    g_ptr_array_add(argv, (gpointer)"--format=raw");
    /* TLS: the server's certificates; QEMU gets the client's (its
     * tls-creds-x509 directory) and checks the server's name */
    if (net->tls == VGM_TRISTATE_YES) {
        g_autofree char *pki = g_strdup_printf("%s/pki%u", env->dir, n);

        if (!vgmAcceptMakeTLS(pki, net->tlsHostname ? net->tlsHostname : "localhost", error))
            return FALSE;
        tlsObject = g_strdup_printf("tls-creds-x509,id=tls0,endpoint=server,verify-peer=on,dir=%s/server",
                                    pki);
        g_ptr_array_add(argv, (gpointer)"--object");
        g_ptr_array_add(argv, tlsObject);
        g_ptr_array_add(argv, (gpointer)"--tls-creds=tls0");
        g_free(env->tlsClientDir);
        env->tlsClientDir = g_strdup_printf("%s/client", pki);
        g_test_message("disk %s: qemu-nbd with TLS, certificates made with openssl in %s",
                       disk->dst, pki);
    }
    if (net->name) {
        g_ptr_array_add(argv, (gpointer)"--export-name");
        g_ptr_array_add(argv, net->name);
    }
    if (host->socket) {
        vgmAcceptReplace(&host->socket, vgmAcceptRelocate(env, host->socket));
        g_ptr_array_add(argv, (gpointer)"--socket");
        g_ptr_array_add(argv, host->socket);
        addr = g_unix_socket_address_new(host->socket);
    } else {
        guint16 port = 0;
        g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);

        if (!vgmAcceptFreeTcpPort(&port, error))
            return FALSE;
        g_test_message("disk %s: nbd server %s:%u moved to 127.0.0.1:%u", disk->dst, host->name,
                       host->port, port);
        vgmAcceptReplace(&host->name, g_strdup("127.0.0.1"));
        host->port = port;
        portStr = g_strdup_printf("%u", port);
        g_ptr_array_add(argv, (gpointer)"--bind=127.0.0.1");
        g_ptr_array_add(argv, (gpointer)"--port");
        g_ptr_array_add(argv, portStr);
        addr = g_inet_socket_address_new(lo, port);
    }
    g_ptr_array_add(argv, img);
    g_ptr_array_add(argv, NULL);
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_stderr_file_path(launcher, log);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, error)))
        return FALSE;
    g_ptr_array_add(env->servers, proc);
    /* qemu-nbd listens once it has opened the image */
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!vgmAcceptCanConnect(addr)) {
        if (g_subprocess_get_identifier(proc) == NULL || g_get_monotonic_time() > deadline) {
            g_autofree char *tail = vgmAcceptLogTail(log);

            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                        "qemu-nbd for disk %s does not listen: %s", disk->dst, tail);
            return FALSE;
        }
        g_usleep(20 * 1000);
    }
    g_test_message("disk %s: served by qemu-nbd (%s)", disk->dst,
                   host->socket ? host->socket : portStr);
    return TRUE;
}

/* Runs the server @argv of the case (its stdout to @out, or dropped
 * when NULL; its stderr to @log; ended with the case) and waits up to
 * 10 s for it to make its socket @sock (NULL: a client of QEMU's, not
 * waited for); @what names it in the error. Server sockets are waited
 * for as files: a probe connection would be taken for QEMU's. */
static gboolean
vgmAcceptSpawn(VgmAcceptEnv *env, const char *const *argv, const char *out, const char *log,
               const char *sock, const char *what, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(out ? G_SUBPROCESS_FLAGS_NONE : G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    GSubprocess *proc;
    gint64 deadline;

    if (out)
        g_subprocess_launcher_set_stdout_file_path(launcher, out);
    g_subprocess_launcher_set_stderr_file_path(launcher, log);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, argv, error)))
        return FALSE;
    g_ptr_array_add(env->servers, proc);
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (sock && !g_file_test(sock, G_FILE_TEST_EXISTS)) {
        if (g_subprocess_get_identifier(proc) == NULL || g_get_monotonic_time() > deadline) {
            g_autofree char *tail = vgmAcceptLogTail(log);

            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s does not listen: %s", what, tail);
            return FALSE;
        }
        g_usleep(20 * 1000);
    }
    return TRUE;
}

/* vgmAcceptSpawn with the server's stdout dropped */
static gboolean
vgmAcceptSpawnServer(VgmAcceptEnv *env, const char *const *argv, const char *log,
                     const char *sock, const char *what, GError **error)
{
    return vgmAcceptSpawn(env, argv, NULL, log, sock, what, error);
}

/* A virtiofsd for virtiofs share @fs (number @n): QEMU's, running for the
 * case on a socket in the case's directory, sharing @fs's directory (or,
 * for a <source socket>, a directory of its own), which @fs then names as
 * its socket. Returns the reason to skip (no virtiofsd here), or NULL:
 * then fs->socket is set, or @error says why not. */
static char *
vgmAcceptServeVirtiofs(VgmAcceptEnv *env, VgmFsDef *fs, guint n, GError **error)
{
    static const char binary[] = "/usr/lib/qemu/virtiofsd";
    g_autofree char *sock = g_strdup_printf("%s/virtiofsd%u.sock", env->dir, n);
    g_autofree char *log = g_strdup_printf("%s/virtiofsd%u.log", env->dir, n);
    g_autofree char *dir = fs->dir ? g_strdup(fs->dir) : g_strdup_printf("%s/virtiofs%u", env->dir, n);
    g_autofree char *sockOpt = g_strdup_printf("--socket-path=%s", sock);
    g_autofree char *srcOpt = g_strdup_printf("source=%s", dir);

    if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup_printf("virtiofs needs a virtiofsd (%s, Debian's qemu-system-common)", binary);
    if (g_mkdir_with_parents(dir, 0755) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot make %s: %s",
                    dir, g_strerror(errno));
        return NULL;
    }
    {
        const char *argv[] = { binary, sockOpt, "-o", srcOpt, NULL };
        g_autofree char *what = g_strdup_printf("virtiofsd for filesystem %s", fs->target);

        if (!vgmAcceptSpawnServer(env, argv, log, sock, what, error))
            return NULL;
    }
    g_test_message("filesystem %s: served by virtiofsd on %s (was %s)", fs->target, sock,
                   fs->socket ? fs->socket : "the driver's");
    vgmAcceptReplace(&fs->socket, g_steal_pointer(&sock));
    g_clear_pointer(&fs->dir, g_free);
    return NULL;
}

/* A vhost-user-blk server for vhostuser disk @disk: Debian's
 * qemu-storage-daemon exporting a sparse image of the case's on a socket
 * in the case's directory, which @disk then names. Returns the reason to
 * skip (no qemu-storage-daemon here), or NULL: then the socket is the
 * disk's, or @error says why not. */
static char *
vgmAcceptServeVhostUserBlk(VgmAcceptEnv *env, VgmDiskDef *disk, guint n, GError **error)
{
    g_autofree char *binary = g_find_program_in_path("qemu-storage-daemon");
    g_autofree char *sock = g_strdup_printf("%s/vhost-user-blk%u.sock", env->dir, n);
    g_autofree char *log = g_strdup_printf("%s/vhost-user-blk%u.log", env->dir, n);
    g_autofree char *image = g_strdup_printf("%s/vhost-user-blk%u.img", env->dir, n);
    g_autofree char *blockdev = g_strdup_printf("driver=file,node-name=file%u,filename=%s", n, image);
    /* as many queues as the device asks for */
    g_autofree char *export = g_strdup_printf("type=vhost-user-blk,id=export%u,node-name=file%u,"
                                              "addr.type=unix,addr.path=%s,writable=on,num-queues=%u",
                                              n, n, sock, disk->queues ? disk->queues : 1);

    if (!binary)
        return g_strdup("a vhostuser disk needs a vhost-user-blk server: qemu-storage-daemon (Debian's qemu-system-common)");
    if (!vgmAcceptMakeSparse(image, 64 * 1024 * 1024, error))
        return NULL;
    {
        const char *argv[] = { binary, "--blockdev", blockdev, "--export", export, NULL };
        g_autofree char *what = g_strdup_printf("qemu-storage-daemon for disk %s", disk->dst);

        if (!vgmAcceptSpawnServer(env, argv, log, sock, what, error))
            return NULL;
    }
    g_test_message("disk %s: served by qemu-storage-daemon's vhost-user-blk export on %s (was %s)",
                   disk->dst, sock, disk->src);
    vgmAcceptReplace(&disk->src, g_steal_pointer(&sock));
    return NULL;
}

/* An external TPM emulator for @tpm: a swtpm of the case's on a socket
 * in the case's directory, as libvirt would run it for an emulator
 * backend (state in the case's directory, ending with QEMU's connection).
 * Returns the reason to skip (no swtpm here), or NULL: then the socket is
 * @tpm's, or @error says why not. */
static char *
vgmAcceptServeTpm(VgmAcceptEnv *env, VgmTpmDef *tpm, GError **error)
{
    g_autofree char *binary = g_find_program_in_path("swtpm");
    g_autofree char *sock = g_strdup_printf("%s/swtpm-external.sock", env->dir);
    g_autofree char *log = g_strdup_printf("%s/swtpm-external.log", env->dir);
    g_autofree char *state = g_strdup_printf("%s/swtpm-state", env->dir);
    g_autofree char *ctrl = g_strdup_printf("type=unixio,path=%s", sock);
    g_autofree char *stateOpt = g_strdup_printf("dir=%s", state);

    if (!binary)
        return g_strdup("an external TPM needs an emulator to connect to: swtpm (Debian's swtpm)");
    if (g_mkdir_with_parents(state, 0700) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot make %s: %s",
                    state, g_strerror(errno));
        return NULL;
    }
    {
        const char *argv[] = { binary, "socket", "--tpm2", "--tpmstate", stateOpt, "--ctrl", ctrl,
                               "--terminate", NULL };

        if (!vgmAcceptSpawnServer(env, argv, log, sock, "swtpm", error))
            return NULL;
    }
    g_test_message("external TPM %s: served by a swtpm of the test's on %s", tpm->externalPath, sock);
    vgmAcceptReplace(&tpm->externalPath, g_steal_pointer(&sock));
    return NULL;
}

/* The path of the test's Python stub @file (tests/, under VGM_SRCDIR) in
 * *@stub: FALSE with *@skip (@need, and that /usr/bin/python3 is missing)
 * or @error (the stub is missing) when it cannot run */
static gboolean
vgmAcceptFindStub(const char *file, const char *need, char **stub, char **skip,
                  GError **error)
{
    *stub = g_build_filename(g_getenv("VGM_SRCDIR") ? g_getenv("VGM_SRCDIR") : ".", "tests",
                             file, NULL);
    if (!g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)) {
        *skip = g_strdup_printf("%s: the test's stub runs under /usr/bin/python3", need);
        return FALSE;
    }
    if (!g_file_test(*stub, G_FILE_TEST_EXISTS)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no %s (set VGM_SRCDIR)", *stub);
        return FALSE;
    }
    return TRUE;
}

/* The vhost-user net backend of interface @net (number @n): the test's
 * stub (tests/vhostusernetstub.py, which writes the messages it got to
 * vhost-user-netN.out) on a socket in the case's directory, listening for
 * QEMU in mode='client', connecting to QEMU's socket once it is there in
 * mode='server'. Returns the reason to skip (no /usr/bin/python3), or
 * NULL: then @net names the stub's socket, or @error says why not. */
static char *
vgmAcceptServeVhostUserNet(VgmAcceptEnv *env, VgmNetDef *net, guint n, GError **error)
{
    g_autofree char *stub = NULL;
    g_autofree char *sock = g_strdup_printf("%s/vhost-user-net%u.sock", env->dir, n);
    g_autofree char *out = g_strdup_printf("%s/vhost-user-net%u.out", env->dir, n);
    g_autofree char *log = g_strdup_printf("%s/vhost-user-net%u.log", env->dir, n);
    char *skip = NULL;

    if (!vgmAcceptFindStub("vhostusernetstub.py", "a vhost-user interface needs a backend",
                           &stub, &skip, error))
        return skip;
    const char *argv[] = { "/usr/bin/python3", stub, net->vhostServer ? "--connect" : "--listen",
                           sock, NULL };
    /* in mode='client' QEMU connects, so the stub listens first; in
     * mode='server' the stub waits for QEMU's socket */
    if (!vgmAcceptSpawn(env, argv, out, log, net->vhostServer ? NULL : sock,
                        "the vhost-user net stub", error))
        return NULL;
    g_test_message("interface %s: its vhost-user backend is the test's stub on %s (was %s, mode='%s')",
                   net->mac, sock, net->source, net->vhostServer ? "server" : "client");
    vgmAcceptReplace(&net->source, g_steal_pointer(&sock));
    return NULL;
}

/* <shmem> @shm (number @n) on this host: an ivshmem-plain's memory is
 * QEMU's file in /dev/shm, named after the case so that no other
 * program's is touched (and removed with the case); an ivshmem-doorbell
 * gets the test's ivshmem-server (tests/ivshmemserverstub.py, which
 * writes the clients it served to shmemN.out) on a socket in the case's
 * directory. Returns the reason to skip (no /usr/bin/python3), or NULL:
 * then @shm names the stub's socket, or @error says why not. */
static char *
vgmAcceptPrepareShmem(VgmAcceptEnv *env, VgmShmemDef *shm, guint n, GError **error)
{
    g_autofree char *stub = NULL;
    g_autofree char *sock = g_strdup_printf("%s/shmem%u.sock", env->dir, n);
    g_autofree char *out = g_strdup_printf("%s/shmem%u.out", env->dir, n);
    g_autofree char *log = g_strdup_printf("%s/shmem%u.log", env->dir, n);
    /* as many interrupt vectors as the device has (QEMU's default: 1) */
    g_autofree char *vectors = g_strdup_printf("%u", shm->vectors ? shm->vectors : 1);
    char *skip = NULL;

    if (!shm->server) {
        g_autofree char *base = g_path_get_basename(env->dir);
        char *name = g_strdup_printf("vgm-accept-%d-%s-%s", (int)getpid(), base, shm->name);

        g_test_message("shmem %s: QEMU's /dev/shm/%s", shm->name, name);
        g_ptr_array_add(env->hostFiles, g_strdup_printf("/dev/shm/%s", name));
        vgmAcceptReplace(&shm->name, name);
        return NULL;
    }
    if (!vgmAcceptFindStub("ivshmemserverstub.py", "an ivshmem-doorbell needs an ivshmem-server",
                           &stub, &skip, error))
        return skip;
    const char *argv[] = { "/usr/bin/python3", stub, sock, "4194304", vectors, NULL };

    if (!vgmAcceptSpawn(env, argv, out, log, sock, "the ivshmem-server stub", error))
        return NULL;
    g_test_message("shmem %s: its ivshmem-server is the test's stub on %s (was %s)", shm->name,
                   sock, shm->serverPath ? shm->serverPath : "the driver's default");
    vgmAcceptReplace(&shm->serverPath, g_steal_pointer(&sock));
    return NULL;
}

/* An image at @path of @size bytes: qcow2 (qemu-img) for that format,
 * else a sparse raw file; with @luks, LUKS-encrypted with the test's
 * passphrase (qemu-img: a luks image, or a qcow2 one with LUKS inside).
 * *skip says why not, where qemu-img is missing. */
static gboolean
vgmAcceptMakeImage(const char *path, const char *format, goffset size, gboolean luks,
                   char **skip, GError **error)
{
    gboolean qcow2 = format && g_str_equal(format, "qcow2");

    if (qcow2 || luks) {
        g_autofree char *sizeText = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)size);
        const char *argv[] = { "qemu-img", "create", "-q", "-f", qcow2 ? "qcow2" : "luks",
                               "--object", "secret,id=sec0,data=" VGM_ACCEPT_LUKS_PASSPHRASE,
                               "-o", qcow2 ? "encrypt.format=luks,encrypt.key-secret=sec0" :
                                             "key-secret=sec0",
                               path, sizeText, NULL };
        g_autoptr(GError) err = NULL;

        gboolean ok = FALSE;

        /* (plain qcow2: without the secret and its option) */
        if (!luks) {
            argv[5] = path;
            argv[6] = sizeText;
            argv[7] = NULL;
        }
        /* qemu-img times LUKS's key derivation on the thread's CPU clock
         * and gives up when that did not move, which a busy host sees now
         * and then: a few tries */
        for (int tries = 0; !ok && tries < 5; tries++) {
            g_clear_error(&err);
            ok = vgmAcceptRun(argv, &err);
        }
        if (!ok)
            *skip = g_strdup_printf("cannot make a %s image (qemu-img from qemu-utils): %s",
                                    luks ? "LUKS" : "qcow2", err->message);
        return TRUE;
    }
    return vgmAcceptMakeSparse(path, size, error);
}

/* The same inside storage slice @slice of the file at @path, when it has
 * one: a raw image covering the slice, or the qcow2 image written at the
 * slice's offset and the file long enough for the whole slice. */
static gboolean
vgmAcceptMakeSlicedImage(const char *path, const char *format, goffset size, gboolean luks,
                         const VgmDiskSlice *slice, char **skip, GError **error)
{
    g_autofree char *inner = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    int fd;
    gboolean ok;

    if (!slice->set)
        return vgmAcceptMakeImage(path, format, size, luks, skip, error);
    if (!luks && (!format || !g_str_equal(format, "qcow2")))
        return vgmAcceptMakeSparse(path, slice->offset + slice->size, error);
    /* (a LUKS image filling the slice: its header and the data after) */
    inner = g_strdup_printf("%s.inner", path);
    if (!vgmAcceptMakeImage(inner, format, luks ? MAX((goffset)slice->size - (4 << 20), 1 << 20) : size, luks,
                            skip, error) || *skip)
        return !*skip ? FALSE : TRUE;
    ok = g_file_get_contents(inner, &data, &len, error);
    g_unlink(inner);
    if (!ok)
        return FALSE;
    if (len > slice->size) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, "the qcow2 image (%zu bytes) is larger than the slice of %s",
                    len, path);
        return FALSE;
    }
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        vgmErrorSetSystem(error, errno, "cannot make %s", path);
        return FALSE;
    }
    ok = pwrite(fd, data, len, (off_t)slice->offset) == (ssize_t)len &&
         ftruncate(fd, (off_t)(slice->offset + slice->size)) == 0;
    if (!ok)
        vgmErrorSetSystem(error, errno, "cannot write the slice of %s", path);
    close(fd);
    return ok;
}

/*
 * Adapts @def to the test host and makes the resources it references.
 * Returns the reason to skip the case, or NULL (then FALSE in *failed and
 * an error tell a real failure).
 */
static char *
vgmAcceptPrepare(VgmAcceptEnv *env, VgmDomainDef *def, gboolean *failed,
                 GError **error)
{
    VgmOsDef *os = &def->os;
    guint i;

    *failed = FALSE;
    /* the x86_64 binaries run 32-bit x86 guests too */
    if (def->os.arch && !g_str_equal(def->os.arch, "x86_64") && !g_str_equal(def->os.arch, "i686"))
        return g_strdup_printf("an %s guest needs an %s host and QEMU", def->os.arch, def->os.arch);
    if (def->devices.tpm && !def->devices.tpm->externalPath)
        return g_strdup("a TPM needs the swtpm the driver starts (drivertest's tpm-emulator runs one with QEMU)");
    /* a host serial or parallel port: QEMU opens (and for a parallel port
     * claims) the device itself */
    {
        GPtrArray *lists[] = { def->devices.serials, def->devices.parallels };
        size_t l;

        for (l = 0; l < G_N_ELEMENTS(lists); l++) {
            for (i = 0; i < lists[l]->len; i++) {
                const VgmChrDef *chr = g_ptr_array_index(lists[l], i);

                if (chr->type == VGM_CHR_TYPE_DEV && !g_file_test(chr->path, G_FILE_TEST_EXISTS))
                    return g_strdup_printf("host device %s is missing", chr->path);
            }
        }
    }
    /* an OSS audio backend opens its DSP devices (/dev/dsp unless named)
     * when it starts; a file backend's WAV file is made in the case's
     * directory */
    for (i = 0; i < def->devices.audios->len; i++) {
        VgmAudioDef *a = g_ptr_array_index(def->devices.audios, i);
        size_t k, d;

        for (k = 0; k < VGM_AUDIO_NATTRS; k++) {
            const char *attr = vgmAudioAttrs[k].attr;

            if (g_str_equal(a->type, "file") && g_str_equal(attr, "path") && a->values[0][k])
                vgmAcceptReplace(&a->values[0][k], vgmAcceptRelocate(env, a->values[0][k]));
            for (d = 1; g_str_equal(a->type, "oss") && g_str_equal(attr, "dev") && d < 3; d++) {
                const char *dev = a->values[d][k] ? a->values[d][k] : "/dev/dsp";

                if (!g_file_test(dev, G_FILE_TEST_EXISTS))
                    return g_strdup_printf("OSS device %s is missing", dev);
            }
        }
    }
    /* a smartcard's channel is prepared like any other; an emulated card
     * (mode host or host-certificates) is the host's NSS smartcard
     * setup, which libcacard must find when QEMU starts */
    for (i = 0; i < def->devices.smartcards->len; i++) {
        VgmSmartcardDef *sc = g_ptr_array_index(def->devices.smartcards, i);

        if (!sc->chr)
            return g_strdup_printf("an emulated smartcard (mode '%s') needs the host's NSS smartcard setup, which this host has not",
                                   vgmSmartcardModeTypeToString(sc->mode));
        if (!vgmAcceptPrepareChr(env, sc->chr, error))
            goto fail;
    }
    /* a host input device QEMU opens itself */
    for (i = 0; i < def->devices.inputs->len; i++) {
        const VgmInputDef *in = g_ptr_array_index(def->devices.inputs, i);

        if (in->evdev && !g_file_test(in->evdev, G_FILE_TEST_EXISTS))
            return g_strdup_printf("host input device %s is missing", in->evdev);
    }
    if (def->devices.emulator && !g_file_test(def->devices.emulator, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup_printf("emulator %s is not installed", def->devices.emulator);
    if (def->sec) {
        if (def->sec->type == VGM_LAUNCH_SECURITY_SEV &&
            (!vgmHaveKVM || !g_file_test("/dev/sev", G_FILE_TEST_EXISTS)))
            return g_strdup("launch security 'sev' needs an AMD SEV host (/dev/kvm and /dev/sev)");
        if (def->sec->type != VGM_LAUNCH_SECURITY_SEV)
            return g_strdup_printf("launch security '%s' needs matching host hardware",
                                   vgmLaunchSecurityTypeToString(def->sec->type));
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        if (mem->model == VGM_MEMORY_MODEL_SGX_EPC)
            return g_strdup("an sgx-epc memory device needs an SGX host");
    }
    if (def->devices.vsock && access("/dev/vhost-vsock", R_OK | W_OK) < 0)
        return g_strdup_printf("<vsock> needs /dev/vhost-vsock (the vhost_vsock module): %s",
                               g_strerror(errno));
    /* a writable pflash below the test directory: a copy of OVMF's code,
     * which QEMU may then write (never the installed file itself) */
    if (os->loader && g_str_has_prefix(os->loader, VGM_ACCEPT_TESTDIR)) {
        g_autofree char *data = NULL;
        gsize len = 0;

        if (!g_file_test(VGM_ACCEPT_PFLASH_CODE, G_FILE_TEST_EXISTS))
            return g_strdup_printf("firmware %s is not installed", VGM_ACCEPT_PFLASH_CODE);
        vgmAcceptReplace(&os->loader, vgmAcceptRelocate(env, os->loader));
        if (!g_file_get_contents(VGM_ACCEPT_PFLASH_CODE, &data, &len, error) ||
            !g_file_set_contents(os->loader, data, len, error))
            goto fail;
    }
    if (os->loader && !g_file_test(os->loader, G_FILE_TEST_EXISTS))
        return g_strdup_printf("firmware %s is not installed", os->loader);

    /* the CPU: TCG cannot give the host's CPU (host-model is a named
     * model, under TCG made of what TCG emulates) */
    if (env->tcg && def->cpu && def->cpu->mode == VGM_CPU_MODE_HOST_PASSTHROUGH) {
        g_test_message("under TCG: <cpu mode='%s'> switched to 'maximum'",
                       vgmCpuModeTypeToString(def->cpu->mode));
        def->cpu->mode = VGM_CPU_MODE_MAXIMUM;
    }

    /* firmware variables, copied from the template as libvirt does */
    if (os->nvramNet)
        return g_strdup_printf("its UEFI varstore is a network image (%s), which needs a server",
                               vgmDiskProtocolTypeToString(os->nvramNet->protocol));
    if (os->nvram) {
        g_autofree char *data = NULL;
        gsize len = 0;

        /* a block device's copy goes in the case's own directory */
        if (os->nvramBlock)
            vgmAcceptReplace(&os->nvram, g_build_filename(env->resDir, "nvram-block.fd", NULL));
        else
            vgmAcceptReplace(&os->nvram, vgmAcceptRelocate(env, os->nvram));
        if (!os->nvramTemplate || !g_file_test(os->nvramTemplate, G_FILE_TEST_EXISTS))
            return g_strdup_printf("NVRAM template %s is not installed",
                                   os->nvramTemplate ? os->nvramTemplate : "(none given)");
        if (!g_file_get_contents(os->nvramTemplate, &data, &len, error) ||
            !g_file_set_contents(os->nvram, data, len, error))
            goto fail;
        /* a varstore on a block device: a loop device over that copy */
        if (os->nvramBlock) {
            const char *const attach[] = { "losetup", "-f", "--show", os->nvram, NULL };
            g_autofree char *out = NULL;
            int status = 0;

            if (geteuid() != 0)
                return g_strdup("a varstore on a block device needs a loop device, which needs root");
            if (!g_spawn_sync(NULL, (char **)attach, NULL,
                              G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                              &out, NULL, &status, NULL) ||
                !g_spawn_check_wait_status(status, NULL) || !out || !*g_strstrip(out))
                return g_strdup("a varstore on a block device needs a loop device, and losetup made none here");
            env->loopDev = g_steal_pointer(&out);
            g_test_message("block varstore: loop device %s over a copy of the template",
                           env->loopDev);
            vgmAcceptReplace(&os->nvram, g_strdup(env->loopDev));
        }
    }
    if (os->kernel) {
        vgmAcceptReplace(&os->kernel, vgmAcceptRelocate(env, os->kernel));
        if (!vgmAcceptMakeKernel(os->kernel, error))
            goto fail;
    }
    if (os->initrd) {
        vgmAcceptReplace(&os->initrd, vgmAcceptRelocate(env, os->initrd));
        if (!vgmAcceptMakeSparse(os->initrd, 4096, error))
            goto fail;
    }
    /* a device tree blob, which QEMU's loader hands the (stub) kernel as
     * setup data: it reads the file whole */
    if (os->dtb) {
        vgmAcceptReplace(&os->dtb, vgmAcceptRelocate(env, os->dtb));
        if (!vgmAcceptMakeSparse(os->dtb, 4096, error))
            goto fail;
    }
    /* a SLIC table's body: QEMU writes the header from sig= */
    if (os->slicTable) {
        vgmAcceptReplace(&os->slicTable, vgmAcceptRelocate(env, os->slicTable));
        if (!vgmAcceptMakeSparse(os->slicTable, 64, error))
            goto fail;
    }

    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(def->devices.disks, i);

        if (disk->net) {
            /* an NBD server of the test's; curl's protocols would need a
             * web or FTP server */
            if (disk->net->protocol != VGM_DISK_PROTOCOL_NBD)
                return g_strdup_printf("network disk %s over %s needs a server of that protocol (the test runs only NBD servers)",
                                       disk->dst, vgmDiskProtocolTypeToString(disk->net->protocol));
            if (disk->net->tls == VGM_TRISTATE_YES) {
                g_autofree char *openssl = g_find_program_in_path("openssl");

                if (!openssl)
                    return g_strdup_printf("network disk %s needs TLS certificates, which the test makes with openssl (not installed)",
                                           disk->dst);
            }
            if (!vgmAcceptServeNbd(env, disk, i, error))
                goto fail;
            continue;
        }
        if (!disk->src || disk->type == VGM_DISK_TYPE_VHOSTUSER)
            continue;
        /* the images of its <backingStore> chain, made as its own are */
        for (guint k = 0; disk->backing && k < disk->backing->len; k++) {
            VgmDiskBackingLayer *l = g_ptr_array_index(disk->backing, k);
            char *skip = NULL;

            if (l->net)
                return g_strdup_printf("backing image %s of disk %s needs a server of its protocol",
                                       l->path, disk->dst);
            if (l->type == VGM_DISK_TYPE_BLOCK) {
                g_test_message("disk %s: backing block device %s replaced by /dev/null", disk->dst,
                               l->path);
                vgmAcceptReplace(&l->path, g_strdup("/dev/null"));
                continue;
            }
            vgmAcceptReplace(&l->path, vgmAcceptRelocate(env, l->path));
            if (!vgmAcceptMakeSlicedImage(l->path, l->format, 64 << 20, l->encryption != NULL,
                                          &l->slice, &skip, error))
                goto fail;
            if (skip)
                return skip;
        }
        /* an encrypted one needs its LUKS header: an image file instead */
        if (disk->type == VGM_DISK_TYPE_BLOCK && disk->encryption) {
            g_test_message("disk %s: encrypted block device %s replaced by a LUKS image file (the test makes no block device)",
                           disk->dst, disk->src);
            disk->type = VGM_DISK_TYPE_FILE;
            vgmAcceptReplace(&disk->src, vgmAcceptRelocate(env, disk->src));
        } else if (disk->type == VGM_DISK_TYPE_BLOCK) {
            g_test_message("disk %s: block device %s replaced by /dev/null (the test makes no block device)",
                           disk->dst, disk->src);
            vgmAcceptReplace(&disk->src, g_strdup("/dev/null"));
            continue;
        } else {
            vgmAcceptReplace(&disk->src, vgmAcceptRelocate(env, disk->src));
        }
        /* a directory QEMU shows as FAT: one with a file in it */
        if (disk->type == VGM_DISK_TYPE_DIR) {
            g_autofree char *file = g_build_filename(disk->src, "README.TXT", NULL);

            if (g_mkdir_with_parents(disk->src, 0755) < 0 ||
                !g_file_set_contents(file, "virt-gmem acceptance\n", -1, NULL)) {
                vgmErrorSet(error, VGM_ERR_SYSTEM, "cannot make directory %s", disk->src);
                goto fail;
            }
            continue;
        }
        {
            char *skip = NULL;

            if (!vgmAcceptMakeSlicedImage(disk->src, disk->driverType,
                                          disk->device == VGM_DISK_DEVICE_CDROM ? 1 << 20 : 64 << 20,
                                          disk->encryption != NULL, &disk->slice, &skip, error))
                goto fail;
            if (skip)
                return skip;
        }
    }

    for (i = 0; i < def->devices.nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);

        /* a tap the driver would open and hand over: QEMU opens its own
         * (drivertest opens one through the driver) */
        if (net->backendTap || net->backendVhost) {
            g_test_message("interface %s: <backend> dropped (the test hands QEMU no tap or vhost-net fds)",
                           net->mac);
            g_clear_pointer(&net->backendTap, g_free);
            g_clear_pointer(&net->backendVhost, g_free);
        }
        if (net->type == VGM_NET_TYPE_BRIDGE) {
            g_test_message("interface %s: type='bridge' (%s) switched to type='user' (the test makes no bridge)",
                           net->mac, net->source);
            net->type = VGM_NET_TYPE_USER;
            g_clear_pointer(&net->source, g_free);
        } else if (net->type == VGM_NET_TYPE_DIRECT) {
            /* drivertest makes a real one, through the driver */
            g_test_message("interface %s: type='direct' (%s) switched to type='user' with one queue (the test makes no macvtap to hand QEMU)",
                           net->mac, net->source);
            net->type = VGM_NET_TYPE_USER;
            g_clear_pointer(&net->source, g_free);
            g_clear_pointer(&net->ifname, g_free);
            net->queues = 0;
            net->driverName = VGM_NET_DRIVER_DEFAULT;
        } else if (net->type == VGM_NET_TYPE_ETHERNET &&
                   (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) < 0)) {
            /* as root, QEMU makes each tap with the options asked for */
            g_test_message("interface %s: type='ethernet' switched to type='user' (making a tap needs root and /dev/net/tun)",
                           net->mac);
            net->type = VGM_NET_TYPE_USER;
        }
        if (net->type == VGM_NET_TYPE_VHOSTUSER) {
            char *skip = vgmAcceptServeVhostUserNet(env, net, i, error);

            if (skip)
                return skip;
            if (error && *error)
                goto fail;
        } else if (!vgmNetTypeHasTap(net->type) && net->type != VGM_NET_TYPE_USER) {
            char *skip = NULL;

            if (!vgmAcceptPrepareSocketNet(env, net, &skip, error))
                goto fail;
            if (skip)
                return skip;
        }
        /* <bandwidth> is tc on the host's tap, not QEMU's: a user-mode
         * stand-in has no tap to shape */
        if (net->type == VGM_NET_TYPE_USER && (net->bandwidth.in || net->bandwidth.out)) {
            g_test_message("interface %s: <bandwidth> dropped with the tap", net->mac);
            g_clear_pointer(&net->bandwidth.in, g_free);
            g_clear_pointer(&net->bandwidth.out, g_free);
        }
        /* and <tune><sndbuf> sizes the tap's send buffer */
        if (net->type == VGM_NET_TYPE_USER && net->haveSndbuf) {
            g_test_message("interface %s: <tune><sndbuf> dropped with the tap", net->mac);
            net->haveSndbuf = FALSE;
        }
    }

    for (i = 0; i < def->devices.serials->len; i++) {
        if (!vgmAcceptPrepareChr(env, g_ptr_array_index(def->devices.serials, i), error))
            goto fail;
    }
    for (i = 0; i < def->devices.consoles->len; i++) {
        if (!vgmAcceptPrepareChr(env, g_ptr_array_index(def->devices.consoles, i), error))
            goto fail;
    }
    for (i = 0; i < def->devices.channels->len; i++) {
        if (!vgmAcceptPrepareChr(env, g_ptr_array_index(def->devices.channels, i), error))
            goto fail;
    }
    for (i = 0; i < def->devices.parallels->len; i++) {
        if (!vgmAcceptPrepareChr(env, g_ptr_array_index(def->devices.parallels, i), error))
            goto fail;
    }
    for (i = 0; i < def->devices.redirdevs->len; i++) {
        if (!vgmAcceptPrepareChr(env, g_ptr_array_index(def->devices.redirdevs, i), error))
            goto fail;
    }
    for (i = 0; i < def->devices.rngs->len; i++) {
        VgmRngDef *rng = g_ptr_array_index(def->devices.rngs, i);

        if (rng->egd && !vgmAcceptPrepareChr(env, rng->egd, error))
            goto fail;
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(def->devices.disks, i);
        char *skip;

        if (disk->type != VGM_DISK_TYPE_VHOSTUSER)
            continue;
        if ((skip = vgmAcceptServeVhostUserBlk(env, disk, i, error)))
            return skip;
        if (error && *error)
            goto fail;
    }
    if (def->devices.tpm && def->devices.tpm->externalPath) {
        char *skip = vgmAcceptServeTpm(env, def->devices.tpm, error);

        if (skip)
            return skip;
        if (error && *error)
            goto fail;
    }
    /* a firmware configuration file: one of the case's, with some text */
    for (i = 0; def->sysinfos && i < def->sysinfos->len; i++) {
        const VgmSysinfoDef *sysinfo = g_ptr_array_index(def->sysinfos, i);

        for (guint j = 0; sysinfo->fwCfgs && j < sysinfo->fwCfgs->len; j++) {
            VgmFwCfgEntry *e = g_ptr_array_index(sysinfo->fwCfgs, j);
            char *path;

            if (!e->file)
                continue;
            path = g_strdup_printf("%s/fwcfg%u-%u", env->dir, i, j);
            if (!g_file_set_contents(path, "{\"ignition\": {\"version\": \"3.4.0\"}}\n", -1,
                                     error)) {
                g_free(path);
                goto fail;
            }
            g_test_message("fw_cfg %s: the case's %s (was %s)", e->name, path, e->file);
            vgmAcceptReplace(&e->file, path);
        }
    }
    for (i = 0; i < def->devices.shmems->len; i++) {
        char *skip = vgmAcceptPrepareShmem(env, g_ptr_array_index(def->devices.shmems, i), i,
                                           error);

        if (skip)
            return skip;
        if (error && *error)
            goto fail;
    }

    /* VNC and SPICE on a port no other program (or test) of this host
     * holds: one the kernel hands out, instead of the definition's or the
     * 5900 a port left to the driver is written as */
    for (i = 0; i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);
        guint16 port = 0;

        /* a socket of the definition's is made in the case's directory
         * (one left to the driver is in its run directory already) */
        if (g->socket)
            vgmAcceptReplace(&g->socket, vgmAcceptRelocate(env, g->socket));
        if (g->listenNone || g->listenSocket)
            continue;
        if (g->websocket) {
            guint16 ws = 0;

            if (!vgmAcceptFreeTcpPort(&ws, error))
                goto fail;
            g_test_message("VNC websocket: port %u (a free one) for %d", ws, g->websocket);
            g->websocket = ws;
        }
        if (!vgmAcceptFreeTcpPort(&port, error))
            goto fail;
        g_test_message("%s server: port %u (a free one) for %d", vgmGraphicsTypeToString(g->type),
                       port, g->havePort ? g->port : -1);
        g->port = port;
        g->havePort = TRUE;
    }

    /* shared directories: each made in the case's directory; a virtiofs
     * share served by a virtiofsd of the test's on its own socket (the
     * driver's own virtiofsd is drivertest's and boottest's) */
    for (i = 0; i < def->devices.fss->len; i++) {
        VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);

        if (fs->dir) {
            vgmAcceptReplace(&fs->dir, vgmAcceptRelocate(env, fs->dir));
            if (g_mkdir_with_parents(fs->dir, 0755) < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                            "cannot make %s: %s", fs->dir, g_strerror(errno));
                goto fail;
            }
        }
        if (fs->driver == VGM_FS_DRIVER_VIRTIOFS) {
            g_autofree char *why = vgmAcceptServeVirtiofs(env, fs, i, error);

            if (why)
                return g_steal_pointer(&why);
            if (!fs->socket)
                goto fail;
        }
    }

    for (i = 0; i < def->devices.mems->len; i++) {
        VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);

        if (!mem->sourcePath)
            continue;
        vgmAcceptReplace(&mem->sourcePath, vgmAcceptRelocate(env, mem->sourcePath));
        if (!vgmAcceptMakeSparse(mem->sourcePath, mem->size * 1024, error))
            goto fail;
    }
    return NULL;

 fail:
    *failed = TRUE;
    return NULL;
}

/* Whether any guest RAM asks for hugepages (a 4 KiB page is none). */
static gboolean
vgmAcceptUsesHugepages(const VgmDomainDef *def)
{
    guint i;

    if (def->mb.hasHugepages)
        return TRUE;
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        if (mem->pagesize && mem->pagesize != 4)
            return TRUE;
    }
    return FALSE;
}

/* The hugetlbfs page size (KiB) @path lies on, or 0. */
static unsigned long long
vgmAcceptHugetlbfsOf(const VgmQemuConfig *cfg, const char *path)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, cfg->hugetlbfs);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        g_autofree char *prefix = g_strconcat(value, "/", NULL);
        if (g_str_has_prefix(path, prefix))
            return *(gint64 *)key;
    }
    return 0;
}

/* The host's RAM and swap in bytes (/proc/meminfo), or 0 when unknown. */
static guint64
vgmAcceptHostMemory(void)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint64 total = 0;
    guint i;

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL))
        return 0;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        guint64 kib;

        if (sscanf(lines[i], "MemTotal: %" G_GUINT64_FORMAT " kB", &kib) == 1 ||
            sscanf(lines[i], "SwapTotal: %" G_GUINT64_FORMAT " kB", &kib) == 1)
            total += kib * 1024;
    }
    return total;
}

/*
 * Checks the host can give what the plan asks for (guest RAM QEMU can
 * reserve, free hugepages, online host nodes) and makes the directories
 * file backends need. Returns the reason to skip, or NULL.
 */
static char *
vgmAcceptPrepareMemory(VgmAcceptEnv *env, const VgmQemuConfig *cfg,
                       const VgmQemuPlan *plan)
{
    g_autoptr(GHashTable) need = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                       g_free, g_free);
    GHashTableIter it;
    gpointer key, value;
    guint64 ram = 0;
    guint64 host = vgmAcceptHostMemory();
    guint i;

    /* QEMU reserves guest RAM when it starts, and the kernel refuses more
     * than RAM and swap together (memory-max-size.xml asks for 8 EiB) */
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        if (!g_uint64_checked_add(&ram, ram, b->size))
            ram = G_MAXUINT64;
    }
    if (host && ram > host)
        return g_strdup_printf("guest RAM of %" G_GUINT64_FORMAT " bytes is more than this "
                               "host's RAM and swap (%" G_GUINT64_FORMAT " bytes), which "
                               "QEMU cannot reserve", ram, host);

    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        const char *memPath = json_object_get_string_member_with_default(b->props, "mem-path", NULL);
        unsigned long long page = 0;

        if (json_object_has_member(b->props, "hugetlbsize"))
            page = json_object_get_int_member(b->props, "hugetlbsize") / 1024;
        else if (memPath)
            page = vgmAcceptHugetlbfsOf(cfg, memPath);
        if (page) {
            gint64 k = page;
            guint64 *n = g_hash_table_lookup(need, &k);
            if (!n) {
                n = g_new0(guint64, 1);
                g_hash_table_insert(need, g_memdup2(&k, sizeof(k)), n);
            }
            *n += (b->size + page * 1024 - 1) / (page * 1024);
        }
        if (json_object_has_member(b->props, "host-nodes")) {
            JsonArray *nodes = json_object_get_array_member(b->props, "host-nodes");
            guint j;

            for (j = 0; j < json_array_get_length(nodes); j++) {
                gint64 node = json_array_get_int_element(nodes, j);
                if (!vgmAcceptHostNodeOnline(node))
                    return g_strdup_printf("backend %s binds to host NUMA node %" G_GINT64_FORMAT
                                           ", which this host does not have", b->id, node);
            }
        }
        if (memPath && page) {
            /* libvirt makes the per-domain directory on the hugetlbfs */
            g_autofree char *parent = g_path_get_dirname(memPath);
            if (!g_file_test(parent, G_FILE_TEST_IS_DIR)) {
                if (!g_file_test(memPath, G_FILE_TEST_IS_DIR)) {
                    g_ptr_array_add(env->hostDirs, g_strdup(parent));
                    g_ptr_array_add(env->hostDirs, g_strdup(memPath));
                    g_mkdir(parent, 0755);
                    g_mkdir(memPath, 0755);
                }
            } else if (!g_file_test(memPath, G_FILE_TEST_IS_DIR)) {
                g_ptr_array_add(env->hostDirs, g_strdup(memPath));
                g_mkdir(memPath, 0755);
            }
        } else if (memPath && g_str_has_prefix(memPath, cfg->memoryDir)) {
            g_autofree char *parent = g_path_get_dirname(memPath);
            g_mkdir_with_parents(parent, 0755);
        }
    }

    g_hash_table_iter_init(&it, need);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        unsigned long long page = *(gint64 *)key;
        unsigned long long wanted = *(guint64 *)value;
        unsigned long long avail = vgmAcceptFreeHugepages(page);

        if (avail < wanted)
            return g_strdup_printf("needs %llu free %llu KiB hugepages, the host has %llu",
                                   wanted, page, avail);
    }
    return NULL;
}

/* ---------------- running QEMU ---------------- */

static char *
vgmAcceptLogTail(const char *path)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    const char *tail;

    if (!g_file_get_contents(path, &text, &len, NULL) || len == 0)
        return g_strdup("(nothing written)");
    tail = text;
    if (len > VGM_ACCEPT_LOG_TAIL)
        tail = text + len - VGM_ACCEPT_LOG_TAIL;
    return g_utf8_make_valid(tail, -1);
}

static void
vgmAcceptChildSetup(gpointer data G_GNUC_UNUSED)
{
    /* QEMU must not outlive the test program, whatever happens to it */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Waits until @proc exits (TRUE) or @timeoutMs passes (FALSE). */
static gboolean
vgmAcceptWaitExit(GSubprocess *proc, unsigned int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;

    while (g_subprocess_get_identifier(proc)) {
        if (g_get_monotonic_time() > deadline)
            return FALSE;
        g_usleep(10 * 1000);
    }
    return TRUE;
}

static gboolean
vgmAcceptWaitSocket(GSubprocess *proc, const char *sock, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)VGM_ACCEPT_START_TIMEOUT_MS * 1000;

    for (;;) {
        if (g_file_test(sock, G_FILE_TEST_EXISTS))
            return TRUE;
        if (!g_subprocess_get_identifier(proc)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        "QEMU exited before its monitor socket %s appeared", sock);
            return FALSE;
        }
        if (g_get_monotonic_time() > deadline) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        "QEMU did not create its monitor socket %s within %d ms",
                        sock, VGM_ACCEPT_START_TIMEOUT_MS);
            return FALSE;
        }
        g_usleep(10 * 1000);
    }
}

/*
 * Connects to the monitor. The socket exists before QEMU listens on it and
 * QEMU may still exit (a bad option) after creating it, so connect in short
 * attempts while the process lives, within the start deadline.
 */
static VgmQemuMonitor *
vgmAcceptConnect(GSubprocess *proc, const char *sock, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)VGM_ACCEPT_START_TIMEOUT_MS * 1000;

    for (;;) {
        g_autoptr(GError) err = NULL;
        VgmQemuMonitor *mon = vgmQemuMonitorOpen(sock, 1000, &err);

        if (mon) {
            vgmQemuMonitorSetTimeout(mon, VGM_ACCEPT_START_TIMEOUT_MS);
            return mon;
        }
        if (!g_subprocess_get_identifier(proc) || g_get_monotonic_time() > deadline) {
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        g_usleep(20 * 1000);
    }
}

static JsonObject *
vgmAcceptArgs(const char *key, const char *value, ...)
{
    JsonObject *o = json_object_new();
    va_list ap;

    va_start(ap, value);
    while (key) {
        json_object_set_string_member(o, key, value);
        key = va_arg(ap, const char *);
        if (key)
            value = va_arg(ap, const char *);
    }
    va_end(ap);
    return o;
}

/* The QOM type QEMU reports for /objects/@id, or NULL with *problem set. */
static char *
vgmAcceptQomType(VgmQemuMonitor *mon, const char *id, GString *problems)
{
    g_autofree char *path = g_strdup_printf("/objects/%s", id);
    g_autoptr(JsonObject) args = vgmAcceptArgs("path", path, "property", "type", NULL);
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmQemuMonitorCommand(mon, "qom-get", args, &ret, &err)) {
        g_string_append_printf(problems, "\n  qom-get %s type: %s", path, err->message);
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_STRING) {
        g_autofree char *s = vgmTestJSONText(ret);
        g_string_append_printf(problems, "\n  qom-get %s type: unexpected reply %s", path, s);
        return NULL;
    }
    return g_strdup(json_node_get_string(ret));
}

static JsonObject *
vgmAcceptFindById(JsonArray *arr, const char *id)
{
    guint i;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        if (g_strcmp0(json_object_get_string_member_with_default(o, "id", NULL), id) == 0)
            return o;
    }
    return NULL;
}

/* The host-nodes / policy of a plan backend, as query-memdev shows them. */
static char *
vgmAcceptPlannedNodes(const VgmQemuBackend *b)
{
    JsonNode *n = json_object_get_member(b->props, "host-nodes");
    g_autoptr(JsonNode) empty = NULL;

    if (n)
        return vgmTestJSONText(n);
    empty = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(empty, json_array_new());
    return vgmTestJSONText(empty);
}

static void
vgmAcceptCheckMemdevs(VgmQemuMonitor *mon, const VgmQemuPlan *plan, const VgmDomainDef *def,
                      GString *problems)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    JsonArray *memdevs;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-memdev", NULL, &ret, &err)) {
        g_string_append_printf(problems, "\n  query-memdev: %s", err->message);
        return;
    }
    if (!JSON_NODE_HOLDS_ARRAY(ret)) {
        g_string_append(problems, "\n  query-memdev: the reply is not a list");
        return;
    }
    memdevs = json_node_get_array(ret);

    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        JsonObject *m = vgmAcceptFindById(memdevs, b->id);
        gboolean prealloc = json_object_get_boolean_member_with_default(b->props, "prealloc", FALSE);
        const char *policy = json_object_get_string_member_with_default(b->props, "policy", "default");
        g_autofree char *qomType = NULL;

        if (!m) {
            g_string_append_printf(problems, "\n  backend %s (%s): not in query-memdev",
                                   b->id, b->qomType);
            continue;
        }
        if ((unsigned long long)json_object_get_int_member_with_default(m, "size", -1) != b->size)
            g_string_append_printf(problems, "\n  backend %s: size %lld, plan %llu",
                                   b->id, (long long)json_object_get_int_member_with_default(m, "size", -1),
                                   b->size);
        if (!json_object_has_member(m, "share") ||
            json_object_get_boolean_member(m, "share") != b->share)
            g_string_append_printf(problems, "\n  backend %s: share %s, plan %s", b->id,
                                   json_object_has_member(m, "share") ?
                                   (json_object_get_boolean_member(m, "share") ? "true" : "false") : "(absent)",
                                   b->share ? "true" : "false");
        if (json_object_get_boolean_member_with_default(m, "prealloc", FALSE) != prealloc)
            g_string_append_printf(problems, "\n  backend %s: prealloc %s, plan %s", b->id,
                                   prealloc ? "false" : "true", /* QEMU's is the other */
                                   prealloc ? "true" : "false");
        if (g_strcmp0(json_object_get_string_member_with_default(m, "policy", "default"), policy) != 0)
            g_string_append_printf(problems, "\n  backend %s: policy %s, plan %s", b->id,
                                   json_object_get_string_member_with_default(m, "policy", "default"),
                                   policy);
        {
            g_autofree char *theirs = vgmTestJSONText(json_object_get_member(m, "host-nodes"));
            g_autofree char *ours = vgmAcceptPlannedNodes(b);
            if (!g_str_equal(theirs, ours))
                g_string_append_printf(problems, "\n  backend %s: host-nodes %s, plan %s",
                                       b->id, theirs, ours);
        }
        if ((qomType = vgmAcceptQomType(mon, b->id, problems)) &&
            !g_str_equal(qomType, b->qomType))
            g_string_append_printf(problems, "\n  backend %s: QOM type %s, plan %s",
                                   b->id, qomType, b->qomType);
        if (b->threadContext) {
            const char *tc = json_object_get_string_member(b->threadContext, "id");
            g_autofree char *tcType = vgmAcceptQomType(mon, tc, problems);
            if (tcType && !g_str_equal(tcType, "thread-context"))
                g_string_append_printf(problems, "\n  object %s: QOM type %s, plan thread-context",
                                       tc, tcType);
        }
    }

    for (i = 0; i < json_array_get_length(memdevs); i++) {
        JsonObject *m = json_array_get_object_element(memdevs, i);
        const char *id = json_object_get_string_member_with_default(m, "id", NULL);
        gboolean planned = FALSE;
        guint j;

        for (j = 0; j < plan->backends->len && id; j++) {
            const VgmQemuBackend *b = g_ptr_array_index(plan->backends, j);
            if (g_str_equal(b->id, id))
                planned = TRUE;
        }
        /* an ivshmem-plain's memory is shared, of its size, and no guest
         * RAM the plan holds */
        for (j = 0; j < def->devices.shmems->len && id && !planned; j++) {
            const VgmShmemDef *shm = g_ptr_array_index(def->devices.shmems, j);
            g_autofree char *shmId = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_SHMEM, j);
            g_autofree char *want = g_strdup_printf("shmmem-%s", shmId);
            gint64 size = json_object_get_int_member_with_default(m, "size", -1);

            if (shm->server || !g_str_equal(want, id))
                continue;
            planned = TRUE;
            if (size < 0 || (unsigned long long)size != shm->size ||
                !json_object_get_boolean_member_with_default(m, "share", FALSE))
                g_string_append_printf(problems, "\n  %s: size %lld share %s, <shmem name='%s'> "
                                       "%llu shared", id, (long long)size,
                                       json_object_get_boolean_member_with_default(m, "share",
                                                                                   FALSE) ?
                                       "true" : "false", shm->name, shm->size);
        }
        if (!planned)
            g_string_append_printf(problems, "\n  query-memdev lists %s, which the plan does not have",
                                   id ? id : "a backend without id");
    }
}

static const char *
vgmAcceptMemoryDeviceType(const char *driver)
{
    if (g_str_equal(driver, "pc-dimm"))
        return "dimm";
    if (g_str_equal(driver, "nvdimm"))
        return "nvdimm";
    if (g_str_equal(driver, "virtio-mem-pci"))
        return "virtio-mem";
    if (g_str_equal(driver, "virtio-pmem-pci"))
        return "virtio-pmem";
    return driver;
}

static void
vgmAcceptCheckMemoryDevices(VgmQemuMonitor *mon, const VgmQemuPlan *plan,
                            GString *problems)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonNode) summary = NULL;
    g_autoptr(GError) err = NULL;
    JsonArray *devs;
    guint i, j;

    if (!vgmQemuMonitorCommand(mon, "query-memory-size-summary", NULL, &summary, &err)) {
        g_string_append_printf(problems, "\n  query-memory-size-summary: %s", err->message);
        g_clear_error(&err);
    } else if (JSON_NODE_HOLDS_OBJECT(summary)) {
        gint64 base = json_object_get_int_member_with_default(json_node_get_object(summary),
                                                              "base-memory", -1);
        if (base != (gint64)(plan->initialKiB * 1024))
            g_string_append_printf(problems, "\n  base memory %" G_GINT64_FORMAT ", plan (-m) %llu",
                                   base, plan->initialKiB * 1024);
    }

    if (!vgmQemuMonitorCommand(mon, "query-memory-devices", NULL, &ret, &err)) {
        g_string_append_printf(problems, "\n  query-memory-devices: %s", err->message);
        return;
    }
    if (!JSON_NODE_HOLDS_ARRAY(ret)) {
        g_string_append(problems, "\n  query-memory-devices: the reply is not a list");
        return;
    }
    devs = json_node_get_array(ret);
    if (json_array_get_length(devs) != plan->memDevices->len)
        g_string_append_printf(problems, "\n  query-memory-devices lists %u devices, plan %u",
                               json_array_get_length(devs), plan->memDevices->len);

    for (i = 0; i < plan->memDevices->len; i++) {
        JsonObject *dev = g_ptr_array_index(plan->memDevices, i);
        const char *id = json_object_get_string_member(dev, "id");
        const char *memdev = json_object_get_string_member(dev, "memdev");
        const char *type = vgmAcceptMemoryDeviceType(json_object_get_string_member(dev, "driver"));
        g_autofree char *path = g_strdup_printf("/objects/%s", memdev);
        JsonObject *found = NULL;
        const char *foundType = NULL;
        unsigned long long size = 0;

        for (j = 0; j < json_array_get_length(devs) && !found; j++) {
            JsonObject *d = json_array_get_object_element(devs, j);
            JsonObject *data = json_object_get_object_member(d, "data");
            if (data && g_strcmp0(json_object_get_string_member_with_default(data, "id", NULL), id) == 0) {
                found = data;
                foundType = json_object_get_string_member_with_default(d, "type", "?");
            }
        }
        if (!found) {
            g_string_append_printf(problems, "\n  memory device %s (%s): not in query-memory-devices",
                                   id, type);
            continue;
        }
        if (!g_str_equal(foundType, type))
            g_string_append_printf(problems, "\n  memory device %s: type %s, plan %s", id, foundType, type);
        if (g_strcmp0(json_object_get_string_member_with_default(found, "memdev", NULL), path) != 0)
            g_string_append_printf(problems, "\n  memory device %s: memdev %s, plan %s", id,
                                   json_object_get_string_member_with_default(found, "memdev", "(absent)"),
                                   path);
        for (j = 0; j < plan->backends->len; j++) {
            const VgmQemuBackend *b = g_ptr_array_index(plan->backends, j);
            if (g_str_equal(b->id, memdev))
                size = b->size;
        }
        /* an NVDIMM's label area comes out of its backend, and QEMU rounds
         * what is left down to the backend's alignment */
        if (json_object_has_member(dev, "label-size")) {
            size -= json_object_get_int_member(dev, "label-size");
            for (j = 0; j < plan->backends->len; j++) {
                const VgmQemuBackend *b = g_ptr_array_index(plan->backends, j);
                if (g_str_equal(b->id, memdev) && json_object_has_member(b->props, "align"))
                    size -= size % json_object_get_int_member(b->props, "align");
            }
        }
        /* virtio-mem's "size" is what is plugged now; its region is max-size */
        if (g_str_equal(type, "virtio-mem")) {
            if ((unsigned long long)json_object_get_int_member_with_default(found, "max-size", -1) != size)
                g_string_append_printf(problems, "\n  memory device %s: max-size %lld, plan %llu", id,
                                       (long long)json_object_get_int_member_with_default(found, "max-size", -1),
                                       size);
        } else if ((unsigned long long)json_object_get_int_member_with_default(found, "size", -1) != size) {
            g_string_append_printf(problems, "\n  memory device %s: size %lld, plan %llu", id,
                                   (long long)json_object_get_int_member_with_default(found, "size", -1),
                                   size);
        }
    }
}

/* The JSON objects of every @opt argument of @cmd (-blockdev). */
static GPtrArray *
vgmAcceptCmdJSON(const VgmQemuCmd *cmd, const char *opt)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    guint i;

    for (i = 0; i + 1 < cmd->args->len; i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonNode *root;

        if (!g_str_equal(g_ptr_array_index(cmd->args, i), opt))
            continue;
        if (!json_parser_load_from_data(parser, g_ptr_array_index(cmd->args, i + 1), -1, NULL))
            continue;
        root = json_parser_get_root(parser);
        if (JSON_NODE_HOLDS_OBJECT(root))
            g_ptr_array_add(out, json_object_ref(json_node_get_object(root)));
    }
    return out;
}

/* String property @prop of device @id (qom-get) is @want, which @source
 * (the command line, the definition) gave. */
static void
vgmAcceptCheckQomString(VgmQemuMonitor *mon, const char *id, const char *prop,
                        const char *want, const char *source, GString *problems)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    g_autoptr(JsonObject) args = vgmAcceptArgs("path", path, "property", prop, NULL);
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmQemuMonitorCommand(mon, "qom-get", args, &ret, &err)) {
        g_string_append_printf(problems, "\n  qom-get %s %s: %s", path, prop, err->message);
    } else if (!JSON_NODE_HOLDS_VALUE(ret) || g_strcmp0(json_node_get_string(ret), want) != 0) {
        g_autofree char *t = vgmTestJSONText(ret);

        g_string_append_printf(problems, "\n  device %s: %s %s, %s %s", id, prop, t, source, want);
    }
}

/* Whether property @prop of the device (@parent /machine/peripheral) or
 * object (/objects) @id, read with qom-get, is the scalar the command
 * line gave (a number, string or boolean) */
static void
vgmAcceptCheckQomValue(VgmQemuMonitor *mon, const char *parent, const char *id,
                       const char *prop, JsonNode *want, GString *problems)
{
    g_autofree char *path = g_strdup_printf("%s/%s", parent, id);
    g_autoptr(JsonObject) args = vgmAcceptArgs("path", path, "property", prop, NULL);
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    gboolean same = FALSE;

    if (!vgmQemuMonitorCommand(mon, "qom-get", args, &ret, &err)) {
        g_string_append_printf(problems, "\n  qom-get %s %s: %s", path, prop, err->message);
        return;
    }
    if (JSON_NODE_HOLDS_VALUE(ret) && JSON_NODE_HOLDS_VALUE(want)) {
        GType t = json_node_get_value_type(want);

        if (t == G_TYPE_STRING)
            same = json_node_get_value_type(ret) == G_TYPE_STRING &&
                   g_str_equal(json_node_get_string(ret), json_node_get_string(want));
        else if (t == G_TYPE_BOOLEAN)
            same = json_node_get_value_type(ret) == G_TYPE_BOOLEAN &&
                   json_node_get_boolean(ret) == json_node_get_boolean(want);
        else if (t == G_TYPE_INT64)
            same = json_node_get_value_type(ret) == G_TYPE_INT64 &&
                   json_node_get_int(ret) == json_node_get_int(want);
    }
    if (!same) {
        g_autofree char *g = vgmTestJSONText(ret);
        g_autofree char *w = vgmTestJSONText(want);

        g_string_append_printf(problems, "\n  %s: %s %s, command line %s", path, prop, g, w);
    }
}

/* The I/O threads: query-iothreads lists exactly the iothread objects of
 * the command line, and each iothread or main-loop object has the
 * thread-pool sizes it gave (qom-get) */
static void
vgmAcceptCheckIOThreads(VgmQemuMonitor *mon, const VgmQemuCmd *cmd, GString *problems)
{
    g_autoptr(GPtrArray) objects = vgmAcceptCmdJSON(cmd, "-object");
    g_autoptr(GHashTable) want = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    guint i;

    for (i = 0; i < objects->len; i++) {
        JsonObject *o = g_ptr_array_index(objects, i);
        const char *type = json_object_get_string_member_with_default(o, "qom-type", "");
        const char *id = json_object_get_string_member_with_default(o, "id", "");
        static const char *const pools[] = { "thread-pool-min", "thread-pool-max" };
        size_t k;

        if (!g_str_equal(type, "iothread") && !g_str_equal(type, "main-loop"))
            continue;
        if (g_str_equal(type, "iothread"))
            g_hash_table_add(want, (gpointer)id);
        for (k = 0; k < G_N_ELEMENTS(pools); k++) {
            if (json_object_has_member(o, pools[k]))
                vgmAcceptCheckQomValue(mon, "/objects", id, pools[k],
                                       json_object_get_member(o, pools[k]), problems);
        }
    }
    if (!vgmQemuMonitorCommand(mon, "query-iothreads", NULL, &ret, &err)) {
        g_string_append_printf(problems, "\n  query-iothreads: %s", err->message);
        return;
    }
    for (i = 0; JSON_NODE_HOLDS_ARRAY(ret) && i < json_array_get_length(json_node_get_array(ret)); i++) {
        JsonObject *t = json_array_get_object_element(json_node_get_array(ret), i);
        const char *id = json_object_get_string_member_with_default(t, "id", "");

        if (!g_hash_table_remove(want, id))
            g_string_append_printf(problems, "\n  query-iothreads lists %s, which the command line has not", id);
        else if (json_object_get_int_member_with_default(t, "thread-id", 0) <= 0)
            g_string_append_printf(problems, "\n  query-iothreads gives %s no thread", id);
    }
    if (g_hash_table_size(want) > 0)
        g_string_append_printf(problems, "\n  query-iothreads lacks %u of the command line's iothreads",
                               g_hash_table_size(want));
}

/* The file of an image QEMU names @name: itself, or, for an image with
 * a backing of its own, the "filename" of the "file" of its json:{...}
 * pseudo-name (NULL for NULL) */
static char *
vgmAcceptImageFilename(const char *name)
{
    g_autoptr(JsonParser) parser = NULL;
    JsonNode *root;
    JsonObject *file;

    if (!name || !g_str_has_prefix(name, "json:"))
        return g_strdup(name);
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, name + strlen("json:"), -1, NULL) ||
        !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root) ||
        !json_object_has_member(json_node_get_object(root), "file"))
        return g_strdup(name);
    file = json_object_get_object_member(json_node_get_object(root), "file");
    /* (down through a storage slice's raw node to the file) */
    while (!json_object_has_member(file, "filename") && json_object_has_member(file, "file") &&
           JSON_NODE_HOLDS_OBJECT(json_object_get_member(file, "file")))
        file = json_object_get_object_member(file, "file");
    return g_strdup(json_object_get_string_member_with_default(file, "filename", name));
}

/* The file name under -blockdev node @name of @blockdevs: its own, or
 * that of the node its "file" names */
static const char *
vgmAcceptBlockdevFilename(GPtrArray *blockdevs, const char *name)
{
    guint i;

    for (i = 0; i < blockdevs->len; i++) {
        JsonObject *bd = g_ptr_array_index(blockdevs, i);

        if (g_strcmp0(json_object_get_string_member_with_default(bd, "node-name", NULL), name) != 0)
            continue;
        if (json_object_has_member(bd, "filename"))
            return json_object_get_string_member(bd, "filename");
        if (json_object_has_member(bd, "file"))
            return vgmAcceptBlockdevFilename(blockdevs, json_object_get_string_member(bd, "file"));
    }
    return NULL;
}

/* Disk cache modes, write caches, vmcoreinfo and chardev logs as QEMU
 * built them (see the header). */
static void
vgmAcceptCheckDevices(VgmQemuMonitor *mon, const VgmQemuCmd *cmd, const VgmDomainDef *def,
                      GString *problems)
{
    g_autoptr(GPtrArray) blockdevs = vgmAcceptCmdJSON(cmd, "-blockdev");
    g_autoptr(JsonNode) nodes = NULL;
    g_autoptr(GError) err = NULL;
    gboolean wantVmcoreinfo = FALSE;
    guint i;

    for (i = 0; i < blockdevs->len; i++) {
        JsonObject *bd = g_ptr_array_index(blockdevs, i);
        const char *name = json_object_get_string_member_with_default(bd, "node-name", "?");
        JsonObject *want = json_object_has_member(bd, "cache") ?
                           json_object_get_object_member(bd, "cache") : NULL;
        const char *drv = json_object_get_string_member_with_default(bd, "driver", "?");
        JsonObject *found = NULL;
        JsonObject *got;
        guint j;

        if (!nodes && !vgmQemuMonitorCommand(mon, "query-named-block-nodes", NULL, &nodes, &err)) {
            g_string_append_printf(problems, "\n  query-named-block-nodes: %s", err->message);
            return;
        }
        for (j = 0; JSON_NODE_HOLDS_ARRAY(nodes) &&
                    j < json_array_get_length(json_node_get_array(nodes)) && !found; j++) {
            JsonObject *n = json_array_get_object_element(json_node_get_array(nodes), j);
            if (g_strcmp0(json_object_get_string_member_with_default(n, "node-name", NULL), name) == 0)
                found = n;
        }
        if (!found) {
            g_string_append_printf(problems, "\n  block node %s: not in query-named-block-nodes", name);
            continue;
        }
        /* a format node that decrypts (luks, or qcow2's encrypt) says
         * its image is encrypted: QEMU opened it with the passphrase */
        if ((json_object_has_member(bd, "key-secret") && g_str_equal(drv, "luks")) ||
            json_object_has_member(bd, "encrypt")) {
            if (!json_object_get_boolean_member_with_default(found, "encrypted", FALSE))
                g_string_append_printf(problems, "\n  block node %s: not encrypted, the command line decrypts it",
                                       name);
        }
        /* every node with the driver the command line gave it (a
         * copy-on-read filter, a format, a protocol) */
        if (g_strcmp0(json_object_get_string_member_with_default(found, "drv", NULL), drv) != 0)
            g_string_append_printf(problems, "\n  block node %s: driver %s, command line %s", name,
                                   json_object_get_string_member_with_default(found, "drv", "(none)"),
                                   drv);
        /* a raw node over a storage slice: an image of the slice's size */
        if (json_object_has_member(bd, "size") && g_str_equal(drv, "raw")) {
            JsonObject *image = json_object_has_member(found, "image") ?
                                json_object_get_object_member(found, "image") : NULL;
            gint64 vsize = image ? json_object_get_int_member_with_default(image, "virtual-size", -1) : -1;

            if (vsize != json_object_get_int_member(bd, "size"))
                g_string_append_printf(problems, "\n  block node %s: virtual size %" G_GINT64_FORMAT
                                       ", its slice %" G_GINT64_FORMAT, name, vsize,
                                       json_object_get_int_member(bd, "size"));
        }
        /* a format node's backing: the image of the node the command line
         * named, or none for "backing": null */
        if (json_object_has_member(bd, "backing")) {
            JsonObject *image = json_object_has_member(found, "image") ?
                                json_object_get_object_member(found, "image") : NULL;
            JsonObject *bimg = image && json_object_has_member(image, "backing-image") ?
                               json_object_get_object_member(image, "backing-image") : NULL;
            const char *gotName = bimg ? json_object_get_string_member_with_default(bimg, "filename", "?") : NULL;
            g_autofree char *gotFile = vgmAcceptImageFilename(gotName);
            const char *below = json_object_get_string_member_with_default(bd, "backing", NULL);
            const char *wantFile = below ? vgmAcceptBlockdevFilename(blockdevs, below) : NULL;

            if (g_strcmp0(gotFile, wantFile) != 0)
                g_string_append_printf(problems, "\n  block node %s: backing image %s, command line %s (%s)",
                                       name, gotFile ? gotFile : "(none)", below ? below : "null",
                                       wantFile ? wantFile : "none");
        }
        if (!want)
            continue;
        got = json_object_has_member(found, "cache") ? json_object_get_object_member(found, "cache") : NULL;
        if (!got ||
            json_object_get_boolean_member_with_default(got, "direct", FALSE) !=
            json_object_get_boolean_member(want, "direct") ||
            json_object_get_boolean_member_with_default(got, "no-flush", FALSE) !=
            json_object_get_boolean_member(want, "no-flush")) {
            g_autofree char *g = got ? vgmQemuJSONToString(got) : g_strdup("(none)");
            g_autofree char *w = vgmQemuJSONToString(want);
            g_string_append_printf(problems, "\n  block node %s: cache %s, command line %s", name, g, w);
        }
    }

    for (i = 0; i < cmd->devices->len; i++) {
        JsonObject *dev = g_ptr_array_index(cmd->devices, i);
        const char *id = json_object_get_string_member_with_default(dev, "id", NULL);
        /* what a disk's guest reads besides its medium, and a PCI
         * device's ACPI index */
        static const char *const diskProps[] = {
            "write-cache", "share-rw", "device_id", "logical_block_size",
            "physical_block_size", "wwn", "rotation_rate", "vendor", "product", "cyls",
            "heads", "secs", "bios-chs-trans", "serial", "werror", "rerror", "acpi-index",
        };
        size_t k;

        /* a channel's port: the number and name the command line gave */
        if (id && g_str_equal(json_object_get_string_member(dev, "driver"), "virtserialport")) {
            g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
            g_autoptr(JsonObject) args = vgmAcceptArgs("path", path, "property", "nr", NULL);
            g_autoptr(JsonNode) ret = NULL;
            gint64 nr = json_object_get_int_member(dev, "nr");

            if (!vgmQemuMonitorCommand(mon, "qom-get", args, &ret, &err)) {
                g_string_append_printf(problems, "\n  qom-get %s nr: %s", path, err->message);
                g_clear_error(&err);
            } else if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_int(ret) != nr) {
                g_autofree char *t = vgmTestJSONText(ret);
                g_string_append_printf(problems, "\n  channel %s: port %s, command line %" G_GINT64_FORMAT,
                                       id, t, nr);
            }
        }

        if (g_str_equal(json_object_get_string_member(dev, "driver"), "vmcoreinfo"))
            wantVmcoreinfo = TRUE;
        for (k = 0; id && k < G_N_ELEMENTS(diskProps); k++) {
            if (json_object_has_member(dev, diskProps[k]))
                vgmAcceptCheckQomValue(mon, "/machine/peripheral", id, diskProps[k],
                                       json_object_get_member(dev, diskProps[k]), problems);
        }
    }
    if (wantVmcoreinfo) {
        g_autoptr(JsonObject) args = vgmAcceptArgs("path", "/machine/peripheral-anon", NULL);
        g_autoptr(JsonNode) ret = NULL;
        gboolean found = FALSE;

        if (!vgmQemuMonitorCommand(mon, "qom-list", args, &ret, &err)) {
            g_string_append_printf(problems, "\n  qom-list /machine/peripheral-anon: %s", err->message);
            g_clear_error(&err);
        } else {
            for (i = 0; JSON_NODE_HOLDS_ARRAY(ret) && i < json_array_get_length(json_node_get_array(ret)); i++) {
                JsonObject *o = json_array_get_object_element(json_node_get_array(ret), i);
                if (g_strcmp0(json_object_get_string_member_with_default(o, "type", NULL),
                              "child<vmcoreinfo>") == 0)
                    found = TRUE;
            }
            if (!found)
                g_string_append(problems, "\n  no vmcoreinfo device among the anonymous devices");
        }
    }

    for (i = 0; i < def->devices.serials->len + def->devices.consoles->len; i++) {
        const VgmChrDef *chr = i < def->devices.serials->len ?
            g_ptr_array_index(def->devices.serials, i) :
            g_ptr_array_index(def->devices.consoles, i - def->devices.serials->len);

        if (chr->logfile && !g_file_test(chr->logfile, G_FILE_TEST_IS_REGULAR))
            g_string_append_printf(problems, "\n  chardev log file %s was not created", chr->logfile);
    }
}

/* VNC and SPICE servers listen where the command line said (query-vnc,
 * query-spice): on a port, on a unix socket, or (a SPICE server without
 * a port, a VNC server with <listen type='none'>) on none; each USB
 * redirection, hub and input is on its port (qom-get "port"). */
static void
vgmAcceptCheckGraphics(VgmQemuMonitor *mon, const VgmDomainDef *def, GString *problems)
{
    g_autoptr(GError) err = NULL;
    guint i;

    for (i = 0; i < def->devices.graphics->len; i++) {
        const VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);
        gboolean spice = g->type == VGM_GRAPHICS_SPICE;
        const char *what = spice ? "query-spice" : "query-vnc";
        g_autoptr(JsonNode) ret = NULL;
        JsonObject *o;
        /* a socket left to the driver: its name in the run directory */
        g_autofree char *want = g->listenNone ? NULL :
                                g->listenSocket && g->socket ? g_strdup(g->socket) :
                                g->listenSocket ? g_strdup(spice ? "spice.sock" : "vnc.sock") :
                                g_strdup_printf("%d", g->port);
        g_autofree char *got = NULL;

        if (!vgmQemuMonitorCommand(mon, what, NULL, &ret, &err)) {
            g_string_append_printf(problems, "\n  %s: %s", what, err->message);
            g_clear_error(&err);
            continue;
        }
        o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
        /* -vnc none: a display that takes clients only through
         * add_client, with no listener to enable */
        if (!spice && g->listenNone) {
            if (!o || json_object_get_boolean_member_with_default(o, "enabled", TRUE))
                g_string_append_printf(problems, "\n  %s: a server listens, and the command line said none",
                                       what);
            continue;
        }
        if (!o || !json_object_get_boolean_member_with_default(o, "enabled", FALSE)) {
            g_string_append_printf(problems, "\n  %s: the server is not enabled", what);
            continue;
        }
        /* a socket's path: query-vnc's service (family unix), query-spice's host */
        if (g->listenSocket && json_object_has_member(o, spice ? "host" : "service"))
            got = g->socket ? g_strdup(json_object_get_string_member(o, spice ? "host" : "service")) :
                  g_path_get_basename(json_object_get_string_member(o, spice ? "host" : "service"));
        else if (spice && json_object_has_member(o, "port"))
            got = g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(o, "port"));
        else if (!spice && json_object_has_member(o, "service"))
            got = g_strdup(json_object_get_string_member(o, "service"));
        if (g_strcmp0(got, want) != 0)
            g_string_append_printf(problems, "\n  %s: port %s, command line %s", what,
                                   got ? got : "(none)", want ? want : "(none)");
        /* a passwd='' makes the server authenticate its clients */
        if (g_strcmp0(json_object_get_string_member_with_default(o, "auth", NULL),
                      g->passwd ? (spice ? "spice" : "vnc") : "none") != 0)
            g_string_append_printf(problems, "\n  %s: auth '%s' with%s a passwd", what,
                                   json_object_get_string_member_with_default(o, "auth", "(none)"),
                                   g->passwd ? "" : "out");
    }
    for (i = 0; i < def->devices.redirdevs->len; i++) {
        const VgmChrDef *rd = g_ptr_array_index(def->devices.redirdevs, i);
        g_autofree char *id = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_REDIRDEV, i);

        vgmAcceptCheckQomString(mon, id, "port", rd->addr.port, "definition", problems);
    }
    /* each USB hub, and each USB input, on its port */
    for (i = 0; i < def->devices.hubs->len; i++) {
        const VgmHubDef *hub = g_ptr_array_index(def->devices.hubs, i);
        g_autofree char *id = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_HUB, i);

        vgmAcceptCheckQomString(mon, id, "port", hub->addr.port, "definition", problems);
    }
    for (i = 0; i < def->devices.inputs->len; i++) {
        const VgmInputDef *in = g_ptr_array_index(def->devices.inputs, i);
        g_autofree char *id = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_INPUT, i);

        if (in->bus == VGM_INPUT_BUS_USB)
            vgmAcceptCheckQomString(mon, id, "port", in->addr.port, "definition", problems);
    }
    /* each share's device carries its mount tag */
    for (i = 0; i < def->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);
        g_autofree char *fsId = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_FS, i);
        g_autofree char *id = g_strdup_printf("%s/virtio-backend", fsId);

        vgmAcceptCheckQomString(mon, id, fs->driver == VGM_FS_DRIVER_VIRTIOFS ? "tag" : "mount_tag",
                                fs->target, "definition", problems);
    }
}

/* The startup QMP commands (disk throttling, trays, the balloon): each is
 * accepted, query-block then shows every value a throttle or tray
 * command set on the device it named, and qom-get every property a
 * qom-set set. */
static void
vgmAcceptCheckStartup(VgmQemuMonitor *mon, const VgmQemuCmd *cmd, GString *problems)
{
    g_autoptr(JsonNode) blocks = NULL;
    g_autoptr(GError) err = NULL;
    guint i, j, checked = 0;

    for (i = 0; i < cmd->startup->len; i++) {
        JsonObject *exec = g_ptr_array_index(cmd->startup, i);
        const char *name = json_object_get_string_member(exec, "execute");
        JsonObject *args = json_object_get_object_member(exec, "arguments");
        const char *id = json_object_get_string_member_with_default(args, "id", "?");
        /* a qdev id, or a QOM path below /machine/peripheral/ID */
        g_autofree char *qdevPrefix = g_strdup_printf("/machine/peripheral/%s/", id);
        JsonObject *inserted = NULL;
        g_autoptr(GList) members = NULL;
        GList *m;

        if (!vgmQemuMonitorCommand(mon, name, args, NULL, &err)) {
            g_string_append_printf(problems, "\n  %s on %s: %s", name, id, err->message);
            g_clear_error(&err);
            continue;
        }
        /* a property set: qom-get reads it back */
        if (g_str_equal(name, "qom-set")) {
            g_autoptr(JsonObject) get = json_object_new();
            g_autoptr(JsonNode) val = NULL;
            g_autofree char *want = vgmTestJSONText(json_object_get_member(args, "value"));
            g_autofree char *got = NULL;

            json_object_set_string_member(get, "path", json_object_get_string_member(args, "path"));
            json_object_set_string_member(get, "property",
                                          json_object_get_string_member(args, "property"));
            if (!vgmQemuMonitorCommand(mon, "qom-get", get, &val, &err)) {
                g_string_append_printf(problems, "\n  qom-get after qom-set: %s", err->message);
                g_clear_error(&err);
                continue;
            }
            got = vgmTestJSONText(val);
            if (!g_str_equal(want, got))
                g_string_append_printf(problems, "\n  %s %s is %s, qom-set set %s",
                                       json_object_get_string_member(args, "path"),
                                       json_object_get_string_member(args, "property"), got, want);
            checked++;
            continue;
        }
        if (!g_str_equal(name, "block_set_io_throttle") && !g_str_equal(name, "blockdev-open-tray"))
            continue;
        g_clear_pointer(&blocks, json_node_unref);
        if (!vgmQemuMonitorCommand(mon, "query-block", NULL, &blocks, &err) ||
            !JSON_NODE_HOLDS_ARRAY(blocks)) {
            g_string_append_printf(problems, "\n  query-block: %s",
                                   err ? err->message : "not a list");
            g_clear_error(&err);
            continue;
        }
        /* an opened tray: query-block says so for the device */
        if (g_str_equal(name, "blockdev-open-tray")) {
            gboolean open = FALSE, found = FALSE;

            for (j = 0; j < json_array_get_length(json_node_get_array(blocks)); j++) {
                JsonObject *b = json_array_get_object_element(json_node_get_array(blocks), j);

                if (g_str_equal(json_object_get_string_member_with_default(b, "qdev", ""), id)) {
                    found = TRUE;
                    open = json_object_get_boolean_member_with_default(b, "tray_open", FALSE);
                }
            }
            if (!found || !open)
                g_string_append_printf(problems, "\n  device %s: tray %s after blockdev-open-tray",
                                       id, found ? "closed" : "not found");
            checked++;
            continue;
        }
        for (j = 0; j < json_array_get_length(json_node_get_array(blocks)); j++) {
            JsonObject *b = json_array_get_object_element(json_node_get_array(blocks), j);
            const char *qdev = json_object_get_string_member_with_default(b, "qdev", "");

            if ((g_str_equal(qdev, id) || g_str_has_prefix(qdev, qdevPrefix) ||
                g_str_has_prefix(id, qdev)) && *qdev &&
                json_object_has_member(b, "inserted"))
                inserted = json_object_get_object_member(b, "inserted");
        }
        if (!inserted) {
            g_string_append_printf(problems, "\n  query-block: no medium of device %s", id);
            continue;
        }
        members = json_object_get_members(args);
        for (m = members; m; m = m->next) {
            const char *k = m->data;
            g_autofree char *want = NULL;
            g_autofree char *got = NULL;

            if (g_str_equal(k, "id"))
                continue;
            want = vgmTestJSONText(json_object_get_member(args, k));
            got = json_object_has_member(inserted, k) ?
                  vgmTestJSONText(json_object_get_member(inserted, k)) : g_strdup("(absent)");
            if (!g_str_equal(want, got))
                g_string_append_printf(problems, "\n  device %s: %s is %s, %s set %s",
                                       id, k, got, name, want);
            checked++;
        }
    }
    if (cmd->startup->len)
        g_test_message("%u startup QMP commands sent; query-block and qom-get showed %u of their values",
                       cmd->startup->len, checked);
}

/*
 * Starts QEMU, checks it over QMP and makes it quit. On failure QEMU is
 * killed and the error carries its log tail.
 */
/* After the startup commands: QEMU runs exactly the vCPUs <vcpus>
 * enables (query-cpus-fast's cpu-index), the plugged ones under their
 * own ids (qom-path /machine/peripheral/vcpuN) */
static void
vgmAcceptCheckVcpus(VgmQemuMonitor *mon, const VgmDomainDef *def, GString *problems)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) got = g_string_new(NULL);
    g_autoptr(GString) want = g_string_new(NULL);
    JsonArray *cpus;
    unsigned int i;

    if (!def->vcpuList)
        return;
    if (!vgmQemuMonitorCommand(mon, "query-cpus-fast", NULL, &ret, &err) ||
        !JSON_NODE_HOLDS_ARRAY(ret)) {
        g_string_append_printf(problems, "\n  query-cpus-fast: %s", err ? err->message : "not a list");
        return;
    }
    cpus = json_node_get_array(ret);
    for (i = 0; i < def->vcpus; i++) {
        const VgmDomainVcpu *v = &def->vcpuList[i];
        const char *qom = NULL;
        guint j;

        for (j = 0; j < json_array_get_length(cpus); j++) {
            JsonObject *c = json_array_get_object_element(cpus, j);

            if (json_object_get_int_member_with_default(c, "cpu-index", -1) == (gint64)i)
                qom = json_object_get_string_member_with_default(c, "qom-path", "?");
        }
        if (qom)
            g_string_append_printf(got, " %u", i);
        if (v->online)
            g_string_append_printf(want, " %u", i);
        if (qom && v->hotpluggable == VGM_TRISTATE_YES) {
            g_autofree char *path = g_strdup_printf("/machine/peripheral/vcpu%u", i);

            if (!g_str_equal(qom, path))
                g_string_append_printf(problems, "\n  vCPU %u: qom-path %s, plugged as %s", i, qom, path);
        }
    }
    if (!g_str_equal(got->str, want->str))
        g_string_append_printf(problems, "\n  query-cpus-fast: vCPUs%s run, <vcpus> enables%s",
                               got->str, want->str);
    else
        g_test_message("vCPUs%s run, as <vcpus> enables", got->str);
}

/* Each vhost-user interface's backend (the test's stub) was spoken to:
 * QEMU took ownership of it (SET_OWNER) before it answered QMP. */
static void
vgmAcceptCheckVhostUserNets(const char *dir, const VgmDomainDef *def, GString *problems)
{
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);
        g_autofree char *out = g_strdup_printf("%s/vhost-user-net%u.out", dir, i);
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        if (net->type != VGM_NET_TYPE_VHOSTUSER)
            continue;
        if (!g_file_get_contents(out, &text, NULL, NULL) || !strstr(text, "\nSET_OWNER\n"))
            g_string_append_printf(problems, "\n  interface %s: its vhost-user backend got no SET_OWNER (%s)",
                                   net->mac, text ? "messages seen, not that one" : "no output");
        else if ((lines = g_strsplit(text, "\n", -1)))
            g_test_message("interface %s: QEMU opened its vhost-user backend (%u messages)",
                           net->mac, g_strv_length(lines) - 2);
    }
}

/* The hot-plug form of each character device: the chardev-add arguments
 * the driver makes of its -chardev option (vgmQemuChardevToQMP) are
 * taken by QEMU, under another id (and another file or socket in @dir
 * for a file or a listening unix socket), and the chardev-remove of it.
 * Backends on host devices, stdio (one only) and connecting or inet
 * sockets (a peer each) are left out. A udp one binds its local port
 * again beside the first (QEMU's sockets set SO_REUSEADDR). */
static void
vgmAcceptCheckChardevs(VgmQemuMonitor *mon, const VgmQemuCmd *cmd, const char *dir,
                       GString *problems)
{
    static const char *const tried[] = { "pty", "null", "vc", "file", "socket", "udp", "spicevmc",
                                         "spiceport", "qemu-vdagent", NULL };
    guint i, n = 0;

    for (i = 0; i + 1 < cmd->args->len; i++) {
        const char *opt = g_ptr_array_index(cmd->args, i + 1);
        g_autoptr(JsonObject) args = NULL;
        g_autoptr(JsonObject) del = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *id = NULL;
        JsonObject *be, *data, *addr;
        const char *type;

        if (!g_str_equal(g_ptr_array_index(cmd->args, i), "-chardev"))
            continue;
        if (!(args = vgmQemuChardevToQMP(opt))) {
            g_string_append_printf(problems, "\n  -chardev %s: no chardev-add form", opt);
            continue;
        }
        be = json_object_get_object_member(args, "backend");
        type = json_object_get_string_member_with_default(be, "type", NULL);
        data = json_object_get_object_member(be, "data");
        if (!type || !g_strv_contains(tried, type))
            continue;
        addr = json_object_has_member(data, "addr") ? json_object_get_object_member(data, "addr")
                                                   : NULL;
        if (g_str_equal(type, "socket") &&
            (!json_object_get_boolean_member_with_default(data, "server", FALSE) ||
             g_strcmp0(json_object_get_string_member(addr, "type"), "unix") != 0))
            continue;
        id = g_strdup_printf("hp%u", n++);
        json_object_set_string_member(args, "id", id);
        if (g_str_equal(type, "file")) {
            g_autofree char *path = g_strdup_printf("%s/%s.out", dir, id);

            json_object_set_string_member(data, "out", path);
        } else if (addr) {
            g_autofree char *path = g_strdup_printf("%s/%s.sock", dir, id);

            json_object_set_string_member(json_object_get_object_member(addr, "data"), "path",
                                          path);
        }
        if (!vgmQemuMonitorCommand(mon, "chardev-add", args, NULL, &err)) {
            g_string_append_printf(problems, "\n  chardev-add of -chardev %s: %s", opt, err->message);
            continue;
        }
        del = json_object_new();
        json_object_set_string_member(del, "id", id);
        if (!vgmQemuMonitorCommand(mon, "chardev-remove", del, NULL, &err))
            g_string_append_printf(problems, "\n  chardev-remove of %s: %s", id, err->message);
    }
    if (n)
        g_test_message("%u character devices added and removed over QMP", n);
}

static gboolean
vgmAcceptStart(const char *dir, const VgmDomainDef *def, const VgmQemuConfig *cfg,
               const VgmQemuCmd *cmd, const VgmQemuPlan *plan, GError **error)
{
    g_autofree char *runDir = vgmQemuConfigDomainRunDir(cfg, def->name);
    g_autofree char *sock = g_build_filename(runDir, "monitor.sock", NULL);
    g_autofree char *logPath = g_strdup_printf("%s/%s.log", cfg->logDir, def->name);
    g_auto(GStrv) argv = vgmQemuCmdGetArgv(cmd);
    g_auto(GStrv) envp = vgmQemuCmdGetEnvp(cmd);
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) problems = g_string_new(NULL);
    gboolean ok = FALSE;
    gint64 start = g_get_monotonic_time();

    g_mkdir_with_parents(runDir, 0755);
    g_mkdir_with_parents(cfg->logDir, 0755);
    /* the secret files the driver would write: an image's passphrase is
     * the one the test made its LUKS images with */
    for (guint i = 0; i < cmd->secrets->len; i++) {
        const VgmQemuCmdSecret *secret = g_ptr_array_index(cmd->secrets, i);
        const char *value = secret->value ? secret->value :
                            g_strcmp0(secret->usageType, "volume") == 0 ?
                            VGM_ACCEPT_LUKS_PASSPHRASE : NULL;

        if (!value) {
            vgmErrorSet(error, VGM_ERR_INTERNAL, "no value for the %s secret of %s",
                        secret->usageType ? secret->usageType : "?", secret->owner);
            return FALSE;
        }
        if (!g_file_set_contents(secret->path, value, -1, error))
            return FALSE;
    }

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
    g_subprocess_launcher_set_environ(launcher, envp);
    g_subprocess_launcher_set_cwd(launcher, dir);
    g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
    g_subprocess_launcher_set_stdout_file_path(launcher, logPath);
    g_subprocess_launcher_set_child_setup(launcher, vgmAcceptChildSetup, NULL, NULL);
    /* <vsock>: the vhost fd the driver would hand QEMU, with the address
     * the command line names */
    if (def->devices.vsock) {
        guint64 cid = def->devices.vsock->cid ? def->devices.vsock->cid : VGM_VSOCK_CID_MIN;
        int fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);

        if (fd < 0 || ioctl(fd, VHOST_VSOCK_SET_GUEST_CID, &cid) < 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "cannot set vsock address %" G_GUINT64_FORMAT
                        " on /dev/vhost-vsock: %s", cid, g_strerror(errno));
            if (fd >= 0)
                close(fd);
            return FALSE;
        }
        g_subprocess_launcher_take_fd(launcher, fd, VGM_QEMU_VSOCK_FD);
    }
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "cannot start %s: %s", argv[0], err->message);
        return FALSE;
    }

    if (vgmAcceptWaitSocket(proc, sock, &err) &&
        (mon = vgmAcceptConnect(proc, sock, &err))) {
        g_autoptr(JsonNode) status = NULL;

        /* paused, as -S says */
        if (!vgmQemuMonitorCommand(mon, "query-status", NULL, &status, &err)) {
            g_string_append_printf(problems, "\n  query-status: %s", err->message);
            g_clear_error(&err);
        } else if (JSON_NODE_HOLDS_OBJECT(status) &&
                   g_strcmp0(json_object_get_string_member_with_default(
                                 json_node_get_object(status), "status", NULL), "prelaunch") != 0) {
            g_string_append_printf(problems, "\n  status %s, expected prelaunch",
                                   json_object_get_string_member_with_default(
                                       json_node_get_object(status), "status", "?"));
        }
        vgmAcceptCheckMemdevs(mon, plan, def, problems);
        vgmAcceptCheckMemoryDevices(mon, plan, problems);
        vgmAcceptCheckDevices(mon, cmd, def, problems);
        vgmAcceptCheckIOThreads(mon, cmd, problems);
        vgmAcceptCheckGraphics(mon, def, problems);
        vgmAcceptCheckStartup(mon, cmd, problems);
        vgmAcceptCheckChardevs(mon, cmd, dir, problems);
        vgmAcceptCheckVcpus(mon, def, problems);
        vgmAcceptCheckVhostUserNets(dir, def, problems);

        if (!vgmQemuMonitorCommand(mon, "quit", NULL, NULL, &err)) {
            /* QEMU may close the socket before the reply arrives */
            g_clear_error(&err);
        }
        g_clear_pointer(&mon, vgmQemuMonitorFree);
        if (!vgmAcceptWaitExit(proc, VGM_ACCEPT_EXIT_TIMEOUT_MS)) {
            g_string_append_printf(problems, "\n  QEMU did not exit within %d ms of quit",
                                   VGM_ACCEPT_EXIT_TIMEOUT_MS);
        } else {
            g_subprocess_wait(proc, NULL, NULL);
            if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0)
                g_string_append(problems, "\n  QEMU did not exit cleanly after quit");
        }
        if (problems->len)
            vgmErrorSet(&err, VGM_ERR_OPERATION_FAILED,
                        "QEMU disagrees with the plan:%s", problems->str);
        else
            ok = TRUE;
    }

    /* always reaped; killed unless it already quit */
    if (g_subprocess_get_identifier(proc))
        g_subprocess_force_exit(proc);
    g_subprocess_wait(proc, NULL, NULL);

    if (!ok) {
        g_autofree char *tail = vgmAcceptLogTail(logPath);
        g_autofree char *line = vgmQemuCmdFormatArgsFile(cmd);

        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    "%s\ncommand line:\n%s\nQEMU log tail (%s):\n%s",
                    err ? err->message : "unknown failure", line, logPath, tail);
        return FALSE;
    }
    g_test_message("QEMU came up and quit in %.2f s; %u backends, %u memory devices checked",
                   (g_get_monotonic_time() - start) / 1e6,
                   plan->backends->len, plan->memDevices->len);
    return TRUE;
}

/* ---------------- the test ---------------- */

/*
 * The part of a -machine value that this host's KVM may lack: the
 * machine type and the options that ask KVM for something (SMM, the
 * in-kernel irqchip); the rest names objects of the command line.
 */
static char *
vgmAcceptKvmMachine(const char *machine)
{
    static const char *const kept[] = { "smm=", "kernel_irqchip=", "kernel-irqchip=", NULL };
    g_auto(GStrv) opts = g_strsplit(machine, ",", -1);
    g_autoptr(GString) out = g_string_new(opts[0]);
    guint i, j;

    for (i = 1; opts[i]; i++) {
        for (j = 0; kept[j]; j++) {
            if (g_str_has_prefix(opts[i], kept[j]))
                g_string_append_printf(out, ",%s", opts[i]);
        }
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/*
 * Whether a case runs under TCG: always without a usable /dev/kvm, and
 * also where this host's KVM cannot run the vCPU on the machine the case
 * asks for (the -cpu value and the KVM part of the -machine value its
 * command line carries under KVM, tried once per pair).
 */
static gboolean
vgmAcceptUseTCG(const char *name, const VgmDomainDef *def, const VgmQemuCaps *caps,
                const VgmQemuConfig *cfg)
{
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autoptr(VgmQemuPlan) plan = NULL;
    g_autofree char *machine = NULL;
    const char *cpu = NULL;
    const char *reason;
    guint i;

    if (!vgmHaveKVM)
        return TRUE;
    if (def->virtType != VGM_DOMAIN_VIRT_KVM)
        return FALSE;
    /* a case that cannot be rendered fails later, with its own message */
    if (!(cmd = vgmQemuBuildCommandLine(def, caps, cfg, &plan, NULL)))
        return FALSE;
    for (i = 0; i + 1 < cmd->args->len; i++) {
        const char *opt = g_ptr_array_index(cmd->args, i);

        if (g_str_equal(opt, "-cpu"))
            cpu = g_ptr_array_index(cmd->args, i + 1);
        else if (g_str_equal(opt, "-machine")) {
            g_free(machine);
            machine = vgmAcceptKvmMachine(g_ptr_array_index(cmd->args, i + 1));
        }
    }
    if (!(reason = vgmTestKvmFailure(cmd->binary, machine, cpu ? cpu : "qemu64")))
        return FALSE;
    g_test_message("%s: this host's KVM cannot run -machine %s -cpu %s (%s): the case runs "
                   "under TCG", name, machine ? machine : "(default)", cpu ? cpu : "qemu64",
                   reason);
    return TRUE;
}

/* Whether @cmd has the option @opt with the value @value. */
static gboolean
vgmAcceptCmdHasArg(const VgmQemuCmd *cmd, const char *opt, const char *value, guint *at)
{
    guint i;

    for (i = 0; i + 1 < cmd->args->len; i++) {
        if (g_str_equal(g_ptr_array_index(cmd->args, i), opt) &&
            g_str_equal(g_ptr_array_index(cmd->args, i + 1), value)) {
            if (at)
                *at = i + 1;
            return TRUE;
        }
    }
    return FALSE;
}

/*
 * TCG stands in for KVM on this host, and its translation cache (1 GiB by
 * default) is locked in full, page by page, when the domain locks its
 * memory (-overcommit mem-lock=on): seconds per start, for a buffer KVM
 * does not have. Such a start gets a 64 MiB cache instead.
 */
static void
vgmAcceptLimitTcgCache(VgmQemuCmd *cmd)
{
    guint at;

    if (!vgmAcceptCmdHasArg(cmd, "-overcommit", "mem-lock=on", NULL) ||
        !vgmAcceptCmdHasArg(cmd, "-accel", "tcg", &at))
        return;
    g_test_message("under TCG with locked memory: -accel tcg,tb-size=64 "
                   "(a 64 MiB translation cache to lock, not 1 GiB)");
    g_free(cmd->args->pdata[at]);
    cmd->args->pdata[at] = g_strdup("tcg,tb-size=64");
}

static void
vgmAcceptCaseFree(gpointer data)
{
    VgmAcceptCase *c = data;

    g_free(c->name);
    g_free(c);
}

static void
testAcceptance(gconstpointer data)
{
    const VgmAcceptCase *c = data;
    const char *name = c->name;
    const VgmAcceptSet *set = c->set;
    g_autofree char *rel = g_strdup_printf("qemuxml2argvdata/%s.xml", name);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autoptr(VgmAcceptEnv) env = g_new0(VgmAcceptEnv, 1);
    g_autoptr(VgmQemuConfig) cfg = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autoptr(VgmQemuPlan) plan = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *skip = NULL;
    g_autofree char *runDir = NULL;
    g_autofree char *memDir = NULL;
    g_autofree char *logDir = NULL;
    gboolean failed = FALSE;

    if (set->missing) {
        g_test_skip(set->missing);
        return;
    }

    env->dir = g_build_filename(vgmTmpRoot, name, NULL);
    env->resDir = g_build_filename(env->dir, "res", NULL);
    env->listeners = g_ptr_array_new_with_free_func(g_object_unref);
    env->servers = g_ptr_array_new_with_free_func(g_object_unref);
    env->hostDirs = g_ptr_array_new_with_free_func(g_free);
    env->hostFiles = g_ptr_array_new_with_free_func(g_free);
    g_mkdir_with_parents(env->resDir, 0755);

    runDir = g_build_filename(env->dir, "run", NULL);
    memDir = g_build_filename(env->dir, "ram", NULL);
    logDir = g_build_filename(env->dir, "log", NULL);
    cfg = vgmQemuConfigNew(runDir, memDir, logDir);
    vgmQemuConfigLoadHugetlbfs(cfg, NULL);

    vgmTestResetRandom();
    if (!(def = vgmDomainDefParseFile(in, 0, &err))) {
        g_test_message("%s: %s", name, err->message);
        g_test_fail();
        return;
    }
    if (set->binary) {
        g_test_message("emulator %s replaced by %s",
                       def->devices.emulator ? def->devices.emulator : "(default)",
                       set->binary);
        vgmAcceptReplace(&def->devices.emulator, g_strdup(set->binary));
    }
    env->tcg = vgmAcceptUseTCG(name, def, set->caps, cfg);
    cfg->forceTCG = env->tcg;

    skip = vgmAcceptPrepare(env, def, &failed, &err);
    if (failed) {
        g_test_message("%s: cannot make the host resources: %s", name, err->message);
        g_test_fail();
        return;
    }
    if (skip) {
        g_test_skip(skip);
        return;
    }
    if (env->tlsClientDir) {
        g_test_message("nbd's TLS directory %s replaced by %s", cfg->nbdTLSDir, env->tlsClientDir);
        g_free(cfg->nbdTLSDir);
        cfg->nbdTLSDir = g_strdup(env->tlsClientDir);
    }

    if (!(cmd = vgmQemuBuildCommandLine(def, set->caps, cfg, &plan, &err))) {
        /* only the host's missing hugetlbfs is a reason to skip; any other
         * refusal of a case with a golden command line is a failure */
        if (vgmAcceptUsesHugepages(def) && err->code == VGM_ERR_CONFIG_UNSUPPORTED &&
            strstr(err->message, "no hugetlbfs is mounted")) {
            g_autofree char *msg = g_strdup_printf("hugepages on this host: %s", err->message);
            g_test_skip(msg);
            return;
        }
        /* ... a KVM host without vhost-net (<driver name='vhost'>) ... */
        if (err->code == VGM_ERR_CONFIG_UNSUPPORTED && strstr(err->message, "needs /dev/vhost-net")) {
            g_autofree char *msg = g_strdup_printf("vhost-net on this host: %s", err->message);
            g_test_skip(msg);
            return;
        }
        /* ... and a host without firmware descriptors (no ovmf) */
        if (def->os.firmware == VGM_OS_FIRMWARE_EFI && !def->os.loader &&
            strstr(err->message, "there is none in")) {
            g_autofree char *msg = g_strdup_printf("UEFI on this host: %s", err->message);
            g_test_skip(msg);
            return;
        }
        g_test_message("%s: no command line with the host's configuration: %s",
                       name, err->message);
        g_test_fail();
        return;
    }

    if ((skip = vgmAcceptPrepareMemory(env, cfg, plan))) {
        g_test_skip(skip);
        return;
    }
    /* the firmware the plan chose, and its varstore made as a start makes
     * it */
    if (plan->firmware->loader && !g_file_test(plan->firmware->loader, G_FILE_TEST_EXISTS)) {
        g_autofree char *msg = g_strdup_printf("firmware %s is not installed", plan->firmware->loader);
        g_test_skip(msg);
        return;
    }
    if (plan->firmware->nvram && !g_file_test(plan->firmware->nvram, G_FILE_TEST_EXISTS) &&
        (!plan->firmware->nvramTemplate ||
         !g_file_test(plan->firmware->nvramTemplate, G_FILE_TEST_EXISTS))) {
        g_autofree char *msg = g_strdup_printf("NVRAM template %s is not installed",
                                               plan->firmware->nvramTemplate ?
                                               plan->firmware->nvramTemplate : "(none given)");
        g_test_skip(msg);
        return;
    }
    if (!vgmQemuFirmwarePrepareNvram(plan->firmware, FALSE, &err)) {
        g_test_message("%s: %s", name, err->message);
        g_test_fail();
        return;
    }
    if (env->tcg)
        vgmAcceptLimitTcgCache(cmd);

    if (!vgmAcceptStart(env->dir, def, cfg, cmd, plan, &err)) {
        g_test_message("%s: %s", name, err->message);
        g_test_fail();
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = NULL;
    g_autoptr(GError) err = NULL;
    int ret;
    guint i, k;

    g_test_init(&argc, &argv, NULL);
    g_setenv("LC_ALL", "C", TRUE);

    for (k = 0; k < G_N_ELEMENTS(vgmSets); k++) {
        g_autofree char *capsRel = g_strdup_printf("qemucapabilitiesdata/%s.json", vgmSets[k].name);
        g_autofree char *capsPath = vgmTestDataPath(capsRel);

        if (!(vgmSets[k].caps = vgmQemuCapsLoadFile(capsPath, &err)))
            g_error("%s: %s", capsPath, err->message);
        if (vgmSets[k].find)
            vgmSets[k].binary = vgmSets[k].find(&vgmSets[k].missing);
    }

    vgmHaveKVM = access("/dev/kvm", R_OK | W_OK) == 0;
    if (!(vgmTmpRoot = g_dir_make_tmp("vgm-acceptance-XXXXXX", &err)))
        g_error("cannot make a temporary directory: %s", err->message);
    g_test_message("accelerator: %s; temporary directory %s",
                   vgmHaveKVM ? "KVM" : "TCG (no usable /dev/kvm)", vgmTmpRoot);
    for (k = 0; k < G_N_ELEMENTS(vgmSets); k++) {
        if (vgmSets[k].find)
            g_test_message("%s: %s", vgmSets[k].name,
                           vgmSets[k].binary ? vgmSets[k].binary : vgmSets[k].missing);
    }

    inputs = vgmTestListFiles("qemuxml2argvdata", ".xml");
    for (k = 0; k < G_N_ELEMENTS(vgmSets); k++) {
        for (i = 0; i < inputs->len; i++) {
            const char *f = inputs->pdata[i];
            g_autofree char *stem = g_strndup(f, strlen(f) - strlen(".xml"));
            g_autofree char *golden = g_strdup_printf("qemuxml2argvdata/%s.%s.args",
                                                      stem, vgmSets[k].name);
            g_autofree char *goldenPath = vgmTestDataPath(golden);
            g_autofree char *path = NULL;
            VgmAcceptCase *c;

            if (!g_file_test(goldenPath, G_FILE_TEST_EXISTS))
                continue;
            path = g_strdup_printf("/acceptance/%s/%s", vgmSets[k].name, stem);
            c = g_new0(VgmAcceptCase, 1);
            c->name = g_steal_pointer(&stem);
            c->set = &vgmSets[k];
            g_test_add_data_func_full(path, c, testAcceptance, vgmAcceptCaseFree);
        }
    }

    ret = g_test_run();
    vgmTestRemoveTree(vgmTmpRoot);
    g_free(vgmTmpRoot);
    for (k = 0; k < G_N_ELEMENTS(vgmSets); k++)
        vgmQemuCapsFree(vgmSets[k].caps);
    return ret;
}
