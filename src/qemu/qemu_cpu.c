/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_cpu.c: x86 CPU facts of the QEMU arrow (see the header).
 */
#include "config.h"

#include <string.h>

#include "qemu_cpu.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* QEMU's x86 CPU keeps these older names as aliases of its own */
static const struct {
    const char *alias;
    const char *name;
} vgmQemuCpuAliases[] = {
    { "sse3", "pni" },
    { "pclmuldq", "pclmulqdq" },
    { "sse4-1", "sse4.1" },
    { "sse4-2", "sse4.2" },
    { "xd", "nx" },
    { "ffxsr", "fxsr-opt" },
    { "i64", "lm" },
};

char *
vgmQemuCpuFeatureName(const char *name)
{
    char *canon = g_strdelimit(g_strdup(name), "_", '-');
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuAliases); i++) {
        if (g_str_equal(canon, vgmQemuCpuAliases[i].alias)) {
            g_free(canon);
            return g_strdup(vgmQemuCpuAliases[i].name);
        }
    }
    return canon;
}

/* libvirt's names for these features of QEMU's */
static const struct {
    const char *qemu;
    const char *xml;
} vgmQemuCpuXMLNames[] = {
    { "pclmulqdq", "pclmuldq" },
    { "ds-cpl", "ds_cpl" },
    { "tsc-adjust", "tsc_adjust" },
    { "mbm-total", "mbm_total" },
    { "mbm-local", "mbm_local" },
    { "fxsr-opt", "fxsr_opt" },
    { "lahf-lm", "lahf_lm" },
    { "cmp-legacy", "cmp_legacy" },
    { "nodeid-msr", "nodeid_msr" },
    { "perfctr-core", "perfctr_core" },
    { "perfctr-nb", "perfctr_nb" },
};

/* the CPUID vendor strings libvirt has names for */
static const struct {
    const char *cpuid;
    const char *xml;
} vgmQemuCpuVendors[] = {
    { "GenuineIntel", "Intel" },
    { "AuthenticAMD", "AMD" },
    { "HygonGenuine", "Hygon" },
};

/* (libvirt 9.0's src/cpu_map/index.xml, arch x86: model names only) */
const char *const vgmQemuCpuLibvirtX86Models[] = {
    "486", "pentium", "pentium2", "pentium3", "pentiumpro", "coreduo", "n270", "core2duo",
    "qemu32", "kvm32", "cpu64-rhel5", "cpu64-rhel6", "qemu64", "kvm64",
    "Conroe", "Penryn", "Nehalem", "Nehalem-IBRS", "Westmere", "Westmere-IBRS",
    "SandyBridge", "SandyBridge-IBRS", "IvyBridge", "IvyBridge-IBRS",
    "Haswell-noTSX", "Haswell-noTSX-IBRS", "Haswell", "Haswell-IBRS",
    "Broadwell-noTSX", "Broadwell-noTSX-IBRS", "Broadwell", "Broadwell-IBRS",
    "Skylake-Client", "Skylake-Client-IBRS", "Skylake-Client-noTSX-IBRS",
    "Skylake-Server", "Skylake-Server-IBRS", "Skylake-Server-noTSX-IBRS",
    "Cascadelake-Server", "Cascadelake-Server-noTSX", "Icelake-Client", "Icelake-Client-noTSX",
    "Icelake-Server", "Icelake-Server-noTSX", "Cooperlake", "Snowridge",
    "athlon", "phenom", "Opteron_G1", "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5",
    "EPYC", "EPYC-IBPB", "EPYC-Rome", "EPYC-Milan", "Dhyana", NULL,
};

gboolean
vgmQemuCpuIsParavirt(const char *name)
{
    return g_str_has_prefix(name, "kvm");
}

const char *
vgmQemuCpuVendorXMLName(const char *vendor)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuVendors); i++) {
        if (g_str_equal(vendor, vgmQemuCpuVendors[i].cpuid))
            return vgmQemuCpuVendors[i].xml;
    }
    return NULL;
}

const char *
vgmQemuCpuFeatureXMLName(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuXMLNames); i++) {
        if (g_str_equal(name, vgmQemuCpuXMLNames[i].qemu))
            return vgmQemuCpuXMLNames[i].xml;
    }
    return name;
}

void
vgmQemuCpuHostModelToCustom(VgmCpuDef *cpu, const VgmQemuCpuHostModel *hm)
{
    size_t i;

    g_autoptr(GHashTable) own = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    VgmCpuFeature *features = g_new0(VgmCpuFeature, hm->settings->len);

    /* the domain's own features keep their policy (force, forbid), but an
     * optional one, which became on or off, as libvirt updates it */
    for (i = 0; i < cpu->nfeatures; i++) {
        if (cpu->features[i].policy != VGM_CPU_FEATURE_OPTIONAL)
            g_hash_table_insert(own, vgmQemuCpuFeatureName(cpu->features[i].name),
                                GINT_TO_POINTER(cpu->features[i].policy + 1));
    }
    for (i = 0; i < hm->settings->len; i++) {
        const VgmQemuCpuSetting *set = g_ptr_array_index(hm->settings, i);
        gpointer policy = g_hash_table_lookup(own, set->name);

        features[i].name = g_strdup(vgmQemuCpuFeatureXMLName(set->name));
        features[i].policy = policy ? (VgmCpuFeaturePolicy)(GPOINTER_TO_INT(policy) - 1) :
                             set->on ? VGM_CPU_FEATURE_REQUIRE : VGM_CPU_FEATURE_DISABLE;
    }
    for (i = 0; i < cpu->nfeatures; i++)
        g_free(cpu->features[i].name);
    g_free(cpu->features);
    cpu->features = features;
    cpu->nfeatures = hm->settings->len;
    g_free(cpu->model);
    cpu->model = g_strdup(hm->model);
    /* a custom CPU keeps its own <vendor>, as libvirt's update does */
    if (cpu->mode == VGM_CPU_MODE_HOST_MODEL) {
        g_free(cpu->vendor);
        cpu->vendor = g_strdup(vgmQemuCpuVendorXMLName(hm->vendor));
    }
    if (!hm->ownModel)
        cpu->match = VGM_CPU_MATCH_EXACT;
    cpu->mode = VGM_CPU_MODE_CUSTOM;
    cpu->fallback = VGM_CPU_FALLBACK_FORBID;
}

static void
vgmQemuCpuSettingFree(VgmQemuCpuSetting *s)
{
    if (!s)
        return;
    g_free(s->name);
    g_free(s);
}

void
vgmQemuCpuHostModelFree(VgmQemuCpuHostModel *hm)
{
    if (!hm)
        return;
    g_free(hm->model);
    g_free(hm->vendor);
    g_clear_pointer(&hm->settings, g_ptr_array_unref);
    g_free(hm);
}

/* A set of the feature names in @features. */
static GHashTable *
vgmQemuCpuFeatureSet(GStrv features)
{
    GHashTable *set = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;

    for (i = 0; features[i]; i++)
        g_hash_table_add(set, features[i]);
    return set;
}

/* How many of @features are missing from @in. */
static guint
vgmQemuCpuCountMissing(GStrv features, GHashTable *in)
{
    guint n = 0;
    size_t i;

    for (i = 0; features[i]; i++)
        n += !g_hash_table_contains(in, features[i]);
    return n;
}

static void
vgmQemuCpuSet(VgmQemuCpuHostModel *hm, const char *name, gboolean on)
{
    VgmQemuCpuSetting *s;
    guint i;

    for (i = 0; i < hm->settings->len; i++) {
        s = g_ptr_array_index(hm->settings, i);
        if (g_str_equal(s->name, name)) {
            s->on = on;
            return;
        }
    }
    s = g_new0(VgmQemuCpuSetting, 1);
    s->name = g_strdup(name);
    s->on = on;
    g_ptr_array_add(hm->settings, s);
}

/* Whether @m has the CPUID family and model of @host (a signature of 0
 * is none). */
static gboolean
vgmQemuCpuSameSignature(const VgmQemuCapsCpuModel *m, const VgmQemuCapsCpuModel *host)
{
    return host->family && host->model &&
           m->family == host->family && m->model == host->model;
}

/* Features QEMU never takes (cache monitoring) or the guest's OS turns
 * on: a baseline never sets them, and libvirt drops them from a guest
 * CPU before QEMU starts */
static const char *const vgmQemuCpuBaselineSkip[] = {
    "cmt", "mbm-total", "mbm-local", "osxsave", "ospke",
};

static gboolean
vgmQemuCpuStrIn(const char *name, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (g_str_equal(name, list[i]))
            return TRUE;
    }
    return FALSE;
}

/* Features of QEMU's definition of a model that libvirt 9.0's CPU map
 * marks as removed from it (QEMU keeps them for compatibility) */
static const struct {
    const char *model;
    const char *feature;
} vgmQemuCpuRemoved[] = {
    { "EPYC", "monitor" },
    { "EPYC-IBPB", "monitor" },
    { "Dhyana", "monitor" },
    { "Opteron_G3", "monitor" },
    { "Icelake-Server", "intel-pt" },
    { "Icelake-Server-noTSX", "intel-pt" },
};

GPtrArray *
vgmQemuCpuRemovedFeatures(const VgmCpuDef *cpu)
{
    GPtrArray *out = g_ptr_array_new();
    size_t i, j;

    if (!cpu || cpu->mode != VGM_CPU_MODE_CUSTOM || !cpu->model ||
        cpu->match == VGM_CPU_MATCH_MINIMUM)
        return out;
    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuRemoved); i++) {
        gboolean named = FALSE;

        if (!g_str_equal(vgmQemuCpuRemoved[i].model, cpu->model))
            continue;
        for (j = 0; j < cpu->nfeatures && !named; j++) {
            g_autofree char *name = vgmQemuCpuFeatureName(cpu->features[j].name);

            named = g_str_equal(name, vgmQemuCpuRemoved[i].feature);
        }
        if (!named)
            g_ptr_array_add(out, (gpointer)vgmQemuCpuRemoved[i].feature);
    }
    return out;
}

void
vgmQemuCpuNameRemovedFeatures(VgmCpuDef *cpu, VgmCpuFeaturePolicy policy)
{
    g_autoptr(GPtrArray) removed = vgmQemuCpuRemovedFeatures(cpu);
    guint i;

    if (!removed->len)
        return;
    cpu->features = g_renew(VgmCpuFeature, cpu->features, cpu->nfeatures + removed->len);
    for (i = 0; i < removed->len; i++) {
        VgmCpuFeature *f = &cpu->features[cpu->nfeatures++];

        f->name = g_strdup(vgmQemuCpuFeatureXMLName(g_ptr_array_index(removed, i)));
        f->policy = policy;
    }
}

GHashTable *
vgmQemuCpuDroppedFeatures(const VgmCpuDef *cpu, const VgmQemuCaps *caps, VgmQemuCapsAccel accel)
{
    g_autoptr(VgmQemuCapsHostCpu) host = vgmQemuCapsGetHostCpu(caps, accel);
    g_autoptr(GHashTable) known = NULL;
    GHashTable *dropped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gboolean relative = vgmQemuCpuIsHostRelative(cpu);
    size_t i;

    if (!cpu)
        return dropped;
    /* (what QEMU knows, where the set says: its host CPU's features on
     * and off) */
    if (host && host->host->unset) {
        known = vgmQemuCpuFeatureSet(host->host->features);
        for (i = 0; host->host->unset[i]; i++)
            g_hash_table_add(known, host->host->unset[i]);
    }
    for (i = 0; i < cpu->nfeatures; i++) {
        const VgmCpuFeature *f = &cpu->features[i];
        char *name = vgmQemuCpuFeatureName(f->name);

        /* (an optional one of a CPU relative to the host the host lacks
         * is disabled first, as libvirt settles it; one the host has is
         * known) */
        if (vgmQemuCpuStrIn(name, vgmQemuCpuBaselineSkip, G_N_ELEMENTS(vgmQemuCpuBaselineSkip)) ||
            (known && !g_hash_table_contains(known, name) &&
             (f->policy == VGM_CPU_FEATURE_DISABLE || f->policy == VGM_CPU_FEATURE_FORBID ||
              (f->policy == VGM_CPU_FEATURE_OPTIONAL && relative))))
            g_hash_table_add(dropped, name);
        else
            g_free(name);
    }
    return dropped;
}

/* What of @cpu makes it relative to the host CPU, for messages */
static const char *
vgmQemuCpuRelativeWhat(const VgmCpuDef *cpu)
{
    if (cpu->mode == VGM_CPU_MODE_HOST_MODEL)
        return "<cpu mode='host-model'>";
    if (cpu->match == VGM_CPU_MATCH_MINIMUM)
        return "<cpu match='minimum'>";
    return "<feature policy='optional'>";
}

gboolean
vgmQemuCpuIsHostRelative(const VgmCpuDef *cpu)
{
    size_t i;

    if (!cpu || cpu->mode == VGM_CPU_MODE_HOST_MODEL)
        return cpu != NULL;
    /* libvirt leaves a custom CPU without a model to QEMU's default */
    if (cpu->mode != VGM_CPU_MODE_CUSTOM || !cpu->model)
        return FALSE;
    if (cpu->match == VGM_CPU_MATCH_MINIMUM)
        return TRUE;
    for (i = 0; i < cpu->nfeatures; i++) {
        if (cpu->features[i].policy == VGM_CPU_FEATURE_OPTIONAL)
            return TRUE;
    }
    return FALSE;
}

/* @hm's settings, then @cpu's own features over them: an optional one on
 * where the host CPU (@hostSet) has it */
static void
vgmQemuCpuApplyOwn(VgmQemuCpuHostModel *hm, const VgmCpuDef *cpu, GHashTable *hostSet)
{
    size_t i;

    for (i = 0; i < cpu->nfeatures; i++) {
        const VgmCpuFeature *f = &cpu->features[i];
        g_autofree char *name = vgmQemuCpuFeatureName(f->name);
        gboolean on;

        switch (f->policy) {
        case VGM_CPU_FEATURE_DISABLE:
        case VGM_CPU_FEATURE_FORBID:
            on = FALSE;
            break;
        case VGM_CPU_FEATURE_OPTIONAL:
            on = g_hash_table_contains(hostSet, name);
            break;
        case VGM_CPU_FEATURE_FORCE:
        case VGM_CPU_FEATURE_REQUIRE:
        default:
            on = TRUE;
            break;
        }
        vgmQemuCpuSet(hm, name, on);
    }
}

void
vgmQemuCpuMissingError(GError **error, const char *what, const char *accel, GPtrArray *missing)
{
    g_autofree char *list = NULL;

    g_ptr_array_add(missing, NULL);
    list = g_strjoinv(", ", (char **)missing->pdata);
    g_ptr_array_remove_index(missing, missing->len - 1);
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("%1$s is incompatible with the host CPU under %2$s, which does not provide these features it requires: %3$s (<cpu check='none'> starts the guest without them)"),
                what, accel, list);
}

/* Whether the host CPU (@host, its features @hostSet) has what the
 * minimum @cpu requires, where its check='partial' asks (libvirt compares
 * before it widens the CPU): its model's features and the features it
 * requires, not those it makes optional, forces or turns off. FALSE with
 * @error naming what is missing. */
static gboolean
vgmQemuCpuMinimumCheck(const VgmCpuDef *cpu, const VgmQemuCapsHostCpu *host,
                       GHashTable *hostSet, const char *accelName, GError **error)
{
    g_autoptr(GHashTable) own = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func(g_free);
    const VgmQemuCapsCpuModel *model = NULL;
    g_autofree char *what = NULL;
    size_t i;

    /* (as libvirt: check='full' compares the CPU QEMU made, which is the
     * widened one) */
    if (cpu->check != VGM_CPU_CHECK_PARTIAL)
        return TRUE;
    for (i = 0; i < host->models->len && !model; i++) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(host->models, i);

        if (g_str_equal(m->name, cpu->model))
            model = m;
    }
    if (!model) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <cpu> model '%1$s': it is not one of this QEMU binary's CPU models, so it cannot be compared with the host CPU (<cpu check='partial'>)"),
                    cpu->model);
        return FALSE;
    }
    for (i = 0; i < cpu->nfeatures; i++) {
        const VgmCpuFeature *f = &cpu->features[i];
        char *name = vgmQemuCpuFeatureName(f->name);

        if (f->policy == VGM_CPU_FEATURE_REQUIRE && !g_hash_table_contains(hostSet, name) &&
            !g_hash_table_contains(own, name))
            g_ptr_array_add(missing, g_strdup(name));
        g_hash_table_insert(own, name, NULL);
    }
    /* (what libvirt's CPU map removed from the model is not the model's
     * in its comparison) */
    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuRemoved); i++) {
        if (g_str_equal(vgmQemuCpuRemoved[i].model, cpu->model))
            g_hash_table_add(own, g_strdup(vgmQemuCpuRemoved[i].feature));
    }
    for (i = 0; model && model->features[i]; i++) {
        if (!g_hash_table_contains(own, model->features[i]) &&
            !g_hash_table_contains(hostSet, model->features[i]))
            g_ptr_array_add(missing, g_strdup(model->features[i]));
    }
    if (missing->len == 0)
        return TRUE;
    what = g_strdup_printf("<cpu> model '%s'", cpu->model);
    vgmQemuCpuMissingError(error, what, accelName, missing);
    return FALSE;
}

VgmQemuCpuHostModel *
vgmQemuCpuExpandHostModel(const VgmCpuDef *cpu, const VgmQemuCaps *caps,
                          VgmQemuCapsAccel accel, GError **error)
{
    g_autoptr(VgmQemuCapsHostCpu) host = vgmQemuCapsGetHostCpu(caps, accel);
    g_autoptr(VgmQemuCpuHostModel) hm = NULL;
    g_autoptr(GHashTable) hostSet = NULL;
    g_autoptr(GHashTable) modelSet = NULL;
    const VgmQemuCapsCpuModel *best = NULL;
    guint bestAdded = 0, bestRemoved = 0;
    gboolean bestSignature = FALSE;
    const char *accelName = accel == VGM_QEMU_CAPS_ACCEL_KVM ? "KVM" : "TCG";
    const char *what = vgmQemuCpuRelativeWhat(cpu);
    size_t i;

    if (!host) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("%1$s is made of the host CPU under %2$s, which capability set '%3$s' does not have (a host CPU under KVM is probed only where /dev/kvm is usable)"),
                    what, accelName, vgmQemuCapsGetName(caps));
        return NULL;
    }
    hostSet = vgmQemuCpuFeatureSet(host->host->features);
    hm = g_new0(VgmQemuCpuHostModel, 1);
    hm->settings = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuCpuSettingFree);
    /* a custom CPU with optional features keeps its model, each optional
     * feature turned on or off as the host has it (libvirt's update of a
     * guest CPU relative to the host) */
    if (cpu->mode == VGM_CPU_MODE_CUSTOM && cpu->match != VGM_CPU_MATCH_MINIMUM) {
        hm->model = g_strdup(cpu->model);
        hm->ownModel = TRUE;
        vgmQemuCpuApplyOwn(hm, cpu, hostSet);
        return g_steal_pointer(&hm);
    }

    for (i = 0; i < host->models->len; i++) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(host->models, i);
        g_autoptr(GHashTable) set = NULL;
        /* under TCG the host CPU's signature is QEMU's own (qemu64's) */
        gboolean signature = accel == VGM_QEMU_CAPS_ACCEL_KVM &&
                             vgmQemuCpuSameSignature(m, host->host);
        guint added, removed;

        if (!g_str_equal(m->vendor, host->host->vendor))
            continue;
        set = vgmQemuCpuFeatureSet(m->features);
        added = vgmQemuCpuCountMissing(host->host->features, set);
        removed = vgmQemuCpuCountMissing(m->features, hostSet);
        /* a model of the host's own family and model wins over one that is
         * not, as in libvirt; then the fewest differences */
        if (!best || (signature && !bestSignature) ||
            (signature == bestSignature &&
             (added + removed < bestAdded + bestRemoved ||
              (added + removed == bestAdded + bestRemoved && removed < bestRemoved)))) {
            best = m;
            bestAdded = added;
            bestRemoved = removed;
            bestSignature = signature;
        }
    }
    if (!best) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("%1$s: no CPU model of capability set '%2$s' has the vendor of the host CPU under %3$s ('%4$s'); use mode='host-passthrough'"),
                    what, vgmQemuCapsGetName(caps), accelName, host->host->vendor);
        return NULL;
    }

    /* match='minimum' is the host's model too, as libvirt widens it: the
     * domain's model only sets the least the host must have */
    if (cpu->mode == VGM_CPU_MODE_CUSTOM &&
        !vgmQemuCpuMinimumCheck(cpu, host, hostSet, accelName, error))
        return NULL;
    hm->model = g_strdup(best->name);
    hm->vendor = g_strdup(best->vendor);
    modelSet = vgmQemuCpuFeatureSet(best->features);
    for (i = 0; host->host->features[i]; i++) {
        if (!g_hash_table_contains(modelSet, host->host->features[i]) &&
            !vgmQemuCpuIsParavirt(host->host->features[i]))
            vgmQemuCpuSet(hm, host->host->features[i], TRUE);
    }
    for (i = 0; best->features[i]; i++) {
        if (!g_hash_table_contains(hostSet, best->features[i]) &&
            !vgmQemuCpuIsParavirt(best->features[i]))
            vgmQemuCpuSet(hm, best->features[i], FALSE);
    }
    /* what libvirt's CPU map removed from the model is named either way,
     * as libvirt's host CPU names it: a command line made again of the
     * live XML (a migration, a live update) then keeps it */
    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuRemoved); i++) {
        if (g_str_equal(vgmQemuCpuRemoved[i].model, best->name))
            vgmQemuCpuSet(hm, vgmQemuCpuRemoved[i].feature,
                          g_hash_table_contains(hostSet, vgmQemuCpuRemoved[i].feature));
    }
    vgmQemuCpuApplyOwn(hm, cpu, hostSet);
    return g_steal_pointer(&hm);
}

/* ---- comparison and baseline ---- */

/* Where CPUID reports each x86 feature QEMU names, as Intel's and AMD's
 * manuals place them (leaf, subleaf, register, bit); cross-checked with
 * libvirt 9.0's x86 CPU map, which reads a host CPU from the same bits.
 * Features reported through MSRs (arch-capabilities' bits, VMX controls)
 * are not here. */
typedef enum {
    VGM_QEMU_CPUID_EAX,
    VGM_QEMU_CPUID_EBX,
    VGM_QEMU_CPUID_ECX,
    VGM_QEMU_CPUID_EDX,
} VgmQemuCpuidReg;

static const struct {
    guint32 leaf;
    guint32 subleaf;
    VgmQemuCpuidReg reg;
    guint bit;
    const char *name;
} vgmQemuCpuidBits[] = {
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  0, "pni" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  1, "pclmulqdq" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  2, "dtes64" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  3, "monitor" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  4, "ds-cpl" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  5, "vmx" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  6, "smx" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  7, "est" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  8, "tm2" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX,  9, "ssse3" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 10, "cid" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 12, "fma" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 13, "cx16" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 14, "xtpr" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 15, "pdcm" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 17, "pcid" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 18, "dca" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 19, "sse4.1" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 20, "sse4.2" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 21, "x2apic" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 22, "movbe" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 23, "popcnt" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 24, "tsc-deadline" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 25, "aes" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 26, "xsave" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 27, "osxsave" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 28, "avx" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 29, "f16c" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 30, "rdrand" },
    { 0x00000001, 0, VGM_QEMU_CPUID_ECX, 31, "hypervisor" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  0, "fpu" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  1, "vme" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  2, "de" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  3, "pse" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  4, "tsc" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  5, "msr" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  6, "pae" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  7, "mce" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  8, "cx8" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX,  9, "apic" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 11, "sep" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 12, "mtrr" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 13, "pge" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 14, "mca" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 15, "cmov" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 16, "pat" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 17, "pse36" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 18, "pn" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 19, "clflush" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 21, "ds" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 22, "acpi" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 23, "mmx" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 24, "fxsr" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 25, "sse" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 26, "sse2" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 27, "ss" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 28, "ht" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 29, "tm" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 30, "ia64" },
    { 0x00000001, 0, VGM_QEMU_CPUID_EDX, 31, "pbe" },
    { 0x00000006, 0, VGM_QEMU_CPUID_EAX,  2, "arat" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  0, "fsgsbase" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  1, "tsc-adjust" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  2, "sgx" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  3, "bmi1" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  4, "hle" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  5, "avx2" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  7, "smep" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  8, "bmi2" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX,  9, "erms" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 10, "invpcid" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 11, "rtm" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 12, "cmt" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 14, "mpx" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 16, "avx512f" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 17, "avx512dq" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 18, "rdseed" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 19, "adx" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 20, "smap" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 21, "avx512ifma" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 22, "pcommit" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 23, "clflushopt" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 24, "clwb" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 25, "intel-pt" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 26, "avx512pf" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 27, "avx512er" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 28, "avx512cd" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 29, "sha-ni" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 30, "avx512bw" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EBX, 31, "avx512vl" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  1, "avx512vbmi" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  2, "umip" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  3, "pku" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  4, "ospke" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  5, "waitpkg" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  6, "avx512vbmi2" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  8, "gfni" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX,  9, "vaes" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 10, "vpclmulqdq" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 11, "avx512vnni" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 12, "avx512bitalg" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 14, "avx512-vpopcntdq" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 16, "la57" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 22, "rdpid" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 24, "bus-lock-detect" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 25, "cldemote" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 27, "movdiri" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 28, "movdir64b" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 30, "sgxlc" },
    { 0x00000007, 0, VGM_QEMU_CPUID_ECX, 31, "pks" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX,  2, "avx512-4vnniw" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX,  3, "avx512-4fmaps" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX,  4, "fsrm" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX,  8, "avx512-vp2intersect" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 10, "md-clear" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 14, "serialize" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 16, "tsx-ldtrk" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 18, "pconfig" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 19, "arch-lbr" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 22, "amx-bf16" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 23, "avx512-fp16" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 24, "amx-tile" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 25, "amx-int8" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 26, "spec-ctrl" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 27, "stibp" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 29, "arch-capabilities" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 30, "core-capability" },
    { 0x00000007, 0, VGM_QEMU_CPUID_EDX, 31, "ssbd" },
    { 0x00000007, 1, VGM_QEMU_CPUID_EAX,  4, "avx-vnni" },
    { 0x00000007, 1, VGM_QEMU_CPUID_EAX,  5, "avx512-bf16" },
    { 0x0000000d, 1, VGM_QEMU_CPUID_EAX,  0, "xsaveopt" },
    { 0x0000000d, 1, VGM_QEMU_CPUID_EAX,  1, "xsavec" },
    { 0x0000000d, 1, VGM_QEMU_CPUID_EAX,  2, "xgetbv1" },
    { 0x0000000d, 1, VGM_QEMU_CPUID_EAX,  3, "xsaves" },
    { 0x0000000d, 1, VGM_QEMU_CPUID_EAX,  4, "xfd" },
    { 0x0000000f, 1, VGM_QEMU_CPUID_EDX,  1, "mbm-total" },
    { 0x0000000f, 1, VGM_QEMU_CPUID_EDX,  2, "mbm-local" },
    { 0x00000012, 0, VGM_QEMU_CPUID_EAX,  0, "sgx1" },
    { 0x00000012, 0, VGM_QEMU_CPUID_EAX,  1, "sgx2" },
    { 0x00000012, 0, VGM_QEMU_CPUID_EBX,  0, "sgx-exinfo" },
    { 0x00000012, 1, VGM_QEMU_CPUID_EAX,  1, "sgx-debug" },
    { 0x00000012, 1, VGM_QEMU_CPUID_EAX,  2, "sgx-mode64" },
    { 0x00000012, 1, VGM_QEMU_CPUID_EAX,  4, "sgx-provisionkey" },
    { 0x00000012, 1, VGM_QEMU_CPUID_EAX,  5, "sgx-tokenkey" },
    { 0x00000012, 1, VGM_QEMU_CPUID_EAX,  7, "sgx-kss" },
    { 0x00000014, 0, VGM_QEMU_CPUID_ECX, 31, "intel-pt-lip" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  0, "lahf-lm" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  1, "cmp-legacy" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  2, "svm" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  3, "extapic" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  4, "cr8legacy" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  5, "abm" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  6, "sse4a" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  7, "misalignsse" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  8, "3dnowprefetch" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX,  9, "osvw" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 10, "ibs" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 11, "xop" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 12, "skinit" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 13, "wdt" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 15, "lwp" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 16, "fma4" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 17, "tce" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 18, "cvt16" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 19, "nodeid-msr" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 21, "tbm" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 22, "topoext" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 23, "perfctr-core" },
    { 0x80000001, 0, VGM_QEMU_CPUID_ECX, 24, "perfctr-nb" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 11, "syscall" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 20, "nx" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 22, "mmxext" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 25, "fxsr-opt" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 26, "pdpe1gb" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 27, "rdtscp" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 29, "lm" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 30, "3dnowext" },
    { 0x80000001, 0, VGM_QEMU_CPUID_EDX, 31, "3dnow" },
    { 0x80000007, 0, VGM_QEMU_CPUID_EDX,  8, "invtsc" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX,  0, "clzero" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX,  2, "xsaveerptr" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX,  9, "wbnoinvd" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX, 12, "ibpb" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX, 14, "ibrs" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX, 15, "amd-stibp" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX, 24, "amd-ssbd" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX, 25, "virt-ssbd" },
    { 0x80000008, 0, VGM_QEMU_CPUID_EBX, 26, "amd-no-ssb" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  0, "npt" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  1, "lbrv" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  2, "svm-lock" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  3, "nrip-save" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  4, "tsc-scale" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  5, "vmcb-clean" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  6, "flushbyasid" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX,  7, "decodeassists" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX, 10, "pause-filter" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX, 12, "pfthreshold" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX, 13, "avic" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX, 15, "v-vmsave-vmload" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX, 16, "vgif" },
    { 0x8000000a, 0, VGM_QEMU_CPUID_EDX, 28, "svme-addr-chk" },
};

/* Features a migration cannot keep (libvirt's map marks them
 * migratable='no') */
static const char *const vgmQemuCpuUnmigratable[] = {
    "invtsc", "xsaves",
};

static int
vgmQemuCpuStrPtrCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
vgmQemuCpuAddCpuidNames(GHashTable *known)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuidBits); i++)
        g_hash_table_add(known, (gpointer)vgmQemuCpuidBits[i].name);
}

VgmQemuCapsCpuModel *
vgmQemuCpuFromCpuid(VgmQemuCpuidFunc cpuid, guint *stepping)
{
    g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func(g_free);
    VgmQemuCapsCpuModel *cpu;
    guint32 regs[4];
    char vendor[13];
    guint family, model;
    size_t i;

    if (!cpuid(0, 0, regs))
        return NULL;
    memcpy(vendor, &regs[1], 4);
    memcpy(vendor + 4, &regs[3], 4);
    memcpy(vendor + 8, &regs[2], 4);
    vendor[12] = '\0';
    if (!cpuid(1, 0, regs))
        return NULL;
    /* the displayed family and model: the extended fields count for
     * family 15 (family) and families 6 and 15 (model) */
    family = (regs[0] >> 8) & 0xf;
    model = (regs[0] >> 4) & 0xf;
    *stepping = regs[0] & 0xf;
    if (family == 0xf)
        family += (regs[0] >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf)
        model |= ((regs[0] >> 16) & 0xf) << 4;

    for (i = 0; i < G_N_ELEMENTS(vgmQemuCpuidBits); i++) {
        if ((i == 0 || vgmQemuCpuidBits[i].leaf != vgmQemuCpuidBits[i - 1].leaf ||
             vgmQemuCpuidBits[i].subleaf != vgmQemuCpuidBits[i - 1].subleaf) &&
            !cpuid(vgmQemuCpuidBits[i].leaf, vgmQemuCpuidBits[i].subleaf, regs))
            memset(regs, 0, sizeof(regs));
        if ((regs[vgmQemuCpuidBits[i].reg] >> vgmQemuCpuidBits[i].bit) & 1 &&
            !g_ptr_array_find_with_equal_func(features, vgmQemuCpuidBits[i].name,
                                              g_str_equal, NULL))
            g_ptr_array_add(features, g_strdup(vgmQemuCpuidBits[i].name));
    }
    g_ptr_array_sort(features, vgmQemuCpuStrPtrCompare);
    g_ptr_array_add(features, NULL);

    cpu = g_new0(VgmQemuCapsCpuModel, 1);
    cpu->vendor = g_strdup(vendor);
    cpu->family = family;
    cpu->model = model;
    cpu->features = (GStrv)g_ptr_array_free(g_steal_pointer(&features), FALSE);
    return cpu;
}

/* QEMU's generic models: libvirt's map gives them no vendor (QEMU does)
 * and tries them last, so they lose a tie */
static const char *const vgmQemuCpuGenericModels[] = {
    "486", "pentium", "pentium2", "pentium3", "coreduo", "core2duo", "n270", "athlon",
    "phenom", "qemu32", "qemu64", "kvm32", "kvm64",
};

static gboolean
vgmQemuCpuIsGeneric(const VgmQemuCapsCpuModel *m)
{
    return vgmQemuCpuStrIn(m->name, vgmQemuCpuGenericModels, G_N_ELEMENTS(vgmQemuCpuGenericModels));
}

/* libvirt's name of @m's vendor, NULL for a generic model or a vendor
 * libvirt does not name */
static const char *
vgmQemuCpuModelVendor(const VgmQemuCapsCpuModel *m)
{
    return vgmQemuCpuIsGeneric(m) ? NULL : vgmQemuCpuVendorXMLName(m->vendor);
}

static gboolean
vgmQemuCpuIsCpuidName(const char *name)
{
    static GHashTable *names;

    if (g_once_init_enter(&names)) {
        GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);

        vgmQemuCpuAddCpuidNames(t);
        g_once_init_leave(&names, t);
    }
    return g_hash_table_contains(names, name);
}

GHashTable *
vgmQemuCpuModelSet(const VgmQemuCpuContext *ctx, const VgmQemuCapsCpuModel *m)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t i;

    for (i = 0; m->features && m->features[i]; i++) {
        if (ctx->cpuid && (!vgmQemuCpuIsCpuidName(m->features[i]) ||
                           g_str_equal(m->features[i], "hypervisor")))
            continue;
        /* (QEMU's models have KVM's paravirtual ones under KVM) */
        if (vgmQemuCpuIsParavirt(m->features[i]))
            continue;
        g_hash_table_add(set, g_strdup(m->features[i]));
    }
    return set;
}

static const VgmQemuCapsCpuModel *
vgmQemuCpuFindModel(const VgmQemuCpuContext *ctx, const char *name)
{
    guint i;

    for (i = 0; i < ctx->models->len; i++) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(ctx->models, i);

        if (g_str_equal(m->name, name))
            return m;
    }
    return NULL;
}

/* A set (QEMU names, owned) */
static GHashTable *
vgmQemuCpuSetNew(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void
vgmQemuCpuSetAddAll(GHashTable *set, GStrv features)
{
    size_t i;

    for (i = 0; features && features[i]; i++)
        g_hash_table_add(set, g_strdup(features[i]));
}

static gboolean
vgmQemuCpuSetRemoveIn(gpointer key, gpointer value, gpointer other)
{
    return g_hash_table_contains(other, key);
}

static gboolean
vgmQemuCpuSetRemoveNotIn(gpointer key, gpointer value, gpointer other)
{
    return !g_hash_table_contains(other, key);
}

/* @set less every name of @other */
static void
vgmQemuCpuSetSubtract(GHashTable *set, GHashTable *other)
{
    g_hash_table_foreach_remove(set, vgmQemuCpuSetRemoveIn, other);
}

/* @set less every name @other lacks */
static void
vgmQemuCpuSetIntersect(GHashTable *set, GHashTable *other)
{
    g_hash_table_foreach_remove(set, vgmQemuCpuSetRemoveNotIn, other);
}

/* libvirt's names of @set, sorted, joined by ", " */
static char *
vgmQemuCpuSetFormat(GHashTable *set)
{
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(set, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    guint i;

    for (i = 0; keys[i]; i++)
        g_ptr_array_add(names, (gpointer)vgmQemuCpuFeatureXMLName(keys[i]));
    g_ptr_array_sort(names, vgmQemuCpuStrPtrCompare);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(", ", (GStrv)names->pdata);
}

/*
 * The features of @desc that have @policy (as libvirt reads a CPU:
 * require includes the model's), or with @policy -1 what the CPU provides:
 * the model and its required and forced features, less the disabled and
 * forbidden ones. A host CPU's features have no policy but require.
 */
static GHashTable *
vgmQemuCpuDescFeatures(const VgmQemuCpuContext *ctx, const VgmCpuDesc *desc, int policy,
                       GError **error)
{
    g_autoptr(GHashTable) set = vgmQemuCpuSetNew();
    const VgmCpuDef *cpu = desc->def;
    size_t i;

    if (desc->host && policy != VGM_CPU_FEATURE_REQUIRE && policy != -1)
        return g_steal_pointer(&set);
    if (cpu->model && (policy == VGM_CPU_FEATURE_REQUIRE || policy == -1)) {
        const VgmQemuCapsCpuModel *m = vgmQemuCpuFindModel(ctx, cpu->model);

        if (!m) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("unknown CPU model '%1$s': QEMU has no CPU model of that name"),
                        cpu->model);
            return NULL;
        }
        g_hash_table_unref(set);
        set = vgmQemuCpuModelSet(ctx, m);
        /* a guest's model is libvirt's: without what its CPU map removed
         * from it (a feature of the CPU names it again below) */
        for (i = 0; !desc->host && i < G_N_ELEMENTS(vgmQemuCpuRemoved); i++) {
            if (g_str_equal(vgmQemuCpuRemoved[i].model, cpu->model))
                g_hash_table_remove(set, vgmQemuCpuRemoved[i].feature);
        }
    }
    for (i = 0; i < cpu->nfeatures; i++) {
        g_autofree char *name = vgmQemuCpuFeatureName(cpu->features[i].name);
        VgmCpuFeaturePolicy p = cpu->features[i].policy;

        if (!g_hash_table_contains(ctx->known, name)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("unknown CPU feature '%1$s': no CPU model or host CPU QEMU describes has it"),
                        cpu->features[i].name);
            return NULL;
        }
        if (policy == -1) {
            if (p == VGM_CPU_FEATURE_FORCE || p == VGM_CPU_FEATURE_REQUIRE)
                g_hash_table_add(set, g_steal_pointer(&name));
            else if (p == VGM_CPU_FEATURE_DISABLE || p == VGM_CPU_FEATURE_FORBID)
                g_hash_table_remove(set, name);
        } else if ((int)p == policy) {
            g_hash_table_add(set, g_steal_pointer(&name));
        }
    }
    return g_steal_pointer(&set);
}

static int
vgmQemuCpuCompareSets(const VgmQemuCpuContext *ctx, const VgmCpuDesc *desc,
                      GHashTable **byPolicy, char **why, GError **error)
{
    g_autoptr(GHashTable) host = vgmQemuCpuSetNew();
    g_autoptr(GHashTable) forbidden = NULL;
    g_autoptr(GHashTable) missing = NULL;
    const char *hostVendor = vgmQemuCpuVendorXMLName(ctx->host->vendor);
    const VgmCpuDef *cpu = desc->def;
    int p;

    *why = NULL;
    if (desc->arch && !g_str_equal(desc->arch, "x86_64") && !g_str_equal(desc->arch, "i686")) {
        *why = g_strdup_printf(_("CPU arch %1$s does not match host arch"), desc->arch);
        return VGM_QEMU_CPU_INCOMPATIBLE;
    }
    if (cpu->vendor && g_strcmp0(cpu->vendor, hostVendor) != 0) {
        *why = g_strdup_printf(_("host CPU vendor does not match required CPU vendor %1$s"),
                               cpu->vendor);
        return VGM_QEMU_CPU_INCOMPATIBLE;
    }
    vgmQemuCpuSetAddAll(host, ctx->host->features);
    for (p = 0; p < VGM_CPU_FEATURE_LAST; p++) {
        if (!(byPolicy[p] = vgmQemuCpuDescFeatures(ctx, desc, p, error)))
            return -1;
    }

    forbidden = g_hash_table_ref(byPolicy[VGM_CPU_FEATURE_FORBID]);
    vgmQemuCpuSetIntersect(forbidden, host);
    if (g_hash_table_size(forbidden)) {
        g_autofree char *names = vgmQemuCpuSetFormat(forbidden);
        *why = g_strdup_printf(_("Host CPU provides forbidden features: %1$s"), names);
        return VGM_QEMU_CPU_INCOMPATIBLE;
    }
    /* what the model brings but a feature forces, makes optional or
     * disables is not required of the host */
    vgmQemuCpuSetSubtract(byPolicy[VGM_CPU_FEATURE_REQUIRE], byPolicy[VGM_CPU_FEATURE_FORCE]);
    vgmQemuCpuSetSubtract(byPolicy[VGM_CPU_FEATURE_REQUIRE], byPolicy[VGM_CPU_FEATURE_OPTIONAL]);
    vgmQemuCpuSetSubtract(byPolicy[VGM_CPU_FEATURE_REQUIRE], byPolicy[VGM_CPU_FEATURE_DISABLE]);
    missing = vgmQemuCpuSetNew();
    {
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, byPolicy[VGM_CPU_FEATURE_REQUIRE]);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            if (!g_hash_table_contains(host, key))
                g_hash_table_add(missing, g_strdup(key));
        }
    }
    if (g_hash_table_size(missing)) {
        g_autofree char *names = vgmQemuCpuSetFormat(missing);
        *why = g_strdup_printf(_("Host CPU does not provide required features: %1$s"), names);
        return VGM_QEMU_CPU_INCOMPATIBLE;
    }
    for (p = 0; p < VGM_CPU_FEATURE_LAST; p++) {
        if (p != VGM_CPU_FEATURE_FORBID)
            vgmQemuCpuSetSubtract(host, byPolicy[p]);
    }
    if (!g_hash_table_size(host))
        return VGM_QEMU_CPU_IDENTICAL;
    if (!desc->host && cpu->match == VGM_CPU_MATCH_STRICT) {
        g_autofree char *names = vgmQemuCpuSetFormat(host);
        *why = g_strdup_printf(_("Host CPU does not strictly match guest CPU: Extra features: %1$s"),
                               names);
        return VGM_QEMU_CPU_INCOMPATIBLE;
    }
    return VGM_QEMU_CPU_SUPERSET;
}

int
vgmQemuCpuCompare(const VgmQemuCpuContext *ctx, const VgmCpuDesc *desc, char **why,
                  GError **error)
{
    GHashTable *byPolicy[VGM_CPU_FEATURE_LAST] = { NULL };
    int ret = vgmQemuCpuCompareSets(ctx, desc, byPolicy, why, error);
    size_t p;

    for (p = 0; p < G_N_ELEMENTS(byPolicy); p++)
        g_clear_pointer(&byPolicy[p], g_hash_table_unref);
    return ret;
}

/* A candidate model's cost for @data, as libvirt weighs it: each feature
 * to add counts one, the features to remove count 2, 3, 4, ... */
typedef struct {
    const VgmQemuCapsCpuModel *model;
    guint cost;
    guint removed;      /* the weight of the removed features */
} VgmQemuCpuCandidate;

static void
vgmQemuCpuCandidateScore(const VgmQemuCpuContext *ctx, VgmQemuCpuCandidate *c,
                         const VgmQemuCapsCpuModel *m, GHashTable *data)
{
    g_autoptr(GHashTable) model = vgmQemuCpuModelSet(ctx, m);
    GHashTableIter it;
    gpointer key;
    guint added = 0, nremoved = 0, weight = 0;

    g_hash_table_iter_init(&it, data);
    while (g_hash_table_iter_next(&it, &key, NULL))
        added += !g_hash_table_contains(model, key);
    g_hash_table_iter_init(&it, model);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (!g_hash_table_contains(data, key))
            weight += 2 + nremoved++;
    }
    c->model = m;
    c->cost = added + weight;
    c->removed = weight;
}

/* Whether candidate @c is a better fit than @best, as libvirt compares
 * them: a lower cost, then fewer removed, then (one of several models the
 * inputs name) fewer removed still; a generic model loses a tie */
static gboolean
vgmQemuCpuCandidateBetter(const VgmQemuCpuCandidate *c, const VgmQemuCpuCandidate *best,
                          gboolean preferred)
{
    if (!best->model || c->cost < best->cost ||
        (c->cost == best->cost && c->removed < best->removed) ||
        (preferred && c->removed < best->removed))
        return TRUE;
    return c->cost == best->cost && c->removed == best->removed &&
           vgmQemuCpuIsGeneric(best->model) && !vgmQemuCpuIsGeneric(c->model);
}

const VgmQemuCapsCpuModel *
vgmQemuCpuDecodeHost(const VgmQemuCpuContext *ctx)
{
    g_autoptr(GHashTable) host = vgmQemuCpuSetNew();
    const char *hostVendor = vgmQemuCpuVendorXMLName(ctx->host->vendor);
    const VgmQemuCapsCpuModel *best = NULL;
    guint bestAdded = 0;
    gboolean bestSig = FALSE;
    gint i;

    vgmQemuCpuSetAddAll(host, ctx->host->features);
    /* in reverse name order; a generic model loses a tie */
    for (i = (gint)ctx->models->len - 1; i >= 0; i--) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(ctx->models, i);
        const char *mv = vgmQemuCpuModelVendor(m);
        gboolean sig = vgmQemuCpuSameSignature(m, ctx->host);
        g_autoptr(GHashTable) model = vgmQemuCpuModelSet(ctx, m);
        GHashTableIter it;
        gpointer key;
        guint added;
        gboolean fits = TRUE;

        if (mv && g_strcmp0(mv, hostVendor) != 0)
            continue;
        g_hash_table_iter_init(&it, model);
        while (fits && g_hash_table_iter_next(&it, &key, NULL))
            fits = g_hash_table_contains(host, key);
        if (!fits)
            continue;
        added = vgmQemuCpuCountMissing(ctx->host->features, model);
        if (!best || (sig && !bestSig) ||
            (sig == bestSig && (added < bestAdded ||
                                (added == bestAdded && vgmQemuCpuIsGeneric(best) &&
                                 !vgmQemuCpuIsGeneric(m))))) {
            best = m;
            bestAdded = added;
            bestSig = sig;
        }
    }
    return best;
}

static int
vgmQemuCpuFeatureCompare(gconstpointer a, gconstpointer b)
{
    const VgmCpuFeature *fa = a, *fb = b;

    return strcmp(fa->name, fb->name);
}

VgmCpuDef *
vgmQemuCpuBaseline(const VgmQemuCpuContext *ctx, VgmCpuDesc *const *cpus, guint ncpus,
                   const VgmQemuCapsCpuModel *limit, gboolean expand, gboolean migratable,
                   GError **error)
{
    g_autoptr(GHashTable) data = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autoptr(VgmCpuDef) out = NULL;
    g_autoptr(GArray) features = g_array_new(FALSE, TRUE, sizeof(VgmCpuFeature));
    const char *vendor = NULL;
    gboolean outputVendor = TRUE;
    VgmQemuCpuCandidate best = { 0 };
    gint i;
    guint k;

    if (ncpus == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("no CPUs given to compute a baseline of"));
        return NULL;
    }
    for (k = 0; k < ncpus; k++) {
        const VgmCpuDef *cpu = cpus[k]->def;
        g_autoptr(GHashTable) set = NULL;
        const char *vn = cpu->vendor;

        if (!(set = vgmQemuCpuDescFeatures(ctx, cpus[k], -1, error)))
            return NULL;
        if (cpu->model && !g_ptr_array_find_with_equal_func(names, cpu->model, g_str_equal, NULL))
            g_ptr_array_add(names, cpu->model);
        if (k > 0) {
            const VgmQemuCapsCpuModel *m = cpu->model ? vgmQemuCpuFindModel(ctx, cpu->model) : NULL;
            const char *mv = m ? vgmQemuCpuModelVendor(m) : NULL;

            if (vn && mv && !g_str_equal(vn, mv)) {
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("CPU vendor %1$s of model %2$s differs from vendor %3$s"),
                            mv, m->name, vn);
                return NULL;
            }
            if (!vn) {
                outputVendor = FALSE;
                vn = mv;
            }
        } else if (!vn) {
            outputVendor = FALSE;
        }
        if (vn && !g_str_equal(vn, "Intel") && !g_str_equal(vn, "AMD") && !g_str_equal(vn, "Hygon")) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("unknown CPU vendor '%1$s': expected Intel, AMD or Hygon"), vn);
            return NULL;
        }
        if (vn && vendor && !g_str_equal(vn, vendor)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("CPU vendors do not match: %1$s and %2$s"), vendor, vn);
            return NULL;
        }
        if (vn)
            vendor = vn;
        if (!data)
            data = g_steal_pointer(&set);
        else
            vgmQemuCpuSetIntersect(data, set);
    }
    if (limit) {
        g_autoptr(GHashTable) lim = vgmQemuCpuSetNew();

        vgmQemuCpuSetAddAll(lim, limit->features);
        vgmQemuCpuSetIntersect(data, lim);
    }
    if (!g_hash_table_size(data)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("CPUs are incompatible: they have no feature in common"));
        return NULL;
    }

    /* in reverse name order; the one model the inputs name, when they
     * name one, wins outright */
    for (i = (gint)ctx->models->len - 1; i >= 0; i--) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(ctx->models, i);
        const char *mv = vgmQemuCpuModelVendor(m);
        gboolean preferred = g_ptr_array_find_with_equal_func(names, m->name, g_str_equal, NULL);
        VgmQemuCpuCandidate c;

        if (vendor && mv && !g_str_equal(vendor, mv))
            continue;
        vgmQemuCpuCandidateScore(ctx, &c, m, data);
        if (preferred && names->len == 1) {
            best = c;
            break;
        }
        if (vgmQemuCpuCandidateBetter(&c, &best, preferred))
            best = c;
    }
    if (!best.model) {
        if (vendor)
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("no CPU model of vendor %1$s fits the CPUs' features"), vendor);
        else
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                        _("no CPU model fits the CPUs' features"));
        return NULL;
    }

    {
        g_autoptr(GHashTable) model = vgmQemuCpuModelSet(ctx, best.model);
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, data);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            VgmCpuFeature f = { NULL, VGM_CPU_FEATURE_REQUIRE };

            if (g_hash_table_contains(model, key) && !expand)
                continue;
            f.name = g_strdup(vgmQemuCpuFeatureXMLName(key));
            g_array_append_val(features, f);
        }
        g_hash_table_iter_init(&it, model);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            VgmCpuFeature f = { NULL, VGM_CPU_FEATURE_DISABLE };

            if (g_hash_table_contains(data, key))
                continue;
            f.name = g_strdup(vgmQemuCpuFeatureXMLName(key));
            g_array_append_val(features, f);
        }
    }
    /* what QEMU cannot set, and with @migratable what cannot migrate */
    for (k = 0; k < features->len;) {
        VgmCpuFeature *f = &g_array_index(features, VgmCpuFeature, k);
        g_autofree char *name = vgmQemuCpuFeatureName(f->name);

        if (vgmQemuCpuStrIn(name, vgmQemuCpuBaselineSkip, G_N_ELEMENTS(vgmQemuCpuBaselineSkip)) ||
            (migratable &&
             vgmQemuCpuStrIn(name, vgmQemuCpuUnmigratable, G_N_ELEMENTS(vgmQemuCpuUnmigratable)))) {
            g_free(f->name);
            g_array_remove_index(features, k);
        } else {
            k++;
        }
    }
    g_array_sort(features, vgmQemuCpuFeatureCompare);

    out = g_new0(VgmCpuDef, 1);
    out->mode = VGM_CPU_MODE_CUSTOM;
    out->match = VGM_CPU_MATCH_EXACT;
    out->model = g_strdup(best.model->name);
    out->fallback = names->len == 1 && g_str_equal(names->pdata[0], best.model->name) ?
                    VGM_CPU_FALLBACK_FORBID : VGM_CPU_FALLBACK_ALLOW;
    out->vendor = outputVendor && vendor ? g_strdup(vendor) : NULL;
    out->nfeatures = features->len;
    out->features = (VgmCpuFeature *)g_array_free(g_steal_pointer(&features), FALSE);
    return g_steal_pointer(&out);
}
