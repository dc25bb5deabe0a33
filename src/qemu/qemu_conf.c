/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_conf.c: paths and host settings the command line depends on.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu_conf.h"
#include "util/vgmsize.h"

VgmQemuConfig *
vgmQemuConfigNew(const char *runDir, const char *memoryDir, const char *logDir)
{
    VgmQemuConfig *cfg = g_new0(VgmQemuConfig, 1);

    cfg->runDir = g_strdup(runDir);
    cfg->memoryDir = g_strdup(memoryDir);
    cfg->logDir = g_strdup(logDir);
    cfg->hugetlbfs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    cfg->vhostNet = access("/dev/vhost-net", R_OK | W_OK) == 0;
    /* libvirt's default_tls_x509_cert_dir, which its NBD disks use */
    cfg->nbdTLSDir = g_strdup("/etc/pki/qemu");
    {
        g_autofree char *parent = g_path_get_dirname(memoryDir);

        cfg->nvramDir = g_build_filename(parent, "nvram", NULL);
        cfg->libDir = g_strdup(parent);
    }
    cfg->firmwareDirs = vgmQemuConfigFirmwareDirs();
    return cfg;
}

GStrv
vgmQemuConfigFirmwareDirs(void)
{
    GPtrArray *dirs = g_ptr_array_new();

    /* where libvirt looks: the user's own (for a user other than root),
     * the administrator's, the distribution's */
    if (geteuid() != 0)
        g_ptr_array_add(dirs, g_build_filename(g_get_user_config_dir(), "qemu", "firmware", NULL));
    g_ptr_array_add(dirs, g_strdup("/etc/qemu/firmware"));
    g_ptr_array_add(dirs, g_strdup("/usr/share/qemu/firmware"));
    g_ptr_array_add(dirs, NULL);
    return (GStrv)g_ptr_array_free(dirs, FALSE);
}

char *
vgmQemuShmemServerPath(const VgmQemuConfig *cfg, const char *name, const char *path)
{
    g_autofree char *file = NULL;

    if (path)
        return g_strdup(path);
    file = g_strdup_printf("shmem-%s-sock", name);
    return g_build_filename(cfg->libDir, file, NULL);
}

void
vgmQemuConfigFree(VgmQemuConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->runDir);
    g_free(cfg->memoryDir);
    g_free(cfg->logDir);
    g_free(cfg->nvramDir);
    g_free(cfg->libDir);
    g_free(cfg->nbdTLSDir);
    g_strfreev(cfg->firmwareDirs);
    g_hash_table_unref(cfg->hugetlbfs);
    vgmBitmapFree(cfg->autoNodeset);
    g_clear_pointer(&cfg->hostCdroms, g_hash_table_unref);
    g_free(cfg);
}

void
vgmQemuConfigAddHugetlbfs(VgmQemuConfig *cfg, unsigned long long pageKiB,
                          const char *mount)
{
    gint64 *key = g_new(gint64, 1);

    *key = pageKiB;
    g_hash_table_replace(cfg->hugetlbfs, key, g_strdup(mount));
}

const char *
vgmQemuConfigGetHugetlbfs(const VgmQemuConfig *cfg, unsigned long long pageKiB)
{
    gint64 key = pageKiB;

    return g_hash_table_lookup(cfg->hugetlbfs, &key);
}

/* Default huge page size of the host in KiB, as /proc/meminfo says. */
static unsigned long long
vgmQemuConfigDefaultHugepage(void)
{
    g_autofree char *meminfo = NULL;
    char *p;

    if (!g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL) ||
        !(p = strstr(meminfo, "Hugepagesize:")))
        return 2048;
    return g_ascii_strtoull(p + strlen("Hugepagesize:"), NULL, 10);
}

void
vgmQemuConfigLoadHugetlbfs(VgmQemuConfig *cfg, const char *mountsFile)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(mountsFile ? mountsFile : "/proc/mounts", &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], " ", -1);
        unsigned long long size = 0;
        char *opt;

        if (g_strv_length(f) < 4 || !g_str_equal(f[2], "hugetlbfs"))
            continue;
        if ((opt = strstr(f[3], "pagesize="))) {
            g_autofree char *num = g_strdup(opt + strlen("pagesize="));
            char *end = num;
            unsigned long long v = g_ascii_strtoull(num, &end, 10);
            g_autofree char *unit = g_strndup(end, strcspn(end, ","));
            if (vgmScaleInteger(&v, unit, 1, G_MAXUINT64, "pagesize", NULL))
                size = v / 1024;
        } else {
            size = vgmQemuConfigDefaultHugepage();
        }
        if (size && !vgmQemuConfigGetHugetlbfs(cfg, size))
            vgmQemuConfigAddHugetlbfs(cfg, size, f[1]);
    }
}

static VgmQemuConfig *
vgmQemuConfigNewSystem(void)
{
    return vgmQemuConfigNew("/run/virt-gmem/qemu", "/var/lib/virt-gmem/qemu/ram",
                            "/var/log/virt-gmem/qemu");
}

VgmQemuConfig *
vgmQemuConfigNewDefault(void)
{
    VgmQemuConfig *cfg = vgmQemuConfigNewSystem();

    vgmQemuConfigLoadHugetlbfs(cfg, NULL);
    return cfg;
}

VgmQemuConfig *
vgmQemuConfigNewForTest(void)
{
    VgmQemuConfig *cfg = vgmQemuConfigNewSystem();

    vgmQemuConfigAddHugetlbfs(cfg, 2048, "/dev/hugepages");
    vgmQemuConfigAddHugetlbfs(cfg, 1048576, "/dev/hugepages1G");
    cfg->vhostNet = TRUE;
    /* golden tests give their own descriptors */
    g_clear_pointer(&cfg->firmwareDirs, g_strfreev);
    cfg->now = 1767225600; /* 2026-01-01T00:00:00Z */
    return cfg;
}

char *
vgmQemuConfigDomainRunDir(const VgmQemuConfig *cfg, const char *name)
{
    g_autofree char *dir = g_strdup_printf("domain-%s", name);
    return g_build_filename(cfg->runDir, dir, NULL);
}

const char *
vgmQemuArchBinaryName(const char *arch)
{
    return g_strcmp0(arch, "i686") == 0 ? "i386" : arch;
}

gboolean
vgmQemuArchRuns(const char *binaryArch, const char *guestArch)
{
    if (g_str_equal(binaryArch, guestArch) ||
        g_str_equal(binaryArch, vgmQemuArchBinaryName(guestArch)))
        return TRUE;
    return g_str_equal(guestArch, "i686") && g_str_equal(binaryArch, "x86_64");
}

char *
vgmQemuChannelSocketPath(const VgmQemuConfig *cfg, const char *name, guint index)
{
    g_autofree char *runDir = vgmQemuConfigDomainRunDir(cfg, name);
    g_autofree char *file = g_strdup_printf("channel%u", index);

    return g_build_filename(runDir, file, NULL);
}

char *
vgmQemuGraphicsSocketPath(const VgmQemuConfig *cfg, const char *name, gboolean spice)
{
    g_autofree char *runDir = vgmQemuConfigDomainRunDir(cfg, name);

    return g_build_filename(runDir, spice ? "spice.sock" : "vnc.sock", NULL);
}

char *
vgmQemuFsSocketPath(const VgmQemuConfig *cfg, const char *name, const char *socket,
                    const char *id)
{
    g_autofree char *runDir = NULL;
    g_autofree char *file = NULL;

    if (socket)
        return g_strdup(socket);
    runDir = vgmQemuConfigDomainRunDir(cfg, name);
    file = g_strdup_printf("%s-fs.sock", id);
    return g_build_filename(runDir, file, NULL);
}
