/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_cgroup.h: a domain's resource controls, applied as libvirt
 * applies them: <cputune> shares, period and quota (each vCPU's own,
 * global_ for the domain, emulator_ for QEMU's other threads),
 * <memtune> and <blkiotune> through the host's cgroups (v2, or v1 where
 * the host mounts that), and <vcpusched>/<emulatorsched>/<iothreadsched>
 * as the scheduling policy of those threads.
 *
 * A domain with cgroup controls runs in its own group,
 * ROOT/virt-gmem.slice/vgm-NAME-HASH.scope (ROOT: /sys/fs/cgroup, or
 * $VIRT_GMEM_CGROUP_ROOT; NAME escaped as systemd escapes and cut short;
 * HASH: of the store's run directory and the name, so that two stores'
 * domains of one name do not meet), with thread groups
 * vcpuN, emulator and iothreadN below it when their bandwidth is set
 * (the emulator's group and policy are for QEMU's threads other than its
 * vCPUs and I/O threads, as libvirt's are). The group is
 * made and filled before QEMU is spawned; QEMU joins it before it execs;
 * the thread groups are filled once the monitor names the vCPU threads,
 * before the guest runs. The group is removed when the run's status is
 * cleaned up. A domain without cgroup controls gets no group, as a host
 * without the controllers it asks for gets a clear error at start.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "conf/domain_conf.h"
#include "driver_conn.h"
#include "driver_store.h"
#include "host/vgmcgroup.h"
#include "qemu/qemu_monitor.h"

/* One control file write: @file of the domain's group (@sub NULL) or of
 * its thread group @sub */
typedef struct {
    VgmCgroupController controller;
    char *sub;
    char *file;
    char *value;
    /* a file written instead where the host's group has it (BFQ's weight,
     * which libvirt prefers), with its own value */
    char *preferFile;
    char *preferValue;
    /* written once QEMU is in the group, not before it is spawned (a
     * cpuset's memory nodes, as libvirt writes them) */
    gboolean afterSpawn;
} VgmDriverCgroupWrite;

typedef struct _VgmDriverCgroup VgmDriverCgroup;

/* The writes @def's controls make on @host's cgroup version, in order;
 * errors name the value a version cannot take or a block device that is
 * not one. An empty list when @def has no cgroup controls. A
 * <numatune> in mode 'restrictive' is its node set (or @autoNodeset,
 * numad's advice, where placement is auto) in the cpuset's memory nodes. */
GPtrArray *vgmDriverCgroupPlan(const VgmDomainDef *def, const VgmBitmap *autoNodeset,
                               const VgmCgroupHost *host, GError **error);

/* What @def asks of cgroups and the scheduler, checked against the
 * host's cgroups (nothing is made yet); @autoNodeset as for the plan */
VgmDriverCgroup *vgmDriverCgroupNew(const VgmDriverStore *store, const VgmDomainDef *def,
                                    const VgmBitmap *autoNodeset, GError **error);
void vgmDriverCgroupFree(VgmDriverCgroup *cg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverCgroup, vgmDriverCgroupFree)
/* Before the spawn: the domain's group made (again, for a live update)
 * and its own controls written; nothing without cgroup controls. A
 * failure removes the group when @removeOnError (a start; never for a
 * live update, whose running QEMU is in it). */
gboolean vgmDriverCgroupCreate(VgmDriverCgroup *cg, gboolean removeOnError, GError **error);
/* The cgroup.procs files QEMU's child writes "0" to (NULL: none) */
const char *const *vgmDriverCgroupProcsFiles(const VgmDriverCgroup *cg);

/* After the spawn, before the guest runs: QEMU @pid in the group (again:
 * the child's own move cannot report a failure), its thread groups made,
 * written and filled, and the scheduler policies set on the vCPU and
 * emulator threads. */
gboolean vgmDriverCgroupApplyThreads(const VgmDriverCgroup *cg, VgmQemuMonitor *mon,
                                     pid_t pid, GError **error);

/* After a run: removes domain @name's group (in @partition, or NULL), if
 * there is one; the partition's slices stay. */
void vgmDriverCgroupRemove(const VgmDriverStore *store, const char *name,
                           const char *partition);

/* The group of domain @name relative to the cgroup root: in the slices
 * of @partition (<resource><partition>), or NULL: virt-gmem.slice */
char *vgmDriverCgroupName(const VgmDriverStore *store, const char *name,
                          const char *partition);

/* What libvirt's virDomainGetSchedulerParameters, GetMemoryParameters
 * and GetBlkioParameters report of @def: every parameter of the kind,
 * with libvirt's names, types and order (memory in KiB, an unset limit
 * as VGM_MEMTUNE_UNLIMITED; 0 for a CPU control not given); the blkio
 * device lists, which are strings, only when @strings. */
GPtrArray *vgmDriverTuneParams(const VgmDomainDef *def, VgmDriverTuneKind kind,
                               gboolean strings);

/* Scheduler parameters @params (vgmDriverTuneParams of running domain
 * @def) as its cgroups have them, as libvirt reads a running domain's:
 * the shares and the global pair of its group, the vCPUs', emulator's
 * and first I/O thread's pairs of their groups, or of the domain's where
 * the threads have none (or there is no I/O thread); a quota of -1:
 * none; left as they are where the domain has no group */
void vgmDriverTuneSchedLive(const VgmDriverStore *store, const VgmDomainDef *def,
                            GPtrArray *params);

/* The parameters @params (VgmTypedParam) of libvirt's
 * virDomainSetSchedulerParameters(Flags), SetMemoryParameters or
 * SetBlkioParameters (@kind) made in @def as libvirt makes them: its
 * names, types and ranges, the device lists merged. @live: @def is a
 * running domain's, on which a period or quota of 0 changes nothing. */
gboolean vgmDriverTuneApply(VgmDomainDef *def, VgmDriverTuneKind kind, const GPtrArray *params,
                            gboolean live, GError **error);

/* The controls of running domain @def (changed from @old), QEMU @pid
 * behind @mon, applied as a start applies them: the domain's group made
 * if need be, its files written, what @old limited and @def does not
 * lifted, QEMU and its threads placed. Memory limits need a QEMU that
 * started in its memory group. */
gboolean vgmDriverCgroupApplyLive(const VgmDriverStore *store, const VgmDomainDef *old,
                                  const VgmDomainDef *def, VgmQemuMonitor *mon, pid_t pid,
                                  GError **error);

/* Memory nodes @nodeset for running domain @def (QEMU @pid), as
 * libvirt's live numatune sets them: its cpuset group made if need be,
 * QEMU moved into it and the nodes written (on v1 with memory_migrate,
 * so that QEMU's pages move; v2 always moves them). */
gboolean vgmDriverCgroupSetMemsLive(const VgmDriverStore *store, const VgmDomainDef *def,
                                    const VgmBitmap *nodeset, pid_t pid, GError **error);

/* The vCPU threads of QEMU behind @mon (query-cpus-fast): a GArray of
 * pid_t indexed by vCPU, 0 for a vCPU it does not name. */
GArray *vgmDriverVcpuThreads(VgmQemuMonitor *mon, GError **error);
/* An I/O thread of QEMU and its thread id */
typedef struct {
    unsigned int id;            /* of <iothread id>: QEMU's iothread<id> */
    pid_t tid;
} VgmDriverIOThreadTid;
/* The I/O threads of QEMU behind @mon (query-iothreads): a GArray of
 * VgmDriverIOThreadTid, the driver's iothread<id> objects only */
GArray *vgmDriverIOThreadThreads(VgmQemuMonitor *mon, GError **error);
/* The thread of I/O thread @id in @iothreads, 0 if none */
pid_t vgmDriverIOThreadTidOf(const GArray *iothreads, unsigned int id);
