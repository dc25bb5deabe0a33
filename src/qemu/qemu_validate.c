/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_validate.c: what a domain asks of the QEMU binary.
 *
 * Rules 9 to 12 of the specification: a guest_memfd spelling for what the
 * domain needs (and which one: the first the binary offers, in the order
 * the specification gives), hugetlb guest_memfd only where QEMU has a
 * spelling for it, live update's machine property and fd-keeping
 * backends, and libvirt's own QEMU checks for the subset (memfd and
 * hugepages, launch security objects, TDX's constraints, machine types,
 * memory device models, controller models, input devices, <pm>, vmcoreinfo,
 * io_uring, the SMBIOS source). Every message names the missing capability.
 */
#include "config.h"

#include <string.h>

#include "qemu_validate.h"
#include "qemu_command.h"
#include "qemu_plan.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

static const char *
vgmQemuValidateSetName(const VgmQemuCaps *caps)
{
    return vgmQemuCapsGetName(caps) ? vgmQemuCapsGetName(caps) : "?";
}

unsigned long long
vgmQemuHugepageForNode(const VgmDomainDef *def, int cell)
{
    const VgmDomainMemoryBacking *mb = &def->mb;
    unsigned long long master = 0;
    gboolean haveMaster = FALSE;
    size_t i;

    if (!mb->hasHugepages)
        return 0;
    /* main RAM of a domain without NUMA cells is node 0's */
    if (cell < 0 && vgmDomainDefNumaCells(def) == 0)
        cell = 0;
    for (i = 0; i < mb->nhugepages; i++) {
        const VgmDomainHugePage *hp = &mb->hugepages[i];
        if (!hp->nodemask) {
            master = hp->size;
            haveMaster = TRUE;
        } else if (cell >= 0 && vgmBitmapIsSet(hp->nodemask, cell)) {
            return hp->size;
        }
    }
    if (haveMaster)
        return master;
    /* <hugepages/> with no <page>: the host's default size */
    if (mb->nhugepages == 0)
        return 2048;
    return 0;
}

/* Whether guest RAM uses hugepages anywhere (the size of a 4 KiB "huge"
 * page means none, as in libvirt). */
static gboolean
vgmQemuDomainHugepages(const VgmDomainDef *def, unsigned long long *sizeOut,
                       gboolean *mixed)
{
    size_t ncells = vgmDomainDefNumaCells(def);
    unsigned long long first = 0;
    gboolean any = FALSE;
    size_t i;

    *mixed = FALSE;
    for (i = 0; i < MAX(ncells, 1); i++) {
        unsigned long long sz = vgmQemuHugepageForNode(def, ncells ? (int)i : -1);
        if (sz == 4)
            sz = 0;
        if (i == 0)
            first = sz;
        else if (sz != first)
            *mixed = TRUE;
        any |= sz != 0;
    }
    *sizeOut = first;
    return any;
}

static gboolean
vgmQemuGmemBackendSpelling(const VgmQemuCaps *caps, gboolean needCpr,
                           VgmQemuGmemSpelling *spelling)
{
    if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD) &&
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD)) {
        *spelling = VGM_QEMU_GMEM_MEMFD_PROP;
        return TRUE;
    }
    /* memory-backend-guest-memfd (vendor branches) has no CPR support:
     * live update needs a memfd-based backend that hands its fd over */
    if (!needCpr && vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD)) {
        *spelling = VGM_QEMU_GMEM_BACKEND;
        return TRUE;
    }
    if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD) &&
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD)) {
        *spelling = VGM_QEMU_GMEM_MEMFD_XPROP;
        return TRUE;
    }
    return FALSE;
}

gboolean
vgmQemuChooseGuestMemfd(const VgmDomainDef *def, const VgmQemuCaps *caps,
                        VgmQemuGmemChoice *choice, GError **error)
{
    gboolean needCpr = def->mb.liveUpdate;
    unsigned long long pageKiB = 0;
    gboolean mixed = FALSE;
    gboolean huge;
    VgmQemuGmemSpelling spelling = VGM_QEMU_GMEM_NONE;

    memset(choice, 0, sizeof(*choice));
    if (!vgmDomainDefUsesGuestMemfd(def))
        return TRUE;
    huge = vgmQemuDomainHugepages(def, &pageKiB, &mixed);

    if (!vgmDomainDefInPlaceConversion(def)) {
        /* rule 10: no QEMU spelling for hugetlb init-shared guest_memfd */
        if (huge) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary cannot back guest_memfd with hugepages for <source type='guestmemfd'>: hugetlb guest_memfd exists only with <launchSecurity inPlaceConversion='yes'> and the confidential-guest properties 'gmem-allocator' and 'gmem-page-size'"));
            return FALSE;
        }
        if (!vgmQemuGmemBackendSpelling(caps, needCpr, &spelling)) {
            if (needCpr && vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD))
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not support <liveUpdate/> with guest_memfd: its only guest_memfd backend, 'memory-backend-guest-memfd', does not keep its fd across CPR (needs memory-backend-memfd property 'guest-memfd' or 'x-guest-memfd')"));
            else
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not support guest_memfd memory backends (capability set '%1$s' has none of: memory-backend-memfd property 'guest-memfd', object 'memory-backend-guest-memfd', memory-backend-memfd property 'x-guest-memfd')"),
                            vgmQemuValidateSetName(caps));
            return FALSE;
        }
        choice->spelling = spelling;
        return TRUE;
    }

    /* in-place conversion on sev-snp or tdx: the first way that works */
    {
        gboolean snp = def->sec->type == VGM_LAUNCH_SECURITY_SEV_SNP;
        VgmQemuCapsFlag convert = snp ? VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE :
                                        VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE;
        const char *cgs = snp ? "sev-snp-guest" : "tdx-guest";
        gboolean machineKnob = vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION);
        g_autoptr(GError) convertErr = NULL;

        /* 1. convert-in-place on the confidential-guest object */
        if (vgmQemuCapsGet(caps, convert)) {
            if (!vgmQemuGmemBackendSpelling(caps, needCpr, &spelling)) {
                vgmErrorSet(&convertErr, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary has '%1$s' property 'convert-in-place' but no guest_memfd RAM backend to convert (needs memory-backend-memfd property 'guest-memfd', object 'memory-backend-guest-memfd'%2$s or memory-backend-memfd property 'x-guest-memfd')"),
                            cgs, needCpr ? _(" (which cannot do live update)") : "");
            } else if (huge && (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR) ||
                                !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE))) {
                vgmErrorSet(&convertErr, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary cannot back in-place guest_memfd with hugepages: '%1$s' lacks the properties 'gmem-allocator' and 'gmem-page-size'"),
                            cgs);
            } else if (huge && mixed) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("hugepages for in-place guest_memfd must be one size for all guest memory: QEMU sets 'gmem-page-size' once per VM on '%1$s'"),
                            cgs);
                return FALSE;
            } else {
                choice->spelling = spelling;
                choice->convertInPlace = TRUE;
                choice->hugetlb = huge;
                choice->pageKiB = huge ? pageKiB : 0;
                return TRUE;
            }
        }
        /* 2. the machine-wide knob; it has no hugetlb setting */
        if (machineKnob && !huge) {
            choice->spelling = VGM_QEMU_GMEM_MACHINE;
            return TRUE;
        }
        if (convertErr) {
            g_propagate_error(error, g_steal_pointer(&convertErr));
            return FALSE;
        }
        if (machineKnob) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary cannot back in-place guest_memfd with hugepages: it converts in place only through the machine property 'in-place-conversion', which has no hugetlb setting ('%1$s' lacks 'convert-in-place', 'gmem-allocator' and 'gmem-page-size')"),
                        cgs);
            return FALSE;
        }
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support in-place conversion for <launchSecurity type='%1$s'>: needs the '%2$s' property 'convert-in-place' or the machine property 'in-place-conversion'"),
                    vgmLaunchSecurityTypeToString(def->sec->type), cgs);
        return FALSE;
    }
}

/* ---- rule 11: live update ---- */

static gboolean
vgmQemuValidateLiveUpdate(const VgmDomainDef *def, const VgmQemuCaps *caps,
                          GError **error)
{
    if (!def->mb.liveUpdate)
        return TRUE;
    if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MACHINE_AUX_RAM_SHARE)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <liveUpdate/>: the machine property 'aux-ram-share' is missing"));
        return FALSE;
    }
    if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD) &&
        def->mb.source != VGM_DOMAIN_MEMORY_SOURCE_FILE) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <liveUpdate/>: guest RAM needs an fd-based backend and 'memory-backend-memfd' is missing"));
        return FALSE;
    }
    return TRUE;
}

/* ---- rule 12: libvirt's QEMU checks ---- */

/* A custom CPU model names one of the binary's (where the capability set
 * lists them): libvirt's own names for models QEMU lacks (cpu64-rhel5,
 * pentiumpro, Icelake-Client, ...), which libvirt translates into one of
 * QEMU's with features, and versioned or special names, which libvirt
 * does not know, are refused */
static gboolean
vgmQemuValidateCpuModel(const VgmQemuCaps *caps, const char *model, GError **error)
{
    g_autoptr(VgmQemuCapsHostCpu) tcg = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG);
    g_autoptr(VgmQemuCapsHostCpu) kvm = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_KVM);
    const VgmQemuCapsHostCpu *cpu = tcg ? tcg : kvm;
    guint i;

    if (!cpu)
        return TRUE;
    for (i = 0; i < cpu->models->len; i++) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(cpu->models, i);

        if (g_str_equal(m->name, model))
            return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("unsupported <cpu> model '%1$s': it is not one of this QEMU binary's CPU models (libvirt turns a few of its own names QEMU lacks into another model with features; virt-gmem does not)"),
                model);
    return FALSE;
}

gboolean
vgmQemuValidateMachineType(const VgmDomainDef *def, const VgmQemuCaps *caps,
                           GError **error)
{
    const char *arch = vgmQemuCapsGetArch(caps);
    const VgmQemuCapsMachine *m;

    if (arch && def->os.arch && !vgmQemuArchRuns(arch, def->os.arch)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary emulates '%1$s', but the domain's <type arch='%2$s'> asks for another architecture"),
                    arch, def->os.arch);
        return FALSE;
    }
    if (!(m = vgmQemuCapsGetMachine(caps, def->os.machine, error)))
        return FALSE;
    /* QEMU's limit of the machine type, which libvirt checks too */
    if (m->cpuMax > 0 && def->vcpus > m->cpuMax) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<vcpu> %1$u is more than machine type '%2$s' takes (%3$u)"),
                    def->vcpus, m->name, m->cpuMax);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmQemuValidateMachine(const VgmDomainDef *def, const VgmQemuCaps *caps,
                       GError **error)
{
    if (!vgmQemuValidateMachineType(def, caps, error))
        return FALSE;
    if (def->virtType == VGM_DOMAIN_VIRT_KVM && !vgmQemuCapsHasKVM(caps)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <domain type='kvm'>: it was built without KVM"));
        return FALSE;
    }
    if (def->cpu && def->cpu->clusters > 1 &&
        !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SMP_CLUSTERS)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <topology clusters='%1$u'>: its machine type refuses CPU clusters in -smp (capability 'smp.clusters')"),
                    def->cpu->clusters);
        return FALSE;
    }
    /* KVM's ring of dirty pages: an option of QEMU's KVM accelerator,
     * which libvirt writes for a KVM domain only */
    if (def->virtType != VGM_DOMAIN_VIRT_KVM &&
        def->features.kvm[VGM_KVM_DIRTY_RING] == VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<features><kvm><dirty-ring state='on'> needs <domain type='kvm'>: it is KVM's ring of the pages a vCPU dirtied"));
        return FALSE;
    }
    /* (a minimum model only asks the host for its features, where
     * checked, and the host's model is the guest's) */
    if (def->cpu && def->cpu->mode == VGM_CPU_MODE_CUSTOM && def->cpu->model &&
        def->cpu->match != VGM_CPU_MATCH_MINIMUM &&
        !vgmQemuValidateCpuModel(caps, def->cpu->model, error))
        return FALSE;
    if (def->virtType == VGM_DOMAIN_VIRT_QEMU && def->cpu &&
        def->cpu->mode == VGM_CPU_MODE_HOST_PASSTHROUGH) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<cpu mode='host-passthrough'> needs <domain type='kvm'>; use mode='maximum' for an emulated guest"));
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmQemuValidateMemory(const VgmDomainDef *def, const VgmQemuCaps *caps,
                      GError **error)
{
    const VgmDomainMemoryBacking *mb = &def->mb;
    size_t ncells = vgmDomainDefNumaCells(def);
    gboolean huge = FALSE;
    size_t i;

    for (i = 0; i < MAX(ncells, 1); i++) {
        unsigned long long sz = vgmQemuHugepageForNode(def, ncells ? (int)i : -1);
        if (sz && sz != 4)
            huge = TRUE;
    }
    if (mb->source == VGM_DOMAIN_MEMORY_SOURCE_MEMFD &&
        !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <source type='memfd'>: object 'memory-backend-memfd' is missing"));
        return FALSE;
    }
    if (mb->source == VGM_DOMAIN_MEMORY_SOURCE_MEMFD && huge && !vgmDomainDefUsesGuestMemfd(def) &&
        (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MEMFD_HUGETLB) ||
         !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MEMFD_HUGETLBSIZE))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary cannot use hugepages with <source type='memfd'>: memory-backend-memfd has no 'hugetlb' property (the host lacks MFD_HUGETLB)"));
        return FALSE;
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        static const struct {
            VgmMemoryModel model;
            VgmQemuCapsFlag flag;
            const char *device;
        } devs[] = {
            { VGM_MEMORY_MODEL_DIMM, VGM_QEMU_CAPS_DEVICE_PC_DIMM, "pc-dimm" },
            { VGM_MEMORY_MODEL_NVDIMM, VGM_QEMU_CAPS_DEVICE_NVDIMM, "nvdimm" },
            { VGM_MEMORY_MODEL_VIRTIO_MEM, VGM_QEMU_CAPS_DEVICE_VIRTIO_MEM_PCI, "virtio-mem-pci" },
            { VGM_MEMORY_MODEL_VIRTIO_PMEM, VGM_QEMU_CAPS_DEVICE_VIRTIO_PMEM_PCI, "virtio-pmem-pci" },
            { VGM_MEMORY_MODEL_SGX_EPC, VGM_QEMU_CAPS_DEVICE_SGX_EPC, "sgx-epc" },
        };
        size_t j;

        for (j = 0; j < G_N_ELEMENTS(devs); j++) {
            if (devs[j].model == mem->model && !vgmQemuCapsGet(caps, devs[j].flag)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not support memory device model '%1$s': device '%2$s' is missing"),
                            vgmMemoryModelTypeToString(mem->model), devs[j].device);
                return FALSE;
            }
        }
        if ((mem->model == VGM_MEMORY_MODEL_DIMM || mem->model == VGM_MEMORY_MODEL_NVDIMM) &&
            g_str_equal(def->os.arch, "x86_64") && !def->features.features[VGM_FEATURE_ACPI]) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device of model '%1$s' needs <features><acpi/></features>: QEMU plugs DIMMs through ACPI"),
                        vgmMemoryModelTypeToString(mem->model));
            return FALSE;
        }
        if (mem->model == VGM_MEMORY_MODEL_SGX_EPC &&
            !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_EPC)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support memory device model 'sgx-epc': object 'memory-backend-epc' is missing"));
            return FALSE;
        }
        if (vgmDomainDefUsesGuestMemfd(def) && mem->pagesize && mem->pagesize != 4 &&
            (mem->model == VGM_MEMORY_MODEL_DIMM || mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("memory device of model '%1$s' cannot have its own <pagesize> with guest_memfd memory: guest_memfd page size is set once per VM"),
                        vgmMemoryModelTypeToString(mem->model));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmQemuValidateLaunchSecurity(const VgmDomainDef *def, const VgmQemuCaps *caps,
                              GError **error)
{
    static const struct {
        VgmLaunchSecurityType type;
        VgmQemuCapsFlag flag;
        const char *object;
        const char *arch;
    } objs[] = {
        { VGM_LAUNCH_SECURITY_SEV, VGM_QEMU_CAPS_OBJECT_SEV_GUEST, "sev-guest", "x86_64" },
        { VGM_LAUNCH_SECURITY_SEV_SNP, VGM_QEMU_CAPS_OBJECT_SEV_SNP_GUEST, "sev-snp-guest", "x86_64" },
        { VGM_LAUNCH_SECURITY_TDX, VGM_QEMU_CAPS_OBJECT_TDX_GUEST, "tdx-guest", "x86_64" },
        { VGM_LAUNCH_SECURITY_S390_PV, VGM_QEMU_CAPS_OBJECT_S390_PV_GUEST, "s390-pv-guest", "s390x" },
    };
    const VgmLaunchSecurityDef *sec = def->sec;
    size_t i;

    if (!sec)
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(objs); i++) {
        if (objs[i].type != sec->type)
            continue;
        if (!g_str_equal(def->os.arch, objs[i].arch)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<launchSecurity type='%1$s'> needs a guest of architecture '%2$s', not '%3$s'"),
                        vgmLaunchSecurityTypeToString(sec->type), objs[i].arch, def->os.arch);
            return FALSE;
        }
        if (!vgmQemuCapsGet(caps, objs[i].flag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <launchSecurity type='%1$s'>: object '%2$s' is missing"),
                        vgmLaunchSecurityTypeToString(sec->type), objs[i].object);
            return FALSE;
        }
        if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <launchSecurity>: the machine property 'confidential-guest-support' is missing"));
            return FALSE;
        }
    }
    if (def->virtType != VGM_DOMAIN_VIRT_KVM && sec->type != VGM_LAUNCH_SECURITY_S390_PV) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<launchSecurity type='%1$s'> needs <domain type='kvm'>"),
                    vgmLaunchSecurityTypeToString(sec->type));
        return FALSE;
    }
    if (sec->type == VGM_LAUNCH_SECURITY_SEV_SNP) {
        if (sec->kernelHashes == VGM_TRISTATE_YES &&
            !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SEV_SNP_KERNEL_HASHES)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support kernelHashes for sev-snp: 'sev-snp-guest' lacks 'kernel-hashes'"));
            return FALSE;
        }
        if ((sec->idBlock || sec->idAuth) && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SEV_SNP_ID_BLOCK)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <idBlock> for sev-snp: 'sev-snp-guest' lacks 'id-block'"));
            return FALSE;
        }
        if (sec->hostData && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SEV_SNP_HOST_DATA)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <hostData> for sev-snp: 'sev-snp-guest' lacks 'host-data'"));
            return FALSE;
        }
    }
    if (sec->type == VGM_LAUNCH_SECURITY_TDX) {
        if (def->features.features[VGM_FEATURE_SMM] == VGM_TRISTATE_YES) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<launchSecurity type='tdx'> cannot be used with <smm state='on'>: TDX guests have no SMM"));
            return FALSE;
        }
        if (def->features.ioapic == VGM_IOAPIC_KVM) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<launchSecurity type='tdx'> needs a split irqchip: use <ioapic driver='qemu'/>, not 'kvm'"));
            return FALSE;
        }
        if (def->os.loaderType == VGM_LOADER_TYPE_PFLASH || def->os.nvram || def->os.nvramNet) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<launchSecurity type='tdx'> cannot load firmware as pflash: use <loader type='rom'> (QEMU -bios)"));
            return FALSE;
        }
        if (sec->haveQGS && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_TDX_QUOTE_GENERATION_SOCKET)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <quoteGenerationService>: 'tdx-guest' lacks 'quote-generation-socket'"));
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmQemuValidateNetBandwidth(const VgmNetDef *net, GError **error)
{
    /* Open vSwitch manages its ports' qdiscs itself (libvirt sets
     * an OVS port's QoS through ovs-vsctl, which virt-gmem does not) */
    if (net->ovs) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<bandwidth> of interface '%1$s' on an Open vSwitch port: Open vSwitch manages the port's queues itself, and virt-gmem sets no QoS through it"),
                    net->mac);
        return FALSE;
    }
    /* <bandwidth> is tc on the host's tap: user-mode networking has
     * none, and a tap made beforehand is the user's to shape */
    if (net->type == VGM_NET_TYPE_DIRECT) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<bandwidth> of interface '%1$s': virt-gmem shapes the taps it makes for QEMU, not a macvtap (<interface type='direct'>)"),
                    net->mac);
        return FALSE;
    }
    if (!vgmNetTypeHasTap(net->type)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<bandwidth> of interface '%1$s' needs a tap on the host (type 'ethernet', 'bridge' or 'network'): an <interface type='%2$s'> has none to shape"),
                    net->mac, vgmNetTypeToString(net->type));
        return FALSE;
    }
    if (net->managedTap == VGM_TRISTATE_NO) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<bandwidth> of interface '%1$s' is set on a tap the driver makes: with <target managed='no'> the tap is left as it was made"),
                    net->mac);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmQemuValidateDevices(const VgmDomainDef *def, GError **error)
{
    const GPtrArray *chrLists[] = {
        def->devices.serials, def->devices.parallels, def->devices.consoles,
        def->devices.channels,
    };
    guint i, stdio = 0;
    size_t l;

    /* QEMU has one standard output: one character device may use it (a
     * serial console is its serial port's own) */
    for (l = 0; l < G_N_ELEMENTS(chrLists); l++) {
        for (i = 0; i < chrLists[l]->len; i++) {
            const VgmChrDef *chr = g_ptr_array_index(chrLists[l], i);

            if (chr->type != VGM_CHR_TYPE_STDIO ||
                (chrLists[l] == def->devices.consoles &&
                 g_strcmp0(chr->targetType, "virtio") != 0))
                continue;
            if (++stdio > 1) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                            _("two character devices of type 'stdio': QEMU has one standard output"));
                return FALSE;
            }
        }
    }

    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);
        /* QEMU's bridge helper makes an unnamed tap the driver cannot find
         * afterwards, with one queue and no vhost-net: what a line of
         * domxml-to-native leaves a bridge's tap to (a start names every
         * tap, and the tap of an interface with a <backend> is the
         * driver's) */
        if (net->type == VGM_NET_TYPE_BRIDGE && !net->ifname && !vgmQemuNetDriverOpens(net) &&
            (net->mtu || net->queues || net->driverName == VGM_NET_DRIVER_VHOST || net->ovs ||
             net->bandwidth.in || net->bandwidth.out || net->coalesceRxFrames ||
             net->haveSndbuf)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("interface '%1$s' on bridge '%2$s' needs <target dev='...'/> for %3$s: without a tap name QEMU's bridge helper makes the tap, which has one queue, no vhost-net, the bridge's MTU and only Linux bridges"),
                        net->mac, net->source,
                        net->ovs ? "<virtualport type='openvswitch'>" :
                        net->mtu ? "<mtu>" : net->queues ? "<driver queues>" :
                        net->driverName == VGM_NET_DRIVER_VHOST ? "<driver name='vhost'>" :
                        net->coalesceRxFrames ? "<coalesce>" :
                        net->haveSndbuf ? "<tune><sndbuf>" : "<bandwidth>");
            return FALSE;
        }
        /* QEMU's send buffer is a tap's (its tap netdev's sndbuf) */
        if (net->haveSndbuf && !vgmNetTypeHasTap(net->type)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<tune><sndbuf> of interface '%1$s' sizes a tap's send buffer, and type '%2$s' has no tap"),
                        net->mac, vgmNetTypeToString(net->type));
            return FALSE;
        }
        if ((net->bandwidth.in || net->bandwidth.out) &&
            !vgmQemuValidateNetBandwidth(net, error))
            return FALSE;
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *disk = g_ptr_array_index(def->devices.disks, i);
        size_t f;

        if (!disk->iotune)
            continue;
        /* QEMU throttles a medium: an empty CD-ROM has none */
        if (!vgmDiskHasMedium(disk)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<iotune> of disk '%1$s' needs a <source>: QEMU throttles the medium"),
                        disk->dst);
            return FALSE;
        }
        /* libvirt's limit for QEMU's throttling values */
        for (f = 0; f < VGM_DISK_IOTUNE_LAST; f++) {
            if (disk->iotune->v[f] > VGM_QEMU_IOTUNE_MAX) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<%1$s> of disk '%2$s' (%3$llu) is above QEMU's throttling limit of %4$llu"),
                            vgmDiskIotuneFieldTypeToString(f), disk->dst, disk->iotune->v[f],
                            VGM_QEMU_IOTUNE_MAX);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* Where -smbios takes its strings from (libvirt refuses the same when it
 * builds the command line). */
static gboolean
vgmQemuValidateSmbios(const VgmDomainDef *def, GError **error)
{
    const VgmSysinfoDef *sysinfo = vgmDomainDefGetSmbiosSysinfo(def);

    switch (def->os.smbiosMode) {
    case VGM_SMBIOS_HOST:
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported value 'host' for attribute 'mode' of element <smbios> in <os>: virt-gmem does not copy the host's SMBIOS tables; give the strings in <sysinfo type='smbios'> with mode='sysinfo', or use mode='emulate'"));
        return FALSE;
    case VGM_SMBIOS_SYSINFO:
        if (!sysinfo) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<smbios mode='sysinfo'> in <os> needs a <sysinfo type='smbios'> element to take the strings from, and domain '%1$s' has none"),
                        def->name);
            return FALSE;
        }
        if (sysinfo->baseBoards->len > 1) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<sysinfo type='smbios'> has %1$u <baseBoard> elements, but QEMU takes only one SMBIOS type 2 table"),
                        sysinfo->baseBoards->len);
            return FALSE;
        }
        break;
    case VGM_SMBIOS_NONE:
    case VGM_SMBIOS_EMULATE:
    case VGM_SMBIOS_LAST:
        break;
    }
    return TRUE;
}

/* libvirt's devices for the controller models the parser accepts
 * (qemuBuildControllerDevProps): USB models are named after the board, not
 * the QEMU device (nec-xhci is nec-usb-xhci), and lsilogic is lsi53c895a,
 * whose alias "lsi" libvirt writes but QEMU's device list does not answer
 * for. */
static const VgmQemuControllerDevice vgmQemuControllerDevices[] = {
    { "pci", "pci-root", NULL, VGM_QEMU_CAPS_LAST },
    { "pci", "pcie-root", NULL, VGM_QEMU_CAPS_LAST },
    { "pci", "pcie-root-port", "pcie-root-port", VGM_QEMU_CAPS_DEVICE_PCIE_ROOT_PORT },
    /* <model name='ioh3420'>: Intel's root port, which libvirt also builds */
    { "pci", "pcie-root-port", "ioh3420", VGM_QEMU_CAPS_DEVICE_IOH3420 },
    { "pci", "pci-bridge", "pci-bridge", VGM_QEMU_CAPS_DEVICE_PCI_BRIDGE },
    { "pci", "dmi-to-pci-bridge", "i82801b11-bridge", VGM_QEMU_CAPS_DEVICE_I82801B11_BRIDGE },
    { "pci", "pcie-switch-upstream-port", "x3130-upstream", VGM_QEMU_CAPS_DEVICE_X3130_UPSTREAM },
    { "pci", "pcie-switch-downstream-port", "xio3130-downstream",
      VGM_QEMU_CAPS_DEVICE_XIO3130_DOWNSTREAM },
    { "pci", "pcie-to-pci-bridge", "pcie-pci-bridge", VGM_QEMU_CAPS_DEVICE_PCIE_PCI_BRIDGE },
    { "pci", "pci-expander-bus", "pxb", VGM_QEMU_CAPS_DEVICE_PXB },
    { "pci", "pcie-expander-bus", "pxb-pcie", VGM_QEMU_CAPS_DEVICE_PXB_PCIE },
    /* no model: no USB controller (machine usb=off) */
    { "usb", NULL, NULL, VGM_QEMU_CAPS_LAST },
    { "usb", "none", NULL, VGM_QEMU_CAPS_LAST },
    { "usb", "qemu-xhci", "qemu-xhci", VGM_QEMU_CAPS_DEVICE_QEMU_XHCI },
    { "usb", "nec-xhci", "nec-usb-xhci", VGM_QEMU_CAPS_DEVICE_NEC_USB_XHCI },
    { "usb", "piix3-uhci", "piix3-usb-uhci", VGM_QEMU_CAPS_DEVICE_PIIX3_USB_UHCI },
    { "usb", "ich9-ehci1", "ich9-usb-ehci1", VGM_QEMU_CAPS_DEVICE_ICH9_USB_EHCI1 },
    { "usb", "ich9-uhci1", "ich9-usb-uhci1", VGM_QEMU_CAPS_DEVICE_ICH9_USB_UHCI1 },
    { "usb", "ich9-uhci2", "ich9-usb-uhci2", VGM_QEMU_CAPS_DEVICE_ICH9_USB_UHCI2 },
    { "usb", "ich9-uhci3", "ich9-usb-uhci3", VGM_QEMU_CAPS_DEVICE_ICH9_USB_UHCI3 },
    { "scsi", "virtio-scsi", "virtio-scsi-pci", VGM_QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI },
    { "scsi", "lsilogic", "lsi53c895a", VGM_QEMU_CAPS_DEVICE_LSI53C895A },
    { "scsi", "virtio-transitional", "virtio-scsi-pci-transitional",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI_TRANSITIONAL },
    { "scsi", "virtio-non-transitional", "virtio-scsi-pci-non-transitional",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_SCSI_PCI_NON_TRANSITIONAL },
    { "scsi", "lsisas1068", "mptsas1068", VGM_QEMU_CAPS_DEVICE_MPTSAS1068 },
    { "scsi", "lsisas1078", "megasas", VGM_QEMU_CAPS_DEVICE_MEGASAS },
    { "scsi", "vmpvscsi", "pvscsi", VGM_QEMU_CAPS_DEVICE_PVSCSI },
    { "scsi", "am53c974", "am53c974", VGM_QEMU_CAPS_DEVICE_AM53C974 },
    { "scsi", "dc390", "dc390", VGM_QEMU_CAPS_DEVICE_DC390 },
    { "virtio-serial", NULL, "virtio-serial-pci", VGM_QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI },
    { "virtio-serial", "virtio", "virtio-serial-pci", VGM_QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI },
    { "virtio-serial", "virtio-transitional", "virtio-serial-pci-transitional",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI_TRANSITIONAL },
    { "virtio-serial", "virtio-non-transitional", "virtio-serial-pci-non-transitional",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_SERIAL_PCI_NON_TRANSITIONAL },
    /* an AHCI controller (libvirt writes the alias "ahci"), but SATA 0 of
     * q35 is its own (the command line skips it); IDE is the PC's own */
    { "sata", NULL, "ich9-ahci", VGM_QEMU_CAPS_DEVICE_ICH9_AHCI },
    { "ide", NULL, NULL, VGM_QEMU_CAPS_LAST },
    /* the PC's own ISA floppy controller; q35's is an isa-fdc device,
     * which the disks' command line adds with their boot indexes */
    { "fdc", NULL, NULL, VGM_QEMU_CAPS_LAST },
    /* a smartcard reader */
    { "ccid", NULL, "usb-ccid", VGM_QEMU_CAPS_DEVICE_USB_CCID },
};

const VgmQemuControllerDevice *
vgmQemuControllerDeviceFind(const char *type, const char *model)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuControllerDevices); i++) {
        const VgmQemuControllerDevice *d = &vgmQemuControllerDevices[i];
        if (g_str_equal(d->type, type) && g_strcmp0(d->model, model) == 0)
            return d;
    }
    return NULL;
}

const VgmQemuControllerDevice *
vgmQemuControllerDeviceFor(const VgmControllerDef *c)
{
    size_t i;

    if (!c->modelName)
        return vgmQemuControllerDeviceFind(c->type, c->model);
    for (i = 0; i < G_N_ELEMENTS(vgmQemuControllerDevices); i++) {
        const VgmQemuControllerDevice *d = &vgmQemuControllerDevices[i];
        if (g_str_equal(d->type, c->type) && g_strcmp0(d->model, c->model) == 0 &&
            g_strcmp0(d->device, c->modelName) == 0)
            return d;
    }
    return NULL;
}

static gboolean
vgmQemuValidateControllers(const VgmDomainDef *def, const VgmQemuCaps *caps,
                           GError **error)
{
    guint i;

    /* the disk first: its IDE controller is one post-parse added */
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *disk = g_ptr_array_index(def->devices.disks, i);
        const VgmQemuCapsMachine *machine;

        if (disk->bus != VGM_DISK_BUS_IDE)
            continue;
        if (!(machine = vgmQemuCapsGetMachine(caps, def->os.machine, error)))
            return FALSE;
        if (!vgmQemuMachineIsPC(machine->name)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("disk '%1$s' on bus 'ide' needs the PC (i440fx) machine type, which has the IDE controller, not '%2$s': use bus 'sata' on q35"),
                        disk->dst, machine->name);
            return FALSE;
        }
    }
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        const VgmQemuControllerDevice *d = vgmQemuControllerDeviceFind(c->type, c->model);
        g_autofree char *elem = c->model ?
            g_strdup_printf("<controller type='%s' model='%s'>", c->type, c->model) :
            g_strdup_printf("<controller type='%s'>", c->type);

        if (!d) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s has no QEMU device"), elem);
            return FALSE;
        }
        /* <model name>: one of the devices libvirt builds for the model
         * (ioh3420 for a root port); another is not what it asks for */
        if (c->modelName) {
            const VgmQemuControllerDevice *named = vgmQemuControllerDeviceFor(c);

            if (!named) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<model name='%1$s'> of %2$s: virt-gmem builds it as '%3$s'"),
                            c->modelName, elem, d->device ? d->device : _("the machine's own"));
                return FALSE;
            }
            d = named;
        }
        if (d->device && !vgmQemuCapsGet(caps, d->flag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support %1$s: device '%2$s' is missing"),
                        elem, d->device);
            return FALSE;
        }
        if (g_str_equal(c->type, "usb") && c->ports &&
            !(d->device && g_str_has_suffix(d->device, "-xhci"))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s does not support 'ports': only the xHCI models (qemu-xhci, nec-xhci) have it"),
                        elem);
            return FALSE;
        }
        if (g_str_equal(c->type, "fdc") && c->index > 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<controller type='fdc' index='%1$u'>: a machine has one floppy controller, index 0"),
                        c->index);
            return FALSE;
        }
        /* IDE is the PC's PIIX controller: one, and no other machine's */
        if (g_str_equal(c->type, "ide")) {
            const VgmQemuCapsMachine *machine = vgmQemuCapsGetMachine(caps, def->os.machine, error);
            if (!machine)
                return FALSE;
            if (!vgmQemuMachineIsPC(machine->name)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("%1$s needs the PC (i440fx) machine type, which has the IDE controller, not '%2$s': use bus 'sata' on q35"),
                            elem, machine->name);
                return FALSE;
            }
            if (c->index > 0) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<controller type='ide' index='%1$u'>: the PC machine type has one IDE controller, index 0"),
                            c->index);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* libvirt's devices for USB and virtio inputs; PS/2 has none (the
 * machine's i8042). */
static const struct {
    VgmInputType type;
    VgmInputBus bus;
    const char *device;
    VgmQemuCapsFlag flag;
} vgmQemuInputDevices[] = {
    { VGM_INPUT_TYPE_TABLET, VGM_INPUT_BUS_USB, "usb-tablet", VGM_QEMU_CAPS_DEVICE_USB_TABLET },
    { VGM_INPUT_TYPE_KEYBOARD, VGM_INPUT_BUS_USB, "usb-kbd", VGM_QEMU_CAPS_DEVICE_USB_KBD },
    { VGM_INPUT_TYPE_MOUSE, VGM_INPUT_BUS_USB, "usb-mouse", VGM_QEMU_CAPS_DEVICE_USB_MOUSE },
    { VGM_INPUT_TYPE_TABLET, VGM_INPUT_BUS_VIRTIO, "virtio-tablet-pci",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_TABLET_PCI },
    { VGM_INPUT_TYPE_KEYBOARD, VGM_INPUT_BUS_VIRTIO, "virtio-keyboard-pci",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_KEYBOARD_PCI },
    { VGM_INPUT_TYPE_MOUSE, VGM_INPUT_BUS_VIRTIO, "virtio-mouse-pci",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_MOUSE_PCI },
    { VGM_INPUT_TYPE_PASSTHROUGH, VGM_INPUT_BUS_VIRTIO, "virtio-input-host-pci",
      VGM_QEMU_CAPS_DEVICE_VIRTIO_INPUT_HOST_PCI },
    /* an object, not a device (vgmCmdInputs) */
    { VGM_INPUT_TYPE_EVDEV, VGM_INPUT_BUS_DEFAULT, "input-linux", VGM_QEMU_CAPS_OBJECT_INPUT_LINUX },
};

const char *
vgmQemuInputDevice(VgmInputType type, VgmInputBus bus)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuInputDevices); i++) {
        if (vgmQemuInputDevices[i].type == type && vgmQemuInputDevices[i].bus == bus)
            return vgmQemuInputDevices[i].device;
    }
    return NULL;
}

/* Channels are virtserialport devices, virtio consoles virtconsole ones. */
static gboolean
vgmQemuValidateVirtioPorts(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.channels->len; i++) {
        const VgmChrDef *ch = g_ptr_array_index(def->devices.channels, i);

        if (ch->fwdAddress)
            continue;
        if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VIRTSERIALPORT)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <channel>: device '%1$s' is missing"),
                        "virtserialport");
            return FALSE;
        }
    }
    for (i = 0; i < def->devices.consoles->len; i++) {
        const VgmChrDef *con = g_ptr_array_index(def->devices.consoles, i);

        if (con->targetType && g_str_equal(con->targetType, "virtio") &&
            !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VIRTCONSOLE)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <console> with <target type='virtio'>: device '%1$s' is missing"),
                        "virtconsole");
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmQemuValidateInputs(const VgmDomainDef *def, const VgmQemuCaps *caps,
                      GError **error)
{
    guint i;
    size_t j;

    for (i = 0; i < def->devices.inputs->len; i++) {
        const VgmInputDef *in = g_ptr_array_index(def->devices.inputs, i);

        for (j = 0; j < G_N_ELEMENTS(vgmQemuInputDevices); j++) {
            if (vgmQemuInputDevices[j].type != in->type || vgmQemuInputDevices[j].bus != in->bus)
                continue;
            if (!vgmQemuCapsGet(caps, vgmQemuInputDevices[j].flag)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not support <input type='%1$s' bus='%2$s'>: device '%3$s' is missing"),
                            vgmInputTypeToString(in->type),
                            in->bus ? vgmInputBusTypeToString(in->bus) : "none",
                            vgmQemuInputDevices[j].device);
                return FALSE;
            }
        }
    }
    return TRUE;
}

gboolean
vgmQemuMachineIsPC(const char *machine)
{
    return g_str_equal(machine, "pc") || g_str_has_prefix(machine, "pc-i440fx") ||
           g_str_has_prefix(machine, "pc-1.") || g_str_has_prefix(machine, "pc-0.");
}

const char *
vgmQemuPmDevice(const char *machine, VgmQemuCapsFlag *flag)
{
    if (strstr(machine, "q35")) {
        *flag = VGM_QEMU_CAPS_DEVICE_ICH9_LPC;
        return "ICH9-LPC";
    }
    if (vgmQemuMachineIsPC(machine)) {
        *flag = VGM_QEMU_CAPS_DEVICE_PIIX4_PM;
        return "PIIX4_PM";
    }
    *flag = VGM_QEMU_CAPS_LAST;
    return NULL;
}

/* A QEMU device and the capability it is probed as. */
typedef struct {
    const char *device;
    VgmQemuCapsFlag flag;
} VgmQemuDeviceCap;

/* libvirt's devices for the sound models, and the HDA codecs */
static const VgmQemuDeviceCap vgmQemuSoundDevices[VGM_SOUND_LAST] = {
    [VGM_SOUND_ICH6] = { "intel-hda", VGM_QEMU_CAPS_DEVICE_INTEL_HDA },
    [VGM_SOUND_ICH9] = { "ich9-intel-hda", VGM_QEMU_CAPS_DEVICE_ICH9_INTEL_HDA },
    [VGM_SOUND_AC97] = { "AC97", VGM_QEMU_CAPS_DEVICE_AC97 },
    [VGM_SOUND_ES1370] = { "ES1370", VGM_QEMU_CAPS_DEVICE_ES1370 },
    [VGM_SOUND_SB16] = { "sb16", VGM_QEMU_CAPS_DEVICE_SB16 },
    /* no device: the machine's pcspk-audiodev */
    [VGM_SOUND_PCSPK] = { NULL, 0 },
    [VGM_SOUND_USB] = { "usb-audio", VGM_QEMU_CAPS_DEVICE_USB_AUDIO },
};
static const VgmQemuDeviceCap vgmQemuSoundCodecs[VGM_SOUND_CODEC_LAST] = {
    [VGM_SOUND_CODEC_DUPLEX] = { "hda-duplex", VGM_QEMU_CAPS_DEVICE_HDA_DUPLEX },
    [VGM_SOUND_CODEC_MICRO] = { "hda-micro", VGM_QEMU_CAPS_DEVICE_HDA_MICRO },
    [VGM_SOUND_CODEC_OUTPUT] = { "hda-output", VGM_QEMU_CAPS_DEVICE_HDA_OUTPUT },
};

const char *
vgmQemuSoundDevice(VgmSoundModel model)
{
    return vgmQemuSoundDevices[model].device;
}

const char *
vgmQemuSoundCodecDevice(VgmSoundCodec codec)
{
    return vgmQemuSoundCodecs[codec].device;
}

static gboolean
vgmQemuValidateSounds(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    gboolean speaker = FALSE;
    guint i;
    size_t j;

    for (i = 0; i < def->devices.sounds->len; i++) {
        const VgmSoundDef *snd = g_ptr_array_index(def->devices.sounds, i);
        const char *model = vgmSoundModelTypeToString(snd->model);
        gboolean hda = snd->model == VGM_SOUND_ICH6 || snd->model == VGM_SOUND_ICH9;

        /* the machine's one speaker, which plays to an audio backend */
        if (snd->model == VGM_SOUND_PCSPK) {
            if (speaker) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                            _("two <sound model='pcspk'>: the machine has one PC speaker"));
                return FALSE;
            }
            speaker = TRUE;
            if (!vgmQemuCapsCheckMachineProp(caps, "pcspk-audiodev", NULL)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                            _("this QEMU binary does not support <sound model='pcspk'>: its machine has no 'pcspk-audiodev' property"));
                return FALSE;
            }
            continue;
        }
        if (!vgmQemuCapsGet(caps, vgmQemuSoundDevices[snd->model].flag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <sound model='%1$s'>: device '%2$s' is missing"),
                        model, vgmQemuSoundDevices[snd->model].device);
            return FALSE;
        }
        for (j = 0; hda && j < MAX(snd->ncodecs, 1); j++) {
            VgmSoundCodec codec = snd->ncodecs ? snd->codecs[j] : VGM_SOUND_CODEC_DUPLEX;

            if (!vgmQemuCapsGet(caps, vgmQemuSoundCodecs[codec].flag)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not support <codec type='%1$s'> of <sound model='%2$s'>: device '%3$s' is missing"),
                            vgmSoundCodecTypeToString(codec), model, vgmQemuSoundCodecs[codec].device);
                return FALSE;
            }
        }
    }
    return TRUE;
}

static const VgmQemuVideoDevice vgmQemuVideoDevices[] = {
    { "none", NULL, 0, NULL, 0, VGM_QEMU_VIDEO_MEM_NONE, FALSE },
    { "vga", "VGA", VGM_QEMU_CAPS_DEVICE_VGA, NULL, 0, VGM_QEMU_VIDEO_MEM_VGAMEM_MB, FALSE },
    { "cirrus", "cirrus-vga", VGM_QEMU_CAPS_DEVICE_CIRRUS_VGA, NULL, 0,
      VGM_QEMU_VIDEO_MEM_NONE, FALSE },
    { "vmvga", "vmware-svga", VGM_QEMU_CAPS_DEVICE_VMWARE_SVGA, NULL, 0,
      VGM_QEMU_VIDEO_MEM_VGAMEM_MB, FALSE },
    { "qxl", "qxl-vga", VGM_QEMU_CAPS_DEVICE_QXL_VGA, "qxl", VGM_QEMU_CAPS_DEVICE_QXL,
      VGM_QEMU_VIDEO_MEM_QXL, TRUE },
    { "virtio", "virtio-vga", VGM_QEMU_CAPS_DEVICE_VIRTIO_VGA,
      "virtio-gpu-pci", VGM_QEMU_CAPS_DEVICE_VIRTIO_GPU_PCI, VGM_QEMU_VIDEO_MEM_NONE, TRUE },
    { "bochs", "bochs-display", VGM_QEMU_CAPS_DEVICE_BOCHS_DISPLAY, NULL, 0,
      VGM_QEMU_VIDEO_MEM_VGAMEM_BYTES, FALSE },
    /* a framebuffer the firmware sets up in guest RAM: no PCI device */
    { "ramfb", "ramfb", VGM_QEMU_CAPS_DEVICE_RAMFB, NULL, 0, VGM_QEMU_VIDEO_MEM_NONE, FALSE },
};

const VgmQemuVideoDevice *
vgmQemuVideoDeviceFind(const char *model)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuVideoDevices); i++) {
        if (g_str_equal(vgmQemuVideoDevices[i].model, model))
            return &vgmQemuVideoDevices[i];
    }
    return NULL;
}

static const struct {
    const char *model;
    VgmQemuCapsFlag flag;
} vgmQemuWatchdogDevices[] = {
    { "i6300esb", VGM_QEMU_CAPS_DEVICE_I6300ESB },
    { "ib700", VGM_QEMU_CAPS_DEVICE_IB700 },
};

/* The QEMU device of each <shmem> model (the old ivshmem has none here) */
static const VgmQemuCapsFlag vgmQemuShmemDevices[VGM_SHMEM_MODEL_LAST] = {
    [VGM_SHMEM_MODEL_IVSHMEM_PLAIN] = VGM_QEMU_CAPS_DEVICE_IVSHMEM_PLAIN,
    [VGM_SHMEM_MODEL_IVSHMEM_DOORBELL] = VGM_QEMU_CAPS_DEVICE_IVSHMEM_DOORBELL,
};

/* Every <shmem>'s device (libvirt's default model is the old ivshmem,
 * which QEMU 4.0 removed, and which the driver never writes) */
static gboolean
vgmQemuValidateShmems(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    guint i;

    for (i = 0; i < def->devices.shmems->len; i++) {
        const VgmShmemDef *shm = g_ptr_array_index(def->devices.shmems, i);
        const char *model = vgmShmemModelTypeToString(shm->model);

        if (shm->model != VGM_SHMEM_MODEL_IVSHMEM &&
            vgmQemuCapsGet(caps, vgmQemuShmemDevices[shm->model]))
            continue;
        if (shm->model == VGM_SHMEM_MODEL_IVSHMEM)
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <shmem name='%1$s'> of model 'ivshmem' (the model libvirt takes when none is given): QEMU 4.0 removed the device; give <model type='ivshmem-plain'/> or 'ivshmem-doorbell'"),
                        shm->name);
        else
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <shmem name='%1$s'> of model '%2$s': device '%2$s' is missing"),
                        shm->name, model);
        return FALSE;
    }
    return TRUE;
}

/* The video, TPM and watchdog devices the binary must have. */
static gboolean
vgmQemuValidateVideoWatchdog(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    const VgmWatchdogDef *wd = def->devices.watchdog;
    guint i;
    size_t j;

    for (i = 0; i < def->devices.videos->len; i++) {
        const VgmVideoDef *v = g_ptr_array_index(def->devices.videos, i);
        const VgmQemuVideoDevice *vd = vgmQemuVideoDeviceFind(v->model);
        const char *device;

        /* the parser knows no other model; the generic rules allow a
         * further device only for models with one */
        if (!vd || !vd->primary)
            continue;
        device = i == 0 ? vd->primary : vd->secondary;
        if (device && !vgmQemuCapsGet(caps, i == 0 ? vd->primaryFlag : vd->secondaryFlag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <video> model '%1$s': device '%2$s' is missing"),
                        v->model, device);
            return FALSE;
        }
    }
    if (def->devices.iommu) {
        gboolean intel = def->devices.iommu->model == VGM_IOMMU_MODEL_INTEL;
        const char *device = intel ? "intel-iommu" : "virtio-iommu-pci";

        if (!vgmQemuCapsGet(caps, intel ? VGM_QEMU_CAPS_DEVICE_INTEL_IOMMU :
                                          VGM_QEMU_CAPS_DEVICE_VIRTIO_IOMMU_PCI)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <iommu model='%1$s'>: device '%2$s' is missing"),
                        vgmIommuModelTypeToString(def->devices.iommu->model), device);
            return FALSE;
        }
    }
    if (def->devices.vsock) {
        /* QEMU has no transitional vhost-vsock device */
        static const struct {
            const char *device;
            int cap;            /* VgmQemuCapsFlag, or -1: none exists */
        } vsockDevices[VGM_VSOCK_MODEL_LAST] = {
            [VGM_VSOCK_MODEL_VIRTIO] = { "vhost-vsock-pci", VGM_QEMU_CAPS_DEVICE_VHOST_VSOCK_PCI },
            [VGM_VSOCK_MODEL_VIRTIO_TRANSITIONAL] = { "vhost-vsock-pci-transitional", -1 },
            [VGM_VSOCK_MODEL_VIRTIO_NON_TRANSITIONAL] = {
                "vhost-vsock-pci-non-transitional",
                VGM_QEMU_CAPS_DEVICE_VHOST_VSOCK_PCI_NON_TRANSITIONAL },
        };
        VgmVsockModel model = def->devices.vsock->model;

        if (vsockDevices[model].cap < 0 || !vgmQemuCapsGet(caps, vsockDevices[model].cap)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <vsock model='%1$s'>: device '%2$s' is missing"),
                        vgmVsockModelTypeToString(model), vsockDevices[model].device);
            return FALSE;
        }
    }
    if (def->devices.tpm) {
        VgmTpmModel model = def->devices.tpm->model;

        if (!vgmQemuCapsGet(caps, model == VGM_TPM_MODEL_CRB ? VGM_QEMU_CAPS_DEVICE_TPM_CRB :
                                                              VGM_QEMU_CAPS_DEVICE_TPM_TIS)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <tpm model='%1$s'>: device '%1$s' is missing"),
                        vgmTpmModelTypeToString(model));
            return FALSE;
        }
    }
    for (j = 0; wd && j < G_N_ELEMENTS(vgmQemuWatchdogDevices); j++) {
        if (g_str_equal(vgmQemuWatchdogDevices[j].model, wd->model) &&
            !vgmQemuCapsGet(caps, vgmQemuWatchdogDevices[j].flag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <watchdog model='%1$s'>: device '%1$s' is missing"),
                        wd->model);
            return FALSE;
        }
    }
    return TRUE;
}

/* <vmport>: a property of the PC and q35 machines. */
static gboolean
vgmQemuValidateVmport(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    if (!def->features.features[VGM_FEATURE_VMPORT] ||
        vgmQemuCapsCheckMachineProp(caps, "vmport", NULL))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("<vmport> in <features> needs a machine type with the 'vmport' property (PC or q35)"));
    return FALSE;
}

/* Each <audio>'s QEMU driver is one the binary lists (several are
 * modules of a package of their own) */
static gboolean
vgmQemuValidateAudio(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    static const struct {
        const char *driver;
        VgmQemuCapsFlag flag;
    } drivers[] = {
        { "alsa", VGM_QEMU_CAPS_AUDIODEV_ALSA }, { "oss", VGM_QEMU_CAPS_AUDIODEV_OSS },
        { "pa", VGM_QEMU_CAPS_AUDIODEV_PA }, { "sdl", VGM_QEMU_CAPS_AUDIODEV_SDL },
        { "jack", VGM_QEMU_CAPS_AUDIODEV_JACK },
        { "coreaudio", VGM_QEMU_CAPS_AUDIODEV_COREAUDIO },
        { "wav", VGM_QEMU_CAPS_AUDIODEV_WAV }, { "spice", VGM_QEMU_CAPS_AUDIODEV_SPICE },
        { "dbus", VGM_QEMU_CAPS_AUDIODEV_DBUS },
    };
    guint i;
    size_t k;

    for (i = 0; i < def->devices.audios->len; i++) {
        const VgmAudioDef *a = g_ptr_array_index(def->devices.audios, i);
        const char *driver = vgmAudioQemuDriver(a->type);

        for (k = 0; k < G_N_ELEMENTS(drivers); k++) {
            if (g_str_equal(drivers[k].driver, driver) && !vgmQemuCapsGet(caps, drivers[k].flag)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not have the audio driver '%1$s' of <audio id='%2$u' type='%3$s'> (its -audiodev help does not list it)"),
                            driver, a->id, a->type);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* The machine-level settings that name a device of the machine type:
 * TSEG (q35's MCH), the root bus's 64-bit PCI hole (the PC's or q35's
 * host bridge) and the ACPI hotplug of the PC's root bus (PIIX4_PM) */
static gboolean
vgmQemuValidateAcpiIndexOne(const char *element, guint nth, const VgmDeviceAddress *addr,
                            gpointer opaque G_GNUC_UNUSED, GError **error)
{
    if (addr->type != VGM_ADDRESS_PCI) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<acpi index='%1$u'> of <%2$s> number %3$u: only a PCI device has an ACPI index, and this one is not on PCI"),
                    addr->acpiIndex, element, nth + 1);
        return FALSE;
    }
    return TRUE;
}

/* I/O threads are iothread objects; their pool sizes and the main
 * loop's need the thread-pool properties (QEMU 7.1) */
static gboolean
vgmQemuValidateIOThreads(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    gboolean pools = def->hasDefaultIOThread;
    guint i;

    if (!def->iothreads || def->iothreads->len == 0) {
        if (!pools)
            return TRUE;
    } else if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_IOTHREAD)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("this QEMU binary does not support <iothreads>: object 'iothread' is missing"));
        return FALSE;
    }
    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);

        pools |= t->poolMin >= 0 || t->poolMax >= 0;
    }
    if (pools && (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_IOTHREAD_THREAD_POOL_MAX) ||
                  (def->hasDefaultIOThread &&
                   !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MAIN_LOOP)))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("this QEMU binary does not support thread_pool_min and thread_pool_max of <iothreadids> and <defaultiothread>: the thread-pool properties are missing"));
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmQemuValidatePlatform(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    const VgmQemuCapsMachine *machine;
    gboolean q35;
    guint i;

    if (def->haveGenid && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VMGENID)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("this QEMU binary does not support <genid>: device 'vmgenid' is missing"));
        return FALSE;
    }
    if (!def->features.haveTseg) {
        for (i = 0; i < def->devices.controllers->len; i++) {
            const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
            if (c->havePcihole64 || (c->hotplug && g_strcmp0(c->model, "pci-root") == 0))
                break;
        }
        if (i == def->devices.controllers->len)
            return TRUE;
    }
    if (!(machine = vgmQemuCapsGetMachine(caps, def->os.machine, error)))
        return FALSE;
    q35 = strstr(machine->name, "q35") != NULL;
    if (def->features.haveTseg && !q35) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<tseg> in <smm> needs a q35 machine type, whose MCH has the extended TSEG, not '%1$s'"),
                    machine->name);
        return FALSE;
    }
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        gboolean pcie = g_strcmp0(c->model, "pcie-root") == 0;

        if (c->havePcihole64 && (pcie ? !q35 : !vgmQemuMachineIsPC(machine->name))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<pcihole64> of <controller model='%1$s'> needs the %2$s machine type, not '%3$s'"),
                        c->model, pcie ? "q35" : "PC (i440fx)", machine->name);
            return FALSE;
        }
        if (c->hotplug && g_strcmp0(c->model, "pci-root") == 0 &&
            !vgmQemuMachineIsPC(machine->name)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<target hotplug> of <controller model='pci-root'> needs the PC (i440fx) machine type, not '%1$s'"),
                        machine->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* Whether @caps' kvm-pit has its lost_tick_policy property, which
 * <timer name='pit'> sets */
gboolean
vgmQemuCapsHasPitTickPolicy(const VgmQemuCaps *caps)
{
    g_autoptr(JsonObject) probe = json_object_new();

    json_object_set_string_member(probe, "lost_tick_policy", "delay");
    return vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_KVM_PIT) &&
           vgmQemuCapsCheckDevice(caps, "kvm-pit", probe, NULL);
}

/* <clock>'s timers, as libvirt's QEMU driver takes them: the rtc's
 * track (not boot) and tick policy (delay or catchup), the pit's tick
 * policy (not merge; catchup, kvm-pit's own default, needs kvm-pit), the
 * paravirtual clocks' and the hpet's presence. What QEMU has no setting
 * for is refused rather than dropped, also where libvirt passes over it:
 * the platform and armvtimer timers, a track other than the rtc's, a
 * tick policy other than the rtc's and the pit's, and removing a timer
 * QEMU always has (rtc, pit, tsc). */
static gboolean
vgmQemuValidateTimers(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        const VgmClockTimer *t = &def->clock.timers[i];
        gboolean rtc = g_str_equal(t->name, "rtc");
        gboolean pit = g_str_equal(t->name, "pit");

        if (g_str_equal(t->name, "platform") || g_str_equal(t->name, "armvtimer")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <timer name='%1$s'>: QEMU has no such timer for an x86 guest"),
                        t->name);
            return FALSE;
        }
        if (t->track && (!rtc || g_str_equal(t->track, "boot"))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported track='%1$s' of <timer name='%2$s'>: QEMU's RTC follows the guest, the host's wall clock or its real-time clock (guest, wall, realtime), and no other timer follows one"),
                        t->track, t->name);
            return FALSE;
        }
        if (t->tickpolicy &&
            (!(rtc || pit) || g_str_equal(t->tickpolicy, "merge") ||
             (rtc && g_str_equal(t->tickpolicy, "discard")))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported tickpolicy='%1$s' of <timer name='%2$s'>: QEMU's RTC takes delay or catchup, its PIT delay, catchup or discard, and no other timer has one"),
                        t->tickpolicy, t->name);
            return FALSE;
        }
        if (pit && t->tickpolicy && !g_str_equal(t->tickpolicy, "delay") &&
            !vgmQemuCapsHasPitTickPolicy(caps)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support tickpolicy='%1$s' of <timer name='pit'>: device 'kvm-pit' with property 'lost_tick_policy' is missing"),
                        t->tickpolicy);
            return FALSE;
        }
        if (t->present == VGM_TRISTATE_NO && (rtc || pit || g_str_equal(t->name, "tsc"))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <timer name='%1$s' present='no'>: QEMU's x86 machines always have it"),
                        t->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* <pm>: the machine's power management device must have the property. */
static gboolean
vgmQemuValidatePm(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    static const struct {
        size_t offset;
        const char *element;
        const char *prop;
    } states[] = {
        { G_STRUCT_OFFSET(VgmDomainDef, pmSuspendToMem), "suspend-to-mem", "disable_s3" },
        { G_STRUCT_OFFSET(VgmDomainDef, pmSuspendToDisk), "suspend-to-disk", "disable_s4" },
    };
    const VgmQemuCapsMachine *machine;
    VgmQemuCapsFlag flag;
    const char *device;
    size_t i;

    if (!def->pmSuspendToMem && !def->pmSuspendToDisk)
        return TRUE;
    if (!(machine = vgmQemuCapsGetMachine(caps, def->os.machine, error)))
        return FALSE;
    device = vgmQemuPmDevice(machine->name, &flag);
    for (i = 0; i < G_N_ELEMENTS(states); i++) {
        g_autoptr(JsonObject) probe = NULL;
        g_autoptr(GError) err = NULL;

        if (!G_STRUCT_MEMBER(VgmTristate, def, states[i].offset))
            continue;
        if (!device) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s> in <pm> needs a q35 or PC machine type, not '%2$s'"),
                        states[i].element, machine->name);
            return FALSE;
        }
        probe = json_object_new();
        json_object_set_int_member(probe, states[i].prop, 1);
        if (!vgmQemuCapsGet(caps, flag) ||
            !vgmQemuCapsCheckDevice(caps, device, probe, &err)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <%1$s> in <pm>: device '%2$s' with property '%3$s' is missing"),
                        states[i].element, device, states[i].prop);
            return FALSE;
        }
    }
    return TRUE;
}

/* Devices and device options the binary must have. */
/* What network image @net of disk @dst needs of @caps: the blockdev
 * driver of its protocol, TLS and secret objects; and the ids its NFS
 * <identity> names, which this host must resolve */
static gboolean
vgmQemuValidateNetSource(const VgmQemuCaps *caps, const VgmDiskNetSource *net, const char *dst,
                         GError **error)
{
    /* the blockdev driver of each protocol */
    static const VgmQemuCapsFlag protoFlags[VGM_DISK_PROTOCOL_LAST] = {
        [VGM_DISK_PROTOCOL_NBD] = VGM_QEMU_CAPS_BLOCKDEV_NBD,
        [VGM_DISK_PROTOCOL_HTTP] = VGM_QEMU_CAPS_BLOCKDEV_CURL,
        [VGM_DISK_PROTOCOL_HTTPS] = VGM_QEMU_CAPS_BLOCKDEV_CURL,
        [VGM_DISK_PROTOCOL_FTP] = VGM_QEMU_CAPS_BLOCKDEV_CURL,
        [VGM_DISK_PROTOCOL_FTPS] = VGM_QEMU_CAPS_BLOCKDEV_CURL,
        [VGM_DISK_PROTOCOL_ISCSI] = VGM_QEMU_CAPS_BLOCKDEV_ISCSI,
        [VGM_DISK_PROTOCOL_RBD] = VGM_QEMU_CAPS_BLOCKDEV_RBD,
        [VGM_DISK_PROTOCOL_GLUSTER] = VGM_QEMU_CAPS_BLOCKDEV_GLUSTER,
        [VGM_DISK_PROTOCOL_NFS] = VGM_QEMU_CAPS_BLOCKDEV_NFS,
    };
    VgmQemuCapsFlag flag = protoFlags[net->protocol];
    guint id;

    if (!vgmQemuCapsGet(caps, flag)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support network disk '%1$s' over %2$s: its -blockdev has no driver '%2$s' (capability '%3$s')"),
                    dst, vgmDiskProtocolTypeToString(net->protocol),
                    vgmQemuCapsFlagTypeToString(flag));
        return FALSE;
    }
    if (net->tls == VGM_TRISTATE_YES &&
        (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BLOCKDEV_NBD_TLS) ||
         !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_TLS_CREDS_X509) ||
         (net->tlsHostname && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BLOCKDEV_NBD_TLS_HOSTNAME)))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support TLS for nbd disk '%1$s' (capabilities 'blockdev.nbd.tls-creds', 'object.tls-creds-x509' and, for tlsHostname, 'blockdev.nbd.tls-hostname')"),
                    dst);
        return FALSE;
    }
    if ((net->auth || net->cookies) && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_SECRET)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support the %1$s of disk '%2$s': it has no 'secret' object (capability 'object.secret')"),
                    net->auth ? "<auth>" : "<cookies>", dst);
        return FALSE;
    }
    /* the ids QEMU's nfs driver takes, which this host names */
    if ((net->nfsUser && !vgmQemuNfsIdentity(net->nfsUser, FALSE, &id, error)) ||
        (net->nfsGroup && !vgmQemuNfsIdentity(net->nfsGroup, TRUE, &id, error)))
        return FALSE;
    return TRUE;
}

/* What QEMU needs for the <encryption> @enc of an image of disk @dst:
 * a secret object for its passphrase, and for librbd's the rbd driver's
 * encrypt option */
static gboolean
vgmQemuValidateEncryption(const VgmQemuCaps *caps, const VgmDiskEncryption *enc,
                          const char *dst, GError **error)
{
    if (!enc)
        return TRUE;
    if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_SECRET)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support the <encryption> of disk '%1$s': it has no 'secret' object (capability 'object.secret')"),
                    dst);
        return FALSE;
    }
    if (enc->engine == VGM_DISK_ENCRYPTION_ENGINE_LIBRBD &&
        !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BLOCKDEV_RBD_ENCRYPT)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <encryption engine='librbd'> of disk '%1$s': its rbd driver has no encrypt option (capability 'blockdev.rbd.encrypt')"),
                    dst);
        return FALSE;
    }
    return TRUE;
}

/* The transitional and non-transitional variants of the virtio devices
 * a model attribute names (the controllers', filesystems' and vsock's
 * are in their own tables) */
static const struct {
    const char *base;
    VgmQemuCapsFlag flags[VGM_VIRTIO_KIND_NON_TRANSITIONAL + 1];
} vgmQemuVirtioVariants[] = {
    { "virtio-blk-pci", { VGM_QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI,
                          VGM_QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI_TRANSITIONAL,
                          VGM_QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI_NON_TRANSITIONAL } },
    { "vhost-user-blk-pci", { VGM_QEMU_CAPS_DEVICE_VHOST_USER_BLK_PCI,
                              VGM_QEMU_CAPS_DEVICE_VHOST_USER_BLK_PCI_TRANSITIONAL,
                              VGM_QEMU_CAPS_DEVICE_VHOST_USER_BLK_PCI_NON_TRANSITIONAL } },
    { "virtio-net-pci", { VGM_QEMU_CAPS_DEVICE_VIRTIO_NET_PCI,
                          VGM_QEMU_CAPS_DEVICE_VIRTIO_NET_PCI_TRANSITIONAL,
                          VGM_QEMU_CAPS_DEVICE_VIRTIO_NET_PCI_NON_TRANSITIONAL } },
    { "virtio-rng-pci", { VGM_QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI,
                          VGM_QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI_TRANSITIONAL,
                          VGM_QEMU_CAPS_DEVICE_VIRTIO_RNG_PCI_NON_TRANSITIONAL } },
    { "virtio-balloon-pci", { VGM_QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI,
                              VGM_QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI_TRANSITIONAL,
                              VGM_QEMU_CAPS_DEVICE_VIRTIO_BALLOON_PCI_NON_TRANSITIONAL } },
};

/* Device @base ("virtio-blk-pci") of kind @k that @element asks for */
static gboolean
vgmQemuValidateVirtioKind(const VgmQemuCaps *caps, const char *element, const char *base,
                          VgmVirtioKind k, GError **error)
{
    size_t i;

    if (k != VGM_VIRTIO_KIND_TRANSITIONAL && k != VGM_VIRTIO_KIND_NON_TRANSITIONAL)
        return TRUE;
    for (i = 0; i < G_N_ELEMENTS(vgmQemuVirtioVariants); i++) {
        if (g_str_equal(vgmQemuVirtioVariants[i].base, base) &&
            !vgmQemuCapsGet(caps, vgmQemuVirtioVariants[i].flags[k])) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support model '%1$s' of %2$s: device '%3$s-%4$s' is missing"),
                        vgmVirtioModels[k], element, base,
                        k == VGM_VIRTIO_KIND_TRANSITIONAL ? "transitional" : "non-transitional");
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmQemuValidateVirtioModels(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    for (i = 0; i < devs->disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(devs->disks, i);

        if (d->model &&
            !vgmQemuValidateVirtioKind(caps, "<disk>", d->type == VGM_DISK_TYPE_VHOSTUSER ?
                                       "vhost-user-blk-pci" : "virtio-blk-pci",
                                       vgmVirtioModelToKind(d->model), error))
            return FALSE;
    }
    for (i = 0; i < devs->nets->len; i++) {
        const VgmNetDef *n = g_ptr_array_index(devs->nets, i);

        if (!vgmQemuValidateVirtioKind(caps, "<interface>", "virtio-net-pci",
                                       vgmVirtioModelKind(n->model), error))
            return FALSE;
        /* another model is the QEMU device of its name */
        if (n->model && vgmVirtioModelKind(n->model) == VGM_VIRTIO_KIND_NONE &&
            !vgmQemuCapsCheckDevice(caps, n->model, NULL, NULL)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<interface> '%1$s' has <model type='%2$s'>, a QEMU device this QEMU binary does not have"),
                        n->mac ? n->mac : "", n->model);
            return FALSE;
        }
    }
    for (i = 0; i < devs->rngs->len; i++) {
        const VgmRngDef *r = g_ptr_array_index(devs->rngs, i);

        if (!vgmQemuValidateVirtioKind(caps, "<rng>", "virtio-rng-pci",
                                       vgmVirtioModelKind(r->model), error))
            return FALSE;
    }
    return !devs->memballoon ||
           vgmQemuValidateVirtioKind(caps, "<memballoon>", "virtio-balloon-pci",
                                     vgmVirtioModelKind(devs->memballoon->model), error);
}

static gboolean
vgmQemuValidateDeviceCaps(const VgmDomainDef *def, const VgmQemuCaps *caps,
                          GError **error)
{
    guint i;

    if (!vgmQemuValidateControllers(def, caps, error) ||
        !vgmQemuValidateVirtioModels(def, caps, error) ||
        !vgmQemuValidateVirtioPorts(def, caps, error) ||
        !vgmQemuValidateVmport(def, caps, error) ||
        !vgmQemuValidateSounds(def, caps, error) ||
        !vgmQemuValidateVideoWatchdog(def, caps, error) ||
        !vgmQemuValidateInputs(def, caps, error) ||
        !vgmQemuValidatePm(def, caps, error) ||
        !vgmQemuValidatePlatform(def, caps, error) ||
        !vgmQemuValidateIOThreads(def, caps, error) ||
        !vgmDomainDefForEachAcpiIndex(def, vgmQemuValidateAcpiIndexOne, NULL, error))
        return FALSE;

    if (def->features.features[VGM_FEATURE_VMCOREINFO] == VGM_TRISTATE_YES &&
        !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VMCOREINFO)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <vmcoreinfo/> in <features>: device 'vmcoreinfo' is missing"));
        return FALSE;
    }
    /* the smartcards' devices */
    for (i = 0; i < def->devices.smartcards->len; i++) {
        const VgmSmartcardDef *sc = g_ptr_array_index(def->devices.smartcards, i);
        const char *device = sc->chr ? "ccid-card-passthru" : "ccid-card-emulated";

        if (!vgmQemuCapsGet(caps, sc->chr ? VGM_QEMU_CAPS_DEVICE_CCID_CARD_PASSTHRU :
                                            VGM_QEMU_CAPS_DEVICE_CCID_CARD_EMULATED)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <smartcard mode='%1$s'>: device '%2$s' is missing"),
                        vgmSmartcardModeTypeToString(sc->mode), device);
            return FALSE;
        }
    }
    /* an RNG's backend object */
    for (i = 0; i < def->devices.rngs->len; i++) {
        const VgmRngDef *rng = g_ptr_array_index(def->devices.rngs, i);
        const char *object = rng->egd ? "rng-egd" :
                             g_str_equal(rng->backendModel, "builtin") ? "rng-builtin" : "rng-random";
        VgmQemuCapsFlag flag = rng->egd ? VGM_QEMU_CAPS_OBJECT_RNG_EGD :
                               g_str_equal(rng->backendModel, "builtin") ?
                               VGM_QEMU_CAPS_OBJECT_RNG_BUILTIN : VGM_QEMU_CAPS_OBJECT_RNG_RANDOM;

        if (!vgmQemuCapsGet(caps, flag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <backend model='%1$s'> of <rng>: object '%2$s' is missing"),
                        rng->backendModel, object);
            return FALSE;
        }
    }
    for (i = 0; i < def->devices.panics->len; i++) {
        if (((const VgmPanicDef *)g_ptr_array_index(def->devices.panics, i))->model ==
                VGM_PANIC_MODEL_ISA &&
            !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_PVPANIC)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <panic model='isa'>: device 'pvpanic' is missing"));
            return FALSE;
        }
    }
    /* SPICE: Debian's QEMU has it as a module, in a package of its own
     * since 10.0 (the generic rules held spicevmc devices and spice audio
     * to domains with SPICE graphics) */
    for (i = 0; i < def->devices.graphics->len; i++) {
        const VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);

        /* a network's address is looked up by the driver that starts the
         * domain (or writes its command line), not known to the XML */
        if (g->listenNetwork && !g->listen) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<graphics type='%1$s'> listens on network '%2$s', whose address only a driver that has the network looks up (at the start, or domxml-to-native through the daemon)"),
                        vgmGraphicsTypeToString(g->type), g->listenNetwork);
            return FALSE;
        }
        if (g->type == VGM_GRAPHICS_SPICE && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SPICE)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <graphics type='spice'>: it does not start with -spice (capability 'spice'; Debian's QEMU needs its SPICE module, package qemu-system-modules-spice since QEMU 10.0)"));
            return FALSE;
        }
    }
    if (!vgmQemuValidateAudio(def, caps, error))
        return FALSE;
    if (!vgmQemuValidateShmems(def, caps, error))
        return FALSE;
    if (def->devices.hubs->len > 0 && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_USB_HUB)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <hub type='usb'>: device 'usb-hub' is missing"));
        return FALSE;
    }
    if (def->devices.redirdevs->len > 0 &&
        !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_USB_REDIR)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <redirdev>: device 'usb-redir' is missing"));
        return FALSE;
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (d->bus == VGM_DISK_BUS_USB && !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_USB_STORAGE)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support disk '%1$s' on bus 'usb': device 'usb-storage' is missing"),
                        d->dst);
            return FALSE;
        }
    }
    for (i = 0; i < def->devices.serials->len; i++) {
        static const VgmQemuDeviceCap serialModels[] = {
            { "isa-debugcon", VGM_QEMU_CAPS_DEVICE_ISA_DEBUGCON },
            { "pci-serial", VGM_QEMU_CAPS_DEVICE_PCI_SERIAL },
            { "usb-serial", VGM_QEMU_CAPS_DEVICE_USB_SERIAL },
        };
        const VgmChrDef *chr = g_ptr_array_index(def->devices.serials, i);
        size_t m;

        for (m = 0; m < G_N_ELEMENTS(serialModels); m++) {
            if (g_strcmp0(chr->targetModel, serialModels[m].device) == 0 &&
                !vgmQemuCapsGet(caps, serialModels[m].flag)) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("this QEMU binary does not support <serial> port %1$u of model '%2$s': the device is missing"),
                            chr->port, serialModels[m].device);
                return FALSE;
            }
        }
    }
    if (def->devices.parallels->len > 0 &&
        !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_ISA_PARALLEL)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("this QEMU binary does not support <parallel>: device 'isa-parallel' is missing"));
        return FALSE;
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (d->type == VGM_DISK_TYPE_VHOSTUSER &&
            !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VHOST_USER_BLK_PCI)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support vhostuser disk '%1$s': device 'vhost-user-blk-pci' is missing"),
                        d->dst);
            return FALSE;
        }
        if (d->device == VGM_DISK_DEVICE_FLOPPY &&
            (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_FLOPPY) ||
             !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_ISA_FDC))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support floppy disk '%1$s': device 'floppy' or 'isa-fdc' is missing"),
                        d->dst);
            return FALSE;
        }
        if (d->net) {
            if (!vgmQemuValidateNetSource(caps, d->net, d->dst, error))
                return FALSE;
            /* aio is the file driver's */
            if (d->io) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<driver io='%1$s'> of network disk '%2$s' is for file and block disks: QEMU's %3$s driver has no aio"),
                            vgmDiskIoTypeToString(d->io), d->dst,
                            vgmDiskProtocolTypeToString(d->net->protocol));
                return FALSE;
            }
        }
        for (guint k = 0; d->backing && k < d->backing->len; k++) {
            const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

            if ((l->net && !vgmQemuValidateNetSource(caps, l->net, d->dst, error)) ||
                !vgmQemuValidateEncryption(caps, l->encryption, d->dst, error))
                return FALSE;
        }
        if (d->type != VGM_DISK_TYPE_VHOSTUSER &&
            !vgmQemuValidateEncryption(caps, d->encryption, d->dst, error))
            return FALSE;
        if (d->io == VGM_DISK_IO_URING &&
            !vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BLOCKDEV_AIO_IO_URING)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <driver io='io_uring'> (disk '%1$s'): its -blockdev has no aio 'io_uring' (capability 'blockdev.aio.io_uring')"),
                        d->dst);
            return FALSE;
        }
    }
    /* a UEFI varstore on the network */
    if (def->os.nvramNet && !vgmQemuValidateNetSource(caps, def->os.nvramNet, "nvram", error))
        return FALSE;
    return TRUE;
}

/* <filesystem>: the device each share needs, and QEMU's limits on the
 * mount tag (31 bytes for 9p, 36 for virtiofs: QEMU refuses longer) */
/* ACPI HMAT: the machine's hmat property, and an initiator for every
 * node (QEMU wants one on each with HMAT on) */
static gboolean
vgmQemuValidateHmat(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    const VgmCpuDef *cpu = def->cpu;
    size_t i;

    if (!vgmDomainDefHasHmat(def))
        return TRUE;
    /* QEMU takes hmat=on without ACPI, and the guest sees nothing */
    if (def->features.features[VGM_FEATURE_ACPI] != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("NUMA <cache> and <interconnects> need <features><acpi/></features>: QEMU gives them to the guest as an ACPI table (HMAT)"));
        return FALSE;
    }
    if (!vgmQemuCapsGet(caps, VGM_QEMU_CAPS_MACHINE_HMAT)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("this QEMU binary does not support NUMA <cache> or <interconnects> (ACPI HMAT): its machine type has no 'hmat' property"));
        return FALSE;
    }
    if (vgmDomainDefNumaInitiator(def, 0) < 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("NUMA <cache> or <interconnects> (ACPI HMAT) need at least one NUMA cell with CPUs: every cell needs an initiator"));
        return FALSE;
    }
    /* what QEMU's HMAT builder refuses at start */
    for (i = 0; i < cpu->ninterconnects; i++) {
        const VgmNumaInterconnect *l = &cpu->interconnects[i];

        if (l->bandwidth && l->value % 1024) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<bandwidth initiator='%1$u' target='%2$u'> of %3$llu KiB/s: QEMU takes HMAT bandwidths in whole MiB/s"),
                        l->initiator, l->target, l->value);
            return FALSE;
        }
    }
    for (i = 0; i < cpu->ncells; i++) {
        const VgmDomainNumaCell *cell = &cpu->cells[i];
        gboolean latency = FALSE, bandwidth = FALSE;
        const VgmNumaCache *byLevel[4] = { NULL };
        size_t j;

        if (!cell->ncaches)
            continue;
        for (j = 0; j < cpu->ninterconnects; j++) {
            const VgmNumaInterconnect *l = &cpu->interconnects[j];

            if (l->target == cell->id && l->value) {
                bandwidth |= l->bandwidth;
                latency |= !l->bandwidth;
            }
        }
        if (!latency || !bandwidth) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("NUMA cell %1$u has a memory-side <cache>, and QEMU needs a nonzero <latency> and a nonzero <bandwidth> in <interconnects> with target='%1$u' first"),
                        cell->id);
            return FALSE;
        }
        /* validation held levels to 1..3, once each */
        for (j = 0; j < cell->ncaches; j++)
            byLevel[cell->caches[j].level] = &cell->caches[j];
        for (j = 2; j <= 3; j++) {
            if (!byLevel[j])
                continue;
            if (!byLevel[j - 1] || byLevel[j]->size <= byLevel[j - 1]->size) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<cache level='%1$zu'> of NUMA cell %2$u: QEMU needs level %3$zu below it, smaller than it"),
                            j, cell->id, j - 1);
                return FALSE;
            }
        }
    }
    return TRUE;
}

static gboolean
vgmQemuValidateFilesystems(const VgmDomainDef *def, const VgmQemuCaps *caps, GError **error)
{
    static const struct {
        const char *device;
        VgmQemuCapsFlag flag;
    } ninepModels[VGM_FS_MODEL_LAST] = {
        [VGM_FS_MODEL_DEFAULT] = { "virtio-9p-pci", VGM_QEMU_CAPS_DEVICE_VIRTIO_9P_PCI },
        [VGM_FS_MODEL_VIRTIO] = { "virtio-9p-pci", VGM_QEMU_CAPS_DEVICE_VIRTIO_9P_PCI },
        [VGM_FS_MODEL_VIRTIO_TRANSITIONAL] = { "virtio-9p-pci-transitional",
                                               VGM_QEMU_CAPS_DEVICE_VIRTIO_9P_PCI_TRANSITIONAL },
        [VGM_FS_MODEL_VIRTIO_NON_TRANSITIONAL] = {
            "virtio-9p-pci-non-transitional", VGM_QEMU_CAPS_DEVICE_VIRTIO_9P_PCI_NON_TRANSITIONAL },
    };
    guint i;

    for (i = 0; i < def->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);
        gboolean virtiofs = fs->driver == VGM_FS_DRIVER_VIRTIOFS;
        const char *device = virtiofs ? "vhost-user-fs-pci" : ninepModels[fs->model].device;
        VgmQemuCapsFlag flag = virtiofs ? VGM_QEMU_CAPS_DEVICE_VHOST_USER_FS_PCI :
                               ninepModels[fs->model].flag;
        size_t maxTag = virtiofs ? 36 : 31;

        if (fs->driver == VGM_FS_DRIVER_HANDLE) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <driver type='handle'> in <filesystem> '%1$s': QEMU removed its 'handle' fsdev driver in 4.0; use type 'path' (or none)"),
                        fs->target);
            return FALSE;
        }
        if (!vgmQemuCapsGet(caps, flag)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("this QEMU binary does not support <filesystem> '%1$s': device '%2$s' is missing"),
                        fs->target, device);
            return FALSE;
        }
        if (strlen(fs->target) > maxTag) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<target dir='%1$s'> of <filesystem> is %2$zu bytes long: QEMU takes a %3$s mount tag of at most %4$zu"),
                        fs->target, strlen(fs->target), virtiofs ? "virtiofs" : "9p", maxTag);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmQemuValidateDomain(const VgmDomainDef *def, const VgmQemuCaps *caps,
                      GError **error)
{
    VgmQemuGmemChoice choice;

    return vgmQemuValidateMachine(def, caps, error) &&
           vgmQemuValidateTimers(def, caps, error) &&
           vgmQemuValidateDevices(def, error) &&
           vgmQemuValidateSmbios(def, error) &&
           vgmQemuValidateDeviceCaps(def, caps, error) &&
           vgmQemuValidateFilesystems(def, caps, error) &&
           vgmQemuValidateHmat(def, caps, error) &&
           vgmQemuValidateLaunchSecurity(def, caps, error) &&
           vgmQemuValidateMemory(def, caps, error) &&
           vgmQemuChooseGuestMemfd(def, caps, &choice, error) &&
           vgmQemuValidateLiveUpdate(def, caps, error);
}
