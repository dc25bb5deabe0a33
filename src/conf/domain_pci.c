/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_pci.c: PCI addresses for the devices of x86 PC (i440fx) and q35
 * domains, handed out when a definition is read, the way libvirt's QEMU
 * driver hands them out, so that `dumpxml` names the slot of every device
 * (Nova's device tagging reads them), the guest's PCI layout stays the same
 * from one start to the next whatever is added later, and a q35 guest has
 * PCI Express root ports to plug its devices into.
 *
 * The rules, read off libvirt 9.0's behaviour and checked against its
 * dumpxml of the same definitions:
 *  - every device is conventional PCI, PCI Express, or (virtio) PCI
 *    Express where the machine has a PCI Express root and plain PCI
 *    elsewhere; each bus model takes some of those, from some slots;
 *  - the chipset's own functions are fixed (the PC's PIIX3 at 00:01, q35's
 *    ICH9 at 00:1f, its USB at 00:1d, its HD audio at 00:1b) and the first
 *    video device goes where QEMU put the first VGA (00:02 on the PC, 00:01
 *    on q35);
 *  - devices without an address take the first free slot that fits, in a
 *    fixed order of device kinds, pcie-root-ports filling the eight
 *    functions of a slot;
 *  - a first, dry pass counts the buses that are missing and adds their
 *    controllers (a pcie-root-port for each PCI Express device on q35, a
 *    pcie-root-port and a pcie-to-pci-bridge for conventional devices
 *    there, pci-bridges on the PC), keeping one spare slot on the PC and
 *    one spare root port on a q35 domain whose controllers all came from
 *    here; the second pass hands out the addresses;
 *  - function 0 of a slot with further functions is multifunction, and
 *    each PCI controller gets its QEMU device name, chassis and port.
 * An address given in the definition is kept, and refused by name when the
 * bus lacks it, the slot is out of the bus's range or taken twice.
 */
#include "config.h"

#include <string.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* What plugs into what: the kinds of PCI connection */
typedef enum {
    VGM_PCI_CONN_PCI_DEVICE = 1 << 0,       /* a conventional PCI endpoint */
    VGM_PCI_CONN_PCIE_DEVICE = 1 << 1,      /* a PCI Express endpoint */
    VGM_PCI_CONN_ROOT_PORT = 1 << 2,
    VGM_PCI_CONN_UPSTREAM_PORT = 1 << 3,
    VGM_PCI_CONN_DOWNSTREAM_PORT = 1 << 4,
    VGM_PCI_CONN_DMI_TO_PCI_BRIDGE = 1 << 5,
    VGM_PCI_CONN_PCIE_TO_PCI_BRIDGE = 1 << 6,
    VGM_PCI_CONN_PCI_BRIDGE = 1 << 7,
    VGM_PCI_CONN_PCI_EXPANDER_BUS = 1 << 8,
    VGM_PCI_CONN_PCIE_EXPANDER_BUS = 1 << 9,
    VGM_PCI_CONN_TYPES = (1 << 10) - 1,
    VGM_PCI_CONN_ENDPOINTS = VGM_PCI_CONN_PCI_DEVICE | VGM_PCI_CONN_PCIE_DEVICE,
    /* a device: may be placed without an address; a bus: takes such */
    VGM_PCI_CONN_AUTO = 1 << 10,
    /* several to a slot, one per function (pcie-root-ports) */
    VGM_PCI_CONN_AGGREGATE = 1 << 11,
    /* part of the root complex: on the root bus only (virtio-iommu) */
    VGM_PCI_CONN_INTEGRATED = 1 << 12,
} VgmPciConnect;

/* Names of the connection kinds, in the order of the bits above, for
 * messages */
static const char *const vgmPciConnectNames[] = {
    N_("conventional PCI device"), N_("PCI Express device"), "pcie-root-port",
    "pcie-switch-upstream-port", "pcie-switch-downstream-port", "dmi-to-pci-bridge",
    "pcie-to-pci-bridge", "pci-bridge", "pci-expander-bus", "pcie-expander-bus",
};

#define VGM_PCI_SLOTS 32
#define VGM_PCI_MAX_BUSES 256

/* The PCI controller models: what each takes downstream and from which
 * slots, how it plugs in itself, and the QEMU device libvirt names in its
 * <model name> */
typedef struct {
    const char *model;
    unsigned int accepts;
    unsigned int minSlot, maxSlot;
    unsigned int connect;
    const char *modelName;
} VgmPciModel;

static const VgmPciModel vgmPciModels[] = {
    { "pci-root",
      VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCI_DEVICE | VGM_PCI_CONN_PCI_BRIDGE |
      VGM_PCI_CONN_PCI_EXPANDER_BUS,
      1, 31, 0, NULL },
    /* no endpoint is put on pcie-root unless its address says so */
    { "pcie-root",
      VGM_PCI_CONN_PCIE_DEVICE | VGM_PCI_CONN_ROOT_PORT | VGM_PCI_CONN_DMI_TO_PCI_BRIDGE |
      VGM_PCI_CONN_PCIE_EXPANDER_BUS,
      1, 31, 0, NULL },
    /* expander buses (a NUMA node's own root bus): never added here */
    { "pci-expander-bus",
      VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCI_DEVICE | VGM_PCI_CONN_PCI_BRIDGE,
      0, 31, VGM_PCI_CONN_PCI_EXPANDER_BUS, "pxb" },
    { "pcie-expander-bus",
      VGM_PCI_CONN_ROOT_PORT | VGM_PCI_CONN_DMI_TO_PCI_BRIDGE,
      0, 31, VGM_PCI_CONN_PCIE_EXPANDER_BUS, "pxb-pcie" },
    { "pci-bridge",
      VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCI_DEVICE | VGM_PCI_CONN_PCI_BRIDGE,
      1, 31, VGM_PCI_CONN_PCI_BRIDGE, "pci-bridge" },
    { "dmi-to-pci-bridge",
      VGM_PCI_CONN_PCI_DEVICE | VGM_PCI_CONN_PCI_BRIDGE,
      0, 31, VGM_PCI_CONN_DMI_TO_PCI_BRIDGE, "i82801b11-bridge" },
    { "pcie-to-pci-bridge",
      VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCI_DEVICE | VGM_PCI_CONN_PCI_BRIDGE,
      1, 31, VGM_PCI_CONN_PCIE_TO_PCI_BRIDGE, "pcie-pci-bridge" },
    { "pcie-root-port",
      VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCIE_DEVICE | VGM_PCI_CONN_UPSTREAM_PORT |
      VGM_PCI_CONN_PCIE_TO_PCI_BRIDGE,
      0, 0, VGM_PCI_CONN_ROOT_PORT | VGM_PCI_CONN_AGGREGATE, "pcie-root-port" },
    { "pcie-switch-upstream-port",
      VGM_PCI_CONN_DOWNSTREAM_PORT,
      0, 31, VGM_PCI_CONN_UPSTREAM_PORT, "x3130-upstream" },
    { "pcie-switch-downstream-port",
      VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCIE_DEVICE | VGM_PCI_CONN_UPSTREAM_PORT |
      VGM_PCI_CONN_PCIE_TO_PCI_BRIDGE,
      0, 0, VGM_PCI_CONN_DOWNSTREAM_PORT, "xio3130-downstream" },
};

static const VgmPciModel *
vgmPciModelFind(const char *model)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmPciModels); i++) {
        if (g_strcmp0(vgmPciModels[i].model, model) == 0)
            return &vgmPciModels[i];
    }
    return NULL;
}

typedef struct {
    const VgmPciModel *model;
    unsigned int accepts;
    guint8 functions[VGM_PCI_SLOTS];    /* bit n: function n is taken */
    gboolean aggregate[VGM_PCI_SLOTS];
} VgmPciBus;

typedef struct {
    GArray *buses;              /* VgmPciBus, by controller index */
    gboolean dryRun;            /* counting buses: add what is missing */
    gboolean q35;               /* the machine has a PCI Express root */
    gboolean pcieToPciBridge;   /* QEMU has pcie-pci-bridge (always, from 7.2) */
    /* where the last search for a kind of device (its flags and function)
     * ended: a slot passed over once never fits that kind later (slots
     * only fill, buses keep what they take), so the next search starts
     * there and handing out stays linear */
    GHashTable *cursors;
} VgmPciSet;

/* One device that has or may get a PCI address */
typedef struct {
    VgmDeviceAddress *addr;
    unsigned int flags;         /* 0: placed by the chipset rules only */
    int function;               /* -1: any; else the function it must have */
    VgmTristate multi;          /* what a placed ICH9 USB function says */
    VgmControllerDef *ctrl;     /* when it is a controller */
    char *label;                /* for messages */
} VgmPciDev;

static void
vgmPciDevClear(gpointer p)
{
    g_free(((VgmPciDev *)p)->label);
}

static gboolean
vgmPciAddrPresent(const VgmDeviceAddress *a)
{
    /* libvirt reads <address type='pci'/> with nothing else as "pick one" */
    return a->type == VGM_ADDRESS_PCI && (a->domain || a->bus || a->slot || a->function);
}

static gboolean
vgmPciAddrWanted(const VgmDeviceAddress *a)
{
    return a->type == VGM_ADDRESS_NONE || (a->type == VGM_ADDRESS_PCI && !vgmPciAddrPresent(a));
}

static char *
vgmPciAddrString(const VgmDeviceAddress *a)
{
    return g_strdup_printf("%04x:%02x:%02x.%x", a->domain, a->bus, a->slot, a->function);
}

static const char *
vgmPciConnectName(unsigned int flags)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmPciConnectNames); i++) {
        if (flags & (1u << i))
            return _(vgmPciConnectNames[i]);
    }
    return "?";
}

static void
vgmPciBusSetModel(VgmPciBus *bus, const VgmPciModel *model)
{
    bus->model = model;
    bus->accepts = model->accepts;
}

static gboolean
vgmPciBusIsFull(const VgmPciBus *bus)
{
    unsigned int i;

    for (i = bus->model->minSlot; i <= bus->model->maxSlot; i++) {
        if (!bus->functions[i])
            return FALSE;
    }
    return TRUE;
}

/* The controller of @type with @index, or NULL */
static VgmControllerDef *
vgmPciFindController(VgmDomainDef *def, const char *type, unsigned int index)
{
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        if (g_str_equal(c->type, type) && c->index == index)
            return c;
    }
    return NULL;
}

static VgmPciBus *
vgmPciSetBus(VgmPciSet *set, unsigned int i)
{
    return &g_array_index(set->buses, VgmPciBus, i);
}

/* Whether a bus accepting @busFlags takes a device of @devFlags; an address
 * from the definition may put a PCI device on a PCI Express slot and the
 * other way round, and a pci-bridge wherever a PCI device goes, and needs
 * no automatic placement */
static gboolean
vgmPciCompatible(unsigned int busFlags, unsigned int devFlags, unsigned int busIndex,
                 gboolean fromConfig)
{
    if (devFlags & VGM_PCI_CONN_INTEGRATED) {
        if (busIndex != 0)
            return FALSE;
        /* the root bus takes it, even as pcie-root */
        busFlags |= VGM_PCI_CONN_AUTO;
    }
    if (fromConfig) {
        if (busFlags & VGM_PCI_CONN_ENDPOINTS)
            busFlags |= VGM_PCI_CONN_ENDPOINTS;
        if (devFlags & VGM_PCI_CONN_PCI_BRIDGE)
            devFlags |= VGM_PCI_CONN_PCI_DEVICE;
    } else if ((devFlags & VGM_PCI_CONN_AUTO) && !(busFlags & VGM_PCI_CONN_AUTO)) {
        return FALSE;
    }
    return (devFlags & busFlags & VGM_PCI_CONN_TYPES) != 0;
}

/* Buses added to fit @addr (dry run only), of the kind the device of
 * @flags plugs into: a pcie-root-port for PCI Express, a pci-bridge for
 * conventional PCI, behind a pcie-root-port and a pcie-to-pci-bridge (or a
 * dmi-to-pci-bridge) when nothing yet takes a pci-bridge. An address the
 * definition gives (@fromConfig) is kept: the buses up to it are of the
 * machine's default kind. */
static gboolean
vgmPciSetGrow(VgmPciSet *set, VgmDeviceAddress *addr, unsigned int flags, gboolean fromConfig,
              const char *label, GError **error)
{
    int add = (int)addr->bus - (int)set->buses->len + 1;
    const VgmPciModel *model;
    gboolean needDmi = FALSE, needPcieBridge = FALSE;
    guint i;

    if (add <= 0)
        return TRUE;
    if (addr->bus + 1 >= VGM_PCI_MAX_BUSES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("no free PCI slot for %1$s: a domain has at most %2$d PCI buses"),
                    label, VGM_PCI_MAX_BUSES);
        return FALSE;
    }
    if (fromConfig) {
        model = vgmPciModelFind(set->q35 ? "pcie-root-port" : "pci-bridge");
    } else if (flags & VGM_PCI_CONN_PCI_DEVICE) {
        gboolean haveBridgeSlot = FALSE;

        model = vgmPciModelFind("pci-bridge");
        for (i = 0; i < set->buses->len; i++)
            haveBridgeSlot |= (vgmPciSetBus(set, i)->accepts & VGM_PCI_CONN_PCI_BRIDGE) != 0;
        if (!haveBridgeSlot) {
            if (set->pcieToPciBridge)
                needPcieBridge = TRUE;
            else
                needDmi = TRUE;
            if (add == 1) {
                /* the bridge itself needs a bus to sit on */
                add++;
                addr->bus++;
                if (addr->bus >= VGM_PCI_MAX_BUSES) {
                    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                                _("no free PCI slot for %1$s: a domain has at most %2$d PCI buses"),
                                label, VGM_PCI_MAX_BUSES);
                    return FALSE;
                }
            }
        }
    } else if (flags & (VGM_PCI_CONN_PCIE_DEVICE | VGM_PCI_CONN_UPSTREAM_PORT)) {
        model = vgmPciModelFind("pcie-root-port");
    } else {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("no free PCI slot for %1$s, and no controller that takes a %2$s is added automatically: give the controllers it needs"),
                    label, vgmPciConnectName(flags));
        return FALSE;
    }
    i = set->buses->len;
    g_array_set_size(set->buses, set->buses->len + (guint)add);
    if (needDmi)
        vgmPciBusSetModel(vgmPciSetBus(set, i++), vgmPciModelFind("dmi-to-pci-bridge"));
    if (needPcieBridge) {
        /* this root port is for the bridge only: a spare root port for
         * hotplug is another one */
        vgmPciBusSetModel(vgmPciSetBus(set, i), vgmPciModelFind("pcie-root-port"));
        vgmPciSetBus(set, i++)->accepts = VGM_PCI_CONN_PCIE_TO_PCI_BRIDGE;
        vgmPciBusSetModel(vgmPciSetBus(set, i++), vgmPciModelFind("pcie-to-pci-bridge"));
    }
    for (; i < set->buses->len; i++)
        vgmPciBusSetModel(vgmPciSetBus(set, i), model);
    return TRUE;
}

/* Takes function @addr of its slot for a device of @flags (labelled
 * @label), checking the bus has it */
static gboolean
vgmPciReserve(VgmPciSet *set, VgmDeviceAddress *addr, unsigned int flags,
              gboolean fromConfig, const char *label, GError **error)
{
    g_autofree char *str = vgmPciAddrString(addr);
    VgmPciBus *bus;

    if (set->dryRun && !vgmPciSetGrow(set, addr, flags, fromConfig, label, error))
        return FALSE;
    g_clear_pointer(&str, g_free);
    str = vgmPciAddrString(addr);
    if (addr->domain != 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("PCI address %1$s of %2$s: only PCI domain 0 exists"), str, label);
        return FALSE;
    }
    if (addr->bus >= set->buses->len) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("PCI address %1$s of %2$s: there is no PCI controller with index='%3$u' (the highest is %4$u)"),
                    str, label, addr->bus, set->buses->len - 1);
        return FALSE;
    }
    bus = vgmPciSetBus(set, addr->bus);
    if ((flags & VGM_PCI_CONN_INTEGRATED) && addr->bus != 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("PCI address %1$s of %2$s: it is part of the root complex, on bus 0 only"),
                    str, label);
        return FALSE;
    }
    if (!vgmPciCompatible(bus->accepts, flags, addr->bus, fromConfig)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("PCI address %1$s of %2$s: the PCI controller with index='%3$u' (model '%4$s') does not take a %5$s"),
                    str, label, addr->bus, bus->model->model, vgmPciConnectName(flags));
        return FALSE;
    }
    if (addr->slot < bus->model->minSlot || addr->slot > bus->model->maxSlot) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("PCI address %1$s of %2$s: the slots of the PCI controller with index='%3$u' (model '%4$s') are %5$u to %6$u"),
                    str, label, addr->bus, bus->model->model, bus->model->minSlot,
                    bus->model->maxSlot);
        return FALSE;
    }
    if (bus->functions[addr->slot] & (1u << addr->function)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("PCI address %1$s of %2$s is taken twice"), str, label);
        return FALSE;
    }
    if (!bus->functions[addr->slot] && (flags & VGM_PCI_CONN_AGGREGATE))
        bus->aggregate[addr->slot] = TRUE;
    bus->functions[addr->slot] |= (guint8)(1u << addr->function);
    return TRUE;
}

/* The first free slot (or, for a pcie-root-port, free function of a slot
 * of root ports) on the first bus that takes @flags; in a dry run, a new
 * bus when none does */
static gboolean
vgmPciNextAddr(VgmPciSet *set, unsigned int flags, int function, guint busLimit,
               VgmDeviceAddress *out, const char *label, GError **error)
{
    VgmDeviceAddress a = { .type = VGM_ADDRESS_PCI };
    gpointer key = GUINT_TO_POINTER(flags | (unsigned int)(function + 1) << 16);
    unsigned int start = GPOINTER_TO_UINT(g_hash_table_lookup(set->cursors, key));

    a.function = function < 0 ? 0 : (unsigned int)function;
    for (a.bus = start >> 8; a.bus < MIN(set->buses->len, busLimit); a.bus++) {
        VgmPciBus *bus = vgmPciSetBus(set, a.bus);

        if (!vgmPciCompatible(bus->accepts, flags, a.bus, FALSE))
            continue;
        a.slot = bus->model->minSlot;
        if (a.bus == start >> 8 && (start & 0xff) > a.slot)
            a.slot = start & 0xff;
        for (; a.slot <= bus->model->maxSlot; a.slot++) {
            if (!bus->functions[a.slot])
                goto found;
            if ((flags & VGM_PCI_CONN_AGGREGATE) && bus->aggregate[a.slot]) {
                if (!(bus->functions[a.slot] & (1u << a.function)))
                    goto found;
                if (function < 0) {
                    for (a.function = 0; a.function < 8; a.function++) {
                        if (!(bus->functions[a.slot] & (1u << a.function)))
                            goto found;
                    }
                    a.function = 0;
                }
            }
        }
    }
    /* a PCI controller sits on a bus of a lower index than its own (in
     * the real pass; the dry one only counts) */
    if (busLimit <= set->buses->len) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("no free PCI slot for %1$s on a bus of a lower index than its own: give it an <address>, or controllers with free slots"),
                    label);
        return FALSE;
    }
    if (!set->dryRun) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, _("no free PCI slot for %1$s"), label);
        return FALSE;
    }
    a.bus = set->buses->len;
    if (!vgmPciSetGrow(set, &a, flags, FALSE, label, error))
        return FALSE;
    a.slot = vgmPciSetBus(set, a.bus)->model->minSlot;
 found:
    g_hash_table_insert(set->cursors, key, GUINT_TO_POINTER(a.bus << 8 | a.slot));
    *out = a;
    return TRUE;
}

/* @addr becomes @pci; what the device's XML says beside its address (its
 * ACPI index) stays */
static void
vgmPciAddrSet(VgmDeviceAddress *addr, const VgmDeviceAddress *pci)
{
    unsigned int acpiIndex = addr->acpiIndex;

    *addr = *pci;
    addr->acpiIndex = acpiIndex;
}

/* Gives @dev the next free address (not in a dry run, which only counts) */
static gboolean
vgmPciReserveNextBelow(VgmPciSet *set, VgmDeviceAddress *addr, unsigned int flags, int function,
                       guint busLimit, const char *label, GError **error)
{
    VgmDeviceAddress a;

    if (!vgmPciNextAddr(set, flags, function, busLimit, &a, label, error) ||
        !vgmPciReserve(set, &a, flags, FALSE, label, error))
        return FALSE;
    if (!set->dryRun) {
        VgmTristate multi = addr->multifunction;

        vgmPciAddrSet(addr, &a);
        addr->multifunction = multi;
    }
    return TRUE;
}

static gboolean
vgmPciReserveNext(VgmPciSet *set, VgmDeviceAddress *addr, unsigned int flags, int function,
                  const char *label, GError **error)
{
    return vgmPciReserveNextBelow(set, addr, flags, function, G_MAXUINT, label, error);
}

/* ---------------- the devices ---------------- */

typedef struct {
    gboolean q35;
    unsigned int pciFlags;      /* a conventional PCI device */
    unsigned int pcieFlags;     /* a PCI Express one, on q35 */
    unsigned int virtioFlags;   /* a virtio device (transitional on the PC) */
} VgmPciMachine;

static void
vgmPciDevAdd(GArray *devs, VgmDeviceAddress *addr, unsigned int flags, VgmControllerDef *ctrl,
             char *label)
{
    VgmPciDev d = { .addr = addr, .flags = flags, .function = -1, .ctrl = ctrl, .label = label };

    g_array_append_val(devs, d);
}

static gboolean
vgmPciIsUsb2(const VgmControllerDef *c)
{
    return g_str_equal(c->type, "usb") && c->model && g_str_has_prefix(c->model, "ich9-");
}

/* A virtio device of kind @k: a transitional one only works in a
 * conventional PCI slot; not virtio: 0 */
static unsigned int
vgmPciVirtioFlags(const VgmPciMachine *m, VgmVirtioKind k)
{
    switch (k) {
    case VGM_VIRTIO_KIND_VIRTIO:
    case VGM_VIRTIO_KIND_NON_TRANSITIONAL:
        return m->virtioFlags;
    case VGM_VIRTIO_KIND_TRANSITIONAL:
        return m->pciFlags;
    case VGM_VIRTIO_KIND_NONE:
        break;
    }
    return 0;
}

static unsigned int
vgmPciControllerFlags(const VgmPciMachine *m, const VgmControllerDef *c)
{
    const char *model = c->model ? c->model : "";

    if (g_str_equal(c->type, "pci")) {
        const VgmPciModel *pm = vgmPciModelFind(c->model);
        return pm ? pm->connect : 0;
    }
    if (g_str_equal(c->type, "usb")) {
        if (g_str_equal(model, "none"))
            return 0;
        return g_str_has_suffix(model, "-xhci") ? m->pcieFlags : m->pciFlags;
    }
    /* a transitional device only works in a conventional PCI slot */
    if (g_str_equal(c->type, "scsi"))
        return vgmDomainControllerIsVirtioScsi(c) && !g_str_equal(model, "virtio-transitional") ?
               m->virtioFlags : m->pciFlags;
    if (g_str_equal(c->type, "virtio-serial"))
        return c->model ? vgmPciVirtioFlags(m, vgmVirtioModelKind(c->model)) : m->virtioFlags;
    if (g_str_equal(c->type, "sata") || g_str_equal(c->type, "ide"))
        return m->pciFlags;
    return 0;                   /* fdc: behind the ISA bridge */
}

static char *
vgmPciControllerLabel(const VgmControllerDef *c)
{
    return g_strdup_printf("<controller type='%s' index='%u'>", c->type, c->index);
}

static char *
vgmPciNthLabel(const char *elem, guint i)
{
    return g_strdup_printf(_("<%1$s> number %2$u"), elem, i + 1);
}

/* Every device that may have a PCI address, in the order libvirt hands
 * addresses out; a non-PCI device given a PCI address counts as a
 * conventional PCI device (validation refuses what does not fit) */
static GArray *
vgmPciDevices(VgmDomainDef *def, const VgmPciMachine *m)
{
    VgmDevicesDef *devs = &def->devices;
    GArray *list = g_array_new(FALSE, TRUE, sizeof(VgmPciDev));
    guint i;

    g_array_set_clear_func(list, vgmPciDevClear);
#define VGM_PCI_ADD(addrp, fl, ctrl, label) \
    do { \
        unsigned int f_ = (fl); \
        if (f_ || vgmPciAddrPresent(addrp)) \
            vgmPciDevAdd(list, (addrp), f_ ? f_ : VGM_PCI_CONN_PCI_DEVICE, (ctrl), (label)); \
        else \
            g_free(label); \
    } while (0)

    /* PCI controllers first, then the devices that plug into them */
    for (i = 0; i < devs->controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);

        if (g_str_equal(c->type, "pci") && g_strcmp0(c->model, "pci-root") != 0 &&
            g_strcmp0(c->model, "pcie-root") != 0)
            VGM_PCI_ADD(&c->addr, vgmPciControllerFlags(m, c), c, vgmPciControllerLabel(c));
    }
    for (i = 0; i < devs->fss->len; i++) {
        VgmFsDef *fs = g_ptr_array_index(devs->fss, i);
        unsigned int fl = fs->model == VGM_FS_MODEL_VIRTIO_TRANSITIONAL ? m->pciFlags :
                                                                          m->virtioFlags;

        VGM_PCI_ADD(&fs->addr, fl, NULL,
                    g_strdup_printf("<filesystem> '%s'", fs->target ? fs->target : ""));
    }
    for (i = 0; i < devs->nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(devs->nets, i);
        const char *model = net->model ? net->model : "";
        /* as libvirt places them: e1000e, and the models it has no name
         * for (which it gives QEMU as they are), on PCI Express */
        static const char *const pcie[] = {
            "e1000e", "ne2k_pci", "pcnet", "i82551", "i82557b", "i82559er", "igb", NULL
        };
        unsigned int fl = vgmVirtioModelKind(model) != VGM_VIRTIO_KIND_NONE ?
                          vgmPciVirtioFlags(m, vgmVirtioModelKind(model)) :
                          g_strv_contains(pcie, model) ? m->pcieFlags : m->pciFlags;

        VGM_PCI_ADD(&net->addr, fl, NULL,
                    g_strdup_printf("<interface> '%s'", net->mac ? net->mac : ""));
    }
    for (i = 0; i < devs->sounds->len; i++) {
        VgmSoundDef *snd = g_ptr_array_index(devs->sounds, i);

        /* (the ISA card, the speaker and a USB device are not on PCI) */
        if (snd->model == VGM_SOUND_SB16 || snd->model == VGM_SOUND_PCSPK ||
            snd->model == VGM_SOUND_USB)
            continue;
        VGM_PCI_ADD(&snd->addr, m->pciFlags, NULL, vgmPciNthLabel("sound", i));
    }
    for (i = 0; i < devs->controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);

        if (!g_str_equal(c->type, "pci"))
            VGM_PCI_ADD(&c->addr, vgmPciControllerFlags(m, c), c, vgmPciControllerLabel(c));
    }
    for (i = 0; i < devs->disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(devs->disks, i);

        VGM_PCI_ADD(&disk->addr,
                    disk->bus == VGM_DISK_BUS_VIRTIO ? vgmPciVirtioFlags(m, vgmVirtioModelToKind(disk->model)) : 0,
                    NULL,
                    g_strdup_printf("<disk> '%s'", disk->dst ? disk->dst : ""));
    }
    if (devs->memballoon)
        VGM_PCI_ADD(&devs->memballoon->addr,
                    vgmPciVirtioFlags(m, vgmVirtioModelKind(devs->memballoon->model)),
                    NULL, g_strdup("<memballoon>"));
    for (i = 0; i < devs->rngs->len; i++) {
        VgmRngDef *rng = g_ptr_array_index(devs->rngs, i);

        VGM_PCI_ADD(&rng->addr, vgmPciVirtioFlags(m, vgmVirtioModelKind(rng->model)), NULL,
                    vgmPciNthLabel("rng", i));
    }
    if (devs->watchdog)
        VGM_PCI_ADD(&devs->watchdog->addr,
                    g_strcmp0(devs->watchdog->model, "i6300esb") == 0 ? m->pciFlags : 0,
                    NULL, g_strdup("<watchdog>"));
    for (i = 0; i < devs->videos->len; i++) {
        VgmVideoDef *v = g_ptr_array_index(devs->videos, i);
        const char *model = v->model ? v->model : "";
        unsigned int fl = g_str_equal(model, "none") || g_str_equal(model, "ramfb") ? 0 :
                          g_str_equal(model, "virtio") ? m->virtioFlags :
                          g_str_equal(model, "bochs") ? m->pcieFlags : m->pciFlags;

        VGM_PCI_ADD(&v->addr, fl, NULL, vgmPciNthLabel("video", i));
    }
    for (i = 0; i < devs->shmems->len; i++) {
        VgmShmemDef *shm = g_ptr_array_index(devs->shmems, i);

        VGM_PCI_ADD(&shm->addr, m->pciFlags, NULL,
                    g_strdup_printf("<shmem> '%s'", shm->name));
    }
    for (i = 0; i < devs->inputs->len; i++) {
        VgmInputDef *in = g_ptr_array_index(devs->inputs, i);

        VGM_PCI_ADD(&in->addr,
                    in->bus == VGM_INPUT_BUS_VIRTIO ? vgmPciVirtioFlags(m, vgmVirtioModelToKind(in->model)) : 0,
                    NULL,
                    vgmPciNthLabel("input", i));
    }
    for (i = 0; i < devs->serials->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(devs->serials, i);

        VGM_PCI_ADD(&chr->addr, g_strcmp0(chr->targetType, "pci-serial") == 0 ? m->pciFlags : 0,
                    NULL, vgmPciNthLabel("serial", i));
    }
    if (devs->iommu)
        VGM_PCI_ADD(&devs->iommu->addr,
                    devs->iommu->model == VGM_IOMMU_MODEL_VIRTIO ?
                    m->virtioFlags | VGM_PCI_CONN_INTEGRATED : 0,
                    NULL, g_strdup("<iommu>"));
    if (devs->vsock)
        VGM_PCI_ADD(&devs->vsock->addr,
                    devs->vsock->model == VGM_VSOCK_MODEL_VIRTIO_TRANSITIONAL ? m->pciFlags :
                                                                                m->virtioFlags,
                    NULL, g_strdup("<vsock>"));
    for (i = 0; i < devs->mems->len; i++) {
        VgmMemoryDef *mem = g_ptr_array_index(devs->mems, i);
        gboolean virtio = mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM ||
                          mem->model == VGM_MEMORY_MODEL_VIRTIO_PMEM;

        VGM_PCI_ADD(&mem->addr, virtio ? m->virtioFlags : 0, NULL, vgmPciNthLabel("memory", i));
    }
#undef VGM_PCI_ADD
    return list;
}

/* The PIIX3's IDE (00:01.1) and UHCI (00:01.2) controller 0, which the
 * chipset rules reserve rather than the collection */
static gboolean
vgmPciIsPiix3Function(const VgmControllerDef *c, const VgmDeviceAddress *a)
{
    if (!c || c->index != 0 || a->domain || a->bus || a->slot != 1)
        return FALSE;
    return (g_str_equal(c->type, "ide") && a->function == 1) ||
           (g_str_equal(c->type, "usb") && g_strcmp0(c->model, "piix3-uhci") == 0 &&
            a->function == 2);
}

static const VgmPciModel *
vgmPciDefaultBusModel(const VgmPciMachine *m)
{
    return vgmPciModelFind(m->q35 ? "pcie-root-port" : "pci-bridge");
}

/* The buses of the controllers (a missing index gets the machine's
 * default model) and the addresses the definition gives */
static gboolean
vgmPciSetCreate(VgmPciSet *set, VgmDomainDef *def, const VgmPciMachine *m, GArray *devs,
                guint nbuses, GError **error)
{
    guint i;

    set->q35 = m->q35;
    set->buses = g_array_new(FALSE, TRUE, sizeof(VgmPciBus));
    set->cursors = g_hash_table_new(g_direct_hash, g_direct_equal);
    set->pcieToPciBridge = TRUE;
    g_array_set_size(set->buses, nbuses);
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        const VgmPciModel *pm;

        if (g_str_equal(c->type, "pci") && c->index < nbuses && (pm = vgmPciModelFind(c->model)))
            vgmPciBusSetModel(vgmPciSetBus(set, c->index), pm);
    }
    for (i = 1; i < nbuses; i++) {
        if (!vgmPciSetBus(set, i)->model)
            vgmPciBusSetModel(vgmPciSetBus(set, i), vgmPciDefaultBusModel(m));
    }
    for (i = 0; i < devs->len; i++) {
        VgmPciDev *d = &g_array_index(devs, VgmPciDev, i);

        if (!vgmPciAddrPresent(d->addr) || vgmPciIsPiix3Function(d->ctrl, d->addr))
            continue;
        if (!vgmPciReserve(set, d->addr, d->flags, TRUE, d->label, error))
            return FALSE;
    }
    return TRUE;
}

static void
vgmPciSetClear(VgmPciSet *set)
{
    g_clear_pointer(&set->buses, g_array_unref);
    g_clear_pointer(&set->cursors, g_hash_table_unref);
}

static gboolean
vgmPciSlotInUse(VgmPciSet *set, unsigned int slot)
{
    return vgmPciSetBus(set, 0)->functions[slot] != 0;
}

/* ---------------- the chipsets' own addresses ---------------- */

/* Controller @c at its fixed chipset address (@what names the chipset
 * function), or the check that the definition gave that one */
static gboolean
vgmPciChipsetAddr(VgmControllerDef *c, unsigned int slot, unsigned int function,
                  const char *what, GError **error)
{
    VgmDeviceAddress want = { .type = VGM_ADDRESS_PCI, .slot = slot, .function = function };

    if (!vgmPciAddrPresent(&c->addr)) {
        c->addr = want;
        return TRUE;
    }
    if (c->addr.domain || c->addr.bus || c->addr.slot != slot || c->addr.function != function) {
        g_autofree char *label = vgmPciControllerLabel(c);
        g_autofree char *have = vgmPciAddrString(&c->addr);
        g_autofree char *need = vgmPciAddrString(&want);

        vgmErrorSet(error, VGM_ERR_XML,
                    _("%1$s is %2$s, whose PCI address is %3$s, not %4$s"),
                    label, what, need, have);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmPciReserveFixed(VgmPciSet *set, unsigned int slot, unsigned int function, unsigned int flags,
                   const char *label, GError **error)
{
    VgmDeviceAddress a = { .type = VGM_ADDRESS_PCI, .slot = slot, .function = function };

    return vgmPciReserve(set, &a, flags, TRUE, label, error);
}

/* The first video device at @slot of the root bus, where QEMU put the
 * first VGA after the chipset's devices, unless that slot is taken */
static gboolean
vgmPciPrimaryVideo(VgmDomainDef *def, VgmPciSet *set, GArray *devs, unsigned int slot,
                   unsigned int flags, GError **error)
{
    VgmVideoDef *v;
    guint i;

    if (def->devices.videos->len == 0)
        return TRUE;
    v = g_ptr_array_index(def->devices.videos, 0);
    if (g_strcmp0(v->model, "none") == 0 || g_strcmp0(v->model, "ramfb") == 0 ||
        !vgmPciAddrWanted(&v->addr))
        return TRUE;
    for (i = 0; i < devs->len; i++) {
        VgmPciDev *d = &g_array_index(devs, VgmPciDev, i);

        if (d->addr != &v->addr)
            continue;
        if (vgmPciSlotInUse(set, slot))
            return vgmPciReserveNext(set, d->addr, d->flags, -1, d->label, error);
        if (!vgmPciReserveFixed(set, slot, 0, flags, d->label, error))
            return FALSE;
        vgmPciAddrSet(&v->addr, &(VgmDeviceAddress){ .type = VGM_ADDRESS_PCI, .slot = slot });
        return TRUE;
    }
    return TRUE;
}

/* The PC: the PIIX3 at 00:01 (ISA bridge .0, IDE .1, UHCI .2, power
 * management .3), the first video at 00:02 */
static gboolean
vgmPciChipsetPiix3(VgmDomainDef *def, VgmPciSet *set, GArray *devs, GError **error)
{
    const unsigned int flags = VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCI_DEVICE;
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        g_autofree char *label = vgmPciControllerLabel(c);

        if (c->index != 0)
            continue;
        if (g_str_equal(c->type, "ide")) {
            if (!vgmPciChipsetAddr(c, 1, 1, _("the PC's IDE controller"), error))
                return FALSE;
        } else if (g_str_equal(c->type, "usb") && g_strcmp0(c->model, "piix3-uhci") == 0) {
            if (!vgmPciChipsetAddr(c, 1, 2, _("the PC's PIIX3 USB controller"), error))
                return FALSE;
        } else {
            continue;
        }
        if (!vgmPciReserve(set, &c->addr, flags, TRUE, label, error))
            return FALSE;
    }
    return vgmPciReserveFixed(set, 1, 0, flags, _("the PIIX3 ISA bridge"), error) &&
           vgmPciReserveFixed(set, 1, 3, flags, _("the PIIX3 power management function"), error) &&
           vgmPciPrimaryVideo(def, set, devs, 2, flags, error);
}

/* q35: the ICH9 at 00:1f (LPC .0, SATA .2, SMBus .3), the first USB 2
 * set at 00:1d (a second one at 00:1a), a dmi-to-pci-bridge at 00:1e, HD
 * audio at 00:1b and the first video at 00:01, each where free */
static gboolean
vgmPciChipsetQ35(VgmDomainDef *def, VgmPciSet *set, GArray *devs, GError **error)
{
    const unsigned int flags = VGM_PCI_CONN_PCIE_DEVICE;
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        g_autofree char *label = vgmPciControllerLabel(c);
        unsigned int slot = 0;

        if (g_str_equal(c->type, "sata") && c->index == 0) {
            if (!vgmPciChipsetAddr(c, 0x1f, 2, _("q35's own SATA controller"), error))
                return FALSE;
            continue;
        }
        if (c->addr.type != VGM_ADDRESS_NONE)
            continue;
        if (g_str_equal(c->type, "usb") && g_strcmp0(c->model, "ich9-uhci1") == 0) {
            if (!vgmPciSlotInUse(set, 0x1d))
                slot = 0x1d;
            else if (!vgmPciSlotInUse(set, 0x1a))
                slot = 0x1a;
        } else if (g_str_equal(c->type, "pci") && g_strcmp0(c->model, "dmi-to-pci-bridge") == 0) {
            if (!vgmPciSlotInUse(set, 0x1e))
                slot = 0x1e;
        }
        if (!slot)
            continue;
        if (!vgmPciReserveFixed(set, slot, 0, flags, label, error))
            return FALSE;
        c->addr.type = VGM_ADDRESS_PCI;
        c->addr.slot = slot;
        if (g_str_equal(c->type, "usb"))
            c->addr.multifunction = VGM_TRISTATE_YES;
    }
    if (!vgmPciReserveFixed(set, 0x1f, 0, flags, _("the ICH9 LPC bridge"), error) ||
        !vgmPciReserveFixed(set, 0x1f, 3, flags, _("the ICH9 SMBus controller"), error) ||
        !vgmPciPrimaryVideo(def, set, devs, 1, flags, error))
        return FALSE;
    if (vgmPciSlotInUse(set, 0x1b))
        return TRUE;
    for (i = 0; i < def->devices.sounds->len; i++) {
        VgmSoundDef *snd = g_ptr_array_index(def->devices.sounds, i);
        g_autofree char *label = NULL;

        if (snd->model != VGM_SOUND_ICH9 || !vgmPciAddrWanted(&snd->addr))
            continue;
        label = vgmPciNthLabel("sound", i);
        if (!vgmPciReserveFixed(set, 0x1b, 0, flags, label, error))
            return FALSE;
        vgmPciAddrSet(&snd->addr, &(VgmDeviceAddress){ .type = VGM_ADDRESS_PCI, .slot = 0x1b });
        break;
    }
    return TRUE;
}

/* ---------------- handing out ---------------- */

/* The function of an ICH9 USB 2 model in its set's slot, and whether it
 * says multifunction */
static unsigned int
vgmPciUsb2Function(const char *model, VgmTristate *multi)
{
    static const char *const models[] = { "ich9-uhci1", "ich9-uhci2", "ich9-uhci3" };
    size_t i;

    *multi = VGM_TRISTATE_ABSENT;
    for (i = 0; i < G_N_ELEMENTS(models); i++) {
        if (g_str_equal(model, models[i])) {
            if (i == 0)
                *multi = VGM_TRISTATE_YES;
            return (unsigned int)i;
        }
    }
    return 7;                   /* ich9-ehci1 */
}

/* An ICH9 USB 2 controller joins the slot of its set (the controllers of
 * its index), at its model's function */
static gboolean
vgmPciAssignUsb2(VgmDomainDef *def, VgmPciSet *set, VgmPciDev *d, GError **error)
{
    VgmTristate multi;
    unsigned int fn = vgmPciUsb2Function(d->ctrl->model, &multi);
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *o = g_ptr_array_index(def->devices.controllers, i);
        VgmDeviceAddress a;

        if (!vgmPciIsUsb2(o) || o->index != d->ctrl->index || !vgmPciAddrPresent(&o->addr))
            continue;
        a = o->addr;
        a.function = fn;
        a.multifunction = multi;
        if (!vgmPciReserve(set, &a, d->flags, TRUE, d->label, error))
            return FALSE;
        *d->addr = a;
        return TRUE;
    }
    if (!vgmPciReserveNext(set, d->addr, d->flags, (int)fn, d->label, error))
        return FALSE;
    if (!set->dryRun)
        d->addr->multifunction = multi;
    return TRUE;
}

static gboolean
vgmPciAssignDevices(VgmDomainDef *def, VgmPciSet *set, GArray *devs, GError **error)
{
    guint i;

    for (i = 0; i < devs->len; i++) {
        VgmPciDev *d = &g_array_index(devs, VgmPciDev, i);

        if (!vgmPciAddrWanted(d->addr))
            continue;
        /* the PC's IDE controller is the chipset's */
        if (d->ctrl && g_str_equal(d->ctrl->type, "ide") && d->ctrl->index == 0)
            continue;
        if (d->ctrl && vgmPciIsUsb2(d->ctrl)) {
            if (!vgmPciAssignUsb2(def, set, d, error))
                return FALSE;
        } else if (!vgmPciReserveNextBelow(set, d->addr, d->flags, -1,
                                           !set->dryRun && d->ctrl &&
                                           g_str_equal(d->ctrl->type, "pci") ?
                                           d->ctrl->index : G_MAXUINT,
                                           d->label, error)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Function 0 of a slot where further functions are taken says
 * multifunction; one that says it is not is refused (libvirt keeps it,
 * and QEMU then refuses the device: "indicates single function") */
static gboolean
vgmPciSetMulti(GArray *devs, GError **error)
{
    g_autoptr(GHashTable) multi = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < devs->len; i++) {
        const VgmDeviceAddress *a = g_array_index(devs, VgmPciDev, i).addr;

        if (vgmPciAddrPresent(a) && a->function)
            g_hash_table_add(multi, GUINT_TO_POINTER((a->bus << 8 | a->slot) + 1));
    }
    for (i = 0; i < devs->len; i++) {
        VgmPciDev *d = &g_array_index(devs, VgmPciDev, i);
        VgmDeviceAddress *a = d->addr;

        if (a->type != VGM_ADDRESS_PCI || a->function != 0 || a->domain ||
            !g_hash_table_contains(multi, GUINT_TO_POINTER((a->bus << 8 | a->slot) + 1)))
            continue;
        if (a->multifunction == VGM_TRISTATE_NO) {
            g_autofree char *str = vgmPciAddrString(a);

            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s at PCI address %2$s says multifunction='off', but further functions of its slot are taken: function 0 of such a slot must be multifunction"),
                        d->label, str);
            return FALSE;
        }
        a->multifunction = VGM_TRISTATE_YES;
    }
    return TRUE;
}

/* An expander bus without a busNr gets two below the lowest one given or
 * handed out (one number for the bus, one for the bridge inside it), as
 * libvirt picks, so that the buses behind pci-root keep the low numbers */
static gboolean
vgmPciNewBusNr(VgmDomainDef *def, VgmControllerDef *c, GError **error)
{
    unsigned int lowest = 256;
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *o = g_ptr_array_index(def->devices.controllers, i);

        if (o->haveBusNr && o->busNr < lowest)
            lowest = o->busNr;
    }
    if (lowest <= 2) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<controller type='pci' index='%1$u' model='%2$s'> needs a busNr: none is free below the lowest one taken (%3$u); give it in <target busNr=''/>"),
                    c->index, c->model, lowest);
        return FALSE;
    }
    c->haveBusNr = TRUE;
    c->busNr = lowest - 2;
    return TRUE;
}

/* What libvirt writes into every PCI controller it keeps: the QEMU device
 * (<model name>), a pci-bridge's chassisNr, a port's chassis and port */
static gboolean
vgmPciControllerDefaults(VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        const VgmPciModel *pm;

        if (!g_str_equal(c->type, "pci") || !(pm = vgmPciModelFind(c->model)))
            continue;
        if (!c->modelName && pm->modelName)
            c->modelName = g_strdup(pm->modelName);
        if (g_str_equal(c->model, "pci-bridge")) {
            if (!c->haveChassisNr) {
                c->haveChassisNr = TRUE;
                c->chassisNr = c->index;
            }
            if (c->addr.type == VGM_ADDRESS_PCI && c->index <= c->addr.bus) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<controller type='pci' index='%1$u' model='pci-bridge'> sits on bus %2$u: a bridge's index must be higher than its bus's"),
                            c->index, c->addr.bus);
                return FALSE;
            }
        } else if (g_str_has_suffix(c->model, "-expander-bus")) {
            if (!c->haveBusNr && !vgmPciNewBusNr(def, c, error))
                return FALSE;
        } else if (g_str_equal(c->model, "pcie-root-port") ||
                   g_str_equal(c->model, "pcie-switch-downstream-port")) {
            gboolean root = g_str_equal(c->model, "pcie-root-port");

            if (!c->haveChassis) {
                c->haveChassis = TRUE;
                c->chassis = c->index;
            }
            if (!c->havePort && c->addr.type == VGM_ADDRESS_PCI) {
                c->havePort = TRUE;
                c->port = root ? (c->addr.slot << 3) + c->addr.function : c->addr.slot;
            }
        }
    }
    return TRUE;
}

/* The root bus and, on q35, the ICH9's SATA controller, which libvirt adds
 * to every domain of the machine */
static gboolean
vgmPciImplicitControllers(VgmDomainDef *def, const VgmPciMachine *m, GError **error)
{
    const char *root = m->q35 ? "pcie-root" : "pci-root";
    gboolean haveSata = FALSE;
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        haveSata |= g_str_equal(c->type, "sata") && c->index == 0;
        if (!g_str_equal(c->type, "pci"))
            continue;
        if (c->index == 0 && g_strcmp0(c->model, root) != 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<controller type='pci' index='0'> of a %1$s machine is its root bus, model='%2$s', not '%3$s'"),
                        m->q35 ? "q35" : "PC", root, c->model ? c->model : "");
            return FALSE;
        }
        if (g_strcmp0(c->model, m->q35 ? "pci-expander-bus" : "pcie-expander-bus") == 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<controller type='pci' index='%1$u' model='%2$s'> is for the %3$s machine, not %4$s"),
                        c->index, c->model, m->q35 ? "PC" : "q35", m->q35 ? "q35" : "the PC");
            return FALSE;
        }
        if (c->index == 0 && c->addr.type != VGM_ADDRESS_NONE) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<controller type='pci' index='0' model='%1$s'> is the root bus: it plugs into nothing and takes no <address>"),
                        root);
            return FALSE;
        }
        if (c->index != 0 && (g_strcmp0(c->model, "pci-root") == 0 ||
                              g_strcmp0(c->model, "pcie-root") == 0)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<controller type='pci' index='%1$u' model='%2$s'>: a root bus has index 0"),
                        c->index, c->model);
            return FALSE;
        }
    }
    if (!vgmPciFindController(def, "pci", 0)) {
        VgmControllerDef *c = g_new0(VgmControllerDef, 1);

        c->type = g_strdup("pci");
        c->model = g_strdup(root);
        c->haveIndex = TRUE;
        vgmDomainControllerAppend(def->devices.controllers, c);
    }
    if (m->q35 && !haveSata) {
        VgmControllerDef *c = g_new0(VgmControllerDef, 1);

        c->type = g_strdup("sata");
        c->haveIndex = TRUE;
        vgmDomainControllerAppend(def->devices.controllers, c);
    }
    return TRUE;
}

/* Which PCI machine @def has: 1 the PC, 2 q35, 0 neither */
int
vgmDomainPciMachineKind(const VgmDomainDef *def)
{
    const char *machine = def->os.machine;

    if (g_strcmp0(def->os.arch, "x86_64") != 0 && g_strcmp0(def->os.arch, "i686") != 0)
        return 0;
    if (!machine)
        return 1;               /* QEMU's default x86 machine is the PC */
    if (strstr(machine, "q35"))
        return 2;
    if (g_str_equal(machine, "pc") || g_str_has_prefix(machine, "pc-"))
        return 1;
    return 0;
}

gboolean
vgmDomainPciAssign(VgmDomainDef *def, GError **error)
{
    VgmPciMachine m = { 0 };
    VgmPciSet set = { 0 };
    g_autoptr(GArray) devs = NULL;
    int kind = vgmDomainPciMachineKind(def);
    gint64 maxIndex = -1;
    guint nbuses;
    guint i;
    gboolean ok = FALSE;

    if (kind == 0)
        return TRUE;
    m.q35 = kind == 2;
    m.pciFlags = VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCI_DEVICE;
    m.pcieFlags = VGM_PCI_CONN_AUTO | (m.q35 ? VGM_PCI_CONN_PCIE_DEVICE : VGM_PCI_CONN_PCI_DEVICE);
    /* virtio devices are PCI Express where the machine is (QEMU makes
     * them modern there), transitional PCI elsewhere */
    m.virtioFlags = m.pcieFlags;
    if (!vgmPciImplicitControllers(def, &m, error))
        return FALSE;
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        if (g_str_equal(c->type, "pci") && (gint64)c->index > maxIndex)
            maxIndex = c->index;
    }
    /* each controller index up to the highest is a bus */
    if (maxIndex >= VGM_PCI_MAX_BUSES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("PCI controller index %1$" G_GINT64_FORMAT " is too high: a domain has at most %2$d PCI buses (indexes 0 to %3$d)"),
                    maxIndex, VGM_PCI_MAX_BUSES, VGM_PCI_MAX_BUSES - 1);
        return FALSE;
    }
    nbuses = (guint)maxIndex + 1;

    /* the dry pass: which buses are missing */
    devs = vgmPciDevices(def, &m);
    set.dryRun = TRUE;
    if (!vgmPciSetCreate(&set, def, &m, devs, nbuses, error) ||
        !(m.q35 ? vgmPciChipsetQ35(def, &set, devs, error) :
                  vgmPciChipsetPiix3(def, &set, devs, error)))
        goto cleanup;
    if (!m.q35) {
        /* the PC keeps one slot for a pci-bridge to come */
        gboolean full = TRUE;
        VgmDeviceAddress spare = { 0 };

        for (i = 0; i < set.buses->len; i++)
            full &= vgmPciBusIsFull(vgmPciSetBus(&set, i));
        if (!full && !vgmPciReserveNext(&set, &spare, m.pciFlags, -1, _("a spare slot"), error))
            goto cleanup;
    }
    if (!vgmPciAssignDevices(def, &set, devs, error))
        goto cleanup;
    if (m.q35 && maxIndex <= 0 && set.buses->len > nbuses) {
        /* root ports that all came from here: one more, empty, for a
         * device to come */
        VgmDeviceAddress spare = { 0 };

        if (!vgmPciReserveNext(&set, &spare, VGM_PCI_CONN_AUTO | VGM_PCI_CONN_PCIE_DEVICE, -1,
                               _("a spare root port"), error))
            goto cleanup;
    }
    for (i = 1; i < set.buses->len; i++) {
        VgmPciBus *bus = vgmPciSetBus(&set, i);
        VgmControllerDef *c;
        g_autofree char *label = NULL;

        if (vgmPciFindController(def, "pci", i))
            continue;
        c = g_new0(VgmControllerDef, 1);
        c->type = g_strdup("pci");
        c->model = g_strdup(bus->model->model);
        c->index = i;
        c->haveIndex = TRUE;
        vgmDomainControllerAppend(def->devices.controllers, c);
        label = vgmPciControllerLabel(c);
        /* its own slot, which may take another bus (the count only: the
         * real pass places PCI controllers first, before the devices) */
        if (!vgmPciReserveNext(&set, &c->addr, bus->model->connect, -1, label, error))
            goto cleanup;
    }
    nbuses = set.buses->len;
    vgmPciSetClear(&set);
    g_clear_pointer(&devs, g_array_unref);

    /* the real pass */
    set.dryRun = FALSE;
    devs = vgmPciDevices(def, &m);
    if (!vgmPciSetCreate(&set, def, &m, devs, nbuses, error) ||
        !(m.q35 ? vgmPciChipsetQ35(def, &set, devs, error) :
                  vgmPciChipsetPiix3(def, &set, devs, error)) ||
        !vgmPciAssignDevices(def, &set, devs, error))
        goto cleanup;
    ok = vgmPciSetMulti(devs, error) && vgmPciControllerDefaults(def, error);

 cleanup:
    vgmPciSetClear(&set);
    return ok;
}
