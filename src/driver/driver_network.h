/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_network.h: virtual networks, libvirt's network API as virsh's
 * net-* commands, virt-manager and virt-install use it, and the networks
 * that <interface type='network'> joins.
 *
 * A network of the driver's own (isolated, nat, route, open) is a Linux
 * bridge the start makes (ip link: its MAC, MTU, STP and forward delay,
 * its IPv4 addresses), with dnsmasq serving DHCP and DNS on it and, for
 * nat, route and isolated networks, an nftables table of its own
 * ("ip virt-gmem-BRIDGE") holding libvirt's rules: DHCP and DNS from the
 * guests to the host, guests to each other, their traffic out (nat:
 * masqueraded, with <nat>'s ports or source addresses) and only the
 * answers back in (route: both ways), everything else to or from the
 * bridge rejected; nat and route also turn on the kernel's IPv4
 * forwarding. A network with <forward mode='bridge'> names a host bridge
 * someone else runs; starting it only makes it usable.
 *
 * Layout (beside the domains' dirs of driver_store.h):
 *   ROOT/etc/networks/NAME.xml          definition, canonical XML
 *   ROOT/etc/networks/autostart/NAME    present: the network autostarts
 *   ROOT/run/network/NAME.xml           present: the network is active
 *                                       (its live definition)
 *   ROOT/run/network/NAME.conf          dnsmasq's configuration
 *   ROOT/run/network/NAME.pid           dnsmasq's pid
 *   ROOT/run/network/NAME.leases        dnsmasq's DHCP leases
 * Files are written with vgmFileWriteAtomic; changes are serialised in
 * the process by one mutex. A start writes the live definition first and
 * undoes what it made when a step fails; a destroy removes whatever of a
 * network's bridge, table and dnsmasq there is, so that a start cut short
 * is cleaned up by a destroy. Networks outlive the daemon: a restart
 * finds them active.
 *
 * Errors: no such network VGM_ERR_NO_NETWORK, a network in the wrong
 * state VGM_ERR_OPERATION_INVALID, bad XML VGM_ERR_XML or
 * VGM_ERR_CONFIG_UNSUPPORTED, a host tool failing
 * VGM_ERR_OPERATION_FAILED. A call that fails changes nothing.
 */
#pragma once

#include <glib.h>

#include "driver_store.h"

typedef struct _VgmDriver VgmDriver;

typedef struct {
    char *name;
    unsigned char uuid[16];
} VgmNetwork;

void vgmNetworkFree(VgmNetwork *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNetwork, vgmNetworkFree)

/* A DHCP lease (libvirt's virNetworkDHCPLease, IPv4) */
typedef struct {
    char *iface;                /* the network's bridge */
    gint64 expiry;              /* seconds since the epoch, 0: never */
    char *mac;
    char *ip;
    unsigned int prefix;
    char *hostname;             /* or NULL */
    char *clientid;             /* or NULL */
} VgmNetworkLease;

void vgmNetworkLeaseFree(VgmNetworkLease *lease);

/* virConnectListAllNetworksFlags: INACTIVE 1, ACTIVE 2, PERSISTENT 4,
 * TRANSIENT 8, AUTOSTART 16, NO_AUTOSTART 32; sorted by name. */
#define VGM_NETWORK_LIST_ALL_FLAGS 63u
GPtrArray *vgmDriverNetworkList(VgmDriver *drv, unsigned int flags, GError **error);

VgmNetwork *vgmDriverNetworkLookupByName(VgmDriver *drv, const char *name, GError **error);
VgmNetwork *vgmDriverNetworkLookupByUUID(VgmDriver *drv, const unsigned char *uuid,
                                         GError **error);

/* Defines (or redefines, same name and uuid) the network in @xml; an
 * active network keeps running as it was until its next start.
 * virNetworkDefineFlags: VALIDATE 1 (always done). */
VgmNetwork *vgmDriverNetworkDefineXML(VgmDriver *drv, const char *xml, unsigned int flags,
                                      GError **error);
/* Starts the transient network in @xml (virNetworkCreateFlags: VALIDATE 1) */
VgmNetwork *vgmDriverNetworkCreateXML(VgmDriver *drv, const char *xml, unsigned int flags,
                                      GError **error);
/* An active network stays, transient. */
gboolean vgmDriverNetworkUndefine(VgmDriver *drv, const char *name, GError **error);
gboolean vgmDriverNetworkStart(VgmDriver *drv, const char *name, GError **error);
/* A transient network is gone afterwards. Guests' taps lose their bridge. */
gboolean vgmDriverNetworkDestroy(VgmDriver *drv, const char *name, GError **error);
/* virNetworkXMLFlags: INACTIVE 1 */
char *vgmDriverNetworkGetXMLDesc(VgmDriver *drv, const char *name, unsigned int flags,
                                 GError **error);
char *vgmDriverNetworkGetBridgeName(VgmDriver *drv, const char *name, GError **error);
gboolean vgmDriverNetworkGetAutostart(VgmDriver *drv, const char *name, gboolean *autostart,
                                      GError **error);
gboolean vgmDriverNetworkSetAutostart(VgmDriver *drv, const char *name, gboolean autostart,
                                      GError **error);
gboolean vgmDriverNetworkIsActive(VgmDriver *drv, const char *name, gboolean *active,
                                  GError **error);
gboolean vgmDriverNetworkIsPersistent(VgmDriver *drv, const char *name, gboolean *persistent,
                                      GError **error);
/* virNetworkUpdate (flags AFFECT_LIVE, AFFECT_CONFIG): @command (modify,
 * delete, add last, add first) of a DHCP <host> or <range> (@section 4 or
 * 5, the element in @xml) of <ip> number @parentIndex (-1: the first
 * with DHCP), in the config and, while the network runs, in its live
 * definition and dnsmasq; other sections are refused */
gboolean vgmDriverNetworkUpdate(VgmDriver *drv, const char *name, unsigned int command,
                                unsigned int section, int parentIndex, const char *xml,
                                unsigned int flags, GError **error);
/* The leases dnsmasq handed out (VgmNetworkLease), those of @mac only when
 * it is not NULL; none for an inactive network. */
GPtrArray *vgmDriverNetworkGetDHCPLeases(VgmDriver *drv, const char *name, const char *mac,
                                         unsigned int flags, GError **error);
/* A daemon's start: an active network whose bridge is gone becomes
 * inactive, one whose dnsmasq ended gets it back; then the autostart
 * networks that are not active start. */
void vgmDriverNetworkAutostart(VgmDriver *drv);

/* The address a display server listens on for active network @name, as
 * libvirt takes it: the network's first IPv4 address, or the first one of
 * the host bridge a bridge network names */
char *vgmDriverNetworkListenAddress(const VgmDriverStore *store, const char *name,
                                    GError **error);
/* What a guest interface on a network gets from it */
typedef struct {
    char *bridge;               /* the bridge its tap joins */
    unsigned int mtu;           /* the network's MTU, 0: none */
    gboolean hostBridge;        /* that bridge is the host's (a network of
                                 * <forward mode='bridge'>), not one the
                                 * network makes */
    VgmTristate isolated;       /* the network's <port isolated> */
    gboolean macTableLibvirt;   /* <bridge macTableManager='libvirt'>: the
                                 * port learns no MACs and floods no
                                 * unicast; the guest's MAC is put in the
                                 * bridge's table */
    VgmNetBandwidth bandwidth;  /* its port group's <bandwidth> (copies) */
} VgmDriverNetworkPort;

void vgmDriverNetworkPortClear(VgmDriverNetworkPort *port);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverNetworkPort, vgmDriverNetworkPortClear)

/* For a domain's start: what an interface on active network @name of
 * @store, in its port group @portgroup (NULL: the default one, if any),
 * gets (*@port) */
gboolean vgmDriverNetworkResolve(const VgmDriverStore *store, const char *name,
                                 const char *portgroup, VgmDriverNetworkPort *port,
                                 GError **error);
