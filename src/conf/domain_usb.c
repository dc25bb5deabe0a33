/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_usb.c: a domain's USB port trees, as libvirt 9.0 hands the ports
 * out: each USB controller's root ports, and behind a port that holds a
 * USB hub the hub's 8 ports (a port path has at most four numbers, as in
 * libvirt). Post-parse adds the hubs a domain needs and gives every USB
 * device without a port the first free one (depth first, controller by
 * controller); validation checks that every port a device names is there
 * and taken once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* The ports of a USB hub or controller: taken or not, and the hubs
 * plugged into them */
typedef struct _VgmUsbHubPorts VgmUsbHubPorts;
struct _VgmUsbHubPorts {
    unsigned int nports;
    gboolean *taken;
    VgmUsbHubPorts **hubs;
};

struct _VgmUsbPortSet {
    GPtrArray *buses;   /* by controller index: VgmUsbHubPorts, NULL where none */
};

static VgmUsbHubPorts *
vgmUsbHubPortsNew(unsigned int nports)
{
    VgmUsbHubPorts *h = g_new0(VgmUsbHubPorts, 1);

    h->nports = nports;
    h->taken = g_new0(gboolean, nports);
    h->hubs = g_new0(VgmUsbHubPorts *, nports);
    return h;
}

static void
vgmUsbHubPortsFree(VgmUsbHubPorts *h)
{
    unsigned int i;

    if (!h)
        return;
    for (i = 0; i < h->nports; i++)
        vgmUsbHubPortsFree(h->hubs[i]);
    g_free(h->hubs);
    g_free(h->taken);
    g_free(h);
}

void
vgmUsbPortSetFree(VgmUsbPortSet *set)
{
    if (!set)
        return;
    g_ptr_array_unref(set->buses);
    g_free(set);
}

VgmUsbPortSet *
vgmUsbPortSetNew(const VgmDomainDef *def)
{
    VgmUsbPortSet *set = g_new0(VgmUsbPortSet, 1);
    guint i;

    set->buses = g_ptr_array_new_with_free_func((GDestroyNotify)vgmUsbHubPortsFree);
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        const VgmControllerDef *bus;
        unsigned int nports;

        if (!g_str_equal(c->type, "usb") || c->index >= VGM_DOMAIN_MAX_DEVICES)
            continue;
        if (c->index < set->buses->len && g_ptr_array_index(set->buses, c->index))
            continue;
        /* a set of companions counts as its master's ports */
        bus = vgmDomainDefFindUsbController(def, c->index);
        if (!(nports = vgmDomainUsbControllerPorts(bus)))
            continue;
        if (set->buses->len <= c->index)
            g_ptr_array_set_size(set->buses, c->index + 1);
        g_ptr_array_index(set->buses, c->index) = vgmUsbHubPortsNew(nports);
    }
    return set;
}

unsigned int
vgmUsbPortSetCountPorts(const VgmUsbPortSet *set)
{
    unsigned int n = 0;
    guint i;

    for (i = 0; i < set->buses->len; i++) {
        const VgmUsbHubPorts *h = g_ptr_array_index(set->buses, i);

        if (h)
            n += h->nports;
    }
    return n;
}

gboolean
vgmUsbPortSetHasBus(const VgmUsbPortSet *set, unsigned int bus)
{
    return bus < set->buses->len && g_ptr_array_index(set->buses, bus);
}

/* The hub (or root) port @addr names, as its index in *@idx, or NULL
 * with the reason; @what names the device */
static VgmUsbHubPorts *
vgmUsbPortSetFind(const VgmUsbPortSet *set, const char *what, const VgmDeviceAddress *addr,
                  unsigned int *idx, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(addr->port, ".", -1);
    VgmUsbHubPorts *h;
    guint i, n = g_strv_length(parts);

    if (!vgmUsbPortSetHasBus(set, addr->bus)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("%1$s needs a USB controller, and the domain has no <controller type='usb' index='%2$u'> with a model other than 'none'"),
                    what, addr->bus);
        return NULL;
    }
    h = g_ptr_array_index(set->buses, addr->bus);
    for (i = 0; i < n; i++) {
        unsigned int p = (unsigned int)atoi(parts[i]);

        if (p < 1 || p > h->nports) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        i == 0 ?
                        _("%1$s is on port '%2$s' of USB controller %3$u, which has root ports 1 to %4$u") :
                        _("%1$s is on port '%2$s' of USB controller %3$u, whose hub there has ports 1 to %4$u"),
                        what, addr->port, addr->bus, h->nports);
            return NULL;
        }
        if (i == n - 1)
            break;
        if (!h->hubs[p - 1]) {
            /* the port path up to this level */
            size_t len = 0;
            guint k;
            g_autofree char *hub = NULL;

            for (k = 0; k <= i; k++)
                len += strlen(parts[k]) + (k ? 1 : 0);
            hub = g_strndup(addr->port, len);

            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s is on port '%2$s' of USB controller %3$u, but no <hub> is on port '%4$s'"),
                        what, addr->port, addr->bus, hub);
            return NULL;
        }
        h = h->hubs[p - 1];
    }
    *idx = (unsigned int)atoi(parts[n - 1]) - 1;
    return h;
}

/* @addr taken by the device @what names, or why it cannot be */
static VgmUsbHubPorts *
vgmUsbPortSetTake(VgmUsbPortSet *set, const char *what, const VgmDeviceAddress *addr,
                  unsigned int *idx, GError **error)
{
    VgmUsbHubPorts *h = vgmUsbPortSetFind(set, what, addr, idx, error);

    if (!h)
        return NULL;
    if (h->taken[*idx]) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("two USB devices are on port '%1$s' of USB controller %2$u"),
                    addr->port, addr->bus);
        return NULL;
    }
    h->taken[*idx] = TRUE;
    return h;
}

gboolean
vgmUsbPortSetReserve(VgmUsbPortSet *set, const char *what, const VgmDeviceAddress *addr,
                     GError **error)
{
    unsigned int idx;

    return vgmUsbPortSetTake(set, what, addr, &idx, error) != NULL;
}

gboolean
vgmUsbPortSetAddHub(VgmUsbPortSet *set, const char *what, const VgmDeviceAddress *addr,
                    GError **error)
{
    VgmUsbHubPorts *h;
    unsigned int idx;

    if (!(h = vgmUsbPortSetTake(set, what, addr, &idx, error)))
        return FALSE;
    h->hubs[idx] = vgmUsbHubPortsNew(VGM_USB_HUB_PORTS);
    return TRUE;
}

/* The first free port of @h or, when it has none, of the hubs on it in
 * port order, depth first, into @path from @level on */
static gboolean
vgmUsbHubPortsFindFree(const VgmUsbHubPorts *h, unsigned int *path, unsigned int level)
{
    unsigned int i;

    for (i = 0; i < h->nports; i++) {
        if (!h->taken[i]) {
            path[level] = i + 1;
            return TRUE;
        }
    }
    if (level + 1 >= VGM_USB_MAX_DEPTH)
        return FALSE;
    for (i = 0; i < h->nports; i++) {
        if (h->hubs[i] && vgmUsbHubPortsFindFree(h->hubs[i], path, level + 1)) {
            path[level] = i + 1;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
vgmUsbPortSetAssign(VgmUsbPortSet *set, VgmDeviceAddress *addr, gboolean hub)
{
    unsigned int path[VGM_USB_MAX_DEPTH];
    guint bus, first = 0, last = set->buses->len;

    /* a device that names its controller gets a port there, another one
     * the first free one of all */
    if (addr->type == VGM_ADDRESS_USB) {
        first = addr->bus;
        last = MIN(addr->bus + 1, set->buses->len);
    }
    for (bus = first; bus < last; bus++) {
        const VgmUsbHubPorts *h = g_ptr_array_index(set->buses, bus);
        GString *port;
        unsigned int level;

        memset(path, 0, sizeof(path));
        if (!h || !vgmUsbHubPortsFindFree(h, path, 0))
            continue;
        port = g_string_new(NULL);
        for (level = 0; level < VGM_USB_MAX_DEPTH && path[level]; level++)
            g_string_append_printf(port, "%s%u", level ? "." : "", path[level]);
        addr->type = VGM_ADDRESS_USB;
        addr->bus = bus;
        g_strlcpy(addr->port, port->str, sizeof(addr->port));
        g_string_free(port, TRUE);
        return hub ? vgmUsbPortSetAddHub(set, "", addr, NULL) :
                     vgmUsbPortSetReserve(set, "", addr, NULL);
    }
    return FALSE;
}
