/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_agent.c: the synchronous guest agent client.
 *
 * qemu-ga reads JSON requests and answers each with one JSON line, as QMP
 * does, but sends no greeting and no events. Stale bytes are the hazard:
 * an answer the guest wrote after the client that asked left, or half a
 * request in the agent's parser. The sync clears both: the client sends a
 * 0xFF byte, which qemu-ga's parser takes as the end of whatever it held,
 * then guest-sync-delimited with a fresh id; the agent writes a 0xFF byte
 * before its answer. Everything read before that byte is dropped, then
 * answers are read until the one that carries the id.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "qemu_agent.h"
#include "qemu_monitor.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

#define VGM_QEMU_AGENT_DELIMITER '\xff'

/* While a reply is awaited, how often the caller's check that the guest
 * still has its port open runs (µs) */
#define VGM_QEMU_AGENT_ALIVE_US (1000 * 1000)

struct _VgmQemuAgent {
    GSocketConnection *conn;    /* NULL when opened from an fd */
    GSocket *sock;
    GString *rbuf;              /* bytes read and not yet consumed */
    gboolean closed;
    char *lastErrorClass;
    VgmQemuAgentAliveFunc alive;
    gpointer aliveData;
};

void
vgmQemuAgentFree(VgmQemuAgent *agent)
{
    if (!agent)
        return;
    if (agent->sock)
        g_socket_close(agent->sock, NULL);
    g_clear_object(&agent->sock);
    g_clear_object(&agent->conn);
    g_string_free(agent->rbuf, TRUE);
    g_free(agent->lastErrorClass);
    g_free(agent);
}

const char *
vgmQemuAgentLastErrorClass(VgmQemuAgent *agent)
{
    return agent->lastErrorClass;
}

void
vgmQemuAgentSetAlive(VgmQemuAgent *agent, VgmQemuAgentAliveFunc alive, gpointer data)
{
    agent->alive = alive;
    agent->aliveData = data;
}

/* The monotonic deadline (µs) @seconds from now; -1: none (the timeout
 * VGM_QEMU_AGENT_TIMEOUT_BLOCK); libvirt's default is 5 seconds */
static gint64
vgmQemuAgentDeadline(int seconds)
{
    if (seconds == VGM_QEMU_AGENT_TIMEOUT_DEFAULT)
        seconds = VGM_QEMU_AGENT_SYNC_SECONDS;
    if (seconds < 0)
        return -1;
    return g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
}

static void
vgmQemuAgentTimedOut(const char *cmd, GError **error)
{
    vgmErrorSet(error, VGM_ERR_AGENT_UNRESPONSIVE,
                _("guest agent is not responding: no answer to '%1$s' in time"), cmd);
}

/* Waits for @cond until @deadline (-1: for ever); FALSE with the error.
 * A guest that closes its port (a reboot, qemu-ga gone) leaves QEMU's end
 * of the socket open and the request unanswered: with an alive check, the
 * wait looks every VGM_QEMU_AGENT_ALIVE_US and fails when the port closed */
static gboolean
vgmQemuAgentWait(VgmQemuAgent *agent, GIOCondition cond, gint64 deadline, const char *cmd,
                 GError **error)
{
    for (;;) {
        g_autoptr(GError) err = NULL;
        gint64 left = -1;
        gboolean sliced;

        if (deadline >= 0 && (left = deadline - g_get_monotonic_time()) < 0)
            left = 0;
        sliced = agent->alive && (left < 0 || left > VGM_QEMU_AGENT_ALIVE_US);
        if (sliced)
            left = VGM_QEMU_AGENT_ALIVE_US;
        if (g_socket_condition_timed_wait(agent->sock, cond, left, NULL, &err))
            return TRUE;
        if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot wait on the guest agent's socket: %1$s"), err->message);
            return FALSE;
        }
        if (!sliced) {
            vgmQemuAgentTimedOut(cmd, error);
            return FALSE;
        }
        if (!agent->alive(agent->aliveData)) {
            vgmErrorSet(error, VGM_ERR_AGENT_UNRESPONSIVE,
                        _("guest agent is not responding: the guest closed the agent's port while '%1$s' was awaited"),
                        cmd);
            return FALSE;
        }
    }
}

static gboolean
vgmQemuAgentSend(VgmQemuAgent *agent, const char *data, gsize len, gint64 deadline,
                 const char *cmd, GError **error)
{
    while (len > 0) {
        g_autoptr(GError) err = NULL;
        gssize n;

        if (!vgmQemuAgentWait(agent, G_IO_OUT, deadline, cmd, error))
            return FALSE;
        if ((n = g_socket_send(agent->sock, data, len, NULL, &err)) < 0) {
            if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                continue;
            agent->closed = TRUE;
            vgmErrorSet(error, VGM_ERR_AGENT_UNRESPONSIVE,
                        _("guest agent is not responding: cannot send '%1$s': %2$s"),
                        cmd, err->message);
            return FALSE;
        }
        data += n;
        len -= n;
    }
    return TRUE;
}

/* Reads what the socket has into rbuf, waiting until @deadline for some;
 * FALSE with the error at the deadline, on an error, or when the agent's
 * end is closed */
static gboolean
vgmQemuAgentFill(VgmQemuAgent *agent, gint64 deadline, const char *cmd, GError **error)
{
    for (;;) {
        g_autoptr(GError) err = NULL;
        char buf[65536];
        gssize n;

        if (agent->closed) {
            vgmErrorSet(error, VGM_ERR_AGENT_UNRESPONSIVE,
                        _("guest agent is not responding: the connection closed while waiting for '%1$s'"),
                        cmd);
            return FALSE;
        }
        if (agent->rbuf->len > VGM_QEMU_AGENT_MAX_REPLY) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the guest agent's answer to '%1$s' is longer than %2$d bytes"),
                        cmd, VGM_QEMU_AGENT_MAX_REPLY);
            return FALSE;
        }
        if (!vgmQemuAgentWait(agent, G_IO_IN, deadline, cmd, error))
            return FALSE;
        n = g_socket_receive(agent->sock, buf, sizeof(buf), NULL, &err);
        if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            continue;
        if (n <= 0) {
            agent->closed = TRUE;
            continue;
        }
        g_string_append_len(agent->rbuf, buf, n);
        return TRUE;
    }
}

/* The next reply (a message with "return" or "error"); lines that are
 * neither are skipped, as are lines that do not parse (a guest may write
 * anything into its port) */
static VgmQemuMonitorMessage *
vgmQemuAgentReadReply(VgmQemuAgent *agent, gint64 deadline, const char *cmd, GError **error)
{
    for (;;) {
        char *nl = memchr(agent->rbuf->str, '\n', agent->rbuf->len);
        VgmQemuMonitorMessage *msg;
        gsize len;

        if (!nl) {
            if (!vgmQemuAgentFill(agent, deadline, cmd, error))
                return NULL;
            continue;
        }
        len = nl - agent->rbuf->str;
        msg = vgmQemuMonitorParseMessage(agent->rbuf->str, len, NULL);
        g_string_erase(agent->rbuf, 0, len + 1);
        if (msg && (msg->kind == VGM_QEMU_MONITOR_MSG_RETURN ||
                    msg->kind == VGM_QEMU_MONITOR_MSG_ERROR))
            return msg;
        vgmQemuMonitorMessageFree(msg);
    }
}

static gboolean
vgmQemuAgentSync(VgmQemuAgent *agent, int timeout, GError **error)
{
    const char *cmd = "guest-sync-delimited";
    /* a fresh id, exact in a double (some agents read numbers so) */
    gint64 id = ((g_get_real_time() / 1000) & G_GINT64_CONSTANT(0xfffffffff)) * 1000 +
                g_random_int_range(0, 1000);
    g_autofree char *req = NULL;
    gint64 deadline;

    if (timeout < 0 || timeout > VGM_QEMU_AGENT_SYNC_SECONDS)
        timeout = VGM_QEMU_AGENT_SYNC_SECONDS;
    deadline = vgmQemuAgentDeadline(timeout);
    req = g_strdup_printf("%c{\"execute\":\"%s\",\"arguments\":{\"id\":%" G_GINT64_FORMAT "}}\n",
                          VGM_QEMU_AGENT_DELIMITER, cmd, id);
    if (!vgmQemuAgentSend(agent, req, strlen(req), deadline, cmd, error))
        return FALSE;
    for (;;) {
        g_autoptr(VgmQemuMonitorMessage) msg = NULL;
        char *delim = memchr(agent->rbuf->str, VGM_QEMU_AGENT_DELIMITER, agent->rbuf->len);
        JsonNode *ret;

        /* what came before the agent's delimiter is stale */
        if (!delim) {
            g_string_truncate(agent->rbuf, 0);
            if (!vgmQemuAgentFill(agent, deadline, cmd, error))
                return FALSE;
            continue;
        }
        g_string_erase(agent->rbuf, 0, delim - agent->rbuf->str + 1);
        if (!(msg = vgmQemuAgentReadReply(agent, deadline, cmd, error)))
            return FALSE;
        ret = json_object_get_member(msg->obj, "return");
        if (msg->kind == VGM_QEMU_MONITOR_MSG_RETURN && JSON_NODE_HOLDS_VALUE(ret) &&
            json_node_get_value_type(ret) == G_TYPE_INT64 && json_node_get_int(ret) == id)
            return TRUE;
        /* a late answer to an earlier client's sync: wait for ours */
    }
}

static VgmQemuAgent *
vgmQemuAgentNew(GSocket *sock, GSocketConnection *conn, int timeout, GError **error)
{
    g_autoptr(VgmQemuAgent) agent = g_new0(VgmQemuAgent, 1);

    agent->sock = sock;
    agent->conn = conn;
    agent->rbuf = g_string_new(NULL);
    g_socket_set_blocking(agent->sock, FALSE);
    if (!vgmQemuAgentSync(agent, timeout, error))
        return NULL;
    return g_steal_pointer(&agent);
}

VgmQemuAgent *
vgmQemuAgentOpen(const char *path, int timeout, GError **error)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GError) err = NULL;
    GSocketConnection *conn;

    g_socket_client_set_timeout(client, VGM_QEMU_AGENT_SYNC_SECONDS);
    if (!(conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &err))) {
        vgmErrorSet(error, VGM_ERR_AGENT_UNRESPONSIVE,
                    _("guest agent is not responding: cannot connect to %1$s: %2$s"),
                    path, err->message);
        return NULL;
    }
    return vgmQemuAgentNew(g_object_ref(g_socket_connection_get_socket(conn)), conn,
                           timeout, error);
}

VgmQemuAgent *
vgmQemuAgentOpenFd(int fd, int timeout, GError **error)
{
    g_autoptr(GError) err = NULL;
    GSocket *sock;

    if (!(sock = g_socket_new_from_fd(fd, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot use file descriptor %1$d for the guest agent: %2$s"),
                    fd, err->message);
        close(fd);
        return NULL;
    }
    return vgmQemuAgentNew(sock, NULL, timeout, error);
}

/* Sends the request text @line (one line, with its newline) */
static gboolean
vgmQemuAgentSendLine(VgmQemuAgent *agent, const char *line, const char *cmd, GError **error)
{
    g_clear_pointer(&agent->lastErrorClass, g_free);
    /* nothing is written for long: the agent reads as it goes */
    return vgmQemuAgentSend(agent, line, strlen(line),
                            vgmQemuAgentDeadline(VGM_QEMU_AGENT_SYNC_SECONDS), cmd, error);
}

static char *
vgmQemuAgentRequest(const char *cmd, JsonObject *args)
{
    g_autoptr(JsonObject) req = json_object_new();
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *text = NULL;

    json_object_set_string_member(req, "execute", cmd);
    if (args)
        json_object_set_object_member(req, "arguments", json_object_ref(args));
    json_node_set_object(node, req);
    text = json_to_string(node, FALSE);
    return g_strconcat(text, "\n", NULL);
}

/* Fails with the agent's error reply @msg to @cmd */
static gboolean
vgmQemuAgentReplyError(VgmQemuAgent *agent, VgmQemuMonitorMessage *msg, const char *cmd,
                       GError **error)
{
    agent->lastErrorClass = g_strdup(msg->errorClass ? msg->errorClass : "GenericError");
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("guest agent command '%1$s' failed: %2$s"), cmd,
                msg->errorDesc ? msg->errorDesc : agent->lastErrorClass);
    return FALSE;
}

/* The reply to @cmd, sent as @line, within @timeout seconds */
static VgmQemuMonitorMessage *
vgmQemuAgentTransact(VgmQemuAgent *agent, const char *line, const char *cmd, int timeout,
                     GError **error)
{
    g_autoptr(VgmQemuMonitorMessage) msg = NULL;

    if (!vgmQemuAgentSendLine(agent, line, cmd, error) ||
        !(msg = vgmQemuAgentReadReply(agent, vgmQemuAgentDeadline(timeout), cmd, error)))
        return NULL;
    if (msg->kind == VGM_QEMU_MONITOR_MSG_ERROR) {
        vgmQemuAgentReplyError(agent, msg, cmd, error);
        return NULL;
    }
    return g_steal_pointer(&msg);
}

gboolean
vgmQemuAgentCommand(VgmQemuAgent *agent, const char *cmd, JsonObject *args, int timeout,
                    JsonNode **ret, GError **error)
{
    g_autofree char *line = vgmQemuAgentRequest(cmd, args);
    g_autoptr(VgmQemuMonitorMessage) msg = NULL;

    if (ret)
        *ret = NULL;
    if (!(msg = vgmQemuAgentTransact(agent, line, cmd, timeout, error)))
        return FALSE;
    if (ret)
        *ret = json_node_copy(json_object_get_member(msg->obj, "return"));
    return TRUE;
}

gboolean
vgmQemuAgentCommandNoReply(VgmQemuAgent *agent, const char *cmd, JsonObject *args,
                           int waitSeconds, GError **error)
{
    g_autofree char *line = vgmQemuAgentRequest(cmd, args);
    g_autoptr(VgmQemuMonitorMessage) msg = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmQemuAgentSendLine(agent, line, cmd, error))
        return FALSE;
    if (!(msg = vgmQemuAgentReadReply(agent, vgmQemuAgentDeadline(waitSeconds), cmd, &err)))
        return g_error_matches(err, VGM_ERROR, VGM_ERR_AGENT_UNRESPONSIVE) ||
               (g_propagate_error(error, g_steal_pointer(&err)), FALSE);
    if (msg->kind == VGM_QEMU_MONITOR_MSG_ERROR)
        return vgmQemuAgentReplyError(agent, msg, cmd, error);
    return TRUE;
}

char *
vgmQemuAgentCommandText(VgmQemuAgent *agent, const char *request, int timeout,
                        GError **error)
{
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(JsonNode) reply = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuMonitorMessage) msg = NULL;
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;
    const char *cmd;

    if (!(node = json_from_string(request, &err)) || !JSON_NODE_HOLDS_OBJECT(node) ||
        !(cmd = json_object_get_string_member_with_default(json_node_get_object(node),
                                                           "execute", NULL))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("guest agent command '%1$s' is not a JSON object with an \"execute\" member%2$s%3$s"),
                    request, err ? ": " : "", err ? err->message : "");
        return NULL;
    }
    /* one line, whatever the caller's layout */
    text = json_to_string(node, FALSE);
    line = g_strconcat(text, "\n", NULL);
    if (!(msg = vgmQemuAgentTransact(agent, line, cmd, timeout, error)))
        return NULL;
    json_node_set_object(reply, msg->obj);
    return json_to_string(reply, FALSE);
}
