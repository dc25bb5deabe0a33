/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_capabilities.c: the capability flag table, the capability description
 * file (load and canonical format), probing a binary, the probe cache, and
 * checking emitted properties against a set's schema subset.
 *
 * Everything a flag needs is in its VGM_QEMU_CAPS_FLAGS line: the probe
 * collects schema data for every object type and device named by the table,
 * and flags are then derived from that data, so a set's flags and its schema
 * cannot tell different stories (vgmQemuCapsCheckConsistency checks the same
 * for hand-made sets).
 *
 * The file text is written with sorted keys and a two-space indent, byte for
 * byte what Python's json.dumps(obj, indent=2, sort_keys=True,
 * ensure_ascii=False) writes, so tests/qemucapabilitiesdata/synthesize.py
 * and this file agree on the canonical form.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "qemu_capabilities.h"
#include "qemu_monitor.h"
#include "util/vgmerror.h"
#include "util/vgmjson.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

/* Bumped when the file format or the meaning of a probe changes. */
#define VGM_QEMU_CAPS_FORMAT_VERSION 1

/* Bounds on one probe: QEMU must answer its monitor within these.
 * QEMU answers its first command only once it is initialised, which on a
 * busy 2-core host (a CI run's parallel tests under ASan) once took over
 * 30 s; a probe is made once per binary and cached, so its start may wait
 * long. */
#define VGM_QEMU_CAPS_PROBE_START_TIMEOUT_MS 90000
#define VGM_QEMU_CAPS_PROBE_COMMAND_TIMEOUT_MS 30000
/* the descriptor number of the QMP socket in the probe's QEMU */
#define VGM_QEMU_CAPS_PROBE_QMP_FD 3

/* Bytes of QEMU's stderr quoted in probe errors. */
#define VGM_QEMU_CAPS_STDERR_TAIL 1024

/* Largest capability file we read. */
#define VGM_QEMU_CAPS_MAX_FILE_SIZE (16 * 1024 * 1024)

#define VGM_QEMU_CAPS_NAME_ENTRY(id, name, kind, arg1, arg2) name,
VGM_ENUM_IMPL(vgmQemuCapsFlag, VGM_QEMU_CAPS_LAST,
              VGM_QEMU_CAPS_FLAGS(VGM_QEMU_CAPS_NAME_ENTRY));
#undef VGM_QEMU_CAPS_NAME_ENTRY

static const VgmQemuCapsProbeSpec vgmQemuCapsProbeTable[] = {
#define VGM_QEMU_CAPS_PROBE_ENTRY(id, name, kind, arg1, arg2) \
    [VGM_QEMU_CAPS_##id] = { VGM_QEMU_CAPS_PROBE_##kind, arg1, arg2 },
    VGM_QEMU_CAPS_FLAGS(VGM_QEMU_CAPS_PROBE_ENTRY)
#undef VGM_QEMU_CAPS_PROBE_ENTRY
};
G_STATIC_ASSERT(G_N_ELEMENTS(vgmQemuCapsProbeTable) == VGM_QEMU_CAPS_LAST);

static const char *const vgmQemuCapsProbeKindNames[] = {
    [VGM_QEMU_CAPS_PROBE_OBJECT] = "object",
    [VGM_QEMU_CAPS_PROBE_OBJECT_PROP] = "object-prop",
    [VGM_QEMU_CAPS_PROBE_MACHINE_PROP] = "machine-prop",
    [VGM_QEMU_CAPS_PROBE_DEVICE] = "device",
    [VGM_QEMU_CAPS_PROBE_COMMAND] = "command",
    [VGM_QEMU_CAPS_PROBE_QAPI] = "qapi",
    [VGM_QEMU_CAPS_PROBE_KVM] = "kvm",
    [VGM_QEMU_CAPS_PROBE_TRIAL] = "trial",
    [VGM_QEMU_CAPS_PROBE_AUDIO] = "audio",
};

static unsigned int vgmQemuCapsProbeCount;

/* The probes' QEMUs running now (GSubprocess, a reference each), and
 * whether probes are given up (vgmQemuCapsProbesAbort) */
static GMutex vgmQemuCapsProbesLock;
static GPtrArray *vgmQemuCapsProbesRunning;
static gboolean vgmQemuCapsProbesAborted;

static gboolean
vgmQemuCapsProbesGivenUp(void)
{
    gboolean aborted;

    g_mutex_lock(&vgmQemuCapsProbesLock);
    aborted = vgmQemuCapsProbesAborted;
    g_mutex_unlock(&vgmQemuCapsProbesLock);
    return aborted;
}

/* Registers @proc as a running probe's, unless probes are given up (it is
 * killed then) */
static void
vgmQemuCapsProbesAdd(GSubprocess *proc)
{
    gboolean aborted;

    g_mutex_lock(&vgmQemuCapsProbesLock);
    if (!vgmQemuCapsProbesRunning)
        vgmQemuCapsProbesRunning = g_ptr_array_new_with_free_func(g_object_unref);
    if (!(aborted = vgmQemuCapsProbesAborted))
        g_ptr_array_add(vgmQemuCapsProbesRunning, g_object_ref(proc));
    g_mutex_unlock(&vgmQemuCapsProbesLock);
    if (aborted)
        g_subprocess_force_exit(proc);
}

static void
vgmQemuCapsProbesRemove(GSubprocess *proc)
{
    g_mutex_lock(&vgmQemuCapsProbesLock);
    if (vgmQemuCapsProbesRunning)
        g_ptr_array_remove(vgmQemuCapsProbesRunning, proc);
    g_mutex_unlock(&vgmQemuCapsProbesLock);
}

void
vgmQemuCapsProbesAbort(void)
{
    g_mutex_lock(&vgmQemuCapsProbesLock);
    vgmQemuCapsProbesAborted = TRUE;
    for (guint i = 0; vgmQemuCapsProbesRunning && i < vgmQemuCapsProbesRunning->len; i++)
        g_subprocess_force_exit(g_ptr_array_index(vgmQemuCapsProbesRunning, i));
    g_mutex_unlock(&vgmQemuCapsProbesLock);
}

VGM_ENUM_IMPL(vgmQemuCapsAccel, VGM_QEMU_CAPS_ACCEL_LAST, "tcg", "kvm");

struct _VgmQemuCaps {
    char *name;
    char *description;
    unsigned int versionMajor;
    unsigned int versionMinor;
    unsigned int versionMicro;
    char *package;            /* nullable */
    char *arch;
    gboolean kvmPresent;
    gboolean kvmEnabled;
    gboolean flags[VGM_QEMU_CAPS_LAST];
    GPtrArray *machines;      /* VgmQemuCapsMachine, sorted by name */
    char *machineType;        /* nullable */
    JsonObject *machineProps; /* property -> QOM type */
    JsonObject *objects;      /* qom-type -> {member -> TYPE} */
    JsonObject *devices;      /* driver -> {property -> QOM type} */
    JsonObject *hostCpu[VGM_QEMU_CAPS_ACCEL_LAST]; /* nullable, see "cpu" */
    gboolean hostCpuFailed;   /* a probe of a host CPU failed: not cached */
    JsonObject *cacheKey;     /* nullable */
    gint refs;                /* a set the cache lookup keeps is shared */
};

const VgmQemuCapsProbeSpec *
vgmQemuCapsFlagGetProbe(VgmQemuCapsFlag flag)
{
    if (flag < 0 || flag >= VGM_QEMU_CAPS_LAST)
        return NULL;
    return &vgmQemuCapsProbeTable[flag];
}

static void
vgmQemuCapsMachineFree(VgmQemuCapsMachine *m)
{
    if (!m)
        return;
    g_free(m->name);
    g_free(m->alias);
    g_free(m->defaultRamId);
    g_free(m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCapsMachine, vgmQemuCapsMachineFree)

static gint
vgmQemuCapsMachineCompare(gconstpointer a, gconstpointer b)
{
    const VgmQemuCapsMachine *ma = *(VgmQemuCapsMachine *const *)a;
    const VgmQemuCapsMachine *mb = *(VgmQemuCapsMachine *const *)b;

    return strcmp(ma->name, mb->name);
}

VgmQemuCaps *
vgmQemuCapsNew(void)
{
    VgmQemuCaps *caps = g_new0(VgmQemuCaps, 1);

    caps->name = g_strdup("");
    caps->description = g_strdup("");
    caps->arch = g_strdup("");
    caps->machines = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuCapsMachineFree);
    caps->machineProps = json_object_new();
    caps->objects = json_object_new();
    caps->devices = json_object_new();
    caps->refs = 1;
    return caps;
}

VgmQemuCaps *
vgmQemuCapsRef(VgmQemuCaps *caps)
{
    g_atomic_int_inc(&caps->refs);
    return caps;
}

void
vgmQemuCapsFree(VgmQemuCaps *caps)
{
    if (!caps || !g_atomic_int_dec_and_test(&caps->refs))
        return;
    g_free(caps->name);
    g_free(caps->description);
    g_free(caps->package);
    g_free(caps->arch);
    g_ptr_array_unref(caps->machines);
    g_free(caps->machineType);
    json_object_unref(caps->machineProps);
    json_object_unref(caps->objects);
    json_object_unref(caps->devices);
    for (int a = 0; a < VGM_QEMU_CAPS_ACCEL_LAST; a++)
        g_clear_pointer(&caps->hostCpu[a], json_object_unref);
    if (caps->cacheKey)
        json_object_unref(caps->cacheKey);
    g_free(caps);
}

/* ---- simple accessors ---- */

gboolean
vgmQemuCapsGet(const VgmQemuCaps *caps, VgmQemuCapsFlag flag)
{
    if (flag < 0 || flag >= VGM_QEMU_CAPS_LAST)
        return FALSE;
    return caps->flags[flag];
}

void
vgmQemuCapsSet(VgmQemuCaps *caps, VgmQemuCapsFlag flag)
{
    if (flag >= 0 && flag < VGM_QEMU_CAPS_LAST)
        caps->flags[flag] = TRUE;
}

void
vgmQemuCapsClear(VgmQemuCaps *caps, VgmQemuCapsFlag flag)
{
    if (flag >= 0 && flag < VGM_QEMU_CAPS_LAST)
        caps->flags[flag] = FALSE;
}

const char *
vgmQemuCapsGetName(const VgmQemuCaps *caps)
{
    return caps->name;
}

void
vgmQemuCapsSetName(VgmQemuCaps *caps, const char *name)
{
    g_free(caps->name);
    caps->name = g_strdup(name ? name : "");
}

const char *
vgmQemuCapsGetDescription(const VgmQemuCaps *caps)
{
    return caps->description;
}

void
vgmQemuCapsSetDescription(VgmQemuCaps *caps, const char *description)
{
    g_free(caps->description);
    caps->description = g_strdup(description ? description : "");
}

unsigned int
vgmQemuCapsGetVersion(const VgmQemuCaps *caps)
{
    return caps->versionMajor * 1000000 + caps->versionMinor * 1000 +
           caps->versionMicro;
}

const char *
vgmQemuCapsGetPackage(const VgmQemuCaps *caps)
{
    return caps->package;
}

const char *
vgmQemuCapsGetArch(const VgmQemuCaps *caps)
{
    return caps->arch;
}

gboolean
vgmQemuCapsHasKVM(const VgmQemuCaps *caps)
{
    return caps->kvmPresent;
}

gboolean
vgmQemuCapsKVMEnabled(const VgmQemuCaps *caps)
{
    return caps->kvmEnabled;
}

void
vgmQemuCapsSetKVM(VgmQemuCaps *caps, gboolean present, gboolean enabled)
{
    caps->kvmPresent = present;
    caps->kvmEnabled = enabled;
}

GPtrArray *
vgmQemuCapsGetMachines(const VgmQemuCaps *caps)
{
    return caps->machines;
}

const char *
vgmQemuCapsGetMachineType(const VgmQemuCaps *caps)
{
    return caps->machineType;
}

const VgmQemuCapsMachine *
vgmQemuCapsGetMachine(const VgmQemuCaps *caps, const char *name,
                      GError **error)
{
    guint i;

    for (i = 0; i < caps->machines->len; i++) {
        const VgmQemuCapsMachine *m = g_ptr_array_index(caps->machines, i);

        if (name ? (g_str_equal(m->name, name) || g_strcmp0(m->alias, name) == 0)
                 : m->isDefault)
            return m;
    }
    if (name) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("capability set '%1$s' has no machine type '%2$s'"),
                    caps->name, name);
    } else {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("capability set '%1$s' has no default machine type"),
                    caps->name);
    }
    return NULL;
}

gboolean
vgmQemuCapsHasObjectType(const VgmQemuCaps *caps, const char *qomType)
{
    return json_object_has_member(caps->objects, qomType);
}

/* ---- canonical JSON text ---- */

void
vgmQemuCapsCpuModelFree(VgmQemuCapsCpuModel *m)
{
    if (!m)
        return;
    g_free(m->name);
    g_free(m->vendor);
    g_strfreev(m->features);
    g_strfreev(m->unset);
    g_free(m);
}

void
vgmQemuCapsHostCpuFree(VgmQemuCapsHostCpu *cpu)
{
    if (!cpu)
        return;
    vgmQemuCapsCpuModelFree(cpu->host);
    g_clear_pointer(&cpu->models, g_ptr_array_unref);
    g_free(cpu);
}

static VgmQemuCapsCpuModel *
vgmQemuCapsCpuModelFromJSON(const char *name, JsonObject *obj)
{
    VgmQemuCapsCpuModel *m = g_new0(VgmQemuCapsCpuModel, 1);
    const char *features = json_object_get_string_member_with_default(obj, "features", "");

    m->name = g_strdup(name);
    m->vendor = g_strdup(json_object_get_string_member_with_default(obj, "vendor", ""));
    m->family = json_object_get_int_member_with_default(obj, "family", 0);
    m->model = json_object_get_int_member_with_default(obj, "model", 0);
    m->features = *features ? g_strsplit(features, " ", -1) : g_new0(char *, 1);
    if (json_object_has_member(obj, "unset")) {
        const char *unset = json_object_get_string_member_with_default(obj, "unset", "");

        m->unset = *unset ? g_strsplit(unset, " ", -1) : g_new0(char *, 1);
    }
    return m;
}

static gint
vgmQemuCapsCpuModelCompare(gconstpointer a, gconstpointer b)
{
    const VgmQemuCapsCpuModel *ma = *(VgmQemuCapsCpuModel *const *)a;
    const VgmQemuCapsCpuModel *mb = *(VgmQemuCapsCpuModel *const *)b;

    return strcmp(ma->name, mb->name);
}

VgmQemuCapsHostCpu *
vgmQemuCapsGetHostCpu(const VgmQemuCaps *caps, VgmQemuCapsAccel accel)
{
    JsonObject *obj = accel < VGM_QEMU_CAPS_ACCEL_LAST ? caps->hostCpu[accel] : NULL;
    VgmQemuCapsHostCpu *cpu;
    JsonObject *models;
    g_autoptr(GList) names = NULL;
    GList *n;

    if (!obj)
        return NULL;
    cpu = g_new0(VgmQemuCapsHostCpu, 1);
    cpu->host = vgmQemuCapsCpuModelFromJSON(NULL, obj);
    cpu->models = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuCapsCpuModelFree);
    models = json_object_get_object_member(obj, "models");
    names = models ? json_object_get_members(models) : NULL;
    for (n = names; n; n = n->next)
        g_ptr_array_add(cpu->models,
                        vgmQemuCapsCpuModelFromJSON(n->data,
                                                    json_object_get_object_member(models, n->data)));
    g_ptr_array_sort(cpu->models, vgmQemuCapsCpuModelCompare);
    return cpu;
}

void
vgmQemuCapsCopyHostCpu(VgmQemuCaps *dst, const VgmQemuCaps *src, VgmQemuCapsAccel accel)
{
    g_clear_pointer(&dst->hostCpu[accel], json_object_unref);
    if (src->hostCpu[accel])
        dst->hostCpu[accel] = json_object_ref(src->hostCpu[accel]);
}

static void
vgmQemuCapsJSONEscape(GString *out, const char *str)
{
    const unsigned char *p;

    g_string_append_c(out, '"');
    for (p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, *p);
        }
    }
    g_string_append_c(out, '"');
}

static void
vgmQemuCapsJSONIndent(GString *out, unsigned int depth)
{
    g_string_append_c(out, '\n');
    for (unsigned int i = 0; i < depth; i++)
        g_string_append(out, "  ");
}

static gint
vgmQemuCapsStrCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

static gint
vgmQemuCapsStrPtrCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Python's json.dumps(indent=2, sort_keys=True, ensure_ascii=False). */
static void
vgmQemuCapsJSONWrite(GString *out, JsonNode *node, unsigned int depth)
{
    switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT: {
        JsonObject *obj = json_node_get_object(node);
        g_autoptr(GList) keys = g_list_sort(json_object_get_members(obj),
                                            vgmQemuCapsStrCompare);
        GList *k;

        if (!keys) {
            g_string_append(out, "{}");
            break;
        }
        g_string_append_c(out, '{');
        for (k = keys; k; k = k->next) {
            vgmQemuCapsJSONIndent(out, depth + 1);
            vgmQemuCapsJSONEscape(out, k->data);
            g_string_append(out, ": ");
            vgmQemuCapsJSONWrite(out, json_object_get_member(obj, k->data),
                                 depth + 1);
            if (k->next)
                g_string_append_c(out, ',');
        }
        vgmQemuCapsJSONIndent(out, depth);
        g_string_append_c(out, '}');
        break;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *arr = json_node_get_array(node);
        guint n = json_array_get_length(arr);

        if (n == 0) {
            g_string_append(out, "[]");
            break;
        }
        g_string_append_c(out, '[');
        for (guint i = 0; i < n; i++) {
            vgmQemuCapsJSONIndent(out, depth + 1);
            vgmQemuCapsJSONWrite(out, json_array_get_element(arr, i), depth + 1);
            if (i + 1 < n)
                g_string_append_c(out, ',');
        }
        vgmQemuCapsJSONIndent(out, depth);
        g_string_append_c(out, ']');
        break;
    }
    case JSON_NODE_VALUE:
        switch (json_node_get_value_type(node)) {
        case G_TYPE_INT64:
            g_string_append_printf(out, "%" G_GINT64_FORMAT, json_node_get_int(node));
            break;
        case G_TYPE_BOOLEAN:
            g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
            break;
        case G_TYPE_STRING:
            vgmQemuCapsJSONEscape(out, json_node_get_string(node));
            break;
        default: {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append(out, g_ascii_dtostr(buf, sizeof(buf),
                                                json_node_get_double(node)));
            break;
        }
        }
        break;
    case JSON_NODE_NULL:
        g_string_append(out, "null");
        break;
    }
}

static char *
vgmQemuCapsJSONToString(JsonNode *node)
{
    GString *out = g_string_new(NULL);

    vgmQemuCapsJSONWrite(out, node, 0);
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}

static char *
vgmQemuCapsJSONObjectToString(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), obj);

    return vgmQemuCapsJSONToString(node);
}

/* ---- format ---- */

static JsonObject *
vgmQemuCapsToJSON(const VgmQemuCaps *caps)
{
    JsonObject *root = json_object_new();
    g_autoptr(JsonObject) kvm = json_object_new();
    g_autoptr(JsonArray) flags = json_array_new();
    g_autoptr(JsonArray) machines = json_array_new();
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autofree char *version = g_strdup_printf("%u.%u.%u", caps->versionMajor,
                                               caps->versionMinor,
                                               caps->versionMicro);
    guint i;

    json_object_set_string_member(root, "name", caps->name);
    json_object_set_string_member(root, "description", caps->description);
    json_object_set_string_member(root, "version", version);
    if (caps->package)
        json_object_set_string_member(root, "package", caps->package);
    json_object_set_string_member(root, "arch", caps->arch);

    json_object_set_boolean_member(kvm, "present", caps->kvmPresent);
    json_object_set_boolean_member(kvm, "enabled", caps->kvmEnabled);
    json_object_set_object_member(root, "kvm", g_steal_pointer(&kvm));

    for (i = 0; i < VGM_QEMU_CAPS_LAST; i++) {
        if (caps->flags[i])
            g_ptr_array_add(names, (gpointer)vgmQemuCapsFlagTypeToString(i));
    }
    g_ptr_array_sort(names, vgmQemuCapsStrPtrCompare);
    for (i = 0; i < names->len; i++)
        json_array_add_string_element(flags, g_ptr_array_index(names, i));
    json_object_set_array_member(root, "flags", g_steal_pointer(&flags));

    for (i = 0; i < caps->machines->len; i++) {
        const VgmQemuCapsMachine *m = g_ptr_array_index(caps->machines, i);
        JsonObject *mo = json_object_new();

        json_object_set_string_member(mo, "name", m->name);
        if (m->alias)
            json_object_set_string_member(mo, "alias", m->alias);
        json_object_set_boolean_member(mo, "is-default", m->isDefault);
        if (m->defaultRamId)
            json_object_set_string_member(mo, "default-ram-id", m->defaultRamId);
        json_object_set_boolean_member(mo, "deprecated", m->deprecated);
        json_object_set_int_member(mo, "cpu-max", m->cpuMax);
        json_array_add_object_element(machines, mo);
    }
    json_object_set_array_member(root, "machines", g_steal_pointer(&machines));

    if (caps->machineType) {
        JsonObject *mach = json_object_new();

        json_object_set_string_member(mach, "type", caps->machineType);
        json_object_set_object_member(mach, "props",
                                      json_object_ref(caps->machineProps));
        json_object_set_object_member(root, "machine", mach);
    }
    json_object_set_object_member(root, "objects", json_object_ref(caps->objects));
    json_object_set_object_member(root, "devices", json_object_ref(caps->devices));
    {
        g_autoptr(JsonObject) cpu = json_object_new();

        for (int a = 0; a < VGM_QEMU_CAPS_ACCEL_LAST; a++) {
            if (caps->hostCpu[a])
                json_object_set_object_member(cpu, vgmQemuCapsAccelTypeToString(a),
                                              json_object_ref(caps->hostCpu[a]));
        }
        if (json_object_get_size(cpu) > 0)
            json_object_set_object_member(root, "cpu", g_steal_pointer(&cpu));
    }
    if (caps->cacheKey)
        json_object_set_object_member(root, "cache-key",
                                      json_object_ref(caps->cacheKey));
    return root;
}

char *
vgmQemuCapsFormat(const VgmQemuCaps *caps)
{
    g_autoptr(JsonObject) root = vgmQemuCapsToJSON(caps);

    return vgmQemuCapsJSONObjectToString(root);
}

/* ---- load ---- */

/* Each helper returns 1 when the member is there and valid, 0 when absent
 * (and not required), -1 with *error set. @where names the enclosing
 * element for messages. */

static int
vgmQemuCapsMember(JsonObject *obj, const char *where, const char *key,
                  gboolean required, JsonNode **node, GError **error)
{
    *node = json_object_get_member(obj, key);
    if (!*node) {
        if (!required)
            return 0;
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("%1$s lacks the member '%2$s'"), where, key);
        return -1;
    }
    return 1;
}

static int
vgmQemuCapsMemberString(JsonObject *obj, const char *where, const char *key,
                        gboolean required, const char **value, GError **error)
{
    JsonNode *node;
    int rc;

    *value = NULL;
    if ((rc = vgmQemuCapsMember(obj, where, key, required, &node, error)) <= 0)
        return rc;
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("member '%1$s' of %2$s must be a string"), key, where);
        return -1;
    }
    *value = json_node_get_string(node);
    return 1;
}

static int
vgmQemuCapsMemberBool(JsonObject *obj, const char *where, const char *key,
                      gboolean required, gboolean *value, GError **error)
{
    JsonNode *node;
    int rc;

    if ((rc = vgmQemuCapsMember(obj, where, key, required, &node, error)) <= 0)
        return rc;
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_BOOLEAN) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("member '%1$s' of %2$s must be true or false"), key, where);
        return -1;
    }
    *value = json_node_get_boolean(node);
    return 1;
}

static int
vgmQemuCapsMemberUInt(JsonObject *obj, const char *where, const char *key,
                      gboolean required, unsigned int *value, GError **error)
{
    JsonNode *node;
    int rc;

    if ((rc = vgmQemuCapsMember(obj, where, key, required, &node, error)) <= 0)
        return rc;
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_INT64 ||
        json_node_get_int(node) < 0 || json_node_get_int(node) > G_MAXUINT) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("member '%1$s' of %2$s must be an unsigned integer"),
                    key, where);
        return -1;
    }
    *value = json_node_get_int(node);
    return 1;
}

static int
vgmQemuCapsMemberObject(JsonObject *obj, const char *where, const char *key,
                        gboolean required, JsonObject **value, GError **error)
{
    JsonNode *node;
    int rc;

    *value = NULL;
    if ((rc = vgmQemuCapsMember(obj, where, key, required, &node, error)) <= 0)
        return rc;
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("member '%1$s' of %2$s must be an object"), key, where);
        return -1;
    }
    *value = json_node_get_object(node);
    return 1;
}

static int
vgmQemuCapsMemberArray(JsonObject *obj, const char *where, const char *key,
                       gboolean required, JsonArray **value, GError **error)
{
    JsonNode *node;
    int rc;

    *value = NULL;
    if ((rc = vgmQemuCapsMember(obj, where, key, required, &node, error)) <= 0)
        return rc;
    if (!JSON_NODE_HOLDS_ARRAY(node)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("member '%1$s' of %2$s must be an array"), key, where);
        return -1;
    }
    *value = json_node_get_array(node);
    return 1;
}

static gboolean
vgmQemuCapsCheckKeys(JsonObject *obj, const char *where,
                     const char *const *allowed, GError **error)
{
    g_autoptr(GList) keys = json_object_get_members(obj);
    GList *k;

    for (k = keys; k; k = k->next) {
        if (!g_strv_contains(allowed, k->data)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$s has an unknown member '%2$s'"),
                        where, (const char *)k->data);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmQemuCapsIsString(JsonNode *node)
{
    return JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == G_TYPE_STRING;
}

/* Whether @type is a valid schema member type (see the header). */
static gboolean
vgmQemuCapsTypeIsValid(JsonNode *type)
{
    static const char *const simple[] = {
        "int", "number", "bool", "str", "any", "null", "object", NULL
    };

    if (vgmQemuCapsIsString(type)) {
        const char *t = json_node_get_string(type);

        while (g_str_has_prefix(t, "array of "))
            t += strlen("array of ");
        return g_strv_contains(simple, t);
    }
    if (JSON_NODE_HOLDS_OBJECT(type)) {
        JsonObject *obj = json_node_get_object(type);
        JsonNode *values = json_object_get_member(obj, "enum");
        JsonArray *arr;

        if (json_object_get_size(obj) != 1 || !values ||
            !JSON_NODE_HOLDS_ARRAY(values))
            return FALSE;
        arr = json_node_get_array(values);
        for (guint i = 0; i < json_array_get_length(arr); i++) {
            if (!vgmQemuCapsIsString(json_array_get_element(arr, i)))
                return FALSE;
        }
        return TRUE;
    }
    return FALSE;
}

/*
 * @map is {name: {name: value}}; every value must be a valid schema type
 * (@schemaTypes) or a string (QOM type names).
 */
static gboolean
vgmQemuCapsCheckTypeMap(JsonObject *map, const char *where,
                        gboolean schemaTypes, unsigned int levels,
                        GError **error)
{
    g_autoptr(GList) keys = json_object_get_members(map);
    GList *k;

    for (k = keys; k; k = k->next) {
        JsonNode *val = json_object_get_member(map, k->data);

        if (levels > 1) {
            g_autofree char *inner = g_strdup_printf("%s '%s'", where,
                                                     (const char *)k->data);

            if (!JSON_NODE_HOLDS_OBJECT(val)) {
                vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                            _("%1$s must be an object"), inner);
                return FALSE;
            }
            if (!vgmQemuCapsCheckTypeMap(json_node_get_object(val), inner,
                                         schemaTypes, levels - 1, error))
                return FALSE;
        } else if (schemaTypes ? !vgmQemuCapsTypeIsValid(val)
                               : !vgmQemuCapsIsString(val)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$s member '%2$s' has an invalid type"),
                        where, (const char *)k->data);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmQemuCapsParseMachine(VgmQemuCaps *caps, JsonNode *node, GError **error)
{
    static const char *const allowed[] = {
        "name", "alias", "is-default", "default-ram-id", "deprecated",
        "cpu-max", NULL
    };
    g_autoptr(VgmQemuCapsMachine) m = g_new0(VgmQemuCapsMachine, 1);
    JsonObject *obj;
    const char *str;

    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("every member of 'machines' must be an object"));
        return FALSE;
    }
    obj = json_node_get_object(node);
    if (!vgmQemuCapsCheckKeys(obj, _("an entry of 'machines'"), allowed, error) ||
        vgmQemuCapsMemberString(obj, _("an entry of 'machines'"), "name", TRUE, &str, error) < 0)
        return FALSE;
    m->name = g_strdup(str);
    if (vgmQemuCapsMemberString(obj, m->name, "alias", FALSE, &str, error) < 0)
        return FALSE;
    m->alias = g_strdup(str);
    if (vgmQemuCapsMemberString(obj, m->name, "default-ram-id", FALSE, &str, error) < 0)
        return FALSE;
    m->defaultRamId = g_strdup(str);
    if (vgmQemuCapsMemberBool(obj, m->name, "is-default", TRUE, &m->isDefault, error) < 0 ||
        vgmQemuCapsMemberBool(obj, m->name, "deprecated", TRUE, &m->deprecated, error) < 0 ||
        vgmQemuCapsMemberUInt(obj, m->name, "cpu-max", TRUE, &m->cpuMax, error) < 0)
        return FALSE;
    g_ptr_array_add(caps->machines, g_steal_pointer(&m));
    return TRUE;
}

static gboolean
vgmQemuCapsParseVersion(VgmQemuCaps *caps, const char *str, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(str, ".", -1);
    guint64 v[3];

    if (g_strv_length(parts) != 3)
        goto error;
    for (guint i = 0; i < 3; i++) {
        if (!g_ascii_string_to_unsigned(parts[i], 10, 0, 999, &v[i], NULL))
            goto error;
    }
    caps->versionMajor = v[0];
    caps->versionMinor = v[1];
    caps->versionMicro = v[2];
    return TRUE;

 error:
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("version '%1$s' is not MAJOR.MINOR.MICRO"), str);
    return FALSE;
}

/* A CPU of "cpu": {"vendor": STR, "features": STR[, "models": ...]}, with
 * "models" only where @models. */
static gboolean
vgmQemuCapsParseCpuModel(JsonObject *obj, const char *where, gboolean models,
                         GError **error)
{
    static const char *const hostAllowed[] = {
        "vendor", "family", "model", "features", "unset", "models", NULL
    };
    static const char *const modelAllowed[] = { "vendor", "family", "model", "features", NULL };
    const char *str;
    unsigned int num;
    JsonObject *map;

    if (!vgmQemuCapsCheckKeys(obj, where, models ? hostAllowed : modelAllowed, error) ||
        vgmQemuCapsMemberString(obj, where, "vendor", TRUE, &str, error) < 0 ||
        vgmQemuCapsMemberUInt(obj, where, "family", TRUE, &num, error) < 0 ||
        vgmQemuCapsMemberUInt(obj, where, "model", TRUE, &num, error) < 0 ||
        vgmQemuCapsMemberString(obj, where, "features", TRUE, &str, error) < 0)
        return FALSE;
    if (!models)
        return TRUE;
    if (vgmQemuCapsMemberString(obj, where, "unset", FALSE, &str, error) < 0)
        return FALSE;
    if (vgmQemuCapsMemberObject(obj, where, "models", TRUE, &map, error) < 0)
        return FALSE;
    {
        g_autoptr(GList) names = json_object_get_members(map);
        GList *n;

        for (n = names; n; n = n->next) {
            JsonNode *node = json_object_get_member(map, n->data);
            g_autofree char *what = g_strdup_printf(_("CPU model '%1$s' of %2$s"),
                                                    (const char *)n->data, where);

            if (!JSON_NODE_HOLDS_OBJECT(node)) {
                vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("%1$s must be an object"), what);
                return FALSE;
            }
            if (!vgmQemuCapsParseCpuModel(json_node_get_object(node), what, FALSE, error))
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmQemuCapsParseCpu(VgmQemuCaps *caps, JsonObject *cpu, GError **error)
{
    g_autoptr(GList) keys = json_object_get_members(cpu);
    GList *k;

    for (k = keys; k; k = k->next) {
        int accel = vgmQemuCapsAccelTypeFromString(k->data);
        JsonNode *node = json_object_get_member(cpu, k->data);
        g_autofree char *where = g_strdup_printf("'cpu' '%s'", (const char *)k->data);

        if (accel < 0) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$s has an unknown member '%2$s'"), "'cpu'",
                        (const char *)k->data);
            return FALSE;
        }
        if (!JSON_NODE_HOLDS_OBJECT(node)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("member '%1$s' of %2$s must be an object"),
                        (const char *)k->data, "'cpu'");
            return FALSE;
        }
        if (!vgmQemuCapsParseCpuModel(json_node_get_object(node), where, TRUE, error))
            return FALSE;
        g_clear_pointer(&caps->hostCpu[accel], json_object_unref);
        caps->hostCpu[accel] = json_object_ref(json_node_get_object(node));
    }
    return TRUE;
}

static gboolean
vgmQemuCapsParse(VgmQemuCaps *caps, JsonObject *root, GError **error)
{
    static const char *const allowed[] = {
        "name", "description", "version", "package", "arch", "kvm", "flags",
        "machines", "machine", "objects", "devices", "cpu", "cache-key", NULL
    };
    static const char *const kvmAllowed[] = { "present", "enabled", NULL };
    static const char *const machAllowed[] = { "type", "props", NULL };
    const char *top = _("the capability set");
    const char *str;
    JsonObject *obj;
    JsonArray *arr;
    guint i;

    if (!vgmQemuCapsCheckKeys(root, top, allowed, error))
        return FALSE;

    if (vgmQemuCapsMemberString(root, top, "name", TRUE, &str, error) < 0)
        return FALSE;
    vgmQemuCapsSetName(caps, str);
    if (vgmQemuCapsMemberString(root, top, "description", TRUE, &str, error) < 0)
        return FALSE;
    vgmQemuCapsSetDescription(caps, str);
    if (vgmQemuCapsMemberString(root, top, "version", TRUE, &str, error) < 0 ||
        !vgmQemuCapsParseVersion(caps, str, error))
        return FALSE;
    if (vgmQemuCapsMemberString(root, top, "package", FALSE, &str, error) < 0)
        return FALSE;
    caps->package = g_strdup(str);
    if (vgmQemuCapsMemberString(root, top, "arch", TRUE, &str, error) < 0)
        return FALSE;
    g_free(caps->arch);
    caps->arch = g_strdup(str);

    if (vgmQemuCapsMemberObject(root, top, "kvm", TRUE, &obj, error) < 0 ||
        !vgmQemuCapsCheckKeys(obj, "'kvm'", kvmAllowed, error) ||
        vgmQemuCapsMemberBool(obj, "'kvm'", "present", TRUE, &caps->kvmPresent, error) < 0 ||
        vgmQemuCapsMemberBool(obj, "'kvm'", "enabled", TRUE, &caps->kvmEnabled, error) < 0)
        return FALSE;

    if (vgmQemuCapsMemberArray(root, top, "flags", TRUE, &arr, error) < 0)
        return FALSE;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *el = json_array_get_element(arr, i);
        int flag;

        if (!vgmQemuCapsIsString(el)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                        _("every member of 'flags' must be a string"));
            return FALSE;
        }
        if ((flag = vgmQemuCapsFlagTypeFromString(json_node_get_string(el))) < 0) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("unknown capability flag '%1$s'"),
                        json_node_get_string(el));
            return FALSE;
        }
        caps->flags[flag] = TRUE;
    }

    if (vgmQemuCapsMemberArray(root, top, "machines", TRUE, &arr, error) < 0)
        return FALSE;
    for (i = 0; i < json_array_get_length(arr); i++) {
        if (!vgmQemuCapsParseMachine(caps, json_array_get_element(arr, i), error))
            return FALSE;
    }

    if (vgmQemuCapsMemberObject(root, top, "machine", FALSE, &obj, error) < 0)
        return FALSE;
    if (obj) {
        JsonObject *props;

        if (!vgmQemuCapsCheckKeys(obj, "'machine'", machAllowed, error) ||
            vgmQemuCapsMemberString(obj, "'machine'", "type", TRUE, &str, error) < 0 ||
            vgmQemuCapsMemberObject(obj, "'machine'", "props", TRUE, &props, error) < 0 ||
            !vgmQemuCapsCheckTypeMap(props, "'machine' 'props'", FALSE, 1, error))
            return FALSE;
        caps->machineType = g_strdup(str);
        json_object_unref(caps->machineProps);
        caps->machineProps = json_object_ref(props);
    }

    if (vgmQemuCapsMemberObject(root, top, "objects", TRUE, &obj, error) < 0 ||
        !vgmQemuCapsCheckTypeMap(obj, "object type", TRUE, 2, error))
        return FALSE;
    json_object_unref(caps->objects);
    caps->objects = json_object_ref(obj);

    if (vgmQemuCapsMemberObject(root, top, "devices", TRUE, &obj, error) < 0 ||
        !vgmQemuCapsCheckTypeMap(obj, "device", FALSE, 2, error))
        return FALSE;
    json_object_unref(caps->devices);
    caps->devices = json_object_ref(obj);

    if (vgmQemuCapsMemberObject(root, top, "cpu", FALSE, &obj, error) < 0 ||
        (obj && !vgmQemuCapsParseCpu(caps, obj, error)))
        return FALSE;

    if (vgmQemuCapsMemberObject(root, top, "cache-key", FALSE, &obj, error) < 0)
        return FALSE;
    if (obj)
        caps->cacheKey = json_object_ref(obj);

    g_ptr_array_sort(caps->machines, vgmQemuCapsMachineCompare);
    return TRUE;
}

VgmQemuCaps *
vgmQemuCapsLoadString(const char *text, const char *what, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(VgmQemuCaps) caps = vgmQemuCapsNew();
    g_autoptr(GError) err = NULL;
    const char *why = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, -1, &err)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid capability file %1$s: %2$s"), what, err->message);
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid capability file %1$s: %2$s"), what,
                    _("the top level is not an object"));
        return NULL;
    }
    if (!vgmJsonCheck(root, &why)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid capability file %1$s: %2$s"), what, why);
        return NULL;
    }
    if (!vgmQemuCapsParse(caps, json_node_get_object(root), &err)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid capability file %1$s: %2$s"), what, err->message);
        return NULL;
    }
    return g_steal_pointer(&caps);
}

VgmQemuCaps *
vgmQemuCapsLoadFile(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!vgmFileReadAll(path, VGM_QEMU_CAPS_MAX_FILE_SIZE, &text, &len, error))
        return NULL;
    if (strlen(text) != len) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid capability file %1$s: %2$s"), path,
                    _("it contains a NUL byte"));
        return NULL;
    }
    return vgmQemuCapsLoadString(text, path, error);
}

/* ---- schema checks ---- */

static const char *
vgmQemuCapsDescribeValue(JsonNode *value)
{
    switch (JSON_NODE_TYPE(value)) {
    case JSON_NODE_OBJECT:
        return _("an object");
    case JSON_NODE_ARRAY:
        return _("an array");
    case JSON_NODE_NULL:
        return _("null");
    case JSON_NODE_VALUE:
        switch (json_node_get_value_type(value)) {
        case G_TYPE_INT64:
            return _("an integer");
        case G_TYPE_DOUBLE:
            return _("a floating point number");
        case G_TYPE_BOOLEAN:
            return _("a boolean");
        case G_TYPE_STRING:
            return _("a string");
        }
    }
    return _("an unknown value");
}

/* Whether @value has the simple (non-enum) schema type @type. */
static gboolean
vgmQemuCapsValueMatches(const char *type, JsonNode *value)
{
    GType vt = JSON_NODE_HOLDS_VALUE(value) ? json_node_get_value_type(value)
                                            : G_TYPE_INVALID;

    if (g_str_has_prefix(type, "array of ")) {
        JsonArray *arr;

        if (!JSON_NODE_HOLDS_ARRAY(value))
            return FALSE;
        arr = json_node_get_array(value);
        for (guint i = 0; i < json_array_get_length(arr); i++) {
            if (!vgmQemuCapsValueMatches(type + strlen("array of "),
                                         json_array_get_element(arr, i)))
                return FALSE;
        }
        return TRUE;
    }
    if (g_str_equal(type, "any"))
        return TRUE;
    if (g_str_equal(type, "int"))
        return vt == G_TYPE_INT64;
    if (g_str_equal(type, "number"))
        return vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
    if (g_str_equal(type, "bool"))
        return vt == G_TYPE_BOOLEAN;
    if (g_str_equal(type, "str"))
        return vt == G_TYPE_STRING;
    if (g_str_equal(type, "null"))
        return JSON_NODE_HOLDS_NULL(value);
    if (g_str_equal(type, "object"))
        return JSON_NODE_HOLDS_OBJECT(value);
    return FALSE;
}

static gboolean
vgmQemuCapsCheckValue(const VgmQemuCaps *caps, const char *qomType,
                      const char *prop, JsonNode *type, JsonNode *value,
                      GError **error)
{
    if (JSON_NODE_HOLDS_OBJECT(type)) {
        JsonArray *values = json_object_get_array_member(json_node_get_object(type),
                                                         "enum");
        g_autoptr(GString) allowed = g_string_new(NULL);
        const char *str;

        if (!vgmQemuCapsIsString(value)) {
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("capability set '%1$s': object type '%2$s' property '%3$s' must be of type '%4$s', not %5$s"),
                        caps->name, qomType, prop, "enum", vgmQemuCapsDescribeValue(value));
            return FALSE;
        }
        str = json_node_get_string(value);
        for (guint i = 0; i < json_array_get_length(values); i++) {
            const char *v = json_array_get_string_element(values, i);

            if (g_str_equal(v, str))
                return TRUE;
            g_string_append_printf(allowed, "%s%s", i ? ", " : "", v);
        }
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("capability set '%1$s': object type '%2$s' property '%3$s' has value '%4$s', which is not one of: %5$s"),
                    caps->name, qomType, prop, str, allowed->str);
        return FALSE;
    }

    if (!vgmQemuCapsValueMatches(json_node_get_string(type), value)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("capability set '%1$s': object type '%2$s' property '%3$s' must be of type '%4$s', not %5$s"),
                    caps->name, qomType, prop, json_node_get_string(type),
                    vgmQemuCapsDescribeValue(value));
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmQemuCapsCheckObject(const VgmQemuCaps *caps, const char *qomType,
                       JsonObject *props, GError **error)
{
    g_autoptr(GList) keys = NULL;
    JsonObject *members;
    GList *k;

    if (!json_object_has_member(caps->objects, qomType)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("capability set '%1$s' has no object type '%2$s'"),
                    caps->name, qomType);
        return FALSE;
    }
    members = json_object_get_object_member(caps->objects, qomType);
    if (!props)
        return TRUE;

    keys = json_object_get_members(props);
    for (k = keys; k; k = k->next) {
        const char *prop = k->data;
        JsonNode *type;

        if (g_str_equal(prop, "id") || g_str_equal(prop, "qom-type"))
            continue;
        if (!(type = json_object_get_member(members, prop))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("capability set '%1$s': object type '%2$s' has no property '%3$s'"),
                        caps->name, qomType, prop);
            return FALSE;
        }
        if (!vgmQemuCapsCheckValue(caps, qomType, prop, type,
                                   json_object_get_member(props, prop), error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmQemuCapsCheckDevice(const VgmQemuCaps *caps, const char *driver,
                       JsonObject *props, GError **error)
{
    static const char *const always[] = { "driver", "id", "bus", "addr", NULL };
    g_autoptr(GList) keys = NULL;
    JsonObject *dprops;
    GList *k;

    if (!json_object_has_member(caps->devices, driver)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("capability set '%1$s' has no device '%2$s'"),
                    caps->name, driver);
        return FALSE;
    }
    dprops = json_object_get_object_member(caps->devices, driver);
    if (!props)
        return TRUE;

    keys = json_object_get_members(props);
    for (k = keys; k; k = k->next) {
        if (g_strv_contains(always, k->data) ||
            json_object_has_member(dprops, k->data))
            continue;
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("capability set '%1$s': device '%2$s' has no property '%3$s'"),
                    caps->name, driver, (const char *)k->data);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmQemuCapsCheckMachineProp(const VgmQemuCaps *caps, const char *name,
                            GError **error)
{
    if (caps->machineType && json_object_has_member(caps->machineProps, name))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("capability set '%1$s': machine type '%2$s' has no property '%3$s'"),
                caps->name, caps->machineType ? caps->machineType : "none", name);
    return FALSE;
}

/* ---- flags derived from the schema ---- */

/*
 * The value @flag must have given the set's schema data; FALSE in
 * *derivable for kinds the schema does not record (commands, KVM).
 */
static gboolean
vgmQemuCapsDeriveFlag(const VgmQemuCaps *caps, VgmQemuCapsFlag flag,
                      gboolean *derivable)
{
    const VgmQemuCapsProbeSpec *spec = &vgmQemuCapsProbeTable[flag];

    *derivable = TRUE;
    switch (spec->kind) {
    case VGM_QEMU_CAPS_PROBE_OBJECT:
        return json_object_has_member(caps->objects, spec->arg1);
    case VGM_QEMU_CAPS_PROBE_OBJECT_PROP: {
        g_auto(GStrv) types = g_strsplit(spec->arg1, "|", -1);

        for (guint i = 0; types[i]; i++) {
            JsonNode *members = json_object_get_member(caps->objects, types[i]);

            if (members && json_object_has_member(json_node_get_object(members),
                                                  spec->arg2))
                return TRUE;
        }
        return FALSE;
    }
    case VGM_QEMU_CAPS_PROBE_MACHINE_PROP:
        return caps->machineType &&
               json_object_has_member(caps->machineProps, spec->arg1);
    case VGM_QEMU_CAPS_PROBE_DEVICE:
        return json_object_has_member(caps->devices, spec->arg1);
    case VGM_QEMU_CAPS_PROBE_COMMAND:
    case VGM_QEMU_CAPS_PROBE_QAPI:
    case VGM_QEMU_CAPS_PROBE_KVM:
    case VGM_QEMU_CAPS_PROBE_TRIAL:
    case VGM_QEMU_CAPS_PROBE_AUDIO:
        break;
    }
    *derivable = FALSE;
    return FALSE;
}

gboolean
vgmQemuCapsCheckConsistency(const VgmQemuCaps *caps, GError **error)
{
    for (int i = 0; i < VGM_QEMU_CAPS_LAST; i++) {
        gboolean derivable;
        gboolean want = vgmQemuCapsDeriveFlag(caps, i, &derivable);

        if (!derivable)
            continue;
        if (want && !caps->flags[i]) {
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("capability set '%1$s': its schema implies flag '%2$s' but the flag is not set"),
                        caps->name, vgmQemuCapsFlagTypeToString(i));
            return FALSE;
        }
        if (!want && caps->flags[i]) {
            vgmErrorSet(error, VGM_ERR_INTERNAL,
                        _("capability set '%1$s': flag '%2$s' is set but its schema lacks what it stands for"),
                        caps->name, vgmQemuCapsFlagTypeToString(i));
            return FALSE;
        }
    }
    if (!caps->flags[VGM_QEMU_CAPS_KVM] != !caps->kvmPresent) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("capability set '%1$s': flag '%2$s' disagrees with kvm.present"),
                    caps->name, vgmQemuCapsFlagTypeToString(VGM_QEMU_CAPS_KVM));
        return FALSE;
    }
    return TRUE;
}

/* ---- probing ---- */

typedef struct {
    GHashTable *entities;   /* name -> JsonObject of query-qmp-schema */
    GHashTable *commands;   /* command names */
    GHashTable *qomTypes;   /* qom-type values of object-add */
    GHashTable *branches;   /* qom-type -> branch entity name */
} VgmQemuCapsSchema;

static void
vgmQemuCapsSchemaClear(VgmQemuCapsSchema *s)
{
    g_clear_pointer(&s->entities, g_hash_table_unref);
    g_clear_pointer(&s->commands, g_hash_table_unref);
    g_clear_pointer(&s->qomTypes, g_hash_table_unref);
    g_clear_pointer(&s->branches, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmQemuCapsSchema, vgmQemuCapsSchemaClear)

static gboolean
vgmQemuCapsSchemaError(const char *what, GError **error)
{
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("unexpected query-qmp-schema reply: %1$s"), what);
    return FALSE;
}

static gboolean
vgmQemuCapsSchemaLoad(VgmQemuCapsSchema *s, JsonNode *reply, GError **error)
{
    JsonArray *arr;
    JsonObject *objectAdd;
    JsonObject *argType;
    JsonArray *members;
    JsonArray *variants;
    const char *tagType = NULL;
    JsonObject *tagEnum;
    JsonArray *values;
    guint i;

    s->entities = g_hash_table_new(g_str_hash, g_str_equal);
    s->commands = g_hash_table_new(g_str_hash, g_str_equal);
    s->qomTypes = g_hash_table_new(g_str_hash, g_str_equal);
    s->branches = g_hash_table_new(g_str_hash, g_str_equal);

    if (!JSON_NODE_HOLDS_ARRAY(reply))
        return vgmQemuCapsSchemaError("not an array", error);
    arr = json_node_get_array(reply);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *el = json_array_get_element(arr, i);
        JsonObject *ent;
        const char *name;
        const char *meta;

        if (!JSON_NODE_HOLDS_OBJECT(el))
            return vgmQemuCapsSchemaError("entity is not an object", error);
        ent = json_node_get_object(el);
        name = json_object_get_string_member_with_default(ent, "name", NULL);
        meta = json_object_get_string_member_with_default(ent, "meta-type", NULL);
        if (!name || !meta)
            return vgmQemuCapsSchemaError("entity without name or meta-type", error);
        g_hash_table_insert(s->entities, (gpointer)name, ent);
        if (g_str_equal(meta, "command"))
            g_hash_table_add(s->commands, (gpointer)name);
    }

    /* object-add -> arg-type: a union on qom-type with a branch per type. */
    if (!(objectAdd = g_hash_table_lookup(s->entities, "object-add")))
        return TRUE;
    argType = g_hash_table_lookup(s->entities,
                                  json_object_get_string_member_with_default(objectAdd, "arg-type", ""));
    if (!argType)
        return vgmQemuCapsSchemaError("object-add has no arg-type", error);
    if ((members = json_object_get_array_member(argType, "members"))) {
        for (i = 0; i < json_array_get_length(members); i++) {
            JsonObject *m = json_array_get_object_element(members, i);

            if (g_strcmp0(json_object_get_string_member_with_default(m, "name", NULL),
                          "qom-type") == 0)
                tagType = json_object_get_string_member_with_default(m, "type", NULL);
        }
    }
    if (!tagType || !(tagEnum = g_hash_table_lookup(s->entities, tagType)) ||
        !json_object_has_member(tagEnum, "values"))
        return vgmQemuCapsSchemaError("object-add has no qom-type enum", error);
    values = json_object_get_array_member(tagEnum, "values");
    for (i = 0; i < json_array_get_length(values); i++)
        g_hash_table_add(s->qomTypes, (gpointer)json_array_get_string_element(values, i));

    if (json_object_has_member(argType, "variants")) {
        variants = json_object_get_array_member(argType, "variants");
        for (i = 0; i < json_array_get_length(variants); i++) {
            JsonObject *v = json_array_get_object_element(variants, i);
            const char *c = json_object_get_string_member_with_default(v, "case", NULL);
            const char *t = json_object_get_string_member_with_default(v, "type", NULL);

            if (c && t)
                g_hash_table_insert(s->branches, (gpointer)c, (gpointer)t);
        }
    }
    return TRUE;
}

/* The member called @name of object type @ent, or NULL. */
static JsonObject *
vgmQemuCapsSchemaMember(JsonObject *ent, const char *name)
{
    JsonArray *members = json_object_has_member(ent, "members") ?
                         json_object_get_array_member(ent, "members") : NULL;

    for (guint i = 0; members && i < json_array_get_length(members); i++) {
        JsonObject *m = json_array_get_object_element(members, i);

        if (m && g_strcmp0(json_object_get_string_member_with_default(m, "name", NULL),
                           name) == 0)
            return m;
    }
    return NULL;
}

/* Whether enum type @ent has the value @value (QEMU lists the values in
 * "values", newer ones also as "members" with a "name"). */
static gboolean
vgmQemuCapsSchemaEnumHas(JsonObject *ent, const char *value)
{
    JsonArray *values = json_object_has_member(ent, "values") ?
                        json_object_get_array_member(ent, "values") : NULL;

    if (g_strcmp0(json_object_get_string_member_with_default(ent, "meta-type", NULL),
                  "enum") != 0)
        return FALSE;
    for (guint i = 0; values && i < json_array_get_length(values); i++) {
        if (g_strcmp0(json_array_get_string_element(values, i), value) == 0)
            return TRUE;
    }
    return vgmQemuCapsSchemaMember(ent, value) != NULL;
}

/*
 * Whether @path (the QAPI probe notation of the header) leads somewhere in
 * the schema: the first component names a command, "arg-type" follows the
 * command's arguments, "+case" a union branch, a plain word a member, and
 * a last "^value" asks an enum for a value.
 */
static gboolean
vgmQemuCapsSchemaQuery(VgmQemuCapsSchema *s, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    JsonObject *ent;

    if (!parts[0] || !(ent = g_hash_table_lookup(s->entities, parts[0])))
        return FALSE;
    for (guint i = 1; parts[i]; i++) {
        const char *p = parts[i];
        const char *next = NULL;

        if (p[0] == '^')
            return !parts[i + 1] && vgmQemuCapsSchemaEnumHas(ent, p + 1);
        if (g_str_equal(p, "arg-type")) {
            next = json_object_get_string_member_with_default(ent, "arg-type", NULL);
        } else if (p[0] == '+') {
            JsonArray *variants = json_object_has_member(ent, "variants") ?
                                  json_object_get_array_member(ent, "variants") : NULL;

            for (guint j = 0; variants && j < json_array_get_length(variants) && !next; j++) {
                JsonObject *v = json_array_get_object_element(variants, j);

                if (v && g_strcmp0(json_object_get_string_member_with_default(v, "case", NULL),
                                   p + 1) == 0)
                    next = json_object_get_string_member_with_default(v, "type", NULL);
            }
        } else {
            JsonObject *m = vgmQemuCapsSchemaMember(ent, p);

            if (m)
                next = json_object_get_string_member_with_default(m, "type", NULL);
        }
        if (!next || !(ent = g_hash_table_lookup(s->entities, next)))
            return FALSE;
    }
    return TRUE;
}

/* The file's TYPE for the schema type called @name (see the header). */
static JsonNode *
vgmQemuCapsSchemaType(VgmQemuCapsSchema *s, const char *name)
{
    JsonObject *ent = g_hash_table_lookup(s->entities, name);
    const char *meta = ent ? json_object_get_string_member_with_default(ent, "meta-type", "") : "";
    const char *simple = "any";

    if (g_str_equal(meta, "builtin")) {
        const char *jt = json_object_get_string_member_with_default(ent, "json-type", "");

        if (g_str_equal(jt, "string"))
            simple = "str";
        else if (g_str_equal(jt, "int"))
            simple = "int";
        else if (g_str_equal(jt, "number"))
            simple = "number";
        else if (g_str_equal(jt, "boolean"))
            simple = "bool";
        else if (g_str_equal(jt, "null"))
            simple = "null";
    } else if (g_str_equal(meta, "enum")) {
        g_autoptr(JsonObject) obj = json_object_new();
        JsonArray *values = json_object_get_array_member(ent, "values");

        json_object_set_array_member(obj, "enum", json_array_ref(values));
        return json_node_init_object(json_node_alloc(), obj);
    } else if (g_str_equal(meta, "array")) {
        g_autoptr(JsonNode) el = vgmQemuCapsSchemaType(s,
            json_object_get_string_member_with_default(ent, "element-type", ""));
        g_autofree char *t = g_strdup_printf("array of %s",
                                             JSON_NODE_HOLDS_OBJECT(el) ? "str" :
                                             json_node_get_string(el));

        return json_node_init_string(json_node_alloc(), t);
    } else if (g_str_equal(meta, "object")) {
        simple = "object";
    }
    return json_node_init_string(json_node_alloc(), simple);
}

/* Names of run-time QOM properties of @typename; NULL if the class is absent. */
static GHashTable *
vgmQemuCapsProbeQOMProps(VgmQemuMonitor *mon, const char *typename,
                         GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) reply = NULL;
    g_autoptr(GError) err = NULL;
    GHashTable *props;
    JsonArray *arr;

    json_object_set_string_member(args, "typename", typename);
    if (!vgmQemuMonitorCommand(mon, "qom-list-properties", args, &reply, &err)) {
        if (vgmQemuMonitorGetLastErrorClass(mon))
            return NULL; /* no such class: not an error */
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!JSON_NODE_HOLDS_ARRAY(reply))
        return props;
    arr = json_node_get_array(reply);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *p = json_array_get_object_element(arr, i);
        const char *name = json_object_get_string_member_with_default(p, "name", NULL);
        const char *type = json_object_get_string_member_with_default(p, "type", "");

        if (name)
            g_hash_table_insert(props, g_strdup(name), g_strdup(type));
    }
    return props;
}

static gboolean
vgmQemuCapsProbeObjects(VgmQemuCaps *caps, VgmQemuMonitor *mon,
                        VgmQemuCapsSchema *schema, GError **error)
{
    g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);

    for (int f = 0; f < VGM_QEMU_CAPS_LAST; f++) {
        const VgmQemuCapsProbeSpec *spec = &vgmQemuCapsProbeTable[f];
        g_auto(GStrv) types = NULL;

        if (spec->kind != VGM_QEMU_CAPS_PROBE_OBJECT &&
            spec->kind != VGM_QEMU_CAPS_PROBE_OBJECT_PROP)
            continue;
        types = g_strsplit(spec->arg1, "|", -1);
        for (guint t = 0; types[t]; t++) {
            g_autoptr(GHashTable) runtime = NULL;
            g_autoptr(GError) err = NULL;
            g_autoptr(JsonObject) members = NULL;
            const char *branch;
            JsonObject *branchEnt;
            JsonArray *bmembers;

            if (!g_hash_table_add(done, g_strdup(types[t])))
                continue;
            if (!g_hash_table_contains(schema->qomTypes, types[t]))
                continue;
            if (!(runtime = vgmQemuCapsProbeQOMProps(mon, types[t], &err))) {
                if (err) {
                    g_propagate_error(error, g_steal_pointer(&err));
                    return FALSE;
                }
                continue;
            }
            members = json_object_new();
            branch = g_hash_table_lookup(schema->branches, types[t]);
            branchEnt = branch ? g_hash_table_lookup(schema->entities, branch) : NULL;
            bmembers = branchEnt && json_object_has_member(branchEnt, "members") ?
                       json_object_get_array_member(branchEnt, "members") : NULL;
            for (guint i = 0; bmembers && i < json_array_get_length(bmembers); i++) {
                JsonObject *m = json_array_get_object_element(bmembers, i);
                const char *name = json_object_get_string_member_with_default(m, "name", NULL);
                const char *type = json_object_get_string_member_with_default(m, "type", "");

                /* A QAPI member that is not a run-time property of the class
                 * is compiled in but unusable here (memfd's hugetlb without
                 * MFD_HUGETLB): leave it out. */
                if (!name || !g_hash_table_contains(runtime, name))
                    continue;
                json_object_set_member(members, name,
                                       vgmQemuCapsSchemaType(schema, type));
            }
            json_object_set_object_member(caps->objects, types[t],
                                          g_steal_pointer(&members));
        }
    }
    return TRUE;
}

static gboolean
vgmQemuCapsProbeDevices(VgmQemuCaps *caps, VgmQemuMonitor *mon, GError **error)
{
    for (int f = 0; f < VGM_QEMU_CAPS_LAST; f++) {
        const VgmQemuCapsProbeSpec *spec = &vgmQemuCapsProbeTable[f];
        g_autoptr(JsonObject) args = NULL;
        g_autoptr(JsonNode) reply = NULL;
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonObject) props = NULL;
        JsonArray *arr;

        if (spec->kind != VGM_QEMU_CAPS_PROBE_DEVICE ||
            json_object_has_member(caps->devices, spec->arg1))
            continue;
        args = json_object_new();
        json_object_set_string_member(args, "typename", spec->arg1);
        if (!vgmQemuMonitorCommand(mon, "device-list-properties", args, &reply, &err)) {
            if (vgmQemuMonitorGetLastErrorClass(mon))
                continue;
            g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        props = json_object_new();
        arr = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;
        for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
            JsonObject *p = json_array_get_object_element(arr, i);
            const char *name = json_object_get_string_member_with_default(p, "name", NULL);

            if (name)
                json_object_set_string_member(props, name,
                    json_object_get_string_member_with_default(p, "type", ""));
        }
        json_object_set_object_member(caps->devices, spec->arg1,
                                      g_steal_pointer(&props));
    }
    return TRUE;
}

static gboolean
vgmQemuCapsProbeMachines(VgmQemuCaps *caps, VgmQemuMonitor *mon, GError **error)
{
    g_autoptr(JsonNode) reply = NULL;
    g_autoptr(GHashTable) props = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *qomName = NULL;
    const VgmQemuCapsMachine *main = NULL;
    JsonArray *arr;
    GHashTableIter it;
    gpointer key;
    gpointer value;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-machines", NULL, &reply, error))
        return FALSE;
    arr = JSON_NODE_HOLDS_ARRAY(reply) ? json_node_get_array(reply) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        VgmQemuCapsMachine *m;

        if (!o || !json_object_has_member(o, "name"))
            continue;
        m = g_new0(VgmQemuCapsMachine, 1);
        m->name = g_strdup(json_object_get_string_member(o, "name"));
        m->alias = g_strdup(json_object_get_string_member_with_default(o, "alias", NULL));
        m->isDefault = json_object_get_boolean_member_with_default(o, "is-default", FALSE);
        m->defaultRamId = g_strdup(json_object_get_string_member_with_default(o, "default-ram-id", NULL));
        m->deprecated = json_object_get_boolean_member_with_default(o, "deprecated", FALSE);
        m->cpuMax = json_object_get_int_member_with_default(o, "cpu-max", 0);
        g_ptr_array_add(caps->machines, m);
    }
    g_ptr_array_sort(caps->machines, vgmQemuCapsMachineCompare);

    /* The driver's machine is q35 where there is one, else the default. */
    if (!(main = vgmQemuCapsGetMachine(caps, "q35", NULL)))
        main = vgmQemuCapsGetMachine(caps, NULL, NULL);
    if (!main)
        return TRUE;

    qomName = g_strdup_printf("%s-machine", main->name);
    if (!(props = vgmQemuCapsProbeQOMProps(mon, qomName, &err))) {
        if (!err)
            return TRUE;
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    caps->machineType = g_strdup(main->name);
    g_hash_table_iter_init(&it, props);
    while (g_hash_table_iter_next(&it, &key, &value))
        json_object_set_string_member(caps->machineProps, key, value);
    return TRUE;
}

/* Talks to the freshly started QEMU and fills @caps. */
static gboolean
vgmQemuCapsProbeQMP(VgmQemuCaps *caps, VgmQemuMonitor *mon, GError **error)
{
    g_auto(VgmQemuCapsSchema) schema = { 0 };
    g_autoptr(JsonNode) version = NULL;
    g_autoptr(JsonNode) target = NULL;
    g_autoptr(JsonNode) kvm = NULL;
    g_autoptr(JsonNode) qapi = NULL;
    JsonObject *obj;
    JsonObject *qemu;

    vgmQemuMonitorSetTimeout(mon, VGM_QEMU_CAPS_PROBE_COMMAND_TIMEOUT_MS);

    if (!vgmQemuMonitorCommand(mon, "query-version", NULL, &version, error))
        return FALSE;
    if (!JSON_NODE_HOLDS_OBJECT(version) ||
        !(qemu = json_object_get_object_member(json_node_get_object(version), "qemu"))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("unexpected query-version reply"));
        return FALSE;
    }
    caps->versionMajor = json_object_get_int_member_with_default(qemu, "major", 0);
    caps->versionMinor = json_object_get_int_member_with_default(qemu, "minor", 0);
    caps->versionMicro = json_object_get_int_member_with_default(qemu, "micro", 0);
    caps->package = g_strdup(json_object_get_string_member_with_default(
        json_node_get_object(version), "package", NULL));
    if (caps->package && !*caps->package)
        g_clear_pointer(&caps->package, g_free);

    if (!vgmQemuMonitorCommand(mon, "query-target", NULL, &target, error))
        return FALSE;
    if (JSON_NODE_HOLDS_OBJECT(target)) {
        g_free(caps->arch);
        caps->arch = g_strdup(json_object_get_string_member_with_default(
            json_node_get_object(target), "arch", ""));
    }

    if (!vgmQemuMonitorCommand(mon, "query-qmp-schema", NULL, &qapi, error) ||
        !vgmQemuCapsSchemaLoad(&schema, qapi, error))
        return FALSE;

    if (g_hash_table_contains(schema.commands, "query-kvm")) {
        if (!vgmQemuMonitorCommand(mon, "query-kvm", NULL, &kvm, error))
            return FALSE;
        if (JSON_NODE_HOLDS_OBJECT(kvm)) {
            obj = json_node_get_object(kvm);
            caps->kvmPresent = json_object_get_boolean_member_with_default(obj, "present", FALSE);
            caps->kvmEnabled = json_object_get_boolean_member_with_default(obj, "enabled", FALSE);
        }
    }

    if (!vgmQemuCapsProbeMachines(caps, mon, error) ||
        !vgmQemuCapsProbeObjects(caps, mon, &schema, error) ||
        !vgmQemuCapsProbeDevices(caps, mon, error))
        return FALSE;

    for (int f = 0; f < VGM_QEMU_CAPS_LAST; f++) {
        const VgmQemuCapsProbeSpec *spec = &vgmQemuCapsProbeTable[f];
        gboolean derivable;

        caps->flags[f] = vgmQemuCapsDeriveFlag(caps, f, &derivable);
        if (derivable)
            continue;
        if (spec->kind == VGM_QEMU_CAPS_PROBE_COMMAND)
            caps->flags[f] = g_hash_table_contains(schema.commands, spec->arg1);
        else if (spec->kind == VGM_QEMU_CAPS_PROBE_QAPI)
            caps->flags[f] = vgmQemuCapsSchemaQuery(&schema, spec->arg1);
        else if (spec->kind == VGM_QEMU_CAPS_PROBE_KVM)
            caps->flags[f] = caps->kvmPresent;
    }
    return TRUE;
}

/*
 * Whether the main machine type starts with "@option @value" (in @tmpdir,
 * for a relative path in @value): QEMU exits at once when it refuses the
 * option (a topology level the machine lacks, a module it cannot load),
 * and keeps running (paused) when it accepts it. A QEMU still up after
 * the bound accepted it.
 */
#define VGM_QEMU_CAPS_TRIAL_MS 2000

static gboolean
vgmQemuCapsProbeTrial(const VgmQemuCaps *caps, const char *binary,
                      const char *tmpdir, const char *option, const char *value)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autofree char *machine = NULL;
    g_autofree char *homeEnv = g_strdup_printf("HOME=%s", tmpdir);
    const char *envp[] = { "LC_ALL=C", homeEnv, NULL };
    gint64 deadline = g_get_monotonic_time() + (gint64)VGM_QEMU_CAPS_TRIAL_MS * 1000;
    gboolean accepted;

    if (!caps->machineType || vgmQemuCapsProbesGivenUp())
        return FALSE;
    machine = g_strdup_printf("%s,accel=tcg", caps->machineType);
    {
        const char *argv[] = {
            binary, "-machine", machine, option, value, "-m", "64", "-S",
            "-nodefaults", "-display", "none", "-no-user-config", NULL
        };

        launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                             G_SUBPROCESS_FLAGS_STDERR_SILENCE);
        g_subprocess_launcher_set_environ(launcher, (char **)envp);
        g_subprocess_launcher_set_cwd(launcher, tmpdir);
        g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
        if (!(proc = g_subprocess_launcher_spawnv(launcher, argv, NULL)))
            return FALSE;
    }
    while (g_subprocess_get_identifier(proc) && g_get_monotonic_time() < deadline)
        g_usleep(20 * 1000);
    accepted = g_subprocess_get_identifier(proc) != NULL;
    g_subprocess_force_exit(proc);
    g_subprocess_wait(proc, NULL, NULL);
    return accepted;
}

/* The audio drivers @binary has: the lines "-audiodev help" prints after
 * its heading (a driver whose module is missing is not listed) */
static GStrv
vgmQemuCapsProbeAudio(const char *binary, const char *tmpdir)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autofree char *out = NULL;
    g_autofree char *homeEnv = g_strdup_printf("HOME=%s", tmpdir);
    const char *envp[] = { "LC_ALL=C", homeEnv, NULL };
    const char *argv[] = { binary, "-audiodev", "help", NULL };
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) drivers = g_ptr_array_new_with_free_func(g_free);
    gboolean listed = FALSE;
    size_t i;

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    g_subprocess_launcher_set_environ(launcher, (char **)envp);
    g_subprocess_launcher_set_cwd(launcher, tmpdir);
    g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
    if (!(proc = g_subprocess_launcher_spawnv(launcher, argv, NULL)) ||
        !g_subprocess_communicate_utf8(proc, NULL, NULL, &out, NULL, NULL) || !out)
        return NULL;
    lines = g_strsplit(out, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *l = g_strstrip(lines[i]);

        if (g_str_has_prefix(l, "Available audio drivers"))
            listed = TRUE;
        else if (listed && *l && !strchr(l, ' ') && !strchr(l, ':'))
            g_ptr_array_add(drivers, g_strdup(l));
    }
    g_ptr_array_add(drivers, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&drivers), FALSE);
}

/* A QEMU of the probe's: @binary with "-machine @machine", paused, its QMP
 * on a socket in @tmpdir, stderr into @logPath. */
typedef struct {
    GSubprocess *proc;
    VgmQemuMonitor *mon;
} VgmQemuCapsProbeQemu;

static void
vgmQemuCapsProbeQemuStop(VgmQemuCapsProbeQemu *q)
{
    g_clear_pointer(&q->mon, vgmQemuMonitorFree);
    if (q->proc) {
        vgmQemuCapsProbesRemove(q->proc);
        g_subprocess_force_exit(q->proc);
        g_subprocess_wait(q->proc, NULL, NULL);
        g_clear_object(&q->proc);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmQemuCapsProbeQemu, vgmQemuCapsProbeQemuStop)

/* How the probe's QEMU @proc ended, waiting up to a second for it to go:
 * "exited with status N", "was killed by signal N", or NULL while it
 * still runs. */
static char *
vgmQemuCapsProbeQemuEnding(GSubprocess *proc)
{
    gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;

    while (g_subprocess_get_identifier(proc)) {
        if (g_get_monotonic_time() > deadline)
            return NULL;
        g_usleep(10 * 1000);
    }
    if (g_subprocess_get_if_signaled(proc))
        return g_strdup_printf(_("QEMU was killed by signal %1$d"),
                               g_subprocess_get_term_sig(proc));
    return g_strdup_printf(_("QEMU exited with status %1$d"),
                           g_subprocess_get_exit_status(proc));
}

/* In the probe's QEMU, before it runs: it dies with the thread that
 * started it (the probe waits for it in that thread), so a daemon killed
 * mid-probe leaves no QEMU behind. */
static void
vgmQemuCapsProbeChildSetup(gpointer data)
{
    pid_t parent = GPOINTER_TO_INT(data);

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(127);
}

/*
 * The probe's QEMU talks QMP over one end of a socketpair (a client-mode
 * chardev on an inherited descriptor), not over a listening socket: QEMU
 * up to 10.x listens for its first QMP client from its main thread and its
 * monitor thread at once for a moment, and a client that connects then
 * can be accepted by one while the other blocks in accept() for good, so
 * the client is never greeted or its commands never run (see
 * vgmQemuMonitorOpenStalled). A probe connects in that moment, right
 * after QEMU creates the socket.
 */
static gboolean
vgmQemuCapsProbeQemuStartOnce(VgmQemuCapsProbeQemu *q, const char *binary, const char *machine,
                              const char *tmpdir, const char *logPath, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autofree char *homeEnv = g_strdup_printf("HOME=%s", tmpdir);
    g_autoptr(GError) err = NULL;
    g_autofree char *ending = NULL;
    g_autofree char *chardev = g_strdup_printf("socket,id=qmp,fd=%d", VGM_QEMU_CAPS_PROBE_QMP_FD);
    int sv[2];
    const char *envp[] = {
        "LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        homeEnv, NULL
    };
    const char *argv[] = {
        binary, "-machine", machine, "-nodefaults", "-nographic",
        "-display", "none", "-S", "-no-user-config",
        "-chardev", chardev, "-mon", "chardev=qmp,mode=control", NULL
    };

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        vgmErrorSet(error, VGM_ERR_SYSTEM,
                    _("cannot create a socket pair for QEMU's monitor: %1$s"),
                    g_strerror(errno));
        return FALSE;
    }
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_environ(launcher, (char **)envp);
    g_subprocess_launcher_set_cwd(launcher, tmpdir);
    g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
    g_subprocess_launcher_set_stderr_file_path(launcher, logPath);
    g_subprocess_launcher_take_fd(launcher, sv[1], VGM_QEMU_CAPS_PROBE_QMP_FD);
    g_subprocess_launcher_set_child_setup(launcher, vgmQemuCapsProbeChildSetup,
                                          GINT_TO_POINTER(getpid()), NULL);
    if (vgmQemuCapsProbesGivenUp()) {
        close(sv[0]);
        vgmErrorSet(error, VGM_ERR_OPERATION_ABORTED, "%s",
                    _("probing QEMU is given up: the daemon stops"));
        return FALSE;
    }
    q->proc = g_subprocess_launcher_spawnv(launcher, argv, error);
    /* QEMU's end closed here, so that its exit reads as end of file */
    g_clear_object(&launcher);
    if (!q->proc) {
        close(sv[0]);
        return FALSE;
    }
    /* (killed at once when probes were given up meanwhile: its monitor
     * then ends) */
    vgmQemuCapsProbesAdd(q->proc);
    if ((q->mon = vgmQemuMonitorOpenFd(sv[0], VGM_QEMU_CAPS_PROBE_START_TIMEOUT_MS, &err)))
        return TRUE;
    /* say how QEMU ended, when it did: a crash or a kill leaves no stderr */
    if ((ending = vgmQemuCapsProbeQemuEnding(q->proc)))
        vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                    "%s (%s)", err->message, ending);
    else
        g_propagate_error(error, g_steal_pointer(&err));
    return FALSE;
}

/* Starts the probe's QEMU. One that fails without a word on its stderr
 * (it dropped its monitor before the greeting, seen once on a loaded CI
 * host) is started once more; a timeout or an error QEMU explains is not. */
static gboolean
vgmQemuCapsProbeQemuStart(VgmQemuCapsProbeQemu *q, const char *binary, const char *machine,
                          const char *tmpdir, const char *logPath, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tail = NULL;

    if (vgmQemuCapsProbeQemuStartOnce(q, binary, machine, tmpdir, logPath, &err))
        return TRUE;
    vgmQemuCapsProbeQemuStop(q);
    tail = vgmFileReadTail(logPath, 0, VGM_QEMU_CAPS_STDERR_TAIL);
    if (g_error_matches(err, VGM_ERROR, VGM_ERR_OPERATION_TIMEOUT) || *tail ||
        vgmQemuCapsProbesGivenUp()) {
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    g_message(_("starting %1$s with -machine %2$s again: %3$s"), binary, machine, err->message);
    return vgmQemuCapsProbeQemuStartOnce(q, binary, machine, tmpdir, logPath, error);
}

/* Space-separated, sorted @names (consumed) as member @member of @obj */
static void
vgmQemuCapsSetNames(JsonObject *obj, const char *member, GPtrArray *names)
{
    g_autofree char *joined = NULL;

    g_ptr_array_sort(names, vgmQemuCapsStrPtrCompare);
    g_ptr_array_add(names, NULL);
    joined = g_strjoinv(" ", (char **)names->pdata);
    json_object_set_string_member(obj, member, joined);
}

/* The features query-cpu-model-expansion (static) of @model turns on,
 * sorted, into @cpu's "features" (plus @extra, a JSON array of names),
 * and with @unset those it leaves off into "unset" (with the first,
 * every feature this QEMU knows); its vendor into "vendor". */
static gboolean
vgmQemuCapsProbeCpuExpand(VgmQemuMonitor *mon, const char *model, JsonArray *extra,
                          gboolean unset, JsonObject *cpu, GError **error)
{
    g_autoptr(GPtrArray) off = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(JsonObject) args = json_object_new();
    JsonObject *m = json_object_new();
    g_autoptr(JsonNode) reply = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GList) keys = NULL;
    JsonObject *props;
    GList *k;
    guint i;

    json_object_set_string_member(m, "name", model);
    json_object_set_string_member(args, "type", "static");
    json_object_set_object_member(args, "model", m);
    if (!vgmQemuMonitorCommand(mon, "query-cpu-model-expansion", args, &reply, error))
        return FALSE;
    if (!JSON_NODE_HOLDS_OBJECT(reply) ||
        !json_object_has_member(json_node_get_object(reply), "model") ||
        !JSON_NODE_HOLDS_OBJECT(json_object_get_member(json_node_get_object(reply), "model")) ||
        !(m = json_object_get_object_member(json_node_get_object(reply), "model")) ||
        !json_object_has_member(m, "props") ||
        !JSON_NODE_HOLDS_OBJECT(json_object_get_member(m, "props")) ||
        !(props = json_object_get_object_member(m, "props"))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("query-cpu-model-expansion of CPU model '%1$s' gave no properties"), model);
        return FALSE;
    }
    keys = json_object_get_members(props);
    for (k = keys; k; k = k->next) {
        JsonNode *v = json_object_get_member(props, k->data);

        if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_BOOLEAN)
            continue;
        g_ptr_array_add(json_node_get_boolean(v) ? names : off, g_strdup(k->data));
    }
    for (i = 0; extra && i < json_array_get_length(extra); i++) {
        JsonNode *el = json_array_get_element(extra, i);
        const char *f = JSON_NODE_HOLDS_VALUE(el) ? json_node_get_string(el) : NULL;

        if (f && !g_ptr_array_find_with_equal_func(names, f, g_str_equal, NULL))
            g_ptr_array_add(names, g_strdup(f));
    }
    vgmQemuCapsSetNames(cpu, "features", names);
    if (unset) {
        for (i = 0; i < names->len; i++) {
            guint at;

            if (names->pdata[i] &&
                g_ptr_array_find_with_equal_func(off, names->pdata[i], g_str_equal, &at))
                g_ptr_array_remove_index(off, at);
        }
        vgmQemuCapsSetNames(cpu, "unset", off);
    }
    json_object_set_string_member(cpu, "vendor",
                                  json_object_get_string_member_with_default(props, "vendor", ""));
    /* the CPUID signature, which libvirt matches before the features */
    json_object_set_int_member(cpu, "family",
                               json_object_get_int_member_with_default(props, "family", 0));
    json_object_set_int_member(cpu, "model",
                               json_object_get_int_member_with_default(props, "model", 0));
    return TRUE;
}

/* Whether @name is a versioned alias ("EPYC-v2"): the named models stand
 * for those. */
static gboolean
vgmQemuCapsCpuNameVersioned(const char *name)
{
    const char *v = strrchr(name, '-');

    return v && v[1] == 'v' && v[2] && strspn(v + 2, "0123456789") == strlen(v + 2);
}

/* The host CPU and named models under @accel, from a QEMU of their own. */
static gboolean
vgmQemuCapsProbeHostCpu(VgmQemuCaps *caps, const char *binary, const char *tmpdir,
                        VgmQemuCapsAccel accel, GError **error)
{
    g_auto(VgmQemuCapsProbeQemu) q = { 0 };
    g_autofree char *logPath = g_build_filename(tmpdir, "cpu.log", NULL);
    g_autofree char *machine = g_strdup_printf("none,accel=%s", vgmQemuCapsAccelTypeToString(accel));
    g_autoptr(JsonObject) host = json_object_new();
    g_autoptr(JsonObject) models = json_object_new();
    g_autoptr(JsonNode) defs = NULL;
    g_autoptr(GError) err = NULL;
    JsonArray *arr;
    guint i;

    if (!vgmQemuCapsProbeQemuStart(&q, binary, machine, tmpdir, logPath, &err)) {
        g_autofree char *tail = vgmFileReadTail(logPath, 0, VGM_QEMU_CAPS_STDERR_TAIL);

        if (*tail)
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot start QEMU binary %1$s with -machine %2$s: %3$s; QEMU stderr: %4$s"),
                        binary, machine, err->message, tail);
        else
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("cannot start QEMU binary %1$s with -machine %2$s: %3$s"),
                        binary, machine, err->message);
        unlink(logPath);
        return FALSE;
    }
    unlink(logPath);
    vgmQemuMonitorSetTimeout(q.mon, VGM_QEMU_CAPS_PROBE_COMMAND_TIMEOUT_MS);
    if (!vgmQemuMonitorCommand(q.mon, "query-cpu-definitions", NULL, &defs, error))
        return FALSE;
    if (!JSON_NODE_HOLDS_ARRAY(defs)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("query-cpu-definitions did not answer a list"));
        return FALSE;
    }
    arr = json_node_get_array(defs);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *el = json_array_get_element(arr, i);
        JsonObject *def = JSON_NODE_HOLDS_OBJECT(el) ? json_node_get_object(el) : NULL;
        const char *name = def ? json_object_get_string_member_with_default(def, "name", NULL) : NULL;
        JsonArray *missing;
        g_autoptr(JsonObject) model = NULL;

        if (!name || vgmQemuCapsCpuNameVersioned(name) || g_str_equal(name, "base") ||
            !json_object_get_boolean_member_with_default(def, "migration-safe", FALSE))
            continue;
        missing = json_object_has_member(def, "unavailable-features") &&
                  JSON_NODE_HOLDS_ARRAY(json_object_get_member(def, "unavailable-features")) ?
                  json_object_get_array_member(def, "unavailable-features") : NULL;
        model = json_object_new();
        if (!vgmQemuCapsProbeCpuExpand(q.mon, name, missing, FALSE, model, error))
            return FALSE;
        json_object_set_object_member(models, name, g_steal_pointer(&model));
    }
    if (!vgmQemuCapsProbeCpuExpand(q.mon, accel == VGM_QEMU_CAPS_ACCEL_KVM ? "host" : "max",
                                   NULL, TRUE, host, error))
        return FALSE;
    json_object_set_object_member(host, "models", g_steal_pointer(&models));
    g_clear_pointer(&caps->hostCpu[accel], json_object_unref);
    caps->hostCpu[accel] = g_steal_pointer(&host);
    return TRUE;
}

VgmQemuCaps *
vgmQemuCapsProbe(const char *binary, GError **error)
{
    g_auto(VgmQemuCapsProbeQemu) q = { 0 };
    g_autoptr(VgmQemuCaps) caps = vgmQemuCapsNew();
    g_autoptr(GError) err = NULL;
    g_autofree char *tmpdir = NULL;
    g_autofree char *logPath = NULL;
    gboolean ok = FALSE;

    if (!g_path_is_absolute(binary) ||
        !g_file_test(binary, G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("QEMU binary '%1$s' is not an executable file given by absolute path"),
                    binary);
        return NULL;
    }
    if (!(tmpdir = g_dir_make_tmp("vgm-qemucaps-XXXXXX", &err))) {
        vgmErrorSet(error, VGM_ERR_SYSTEM,
                    _("cannot create a temporary directory for probing %1$s: %2$s"),
                    binary, err->message);
        return NULL;
    }
    logPath = g_build_filename(tmpdir, "stderr.log", NULL);

    g_atomic_int_inc(&vgmQemuCapsProbeCount);
    if (vgmQemuCapsProbeQemuStart(&q, binary, "none", tmpdir, logPath, &err) &&
        vgmQemuCapsProbeQMP(caps, q.mon, &err))
        ok = TRUE;
    vgmQemuCapsProbeQemuStop(&q);

    if (ok) {
        g_auto(GStrv) audio = vgmQemuCapsProbeAudio(binary, tmpdir);

        for (int f = 0; f < VGM_QEMU_CAPS_LAST; f++) {
            const VgmQemuCapsProbeSpec *spec = &vgmQemuCapsProbeTable[f];
            if (spec->kind == VGM_QEMU_CAPS_PROBE_TRIAL)
                caps->flags[f] = vgmQemuCapsProbeTrial(caps, binary, tmpdir, spec->arg1,
                                                       spec->arg2);
            else if (spec->kind == VGM_QEMU_CAPS_PROBE_AUDIO)
                caps->flags[f] = audio && g_strv_contains((const char *const *)audio, spec->arg1);
        }
    }

    if (!ok) {
        g_autofree char *tail = vgmFileReadTail(logPath, 0, VGM_QEMU_CAPS_STDERR_TAIL);

        if (*tail) {
            vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                        _("cannot probe QEMU binary %1$s: %2$s; QEMU stderr: %3$s"),
                        binary, err->message, tail);
        } else {
            vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                        _("cannot probe QEMU binary %1$s: %2$s"),
                        binary, err->message);
        }
    }

    /* host-model's ingredients: TCG's always, KVM's where it can be used;
     * one that fails is logged, and keeps the set out of the cache */
    if (ok) {
        g_autoptr(GError) cpuErr = NULL;

        for (int a = 0; a < VGM_QEMU_CAPS_ACCEL_LAST; a++) {
            if (a == VGM_QEMU_CAPS_ACCEL_KVM &&
                (!caps->kvmPresent || access("/dev/kvm", R_OK | W_OK) < 0))
                continue;
            if (!vgmQemuCapsProbeHostCpu(caps, binary, tmpdir, a, &cpuErr)) {
                /* a message, not a warning: a host whose KVM refuses the
                 * probe still runs everything but host-model there */
                g_message(_("no host CPU under %1$s for %2$s (host-model is refused there): %3$s"),
                          a == VGM_QEMU_CAPS_ACCEL_KVM ? "KVM" : "TCG", binary, cpuErr->message);
                caps->hostCpuFailed = TRUE;
                g_clear_error(&cpuErr);
            }
        }
    }

    /* the probes' sockets and logs, and what a trial left there (a
     * display's socket): all of it goes with the directory */
    vgmFileRemoveTree(tmpdir);

    if (!ok)
        return NULL;
    /* what probes given up meanwhile left out is no answer */
    if (vgmQemuCapsProbesGivenUp()) {
        vgmErrorSet(error, VGM_ERR_OPERATION_ABORTED,
                    _("cannot probe QEMU binary %1$s: probing QEMU is given up: the daemon stops"),
                    binary);
        return NULL;
    }
    vgmQemuCapsSetName(caps, binary);
    {
        g_autofree char *desc = g_strdup_printf("probed from %s by virt-gmem %s",
                                                binary, VERSION);
        vgmQemuCapsSetDescription(caps, desc);
    }
    return g_steal_pointer(&caps);
}

unsigned int
vgmQemuCapsGetProbeCount(void)
{
    return g_atomic_int_get(&vgmQemuCapsProbeCount);
}

/* ---- cache ---- */

char *
vgmQemuCapsCacheDefaultDir(void)
{
    if (geteuid() == 0)
        return g_strdup("/var/cache/virt-gmem/qemucaps");
    return g_build_filename(g_get_user_cache_dir(), "virt-gmem", "qemucaps", NULL);
}

/* A digest of the flag table: a cache written by another table is stale. */
static char *
vgmQemuCapsTableDigest(void)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree char *fmt = g_strdup_printf("format %d\n", VGM_QEMU_CAPS_FORMAT_VERSION);

    g_checksum_update(sum, (const guchar *)fmt, -1);
    for (int f = 0; f < VGM_QEMU_CAPS_LAST; f++) {
        const VgmQemuCapsProbeSpec *spec = &vgmQemuCapsProbeTable[f];
        g_autofree char *line = g_strdup_printf("%s %s %s %s\n",
                                                vgmQemuCapsFlagTypeToString(f),
                                                vgmQemuCapsProbeKindNames[spec->kind],
                                                spec->arg1 ? spec->arg1 : "-",
                                                spec->arg2 ? spec->arg2 : "-");

        g_checksum_update(sum, (const guchar *)line, -1);
    }
    return g_strdup(g_checksum_get_string(sum));
}

/* A digest of the first CPU's vendor, family, model, stepping and flags in
 * /proc/cpuinfo: what the host CPU under KVM follows ("" where unreadable). */
static char *
vgmQemuCapsHostCpuDigest(void)
{
    static const char *const keys[] = { "vendor_id", "cpu family", "model", "stepping", "flags" };
    g_autofree char *text = NULL;
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_auto(GStrv) lines = NULL;
    size_t i, k;

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
        return g_strdup("");
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i] && *lines[i]; i++) {
        const char *colon = strchr(lines[i], ':');
        g_autofree char *key = colon ? g_strstrip(g_strndup(lines[i], colon - lines[i])) : NULL;

        for (k = 0; key && k < G_N_ELEMENTS(keys); k++) {
            if (g_str_equal(key, keys[k])) {
                g_checksum_update(sum, (const guchar *)lines[i], -1);
                g_checksum_update(sum, (const guchar *)"\n", 1);
            }
        }
    }
    return g_strdup(g_checksum_get_string(sum));
}

static JsonObject *
vgmQemuCapsCacheKey(const char *binary, GError **error)
{
    g_autoptr(JsonObject) key = json_object_new();
    g_autofree char *digest = vgmQemuCapsTableDigest();
    g_autofree char *cpuDigest = vgmQemuCapsHostCpuDigest();
    static const struct {
        const char *key;
        const char *path;
    } nested[] = {
        { "kvm-intel-nested", "/sys/module/kvm_intel/parameters/nested" },
        { "kvm-amd-nested", "/sys/module/kvm_amd/parameters/nested" },
    };
    struct stat sb;
    struct utsname uts;

    if (stat(binary, &sb) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot stat QEMU binary %1$s"), binary);
        return NULL;
    }
    if (uname(&uts) < 0) {
        vgmErrorSetSystem(error, errno, "%s", _("cannot get the kernel release"));
        return NULL;
    }
    json_object_set_string_member(key, "binary", binary);
    json_object_set_int_member(key, "size", sb.st_size);
    json_object_set_int_member(key, "mtime-ns",
                               (gint64)sb.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) +
                               sb.st_mtim.tv_nsec);
    json_object_set_int_member(key, "ctime-ns",
                               (gint64)sb.st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) +
                               sb.st_ctim.tv_nsec);
    json_object_set_string_member(key, "kernel", uts.release);
    json_object_set_boolean_member(key, "kvm-device",
                                   g_file_test("/dev/kvm", G_FILE_TEST_EXISTS));
    json_object_set_string_member(key, "host-cpu", cpuDigest);
    /* nested virtualization changes what KVM offers of the host CPU */
    for (size_t i = 0; i < G_N_ELEMENTS(nested); i++) {
        g_autofree char *val = NULL;

        if (g_file_get_contents(nested[i].path, &val, NULL, NULL))
            json_object_set_string_member(key, nested[i].key, g_strstrip(val));
    }
    json_object_set_string_member(key, "table", digest);
    json_object_set_string_member(key, "virt-gmem", VERSION);
    return g_steal_pointer(&key);
}

/* The sets this process read or probed, by cache file: each with its key
 * and the file's identity then. A lookup whose key and file still match
 * shares the set instead of parsing the file again (a daemon's
 * capabilities read two large files per call). */
typedef struct {
    char *keyText;
    GStatBuf sb;
    VgmQemuCaps *caps;
} VgmQemuCapsMemo;

static void
vgmQemuCapsMemoFree(VgmQemuCapsMemo *m)
{
    g_free(m->keyText);
    vgmQemuCapsFree(m->caps);
    g_free(m);
}

static GMutex vgmQemuCapsMemoLock;
static GHashTable *vgmQemuCapsMemoTable;
/* the cache files being filled (a probe under way), and the wait for
 * one to end; under the memo's lock */
static GHashTable *vgmQemuCapsProbing;
static GCond vgmQemuCapsProbingCond;

static VgmQemuCaps *vgmQemuCapsCacheFill(const char *binary, const char *cacheDir,
                                         const char *path, JsonObject *key,
                                         const char *keyText, GError **error);

static gboolean
vgmQemuCapsSameFile(const GStatBuf *a, const GStatBuf *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static VgmQemuCaps *
vgmQemuCapsMemoGet(const char *path, const char *keyText)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&vgmQemuCapsMemoLock);
    VgmQemuCapsMemo *m;
    GStatBuf sb;

    if (!vgmQemuCapsMemoTable ||
        !(m = g_hash_table_lookup(vgmQemuCapsMemoTable, path)) ||
        !g_str_equal(m->keyText, keyText) || g_stat(path, &sb) < 0 ||
        !vgmQemuCapsSameFile(&sb, &m->sb))
        return NULL;
    return vgmQemuCapsRef(m->caps);
}

static void
vgmQemuCapsMemoPut(const char *path, const char *keyText, VgmQemuCaps *caps)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&vgmQemuCapsMemoLock);
    VgmQemuCapsMemo *m = g_new0(VgmQemuCapsMemo, 1);

    if (g_stat(path, &m->sb) < 0) {
        g_free(m);
        return;
    }
    m->keyText = g_strdup(keyText);
    m->caps = vgmQemuCapsRef(caps);
    if (!vgmQemuCapsMemoTable)
        vgmQemuCapsMemoTable = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify)vgmQemuCapsMemoFree);
    g_hash_table_replace(vgmQemuCapsMemoTable, g_strdup(path), m);
}

VgmQemuCaps *
vgmQemuCapsCacheLookup(const char *binary, const char *cacheDir, GError **error)
{
    g_autofree char *defDir = NULL;
    g_autofree char *hash = NULL;
    g_autofree char *base = NULL;
    g_autofree char *fileName = NULL;
    g_autofree char *path = NULL;
    g_autofree char *keyText = NULL;
    g_autoptr(JsonObject) key = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;

    if (!cacheDir)
        cacheDir = defDir = vgmQemuCapsCacheDefaultDir();
    if (!(key = vgmQemuCapsCacheKey(binary, error)))
        return NULL;
    keyText = vgmQemuCapsJSONObjectToString(key);

    hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    base = g_path_get_basename(binary);
    fileName = g_strdup_printf("%s-%.16s.json", base, hash);
    path = g_build_filename(cacheDir, fileName, NULL);

    /* one probe of a binary at a time in the process: a lookup that finds
     * one under way waits for it and takes what it stored */
    for (;;) {
        if ((caps = vgmQemuCapsMemoGet(path, keyText)))
            return g_steal_pointer(&caps);
        g_mutex_lock(&vgmQemuCapsMemoLock);
        if (!vgmQemuCapsProbing)
            vgmQemuCapsProbing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        if (!g_hash_table_contains(vgmQemuCapsProbing, path)) {
            g_hash_table_add(vgmQemuCapsProbing, g_strdup(path));
            g_mutex_unlock(&vgmQemuCapsMemoLock);
            break;
        }
        while (g_hash_table_contains(vgmQemuCapsProbing, path))
            g_cond_wait(&vgmQemuCapsProbingCond, &vgmQemuCapsMemoLock);
        g_mutex_unlock(&vgmQemuCapsMemoLock);
    }
    caps = vgmQemuCapsCacheFill(binary, cacheDir, path, key, keyText, error);
    g_mutex_lock(&vgmQemuCapsMemoLock);
    g_hash_table_remove(vgmQemuCapsProbing, path);
    g_cond_broadcast(&vgmQemuCapsProbingCond);
    g_mutex_unlock(&vgmQemuCapsMemoLock);
    return g_steal_pointer(&caps);
}

/* The set of @binary from its cache file @path when the file's key is
 * @keyText, else probed and stored there (and in the memo) */
static VgmQemuCaps *
vgmQemuCapsCacheFill(const char *binary, const char *cacheDir, const char *path,
                     JsonObject *key, const char *keyText, GError **error)
{
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autofree char *text = NULL;

    if (g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
        (caps = vgmQemuCapsLoadFile(path, NULL))) {
        if (caps->cacheKey) {
            g_autofree char *stored = vgmQemuCapsJSONObjectToString(caps->cacheKey);

            if (g_str_equal(stored, keyText)) {
                vgmQemuCapsMemoPut(path, keyText, caps);
                return g_steal_pointer(&caps);
            }
        }
        g_clear_pointer(&caps, vgmQemuCapsFree);
    }

    if (!(caps = vgmQemuCapsProbe(binary, error)))
        return NULL;
    caps->cacheKey = json_object_ref(key);
    /* a host CPU that could not be probed is tried again next time */
    if (caps->hostCpuFailed)
        return g_steal_pointer(&caps);

    text = vgmQemuCapsFormat(caps);
    /* Another process may read the file meanwhile: replace it atomically. */
    if (!vgmFileMakePath(cacheDir, 0755, error) ||
        !vgmFileWriteAtomic(path, text, strlen(text), 0644, error))
        return NULL;
    vgmQemuCapsMemoPut(path, keyText, caps);
    return g_steal_pointer(&caps);
}
