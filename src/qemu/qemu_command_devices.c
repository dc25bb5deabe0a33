/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_devices.c: the devices of the subset on the command line:
 * controllers, disks (-blockdev + -device), network interfaces (-netdev +
 * -device), serial ports and consoles (-chardev + -device), USB and virtio
 * inputs, VNC, video,
 * the balloon, the RNG and vmcoreinfo. A PCI <address> (post-parse gives
 * every PCI device of the PC and q35 one, as libvirt does) becomes bus /
 * addr as libvirt names them.
 */
#include "config.h"

#include <string.h>

#include "qemu_command_priv.h"
#include "qemu_alias.h"
#include "qemu_validate.h"
#include "util/vgmi18n.h"

static gboolean
vgmCmdIsQ35(const VgmQemuPlan *plan)
{
    return strstr(plan->machine->name, "q35") != NULL;
}

static void
vgmCmdAddress(JsonObject *dev, const VgmDeviceAddress *addr, const VgmQemuPlan *plan)
{
    vgmQemuPlanPciAddress(dev, addr, plan);
}

/* A virtio device behind an IOMMU must be modern-only; on a PCI Express
 * root bus (no <address>: QEMU puts it on pcie.0) QEMU would make it
 * transitional and refuse the IOMMU, so say it outright. libvirt gets the
 * same by placing such devices on root ports. */
static void
vgmCmdIommu(JsonObject *dev, const VgmVirtioOptions *o, const VgmDeviceAddress *addr,
            const VgmQemuPlan *plan)
{
    if (o->iommu) {
        json_object_set_boolean_member(dev, "iommu_platform", o->iommu == VGM_TRISTATE_YES);
        if (o->iommu == VGM_TRISTATE_YES && vgmCmdIsQ35(plan) &&
            (addr->type != VGM_ADDRESS_PCI || addr->bus == 0))
            json_object_set_string_member(dev, "disable-legacy", "on");
    }
    if (o->ats)
        json_object_set_boolean_member(dev, "ats", o->ats == VGM_TRISTATE_YES);
    if (o->packed)
        json_object_set_boolean_member(dev, "packed", o->packed == VGM_TRISTATE_YES);
    if (o->pagePerVq)
        json_object_set_boolean_member(dev, "page-per-vq", o->pagePerVq == VGM_TRISTATE_YES);
}

/* A USB device's "bus" (the root bus of USB controller N: "<its id>.0")
 * and "port" */
static void
vgmCmdUsbAddress(JsonObject *dev, const VgmDomainDef *def, const VgmDeviceAddress *addr)
{
    g_autofree char *ctrl = vgmQemuControllerBusId(def, "usb", addr->bus);
    g_autofree char *bus = g_strdup_printf("%s.0", ctrl);

    json_object_set_string_member(dev, "bus", bus);
    json_object_set_string_member(dev, "port", addr->port);
}

static void
vgmCmdController(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmControllerDef *c,
                 const VgmQemuPlan *plan)
{
    const VgmQemuControllerDevice *d = vgmQemuControllerDeviceFor(c);
    g_autofree char *id = NULL;
    JsonObject *dev;

    /* validation refused a model without a line; no device: the
     * machine's own (root bus, q35's AHCI, the PC's IDE) or none */
    if (!d || !d->device ||
        (g_str_equal(c->type, "sata") && c->index == 0 && vgmCmdIsQ35(plan)))
        return;
    dev = json_object_new();
    json_object_set_string_member(dev, "driver", d->device);
    /* virtio options right after the driver, as libvirt writes them */
    vgmCmdIommu(dev, &c->virtio, &c->addr, plan);
    if (c->haveMaster) {
        g_autofree char *master = vgmQemuControllerBusId(def, "usb", c->index);
        g_autofree char *bus = g_strdup_printf("%s.0", master);

        /* a companion has no id of its own */
        json_object_set_string_member(dev, "masterbus", bus);
        json_object_set_int_member(dev, "firstport", c->startport);
    } else if (g_str_equal(c->type, "pci")) {
        id = vgmQemuControllerId(def, c);
        /* an expander bus: its bus number before the id, its guest NUMA
         * node after it, as libvirt writes them */
        if (c->haveBusNr)
            json_object_set_int_member(dev, "bus_nr", c->busNr);
        /* <target>'s port and chassis, as libvirt writes them (a root
         * port's chassis defaults to its index, a bridge's chassis_nr too) */
        if (c->havePort)
            json_object_set_int_member(dev, "port", c->port);
        if (c->haveChassis || g_str_equal(c->model, "pcie-root-port"))
            json_object_set_int_member(dev, "chassis", c->haveChassis ? c->chassis : c->index);
        else if (g_str_equal(c->model, "pci-bridge"))
            json_object_set_int_member(dev, "chassis_nr",
                                       c->haveChassisNr ? c->chassisNr : c->index);
    } else if (g_str_equal(c->type, "usb")) {
        /* an xHCI's USB 2 and USB 3 root ports (validation: xHCI only) */
        if (c->ports) {
            json_object_set_int_member(dev, "p2", c->ports);
            json_object_set_int_member(dev, "p3", c->ports);
        }
        id = vgmQemuControllerId(def, c);
    } else {
        /* scsi0, virtio-serial0, sata1 */
        id = vgmQemuControllerId(def, c);
    }
    /* a virtio-scsi controller's I/O thread before its id */
    if (c->iothread) {
        g_autofree char *iothread = g_strdup_printf("iothread%u", c->iothread);

        json_object_set_string_member(dev, "iothread", iothread);
    }
    if (id)
        json_object_set_string_member(dev, "id", id);
    /* a smartcard reader is a USB device */
    if (c->addr.type == VGM_ADDRESS_USB)
        vgmCmdUsbAddress(dev, def, &c->addr);
    /* a PCIe port's hotplug after its id, as libvirt writes it */
    if (c->hotplug && g_str_equal(c->type, "pci"))
        json_object_set_boolean_member(dev, "hotplug", c->hotplug == VGM_TRISTATE_YES);
    if (c->haveNumaNode)
        json_object_set_int_member(dev, "numa_node", c->numaNode);
    if (g_str_equal(c->type, "virtio-serial") && c->ports)
        json_object_set_int_member(dev, "max_ports", c->ports);
    if (c->haveVectors)
        json_object_set_int_member(dev, "vectors", c->vectors);
    if (c->queues)
        json_object_set_int_member(dev, "num_queues", c->queues);
    if (c->cmdPerLun)
        json_object_set_int_member(dev, "cmd_per_lun", c->cmdPerLun);
    if (c->maxSectors)
        json_object_set_int_member(dev, "max_sectors", c->maxSectors);
    if (c->ioeventfd)
        json_object_set_boolean_member(dev, "ioeventfd", c->ioeventfd == VGM_TRISTATE_YES);
    vgmCmdAddress(dev, &c->addr, plan);
    vgmCmdDevice(cmd, dev);
    json_object_unref(dev);
}

/* PCI controllers, then the others in list order, except that USB
 * companions (<master>) come right after the EHCI controller of their
 * index, in their own list order: QEMU looks the EHCI bus up when it
 * creates a companion. */
static void
vgmCmdControllers(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    const VgmDevicesDef *devs = &def->devices;
    /* USB index -> its companions */
    g_autoptr(GHashTable) companions = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                             (GDestroyNotify)g_ptr_array_unref);
    static const char *const order[] = { "usb", "scsi", "ide", "sata", "virtio-serial", "fdc" };
    guint i, j;
    size_t k;

    for (i = 0; i < devs->controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        GPtrArray *list;

        if (!c->haveMaster)
            continue;
        if (!(list = g_hash_table_lookup(companions, GUINT_TO_POINTER(c->index)))) {
            list = g_ptr_array_new();
            g_hash_table_insert(companions, GUINT_TO_POINTER(c->index), list);
        }
        g_ptr_array_add(list, c);
    }
    /* PCI controllers first, as libvirt emits them: every other device
     * may sit on a bus they make (libvirt lists a domain's USB controller
     * before its root ports) */
    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);

        if (g_str_equal(c->type, "pci"))
            vgmCmdController(cmd, def, c, plan);
    }
    /* then the others type by type, in libvirt's order (smartcard
     * readers come after the memory devices: vgmCmdCcidControllers; the
     * floppy controller is the machine's or goes with its drives) */
    for (k = 0; k < G_N_ELEMENTS(order); k++) {
        for (i = 0; i < devs->controllers->len; i++) {
            const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
            GPtrArray *list;

            if (c->haveMaster || !g_str_equal(c->type, order[k]))
                continue;
            vgmCmdController(cmd, def, c, plan);
            if (!g_str_equal(c->type, "usb") ||
                !(list = g_hash_table_lookup(companions, GUINT_TO_POINTER(c->index))))
                continue;
            for (j = 0; j < list->len; j++)
                vgmCmdController(cmd, def, g_ptr_array_index(list, j), plan);
        }
    }
}

static const VgmControllerDef *
vgmCmdFindController(const VgmDomainDef *def, const char *type, unsigned int index)
{
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        if (g_str_equal(c->type, type) && c->index == index)
            return c;
    }
    return NULL;
}

/* The first disk of kind @device: the one <boot dev='hd'/> or
 * <boot dev='cdrom'/> boots from. */
static const VgmDiskDef *
vgmCmdBootDisk(const VgmDomainDef *def, VgmDiskDevice device)
{
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        if (d->device == device)
            return d;
    }
    return NULL;
}

/* The bootindex of the device <boot dev=@kind/> boots from (the first of
 * its kind), from its place in the boot order; 0: not in the order. */
static int
vgmCmdBootIndex(const VgmDomainDef *def, VgmBootDev kind)
{
    size_t i;

    for (i = 0; i < def->os.nboot; i++) {
        if (def->os.boot[i] == kind)
            return (int)i + 1;
    }
    return 0;
}

/* QEMU's BlockIOThrottle member of each <iotune> value */
static const char *const vgmCmdIotuneMembers[VGM_DISK_IOTUNE_LAST] = {
    [VGM_DISK_IOTUNE_TOTAL_BYTES] = "bps",
    [VGM_DISK_IOTUNE_READ_BYTES] = "bps_rd",
    [VGM_DISK_IOTUNE_WRITE_BYTES] = "bps_wr",
    [VGM_DISK_IOTUNE_TOTAL_IOPS] = "iops",
    [VGM_DISK_IOTUNE_READ_IOPS] = "iops_rd",
    [VGM_DISK_IOTUNE_WRITE_IOPS] = "iops_wr",
    [VGM_DISK_IOTUNE_TOTAL_BYTES_MAX] = "bps_max",
    [VGM_DISK_IOTUNE_READ_BYTES_MAX] = "bps_rd_max",
    [VGM_DISK_IOTUNE_WRITE_BYTES_MAX] = "bps_wr_max",
    [VGM_DISK_IOTUNE_TOTAL_IOPS_MAX] = "iops_max",
    [VGM_DISK_IOTUNE_READ_IOPS_MAX] = "iops_rd_max",
    [VGM_DISK_IOTUNE_WRITE_IOPS_MAX] = "iops_wr_max",
    [VGM_DISK_IOTUNE_SIZE_IOPS] = "iops_size",
    [VGM_DISK_IOTUNE_TOTAL_BYTES_MAX_LENGTH] = "bps_max_length",
    [VGM_DISK_IOTUNE_READ_BYTES_MAX_LENGTH] = "bps_rd_max_length",
    [VGM_DISK_IOTUNE_WRITE_BYTES_MAX_LENGTH] = "bps_wr_max_length",
    [VGM_DISK_IOTUNE_TOTAL_IOPS_MAX_LENGTH] = "iops_max_length",
    [VGM_DISK_IOTUNE_READ_IOPS_MAX_LENGTH] = "iops_rd_max_length",
    [VGM_DISK_IOTUNE_WRITE_IOPS_MAX_LENGTH] = "iops_wr_max_length",
};

JsonObject *
vgmQemuDiskThrottleArgs(const char *id, const VgmDiskIotune *t)
{
    JsonObject *args = json_object_new();
    size_t i;

    json_object_set_string_member(args, "id", id);
    for (i = 0; i < VGM_DISK_IOTUNE_LAST; i++) {
        guint64 v = t ? t->v[i] : 0;

        if (i <= VGM_DISK_IOTUNE_WRITE_IOPS || v)
            json_object_set_int_member(args, vgmCmdIotuneMembers[i], (gint64)v);
    }
    if (t && t->groupName)
        json_object_set_string_member(args, "group", t->groupName);
    return args;
}

guint
vgmQemuDiskNodeIndex(const VgmDomainDef *def, const VgmDiskDef *d)
{
    guint i;

    if (d->nodeIndex)
        return d->nodeIndex;
    for (i = 0; i < def->devices.disks->len; i++) {
        if (g_ptr_array_index(def->devices.disks, i) == d)
            return i + 1;
    }
    return 0;
}

char *
vgmQemuDiskThrottleId(const VgmDomainDef *def, const VgmDiskDef *d)
{
    g_autofree char *id = vgmQemuDiskDeviceId(def, d);

    /* QEMU finds the block backend on the device that holds it: a
     * virtio-blk-pci proxy's is its virtio-backend child, a usb-storage's
     * the SCSI disk on its own SCSI bus; libvirt names both by their QOM
     * paths */
    if (d->bus == VGM_DISK_BUS_VIRTIO)
        return g_strdup_printf("/machine/peripheral/%s/virtio-backend", id);
    if (d->bus == VGM_DISK_BUS_USB)
        return g_strdup_printf("/machine/peripheral/%s/%s.0/legacy[0]", id, id);
    return g_steal_pointer(&id);
}

/* What a cache mode is to QEMU, as libvirt splits it: the write cache the
 * guest sees (the device's "write-cache"), and O_DIRECT and ignored flushes
 * (the "cache" of both block nodes). The default sets none of them. */
static const struct {
    gboolean writeback;
    gboolean direct;
    gboolean noFlush;
} vgmCmdDiskCacheModes[VGM_DISK_CACHE_LAST] = {
    [VGM_DISK_CACHE_NONE] = { TRUE, TRUE, FALSE },
    [VGM_DISK_CACHE_WRITETHROUGH] = { FALSE, FALSE, FALSE },
    [VGM_DISK_CACHE_WRITEBACK] = { TRUE, FALSE, FALSE },
    [VGM_DISK_CACHE_DIRECTSYNC] = { FALSE, TRUE, FALSE },
    [VGM_DISK_CACHE_UNSAFE] = { TRUE, FALSE, TRUE },
};

/* The PCI device of virtio device @base ("virtio-blk") of kind @k:
 * "virtio-blk-pci", "-transitional" or "-non-transitional" after it */
static const char *
vgmCmdVirtioPci(const char *base, VgmVirtioKind k, char **buf)
{
    static const char *const suffix[] = {
        [VGM_VIRTIO_KIND_VIRTIO] = "",
        [VGM_VIRTIO_KIND_TRANSITIONAL] = "-transitional",
        [VGM_VIRTIO_KIND_NON_TRANSITIONAL] = "-non-transitional",
    };

    g_free(*buf);
    *buf = g_strdup_printf("%s-pci%s", base, k > VGM_VIRTIO_KIND_NONE ? suffix[k] : "");
    return *buf;
}

/* The ISA floppy controller with the boot indexes of its drives A and B,
 * as libvirt writes it: the PC has one, set with -global; q35 gets an
 * isa-fdc device, when it has a floppy */
char *
vgmQemuDiskDeviceId(const VgmDomainDef *def, const VgmDiskDef *d)
{
    const VgmDeviceAddress *a = &d->addr;

    if (d->alias[0])
        return g_strdup(d->alias);
    switch (d->bus) {
    case VGM_DISK_BUS_VIRTIO:
        return g_strdup_printf("virtio-disk%u", vgmDomainDiskIndex(d->dst));
    case VGM_DISK_BUS_SCSI: {
        /* the LSI controller has one bus of seven targets */
        const VgmControllerDef *ctrl = vgmCmdFindController(def, "scsi", a->controller);

        if (ctrl && g_strcmp0(ctrl->model, "lsilogic") == 0)
            return g_strdup_printf("scsi%u-%u-%u", a->controller, a->drivebus, a->unit);
        return g_strdup_printf("scsi%u-%u-%u-%u", a->controller, a->drivebus, a->target, a->unit);
    }
    case VGM_DISK_BUS_FDC:
        return g_strdup_printf("fdc0-0-%u", a->unit);
    case VGM_DISK_BUS_USB:
        return g_strdup_printf("usb-disk%u", vgmDomainDiskIndex(d->dst));
    case VGM_DISK_BUS_IDE:
        return g_strdup_printf("ide%u-%u-%u", a->controller, a->drivebus, a->unit);
    case VGM_DISK_BUS_SATA:
    case VGM_DISK_BUS_NONE:
    case VGM_DISK_BUS_LAST:
        break;
    }
    return g_strdup_printf("sata%u-%u-%u", a->controller, a->drivebus, a->unit);
}

static void
vgmCmdFloppyController(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    const VgmDiskDef *bootFloppy = vgmCmdBootDisk(def, VGM_DISK_DEVICE_FLOPPY);
    int boot[2] = { 0, 0 };
    gboolean any = FALSE;
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (d->bus != VGM_DISK_BUS_FDC || d->addr.unit > 1)
            continue;
        any = TRUE;
        boot[d->addr.unit] = d->bootOrder ? (int)d->bootOrder :
                             d == bootFloppy ? vgmCmdBootIndex(def, VGM_BOOT_FLOPPY) : 0;
    }
    if (!any)
        return;
    if (vgmCmdIsQ35(plan)) {
        JsonObject *dev = json_object_new();

        json_object_set_string_member(dev, "driver", "isa-fdc");
        for (i = 0; i < 2; i++) {
            if (boot[i])
                json_object_set_int_member(dev, i ? "bootindexB" : "bootindexA", boot[i]);
        }
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
        return;
    }
    for (i = 0; i < 2; i++) {
        if (boot[i])
            vgmCmdArgPairf(cmd, "-global", "isa-fdc.bootindex%c=%d", i ? 'B' : 'A', boot[i]);
    }
}

/* QEMU's SocketAddress of @host: unix or inet, the port a string */
static JsonObject *
vgmCmdNetSocketAddress(const VgmDiskNetHost *host)
{
    JsonObject *server = json_object_new();

    if (host->socket) {
        json_object_set_string_member(server, "type", "unix");
        json_object_set_string_member(server, "path", host->socket);
    } else {
        g_autofree char *port = g_strdup_printf("%u", host->port);

        json_object_set_string_member(server, "type", "inet");
        json_object_set_string_member(server, "host", host->name);
        json_object_set_string_member(server, "port", port);
    }
    return server;
}

/* A secret object @id of @element (what names it) of disk @dst ("nvram":
 * the UEFI varstore), which QEMU reads from a file the driver writes (in
 * the domain's run-time directory @runDir, only its owner's) before QEMU
 * starts; returns its record, for the caller to say what goes in it */
static VgmQemuCmdSecret *
vgmCmdFileSecret(VgmQemuCmd *cmd, const char *id, const char *dst, const char *element,
                 const char *runDir)
{
    g_autofree char *file = g_strdup_printf("%s.secret", id);
    VgmQemuCmdSecret *secret = g_new0(VgmQemuCmdSecret, 1);
    JsonObject *obj = json_object_new();

    secret->path = g_build_filename(runDir, file, NULL);
    secret->owner = g_str_equal(dst, "nvram") ? g_strdup(_("the UEFI varstore (<nvram>)")) :
                                                g_strdup_printf("disk '%s'", dst);
    secret->element = element;
    json_object_set_string_member(obj, "qom-type", "secret");
    json_object_set_string_member(obj, "id", id);
    json_object_set_string_member(obj, "format", "raw");
    json_object_set_string_member(obj, "file", secret->path);
    vgmCmdObject(cmd, obj);
    json_object_unref(obj);
    g_ptr_array_add(cmd->secrets, secret);
    return secret;
}

char *
vgmCmdImageKeySecret(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                     const VgmDiskEncryption *enc, const char *dst, const char *format)
{
    g_autofree char *runDir = vgmQemuConfigDomainRunDir(cfg, def->name);
    char *id = g_strdup_printf("%s-encryption-secret0", format);
    VgmQemuCmdSecret *secret = vgmCmdFileSecret(cmd, id, dst, "<encryption>", runDir);

    /* libvirt looks the passphrase up as a secret of usage 'volume' */
    secret->usageType = g_strdup("volume");
    secret->byUUID = enc->byUUID;
    memcpy(secret->uuid, enc->uuid, sizeof(secret->uuid));
    secret->usage = g_strdup(enc->usage);
    return id;
}

/* The secret object of the <auth> (@use "auth") or the HTTP cookies
 * (@use "httpcookie") of network image @net of disk @dst whose storage
 * node is @storage; returns its id */
static char *
vgmCmdNetSecret(VgmQemuCmd *cmd, const VgmDiskNetSource *net, const char *dst,
                const char *storage, const char *use, const char *runDir)
{
    const VgmDiskAuth *auth = net->auth;
    char *id = g_strdup_printf("%s-%s-secret0", storage, use);
    gboolean isCookie = g_str_equal(use, "httpcookie");
    VgmQemuCmdSecret *secret = vgmCmdFileSecret(cmd, id, dst, isCookie ? "<cookies>" : "<auth>",
                                                runDir);

    if (isCookie) {
        /* the Cookie header's value: NAME=VALUE pairs joined by "; " */
        GString *cookies = g_string_new(NULL);

        for (guint i = 0; i < net->cookies->len; i += 2)
            g_string_append_printf(cookies, "%s%s=%s", i ? "; " : "",
                                   (const char *)g_ptr_array_index(net->cookies, i),
                                   (const char *)g_ptr_array_index(net->cookies, i + 1));
        secret->value = g_string_free(cookies, FALSE);
    } else {
        secret->usageType = g_strdup(auth->secretType);
        secret->byUUID = auth->byUUID;
        memcpy(secret->uuid, auth->uuid, sizeof(secret->uuid));
        secret->usage = g_strdup(auth->usage);
    }
    return id;
}

/* The TLS client credentials of an NBD disk whose storage node is
 * @storage, from @dir (libvirt's nbd_tls_x509_cert_dir); returns its id */
static char *
vgmCmdNetTLS(VgmQemuCmd *cmd, const char *storage, const char *dir)
{
    char *id = g_strdup_printf("obj%s_tls0", storage);
    JsonObject *obj = json_object_new();

    json_object_set_string_member(obj, "qom-type", "tls-creds-x509");
    json_object_set_string_member(obj, "id", id);
    json_object_set_string_member(obj, "dir", dir);
    json_object_set_string_member(obj, "endpoint", "client");
    json_object_set_boolean_member(obj, "verify-peer", TRUE);
    vgmCmdObject(cmd, obj);
    json_object_unref(obj);
    return id;
}

/* The protocol node of network image @net of disk @dst, as libvirt
 * writes it, with its storage node named @storage: nbd's server, export and TLS; curl's URL
 * (the port always written, the path escaped as a URI's), then its ssl
 * verification, timeout and readahead; iscsi's portal, target and LUN;
 * rbd's pool, image and monitors; gluster's volume, path and servers;
 * nfs's server, path and identity. The objects it needs (a secret, TLS
 * credentials) go first. */
JsonObject *
vgmCmdNetSourceNode(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                    const VgmDiskNetSource *net, const char *dst, const char *storage,
                    const VgmDiskEncryption *enc, const char *format, char **keySecret)
{
    const VgmDiskNetHost *host = vgmDiskNetFirstHost(net);
    JsonObject *o = json_object_new();
    const char *proto = vgmDiskProtocolTypeToString(net->protocol);
    g_autofree char *runDir = vgmQemuConfigDomainRunDir(cfg, def->name);
    g_autofree char *secret = net->auth ? vgmCmdNetSecret(cmd, net, dst, storage, "auth", runDir) :
                              net->cookies ? vgmCmdNetSecret(cmd, net, dst, storage, "httpcookie",
                                                             runDir) : NULL;
    /* (after the <auth>'s, as libvirt orders them) */
    g_autofree char *encSecret = enc ? vgmCmdImageKeySecret(cmd, def, cfg, enc, dst, format) : NULL;
    const char *slash = net->name ? strchr(net->name, '/') : NULL;
    g_autofree char *head = slash ? g_strndup(net->name, slash - net->name) : g_strdup(net->name);
    JsonArray *servers;
    guint i;

    json_object_set_string_member(o, "driver", proto);
    switch (net->protocol) {
    case VGM_DISK_PROTOCOL_NBD:
        json_object_set_object_member(o, "server", vgmCmdNetSocketAddress(host));
        if (net->name)
            json_object_set_string_member(o, "export", net->name);
        if (net->tls == VGM_TRISTATE_YES) {
            g_autofree char *tls = vgmCmdNetTLS(cmd, storage, cfg->nbdTLSDir);

            json_object_set_string_member(o, "tls-creds", tls);
            if (net->tlsHostname)
                json_object_set_string_member(o, "tls-hostname", net->tlsHostname);
        }
        break;
    case VGM_DISK_PROTOCOL_HTTP:
    case VGM_DISK_PROTOCOL_HTTPS:
    case VGM_DISK_PROTOCOL_FTP:
    case VGM_DISK_PROTOCOL_FTPS: {
        g_autofree char *path = g_uri_escape_string(net->name, "/!$&'()*+,;=:@", FALSE);
        gboolean v6 = strchr(host->name, ':') != NULL;
        g_autofree char *url = g_strdup_printf("%s://%s%s%s:%u%s%s%s%s", proto, v6 ? "[" : "",
                                               host->name, v6 ? "]" : "", host->port,
                                               path[0] == '/' ? "" : "/", path,
                                               net->query ? "?" : "",
                                               net->query ? net->query : "");

        json_object_set_string_member(o, "url", url);
        if (net->sslVerify)
            json_object_set_boolean_member(o, "sslverify", net->sslVerify == VGM_TRISTATE_YES);
        if (secret)
            json_object_set_string_member(o, "cookie-secret", secret);
        if (net->timeout)
            json_object_set_int_member(o, "timeout", (gint64)net->timeout);
        if (net->readahead)
            json_object_set_int_member(o, "readahead", (gint64)net->readahead);
        break;
    }
    case VGM_DISK_PROTOCOL_ISCSI: {
        gboolean v6 = strchr(host->name, ':') != NULL;
        g_autofree char *portal = g_strdup_printf("%s%s%s:%u", v6 ? "[" : "", host->name,
                                                  v6 ? "]" : "", host->port);

        json_object_set_string_member(o, "portal", portal);
        json_object_set_string_member(o, "target", head);
        json_object_set_int_member(o, "lun", slash ? g_ascii_strtoull(slash + 1, NULL, 10) : 0);
        json_object_set_string_member(o, "transport", "tcp");
        if (secret) {
            json_object_set_string_member(o, "user", net->auth->username);
            json_object_set_string_member(o, "password-secret", secret);
        }
        if (net->initiator)
            json_object_set_string_member(o, "initiator-name", net->initiator);
        break;
    }
    case VGM_DISK_PROTOCOL_RBD:
        json_object_set_string_member(o, "pool", head);
        json_object_set_string_member(o, "image", slash + 1);
        if (net->snapshot)
            json_object_set_string_member(o, "snapshot", net->snapshot);
        if (net->config)
            json_object_set_string_member(o, "conf", net->config);
        if (net->hosts->len) {
            /* InetSocketAddressBase: no type; a monitor without a port
             * gets "0", Ceph's own default, as libvirt writes it */
            servers = json_array_new();
            for (i = 0; i < net->hosts->len; i++) {
                const VgmDiskNetHost *h = g_ptr_array_index(net->hosts, i);
                JsonObject *server = json_object_new();
                g_autofree char *port = g_strdup_printf("%u", h->port);

                json_object_set_string_member(server, "host", h->name);
                json_object_set_string_member(server, "port", port);
                json_array_add_object_element(servers, server);
            }
            json_object_set_array_member(o, "server", servers);
        }
        if (secret) {
            JsonArray *modes = json_array_new();

            json_object_set_string_member(o, "user", net->auth->username);
            /* cephx, or none where the cluster asks for none (libvirt's) */
            json_array_add_string_element(modes, "cephx");
            json_array_add_string_element(modes, "none");
            json_object_set_array_member(o, "auth-client-required", modes);
            json_object_set_string_member(o, "key-secret", secret);
        }
        /* librbd decrypts the image itself */
        if (enc && enc->engine == VGM_DISK_ENCRYPTION_ENGINE_LIBRBD) {
            JsonObject *encrypt = json_object_new();

            json_object_set_string_member(encrypt, "format",
                                          vgmDiskEncryptionFormatTypeToString(enc->format));
            json_object_set_string_member(encrypt, "key-secret", encSecret);
            json_object_set_object_member(o, "encrypt", encrypt);
        }
        break;
    case VGM_DISK_PROTOCOL_GLUSTER:
        json_object_set_string_member(o, "volume", head);
        json_object_set_string_member(o, "path", slash + 1);
        servers = json_array_new();
        for (i = 0; i < net->hosts->len; i++)
            json_array_add_object_element(servers,
                                          vgmCmdNetSocketAddress(g_ptr_array_index(net->hosts, i)));
        json_object_set_array_member(o, "server", servers);
        /* libvirt's default gluster_debug_level */
        json_object_set_int_member(o, "debug", 4);
        break;
    case VGM_DISK_PROTOCOL_NFS: {
        JsonObject *server = json_object_new();
        guint id;

        json_object_set_string_member(server, "host", host->name);
        json_object_set_string_member(server, "type", "inet");
        json_object_set_object_member(o, "server", server);
        json_object_set_string_member(o, "path", net->name);
        /* validation resolved both */
        if (net->nfsUser && vgmQemuNfsIdentity(net->nfsUser, FALSE, &id, NULL))
            json_object_set_int_member(o, "user", id);
        if (net->nfsGroup && vgmQemuNfsIdentity(net->nfsGroup, TRUE, &id, NULL))
            json_object_set_int_member(o, "group", id);
        break;
    }
    case VGM_DISK_PROTOCOL_NONE:
    case VGM_DISK_PROTOCOL_LAST:
        break;
    }
    if (keySecret)
        *keySecret = enc && enc->engine == VGM_DISK_ENCRYPTION_ENGINE_QEMU ?
                     g_steal_pointer(&encSecret) : NULL;
    return o;
}

/* What the guest reads of the disk besides its medium, after the device's
 * bootindex in libvirt's order */
static void
vgmCmdDiskFrontend(JsonObject *dev, const VgmDiskDef *d, VgmDiskCache cache)
{
    /* libvirt's names for QEMU's BlockdevOnError values */
    static const char *const errorPolicies[VGM_DISK_ERROR_POLICY_LAST] = {
        [VGM_DISK_ERROR_POLICY_STOP] = "stop",
        [VGM_DISK_ERROR_POLICY_REPORT] = "report",
        [VGM_DISK_ERROR_POLICY_IGNORE] = "ignore",
        [VGM_DISK_ERROR_POLICY_ENOSPACE] = "enospc",
    };
    /* a read error follows the write policy, except an out-of-space one */
    VgmDiskErrorPolicy rerror = d->rerrorPolicy ? d->rerrorPolicy :
                                d->errorPolicy != VGM_DISK_ERROR_POLICY_ENOSPACE ?
                                d->errorPolicy : VGM_DISK_ERROR_POLICY_DEFAULT;

    if (d->logicalBlockSize)
        json_object_set_int_member(dev, "logical_block_size", d->logicalBlockSize);
    if (d->physicalBlockSize)
        json_object_set_int_member(dev, "physical_block_size", d->physicalBlockSize);
    if (d->wwn) {
        /* the parser took 16 hex digits, the first below 8 */
        json_object_set_int_member(dev, "wwn",
                                   (gint64)g_ascii_strtoull(g_str_has_prefix(d->wwn, "0x") ?
                                                            d->wwn + 2 : d->wwn, NULL, 16));
    }
    if (d->rotationRate)
        json_object_set_int_member(dev, "rotation_rate", d->rotationRate);
    if (d->vendor)
        json_object_set_string_member(dev, "vendor", d->vendor);
    if (d->product)
        json_object_set_string_member(dev, "product", d->product);
    if (d->bus == VGM_DISK_BUS_USB)
        json_object_set_boolean_member(dev, "removable", d->removable == VGM_TRISTATE_YES);
    /* also on an empty CD-ROM, as libvirt writes it */
    if (cache != VGM_DISK_CACHE_DEFAULT)
        json_object_set_string_member(dev, "write-cache",
                                      vgmCmdDiskCacheModes[cache].writeback ? "on" : "off");
    if (d->cyls) {
        json_object_set_int_member(dev, "cyls", d->cyls);
        json_object_set_int_member(dev, "heads", d->heads);
        json_object_set_int_member(dev, "secs", d->secs);
    }
    if (d->trans)
        json_object_set_string_member(dev, "bios-chs-trans", vgmDiskTransTypeToString(d->trans));
    if (d->serial) {
        /* libvirt 9.0 puts a backslash before each space, which QEMU
         * keeps: the guest reads the serial it read under libvirt */
        g_auto(GStrv) words = g_strsplit(d->serial, " ", -1);
        g_autofree char *serial = g_strjoinv("\\ ", words);

        json_object_set_string_member(dev, "serial", serial);
    }
    if (errorPolicies[d->errorPolicy])
        json_object_set_string_member(dev, "werror", errorPolicies[d->errorPolicy]);
    if (errorPolicies[rerror])
        json_object_set_string_member(dev, "rerror", errorPolicies[rerror]);
}

/* The <backingStore> layers of disk @d (number @n), bottom first, each a
 * read-only storage and format node with the disk's cache and aio (as
 * libvirt builds the chain); a qcow2 layer's "backing" is the layer
 * below, or null where the chain given ends. Returns the format node of
 * the top layer, which the disk's own names, or NULL without layers. */
static char *
vgmCmdDiskBacking(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                  const VgmDiskDef *d, guint n, const VgmCmdBlockdevOpts *top)
{
    char *below = NULL;
    guint k;

    if (!d->backing)
        return NULL;
    for (k = d->backing->len; k > 0; k--) {
        const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k - 1);
        g_autofree char *storage = g_strdup_printf("vgm-%u-b%u-storage", n, k);
        char *format = g_strdup_printf("vgm-%u-b%u-format", n, k);
        VgmCmdBlockdevOpts opts = {
            .aio = top->aio,
            .cache = top->cache,
            .direct = top->direct,
            .noFlush = top->noFlush,
            .cacheSize = l->metadataCacheMax,
            .backing = below,
            .noBacking = !below && d->backingEnd && k == d->backing->len &&
                         g_str_equal(l->format, "qcow2"),
            .slice = &l->slice,
        };

        g_autofree char *keySecret = NULL;

        if (l->net) {
            JsonObject *node = vgmCmdNetSourceNode(cmd, def, cfg, l->net, d->dst, storage,
                                                   l->encryption, format, &keySecret);

            opts.keySecret = keySecret;
            vgmCmdBlockdevNodes(cmd, node, storage, format, l->format, TRUE, &opts);
        } else {
            if (l->encryption)
                opts.keySecret = keySecret = vgmCmdImageKeySecret(cmd, def, cfg, l->encryption,
                                                                  d->dst, format);
            vgmCmdBlockdev(cmd, l->type == VGM_DISK_TYPE_BLOCK ? "host_device" : "file", l->path,
                           storage, format, l->format, TRUE, &opts);
        }
        g_free(below);
        below = format;
    }
    return below;
}

static void
vgmCmdDisks(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
            const VgmQemuPlan *plan)
{
    const VgmDevicesDef *devs = &def->devices;
    const VgmDiskDef *bootDisk = vgmCmdBootDisk(def, VGM_DISK_DEVICE_DISK);
    const VgmDiskDef *bootCdrom = vgmCmdBootDisk(def, VGM_DISK_DEVICE_CDROM);
    g_autofree char *virtioDrv = NULL;   /* a virtio device's name */
    guint i;

    vgmCmdFloppyController(cmd, def, plan);

    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(devs->disks, i);
        /* a running disk keeps its nodes' number, whichever disks come
         * and go before it */
        guint n = vgmQemuDiskNodeIndex(def, d);
        g_autofree char *storage = g_strdup_printf("vgm-%u-storage", n);
        g_autofree char *format = g_strdup_printf("vgm-%u-format", n);
        g_autofree char *cor = NULL;
        gboolean cdrom = d->device == VGM_DISK_DEVICE_CDROM;
        int boot = d->bootOrder ? (int)d->bootOrder :
                   d == bootDisk ? vgmCmdBootIndex(def, VGM_BOOT_DISK) :
                   d == bootCdrom ? vgmCmdBootIndex(def, VGM_BOOT_CDROM) : 0;
        g_autofree char *id = vgmQemuDiskDeviceId(def, d);
        /* a disk another guest writes too bypasses the host's page cache
         * unless it names a cache mode, as libvirt starts it */
        VgmDiskCache cache = d->cache == VGM_DISK_CACHE_DEFAULT && d->shareable && !d->readonly ?
                             VGM_DISK_CACHE_NONE : d->cache;
        JsonObject *dev;

        /* a vhost-user-blk server's socket: a chardev and the device, no
         * block nodes, as libvirt writes them */
        if (d->type == VGM_DISK_TYPE_VHOSTUSER) {
            g_autofree char *chardev = g_strdup_printf("chr-vu-%s", id);
            g_autofree char *path = vgmQemuEscapeOptValue(d->src);
            g_autofree char *reconnect = d->reconnect ? g_strdup_printf(",reconnect=%u", d->reconnect) :
                                                        g_strdup("");

            vgmCmdArgPairf(cmd, "-chardev", "socket,id=%s,path=%s%s", chardev, path, reconnect);
            g_autofree char *drv = NULL;

            dev = json_object_new();
            json_object_set_string_member(dev, "driver",
                                          vgmCmdVirtioPci("vhost-user-blk",
                                                          vgmVirtioModelToKind(d->model), &drv));
            vgmCmdIommu(dev, &d->virtio, &d->addr, plan);
            if (d->queues)
                json_object_set_int_member(dev, "num-queues", d->queues);
            if (d->queueSize)
                json_object_set_int_member(dev, "queue-size", d->queueSize);
            vgmCmdAddress(dev, &d->addr, plan);
            json_object_set_string_member(dev, "chardev", chardev);
            json_object_set_string_member(dev, "id", id);
            if (boot)
                json_object_set_int_member(dev, "bootindex", boot);
            vgmCmdDevice(cmd, dev);
            json_object_unref(dev);
            continue;
        }
        if (vgmDiskHasMedium(d)) {
            /* aio is the file driver's (validation refused it elsewhere) */
            VgmCmdBlockdevOpts opts = {
                .aio = d->io ? vgmDiskIoTypeToString(d->io) : NULL,
                .cache = cache != VGM_DISK_CACHE_DEFAULT,
                .direct = vgmCmdDiskCacheModes[cache].direct,
                .noFlush = vgmCmdDiskCacheModes[cache].noFlush,
                .discard = d->discard ? vgmDiskDiscardTypeToString(d->discard) : NULL,
                /* libvirt writes zero detection 'unmap' as 'on' unless
                 * discarded blocks are unmapped */
                .detectZeroes = !d->detectZeroes ? NULL :
                                d->detectZeroes == VGM_DISK_DETECT_ZEROES_UNMAP &&
                                d->discard != VGM_DISK_DISCARD_UNMAP ? "on" :
                                vgmDiskDetectZeroesTypeToString(d->detectZeroes),
                .cacheSize = d->metadataCacheMax,
                .slice = &d->slice,
            };
            /* a directory's FAT is a raw image to the format layer */
            const char *formatDriver = d->driverType && !g_str_equal(d->driverType, "fat") ?
                                       d->driverType : "raw";
            g_autofree char *backing = vgmCmdDiskBacking(cmd, def, cfg, d, n, &opts);
            g_autofree char *keySecret = NULL;

            /* the top's own backing: the chain's first layer, or none */
            opts.backing = backing;
            opts.noBacking = !backing && d->backingEnd && g_str_equal(formatDriver, "qcow2");
            if (d->net) {
                JsonObject *node = vgmCmdNetSourceNode(cmd, def, cfg, d->net, d->dst, storage,
                                                       d->encryption, format, &keySecret);

                opts.keySecret = keySecret;
                vgmCmdBlockdevNodes(cmd, node, storage, format, formatDriver, d->readonly, &opts);
            } else if (d->type == VGM_DISK_TYPE_DIR) {
                /* QEMU's virtual FAT of the directory, as libvirt writes it */
                JsonObject *node = json_object_new();

                json_object_set_string_member(node, "driver", "vvfat");
                json_object_set_string_member(node, "dir", d->src);
                json_object_set_boolean_member(node, "floppy", d->device == VGM_DISK_DEVICE_FLOPPY);
                json_object_set_boolean_member(node, "rw", !d->readonly);
                vgmCmdBlockdevNodes(cmd, node, storage, format, formatDriver, d->readonly, &opts);
            } else {
                /* as libvirt: QEMU's host_cdrom for a raw CD-ROM on a host
                 * CD-ROM drive (tray and media change go to the drive) */
                gboolean drive = d->type == VGM_DISK_TYPE_BLOCK &&
                                 d->device == VGM_DISK_DEVICE_CDROM &&
                                 g_str_equal(formatDriver, "raw") && cfg->hostCdroms &&
                                 g_hash_table_contains(cfg->hostCdroms, d->src);

                if (d->encryption)
                    opts.keySecret = keySecret = vgmCmdImageKeySecret(cmd, def, cfg,
                                                                      d->encryption, d->dst,
                                                                      format);
                vgmCmdBlockdev(cmd, drive ? "host_cdrom" :
                               d->type == VGM_DISK_TYPE_BLOCK ? "host_device" : "file",
                               d->src, storage, format, formatDriver, d->readonly, &opts);
            }
            /* copy-on-read: a filter node over the format node, which the
             * device reads through, as libvirt builds it */
            if (d->copyOnRead == VGM_TRISTATE_YES) {
                JsonObject *node = json_object_new();

                cor = g_strdup_printf("vgm-CoR-%s", d->dst);
                json_object_set_string_member(node, "driver", "copy-on-read");
                json_object_set_string_member(node, "node-name", cor);
                json_object_set_string_member(node, "file", format);
                json_object_set_string_member(node, "discard", "unmap");
                vgmCmdJSONArg(cmd, "-blockdev", node);
            }
        }

        dev = json_object_new();
        switch (d->bus) {
        case VGM_DISK_BUS_VIRTIO:
            json_object_set_string_member(dev, "driver",
                                          vgmCmdVirtioPci("virtio-blk",
                                                          vgmVirtioModelToKind(d->model),
                                                          &virtioDrv));
            /* libvirt's place for them: right after the driver, the
             * virtio options first */
            vgmCmdIommu(dev, &d->virtio, &d->addr, plan);
            if (d->iothread) {
                g_autofree char *iothread = g_strdup_printf("iothread%u", d->iothread);

                json_object_set_string_member(dev, "iothread", iothread);
            }
            if (d->ioeventfd)
                json_object_set_boolean_member(dev, "ioeventfd", d->ioeventfd == VGM_TRISTATE_YES);
            if (d->eventIdx)
                json_object_set_boolean_member(dev, "event_idx", d->eventIdx == VGM_TRISTATE_YES);
            if (d->queues)
                json_object_set_int_member(dev, "num-queues", d->queues);
            if (d->queueSize)
                json_object_set_int_member(dev, "queue-size", d->queueSize);
            vgmCmdAddress(dev, &d->addr, plan);
            break;
        case VGM_DISK_BUS_SCSI: {
            /* post-parse gave the disk a drive address and its controller
             * a model; the LSI controller has one bus of seven targets */
            const VgmDeviceAddress *a = &d->addr;
            const VgmControllerDef *ctrl = vgmCmdFindController(def, "scsi", a->controller);
            g_autofree char *ctrlId = vgmQemuControllerBusId(def, "scsi", a->controller);
            g_autofree char *bus = g_strdup_printf("%s.0", ctrlId);
            json_object_set_string_member(dev, "driver", cdrom ? "scsi-cd" : "scsi-hd");
            json_object_set_string_member(dev, "bus", bus);
            if (ctrl && g_strcmp0(ctrl->model, "lsilogic") == 0) {
                json_object_set_int_member(dev, "scsi-id", a->unit);
            } else {
                json_object_set_int_member(dev, "channel", a->drivebus);
                json_object_set_int_member(dev, "scsi-id", a->target);
                json_object_set_int_member(dev, "lun", a->unit);
            }
            /* the device identification the guest read when QEMU took
             * it from -drive: the serial, else the drive's name, as
             * libvirt gives it */
            if (d->serial) {
                json_object_set_string_member(dev, "device_id", d->serial);
            } else {
                g_autofree char *devid = g_strdup_printf("drive-%s", id);
                json_object_set_string_member(dev, "device_id", devid);
            }
            break;
        }
        case VGM_DISK_BUS_USB: {
            json_object_set_string_member(dev, "driver", "usb-storage");
            vgmCmdUsbAddress(dev, def, &d->addr);
            break;
        }
        case VGM_DISK_BUS_FDC:
            /* on the machine's ISA floppy controller (vgmCmdFloppyController) */
            json_object_set_string_member(dev, "driver", "floppy");
            json_object_set_int_member(dev, "unit", d->addr.unit);
            break;
        case VGM_DISK_BUS_IDE: {
            g_autofree char *ctrlId = vgmQemuControllerBusId(def, "ide", d->addr.controller);
            g_autofree char *bus = g_strdup_printf("%s.%u", ctrlId, d->addr.drivebus);
            json_object_set_string_member(dev, "driver", cdrom ? "ide-cd" : "ide-hd");
            json_object_set_string_member(dev, "bus", bus);
            json_object_set_int_member(dev, "unit", d->addr.unit);
            break;
        }
        case VGM_DISK_BUS_SATA:
        case VGM_DISK_BUS_NONE:
        case VGM_DISK_BUS_LAST: {
            /* the port of an AHCI controller; q35's own is "ide" */
            const VgmDeviceAddress *a = &d->addr;
            g_autofree char *ctrlId = vgmQemuControllerBusId(def, "sata", a->controller);
            g_autofree char *bus = g_strdup_printf("%s.%u", ctrlId, a->unit);
            json_object_set_string_member(dev, "driver", cdrom ? "ide-cd" : "ide-hd");
            json_object_set_string_member(dev, "bus", bus);
            break;
        }
        }
        if (d->shareable)
            json_object_set_boolean_member(dev, "share-rw", TRUE);
        if (vgmDiskHasMedium(d))
            json_object_set_string_member(dev, "drive", cor ? cor : format);
        json_object_set_string_member(dev, "id", id);
        /* a floppy boots through its controller (vgmCmdFloppyController) */
        if (boot && d->bus != VGM_DISK_BUS_FDC)
            json_object_set_int_member(dev, "bootindex", boot);
        vgmCmdDiskFrontend(dev, d, cache);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
        /* the tray opens once QEMU listens, before the guest runs */
        if (d->trayOpen) {
            JsonObject *args = json_object_new();

            json_object_set_string_member(args, "id", id);
            vgmCmdStartup(cmd, "blockdev-open-tray", args);
        }
        /* <iotune> as libvirt sets it with -blockdev, once QEMU listens */
        if (d->iotune && vgmDiskHasMedium(d)) {
            g_autofree char *qom = vgmQemuDiskThrottleId(def, d);

            vgmCmdStartup(cmd, "block_set_io_throttle", vgmQemuDiskThrottleArgs(qom, d->iotune));
        }
    }
}

/* virtio-net's transmit mode, notifications and offloads, right after
 * the driver in libvirt's order */
static void
vgmCmdNetVirtioOpts(JsonObject *dev, const VgmNetDef *n)
{
    size_t i;

    if (n->txmode)
        json_object_set_string_member(dev, "tx",
                                      n->txmode == VGM_NET_TXMODE_IOTHREAD ? "bh" : "timer");
    if (n->ioeventfd)
        json_object_set_boolean_member(dev, "ioeventfd", n->ioeventfd == VGM_TRISTATE_YES);
    if (n->eventIdx)
        json_object_set_boolean_member(dev, "event_idx", n->eventIdx == VGM_TRISTATE_YES);
    for (i = 0; i < VGM_NET_OFFLOAD_LAST; i++) {
        if (n->offloads[i])
            json_object_set_boolean_member(dev, vgmNetOffloads[i].qemuProp,
                                           n->offloads[i] == VGM_TRISTATE_YES);
    }
}

/* Whether some RAM backend of the guest's (not a memory device's) is
 * shared, which libvirt takes as the sign a vhost-user backend can map
 * the guest's memory */
static gboolean
vgmCmdSomeMemoryShared(const VgmQemuPlan *plan)
{
    guint i;

    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *be = g_ptr_array_index(plan->backends, i);

        if (be->role != VGM_QEMU_BACKEND_DEVICE && be->share)
            return TRUE;
    }
    return FALSE;
}

/* A netdev's fds, @count from @first: @one names a single one, @many a
 * list of them */
static void
vgmCmdNetFds(JsonObject *o, const char *one, const char *many, int first, unsigned int count)
{
    GString *fds = g_string_new(NULL);
    unsigned int q;

    for (q = 0; q < count; q++)
        g_string_append_printf(fds, "%s%d", q ? ":" : "", first + (int)q);
    json_object_set_string_member(o, count == 1 ? one : many, fds->str);
    g_string_free(fds, TRUE);
}

static void
vgmCmdNets(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autofree char *virtioDrv = NULL;   /* a virtio device's name */
    guint i;

    for (i = 0; i < devs->nets->len; i++) {
        const VgmNetDef *n = g_ptr_array_index(devs->nets, i);
        /* a running domain's interface keeps its id (its alias) */
        g_autofree char *id = vgmDomainNetAlias(def, i);
        g_autofree char *netdev = g_strdup_printf("host%s", id);
        int boot = n->bootOrder ? (int)n->bootOrder :
                   i == 0 ? vgmCmdBootIndex(def, VGM_BOOT_NET) : 0;
        const char *driver = n->model;
        JsonObject *o = json_object_new();
        JsonObject *dev;

        gboolean virtio = g_str_has_prefix(driver, "virtio");

        if (n->type == VGM_NET_TYPE_USER) {
            guint k;

            json_object_set_string_member(o, "type", "user");
            /* the guest's networks, as libvirt writes them */
            for (k = 0; k < n->nguestIps; k++) {
                const char *a = n->guestIps[k].address;
                unsigned int prefix = n->guestIps[k].prefix;

                if (!n->guestIps[k].ipv6) {
                    g_autofree char *net = prefix ? g_strdup_printf("%s/%u", a, prefix) :
                                                    g_strdup(a);

                    json_object_set_string_member(o, "net", net);
                } else {
                    json_object_set_string_member(o, "ipv6-prefix", a);
                    if (prefix)
                        json_object_set_int_member(o, "ipv6-prefixlen", prefix);
                }
            }
        } else if (n->type == VGM_NET_TYPE_VHOSTUSER) {
            /* the backend's socket as a chardev named after the device,
             * as libvirt names it; in server mode QEMU waits for the
             * backend before it starts */
            g_autofree char *chardev = g_strdup_printf("char%s", id);
            g_autofree char *path = vgmQemuEscapeOptValue(n->source);
            g_autofree char *reconnect = n->haveReconnect ?
                                         g_strdup_printf(",reconnect=%u", n->reconnect) : NULL;

            vgmCmdArgPairf(cmd, "-chardev", "socket,id=%s,path=%s%s%s", chardev, path,
                           n->vhostServer ? ",server=on" : "", reconnect ? reconnect : "");
            json_object_set_string_member(o, "type", "vhost-user");
            json_object_set_string_member(o, "chardev", chardev);
            if (n->queues)
                json_object_set_int_member(o, "queues", n->queues);
            /* the backend maps the guest's RAM through its fds; libvirt
             * starts the guest anyway and warns, and so does the driver */
            if (!vgmCmdSomeMemoryShared(plan))
                g_ptr_array_add(cmd->warnings,
                                g_strdup_printf(_("vhost-user interface '%1$s' may not work: no guest memory is shared, so its backend cannot map the guest's RAM (give <memoryBacking><access mode='shared'/> or NUMA cells memAccess='shared')"),
                                                n->mac));
        } else if (vgmQemuNetDriverOpens(n)) {
            /* the macvtap the driver makes, or the tap it opens through
             * <backend tap>, one fd a queue, as libvirt hands them over;
             * with <backend vhost>, vhost-net's fds too */
            VgmQemuNetFds fds;

            vgmQemuNetFdsOf(plan, def, i, &fds);
            json_object_set_string_member(o, "type", "tap");
            vgmCmdNetFds(o, "fd", "fds", fds.firstTap, fds.queues);
            if (vgmQemuNetVhost(plan, n)) {
                json_object_set_boolean_member(o, "vhost", TRUE);
                if (fds.firstVhost >= 0)
                    vgmCmdNetFds(o, "vhostfd", "vhostfds", fds.firstVhost, fds.queues);
            }
            if (n->haveSndbuf)
                json_object_set_int_member(o, "sndbuf", (gint64)n->sndbuf);
        } else if (!vgmNetTypeHasTap(n->type)) {
            /* QEMU's socket netdev: the option names its role */
            static const char *const roles[VGM_NET_TYPE_LAST] = {
                [VGM_NET_TYPE_SERVER] = "listen",
                [VGM_NET_TYPE_CLIENT] = "connect",
                [VGM_NET_TYPE_MCAST] = "mcast",
                [VGM_NET_TYPE_UDP] = "udp",
            };
            g_autofree char *peer = g_strdup_printf("%s:%u", n->source ? n->source : "", n->port);

            json_object_set_string_member(o, "type", "socket");
            json_object_set_string_member(o, roles[n->type], peer);
            if (n->localAddress) {
                g_autofree char *local = g_strdup_printf("%s:%u", n->localAddress, n->localPort);

                json_object_set_string_member(o, "localaddr", local);
            }
        } else if (n->type == VGM_NET_TYPE_ETHERNET || n->type == VGM_NET_TYPE_NETWORK ||
                   n->ifname) {
            /* a tap of the name asked for, which QEMU makes (or opens, with
             * managed='no') and the driver sets up and, for a bridge, puts
             * into it before the guest runs (QEMU's bridge helper cannot
             * name its tap; libvirt makes the tap itself and passes its
             * fds) */
            json_object_set_string_member(o, "type", "tap");
            if (n->ifname)
                json_object_set_string_member(o, "ifname", n->ifname);
            json_object_set_string_member(o, "script", "no");
            json_object_set_string_member(o, "downscript", "no");
            if (n->queues)
                json_object_set_int_member(o, "queues", n->queues);
            if (vgmQemuNetVhost(plan, n))
                json_object_set_boolean_member(o, "vhost", TRUE);
            if (n->haveSndbuf)
                json_object_set_int_member(o, "sndbuf", (gint64)n->sndbuf);
        } else {
            /* type 'bridge' without a tap name: QEMU's bridge helper */
            json_object_set_string_member(o, "type", "bridge");
            json_object_set_string_member(o, "br", n->source);
        }
        json_object_set_string_member(o, "id", netdev);
        vgmCmdJSONArg(cmd, "-netdev", o);

        if (vgmVirtioModelKind(driver) != VGM_VIRTIO_KIND_NONE)
            driver = vgmCmdVirtioPci("virtio-net", vgmVirtioModelKind(driver), &virtioDrv);
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", driver);
        if (virtio)
            vgmCmdNetVirtioOpts(dev, n);
        if (n->queues) {
            /* a receive and a transmit vector per queue, one for control
             * and one for configuration */
            json_object_set_boolean_member(dev, "mq", TRUE);
            json_object_set_int_member(dev, "vectors", 2 * n->queues + 2);
        }
        if (n->rxQueueSize)
            json_object_set_int_member(dev, "rx_queue_size", n->rxQueueSize);
        if (n->txQueueSize)
            json_object_set_int_member(dev, "tx_queue_size", n->txQueueSize);
        if (n->rss)
            json_object_set_boolean_member(dev, "rss", n->rss == VGM_TRISTATE_YES);
        if (n->rssHashReport)
            json_object_set_boolean_member(dev, "hash", n->rssHashReport == VGM_TRISTATE_YES);
        if (n->mtu && virtio)
            json_object_set_int_member(dev, "host_mtu", n->mtu);
        if (n->teaming == VGM_NET_TEAMING_PERSISTENT)
            json_object_set_boolean_member(dev, "failover", TRUE);
        json_object_set_string_member(dev, "netdev", netdev);
        json_object_set_string_member(dev, "id", id);
        json_object_set_string_member(dev, "mac", n->mac);
        if (boot)
            json_object_set_int_member(dev, "bootindex", boot);
        vgmCmdIommu(dev, &n->virtio, &n->addr, plan);
        vgmCmdAddress(dev, &n->addr, plan);
        /* <rom enabled='no'>: no ROM file at all, whatever bar says */
        if (n->romEnabled == VGM_TRISTATE_NO) {
            json_object_set_string_member(dev, "romfile", "");
        } else {
            if (n->romBar)
                json_object_set_int_member(dev, "rombar", n->romBar == VGM_TRISTATE_YES);
            if (n->romFile)
                json_object_set_string_member(dev, "romfile", n->romFile);
        }
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
        /* a link that starts down goes down once QEMU listens, before the
         * guest runs, as libvirt sets it */
        if (n->linkDown == VGM_TRISTATE_YES) {
            JsonObject *args = json_object_new();

            json_object_set_string_member(args, "name", id);
            json_object_set_boolean_member(args, "up", FALSE);
            vgmCmdStartup(cmd, "set_link", args);
        }
    }
}

/* @path: the socket of a unix channel left to the driver, else NULL */
static void
vgmCmdChardev(VgmQemuCmd *cmd, const VgmChrDef *chr, const char *id, const char *sockPath)
{
    g_autofree char *path = chr->path ? vgmQemuEscapeOptValue(chr->path) :
                            sockPath ? vgmQemuEscapeOptValue(sockPath) : NULL;
    GString *s = g_string_new(NULL);

    switch (chr->type) {
    case VGM_CHR_TYPE_PTY:
        g_string_append_printf(s, "pty,id=%s", id);
        break;
    case VGM_CHR_TYPE_SPICEVMC:
        /* the SPICE channel: the agent's for a <channel>, USB redirection
         * for a <redirdev> */
        g_string_append_printf(s, "spicevmc,id=%s,name=%s", id,
                               chr->kind == VGM_CHR_REDIRDEV ? "usbredir" :
                               chr->kind == VGM_CHR_SMARTCARD ? "smartcard" : "vdagent");
        break;
    case VGM_CHR_TYPE_VC:
    case VGM_CHR_TYPE_NULL:
    case VGM_CHR_TYPE_STDIO:
        g_string_append_printf(s, "%s,id=%s", vgmChrTypeToString(chr->type), id);
        break;
    case VGM_CHR_TYPE_SPICEPORT: {
        g_autofree char *name = vgmQemuEscapeOptValue(chr->path);

        g_string_append_printf(s, "spiceport,id=%s,name=%s", id, name);
        break;
    }
    case VGM_CHR_TYPE_QEMU_VDAGENT:
        /* libvirt's: the mouse in client mode is QEMU's absolute one */
        g_string_append_printf(s, "qemu-vdagent,id=%s,name=vdagent", id);
        if (chr->vdagentClipboard)
            g_string_append_printf(s, ",clipboard=%s",
                                   chr->vdagentClipboard == VGM_TRISTATE_YES ? "on" : "off");
        if (chr->vdagentMouse)
            g_string_append_printf(s, ",mouse=%s",
                                   g_str_equal(chr->vdagentMouse, "client") ? "on" : "off");
        break;
    case VGM_CHR_TYPE_DEV:
        /* QEMU's backends for a host tty and a host parallel port */
        g_string_append_printf(s, "%s,id=%s,path=%s",
                               chr->kind == VGM_CHR_PARALLEL ? "parallel" : "serial", id, path);
        break;
    case VGM_CHR_TYPE_PIPE:
        g_string_append_printf(s, "pipe,id=%s,path=%s", id, path);
        break;
    case VGM_CHR_TYPE_FILE:
        g_string_append_printf(s, "file,id=%s,path=%s%s", id, path,
                               chr->append == VGM_TRISTATE_YES ? ",append=on" :
                               chr->append == VGM_TRISTATE_NO ? ",append=off" : "");
        break;
    case VGM_CHR_TYPE_UNIX:
        g_string_append_printf(s, "socket,id=%s,path=%s%s", id, path,
                               g_str_equal(chr->mode, "bind") ? ",server=on,wait=off" : "");
        break;
    case VGM_CHR_TYPE_TCP: {
        g_autofree char *host = vgmQemuEscapeOptValue(chr->host);
        g_autofree char *port = vgmQemuEscapeOptValue(chr->service);

        g_string_append_printf(s, "socket,id=%s,host=%s,port=%s%s%s", id, host, port,
                               chr->protocol == VGM_CHR_PROTOCOL_TELNET ? ",telnet=on" : "",
                               g_str_equal(chr->mode, "bind") ? ",server=on,wait=off" : "");
        break;
    }
    case VGM_CHR_TYPE_UDP: {
        g_autofree char *host = chr->host ? vgmQemuEscapeOptValue(chr->host) : NULL;
        g_autofree char *port = vgmQemuEscapeOptValue(chr->service);
        g_autofree char *lhost = chr->bindHost ? vgmQemuEscapeOptValue(chr->bindHost) : NULL;
        g_autofree char *lport = chr->bindService ? vgmQemuEscapeOptValue(chr->bindService) : NULL;

        /* libvirt writes the local end even when there is none */
        g_string_append_printf(s, "udp,id=%s,host=%s,port=%s,localaddr=%s,localport=%s", id,
                               host ? host : "", port, lhost ? lhost : "", lport ? lport : "0");
        break;
    }
    case VGM_CHR_TYPE_LAST:
        break;
    }
    /* a connecting socket's reconnect, after its address, as libvirt
     * writes it: the timeout, or 0 for never */
    if (chr->reconnect)
        g_string_append_printf(s, ",reconnect=%u",
                               chr->reconnect == VGM_TRISTATE_YES ? chr->reconnectTimeout : 0);
    /* <log>: any backend copies its output there, after its own options */
    if (chr->logfile) {
        g_autofree char *log = vgmQemuEscapeOptValue(chr->logfile);

        g_string_append_printf(s, ",logfile=%s", log);
        if (chr->logappend)
            g_string_append_printf(s, ",logappend=%s",
                                   vgmTristateSwitchTypeToString(chr->logappend));
    }
    vgmCmdArg(cmd, "-chardev");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
}

static void
vgmCmdChars(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
            const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) serialIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_SERIAL);
    g_autoptr(GPtrArray) parallelIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_PARALLEL);
    g_autoptr(GPtrArray) channelIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_CHANNEL);
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->serials->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->serials, i);
        const char *id = g_ptr_array_index(serialIds, i);
        g_autofree char *chardev = g_strdup_printf("char%s", id);
        const char *model = chr->targetModel ? chr->targetModel : "isa-serial";
        JsonObject *dev = json_object_new();

        vgmCmdChardev(cmd, chr, chardev, NULL);
        json_object_set_string_member(dev, "driver", model);
        json_object_set_string_member(dev, "chardev", chardev);
        json_object_set_string_member(dev, "id", id);
        if (g_str_equal(model, "isa-serial"))
            json_object_set_int_member(dev, "index", chr->port);
        /* where on the ISA bus, when the definition says */
        if (chr->addr.type == VGM_ADDRESS_ISA && chr->addr.haveIobase)
            json_object_set_int_member(dev, "iobase", chr->addr.iobase);
        if (chr->addr.type == VGM_ADDRESS_ISA && chr->addr.haveIrq)
            json_object_set_int_member(dev, "irq", chr->addr.irq);
        if (chr->addr.type == VGM_ADDRESS_USB)
            vgmCmdUsbAddress(dev, def, &chr->addr);
        else
            vgmCmdAddress(dev, &chr->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
    /* parallel ports, which QEMU numbers in order (validation held the
     * ports to that order) */
    for (i = 0; i < devs->parallels->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->parallels, i);
        const char *id = g_ptr_array_index(parallelIds, i);
        g_autofree char *chardev = g_strdup_printf("char%s", id);
        JsonObject *dev = json_object_new();

        vgmCmdChardev(cmd, chr, chardev, NULL);
        json_object_set_string_member(dev, "driver", "isa-parallel");
        json_object_set_string_member(dev, "chardev", chardev);
        json_object_set_string_member(dev, "id", id);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
    /* channels: virtio-serial ports (post-parse added their controllers,
     * as for virtio consoles); a unix socket left to the driver is
     * vgmQemuChannelSocketPath's */
    for (i = 0; i < devs->channels->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->channels, i);
        const char *id = g_ptr_array_index(channelIds, i);
        g_autofree char *chardev = g_strdup_printf("char%s", id);
        g_autofree char *ctrlId = vgmQemuControllerBusId(def, "virtio-serial",
                                                         chr->addr.controller);
        g_autofree char *bus = g_strdup_printf("%s.%u", ctrlId, chr->addr.drivebus);
        g_autofree char *sock = NULL;
        JsonObject *dev;

        if (chr->type == VGM_CHR_TYPE_UNIX && !chr->path)
            sock = vgmQemuChannelSocketPath(cfg, def->name, i);
        vgmCmdChardev(cmd, chr, chardev, sock);
        if (chr->fwdAddress) {
            /* a user network of its own whose guestfwd rule hands the
             * connections to the chardev, as libvirt writes it */
            JsonObject *nd = json_object_new();
            JsonArray *fwds = json_array_new();
            JsonObject *fwd = json_object_new();
            g_autofree char *rule = g_strdup_printf("tcp:%s:%u-chardev:%s", chr->fwdAddress,
                                                    chr->fwdPort, chardev);

            json_object_set_string_member(nd, "type", "user");
            json_object_set_string_member(fwd, "str", rule);
            json_array_add_object_element(fwds, fwd);
            json_object_set_array_member(nd, "guestfwd", fwds);
            json_object_set_string_member(nd, "id", id);
            vgmCmdJSONArg(cmd, "-netdev", nd);
            continue;
        }
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", "virtserialport");
        json_object_set_string_member(dev, "bus", bus);
        json_object_set_int_member(dev, "nr", chr->addr.unit);
        json_object_set_string_member(dev, "chardev", chardev);
        json_object_set_string_member(dev, "id", id);
        if (vgmChrChannelName(chr))
            json_object_set_string_member(dev, "name", vgmChrChannelName(chr));
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
    for (i = 0; i < devs->consoles->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->consoles, i);
        g_autofree char *id = vgmQemuConsoleId(def, i);
        g_autofree char *chardev = g_strdup_printf("char%s", id);
        JsonObject *dev;

        /* a serial console is the serial port itself */
        if (!chr->targetType || !g_str_equal(chr->targetType, "virtio"))
            continue;
        vgmCmdChardev(cmd, chr, chardev, NULL);
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", "virtconsole");
        json_object_set_string_member(dev, "chardev", chardev);
        json_object_set_string_member(dev, "id", id);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* <input>: the machine's own PS/2 mouse and keyboard need nothing; USB
 * and virtio inputs are devices named after their place in <devices>
 * (input0, ...), USB ones on their controller's bus and port. */
static void
vgmCmdInputs(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) inputIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_INPUT);
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->inputs->len; i++) {
        const VgmInputDef *in = g_ptr_array_index(devs->inputs, i);
        const char *driver = vgmQemuInputDevice(in->type, in->bus);
        const char *id = g_ptr_array_index(inputIds, i);
        JsonObject *dev;

        if (in->type == VGM_INPUT_TYPE_EVDEV) {
            /* QEMU reads the host device itself */
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "qom-type", "input-linux");
            json_object_set_string_member(o, "id", id);
            json_object_set_string_member(o, "evdev", in->evdev);
            if (in->repeat)
                json_object_set_boolean_member(o, "repeat", in->repeat == VGM_TRISTATE_YES);
            if (in->grabAll)
                json_object_set_boolean_member(o, "grab_all", TRUE);
            if (in->grabToggle)
                json_object_set_string_member(o, "grab-toggle",
                                              vgmInputGrabToggleTypeToString(in->grabToggle));
            vgmCmdObject(cmd, o);
            json_object_unref(o);
            continue;
        }
        if (!driver)
            continue;
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", driver);
        json_object_set_string_member(dev, "id", id);
        if (in->type == VGM_INPUT_TYPE_PASSTHROUGH)
            json_object_set_string_member(dev, "evdev", in->evdev);
        if (in->bus == VGM_INPUT_BUS_USB) {
            vgmCmdUsbAddress(dev, def, &in->addr);
        } else {
            vgmCmdIommu(dev, &in->virtio, &in->addr, plan);
            vgmCmdAddress(dev, &in->addr, plan);
        }
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* The -audiodev properties of the attributes in @values, typed and in
 * libvirt's order */
static void
vgmCmdAudioProps(JsonObject *o, char *const *values)
{
    size_t k;

    for (k = 0; k < VGM_AUDIO_NATTRS; k++) {
        const VgmAudioAttrInfo *info = &vgmAudioAttrs[k];

        if (!values[k] || !info->qemuProp)
            continue;
        switch (info->kind) {
        case VGM_AUDIO_VALUE_BOOL:
            json_object_set_boolean_member(o, info->qemuProp, g_str_equal(values[k], "yes"));
            break;
        case VGM_AUDIO_VALUE_UINT:
        case VGM_AUDIO_VALUE_POSITIVE:
        case VGM_AUDIO_VALUE_INT:
            json_object_set_int_member(o, info->qemuProp, g_ascii_strtoll(values[k], NULL, 10));
            break;
        case VGM_AUDIO_VALUE_STRING:
        case VGM_AUDIO_VALUE_PATH:
        case VGM_AUDIO_VALUE_ENUM:
            json_object_set_string_member(o, info->qemuProp, values[k]);
            break;
        }
    }
}

static void
vgmCmdAudios(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices.audios->len; i++) {
        const VgmAudioDef *a = g_ptr_array_index(def->devices.audios, i);
        g_autofree char *id = g_strdup_printf("audio%u", a->id);
        JsonObject *o = json_object_new();
        size_t d;

        json_object_set_string_member(o, "id", id);
        json_object_set_string_member(o, "driver", vgmAudioQemuDriver(a->type));
        vgmCmdAudioProps(o, a->values[0]);
        /* SDL's own audio driver is chosen by QEMU's environment */
        if (g_str_equal(a->type, "sdl")) {
            size_t k;

            for (k = 0; k < VGM_AUDIO_NATTRS; k++) {
                if (a->values[0][k] && g_str_equal(vgmAudioAttrs[k].attr, "driver"))
                    g_ptr_array_add(cmd->env, g_strdup_printf("SDL_AUDIODRIVER=%s",
                                                              a->values[0][k]));
            }
        }
        for (d = 0; d < 2; d++) {
            JsonObject *io = json_object_new();

            vgmCmdAudioProps(io, a->values[1 + d]);
            if (json_object_get_size(io) > 0)
                json_object_set_object_member(o, d == 0 ? "in" : "out", io);
            else
                json_object_unref(io);
        }
        vgmCmdJSONArg(cmd, "-audiodev", o);
    }
}

/* After the video devices, as libvirt writes them: the controller (with
 * its audiodev, for AC97 and ES1370), then an HDA controller's codecs on
 * its bus, duplex when none is given. */
static void
vgmCmdSounds(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) soundIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_SOUND);
    guint i;
    size_t j;

    for (i = 0; i < def->devices.sounds->len; i++) {
        const VgmSoundDef *snd = g_ptr_array_index(def->devices.sounds, i);
        const char *id = g_ptr_array_index(soundIds, i);
        g_autofree char *audio = vgmQemuAudiodevId(def, snd->audioId);
        gboolean hda = snd->model == VGM_SOUND_ICH6 || snd->model == VGM_SOUND_ICH9;
        JsonObject *dev;

        /* (the PC speaker is a machine property: the plan's) */
        if (snd->model == VGM_SOUND_PCSPK)
            continue;
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", vgmQemuSoundDevice(snd->model));
        json_object_set_string_member(dev, "id", id);
        if (!hda && audio)
            json_object_set_string_member(dev, "audiodev", audio);
        if (snd->model == VGM_SOUND_USB)
            vgmCmdUsbAddress(dev, def, &snd->addr);
        else
            vgmCmdAddress(dev, &snd->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
        for (j = 0; hda && j < MAX(snd->ncodecs, 1); j++) {
            VgmSoundCodec codec = snd->ncodecs ? snd->codecs[j] : VGM_SOUND_CODEC_DUPLEX;
            g_autofree char *cid = g_strdup_printf("%s-codec%zu", id, j);
            g_autofree char *bus = g_strdup_printf("%s.0", id);

            dev = json_object_new();
            json_object_set_string_member(dev, "driver", vgmQemuSoundCodecDevice(codec));
            json_object_set_string_member(dev, "id", cid);
            json_object_set_string_member(dev, "bus", bus);
            json_object_set_int_member(dev, "cad", (gint64)j);
            if (audio)
                json_object_set_string_member(dev, "audiodev", audio);
            vgmCmdDevice(cmd, dev);
            json_object_unref(dev);
        }
    }
}

/* The QEMU option of each VgmSpiceOpt, and its values for libvirt's
 * (parallel to vgmSpiceOptTable's; NULL: QEMU's default, not written) */
static const struct {
    const char *opt;
    const char *const *qemuValues;      /* NULL: libvirt's value as it is */
} vgmCmdSpiceOpts[VGM_SPICE_OPT_LAST] = {
    [VGM_SPICE_OPT_IMAGE] = { "image-compression", NULL },
    [VGM_SPICE_OPT_JPEG] = { "jpeg-wan-compression", NULL },
    [VGM_SPICE_OPT_ZLIB] = { "zlib-glz-wan-compression", NULL },
    [VGM_SPICE_OPT_PLAYBACK] = { "playback-compression", NULL },
    [VGM_SPICE_OPT_STREAMING] = { "streaming-video", NULL },
    [VGM_SPICE_OPT_MOUSE] = { "agent-mouse", (const char *const[]){ "off", "on" } },
    [VGM_SPICE_OPT_CLIPBOARD] = { "disable-copy-paste", (const char *const[]){ NULL, "on" } },
    [VGM_SPICE_OPT_FILETRANSFER] = { "disable-agent-file-xfer", (const char *const[]){ NULL, "on" } },
    [VGM_SPICE_OPT_GL] = { "gl", (const char *const[]){ "on", NULL } },
};

static void
vgmCmdSpiceOpt(GString *s, const VgmGraphicsDef *g, VgmSpiceOpt opt)
{
    const char *value = g->spiceOpts[opt];
    size_t k;

    if (!value)
        return;
    if (vgmCmdSpiceOpts[opt].qemuValues) {
        /* parsing held the value to the table's */
        for (k = 0; !g_str_equal(vgmSpiceOptTable[opt].values[k], value); k++)
            ;
        value = vgmCmdSpiceOpts[opt].qemuValues[k];
    }
    if (value)
        g_string_append_printf(s, ",%s=%s", vgmCmdSpiceOpts[opt].opt, value);
}

/* The -spice option, in libvirt's order: port and address (port 0 when it
 * listens nowhere), the agent's mouse, no password, the channels left in
 * plain text, the other settings, seamless migration. A port left to the
 * driver that it has not chosen yet (domxml-to-native) is written as
 * 5900. */
static void
vgmCmdSpice(VgmQemuCmd *cmd, const VgmGraphicsDef *g, const char *socketPath)
{
    GString *s = g_string_new(NULL);
    size_t i;

    if (g->listenSocket)
        g_string_append_printf(s, "unix=on,addr=%s", socketPath);
    else if (g->listenNone)
        g_string_append(s, "port=0");
    else
        g_string_append_printf(s, "port=%d,addr=%s", g->havePort && g->port > 0 ? g->port : 5900,
                               g->listen ? g->listen : VGM_QEMU_GRAPHICS_DEFAULT_LISTEN);
    vgmCmdSpiceOpt(s, g, VGM_SPICE_OPT_MOUSE);
    /* with a password, the server asks for a ticket (set over QMP) */
    if (!g->passwd)
        g_string_append(s, ",disable-ticketing=on");
    if (g_strcmp0(g->defaultMode, "insecure") == 0)
        g_string_append(s, ",plaintext-channel=default");
    for (i = 0; i < g->nchannels; i++) {
        if (g_str_equal(g->channels[i].mode, "insecure"))
            g_string_append_printf(s, ",plaintext-channel=%s", g->channels[i].name);
    }
    for (i = 0; i < VGM_SPICE_OPT_LAST; i++) {
        if (i != VGM_SPICE_OPT_MOUSE)
            vgmCmdSpiceOpt(s, g, i);
    }
    g_string_append(s, ",seamless-migration=on");
    vgmCmdArg(cmd, "-spice");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
    if (g->keymap)
        vgmCmdArgPairf(cmd, "-k", "%s", g->keymap);
}

/* A server's password, as libvirt sets it once QEMU listens (never on
 * the command line, where any user of the host reads it): set_password
 * (with connected='' when given), then expire_password: 'never', the
 * passwdValidTo time in seconds since the epoch, or 'now' for a time
 * gone by or an empty password (which no client can then give). */
void
vgmQemuGraphicsPasswordCommands(const VgmGraphicsDef *g, GPtrArray *out)
{
    JsonObject *set;
    JsonObject *expire;
    JsonObject *exec;
    g_autofree char *when = NULL;

    if (!g->passwd)
        return;
    set = json_object_new();
    json_object_set_string_member(set, "protocol", vgmGraphicsTypeToString(g->type));
    json_object_set_string_member(set, "password", g->passwd);
    if (g->connected)
        json_object_set_string_member(set, "connected", g->connected);
    exec = json_object_new();
    json_object_set_string_member(exec, "execute", "set_password");
    json_object_set_object_member(exec, "arguments", set);
    g_ptr_array_add(out, exec);
    if (!*g->passwd || (g->passwdExpires && g->passwdValidTo <= g_get_real_time() / G_USEC_PER_SEC))
        when = g_strdup("now");
    else if (g->passwdExpires)
        when = g_strdup_printf("%" G_GINT64_FORMAT, g->passwdValidTo);
    else
        when = g_strdup("never");
    expire = json_object_new();
    json_object_set_string_member(expire, "protocol", vgmGraphicsTypeToString(g->type));
    json_object_set_string_member(expire, "time", when);
    exec = json_object_new();
    json_object_set_string_member(exec, "execute", "expire_password");
    json_object_set_object_member(exec, "arguments", expire);
    g_ptr_array_add(out, exec);
}

/* -vnc in libvirt's order: where it listens (a port, a unix socket or
 * nowhere) and its websocket, the share policy, power control, audio;
 * then the keymap */
static void
vgmCmdVnc(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmGraphicsDef *g,
          const char *socketPath)
{
    GString *s = g_string_new(NULL);
    g_autofree char *audio = vgmQemuAudiodevId(def, g->audioId);

    if (g->listenSocket) {
        g_string_append_printf(s, "vnc=unix:%s", socketPath);
    } else if (g->listenNone) {
        g_string_append(s, "none");
    } else {
        const char *listen = g->listen ? g->listen : VGM_QEMU_GRAPHICS_DEFAULT_LISTEN;

        g_string_append_printf(s, strchr(listen, ':') ? "[%s]" : "%s", listen);
        if (g->port == -1 || !g->havePort)
            g_string_append(s, ":0,to=100");
        else
            g_string_append_printf(s, ":%d", g->port - 5900);
        /* (-1 left, without a start to choose it: QEMU's own, 5700 plus
         * the display) */
        if (g->websocket == -1)
            g_string_append(s, ",websocket=on");
        else if (g->websocket)
            g_string_append_printf(s, ",websocket=%d", g->websocket);
    }
    if (g->sharePolicy)
        g_string_append_printf(s, ",share=%s", g->sharePolicy);
    /* VNC authentication, its password set over QMP */
    if (g->passwd)
        g_string_append(s, ",password=on");
    if (g->powerControl)
        g_string_append_printf(s, ",power-control=%s",
                               g->powerControl == VGM_TRISTATE_YES ? "on" : "off");
    /* VNC passes the guest's sound on to its clients */
    if (audio)
        g_string_append_printf(s, ",audiodev=%s", audio);
    vgmCmdArg(cmd, "-vnc");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
    if (g->keymap)
        vgmCmdArgPairf(cmd, "-k", "%s", g->keymap);
}

static void
vgmCmdGraphicsVideo(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                    const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) videoIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_VIDEO);
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->graphics->len; i++) {
        const VgmGraphicsDef *g = g_ptr_array_index(devs->graphics, i);
        gboolean spice = g->type == VGM_GRAPHICS_SPICE;
        /* (a socket left to the driver: a start names it, the
         * configuration's lowering has it too) */
        g_autofree char *path = g->socket ? g_strdup(g->socket) :
                                vgmQemuGraphicsSocketPath(cfg, def->name, spice);
        g_autofree char *socketPath = vgmQemuEscapeOptValue(path);

        if (spice)
            vgmCmdSpice(cmd, g, socketPath);
        else
            vgmCmdVnc(cmd, def, g, socketPath);
        vgmQemuGraphicsPasswordCommands(g, cmd->startup);
    }
    for (i = 0; i < devs->videos->len; i++) {
        const VgmVideoDef *v = g_ptr_array_index(devs->videos, i);
        const char *id = g_ptr_array_index(videoIds, i);
        const VgmQemuVideoDevice *vd = vgmQemuVideoDeviceFind(v->model);
        JsonObject *dev;

        if (!vd || !vd->primary)
            continue;
        /* driver, virtio options, id, outputs, then the memory sizes, as
         * libvirt writes them */
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", i == 0 ? vd->primary : vd->secondary);
        vgmCmdIommu(dev, &v->virtio, &v->addr, plan);
        json_object_set_string_member(dev, "id", id);
        if (vd->outputs)
            json_object_set_int_member(dev, "max_outputs", v->heads);
        switch (vd->mem) {
        case VGM_QEMU_VIDEO_MEM_NONE:
            break;
        case VGM_QEMU_VIDEO_MEM_VGAMEM_MB:
            json_object_set_int_member(dev, "vgamem_mb", v->vram / 1024);
            break;
        case VGM_QEMU_VIDEO_MEM_VGAMEM_BYTES:
            json_object_set_int_member(dev, "vgamem", (gint64)v->vram * 1024);
            break;
        case VGM_QEMU_VIDEO_MEM_QXL:
            json_object_set_int_member(dev, "ram_size", (gint64)v->ram * 1024);
            json_object_set_int_member(dev, "vram_size", (gint64)v->vram * 1024);
            json_object_set_int_member(dev, "vram64_size_mb", v->vram64 / 1024);
            json_object_set_int_member(dev, "vgamem_mb", v->vgamem / 1024);
            break;
        }
        if (v->resX) {
            json_object_set_int_member(dev, "xres", v->resX);
            json_object_set_int_member(dev, "yres", v->resY);
        }
        vgmCmdAddress(dev, &v->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* usb-redir's filter: each rule as class:vendor:product:version:allow
 * (-1: any), joined by '|', as libvirt writes it; NULL without rules */
static char *
vgmCmdRedirFilter(const GPtrArray *rules)
{
    GString *s;
    guint i;

    if (rules->len == 0)
        return NULL;
    s = g_string_new(NULL);
    for (i = 0; i < rules->len; i++) {
        const VgmRedirFilterRule *r = g_ptr_array_index(rules, i);
        const struct {
            int value;
            const char *fmt;
        } fields[] = {
            { r->usbClass, "0x%02X:" }, { r->vendor, "0x%04X:" },
            { r->product, "0x%04X:" }, { r->version, "0x%04X:" },
        };
        size_t f;

        if (i)
            g_string_append_c(s, '|');
        for (f = 0; f < G_N_ELEMENTS(fields); f++) {
            if (fields[f].value >= 0)
                g_string_append_printf(s, fields[f].fmt, (unsigned int)fields[f].value);
            else
                g_string_append(s, "-1:");
        }
        g_string_append_c(s, r->allow ? '1' : '0');
    }
    return g_string_free(s, FALSE);
}

static void
vgmCmdBalloonRng(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) redirdevIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_REDIRDEV);
    g_autoptr(GPtrArray) rngIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_RNG);
    const VgmDevicesDef *devs = &def->devices;
    const VgmMemballoonDef *mb = devs->memballoon;
    g_autofree char *filter = NULL;
    g_autofree char *virtioDrv = NULL;   /* a virtio device's name */
    guint i;

    /* the watchdog (its QEMU device has the model's name) before the
     * balloon, as libvirt writes them */
    if (devs->watchdog) {
        JsonObject *dev = json_object_new();

        json_object_set_string_member(dev, "driver", devs->watchdog->model);
        json_object_set_string_member(dev, "id", vgmQemuSingleId(devs->watchdog->alias, "watchdog0"));
        vgmCmdAddress(dev, &devs->watchdog->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
        /* (a dump is the driver's, of the guest QEMU paused, as libvirt's) */
        vgmCmdArgPairf(cmd, "-watchdog-action", "%s",
                       vgmWatchdogActionTypeToString(devs->watchdog->action ==
                                                     VGM_WATCHDOG_ACTION_DUMP ?
                                                     VGM_WATCHDOG_ACTION_PAUSE :
                                                     devs->watchdog->action));
    }
    /* USB redirections, after the watchdog as libvirt writes them, each
     * with the <redirfilter> rules */
    filter = vgmCmdRedirFilter(devs->redirfilter);
    for (i = 0; i < devs->redirdevs->len; i++) {
        const VgmChrDef *rd = g_ptr_array_index(devs->redirdevs, i);
        const char *id = g_ptr_array_index(redirdevIds, i);
        g_autofree char *chardev = g_strdup_printf("char%s", id);
        JsonObject *dev = json_object_new();

        vgmCmdChardev(cmd, rd, chardev, NULL);
        json_object_set_string_member(dev, "driver", "usb-redir");
        json_object_set_string_member(dev, "chardev", chardev);
        json_object_set_string_member(dev, "id", id);
        if (filter)
            json_object_set_string_member(dev, "filter", filter);
        if (rd->bootOrder)
            json_object_set_int_member(dev, "bootindex", rd->bootOrder);
        vgmCmdUsbAddress(dev, def, &rd->addr);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
    if (mb && vgmVirtioModelKind(mb->model) != VGM_VIRTIO_KIND_NONE) {
        JsonObject *dev = json_object_new();
        g_autofree char *drv = NULL;

        json_object_set_string_member(dev, "driver",
                                      vgmCmdVirtioPci("virtio-balloon",
                                                      vgmVirtioModelKind(mb->model), &drv));
        json_object_set_string_member(dev, "id", vgmQemuSingleId(mb->alias, VGM_QEMU_BALLOON_ID));
        if (mb->autodeflate)
            json_object_set_boolean_member(dev, "deflate-on-oom", mb->autodeflate == VGM_TRISTATE_YES);
        if (mb->freePageReporting)
            json_object_set_boolean_member(dev, "free-page-reporting",
                                           mb->freePageReporting == VGM_TRISTATE_YES);
        vgmCmdIommu(dev, &mb->virtio, &mb->addr, plan);
        vgmCmdAddress(dev, &mb->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
        /* once QEMU listens, as libvirt sets them up: how often the guest
         * reports its memory statistics (<stats period>), and the
         * balloon's first target, <currentMemory> (QEMU's own is all of
         * the memory) */
        if (mb->havePeriod && mb->period) {
            g_autofree char *path = g_strdup_printf("/machine/peripheral/%s",
                                                    vgmQemuSingleId(mb->alias, VGM_QEMU_BALLOON_ID));
            JsonObject *args = json_object_new();

            json_object_set_string_member(args, "path", path);
            json_object_set_string_member(args, "property", "guest-stats-polling-interval");
            json_object_set_int_member(args, "value", mb->period);
            vgmCmdStartup(cmd, "qom-set", args);
        }
        if (def->curMemory && def->curMemory < def->memory) {
            JsonObject *args = json_object_new();

            json_object_set_int_member(args, "value", (gint64)(def->curMemory * 1024));
            vgmCmdStartup(cmd, "balloon", args);
        }
    }
    for (i = 0; i < devs->rngs->len; i++) {
        const VgmRngDef *r = g_ptr_array_index(devs->rngs, i);
        const char *id = g_ptr_array_index(rngIds, i);
        g_autofree char *obj = g_strdup_printf("obj%s", id);
        JsonObject *o = json_object_new();
        JsonObject *dev = json_object_new();

        if (r->egd) {
            /* the daemon's character device first, as libvirt writes it */
            g_autofree char *chardev = g_strdup_printf("char%s", id);

            vgmCmdChardev(cmd, r->egd, chardev, NULL);
            json_object_set_string_member(o, "qom-type", "rng-egd");
            json_object_set_string_member(o, "id", obj);
            json_object_set_string_member(o, "chardev", chardev);
        } else if (g_str_equal(r->backendModel, "builtin")) {
            json_object_set_string_member(o, "qom-type", "rng-builtin");
            json_object_set_string_member(o, "id", obj);
        } else {
            json_object_set_string_member(o, "qom-type", "rng-random");
            json_object_set_string_member(o, "id", obj);
            json_object_set_string_member(o, "filename", r->backend);
        }
        vgmCmdObject(cmd, o);
        json_object_unref(o);
        json_object_set_string_member(dev, "driver",
                                      vgmCmdVirtioPci("virtio-rng", vgmVirtioModelKind(r->model),
                                                      &virtioDrv));
        json_object_set_string_member(dev, "rng", obj);
        json_object_set_string_member(dev, "id", id);
        /* libvirt's: the period defaults to QEMU's second */
        if (r->rateBytes) {
            json_object_set_int_member(dev, "max-bytes", r->rateBytes);
            json_object_set_int_member(dev, "period", r->ratePeriod ? r->ratePeriod : 1000);
        }
        vgmCmdIommu(dev, &r->virtio, &r->addr, plan);
        vgmCmdAddress(dev, &r->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* <features><vmcoreinfo/>: the fw_cfg device through which a guest kernel
 * tells where its crash-dump notes are, so a host dump of the guest can be
 * read by crash tools; libvirt writes it after the RNGs. */
static void
vgmCmdVmcoreinfo(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    JsonObject *dev;

    if (def->features.features[VGM_FEATURE_VMCOREINFO] != VGM_TRISTATE_YES)
        return;
    dev = json_object_new();
    json_object_set_string_member(dev, "driver", "vmcoreinfo");
    vgmCmdDevice(cmd, dev);
    json_object_unref(dev);
}

/* A TPM: the swtpm the driver starts listens on the domain's run-time
 * directory; libvirt's ids */
static void
vgmCmdTpm(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg)
{
    g_autofree char *runDir = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *esc = NULL;
    g_autofree char *tpmdev = NULL;
    const char *id;
    JsonObject *dev;

    if (!def->devices.tpm)
        return;
    runDir = vgmQemuConfigDomainRunDir(cfg, def->name);
    /* the driver's swtpm listens in the run-time directory, an external
     * one where the definition says */
    sock = def->devices.tpm->externalPath ? g_strdup(def->devices.tpm->externalPath) :
                                            g_build_filename(runDir, "swtpm.sock", NULL);
    esc = vgmQemuEscapeOptValue(sock);
    vgmCmdArgPairf(cmd, "-chardev", "socket,id=chrtpm,path=%s", esc);
    id = vgmQemuSingleId(def->devices.tpm->alias, "tpm0");
    tpmdev = g_strdup_printf("tpm-%s", id);
    vgmCmdArgPairf(cmd, "-tpmdev", "emulator,id=%s,chardev=chrtpm", tpmdev);
    dev = json_object_new();
    json_object_set_string_member(dev, "driver", vgmTpmModelTypeToString(def->devices.tpm->model));
    json_object_set_string_member(dev, "tpmdev", tpmdev);
    json_object_set_string_member(dev, "id", id);
    vgmCmdDevice(cmd, dev);
    json_object_unref(dev);
}

/* <shmem>, as libvirt writes it: an ivshmem-plain device on a shared
 * memory-backend-file, /dev/shm/NAME, of the definition's size (its role
 * QEMU's master), or an ivshmem-doorbell and the socket of its
 * ivshmem-server, which hands out the memory and the interrupts */
static void
vgmCmdShmem(VgmQemuCmd *cmd, const VgmShmemDef *shm, const char *id, const VgmQemuConfig *cfg,
            const VgmQemuPlan *plan)
{
    JsonObject *dev = json_object_new();

    json_object_set_string_member(dev, "driver", vgmShmemModelTypeToString(shm->model));
    json_object_set_string_member(dev, "id", id);
    if (shm->server) {
        g_autofree char *chardev = g_strdup_printf("char%s", id);
        g_autofree char *path = vgmQemuShmemServerPath(cfg, shm->name, shm->serverPath);
        g_autofree char *esc = vgmQemuEscapeOptValue(path);

        json_object_set_string_member(dev, "chardev", chardev);
        if (shm->vectors)
            json_object_set_int_member(dev, "vectors", shm->vectors);
        if (shm->ioeventfd)
            json_object_set_boolean_member(dev, "ioeventfd", shm->ioeventfd == VGM_TRISTATE_YES);
        vgmCmdAddress(dev, &shm->addr, plan);
        vgmCmdDevice(cmd, dev);
        vgmCmdArgPairf(cmd, "-chardev", "socket,id=%s,path=%s", chardev, esc);
    } else {
        g_autofree char *memdev = g_strdup_printf("shmmem-%s", id);
        g_autofree char *path = g_strdup_printf("/dev/shm/%s", shm->name);
        JsonObject *obj = json_object_new();

        json_object_set_string_member(obj, "qom-type", "memory-backend-file");
        json_object_set_string_member(obj, "id", memdev);
        json_object_set_string_member(obj, "mem-path", path);
        json_object_set_int_member(obj, "size", shm->size);
        json_object_set_boolean_member(obj, "share", TRUE);
        vgmCmdObject(cmd, obj);
        json_object_unref(obj);
        json_object_set_string_member(dev, "memdev", memdev);
        if (shm->role != VGM_SHMEM_ROLE_DEFAULT)
            json_object_set_string_member(dev, "master",
                                          shm->role == VGM_SHMEM_ROLE_MASTER ? "on" : "off");
        vgmCmdAddress(dev, &shm->addr, plan);
        vgmCmdDevice(cmd, dev);
    }
    json_object_unref(dev);
}

/* What libvirt writes after -sandbox: the panic devices, the shared
 * memory devices, then the vsock.
 * <panic model='isa'> is QEMU's pvpanic ISA device, at its iobase (the
 * hyperv model is a -cpu flag). <vsock> is vhost-vsock-pci with the
 * guest's address and the vhost fd the driver opened and set it on
 * (VGM_QEMU_VSOCK_FD); an address left to the driver, not chosen yet
 * (domxml-to-native), is written as the first it tries, 3. */
void
vgmCmdDevicesAfterSandbox(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                          const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) shmemIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_SHMEM);
    const VgmVsockDef *vsock = def->devices.vsock;
    guint i;

    for (i = 0; i < def->devices.panics->len; i++) {
        const VgmPanicDef *p = g_ptr_array_index(def->devices.panics, i);
        JsonObject *dev;

        if (p->model != VGM_PANIC_MODEL_ISA)
            continue;
        dev = json_object_new();
        json_object_set_string_member(dev, "driver", "pvpanic");
        if (p->addr.type == VGM_ADDRESS_ISA && p->addr.haveIobase)
            json_object_set_int_member(dev, "ioport", p->addr.iobase);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
    for (i = 0; i < def->devices.shmems->len; i++) {
        const char *id = g_ptr_array_index(shmemIds, i);

        vgmCmdShmem(cmd, g_ptr_array_index(def->devices.shmems, i), id, cfg, plan);
    }
    if (vsock) {
        JsonObject *dev = json_object_new();
        g_autofree char *fd = g_strdup_printf("%d", VGM_QEMU_VSOCK_FD);

        json_object_set_string_member(dev, "driver",
                                      vsock->model == VGM_VSOCK_MODEL_VIRTIO_NON_TRANSITIONAL ?
                                      "vhost-vsock-pci-non-transitional" : "vhost-vsock-pci");
        vgmCmdIommu(dev, &vsock->virtio, &vsock->addr, plan);
        json_object_set_string_member(dev, "id", vgmQemuSingleId(vsock->alias, "vsock0"));
        json_object_set_int_member(dev, "guest-cid", vsock->cid ? vsock->cid : VGM_VSOCK_CID_MIN);
        json_object_set_string_member(dev, "vhostfd", fd);
        vgmCmdAddress(dev, &vsock->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* <filesystem>: a 9p share is QEMU's own server on an -fsdev local (the
 * path driver), a virtiofs share a vhost-user socket to a virtiofsd; libvirt's
 * ids (fsN, fsdev-fsN, chr-vu-fsN) and the virtiofsd socket the driver
 * listens on, RUNDIR/ID-fs.sock, unless <source socket> names another's */
static void
vgmCmdFilesystems(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                  const VgmQemuPlan *plan)
{
    g_autoptr(GPtrArray) fsIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_FS);
    guint i;

    for (i = 0; i < def->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);
        const char *id = g_ptr_array_index(fsIds, i);
        JsonObject *dev = json_object_new();

        if (fs->driver == VGM_FS_DRIVER_VIRTIOFS) {
            g_autofree char *chardev = g_strdup_printf("chr-vu-%s", id);
            g_autofree char *sock = vgmQemuFsSocketPath(cfg, def->name, fs->socket, id);
            g_autofree char *esc = vgmQemuEscapeOptValue(sock);

            vgmCmdArgPairf(cmd, "-chardev", "socket,id=%s,path=%s", chardev, esc);
            json_object_set_string_member(dev, "driver", "vhost-user-fs-pci");
            vgmCmdIommu(dev, &fs->virtio, &fs->addr, plan);
            json_object_set_string_member(dev, "id", id);
            json_object_set_string_member(dev, "chardev", chardev);
            if (fs->queue)
                json_object_set_int_member(dev, "queue-size", fs->queue);
            json_object_set_string_member(dev, "tag", fs->target);
            if (fs->bootOrder)
                json_object_set_int_member(dev, "bootindex", fs->bootOrder);
        } else {
            static const char *const securityModel[VGM_FS_ACCESS_LAST] = {
                [VGM_FS_ACCESS_DEFAULT] = "passthrough",
                [VGM_FS_ACCESS_PASSTHROUGH] = "passthrough",
                [VGM_FS_ACCESS_MAPPED] = "mapped",
                [VGM_FS_ACCESS_SQUASH] = "none",
            };
            static const char *const device[VGM_FS_MODEL_LAST] = {
                [VGM_FS_MODEL_DEFAULT] = "virtio-9p-pci",
                [VGM_FS_MODEL_VIRTIO] = "virtio-9p-pci",
                [VGM_FS_MODEL_VIRTIO_TRANSITIONAL] = "virtio-9p-pci-transitional",
                [VGM_FS_MODEL_VIRTIO_NON_TRANSITIONAL] = "virtio-9p-pci-non-transitional",
            };
            g_autofree char *fsdev = g_strdup_printf("fsdev-%s", id);
            g_autofree char *esc = vgmQemuEscapeOptValue(fs->dir);
            GString *opt = g_string_new("local");

            g_string_append_printf(opt, ",security_model=%s", securityModel[fs->accessmode]);
            if (fs->multidevs)
                g_string_append_printf(opt, ",multidevs=%s",
                                       vgmFsMultidevsTypeToString(fs->multidevs));
            if (fs->fmode)
                g_string_append_printf(opt, ",fmode=%04o", fs->fmode);
            if (fs->dmode)
                g_string_append_printf(opt, ",dmode=%04o", fs->dmode);
            if (fs->wrpolicy)
                g_string_append_printf(opt, ",writeout=%s", vgmFsWrpolicyTypeToString(fs->wrpolicy));
            g_string_append_printf(opt, ",id=%s,path=%s", fsdev, esc);
            if (fs->readonly)
                g_string_append(opt, ",readonly=on");
            vgmCmdArgPair(cmd, "-fsdev", opt->str);
            g_string_free(opt, TRUE);
            json_object_set_string_member(dev, "driver", device[fs->model]);
            vgmCmdIommu(dev, &fs->virtio, &fs->addr, plan);
            json_object_set_string_member(dev, "id", id);
            json_object_set_string_member(dev, "fsdev", fsdev);
            json_object_set_string_member(dev, "mount_tag", fs->target);
        }
        vgmCmdAddress(dev, &fs->addr, plan);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* The smartcard readers (usb-ccid), after the memory devices as libvirt
 * writes them */
static void
vgmCmdCcidControllers(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        if (g_str_equal(c->type, "ccid"))
            vgmCmdController(cmd, def, c, plan);
    }
}

/* Smartcards, after the interfaces: a passthrough card's channel and
 * ccid-card-passthru, or an emulated card of the host's NSS, in slot 0
 * of their reader */
static void
vgmCmdSmartcards(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    guint i;
    size_t k;

    for (i = 0; i < def->devices.smartcards->len; i++) {
        VgmSmartcardDef *sc = g_ptr_array_index(def->devices.smartcards, i);
        g_autofree char *id = vgmQemuSmartcardId(sc, i);
        g_autofree char *ctrlId = vgmQemuControllerBusId(def, "ccid",
                                                         vgmSmartcardAddress(sc)->controller);
        g_autofree char *bus = g_strdup_printf("%s.0", ctrlId);
        JsonObject *dev = json_object_new();

        if (sc->chr) {
            g_autofree char *chardev = g_strdup_printf("char%s", id);

            vgmCmdChardev(cmd, sc->chr, chardev, NULL);
            json_object_set_string_member(dev, "driver", "ccid-card-passthru");
            json_object_set_string_member(dev, "chardev", chardev);
        } else {
            json_object_set_string_member(dev, "driver", "ccid-card-emulated");
            json_object_set_string_member(dev, "backend",
                                          sc->mode == VGM_SMARTCARD_HOST ? "nss-emulated" :
                                                                           "certificates");
            for (k = 0; sc->mode == VGM_SMARTCARD_HOST_CERTIFICATES && k < VGM_SMARTCARD_CERTS;
                 k++) {
                g_autofree char *prop = g_strdup_printf("cert%zu", k + 1);

                json_object_set_string_member(dev, prop, sc->certs[k]);
            }
            /* libvirt's default NSS database */
            if (sc->mode == VGM_SMARTCARD_HOST_CERTIFICATES)
                json_object_set_string_member(dev, "db", sc->database ? sc->database :
                                                                        "/etc/pki/nssdb");
        }
        json_object_set_string_member(dev, "id", id);
        json_object_set_string_member(dev, "bus", bus);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

/* USB hubs, hub0 on: after the memory devices, as libvirt writes them */
static void
vgmCmdHubs(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    g_autoptr(GPtrArray) hubIds = vgmQemuListDeviceIds(def, VGM_QEMU_ALIAS_HUB);
    guint i;

    for (i = 0; i < def->devices.hubs->len; i++) {
        const VgmHubDef *hub = g_ptr_array_index(def->devices.hubs, i);
        const char *id = g_ptr_array_index(hubIds, i);
        JsonObject *dev = json_object_new();

        json_object_set_string_member(dev, "driver", "usb-hub");
        json_object_set_string_member(dev, "id", id);
        vgmCmdUsbAddress(dev, def, &hub->addr);
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
}

void
vgmCmdDevices(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
              const VgmQemuPlan *plan)
{
    vgmCmdControllers(cmd, def, plan);
    /* after the controllers, as libvirt 9.0 writes them: virtio-mem and
     * virtio-pmem sit on their PCI buses */
    vgmCmdMemoryDevices(cmd, plan);
    vgmCmdHubs(cmd, def);
    vgmCmdCcidControllers(cmd, def, plan);
    vgmCmdDisks(cmd, def, cfg, plan);
    vgmCmdFilesystems(cmd, def, cfg, plan);
    vgmCmdNets(cmd, def, plan);
    vgmCmdSmartcards(cmd, def);
    vgmCmdChars(cmd, def, cfg, plan);
    vgmCmdTpm(cmd, def, cfg);
    vgmCmdInputs(cmd, def, plan);
    vgmCmdAudios(cmd, def);
    vgmCmdGraphicsVideo(cmd, def, cfg, plan);
    vgmCmdSounds(cmd, def, plan);
    vgmCmdBalloonRng(cmd, def, plan);
    vgmCmdVmcoreinfo(cmd, def);
}
