/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nodetest.c: tests of the node calls (src/host/vgmnode): node info, CPU
 * map, CPU and memory statistics, free memory and host name.
 *
 * Covers, on fake /sys and /proc trees built in a temp dir, with exact
 * values:
 *  - a 2-socket, 4-core, 2-thread host (16 CPUs) with one NUMA node per
 *    socket (nodes 2, sockets 1 per node, cores 4, threads 2), the same
 *    without the NUMA directory (nodes 1, sockets 2), the last "cpu MHz"
 *    line winning, MemTotal, the CPU map, "cpu"/"cpuN" lines of /proc/stat
 *    in ns (cpu1's line not taken for cpu10's or the other way round, a
 *    4-number line of an old kernel),
 *    whole-host and per-cell memory stats and free memory, the free memory
 *    and free pages of each cell (and of a host without NUMA);
 *  - huge page pools set and grown by cell, for the host (cell -1) and on
 *    a host without NUMA, and the refusals that change no pool (a size a
 *    cell lacks, the system page size, cells out of range, a size given
 *    twice, a count that overflows); the kernel's
 *    same-page merging files read, a missing one not found, written, and
 *    a write naming a missing one refused with nothing written;
 *  - the same host with CPU 15 offline: 15 CPUs, the same topology, the
 *    map without bit 15, CPU 15's stats an invalid cpuNum;
 *  - a non-uniform topology (2 two-thread and 4 one-thread cores, plus an
 *    offline CPU) reported flat: nodes 1, sockets 1, cores 9, threads 1;
 *  - no frequency (no "cpu MHz" line, as without cpufreq) is mhz 0, a bad
 *    line keeps the frequency read before it, Arm has none, s390 reads
 *    "cpu MHz dynamic" and counts each CPU as a core; topology files
 *    missing are socket 0, core 0, one thread;
 *  - errors: cpuNum and cellNum out of range or negative, a host without
 *    NUMA (cell 0 is the whole host, cell 1 an error), a missing meminfo,
 *    a meminfo over the size limit, a malformed CPU list;
 *  - host name canonicalization against hosts-file texts;
 *  - the real host, cross-checked with sysconf (online CPUs, MemTotal,
 *    free memory), sched_getcpu (its bit in the map, its stats) and
 *    gethostname.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "host/vgmhost.h"
#include "host/vgmnode.h"
#include "util/vgmerror.h"

/* ---- fake trees ---- */

typedef struct {
    char *root;
    char *sys;
    char *proc;
} TestTree;

static void
testTreeFree(TestTree *tree)
{
    if (!tree)
        return;
    vgmTestRemoveTree(tree->root);
    g_free(tree->root);
    g_free(tree->sys);
    g_free(tree->proc);
    g_free(tree);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestTree, testTreeFree)

static TestTree *
testTreeNew(void)
{
    g_autoptr(GError) err = NULL;
    TestTree *tree = g_new0(TestTree, 1);

    tree->root = g_dir_make_tmp("vgm-nodetest-XXXXXX", &err);
    g_assert_no_error(err);
    tree->sys = g_build_filename(tree->root, "sys", NULL);
    tree->proc = g_build_filename(tree->root, "proc", NULL);
    g_assert_cmpint(g_mkdir_with_parents(tree->proc, 0755), ==, 0);
    return tree;
}

/* Writes @contents to @base/@rel, creating the directories on the way. */
static void
testWrite(const char *base, const char *rel, const char *contents)
{
    g_autofree char *path = g_build_filename(base, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_file_set_contents(path, contents, -1, &err);
    g_assert_no_error(err);
}

static void
testWritef(const char *base, const char *rel, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
testWritef(const char *base, const char *rel, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    testWrite(base, rel, text);
}

/* cpuN/topology with the files given (NULL: leave the file out). */
static void
testCpu(const TestTree *tree, guint cpu, const char *package,
        const char *core, const char *siblings)
{
    g_autofree char *dir = g_strdup_printf("devices/system/cpu/cpu%u/topology", cpu);
    g_autofree char *full = g_build_filename(tree->sys, dir, NULL);

    g_assert_cmpint(g_mkdir_with_parents(full, 0755), ==, 0);
    if (package)
        testWritef(full, "physical_package_id", "%s\n", package);
    if (core)
        testWritef(full, "core_id", "%s\n", core);
    if (siblings)
        testWritef(full, "thread_siblings_list", "%s\n", siblings);
}

/* nodeN/cpuM, a link to the CPU directory as in the kernel's tree. */
static void
testNodeCpu(const TestTree *tree, guint node, guint cpu)
{
    g_autofree char *dir = g_strdup_printf("%s/devices/system/node/node%u",
                                           tree->sys, node);
    g_autofree char *link = g_strdup_printf("%s/cpu%u", dir, cpu);
    g_autofree char *target = g_strdup_printf("../../cpu/cpu%u", cpu);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_cmpint(symlink(target, link), ==, 0);
}

static const char testMeminfo[] =
    "MemTotal:       65536000 kB\n"
    "MemFree:        40000000 kB\n"
    "MemAvailable:   50000000 kB\n"
    "SwapCached:          77 kB\n"
    "Buffers:          123456 kB\n"
    "Cached:          9876543 kB\n"
    "Active:          1000000 kB\n"
    "HugePages_Total:       0\n";

/* /proc/stat of the 16-CPU host: cpuN has user N+1, nice 1, system 2N+1,
 * idle 1000+N, iowait N, irq 1, softirq 2. */
static void
testWriteStat(const TestTree *tree, guint ncpus, guint skip)
{
    g_autoptr(GString) stat = g_string_new("cpu  100 20 30 4000 50 6 7 8 0 0\n");
    guint i;

    for (i = 0; i < ncpus; i++) {
        if (i == skip)
            continue;
        g_string_append_printf(stat, "cpu%u %u 1 %u %u %u 1 2 0 0 0\n",
                               i, i + 1, 2 * i + 1, 1000 + i, i);
    }
    g_string_append(stat, "intr 12345 1 2 3 4 5\nctxt 999\nbtime 1700000000\n");
    testWrite(tree->proc, "stat", stat->str);
}

/*
 * The 2-socket, 4-core, 2-thread host: CPU t*8 + s*4 + c is thread t of
 * core c of socket s; socket s is NUMA node s. @offline (or -1) is a CPU
 * taken offline: not in "online", no topology directory, gone from its
 * sibling's list and from /proc/stat.
 */
static TestTree *
testBigHost(int offline, gboolean numa)
{
    TestTree *tree = testTreeNew();
    g_autoptr(GString) cpuinfo = g_string_new(NULL);
    guint s, c, t;

    for (t = 0; t < 2; t++) {
        for (s = 0; s < 2; s++) {
            for (c = 0; c < 4; c++) {
                guint cpu = t * 8 + s * 4 + c;
                guint first = s * 4 + c;
                g_autofree char *pkg = g_strdup_printf("%u", s);
                g_autofree char *core = g_strdup_printf("%u", c);
                g_autofree char *sibs = NULL;

                if ((int)first + 8 == offline)
                    sibs = g_strdup_printf("%u", first);
                else
                    sibs = g_strdup_printf("%u,%u", first, first + 8);
                if ((int)cpu != offline)
                    testCpu(tree, cpu, pkg, core, sibs);
                else
                    testWritef(tree->sys, "devices/system/cpu/cpu15/online", "0\n");
                if (numa)
                    testNodeCpu(tree, s, cpu);
            }
        }
    }
    testWrite(tree->sys, "devices/system/cpu/present", "0-15\n");
    testWrite(tree->sys, "devices/system/cpu/online",
              offline == 15 ? "0-14\n" : "0-15\n");
    testWrite(tree->sys, "devices/system/cpu/possible", "0-31\n");
    testWrite(tree->sys, "devices/system/cpu/kernel_max", "8191\n");
    testWrite(tree->sys, "devices/system/cpu/cpufreq/boost", "1\n");
    testWrite(tree->sys, "devices/system/cpu/cpuidle/current_driver", "intel_idle\n");
    if (numa) {
        testWrite(tree->sys, "devices/system/node/online", "0-1\n");
        testWrite(tree->sys, "devices/system/node/has_cpu", "0-1\n");
        testWrite(tree->sys, "devices/system/node/node0/cpulist", "0-3,8-11\n");
        testWrite(tree->sys, "devices/system/node/node0/meminfo",
                  "Node 0 MemTotal:       32768000 kB\n"
                  "Node 0 MemFree:        20000000 kB\n"
                  "Node 0 MemUsed:        12768000 kB\n"
                  "Node 0 FilePages:       4000000 kB\n");
        testWrite(tree->sys, "devices/system/node/node1/meminfo",
                  "Node 1 MemTotal:       32768000 kB\n"
                  "Node 1 MemFree:        19999999 kB\n"
                  "Node 1 MemUsed:        12768001 kB\n");
    }

    for (c = 0; c < 16; c++) {
        if ((int)c == offline)
            continue;
        g_string_append_printf(cpuinfo,
                               "processor\t: %u\nvendor_id\t: GenuineIntel\n"
                               "model name\t: Fake CPU\ncpu MHz\t\t: %s\n"
                               "cache size\t: 1024 KB\n\n",
                               c, c >= 14 ? "3100.512" : "2400.000");
    }
    testWrite(tree->proc, "cpuinfo", cpuinfo->str);
    testWrite(tree->proc, "meminfo", testMeminfo);
    testWriteStat(tree, 16, offline >= 0 ? (guint)offline : G_MAXUINT);
    return tree;
}

static void
testCheckInfo(const VgmNodeInfo *info, const char *model, guint64 memoryKiB,
              guint cpus, guint mhz, guint nodes, guint sockets, guint cores,
              guint threads)
{
    g_assert_cmpstr(info->model, ==, model);
    g_assert_cmpuint(info->memoryKiB, ==, memoryKiB);
    g_assert_cmpuint(info->cpus, ==, cpus);
    g_assert_cmpuint(info->mhz, ==, mhz);
    g_assert_cmpuint(info->nodes, ==, nodes);
    g_assert_cmpuint(info->sockets, ==, sockets);
    g_assert_cmpuint(info->cores, ==, cores);
    g_assert_cmpuint(info->threads, ==, threads);
}

static guint64
testNsPerTick(void)
{
    return G_GUINT64_CONSTANT(1000000000) / (guint64)sysconf(_SC_CLK_TCK);
}

static void
testCheckStat(GArray *stats, guint i, const char *field, guint64 value)
{
    g_assert_cmpuint(i, <, stats->len);
    g_assert_cmpstr(g_array_index(stats, VgmNodeStat, i).field, ==, field);
    g_assert_cmpuint(g_array_index(stats, VgmNodeStat, i).value, ==, value);
}

static void
testCheckCpuStats(GArray *stats, guint64 kernel, guint64 user, guint64 idle,
                  guint64 iowait)
{
    guint64 ns = testNsPerTick();

    g_assert_nonnull(stats);
    g_assert_cmpuint(stats->len, ==, VGM_NODE_CPU_STATS_COUNT);
    testCheckStat(stats, 0, "kernel", kernel * ns);
    testCheckStat(stats, 1, "user", user * ns);
    testCheckStat(stats, 2, "idle", idle * ns);
    testCheckStat(stats, 3, "iowait", iowait * ns);
}

static void
testCheckError(GError *err, int code, const char *message)
{
    g_assert_error(err, VGM_ERROR, code);
    g_assert_cmpstr(err->message, ==, message);
}


/* ---- the 2x4x2 host ---- */

static void
testBigInfo(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(TestTree) flat = testBigHost(-1, FALSE);
    g_autoptr(GError) err = NULL;
    VgmNodeInfo info;

    g_assert_true(vgmNodeGetInfoArch("x86_64", tree->sys, tree->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 65536000, 16, 3100, 2, 1, 4, 2);

    /* without NUMA, the whole cpu directory is one node of two sockets */
    g_assert_true(vgmNodeGetInfoArch("x86_64", flat->sys, flat->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 65536000, 16, 3100, 1, 2, 4, 2);

    /* the host's own arch is the model */
    g_assert_true(vgmNodeGetInfo(tree->sys, tree->proc, &info, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(info.model, ==, vgmHostArch());
    g_assert_cmpuint(info.cpus, ==, 16);
}

static void
testBigCpuMap(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(GError) err = NULL;
    g_autofree guint8 *map = NULL;
    guint mapLen = 0, online = 0, present = 0;

    g_assert_true(vgmNodeGetCPUMap(tree->sys, &map, &mapLen, &online, &present, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(present, ==, 16);
    g_assert_cmpuint(online, ==, 16);
    g_assert_cmpuint(mapLen, ==, 2);
    g_assert_cmphex(map[0], ==, 0xff);
    g_assert_cmphex(map[1], ==, 0xff);

    /* every output is optional */
    present = 0;
    g_assert_true(vgmNodeGetCPUMap(tree->sys, NULL, NULL, NULL, &present, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(present, ==, 16);

    /* a gap in the present CPUs: the count is the highest id plus one */
    testWrite(tree->sys, "devices/system/cpu/present", "0-3,8-9\n");
    testWrite(tree->sys, "devices/system/cpu/online", "0-2,8-9\n");
    g_clear_pointer(&map, g_free);
    g_assert_true(vgmNodeGetCPUMap(tree->sys, &map, &mapLen, &online, &present, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(present, ==, 10);
    g_assert_cmpuint(online, ==, 5);
    g_assert_cmpuint(mapLen, ==, 2);
    g_assert_cmphex(map[0], ==, 0x07);
    g_assert_cmphex(map[1], ==, 0x03);
}

static void
testBigCpuStats(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) all = NULL;
    g_autoptr(GArray) cpu0 = NULL;
    g_autoptr(GArray) cpu1 = NULL;
    g_autoptr(GArray) cpu10 = NULL;
    g_autoptr(GArray) old = NULL;
    g_autoptr(GArray) none = NULL;

    all = vgmNodeGetCPUStats(tree->proc, VGM_NODE_CPU_STATS_ALL_CPUS, &err);
    g_assert_no_error(err);
    /* kernel = system + irq + softirq, user = user + nice */
    testCheckCpuStats(all, 30 + 6 + 7, 100 + 20, 4000, 50);

    cpu0 = vgmNodeGetCPUStats(tree->proc, 0, &err);
    g_assert_no_error(err);
    testCheckCpuStats(cpu0, 1 + 1 + 2, 1 + 1, 1000, 0);
    cpu1 = vgmNodeGetCPUStats(tree->proc, 1, &err);
    g_assert_no_error(err);
    testCheckCpuStats(cpu1, 3 + 1 + 2, 2 + 1, 1001, 1);
    cpu10 = vgmNodeGetCPUStats(tree->proc, 10, &err);
    g_assert_no_error(err);
    testCheckCpuStats(cpu10, 21 + 1 + 2, 11 + 1, 1010, 10);

    /* CPU 1 offline: the cpu10 line is not CPU 1's */
    testWrite(tree->proc, "stat", "cpu  1 2 3 4 5 6 7\ncpu0 1 2 3 4 5 6 7\n"
              "cpu10 1 2 3 4 5 6 7\n");
    none = vgmNodeGetCPUStats(tree->proc, 1, &err);
    g_assert_null(none);
    testCheckError(err, VGM_ERR_INVALID_ARG, "Invalid cpuNum in vgmNodeGetCPUStats");
    g_clear_error(&err);

    /* a kernel that gives only user, nice, system, idle */
    testWrite(tree->proc, "stat", "cpu  5 6 7 8\ncpu0 5 6 7 8\n");
    old = vgmNodeGetCPUStats(tree->proc, VGM_NODE_CPU_STATS_ALL_CPUS, &err);
    g_assert_no_error(err);
    testCheckCpuStats(old, 7, 11, 8, 0);

    /* too few numbers is no line for that CPU */
    testWrite(tree->proc, "stat", "cpu  5 6 7\n");
    none = vgmNodeGetCPUStats(tree->proc, VGM_NODE_CPU_STATS_ALL_CPUS, &err);
    g_assert_null(none);
    testCheckError(err, VGM_ERR_INVALID_ARG, "Invalid cpuNum in vgmNodeGetCPUStats");
}

static void
testBigMemory(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) all = NULL;
    g_autoptr(GArray) cell0 = NULL;
    g_autoptr(GArray) cell1 = NULL;
    g_autoptr(GArray) bad = NULL;
    guint64 bytes = 0;

    all = vgmNodeGetMemoryStats(tree->sys, tree->proc,
                                VGM_NODE_MEMORY_STATS_ALL_CELLS, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(all->len, ==, VGM_NODE_MEMORY_STATS_COUNT_ALL);
    testCheckStat(all, 0, "total", 65536000);
    testCheckStat(all, 1, "free", 40000000);
    testCheckStat(all, 2, "buffers", 123456);
    testCheckStat(all, 3, "cached", 9876543);

    cell0 = vgmNodeGetMemoryStats(tree->sys, tree->proc, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(cell0->len, ==, VGM_NODE_MEMORY_STATS_COUNT_CELL);
    testCheckStat(cell0, 0, "total", 32768000);
    testCheckStat(cell0, 1, "free", 20000000);
    cell1 = vgmNodeGetMemoryStats(tree->sys, tree->proc, 1, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(cell1->len, ==, 2);
    testCheckStat(cell1, 0, "total", 32768000);
    testCheckStat(cell1, 1, "free", 19999999);

    bad = vgmNodeGetMemoryStats(tree->sys, tree->proc, 2, &err);
    g_assert_null(bad);
    testCheckError(err, VGM_ERR_INVALID_ARG,
                   "cellNum in vgmNodeGetMemoryStats must be less than or equal to 1");
    g_clear_error(&err);
    bad = vgmNodeGetMemoryStats(tree->sys, tree->proc, -2, &err);
    g_assert_null(bad);
    testCheckError(err, VGM_ERR_INVALID_ARG,
                   "cellNum in vgmNodeGetMemoryStats only accepts -1 as a negative value");
    g_clear_error(&err);

    g_assert_true(vgmNodeGetFreeMemory(tree->proc, &bytes, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(bytes, ==, G_GUINT64_CONSTANT(40000000) * 1024);
}


/* virNodeGetCellsFreeMemory and virNodeGetFreePages of the two-node host
 * (2 MiB pages: 7 free on node 0, 3 on node 1; no 1 GiB pool), and of the
 * same host without NUMA (one cell, the whole host) */
static void
testFreeCells(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(TestTree) flat = testBigHost(-1, FALSE);
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) cells = NULL;
    g_autoptr(GArray) one = NULL;
    g_autoptr(GArray) pages = NULL;
    g_autoptr(GArray) flatPages = NULL;
    g_autoptr(GArray) bad = NULL;
    unsigned int sizes[2] = { (unsigned int)(sysconf(_SC_PAGESIZE) / 1024), 2048 };
    unsigned int gib = 1048576;

    testWrite(tree->sys, "devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages",
              "7\n");
    testWrite(tree->sys, "devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages",
              "3\n");
    testWrite(flat->sys, "kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "10\n");

    cells = vgmNodeGetCellsFreeMemory(tree->sys, tree->proc, 0, 8, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(cells->len, ==, 2);
    g_assert_cmpuint(g_array_index(cells, guint64, 0), ==, G_GUINT64_CONSTANT(20000000) * 1024);
    g_assert_cmpuint(g_array_index(cells, guint64, 1), ==, G_GUINT64_CONSTANT(19999999) * 1024);
    one = vgmNodeGetCellsFreeMemory(flat->sys, flat->proc, 0, 1, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(one->len, ==, 1);
    g_assert_cmpuint(g_array_index(one, guint64, 0), ==, G_GUINT64_CONSTANT(40000000) * 1024);
    bad = vgmNodeGetCellsFreeMemory(tree->sys, tree->proc, 2, 1, &err);
    g_assert_null(bad);
    testCheckError(err, VGM_ERR_INVALID_ARG, "start cell 2 out of range (0-1)");
    g_clear_error(&err);

    pages = vgmNodeGetFreePages(tree->sys, tree->proc, sizes, 2, 0, 2, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(pages->len, ==, 4);
    g_assert_cmpuint(g_array_index(pages, guint64, 0), ==, 20000000 / sizes[0]);
    g_assert_cmpuint(g_array_index(pages, guint64, 1), ==, 7);
    g_assert_cmpuint(g_array_index(pages, guint64, 2), ==, 19999999 / sizes[0]);
    g_assert_cmpuint(g_array_index(pages, guint64, 3), ==, 3);
    flatPages = vgmNodeGetFreePages(flat->sys, flat->proc, sizes, 2, 0, 1, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(flatPages->len, ==, 2);
    g_assert_cmpuint(g_array_index(flatPages, guint64, 0), ==, 40000000 / sizes[0]);
    g_assert_cmpuint(g_array_index(flatPages, guint64, 1), ==, 10);
    g_clear_pointer(&bad, g_array_unref);
    bad = vgmNodeGetFreePages(tree->sys, tree->proc, &gib, 1, 0, 1, &err);
    g_assert_null(bad);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_assert_true(strstr(err->message, "pages of 1048576 KiB are not available") != NULL);
}

/* The number in @base/@rel */
static guint64
testReadCount(const char *base, const char *rel)
{
    g_autofree char *path = g_build_filename(base, rel, NULL);
    g_autofree char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return g_ascii_strtoull(text, NULL, 10);
}

#define NODE0_2M "devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"
#define NODE1_2M "devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"
#define NODE1_1G "devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages"
#define HOST_2M "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

/* virNodeAllocPages on the fake trees: set and add on each cell, one cell,
 * the host's pool (cell -1, and cell 0 of a host without NUMA); refused
 * with no pool changed: a size one cell lacks (after another pool of the
 * same call was read), the system page size, a cell out of range, no
 * size or no cell */
static void
testAllocPages(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(TestTree) flat = testBigHost(-1, FALSE);
    g_autoptr(GError) err = NULL;
    unsigned int two[] = { 2048 };
    unsigned int both[] = { 2048, 1048576 };
    guint64 counts[] = { 5, 1 };
    unsigned int sys = (unsigned int)(sysconf(_SC_PAGESIZE) / 1024);
    int n;

    testWrite(tree->sys, NODE0_2M, "1\n");
    testWrite(tree->sys, NODE1_2M, "0\n");
    testWrite(tree->sys, NODE1_1G, "0\n");
    testWrite(tree->sys, HOST_2M, "1\n");
    testWrite(flat->sys, HOST_2M, "2\n");

    /* set on both cells, then add on cell 1 only */
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 1, 0, 2, FALSE, &err), ==, 2);
    g_assert_no_error(err);
    g_assert_cmpuint(testReadCount(tree->sys, NODE0_2M), ==, 5);
    g_assert_cmpuint(testReadCount(tree->sys, NODE1_2M), ==, 5);
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 1, 1, 1, TRUE, &err), ==, 1);
    g_assert_no_error(err);
    g_assert_cmpuint(testReadCount(tree->sys, NODE0_2M), ==, 5);
    g_assert_cmpuint(testReadCount(tree->sys, NODE1_2M), ==, 10);
    /* the host's pool, of no cell */
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 1, -1, 1, FALSE, &err), ==, 1);
    g_assert_no_error(err);
    g_assert_cmpuint(testReadCount(tree->sys, HOST_2M), ==, 5);
    /* without NUMA, cell 0 is the host's pool */
    g_assert_cmpint(vgmNodeAllocPages(flat->sys, two, counts, 1, 0, 1, TRUE, &err), ==, 1);
    g_assert_no_error(err);
    g_assert_cmpuint(testReadCount(flat->sys, HOST_2M), ==, 7);

    /* 1 GiB pages exist on cell 1 only: cell 0's 2 MiB pool, read first,
     * is not changed */
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, both, counts, 2, 0, 2, FALSE, &err), ==, -1);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_true(strstr(err->message, "pages of 1048576 KiB are not available on cell 0") != NULL);
    g_clear_error(&err);
    g_assert_cmpuint(testReadCount(tree->sys, NODE0_2M), ==, 5);
    g_assert_cmpuint(testReadCount(tree->sys, NODE1_2M), ==, 10);
    n = vgmNodeAllocPages(tree->sys, both, counts, 2, 1, 1, FALSE, &err);
    g_assert_no_error(err);
    g_assert_cmpint(n, ==, 2);
    g_assert_cmpuint(testReadCount(tree->sys, NODE1_2M), ==, 5);
    g_assert_cmpuint(testReadCount(tree->sys, NODE1_1G), ==, 1);

    {
        unsigned int twice[] = { 2048, 2048 };
        guint64 huge[] = { G_MAXUINT64 };

        g_assert_cmpint(vgmNodeAllocPages(tree->sys, twice, counts, 2, 0, 1, TRUE, &err), ==, -1);
        testCheckError(err, VGM_ERR_INVALID_ARG, "page size 2048 KiB is given twice");
        g_clear_error(&err);
        g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, huge, 1, 0, 1, TRUE, &err), ==, -1);
        g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
        g_clear_error(&err);
    }
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, &sys, counts, 1, 0, 1, FALSE, &err), ==, -1);
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_SUPPORT);
    g_clear_error(&err);
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 1, 2, 1, FALSE, &err), ==, -1);
    testCheckError(err, VGM_ERR_INVALID_ARG,
                   "start cell 2 out of range (0-1, or -1 for the host's pools)");
    g_clear_error(&err);
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 1, -2, 1, FALSE, &err), ==, -1);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 0, 0, 1, FALSE, &err), ==, -1);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_cmpint(vgmNodeAllocPages(tree->sys, two, counts, 1, 0, 0, FALSE, &err), ==, -1);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_clear_error(&err);
    g_assert_cmpuint(testReadCount(tree->sys, NODE0_2M), ==, 5);
    g_assert_cmpuint(testReadCount(tree->sys, NODE1_2M), ==, 5);
}

/* The kernel's same-page merging on a fake tree: each file read, one the
 * kernel lacks not found (no error); written, and a write naming a file
 * the kernel lacks refused (OPERATION_INVALID) with nothing written */
static void
testKsm(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, TRUE);
    g_autoptr(GError) err = NULL;
    static const char *const files[] = {
        "pages_to_scan", "sleep_millisecs", "pages_shared", "pages_sharing",
        "pages_unshared", "pages_volatile", "full_scans",
    };
    VgmNodeKsmField set[] = { VGM_NODE_KSM_PAGES_TO_SCAN, VGM_NODE_KSM_SLEEP_MILLISECS };
    VgmNodeKsmField bad[] = { VGM_NODE_KSM_PAGES_TO_SCAN, VGM_NODE_KSM_MERGE_ACROSS_NODES };
    guint64 values[] = { 250, 40 };
    guint64 v;
    gboolean found;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *rel = g_strdup_printf("kernel/mm/ksm/%s", files[i]);

        testWritef(tree->sys, rel, "%zu\n", 100 + i);
    }
    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_assert_true(vgmNodeKsmRead(tree->sys, (VgmNodeKsmField)i, &v, &found, &err));
        g_assert_no_error(err);
        g_assert_true(found);
        g_assert_cmpuint(v, ==, 100 + i);
    }
    /* (no merge_across_nodes, as on a kernel without NUMA) */
    g_assert_true(vgmNodeKsmRead(tree->sys, VGM_NODE_KSM_MERGE_ACROSS_NODES, &v, &found, &err));
    g_assert_false(found);

    g_assert_true(vgmNodeKsmWrite(tree->sys, set, values, 2, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(testReadCount(tree->sys, "kernel/mm/ksm/pages_to_scan"), ==, 250);
    g_assert_cmpuint(testReadCount(tree->sys, "kernel/mm/ksm/sleep_millisecs"), ==, 40);
    values[0] = 7;
    g_assert_false(vgmNodeKsmWrite(tree->sys, bad, values, 2, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_INVALID);
    g_assert_true(strstr(err->message, "merge_across_nodes") != NULL);
    g_assert_cmpuint(testReadCount(tree->sys, "kernel/mm/ksm/pages_to_scan"), ==, 250);
}

/* ---- CPU 15 offline ---- */

static void
testOffline(void)
{
    g_autoptr(TestTree) tree = testBigHost(15, TRUE);
    g_autoptr(TestTree) flat = testBigHost(15, FALSE);
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) stats = NULL;
    g_autofree guint8 *map = NULL;
    guint mapLen = 0, online = 0, present = 0;
    VgmNodeInfo info;

    /* 15 online + 1 offline = 2 nodes x 1 socket x 4 cores x 2 threads */
    g_assert_true(vgmNodeGetInfoArch("x86_64", tree->sys, tree->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 65536000, 15, 3100, 2, 1, 4, 2);
    g_assert_true(vgmNodeGetInfoArch("x86_64", flat->sys, flat->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 65536000, 15, 3100, 1, 2, 4, 2);

    g_assert_true(vgmNodeGetCPUMap(tree->sys, &map, &mapLen, &online, &present, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(present, ==, 16);
    g_assert_cmpuint(online, ==, 15);
    g_assert_cmpuint(mapLen, ==, 2);
    g_assert_cmphex(map[0], ==, 0xff);
    g_assert_cmphex(map[1], ==, 0x7f);

    /* an offline CPU has no line in /proc/stat */
    stats = vgmNodeGetCPUStats(tree->proc, 15, &err);
    g_assert_null(stats);
    testCheckError(err, VGM_ERR_INVALID_ARG, "Invalid cpuNum in vgmNodeGetCPUStats");
    g_clear_error(&err);
    stats = vgmNodeGetCPUStats(tree->proc, 14, &err);
    g_assert_no_error(err);
    testCheckCpuStats(stats, 29 + 1 + 2, 15 + 1, 1014, 14);
}


/* ---- a non-uniform topology ---- */

static void
testNonUniform(void)
{
    g_autoptr(TestTree) tree = testTreeNew();
    g_autoptr(GError) err = NULL;
    VgmNodeInfo info;
    guint cpu;

    /* two P-cores with two threads (CPUs 0-3), four E-cores with one
     * (CPUs 4-7), CPU 8 present but offline, all in node 0 */
    testCpu(tree, 0, "0", "0", "0-1");
    testCpu(tree, 1, "0", "0", "0-1");
    testCpu(tree, 2, "0", "4", "2-3");
    testCpu(tree, 3, "0", "4", "2-3");
    for (cpu = 4; cpu < 8; cpu++) {
        g_autofree char *core = g_strdup_printf("%u", cpu + 4);
        g_autofree char *sibs = g_strdup_printf("%u", cpu);

        testCpu(tree, cpu, "0", core, sibs);
    }
    testWrite(tree->sys, "devices/system/cpu/cpu8/online", "0\n");
    for (cpu = 0; cpu < 9; cpu++)
        testNodeCpu(tree, 0, cpu);
    testWrite(tree->sys, "devices/system/cpu/present", "0-8\n");
    testWrite(tree->sys, "devices/system/cpu/online", "0-7\n");
    testWrite(tree->proc, "cpuinfo", "processor\t: 0\ncpu MHz\t\t: 800.000\n");
    testWrite(tree->proc, "meminfo", "MemTotal: 1024 kB\nMemFree: 512 kB\n");

    /* 1 x 1 x 6 x 2 = 12 is not 9: reported flat, offline CPU included */
    g_assert_true(vgmNodeGetInfoArch("x86_64", tree->sys, tree->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 1024, 8, 800, 1, 1, 9, 1);
}


/* ---- frequency and missing topology files ---- */

static TestTree *
testSmallHost(const char *cpuinfo)
{
    TestTree *tree = testTreeNew();
    guint cpu;

    /* four CPUs without any topology file, no cpufreq, no NUMA */
    for (cpu = 0; cpu < 4; cpu++) {
        g_autofree char *rel = g_strdup_printf("devices/system/cpu/cpu%u/uevent", cpu);

        testWrite(tree->sys, rel, "");
    }
    testWrite(tree->sys, "devices/system/cpu/present", "0-3\n");
    testWrite(tree->sys, "devices/system/cpu/online", "0-3\n");
    testWrite(tree->proc, "cpuinfo", cpuinfo);
    testWrite(tree->proc, "meminfo", "MemTotal: 2048 kB\nMemFree: 1024 kB\n");
    return tree;
}

static void
testFrequency(void)
{
    g_autoptr(TestTree) none = testSmallHost("processor\t: 0\nmodel name\t: QEMU Virtual CPU\n"
                                             "flags\t\t: fpu vme\n\nprocessor\t: 1\n");
    g_autoptr(TestTree) bad = testSmallHost("cpu MHz\t\t: 2400.000\ncpu MHz\t\t: 2500.5\n"
                                            "cpu MHz\t\t: fast\ncpu MHz\t\t: 2600.000\n");
    g_autoptr(TestTree) arm = testSmallHost("processor\t: 0\nBogoMIPS\t: 50.00\n"
                                            "cpu MHz\t\t: 2000.000\n");
    g_autoptr(TestTree) s390 = testSmallHost("cpu MHz static  : 5000\n"
                                             "cpu MHz dynamic : 5200\n");
    g_autoptr(TestTree) ppc = testSmallHost("processor\t: 0\ncpu\t\t: POWER9\n"
                                            "clock\t\t: 3800.000000MHz\n");
    g_autoptr(TestTree) gone = testSmallHost("");
    g_autofree char *gonePath = g_build_filename(gone->proc, "cpuinfo", NULL);
    g_autoptr(GError) err = NULL;
    VgmNodeInfo info;

    /* s390: two sockets of two CPUs, all with core_id 0 */
    testCpu(s390, 0, "0", "0", "0");
    testCpu(s390, 1, "0", "0", "1");
    testCpu(s390, 2, "1", "0", "2");
    testCpu(s390, 3, "1", "0", "3");

    /* no "cpu MHz" line: 0, not an error; no topology files: socket 0,
     * core 0, one thread each, which 1 x 1 x 1 x 1 cannot describe */
    g_assert_true(vgmNodeGetInfoArch("x86_64", none->sys, none->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 2048, 4, 0, 1, 1, 4, 1);

    /* a malformed line stops the scan; what was read before it stays */
    g_assert_true(vgmNodeGetInfoArch("i686", bad->sys, bad->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "i686", 2048, 4, 2500, 1, 1, 4, 1);

    /* Arm: libvirt reads no frequency */
    g_assert_true(vgmNodeGetInfoArch("aarch64", arm->sys, arm->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "aarch64", 2048, 4, 0, 1, 1, 4, 1);

    /* s390: "cpu MHz dynamic", and every CPU is its own core: 2 sockets
     * of 2 cores; elsewhere core_id 0 everywhere would be flattened */
    g_assert_true(vgmNodeGetInfoArch("s390x", s390->sys, s390->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "s390x", 2048, 4, 5200, 1, 2, 2, 1);
    g_assert_true(vgmNodeGetInfoArch("x86_64", s390->sys, s390->proc, &info, &err));
    g_assert_no_error(err);
    testCheckInfo(&info, "x86_64", 2048, 4, 0, 1, 1, 4, 1);

    g_assert_true(vgmNodeGetInfoArch("ppc64le", ppc->sys, ppc->proc, &info, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(info.mhz, ==, 3800);   /* the fraction and unit ignored */

    /* no /proc/cpuinfo at all is an error */
    g_assert_cmpint(g_unlink(gonePath), ==, 0);
    g_assert_false(vgmNodeGetInfoArch("x86_64", gone->sys, gone->proc, &info, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
}


/* ---- errors ---- */

static void
testErrors(void)
{
    g_autoptr(TestTree) tree = testBigHost(-1, FALSE);
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) stats = NULL;
    g_autoptr(GArray) cell0 = NULL;
    g_autoptr(GString) big = g_string_new(testMeminfo);
    g_autofree char *msg = NULL;
    g_autofree char *path = NULL;
    VgmNodeInfo info;
    guint64 bytes = 1;
    guint present = 0;

    stats = vgmNodeGetCPUStats(tree->proc, -2, &err);
    g_assert_null(stats);
    testCheckError(err, VGM_ERR_INVALID_ARG,
                   "cpuNum in vgmNodeGetCPUStats only accepts -1 as a negative value");
    g_clear_error(&err);
    stats = vgmNodeGetCPUStats(tree->proc, 16, &err);
    g_assert_null(stats);
    testCheckError(err, VGM_ERR_INVALID_ARG, "Invalid cpuNum in vgmNodeGetCPUStats");
    g_clear_error(&err);

    /* no NUMA: cell 0 is the whole host, cell 1 does not exist */
    cell0 = vgmNodeGetMemoryStats(tree->sys, tree->proc, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(cell0->len, ==, 4);
    testCheckStat(cell0, 0, "total", 65536000);
    testCheckStat(cell0, 3, "cached", 9876543);
    stats = vgmNodeGetMemoryStats(tree->sys, tree->proc, 1, &err);
    g_assert_null(stats);
    testCheckError(err, VGM_ERR_INVALID_ARG,
                   "cellNum in vgmNodeGetMemoryStats must be less than or equal to 0");
    g_clear_error(&err);

    /* a meminfo without the line asked for */
    testWrite(tree->proc, "meminfo", "MemTotal: 1 kB\n");
    g_assert_false(vgmNodeGetFreeMemory(tree->proc, &bytes, &err));
    g_assert_cmpuint(bytes, ==, 0);
    path = g_build_filename(tree->proc, "meminfo", NULL);
    msg = g_strdup_printf("no 'MemFree' line in '%s'", path);
    testCheckError(err, VGM_ERR_OPERATION_FAILED, msg);
    g_clear_error(&err);
    stats = vgmNodeGetMemoryStats(tree->sys, tree->proc, -1, &err);
    g_assert_null(stats);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_clear_error(&err);

    /* a meminfo over the size limit (1 MiB) */
    while (big->len <= 1024 * 1024)
        g_string_append(big, "Filler:                0 kB\n");
    testWrite(tree->proc, "meminfo", big->str);
    g_assert_false(vgmNodeGetFreeMemory(tree->proc, &bytes, &err));
    g_clear_pointer(&msg, g_free);
    msg = g_strdup_printf("file '%s' is larger than the limit of 1048576 bytes", path);
    testCheckError(err, VGM_ERR_OPERATION_FAILED, msg);
    g_clear_error(&err);

    /* a missing meminfo */
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_false(vgmNodeGetInfoArch("x86_64", tree->sys, tree->proc, &info, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    g_assert_nonnull(strstr(err->message, path));
    g_clear_error(&err);

    /* a CPU list that is not one */
    testWrite(tree->sys, "devices/system/cpu/present", "0-x\n");
    g_assert_false(vgmNodeGetCPUMap(tree->sys, NULL, NULL, NULL, &present, &err));
    g_clear_pointer(&msg, g_free);
    g_clear_pointer(&path, g_free);
    path = g_build_filename(tree->sys, "devices/system/cpu/present", NULL);
    msg = g_strdup_printf("cannot parse the CPU list '0-x' in '%s'", path);
    testCheckError(err, VGM_ERR_OPERATION_FAILED, msg);
}


/* ---- host name ---- */

static void
testHostname(void)
{
    static const struct {
        const char *name;
        const char *hosts;
        const char *expect;
    } cases[] = {
        { "vm", "127.0.0.1 localhost\n127.0.1.1 vm.example.org vm # me\n",
          "vm.example.org" },
        { "VM", "127.0.1.1\tvm.example.org\tvm\n", "vm.example.org" },
        { "vm", "127.0.0.1 localhost vm\n", "vm" },
        { "vm", "127.0.0.1 localhost.localdomain vm\n", "vm" },
        { "vm", "# 10.0.0.1 vm.bad vm\n10.0.0.2\tvm.good\tvm\n10.0.0.3 vm.late vm\n",
          "vm.good" },
        { "vm", "10.0.0.1 vmx.example vmx\n10.0.0.4\n", "vm" },
        { "vm", "10.0.0.5 vm\n", "vm" },
        { "vm", "10.0.0.6 vm.example.org\n", "vm" },
        { "vm", "", "vm" },
        { "vm", NULL, "vm" },
        { "host.example.com", "10.0.0.1 other.example.com host.example.com\n",
          "host.example.com" },
        { "localhost", "127.0.0.1 localhost.localdomain localhost\n", "localhost" },
        { "localhost6", "::1 ip6-localhost.example localhost6\n", "localhost6" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = vgmNodeCanonicalHostname(cases[i].name, cases[i].hosts);

        g_assert_cmpstr(got, ==, cases[i].expect);
    }
}


/* ---- the real host ---- */

static void
testRealHost(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) all = NULL;
    g_autoptr(GArray) all2 = NULL;
    g_autoptr(GArray) mine = NULL;
    g_autoptr(GArray) bad = NULL;
    g_autoptr(GArray) mem = NULL;
    g_autoptr(GArray) cell0 = NULL;
    g_autofree guint8 *map = NULL;
    guint mapLen = 0, online = 0, present = 0, bits = 0, i;
    long onln = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES);
    long avail = sysconf(_SC_AVPHYS_PAGES);
    long pagesize = sysconf(_SC_PAGESIZE);
    int here = sched_getcpu();
    guint64 freeBytes = 0;
    guint64 product;
    guint64 sysFree;
    VgmNodeInfo info;

    g_assert_true(vgmNodeGetInfo(NULL, NULL, &info, &err));
    g_assert_no_error(err);
    g_test_message("host: %s, %" G_GUINT64_FORMAT " KiB, %u CPUs at %u MHz, "
                   "%u nodes x %u sockets x %u cores x %u threads",
                   info.model, info.memoryKiB, info.cpus, info.mhz,
                   info.nodes, info.sockets, info.cores, info.threads);
    g_assert_cmpstr(info.model, ==, vgmHostArch());
    g_assert_cmpint(info.cpus, ==, onln);
    g_assert_cmpuint(info.memoryKiB * 1024, ==, (guint64)pages * (guint64)pagesize);

    g_assert_true(vgmNodeGetCPUMap(NULL, &map, &mapLen, &online, &present, &err));
    g_assert_no_error(err);
    g_assert_cmpint(online, ==, onln);
    g_assert_cmpuint(present, >=, online);
    g_assert_cmpuint(mapLen, ==, (present + 7) / 8);
    for (i = 0; i < present; i++)
        bits += (map[i / 8] >> (i % 8)) & 1;
    g_assert_cmpuint(bits, ==, online);

    /* the topology is uniform or flat: it counts the online CPUs and at
     * most every present one */
    product = (guint64)info.nodes * info.sockets * info.cores * info.threads;
    g_assert_cmpuint(product, >=, info.cpus);
    g_assert_cmpuint(product, <=, present);

    all = vgmNodeGetCPUStats(NULL, VGM_NODE_CPU_STATS_ALL_CPUS, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(all->len, ==, 4);
    g_assert_cmpstr(g_array_index(all, VgmNodeStat, 0).field, ==, "kernel");
    g_assert_cmpstr(g_array_index(all, VgmNodeStat, 3).field, ==, "iowait");
    g_assert_cmpuint(g_array_index(all, VgmNodeStat, 0).value +
                     g_array_index(all, VgmNodeStat, 1).value +
                     g_array_index(all, VgmNodeStat, 2).value, >, 0);
    all2 = vgmNodeGetCPUStats(NULL, VGM_NODE_CPU_STATS_ALL_CPUS, &err);
    g_assert_no_error(err);
    for (i = 0; i < 4; i++)
        g_assert_cmpuint(g_array_index(all2, VgmNodeStat, i).value, >=,
                         g_array_index(all, VgmNodeStat, i).value);

    if (here >= 0) {
        g_assert_true((map[here / 8] >> (here % 8)) & 1);
        mine = vgmNodeGetCPUStats(NULL, here, &err);
        g_assert_no_error(err);
        g_assert_cmpuint(mine->len, ==, 4);
    }
    bad = vgmNodeGetCPUStats(NULL, (int)present, &err);
    g_assert_null(bad);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_clear_error(&err);

    mem = vgmNodeGetMemoryStats(NULL, NULL, VGM_NODE_MEMORY_STATS_ALL_CELLS, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(mem->len, ==, 4);
    testCheckStat(mem, 0, "total", info.memoryKiB);
    for (i = 1; i < 4; i++)
        g_assert_cmpuint(g_array_index(mem, VgmNodeStat, i).value, <=, info.memoryKiB);
    cell0 = vgmNodeGetMemoryStats(NULL, NULL, 0, &err);
    g_assert_no_error(err);
    g_assert_true(cell0->len == 2 || cell0->len == 4);
    g_assert_cmpuint(g_array_index(cell0, VgmNodeStat, 0).value, >, 0);

    /* free memory moves; sysconf reads the same counter a moment apart */
    g_assert_true(vgmNodeGetFreeMemory(NULL, &freeBytes, &err));
    g_assert_no_error(err);
    sysFree = (guint64)avail * (guint64)pagesize;
    g_assert_cmpuint(freeBytes, >, 0);
    g_assert_cmpuint(freeBytes, <=, info.memoryKiB * 1024);
    g_assert_cmpuint(freeBytes > sysFree ? freeBytes - sysFree : sysFree - freeBytes,
                     <=, info.memoryKiB * 1024 / 8);
}

static void
testRealHostname(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *name = vgmNodeGetHostname(&err);
    g_autofree char *hosts = NULL;
    g_autofree char *expect = NULL;
    char shortName[256] = "";

    g_assert_no_error(err);
    g_assert_nonnull(name);
    g_assert_cmpint(gethostname(shortName, sizeof(shortName) - 1), ==, 0);
    g_test_message("host name: %s (gethostname: %s)", name, shortName);
    if (!g_file_get_contents("/etc/hosts", &hosts, NULL, NULL))
        hosts = NULL;
    expect = vgmNodeCanonicalHostname(shortName, hosts);
    g_assert_cmpstr(name, ==, expect);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/node/fake/info", testBigInfo);
    g_test_add_func("/node/fake/cpumap", testBigCpuMap);
    g_test_add_func("/node/fake/cpustats", testBigCpuStats);
    g_test_add_func("/node/fake/memory", testBigMemory);
    g_test_add_func("/node/fake/free-cells", testFreeCells);
    g_test_add_func("/node/fake/alloc-pages", testAllocPages);
    g_test_add_func("/node/fake/ksm", testKsm);
    g_test_add_func("/node/fake/offline", testOffline);
    g_test_add_func("/node/fake/non-uniform", testNonUniform);
    g_test_add_func("/node/fake/frequency", testFrequency);
    g_test_add_func("/node/fake/errors", testErrors);
    g_test_add_func("/node/hostname/canonical", testHostname);
    g_test_add_func("/node/real/host", testRealHost);
    g_test_add_func("/node/real/hostname", testRealHostname);

    return g_test_run();
}
