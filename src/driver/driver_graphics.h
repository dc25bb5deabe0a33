/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_graphics.h: the TCP ports of a domain's VNC and SPICE servers.
 *
 * As libvirt does, the driver chooses the port of graphics with
 * autoport='yes' itself, before QEMU runs: the lowest port from 5900 up
 * that it can bind on the listen address and that no other start of this
 * process holds, so that the live XML names the port a client connects to
 * (virt-viewer, virt-manager and `virsh domdisplay` read it there). The
 * live XML also names the listen address QEMU is given. A VNC server's
 * websocket='-1' gets a port the same way, from 5700 up, as libvirt's
 * websocket range; the live XML names it, the definition keeps -1 (the
 * next start chooses again). A port stays held
 * by this process until the caller drops the reservation, once QEMU has
 * bound it (or failed).
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"

#define VGM_DRIVER_GRAPHICS_PORT_MIN 5900
#define VGM_DRIVER_GRAPHICS_PORT_MAX 65535
#define VGM_DRIVER_WEBSOCKET_PORT_MIN 5700

typedef struct _VgmDriverGraphicsPorts VgmDriverGraphicsPorts;

/* Gives each autoport VNC and SPICE server of @def (live: it is about to
 * start) a free port and its listen address, and each websocket='-1' a
 * free port. Returns the reservation, to
 * be freed once QEMU has bound the ports; NULL with @error set when no
 * port is free. */
VgmDriverGraphicsPorts *vgmDriverGraphicsReservePorts(VgmDomainDef *def, GError **error);
void vgmDriverGraphicsPortsFree(VgmDriverGraphicsPorts *ports);
/* The websocket ports @ports chose (int; a new array), NULL for none:
 * what the status keeps, so that a migration's XML asks for -1 again */
GArray *vgmDriverGraphicsWebsocketPorts(const VgmDriverGraphicsPorts *ports);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverGraphicsPorts, vgmDriverGraphicsPortsFree)
