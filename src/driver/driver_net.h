/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_net.h: the host side of a domain's tap devices.
 *
 * QEMU makes (or, for <target managed='no'>, opens) the tap of an
 * <interface type='ethernet'> or of a bridge interface with <target dev>
 * by its name; the driver names the taps libvirt would name (vnetN),
 * checks before the spawn that each one is missing or present as the
 * definition says, and once QEMU runs, before the guest does, sets a
 * managed tap up as libvirt does: its MAC (the guest's with 0xfe first,
 * so that a bridge never takes the guest's address), its MTU, its bridge
 * (and the port's isolation),
 * its coalescing of received frames, and IFF_UP. A tap QEMU made goes away with QEMU.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "driver_store.h"
#include "qemu/qemu_plan.h"

typedef struct {
    char *ifname;
    char *bridge;        /* the bridge to join, or NULL */
    char *mac;           /* the guest's MAC */
    unsigned int mtu;    /* 0: the bridge's, or the kernel's default */
    unsigned int coalesceRxFrames; /* <coalesce> rx frames, 0: none */
    gboolean ovs;        /* the bridge is Open vSwitch's: ovs-vsctl add-port */
    gboolean isolated;   /* <port isolated='yes'>: the bridge port's flag */
    gboolean macTableLibvirt; /* the bridge's MAC table is the driver's: the
                               * guest's MAC goes in it */
    char *ifaceId;       /* ovs: external-ids:iface-id */
    char *vmId;          /* ovs: external-ids:vm-id, the domain's uuid */
    char *vlan;          /* ovs: "tag=N" or "trunks=N,M", or NULL */
    VgmNetBandwidthRate in;   /* <bandwidth><inbound>: average 0 when none */
    VgmNetBandwidthRate out;  /* <bandwidth><outbound> */
} VgmDriverTap;

void vgmDriverTapFree(VgmDriverTap *tap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverTap, vgmDriverTapFree)

/* Gives each <interface type='ethernet', 'network' or 'bridge' without
 * <target dev>, from the @first interface of @def on, the lowest vnetN no
 * host interface and no other interface of @def has, and each 'direct'
 * one the lowest such macvtapN: at a start and a hot-plug the driver has
 * every tap made by name, as libvirt makes every tap (QEMU's bridge
 * helper, which domxml-to-native's line leaves a bridge's to, needs an
 * ACL file a host may not have). */
void vgmDriverNetNameTaps(VgmDomainDef *def, guint first);

/* Before the spawn: a managed tap must not exist yet (QEMU would join
 * someone else's), an unmanaged one must. */
gboolean vgmDriverNetCheckTaps(const VgmDomainDef *def, GError **error);
/* The same for interface @net alone */
gboolean vgmDriverNetCheckTap(const VgmNetDef *net, GError **error);

/* Each <interface type='network'> of @def gets its active network's bridge
 * (and the network's MTU when it has none of its own); a network that is
 * not active, or none, fails naming the interface. */
gboolean vgmDriverNetResolveNetworks(const VgmDriverStore *store, VgmDomainDef *def,
                                     GError **error);
/* For a domain's start: the address each display listening on a network
 * (<listen type='network'>) listens on */
gboolean vgmDriverNetResolveListens(const VgmDriverStore *store, VgmDomainDef *def,
                                    GError **error);
/* The same for interface @net alone */
gboolean vgmDriverNetResolveNetwork(const VgmDriverStore *store, VgmNetDef *net,
                                    GError **error);

/* The taps the driver sets up once QEMU has made them (VgmDriverTap). */
GPtrArray *vgmDriverNetManagedTaps(const VgmDomainDef *def);
/* The tap the driver sets up for interface @net of @def, or NULL */
VgmDriverTap *vgmDriverNetTapOf(const VgmDomainDef *def, const VgmNetDef *net);
/* The shaping of running tap @tap made again from its <bandwidth>: the
 * old qdiscs removed, then the new ones set (none for a tap without) */
gboolean vgmDriverNetReshape(const VgmDriverTap *tap, GError **error);

/* <bandwidth> on device @dev, with libvirt's tc commands: traffic to the
 * guests (@in; NULL or average 0: none) leaves the host through @dev (a
 * tap, or a network's bridge), so it is shaped there (an htb class at the
 * average, peak as its ceiling, with an sfq below it); traffic from them
 * (@out) enters the host through it, so it is policed at its ingress.
 * Rates in kilobytes per second, bursts in kilobytes. */
gboolean vgmDriverNetShape(const char *dev, const VgmNetBandwidthRate *in,
                           const VgmNetBandwidthRate *out, GError **error);

gboolean vgmDriverNetSetUpTap(const VgmDriverTap *tap, GError **error);
/* Running tap @ifname moved from bridge @from (NULL: none) to bridge @to
 * (an update of its interface's <source>), its port isolated as
 * @isolated says and, where @to's MAC table is the driver's, the guest's
 * MAC @mac in it (else NULL); back in @from when @to refuses it */
gboolean vgmDriverNetMoveTap(const char *ifname, const char *from, const char *to,
                             gboolean isolated, const char *mac, GError **error);

/* After a run of the domain whose live definition is @def, as libvirt
 * cleans up when a domain stops: its Open vSwitch ports go (as far as
 * ovs-vsctl can), its macvtaps go, and each <downscript> is run with its
 * tap's name (its failure changes nothing). */
void vgmDriverNetCleanup(const VgmDomainDef *def);
/* The same for interface @net alone (unplugged) */
void vgmDriverNetCleanupOne(const VgmNetDef *net);

/* The host side of an ethernet interface, once its tap is set up and
 * before the guest runs: its <script>, run with the tap's name, then the
 * addresses and routes of its <source> (ip address add, ip route add, as
 * libvirt sets them); a failure fails the start */
typedef struct {
    char *ifname;
    char *path;                 /* the <script>, or NULL */
    GPtrArray *commands;        /* GStrv: the ip commands, in order */
} VgmDriverNetScript;

void vgmDriverNetScriptFree(VgmDriverNetScript *script);
/* The host side of interface @net, or NULL when it has none */
VgmDriverNetScript *vgmDriverNetScriptOf(const VgmNetDef *net);
GPtrArray *vgmDriverNetScripts(const VgmDomainDef *def);
gboolean vgmDriverNetRunScript(const VgmDriverNetScript *script, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverNetScript, vgmDriverNetScriptFree)

/* Runs host tool @argv (NULL-terminated; argv[0] found in PATH); its
 * failure names the tool and quotes what it printed on stderr. */
gboolean vgmDriverNetRun(const char *const *argv, GError **error);

/* An fd the driver hands QEMU: @fd in this process, @target in QEMU's */
typedef struct {
    int fd;
    int target;
} VgmDriverPassFd;

/* Closes the fds of @fds (VgmDriverPassFd) not handed over, and frees it */
void vgmDriverPassFdsFree(GArray *fds);

/* The host side of an interface the driver opens for QEMU (see
 * vgmQemuNetDriverOpens), once a queue, and hands QEMU as the fds its
 * command line names:
 *  - the macvtap of an <interface type='direct'>, which the driver makes
 *    on the host device before QEMU starts (the guest's MAC, the mode, up
 *    unless <link state='down'>) and opens with virtio-net headers for a
 *    virtio model; it stays after QEMU and is removed with the run's state;
 *  - the tap of an ethernet, network or bridge interface with a <backend>,
 *    opened by its name through the <backend tap> device (/dev/net/tun
 *    without one), as libvirt opens a tap: virtio-net headers for a
 *    virtio model, multi-queue for more than one queue. A managed tap is
 *    made by that open and goes with the last fd (QEMU's); an unmanaged
 *    one exists and is attached to. It is set up as a tap QEMU made
 *    (vgmDriverNetManagedTaps) once QEMU runs.
 * With a <backend vhost> that serves the interface, that device is opened
 * once a queue too (vhost-net's fds).
 * At a live update every tap and macvtap is taken over instead
 * (@takeOver, VgmNetDef.tapTakenOver): the new QEMU gets the very files
 * the running QEMU holds (vgmDriverNetTakeFds), and vhost-net's fds, if
 * the driver opens them, are opened again. */
typedef struct {
    gboolean macvtap;
    char *ifname;        /* macvtapN, vnetN, or the <target dev> */
    char *link;          /* macvtap: the host device */
    char *mac;
    VgmNetDirectMode mode;
    char *tapDevice;     /* tap: the device it is opened through */
    char *vhostDevice;   /* with firstVhostFd: vhost-net's device */
    gboolean vnetHdr;
    gboolean up;
    unsigned int queues;
    int firstFd;         /* QEMU's fd of the first queue */
    int firstVhostFd;    /* QEMU's vhost-net fd of the first queue, or -1 */
    gboolean takeOver;   /* taken from the running QEMU, not opened */
} VgmDriverNetOpen;

void vgmDriverNetOpenFree(VgmDriverNetOpen *o);

/* The host sides of @def the driver opens (names given, see
 * vgmDriverNetNameTaps), as @plan lowers them */
GPtrArray *vgmDriverNetOpens(const VgmDomainDef *def, const VgmQemuPlan *plan);

/* Makes (a macvtap) and opens @o, appending its fds to @fds
 * (VgmDriverPassFd; the caller closes those not handed over); a node for
 * a macvtap's character device may be made, and removed, in @runDir. */
gboolean vgmDriverNetOpenFds(const VgmDriverNetOpen *o, const char *runDir, GArray *fds,
                             GError **error);

/* Takes over @o (whose takeOver is set) from the QEMU process @qemu
 * names, held through a pidfd while it is looked at: every file it holds
 * of tap @o->ifname (its fdinfo's "iff:" line) or of the character device
 * of macvtap @o->ifname, in the order of its fd numbers, duplicated into
 * this process (pidfd_getfd) and appended to @fds as @o's queues, and
 * recorded in @queues (VgmDriverTapQueue, see vgmDriverTapQueuesNew) if
 * not NULL; then vhost-net's fds, opened as vgmDriverNetOpenFds opens
 * them. Fails, naming the tap, when the process holds another number of
 * them than @o has queues. */
gboolean vgmDriverNetTakeFds(const VgmDriverNetOpen *o, const VgmDriverProcIdent *qemu,
                             GArray *fds, GArray *queues, GError **error);

/* Duplicates fd @fd of the process @qemu names (@what it is, for the
 * error) into this process (pidfd_getfd, the process checked to be that
 * one once held); -1 with @error */
int vgmDriverTakeFd(const VgmDriverProcIdent *qemu, int fd, const char *what, GError **error);

/* The queues @queues of the taps and macvtaps QEMU process @qemu holds
 * (each checked to be still the file recorded), with @attach: every one
 * attached (TUNSETQUEUE), each recording whether it was detached; without:
 * each set back as recorded (those not recorded are left). A new QEMU's
 * virtio-net detaches the queues beyond its first at its start, which
 * fails on a queue detached already, and the files are shared. */
gboolean vgmDriverNetQueuesSet(GArray *queues, const VgmDriverProcIdent *qemu, gboolean attach,
                               GError **error);

