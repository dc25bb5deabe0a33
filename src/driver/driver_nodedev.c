/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_nodedev.c: the node device calls (virsh nodedev-*), answered
 * from the host's devices as vgmnodedev reads them on each call.
 *
 * virt-gmem lists and describes the host's devices as libvirt's udev
 * driver does; it does not hand them to guests, so the calls that would
 * detach a device from its host driver, reset it, or create, define or
 * destroy a mediated device are refused by name.
 *
 * Node device events: once a client registers for them, a thread reads
 * the uevents of the host (udev's, after its rules ran, where udev runs;
 * else the kernel's). When the uevents of a change have settled (200 ms
 * without one, at most a second after the first), it looks at the host's
 * devices again: a device new since the last look is CREATED, one gone
 * DELETED, and one the uevents added or changed that was there before is
 * UPDATE, as libvirt's udev driver raises them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

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

/* A scan of the host now, or (@fresh FALSE) one of the last second */
static GPtrArray *
vgmDriverNodeDevScanAt(gboolean fresh, GError **error)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&vgmDriverNodeDevLock);
    gint64 now = g_get_monotonic_time();
    GPtrArray *devs;

    if (!fresh && vgmDriverNodeDevCache &&
        now - vgmDriverNodeDevCacheTime < VGM_DRIVER_NODEDEV_SCAN_TTL_US)
        return g_ptr_array_ref(vgmDriverNodeDevCache);
    if (!(devs = vgmNodeDevScan(&vgmDriverNodeDevHost, error)))
        return NULL;
    g_clear_pointer(&vgmDriverNodeDevCache, g_ptr_array_unref);
    vgmDriverNodeDevCache = g_ptr_array_ref(devs);
    vgmDriverNodeDevCacheTime = now;
    return devs;
}

static GPtrArray *
vgmDriverNodeDevScan(GError **error)
{
    return vgmDriverNodeDevScanAt(FALSE, error);
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
        [VGM_DRIVER_NODEDEV_REATTACH] = N_("node device '%1$s' is held by a passthrough driver (vfio-pci or pci-stub), and virt-gmem, which passes no host devices to guests, does not give it back to a host driver"),
        [VGM_DRIVER_NODEDEV_RESET] = N_("virt-gmem does not pass host devices to guests, so it does not reset node device '%1$s'"),
        [VGM_DRIVER_NODEDEV_DESTROY] = N_("node device '%1$s' is a device of the host, which virt-gmem does not destroy (it creates no mediated devices or virtual HBAs)"),
        [VGM_DRIVER_NODEDEV_UNDEFINE] = N_("node device '%1$s' has no definition to undefine: virt-gmem defines no mediated devices"),
        [VGM_DRIVER_NODEDEV_CREATE] = N_("node device '%1$s' is already active: virt-gmem starts no defined mediated devices"),
        [VGM_DRIVER_NODEDEV_AUTOSTART] = N_("node device '%1$s' has no autostart: virt-gmem defines no mediated devices"),
    };
    g_autoptr(GPtrArray) devs = vgmDriverNodeDevScan(error);
    const VgmNodeDev *dev;

    if (!devs || !(dev = vgmDriverNodeDevGet(devs, name, error)))
        return FALSE;
    /* a PCI device that no passthrough stub holds is its host driver's
     * already: giving it back is done, as libvirtd says */
    if (op == VGM_DRIVER_NODEDEV_REATTACH && dev->type == VGM_NODEDEV_CAP_PCI && dev->path) {
        g_autofree char *link = g_build_filename(dev->path, "driver", NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        g_autofree char *driver = target ? g_path_get_basename(target) : NULL;

        if (!driver || (!g_str_equal(driver, "vfio-pci") && !g_str_equal(driver, "pci-stub")))
            return TRUE;
    }
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

/* ---- node device events ---- */

/* the uevent multicast groups: the kernel's, and udev's */
#define VGM_NODEDEV_UEVENT_KERNEL 1
#define VGM_NODEDEV_UEVENT_UDEV 2
/* the uevents of one change settle within this long, and a stream of
 * them delays the look at most this long */
#define VGM_NODEDEV_SETTLE_US (200 * 1000)
#define VGM_NODEDEV_BATCH_US G_USEC_PER_SEC

struct _VgmDriverNodeDevMonitor {
    VgmDriver *drv;
    int sock;                   /* the uevent socket */
    int wake[2];                /* a byte on it: the thread ends */
    GThread *thread;
    GPtrArray *known;           /* the host's devices at the last look (the
                                 * thread's once it runs); NULL: none read
                                 * yet, the next look only takes them in */
};

/* ACTION and DEVPATH of uevent @buf (@len bytes): the kernel's
 * ("ACTION@DEVPATH", then KEY=VALUE strings) or udev's (a "libudev"
 * header whose 32-bit words at 16 and 20 are where its KEY=VALUE strings
 * start and how long they are) */
static gboolean
vgmDriverNodeDevUeventParse(const char *buf, gsize len, char **action, char **devpath)
{
    gsize off;

    if (len >= 24 && memcmp(buf, "libudev", 8) == 0) {
        guint32 at, size;

        memcpy(&at, buf + 16, sizeof(at));
        memcpy(&size, buf + 20, sizeof(size));
        if (at >= len || size > len - at)
            return FALSE;
        off = at;
        len = at + size;
    } else {
        const char *nul = memchr(buf, '\0', len);

        if (!nul || !memchr(buf, '@', nul - buf))
            return FALSE;
        off = nul - buf + 1;
    }
    while (off < len) {
        const char *kv = buf + off;
        const char *end = memchr(kv, '\0', len - off);
        gsize n = end ? (gsize)(end - kv) : len - off;

        if (n > 7 && strncmp(kv, "ACTION=", 7) == 0 && !*action)
            *action = g_strndup(kv + 7, n - 7);
        else if (n > 8 && strncmp(kv, "DEVPATH=", 8) == 0 && !*devpath)
            *devpath = g_strndup(kv + 8, n - 8);
        off += n + 1;
    }
    if (*action && *devpath)
        return TRUE;
    g_clear_pointer(action, g_free);
    g_clear_pointer(devpath, g_free);
    return FALSE;
}

static void
vgmDriverNodeDevEmit(VgmDriver *drv, const char *name, int eventID, int event)
{
    vgmDriverEmitObjectEvent(drv, VGM_EVENT_OBJECT_NODE_DEVICE, eventID, name, NULL, 0, event, 0);
}

/* The look after uevents: the events of what changed since @known, which
 * becomes the host's devices now; @changed: the sysfs paths uevents added
 * or changed */
static void
vgmDriverNodeDevLook(VgmDriverNodeDevMonitor *mon, GPtrArray **known, GHashTable *changed)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *now = vgmDriverNodeDevScanAt(TRUE, &err);
    guint i;

    if (!now) {
        g_warning(_("the host's devices cannot be read after a change: %1$s"), err->message);
        return;
    }
    /* (nothing to compare with: the devices of now are the baseline) */
    if (!*known) {
        *known = now;
        return;
    }
    for (i = 0; i < (*known)->len; i++) {
        const VgmNodeDev *dev = g_ptr_array_index(*known, i);

        if (!vgmNodeDevFind(now, dev->name))
            vgmDriverNodeDevEmit(mon->drv, dev->name, VGM_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                 VGM_NODE_DEVICE_EVENT_DELETED);
    }
    for (i = 0; i < now->len; i++) {
        const VgmNodeDev *dev = g_ptr_array_index(now, i);

        if (!vgmNodeDevFind(*known, dev->name))
            vgmDriverNodeDevEmit(mon->drv, dev->name, VGM_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                 VGM_NODE_DEVICE_EVENT_CREATED);
        else if (dev->path && g_hash_table_contains(changed, dev->path))
            vgmDriverNodeDevEmit(mon->drv, dev->name, VGM_NODE_DEVICE_EVENT_ID_UPDATE, 0);
    }
    g_ptr_array_unref(*known);
    *known = now;
}

static gpointer
vgmDriverNodeDevMonitorRun(gpointer data)
{
    VgmDriverNodeDevMonitor *mon = data;
    g_autoptr(GHashTable) changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *known = g_steal_pointer(&mon->known);
    gint64 first = 0, last = 0;
    gboolean pending = FALSE;

    for (;;) {
        struct pollfd fds[2] = { { mon->sock, POLLIN, 0 }, { mon->wake[0], POLLIN, 0 } };
        int timeout = -1;
        gint64 now;
        int n;

        if (pending) {
            gint64 due = MIN(last + VGM_NODEDEV_SETTLE_US, first + VGM_NODEDEV_BATCH_US);

            timeout = (int)MAX(0, (due - g_get_monotonic_time() + 999) / 1000);
        }
        n = poll(fds, G_N_ELEMENTS(fds), timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_warning(_("node device events end: the uevent socket cannot be waited on: %1$s"),
                      g_strerror(errno));
            break;
        }
        if (fds[1].revents)
            break;
        now = g_get_monotonic_time();
        if (pending && (now >= last + VGM_NODEDEV_SETTLE_US || now >= first + VGM_NODEDEV_BATCH_US)) {
            vgmDriverNodeDevLook(mon, &known, changed);
            g_hash_table_remove_all(changed);
            pending = FALSE;
        }
        if (fds[0].revents & (POLLIN | POLLERR)) {
            char buf[8192];
            g_autofree char *action = NULL;
            g_autofree char *devpath = NULL;
            ssize_t got = recv(mon->sock, buf, sizeof(buf), MSG_DONTWAIT);

            /* (uevents lost to a full buffer: a look finds what they said) */
            if (got < 0 && errno != ENOBUFS)
                continue;
            if (got >= 0 && (!vgmDriverNodeDevUeventParse(buf, got, &action, &devpath) ||
                             (!g_str_equal(action, "add") && !g_str_equal(action, "change") &&
                              !g_str_equal(action, "move") && !g_str_equal(action, "remove"))))
                continue;
            if (!pending)
                first = now;
            last = now;
            pending = TRUE;
            if (action && (g_str_equal(action, "add") || g_str_equal(action, "change")))
                g_hash_table_add(changed, g_strconcat("/sys", devpath, NULL));
        }
    }
    if (known)
        g_ptr_array_unref(known);
    return NULL;
}

VgmDriverNodeDevMonitor *
vgmDriverNodeDevMonitorNew(VgmDriver *drv, GError **error)
{
    VgmDriverNodeDevMonitor *mon = g_new0(VgmDriverNodeDevMonitor, 1);
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
    int size = 1024 * 1024;

    mon->drv = drv;
    mon->wake[0] = mon->wake[1] = -1;
    /* udev's uevents come once its rules have run and its database has
     * the device, as libvirt reads them */
    addr.nl_groups = g_file_test("/run/udev/control", G_FILE_TEST_EXISTS) ?
                     VGM_NODEDEV_UEVENT_UDEV : VGM_NODEDEV_UEVENT_KERNEL;
    if ((mon->sock = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT)) < 0 ||
        bind(mon->sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        vgmErrorSetSystem(error, errno, "%s", _("cannot listen to the host's uevents"));
        goto error;
    }
    /* (a burst of uevents, a disk's partitions, must fit; more than the
     * default needs the privilege the daemon has) */
    if (setsockopt(mon->sock, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        setsockopt(mon->sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    /* the devices before any uevent it reads: the first look compares
     * with them (a host that cannot be read now gives none to compare
     * with, and the first look only takes them in) */
    {
        g_autoptr(GError) err = NULL;

        if (!(mon->known = vgmDriverNodeDevScanAt(TRUE, &err)))
            g_warning(_("the host's devices cannot be read: %1$s"), err->message);
    }
    if (!g_unix_open_pipe(mon->wake, FD_CLOEXEC, error) ||
        !(mon->thread = g_thread_try_new("vgm-nodedev-events", vgmDriverNodeDevMonitorRun, mon,
                                         error)))
        goto error;
    return mon;

 error:
    vgmDriverNodeDevMonitorFree(mon);
    return NULL;
}

void
vgmDriverNodeDevMonitorFree(VgmDriverNodeDevMonitor *mon)
{
    if (!mon)
        return;
    if (mon->thread) {
        ssize_t n G_GNUC_UNUSED = write(mon->wake[1], "x", 1);

        g_thread_join(mon->thread);
    }
    if (mon->sock >= 0)
        close(mon->sock);
    if (mon->wake[0] >= 0)
        close(mon->wake[0]);
    if (mon->wake[1] >= 0)
        close(mon->wake[1]);
    if (mon->known)
        g_ptr_array_unref(mon->known);
    g_free(mon);
}
