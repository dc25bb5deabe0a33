/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuagenttest.c: the guest agent client (src/qemu/qemu_agent.c).
 *
 * A fake qemu-ga runs in a thread on one end of a socketpair and follows a
 * script: for each expected command it reads one request (noting whether
 * a 0xFF byte came before it), checks the command name and writes canned
 * bytes, with "%ID%" replaced by the id of a guest-sync-delimited. Covers
 * the sync (the 0xFF sent first, stale lines and a late answer to an
 * earlier sync dropped, the agent's 0xFF looked for), replies and their
 * "return", lines that are no JSON skipped, error replies (description in
 * the message, class kept), a request given as text and one that is no
 * JSON object, a command with no reply (guest-shutdown) and one whose
 * error reply comes, a timeout, the agent closing the connection, a sync
 * nobody answers, and a guest that closed its port while a reply without
 * a deadline was awaited (the alive check).
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/qemu_agent.h"
#include "util/vgmerror.h"

typedef struct {
    const char *expect;        /* command name; NULL ends the script */
    const char *send;          /* bytes written after reading it, or NULL */
    gboolean close;            /* close the connection instead */
    gboolean hold;             /* then wait for the client to close */
} TestStep;

typedef struct {
    int fd;
    const TestStep *steps;
    GPtrArray *requests;       /* the request lines, 0xFF bytes included */
    char *failure;
} TestAgent;

static gboolean
testWriteAll(int fd, const char *data)
{
    size_t len = strlen(data);

    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n <= 0)
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

/* One request line (with any 0xFF bytes before it), without the newline */
static char *
testReadRequest(int fd)
{
    GString *line = g_string_new(NULL);
    char c;

    for (;;) {
        if (read(fd, &c, 1) <= 0) {
            g_string_free(line, TRUE);
            return NULL;
        }
        if (c == '\n')
            return g_string_free(line, FALSE);
        g_string_append_c(line, c);
    }
}

static gpointer
testAgentRun(gpointer opaque)
{
    TestAgent *a = opaque;
    const TestStep *st;

    for (st = a->steps; st->expect; st++) {
        g_autofree char *req = testReadRequest(a->fd);
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *idText = NULL;
        g_autofree char *out = NULL;
        const char *json;
        JsonObject *o;

        if (!req) {
            a->failure = g_strdup_printf("connection closed before '%s'", st->expect);
            break;
        }
        g_ptr_array_add(a->requests, g_strdup(req));
        json = req + strspn(req, "\xff");
        if (!(node = json_from_string(json, NULL)) || !JSON_NODE_HOLDS_OBJECT(node)) {
            a->failure = g_strdup_printf("request is no JSON object: %s", req);
            break;
        }
        o = json_node_get_object(node);
        if (g_strcmp0(json_object_get_string_member_with_default(o, "execute", NULL),
                      st->expect) != 0) {
            a->failure = g_strdup_printf("expected '%s', got %s", st->expect, req);
            break;
        }
        if (st->close)
            break;
        if (st->hold)
            break;
        if (!st->send)
            continue;
        if (json_object_has_member(o, "arguments")) {
            JsonObject *args = json_object_get_object_member(o, "arguments");

            if (json_object_has_member(args, "id"))
                idText = g_strdup_printf("%" G_GINT64_FORMAT,
                                         json_object_get_int_member(args, "id"));
        }
        if (idText) {
            g_auto(GStrv) parts = g_strsplit(st->send, "%ID%", -1);

            out = g_strjoinv(idText, parts);
        } else {
            out = g_strdup(st->send);
        }
        if (!testWriteAll(a->fd, out)) {
            a->failure = g_strdup("write failed");
            break;
        }
    }
    if (st->expect && st->hold) {
        char c;

        while (read(a->fd, &c, 1) > 0)
            ;
    }
    close(a->fd);
    return NULL;
}

/* Runs @steps in a fake agent; *@agent: the client's end opened with
 * @timeout (NULL and *@error when the sync fails) */
static GThread *
testAgentStart(const TestStep *steps, TestAgent *a, int timeout, VgmQemuAgent **agent,
               GError **error)
{
    int sv[2];
    GThread *th;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    a->fd = sv[1];
    a->steps = steps;
    a->requests = g_ptr_array_new_with_free_func(g_free);
    th = g_thread_new("fake-qemu-ga", testAgentRun, a);
    *agent = vgmQemuAgentOpenFd(sv[0], timeout, error);
    return th;
}

static void
testAgentFinish(GThread *th, TestAgent *a)
{
    g_thread_join(th);
    g_assert_null(a->failure);
    g_ptr_array_unref(a->requests);
}

static void
testConversation(void)
{
    static const TestStep steps[] = {
        /* stale answers and a half line before the agent's delimiter */
        { "guest-sync-delimited", "{\"return\": 7}\nhalf a li\xff{\"return\": %ID%}\n", FALSE },
        { "guest-info", "not json at all\n{\"return\": {\"version\": \"7.2.0\"}}\n", FALSE },
        { "guest-no-such", "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command guest-no-such has not been found\"}}\n", FALSE },
        { "guest-ping", "{\"return\": {}}\n", FALSE },
        { "guest-shutdown", NULL, FALSE, TRUE },
        { NULL, NULL, FALSE },
    };
    TestAgent a = { 0 };
    g_autoptr(VgmQemuAgent) agent = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autofree char *text = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    GThread *th = testAgentStart(steps, &a, VGM_QEMU_AGENT_TIMEOUT_BLOCK, &agent, &err);
    gint64 t0;

    g_assert_no_error(err);
    g_assert_nonnull(agent);
    /* the sync went out after a 0xFF byte */
    g_assert_cmpint(((const char *)g_ptr_array_index(a.requests, 0))[0], ==, '\xff');

    g_assert_true(vgmQemuAgentCommand(agent, "guest-info", NULL, 5, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret), "version"), ==,
                    "7.2.0");

    g_assert_false(vgmQemuAgentCommand(agent, "guest-no-such", NULL, 5, NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==,
                    "guest agent command 'guest-no-such' failed: The command guest-no-such has not been found");
    g_assert_cmpstr(vgmQemuAgentLastErrorClass(agent), ==, "CommandNotFound");
    g_clear_error(&err);

    /* no JSON object: refused before anything is sent */
    g_assert_null(vgmQemuAgentCommandText(agent, "[1, 2]", 5, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_clear_error(&err);
    text = vgmQemuAgentCommandText(agent, "{ \"execute\" :\n \"guest-ping\" }", 5, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(text, ==, "{\"return\":{}}");
    g_assert_null(vgmQemuAgentLastErrorClass(agent));

    /* no reply within the wait: success */
    json_object_set_string_member(args, "mode", "powerdown");
    t0 = g_get_monotonic_time();
    g_assert_true(vgmQemuAgentCommandNoReply(agent, "guest-shutdown", args, 1, &err));
    g_assert_no_error(err);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 900 * 1000);
    g_assert_true(strstr(g_ptr_array_index(a.requests, a.requests->len - 1),
                         "\"mode\":\"powerdown\"") != NULL);
    vgmQemuAgentFree(g_steal_pointer(&agent));
    testAgentFinish(th, &a);
}

static void
testLateSync(void)
{
    /* an answer to an earlier client's sync, then ours */
    static const TestStep steps[] = {
        { "guest-sync-delimited", "\xff{\"return\": 1}\n\xff{\"return\": %ID%}\n", FALSE },
        { "guest-shutdown", "{\"error\": {\"class\": \"GenericError\", \"desc\": \"child process has failed to shutdown\"}}\n", FALSE },
        { NULL, NULL, FALSE },
    };
    TestAgent a = { 0 };
    g_autoptr(VgmQemuAgent) agent = NULL;
    g_autoptr(GError) err = NULL;
    GThread *th = testAgentStart(steps, &a, 5, &agent, &err);

    g_assert_no_error(err);
    g_assert_nonnull(agent);
    /* the shutdown failed: its error reply counts */
    g_assert_false(vgmQemuAgentCommandNoReply(agent, "guest-shutdown", NULL, 5, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_true(strstr(err->message, "child process has failed to shutdown") != NULL);
    vgmQemuAgentFree(g_steal_pointer(&agent));
    testAgentFinish(th, &a);
}

static void
testTimeoutAndClose(void)
{
    static const TestStep steps[] = {
        { "guest-sync-delimited", "\xff{\"return\": %ID%}\n", FALSE },
        { "guest-slow", NULL, FALSE },
        { "guest-gone", NULL, TRUE },
        { NULL, NULL, FALSE },
    };
    static const TestStep downSteps[] = {
        { "guest-sync-delimited", "\xff{\"return\": %ID%}\n", FALSE },
        { "guest-shutdown", NULL, TRUE },
        { NULL, NULL, FALSE },
    };
    TestAgent down = { 0 };
    g_autoptr(VgmQemuAgent) downAgent = NULL;
    GThread *downTh;
    gint64 t0;
    TestAgent a = { 0 };
    g_autoptr(VgmQemuAgent) agent = NULL;
    g_autoptr(GError) err = NULL;
    GThread *th = testAgentStart(steps, &a, 5, &agent, &err);

    g_assert_no_error(err);
    g_assert_false(vgmQemuAgentCommand(agent, "guest-slow", NULL, 1, NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_AGENT_UNRESPONSIVE);
    g_assert_cmpstr(err->message, ==,
                    "guest agent is not responding: no answer to 'guest-slow' in time");
    g_clear_error(&err);
    g_assert_false(vgmQemuAgentCommand(agent, "guest-gone", NULL, 5, NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_AGENT_UNRESPONSIVE);
    g_assert_true(strstr(err->message, "connection closed") != NULL);
    vgmQemuAgentFree(g_steal_pointer(&agent));
    testAgentFinish(th, &a);
    g_clear_error(&err);

    /* the guest going down closes the connection: a shutdown's success */
    downTh = testAgentStart(downSteps, &down, 5, &downAgent, &err);
    g_assert_no_error(err);
    t0 = g_get_monotonic_time();
    g_assert_true(vgmQemuAgentCommandNoReply(downAgent, "guest-shutdown", NULL, 30, &err));
    g_assert_no_error(err);
    /* at once, not at the end of the wait */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    vgmQemuAgentFree(g_steal_pointer(&downAgent));
    testAgentFinish(downTh, &down);
}

static gboolean
testNotAlive(gpointer data)
{
    int *calls = data;

    return ++*calls < 2;
}

static void
testPortClosed(void)
{
    /* the agent takes the command and the guest goes away: QEMU's end of
     * the socket stays open, and the alive check ends the wait */
    static const TestStep steps[] = {
        { "guest-sync-delimited", "\xff{\"return\": %ID%}\n", FALSE },
        { "guest-fsfreeze-freeze", NULL, FALSE, TRUE },
        { NULL, NULL, FALSE },
    };
    TestAgent a = { 0 };
    g_autoptr(VgmQemuAgent) agent = NULL;
    g_autoptr(GError) err = NULL;
    GThread *th = testAgentStart(steps, &a, VGM_QEMU_AGENT_TIMEOUT_BLOCK, &agent, &err);
    int calls = 0;
    gint64 t0;

    g_assert_no_error(err);
    vgmQemuAgentSetAlive(agent, testNotAlive, &calls);
    t0 = g_get_monotonic_time();
    g_assert_false(vgmQemuAgentCommand(agent, "guest-fsfreeze-freeze", NULL,
                                       VGM_QEMU_AGENT_TIMEOUT_BLOCK, NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_AGENT_UNRESPONSIVE);
    g_assert_true(strstr(err->message, "closed the agent's port") != NULL);
    g_assert_cmpint(calls, ==, 2);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    vgmQemuAgentFree(g_steal_pointer(&agent));
    testAgentFinish(th, &a);
}

static void
testSyncUnanswered(void)
{
    /* the agent reads the sync and stays silent */
    static const TestStep steps[] = {
        { "guest-sync-delimited", NULL, FALSE, TRUE },
        { NULL, NULL, FALSE },
    };
    TestAgent a = { 0 };
    g_autoptr(VgmQemuAgent) agent = NULL;
    g_autoptr(GError) err = NULL;
    gint64 t0 = g_get_monotonic_time();
    GThread *th = testAgentStart(steps, &a, 1, &agent, &err);
    gint64 took = g_get_monotonic_time() - t0;

    /* the sync takes the shorter of its own bound and the timeout */
    g_assert_null(agent);
    g_assert_error(err, VGM_ERROR, VGM_ERR_AGENT_UNRESPONSIVE);
    g_assert_true(strstr(err->message, "in time") != NULL);
    g_assert_cmpint(took, >=, 900 * 1000);
    g_assert_cmpint(took, <, 4 * G_USEC_PER_SEC);
    testAgentFinish(th, &a);
}

static void
testOpenMissing(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vgm-agent-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "none", NULL);

    g_assert_null(vgmQemuAgentOpen(path, 1, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_AGENT_UNRESPONSIVE);
    g_assert_true(strstr(err->message, path) != NULL);
    rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemuagent/conversation", testConversation);
    g_test_add_func("/qemuagent/late-sync", testLateSync);
    g_test_add_func("/qemuagent/timeout-and-close", testTimeoutAndClose);
    g_test_add_func("/qemuagent/sync-unanswered", testSyncUnanswered);
    g_test_add_func("/qemuagent/port-closed", testPortClosed);
    g_test_add_func("/qemuagent/open-missing", testOpenMissing);
    return g_test_run();
}
