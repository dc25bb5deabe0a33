/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_postparse.c: the defaults libvirt fills in after parsing.
 *
 * Everything here turns what the user left out into what libvirt (with its
 * QEMU driver) would show in `virsh dumpxml`: total memory from the NUMA
 * cells, currentMemory, vCPU placement, CPU check modes, default boot
 * device, lifecycle actions, disk driver names, serial/console pairing,
 * controller indexes, VNC autoport, the default memballoon, MAC
 * addresses, USB controller models, input buses, the PS/2 mouse and
 * keyboard of x86 machines and USB ports of inputs. Nothing here rejects a configuration that validation would
 * accept, except a domain with no memory size at all.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

static const char *
vgmPostParseHostArch(void)
{
    static char arch[64];
    struct utsname ut;

    if (arch[0])
        return arch;
    if (uname(&ut) < 0 || g_str_equal(ut.machine, "x86_64") || g_str_equal(ut.machine, "amd64"))
        g_strlcpy(arch, "x86_64", sizeof(arch));
    else if (g_str_equal(ut.machine, "arm64"))
        g_strlcpy(arch, "aarch64", sizeof(arch));
    else
        g_strlcpy(arch, ut.machine, sizeof(arch));
    return arch;
}

static gboolean
vgmPostParseMemory(VgmDomainDef *def, GError **error)
{
    /* libvirt's rule: with NUMA cells the total is theirs plus the memory
     * devices', whatever <memory> said (validation catches a sum that
     * does not fit) */
    if (vgmDomainDefNumaCells(def) > 0)
        def->memory = vgmDomainDefNumaTotalMemory(def) +
                      vgmDomainDefGetMemoryDevicesTotal(def);
    if (def->memory == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("the memory size is missing: give it in <memory> or in the NUMA <cell> elements"));
        return FALSE;
    }
    if (def->curMemory == 0 || def->curMemory > def->memory)
        def->curMemory = def->memory;
    return TRUE;
}

/* The slot of each dimm and nvdimm that has none, as libvirt gives it in
 * a domain with memory hot-plug: the lowest no other memory device has
 * (so that a device's slot, and QEMU's, stays when another one goes) */
static void
vgmPostParseMemorySlots(VgmDomainDef *def)
{
    GPtrArray *mems = def->devices.mems;
    guint i, j;

    if (!def->maxMemory)
        return;
    for (i = 0; i < mems->len; i++) {
        VgmMemoryDef *mem = g_ptr_array_index(mems, i);
        unsigned int slot = 0;
        gboolean taken = TRUE;

        if ((mem->model != VGM_MEMORY_MODEL_DIMM && mem->model != VGM_MEMORY_MODEL_NVDIMM) ||
            mem->addr.type != VGM_ADDRESS_NONE)
            continue;
        while (taken) {
            taken = FALSE;
            for (j = 0; j < mems->len && !taken; j++) {
                const VgmMemoryDef *other = g_ptr_array_index(mems, j);

                taken = other->addr.type == VGM_ADDRESS_DIMM && other->addr.slot == slot;
            }
            if (taken)
                slot++;
        }
        mem->addr.type = VGM_ADDRESS_DIMM;
        mem->addr.slot = slot;
    }
}

/* libvirt's NUMA distances: a cell that has any has them to every cell,
 * 10 to itself, and a distance given one way holds the other way too
 * unless given there; filled only when every sibling names a cell once
 * (validation refuses the rest) */
static void
vgmPostParseNumaDistances(VgmDomainDef *def)
{
    size_t n = vgmDomainDefNumaCells(def);
    g_autofree unsigned int *m = NULL;
    size_t i, j;

    for (i = 0; i < n; i++) {
        if (def->cpu->cells[i].ndistances)
            break;
    }
    if (i == n)
        return;
    m = g_new0(unsigned int, n * n);
    for (i = 0; i < n; i++) {
        const VgmDomainNumaCell *cell = &def->cpu->cells[i];

        if (cell->id != i)
            return;
        for (j = 0; j < cell->ndistances; j++) {
            unsigned int sib = cell->distances[j].sibling;

            if (sib >= n || m[i * n + sib])
                return;
            m[i * n + i] = m[sib * n + sib] = 10;
            m[i * n + sib] = cell->distances[j].value;
        }
    }
    /* the other way, where not given */
    for (i = 0; i < n; i++) {
        const VgmDomainNumaCell *cell = &def->cpu->cells[i];

        for (j = 0; j < cell->ndistances; j++) {
            unsigned int sib = cell->distances[j].sibling;

            if (!m[sib * n + i])
                m[sib * n + i] = cell->distances[j].value;
        }
    }
    for (i = 0; i < n; i++) {
        VgmDomainNumaCell *cell = &def->cpu->cells[i];

        if (!m[i * n + i])
            continue;
        g_free(cell->distances);
        cell->distances = g_new0(VgmNumaDistance, n);
        cell->ndistances = 0;
        for (j = 0; j < n; j++) {
            if (!m[i * n + j])
                continue;
            cell->distances[cell->ndistances].sibling = j;
            cell->distances[cell->ndistances++].value = m[i * n + j];
        }
    }
}

static void
vgmPostParseCpu(VgmDomainDef *def)
{
    VgmCpuDef *cpu = def->cpu;
    size_t i;

    if (def->vcpus == 0)
        def->vcpus = 1;
    /* <vcpus> says which vCPUs run: libvirt's defaults, an online one
     * started with QEMU and an offline one plugged later; their count is
     * the current one (a different current='' is refused by the rules) */
    if (def->vcpuList) {
        unsigned int online = 0;

        for (i = 0; i < def->vcpus; i++) {
            VgmDomainVcpu *v = &def->vcpuList[i];

            if (!v->hotpluggable)
                v->hotpluggable = v->online ? VGM_TRISTATE_NO : VGM_TRISTATE_YES;
            online += v->online;
        }
        if (!def->vcpusCurrent)
            def->vcpusCurrent = online;
    }
    if (def->vcpusCurrent == def->vcpus)
        def->vcpusCurrent = 0;
    /* libvirt's rule for QEMU: NUMA cells that leave vCPUs out put them
     * in the first cell (every vCPU no other cell names) */
    if (cpu && cpu->ncells > 0) {
        unsigned int named = 0;

        for (i = 0; i < cpu->ncells; i++)
            named += cpu->cells[i].cpus ? vgmBitmapCount(cpu->cells[i].cpus) : 0;
        if (named < def->vcpus) {
            g_autoptr(VgmBitmap) first = vgmBitmapNew(def->vcpus);
            unsigned int v;

            for (v = 0; v < def->vcpus; v++) {
                gboolean other = FALSE;

                for (i = 1; i < cpu->ncells && !other; i++)
                    other = cpu->cells[i].cpus && vgmBitmapIsSet(cpu->cells[i].cpus, v);
                if (!other)
                    vgmBitmapSet(first, v);
            }
            vgmBitmapFree(cpu->cells[0].cpus);
            cpu->cells[0].cpus = g_steal_pointer(&first);
        }
    }
    /* libvirt's rule: memory placed where numad advises places the vCPUs
     * there too (whatever <vcpu placement> says) unless something pins
     * QEMU's threads */
    if (def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO) {
        gboolean pinned = def->cpuset || def->emulatorpin;

        for (i = 0; !pinned && def->vcpupin && i < def->vcpus; i++)
            pinned = def->vcpupin[i] != NULL;
        for (i = 0; !pinned && def->iothreads && i < def->iothreads->len; i++)
            pinned = ((const VgmDomainIOThread *)g_ptr_array_index(def->iothreads, i))->cpumask != NULL;
        if (!pinned)
            def->cpuPlacement = VGM_DOMAIN_CPU_PLACEMENT_AUTO;
    }
    if (def->cpuPlacement == VGM_DOMAIN_CPU_PLACEMENT_DEFAULT)
        def->cpuPlacement = VGM_DOMAIN_CPU_PLACEMENT_STATIC;

    /* libvirt's rule: automatic vCPU placement without <numatune><memory>
     * binds the memory where numad advises too */
    if (!def->numatune.memorySet && def->cpuPlacement == VGM_DOMAIN_CPU_PLACEMENT_AUTO) {
        def->numatune.present = TRUE;
        def->numatune.memorySet = TRUE;
        def->numatune.mode = VGM_DOMAIN_NUMATUNE_MEM_STRICT;
        def->numatune.placement = VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO;
    }
    if (def->numatune.memorySet &&
        def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_DEFAULT) {
        if (def->numatune.nodeset)
            def->numatune.placement = VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC;
        else if (def->cpuPlacement == VGM_DOMAIN_CPU_PLACEMENT_AUTO)
            def->numatune.placement = VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO;
        else
            def->numatune.placement = VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC;
    }

    if (!cpu)
        return;
    if (cpu->sockets && !cpu->dies)
        cpu->dies = 1;
    switch (cpu->mode) {
    case VGM_CPU_MODE_HOST_PASSTHROUGH:
        if (!cpu->check)
            cpu->check = VGM_CPU_CHECK_NONE;
        if (!cpu->migratable)
            cpu->migratable = VGM_TRISTATE_YES;
        break;
    case VGM_CPU_MODE_MAXIMUM:
        if (!cpu->check)
            cpu->check = VGM_CPU_CHECK_NONE;
        break;
    case VGM_CPU_MODE_HOST_MODEL:
        if (!cpu->check)
            cpu->check = VGM_CPU_CHECK_PARTIAL;
        break;
    case VGM_CPU_MODE_CUSTOM:
        if (cpu->model) {
            if (!cpu->match)
                cpu->match = VGM_CPU_MATCH_EXACT;
            /* libvirt compares a custom model with the host only under
             * KVM unless asked */
            if (!cpu->check)
                cpu->check = def->virtType == VGM_DOMAIN_VIRT_QEMU ?
                             VGM_CPU_CHECK_NONE : VGM_CPU_CHECK_PARTIAL;
        }
        break;
    case VGM_CPU_MODE_LAST:
        break;
    }
    for (i = 0; i < def->numatune.nmemnodes; i++) {
        if (!def->numatune.memnodes[i].modeSet)
            def->numatune.memnodes[i].mode = VGM_DOMAIN_NUMATUNE_MEM_STRICT;
    }
}

static void
vgmPostParseOs(VgmDomainDef *def)
{
    gboolean perDevice;

    if (!def->os.arch)
        def->os.arch = g_strdup(vgmPostParseHostArch());
    /* per-device boot orders replace <os><boot dev> */
    {
        g_autoptr(GArray) orders = vgmDomainDefBootOrders(def);

        perDevice = orders->len > 0;
    }
    /* libvirt adds the disk even for direct kernel boot */
    if (def->os.nboot == 0 && !perDevice) {
        def->os.boot = g_renew(VgmBootDev, def->os.boot, 1);
        def->os.boot[def->os.nboot++] = VGM_BOOT_DISK;
    }
    /* a firmware file of no type is a ROM, as libvirt names it */
    if (def->os.loader && !def->os.loaderType)
        def->os.loaderType = VGM_LOADER_TYPE_ROM;
    /* enrolled Secure Boot keys mean a Secure Boot firmware, which
     * libvirt writes out (the parse refused secure-boot disabled) */
    if (vgmOsFirmwareFeature(&def->os, "enrolled-keys") == VGM_TRISTATE_YES &&
        !vgmOsFirmwareFeature(&def->os, "secure-boot")) {
        VgmFirmwareFeature *f;

        def->os.fwFeatures = g_renew(VgmFirmwareFeature, def->os.fwFeatures, def->os.nfwFeatures + 1);
        f = &def->os.fwFeatures[def->os.nfwFeatures++];
        f->name = g_strdup("secure-boot");
        f->enabled = VGM_TRISTATE_YES;
    }
    if (!def->onPoweroff)
        def->onPoweroff = VGM_DOMAIN_LIFECYCLE_DESTROY;
    if (!def->onReboot)
        def->onReboot = VGM_DOMAIN_LIFECYCLE_RESTART;
    if (!def->onCrash)
        def->onCrash = VGM_DOMAIN_LIFECYCLE_DESTROY;
}

/* @dst's backend (type, source, protocol, log) becomes @src's */
static void
vgmChrCopySource(VgmChrDef *dst, const VgmChrDef *src)
{
    dst->type = src->type;
    g_free(dst->path);
    dst->path = g_strdup(src->path);
    g_free(dst->mode);
    dst->mode = g_strdup(src->mode);
    g_free(dst->host);
    dst->host = g_strdup(src->host);
    g_free(dst->service);
    dst->service = g_strdup(src->service);
    g_free(dst->bindHost);
    dst->bindHost = g_strdup(src->bindHost);
    g_free(dst->bindService);
    dst->bindService = g_strdup(src->bindService);
    dst->protocol = src->protocol;
    dst->append = src->append;
    dst->tlsOff = src->tlsOff;
    dst->reconnect = src->reconnect;
    dst->reconnectTimeout = src->reconnectTimeout;
    dst->noRelabel = src->noRelabel;
    g_free(dst->logfile);
    dst->logfile = g_strdup(src->logfile);
    dst->logappend = src->logappend;
}

static VgmChrDef *
vgmChrCopyForSerial(const VgmChrDef *src)
{
    VgmChrDef *chr = g_new0(VgmChrDef, 1);

    chr->kind = VGM_CHR_SERIAL;
    vgmChrCopySource(chr, src);
    chr->addr = src->addr;
    /* the console's user alias is the port's, as libvirt makes the
     * console the port itself */
    g_strlcpy(chr->alias, src->alias, sizeof(chr->alias));
    return chr;
}

static void
vgmPostParseChr(VgmDomainDef *def, gboolean live)
{
    VgmDevicesDef *devs = &def->devices;
    gint64 maxPort = -1;        /* at most G_MAXINT: ports are compared as int */
    guint i;

    /* A serial console with no serial port gets one, as in libvirt. */
    if (devs->consoles->len > 0 && devs->serials->len == 0) {
        VgmChrDef *con = g_ptr_array_index(devs->consoles, 0);
        if (!con->targetType || g_str_equal(con->targetType, "serial"))
            g_ptr_array_add(devs->serials, vgmChrCopyForSerial(con));
    }
    /* ... and the first serial port (an ISA one) is shown as the first
     * console too, before a console of another type, as libvirt inserts
     * it; not in a running domain's XML, which has it from its start,
     * unless a virt-gmem older than this rule started the domain: its
     * other consoles then keep the places (and QEMU ids) they run with */
    if (devs->serials->len > 0 && !live) {
        const VgmChrDef *ser = g_ptr_array_index(devs->serials, 0);
        const VgmChrDef *first = devs->consoles->len ? g_ptr_array_index(devs->consoles, 0) :
                                                        NULL;

        if ((!first || (first->targetType && !g_str_equal(first->targetType, "serial"))) &&
            (!ser->targetType || g_str_equal(ser->targetType, "isa-serial"))) {
            VgmChrDef *con = vgmChrCopyForSerial(ser);

            con->kind = VGM_CHR_CONSOLE;
            con->targetType = g_strdup("serial");
            g_ptr_array_insert(devs->consoles, 0, con);
        }
    }
    /* A serial without a port gets the port after the highest one taken
     * (given anywhere, or handed out before it), as libvirt numbers: one
     * pass for the highest given port, then a running maximum. */
    for (i = 0; i < devs->serials->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->serials, i);
        if (chr->havePort && (int)chr->port > maxPort)
            maxPort = chr->port;
    }
    for (i = 0; i < devs->serials->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(devs->serials, i);

        if (!chr->targetType)
            chr->targetType = g_strdup("isa-serial");
        if (!chr->havePort) {
            chr->havePort = TRUE;
            chr->port = (unsigned int)++maxPort;
        }
        if (!chr->targetModel && g_str_equal(chr->targetType, "isa-serial"))
            chr->targetModel = g_strdup("isa-serial");
        /* the debug console at an I/O port (libvirt's isa-debug target) */
        if (!chr->targetModel && g_str_equal(chr->targetType, "isa-debug"))
            chr->targetModel = g_strdup("isa-debugcon");
        /* the PCI and USB ports are the devices of their names */
        if (!chr->targetModel && (g_str_equal(chr->targetType, "pci-serial") ||
                                  g_str_equal(chr->targetType, "usb-serial")))
            chr->targetModel = g_strdup(chr->targetType);
    }
    /* parallel ports in order: QEMU numbers its ISA parallel ports so */
    for (i = 0; i < devs->parallels->len; i++) {
        VgmChrDef *par = g_ptr_array_index(devs->parallels, i);

        if (!par->havePort) {
            par->havePort = TRUE;
            par->port = i;
        }
    }
    for (i = 0; i < devs->consoles->len; i++) {
        VgmChrDef *con = g_ptr_array_index(devs->consoles, i);

        if (!con->targetType)
            con->targetType = g_strdup(i == 0 ? "serial" : "virtio");
        /* the first serial console is the first serial port shown again */
        if (i == 0 && g_str_equal(con->targetType, "serial") && devs->serials->len > 0) {
            const VgmChrDef *ser = g_ptr_array_index(devs->serials, 0);
            con->havePort = TRUE;
            con->port = ser->port;
            vgmChrCopySource(con, ser);
        }
        /* (a console's port is its place among the consoles, as libvirt
         * numbers them: a virtio console after the serial one is 1) */
        if (!con->havePort) {
            con->havePort = TRUE;
            con->port = i;
        }
    }
}

static gboolean
vgmPostParseIsX86(const VgmDomainDef *def)
{
    return g_str_equal(def->os.arch, "x86_64") || g_str_equal(def->os.arch, "i686");
}

static gboolean
vgmPostParseHasInput(const VgmDevicesDef *devs, VgmInputType type, VgmInputBus bus)
{
    guint i;

    for (i = 0; i < devs->inputs->len; i++) {
        const VgmInputDef *in = g_ptr_array_index(devs->inputs, i);
        if (in->type == type && in->bus == bus)
            return TRUE;
    }
    return FALSE;
}

/* The USB devices of @def in libvirt's order (hubs, USB disks, smartcard
 * readers, USB inputs, USB serial ports, USB sound, USB redirections),
 * their addresses into @out */
static void
vgmPostParseUsbDevices(VgmDomainDef *def, GPtrArray *out)
{
    VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->hubs->len; i++)
        g_ptr_array_add(out, &((VgmHubDef *)g_ptr_array_index(devs->hubs, i))->addr);
    for (i = 0; i < devs->disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(devs->disks, i);
        if (d->bus == VGM_DISK_BUS_USB)
            g_ptr_array_add(out, &d->addr);
    }
    for (i = 0; i < devs->controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        if (g_str_equal(c->type, "ccid"))
            g_ptr_array_add(out, &c->addr);
    }
    for (i = 0; i < devs->inputs->len; i++) {
        VgmInputDef *in = g_ptr_array_index(devs->inputs, i);
        if (in->bus == VGM_INPUT_BUS_USB)
            g_ptr_array_add(out, &in->addr);
    }
    for (i = 0; i < devs->serials->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(devs->serials, i);
        if (g_strcmp0(chr->targetType, "usb-serial") == 0)
            g_ptr_array_add(out, &chr->addr);
    }
    for (i = 0; i < devs->sounds->len; i++) {
        VgmSoundDef *snd = g_ptr_array_index(devs->sounds, i);
        if (snd->model == VGM_SOUND_USB)
            g_ptr_array_add(out, &snd->addr);
    }
    for (i = 0; i < devs->redirdevs->len; i++)
        g_ptr_array_add(out, &((VgmChrDef *)g_ptr_array_index(devs->redirdevs, i))->addr);
}

/* USB ports as libvirt hands them out: when the USB devices outnumber the
 * ports of the controllers and hubs, hubs without a port are added (each
 * gives 7 more); the ports the definition names are taken, then each hub
 * without one gets the first free port (depth first; its own ports come
 * with it), then every other USB device without one, in libvirt's order.
 * A device without an address looks on every controller, one with a USB
 * address on its own. What cannot get a port keeps none: validation
 * names it. */
static void
vgmPostParseUsbPorts(VgmDomainDef *def)
{
    g_autoptr(GPtrArray) addrs = g_ptr_array_new();
    g_autoptr(VgmUsbPortSet) set = vgmUsbPortSetNew(def);
    GPtrArray *hubs = def->devices.hubs;
    unsigned int avail = vgmUsbPortSetCountPorts(set) + hubs->len * VGM_USB_HUB_PORTS;
    guint i, nhubs;

    vgmPostParseUsbDevices(def, addrs);
    if (addrs->len > avail && avail > 0 && hubs->len < VGM_DOMAIN_MAX_DEVICES) {
        unsigned int need = (addrs->len - avail + 1 + VGM_USB_HUB_PORTS - 2) /
                            (VGM_USB_HUB_PORTS - 1);

        for (i = 0; i < need && hubs->len < VGM_DOMAIN_MAX_DEVICES; i++)
            g_ptr_array_add(hubs, g_new0(VgmHubDef, 1));
        g_ptr_array_set_size(addrs, 0);
        vgmPostParseUsbDevices(def, addrs);
    }
    nhubs = hubs->len;
    /* what the definition names (an error is validation's to report) */
    for (i = 0; i < addrs->len; i++) {
        VgmDeviceAddress *addr = g_ptr_array_index(addrs, i);

        if (addr->type != VGM_ADDRESS_USB || !addr->port[0])
            continue;
        if (i < nhubs)
            vgmUsbPortSetAddHub(set, "", addr, NULL);
        else
            vgmUsbPortSetReserve(set, "", addr, NULL);
    }
    for (i = 0; i < addrs->len; i++) {
        VgmDeviceAddress *addr = g_ptr_array_index(addrs, i);

        /* another address type: validation names it */
        if ((addr->type != VGM_ADDRESS_NONE && addr->type != VGM_ADDRESS_USB) || addr->port[0])
            continue;
        if (!vgmUsbPortSetAssign(set, addr, i < nhubs) && addr->type == VGM_ADDRESS_NONE) {
            /* on controller 0, where validation says what is missing */
            addr->type = VGM_ADDRESS_USB;
            addr->bus = 0;
        }
    }
}

/* Inputs as libvirt's QEMU driver completes them on x86: a tablet without
 * a bus is USB, a mouse or keyboard PS/2; the machine's own PS/2 mouse and
 * keyboard are listed when absent. Then every USB device gets its port
 * (vgmPostParseUsbPorts; controllers without a model got theirs before). */
static void
vgmPostParseInputs(VgmDomainDef *def)
{
    VgmDevicesDef *devs = &def->devices;
    gboolean x86 = vgmPostParseIsX86(def);
    guint i;

    for (i = 0; i < devs->inputs->len; i++) {
        VgmInputDef *in = g_ptr_array_index(devs->inputs, i);

        /* libvirt's defaults; an evdev input has no bus */
        if (in->bus || in->type == VGM_INPUT_TYPE_EVDEV)
            continue;
        if (in->type == VGM_INPUT_TYPE_PASSTHROUGH)
            in->bus = VGM_INPUT_BUS_VIRTIO;
        else
            in->bus = x86 && in->type != VGM_INPUT_TYPE_TABLET ? VGM_INPUT_BUS_PS2 :
                                                                 VGM_INPUT_BUS_USB;
    }
    if (x86) {
        static const VgmInputType ps2[] = { VGM_INPUT_TYPE_MOUSE, VGM_INPUT_TYPE_KEYBOARD };

        for (i = 0; i < G_N_ELEMENTS(ps2); i++) {
            VgmInputDef *in;

            if (vgmPostParseHasInput(devs, ps2[i], VGM_INPUT_BUS_PS2))
                continue;
            in = g_new0(VgmInputDef, 1);
            in->type = ps2[i];
            in->bus = VGM_INPUT_BUS_PS2;
            g_ptr_array_add(devs->inputs, in);
        }
    }
    vgmPostParseUsbPorts(def);
}

static void vgmPostParseAddControllers(VgmDomainDef *def, const char *type, gint64 max);
static void vgmPostParseAddController(VgmDomainDef *def, const char *type, unsigned int index);

/* Smartcards as libvirt completes them: one without an address goes in
 * reader 0 (slot 0), which libvirt fills slot by slot. A USB CCID reader
 * has one slot (QEMU refuses a second card in it), so a card for which
 * reader 0 is taken gets a reader of its own, after the highest there
 * is. Each reader a card names exists. */
static void
vgmPostParseSmartcards(VgmDomainDef *def)
{
    GPtrArray *ctrls = def->devices.controllers;
    guint i, j;

    for (i = 0; i < def->devices.smartcards->len; i++) {
        VgmDeviceAddress *addr = vgmSmartcardAddress(g_ptr_array_index(def->devices.smartcards, i));

        if (addr->type == VGM_ADDRESS_NONE) {
            gboolean zeroTaken = FALSE;
            gint64 max = -1;

            /* (the readers there are, and those the cards name) */
            for (j = 0; j < def->devices.smartcards->len; j++) {
                const VgmDeviceAddress *other =
                    vgmSmartcardAddress(g_ptr_array_index(def->devices.smartcards, j));

                if (other->type != VGM_ADDRESS_CCID)
                    continue;
                zeroTaken |= other->controller == 0;
                max = MAX(max, (gint64)other->controller);
            }
            for (j = 0; j < ctrls->len; j++) {
                const VgmControllerDef *c = g_ptr_array_index(ctrls, j);

                if (g_str_equal(c->type, "ccid") && (gint64)c->index > max)
                    max = c->index;
            }
            addr->type = VGM_ADDRESS_CCID;
            addr->controller = zeroTaken ? (unsigned int)(max + 1) : 0;
            addr->slot = 0;
        }
        if (addr->type == VGM_ADDRESS_CCID && ctrls->len < VGM_DOMAIN_MAX_DEVICES)
            vgmPostParseAddController(def, "ccid", addr->controller);
    }
}

/* As libvirt 9.0 does on the PC and q35 machines, a domain without any
 * USB controller gets controller 0 of the machine's default model,
 * qemu-xhci on q35 and piix3-uhci on the PC (<controller type='usb'
 * model='none'/> keeps it from having one); a USB controller the
 * definition gives without a model is a piix3-uhci on both machines. */
static void
vgmPostParseUsbControllers(VgmDomainDef *def)
{
    gboolean any = FALSE;
    guint i;

    if (!vgmPostParseIsX86(def))
        return;
    for (i = 0; i < def->devices.controllers->len; i++)
        any |= g_str_equal(((const VgmControllerDef *)g_ptr_array_index(def->devices.controllers, i))->type, "usb");
    /* (not past the controllers virt-gmem accepts: a domain already at
     * that limit is refused for what took it there) */
    if (!any && !(def->os.machine && (strstr(def->os.machine, "microvm") ||
                                      strstr(def->os.machine, "isapc"))) &&
        def->devices.controllers->len < VGM_DOMAIN_MAX_DEVICES) {
        VgmControllerDef *c = g_new0(VgmControllerDef, 1);

        c->type = g_strdup("usb");
        c->haveIndex = TRUE;
        c->model = g_strdup(def->os.machine && strstr(def->os.machine, "q35") ?
                            "qemu-xhci" : "piix3-uhci");
        vgmDomainControllerAppend(def->devices.controllers, c);
    }
    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        if (g_str_equal(c->type, "usb") && !c->model)
            c->model = g_strdup("piix3-uhci");
    }
    /* then q35's own SATA controller and the machine's root bus, as
     * libvirt adds them with the default USB one, before the controllers
     * of disks and channels */
    {
        int kind = vgmDomainPciMachineKind(def);
        gboolean sata = FALSE;
        gboolean root = FALSE;

        for (i = 0; i < def->devices.controllers->len; i++) {
            const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

            sata |= g_str_equal(c->type, "sata") && c->index == 0;
            root |= g_str_equal(c->type, "pci") && c->index == 0;
        }
        if (kind == 2 && !sata && def->devices.controllers->len < VGM_DOMAIN_MAX_DEVICES) {
            VgmControllerDef *c = g_new0(VgmControllerDef, 1);

            c->type = g_strdup("sata");
            c->haveIndex = TRUE;
            vgmDomainControllerAppend(def->devices.controllers, c);
        }
        if (kind && !root && def->devices.controllers->len < VGM_DOMAIN_MAX_DEVICES) {
            VgmControllerDef *c = g_new0(VgmControllerDef, 1);

            c->type = g_strdup("pci");
            c->model = g_strdup(kind == 2 ? "pcie-root" : "pci-root");
            c->haveIndex = TRUE;
            vgmDomainControllerAppend(def->devices.controllers, c);
        }
    }
}

/* The USB controllers of one ICH9 set (an EHCI and its UHCI companions)
 * share one index. */
static gboolean
vgmPostParseIsIch9Usb(const VgmControllerDef *c)
{
    return g_str_equal(c->type, "usb") && c->model && g_str_has_prefix(c->model, "ich9-");
}

/* Controllers of @type already holding @index, over the whole list: a key
 * of type and index. */
static char *
vgmPostParseControllerKey(const char *type, unsigned int index)
{
    return g_strdup_printf("%s %u", type, index);
}

/* An ICH9 UHCI companion without <master> that shares its index with the
 * EHCI controller gets libvirt's first port for its model: 0, 2 and 4
 * for ich9-uhci1, 2 and 3 */
static void
vgmPostParseUsbCompanions(VgmDomainDef *def)
{
    GPtrArray *ctrls = def->devices.controllers;
    g_autoptr(GHashTable) ehci = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < ctrls->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(ctrls, i);

        if (g_str_equal(c->type, "usb") && g_strcmp0(c->model, "ich9-ehci1") == 0)
            g_hash_table_add(ehci, GUINT_TO_POINTER(c->index + 1));
    }
    for (i = 0; i < ctrls->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(ctrls, i);
        static const char *const companions[] = { "ich9-uhci1", "ich9-uhci2", "ich9-uhci3" };
        size_t k;

        if (c->haveMaster || !g_str_equal(c->type, "usb") || !c->model ||
            !g_hash_table_contains(ehci, GUINT_TO_POINTER(c->index + 1)))
            continue;
        for (k = 0; k < G_N_ELEMENTS(companions); k++) {
            if (g_str_equal(c->model, companions[k])) {
                c->haveMaster = TRUE;
                c->startport = (unsigned int)(2 * k);
            }
        }
    }
}

/* A controller without an index gets, in list order, the lowest index of
 * its type that no controller holds (given anywhere, or handed out before
 * it), as libvirt numbers them; a model of an ICH9 USB set that comes
 * right after a controller of the same set whose index holds no controller
 * of that model yet joins that index instead. The lowest free index is
 * searched upwards from the last one handed out, each index once per
 * type, so the whole pass stays linear. */
static void
vgmPostParseControllerIndexes(VgmDomainDef *def)
{
    GPtrArray *ctrls = def->devices.controllers;
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* "usb 3 ich9-uhci1": the ICH9 models each index holds */
    g_autoptr(GHashTable) models = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* type -> the lowest index that may still be free */
    g_autoptr(GHashTable) lowest = g_hash_table_new(g_str_hash, g_str_equal);
    const VgmControllerDef *prevUsb = NULL;
    guint i;

    for (i = 0; i < ctrls->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(ctrls, i);
        if (!c->haveIndex)
            continue;
        g_hash_table_add(used, vgmPostParseControllerKey(c->type, c->index));
        if (vgmPostParseIsIch9Usb(c))
            g_hash_table_add(models, g_strdup_printf("usb %u %s", c->index, c->model));
    }
    for (i = 0; i < ctrls->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(ctrls, i);
        gboolean usb = g_str_equal(c->type, "usb");

        if (!c->haveIndex) {
            g_autofree char *joined = prevUsb && usb && vgmPostParseIsIch9Usb(c) &&
                vgmPostParseIsIch9Usb(prevUsb) ?
                g_strdup_printf("usb %u %s", prevUsb->index, c->model) : NULL;

            if (joined && !g_hash_table_contains(models, joined)) {
                c->index = prevUsb->index;
            } else {
                gsize next = GPOINTER_TO_SIZE(g_hash_table_lookup(lowest, c->type));

                for (;; next++) {
                    g_autofree char *key = vgmPostParseControllerKey(c->type, (unsigned int)next);
                    if (!g_hash_table_contains(used, key))
                        break;
                }
                c->index = (unsigned int)next;
                g_hash_table_insert(lowest, c->type, GSIZE_TO_POINTER(next + 1));
                g_hash_table_add(used, vgmPostParseControllerKey(c->type, c->index));
            }
            c->haveIndex = TRUE;
            if (vgmPostParseIsIch9Usb(c))
                g_hash_table_add(models, g_strdup_printf("usb %u %s", c->index, c->model));
        }
        if (usb)
            prevUsb = c;
    }
    /* now that every controller has its index, the order the parser gives
     * controllers read with one (by index, an EHCI master before its
     * companions), so that the formatted XML reads back the same */
    vgmDomainControllersRegroup(ctrls);
}

static int
vgmPostParseUIntCmp(const void *a, const void *b)
{
    unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

    return x < y ? -1 : x > y;
}

/* Appends controller @index of @type, implicit */
static void
vgmPostParseAppendController(VgmDomainDef *def, const char *type, unsigned int index)
{
    VgmControllerDef *c = g_new0(VgmControllerDef, 1);

    c->type = g_strdup(type);
    c->index = index;
    c->haveIndex = TRUE;
    c->implicit = TRUE;
    vgmDomainControllerAppend(def->devices.controllers, c);
}

/* Adds controller @index of @type unless the domain has it */
static void
vgmPostParseAddController(VgmDomainDef *def, const char *type, unsigned int index)
{
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *cur = g_ptr_array_index(def->devices.controllers, i);
        if (g_str_equal(cur->type, type) && cur->index == index)
            return;
    }
    vgmPostParseAppendController(def, type, index);
}

/* Adds the controllers of @type from index 0 up to @max that the domain
 * lacks, where a controller is read into the list; devices name
 * controllers this way. The device limit bounds what they can ask for:
 * none is added once the domain has that many controllers. */
static void
vgmPostParseAddControllers(VgmDomainDef *def, const char *type, gint64 max)
{
    GPtrArray *ctrls = def->devices.controllers;
    g_autoptr(GHashTable) have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gint64 n;
    guint i;

    if (max < 0)
        return;
    for (i = 0; i < ctrls->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(ctrls, i);
        if (g_str_equal(c->type, type))
            g_hash_table_add(have, vgmPostParseControllerKey(c->type, c->index));
    }
    for (n = 0; n <= max && ctrls->len < VGM_DOMAIN_MAX_DEVICES; n++) {
        g_autofree char *key = vgmPostParseControllerKey(type, (unsigned int)n);
        VgmControllerDef *c;

        if (g_hash_table_contains(have, key))
            continue;
        c = g_new0(VgmControllerDef, 1);
        c->type = g_strdup(type);
        c->index = (unsigned int)n;
        c->haveIndex = TRUE;
        c->implicit = TRUE;
        vgmDomainControllerAppend(ctrls, c);
    }
}

/* Drive addresses as libvirt hands them out to disks without one, from
 * the place of the target on its bus; then the controllers they name. */
static void
vgmPostParseDiskAddresses(VgmDomainDef *def)
{
    VgmDevicesDef *devs = &def->devices;
    gint64 maxCtrl[VGM_DISK_BUS_LAST];
    guint i;
    size_t j;

    for (j = 0; j < G_N_ELEMENTS(maxCtrl); j++)
        maxCtrl[j] = -1;
    for (i = 0; i < devs->disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(devs->disks, i);
        const VgmDriveBusInfo *b = vgmDomainDriveBusInfo(disk->bus);

        if (!b)
            continue;
        if (disk->addr.type == VGM_ADDRESS_NONE) {
            unsigned int perCtrl = b->buses * b->autoUnits;
            unsigned int idx = vgmDomainDiskIndex(disk->dst);

            disk->addr.type = VGM_ADDRESS_DRIVE;
            disk->addr.controller = idx / perCtrl;
            disk->addr.drivebus = (idx % perCtrl) / b->autoUnits;
            disk->addr.target = 0;
            disk->addr.unit = idx % b->autoUnits;
        }
        /* validation refuses other address types on these buses */
        if (disk->addr.type == VGM_ADDRESS_DRIVE && (gint64)disk->addr.controller > maxCtrl[disk->bus])
            maxCtrl[disk->bus] = disk->addr.controller;
    }
    for (j = 0; j < vgmDomainNDriveBuses; j++)
        vgmPostParseAddControllers(def, vgmDomainDriveBuses[j].controller,
                                   maxCtrl[vgmDomainDriveBuses[j].bus]);
}

/* The ports of a virtio-serial controller: libvirt's 31 unless its
 * 'ports' says */
#define VGM_VIRTIO_SERIAL_DEFAULT_PORTS 31

/* The ports of one virtio-serial controller index while they are handed
 * out: whether the domain has that controller, how many ports it has, the
 * ports taken, and for each first port a search starts from (0 or 1) the
 * lowest one that may still be free (ports are only ever taken, so a
 * search never looks at a port twice) */
typedef struct {
    gboolean present;
    unsigned int nports;
    GHashTable *taken;          /* GUINT_TO_POINTER(port) */
    unsigned int next[2];
} VgmVioCtrl;

static void
vgmVioCtrlFree(gpointer p)
{
    VgmVioCtrl *vc = p;

    g_hash_table_unref(vc->taken);
    g_free(vc);
}

/* The state of controller index @ctrl in @ctrls (made on first use) */
static VgmVioCtrl *
vgmVioCtrlGet(GHashTable *ctrls, unsigned int ctrl)
{
    VgmVioCtrl *vc = g_hash_table_lookup(ctrls, GUINT_TO_POINTER(ctrl));

    if (!vc) {
        vc = g_new0(VgmVioCtrl, 1);
        vc->taken = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_hash_table_insert(ctrls, GUINT_TO_POINTER(ctrl), vc);
    }
    return vc;
}

/* Records virtio-serial controller @c in @ctrls; the first one of an
 * index counts */
static void
vgmVioCtrlRecord(GHashTable *ctrls, const VgmControllerDef *c)
{
    VgmVioCtrl *vc = vgmVioCtrlGet(ctrls, c->index);

    if (vc->present)
        return;
    vc->present = TRUE;
    vc->nports = c->ports ? c->ports : VGM_VIRTIO_SERIAL_DEFAULT_PORTS;
}

/* Adds virtio-serial controller @ctrl to @def unless @ctrls has it */
static void
vgmVioCtrlAdd(VgmDomainDef *def, GHashTable *ctrls, unsigned int ctrl)
{
    GPtrArray *list = def->devices.controllers;

    if (vgmVioCtrlGet(ctrls, ctrl)->present)
        return;
    vgmPostParseAppendController(def, "virtio-serial", ctrl);
    vgmVioCtrlRecord(ctrls, g_ptr_array_index(list, list->len - 1));
}

/* The first free port from @start (0 or 1) of virtio-serial controller
 * @ctrl, taken into *@port; FALSE when it has none free or the domain has
 * no such controller (*@haveCtrl) */
static gboolean
vgmVioCtrlFreePort(GHashTable *ctrls, unsigned int ctrl, unsigned int start,
                   unsigned int *port, gboolean *haveCtrl)
{
    VgmVioCtrl *vc = vgmVioCtrlGet(ctrls, ctrl);
    unsigned int p;

    *haveCtrl = vc->present;
    if (!vc->present)
        return FALSE;
    for (p = MAX(start, vc->next[start]); p < vc->nports; p++) {
        if (g_hash_table_add(vc->taken, GUINT_TO_POINTER(p))) {
            vc->next[start] = p + 1;
            *port = p;
            return TRUE;
        }
    }
    vc->next[start] = p;
    return FALSE;
}

/* Virtio consoles and channels on virtio-serial ports, as libvirt hands
 * them out: the controllers their addresses name (0 without one) are
 * added; the ports the definition names are taken; each virtio console
 * then takes the first free port from 0, and each channel without a port
 * the first free one from 1 (port 0 is a console's) of the controller its
 * address names, else of the first controller, in index order, that has
 * one, else of a controller added after them. */
static void
vgmPostParseVirtioSerial(VgmDomainDef *def)
{
    VgmDevicesDef *devs = &def->devices;
    g_autoptr(GHashTable) ctrls = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                                         NULL, vgmVioCtrlFree);
    g_autoptr(GHashTable) named = g_hash_table_new(g_direct_hash, g_direct_equal);
    gboolean haveCtrl;
    guint i, pass;

    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        if (g_str_equal(c->type, "virtio-serial"))
            vgmVioCtrlRecord(ctrls, c);
    }

    for (i = 0; i < devs->consoles->len; i++) {
        const VgmChrDef *con = g_ptr_array_index(devs->consoles, i);
        if (con->targetType && g_str_equal(con->targetType, "virtio"))
            g_hash_table_add(named, GUINT_TO_POINTER(1));
    }
    for (i = 0; i < devs->channels->len; i++) {
        VgmChrDef *ch = g_ptr_array_index(devs->channels, i);
        /* a guestfwd channel is no port of a virtio-serial controller */
        if (ch->fwdAddress)
            continue;
        g_hash_table_add(named, GUINT_TO_POINTER(ch->addr.type == VGM_ADDRESS_VIRTIO_SERIAL ?
                                                 ch->addr.controller + 1 : 1));
    }
    /* in index order, whatever order the channels name them in */
    {
        g_autofree gpointer *keys = NULL;
        guint n = 0;
        g_autofree unsigned int *idx = NULL;

        keys = g_hash_table_get_keys_as_array(named, &n);
        idx = g_new0(unsigned int, n ? n : 1);
        for (i = 0; i < n; i++)
            idx[i] = GPOINTER_TO_UINT(keys[i]) - 1;
        qsort(idx, n, sizeof(*idx), vgmPostParseUIntCmp);
        for (i = 0; i < n && devs->controllers->len < VGM_DOMAIN_MAX_DEVICES; i++)
            vgmVioCtrlAdd(def, ctrls, idx[i]);
    }
    for (i = 0; i < devs->channels->len; i++) {
        const VgmChrDef *ch = g_ptr_array_index(devs->channels, i);
        /* (a second claim of a port is validation's to name) */
        if (!ch->fwdAddress && ch->addr.type == VGM_ADDRESS_VIRTIO_SERIAL && ch->addr.unit)
            g_hash_table_add(vgmVioCtrlGet(ctrls, ch->addr.controller)->taken,
                             GUINT_TO_POINTER(ch->addr.unit));
    }
    /* the consoles first (from port 0; they keep no address), then the
     * channels (from port 1) */
    for (pass = 0; pass < 2; pass++) {
        GPtrArray *list = pass == 0 ? devs->consoles : devs->channels;

        for (i = 0; i < list->len; i++) {
            VgmChrDef *ch = g_ptr_array_index(list, i);
            unsigned int start = pass == 0 ? 0 : 1;
            unsigned int ctrl, port = 0;
            gboolean found = FALSE;

            if (pass == 0 ? g_strcmp0(ch->targetType, "virtio") != 0 : ch->fwdAddress != NULL)
                continue;
            if (pass == 1 && ch->addr.type == VGM_ADDRESS_VIRTIO_SERIAL) {
                /* a port only on the controller it names (none free:
                 * validation says so) */
                if (ch->addr.unit == 0 &&
                    vgmVioCtrlFreePort(ctrls, ch->addr.controller, 1, &port, &haveCtrl)) {
                    /* (on bus 0, whatever bus it named, as libvirt
                     * places it) */
                    ch->addr.drivebus = 0;
                    ch->addr.unit = port;
                }
                continue;
            }
            if (pass == 1 && ch->addr.type != VGM_ADDRESS_NONE)
                continue;
            for (ctrl = 0; ctrl < VGM_DOMAIN_MAX_DEVICES && !found; ctrl++) {
                if ((found = vgmVioCtrlFreePort(ctrls, ctrl, start, &port, &haveCtrl)))
                    break;
                if (haveCtrl)
                    continue;
                /* every controller full: one after them */
                if (devs->controllers->len >= VGM_DOMAIN_MAX_DEVICES)
                    break;
                vgmVioCtrlAdd(def, ctrls, ctrl);
                found = vgmVioCtrlFreePort(ctrls, ctrl, start, &port, &haveCtrl);
                break;
            }
            if (pass == 1 && found) {
                ch->addr.type = VGM_ADDRESS_VIRTIO_SERIAL;
                ch->addr.controller = ctrl;
                ch->addr.unit = port;
            }
        }
    }
}

/* The type of the audio backend a domain gets when it names none, as
 * libvirt chooses it: the last VNC or SPICE server decides, and a SPICE
 * server's plays to the SPICE client */
static const char *
vgmPostParseDefaultAudioType(const VgmDomainDef *def)
{
    const char *type = "none";
    guint i;

    for (i = 0; i < def->devices.graphics->len; i++) {
        const VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);

        if (g->type == VGM_GRAPHICS_SPICE)
            type = "spice";
        else if (g->type == VGM_GRAPHICS_VNC)
            type = "none";
    }
    return type;
}

/* libvirt's QEMU driver gives every x86 domain an audio backend, of type
 * 'none' unless one is given, so that QEMU opens no host audio device;
 * an <audio> without an id gets the one after the highest. */
static void
vgmPostParseAudio(VgmDomainDef *def)
{
    GPtrArray *audios = def->devices.audios;
    unsigned int maxId = 0;
    guint i;

    for (i = 0; i < audios->len; i++) {
        const VgmAudioDef *a = g_ptr_array_index(audios, i);
        maxId = MAX(maxId, a->id);
    }
    for (i = 0; i < audios->len; i++) {
        VgmAudioDef *a = g_ptr_array_index(audios, i);
        if (!a->id && maxId < G_MAXUINT)
            a->id = ++maxId;
    }
    if (audios->len == 0 && vgmPostParseIsX86(def)) {
        VgmAudioDef *a = g_new0(VgmAudioDef, 1);

        a->id = 1;
        a->type = g_strdup(vgmPostParseDefaultAudioType(def));
        g_ptr_array_add(audios, a);
    }
}

gboolean
vgmDomainAudioIsDefault(const VgmDomainDef *def, const VgmAudioDef *a)
{
    guint p, k;

    if (def->devices.audios->len != 1 || a->id != 1 || a->haveIO[0] || a->haveIO[1] ||
        !vgmPostParseIsX86(def) || g_strcmp0(a->type, vgmPostParseDefaultAudioType(def)) != 0)
        return FALSE;
    for (p = 0; p < G_N_ELEMENTS(a->values); p++) {
        for (k = 0; k < VGM_AUDIO_NATTRS; k++) {
            if (a->values[p][k])
                return FALSE;
        }
    }
    return TRUE;
}

/* libvirt's QEMU driver gives a SCSI controller without a model the LSI
 * 53C895A on x86; but one a disk being plugged (@hotplug) needs gets the
 * model of the domain's last SCSI controller. */
static void
vgmPostParseScsiControllers(VgmDomainDef *def, gboolean hotplug)
{
    const char *last = NULL;
    guint i;

    if (!vgmPostParseIsX86(def))
        return;
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        if (g_str_equal(c->type, "scsi") && c->model && !c->implicit)
            last = c->model;
    }
    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        if (g_str_equal(c->type, "scsi") && !c->model)
            c->model = g_strdup(hotplug && c->implicit && last ? last : "lsilogic");
    }
}

static void
vgmPostParseDevices(VgmDomainDef *def, gboolean live, gboolean hotplug)
{
    VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(devs->disks, i);

        if (!disk->driverName)
            disk->driverName = g_strdup("qemu");
        /* libvirt's format of a disk that names none, with or without a
         * medium, a vhost-user-blk server's included: raw, which is what
         * QEMU gets for it anyway (a directory's is QEMU's FAT, left
         * unnamed) */
        if (!disk->driverType && disk->type != VGM_DISK_TYPE_DIR)
            disk->driverType = g_strdup("raw");
        /* (and a vhost-user-blk server's disk is out of snapshots) */
        if (disk->type == VGM_DISK_TYPE_VHOSTUSER)
            disk->snapshotNo = TRUE;
        if (disk->device == VGM_DISK_DEVICE_CDROM)
            disk->readonly = TRUE;
        /* libvirt's engine of an image's encryption that names none:
         * QEMU's own, on every image of the chain */
        if (disk->encryption && !disk->encryption->engine)
            disk->encryption->engine = VGM_DISK_ENCRYPTION_ENGINE_QEMU;
        for (guint k = 0; disk->backing && k < disk->backing->len; k++) {
            VgmDiskBackingLayer *l = g_ptr_array_index(disk->backing, k);

            if (l->encryption && !l->encryption->engine)
                l->encryption->engine = VGM_DISK_ENCRYPTION_ENGINE_QEMU;
        }
    }
    /* libvirt's access mode of a share QEMU (or the driver's virtiofsd)
     * serves: passthrough, written into the definition */
    for (i = 0; i < devs->fss->len; i++) {
        VgmFsDef *fs = g_ptr_array_index(devs->fss, i);

        if (fs->accessmode == VGM_FS_ACCESS_DEFAULT && !fs->socket)
            fs->accessmode = VGM_FS_ACCESS_PASSTHROUGH;
    }
    vgmPostParseControllerIndexes(def);
    vgmPostParseUsbCompanions(def);
    /* the machine's default USB controller before the controllers disks
     * need, as libvirt adds them: PCI addresses go in that order */
    vgmPostParseUsbControllers(def);
    vgmPostParseDiskAddresses(def);
    vgmPostParseScsiControllers(def, hotplug);
    for (i = 0; i < devs->nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(devs->nets, i);

        if (!net->mac) {
            unsigned char r[3];
            vgmDomainRandomBytes(r, sizeof(r));
            net->mac = g_strdup_printf("52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
        }
        if (!net->model)
            net->model = g_strdup("rtl8139");
        /* an Open vSwitch port without an interface id gets one, as
         * libvirt gives it */
        if (net->ovs && !net->ovsInterfaceId) {
            unsigned char uuid[16];
            char str[37];

            vgmDomainRandomBytes(uuid, sizeof(uuid));
            uuid[6] = (uuid[6] & 0x0f) | 0x40;
            uuid[8] = (uuid[8] & 0x3f) | 0x80;
            vgmDomainUUIDFormat(uuid, str);
            net->ovsInterfaceId = g_strdup(str);
        }
        /* libvirt reads <driver name='qemu'> for virtio models only: any
         * other model runs in QEMU anyway */
        if (!g_str_has_prefix(net->model, "virtio") && net->driverName == VGM_NET_DRIVER_QEMU)
            net->driverName = VGM_NET_DRIVER_DEFAULT;
    }
    /* VNC without a port has one chosen at start (SPICE without one
     * listens nowhere: its parser marked it), unless it listens on a
     * unix socket or nowhere */
    for (i = 0; i < devs->graphics->len; i++) {
        VgmGraphicsDef *gr = g_ptr_array_index(devs->graphics, i);

        if (gr->type != VGM_GRAPHICS_VNC || gr->listenNone || gr->listenSocket)
            continue;
        if (!gr->havePort && gr->autoport != VGM_TRISTATE_NO) {
            gr->havePort = TRUE;
            gr->port = -1;
        }
        if (gr->havePort && gr->port == -1)
            gr->autoport = VGM_TRISTATE_YES;
        else if (!gr->autoport)
            gr->autoport = VGM_TRISTATE_NO;
    }
    /* libvirt 9.0's TPM versions: 2.0 for CRB (which has no other), 1.2
     * for TIS */
    if (devs->tpm && !devs->tpm->externalPath && !devs->tpm->version)
        devs->tpm->version = devs->tpm->model == VGM_TPM_MODEL_CRB ? VGM_TPM_VERSION_2_0 :
                                                                    VGM_TPM_VERSION_1_2;
    /* graphics show a display device: without one libvirt adds a Cirrus
     * VGA on x86 */
    if (devs->graphics->len > 0 && devs->videos->len == 0 && vgmPostParseIsX86(def)) {
        VgmVideoDef *video = g_new0(VgmVideoDef, 1);

        video->model = g_strdup("cirrus");
        g_ptr_array_add(devs->videos, video);
    }
    /* the primary video device goes first, as libvirt moves it */
    for (i = 1; i < devs->videos->len; i++) {
        VgmVideoDef *video = g_ptr_array_index(devs->videos, i);
        const VgmVideoDef *first = g_ptr_array_index(devs->videos, 0);

        if (video->primary == VGM_TRISTATE_YES && first->primary != VGM_TRISTATE_YES) {
            g_ptr_array_steal_index(devs->videos, i);
            g_ptr_array_insert(devs->videos, 0, video);
            break;
        }
    }
    for (i = 0; i < devs->videos->len; i++) {
        VgmVideoDef *video = g_ptr_array_index(devs->videos, i);

        if (g_str_equal(video->model, "none"))
            continue;
        if (!video->heads)
            video->heads = 1;
        /* libvirt's default sizes (KiB) */
        if (g_str_equal(video->model, "qxl")) {
            if (!video->ram)
                video->ram = 65536;
            if (!video->vram)
                video->vram = 65536;
            if (!video->vgamem)
                video->vgamem = 16384;
        } else if (!video->vram && !g_str_equal(video->model, "virtio") &&
                   !g_str_equal(video->model, "ramfb")) {
            video->vram = 16384;
        }
        if (i == 0 && !video->primary)
            video->primary = VGM_TRISTATE_YES;
    }
    if (!devs->memballoon) {
        devs->memballoon = g_new0(VgmMemballoonDef, 1);
        devs->memballoon->model = g_strdup("virtio");
    }
    /* a random backend without a source reads libvirt's default,
     * /dev/random, and says so */
    for (i = 0; i < devs->rngs->len; i++) {
        VgmRngDef *r = g_ptr_array_index(devs->rngs, i);

        if (g_str_equal(r->backendModel, "random") && !r->backend)
            r->backend = g_strdup("/dev/random");
    }
    /* libvirt's for shared memory: 4 MiB of it where no size is given
     * (the doorbell's server has its own), and a doorbell always
     * interrupts by MSI, with ioeventfd unless it says otherwise */
    for (i = 0; i < devs->shmems->len; i++) {
        VgmShmemDef *shm = g_ptr_array_index(devs->shmems, i);

        if (shm->model != VGM_SHMEM_MODEL_IVSHMEM_DOORBELL && !shm->size)
            shm->size = 4ULL << 20;
        if (shm->model == VGM_SHMEM_MODEL_IVSHMEM_DOORBELL && shm->server) {
            shm->msi = TRUE;
            if (!shm->ioeventfd)
                shm->ioeventfd = VGM_TRISTATE_YES;
        }
    }
    vgmPostParseChr(def, live);
    vgmPostParseVirtioSerial(def);
    vgmPostParseAudio(def);
    vgmPostParseSmartcards(def);
    vgmPostParseInputs(def);
}

gboolean
vgmDomainDefPostParse(VgmDomainDef *def, unsigned int flags, GError **error)
{
    if (!vgmPostParseMemory(def, error))
        return FALSE;
    vgmPostParseMemorySlots(def);
    vgmPostParseCpu(def);
    vgmPostParseNumaDistances(def);
    vgmPostParseOs(def);
    /* a user's edit of a saved domain's XML is read as libvirt reads a
     * definition, but for the ids its QEMU already has */
    vgmPostParseDevices(def, (flags & VGM_DOMAIN_PARSE_LIVE) && !(flags & VGM_DOMAIN_PARSE_EDITED),
                        (flags & VGM_DOMAIN_PARSE_LIVE) && (flags & VGM_DOMAIN_PARSE_HOTPLUG));
    return TRUE;
}
