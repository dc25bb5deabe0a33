/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmnode.h: the host as libvirt's node calls describe it.
 *
 * Owns the answers to virNodeGetInfo, virNodeGetCPUMap, virNodeGetCPUStats,
 * virNodeGetMemoryStats, virNodeGetFreeMemory and virConnectGetHostname,
 * read from the real host (/proc, /sys, gethostname, /etc/hosts) with the
 * values, units and fallbacks libvirt's QEMU driver gives. Every reader
 * takes the sysfs and procfs roots (NULL: "/sys" and "/proc") so tests can
 * point it at a fake tree; every file is read with a size limit.
 */
#pragma once

#include <glib.h>

/* virNodeInfo. */
typedef struct {
    char model[32];      /* the host arch as libvirt names it ("x86_64") */
    guint64 memoryKiB;   /* MemTotal of /proc/meminfo */
    guint cpus;          /* present CPUs that are online */
    guint mhz;           /* from /proc/cpuinfo; 0 when the host has none */
    guint nodes;         /* NUMA nodes */
    guint sockets;       /* sockets per node */
    guint cores;         /* cores per socket */
    guint threads;       /* threads per core */
} VgmNodeInfo;

/*
 * Fills @info for the host. The topology is libvirt's: per NUMA node (or
 * the whole of <sysfs>/devices/system/cpu when there is no node directory
 * or it names no online CPU), the online CPUs' distinct sockets, the most
 * distinct cores in one socket and the most thread siblings of one CPU;
 * nodes is the node count and sockets, cores, threads the largest over
 * the nodes. When nodes * sockets * cores * threads is not the number of
 * present CPUs (online and offline), the topology is not uniform and is
 * reported as nodes = 1, sockets = 1, cores = present CPUs, threads = 1.
 * mhz is the last "cpu MHz" (x86; "clock" on POWER, "cpu MHz dynamic" on
 * s390, "CPU MHz" on LoongArch) of /proc/cpuinfo, 0 on Arm, on other
 * arches and when the file has no such line (not an error).
 */
gboolean vgmNodeGetInfo(const char *sysfs, const char *procfs,
                        VgmNodeInfo *info, GError **error);

/* The value of the first /proc/cpuinfo line "@key : VALUE" (under
 * @procfs, NULL: /proc), or NULL when there is none (the first CPU's, as
 * libvirt reads the host CPU's microcode and address sizes). */
char *vgmNodeCpuinfoValue(const char *procfs, const char *key);

/* The same for a host of architecture @arch (libvirt's name: "x86_64",
 * "aarch64", "s390x", "ppc64le", ...), which picks the /proc/cpuinfo
 * frequency line and, on s390, makes every CPU its own core. */
gboolean vgmNodeGetInfoArch(const char *arch, const char *sysfs,
                            const char *procfs, VgmNodeInfo *info,
                            GError **error);

/*
 * virNodeGetCPUMap. *@present is libvirt's CPU count: the highest CPU id
 * of <sysfs>/devices/system/cpu/present plus one. *@map (free with g_free)
 * has *@mapLen = (*@present + 7) / 8 bytes, bit i % 8 of byte i / 8 set
 * when CPU i is in <sysfs>/devices/system/cpu/online; *@online counts
 * those CPUs. Every output may be NULL.
 */
gboolean vgmNodeGetCPUMap(const char *sysfs, guint8 **map, guint *mapLen,
                          guint *online, guint *present, GError **error);

/* One virNodeCPUStats or virNodeMemoryStats entry. @field is one of the
 * names below (a static string). */
typedef struct {
    const char *field;
    guint64 value;
} VgmNodeStat;

/* libvirt's field names (VIR_NODE_CPU_STATS_* / VIR_NODE_MEMORY_STATS_*). */
#define VGM_NODE_CPU_STATS_KERNEL "kernel"
#define VGM_NODE_CPU_STATS_USER "user"
#define VGM_NODE_CPU_STATS_IDLE "idle"
#define VGM_NODE_CPU_STATS_IOWAIT "iowait"
#define VGM_NODE_MEMORY_STATS_TOTAL "total"
#define VGM_NODE_MEMORY_STATS_FREE "free"
#define VGM_NODE_MEMORY_STATS_BUFFERS "buffers"
#define VGM_NODE_MEMORY_STATS_CACHED "cached"

/* VIR_NODE_CPU_STATS_ALL_CPUS and VIR_NODE_MEMORY_STATS_ALL_CELLS. */
#define VGM_NODE_CPU_STATS_ALL_CPUS (-1)
#define VGM_NODE_MEMORY_STATS_ALL_CELLS (-1)

/* How many entries the calls below return (what libvirt answers to a
 * query with nparams 0). */
#define VGM_NODE_CPU_STATS_COUNT 4
#define VGM_NODE_MEMORY_STATS_COUNT_ALL 4
#define VGM_NODE_MEMORY_STATS_COUNT_CELL 2

/*
 * virNodeGetCPUStats: a GArray of VGM_NODE_CPU_STATS_COUNT VgmNodeStat,
 * "kernel" (system + irq + softirq), "user" (user + nice), "idle",
 * "iowait", in nanoseconds, from the "cpu" line of <procfs>/stat for
 * @cpuNum VGM_NODE_CPU_STATS_ALL_CPUS, else from its "cpuN" line. A CPU
 * without a line (not present, or offline) is VGM_ERR_INVALID_ARG.
 */
GArray *vgmNodeGetCPUStats(const char *procfs, int cpuNum, GError **error);

/*
 * virNodeGetMemoryStats, in KiB: for VGM_NODE_MEMORY_STATS_ALL_CELLS,
 * "total", "free", "buffers", "cached" from <procfs>/meminfo; for a NUMA
 * cell, "total" and "free" from <sysfs>/devices/system/node/nodeN/meminfo.
 * A host without <sysfs>/devices/system/node has one cell, 0, which is the
 * whole host (four entries). A cell above the highest node is
 * VGM_ERR_INVALID_ARG.
 */
GArray *vgmNodeGetMemoryStats(const char *sysfs, const char *procfs,
                              int cellNum, GError **error);

/* virNodeGetFreeMemory: MemFree of <procfs>/meminfo, in bytes. */
gboolean vgmNodeGetFreeMemory(const char *procfs, guint64 *bytes,
                              GError **error);

/*
 * virConnectGetHostname: gethostname(), unless it is short (no dot) and
 * not "localhost*": then the canonical name /etc/hosts gives it, if that
 * is not "localhost*". No DNS is asked (a daemon must not hang on it).
 */
char *vgmNodeGetHostname(GError **error);

/* The canonicalization step of vgmNodeGetHostname: @hostname as the hosts
 * file text @hostsText (may be NULL) resolves it. */
char *vgmNodeCanonicalHostname(const char *hostname, const char *hostsText);

/* virNodeGetCellsFreeMemory: the free bytes of cells @startCell on, at
 * most @maxCells (a GArray of guint64); a host without NUMA nodes is one
 * cell, 0. A start beyond the last cell is VGM_ERR_INVALID_ARG. */
GArray *vgmNodeGetCellsFreeMemory(const char *sysfs, const char *procfs, int startCell,
                                  int maxCells, GError **error);
/* virNodeGetFreePages: for each cell from @startCell (at most @cellCount),
 * for each page size of @pages (KiB), the free pages (a GArray of
 * guint64): the system's page size from the cell's MemFree, huge pages
 * from sysfs. A size the host has no pool of is VGM_ERR_INVALID_ARG. */
GArray *vgmNodeGetFreePages(const char *sysfs, const char *procfs, const unsigned int *pages,
                            guint npages, int startCell, unsigned int cellCount, GError **error);

/* virNodeAllocPages: the pools of @pages[i] KiB pages of cells @startCell
 * on (at most @cellCount; -1: the host's pools, of no cell) set to
 * @counts[i] pages, or grown by them (@add). Every pool is found and
 * read first; one the kernel cannot fill puts those changed before it
 * back (VGM_ERR_OPERATION_FAILED). The system's page size is refused
 * (VGM_ERR_NO_SUPPORT). Returns the number of pools, or -1. */
int vgmNodeAllocPages(const char *sysfs, const unsigned int *pages, const guint64 *counts,
                      guint npages, int startCell, unsigned int cellCount, gboolean add,
                      GError **error);

/* The kernel's same-page merging (<sysfs>/kernel/mm/ksm), in the order of
 * libvirt's node memory parameters */
typedef enum {
    VGM_NODE_KSM_PAGES_TO_SCAN,
    VGM_NODE_KSM_SLEEP_MILLISECS,
    VGM_NODE_KSM_PAGES_SHARED,
    VGM_NODE_KSM_PAGES_SHARING,
    VGM_NODE_KSM_PAGES_UNSHARED,
    VGM_NODE_KSM_PAGES_VOLATILE,
    VGM_NODE_KSM_FULL_SCANS,
    VGM_NODE_KSM_MERGE_ACROSS_NODES,

    VGM_NODE_KSM_LAST
} VgmNodeKsmField;

/* The value of @field; a kernel without it sets *@found FALSE */
gboolean vgmNodeKsmRead(const char *sysfs, VgmNodeKsmField field, guint64 *value,
                        gboolean *found, GError **error);
/* Writes @values[i] into @fields[i] (@n of them), each of which must
 * exist (VGM_ERR_OPERATION_INVALID); one the kernel refuses puts those
 * written before it back (VGM_ERR_SYSTEM) */
gboolean vgmNodeKsmWrite(const char *sysfs, const VgmNodeKsmField *fields,
                         const guint64 *values, guint n, GError **error);
