/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_caps.c: domain capabilities and host capabilities XML.
 *
 * "Does this QEMU support X for a domain?" is answered by building the
 * smallest domain that asks for X and running the QEMU validation of
 * qemu_validate.c on it, so domcapabilities can never promise what start
 * would refuse (or the other way round).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver_caps.h"
#include "driver_tpm.h"
#include "util/vgmbitmap.h"
#include "host/vgmhost.h"
#include "host/vgmnode.h"
#include "qemu/qemu_validate.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_cpu.h"
#include "qemu/qemu_firmware.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

char *
vgmDriverDefaultEmulator(const char *arch)
{
    const char *guest = arch ? arch : vgmHostArch();
    g_autofree char *name = g_strdup_printf("qemu-system-%s", vgmQemuArchBinaryName(guest));
    char *found;

    if ((found = g_find_program_in_path(name)))
        return found;
    /* an i686 guest runs on qemu-system-x86_64 where qemu-system-i386 is
     * missing, as libvirt falls back to it */
    if (g_str_equal(guest, "i686") && (found = g_find_program_in_path("qemu-system-x86_64")))
        return found;
    return g_build_filename("/usr/bin", name, NULL);
}

/* The machine @name (NULL: the default) of @caps; one the binary does not
 * have is an invalid argument of a capability call, as libvirt calls it
 * (a definition's is a configuration it cannot run) */
static const VgmQemuCapsMachine *
vgmDriverCapsMachineArg(const VgmQemuCaps *caps, const char *name, GError **error)
{
    const VgmQemuCapsMachine *m = vgmQemuCapsGetMachine(caps, name, error);

    if (!m && error && *error)
        (*error)->code = VGM_ERR_INVALID_ARG;
    return m;
}

const char *
vgmDriverGuestArch(const VgmQemuCaps *caps)
{
    /* query-target says "i386" where libvirt says "i686" */
    return vgmHostArchFromMachine(vgmQemuCapsGetArch(caps));
}

/* ---- host facts ---- */

/* Whether a kvm module parameter file says Y or 1. */
static gboolean
vgmDriverKvmParam(const char *module, const char *param)
{
    g_autofree char *path = g_strdup_printf("/sys/module/%s/parameters/%s", module, param);
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, 64, &text, NULL, NULL))
        return FALSE;
    g_strstrip(text);
    return g_str_equal(text, "Y") || g_str_equal(text, "1");
}

/* The guest_memfd creation flags KVM offers a VM of @vmType, 0 when it
 * has no guest_memfd there. */
static guint64
vgmDriverGmemFlagsOn(unsigned long vmType)
{
    g_auto(VgmHostKvmInfo) info = { 0 };

    if (!vgmHostKvmProbe(NULL, vmType, &info, NULL) ||
        !info.available || !info.guestMemfd)
        return 0;
    return info.flagsMask;
}

gboolean
vgmDriverKvmInPlaceCheck(const char *sysfs, GError **error)
{
    g_autofree char *module = g_build_filename(sysfs ? sysfs : "/sys", "module", "kvm", NULL);
    g_autofree char *path = g_build_filename(module, "parameters", "vm_memory_attributes", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_test(module, G_FILE_TEST_IS_DIR)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the host kernel cannot convert guest_memfd memory in place: the kvm module is not loaded (there is no %1$s)"),
                    module);
        return FALSE;
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the host kernel cannot convert guest_memfd memory in place: its kvm module predates the parameter vm_memory_attributes (there is no %1$s), so KVM keeps the private and shared attributes of memory per VM and not in guest_memfd"),
                    path);
        return FALSE;
    }
    if (!vgmFileReadAll(path, 64, &text, NULL, &err)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot read %1$s to learn whether the host kernel converts guest_memfd memory in place: %2$s"),
                    path, err->message);
        return FALSE;
    }
    g_strstrip(text);
    if (g_str_equal(text, "N") || g_str_equal(text, "0"))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                _("the host kernel cannot convert guest_memfd memory in place: the kvm module parameter vm_memory_attributes is '%1$s' (%2$s), so KVM keeps the private and shared attributes of memory per VM; load kvm with vm_memory_attributes=0"),
                text, path);
    return FALSE;
}

/* SEV policy bit 2: the guest runs with SEV-ES */
#define VGM_DRIVER_SEV_POLICY_ES 0x4ULL

gboolean
vgmDriverGmemNeedFor(const VgmDomainDef *def, VgmQemuGmemSpelling gmem,
                     gboolean convertInPlace, VgmDriverGmemNeed *need)
{
    memset(need, 0, sizeof(*need));
    if (gmem <= VGM_QEMU_GMEM_NONE || gmem >= VGM_QEMU_GMEM_LAST)
        return FALSE;
    need->vmType = VGM_HOST_KVM_X86_DEFAULT_VM;
    if (def->sec && g_strcmp0(def->os.arch, "x86_64") == 0) {
        switch (def->sec->type) {
        case VGM_LAUNCH_SECURITY_SEV:
            need->vmType = def->sec->havePolicy && (def->sec->policy & VGM_DRIVER_SEV_POLICY_ES) ?
                           VGM_HOST_KVM_X86_SEV_ES_VM : VGM_HOST_KVM_X86_SEV_VM;
            break;
        case VGM_LAUNCH_SECURITY_SEV_SNP:
            need->vmType = VGM_HOST_KVM_X86_SNP_VM;
            break;
        case VGM_LAUNCH_SECURITY_TDX:
            need->vmType = VGM_HOST_KVM_X86_TDX_VM;
            break;
        case VGM_LAUNCH_SECURITY_NONE:
        case VGM_LAUNCH_SECURITY_S390_PV:
        case VGM_LAUNCH_SECURITY_LAST:
            break;
        }
    }
    need->inPlace = convertInPlace || gmem == VGM_QEMU_GMEM_MACHINE;
    need->flags = VGM_HOST_GMEM_MMAP;
    /* INIT_SHARED is offered only to VM types that may have shared
     * guest_memfd from the start, never to SNP or TDX ones: in-place
     * conversion needs the mapping alone, unless QEMU asks for more */
    if (!need->inPlace ||
        gmem == VGM_QEMU_GMEM_MEMFD_PROP || gmem == VGM_QEMU_GMEM_MEMFD_XPROP)
        need->flags |= VGM_HOST_GMEM_INIT_SHARED;
    return TRUE;
}

char *
vgmDriverKvmVmTypeFormat(unsigned long vmType)
{
    switch (vmType) {
    case VGM_HOST_KVM_X86_DEFAULT_VM:
        return g_strdup("default");
    case VGM_HOST_KVM_X86_SW_PROTECTED_VM:
        return g_strdup("sw-protected");
    case VGM_HOST_KVM_X86_SEV_VM:
        return g_strdup("sev");
    case VGM_HOST_KVM_X86_SEV_ES_VM:
        return g_strdup("sev-es");
    case VGM_HOST_KVM_X86_SNP_VM:
        return g_strdup("snp");
    case VGM_HOST_KVM_X86_TDX_VM:
        return g_strdup("tdx");
    }
    return g_strdup_printf("%lu", vmType);
}

void
vgmDriverHostFactsProbe(VgmDriverHostFacts *facts)
{
    g_auto(VgmHostKvmInfo) info = { 0 };

    memset(facts, 0, sizeof(*facts));
    facts->kvm = access("/dev/kvm", R_OK | W_OK) == 0;
    if (facts->kvm && vgmHostKvmProbe(NULL, VGM_HOST_KVM_X86_DEFAULT_VM, &info, NULL) &&
        info.available) {
        facts->guestMemfd = info.guestMemfd;
        facts->gmemFlags = info.flagsMask;
    }
    facts->sev = vgmDriverKvmParam("kvm_amd", "sev");
    facts->sevSnp = vgmDriverKvmParam("kvm_amd", "sev_snp");
    facts->tdx = vgmDriverKvmParam("kvm_intel", "tdx");
    facts->sgx = access("/dev/sgx_vepc", F_OK) == 0;
    if (facts->kvm && facts->sevSnp)
        facts->snpGmemFlags = vgmDriverGmemFlagsOn(VGM_HOST_KVM_X86_SNP_VM);
    if (facts->kvm && facts->tdx)
        facts->tdxGmemFlags = vgmDriverGmemFlagsOn(VGM_HOST_KVM_X86_TDX_VM);
    facts->inPlaceKernel = vgmDriverKvmInPlaceCheck(NULL, NULL);
}

/* ---- asking the QEMU validation ---- */

/* <mode name='host-model'>: the named model and features a host-model CPU
 * becomes under @accel, as libvirt lists them; unsupported where the
 * capability set has no host CPU for @accel. */
static void
vgmDriverCapsHostModel(VgmBuf *buf, const VgmQemuCaps *caps, VgmQemuCapsAccel accel)
{
    VgmCpuDef cpu = { .mode = VGM_CPU_MODE_HOST_MODEL };
    g_autoptr(VgmQemuCpuHostModel) hm = vgmQemuCpuExpandHostModel(&cpu, caps, accel, NULL);
    const char *vendor;
    guint i;

    if (!hm) {
        vgmBufAdd(buf, "<mode name='host-model' supported='no'/>\n");
        return;
    }
    vgmBufAdd(buf, "<mode name='host-model' supported='yes'>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufEscapeString(buf, "<model fallback='forbid'>%s</model>\n", hm->model);
    if ((vendor = vgmQemuCpuVendorXMLName(hm->vendor)))
        vgmBufAsprintf(buf, "<vendor>%s</vendor>\n", vendor);
    for (i = 0; i < hm->settings->len; i++) {
        const VgmQemuCpuSetting *set = g_ptr_array_index(hm->settings, i);

        vgmBufAsprintf(buf, "<feature policy='%s' ", set->on ? "require" : "disable");
        vgmBufEscapeString(buf, "name='%s'/>\n", vgmQemuCpuFeatureXMLName(set->name));
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</mode>\n");
}

/* QEMU's generic CPU models, for which libvirt's CPU map names no vendor */
static const char *const vgmDriverCapsGenericModels[] = {
    "486", "kvm32", "kvm64", "pentium", "pentium2", "pentium3", "qemu32", "qemu64", NULL,
};

/* <mode name='custom'>: each named model of the binary under @accel that
 * libvirt's CPU map knows, as libvirt lists them (the reverse of their
 * sorted order), usable when the accelerator has every feature it
 * defines */
static void
vgmDriverCapsCustomModels(VgmBuf *buf, const VgmQemuCaps *caps, VgmQemuCapsAccel accel)
{
    g_autoptr(VgmQemuCapsHostCpu) hc = vgmQemuCapsGetHostCpu(caps, accel);
    /* (a model's vendor is the one TCG gives it: under KVM QEMU gives
     * every model the host's, and libvirt's CPU map names the model's) */
    g_autoptr(VgmQemuCapsHostCpu) tcg = accel == VGM_QEMU_CAPS_ACCEL_TCG ? NULL :
                                        vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG);
    g_autoptr(GHashTable) vendors = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) have = NULL;
    guint i;

    if (!hc || !hc->host || !hc->models || hc->models->len == 0) {
        vgmBufAdd(buf, "<mode name='custom' supported='yes'/>\n");
        return;
    }
    for (i = 0; i < (tcg && tcg->models ? tcg : hc)->models->len; i++) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index((tcg && tcg->models ? tcg : hc)->models, i);

        if (m->vendor)
            g_hash_table_insert(vendors, m->name, m->vendor);
    }
    have = g_hash_table_new(g_str_hash, g_str_equal);
    for (i = 0; hc->host->features && hc->host->features[i]; i++)
        g_hash_table_add(have, hc->host->features[i]);
    vgmBufAdd(buf, "<mode name='custom' supported='yes'>\n");
    vgmBufAdjustIndent(buf, 2);
    for (i = hc->models->len; i > 0; i--) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(hc->models, i - 1);
        const char *cpuid = g_hash_table_lookup(vendors, m->name);
        const char *vendor = cpuid ? vgmQemuCpuVendorXMLName(cpuid) : NULL;
        gboolean usable = TRUE;
        guint k;

        if (!g_strv_contains(vgmQemuCpuLibvirtX86Models, m->name))
            continue;
        for (k = 0; m->features && m->features[k] && usable; k++)
            usable = g_hash_table_contains(have, m->features[k]);
        if (g_strv_contains(vgmDriverCapsGenericModels, m->name))
            vendor = NULL;
        vgmBufAsprintf(buf, "<model usable='%s' vendor='%s'>", usable ? "yes" : "no",
                       vendor ? vendor : "unknown");
        vgmBufEscapeString(buf, "%s</model>\n", m->name);
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</mode>\n");
}

/* The smallest domain of @virttype/@arch/@machine with @memoryBacking,
 * @features and @lsec (XML fragments), or NULL when it does not parse. */
static VgmDomainDef *
vgmDriverCapsDomain(const char *virttype, const char *arch, const char *machine,
                    const char *memoryBacking, const char *features,
                    const char *lsec)
{
    g_autofree char *xml = NULL;

    xml = g_strdup_printf("<domain type='%s'><name>domcaps</name>"
                          "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                          "%s<os><type arch='%s' machine='%s'>hvm</type></os>%s"
                          "<devices><memballoon model='none'/></devices>%s</domain>",
                          virttype, memoryBacking ? memoryBacking : "",
                          arch, machine, features ? features : "", lsec ? lsec : "");
    return vgmDomainDefParseString(xml, "domcaps", VGM_DOMAIN_PARSE_NONE, NULL);
}

/* Whether that domain passes generic and QEMU validation. */
static gboolean
vgmDriverCapsWouldWork(const VgmQemuCaps *caps, const char *virttype,
                       const char *arch, const char *machine,
                       const char *memoryBacking, const char *features,
                       const char *lsec)
{
    g_autoptr(VgmDomainDef) def = vgmDriverCapsDomain(virttype, arch, machine,
                                                      memoryBacking, features, lsec);

    return def && vgmQemuValidateDomain(def, caps, NULL);
}

/* Whether the domain with launch security @lsec and in-place conversion
 * would start: QEMU validates it, the kernel converts in place, and the
 * guest_memfd flags the chosen spelling asks for are among @hostFlags
 * (what KVM offers that VM type), as start checks them. */
static gboolean
vgmDriverCapsInPlace(const VgmQemuCaps *caps, const char *virttype,
                     const char *arch, const char *machine,
                     const char *features, const char *lsec,
                     guint64 hostFlags, const VgmDriverHostFacts *facts)
{
    g_autoptr(VgmDomainDef) def = NULL;
    VgmQemuGmemChoice choice;
    VgmDriverGmemNeed need;

    if (!facts->inPlaceKernel || !hostFlags ||
        !(def = vgmDriverCapsDomain(virttype, arch, machine, NULL, features, lsec)) ||
        !vgmQemuValidateDomain(def, caps, NULL) ||
        !vgmQemuChooseGuestMemfd(def, caps, &choice, NULL) ||
        !vgmDriverGmemNeedFor(def, choice.spelling, choice.convertInPlace, &need))
        return FALSE;
    return (need.flags & ~hostFlags) == 0;
}

static gboolean
vgmDriverCapsGuestMemfdQemu(const VgmQemuCaps *caps, const char *virttype,
                            const char *arch, const char *machine)
{
    g_autoptr(VgmDomainDef) def = NULL;
    VgmQemuGmemChoice choice;

    if (!(def = vgmDriverCapsDomain(virttype, arch, machine,
                                    "<memoryBacking><source type='guestmemfd'/></memoryBacking>",
                                    NULL, NULL)))
        return FALSE;
    return vgmQemuChooseGuestMemfd(def, caps, &choice, NULL) &&
           choice.spelling != 0 &&
           vgmQemuValidateDomain(def, caps, NULL);
}

/* ---- domain capabilities ---- */

static void
vgmDriverCapsEnum(VgmBuf *buf, const char *name, const char *const *values)
{
    size_t i;

    if (!values[0]) {
        vgmBufAsprintf(buf, "<enum name='%s'/>\n", name);
        return;
    }
    vgmBufAsprintf(buf, "<enum name='%s'>\n", name);
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; values[i]; i++)
        vgmBufAsprintf(buf, "<value>%s</value>\n", values[i]);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</enum>\n");
}

static void
vgmDriverCapsEnumArray(VgmBuf *buf, const char *name, GPtrArray *values)
{
    g_ptr_array_add(values, NULL);
    vgmDriverCapsEnum(buf, name, (const char *const *)values->pdata);
    g_ptr_array_remove_index(values, values->len - 1);
}

/* <ELEMENT supported='yes'> holding the enum @name of @values, or
 * <ELEMENT supported='no'/> when there are none. */
static void
vgmDriverCapsSupportedEnum(VgmBuf *buf, const char *element, const char *name,
                           GPtrArray *values)
{
    if (!values->len) {
        vgmBufAsprintf(buf, "<%s supported='no'/>\n", element);
        return;
    }
    vgmBufAsprintf(buf, "<%s supported='yes'>\n", element);
    vgmBufAdjustIndent(buf, 2);
    vgmDriverCapsEnumArray(buf, name, values);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAsprintf(buf, "</%s>\n", element);
}

static const char *
vgmDriverYesNo(gboolean b)
{
    return b ? "yes" : "no";
}

/* <tpm>: the frontends QEMU has; swtpm (an emulator of the driver's, or
 * someone else's: 'external') and its TPM versions where this host has
 * swtpm_setup, as libvirt lists them (virt-install gives Windows 11 and
 * UEFI guests a TPM by them); passthrough of the host's TPM is refused */
static void
vgmDriverCapsTpm(VgmBuf *buf, const VgmQemuCaps *caps)
{
    VgmDriverTpmHost host = vgmDriverTpmHostProbe();
    const char *const models[] = {
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_TPM_TIS) ? "tpm-tis" : "",
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_TPM_CRB) ? "tpm-crb" : "",
    };
    g_autoptr(GPtrArray) have = g_ptr_array_new();
    size_t k;

    for (k = 0; k < G_N_ELEMENTS(models); k++) {
        if (*models[k])
            g_ptr_array_add(have, (gpointer)models[k]);
    }
    vgmBufAsprintf(buf, "<tpm supported='%s'>\n", vgmDriverYesNo(have->len > 0));
    vgmBufAdjustIndent(buf, 2);
    vgmDriverCapsEnumArray(buf, "model", have);
    vgmDriverCapsEnum(buf, "backendModel", host.swtpm ? (const char *const[]){ "emulator", "external", NULL }
                                                      : (const char *const[]){ NULL });
    if (host.swtpm && (host.v12 || host.v20))
        vgmDriverCapsEnum(buf, "backendVersion", (const char *const[]){
            host.v12 ? "1.2" : "2.0", host.v12 && host.v20 ? "2.0" : NULL, NULL });
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</tpm>\n");
}

/* @virttype ("kvm", "qemu"; NULL: kvm where @caps and the host have it,
 * else qemu) checked against @caps and @facts; *@kvm says which. */
static const char *
vgmDriverVirtType(const VgmQemuCaps *caps, const char *emulator, const char *virttype,
                  const VgmDriverHostFacts *facts, gboolean *kvm, GError **error)
{
    if (!virttype)
        virttype = vgmQemuCapsHasKVM(caps) && facts->kvm ? "kvm" : "qemu";
    if (!g_str_equal(virttype, "kvm") && !g_str_equal(virttype, "qemu")) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unknown virtualization type '%1$s': expected 'kvm' or 'qemu'"),
                    virttype);
        return NULL;
    }
    *kvm = g_str_equal(virttype, "kvm");
    if (*kvm && !vgmQemuCapsHasKVM(caps)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("KVM is not supported by '%1$s'"), emulator);
        return NULL;
    }
    if (*kvm && !facts->kvm) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the accel 'kvm' is not supported by '%1$s' on this host"),
                    emulator);
        return NULL;
    }
    return virttype;
}

char *
vgmDriverDomainCapsFormat(const VgmQemuCaps *caps, const char *emulator, const char *arch,
                          const char *virttype, const char *machine,
                          const VgmDriverHostFacts *facts, GError **error)
{
    g_auto(VgmBuf) buf = { 0 };
    g_autoptr(GPtrArray) sources = g_ptr_array_new();
    g_autoptr(GPtrArray) sectypes = g_ptr_array_new();
    g_autoptr(GPtrArray) inplace = g_ptr_array_new();
    g_autoptr(GPtrArray) lu = g_ptr_array_new();
    const VgmQemuCapsMachine *m;
    g_auto(GStrv) firmwareDirs = NULL;
    g_autoptr(GPtrArray) loaders = NULL;
    gboolean efi, secure;
    gboolean kvm;
    gboolean gmemQemu, gmemHost;
    gboolean s390pv, sev, snp, tdx, sgx;
    guint64 f;
    int bit;
    const char *const *virtioModels;

    if (!(virttype = vgmDriverVirtType(caps, emulator, virttype, facts, &kvm, error)) ||
        !(m = vgmDriverCapsMachineArg(caps, machine, error)))
        return NULL;

    if (!arch)
        arch = vgmDriverGuestArch(caps);
    vgmBufInit(&buf, 0);
    vgmBufAdd(&buf, "<domainCapabilities>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeString(&buf, "<path>%s</path>\n", emulator);
    vgmBufAsprintf(&buf, "<domain>%s</domain>\n", virttype);
    vgmBufEscapeString(&buf, "<machine>%s</machine>\n", m->name);
    vgmBufEscapeString(&buf, "<arch>%s</arch>\n", arch);
    vgmBufAsprintf(&buf, "<vcpu max='%u'/>\n", m->cpuMax);
    /* (<iothreads> and the rest of I/O threads, QEMU's iothread objects) */
    vgmBufAsprintf(&buf, "<iothreads supported='%s'/>\n",
                   vgmDriverYesNo(vgmQemuCapsHasObjectType(caps, "iothread")));

    /* os: what the domain XML model takes. 'efi' when a firmware
     * descriptor offers UEFI for this arch and machine, as libvirt lists
     * it (clients such as virt-install ask for UEFI by it); BIOS is the
     * machine's own. The loaders are those descriptors' executables
     * (virt-manager offers them), and a secure one is there only where
     * such a descriptor boots securely (on q35: it needs SMM) */
    vgmBufAdd(&buf, "<os supported='yes'>\n");
    vgmBufAdjustIndent(&buf, 2);
    firmwareDirs = vgmQemuConfigFirmwareDirs();
    loaders = vgmQemuFirmwareLoaders((const char *const *)firmwareDirs, arch, m->name, &secure);
    efi = loaders->len > 0;
    vgmDriverCapsEnum(&buf, "firmware", (const char *const[]){ "bios", efi ? "efi" : NULL, NULL });
    vgmBufAdd(&buf, "<loader supported='yes'>\n");
    vgmBufAdjustIndent(&buf, 2);
    for (guint l = 0; l < loaders->len; l++)
        vgmBufEscapeString(&buf, "<value>%s</value>\n", g_ptr_array_index(loaders, l));
    vgmDriverCapsEnum(&buf, "type", (const char *const[]){ "rom", "pflash", NULL });
    vgmDriverCapsEnum(&buf, "readonly", (const char *const[]){ "yes", "no", NULL });
    vgmDriverCapsEnum(&buf, "secure", (const char *const[]){ secure ? "yes" : "no",
                                                            secure ? "no" : NULL, NULL });
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</loader>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</os>\n");

    vgmBufAdd(&buf, "<cpu>\n");
    vgmBufAdjustIndent(&buf, 2);
    if (kvm) {
        /* migratable on and off are both lowered (-cpu host,migratable=) */
        vgmBufAdd(&buf, "<mode name='host-passthrough' supported='yes'>\n");
        vgmBufAdjustIndent(&buf, 2);
        vgmDriverCapsEnum(&buf, "hostPassthroughMigratable", (const char *const[]){ "on", "off", NULL });
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</mode>\n");
    } else {
        vgmBufAdd(&buf, "<mode name='host-passthrough' supported='no'/>\n");
    }
    /* (-cpu max,migratable=, as for host-passthrough) */
    vgmBufAdd(&buf, "<mode name='maximum' supported='yes'>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsEnum(&buf, "maximumMigratable", (const char *const[]){ "on", "off", NULL });
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</mode>\n");
    vgmDriverCapsHostModel(&buf, caps, kvm ? VGM_QEMU_CAPS_ACCEL_KVM : VGM_QEMU_CAPS_ACCEL_TCG);
    vgmDriverCapsCustomModels(&buf, caps, kvm ? VGM_QEMU_CAPS_ACCEL_KVM : VGM_QEMU_CAPS_ACCEL_TCG);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</cpu>\n");

    /* memoryBacking: each source type the start path would accept */
    gmemQemu = kvm && vgmDriverCapsGuestMemfdQemu(caps, virttype, arch, m->name);
    gmemHost = facts->kvm && facts->guestMemfd &&
               (facts->gmemFlags & (VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED)) ==
               (VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED);
    if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_FILE))
        g_ptr_array_add(sources, (gpointer)"file");
    if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_RAM))
        g_ptr_array_add(sources, (gpointer)"anonymous");
    if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD))
        g_ptr_array_add(sources, (gpointer)"memfd");
    if (gmemQemu && gmemHost)
        g_ptr_array_add(sources, (gpointer)"guestmemfd");
    vgmBufAsprintf(&buf, "<memoryBacking supported='%s'>\n", vgmDriverYesNo(sources->len > 0));
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsEnumArray(&buf, "sourceType", sources);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</memoryBacking>\n");

    /* (QEMU 4.0 brought every transitional and non-transitional virtio
     * device at once) */
    virtioModels = vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VIRTIO_BLK_PCI_TRANSITIONAL) ?
                   vgmVirtioModels : (const char *const[]){ "virtio", NULL };
    vgmBufAdd(&buf, "<devices>\n");
    vgmBufAdjustIndent(&buf, 2);
    {
        /* libvirt's order; the PC's IDE, a floppy on its controller where
         * QEMU has them ('lun', a SCSI host device, is refused) */
        gboolean floppy = vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_FLOPPY) &&
                          vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_ISA_FDC);
        gboolean ide = g_str_equal(m->name, "pc") || g_str_has_prefix(m->name, "pc-i440fx");
        const char *const devices[] = { "disk", "cdrom", floppy ? "floppy" : NULL, NULL };
        const char *const buses[] = {
            ide ? "ide" : "", floppy ? "fdc" : "", "scsi", "virtio",
            vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_USB_STORAGE) ? "usb" : "", "sata",
        };
        g_autoptr(GPtrArray) bus = g_ptr_array_new();
        size_t k;

        for (k = 0; k < G_N_ELEMENTS(buses); k++) {
            if (*buses[k])
                g_ptr_array_add(bus, (gpointer)buses[k]);
        }
        vgmBufAdd(&buf, "<disk supported='yes'>\n");
        vgmBufAdjustIndent(&buf, 2);
        vgmDriverCapsEnum(&buf, "diskDevice", devices);
        vgmDriverCapsEnumArray(&buf, "bus", bus);
    }
    vgmDriverCapsEnum(&buf, "model",
                      virtioModels);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</disk>\n");
    /* graphics and video models: what this binary runs (clients pick
     * their defaults from these: virt-manager and virt-install SPICE with
     * USB redirection where the type is listed) */
    vgmBufAdd(&buf, "<graphics supported='yes'>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsEnum(&buf, "type", vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SPICE) ?
                                    (const char *const[]){ "vnc", "spice", NULL } :
                                    (const char *const[]){ "vnc", NULL });
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</graphics>\n");
    {
        /* libvirt's order */
        static const char *const models[] = {
            "vga", "cirrus", "vmvga", "qxl", "virtio", "none", "bochs", "ramfb", NULL
        };
        g_autoptr(GPtrArray) have = g_ptr_array_new();
        size_t k;

        for (k = 0; models[k]; k++) {
            const VgmQemuVideoDevice *vd = vgmQemuVideoDeviceFind(models[k]);

            if (vd && (!vd->primary || vgmQemuCapsGet(caps, vd->primaryFlag)))
                g_ptr_array_add(have, (gpointer)models[k]);
        }
        vgmBufAdd(&buf, "<video supported='yes'>\n");
        vgmBufAdjustIndent(&buf, 2);
        vgmDriverCapsEnumArray(&buf, "modelType", have);
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</video>\n");
    }
    /* (host devices are not passed to guests: VFIO, USB, SCSI) */
    vgmBufAdd(&buf, "<hostdev supported='no'/>\n");
    vgmBufAdd(&buf, "<rng supported='yes'>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsEnum(&buf, "model",
                      virtioModels);
    vgmDriverCapsEnum(&buf, "backendModel", (const char *const[]){
        "random", vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_RNG_EGD) ? "egd" : "builtin",
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_RNG_EGD) ? "builtin" : NULL, NULL });
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</rng>\n");
    /* shared directories: 9p's path driver, and virtiofs where QEMU has
     * its device (QEMU has no 'handle' driver, which libvirt lists) */
    {
        g_autoptr(GPtrArray) fsDrivers = g_ptr_array_new();

        if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VIRTIO_9P_PCI))
            g_ptr_array_add(fsDrivers, (gpointer)"path");
        if (vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VHOST_USER_FS_PCI))
            g_ptr_array_add(fsDrivers, (gpointer)"virtiofs");
        vgmBufAsprintf(&buf, "<filesystem supported='%s'>\n", vgmDriverYesNo(fsDrivers->len > 0));
        vgmBufAdjustIndent(&buf, 2);
        vgmDriverCapsEnumArray(&buf, "driverType", fsDrivers);
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</filesystem>\n");
    }
    vgmDriverCapsTpm(&buf, caps);
    vgmBufAsprintf(&buf, "<redirdev supported='%s'>\n",
                   vgmDriverYesNo(vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_USB_REDIR)));
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsEnum(&buf, "bus", vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_USB_REDIR) ?
                                   (const char *const[]){ "usb", NULL } :
                                   (const char *const[]){ NULL });
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</redirdev>\n");
    /* the channels' types, as libvirt 9.0 lists them (virt-install adds
     * a spicevmc channel to SPICE graphics where one is listed) */
    vgmBufAdd(&buf, "<channel supported='yes'>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsEnum(&buf, "type", (const char *const[]){
        "pty", "unix", vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SPICE) ? "spicevmc" : NULL, NULL });
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</channel>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</devices>\n");

    /* features: launch security needs the QEMU object, the host's KVM
     * support for it, and (but s390-pv) domain type kvm */
    s390pv = kvm && vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_S390_PV_GUEST) &&
             g_strcmp0(arch, "s390x") == 0;
    sev = kvm && facts->kvm && facts->sev &&
          vgmDriverCapsWouldWork(caps, virttype, arch, m->name, NULL, NULL,
                                 "<launchSecurity type='sev'><cbitpos>51</cbitpos>"
                                 "<reducedPhysBits>1</reducedPhysBits><policy>0x0033</policy>"
                                 "</launchSecurity>");
    snp = kvm && facts->kvm && facts->sevSnp &&
          vgmDriverCapsWouldWork(caps, virttype, arch, m->name, NULL, NULL,
                                 "<launchSecurity type='sev-snp'><cbitpos>51</cbitpos>"
                                 "<reducedPhysBits>1</reducedPhysBits><policy>0x30000</policy>"
                                 "</launchSecurity>");
    tdx = kvm && facts->kvm && facts->tdx &&
          vgmDriverCapsWouldWork(caps, virttype, arch, m->name, NULL,
                                 "<features><ioapic driver='qemu'/></features>",
                                 "<launchSecurity type='tdx'><policy>0x10000000</policy>"
                                 "</launchSecurity>");
    sgx = kvm && facts->sgx && vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_EPC) &&
          vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_SGX_EPC);
    if (sev)
        g_ptr_array_add(sectypes, (gpointer)"sev");
    if (snp)
        g_ptr_array_add(sectypes, (gpointer)"sev-snp");
    if (s390pv)
        g_ptr_array_add(sectypes, (gpointer)"s390-pv");
    if (tdx)
        g_ptr_array_add(sectypes, (gpointer)"tdx");

    vgmBufAdd(&buf, "<features>\n");
    vgmBufAdjustIndent(&buf, 2);
    /* libvirt's first: an ARM interrupt controller (none on x86), the
     * devices of <vmcoreinfo/> and <genid>, the <backingStore> a
     * definition gives (the disks' -blockdev chains), and the backup
     * jobs, which virt-gmem does not run */
    vgmBufAdd(&buf, "<gic supported='no'/>\n");
    vgmBufAsprintf(&buf, "<vmcoreinfo supported='%s'/>\n",
                   vgmDriverYesNo(vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VMCOREINFO)));
    vgmBufAsprintf(&buf, "<genid supported='%s'/>\n",
                   vgmDriverYesNo(vgmQemuCapsGet(caps, VGM_QEMU_CAPS_DEVICE_VMGENID)));
    vgmBufAdd(&buf, "<backingStoreInput supported='yes'/>\n");
    vgmBufAdd(&buf, "<backup supported='no'/>\n");
    vgmBufAsprintf(&buf, "<s390-pv supported='%s'/>\n", vgmDriverYesNo(s390pv));
    vgmBufAsprintf(&buf, "<tdx supported='%s'/>\n", vgmDriverYesNo(tdx));
    vgmBufAsprintf(&buf, "<sev supported='%s'/>\n", vgmDriverYesNo(sev || snp));
    vgmBufAsprintf(&buf, "<sgx supported='%s'/>\n", vgmDriverYesNo(sgx));
    vgmDriverCapsSupportedEnum(&buf, "launchSecurity", "sectype", sectypes);

    /* the extension: guest_memfd as guest RAM (specification, section 4) */
    if (snp &&
        vgmDriverCapsInPlace(caps, virttype, arch, m->name, NULL,
                             "<launchSecurity type='sev-snp' inPlaceConversion='yes'>"
                             "<cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits>"
                             "<policy>0x30000</policy></launchSecurity>",
                             facts->snpGmemFlags, facts))
        g_ptr_array_add(inplace, (gpointer)"sev-snp");
    if (tdx &&
        vgmDriverCapsInPlace(caps, virttype, arch, m->name,
                             "<features><ioapic driver='qemu'/></features>",
                             "<launchSecurity type='tdx' inPlaceConversion='yes'>"
                             "<policy>0x10000000</policy></launchSecurity>",
                             facts->tdxGmemFlags, facts))
        g_ptr_array_add(inplace, (gpointer)"tdx");
    if (vgmDriverCapsWouldWork(caps, virttype, arch, m->name,
                               "<memoryBacking><source type='memfd'/><access mode='shared'/>"
                               "<liveUpdate/></memoryBacking>", NULL, NULL))
        g_ptr_array_add(lu, (gpointer)"memfd");
    if (vgmDriverCapsWouldWork(caps, virttype, arch, m->name,
                               "<memoryBacking><source type='file'/><access mode='shared'/>"
                               "<liveUpdate/></memoryBacking>", NULL, NULL))
        g_ptr_array_add(lu, (gpointer)"file");
    if (gmemHost &&
        vgmDriverCapsWouldWork(caps, virttype, arch, m->name,
                               "<memoryBacking><source type='guestmemfd'/>"
                               "<liveUpdate/></memoryBacking>", NULL, NULL))
        g_ptr_array_add(lu, (gpointer)"guestmemfd");

    vgmBufAsprintf(&buf, "<guestMemfd supported='%s'>\n", vgmDriverYesNo(gmemQemu && gmemHost));
    vgmBufAdjustIndent(&buf, 2);
    vgmBufAsprintf(&buf, "<qemu supported='%s'/>\n", vgmDriverYesNo(gmemQemu));
    vgmBufAsprintf(&buf, "<host supported='%s'/>\n", vgmDriverYesNo(gmemHost));
    f = facts->guestMemfd ? facts->gmemFlags : 0;
    if (!f) {
        vgmBufAdd(&buf, "<hostFlags/>\n");
    } else {
        vgmBufAdd(&buf, "<hostFlags>\n");
        vgmBufAdjustIndent(&buf, 2);
        for (bit = 0; bit < 64; bit++) {
            g_autofree char *one = NULL;

            if (!(f & (G_GUINT64_CONSTANT(1) << bit)))
                continue;
            one = vgmHostGuestMemfdFlagsFormat(G_GUINT64_CONSTANT(1) << bit);
            vgmBufEscapeString(&buf, "<flag name='%s'/>\n", one);
        }
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</hostFlags>\n");
    }
    vgmDriverCapsSupportedEnum(&buf, "inPlaceConversion", "launchSecurityType", inplace);
    vgmDriverCapsSupportedEnum(&buf, "liveUpdate", "sourceType", lu);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</guestMemfd>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</features>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</domainCapabilities>\n");
    return vgmBufSteal(&buf);
}

char *
vgmDriverDomainCapabilities(const VgmDriverStore *store, const char *emulator,
                            const char *arch, const char *machine,
                            const char *virttype, GError **error)
{
    g_autofree char *binary = emulator ? g_strdup(emulator) : vgmDriverDefaultEmulator(arch);
    g_autoptr(VgmQemuCaps) caps = NULL;
    VgmDriverHostFacts facts;

    /* an architecture no QEMU binary here emulates: an invalid argument,
     * as libvirt's "unknown architecture" */
    if (!emulator && arch && !g_file_test(binary, G_FILE_TEST_EXISTS)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("no QEMU binary for architecture '%1$s' ('%2$s' does not exist)"), arch,
                    binary);
        return NULL;
    }
    if (!(caps = vgmQemuCapsCacheLookup(binary, store->cacheDir, error)))
        return NULL;
    if (arch && !vgmQemuArchRuns(vgmQemuCapsGetArch(caps), arch)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("QEMU binary '%1$s' emulates '%2$s', which does not run '%3$s' guests"),
                    binary, vgmDriverGuestArch(caps), arch);
        return NULL;
    }
    vgmDriverHostFactsProbe(&facts);
    return vgmDriverDomainCapsFormat(caps, binary, arch, virttype, machine, &facts, error);
}

/* ---- CPU comparison and baseline ---- */

/* What a comparison or baseline runs against: the named models and
 * features of a binary, and the host CPU or the CPU an accelerator gives */
typedef struct {
    VgmQemuCpuContext ctx;
    VgmQemuCaps *caps;
    VgmQemuCapsHostCpu *accel[VGM_QEMU_CAPS_ACCEL_LAST];
    VgmQemuCapsCpuModel *host;  /* the host's own CPU, from CPUID */
    guint stepping;
    char *binary;
} VgmDriverCpuData;

static void
vgmDriverCpuDataClear(VgmDriverCpuData *d)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(d->accel); i++)
        g_clear_pointer(&d->accel[i], vgmQemuCapsHostCpuFree);
    g_clear_pointer(&d->ctx.known, g_hash_table_unref);
    g_clear_pointer(&d->caps, vgmQemuCapsFree);
    g_clear_pointer(&d->host, vgmQemuCapsCpuModelFree);
    g_clear_pointer(&d->binary, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverCpuData, vgmDriverCpuDataClear)

static void
vgmDriverCpuKnownAdd(GHashTable *known, const VgmQemuCapsCpuModel *m)
{
    size_t i;

    for (i = 0; m->features && m->features[i]; i++)
        g_hash_table_add(known, m->features[i]);
}

/*
 * Loads @d for a binary (@emulator NULL: the default one of @arch). With
 * @virttype set or @hypervisor, the CPU compared against is the one the
 * accelerator gives (libvirt's hypervisor calls); else, with @hostCpu, the
 * host's own CPU as CPUID describes it.
 */
static gboolean
vgmDriverCpuDataLoad(VgmDriverCpuData *d, const VgmDriverStore *store, gboolean hypervisor,
                     const char *emulator, const char *arch, const char *machine,
                     const char *virttype, gboolean hostCpu, GError **error)
{
    VgmDriverHostFacts facts;
    const VgmQemuCapsHostCpu *models = NULL;
    gboolean kvm = FALSE;
    size_t i;

    d->binary = emulator ? g_strdup(emulator) : vgmDriverDefaultEmulator(arch);
    if (!(d->caps = vgmQemuCapsCacheLookup(d->binary, store ? store->cacheDir : NULL, error)))
        return FALSE;
    if (arch && !vgmQemuArchRuns(vgmQemuCapsGetArch(d->caps), arch)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("QEMU binary '%1$s' emulates '%2$s', which does not run '%3$s' guests"),
                    d->binary, vgmDriverGuestArch(d->caps), arch);
        return FALSE;
    }
    if (!g_str_equal(vgmQemuCapsGetArch(d->caps), "x86_64") &&
        !g_str_equal(vgmQemuCapsGetArch(d->caps), "i386")) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("comparing CPUs is not supported for arch '%1$s': only x86 CPUs are described"),
                    vgmDriverGuestArch(d->caps));
        return FALSE;
    }
    if (hypervisor) {
        vgmDriverHostFactsProbe(&facts);
        if (!(virttype = vgmDriverVirtType(d->caps, d->binary, virttype, &facts, &kvm, error)) ||
            !vgmDriverCapsMachineArg(d->caps, machine, error))
            return FALSE;
    }
    d->ctx.known = g_hash_table_new(g_str_hash, g_str_equal);
    vgmQemuCpuAddCpuidNames(d->ctx.known);
    for (i = 0; i < G_N_ELEMENTS(d->accel); i++) {
        guint j;

        if (!(d->accel[i] = vgmQemuCapsGetHostCpu(d->caps, i)))
            continue;
        vgmDriverCpuKnownAdd(d->ctx.known, d->accel[i]->host);
        for (j = 0; j < d->accel[i]->models->len; j++)
            vgmDriverCpuKnownAdd(d->ctx.known, g_ptr_array_index(d->accel[i]->models, j));
        if (!models)
            models = d->accel[i];
    }
    if (hypervisor) {
        const VgmQemuCapsHostCpu *hv = d->accel[kvm ? VGM_QEMU_CAPS_ACCEL_KVM : VGM_QEMU_CAPS_ACCEL_TCG];

        if (!hv) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("QEMU '%1$s' reports no CPU for virttype '%2$s'"), d->binary, virttype);
            return FALSE;
        }
        /* the hypervisor's CPU as libvirt's map describes it: without
         * KVM's paravirtual features, as host-model lists it */
        d->host = g_new0(VgmQemuCapsCpuModel, 1);
        d->host->vendor = g_strdup(hv->host->vendor);
        d->host->family = hv->host->family;
        d->host->model = hv->host->model;
        {
            g_autoptr(GPtrArray) kept = g_ptr_array_new();

            for (i = 0; hv->host->features && hv->host->features[i]; i++) {
                if (!vgmQemuCpuIsParavirt(hv->host->features[i]))
                    g_ptr_array_add(kept, g_strdup(hv->host->features[i]));
            }
            g_ptr_array_add(kept, NULL);
            d->host->features = (GStrv)g_ptr_array_free(g_steal_pointer(&kept), FALSE);
        }
        d->ctx.host = d->host;
        d->ctx.models = hv->models;
        return TRUE;
    }
    if (!models) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("QEMU '%1$s' reports no CPU models"), d->binary);
        return FALSE;
    }
    d->ctx.models = models->models;
    /* host CPUs as CPUID describes them: models are read the same way */
    d->ctx.cpuid = TRUE;
    /* (a host CPU CPUID cannot describe is an unknown one) */
    if (hostCpu && (d->host = vgmQemuCpuFromCpuid(vgmHostCpuid, &d->stepping)))
        d->ctx.host = d->host;
    return TRUE;
}

int
vgmDriverCpuCompare(const VgmDriverStore *store, gboolean hypervisor, const char *emulator,
                    const char *arch, const char *machine, const char *virttype,
                    const char *xml, gboolean failIncompatible, GError **error)
{
    g_auto(VgmDriverCpuData) d = { 0 };
    g_autoptr(VgmCpuDesc) desc = NULL;
    g_autofree char *why = NULL;
    int ret;

    if (!(desc = vgmCpuDescParseString(xml, FALSE, error)) ||
        !vgmDriverCpuDataLoad(&d, store, hypervisor, emulator, arch, machine, virttype,
                              TRUE, error))
        return -1;
    /* as libvirt: a host CPU no model describes is unknown, and nothing is
     * compatible with it */
    if (!d.ctx.host || (!hypervisor && !vgmQemuCpuDecodeHost(&d.ctx))) {
        if (!failIncompatible)
            return VGM_QEMU_CPU_INCOMPATIBLE;
        vgmErrorSet(error, VGM_ERR_CPU_INCOMPATIBLE, "%s",
                    _("unknown host CPU: no CPU model of QEMU's describes it"));
        return -1;
    }
    if ((ret = vgmQemuCpuCompare(&d.ctx, desc, &why, error)) == VGM_QEMU_CPU_INCOMPATIBLE &&
        failIncompatible) {
        vgmErrorSet(error, VGM_ERR_CPU_INCOMPATIBLE, "%s",
                    why ? why : _("the CPU is incompatible with the host CPU"));
        return -1;
    }
    return ret;
}

gboolean
vgmDriverCpuCheckGuest(const VgmDriverStore *store, const char *emulator,
                       const VgmCpuDef *cpu, gboolean *checked, GError **error)
{
    g_auto(VgmDriverCpuData) d = { 0 };
    /* (the domain's CPU, borrowed: the description is not freed) */
    VgmCpuDesc desc = { .def = (VgmCpuDef *)cpu };
    g_autofree char *why = NULL;
    int ret;

    *checked = FALSE;
    if (!vgmDriverCpuDataLoad(&d, store, FALSE, emulator, NULL, NULL, NULL, TRUE, error))
        return FALSE;
    if (!d.ctx.host || !vgmQemuCpuDecodeHost(&d.ctx))
        return TRUE;
    *checked = TRUE;
    if ((ret = vgmQemuCpuCompare(&d.ctx, &desc, &why, error)) < 0)
        return FALSE;
    if (ret == VGM_QEMU_CPU_INCOMPATIBLE) {
        vgmErrorSet(error, VGM_ERR_CPU_INCOMPATIBLE,
                    _("<cpu> model '%1$s' is incompatible with the host CPU: %2$s (<cpu check='none'> leaves the CPU to QEMU)"),
                    cpu->model, why ? why : _("it lacks what the CPU asks for"));
        return FALSE;
    }
    return TRUE;
}

char *
vgmDriverCpuBaseline(const VgmDriverStore *store, gboolean hypervisor, const char *emulator,
                     const char *arch, const char *machine, const char *virttype,
                     const char *const *xmls, guint n, gboolean expand, gboolean migratable,
                     GError **error)
{
    g_auto(VgmDriverCpuData) d = { 0 };
    g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func((GDestroyNotify)vgmCpuDescFree);
    g_autoptr(VgmCpuDef) cpu = NULL;
    g_auto(VgmBuf) buf = { 0 };
    guint i;

    if (n == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("no CPUs given to compute a baseline of"));
        return NULL;
    }
    for (i = 0; i < n; i++) {
        VgmCpuDesc *desc = vgmCpuDescParseString(xmls[i], !hypervisor, error);

        if (!desc) {
            g_prefix_error(error, _("CPU %1$u: "), i);
            return NULL;
        }
        g_ptr_array_add(cpus, desc);
    }
    if (!vgmDriverCpuDataLoad(&d, store, hypervisor, emulator, arch, machine, virttype,
                              FALSE, error) ||
        !(cpu = vgmQemuCpuBaseline(&d.ctx, (VgmCpuDesc *const *)cpus->pdata, n,
                                   hypervisor ? d.ctx.host : NULL, expand, migratable, error)))
        return NULL;
    /* the hypervisor's model is what it runs: no other may stand in */
    if (hypervisor)
        cpu->fallback = VGM_CPU_FALLBACK_FORBID;
    vgmBufInit(&buf, 0);
    vgmDomainCpuDefFormat(&buf, cpu);
    return vgmBufSteal(&buf);
}

/* The TSC rate KVM gives guests (kHz) and whether it can scale it: read
 * once per process (a VM and a vCPU made for it), as it does not change;
 * FALSE without KVM */
static gboolean
vgmDriverCapsTsc(guint64 *khz, gboolean *scaling)
{
    static gsize done;
    static guint64 rate;
    static gboolean canScale;

    if (g_once_init_enter(&done)) {
        if (vgmHostKvmTsc(NULL, &rate, &canScale, NULL) <= 0)
            rate = 0;
        g_once_init_leave(&done, 1);
    }
    *khz = rate;
    *scaling = canScale;
    return rate > 0;
}

/* Whether the host has an IOMMU: a group in /sys/kernel/iommu_groups */
static gboolean
vgmDriverCapsHasIommu(void)
{
    g_autoptr(GDir) dir = g_dir_open("/sys/kernel/iommu_groups", 0, NULL);

    return dir && g_dir_read_name(dir) != NULL;
}

/* The host's CPU as libvirt's capabilities describe it: the named model
 * closest to it, its vendor and signature, its topology and the features
 * it has beyond the model; only the arch where it cannot be read. */
static void
vgmDriverCapsHostCpu(VgmBuf *buf, const VgmDriverStore *store)
{
    g_auto(VgmDriverCpuData) d = { 0 };
    g_autoptr(GHashTable) model = NULL;
    const VgmQemuCapsCpuModel *m;
    VgmNodeInfo info;
    const char *vendor;
    g_autofree char *text = NULL;
    guint64 num = 0;
    guint64 khz = 0;
    gboolean scaling = FALSE;
    size_t i;

    vgmBufAsprintf(buf, "<arch>%s</arch>\n", vgmHostArch());
    if (!vgmDriverCpuDataLoad(&d, store, FALSE, NULL, NULL, NULL, NULL, TRUE, NULL) ||
        !(m = vgmQemuCpuDecodeHost(&d.ctx)))
        return;
    vgmBufEscapeString(buf, "<model>%s</model>\n", m->name);
    if ((vendor = vgmQemuCpuVendorXMLName(d.host->vendor)))
        vgmBufAsprintf(buf, "<vendor>%s</vendor>\n", vendor);
    /* (the first CPU's microcode revision, in decimal as libvirt writes it) */
    if ((text = vgmNodeCpuinfoValue(NULL, "microcode")) &&
        g_ascii_string_to_unsigned(g_str_has_prefix(text, "0x") ? text + 2 : text, 16, 0,
                                   G_MAXUINT32, &num, NULL))
        vgmBufAsprintf(buf, "<microcode version='%" G_GUINT64_FORMAT "'/>\n", num);
    g_clear_pointer(&text, g_free);
    vgmBufAsprintf(buf, "<signature family='%u' model='%u' stepping='%u'/>\n",
                   d.host->family, d.host->model, d.stepping);
    /* the TSC's rate as KVM gives it to guests, and whether it can give
     * another (KubeVirt decides TSC-bound placement by it) */
    if (vgmDriverCapsTsc(&khz, &scaling))
        vgmBufAsprintf(buf, "<counter name='tsc' frequency='%" G_GUINT64_FORMAT "' scaling='%s'/>\n",
                       khz * 1000, scaling ? "yes" : "no");
    if (vgmNodeGetInfo(NULL, NULL, &info, NULL))
        vgmBufAsprintf(buf, "<topology sockets='%u' dies='1' cores='%u' threads='%u'/>\n",
                       info.sockets, info.cores, info.threads);
    /* the physical address bits a guest with <maxphysaddr mode='emulate'>
     * gets (cpuinfo's "address sizes: N bits physical, ...") */
    if ((text = vgmNodeCpuinfoValue(NULL, "address sizes")) &&
        sscanf(text, "%" G_GUINT64_FORMAT " bits physical", &num) == 1)
        vgmBufAsprintf(buf, "<maxphysaddr mode='emulate' bits='%" G_GUINT64_FORMAT "'/>\n", num);
    model = vgmQemuCpuModelSet(&d.ctx, m);
    for (i = 0; d.host->features[i]; i++) {
        if (!g_hash_table_contains(model, d.host->features[i]))
            vgmBufEscapeString(buf, "<feature name='%s'/>\n",
                               vgmQemuCpuFeatureXMLName(d.host->features[i]));
    }
}

/* ---- host capabilities ---- */

/* "Node 0 MemTotal:  123 kB" -> 123 */
static guint64
vgmDriverMeminfoTotal(const char *path)
{
    g_autofree char *text = NULL;
    const char *p;

    if (!vgmFileReadAll(path, 64 * 1024, &text, NULL, NULL) ||
        !(p = strstr(text, "MemTotal:")))
        return 0;
    return g_ascii_strtoull(p + strlen("MemTotal:"), NULL, 10);
}

/* A sysfs file's whole text, stripped; NULL if it cannot be read */
static char *
vgmDriverSysfsText(const char *path)
{
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, 64 * 1024, &text, NULL, NULL))
        return NULL;
    return g_strdup(g_strstrip(text));
}

/* A sysfs number, or -1 */
static long long
vgmDriverSysfsNumber(const char *path)
{
    g_autofree char *text = vgmDriverSysfsText(path);
    gint64 v;

    if (!text || !g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &v, NULL))
        return -1;
    return v;
}

/* A NUMA cell's <cpus> as libvirt gives them, from CPU list @cpulist (the
 * kernel's list form): each CPU with its socket, die, core and thread
 * siblings (what OpenStack Nova reads its host's NUMA topology and
 * pinning from); an offline CPU by its id only */
static void
vgmDriverFormatCellCpus(VgmBuf *buf, const char *cpulist)
{
    g_autoptr(VgmBitmap) cpus = cpulist && *cpulist ? vgmBitmapParse(cpulist, "cpulist", NULL)
                                                    : NULL;
    int c;

    if (!cpus) {
        vgmBufAdd(buf, "<cpus num='0'/>\n");
        return;
    }
    vgmBufAsprintf(buf, "<cpus num='%u'>\n", vgmBitmapCount(cpus));
    vgmBufAdjustIndent(buf, 2);
    for (c = vgmBitmapNext(cpus, -1); c >= 0; c = vgmBitmapNext(cpus, c)) {
        g_autofree char *dir = g_strdup_printf("/sys/devices/system/cpu/cpu%d/topology", c);
        g_autofree char *pkg = g_strdup_printf("%s/physical_package_id", dir);
        g_autofree char *die = g_strdup_printf("%s/die_id", dir);
        g_autofree char *core = g_strdup_printf("%s/core_id", dir);
        g_autofree char *sib = g_strdup_printf("%s/thread_siblings_list", dir);
        g_autofree char *sibText = vgmDriverSysfsText(sib);
        g_autoptr(VgmBitmap) sibMap = sibText ? vgmBitmapParse(sibText, "siblings", NULL) : NULL;
        g_autofree char *siblings = sibMap ? vgmBitmapFormat(sibMap) : NULL;
        long long socketId = vgmDriverSysfsNumber(pkg);

        if (socketId < 0 || !siblings) {
            vgmBufAsprintf(buf, "<cpu id='%d'/>\n", c);
            continue;
        }
        vgmBufAsprintf(buf, "<cpu id='%d' socket_id='%lld' die_id='%lld' core_id='%lld' siblings='%s'/>\n",
                       c, socketId, MAX(vgmDriverSysfsNumber(die), 0),
                       MAX(vgmDriverSysfsNumber(core), 0), siblings);
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</cpus>\n");
}

/* A NUMA cell's <distances> to the host's cells @nodes (sorted ids, the
 * order of the kernel's distance file), when the file names them all */
static void
vgmDriverFormatCellDistances(VgmBuf *buf, const char *dir, GPtrArray *nodes)
{
    g_autofree char *path = g_strdup_printf("%s/distance", dir);
    g_autofree char *text = vgmDriverSysfsText(path);
    g_auto(GStrv) values = text ? g_strsplit_set(text, " \t", 0) : NULL;
    guint i;

    if (!values || g_strv_length(values) != nodes->len)
        return;
    vgmBufAdd(buf, "<distances>\n");
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; i < nodes->len; i++)
        vgmBufAsprintf(buf, "<sibling id='%s' value='%s'/>\n",
                       (const char *)g_ptr_array_index(nodes, i), values[i]);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</distances>\n");
}

static void
vgmDriverFormatPages(VgmBuf *buf, GArray *sizes, const char *nodeDir,
                     guint64 memKiB)
{
    long pageKiB = sysconf(_SC_PAGESIZE) / 1024;
    guint i;

    if (!nodeDir) {
        vgmBufAsprintf(buf, "<pages unit='KiB' size='%ld'/>\n", pageKiB);
        for (i = 0; sizes && i < sizes->len; i++)
            vgmBufAsprintf(buf, "<pages unit='KiB' size='%" G_GUINT64_FORMAT "'/>\n",
                           g_array_index(sizes, VgmHostHugepages, i).sizeKiB);
        return;
    }
    {
        guint64 hugeKiB = 0;
        g_autoptr(GString) huge = g_string_new(NULL);

        for (i = 0; sizes && i < sizes->len; i++) {
            guint64 sz = g_array_index(sizes, VgmHostHugepages, i).sizeKiB;
            g_autofree char *path = g_strdup_printf("%s/hugepages/hugepages-%" G_GUINT64_FORMAT "kB/nr_hugepages",
                                                    nodeDir, sz);
            g_autofree char *text = NULL;
            guint64 nr = 0;

            if (vgmFileReadAll(path, 64, &text, NULL, NULL))
                nr = g_ascii_strtoull(text, NULL, 10);
            hugeKiB += nr * sz;
            g_string_append_printf(huge, "<pages unit='KiB' size='%" G_GUINT64_FORMAT "'>%" G_GUINT64_FORMAT "</pages>\n",
                                   sz, nr);
        }
        vgmBufAsprintf(buf, "<pages unit='KiB' size='%ld'>%" G_GUINT64_FORMAT "</pages>\n",
                       pageKiB, memKiB > hugeKiB ? (memKiB - hugeKiB) / pageKiB : 0);
        if (huge->len) {
            g_auto(GStrv) lines = g_strsplit(huge->str, "\n", 0);
            size_t j;

            for (j = 0; lines[j] && *lines[j]; j++)
                vgmBufAsprintf(buf, "%s\n", lines[j]);
        }
    }
}

static gint
vgmDriverCompareNodeIds(gconstpointer a, gconstpointer b)
{
    guint64 na = g_ascii_strtoull(*(char *const *)a, NULL, 10);
    guint64 nb = g_ascii_strtoull(*(char *const *)b, NULL, 10);

    return na < nb ? -1 : na > nb;
}

/* The guest arches a host lists, in libvirt's order: an x86_64 host runs
 * i686 guests too (another host lists its own arch only) */
static const struct {
    const char *host;
    const char *guest;
} vgmDriverGuestArches[] = {
    { "x86_64", "i686" },
    { "x86_64", "x86_64" },
};

static gboolean
vgmDriverCapsHostArchListed(const char *host)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDriverGuestArches); i++) {
        if (g_str_equal(vgmDriverGuestArches[i].host, host))
            return TRUE;
    }
    return FALSE;
}

/* The <guest> of @arch in the capabilities: its default QEMU (nothing
 * when there is none, or its probe fails), that binary's machines, the
 * domain types and the features clients decide by */
static void
vgmDriverCapsFormatGuest(VgmBuf *buf, const VgmDriverStore *store, const char *arch,
                         const VgmDriverHostFacts *facts)
{
    g_autofree char *emulator = vgmDriverDefaultEmulator(arch);
    g_autoptr(VgmQemuCaps) caps = NULL;
    GPtrArray *machines;
    gboolean x86 = g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686");
    guint i;

    if (!g_file_test(emulator, G_FILE_TEST_IS_EXECUTABLE) ||
        !(caps = vgmQemuCapsCacheLookup(emulator, store->cacheDir, NULL)) ||
        !vgmQemuArchRuns(vgmQemuCapsGetArch(caps), arch))
        return;
    machines = vgmQemuCapsGetMachines(caps); /* owned by caps */
    vgmBufAdd(buf, "<guest>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufAdd(buf, "<os_type>hvm</os_type>\n");
    vgmBufEscapeString(buf, "<arch name='%s'>\n", arch);
    vgmBufAdjustIndent(buf, 2);
    vgmBufAsprintf(buf, "<wordsize>%d</wordsize>\n",
                   g_str_has_suffix(arch, "64") || g_str_equal(arch, "s390x") ? 64 : 32);
    vgmBufEscapeString(buf, "<emulator>%s</emulator>\n", emulator);
    /* the default machine first, as libvirt lists it: clients such
     * as virt-install take the first one when none is asked for */
    for (i = 0; machines && i < 2 * machines->len; i++) {
        const VgmQemuCapsMachine *m = g_ptr_array_index(machines, i % machines->len);

        if (m->isDefault != (i < machines->len) || g_str_equal(m->name, "none"))
            continue;
        /* (a deprecated one too, marked, as libvirt lists it: Nova checks
         * a guest's machine type against this list) */
        vgmBufAsprintf(buf, "<machine maxCpus='%u'%s>", m->cpuMax,
                       m->deprecated ? " deprecated='yes'" : "");
        vgmBufEscapeString(buf, "%s</machine>\n", m->name);
        if (m->alias) {
            vgmBufEscapeString(buf, "<machine canonical='%s'", m->name);
            vgmBufAsprintf(buf, " maxCpus='%u'>", m->cpuMax);
            vgmBufEscapeString(buf, "%s</machine>\n", m->alias);
        }
    }
    vgmBufAdd(buf, "<domain type='qemu'/>\n");
    if (vgmQemuCapsHasKVM(caps) && facts->kvm)
        vgmBufAdd(buf, "<domain type='kvm'/>\n");
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</arch>\n");
    /* what clients (virt-install) decide <features> and per-device
     * <boot order> by, as libvirt reports them for x86 (a 32-bit guest
     * with or without PAE); <disksnapshot/>: disk-only (external)
     * snapshots are taken */
    if (x86) {
        vgmBufAdd(buf, "<features>\n");
        if (g_str_equal(arch, "i686")) {
            vgmBufAdd(buf, "  <pae/>\n");
            vgmBufAdd(buf, "  <nonpae/>\n");
        }
        vgmBufAdd(buf, "  <acpi default='on' toggle='yes'/>\n");
        vgmBufAdd(buf, "  <apic default='on' toggle='no'/>\n");
        vgmBufAdd(buf, "  <cpuselection/>\n");
        vgmBufAdd(buf, "  <deviceboot/>\n");
        vgmBufAdd(buf, "  <disksnapshot default='on' toggle='no'/>\n");
        vgmBufAdd(buf, "</features>\n");
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</guest>\n\n");
}

char *
vgmDriverCapabilities(const VgmDriverStore *store, GError **error)
{
    g_auto(VgmBuf) buf = { 0 };
    g_autoptr(GArray) sizes = NULL;
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = NULL;
    g_autofree char *flags = NULL;
    g_autofree char *hostUUID = NULL;
    VgmDriverHostFacts facts;
    const char *ent;
    guint i;

    if (!vgmHostHugepagesGet(NULL, &sizes, error))
        return NULL;
    vgmDriverHostFactsProbe(&facts);

    vgmBufInit(&buf, 0);
    vgmBufAdd(&buf, "<capabilities>\n\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufAdd(&buf, "<host>\n");
    vgmBufAdjustIndent(&buf, 2);
    if ((hostUUID = vgmHostUUID(NULL)))
        vgmBufAsprintf(&buf, "<uuid>%s</uuid>\n", hostUUID);
    vgmBufAdd(&buf, "<cpu>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmDriverCapsHostCpu(&buf, store);
    vgmDriverFormatPages(&buf, sizes, NULL, 0);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</cpu>\n");
    /* no suspend of the host (virNodeSuspendForDuration is not served) */
    vgmBufAdd(&buf, "<power_management/>\n");
    /* an IOMMU is there when the kernel made an IOMMU group, as libvirt
     * tells it */
    vgmBufAsprintf(&buf, "<iommu support='%s'/>\n", vgmDriverYesNo(vgmDriverCapsHasIommu()));
    /* live migration, over TCP only */
    vgmBufAdd(&buf, "<migration_features>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufAdd(&buf, "<live/>\n");
    vgmBufAdd(&buf, "<uri_transports>\n");
    vgmBufAdd(&buf, "  <uri_transport>tcp</uri_transport>\n");
    vgmBufAdd(&buf, "</uri_transports>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</migration_features>\n");

    /* NUMA cells from sysfs; a host without them is one cell */
    if ((d = g_dir_open("/sys/devices/system/node", 0, NULL))) {
        while ((ent = g_dir_read_name(d))) {
            if (g_str_has_prefix(ent, "node") && g_ascii_isdigit(ent[4]))
                g_ptr_array_add(nodes, g_strdup(ent + 4));
        }
    }
    g_ptr_array_sort(nodes, vgmDriverCompareNodeIds);
    vgmBufAdd(&buf, "<topology>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufAsprintf(&buf, "<cells num='%u'>\n", MAX(nodes->len, 1));
    vgmBufAdjustIndent(&buf, 2);
    if (nodes->len == 0) {
        guint64 mem = vgmDriverMeminfoTotal("/proc/meminfo");

        vgmBufAdd(&buf, "<cell id='0'>\n");
        vgmBufAdjustIndent(&buf, 2);
        g_autofree char *online = vgmDriverSysfsText("/sys/devices/system/cpu/online");
        g_autofree char *all = g_strdup_printf("0-%ld", MAX(sysconf(_SC_NPROCESSORS_ONLN), 1) - 1);

        vgmBufAsprintf(&buf, "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>\n", mem);
        vgmDriverFormatCellCpus(&buf, online ? online : all);
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</cell>\n");
    }
    for (i = 0; i < nodes->len; i++) {
        const char *id = g_ptr_array_index(nodes, i);
        g_autofree char *dir = g_strdup_printf("/sys/devices/system/node/node%s", id);
        g_autofree char *meminfo = g_strdup_printf("%s/meminfo", dir);
        g_autofree char *cpulist = g_strdup_printf("%s/cpulist", dir);
        g_autofree char *cpus = vgmDriverSysfsText(cpulist);
        guint64 mem = vgmDriverMeminfoTotal(meminfo);

        vgmBufAsprintf(&buf, "<cell id='%s'>\n", id);
        vgmBufAdjustIndent(&buf, 2);
        vgmBufAsprintf(&buf, "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>\n", mem);
        vgmDriverFormatPages(&buf, sizes, dir, mem);
        vgmDriverFormatCellDistances(&buf, dir, nodes);
        vgmDriverFormatCellCpus(&buf, cpus);
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</cell>\n");
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</cells>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</topology>\n");
    /* no security driver: libvirt's "none" model (as
     * virNodeGetSecurityModel answers) */
    vgmBufAdd(&buf, "<secmodel>\n");
    vgmBufAdd(&buf, "  <model>none</model>\n");
    vgmBufAdd(&buf, "  <doi>0</doi>\n");
    vgmBufAdd(&buf, "</secmodel>\n");

    /* the extension: what /dev/kvm offers for guest_memfd */
    vgmBufAsprintf(&buf, "<guestMemfd supported='%s'>\n",
                   vgmDriverYesNo(facts.kvm && facts.guestMemfd));
    vgmBufAdjustIndent(&buf, 2);
    flags = vgmHostGuestMemfdFlagsFormat(facts.guestMemfd ? facts.gmemFlags : 0);
    if (!facts.guestMemfd || !facts.gmemFlags) {
        vgmBufAdd(&buf, "<hostFlags/>\n");
    } else {
        g_auto(GStrv) names = g_strsplit(flags, ", ", 0);
        size_t j;

        vgmBufAdd(&buf, "<hostFlags>\n");
        vgmBufAdjustIndent(&buf, 2);
        for (j = 0; names[j]; j++)
            vgmBufEscapeString(&buf, "<flag name='%s'/>\n", names[j]);
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</hostFlags>\n");
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</guestMemfd>\n");
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</host>\n\n");

    /* the guest side: each arch the host runs, with its default QEMU */
    for (i = 0; i < G_N_ELEMENTS(vgmDriverGuestArches); i++) {
        if (g_str_equal(vgmDriverGuestArches[i].host, vgmHostArch()))
            vgmDriverCapsFormatGuest(&buf, store, vgmDriverGuestArches[i].guest, &facts);
    }
    if (!vgmDriverCapsHostArchListed(vgmHostArch()))
        vgmDriverCapsFormatGuest(&buf, store, vgmHostArch(), &facts);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</capabilities>\n");
    return vgmBufSteal(&buf);
}
