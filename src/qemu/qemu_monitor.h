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
 * Uses an already connected stream socket (e.g. one end of a socketpair).
 * The monitor owns @fd from then on, also when opening fails (it is closed).
 */
VgmQemuMonitor *vgmQemuMonitorOpenFd(int fd, GError **error);

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
 * Waits until the QEMU started as @proc created its monitor socket @path,
 * exited, or @deadline (monotonic time, microseconds) passed; the errors
 * say which.
 */
gboolean vgmQemuMonitorWaitSocket(GSubprocess *proc, const char *path,
                                  gint64 deadline, GError **error);
