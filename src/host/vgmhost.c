/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmhost.c: probing /dev/kvm for guest_memfd, hugepage sizes from sysfs,
 * the host architecture, and the guest_memfd requirement check.
 */
#include "config.h"

#if defined(__x86_64__) || defined(__i386__)
# include <cpuid.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vgmhost.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

/*
 * The guest_memfd uAPI is newer than the kernel headers we build against
 * (Debian 12 ships 6.1). The values are the kernel's ABI.
 */
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
# define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
# define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
# define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
    __u64 size;
    __u64 flags;
    __u64 reserved[6];
};
# define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
# define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
# define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif
#ifndef GUEST_MEMFD_FLAG_NO_DIRECT_MAP
# define GUEST_MEMFD_FLAG_NO_DIRECT_MAP (1ULL << 2)
#endif

G_STATIC_ASSERT(sizeof(struct kvm_create_guest_memfd) == 64);
G_STATIC_ASSERT(VGM_HOST_GMEM_MMAP == GUEST_MEMFD_FLAG_MMAP);
G_STATIC_ASSERT(VGM_HOST_GMEM_INIT_SHARED == GUEST_MEMFD_FLAG_INIT_SHARED);
G_STATIC_ASSERT(VGM_HOST_GMEM_NO_DIRECT_MAP == GUEST_MEMFD_FLAG_NO_DIRECT_MAP);

#define VGM_HOST_KVM_DEVPATH "/dev/kvm"
#define VGM_HOST_KVM_API_VERSION 12

VGM_ENUM_IMPL(vgmHostGuestMemfdFlag, VGM_HOST_GMEM_FLAG_LAST,
              "mmap",
              "init-shared",
              "no-direct-map");


/* ---- guest_memfd flag masks ---- */

void
vgmHostGuestMemfdFlagsDecode(guint64 mask,
                             gboolean *mmap,
                             gboolean *initShared,
                             gboolean *noDirectMap,
                             guint64 *unknownFlags)
{
    if (mmap)
        *mmap = !!(mask & VGM_HOST_GMEM_MMAP);
    if (initShared)
        *initShared = !!(mask & VGM_HOST_GMEM_INIT_SHARED);
    if (noDirectMap)
        *noDirectMap = !!(mask & VGM_HOST_GMEM_NO_DIRECT_MAP);
    if (unknownFlags)
        *unknownFlags = mask & ~VGM_HOST_GMEM_KNOWN_FLAGS;
}

char *
vgmHostGuestMemfdFlagsFormat(guint64 mask)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    guint64 unknown = mask & ~VGM_HOST_GMEM_KNOWN_FLAGS;
    int i;

    if (mask == 0)
        return g_strdup("none");

    for (i = 0; i < VGM_HOST_GMEM_FLAG_LAST; i++) {
        if (!(mask & (G_GUINT64_CONSTANT(1) << i)))
            continue;
        if (buf->len)
            g_string_append(buf, ", ");
        g_string_append(buf, vgmHostGuestMemfdFlagTypeToString(i));
    }
    if (unknown) {
        if (buf->len)
            g_string_append(buf, ", ");
        g_string_append_printf(buf, "0x%" G_GINT64_MODIFIER "x", unknown);
    }
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

gboolean
vgmHostGuestMemfdFlagsParse(const char *str, guint64 *mask, GError **error)
{
    g_auto(GStrv) names = NULL;
    guint64 result = 0;
    size_t i;

    *mask = 0;
    if (!str)
        return TRUE;

    names = g_strsplit(str, ",", -1);
    for (i = 0; names[i]; i++) {
        const char *name = g_strstrip(names[i]);
        int bit;

        if (!*name && !names[1])
            break;              /* the whole string is blank */
        if (g_str_equal(name, "none") && !names[1])
            break;
        if ((bit = vgmHostGuestMemfdFlagTypeFromString(name)) < 0) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("unknown guest_memfd flag '%1$s' in '%2$s'"),
                        name, str);
            return FALSE;
        }
        result |= G_GUINT64_CONSTANT(1) << bit;
    }
    *mask = result;
    return TRUE;
}


/* ---- /dev/kvm ---- */

void
vgmHostKvmInfoClear(VgmHostKvmInfo *info)
{
    g_free(info->reason);
    g_free(info->devpath);
    memset(info, 0, sizeof(*info));
}

/* ioctl, retried on EINTR (KVM_CREATE_VM can be interrupted). */
static int
vgmHostIoctl(int fd, unsigned long request, unsigned long arg)
{
    int ret;

    do {
        ret = ioctl(fd, request, arg);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

/*
 * Opens @devpath and creates a VM of @vmType, returning both fds.
 * Returns 1 on success, 0 when the host has no KVM (with *reason set, no
 * error), -1 on error.
 */
static int
vgmHostKvmOpenVM(const char *devpath, unsigned long vmType,
                 int *kvmfd, int *vmfd, int *apiVersion, char **reason,
                 GError **error)
{
    int kfd;
    int vfd;
    int version;

    *kvmfd = *vmfd = -1;

    if ((kfd = open(devpath, O_RDWR | O_CLOEXEC)) < 0) {
        int err = errno;

        /* no node, or a node with no kvm module behind it */
        if (err == ENOENT || err == ENODEV || err == ENXIO) {
            *reason = g_strdup_printf(_("cannot open '%1$s': %2$s"),
                                      devpath, g_strerror(err));
            return 0;
        }
        vgmErrorSetSystem(error, err, _("cannot open '%1$s'"), devpath);
        return -1;
    }

    if ((version = vgmHostIoctl(kfd, KVM_GET_API_VERSION, 0)) < 0) {
        vgmErrorSetSystem(error, errno,
                          _("cannot get the KVM API version from '%1$s'"),
                          devpath);
        close(kfd);
        return -1;
    }
    if (version != VGM_HOST_KVM_API_VERSION) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("'%1$s' speaks KVM API version %2$d, expected %3$d"),
                    devpath, version, VGM_HOST_KVM_API_VERSION);
        close(kfd);
        return -1;
    }
    *apiVersion = version;

    if ((vfd = vgmHostIoctl(kfd, KVM_CREATE_VM, vmType)) < 0) {
        int err = errno;

        if (err == EINVAL) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("the host kernel cannot create a KVM VM of type %1$lu: %2$s"),
                        vmType, g_strerror(err));
        } else {
            vgmErrorSetSystem(error, err,
                              _("cannot create a KVM VM of type %1$lu"),
                              vmType);
        }
        close(kfd);
        return -1;
    }

    *kvmfd = kfd;
    *vmfd = vfd;
    return 1;
}

/* KVM_CHECK_EXTENSION on the VM fd, since the answer depends on the VM type. */
static gboolean
vgmHostKvmCheckCap(int vmfd, int cap, const char *capName,
                   unsigned long vmType, guint64 *value, GError **error)
{
    int ret;

    if ((ret = vgmHostIoctl(vmfd, KVM_CHECK_EXTENSION, cap)) < 0) {
        vgmErrorSetSystem(error, errno,
                          _("cannot check %1$s on a KVM VM of type %2$lu"),
                          capName, vmType);
        return FALSE;
    }
    *value = (guint64)ret;
    return TRUE;
}

gboolean
vgmHostKvmProbe(const char *devpath, unsigned long vmType,
                VgmHostKvmInfo *info, GError **error)
{
    int kvmfd;
    int vmfd;
    int rc;
    guint64 val = 0;
    gboolean ok;

    memset(info, 0, sizeof(*info));
    if (!devpath)
        devpath = VGM_HOST_KVM_DEVPATH;
    info->devpath = g_strdup(devpath);
    info->vmType = vmType;

    rc = vgmHostKvmOpenVM(devpath, vmType, &kvmfd, &vmfd, &info->apiVersion,
                          &info->reason, error);
    if (rc < 0)
        return FALSE;
    if (rc == 0)
        return TRUE;
    info->available = TRUE;

    ok = vgmHostKvmCheckCap(vmfd, KVM_CAP_MEMORY_ATTRIBUTES,
                            "KVM_CAP_MEMORY_ATTRIBUTES", vmType,
                            &info->memoryAttributes, error) &&
         vgmHostKvmCheckCap(vmfd, KVM_CAP_GUEST_MEMFD,
                            "KVM_CAP_GUEST_MEMFD", vmType, &val, error);
    if (ok) {
        info->guestMemfd = val > 0;
        /* a kernel without the FLAGS capability answers 0: no flags */
        if (info->guestMemfd)
            ok = vgmHostKvmCheckCap(vmfd, KVM_CAP_GUEST_MEMFD_FLAGS,
                                    "KVM_CAP_GUEST_MEMFD_FLAGS", vmType,
                                    &info->flagsMask, error);
    }
    close(vmfd);
    close(kvmfd);
    if (!ok)
        return FALSE;

    vgmHostGuestMemfdFlagsDecode(info->flagsMask, &info->mmap,
                                 &info->initShared, &info->noDirectMap,
                                 &info->unknownFlags);
    return TRUE;
}

/* Maps @fd and, if the memory starts shared, writes and reads back a byte
 * at both ends. */
static gboolean
vgmHostGuestMemfdTouch(int fd, guint64 size, guint64 flags, GError **error)
{
    g_autofree char *flagStr = vgmHostGuestMemfdFlagsFormat(flags);
    volatile unsigned char *mem;
    void *addr;
    gboolean ok = TRUE;

    addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
        vgmErrorSetSystem(error, errno,
                          _("cannot mmap a guest_memfd of %1$llu bytes created with flags '%2$s'"),
                          (unsigned long long)size, flagStr);
        return FALSE;
    }

    if (flags & VGM_HOST_GMEM_INIT_SHARED) {
        mem = addr;
        mem[0] = 0x5a;
        mem[size - 1] = 0xa5;
        if (mem[0] != 0x5a || mem[size - 1] != 0xa5) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("a byte written to a guest_memfd mapping (flags '%1$s') did not read back"),
                        flagStr);
            ok = FALSE;
        }
    }

    munmap(addr, size);
    return ok;
}

gboolean
vgmHostKvmTryGuestMemfd(const char *devpath, unsigned long vmType,
                        guint64 size, guint64 flags, GError **error)
{
    struct kvm_create_guest_memfd req = { 0 };
    g_autofree char *reason = NULL;
    g_autofree char *flagStr = vgmHostGuestMemfdFlagsFormat(flags);
    long pagesize = sysconf(_SC_PAGESIZE);
    int apiVersion = 0;
    int kvmfd;
    int vmfd;
    int gmemfd;
    int rc;
    gboolean ok;

    if (!devpath)
        devpath = VGM_HOST_KVM_DEVPATH;

    if (size == 0 || pagesize <= 0 || size % (guint64)pagesize != 0 ||
        size > G_MAXSIZE) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("guest_memfd size %1$llu is not a non-zero multiple of the page size %2$ld"),
                    (unsigned long long)size, pagesize);
        return FALSE;
    }

    rc = vgmHostKvmOpenVM(devpath, vmType, &kvmfd, &vmfd, &apiVersion,
                          &reason, error);
    if (rc < 0)
        return FALSE;
    if (rc == 0) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("host has no /dev/kvm: %1$s"), reason);
        return FALSE;
    }

    req.size = size;
    req.flags = flags;
    gmemfd = vgmHostIoctl(vmfd, KVM_CREATE_GUEST_MEMFD, (unsigned long)&req);
    if (gmemfd < 0) {
        int err = errno;

        /* EINVAL: unknown flag or unsupported VM type; ENOTTY: no ioctl */
        if (err == EINVAL || err == ENOTTY) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("the host kernel refused to create a guest_memfd of %1$llu bytes with flags '%2$s' on a KVM VM of type %3$lu: %4$s"),
                        (unsigned long long)size, flagStr, vmType,
                        g_strerror(err));
        } else {
            vgmErrorSetSystem(error, err,
                              _("cannot create a guest_memfd of %1$llu bytes with flags '%2$s' on a KVM VM of type %3$lu"),
                              (unsigned long long)size, flagStr, vmType);
        }
        close(vmfd);
        close(kvmfd);
        return FALSE;
    }

    ok = TRUE;
    if (flags & VGM_HOST_GMEM_MMAP)
        ok = vgmHostGuestMemfdTouch(gmemfd, size, flags, error);

    close(gmemfd);
    close(vmfd);
    close(kvmfd);
    return ok;
}

gboolean
vgmHostGuestMemfdCheck(const VgmHostKvmInfo *info, guint64 neededFlags,
                       GError **error)
{
    guint64 missing;
    g_autofree char *missingStr = NULL;
    g_autofree char *haveStr = NULL;

    if (!info->available) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT, _("host has no /dev/kvm: %1$s"),
                    info->reason ? info->reason : "");
        return FALSE;
    }
    if (!info->guestMemfd) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the host kernel does not support guest_memfd (KVM_CAP_GUEST_MEMFD)"));
        return FALSE;
    }
    missing = neededFlags & ~info->flagsMask;
    if (missing) {
        missingStr = vgmHostGuestMemfdFlagsFormat(missing);
        haveStr = vgmHostGuestMemfdFlagsFormat(info->flagsMask);
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the host kernel's guest_memfd lacks the flags %1$s (KVM_CAP_GUEST_MEMFD_FLAGS reports %2$s)"),
                    missingStr, haveStr);
        return FALSE;
    }
    return TRUE;
}


/* ---- hugepages ---- */

/* "hugepages-2048kB" -> 2048; FALSE for anything else */
static gboolean
vgmHostHugepagesDirSize(const char *name, guint64 *sizeKiB)
{
    const char *p;
    g_autofree char *digits = NULL;
    unsigned long long v;

    if (!g_str_has_prefix(name, "hugepages-") || !g_str_has_suffix(name, "kB"))
        return FALSE;
    p = name + strlen("hugepages-");
    digits = g_strndup(p, strlen(p) - strlen("kB"));
    if (!*digits || strspn(digits, "0123456789") != strlen(digits))
        return FALSE;
    if (!vgmStrToULL(digits, &v) || v == 0)
        return FALSE;
    *sizeKiB = v;
    return TRUE;
}

static gboolean
vgmHostReadCounter(const char *dir, const char *file, guint64 *value,
                   GError **error)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = NULL;
    unsigned long long v;

    if (!vgmFileReadAll(path, 64, &text, NULL, error))
        return FALSE;
    if (!vgmStrToULL(g_strstrip(text), &v)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot parse '%1$s' as a number in '%2$s'"), text, path);
        return FALSE;
    }
    *value = v;
    return TRUE;
}

static gint
vgmHostHugepagesCompare(gconstpointer a, gconstpointer b)
{
    const VgmHostHugepages *pa = a;
    const VgmHostHugepages *pb = b;

    return (pa->sizeKiB > pb->sizeKiB) - (pa->sizeKiB < pb->sizeKiB);
}

gboolean
vgmHostHugepagesGet(const char *sysfsRoot, GArray **sizes, GError **error)
{
    g_autofree char *base = NULL;
    g_autoptr(GArray) result = g_array_new(FALSE, TRUE, sizeof(VgmHostHugepages));
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GError) local = NULL;
    const char *name;

    *sizes = NULL;
    base = g_build_filename(sysfsRoot ? sysfsRoot : "/sys",
                            "kernel", "mm", "hugepages", NULL);

    if (!(dir = g_dir_open(base, 0, &local))) {
        if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            *sizes = g_steal_pointer(&result);
            return TRUE;
        }
        vgmErrorSet(error, VGM_ERR_SYSTEM,
                    _("cannot read directory '%1$s': %2$s"), base, local->message);
        return FALSE;
    }

    while ((name = g_dir_read_name(dir))) {
        g_autofree char *sub = NULL;
        VgmHostHugepages hp = { 0 };

        if (!vgmHostHugepagesDirSize(name, &hp.sizeKiB))
            continue;
        sub = g_build_filename(base, name, NULL);
        if (!vgmHostReadCounter(sub, "nr_hugepages", &hp.total, error) ||
            !vgmHostReadCounter(sub, "free_hugepages", &hp.free, error))
            return FALSE;
        g_array_append_val(result, hp);
    }

    g_array_sort(result, vgmHostHugepagesCompare);
    *sizes = g_steal_pointer(&result);
    return TRUE;
}


/* ---- architecture ---- */

static const struct {
    const char *machine;
    const char *arch;
} vgmHostArchMap[] = {
    { "amd64", "x86_64" },
    { "i386", "i686" },
    { "i486", "i686" },
    { "i586", "i686" },
    { "arm64", "aarch64" },
};

const char *
vgmHostArchFromMachine(const char *machine)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmHostArchMap); i++) {
        if (g_str_equal(machine, vgmHostArchMap[i].machine))
            return vgmHostArchMap[i].arch;
    }
    /* x86_64, aarch64, s390x, ppc64le, ppc64, riscv64, ... already match */
    return g_intern_string(machine);
}

const char *
vgmHostArch(void)
{
    struct utsname ut;

    if (uname(&ut) < 0)
        return "unknown";
    return vgmHostArchFromMachine(ut.machine);
}

int
vgmHostKvmTsc(const char *devpath, guint64 *khz, gboolean *scaling, GError **error)
{
    g_autofree char *reason = NULL;
    int kvmfd, vmfd, vcpufd, version;
    int rc;

    if (!devpath)
        devpath = "/dev/kvm";
    if ((rc = vgmHostKvmOpenVM(devpath, 0, &kvmfd, &vmfd, &version, &reason, error)) <= 0)
        return rc;
    rc = -1;
    if ((vcpufd = vgmHostIoctl(vmfd, KVM_CREATE_VCPU, 0)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create a vCPU on '%1$s'"), devpath);
    } else {
        int v = vgmHostIoctl(vcpufd, KVM_GET_TSC_KHZ, 0);

        if (v < 0) {
            vgmErrorSetSystem(error, errno, _("cannot read the TSC rate of a vCPU on '%1$s'"),
                              devpath);
        } else {
            int cap = vgmHostIoctl(kvmfd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL);

            *khz = (guint64)v;
            *scaling = cap > 0;
            rc = 1;
        }
        close(vcpufd);
    }
    close(vmfd);
    close(kvmfd);
    return rc;
}

gboolean
vgmHostCpuid(guint32 leaf, guint32 subleaf, guint32 regs[4])
{
#if defined(__x86_64__) || defined(__i386__)
    guint32 max = __get_cpuid_max(leaf & 0x80000000u, NULL);

    if (max == 0 || leaf > max)
        return FALSE;
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
    return TRUE;
#else
    memset(regs, 0, 4 * sizeof(guint32));
    return FALSE;
#endif
}

int
vgmHostKvmMaxVcpus(const char *devpath, GError **error)
{
    int fd, n;

    if (!devpath)
        devpath = "/dev/kvm";
    if ((fd = open(devpath, O_RDONLY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open '%1$s'"), devpath);
        return -1;
    }
    /* the largest vCPU count, else the recommended one, else KVM's old
     * limit of 4 */
    if ((n = vgmHostIoctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS)) <= 0 &&
        (n = vgmHostIoctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS)) <= 0)
        n = 4;
    close(fd);
    return n;
}

char *
vgmHostUUID(const char *sysfs)
{
    g_autofree char *dmi = g_build_filename(sysfs ? sysfs : "/sys", "class", "dmi", "id",
                                            "product_uuid", NULL);
    const char *sources[] = { dmi, sysfs ? NULL : "/etc/machine-id" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(sources) && sources[i]; i++) {
        g_autofree char *text = NULL;
        g_autoptr(GString) hex = g_string_new(NULL);
        const char *p;

        if (!vgmFileReadAll(sources[i], 256, &text, NULL, NULL))
            continue;
        for (p = text; *p; p++) {
            if (g_ascii_isxdigit(*p))
                g_string_append_c(hex, g_ascii_tolower(*p));
        }
        /* all zeroes or all ones: firmware that has no uuid */
        if (hex->len != 32 || strspn(hex->str, "0") == 32 || strspn(hex->str, "f") == 32)
            continue;
        return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", hex->str, hex->str + 8,
                               hex->str + 12, hex->str + 16, hex->str + 20);
    }
    return NULL;
}
