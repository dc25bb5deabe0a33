/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor.h: a small synchronous QMP client.
 *
 * One monitor is one connection to a QEMU QMP socket. Opening it reads the
 * greeting and negotiates capabilities; after that each command is sent and
 * its reply awaited with a deadline. Asynchronous events that arrive in
 * between are queued, not lost, and handed out by vgmQemuMonitorTakeEvents().
 * The client is deliberately blocking: the capability probe and the process
 * code use it from one thread at a time, and a main loop is not needed.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct _VgmQemuMonitor VgmQemuMonitor;

/* Default deadline for the greeting and for each command. */
#define VGM_QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000

/*
 * Connects to the unix socket @path, retrying while the socket does not
 * exist yet or refuses connections, for at most @timeoutMs milliseconds;
 * the same bound applies to the greeting and qmp_capabilities. Later
 * commands use the default timeout (see vgmQemuMonitorSetTimeout).
 */
VgmQemuMonitor *vgmQemuMonitorOpen(const char *path, unsigned int timeoutMs,
                                   GError **error);

/*
 * Uses an already connected stream socket (e.g. one end of a socketpair),
 * waiting up to @timeoutMs (0: the default) for the greeting and the
 * answer to qmp_capabilities. The monitor owns @fd from then on, also when
 * opening fails (it is closed).
 */
VgmQemuMonitor *vgmQemuMonitorOpenFd(int fd, unsigned int timeoutMs, GError **error);

void vgmQemuMonitorFree(VgmQemuMonitor *mon);

/* Deadline for each following command, in milliseconds (0: default). */
void vgmQemuMonitorSetTimeout(VgmQemuMonitor *mon, unsigned int timeoutMs);

/*
 * Runs @cmd with @args (nullable; not consumed) and stores the reply's
 * "return" member in @ret (nullable: the caller does not want it).
 * A QMP error reply fails with VGM_ERR_OPERATION_FAILED and a message
 * holding QEMU's class and description; no reply before the deadline fails
 * with VGM_ERR_OPERATION_TIMEOUT; a closed connection with
 * VGM_ERR_OPERATION_FAILED saying so.
 */
gboolean vgmQemuMonitorCommand(VgmQemuMonitor *mon, const char *cmd,
                               JsonObject *args, JsonNode **ret,
                               GError **error);

/* The same with file descriptor @fd passed along with the command
 * (SCM_RIGHTS), as QMP's getfd takes one; @fd stays the caller's. */
gboolean vgmQemuMonitorCommandWithFd(VgmQemuMonitor *mon, const char *cmd,
                                     JsonObject *args, int fd, JsonNode **ret,
                                     GError **error);

/*
 * Runs query command @cmd, whose reply is a list of objects, and stores
 * in *@found (a new reference) the first whose string member @member is
 * @value, NULL when none is.
 */
gboolean vgmQemuMonitorQueryFind(VgmQemuMonitor *mon, const char *cmd, const char *member,
                                 const char *value, JsonObject **found, GError **error);

/*
 * A command given as JSON text (an object with "execute" and optional
 * "arguments"), as virDomainQemuMonitorCommand takes it: QEMU's whole
 * reply as compact JSON text, an error reply too (the caller reads it);
 * a request that is not such an object fails with VGM_ERR_INVALID_ARG.
 */
char *vgmQemuMonitorCommandText(VgmQemuMonitor *mon, const char *request, GError **error);

/*
 * QEMU's error class (e.g. "DeviceNotFound") when the last failed command
 * failed because QEMU answered with an error; NULL after success or after
 * a transport failure (timeout, closed connection, malformed reply).
 */
const char *vgmQemuMonitorGetLastErrorClass(VgmQemuMonitor *mon);

/* The "QMP" member of the greeting (version and capabilities). */
JsonObject *vgmQemuMonitorGetGreeting(VgmQemuMonitor *mon);

/*
 * The events received so far, oldest first, as JsonObject (each the whole
 * message: "event", "data", "timestamp"); the queue is emptied. Never NULL.
 */
GPtrArray *vgmQemuMonitorTakeEvents(VgmQemuMonitor *mon);

/* Whether the peer closed the connection. */
gboolean vgmQemuMonitorIsClosed(VgmQemuMonitor *mon);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuMonitor, vgmQemuMonitorFree)

/*
 * Parsing what QEMU sends, without a socket (the socket reader uses these,
 * and so does the fuzz target tests/fuzz/qmpfuzz.c).
 *
 * One message is one line holding a JSON object. Its kind, first match
 * wins: an "event" member makes an event; an "error" member an error reply;
 * a "return" member a reply; a "QMP" object the greeting; else OTHER
 * (skipped by the client).
 */
typedef enum {
    VGM_QEMU_MONITOR_MSG_EVENT,
    VGM_QEMU_MONITOR_MSG_ERROR,
    VGM_QEMU_MONITOR_MSG_RETURN,
    VGM_QEMU_MONITOR_MSG_GREETING,
    VGM_QEMU_MONITOR_MSG_OTHER,
} VgmQemuMonitorMsgKind;

typedef struct {
    VgmQemuMonitorMsgKind kind;
    JsonObject *obj;         /* the whole message */
    gboolean hasId;          /* an "id" member, whatever its type */
    const char *id;          /* its value if a string, else NULL (in @obj) */
    const char *errorClass;  /* ERROR: "class" if a string, else NULL (in @obj) */
    const char *errorDesc;   /* ERROR: "desc" if a string, else NULL (in @obj) */
} VgmQemuMonitorMessage;

void vgmQemuMonitorMessageFree(VgmQemuMonitorMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuMonitorMessage, vgmQemuMonitorMessageFree)

/*
 * Parses one line of @len bytes (without its newline; trailing white space,
 * such as the CR of a CRLF, is ignored). Fails with VGM_ERR_OPERATION_FAILED
 * on a NUL byte, invalid JSON or a value other than an object.
 */
VgmQemuMonitorMessage *vgmQemuMonitorParseMessage(const char *data, gsize len,
                                                  GError **error);

/*
 * Parses every complete (newline-terminated) line of @data into @msgs
 * (VgmQemuMonitorMessage, appended in order). *@consumed: the bytes of the
 * lines handled, i.e. up to the last newline, or up to and including the
 * first malformed line, where it stops and fails; an unterminated tail is
 * left unconsumed.
 */
gboolean vgmQemuMonitorParseLines(const char *data, gsize len, GPtrArray *msgs,
                                  gsize *consumed, GError **error);

/*
 * Waits until the QEMU started as @proc created its monitor socket @path,
 * exited, or @deadline (monotonic time, microseconds) passed; the errors
 * say which.
 */
gboolean vgmQemuMonitorWaitSocket(GSubprocess *proc, const char *path,
                                  gint64 deadline, GError **error);
