/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * network_conf.h: libvirt's virtual network XML (<network>), the subset
 * the network driver runs.
 *
 * A network is either a bridge of its own that the driver makes (no
 * <forward>: isolated; <forward mode='nat|route|open'>), with IPv4
 * addresses, DHCP and DNS served by dnsmasq, or a host bridge someone
 * else made (<forward mode='bridge'> with <bridge name=''/>), which only
 * names where guests' taps go.
 *
 * Read: <name>, <uuid>, <metadata>, <forward mode dev> with <nat><address
 * start end/> <port start end/></nat> and one <interface dev/>, <bridge
 * name stp delay/>, <mtu size/>, <mac address/>, <domain name localOnly/>,
 * <dns> with its forwarders and records, IPv4 and IPv6 <ip> (localPtr,
 * <tftp root/>) with <dhcp>'s <range start end> and <host mac|id name ip>
 * (each with its <lease expiry unit/>) and <bootp file server/>, <route>,
 * <network ipv6=''>. Everything else libvirt knows (macvtap and hostdev
 * forward modes, port groups, virtual ports, bandwidth, VLANs, <nat
 * ipv6>) is refused by name. Parsing also applies libvirt's rules and
 * defaults: a uuid, and for a bridge of the driver's STP on, delay 0 and a
 * MAC address; the bridge's name, when there is none, is the driver's to
 * choose among the other networks (virbrN).
 */
#pragma once

#include <glib.h>
#include <netinet/in.h>
#include <libxml/tree.h>

#include "conf/domain_conf.h"
#include "util/vgmenum.h"

typedef enum {
    VGM_NETWORK_FORWARD_NONE = 0,   /* isolated: no <forward> */
    VGM_NETWORK_FORWARD_NAT,
    VGM_NETWORK_FORWARD_ROUTE,
    VGM_NETWORK_FORWARD_OPEN,
    VGM_NETWORK_FORWARD_BRIDGE,     /* a host bridge of someone else's */

    VGM_NETWORK_FORWARD_LAST
} VgmNetworkForward;
VGM_ENUM_DECL(vgmNetworkForward);   /* "none", "nat", "route", "open", "bridge" */

typedef enum {
    VGM_NETWORK_LEASE_SECONDS = 0,
    VGM_NETWORK_LEASE_MINUTES,
    VGM_NETWORK_LEASE_HOURS,

    VGM_NETWORK_LEASE_LAST
} VgmNetworkLeaseUnit;
VGM_ENUM_DECL(vgmNetworkLeaseUnit);

/* IPv4 addresses are kept in host byte order */
/* <lease expiry='' unit=''/> of a DHCP range or host */
typedef struct {
    gboolean haveLease;         /* given */
    gboolean haveUnit;          /* unit='' given (else minutes) */
    unsigned long long expiry;  /* 0: infinite */
    VgmNetworkLeaseUnit unit;
} VgmNetworkLeaseTime;

typedef struct {
    guint32 start;              /* IPv4 */
    guint32 end;
    struct in6_addr start6;     /* IPv6 */
    struct in6_addr end6;
    VgmNetworkLeaseTime lease;
} VgmNetworkRange;

typedef struct {
    char *mac;                  /* IPv4: canonical, or NULL */
    char *id;                   /* IPv6: the client's DUID, or NULL */
    char *name;                 /* or NULL */
    guint32 ip;                 /* IPv4 */
    struct in6_addr ip6;        /* IPv6 */
    VgmNetworkLeaseTime lease;  /* its own lease time */
} VgmNetworkHost;

typedef struct {
    gboolean ipv6;              /* family='ipv6' */
    gboolean haveFamily;        /* family='' given (and written back) */
    guint32 address;            /* IPv4 */
    struct in6_addr address6;   /* IPv6 */
    unsigned int prefix;
    gboolean havePrefix;        /* a netmask or prefix given (else IPv6's 64,
                                 * IPv4's classful mask) */
    gboolean netmask;           /* written as netmask='' rather than prefix='' */
    gboolean dhcp;              /* <dhcp> given */
    GArray *ranges;             /* VgmNetworkRange */
    GPtrArray *hosts;           /* VgmNetworkHost */
    VgmTristate localPtr;       /* localPtr='': the subnet's reverse zone
                                 * answered here, never forwarded */
    char *tftpRoot;             /* IPv4: <tftp root=''/>, or NULL */
    char *bootpFile;            /* IPv4: <dhcp><bootp file='' server=''/>, or NULL */
    char *bootpServer;          /* ... its server, or NULL: this host */
} VgmNetworkIP;

/* <dns><forwarder domain='' addr=''/>: at least one of the two */
typedef struct {
    char *domain;
    char *addr;
} VgmNetworkDnsForwarder;

/* <dns><txt name='' value=''/> */
typedef struct {
    char *name;
    char *value;
} VgmNetworkDnsTxt;

/* <dns><srv service='' protocol='' domain='' target='' port='' priority=''
 * weight=''/>: a port, priority or weight only with a target */
typedef struct {
    char *service;
    char *protocol;
    char *domain;
    char *target;
    unsigned int port, priority, weight;
    gboolean havePort, havePriority, haveWeight;
} VgmNetworkDnsSrv;

/* <dns><host ip=''><hostname>..</hostname>...</host> */
typedef struct {
    char *ip;                   /* as given: IPv4 or IPv6 */
    GPtrArray *names;           /* char *, at least one */
} VgmNetworkDnsHost;

/* <route family='' address='' netmask|prefix='' gateway='' metric=''/>:
 * a static route the start adds through the network's bridge */
typedef struct {
    gboolean ipv6;
    gboolean haveFamily;
    guint32 address;            /* IPv4 */
    guint32 gateway;
    struct in6_addr address6;   /* IPv6 */
    struct in6_addr gateway6;
    unsigned int prefix;
    gboolean havePrefix;        /* prefix='' given */
    gboolean netmask;           /* IPv4: netmask='' given */
    unsigned int metric;        /* 0: none given */
} VgmNetworkRoute;

/* <portgroup name='' default=''>: what an interface of the group gets */
typedef struct {
    char *name;
    gboolean isDefault;         /* the group of an interface that names none */
    VgmNetBandwidth bandwidth;  /* its <bandwidth>, for an interface without one */
} VgmNetworkPortgroup;

/* <bridge macTableManager=''>: who fills the bridge's MAC table */
typedef enum {
    VGM_NETWORK_MAC_TABLE_DEFAULT = 0,
    VGM_NETWORK_MAC_TABLE_KERNEL,   /* the kernel learns (the default) */
    VGM_NETWORK_MAC_TABLE_LIBVIRT,  /* the driver adds each guest's MAC */

    VGM_NETWORK_MAC_TABLE_LAST
} VgmNetworkMacTable;
VGM_ENUM_DECL(vgmNetworkMacTable);   /* "", "kernel", "libvirt" */

typedef struct {
    char *name;
    unsigned char uuid[16];
    xmlNodePtr metadata;        /* <metadata>, in a document of its own, or NULL */
    VgmNetworkForward forward;
    char *forwardDev;           /* outgoing interface, or NULL: any */
    guint32 natStart, natEnd;   /* <nat><address>, 0: none */
    unsigned int natPortStart, natPortEnd; /* <nat><port>, 0: none */
    VgmTristate natIPv6;        /* <nat ipv6=''>: IPv6 masqueraded too */
    char *bridge;               /* NULL: the driver names it */
    char *bridgeZone;           /* <bridge zone=''>: its firewalld zone */
    VgmTristate stp;
    VgmNetworkMacTable macTableManager;
    unsigned int delay;
    gboolean haveDelay;
    unsigned int mtu;           /* 0: the kernel's */
    char *mac;
    char *domainName;
    VgmTristate localOnly;
    VgmTristate dnsEnable;
    VgmTristate dnsForwardPlainNames; /* <dns forwardPlainNames=''> */
    GPtrArray *dnsForwarders;   /* VgmNetworkDnsForwarder */
    GPtrArray *dnsTxts;         /* VgmNetworkDnsTxt */
    GPtrArray *dnsSrvs;         /* VgmNetworkDnsSrv */
    GPtrArray *dnsHosts;        /* VgmNetworkDnsHost */
    GPtrArray *ips;             /* VgmNetworkIP */
    GArray *routes;             /* VgmNetworkRoute */
    VgmNetBandwidth bandwidth;  /* <bandwidth>: the bridge's, for the whole
                                 * network (inbound: to the guests) */
    GPtrArray *portgroups;      /* VgmNetworkPortgroup */
    VgmTristate isolatedPort;   /* <port isolated=''>: the guests' ports
                                 * isolated from each other by default */
    GPtrArray *dnsmasqOptions;  /* char *: <dnsmasq:options>'s values, lines
                                 * of dnsmasq's configuration; NULL: none */
    VgmTristate ipv6;           /* <network ipv6=''>: IPv6 between the guests
                                 * even without an IPv6 <ip> */
} VgmNetworkDef;

/* libvirt's namespace of dnsmasq options in a network's XML */
#define VGM_NETWORK_DNSMASQ_NS "http://libvirt.org/schemas/network/dnsmasq/1.0"

void vgmNetworkDefFree(VgmNetworkDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNetworkDef, vgmNetworkDefFree)

/* The port group of @def an interface naming @name (NULL: none) is in:
 * that one, else the default one; NULL for none, with an error where
 * @name names none */
const VgmNetworkPortgroup *vgmNetworkDefPortgroup(const VgmNetworkDef *def, const char *name,
                                                  GError **error);

/* Parses, checks and completes (uuid, STP, MAC) the network in @xml;
 * @filename names it in errors. */
VgmNetworkDef *vgmNetworkDefParseString(const char *xml, const char *filename, GError **error);
/* The canonical XML, as libvirt formats it. */
char *vgmNetworkDefFormat(const VgmNetworkDef *def);
/* ... and the live XML of a running network that @connections interfaces
 * of running domains are on */
char *vgmNetworkDefFormatLive(const VgmNetworkDef *def, unsigned int connections);

/* Whether the driver makes the network's bridge (every mode but bridge) */
gboolean vgmNetworkDefOwnsBridge(const VgmNetworkDef *def);
/* The IPv4 address that serves DHCP, or NULL */
const VgmNetworkIP *vgmNetworkDefDhcpIP(const VgmNetworkDef *def);
/* The IPv6 address that serves DHCPv6, or NULL */
const VgmNetworkIP *vgmNetworkDefDhcpIP6(const VgmNetworkDef *def);
/* The reverse DNS zone of @ip's subnet (122.168.192.in-addr.arpa, nibbles
 * under ip6.arpa), or NULL when its prefix is not of whole octets
 * (nibbles) */
char *vgmNetworkIPPtrZone(const VgmNetworkIP *ip);
/* The root of the network's TFTP server (<ip><tftp root=''/>), or NULL */
const char *vgmNetworkDefTftpRoot(const VgmNetworkDef *def);
/* Whether the network's bridge has IPv6: an IPv6 <ip>, or ipv6='yes' */
gboolean vgmNetworkDefHasIPv6(const VgmNetworkDef *def);
/* @addr as text (INET6_ADDRSTRLEN bytes) */
void vgmNetworkIP6Format(const struct in6_addr *addr, char *out);
/* The first @prefix bits of @addr, the rest zero */
struct in6_addr vgmNetworkIP6Masked(const struct in6_addr *addr, unsigned int prefix);

/* Dotted quad of @addr (host order) into @out (16 bytes) */
void vgmNetworkIPFormat(guint32 addr, char *out);
/* The netmask of @prefix bits */
guint32 vgmNetworkPrefixMask(unsigned int prefix);
/* Whether @name can be a Linux interface name (1 to 15 bytes, no '/',
 * ':' or white space, not "." or "..") */
gboolean vgmNetworkIfnameValid(const char *name);
