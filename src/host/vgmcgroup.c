/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmcgroup.c: see vgmcgroup.h.
 *
 * Layouts (the kernel's Documentation/admin-guide/cgroup-v2.rst and
 * cgroup-v1/):
 *   v2: ROOT/cgroup.controllers lists the controllers; a controller is
 *       enabled for a group's children in its parent's
 *       cgroup.subtree_control; a process joins through cgroup.procs, a
 *       thread of a threaded subtree through cgroup.threads.
 *   v1: ROOT/cpu, ROOT/memory, ROOT/blkio are separate hierarchies (or
 *       links to a shared one, such as cpu,cpuacct), each with a tasks
 *       file per group; a new cpuset group's cpuset.cpus and cpuset.mems
 *       are empty until written.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vgmcgroup.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

#ifndef CGROUP_SUPER_MAGIC
# define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
# define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* each controller's name in v2 and in v1 */
static const struct {
    const char *v2;
    const char *v1;
} vgmCgroupControllers[VGM_CGROUP_LAST] = {
    [VGM_CGROUP_CPU] = { "cpu", "cpu" },
    [VGM_CGROUP_MEMORY] = { "memory", "memory" },
    [VGM_CGROUP_IO] = { "io", "blkio" },
    [VGM_CGROUP_CPUSET] = { "cpuset", "cpuset" },
};

const char *
vgmCgroupControllerName(const VgmCgroupHost *host, VgmCgroupController c)
{
    return host->version == VGM_CGROUP_V1 ? vgmCgroupControllers[c].v1
                                          : vgmCgroupControllers[c].v2;
}

static gboolean
vgmCgroupIsFs(const char *path, long magic)
{
    struct statfs sfs;

    return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

static char *
vgmCgroupReadFile(const char *path)
{
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, 64 * 1024, &text, NULL, NULL))
        return NULL;
    g_strchomp(text);
    return g_steal_pointer(&text);
}

VgmCgroupHost *
vgmCgroupHostDetect(const char *root)
{
    g_autoptr(VgmCgroupHost) host = g_new0(VgmCgroupHost, 1);
    g_autofree char *ctlFile = NULL;
    g_autofree char *controllers = NULL;
    size_t i;

    host->root = g_strdup(root ? root : "/sys/fs/cgroup");
    ctlFile = g_build_filename(host->root, "cgroup.controllers", NULL);
    if ((controllers = vgmCgroupReadFile(ctlFile))) {
        g_auto(GStrv) names = g_strsplit_set(controllers, " \n", -1);

        host->version = VGM_CGROUP_V2;
        host->real = vgmCgroupIsFs(host->root, CGROUP2_SUPER_MAGIC);
        for (i = 0; i < VGM_CGROUP_LAST; i++) {
            if (g_strv_contains((const char *const *)names, vgmCgroupControllers[i].v2))
                host->dirs[i] = g_strdup(host->root);
        }
        return g_steal_pointer(&host);
    }
    for (i = 0; i < VGM_CGROUP_LAST; i++) {
        g_autofree char *dir = g_build_filename(host->root, vgmCgroupControllers[i].v1, NULL);
        g_autofree char *tasks = g_build_filename(dir, "tasks", NULL);

        if (!g_file_test(tasks, G_FILE_TEST_EXISTS))
            continue;
        host->version = VGM_CGROUP_V1;
        host->real = vgmCgroupIsFs(dir, CGROUP_SUPER_MAGIC);
        host->dirs[i] = g_steal_pointer(&dir);
    }
    return g_steal_pointer(&host);
}

void
vgmCgroupHostFree(VgmCgroupHost *host)
{
    size_t i;

    if (!host)
        return;
    for (i = 0; i < VGM_CGROUP_LAST; i++)
        g_free(host->dirs[i]);
    g_free(host->root);
    g_free(host);
}

char *
vgmCgroupPath(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
              const char *sub, const char *file)
{
    return g_build_filename(host->dirs[c] ? host->dirs[c] : host->root, rel,
                            sub ? sub : "", file ? file : "", NULL);
}

gboolean
vgmCgroupWriteFile(const VgmCgroupHost *host, const char *path, const char *value,
                   GError **error)
{
    int flags = O_WRONLY | O_CLOEXEC | (host->real ? 0 : O_CREAT | O_TRUNC);
    int fd = open(path, flags, 0644);

    if (fd < 0) {
        if (errno == ENOENT && host->real)
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("the host's cgroups have no control file '%1$s' (its controller or feature is not available on this host)"),
                        path);
        else
            vgmErrorSetSystem(error, errno, _("cannot open cgroup file '%1$s'"), path);
        return FALSE;
    }
    if (!vgmFileWriteFully(fd, value, strlen(value))) {
        int saved = errno;

        close(fd);
        vgmErrorSetSystem(error, saved, _("cannot write '%1$s' to cgroup file '%2$s'"),
                          value, path);
        return FALSE;
    }
    if (close(fd) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot write '%1$s' to cgroup file '%2$s'"),
                          value, path);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmCgroupWrite(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
               const char *sub, const char *file, const char *value, GError **error)
{
    g_autofree char *path = vgmCgroupPath(host, c, rel, sub, file);

    return vgmCgroupWriteFile(host, path, value, error);
}

char *
vgmCgroupRead(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
              const char *sub, const char *file)
{
    g_autofree char *path = vgmCgroupPath(host, c, rel, sub, file);

    return vgmCgroupReadFile(path);
}

static gboolean
vgmCgroupMkdir(const char *path, GError **error)
{
    if (g_mkdir(path, 0755) < 0 && errno != EEXIST) {
        vgmErrorSetSystem(error, errno, _("cannot create cgroup '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

/* v2: "+cpu" into @dir's cgroup.subtree_control unless it is on already */
static gboolean
vgmCgroupEnable(const VgmCgroupHost *host, const char *dir, const char *name, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "cgroup.subtree_control", NULL);
    g_autofree char *now = vgmCgroupReadFile(path);
    g_autofree char *value = g_strdup_printf("+%s", name);

    if (now) {
        g_auto(GStrv) on = g_strsplit(now, " ", -1);

        if (g_strv_contains((const char *const *)on, name))
            return TRUE;
    }
    if (!host->real && now && *now) {
        /* a test tree keeps the list the way the kernel shows it */
        g_autofree char *joined = g_strdup_printf("%s %s", now, name);
        return vgmCgroupWriteFile(host, path, joined, error);
    }
    return vgmCgroupWriteFile(host, path, host->real ? value : name, error);
}

/* v1: new cpuset group @dir takes @parent's CPUs and memory nodes where
 * its own are empty */
static gboolean
vgmCgroupInheritCpuset(const VgmCgroupHost *host, const char *parent, const char *dir,
                       GError **error)
{
    static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *from = g_build_filename(parent, files[i], NULL);
        g_autofree char *to = g_build_filename(dir, files[i], NULL);
        g_autofree char *value = vgmCgroupReadFile(from);
        g_autofree char *now = vgmCgroupReadFile(to);

        if (!value || (now && *now))
            continue;
        if (!vgmCgroupWriteFile(host, to, value, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmCgroupCreate(const VgmCgroupHost *host, const char *rel, guint mask, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
    size_t i, c;

    for (c = 0; c < VGM_CGROUP_LAST; c++) {
        g_autofree char *dir = NULL;

        if (!(mask & (1u << c)))
            continue;
        if (!host->dirs[c]) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("the host has no cgroup controller '%1$s' under '%2$s'"),
                        vgmCgroupControllerName(host, c), host->root);
            return FALSE;
        }
        dir = g_strdup(host->dirs[c]);
        for (i = 0; parts[i]; i++) {
            char *next;

            if (!*parts[i])
                continue;
            if (host->version == VGM_CGROUP_V2 &&
                !vgmCgroupEnable(host, dir, vgmCgroupControllers[c].v2, error))
                return FALSE;
            next = g_build_filename(dir, parts[i], NULL);
            if (!vgmCgroupMkdir(next, error) ||
                (c == VGM_CGROUP_CPUSET && host->version == VGM_CGROUP_V1 &&
                 !vgmCgroupInheritCpuset(host, dir, next, error))) {
                g_free(next);
                return FALSE;
            }
            g_free(dir);
            dir = next;
        }
    }
    return TRUE;
}

gboolean
vgmCgroupCreateThreadGroup(const VgmCgroupHost *host, VgmCgroupController c,
                           const char *rel, const char *sub, GError **error)
{
    g_autofree char *dir = vgmCgroupPath(host, c, rel, sub, NULL);

    if (!vgmCgroupMkdir(dir, error))
        return FALSE;
    if (host->version == VGM_CGROUP_V2)
        return vgmCgroupWrite(host, c, rel, sub, "cgroup.type", "threaded", error);
    return TRUE;
}

gboolean
vgmCgroupEnableThreaded(const VgmCgroupHost *host, VgmCgroupController c,
                        const char *rel, GError **error)
{
    g_autofree char *dir = NULL;

    if (host->version != VGM_CGROUP_V2)
        return TRUE;
    dir = vgmCgroupPath(host, c, rel, NULL, NULL);
    return vgmCgroupEnable(host, dir, vgmCgroupControllers[c].v2, error);
}

gboolean
vgmCgroupAddThread(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
                   const char *sub, pid_t tid, GError **error)
{
    g_autofree char *value = g_strdup_printf("%lld", (long long)tid);

    return vgmCgroupWrite(host, c, rel, sub,
                          host->version == VGM_CGROUP_V2 ? "cgroup.threads" : "tasks",
                          value, error);
}

GStrv
vgmCgroupProcsFiles(const VgmCgroupHost *host, const char *rel, guint mask)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    size_t c;

    for (c = 0; c < VGM_CGROUP_LAST; c++) {
        char *path;

        if (!(mask & (1u << c)) || !host->dirs[c])
            continue;
        path = vgmCgroupPath(host, c, rel, NULL, "cgroup.procs");
        if (g_ptr_array_find_with_equal_func(files, path, g_str_equal, NULL)) {
            g_free(path);
            continue;
        }
        g_ptr_array_add(files, path);
    }
    g_ptr_array_add(files, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&files), FALSE);
}

/* rmdir of @dir's subdirectories, then of @dir; a test tree goes whole */
gboolean
vgmCgroupHasProcess(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
                    pid_t pid)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    g_autofree char *want = g_strdup_printf("/%s", rel);
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!host->dirs[c])
        return FALSE;
    if (!host->real) {
        g_autofree char *pidText = g_strdup_printf("%lld", (long long)pid);

        text = vgmCgroupRead(host, c, rel, NULL, "cgroup.procs");
        lines = g_strsplit(text ? text : "", "\n", -1);
        return g_strv_contains((const char *const *)lines, pidText);
    }
    path = g_strdup_printf("/proc/%lld/cgroup", (long long)pid);
    if (!(text = vgmCgroupReadFile(path)))
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        /* "ID:CONTROLLERS:PATH"; v2's one line has no controllers */
        g_auto(GStrv) f = g_strsplit(lines[i], ":", 3);
        g_auto(GStrv) names = NULL;
        const char *at;

        if (g_strv_length(f) != 3)
            continue;
        names = g_strsplit(f[1], ",", -1);
        if (host->version == VGM_CGROUP_V2 ? *f[1] != '\0'
                                           : !g_strv_contains((const char *const *)names,
                                                              vgmCgroupControllerName(host, c)))
            continue;
        /* the path is seen from this process's cgroup namespace: the
         * group's name ends it, or a thread group of it follows */
        if ((at = strstr(f[2], want)) && (at[strlen(want)] == '\0' || at[strlen(want)] == '/'))
            return TRUE;
    }
    return FALSE;
}

static gboolean
vgmCgroupRemoveDir(const VgmCgroupHost *host, const char *dir, GError **error)
{
    g_autoptr(GDir) d = NULL;
    const char *ent;

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return TRUE;
    if (!host->real) {
        vgmFileRemoveTree(dir);
        return TRUE;
    }
    if ((d = g_dir_open(dir, 0, NULL))) {
        while ((ent = g_dir_read_name(d))) {
            g_autofree char *child = g_build_filename(dir, ent, NULL);

            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK) &&
                !vgmCgroupRemoveDir(host, child, error))
                return FALSE;
        }
    }
    if (g_rmdir(dir) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove cgroup '%1$s'"), dir);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmCgroupRemove(const VgmCgroupHost *host, const char *rel, GError **error)
{
    g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
    gboolean ok = TRUE;
    size_t c;

    for (c = 0; c < VGM_CGROUP_LAST; c++) {
        g_autofree char *dir = NULL;
        g_autofree char *real = NULL;

        if (!host->dirs[c])
            continue;
        dir = vgmCgroupPath(host, c, rel, NULL, NULL);
        /* v1 hierarchies shared through links (cpu -> cpu,cpuacct) once */
        if (!(real = realpath(dir, NULL)))
            real = g_strdup(dir);
        if (g_ptr_array_find_with_equal_func(done, real, g_str_equal, NULL))
            continue;
        g_ptr_array_add(done, g_steal_pointer(&real));
        if (!vgmCgroupRemoveDir(host, dir, ok ? error : NULL))
            ok = FALSE;
    }
    return ok;
}
