/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmhost.h: facts about the host that QEMU runs on.
 *
 * Owns probing /dev/kvm for guest_memfd (is it there, which creation flags
 * does the kernel accept for a given VM type, does a guest_memfd really
 * mmap), the hugepage sizes the host offers, the host architecture, and the
 * one place that turns "the kernel lacks X" into an error message. The
 * decoding and checking functions are pure so tests need no /dev/kvm.
 */
#pragma once

#include <glib.h>

#include "util/vgmenum.h"

/*
 * guest_memfd creation flags, by bit number. The names are the words used
 * in messages and output; the bit values are the kernel's
 * GUEST_MEMFD_FLAG_* (NO_DIRECT_MAP is from a patch series, not mainline).
 */
typedef enum {
    VGM_HOST_GMEM_FLAG_MMAP = 0,        /* "mmap": host can mmap it */
    VGM_HOST_GMEM_FLAG_INIT_SHARED,     /* "init-shared": starts shared */
    VGM_HOST_GMEM_FLAG_NO_DIRECT_MAP,   /* "no-direct-map" */

    VGM_HOST_GMEM_FLAG_LAST
} VgmHostGuestMemfdFlag;

VGM_ENUM_DECL(vgmHostGuestMemfdFlag);

#define VGM_HOST_GMEM_MMAP          (G_GUINT64_CONSTANT(1) << VGM_HOST_GMEM_FLAG_MMAP)
#define VGM_HOST_GMEM_INIT_SHARED   (G_GUINT64_CONSTANT(1) << VGM_HOST_GMEM_FLAG_INIT_SHARED)
#define VGM_HOST_GMEM_NO_DIRECT_MAP (G_GUINT64_CONSTANT(1) << VGM_HOST_GMEM_FLAG_NO_DIRECT_MAP)
#define VGM_HOST_GMEM_KNOWN_FLAGS \
    ((G_GUINT64_CONSTANT(1) << VGM_HOST_GMEM_FLAG_LAST) - 1)

/* x86 KVM VM types (the argument of KVM_CREATE_VM); other arches use 0. */
#define VGM_HOST_KVM_X86_DEFAULT_VM      0UL
#define VGM_HOST_KVM_X86_SW_PROTECTED_VM 1UL
#define VGM_HOST_KVM_X86_SEV_VM          2UL
#define VGM_HOST_KVM_X86_SEV_ES_VM       3UL
#define VGM_HOST_KVM_X86_SNP_VM          4UL
#define VGM_HOST_KVM_X86_TDX_VM          5UL

/* Splits @mask into one boolean per known flag and the bits we do not know.
 * Every output pointer may be NULL. */
void vgmHostGuestMemfdFlagsDecode(guint64 mask,
                                  gboolean *mmap,
                                  gboolean *initShared,
                                  gboolean *noDirectMap,
                                  guint64 *unknownFlags);

/* Names the flags of @mask in bit order, joined by ", " ("mmap, init-shared");
 * unknown bits come last as one hex mask ("0x8"); 0 is "none". */
char *vgmHostGuestMemfdFlagsFormat(guint64 mask);

/* The inverse of Format for known names: comma-separated names, blanks
 * around names ignored, "none" or "" is 0. Unknown names are errors. */
gboolean vgmHostGuestMemfdFlagsParse(const char *str, guint64 *mask,
                                     GError **error);

/* What /dev/kvm says about guest_memfd for one VM type. */
typedef struct {
    gboolean available;      /* /dev/kvm exists and has KVM behind it */
    char *reason;            /* translated, why not available; else NULL */
    char *devpath;           /* the device probed */
    unsigned long vmType;    /* the KVM_CREATE_VM type probed */
    int apiVersion;          /* KVM_GET_API_VERSION */
    guint64 memoryAttributes; /* KVM_CAP_MEMORY_ATTRIBUTES (mask; 0 = none) */
    gboolean guestMemfd;     /* KVM_CAP_GUEST_MEMFD */
    guint64 flagsMask;       /* KVM_CAP_GUEST_MEMFD_FLAGS (0 if unknown) */
    gboolean mmap;           /* flagsMask decoded */
    gboolean initShared;
    gboolean noDirectMap;
    guint64 unknownFlags;    /* flagsMask bits we have no name for */
} VgmHostKvmInfo;

void vgmHostKvmInfoClear(VgmHostKvmInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmHostKvmInfo, vgmHostKvmInfoClear)

/*
 * Opens @devpath (NULL: /dev/kvm), creates a VM of @vmType and asks that VM
 * fd for the guest_memfd capabilities (the answer depends on the VM type).
 * A missing device (or one with no KVM driver behind it) is not an error:
 * info->available is FALSE and info->reason says why. Any other failure
 * (permission denied, unsupported VM type, ...) is an error.
 * @info is overwritten, not freed, so pass a zeroed or cleared one; free
 * its contents with vgmHostKvmInfoClear or declare it g_auto(VgmHostKvmInfo).
 */
gboolean vgmHostKvmProbe(const char *devpath, unsigned long vmType,
                         VgmHostKvmInfo *info, GError **error);

/*
 * The host's TSC rate as KVM gives its vCPUs (KVM_GET_TSC_KHZ on a vCPU of
 * a fresh VM), in kHz, and whether KVM can give a guest another rate
 * (KVM_CAP_TSC_CONTROL). Returns 1, 0 when the host has no KVM (nothing
 * set), -1 on error.
 */
int vgmHostKvmTsc(const char *devpath, guint64 *khz, gboolean *scaling, GError **error);

/*
 * Proves that a guest_memfd really works: on a fresh VM of @vmType, creates
 * a guest_memfd of @size bytes (a non-zero multiple of the page size) with
 * creation @flags; if @flags has MMAP, maps it, and if it also has
 * INIT_SHARED, writes a byte through the mapping and reads it back.
 * (A mapping without INIT_SHARED is private and is never touched: it would
 * raise SIGBUS.) A missing /dev/kvm is an error here (VGM_ERR_NO_SUPPORT).
 */
gboolean vgmHostKvmTryGuestMemfd(const char *devpath, unsigned long vmType,
                                 guint64 size, guint64 flags, GError **error);

/*
 * Fails with VGM_ERR_NO_SUPPORT, naming what the host lacks, unless @info
 * shows a usable /dev/kvm with guest_memfd accepting every flag of
 * @neededFlags.
 */
gboolean vgmHostGuestMemfdCheck(const VgmHostKvmInfo *info,
                                guint64 neededFlags, GError **error);

/* One hugepage size the host offers. */
typedef struct {
    guint64 sizeKiB;   /* from the hugepages-<N>kB directory name */
    guint64 total;     /* nr_hugepages */
    guint64 free;      /* free_hugepages */
} VgmHostHugepages;

/*
 * Reads <@sysfsRoot>/kernel/mm/hugepages (NULL: /sys) into *@sizes, a GArray
 * of VgmHostHugepages sorted by size. A host without that directory has no
 * hugepages: an empty array, not an error.
 */
gboolean vgmHostHugepagesGet(const char *sysfsRoot, GArray **sizes,
                             GError **error);

/* Maps a uname machine string to libvirt's arch name ("amd64" -> "x86_64",
 * "arm64" -> "aarch64", "i586" -> "i686"); an unknown one is returned as is
 * (interned). */
const char *vgmHostArchFromMachine(const char *machine);

/* The host architecture as libvirt names it (x86_64, aarch64, s390x,
 * ppc64le, ...). */
const char *vgmHostArch(void);

/* The host CPU's CPUID leaf @leaf, subleaf @subleaf: EAX, EBX, ECX, EDX
 * in @regs. FALSE off x86 and for a leaf beyond the CPU's highest (basic
 * or extended) leaf. */
gboolean vgmHostCpuid(guint32 leaf, guint32 subleaf, guint32 regs[4]);

/* The most vCPUs a KVM VM of @devpath (NULL: /dev/kvm) takes, as libvirt
 * asks: KVM_CAP_MAX_VCPUS, else KVM_CAP_NR_VCPUS, else 4; -1 with @error
 * when the device cannot be opened. */
int vgmHostKvmMaxVcpus(const char *devpath, GError **error);

/* The host's uuid, as libvirt gives it in <host><uuid> and the computer
 * node device: the SMBIOS system uuid of <sysfs>/class/dmi/id (@sysfs
 * NULL: "/sys") where the firmware has one (readable by root), else, on
 * the real host, the machine id (systemd's, a uuid without dashes), else
 * NULL. */
char *vgmHostUUID(const char *sysfs);
