/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmnode.c: node information, CPU map, CPU and memory statistics, free
 * memory and host name, read from /proc, /sys and /etc/hosts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "vgmnode.h"
#include "vgmhost.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

/* Size limits of what we read. /proc/cpuinfo grows with the CPU count
 * (a few KiB per CPU) and /proc/stat's "intr" line with the IRQ count. */
#define VGM_NODE_PROC_MAX (64 * 1024 * 1024)
#define VGM_NODE_MEMINFO_MAX (1024 * 1024)
#define VGM_NODE_SYSFS_MAX (64 * 1024)
#define VGM_NODE_HOSTS_MAX (1024 * 1024)

/* Highest CPU id we accept plus one (Linux's NR_CPUS is at most 8192). */
#define VGM_NODE_CPU_LIMIT 65536

#ifndef HOST_NAME_MAX
# define HOST_NAME_MAX 255
#endif


/* ---- paths and small files ---- */

static char *
vgmNodeSysPath(const char *sysfs, const char *rel)
{
    return g_build_filename(sysfs ? sysfs : "/sys", "devices", "system",
                            rel, NULL);
}

static char *
vgmNodeProcPath(const char *procfs, const char *rel)
{
    return g_build_filename(procfs ? procfs : "/proc", rel, NULL);
}

/* Reads the integer in @path into *@value; a missing file sets *@found to
 * FALSE and is not an error. */
static gboolean
vgmNodeReadInt(const char *path, int *value, gboolean *found, GError **error)
{
    g_autofree char *text = NULL;

    *found = FALSE;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return TRUE;
    if (!vgmFileReadAll(path, VGM_NODE_SYSFS_MAX, &text, NULL, error))
        return FALSE;
    if (!vgmStrToInt(g_strstrip(text), value)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot parse '%1$s' as a number in '%2$s'"), text, path);
        return FALSE;
    }
    *found = TRUE;
    return TRUE;
}

/* Parses a decimal CPU id at *@p, advancing *@p past it. */
static gboolean
vgmNodeParseCpuId(const char **p, guint *id)
{
    const char *s = *p;
    guint v = 0;

    if (!g_ascii_isdigit(*s))
        return FALSE;
    while (g_ascii_isdigit(*s)) {
        v = v * 10 + (guint)(*s - '0');
        if (v >= VGM_NODE_CPU_LIMIT)
            return FALSE;
        s++;
    }
    *id = v;
    *p = s;
    return TRUE;
}

/*
 * Parses the kernel's CPU list format ("0-3,8,10-11", or "" for none)
 * into a set: data[i] is 1 when CPU i is in it, len is the highest CPU
 * id plus one (0 for the empty set).
 */
static GByteArray *
vgmNodeParseCpuList(const char *text, const char *path, GError **error)
{
    g_autoptr(GByteArray) set = g_byte_array_new();
    g_autofree char *copy = g_strstrip(g_strdup(text));
    const char *p = copy;

    while (*p) {
        guint start;
        guint end;
        guint i;

        if (!vgmNodeParseCpuId(&p, &start))
            goto error;
        end = start;
        if (*p == '-') {
            p++;
            if (!vgmNodeParseCpuId(&p, &end) || end < start)
                goto error;
        }
        if (set->len <= end) {
            guint old = set->len;

            g_byte_array_set_size(set, end + 1);
            memset(set->data + old, 0, end + 1 - old);
        }
        for (i = start; i <= end; i++)
            set->data[i] = 1;
        if (*p == ',') {
            p++;
            if (!*p)
                goto error;
        } else if (*p) {
            goto error;
        }
    }
    return g_steal_pointer(&set);

 error:
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("cannot parse the CPU list '%1$s' in '%2$s'"), copy, path);
    return NULL;
}

static GByteArray *
vgmNodeReadCpuList(const char *path, GError **error)
{
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, VGM_NODE_SYSFS_MAX, &text, NULL, error))
        return NULL;
    return vgmNodeParseCpuList(text, path, error);
}

static gboolean
vgmNodeCpuSetHas(const GByteArray *set, guint cpu)
{
    return cpu < set->len && set->data[cpu];
}

static guint
vgmNodeCpuSetCount(const GByteArray *set)
{
    guint i;
    guint n = 0;

    for (i = 0; i < set->len; i++)
        n += set->data[i] ? 1 : 0;
    return n;
}

/* The CPU id of a directory entry "cpuN" (digits only after "cpu"). */
static gboolean
vgmNodeEntryId(const char *name, const char *prefix, guint *id)
{
    const char *p;

    if (!g_str_has_prefix(name, prefix))
        return FALSE;
    p = name + strlen(prefix);
    return vgmNodeParseCpuId(&p, id) && *p == '\0';
}


/* ---- files of lines ---- */

/* Called for each line (without its newline); returns 1 to go on, 0 to
 * stop, -1 on error (with *error set). */
typedef int (*VgmNodeLineFunc)(const char *line, gpointer opaque,
                               GError **error);

/*
 * Calls @func for each line of @path, reading it in chunks: what is held
 * in memory at a time is one line, and a file (or line) longer than
 * @maxBytes is an error.
 */
static gboolean
vgmNodeForEachLine(const char *path, gsize maxBytes, VgmNodeLineFunc func,
                   gpointer opaque, GError **error)
{
    g_autoptr(GString) pending = g_string_new(NULL);
    char chunk[4096];
    gsize total = 0;
    gboolean ok = TRUE;
    gboolean done = FALSE;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open '%1$s'"), path);
        return FALSE;
    }

    while (!done) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        gsize start = 0;
        char *nl;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            vgmErrorSetSystem(error, errno, _("cannot read '%1$s'"), path);
            ok = FALSE;
            break;
        }
        if (n == 0) {
            /* a last line without a newline */
            if (pending->len > 0 && func(pending->str, opaque, error) < 0)
                ok = FALSE;
            break;
        }
        if ((gsize)n > maxBytes - total) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("file '%1$s' is larger than the limit of %2$llu bytes"),
                        path, (unsigned long long)maxBytes);
            ok = FALSE;
            break;
        }
        total += n;
        g_string_append_len(pending, chunk, n);

        while ((nl = memchr(pending->str + start, '\n', pending->len - start))) {
            int rc;

            *nl = '\0';
            rc = func(pending->str + start, opaque, error);
            start = nl - pending->str + 1;
            if (rc <= 0) {
                ok = rc == 0;
                done = TRUE;
                break;
            }
        }
        g_string_erase(pending, 0, start);
    }

    close(fd);
    return ok;
}

/* Parses up to @max unsigned numbers separated by blanks at @p; returns
 * how many were read before the first thing that is not one. */
static int
vgmNodeParseNumbers(const char *p, guint64 *values, int max)
{
    int n = 0;

    while (n < max) {
        char *end;
        guint64 v;

        while (*p == ' ' || *p == '\t')
            p++;
        if (!g_ascii_isdigit(*p))
            break;
        errno = 0;
        v = g_ascii_strtoull(p, &end, 10);
        if (errno != 0 || (*end && *end != ' ' && *end != '\t'))
            break;
        values[n++] = v;
        p = end;
    }
    return n;
}


/* ---- meminfo ---- */

/* The number of kB of the "@name:" line of a meminfo text (with or without
 * a "Node N " prefix); FALSE when there is no such line. */
static gboolean
vgmNodeMeminfoValue(const char *text, const char *name, guint64 *kib)
{
    gsize nameLen = strlen(name);
    const char *line = text;

    while (line && *line) {
        const char *next = strchr(line, '\n');
        const char *p = line;

        if (g_str_has_prefix(p, "Node ")) {
            p += strlen("Node ");
            while (g_ascii_isdigit(*p))
                p++;
            while (*p == ' ')
                p++;
        }
        if (strncmp(p, name, nameLen) == 0 && p[nameLen] == ':') {
            guint64 v;

            if (vgmNodeParseNumbers(p + nameLen + 1, &v, 1) == 1) {
                *kib = v;
                return TRUE;
            }
        }
        line = next ? next + 1 : NULL;
    }
    return FALSE;
}

static gboolean
vgmNodeMeminfoRead(const char *path, char **text, GError **error)
{
    return vgmFileReadAll(path, VGM_NODE_MEMINFO_MAX, text, NULL, error);
}

static gboolean
vgmNodeMeminfoGet(const char *path, const char *text, const char *name,
                  guint64 *kib, GError **error)
{
    if (!vgmNodeMeminfoValue(text, name, kib)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("no '%1$s' line in '%2$s'"), name, path);
        return FALSE;
    }
    return TRUE;
}


/* ---- node information ---- */

/* The /proc/cpuinfo line holding the frequency in MHz, by arch; NULL when
 * the arch has none libvirt reads. */
static const char *
vgmNodeFrequencyPrefix(const char *arch)
{
    if (g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686"))
        return "cpu MHz";
    if (g_str_has_prefix(arch, "ppc"))
        return "clock";
    if (g_str_has_prefix(arch, "s390"))
        return "cpu MHz dynamic";
    if (g_str_has_prefix(arch, "loongarch"))
        return "CPU MHz";
    return NULL;
}

typedef struct {
    const char *prefix;
    guint mhz;
} VgmNodeMhzScan;

/* "cpu MHz<blanks>: 2100.000" -> 2100. A line that starts with the prefix
 * but is not "prefix : number" stops the scan and keeps what was found so
 * far, as libvirt does. */
static int
vgmNodeMhzLine(const char *line, gpointer opaque, GError **error)
{
    VgmNodeMhzScan *scan = opaque;
    const char *p = line;
    guint v = 0;

    if (!g_str_has_prefix(p, scan->prefix))
        return 1;
    p += strlen(scan->prefix);
    while (g_ascii_isspace(*p))
        p++;
    if (*p == '\0')
        return 0;
    if (*p != ':')
        return 1;   /* a longer name ("cpu MHz static"), not ours */
    p++;
    while (g_ascii_isspace(*p))
        p++;
    if (!g_ascii_isdigit(*p))
        return 0;
    while (g_ascii_isdigit(*p)) {
        if (v > (G_MAXUINT - 9) / 10)
            return 0;
        v = v * 10 + (guint)(*p - '0');
        p++;
    }
    if (*p != '\0' && *p != '.' && !g_ascii_isspace(*p))
        return 0;
    scan->mhz = v;
    return 1;
}

typedef struct {
    const char *cpuDir;         /* <sysfs>/devices/system/cpu */
    GByteArray *present;
    GByteArray *online;
    gboolean coreIsCpu;         /* s390: each logical CPU is a core */
} VgmNodeTopo;

typedef struct {
    guint cpus;       /* online */
    guint offline;    /* present, not online */
    guint sockets;
    guint cores;
    guint threads;
} VgmNodeCount;

static gboolean
vgmNodeCpuFacts(const VgmNodeTopo *topo, guint cpu, guint *socket,
                guint *core, guint *siblings, GError **error)
{
    g_autofree char *dir = g_strdup_printf("%s/cpu%u/topology", topo->cpuDir, cpu);
    g_autofree char *pkgPath = g_build_filename(dir, "physical_package_id", NULL);
    g_autofree char *corePath = g_build_filename(dir, "core_id", NULL);
    g_autofree char *sibPath = g_build_filename(dir, "thread_siblings_list", NULL);
    g_autoptr(GByteArray) sibs = NULL;
    gboolean found;
    int v;

    /* a missing file, or -1 (no sockets on this arch), is socket 0 */
    if (!vgmNodeReadInt(pkgPath, &v, &found, error))
        return FALSE;
    *socket = found && v > 0 ? (guint)v : 0;

    if (topo->coreIsCpu) {
        *core = cpu;
    } else {
        if (!vgmNodeReadInt(corePath, &v, &found, error))
            return FALSE;
        *core = found && v > 0 ? (guint)v : 0;
    }

    /* without the file, the CPU is its only thread */
    if (!g_file_test(sibPath, G_FILE_TEST_EXISTS)) {
        *siblings = 1;
        return TRUE;
    }
    if (!(sibs = vgmNodeReadCpuList(sibPath, error)))
        return FALSE;
    if ((*siblings = vgmNodeCpuSetCount(sibs)) == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("no thread siblings in '%1$s'"), sibPath);
        return FALSE;
    }
    return TRUE;
}

static gint
vgmNodeCompareUint(gconstpointer a, gconstpointer b)
{
    guint x = *(const guint *)a;
    guint y = *(const guint *)b;

    return (x > y) - (x < y);
}

/*
 * Counts the present CPUs whose "cpuN" entries are in @dir (a NUMA node
 * directory, or the cpu directory itself): online and offline CPUs, the
 * distinct sockets of the online ones, the most distinct cores in one of
 * those sockets, and the most thread siblings of one online CPU.
 */
static gboolean
vgmNodeCountGroup(const VgmNodeTopo *topo, const char *dir,
                  VgmNodeCount *count, GError **error)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autoptr(GHashTable) sockets = NULL;
    GHashTableIter iter;
    gpointer value;
    const char *name;
    guint i;

    memset(count, 0, sizeof(*count));

    if (!(d = g_dir_open(dir, 0, &local))) {
        vgmErrorSet(error, VGM_ERR_SYSTEM,
                    _("cannot read directory '%1$s': %2$s"), dir, local->message);
        return FALSE;
    }
    while ((name = g_dir_read_name(d))) {
        guint cpu;

        if (vgmNodeEntryId(name, "cpu", &cpu) &&
            vgmNodeCpuSetHas(topo->present, cpu))
            g_array_append_val(ids, cpu);
    }
    g_array_sort(ids, vgmNodeCompareUint);

    /* socket id -> set of core ids */
    sockets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                    (GDestroyNotify)g_hash_table_unref);
    for (i = 0; i < ids->len; i++) {
        guint cpu = g_array_index(ids, guint, i);
        guint socket;
        guint core;
        guint siblings;
        GHashTable *cores;

        if (!vgmNodeCpuSetHas(topo->online, cpu)) {
            count->offline++;
            continue;
        }
        count->cpus++;
        if (!vgmNodeCpuFacts(topo, cpu, &socket, &core, &siblings, error))
            return FALSE;

        if (!(cores = g_hash_table_lookup(sockets, GUINT_TO_POINTER(socket)))) {
            cores = g_hash_table_new(g_direct_hash, g_direct_equal);
            g_hash_table_insert(sockets, GUINT_TO_POINTER(socket), cores);
        }
        g_hash_table_add(cores, GUINT_TO_POINTER(core));
        count->threads = MAX(count->threads, siblings);
    }

    count->sockets = g_hash_table_size(sockets);
    g_hash_table_iter_init(&iter, sockets);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        count->cores = MAX(count->cores, g_hash_table_size(value));
    return TRUE;
}

/* nodes, sockets, cores, threads and cpus into @info; the number of
 * present offline CPUs into *@offline. */
static gboolean
vgmNodeTopology(const VgmNodeTopo *topo, const char *nodeDir,
                VgmNodeInfo *info, guint *offline, GError **error)
{
    g_autoptr(GDir) d = NULL;
    const char *name;

    *offline = 0;
    if ((d = g_dir_open(nodeDir, 0, NULL))) {
        while ((name = g_dir_read_name(d))) {
            g_autofree char *path = NULL;
            VgmNodeCount count;
            guint node;

            if (!vgmNodeEntryId(name, "node", &node))
                continue;
            info->nodes++;
            path = g_build_filename(nodeDir, name, NULL);
            if (!vgmNodeCountGroup(topo, path, &count, error))
                return FALSE;
            info->cpus += count.cpus;
            *offline += count.offline;
            info->sockets = MAX(info->sockets, count.sockets);
            info->cores = MAX(info->cores, count.cores);
            info->threads = MAX(info->threads, count.threads);
        }
        if (info->nodes > 0 && info->cpus > 0)
            return TRUE;
    }

    /* no NUMA directory, or one naming no online CPU: one node of all */
    {
        VgmNodeCount count;

        if (!vgmNodeCountGroup(topo, topo->cpuDir, &count, error))
            return FALSE;
        info->nodes = 1;
        info->cpus = count.cpus;
        *offline = count.offline;
        info->sockets = count.sockets;
        info->cores = count.cores;
        info->threads = count.threads;
    }
    return TRUE;
}

typedef struct {
    const char *key;
    char *value;
} VgmNodeCpuinfoScan;

static int
vgmNodeCpuinfoLine(const char *line, gpointer opaque, GError **error G_GNUC_UNUSED)
{
    VgmNodeCpuinfoScan *scan = opaque;
    const char *p = line;

    if (!g_str_has_prefix(p, scan->key))
        return 1;
    p += strlen(scan->key);
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != ':')
        return 1;   /* a longer name, not ours */
    scan->value = g_strstrip(g_strdup(p + 1));
    return 0;
}

char *
vgmNodeCpuinfoValue(const char *procfs, const char *key)
{
    g_autofree char *path = vgmNodeProcPath(procfs, "cpuinfo");
    VgmNodeCpuinfoScan scan = { key, NULL };

    if (!vgmNodeForEachLine(path, VGM_NODE_PROC_MAX, vgmNodeCpuinfoLine, &scan, NULL)) {
        g_free(scan.value);
        return NULL;
    }
    return scan.value;
}

gboolean
vgmNodeGetInfoArch(const char *arch, const char *sysfs, const char *procfs,
                   VgmNodeInfo *info, GError **error)
{
    g_autofree char *meminfoPath = vgmNodeProcPath(procfs, "meminfo");
    g_autofree char *cpuinfoPath = vgmNodeProcPath(procfs, "cpuinfo");
    g_autofree char *cpuDir = vgmNodeSysPath(sysfs, "cpu");
    g_autofree char *nodeDir = vgmNodeSysPath(sysfs, "node");
    g_autofree char *presentPath = g_build_filename(cpuDir, "present", NULL);
    g_autofree char *onlinePath = g_build_filename(cpuDir, "online", NULL);
    g_autofree char *meminfo = NULL;
    g_autoptr(GByteArray) present = NULL;
    g_autoptr(GByteArray) online = NULL;
    const char *prefix = vgmNodeFrequencyPrefix(arch);
    VgmNodeTopo topo = { 0 };
    guint offline = 0;
    guint64 product;

    memset(info, 0, sizeof(*info));
    g_strlcpy(info->model, arch, sizeof(info->model));

    if (!vgmNodeMeminfoRead(meminfoPath, &meminfo, error) ||
        !vgmNodeMeminfoGet(meminfoPath, meminfo, "MemTotal",
                           &info->memoryKiB, error))
        return FALSE;

    if (prefix) {
        VgmNodeMhzScan scan = { prefix, 0 };

        if (!vgmNodeForEachLine(cpuinfoPath, VGM_NODE_PROC_MAX,
                                vgmNodeMhzLine, &scan, error))
            return FALSE;
        info->mhz = scan.mhz;
    }

    if (!(present = vgmNodeReadCpuList(presentPath, error)) ||
        !(online = vgmNodeReadCpuList(onlinePath, error)))
        return FALSE;

    topo.cpuDir = cpuDir;
    topo.present = present;
    topo.online = online;
    topo.coreIsCpu = g_str_has_prefix(arch, "s390");
    if (!vgmNodeTopology(&topo, nodeDir, info, &offline, error))
        return FALSE;

    if (info->cpus == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("no online CPUs found in '%1$s'"), cpuDir);
        return FALSE;
    }
    if (info->sockets == 0 || info->threads == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("no CPU sockets or threads found in '%1$s'"), cpuDir);
        return FALSE;
    }

    /* A topology the four numbers cannot describe (nodes that hide, cores
     * that count as threads, cores with different thread counts) is
     * reported flat, one socket of one-thread cores. */
    product = (guint64)info->nodes * info->sockets * info->cores * info->threads;
    if (product != (guint64)info->cpus + offline) {
        info->nodes = 1;
        info->sockets = 1;
        info->cores = info->cpus + offline;
        info->threads = 1;
    }
    return TRUE;
}

gboolean
vgmNodeGetInfo(const char *sysfs, const char *procfs, VgmNodeInfo *info,
               GError **error)
{
    return vgmNodeGetInfoArch(vgmHostArch(), sysfs, procfs, info, error);
}


/* ---- CPU map ---- */

gboolean
vgmNodeGetCPUMap(const char *sysfs, guint8 **map, guint *mapLen,
                 guint *online, guint *present, GError **error)
{
    g_autofree char *presentPath = vgmNodeSysPath(sysfs, "cpu/present");
    g_autofree char *onlinePath = vgmNodeSysPath(sysfs, "cpu/online");
    g_autoptr(GByteArray) presentSet = NULL;
    g_autoptr(GByteArray) onlineSet = NULL;
    g_autofree guint8 *bits = NULL;
    guint count;
    guint len;
    guint n = 0;
    guint i;

    if (map)
        *map = NULL;
    if (mapLen)
        *mapLen = 0;
    if (online)
        *online = 0;
    if (present)
        *present = 0;

    if (!(presentSet = vgmNodeReadCpuList(presentPath, error)) ||
        !(onlineSet = vgmNodeReadCpuList(onlinePath, error)))
        return FALSE;

    count = presentSet->len;
    if (count == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("no present CPUs in '%1$s'"), presentPath);
        return FALSE;
    }
    len = (count + 7) / 8;
    bits = g_new0(guint8, len);
    for (i = 0; i < count; i++) {
        if (vgmNodeCpuSetHas(onlineSet, i)) {
            bits[i / 8] |= 1u << (i % 8);
            n++;
        }
    }

    if (map)
        *map = g_steal_pointer(&bits);
    if (mapLen)
        *mapLen = len;
    if (online)
        *online = n;
    if (present)
        *present = count;
    return TRUE;
}


/* ---- CPU statistics ---- */

typedef struct {
    const char *header;    /* "cpu " or "cpuN " */
    gboolean found;
    guint64 values[10];    /* user nice system idle iowait irq softirq ... */
} VgmNodeStatScan;

static int
vgmNodeStatLine(const char *line, gpointer opaque, GError **error)
{
    VgmNodeStatScan *scan = opaque;

    if (!g_str_has_prefix(line, scan->header))
        return 1;
    /* at least user, nice, system, idle; older kernels stop there */
    if (vgmNodeParseNumbers(line + strlen(scan->header), scan->values,
                            G_N_ELEMENTS(scan->values)) < 4)
        return 1;
    scan->found = TRUE;
    return 0;
}

static void
vgmNodeStatAppend(GArray *stats, const char *field, guint64 value)
{
    VgmNodeStat stat = { field, value };

    g_array_append_val(stats, stat);
}

GArray *
vgmNodeGetCPUStats(const char *procfs, int cpuNum, GError **error)
{
    g_autofree char *path = vgmNodeProcPath(procfs, "stat");
    g_autofree char *header = NULL;
    g_autoptr(GArray) stats = NULL;
    VgmNodeStatScan scan = { 0 };
    guint64 kernel = 0;
    guint64 user = 0;
    guint64 nsPerTick;
    long ticks;

    if (cpuNum < 0 && cpuNum != VGM_NODE_CPU_STATS_ALL_CPUS) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cpuNum in %1$s only accepts %2$d as a negative value"),
                    __func__, VGM_NODE_CPU_STATS_ALL_CPUS);
        return NULL;
    }
    if ((ticks = sysconf(_SC_CLK_TCK)) <= 0) {
        vgmErrorSetSystem(error, errno, _("cannot get the clock tick rate"));
        return NULL;
    }
    nsPerTick = G_GUINT64_CONSTANT(1000000000) / (guint64)ticks;

    if (cpuNum == VGM_NODE_CPU_STATS_ALL_CPUS)
        header = g_strdup("cpu ");
    else
        header = g_strdup_printf("cpu%d ", cpuNum);
    scan.header = header;

    if (!vgmNodeForEachLine(path, VGM_NODE_PROC_MAX, vgmNodeStatLine, &scan,
                            error))
        return NULL;
    if (!scan.found) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("Invalid cpuNum in %1$s"), __func__);
        return NULL;
    }

    /* values: 0 user, 1 nice, 2 system, 3 idle, 4 iowait, 5 irq, 6 softirq */
    if (!g_uint64_checked_add(&kernel, scan.values[2], scan.values[5]) ||
        !g_uint64_checked_add(&kernel, kernel, scan.values[6]) ||
        !g_uint64_checked_mul(&kernel, kernel, nsPerTick) ||
        !g_uint64_checked_add(&user, scan.values[0], scan.values[1]) ||
        !g_uint64_checked_mul(&user, user, nsPerTick) ||
        !g_uint64_checked_mul(&scan.values[3], scan.values[3], nsPerTick) ||
        !g_uint64_checked_mul(&scan.values[4], scan.values[4], nsPerTick)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("CPU time of '%1$s' in '%2$s' does not fit in 64 bits of nanoseconds"),
                    g_strstrip(header), path);
        return NULL;
    }

    stats = g_array_sized_new(FALSE, TRUE, sizeof(VgmNodeStat),
                              VGM_NODE_CPU_STATS_COUNT);
    vgmNodeStatAppend(stats, VGM_NODE_CPU_STATS_KERNEL, kernel);
    vgmNodeStatAppend(stats, VGM_NODE_CPU_STATS_USER, user);
    vgmNodeStatAppend(stats, VGM_NODE_CPU_STATS_IDLE, scan.values[3]);
    vgmNodeStatAppend(stats, VGM_NODE_CPU_STATS_IOWAIT, scan.values[4]);
    return g_steal_pointer(&stats);
}


/* ---- memory ---- */

/* The highest N of the nodeN entries of @nodeDir; -1 when the directory
 * is missing (a kernel without NUMA) or has none. */
static int
vgmNodeMaxCell(const char *nodeDir)
{
    g_autoptr(GDir) d = g_dir_open(nodeDir, 0, NULL);
    const char *name;
    int max = -1;

    while (d && (name = g_dir_read_name(d))) {
        guint node;

        if (vgmNodeEntryId(name, "node", &node))
            max = MAX(max, (int)node);
    }
    return max;
}

GArray *
vgmNodeGetMemoryStats(const char *sysfs, const char *procfs, int cellNum,
                      GError **error)
{
    static const struct {
        const char *line;
        const char *field;
    } fields[] = {
        { "MemTotal", VGM_NODE_MEMORY_STATS_TOTAL },
        { "MemFree", VGM_NODE_MEMORY_STATS_FREE },
        { "Buffers", VGM_NODE_MEMORY_STATS_BUFFERS },
        { "Cached", VGM_NODE_MEMORY_STATS_CACHED },
    };
    g_autofree char *nodeDir = vgmNodeSysPath(sysfs, "node");
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GArray) stats = NULL;
    size_t nfields = VGM_NODE_MEMORY_STATS_COUNT_ALL;
    size_t i;

    G_STATIC_ASSERT(G_N_ELEMENTS(fields) == VGM_NODE_MEMORY_STATS_COUNT_ALL);

    if (cellNum < 0 && cellNum != VGM_NODE_MEMORY_STATS_ALL_CELLS) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cellNum in %1$s only accepts %2$d as a negative value"),
                    __func__, VGM_NODE_MEMORY_STATS_ALL_CELLS);
        return NULL;
    }

    if (cellNum >= 0) {
        int maxCell = vgmNodeMaxCell(nodeDir);

        /* without NUMA the host is one cell, 0: the whole host */
        if (maxCell < 0 && cellNum == 0) {
            cellNum = VGM_NODE_MEMORY_STATS_ALL_CELLS;
        } else if (cellNum > MAX(maxCell, 0)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cellNum in %1$s must be less than or equal to %2$d"),
                        __func__, MAX(maxCell, 0));
            return NULL;
        }
    }

    if (cellNum == VGM_NODE_MEMORY_STATS_ALL_CELLS) {
        path = vgmNodeProcPath(procfs, "meminfo");
    } else {
        g_autofree char *rel = g_strdup_printf("node/node%d/meminfo", cellNum);

        path = vgmNodeSysPath(sysfs, rel);
        nfields = VGM_NODE_MEMORY_STATS_COUNT_CELL;
    }

    if (!vgmNodeMeminfoRead(path, &text, error))
        return NULL;

    stats = g_array_sized_new(FALSE, TRUE, sizeof(VgmNodeStat), nfields);
    for (i = 0; i < nfields; i++) {
        guint64 kib;

        if (!vgmNodeMeminfoGet(path, text, fields[i].line, &kib, error))
            return NULL;
        vgmNodeStatAppend(stats, fields[i].field, kib);
    }
    return g_steal_pointer(&stats);
}

gboolean
vgmNodeGetFreeMemory(const char *procfs, guint64 *bytes, GError **error)
{
    g_autofree char *path = vgmNodeProcPath(procfs, "meminfo");
    g_autofree char *text = NULL;
    guint64 kib;

    *bytes = 0;
    if (!vgmNodeMeminfoRead(path, &text, error) ||
        !vgmNodeMeminfoGet(path, text, "MemFree", &kib, error))
        return FALSE;
    if (!g_uint64_checked_mul(bytes, kib, 1024)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("MemFree in '%1$s' does not fit in 64 bits of bytes"),
                    path);
        return FALSE;
    }
    return TRUE;
}


/* ---- host name ---- */

char *
vgmNodeCanonicalHostname(const char *hostname, const char *hostsText)
{
    g_auto(GStrv) lines = NULL;
    size_t i;

    /* "localhost" cannot be made better; a name with a dot is qualified */
    if (g_str_has_prefix(hostname, "localhost") || strchr(hostname, '.') ||
        !hostsText)
        return g_strdup(hostname);

    /* "address canonical-name alias...", '#' to the end of line ignored;
     * the first line naming @hostname gives its canonical name */
    lines = g_strsplit(hostsText, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) words = NULL;
        char *hash = strchr(lines[i], '#');
        const char *canon = NULL;
        size_t j;
        size_t n = 0;

        if (hash)
            *hash = '\0';
        words = g_strsplit_set(lines[i], " \t\r", -1);
        for (j = 0; words[j]; j++) {
            if (!*words[j])
                continue;
            if (n == 1)
                canon = words[j];
            if (n >= 1 && g_ascii_strcasecmp(words[j], hostname) == 0) {
                if (g_str_has_prefix(canon, "localhost"))
                    return g_strdup(hostname);
                return g_strdup(canon);
            }
            n++;
        }
    }
    return g_strdup(hostname);
}

char *
vgmNodeGetHostname(GError **error)
{
    char name[HOST_NAME_MAX + 1];
    g_autofree char *hosts = NULL;

    if (gethostname(name, sizeof(name)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot get the host name"));
        return NULL;
    }
    name[sizeof(name) - 1] = '\0';

    /* an unreadable /etc/hosts leaves the name as it is */
    if (!vgmFileReadAll("/etc/hosts", VGM_NODE_HOSTS_MAX, &hosts, NULL, NULL))
        hosts = NULL;
    return vgmNodeCanonicalHostname(name, hosts);
}

/* ---- free memory by NUMA cell ---- */

/* Free KiB of cell @cell (-1: the whole host) */
static gboolean
vgmNodeCellFreeKiB(const char *sysfs, const char *procfs, int cell, guint64 *kib,
                   GError **error)
{
    g_autoptr(GArray) stats = vgmNodeGetMemoryStats(sysfs, procfs,
                                                    cell < 0 ? VGM_NODE_MEMORY_STATS_ALL_CELLS : cell,
                                                    error);
    guint i;

    if (!stats)
        return FALSE;
    for (i = 0; i < stats->len; i++) {
        const VgmNodeStat *st = &g_array_index(stats, VgmNodeStat, i);

        if (g_str_equal(st->field, VGM_NODE_MEMORY_STATS_FREE)) {
            *kib = st->value;
            return TRUE;
        }
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s", _("the host's free memory is not known"));
    return FALSE;
}

/* The highest cell (0 on a host without NUMA nodes) */
static int
vgmNodeLastCell(const char *sysfs)
{
    g_autofree char *nodeDir = vgmNodeSysPath(sysfs, "node");

    return MAX(vgmNodeMaxCell(nodeDir), 0);
}

GArray *
vgmNodeGetCellsFreeMemory(const char *sysfs, const char *procfs, int startCell, int maxCells,
                          GError **error)
{
    g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autofree char *nodeDir = vgmNodeSysPath(sysfs, "node");
    gboolean numa = vgmNodeMaxCell(nodeDir) >= 0;
    int last = vgmNodeLastCell(sysfs);
    int cell;

    if (maxCells <= 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("%1$d cells asked for: at least one is"),
                    maxCells);
        return NULL;
    }
    if (startCell < 0 || startCell > last) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("start cell %1$d out of range (0-%2$d)"),
                    startCell, last);
        return NULL;
    }
    for (cell = startCell; cell <= last && cell - startCell < maxCells; cell++) {
        guint64 kib, bytes;

        /* (without NUMA nodes cell 0 is the whole host) */
        if (!vgmNodeCellFreeKiB(sysfs, procfs, numa ? cell : -1, &kib, error))
            return NULL;
        bytes = kib * 1024;
        g_array_append_val(out, bytes);
    }
    return g_steal_pointer(&out);
}

/* File @file of the pool of @kib KiB pages of cell @cell (-1: the host's
 * pool) */
static char *
vgmNodeHugePagePath(const char *sysfs, int cell, unsigned int kib, const char *file)
{
    g_autofree char *rel = NULL;

    if (cell < 0) {
        rel = g_strdup_printf("kernel/mm/hugepages/hugepages-%ukB/%s", kib, file);
        return g_build_filename(sysfs ? sysfs : "/sys", rel, NULL);
    }
    rel = g_strdup_printf("node/node%d/hugepages/hugepages-%ukB/%s", cell, kib, file);
    return vgmNodeSysPath(sysfs, rel);
}

/* The count in @path (a pool's nr_hugepages or free_hugepages) */
static gboolean
vgmNodeReadCount(const char *path, guint64 *count, GError **error)
{
    g_autofree char *text = NULL;
    char *end;

    if (!vgmFileReadAll(path, 64, &text, NULL, error))
        return FALSE;
    *count = g_ascii_strtoull(text, &end, 10);
    if (end == text) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("cannot read a count in '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

/* The free pages of @kib KiB of cell @cell (-1: the host) */
static gboolean
vgmNodeCellFreePages(const char *sysfs, const char *procfs, int cell, unsigned int kib,
                     guint64 *count, GError **error)
{
    unsigned int sysKiB = (unsigned int)(sysconf(_SC_PAGESIZE) / 1024);
    g_autofree char *path = NULL;
    guint64 freeKiB;

    if (kib == sysKiB) {
        if (!vgmNodeCellFreeKiB(sysfs, procfs, cell, &freeKiB, error))
            return FALSE;
        *count = freeKiB / sysKiB;
        return TRUE;
    }
    path = vgmNodeHugePagePath(sysfs, cell, kib, "free_hugepages");
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("pages of %1$u KiB are not available on this host (%2$s)"), kib, path);
        return FALSE;
    }
    return vgmNodeReadCount(path, count, error);
}

GArray *
vgmNodeGetFreePages(const char *sysfs, const char *procfs, const unsigned int *pages,
                    guint npages, int startCell, unsigned int cellCount, GError **error)
{
    g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autofree char *nodeDir = vgmNodeSysPath(sysfs, "node");
    gboolean numa = vgmNodeMaxCell(nodeDir) >= 0;
    int last = vgmNodeLastCell(sysfs);
    int cell;
    guint i;

    if (npages == 0 || cellCount == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("free pages of no page size or no cell asked for"));
        return NULL;
    }
    if (startCell < 0 || startCell > last) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("start cell %1$d out of range (0-%2$d)"),
                    startCell, last);
        return NULL;
    }
    for (cell = startCell; cell <= last && (guint)(cell - startCell) < cellCount; cell++) {
        for (i = 0; i < npages; i++) {
            guint64 count;

            if (!vgmNodeCellFreePages(sysfs, procfs, numa ? cell : -1, pages[i], &count, error))
                return NULL;
            g_array_append_val(out, count);
        }
    }
    return g_steal_pointer(&out);
}

/* ---- huge page pools ---- */

typedef struct {
    char *path;                 /* the pool's nr_hugepages */
    guint64 before;
    guint64 want;
} VgmNodePool;

static void
vgmNodePoolClear(gpointer p)
{
    g_free(((VgmNodePool *)p)->path);
}

/* Writes @count into pool file @path; FALSE with errno set */
static gboolean
vgmNodePoolWrite(const char *path, guint64 count)
{
    g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, count);

    return vgmFileWriteInPlace(path, text);
}

int
vgmNodeAllocPages(const char *sysfs, const unsigned int *pages, const guint64 *counts,
                  guint npages, int startCell, unsigned int cellCount, gboolean add,
                  GError **error)
{
    unsigned int sysKiB = (unsigned int)(sysconf(_SC_PAGESIZE) / 1024);
    g_autofree char *nodeDir = vgmNodeSysPath(sysfs, "node");
    gboolean numa = vgmNodeMaxCell(nodeDir) >= 0;
    int last = vgmNodeLastCell(sysfs);
    g_autoptr(GArray) pools = g_array_new(FALSE, TRUE, sizeof(VgmNodePool));
    int cell;
    guint i, k;

    g_array_set_clear_func(pools, vgmNodePoolClear);
    if (npages == 0 || cellCount == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("pages of no page size or of no cell asked for"));
        return -1;
    }
    if (startCell < -1 || startCell > last) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("start cell %1$d out of range (0-%2$d, or -1 for the host's pools)"),
                    startCell, last);
        return -1;
    }
    /* every pool is found and read before any is changed */
    for (cell = startCell;
         cell <= last && (cell < 0 || (guint)(cell - startCell) < cellCount);
         cell++) {
        for (i = 0; i < npages; i++) {
            VgmNodePool pool = { 0 };

            if (pages[i] == sysKiB) {
                vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                            _("the pool of the system's %1$u KiB pages cannot be changed"),
                            sysKiB);
                return -1;
            }
            for (k = 0; k < i; k++) {
                if (pages[k] == pages[i]) {
                    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                                _("page size %1$u KiB is given twice"), pages[i]);
                    return -1;
                }
            }
            pool.path = vgmNodeHugePagePath(sysfs, numa ? cell : -1, pages[i], "nr_hugepages");
            if (!g_file_test(pool.path, G_FILE_TEST_EXISTS)) {
                if (cell < 0)
                    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                                _("pages of %1$u KiB are not available on this host (%2$s)"),
                                pages[i], pool.path);
                else
                    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                                _("pages of %1$u KiB are not available on cell %2$d (%3$s)"),
                                pages[i], cell, pool.path);
                g_free(pool.path);
                return -1;
            }
            if (!vgmNodeReadCount(pool.path, &pool.before, error)) {
                g_free(pool.path);
                return -1;
            }
            if (add && counts[i] > G_MAXUINT64 - pool.before) {
                vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                            _("%1$" G_GUINT64_FORMAT " pages of %2$u KiB added to the %3$" G_GUINT64_FORMAT " of '%4$s' are too many"),
                            counts[i], pages[i], pool.before, pool.path);
                g_free(pool.path);
                return -1;
            }
            pool.want = add ? pool.before + counts[i] : counts[i];
            g_array_append_val(pools, pool);
        }
        if (cell < 0)
            break;
    }
    /* the kernel allocates what it can; a pool short of its count, or one
     * it refuses, puts the pools changed before it back */
    for (k = 0; k < pools->len; k++) {
        VgmNodePool *pool = &g_array_index(pools, VgmNodePool, k);
        guint64 got = 0;
        g_autoptr(GError) err = NULL;
        int saved;

        if (pool->want == pool->before)
            continue;
        if (!vgmNodePoolWrite(pool->path, pool->want)) {
            saved = errno;
            vgmErrorSet(&err, VGM_ERR_SYSTEM, _("cannot write %1$" G_GUINT64_FORMAT " into '%2$s': %3$s"),
                        pool->want, pool->path, g_strerror(saved));
        } else if (vgmNodeReadCount(pool->path, &got, &err) && got != pool->want) {
            vgmErrorSet(&err, VGM_ERR_OPERATION_FAILED,
                        _("the kernel gave %1$" G_GUINT64_FORMAT " of the %2$" G_GUINT64_FORMAT " pages asked for in '%3$s'"),
                        got, pool->want, pool->path);
        }
        if (err) {
            guint j;

            for (j = 0; j <= k; j++) {
                const VgmNodePool *back = &g_array_index(pools, VgmNodePool, j);

                if (back->want != back->before)
                    vgmNodePoolWrite(back->path, back->before);
            }
            g_propagate_error(error, g_steal_pointer(&err));
            return -1;
        }
    }
    return (int)pools->len;
}

/* ---- kernel same-page merging ---- */

/* The files of <sysfs>/kernel/mm/ksm, in VgmNodeKsmField order */
static const char *const vgmNodeKsmFiles[VGM_NODE_KSM_LAST] = {
    [VGM_NODE_KSM_PAGES_TO_SCAN] = "pages_to_scan",
    [VGM_NODE_KSM_SLEEP_MILLISECS] = "sleep_millisecs",
    [VGM_NODE_KSM_PAGES_SHARED] = "pages_shared",
    [VGM_NODE_KSM_PAGES_SHARING] = "pages_sharing",
    [VGM_NODE_KSM_PAGES_UNSHARED] = "pages_unshared",
    [VGM_NODE_KSM_PAGES_VOLATILE] = "pages_volatile",
    [VGM_NODE_KSM_FULL_SCANS] = "full_scans",
    [VGM_NODE_KSM_MERGE_ACROSS_NODES] = "merge_across_nodes",
};

static char *
vgmNodeKsmPath(const char *sysfs, VgmNodeKsmField field)
{
    return g_build_filename(sysfs ? sysfs : "/sys", "kernel", "mm", "ksm",
                            vgmNodeKsmFiles[field], NULL);
}

gboolean
vgmNodeKsmRead(const char *sysfs, VgmNodeKsmField field, guint64 *value, gboolean *found,
               GError **error)
{
    g_autofree char *path = vgmNodeKsmPath(sysfs, field);

    *found = g_file_test(path, G_FILE_TEST_EXISTS);
    return !*found || vgmNodeReadCount(path, value, error);
}

gboolean
vgmNodeKsmWrite(const char *sysfs, const VgmNodeKsmField *fields, const guint64 *values,
                guint n, GError **error)
{
    g_autofree guint64 *before = g_new0(guint64, n);
    guint i, j;

    for (i = 0; i < n; i++) {
        gboolean found;

        if (!vgmNodeKsmRead(sysfs, fields[i], &before[i], &found, error))
            return FALSE;
        if (!found) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("this kernel has no '%1$s' of same-page merging (%2$s/kernel/mm/ksm)"),
                        vgmNodeKsmFiles[fields[i]], sysfs ? sysfs : "/sys");
            return FALSE;
        }
    }
    for (i = 0; i < n; i++) {
        g_autofree char *path = vgmNodeKsmPath(sysfs, fields[i]);
        g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, values[i]);
        int saved;

        if (vgmFileWriteInPlace(path, text))
            continue;
        saved = errno;
        /* (the values written before it go back) */
        for (j = 0; j < i; j++) {
            g_autofree char *back = vgmNodeKsmPath(sysfs, fields[j]);
            g_autofree char *old = g_strdup_printf("%" G_GUINT64_FORMAT, before[j]);

            vgmFileWriteInPlace(back, old);
        }
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot set %1$s to %2$s (%3$s): %4$s"),
                    vgmNodeKsmFiles[fields[i]], text, path, g_strerror(saved));
        return FALSE;
    }
    return TRUE;
}
