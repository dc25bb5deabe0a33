/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_nodedev.c: the node device calls (virsh nodedev-*), answered
 * from the host's devices as vgmnodedev reads them on each call.
 *
 * virt-gmem lists and describes the host's devices as libvirt's udev
 * driver does; it does not hand them to guests, so the calls that would
 * detach a device from its host driver, reset it, or create, define or
 * destroy a mediated device are refused by name.
 */
#include "config.h"

#include <string.h>

#include "driver_conn.h"
#include "host/vgmnodedev.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

/* virConnectListAllNodeDevices' flags besides the capability bits */
#define VGM_NODEDEV_LIST_INACTIVE (1u << 30)
#define VGM_NODEDEV_LIST_ACTIVE (1u << 31)
#define VGM_NODEDEV_LIST_CAPS ((1u << VGM_NODEDEV_CAP_LAST) - 1)

/* the real host's sysfs, udev database and pci.ids */
static const VgmNodeDevHost vgmDriverNodeDevHost = { 0 };

/* A scan of the host serves the calls of the next second: a client's pass
 * over the devices (Nova's list and then each one's XML, virsh's tree and
 * each one's parent) reads sysfs once, not once a device. A device's XML
 * is read afresh each time. */
#define VGM_DRIVER_NODEDEV_SCAN_TTL_US G_USEC_PER_SEC

static GMutex vgmDriverNodeDevLock;
static GPtrArray *vgmDriverNodeDevCache;
static gint64 vgmDriverNodeDevCacheTime;

static GPtrArray *
vgmDriverNodeDevScan(GError **error)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&vgmDriverNodeDevLock);
    gint64 now = g_get_monotonic_time();
    GPtrArray *devs;

    if (vgmDriverNodeDevCache && now - vgmDriverNodeDevCacheTime < VGM_DRIVER_NODEDEV_SCAN_TTL_US)
        return g_ptr_array_ref(vgmDriverNodeDevCache);
    if (!(devs = vgmNodeDevScan(&vgmDriverNodeDevHost, error)))
        return NULL;
    g_clear_pointer(&vgmDriverNodeDevCache, g_ptr_array_unref);
    vgmDriverNodeDevCache = g_ptr_array_ref(devs);
    vgmDriverNodeDevCacheTime = now;
    return devs;
}

/* @name's device in @devs, or NULL with libvirt's error */
static const VgmNodeDev *
vgmDriverNodeDevGet(GPtrArray *devs, const char *name, GError **error)
{
    const VgmNodeDev *dev = vgmNodeDevFind(devs, name);

    if (!dev)
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE,
                    _("no node device with matching name '%1$s'"), name);
    return dev;
}

static GPtrArray *
vgmDriverNodeDevNames(GPtrArray *devs, guint64 caps)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    guint i;

    for (i = 0; i < devs->len; i++) {
        const VgmNodeDev *dev = g_ptr_array_index(devs, i);

        if (!caps || (dev->caps & caps))
            g_ptr_array_add(names, g_strdup(dev->name));
    }
    return names;
}

GPtrArray *
vgmDriverNodeDeviceListAll(VgmDriver *drv G_GNUC_UNUSED, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_NODEDEV_LIST_CAPS | VGM_NODEDEV_LIST_ACTIVE |
                             VGM_NODEDEV_LIST_INACTIVE, error))
        return NULL;
    if (!(devs = vgmDriverNodeDevScan(error)))
        return NULL;
    /* every device the host has is active; none is only defined */
    if ((flags & VGM_NODEDEV_LIST_INACTIVE) && !(flags & VGM_NODEDEV_LIST_ACTIVE))
        return g_ptr_array_new_with_free_func(g_free);
    return vgmDriverNodeDevNames(devs, flags & VGM_NODEDEV_LIST_CAPS);
}

GPtrArray *
vgmDriverNodeDeviceListByCap(VgmDriver *drv G_GNUC_UNUSED, const char *cap, unsigned int flags,
                             GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    int type = -1;

    if (!vgmDriverCheckFlags(flags, 0, error) || !(devs = vgmDriverNodeDevScan(error)))
        return NULL;
    /* a capability libvirt does not know matches no device, as in libvirt */
    if (cap && (type = vgmNodeDevCapTypeFromString(cap)) < 0)
        return g_ptr_array_new_with_free_func(g_free);
    return vgmDriverNodeDevNames(devs, type < 0 ? 0 : G_GUINT64_CONSTANT(1) << type);
}

gboolean
vgmDriverNodeDeviceLookup(VgmDriver *drv G_GNUC_UNUSED, const char *name, GError **error)
{
    g_autoptr(GPtrArray) devs = vgmDriverNodeDevScan(error);

    return devs && vgmDriverNodeDevGet(devs, name, error);
}

char *
vgmDriverNodeDeviceGetXML(VgmDriver *drv G_GNUC_UNUSED, const char *name, unsigned int flags,
                          GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    const VgmNodeDev *dev;

    if (!vgmDriverCheckFlags(flags, 0, error) || !(devs = vgmDriverNodeDevScan(error)) ||
        !(dev = vgmDriverNodeDevGet(devs, name, error)))
        return NULL;
    return vgmNodeDevFormat(&vgmDriverNodeDevHost, dev, error);
}

gboolean
vgmDriverNodeDeviceGetParent(VgmDriver *drv G_GNUC_UNUSED, const char *name, char **parent,
                             GError **error)
{
    g_autoptr(GPtrArray) devs = vgmDriverNodeDevScan(error);
    const VgmNodeDev *dev;

    *parent = NULL;
    if (!devs || !(dev = vgmDriverNodeDevGet(devs, name, error)))
        return FALSE;
    *parent = g_strdup(dev->parent);
    return TRUE;
}

gboolean
vgmDriverNodeDeviceIsPersistent(VgmDriver *drv G_GNUC_UNUSED, const char *name,
                                gboolean *persistent, GError **error)
{
    g_autoptr(GPtrArray) devs = vgmDriverNodeDevScan(error);
    const VgmNodeDev *dev;

    *persistent = FALSE;
    if (!devs || !(dev = vgmDriverNodeDevGet(devs, name, error)))
        return FALSE;
    *persistent = dev->type == VGM_NODEDEV_CAP_SYSTEM;
    return TRUE;
}

GPtrArray *
vgmDriverNodeDeviceListCaps(VgmDriver *drv G_GNUC_UNUSED, const char *name, GError **error)
{
    g_autoptr(GPtrArray) devs = vgmDriverNodeDevScan(error);
    const VgmNodeDev *dev;

    if (!devs || !(dev = vgmDriverNodeDevGet(devs, name, error)))
        return NULL;
    return vgmNodeDevCapNames(dev);
}

char *
vgmDriverNodeDeviceLookupSCSIHostByWWN(VgmDriver *drv G_GNUC_UNUSED, const char *wwnn,
                                       const char *wwpn, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    const VgmNodeDev *dev;

    if (!vgmDriverCheckFlags(flags, 0, error) || !(devs = vgmDriverNodeDevScan(error)))
        return NULL;
    if (!(dev = vgmNodeDevFindSCSIHostByWWN(&vgmDriverNodeDevHost, devs, wwnn, wwpn))) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE,
                    _("no node device with matching wwnn '%1$s' and wwpn '%2$s'"), wwnn, wwpn);
        return NULL;
    }
    return g_strdup(dev->name);
}

gboolean
vgmDriverNodeDeviceRefuse(VgmDriver *drv G_GNUC_UNUSED, const char *name, VgmDriverNodeDevOp op,
                          GError **error)
{
    static const char *const why[] = {
        [VGM_DRIVER_NODEDEV_DETACH] = N_("virt-gmem does not pass host devices to guests, so it does not detach node device '%1$s' from its host driver"),
        [VGM_DRIVER_NODEDEV_REATTACH] = N_("virt-gmem does not pass host devices to guests, so it does not give node device '%1$s' back to a host driver"),
        [VGM_DRIVER_NODEDEV_RESET] = N_("virt-gmem does not pass host devices to guests, so it does not reset node device '%1$s'"),
        [VGM_DRIVER_NODEDEV_DESTROY] = N_("node device '%1$s' is a device of the host, which virt-gmem does not destroy (it creates no mediated devices or virtual HBAs)"),
        [VGM_DRIVER_NODEDEV_UNDEFINE] = N_("node device '%1$s' has no definition to undefine: virt-gmem defines no mediated devices"),
        [VGM_DRIVER_NODEDEV_CREATE] = N_("node device '%1$s' is already active: virt-gmem starts no defined mediated devices"),
        [VGM_DRIVER_NODEDEV_AUTOSTART] = N_("node device '%1$s' has no autostart: virt-gmem defines no mediated devices"),
    };
    g_autoptr(GPtrArray) devs = vgmDriverNodeDevScan(error);

    if (!devs || !vgmDriverNodeDevGet(devs, name, error))
        return FALSE;
    g_assert((size_t)op < G_N_ELEMENTS(why));
    vgmErrorSet(error, VGM_ERR_NO_SUPPORT, _(why[op]), name);
    return FALSE;
}

gboolean
vgmDriverNodeDeviceRefuseXML(VgmDriver *drv G_GNUC_UNUSED, const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = vgmXMLParseString(xml, "nodedev.xml", error);

    if (!doc)
        return FALSE;
    vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                _("virt-gmem does not create node devices (mediated devices, virtual HBAs): it lists and describes the host's own"));
    return FALSE;
}
