/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_hostiface.c: the interface calls (virsh iface-list, iface-dumpxml,
 * iface-mac, iface-name), answered from the host's network interfaces as
 * vgmhostiface reads them on each call, as libvirt's udev backend does.
 * That backend is read-only, and so is this: the calls that define,
 * start, stop or change interfaces are not served (clients get libvirt's
 * "not supported").
 */
#include "config.h"

#include <string.h>

#include "driver_conn.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* virConnectListAllInterfacesFlags */
#define VGM_IFACE_LIST_INACTIVE (1u << 0)
#define VGM_IFACE_LIST_ACTIVE (1u << 1)

/* virInterfaceXMLFlags */
#define VGM_IFACE_XML_INACTIVE (1u << 0)

static gboolean
vgmDriverIfaceIsUp(const VgmHostIface *iface)
{
    return g_str_equal(iface->operstate, "up");
}

GPtrArray *
vgmDriverInterfaceListAll(VgmDriver *drv G_GNUC_UNUSED, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    GPtrArray *shown;
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_IFACE_LIST_ACTIVE | VGM_IFACE_LIST_INACTIVE, error) ||
        !(all = vgmHostIfaceList(NULL, error)))
        return NULL;
    shown = g_ptr_array_new_with_free_func((GDestroyNotify)vgmHostIfaceFree);
    for (i = 0; i < all->len; i++) {
        gboolean up = vgmDriverIfaceIsUp(g_ptr_array_index(all, i));

        /* no filter, or one that takes the interface's state */
        if ((flags & (VGM_IFACE_LIST_ACTIVE | VGM_IFACE_LIST_INACTIVE)) &&
            !((flags & VGM_IFACE_LIST_ACTIVE) && up) &&
            !((flags & VGM_IFACE_LIST_INACTIVE) && !up))
            continue;
        g_ptr_array_add(shown, g_steal_pointer(&g_ptr_array_index(all, i)));
    }
    return shown;
}

GPtrArray *
vgmDriverInterfaceListByState(VgmDriver *drv G_GNUC_UNUSED, gboolean defined, GError **error)
{
    g_autoptr(GPtrArray) all = vgmHostIfaceList(NULL, error);
    GPtrArray *names;
    guint i;

    if (!all)
        return NULL;
    names = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < all->len; i++) {
        const VgmHostIface *iface = g_ptr_array_index(all, i);

        /* as libvirt's udev backend: "up" ones, or "down" ones (an
         * interface in another state, as the loopback's "unknown", is
         * neither) */
        if (g_str_equal(iface->operstate, defined ? "down" : "up"))
            g_ptr_array_add(names, g_strdup(iface->name));
    }
    return names;
}

VgmHostIface *
vgmDriverInterfaceLookupByName(VgmDriver *drv G_GNUC_UNUSED, const char *name, GError **error)
{
    /* any of the host's interfaces, a bridge's port or a tap too, as
     * libvirt's backend finds a net device by its name */
    return vgmHostIfaceGet(NULL, name, error);
}

VgmHostIface *
vgmDriverInterfaceLookupByMAC(VgmDriver *drv G_GNUC_UNUSED, const char *mac, GError **error)
{
    g_autoptr(GPtrArray) all = vgmHostIfaceList(NULL, error);
    guint found = G_MAXUINT;
    guint i;

    if (!all)
        return NULL;
    for (i = 0; i < all->len; i++) {
        const VgmHostIface *iface = g_ptr_array_index(all, i);

        if (!iface->mac || g_ascii_strcasecmp(iface->mac, mac) != 0)
            continue;
        if (found != G_MAXUINT) {
            vgmErrorSet(error, VGM_ERR_MULTIPLE_INTERFACES,
                        _("the MAC address '%1$s' matches multiple interfaces"), mac);
            return NULL;
        }
        found = i;
    }
    if (found == G_MAXUINT) {
        vgmErrorSet(error, VGM_ERR_NO_INTERFACE,
                    _("couldn't find interface with MAC address '%1$s'"), mac);
        return NULL;
    }
    return g_steal_pointer(&g_ptr_array_index(all, found));
}

char *
vgmDriverInterfaceGetXML(VgmDriver *drv G_GNUC_UNUSED, const char *name, unsigned int flags,
                         GError **error)
{
    /* the definition is what runs: --inactive shows the same */
    if (!vgmDriverCheckFlags(flags, VGM_IFACE_XML_INACTIVE, error))
        return NULL;
    return vgmHostIfaceFormat(NULL, NULL, name, error);
}

gboolean
vgmDriverInterfaceIsActive(VgmDriver *drv G_GNUC_UNUSED, const char *name, gboolean *active,
                           GError **error)
{
    g_autoptr(VgmHostIface) iface = vgmHostIfaceGet(NULL, name, error);

    *active = iface && vgmDriverIfaceIsUp(iface);
    return iface != NULL;
}
