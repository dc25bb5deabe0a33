/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmnodedev.c: the host's devices, read from sysfs and udev's database,
 * as libvirt's node device XML.
 */
#include "config.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgmnodedev.h"
#include "vgmhost.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"
#include "util/vgmxml.h"

#define VGM_NODEDEV_ATTR_MAX (64 * 1024)
#define VGM_NODEDEV_IDS_MAX (64 * 1024 * 1024)
/* PCI capability lists are walked at most this far (a loop is bad data) */
#define VGM_NODEDEV_PCI_CAP_WALK 48

VGM_ENUM_IMPL(vgmNodeDevCap, VGM_NODEDEV_CAP_LAST,
              "system", "pci", "usb_device", "usb", "net", "scsi_host",
              "scsi_target", "scsi", "storage", "fc_host", "vports",
              "scsi_generic", "drm", "mdev_types", "mdev", "ccw", "css", "vdpa",
              "ap_card", "ap_queue", "ap_matrix", "vpd");

#define VGM_NODEDEV_BIT(cap) (G_GUINT64_CONSTANT(1) << (cap))

void
vgmNodeDevFree(VgmNodeDev *dev)
{
    if (!dev)
        return;
    g_free(dev->name);
    g_free(dev->path);
    g_free(dev->parent);
    g_free(dev);
}

/* ---- reading one device ---- */

static const char *
vgmNodeDevSysfs(const VgmNodeDevHost *host)
{
    return host->sysfs ? host->sysfs : "/sys";
}

char *
vgmHostSysfsAttr(const char *dir, const char *attr)
{
    g_autofree char *path = g_build_filename(dir, attr, NULL);
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, VGM_NODEDEV_ATTR_MAX, &text, NULL, NULL))
        return NULL;
    g_strstrip(text);
    if (!*text)
        return NULL;
    return vgmXMLTextFromRaw(text);
}

static gboolean
vgmNodeDevAttrULL(const char *dir, const char *attr, int base, unsigned long long *value)
{
    g_autofree char *text = vgmHostSysfsAttr(dir, attr);

    return text && vgmStrToULLBase(text, base, value);
}

gboolean
vgmHostSysfsAttrExists(const char *dir, const char *attr)
{
    g_autofree char *path = g_build_filename(dir, attr, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

static gboolean
vgmNodeDevAttrInt(const char *dir, const char *attr, int *value)
{
    g_autofree char *text = vgmHostSysfsAttr(dir, attr);

    return text && vgmStrToInt(text, value);
}

/* The last component of the target of link @attr in @dir, or NULL. */
static char *
vgmNodeDevLinkBase(const char *dir, const char *attr)
{
    g_autofree char *path = g_build_filename(dir, attr, NULL);
    g_autofree char *target = g_file_read_link(path, NULL);

    return target ? g_path_get_basename(target) : NULL;
}

static gint
vgmNodeDevCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What is known of one device: its kernel uevent variables, with udev's
 * properties over them when udev has a record of it. */
typedef struct {
    GHashTable *props;   /* KEY -> value */
    GPtrArray *links;    /* udev's device links, as /dev paths, sorted */
    gboolean udev;       /* udev has a record of the device */
} VgmNodeDevProps;

static void
vgmNodeDevPropsClear(VgmNodeDevProps *p)
{
    g_clear_pointer(&p->props, g_hash_table_unref);
    g_clear_pointer(&p->links, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmNodeDevProps, vgmNodeDevPropsClear)

static void
vgmNodeDevPropsAddLine(VgmNodeDevProps *p, const char *line)
{
    const char *eq = strchr(line, '=');

    if (eq && eq > line)
        g_hash_table_replace(p->props, g_strndup(line, eq - line), vgmXMLTextFromRaw(eq + 1));
}

/* udev's record of the device in @dir of @subsystem (its database names
 * block and character devices by number, network interfaces by index and
 * the rest by subsystem and name) */
static char *
vgmNodeDevUdevId(const char *dir, const char *subsystem, VgmNodeDevProps *p)
{
    const char *major = g_hash_table_lookup(p->props, "MAJOR");
    const char *minor = g_hash_table_lookup(p->props, "MINOR");
    const char *ifindex = g_hash_table_lookup(p->props, "IFINDEX");
    g_autofree char *sysname = g_path_get_basename(dir);

    if (major && minor)
        return g_strdup_printf("%c%s:%s", g_str_equal(subsystem, "block") ? 'b' : 'c',
                               major, minor);
    if (ifindex)
        return g_strdup_printf("n%s", ifindex);
    return g_strdup_printf("+%s:%s", subsystem, sysname);
}

static void
vgmNodeDevPropsLoad(const VgmNodeDevHost *host, const char *dir, const char *subsystem,
                    VgmNodeDevProps *p)
{
    g_autofree char *uevent = g_build_filename(dir, "uevent", NULL);
    g_autofree char *text = NULL;
    g_autofree char *id = NULL;
    g_autofree char *dbPath = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    p->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->links = g_ptr_array_new_with_free_func(g_free);
    if (vgmFileReadAll(uevent, VGM_NODEDEV_ATTR_MAX, &text, NULL, NULL)) {
        lines = g_strsplit(text, "\n", -1);
        for (i = 0; lines[i]; i++)
            vgmNodeDevPropsAddLine(p, lines[i]);
    }
    g_clear_pointer(&text, g_free);
    g_clear_pointer(&lines, g_strfreev);

    id = vgmNodeDevUdevId(dir, subsystem, p);
    dbPath = g_build_filename(host->udevDb ? host->udevDb : "/run/udev/data", id, NULL);
    if (!vgmFileReadAll(dbPath, VGM_NODEDEV_ATTR_MAX, &text, NULL, NULL))
        return;
    p->udev = TRUE;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "E:"))
            vgmNodeDevPropsAddLine(p, lines[i] + 2);
        else if (g_str_has_prefix(lines[i], "S:") && lines[i][2])
            g_ptr_array_add(p->links, g_build_filename("/dev", lines[i] + 2, NULL));
    }
    /* as libudev gives them: sorted, each once */
    g_ptr_array_sort(p->links, vgmNodeDevCompareNames);
    for (i = 1; i < p->links->len; i++) {
        if (g_str_equal(g_ptr_array_index(p->links, i), g_ptr_array_index(p->links, i - 1)))
            g_ptr_array_remove_index(p->links, i--);
    }
}

static const char *
vgmNodeDevProp(VgmNodeDevProps *p, const char *key)
{
    const char *v = g_hash_table_lookup(p->props, key);

    return v && *v ? v : NULL;
}

/* libvirt's device name: SUBSYSTEM_SYSNAME[_SUFFIX] with every byte that
 * is not a letter or a digit made '_' */
static char *
vgmNodeDevMakeName(const char *subsystem, const char *sysname, const char *suffix)
{
    char *name = suffix ? g_strdup_printf("%s_%s_%s", subsystem, sysname, suffix)
                        : g_strdup_printf("%s_%s", subsystem, sysname);
    char *p;

    for (p = name; *p; p++) {
        if (!g_ascii_isalnum(*p))
            *p = '_';
    }
    return name;
}

/* ---- the kinds of device: how each is found and named ---- */

typedef struct {
    const char *dir;        /* under the sysfs root */
    const char *subsystem;  /* the first word of the name */
    const char *devtype;    /* DEVTYPE the device must have, or NULL */
    VgmNodeDevCap type;
} VgmNodeDevSource;

static const VgmNodeDevSource vgmNodeDevSources[] = {
    { "bus/pci/devices", "pci", NULL, VGM_NODEDEV_CAP_PCI },
    { "bus/usb/devices", "usb", "usb_device", VGM_NODEDEV_CAP_USB_DEV },
    { "bus/usb/devices", "usb", "usb_interface", VGM_NODEDEV_CAP_USB_INTERFACE },
    { "class/net", "net", NULL, VGM_NODEDEV_CAP_NET },
    { "bus/scsi/devices", "scsi", "scsi_host", VGM_NODEDEV_CAP_SCSI_HOST },
    { "bus/scsi/devices", "scsi", "scsi_target", VGM_NODEDEV_CAP_SCSI_TARGET },
    { "bus/scsi/devices", "scsi", "scsi_device", VGM_NODEDEV_CAP_SCSI },
    { "class/block", "block", "disk", VGM_NODEDEV_CAP_STORAGE },
    { "class/scsi_generic", "scsi_generic", NULL, VGM_NODEDEV_CAP_SCSI_GENERIC },
    { "class/drm", "drm", "drm_minor", VGM_NODEDEV_CAP_DRM },
};

/* The kind of disk @dir is (libvirt's <drive_type>), or NULL for one
 * libvirt does not list: udev's ID_TYPE where udev runs, else what sysfs
 * tells: the SCSI peripheral type, or the driver by the name. */
static char *
vgmNodeDevDriveType(const char *dir, VgmNodeDevProps *p)
{
    static const struct {
        const char *prefix;
        const char *type;
    } byName[] = {
        { "vd", "disk" }, { "xvd", "disk" }, { "nvme", "disk" }, { "dasd", "dasd" },
        { "mmcblk", "sd" }, { "fd", "floppy" }, { "sr", "cd" },
    };
    /* the kinds libvirt lists */
    static const char *const listed[] = { "cd", "cd/dvd", "disk", "floppy", "sd", "dasd" };
    const char *idType = vgmNodeDevProp(p, "ID_TYPE");
    g_autofree char *sysname = g_path_get_basename(dir);
    unsigned long long scsiType;
    size_t i;

    if (idType && !g_str_equal(idType, "generic")) {
        for (i = 0; i < G_N_ELEMENTS(listed); i++) {
            if (g_str_equal(idType, listed[i]))
                return g_strdup(idType);
        }
        return NULL;
    }
    if (vgmNodeDevProp(p, "ID_DRIVE_FLOPPY"))
        return g_strdup("floppy");
    if (vgmNodeDevProp(p, "ID_CDROM"))
        return g_strdup("cd");
    if (vgmNodeDevProp(p, "ID_DRIVE_FLASH_SD"))
        return g_strdup("sd");
    /* what sysfs tells, where udev has no record (else libvirt's guess by
     * the name alone) */
    if (!p->udev && vgmNodeDevAttrULL(dir, "device/type", 0, &scsiType)) {
        /* SCSI peripheral types: direct access, optical memory, RBC; CD/DVD */
        if (scsiType == 0 || scsiType == 7 || scsiType == 14)
            return g_strdup("disk");
        if (scsiType == 5)
            return g_strdup("cd");
        return NULL;
    }
    for (i = 0; i < G_N_ELEMENTS(byName); i++) {
        if (g_str_has_prefix(sysname, byName[i].prefix))
            return g_strdup(byName[i].type);
    }
    return NULL;
}

/* A disk's serial: udev's ID_SERIAL, else the one its driver shows */
static char *
vgmNodeDevDiskSerial(const char *dir, VgmNodeDevProps *p)
{
    const char *serial = vgmNodeDevProp(p, "ID_SERIAL");

    if (serial || p->udev)
        return g_strdup(serial);
    return vgmHostSysfsAttr(dir, "device/serial");
}

/* Names the device in @dir found through @src; NULL to leave it out. */
static char *
vgmNodeDevNameOf(const VgmNodeDevSource *src, const char *dir, VgmNodeDevProps *p)
{
    g_autofree char *sysname = g_path_get_basename(dir);
    const char *devtype = vgmNodeDevProp(p, "DEVTYPE");

    if (src->devtype && g_strcmp0(devtype, src->devtype) != 0)
        return NULL;
    switch (src->type) {
    case VGM_NODEDEV_CAP_NET: {
        g_autofree char *mac = NULL;

        /* wired (no DEVTYPE) and wireless interfaces: libvirt lists no
         * bridge, bond, VLAN or other virtual kind */
        if (devtype && !g_str_equal(devtype, "wlan"))
            return NULL;
        mac = vgmHostSysfsAttr(dir, "address");
        return vgmNodeDevMakeName(src->subsystem, sysname, mac);
    }
    case VGM_NODEDEV_CAP_STORAGE: {
        g_autofree char *type = vgmNodeDevDriveType(dir, p);
        g_autofree char *serial = NULL;

        if (!type || !vgmNodeDevProp(p, "DEVNAME"))
            return NULL;
        serial = vgmNodeDevDiskSerial(dir, p);
        return vgmNodeDevMakeName(src->subsystem, sysname, serial);
    }
    case VGM_NODEDEV_CAP_SCSI_GENERIC:
        if (!vgmNodeDevProp(p, "DEVNAME"))
            return NULL;
        return vgmNodeDevMakeName(src->subsystem, sysname, NULL);
    case VGM_NODEDEV_CAP_DRM: {
        int minor;
        const char *m = vgmNodeDevProp(p, "MINOR");

        /* primary, control and render minors only */
        if (!m || !vgmStrToInt(m, &minor) || minor < 0 || (minor >> 6) > 2)
            return NULL;
        return vgmNodeDevMakeName(src->subsystem, sysname, NULL);
    }
    default:
        return vgmNodeDevMakeName(src->subsystem, sysname, NULL);
    }
}

/* The nested capabilities of a device of @type in @dir */
static guint64
vgmNodeDevNestedCaps(const VgmNodeDevHost *host, VgmNodeDevCap type, const char *dir)
{
    guint64 caps = 0;

    if (type == VGM_NODEDEV_CAP_SCSI_HOST) {
        g_autofree char *sysname = g_path_get_basename(dir);
        g_autofree char *fc = g_build_filename(vgmNodeDevSysfs(host), "class", "fc_host",
                                               sysname, NULL);
        g_autofree char *wwnn = vgmHostSysfsAttr(fc, "node_name");
        g_autofree char *wwpn = vgmHostSysfsAttr(fc, "port_name");
        int maxv, inuse;

        /* as libvirt: a Fibre Channel host whose names cannot be read has
         * neither capability, nor a vport one whose counts cannot */
        if (!g_file_test(fc, G_FILE_TEST_IS_DIR) || !wwnn || !wwpn)
            return 0;
        caps |= VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_FC_HOST);
        if (vgmHostSysfsAttrExists(fc, "vport_create") && vgmNodeDevAttrInt(fc, "max_npiv_vports", &maxv) &&
            vgmNodeDevAttrInt(fc, "npiv_vports_inuse", &inuse))
            caps |= VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_VPORTS);
    } else if (type == VGM_NODEDEV_CAP_PCI) {
        g_autofree char *types = g_build_filename(dir, "mdev_supported_types", NULL);
        g_autoptr(GDir) d = g_dir_open(types, 0, NULL);

        if (d && g_dir_read_name(d))
            caps |= VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_MDEV_TYPES);
    }
    return caps;
}

static gint
vgmNodeDevCompare(gconstpointer a, gconstpointer b)
{
    const VgmNodeDev *da = *(VgmNodeDev *const *)a;
    const VgmNodeDev *db = *(VgmNodeDev *const *)b;

    return strcmp(da->name, db->name);
}

GPtrArray *
vgmNodeDevScan(const VgmNodeDevHost *host, GError **error)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNodeDevFree);
    g_autoptr(GHashTable) byPath = g_hash_table_new(g_str_hash, g_str_equal);
    g_autofree char *devices = g_build_filename(vgmNodeDevSysfs(host), "devices", NULL);
    VgmNodeDev *computer;
    size_t s;
    guint i;

    if (!g_file_test(devices, G_FILE_TEST_IS_DIR)) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot read the host's devices: '%1$s' is not a directory"),
                    devices);
        return NULL;
    }
    computer = g_new0(VgmNodeDev, 1);
    computer->name = g_strdup("computer");
    computer->type = VGM_NODEDEV_CAP_SYSTEM;
    computer->caps = VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_SYSTEM);
    g_ptr_array_add(devs, computer);

    for (s = 0; s < G_N_ELEMENTS(vgmNodeDevSources); s++) {
        const VgmNodeDevSource *src = &vgmNodeDevSources[s];
        g_autofree char *dir = g_build_filename(vgmNodeDevSysfs(host), src->dir, NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *entry;

        if (!d)
            continue;
        while ((entry = g_dir_read_name(d))) {
            g_autofree char *link = g_build_filename(dir, entry, NULL);
            g_autofree char *real = realpath(link, NULL);
            g_auto(VgmNodeDevProps) props = { 0 };
            g_autofree char *name = NULL;
            VgmNodeDev *dev;

            if (!real || g_hash_table_contains(byPath, real))
                continue;
            vgmNodeDevPropsLoad(host, real, src->subsystem, &props);
            if (!(name = vgmNodeDevNameOf(src, real, &props)))
                continue;
            dev = g_new0(VgmNodeDev, 1);
            dev->name = g_steal_pointer(&name);
            dev->path = g_steal_pointer(&real);
            dev->type = src->type;
            dev->caps = VGM_NODEDEV_BIT(src->type) | vgmNodeDevNestedCaps(host, src->type, dev->path);
            g_hash_table_insert(byPath, dev->path, dev);
            g_ptr_array_add(devs, dev);
        }
    }

    /* each device's parent: the nearest directory above it that is a
     * device of the list */
    for (i = 1; i < devs->len; i++) {
        VgmNodeDev *dev = g_ptr_array_index(devs, i);
        g_autofree char *up = g_path_get_dirname(dev->path);

        while (strlen(up) > 1) {
            VgmNodeDev *parent = g_hash_table_lookup(byPath, up);
            char *next;

            if (parent) {
                dev->parent = g_strdup(parent->name);
                break;
            }
            next = g_path_get_dirname(up);
            g_free(up);
            up = next;
        }
        if (!dev->parent)
            dev->parent = g_strdup("computer");
    }
    g_ptr_array_sort(devs, vgmNodeDevCompare);
    return g_steal_pointer(&devs);
}

const VgmNodeDev *
vgmNodeDevFind(GPtrArray *devs, const char *name)
{
    guint i;

    for (i = 0; i < devs->len; i++) {
        const VgmNodeDev *dev = g_ptr_array_index(devs, i);

        if (g_str_equal(dev->name, name))
            return dev;
    }
    return NULL;
}

GPtrArray *
vgmNodeDevCapNames(const VgmNodeDev *dev)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    int cap;

    g_ptr_array_add(names, g_strdup(vgmNodeDevCapTypeToString(dev->type)));
    for (cap = 0; cap < VGM_NODEDEV_CAP_LAST; cap++) {
        if (cap != (int)dev->type && (dev->caps & VGM_NODEDEV_BIT(cap)))
            g_ptr_array_add(names, g_strdup(vgmNodeDevCapTypeToString(cap)));
    }
    return names;
}

/* ---- the XML of each kind ---- */

/* The names pci.ids gives vendor @vendor and its device @device */
static void
vgmNodeDevPciNames(const VgmNodeDevHost *host, guint vendor, guint device,
                   char **vendorName, char **deviceName)
{
    g_autofree char *text = NULL;
    g_autofree char *vkey = g_strdup_printf("%04x  ", vendor);
    g_autofree char *dkey = g_strdup_printf("\t%04x  ", device);
    const char *line;
    const char *next;
    gboolean inVendor = FALSE;

    *vendorName = *deviceName = NULL;
    /* Debian's place, else Fedora's */
    if (!vgmFileReadAll(host->pciIds ? host->pciIds : "/usr/share/misc/pci.ids",
                        VGM_NODEDEV_IDS_MAX, &text, NULL, NULL) &&
        (host->pciIds || !vgmFileReadAll("/usr/share/hwdata/pci.ids", VGM_NODEDEV_IDS_MAX, &text,
                                         NULL, NULL)))
        return;
    for (line = text; line && *line; line = next) {
        const char *end = strchr(line, '\n');

        if (!end)
            end = line + strlen(line);
        next = *end ? end + 1 : NULL;

        if (*line == '#' || line == end)
            continue;
        if (*line != '\t') {
            if (inVendor || g_str_has_prefix(line, "C "))
                break;
            if (g_ascii_strncasecmp(line, vkey, strlen(vkey)) == 0) {
                g_autofree char *name = g_strndup(line + strlen(vkey), end - line - strlen(vkey));

                *vendorName = vgmXMLTextFromRaw(name);
                inVendor = TRUE;
            }
        } else if (inVendor && g_ascii_strncasecmp(line, dkey, strlen(dkey)) == 0) {
            g_autofree char *name = g_strndup(line + strlen(dkey), end - line - strlen(dkey));

            *deviceName = vgmXMLTextFromRaw(name);
            break;
        }
    }
}

static gboolean
vgmNodeDevParsePciAddr(const char *str, guint *domain, guint *bus, guint *slot, guint *function)
{
    return sscanf(str, "%x:%x:%x.%x", domain, bus, slot, function) == 4;
}

static void
vgmNodeDevFormatPciAddr(VgmBuf *buf, const char *bdf)
{
    guint d, b, s, f;

    if (vgmNodeDevParsePciAddr(bdf, &d, &b, &s, &f))
        vgmBufAsprintf(buf, "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%u'/>\n",
                       d, b, s, f);
}

static gint
vgmNodeDevCompareVirtfn(gconstpointer a, gconstpointer b)
{
    const char *sa = *(const char *const *)a;
    const char *sb = *(const char *const *)b;

    return (int)g_ascii_strtoll(sa + strlen("virtfn"), NULL, 10) -
           (int)g_ascii_strtoll(sb + strlen("virtfn"), NULL, 10);
}

/* The entries of directory @dir whose names start with @prefix, sorted
 * with @cmp (by name when NULL) */
static GPtrArray *
vgmNodeDevDirEntries(const char *dir, const char *prefix, GCompareFunc cmp)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        if (!prefix || g_str_has_prefix(entry, prefix))
            g_ptr_array_add(names, g_strdup(entry));
    }
    g_ptr_array_sort(names, cmp ? cmp : vgmNodeDevCompareNames);
    return names;
}

/* PCI Express facts from the configuration space of the device in @dir:
 * whether it is PCIe, and its link capability and status */
static void
vgmNodeDevFormatPcie(VgmBuf *buf, const guint8 *c, gsize len)
{
    static const char *const speeds[] = { "", "2.5", "5", "8", "16", "32", "64" };
    guint pos, walked = 0, type;
    guint32 lnkcap;
    guint16 lnksta;

    /* the capability list: status bit 4, its head at 0x34 */
    pos = (c[0x06] & 0x10) ? c[0x34] & 0xfc : 0;
    while (pos >= 0x40 && pos + 1 < len && walked++ < VGM_NODEDEV_PCI_CAP_WALK) {
        if (c[pos] == 0x10)
            break;
        pos = c[pos + 1] & 0xfc;
    }
    if (pos < 0x40 || pos + 0x14 > len || c[pos] != 0x10) {
        /* no PCI Express capability found: as libvirt guesses, a device
         * with more than the 256 bytes of conventional PCI's
         * configuration space is PCIe (of a link it cannot tell) */
        if (len != 256)
            vgmBufAdd(buf, "<pci-express/>\n");
        return;
    }
    type = (c[pos + 2] >> 4) & 0xf;
    /* root complex integrated endpoints and event collectors have no link */
    if (type == 0x9 || type == 0xa) {
        vgmBufAdd(buf, "<pci-express/>\n");
        return;
    }
    lnkcap = c[pos + 0xc] | (c[pos + 0xd] << 8) | (c[pos + 0xe] << 16) | ((guint32)c[pos + 0xf] << 24);
    lnksta = c[pos + 0x12] | (c[pos + 0x13] << 8);
    vgmBufAdd(buf, "<pci-express>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufAsprintf(buf, "<link validity='cap' port='%u'", lnkcap >> 24);
    if ((lnkcap & 0xf) && (lnkcap & 0xf) < G_N_ELEMENTS(speeds))
        vgmBufAsprintf(buf, " speed='%s'", speeds[lnkcap & 0xf]);
    vgmBufAsprintf(buf, " width='%u'/>\n", (lnkcap >> 4) & 0x3f);
    vgmBufAdd(buf, "<link validity='sta'");
    if ((lnksta & 0xf) && (lnksta & 0xf) < G_N_ELEMENTS(speeds))
        vgmBufAsprintf(buf, " speed='%s'", speeds[lnksta & 0xf]);
    vgmBufAsprintf(buf, " width='%u'/>\n", (lnksta >> 4) & 0x3f);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</pci-express>\n");
}

/* The configuration space of the PCI device in @dir, once: TRUE when it
 * was read whole. A process without CAP_SYS_ADMIN reads its first 64
 * bytes only; as libvirt does then, nothing is told from it. */
static gboolean
vgmNodeDevReadConfig(const char *dir, char **cfg, gsize *len)
{
    g_autofree char *path = g_build_filename(dir, "config", NULL);
    struct stat st;

    if (stat(path, &st) < 0 || st.st_size < 64 || st.st_size > 4096 ||
        !vgmFileReadAll(path, 4096, cfg, len, NULL))
        return FALSE;
    return *len == (gsize)st.st_size;
}

static void
vgmNodeDevFormatMdevTypes(VgmBuf *buf, const char *dir)
{
    g_autofree char *types = g_build_filename(dir, "mdev_supported_types", NULL);
    g_autoptr(GPtrArray) ids = vgmNodeDevDirEntries(types, NULL, NULL);
    guint i;

    if (!ids->len)
        return;
    vgmBufAdd(buf, "<capability type='mdev_types'>\n");
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; i < ids->len; i++) {
        g_autofree char *tdir = g_build_filename(types, g_ptr_array_index(ids, i), NULL);
        g_autofree char *name = vgmHostSysfsAttr(tdir, "name");
        g_autofree char *api = vgmHostSysfsAttr(tdir, "device_api");
        unsigned long long avail = 0;

        vgmNodeDevAttrULL(tdir, "available_instances", 10, &avail);
        vgmBufEscapeString(buf, "<type id='%s'>\n", g_ptr_array_index(ids, i));
        vgmBufAdjustIndent(buf, 2);
        vgmBufEscapeText(buf, "<name>%s</name>\n", name);
        vgmBufEscapeText(buf, "<deviceAPI>%s</deviceAPI>\n", api ? api : "");
        vgmBufAsprintf(buf, "<availableInstances>%llu</availableInstances>\n", avail);
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</type>\n");
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</capability>\n");
}

/* <@elem id='0xID'>NAME</@elem>, or the element ended by @empty when the
 * id has no name */
static void
vgmNodeDevFormatId(VgmBuf *buf, const char *elem, unsigned long long id, const char *name,
                   const char *empty)
{
    vgmBufAsprintf(buf, "<%s id='0x%04llx'", elem, id);
    if (name) {
        vgmBufEscapeText(buf, ">%s", name);
        vgmBufAsprintf(buf, "</%s>\n", elem);
    } else {
        vgmBufAsprintf(buf, "%s\n", empty);
    }
}

static gboolean
vgmNodeDevFormatPci(const VgmNodeDevHost *host, VgmBuf *buf, const char *dir,
                    VgmNodeDevProps *p, GError **error)
{
    g_autofree char *sysname = g_path_get_basename(dir);
    g_autofree char *vendorName = NULL;
    g_autofree char *deviceName = NULL;
    g_autofree char *physfn = vgmNodeDevLinkBase(dir, "physfn");
    g_autofree char *group = vgmNodeDevLinkBase(dir, "iommu_group");
    g_autoptr(GPtrArray) vfs = vgmNodeDevDirEntries(dir, "virtfn", vgmNodeDevCompareVirtfn);
    unsigned long long vendor, device, klass, totalvfs = 0, hdr;
    const char *classProp = vgmNodeDevProp(p, "PCI_CLASS");
    g_autofree char *cfg = NULL;
    gsize cfgLen = 0;
    gboolean cfgFull = vgmNodeDevReadConfig(dir, &cfg, &cfgLen);
    g_autofree char *groupDir = NULL;
    g_autoptr(GPtrArray) members = NULL;
    guint d, b, s, f, i, pd, pb, ps, pf;
    int numa = -1;
    gboolean hasTotal;

    if (!vgmNodeDevParsePciAddr(sysname, &d, &b, &s, &f) ||
        !vgmNodeDevAttrULL(dir, "vendor", 16, &vendor) ||
        !vgmNodeDevAttrULL(dir, "device", 16, &device)) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE,
                    _("cannot read the PCI device at '%1$s'"), dir);
        return FALSE;
    }
    if (classProp && vgmStrToULLBase(classProp, 16, &klass))
        vgmBufAsprintf(buf, "<class>0x%06llx</class>\n", klass);
    vgmBufAsprintf(buf, "<domain>%u</domain>\n", d);
    vgmBufAsprintf(buf, "<bus>%u</bus>\n", b);
    vgmBufAsprintf(buf, "<slot>%u</slot>\n", s);
    vgmBufAsprintf(buf, "<function>%u</function>\n", f);
    vgmNodeDevPciNames(host, vendor, device, &vendorName, &deviceName);
    vgmNodeDevFormatId(buf, "product", device, deviceName, "/>");
    vgmNodeDevFormatId(buf, "vendor", vendor, vendorName, "/>");
    if (physfn && vgmNodeDevParsePciAddr(physfn, &pd, &pb, &ps, &pf)) {
        vgmBufAdd(buf, "<capability type='phys_function'>\n");
        vgmBufAdjustIndent(buf, 2);
        vgmNodeDevFormatPciAddr(buf, physfn);
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</capability>\n");
    }
    hasTotal = vgmNodeDevAttrULL(dir, "sriov_totalvfs", 10, &totalvfs);
    if ((hasTotal && totalvfs > 0) || vfs->len) {
        vgmBufAdd(buf, "<capability type='virt_functions'");
        if (totalvfs)
            vgmBufAsprintf(buf, " maxCount='%llu'", totalvfs);
        if (!vfs->len) {
            vgmBufAdd(buf, "/>\n");
        } else {
            vgmBufAdd(buf, ">\n");
            vgmBufAdjustIndent(buf, 2);
            for (i = 0; i < vfs->len; i++) {
                g_autofree char *vf = vgmNodeDevLinkBase(dir, g_ptr_array_index(vfs, i));

                if (vf)
                    vgmNodeDevFormatPciAddr(buf, vf);
            }
            vgmBufAdjustIndent(buf, -2);
            vgmBufAdd(buf, "</capability>\n");
        }
    }
    /* the header type is in the configuration space (byte 0x0e) */
    if (cfgFull) {
        hdr = (guint8)cfg[0x0e] & 0x7f;
        if (hdr == 1)
            vgmBufAdd(buf, "<capability type='pci-bridge'/>\n");
        else if (hdr == 2)
            vgmBufAdd(buf, "<capability type='cardbus-bridge'/>\n");
    }
    vgmNodeDevFormatMdevTypes(buf, dir);
    if (group)
        members = vgmNodeDevDirEntries(groupDir = g_build_filename(vgmNodeDevSysfs(host), "kernel",
                                                                   "iommu_groups", group, "devices",
                                                                   NULL), NULL, NULL);
    /* (a group whose members cannot be read is left out) */
    if (members && members->len) {
        vgmBufEscapeString(buf, "<iommuGroup number='%s'>\n", group);
        vgmBufAdjustIndent(buf, 2);
        for (i = 0; i < members->len; i++)
            vgmNodeDevFormatPciAddr(buf, g_ptr_array_index(members, i));
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</iommuGroup>\n");
    }
    if (vgmNodeDevAttrInt(dir, "numa_node", &numa) && numa >= 0)
        vgmBufAsprintf(buf, "<numa node='%d'/>\n", numa);
    if (cfgFull)
        vgmNodeDevFormatPcie(buf, (const guint8 *)cfg, cfgLen);
    return TRUE;
}

static gboolean
vgmNodeDevFormatUsbDev(VgmBuf *buf, const char *dir, VgmNodeDevProps *p, GError **error)
{
    unsigned long long busnum, devnum, vendor, product;
    const char *bus = vgmNodeDevProp(p, "BUSNUM");
    const char *dev = vgmNodeDevProp(p, "DEVNUM");
    g_autofree char *vendorName = g_strdup(vgmNodeDevProp(p, "ID_VENDOR_FROM_DATABASE"));
    g_autofree char *productName = g_strdup(vgmNodeDevProp(p, "ID_MODEL_FROM_DATABASE"));

    if (!bus || !dev || !vgmStrToULL(bus, &busnum) || !vgmStrToULL(dev, &devnum) ||
        !vgmNodeDevAttrULL(dir, "idVendor", 16, &vendor) ||
        !vgmNodeDevAttrULL(dir, "idProduct", 16, &product)) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE, _("cannot read the USB device at '%1$s'"), dir);
        return FALSE;
    }
    if (!vendorName)
        vendorName = vgmHostSysfsAttr(dir, "manufacturer");
    if (!productName)
        productName = vgmHostSysfsAttr(dir, "product");
    vgmBufAsprintf(buf, "<bus>%llu</bus>\n", busnum);
    vgmBufAsprintf(buf, "<device>%llu</device>\n", devnum);
    /* (libvirt ends an unnamed USB id with a space before its "/>") */
    vgmNodeDevFormatId(buf, "product", product, productName, " />");
    vgmNodeDevFormatId(buf, "vendor", vendor, vendorName, " />");
    return TRUE;
}

static gboolean
vgmNodeDevFormatUsbIf(VgmBuf *buf, const char *dir, GError **error)
{
    static const char *const fields[][2] = {
        { "bInterfaceNumber", "number" },
        { "bInterfaceClass", "class" },
        { "bInterfaceSubClass", "subclass" },
        { "bInterfaceProtocol", "protocol" },
    };
    unsigned long long v[G_N_ELEMENTS(fields)];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (!vgmNodeDevAttrULL(dir, fields[i][0], 16, &v[i])) {
            vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE,
                        _("cannot read the USB interface at '%1$s'"), dir);
            return FALSE;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(fields); i++)
        vgmBufAsprintf(buf, "<%s>%llu</%s>\n", fields[i][1], v[i], fields[i][1]);
    return TRUE;
}

/* libvirt's net device features, in its order, with the legacy ethtool
 * command that reads each (0: a flag of ETHTOOL_GFLAGS, @flag) */
static const struct {
    const char *name;
    guint32 cmd;
    guint32 flag;
} vgmNodeDevNetFeatures[] = {
    { "rx", ETHTOOL_GRXCSUM, 0 },
    { "tx", ETHTOOL_GTXCSUM, 0 },
    { "sg", ETHTOOL_GSG, 0 },
    { "tso", ETHTOOL_GTSO, 0 },
    { "gso", ETHTOOL_GGSO, 0 },
    { "gro", ETHTOOL_GGRO, 0 },
    { "lro", 0, ETH_FLAG_LRO },
    { "rxvlan", 0, ETH_FLAG_RXVLAN },
    { "txvlan", 0, ETH_FLAG_TXVLAN },
    { "ntuple", 0, ETH_FLAG_NTUPLE },
    { "rxhash", 0, ETH_FLAG_RXHASH },
};

static gboolean
vgmNodeDevEthtool(int fd, const char *ifname, void *data)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    if (g_strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name)) >= sizeof(ifr.ifr_name))
        return FALSE;
    ifr.ifr_data = data;
    return ioctl(fd, SIOCETHTOOL, &ifr) == 0;
}

/* Whether @ifname offloads UDP tunnel segmentation
 * ("tx-udp_tnl-segmentation" of ETHTOOL_GFEATURES) */
static gboolean
vgmNodeDevNetUdpTunnel(int fd, const char *ifname)
{
    static const char want[] = "tx-udp_tnl-segmentation";
    /* the set info and the one length it returns after it */
    g_autofree struct ethtool_sset_info *sset = g_malloc0(sizeof(*sset) + sizeof(guint32));
    g_autofree struct ethtool_gstrings *strings = NULL;
    g_autofree struct ethtool_gfeatures *features = NULL;
    guint32 n, i, idx = G_MAXUINT32, blocks;

    sset->cmd = ETHTOOL_GSSET_INFO;
    sset->sset_mask = 1ULL << ETH_SS_FEATURES;
    if (!vgmNodeDevEthtool(fd, ifname, sset) || !(sset->sset_mask & (1ULL << ETH_SS_FEATURES)))
        return FALSE;
    n = sset->data[0];
    if (n == 0 || n > 4096)
        return FALSE;
    strings = g_malloc0(sizeof(*strings) + (gsize)n * ETH_GSTRING_LEN);
    strings->cmd = ETHTOOL_GSTRINGS;
    strings->string_set = ETH_SS_FEATURES;
    strings->len = n;
    if (!vgmNodeDevEthtool(fd, ifname, strings))
        return FALSE;
    for (i = 0; i < n; i++) {
        if (strncmp((const char *)strings->data + i * ETH_GSTRING_LEN, want, ETH_GSTRING_LEN) == 0) {
            idx = i;
            break;
        }
    }
    if (idx == G_MAXUINT32)
        return FALSE;
    blocks = (n + 31) / 32;
    features = g_malloc0(sizeof(*features) + blocks * sizeof(features->features[0]));
    features->cmd = ETHTOOL_GFEATURES;
    features->size = blocks;
    if (!vgmNodeDevEthtool(fd, ifname, features))
        return FALSE;
    return (features->features[idx / 32].active >> (idx % 32)) & 1;
}

/* Whether @ifname is the net device of an InfiniBand (RDMA) device */
static gboolean
vgmNodeDevNetRdma(const VgmNodeDevHost *host, const char *ifname)
{
    g_autofree char *ib = g_build_filename(vgmNodeDevSysfs(host), "class", "infiniband", NULL);
    g_autoptr(GPtrArray) ibdevs = vgmNodeDevDirEntries(ib, NULL, NULL);
    guint i;

    for (i = 0; i < ibdevs->len; i++) {
        g_autofree char *path = g_build_filename(ib, g_ptr_array_index(ibdevs, i), "device", "net",
                                                 ifname, NULL);

        if (g_file_test(path, G_FILE_TEST_EXISTS))
            return TRUE;
    }
    return FALSE;
}

/* @ifname's offloads, in libvirt's order: the legacy ethtool ones, RDMA,
 * UDP tunnel segmentation */
static void
vgmNodeDevFormatNetFeatures(const VgmNodeDevHost *host, VgmBuf *buf, const char *ifname)
{
    struct ethtool_value flags = { .cmd = ETHTOOL_GFLAGS };
    gboolean haveFlags;
    gboolean udpTunnel = FALSE;
    int fd = -1;
    size_t i;

    if (!host->noEthtool && (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0) {
        haveFlags = vgmNodeDevEthtool(fd, ifname, &flags);
        for (i = 0; i < G_N_ELEMENTS(vgmNodeDevNetFeatures); i++) {
            gboolean on;

            if (vgmNodeDevNetFeatures[i].cmd) {
                struct ethtool_value v = { .cmd = vgmNodeDevNetFeatures[i].cmd };

                on = vgmNodeDevEthtool(fd, ifname, &v) && v.data;
            } else {
                on = haveFlags && (flags.data & vgmNodeDevNetFeatures[i].flag);
            }
            if (on)
                vgmBufAsprintf(buf, "<feature name='%s'/>\n", vgmNodeDevNetFeatures[i].name);
        }
        udpTunnel = vgmNodeDevNetUdpTunnel(fd, ifname);
        close(fd);
    }
    if (vgmNodeDevNetRdma(host, ifname))
        vgmBufAdd(buf, "<feature name='rdma'/>\n");
    if (udpTunnel)
        vgmBufAdd(buf, "<feature name='txudptnl'/>\n");
}

void
vgmHostNetLinkFormat(VgmBuf *buf, const char *dir)
{
    static const char *const states[] = {
        "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up",
    };
    g_autofree char *oper = vgmHostSysfsAttr(dir, "operstate");
    g_autofree char *speedText = NULL;
    const char *state = NULL;
    guint32 speed = 0;
    size_t i;

    for (i = 0; oper && i < G_N_ELEMENTS(states); i++) {
        if (g_str_equal(oper, states[i]))
            state = states[i];
    }
    /* the speed only of a link that is up: drivers report nonsense else
     * (and -1 as libvirt reads it, unsigned) */
    if (state && g_str_equal(state, "up") && (speedText = vgmHostSysfsAttr(dir, "speed")))
        speed = (guint32)g_ascii_strtoll(speedText, NULL, 10);
    if (!speed && !state)
        return;
    vgmBufAdd(buf, "<link");
    if (speed)
        vgmBufAsprintf(buf, " speed='%u'", speed);
    if (state)
        vgmBufAsprintf(buf, " state='%s'", state);
    vgmBufAdd(buf, "/>\n");
}

static gboolean
vgmNodeDevFormatNet(const VgmNodeDevHost *host, VgmBuf *buf, const char *dir,
                    VgmNodeDevProps *p, GError **error)
{
    g_autofree char *ifname = g_strdup(vgmNodeDevProp(p, "INTERFACE"));
    g_autofree char *mac = vgmHostSysfsAttr(dir, "address");

    if (!ifname)
        ifname = g_path_get_basename(dir);
    if (!vgmHostSysfsAttrExists(dir, "operstate")) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE, _("cannot read the network interface '%1$s'"),
                    ifname);
        return FALSE;
    }
    vgmBufEscapeText(buf, "<interface>%s</interface>\n", ifname);
    vgmBufEscapeText(buf, "<address>%s</address>\n", mac);
    vgmHostNetLinkFormat(buf, dir);
    vgmNodeDevFormatNetFeatures(host, buf, ifname);
    vgmBufAsprintf(buf, "<capability type='%s'/>\n",
                   g_strcmp0(vgmNodeDevProp(p, "DEVTYPE"), "wlan") == 0 ? "80211" : "80203");
    return TRUE;
}

/* A Fibre Channel attribute as libvirt shows it: without its 0x */
static char *
vgmNodeDevFcValue(const char *dir, const char *attr)
{
    g_autofree char *v = vgmHostSysfsAttr(dir, attr);

    if (v && g_str_has_prefix(v, "0x"))
        return g_strdup(v + 2);
    return g_steal_pointer(&v);
}

static gboolean
vgmNodeDevFormatScsiHost(const VgmNodeDevHost *host, VgmBuf *buf, const VgmNodeDev *dev,
                         GError **error)
{
    g_autofree char *sysname = g_path_get_basename(dev->path);
    g_autofree char *cls = g_build_filename(vgmNodeDevSysfs(host), "class", "scsi_host", sysname, NULL);
    g_autofree char *fc = g_build_filename(vgmNodeDevSysfs(host), "class", "fc_host", sysname, NULL);
    guint hostNo;
    int uid;

    if (!g_str_has_prefix(sysname, "host") || !vgmStrToUInt(sysname + 4, &hostNo)) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE, _("cannot read the SCSI host at '%1$s'"),
                    dev->path);
        return FALSE;
    }
    vgmBufAsprintf(buf, "<host>%u</host>\n", hostNo);
    if (vgmNodeDevAttrInt(cls, "unique_id", &uid) && uid >= 0)
        vgmBufAsprintf(buf, "<unique_id>%d</unique_id>\n", uid);
    if (dev->caps & VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_FC_HOST)) {
        g_autofree char *wwnn = vgmNodeDevFcValue(fc, "node_name");
        g_autofree char *wwpn = vgmNodeDevFcValue(fc, "port_name");
        g_autofree char *fabric = vgmNodeDevFcValue(fc, "fabric_name");

        vgmBufAdd(buf, "<capability type='fc_host'>\n");
        vgmBufAdjustIndent(buf, 2);
        vgmBufEscapeText(buf, "<wwnn>%s</wwnn>\n", wwnn);
        vgmBufEscapeText(buf, "<wwpn>%s</wwpn>\n", wwpn);
        vgmBufEscapeText(buf, "<fabric_wwn>%s</fabric_wwn>\n", fabric);
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</capability>\n");
    }
    if (dev->caps & VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_VPORTS)) {
        int maxv = 0, inuse = 0;

        /* (read at the scan: a host that lost them since shows zeroes) */
        vgmNodeDevAttrInt(fc, "max_npiv_vports", &maxv);
        vgmNodeDevAttrInt(fc, "npiv_vports_inuse", &inuse);
        vgmBufAdd(buf, "<capability type='vport_ops'>\n");
        vgmBufAdjustIndent(buf, 2);
        vgmBufAsprintf(buf, "<max_vports>%d</max_vports>\n", maxv);
        vgmBufAsprintf(buf, "<vports>%d</vports>\n", inuse);
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</capability>\n");
    }
    return TRUE;
}

static void
vgmNodeDevFormatScsiTarget(const VgmNodeDevHost *host, VgmBuf *buf, const char *dir)
{
    g_autofree char *sysname = g_path_get_basename(dir);
    g_autofree char *up = g_path_get_dirname(dir);
    g_autofree char *rport = g_path_get_basename(up);

    vgmBufEscapeText(buf, "<target>%s</target>\n", sysname);
    /* a target behind a Fibre Channel remote port: .../rport-H:B-R/targetH:B:T */
    if (g_str_has_prefix(rport, "rport-")) {
        g_autofree char *rdir = g_build_filename(vgmNodeDevSysfs(host), "class", "fc_remote_ports",
                                                 rport, NULL);
        g_autofree char *wwpn = vgmNodeDevFcValue(rdir, "port_name");

        if (wwpn) {
            vgmBufAdd(buf, "<capability type='fc_remote_port'>\n");
            vgmBufAdjustIndent(buf, 2);
            vgmBufEscapeText(buf, "<rport>%s</rport>\n", rport);
            vgmBufEscapeText(buf, "<wwpn>%s</wwpn>\n", wwpn);
            vgmBufAdjustIndent(buf, -2);
            vgmBufAdd(buf, "</capability>\n");
        }
    }
}

static gboolean
vgmNodeDevFormatScsi(VgmBuf *buf, const char *dir, GError **error)
{
    /* SCSI peripheral device types, by number */
    static const char *const types[] = {
        "disk", "tape", "printer", "processor", "worm", "cdrom", "scanner", "mod",
        "changer", "comm", NULL, NULL, "raid", "enclosure",
    };
    g_autofree char *sysname = g_path_get_basename(dir);
    unsigned long long type;
    guint h, b, t, l;

    if (sscanf(sysname, "%u:%u:%u:%u", &h, &b, &t, &l) != 4) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE, _("cannot read the SCSI device at '%1$s'"), dir);
        return FALSE;
    }
    vgmBufAsprintf(buf, "<host>%u</host>\n", h);
    vgmBufAsprintf(buf, "<bus>%u</bus>\n", b);
    vgmBufAsprintf(buf, "<target>%u</target>\n", t);
    vgmBufAsprintf(buf, "<lun>%u</lun>\n", l);
    /* libvirt names the types it knows and leaves the others (printer,
     * communications) out */
    if (vgmNodeDevAttrULL(dir, "type", 0, &type) && type < G_N_ELEMENTS(types) && types[type] &&
        type != 2 && type != 9)
        vgmBufAsprintf(buf, "<type>%s</type>\n", types[type]);
    return TRUE;
}

static gboolean
vgmNodeDevFormatStorage(VgmBuf *buf, const char *dir, VgmNodeDevProps *p, GError **error)
{
    g_autofree char *driveType = vgmNodeDevDriveType(dir, p);
    g_autofree char *vendor = vgmHostSysfsAttr(dir, "device/vendor");
    g_autofree char *model = vgmHostSysfsAttr(dir, "device/model");
    g_autofree char *serial = vgmNodeDevDiskSerial(dir, p);
    g_autofree char *bus = g_strdup(vgmNodeDevProp(p, "ID_BUS"));
    g_autofree char *block = NULL;
    const char *devname = vgmNodeDevProp(p, "DEVNAME");
    unsigned long long blocks = 0, lbs = 0;
    int removable = 0;
    gboolean cd;

    if (!driveType || !devname) {
        vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE, _("cannot read the disk at '%1$s'"), dir);
        return FALSE;
    }
    cd = g_str_equal(driveType, "cd") || g_str_equal(driveType, "cd/dvd");
    vgmNodeDevAttrULL(dir, "size", 10, &blocks);
    vgmNodeDevAttrULL(dir, "queue/logical_block_size", 10, &lbs);
    block = g_build_filename("/dev", devname, NULL);
    vgmBufEscapeText(buf, "<block>%s</block>\n", block);
    vgmBufEscapeText(buf, "<bus>%s</bus>\n", bus);
    vgmBufEscapeText(buf, "<drive_type>%s</drive_type>\n", cd ? "cdrom" : driveType);
    vgmBufEscapeText(buf, "<model>%s</model>\n", model);
    vgmBufEscapeText(buf, "<vendor>%s</vendor>\n", vendor);
    vgmBufEscapeText(buf, "<serial>%s</serial>\n", serial);
    vgmNodeDevAttrInt(dir, "removable", &removable);
    if ((cd || g_str_equal(driveType, "floppy")) && removable == 1) {
        /* udev says whether a medium is in; without udev, a size does */
        const char *media = vgmNodeDevProp(p, cd ? "ID_CDROM_MEDIA" : "ID_FS_LABEL");
        gboolean avail = p->udev ? media && (!cd || g_str_equal(media, "1")) : blocks > 0;
        const char *label = vgmNodeDevProp(p, "ID_FS_LABEL");

        vgmBufAdd(buf, "<capability type='removable'>\n");
        vgmBufAdjustIndent(buf, 2);
        vgmBufAsprintf(buf, "<media_available>%d</media_available>\n", avail ? 1 : 0);
        vgmBufAsprintf(buf, "<media_size>%llu</media_size>\n", avail ? blocks * lbs : 0);
        if (avail) {
            vgmBufEscapeText(buf, "<media_label>%s</media_label>\n", label);
            if (lbs)
                vgmBufAsprintf(buf, "<logical_block_size>%llu</logical_block_size>\n", lbs);
            if (blocks)
                vgmBufAsprintf(buf, "<num_blocks>%llu</num_blocks>\n", blocks);
        }
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</capability>\n");
    } else {
        vgmBufAsprintf(buf, "<size>%llu</size>\n", blocks * lbs);
        if (lbs)
            vgmBufAsprintf(buf, "<logical_block_size>%llu</logical_block_size>\n", lbs);
        if (blocks)
            vgmBufAsprintf(buf, "<num_blocks>%llu</num_blocks>\n", blocks);
    }
    return TRUE;
}

static void
vgmNodeDevFormatSystem(const VgmNodeDevHost *host, VgmBuf *buf)
{
    g_autofree char *dmi = g_build_filename(vgmNodeDevSysfs(host), "class", "dmi", "id", NULL);
    g_autofree char *product = vgmHostSysfsAttr(dmi, "product_name");
    g_autofree char *vendor = vgmHostSysfsAttr(dmi, "sys_vendor");
    g_autofree char *version = vgmHostSysfsAttr(dmi, "product_version");
    g_autofree char *serial = vgmHostSysfsAttr(dmi, "product_serial");
    g_autofree char *biosVendor = vgmHostSysfsAttr(dmi, "bios_vendor");
    g_autofree char *biosVersion = vgmHostSysfsAttr(dmi, "bios_version");
    g_autofree char *biosDate = vgmHostSysfsAttr(dmi, "bios_date");
    g_autofree char *uuid = NULL;

    /* the host's uuid (the one of the capabilities) on a host with DMI;
     * zeroes, as libvirt leaves it, on one without */
    if (g_file_test(dmi, G_FILE_TEST_IS_DIR))
        uuid = vgmHostUUID(host->sysfs);
    if (!uuid)
        uuid = g_strdup("00000000-0000-0000-0000-000000000000");
    vgmBufEscapeText(buf, "<product>%s</product>\n", product);
    vgmBufAdd(buf, "<hardware>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufEscapeText(buf, "<vendor>%s</vendor>\n", vendor);
    vgmBufEscapeText(buf, "<version>%s</version>\n", version);
    vgmBufEscapeText(buf, "<serial>%s</serial>\n", serial);
    vgmBufAsprintf(buf, "<uuid>%s</uuid>\n", uuid);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</hardware>\n");
    vgmBufAdd(buf, "<firmware>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufEscapeText(buf, "<vendor>%s</vendor>\n", biosVendor);
    vgmBufEscapeText(buf, "<version>%s</version>\n", biosVersion);
    vgmBufEscapeText(buf, "<release_date>%s</release_date>\n", biosDate);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</firmware>\n");
}

/* The path libvirt shows: the real sysfs path, whatever root was read */
static char *
vgmNodeDevShownPath(const VgmNodeDevHost *host, const char *path)
{
    g_autofree char *root = realpath(vgmNodeDevSysfs(host), NULL);

    if (root && g_str_has_prefix(path, root) && path[strlen(root)] == '/')
        return g_strconcat("/sys", path + strlen(root), NULL);
    return g_strdup(path);
}

char *
vgmNodeDevFormat(const VgmNodeDevHost *host, const VgmNodeDev *dev, GError **error)
{
    static const char *const subsystems[VGM_NODEDEV_CAP_LAST] = {
        [VGM_NODEDEV_CAP_PCI] = "pci", [VGM_NODEDEV_CAP_USB_DEV] = "usb",
        [VGM_NODEDEV_CAP_USB_INTERFACE] = "usb", [VGM_NODEDEV_CAP_NET] = "net",
        [VGM_NODEDEV_CAP_SCSI_HOST] = "scsi", [VGM_NODEDEV_CAP_SCSI_TARGET] = "scsi",
        [VGM_NODEDEV_CAP_SCSI] = "scsi", [VGM_NODEDEV_CAP_STORAGE] = "block",
        [VGM_NODEDEV_CAP_SCSI_GENERIC] = "scsi_generic", [VGM_NODEDEV_CAP_DRM] = "drm",
    };
    g_auto(VgmBuf) buf = { 0 };
    g_auto(VgmBuf) cap = { 0 };
    g_auto(VgmNodeDevProps) props = { 0 };
    g_autofree char *driver = NULL;
    gboolean ok = TRUE;
    guint i;

    vgmBufInit(&buf, 0);
    vgmBufInit(&cap, 4);
    vgmBufAdd(&buf, "<device>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeText(&buf, "<name>%s</name>\n", dev->name);
    if (dev->path) {
        g_autofree char *shown = vgmNodeDevShownPath(host, dev->path);
        const char *devname;

        if (!g_file_test(dev->path, G_FILE_TEST_IS_DIR)) {
            vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE,
                        _("node device '%1$s' is gone from the host"), dev->name);
            return NULL;
        }
        vgmNodeDevPropsLoad(host, dev->path, subsystems[dev->type], &props);
        vgmBufEscapeText(&buf, "<path>%s</path>\n", shown);
        if ((devname = vgmNodeDevProp(&props, "DEVNAME"))) {
            g_autofree char *node = g_build_filename("/dev", devname, NULL);

            vgmBufEscapeText(&buf, "<devnode type='dev'>%s</devnode>\n", node);
        }
        for (i = 0; i < props.links->len; i++)
            vgmBufEscapeText(&buf, "<devnode type='link'>%s</devnode>\n",
                             g_ptr_array_index(props.links, i));
    }
    vgmBufEscapeText(&buf, "<parent>%s</parent>\n", dev->parent);
    if (dev->path && (driver = vgmNodeDevLinkBase(dev->path, "driver"))) {
        vgmBufAdd(&buf, "<driver>\n");
        vgmBufEscapeText(&buf, "  <name>%s</name>\n", driver);
        vgmBufAdd(&buf, "</driver>\n");
    }

    switch (dev->type) {
    case VGM_NODEDEV_CAP_SYSTEM:
        vgmNodeDevFormatSystem(host, &cap);
        break;
    case VGM_NODEDEV_CAP_PCI:
        ok = vgmNodeDevFormatPci(host, &cap, dev->path, &props, error);
        break;
    case VGM_NODEDEV_CAP_USB_DEV:
        ok = vgmNodeDevFormatUsbDev(&cap, dev->path, &props, error);
        break;
    case VGM_NODEDEV_CAP_USB_INTERFACE:
        ok = vgmNodeDevFormatUsbIf(&cap, dev->path, error);
        break;
    case VGM_NODEDEV_CAP_NET:
        ok = vgmNodeDevFormatNet(host, &cap, dev->path, &props, error);
        break;
    case VGM_NODEDEV_CAP_SCSI_HOST:
        ok = vgmNodeDevFormatScsiHost(host, &cap, dev, error);
        break;
    case VGM_NODEDEV_CAP_SCSI_TARGET:
        vgmNodeDevFormatScsiTarget(host, &cap, dev->path);
        break;
    case VGM_NODEDEV_CAP_SCSI:
        ok = vgmNodeDevFormatScsi(&cap, dev->path, error);
        break;
    case VGM_NODEDEV_CAP_STORAGE:
        ok = vgmNodeDevFormatStorage(&cap, dev->path, &props, error);
        break;
    case VGM_NODEDEV_CAP_SCSI_GENERIC: {
        const char *devname = vgmNodeDevProp(&props, "DEVNAME");
        g_autofree char *node = devname ? g_build_filename("/dev", devname, NULL) : NULL;

        if (!node) {
            ok = FALSE;
            break;
        }
        vgmBufEscapeText(&cap, "<char>%s</char>\n", node);
        break;
    }
    case VGM_NODEDEV_CAP_DRM: {
        static const char *const drmTypes[] = { "primary", "control", "render" };
        const char *m = vgmNodeDevProp(&props, "MINOR");
        int minor;

        if (!m || !vgmStrToInt(m, &minor) || minor < 0 || (minor >> 6) > 2) {
            ok = FALSE;
            break;
        }
        vgmBufAsprintf(&cap, "<type>%s</type>\n", drmTypes[minor >> 6]);
        break;
    }
    default:
        break;
    }
    if (!ok) {
        if (error && !*error)
            vgmErrorSet(error, VGM_ERR_NO_NODE_DEVICE,
                        _("node device '%1$s' changed on the host while it was read"), dev->name);
        return NULL;
    }
    vgmBufAsprintf(&buf, "<capability type='%s'>\n", vgmNodeDevCapTypeToString(dev->type));
    vgmBufAddBuf(&buf, &cap);
    vgmBufAdd(&buf, "</capability>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</device>\n");
    return vgmBufSteal(&buf);
}

const VgmNodeDev *
vgmNodeDevFindSCSIHostByWWN(const VgmNodeDevHost *host, GPtrArray *devs,
                            const char *wwnn, const char *wwpn)
{
    const char *n = g_str_has_prefix(wwnn, "0x") ? wwnn + 2 : wwnn;
    const char *p = g_str_has_prefix(wwpn, "0x") ? wwpn + 2 : wwpn;
    guint i;

    for (i = 0; i < devs->len; i++) {
        const VgmNodeDev *dev = g_ptr_array_index(devs, i);
        g_autofree char *sysname = NULL;
        g_autofree char *fc = NULL;
        g_autofree char *dn = NULL;
        g_autofree char *dp = NULL;

        if (dev->type != VGM_NODEDEV_CAP_SCSI_HOST ||
            !(dev->caps & VGM_NODEDEV_BIT(VGM_NODEDEV_CAP_FC_HOST)))
            continue;
        sysname = g_path_get_basename(dev->path);
        fc = g_build_filename(vgmNodeDevSysfs(host), "class", "fc_host", sysname, NULL);
        dn = vgmNodeDevFcValue(fc, "node_name");
        dp = vgmNodeDevFcValue(fc, "port_name");
        if (dn && dp && g_ascii_strcasecmp(dn, n) == 0 && g_ascii_strcasecmp(dp, p) == 0)
            return dev;
    }
    return NULL;
}
