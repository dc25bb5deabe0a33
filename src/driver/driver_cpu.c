/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_cpu.c: the host check of a guest CPU at start (see the header).
 */
#include "config.h"

#include <string.h>

#include "driver_cpu.h"
#include "qemu/qemu_cpu.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

struct _VgmDriverCpuCheck {
    char *what;                 /* the CPU, for messages */
    const char *accel;          /* "KVM" or "TCG" */
    const char *hostModel;      /* the QEMU model that is the host's CPU */
    GHashTable *tolerated;      /* canonical names that may be missing */
    GPtrArray *forbidden;       /* XML names of policy='forbid' features */
    char *vendor;               /* the <vendor> required, or NULL */
    gboolean checkedHost;       /* the CPU was compared with the host's
                                 * before the start (KVM, check='partial'):
                                 * what KVM filters out is QEMU's to leave
                                 * out, not an error */
};

void
vgmDriverCpuCheckFree(VgmDriverCpuCheck *check)
{
    if (!check)
        return;
    g_free(check->what);
    g_free(check->vendor);
    g_clear_pointer(&check->tolerated, g_hash_table_unref);
    g_clear_pointer(&check->forbidden, g_ptr_array_unref);
    g_free(check);
}

VgmDriverCpuCheck *
vgmDriverCpuCheckNew(const VgmDomainDef *def, gboolean kvm, gboolean checkedHost)
{
    const VgmCpuDef *cpu = def->cpu;
    g_autoptr(VgmDriverCpuCheck) check = NULL;
    size_t i;

    if (!cpu || (cpu->mode == VGM_CPU_MODE_CUSTOM && !cpu->model) ||
        (cpu->check != VGM_CPU_CHECK_PARTIAL && cpu->check != VGM_CPU_CHECK_FULL))
        return NULL;
    check = g_new0(VgmDriverCpuCheck, 1);
    if (cpu->mode == VGM_CPU_MODE_CUSTOM)
        check->what = g_strdup_printf("<cpu> model '%s'", cpu->model);
    else
        check->what = g_strdup_printf("<cpu mode='%s'>", vgmCpuModeTypeToString(cpu->mode));
    check->accel = kvm ? "KVM" : "TCG";
    check->hostModel = kvm ? "host" : "max";
    check->checkedHost = kvm && checkedHost && cpu->mode == VGM_CPU_MODE_CUSTOM &&
                         cpu->check == VGM_CPU_CHECK_PARTIAL;
    check->tolerated = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    check->forbidden = g_ptr_array_new();
    check->vendor = g_strdup(cpu->vendor);
    for (i = 0; i < cpu->nfeatures; i++) {
        const VgmCpuFeature *f = &cpu->features[i];

        if (f->policy == VGM_CPU_FEATURE_OPTIONAL || f->policy == VGM_CPU_FEATURE_FORCE)
            g_hash_table_add(check->tolerated, vgmQemuCpuFeatureName(f->name));
        else if (f->policy == VGM_CPU_FEATURE_FORBID)
            g_ptr_array_add(check->forbidden, f->name);
    }
    return g_steal_pointer(&check);
}

/* The QOM path of the first vCPU (query-cpus-fast). */
static char *
vgmDriverCpuFirstPath(VgmQemuMonitor *mon, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *cpus;
    JsonObject *first;

    if (!vgmQemuMonitorCommand(mon, "query-cpus-fast", NULL, &ret, error))
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(ret) || json_array_get_length(cpus = json_node_get_array(ret)) == 0 ||
        !JSON_NODE_HOLDS_OBJECT(json_array_get_element(cpus, 0)) ||
        !json_object_has_member(first = json_array_get_object_element(cpus, 0), "qom-path")) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, "%s",
                    _("query-cpus-fast did not name the first vCPU's QOM path"));
        return NULL;
    }
    return g_strdup(json_object_get_string_member(first, "qom-path"));
}

/* The features the accelerator filtered out of the vCPU at @path, in
 * QEMU's order. */
static GPtrArray *
vgmDriverCpuFiltered(VgmQemuMonitor *mon, const char *path, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func(g_free);
    JsonArray *list;
    guint i;

    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", "unavailable-features");
    if (!vgmQemuMonitorCommand(mon, "qom-get", args, &ret, error))
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(ret)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("QEMU's unavailable-features of %1$s is not a list"), path);
        return NULL;
    }
    list = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(list); i++) {
        const char *name = json_array_get_string_element(list, i);

        if (name)
            g_ptr_array_add(missing, g_strdup(name));
    }
    return g_steal_pointer(&missing);
}

/* The properties of QEMU's full expansion of the host's CPU model (in
 * *@reply, which owns them), or NULL when QEMU did not answer them. */
static JsonObject *
vgmDriverCpuHostProps(const VgmDriverCpuCheck *check, VgmQemuMonitor *mon, JsonNode **reply,
                      GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    JsonObject *model = json_object_new();

    json_object_set_string_member(model, "name", check->hostModel);
    json_object_set_string_member(args, "type", "full");
    json_object_set_object_member(args, "model", model);
    if (!vgmQemuMonitorCommand(mon, "query-cpu-model-expansion", args, reply, error))
        return NULL;
    if (JSON_NODE_HOLDS_OBJECT(*reply) &&
        json_object_has_member(json_node_get_object(*reply), "model") &&
        JSON_NODE_HOLDS_OBJECT(json_object_get_member(json_node_get_object(*reply), "model")) &&
        (model = json_object_get_object_member(json_node_get_object(*reply), "model")) &&
        json_object_has_member(model, "props") &&
        JSON_NODE_HOLDS_OBJECT(json_object_get_member(model, "props")))
        return json_object_get_object_member(model, "props");
    vgmErrorSet(error, VGM_ERR_INTERNAL,
                _("QEMU's expansion of CPU model '%1$s' has no properties"), check->hostModel);
    return NULL;
}

/* The first of @check's forbidden features @props (the host CPU's) has,
 * or NULL. */
static const char *
vgmDriverCpuForbiddenPresent(const VgmDriverCpuCheck *check, JsonObject *props)
{
    guint i;

    for (i = 0; i < check->forbidden->len; i++) {
        const char *name = g_ptr_array_index(check->forbidden, i);
        JsonNode *val = json_object_get_member(props, name);

        if (val && JSON_NODE_HOLDS_VALUE(val) &&
            json_node_get_value_type(val) == G_TYPE_BOOLEAN && json_node_get_boolean(val))
            return name;
    }
    return NULL;
}

gboolean
vgmDriverCpuCheckRun(const VgmDriverCpuCheck *check, VgmQemuMonitor *mon,
                     GPtrArray **filtered, GError **error)
{
    g_autofree char *path = NULL;
    g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(JsonNode) reply = NULL;
    JsonObject *props;
    const char *forbidden;
    guint i;

    *filtered = NULL;
    if (!check)
        return TRUE;
    if (!(path = vgmDriverCpuFirstPath(mon, error)) ||
        !(all = vgmDriverCpuFiltered(mon, path, error)))
        return FALSE;
    for (i = 0; i < all->len && !check->checkedHost; i++) {
        const char *name = g_ptr_array_index(all, i);

        if (!g_hash_table_contains(check->tolerated, name))
            g_ptr_array_add(missing, g_strdup(name));
    }
    if (missing->len > 0) {
        vgmQemuCpuMissingError(error, check->what, check->accel, missing);
        return FALSE;
    }
    if (check->forbidden->len == 0 && !check->vendor) {
        if (all->len > 0)
            *filtered = g_steal_pointer(&all);
        return TRUE;
    }
    if (!(props = vgmDriverCpuHostProps(check, mon, &reply, error)))
        return FALSE;
    if ((forbidden = vgmDriverCpuForbiddenPresent(check, props))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<cpu> feature '%1$s' has policy='forbid', but the host CPU under %2$s provides it"),
                    forbidden, check->accel);
        return FALSE;
    }
    if (check->vendor) {
        const char *cpuid = json_object_get_string_member_with_default(props, "vendor", "");
        const char *vendor = vgmQemuCpuVendorXMLName(cpuid);

        if (g_strcmp0(vendor, check->vendor) != 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s is incompatible with the host CPU under %2$s, whose vendor is '%3$s', not the required <vendor> '%4$s'"),
                        check->what, check->accel, vendor ? vendor : cpuid, check->vendor);
            return FALSE;
        }
    }
    if (all->len > 0)
        *filtered = g_steal_pointer(&all);
    return TRUE;
}
