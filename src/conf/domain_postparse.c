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
    if (def->memory == 0 && vgmDomainDefNumaCells(def) > 0)
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

static void
vgmPostParseCpu(VgmDomainDef *def)
{
    VgmCpuDef *cpu = def->cpu;
    size_t i;

    if (def->vcpus == 0)
        def->vcpus = 1;
    if (def->vcpusCurrent == def->vcpus)
        def->vcpusCurrent = 0;
    if (def->cpuPlacement == VGM_DOMAIN_CPU_PLACEMENT_DEFAULT)
        def->cpuPlacement = def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO ?
                            VGM_DOMAIN_CPU_PLACEMENT_AUTO : VGM_DOMAIN_CPU_PLACEMENT_STATIC;

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
            if (!cpu->check)
                cpu->check = VGM_CPU_CHECK_PARTIAL;
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
    if (!def->os.arch)
        def->os.arch = g_strdup(vgmPostParseHostArch());
    /* libvirt adds the disk even for direct kernel boot */
    if (def->os.nboot == 0) {
        def->os.boot = g_renew(VgmBootDev, def->os.boot, 1);
        def->os.boot[def->os.nboot++] = VGM_BOOT_DISK;
    }
    if (!def->onPoweroff)
        def->onPoweroff = VGM_DOMAIN_LIFECYCLE_DESTROY;
    if (!def->onReboot)
        def->onReboot = VGM_DOMAIN_LIFECYCLE_RESTART;
    if (!def->onCrash)
        def->onCrash = VGM_DOMAIN_LIFECYCLE_DESTROY;
}

static VgmChrDef *
vgmChrCopyForSerial(const VgmChrDef *src)
{
    VgmChrDef *chr = g_new0(VgmChrDef, 1);

    chr->kind = VGM_CHR_SERIAL;
    chr->type = src->type;
    chr->path = g_strdup(src->path);
    chr->mode = g_strdup(src->mode);
    chr->append = src->append;
    chr->logfile = g_strdup(src->logfile);
    chr->logappend = src->logappend;
    return chr;
}

static void
vgmPostParseChr(VgmDomainDef *def)
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
    /* ... and the first serial port is shown as the console too */
    if (devs->serials->len > 0 && devs->consoles->len == 0) {
        VgmChrDef *con = vgmChrCopyForSerial(g_ptr_array_index(devs->serials, 0));
        con->kind = VGM_CHR_CONSOLE;
        con->targetType = g_strdup("serial");
        g_ptr_array_add(devs->consoles, con);
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
            con->type = ser->type;
            g_free(con->path);
            con->path = g_strdup(ser->path);
            g_free(con->mode);
            con->mode = g_strdup(ser->mode);
            con->append = ser->append;
            g_free(con->logfile);
            con->logfile = g_strdup(ser->logfile);
            con->logappend = ser->logappend;
        }
        if (!con->havePort) {
            con->havePort = TRUE;
            con->port = 0;
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

/* The lowest root port of USB controller @bus that no input has taken,
 * or 0. */
static unsigned int
vgmPostParseFreeUsbPort(const VgmDomainDef *def, unsigned int bus)
{
    const VgmControllerDef *ctrl = vgmDomainDefFindUsbController(def, bus);
    unsigned int ports = ctrl ? vgmDomainUsbControllerPorts(ctrl->model) : 0;
    unsigned int port;
    guint i;

    for (port = 1; port <= ports; port++) {
        g_autofree char *name = g_strdup_printf("%u", port);
        gboolean taken = FALSE;

        for (i = 0; i < def->devices.inputs->len && !taken; i++) {
            const VgmInputDef *in = g_ptr_array_index(def->devices.inputs, i);
            taken = in->addr.type == VGM_ADDRESS_USB && in->addr.bus == bus &&
                    g_str_equal(in->addr.port, name);
        }
        if (!taken)
            return port;
    }
    return 0;
}

/* Inputs as libvirt's QEMU driver completes them on x86: a tablet without
 * a bus is USB, a mouse or keyboard PS/2; the machine's own PS/2 mouse and
 * keyboard are listed when absent; a USB input gets the first free port of
 * USB controller 0 (controllers without a model got theirs before). */
static void
vgmPostParseInputs(VgmDomainDef *def)
{
    VgmDevicesDef *devs = &def->devices;
    gboolean x86 = vgmPostParseIsX86(def);
    guint i;

    for (i = 0; i < devs->inputs->len; i++) {
        VgmInputDef *in = g_ptr_array_index(devs->inputs, i);

        if (in->bus)
            continue;
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
    for (i = 0; i < devs->inputs->len; i++) {
        VgmInputDef *in = g_ptr_array_index(devs->inputs, i);
        unsigned int port;

        if (in->bus != VGM_INPUT_BUS_USB || in->addr.port[0])
            continue;
        if (in->addr.type != VGM_ADDRESS_USB) {
            in->addr.type = VGM_ADDRESS_USB;
            in->addr.bus = 0;
        }
        /* none free: validation names the input */
        if ((port = vgmPostParseFreeUsbPort(def, in->addr.bus)))
            g_snprintf(in->addr.port, sizeof(in->addr.port), "%u", port);
    }
}

/* A USB controller without a model gets the one libvirt picks for the
 * x86 machine type: qemu-xhci on q35, piix3-uhci on the PC. */
static void
vgmPostParseUsbControllers(VgmDomainDef *def)
{
    guint i;

    if (!vgmPostParseIsX86(def))
        return;
    for (i = 0; i < def->devices.controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        if (!g_str_equal(c->type, "usb") || c->model)
            continue;
        c->model = g_strdup(def->os.machine && strstr(def->os.machine, "q35") ?
                            "qemu-xhci" : "piix3-uhci");
    }
}

static void
vgmPostParseDevices(VgmDomainDef *def)
{
    VgmDevicesDef *devs = &def->devices;
    /* controller type -> the next free index of that type */
    g_autoptr(GHashTable) nextIndex = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    for (i = 0; i < devs->disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(devs->disks, i);

        if (!disk->driverName)
            disk->driverName = g_strdup("qemu");
        if (disk->device == VGM_DISK_DEVICE_CDROM)
            disk->readonly = TRUE;
    }
    /* A controller without an index gets the one after the highest of its
     * type (given anywhere, or handed out before it): one pass for the
     * highest given index of each type, then a running maximum. Indexes
     * are stored plus one, so that 0 means "none of this type yet". */
    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *ctrl = g_ptr_array_index(devs->controllers, i);
        gsize next;

        if (!ctrl->haveIndex)
            continue;
        next = (gsize)ctrl->index + 1;
        if (next > GPOINTER_TO_SIZE(g_hash_table_lookup(nextIndex, ctrl->type)))
            g_hash_table_insert(nextIndex, ctrl->type, GSIZE_TO_POINTER(next));
    }
    for (i = 0; i < devs->controllers->len; i++) {
        VgmControllerDef *ctrl = g_ptr_array_index(devs->controllers, i);
        gsize next;

        if (ctrl->haveIndex)
            continue;
        next = GPOINTER_TO_SIZE(g_hash_table_lookup(nextIndex, ctrl->type));
        ctrl->index = (unsigned int)next;
        ctrl->haveIndex = TRUE;
        g_hash_table_insert(nextIndex, ctrl->type, GSIZE_TO_POINTER(next + 1));
    }
    for (i = 0; i < devs->nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(devs->nets, i);

        if (!net->mac) {
            unsigned char r[3];
            vgmDomainRandomBytes(r, sizeof(r));
            net->mac = g_strdup_printf("52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
        }
        if (!net->model)
            net->model = g_strdup("rtl8139");
    }
    for (i = 0; i < devs->graphics->len; i++) {
        VgmGraphicsDef *gr = g_ptr_array_index(devs->graphics, i);

        if (!gr->havePort && gr->autoport != VGM_TRISTATE_NO) {
            gr->havePort = TRUE;
            gr->port = -1;
        }
        if (gr->havePort && gr->port == -1)
            gr->autoport = VGM_TRISTATE_YES;
        else if (!gr->autoport)
            gr->autoport = VGM_TRISTATE_NO;
    }
    for (i = 0; i < devs->videos->len; i++) {
        VgmVideoDef *video = g_ptr_array_index(devs->videos, i);

        if (g_str_equal(video->model, "none"))
            continue;
        if (!video->heads)
            video->heads = 1;
        if (!video->vram && !g_str_equal(video->model, "virtio"))
            video->vram = 16384;
        if (i == 0 && !video->primary)
            video->primary = VGM_TRISTATE_YES;
    }
    if (!devs->memballoon) {
        devs->memballoon = g_new0(VgmMemballoonDef, 1);
        devs->memballoon->model = g_strdup("virtio");
    }
    vgmPostParseChr(def);
    vgmPostParseUsbControllers(def);
    vgmPostParseInputs(def);
}

gboolean
vgmDomainDefPostParse(VgmDomainDef *def, GError **error)
{
    if (!vgmPostParseMemory(def, error))
        return FALSE;
    vgmPostParseCpu(def);
    vgmPostParseOs(def);
    vgmPostParseDevices(def);
    return TRUE;
}
