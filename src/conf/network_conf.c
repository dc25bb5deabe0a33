/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * network_conf.c: virtual network XML (see the header).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "network_conf.h"
#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

VGM_ENUM_IMPL(vgmNetworkForward, VGM_NETWORK_FORWARD_LAST,
              "none", "nat", "route", "open", "bridge");
VGM_ENUM_IMPL(vgmNetworkLeaseUnit, VGM_NETWORK_LEASE_LAST, "seconds", "minutes", "hours");
VGM_ENUM_IMPL(vgmNetworkMacTable, VGM_NETWORK_MAC_TABLE_LAST, "", "kernel", "libvirt");

/* libvirt's other forward modes, refused by name */
static const char *const vgmNetworkForwardRefused[] = {
    "private", "vepa", "passthrough", "hostdev", NULL
};

#define VGM_NETWORK_NAME_MAX 200

static void
vgmNetworkHostFree(VgmNetworkHost *host)
{
    if (!host)
        return;
    g_free(host->mac);
    g_free(host->id);
    g_free(host->name);
    g_free(host);
}

static void
vgmNetworkIPFree(VgmNetworkIP *ip)
{
    if (!ip)
        return;
    if (ip->ranges)
        g_array_unref(ip->ranges);
    if (ip->hosts)
        g_ptr_array_unref(ip->hosts);
    g_free(ip->tftpRoot);
    g_free(ip->bootpFile);
    g_free(ip->bootpServer);
    g_free(ip);
}

static void
vgmNetworkDnsForwarderFree(VgmNetworkDnsForwarder *f)
{
    g_free(f->domain);
    g_free(f->addr);
    g_free(f);
}

static void
vgmNetworkDnsTxtFree(VgmNetworkDnsTxt *t)
{
    g_free(t->name);
    g_free(t->value);
    g_free(t);
}

static void
vgmNetworkDnsSrvFree(VgmNetworkDnsSrv *s)
{
    g_free(s->service);
    g_free(s->protocol);
    g_free(s->domain);
    g_free(s->target);
    g_free(s);
}

static void
vgmNetworkDnsHostFree(VgmNetworkDnsHost *h)
{
    g_free(h->ip);
    if (h->names)
        g_ptr_array_unref(h->names);
    g_free(h);
}

void
vgmNetworkDefFree(VgmNetworkDef *def)
{
    if (!def)
        return;
    g_clear_pointer(&def->dnsForwarders, g_ptr_array_unref);
    g_clear_pointer(&def->dnsTxts, g_ptr_array_unref);
    g_clear_pointer(&def->dnsSrvs, g_ptr_array_unref);
    g_clear_pointer(&def->dnsHosts, g_ptr_array_unref);
    g_free(def->name);
    g_free(def->forwardDev);
    g_free(def->bridge);
    g_free(def->bridgeZone);
    g_free(def->mac);
    g_free(def->domainName);
    if (def->ips)
        g_ptr_array_unref(def->ips);
    if (def->routes)
        g_array_unref(def->routes);
    if (def->metadata)
        xmlFreeDoc(def->metadata->doc);
    if (def->dnsmasqOptions)
        g_ptr_array_unref(def->dnsmasqOptions);
    if (def->portgroups)
        g_ptr_array_unref(def->portgroups);
    g_free(def->bandwidth.in);
    g_free(def->bandwidth.out);
    g_free(def);
}

void
vgmNetworkIPFormat(guint32 addr, char *out)
{
    g_snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
               addr & 0xff);
}

guint32
vgmNetworkPrefixMask(unsigned int prefix)
{
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

gboolean
vgmNetworkIfnameValid(const char *name)
{
    size_t len = strlen(name);
    const char *p;

    if (len == 0 || len > 15 || g_str_equal(name, ".") || g_str_equal(name, ".."))
        return FALSE;
    for (p = name; *p; p++) {
        /* also what firewall rules and dnsmasq would have to quote */
        if (*p == '/' || *p == ':' || *p == '"' || *p == '\'' || *p == '\\' || *p == '%' ||
            *p == ',' || g_ascii_isspace(*p) || (unsigned char)*p < 0x20 ||
            (unsigned char)*p >= 0x7f)
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmNetworkDefOwnsBridge(const VgmNetworkDef *def)
{
    return def->forward != VGM_NETWORK_FORWARD_BRIDGE;
}

static const VgmNetworkIP *
vgmNetworkDefDhcpOf(const VgmNetworkDef *def, gboolean ipv6)
{
    guint i;

    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);

        if (ip->ipv6 == ipv6 && ip->dhcp && (ip->ranges->len > 0 || ip->hosts->len > 0))
            return ip;
    }
    return NULL;
}

const VgmNetworkIP *
vgmNetworkDefDhcpIP(const VgmNetworkDef *def)
{
    return vgmNetworkDefDhcpOf(def, FALSE);
}

const VgmNetworkIP *
vgmNetworkDefDhcpIP6(const VgmNetworkDef *def)
{
    return vgmNetworkDefDhcpOf(def, TRUE);
}

char *
vgmNetworkIPPtrZone(const VgmNetworkIP *ip)
{
    GString *z = g_string_new(NULL);
    int i;

    if (ip->ipv6) {
        struct in6_addr net = vgmNetworkIP6Masked(&ip->address6, ip->prefix);

        if (ip->prefix % 4)
            return (char *)g_string_free(z, TRUE);
        for (i = (int)ip->prefix / 4 - 1; i >= 0; i--)
            g_string_append_printf(z, "%x.", (net.s6_addr[i / 2] >> (i % 2 ? 0 : 4)) & 0xf);
        g_string_append(z, "ip6.arpa");
    } else {
        guint32 net = ip->address & vgmNetworkPrefixMask(ip->prefix);

        if (ip->prefix % 8)
            return (char *)g_string_free(z, TRUE);
        for (i = (int)ip->prefix / 8 - 1; i >= 0; i--)
            g_string_append_printf(z, "%u.", (net >> (24 - 8 * i)) & 0xff);
        g_string_append(z, "in-addr.arpa");
    }
    return g_string_free(z, FALSE);
}

const char *
vgmNetworkDefTftpRoot(const VgmNetworkDef *def)
{
    guint i;

    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);

        if (ip->tftpRoot)
            return ip->tftpRoot;
    }
    return NULL;
}

gboolean
vgmNetworkDefHasIPv6(const VgmNetworkDef *def)
{
    guint i;

    for (i = 0; i < def->ips->len; i++) {
        if (((const VgmNetworkIP *)g_ptr_array_index(def->ips, i))->ipv6)
            return TRUE;
    }
    return def->ipv6 == VGM_TRISTATE_YES;
}

void
vgmNetworkIP6Format(const struct in6_addr *addr, char *out)
{
    if (!inet_ntop(AF_INET6, addr, out, INET6_ADDRSTRLEN))
        g_strlcpy(out, "::", INET6_ADDRSTRLEN);
}

struct in6_addr
vgmNetworkIP6Masked(const struct in6_addr *addr, unsigned int prefix)
{
    struct in6_addr out = *addr;
    unsigned int i;

    for (i = 0; i < 16; i++) {
        unsigned int keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;

        out.s6_addr[i] &= (unsigned char)(0xff00u >> keep);
    }
    return out;
}

/* Whether @addr is in @ip's IPv6 subnet */
static gboolean
vgmNetworkIP6InSubnet(const VgmNetworkIP *ip, const struct in6_addr *addr)
{
    struct in6_addr a = vgmNetworkIP6Masked(addr, ip->prefix);
    struct in6_addr n = vgmNetworkIP6Masked(&ip->address6, ip->prefix);

    return memcmp(&a, &n, sizeof(a)) == 0;
}

/* IPv6 attribute @attr of @node; -1 on error, 0 absent, 1 */
static int
vgmNetworkPropIPv6(xmlNodePtr node, const char *attr, gboolean required, struct in6_addr *out,
                   GError **error)
{
    g_autofree char *str = NULL;
    g_autofree char *where = vgmXMLNodeDescribe(node);
    int rc;

    if ((rc = vgmXMLPropString(node, attr, required ? VGM_XML_PROP_REQUIRED : 0, &str,
                               error)) <= 0)
        return rc;
    if (inet_pton(AF_INET6, str, out) != 1) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of element %3$s: expected an IPv6 address (the <ip> is family='ipv6')"),
                    str, attr, where);
        return -1;
    }
    return 1;
}

/* IPv4 attribute @attr of @node (required); -1 on error, 0 absent, 1 */
static int
vgmNetworkPropIPv4(xmlNodePtr node, const char *attr, gboolean required, guint32 *out,
                   GError **error)
{
    g_autofree char *str = NULL;
    g_autofree char *where = vgmXMLNodeDescribe(node);
    struct in_addr in;
    int rc;

    if ((rc = vgmXMLPropString(node, attr, required ? VGM_XML_PROP_REQUIRED : 0, &str,
                               error)) <= 0)
        return rc;
    if (inet_pton(AF_INET, str, &in) != 1) {
        vgmErrorSet(error, VGM_ERR_XML,
                    strchr(str, ':') ?
                    _("invalid value '%1$s' for attribute '%2$s' of element %3$s: an IPv6 address needs <ip family='ipv6'>") :
                    _("invalid value '%1$s' for attribute '%2$s' of element %3$s: expected an IPv4 address"),
                    str, attr, where);
        return -1;
    }
    *out = ntohl(in.s_addr);
    return 1;
}

static gboolean
vgmNetworkInSubnet(const VgmNetworkIP *ip, guint32 addr)
{
    guint32 mask = vgmNetworkPrefixMask(ip->prefix);

    return (addr & mask) == (ip->address & mask);
}

/* Whether @addr is a host of @ip's subnet: in it, and neither its network
 * nor its broadcast address (a /31 or /32 has no such addresses) */
static gboolean
vgmNetworkIsHost(const VgmNetworkIP *ip, guint32 addr)
{
    guint32 mask = vgmNetworkPrefixMask(ip->prefix);

    if (!vgmNetworkInSubnet(ip, addr))
        return FALSE;
    if (ip->prefix >= 31)
        return TRUE;
    return (addr & ~mask) != 0 && (addr & ~mask) != ~mask;
}

/* <lease expiry='' unit=''/> of @what (a range or host), libvirt's unit
 * minutes by default */
static gboolean
vgmNetworkLeaseParse(xmlNodePtr lease, const char *what, VgmNetworkLeaseTime *out,
                     GError **error)
{
    int unit = 0;
    int rc;

    if (!vgmXMLCheckNode(lease, (const char *const[]){ "expiry", "unit", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropULongLong(lease, "expiry", VGM_XML_PROP_REQUIRED, &out->expiry, error) < 0 ||
        (rc = vgmXMLPropEnum(lease, "unit", vgmNetworkLeaseUnitTypeFromString, 0, &unit,
                             error)) < 0)
        return FALSE;
    out->haveLease = TRUE;
    out->haveUnit = rc > 0;
    out->unit = rc > 0 ? (VgmNetworkLeaseUnit)unit : VGM_NETWORK_LEASE_MINUTES;
    /* dnsmasq's shortest lease is two minutes; its longest a 32-bit count
     * of seconds */
    if (out->expiry && (out->expiry * (out->unit == VGM_NETWORK_LEASE_HOURS ? 3600 :
                                       out->unit == VGM_NETWORK_LEASE_MINUTES ? 60 : 1) < 120 ||
                        out->expiry > G_MAXUINT32 / 3600)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$llu' for attribute 'expiry' of <lease> in %2$s: a lease lasts at least two minutes (0: forever)"),
                    out->expiry, what);
        return FALSE;
    }
    return TRUE;
}

/* Whether @value can stand on one line of dnsmasq's configuration: no
 * control characters (a line break would start another option) */
static gboolean
vgmNetworkDnsmasqLine(const char *value)
{
    const char *p;

    for (p = value; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return FALSE;
    }
    return TRUE;
}

/* Whether @value can stand in one field of a dnsmasq line: not empty,
 * no ',' (dnsmasq's separator), on one line */
static gboolean
vgmNetworkDnsmasqField(const char *value)
{
    return *value && !strchr(value, ',') && vgmNetworkDnsmasqLine(value);
}

/* <dhcp><bootp file='' server=''/>: what a PXE client boots, and from
 * which TFTP server (this host's by default) */
static gboolean
vgmNetworkBootpParse(xmlNodePtr node, VgmNetworkIP *ip, GError **error)
{
    if (!vgmXMLCheckNode(node, (const char *const[]){ "file", "server", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(node, "file", VGM_XML_PROP_REQUIRED, &ip->bootpFile, error) < 0 ||
        vgmXMLPropString(node, "server", 0, &ip->bootpServer, error) < 0)
        return FALSE;
    if (!vgmNetworkDnsmasqField(ip->bootpFile)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'file' of <bootp>: a file name without ',' or control characters"),
                    ip->bootpFile);
        return FALSE;
    }
    if (ip->bootpServer && !vgmNetworkDnsmasqField(ip->bootpServer)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'server' of <bootp>: a host name or address"),
                    ip->bootpServer);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmNetworkDhcpParse(xmlNodePtr dhcp, VgmNetworkIP *ip, GError **error)
{
    g_autoptr(GPtrArray) ranges = NULL;
    g_autoptr(GPtrArray) hosts = NULL;
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    guint i;

    xmlNodePtr bootp;

    if (!vgmXMLCheckNode(dhcp, vgmXMLNoChildren,
                         (const char *const[]){ "range", "host", "bootp", NULL }, error) ||
        vgmXMLSingleChild(dhcp, "bootp", &bootp, error) < 0)
        return FALSE;
    /* libvirt's rule: network boot is IPv4's */
    if (bootp && ip->ipv6) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("<bootp> in the <dhcp> of an IPv6 <ip>: network boot options are for IPv4 only"));
        return FALSE;
    }
    if (bootp && !vgmNetworkBootpParse(bootp, ip, error))
        return FALSE;
    ranges = vgmXMLChildren(dhcp, "range");
    for (i = 0; i < ranges->len; i++) {
        xmlNodePtr r = g_ptr_array_index(ranges, i);
        VgmNetworkRange range = { 0 };
        xmlNodePtr lease;

        if (!vgmXMLCheckNode(r, (const char *const[]){ "start", "end", NULL },
                             (const char *const[]){ "lease", NULL }, error) ||
            vgmXMLSingleChild(r, "lease", &lease, error) < 0)
            return FALSE;
        if (ip->ipv6) {
            char n[INET6_ADDRSTRLEN];
            struct in6_addr net;

            if (vgmNetworkPropIPv6(r, "start", TRUE, &range.start6, error) < 0 ||
                vgmNetworkPropIPv6(r, "end", TRUE, &range.end6, error) < 0)
                return FALSE;
            vgmNetworkIP6Format(&range.start6, a);
            vgmNetworkIP6Format(&range.end6, b);
            if (memcmp(&range.start6, &range.end6, sizeof(range.start6)) > 0) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("DHCP range %1$s to %2$s of <ip> is reversed: its start is after its end"),
                            a, b);
                return FALSE;
            }
            if (!vgmNetworkIP6InSubnet(ip, &range.start6) ||
                !vgmNetworkIP6InSubnet(ip, &range.end6)) {
                net = vgmNetworkIP6Masked(&ip->address6, ip->prefix);
                vgmNetworkIP6Format(&net, n);
                vgmErrorSet(error, VGM_ERR_XML,
                            _("DHCP range %1$s to %2$s is not within the hosts of network %3$s/%4$u"),
                            a, b, n, ip->prefix);
                return FALSE;
            }
        } else if (vgmNetworkPropIPv4(r, "start", TRUE, &range.start, error) < 0 ||
                   vgmNetworkPropIPv4(r, "end", TRUE, &range.end, error) < 0) {
            return FALSE;
        } else {
            vgmNetworkIPFormat(range.start, a);
            vgmNetworkIPFormat(range.end, b);
        }
        if (!ip->ipv6 && range.start > range.end) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("DHCP range %1$s to %2$s of <ip> is reversed: its start is after its end"),
                        a, b);
            return FALSE;
        }
        if (!ip->ipv6 && (!vgmNetworkIsHost(ip, range.start) || !vgmNetworkIsHost(ip, range.end))) {
            char net[16];

            vgmNetworkIPFormat(ip->address & vgmNetworkPrefixMask(ip->prefix), net);
            vgmErrorSet(error, VGM_ERR_XML,
                        _("DHCP range %1$s to %2$s is not within the hosts of network %3$s/%4$u"),
                        a, b, net, ip->prefix);
            return FALSE;
        }
        if (lease) {
            g_autofree char *what = g_strdup_printf(_("DHCP range %1$s to %2$s"), a, b);

            if (!vgmNetworkLeaseParse(lease, what, &range.lease, error))
                return FALSE;
        }
        g_array_append_val(ip->ranges, range);
    }
    hosts = vgmXMLChildren(dhcp, "host");
    for (i = 0; i < hosts->len; i++) {
        xmlNodePtr h = g_ptr_array_index(hosts, i);
        VgmNetworkHost *host = g_new0(VgmNetworkHost, 1);
        g_autofree char *mac = NULL;
        xmlNodePtr hostLease = NULL;

        g_ptr_array_add(ip->hosts, host);
        if (!vgmXMLCheckNode(h, (const char *const[]){ "mac", "id", "name", "ip", NULL },
                             (const char *const[]){ "lease", NULL }, error) ||
            vgmXMLSingleChild(h, "lease", &hostLease, error) < 0 ||
            vgmXMLPropString(h, "mac", 0, &mac, error) < 0 ||
            vgmXMLPropString(h, "id", 0, &host->id, error) < 0 ||
            vgmXMLPropString(h, "name", 0, &host->name, error) < 0 ||
            (ip->ipv6 ? vgmNetworkPropIPv6(h, "ip", TRUE, &host->ip6, error) :
                        vgmNetworkPropIPv4(h, "ip", TRUE, &host->ip, error)) < 0)
            return FALSE;
        /* libvirt's rule: a DHCPv6 client is known by its DUID, a DHCPv4
         * one by its MAC */
        if (ip->ipv6 && mac) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid attribute 'mac' ('%1$s') of a DHCP <host> of an IPv6 <ip>: DHCPv6 knows a client by its DUID ('id')"),
                        mac);
            return FALSE;
        }
        if (!ip->ipv6 && host->id) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid attribute 'id' ('%1$s') of a DHCP <host> of an IPv4 <ip>: a DUID is for DHCPv6 (an IPv6 <ip>)"),
                        host->id);
            return FALSE;
        }
        /* a DUID: bytes in hex, separated by ':' (dnsmasq's form) */
        if (host->id) {
            g_auto(GStrv) bytes = g_strsplit(host->id, ":", -1);
            gboolean ok = g_strv_length(bytes) >= 2 && g_strv_length(bytes) <= 130;

            for (guint k = 0; ok && bytes[k]; k++)
                ok = *bytes[k] && strlen(bytes[k]) <= 2 &&
                     strspn(bytes[k], "0123456789abcdefABCDEF") == strlen(bytes[k]);
            if (!ok) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'id' of DHCP <host>: a DUID is 2 to 130 bytes in hex, separated by ':'"),
                            host->id);
                return FALSE;
            }
        }
        if (mac && !(host->mac = vgmDomainMacParse(mac, error)))
            return FALSE;
        if (hostLease) {
            g_autofree char *what = g_strdup_printf(_("DHCP host '%1$s'"),
                                                    host->mac ? host->mac : host->id ? host->id :
                                                    host->name ? host->name : "");

            if (!vgmNetworkLeaseParse(hostLease, what, &host->lease, error))
                return FALSE;
        }
        if (!host->mac && !host->id && !host->name) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        ip->ipv6 ? _("a DHCP <host> of an IPv6 <ip> needs an 'id' or a 'name' with its 'ip'") :
                                   _("a DHCP <host> needs a 'mac' or a 'name' with its 'ip'"));
            return FALSE;
        }
        /* a host name: a letter first (else dnsmasq takes it for one of
         * its keywords, "ignore" or a tag), then letters, digits, '-',
         * '_' and '.' */
        if (host->name && (!g_ascii_isalpha(host->name[0]) ||
                           !g_ascii_strcasecmp(host->name, "ignore") ||
                           !g_ascii_strcasecmp(host->name, "infinite") ||
                           strspn(host->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
                           strlen(host->name))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'name' of DHCP <host>: a host name starts with a letter and has letters, digits, '-', '_' and '.' (and is not 'ignore' or 'infinite', which dnsmasq reads as keywords)"),
                        host->name);
            return FALSE;
        }
        if (ip->ipv6 ? !vgmNetworkIP6InSubnet(ip, &host->ip6) : !vgmNetworkIsHost(ip, host->ip)) {
            if (ip->ipv6)
                vgmNetworkIP6Format(&host->ip6, a);
            else
                vgmNetworkIPFormat(host->ip, a);
            vgmErrorSet(error, VGM_ERR_XML,
                        _("the address %1$s of DHCP <host> is not a host of the <ip> network it is in"),
                        a);
            return FALSE;
        }
    }
    /* (no DHCP served, nothing would hand the boot file out) */
    if (ip->bootpFile && ip->ranges->len == 0 && ip->hosts->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<bootp file='%1$s'> in a <dhcp> without a <range> or <host>: no DHCP server would hand it out"),
                    ip->bootpFile);
        return FALSE;
    }
    ip->dhcp = TRUE;
    return TRUE;
}

/* An IPv4 netmask or prefix of element <@elem>: not both; a netmask's
 * ones first, made a prefix. Returns -1 on error, else whether one was
 * given (*@prefix, *@isNetmask set) */
static int
vgmNetworkMaskOrPrefix(const char *elem, int haveMask, guint32 netmask, int havePrefix,
                       unsigned int *prefix, gboolean *isNetmask, GError **error)
{
    guint32 inv = ~netmask;

    if (haveMask && havePrefix) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<%1$s> takes a 'netmask' or a 'prefix', not both"), elem);
        return -1;
    }
    if (!haveMask)
        return havePrefix ? 1 : 0;
    /* contiguous ones, then zeros */
    if ((inv & (inv + 1)) != 0) {
        char m[16];

        vgmNetworkIPFormat(netmask, m);
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'netmask' of <%2$s>: the ones of a netmask come first"),
                    m, elem);
        return -1;
    }
    *prefix = 32 - (unsigned int)__builtin_popcount(inv);
    *isNetmask = TRUE;
    return 1;
}

/* localPtr='yes' names the subnet's reverse zone, which DNS delegates
 * by whole octets (IPv6: nibbles) */
static gboolean
vgmNetworkIPPtrCheck(const VgmNetworkIP *ip, GError **error)
{
    g_autofree char *zone = NULL;

    if (ip->localPtr != VGM_TRISTATE_YES || (zone = vgmNetworkIPPtrZone(ip)))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_XML,
                _("<ip localPtr='yes'> with prefix %1$u: a reverse DNS zone is of whole %2$s, so the prefix is a multiple of %3$u"),
                ip->prefix, ip->ipv6 ? _("nibbles") : _("octets"), ip->ipv6 ? 4u : 8u);
    return FALSE;
}

static VgmNetworkIP *
vgmNetworkIPParse(xmlNodePtr node, GError **error)
{
    VgmNetworkIP *ip = g_new0(VgmNetworkIP, 1);
    g_autofree char *family = NULL;
    xmlNodePtr dhcp;
    xmlNodePtr tftp;
    guint32 netmask = 0;
    int haveMask;
    int havePrefix;
    int given;

    ip->ranges = g_array_new(FALSE, TRUE, sizeof(VgmNetworkRange));
    ip->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkHostFree);
    if (vgmXMLPropString(node, "family", 0, &family, error) < 0)
        goto error;
    if (family && !g_str_equal(family, "ipv4") && !g_str_equal(family, "ipv6")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'family' of <ip>: 'ipv4' or 'ipv6'"),
                    family);
        goto error;
    }
    ip->haveFamily = family != NULL;
    ip->ipv6 = family && g_str_equal(family, "ipv6");
    if (!vgmXMLCheckNode(node, (const char *const[]){ "address", "netmask", "prefix", "family",
                                                      "localPtr", NULL },
                         (const char *const[]){ "dhcp", "tftp", NULL }, error) ||
        vgmXMLPropTristateBool(node, "localPtr", 0, &ip->localPtr, error) < 0 ||
        vgmXMLSingleChild(node, "tftp", &tftp, error) < 0)
        goto error;
    if (tftp && ip->ipv6) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("<tftp> in an IPv6 <ip>: dnsmasq's TFTP server is for IPv4 network boot only"));
        goto error;
    }
    if (tftp) {
        if (!vgmXMLCheckNode(tftp, (const char *const[]){ "root", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(tftp, "root", VGM_XML_PROP_REQUIRED, &ip->tftpRoot, error) < 0)
            goto error;
        if (!g_path_is_absolute(ip->tftpRoot) || !vgmNetworkDnsmasqField(ip->tftpRoot)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'root' of <tftp>: an absolute directory without ',' or control characters"),
                        ip->tftpRoot);
            goto error;
        }
    }
    if (ip->ipv6) {
        char a[INET6_ADDRSTRLEN];

        if (vgmNetworkPropIPv6(node, "address", TRUE, &ip->address6, error) < 0 ||
            (havePrefix = vgmXMLPropUInt(node, "prefix", 0, &ip->prefix, error)) < 0)
            goto error;
        if (xmlHasProp(node, (const xmlChar *)"netmask")) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("attribute 'netmask' of an IPv6 <ip>: an IPv6 network is given by its 'prefix'"));
            goto error;
        }
        /* libvirt's default prefix for IPv6 */
        ip->havePrefix = havePrefix > 0;
        if (!ip->havePrefix)
            ip->prefix = 64;
        if (ip->prefix < 1 || ip->prefix > 128) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$u' for attribute 'prefix' of <ip family='ipv6'>: 1 to 128 bits"),
                        ip->prefix);
            goto error;
        }
        if (!vgmNetworkIPPtrCheck(ip, error))
            goto error;
        vgmNetworkIP6Format(&ip->address6, a);
        if (IN6_IS_ADDR_MULTICAST(&ip->address6) || IN6_IS_ADDR_UNSPECIFIED(&ip->address6) ||
            IN6_IS_ADDR_LOOPBACK(&ip->address6)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<ip family='ipv6' address='%1$s'> is no address of a host's interface"),
                        a);
            goto error;
        }
        if (vgmXMLSingleChild(node, "dhcp", &dhcp, error) < 0 ||
            (dhcp && !vgmNetworkDhcpParse(dhcp, ip, error)))
            goto error;
        return ip;
    }
    if (vgmNetworkPropIPv4(node, "address", TRUE, &ip->address, error) < 0 ||
        (haveMask = vgmNetworkPropIPv4(node, "netmask", FALSE, &netmask, error)) < 0 ||
        (havePrefix = vgmXMLPropUInt(node, "prefix", 0, &ip->prefix, error)) < 0)
        goto error;
    if ((given = vgmNetworkMaskOrPrefix("ip", haveMask, netmask, havePrefix, &ip->prefix,
                                        &ip->netmask, error)) < 0)
        goto error;
    ip->havePrefix = given > 0;
    if (!given) {
        /* libvirt's default: the address's classful mask (implied, and
         * not written back, as libvirt does) */
        ip->prefix = (ip->address >> 31) == 0 ? 8 : (ip->address >> 30) == 2 ? 16 : 24;
    }
    if (ip->prefix < 1 || ip->prefix > 32) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'prefix' of <ip>: 1 to 32 bits"),
                    ip->prefix);
        goto error;
    }
    if (!vgmNetworkIPPtrCheck(ip, error))
        goto error;
    if (!vgmNetworkIsHost(ip, ip->address)) {
        char a[16];

        vgmNetworkIPFormat(ip->address, a);
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<ip address='%1$s'> with prefix %2$u is its network's own or broadcast address, not a host's"),
                    a, ip->prefix);
        goto error;
    }
    if (vgmXMLSingleChild(node, "dhcp", &dhcp, error) < 0 ||
        (dhcp && !vgmNetworkDhcpParse(dhcp, ip, error)))
        goto error;
    return ip;
 error:
    vgmNetworkIPFree(ip);
    return NULL;
}

static gboolean
vgmNetworkForwardParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    g_autofree char *mode = NULL;
    g_autoptr(GPtrArray) ifaces = NULL;
    xmlNodePtr nat;
    int v;

    if (vgmXMLPropString(node, "mode", 0, &mode, error) < 0)
        return FALSE;
    if (mode && vgmStrInList(vgmNetworkForwardRefused, mode)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <forward mode='%1$s'>: virt-gmem's networks are bridges (modes nat, route, open and bridge); macvtap and host device modes are not supported"),
                    mode);
        return FALSE;
    }
    if (!vgmXMLCheckNode(node, (const char *const[]){ "mode", "dev", NULL },
                         (const char *const[]){ "nat", "interface", NULL }, error) ||
        vgmXMLPropEnum(node, "mode", vgmNetworkForwardTypeFromString, VGM_XML_PROP_NONZERO, &v,
                       error) < 0 ||
        vgmXMLPropString(node, "dev", 0, &def->forwardDev, error) < 0)
        return FALSE;
    /* libvirt's default mode */
    def->forward = mode ? (VgmNetworkForward)v : VGM_NETWORK_FORWARD_NAT;
    ifaces = vgmXMLChildren(node, "interface");
    if (ifaces->len > 1) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<forward> with more than one <interface>: a pool of host interfaces is for macvtap networks, which virt-gmem does not run"));
        return FALSE;
    }
    if (ifaces->len == 1) {
        xmlNodePtr iface = g_ptr_array_index(ifaces, 0);
        g_autofree char *dev = NULL;

        if (!vgmXMLCheckNode(iface, (const char *const[]){ "dev", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(iface, "dev", VGM_XML_PROP_REQUIRED, &dev, error) < 0)
            return FALSE;
        /* libvirt writes the dev attribute as this interface too */
        if (def->forwardDev && !g_str_equal(def->forwardDev, dev)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<forward dev='%1$s'> and its <interface dev='%2$s'> name different interfaces"),
                        def->forwardDev, dev);
            return FALSE;
        }
        if (!def->forwardDev)
            def->forwardDev = g_steal_pointer(&dev);
    }
    if (def->forwardDev && def->forward == VGM_NETWORK_FORWARD_OPEN) {
        /* (an open network forwards nothing itself, as libvirt says) */
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<forward mode='open' dev='%1$s'>: an open network leaves forwarding to the host, so it takes no outgoing interface"),
                    def->forwardDev);
        return FALSE;
    }
    if (def->forwardDev && !vgmNetworkIfnameValid(def->forwardDev)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'dev' of <forward>: not an interface name"),
                    def->forwardDev);
        return FALSE;
    }
    if (def->forward == VGM_NETWORK_FORWARD_BRIDGE && def->forwardDev) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<forward mode='bridge' dev='%1$s'> is a macvtap network, which virt-gmem does not run: name the host bridge in <bridge name=''/>"),
                    def->forwardDev);
        return FALSE;
    }
    if (vgmXMLSingleChild(node, "nat", &nat, error) < 0)
        return FALSE;
    if (nat) {
        xmlNodePtr addr, port;

        if (def->forward != VGM_NETWORK_FORWARD_NAT) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<nat> is for <forward mode='nat'>, not mode '%1$s'"),
                        vgmNetworkForwardTypeToString(def->forward));
            return FALSE;
        }
        if (!vgmXMLCheckNode(nat, (const char *const[]){ "ipv6", NULL },
                             (const char *const[]){ "address", "port", NULL }, error) ||
            vgmXMLPropTristateBool(nat, "ipv6", 0, &def->natIPv6, error) < 0 ||
            vgmXMLSingleChild(nat, "address", &addr, error) < 0 ||
            vgmXMLSingleChild(nat, "port", &port, error) < 0)
            return FALSE;
        if (addr) {
            if (!vgmXMLCheckNode(addr, (const char *const[]){ "start", "end", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmNetworkPropIPv4(addr, "start", TRUE, &def->natStart, error) < 0 ||
                vgmNetworkPropIPv4(addr, "end", TRUE, &def->natEnd, error) < 0)
                return FALSE;
            if (def->natStart > def->natEnd) {
                vgmErrorSet(error, VGM_ERR_XML, "%s",
                            _("<nat><address> is reversed: its start is after its end"));
                return FALSE;
            }
        }
        if (port) {
            if (!vgmXMLCheckNode(port, (const char *const[]){ "start", "end", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropUInt(port, "start", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                               &def->natPortStart, error) < 0 ||
                vgmXMLPropUInt(port, "end", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                               &def->natPortEnd, error) < 0)
                return FALSE;
            if (def->natPortEnd > 65535 || def->natPortStart > def->natPortEnd) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<nat><port start='%1$u' end='%2$u'/> is not a range of ports 1 to 65535"),
                            def->natPortStart, def->natPortEnd);
                return FALSE;
            }
        }
    }
    return TRUE;
}

static gboolean
vgmNetworkBridgeParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    int rc;

    int mac = 0;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "name", "zone", "stp", "delay",
                                                      "macTableManager", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(node, "name", 0, &def->bridge, error) < 0 ||
        vgmXMLPropString(node, "zone", 0, &def->bridgeZone, error) < 0 ||
        vgmXMLPropTristateSwitch(node, "stp", 0, &def->stp, error) < 0 ||
        vgmXMLPropEnum(node, "macTableManager", vgmNetworkMacTableTypeFromString,
                       VGM_XML_PROP_NONZERO, &mac, error) < 0 ||
        (rc = vgmXMLPropUInt(node, "delay", 0, &def->delay, error)) < 0)
        return FALSE;
    def->macTableManager = (VgmNetworkMacTable)mac;
    /* a zone is for the bridge the network makes, as libvirt rules */
    if (def->bridgeZone && !vgmNetworkDefOwnsBridge(def)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<bridge zone='%1$s'> in a network of <forward mode='%2$s'>: a firewalld zone is for the bridge of a network of mode nat, route, open or none"),
                    def->bridgeZone, vgmNetworkForwardTypeToString(def->forward));
        return FALSE;
    }
    if (def->bridgeZone && (!*def->bridgeZone || strchr(def->bridgeZone, '/'))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'zone' of <bridge>: a firewalld zone's name, not empty, without '/'"),
                    def->bridgeZone);
        return FALSE;
    }
    def->haveDelay = rc > 0;
    /* the kernel's bridge forward delay: at most 30 s (with STP at least 2) */
    if (def->delay > 30) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'delay' of <bridge>: the kernel's bridges forward after at most 30 seconds"),
                    def->delay);
        return FALSE;
    }
    /* a template: the driver puts the first free number for "%d" */
    if (def->bridge && strstr(def->bridge, "%d")) {
        g_autoptr(GString) probe = g_string_new(def->bridge);

        g_string_replace(probe, "%d", "0", 1);
        if (!vgmNetworkIfnameValid(probe->str)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'name' of <bridge>: a template with one '%%d' that makes interface names of 1 to 15 bytes"),
                        def->bridge);
            return FALSE;
        }
        return TRUE;
    }
    if (def->bridge && !vgmNetworkIfnameValid(def->bridge)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'name' of <bridge>: an interface name has 1 to 15 bytes without '/', ':', '%%', ',', quotes or white space"),
                    def->bridge);
        return FALSE;
    }
    return TRUE;
}

/* libvirt's elements of <network> that virt-gmem does not run */
static const VgmRefused vgmNetworkRefused[] = {
    { "virtualport", N_("Open vSwitch and 802.1Qbh ports are not supported: use <interface type='bridge'> with <virtualport> in the domain") },
    { "vlan", N_("VLAN tags on a network are not supported") },
    { "title", N_("network titles are not supported") },
    { "description", N_("network descriptions are not supported") },
};

static gboolean
vgmNetworkCheckRefused(xmlNodePtr root, GError **error)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmNetworkRefused); i++) {
        if (vgmXMLChild(root, vgmNetworkRefused[i].value)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s> in <network>: %2$s"),
                        vgmNetworkRefused[i].value, _(vgmNetworkRefused[i].why));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmNetworkNameValid(const char *name, GError **error)
{
    const char *p;

    if (!*name || strchr(name, '/') || name[0] == '.' || strlen(name) > VGM_NETWORK_NAME_MAX) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid network name '%1$s': it must not be empty, contain '/', start with '.' or be longer than %2$d bytes"),
                    name, VGM_NETWORK_NAME_MAX);
        return FALSE;
    }
    for (p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("invalid network name: it must not contain control characters"));
            return FALSE;
        }
    }
    return TRUE;
}

/* Whether @gw is an address of a subnet of one of @def's <ip>s of its
 * family: a route's gateway must be reachable through the bridge */
static gboolean
vgmNetworkRouteReachable(const VgmNetworkDef *def, const VgmNetworkRoute *r)
{
    guint i;

    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);

        if (ip->ipv6 != r->ipv6)
            continue;
        if (r->ipv6 ? vgmNetworkIP6InSubnet(ip, &r->gateway6) : vgmNetworkInSubnet(ip, r->gateway))
            return TRUE;
    }
    return FALSE;
}

static gboolean
vgmNetworkRouteParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    VgmNetworkRoute r = { 0 };
    g_autofree char *family = NULL;
    g_autofree char *addrText = NULL;
    g_autofree char *gwText = NULL;
    guint32 netmask = 0;
    int haveMask = 0, havePrefix, given;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "family", "address", "netmask", "prefix",
                                                      "gateway", "metric", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(node, "family", 0, &family, error) < 0 ||
        vgmXMLPropString(node, "address", VGM_XML_PROP_REQUIRED, &addrText, error) < 0 ||
        vgmXMLPropString(node, "gateway", VGM_XML_PROP_REQUIRED, &gwText, error) < 0 ||
        (havePrefix = vgmXMLPropUInt(node, "prefix", 0, &r.prefix, error)) < 0 ||
        vgmXMLPropUInt(node, "metric", 0, &r.metric, error) < 0)
        return FALSE;
    if (family && !g_str_equal(family, "ipv4") && !g_str_equal(family, "ipv6")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'family' of <route>: 'ipv4' or 'ipv6'"),
                    family);
        return FALSE;
    }
    r.haveFamily = family != NULL;
    r.ipv6 = family && g_str_equal(family, "ipv6");
    if (r.ipv6 ? vgmNetworkPropIPv6(node, "address", TRUE, &r.address6, error) < 0 ||
                 vgmNetworkPropIPv6(node, "gateway", TRUE, &r.gateway6, error) < 0 :
                 vgmNetworkPropIPv4(node, "address", TRUE, &r.address, error) < 0 ||
                 vgmNetworkPropIPv4(node, "gateway", TRUE, &r.gateway, error) < 0 ||
                 (haveMask = vgmNetworkPropIPv4(node, "netmask", FALSE, &netmask, error)) < 0)
        return FALSE;
    if (r.ipv6 && xmlHasProp(node, (const xmlChar *)"netmask")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("attribute 'netmask' of an IPv6 <route>: an IPv6 route is given by its 'prefix'"));
        return FALSE;
    }
    if ((given = vgmNetworkMaskOrPrefix("route", haveMask, netmask, havePrefix, &r.prefix,
                                        &r.netmask, error)) < 0)
        return FALSE;
    if (!given) {
        /* libvirt's default: a host route */
        r.prefix = r.ipv6 ? 128 : 32;
    }
    r.havePrefix = havePrefix > 0;
    if (r.prefix > (r.ipv6 ? 128u : 32u)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'prefix' of <route>: at most %2$u bits"),
                    r.prefix, r.ipv6 ? 128u : 32u);
        return FALSE;
    }
    {
        struct in6_addr net6 = vgmNetworkIP6Masked(&r.address6, r.prefix);

        if (r.ipv6 ? memcmp(&net6, &r.address6, sizeof(net6)) != 0 :
                     (r.address & ~vgmNetworkPrefixMask(r.prefix)) != 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<route address='%1$s'> with prefix %2$u has host bits set: a route is to a network's address"),
                        addrText, r.prefix);
            return FALSE;
        }
    }
    if (xmlHasProp(node, (const xmlChar *)"metric") && r.metric == 0) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("invalid value '0' for attribute 'metric' of <route>: a metric is 1 or more"));
        return FALSE;
    }
    g_array_append_val(def->routes, r);
    return TRUE;
}

/* libvirt's rules between the parts */
static gboolean
vgmNetworkDefCheck(const VgmNetworkDef *def, GError **error)
{
    const VgmNetworkIP *dhcp = NULL;
    const VgmNetworkIP *dhcp6 = NULL;
    const VgmNetworkIP *tftp = NULL;
    gboolean dnsRecords = def->dnsForwarders->len || def->dnsTxts->len ||
                          def->dnsSrvs->len || def->dnsHosts->len;
    guint i;

    if (def->forward == VGM_NETWORK_FORWARD_BRIDGE) {
        const char *what = def->ips->len ? "<ip>" : def->routes->len ? "<route>" :
                           def->ipv6 ? "<network ipv6=''>" :
                           def->mac ? "<mac>" :
                           def->domainName ? "<domain>" :
                           def->dnsEnable || def->dnsForwardPlainNames || dnsRecords ? "<dns>" :
                           def->stp || def->haveDelay ? "<bridge stp='' delay=''>" :
                           def->mtu ? "<mtu>" : NULL;

        if (!def->bridge) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("<forward mode='bridge'> needs the host bridge's name in <bridge name=''/>"));
            return FALSE;
        }
        if (what) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("%1$s is not for <forward mode='bridge'>: the host bridge is someone else's, set up by them"),
                        what);
            return FALSE;
        }
        return TRUE;
    }
    if ((def->forward == VGM_NETWORK_FORWARD_NAT || def->forward == VGM_NETWORK_FORWARD_ROUTE) &&
        def->ips->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<forward mode='%1$s'> needs an <ip> address (IPv4 or IPv6) for the network to forward"),
                    vgmNetworkForwardTypeToString(def->forward));
        return FALSE;
    }
    /* (the network's dnsmasq serves them, on its address) */
    if (dnsRecords && def->ips->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("the DNS records and forwarders of network '%1$s' need an <ip> (IPv4 or IPv6): the network's DNS server answers on its address"),
                    def->name);
        return FALSE;
    }
    for (i = 0; i < def->ips->len; i++) {
        const VgmNetworkIP *ip = g_ptr_array_index(def->ips, i);

        /* dnsmasq has one TFTP root */
        if (ip->tftpRoot && tftp) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("more than one <ip> has <tftp>: a network's TFTP server has one root"));
            return FALSE;
        }
        if (ip->tftpRoot)
            tftp = ip;
        if (!ip->dhcp)
            continue;
        if (ip->ipv6 ? dhcp6 != NULL : dhcp != NULL) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        ip->ipv6 ? _("more than one IPv6 <ip> has <dhcp>: DHCPv6 is served on one IPv6 address of a network") :
                                   _("more than one <ip> has <dhcp>: DHCP is served on one IPv4 address of a network"));
            return FALSE;
        }
        if (ip->ipv6)
            dhcp6 = ip;
        else
            dhcp = ip;
    }
    for (i = 0; i < def->routes->len; i++) {
        const VgmNetworkRoute *r = &g_array_index(def->routes, VgmNetworkRoute, i);
        char gw[INET6_ADDRSTRLEN];

        if (r->ipv6)
            vgmNetworkIP6Format(&r->gateway6, gw);
        else
            vgmNetworkIPFormat(r->gateway, gw);
        if (!vgmNetworkRouteReachable(def, r)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("the gateway %1$s of a <route> of network '%2$s' is in none of its %3$s <ip> subnets: the route goes through the network's bridge"),
                        gw, def->name, r->ipv6 ? "IPv6" : "IPv4");
            return FALSE;
        }
    }
    if (def->mtu && (def->mtu < 68 || def->mtu > 65535)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'size' of <mtu>: 68 to 65535"), def->mtu);
        return FALSE;
    }
    if (def->stp != VGM_TRISTATE_NO && def->haveDelay && def->delay < 2 && def->delay != 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'delay' of <bridge>: with STP a bridge forwards after 2 to 30 seconds (0: at once)"),
                    def->delay);
        return FALSE;
    }
    return TRUE;
}

/* A DNS name as a network's records take it: letters, digits, '-', '_'
 * and '.' (which also keeps dnsmasq's configuration lines whole) */
static gboolean
vgmNetworkDnsNameValid(const char *name)
{
    return name && *name &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
           strlen(name);
}

/* Whether @text is an IPv4 or IPv6 address */
static gboolean
vgmNetworkAddrValid(const char *text)
{
    unsigned char buf[16];

    return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

/* Attribute @attr of @node (a <@what> of network @def) as a DNS name */
static int
vgmNetworkDnsNameProp(xmlNodePtr node, const char *attr, VgmXMLPropFlags flags,
                      const char *what, const VgmNetworkDef *def, char **value,
                      GError **error)
{
    int r = vgmXMLPropString(node, attr, flags, value, error);

    if (r > 0 && !vgmNetworkDnsNameValid(*value)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of DNS <%3$s> in network '%4$s': a DNS name of letters, digits, '-', '_' and '.'"),
                    *value, attr, what, def->name);
        return -1;
    }
    return r;
}

static gboolean
vgmNetworkDnsForwarderParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    VgmNetworkDnsForwarder *f = g_new0(VgmNetworkDnsForwarder, 1);

    g_ptr_array_add(def->dnsForwarders, f);
    if (!vgmXMLCheckNode(node, (const char *const[]){ "domain", "addr", NULL }, vgmXMLNoChildren,
                         error) ||
        vgmNetworkDnsNameProp(node, "domain", 0, "forwarder", def, &f->domain, error) < 0 ||
        vgmXMLPropString(node, "addr", 0, &f->addr, error) < 0)
        return FALSE;
    if (!f->domain && !f->addr) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("DNS <forwarder> of network '%1$s' has neither 'addr' nor 'domain': it needs at least one"),
                    def->name);
        return FALSE;
    }
    if (f->addr && !vgmNetworkAddrValid(f->addr)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'addr' of DNS <forwarder> in network '%2$s': an IPv4 or IPv6 address"),
                    f->addr, def->name);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmNetworkDnsTxtParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    VgmNetworkDnsTxt *t = g_new0(VgmNetworkDnsTxt, 1);

    g_ptr_array_add(def->dnsTxts, t);
    if (!vgmXMLCheckNode(node, (const char *const[]){ "name", "value", NULL }, vgmXMLNoChildren,
                         error) ||
        vgmNetworkDnsNameProp(node, "name", VGM_XML_PROP_REQUIRED, "txt", def, &t->name,
                              error) < 0 ||
        vgmXMLPropString(node, "value", VGM_XML_PROP_REQUIRED, &t->value, error) < 0)
        return FALSE;
    for (const char *p = t->value; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value of attribute 'value' of DNS <txt> '%1$s' in network '%2$s': a control character (a new line?)"),
                        t->name, def->name);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmNetworkDnsSrvParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    VgmNetworkDnsSrv *s = g_new0(VgmNetworkDnsSrv, 1);
    int r;

    g_ptr_array_add(def->dnsSrvs, s);
    if (!vgmXMLCheckNode(node, (const char *const[]){ "service", "protocol", "domain", "target",
                                                      "port", "priority", "weight", NULL },
                         vgmXMLNoChildren, error) ||
        vgmNetworkDnsNameProp(node, "service", VGM_XML_PROP_REQUIRED, "srv", def, &s->service,
                              error) < 0 ||
        vgmNetworkDnsNameProp(node, "protocol", VGM_XML_PROP_REQUIRED, "srv", def, &s->protocol,
                              error) < 0 ||
        vgmNetworkDnsNameProp(node, "domain", 0, "srv", def, &s->domain, error) < 0 ||
        vgmNetworkDnsNameProp(node, "target", 0, "srv", def, &s->target, error) < 0)
        return FALSE;
    if ((r = vgmXMLPropUInt(node, "port", 0, &s->port, error)) < 0)
        return FALSE;
    s->havePort = r > 0;
    if ((r = vgmXMLPropUInt(node, "priority", 0, &s->priority, error)) < 0)
        return FALSE;
    s->havePriority = r > 0;
    if ((r = vgmXMLPropUInt(node, "weight", 0, &s->weight, error)) < 0)
        return FALSE;
    s->haveWeight = r > 0;
    if (s->port > 65535 || s->priority > 65535 || s->weight > 65535) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("DNS <srv> '%1$s' of network '%2$s': its port, priority and weight are at most 65535"),
                    s->service, def->name);
        return FALSE;
    }
    if ((s->havePort || s->havePriority || s->haveWeight) && !s->target) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("DNS <srv> '%1$s' of network '%2$s' has a port, priority or weight but no 'target' they would be of"),
                    s->service, def->name);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmNetworkDnsHostParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    g_autoptr(GPtrArray) kids = vgmXMLChildren(node, "hostname");
    VgmNetworkDnsHost *h = g_new0(VgmNetworkDnsHost, 1);

    g_ptr_array_add(def->dnsHosts, h);
    h->names = g_ptr_array_new_with_free_func(g_free);
    if (!vgmXMLCheckNode(node, (const char *const[]){ "ip", NULL },
                         (const char *const[]){ "hostname", NULL }, error) ||
        vgmXMLPropString(node, "ip", VGM_XML_PROP_REQUIRED, &h->ip, error) < 0)
        return FALSE;
    if (!vgmNetworkAddrValid(h->ip)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'ip' of DNS <host> in network '%2$s': an IPv4 or IPv6 address"),
                    h->ip, def->name);
        return FALSE;
    }
    for (guint i = 0; i < kids->len; i++) {
        g_autofree char *name = vgmXMLNodeContent(g_ptr_array_index(kids, i));

        if (!vgmNetworkDnsNameValid(name)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid <hostname> '%1$s' of DNS <host> '%2$s' in network '%3$s': a DNS name of letters, digits, '-', '_' and '.'"),
                        name ? name : "", h->ip, def->name);
            return FALSE;
        }
        g_ptr_array_add(h->names, g_steal_pointer(&name));
    }
    if (h->names->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("DNS <host> '%1$s' of network '%2$s' has no <hostname>"),
                    h->ip, def->name);
        return FALSE;
    }
    return TRUE;
}

/* <dns enable='' forwardPlainNames=''> and its records, as libvirt takes
 * them; a disabled DNS has none */
static const struct {
    const char *element;
    gboolean (*parse)(xmlNodePtr node, VgmNetworkDef *def, GError **error);
} vgmNetworkDnsParsers[] = {
    { "forwarder", vgmNetworkDnsForwarderParse },
    { "txt", vgmNetworkDnsTxtParse },
    { "srv", vgmNetworkDnsSrvParse },
    { "host", vgmNetworkDnsHostParse },
};

static gboolean
vgmNetworkDnsParse(xmlNodePtr node, VgmNetworkDef *def, GError **error)
{
    if (!vgmXMLCheckNode(node, (const char *const[]){ "enable", "forwardPlainNames", NULL },
                         (const char *const[]){ "forwarder", "txt", "srv", "host", NULL }, error) ||
        vgmXMLPropTristateBool(node, "enable", 0, &def->dnsEnable, error) < 0 ||
        vgmXMLPropTristateBool(node, "forwardPlainNames", 0, &def->dnsForwardPlainNames,
                               error) < 0)
        return FALSE;
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (def->dnsEnable == VGM_TRISTATE_NO) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s> in the <dns enable='no'> of network '%2$s': a disabled DNS serves no records and forwards nothing"),
                        (const char *)c->name, def->name);
            return FALSE;
        }
        for (guint i = 0; i < G_N_ELEMENTS(vgmNetworkDnsParsers); i++) {
            if (xmlStrEqual(c->name, BAD_CAST vgmNetworkDnsParsers[i].element) &&
                !vgmNetworkDnsParsers[i].parse(c, def, error))
                return FALSE;
        }
    }
    return TRUE;
}

static void
vgmNetworkPortgroupFree(VgmNetworkPortgroup *pg)
{
    g_free(pg->name);
    g_free(pg->bandwidth.in);
    g_free(pg->bandwidth.out);
    g_free(pg);
}

/* libvirt's elements of a <portgroup> that virt-gmem's networks do not
 * carry out */
static const VgmRefused vgmNetworkPortgroupRefused[] = {
    { "vlan", N_("VLAN tags need Open vSwitch or an SR-IOV network, which virt-gmem's networks are not") },
    { "virtualport", N_("virtual ports need Open vSwitch or an 802.1Qbh switch, which virt-gmem's networks are not") },
};

/* <portgroup name='' default='yes|no'> with a <bandwidth>: unique names,
 * at most one default, as libvirt takes them */
static gboolean
vgmNetworkPortgroupsParse(xmlNodePtr root, VgmNetworkDef *def, GError **error)
{
    g_autoptr(GPtrArray) nodes = vgmXMLChildren(root, "portgroup");
    const VgmNetworkPortgroup *dflt = NULL;
    guint i, j;

    def->portgroups = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkPortgroupFree);
    for (i = 0; i < nodes->len; i++) {
        xmlNodePtr node = g_ptr_array_index(nodes, i);
        VgmNetworkPortgroup *pg = g_new0(VgmNetworkPortgroup, 1);
        VgmTristate isDefault = VGM_TRISTATE_ABSENT;

        g_ptr_array_add(def->portgroups, pg);
        if (!vgmXMLCheckRefusedChildren(node, vgmNetworkPortgroupRefused,
                                        G_N_ELEMENTS(vgmNetworkPortgroupRefused), error) ||
            !vgmXMLCheckNode(node, (const char *const[]){ "name", "default", NULL },
                             (const char *const[]){ "bandwidth", NULL }, error) ||
            vgmXMLPropString(node, "name", VGM_XML_PROP_REQUIRED, &pg->name, error) < 0 ||
            vgmXMLPropTristateBool(node, "default", 0, &isDefault, error) < 0 ||
            !vgmNetBandwidthParse(node, &pg->bandwidth, error))
            return FALSE;
        pg->isDefault = isDefault == VGM_TRISTATE_YES;
        for (j = 0; j < i; j++) {
            if (g_str_equal(((VgmNetworkPortgroup *)g_ptr_array_index(def->portgroups, j))->name,
                            pg->name)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("network '%1$s' has two <portgroup>s named '%2$s'"),
                            def->name, pg->name);
                return FALSE;
            }
        }
        if (pg->isDefault && dflt) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("network '%1$s' has two default <portgroup>s ('%2$s' and '%3$s'): one is the default"),
                        def->name, dflt->name, pg->name);
            return FALSE;
        }
        if (pg->isDefault)
            dflt = pg;
    }
    return TRUE;
}

const VgmNetworkPortgroup *
vgmNetworkDefPortgroup(const VgmNetworkDef *def, const char *name, GError **error)
{
    guint i;

    for (i = 0; def->portgroups && i < def->portgroups->len; i++) {
        const VgmNetworkPortgroup *pg = g_ptr_array_index(def->portgroups, i);

        if (name ? g_str_equal(pg->name, name) : pg->isDefault)
            return pg;
    }
    if (name)
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("network '%1$s' has no <portgroup> named '%2$s'"), def->name, name);
    return NULL;
}

/* libvirt's dnsmasq namespace: <dnsmasq:options> of <dnsmasq:option
 * value=''/>, each value a line of dnsmasq's configuration, after the
 * lines the driver writes */
static gboolean
vgmNetworkDnsmasqParse(xmlNodePtr root, VgmNetworkDef *def, GError **error)
{
    xmlNodePtr cur, opt;

    for (cur = root->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || !cur->ns || !cur->ns->href ||
            !g_str_equal((const char *)cur->ns->href, VGM_NETWORK_DNSMASQ_NS))
            continue;
        if (!g_str_equal((const char *)cur->name, "options")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <dnsmasq:%1$s> in <network>: libvirt's dnsmasq namespace has <dnsmasq:options>"),
                        (const char *)cur->name);
            return FALSE;
        }
        if (!vgmXMLCheckAttrs(cur, vgmXMLNoChildren, error) ||
            !vgmXMLCheckChildrenNs(cur, vgmXMLNoChildren, VGM_NETWORK_DNSMASQ_NS, error))
            return FALSE;
        if (!def->dnsmasqOptions)
            def->dnsmasqOptions = g_ptr_array_new_with_free_func(g_free);
        for (opt = cur->children; opt; opt = opt->next) {
            char *value = NULL;

            if (opt->type != XML_ELEMENT_NODE)
                continue;
            if (!g_str_equal((const char *)opt->name, "option")) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("unsupported element <dnsmasq:%1$s> in <dnsmasq:options>: it holds <dnsmasq:option value=''/>"),
                            (const char *)opt->name);
                return FALSE;
            }
            if (!vgmXMLCheckNode(opt, (const char *const[]){ "value", NULL }, vgmXMLNoChildren,
                                 error) ||
                vgmXMLPropString(opt, "value", VGM_XML_PROP_REQUIRED,
                                 &value, error) < 0)
                return FALSE;
            g_ptr_array_add(def->dnsmasqOptions, value);
            if (!vgmNetworkDnsmasqLine(value)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' of <dnsmasq:option>: an option is one line of dnsmasq's configuration, without control characters"),
                            value);
                return FALSE;
            }
        }
    }
    return TRUE;
}

VgmNetworkDef *
vgmNetworkDefParseString(const char *xml, const char *filename, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmNetworkDef) def = g_new0(VgmNetworkDef, 1);
    g_autoptr(GPtrArray) ips = NULL;
    xmlNodePtr root, node;
    guint i;

    def->ips = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkIPFree);
    def->routes = g_array_new(FALSE, TRUE, sizeof(VgmNetworkRoute));
    def->dnsForwarders = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkDnsForwarderFree);
    def->dnsTxts = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkDnsTxtFree);
    def->dnsSrvs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkDnsSrvFree);
    def->dnsHosts = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetworkDnsHostFree);
    if (!(doc = vgmXMLParseString(xml, filename, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !g_str_equal((const char *)root->name, "network")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("expected a <network> element"));
        return NULL;
    }
    if (vgmXMLPropTristateBool(root, "ipv6", 0, &def->ipv6, error) < 0)
        return NULL;
    /* (connections='' is the live XML's count, read by no one, as in
     * libvirt: a live XML given back defines the network) */
    if (!vgmNetworkCheckRefused(root, error) ||
        !vgmXMLCheckAttrs(root, (const char *const[]){ "ipv6", "connections", NULL }, error) ||
        !vgmXMLCheckChildrenNs(root, (const char *const[]){ "name", "uuid", "metadata", "forward",
                                                            "bridge", "mtu", "mac", "domain",
                                                            "dns", "bandwidth", "port",
                                                            "ip", "route", "portgroup", NULL },
                               VGM_NETWORK_DNSMASQ_NS, error) ||
        !vgmXMLMetadataParse(root, &def->metadata, error) ||
        !vgmNetworkDnsmasqParse(root, def, error))
        return NULL;

    if (vgmXMLSingleChild(root, "name", &node, error) < 0)
        return NULL;
    if (!node || !(def->name = vgmXMLNodeContent(node))) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("a <network> needs a <name>"));
        return NULL;
    }
    if (!vgmNetworkNameValid(def->name, error))
        return NULL;
    if (vgmXMLSingleChild(root, "uuid", &node, error) < 0)
        return NULL;
    if (node) {
        g_autofree char *str = vgmXMLNodeContent(node);

        if (!str || !vgmDomainUUIDParse(str, def->uuid)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid <uuid> '%1$s' of network '%2$s'"), str ? str : "", def->name);
            return NULL;
        }
    } else {
        vgmDomainRandomBytes(def->uuid, sizeof(def->uuid));
        def->uuid[6] = (def->uuid[6] & 0x0f) | 0x40;
        def->uuid[8] = (def->uuid[8] & 0x3f) | 0x80;
    }
    if (vgmXMLSingleChild(root, "forward", &node, error) < 0 ||
        (node && !vgmNetworkForwardParse(node, def, error)))
        return NULL;
    if (vgmXMLSingleChild(root, "bridge", &node, error) < 0 ||
        (node && !vgmNetworkBridgeParse(node, def, error)))
        return NULL;
    if (vgmXMLSingleChild(root, "mtu", &node, error) < 0 ||
        (node && (!vgmXMLCheckNode(node, (const char *const[]){ "size", NULL }, vgmXMLNoChildren,
                                   error) ||
                  vgmXMLPropUInt(node, "size", VGM_XML_PROP_REQUIRED, &def->mtu, error) < 0)))
        return NULL;
    if (!vgmNetBandwidthParse(root, &def->bandwidth, error) ||
        !vgmNetworkPortgroupsParse(root, def, error))
        return NULL;
    /* <port isolated=''>: the default of the guests' ports (an interface's
     * own <port isolated> wins), as libvirt takes it */
    if (vgmXMLSingleChild(root, "port", &node, error) < 0 ||
        (node && (!vgmXMLCheckNode(node, (const char *const[]){ "isolated", NULL },
                                   vgmXMLNoChildren, error) ||
                  vgmXMLPropTristateBool(node, "isolated", 0, &def->isolatedPort, error) < 0)))
        return NULL;
    if (vgmXMLSingleChild(root, "mac", &node, error) < 0)
        return NULL;
    if (node) {
        g_autofree char *mac = NULL;

        if (!vgmXMLCheckNode(node, (const char *const[]){ "address", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(node, "address", VGM_XML_PROP_REQUIRED, &mac, error) < 0 ||
            !(def->mac = vgmDomainMacParse(mac, error)))
            return NULL;
    }
    if (vgmXMLSingleChild(root, "domain", &node, error) < 0)
        return NULL;
    if (node) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "name", "localOnly", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(node, "name", VGM_XML_PROP_REQUIRED, &def->domainName, error) < 0 ||
            vgmXMLPropTristateBool(node, "localOnly", 0, &def->localOnly, error) < 0)
            return NULL;
        /* one DNS name: labels of letters, digits, '-' and '.' */
        if (!*def->domainName ||
            strspn(def->domainName, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
            strlen(def->domainName)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'name' of <domain>: a DNS domain of letters, digits, '-' and '.'"),
                        def->domainName);
            return NULL;
        }
    }
    if (vgmXMLSingleChild(root, "dns", &node, error) < 0 ||
        (node && !vgmNetworkDnsParse(node, def, error)))
        return NULL;
    ips = vgmXMLChildren(root, "ip");
    for (i = 0; i < ips->len; i++) {
        VgmNetworkIP *ip = vgmNetworkIPParse(g_ptr_array_index(ips, i), error);

        if (!ip)
            return NULL;
        g_ptr_array_add(def->ips, ip);
    }
    {
        g_autoptr(GPtrArray) routes = vgmXMLChildren(root, "route");

        for (i = 0; i < routes->len; i++) {
            if (!vgmNetworkRouteParse(g_ptr_array_index(routes, i), def, error))
                return NULL;
        }
    }
    if (!vgmNetworkDefCheck(def, error))
        return NULL;
    /* libvirt's defaults for a bridge of its own */
    if (vgmNetworkDefOwnsBridge(def)) {
        if (!def->stp)
            def->stp = VGM_TRISTATE_YES;
        def->haveDelay = TRUE;
        if (!def->mac) {
            unsigned char r[3];

            vgmDomainRandomBytes(r, sizeof(r));
            def->mac = g_strdup_printf("52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
        }
    }
    return g_steal_pointer(&def);
}

/* @addr of @ip's family as text */
static void
vgmNetworkAddrFormat(const VgmNetworkIP *ip, guint32 addr, const struct in6_addr *addr6,
                     char *out)
{
    if (ip->ipv6)
        vgmNetworkIP6Format(addr6, out);
    else
        vgmNetworkIPFormat(addr, out);
}

/* The end of element @name (its attributes written): its <lease>, if any */
static void
vgmNetworkLeaseFormatXML(VgmBuf *buf, const VgmNetworkLeaseTime *l, const char *name)
{
    if (!l->haveLease) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufAsprintf(buf, "      <lease expiry='%llu'", l->expiry);
    if (l->haveUnit)
        vgmBufAsprintf(buf, " unit='%s'", vgmNetworkLeaseUnitTypeToString(l->unit));
    vgmBufAdd(buf, "/>\n");
    vgmBufAsprintf(buf, "    </%s>\n", name);
}

static void
vgmNetworkIPFormatXML(VgmBuf *buf, const VgmNetworkIP *ip)
{
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    guint i;

    vgmBufAdd(buf, "<ip");
    if (ip->haveFamily)
        vgmBufAsprintf(buf, " family='%s'", ip->ipv6 ? "ipv6" : "ipv4");
    vgmNetworkAddrFormat(ip, ip->address, &ip->address6, a);
    if (ip->ipv6) {
        vgmBufAsprintf(buf, " address='%s'", a);
        if (ip->havePrefix)
            vgmBufAsprintf(buf, " prefix='%u'", ip->prefix);
    } else if (ip->netmask) {
        vgmNetworkIPFormat(vgmNetworkPrefixMask(ip->prefix), b);
        vgmBufAsprintf(buf, " address='%s' netmask='%s'", a, b);
    } else if (ip->havePrefix) {
        vgmBufAsprintf(buf, " address='%s' prefix='%u'", a, ip->prefix);
    } else {
        vgmBufAsprintf(buf, " address='%s'", a);
    }
    if (ip->localPtr)
        vgmBufAsprintf(buf, " localPtr='%s'", ip->localPtr == VGM_TRISTATE_YES ? "yes" : "no");
    if (!ip->dhcp && !ip->tftpRoot) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufEscapeString(buf, "  <tftp root='%s'/>\n", ip->tftpRoot);
    if (!ip->dhcp) {
        vgmBufAdd(buf, "</ip>\n");
        return;
    }
    vgmBufAdd(buf, "  <dhcp>\n");
    for (i = 0; i < ip->ranges->len; i++) {
        const VgmNetworkRange *r = &g_array_index(ip->ranges, VgmNetworkRange, i);

        vgmNetworkAddrFormat(ip, r->start, &r->start6, a);
        vgmNetworkAddrFormat(ip, r->end, &r->end6, b);
        vgmBufAsprintf(buf, "    <range start='%s' end='%s'", a, b);
        vgmNetworkLeaseFormatXML(buf, &r->lease, "range");
    }
    for (i = 0; i < ip->hosts->len; i++) {
        const VgmNetworkHost *h = g_ptr_array_index(ip->hosts, i);

        vgmNetworkAddrFormat(ip, h->ip, &h->ip6, a);
        vgmBufAdd(buf, "    <host");
        if (h->mac)
            vgmBufAsprintf(buf, " mac='%s'", h->mac);
        if (h->id)
            vgmBufAsprintf(buf, " id='%s'", h->id);
        vgmBufEscapeString(buf, " name='%s'", h->name);
        vgmBufAsprintf(buf, " ip='%s'", a);
        vgmNetworkLeaseFormatXML(buf, &h->lease, "host");
    }
    if (ip->bootpFile) {
        vgmBufEscapeString(buf, "    <bootp file='%s'", ip->bootpFile);
        vgmBufEscapeString(buf, " server='%s'", ip->bootpServer);
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufAdd(buf, "  </dhcp>\n");
    vgmBufAdd(buf, "</ip>\n");
}

static void
vgmNetworkRouteFormatXML(VgmBuf *buf, const VgmNetworkRoute *r)
{
    char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

    if (r->ipv6) {
        vgmNetworkIP6Format(&r->address6, a);
        vgmNetworkIP6Format(&r->gateway6, g);
    } else {
        vgmNetworkIPFormat(r->address, a);
        vgmNetworkIPFormat(r->gateway, g);
    }
    vgmBufAdd(buf, "<route");
    if (r->haveFamily)
        vgmBufAsprintf(buf, " family='%s'", r->ipv6 ? "ipv6" : "ipv4");
    vgmBufAsprintf(buf, " address='%s'", a);
    if (r->netmask) {
        char m[16];

        vgmNetworkIPFormat(vgmNetworkPrefixMask(r->prefix), m);
        vgmBufAsprintf(buf, " netmask='%s'", m);
    } else if (r->havePrefix) {
        vgmBufAsprintf(buf, " prefix='%u'", r->prefix);
    }
    vgmBufAsprintf(buf, " gateway='%s'", g);
    if (r->metric)
        vgmBufAsprintf(buf, " metric='%u'", r->metric);
    vgmBufAdd(buf, "/>\n");
}

/* <dns>, its records in libvirt's order: forwarders, TXT, SRV, hosts */
static void
vgmNetworkDnsFormat(VgmBuf *buf, const VgmNetworkDef *def)
{
    gboolean records = def->dnsForwarders->len || def->dnsTxts->len || def->dnsSrvs->len ||
                       def->dnsHosts->len;
    guint i;

    if (!def->dnsEnable && !def->dnsForwardPlainNames && !records)
        return;
    vgmBufAdd(buf, "<dns");
    if (def->dnsEnable)
        vgmBufAsprintf(buf, " enable='%s'", vgmTristateBoolTypeToString(def->dnsEnable));
    if (def->dnsForwardPlainNames)
        vgmBufAsprintf(buf, " forwardPlainNames='%s'",
                       vgmTristateBoolTypeToString(def->dnsForwardPlainNames));
    if (!records) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; i < def->dnsForwarders->len; i++) {
        const VgmNetworkDnsForwarder *f = g_ptr_array_index(def->dnsForwarders, i);

        vgmBufAdd(buf, "<forwarder");
        vgmBufEscapeString(buf, " domain='%s'", f->domain);
        vgmBufEscapeString(buf, " addr='%s'", f->addr);
        vgmBufAdd(buf, "/>\n");
    }
    for (i = 0; i < def->dnsTxts->len; i++) {
        const VgmNetworkDnsTxt *t = g_ptr_array_index(def->dnsTxts, i);

        vgmBufEscapeString(buf, "<txt name='%s'", t->name);
        vgmBufEscapeString(buf, " value='%s'/>\n", t->value);
    }
    for (i = 0; i < def->dnsSrvs->len; i++) {
        const VgmNetworkDnsSrv *s = g_ptr_array_index(def->dnsSrvs, i);

        vgmBufEscapeString(buf, "<srv service='%s'", s->service);
        vgmBufEscapeString(buf, " protocol='%s'", s->protocol);
        vgmBufEscapeString(buf, " domain='%s'", s->domain);
        vgmBufEscapeString(buf, " target='%s'", s->target);
        if (s->havePort)
            vgmBufAsprintf(buf, " port='%u'", s->port);
        if (s->havePriority)
            vgmBufAsprintf(buf, " priority='%u'", s->priority);
        if (s->haveWeight)
            vgmBufAsprintf(buf, " weight='%u'", s->weight);
        vgmBufAdd(buf, "/>\n");
    }
    for (i = 0; i < def->dnsHosts->len; i++) {
        const VgmNetworkDnsHost *h = g_ptr_array_index(def->dnsHosts, i);

        vgmBufEscapeString(buf, "<host ip='%s'>\n", h->ip);
        for (guint j = 0; j < h->names->len; j++)
            vgmBufEscapeString(buf, "  <hostname>%s</hostname>\n",
                               (const char *)g_ptr_array_index(h->names, j));
        vgmBufAdd(buf, "</host>\n");
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</dns>\n");
}

char *
vgmNetworkDefFormat(const VgmNetworkDef *def)
{
    return vgmNetworkDefFormatLive(def, 0);
}

char *
vgmNetworkDefFormatLive(const VgmNetworkDef *def, unsigned int connections)
{
    g_auto(VgmBuf) buf = { 0 };
    char uuid[37];
    guint i;

    vgmBufInit(&buf, 0);
    vgmDomainUUIDFormat(def->uuid, uuid);
    vgmBufAdd(&buf, "<network");
    if (def->dnsmasqOptions)
        vgmBufAdd(&buf, " xmlns:dnsmasq='" VGM_NETWORK_DNSMASQ_NS "'");
    if (connections > 0)
        vgmBufAsprintf(&buf, " connections='%u'", connections);
    /* (ipv6='no' is the default, which libvirt does not write) */
    if (def->ipv6 == VGM_TRISTATE_YES)
        vgmBufAdd(&buf, " ipv6='yes'");
    vgmBufAdd(&buf, ">\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeText(&buf, "<name>%s</name>\n", def->name);
    vgmBufAsprintf(&buf, "<uuid>%s</uuid>\n", uuid);
    if (def->metadata)
        vgmXMLFormatNode(&buf, def->metadata);
    if (def->forward != VGM_NETWORK_FORWARD_NONE) {
        /* (a <nat> of nothing but itself is left out, as libvirt does) */
        gboolean nat = def->natStart || def->natPortStart || def->natIPv6;
        gboolean kids = nat || def->forwardDev;

        vgmBufAdd(&buf, "<forward");
        vgmBufEscapeString(&buf, " dev='%s'", def->forwardDev);
        vgmBufAsprintf(&buf, " mode='%s'%s\n", vgmNetworkForwardTypeToString(def->forward),
                       kids ? ">" : "/>");
        if (nat) {
            char a[16], b[16];

            g_autofree char *ipv6 = def->natIPv6 ?
                g_strdup_printf(" ipv6='%s'", vgmTristateBoolTypeToString(def->natIPv6)) :
                g_strdup("");

            if (!def->natStart && !def->natPortStart) {
                vgmBufAsprintf(&buf, "  <nat%s/>\n", ipv6);
            } else {
                vgmBufAsprintf(&buf, "  <nat%s>\n", ipv6);
                if (def->natStart) {
                    vgmNetworkIPFormat(def->natStart, a);
                    vgmNetworkIPFormat(def->natEnd, b);
                    vgmBufAsprintf(&buf, "    <address start='%s' end='%s'/>\n", a, b);
                }
                if (def->natPortStart)
                    vgmBufAsprintf(&buf, "    <port start='%u' end='%u'/>\n",
                                   def->natPortStart, def->natPortEnd);
                vgmBufAdd(&buf, "  </nat>\n");
            }
        }
        vgmBufEscapeString(&buf, "  <interface dev='%s'/>\n", def->forwardDev);
        if (kids)
            vgmBufAdd(&buf, "</forward>\n");
    }
    if (def->bridge || def->bridgeZone || def->stp || def->haveDelay || def->macTableManager) {
        vgmBufAdd(&buf, "<bridge");
        vgmBufEscapeString(&buf, " name='%s'", def->bridge);
        vgmBufEscapeString(&buf, " zone='%s'", def->bridgeZone);
        if (def->stp)
            vgmBufAsprintf(&buf, " stp='%s'", vgmTristateSwitchTypeToString(def->stp));
        if (def->haveDelay)
            vgmBufAsprintf(&buf, " delay='%u'", def->delay);
        if (def->macTableManager)
            vgmBufAsprintf(&buf, " macTableManager='%s'",
                           vgmNetworkMacTableTypeToString(def->macTableManager));
        vgmBufAdd(&buf, "/>\n");
    }
    if (def->mtu)
        vgmBufAsprintf(&buf, "<mtu size='%u'/>\n", def->mtu);
    if (def->mac)
        vgmBufAsprintf(&buf, "<mac address='%s'/>\n", def->mac);
    if (def->domainName) {
        vgmBufEscapeString(&buf, "<domain name='%s'", def->domainName);
        if (def->localOnly)
            vgmBufAsprintf(&buf, " localOnly='%s'", vgmTristateBoolTypeToString(def->localOnly));
        vgmBufAdd(&buf, "/>\n");
    }
    vgmNetworkDnsFormat(&buf, def);
    vgmNetBandwidthFormat(&buf, &def->bandwidth);
    if (def->isolatedPort)
        vgmBufAsprintf(&buf, "<port isolated='%s'/>\n",
                       vgmTristateBoolTypeToString(def->isolatedPort));
    for (i = 0; i < def->ips->len; i++)
        vgmNetworkIPFormatXML(&buf, g_ptr_array_index(def->ips, i));
    for (i = 0; i < def->routes->len; i++)
        vgmNetworkRouteFormatXML(&buf, &g_array_index(def->routes, VgmNetworkRoute, i));
    for (i = 0; i < def->portgroups->len; i++) {
        const VgmNetworkPortgroup *pg = g_ptr_array_index(def->portgroups, i);
        g_auto(VgmBuf) attrs = { 0 };
        g_auto(VgmBuf) child = { 0 };

        vgmBufInit(&attrs, 0);
        vgmBufInitChild(&child, &buf);
        vgmBufEscapeString(&attrs, " name='%s'", pg->name);
        if (pg->isDefault)
            vgmBufAdd(&attrs, " default='yes'");
        vgmNetBandwidthFormat(&child, &pg->bandwidth);
        vgmXMLFormatElement(&buf, "portgroup", &attrs, &child);
    }
    if (def->dnsmasqOptions) {
        vgmBufAdd(&buf, "<dnsmasq:options>\n");
        for (i = 0; i < def->dnsmasqOptions->len; i++)
            vgmBufEscapeString(&buf, "  <dnsmasq:option value='%s'/>\n",
                               g_ptr_array_index(def->dnsmasqOptions, i));
        vgmBufAdd(&buf, "</dnsmasq:options>\n");
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</network>\n");
    return vgmBufSteal(&buf);
}
