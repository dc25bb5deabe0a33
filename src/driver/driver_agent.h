/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_agent.h: what the other driver modules ask of a running guest's
 * QEMU guest agent (driver_agent.c); the calls libvirt's clients make are
 * in driver_conn.h.
 */
#pragma once

#include "driver_conn.h"
#include "qemu/qemu_agent.h"

/*
 * Runs @cmd with @args (nullable) through the guest agent of running
 * domain @name and stores its reply's "return" in @ret (nullable). Fails
 * as libvirt does when the domain has no agent channel
 * (VGM_ERR_ARGUMENT_UNSUPPORTED), is paused (VGM_ERR_OPERATION_INVALID), or
 * its agent is not connected or does not answer
 * (VGM_ERR_AGENT_UNRESPONSIVE). *@dom (nullable): the domain, with its live
 * definition.
 */
gboolean vgmDriverAgentRun(VgmDriver *drv, const char *name, const char *cmd, JsonObject *args,
                           JsonNode **ret, VgmDriverDomain **dom, GError **error);

/* Whether running domain @name has a guest agent whose port the guest has
 * open (libvirt's "agent available", without an error) */
gboolean vgmDriverAgentConnected(VgmDriver *drv, const char *name);

/* guest-shutdown, mode powerdown or reboot: the guest shuts itself down
 * (its power-off and reset then take the paths of one it started) */
gboolean vgmDriverAgentShutdown(VgmDriver *drv, const char *name, gboolean reboot,
                                GError **error);
