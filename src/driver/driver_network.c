/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_network.c: virtual networks (see driver_network.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "driver_network.h"
#include "driver_conn.h"
#include "driver_net.h"
#include "driver_domain.h"
#include "conf/domain_conf.h"
#include "conf/network_conf.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

#define VGM_NETWORK_XML_MAX (1024 * 1024)
#define VGM_NETWORK_LEASES_MAX (16 * 1024 * 1024)
/* how long a destroy waits for dnsmasq to end */
#define VGM_NETWORK_DNSMASQ_WAIT_MS 3000

/* virConnectListAllNetworksFlags */
enum {
    VGM_LIST_NETWORKS_INACTIVE = 1 << 0,
    VGM_LIST_NETWORKS_ACTIVE = 1 << 1,
    VGM_LIST_NETWORKS_PERSISTENT = 1 << 2,
    VGM_LIST_NETWORKS_TRANSIENT = 1 << 3,
    VGM_LIST_NETWORKS_AUTOSTART = 1 << 4,
    VGM_LIST_NETWORKS_NO_AUTOSTART = 1 << 5,
};
#define VGM_NETWORK_XML_INACTIVE 1u
#define VGM_NETWORK_VALIDATE 1u

/* Everything below runs under this lock. */
static GMutex vgmNetworkLock;

void
vgmNetworkFree(VgmNetwork *net)
{
    if (!net)
        return;
    g_free(net->name);
    g_free(net);
}

void
vgmNetworkLeaseFree(VgmNetworkLease *lease)
{
    if (!lease)
        return;
    g_free(lease->iface);
    g_free(lease->mac);
    g_free(lease->ip);
    g_free(lease->hostname);
    g_free(lease->clientid);
    g_free(lease);
}

/* ---- paths ---- */

static char *
vgmNetworkConfigDir(const VgmDriverStore *store)
{
    return vgmDriverStoreObjectDir(store, FALSE, "networks");
}

static char *
vgmNetworkRunDir(const VgmDriverStore *store)
{
    return vgmDriverStoreObjectDir(store, TRUE, "network");
}

/* CONFIGDIR/NAME.xml */
static char *
vgmNetworkConfigPath(const VgmDriverStore *store, const char *name)
{
    g_autofree char *dir = vgmNetworkConfigDir(store);
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

static char *
vgmNetworkAutostartPath(const VgmDriverStore *store, const char *name)
{
    g_autofree char *dir = vgmNetworkConfigDir(store);

    return g_build_filename(dir, "autostart", name, NULL);
}

/* RUNDIR/NAME.@ext */
static char *
vgmNetworkRunFile(const VgmDriverStore *store, const char *name, const char *ext)
{
    g_autofree char *dir = vgmNetworkRunDir(store);
    g_autofree char *file = g_strdup_printf("%s.%s", name, ext);

    return g_build_filename(dir, file, NULL);
}

/* A name fit to be a file name (the XML parser checks the same) */
static gboolean
vgmNetworkNameOK(const char *name)
{
    return name && *name && !strchr(name, '/') && name[0] != '.' && strlen(name) <= 200;
}

static gint
vgmNetworkCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- definitions on disk (callers hold vgmNetworkLock) ---- */

static VgmNetworkDef *
vgmNetworkReadDef(const char *path, GError **error)
{
    g_autofree char *xml = NULL;

    if (!vgmFileReadAll(path, VGM_NETWORK_XML_MAX, &xml, NULL, error))
        return NULL;
    return vgmNetworkDefParseString(xml, path, error);
}

/* The persistent definition of @name, or NULL (with @error only when the
 * file is there and unreadable) */
static VgmNetworkDef *
vgmNetworkLoadConfig(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autofree char *path = NULL;

    if (!vgmNetworkNameOK(name))
        return NULL;
    path = vgmNetworkConfigPath(store, name);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return NULL;
    return vgmNetworkReadDef(path, error);
}

/* The live definition of active network @name, or NULL */
static VgmNetworkDef *
vgmNetworkLoadLive(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autofree char *path = NULL;

    if (!vgmNetworkNameOK(name))
        return NULL;
    path = vgmNetworkRunFile(store, name, "xml");
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return NULL;
    return vgmNetworkReadDef(path, error);
}

static gboolean
vgmNetworkIsAutostart(const VgmDriverStore *store, const char *name)
{
    g_autofree char *path = vgmNetworkAutostartPath(store, name);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static gboolean
vgmNetworkRemoveFile(const char *path, GError **error)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmNetworkWriteFile(const char *path, const char *text, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);

    return vgmFileMakePath(dir, 0755, error) &&
           vgmFileWriteAtomic(path, text, strlen(text), 0644, error);
}

/* The names in @dir of files ending in .xml */
static void
vgmNetworkAddNames(const char *dir, GHashTable *names)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, ".xml") && ent[0] != '.')
            g_hash_table_add(names, g_strndup(ent, strlen(ent) - 4));
    }
}

/* One network as the driver knows it */
typedef struct {
    char *name;
    VgmNetworkDef *config;      /* persistent definition, or NULL */
    VgmNetworkDef *live;        /* live definition when active, or NULL */
} VgmNetworkObj;

static void
vgmNetworkObjFree(VgmNetworkObj *obj)
{
    if (!obj)
        return;
    g_free(obj->name);
    vgmNetworkDefFree(obj->config);
    vgmNetworkDefFree(obj->live);
    g_free(obj);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNetworkObj, vgmNetworkObjFree)

/* The definition that describes @obj now */
static const VgmNetworkDef *
vgmNetworkObjDef(const VgmNetworkObj *obj)
{
    return obj->live ? obj->live : obj->config;
}

/* Network @name, or NULL with VGM_ERR_NO_NETWORK */
static VgmNetworkObj *
vgmNetworkObjLoad(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autoptr(VgmNetworkObj) obj = g_new0(VgmNetworkObj, 1);
    g_autoptr(GError) err = NULL;

    obj->name = g_strdup(name);
    obj->live = vgmNetworkLoadLive(store, name, &err);
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    obj->config = vgmNetworkLoadConfig(store, name, &err);
    if (err) {
        /* a running network stays in reach (to destroy it) when its
         * definition on disk no longer reads */
        if (!obj->live) {
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        g_warning(_("network '%1$s' runs, but its definition does not read: %2$s"), name,
                  err->message);
    }
    if (!obj->config && !obj->live) {
        vgmErrorSet(error, VGM_ERR_NO_NETWORK,
                    _("no network with matching name '%1$s'"), name ? name : "");
        return NULL;
    }
    return g_steal_pointer(&obj);
}

/* Every network, sorted by name (unreadable ones left out, with a warning) */
static GPtrArray *
vgmNetworkObjLoadAll(const VgmDriverStore *store)
{
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    GPtrArray *objs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkObjFree);
    g_autofree char *cfgDir = vgmNetworkConfigDir(store);
    g_autofree char *runDir = vgmNetworkRunDir(store);
    GHashTableIter it;
    gpointer key;
    guint i;

    vgmNetworkAddNames(cfgDir, names);
    vgmNetworkAddNames(runDir, names);
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(sorted, key);
    g_ptr_array_sort(sorted, vgmNetworkCompareNames);
    for (i = 0; i < sorted->len; i++) {
        g_autoptr(GError) err = NULL;
        VgmNetworkObj *obj = vgmNetworkObjLoad(store, g_ptr_array_index(sorted, i), &err);

        if (obj)
            g_ptr_array_add(objs, obj);
        else
            g_warning(_("network '%1$s' left out: %2$s"), (const char *)g_ptr_array_index(sorted, i),
                      err->message);
    }
    return objs;
}

static VgmNetwork *
vgmNetworkFromDef(const VgmNetworkDef *def)
{
    VgmNetwork *net = g_new0(VgmNetwork, 1);

    net->name = g_strdup(def->name);
    memcpy(net->uuid, def->uuid, 16);
    return net;
}

/* ---- host side: the bridge, its firewall table, dnsmasq ---- */

/* The nftables table of the network on @bridge: virt-gmem-BRIDGE, or,
 * for a name with characters an nft identifier cannot hold, the name in
 * hexadecimal after a '/', which no interface name has: one table per
 * bridge, never shared */
static char *
vgmNetworkTableName(const char *bridge)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
    g_autoptr(GString) hex = NULL;
    const char *p;

    if (strspn(bridge, ok) == strlen(bridge))
        return g_strdup_printf("virt-gmem-%s", bridge);
    hex = g_string_new("virt-gmem-/");
    for (p = bridge; *p; p++)
        g_string_append_printf(hex, "%02x", (unsigned char)*p);
    return g_string_free(g_steal_pointer(&hex), FALSE);
}

static gboolean
vgmNetworkRun(GError **error, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *arg;
    va_list ap;

    va_start(ap, error);
    while ((arg = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)arg);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return vgmDriverNetRun((const char *const *)argv->pdata, error);
}

/* The subnet of @ip, without its prefix */
static void
vgmNetworkFirewallSubnet(const VgmNetworkIP *ip, char net[INET6_ADDRSTRLEN])
{
    if (ip->ipv6) {
        struct in6_addr net6 = vgmNetworkIP6Masked(&ip->address6, ip->prefix);

        vgmNetworkIP6Format(&net6, net);
    } else {
        vgmNetworkIPFormat(ip->address & vgmNetworkPrefixMask(ip->prefix), net);
    }
}

/* The nftables table of @def's family (@ipv6: ip6, else ip): DHCP (v6:
 * DHCPv6), DNS and TFTP from the guests to the host's dnsmasq; guest to
 * guest; out of the family's subnets and back in where the network
 * forwards (only established traffic back in where it is masqueraded:
 * IPv4 in NAT mode, IPv6 too with <nat ipv6='yes'>, as libvirt does);
 * everything else to or from the bridge rejected */
static void
vgmNetworkFirewallTable(GString *r, const VgmNetworkDef *def, gboolean ipv6)
{
    gboolean masquerade = def->forward == VGM_NETWORK_FORWARD_NAT &&
                          (!ipv6 || def->natIPv6 == VGM_TRISTATE_YES);
    g_autofree char *table = vgmNetworkTableName(def->bridge);
    g_autofree char *outDev = def->forwardDev ? g_strdup_printf(" oifname \"%s\"", def->forwardDev) :
                                                g_strdup("");
    g_autofree char *inDev = def->forwardDev ? g_strdup_printf(" iifname \"%s\"", def->forwardDev) :
                                               g_strdup("");
    const char *family = ipv6 ? "ip6" : "ip";
    const char *br = def->bridge;
    guint i;

    /* a load replaces whatever table of that name there is (left by a
     * teardown cut short), as one transaction */
    g_string_append_printf(r, "table %s %s\ndelete table %s %s\n", family, table, family, table);
    g_string_append_printf(r, "table %s %s {\n", family, table);
    g_string_append(r, "  chain input {\n"
                       "    type filter hook input priority filter; policy accept;\n");
    g_string_append_printf(r, "    iifname \"%s\" udp dport { 53, %s%s } accept\n", br,
                           ipv6 ? "547" : "67", !ipv6 && vgmNetworkDefTftpRoot(def) ? ", 69" : "");
    g_string_append_printf(r, "    iifname \"%s\" tcp dport 53 accept\n", br);
    g_string_append(r, "  }\n");
    g_string_append(r, "  chain forward {\n"
                       "    type filter hook forward priority filter; policy accept;\n");
    g_string_append_printf(r, "    iifname \"%s\" oifname \"%s\" accept\n", br, br);
    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);
        char net[INET6_ADDRSTRLEN];

        if (ip->ipv6 != ipv6 || (def->forward != VGM_NETWORK_FORWARD_NAT &&
                                 def->forward != VGM_NETWORK_FORWARD_ROUTE))
            continue;
        vgmNetworkFirewallSubnet(ip, net);
        g_string_append_printf(r, "    iifname \"%s\"%s %s saddr %s/%u accept\n", br, outDev,
                               family, net, ip->prefix);
        g_string_append_printf(r, "   %s oifname \"%s\" %s daddr %s/%u%s accept\n", inDev, br,
                               family, net, ip->prefix,
                               masquerade ? " ct state established,related" : "");
    }
    g_string_append_printf(r, "    oifname \"%s\" reject\n", br);
    g_string_append_printf(r, "    iifname \"%s\" reject\n", br);
    g_string_append(r, "  }\n");
    if (masquerade) {
        g_autofree char *to = NULL;
        g_autofree char *ports = def->natPortStart ?
            g_strdup_printf(":%u-%u", def->natPortStart, def->natPortEnd) : g_strdup(":1024-65535");

        /* (the <nat><address> range is IPv4's) */
        if (def->natStart && !ipv6) {
            char a[16], b[16];

            vgmNetworkIPFormat(def->natStart, a);
            vgmNetworkIPFormat(def->natEnd, b);
            to = def->natStart == def->natEnd ? g_strdup_printf("snat to %s", a) :
                                                g_strdup_printf("snat to %s-%s", a, b);
        }
        g_string_append(r, "  chain postrouting {\n"
                           "    type nat hook postrouting priority srcnat; policy accept;\n");
        for (i = 0; i < def->ips->len; i++) {
            const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);
            g_autofree char *src = NULL;
            char net[INET6_ADDRSTRLEN];

            if (ip->ipv6 != ipv6)
                continue;
            vgmNetworkFirewallSubnet(ip, net);
            src = g_strdup_printf("%s saddr %s/%u", family, net, ip->prefix);
            /* link-local multicast (and IPv4's broadcast) stay as they are */
            if (ipv6) {
                g_string_append_printf(r, "    %s ip6 daddr ff02::/16 return\n", src);
            } else {
                g_string_append_printf(r, "    %s ip daddr 224.0.0.0/24 return\n", src);
                g_string_append_printf(r, "    %s ip daddr 255.255.255.255 return\n", src);
            }
            g_string_append_printf(r, "   %s %s %s daddr != %s/%u meta l4proto { tcp, udp } %s%s\n",
                                   outDev, src, family, net, ip->prefix,
                                   to ? to : "masquerade to ", ports);
            g_string_append_printf(r, "   %s %s %s daddr != %s/%u %s\n", outDev, src, family, net,
                                   ip->prefix, to ? to : "masquerade");
        }
        g_string_append(r, "  }\n");
    }
    g_string_append(r, "}\n");
}

static char *
vgmNetworkFirewallRules(const VgmNetworkDef *def)
{
    g_autoptr(GString) r = g_string_new(NULL);

    vgmNetworkFirewallTable(r, def, FALSE);
    /* IPv6, libvirt's way: routed in NAT mode too, unless <nat ipv6='yes'> */
    if (vgmNetworkDefHasIPv6(def))
        vgmNetworkFirewallTable(r, def, TRUE);
    return g_string_free(g_steal_pointer(&r), FALSE);
}

/* dnsmasq's lease time of @l, as the last field of a line */
static char *
vgmNetworkLeaseTime(const VgmNetworkLeaseTime *l)
{
    static const char units[] = { 's', 'm', 'h' };

    if (!l->haveLease)
        return g_strdup("");
    if (l->expiry == 0)
        return g_strdup(",infinite");
    return g_strdup_printf(",%llu%c", l->expiry, units[l->unit]);
}

/* Whether @def needs dnsmasq: DHCP, DNS, or router advertisements for
 * an IPv6 address */
static gboolean
vgmNetworkNeedsDnsmasq(const VgmNetworkDef *def)
{
    guint i;

    if (!vgmNetworkDefOwnsBridge(def) || def->ips->len == 0)
        return FALSE;
    /* (router advertisements for an IPv6 <ip>) */
    for (i = 0; i < def->ips->len; i++) {
        if (((const VgmNetworkIP *)g_ptr_array_index(def->ips, i))->ipv6)
            return TRUE;
    }
    return vgmNetworkDefDhcpIP(def) || vgmNetworkDefTftpRoot(def) ||
           def->dnsEnable != VGM_TRISTATE_NO;
}

/* A DNS name of @def's records, and the same within the network's
 * domain (dnsmasq expands no host record's name, and libvirt's hosts file
 * is read with expand-hosts) */
static void
vgmNetworkDnsmasqNames(GString *c, const VgmNetworkDef *def, const char *name)
{
    g_string_append(c, name);
    if (def->domainName && !strchr(name, '.'))
        g_string_append_printf(c, ",%s.%s", name, def->domainName);
}

/* The lines of @def's <dns>: its forwarders (a forwarder of every domain
 * makes dnsmasq forward to none but the forwarders; a domain's without an
 * address sends its names to the host's usual servers, '#'), plain names
 * kept local (forwardPlainNames='no'), its TXT, SRV and host records, as
 * libvirt writes them */
static void
vgmNetworkDnsmasqDnsConf(GString *c, const VgmNetworkDef *def)
{
    gboolean noResolv = FALSE;
    guint i;

    for (i = 0; i < def->dnsForwarders->len; i++) {
        const VgmNetworkDnsForwarder *f = g_ptr_array_index(def->dnsForwarders, i);

        if (f->domain)
            g_string_append_printf(c, "server=/%s/%s\n", f->domain, f->addr ? f->addr : "#");
        else {
            g_string_append_printf(c, "server=%s\n", f->addr);
            noResolv = TRUE;
        }
    }
    if (noResolv)
        g_string_append(c, "no-resolv\n");
    if (def->dnsForwardPlainNames == VGM_TRISTATE_NO)
        g_string_append(c, "domain-needed\nlocal=//\n");
    for (i = 0; i < def->dnsTxts->len; i++) {
        const VgmNetworkDnsTxt *t = g_ptr_array_index(def->dnsTxts, i);

        g_string_append_printf(c, "txt-record=%s,\"", t->name);
        for (const char *p = t->value; *p; p++) {
            if (*p == '"' || *p == '\\')
                g_string_append_c(c, '\\');
            g_string_append_c(c, *p);
        }
        g_string_append(c, "\"\n");
    }
    for (i = 0; i < def->dnsSrvs->len; i++) {
        const VgmNetworkDnsSrv *s = g_ptr_array_index(def->dnsSrvs, i);

        g_string_append_printf(c, "srv-host=_%s._%s", s->service, s->protocol);
        if (s->domain)
            g_string_append_printf(c, ".%s", s->domain);
        /* (dnsmasq's fields are positional: one left out before one
         * given is 0) */
        if (s->target)
            g_string_append_printf(c, ",%s", s->target);
        if (s->havePort || s->havePriority || s->haveWeight)
            g_string_append_printf(c, ",%u", s->port);
        if (s->havePriority || s->haveWeight)
            g_string_append_printf(c, ",%u", s->priority);
        if (s->haveWeight)
            g_string_append_printf(c, ",%u", s->weight);
        g_string_append_c(c, '\n');
    }
    for (i = 0; i < def->dnsHosts->len; i++) {
        const VgmNetworkDnsHost *h = g_ptr_array_index(def->dnsHosts, i);

        g_string_append(c, "host-record=");
        for (guint j = 0; j < h->names->len; j++) {
            vgmNetworkDnsmasqNames(c, def, g_ptr_array_index(h->names, j));
            g_string_append_c(c, ',');
        }
        g_string_append_printf(c, "%s\n", h->ip);
    }
}

/* dnsmasq's configuration for @def. The DHCP hosts and their DNS names
 * are in it too: dnsmasq reads the configuration before it drops its
 * privileges, and a hosts file only after, when the run directory (a
 * root's private one) may be out of its reach. The paths of its pid and
 * lease files go on its command line, which dnsmasq takes as it is (in
 * the file, quotes and '#' in a network's name would be read). */
static void vgmNetworkDnsmasqHosts(GString *c, const VgmNetworkDef *def,
                                   const VgmNetworkIP *dhcp);

/* Network boot: dnsmasq's TFTP server on the <tftp> root, and the file a
 * PXE client of the DHCP address @dhcp (NULL: none) boots */
static void
vgmNetworkDnsmasqBoot(GString *c, const VgmNetworkDef *def, const VgmNetworkIP *dhcp)
{
    const char *root = vgmNetworkDefTftpRoot(def);

    if (root)
        g_string_append_printf(c, "enable-tftp\ntftp-root=%s\n", root);
    if (dhcp && dhcp->bootpFile)
        g_string_append_printf(c, "dhcp-boot=%s%s%s\n", dhcp->bootpFile,
                               dhcp->bootpServer ? ",," : "",
                               dhcp->bootpServer ? dhcp->bootpServer : "");
}
static unsigned long long vgmNetworkDnsmasqDhcp6(GString *c, const VgmNetworkDef *def);
static void vgmNetworkDnsmasqRA(GString *c, const VgmNetworkDef *def);

static char *
vgmNetworkDnsmasqConf(const VgmDriverStore *store, const VgmNetworkDef *def)
{
    g_autoptr(GString) c = g_string_new(NULL);
    const VgmNetworkIP *dhcp = vgmNetworkDefDhcpIP(def);
    guint i;

    g_string_append(c, "## written by virt-gmem: each start of the network writes it anew\n");
    g_string_append(c, "strict-order\n");
    /* the reverse zones answered here alone (localPtr='yes') */
    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);
        g_autofree char *zone = ip->localPtr == VGM_TRISTATE_YES ? vgmNetworkIPPtrZone(ip) : NULL;

        if (zone)
            g_string_append_printf(c, "local=/%s/\n", zone);
    }
    g_string_append(c, "except-interface=lo\n");
    g_string_append(c, "bind-dynamic\n");
    g_string_append_printf(c, "interface=%s\n", def->bridge);
    if (def->dnsEnable == VGM_TRISTATE_NO)
        g_string_append(c, "port=0\n");
    if (def->domainName) {
        g_string_append_printf(c, "domain=%s\n", def->domainName);
        g_string_append(c, "expand-hosts\n");
        if (def->localOnly == VGM_TRISTATE_YES)
            g_string_append_printf(c, "local=/%s/\n", def->domainName);
    }
    vgmNetworkDnsmasqDnsConf(c, def);
    if (dhcp) {
        unsigned long long leaseMax = dhcp->hosts->len;
        char mask[16];

        vgmNetworkIPFormat(vgmNetworkPrefixMask(dhcp->prefix), mask);
        for (i = 0; i < dhcp->ranges->len; i++) {
            const VgmNetworkRange *r = &g_array_index(dhcp->ranges, VgmNetworkRange, i);
            g_autofree char *lease = vgmNetworkLeaseTime(&r->lease);
            char s[16], e[16];

            vgmNetworkIPFormat(r->start, s);
            vgmNetworkIPFormat(r->end, e);
            g_string_append_printf(c, "dhcp-range=%s,%s,%s%s\n", s, e, mask, lease);
            leaseMax += (unsigned long long)(r->end - r->start) + 1;
        }
        /* hosts outside any range: a static range of the subnet */
        if (dhcp->ranges->len == 0) {
            char net[16];

            vgmNetworkIPFormat(dhcp->address & vgmNetworkPrefixMask(dhcp->prefix), net);
            g_string_append_printf(c, "dhcp-range=%s,static,%s\n", net, mask);
        }
        g_string_append(c, "dhcp-no-override\n");
        g_string_append(c, "dhcp-authoritative\n");
        vgmNetworkDnsmasqBoot(c, def, dhcp);
        leaseMax += vgmNetworkDnsmasqDhcp6(c, def);
        g_string_append_printf(c, "dhcp-lease-max=%llu\n", leaseMax);
    } else {
        unsigned long long leaseMax;

        vgmNetworkDnsmasqBoot(c, def, NULL);
        leaseMax = vgmNetworkDnsmasqDhcp6(c, def);

        if (leaseMax)
            g_string_append_printf(c, "dhcp-lease-max=%llu\n", leaseMax);
    }
    vgmNetworkDnsmasqHosts(c, def, dhcp);
    vgmNetworkDnsmasqHosts(c, def, vgmNetworkDefDhcpIP6(def));
    vgmNetworkDnsmasqRA(c, def);
    /* <dnsmasq:options>, last, as libvirt writes them */
    for (i = 0; def->dnsmasqOptions && i < def->dnsmasqOptions->len; i++)
        g_string_append_printf(c, "%s\n", (const char *)g_ptr_array_index(def->dnsmasqOptions, i));
    return g_string_free(g_steal_pointer(&c), FALSE);
}

/* The DHCP hosts of @ip (NULL: none): dnsmasq's dhcp-host lines, a
 * DHCPv6 one by DUID or name with its address in brackets, and each
 * named host's address in DNS */
static void
vgmNetworkDnsmasqHosts(GString *c, const VgmNetworkDef *def, const VgmNetworkIP *dhcp)
{
    guint i;

    for (i = 0; dhcp && i < dhcp->hosts->len; i++) {
        const VgmNetworkHost *host = g_ptr_array_index(dhcp->hosts, i);
        g_autofree char *lease = vgmNetworkLeaseTime(&host->lease);
        char ip[INET6_ADDRSTRLEN];

        g_string_append(c, "dhcp-host=");
        if (dhcp->ipv6) {
            vgmNetworkIP6Format(&host->ip6, ip);
            if (host->id)
                g_string_append_printf(c, "id:%s,", host->id);
            if (host->name)
                g_string_append_printf(c, "%s,", host->name);
            g_string_append_printf(c, "[%s]%s\n", ip, lease);
        } else {
            vgmNetworkIPFormat(host->ip, ip);
            /* MAC,IP[,NAME], or NAME,IP, then its lease time */
            if (host->mac && host->name)
                g_string_append_printf(c, "%s,%s,%s%s\n", host->mac, ip, host->name, lease);
            else
                g_string_append_printf(c, "%s,%s%s\n", host->mac ? host->mac : host->name, ip,
                                       lease);
        }
        /* the host's name in DNS as well, also within the network's domain
         * (dnsmasq does not expand a host record's name) */
        if (host->name && def->domainName)
            g_string_append_printf(c, "host-record=%s,%s.%s,%s\n", host->name, host->name,
                                   def->domainName, ip);
        else if (host->name)
            g_string_append_printf(c, "host-record=%s,%s\n", host->name, ip);
    }
}

/* The DHCPv6 ranges of @def (on its one IPv6 <ip> with <dhcp>): each
 * with its prefix and lease, or a static range of the subnet for hosts
 * alone; returns how many leases they hold (at most 2^24 a range) */
static unsigned long long
vgmNetworkDnsmasqDhcp6(GString *c, const VgmNetworkDef *def)
{
    const VgmNetworkIP *dhcp = vgmNetworkDefDhcpIP6(def);
    unsigned long long leases = 0;
    guint i;

    if (!dhcp)
        return 0;
    for (i = 0; i < dhcp->ranges->len; i++) {
        const VgmNetworkRange *r = &g_array_index(dhcp->ranges, VgmNetworkRange, i);
        g_autofree char *lease = vgmNetworkLeaseTime(&r->lease);
        char s6[INET6_ADDRSTRLEN], e6[INET6_ADDRSTRLEN];
        guint64 lo = 0, hi = 0;
        int k;

        vgmNetworkIP6Format(&r->start6, s6);
        vgmNetworkIP6Format(&r->end6, e6);
        g_string_append_printf(c, "dhcp-range=%s,%s,%u%s\n", s6, e6, dhcp->prefix, lease);
        for (k = 8; k < 16; k++) {
            lo = (lo << 8) | r->start6.s6_addr[k];
            hi = (hi << 8) | r->end6.s6_addr[k];
        }
        /* (a range beyond its last 64 bits counts as large) */
        leases += memcmp(&r->start6, &r->end6, 8) != 0 || hi - lo >= (1u << 24) ?
                  (1u << 24) : hi - lo + 1;
    }
    if (dhcp->ranges->len == 0) {
        struct in6_addr net = vgmNetworkIP6Masked(&dhcp->address6, dhcp->prefix);
        char n[INET6_ADDRSTRLEN];

        vgmNetworkIP6Format(&net, n);
        g_string_append_printf(c, "dhcp-range=%s,static,%u\n", n, dhcp->prefix);
    }
    return leases + dhcp->hosts->len;
}

/* Router advertisements on the IPv6 subnets: with DHCPv6 on the one that
 * has it (stateful, no SLAAC), SLAAC alone on the others (ra-only), as
 * libvirt has dnsmasq advertise them */
static void
vgmNetworkDnsmasqRA(GString *c, const VgmNetworkDef *def)
{
    const VgmNetworkIP *dhcp = vgmNetworkDefDhcpIP6(def);
    gboolean any = FALSE;
    guint i;

    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);
        struct in6_addr net;
        char n[INET6_ADDRSTRLEN];

        if (!ip->ipv6)
            continue;
        any = TRUE;
        if (ip == dhcp)
            continue;
        net = vgmNetworkIP6Masked(&ip->address6, ip->prefix);
        vgmNetworkIP6Format(&net, n);
        g_string_append_printf(c, "dhcp-range=%s,ra-only,%u\n", n, ip->prefix);
    }
    if (any)
        g_string_append(c, "enable-ra\n");
}

/* Whether process @pid is a dnsmasq reading @conf */
static gboolean
vgmNetworkIsDnsmasqOf(gint64 pid, const char *conf)
{
    g_autofree char *cmdPath = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
    g_autofree char *cmdline = NULL;
    g_autofree char *want = g_strdup_printf("--conf-file=%s", conf);
    gsize len = 0;
    gsize off;

    if (!g_file_get_contents(cmdPath, &cmdline, &len, NULL))
        return FALSE;
    /* NUL-separated arguments: ours names its configuration */
    for (off = 0; off < len; off += strlen(cmdline + off) + 1) {
        if (g_str_equal(cmdline + off, want))
            return TRUE;
    }
    return FALSE;
}

/* The dnsmasq of network @name: the pid its pid file names, or, when that
 * is gone or wrong, the process that reads the network's configuration;
 * 0 when none runs */
static pid_t
vgmNetworkDnsmasqPid(const VgmDriverStore *store, const char *name)
{
    g_autofree char *pidfile = vgmNetworkRunFile(store, name, "pid");
    g_autofree char *conf = vgmNetworkRunFile(store, name, "conf");
    g_autofree char *text = NULL;
    g_autoptr(GDir) proc = NULL;
    const char *ent;
    gint64 pid;

    if (g_file_get_contents(pidfile, &text, NULL, NULL) &&
        (pid = g_ascii_strtoll(g_strstrip(text), NULL, 10)) > 0 && pid <= G_MAXINT &&
        vgmNetworkIsDnsmasqOf(pid, conf))
        return (pid_t)pid;
    if (!(proc = g_dir_open("/proc", 0, NULL)))
        return 0;
    while ((ent = g_dir_read_name(proc))) {
        if (strspn(ent, "0123456789") != strlen(ent))
            continue;
        pid = g_ascii_strtoll(ent, NULL, 10);
        if (pid > 0 && pid <= G_MAXINT && vgmNetworkIsDnsmasqOf(pid, conf))
            return (pid_t)pid;
    }
    return 0;
}

static void
vgmNetworkStopDnsmasq(const VgmDriverStore *store, const char *name)
{
    g_autofree char *pidfile = vgmNetworkRunFile(store, name, "pid");
    pid_t pid = vgmNetworkDnsmasqPid(store, name);
    gint64 deadline = g_get_monotonic_time() + VGM_NETWORK_DNSMASQ_WAIT_MS * 1000;
    g_auto(VgmDriverProcIdent) ident = { 0 };

    /* Until the process has ended (gone, or a zombie): its command line
     * reads empty as soon as it starts to exit, but its sockets close only
     * later, and a new dnsmasq on the same address would fail to bind. */
    if (pid > 0 && vgmDriverProcIdentGet(pid, &ident, NULL)) {
        kill(pid, SIGTERM);
        while (vgmDriverProcIdentIsAlive(&ident) && g_get_monotonic_time() < deadline)
            g_usleep(10 * 1000);
        if (vgmDriverProcIdentIsAlive(&ident)) {
            kill(pid, SIGKILL);
            deadline = g_get_monotonic_time() + VGM_NETWORK_DNSMASQ_WAIT_MS * 1000;
            while (vgmDriverProcIdentIsAlive(&ident) && g_get_monotonic_time() < deadline)
                g_usleep(10 * 1000);
        }
    }
    g_unlink(pidfile);
}

static gboolean
vgmNetworkStartDnsmasq(const VgmDriverStore *store, const VgmNetworkDef *def, GError **error)
{
    g_autofree char *conf = vgmNetworkRunFile(store, def->name, "conf");
    g_autofree char *pidfile = vgmNetworkRunFile(store, def->name, "pid");
    g_autofree char *leases = vgmNetworkRunFile(store, def->name, "leases");
    g_autofree char *confText = NULL;
    g_autofree char *confArg = g_strdup_printf("--conf-file=%s", conf);
    g_autofree char *pidArg = g_strdup_printf("--pid-file=%s", pidfile);
    g_autofree char *leaseArg = g_strdup_printf("--dhcp-leasefile=%s", leases);
    g_autofree char *dnsmasq = g_find_program_in_path("dnsmasq");

    if (!dnsmasq) {
        const char *sbin = "/usr/sbin/dnsmasq";

        if (!g_file_test(sbin, G_FILE_TEST_IS_EXECUTABLE)) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("network '%1$s' serves DHCP or DNS with dnsmasq, which this host lacks (Debian's dnsmasq-base package)"),
                        def->name);
            return FALSE;
        }
        dnsmasq = g_strdup(sbin);
    }
    confText = vgmNetworkDnsmasqConf(store, def);
    if (!vgmNetworkWriteFile(conf, confText, error))
        return FALSE;
    {
        const char *argv[] = { dnsmasq, confArg, pidArg, leaseArg, NULL };

        /* dnsmasq answers once its daemon listens, or says why not */
        return vgmDriverNetRun(argv, error);
    }
}

static gboolean
vgmNetworkHasBandwidth(const VgmNetworkDef *def)
{
    return def->bandwidth.in || def->bandwidth.out;
}

/* Takes the qdiscs of @dev's QoS away (none there is no error) */
static void
vgmNetworkUnshape(const char *dev)
{
    vgmNetworkRun(NULL, "tc", "qdisc", "del", "dev", dev, "root", NULL);
    vgmNetworkRun(NULL, "tc", "qdisc", "del", "dev", dev, "ingress", NULL);
}

/* Takes away whatever of @def's bridge, firewall table and dnsmasq there
 * is; the first failure is reported, the rest still done. */
static gboolean
vgmNetworkTeardown(const VgmDriverStore *store, const VgmNetworkDef *def, GError **error)
{
    g_autoptr(GError) first = NULL;
    const char *const exts[] = { "conf" };
    size_t i;

    vgmNetworkStopDnsmasq(store, def->name);
    for (i = 0; i < G_N_ELEMENTS(exts); i++) {
        g_autofree char *path = vgmNetworkRunFile(store, def->name, exts[i]);

        g_unlink(path);
    }
    /* a host bridge's QoS goes (the network's own bridge goes whole) */
    if (!vgmNetworkDefOwnsBridge(def) && def->bridge && vgmNetworkHasBandwidth(def))
        vgmNetworkUnshape(def->bridge);
    if (!vgmNetworkDefOwnsBridge(def) || !def->bridge)
        return TRUE;
    {
        g_autofree char *table = vgmNetworkTableName(def->bridge);
        g_autofree char *list = NULL;
        const char *argv[] = { "nft", "list", "tables", NULL };
        int status = 0;

        /* the table, when nft is there and has it */
        if (g_spawn_sync(NULL, (char **)argv, NULL,
                         G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES,
                         NULL, NULL, &list, NULL, &status, NULL) &&
            g_spawn_check_wait_status(status, NULL) && list) {
            static const char *const families[] = { "ip", "ip6" };

            for (i = 0; i < G_N_ELEMENTS(families); i++) {
                g_autofree char *line = g_strdup_printf("table %s %s\n", families[i], table);

                if (strstr(list, line))
                    vgmNetworkRun(first ? NULL : &first, "nft", "delete", "table", families[i],
                                  table, NULL);
            }
        }
    }
    if (if_nametoindex(def->bridge))
        vgmNetworkRun(first ? NULL : &first, "ip", "link", "del", "dev", def->bridge, NULL);
    if (first) {
        g_propagate_error(error, g_steal_pointer(&first));
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmNetworkSetIPForward(GError **error)
{
    const char *path = "/proc/sys/net/ipv4/ip_forward";
    g_autofree char *cur = NULL;

    if (g_file_get_contents(path, &cur, NULL, NULL) && g_str_equal(g_strstrip(cur), "1"))
        return TRUE;
    if (!vgmFileWriteInPlace(path, "1\n")) {
        vgmErrorSetSystem(error, errno, _("cannot turn on IPv4 forwarding (%1$s)"), path);
        return FALSE;
    }
    return TRUE;
}

/* IPv6 setting @key of interface @dev ("all": every one) */
static gboolean
vgmNetworkSetSysctl(const char *dev, const char *key, const char *value, GError **error)
{
    g_autofree char *path = g_strdup_printf("/proc/sys/net/ipv6/conf/%s/%s", dev, key);
    g_autofree char *cur = NULL;
    g_autofree char *text = g_strdup_printf("%s\n", value);

    if (g_file_get_contents(path, &cur, NULL, NULL) && g_str_equal(g_strstrip(cur), value))
        return TRUE;
    if (!vgmFileWriteInPlace(path, text)) {
        vgmErrorSetSystem(error, errno, _("cannot set IPv6 setting '%1$s' of '%2$s' to %3$s (%4$s)"),
                          key, dev, value, path);
        return FALSE;
    }
    return TRUE;
}

/* The network's <bandwidth> on its bridge, as libvirt sets it: traffic to
 * the guests leaves the host through the bridge device */
static gboolean
vgmNetworkShape(const VgmNetworkDef *def, GError **error)
{
    if (!vgmNetworkHasBandwidth(def))
        return TRUE;
    if (!vgmDriverNetShape(def->bridge, def->bandwidth.in, def->bandwidth.out, error)) {
        g_prefix_error(error, _("cannot set the <bandwidth> of network '%1$s' on bridge '%2$s': "),
                       def->name, def->bridge);
        return FALSE;
    }
    return TRUE;
}

/* The firewalld zone of @def's bridge (<bridge zone>), set as libvirt
 * sets it: through firewalld's D-Bus interface on the system bus; a
 * firewalld that is not running refuses the start, as libvirt does */
static gboolean
vgmNetworkSetZone(const VgmNetworkDef *def, GError **error)
{
    static const char service[] = "org.fedoraproject.FirewallD1";
    g_autoptr(GDBusConnection) bus = NULL;
    g_autoptr(GVariant) owner = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) err = NULL;

    if (!def->bridgeZone)
        return TRUE;
    if (!(bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err)) ||
        !(owner = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
                                              "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                              "GetNameOwner", g_variant_new("(s)", service),
                                              G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                              5000, NULL, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot start network '%1$s': it asks for firewalld zone '%2$s' (<bridge zone>), and firewalld is not running"),
                    def->name, def->bridgeZone);
        return FALSE;
    }
    if (!(reply = g_dbus_connection_call_sync(bus, service, "/org/fedoraproject/FirewallD1",
                                              "org.fedoraproject.FirewallD1.zone",
                                              "changeZoneOfInterface",
                                              g_variant_new("(ss)", def->bridgeZone, def->bridge),
                                              NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &err))) {
        g_dbus_error_strip_remote_error(err);
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("firewalld did not put bridge '%1$s' of network '%2$s' into zone '%3$s': %4$s"),
                    def->bridge, def->name, def->bridgeZone, err->message);
        return FALSE;
    }
    return TRUE;
}

/* A bridge whose MAC table the driver fills (<bridge
 * macTableManager='libvirt'>) filters by VLAN, as libvirt sets it */
static gboolean
vgmNetworkMacTableSetUp(const VgmNetworkDef *def, GError **error)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/bridge/vlan_filtering",
                                            def->bridge);

    if (def->macTableManager != VGM_NETWORK_MAC_TABLE_LIBVIRT)
        return TRUE;
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("cannot start network '%1$s': <bridge macTableManager='libvirt'> needs bridge VLAN filtering, which this host's kernel does not have"),
                    def->name);
        return FALSE;
    }
    if (!vgmFileWriteInPlace(path, "1")) {
        vgmErrorSetSystem(error, errno, _("cannot turn on VLAN filtering of bridge '%1$s'"),
                          def->bridge);
        return FALSE;
    }
    return TRUE;
}

/* Makes @def's host side; on failure takes back what it made */
static gboolean
vgmNetworkSetUp(const VgmDriverStore *store, const VgmNetworkDef *def, GError **error)
{
    g_autofree char *delay = g_strdup_printf("%u", def->delay * 100);
    g_autofree char *mtu = g_strdup_printf("%u", def->mtu);
    const char *br = def->bridge;
    guint i;

    /* (a host bridge gets its VLAN filtering and QoS too, as libvirt sets
     * them) */
    if (!vgmNetworkDefOwnsBridge(def)) {
        if ((def->macTableManager == VGM_NETWORK_MAC_TABLE_LIBVIRT ||
             vgmNetworkHasBandwidth(def)) && !if_nametoindex(br)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot start network '%1$s': its bridge '%2$s' does not exist"),
                        def->name, br);
            return FALSE;
        }
        if (!vgmNetworkMacTableSetUp(def, error))
            return FALSE;
        if (!vgmNetworkShape(def, error)) {
            vgmNetworkUnshape(br);
            return FALSE;
        }
        return TRUE;
    }
    if (if_nametoindex(br)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot start network '%1$s': an interface named '%2$s', its bridge, exists already"),
                    def->name, br);
        return FALSE;
    }
    /* the forward delay before STP, which only takes a delay of 2 s or more */
    if (!vgmNetworkRun(error, "ip", "link", "add", "name", br, "type", "bridge",
                       "forward_delay", delay, "stp_state",
                       def->stp == VGM_TRISTATE_NO ? "0" : "1", NULL))
        return FALSE;
    if (!vgmNetworkMacTableSetUp(def, error) || !vgmNetworkSetZone(def, error) ||
        !vgmNetworkRun(error, "ip", "link", "set", "dev", br, "address", def->mac, NULL) ||
        (def->mtu && !vgmNetworkRun(error, "ip", "link", "set", "dev", br, "mtu", mtu, NULL)))
        goto undo;
    /* IPv6 on the bridge, as libvirt sets it: no router advertisements
     * taken, no address made from them (the bridge is the router); on a
     * network without IPv6 none at all, so that no guest's advertisement
     * gives the host an address or a route (where the host has IPv6) */
    if (vgmNetworkDefHasIPv6(def) ?
        (!vgmNetworkSetSysctl(br, "disable_ipv6", "0", error) ||
         !vgmNetworkSetSysctl(br, "accept_ra", "0", error) ||
         !vgmNetworkSetSysctl(br, "autoconf", "0", error)) :
        (g_file_test("/proc/sys/net/ipv6/conf/all", G_FILE_TEST_IS_DIR) &&
         !vgmNetworkSetSysctl(br, "disable_ipv6", "1", error)))
        goto undo;
    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);
        g_autofree char *addr = NULL;
        char a[INET6_ADDRSTRLEN];

        if (ip->ipv6) {
            /* (no duplicate address detection: dnsmasq binds the address
             * at once) */
            vgmNetworkIP6Format(&ip->address6, a);
            addr = g_strdup_printf("%s/%u", a, ip->prefix);
            if (!vgmNetworkRun(error, "ip", "-6", "addr", "add", addr, "dev", br, "nodad", NULL))
                goto undo;
            continue;
        }
        vgmNetworkIPFormat(ip->address, a);
        addr = g_strdup_printf("%s/%u", a, ip->prefix);
        if (!vgmNetworkRun(error, "ip", "addr", "add", addr, "broadcast", "+", "dev", br, NULL))
            goto undo;
    }
    if (!vgmNetworkRun(error, "ip", "link", "set", "dev", br, "up", NULL) ||
        !vgmNetworkShape(def, error))
        goto undo;
    /* the static routes through the bridge (they go with it) */
    for (i = 0; i < def->routes->len; i++) {
        const VgmNetworkRoute *r = &g_array_index(def->routes, VgmNetworkRoute, i);
        g_autofree char *dest = NULL;
        g_autofree char *metric = g_strdup_printf("%u", r->metric);
        char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

        if (r->ipv6) {
            struct in6_addr net = vgmNetworkIP6Masked(&r->address6, r->prefix);

            vgmNetworkIP6Format(&net, a);
            vgmNetworkIP6Format(&r->gateway6, g);
        } else {
            vgmNetworkIPFormat(r->address & vgmNetworkPrefixMask(r->prefix), a);
            vgmNetworkIPFormat(r->gateway, g);
        }
        dest = g_strdup_printf("%s/%u", a, r->prefix);
        if (!vgmNetworkRun(error, "ip", r->ipv6 ? "-6" : "-4", "route", "add", dest, "via", g,
                           "dev", br, r->metric ? "metric" : NULL, metric, NULL))
            goto undo;
    }
    if ((def->forward == VGM_NETWORK_FORWARD_NAT || def->forward == VGM_NETWORK_FORWARD_ROUTE) &&
        (!vgmNetworkSetIPForward(error) ||
         (vgmNetworkDefHasIPv6(def) && !vgmNetworkSetSysctl("all", "forwarding", "1", error))))
        goto undo;
    if (def->forward != VGM_NETWORK_FORWARD_OPEN) {
        g_autofree char *rules = vgmNetworkFirewallRules(def);
        g_autofree char *path = vgmNetworkRunFile(store, def->name, "nft");

        if (!vgmNetworkWriteFile(path, rules, error))
            goto undo;
        if (!vgmNetworkRun(error, "nft", "-f", path, NULL)) {
            g_unlink(path);
            goto undo;
        }
        g_unlink(path);
    }
    if (vgmNetworkNeedsDnsmasq(def) && !vgmNetworkStartDnsmasq(store, def, error))
        goto undo;
    return TRUE;
 undo:
    vgmNetworkTeardown(store, def, NULL);
    return FALSE;
}

/* Starts @def (a copy of which becomes the live definition) */
static gboolean
vgmNetworkStartDef(const VgmDriverStore *store, const VgmNetworkDef *def, GError **error)
{
    g_autofree char *live = vgmNetworkRunFile(store, def->name, "xml");
    g_autofree char *text = vgmNetworkDefFormat(def);

    /* first the live definition, from which a destroy cleans up */
    if (!vgmNetworkWriteFile(live, text, error))
        return FALSE;
    if (!vgmNetworkSetUp(store, def, error)) {
        g_unlink(live);
        return FALSE;
    }
    return TRUE;
}

/* ---- names of bridges ---- */

/* The network other than @name that uses bridge @bridge, or NULL. Host
 * bridges are shared: networks of mode 'bridge' may name the same one,
 * as libvirt lets them (@owned: whether @name makes its bridge). */
static const char *
vgmNetworkBridgeUser(GPtrArray *objs, const char *name, const char *bridge, gboolean owned)
{
    guint i;

    for (i = 0; i < objs->len; i++) {
        const VgmNetworkObj *obj = g_ptr_array_index(objs, i);
        const VgmNetworkDef *defs[] = { obj->config, obj->live };
        size_t k;

        if (g_str_equal(obj->name, name))
            continue;
        for (k = 0; k < G_N_ELEMENTS(defs); k++) {
            if (defs[k] && g_strcmp0(defs[k]->bridge, bridge) == 0 &&
                (owned || vgmNetworkDefOwnsBridge(defs[k])))
                return obj->name;
        }
    }
    return NULL;
}

/* Gives @def a bridge of its own (virbrN, or its own name's template with
 * "%d") that no other network and no host interface has */
static gboolean
vgmNetworkAssignBridge(GPtrArray *objs, VgmNetworkDef *def, const VgmNetworkDef *old,
                       GError **error)
{
    const char *tmpl = def->bridge && strstr(def->bridge, "%d") ? def->bridge : "virbr%d";
    const char *pos = strstr(tmpl, "%d");
    g_autofree char *prefix = g_strndup(tmpl, pos - tmpl);
    g_autofree char *keep = NULL;
    const char *user;
    unsigned int n;

    if (!vgmNetworkDefOwnsBridge(def) && !def->bridge)
        return TRUE;
    if (def->bridge && !strstr(def->bridge, "%d")) {
        if ((user = vgmNetworkBridgeUser(objs, def->name, def->bridge,
                                         vgmNetworkDefOwnsBridge(def)))) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("bridge name '%1$s' is already used by network '%2$s'"),
                        def->bridge, user);
            return FALSE;
        }
        return TRUE;
    }
    /* a redefinition keeps the name it was given */
    if (old && old->bridge) {
        g_free(def->bridge);
        def->bridge = g_strdup(old->bridge);
        return TRUE;
    }
    keep = g_strdup(tmpl);
    for (n = 0; n < 256; n++) {
        g_autofree char *name = g_strdup_printf("%s%u%s", prefix, n, pos + 2);

        if (!vgmNetworkIfnameValid(name))
            break;
        if (!vgmNetworkBridgeUser(objs, def->name, name, TRUE) && !if_nametoindex(name)) {
            g_free(def->bridge);
            def->bridge = g_steal_pointer(&name);
            return TRUE;
        }
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("no free bridge name of the form '%1$s' for network '%2$s'"), keep, def->name);
    return FALSE;
}

/* The checks of a definition against the other networks: the same name
 * is the same uuid, a uuid one name */
static gboolean
vgmNetworkCheckUnique(GPtrArray *objs, const VgmNetworkDef *def, GError **error)
{
    guint i;

    for (i = 0; i < objs->len; i++) {
        const VgmNetworkObj *obj = g_ptr_array_index(objs, i);
        const VgmNetworkDef *other = vgmNetworkObjDef(obj);
        gboolean sameName = g_str_equal(obj->name, def->name);
        gboolean sameUUID = memcmp(other->uuid, def->uuid, 16) == 0;
        char uuid[37];

        vgmDomainUUIDFormat(other->uuid, uuid);
        if (sameName && !sameUUID) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("network '%1$s' is already defined with uuid %2$s"), obj->name, uuid);
            return FALSE;
        }
        if (sameUUID && !sameName) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("network '%1$s' already exists with uuid %2$s"), obj->name, uuid);
            return FALSE;
        }
    }
    return TRUE;
}

static VgmNetworkObj *
vgmNetworkObjFind(GPtrArray *objs, const char *name)
{
    guint i;

    for (i = 0; i < objs->len; i++) {
        VgmNetworkObj *obj = g_ptr_array_index(objs, i);

        if (g_str_equal(obj->name, name))
            return obj;
    }
    return NULL;
}

/* Network @name as it is now, read under the lock */
static VgmNetworkObj *
vgmNetworkObjGet(const VgmDriverStore *store, const char *name, GError **error)
{
    VgmNetworkObj *obj;

    g_mutex_lock(&vgmNetworkLock);
    obj = vgmNetworkObjLoad(store, name, error);
    g_mutex_unlock(&vgmNetworkLock);
    return obj;
}

/* ---- the API ---- */

GPtrArray *
vgmDriverNetworkList(VgmDriver *drv, unsigned int flags, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(GPtrArray) objs = NULL;
    GPtrArray *nets;
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_NETWORK_LIST_ALL_FLAGS, error))
        return NULL;
    nets = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkFree);
    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(store);
    for (i = 0; i < objs->len; i++) {
        const VgmNetworkObj *obj = g_ptr_array_index(objs, i);
        gboolean active = obj->live != NULL;
        gboolean persistent = obj->config != NULL;
        gboolean autostart = persistent && vgmNetworkIsAutostart(store, obj->name);

        /* each pair of flags filters when one of it is given */
        if ((flags & (VGM_LIST_NETWORKS_ACTIVE | VGM_LIST_NETWORKS_INACTIVE)) &&
            !(flags & (active ? VGM_LIST_NETWORKS_ACTIVE : VGM_LIST_NETWORKS_INACTIVE)))
            continue;
        if ((flags & (VGM_LIST_NETWORKS_PERSISTENT | VGM_LIST_NETWORKS_TRANSIENT)) &&
            !(flags & (persistent ? VGM_LIST_NETWORKS_PERSISTENT : VGM_LIST_NETWORKS_TRANSIENT)))
            continue;
        if ((flags & (VGM_LIST_NETWORKS_AUTOSTART | VGM_LIST_NETWORKS_NO_AUTOSTART)) &&
            !(flags & (autostart ? VGM_LIST_NETWORKS_AUTOSTART : VGM_LIST_NETWORKS_NO_AUTOSTART)))
            continue;
        g_ptr_array_add(nets, vgmNetworkFromDef(vgmNetworkObjDef(obj)));
    }
    g_mutex_unlock(&vgmNetworkLock);
    return nets;
}

VgmNetwork *
vgmDriverNetworkLookupByName(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmNetworkObj) obj = NULL;

    obj = vgmNetworkObjGet(vgmDriverGetStore(drv), name, error);
    return obj ? vgmNetworkFromDef(vgmNetworkObjDef(obj)) : NULL;
}

VgmNetwork *
vgmDriverNetworkLookupByUUID(VgmDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(GPtrArray) objs = NULL;
    VgmNetwork *net = NULL;
    char str[37];
    guint i;

    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(vgmDriverGetStore(drv));
    for (i = 0; i < objs->len && !net; i++) {
        const VgmNetworkDef *def = vgmNetworkObjDef(g_ptr_array_index(objs, i));

        if (memcmp(def->uuid, uuid, 16) == 0)
            net = vgmNetworkFromDef(def);
    }
    g_mutex_unlock(&vgmNetworkLock);
    if (!net) {
        vgmDomainUUIDFormat(uuid, str);
        vgmErrorSet(error, VGM_ERR_NO_NETWORK, _("no network with matching uuid '%1$s'"), str);
    }
    return net;
}

/* The network lifecycle @event of network @name */
static void
vgmNetworkEmit(VgmDriver *drv, const char *name, const unsigned char *uuid, int event)
{
    vgmDriverEmitObjectEvent(drv, VGM_EVENT_OBJECT_NETWORK, VGM_NETWORK_EVENT_ID_LIFECYCLE, name,
                             uuid, 0, event, 0);
}

VgmNetwork *
vgmDriverNetworkDefineXML(VgmDriver *drv, const char *xml, unsigned int flags, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkDef) def = NULL;
    g_autoptr(GPtrArray) objs = NULL;
    g_autofree char *text = NULL;
    g_autofree char *path = NULL;
    const VgmNetworkObj *old;
    VgmNetwork *net = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_NETWORK_VALIDATE, error) ||
        !(def = vgmNetworkDefParseString(xml, "network.xml", error)))
        return NULL;
    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(store);
    old = vgmNetworkObjFind(objs, def->name);
    if (!vgmNetworkCheckUnique(objs, def, error) ||
        !vgmNetworkAssignBridge(objs, def, old ? vgmNetworkObjDef(old) : NULL, error))
        goto out;
    text = vgmNetworkDefFormat(def);
    path = vgmNetworkConfigPath(store, def->name);
    if (!vgmNetworkWriteFile(path, text, error))
        goto out;
    net = vgmNetworkFromDef(def);
 out:
    g_mutex_unlock(&vgmNetworkLock);
    if (net)
        vgmNetworkEmit(drv, def->name, def->uuid, VGM_NETWORK_EVENT_DEFINED);
    return net;
}

VgmNetwork *
vgmDriverNetworkCreateXML(VgmDriver *drv, const char *xml, unsigned int flags, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkDef) def = NULL;
    g_autoptr(GPtrArray) objs = NULL;
    const VgmNetworkObj *old;
    VgmNetwork *net = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_NETWORK_VALIDATE, error) ||
        !(def = vgmNetworkDefParseString(xml, "network.xml", error)))
        return NULL;
    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(store);
    /* a defined network that is not running starts with this definition
     * as its live one, as libvirt starts it (the uuid must be its own) */
    if ((old = vgmNetworkObjFind(objs, def->name)) && old->live) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("network '%1$s' is already active"), def->name);
        goto out;
    }
    if (!vgmNetworkCheckUnique(objs, def, error) ||
        !vgmNetworkAssignBridge(objs, def, old ? vgmNetworkObjDef(old) : NULL, error) ||
        !vgmNetworkStartDef(store, def, error))
        goto out;
    net = vgmNetworkFromDef(def);
 out:
    g_mutex_unlock(&vgmNetworkLock);
    if (net)
        vgmNetworkEmit(drv, def->name, def->uuid, VGM_NETWORK_EVENT_STARTED);
    return net;
}

/* A network that is gone for good (neither defined nor running) leaves no
 * leases to a later one of its name. */
static void
vgmNetworkDropLeases(const VgmDriverStore *store, const char *name)
{
    g_autofree char *leases = vgmNetworkRunFile(store, name, "leases");

    g_unlink(leases);
}

gboolean
vgmDriverNetworkUndefine(VgmDriver *drv, const char *name, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkObj) obj = NULL;
    g_autofree char *path = NULL;
    g_autofree char *autostart = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmNetworkLock);
    if (!(obj = vgmNetworkObjLoad(store, name, error)))
        goto out;
    if (!obj->config) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("network '%1$s' is transient: there is no definition to remove"), name);
        goto out;
    }
    path = vgmNetworkConfigPath(store, name);
    autostart = vgmNetworkAutostartPath(store, name);
    ok = vgmNetworkRemoveFile(autostart, error) && vgmNetworkRemoveFile(path, error);
    if (ok && !obj->live)
        vgmNetworkDropLeases(store, name);
 out:
    g_mutex_unlock(&vgmNetworkLock);
    if (ok)
        vgmNetworkEmit(drv, name, obj->config->uuid, VGM_NETWORK_EVENT_UNDEFINED);
    return ok;
}

gboolean
vgmDriverNetworkStart(VgmDriver *drv, const char *name, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(GPtrArray) objs = NULL;
    const VgmNetworkObj *obj;
    const char *user;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(store);
    if (!(obj = vgmNetworkObjFind(objs, name))) {
        vgmErrorSet(error, VGM_ERR_NO_NETWORK, _("no network with matching name '%1$s'"), name);
        goto out;
    }
    if (obj->live) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("network '%1$s' is already active"), name);
        goto out;
    }
    /* its bridge may have been taken meanwhile by a transient network */
    if (obj->config->bridge &&
        (user = vgmNetworkBridgeUser(objs, name, obj->config->bridge,
                                     vgmNetworkDefOwnsBridge(obj->config)))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot start network '%1$s': network '%2$s' uses its bridge '%3$s'"),
                    name, user, obj->config->bridge);
        goto out;
    }
    ok = vgmNetworkStartDef(store, obj->config, error);
 out:
    g_mutex_unlock(&vgmNetworkLock);
    if (ok)
        vgmNetworkEmit(drv, name, obj->config->uuid, VGM_NETWORK_EVENT_STARTED);
    return ok;
}

gboolean
vgmDriverNetworkDestroy(VgmDriver *drv, const char *name, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkObj) obj = NULL;
    g_autofree char *live = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmNetworkLock);
    if (!(obj = vgmNetworkObjLoad(store, name, error)))
        goto out;
    if (!obj->live) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("network '%1$s' is not active"), name);
        goto out;
    }
    if (!vgmNetworkTeardown(store, obj->live, error))
        goto out;
    live = vgmNetworkRunFile(store, name, "xml");
    ok = vgmNetworkRemoveFile(live, error);
    if (ok && !obj->config)
        vgmNetworkDropLeases(store, name);
 out:
    g_mutex_unlock(&vgmNetworkLock);
    if (ok)
        vgmNetworkEmit(drv, name, obj->live->uuid, VGM_NETWORK_EVENT_STOPPED);
    return ok;
}

/* How many interfaces of running domains are on network @name (libvirt's
 * connections: one a guest interface, each while its domain runs) */
static unsigned int
vgmNetworkConnections(const VgmDriverStore *store, const char *name)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) doms = vgmDriverDomainListAll(store, VGM_DRIVER_LOOKUP_FULL, &err);
    unsigned int n = 0;
    guint i, j;

    for (i = 0; doms && i < doms->len; i++) {
        const VgmDriverDomain *dom = g_ptr_array_index(doms, i);

        if (!vgmDriverDomainIsActive(dom) || !dom->def)
            continue;
        for (j = 0; j < dom->def->devices.nets->len; j++) {
            const VgmNetDef *net = g_ptr_array_index(dom->def->devices.nets, j);

            if (net->type == VGM_NET_TYPE_NETWORK && g_strcmp0(net->source, name) == 0)
                n++;
        }
    }
    return n;
}

char *
vgmDriverNetworkGetXMLDesc(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkObj) obj = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_NETWORK_XML_INACTIVE, error))
        return NULL;
    obj = vgmNetworkObjGet(store, name, error);
    if (!obj)
        return NULL;
    /* (a network is running, defined, or both) */
    if (((flags & VGM_NETWORK_XML_INACTIVE) && obj->config) || !obj->live)
        return vgmNetworkDefFormat(obj->config);
    return vgmNetworkDefFormatLive(obj->live, vgmNetworkConnections(store, name));
}

char *
vgmDriverNetworkGetBridgeName(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmNetworkObj) obj = NULL;
    const VgmNetworkDef *def;

    obj = vgmNetworkObjGet(vgmDriverGetStore(drv), name, error);
    if (!obj)
        return NULL;
    def = vgmNetworkObjDef(obj);
    if (!def->bridge) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("network '%1$s' has no bridge name"), name);
        return NULL;
    }
    return g_strdup(def->bridge);
}

/* ---- virNetworkUpdate ---- */

/* libvirt's virNetworkUpdateCommand and virNetworkUpdateSection */
enum {
    VGM_NETWORK_UPDATE_MODIFY = 1,
    VGM_NETWORK_UPDATE_DELETE = 2,
    VGM_NETWORK_UPDATE_ADD_LAST = 3,
    VGM_NETWORK_UPDATE_ADD_FIRST = 4,
};
enum {
    VGM_NETWORK_SECTION_IP_DHCP_HOST = 4,
    VGM_NETWORK_SECTION_IP_DHCP_RANGE = 5,
    VGM_NETWORK_SECTION_PORTGROUP = 9,
    VGM_NETWORK_SECTION_DNS_HOST = 10,
    VGM_NETWORK_SECTION_DNS_TXT = 11,
    VGM_NETWORK_SECTION_DNS_SRV = 12,
};

/* How an entry @have of a section is the one @want names, for command
 * @command (libvirt's rules) */
typedef gboolean (*VgmNetworkUpdateMatch)(xmlNodePtr have, xmlNodePtr want,
                                          unsigned int command);

/* Whether attribute @key of @a and @b is the same (a MAC address in any
 * case); absent in @want matches anything */
static gboolean
vgmNetworkUpdateSameAttr(xmlNodePtr have, xmlNodePtr want, const char *key, gboolean any)
{
    g_autofree char *h = (char *)xmlGetProp(have, BAD_CAST key);
    g_autofree char *w = (char *)xmlGetProp(want, BAD_CAST key);

    if (!w)
        return any;
    return h && (g_str_equal(key, "mac") ? g_ascii_strcasecmp(h, w) == 0 : g_str_equal(h, w));
}

/* A DHCP host: for a change, the one of the same MAC address (else DUID,
 * else name); for a removal, the one every attribute given matches; for
 * an addition, any that shares one */
static gboolean
vgmNetworkUpdateMatchDhcpHost(xmlNodePtr have, xmlNodePtr want, unsigned int command)
{
    static const char *const keys[] = { "mac", "id", "name", "ip", NULL };
    gboolean match = command == VGM_NETWORK_UPDATE_DELETE;

    if (command == VGM_NETWORK_UPDATE_MODIFY) {
        g_autofree char *mac = (char *)xmlGetProp(want, BAD_CAST "mac");
        g_autofree char *id = (char *)xmlGetProp(want, BAD_CAST "id");

        return vgmNetworkUpdateSameAttr(have, want, mac ? "mac" : id ? "id" : "name", FALSE);
    }
    for (guint i = 0; keys[i]; i++) {
        if (command == VGM_NETWORK_UPDATE_DELETE)
            match = match && vgmNetworkUpdateSameAttr(have, want, keys[i], TRUE);
        else
            match = match || vgmNetworkUpdateSameAttr(have, want, keys[i], FALSE);
    }
    return match;
}

/* A DHCP range: the same start and end */
static gboolean
vgmNetworkUpdateMatchDhcpRange(xmlNodePtr have, xmlNodePtr want, unsigned int command)
{
    return vgmNetworkUpdateSameAttr(have, want, "start", command == VGM_NETWORK_UPDATE_DELETE) &&
           vgmNetworkUpdateSameAttr(have, want, "end", command == VGM_NETWORK_UPDATE_DELETE);
}

/* A DNS host: the same address, or, when none is given (a removal), a
 * host name in common (libvirt 9.0's: a host of another address with a
 * name in common is added) */
static gboolean
vgmNetworkUpdateMatchDnsHost(xmlNodePtr have, xmlNodePtr want, unsigned int command)
{
    if (xmlHasProp(want, BAD_CAST "ip"))
        return vgmNetworkUpdateSameAttr(have, want, "ip", FALSE);
    for (xmlNodePtr a = want->children; a; a = a->next) {
        g_autofree char *wn = NULL;

        if (a->type != XML_ELEMENT_NODE || !xmlStrEqual(a->name, BAD_CAST "hostname") ||
            !(wn = vgmXMLNodeContent(a)))
            continue;
        for (xmlNodePtr b = have->children; b; b = b->next) {
            g_autofree char *hn = NULL;

            if (b->type == XML_ELEMENT_NODE && xmlStrEqual(b->name, BAD_CAST "hostname") &&
                (hn = vgmXMLNodeContent(b)) && g_str_equal(hn, wn))
                return TRUE;
        }
    }
    return FALSE;
}

/* A DNS TXT record: the same name */
static gboolean
vgmNetworkUpdateMatchDnsTxt(xmlNodePtr have, xmlNodePtr want, unsigned int command)
{
    return vgmNetworkUpdateSameAttr(have, want, "name", FALSE);
}

/* A DNS SRV record: the same service and protocol, and each other field
 * given the same */
static gboolean
vgmNetworkUpdateMatchDnsSrv(xmlNodePtr have, xmlNodePtr want, unsigned int command)
{
    static const char *const keys[] = { "domain", "target", "port", "priority", "weight", NULL };
    gboolean match = vgmNetworkUpdateSameAttr(have, want, "service", FALSE) &&
                     vgmNetworkUpdateSameAttr(have, want, "protocol", FALSE);

    for (guint i = 0; match && keys[i]; i++)
        match = vgmNetworkUpdateSameAttr(have, want, keys[i], TRUE);
    return match;
}

/* A port group: the same name */
static gboolean
vgmNetworkUpdateMatchPortgroup(xmlNodePtr have, xmlNodePtr want, unsigned int command)
{
    return vgmNetworkUpdateSameAttr(have, want, "name", FALSE);
}

/* Where a section's entries are */
typedef enum {
    VGM_NETWORK_UPDATE_IN_DNS,          /* <dns> */
    VGM_NETWORK_UPDATE_IN_DHCP,         /* an <ip>'s <dhcp> */
    VGM_NETWORK_UPDATE_IN_NETWORK,      /* <network> itself */
} VgmNetworkUpdateParent;

/* The sections virNetworkUpdate changes in place */
static const struct {
    unsigned int section;
    const char *element;        /* the element an update of it takes */
    const char *noun;           /* one of its entries, in messages */
    VgmNetworkUpdateParent parent;
    gboolean modify;            /* MODIFY is one of its commands (libvirt's) */
    VgmNetworkUpdateMatch match;
} vgmNetworkUpdateSections[] = {
    /* TRANSLATORS: what an entry of a network's XML is, as in "network
     * 'default' has a DHCP host that matches the one to add already" */
    { VGM_NETWORK_SECTION_IP_DHCP_HOST, "host", N_("DHCP host"), VGM_NETWORK_UPDATE_IN_DHCP, TRUE,
      vgmNetworkUpdateMatchDhcpHost },
    { VGM_NETWORK_SECTION_IP_DHCP_RANGE, "range", N_("DHCP range"), VGM_NETWORK_UPDATE_IN_DHCP,
      FALSE, vgmNetworkUpdateMatchDhcpRange },
    { VGM_NETWORK_SECTION_PORTGROUP, "portgroup", N_("port group"),
      VGM_NETWORK_UPDATE_IN_NETWORK, TRUE, vgmNetworkUpdateMatchPortgroup },
    { VGM_NETWORK_SECTION_DNS_HOST, "host", N_("DNS host"), VGM_NETWORK_UPDATE_IN_DNS, FALSE,
      vgmNetworkUpdateMatchDnsHost },
    { VGM_NETWORK_SECTION_DNS_TXT, "txt", N_("DNS TXT record"), VGM_NETWORK_UPDATE_IN_DNS, FALSE,
      vgmNetworkUpdateMatchDnsTxt },
    { VGM_NETWORK_SECTION_DNS_SRV, "srv", N_("DNS SRV record"), VGM_NETWORK_UPDATE_IN_DNS, FALSE,
      vgmNetworkUpdateMatchDnsSrv },
};

/* The <ip> number @parentIndex of the network in @doc (-1: the first with
 * <dhcp>, else the first), or NULL */
static xmlNodePtr
vgmNetworkUpdateIP(xmlDocPtr doc, int parentIndex)
{
    g_autoptr(GPtrArray) ips = vgmXMLChildren(xmlDocGetRootElement(doc), "ip");

    if (parentIndex >= 0)
        return (guint)parentIndex < ips->len ? g_ptr_array_index(ips, parentIndex) : NULL;
    for (guint i = 0; i < ips->len; i++) {
        if (vgmXMLChild(g_ptr_array_index(ips, i), "dhcp"))
            return g_ptr_array_index(ips, i);
    }
    return ips->len ? g_ptr_array_index(ips, 0) : NULL;
}

/* @def's XML with @command of section @sec done with element @xml (in
 * the <dhcp> of its <ip> number @parentIndex, or in its <dns>), as libvirt
 * does it, or NULL with *@error set */
static char *
vgmNetworkUpdateXML(const VgmNetworkDef *def, unsigned int command, guint sec,
                    int parentIndex, const char *xml, GError **error)
{
    const char *elem = vgmNetworkUpdateSections[sec].element;
    const char *noun = _(vgmNetworkUpdateSections[sec].noun);
    g_autofree char *text = vgmNetworkDefFormat(def);
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) frag = NULL;
    xmlNodePtr parent, want, c, found = NULL;
    xmlChar *out = NULL;
    guint count = 0;
    int len = 0;
    char *ret;

    if (!(frag = vgmXMLParseString(xml, _("(network update)"), error)))
        return NULL;
    want = xmlDocGetRootElement(frag);
    if (!want || !xmlStrEqual(want->name, BAD_CAST elem)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("an update of a %1$s of network '%2$s' takes a <%3$s> element, not <%4$s>"),
                    noun, def->name, elem, want ? (const char *)want->name : "");
        return NULL;
    }
    if (!(doc = vgmXMLParseString(text, def->name, error)))
        return NULL;
    if (vgmNetworkUpdateSections[sec].parent == VGM_NETWORK_UPDATE_IN_NETWORK) {
        parent = xmlDocGetRootElement(doc);
    } else if (vgmNetworkUpdateSections[sec].parent == VGM_NETWORK_UPDATE_IN_DHCP) {
        xmlNodePtr ip = vgmNetworkUpdateIP(doc, parentIndex);

        if (!ip) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("network '%1$s' has no <ip> number %2$d to update the DHCP of"),
                        def->name, parentIndex);
            return NULL;
        }
        if (!(parent = vgmXMLChild(ip, "dhcp")))
            parent = xmlNewChild(ip, NULL, BAD_CAST "dhcp", NULL);
    } else {
        xmlNodePtr root = xmlDocGetRootElement(doc);

        /* (libvirt's DNS records are the network's own, after its <domain>) */
        if (!(parent = vgmXMLChild(root, "dns"))) {
            xmlNodePtr ip = vgmXMLChild(root, "ip");

            parent = xmlNewDocNode(doc, NULL, BAD_CAST "dns", NULL);
            if (ip)
                xmlAddPrevSibling(ip, parent);
            else
                xmlAddChild(root, parent);
        }
    }
    for (c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST elem) &&
            vgmNetworkUpdateSections[sec].match(c, want, command)) {
            if (!found)
                found = c;
            count++;
        }
    }
    switch (command) {
    case VGM_NETWORK_UPDATE_ADD_FIRST:
    case VGM_NETWORK_UPDATE_ADD_LAST:
        if (found) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("network '%1$s' has a %2$s that matches the one to add already"),
                        def->name, noun);
            return NULL;
        }
        c = xmlDocCopyNode(want, doc, 1);
        if (command == VGM_NETWORK_UPDATE_ADD_FIRST && parent->children)
            xmlAddPrevSibling(parent->children, c);
        else
            xmlAddChild(parent, c);
        break;
    case VGM_NETWORK_UPDATE_DELETE:
    case VGM_NETWORK_UPDATE_MODIFY:
        if (command == VGM_NETWORK_UPDATE_MODIFY && !vgmNetworkUpdateSections[sec].modify) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("a %1$s cannot be modified, only added or deleted (as libvirt)"), noun);
            return NULL;
        }
        if (!found) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("network '%1$s' has no %2$s that matches the one given"),
                        def->name, noun);
            return NULL;
        }
        if (count > 1 && vgmNetworkUpdateSections[sec].parent == VGM_NETWORK_UPDATE_IN_DNS) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("network '%1$s' has %2$u of the %3$s given: name one"),
                        def->name, count, noun);
            return NULL;
        }
        if (command == VGM_NETWORK_UPDATE_MODIFY)
            xmlAddNextSibling(found, xmlDocCopyNode(want, doc, 1));
        xmlUnlinkNode(found);
        xmlFreeNode(found);
        break;
    default:
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unknown network update command %1$u"), command);
        return NULL;
    }
    xmlDocDumpMemory(doc, &out, &len);
    ret = g_strndup((const char *)out, len);
    xmlFree(out);
    return ret;
}

gboolean
vgmDriverNetworkUpdate(VgmDriver *drv, const char *name, unsigned int command,
                       unsigned int section, int parentIndex, const char *xml,
                       unsigned int flags, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(GPtrArray) objs = NULL;
    g_autoptr(VgmNetworkDef) config = NULL;
    g_autoptr(VgmNetworkDef) live = NULL;
    const VgmNetworkObj *obj;
    gboolean ok = FALSE;
    guint sec;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    for (sec = 0; sec < G_N_ELEMENTS(vgmNetworkUpdateSections); sec++) {
        if (vgmNetworkUpdateSections[sec].section == section)
            break;
    }
    if (sec == G_N_ELEMENTS(vgmNetworkUpdateSections)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("virNetworkUpdate of section %1$u is not supported: only a DHCP <host> (4) or <range> (5) of an <ip>, a <portgroup> (9) and a DNS <host> (10), <txt> (11) or <srv> (12) are updated in place (redefine the network for the rest)"),
                    section);
        return FALSE;
    }
    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(store);
    if (!(obj = vgmNetworkObjFind(objs, name))) {
        vgmErrorSet(error, VGM_ERR_NO_NETWORK, _("no network with matching name '%1$s'"), name);
        goto out;
    }
    /* (CURRENT: the running network's, else its config) */
    if (!(flags & (VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG)))
        flags |= obj->live ? VGM_DOMAIN_AFFECT_LIVE : VGM_DOMAIN_AFFECT_CONFIG;
    if ((flags & VGM_DOMAIN_AFFECT_LIVE) && !obj->live) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("network '%1$s' is not active"), name);
        goto out;
    }
    if ((flags & VGM_DOMAIN_AFFECT_CONFIG) && !obj->config) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("network '%1$s' is transient: it has no config to update"), name);
        goto out;
    }
    /* both changes made and checked before either is kept */
    for (int k = 0; k < 2; k++) {
        const VgmNetworkDef *from = k == 0 ? obj->config : obj->live;
        VgmNetworkDef **to = k == 0 ? &config : &live;
        g_autofree char *text = NULL;

        if (!(flags & (k == 0 ? VGM_DOMAIN_AFFECT_CONFIG : VGM_DOMAIN_AFFECT_LIVE)))
            continue;
        if (!(text = vgmNetworkUpdateXML(from, command, sec, parentIndex, xml, error)) ||
            !(*to = vgmNetworkDefParseString(text, name, error)))
            goto out;
        /* (the bridge a running network has, or the config named) */
        if (!(*to)->bridge && from->bridge)
            (*to)->bridge = g_strdup(from->bridge);
    }
    if (config) {
        g_autofree char *path = vgmNetworkConfigPath(store, name);
        g_autofree char *text = vgmNetworkDefFormat(config);

        if (!vgmNetworkWriteFile(path, text, error))
            goto out;
    }
    if (live) {
        g_autofree char *path = vgmNetworkRunFile(store, name, "xml");
        g_autofree char *text = vgmNetworkDefFormat(live);

        /* dnsmasq reads its hosts, ranges and DNS records at its start:
         * a new one serves them (the leases file is kept) */
        if (!vgmNetworkWriteFile(path, text, error))
            goto out;
        if (vgmNetworkNeedsDnsmasq(obj->live))
            vgmNetworkStopDnsmasq(store, name);
        if (vgmNetworkNeedsDnsmasq(live) && !vgmNetworkStartDnsmasq(store, live, error))
            goto out;
    }
    ok = TRUE;
 out:
    g_mutex_unlock(&vgmNetworkLock);
    return ok;
}

gboolean
vgmDriverNetworkGetAutostart(VgmDriver *drv, const char *name, gboolean *autostart,
                             GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkObj) obj = NULL;

    if ((obj = vgmNetworkObjGet(store, name, error)))
        *autostart = obj->config && vgmNetworkIsAutostart(store, name);
    return obj != NULL;
}

gboolean
vgmDriverNetworkSetAutostart(VgmDriver *drv, const char *name, gboolean autostart,
                             GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkObj) obj = NULL;
    g_autofree char *path = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmNetworkLock);
    if (!(obj = vgmNetworkObjLoad(store, name, error)))
        goto out;
    if (!obj->config) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot set autostart of transient network '%1$s'"), name);
        goto out;
    }
    path = vgmNetworkAutostartPath(store, name);
    ok = autostart ? vgmNetworkWriteFile(path, "", error) : vgmNetworkRemoveFile(path, error);
 out:
    g_mutex_unlock(&vgmNetworkLock);
    return ok;
}

gboolean
vgmDriverNetworkIsActive(VgmDriver *drv, const char *name, gboolean *active, GError **error)
{
    g_autoptr(VgmNetworkObj) obj = NULL;

    if ((obj = vgmNetworkObjGet(vgmDriverGetStore(drv), name, error)))
        *active = obj->live != NULL;
    return obj != NULL;
}

gboolean
vgmDriverNetworkIsPersistent(VgmDriver *drv, const char *name, gboolean *persistent,
                             GError **error)
{
    g_autoptr(VgmNetworkObj) obj = NULL;

    if ((obj = vgmNetworkObjGet(vgmDriverGetStore(drv), name, error)))
        *persistent = obj->config != NULL;
    return obj != NULL;
}

GPtrArray *
vgmDriverNetworkGetDHCPLeases(VgmDriver *drv, const char *name, const char *mac,
                              unsigned int flags, GError **error)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(VgmNetworkObj) obj = NULL;
    g_autoptr(GPtrArray) leases = NULL;
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    g_autofree char *wantMac = NULL;
    g_auto(GStrv) lines = NULL;
    const VgmNetworkIP *dhcp;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    size_t i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    if (mac && !(wantMac = vgmDomainMacParse(mac, error)))
        return NULL;
    obj = vgmNetworkObjGet(store, name, error);
    if (!obj)
        return NULL;
    leases = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkLeaseFree);
    if (!obj->live || !(dhcp = vgmNetworkDefDhcpIP(obj->live)))
        return g_steal_pointer(&leases);
    path = vgmNetworkRunFile(store, name, "leases");
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&leases);
    if (!vgmFileReadAll(path, VGM_NETWORK_LEASES_MAX, &text, NULL, error))
        return NULL;
    /* dnsmasq's lines: EXPIRY MAC IP HOSTNAME|* CLIENTID|* */
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " \t", -1);
        VgmNetworkLease *lease;
        gint64 expiry;
        g_autofree char *leaseMac = NULL;

        if (g_strv_length(f) < 5 || strchr(f[2], ':') ||
            !(leaseMac = vgmDomainMacParse(f[1], NULL)) ||
            (wantMac && !g_str_equal(wantMac, leaseMac)))
            continue;
        expiry = g_ascii_strtoll(f[0], NULL, 10);
        /* as libvirt: a lease that has run out is none */
        if (expiry > 0 && expiry < now)
            continue;
        lease = g_new0(VgmNetworkLease, 1);
        lease->iface = g_strdup(obj->live->bridge);
        lease->expiry = expiry;
        lease->mac = g_steal_pointer(&leaseMac);
        lease->ip = g_strdup(f[2]);
        lease->prefix = dhcp->prefix;
        lease->hostname = g_str_equal(f[3], "*") ? NULL : g_strdup(f[3]);
        lease->clientid = g_str_equal(f[4], "*") ? NULL : g_strdup(f[4]);
        g_ptr_array_add(leases, lease);
    }
    return g_steal_pointer(&leases);
}

/* What a daemon finds of an active network as it starts: a bridge of the
 * driver's that is gone (a reboot with a persistent run directory, or
 * someone removed it) makes the network inactive, after what is left of
 * it is taken away; a dnsmasq that died is started again, as libvirt's
 * daemon does. Returns whether the network is still active. */
static gboolean
vgmNetworkReconcile(const VgmDriverStore *store, VgmNetworkObj *obj)
{
    g_autoptr(GError) err = NULL;
    const VgmNetworkDef *live = obj->live;

    if (vgmNetworkDefOwnsBridge(live) && !if_nametoindex(live->bridge)) {
        g_autofree char *path = vgmNetworkRunFile(store, obj->name, "xml");

        g_warning(_("network '%1$s' was active, but its bridge '%2$s' is gone: it is inactive now"),
                  obj->name, live->bridge);
        vgmNetworkTeardown(store, live, NULL);
        g_unlink(path);
        g_clear_pointer(&obj->live, vgmNetworkDefFree);
        return FALSE;
    }
    if (vgmNetworkNeedsDnsmasq(live) && vgmNetworkDnsmasqPid(store, obj->name) == 0 &&
        !vgmNetworkStartDnsmasq(store, live, &err))
        g_warning(_("network '%1$s': its dnsmasq had ended and does not start again: %2$s"),
                  obj->name, err->message);
    return TRUE;
}

void
vgmDriverNetworkAutostart(VgmDriver *drv)
{
    const VgmDriverStore *store = vgmDriverGetStore(drv);
    g_autoptr(GPtrArray) objs = NULL;
    guint i;

    g_mutex_lock(&vgmNetworkLock);
    objs = vgmNetworkObjLoadAll(store);
    for (i = 0; i < objs->len; i++) {
        VgmNetworkObj *obj = g_ptr_array_index(objs, i);
        g_autoptr(GError) err = NULL;

        if (obj->live && vgmNetworkReconcile(store, obj))
            continue;
        if (obj->config && !obj->live && vgmNetworkIsAutostart(store, obj->name) &&
            !vgmNetworkStartDef(store, obj->config, &err))
            g_warning(_("network '%1$s' did not autostart: %2$s"), obj->name, err->message);
    }
    g_mutex_unlock(&vgmNetworkLock);
}

void
vgmDriverNetworkPortClear(VgmDriverNetworkPort *port)
{
    g_clear_pointer(&port->bridge, g_free);
    g_clear_pointer(&port->bandwidth.in, g_free);
    g_clear_pointer(&port->bandwidth.out, g_free);
}

gboolean
vgmDriverNetworkResolve(const VgmDriverStore *store, const char *name, const char *portgroup,
                        VgmDriverNetworkPort *port, GError **error)
{
    g_autoptr(VgmNetworkObj) obj = NULL;
    g_autoptr(GError) err = NULL;
    const VgmNetworkPortgroup *pg;

    obj = vgmNetworkObjGet(store, name, error);
    if (!obj)
        return FALSE;
    if (!obj->live) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("network '%1$s' is not active"), name);
        return FALSE;
    }
    if (!(pg = vgmNetworkDefPortgroup(obj->live, portgroup, &err)) && err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    if (pg && pg->bandwidth.in)
        port->bandwidth.in = g_memdup2(pg->bandwidth.in, sizeof(*pg->bandwidth.in));
    if (pg && pg->bandwidth.out)
        port->bandwidth.out = g_memdup2(pg->bandwidth.out, sizeof(*pg->bandwidth.out));
    port->bridge = g_strdup(obj->live->bridge);
    port->mtu = obj->live->mtu;
    port->hostBridge = !vgmNetworkDefOwnsBridge(obj->live);
    port->isolated = obj->live->isolatedPort;
    port->macTableLibvirt = obj->live->macTableManager == VGM_NETWORK_MAC_TABLE_LIBVIRT;
    return TRUE;
}

char *
vgmDriverNetworkListenAddress(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autoptr(VgmNetworkObj) obj = NULL;
    struct ifaddrs *ifs = NULL;
    struct ifaddrs *ifa;
    char *address = NULL;

    if (!(obj = vgmNetworkObjGet(store, name, error)))
        return NULL;
    if (!obj->live) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot listen on network '%1$s': it is not active"), name);
        return NULL;
    }
    /* the network's own address, where the driver makes its bridge: its
     * first IPv4 one, else its first IPv6 one */
    if (vgmNetworkDefOwnsBridge(obj->live) && obj->live->ips && obj->live->ips->len > 0) {
        const VgmNetworkIP *first = NULL;
        char text[INET6_ADDRSTRLEN];
        guint i;

        for (i = 0; i < obj->live->ips->len && (!first || first->ipv6); i++) {
            const VgmNetworkIP *ip = g_ptr_array_index(obj->live->ips, i);

            if (!first || !ip->ipv6)
                first = ip;
        }
        if (first->ipv6)
            vgmNetworkIP6Format(&first->address6, text);
        else
            vgmNetworkIPFormat(first->address, text);
        return g_strdup(text);
    }
    /* else the first IPv4 address of the host bridge it names */
    if (getifaddrs(&ifs) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot read the host's network addresses"));
        return NULL;
    }
    for (ifa = ifs; ifa && !address; ifa = ifa->ifa_next) {
        char text[INET_ADDRSTRLEN];

        if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET &&
            g_strcmp0(ifa->ifa_name, obj->live->bridge) == 0 &&
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr, text,
                      sizeof(text)))
            address = g_strdup(text);
    }
    freeifaddrs(ifs);
    if (!address)
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot listen on network '%1$s': its bridge '%2$s' has no IPv4 address"),
                    name, obj->live->bridge ? obj->live->bridge : "");
    return address;
}
