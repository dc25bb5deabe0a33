/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemumonitortest.c: the QMP client (src/qemu/qemu_monitor.c).
 *
 * A fake QEMU runs in a thread on one end of a socketpair and follows a
 * script: for each expected command it checks the command name, records the
 * request and sends canned lines (events, stale replies, the reply). Covers
 * the greeting and capabilities negotiation, replies and their "return"
 * member, arguments, events queued while waiting and handed out by
 * vgmQemuMonitorTakeEvents, QMP errors (class and description in the
 * message, class kept), replies with a foreign id being skipped, the
 * per-command timeout and recovery after it, the peer closing the
 * connection, a missing greeting, connecting to a socket path that
 * never appears, and to one whose queue stays full (a monitor another
 * holds, or a hung QEMU): a timeout, libvirt's OPERATION_TIMEOUT.
 * A fake QEMU on a listening socket covers an open whose greeting or
 * qmp_capabilities does not come: QEMU's listening race, with its main
 * thread stuck (the first client greeted, never answered) or its monitor
 * thread (the first not greeted): a second is greeted and the monitor
 * works over it; a QEMU that is only slow (the first is greeted or
 * answered late, and kept); and one whose monitor another client holds
 * for 4 s with its queue full (the open makes no second connection, waits
 * its turn and is served).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu/qemu_monitor.h"
#include "util/vgmerror.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 10}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}"

typedef struct {
    const char *expect;        /* command name; NULL ends the script */
    const char *lines[4];      /* sent after reading it; "%ID%" is its id */
    gboolean close;            /* close the connection instead of replying */
} TestStep;

typedef struct {
    int fd;
    const char *greeting;
    const TestStep *steps;
    GPtrArray *requests;       /* raw request lines, for the test to check */
    char *failure;             /* what went wrong in the fake QEMU */
} TestServer;

static gboolean
testWriteLine(int fd, const char *line)
{
    g_autofree char *text = g_strconcat(line, "\n", NULL);
    size_t len = strlen(text);
    const char *p = text;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n <= 0)
            return FALSE;
        p += n;
        len -= n;
    }
    return TRUE;
}

static char *
testReadLine(int fd)
{
    GString *line = g_string_new(NULL);
    char c;

    for (;;) {
        ssize_t n = read(fd, &c, 1);

        if (n <= 0) {
            g_string_free(line, TRUE);
            return NULL;
        }
        if (c == '\n')
            return g_string_free(line, FALSE);
        g_string_append_c(line, c);
    }
}

static gpointer
testServerRun(gpointer opaque)
{
    TestServer *srv = opaque;
    const TestStep *step;

    if (!testWriteLine(srv->fd, srv->greeting))
        goto fail;
    for (step = srv->steps; step->expect; step++) {
        g_autofree char *req = testReadLine(srv->fd);
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *idJSON = NULL;
        JsonObject *obj;

        if (!req)
            goto fail;
        g_ptr_array_add(srv->requests, g_strdup(req));
        if (!(node = json_from_string(req, NULL)) || !JSON_NODE_HOLDS_OBJECT(node))
            goto fail;
        obj = json_node_get_object(node);
        if (g_strcmp0(json_object_get_string_member_with_default(obj, "execute", NULL),
                      step->expect) != 0) {
            srv->failure = g_strdup_printf("expected '%s', got %s", step->expect, req);
            break;
        }
        idJSON = json_to_string(json_object_get_member(obj, "id"), FALSE);
        if (step->close)
            break;
        for (guint i = 0; i < G_N_ELEMENTS(step->lines) && step->lines[i]; i++) {
            g_auto(GStrv) parts = g_strsplit(step->lines[i], "%ID%", -1);
            g_autofree char *line = g_strjoinv(idJSON, parts);

            if (!testWriteLine(srv->fd, line))
                goto fail;
        }
    }
    close(srv->fd);
    return NULL;

 fail:
    if (!srv->failure)
        srv->failure = g_strdup("fake QEMU lost the connection");
    close(srv->fd);
    return NULL;
}

static GThread *
testServerStart(TestServer *srv, const char *greeting, const TestStep *steps,
                int *clientFd)
{
    int fds[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
    srv->fd = fds[1];
    srv->greeting = greeting;
    srv->steps = steps;
    srv->requests = g_ptr_array_new_with_free_func(g_free);
    srv->failure = NULL;
    *clientFd = fds[0];
    return g_thread_new("fake-qemu", testServerRun, srv);
}

static void
testServerFinish(TestServer *srv, GThread *thread)
{
    g_thread_join(thread);
    g_assert_cmpstr(srv->failure, ==, NULL);
    g_ptr_array_unref(srv->requests);
}

static const TestStep testConversation[] = {
    { "qmp_capabilities", { "{\"return\": {}, \"id\": %ID%}" } },
    { "query-status", {
        "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}",
        "{\"return\": {\"status\": \"prelaunch\", \"running\": false}, \"id\": %ID%}" } },
    { "qom-list-properties", {
        "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Class 'memory-backend-epc' not found\"}, \"id\": %ID%}" } },
    { "query-version", {
        "{\"return\": 1, \"id\": \"someone-else\"}",
        "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 3, \"microseconds\": 4}}",
        "{\"return\": {\"qemu\": {\"major\": 10}}, \"id\": %ID%}" } },
    /* no reply in time; the late reply comes with the next command's
     * (the client numbers its commands vgm-1, vgm-2, ...: this is the 5th) */
    { "slow", { NULL } },
    { "query-kvm", {
        "{\"return\": \"late\", \"id\": \"vgm-5\"}",
        "{\"return\": {\"enabled\": true, \"present\": true}, \"id\": %ID%}" } },
    { "quit", { NULL }, TRUE },
    { NULL },
};

static void
testConversationRun(void)
{
    TestServer srv;
    GThread *thread;
    int fd;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(GPtrArray) events = NULL;
    JsonObject *greeting;

    thread = testServerStart(&srv, GREETING, testConversation, &fd);
    mon = vgmQemuMonitorOpenFd(fd, 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(mon);

    greeting = vgmQemuMonitorGetGreeting(mon);
    g_assert_nonnull(greeting);
    g_assert_true(json_object_has_member(greeting, "version"));

    /* reply with an event before it */
    g_assert_true(vgmQemuMonitorCommand(mon, "query-status", NULL, &ret, &err));
    g_assert_no_error(err);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret), "status"),
                    ==, "prelaunch");
    g_clear_pointer(&ret, json_node_unref);

    events = vgmQemuMonitorTakeEvents(mon);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 0), "event"),
                    ==, "STOP");
    g_clear_pointer(&events, g_ptr_array_unref);
    events = vgmQemuMonitorTakeEvents(mon);
    g_assert_cmpuint(events->len, ==, 0);
    g_clear_pointer(&events, g_ptr_array_unref);

    /* QMP error */
    json_object_set_string_member(args, "typename", "memory-backend-epc");
    g_assert_false(vgmQemuMonitorCommand(mon, "qom-list-properties", args, &ret, &err));
    /* (libvirt's VIR_ERR_INTERNAL_ERROR for what QEMU refuses) */
    g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
    g_assert_cmpstr(err->message, ==,
                    "QEMU monitor command 'qom-list-properties' failed: DeviceNotFound: "
                    "Class 'memory-backend-epc' not found");
    g_assert_cmpstr(vgmQemuMonitorGetLastErrorClass(mon), ==, "DeviceNotFound");
    g_assert_null(ret);
    g_clear_error(&err);

    /* a reply with a foreign id is skipped, an event in between queued */
    g_assert_true(vgmQemuMonitorCommand(mon, "query-version", NULL, &ret, &err));
    g_assert_no_error(err);
    g_assert_null(vgmQemuMonitorGetLastErrorClass(mon));
    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    g_clear_pointer(&ret, json_node_unref);
    events = vgmQemuMonitorTakeEvents(mon);
    g_assert_cmpuint(events->len, ==, 1);
    g_clear_pointer(&events, g_ptr_array_unref);

    /* timeout, then the late reply does not confuse the next command */
    vgmQemuMonitorSetTimeout(mon, 200);
    g_assert_false(vgmQemuMonitorCommand(mon, "slow", NULL, NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_TIMEOUT);
    g_assert_cmpstr(err->message, ==, "timed out waiting for QEMU monitor reply to 'slow'");
    g_assert_null(vgmQemuMonitorGetLastErrorClass(mon));
    g_clear_error(&err);
    vgmQemuMonitorSetTimeout(mon, 0);

    g_assert_true(vgmQemuMonitorCommand(mon, "query-kvm", NULL, &ret, &err));
    g_assert_no_error(err);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    g_assert_true(json_object_get_boolean_member(json_node_get_object(ret), "present"));
    g_clear_pointer(&ret, json_node_unref);

    /* the peer closes */
    g_assert_false(vgmQemuMonitorIsClosed(mon));
    g_assert_false(vgmQemuMonitorCommand(mon, "quit", NULL, NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "QEMU monitor closed the connection while waiting for the reply to 'quit'");
    g_assert_true(vgmQemuMonitorIsClosed(mon));
    g_clear_error(&err);

    g_thread_join(thread);
    g_assert_cmpstr(srv.failure, ==, NULL);
    /* arguments travel as "arguments" */
    g_assert_nonnull(strstr(g_ptr_array_index(srv.requests, 2),
                            "\"arguments\":{\"typename\":\"memory-backend-epc\"}"));
    g_assert_null(strstr(g_ptr_array_index(srv.requests, 1), "arguments"));
    g_ptr_array_unref(srv.requests);
}

static const TestStep testNoSteps[] = {
    { NULL },
};

static void
testNoGreeting(void)
{
    TestServer srv;
    GThread *thread;
    int fd;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    thread = testServerStart(&srv, "{\"hello\": 1}", testNoSteps, &fd);
    mon = vgmQemuMonitorOpenFd(fd, 0, &err);
    g_assert_null(mon);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==, "QEMU monitor did not start with a QMP greeting");
    testServerFinish(&srv, thread);
}

static const TestStep testCapsRefused[] = {
    { "qmp_capabilities", { "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}, \"id\": %ID%}" } },
    { NULL },
};

static void
testCapabilitiesRefused(void)
{
    TestServer srv;
    GThread *thread;
    int fd;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    thread = testServerStart(&srv, GREETING, testCapsRefused, &fd);
    mon = vgmQemuMonitorOpenFd(fd, 0, &err);
    g_assert_null(mon);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
    g_assert_cmpstr(err->message, ==,
                    "QEMU monitor command 'qmp_capabilities' failed: GenericError: no");
    testServerFinish(&srv, thread);
}

static void
testOpenMissingSocket(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vgm-qemumonitortest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(tmp, "none.sock", NULL);
    g_autoptr(VgmQemuMonitor) mon = NULL;
    gint64 start = g_get_monotonic_time();

    mon = vgmQemuMonitorOpen(path, 100, &err);
    g_assert_null(mon);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_true(g_str_has_prefix(err->message, "cannot connect to QEMU monitor socket "));
    /* it retried for about the timeout, not forever */
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
    rmdir(tmp);
}

static void
testOpenBusySocket(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vgm-qemumonitortest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(tmp, "busy.sock", NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autoptr(VgmQemuMonitor) mon = NULL;
    int queued[8];
    int lfd, n = 0;

    /* a server that never accepts, its queue filled */
    g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(lfd, 0), ==, 0);
    while (n < (int)G_N_ELEMENTS(queued)) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            g_assert_cmpint(errno, ==, EAGAIN);
            close(fd);
            break;
        }
        queued[n++] = fd;
    }
    g_assert_cmpint(n, <, (int)G_N_ELEMENTS(queued));

    mon = vgmQemuMonitorOpen(path, 300, &err);
    g_assert_null(mon);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_TIMEOUT);
    g_assert_true(g_str_has_prefix(err->message, "timed out after 300 ms waiting for QEMU monitor socket "));
    while (n > 0)
        close(queued[--n]);
    close(lfd);
    unlink(path);
    rmdir(tmp);
}

/* ---- a fake QEMU on a listening socket, for vgmQemuMonitorOpen ---- */

typedef enum {
    TEST_LISTEN_SLOW,          /* only slow: the first is answered late */
    TEST_LISTEN_SLOW_GREETING, /* only slow: the first is greeted late */
    TEST_LISTEN_QUEUED,        /* another client holds the monitor for 4 s:
                                * the first waits in the queue, then is
                                * served */
    TEST_LISTEN_MAIN_STUCK,    /* the race, QEMU's main thread in accept():
                                * the first is greeted, never answered */
    TEST_LISTEN_IO_STUCK,      /* the race, its monitor thread in accept():
                                * the first is not even greeted */
} TestListenCase;

typedef struct {
    int lfd;
    TestListenCase what;
    char *failure;
} TestListenServer;

/* The id member of request @req, as JSON, after checking its command */
static char *
testRequestId(const char *req, const char *expect, char **failure)
{
    g_autoptr(JsonNode) node = NULL;
    JsonObject *obj;

    if (!req || !(node = json_from_string(req, NULL)) || !JSON_NODE_HOLDS_OBJECT(node)) {
        *failure = g_strdup_printf("expected '%s', got %s", expect, req ? req : "end of file");
        return NULL;
    }
    obj = json_node_get_object(node);
    if (g_strcmp0(json_object_get_string_member_with_default(obj, "execute", NULL),
                  expect) != 0) {
        *failure = g_strdup_printf("expected '%s', got %s", expect, req);
        return NULL;
    }
    return json_to_string(json_object_get_member(obj, "id"), FALSE);
}

/* accept() on @lfd within @ms, or -1 */
static int
testAcceptIn(int lfd, int ms)
{
    struct pollfd p = { .fd = lfd, .events = POLLIN };

    if (poll(&p, 1, ms) != 1)
        return -1;
    return accept(lfd, NULL, NULL);
}

/* accept() on @lfd within 15 s, or -1 */
static int
testAcceptWithin(int lfd)
{
    return testAcceptIn(lfd, 15000);
}

static gpointer
testListenServerRun(gpointer opaque)
{
    TestListenServer *srv = opaque;
    int a = -1, b = -1;
    g_autofree char *req = NULL;
    g_autofree char *idA = NULL;
    g_autofree char *idB = NULL;
    g_autofree char *line = NULL;
    char c;

    if (srv->what == TEST_LISTEN_QUEUED) {
        /* the other client, served first, for 4 s */
        int holder = testAcceptWithin(srv->lfd);

        if (holder < 0 || !testWriteLine(holder, GREETING))
            goto out;
        g_usleep(4 * G_USEC_PER_SEC);
        close(holder);
    }
    if ((a = testAcceptWithin(srv->lfd)) < 0)
        goto out;
    if (srv->what == TEST_LISTEN_IO_STUCK) {
        /* nothing for the first; a second client is served in its place */
        if ((b = testAcceptWithin(srv->lfd)) < 0 || !testWriteLine(b, GREETING) ||
            !(idB = testRequestId(req = testReadLine(b), "qmp_capabilities", &srv->failure)))
            goto out;
        g_clear_pointer(&req, g_free);
        line = g_strdup_printf("{\"return\": {}, \"id\": %s}", idB);
        g_clear_pointer(&idB, g_free);
        if (!testWriteLine(b, line) ||
            !(idB = testRequestId(req = testReadLine(b), "query-status", &srv->failure)))
            goto out;
        g_free(line);
        line = g_strdup_printf("{\"return\": {\"status\": \"prelaunch\", \"running\": false}, \"id\": %s}", idB);
        if (!testWriteLine(b, line) || read(b, &c, 1) != 0)
            srv->failure = g_strdup("the second client was not closed");
        goto out;
    }
    if (srv->what == TEST_LISTEN_SLOW_GREETING)
        g_usleep(3 * G_USEC_PER_SEC);
    if (!testWriteLine(a, GREETING) ||
        !(idA = testRequestId(req = testReadLine(a), "qmp_capabilities", &srv->failure)))
        goto out;
    g_clear_pointer(&req, g_free);
    if (srv->what == TEST_LISTEN_MAIN_STUCK) {
        /* the first is never answered; a second client takes its place,
         * and the first's command is answered there */
        if ((b = testAcceptWithin(srv->lfd)) < 0 || !testWriteLine(b, GREETING))
            goto out;
        line = g_strdup_printf("{\"return\": {}, \"id\": %s}", idA);
        if (!testWriteLine(b, line) ||
            !(idB = testRequestId(req = testReadLine(b), "qmp_capabilities", &srv->failure)))
            goto out;
        g_clear_pointer(&req, g_free);
        g_free(line);
        line = g_strdup_printf("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities negotiation is already complete, command ignored\"}, \"id\": %s}", idB);
        if (!testWriteLine(b, line))
            goto out;
        g_clear_pointer(&idB, g_free);
        if (!(idB = testRequestId(req = testReadLine(b), "query-status", &srv->failure)))
            goto out;
        g_free(line);
        line = g_strdup_printf("{\"return\": {\"status\": \"prelaunch\", \"running\": false}, \"id\": %s}", idB);
        if (!testWriteLine(b, line) || read(b, &c, 1) != 0)
            srv->failure = g_strdup("the second client was not closed");
    } else {
        /* only slow: the first is answered (late), and used */
        if (srv->what == TEST_LISTEN_SLOW)
            g_usleep(3 * G_USEC_PER_SEC);
        line = g_strdup_printf("{\"return\": {}, \"id\": %s}", idA);
        if (!testWriteLine(a, line) ||
            !(idB = testRequestId(req = testReadLine(a), "query-status", &srv->failure)))
            goto out;
        g_free(line);
        line = g_strdup_printf("{\"return\": {\"status\": \"prelaunch\", \"running\": false}, \"id\": %s}", idB);
        if (!testWriteLine(a, line) || read(a, &c, 1) != 0) {
            srv->failure = g_strdup("the first client was not closed");
            goto out;
        }
        /* the second waited in the queue, and is gone by now (behind
         * another client the open found the queue full and made none) */
        b = testAcceptIn(srv->lfd, srv->what == TEST_LISTEN_QUEUED ? 1000 : 15000);
        if (srv->what == TEST_LISTEN_QUEUED && b >= 0)
            srv->failure = g_strdup("a second client came although the queue was full");
        else if (srv->what != TEST_LISTEN_QUEUED && (b < 0 || read(b, &c, 1) != 0))
            srv->failure = g_strdup("the second client was not closed");
    }
 out:
    if (a < 0 && !srv->failure)
        srv->failure = g_strdup("no client connected");
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    return NULL;
}

static void
testOpenStalled(gconstpointer data)
{
    TestListenCase what = GPOINTER_TO_INT(data);
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vgm-qemumonitortest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(tmp, "qmp.sock", NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    TestListenServer srv = { .what = what };
    g_autoptr(JsonNode) ret = NULL;
    VgmQemuMonitor *mon;
    GThread *thread;
    int holder = -1;

    g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    srv.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(srv.lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    /* (behind another client, a queue of one: the open's second
     * connection finds it full) */
    g_assert_cmpint(listen(srv.lfd, what == TEST_LISTEN_QUEUED ? 0 : 1), ==, 0);
    thread = g_thread_new("fake-qemu", testListenServerRun, &srv);
    if (what == TEST_LISTEN_QUEUED) {
        holder = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(holder, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    }

    mon = vgmQemuMonitorOpen(path, 10000, &err);
    g_assert_no_error(err);
    g_assert_nonnull(mon);
    g_assert_true(vgmQemuMonitorCommand(mon, "query-status", NULL, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret), "status"), ==,
                    "prelaunch");
    vgmQemuMonitorFree(mon);

    g_thread_join(thread);
    g_assert_cmpstr(srv.failure, ==, NULL);
    if (holder >= 0)
        close(holder);
    close(srv.lfd);
    unlink(path);
    rmdir(tmp);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/qemumonitor/conversation", testConversationRun);
    g_test_add_func("/qemumonitor/no-greeting", testNoGreeting);
    g_test_add_func("/qemumonitor/capabilities-refused", testCapabilitiesRefused);
    g_test_add_func("/qemumonitor/open-missing-socket", testOpenMissingSocket);
    g_test_add_func("/qemumonitor/open-busy-socket", testOpenBusySocket);
    g_test_add_data_func("/qemumonitor/open-stalled/race-main-thread",
                         GINT_TO_POINTER(TEST_LISTEN_MAIN_STUCK), testOpenStalled);
    g_test_add_data_func("/qemumonitor/open-stalled/race-monitor-thread",
                         GINT_TO_POINTER(TEST_LISTEN_IO_STUCK), testOpenStalled);
    g_test_add_data_func("/qemumonitor/open-stalled/slow", GINT_TO_POINTER(TEST_LISTEN_SLOW),
                         testOpenStalled);
    g_test_add_data_func("/qemumonitor/open-stalled/slow-greeting",
                         GINT_TO_POINTER(TEST_LISTEN_SLOW_GREETING), testOpenStalled);
    g_test_add_data_func("/qemumonitor/open-stalled/queued",
                         GINT_TO_POINTER(TEST_LISTEN_QUEUED), testOpenStalled);

    return g_test_run();
}
