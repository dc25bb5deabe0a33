/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_storage.h: directory storage pools and their volumes, libvirt's
 * storage API as far as virt-install and virsh's pool and vol commands
 * need it.
 *
 * Only pools of type 'dir': a pool is a directory, its volumes are the
 * regular files in it (raw or qcow2, told apart by the qcow2 magic). A
 * volume's key is its path. A pool is persistent (defined) or transient
 * (made running by virStoragePoolCreateXML, gone when destroyed).
 *
 * Layout (beside the domains' dirs of driver_store.h):
 *   ROOT/etc/storage/NAME.xml          pool definition, canonical XML
 *   ROOT/etc/storage/autostart/NAME    present: the pool autostarts
 *   ROOT/run/storage/NAME.active       present: the pool is active
 *   ROOT/run/storage/NAME.xml          a transient pool's definition
 *                                      (with NAME.active: it runs)
 * Each is written with vgmFileWriteAtomic. Changes are serialised in the
 * process by one mutex.
 *
 * Define, undefine, build, start, destroy, delete and refresh raise
 * libvirt's storage pool events (driver_conn.h) once done.
 *
 * Errors: no such pool VGM_ERR_NO_STORAGE_POOL, no such volume
 * VGM_ERR_NO_STORAGE_VOL, a pool in the wrong state
 * VGM_ERR_OPERATION_INVALID, bad input VGM_ERR_INVALID_ARG or
 * VGM_ERR_XML, another pool type VGM_ERR_CONFIG_UNSUPPORTED. A call that
 * fails changes nothing.
 */
#pragma once

#include <glib.h>

typedef struct _VgmDriver VgmDriver;

typedef struct {
    char *name;
    unsigned char uuid[16];
} VgmStoragePool;

void vgmStoragePoolFree(VgmStoragePool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmStoragePool, vgmStoragePoolFree)

typedef struct {
    char *pool;         /* the pool's name */
    char *name;
    char *key;          /* its path */
} VgmStorageVol;

void vgmStorageVolFree(VgmStorageVol *vol);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmStorageVol, vgmStorageVolFree)

/* libvirt's virStoragePoolState and virStorageVolType numbers. */
enum {
    VGM_STORAGE_POOL_INACTIVE = 0,
    VGM_STORAGE_POOL_RUNNING = 2,
};
#define VGM_STORAGE_VOL_FILE 0
/* virStorageVolCreateFlags: VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA */
#define VGM_STORAGE_VOL_CREATE_PREALLOC_METADATA (1u << 0)

typedef struct {
    int state;
    guint64 capacity;   /* bytes */
    guint64 allocation;
    guint64 available;
} VgmStoragePoolInfo;

typedef struct {
    int type;
    guint64 capacity;   /* bytes: the virtual size of a qcow2 image */
    guint64 allocation;
} VgmStorageVolInfo;

/* virConnectListAllStoragePoolsFlags: the state bits and the type bits
 * (DIR is 1 << 6); pools sorted by name. */
#define VGM_STORAGE_LIST_ALL_FLAGS ((1u << 20) - 1)
GPtrArray *vgmDriverStorageListPools(VgmDriver *drv, unsigned int flags, GError **error);

VgmStoragePool *vgmDriverStoragePoolLookupByName(VgmDriver *drv, const char *name,
                                                 GError **error);
VgmStoragePool *vgmDriverStoragePoolLookupByUUID(VgmDriver *drv, const unsigned char *uuid,
                                                 GError **error);
/* The active pool whose target directory is @path (libvirt's
 * virStoragePoolLookupByTargetPath) */
VgmStoragePool *vgmDriverStoragePoolLookupByTargetPath(VgmDriver *drv, const char *path,
                                                       GError **error);

/* Defines (or redefines, same name and uuid) the pool in @xml. */
VgmStoragePool *vgmDriverStoragePoolDefineXML(VgmDriver *drv, const char *xml,
                                              unsigned int flags, GError **error);
/* The pool must be inactive. */
gboolean vgmDriverStoragePoolUndefine(VgmDriver *drv, const char *name, GError **error);
/* virStoragePoolBuildFlags: NO_OVERWRITE 4, OVERWRITE 8 (a directory
 * that exists is kept as it is either way). Creates the target directory
 * with the definition's permissions. */
gboolean vgmDriverStoragePoolBuild(VgmDriver *drv, const char *name, unsigned int flags,
                                   GError **error);
/* The pool must be inactive; its target directory is removed when empty
 * (libvirt's dir backend), no flags. */
gboolean vgmDriverStoragePoolDelete(VgmDriver *drv, const char *name, unsigned int flags,
                                    GError **error);
/* virStoragePoolCreateFlags: BUILD 1 (and its overwrite variants 2, 4)
 * builds first. The target directory must exist. */
gboolean vgmDriverStoragePoolStart(VgmDriver *drv, const char *name, unsigned int flags,
                                   GError **error);
/* A transient pool started from @xml (virStoragePoolCreateXML; flags as
 * vgmDriverStoragePoolStart's); no other pool may have its name, uuid or
 * target directory. */
VgmStoragePool *vgmDriverStoragePoolCreateXML(VgmDriver *drv, const char *xml, unsigned int flags,
                                              GError **error);
gboolean vgmDriverStoragePoolDestroy(VgmDriver *drv, const char *name, GError **error);
gboolean vgmDriverStoragePoolRefresh(VgmDriver *drv, const char *name, unsigned int flags,
                                     GError **error);
/* virStorageXMLFlags: INACTIVE 1. */
char *vgmDriverStoragePoolGetXMLDesc(VgmDriver *drv, const char *name, unsigned int flags,
                                     GError **error);
gboolean vgmDriverStoragePoolGetInfo(VgmDriver *drv, const char *name,
                                     VgmStoragePoolInfo *info, GError **error);
gboolean vgmDriverStoragePoolGetAutostart(VgmDriver *drv, const char *name,
                                          gboolean *autostart, GError **error);
gboolean vgmDriverStoragePoolSetAutostart(VgmDriver *drv, const char *name,
                                          gboolean autostart, GError **error);
/* Whether pool @name runs, and whether it is defined (not transient) */
gboolean vgmDriverStoragePoolIsActive(VgmDriver *drv, const char *name, gboolean *active,
                                      gboolean *persistent, GError **error);
/* virConnectGetStoragePoolCapabilities: every pool type libvirt has,
 * 'dir' the one supported, with the volume formats it makes */
char *vgmDriverStoragePoolCapabilities(VgmDriver *drv, unsigned int flags, GError **error);
/* virConnectFindStoragePoolSources: a directory has no sources to find
 * (libvirt's dir backend), and no other type is served; always NULL with
 * the error that says so */
char *vgmDriverStorageFindPoolSources(VgmDriver *drv, const char *type, unsigned int flags,
                                      GError **error);
/* Starts the autostart pools that are not active (a daemon's start). */
void vgmDriverStorageAutostart(VgmDriver *drv);

/* The volumes of active pool @pool, sorted by name. */
GPtrArray *vgmDriverStorageListVolumes(VgmDriver *drv, const char *pool, GError **error);
VgmStorageVol *vgmDriverStorageVolLookupByName(VgmDriver *drv, const char *pool,
                                               const char *name, GError **error);
/* By path (also the key): the file must be a volume of an active pool. */
VgmStorageVol *vgmDriverStorageVolLookupByPath(VgmDriver *drv, const char *path,
                                               GError **error);
/* Creates the volume in @xml: raw (a sparse file) or qcow2 (qemu-img),
 * with its metadata preallocated (flags) or over a <backingStore>. */
VgmStorageVol *vgmDriverStorageVolCreateXML(VgmDriver *drv, const char *pool,
                                            const char *xml, unsigned int flags,
                                            GError **error);
/* A copy of volume @fromName of pool @fromPool as the new volume in
 * @xml (its format may differ: qemu-img converts; its capacity at least
 * the original's, grown to the one asked for) */
VgmStorageVol *vgmDriverStorageVolCreateXMLFrom(VgmDriver *drv, const char *pool,
                                                const char *xml, const char *fromPool,
                                                const char *fromName, unsigned int flags,
                                                GError **error);
/* virStorageVolResizeFlags */
#define VGM_STORAGE_VOL_RESIZE_ALLOCATE (1u << 0)
#define VGM_STORAGE_VOL_RESIZE_DELTA (1u << 1)
#define VGM_STORAGE_VOL_RESIZE_SHRINK (1u << 2)
/* A new capacity for the volume, as libvirt's virStorageVolResize: raw
 * by ftruncate (and posix_fallocate with ALLOCATE), qcow2 by qemu-img */
gboolean vgmDriverStorageVolResize(VgmDriver *drv, const char *pool, const char *name,
                                   guint64 capacity, unsigned int flags, GError **error);
/* The volume's data wiped with libvirt's @algorithm (0 zeroes, the
 * patterns by scrub, trim refused) */
gboolean vgmDriverStorageVolWipe(VgmDriver *drv, const char *pool, const char *name,
                                 unsigned int algorithm, unsigned int flags, GError **error);
gboolean vgmDriverStorageVolDelete(VgmDriver *drv, const char *pool, const char *name,
                                   unsigned int flags, GError **error);
/* VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM:
 * holes travel as holes */
#define VGM_STORAGE_VOL_STREAM_SPARSE (1u << 0)
/* The file of volume @name of @pool opened for libvirt's upload
 * (@upload: for writing) or download, at @offset; flags: sparse (the
 * stream's business). Returns the descriptor, or -1 with @error. */
int vgmDriverStorageVolOpenStream(VgmDriver *drv, const char *pool, const char *name,
                                  guint64 offset, gboolean upload, unsigned int flags,
                                  GError **error);
char *vgmDriverStorageVolGetXMLDesc(VgmDriver *drv, const char *pool, const char *name,
                                    unsigned int flags, GError **error);
/* virStorageVolInfoFlags: GET_PHYSICAL 1 gives the file's size as the
 * allocation */
#define VGM_STORAGE_VOL_GET_PHYSICAL (1u << 0)
gboolean vgmDriverStorageVolGetInfo(VgmDriver *drv, const char *pool, const char *name,
                                    unsigned int flags, VgmStorageVolInfo *info,
                                    GError **error);

/* The format of image file @path by its first bytes: "qcow2" or "raw";
 * NULL when it cannot be read */
const char *vgmDriverImageFormat(const char *path);
/* The guest-visible size of image file @path: a qcow2 header's, else the
 * file's size */
gboolean vgmDriverImageCapacity(const char *path, guint64 *capacity, GError **error);
