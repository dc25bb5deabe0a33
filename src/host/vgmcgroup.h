/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmcgroup.h: the host's control groups, v2 (unified) or v1 (a hierarchy
 * per controller), as far as a domain's resource controls need them.
 *
 * Owns finding which version the host mounts under a root (normally
 * /sys/fs/cgroup) and which of the cpu, memory and I/O controllers it
 * has (and cpuset, for memory nodes), creating a group (a path relative to that root, such as
 * "virt-gmem.slice/vgm-web.scope") in each controller's hierarchy and
 * enabling the controllers on the way down (v2), thread groups below it
 * (v2: "threaded" cgroups), writing control files, moving threads, and
 * removing a group with its children.
 *
 * A root that is not a cgroup file system (a test's directory tree) is
 * used as it is: control files are created when written and a group is
 * removed with what is in it. On a real cgroup file system a control file
 * that does not exist is an error naming it.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

typedef enum {
    VGM_CGROUP_NONE,
    VGM_CGROUP_V1,
    VGM_CGROUP_V2,
} VgmCgroupVersion;

typedef enum {
    VGM_CGROUP_CPU,
    VGM_CGROUP_MEMORY,
    VGM_CGROUP_IO,          /* v1: blkio */
    VGM_CGROUP_CPUSET,      /* made only where a domain's memory nodes
                             * need it, never by default */

    VGM_CGROUP_LAST
} VgmCgroupController;

typedef struct {
    VgmCgroupVersion version;
    char *root;
    gboolean real;                       /* a cgroup file system */
    char *dirs[VGM_CGROUP_LAST];         /* each controller's hierarchy; NULL: absent */
} VgmCgroupHost;

/* The cgroups under @root (NULL: /sys/fs/cgroup). Never NULL; version
 * NONE when the root has neither layout. */
VgmCgroupHost *vgmCgroupHostDetect(const char *root);
void vgmCgroupHostFree(VgmCgroupHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmCgroupHost, vgmCgroupHostFree)

/* "cpu", "memory", "io" (v1: "blkio") */
const char *vgmCgroupControllerName(const VgmCgroupHost *host, VgmCgroupController c);

/* Creates group @rel in the hierarchy of every controller in @mask (bits
 * 1 << VgmCgroupController), enabling them on the way down (v2). A v1
 * cpuset group made starts with its parent's CPUs and memory nodes (the
 * kernel leaves them empty, and an empty one takes no process). */
gboolean vgmCgroupCreate(const VgmCgroupHost *host, const char *rel, guint mask,
                         GError **error);
/* Creates the thread group @sub of @rel for controller @c (v2: a
 * threaded cgroup; @c must be a threaded controller such as cpu). */
gboolean vgmCgroupCreateThreadGroup(const VgmCgroupHost *host, VgmCgroupController c,
                                    const char *rel, const char *sub, GError **error);
/* v2: enables @c for @rel's thread groups (after they are made); v1:
 * nothing to do */
gboolean vgmCgroupEnableThreaded(const VgmCgroupHost *host, VgmCgroupController c,
                                 const char *rel, GError **error);

/* The path of @file in @rel (and its thread group @sub, or NULL) of @c */
char *vgmCgroupPath(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
                    const char *sub, const char *file);
gboolean vgmCgroupWrite(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
                        const char *sub, const char *file, const char *value,
                        GError **error);
/* The same for a control file named by its path */
gboolean vgmCgroupWriteFile(const VgmCgroupHost *host, const char *path, const char *value,
                            GError **error);
/* The file's text without its trailing new line, NULL when unreadable */
char *vgmCgroupRead(const VgmCgroupHost *host, VgmCgroupController c, const char *rel,
                    const char *sub, const char *file);
/* Moves thread @tid into @rel/@sub of @c */
gboolean vgmCgroupAddThread(const VgmCgroupHost *host, VgmCgroupController c,
                            const char *rel, const char *sub, pid_t tid, GError **error);
/* The cgroup.procs files of @rel for the controllers in @mask, each once:
 * a process that writes "0" to each joins the group */
GStrv vgmCgroupProcsFiles(const VgmCgroupHost *host, const char *rel, guint mask);
/* Whether process @pid is in group @rel (or a group below it) of @c: the
 * kernel's /proc/PID/cgroup on a real cgroup file system, the group's
 * cgroup.procs in a test tree */
gboolean vgmCgroupHasProcess(const VgmCgroupHost *host, VgmCgroupController c,
                             const char *rel, pid_t pid);

/* Removes @rel with its thread groups from every hierarchy; what does
 * not exist is skipped. FALSE (and a warning's worth of @error) when a
 * group could not be removed, say because a process is still in it. */
gboolean vgmCgroupRemove(const VgmCgroupHost *host, const char *rel, GError **error);
