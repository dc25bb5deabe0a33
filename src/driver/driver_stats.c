/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_stats.c: libvirt's bulk domain statistics (virConnectGetAllDomainStats)
 * from the driver's view of each domain, /proc and QMP.
 *
 * Groups served: state (state.state, state.reason), cpu-total (cpu.time,
 * cpu.user, cpu.system: the QEMU process's; cpu.cache.monitor.count, 0;
 * the vCPUs' halt polling from KVM's statistics), balloon (balloon.current,
 * balloon.maximum: the definition's; of a running domain also what
 * virDomainMemoryStats tells, by libvirt's names), vcpu (vcpu.current,
 * vcpu.maximum, and per vCPU vcpu.N.state and vcpu.N.time from the vCPU
 * thread that query-cpus-fast names: its time, and its wait and run-queue
 * delay from /proc, as libvirt reads them), interface (net.count, and per
 * interface with a host device its name and counters), vm (KVM's own
 * statistics of the VM, query-stats, as vcpu.N gets those of each vCPU:
 * NAME.sum, .cur or .max as libvirt names them) and block
 * (block.count, per disk its name, local path, QEMU's counters and, of a
 * medium, allocation and capacity) of a running domain, and of a shut-off
 * one what its images say (name, path, allocation, capacity, physical
 * size, as libvirt reads them). Other groups are left out,
 * as libvirt leaves out what a driver cannot tell, unless the caller
 * enforces them: then the call fails naming them.
 *
 * Also the single calls: virDomainBlockStats(Flags) from QMP's
 * query-blockstats, virDomainInterfaceStats from /proc/net/dev,
 * virDomainMemoryStats from the balloon (query-balloon, its guest-stats)
 * and QEMU's resident set.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver_conn.h"
#include "driver_disk.h"
#include "driver_network.h"
#include "driver_process.h"
#include "host/vgmnode.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_command.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

/* virDomainStatsTypes */
enum {
    VGM_STATS_STATE = 1 << 0,
    VGM_STATS_CPU_TOTAL = 1 << 1,
    VGM_STATS_BALLOON = 1 << 2,
    VGM_STATS_VCPU = 1 << 3,
    VGM_STATS_INTERFACE = 1 << 4,
    VGM_STATS_BLOCK = 1 << 5,
    VGM_STATS_PERF = 1 << 6,
    VGM_STATS_IOTHREAD = 1 << 7,
    VGM_STATS_MEMORY = 1 << 8,
    VGM_STATS_DIRTYRATE = 1 << 9,
    VGM_STATS_VM = 1 << 10,
};
/* perf reports the <perf> events a domain enables and memory the
 * bandwidth of <memorytune> monitors: virt-gmem refuses both elements, so
 * those groups are served and, as libvirt's for a domain without them,
 * empty */
#define VGM_STATS_SERVED (VGM_STATS_STATE | VGM_STATS_CPU_TOTAL | VGM_STATS_BALLOON | \
                          VGM_STATS_VCPU | VGM_STATS_INTERFACE | VGM_STATS_BLOCK | \
                          VGM_STATS_PERF | VGM_STATS_IOTHREAD | VGM_STATS_MEMORY | \
                          VGM_STATS_DIRTYRATE | VGM_STATS_VM)
/* the groups only a running domain's QEMU can answer: as libvirt's, a
 * shut-off domain does not serve them */
#define VGM_STATS_RUNNING_ONLY (VGM_STATS_IOTHREAD | VGM_STATS_DIRTYRATE | VGM_STATS_VM)
/* VIR_CONNECT_GET_ALL_DOMAINS_STATS_* beyond the list filters */
#define VGM_STATS_NOWAIT (1u << 29)
#define VGM_STATS_BACKING (1u << 30)
#define VGM_STATS_ENFORCE (1u << 31)
#define VGM_STATS_FILTERS 0xffu

void
vgmTypedParamFree(VgmTypedParam *p)
{
    if (!p)
        return;
    g_free(p->field);
    if (p->type == VGM_TYPED_PARAM_STRING)
        g_free(p->v.s);
    g_free(p);
}

gboolean
vgmTypedParamsCheck(const GPtrArray *params, const VgmTypedParamSpec *spec, size_t nspec,
                    const char *what, const VgmTypedParam **found, GError **error)
{
    guint i;
    size_t k;

    memset(found, 0, nspec * sizeof(*found));
    for (i = 0; params && i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);

        for (k = 0; k < nspec; k++) {
            if (g_str_equal(p->field, spec[k].field))
                break;
        }
        if (k == nspec) {
            vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                        _("unknown %1$s parameter '%2$s'"), what, p->field);
            return FALSE;
        }
        if (p->type != spec[k].type) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$s parameter '%2$s' has the wrong type"), what, p->field);
            return FALSE;
        }
        if (found[k]) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$s parameter '%2$s' is given twice"), what, p->field);
            return FALSE;
        }
        found[k] = p;
    }
    return TRUE;
}

VgmTypedParam *
vgmTypedParamAdd(GPtrArray *params, const char *field, int type)
{
    VgmTypedParam *p = g_new0(VgmTypedParam, 1);

    p->field = g_strdup(field);
    p->type = type;
    g_ptr_array_add(params, p);
    return p;
}

void
vgmDriverDomainStatsFree(VgmDriverDomainStats *st)
{
    if (!st)
        return;
    vgmDriverDomainFree(st->dom);
    g_ptr_array_unref(st->params);
    g_free(st);
}

static void
vgmStatsAdd(GPtrArray *params, int type, char *field, guint64 value)
{
    VgmTypedParam *p = g_new0(VgmTypedParam, 1);

    p->field = field;
    p->type = type;
    if (type == VGM_TYPED_PARAM_INT)
        p->v.i = (gint32)value;
    else if (type == VGM_TYPED_PARAM_UINT)
        p->v.ui = (guint32)value;
    else
        p->v.ul = value;
    g_ptr_array_add(params, p);
}

/* Counters @values of @group.@index: GROUP.INDEX.NAME for each of @names
 * (unsigned long long, as libvirt gives them) */
static void
vgmStatsAddCounters(GPtrArray *params, const char *group, guint index,
                    const char *const *names, const gint64 *values, guint n)
{
    guint k;

    for (k = 0; k < n; k++)
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                    g_strdup_printf("%s.%u.%s", group, index, names[k]), (guint64)values[k]);
}

static void
vgmStatsAddString(GPtrArray *params, char *field, const char *value)
{
    VgmTypedParam *p = g_new0(VgmTypedParam, 1);

    p->field = field;
    p->type = VGM_TYPED_PARAM_STRING;
    p->v.s = g_strdup(value);
    g_ptr_array_add(params, p);
}

/* The list running domain @dom's QEMU answers QMP @command with, or NULL
 * when it does not answer one (*@ret holds it) */
static JsonArray *
vgmStatsQueryList(const VgmDriverDomain *dom, const char *command, JsonNode **ret)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)) ||
        !vgmQemuMonitorCommand(mon, command, NULL, ret, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(*ret))
        return NULL;
    return json_node_get_array(*ret);
}

/* vcpu.N.state and vcpu.N.time of a running domain, from its vCPU
 * threads (query-cpus-fast); nothing when QEMU does not answer. */
/* vcpu.N.wait and vcpu.N.delay of vCPU thread @tid, as libvirt reads
 * them: the scheduler's wait_sum (ms in /proc's sched, kept only with
 * kernel.sched_schedstats on, else 0) and the time the thread waited in
 * a run queue (ns, schedstat's second field) */
static void
vgmStatsVcpuSched(pid_t pid, pid_t tid, gint64 idx, GPtrArray *params)
{
    g_autofree char *schedPath = g_strdup_printf("/proc/%d/task/%d/sched", (int)pid, (int)tid);
    g_autofree char *statPath = g_strdup_printf("/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
    g_autofree char *sched = NULL;
    g_autofree char *stat = NULL;
    guint64 wait = 0, delay = 0;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) f = NULL;

    if (!g_file_get_contents(statPath, &stat, NULL, NULL) ||
        g_strv_length(f = g_strsplit(g_strstrip(stat), " ", -1)) < 2)
        return;
    delay = g_ascii_strtoull(f[1], NULL, 10);
    if (g_file_get_contents(schedPath, &sched, NULL, NULL)) {
        lines = g_strsplit(sched, "\n", -1);
        for (guint i = 0; lines[i]; i++) {
            const char *colon = strchr(lines[i], ':');
            g_autofree char *key = colon ? g_strstrip(g_strndup(lines[i], colon - lines[i])) : NULL;

            if (key && (g_str_equal(key, "se.statistics.wait_sum") ||
                        g_str_equal(key, "se.wait_sum") || g_str_equal(key, "wait_sum"))) {
                wait = (guint64)(g_ascii_strtod(colon + 1, NULL) * 1000000.0);
                break;
            }
        }
    }
    vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("vcpu.%lld.wait", (long long)idx),
                wait);
    vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("vcpu.%lld.delay", (long long)idx),
                delay);
}

/* ---- KVM's own statistics ---- */

/* The array member @name of @obj, or NULL when it has none */
static JsonArray *
vgmStatsArrayMember(JsonObject *obj, const char *name)
{
    JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

    return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

/* KVM's statistics of @target ("vm" or "vcpu") in QEMU behind @mon
 * (query-stats, QEMU 7.1 and later): the results' list, each with its
 * "stats" (and a vCPU's "qom-path"), and in *@types the type
 * (cumulative, instant, peak, histograms) of each statistic by name; NULL
 * where QEMU has none (TCG, an older QEMU). */
static JsonArray *
vgmStatsKvmQuery(VgmQemuMonitor *mon, const char *target, JsonNode **ret, GHashTable **types)
{
    g_autoptr(JsonObject) sargs = json_object_new();
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) schemas = NULL;
    JsonArray *list;
    guint i, j;

    json_object_set_string_member(sargs, "provider", "kvm");
    if (!vgmQemuMonitorCommand(mon, "query-stats-schemas", sargs, &schemas, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(schemas))
        return NULL;
    *types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    list = json_node_get_array(schemas);
    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *schema = json_array_get_object_element(list, i);
        JsonArray *stats = vgmStatsArrayMember(schema, "stats");

        if (!stats ||
            g_strcmp0(json_object_get_string_member_with_default(schema, "target", ""), target) != 0)
            continue;
        for (j = 0; j < json_array_get_length(stats); j++) {
            JsonObject *st = json_array_get_object_element(stats, j);
            const char *name = st ? json_object_get_string_member_with_default(st, "name", NULL) : NULL;
            const char *type = st ? json_object_get_string_member_with_default(st, "type", NULL) : NULL;

            if (name && type)
                g_hash_table_insert(*types, g_strdup(name), g_strdup(type));
        }
    }
    json_object_set_string_member(args, "target", target);
    if (!vgmQemuMonitorCommand(mon, "query-stats", args, ret, NULL) || !JSON_NODE_HOLDS_ARRAY(*ret))
        return NULL;
    return json_node_get_array(*ret);
}

/* PREFIX.NAME.SUFFIX for each statistic of @result (an entry of
 * query-stats), as libvirt names them: .sum of a cumulative one, .cur of
 * an instant one, .max of a peak; numbers as unsigned long long,
 * booleans as booleans, histograms left out. *@haltpoll (nullable) adds
 * the vCPU's halt-polling time, successful and failed, in ns. */
static void
vgmStatsKvmAdd(GPtrArray *params, const char *prefix, JsonObject *result, GHashTable *types,
               guint64 *haltpoll)
{
    static const struct {
        const char *type;
        const char *suffix;
    } suffixes[] = { { "cumulative", "sum" }, { "instant", "cur" }, { "peak", "max" } };
    JsonArray *stats = vgmStatsArrayMember(result, "stats");
    guint i;

    for (i = 0; stats && i < json_array_get_length(stats); i++) {
        JsonObject *st = json_array_get_object_element(stats, i);
        const char *name = st ? json_object_get_string_member_with_default(st, "name", NULL) : NULL;
        const char *type = name ? g_hash_table_lookup(types, name) : NULL;
        const char *suffix = NULL;
        JsonNode *value;
        size_t k;

        for (k = 0; type && k < G_N_ELEMENTS(suffixes); k++) {
            if (g_str_equal(type, suffixes[k].type))
                suffix = suffixes[k].suffix;
        }
        if (!suffix || !(value = json_object_get_member(st, "value")) ||
            !JSON_NODE_HOLDS_VALUE(value))
            continue;
        if (json_node_get_value_type(value) == G_TYPE_BOOLEAN) {
            VgmTypedParam *p = g_new0(VgmTypedParam, 1);

            p->field = g_strdup_printf("%s.%s.%s", prefix, name, suffix);
            p->type = VGM_TYPED_PARAM_BOOLEAN;
            p->v.b = json_node_get_boolean(value);
            g_ptr_array_add(params, p);
            continue;
        }
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                    g_strdup_printf("%s.%s.%s", prefix, name, suffix),
                    (guint64)json_node_get_int(value));
        if (haltpoll && g_str_equal(name, "halt_poll_success_ns"))
            haltpoll[0] += (guint64)json_node_get_int(value);
        else if (haltpoll && g_str_equal(name, "halt_poll_fail_ns"))
            haltpoll[1] += (guint64)json_node_get_int(value);
    }
}

/* The vm group: vm.NAME.SUFFIX of KVM's statistics of the VM, as libvirt
 * gives them; nothing where QEMU has none */
static void
vgmStatsVm(const VgmDriverDomain *dom, GPtrArray *params)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GHashTable) types = NULL;
    JsonArray *arr;
    guint i;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)) ||
        !(arr = vgmStatsKvmQuery(mon, "vm", &ret, &types)))
        return;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *r = json_array_get_object_element(arr, i);

        if (r)
            vgmStatsKvmAdd(params, "vm", r, types, NULL);
    }
}

/* vcpu.N.state, vcpu.N.time, vcpu.N.wait and vcpu.N.delay of each vCPU of
 * running domain @dom from its thread (query-cpus-fast), then KVM's own
 * statistics of it (vcpu.N.NAME.SUFFIX). Nothing when QEMU does not
 * answer. */
static void
vgmStatsVcpus(const VgmDriverDomain *dom, GPtrArray *params)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonNode) kvmRet = NULL;
    g_autoptr(GHashTable) types = NULL;
    g_autoptr(GHashTable) byPath = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    JsonArray *arr;
    JsonArray *kvm;
    guint i;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)) ||
        !vgmQemuMonitorCommand(mon, "query-cpus-fast", NULL, &ret, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(ret))
        return;
    arr = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *cpu = json_array_get_object_element(arr, i);
        gint64 idx, tid;
        guint64 user = 0, sys = 0;
        const char *path;

        if (!cpu)
            continue;
        idx = json_object_get_int_member_with_default(cpu, "cpu-index", i);
        tid = json_object_get_int_member_with_default(cpu, "thread-id", 0);
        if ((path = json_object_get_string_member_with_default(cpu, "qom-path", NULL)))
            g_hash_table_insert(byPath, g_strdup(path), GINT_TO_POINTER((gint)idx + 1));
        /* virVcpuState: 1 running (paused vCPUs of a paused domain too,
         * as libvirt reports them) */
        vgmStatsAdd(params, VGM_TYPED_PARAM_INT,
                    g_strdup_printf("vcpu.%lld.state", (long long)idx), 1);
        if (tid > 0 && vgmDriverProcessTimes(dom->status->qemu.pid, (pid_t)tid, &user, &sys))
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("vcpu.%lld.time", (long long)idx), user + sys);
        if (tid > 0)
            vgmStatsVcpuSched(dom->status->qemu.pid, (pid_t)tid, idx, params);
    }
    if (!(kvm = vgmStatsKvmQuery(mon, "vcpu", &kvmRet, &types)))
        return;
    for (i = 0; i < json_array_get_length(kvm); i++) {
        JsonObject *r = json_array_get_object_element(kvm, i);
        const char *path = r ? json_object_get_string_member_with_default(r, "qom-path", NULL) : NULL;
        gpointer idx = path ? g_hash_table_lookup(byPath, path) : NULL;
        g_autofree char *prefix = NULL;

        if (!idx)
            continue;
        prefix = g_strdup_printf("vcpu.%d", GPOINTER_TO_INT(idx) - 1);
        vgmStatsKvmAdd(params, prefix, r, types, NULL);
    }
}

/* The halt-polling time of running domain @dom's vCPUs, successful and
 * failed (ns), summed from KVM's statistics of them (0 under TCG), as
 * libvirt's cpu.haltpoll.* give it; FALSE where QEMU has no query-stats */
static gboolean
vgmStatsHaltPoll(const VgmDriverDomain *dom, guint64 haltpoll[2])
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GHashTable) types = NULL;
    g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    JsonArray *arr;
    guint i;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)) ||
        !(arr = vgmStatsKvmQuery(mon, "vcpu", &ret, &types)))
        return FALSE;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *r = json_array_get_object_element(arr, i);

        if (r)
            vgmStatsKvmAdd(ignored, "vcpu", r, types, haltpoll);
    }
    return TRUE;
}

/* ---- disks ---- */

/* The QEMU device id a query-blockstats entry counts for: its "qdev"
 * (a QOM path below /machine/peripheral/, or the id itself), else its
 * "device" */
static char *
vgmStatsEntryDevice(JsonObject *entry)
{
    const char *qdev = json_object_get_string_member_with_default(entry, "qdev", NULL);
    const char *prefix = "/machine/peripheral/";

    if (qdev && *qdev) {
        if (g_str_has_prefix(qdev, prefix)) {
            const char *id = qdev + strlen(prefix);
            const char *slash = strchr(id, '/');

            return slash ? g_strndup(id, slash - id) : g_strdup(id);
        }
        return g_strdup(qdev);
    }
    return g_strdup(json_object_get_string_member_with_default(entry, "device", ""));
}

/* the iothread group: QEMU's I/O threads and their polling (those QEMU
 * gives it for), as libvirt reports them; nothing without I/O threads */
static void
vgmStatsIOThreads(const VgmDriverDomain *dom, GPtrArray *params)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    if (!(arr = vgmStatsQueryList(dom, "query-iothreads", &ret)) ||
        json_array_get_length(arr) == 0)
        return;
    vgmStatsAdd(params, VGM_TYPED_PARAM_UINT, g_strdup("iothread.count"),
                json_array_get_length(arr));
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *t = json_array_get_object_element(arr, i);
        const char *id = t ? json_object_get_string_member_with_default(t, "id", NULL) : NULL;
        unsigned int n;

        /* the driver names them iothreadN, N the <iothread id> */
        if (!id || !g_str_has_prefix(id, "iothread") ||
            !vgmStrToUInt(id + strlen("iothread"), &n) ||
            !json_object_has_member(t, "poll-max-ns"))
            continue;
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                    g_strdup_printf("iothread.%u.poll-max-ns", n),
                    json_object_get_int_member(t, "poll-max-ns"));
        vgmStatsAdd(params, VGM_TYPED_PARAM_UINT,
                    g_strdup_printf("iothread.%u.poll-grow", n),
                    json_object_get_int_member_with_default(t, "poll-grow", 0));
        vgmStatsAdd(params, VGM_TYPED_PARAM_UINT,
                    g_strdup_printf("iothread.%u.poll-shrink", n),
                    json_object_get_int_member_with_default(t, "poll-shrink", 0));
    }
}

/* ---- dirty page rate ---- */

/* QEMU's names of a measurement's state (virDomainDirtyRateStatus) and of
 * its modes (the VIR_DOMAIN_DIRTYRATE_MODE_* flags' bits, from 0) */
static const char *const vgmDirtyRateStatus[] = { "unstarted", "measuring", "measured" };
static const char *const vgmDirtyRateModes[] = { "page-sampling", "dirty-bitmap", "dirty-ring" };

#define VGM_DIRTYRATE_MODE_DIRTY_BITMAP (1u << 0)
#define VGM_DIRTYRATE_MODE_DIRTY_RING (1u << 1)
#define VGM_DIRTYRATE_PERIOD_MIN 1
#define VGM_DIRTYRATE_PERIOD_MAX 60

static int
vgmDirtyRateIndex(const char *const *names, guint n, const char *name)
{
    guint i;

    for (i = 0; name && i < n; i++) {
        if (g_str_equal(names[i], name))
            return (int)i;
    }
    return -1;
}

/* the dirtyrate group: QEMU's last measurement of the pages the guest
 * writes (query-dirty-rate), as libvirt reports it; nothing when QEMU
 * does not answer */
static void
vgmStatsDirtyRate(const VgmDriverDomain *dom, GPtrArray *params)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    JsonObject *o;
    JsonArray *vcpus;
    int status;
    int mode;
    guint i;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)) ||
        !vgmQemuMonitorCommand(mon, "query-dirty-rate", NULL, &ret, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(ret))
        return;
    o = json_node_get_object(ret);
    status = vgmDirtyRateIndex(vgmDirtyRateStatus, G_N_ELEMENTS(vgmDirtyRateStatus),
                               json_object_get_string_member_with_default(o, "status", NULL));
    /* (QEMU before 6.2 names no mode: it samples pages) */
    mode = json_object_has_member(o, "mode") ?
           vgmDirtyRateIndex(vgmDirtyRateModes, G_N_ELEMENTS(vgmDirtyRateModes),
                             json_object_get_string_member_with_default(o, "mode", NULL)) : 0;
    if (status < 0 || mode < 0)
        return;
    vgmStatsAdd(params, VGM_TYPED_PARAM_INT, g_strdup("dirtyrate.calc_status"), status);
    vgmStatsAdd(params, VGM_TYPED_PARAM_LLONG, g_strdup("dirtyrate.calc_start_time"),
                (guint64)json_object_get_int_member_with_default(o, "start-time", 0));
    vgmStatsAdd(params, VGM_TYPED_PARAM_INT, g_strdup("dirtyrate.calc_period"),
                (guint64)json_object_get_int_member_with_default(o, "calc-time", 0));
    vgmStatsAddString(params, g_strdup("dirtyrate.calc_mode"), vgmDirtyRateModes[mode]);
    if (status != 2)
        return;
    vgmStatsAdd(params, VGM_TYPED_PARAM_LLONG, g_strdup("dirtyrate.megabytes_per_second"),
                (guint64)json_object_get_int_member_with_default(o, "dirty-rate", 0));
    vcpus = json_object_has_member(o, "vcpu-dirty-rate") &&
            JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "vcpu-dirty-rate")) ?
            json_object_get_array_member(o, "vcpu-dirty-rate") : NULL;
    for (i = 0; mode == 2 && vcpus && i < json_array_get_length(vcpus); i++) {
        JsonObject *v = json_array_get_object_element(vcpus, i);

        if (v && json_object_has_member(v, "id"))
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("dirtyrate.vcpu.%" G_GINT64_FORMAT ".megabytes_per_second",
                                        json_object_get_int_member(v, "id")),
                        (guint64)json_object_get_int_member_with_default(v, "dirty-rate", 0));
    }
}

gboolean
vgmDriverDomainStartDirtyRateCalc(VgmDriver *drv, const char *name, int seconds,
                                  unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    unsigned int major = 0;

    if (!vgmDriverCheckFlags(flags, VGM_DIRTYRATE_MODE_DIRTY_BITMAP |
                             VGM_DIRTYRATE_MODE_DIRTY_RING, error))
        return FALSE;
    if (seconds < VGM_DIRTYRATE_PERIOD_MIN || seconds > VGM_DIRTYRATE_PERIOD_MAX) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("a dirty page rate is measured over %1$d to %2$d seconds, not %3$d"),
                    VGM_DIRTYRATE_PERIOD_MIN, VGM_DIRTYRATE_PERIOD_MAX, seconds);
        return FALSE;
    }
    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    /* as libvirt: the bitmap first when both are asked for; the ring
     * needs KVM's dirty ring, which the domain enables or not */
    if (!(flags & VGM_DIRTYRATE_MODE_DIRTY_BITMAP) && (flags & VGM_DIRTYRATE_MODE_DIRTY_RING) &&
        dom->def->features.kvm[VGM_KVM_DIRTY_RING] != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("domain '%1$s': the dirty-ring mode of a dirty page rate needs KVM's dirty ring (<features><kvm><dirty-ring state='on' size='N'/>), which the domain does not enable"),
                    dom->name);
        return FALSE;
    }
    /* measured here: QEMU 7.2 under TCG dies of a segmentation fault at
     * the dirty-bitmap mode; 10.0 measures */
    if ((flags & VGM_DIRTYRATE_MODE_DIRTY_BITMAP) && dom->def->virtType == VGM_DOMAIN_VIRT_QEMU &&
        (!dom->status->capsVersion || sscanf(dom->status->capsVersion, "%u", &major) != 1 ||
         major < 10)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("domain '%1$s': the dirty-bitmap mode of a dirty page rate is not supported under TCG (<domain type='qemu'>) by QEMU %2$s, which crashes at it; use page sampling"),
                    dom->name, dom->status->capsVersion ? dom->status->capsVersion : "?");
        return FALSE;
    }
    json_object_set_int_member(args, "calc-time", seconds);
    if (flags & VGM_DIRTYRATE_MODE_DIRTY_BITMAP)
        json_object_set_string_member(args, "mode", vgmDirtyRateModes[1]);
    else if (flags & VGM_DIRTYRATE_MODE_DIRTY_RING)
        json_object_set_string_member(args, "mode", vgmDirtyRateModes[2]);
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    return vgmQemuMonitorCommand(mon, "calc-dirty-rate", args, NULL, error);
}

/* query-blockstats of the QEMU behind @mon: device id -> its "stats"
 * (the objects stay @ret's) */
static GHashTable *
vgmStatsBlockTable(VgmQemuMonitor *mon, JsonNode **ret, GError **error)
{
    GHashTable *table;
    JsonArray *arr;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-blockstats", NULL, ret, error))
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(*ret)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("QEMU's reply to query-blockstats is no list"));
        return NULL;
    }
    table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    arr = json_node_get_array(*ret);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *entry = json_array_get_object_element(arr, i);
        JsonObject *stats = entry && json_object_has_member(entry, "stats") ?
                            json_object_get_object_member(entry, "stats") : NULL;
        char *id;

        if (!stats)
            continue;
        id = vgmStatsEntryDevice(entry);
        if (!*id) {
            g_free(id);
            continue;
        }
        g_hash_table_replace(table, id, stats);
    }
    return table;
}

static gint64
vgmStatsMember(JsonObject *o, const char *name)
{
    return json_object_get_int_member_with_default(o, name, 0);
}

/* @stats (a query-blockstats "stats") added to @out */
static void
vgmStatsBlockAdd(JsonObject *stats, VgmDriverBlockStats *out)
{
    out->rdReq += vgmStatsMember(stats, "rd_operations");
    out->rdBytes += vgmStatsMember(stats, "rd_bytes");
    out->rdTimes += vgmStatsMember(stats, "rd_total_time_ns");
    out->wrReq += vgmStatsMember(stats, "wr_operations");
    out->wrBytes += vgmStatsMember(stats, "wr_bytes");
    out->wrTimes += vgmStatsMember(stats, "wr_total_time_ns");
    out->flReq += vgmStatsMember(stats, "flush_operations");
    out->flTimes += vgmStatsMember(stats, "flush_total_time_ns");
}

/* The disk of @def that @path names: its target, else its source */
const VgmDiskDef *
vgmDriverFindDisk(const VgmDomainDef *def, const char *path)
{
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (g_strcmp0(d->dst, path) == 0)
            return d;
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (g_strcmp0(d->src, path) == 0)
            return d;
    }
    return NULL;
}

gboolean
vgmDriverBlockStats(VgmDriver *drv, const char *name, const char *path,
                    VgmDriverBlockStats *out, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GHashTable) table = NULL;
    const VgmDiskDef *only = NULL;
    guint i;

    memset(out, 0, sizeof(*out));
    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    if (*path && !(only = vgmDriverFindDisk(dom->def, path))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no disk '%2$s' (a target or a source path)"),
                    dom->name, path);
        return FALSE;
    }
    if (only && only->type == VGM_DISK_TYPE_VHOSTUSER) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("disk '%1$s' is served by a vhost-user process: QEMU keeps no statistics of it"),
                    only->dst);
        return FALSE;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !(table = vgmStatsBlockTable(mon, &ret, error)))
        return FALSE;
    for (i = 0; i < dom->def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(dom->def->devices.disks, i);
        g_autofree char *id = NULL;
        JsonObject *stats;

        if ((only && d != only) || d->type == VGM_DISK_TYPE_VHOSTUSER)
            continue;
        id = vgmQemuDiskDeviceId(dom->def, d);
        if (!(stats = g_hash_table_lookup(table, id))) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU keeps no statistics of disk '%1$s' (device '%2$s')"),
                        d->dst, id);
            return FALSE;
        }
        vgmStatsBlockAdd(stats, out);
    }
    return TRUE;
}

/* Each medium's image as QEMU has it (query-block's "image" of the top,
 * below a filter's, a JsonObject of @*ret), by device id; NULL when
 * QEMU cannot say */
static GHashTable *
vgmStatsBlockImages(VgmQemuMonitor *mon, JsonNode **ret)
{
    GHashTable *images;
    JsonArray *arr;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-block", NULL, ret, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(*ret))
        return NULL;
    images = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    arr = json_node_get_array(*ret);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *dev = json_array_get_object_element(arr, i);
        JsonObject *inserted = dev && json_object_has_member(dev, "inserted") ?
                               json_object_get_object_member(dev, "inserted") : NULL;
        JsonObject *image = inserted && json_object_has_member(inserted, "image") ?
                            json_object_get_object_member(inserted, "image") : NULL;

        /* (a copy-on-read disk's filter shows as an image over the top) */
        while (image && vgmDriverDiskFormatIsFilter(json_object_get_string_member_with_default(image, "format", NULL)) &&
               json_object_has_member(image, "backing-image"))
            image = json_object_get_object_member(image, "backing-image");
        if (image)
            g_hash_table_replace(images, vgmStatsEntryDevice(dev), image);
    }
    return images;
}

/* QEMU's nodes by node name, each a JsonObject of @*ret: @command
 * "query-named-block-nodes" (flat: each node's image and write
 * threshold) or "query-blockstats" (with its nodes: each node's counters
 * and its storage's); NULL when QEMU cannot say */
static GHashTable *
vgmStatsBlockNodes(VgmQemuMonitor *mon, const char *command, JsonNode **ret)
{
    g_autoptr(JsonObject) args = json_object_new();
    GHashTable *nodes;
    JsonArray *arr;
    guint i;

    json_object_set_boolean_member(args, g_str_equal(command, "query-blockstats") ? "query-nodes"
                                                                                   : "flat", TRUE);
    if (!vgmQemuMonitorCommand(mon, command, args, ret, NULL) || !JSON_NODE_HOLDS_ARRAY(*ret))
        return NULL;
    nodes = g_hash_table_new(g_str_hash, g_str_equal);
    arr = json_node_get_array(*ret);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        const char *name = o ? json_object_get_string_member_with_default(o, "node-name", NULL)
                             : NULL;

        if (name)
            g_hash_table_insert(nodes, (gpointer)name, o);
    }
    return nodes;
}

/* The sizes libvirt gives an image: its capacity and, as libvirt, its
 * physical size (the file's allocation QEMU says, else its capacity) */
static void
vgmStatsBlockImageSizes(GPtrArray *params, guint rec, JsonObject *image)
{
    gint64 capacity = vgmStatsMember(image, "virtual-size");

    vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("block.%u.capacity", rec),
                (guint64)capacity);
    vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("block.%u.physical", rec),
                (guint64)(json_object_has_member(image, "actual-size") ?
                          vgmStatsMember(image, "actual-size") : capacity));
}

/* The records libvirt's --backing adds after disk @d's (record @rec on):
 * each image below its top, with the image's number, the highest offset
 * written to its storage, its sizes and its write threshold; the number
 * of records */
static guint
vgmStatsBlockBacking(VgmQemuMonitor *mon, const VgmDomainDef *def, const VgmDiskDef *d,
                     GHashTable *named, GHashTable *counted, GPtrArray *params, guint rec)
{
    g_autoptr(GPtrArray) images = vgmDriverBlockChainImages(mon, def, d, NULL);
    guint i, n = 0;

    for (i = 1; images && i < images->len; i++, n++) {
        const VgmDriverChainImage *im = g_ptr_array_index(images, i);
        JsonObject *node = im->node && named ? g_hash_table_lookup(named, im->node) : NULL;
        JsonObject *counts = im->node && counted ? g_hash_table_lookup(counted, im->node) : NULL;
        JsonObject *storage = im->storage && named ? g_hash_table_lookup(named, im->storage)
                                                    : NULL;
        JsonObject *parent = counts && json_object_has_member(counts, "parent") ?
                             json_object_get_object_member(counts, "parent") : NULL;
        JsonObject *pstats = parent && json_object_has_member(parent, "stats") ?
                             json_object_get_object_member(parent, "stats") : NULL;

        vgmStatsAddString(params, g_strdup_printf("block.%u.name", rec + n), d->dst);
        /* (as libvirt: the path of a local image only) */
        if (g_path_is_absolute(im->file))
            vgmStatsAddString(params, g_strdup_printf("block.%u.path", rec + n), im->file);
        if (im->index)
            vgmStatsAdd(params, VGM_TYPED_PARAM_UINT,
                        g_strdup_printf("block.%u.backingIndex", rec + n), im->index);
        if (counts)
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("block.%u.allocation", rec + n),
                        (guint64)(pstats ? vgmStatsMember(pstats, "wr_highest_offset") : 0));
        if (node && json_object_has_member(node, "image"))
            vgmStatsBlockImageSizes(params, rec + n, json_object_get_object_member(node, "image"));
        if (storage && vgmStatsMember(storage, "write_threshold") > 0)
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("block.%u.threshold", rec + n),
                        (guint64)vgmStatsMember(storage, "write_threshold"));
    }
    return n;
}

/* Record @rec's counters from @stats (a query-blockstats "stats"), and of
 * a medium its @image's sizes and its write @threshold (NULL: none) */
static void
vgmStatsBlockCounters(GPtrArray *params, guint rec, JsonObject *stats, JsonObject *image,
                      const gint64 *threshold)
{
    static const char *const fields[] = {
        "rd.reqs", "rd.bytes", "rd.times", "wr.reqs", "wr.bytes", "wr.times",
        "fl.reqs", "fl.times",
    };
    VgmDriverBlockStats b = { 0 };
    gint64 values[G_N_ELEMENTS(fields)];

    vgmStatsBlockAdd(stats, &b);
    values[0] = b.rdReq; values[1] = b.rdBytes; values[2] = b.rdTimes;
    values[3] = b.wrReq; values[4] = b.wrBytes; values[5] = b.wrTimes;
    values[6] = b.flReq; values[7] = b.flTimes;
    vgmStatsAddCounters(params, "block", rec, fields, values, G_N_ELEMENTS(fields));
    /* of a medium: the highest offset the guest wrote, the image's sizes */
    if (image) {
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("block.%u.allocation", rec),
                    (guint64)vgmStatsMember(stats, "wr_highest_offset"));
        vgmStatsBlockImageSizes(params, rec, image);
    }
    /* a write threshold set and not yet passed (virDomainSetBlockThreshold) */
    if (threshold)
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("block.%u.threshold", rec),
                    (guint64)*threshold);
}

/* libvirt's block group of running domain @dom: block.count, then per
 * disk its name (target), path (a local source), its top's number and
 * QEMU's counters, with @backing (VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING)
 * followed by a record of each image below the top; no counters of a
 * disk QEMU does not count */
static void
vgmStatsBlock(const VgmDriverDomain *dom, gboolean backing, GPtrArray *params)
{
    const VgmDomainDef *def = dom->def;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonNode) imagesRet = NULL;
    g_autoptr(JsonNode) namedRet = NULL;
    g_autoptr(JsonNode) countedRet = NULL;
    g_autoptr(GHashTable) table = NULL;
    g_autoptr(GHashTable) images = NULL;
    g_autoptr(GHashTable) thresholds = NULL;
    g_autoptr(GHashTable) named = NULL;
    g_autoptr(GHashTable) counted = NULL;
    VgmTypedParam *count;
    guint i, rec = 0;

    vgmStatsAdd(params, VGM_TYPED_PARAM_UINT, g_strdup("block.count"), 0);
    count = g_ptr_array_index(params, params->len - 1);
    if ((mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL))) {
        table = vgmStatsBlockTable(mon, &ret, NULL);
        images = vgmStatsBlockImages(mon, &imagesRet);
        thresholds = vgmDriverBlockThresholds(mon, def);
        if (backing) {
            named = vgmStatsBlockNodes(mon, "query-named-block-nodes", &namedRet);
            counted = vgmStatsBlockNodes(mon, "query-blockstats", &countedRet);
        }
    }
    for (i = 0; i < def->devices.disks->len; i++, rec++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        g_autofree char *id = vgmQemuDiskDeviceId(def, d);
        JsonObject *stats;

        vgmStatsAddString(params, g_strdup_printf("block.%u.name", rec), d->dst);
        if (d->src && (d->type == VGM_DISK_TYPE_FILE || d->type == VGM_DISK_TYPE_BLOCK ||
                       d->type == VGM_DISK_TYPE_DIR))
            vgmStatsAddString(params, g_strdup_printf("block.%u.path", rec), d->src);
        /* the number the live XML gives the top (libvirt's vda[N]) */
        if (vgmDiskHasMedium(d) && d->nodeIndex)
            vgmStatsAdd(params, VGM_TYPED_PARAM_UINT,
                        g_strdup_printf("block.%u.backingIndex", rec), d->nodeIndex);
        /* (a disk QEMU does not count has no more of its own, but the
         * images below it their records) */
        if (table && (stats = g_hash_table_lookup(table, id)))
            vgmStatsBlockCounters(params, rec, stats, images ? g_hash_table_lookup(images, id) : NULL,
                                  thresholds ? g_hash_table_lookup(thresholds, d->dst) : NULL);
        if (backing && mon && vgmDiskHasMedium(d) && d->type != VGM_DISK_TYPE_VHOSTUSER)
            rec += vgmStatsBlockBacking(mon, def, d, named, counted, params, rec + 1);
    }
    count->v.ui = rec;
}

/* libvirt's block group of a shut-off domain, read from its images:
 * block.count, per disk its name, path (a local source) and, of a local
 * image, its allocation, capacity and physical size */
static void
vgmStatsBlockInactive(const VgmDomainDef *def, GPtrArray *params)
{
    guint i;

    vgmStatsAdd(params, VGM_TYPED_PARAM_UINT, g_strdup("block.count"), def->devices.disks->len);
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);
        gboolean local = d->src && !d->net && (d->type == VGM_DISK_TYPE_FILE ||
                                               d->type == VGM_DISK_TYPE_BLOCK);
        VgmDriverBlockInfo info;

        vgmStatsAddString(params, g_strdup_printf("block.%u.name", i), d->dst);
        if (d->src && (local || d->type == VGM_DISK_TYPE_DIR))
            vgmStatsAddString(params, g_strdup_printf("block.%u.path", i), d->src);
        /* (an image that cannot be read has no sizes, as libvirt leaves
         * them out) */
        if (!local || !vgmDiskHasMedium(d) || !vgmDriverDiskSizesInactive(d, &info, NULL))
            continue;
        /* (none of a sparse image with nothing written, as libvirt) */
        if (info.allocation)
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("block.%u.allocation", i), info.allocation);
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("block.%u.capacity", i),
                    info.capacity);
        vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG, g_strdup_printf("block.%u.physical", i),
                    info.physical);
    }
}

/* ---- interfaces ---- */

/* The counters of host device @ifname from the guest's side: @swapped
 * for a tap, whose receive is the guest's transmit. Read from
 * /proc/net/dev, which shows the daemon's network namespace (sysfs shows
 * the one it was mounted in). */
static gboolean
vgmStatsNetDev(const char *ifname, gboolean swapped, VgmDriverInterfaceStats *out,
               GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint i;

    if (!vgmFileReadAll("/proc/net/dev", 4 * 1024 * 1024, &text, NULL, error))
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_autofree char *name = NULL;
        g_auto(GStrv) f = NULL;
        const char *colon = strchr(lines[i], ':');
        gint64 v[16];
        guint n = 0, k;

        if (!colon)
            continue;
        name = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (!g_str_equal(name, ifname))
            continue;
        /* receive: bytes packets errs drop fifo frame compressed
         * multicast; transmit: bytes packets errs drop ... */
        f = g_strsplit_set(colon + 1, " \t", -1);
        for (k = 0; f[k] && n < G_N_ELEMENTS(v); k++) {
            if (*f[k])
                v[n++] = g_ascii_strtoll(f[k], NULL, 10);
        }
        if (n < 12)
            break;
        if (swapped) {
            out->rxBytes = v[8]; out->rxPackets = v[9]; out->rxErrs = v[10]; out->rxDrop = v[11];
            out->txBytes = v[0]; out->txPackets = v[1]; out->txErrs = v[2]; out->txDrop = v[3];
        } else {
            out->rxBytes = v[0]; out->rxPackets = v[1]; out->rxErrs = v[2]; out->rxDrop = v[3];
            out->txBytes = v[8]; out->txPackets = v[9]; out->txErrs = v[10]; out->txDrop = v[11];
        }
        return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("host device '%1$s' is not in /proc/net/dev"), ifname);
    return FALSE;
}

gboolean
vgmDriverInterfaceStats(VgmDriver *drv, const char *name, const char *device,
                        VgmDriverInterfaceStats *out, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    const VgmNetDef *net;

    memset(out, 0, sizeof(*out));
    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    if (!(net = vgmDomainNetFind(dom->def, device, error)))
        return FALSE;
    if (!net->ifname || !vgmNetTypeHasTap(net->type)) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("interface '%1$s' (type '%2$s') has no device on the host whose traffic could be counted"),
                    net->mac, vgmNetTypeToString(net->type));
        return FALSE;
    }
    return vgmStatsNetDev(net->ifname, net->type != VGM_NET_TYPE_DIRECT, out, error);
}

/* libvirt's interface group of running domain @dom: net.count, then per
 * interface with a host device its name and counters */
static void
vgmStatsInterfaces(const VgmDriverDomain *dom, GPtrArray *params)
{
    const VgmDomainDef *def = dom->def;
    guint i;

    vgmStatsAdd(params, VGM_TYPED_PARAM_UINT, g_strdup("net.count"), def->devices.nets->len);
    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);
        static const char *const fields[] = {
            "rx.bytes", "rx.pkts", "rx.errs", "rx.drop", "tx.bytes", "tx.pkts", "tx.errs",
            "tx.drop",
        };
        VgmDriverInterfaceStats n;
        gint64 values[G_N_ELEMENTS(fields)];

        if (!net->ifname || !vgmNetTypeHasTap(net->type))
            continue;
        vgmStatsAddString(params, g_strdup_printf("net.%u.name", i), net->ifname);
        if (!vgmStatsNetDev(net->ifname, net->type != VGM_NET_TYPE_DIRECT, &n, NULL))
            continue;
        values[0] = n.rxBytes; values[1] = n.rxPackets; values[2] = n.rxErrs;
        values[3] = n.rxDrop; values[4] = n.txBytes; values[5] = n.txPackets;
        values[6] = n.txErrs; values[7] = n.txDrop;
        vgmStatsAddCounters(params, "net", i, fields, values, G_N_ELEMENTS(fields));
    }
}

/* ---- interface addresses ---- */

static void
vgmDriverIPAddressFree(VgmDriverIPAddress *a)
{
    if (!a)
        return;
    g_free(a->addr);
    g_free(a);
}

void
vgmDriverInterfaceAddrsFree(VgmDriverInterfaceAddrs *ia)
{
    if (!ia)
        return;
    g_free(ia->name);
    g_free(ia->hwaddr);
    g_clear_pointer(&ia->addrs, g_ptr_array_unref);
    g_free(ia);
}

VgmDriverInterfaceAddrs *
vgmDriverInterfaceAddrsNew(const char *name, const char *hwaddr)
{
    VgmDriverInterfaceAddrs *ia = g_new0(VgmDriverInterfaceAddrs, 1);

    ia->name = g_strdup(name);
    ia->hwaddr = g_strdup(hwaddr);
    ia->addrs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverIPAddressFree);
    return ia;
}

void
vgmDriverInterfaceAddrsAdd(VgmDriverInterfaceAddrs *ia, int type, const char *addr,
                           unsigned int prefix)
{
    VgmDriverIPAddress *a = g_new0(VgmDriverIPAddress, 1);

    a->type = type;
    a->addr = g_strdup(addr);
    a->prefix = prefix;
    g_ptr_array_add(ia->addrs, a);
}

/* The host's ARP table (/proc/net/arp, the daemon's network namespace):
 * pairs of IPv4 address and MAC of complete entries */
static GPtrArray *
vgmStatsArpTable(GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GPtrArray *pairs;
    guint i;

    if (!vgmFileReadAll("/proc/net/arp", 16 * 1024 * 1024, &text, NULL, error))
        return NULL;
    pairs = g_ptr_array_new_with_free_func(g_free);
    lines = g_strsplit(text, "\n", -1);
    /* IP address, HW type, Flags, HW address, Mask, Device */
    for (i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " \t", -1);
        const char *col[4] = { NULL };
        guint k, n = 0;

        for (k = 0; f[k] && n < G_N_ELEMENTS(col); k++) {
            if (*f[k])
                col[n++] = f[k];
        }
        /* ATF_COM (0x2): a complete entry */
        if (n < 4 || !(g_ascii_strtoull(col[2], NULL, 16) & 0x2))
            continue;
        g_ptr_array_add(pairs, g_strdup(col[0]));
        g_ptr_array_add(pairs, g_ascii_strdown(col[3], -1));
    }
    return pairs;
}

GPtrArray *
vgmDriverInterfaceAddresses(VgmDriver *drv, const char *name, unsigned int source,
                            unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverInterfaceAddrsFree);
    g_autoptr(GPtrArray) arp = NULL;
    guint i, j;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    if (source == VGM_IFADDR_SRC_AGENT)
        return vgmDriverAgentInterfaceAddresses(drv, name, error);
    if (source != VGM_IFADDR_SRC_LEASE && source != VGM_IFADDR_SRC_ARP) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("unknown source %1$u of interface addresses (lease 0, agent 1, arp 2)"),
                    source);
        return NULL;
    }
    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)) ||
        (source == VGM_IFADDR_SRC_ARP && !(arp = vgmStatsArpTable(error))))
        return NULL;
    for (i = 0; i < dom->def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(dom->def->devices.nets, i);

        if (source == VGM_IFADDR_SRC_LEASE) {
            g_autoptr(VgmDriverInterfaceAddrs) ia = NULL;
            g_autoptr(GPtrArray) leases = NULL;

            if (net->type != VGM_NET_TYPE_NETWORK)
                continue;
            if (!(leases = vgmDriverNetworkGetDHCPLeases(drv, net->source, net->mac, 0, error)))
                return NULL;
            if (leases->len == 0)
                continue;
            ia = vgmDriverInterfaceAddrsNew(net->ifname, net->mac);
            for (j = 0; j < leases->len; j++) {
                const VgmNetworkLease *l = g_ptr_array_index(leases, j);

                vgmDriverInterfaceAddrsAdd(ia, strchr(l->ip, ':') ? 1 : 0, l->ip, l->prefix);
            }
            g_ptr_array_add(out, g_steal_pointer(&ia));
            continue;
        }
        /* one interface per ARP entry of its MAC, as libvirt gives them */
        for (j = 0; j + 1 < arp->len; j += 2) {
            VgmDriverInterfaceAddrs *ia;

            if (g_strcmp0(g_ptr_array_index(arp, j + 1), net->mac) != 0)
                continue;
            ia = vgmDriverInterfaceAddrsNew(net->ifname, net->mac);
            vgmDriverInterfaceAddrsAdd(ia, 0, g_ptr_array_index(arp, j), 0);
            g_ptr_array_add(out, ia);
        }
    }
    return g_steal_pointer(&out);
}

/* ---- memory ---- */

/* virDomainMemoryStatTags */
enum {
    VGM_MEMSTAT_SWAP_IN = 0,
    VGM_MEMSTAT_SWAP_OUT = 1,
    VGM_MEMSTAT_MAJOR_FAULT = 2,
    VGM_MEMSTAT_MINOR_FAULT = 3,
    VGM_MEMSTAT_UNUSED = 4,
    VGM_MEMSTAT_AVAILABLE = 5,
    VGM_MEMSTAT_ACTUAL_BALLOON = 6,
    VGM_MEMSTAT_RSS = 7,
    VGM_MEMSTAT_USABLE = 8,
    VGM_MEMSTAT_LAST_UPDATE = 9,
    VGM_MEMSTAT_DISK_CACHES = 10,
    VGM_MEMSTAT_HUGETLB_PGALLOC = 11,
    VGM_MEMSTAT_HUGETLB_PGFAIL = 12,
};

/* The balloon's guest-stats members, libvirt's tags and order, and what
 * each is divided by (bytes to KiB) */
static const struct {
    const char *member;         /* of "stats"; NULL: "last-update" */
    int tag;
    guint64 divisor;
} vgmStatsBalloonFields[] = {
    { "stat-swap-in", VGM_MEMSTAT_SWAP_IN, 1024 },
    { "stat-swap-out", VGM_MEMSTAT_SWAP_OUT, 1024 },
    { "stat-major-faults", VGM_MEMSTAT_MAJOR_FAULT, 1 },
    { "stat-minor-faults", VGM_MEMSTAT_MINOR_FAULT, 1 },
    { "stat-free-memory", VGM_MEMSTAT_UNUSED, 1024 },
    { "stat-total-memory", VGM_MEMSTAT_AVAILABLE, 1024 },
    { "stat-available-memory", VGM_MEMSTAT_USABLE, 1024 },
    { NULL, VGM_MEMSTAT_LAST_UPDATE, 1 },
    { "stat-disk-caches", VGM_MEMSTAT_DISK_CACHES, 1024 },
    { "stat-htlb-pgalloc", VGM_MEMSTAT_HUGETLB_PGALLOC, 1 },
    { "stat-htlb-pgfail", VGM_MEMSTAT_HUGETLB_PGFAIL, 1 },
};

static void
vgmStatsMemAdd(GArray *out, unsigned int max, int tag, guint64 val)
{
    VgmDriverMemoryStat st = { tag, val };

    if (out->len < max)
        g_array_append_val(out, st);
}

/* QEMU's resident set (KiB), from /proc/@pid/stat; FALSE when gone */
static gboolean
vgmStatsRss(pid_t pid, guint64 *kib)
{
    g_autofree char *path = g_strdup_printf("/proc/%lld/stat", (long long)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) f = NULL;
    const char *end;

    if (!vgmFileReadAll(path, 4096, &text, NULL, NULL) || !(end = strrchr(text, ')')))
        return FALSE;
    /* after "pid (comm)": state is field 3, rss field 24 */
    f = g_strsplit(end + 2, " ", -1);
    if (g_strv_length(f) < 22)
        return FALSE;
    *kib = g_ascii_strtoull(f[21], NULL, 10) * (guint64)sysconf(_SC_PAGESIZE) / 1024;
    return TRUE;
}

/* The memory statistics of running domain @dom (vgmDriverMemoryStats) */
static GArray *
vgmStatsMemory(const VgmDriverDomain *dom, unsigned int max, GError **error)
{
    g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(VgmDriverMemoryStat));
    const VgmMemballoonDef *balloon = dom->def->devices.memballoon;
    guint64 rss;

    if (balloon && g_strcmp0(balloon->model, "none") != 0) {
        g_autoptr(VgmQemuMonitor) mon = NULL;
        g_autoptr(JsonNode) actual = NULL;
        g_autoptr(JsonNode) guest = NULL;
        g_autoptr(JsonObject) args = json_object_new();
        g_autofree char *qom = g_strdup_printf("/machine/peripheral/%s",
                                               vgmQemuSingleId(balloon->alias, VGM_QEMU_BALLOON_ID));

        if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
            return NULL;
        if (vgmQemuMonitorCommand(mon, "query-balloon", NULL, &actual, NULL) &&
            JSON_NODE_HOLDS_OBJECT(actual))
            vgmStatsMemAdd(out, max, VGM_MEMSTAT_ACTUAL_BALLOON,
                           (guint64)vgmStatsMember(json_node_get_object(actual), "actual") / 1024);
        /* the guest's own counters, once its driver has sent them (the
         * polling period, <stats period>, asks it to) */
        json_object_set_string_member(args, "path", qom);
        json_object_set_string_member(args, "property", "guest-stats");
        if (vgmQemuMonitorCommand(mon, "qom-get", args, &guest, NULL) &&
            JSON_NODE_HOLDS_OBJECT(guest)) {
            JsonObject *g = json_node_get_object(guest);
            JsonObject *st = json_object_has_member(g, "stats") ?
                             json_object_get_object_member(g, "stats") : NULL;
            guint i;

            for (i = 0; st && i < G_N_ELEMENTS(vgmStatsBalloonFields); i++) {
                JsonObject *from = vgmStatsBalloonFields[i].member ? st : g;
                const char *member = vgmStatsBalloonFields[i].member ?
                                     vgmStatsBalloonFields[i].member : "last-update";
                gint64 v;

                if (!json_object_has_member(from, member) ||
                    (v = json_object_get_int_member(from, member)) < 0)
                    continue;
                vgmStatsMemAdd(out, max, vgmStatsBalloonFields[i].tag,
                               (guint64)v / vgmStatsBalloonFields[i].divisor);
            }
        }
    }
    if (vgmStatsRss(dom->status->qemu.pid, &rss))
        vgmStatsMemAdd(out, max, VGM_MEMSTAT_RSS, rss);
    return g_steal_pointer(&out);
}

GArray *
vgmDriverMemoryStats(VgmDriver *drv, const char *name, unsigned int max, unsigned int flags,
                     GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    return vgmStatsMemory(dom, max, error);
}

/* libvirt's virDomainGetCPUStats parameters: the totals, and how many a
 * host CPU has (cpu_time, vcpu_time) */
static const char *const vgmStatsCpuTotalNames[] = { "cpu_time", "user_time", "system_time" };
#define VGM_STATS_CPU_PER_CPU_PARAMS 2

GPtrArray *
vgmDriverGetCPUStats(VgmDriver *drv, const char *name, guint nparams, int startCpu,
                     guint ncpus, unsigned int flags, int *count, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) params = NULL;
    guint64 times[G_N_ELEMENTS(vgmStatsCpuTotalNames)] = { 0 };
    guint present = 0, i;

    *count = 0;
    if (!vgmDriverCheckFlags(flags, VGM_TYPED_PARAM_STRING_OKAY, error))
        return NULL;
    if (startCpu < -1 || (startCpu == -1 && ncpus != 1)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("start_cpu %1$d with ncpus %2$u: the totals are asked for with start_cpu -1 and ncpus 1, a host CPU's with start_cpu 0 or more"),
                    startCpu, ncpus);
        return NULL;
    }
    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_BRIEF, error)))
        return NULL;
    params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    if (startCpu == -1) {
        /* QEMU's process: every thread's time, as in cpu.time of the
         * domain's statistics */
        if (!vgmDriverProcessTimes(dom->status->qemu.pid, 0, &times[1], &times[2])) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' is not running"), dom->name);
            return NULL;
        }
        times[0] = times[1] + times[2];
        if (nparams == 0) {
            *count = G_N_ELEMENTS(vgmStatsCpuTotalNames);
            return g_steal_pointer(&params);
        }
        for (i = 0; i < G_N_ELEMENTS(vgmStatsCpuTotalNames) && i < nparams; i++)
            vgmTypedParamAdd(params, vgmStatsCpuTotalNames[i], VGM_TYPED_PARAM_ULLONG)->v.ul =
                times[i];
        *count = (int)params->len;
        return g_steal_pointer(&params);
    }
    /* a host CPU's: how many there are and what each has can be told;
     * the time the domain spent on each cannot, since cgroup v2 (the
     * only version this driver uses) keeps a group's CPU time whole, not
     * by host CPU: as libvirt on a cgroup v2 host, that is refused */
    if (nparams == 0 && ncpus != 0) {
        *count = VGM_STATS_CPU_PER_CPU_PARAMS;
        return g_steal_pointer(&params);
    }
    if (!vgmNodeGetCPUMap(NULL, NULL, NULL, NULL, &present, error))
        return NULL;
    if (ncpus == 0) {
        *count = (int)present;
        return g_steal_pointer(&params);
    }
    if ((guint)startCpu >= present) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("start_cpu %1$d is not a host CPU: the host has %2$u (0 to %3$u)"),
                    startCpu, present, present - 1);
        return NULL;
    }
    vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                _("the CPU time of domain '%1$s' per host CPU is not known: cgroup v2 accounts a group's CPU time as a whole (ask for the totals, start_cpu -1)"),
                dom->name);
    return NULL;
}

/* libvirt's names of the memory statistics in the balloon group (the
 * balloon's size is balloon.current there) */
static const char *const vgmStatsBalloonNames[] = {
    [VGM_MEMSTAT_SWAP_IN] = "swap_in",
    [VGM_MEMSTAT_SWAP_OUT] = "swap_out",
    [VGM_MEMSTAT_MAJOR_FAULT] = "major_fault",
    [VGM_MEMSTAT_MINOR_FAULT] = "minor_fault",
    [VGM_MEMSTAT_UNUSED] = "unused",
    [VGM_MEMSTAT_AVAILABLE] = "available",
    [VGM_MEMSTAT_ACTUAL_BALLOON] = NULL,
    [VGM_MEMSTAT_RSS] = "rss",
    [VGM_MEMSTAT_USABLE] = "usable",
    [VGM_MEMSTAT_LAST_UPDATE] = "last-update",
    [VGM_MEMSTAT_DISK_CACHES] = "disk_caches",
    [VGM_MEMSTAT_HUGETLB_PGALLOC] = "hugetlb_pgalloc",
    [VGM_MEMSTAT_HUGETLB_PGFAIL] = "hugetlb_pgfail",
};

/* The balloon group's memory statistics of running domain @dom */
static void
vgmStatsBalloonMemory(const VgmDriverDomain *dom, GPtrArray *params)
{
    g_autoptr(GArray) mem = vgmStatsMemory(dom, G_MAXUINT, NULL);
    guint i;

    for (i = 0; mem && i < mem->len; i++) {
        const VgmDriverMemoryStat *m = &g_array_index(mem, VgmDriverMemoryStat, i);

        if (m->tag >= 0 && m->tag < (int)G_N_ELEMENTS(vgmStatsBalloonNames) &&
            vgmStatsBalloonNames[m->tag])
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("balloon.%s", vgmStatsBalloonNames[m->tag]), m->val);
    }
}

static VgmDriverDomainStats *
vgmStatsOne(VgmDriverDomain *dom, unsigned int stats, unsigned int flags)
{
    VgmDriverDomainStats *st = g_new0(VgmDriverDomainStats, 1);
    const VgmDomainDef *def = dom->def;
    gboolean active = vgmDriverDomainIsActive(dom);

    st->dom = dom;
    st->params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    if (stats & VGM_STATS_STATE) {
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_INT, g_strdup("state.state"), dom->state);
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_INT, g_strdup("state.reason"),
                    vgmDriverGetStateReason(dom));
    }
    if ((stats & VGM_STATS_CPU_TOTAL) && active) {
        guint64 user = 0, sys = 0;
        /* (the vCPUs' halt polling, from KVM's statistics of them) */
        guint64 haltpoll[2] = { 0, 0 };

        if (vgmDriverProcessTimes(dom->status->qemu.pid, 0, &user, &sys)) {
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.time"), user + sys);
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.user"), user);
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.system"), sys);
        }
        /* the cache monitors of <cachetune>, which virt-gmem refuses: none */
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_UINT, g_strdup("cpu.cache.monitor.count"), 0);
        if (vgmStatsHaltPoll(dom, haltpoll)) {
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.haltpoll.success.time"),
                        haltpoll[0]);
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.haltpoll.fail.time"),
                        haltpoll[1]);
        }
    }
    if (stats & VGM_STATS_BALLOON) {
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("balloon.current"),
                    def->curMemory ? def->curMemory : def->memory);
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("balloon.maximum"),
                    def->memory);
        if (active)
            vgmStatsBalloonMemory(dom, st->params);
    }
    if (stats & VGM_STATS_VCPU) {
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_UINT, g_strdup("vcpu.current"),
                    def->vcpusCurrent ? def->vcpusCurrent : def->vcpus);
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_UINT, g_strdup("vcpu.maximum"), def->vcpus);
        if (active)
            vgmStatsVcpus(dom, st->params);
    }
    /* (as libvirt: of a running domain only) */
    if ((stats & VGM_STATS_INTERFACE) && active)
        vgmStatsInterfaces(dom, st->params);
    if ((stats & VGM_STATS_BLOCK) && active)
        vgmStatsBlock(dom, (flags & VGM_STATS_BACKING) != 0, st->params);
    else if (stats & VGM_STATS_BLOCK)
        vgmStatsBlockInactive(def, st->params);
    if ((stats & VGM_STATS_IOTHREAD) && active)
        vgmStatsIOThreads(dom, st->params);
    if ((stats & VGM_STATS_DIRTYRATE) && active)
        vgmStatsDirtyRate(dom, st->params);
    if ((stats & VGM_STATS_VM) && active)
        vgmStatsVm(dom, st->params);
    return st;
}

/* The groups of @stats enforced: all served, and for @dom (NULL: any
 * domain) all it can answer; else the call fails naming those left */
static gboolean
vgmStatsEnforce(VgmDriverDomain *dom, unsigned int stats, GError **error)
{
    unsigned int served = VGM_STATS_SERVED;

    if (dom && !vgmDriverDomainIsActive(dom))
        served &= ~VGM_STATS_RUNNING_ONLY;
    if (!(stats & ~served))
        return TRUE;
    if (dom)
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("statistics groups 0x%1$x are not served for domain '%2$s': it is not running (iothread, dirtyrate and vm ask its QEMU)"),
                    stats & ~served, dom->def->name);
    else
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("statistics groups 0x%1$x are not supported (supported: state, cpu-total, balloon, vcpu, interface, block, perf, iothread, memory, dirtyrate, vm)"),
                    stats & ~served);
    return FALSE;
}

GPtrArray *
vgmDriverGetAllDomainStats(VgmDriver *drv, GPtrArray *doms, unsigned int stats,
                           unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    GPtrArray *out;
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_STATS_FILTERS | VGM_STATS_NOWAIT |
                             VGM_STATS_BACKING | VGM_STATS_ENFORCE, error))
        return NULL;
    if ((flags & VGM_STATS_ENFORCE) && !vgmStatsEnforce(NULL, stats, error))
        return NULL;
    /* none asked: every group served */
    if (!stats)
        stats = VGM_STATS_SERVED;
    if (doms) {
        /* as libvirt: the filter flags apply to the domains named too */
        list = g_ptr_array_ref(doms);
        vgmDriverFilterDomains(drv, list, flags & VGM_STATS_FILTERS);
    } else if (!(list = vgmDriverListDomains(drv, flags & VGM_STATS_FILTERS, error))) {
        return NULL;
    }
    for (i = 0; (flags & VGM_STATS_ENFORCE) && i < list->len; i++) {
        if (!vgmStatsEnforce(g_ptr_array_index(list, i), stats, error))
            return NULL;
    }
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverDomainStatsFree);
    for (i = 0; i < list->len; i++)
        g_ptr_array_add(out, vgmStatsOne(g_ptr_array_steal_index(list, i--), stats, flags));
    return out;
}
