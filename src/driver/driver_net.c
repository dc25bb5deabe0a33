/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_net.c: the host side of a domain's tap devices (see the header).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if_arp.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "driver_net.h"
#include "driver_network.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "qemu/qemu_command.h"

/* (Linux 5.3 and 5.6; bookworm's headers have them) */
#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
# define SYS_pidfd_getfd 438
#endif

void
vgmDriverTapFree(VgmDriverTap *tap)
{
    if (!tap)
        return;
    g_free(tap->ifname);
    g_free(tap->bridge);
    g_free(tap->mac);
    g_free(tap->ifaceId);
    g_free(tap->vmId);
    g_free(tap->vlan);
    g_free(tap);
}

/* Interfaces QEMU reaches through a tap of their own name. */
static gboolean
vgmDriverNetIsTap(const VgmNetDef *net)
{
    return net->type == VGM_NET_TYPE_ETHERNET || net->type == VGM_NET_TYPE_NETWORK ||
           (net->type == VGM_NET_TYPE_BRIDGE && net->ifname);
}

static gboolean
vgmDriverNetNameUsed(const VgmDomainDef *def, const char *name)
{
    guint i;

    if (if_nametoindex(name))
        return TRUE;
    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);

        if (g_strcmp0(net->ifname, name) == 0)
            return TRUE;
    }
    return FALSE;
}

void
vgmDriverNetNameTaps(VgmDomainDef *def, guint first)
{
    unsigned int nextTap = 0;
    unsigned int nextMacvtap = 0;
    guint i;

    for (i = first; i < def->devices.nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);
        gboolean macvtap = net->type == VGM_NET_TYPE_DIRECT;
        unsigned int *next = macvtap ? &nextMacvtap : &nextTap;
        char *name = NULL;

        if ((net->type != VGM_NET_TYPE_ETHERNET && net->type != VGM_NET_TYPE_NETWORK &&
             net->type != VGM_NET_TYPE_BRIDGE && !macvtap) ||
            net->ifname)
            continue;
        /* libvirt's prefixes */
        for (;; (*next)++) {
            name = g_strdup_printf(macvtap ? "macvtap%u" : "vnet%u", *next);
            if (!vgmDriverNetNameUsed(def, name))
                break;
            g_free(name);
        }
        net->ifname = name;
        (*next)++;
    }
}

gboolean
vgmDriverNetCheckTap(const VgmNetDef *net, GError **error)
{
    gboolean exists;

    if (net->type == VGM_NET_TYPE_DIRECT) {
        if (!if_nametoindex(net->source)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("host device '%1$s' of interface '%2$s' (type 'direct') does not exist"),
                        net->source, net->mac);
            return FALSE;
        }
        if (net->ifname && if_nametoindex(net->ifname)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("network interface '%1$s' of interface '%2$s' exists already: the driver makes the macvtap itself"),
                        net->ifname, net->mac);
            return FALSE;
        }
        return TRUE;
    }
    if (!vgmDriverNetIsTap(net) || !net->ifname)
        return TRUE;
    exists = if_nametoindex(net->ifname) != 0;
    if (net->managedTap == VGM_TRISTATE_NO && !exists) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("tap device '%1$s' of interface '%2$s' does not exist: with <target managed='no'> it must be made before the domain starts"),
                    net->ifname, net->mac);
        return FALSE;
    }
    if (net->managedTap != VGM_TRISTATE_NO && exists) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("network interface '%1$s' of interface '%2$s' exists already: the driver makes the tap itself (use <target managed='no'> for a tap made beforehand)"),
                    net->ifname, net->mac);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverNetCheckTaps(const VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        if (!vgmDriverNetCheckTap(g_ptr_array_index(def->devices.nets, i), error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverNetResolveNetwork(const VgmDriverStore *store, VgmNetDef *net, GError **error)
{
    g_auto(VgmDriverNetworkPort) port = { 0 };

    if (net->type != VGM_NET_TYPE_NETWORK)
        return TRUE;
    if (!vgmDriverNetworkResolve(store, net->source, net->portgroup, &port, error)) {
        g_prefix_error(error, _("interface '%1$s': "), net->mac);
        return FALSE;
    }
    g_free(net->actualBridge);
    net->actualBridge = g_steal_pointer(&port.bridge);
    net->actualHostBridge = port.hostBridge;
    net->actualMacTableLibvirt = port.macTableLibvirt;
    /* as libvirt: the network's MTU and port isolation unless the
     * interface has its own */
    if (!net->mtu)
        net->mtu = port.mtu;
    if (!net->isolatedPort)
        net->isolatedPort = port.isolated;
    /* and its port group's <bandwidth> unless the interface has one */
    if (!net->bandwidth.in && !net->bandwidth.out) {
        net->bandwidth.in = g_steal_pointer(&port.bandwidth.in);
        net->bandwidth.out = g_steal_pointer(&port.bandwidth.out);
    }
    return TRUE;
}

gboolean
vgmDriverNetResolveNetworks(const VgmDriverStore *store, VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        if (!vgmDriverNetResolveNetwork(store, g_ptr_array_index(def->devices.nets, i), error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverNetResolveListens(const VgmDriverStore *store, VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);
        char *address;

        if (!g->listenNetwork)
            continue;
        if (!(address = vgmDriverNetworkListenAddress(store, g->listenNetwork, error))) {
            g_prefix_error(error, _("<graphics type='%1$s'>: "), vgmGraphicsTypeToString(g->type));
            return FALSE;
        }
        g_free(g->listen);
        g->listen = address;
    }
    return TRUE;
}

VgmDriverTap *
vgmDriverNetTapOf(const VgmDomainDef *def, const VgmNetDef *net)
{
    VgmDriverTap *tap;

    if (!vgmDriverNetIsTap(net) || !net->ifname || net->managedTap == VGM_TRISTATE_NO)
        return NULL;
    tap = g_new0(VgmDriverTap, 1);
    tap->ifname = g_strdup(net->ifname);
    tap->bridge = g_strdup(net->type == VGM_NET_TYPE_BRIDGE ? net->source :
                           net->type == VGM_NET_TYPE_NETWORK ? net->actualBridge : NULL);
    tap->mac = g_strdup(net->mac);
    tap->mtu = net->mtu;
    tap->coalesceRxFrames = net->coalesceRxFrames;
    tap->isolated = net->isolatedPort == VGM_TRISTATE_YES;
    tap->macTableLibvirt = net->type == VGM_NET_TYPE_NETWORK && net->actualMacTableLibvirt;
    if (net->bandwidth.in)
        tap->in = *net->bandwidth.in;
    if (net->bandwidth.out)
        tap->out = *net->bandwidth.out;
    if ((tap->ovs = net->ovs)) {
        char uuid[37];

        vgmDomainUUIDFormat(def->uuid, uuid);
        tap->vmId = g_strdup(uuid);
        tap->ifaceId = g_strdup(net->ovsInterfaceId);
        if (net->nvlanTags) {
            GString *v = g_string_new(net->vlanTrunk ? "trunks=" : "tag=");
            size_t j;

            for (j = 0; j < net->nvlanTags; j++)
                g_string_append_printf(v, "%s%u", j ? "," : "", net->vlanTags[j]);
            tap->vlan = g_string_free(v, FALSE);
        }
    }
    return tap;
}

GPtrArray *
vgmDriverNetManagedTaps(const VgmDomainDef *def)
{
    GPtrArray *taps = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverTapFree);
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        VgmDriverTap *tap = vgmDriverNetTapOf(def, g_ptr_array_index(def->devices.nets, i));

        if (tap)
            g_ptr_array_add(taps, tap);
    }
    return taps;
}

/* One interface ioctl on @name; @what says what failed. */
static gboolean
vgmDriverNetIoctl(int fd, unsigned long request, const char *name, struct ifreq *ifr,
                  const char *what, GError **error)
{
    g_strlcpy(ifr->ifr_name, name, sizeof(ifr->ifr_name));
    if (ioctl(fd, request, ifr) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot %1$s of tap '%2$s'"), what, name);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverNetRun(const char *const *argv, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *errText = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES,
                      NULL, NULL, NULL, &errText, &status, &err) ||
        !g_spawn_check_wait_status(status, &err)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("%1$s failed: %2$s%3$s%4$s"),
                    argv[0], err->message, errText && *errText ? ": " : "",
                    errText ? g_strstrip(errText) : "");
        return FALSE;
    }
    return TRUE;
}

/* Runs ovs-vsctl with @args (NULL-terminated, after its own options). */
static gboolean
vgmDriverNetOvsVsctl(const char *const *args, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    g_ptr_array_add(argv, (gpointer)"ovs-vsctl");
    g_ptr_array_add(argv, (gpointer)"--timeout=5");
    for (; *args; args++)
        g_ptr_array_add(argv, (gpointer)*args);
    g_ptr_array_add(argv, NULL);
    return vgmDriverNetRun((const char *const *)argv->pdata, error);
}

gboolean
vgmDriverNetShape(const char *dev, const VgmNetBandwidthRate *in,
                  const VgmNetBandwidthRate *out, GError **error)
{
    if (in && in->average) {
        g_autofree char *rate = g_strdup_printf("%llukbps", in->average);
        g_autofree char *ceil = in->peak ? g_strdup_printf("%llukbps", in->peak) : NULL;
        g_autofree char *burst = in->burst ? g_strdup_printf("%llukb", in->burst) : NULL;
        /* libvirt's quantum: the bytes of one average's second over an
         * MTU of 1500, at least 1 */
        g_autofree char *quantum = g_strdup_printf("%llu",
                                                   MAX(in->average * 1024 / 8 / 1500, 1ULL));
        const char *root[] = { "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb",
                               "default", "1", NULL };
        const char *cls[20] = { "tc", "class", "add", "dev", dev, "parent", "1:", "classid",
                                "1:1", "htb", "rate", rate };
        const char *sfq[] = { "tc", "qdisc", "add", "dev", dev, "parent", "1:1", "handle", "2:",
                              "sfq", "perturb", "10", NULL };
        const char *filter[] = { "tc", "filter", "add", "dev", dev, "parent", "1:0", "protocol",
                                 "all", "prio", "1", "handle", "1", "fw", "flowid", "1", NULL };
        size_t n = 12;

        if (ceil) {
            cls[n++] = "ceil";
            cls[n++] = ceil;
        }
        if (burst) {
            cls[n++] = "burst";
            cls[n++] = burst;
        }
        cls[n++] = "quantum";
        cls[n++] = quantum;
        cls[n] = NULL;
        if (!vgmDriverNetRun(root, error) || !vgmDriverNetRun(cls, error) ||
            !vgmDriverNetRun(sfq, error) || !vgmDriverNetRun(filter, error))
            return FALSE;
    }
    if (out && out->average) {
        g_autofree char *rate = g_strdup_printf("%llukbps", out->average);
        /* tc keeps a burst in a 32-bit count of bytes */
        g_autofree char *burst = g_strdup_printf("%llukb", out->burst ? out->burst :
                                                 MIN(out->average, G_MAXUINT / 1024));
        const char *ingress[] = { "tc", "qdisc", "add", "dev", dev, "ingress", NULL };
        const char *police[] = { "tc", "filter", "add", "dev", dev, "parent", "ffff:", "protocol",
                                 "all", "u32", "match", "u32", "0", "0", "police", "rate", rate,
                                 "burst", burst, "mtu", "64kb", "drop", "flowid", ":1", NULL };

        if (!vgmDriverNetRun(ingress, error) || !vgmDriverNetRun(police, error))
            return FALSE;
    }
    return TRUE;
}

/* <bandwidth> on the tap (vgmDriverNetShape) */
static gboolean
vgmDriverNetSetBandwidth(const VgmDriverTap *tap, GError **error)
{
    if (!tap->in.average && !tap->out.average)
        return TRUE;
    if (geteuid() != 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("<bandwidth> of interface '%1$s' needs root: tc shapes the tap"), tap->mac);
        return FALSE;
    }
    if (!vgmDriverNetShape(tap->ifname, &tap->in, &tap->out, error)) {
        g_prefix_error(error, _("cannot set the <bandwidth> of interface '%1$s' on tap '%2$s': "),
                       tap->mac, tap->ifname);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverNetReshape(const VgmDriverTap *tap, GError **error)
{
    const char *dev = tap->ifname;
    const char *root[] = { "tc", "qdisc", "del", "dev", dev, "root", NULL };
    const char *ingress[] = { "tc", "qdisc", "del", "dev", dev, "ingress", NULL };

    if (geteuid() != 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("<bandwidth> of interface '%1$s' needs root: tc shapes the tap"), tap->mac);
        return FALSE;
    }
    /* (a tap not shaped has neither: tc's refusal to delete one is no
     * error) */
    vgmDriverNetRun(root, NULL);
    vgmDriverNetRun(ingress, NULL);
    return vgmDriverNetSetBandwidth(tap, error);
}

/* The tap into its Open vSwitch bridge, with the external ids libvirt
 * sets (which OpenStack Neutron's agents look the port up by) */
static gboolean
vgmDriverNetOvsAddPort(const VgmDriverTap *tap, GError **error)
{
    g_autofree char *mac = g_strdup_printf("external-ids:attached-mac=\"%s\"", tap->mac);
    g_autofree char *ifaceId = g_strdup_printf("external-ids:iface-id=\"%s\"", tap->ifaceId);
    g_autofree char *vmId = g_strdup_printf("external-ids:vm-id=\"%s\"", tap->vmId);
    const char *ids[] = { mac, ifaceId, vmId, "external-ids:iface-status=active" };
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    size_t i;

    g_ptr_array_add(args, (gpointer)"--");
    g_ptr_array_add(args, (gpointer)"--if-exists");
    g_ptr_array_add(args, (gpointer)"del-port");
    g_ptr_array_add(args, tap->ifname);
    g_ptr_array_add(args, (gpointer)"--");
    g_ptr_array_add(args, (gpointer)"add-port");
    g_ptr_array_add(args, tap->bridge);
    g_ptr_array_add(args, tap->ifname);
    if (tap->vlan)
        g_ptr_array_add(args, tap->vlan);
    /* one "set Interface" a key, as libvirt writes them */
    for (i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_ptr_array_add(args, (gpointer)"--");
        g_ptr_array_add(args, (gpointer)"set");
        g_ptr_array_add(args, (gpointer)"Interface");
        g_ptr_array_add(args, tap->ifname);
        g_ptr_array_add(args, (gpointer)ids[i]);
    }
    g_ptr_array_add(args, NULL);
    if (!vgmDriverNetOvsVsctl((const char *const *)args->pdata, error)) {
        g_prefix_error(error, _("cannot add tap '%1$s' to Open vSwitch bridge '%2$s': "),
                       tap->ifname, tap->bridge);
        return FALSE;
    }
    return TRUE;
}

/* The bridge port @ifname (of @bridge) as the interface asks: isolated
 * from the bridge's other isolated ports (the kernel's brport flag, as
 * libvirt sets it); with a MAC table the driver manages (@mac given:
 * <bridge macTableManager='libvirt'>), one that learns no MAC and floods
 * no unicast, and the guest's MAC @mac in the bridge's table instead */
static gboolean
vgmDriverNetPortSetUp(const char *ifname, const char *bridge, gboolean isolated,
                      const char *mac, GError **error)
{
    static const struct {
        const char *flag;
        const char *value;
        gboolean macTable;      /* only for a MAC table of the driver's */
    } flags[] = {
        { "isolated", "1", FALSE },
        { "learning", "0", TRUE },
        { "unicast_flood", "0", TRUE },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(flags); i++) {
        g_autofree char *path = NULL;

        if (flags[i].macTable ? !mac : !isolated)
            continue;
        path = g_strdup_printf("/sys/class/net/%s/brport/%s", ifname, flags[i].flag);
        if (!vgmFileWriteInPlace(path, flags[i].value)) {
            vgmErrorSetSystem(error, errno,
                              _("cannot set '%1$s' of port '%2$s' of bridge '%3$s' to %4$s"),
                              flags[i].flag, ifname, bridge, flags[i].value);
            return FALSE;
        }
    }
    return !mac || vgmDriverNetRun((const char *const[]){ "bridge", "fdb", "add", mac, "dev",
                                                         ifname, "master", "temp", NULL },
                                   error);
}

static gboolean
vgmDriverNetSetUpTapFd(int fd, const VgmDriverTap *tap, GError **error)
{
    struct ifreq ifr;
    unsigned int mac[6];
    unsigned int mtu = tap->mtu;
    size_t i;

    /* the guest's MAC with 0xfe first (0xfa where the guest's has 0xfe:
     * the tap's address must differ from the guest's, as libvirt says) */
    memset(&ifr, 0, sizeof(ifr));
    if (sscanf(tap->mac, "%x:%x:%x:%x:%x:%x",
               &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("invalid MAC address '%1$s'"), tap->mac);
        return FALSE;
    }
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    ifr.ifr_hwaddr.sa_data[0] = (char)(mac[0] == 0xfe ? 0xfa : 0xfe);
    for (i = 1; i < 6; i++)
        ifr.ifr_hwaddr.sa_data[i] = (char)mac[i];
    if (!vgmDriverNetIoctl(fd, SIOCSIFHWADDR, tap->ifname, &ifr, _("set the MAC address"), error))
        return FALSE;

    /* without <mtu>, a bridge port takes the bridge's, so that joining
     * does not lower it (Open vSwitch sets its ports' MTU itself) */
    if (!mtu && tap->bridge && !tap->ovs) {
        memset(&ifr, 0, sizeof(ifr));
        g_strlcpy(ifr.ifr_name, tap->bridge, sizeof(ifr.ifr_name));
        if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
            vgmErrorSetSystem(error, errno, _("cannot read the MTU of bridge '%1$s'"), tap->bridge);
            return FALSE;
        }
        mtu = (unsigned int)ifr.ifr_mtu;
    }
    if (mtu) {
        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_mtu = (int)mtu;
        if (!vgmDriverNetIoctl(fd, SIOCSIFMTU, tap->ifname, &ifr, _("set the MTU"), error))
            return FALSE;
    }

    if (tap->ovs) {
        if (!vgmDriverNetOvsAddPort(tap, error))
            return FALSE;
    } else if (tap->bridge) {
        memset(&ifr, 0, sizeof(ifr));
        g_strlcpy(ifr.ifr_name, tap->bridge, sizeof(ifr.ifr_name));
        ifr.ifr_ifindex = (int)if_nametoindex(tap->ifname);
        if (!ifr.ifr_ifindex) {
            vgmErrorSetSystem(error, errno, _("QEMU made no tap device '%1$s' for bridge '%2$s'"),
                              tap->ifname, tap->bridge);
            return FALSE;
        }
        if (ioctl(fd, SIOCBRADDIF, &ifr) < 0) {
            vgmErrorSetSystem(error, errno, _("cannot add tap '%1$s' to bridge '%2$s'"),
                              tap->ifname, tap->bridge);
            return FALSE;
        }
        if (!vgmDriverNetPortSetUp(tap->ifname, tap->bridge, tap->isolated,
                                   tap->macTableLibvirt ? tap->mac : NULL, error))
            return FALSE;
    }

    /* <coalesce>: the received frames the tap batches (ethtool -C rx-frames) */
    if (tap->coalesceRxFrames) {
        struct ethtool_coalesce coal;

        memset(&coal, 0, sizeof(coal));
        coal.cmd = ETHTOOL_SCOALESCE;
        coal.rx_max_coalesced_frames = tap->coalesceRxFrames;
        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_data = (void *)&coal;
        if (!vgmDriverNetIoctl(fd, SIOCETHTOOL, tap->ifname, &ifr,
                               _("set the coalescing of received frames (<coalesce>)"), error))
            return FALSE;
    }

    memset(&ifr, 0, sizeof(ifr));
    if (!vgmDriverNetIoctl(fd, SIOCGIFFLAGS, tap->ifname, &ifr, _("read the flags"), error))
        return FALSE;
    ifr.ifr_flags |= IFF_UP;
    return vgmDriverNetIoctl(fd, SIOCSIFFLAGS, tap->ifname, &ifr, _("bring up the link"), error) &&
           vgmDriverNetSetBandwidth(tap, error);
}

/* Tap @ifname out of bridge @from (if given) and into bridge @to, its
 * port isolated as @isolated says; on a failure to join @to it goes back
 * into @from */
gboolean
vgmDriverNetMoveTap(const char *ifname, const char *from, const char *to, gboolean isolated,
                    const char *mac, GError **error)
{
    struct ifreq ifr;
    int fd;
    gboolean ok = FALSE;

    if ((fd = socket(AF_LOCAL, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open a socket to move tap '%1$s'"), ifname);
        return FALSE;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_ifindex = (int)if_nametoindex(ifname);
    if (!ifr.ifr_ifindex) {
        vgmErrorSetSystem(error, errno, _("the domain's tap '%1$s' is gone"), ifname);
        goto out;
    }
    if (from) {
        g_strlcpy(ifr.ifr_name, from, sizeof(ifr.ifr_name));
        if (ioctl(fd, SIOCBRDELIF, &ifr) < 0 && errno != EINVAL) {
            vgmErrorSetSystem(error, errno, _("cannot take tap '%1$s' out of bridge '%2$s'"),
                              ifname, from);
            goto out;
        }
    }
    g_strlcpy(ifr.ifr_name, to, sizeof(ifr.ifr_name));
    if (ioctl(fd, SIOCBRADDIF, &ifr) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot add tap '%1$s' to bridge '%2$s'"), ifname, to);
        if (from) {
            g_strlcpy(ifr.ifr_name, from, sizeof(ifr.ifr_name));
            if (ioctl(fd, SIOCBRADDIF, &ifr) < 0)
                g_warning(_("tap '%1$s' is in no bridge now: it cannot go back into '%2$s': %3$s"),
                          ifname, from, g_strerror(errno));
        }
        goto out;
    }
    if (!vgmDriverNetPortSetUp(ifname, to, isolated, mac, error))
        goto out;
    ok = TRUE;
 out:
    close(fd);
    return ok;
}

gboolean
vgmDriverNetSetUpTap(const VgmDriverTap *tap, GError **error)
{
    int fd;
    gboolean ok;

    if (!if_nametoindex(tap->ifname)) {
        vgmErrorSetSystem(error, errno, _("QEMU made no tap device '%1$s'"), tap->ifname);
        return FALSE;
    }
    if ((fd = socket(AF_LOCAL, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open a socket to set up tap '%1$s'"),
                          tap->ifname);
        return FALSE;
    }
    ok = vgmDriverNetSetUpTapFd(fd, tap, error);
    close(fd);
    return ok;
}

void
vgmDriverPassFdsFree(GArray *fds)
{
    if (!fds)
        return;
    for (guint i = 0; i < fds->len; i++) {
        int fd = g_array_index(fds, VgmDriverPassFd, i).fd;

        if (fd >= 0)
            close(fd);
    }
    g_array_unref(fds);
}

/* ---- macvtaps (<interface type='direct'>) ---- */

void
vgmDriverNetOpenFree(VgmDriverNetOpen *o)
{
    if (!o)
        return;
    g_free(o->ifname);
    g_free(o->link);
    g_free(o->mac);
    g_free(o->tapDevice);
    g_free(o->vhostDevice);
    g_free(o);
}

GPtrArray *
vgmDriverNetOpens(const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverNetOpenFree);
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);
        VgmDriverNetOpen *o;
        VgmQemuNetFds fds;

        if (!vgmQemuNetDriverOpens(net))
            continue;
        vgmQemuNetFdsOf(plan, def, i, &fds);
        o = g_new0(VgmDriverNetOpen, 1);
        o->macvtap = net->type == VGM_NET_TYPE_DIRECT;
        o->ifname = g_strdup(net->ifname);
        o->mac = g_strdup(net->mac);
        if (o->macvtap) {
            o->link = g_strdup(net->source);
            o->mode = net->directMode;
        } else {
            o->tapDevice = g_strdup(net->backendTap ? net->backendTap : "/dev/net/tun");
        }
        o->vnetHdr = g_str_has_prefix(net->model, "virtio");
        o->up = net->linkDown != VGM_TRISTATE_YES;
        o->queues = fds.queues;
        o->firstFd = fds.firstTap;
        o->firstVhostFd = fds.firstVhost;
        if (fds.firstVhost >= 0)
            o->vhostDevice = g_strdup(net->backendVhost);
        o->takeOver = net->tapTakenOver;
        g_ptr_array_add(out, o);
    }
    return out;
}

/* Opens the character device of macvtap @m (index @ifindex): the node
 * udev made in /dev, or one made in @runDir for the open and removed
 * (a host without udev has none) */
/* The character device of macvtap @ifname (index @ifindex), as sysfs
 * names it */
static gboolean
vgmDriverMacvtapDev(const char *ifname, unsigned int ifindex, dev_t *dev, GError **error)
{
    g_autofree char *sysDev = g_strdup_printf("/sys/class/net/%s/macvtap/tap%u/dev", ifname,
                                              ifindex);
    g_autofree char *text = NULL;
    unsigned int major, minor;

    if (!vgmFileReadAll(sysDev, 64, &text, NULL, NULL) ||
        sscanf(text, "%u:%u", &major, &minor) != 2) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot find the character device of macvtap '%1$s' (%2$s)"), ifname,
                    sysDev);
        return FALSE;
    }
    *dev = makedev(major, minor);
    return TRUE;
}

static int
vgmDriverMacvtapOpen(const VgmDriverNetOpen *m, unsigned int ifindex, const char *runDir,
                     GError **error)
{
    g_autofree char *devPath = g_strdup_printf("/dev/tap%u", ifindex);
    struct stat st;
    dev_t dev;
    int fd;

    if (!vgmDriverMacvtapDev(m->ifname, ifindex, &dev, error))
        return -1;
    if (stat(devPath, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev)
        return open(devPath, O_RDWR | O_CLOEXEC);
    g_free(devPath);
    devPath = g_strdup_printf("%s/tap%u", runDir, ifindex);
    unlink(devPath);
    if (mknod(devPath, S_IFCHR | 0600, dev) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot make a node for the character device of macvtap '%1$s' at '%2$s'"),
                          m->ifname, devPath);
        return -1;
    }
    fd = open(devPath, O_RDWR | O_CLOEXEC);
    unlink(devPath);
    return fd;
}

/* Opens tap @o->ifname through @o->tapDevice, as QEMU's own open would
 * (which it cannot do through another device) */
static int
vgmDriverTapOpen(const VgmDriverNetOpen *o, GError **error)
{
    struct ifreq ifr;
    int fd;

    if ((fd = open(o->tapDevice, O_RDWR | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open tap device '%1$s' of interface '%2$s'"),
                          o->tapDevice, o->mac);
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (o->vnetHdr ? IFF_VNET_HDR : 0) |
                    (o->queues > 1 ? IFF_MULTI_QUEUE : 0);
    g_strlcpy(ifr.ifr_name, o->ifname, sizeof(ifr.ifr_name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int saved = errno;

        close(fd);
        vgmErrorSetSystem(error, saved, _("cannot open tap '%1$s' of interface '%2$s' through '%3$s'"),
                          o->ifname, o->mac, o->tapDevice);
        return -1;
    }
    return fd;
}

/* Opens the queues of macvtap @o (made already) */
static gboolean
vgmDriverMacvtapOpenQueues(const VgmDriverNetOpen *o, const char *runDir, GArray *fds,
                           GError **error)
{
    unsigned int ifindex;
    unsigned int q;

    if (!(ifindex = if_nametoindex(o->ifname))) {
        vgmErrorSetSystem(error, errno, _("macvtap '%1$s' went away"), o->ifname);
        return FALSE;
    }
    /* one open a queue, with virtio-net's header where the model is
     * virtio, as libvirt sets it */
    for (q = 0; q < o->queues; q++) {
        VgmDriverPassFd pass = { -1, o->firstFd + (int)q };
        struct ifreq ifr;

        if ((pass.fd = vgmDriverMacvtapOpen(o, ifindex, runDir, error)) < 0) {
            if (error && !*error)
                vgmErrorSetSystem(error, errno, _("cannot open macvtap '%1$s'"), o->ifname);
            return FALSE;
        }
        g_array_append_val(fds, pass);
        memset(&ifr, 0, sizeof(ifr));
        if (o->vnetHdr && ioctl(pass.fd, TUNGETIFF, &ifr) == 0) {
            ifr.ifr_flags |= IFF_VNET_HDR;
            if (ioctl(pass.fd, TUNSETIFF, &ifr) < 0) {
                vgmErrorSetSystem(error, errno,
                                  _("cannot give macvtap '%1$s' virtio-net headers"), o->ifname);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* The vhost-net fds of @o, if the driver opens them */
static gboolean
vgmDriverNetOpenVhostFds(const VgmDriverNetOpen *o, GArray *fds, GError **error)
{
    unsigned int q;

    for (q = 0; o->firstVhostFd >= 0 && q < o->queues; q++) {
        VgmDriverPassFd pass = { open(o->vhostDevice, O_RDWR | O_CLOEXEC),
                                 o->firstVhostFd + (int)q };

        if (pass.fd < 0) {
            vgmErrorSetSystem(error, errno,
                              _("cannot open vhost-net device '%1$s' of interface '%2$s'"),
                              o->vhostDevice, o->mac);
            return FALSE;
        }
        g_array_append_val(fds, pass);
    }
    return TRUE;
}

gboolean
vgmDriverNetOpenFds(const VgmDriverNetOpen *o, const char *runDir, GArray *fds, GError **error)
{
    unsigned int q;

    if (o->macvtap) {
        /* ip's word for passthrough */
        const char *mode = o->mode == VGM_NET_DIRECT_PASSTHROUGH ? "passthru" :
                           vgmNetDirectModeTypeToString(o->mode);
        const char *add[] = { "ip", "link", "add", "link", o->link, "name", o->ifname, "address",
                              o->mac, "type", "macvtap", "mode", mode, NULL };
        const char *up[] = { "ip", "link", "set", "dev", o->ifname, "up", NULL };

        if (!vgmDriverNetRun(add, error) || (o->up && !vgmDriverNetRun(up, error))) {
            g_prefix_error(error, _("cannot make macvtap '%1$s' on '%2$s': "), o->ifname, o->link);
            return FALSE;
        }
        if (!vgmDriverMacvtapOpenQueues(o, runDir, fds, error))
            return FALSE;
    } else {
        for (q = 0; q < o->queues; q++) {
            VgmDriverPassFd pass = { vgmDriverTapOpen(o, error), o->firstFd + (int)q };

            if (pass.fd < 0)
                return FALSE;
            g_array_append_val(fds, pass);
        }
    }
    return vgmDriverNetOpenVhostFds(o, fds, error);
}

static gint
vgmDriverNetCompareInts(gconstpointer a, gconstpointer b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* Whether fd @name of process @pid is a file of the tap or macvtap
 * @ifname (index @ifindex): a tap's fdinfo names its interface ("iff:");
 * a macvtap's character device is the node "tapINDEX" (in /dev, or the
 * driver's own, removed, in the run directory) */
static gboolean
vgmDriverNetHeldBy(gboolean macvtap, const char *ifname, unsigned int ifindex, pid_t pid,
                   const char *name)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;

    if (!macvtap) {
        g_autofree char *want = g_strdup_printf("\niff:\t%s\n", ifname);

        path = g_strdup_printf("/proc/%lld/fdinfo/%s", (long long)pid, name);
        return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, want);
    } else {
        g_autofree char *node = g_strdup_printf("/tap%u", ifindex);
        g_autofree char *deleted = g_strdup_printf("/tap%u (deleted)", ifindex);

        path = g_strdup_printf("/proc/%lld/fd/%s", (long long)pid, name);
        return (text = g_file_read_link(path, NULL)) &&
               (g_str_has_suffix(text, node) || g_str_has_suffix(text, deleted));
    }
}

/* A pidfd of the process @qemu names, checked to be that process once
 * open (so that a pid used again cannot give another process's files),
 * or -1 */
static int
vgmDriverNetPidfd(const VgmDriverProcIdent *qemu, const char *what, GError **error)
{
    int pidfd = (int)syscall(SYS_pidfd_open, qemu->pid, 0);

    if (pidfd < 0 || !vgmDriverProcIdentIsAlive(qemu)) {
        vgmErrorSetSystem(error, pidfd < 0 ? errno : ESRCH,
                          _("cannot reach QEMU process %1$lld for %2$s"),
                          (long long)qemu->pid, what);
        if (pidfd >= 0)
            close(pidfd);
        return -1;
    }
    return pidfd;
}

int
vgmDriverTakeFd(const VgmDriverProcIdent *qemu, int fd, const char *what, GError **error)
{
    int pidfd = vgmDriverNetPidfd(qemu, what, error);
    int got;

    if (pidfd < 0)
        return -1;
    if ((got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0)) < 0)
        vgmErrorSetSystem(error, errno, _("cannot take file %1$d (%2$s) from QEMU process %3$lld"),
                          fd, what, (long long)qemu->pid);
    close(pidfd);
    return got;
}

gboolean
vgmDriverNetTakeFds(const VgmDriverNetOpen *o, const VgmDriverProcIdent *qemu, GArray *fds,
                    GArray *queues, GError **error)
{
    g_autofree char *dirPath = g_strdup_printf("/proc/%lld/fd", (long long)qemu->pid);
    g_autoptr(GArray) held = g_array_new(FALSE, FALSE, sizeof(int));
    g_autoptr(GDir) dir = NULL;
    const char *kind = o->macvtap ? "macvtap" : "tap";
    unsigned int ifindex = 0;
    const char *name;
    dev_t dev = 0;
    int pidfd;
    guint q;

    if (o->macvtap &&
        (!(ifindex = if_nametoindex(o->ifname)) ||
         !vgmDriverMacvtapDev(o->ifname, ifindex, &dev, error))) {
        if (error && !*error)
            vgmErrorSetSystem(error, errno, _("macvtap '%1$s' went away"), o->ifname);
        return FALSE;
    }
    {
        g_autofree char *what = g_strdup_printf("%s '%s'", kind, o->ifname);

        if ((pidfd = vgmDriverNetPidfd(qemu, what, error)) < 0)
            return FALSE;
    }
    if (!(dir = g_dir_open(dirPath, 0, NULL))) {
        vgmErrorSetSystem(error, errno, _("cannot list the files of QEMU process %1$lld"),
                          (long long)qemu->pid);
        close(pidfd);
        return FALSE;
    }
    while ((name = g_dir_read_name(dir))) {
        char *end = NULL;
        gint64 n = g_ascii_strtoll(name, &end, 10);

        if (end && !*end && n >= 0 && n <= G_MAXINT &&
            vgmDriverNetHeldBy(o->macvtap, o->ifname, ifindex, qemu->pid, name)) {
            int fd = (int)n;

            g_array_append_val(held, fd);
        }
    }
    g_array_sort(held, vgmDriverNetCompareInts);
    if (held->len != o->queues) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("QEMU process %1$lld holds %2$u files of %3$s '%4$s' of interface '%5$s', not the %6$u queues the new QEMU is given"),
                    (long long)qemu->pid, held->len, kind, o->ifname, o->mac, o->queues);
        close(pidfd);
        return FALSE;
    }
    for (q = 0; q < held->len; q++) {
        int from = g_array_index(held, int, q);
        VgmDriverPassFd pass = { (int)syscall(SYS_pidfd_getfd, pidfd, from, 0),
                                 o->firstFd + (int)q };
        struct stat st;

        if (pass.fd < 0) {
            vgmErrorSetSystem(error, errno,
                              _("cannot take file %1$d (%2$s '%3$s') from QEMU process %4$lld"),
                              from, kind, o->ifname, (long long)qemu->pid);
            close(pidfd);
            return FALSE;
        }
        g_array_append_val(fds, pass);
        if (o->macvtap && (fstat(pass.fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != dev)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("file %1$d of QEMU process %2$lld is not the character device of macvtap '%3$s'"),
                        from, (long long)qemu->pid, o->ifname);
            close(pidfd);
            return FALSE;
        }
        if (queues) {
            VgmDriverTapQueue tq = { g_strdup(o->ifname), o->macvtap, from,
                                     VGM_TRISTATE_ABSENT };

            g_array_append_val(queues, tq);
        }
    }
    close(pidfd);
    return vgmDriverNetOpenVhostFds(o, fds, error);
}

gboolean
vgmDriverNetQueuesSet(GArray *queues, const VgmDriverProcIdent *qemu, gboolean attach,
                      GError **error)
{
    int pidfd = -1;
    guint i;

    for (i = 0; i < queues->len; i++) {
        VgmDriverTapQueue *q = &g_array_index(queues, VgmDriverTapQueue, i);
        g_autofree char *name = g_strdup_printf("%d", q->qemuFd);
        unsigned int ifindex = q->macvtap ? if_nametoindex(q->ifname) : 0;
        struct ifreq ifr;
        int fd, rc;

        if (!attach && q->detached == VGM_TRISTATE_ABSENT)
            continue;
        if (pidfd < 0) {
            g_autofree char *what = g_strdup_printf("%s '%s'", q->macvtap ? "macvtap" : "tap",
                                                    q->ifname);

            if ((pidfd = vgmDriverNetPidfd(qemu, what, error)) < 0)
                return FALSE;
        }
        /* the file is still the one taken over */
        if ((q->macvtap && !ifindex) ||
            !vgmDriverNetHeldBy(q->macvtap, q->ifname, ifindex, qemu->pid, name) ||
            (fd = (int)syscall(SYS_pidfd_getfd, pidfd, q->qemuFd, 0)) < 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU process %1$lld no longer holds %2$s '%3$s' as its file %4$d"),
                        (long long)qemu->pid, q->macvtap ? "macvtap" : "tap", q->ifname,
                        q->qemuFd);
            close(pidfd);
            return FALSE;
        }
        /* an attach of a queue attached already, or of a tap of one queue,
         * fails with EINVAL, and so does a detach of a queue detached */
        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_flags = attach || q->detached == VGM_TRISTATE_NO ? IFF_ATTACH_QUEUE :
                                                                  IFF_DETACH_QUEUE;
        rc = ioctl(fd, TUNSETQUEUE, &ifr);
        if (attach)
            q->detached = rc == 0 ? VGM_TRISTATE_YES : VGM_TRISTATE_NO;
        close(fd);
    }
    if (pidfd >= 0)
        close(pidfd);
    return TRUE;
}

void
vgmDriverNetCleanupOne(const VgmNetDef *net)
{
    if (!net->ifname)
        return;
    if (net->ovs) {
        const char *args[] = { "--", "--if-exists", "del-port", net->ifname, NULL };

        vgmDriverNetOvsVsctl(args, NULL);
    }
    /* a macvtap, on the device the definition names */
    if (net->type == VGM_NET_TYPE_DIRECT) {
        g_autofree char *sys = g_strdup_printf("/sys/class/net/%s/lower_%s", net->ifname,
                                               net->source);

        if (g_file_test(sys, G_FILE_TEST_EXISTS)) {
            const char *del[] = { "ip", "link", "del", "dev", net->ifname, NULL };

            vgmDriverNetRun(del, NULL);
        }
    }
    /* as libvirt: whatever the script says, the interface is gone */
    if (net->downscript) {
        const char *argv[] = { net->downscript, net->ifname, NULL };

        vgmDriverNetRun(argv, NULL);
    }
}

void
vgmDriverNetCleanup(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices.nets->len; i++)
        vgmDriverNetCleanupOne(g_ptr_array_index(def->devices.nets, i));
}

void
vgmDriverNetScriptFree(VgmDriverNetScript *script)
{
    if (!script)
        return;
    g_free(script->ifname);
    g_free(script->path);
    if (script->commands)
        g_ptr_array_unref(script->commands);
    g_free(script);
}

VgmDriverNetScript *
vgmDriverNetScriptOf(const VgmNetDef *net)
{
    VgmDriverNetScript *script;
    guint i;

    if (!net->ifname || (!net->script && !net->hostIps && !net->routes))
        return NULL;
    script = g_new0(VgmDriverNetScript, 1);
    script->ifname = g_strdup(net->ifname);
    script->path = g_strdup(net->script);
    script->commands = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (i = 0; net->hostIps && i < net->hostIps->len; i++) {
        const VgmNetHostIp *ip = g_ptr_array_index(net->hostIps, i);
        GStrvBuilder *b = g_strv_builder_new();
        /* (with a peer, ip takes the prefix on the peer's address) */
        g_autofree char *addr = !ip->peer ? g_strdup_printf("%s/%u", ip->address, ip->usePrefix) :
                                            g_strdup(ip->address);
        g_autofree char *peer = ip->peer ? g_strdup_printf("%s/%u", ip->peer, ip->usePrefix) :
                                           NULL;

        g_strv_builder_add_many(b, "ip", ip->ipv6 ? "-6" : "-4", "address", "add", addr, NULL);
        if (peer)
            g_strv_builder_add_many(b, "peer", peer, NULL);
        g_strv_builder_add_many(b, "dev", net->ifname, NULL);
        g_ptr_array_add(script->commands, g_strv_builder_end(b));
        g_strv_builder_unref(b);
    }
    for (i = 0; net->routes && i < net->routes->len; i++) {
        const VgmNetRoute *r = g_ptr_array_index(net->routes, i);
        GStrvBuilder *b = g_strv_builder_new();
        g_autofree char *dest = g_strdup_printf("%s/%u", r->address, r->prefix);
        /* (libvirt's metric where none is given: 1) */
        g_autofree char *metric = g_strdup_printf("%u", r->metric ? r->metric : 1);

        g_strv_builder_add_many(b, "ip", r->ipv6 ? "-6" : "-4", "route", "add", dest, "via",
                                r->gateway, "dev", net->ifname, "metric", metric, NULL);
        g_ptr_array_add(script->commands, g_strv_builder_end(b));
        g_strv_builder_unref(b);
    }
    return script;
}

GPtrArray *
vgmDriverNetScripts(const VgmDomainDef *def)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverNetScriptFree);
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        VgmDriverNetScript *script = vgmDriverNetScriptOf(g_ptr_array_index(def->devices.nets, i));

        if (script)
            g_ptr_array_add(out, script);
    }
    return out;
}

gboolean
vgmDriverNetRunScript(const VgmDriverNetScript *script, GError **error)
{
    const char *argv[] = { script->path, script->ifname, NULL };
    guint i;

    if (script->path && !vgmDriverNetRun(argv, error)) {
        g_prefix_error(error, _("the <script> of tap '%1$s': "), script->ifname);
        return FALSE;
    }
    for (i = 0; script->commands && i < script->commands->len; i++) {
        if (!vgmDriverNetRun(g_ptr_array_index(script->commands, i), error)) {
            g_prefix_error(error, _("the <source> of the tap '%1$s' of an <interface type='ethernet'>: "),
                           script->ifname);
            return FALSE;
        }
    }
    return TRUE;
}
