/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_agent.h: a small synchronous client of the QEMU guest agent
 * (qemu-ga), over the unix socket QEMU listens on for the guest's virtio
 * port org.qemu.guest_agent.0.
 *
 * One agent is one connection, opened for one operation. QEMU serves one
 * client of the socket at a time, and a guest may still be answering a
 * request of an earlier client that gave up, so the connection is synced
 * before its first command (guest-sync-delimited, see qemu_agent.c).
 *
 * Timeouts are in libvirt's terms: a number of seconds, or
 * VGM_QEMU_AGENT_TIMEOUT_BLOCK (wait for as long as it takes).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct _VgmQemuAgent VgmQemuAgent;

/* libvirt's VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_* (seconds otherwise) */
#define VGM_QEMU_AGENT_TIMEOUT_BLOCK (-2)
#define VGM_QEMU_AGENT_TIMEOUT_DEFAULT (-1)
#define VGM_QEMU_AGENT_TIMEOUT_NOWAIT 0

/* How long a sync may take, in seconds (shorter when the timeout is) */
#define VGM_QEMU_AGENT_SYNC_SECONDS 5

/* The longest reply taken (a guest's list of file systems or users) */
#define VGM_QEMU_AGENT_MAX_REPLY (10 * 1024 * 1024)

/*
 * Connects to the agent socket @path and syncs with the agent within
 * VGM_QEMU_AGENT_SYNC_SECONDS, or @timeout seconds when that is shorter
 * and not negative. Fails with VGM_ERR_AGENT_UNRESPONSIVE when the socket
 * cannot be reached or the agent does not answer.
 */
VgmQemuAgent *vgmQemuAgentOpen(const char *path, int timeout, GError **error);

/* The same over an already connected stream socket (tests); @fd is the
 * agent's from then on, also when it fails. */
VgmQemuAgent *vgmQemuAgentOpenFd(int fd, int timeout, GError **error);

void vgmQemuAgentFree(VgmQemuAgent *agent);

/* Whether the guest still has the agent's port open; asked about every
 * second while a reply is awaited, so that a guest that went away fails
 * the call rather than leaving it waiting (FALSE ends the wait) */
typedef gboolean (*VgmQemuAgentAliveFunc)(gpointer data);
void vgmQemuAgentSetAlive(VgmQemuAgent *agent, VgmQemuAgentAliveFunc alive, gpointer data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuAgent, vgmQemuAgentFree)

/*
 * Runs @cmd with @args (nullable, not consumed) and stores the reply's
 * "return" member in @ret (nullable). An error reply fails with
 * VGM_ERR_OPERATION_FAILED naming the command and the agent's
 * description; no reply within @timeout seconds, or a closed connection,
 * with VGM_ERR_AGENT_UNRESPONSIVE.
 */
gboolean vgmQemuAgentCommand(VgmQemuAgent *agent, const char *cmd, JsonObject *args,
                             int timeout, JsonNode **ret, GError **error);

/*
 * A command that has no reply when it succeeds (guest-shutdown): sent,
 * then an error reply waited for at most @waitSeconds; none, or the
 * connection closing (the guest going down), is success.
 */
gboolean vgmQemuAgentCommandNoReply(VgmQemuAgent *agent, const char *cmd, JsonObject *args,
                                    int waitSeconds, GError **error);

/*
 * A request given as JSON text (an object with "execute"), as
 * virDomainQemuAgentCommand takes it; the whole reply as compact JSON
 * text. An error reply fails as in vgmQemuAgentCommand.
 */
char *vgmQemuAgentCommandText(VgmQemuAgent *agent, const char *request, int timeout,
                              GError **error);

/* The error class of the agent's last error reply ("CommandNotFound"),
 * NULL when the last command did not fail with one. */
const char *vgmQemuAgentLastErrorClass(VgmQemuAgent *agent);
