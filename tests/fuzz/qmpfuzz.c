/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qmpfuzz.c: libFuzzer target for the QMP reply and event parser.
 *
 * The input is what a QEMU monitor sends: JSON lines (greeting, replies,
 * errors, events). It goes through the client twice:
 *   - the byte parser, vgmQemuMonitorParseLines (and through it
 *     vgmQemuMonitorParseMessage, what the socket reader uses for each
 *     line), restarted after every malformed line;
 *   - the socket client itself: the input is written into one end of a
 *     socketpair whose writing side is then shut, and the monitor opened
 *     on the other end (vgmQemuMonitorOpenFd: greeting, qmp_capabilities
 *     with id "vgm-1") runs one command ("query-status", id "vgm-2") and
 *     hands out its events. Inputs over 64 KiB skip this part (they would
 *     not fit into the socket buffer before the client reads).
 *
 * Oracles (each failure aborts, which libFuzzer reports as a crash with
 * the input):
 *   - ParseLines consumes whole lines only, never past the input, and
 *     fails iff it sets an error;
 *   - a message's kind is what its members say (event, error, return,
 *     QMP object, other: first match wins), and its id, error class and
 *     description are the string members' values;
 *   - a parsed message, written back compact (json_to_string), parses to
 *     the same kind, id, error class and description, and writing that
 *     back gives the same text (fixed point);
 *   - the client fails iff it sets an error.
 * GLib criticals and warnings are fatal (a non-string "class" once went
 * through json_object_get_string_member_with_default); ASan, UBSan and
 * LeakSanitizer (in the fuzzing build) catch the rest.
 *
 * Run: tests/fuzz/README.md. A normal build replays it over
 * tests/fuzz/qmp-seeds/ (`meson test qmpfuzz-replay`).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "qemu/qemu_monitor.h"

#define NAME "qmpfuzz"
#define SOCKET_MAX (64 * 1024)

static const char *lastResult = "nothing";

const char *
vgmFuzzLastResult(void)
{
    return lastResult;
}

static char *
fuzzToString(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

    json_node_set_object(node, obj);
    return json_to_string(node, FALSE);
}

static const char *
fuzzStringMember(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static void
fuzzCheckKind(const VgmQemuMonitorMessage *msg)
{
    JsonObject *obj = msg->obj;
    JsonNode *qmp = json_object_get_member(obj, "QMP");
    JsonNode *e = json_object_get_member(obj, "error");
    VgmQemuMonitorMsgKind kind;
    const char *klass = NULL;
    const char *desc = NULL;

    if (json_object_has_member(obj, "event"))
        kind = VGM_QEMU_MONITOR_MSG_EVENT;
    else if (e)
        kind = VGM_QEMU_MONITOR_MSG_ERROR;
    else if (json_object_has_member(obj, "return"))
        kind = VGM_QEMU_MONITOR_MSG_RETURN;
    else if (qmp && JSON_NODE_HOLDS_OBJECT(qmp))
        kind = VGM_QEMU_MONITOR_MSG_GREETING;
    else
        kind = VGM_QEMU_MONITOR_MSG_OTHER;
    if (msg->kind != kind)
        VGM_FUZZ_FAIL(NAME, "kind %d, the members say %d", msg->kind, kind);
    if (msg->hasId != json_object_has_member(obj, "id") ||
        g_strcmp0(msg->id, fuzzStringMember(obj, "id")) != 0)
        VGM_FUZZ_FAIL(NAME, "wrong id");
    if (kind == VGM_QEMU_MONITOR_MSG_ERROR && JSON_NODE_HOLDS_OBJECT(e)) {
        klass = fuzzStringMember(json_node_get_object(e), "class");
        desc = fuzzStringMember(json_node_get_object(e), "desc");
    }
    if (g_strcmp0(msg->errorClass, klass) != 0 || g_strcmp0(msg->errorDesc, desc) != 0)
        VGM_FUZZ_FAIL(NAME, "wrong error class or description");
}

static void
fuzzCheckMessage(const VgmQemuMonitorMessage *msg)
{
    g_autofree char *t1 = NULL;
    g_autofree char *t2 = NULL;
    g_autoptr(VgmQemuMonitorMessage) again = NULL;
    g_autoptr(GError) err = NULL;

    fuzzCheckKind(msg);
    t1 = fuzzToString(msg->obj);
    /* json-glib 1.6's writer puts ".0" after a double it prints with an
     * exponent ("1e+308.0"), which its own reader then refuses: a bug of
     * the writer, which our code never uses on QEMU's replies, not of the
     * parser under test */
    if (g_regex_match_simple("[0-9]e[-+][0-9]+\\.0", t1, 0, 0))
        return;
    if (!(again = vgmQemuMonitorParseMessage(t1, strlen(t1), &err)))
        VGM_FUZZ_FAIL(NAME, "a parsed message written back does not parse (%s): %s",
                      err ? err->message : "no error", t1);
    if (err)
        VGM_FUZZ_FAIL(NAME, "parsed with an error: %s", err->message);
    fuzzCheckKind(again);
    if (again->kind != msg->kind || again->hasId != msg->hasId ||
        g_strcmp0(again->id, msg->id) != 0 ||
        g_strcmp0(again->errorClass, msg->errorClass) != 0 ||
        g_strcmp0(again->errorDesc, msg->errorDesc) != 0)
        VGM_FUZZ_FAIL(NAME, "a message written back parses to another: %s", t1);
    t2 = fuzzToString(again->obj);
    if (strcmp(t1, t2) != 0)
        VGM_FUZZ_FAIL(NAME, "writing back is not a fixed point:\n%s\n%s", t1, t2);
}

/* The byte parser; returns the number of messages parsed. */
static guint
fuzzParse(const char *data, gsize size)
{
    gsize pos = 0;
    guint n = 0;

    while (pos < size) {
        g_autoptr(GPtrArray) msgs =
            g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuMonitorMessageFree);
        g_autoptr(GError) err = NULL;
        gsize consumed = 12345;
        gboolean ok = vgmQemuMonitorParseLines(data + pos, size - pos, msgs, &consumed, &err);
        guint i;

        if (ok != !err)
            VGM_FUZZ_FAIL(NAME, "ParseLines returned %d with error %s", ok,
                          err ? err->message : "none");
        if (consumed > size - pos || (consumed > 0 && data[pos + consumed - 1] != '\n'))
            VGM_FUZZ_FAIL(NAME, "ParseLines consumed %zu of %zu bytes, not whole lines",
                          consumed, size - pos);
        if (ok && memchr(data + pos + consumed, '\n', size - pos - consumed))
            VGM_FUZZ_FAIL(NAME, "ParseLines succeeded and left a complete line");
        for (i = 0; i < msgs->len; i++)
            fuzzCheckMessage(msgs->pdata[i]);
        n += msgs->len;
        if (ok || consumed == 0)
            break;
        pos += consumed;
    }
    return n;
}

/* The socket client on the input; returns how far it got. */
static const char *
fuzzSocket(const char *data, gsize size)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GPtrArray) events = NULL;
    const char *result = "refused by the client";
    gsize off = 0;
    gboolean ok;
    int sv[2];
    int sndbuf = SOCKET_MAX * 4;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        VGM_FUZZ_FAIL(NAME, "socketpair: %s", g_strerror(errno));
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    while (off < size) {
        ssize_t n = send(sv[1], data + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* the buffer is full: give the client what fits */
            break;
        }
        off += n;
    }
    shutdown(sv[1], SHUT_WR);

    mon = vgmQemuMonitorOpenFd(sv[0], 0, &err);
    if (!mon != !!err)
        VGM_FUZZ_FAIL(NAME, "OpenFd: %s with error %s", mon ? "opened" : "failed",
                      err ? err->message : "none");
    if (mon) {
        result = "greeting read";
        g_clear_error(&err);
        ok = vgmQemuMonitorCommand(mon, "query-status", NULL, &ret, &err);
        if (ok == !!err || (ok && !ret))
            VGM_FUZZ_FAIL(NAME, "Command: %d with error %s", ok, err ? err->message : "none");
        if (ok)
            result = "command answered";
        else if (vgmQemuMonitorGetLastErrorClass(mon))
            result = "command failed in QEMU";
        if (!vgmQemuMonitorGetGreeting(mon))
            VGM_FUZZ_FAIL(NAME, "opened without a greeting");
        events = vgmQemuMonitorTakeEvents(mon);
    }
    close(sv[1]);
    return result;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guint n;
    const char *sock;

    vgmFuzzInitLogging();
    n = fuzzParse((const char *)data, size);
    if (size > SOCKET_MAX) {
        lastResult = n ? "parsed (too large for the socket)" : "nothing parsed";
        return 0;
    }
    sock = fuzzSocket((const char *)data, size);
    lastResult = (!n && g_str_equal(sock, "refused by the client")) ? "nothing parsed" : sock;
    return 0;
}
