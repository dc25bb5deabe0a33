/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor.c: the synchronous QMP client.
 *
 * QMP is line oriented: every message QEMU sends is one JSON object ending
 * with a newline. The socket is non-blocking and every wait is bounded by a
 * deadline computed once per command, so a silent QEMU cannot hang us.
 * Each command carries an "id"; a reply with another id is the late answer
 * to a command that timed out earlier and is dropped.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixfdmessage.h>
#include <gio/gunixsocketaddress.h>

#include "qemu_monitor.h"
#include "util/vgmerror.h"
#include "util/vgmjson.h"
#include "util/vgmi18n.h"

/* query-qmp-schema is the largest reply we expect (well under 1 MiB). */
#define VGM_QEMU_MONITOR_MAX_LINE (64 * 1024 * 1024)

/* How long to sleep between attempts to connect to a socket not yet there. */
#define VGM_QEMU_MONITOR_RETRY_US (10 * 1000)

/* How long the greeting or the answer to qmp_capabilities may take before
 * a second connection is tried (see vgmQemuMonitorOpenStalled) */
#define VGM_QEMU_MONITOR_STALL_US (2 * G_USEC_PER_SEC)

struct _VgmQemuMonitor {
    GSocketConnection *conn; /* NULL when opened from an fd */
    GSocket *sock;
    GString *rbuf;           /* bytes received but not yet consumed */
    GQueue events;           /* JsonObject */
    unsigned int timeoutMs;
    guint64 serial;
    gboolean closed;
    char *lastErrorClass;
    JsonObject *greeting;
};

static VgmQemuMonitor *
vgmQemuMonitorNewInternal(void)
{
    VgmQemuMonitor *mon = g_new0(VgmQemuMonitor, 1);

    mon->rbuf = g_string_new(NULL);
    g_queue_init(&mon->events);
    mon->timeoutMs = VGM_QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    return mon;
}

void
vgmQemuMonitorFree(VgmQemuMonitor *mon)
{
    if (!mon)
        return;
    if (mon->sock)
        g_socket_close(mon->sock, NULL);
    g_clear_object(&mon->sock);
    g_clear_object(&mon->conn);
    g_string_free(mon->rbuf, TRUE);
    g_queue_clear_full(&mon->events, (GDestroyNotify)json_object_unref);
    g_free(mon->lastErrorClass);
    if (mon->greeting)
        json_object_unref(mon->greeting);
    g_free(mon);
}

void
vgmQemuMonitorSetTimeout(VgmQemuMonitor *mon, unsigned int timeoutMs)
{
    mon->timeoutMs = timeoutMs ? timeoutMs : VGM_QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
}

const char *
vgmQemuMonitorGetLastErrorClass(VgmQemuMonitor *mon)
{
    return mon->lastErrorClass;
}

JsonObject *
vgmQemuMonitorGetGreeting(VgmQemuMonitor *mon)
{
    return mon->greeting;
}

gboolean
vgmQemuMonitorIsClosed(VgmQemuMonitor *mon)
{
    return mon->closed;
}

GPtrArray *
vgmQemuMonitorTakeEvents(VgmQemuMonitor *mon)
{
    GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    JsonObject *ev;

    while ((ev = g_queue_pop_head(&mon->events)))
        g_ptr_array_add(events, ev);
    return events;
}

/* Waits for @cond until @deadline (monotonic µs). */
static gboolean
vgmQemuMonitorWait(VgmQemuMonitor *mon, GIOCondition cond, gint64 deadline,
                   const char *what, GError **error)
{
    g_autoptr(GError) err = NULL;
    gint64 remaining = deadline - g_get_monotonic_time();

    if (remaining <= 0 ||
        !g_socket_condition_timed_wait(mon->sock, cond, remaining, NULL, &err)) {
        if (!err || g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("timed out waiting for QEMU monitor reply to '%1$s'"),
                        what);
        } else {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot wait on QEMU monitor socket: %1$s"),
                        err->message);
        }
        return FALSE;
    }
    return TRUE;
}

/* @fd (-1: none) goes with the first bytes, as QMP's getfd takes it */
static gboolean
vgmQemuMonitorWriteAll(VgmQemuMonitor *mon, const char *data, gsize len, int fd,
                       gint64 deadline, const char *what, GError **error)
{
    while (len > 0) {
        g_autoptr(GError) err = NULL;
        gssize n;

        if (!vgmQemuMonitorWait(mon, G_IO_OUT, deadline, what, error))
            return FALSE;
        if (fd >= 0) {
            GOutputVector vec = { data, len };
            g_autoptr(GSocketControlMessage) fdmsg = g_unix_fd_message_new();
            GSocketControlMessage *msgs[1];

            if (!g_unix_fd_message_append_fd(G_UNIX_FD_MESSAGE(fdmsg), fd, &err)) {
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("cannot pass a file descriptor with '%1$s': %2$s"),
                            what, err->message);
                return FALSE;
            }
            msgs[0] = fdmsg;
            n = g_socket_send_message(mon->sock, NULL, &vec, 1, msgs, 1, 0, NULL, &err);
            if (n > 0)
                fd = -1;
        } else {
            n = g_socket_send(mon->sock, data, len, NULL, &err);
        }
        if (n < 0) {
            if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                continue;
            if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
                g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
                mon->closed = TRUE;
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("QEMU monitor closed the connection while sending '%1$s'"),
                            what);
                return FALSE;
            }
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot send '%1$s' to QEMU monitor: %2$s"),
                        what, err->message);
            return FALSE;
        }
        data += n;
        len -= n;
    }
    return TRUE;
}

/* ---- parsing (no socket) ---- */

/* The string value of @obj's member @name, NULL when absent or not a string. */
static const char *
vgmQemuMonitorStringMember(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

void
vgmQemuMonitorMessageFree(VgmQemuMonitorMessage *msg)
{
    if (!msg)
        return;
    if (msg->obj)
        json_object_unref(msg->obj);
    g_free(msg);
}

VgmQemuMonitorMessage *
vgmQemuMonitorParseMessage(const char *data, gsize len, GError **error)
{
    g_autoptr(VgmQemuMonitorMessage) msg = NULL;
    g_autofree char *line = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) err = NULL;
    const char *why = NULL;
    JsonNode *qmp;

    if (memchr(data, '\0', len)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("malformed message from QEMU monitor: it contains a NUL byte"));
        return NULL;
    }
    line = g_strndup(data, len);
    g_strchomp(line);
    if (!(node = json_from_string(line, &err)) || !JSON_NODE_HOLDS_OBJECT(node)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("malformed message from QEMU monitor: %1$s"),
                    err ? err->message : line);
        return NULL;
    }
    if (!vgmJsonCheck(node, &why)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("malformed message from QEMU monitor: %1$s"), why);
        return NULL;
    }
    msg = g_new0(VgmQemuMonitorMessage, 1);
    msg->obj = json_object_ref(json_node_get_object(node));
    msg->hasId = json_object_has_member(msg->obj, "id");
    msg->id = vgmQemuMonitorStringMember(msg->obj, "id");
    qmp = json_object_get_member(msg->obj, "QMP");
    if (json_object_has_member(msg->obj, "event")) {
        msg->kind = VGM_QEMU_MONITOR_MSG_EVENT;
    } else if (json_object_has_member(msg->obj, "error")) {
        JsonNode *errNode = json_object_get_member(msg->obj, "error");

        msg->kind = VGM_QEMU_MONITOR_MSG_ERROR;
        if (JSON_NODE_HOLDS_OBJECT(errNode)) {
            JsonObject *e = json_node_get_object(errNode);

            msg->errorClass = vgmQemuMonitorStringMember(e, "class");
            msg->errorDesc = vgmQemuMonitorStringMember(e, "desc");
        }
    } else if (json_object_has_member(msg->obj, "return")) {
        msg->kind = VGM_QEMU_MONITOR_MSG_RETURN;
    } else if (qmp && JSON_NODE_HOLDS_OBJECT(qmp)) {
        msg->kind = VGM_QEMU_MONITOR_MSG_GREETING;
    } else {
        msg->kind = VGM_QEMU_MONITOR_MSG_OTHER;
    }
    return g_steal_pointer(&msg);
}

gboolean
vgmQemuMonitorParseLines(const char *data, gsize len, GPtrArray *msgs,
                         gsize *consumed, GError **error)
{
    gsize pos = 0;

    *consumed = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        VgmQemuMonitorMessage *msg;

        if (!nl)
            break;
        msg = vgmQemuMonitorParseMessage(data + pos, nl - (data + pos), error);
        pos = nl - data + 1;
        *consumed = pos;
        if (!msg)
            return FALSE;
        g_ptr_array_add(msgs, msg);
    }
    return TRUE;
}

/* ---- the socket ---- */

/* Waits until @mon->rbuf holds a complete line; *@lineLen: its length
 * (without the newline), at the start of the buffer. */
static gboolean
vgmQemuMonitorReadLine(VgmQemuMonitor *mon, gint64 deadline, const char *what,
                       gsize *lineLen, GError **error)
{
    for (;;) {
        g_autoptr(GError) err = NULL;
        char buf[65536];
        char *nl = memchr(mon->rbuf->str, '\n', mon->rbuf->len);
        gssize n;

        if (nl) {
            *lineLen = nl - mon->rbuf->str;
            return TRUE;
        }
        if (mon->closed) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU monitor closed the connection while waiting for the reply to '%1$s'"),
                        what);
            return FALSE;
        }
        if (mon->rbuf->len > VGM_QEMU_MONITOR_MAX_LINE) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU monitor sent a message longer than %1$d bytes"),
                        VGM_QEMU_MONITOR_MAX_LINE);
            return FALSE;
        }
        if (!vgmQemuMonitorWait(mon, G_IO_IN, deadline, what, error))
            return FALSE;
        n = g_socket_receive(mon->sock, buf, sizeof(buf), NULL, &err);
        if (n < 0) {
            if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                continue;
            if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
                mon->closed = TRUE;
                continue;
            }
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot read from QEMU monitor: %1$s"), err->message);
            return FALSE;
        }
        if (n == 0) {
            mon->closed = TRUE;
            continue;
        }
        g_string_append_len(mon->rbuf, buf, n);
    }
}

/* Reads one message. */
static VgmQemuMonitorMessage *
vgmQemuMonitorReadMessage(VgmQemuMonitor *mon, gint64 deadline,
                          const char *what, GError **error)
{
    VgmQemuMonitorMessage *msg;
    gsize len = 0;

    if (!vgmQemuMonitorReadLine(mon, deadline, what, &len, error))
        return NULL;
    msg = vgmQemuMonitorParseMessage(mon->rbuf->str, len, error);
    g_string_erase(mon->rbuf, 0, len + 1);
    return msg;
}

static gboolean
vgmQemuMonitorReadGreeting(VgmQemuMonitor *mon, gint64 deadline, GError **error)
{
    g_autoptr(VgmQemuMonitorMessage) msg = NULL;
    JsonNode *qmp;

    for (;;) {
        if (!(msg = vgmQemuMonitorReadMessage(mon, deadline, "greeting", error)))
            return FALSE;
        if (msg->kind != VGM_QEMU_MONITOR_MSG_EVENT)
            break;
        g_queue_push_tail(&mon->events, json_object_ref(msg->obj));
        g_clear_pointer(&msg, vgmQemuMonitorMessageFree);
    }
    qmp = json_object_get_member(msg->obj, "QMP");
    if (!qmp || !JSON_NODE_HOLDS_OBJECT(qmp)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("QEMU monitor did not start with a QMP greeting"));
        return FALSE;
    }
    mon->greeting = json_object_ref(json_node_get_object(qmp));
    return TRUE;
}

/* @reply (nullable): the whole reply, error replies included, which are
 * then no failure */
static gboolean
vgmQemuMonitorCommandDeadline(VgmQemuMonitor *mon, const char *cmd,
                              JsonObject *args, int fd, JsonNode **ret,
                              JsonObject **reply, gint64 deadline, GError **error)
{
    g_autoptr(JsonObject) req = json_object_new();
    g_autoptr(JsonNode) reqNode = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *id = g_strdup_printf("vgm-%" G_GUINT64_FORMAT, ++mon->serial);
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;

    g_clear_pointer(&mon->lastErrorClass, g_free);
    if (ret)
        *ret = NULL;

    json_object_set_string_member(req, "execute", cmd);
    if (args)
        json_object_set_object_member(req, "arguments", json_object_ref(args));
    json_object_set_string_member(req, "id", id);
    json_node_set_object(reqNode, req);
    text = json_to_string(reqNode, FALSE);
    line = g_strconcat(text, "\n", NULL);

    if (!vgmQemuMonitorWriteAll(mon, line, strlen(line), fd, deadline, cmd, error))
        return FALSE;

    for (;;) {
        g_autoptr(VgmQemuMonitorMessage) msg = NULL;

        if (!(msg = vgmQemuMonitorReadMessage(mon, deadline, cmd, error)))
            return FALSE;
        if (msg->kind == VGM_QEMU_MONITOR_MSG_EVENT) {
            g_queue_push_tail(&mon->events, json_object_ref(msg->obj));
            continue;
        }
        if (msg->kind != VGM_QEMU_MONITOR_MSG_ERROR &&
            msg->kind != VGM_QEMU_MONITOR_MSG_RETURN) {
            /* Neither reply nor event: nothing we know, skip it. */
            continue;
        }
        /* A reply without id answers a request QEMU could not parse. */
        if (msg->hasId && g_strcmp0(msg->id, id) != 0)
            continue;

        if (reply) {
            *reply = json_object_ref(msg->obj);
            return TRUE;
        }
        if (msg->kind == VGM_QEMU_MONITOR_MSG_ERROR) {
            mon->lastErrorClass = g_strdup(msg->errorClass ? msg->errorClass : "GenericError");
            /* (libvirt's code for what QEMU refuses, which clients such
             * as OpenStack Nova tell apart by it and QEMU's words: a
             * second device_del of a device "already in the process of
             * unplug") */
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("QEMU monitor command '%1$s' failed: %2$s: %3$s"),
                        cmd, mon->lastErrorClass,
                        msg->errorDesc ? msg->errorDesc : _("no description"));
            return FALSE;
        }
        if (ret)
            *ret = json_node_copy(json_object_get_member(msg->obj, "return"));
        return TRUE;
    }
}

gboolean
vgmQemuMonitorCommand(VgmQemuMonitor *mon, const char *cmd, JsonObject *args,
                      JsonNode **ret, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)mon->timeoutMs * 1000;

    return vgmQemuMonitorCommandDeadline(mon, cmd, args, -1, ret, NULL, deadline, error);
}

gboolean
vgmQemuMonitorCommandWithFd(VgmQemuMonitor *mon, const char *cmd, JsonObject *args,
                            int fd, JsonNode **ret, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)mon->timeoutMs * 1000;

    return vgmQemuMonitorCommandDeadline(mon, cmd, args, fd, ret, NULL, deadline, error);
}

gboolean
vgmQemuMonitorQueryFind(VgmQemuMonitor *mon, const char *cmd, const char *member,
                        const char *value, JsonObject **found, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    *found = NULL;
    if (!vgmQemuMonitorCommand(mon, cmd, NULL, &ret, error))
        return FALSE;
    arr = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

        if (o && g_strcmp0(json_object_get_string_member_with_default(o, member, NULL),
                           value) == 0) {
            *found = json_object_ref(o);
            break;
        }
    }
    return TRUE;
}

char *
vgmQemuMonitorCommandText(VgmQemuMonitor *mon, const char *request, GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)mon->timeoutMs * 1000;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(JsonNode) out = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(GError) err = NULL;
    JsonObject *req;
    JsonNode *args;
    const char *cmd;

    if (!(node = json_from_string(request, &err)) || !JSON_NODE_HOLDS_OBJECT(node) ||
        !(cmd = json_object_get_string_member_with_default(req = json_node_get_object(node),
                                                           "execute", NULL))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("QEMU monitor command '%1$s' is not a JSON object with an \"execute\" member%2$s%3$s"),
                    request, err ? ": " : "", err ? err->message : "");
        return NULL;
    }
    args = json_object_get_member(req, "arguments");
    if (args && !JSON_NODE_HOLDS_OBJECT(args)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the \"arguments\" of QEMU monitor command '%1$s' are not a JSON object"),
                    cmd);
        return NULL;
    }
    if (!vgmQemuMonitorCommandDeadline(mon, cmd, args ? json_node_get_object(args) : NULL, -1,
                                       NULL, &reply, deadline, error))
        return NULL;
    json_node_set_object(out, reply);
    return json_to_string(out, FALSE);
}

static gboolean
vgmQemuMonitorHandshake(VgmQemuMonitor *mon, gint64 deadline, GError **error)
{
    g_socket_set_blocking(mon->sock, FALSE);
    if (!vgmQemuMonitorReadGreeting(mon, deadline, error))
        return FALSE;
    return vgmQemuMonitorCommandDeadline(mon, "qmp_capabilities", NULL, -1, NULL, NULL,
                                         deadline, error);
}

/* Connects to @path: the monitor with its socket, not yet greeted. */
static VgmQemuMonitor *
vgmQemuMonitorConnect(const char *path, unsigned int timeoutMs, gint64 deadline,
                      GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = vgmQemuMonitorNewInternal();
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    gint64 left = (deadline - g_get_monotonic_time()) / G_USEC_PER_SEC;

    g_socket_client_set_timeout(client, left > 0 ? (guint)left + 1 : 1);
    for (;;) {
        g_autoptr(GError) err = NULL;

        mon->conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr),
                                            NULL, &err);
        if (mon->conn)
            break;
        /* not there yet, or its backlog is full (QEMU serves one monitor
         * client at a time: others wait in a short queue) */
        if ((g_error_matches(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
             g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
             g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) &&
            g_get_monotonic_time() + VGM_QEMU_MONITOR_RETRY_US < deadline) {
            g_usleep(VGM_QEMU_MONITOR_RETRY_US);
            continue;
        }
        /* a queue still full at the end: another holds the monitor, or
         * QEMU does not take the next one (hung), as libvirt's wait for a
         * domain's job times out */
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("timed out after %1$u ms waiting for QEMU monitor socket %2$s: another call holds the monitor, or QEMU does not answer"),
                        timeoutMs, path);
        else
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot connect to QEMU monitor socket %1$s: %2$s"),
                        path, err->message);
        return NULL;
    }
    mon->sock = g_object_ref(g_socket_connection_get_socket(mon->conn));
    g_socket_set_blocking(mon->sock, FALSE);
    return g_steal_pointer(&mon);
}

/*
 * @first not greeted for a while, or (@greeted) its qmp_capabilities (id
 * "vgm-<serial>") unanswered. Either QEMU is busy, or it is stuck: QEMU up
 * to 10.x listens for its first QMP client from its main thread and its
 * monitor thread at once for a moment after it starts; a client that
 * connects then is taken by one, while the other blocks in accept() until
 * a next client comes, which it then makes the monitor's client in place
 * of the first. With the main thread blocked the first is greeted and its
 * commands are never run; with the monitor thread blocked it is not even
 * greeted. So a second connection is made, and whichever of the two speaks
 * first is the monitor: the first's late greeting or answer (QEMU was
 * busy; the second waits in QEMU's queue and is dropped), or a greeting on
 * the second (the first is abandoned; the first's command may already have
 * negotiated the capabilities, which QEMU then says of the second's).
 * The second connection is tried once: in the race QEMU's queue is empty
 * (a thread waits in accept()); a full one means other clients wait for
 * the monitor too, and the first then waits its turn as it would have.
 */
static VgmQemuMonitor *
vgmQemuMonitorOpenStalled(VgmQemuMonitor *first, gboolean greeted, const char *path,
                          unsigned int timeoutMs, gint64 deadline, GError **error)
{
    g_autoptr(VgmQemuMonitor) owned = first;
    g_autoptr(VgmQemuMonitor) second = NULL;
    g_autofree char *id = g_strdup_printf("vgm-%" G_GUINT64_FORMAT, first->serial);

    /* (one attempt: a deadline of now) */
    if ((second = vgmQemuMonitorConnect(path, timeoutMs, g_get_monotonic_time(), NULL)))
        /* its ids follow the first's, so that an answer to the first's
         * command read there is not taken for its own */
        second->serial = first->serial;
    for (;;) {
        GPollFD fds[2] = {
            { g_socket_get_fd(first->sock), G_IO_IN, 0 },
            { second ? g_socket_get_fd(second->sock) : -1, G_IO_IN, 0 },
        };
        gint64 remaining = deadline - g_get_monotonic_time();

        if (memchr(first->rbuf->str, '\n', first->rbuf->len) || first->closed) {
            fds[0].revents = G_IO_IN;
        } else if (remaining <= 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("timed out waiting for QEMU monitor reply to '%1$s'"),
                        "qmp_capabilities");
            return NULL;
        } else if (g_poll(fds, second ? 2 : 1, (gint)((remaining + 999) / 1000)) < 0) {
            if (errno == EINTR)
                continue;
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot wait on QEMU monitor socket: %1$s"), g_strerror(errno));
            return NULL;
        }
        if (fds[0].revents && !greeted) {
            /* only slow: on with the first */
            if (!vgmQemuMonitorReadGreeting(first, deadline, error) ||
                !vgmQemuMonitorCommandDeadline(first, "qmp_capabilities", NULL, -1, NULL, NULL,
                                               deadline, error))
                return NULL;
            return g_steal_pointer(&owned);
        }
        if (fds[0].revents) {
            g_autoptr(VgmQemuMonitorMessage) msg = NULL;

            if (!(msg = vgmQemuMonitorReadMessage(first, deadline, "qmp_capabilities", error)))
                return NULL;
            if (msg->kind == VGM_QEMU_MONITOR_MSG_EVENT) {
                g_queue_push_tail(&first->events, json_object_ref(msg->obj));
                continue;
            }
            if ((msg->kind != VGM_QEMU_MONITOR_MSG_ERROR &&
                 msg->kind != VGM_QEMU_MONITOR_MSG_RETURN) ||
                (msg->hasId && g_strcmp0(msg->id, id) != 0))
                continue;
            if (msg->kind == VGM_QEMU_MONITOR_MSG_ERROR) {
                vgmErrorSet(error, VGM_ERR_INTERNAL,
                            _("QEMU monitor command '%1$s' failed: %2$s: %3$s"),
                            "qmp_capabilities",
                            msg->errorClass ? msg->errorClass : "GenericError",
                            msg->errorDesc ? msg->errorDesc : _("no description"));
                return NULL;
            }
            return g_steal_pointer(&owned);
        }
        if (fds[1].revents) {
            g_autoptr(GError) err = NULL;

            if (!vgmQemuMonitorReadGreeting(second, deadline, error))
                return NULL;
            g_message(_("QEMU monitor %1$s did not serve its first client and greeted a second: QEMU's listening race, the second is used"),
                      path);
            g_clear_pointer(&owned, vgmQemuMonitorFree);
            if (!vgmQemuMonitorCommandDeadline(second, "qmp_capabilities", NULL, -1, NULL, NULL,
                                               deadline, &err) &&
                g_strcmp0(second->lastErrorClass, "CommandNotFound") != 0) {
                g_propagate_error(error, g_steal_pointer(&err));
                return NULL;
            }
            g_clear_pointer(&second->lastErrorClass, g_free);
            return g_steal_pointer(&second);
        }
    }
}

VgmQemuMonitor *
vgmQemuMonitorOpen(const char *path, unsigned int timeoutMs, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    gint64 deadline, stall;
    gboolean greeted;

    if (timeoutMs == 0)
        timeoutMs = VGM_QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    deadline = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    if (!(mon = vgmQemuMonitorConnect(path, timeoutMs, deadline, error)))
        return NULL;
    stall = MIN(deadline, g_get_monotonic_time() + VGM_QEMU_MONITOR_STALL_US);
    if (!vgmQemuMonitorReadGreeting(mon, stall, &err)) {
        greeted = FALSE;
    } else {
        greeted = TRUE;
        stall = MIN(deadline, g_get_monotonic_time() + VGM_QEMU_MONITOR_STALL_US);
        if (vgmQemuMonitorCommandDeadline(mon, "qmp_capabilities", NULL, -1, NULL, NULL,
                                          stall, &err))
            return g_steal_pointer(&mon);
    }
    if (stall == deadline || !g_error_matches(err, VGM_ERROR, VGM_ERR_OPERATION_TIMEOUT)) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    return vgmQemuMonitorOpenStalled(g_steal_pointer(&mon), greeted, path, timeoutMs, deadline,
                                     error);
}

VgmQemuMonitor *
vgmQemuMonitorOpenFd(int fd, unsigned int timeoutMs, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = vgmQemuMonitorNewInternal();
    g_autoptr(GError) err = NULL;

    if (!(mon->sock = g_socket_new_from_fd(fd, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot use file descriptor %1$d as QEMU monitor: %2$s"),
                    fd, err->message);
        close(fd);
        return NULL;
    }
    if (timeoutMs == 0)
        timeoutMs = VGM_QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    if (!vgmQemuMonitorHandshake(mon, g_get_monotonic_time() + (gint64)timeoutMs * 1000,
                                 error))
        return NULL;
    return g_steal_pointer(&mon);
}

gboolean
vgmQemuMonitorWaitSocket(GSubprocess *proc, const char *path, gint64 deadline,
                         GError **error)
{
    gint64 start = g_get_monotonic_time();

    for (;;) {
        if (g_file_test(path, G_FILE_TEST_EXISTS))
            return TRUE;
        if (!g_subprocess_get_identifier(proc)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                        _("QEMU exited before its monitor socket appeared"));
            return FALSE;
        }
        if (g_get_monotonic_time() > deadline) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("QEMU did not create its monitor socket within %1$u ms"),
                        (unsigned int)((deadline - start) / 1000));
            return FALSE;
        }
        g_usleep(10 * 1000);
    }
}
