/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpctest.c: virtgmemd on the wire (src/rpc, src/remote), with bytes made
 * by hand and by the generated XDR code, against the built daemon.
 *
 * Covers: frame header decoding and its limits, the error payload's
 * exact bytes (libvirt's wording of each code around the detail); the daemon's sockets appearing only once they listen (a
 * client that sees the file connects at once; a leftover socket and a
 * leftover half-made one are replaced); then, on a daemon started on a temporary root: the
 * handshake (AUTH_LIST, SUPPORTS_FEATURE with libvirt's feature numbers,
 * CONNECT_OPEN), a call before
 * CONNECT_OPEN, an unknown procedure (the exact "unknown procedure: N"
 * error; the connection stays usable), an unknown program, an unknown
 * version, an unknown message type (connection dropped), a length over
 * the limit and under the header size (dropped), a truncated payload
 * from a client that then vanishes, a trailing payload (after void and
 * after real arguments), a string over its limit, a count over its limit,
 * and inside well-formed frames (far under the 16 MiB message limit) a
 * string one byte over the 4 MiB string limit (DOMAIN_LOOKUP_BY_NAME) and
 * an array one element over its limit (16385 domains for
 * CONNECT_GET_ALL_DOMAIN_STATS; 16384 decode), each an error reply on a
 * connection that goes on; a name within the limit whose "no domain"
 * error would be longer than it, from the read-only socket (a daemon of
 * its own; the message is cut to the limit, error 42, and the daemon
 * goes on: it used to abort); a write call on the
 * read-only socket and on a read-only connection (29, nothing stored), a
 * keepalive PING (PONG back), a client that vanishes in the middle of a
 * define, and a client that never reads its replies (dropped once its
 * queue is full). After every case a second client, connected from the
 * start, still answers, and the store holds exactly the domains the good
 * calls defined. Then slow calls (capability probes, each of an emulator
 * of its own, that take 3 s to fail): five in flight from one client hold up no other
 * client's call (< 1 s); twenty sent by one client, as many as there
 * are workers, run five at a time (the per-client limit) and do not
 * either (before the limit was 5, they took all 20 workers). A stop with
 * a probe in flight that never ends: the daemon gives the call its bound
 * (30 s), then gives the probe up (its QEMU killed) and exits 0.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "rpc/vgm_rpc_server.h"
#include "util/vgmfile.h"
#include "rpc/vgm_rpc_protocol.h"
#include "remote/remote_protocol.h"

#define KEEPALIVE_PROGRAM 0x6b656570

static char *tmpRoot;
static char *sockPath;
static char *roSockPath;
static GSubprocess *daemonProc;
static int witness = -1;       /* a client connected all along */
static guint32 nextSerial = 1;

/* A whole frame read back. */
typedef struct {
    VgmRpcHeader hdr;
    guint8 *payload;
    gsize len;
} TestFrame;

static void
testFrameFree(TestFrame *f)
{
    if (!f)
        return;
    g_free(f->payload);
    g_free(f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestFrame, testFrameFree)

/* ---- sockets ---- */

static int
testConnect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

static gboolean
testSendBytes(int fd, const void *buf, gsize len)
{
    const guint8 *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= n;
    }
    return TRUE;
}

/* Reads @len bytes within @timeoutMs; FALSE at end of file. */
static gboolean
testRecvBytes(int fd, guint8 *buf, gsize len, int timeoutMs)
{
    while (len > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if (poll(&pfd, 1, timeoutMs) <= 0)
            g_error("no answer from virtgmemd within %d ms", timeoutMs);
        n = recv(fd, buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        buf += n;
        len -= n;
    }
    return TRUE;
}

/* The next frame, or NULL when the daemon closed the connection. */
static TestFrame *
testRecvFrame(int fd)
{
    g_autoptr(TestFrame) f = g_new0(TestFrame, 1);
    guint8 head[VGM_RPC_HEADER_SIZE];
    g_autoptr(GError) err = NULL;
    guint32 frameLen;

    if (!testRecvBytes(fd, head, 4, 10000))
        return NULL;
    g_assert_true(testRecvBytes(fd, head + 4, sizeof(head) - 4, 10000));
    frameLen = ((guint32)head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3];
    g_assert_cmpuint(frameLen, >=, VGM_RPC_HEADER_SIZE);
    f->len = frameLen - VGM_RPC_HEADER_SIZE;
    {
        /* decode the header with the server's own function */
        g_autofree guint8 *whole = g_malloc(frameLen);

        memcpy(whole, head, sizeof(head));
        f->payload = g_malloc(f->len + 1);
        g_assert_true(testRecvBytes(fd, f->payload, f->len, 10000));
        memcpy(whole + sizeof(head), f->payload, f->len);
        g_assert_true(vgmRpcHeaderDecode(whole, frameLen, &frameLen, &f->hdr, &err));
    }
    return g_steal_pointer(&f);
}

/* Whether the daemon closed @fd (end of file within a few seconds). */
static gboolean
testClosed(int fd)
{
    guint8 b;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    if (poll(&pfd, 1, 5000) <= 0)
        return FALSE;
    return recv(fd, &b, 1, 0) <= 0;
}

/* ---- calls ---- */

static void
testSendCall(int fd, guint32 prog, guint32 vers, gint32 proc, guint32 type,
             VgmXdrFunc fn, void *args, guint32 *serial)
{
    VgmRpcHeader hdr = { prog, vers, proc, type, nextSerial++, VGM_RPC_STATUS_OK };
    g_autoptr(GByteArray) frame = NULL;
    g_autoptr(GError) err = NULL;

    if (!(frame = vgmRpcFrameEncode(&hdr, fn, args, &err)))
        g_error("cannot encode: %s", err->message);
    g_assert_true(testSendBytes(fd, frame->data, frame->len));
    if (serial)
        *serial = hdr.serial;
}

/* The reply to the call with @serial (events before it are skipped). */
static TestFrame *
testReplyTo(int fd, guint32 serial)
{
    for (;;) {
        TestFrame *f = testRecvFrame(fd);

        g_assert_nonnull(f);
        if (f->hdr.type == VGM_RPC_TYPE_REPLY && f->hdr.serial == serial)
            return f;
        testFrameFree(f);
    }
}

/* A call of the REMOTE program; returns its reply frame. */
static TestFrame *
testCall(int fd, gint32 proc, VgmXdrFunc fn, void *args)
{
    guint32 serial;

    testSendCall(fd, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION, proc,
                 VGM_RPC_TYPE_CALL, fn, args, &serial);
    return testReplyTo(fd, serial);
}

/* Asserts @f is an error reply with @code and a message starting with
 * @prefix. */
static void
testAssertError(const TestFrame *f, int code, const char *prefix)
{
    VgmRpcError e = { 0 };
    g_autoptr(GError) err = NULL;

    g_assert_cmpuint(f->hdr.status, ==, VGM_RPC_STATUS_ERROR);
    g_assert_true(vgmXdrDecode(vgmRpcXdrError, &e, f->payload, f->len, &err));
    /* at most 200 bytes: a 4 MiB message would not stay one TAP line */
    g_test_message("error %d: %.200s", e.code, e.message ? *e.message : "(none)");
    g_assert_cmpint(e.code, ==, code);
    g_assert_nonnull(e.message);
    g_assert_true(g_str_has_prefix(*e.message, prefix));
    vgmXdrFree(vgmRpcXdrError, &e);
}

static void
testAssertOk(const TestFrame *f)
{
    if (f->hdr.status != VGM_RPC_STATUS_OK) {
        VgmRpcError e = { 0 };

        if (vgmXdrDecode(vgmRpcXdrError, &e, f->payload, f->len, NULL))
            g_test_message("unexpected error %d: %s", e.code, e.message ? *e.message : "");
        vgmXdrFree(vgmRpcXdrError, &e);
    }
    g_assert_cmpuint(f->hdr.status, ==, VGM_RPC_STATUS_OK);
}

static int
testOpenClient(const char *path, guint32 flags)
{
    int fd = testConnect(path);
    char *name = (char *)"qemu:///system";
    VgmRemoteConnectOpenArgs open = { .name = &name, .flags = flags };
    g_autoptr(TestFrame) f = testCall(fd, VGM_REMOTE_PROC_CONNECT_OPEN,
                                      vgmRemoteXdrConnectOpenArgs, &open);

    testAssertOk(f);
    return fd;
}

/* The witness still answers, with the API level we follow. */
static void
testWitness(void)
{
    g_autoptr(TestFrame) f = testCall(witness, VGM_REMOTE_PROC_CONNECT_GET_LIB_VERSION,
                                      NULL, NULL);
    VgmRemoteConnectGetLibVersionRet ret = { 0 };

    testAssertOk(f);
    g_assert_true(vgmXdrDecode(vgmRemoteXdrConnectGetLibVersionRet, &ret, f->payload,
                               f->len, NULL));
    g_assert_cmpuint(ret.lib_ver, ==, 9000000);
}

static gint
testCompareNames(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The names of the domains stored under the test root (valid until the
 * next call). */
static const char *
testStoredDomains(void)
{
    static char *last;

    g_autofree char *dir = g_build_filename(tmpRoot, "root", "etc", "qemu", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *e;

    while (d && (e = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(e));
    g_ptr_array_sort(names, testCompareNames);
    g_ptr_array_add(names, NULL);
    g_free(last);
    last = g_strjoinv(",", (char **)names->pdata);
    return last;
}

#define TEST_XML(name) \
    "<domain type='qemu'><name>" name "</name><memory unit='MiB'>64</memory>" \
    "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>"

/* ---- without a daemon ---- */

static void
testHeaderLimits(void)
{
    guint8 buf[VGM_RPC_HEADER_SIZE + 8] = { 0 };
    g_autoptr(GError) err = NULL;
    VgmRpcHeader hdr;
    guint32 len;

    buf[3] = VGM_RPC_HEADER_SIZE + 8;
    buf[7] = 7;
    g_assert_true(vgmRpcHeaderDecode(buf, sizeof(buf), &len, &hdr, &err));
    g_assert_cmpuint(len, ==, VGM_RPC_HEADER_SIZE + 8);
    g_assert_cmpuint(hdr.prog, ==, 7);

    buf[3] = VGM_RPC_HEADER_SIZE - 1;
    g_assert_false(vgmRpcHeaderDecode(buf, sizeof(buf), &len, &hdr, &err));
    g_assert_nonnull(strstr(err->message, "outside"));
    g_clear_error(&err);

    buf[0] = 0x01;  /* 16 MiB + 28 + ... */
    buf[1] = 0x00;
    buf[3] = 0x40;
    g_assert_false(vgmRpcHeaderDecode(buf, sizeof(buf), &len, &hdr, &err));
    g_clear_error(&err);

    buf[0] = 0;
    buf[3] = VGM_RPC_HEADER_SIZE + 9;   /* one more than given */
    g_assert_false(vgmRpcHeaderDecode(buf, sizeof(buf), &len, &hdr, &err));
    g_clear_error(&err);
    g_assert_false(vgmRpcHeaderDecode(buf, 10, &len, &hdr, &err));
}

/* A string's XDR bytes at @p: its length, then @want, padded */
static const guint8 *
testXdrStringIs(const guint8 *p, const char *want)
{
    gsize n = strlen(want);

    g_assert_cmpuint(p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3], ==, n);
    g_assert_cmpmem(p + 4, n, want, n);
    return p + 4 + ((n + 3) & ~(gsize)3);
}

static void
testErrorBytes(void)
{
    static const struct {
        int code;
        const char *detail;
        const char *format;      /* str1, libvirt's for the code */
        const char *message;     /* what libvirt's clients print */
    } cases[] = {
        /* as libvirtd 9.0 sends them (virsh domstate --domain nosuch;
         * a write call on a read-only connection) */
        { 42, "no domain with matching uuid 'x'", "Domain not found: %s",
          "Domain not found: no domain with matching uuid 'x'" },
        { 29, "read only access prevents virDomainDefineXML", "operation forbidden: %s",
          "operation forbidden: read only access prevents virDomainDefineXML" },
        /* an RPC error is its detail alone: the client library knows
         * "unknown procedure" by its start */
        { 39, "unknown procedure: 999", "%s", "unknown procedure: 999" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        VgmRpcErrorInfo info = { cases[i].code, 10, cases[i].detail };
        g_autoptr(GByteArray) b = vgmRpcErrorEncode(&info);
        const guint8 head[] = {
            0, 0, 0, cases[i].code,     /* code */
            0, 0, 0, 10,                /* domain */
            0, 0, 0, 1,                 /* message present */
        };
        const guint8 *p;

        g_assert_cmpmem(b->data, sizeof(head), head, sizeof(head));
        p = testXdrStringIs(b->data + sizeof(head), cases[i].message);
        /* level 2, no domain, str1 the format, str2 the detail, no str3,
         * -1, -1, no network */
        g_assert_cmpuint(p[3], ==, 2);
        g_assert_cmpuint(p[7], ==, 0);
        g_assert_cmpuint(p[11], ==, 1);
        p = testXdrStringIs(p + 12, cases[i].format);
        g_assert_cmpuint(p[3], ==, 1);
        p = testXdrStringIs(p + 4, cases[i].detail);
        g_assert_cmpuint(p[3], ==, 0);              /* no str3 */
        g_assert_cmpuint(p[7], ==, 0xff);           /* int1 -1 */
        g_assert_cmpuint(p[11], ==, 0xff);          /* int2 -1 */
        g_assert_cmpuint(p[15], ==, 0);             /* no network */
        g_assert_cmpuint(p + 16 - b->data, ==, b->len);
    }
}

/* ---- the daemon ---- */

/* The daemon goes with the test, also when an assertion aborts it. */
static void
testDaemonChildSetup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/*
 * virtgmemd on a new root under @dir, listening on @dir/sock (and -ro);
 * with @log, its output goes there (a daemon a test expects to crash
 * must not write into the TAP stream). Returns once both sockets exist.
 */
static GSubprocess *
testSpawnDaemon(const char *dir, const char *log, char **sock)
{
    g_autofree char *bin = g_build_filename(g_getenv("VGM_BUILDDIR"), "tools", "virtgmemd", NULL);
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *ro = NULL;
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GError) err = NULL;
    GSubprocess *proc;
    int i;

    *sock = g_build_filename(dir, "sock", NULL);
    ro = g_strdup_printf("%s-ro", *sock);
    /* a small outgoing queue, so that a client that never reads is found
     * quickly */
    g_subprocess_launcher_setenv(launcher, "VIRTGMEMD_TEST_MAX_QUEUED_BYTES", "1048576", TRUE);
    g_subprocess_launcher_set_child_setup(launcher, testDaemonChildSetup, NULL, NULL);
    if (log) {
        g_subprocess_launcher_set_flags(launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
        g_subprocess_launcher_set_stdout_file_path(launcher, log);
    }
    proc = g_subprocess_launcher_spawn(launcher, &err, bin, "--root", root,
                                       "--listen", *sock, log ? "--verbose" : NULL, NULL);
    g_assert_no_error(err);
    for (i = 0; i < 200 && !g_file_test(ro, G_FILE_TEST_EXISTS); i++)
        g_usleep(50 * 1000);
    g_assert_true(g_file_test(ro, G_FILE_TEST_EXISTS));
    return proc;
}

static void
testStopDaemon(GSubprocess *proc)
{
    if (g_subprocess_get_identifier(proc))
        g_subprocess_send_signal(proc, SIGTERM);
    g_subprocess_wait(proc, NULL, NULL);
    /* a stop asked is served, whenever it comes: the daemon ends by
     * itself, not by the signal */
    g_assert_true(g_subprocess_get_if_exited(proc));
}

static void
testStartDaemon(void)
{
    g_autoptr(GError) err = NULL;

    tmpRoot = g_dir_make_tmp("vgm-rpctest-XXXXXX", &err);
    g_assert_no_error(err);
    daemonProc = testSpawnDaemon(tmpRoot, NULL, &sockPath);
    roSockPath = g_strdup_printf("%s-ro", sockPath);
    witness = testOpenClient(sockPath, 0);
}

/* Both sockets of a daemon start where a crashed one left its socket
 * files (and the name it binds before a rename): each path appears only
 * once its socket listens, so the first connect after it shows up
 * succeeds; nothing is left under the temporary names. */
static void
testSocketAppearsListening(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vgm-rpcsock-XXXXXX", &err);
    g_autofree char *bin = g_build_filename(g_getenv("VGM_BUILDDIR"), "tools", "virtgmemd", NULL);
    g_autofree char *root = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *ro = NULL;
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GSubprocess) proc = NULL;
    const char *paths[2];
    size_t i;

    g_assert_no_error(err);
    root = g_build_filename(dir, "root", NULL);
    sock = g_build_filename(dir, "sock", NULL);
    ro = g_strdup_printf("%s-ro", sock);
    paths[0] = sock;
    paths[1] = ro;
    /* a dead daemon's sockets (bound, then closed) and a half-made one */
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        g_autofree char *tmp = g_strdup_printf("%s.new", paths[i]);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_strlcpy(addr.sun_path, paths[i], sizeof(addr.sun_path));
        g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
        close(fd);
        g_assert_true(g_file_set_contents(tmp, "", 0, NULL));
    }
    g_subprocess_launcher_set_child_setup(launcher, testDaemonChildSetup, NULL, NULL);
    proc = g_subprocess_launcher_spawn(launcher, &err, bin, "--root", root,
                                       "--listen", sock, NULL);
    g_assert_no_error(err);
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        g_autofree char *tmp = g_strdup_printf("%s.new", paths[i]);
        gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
        GStatBuf sb;
        int fd;

        /* as quickly as a client can look: the moment the path is the
         * daemon's socket (the leftover one is removed first), it takes a
         * connection */
        while (!(g_lstat(paths[i], &sb) == 0 && S_ISSOCK(sb.st_mode) &&
                 g_lstat(tmp, &sb) < 0) &&
               g_get_monotonic_time() < deadline)
            g_thread_yield();
        fd = testConnect(paths[i]);
        close(fd);
        g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
    }
    testStopDaemon(proc);
    for (i = 0; i < G_N_ELEMENTS(paths); i++)
        g_assert_false(g_file_test(paths[i], G_FILE_TEST_EXISTS));
    vgmFileRemoveTree(dir);
}

static void
testHandshake(void)
{
    int fd = testConnect(sockPath);
    g_autoptr(TestFrame) f = NULL;
    VgmRemoteAuthListRet auth = { 0 };
    VgmRemoteConnectSupportsFeatureArgs feat = { .feature = 10 };
    VgmRemoteConnectSupportsFeatureRet sup = { 0 };

    f = testCall(fd, VGM_REMOTE_PROC_AUTH_LIST, NULL, NULL);
    testAssertOk(f);
    g_assert_true(vgmXdrDecode(vgmRemoteXdrAuthListRet, &auth, f->payload, f->len, NULL));
    g_assert_cmpuint(auth.types.len, ==, 1);
    g_assert_cmpint(auth.types.val[0], ==, 0);
    vgmXdrFree(vgmRemoteXdrAuthListRet, &auth);
    g_clear_pointer(&f, testFrameFree);

    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                 vgmRemoteXdrConnectSupportsFeatureArgs, &feat);
    testAssertOk(f);
    g_assert_true(vgmXdrDecode(vgmRemoteXdrConnectSupportsFeatureRet, &sup, f->payload,
                               f->len, NULL));
    g_assert_cmpint(sup.supported, ==, 1);
    g_clear_pointer(&f, testFrameFree);

    /* libvirt's virDrvFeature numbers: typed string parameters are 9
     * (the client then asks for the blkio device lists), fd passing 8
     * (openGraphicsFD needs it); migration's v3 (6), parameters (13) and
     * peer-to-peer (4) are served, its change protection (7), offline
     * migration (12) and the older protocols (1, 3) are not */
    {
        static const struct {
            int feature;
            int supported;
        } features[] = { { 9, 1 }, { 11, 1 }, { 14, 1 }, { 15, 1 }, { 7, 0 }, { 8, 1 }, { 6, 1 },
                         { 13, 1 }, { 4, 1 }, { 12, 0 }, { 1, 0 }, { 3, 0 } };
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(features); i++) {
            feat.feature = features[i].feature;
            f = testCall(fd, VGM_REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                         vgmRemoteXdrConnectSupportsFeatureArgs, &feat);
            testAssertOk(f);
            g_assert_true(vgmXdrDecode(vgmRemoteXdrConnectSupportsFeatureRet, &sup, f->payload,
                                       f->len, NULL));
            g_assert_cmpint(sup.supported, ==, features[i].supported);
            g_clear_pointer(&f, testFrameFree);
        }
    }

    /* before CONNECT_OPEN */
    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    testAssertError(f, 1, "internal error: hypervisor connection not open");
    close(fd);
    testWitness();
}

static void
testUnknownProcedure(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(TestFrame) f = testCall(fd, 9999, NULL, NULL);

    testAssertError(f, 39, "unknown procedure: 9999");
    g_clear_pointer(&f, testFrameFree);
    /* a procedure libvirt has and we do not describe: the same */
    f = testCall(fd, 61, NULL, NULL);
    testAssertError(f, 39, "unknown procedure: 61");
    g_clear_pointer(&f, testFrameFree);
    /* a message number is no call either */
    f = testCall(fd, VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, NULL, NULL);
    testAssertError(f, 39, "unknown procedure: 318");
    g_clear_pointer(&f, testFrameFree);
    /* the connection is still good */
    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    testAssertOk(f);
    close(fd);
    testWitness();
}

static void
testUnknownProgram(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(TestFrame) f = NULL;
    guint32 serial;

    testSendCall(fd, 0x12345678, 1, 1, VGM_RPC_TYPE_CALL, NULL, NULL, &serial);
    f = testReplyTo(fd, serial);
    testAssertError(f, 39, "Cannot find program 305419896 version 1");
    g_clear_pointer(&f, testFrameFree);
    testSendCall(fd, VGM_REMOTE_PROGRAM, 2, 1, VGM_RPC_TYPE_CALL, NULL, NULL, &serial);
    f = testReplyTo(fd, serial);
    testAssertError(f, 39, "Cannot find program 536903814 version 2");
    g_clear_pointer(&f, testFrameFree);
    /* an unknown message type breaks the protocol: dropped */
    testSendCall(fd, VGM_REMOTE_PROGRAM, 1, 3, 7, NULL, NULL, NULL);
    g_assert_true(testClosed(fd));
    close(fd);
    testWitness();
}

static void
testBadLengths(void)
{
    static const guint32 lengths[] = { 0x7fffffff, VGM_RPC_MESSAGE_MAX + 1, 8, 0 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(lengths); i++) {
        int fd = testOpenClient(sockPath, 0);
        guint8 word[4] = { lengths[i] >> 24, lengths[i] >> 16, lengths[i] >> 8, lengths[i] };

        g_assert_true(testSendBytes(fd, word, 4));
        g_assert_true(testClosed(fd));
        close(fd);
        testWitness();
    }
}

static void
testTruncated(void)
{
    int fd = testOpenClient(sockPath, 0);
    guint8 frame[VGM_RPC_HEADER_SIZE + 10] = { 0 };
    VgmRpcHeader hdr = { VGM_REMOTE_PROGRAM, 1, VGM_REMOTE_PROC_DOMAIN_DEFINE_XML,
                         VGM_RPC_TYPE_CALL, 77, 0 };
    g_autoptr(GByteArray) head = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);

    /* says 100 bytes of payload, sends 10, goes away */
    memcpy(frame, head->data, VGM_RPC_HEADER_SIZE);
    frame[3] = VGM_RPC_HEADER_SIZE + 100;
    g_assert_true(testSendBytes(fd, frame, sizeof(frame)));
    close(fd);
    testWitness();
    g_assert_cmpstr(testStoredDomains(), ==, "");
}

static void
testTrailing(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(TestFrame) f = NULL;
    g_autoptr(GByteArray) frame = NULL;
    VgmRpcHeader hdr = { VGM_REMOTE_PROGRAM, 1, VGM_REMOTE_PROC_CONNECT_GET_TYPE,
                         VGM_RPC_TYPE_CALL, 500, 0 };
    VgmRemoteDomainLookupByNameArgs look = { .name = (char *)"x" };
    static const guint8 extra[4] = { 1, 2, 3, 4 };

    frame = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);
    g_byte_array_append(frame, extra, 4);
    frame->data[3] += 4;
    g_assert_true(testSendBytes(fd, frame->data, frame->len));
    f = testReplyTo(fd, 500);
    testAssertError(f, 39, "procedure 3 takes no arguments");
    g_clear_pointer(&f, testFrameFree);
    g_clear_pointer(&frame, g_byte_array_unref);

    hdr.proc = VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME;
    hdr.serial = 501;
    frame = vgmRpcFrameEncode(&hdr, vgmRemoteXdrDomainLookupByNameArgs, &look, NULL);
    g_byte_array_append(frame, extra, 4);
    frame->data[3] += 4;
    g_assert_true(testSendBytes(fd, frame->data, frame->len));
    f = testReplyTo(fd, 501);
    testAssertError(f, 39, "cannot decode the arguments of procedure 23");
    g_clear_pointer(&f, testFrameFree);

    /* the arguments alone are fine: a clean "no domain" */
    f = testCall(fd, VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                 vgmRemoteXdrDomainLookupByNameArgs, &look);
    testAssertError(f, 42, "Domain not found: no domain with matching name 'x'");
    close(fd);
    testWitness();
}

static void
testOverLimits(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(TestFrame) f = NULL;
    g_autoptr(GByteArray) frame = NULL;
    VgmRpcHeader hdr = { VGM_REMOTE_PROGRAM, 1, VGM_REMOTE_PROC_DOMAIN_DEFINE_XML,
                         VGM_RPC_TYPE_CALL, 600, 0 };
    static const guint8 huge[4] = { 0x7f, 0xff, 0xff, 0xff };
    VgmRemoteConnectListDomainsArgs list = { .maxids = 0x7fffffff };

    /* a string that claims 2 GiB */
    frame = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);
    g_byte_array_append(frame, huge, 4);
    frame->data[3] += 4;
    g_assert_true(testSendBytes(fd, frame->data, frame->len));
    f = testReplyTo(fd, 600);
    testAssertError(f, 39, "cannot decode the arguments of procedure 11");
    g_clear_pointer(&f, testFrameFree);

    /* a count over the protocol's limit */
    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_LIST_DOMAINS,
                 vgmRemoteXdrConnectListDomainsArgs, &list);
    testAssertError(f, 8, "invalid argument: the number of domains asked for (2147483647)");
    close(fd);
    testWitness();
    g_assert_cmpstr(testStoredDomains(), ==, "");
}

static void
testReadonly(void)
{
    VgmRemoteDomainDefineXmlArgs def = { .xml = (char *)TEST_XML("ro") };
    g_autoptr(TestFrame) f = NULL;
    int fd;

    /* the read-only socket */
    fd = testOpenClient(roSockPath, 0);
    f = testCall(fd, VGM_REMOTE_PROC_DOMAIN_DEFINE_XML, vgmRemoteXdrDomainDefineXmlArgs, &def);
    testAssertError(f, 29, "operation forbidden: read only access prevents virDomainDefineXML");
    g_clear_pointer(&f, testFrameFree);
    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    testAssertOk(f);
    g_clear_pointer(&f, testFrameFree);
    close(fd);

    /* a read-only connection on the read-write socket (virsh -r) */
    fd = testOpenClient(sockPath, 1);
    f = testCall(fd, VGM_REMOTE_PROC_DOMAIN_DEFINE_XML, vgmRemoteXdrDomainDefineXmlArgs, &def);
    testAssertError(f, 29, "operation forbidden: read only access prevents virDomainDefineXML");
    close(fd);
    testWitness();
    g_assert_cmpstr(testStoredDomains(), ==, "");

    /* the same call on a read-write connection stores it */
    g_clear_pointer(&f, testFrameFree);
    f = testCall(witness, VGM_REMOTE_PROC_DOMAIN_DEFINE_XML, vgmRemoteXdrDomainDefineXmlArgs, &def);
    testAssertOk(f);
    g_assert_cmpstr(testStoredDomains(), ==, "ro.xml");
}

static void
testKeepalive(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(TestFrame) f = NULL;

    testSendCall(fd, KEEPALIVE_PROGRAM, 1, 1, VGM_RPC_TYPE_MESSAGE, NULL, NULL, NULL);
    f = testRecvFrame(fd);
    g_assert_nonnull(f);
    g_assert_cmpuint(f->hdr.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(f->hdr.proc, ==, 2);
    g_assert_cmpuint(f->hdr.type, ==, VGM_RPC_TYPE_MESSAGE);
    g_assert_cmpuint(f->len, ==, 0);
    close(fd);
}

static void
testVanishMidCall(void)
{
    int fd = testOpenClient(sockPath, 0);
    VgmRemoteDomainDefineXmlArgs def = { .xml = (char *)TEST_XML("gone") };
    g_autofree char *stored = NULL;
    int i;

    testSendCall(fd, VGM_REMOTE_PROGRAM, 1, VGM_REMOTE_PROC_DOMAIN_DEFINE_XML,
                 VGM_RPC_TYPE_CALL, vgmRemoteXdrDomainDefineXmlArgs, &def, NULL);
    close(fd);
    testWitness();
    /* the define ran to its end or not at all: the config, if there, is
     * whole (the witness can read it back) */
    /* (a staging file of the define is not a config: only NAME.xml) */
    for (i = 0; i < 50; i++) {
        g_autofree char *path = g_build_filename(tmpRoot, "root", "etc", "qemu", "gone.xml", NULL);

        if (g_file_test(path, G_FILE_TEST_EXISTS)) {
            stored = g_strdup(path);
            break;
        }
        g_usleep(20 * 1000);
    }
    if (stored) {
        VgmRemoteDomainLookupByNameArgs look = { .name = (char *)"gone" };
        g_autoptr(TestFrame) f = testCall(witness, VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                          vgmRemoteXdrDomainLookupByNameArgs, &look);
        testAssertOk(f);
    }
}

static void
testNeverReads(void)
{
    int fd = testOpenClient(sockPath, 0);
    VgmRemoteConnectListAllDomainsArgs args = { .need_results = 1 };
    gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    gboolean dropped = FALSE;
    guint sent = 0;
    int small = 4096;

    /* a tiny receive buffer on our side: the daemon's queue fills */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    while (g_get_monotonic_time() < end) {
        VgmRpcHeader hdr = { VGM_REMOTE_PROGRAM, 1, VGM_REMOTE_PROC_CONNECT_GET_CAPABILITIES,
                             VGM_RPC_TYPE_CALL, nextSerial++, 0 };
        g_autoptr(GByteArray) frame = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);

        (void)args;
        if (!testSendBytes(fd, frame->data, frame->len)) {
            dropped = TRUE;
            break;
        }
        sent++;
    }
    g_test_message("%u calls sent before the daemon dropped the client", sent);
    g_assert_true(dropped);
    close(fd);
    testWitness();
}

/* ---- limits inside well-formed frames ---- */

/* A call of the REMOTE program whose payload is @payload as it is (bytes
 * the generated encoder would refuse to make); returns its serial. */
static guint32
testSendRawCall(int fd, gint32 proc, const GByteArray *payload)
{
    VgmRpcHeader hdr = { VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION, proc,
                         VGM_RPC_TYPE_CALL, nextSerial++, VGM_RPC_STATUS_OK };
    g_autoptr(GByteArray) frame = vgmRpcFrameEncode(&hdr, NULL, NULL, NULL);
    guint32 n;

    g_byte_array_append(frame, payload->data, payload->len);
    n = frame->len;
    g_assert_cmpuint(n, <=, VGM_RPC_MESSAGE_MAX);
    frame->data[0] = n >> 24;
    frame->data[1] = n >> 16;
    frame->data[2] = n >> 8;
    frame->data[3] = n;
    g_assert_true(testSendBytes(fd, frame->data, frame->len));
    return hdr.serial;
}

static void
testPut32(GByteArray *b, guint32 v)
{
    guint8 w[4] = { v >> 24, v >> 16, v >> 8, v };

    g_byte_array_append(b, w, 4);
}

/* An XDR string of @len bytes 'a' (no NUL, so only its length is wrong
 * when it is wrong). */
static GByteArray *
testLongString(gsize len)
{
    GByteArray *b = g_byte_array_sized_new(len + 8);
    static const guint8 zero[3];

    testPut32(b, len);
    g_byte_array_set_size(b, 4 + len);
    memset(b->data + 4, 'a', len);
    g_byte_array_append(b, zero, (4 - len % 4) % 4);
    return b;
}

/* DOMAIN_LOOKUP_BY_NAME with a name one byte over the 4 MiB string limit:
 * the frame (4 MiB + 40 bytes) is well under the 16 MiB message limit, so
 * only the string's own limit can refuse it. */
static void
testStringLimitInFrame(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(GByteArray) arg = testLongString(VGM_REMOTE_STRING_MAX + 1);
    g_autoptr(TestFrame) f = NULL;
    g_autofree char *want = g_strdup_printf("cannot decode the arguments of procedure 23: "
                                            "string of %d bytes is longer than the limit of %d",
                                            VGM_REMOTE_STRING_MAX + 1, VGM_REMOTE_STRING_MAX);
    guint32 serial = testSendRawCall(fd, VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, arg);

    f = testReplyTo(fd, serial);
    testAssertError(f, 39, want);
    g_clear_pointer(&f, testFrameFree);
    /* the same connection goes on */
    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    testAssertOk(f);
    close(fd);
    testWitness();
}

/* CONNECT_GET_ALL_DOMAIN_STATS (domainListGetStats) with @n domains, each
 * {name "", a uuid, id -1}: 24 bytes each, so 16385 of them make a frame
 * of 384 KiB. */
static GByteArray *
testStatsArgs(guint32 n)
{
    GByteArray *b = g_byte_array_new();
    guint32 i;

    testPut32(b, n);
    for (i = 0; i < n; i++) {
        guint8 uuid[16] = { 0x5e, 0x1f };

        testPut32(b, 0);
        uuid[12] = i >> 24;
        uuid[13] = i >> 16;
        uuid[14] = i >> 8;
        uuid[15] = i;
        g_byte_array_append(b, uuid, 16);
        testPut32(b, (guint32)-1);
    }
    testPut32(b, 1);    /* VIR_DOMAIN_STATS_STATE */
    testPut32(b, 0);
    return b;
}

static void
testCountLimitInFrame(void)
{
    int fd = testOpenClient(sockPath, 0);
    g_autoptr(GByteArray) over = testStatsArgs(VGM_REMOTE_DOMAIN_LIST_MAX + 1);
    g_autoptr(GByteArray) at = testStatsArgs(VGM_REMOTE_DOMAIN_LIST_MAX);
    g_autoptr(TestFrame) f = NULL;
    g_autofree char *want = g_strdup_printf("cannot decode the arguments of procedure 344: "
                                            "array of %d elements is longer than the limit of %d",
                                            VGM_REMOTE_DOMAIN_LIST_MAX + 1,
                                            VGM_REMOTE_DOMAIN_LIST_MAX);
    guint32 serial = testSendRawCall(fd, VGM_REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, over);

    f = testReplyTo(fd, serial);
    testAssertError(f, 39, want);
    g_clear_pointer(&f, testFrameFree);
    /* at the limit the arguments decode: none of the domains exists, and
     * as libvirt's QEMU driver does, the missing ones are skipped */
    serial = testSendRawCall(fd, VGM_REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, at);
    f = testReplyTo(fd, serial);
    testAssertOk(f);
    {
        VgmRemoteConnectGetAllDomainStatsRet ret = { 0 };

        g_assert_true(vgmXdrDecode(vgmRemoteXdrConnectGetAllDomainStatsRet, &ret, f->payload,
                                   f->len, NULL));
        g_assert_cmpuint(ret.retStats.len, ==, 0);
        vgmXdrFree(vgmRemoteXdrConnectGetAllDomainStatsRet, &ret);
    }
    g_clear_pointer(&f, testFrameFree);
    f = testCall(fd, VGM_REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    testAssertOk(f);
    close(fd);
    testWitness();
}

/*
 * A name within the string limit whose "no domain" error, which quotes
 * it, is longer than the limit: the daemon must still answer (a shortened
 * message) and go on. Any client can send it, the read-only socket's too.
 * On a daemon of its own, since the bug it guards against kills it.
 */
static void
testLongErrorMessage(void)
{
    g_autofree char *dir = g_build_filename(tmpRoot, "longerr", NULL);
    g_autofree char *log = g_build_filename(tmpRoot, "longerr.log", NULL);
    g_autofree char *sock = NULL;
    g_autofree char *ro = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GByteArray) arg = testLongString(VGM_REMOTE_STRING_MAX);
    g_autoptr(TestFrame) f = NULL;
    int fd, other;
    guint32 serial;

    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    proc = testSpawnDaemon(dir, log, &sock);
    ro = g_strdup_printf("%s-ro", sock);
    other = testOpenClient(sock, 0);
    fd = testOpenClient(ro, 0);
    serial = testSendRawCall(fd, VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, arg);
    f = testRecvFrame(fd);
    if (!f) {
        g_autofree char *out = NULL;

        g_file_get_contents(log, &out, NULL, NULL);
        g_error("no reply to a lookup by a 4 MiB name; virtgmemd's log: %s", out ? out : "");
    }
    g_assert_cmpuint(f->hdr.serial, ==, serial);
    testAssertError(f, 42, "Domain not found: no domain with matching name 'aaaa");
    g_clear_pointer(&f, testFrameFree);
    f = testCall(other, VGM_REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL);
    testAssertOk(f);
    close(fd);
    close(other);
    testStopDaemon(proc);
    g_assert_true(g_subprocess_get_successful(proc));
}

/* ---- slow calls ---- */

/*
 * A slow call that starts no QEMU: a capability probe of an emulator that
 * leaves a file EMULATOR.started.PID, then waits until the test creates
 * the release file (at most 60 s) and fails. The test thus knows when its
 * calls are all running and decides when they end (never before
 * TEST_SLOW_SECONDS). Each call probes an emulator of its own, BASE-I:
 * the driver probes one binary once at a time, and makes the lookups of
 * one binary meanwhile wait for it.
 */
#define TEST_SLOW_SECONDS 3

/* @n emulators @dir/@name-0 .. -N-1 sharing the release file
 * @dir/@name.release; returns @dir/@name */
static char *
testSlowEmulators(const char *dir, const char *name, guint n)
{
    g_autofree char *base = g_build_filename(dir, name, NULL);
    g_autofree char *text = g_strdup_printf(
        "#!/bin/sh\n"
        ": > \"$0.started.$$\"\n"
        "i=0\n"
        "while [ ! -e '%s.release' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done\n"
        "exit 1\n", base);
    guint i;

    for (i = 0; i < n; i++) {
        g_autofree char *path = g_strdup_printf("%s-%u", base, i);

        g_assert_true(g_file_set_contents(path, text, -1, NULL));
        g_assert_cmpint(g_chmod(path, 0755), ==, 0);
    }
    return g_steal_pointer(&base);
}

/* How many times the emulators of @base have been started. */
static guint
testCountSlowStarted(const char *base)
{
    g_autofree char *dir = g_path_get_dirname(base);
    g_autofree char *prefix = g_strdup_printf("%s-", strrchr(base, '/') + 1);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *e;
    guint count = 0;

    while (d && (e = g_dir_read_name(d)))
        count += g_str_has_prefix(e, prefix) && strstr(e, ".started.") != NULL;
    return count;
}

/* Waits (30 s at most: each probe forks the daemon, and under
 * AddressSanitizer twenty forks take several seconds) until the
 * emulators of @base have been started @n times. */
static void
testWaitSlowStarted(const char *base, guint n)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    guint count = 0;

    while (g_get_monotonic_time() < end) {
        if ((count = testCountSlowStarted(base)) >= n)
            return;
        g_usleep(20 * 1000);
    }
    g_error("%u of the %u slow calls started within 30 s", count, n);
}

/* Sends @n domain-capabilities calls on @fd without reading, the I-th
 * for emulator @base-I; returns the first serial. */
static guint32
testSendSlowCalls(int fd, const char *base, guint n)
{
    guint32 first = nextSerial;
    guint i;

    for (i = 0; i < n; i++) {
        g_autofree char *bin = g_strdup_printf("%s-%u", base, i);
        VgmRemoteConnectGetDomainCapabilitiesArgs args = { .emulatorbin = &bin };

        testSendCall(fd, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                     VGM_REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES, VGM_RPC_TYPE_CALL,
                     vgmRemoteXdrConnectGetDomainCapabilitiesArgs, &args, NULL);
    }
    return first;
}

/*
 * One client (@fd) sends @n slow calls, of which @running must run at
 * once, and no more (after half a second more to start others);
 * meanwhile the witness makes one call. Returns how long the witness
 * waited for its answer, in seconds, or -1 when none came within a
 * second. Then ends the slow calls (not before TEST_SLOW_SECONDS), reads
 * their @n replies (each the probe's failure) and the witness's.
 */
static double
testSlowCallsAndWitness(int fd, const char *emulator, guint n, guint running)
{
    g_autofree char *release = g_strdup_printf("%s.release", emulator);
    gint64 t0 = g_get_monotonic_time();
    guint32 first = testSendSlowCalls(fd, emulator, n);
    guint32 serial;
    struct pollfd pfd = { .fd = witness, .events = POLLIN };
    gint64 t1, left;
    double other = -1;
    guint i;

    testWaitSlowStarted(emulator, running);
    g_usleep(G_USEC_PER_SEC / 2);
    g_assert_cmpuint(testCountSlowStarted(emulator), ==, running);
    t1 = g_get_monotonic_time();
    testSendCall(witness, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                 VGM_REMOTE_PROC_CONNECT_GET_LIB_VERSION, VGM_RPC_TYPE_CALL,
                 NULL, NULL, &serial);
    if (poll(&pfd, 1, 1000) > 0)
        other = (g_get_monotonic_time() - t1) / (double)G_USEC_PER_SEC;

    if ((left = t0 + TEST_SLOW_SECONDS * G_USEC_PER_SEC - g_get_monotonic_time()) > 0)
        g_usleep(left);
    g_assert_true(g_file_set_contents(release, "", 0, NULL));
    for (i = 0; i < n; i++) {
        g_autoptr(TestFrame) f = testRecvFrame(fd);

        g_assert_nonnull(f);
        g_assert_cmpuint(f->hdr.serial, >=, first);
        g_assert_cmpuint(f->hdr.serial, <, first + n);
        g_assert_cmpuint(f->hdr.status, ==, VGM_RPC_STATUS_ERROR);
    }
    g_assert_cmpfloat((g_get_monotonic_time() - t0) / (double)G_USEC_PER_SEC, >=,
                      TEST_SLOW_SECONDS);
    {
        g_autoptr(TestFrame) f = testReplyTo(witness, serial);

        testAssertOk(f);
    }
    return other;
}

/*
 * Five slow calls in flight from one client (libvirtd's per-client limit,
 * max_client_requests = 5) hold up no other client: the witness answers
 * in well under a second while they take 3 s.
 */
static void
testSlowCallsOthersServed(void)
{
    g_autofree char *emu = testSlowEmulators(tmpRoot, "slow-emulator-5", 5);
    int fd = testOpenClient(sockPath, 0);
    double other = testSlowCallsAndWitness(fd, emu, 5, 5);

    g_test_message("5 slow calls of one client running: another client's call took %.3f s",
                   other);
    g_assert_cmpfloat(other, >=, 0);
    g_assert_cmpfloat(other, <, 1.0);
    close(fd);
}

/*
 * One client that sends as many slow calls as there are workers (20)
 * has only 5 of them running at once (libvirtd's max_client_requests;
 * the rest wait unread), so it cannot take every worker: another
 * client's call is answered at once, and all 20 are answered in the end.
 */
static void
testSlowCallsOneClientAllWorkers(void)
{
    g_autofree char *emu = testSlowEmulators(tmpRoot, "slow-emulator-20", 20);
    int fd = testOpenClient(sockPath, 0);
    double other = testSlowCallsAndWitness(fd, emu, 20, 5);

    g_test_message("20 slow calls of one client sent, 5 running: another client's call %s %.3f s",
                   other < 0 ? "unanswered after" : "took", other < 0 ? 1.0 : other);
    close(fd);
    g_assert_cmpfloat(other, >=, 0);
    g_assert_cmpfloat(other, <, 1.0);
}

/*
 * A stop while a call waits for a probe that does not end (an emulator
 * that never speaks): the daemon lets the call run for its bound (30 s),
 * then gives the probe up (its QEMU killed), and exits 0 soon after,
 * where it used to wait until the probe's own deadline (90 s here, the
 * emulator's own minute). On a daemon of its own, with its log.
 */
static void
testStopGivesUpProbes(void)
{
    g_autofree char *dir = g_build_filename(tmpRoot, "stopprobe", NULL);
    g_autofree char *log = g_build_filename(tmpRoot, "stopprobe.log", NULL);
    g_autofree char *sock = NULL;
    g_autofree char *emu = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GDir) d = NULL;
    const char *e;
    gint64 t0, waited;
    pid_t emuPid = 0;
    int fd;

    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    emu = testSlowEmulators(dir, "hung-emulator", 1);
    proc = testSpawnDaemon(dir, log, &sock);
    fd = testOpenClient(sock, 0);
    testSendSlowCalls(fd, emu, 1);
    testWaitSlowStarted(emu, 1);
    d = g_dir_open(dir, 0, NULL);
    while ((e = g_dir_read_name(d)))
        if (g_str_has_prefix(e, "hung-emulator-0.started."))
            emuPid = (pid_t)g_ascii_strtoll(strrchr(e, '.') + 1, NULL, 10);
    g_assert_cmpint(emuPid, >, 0);

    t0 = g_get_monotonic_time();
    g_subprocess_send_signal(proc, SIGTERM);
    while (g_subprocess_get_identifier(proc) &&
           g_get_monotonic_time() - t0 < 50 * G_USEC_PER_SEC)
        g_usleep(50 * 1000);
    waited = (g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    if (g_subprocess_get_identifier(proc)) {
        g_autofree char *out = NULL;

        g_subprocess_force_exit(proc);
        g_file_get_contents(log, &out, NULL, NULL);
        g_error("virtgmemd still ran 50 s after SIGTERM with a probe in flight; its log: %s",
                out ? out : "");
    }
    g_test_message("stopped %" G_GINT64_FORMAT " s after SIGTERM, a probe in flight", waited);
    g_subprocess_wait(proc, NULL, NULL);
    g_assert_true(g_subprocess_get_if_exited(proc));
    g_assert_cmpint(g_subprocess_get_exit_status(proc), ==, 0);
    /* it waited for the call its bound first */
    g_assert_cmpint(waited, >=, 29);
    /* and the probe's emulator is gone (a zombie no more either: the
     * daemon reaped it, or init did) */
    for (int i = 0; i < 100 && kill(emuPid, 0) == 0; i++)
        g_usleep(50 * 1000);
    g_assert_cmpint(kill(emuPid, 0), <, 0);
    close(fd);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);

    g_test_add_func("/rpc/header-limits", testHeaderLimits);
    g_test_add_func("/rpc/error-bytes", testErrorBytes);
    g_test_add_func("/rpc/socket-appears-listening", testSocketAppearsListening);
    g_test_add_func("/rpc/daemon/start", testStartDaemon);
    g_test_add_func("/rpc/daemon/handshake", testHandshake);
    g_test_add_func("/rpc/daemon/unknown-procedure", testUnknownProcedure);
    g_test_add_func("/rpc/daemon/unknown-program", testUnknownProgram);
    g_test_add_func("/rpc/daemon/bad-lengths", testBadLengths);
    g_test_add_func("/rpc/daemon/truncated", testTruncated);
    g_test_add_func("/rpc/daemon/trailing", testTrailing);
    g_test_add_func("/rpc/daemon/over-limits", testOverLimits);
    g_test_add_func("/rpc/daemon/string-limit-in-frame", testStringLimitInFrame);
    g_test_add_func("/rpc/daemon/count-limit-in-frame", testCountLimitInFrame);
    g_test_add_func("/rpc/daemon/long-error-message", testLongErrorMessage);
    g_test_add_func("/rpc/daemon/readonly", testReadonly);
    g_test_add_func("/rpc/daemon/keepalive", testKeepalive);
    g_test_add_func("/rpc/daemon/vanish-mid-call", testVanishMidCall);
    g_test_add_func("/rpc/daemon/never-reads", testNeverReads);
    g_test_add_func("/rpc/daemon/slow-calls-others-served", testSlowCallsOthersServed);
    g_test_add_func("/rpc/daemon/slow-calls-one-client-all-workers",
                    testSlowCallsOneClientAllWorkers);
    g_test_add_func("/rpc/daemon/stop-gives-up-probes", testStopGivesUpProbes);

    ret = g_test_run();
    if (witness >= 0)
        close(witness);
    if (daemonProc) {
        g_subprocess_send_signal(daemonProc, SIGTERM);
        g_subprocess_wait(daemonProc, NULL, NULL);
        /* it exits 0 on SIGTERM (under ASan, a leak or an error found on
         * the way out makes the status non-zero) */
        if (!g_subprocess_get_if_exited(daemonProc) ||
            g_subprocess_get_exit_status(daemonProc) != 0) {
            g_printerr("virtgmemd did not exit 0 on SIGTERM\n");
            ret = 1;
        }
        /* the daemon removed its sockets on the way out */
        if (g_file_test(sockPath, G_FILE_TEST_EXISTS)) {
            g_printerr("virtgmemd left its socket behind\n");
            ret = 1;
        }
    }
    if (tmpRoot)
        vgmTestRemoveTree(tmpRoot);
    return ret;
}
