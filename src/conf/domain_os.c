/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_os.c: how the guest boots and what platform it sees.
 *
 * Owns <os> (type, firmware, loader, nvram, direct kernel boot, boot
 * order, the boot menu, the SMBIOS mode), <features> (acpi, apic, pmu,
 * smm, ioapic, vmcoreinfo) and <clock>.
 */
#include "config.h"

#include "domain_conf.h"
#include "util/vgmsize.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

VGM_ENUM_IMPL(vgmOsFirmware, VGM_OS_FIRMWARE_LAST, "none", "bios", "efi");
VGM_ENUM_IMPL(vgmLoaderType, VGM_LOADER_TYPE_LAST, "none", "rom", "pflash");

VgmTristate
vgmOsFirmwareFeature(const VgmOsDef *os, const char *name)
{
    for (size_t i = 0; i < os->nfwFeatures; i++) {
        if (g_str_equal(os->fwFeatures[i].name, name))
            return os->fwFeatures[i].enabled;
    }
    return VGM_TRISTATE_ABSENT;
}
VGM_ENUM_IMPL(vgmBootDev, VGM_BOOT_LAST, "fd", "cdrom", "hd", "network");
VGM_ENUM_IMPL(vgmFeature, VGM_FEATURE_LAST, "acpi", "apic", "pmu", "smm", "ioapic",
              "vmcoreinfo", "pae", "pvspinlock", "vmport");
VGM_ENUM_IMPL(vgmHypervMode, VGM_HYPERV_MODE_LAST, "none", "custom", "passthrough");
VGM_ENUM_IMPL(vgmHypervFeature, VGM_HYPERV_LAST, "relaxed", "vapic", "spinlocks", "vpindex",
              "runtime", "synic", "stimer", "reset", "vendor_id", "frequencies",
              "reenlightenment", "tlbflush", "ipi", "evmcs", "avic");
VGM_ENUM_IMPL(vgmKvmFeature, VGM_KVM_LAST, "hidden", "hint-dedicated", "poll-control", "pv-ipi",
              "dirty-ring");
VGM_ENUM_IMPL(vgmIoapicDriver, VGM_IOAPIC_LAST, "none", "qemu", "kvm");
VGM_ENUM_IMPL(vgmClockOffset, VGM_CLOCK_OFFSET_LAST,
              "utc", "localtime", "variable", "timezone", "absolute");

static const char *const vgmTimerNames[] = {
    "platform", "pit", "rtc", "hpet", "kvmclock", "tsc", "hypervclock",
    "armvtimer", NULL
};
static const char *const vgmTimerTickpolicies[] = {
    "delay", "catchup", "merge", "discard", NULL
};
static const char *const vgmTimerTracks[] = {
    "boot", "guest", "wall", "realtime", NULL
};

void
vgmDomainOsClear(VgmDomainDef *def)
{
    VgmOsDef *os = &def->os;
    size_t i;

    g_free(os->type);
    g_free(os->arch);
    g_free(os->machine);
    for (i = 0; i < os->nfwFeatures; i++)
        g_free(os->fwFeatures[i].name);
    g_free(os->fwFeatures);
    g_free(os->loader);
    g_free(os->nvram);
    vgmDiskNetSourceFree(os->nvramNet);
    g_free(os->nvramTemplate);
    g_free(os->kernel);
    g_free(os->initrd);
    g_free(os->cmdline);
    g_free(os->dtb);
    g_free(os->slicTable);
    g_free(os->boot);
    g_clear_pointer(&def->uidmap, g_array_unref);
    g_clear_pointer(&def->gidmap, g_array_unref);
    g_free(def->clock.timezone);
    g_free(def->clock.basis);
    for (i = 0; i < def->clock.ntimers; i++) {
        g_free(def->clock.timers[i].name);
        g_free(def->clock.timers[i].tickpolicy);
        g_free(def->clock.timers[i].track);
    }
    g_free(def->clock.timers);
}

static int
vgmOsText(xmlNodePtr os, const char *name, char **value, GError **error)
{
    xmlNodePtr node;
    int rc;

    *value = NULL;
    if ((rc = vgmXMLSingleChild(os, name, &node, error)) <= 0)
        return rc;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, NULL, error))
        return -1;
    *value = vgmXMLNodeContent(node);
    return 1;
}

/* <nvram template>PATH</nvram>, or libvirt's typed form <nvram
 * type='file'><source file=''/></nvram> (type 'block': <source dev=''/>,
 * type 'network': a network disk's <source protocol=''>) */
static gboolean
vgmOsNvramParse(VgmOsDef *os, xmlNodePtr node, GError **error)
{
    g_autofree char *type = NULL;
    xmlNodePtr source;

    if (!vgmXMLCheckAttrs(node, (const char *const[]){ "template", "type", NULL }, error) ||
        vgmXMLPropString(node, "template", 0, &os->nvramTemplate, error) < 0 ||
        vgmXMLPropString(node, "type", 0, &type, error) < 0)
        return FALSE;
    if (!type) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "template", NULL }, NULL, error))
            return FALSE;
        os->nvram = vgmXMLNodeContent(node);
        return TRUE;
    }
    if (!g_str_equal(type, "file") && !g_str_equal(type, "block") &&
        !g_str_equal(type, "network")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported value '%1$s' for attribute 'type' of <nvram>: the varstore is a 'file', a 'block' device or a 'network' image here"),
                    type);
        return FALSE;
    }
    os->nvramTyped = TRUE;
    os->nvramBlock = g_str_equal(type, "block");
    if (!vgmXMLCheckNode(node, (const char *const[]){ "template", "type", NULL },
                         (const char *const[]){ "source", NULL }, error) ||
        vgmXMLSingleChild(node, "source", &source, error) < 0)
        return FALSE;
    if (!source) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<nvram type='%1$s'> needs a <source>"), type);
        return FALSE;
    }
    if (g_str_equal(type, "network")) {
        /* libvirt makes no network varstore from a template */
        if (os->nvramTemplate) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<nvram type='network'> takes no template: the driver makes no varstore on a server"));
            return FALSE;
        }
        return (os->nvramNet = vgmDiskNetSourceParseChecked(source, error)) != NULL;
    }
    if (!vgmXMLCheckNode(source, (const char *const[]){ os->nvramBlock ? "dev" : "file", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(source, os->nvramBlock ? "dev" : "file", VGM_XML_PROP_REQUIRED,
                         &os->nvram, error) < 0)
        return FALSE;
    return TRUE;
}

static gboolean
vgmOsParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "type", "firmware", "loader", "nvram", "kernel", "initrd", "cmdline",
        "dtb", "acpi", "boot", "bootmenu", "bios", "smbios", NULL
    };
    VgmOsDef *os = &def->os;
    g_autoptr(GPtrArray) boots = NULL;
    xmlNodePtr child;
    guint i, j;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "firmware", NULL }, children, error))
        return FALSE;
    if (vgmXMLPropEnum(node, "firmware", vgmOsFirmwareTypeFromString,
                       VGM_XML_PROP_NONZERO, &v, error) < 0)
        return FALSE;
    os->firmware = v;

    if (vgmXMLSingleChild(node, "type", &child, error) < 0)
        return FALSE;
    if (!child) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <os> needs a <type> element"));
        return FALSE;
    }
    if (!vgmXMLCheckNode(child, (const char *const[]){ "arch", "machine", NULL }, NULL, error) ||
        vgmXMLPropString(child, "arch", 0, &os->arch, error) < 0 ||
        vgmXMLPropString(child, "machine", 0, &os->machine, error) < 0)
        return FALSE;
    os->type = vgmXMLNodeContent(child);
    if (os->type)
        g_strstrip(os->type);
    if (!os->type || !g_str_equal(os->type, "hvm")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported OS type '%1$s' in element <type> of <os>: only 'hvm' is supported"),
                    os->type ? os->type : "");
        return FALSE;
    }

    if (vgmXMLSingleChild(node, "firmware", &child, error) < 0)
        return FALSE;
    if (child) {
        g_autoptr(GPtrArray) feats = NULL;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren,
                             (const char *const[]){ "feature", NULL }, error))
            return FALSE;
        feats = vgmXMLChildren(child, "feature");
        os->fwFeatures = g_new0(VgmFirmwareFeature, feats->len);
        for (i = 0; i < feats->len; i++) {
            xmlNodePtr fn = g_ptr_array_index(feats, i);
            VgmFirmwareFeature *f = &os->fwFeatures[os->nfwFeatures++];

            if (!vgmXMLCheckNode(fn, (const char *const[]){ "enabled", "name", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropTristateBool(fn, "enabled", VGM_XML_PROP_REQUIRED, &f->enabled, error) < 0 ||
                vgmXMLPropString(fn, "name", VGM_XML_PROP_REQUIRED, &f->name, error) < 0)
                return FALSE;
            if (!g_str_equal(f->name, "secure-boot") && !g_str_equal(f->name, "enrolled-keys")) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'name' of element <feature> in <firmware>"),
                            f->name);
                return FALSE;
            }
            for (j = 0; j + 1 < os->nfwFeatures; j++) {
                if (g_str_equal(os->fwFeatures[j].name, f->name)) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("firmware feature '%1$s' appears twice in <firmware>"),
                                f->name);
                    return FALSE;
                }
            }
        }
    }

    /* (libvirt's rule: enrolled keys are Secure Boot's) */
    if (vgmOsFirmwareFeature(os, "enrolled-keys") == VGM_TRISTATE_YES &&
        vgmOsFirmwareFeature(os, "secure-boot") == VGM_TRISTATE_NO) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("firmware feature 'enrolled-keys' needs 'secure-boot', which <firmware> disables: Secure Boot keys are enrolled only in a Secure Boot firmware"));
        return FALSE;
    }

    if (vgmXMLSingleChild(node, "loader", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "readonly", "secure", "type", "stateless", NULL },
                             NULL, error) ||
            vgmXMLPropTristateBool(child, "readonly", 0, &os->loaderReadonly, error) < 0 ||
            vgmXMLPropTristateBool(child, "secure", 0, &os->loaderSecure, error) < 0 ||
            vgmXMLPropTristateBool(child, "stateless", 0, &os->loaderStateless, error) < 0 ||
            vgmXMLPropEnum(child, "type", vgmLoaderTypeTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        os->loaderType = v;
        os->loader = vgmXMLNodeContent(child);
    }
    if (vgmXMLSingleChild(node, "nvram", &child, error) < 0)
        return FALSE;
    if (child && !vgmOsNvramParse(os, child, error))
        return FALSE;
    if (vgmOsText(node, "kernel", &os->kernel, error) < 0 ||
        vgmOsText(node, "initrd", &os->initrd, error) < 0 ||
        vgmOsText(node, "cmdline", &os->cmdline, error) < 0 ||
        vgmOsText(node, "dtb", &os->dtb, error) < 0)
        return FALSE;
    /* <acpi><table type='slic'>: the one ACPI table type libvirt takes */
    if (vgmXMLSingleChild(node, "acpi", &child, error) < 0)
        return FALSE;
    if (child) {
        xmlNodePtr table;
        g_autofree char *type = NULL;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, (const char *const[]){ "table", NULL },
                             error) ||
            vgmXMLSingleChild(child, "table", &table, error) < 0)
            return FALSE;
        if (table) {
            if (!vgmXMLCheckNode(table, (const char *const[]){ "type", NULL }, NULL, error) ||
                vgmXMLPropString(table, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0)
                return FALSE;
            if (!g_str_equal(type, "slic")) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("unsupported value '%1$s' for attribute 'type' of <table> in <os><acpi>: the type is 'slic'"),
                            type);
                return FALSE;
            }
            os->slicTable = vgmXMLNodeContent(table);
            if (!os->slicTable || !g_path_is_absolute(os->slicTable)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<table type='slic'> in <os><acpi> needs the absolute path of the table's file, not '%1$s'"),
                            os->slicTable ? os->slicTable : "");
                return FALSE;
            }
        }
    }

    boots = vgmXMLChildren(node, "boot");
    os->boot = g_new0(VgmBootDev, boots->len);
    for (i = 0; i < boots->len; i++) {
        xmlNodePtr bn = g_ptr_array_index(boots, i);

        if (!vgmXMLCheckNode(bn, (const char *const[]){ "dev", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(bn, "dev", vgmBootDevTypeFromString,
                           VGM_XML_PROP_REQUIRED, &v, error) < 0)
            return FALSE;
        for (j = 0; j < os->nboot; j++) {
            if (os->boot[j] == (VgmBootDev)v) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("boot device '%1$s' appears twice in <os>"),
                            vgmBootDevTypeToString(v));
                return FALSE;
            }
        }
        os->boot[os->nboot++] = v;
    }

    if (vgmXMLSingleChild(node, "bootmenu", &child, error) < 0)
        return FALSE;
    if (child) {
        int rc;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "enable", "timeout", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropTristateBool(child, "enable", 0, &os->bootmenu, error) < 0 ||
            (rc = vgmXMLPropUInt(child, "timeout", 0, &os->bootmenuTimeout, error)) < 0)
            return FALSE;
        if (rc > 0 && os->bootmenuTimeout > 65535) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$u' for attribute 'timeout' of element <bootmenu> in <os>: the boot menu waits 0 to 65535 ms"),
                        os->bootmenuTimeout);
            return FALSE;
        }
        /* as in libvirt, the timeout of a menu that is off (or not said
         * on: virt-xml --boot bootmenu.timeout=N writes no enable) means
         * nothing and is not kept */
        os->haveBootmenuTimeout = rc > 0 && os->bootmenu == VGM_TRISTATE_YES;
        if (!os->haveBootmenuTimeout)
            os->bootmenuTimeout = 0;
    }

    if (vgmXMLSingleChild(node, "bios", &child, error) < 0)
        return FALSE;
    if (child) {
        int rc;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "useserial", "rebootTimeout", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropTristateBool(child, "useserial", 0, &os->biosUseserial, error) < 0 ||
            (rc = vgmXMLPropInt(child, "rebootTimeout", 0, &os->rebootTimeout, error)) < 0)
            return FALSE;
        if (rc > 0 && (os->rebootTimeout < -1 || os->rebootTimeout > 65535)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$d' for attribute 'rebootTimeout' of element <bios> in <os>: it is -1 (never retry) or 0 to 65535 ms"),
                        os->rebootTimeout);
            return FALSE;
        }
        os->haveRebootTimeout = rc > 0;
    }

    if (vgmXMLSingleChild(node, "smbios", &child, error) < 0)
        return FALSE;
    if (child) {
        /* libvirt reads mode='none' as no <smbios> at all (its schema
         * does not offer the value) */
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmSmbiosModeTypeFromString,
                           VGM_XML_PROP_REQUIRED, &v, error) < 0)
            return FALSE;
        os->smbiosMode = v;
    }
    return TRUE;
}

/* <state state='on|off'/> children of <hyperv> or <kvm>: @names lists
 * them, @attrs the attributes each may have besides 'state'. */
static gboolean
vgmFeatureStatesParse(xmlNodePtr node, const char *parent, VgmTristate *states, int last,
                      const char *(*toString)(int), GError **error)
{
    xmlNodePtr child;

    for (child = node->children; child; child = child->next) {
        const char *name = (const char *)child->name;
        int f;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        for (f = 0; f < last && !g_str_equal(toString(f), name); f++)
            ;
        if (f == last) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s> in <%2$s>"), name, parent);
            return FALSE;
        }
        if (states[f]) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("element <%1$s> may appear only once in <%2$s>"), name, parent);
            return FALSE;
        }
        if (vgmXMLPropTristateSwitch(child, "state", VGM_XML_PROP_REQUIRED, &states[f], error) < 0)
            return FALSE;
    }
    return TRUE;
}

static const char *
vgmHypervFeatureName(int f)
{
    return vgmHypervFeatureTypeToString(f);
}

static const char *
vgmKvmFeatureName(int f)
{
    return vgmKvmFeatureTypeToString(f);
}

static gboolean
vgmHypervParse(VgmFeatures *f, xmlNodePtr node, GError **error)
{
    xmlNodePtr child;
    int v;

    if (vgmXMLPropEnum(node, "mode", vgmHypervModeTypeFromString, VGM_XML_PROP_NONZERO,
                       &v, error) < 0)
        return FALSE;
    f->hypervMode = v ? v : VGM_HYPERV_MODE_CUSTOM;
    if (!vgmXMLCheckNode(node, (const char *const[]){ "mode", NULL },
                         (const char *const[]){ "relaxed", "vapic", "spinlocks", "vpindex",
                                                "runtime", "synic", "stimer", "reset",
                                                "vendor_id", "frequencies", "reenlightenment",
                                                "tlbflush", "ipi", "evmcs", "avic", NULL },
                         error) ||
        !vgmFeatureStatesParse(node, "hyperv", f->hyperv, VGM_HYPERV_LAST,
                               vgmHypervFeatureName, error))
        return FALSE;
    for (child = node->children; child; child = child->next) {
        const char *name = (const char *)child->name;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal(name, "spinlocks")) {
            if (!vgmXMLCheckNode(child, (const char *const[]){ "state", "retries", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropUInt(child, "retries", 0, &f->hvSpinlockRetries, error) < 0)
                return FALSE;
        } else if (g_str_equal(name, "vendor_id")) {
            if (!vgmXMLCheckNode(child, (const char *const[]){ "state", "value", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropString(child, "value", 0, &f->hvVendorId, error) < 0)
                return FALSE;
        } else if (g_str_equal(name, "stimer")) {
            xmlNodePtr direct;

            if (!vgmXMLCheckNode(child, (const char *const[]){ "state", NULL },
                                 (const char *const[]){ "direct", NULL }, error) ||
                vgmXMLSingleChild(child, "direct", &direct, error) < 0)
                return FALSE;
            if (direct &&
                (!vgmXMLCheckNode(direct, (const char *const[]){ "state", NULL },
                                  vgmXMLNoChildren, error) ||
                 vgmXMLPropTristateSwitch(direct, "state", VGM_XML_PROP_REQUIRED,
                                          &f->hvStimerDirect, error) < 0))
                return FALSE;
        } else if (!vgmXMLCheckNode(child, (const char *const[]){ "state", NULL },
                                    vgmXMLNoChildren, error)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* The <features> children that are just <NAME state='on|off'/> */
static const VgmFeature vgmStateFeatures[] = {
    VGM_FEATURE_PVSPINLOCK, VGM_FEATURE_PMU, VGM_FEATURE_VMPORT, VGM_FEATURE_SMM,
    VGM_FEATURE_VMCOREINFO,
};

static gboolean
vgmFeatureNestedSmm(xmlNodePtr smm, VgmTristate outer, GError **error)
{
    xmlNodePtr inner;
    VgmTristate state;

    if (vgmXMLSingleChild(smm, "smm", &inner, error) < 0)
        return FALSE;
    if (!inner)
        return TRUE;
    if (vgmXMLChild(smm, "tseg")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("<smm> in <features> has both an <smm> and a <tseg> inside it"));
        return FALSE;
    }
    if (!vgmXMLCheckNode(inner, (const char *const[]){ "state", NULL }, vgmXMLNoChildren, error) ||
        vgmXMLPropTristateSwitch(inner, "state", 0, &state, error) < 0)
        return FALSE;
    if ((state == VGM_TRISTATE_NO ? VGM_TRISTATE_NO : VGM_TRISTATE_YES) != outer) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<smm> in <features> is '%1$s' and the <smm> inside it says '%2$s'"),
                    vgmTristateSwitchTypeToString(outer),
                    vgmTristateSwitchTypeToString(state == VGM_TRISTATE_NO ? VGM_TRISTATE_NO :
                                                  VGM_TRISTATE_YES));
        return FALSE;
    }
    return TRUE;
}

/* <smm><tseg unit=''>: the size of q35's extended TSEG, MiB by default;
 * QEMU takes whole MiB in 16 bits. libvirt reads it only with SMM on. */
static gboolean
vgmFeatureTsegParse(xmlNodePtr smm, VgmFeatures *f, GError **error)
{
    xmlNodePtr tseg;
    g_autofree char *unit = NULL;
    unsigned long long bytes;

    if (vgmXMLSingleChild(smm, "tseg", &tseg, error) < 0)
        return FALSE;
    if (!tseg)
        return TRUE;
    if (!vgmXMLCheckNode(tseg, (const char *const[]){ "unit", NULL }, NULL, error) ||
        vgmXMLPropString(tseg, "unit", 0, &unit, error) < 0 ||
        vgmXMLNodeContentULL(tseg, &bytes, error) < 0 ||
        !vgmScaleInteger(&bytes, unit, 1024 * 1024, G_MAXUINT64, "<tseg> in <smm>", error))
        return FALSE;
    if (f->features[VGM_FEATURE_SMM] != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<tseg> in <smm state='off'>: the TSEG size is for a guest with SMM"));
        return FALSE;
    }
    if (bytes % (1024 * 1024) || bytes / (1024 * 1024) > G_MAXUINT16) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid size %1$llu bytes of <tseg> in <smm>: QEMU takes whole MiB, at most 65535"),
                    bytes);
        return FALSE;
    }
    f->tsegMiB = bytes / (1024 * 1024);
    f->haveTseg = TRUE;
    return TRUE;
}

/* <features> children libvirt knows for other hypervisors or
 * architectures, and why QEMU on x86 has nothing for them (libvirt's
 * QEMU driver takes the first six and does nothing with them) */
static const VgmRefused vgmFeaturesOther[] = {
    { "hap", N_("it turns Xen's hardware-assisted paging on or off; QEMU on x86 has no such setting") },
    { "viridian", N_("it is Xen's set of Hyper-V enlightenments (QEMU's are set in <hyperv>); QEMU on x86 has no such setting") },
    { "privnet", N_("it gives an LXC container a private network; QEMU on x86 has no such setting") },
    { "capabilities", N_("it sets an LXC container's process capabilities; QEMU on x86 has no such setting") },
    { "msrs", N_("it says how bhyve treats unknown MSRs; QEMU on x86 has no such setting") },
    { "xen", N_("it sets Xen's host e820 map and PCI passthrough; QEMU on x86 has no such setting") },
    { "gic", N_("it is the interrupt controller of ARM guests; QEMU on x86 has no such setting") },
    { "hpt", N_("it sizes the hash page table of pSeries guests; QEMU on x86 has no such setting") },
    { "htm", N_("it is the transactional memory of pSeries guests; QEMU on x86 has no such setting") },
    { "nested-hv", N_("it is nested KVM-HV of pSeries guests; QEMU on x86 has no such setting") },
    { "ccf-assist", N_("it is a pSeries cache flush assist; QEMU on x86 has no such setting") },
    { "cfpc", N_("it is a pSeries cache flush workaround; QEMU on x86 has no such setting") },
    { "sbbc", N_("it is a pSeries speculation barrier workaround; QEMU on x86 has no such setting") },
    { "ibs", N_("it is a pSeries indirect branch speculation workaround; QEMU on x86 has no such setting") },
};

static gboolean
vgmFeaturesParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "acpi", "apic", "pae", "hyperv", "kvm", "pvspinlock", "pmu", "vmport", "smm",
        "ioapic", "vmcoreinfo", "tcg", NULL
    };
    VgmFeatures *f = &def->features;
    const char *const *name;
    xmlNodePtr child;
    size_t i;
    int v;

    if (!VGM_XML_CHECK_REFUSED_CHILDREN(node, vgmFeaturesOther, error))
        return FALSE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error))
        return FALSE;
    def->hasFeatures = TRUE;
    for (name = children; *name; name++) {
        if (vgmXMLSingleChild(node, *name, &child, error) < 0)
            return FALSE;
    }
    if ((child = vgmXMLChild(node, "acpi"))) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, vgmXMLNoChildren, error))
            return FALSE;
        f->features[VGM_FEATURE_ACPI] = VGM_TRISTATE_YES;
    }
    if ((child = vgmXMLChild(node, "apic"))) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "eoi", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropTristateSwitch(child, "eoi", 0, &f->apicEoi, error) < 0)
            return FALSE;
        f->features[VGM_FEATURE_APIC] = VGM_TRISTATE_YES;
    }
    if ((child = vgmXMLChild(node, "pae"))) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, vgmXMLNoChildren, error))
            return FALSE;
        f->features[VGM_FEATURE_PAE] = VGM_TRISTATE_YES;
    }
    if ((child = vgmXMLChild(node, "hyperv")) && !vgmHypervParse(f, child, error))
        return FALSE;
    if ((child = vgmXMLChild(node, "kvm"))) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren,
                             (const char *const[]){ "hidden", "hint-dedicated", "poll-control",
                                                    "pv-ipi", "dirty-ring", NULL }, error) ||
            !vgmFeatureStatesParse(child, "kvm", f->kvm, VGM_KVM_LAST, vgmKvmFeatureName, error))
            return FALSE;
        for (v = 0; v < VGM_KVM_LAST; v++) {
            xmlNodePtr k = vgmXMLChild(child, vgmKvmFeatureTypeToString(v));
            if (k && !vgmXMLCheckNode(k, v == VGM_KVM_DIRTY_RING ?
                                         (const char *const[]){ "state", "size", NULL } :
                                         (const char *const[]){ "state", NULL },
                                      vgmXMLNoChildren, error))
                return FALSE;
            /* KVM's ring of dirty pages for each vCPU: its entries, a
             * power of 2 from 1024 to 65536 (libvirt's rule) */
            if (v == VGM_KVM_DIRTY_RING && f->kvm[v] == VGM_TRISTATE_YES) {
                if (vgmXMLPropUInt(k, "size", VGM_XML_PROP_REQUIRED, &f->dirtyRingSize,
                                   error) < 0)
                    return FALSE;
                if (f->dirtyRingSize < 1024 || f->dirtyRingSize > 65536 ||
                    (f->dirtyRingSize & (f->dirtyRingSize - 1))) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("invalid value '%1$u' for attribute 'size' of <dirty-ring>: KVM's dirty ring has a power of 2 of entries from 1024 to 65536"),
                                f->dirtyRingSize);
                    return FALSE;
                }
            }
        }
        f->haveKvm = TRUE;
    }
    /* <tcg><tb-cache>: the size of TCG's translation cache (QEMU takes
     * whole MiB: another size would be rounded, so it is refused) */
    if ((child = vgmXMLChild(node, "tcg"))) {
        xmlNodePtr tb;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, (const char *const[]){ "tb-cache", NULL },
                             error) ||
            vgmXMLSingleChild(child, "tb-cache", &tb, error) < 0 ||
            vgmDomainSizeParse(tb, &f->tcgTbCacheKiB, error) < 0)
            return FALSE;
        if (tb && (f->tcgTbCacheKiB == 0 || f->tcgTbCacheKiB % 1024)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid size %1$llu KiB of <tb-cache> in <tcg>: QEMU's translation cache is whole MiB, at least 1"),
                        f->tcgTbCacheKiB);
            return FALSE;
        }
        f->haveTcg = TRUE;
    }
    if ((child = vgmXMLChild(node, "ioapic"))) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "driver", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "driver", vgmIoapicDriverTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        /* <ioapic/> without a driver says nothing, and libvirt drops it */
        f->ioapic = v;
        if (v)
            f->features[VGM_FEATURE_IOAPIC] = VGM_TRISTATE_YES;
    }
    /* <NAME state='on|off'/>: a bare element is on */
    for (i = 0; i < G_N_ELEMENTS(vgmStateFeatures); i++) {
        VgmTristate state;

        gboolean smm = vgmStateFeatures[i] == VGM_FEATURE_SMM;

        if (!(child = vgmXMLChild(node, vgmFeatureTypeToString(vgmStateFeatures[i]))))
            continue;
        if (!vgmXMLCheckNode(child, (const char *const[]){ "state", NULL },
                             smm ? (const char *const[]){ "smm", "tseg", NULL } : vgmXMLNoChildren,
                             error) ||
            vgmXMLPropTristateSwitch(child, "state", 0, &state, error) < 0)
            return FALSE;
        f->features[vgmStateFeatures[i]] = state == VGM_TRISTATE_NO ? VGM_TRISTATE_NO : VGM_TRISTATE_YES;
        if (smm && !vgmFeatureTsegParse(child, f, error))
            return FALSE;
        /* OpenStack Nova 26 writes <smm><smm state='on'/></smm>, whose
         * inner element libvirt does not read: it must say what the outer
         * one says */
        if (smm && !vgmFeatureNestedSmm(child, f->features[VGM_FEATURE_SMM], error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
vgmClockParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    VgmClockDef *clock = &def->clock;
    g_autoptr(GPtrArray) timers = NULL;
    guint i, j;
    int v;
    int rc;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "offset", "timezone", "adjustment", "basis",
                                                      "start", NULL },
                         (const char *const[]){ "timer", NULL }, error))
        return FALSE;
    if (vgmXMLPropEnum(node, "offset", vgmClockOffsetTypeFromString, 0, &v, error) < 0)
        return FALSE;
    clock->offset = v;
    if (vgmXMLPropString(node, "timezone", 0, &clock->timezone, error) < 0 ||
        vgmXMLPropString(node, "basis", 0, &clock->basis, error) < 0)
        return FALSE;
    if (clock->timezone && clock->offset != VGM_CLOCK_OFFSET_TIMEZONE) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'timezone' of element <clock> needs offset='timezone'"));
        return FALSE;
    }
    if (clock->offset == VGM_CLOCK_OFFSET_TIMEZONE && !clock->timezone) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <clock> with offset='timezone' needs a 'timezone' attribute"));
        return FALSE;
    }
    if (clock->basis && !g_str_equal(clock->basis, "utc") &&
        !g_str_equal(clock->basis, "localtime")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'basis' of element <clock>"),
                    clock->basis);
        return FALSE;
    }
    {
        g_autofree char *adj = NULL;
        if ((rc = vgmXMLPropString(node, "adjustment", 0, &adj, error)) < 0)
            return FALSE;
        if (rc > 0) {
            char *end = NULL;
            gint64 a = g_ascii_strtoll(adj, &end, 10);
            gboolean utcOrLocal = clock->offset == VGM_CLOCK_OFFSET_UTC ||
                                  clock->offset == VGM_CLOCK_OFFSET_LOCALTIME;

            /* libvirt's readings: 'reset' with utc or localtime (the
             * clock starts from the host's each boot, which is what QEMU's
             * -rtc base does anyway); a number with them is offset
             * 'variable' from that basis */
            if (utcOrLocal && g_str_equal(adj, "reset")) {
                clock->utcReset = TRUE;
            } else if (!*adj || *end || (!utcOrLocal && clock->offset != VGM_CLOCK_OFFSET_VARIABLE)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'adjustment' of element <clock>: 'reset' with offset 'utc' or 'localtime', or an integer with those or 'variable', is needed"),
                            adj);
                return FALSE;
            } else {
                /* (the basis is the offset's, whatever a basis='' says) */
                if (utcOrLocal) {
                    g_free(clock->basis);
                    clock->basis = g_strdup(clock->offset == VGM_CLOCK_OFFSET_UTC ? "utc" :
                                            "localtime");
                    clock->offset = VGM_CLOCK_OFFSET_VARIABLE;
                }
                clock->adjustment = a;
            }
        }
    }
    /* offset='absolute': the guest's clock starts at a fixed time; QEMU's
     * -rtc base takes years 1970 to 9999 */
    if ((rc = vgmXMLPropULongLong(node, "start", 0, &clock->start, error)) < 0)
        return FALSE;
    if ((rc > 0) != (clock->offset == VGM_CLOCK_OFFSET_ABSOLUTE)) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    rc > 0 ? _("attribute 'start' of element <clock> needs offset='absolute'") :
                             _("element <clock> with offset='absolute' needs a 'start' attribute"));
        return FALSE;
    }
    if (clock->start > 253402300799ULL) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$llu' for attribute 'start' of element <clock>: the time must be before the year 10000"),
                    clock->start);
        return FALSE;
    }
    if ((clock->basis) && clock->offset != VGM_CLOCK_OFFSET_VARIABLE) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'basis' of element <clock> needs offset='variable'"));
        return FALSE;
    }

    timers = vgmXMLChildren(node, "timer");
    clock->timers = g_new0(VgmClockTimer, timers->len);
    for (i = 0; i < timers->len; i++) {
        xmlNodePtr tn = g_ptr_array_index(timers, i);
        VgmClockTimer *t = &clock->timers[clock->ntimers++];

        /* (libvirt takes a timer's mode, Xen's, and its QEMU driver
         * does nothing with it) */
        if (xmlHasProp(tn, (const xmlChar *)"mode")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("unsupported attribute 'mode' of <timer> in <clock>: a timer's mode (native, emulate, paravirt, smpsafe) is Xen's; QEMU has none"));
            return FALSE;
        }
        if (!vgmXMLCheckNode(tn, (const char *const[]){ "name", "present", "tickpolicy", "track",
                                                        "frequency", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(tn, "name", VGM_XML_PROP_REQUIRED, &t->name, error) < 0 ||
            vgmXMLPropTristateBool(tn, "present", 0, &t->present, error) < 0 ||
            vgmXMLPropString(tn, "tickpolicy", 0, &t->tickpolicy, error) < 0 ||
            vgmXMLPropString(tn, "track", 0, &t->track, error) < 0 ||
            vgmXMLPropULongLong(tn, "frequency", 0, &t->frequency, error) < 0)
            return FALSE;
        /* the guest's TSC rate (QEMU's tsc-frequency); other timers have
         * none to set */
        if (t->frequency && !g_str_equal(t->name, "tsc")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported attribute 'frequency' of <timer name='%1$s'>: only the tsc timer has a frequency to set"),
                        t->name);
            return FALSE;
        }
        if (t->track && !vgmStrInList(vgmTimerTracks, t->track)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'track' of element <timer>"),
                        t->track);
            return FALSE;
        }
        if (!vgmStrInList(vgmTimerNames, t->name)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'name' of element <timer>"),
                        t->name);
            return FALSE;
        }
        if (t->tickpolicy && !vgmStrInList(vgmTimerTickpolicies, t->tickpolicy)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'tickpolicy' of element <timer>"),
                        t->tickpolicy);
            return FALSE;
        }
        for (j = 0; j + 1 < clock->ntimers; j++) {
            if (g_str_equal(clock->timers[j].name, t->name)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("timer '%1$s' appears twice in <clock>"), t->name);
                return FALSE;
            }
        }
    }
    return TRUE;
}

gboolean
vgmDomainOsParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr node;

    node = vgmXMLChild(root, "os");
    if (!node) {
        vgmErrorSet(error, VGM_ERR_XML, _("missing element <os> in <domain>"));
        return FALSE;
    }
    if (!vgmOsParse(def, node, error))
        return FALSE;
    if (!vgmDomainIdmapParse(def, root, error))
        return FALSE;
    if ((node = vgmXMLChild(root, "features")) && !vgmFeaturesParse(def, node, error))
        return FALSE;
    if ((node = vgmXMLChild(root, "clock")) && !vgmClockParse(def, node, error))
        return FALSE;
    return TRUE;
}

void
vgmDomainOsFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmOsDef *os = &def->os;
    VgmBuf child;
    size_t i;

    vgmBufAdd(buf, "<os");
    if (os->firmware)
        vgmBufAsprintf(buf, " firmware='%s'", vgmOsFirmwareTypeToString(os->firmware));
    vgmBufAdd(buf, ">\n");
    vgmBufInitChild(&child, buf);

    vgmBufAdd(&child, "<type");
    vgmBufEscapeString(&child, " arch='%s'", os->arch);
    vgmBufEscapeString(&child, " machine='%s'", os->machine);
    vgmBufEscapeString(&child, ">%s</type>\n", os->type);
    if (os->nfwFeatures) {
        /* in libvirt's order, whatever the definition's */
        static const char *const names[] = { "enrolled-keys", "secure-boot" };

        vgmBufAdd(&child, "<firmware>\n");
        for (i = 0; i < G_N_ELEMENTS(names); i++) {
            VgmTristate enabled = vgmOsFirmwareFeature(os, names[i]);

            if (enabled)
                vgmBufAsprintf(&child, "  <feature enabled='%s' name='%s'/>\n",
                               vgmTristateBoolTypeToString(enabled), names[i]);
        }
        vgmBufAdd(&child, "</firmware>\n");
    }
    if (os->loader || os->loaderReadonly || os->loaderSecure || os->loaderType ||
        os->loaderStateless) {
        vgmBufAdd(&child, "<loader");
        if (os->loaderReadonly)
            vgmBufAsprintf(&child, " readonly='%s'", vgmTristateBoolTypeToString(os->loaderReadonly));
        if (os->loaderSecure)
            vgmBufAsprintf(&child, " secure='%s'", vgmTristateBoolTypeToString(os->loaderSecure));
        if (os->loaderType)
            vgmBufAsprintf(&child, " type='%s'", vgmLoaderTypeTypeToString(os->loaderType));
        if (os->loaderStateless)
            vgmBufAsprintf(&child, " stateless='%s'", vgmTristateBoolTypeToString(os->loaderStateless));
        if (os->loader)
            vgmBufEscapeString(&child, ">%s</loader>\n", os->loader);
        else
            vgmBufAdd(&child, "/>\n");
    }
    if (os->nvramNet) {
        vgmBufAdd(&child, "<nvram type='network'>\n");
        vgmBufAdjustIndent(&child, 2);
        vgmDiskNetSourceFormat(&child, os->nvramNet);
        vgmBufAdjustIndent(&child, -2);
        vgmBufAdd(&child, "</nvram>\n");
    } else if (os->nvramTyped) {
        vgmBufAdd(&child, "<nvram");
        vgmBufEscapeString(&child, " template='%s'", os->nvramTemplate);
        vgmBufAsprintf(&child, " type='%s'>\n", os->nvramBlock ? "block" : "file");
        if (os->nvramBlock)
            vgmBufEscapeString(&child, "  <source dev='%s'/>\n", os->nvram);
        else
            vgmBufEscapeString(&child, "  <source file='%s'/>\n", os->nvram);
        vgmBufAdd(&child, "</nvram>\n");
    } else if (os->nvram || os->nvramTemplate) {
        vgmBufAdd(&child, "<nvram");
        vgmBufEscapeString(&child, " template='%s'", os->nvramTemplate);
        if (os->nvram)
            vgmBufEscapeString(&child, ">%s</nvram>\n", os->nvram);
        else
            vgmBufAdd(&child, "/>\n");
    }
    vgmBufEscapeString(&child, "<kernel>%s</kernel>\n", os->kernel);
    vgmBufEscapeString(&child, "<initrd>%s</initrd>\n", os->initrd);
    vgmBufEscapeString(&child, "<cmdline>%s</cmdline>\n", os->cmdline);
    vgmBufEscapeString(&child, "<dtb>%s</dtb>\n", os->dtb);
    if (os->slicTable) {
        vgmBufAdd(&child, "<acpi>\n");
        vgmBufEscapeText(&child, "  <table type='slic'>%s</table>\n", os->slicTable);
        vgmBufAdd(&child, "</acpi>\n");
    }
    for (i = 0; i < os->nboot; i++)
        vgmBufAsprintf(&child, "<boot dev='%s'/>\n", vgmBootDevTypeToString(os->boot[i]));
    if (os->bootmenu) {
        vgmBufAsprintf(&child, "<bootmenu enable='%s'", vgmTristateBoolTypeToString(os->bootmenu));
        if (os->haveBootmenuTimeout)
            vgmBufAsprintf(&child, " timeout='%u'", os->bootmenuTimeout);
        vgmBufAdd(&child, "/>\n");
    }
    if (os->biosUseserial || os->haveRebootTimeout) {
        vgmBufAdd(&child, "<bios");
        if (os->biosUseserial)
            vgmBufAsprintf(&child, " useserial='%s'", vgmTristateBoolTypeToString(os->biosUseserial));
        if (os->haveRebootTimeout)
            vgmBufAsprintf(&child, " rebootTimeout='%d'", os->rebootTimeout);
        vgmBufAdd(&child, "/>\n");
    }
    if (os->smbiosMode)
        vgmBufAsprintf(&child, "<smbios mode='%s'/>\n", vgmSmbiosModeTypeToString(os->smbiosMode));
    vgmBufAddBuf(buf, &child);
    vgmBufClear(&child);
    vgmBufAdd(buf, "</os>\n");
}

void
vgmDomainFeaturesFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmFeatures *f = &def->features;
    VgmBuf child;
    size_t n;

    if (!def->hasFeatures)
        return;
    /* an empty <features/> is dropped, as libvirt does */
    vgmBufInitChild(&child, buf);
    if (f->features[VGM_FEATURE_ACPI])
        vgmBufAdd(&child, "<acpi/>\n");
    if (f->features[VGM_FEATURE_APIC]) {
        if (f->apicEoi)
            vgmBufAsprintf(&child, "<apic eoi='%s'/>\n", vgmTristateSwitchTypeToString(f->apicEoi));
        else
            vgmBufAdd(&child, "<apic/>\n");
    }
    if (f->features[VGM_FEATURE_PAE])
        vgmBufAdd(&child, "<pae/>\n");
    if (f->hypervMode) {
        VgmBuf hv;
        int i;

        vgmBufInitChild(&hv, &child);
        for (i = 0; i < VGM_HYPERV_LAST; i++) {
            const char *name = vgmHypervFeatureTypeToString(i);
            const char *state;

            if (!f->hyperv[i])
                continue;
            state = vgmTristateSwitchTypeToString(f->hyperv[i]);
            if (i == VGM_HYPERV_SPINLOCKS && f->hyperv[i] == VGM_TRISTATE_YES) {
                vgmBufAsprintf(&hv, "<spinlocks state='on' retries='%u'/>\n", f->hvSpinlockRetries);
            } else if (i == VGM_HYPERV_VENDOR_ID && f->hyperv[i] == VGM_TRISTATE_YES) {
                vgmBufEscapeString(&hv, "<vendor_id state='on' value='%s'/>\n", f->hvVendorId);
            } else if (i == VGM_HYPERV_STIMER && f->hvStimerDirect) {
                vgmBufAsprintf(&hv, "<stimer state='%s'>\n", state);
                vgmBufAsprintf(&hv, "  <direct state='%s'/>\n",
                               vgmTristateSwitchTypeToString(f->hvStimerDirect));
                vgmBufAdd(&hv, "</stimer>\n");
            } else {
                vgmBufAsprintf(&hv, "<%s state='%s'/>\n", name, state);
            }
        }
        vgmBufAsprintf(&child, "<hyperv mode='%s'", vgmHypervModeTypeToString(f->hypervMode));
        if (vgmBufIsEmpty(&hv)) {
            vgmBufAdd(&child, "/>\n");
        } else {
            vgmBufAdd(&child, ">\n");
            vgmBufAddBuf(&child, &hv);
            vgmBufAdd(&child, "</hyperv>\n");
        }
        vgmBufClear(&hv);
    }
    if (f->haveKvm) {
        VgmBuf kvm;
        int i;

        vgmBufInitChild(&kvm, &child);
        for (i = 0; i < VGM_KVM_LAST; i++) {
            if (!f->kvm[i])
                continue;
            vgmBufAsprintf(&kvm, "<%s state='%s'", vgmKvmFeatureTypeToString(i),
                           vgmTristateSwitchTypeToString(f->kvm[i]));
            if (i == VGM_KVM_DIRTY_RING && f->dirtyRingSize)
                vgmBufAsprintf(&kvm, " size='%u'", f->dirtyRingSize);
            vgmBufAsprintf(&kvm, "/>\n");
        }
        vgmXMLFormatElement(&child, "kvm", NULL, &kvm);
    }
    /* libvirt's order: ioapic between smm and vmcoreinfo; the state is
     * written even for a bare element */
    for (n = 0; n < G_N_ELEMENTS(vgmStateFeatures); n++) {
        VgmFeature feat = vgmStateFeatures[n];

        if (feat == VGM_FEATURE_VMCOREINFO && f->features[VGM_FEATURE_IOAPIC])
            vgmBufAsprintf(&child, "<ioapic driver='%s'/>\n", vgmIoapicDriverTypeToString(f->ioapic));
        if (feat == VGM_FEATURE_SMM && f->haveTseg) {
            vgmBufAdd(&child, "<smm state='on'>\n");
            vgmBufAsprintf(&child, "  <tseg unit='MiB'>%u</tseg>\n", f->tsegMiB);
            vgmBufAdd(&child, "</smm>\n");
        } else if (f->features[feat]) {
            vgmBufAsprintf(&child, "<%s state='%s'/>\n", vgmFeatureTypeToString(feat),
                           f->features[feat] == VGM_TRISTATE_YES ? "on" : "off");
        }
    }
    /* last, in libvirt's order */
    if (f->haveTcg) {
        VgmBuf tcg;

        vgmBufInitChild(&tcg, &child);
        if (f->tcgTbCacheKiB)
            vgmBufAsprintf(&tcg, "<tb-cache unit='KiB'>%llu</tb-cache>\n", f->tcgTbCacheKiB);
        vgmXMLFormatElement(&child, "tcg", NULL, &tcg);
    }
    vgmXMLFormatElement(buf, "features", NULL, &child);
}

void
vgmDomainClockFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmClockDef *clock = &def->clock;
    VgmBuf attrs;
    VgmBuf child;
    size_t i;

    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);
    vgmBufAsprintf(&attrs, " offset='%s'", vgmClockOffsetTypeToString(clock->offset));
    vgmBufEscapeString(&attrs, " timezone='%s'", clock->timezone);
    if (clock->utcReset)
        vgmBufAdd(&attrs, " adjustment='reset'");
    if (clock->offset == VGM_CLOCK_OFFSET_VARIABLE) {
        vgmBufAsprintf(&attrs, " adjustment='%lld'", clock->adjustment);
        vgmBufAsprintf(&attrs, " basis='%s'", clock->basis ? clock->basis : "utc");
    }
    if (clock->offset == VGM_CLOCK_OFFSET_ABSOLUTE)
        vgmBufAsprintf(&attrs, " start='%llu'", clock->start);
    for (i = 0; i < clock->ntimers; i++) {
        const VgmClockTimer *t = &clock->timers[i];

        vgmBufAsprintf(&child, "<timer name='%s'", t->name);
        if (t->present)
            vgmBufAsprintf(&child, " present='%s'", vgmTristateBoolTypeToString(t->present));
        if (t->tickpolicy)
            vgmBufAsprintf(&child, " tickpolicy='%s'", t->tickpolicy);
        if (t->track)
            vgmBufAsprintf(&child, " track='%s'", t->track);
        if (t->frequency)
            vgmBufAsprintf(&child, " frequency='%llu'", t->frequency);
        vgmBufAdd(&child, "/>\n");
    }
    vgmXMLFormatElementEmpty(buf, "clock", &attrs, &child);
}

/* ---- <idmap> ---- */

static gint
vgmDomainIdMapCompare(gconstpointer a, gconstpointer b)
{
    const VgmDomainIdMapEntry *x = a;
    const VgmDomainIdMapEntry *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* *@out: the <uid> or <gid> entries of <idmap> @node, sorted by start as
 * libvirt keeps them; NULL when there are none */
static gboolean
vgmDomainIdMapEntriesParse(xmlNodePtr node, const char *name, GArray **out, GError **error)
{
    g_autoptr(GPtrArray) els = vgmXMLChildren(node, name);
    g_autoptr(GArray) map = NULL;
    guint i;

    if (els->len == 0)
        return TRUE;
    map = g_array_new(FALSE, TRUE, sizeof(VgmDomainIdMapEntry));
    for (i = 0; i < els->len; i++) {
        xmlNodePtr el = g_ptr_array_index(els, i);
        VgmDomainIdMapEntry e;

        if (!vgmXMLCheckNode(el, (const char *const[]){ "start", "target", "count", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(el, "start", VGM_XML_PROP_REQUIRED, &e.start, error) < 0 ||
            vgmXMLPropUInt(el, "target", VGM_XML_PROP_REQUIRED, &e.target, error) < 0 ||
            vgmXMLPropUInt(el, "count", VGM_XML_PROP_REQUIRED, &e.count, error) < 0)
            return FALSE;
        g_array_append_val(map, e);
    }
    g_array_sort(map, vgmDomainIdMapCompare);
    if (g_array_index(map, VgmDomainIdMapEntry, 0).start != 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<idmap> must map ID 0 (the container's root): no <%1$s start='0'>"), name);
        return FALSE;
    }
    *out = g_steal_pointer(&map);
    return TRUE;
}

/* <idmap>: a container's user and group ID maps. libvirt's QEMU driver
 * keeps them in the definition and gives them no effect on the guest; so
 * does virt-gmem (docs/qemu-mapping.rst). Its checks are libvirt's: both
 * maps or neither, each mapping ID 0. */
gboolean
vgmDomainIdmapParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr node = vgmXMLChild(root, "idmap");

    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "uid", "gid", NULL },
                         error))
        return FALSE;
    if (!vgmDomainIdMapEntriesParse(node, "uid", &def->uidmap, error) ||
        !vgmDomainIdMapEntriesParse(node, "gid", &def->gidmap, error))
        return FALSE;
    if (!def->uidmap != !def->gidmap) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<idmap> must map both user IDs (<uid>) and group IDs (<gid>)"));
        return FALSE;
    }
    return TRUE;
}

void
vgmDomainIdmapFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const struct {
        const char *name;
        const GArray *map;
    } maps[] = { { "uid", def->uidmap }, { "gid", def->gidmap } };
    size_t m;
    guint i;

    if (!def->uidmap)
        return;
    vgmBufAdd(buf, "<idmap>\n");
    for (m = 0; m < G_N_ELEMENTS(maps); m++) {
        for (i = 0; maps[m].map && i < maps[m].map->len; i++) {
            const VgmDomainIdMapEntry *e = &g_array_index(maps[m].map, VgmDomainIdMapEntry, i);

            vgmBufAsprintf(buf, "  <%s start='%u' target='%u' count='%u'/>\n",
                           maps[m].name, e->start, e->target, e->count);
        }
    }
    vgmBufAdd(buf, "</idmap>\n");
}
