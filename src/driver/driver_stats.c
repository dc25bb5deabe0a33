/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_stats.c: libvirt's bulk domain statistics (virConnectGetAllDomainStats)
 * from the driver's view of each domain, /proc and QMP.
 *
 * Groups served: state (state.state, state.reason), cpu-total (cpu.time,
 * cpu.user, cpu.system: the QEMU process's), balloon (balloon.current,
 * balloon.maximum: the definition's, as there is no balloon driver to
 * ask), vcpu (vcpu.current, vcpu.maximum, and per vCPU vcpu.N.state and
 * vcpu.N.time from the vCPU thread that query-cpus-fast names). Other
 * groups are left out, as libvirt leaves out what a driver cannot tell,
 * unless the caller enforces them: then the call fails naming them.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "driver_conn.h"
#include "driver_process.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

/* virDomainStatsTypes */
enum {
    VGM_STATS_STATE = 1 << 0,
    VGM_STATS_CPU_TOTAL = 1 << 1,
    VGM_STATS_BALLOON = 1 << 2,
    VGM_STATS_VCPU = 1 << 3,
};
#define VGM_STATS_SERVED (VGM_STATS_STATE | VGM_STATS_CPU_TOTAL | VGM_STATS_BALLOON | \
                          VGM_STATS_VCPU)
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

/* utime and stime (nanoseconds) of /proc/@path/stat; FALSE when gone. */
static gboolean
vgmStatsProcTimes(const char *path, guint64 *user, guint64 *sys)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;
    long hz = sysconf(_SC_CLK_TCK);

    if (!vgmFileReadAll(path, 4096, &text, NULL, NULL) ||
        !(p = strrchr(text, ')')) || hz <= 0)
        return FALSE;
    fields = g_strsplit(p + 2, " ", 0);
    if (g_strv_length(fields) < 13)
        return FALSE;
    /* fields 14 and 15 counted from the pid */
    *user = g_ascii_strtoull(fields[11], NULL, 10) * (G_GUINT64_CONSTANT(1000000000) / (guint64)hz);
    *sys = g_ascii_strtoull(fields[12], NULL, 10) * (G_GUINT64_CONSTANT(1000000000) / (guint64)hz);
    return TRUE;
}

/* vcpu.N.state and vcpu.N.time of a running domain, from its vCPU
 * threads (query-cpus-fast); nothing when QEMU does not answer. */
static void
vgmStatsVcpus(const VgmDriverDomain *dom, GPtrArray *params)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, NULL)) ||
        !vgmQemuMonitorCommand(mon, "query-cpus-fast", NULL, &ret, NULL) ||
        !JSON_NODE_HOLDS_ARRAY(ret))
        return;
    arr = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *cpu = json_array_get_object_element(arr, i);
        gint64 idx, tid;
        g_autofree char *path = NULL;
        guint64 user = 0, sys = 0;

        if (!cpu)
            continue;
        idx = json_object_get_int_member_with_default(cpu, "cpu-index", i);
        tid = json_object_get_int_member_with_default(cpu, "thread-id", 0);
        path = g_strdup_printf("/proc/%lld/task/%lld/stat",
                               (long long)dom->status->qemu.pid, (long long)tid);
        /* virVcpuState: 1 running (paused vCPUs of a paused domain too,
         * as libvirt reports them) */
        vgmStatsAdd(params, VGM_TYPED_PARAM_INT,
                    g_strdup_printf("vcpu.%lld.state", (long long)idx), 1);
        if (tid > 0 && vgmStatsProcTimes(path, &user, &sys))
            vgmStatsAdd(params, VGM_TYPED_PARAM_ULLONG,
                        g_strdup_printf("vcpu.%lld.time", (long long)idx), user + sys);
    }
}

static VgmDriverDomainStats *
vgmStatsOne(VgmDriverDomain *dom, unsigned int stats)
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
        g_autofree char *path = g_strdup_printf("/proc/%lld/stat",
                                                (long long)dom->status->qemu.pid);
        guint64 user = 0, sys = 0;

        if (vgmStatsProcTimes(path, &user, &sys)) {
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.time"), user + sys);
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.user"), user);
            vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("cpu.system"), sys);
        }
    }
    if (stats & VGM_STATS_BALLOON) {
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("balloon.current"),
                    def->curMemory ? def->curMemory : def->memory);
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_ULLONG, g_strdup("balloon.maximum"),
                    def->memory);
    }
    if (stats & VGM_STATS_VCPU) {
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_UINT, g_strdup("vcpu.current"),
                    def->vcpusCurrent ? def->vcpusCurrent : def->vcpus);
        vgmStatsAdd(st->params, VGM_TYPED_PARAM_UINT, g_strdup("vcpu.maximum"), def->vcpus);
        if (active)
            vgmStatsVcpus(dom, st->params);
    }
    return st;
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
    if (doms && (flags & VGM_STATS_FILTERS)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a list of domains cannot be filtered further (flags 0xff)"));
        return NULL;
    }
    if ((flags & VGM_STATS_ENFORCE) && (stats & ~VGM_STATS_SERVED)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("statistics groups 0x%1$x are not supported (supported: state, cpu-total, balloon, vcpu)"),
                    stats & ~VGM_STATS_SERVED);
        return NULL;
    }
    /* none asked: every group served */
    if (!stats)
        stats = VGM_STATS_SERVED;
    if (doms) {
        list = g_ptr_array_ref(doms);
    } else if (!(list = vgmDriverListDomains(drv, flags & VGM_STATS_FILTERS, error))) {
        return NULL;
    }
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverDomainStatsFree);
    for (i = 0; i < list->len; i++)
        g_ptr_array_add(out, vgmStatsOne(g_ptr_array_steal_index(list, i--), stats));
    return out;
}
