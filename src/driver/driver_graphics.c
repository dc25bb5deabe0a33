/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_graphics.c: the TCP ports of VNC and SPICE servers (see
 * driver_graphics.h).
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "driver_graphics.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* the ports handed out by this process and not yet bound by their QEMU */
static GMutex vgmDriverGraphicsLock;
static GHashTable *vgmDriverGraphicsHeld;

struct _VgmDriverGraphicsPorts {
    GArray *ports;      /* int */
    GArray *websockets; /* int: those chosen for websocket='-1' */
};

/* Whether QEMU could listen on @port of every address in @addrs (the
 * listen address resolved) now: each binds, with SO_REUSEADDR as QEMU
 * sets it (a port whose last connection is in TIME_WAIT is free, one a
 * server listens on is not). */
static gboolean
vgmDriverGraphicsPortBindable(const struct addrinfo *addrs, int port)
{
    const struct addrinfo *ai;

    for (ai = addrs; ai; ai = ai->ai_next) {
        struct sockaddr_storage sa;
        int fd;
        int one = 1;
        int rc;

        if (ai->ai_addrlen > sizeof(sa))
            return FALSE;
        memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
        if (ai->ai_family == AF_INET)
            ((struct sockaddr_in *)&sa)->sin_port = htons(port);
        else if (ai->ai_family == AF_INET6)
            ((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
        else
            continue;
        if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
            /* an address family the host lacks (IPv6 off): QEMU skips
             * it too */
            if (errno == EAFNOSUPPORT)
                continue;
            return FALSE;
        }
        if (ai->ai_family == AF_INET6)
            (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        rc = bind(fd, (struct sockaddr *)&sa, ai->ai_addrlen);
        close(fd);
        if (rc < 0)
            return FALSE;
    }
    return TRUE;
}

void
vgmDriverGraphicsPortsFree(VgmDriverGraphicsPorts *ports)
{
    guint i;

    if (!ports)
        return;
    g_mutex_lock(&vgmDriverGraphicsLock);
    for (i = 0; i < ports->ports->len; i++)
        g_hash_table_remove(vgmDriverGraphicsHeld,
                            GINT_TO_POINTER(g_array_index(ports->ports, int, i)));
    g_mutex_unlock(&vgmDriverGraphicsLock);
    g_array_unref(ports->ports);
    g_array_unref(ports->websockets);
    g_free(ports);
}

/* The lowest port from @min up that QEMU could bind on each of @addrs and
 * that this process does not hold, now held by @ports; 0 when none is
 * free. */
static int
vgmDriverGraphicsTakePort(VgmDriverGraphicsPorts *ports, const struct addrinfo *addrs, int min)
{
    int port;
    int found = 0;

    g_mutex_lock(&vgmDriverGraphicsLock);
    if (!vgmDriverGraphicsHeld)
        vgmDriverGraphicsHeld = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (port = min; port <= VGM_DRIVER_GRAPHICS_PORT_MAX && !found; port++) {
        if (g_hash_table_contains(vgmDriverGraphicsHeld, GINT_TO_POINTER(port)) ||
            !vgmDriverGraphicsPortBindable(addrs, port))
            continue;
        g_hash_table_add(vgmDriverGraphicsHeld, GINT_TO_POINTER(port));
        g_array_append_val(ports->ports, port);
        found = port;
    }
    g_mutex_unlock(&vgmDriverGraphicsLock);
    return found;
}

VgmDriverGraphicsPorts *
vgmDriverGraphicsReservePorts(VgmDomainDef *def, GError **error)
{
    g_autoptr(VgmDriverGraphicsPorts) ports = g_new0(VgmDriverGraphicsPorts, 1);
    guint i;

    ports->ports = g_array_new(FALSE, FALSE, sizeof(int));
    ports->websockets = g_array_new(FALSE, FALSE, sizeof(int));
    for (i = 0; i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);
        const char *server = g->type == VGM_GRAPHICS_SPICE ? "SPICE" : "VNC";
        struct addrinfo hints = { 0 };
        struct addrinfo *addrs = NULL;
        int port = 0;
        int websocket = 0;
        int rc;

        /* a server on a unix socket, or on none, takes no TCP port */
        if (g->listenNone || g->listenSocket)
            continue;
        /* the address QEMU is given (the command line's default), which
         * the live XML names as libvirt's does */
        if (!g->listen)
            g->listen = g_strdup(VGM_QEMU_GRAPHICS_DEFAULT_LISTEN);
        if (g->autoport != VGM_TRISTATE_YES && g->websocket != -1)
            continue;
        hints.ai_flags = AI_PASSIVE;
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        if ((rc = getaddrinfo(g->listen, NULL, &hints, &addrs)) != 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot resolve the listen address '%1$s' of the %2$s server of domain '%3$s': %4$s"),
                        g->listen, server, def->name, gai_strerror(rc));
            return NULL;
        }
        if (g->autoport == VGM_TRISTATE_YES &&
            !(port = vgmDriverGraphicsTakePort(ports, addrs, VGM_DRIVER_GRAPHICS_PORT_MIN))) {
            freeaddrinfo(addrs);
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("no free TCP port from %1$d to %2$d on '%3$s' for the %4$s server of domain '%5$s'"),
                        VGM_DRIVER_GRAPHICS_PORT_MIN, VGM_DRIVER_GRAPHICS_PORT_MAX, g->listen,
                        server, def->name);
            return NULL;
        }
        /* websocket='-1': libvirt's port for it, from its own range */
        if (g->websocket == -1 &&
            !(websocket = vgmDriverGraphicsTakePort(ports, addrs, VGM_DRIVER_WEBSOCKET_PORT_MIN))) {
            freeaddrinfo(addrs);
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("no free TCP port from %1$d to %2$d on '%3$s' for the websocket of the VNC server of domain '%4$s'"),
                        VGM_DRIVER_WEBSOCKET_PORT_MIN, VGM_DRIVER_GRAPHICS_PORT_MAX, g->listen,
                        def->name);
            return NULL;
        }
        freeaddrinfo(addrs);
        if (port) {
            g->port = port;
            g->havePort = TRUE;
        }
        if (websocket) {
            g->websocket = websocket;
            g_array_append_val(ports->websockets, websocket);
        }
    }
    return g_steal_pointer(&ports);
}

GArray *
vgmDriverGraphicsWebsocketPorts(const VgmDriverGraphicsPorts *ports)
{
    GArray *copy;

    if (!ports->websockets->len)
        return NULL;
    copy = g_array_sized_new(FALSE, FALSE, sizeof(int), ports->websockets->len);
    g_array_append_vals(copy, ports->websockets->data, ports->websockets->len);
    return copy;
}
