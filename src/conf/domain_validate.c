/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_validate.c: hypervisor-independent validation of a parsed domain.
 *
 * Every rule is one row of vgmDomainRules below: an identifier, and a
 * function that sets an error naming the element and the reason. The
 * extension's rules (1 to 8 of the specification) come first, then the
 * checks libvirt itself makes for the supported subset. Rules that need
 * to know the QEMU binary live in src/qemu/qemu_validate.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

typedef gboolean (*VgmDomainRuleFunc)(const VgmDomainDef *def, GError **error);

static const char *
vgmSecName(const VgmDomainDef *def)
{
    return vgmLaunchSecurityTypeToString(def->sec->type);
}

static gboolean
vgmSecIsSnpOrTdx(const VgmDomainDef *def)
{
    return def->sec && (def->sec->type == VGM_LAUNCH_SECURITY_SEV_SNP ||
                        def->sec->type == VGM_LAUNCH_SECURITY_TDX);
}

/* The first place asking for private memory, described for a message;
 * NULL when every backend may be shared. */
static char *
vgmFindPrivateAccess(const VgmDomainDef *def)
{
    size_t i;

    if (def->mb.access == VGM_DOMAIN_MEMORY_ACCESS_PRIVATE)
        return g_strdup("<memoryBacking><access mode='private'/>");
    for (i = 0; i < vgmDomainDefNumaCells(def); i++) {
        if (def->cpu->cells[i].memAccess == VGM_DOMAIN_MEMORY_ACCESS_PRIVATE)
            return g_strdup_printf("<cell id='%u' memAccess='private'>", def->cpu->cells[i].id);
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        if (mem->access == VGM_DOMAIN_MEMORY_ACCESS_PRIVATE)
            return g_strdup_printf("<memory model='%s' access='private'>",
                                   vgmMemoryModelTypeToString(mem->model));
    }
    return NULL;
}

/* What asks for guest_memfd, for messages. */
static const char *
vgmGmemWhat(const VgmDomainDef *def)
{
    if (def->mb.source == VGM_DOMAIN_MEMORY_SOURCE_GUESTMEMFD)
        return "<source type='guestmemfd'>";
    return "<launchSecurity inPlaceConversion='yes'>";
}

/* ---- limits: how much of each thing a domain may have ---- */

/* The device lists of <devices>, by element name, for the count limit. */
static const struct {
    const char *element;
    size_t offset;              /* of the GPtrArray in VgmDevicesDef */
} vgmDeviceLists[] = {
    { "disk", G_STRUCT_OFFSET(VgmDevicesDef, disks) },
    { "interface", G_STRUCT_OFFSET(VgmDevicesDef, nets) },
    { "controller", G_STRUCT_OFFSET(VgmDevicesDef, controllers) },
    { "filesystem", G_STRUCT_OFFSET(VgmDevicesDef, fss) },
    { "serial", G_STRUCT_OFFSET(VgmDevicesDef, serials) },
    { "parallel", G_STRUCT_OFFSET(VgmDevicesDef, parallels) },
    { "console", G_STRUCT_OFFSET(VgmDevicesDef, consoles) },
    { "sound", G_STRUCT_OFFSET(VgmDevicesDef, sounds) },
    { "audio", G_STRUCT_OFFSET(VgmDevicesDef, audios) },
    { "channel", G_STRUCT_OFFSET(VgmDevicesDef, channels) },
    { "redirdev", G_STRUCT_OFFSET(VgmDevicesDef, redirdevs) },
    { "hub", G_STRUCT_OFFSET(VgmDevicesDef, hubs) },
    { "input", G_STRUCT_OFFSET(VgmDevicesDef, inputs) },
    { "graphics", G_STRUCT_OFFSET(VgmDevicesDef, graphics) },
    { "video", G_STRUCT_OFFSET(VgmDevicesDef, videos) },
    { "rng", G_STRUCT_OFFSET(VgmDevicesDef, rngs) },
    { "memory", G_STRUCT_OFFSET(VgmDevicesDef, mems) },
};

static gboolean
vgmChrIsIsaSerial(const VgmChrDef *chr)
{
    return chr->targetType && g_str_equal(chr->targetType, "isa-serial");
}

/* First of all rules, so that no other rule, nor the plan, nor the schema
 * check of `virt-gmem validate` (libxml2's RelaxNG validation of
 * <interleave> takes time quadratic in the number of children) ever sees
 * more than these. */
static gboolean
vgmRuleLimits(const VgmDomainDef *def, GError **error)
{
    size_t ncells = vgmDomainDefNumaCells(def);
    unsigned int isaSerials = 0;
    size_t i;

    if (ncells > VGM_DOMAIN_MAX_NUMA_CELLS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<numa> in <cpu> has %1$zu <cell> elements, more than the %2$u NUMA nodes QEMU supports"),
                    ncells, (unsigned int)VGM_DOMAIN_MAX_NUMA_CELLS);
        return FALSE;
    }
    for (i = 0; i < G_N_ELEMENTS(vgmDeviceLists); i++) {
        const GPtrArray *list = G_STRUCT_MEMBER(GPtrArray *, &def->devices,
                                                vgmDeviceLists[i].offset);
        if (list->len > VGM_DOMAIN_MAX_DEVICES) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<devices> has %1$u <%2$s> elements, more than the %3$u of each kind virt-gmem accepts"),
                        list->len, vgmDeviceLists[i].element,
                        (unsigned int)VGM_DOMAIN_MAX_DEVICES);
            return FALSE;
        }
    }
    /* QEMU makes at most 3 ISA parallel ports and numbers them in order
     * (libvirt writes no index: a port out of order would name another) */
    if (def->devices.parallels->len > VGM_DOMAIN_MAX_PARALLELS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<devices> has %1$u <parallel> elements, more than the %2$u ISA parallel ports QEMU has"),
                    def->devices.parallels->len, (unsigned int)VGM_DOMAIN_MAX_PARALLELS);
        return FALSE;
    }
    for (i = 0; i < def->devices.parallels->len; i++) {
        const VgmChrDef *par = g_ptr_array_index(def->devices.parallels, i);

        if (par->port != i) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<parallel> number %1$zu has <target port='%2$u'>, but QEMU numbers its parallel ports in order: it would be port %3$zu"),
                        i + 1, par->port, i);
            return FALSE;
        }
    }
    /* QEMU has 4 ISA serial ports (MAX_ISA_SERIAL_PORTS) and refuses an
     * isa-serial 'index' beyond them; libvirt refuses the same */
    for (i = 0; i < def->devices.serials->len; i++) {
        if (vgmChrIsIsaSerial(g_ptr_array_index(def->devices.serials, i)))
            isaSerials++;
    }
    if (isaSerials > VGM_DOMAIN_MAX_ISA_SERIALS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<devices> has %1$u <serial> elements with <target type='isa-serial'>, more than the %2$u ISA serial ports QEMU has"),
                    isaSerials, (unsigned int)VGM_DOMAIN_MAX_ISA_SERIALS);
        return FALSE;
    }
    for (i = 0; i < def->devices.serials->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(def->devices.serials, i);

        if (vgmChrIsIsaSerial(chr) && chr->port >= VGM_DOMAIN_MAX_ISA_SERIALS) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<serial> with <target type='isa-serial'> has port %1$u, but QEMU's %2$u ISA serial ports are numbered 0 to %3$u"),
                        chr->port, (unsigned int)VGM_DOMAIN_MAX_ISA_SERIALS,
                        (unsigned int)VGM_DOMAIN_MAX_ISA_SERIALS - 1);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- the extension: rules 1 to 8 ---- */

static gboolean
vgmRuleInPlaceType(const VgmDomainDef *def, GError **error)
{
    if (!def->sec || !def->sec->inPlaceConversion || vgmSecIsSnpOrTdx(def))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("attribute 'inPlaceConversion' of <launchSecurity type='%1$s'> is not supported: only sev-snp and tdx guests convert memory in place"),
                vgmSecName(def));
    return FALSE;
}

static gboolean
vgmRuleInPlaceSource(const VgmDomainDef *def, GError **error)
{
    if (!vgmDomainDefInPlaceConversion(def))
        return TRUE;
    if (def->mb.source != VGM_DOMAIN_MEMORY_SOURCE_FILE &&
        def->mb.source != VGM_DOMAIN_MEMORY_SOURCE_ANONYMOUS)
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("<launchSecurity inPlaceConversion='yes'> cannot use <memoryBacking><source type='%1$s'/>: in-place memory must be guest_memfd (use 'memfd' or 'guestmemfd', or no source)"),
                vgmDomainMemorySourceTypeToString(def->mb.source));
    return FALSE;
}

static gboolean
vgmRuleGmemPrivate(const VgmDomainDef *def, GError **error)
{
    g_autofree char *where = NULL;

    if (!vgmDomainDefUsesGuestMemfd(def) || !(where = vgmFindPrivateAccess(def)))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("%1$s cannot be combined with %2$s: guest_memfd backends are always shared"),
                vgmGmemWhat(def), where);
    return FALSE;
}

static gboolean
vgmRuleGmemConfidential(const VgmDomainDef *def, GError **error)
{
    if (def->mb.source != VGM_DOMAIN_MEMORY_SOURCE_GUESTMEMFD ||
        !vgmSecIsSnpOrTdx(def) || vgmDomainDefInPlaceConversion(def))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("<source type='guestmemfd'> with <launchSecurity type='%1$s'> needs inPlaceConversion='yes': a guest_memfd RAM backend cannot sit beside QEMU's own private guest_memfd"),
                vgmSecName(def));
    return FALSE;
}

static gboolean
vgmRuleGmemKvm(const VgmDomainDef *def, GError **error)
{
    if (def->virtType == VGM_DOMAIN_VIRT_KVM)
        return TRUE;
    /* inPlaceConversion='no' is today's behaviour: no guest_memfd asked */
    if (def->mb.source != VGM_DOMAIN_MEMORY_SOURCE_GUESTMEMFD &&
        !vgmDomainDefInPlaceConversion(def))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("%1$s needs <domain type='kvm'>, not '%2$s': guest_memfd is memory of the KVM hypervisor"),
                def->mb.source == VGM_DOMAIN_MEMORY_SOURCE_GUESTMEMFD ?
                "<source type='guestmemfd'>" : "<launchSecurity inPlaceConversion='yes'>",
                vgmDomainVirtTypeToString(def->virtType));
    return FALSE;
}

/* <tcg> tunes QEMU's emulator, which a KVM domain does not run (libvirt's
 * rule) */
static gboolean
vgmRuleTcgFeatures(const VgmDomainDef *def, GError **error)
{
    if (!def->features.haveTcg || def->virtType != VGM_DOMAIN_VIRT_KVM)
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("<tcg> in <features> is for <domain type='qemu'>: a KVM domain runs no TCG"));
    return FALSE;
}

static gboolean
vgmRuleLiveUpdateMemory(const VgmDomainDef *def, GError **error)
{
    g_autofree char *where = NULL;
    guint i;

    if (!def->mb.liveUpdate)
        return TRUE;
    if ((where = vgmFindPrivateAccess(def))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<liveUpdate/> cannot be combined with %1$s: memory that survives a QEMU swap must be shared"),
                    where);
        return FALSE;
    }
    if (def->mb.source == VGM_DOMAIN_MEMORY_SOURCE_ANONYMOUS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<liveUpdate/> cannot be combined with <source type='anonymous'>: anonymous memory has no file descriptor to hand over"));
        return FALSE;
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        if (mem->model == VGM_MEMORY_MODEL_SGX_EPC) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<liveUpdate/> cannot be combined with an sgx-epc memory device: QEMU refuses CPR with EPC memory"));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmRuleLiveUpdateConfidential(const VgmDomainDef *def, GError **error)
{
    if (!def->mb.liveUpdate || !vgmSecIsSnpOrTdx(def) || vgmDomainDefInPlaceConversion(def))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("<liveUpdate/> with <launchSecurity type='%1$s'> needs inPlaceConversion='yes': the separate private memory layer blocks QEMU live update"),
                vgmSecName(def));
    return FALSE;
}

static gboolean
vgmRuleInPlacePmem(const VgmDomainDef *def, GError **error)
{
    guint i;

    if (!vgmDomainDefInPlaceConversion(def))
        return TRUE;
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        if (mem->model == VGM_MEMORY_MODEL_NVDIMM || mem->model == VGM_MEMORY_MODEL_VIRTIO_PMEM) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device of model '%1$s' cannot be used with <launchSecurity inPlaceConversion='yes'>: its file-backed memory cannot become private"),
                        vgmMemoryModelTypeToString(mem->model));
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- libvirt's generic checks for the subset ---- */

static gboolean
vgmRuleMaxMemory(const VgmDomainDef *def, GError **error)
{
    if (!def->maxMemory)
        return TRUE;
    if (def->memorySlots == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'slots' of <maxMemory> must be greater than zero"));
        return FALSE;
    }
    if (def->maxMemory < def->memory) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<maxMemory> (%1$llu KiB) must not be smaller than <memory> (%2$llu KiB)"),
                    def->maxMemory, def->memory);
        return FALSE;
    }
    return TRUE;
}

/* (QEMU on x86 plugs memory into a NUMA node; libvirt refuses it at
 * define, after its checks of the memory devices) */
static gboolean
vgmRuleMaxMemoryNuma(const VgmDomainDef *def, GError **error)
{
    if (def->maxMemory && vgmDomainDefNumaCells(def) == 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<maxMemory> (memory hotplug) needs at least one NUMA <cell> in <cpu><numa>"));
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmRuleMemoryTotal(const VgmDomainDef *def, GError **error)
{
    unsigned long long devs = vgmDomainDefGetMemoryDevicesTotal(def);
    guint64 sum = 0;
    size_t i;
    guint k;

    /* the sums below must not wrap: every size is at most
     * VGM_MEMORY_MAX_KIB, but two of them already add up past it (the
     * total then could not be written back as <memory>), and thousands
     * past 64 bits */
    for (i = 0; i < vgmDomainDefNumaCells(def); i++) {
        if (!g_uint64_checked_add(&sum, sum, def->cpu->cells[i].mem) ||
            sum > VGM_MEMORY_MAX_KIB)
            goto overflow;
    }
    for (k = 0; k < def->devices.mems->len; k++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, k);
        if (!g_uint64_checked_add(&sum, sum, mem->size) ||
            sum > VGM_MEMORY_MAX_KIB)
            goto overflow;
    }

    /* with NUMA cells post-parse made <memory> their sum plus the
     * devices', as libvirt does */
    if (vgmDomainDefNumaCells(def) == 0 && devs >= def->memory) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("the memory devices (%1$llu KiB) leave nothing of <memory> (%2$llu KiB) for the initial memory"),
                    devs, def->memory);
        return FALSE;
    }
    return TRUE;

 overflow:
    vgmErrorSet(error, VGM_ERR_XML,
                _("the NUMA cells and memory devices add up to more than the memory limit of %1$llu KiB"),
                VGM_MEMORY_MAX_KIB);
    return FALSE;
}

/* libvirt's rules for <vcpus>: QEMU starts with the vCPUs that are not
 * hotpluggable, which are the first ones (vCPU 0 among them) and online,
 * and plugs the other online ones after, in their order; an offline vCPU
 * is one it can plug. The online ones are the current count. */
static gboolean
vgmRuleVcpuList(const VgmDomainDef *def, GError **error)
{
    const VgmDomainVcpu *first = &def->vcpuList[0];
    unsigned int online = 0;
    unsigned int i;

    for (i = 0; i < def->vcpus; i++)
        online += def->vcpuList[i].online;
    if (online != (def->vcpusCurrent ? def->vcpusCurrent : def->vcpus)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'current' of <vcpu> (%1$u) differs from the %2$u vCPUs <vcpus> enables"),
                    def->vcpusCurrent ? def->vcpusCurrent : def->vcpus, online);
        return FALSE;
    }
    if (!first->online || first->hotpluggable == VGM_TRISTATE_YES || first->order > 1) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("vCPU 0 in <vcpus> must be enabled, not hotpluggable, and first in order: QEMU starts with it"));
        return FALSE;
    }
    for (i = 1; i < def->vcpus; i++) {
        const VgmDomainVcpu *v = &def->vcpuList[i];
        const VgmDomainVcpu *prev = &def->vcpuList[i - 1];

        /* the place of a vCPU the driver plugs is reckoned without clusters */
        if (v->online && v->hotpluggable == VGM_TRISTATE_YES && def->cpu &&
            def->cpu->clusters > 1) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("vCPU %1$u in <vcpus> is plugged after QEMU starts, which virt-gmem does not do in a <topology> with clusters"),
                        i);
            return FALSE;
        }

        if (v->online && (v->order != 0) != (first->order != 0)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("vCPU %1$u in <vcpus>: either every enabled vCPU has an order or none has"),
                        i);
            return FALSE;
        }
        if (!v->online && v->hotpluggable == VGM_TRISTATE_NO) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("vCPU %1$u in <vcpus> is disabled and not hotpluggable: QEMU could never run it"),
                        i);
            return FALSE;
        }
        if (v->hotpluggable == VGM_TRISTATE_NO &&
            (prev->hotpluggable == VGM_TRISTATE_YES || prev->order > v->order)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("vCPU %1$u in <vcpus> is not hotpluggable, so it must follow vCPU 0 and the other vCPUs QEMU starts with, in ascending order"),
                        i);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmRuleVcpus(const VgmDomainDef *def, GError **error)
{
    const VgmCpuDef *cpu = def->cpu;

    if (def->vcpusCurrent > def->vcpus) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'current' of <vcpu> (%1$u) is larger than the number of vCPUs (%2$u)"),
                    def->vcpusCurrent, def->vcpus);
        return FALSE;
    }
    if (def->vcpuList && !vgmRuleVcpuList(def, error))
        return FALSE;
    if (cpu && cpu->sockets) {
        unsigned long long n = (unsigned long long)cpu->sockets * cpu->dies *
                               MAX(cpu->clusters, 1) * cpu->cores * cpu->threads;
        if (n != def->vcpus) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<topology> in <cpu> gives %1$llu vCPUs but <vcpu> asks for %2$u"),
                        n, def->vcpus);
            return FALSE;
        }
    }
    return TRUE;
}

/* libvirt's rules for a cell's <distances>: siblings that exist, once
 * each, 10 to 255, 10 to itself and more than 10 to others */
static gboolean
vgmRuleNumaDistances(const VgmDomainNumaCell *cell, size_t ncells, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    size_t j;

    for (j = 0; j < cell->ndistances; j++) {
        const VgmNumaDistance *d = &cell->distances[j];
        gboolean local = d->sibling == cell->id;

        if (d->sibling >= ncells) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<sibling id='%1$u'> in the distances of NUMA cell %2$u names no cell (there are %3$zu)"),
                        d->sibling, cell->id, ncells);
            return FALSE;
        }
        if (!g_hash_table_add(seen, GUINT_TO_POINTER(d->sibling + 1))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<sibling id='%1$u'> appears twice in the distances of NUMA cell %2$u"),
                        d->sibling, cell->id);
            return FALSE;
        }
        if (d->value < 10 || d->value > 255 || (local && d->value != 10) ||
            (!local && d->value == 10)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$u' for the distance from NUMA cell %2$u to %3$u: a cell is 10 from itself and 11 to 255 from others"),
                        d->value, cell->id, d->sibling);
            return FALSE;
        }
    }
    return TRUE;
}

/* ACPI HMAT, libvirt's rules: a cell's memory-side caches are levels 1 to
 * 3, each once; a line size fits HMAT's 16 bits */
static gboolean
vgmRuleNumaCaches(const VgmDomainNumaCell *cell, GError **error)
{
    gboolean seen[4] = { FALSE };
    size_t j;

    for (j = 0; j < cell->ncaches; j++) {
        const VgmNumaCache *c = &cell->caches[j];

        if (c->level < 1 || c->level > 3) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<cache level='%1$u'> of NUMA cell %2$u: a memory-side cache is level 1, 2 or 3"),
                        c->level, cell->id);
            return FALSE;
        }
        if (seen[c->level]) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("NUMA cell %1$u has two caches of level %2$u"), cell->id, c->level);
            return FALSE;
        }
        seen[c->level] = TRUE;
        if (c->size == 0 || c->line == 0 || c->line > G_MAXUINT16) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<cache level='%1$u'> of NUMA cell %2$u: its size must be more than 0 and its line 1 to 65535 bytes"),
                        c->level, cell->id);
            return FALSE;
        }
    }
    return TRUE;
}

/* libvirt's rules for <interconnects>: cells that exist, an initiator with
 * CPUs, a cache level the target has, each figure once and each link in
 * one direction */
static gboolean
vgmRuleNumaInterconnects(const VgmCpuDef *cpu, GError **error)
{
    size_t i, j;

    for (i = 0; i < cpu->ninterconnects; i++) {
        const VgmNumaInterconnect *l = &cpu->interconnects[i];
        const char *elem = l->bandwidth ? "bandwidth" : "latency";

        if (l->initiator >= cpu->ncells || l->target >= cpu->ncells) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s initiator='%2$u' target='%3$u'> in <interconnects> names a NUMA cell the domain does not have"),
                        elem, l->initiator, l->target);
            return FALSE;
        }
        if (!cpu->cells[l->initiator].cpus) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s initiator='%2$u'> in <interconnects>: an initiator is a NUMA cell with CPUs, and cell %2$u has none"),
                        elem, l->initiator);
            return FALSE;
        }
        if (l->cache) {
            const VgmDomainNumaCell *t = &cpu->cells[l->target];

            for (j = 0; j < t->ncaches && t->caches[j].level != l->cache; j++)
                ;
            if (j == t->ncaches) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<%1$s cache='%2$u'> in <interconnects>: NUMA cell %3$u has no cache of that level"),
                            elem, l->cache, l->target);
                return FALSE;
            }
        }
        for (j = 0; j < i; j++) {
            const VgmNumaInterconnect *o = &cpu->interconnects[j];

            if (o->bandwidth == l->bandwidth && o->initiator == l->initiator &&
                o->target == l->target && o->cache == l->cache && o->type == l->type) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<%1$s initiator='%2$u' target='%3$u' type='%4$s'> appears twice in <interconnects>"),
                            elem, l->initiator, l->target, vgmNumaAccessTypeToString(l->type));
                return FALSE;
            }
            if (l->initiator != l->target && l->initiator == o->target &&
                l->target == o->initiator) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("the link between NUMA cells %1$u and %2$u appears in both directions in <interconnects>"),
                            l->initiator, l->target);
                return FALSE;
            }
        }
    }
    return TRUE;
}

static gboolean
vgmRuleNumaCells(const VgmDomainDef *def, GError **error)
{
    size_t n = vgmDomainDefNumaCells(def);
    g_autoptr(VgmBitmap) covered = vgmBitmapNew(VGM_BITMAP_MAX);
    size_t i;
    unsigned int v;

    for (i = 0; i < n; i++) {
        const VgmDomainNumaCell *cell = &def->cpu->cells[i];
        int c;

        if (i > 0 && def->cpu->cells[i - 1].id == cell->id) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("NUMA <cell id='%1$u'> appears twice"), cell->id);
            return FALSE;
        }
        if (cell->id != i) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("NUMA cell ids must run from 0 without gaps, but id %1$zu is missing"),
                        i);
            return FALSE;
        }
        if (cell->mem == 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("NUMA <cell id='%1$u'> has no memory"), cell->id);
            return FALSE;
        }
        for (c = vgmBitmapNext(cell->cpus, -1); c >= 0; c = vgmBitmapNext(cell->cpus, c)) {
            if ((unsigned int)c >= def->vcpus) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("NUMA <cell id='%1$u'> names vCPU %2$d but the domain has only %3$u vCPUs"),
                            cell->id, c, def->vcpus);
                return FALSE;
            }
            if (vgmBitmapIsSet(covered, c)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("vCPU %1$d is in more than one NUMA cell (again in <cell id='%2$u'>)"),
                            c, cell->id);
                return FALSE;
            }
            vgmBitmapSet(covered, c);
        }
    }
    if (n == 0)
        return TRUE;
    for (i = 0; i < n; i++) {
        if (!vgmRuleNumaDistances(&def->cpu->cells[i], n, error) ||
            !vgmRuleNumaCaches(&def->cpu->cells[i], error))
            return FALSE;
    }
    if (!vgmRuleNumaInterconnects(def->cpu, error))
        return FALSE;
    for (v = 0; v < def->vcpus; v++) {
        if (!vgmBitmapIsSet(covered, v)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("vCPU %1$u is not in any NUMA <cell>: the cells must cover every vCPU"),
                        v);
            return FALSE;
        }
    }
    return TRUE;
}

/* <cpu><cache> and <maxphysaddr>, as libvirt checks them for QEMU */
static gboolean
vgmRuleCpuCachePhys(const VgmDomainDef *def, GError **error)
{
    const VgmCpuDef *cpu = def->cpu;
    gboolean hostCpu;

    if (!cpu)
        return TRUE;
    hostCpu = cpu->mode == VGM_CPU_MODE_HOST_PASSTHROUGH || cpu->mode == VGM_CPU_MODE_MAXIMUM;
    switch (cpu->cacheMode) {
    case VGM_CPU_CACHE_EMULATE:
        if (cpu->cacheLevel != 3) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<cache mode='emulate'> in <cpu> needs level='3': QEMU emulates the L3 cache only"));
            return FALSE;
        }
        break;
    case VGM_CPU_CACHE_PASSTHROUGH:
        if (!hostCpu) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<cache mode='passthrough'> in <cpu> needs mode='host-passthrough' or 'maximum'"));
            return FALSE;
        }
        G_GNUC_FALLTHROUGH;
    case VGM_CPU_CACHE_DISABLE:
        if (cpu->cacheLevel) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<cache mode='%1$s'> in <cpu> takes no level"),
                        vgmCpuCacheModeTypeToString(cpu->cacheMode));
            return FALSE;
        }
        break;
    case VGM_CPU_CACHE_NONE:
    case VGM_CPU_CACHE_LAST:
        break;
    }
    if (cpu->physMode == VGM_CPU_PHYS_EMULATE && (!cpu->physBits || cpu->physLimit)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<maxphysaddr mode='emulate'> in <cpu> needs 'bits' and takes no 'limit'"));
        return FALSE;
    }
    if (cpu->physMode == VGM_CPU_PHYS_PASSTHROUGH && (cpu->physBits || !hostCpu)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<maxphysaddr mode='passthrough'> in <cpu> takes no 'bits' and needs mode='host-passthrough' or 'maximum'"));
        return FALSE;
    }
    /* QEMU's phys-bits range */
    if ((cpu->physBits && (cpu->physBits < 32 || cpu->physBits > 52)) ||
        (cpu->physLimit && (cpu->physLimit < 32 || cpu->physLimit > 52))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' in <maxphysaddr> of <cpu>: x86 guests have 32 to 52 physical address bits"),
                    cpu->physBits ? cpu->physBits : cpu->physLimit);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmRuleNumatune(const VgmDomainDef *def, GError **error)
{
    size_t i;

    if (def->numatune.memorySet &&
        def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC &&
        !def->numatune.nodeset) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<memory> in <numatune> needs a nodeset when its placement is 'static'"));
        return FALSE;
    }
    if (def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO &&
        def->numatune.nmemnodes > 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<memnode> in <numatune> cannot be used with placement 'auto': per-node binding needs explicit nodes"));
        return FALSE;
    }

    for (i = 0; i < def->numatune.nmemnodes; i++) {
        unsigned int id = def->numatune.memnodes[i].cellid;
        /* 'restrictive' is the cpuset's, one node set for the whole
         * domain: all of <numatune> or none of it */
        gboolean restrictive = def->numatune.memorySet &&
                               def->numatune.mode == VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE;

        if (restrictive != (def->numatune.memnodes[i].mode == VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<memnode cellid='%1$u'> in <numatune> and its <memory> must both be in mode 'restrictive' or neither"),
                        id);
            return FALSE;
        }
        if (id >= vgmDomainDefNumaCells(def)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<memnode cellid='%1$u'> in <numatune> names a NUMA cell the domain does not have (it has %2$zu)"),
                        id, vgmDomainDefNumaCells(def));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmRuleHugepages(const VgmDomainDef *def, GError **error)
{
    const VgmDomainMemoryBacking *mb = &def->mb;
    size_t ncells = vgmDomainDefNumaCells(def);
    g_autoptr(VgmBitmap) claimed = vgmBitmapNew(VGM_BITMAP_MAX); /* by an earlier <page> */
    gboolean haveDefault = FALSE;
    size_t i;

    if (mb->hasHugepages && mb->allocation == VGM_DOMAIN_MEMORY_ALLOCATION_ONDEMAND) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<hugepages> cannot be used with <allocation mode='ondemand'>: huge pages are always allocated up front"));
        return FALSE;
    }
    if (mb->hasHugepages && mb->source == VGM_DOMAIN_MEMORY_SOURCE_ANONYMOUS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<hugepages> cannot be used with <source type='anonymous'>"));
        return FALSE;
    }

    for (i = 0; i < mb->nhugepages; i++) {
        const VgmDomainHugePage *hp = &mb->hugepages[i];
        int node;

        if (hp->size < 4 || (hp->size & (hp->size - 1))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("hugepage size %1$llu KiB in <page> is not a power of two of at least 4 KiB"),
                        hp->size);
            return FALSE;
        }
        if (!hp->nodemask) {
            if (haveDefault) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("more than one <page> in <hugepages> has no nodeset"));
                return FALSE;
            }
            haveDefault = TRUE;
            continue;
        }
        /* a domain without NUMA cells is one node, node 0, as in libvirt */
        for (node = vgmBitmapNext(hp->nodemask, -1); node >= 0;
             node = vgmBitmapNext(hp->nodemask, node)) {
            if ((size_t)node >= MAX(ncells, 1)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<page> in <hugepages> names NUMA node %1$d, which the domain does not have"),
                            node);
                return FALSE;
            }
        }
        for (node = vgmBitmapNext(hp->nodemask, -1); node >= 0;
             node = vgmBitmapNext(hp->nodemask, node)) {
            if (vgmBitmapIsSet(claimed, node)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("two <page> elements in <hugepages> name the same NUMA node"));
                return FALSE;
            }
            vgmBitmapSet(claimed, node);
        }
    }
    return TRUE;
}

static gboolean
vgmRuleMemoryDevices(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    size_t ncells = vgmDomainDefNumaCells(def);
    unsigned int slotted = 0;
    guint i;

    for (i = 0; i < devs->mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(devs->mems, i);

        slotted += mem->model == VGM_MEMORY_MODEL_DIMM || mem->model == VGM_MEMORY_MODEL_NVDIMM;
    }
    if (def->maxMemory && slotted > def->memorySlots) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("%1$u dimm/nvdimm memory devices need more than the %2$u slots <maxMemory> gives"),
                    slotted, def->memorySlots);
        return FALSE;
    }
    for (i = 0; i < devs->mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(devs->mems, i);
        const char *model = vgmMemoryModelTypeToString(mem->model);

        if (mem->size == 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory device of model '%1$s' needs a <size> greater than zero in <target>"),
                        model);
            return FALSE;
        }
        if (mem->model != VGM_MEMORY_MODEL_SGX_EPC && !def->maxMemory) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory device of model '%1$s' needs <maxMemory> with slots in the domain"),
                        model);
            return FALSE;
        }
        if (mem->model == VGM_MEMORY_MODEL_DIMM || mem->model == VGM_MEMORY_MODEL_NVDIMM) {
            guint j;

            if (mem->addr.type != VGM_ADDRESS_NONE && mem->addr.type != VGM_ADDRESS_DIMM) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("memory device of model '%1$s' sits in a memory slot: its <address> must be of type 'dimm', not '%2$s'"),
                            model, vgmAddressTypeToString(mem->addr.type));
                return FALSE;
            }
            if (mem->addr.type == VGM_ADDRESS_DIMM && def->maxMemory &&
                mem->addr.slot >= def->memorySlots) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("memory device of model '%1$s' is in slot %2$u, but <maxMemory> gives slots 0 to %3$u"),
                            model, mem->addr.slot, def->memorySlots ? def->memorySlots - 1 : 0);
                return FALSE;
            }
            for (j = 0; j < i && mem->addr.type == VGM_ADDRESS_DIMM; j++) {
                const VgmMemoryDef *other = g_ptr_array_index(devs->mems, j);

                if (other->addr.type != VGM_ADDRESS_DIMM)
                    continue;
                if (other->addr.slot == mem->addr.slot) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("two memory devices are in memory slot %1$u"), mem->addr.slot);
                    return FALSE;
                }
                if (mem->addr.base && other->addr.base == mem->addr.base) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("two memory devices are at base address 0x%1$llx"),
                                mem->addr.base);
                    return FALSE;
                }
            }
        } else if (mem->addr.type == VGM_ADDRESS_DIMM) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory device of model '%1$s' takes no memory slot: an <address type='dimm'> is for dimm and nvdimm"),
                        model);
            return FALSE;
        }
        if (mem->haveNode && mem->node >= MAX(ncells, 1)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory device of model '%1$s' targets NUMA node %2$u, but the domain has %3$zu"),
                        model, mem->node, MAX(ncells, 1));
            return FALSE;
        }
        if (ncells > 0 && !mem->haveNode && mem->model != VGM_MEMORY_MODEL_VIRTIO_PMEM &&
            mem->model != VGM_MEMORY_MODEL_SGX_EPC) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory device of model '%1$s' needs a target <node> when the domain has NUMA cells"),
                        model);
            return FALSE;
        }
        if (mem->model == VGM_MEMORY_MODEL_VIRTIO_PMEM &&
            mem->access != VGM_DOMAIN_MEMORY_ACCESS_SHARED) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device of model 'virtio-pmem' needs access='shared': the guest's writes reach its file only through a shared mapping"));
            return FALSE;
        }
        if (mem->model == VGM_MEMORY_MODEL_VIRTIO_PMEM && mem->haveNode) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory device of model 'virtio-pmem' has no NUMA node: remove <node> from its <target>"));
            return FALSE;
        }
        if (mem->model == VGM_MEMORY_MODEL_NVDIMM && mem->discard) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("attribute 'discard' of a memory device is not supported for nvdimm"));
            return FALSE;
        }
        switch (mem->model) {
        case VGM_MEMORY_MODEL_NVDIMM:
        case VGM_MEMORY_MODEL_VIRTIO_PMEM:
            if (!mem->sourcePath) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("memory device of model '%1$s' needs a <path> in <source>"),
                            model);
                return FALSE;
            }
            if (mem->model == VGM_MEMORY_MODEL_NVDIMM && mem->labelsize &&
                mem->labelsize < 128) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("label <size> of an nvdimm must be at least 128 KiB"));
                return FALSE;
            }
            /* (the label is carved out of the device, as libvirt checks) */
            if (mem->model == VGM_MEMORY_MODEL_NVDIMM && mem->labelsize >= mem->size) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("label <size> of an nvdimm, %1$llu KiB, must be smaller than its <size>, %2$llu KiB"),
                            mem->labelsize, mem->size);
                return FALSE;
            }
            if (mem->model == VGM_MEMORY_MODEL_VIRTIO_PMEM && mem->size % 2048) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("virtio-pmem size %1$llu KiB must be a multiple of 2 MiB"),
                            mem->size);
                return FALSE;
            }
            break;
        case VGM_MEMORY_MODEL_VIRTIO_MEM:
            if (!mem->blocksize || (mem->blocksize & (mem->blocksize - 1))) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("virtio-mem device needs a <block> size that is a power of two"));
                return FALSE;
            }
            if (mem->size % mem->blocksize) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("virtio-mem <size> %1$llu KiB is not a multiple of its <block> size %2$llu KiB"),
                            mem->size, mem->blocksize);
                return FALSE;
            }
            if (mem->requested > mem->size || mem->requested % mem->blocksize) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("virtio-mem <requested> %1$llu KiB must be at most <size> and a multiple of <block>"),
                            mem->requested);
                return FALSE;
            }
            break;
        case VGM_MEMORY_MODEL_DIMM:
        case VGM_MEMORY_MODEL_SGX_EPC:
        case VGM_MEMORY_MODEL_LAST:
            break;
        }
        if (mem->model != VGM_MEMORY_MODEL_NVDIMM && (mem->labelsize || mem->readonly)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<label> and <readonly/> are only for nvdimm memory devices, not '%1$s'"),
                        model);
            return FALSE;
        }
        if (mem->model != VGM_MEMORY_MODEL_VIRTIO_MEM && (mem->blocksize || mem->requested)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<block> and <requested> are only for virtio-mem memory devices, not '%1$s'"),
                        model);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmRuleDiskAddresses(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autoptr(GHashTable) ctrls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* "bus controller.bus.target.unit" -> the disk there */
    g_autoptr(GHashTable) taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        g_hash_table_add(ctrls, g_strdup_printf("%s %u", c->type, c->index));
    }
    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(devs->disks, i);
        const VgmDeviceAddress *a = &d->addr;
        const char *bus = vgmDiskBusTypeToString(d->bus);
        const VgmDriveBusInfo *b = vgmDomainDriveBusInfo(d->bus);
        g_autofree char *key = NULL;
        const VgmDiskDef *other;

        /* a USB disk is on a USB port (vgmRuleUsbDevices), and only it */
        if ((d->bus == VGM_DISK_BUS_USB) != (a->type == VGM_ADDRESS_USB) &&
            (d->bus != VGM_DISK_BUS_USB || a->type != VGM_ADDRESS_NONE)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        d->bus == VGM_DISK_BUS_USB ?
                        _("disk '%1$s' on bus '%2$s' needs a USB address (<address type='usb' bus='' port=''/>), not '%3$s'") :
                        _("disk '%1$s' on bus '%2$s' cannot have a '%3$s' address: only USB disks are on USB"),
                        d->dst, bus, vgmAddressTypeToString(a->type));
            return FALSE;
        }
        if (!b) {
            if (a->type == VGM_ADDRESS_DRIVE) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("disk '%1$s' on bus '%2$s' cannot have a drive address"),
                            d->dst, bus);
                return FALSE;
            }
            continue;
        }
        if (a->type != VGM_ADDRESS_DRIVE) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("disk '%1$s' on bus '%2$s' needs a drive address, not '%3$s'"),
                        d->dst, bus, vgmAddressTypeToString(a->type));
            return FALSE;
        }
        if (a->drivebus >= b->buses || a->target >= b->targets || a->unit >= b->units) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("drive address bus='%1$u' target='%2$u' unit='%3$u' of disk '%4$s' is out of range for bus '%5$s' (bus < %6$u, target < %7$u, unit < %8$u)"),
                        a->drivebus, a->target, a->unit, d->dst, bus, b->buses, b->targets,
                        b->units);
            return FALSE;
        }
        key = g_strdup_printf("%s %u", b->controller, a->controller);
        if (!g_hash_table_contains(ctrls, key)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("disk '%1$s' is on <controller type='%2$s' index='%3$u'>, which the domain does not have (controllers are added for disks only while the domain has fewer than %4$u)"),
                        d->dst, b->controller, a->controller,
                        (unsigned int)VGM_DOMAIN_MAX_DEVICES);
            return FALSE;
        }
        g_free(key);
        key = g_strdup_printf("%s %u.%u.%u.%u", bus, a->controller, a->drivebus, a->target, a->unit);
        if ((other = g_hash_table_lookup(taken, key))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("disks '%1$s' and '%2$s' have the same drive address (controller %3$u, bus %4$u, target %5$u, unit %6$u)"),
                        other->dst, d->dst, a->controller, a->drivebus, a->target, a->unit);
            return FALSE;
        }
        g_hash_table_insert(taken, g_steal_pointer(&key), (gpointer)d);
    }
    return TRUE;
}

/* Channels: a socket left to the driver listens; names are unique (QEMU
 * refuses two ports of one name) and without '/' (libvirt names sockets
 * after them); one channel a virtio-serial port, on a
 * controller the domain has (bus 0, ports 1 to 30 of QEMU's 31: port 0
 * is a console's). */
static gboolean
vgmRuleChannels(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* index -> the controller */
    g_autoptr(GHashTable) ctrls = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        if (g_str_equal(c->type, "virtio-serial"))
            g_hash_table_insert(ctrls, GUINT_TO_POINTER(c->index), (gpointer)c);
    }
    for (i = 0; i < devs->channels->len; i++) {
        const VgmChrDef *ch = g_ptr_array_index(devs->channels, i);
        const VgmDeviceAddress *a = &ch->addr;
        const VgmControllerDef *ctrl;
        unsigned int maxPort;
        g_autofree char *key = NULL;

        if (ch->type == VGM_CHR_TYPE_UNIX && !ch->path && !g_str_equal(ch->mode, "bind")) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<channel type='unix'> with <source mode='connect'> needs a 'path'"));
            return FALSE;
        }
        if (ch->fwdAddress)
            continue;
        /* (SPICE's agent channel has its agent's name only, libvirt's
         * rule) */
        if (ch->type == VGM_CHR_TYPE_SPICEVMC && ch->targetName &&
            !g_str_equal(ch->targetName, VGM_CHR_SPICE_AGENT_NAME)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid name '%1$s' of <channel type='spicevmc'>: SPICE's agent channel is '%2$s'"),
                        ch->targetName, VGM_CHR_SPICE_AGENT_NAME);
            return FALSE;
        }
        if (ch->targetName &&
            (strchr(ch->targetName, '/') || !*ch->targetName ||
             g_str_equal(ch->targetName, ".") || g_str_equal(ch->targetName, ".."))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'name' of <target> in <channel>: a channel name is not empty, '.' or '..', and has no '/'"),
                        ch->targetName);
            return FALSE;
        }
        if (vgmChrChannelName(ch) && !g_hash_table_add(names, (gpointer)vgmChrChannelName(ch))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("two channels are named '%1$s'"), vgmChrChannelName(ch));
            return FALSE;
        }
        if (a->type != VGM_ADDRESS_VIRTIO_SERIAL) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("a virtio <channel> needs a virtio-serial address, not '%1$s'"),
                        vgmAddressTypeToString(a->type));
            return FALSE;
        }
        if (!(ctrl = g_hash_table_lookup(ctrls, GUINT_TO_POINTER(a->controller)))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("a <channel> is on <controller type='virtio-serial' index='%1$u'>, which the domain does not have (one is added for a channel up to index %2$u)"),
                        a->controller, (unsigned int)VGM_DOMAIN_MAX_DEVICES - 1);
            return FALSE;
        }
        maxPort = (ctrl->ports ? ctrl->ports : 31) - 1;
        if (a->drivebus != 0 || a->unit < 1 || a->unit > maxPort) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("virtio-serial address bus='%1$u' port='%2$u' of a <channel> is out of range for virtio-serial controller %3$u (bus 0, ports 1 to %4$u)"),
                        a->drivebus, a->unit, a->controller, maxPort);
            return FALSE;
        }
        key = g_strdup_printf("%u.%u", a->controller, a->unit);
        if (!g_hash_table_add(ports, g_steal_pointer(&key))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("two channels are on port %1$u of virtio-serial controller %2$u"),
                        a->unit, a->controller);
            return FALSE;
        }
    }
    return TRUE;
}

/* Controllers share an index only as one ICH9 USB set: an EHCI master
 * and UHCI companions, each model once. */
static gboolean
vgmRuleControllerIndexes(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    /* "type index" -> the first controller there */
    g_autoptr(GHashTable) indexes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) models = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* "type index" -> how many controllers have it */
    g_autoptr(GHashTable) counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint i;

    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        g_autofree char *ckey = g_strdup_printf("%s %u", c->type, c->index);
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, ckey));
        g_hash_table_insert(counts, g_steal_pointer(&ckey), GUINT_TO_POINTER(n + 1));
    }
    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        gboolean ich9 = g_str_equal(c->type, "usb") && c->model && g_str_has_prefix(c->model, "ich9-");
        g_autofree char *key = g_strdup_printf("%s %u", c->type, c->index);
        const VgmControllerDef *first = g_hash_table_lookup(indexes, key);
        gboolean firstIch9 = first && first->model && g_str_has_prefix(first->model, "ich9-");

        if (first && (!ich9 || !firstIch9 ||
                      !g_hash_table_add(models, g_strdup_printf("%s %s", key, c->model)))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("two <controller type='%1$s'> elements have index %2$u"),
                        c->type, c->index);
            return FALSE;
        }
        if (!first) {
            if (ich9)
                g_hash_table_add(models, g_strdup_printf("%s %s", key, c->model));
            g_hash_table_insert(indexes, g_steal_pointer(&key), (gpointer)c);
        }
        /* libvirt's: a PCI bus number is 8 bits */
        if (g_str_equal(c->type, "pci") && c->index > 255) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<controller type='pci' index='%1$u'>: the index is too high, a domain has PCI buses 0 to 255"),
                        c->index);
            return FALSE;
        }
        /* QEMU: "Illegal numa node" */
        if (c->haveNumaNode && c->numaNode >= vgmDomainDefNumaCells(def)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<controller type='pci' index='%1$u' model='%2$s'> belongs to guest NUMA node %3$u, but the domain has %4$zu NUMA nodes in <cpu><numa>"),
                        c->index, c->model, c->numaNode, vgmDomainDefNumaCells(def));
            return FALSE;
        }
        if (c->haveMaster && !(c->model && g_str_has_prefix(c->model, "ich9-uhci"))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<master> of <controller type='usb' index='%1$u'> is only for the companions ich9-uhci1, ich9-uhci2 and ich9-uhci3, not model '%2$s'"),
                        c->index, c->model ? c->model : "");
            return FALSE;
        }
    }
    /* a companion needs the EHCI of its index, and a UHCI that shares an
     * index is a companion */
    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        g_autofree char *master = NULL;

        if (!c->haveMaster) {
            g_autofree char *key = g_strdup_printf("usb %u", c->index);

            if (c->model && g_str_has_prefix(c->model, "ich9-uhci") &&
                GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) > 1) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<controller type='usb' index='%1$u' model='%2$s'> shares its index with other USB controllers and needs a <master startport=''/>"),
                            c->index, c->model);
                return FALSE;
            }
            continue;
        }
        master = g_strdup_printf("usb %u ich9-ehci1", c->index);
        if (!g_hash_table_contains(models, master)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("USB companion <controller type='usb' index='%1$u' model='%2$s'> has no <controller type='usb' index='%1$u' model='ich9-ehci1'> master"),
                        c->index, c->model);
            return FALSE;
        }
    }
    return TRUE;
}

/* A virtio-net queue size: what QEMU's virtio-net device takes. */
static gboolean
vgmRuleNetQueueSize(const VgmNetDef *n, const char *attr, unsigned int size, GError **error)
{
    if (size && (size < 256 || size > 1024 || (size & (size - 1)))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' for attribute '%2$s' of <driver> in interface '%3$s': QEMU takes a power of 2 from 256 to 1024"),
                    size, attr, n->mac);
        return FALSE;
    }
    return TRUE;
}

/* The rules of one <interface> that hold whatever runs it. */
static gboolean
vgmRuleNet(const VgmNetDef *n, GError **error)
{
    gboolean virtio = g_str_has_prefix(n->model, "virtio");

    /* a Linux interface name: 1 to 15 bytes, no '/', ':' or space */
    if (n->ifname && (!*n->ifname || strlen(n->ifname) > 15 ||
                      strpbrk(n->ifname, "/: \t\n") ||
                      g_str_equal(n->ifname, ".") || g_str_equal(n->ifname, ".."))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'dev' of <target> in <interface>: a network interface name is 1 to 15 bytes without '/', ':' or spaces"),
                    n->ifname);
        return FALSE;
    }
    /* an isolated port is a Linux bridge's (libvirt's rule: not Open
     * vSwitch, whose ports have no such flag) */
    if (n->isolatedPort == VGM_TRISTATE_YES &&
        ((n->type != VGM_NET_TYPE_BRIDGE && n->type != VGM_NET_TYPE_NETWORK) || n->ovs)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<port isolated='yes'> of interface '%1$s': only a port of a Linux bridge (type 'bridge' or 'network', no <virtualport>) can be isolated"),
                    n->mac);
        return FALSE;
    }
    /* the backend and queue options are virtio-net's; name='qemu' says
     * what any other model has anyway */
    gboolean offloads = FALSE;
    size_t i;

    for (i = 0; i < VGM_NET_OFFLOAD_LAST; i++)
        offloads |= n->offloads[i] != VGM_TRISTATE_ABSENT;
    if (!virtio && (n->driverName == VGM_NET_DRIVER_VHOST || n->queues || n->rxQueueSize ||
                    n->txQueueSize || vgmVirtioOptionsAny(&n->virtio) || n->txmode ||
                    n->ioeventfd || n->eventIdx || n->rss || n->rssHashReport || offloads)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<driver> of interface '%1$s' sets virtio-net options, and its model is '%2$s'"),
                    n->mac, n->model);
        return FALSE;
    }
    /* what a backend without a tap cannot have: a vhost-user backend
     * has queues and an MTU of its own, and is the vhost device already */
    if (!vgmNetTypeHasTap(n->type) &&
        (n->driverName == VGM_NET_DRIVER_VHOST ||
         (n->type != VGM_NET_TYPE_VHOSTUSER && (n->queues || n->mtu)))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<interface type='%1$s'> '%2$s' cannot have %3$s: %4$s"),
                    vgmNetTypeToString(n->type), n->mac,
                    n->driverName != VGM_NET_DRIVER_VHOST ?
                    (n->mtu ? "<mtu>" : _("more than one queue")) : "<driver name='vhost'>",
                    n->type == VGM_NET_TYPE_VHOSTUSER ?
                    _("its vhost-user backend does the vhost device's work") :
                    n->type == VGM_NET_TYPE_USER ?
                    _("QEMU's user-mode network has one queue in userspace and no host device") :
                    _("QEMU's socket network has one queue in userspace and no host device"));
        return FALSE;
    }
    /* a macvtap has its host device's MTU (libvirt refuses <mtu> on it) */
    if (n->type == VGM_NET_TYPE_DIRECT && n->mtu) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<mtu> of <interface type='direct'> '%1$s': a macvtap has the MTU of its host device '%2$s'"),
                    n->mac, n->source);
        return FALSE;
    }
    /* a socket netdev has no host interface to name */
    if (n->ifname && n->type != VGM_NET_TYPE_VHOSTUSER && n->type != VGM_NET_TYPE_USER &&
        !vgmNetTypeHasTap(n->type)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<target dev='%1$s'> of <interface type='%2$s'> '%3$s': QEMU's socket network has no host interface to name"),
                    n->ifname, vgmNetTypeToString(n->type), n->mac);
        return FALSE;
    }
    if (n->type == VGM_NET_TYPE_VHOSTUSER) {
        /* libvirt's rule: the vhost-user protocol serves virtio-net */
        if (!virtio) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<interface type='vhostuser'> '%1$s' needs <model type='virtio'/> (or a virtio-net variant): a vhost-user backend serves virtio-net only, and its model is '%2$s'"),
                        n->mac, n->model);
            return FALSE;
        }
        /* QEMU refuses 'reconnect' on a listening socket */
        if (n->vhostServer && n->haveReconnect) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<reconnect> of <interface type='vhostuser'> '%1$s' needs mode='client': in mode='server' QEMU listens, and its backend reconnects"),
                        n->mac);
            return FALSE;
        }
    }
    /* the kernel's tap has at most 256 queues */
    if (n->queues > 256) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' for attribute 'queues' of <driver> in interface '%2$s': a tap device has at most 256 queues"),
                    n->queues, n->mac);
        return FALSE;
    }
    if (!vgmRuleNetQueueSize(n, "rx_queue_size", n->rxQueueSize, error) ||
        !vgmRuleNetQueueSize(n, "tx_queue_size", n->txQueueSize, error))
        return FALSE;
    /* QEMU takes larger transmit queues from vhost-user only, and quietly
     * uses 256 for the rest */
    if (n->txQueueSize > 256 && n->type != VGM_NET_TYPE_VHOSTUSER) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' for attribute 'tx_queue_size' of <driver> in interface '%2$s': QEMU gives a tap or user network at most 256"),
                    n->txQueueSize, n->mac);
        return FALSE;
    }
    /* QEMU's host_mtu range */
    if (n->mtu && (n->mtu < 68 || n->mtu > 65535)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' for attribute 'size' of <mtu> in interface '%2$s': an MTU is from 68 to 65535"),
                    n->mtu, n->mac);
        return FALSE;
    }
    return TRUE;
}

/* libvirt's rules for video devices: one primary, which is first;
 * further ones are qxl or virtio; qxl's VGA memory is a power of 2 of at
 * least 1 MiB. */
static gboolean
vgmRuleVideos(const VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.videos->len; i++) {
        const VgmVideoDef *v = g_ptr_array_index(def->devices.videos, i);

        if (i > 0 && v->primary == VGM_TRISTATE_YES) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("only one <video> can be the primary one, and video %1$u ('%2$s') is one more"),
                        i, v->model);
            return FALSE;
        }
        if (i > 0 && !g_str_equal(v->model, "qxl") && !g_str_equal(v->model, "virtio")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<video> model '%1$s' can only be the primary video device (further ones are 'qxl' or 'virtio')"),
                        v->model);
            return FALSE;
        }
        /* libvirt's: ramfb lives in guest RAM, on no bus */
        if (g_str_equal(v->model, "ramfb") && v->addr.type != VGM_ADDRESS_NONE) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<video> model 'ramfb' takes no <address>: it is on no bus"));
            return FALSE;
        }
        if (v->vgamem && (v->vgamem < 1024 || (v->vgamem & (v->vgamem - 1)))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid value '%1$u' for attribute 'vgamem' of <model> in <video>: a power of 2 of at least 1024 KiB"),
                        v->vgamem);
            return FALSE;
        }
    }
    return TRUE;
}

/* libvirt's rules for <shmem>: the name is a file in /dev/shm; an
 * ivshmem-doorbell takes its memory from its <server> (so it has no
 * size), an ivshmem-plain has none (both are PCI devices: the parse
 * says so). A doorbell's role libvirt reads but does not give QEMU:
 * refused rather than dropped. (The old ivshmem model the QEMU
 * validation refuses.) */
static gboolean
vgmRuleShmems(const VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.shmems->len; i++) {
        const VgmShmemDef *shm = g_ptr_array_index(def->devices.shmems, i);
        const char *model = vgmShmemModelTypeToString(shm->model);

        if (strchr(shm->name, '/') || !*shm->name || g_str_equal(shm->name, ".") ||
            g_str_equal(shm->name, "..")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid <shmem> name '%1$s': it names a file in /dev/shm, without '/'"),
                        shm->name);
            return FALSE;
        }
        if (shm->model == VGM_SHMEM_MODEL_IVSHMEM_DOORBELL && !shm->server) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<shmem name='%1$s'> of model 'ivshmem-doorbell' needs a <server>: an ivshmem-server holds its memory and interrupts"),
                        shm->name);
            return FALSE;
        }
        if (shm->model != VGM_SHMEM_MODEL_IVSHMEM_DOORBELL && shm->server) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<shmem name='%1$s'> of model '%2$s' takes no <server>: only an ivshmem-doorbell talks to an ivshmem-server"),
                        shm->name, model);
            return FALSE;
        }
        if (shm->serverPath && !g_path_is_absolute(shm->serverPath)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'path' of <server> in <shmem name='%2$s'>: the ivshmem-server's socket is an absolute path"),
                        shm->serverPath, shm->name);
            return FALSE;
        }
        if (shm->model == VGM_SHMEM_MODEL_IVSHMEM_DOORBELL && shm->size) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<shmem name='%1$s'> of model 'ivshmem-doorbell' takes no <size>: its ivshmem-server sets the size"),
                        shm->name);
            return FALSE;
        }
        if (shm->model == VGM_SHMEM_MODEL_IVSHMEM_DOORBELL && shm->role != VGM_SHMEM_ROLE_DEFAULT) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<shmem name='%1$s' role='%2$s'>: a role is for model 'ivshmem-plain' only (libvirt gives an ivshmem-doorbell none)"),
                        shm->name, vgmShmemRoleTypeToString(shm->role));
            return FALSE;
        }
    }
    return TRUE;
}

/* QEMU's rule for its firmware configuration files: one of each name,
 * over every <sysinfo type='fwcfg'> (libvirt leaves it to QEMU) */
static gboolean
vgmRuleFwCfgNames(const VgmDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    guint i, j;

    for (i = 0; def->sysinfos && i < def->sysinfos->len; i++) {
        const VgmSysinfoDef *sysinfo = g_ptr_array_index(def->sysinfos, i);

        for (j = 0; sysinfo->fwCfgs && j < sysinfo->fwCfgs->len; j++) {
            const VgmFwCfgEntry *e = g_ptr_array_index(sysinfo->fwCfgs, j);

            if (!g_hash_table_add(seen, e->name)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("two firmware configuration entries are named '%1$s': QEMU takes one file of a name"),
                            e->name);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* libvirt's rules for an IOMMU; which machine has one is QEMU's matter */
static gboolean
vgmRuleIommu(const VgmDomainDef *def, const VgmIommuDef *iommu, GError **error)
{
    if (iommu->model == VGM_IOMMU_MODEL_VIRTIO &&
        (iommu->intremap || iommu->cachingMode || iommu->eim || iommu->iotlb || iommu->awBits)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<iommu model='virtio'> takes no <driver> attributes: they are the Intel IOMMU's"));
        return FALSE;
    }
    /* the guest finds a virtio-iommu through ACPI's VIOT table (libvirt's
     * rule) */
    if (iommu->model == VGM_IOMMU_MODEL_VIRTIO &&
        def->features.features[VGM_FEATURE_ACPI] != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<iommu model='virtio'> needs <features><acpi/></features>: the guest finds it through ACPI"));
        return FALSE;
    }
    if (iommu->intremap == VGM_TRISTATE_YES && def->features.ioapic != VGM_IOAPIC_QEMU) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<driver intremap='on'> of <iommu> needs a split I/O APIC: <ioapic driver='qemu'/> in <features>"));
        return FALSE;
    }
    if (iommu->eim == VGM_TRISTATE_YES && iommu->intremap != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<driver eim='on'> of <iommu> needs intremap='on'"));
        return FALSE;
    }
    /* QEMU's intel-iommu address widths */
    if (iommu->awBits && iommu->awBits != 39 && iommu->awBits != 48) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' for attribute 'aw_bits' of <driver> in <iommu>: QEMU's Intel IOMMU has 39 or 48 address bits"),
                    iommu->awBits);
        return FALSE;
    }
    return TRUE;
}

/* Per-device boot orders: each once, and not with <os><boot dev> (libvirt's
 * rules) */
static gboolean
vgmRuleBootOrders(const VgmDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GArray) orders = vgmDomainDefBootOrders(def);
    guint i;

    for (i = 0; i < orders->len; i++) {
        unsigned int order = g_array_index(orders, unsigned int, i);

        if (def->os.nboot) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("a device's <boot order=''/> cannot be combined with <boot dev=''/> in <os>"));
            return FALSE;
        }
        if (!g_hash_table_add(seen, GUINT_TO_POINTER(order))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("boot order '%1$u' is given to more than one device"), order);
            return FALSE;
        }
    }
    return TRUE;
}

/* libvirt's rules for <filesystem>: one share a mount tag; fmode and
 * dmode are the modes of 9p's mapped files; what virtiofsd cannot do */
static gboolean
vgmRuleFilesystem(const VgmFsDef *fs, GError **error)
{
    const char *what = NULL;

    if ((fs->fmode || fs->dmode) && fs->accessmode != VGM_FS_ACCESS_MAPPED) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("attributes 'fmode' and 'dmode' of <filesystem> '%1$s' need accessmode='mapped': they are the modes of the files 9p creates in mapped mode"),
                    fs->target);
        return FALSE;
    }
    if (fs->driver != VGM_FS_DRIVER_VIRTIOFS)
        return TRUE;
    if (fs->model)
        what = "model";
    else if (fs->multidevs)
        what = "multidevs";
    else if (fs->fmode || fs->dmode)
        what = fs->fmode ? "fmode" : "dmode";
    else if (fs->wrpolicy)
        what = "wrpolicy";
    else if (fs->accessmode && fs->accessmode != VGM_FS_ACCESS_PASSTHROUGH)
        what = "accessmode";
    if (what) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("virtiofs <filesystem> '%1$s' does not take attribute '%2$s' (9p's)"),
                    fs->target, what);
        return FALSE;
    }
    /* virtiofsd has no read-only export yet (libvirt's rule), and the
     * exports of someone else's are not the domain's to set */
    if (fs->readonly) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("virtiofs <filesystem> '%1$s' cannot be <readonly/>: virtiofsd has no read-only mode"),
                    fs->target);
        return FALSE;
    }
    /* the virtqueue QEMU makes: a power of 2 to 32768 (VIRTQUEUE_MAX_SIZE) */
    if (fs->queue && (fs->queue > 32768 || (fs->queue & (fs->queue - 1)))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid value '%1$u' for attribute 'queue' of <driver> in <filesystem> '%2$s': a power of 2 up to 32768"),
                    fs->queue, fs->target);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmRuleFilesystems(const VgmDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) tags = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    /* QEMU's vhost-user-fs device does not migrate, and its virtiofsd
     * serves the connection of one QEMU */
    if (def->mb.liveUpdate && vgmDomainDefHasVirtiofs(def)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<memoryBacking><liveUpdate/> cannot be combined with a virtiofs <filesystem>: a new QEMU cannot take over the running one's vhost-user-fs device and its virtiofsd connection (a 9p share can be handed over while the guest has not mounted it)"));
        return FALSE;
    }
    if (def->mb.liveUpdate && vgmDomainDefVhostUserDevice(def)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<memoryBacking><liveUpdate/> cannot be combined with a vhostuser <disk>: a new QEMU cannot take over the running one's vhost-user-blk connection"));
        return FALSE;
    }

    for (i = 0; i < def->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);

        if (!g_hash_table_add(tags, fs->target)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<filesystem> target '%1$s' is used twice: the guest mounts a share by its tag"),
                        fs->target);
            return FALSE;
        }
        if (!vgmRuleFilesystem(fs, error))
            return FALSE;
    }
    return TRUE;
}

/* Serial ports on the ISA bus: an address only for the ISA models (the
 * debug console has an I/O port and no interrupt), the debug console's
 * target and model together, a serial console only first, and a
 * console's address its serial port's */
static gboolean
vgmRuleSerialAddresses(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->serials->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->serials, i);
        const char *model = chr->targetModel ? chr->targetModel : "";
        gboolean debugType = g_strcmp0(chr->targetType, "isa-debug") == 0;
        gboolean debugModel = g_str_equal(model, "isa-debugcon");

        if (debugType != debugModel) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<serial> port %1$u: <target type='isa-debug'> goes with <model name='isa-debugcon'> only (type '%2$s', model '%3$s')"),
                        chr->port, chr->targetType ? chr->targetType : "", model);
            return FALSE;
        }
        if (chr->addr.type != VGM_ADDRESS_ISA)
            continue;
        if (!debugModel && !g_str_equal(model, "isa-serial")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<serial> port %1$u of model '%2$s' is no ISA device: it takes no <address type='isa'>"),
                        chr->port, model);
            return FALSE;
        }
        if (debugModel && chr->addr.haveIrq) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<serial> port %1$u, an isa-debugcon, has an I/O port and no interrupt: its <address type='isa'> takes no irq"),
                        chr->port);
            return FALSE;
        }
    }
    for (i = 0; i < devs->consoles->len; i++) {
        const VgmChrDef *con = g_ptr_array_index(devs->consoles, i);
        const VgmChrDef *serial = devs->serials->len ? g_ptr_array_index(devs->serials, 0) : NULL;

        /* a serial console is the first serial port shown again: a later
         * one would be no device at all (libvirt refuses it too) */
        if (i != 0 && g_strcmp0(con->targetType, "serial") == 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<console> %1$u has <target type='serial'>: only the first console can be a serial port (the others are virtio consoles)"),
                        i + 1);
            return FALSE;
        }
        if (con->addr.type == VGM_ADDRESS_NONE)
            continue;
        if (i != 0 || g_strcmp0(con->targetType, "serial") != 0 || !serial ||
            con->addr.type != serial->addr.type || con->addr.haveIobase != serial->addr.haveIobase ||
            con->addr.iobase != serial->addr.iobase || con->addr.haveIrq != serial->addr.haveIrq ||
            con->addr.irq != serial->addr.irq || con->addr.domain != serial->addr.domain ||
            con->addr.bus != serial->addr.bus || con->addr.slot != serial->addr.slot ||
            con->addr.function != serial->addr.function ||
            !g_str_equal(con->addr.port, serial->addr.port)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("a <console> takes an <address> only as the first serial port's console, and then that port's own"));
            return FALSE;
        }
    }
    return TRUE;
}

/* A vhostuser disk is a vhost-user-blk device: its server does the block
 * layer's work, so the options of QEMU's own block layer are refused, as
 * libvirt refuses them */
static gboolean
vgmRuleVhostUserDisk(const VgmDiskDef *d, GError **error)
{
    const char *what = NULL;

    if (d->type != VGM_DISK_TYPE_VHOSTUSER)
        return TRUE;
    if (d->device != VGM_DISK_DEVICE_DISK)
        what = _("a device other than 'disk'");
    else if (d->bus != VGM_DISK_BUS_VIRTIO)
        what = _("a bus other than 'virtio'");
    else if (d->driverType && !g_str_equal(d->driverType, "raw"))
        what = _("a driver type other than 'raw'");
    else if (d->cache)
        what = "cache";
    else if (d->io)
        what = "io";
    else if (d->discard)
        what = "discard";
    else if (d->detectZeroes)
        what = "detect_zeroes";
    else if (d->ioeventfd)
        what = "ioeventfd";
    else if (d->eventIdx)
        what = "event_idx";
    else if (d->iothread)
        what = "iothread";
    else if (d->copyOnRead)
        what = "copy_on_read";
    else if (d->metadataCacheMax)
        what = "<metadata_cache>";
    else if (d->backing)
        what = "<backingStore>";
    else if (d->encryption)
        what = "<encryption>";
    else if (d->iotune)
        what = "<iotune>";
    else if (d->readonly)
        what = "<readonly/>";
    else if (d->serial || d->wwn || d->vendor || d->product)
        what = d->serial ? "<serial>" : d->wwn ? "<wwn>" : d->vendor ? "<vendor>" : "<product>";
    else if (d->cyls || d->logicalBlockSize || d->physicalBlockSize)
        what = d->cyls ? "<geometry>" : "<blockio>";
    else if (d->errorPolicy || d->rerrorPolicy)
        what = d->errorPolicy ? "error_policy" : "rerror_policy";
    if (!what)
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("vhostuser disk '%1$s' cannot have %2$s: its vhost-user-blk server does the block layer's work"),
                d->dst, what);
    return FALSE;
}

/* The <encryption> @enc of an image of disk @dst in format @format (raw,
 * qcow2; NULL for a directory's FAT), on the network over @net or local
 * (NULL), as libvirt's QEMU driver takes it: LUKS, decrypted by QEMU's
 * own luks driver (raw) or qcow2's encrypt layer, or by librbd for an rbd
 * image (LUKS 1 or 2) */
static gboolean
vgmRuleImageEncryption(const VgmDiskEncryption *enc, const char *dst, const char *format,
                       const VgmDiskNetSource *net, GError **error)
{
    const char *fmt = vgmDiskEncryptionFormatTypeToString(enc->format);

    if (enc->format == VGM_DISK_ENCRYPTION_FORMAT_DEFAULT ||
        enc->format == VGM_DISK_ENCRYPTION_FORMAT_QCOW) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <encryption format='%1$s'> of disk '%2$s': QEMU no longer opens qcow's old AES encryption; 'luks' is the format it decrypts"),
                    fmt, dst);
        return FALSE;
    }
    if (enc->engine == VGM_DISK_ENCRYPTION_ENGINE_LIBRBD) {
        if (!net || net->protocol != VGM_DISK_PROTOCOL_RBD) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<encryption engine='librbd'> of disk '%1$s' is for an rbd image (<source protocol='rbd'>): librbd decrypts only its own images"),
                        dst);
            return FALSE;
        }
        return TRUE;
    }
    if (enc->format == VGM_DISK_ENCRYPTION_FORMAT_LUKS2) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <encryption format='luks2'> of disk '%1$s' with engine 'qemu': QEMU's luks driver reads LUKS 1 only (librbd reads LUKS 2 on an rbd image)"),
                    dst);
        return FALSE;
    }
    if (!format || (!g_str_equal(format, "raw") && !g_str_equal(format, "qcow2"))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<encryption> of disk '%1$s' is for a 'raw' or 'qcow2' image, not '%2$s'"),
                    dst, format ? format : "fat");
        return FALSE;
    }
    return TRUE;
}

/* The encryption of each image of disk @d: the top needs an image */
static gboolean
vgmRuleDiskEncryption(const VgmDiskDef *d, GError **error)
{
    if (d->encryption && d->type != VGM_DISK_TYPE_VHOSTUSER) {
        if (!vgmDiskHasMedium(d)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("disk '%1$s' has an <encryption> but no image to decrypt (no <source>)"),
                        d->dst);
            return FALSE;
        }
        if (!vgmRuleImageEncryption(d->encryption, d->dst,
                                    d->type == VGM_DISK_TYPE_DIR ? NULL :
                                    d->driverType ? d->driverType : "raw",
                                    d->net, error))
            return FALSE;
    }
    for (guint k = 0; d->backing && k < d->backing->len; k++) {
        const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

        if (l->encryption && !vgmRuleImageEncryption(l->encryption, d->dst, l->format, l->net,
                                                     error))
            return FALSE;
    }
    return TRUE;
}

#define VGM_BUS(b) (1u << VGM_DISK_BUS_ ## b)

/* The front-end properties of a disk and the buses whose QEMU devices
 * have them, as libvirt 9.0 allows them */
static gboolean
vgmRuleDiskFrontend(const VgmDiskDef *d, GError **error)
{
    const struct {
        const char *what;
        gboolean given;
        unsigned int buses;
        const char *busNames;
        gboolean hardDiskOnly;
    } rules[] = {
        { "<wwn>", d->wwn != NULL, VGM_BUS(IDE) | VGM_BUS(SCSI), "ide, scsi", FALSE },
        { "<vendor>", d->vendor != NULL, VGM_BUS(SCSI), "scsi", FALSE },
        { "<product>", d->product != NULL, VGM_BUS(SCSI), "scsi", FALSE },
        { "<target rotation_rate>", d->rotationRate != 0,
          VGM_BUS(SCSI) | VGM_BUS(IDE) | VGM_BUS(SATA), "scsi, ide, sata", TRUE },
        { "<geometry>", d->cyls != 0,
          VGM_BUS(VIRTIO) | VGM_BUS(SCSI) | VGM_BUS(IDE) | VGM_BUS(SATA),
          "virtio, scsi, ide, sata", FALSE },
        { "<geometry trans>", d->trans != VGM_DISK_TRANS_DEFAULT, VGM_BUS(IDE), "ide", FALSE },
        { "<disk model>", d->model != VGM_VIRTIO_MODEL_DEFAULT, VGM_BUS(VIRTIO), "virtio", FALSE },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(rules); i++) {
        if (!rules[i].given)
            continue;
        if (!(rules[i].buses & (1u << d->bus))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s of disk '%2$s' is for disks on bus %3$s, and this one is on bus '%4$s'"),
                        rules[i].what, d->dst, rules[i].busNames,
                        vgmDiskBusTypeToString(d->bus));
            return FALSE;
        }
        if (rules[i].hardDiskOnly && d->device != VGM_DISK_DEVICE_DISK) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s of disk '%2$s' is for hard disks (device='disk'), and this one is a %3$s"),
                        rules[i].what, d->dst, vgmDiskDeviceTypeToString(d->device));
            return FALSE;
        }
    }
    /* the metadata cache is qcow2's; another format has none */
    if (d->metadataCacheMax && g_strcmp0(d->driverType, "qcow2") != 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<metadata_cache> of disk '%1$s' sizes qcow2's metadata cache, and the disk's format is '%2$s'"),
                    d->dst, d->driverType ? d->driverType : "raw");
        return FALSE;
    }
    /* a backing chain: only qcow2 has a backing file, so every image
     * above another is one; only a qcow2 layer has a metadata cache */
    if (d->backing) {
        const char *above = d->driverType ? d->driverType : "raw";
        const char *abovePath = d->src ? d->src : d->dst;

        if (!vgmDiskHasMedium(d)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<backingStore> of disk '%1$s': the disk has no medium to be the top of a chain"),
                        d->dst);
            return FALSE;
        }
        for (guint k = 0; k < d->backing->len; k++) {
            const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

            if (!g_str_equal(above, "qcow2")) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<backingStore> of disk '%1$s': image '%2$s' is %3$s, which has no backing file, so '%4$s' cannot be below it"),
                            d->dst, abovePath, above, l->path);
                return FALSE;
            }
            if (l->metadataCacheMax && !g_str_equal(l->format, "qcow2")) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<metadata_cache> of backing image '%1$s' of disk '%2$s' sizes qcow2's metadata cache, and its format is '%3$s'"),
                            l->path, d->dst, l->format);
                return FALSE;
            }
            above = l->format;
            abovePath = l->path;
        }
    }
    /* copy-on-read writes what the guest reads into the image: it needs
     * a writable one, which a removable medium is not, as libvirt holds */
    if (d->copyOnRead == VGM_TRISTATE_YES &&
        (d->readonly || d->device == VGM_DISK_DEVICE_CDROM || d->device == VGM_DISK_DEVICE_FLOPPY)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<driver copy_on_read='on'> of disk '%1$s': copying on read writes to the image, and this disk is %2$s"),
                    d->dst, d->device != VGM_DISK_DEVICE_DISK ? _("a removable medium") :
                                                                _("read-only"));
        return FALSE;
    }
    /* QEMU's IDE and SATA hard disk (ide-hd) needs a writable image
     * (QEMU: "Block node is read-only"), as libvirt refuses it */
    if (d->readonly && d->device == VGM_DISK_DEVICE_DISK &&
        (d->bus == VGM_DISK_BUS_IDE || d->bus == VGM_DISK_BUS_SATA)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("disk '%1$s' on bus '%2$s' cannot be <readonly/>: QEMU's IDE and SATA hard disk needs a writable image (use device='cdrom' or another bus)"),
                    d->dst, d->bus == VGM_DISK_BUS_IDE ? "ide" : "sata");
        return FALSE;
    }
    /* QEMU's virtual FAT is read-only here, as libvirt has it, with no
     * image below it */
    if (d->type == VGM_DISK_TYPE_DIR && (!d->readonly || d->backing)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<disk type='dir'> '%1$s' needs <readonly/> and no <backingStore>: QEMU's virtual FAT of a directory is not written"),
                    d->dst);
        return FALSE;
    }
    /* only a removable medium can be dropped and the domain restored or
     * migrated (libvirt's rule) */
    if (d->startupPolicy == VGM_DISK_STARTUP_REQUISITE && d->device == VGM_DISK_DEVICE_DISK) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<source startupPolicy='requisite'> of disk '%1$s' is for a CD-ROM or floppy"),
                    d->dst);
        return FALSE;
    }
    /* <transient/>: an overlay on a writable disk image of a file, which
     * the start makes; sharing its backing image with other guests is
     * libvirt's for the buses it can plug (libvirt's rules) */
    if (d->transient) {
        const char *why = NULL;

        if (d->device != VGM_DISK_DEVICE_DISK)
            why = _("only a disk (not a CD-ROM or floppy) can be transient");
        else if (d->type != VGM_DISK_TYPE_FILE)
            why = _("only a disk of type 'file' can be transient");
        else if (!d->src)
            why = _("it has no source");
        else if (d->readonly)
            why = _("a read-only disk has nothing to discard");
        else if (d->shareable)
            why = _("a disk other guests write cannot keep its writes apart");
        else if (vgmDiskHasSlice(d))
            why = _("its image is a storage slice (<slices>), which the overlay made over the file would not keep to");
        else if (d->transientShareBacking == VGM_TRISTATE_YES &&
                 d->bus != VGM_DISK_BUS_VIRTIO && d->bus != VGM_DISK_BUS_SCSI &&
                 d->bus != VGM_DISK_BUS_USB)
            why = _("shareBacking='yes' needs bus 'virtio', 'scsi' or 'usb'");
        if (why) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <transient/> disk '%1$s': %2$s"), d->dst, why);
            return FALSE;
        }
    }
    /* QEMU's image locking lets two writers share raw images only */
    if (d->shareable && !d->readonly && d->driverType && !g_str_equal(d->driverType, "raw")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<shareable/> disk '%1$s' has format '%2$s': only a raw image (or a read-only one) can be written from two guests"),
                    d->dst, d->driverType);
        return FALSE;
    }
    return TRUE;
}

#undef VGM_BUS

static gboolean
vgmRuleDevices(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autoptr(GHashTable) targets = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *a = g_ptr_array_index(devs->disks, i);
        if (!g_hash_table_add(targets, a->dst)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("disk target '%1$s' is used twice"), a->dst);
            return FALSE;
        }
    }
    for (i = 0; i < devs->nets->len; i++) {
        if (!vgmRuleNet(g_ptr_array_index(devs->nets, i), error))
            return FALSE;
    }
    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(devs->disks, i);
        if (!vgmRuleVhostUserDisk(d, error) || !vgmRuleDiskFrontend(d, error) ||
            !vgmRuleDiskEncryption(d, error))
            return FALSE;
        if ((d->queues || d->queueSize) && d->bus != VGM_DISK_BUS_VIRTIO) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attributes 'queues' and 'queue_size' of <driver> in disk '%1$s' are for virtio disks"),
                        d->dst);
            return FALSE;
        }
        /* QEMU's virtio-blk: a power of 2 up to 1024, at most 1024 queues */
        if (d->queueSize && (d->queueSize < 2 || d->queueSize > 1024 ||
                             (d->queueSize & (d->queueSize - 1)))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid value '%1$u' for attribute 'queue_size' of <driver> in disk '%2$s': QEMU takes a power of 2 from 2 to 1024"),
                        d->queueSize, d->dst);
            return FALSE;
        }
        if (d->queues > 1024) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid value '%1$u' for attribute 'queues' of <driver> in disk '%2$s': QEMU's virtio-blk has at most 1024"),
                        d->queues, d->dst);
            return FALSE;
        }
        if (vgmVirtioOptionsAny(&d->virtio) && d->bus != VGM_DISK_BUS_VIRTIO) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("attributes 'iommu', 'ats' and 'packed' of <driver> in disk '%1$s' are for virtio disks only"),
                        d->dst);
            return FALSE;
        }
        /* a floppy on the floppy controller, and nothing else there */
        if ((d->device == VGM_DISK_DEVICE_FLOPPY) != (d->bus == VGM_DISK_BUS_FDC)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        d->device == VGM_DISK_DEVICE_FLOPPY ?
                        _("floppy disk '%1$s' needs bus 'fdc' (target fda or fdb)") :
                        _("disk '%1$s' on bus 'fdc' must be a floppy (device='floppy')"),
                        d->dst);
            return FALSE;
        }
        /* the one floppy controller's two drives */
        if (d->bus == VGM_DISK_BUS_FDC && d->addr.type == VGM_ADDRESS_DRIVE &&
            (d->addr.controller > 0 || d->addr.drivebus > 0 || d->addr.target > 0 ||
             d->addr.unit > 1)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("floppy disk '%1$s' is past the floppy controller's two drives (fda and fdb: controller 0, bus 0, target 0, unit 0 or 1)"),
                        d->dst);
            return FALSE;
        }
        if (d->removable && d->bus != VGM_DISK_BUS_USB) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute 'removable' of <target> in disk '%1$s' is for USB disks (bus='usb'), and this one is on bus '%2$s'"),
                        d->dst, vgmDiskBusTypeToString(d->bus));
            return FALSE;
        }
        /* QEMU's usb-storage is a SCSI disk behind USB: it needs its
         * medium when it is created and has no tray */
        if (d->bus == VGM_DISK_BUS_USB && (!vgmDiskHasMedium(d) || d->trayOpen)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        !vgmDiskHasMedium(d) ?
                        _("USB disk '%1$s' has no medium: QEMU's usb-storage device cannot be created empty (give the cdrom a <source>, or put it on bus 'sata', 'ide' or 'scsi')") :
                        _("USB disk '%1$s' has <target tray='open'>: QEMU's usb-storage device has no tray"),
                        d->dst);
            return FALSE;
        }
        /* libvirt's rule: virtio-blk's own properties */
        if ((d->ioeventfd || d->eventIdx) && d->bus != VGM_DISK_BUS_VIRTIO) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute '%1$s' of <driver> in disk '%2$s' is for virtio disks only"),
                        d->ioeventfd ? "ioeventfd" : "event_idx", d->dst);
            return FALSE;
        }
        /* native AIO works on files opened with O_DIRECT only (libvirt
         * refuses the rest when the domain is defined) */
        if (d->io == VGM_DISK_IO_NATIVE &&
            d->cache != VGM_DISK_CACHE_NONE && d->cache != VGM_DISK_CACHE_DIRECTSYNC) {
            if (d->cache == VGM_DISK_CACHE_DEFAULT)
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<driver io='native'> of disk '%1$s' needs cache='none' or cache='directsync', and it has no cache mode: QEMU's native Linux AIO works on O_DIRECT files only"),
                            d->dst);
            else
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<driver io='native'> of disk '%1$s' needs cache='none' or cache='directsync', not '%2$s': QEMU's native Linux AIO works on O_DIRECT files only"),
                            d->dst, vgmDiskCacheTypeToString(d->cache));
            return FALSE;
        }
    }
    if (devs->iommu && !vgmRuleIommu(def, devs->iommu, error))
        return FALSE;
    if (!vgmRuleBootOrders(def, error) || !vgmRuleFilesystems(def, error) ||
        !vgmRuleSerialAddresses(def, error))
        return FALSE;
    if (devs->tpm && devs->tpm->model == VGM_TPM_MODEL_CRB && !devs->tpm->externalPath &&
        devs->tpm->version != VGM_TPM_VERSION_2_0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<tpm model='tpm-crb'> is a TPM 2.0 interface, and the backend asks for version '%1$s'"),
                    vgmTpmVersionTypeToString(devs->tpm->version));
        return FALSE;
    }
    /* swtpm_setup reconfigures the banks of a TPM 2.0 only (libvirt
     * leaves a TPM 1.2's list unapplied) */
    if (devs->tpm && devs->tpm->pcrBanks && devs->tpm->version == VGM_TPM_VERSION_1_2) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<active_pcr_banks> of <tpm>: a TPM 1.2 has no PCR banks to choose, only a TPM 2.0 (version='2.0')"));
        return FALSE;
    }
    return vgmRuleControllerIndexes(def, error) && vgmRuleDiskAddresses(def, error) &&
           vgmRuleChannels(def, error) && vgmRuleVideos(def, error);
}

/* An input's bus must exist: PS/2 only on x86 (its i8042), USB on a USB
 * controller with a free root port (no hubs), one input a port. */
/* Audio backends have distinct ids, and a <sound> or <graphics> names an
 * existing one. */
static gboolean
vgmRuleAudio(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autoptr(GHashTable) ids = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < devs->audios->len; i++) {
        const VgmAudioDef *a = g_ptr_array_index(devs->audios, i);
        /* QEMU's dbus audio plays to its D-Bus display */
        if (g_str_equal(a->type, "dbus")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <audio id='%1$u' type='dbus'>: it plays to a D-Bus display (<graphics type='dbus'>), which virt-gmem does not run"),
                        a->id);
            return FALSE;
        }
        if (!g_hash_table_add(ids, GUINT_TO_POINTER(a->id))) {
            vgmErrorSet(error, VGM_ERR_XML, _("two <audio> elements have id %1$u"), a->id);
            return FALSE;
        }
    }
    for (i = 0; i < devs->sounds->len + devs->graphics->len; i++) {
        unsigned int id = i < devs->sounds->len ?
            ((const VgmSoundDef *)g_ptr_array_index(devs->sounds, i))->audioId :
            ((const VgmGraphicsDef *)g_ptr_array_index(devs->graphics, i - devs->sounds->len))->audioId;

        if (id && !g_hash_table_contains(ids, GUINT_TO_POINTER(id))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s> plays to <audio id='%2$u'>, which the domain does not have"),
                        i < devs->sounds->len ? "sound" : "graphics", id);
            return FALSE;
        }
    }
    if (devs->sounds->len > 0 && devs->audios->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML, _("a <sound> device needs an <audio> backend"));
        return FALSE;
    }
    return TRUE;
}

/* <hyperv>: a spinlock retry count of at least 0xfff and a vendor id of
 * 1 to 12 characters when they are on (libvirt's bounds; QEMU's
 * hv-vendor-id is 12 bytes); x86 only. */
static gboolean
vgmRuleHyperv(const VgmDomainDef *def, GError **error)
{
    const VgmFeatures *f = &def->features;
    gboolean x86 = g_str_equal(def->os.arch, "x86_64") || g_str_equal(def->os.arch, "i686");

    if (!f->hypervMode)
        return TRUE;
    if (!x86) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<hyperv> in <features> is for x86 guests, not '%1$s'"), def->os.arch);
        return FALSE;
    }
    if (f->hyperv[VGM_HYPERV_SPINLOCKS] == VGM_TRISTATE_YES && f->hvSpinlockRetries < 4095) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<spinlocks state='on'> in <hyperv> needs a 'retries' count of at least 4095, not %1$u"),
                    f->hvSpinlockRetries);
        return FALSE;
    }
    if (f->hyperv[VGM_HYPERV_VENDOR_ID] == VGM_TRISTATE_YES &&
        (!f->hvVendorId || !*f->hvVendorId || strlen(f->hvVendorId) > 12)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<vendor_id state='on'> in <hyperv> needs a 'value' of 1 to 12 characters"));
        return FALSE;
    }
    return TRUE;
}

/* A USB device (@what names it) at @addr: on a USB controller that is
 * there, on a port of it or of a hub on it, alone there; a @hub's ports
 * are then there for the devices after it (@set: the ports so far) */
static gboolean
vgmRuleUsbDevicePort(const VgmDomainDef *def, const char *what, const VgmDeviceAddress *addr,
                     VgmUsbPortSet *set, gboolean hub, GError **error)
{
    const VgmControllerDef *ctrl = vgmDomainDefFindUsbController(def, addr->bus);

    /* (a missing controller is the port set's to name) */
    if (!addr->port[0] && vgmUsbPortSetHasBus(set, addr->bus)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("%1$s finds no free port on USB controller %2$u (model '%3$s', root ports: %4$u) nor on the hubs there (at most %5$u deep)"),
                    what, addr->bus, ctrl->model, vgmDomainUsbControllerPorts(ctrl),
                    VGM_USB_MAX_DEPTH - 1);
        return FALSE;
    }
    return hub ? vgmUsbPortSetAddHub(set, what, addr, error) :
                 vgmUsbPortSetReserve(set, what, addr, error);
}

/* Smartcards: each in slot 0 (a USB CCID reader has one) of a reader
 * of its own, and a passthrough card's channel one QEMU can carry the
 * card protocol over */
static gboolean
vgmRuleSmartcards(const VgmDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) readers = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint i;

    for (i = 0; i < def->devices.smartcards->len; i++) {
        VgmSmartcardDef *sc = g_ptr_array_index(def->devices.smartcards, i);
        const VgmDeviceAddress *addr = vgmSmartcardAddress(sc);

        if (addr->slot != 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<smartcard> in slot %1$u of CCID reader %2$u: a USB CCID reader has one slot, 0"),
                        addr->slot, addr->controller);
            return FALSE;
        }
        if (!g_hash_table_add(readers, GUINT_TO_POINTER(addr->controller))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("two <smartcard> devices are in CCID reader %1$u, which has one slot"),
                        addr->controller);
            return FALSE;
        }
        if (sc->chr && sc->chr->type != VGM_CHR_TYPE_SPICEVMC && sc->chr->type != VGM_CHR_TYPE_TCP &&
            sc->chr->type != VGM_CHR_TYPE_UNIX) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <smartcard mode='passthrough' type='%1$s'>: the card comes over 'spicevmc', 'tcp' or 'unix'"),
                        vgmChrTypeToString(sc->chr->type));
            return FALSE;
        }
    }
    return TRUE;
}

/* USB inputs and redirections on their ports; PS/2 on x86 only */
static gboolean
vgmRuleUsbDevices(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autoptr(VgmUsbPortSet) set = vgmUsbPortSetNew(def);
    gboolean x86 = g_str_equal(def->os.arch, "x86_64") || g_str_equal(def->os.arch, "i686");
    guint i;

    /* hubs first, as libvirt adds their ports before it takes others */
    for (i = 0; i < devs->hubs->len; i++) {
        const VgmHubDef *hub = g_ptr_array_index(devs->hubs, i);

        if (!vgmRuleUsbDevicePort(def, "<hub type='usb'>", &hub->addr, set, TRUE, error))
            return FALSE;
    }

    for (i = 0; i < devs->inputs->len; i++) {
        const VgmInputDef *in = g_ptr_array_index(devs->inputs, i);
        const char *type = vgmInputTypeToString(in->type);
        g_autofree char *what = NULL;

        if (in->bus == VGM_INPUT_BUS_PS2 && !x86) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<input type='%1$s' bus='ps2'> needs an x86 guest, and this one is '%2$s'"),
                        type, def->os.arch);
            return FALSE;
        }
        if (in->bus != VGM_INPUT_BUS_USB)
            continue;
        what = g_strdup_printf("<input type='%s' bus='usb'>", type);
        if (!vgmRuleUsbDevicePort(def, what, &in->addr, set, FALSE, error))
            return FALSE;
    }
    for (i = 0; i < devs->serials->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(devs->serials, i);
        gboolean usb = g_strcmp0(chr->targetType, "usb-serial") == 0;

        if (!usb && chr->addr.type == VGM_ADDRESS_USB) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<serial> port %1$u has a USB <address>, but its target is '%2$s', not 'usb-serial'"),
                        chr->port, chr->targetType ? chr->targetType : "isa-serial");
            return FALSE;
        }
        if (usb && !vgmRuleUsbDevicePort(def, "<serial><target type='usb-serial'/>", &chr->addr,
                                         set, FALSE, error))
            return FALSE;
    }
    for (i = 0; i < devs->sounds->len; i++) {
        const VgmSoundDef *snd = g_ptr_array_index(devs->sounds, i);

        if (snd->model == VGM_SOUND_USB &&
            !vgmRuleUsbDevicePort(def, "<sound model='usb'>", &snd->addr, set, FALSE, error))
            return FALSE;
    }
    for (i = 0; i < devs->redirdevs->len; i++) {
        const VgmChrDef *rd = g_ptr_array_index(devs->redirdevs, i);
        g_autofree char *what = g_strdup_printf("<redirdev bus='usb' type='%s'>",
                                                vgmChrTypeToString(rd->type));

        if (!vgmRuleUsbDevicePort(def, what, &rd->addr, set, FALSE, error))
            return FALSE;
    }
    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(devs->disks, i);
        g_autofree char *what = NULL;

        if (d->bus != VGM_DISK_BUS_USB)
            continue;
        what = g_strdup_printf("disk '%s' on bus 'usb'", d->dst);
        if (d->addr.type == VGM_ADDRESS_USB &&
            !vgmRuleUsbDevicePort(def, what, &d->addr, set, FALSE, error))
            return FALSE;
    }
    /* smartcard readers (ccid controllers) are USB devices */
    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        g_autofree char *what = NULL;

        if (!g_str_equal(c->type, "ccid"))
            continue;
        what = g_strdup_printf("<controller type='ccid' index='%u'>", c->index);
        if (c->addr.type != VGM_ADDRESS_USB) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s is a USB smartcard reader: it takes a USB <address>, not type '%2$s'"),
                        what, vgmAddressTypeToString(c->addr.type));
            return FALSE;
        }
        if (!vgmRuleUsbDevicePort(def, what, &c->addr, set, FALSE, error))
            return FALSE;
    }
    return vgmRuleSmartcards(def, error);
}

/* VNC's password authentication keys DES with the password's first 8
 * bytes: a longer one would let in any password that starts the same,
 * so it is refused, as libvirt refuses it */
#define VGM_VNC_PASSWORD_MAX 8

static gboolean
vgmRuleGraphicsPasswords(const VgmDomainDef *def, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.graphics->len; i++) {
        const VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);

        if (g->type == VGM_GRAPHICS_VNC && g->passwd && strlen(g->passwd) > VGM_VNC_PASSWORD_MAX) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("passwd of <graphics type='vnc'> has %1$zu bytes: VNC's password authentication uses at most %2$d (the rest would not be checked)"),
                        strlen(g->passwd), VGM_VNC_PASSWORD_MAX);
            return FALSE;
        }
    }
    return TRUE;
}

/* SPICE: one display server, and the devices that talk through it (its
 * agent channel, USB redirection, its audio backend) only with it */
static gboolean
vgmRuleSpice(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    const struct {
        GPtrArray *list;
        const char *elem;
    } lists[] = {
        { devs->channels, "channel" }, { devs->redirdevs, "redirdev" },
        { devs->serials, "serial" }, { devs->parallels, "parallel" },
        { devs->consoles, "console" },
    };
    guint nspice = 0;
    guint i;
    size_t k;

    for (i = 0; i < devs->graphics->len; i++) {
        const VgmGraphicsDef *g = g_ptr_array_index(devs->graphics, i);
        nspice += g->type == VGM_GRAPHICS_SPICE;
    }
    if (nspice > 1) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the domain has %1$u <graphics type='spice'>: QEMU runs one SPICE server"),
                    nspice);
        return FALSE;
    }
    if (nspice)
        return TRUE;
    for (k = 0; k < G_N_ELEMENTS(lists); k++) {
        for (i = 0; i < lists[k].list->len; i++) {
            const VgmChrDef *chr = g_ptr_array_index(lists[k].list, i);

            if (chr->type != VGM_CHR_TYPE_SPICEVMC && chr->type != VGM_CHR_TYPE_SPICEPORT)
                continue;
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s type='%2$s'> needs <graphics type='spice'>: its other end is the SPICE client"),
                        lists[k].elem, vgmChrTypeToString(chr->type));
            return FALSE;
        }
    }
    for (i = 0; i < devs->smartcards->len; i++) {
        const VgmSmartcardDef *sc = g_ptr_array_index(devs->smartcards, i);

        if (sc->chr && sc->chr->type == VGM_CHR_TYPE_SPICEVMC) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<smartcard type='spicevmc'> needs <graphics type='spice'>: its other end is the SPICE client"));
            return FALSE;
        }
    }
    for (i = 0; i < devs->audios->len; i++) {
        const VgmAudioDef *a = g_ptr_array_index(devs->audios, i);

        if (g_str_equal(a->type, "spice")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<audio id='%1$u' type='spice'> needs <graphics type='spice'>: it plays to the SPICE client"),
                        a->id);
            return FALSE;
        }
    }
    return TRUE;
}

/* The lifecycle actions the driver carries out: a power-off ends the
 * domain (destroy) or restarts the guest in the same QEMU (restart: QEMU
 * waits, and the daemon, or the next look at the domain, resets it and
 * lets it run, as for a reboot); a reboot restarts the guest in place or,
 * with destroy, ends it (-no-reboot). libvirt's other power-off and
 * reboot actions (preserve, rename-restart, coredump-*) are refused
 * rather than read and not done. A crash is only seen through a <panic> device: with one, the
 * driver destroys the guest (QEMU ends, as at a power-off) or preserves
 * it (QEMU pauses it); restart and the core dumps need a manager too and
 * are refused. Without one, <on_crash> is kept whatever it says, as
 * libvirt would never act on it either, but for rename-restart, which
 * libvirt refuses there too. */
static gboolean
vgmRuleLifecycle(const VgmDomainDef *def, GError **error)
{
    static const struct {
        unsigned int allowed;   /* bits of VgmDomainLifecycleAction */
        const char *what;
    } actions[VGM_DOMAIN_LIFECYCLE_EVENT_LAST] = {
        [VGM_DOMAIN_LIFECYCLE_EVENT_POWEROFF] = {
            1u << VGM_DOMAIN_LIFECYCLE_DESTROY | 1u << VGM_DOMAIN_LIFECYCLE_RESTART,
            N_("destroy or restart") },
        [VGM_DOMAIN_LIFECYCLE_EVENT_REBOOT] = {
            1u << VGM_DOMAIN_LIFECYCLE_DESTROY | 1u << VGM_DOMAIN_LIFECYCLE_RESTART,
            N_("restart or destroy") },
        [VGM_DOMAIN_LIFECYCLE_EVENT_CRASH] = {
            1u << VGM_DOMAIN_LIFECYCLE_DESTROY | 1u << VGM_DOMAIN_LIFECYCLE_PRESERVE,
            N_("destroy or preserve with a <panic> device") },
    };
    guint e;

    for (e = 0; e < VGM_DOMAIN_LIFECYCLE_EVENT_LAST; e++) {
        VgmDomainLifecycleAction a = *vgmDomainLifecycleField((VgmDomainDef *)def, e);

        if (a == VGM_DOMAIN_LIFECYCLE_DEFAULT || (actions[e].allowed & (1u << a)))
            continue;
        /* (rename-restart libvirt's QEMU driver refuses for every event) */
        if (e == VGM_DOMAIN_LIFECYCLE_EVENT_CRASH && def->devices.panics->len == 0 &&
            a != VGM_DOMAIN_LIFECYCLE_RESTART_RENAME)
            continue;
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <%1$s>%2$s</%1$s>: this driver does %3$s"),
                    vgmDomainLifecycleElement(e), vgmDomainLifecycleActionTypeToString(a),
                    _(actions[e].what));
        return FALSE;
    }
    /* a reboot that ends the domain is, to QEMU, a power-off, which
     * <on_poweroff>restart would restart: libvirt refuses the pair */
    if (def->onPoweroff == VGM_DOMAIN_LIFECYCLE_RESTART &&
        def->onReboot == VGM_DOMAIN_LIFECYCLE_DESTROY) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("unsupported <on_reboot>destroy</on_reboot> with <on_poweroff>restart</on_poweroff>: a reboot that ends the domain is a power-off, which would restart it"));
        return FALSE;
    }
    return TRUE;
}

/* The firmware rules libvirt keeps: with <os firmware> the firmware is
 * chosen from the descriptors, so the <loader> may only ask for features
 * of it (not name a file, a type, read-only or an insecure one); without
 * it, the <loader> must name its file and <firmware><feature> has
 * nothing to choose from; a stateless loader has no varstore, and only
 * a UEFI pflash loader has one */
static gboolean
vgmRuleOsFirmware(const VgmOsDef *os, GError **error)
{
    const char *what = NULL;

    if (os->firmware) {
        if (os->loader)
            what = _("a <loader> path");
        else if (os->loaderReadonly)
            what = _("<loader readonly>");
        else if (os->loaderType)
            what = _("<loader type>");
        else if (os->nvramTemplate)
            what = _("<nvram template>");
        else if (os->loaderSecure == VGM_TRISTATE_NO)
            what = _("<loader secure='no'>");
        if (what) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("%1$s cannot be given with <os firmware='%2$s'>: the firmware is chosen from its descriptors (ask for features in <firmware><feature>)"),
                        what, vgmOsFirmwareTypeToString(os->firmware));
            return FALSE;
        }
        if ((os->nvram || os->nvramNet) && os->firmware != VGM_OS_FIRMWARE_EFI) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<nvram> cannot be given with <os firmware='%1$s'>: only UEFI firmware has a varstore"),
                        vgmOsFirmwareTypeToString(os->firmware));
            return FALSE;
        }
    } else {
        if (os->nfwFeatures > 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<firmware><feature> in <os> asks the firmware autoselection for a feature: it needs <os firmware='efi'> or <os firmware='bios'>"));
            return FALSE;
        }
        if (!os->loader && (os->loaderReadonly || os->loaderType || os->loaderSecure ||
                            os->loaderStateless || os->nvramTemplate)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<loader> in <os> names no firmware file, and without <os firmware> none is chosen"));
            return FALSE;
        }
    }
    if (os->loaderStateless == VGM_TRISTATE_YES &&
        (os->nvram || os->nvramNet || os->nvramTemplate)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<nvram%1$s> cannot be given with <loader stateless='yes'>: a stateless firmware has no varstore"),
                    os->nvram || os->nvramNet ? "" : " template");
        return FALSE;
    }
    if (os->loaderStateless == VGM_TRISTATE_NO) {
        if (!os->firmware && os->loaderType != VGM_LOADER_TYPE_PFLASH) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<loader stateless='no'> needs <loader type='pflash'>: only a pflash firmware has a varstore"));
            return FALSE;
        }
        if (os->firmware && os->firmware != VGM_OS_FIRMWARE_EFI) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<loader stateless='no'> cannot be given with <os firmware='%1$s'>: only UEFI firmware has a varstore"),
                        vgmOsFirmwareTypeToString(os->firmware));
            return FALSE;
        }
    }
    return TRUE;
}

/* A cgroup partition: an absolute path of plain names, as libvirt's
 * cgroup code needs it */
static gboolean
vgmRuleResource(const VgmDomainDef *def, GError **error)
{
    const char *p = def->resourcePartition;
    g_auto(GStrv) parts = NULL;
    size_t i;

    if (!p)
        return TRUE;
    parts = g_strsplit(p, "/", -1);
    for (i = 1; parts[i]; i++) {
        if (!*parts[i] || g_str_equal(parts[i], ".") || g_str_equal(parts[i], ".."))
            break;
    }
    if (*p != '/' || i == 1 || parts[i]) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid <partition> '%1$s' in <resource>: a partition is an absolute path of names, such as '/machine'"),
                    p);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmRuleOs(const VgmDomainDef *def, GError **error)
{
    /* (libvirt refuses it at define: x86 UEFI firmware finds its tables
     * through ACPI) */
    if ((def->os.firmware == VGM_OS_FIRMWARE_EFI || def->os.loaderType == VGM_LOADER_TYPE_PFLASH) &&
        !def->features.features[VGM_FEATURE_ACPI]) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("UEFI firmware needs <features><acpi/></features> on x86"));
        return FALSE;
    }
    /* (QEMU takes -dtb without -kernel and does nothing with it) */
    if ((def->os.initrd || def->os.cmdline || def->os.dtb) && !def->os.kernel) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<initrd>, <cmdline> and <dtb> in <os> need a <kernel>"));
        return FALSE;
    }
    /* only SMM code may write a secure-boot varstore (libvirt's rule) */
    if (def->os.loader && def->os.loaderSecure == VGM_TRISTATE_YES &&
        def->features.features[VGM_FEATURE_SMM] != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<loader secure='yes'> needs <smm state='on'/> in <features>"));
        return FALSE;
    }
    if ((def->os.nvram || def->os.nvramNet) && !def->os.loader &&
        def->os.firmware != VGM_OS_FIRMWARE_EFI) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<nvram> in <os> needs a <loader> or firmware='efi'"));
        return FALSE;
    }
    /* the firmware writes to the first serial port (libvirt's rule) */
    if (def->os.biosUseserial == VGM_TRISTATE_YES && def->devices.serials->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<bios useserial='yes'> in <os> needs a <serial> port for the firmware's output"));
        return FALSE;
    }
    return vgmRuleOsFirmware(&def->os, error);
}

/* QEMU's range of ACPI indexes */
#define VGM_ACPI_INDEX_MAX 16383

static gboolean
vgmRuleAcpiIndexOne(const char *element, guint nth, const VgmDeviceAddress *addr,
                    gpointer opaque, GError **error)
{
    GHashTable *seen = opaque;

    if (addr->acpiIndex > VGM_ACPI_INDEX_MAX) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<acpi index='%1$u'> of <%2$s> number %3$u: an ACPI index must be 1 to %4$u"),
                    addr->acpiIndex, element, nth + 1, VGM_ACPI_INDEX_MAX);
        return FALSE;
    }
    if (!g_hash_table_add(seen, GUINT_TO_POINTER(addr->acpiIndex))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<acpi index='%1$u'> of <%2$s> number %3$u: another device has that index"),
                    addr->acpiIndex, element, nth + 1);
        return FALSE;
    }
    return TRUE;
}

/* <acpi index>: in QEMU's range, and each index on one device only (the
 * guest names its device by it; QEMU refuses a second) */
static gboolean
vgmRuleAcpiIndex(const VgmDomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

    return vgmDomainDefForEachAcpiIndex(def, vgmRuleAcpiIndexOne, seen, error);
}

/* I/O threads: each pool's maximum above 0 and not below its minimum;
 * what names a thread names one the domain has, on a device with a
 * virtio queue to give it (virtio disks, the virtio-scsi controller,
 * which the parser alone lets name one) */
static gboolean
vgmRuleIOThreadPool(const char *what, int min, int max, GError **error)
{
    if (max == 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("thread_pool_max of %1$s must be above 0"), what);
        return FALSE;
    }
    if (max >= 0 && min > max) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("thread_pool_min of %1$s (%2$d) must not be above its thread_pool_max (%3$d)"),
                    what, min, max);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmRuleIOThreads(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);
        g_autofree char *what = g_strdup_printf("<iothread id='%u'>", t->id);

        if (!vgmRuleIOThreadPool(what, t->poolMin, t->poolMax, error))
            return FALSE;
    }
    if (def->hasDefaultIOThread &&
        !vgmRuleIOThreadPool("<defaultiothread>", def->defaultPoolMin, def->defaultPoolMax, error))
        return FALSE;
    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(devs->disks, i);

        if (!d->iothread)
            continue;
        if (d->bus != VGM_DISK_BUS_VIRTIO) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<driver iothread='%1$u'> of disk '%2$s': only a virtio disk runs in an I/O thread, not one on bus '%3$s'"),
                        d->iothread, d->dst, vgmDiskBusTypeToString(d->bus));
            return FALSE;
        }
        if (!vgmDomainIOThreadFind(def, d->iothread)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<driver iothread='%1$u'> of disk '%2$s': the domain has no such I/O thread"),
                        d->iothread, d->dst);
            return FALSE;
        }
    }
    for (i = 0; i < devs->controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);

        if (c->iothread && !vgmDomainIOThreadFind(def, c->iothread)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<driver iothread='%1$u'> of <controller type='%2$s' index='%3$u'>: the domain has no such I/O thread"),
                        c->iothread, c->type, c->index);
            return FALSE;
        }
    }
    return TRUE;
}

/* The device lists whose elements have an alias buffer, and where */
static const struct {
    const char *element;
    size_t list;                /* GPtrArray * in VgmDevicesDef */
    size_t alias;               /* char[VGM_DEVICE_ALIAS_MAX] in the element */
} vgmRuleAliasLists[] = {
#define VGM_RULE_ALIAS_LIST(element, member, type) \
    { element, G_STRUCT_OFFSET(VgmDevicesDef, member), G_STRUCT_OFFSET(type, alias) }
    VGM_RULE_ALIAS_LIST("disk", disks, VgmDiskDef),
    VGM_RULE_ALIAS_LIST("controller", controllers, VgmControllerDef),
    VGM_RULE_ALIAS_LIST("serial", serials, VgmChrDef),
    VGM_RULE_ALIAS_LIST("parallel", parallels, VgmChrDef),
    VGM_RULE_ALIAS_LIST("console", consoles, VgmChrDef),
    VGM_RULE_ALIAS_LIST("channel", channels, VgmChrDef),
    VGM_RULE_ALIAS_LIST("redirdev", redirdevs, VgmChrDef),
    VGM_RULE_ALIAS_LIST("input", inputs, VgmInputDef),
    VGM_RULE_ALIAS_LIST("sound", sounds, VgmSoundDef),
    VGM_RULE_ALIAS_LIST("video", videos, VgmVideoDef),
    VGM_RULE_ALIAS_LIST("rng", rngs, VgmRngDef),
    VGM_RULE_ALIAS_LIST("shmem", shmems, VgmShmemDef),
    VGM_RULE_ALIAS_LIST("filesystem", fss, VgmFsDef),
    VGM_RULE_ALIAS_LIST("hub", hubs, VgmHubDef),
#undef VGM_RULE_ALIAS_LIST
};

static gboolean
vgmRuleAliasAdd(GHashTable *seen, const char *alias, const char *element, GError **error)
{
    if (!alias || !g_str_has_prefix(alias, VGM_DEVICE_USER_ALIAS_PREFIX))
        return TRUE;
    if (!g_hash_table_add(seen, (gpointer)alias)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("user alias '%1$s' of <%2$s> is not unique: another device of the domain has it"),
                    alias, element);
        return FALSE;
    }
    return TRUE;
}

/* libvirt's rule: no two devices have the same user alias, which is
 * their QEMU id */
static gboolean
vgmRuleAliases(const VgmDomainDef *def, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    const struct {
        const char *element;
        const char *alias;
    } singles[] = {
        { "memballoon", devs->memballoon ? devs->memballoon->alias : NULL },
        { "watchdog", devs->watchdog ? devs->watchdog->alias : NULL },
        { "tpm", devs->tpm ? devs->tpm->alias : NULL },
        { "iommu", devs->iommu ? devs->iommu->alias : NULL },
        { "vsock", devs->vsock ? devs->vsock->alias : NULL },
    };
    size_t k;
    guint i;

    for (k = 0; k < G_N_ELEMENTS(vgmRuleAliasLists); k++) {
        GPtrArray *list = G_STRUCT_MEMBER(GPtrArray *, devs, vgmRuleAliasLists[k].list);

        for (i = 0; i < list->len; i++) {
            const char *alias = G_STRUCT_MEMBER_P(g_ptr_array_index(list, i),
                                                  vgmRuleAliasLists[k].alias);

            /* (a serial console is its serial port, and names it) */
            if (g_str_equal(vgmRuleAliasLists[k].element, "console") && i < devs->serials->len &&
                g_strcmp0(((const VgmChrDef *)g_ptr_array_index(devs->consoles, i))->targetType,
                          "virtio") != 0)
                continue;
            if (!vgmRuleAliasAdd(seen, alias, vgmRuleAliasLists[k].element, error))
                return FALSE;
        }
    }
    for (i = 0; i < devs->smartcards->len; i++) {
        const VgmSmartcardDef *sc = g_ptr_array_index(devs->smartcards, i);

        if (!vgmRuleAliasAdd(seen, sc->chr ? sc->chr->alias : sc->alias, "smartcard", error))
            return FALSE;
    }
    for (i = 0; i < devs->nets->len; i++) {
        if (!vgmRuleAliasAdd(seen, ((const VgmNetDef *)g_ptr_array_index(devs->nets, i))->alias,
                             "interface", error))
            return FALSE;
    }
    for (i = 0; i < devs->mems->len; i++) {
        if (!vgmRuleAliasAdd(seen, ((const VgmMemoryDef *)g_ptr_array_index(devs->mems, i))->alias,
                             "memory", error))
            return FALSE;
    }
    for (k = 0; k < G_N_ELEMENTS(singles); k++) {
        if (!vgmRuleAliasAdd(seen, singles[k].alias, singles[k].element, error))
            return FALSE;
    }
    return TRUE;
}

static const struct {
    const char *id;
    VgmDomainRuleFunc check;
} vgmDomainRules[] = {
    /* first: what every other rule may rely on */
    { "limits", vgmRuleLimits },
    /* the guest_memfd extension (specification section 2, rules 1-8) */
    { "inplace-launch-type", vgmRuleInPlaceType },          /* rule 1 */
    { "inplace-memory-source", vgmRuleInPlaceSource },      /* rule 2 */
    { "gmem-private-access", vgmRuleGmemPrivate },          /* rule 3 */
    { "gmem-needs-inplace", vgmRuleGmemConfidential },      /* rule 4 */
    { "gmem-needs-kvm", vgmRuleGmemKvm },                   /* rule 5 */
    { "liveupdate-memory", vgmRuleLiveUpdateMemory },       /* rule 6 */
    { "liveupdate-confidential", vgmRuleLiveUpdateConfidential }, /* rule 7 */
    { "inplace-pmem", vgmRuleInPlacePmem },                 /* rule 8 */
    /* libvirt's generic checks */
    { "max-memory", vgmRuleMaxMemory },
    { "memory-total", vgmRuleMemoryTotal },
    { "vcpus", vgmRuleVcpus },
    { "numa-cells", vgmRuleNumaCells },
    { "numatune", vgmRuleNumatune },
    { "resource", vgmRuleResource },
    { "cpu-cache-physaddr", vgmRuleCpuCachePhys },
    { "hugepages", vgmRuleHugepages },
    { "iothreads", vgmRuleIOThreads },
    { "acpi-index", vgmRuleAcpiIndex },
    { "memory-devices", vgmRuleMemoryDevices },
    { "max-memory-numa", vgmRuleMaxMemoryNuma },
    { "devices", vgmRuleDevices },
    { "aliases", vgmRuleAliases },
    { "usb-devices", vgmRuleUsbDevices },
    { "spice", vgmRuleSpice },
    { "graphics-passwords", vgmRuleGraphicsPasswords },
    { "tcg-features", vgmRuleTcgFeatures },
    { "os", vgmRuleOs },
    { "lifecycle", vgmRuleLifecycle },
    { "hyperv", vgmRuleHyperv },
    { "audio", vgmRuleAudio },
    { "shmem", vgmRuleShmems },
    { "fw-cfg", vgmRuleFwCfgNames },
};

gboolean
vgmDomainDefValidateLimits(const VgmDomainDef *def, GError **error)
{
    return vgmRuleLimits(def, error);
}

gboolean
vgmDomainDefValidate(const VgmDomainDef *def, GError **error)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDomainRules); i++) {
        if (!vgmDomainRules[i].check(def, error))
            return FALSE;
    }
    return TRUE;
}
