/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command.c: the QEMU command line of a domain, in libvirt's order.
 *
 * Memory comes from the backend plan (qemu_plan.c); this file only writes
 * it down, together with the parts of the command line that do not
 * depend on guest_memfd: name, accelerator, CPU, SMP, SMBIOS strings,
 * monitor, clock, power management, boot, devices and the launch security
 * object. Escaping
 * lives in one place: JSON for -object / -device / -blockdev / -netdev,
 * doubled commas for key=value options.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "qemu_command.h"
#include "qemu_command_priv.h"
#include "qemu_alias.h"
#include "qemu_validate.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

typedef struct {
    char *qomType;
    JsonObject *props;
} VgmQemuCmdObject;

static void
vgmQemuCmdObjectFree(VgmQemuCmdObject *o)
{
    g_free(o->qomType);
    json_object_unref(o->props);
    g_free(o);
}

/* Splits -chardev value @opt at its single commas into its backend
 * (the first item) and key=value pairs, commas doubled in a value made
 * single again */
static GHashTable *
vgmQemuChardevSplit(const char *opt, char **backend)
{
    GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GString *item = g_string_new(NULL);
    const char *p;

    *backend = NULL;
    for (p = opt;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(item, ',');
            p++;
            continue;
        }
        if (*p && *p != ',') {
            g_string_append_c(item, *p);
            continue;
        }
        if (!*backend) {
            *backend = g_strdup(item->str);
        } else {
            const char *eq = strchr(item->str, '=');

            if (eq)
                g_hash_table_replace(kv, g_strndup(item->str, eq - item->str), g_strdup(eq + 1));
        }
        g_string_truncate(item, 0);
        if (!*p)
            break;
    }
    g_string_free(item, TRUE);
    return kv;
}

/* A socket address of QMP: unix @path, or inet @host:@port */
static JsonObject *
vgmQemuSocketAddress(const char *path, const char *host, const char *port)
{
    JsonObject *addr = json_object_new();
    JsonObject *data = json_object_new();

    if (path) {
        json_object_set_string_member(addr, "type", "unix");
        json_object_set_string_member(data, "path", path);
    } else {
        json_object_set_string_member(addr, "type", "inet");
        json_object_set_string_member(data, "host", host ? host : "");
        json_object_set_string_member(data, "port", port ? port : "0");
    }
    json_object_set_object_member(addr, "data", data);
    return addr;
}

JsonObject *
vgmQemuChardevToQMP(const char *opt)
{
    /* the keys QMP names otherwise (or nests), and which are switches */
    static const struct {
        const char *key;
        const char *member;
        gboolean onOff;
    } common[] = {
        { "logfile", "logfile", FALSE },
        { "logappend", "logappend", TRUE },
    };
    g_autofree char *backend = NULL;
    g_autoptr(GHashTable) kv = vgmQemuChardevSplit(opt, &backend);
    const char *id = g_hash_table_lookup(kv, "id");
    const char *path = g_hash_table_lookup(kv, "path");
    const char *v;
    JsonObject *data;
    JsonObject *be;
    JsonObject *args;
    const char *type = backend;
    size_t i;

    if (!id || !backend)
        return NULL;
    data = json_object_new();
    if (g_str_equal(backend, "socket")) {
        json_object_set_object_member(data, "addr",
                                      vgmQemuSocketAddress(path, g_hash_table_lookup(kv, "host"),
                                                           g_hash_table_lookup(kv, "port")));
        json_object_set_boolean_member(data, "server",
                                       g_strcmp0(g_hash_table_lookup(kv, "server"), "on") == 0);
        if ((v = g_hash_table_lookup(kv, "wait")))
            json_object_set_boolean_member(data, "wait", g_str_equal(v, "on"));
        if ((v = g_hash_table_lookup(kv, "telnet")))
            json_object_set_boolean_member(data, "telnet", g_str_equal(v, "on"));
        if ((v = g_hash_table_lookup(kv, "reconnect")))
            json_object_set_int_member(data, "reconnect", g_ascii_strtoll(v, NULL, 10));
    } else if (g_str_equal(backend, "udp")) {
        const char *lhost = g_hash_table_lookup(kv, "localaddr");
        const char *lport = g_hash_table_lookup(kv, "localport");

        json_object_set_object_member(data, "remote",
                                      vgmQemuSocketAddress(NULL, g_hash_table_lookup(kv, "host"),
                                                           g_hash_table_lookup(kv, "port")));
        if ((lhost && *lhost) || (lport && g_strcmp0(lport, "0") != 0))
            json_object_set_object_member(data, "local",
                                          vgmQemuSocketAddress(NULL, lhost, lport));
    } else if (g_str_equal(backend, "file")) {
        json_object_set_string_member(data, "out", path ? path : "");
        if ((v = g_hash_table_lookup(kv, "append")))
            json_object_set_boolean_member(data, "append", g_str_equal(v, "on"));
    } else if (g_str_equal(backend, "pipe") || g_str_equal(backend, "serial") ||
               g_str_equal(backend, "parallel")) {
        json_object_set_string_member(data, "device", path ? path : "");
    } else if (g_str_equal(backend, "spicevmc")) {
        json_object_set_string_member(data, "type", g_hash_table_lookup(kv, "name"));
    } else if (g_str_equal(backend, "spiceport")) {
        json_object_set_string_member(data, "fqdn", g_hash_table_lookup(kv, "name"));
    } else if (g_str_equal(backend, "qemu-vdagent")) {
        if ((v = g_hash_table_lookup(kv, "clipboard")))
            json_object_set_boolean_member(data, "clipboard", g_str_equal(v, "on"));
        if ((v = g_hash_table_lookup(kv, "mouse")))
            json_object_set_boolean_member(data, "mouse", g_str_equal(v, "on"));
    } else if (!g_str_equal(backend, "pty") && !g_str_equal(backend, "null") &&
               !g_str_equal(backend, "vc") && !g_str_equal(backend, "stdio")) {
        json_object_unref(data);
        return NULL;
    }
    for (i = 0; i < G_N_ELEMENTS(common); i++) {
        if (!(v = g_hash_table_lookup(kv, common[i].key)))
            continue;
        if (common[i].onOff)
            json_object_set_boolean_member(data, common[i].member, g_str_equal(v, "on"));
        else
            json_object_set_string_member(data, common[i].member, v);
    }
    be = json_object_new();
    json_object_set_string_member(be, "type", type);
    json_object_set_object_member(be, "data", data);
    args = json_object_new();
    json_object_set_string_member(args, "id", id);
    json_object_set_object_member(args, "backend", be);
    return args;
}

gboolean
vgmQemuNetDriverOpens(const VgmNetDef *net)
{
    return net->type == VGM_NET_TYPE_DIRECT ||
           (vgmNetTypeHasTap(net->type) &&
            (net->backendTap || net->backendVhost || net->tapTakenOver));
}

gboolean
vgmQemuNetVhost(const VgmQemuPlan *plan, const VgmNetDef *net)
{
    /* (QEMU's bridge helper makes a tap without vhost-net) */
    gboolean helper = net->type == VGM_NET_TYPE_BRIDGE && !net->ifname &&
                      !vgmQemuNetDriverOpens(net);

    return plan->accelKVM && vgmNetTypeHasTap(net->type) && !helper &&
           g_str_has_prefix(net->model, "virtio") && net->driverName != VGM_NET_DRIVER_QEMU &&
           (plan->vhostNet || net->backendVhost);
}

void
vgmQemuNetFdsOf(const VgmQemuPlan *plan, const VgmDomainDef *def, guint index,
                VgmQemuNetFds *out)
{
    int next = VGM_QEMU_NET_FD_BASE;
    guint i;

    *out = (VgmQemuNetFds){ 0, -1, -1 };
    for (i = 0; i <= index && i < def->devices.nets->len; i++) {
        const VgmNetDef *n = g_ptr_array_index(def->devices.nets, i);
        unsigned int count = n->queues ? n->queues : 1;
        gboolean vhost = n->backendVhost && vgmQemuNetVhost(plan, n);

        if (!vgmQemuNetDriverOpens(n))
            continue;
        if (i == index) {
            out->queues = count;
            out->firstTap = next;
            out->firstVhost = vhost ? next + (int)count : -1;
            return;
        }
        next += (int)count * (vhost ? 2 : 1);
    }
}

void
vgmQemuCmdFree(VgmQemuCmd *cmd)
{
    if (!cmd)
        return;
    g_clear_pointer(&cmd->env, g_ptr_array_unref);
    g_free(cmd->binary);
    g_clear_pointer(&cmd->args, g_ptr_array_unref);
    g_clear_pointer(&cmd->objects, g_ptr_array_unref);
    g_clear_pointer(&cmd->devices, g_ptr_array_unref);
    g_clear_pointer(&cmd->globals, g_ptr_array_unref);
    g_clear_pointer(&cmd->startup, g_ptr_array_unref);
    g_clear_pointer(&cmd->warnings, g_ptr_array_unref);
    g_clear_pointer(&cmd->secrets, g_ptr_array_unref);
    g_free(cmd);
}

static void
vgmQemuCmdSecretFree(VgmQemuCmdSecret *secret)
{
    g_free(secret->path);
    g_free(secret->value);
    g_free(secret->usageType);
    g_free(secret->usage);
    g_free(secret->owner);
    g_free(secret);
}

gboolean
vgmQemuNfsIdentity(const char *name, gboolean group, guint *id, GError **error)
{
    guint64 num;

    /* +ID is a number, whatever this host calls it */
    if (name[0] == '+' &&
        g_ascii_string_to_unsigned(name + 1, 10, 0, G_MAXUINT32 - 1, &num, NULL)) {
        *id = num;
        return TRUE;
    }
    if (group) {
        struct group gr, *found = NULL;
        char buf[4096];

        if (getgrnam_r(name, &gr, buf, sizeof(buf), &found) == 0 && found) {
            *id = found->gr_gid;
            return TRUE;
        }
    } else {
        struct passwd pw, *found = NULL;
        char buf[4096];

        if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) == 0 && found) {
            *id = found->pw_uid;
            return TRUE;
        }
    }
    /* a number this host has no name for */
    if (g_ascii_string_to_unsigned(name, 10, 0, G_MAXUINT32 - 1, &num, NULL)) {
        *id = num;
        return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                group ? _("invalid group '%1$s' in <identity> of an nfs disk: no such group on this host (give +ID for a number)")
                      : _("invalid user '%1$s' in <identity> of an nfs disk: no such user on this host (give +ID for a number)"),
                name);
    return FALSE;
}

char *
vgmQemuEscapeOptValue(const char *value)
{
    GString *s = g_string_new(NULL);
    const char *p;

    for (p = value; *p; p++) {
        if (*p == ',')
            g_string_append_c(s, ',');
        g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

char *
vgmQemuJSONToString(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_node_set_object(node, obj);
    json_generator_set_root(gen, node);
    json_generator_set_pretty(gen, FALSE);
    return json_generator_to_data(gen, NULL);
}

void
vgmCmdArg(VgmQemuCmd *cmd, const char *arg)
{
    g_ptr_array_add(cmd->args, g_strdup(arg));
}

void
vgmCmdArgPair(VgmQemuCmd *cmd, const char *opt, const char *value)
{
    vgmCmdArg(cmd, opt);
    vgmCmdArg(cmd, value);
}

void
vgmCmdArgPairf(VgmQemuCmd *cmd, const char *opt, const char *fmt, ...)
{
    va_list ap;
    char *value;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vgmCmdArg(cmd, opt);
    g_ptr_array_add(cmd->args, value);
}

/* -object JSON; @obj's first members are qom-type and id. */
void
vgmCmdObject(VgmQemuCmd *cmd, JsonObject *obj)
{
    g_autofree char *json = vgmQemuJSONToString(obj);
    VgmQemuCmdObject *o = g_new0(VgmQemuCmdObject, 1);

    vgmCmdArgPair(cmd, "-object", json);
    o->qomType = g_strdup(json_object_get_string_member(obj, "qom-type"));
    o->props = json_object_ref(obj);
    g_ptr_array_add(cmd->objects, o);
}

void
vgmCmdDevice(VgmQemuCmd *cmd, JsonObject *dev)
{
    g_autofree char *json = vgmQemuJSONToString(dev);

    vgmCmdArgPair(cmd, "-device", json);
    g_ptr_array_add(cmd->devices, json_object_ref(dev));
}

void
vgmCmdStartup(VgmQemuCmd *cmd, const char *execute, JsonObject *args)
{
    JsonObject *exec = json_object_new();

    json_object_set_string_member(exec, "execute", execute);
    json_object_set_object_member(exec, "arguments", args);
    g_ptr_array_add(cmd->startup, exec);
}

void
vgmCmdJSONArg(VgmQemuCmd *cmd, const char *opt, JsonObject *obj)
{
    g_autofree char *json = vgmQemuJSONToString(obj);

    vgmCmdArgPair(cmd, opt, json);
    json_object_unref(obj);
}

/* ---------------- pieces ---------------- */

static void
vgmCmdEnv(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg)
{
    g_autofree char *home = vgmQemuConfigDomainRunDir(cfg, def->name);

    g_ptr_array_add(cmd->env, g_strdup("LC_ALL=C"));
    g_ptr_array_add(cmd->env, g_strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    g_ptr_array_add(cmd->env, g_strdup_printf("HOME=%s", home));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_DATA_HOME=%s/.local/share", home));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_CACHE_HOME=%s/.cache", home));
    g_ptr_array_add(cmd->env, g_strdup_printf("XDG_CONFIG_HOME=%s/.config", home));
    /* <qemu:env>: after the driver's own, as libvirt adds them */
    for (guint i = 0; def->qemuEnv && i < def->qemuEnv->len; i++) {
        const VgmDomainQemuEnv *env = g_ptr_array_index(def->qemuEnv, i);

        g_ptr_array_add(cmd->env, g_strdup_printf("%s=%s", env->name,
                                                  env->value ? env->value : ""));
    }
}

/* -global DRIVER.PROP=VALUE, also kept for the capability check */
static void
vgmCmdGlobal(VgmQemuCmd *cmd, const char *driver, const char *prop, const char *value)
{
    JsonObject *global = json_object_new();

    vgmCmdArgPairf(cmd, "-global", "%s.%s=%s", driver, prop, value);
    json_object_set_string_member(global, "driver", driver);
    json_object_set_string_member(global, prop, value);
    g_ptr_array_add(cmd->globals, global);
}

static void
vgmCmdMachine(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    GString *s = g_string_new(plan->machine->name);
    guint i;

    for (i = 0; i < plan->machineProps->len; i++) {
        const VgmQemuMachineProp *p = g_ptr_array_index(plan->machineProps, i);
        g_autofree char *v = vgmQemuEscapeOptValue(p->value);
        g_string_append_printf(s, ",%s=%s", p->name, v);
    }
    vgmCmdArg(cmd, "-machine");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
    /* <tcg><tb-cache> in MiB, as libvirt writes it */
    if (!plan->accelKVM && def->features.tcgTbCacheKiB)
        vgmCmdArgPairf(cmd, "-accel", "tcg,tb-size=%llu", def->features.tcgTbCacheKiB / 1024);
    else if (plan->accelKVM && def->features.kvm[VGM_KVM_DIRTY_RING] == VGM_TRISTATE_YES)
        vgmCmdArgPairf(cmd, "-accel", "kvm,dirty-ring-size=%u", def->features.dirtyRingSize);
    else
        vgmCmdArgPair(cmd, "-accel", plan->accelKVM ? "kvm" : "tcg");
    /* <smm><tseg>: q35's extended TSEG on its MCH */
    if (def->features.haveTseg) {
        g_autofree char *mib = g_strdup_printf("%u", def->features.tsegMiB);

        vgmCmdGlobal(cmd, "mch", "extended-tseg-mbytes", mib);
    }
}

/* What libvirt adds to -cpu after the model and its features, in its
 * order: the kvmclock, Hyper-V clock and tsc (its frequency) timers, <apic eoi>,
 * <pvspinlock>, <hyperv>, <kvm>, <pmu>. Features turned off in <hyperv>
 * or <kvm> add nothing, as in libvirt. */
static void
vgmCmdCpuExtras(GString *s, const VgmDomainDef *def)
{
    const VgmFeatures *f = &def->features;
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        const VgmClockTimer *t = &def->clock.timers[i];

        if (g_str_equal(t->name, "kvmclock") && t->present)
            g_string_append_printf(s, ",kvmclock=%s", t->present == VGM_TRISTATE_YES ? "on" : "off");
        else if (g_str_equal(t->name, "hypervclock") && t->present == VGM_TRISTATE_YES)
            g_string_append(s, ",hv-time=on");
        else if (g_str_equal(t->name, "tsc") && t->frequency)
            g_string_append_printf(s, ",tsc-frequency=%llu", t->frequency);
    }
    if (f->apicEoi)
        g_string_append_printf(s, ",kvm-pv-eoi=%s", vgmTristateSwitchTypeToString(f->apicEoi));
    if (f->features[VGM_FEATURE_PVSPINLOCK])
        g_string_append_printf(s, ",kvm-pv-unhalt=%s",
                               f->features[VGM_FEATURE_PVSPINLOCK] == VGM_TRISTATE_YES ? "on" : "off");
    if (f->hypervMode == VGM_HYPERV_MODE_PASSTHROUGH) {
        g_string_append(s, ",hv-passthrough=on");
    } else if (f->hypervMode == VGM_HYPERV_MODE_CUSTOM) {
        for (i = 0; i < VGM_HYPERV_LAST; i++) {
            g_autofree char *name = NULL;

            if (f->hyperv[i] != VGM_TRISTATE_YES)
                continue;
            /* vendor_id is hv-vendor-id */
            name = g_strdelimit(g_strdup(vgmHypervFeatureTypeToString(i)), "_", '-');
            if (i == VGM_HYPERV_SPINLOCKS) {
                g_string_append_printf(s, ",hv-spinlocks=0x%x", f->hvSpinlockRetries);
            } else if (i == VGM_HYPERV_VENDOR_ID) {
                g_autofree char *v = vgmQemuEscapeOptValue(f->hvVendorId);
                g_string_append_printf(s, ",hv-vendor-id=%s", v);
            } else {
                g_string_append_printf(s, ",hv-%s=on", name);
                if (i == VGM_HYPERV_STIMER && f->hvStimerDirect == VGM_TRISTATE_YES)
                    g_string_append(s, ",hv-stimer-direct=on");
            }
        }
    }
    /* <panic model='hyperv'>: the crash MSRs, as libvirt writes them */
    for (i = 0; i < def->devices.panics->len; i++) {
        if (((const VgmPanicDef *)g_ptr_array_index(def->devices.panics, i))->model ==
            VGM_PANIC_MODEL_HYPERV)
            g_string_append(s, ",hv-crash");
    }
    if (f->kvm[VGM_KVM_HIDDEN] == VGM_TRISTATE_YES)
        g_string_append(s, ",kvm=off");
    if (f->kvm[VGM_KVM_HINT_DEDICATED] == VGM_TRISTATE_YES)
        g_string_append(s, ",kvm-hint-dedicated=on");
    if (f->kvm[VGM_KVM_POLL_CONTROL] == VGM_TRISTATE_YES)
        g_string_append(s, ",kvm-poll-control=on");
    /* (as libvirt: only off is written, on is KVM's default) */
    if (f->kvm[VGM_KVM_PV_IPI] == VGM_TRISTATE_NO)
        g_string_append(s, ",kvm-pv-ipi=off");
    if (f->features[VGM_FEATURE_PMU])
        g_string_append_printf(s, ",pmu=%s",
                               f->features[VGM_FEATURE_PMU] == VGM_TRISTATE_YES ? "on" : "off");
}

/* <cache> and <maxphysaddr>, after the other -cpu options, as libvirt
 * writes them */
static void
vgmCmdCpuCachePhys(GString *s, const VgmCpuDef *cpu)
{
    gboolean hostCpu;

    if (!cpu)
        return;
    hostCpu = cpu->mode == VGM_CPU_MODE_HOST_PASSTHROUGH || cpu->mode == VGM_CPU_MODE_MAXIMUM;
    switch (cpu->cacheMode) {
    case VGM_CPU_CACHE_EMULATE:
        g_string_append(s, ",l3-cache=on");
        if (hostCpu)
            g_string_append(s, ",host-cache-info=off");
        break;
    case VGM_CPU_CACHE_PASSTHROUGH:
        g_string_append(s, ",host-cache-info=on,l3-cache=off");
        break;
    case VGM_CPU_CACHE_DISABLE:
        if (hostCpu)
            g_string_append(s, ",host-cache-info=off");
        g_string_append(s, ",l3-cache=off");
        break;
    case VGM_CPU_CACHE_NONE:
    case VGM_CPU_CACHE_LAST:
        break;
    }
    if (cpu->physMode == VGM_CPU_PHYS_EMULATE) {
        g_string_append_printf(s, ",phys-bits=%u", cpu->physBits);
    } else if (cpu->physMode == VGM_CPU_PHYS_PASSTHROUGH) {
        g_string_append(s, ",host-phys-bits=on");
        if (cpu->physLimit)
            g_string_append_printf(s, ",host-phys-bits-limit=%u", cpu->physLimit);
    }
}

static void
vgmCmdCpu(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    const VgmCpuDef *cpu = def->cpu;
    GString *s;
    size_t i;

    if (!cpu || (cpu->mode == VGM_CPU_MODE_CUSTOM && !cpu->model)) {
        s = g_string_new(plan->defaultCpu);
        vgmCmdCpuExtras(s, def);
        vgmCmdCpuCachePhys(s, cpu);
        vgmCmdArg(cmd, "-cpu");
        g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
        return;
    }
    switch (plan->hostModel ? VGM_CPU_MODE_HOST_MODEL : cpu->mode) {
    case VGM_CPU_MODE_HOST_PASSTHROUGH:
        s = g_string_new("host");
        g_string_append_printf(s, ",migratable=%s",
                               cpu->migratable == VGM_TRISTATE_NO ? "off" : "on");
        break;
    case VGM_CPU_MODE_HOST_MODEL: {
        /* the named model the plan made of a CPU relative to the host */
        g_autofree char *m = vgmQemuEscapeOptValue(plan->hostModel->model);

        s = g_string_new(m);
        break;
    }
    case VGM_CPU_MODE_MAXIMUM:
        /* (as libvirt: its migratable only when the definition says) */
        s = g_string_new("max");
        if (cpu->migratable != VGM_TRISTATE_ABSENT)
            g_string_append_printf(s, ",migratable=%s",
                                   cpu->migratable == VGM_TRISTATE_NO ? "off" : "on");
        break;
    case VGM_CPU_MODE_CUSTOM:
    default: {
        g_autofree char *m = vgmQemuEscapeOptValue(cpu->model);
        s = g_string_new(m);
        break;
    }
    }
    /* the guest's CPUID vendor string, before the features as libvirt
     * writes it */
    if (cpu->vendorId) {
        g_autofree char *v = vgmQemuEscapeOptValue(cpu->vendorId);

        g_string_append_printf(s, ",vendor=%s", v);
    }
    /* the plan's settings already carry the domain's own features */
    for (i = 0; plan->hostModel && i < plan->hostModel->settings->len; i++) {
        const VgmQemuCpuSetting *set = g_ptr_array_index(plan->hostModel->settings, i);
        g_autofree char *n = vgmQemuEscapeOptValue(set->name);

        if (!g_hash_table_contains(plan->cpuDropped, set->name))
            g_string_append_printf(s, ",%s=%s", n, set->on ? "on" : "off");
    }
    for (i = 0; !plan->hostModel && i < cpu->nfeatures; i++) {
        const VgmCpuFeature *f = &cpu->features[i];
        /* in QEMU's spelling, as libvirt translates its names */
        g_autofree char *qemu = vgmQemuCpuFeatureName(f->name);
        g_autofree char *n = vgmQemuEscapeOptValue(qemu);

        /* (what libvirt drops: vgmQemuCpuDroppedFeatures; an optional
         * one here is of a CPU the host does not settle, host-passthrough
         * or maximum, which libvirt leaves to QEMU) */
        if (g_hash_table_contains(plan->cpuDropped, qemu) ||
            f->policy == VGM_CPU_FEATURE_OPTIONAL)
            continue;
        if (f->policy == VGM_CPU_FEATURE_DISABLE || f->policy == VGM_CPU_FEATURE_FORBID)
            g_string_append_printf(s, ",%s=off", n);
        else
            g_string_append_printf(s, ",%s=on", n);
    }
    /* what libvirt's CPU map removed from the model, off as libvirt
     * turns it off (after the domain's own) */
    {
        g_autoptr(GPtrArray) removed = vgmQemuCpuRemovedFeatures(cpu);

        for (i = 0; i < removed->len; i++)
            g_string_append_printf(s, ",%s=off", (const char *)g_ptr_array_index(removed, i));
    }
    vgmCmdCpuExtras(s, def);
    vgmCmdCpuCachePhys(s, cpu);
    vgmCmdArg(cmd, "-cpu");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
}

static void
vgmCmdBlockdevCache(JsonObject *node, const VgmCmdBlockdevOpts *opts)
{
    JsonObject *cache;

    if (!opts || !opts->cache)
        return;
    cache = json_object_new();
    json_object_set_boolean_member(cache, "direct", opts->direct);
    json_object_set_boolean_member(cache, "no-flush", opts->noFlush);
    json_object_set_object_member(node, "cache", cache);
}

void
vgmCmdBlockdev(VgmQemuCmd *cmd, const char *protocol, const char *path,
               const char *storage, const char *format, const char *formatDriver,
               gboolean readonly, const VgmCmdBlockdevOpts *opts)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "driver", protocol);
    json_object_set_string_member(o, "filename", path);
    if (opts && opts->aio)
        json_object_set_string_member(o, "aio", opts->aio);
    vgmCmdBlockdevNodes(cmd, o, storage, format, formatDriver, readonly, opts);
}

void
vgmCmdBlockdevNodes(VgmQemuCmd *cmd, JsonObject *o, const char *storage, const char *format,
                    const char *formatDriver, gboolean readonly, const VgmCmdBlockdevOpts *opts)
{
    const VgmDiskSlice *slice = opts && opts->slice && opts->slice->set ? opts->slice : NULL;
    const char *keySecret = opts ? opts->keySecret : NULL;
    /* a LUKS image under no other format is QEMU's luks format, whose
     * slice is a raw node of its own, as libvirt builds it */
    gboolean raw = g_str_equal(formatDriver, "raw") && !keySecret;
    g_autofree char *sliced = NULL;

    json_object_set_string_member(o, "node-name", storage);
    vgmCmdBlockdevCache(o, opts);
    json_object_set_boolean_member(o, "auto-read-only", TRUE);
    json_object_set_string_member(o, "discard", "unmap");
    vgmCmdJSONArg(cmd, "-blockdev", o);
    if (slice && !raw) {
        /* (every storage node's name ends in -storage) */
        sliced = g_strdup_printf("%.*s" VGM_QEMU_SLICE_NODE_SUFFIX,
                                 (int)(strlen(storage) - (g_str_has_suffix(storage, "-storage") ?
                                                          strlen("-storage") : 0)),
                                 storage);
        o = json_object_new();
        json_object_set_string_member(o, "driver", "raw");
        json_object_set_string_member(o, "node-name", sliced);
        json_object_set_int_member(o, "offset", (gint64)slice->offset);
        json_object_set_int_member(o, "size", (gint64)slice->size);
        json_object_set_string_member(o, "file", storage);
        json_object_set_boolean_member(o, "auto-read-only", TRUE);
        json_object_set_string_member(o, "discard", "unmap");
        vgmCmdBlockdevCache(o, opts);
        vgmCmdJSONArg(cmd, "-blockdev", o);
        storage = sliced;
    }
    o = json_object_new();
    json_object_set_string_member(o, "node-name", format);
    json_object_set_boolean_member(o, "read-only", readonly);
    vgmCmdBlockdevCache(o, opts);
    if (opts && opts->discard)
        json_object_set_string_member(o, "discard", opts->discard);
    if (opts && opts->detectZeroes)
        json_object_set_string_member(o, "detect-zeroes", opts->detectZeroes);
    if (keySecret && g_str_equal(formatDriver, "raw")) {
        json_object_set_string_member(o, "driver", "luks");
        json_object_set_string_member(o, "key-secret", keySecret);
    } else if (keySecret) {
        JsonObject *encrypt = json_object_new();

        json_object_set_string_member(o, "driver", formatDriver);
        json_object_set_string_member(encrypt, "format", "luks");
        json_object_set_string_member(encrypt, "key-secret", keySecret);
        json_object_set_object_member(o, "encrypt", encrypt);
    } else {
        json_object_set_string_member(o, "driver", formatDriver);
    }
    if (slice && raw) {
        json_object_set_int_member(o, "offset", (gint64)slice->offset);
        json_object_set_int_member(o, "size", (gint64)slice->size);
    }
    if (opts && opts->cacheSize)
        json_object_set_int_member(o, "cache-size", (gint64)opts->cacheSize);
    json_object_set_string_member(o, "file", storage);
    if (opts && opts->backing)
        json_object_set_string_member(o, "backing", opts->backing);
    else if (opts && opts->noBacking)
        json_object_set_null_member(o, "backing");
    vgmCmdJSONArg(cmd, "-blockdev", o);
}

/* pflash unit @unit: a file (or block device) node and a raw format node */
static void
vgmCmdPflash(VgmQemuCmd *cmd, unsigned int unit, const char *path, gboolean block,
             gboolean readonly)
{
    g_autofree char *storage = g_strdup_printf("vgm-pflash%u-storage", unit);
    g_autofree char *format = g_strdup_printf("vgm-pflash%u-format", unit);

    vgmCmdBlockdev(cmd, block ? "host_device" : "file", path, storage, format, "raw", readonly,
                   NULL);
}

static void
vgmCmdFirmware(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
               const VgmQemuPlan *plan)
{
    const VgmQemuFirmware *fw = plan->firmware;

    if (!fw->loader)
        return;
    if (fw->type != VGM_LOADER_TYPE_PFLASH) {
        vgmCmdArgPair(cmd, "-bios", fw->loader);
        return;
    }
    vgmCmdPflash(cmd, 0, fw->loader, FALSE, fw->readonly);
    if (fw->nvramNetwork)
        vgmCmdBlockdevNodes(cmd, vgmCmdNetSourceNode(cmd, def, cfg, def->os.nvramNet, "nvram",
                                                     "vgm-pflash1-storage", NULL, NULL, NULL),
                            "vgm-pflash1-storage", "vgm-pflash1-format", "raw", FALSE, NULL);
    else if (fw->nvram)
        vgmCmdPflash(cmd, 1, fw->nvram, fw->nvramBlock, FALSE);
}

/* The IOMMU, before any device it translates for, as libvirt writes it */
static void
vgmCmdIommuDevice(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    const VgmIommuDef *iommu = def->devices.iommu;
    JsonObject *dev;

    if (!iommu)
        return;
    dev = json_object_new();
    if (iommu->model == VGM_IOMMU_MODEL_VIRTIO) {
        json_object_set_string_member(dev, "driver", "virtio-iommu-pci");
        json_object_set_string_member(dev, "id", vgmQemuSingleId(iommu->alias, "iommu0"));
        vgmQemuPlanPciAddress(dev, &iommu->addr, plan);
    } else {
        json_object_set_string_member(dev, "driver", "intel-iommu");
        json_object_set_string_member(dev, "id", vgmQemuSingleId(iommu->alias, "iommu0"));
        if (iommu->intremap)
            json_object_set_string_member(dev, "intremap", vgmTristateSwitchTypeToString(iommu->intremap));
        if (iommu->cachingMode)
            json_object_set_boolean_member(dev, "caching-mode", iommu->cachingMode == VGM_TRISTATE_YES);
        if (iommu->eim)
            json_object_set_string_member(dev, "eim", vgmTristateSwitchTypeToString(iommu->eim));
        if (iommu->iotlb)
            json_object_set_boolean_member(dev, "device-iotlb", iommu->iotlb == VGM_TRISTATE_YES);
        if (iommu->awBits)
            json_object_set_int_member(dev, "aw-bits", iommu->awBits);
    }
    vgmCmdDevice(cmd, dev);
    json_object_unref(dev);
}

static void
vgmCmdBackend(VgmQemuCmd *cmd, const VgmQemuBackend *b)
{
    if (b->threadContext)
        vgmCmdObject(cmd, b->threadContext);
    vgmCmdObject(cmd, b->props);
}

static void
vgmCmdMemory(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    guint i;

    if (def->maxMemory)
        vgmCmdArgPairf(cmd, "-m", "size=%lluk,slots=%u,maxmem=%lluk",
                       plan->initialKiB, def->memorySlots, def->maxMemory);
    else
        vgmCmdArgPairf(cmd, "-m", "%llu", plan->initialKiB / 1024);
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        if (b->role == VGM_QEMU_BACKEND_MAIN)
            vgmCmdBackend(cmd, b);
    }
    vgmCmdArgPair(cmd, "-overcommit", def->mb.locked ? "mem-lock=on" : "mem-lock=off");
}

/* an object's thread-pool-min and -max, where given */
static void
vgmCmdThreadPool(JsonObject *obj, int min, int max)
{
    if (min >= 0)
        json_object_set_int_member(obj, "thread-pool-min", min);
    if (max >= 0)
        json_object_set_int_member(obj, "thread-pool-max", max);
}

/* <iothreads>: an iothread object per thread, in the definition's order,
 * then the main loop's pool (<defaultiothread>), as libvirt writes them */
static void
vgmCmdIOThreads(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    guint i;

    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);
        g_autoptr(JsonObject) obj = json_object_new();
        g_autofree char *id = g_strdup_printf("iothread%u", t->id);

        json_object_set_string_member(obj, "qom-type", "iothread");
        json_object_set_string_member(obj, "id", id);
        vgmCmdThreadPool(obj, t->poolMin, t->poolMax);
        vgmCmdObject(cmd, obj);
    }
    if (def->hasDefaultIOThread) {
        g_autoptr(JsonObject) obj = json_object_new();

        json_object_set_string_member(obj, "qom-type", "main-loop");
        json_object_set_string_member(obj, "id", "main-loop");
        vgmCmdThreadPool(obj, def->defaultPoolMin, def->defaultPoolMax);
        vgmCmdObject(cmd, obj);
    }
}

static void
vgmCmdSmp(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    const VgmCpuDef *cpu = def->cpu;
    GString *s = g_string_new(NULL);
    unsigned int boot = def->vcpusCurrent ? def->vcpusCurrent : def->vcpus;

    /* with <vcpus>, QEMU starts with those that are not hotpluggable, and
     * the driver plugs the other online ones (vgmCmdVcpuHotplug) */
    if (def->vcpuList) {
        unsigned int i;

        for (boot = 0, i = 0; i < def->vcpus; i++)
            boot += def->vcpuList[i].hotpluggable == VGM_TRISTATE_NO;
    }
    g_string_append_printf(s, "%u", boot);
    if (boot != def->vcpus)
        g_string_append_printf(s, ",maxcpus=%u", def->vcpus);
    if (cpu && cpu->sockets) {
        g_string_append_printf(s, ",sockets=%u,dies=%u", cpu->sockets, cpu->dies);
        if (cpu->clusters > 1)
            g_string_append_printf(s, ",clusters=%u", cpu->clusters);
        g_string_append_printf(s, ",cores=%u,threads=%u", cpu->cores, cpu->threads);
    } else {
        g_string_append_printf(s, ",sockets=%u,cores=1,threads=1", def->vcpus);
    }
    vgmCmdArg(cmd, "-smp");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
}

/* The online hotpluggable vCPUs of <vcpus>, plugged before the guest
 * runs in their order (then by id), as libvirt plugs them: each a
 * device_add of the -cpu model's CPU type, at its socket, die, core and
 * thread (QEMU numbers an x86 vCPU's place from its index, threads
 * fastest), with libvirt's id vcpuN */
static void
vgmCmdVcpuHotplug(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    const VgmCpuDef *cpu = def->cpu;
    gboolean topo = cpu && cpu->sockets;
    unsigned int threads = topo ? cpu->threads : 1;
    unsigned int cores = topo ? cpu->cores : 1;
    unsigned int dies = topo ? cpu->dies : 1;
    g_autofree char *model = NULL;
    g_autofree char *type = NULL;
    g_autoptr(GArray) plug = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    unsigned int i, k;

    if (!def->vcpuList)
        return;
    for (i = 0; i < cmd->args->len; i++) {
        if (g_str_equal(g_ptr_array_index(cmd->args, i), "-cpu") && i + 1 < cmd->args->len) {
            const char *v = g_ptr_array_index(cmd->args, i + 1);

            model = g_strndup(v, strcspn(v, ","));
        }
    }
    if (!model)
        return;
    type = g_strdup_printf("%s-%s-cpu", model,
                           g_str_has_suffix(cmd->binary, "i386") ? "i386" : "x86_64");
    for (i = 0; i < def->vcpus; i++) {
        const VgmDomainVcpu *v = &def->vcpuList[i];

        if (!v->online || v->hotpluggable != VGM_TRISTATE_YES)
            continue;
        /* insertion by (order, id) */
        for (k = plug->len; k > 0; k--) {
            unsigned int prev = g_array_index(plug, unsigned int, k - 1);

            if (def->vcpuList[prev].order <= v->order)
                break;
        }
        g_array_insert_val(plug, k, i);
    }
    for (k = 0; k < plug->len; k++) {
        unsigned int id = g_array_index(plug, unsigned int, k);
        g_autofree char *name = g_strdup_printf("vcpu%u", id);
        JsonObject *args = json_object_new();

        json_object_set_string_member(args, "driver", type);
        json_object_set_string_member(args, "id", name);
        json_object_set_int_member(args, "socket-id", id / (threads * cores * dies));
        if (dies > 1)
            json_object_set_int_member(args, "die-id", (id / (threads * cores)) % dies);
        json_object_set_int_member(args, "core-id", (id / threads) % cores);
        json_object_set_int_member(args, "thread-id", id % threads);
        vgmCmdStartup(cmd, "device_add", args);
    }
}

/* ACPI HMAT: the latencies and bandwidths, then (QEMU takes them only
 * after those) the memory-side caches; libvirt's spellings */
static void
vgmCmdNumaHmat(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    static const char *const hierarchy[] = { "memory", "first-level", "second-level",
                                             "third-level" };
    static const char *const assoc[VGM_NUMA_CACHE_ASSOC_LAST] = {
        [VGM_NUMA_CACHE_ASSOC_NONE] = "none", [VGM_NUMA_CACHE_ASSOC_DIRECT] = "direct",
        [VGM_NUMA_CACHE_ASSOC_FULL] = "complex",
    };
    static const char *const policy[VGM_NUMA_CACHE_POLICY_LAST] = {
        [VGM_NUMA_CACHE_POLICY_NONE] = "none", [VGM_NUMA_CACHE_POLICY_WRITEBACK] = "write-back",
        [VGM_NUMA_CACHE_POLICY_WRITETHROUGH] = "write-through",
    };
    const VgmCpuDef *cpu = def->cpu;
    size_t i, j;

    if (!vgmDomainDefHasHmat(def))
        return;
    for (i = 0; i < cpu->ninterconnects; i++) {
        const VgmNumaInterconnect *l = &cpu->interconnects[i];

        /* validation held cache levels to 1..3 */
        if (l->bandwidth)
            vgmCmdArgPairf(cmd, "-numa",
                           "hmat-lb,initiator=%u,target=%u,hierarchy=%s,data-type=%s-bandwidth,bandwidth=%lluK",
                           l->initiator, l->target, hierarchy[MIN(l->cache, 3)],
                           vgmNumaAccessTypeToString(l->type), l->value);
        else
            vgmCmdArgPairf(cmd, "-numa",
                           "hmat-lb,initiator=%u,target=%u,hierarchy=%s,data-type=%s-latency,latency=%llu",
                           l->initiator, l->target, hierarchy[MIN(l->cache, 3)],
                           vgmNumaAccessTypeToString(l->type), l->value);
    }
    /* QEMU takes a node's caches from level 1 up */
    for (i = 0; i < cpu->ncells; i++) {
        unsigned int level;

        for (level = 1; level <= 3; level++) {
            for (j = 0; j < cpu->cells[i].ncaches; j++) {
                const VgmNumaCache *c = &cpu->cells[i].caches[j];

                if (c->level != level)
                    continue;
                vgmCmdArgPairf(cmd, "-numa",
                               "hmat-cache,node-id=%zu,size=%lluK,level=%u,associativity=%s,policy=%s,line=%llu",
                               i, c->size, c->level, assoc[c->assoc], policy[c->policy], c->line);
            }
        }
    }
}

static void
vgmCmdNuma(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    size_t ncells = vgmDomainDefNumaCells(def);
    /* the cell backends of each cell, in the plan's order (one each) */
    g_autofree GPtrArray **byCell = g_new0(GPtrArray *, MAX(ncells, 1));
    gboolean hmat = vgmDomainDefHasHmat(def);
    size_t i;
    guint j;

    for (j = 0; j < plan->backends->len; j++) {
        VgmQemuBackend *b = g_ptr_array_index(plan->backends, j);
        if (b->role != VGM_QEMU_BACKEND_CELL || b->cell < 0 || (size_t)b->cell >= ncells)
            continue;
        if (!byCell[b->cell])
            byCell[b->cell] = g_ptr_array_new();
        g_ptr_array_add(byCell[b->cell], b);
    }
    for (i = 0; i < ncells; i++) {
        const VgmDomainNumaCell *cell = &def->cpu->cells[i];
        GString *s = g_string_new(NULL);
        int c;

        for (j = 0; byCell[i] && j < byCell[i]->len; j++)
            vgmCmdBackend(cmd, g_ptr_array_index(byCell[i], j));
        g_clear_pointer(&byCell[i], g_ptr_array_unref);
        g_string_append_printf(s, "node,nodeid=%zu", i);
        /* one cpus= for each contiguous range */
        c = vgmBitmapNext(cell->cpus, -1);
        while (c >= 0) {
            int end = c;
            while (vgmBitmapIsSet(cell->cpus, end + 1))
                end++;
            if (end == c)
                g_string_append_printf(s, ",cpus=%d", c);
            else
                g_string_append_printf(s, ",cpus=%d-%d", c, end);
            c = vgmBitmapNext(cell->cpus, end);
        }
        /* with HMAT, QEMU wants every node's initiator */
        if (hmat)
            g_string_append_printf(s, ",initiator=%d", vgmDomainDefNumaInitiator(def, i));
        g_string_append_printf(s, ",memdev=ram-node%zu", i);
        vgmCmdArg(cmd, "-numa");
        g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
    }
    /* the distances after all nodes; QEMU fills in the other direction of
     * a pair and 10 for a node to itself */
    for (i = 0; i < vgmDomainDefNumaCells(def); i++) {
        const VgmDomainNumaCell *cell = &def->cpu->cells[i];
        size_t d;

        for (d = 0; d < cell->ndistances; d++)
            vgmCmdArgPairf(cmd, "-numa", "dist,src=%u,dst=%u,val=%u", cell->id,
                           cell->distances[d].sibling, cell->distances[d].value);
    }
    vgmCmdNumaHmat(cmd, def);
}

void
vgmCmdMemoryDevices(VgmQemuCmd *cmd, const VgmQemuPlan *plan)
{
    /* memdev -> the -device objects on that backend, in the plan's order */
    g_autoptr(GHashTable) byMemdev = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                           (GDestroyNotify)g_ptr_array_unref);
    guint i, j;

    for (i = 0; i < plan->memDevices->len; i++) {
        JsonObject *dev = g_ptr_array_index(plan->memDevices, i);
        const char *memdev = json_object_get_string_member(dev, "memdev");
        GPtrArray *devs = g_hash_table_lookup(byMemdev, memdev);

        if (!devs) {
            devs = g_ptr_array_new();
            g_hash_table_insert(byMemdev, (gpointer)memdev, devs);
        }
        g_ptr_array_add(devs, dev);
    }
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        GPtrArray *devs;

        if (b->role != VGM_QEMU_BACKEND_DEVICE)
            continue;
        vgmCmdBackend(cmd, b);
        if (!(devs = g_hash_table_lookup(byMemdev, b->id)))
            continue;
        for (j = 0; j < devs->len; j++)
            vgmCmdDevice(cmd, g_ptr_array_index(devs, j));
    }
}

/* One -smbios for a block of entries: "type=N" and the entries that are
 * set, in the table's order, commas doubled. */
static void
vgmCmdSmbiosBlock(VgmQemuCmd *cmd, const VgmSysinfoBlock *block)
{
    const char *const *entries;
    GString *s;
    size_t i;

    if (!block)
        return;
    entries = vgmSysinfoBlockEntries(block->type);
    s = g_string_new(NULL);
    g_string_append_printf(s, "type=%u", vgmSysinfoBlockSmbiosType(block->type));
    for (i = 0; entries[i]; i++) {
        g_autofree char *v = NULL;

        if (!block->values[i] && !vgmSysinfoBlockEntryAlways(block->type, i))
            continue;
        v = vgmQemuEscapeOptValue(block->values[i] ? block->values[i] : "");
        g_string_append_printf(s, ",%s=%s", entries[i], v);
    }
    vgmCmdArg(cmd, "-smbios");
    g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
}

/* <smbios mode='sysinfo'/>: the strings of the first <sysinfo
 * type='smbios'> as SMBIOS types 0, 1, 2, 3 and 11, libvirt's order.
 * 'emulate' and no mode leave QEMU's own tables; 'host' was refused. */
static void
vgmCmdSmbios(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    const VgmSysinfoDef *sysinfo = vgmDomainDefGetSmbiosSysinfo(def);
    guint i;

    if (def->os.smbiosMode != VGM_SMBIOS_SYSINFO || !sysinfo)
        return;
    vgmCmdSmbiosBlock(cmd, sysinfo->bios);
    vgmCmdSmbiosBlock(cmd, sysinfo->system);
    for (i = 0; i < sysinfo->baseBoards->len; i++)
        vgmCmdSmbiosBlock(cmd, g_ptr_array_index(sysinfo->baseBoards, i));
    vgmCmdSmbiosBlock(cmd, sysinfo->chassis);
    if (sysinfo->oemStrings) {
        GString *s = g_string_new("type=11");

        for (i = 0; sysinfo->oemStrings[i]; i++) {
            g_autofree char *v = vgmQemuEscapeOptValue(sysinfo->oemStrings[i]);
            g_string_append_printf(s, ",value=%s", v);
        }
        vgmCmdArg(cmd, "-smbios");
        g_ptr_array_add(cmd->args, g_string_free(s, FALSE));
    }
}

long long
vgmQemuClockAdjustment(const VgmClockDef *clock)
{
    g_autoptr(GDateTime) local = NULL;

    if (g_strcmp0(clock->basis, "localtime") != 0)
        return clock->adjustment;
    /* as libvirt: an adjustment from the host's local time is one from
     * UTC plus the host's UTC offset now */
    local = g_date_time_new_now_local();
    return clock->adjustment + g_date_time_get_utc_offset(local) / G_USEC_PER_SEC;
}

/* <sysinfo type='fwcfg'>: a -fw_cfg for each entry, its text or its
 * file, after the SMBIOS tables as libvirt writes them */
static void
vgmCmdFwCfg(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    guint i, j;

    for (i = 0; def->sysinfos && i < def->sysinfos->len; i++) {
        const VgmSysinfoDef *sysinfo = g_ptr_array_index(def->sysinfos, i);

        for (j = 0; sysinfo->fwCfgs && j < sysinfo->fwCfgs->len; j++) {
            const VgmFwCfgEntry *e = g_ptr_array_index(sysinfo->fwCfgs, j);
            g_autofree char *name = vgmQemuEscapeOptValue(e->name);
            g_autofree char *value = vgmQemuEscapeOptValue(e->file ? e->file : e->value);

            vgmCmdArgPairf(cmd, "-fw_cfg", "name=%s,%s=%s", name, e->file ? "file" : "string",
                           value);
        }
    }
}

static void
vgmCmdMonitorAndClock(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                      const VgmQemuPlan *plan)
{
    g_autofree char *dir = vgmQemuConfigDomainRunDir(cfg, def->name);
    g_autofree char *sock = g_build_filename(dir, "monitor.sock", NULL);
    g_autofree char *esc = vgmQemuEscapeOptValue(sock);
    const char *base = "utc";
    g_autoptr(GString) rtc = g_string_new(NULL);
    size_t i;

    vgmCmdArgPairf(cmd, "-chardev", "socket,id=charmonitor,path=%s,server=on,wait=off", esc);
    vgmCmdArgPair(cmd, "-mon", "chardev=charmonitor,id=monitor,mode=control");

    if (def->clock.offset == VGM_CLOCK_OFFSET_LOCALTIME)
        base = "localtime";
    /* the rtc's clock, then its tick policy, after the base, as libvirt
     * writes them (validation refused a track of boot) */
    for (i = 0; i < def->clock.ntimers; i++) {
        static const char *const tracks[][2] = {
            { "guest", "vm" }, { "wall", "host" }, { "realtime", "rt" },
        };
        const VgmClockTimer *t = &def->clock.timers[i];
        size_t k;

        if (!g_str_equal(t->name, "rtc"))
            continue;
        for (k = 0; t->track && k < G_N_ELEMENTS(tracks); k++) {
            if (g_str_equal(t->track, tracks[k][0]))
                g_string_append_printf(rtc, ",clock=%s", tracks[k][1]);
        }
        if (t->tickpolicy && g_str_equal(t->tickpolicy, "catchup"))
            g_string_append(rtc, ",driftfix=slew");
    }
    if (def->clock.offset == VGM_CLOCK_OFFSET_VARIABLE) {
        GDateTime *now = cfg->now ? g_date_time_new_from_unix_utc(cfg->now) :
                                    g_date_time_new_now_utc();
        GDateTime *then = g_date_time_add_seconds(now, vgmQemuClockAdjustment(&def->clock));
        g_autofree char *stamp = g_date_time_format(then, "%Y-%m-%dT%H:%M:%S");
        /* like libvirt, the guest clock starts at "now" plus the offset */
        vgmCmdArgPairf(cmd, "-rtc", "base=%s%s", stamp, rtc->str);
        g_date_time_unref(then);
        g_date_time_unref(now);
    } else if (def->clock.offset == VGM_CLOCK_OFFSET_ABSOLUTE) {
        g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc((gint64)def->clock.start);
        g_autofree char *stamp = g_date_time_format(start, "%Y-%m-%dT%H:%M:%S");

        vgmCmdArgPairf(cmd, "-rtc", "base=%s%s", stamp, rtc->str);
    } else if (def->clock.offset == VGM_CLOCK_OFFSET_TIMEZONE) {
        vgmCmdArgPairf(cmd, "-rtc", "base=localtime%s", rtc->str);
    } else {
        vgmCmdArgPairf(cmd, "-rtc", "base=%s%s", base, rtc->str);
    }
    for (i = 0; i < def->clock.ntimers; i++) {
        const VgmClockTimer *t = &def->clock.timers[i];
        if (g_str_equal(t->name, "pit") && plan->pitTickPolicy)
            vgmCmdGlobal(cmd, "kvm-pit", "lost_tick_policy", plan->pitTickPolicy);
        if (g_str_equal(t->name, "hpet") && t->present == VGM_TRISTATE_NO &&
            !plan->hpetMachineProp)
            vgmCmdArg(cmd, "-no-hpet");
    }
}

/* After the boot options, as libvirt orders them: the SLIC table, the root
 * bus's 64-bit PCI hole (on the machine's host bridge) and the ACPI
 * hotplug of the PC's root bus */
static void
vgmCmdPlatform(VgmQemuCmd *cmd, const VgmDomainDef *def)
{
    guint i;

    if (def->os.slicTable) {
        g_autofree char *file = vgmQemuEscapeOptValue(def->os.slicTable);

        vgmCmdArgPairf(cmd, "-acpitable", "sig=SLIC,file=%s", file);
    }
    /* both belong to the one root controller */
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        gboolean pcie = g_strcmp0(c->model, "pcie-root") == 0;

        if (c->havePcihole64) {
            g_autofree char *size = g_strdup_printf("%lluK", c->pcihole64KiB);

            vgmCmdGlobal(cmd, pcie ? "q35-pcihost" : "i440FX-pcihost", "pci-hole64-size", size);
        }
        if (g_strcmp0(c->model, "pci-root") == 0 && c->hotplug)
            vgmCmdGlobal(cmd, "PIIX4_PM", "acpi-root-pci-hotplug",
                         c->hotplug == VGM_TRISTATE_YES ? "on" : "off");
    }
}

/* <pm>: -global DEVICE.disable_s3=0|1 and disable_s4 on the machine's
 * power management device, as libvirt writes them (1 for enabled='no'). */
static void
vgmCmdPm(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    static const struct {
        size_t offset;
        const char *prop;
    } states[] = {
        { G_STRUCT_OFFSET(VgmDomainDef, pmSuspendToMem), "disable_s3" },
        { G_STRUCT_OFFSET(VgmDomainDef, pmSuspendToDisk), "disable_s4" },
    };
    VgmQemuCapsFlag flag;
    const char *device = vgmQemuPmDevice(plan->machine->name, &flag);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(states); i++) {
        VgmTristate state = G_STRUCT_MEMBER(VgmTristate, def, states[i].offset);
        int disable = state == VGM_TRISTATE_NO;
        JsonObject *global;

        /* validation refused a machine without the device */
        if (!state || !device)
            continue;
        vgmCmdArgPairf(cmd, "-global", "%s.%s=%d", device, states[i].prop, disable);
        global = json_object_new();
        json_object_set_string_member(global, "driver", device);
        json_object_set_int_member(global, states[i].prop, disable);
        g_ptr_array_add(cmd->globals, global);
    }
}

static void
vgmCmdBoot(VgmQemuCmd *cmd, const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    const VgmOsDef *os = &def->os;

    if (def->onReboot == VGM_DOMAIN_LIFECYCLE_DESTROY)
        vgmCmdArg(cmd, "-no-reboot");
    vgmCmdArg(cmd, "-no-shutdown");
    /* <on_crash>preserve with a panic device: QEMU pauses the crashed
     * guest itself (libvirt's manager does it on QEMU's GUEST_PANICKED;
     * the driver runs QEMU without -no-shutdown, so QEMU's own panic
     * action, a shutdown, would end it) */
    if (def->onCrash == VGM_DOMAIN_LIFECYCLE_PRESERVE && def->devices.panics->len > 0)
        vgmCmdArgPair(cmd, "-action", "panic=pause");
    vgmCmdPm(cmd, def, plan);
    /* <bootmenu> and <bios rebootTimeout>: libvirt's -boot keys, strict=on last */
    {
        GString *boot = g_string_new(NULL);

        if (os->bootmenu)
            g_string_append_printf(boot, "menu=%s,", os->bootmenu == VGM_TRISTATE_YES ? "on" : "off");
        if (os->haveRebootTimeout)
            g_string_append_printf(boot, "reboot-timeout=%d,", os->rebootTimeout);
        if (os->haveBootmenuTimeout)
            g_string_append_printf(boot, "splash-time=%u,", os->bootmenuTimeout);
        g_string_append(boot, "strict=on");
        vgmCmdArg(cmd, "-boot");
        g_ptr_array_add(cmd->args, g_string_free(boot, FALSE));
    }
    if (os->kernel)
        vgmCmdArgPair(cmd, "-kernel", os->kernel);
    if (os->initrd)
        vgmCmdArgPair(cmd, "-initrd", os->initrd);
    if (os->cmdline)
        vgmCmdArgPair(cmd, "-append", os->cmdline);
    /* (QEMU's x86 Linux loader hands it to the kernel as setup data) */
    if (os->dtb)
        vgmCmdArgPair(cmd, "-dtb", os->dtb);
}

VgmQemuCmd *
vgmQemuBuildCommandLine(const VgmDomainDef *def, const VgmQemuCaps *caps,
                        const VgmQemuConfig *cfg, VgmQemuPlan **planOut,
                        GError **error)
{
    g_autoptr(VgmQemuCmd) cmd = g_new0(VgmQemuCmd, 1);
    g_autoptr(VgmQemuPlan) plan = NULL;
    char uuid[37];

    if (!(plan = vgmQemuPlanBuild(def, caps, cfg, error)))
        return NULL;

    cmd->env = g_ptr_array_new_with_free_func(g_free);
    cmd->args = g_ptr_array_new_with_free_func(g_free);
    cmd->objects = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuCmdObjectFree);
    cmd->devices = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    cmd->globals = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    cmd->startup = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    cmd->warnings = g_ptr_array_new_with_free_func(g_free);
    cmd->secrets = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuCmdSecretFree);
    cmd->binary = g_strdup(def->devices.emulator ? def->devices.emulator :
                           "/usr/bin/qemu-system-x86_64");
    if (!def->devices.emulator) {
        g_free(cmd->binary);
        cmd->binary = g_strdup_printf("/usr/bin/qemu-system-%s",
                                      vgmQemuArchBinaryName(def->os.arch));
    }

    vgmCmdEnv(cmd, def, cfg);
    {
        g_autofree char *name = vgmQemuEscapeOptValue(def->name);
        vgmCmdArgPairf(cmd, "-name", "guest=%s,debug-threads=on", name);
    }
    vgmCmdArg(cmd, "-S");
    vgmCmdFirmware(cmd, def, cfg, plan);
    vgmCmdMachine(cmd, def, plan);
    vgmCmdCpu(cmd, def, plan);
    /* only SMM code writes the varstore of a secure-boot firmware */
    if (plan->firmware->secure)
        vgmCmdArgPair(cmd, "-global", "driver=cfi.pflash01,property=secure,value=on");
    vgmCmdMemory(cmd, def, plan);
    vgmCmdSmp(cmd, def);
    vgmCmdVcpuHotplug(cmd, def);
    vgmCmdIOThreads(cmd, def);
    vgmCmdNuma(cmd, def, plan);
    vgmDomainUUIDFormat(def->uuid, uuid);
    vgmCmdArgPair(cmd, "-uuid", uuid);
    vgmCmdSmbios(cmd, def);
    vgmCmdFwCfg(cmd, def);
    /* <genid>: the VM generation ID device, after SMBIOS as libvirt has it */
    if (def->haveGenid) {
        JsonObject *dev = json_object_new();

        vgmDomainUUIDFormat(def->genid, uuid);
        json_object_set_string_member(dev, "driver", "vmgenid");
        json_object_set_string_member(dev, "guid", uuid);
        json_object_set_string_member(dev, "id", "vmgenid0");
        vgmCmdDevice(cmd, dev);
        json_object_unref(dev);
    }
    if (def->devices.graphics->len == 0)
        vgmCmdArgPair(cmd, "-display", "none");
    vgmCmdArg(cmd, "-no-user-config");
    vgmCmdArg(cmd, "-nodefaults");
    vgmCmdMonitorAndClock(cmd, def, cfg, plan);
    vgmCmdBoot(cmd, def, plan);
    vgmCmdPlatform(cmd, def);
    vgmCmdIommuDevice(cmd, def, plan);
    vgmCmdDevices(cmd, def, cfg, plan);
    if (plan->lsec)
        vgmCmdObject(cmd, plan->lsec);
    {
        /* QEMU starts its bridge helper for <interface type='bridge'>
         * without a tap name (libvirt hands over a tap fd instead; a
         * named tap is the driver's to put into the bridge): the helper
         * is a setuid program QEMU spawns, so spawning and privileges
         * stay allowed then */
        gboolean bridge = FALSE;
        guint i;
        for (i = 0; i < def->devices.nets->len; i++) {
            const VgmNetDef *n = g_ptr_array_index(def->devices.nets, i);
            bridge |= n->type == VGM_NET_TYPE_BRIDGE && !n->ifname;
        }
        vgmCmdArgPair(cmd, "-sandbox", bridge ?
                      "on,obsolete=deny,resourcecontrol=deny" :
                      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    }
    vgmCmdDevicesAfterSandbox(cmd, def, cfg, plan);
    vgmCmdArgPair(cmd, "-msg", "timestamp=on");
    /* <qemu:commandline>: the user's arguments, last, as libvirt adds
     * them; QEMU alone checks them */
    for (guint i = 0; def->qemuArgs && i < def->qemuArgs->len; i++)
        vgmCmdArg(cmd, g_ptr_array_index(def->qemuArgs, i));
    cmd->customArgv = vgmDomainDefHasQemuCommandline(def);

    /* the last word: QEMU must know every object, device and property */
    if (!vgmQemuCmdCheckSchema(cmd, caps, error))
        return NULL;
    if (planOut)
        *planOut = g_steal_pointer(&plan);
    return g_steal_pointer(&cmd);
}

gboolean
vgmQemuCmdCheckSchema(const VgmQemuCmd *cmd, const VgmQemuCaps *caps, GError **error)
{
    guint i;

    for (i = 0; i < cmd->objects->len; i++) {
        const VgmQemuCmdObject *o = g_ptr_array_index(cmd->objects, i);
        if (!vgmQemuCapsCheckObject(caps, o->qomType, o->props, error))
            return FALSE;
    }
    for (i = 0; i < cmd->devices->len; i++) {
        JsonObject *dev = g_ptr_array_index(cmd->devices, i);
        if (!vgmQemuCapsCheckDevice(caps, json_object_get_string_member(dev, "driver"),
                                    dev, error))
            return FALSE;
    }
    for (i = 0; cmd->globals && i < cmd->globals->len; i++) {
        JsonObject *global = g_ptr_array_index(cmd->globals, i);
        if (!vgmQemuCapsCheckDevice(caps, json_object_get_string_member(global, "driver"),
                                    global, error))
            return FALSE;
    }
    return TRUE;
}

/* Quotes @arg for a POSIX shell when it needs it, as libvirt's logs do. */
static char *
vgmShellQuote(const char *arg)
{
    const char *p;
    gboolean plain = *arg != '\0';

    for (p = arg; *p && plain; p++) {
        if (!(g_ascii_isalnum(*p) || strchr("-_=,./:@+%", *p)))
            plain = FALSE;
    }
    if (plain)
        return g_strdup(arg);
    return g_shell_quote(arg);
}

char *
vgmQemuCmdFormatArgsFile(const VgmQemuCmd *cmd)
{
    GString *s = g_string_new(NULL);
    guint i;

    for (i = 0; i < cmd->env->len; i++) {
        g_autofree char *q = vgmShellQuote(g_ptr_array_index(cmd->env, i));
        g_string_append_printf(s, "%s \\\n", q);
    }
    g_string_append(s, cmd->binary);
    for (i = 0; i < cmd->args->len; i++) {
        const char *a = g_ptr_array_index(cmd->args, i);
        g_autofree char *q = vgmShellQuote(a);

        /* an option starts a new line; its value stays beside it */
        if (a[0] == '-')
            g_string_append_printf(s, " \\\n%s", q);
        else
            g_string_append_printf(s, " %s", q);
    }
    g_string_append_c(s, '\n');
    /* then what the driver sends before the guest runs, one QMP command
     * a line, as shell comments */
    for (i = 0; cmd->startup && i < cmd->startup->len; i++) {
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        g_autofree char *json = NULL;

        json_node_set_object(node, g_ptr_array_index(cmd->startup, i));
        json = json_to_string(node, FALSE);
        g_string_append_printf(s, "# QMP before the guest runs: %s\n", json);
    }
    /* and what the domain's log warns of */
    for (i = 0; cmd->warnings && i < cmd->warnings->len; i++)
        g_string_append_printf(s, "# warning: %s\n", (const char *)g_ptr_array_index(cmd->warnings, i));
    return g_string_free(s, FALSE);
}

char *
vgmQemuCmdFormatShell(const VgmQemuCmd *cmd)
{
    GString *s = g_string_new(NULL);
    guint i;

    for (i = 0; i < cmd->env->len; i++) {
        g_autofree char *q = vgmShellQuote(g_ptr_array_index(cmd->env, i));
        g_string_append_printf(s, "%s ", q);
    }
    {
        g_autofree char *q = vgmShellQuote(cmd->binary);
        g_string_append(s, q);
    }
    for (i = 0; i < cmd->args->len; i++) {
        g_autofree char *q = vgmShellQuote(g_ptr_array_index(cmd->args, i));
        g_string_append_printf(s, " %s", q);
    }
    g_string_append_c(s, '\n');
    return g_string_free(s, FALSE);
}

char **
vgmQemuCmdGetArgv(const VgmQemuCmd *cmd)
{
    GPtrArray *a = g_ptr_array_new();
    guint i;

    g_ptr_array_add(a, g_strdup(cmd->binary));
    for (i = 0; i < cmd->args->len; i++)
        g_ptr_array_add(a, g_strdup(g_ptr_array_index(cmd->args, i)));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

char **
vgmQemuCmdGetEnvp(const VgmQemuCmd *cmd)
{
    GPtrArray *a = g_ptr_array_new();
    guint i;

    for (i = 0; i < cmd->env->len; i++)
        g_ptr_array_add(a, g_strdup(g_ptr_array_index(cmd->env, i)));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}
