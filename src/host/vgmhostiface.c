/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmhostiface.c: the host's network interfaces, read from sysfs (and
 * /proc/net/vlan), as libvirt's interface XML.
 */
#include "config.h"

#include <string.h>

#include "vgmhostiface.h"
#include "vgmnodedev.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"
#include "util/vgmxml.h"

#define VGM_IFACE_ATTR_MAX (64 * 1024)
/* how deep members nest (a VLAN of a bond in a bridge is three) */
#define VGM_IFACE_DEPTH_MAX 8

typedef enum {
    VGM_IFACE_ETHERNET,
    VGM_IFACE_BRIDGE,
    VGM_IFACE_BOND,
    VGM_IFACE_VLAN,
} VgmIfaceType;

static const char *const vgmIfaceTypeNames[] = { "ethernet", "bridge", "bond", "vlan" };

/* the kernel's bonding modes, by number, as libvirt names them */
static const char *const vgmIfaceBondModes[] = {
    "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb",
    "balance-alb",
};

/* arp_validate's numbers libvirt has a name for */
static const char *const vgmIfaceArpValidate[] = { NULL, "active", "backup", "all" };

void
vgmHostIfaceFree(VgmHostIface *iface)
{
    if (!iface)
        return;
    g_free(iface->name);
    g_free(iface->mac);
    g_free(iface->operstate);
    g_free(iface);
}

static char *
vgmIfaceNetDir(const char *sysfs, const char *name)
{
    return g_build_filename(sysfs ? sysfs : "/sys", "class", "net", name, NULL);
}

static gint
vgmIfaceCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static gint
vgmIfaceCompare(gconstpointer a, gconstpointer b)
{
    return strcmp((*(VgmHostIface *const *)a)->name, (*(VgmHostIface *const *)b)->name);
}

/* Whether @name can name an interface directory (no path tricks) */
static gboolean
vgmIfaceNameOK(const char *name)
{
    return *name && !strchr(name, '/') && !g_str_equal(name, ".") && !g_str_equal(name, "..");
}

/* An interface's MAC address: empty for one without a hardware address
 * (WireGuard, PPP), as libvirt reads it; NULL without the attribute */
static char *
vgmIfaceMac(const char *dir)
{
    char *mac = vgmHostSysfsAttr(dir, "address");

    if (!mac && vgmHostSysfsAttrExists(dir, "address"))
        mac = g_strdup("");
    return mac;
}

static VgmHostIface *
vgmIfaceRead(const char *dir, const char *name)
{
    VgmHostIface *iface = g_new0(VgmHostIface, 1);

    iface->name = vgmXMLTextFromRaw(name);
    iface->mac = vgmIfaceMac(dir);
    iface->operstate = vgmHostSysfsAttr(dir, "operstate");
    if (!iface->operstate)
        iface->operstate = g_strdup("unknown");
    return iface;
}

VgmHostIface *
vgmHostIfaceGet(const char *sysfs, const char *name, GError **error)
{
    g_autofree char *dir = NULL;

    if (!vgmIfaceNameOK(name) || !g_file_test((dir = vgmIfaceNetDir(sysfs, name)),
                                              G_FILE_TEST_IS_DIR)) {
        vgmErrorSet(error, VGM_ERR_NO_INTERFACE, _("couldn't find interface named '%1$s'"), name);
        return NULL;
    }
    return vgmIfaceRead(dir, name);
}

GPtrArray *
vgmHostIfaceList(const char *sysfs, GError **error)
{
    g_autofree char *dir = g_build_filename(sysfs ? sysfs : "/sys", "class", "net", NULL);
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)vgmHostIfaceFree);
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
    const char *entry;

    if (!d) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read the host's network interfaces: %1$s"),
                    err->message);
        return NULL;
    }
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *idir = g_build_filename(dir, entry, NULL);

        /* a bridge's port shows in its bridge; a tap is a guest's */
        if (vgmHostSysfsAttrExists(idir, "brport/state") || vgmHostSysfsAttrExists(idir, "tun_flags"))
            continue;
        g_ptr_array_add(list, vgmIfaceRead(idir, entry));
    }
    g_ptr_array_sort(list, vgmIfaceCompare);
    return g_steal_pointer(&list);
}

/* The kernel's number at the end of a bonding attribute ("balance-rr 0") */
static gboolean
vgmIfaceBondNumber(const char *dir, const char *attr, int *value)
{
    g_autofree char *text = vgmHostSysfsAttr(dir, attr);
    const char *sp = text ? strrchr(text, ' ') : NULL;

    return sp && vgmStrToInt(sp + 1, value);
}

static gboolean
vgmIfaceBondInt(const char *dir, const char *attr, int *value)
{
    g_autofree char *text = vgmHostSysfsAttr(dir, attr);

    return text && vgmStrToInt(text, value);
}

static gboolean vgmIfaceFormat(VgmBuf *buf, const char *sysfs, const char *procfs,
                               const char *name, gboolean top, guint depth, GError **error);

static gboolean
vgmIfaceFormatBond(VgmBuf *buf, const char *sysfs, const char *procfs, const char *name,
                   const char *dir, guint depth, GError **error)
{
    g_autofree char *target = vgmHostSysfsAttr(dir, "bonding/arp_ip_target");
    g_autoptr(GPtrArray) slaves = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = NULL;
    const char *entry;
    int downdelay, updelay, miimon, interval, mode, validate, carrier;
    guint i;

    if (!vgmIfaceBondInt(dir, "bonding/downdelay", &downdelay) ||
        !vgmIfaceBondInt(dir, "bonding/updelay", &updelay) ||
        !vgmIfaceBondInt(dir, "bonding/miimon", &miimon) ||
        !vgmIfaceBondInt(dir, "bonding/arp_interval", &interval) ||
        !vgmIfaceBondNumber(dir, "bonding/mode", &mode) ||
        !vgmIfaceBondNumber(dir, "bonding/arp_validate", &validate) ||
        !vgmIfaceBondInt(dir, "bonding/use_carrier", &carrier)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("cannot read the bonding settings of interface '%1$s'"),
                    name);
        return FALSE;
    }
    vgmBufAdd(buf, "<bond");
    if (mode >= 0 && (size_t)mode < G_N_ELEMENTS(vgmIfaceBondModes))
        vgmBufAsprintf(buf, " mode='%s'", vgmIfaceBondModes[mode]);
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    /* ARP monitoring where it has an interval, else MII where it has a
     * frequency */
    if (interval > 0) {
        vgmBufAsprintf(buf, "<arpmon interval='%d'", interval);
        vgmBufEscapeString(buf, " target='%s'", target ? target : "");
        if (validate > 0 && (size_t)validate < G_N_ELEMENTS(vgmIfaceArpValidate))
            vgmBufAsprintf(buf, " validate='%s'", vgmIfaceArpValidate[validate]);
        vgmBufAdd(buf, "/>\n");
    } else if (miimon > 0) {
        vgmBufAsprintf(buf, "<miimon freq='%d'", miimon);
        if (downdelay > 0)
            vgmBufAsprintf(buf, " downdelay='%d'", downdelay);
        if (updelay > 0)
            vgmBufAsprintf(buf, " updelay='%d'", updelay);
        vgmBufAsprintf(buf, " carrier='%s'/>\n", carrier ? "netif" : "ioctl");
    }
    /* the slaves: libvirt's slave_NAME links, else the bonding driver's
     * list (kernels without those links) */
    d = g_dir_open(dir, 0, NULL);
    while (d && (entry = g_dir_read_name(d))) {
        if (g_str_has_prefix(entry, "slave_") && entry[strlen("slave_")])
            g_ptr_array_add(slaves, g_strdup(entry + strlen("slave_")));
    }
    if (!slaves->len) {
        g_autofree char *list = vgmHostSysfsAttr(dir, "bonding/slaves");
        g_auto(GStrv) names = list ? g_strsplit(list, " ", -1) : NULL;

        for (i = 0; names && names[i]; i++) {
            if (*names[i])
                g_ptr_array_add(slaves, g_strdup(names[i]));
        }
    }
    g_ptr_array_sort(slaves, vgmIfaceCompareNames);
    for (i = 0; i < slaves->len; i++) {
        if (!vgmIfaceFormat(buf, sysfs, procfs, g_ptr_array_index(slaves, i), FALSE, depth + 1,
                            error))
            return FALSE;
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</bond>\n");
    return TRUE;
}

static gboolean
vgmIfaceFormatBridge(VgmBuf *buf, const char *sysfs, const char *procfs, const char *name,
                     const char *dir, guint depth, GError **error)
{
    g_autofree char *delay = vgmHostSysfsAttr(dir, "bridge/forward_delay");
    g_autofree char *stpText = vgmHostSysfsAttr(dir, "bridge/stp_state");
    g_autofree char *brif = g_build_filename(dir, "brif", NULL);
    g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(brif, 0, NULL);
    const char *entry;
    int stp;
    guint i;

    if (!delay || !stpText || !vgmStrToInt(stpText, &stp) || stp < -1 || stp > 1 || !d) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("cannot read the bridge settings of interface '%1$s'"),
                    name);
        return FALSE;
    }
    vgmBufAdd(buf, "<bridge");
    if (stp >= 0)
        vgmBufAsprintf(buf, " stp='%s'", stp ? "on" : "off");
    vgmBufEscapeString(buf, " delay='%s'", delay);
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    /* its ports, but the guests' taps (vnetN) */
    while ((entry = g_dir_read_name(d))) {
        if (!(g_str_has_prefix(entry, "vnet") && g_ascii_isdigit(entry[4])))
            g_ptr_array_add(ports, g_strdup(entry));
    }
    g_ptr_array_sort(ports, vgmIfaceCompareNames);
    for (i = 0; i < ports->len; i++) {
        if (!vgmIfaceFormat(buf, sysfs, procfs, g_ptr_array_index(ports, i), FALSE, depth + 1,
                            error))
            return FALSE;
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</bridge>\n");
    return TRUE;
}

static gboolean
vgmIfaceFormatVlan(VgmBuf *buf, const char *procfs, const char *name, GError **error)
{
    g_autofree char *path = g_build_filename(procfs ? procfs : "/proc", "net", "vlan", name, NULL);
    g_autofree char *text = NULL;
    g_autofree char *tag = NULL;
    g_autofree char *dev = NULL;
    const char *vid, *devp;
    size_t n;

    if (!vgmFileReadAll(path, VGM_IFACE_ATTR_MAX, &text, NULL, error))
        return FALSE;
    if (!(vid = strstr(text, "VID: ")) || !(n = strspn(vid + 5, "0123456789")) ||
        !g_ascii_isspace(vid[5 + n]) || !(devp = strstr(vid + 5 + n, "\nDevice: ")) ||
        !devp[9] || devp[9] == '\n') {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("cannot read the VLAN of interface '%1$s' in '%2$s'"),
                    name, path);
        return FALSE;
    }
    tag = g_strndup(vid + 5, n);
    devp += 9;
    {
        g_autofree char *raw = g_strndup(devp, strcspn(devp, "\n"));

        dev = vgmXMLTextFromRaw(raw);
    }
    vgmBufAsprintf(buf, "<vlan tag='%s'>\n", tag);
    vgmBufEscapeString(buf, "  <interface name='%s'/>\n", dev);
    vgmBufAdd(buf, "</vlan>\n");
    return TRUE;
}

static gboolean
vgmIfaceFormat(VgmBuf *buf, const char *sysfs, const char *procfs, const char *name,
               gboolean top, guint depth, GError **error)
{
    g_autofree char *dir = vgmIfaceNetDir(sysfs, name);
    g_autofree char *mac = NULL;
    g_autofree char *mtuText = NULL;
    g_autofree char *uevent = NULL;
    const char *devtype = NULL;
    VgmIfaceType type = VGM_IFACE_ETHERNET;
    guint mtu;

    if (!vgmIfaceNameOK(name) || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        vgmErrorSet(error, VGM_ERR_NO_INTERFACE, _("couldn't find interface named '%1$s'"), name);
        return FALSE;
    }
    if (depth > VGM_IFACE_DEPTH_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("interface '%1$s' is nested more than %2$d deep"), name, VGM_IFACE_DEPTH_MAX);
        return FALSE;
    }
    mac = vgmIfaceMac(dir);
    if (!(mtuText = vgmHostSysfsAttr(dir, "mtu")) || !vgmStrToUInt(mtuText, &mtu)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("cannot read the MTU of interface '%1$s'"), name);
        return FALSE;
    }
    /* the kind: udev's DEVTYPE, else a '.' in the name (a VLAN) or a
     * bonding directory */
    if ((uevent = vgmHostSysfsAttr(dir, "uevent"))) {
        g_auto(GStrv) lines = g_strsplit(uevent, "\n", -1);
        size_t i;

        for (i = 0; lines[i]; i++) {
            if (g_str_has_prefix(lines[i], "DEVTYPE="))
                devtype = lines[i] + strlen("DEVTYPE=");
        }
        if (g_strcmp0(devtype, "vlan") == 0)
            type = VGM_IFACE_VLAN;
        else if (g_strcmp0(devtype, "bridge") == 0)
            type = VGM_IFACE_BRIDGE;
        else if (g_strcmp0(devtype, "bond") == 0)
            type = VGM_IFACE_BOND;
    }
    if (type == VGM_IFACE_ETHERNET && strchr(name, '.'))
        type = VGM_IFACE_VLAN;
    if (type == VGM_IFACE_ETHERNET && vgmHostSysfsAttrExists(dir, "bonding/mode"))
        type = VGM_IFACE_BOND;

    vgmBufAsprintf(buf, "<interface type='%s' ", vgmIfaceTypeNames[type]);
    vgmBufEscapeString(buf, "name='%s'>\n", name);
    vgmBufAdjustIndent(buf, 2);
    /* the MTU only on the top interface: members have the top's */
    if (top && mtu)
        vgmBufAsprintf(buf, "<mtu size='%u'/>\n", mtu);
    if (type != VGM_IFACE_BRIDGE)
        vgmHostNetLinkFormat(buf, dir);
    switch (type) {
    case VGM_IFACE_ETHERNET:
        if (mac)
            vgmBufEscapeString(buf, "<mac address='%s'/>\n", mac);
        break;
    case VGM_IFACE_BRIDGE:
        if (!vgmIfaceFormatBridge(buf, sysfs, procfs, name, dir, depth, error))
            return FALSE;
        break;
    case VGM_IFACE_BOND:
        if (!vgmIfaceFormatBond(buf, sysfs, procfs, name, dir, depth, error))
            return FALSE;
        break;
    case VGM_IFACE_VLAN:
        if (!vgmIfaceFormatVlan(buf, procfs, name, error))
            return FALSE;
        break;
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</interface>\n");
    return TRUE;
}

char *
vgmHostIfaceFormat(const char *sysfs, const char *procfs, const char *name, GError **error)
{
    g_auto(VgmBuf) buf = { 0 };

    vgmBufInit(&buf, 0);
    if (!vgmIfaceFormat(&buf, sysfs, procfs, name, TRUE, 0, error))
        return NULL;
    return vgmBufSteal(&buf);
}
