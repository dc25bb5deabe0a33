/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_pin.c: see driver_pin.h.
 *
 * What libvirt reports: of a definition, each thread's own pin, else the
 * CPUs of <vcpu cpuset>, else every CPU of the host (its present CPUs);
 * of a running domain, the affinity the kernel has for each of QEMU's
 * threads (which the start set from the same rules, numad's advice
 * included). A vCPU's time and last CPU come from its thread's
 * /proc stat, as libvirt reads them.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "driver_pin.h"
#include "driver_cgroup.h"
#include "driver_process.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

#define VGM_DRIVER_PIN_QUERY_TIMEOUT_MS 10000

void
vgmDriverThreadInfoFree(VgmDriverThreadInfo *info)
{
    if (!info)
        return;
    vgmBitmapFree(info->cpus);
    g_free(info);
}

/* every present CPU of the host, as libvirt fills a map no pin narrows */
static VgmBitmap *
vgmDriverPinHostCpus(GError **error)
{
    g_autofree char *text = NULL;

    if (!vgmFileReadAll("/sys/devices/system/cpu/present", 64 * 1024, &text, NULL, error))
        return NULL;
    return vgmBitmapParse(g_strstrip(text), "/sys/devices/system/cpu/present", error);
}

/* the CPUs thread @tid may run on */
static VgmBitmap *
vgmDriverPinAffinity(pid_t tid, GError **error)
{
    g_autoptr(VgmBitmap) cpus = vgmBitmapNew(VGM_BITMAP_MAX);
    cpu_set_t set;
    unsigned int cpu;

    CPU_ZERO(&set);
    if (sched_getaffinity(tid, sizeof(set), &set) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot read the CPU affinity of QEMU thread %1$d"),
                          (int)tid);
        return NULL;
    }
    for (cpu = 0; cpu < CPU_SETSIZE && cpu < VGM_BITMAP_MAX; cpu++) {
        if (CPU_ISSET(cpu, &set))
            vgmBitmapSet(cpus, cpu);
    }
    return g_steal_pointer(&cpus);
}

static VgmDriverThreadInfo *
vgmDriverThreadInfoNew(unsigned int id, VgmBitmap *cpus)
{
    VgmDriverThreadInfo *info = g_new0(VgmDriverThreadInfo, 1);

    info->id = id;
    info->cpus = cpus;
    return info;
}

/* The state of a read: the definition, and for a running domain read
 * live, its monitor */
typedef struct {
    VgmDomainDef *config;       /* the persistent one, when that is read */
    const VgmDomainDef *def;
    gboolean live;
    VgmQemuMonitor *mon;
    VgmBitmap *host;            /* every present CPU of the host */
} VgmDriverPinRead;

static void
vgmDriverPinReadClear(VgmDriverPinRead *r)
{
    vgmDomainDefFree(r->config);
    vgmQemuMonitorFree(r->mon);
    vgmBitmapFree(r->host);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverPinRead, vgmDriverPinReadClear)

static gboolean
vgmDriverPinReadOpen(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                     VgmDriverPinRead *r, GError **error)
{
    if (!(r->def = vgmDriverReadDef(drv, dom, flags, 0, &r->config, error)))
        return FALSE;
    r->live = !r->config && vgmDriverDomainIsActive(dom);
    if (!(r->host = vgmDriverPinHostCpus(error)))
        return FALSE;
    return !r->live ||
           (r->mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_PIN_QUERY_TIMEOUT_MS,
                                             error)) != NULL;
}

/* a definition's map for a thread pinned to @own (or not, NULL) */
static VgmBitmap *
vgmDriverPinOfDef(const VgmDriverPinRead *r, const VgmBitmap *own)
{
    return vgmBitmapCopy(own ? own : r->def->cpuset ? r->def->cpuset : r->host);
}

GPtrArray *
vgmDriverGetVcpuPinInfo(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                        GError **error)
{
    g_auto(VgmDriverPinRead) r = { 0 };
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmBitmapFree);
    g_autoptr(GArray) tids = NULL;
    unsigned int i;

    if (!vgmDriverPinReadOpen(drv, dom, flags, &r, error))
        return NULL;
    if (r.live && !(tids = vgmDriverVcpuThreads(r.mon, error)))
        return NULL;
    for (i = 0; i < r.def->vcpus; i++) {
        pid_t tid = tids && i < tids->len ? g_array_index(tids, pid_t, i) : 0;
        VgmBitmap *cpus;

        /* a vCPU QEMU does not run (offline, above <vcpu current>) has
         * the definition's map, as in libvirt */
        if (tid) {
            if (!(cpus = vgmDriverPinAffinity(tid, error)))
                return NULL;
        } else {
            cpus = vgmDriverPinOfDef(&r, r.def->vcpupin ? r.def->vcpupin[i] : NULL);
        }
        g_ptr_array_add(out, cpus);
    }
    return g_steal_pointer(&out);
}

VgmBitmap *
vgmDriverGetEmulatorPinInfo(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                            GError **error)
{
    g_auto(VgmDriverPinRead) r = { 0 };

    if (!vgmDriverPinReadOpen(drv, dom, flags, &r, error))
        return NULL;
    /* QEMU's main thread carries the emulator's pin */
    if (r.live)
        return vgmDriverPinAffinity(dom->status->qemu.pid, error);
    return vgmDriverPinOfDef(&r, r.def->emulatorpin);
}

GPtrArray *
vgmDriverGetIOThreadInfo(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                         GError **error)
{
    g_auto(VgmDriverPinRead) r = { 0 };
    g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverThreadInfoFree);
    guint i;

    if (!vgmDriverPinReadOpen(drv, dom, flags, &r, error))
        return NULL;
    if (r.live) {
        /* the threads QEMU runs, in its order */
        g_autoptr(GArray) tids = vgmDriverIOThreadThreads(r.mon, error);

        if (!tids)
            return NULL;
        for (i = 0; i < tids->len; i++) {
            const VgmDriverIOThreadTid *t = &g_array_index(tids, VgmDriverIOThreadTid, i);
            VgmBitmap *cpus = vgmDriverPinAffinity(t->tid, error);

            if (!cpus)
                return NULL;
            g_ptr_array_add(out, vgmDriverThreadInfoNew(t->id, cpus));
        }
        return g_steal_pointer(&out);
    }
    for (i = 0; r.def->iothreads && i < r.def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(r.def->iothreads, i);

        g_ptr_array_add(out, vgmDriverThreadInfoNew(t->id, vgmDriverPinOfDef(&r, t->cpumask)));
    }
    return g_steal_pointer(&out);
}

/* utime + stime (clock ticks, as ns) and the CPU last run on, from a
 * thread's /proc stat: the fields after the command's closing ')' */
static gboolean
vgmDriverPinThreadStat(pid_t pid, pid_t tid, guint64 *ns, int *cpu)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/stat", (int)pid, (int)tid);
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;
    long hz = sysconf(_SC_CLK_TCK);

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(rest = strrchr(text, ')')))
        return FALSE;
    fields = g_strsplit_set(rest + 1, " \n", -1);
    /* after ')': state is field 3, utime 14, stime 15, processor 39;
     * fields[0] is the empty string before the first space */
    if (g_strv_length(fields) < 38 || hz <= 0)
        return FALSE;
    *ns = (g_ascii_strtoull(fields[12], NULL, 10) + g_ascii_strtoull(fields[13], NULL, 10)) *
          (G_GUINT64_CONSTANT(1000000000) / (guint64)hz);
    *cpu = (int)g_ascii_strtoll(fields[37], NULL, 10);
    return TRUE;
}

GPtrArray *
vgmDriverGetVcpus(VgmDriver *drv, VgmDriverDomain *dom, GError **error)
{
    g_auto(VgmDriverPinRead) r = { 0 };
    g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverThreadInfoFree);
    g_autoptr(GArray) tids = NULL;
    guint i;

    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is not running: it has no vCPU threads"), dom->name);
        return NULL;
    }
    if (!vgmDriverPinReadOpen(drv, dom, VGM_DOMAIN_AFFECT_LIVE, &r, error) ||
        !(tids = vgmDriverVcpuThreads(r.mon, error)))
        return NULL;
    for (i = 0; i < tids->len; i++) {
        pid_t tid = g_array_index(tids, pid_t, i);
        VgmDriverThreadInfo *info;
        VgmBitmap *cpus;

        if (!tid)
            continue;
        if (!(cpus = vgmDriverPinAffinity(tid, error)))
            return NULL;
        info = vgmDriverThreadInfoNew(i, cpus);
        /* virVcpuState 1: running (a paused domain's vCPUs too, as
         * libvirt reports them); -1: no CPU known */
        info->state = 1;
        info->cpu = -1;
        vgmDriverPinThreadStat(dom->status->qemu.pid, tid, &info->cpuTime, &info->cpu);
        g_ptr_array_add(out, info);
    }
    return g_steal_pointer(&out);
}

void
vgmDriverCpuMapFill(const VgmBitmap *cpus, guint8 *map, size_t maplen)
{
    int cpu;

    memset(map, 0, maplen);
    for (cpu = vgmBitmapNext(cpus, -1); cpu >= 0 && (size_t)cpu / 8 < maplen;
         cpu = vgmBitmapNext(cpus, cpu))
        map[cpu / 8] |= (guint8)(1u << (cpu % 8));
}
