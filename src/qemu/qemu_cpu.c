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
    g_free(cpu->vendor);
    cpu->vendor = g_strdup(vgmQemuCpuVendorXMLName(hm->vendor));
    cpu->mode = VGM_CPU_MODE_CUSTOM;
    cpu->match = VGM_CPU_MATCH_EXACT;
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
    size_t i;

    if (!host) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<cpu mode='host-model'> is made of the host CPU under %1$s, which capability set '%2$s' does not have (a host CPU under KVM is probed only where /dev/kvm is usable)"),
                    accelName, vgmQemuCapsGetName(caps));
        return NULL;
    }
    hostSet = vgmQemuCpuFeatureSet(host->host->features);
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
                    _("<cpu mode='host-model'>: no CPU model of capability set '%1$s' has the vendor of the host CPU under %2$s ('%3$s'); use mode='host-passthrough'"),
                    vgmQemuCapsGetName(caps), accelName, host->host->vendor);
        return NULL;
    }

    hm = g_new0(VgmQemuCpuHostModel, 1);
    hm->model = g_strdup(best->name);
    hm->vendor = g_strdup(best->vendor);
    hm->settings = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuCpuSettingFree);
    modelSet = vgmQemuCpuFeatureSet(best->features);
    for (i = 0; host->host->features[i]; i++) {
        if (!g_hash_table_contains(modelSet, host->host->features[i]))
            vgmQemuCpuSet(hm, host->host->features[i], TRUE);
    }
    for (i = 0; best->features[i]; i++) {
        if (!g_hash_table_contains(hostSet, best->features[i]))
            vgmQemuCpuSet(hm, best->features[i], FALSE);
    }
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
    return g_steal_pointer(&hm);
}
