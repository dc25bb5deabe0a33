/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hosttest.c: tests of host probing (src/host) and of whole-file I/O
 * (src/util/vgmfile).
 *
 * Covers:
 *  - guest_memfd flag masks: decode and format of 0, 1, 3, 7 and masks with
 *    unknown bits; parse of names back into masks, and its errors;
 *  - the hugepage-size reader on a fake sysfs tree in a temp dir
 *    (hugepages-2048kB and hugepages-1048576kB with nr_hugepages and
 *    free_hugepages, plus entries it must ignore), a tree without the
 *    directory, and a tree with an unreadable counter;
 *  - vgmHostGuestMemfdCheck: the exact message for each thing a host can
 *    lack (no /dev/kvm, no guest_memfd, missing flags) and the passing cases;
 *  - the /dev/kvm probe against a missing device (not an error) and a device
 *    that is not KVM (an error), and vgmHostKvmTryGuestMemfd's argument
 *    checks;
 *  - the real /dev/kvm: when present, the probe of the default VM type
 *    must agree with KVM's own answers (KVM_CHECK_EXTENSION on a VM made
 *    by the test, for guest_memfd and its flags); a host whose guest_memfd
 *    has MMAP|INIT_SHARED must mmap one with both flags and take a write,
 *    a host without guest_memfd must be refused by the requirement check
 *    and by a try with its exact message; without /dev/kvm the test is
 *    skipped with the reason;
 *  - vgmFileWriteAtomic (writes with the mode asked, replaces, leaves no
 *    temp files, refuses a missing directory, and on a failed write or
 *    rename leaves the old file intact), vgmFileReadAll's size limit,
 *    vgmFileMakePath;
 *  - cgroup v1 on a fake tree: the controllers found by their hierarchies'
 *    tasks files; a cpuset group made two levels down starts with its
 *    parent's CPUs and memory nodes (the kernel leaves a new one's empty),
 *    one whose own are set keeps them, and the other controllers' groups
 *    get no such files;
 *  - the uname machine -> arch name mapping;
 *  - the host <sysinfo> from dmidecode's text: tests/sysinfodata/
 *    dmidecode-q.txt (dmidecode 3.4's `-q -t 0,1,2,3,4,11,17` of the table
 *    make-dmi-dump.py writes) against the golden sysinfo.xml, with an OEM
 *    string asked for again where its text shows a '.'; text with no known
 *    section; a section whose fields are all absent; the first of two
 *    system sections; control characters and bad UTF-8 made fit for XML;
 *    a dmidecode that hangs stopped after 10 s, the call saying so;
 *  - the host's devices (vgmnodedev) on the made-up host of
 *    tests/nodedevdata/sysfs.txt (PCI with SR-IOV, IOMMU groups, mediated
 *    device types, PCIe links and a bridge; USB named by udev's database
 *    and by sysfs; network interfaces up, down and wireless; SCSI hosts,
 *    targets and devices with Fibre Channel and vports; disks known to
 *    udev and not, a CD-ROM without a medium, a partition and a loop
 *    device left out; SCSI generic and DRM minors, a DRM connector left
 *    out; DMI with a control character), every device's name, parent,
 *    capabilities and XML against the golden nodedevdata/nodedev.txt;
 *    the SCSI host found by its WWNs; a device gone after the scan; a
 *    root that is not a directory;
 *  - the host's interfaces (vgmhostiface) on the same host: the list
 *    (bridge ports and taps left out) and each interface's XML (ethernet
 *    with MTU, link and MAC; a bridge with its port but not a guest's tap;
 *    an active-backup bond with MII monitoring and the slaves its driver
 *    lists; a VLAN on the bond from /proc/net/vlan) against the golden
 *    nodedevdata/iface.txt; a port found by its name; a name with a '/'
 *    and a missing one not found; a VLAN without its /proc entry and a
 *    bond without its settings refused.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "host/vgmhost.h"
#include "util/vgmerror.h"
#include "host/vgmsysinfo.h"
#include "host/vgmnodedev.h"
#include "host/vgmhostiface.h"
#include "host/vgmcgroup.h"
#include "util/vgmfile.h"

/* ---- helpers ---- */

static char *
testMakeTmpDir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("vgm-hosttest-XXXXXX", &err);

    g_assert_no_error(err);
    return dir;
}

static gint
testCompareNames(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Names of the entries of @dir, sorted, joined by spaces. */
static char *
testListDir(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, testCompareNames);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

static void
testWriteFile(const char *dir, const char *name, const char *contents)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    g_file_set_contents(path, contents, -1, &err);
    g_assert_no_error(err);
}

static void
testMakeHugepageDir(const char *base, const char *name,
                    const char *nr, const char *freePages)
{
    g_autofree char *dir = g_build_filename(base, name, NULL);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    if (nr)
        testWriteFile(dir, "nr_hugepages", nr);
    if (freePages)
        testWriteFile(dir, "free_hugepages", freePages);
}


/* ---- guest_memfd flag masks ---- */

static void
testFlagsDecode(void)
{
    static const struct {
        guint64 mask;
        gboolean mmap, initShared, noDirectMap;
        guint64 unknown;
    } cases[] = {
        { 0, FALSE, FALSE, FALSE, 0 },
        { 1, TRUE, FALSE, FALSE, 0 },
        { 3, TRUE, TRUE, FALSE, 0 },
        { 7, TRUE, TRUE, TRUE, 0 },
        { 4, FALSE, FALSE, TRUE, 0 },
        { 0x8, FALSE, FALSE, FALSE, 0x8 },
        { 0x1b, TRUE, TRUE, FALSE, 0x18 },
        { G_GUINT64_CONSTANT(0x8000000000000001), TRUE, FALSE, FALSE,
          G_GUINT64_CONSTANT(0x8000000000000000) },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        gboolean mmap = -1, initShared = -1, noDirectMap = -1;
        guint64 unknown = 12345;

        vgmHostGuestMemfdFlagsDecode(cases[i].mask, &mmap, &initShared,
                                     &noDirectMap, &unknown);
        g_assert_cmpint(mmap, ==, cases[i].mmap);
        g_assert_cmpint(initShared, ==, cases[i].initShared);
        g_assert_cmpint(noDirectMap, ==, cases[i].noDirectMap);
        g_assert_cmphex(unknown, ==, cases[i].unknown);
    }

    /* every output is optional */
    vgmHostGuestMemfdFlagsDecode(7, NULL, NULL, NULL, NULL);

    g_assert_cmphex(VGM_HOST_GMEM_MMAP, ==, 1);
    g_assert_cmphex(VGM_HOST_GMEM_INIT_SHARED, ==, 2);
    g_assert_cmphex(VGM_HOST_GMEM_NO_DIRECT_MAP, ==, 4);
    g_assert_cmphex(VGM_HOST_GMEM_KNOWN_FLAGS, ==, 7);
}

static void
testFlagsFormat(void)
{
    static const struct {
        guint64 mask;
        const char *text;
    } cases[] = {
        { 0, "none" },
        { 1, "mmap" },
        { 2, "init-shared" },
        { 3, "mmap, init-shared" },
        { 7, "mmap, init-shared, no-direct-map" },
        { 6, "init-shared, no-direct-map" },
        { 0x8, "0x8" },
        { 0x1b, "mmap, init-shared, 0x18" },
        { G_GUINT64_CONSTANT(0x8000000000000004),
          "no-direct-map, 0x8000000000000000" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = vgmHostGuestMemfdFlagsFormat(cases[i].mask);

        g_assert_cmpstr(text, ==, cases[i].text);
    }

    g_assert_cmpstr(vgmHostGuestMemfdFlagTypeToString(VGM_HOST_GMEM_FLAG_MMAP), ==, "mmap");
    g_assert_cmpstr(vgmHostGuestMemfdFlagTypeToString(VGM_HOST_GMEM_FLAG_INIT_SHARED), ==, "init-shared");
    g_assert_cmpstr(vgmHostGuestMemfdFlagTypeToString(VGM_HOST_GMEM_FLAG_NO_DIRECT_MAP), ==, "no-direct-map");
}

static void
testFlagsParse(void)
{
    static const struct {
        const char *text;
        guint64 mask;
    } good[] = {
        { "", 0 },
        { "none", 0 },
        { "  ", 0 },
        { "mmap", 1 },
        { "mmap,init-shared", 3 },
        { "mmap, init-shared", 3 },
        { " no-direct-map , mmap ", 5 },
        { "mmap, init-shared, no-direct-map", 7 },
    };
    static const char *const bad[] = {
        "mmaps", "mmap,,init-shared", "mmap,none", "0x8", "mmap,",
    };
    guint64 mask;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(GError) err = NULL;

        mask = 99;
        g_assert_true(vgmHostGuestMemfdFlagsParse(good[i].text, &mask, &err));
        g_assert_no_error(err);
        g_assert_cmphex(mask, ==, good[i].mask);
    }
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_false(vgmHostGuestMemfdFlagsParse(bad[i], &mask, &err));
        g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    }

    {
        g_autoptr(GError) err = NULL;

        g_assert_false(vgmHostGuestMemfdFlagsParse("mmap,shared", &mask, &err));
        g_assert_cmpstr(err->message, ==,
                        "unknown guest_memfd flag 'shared' in 'mmap,shared'");
    }

    /* format and parse agree on every known mask */
    for (mask = 0; mask <= VGM_HOST_GMEM_KNOWN_FLAGS; mask++) {
        g_autofree char *text = vgmHostGuestMemfdFlagsFormat(mask);
        guint64 back = 99;

        g_assert_true(vgmHostGuestMemfdFlagsParse(text, &back, NULL));
        g_assert_cmphex(back, ==, mask);
    }
}


/* ---- hugepages ---- */

static void
testHugepages(void)
{
    g_autofree char *root = testMakeTmpDir();
    g_autofree char *base = g_build_filename(root, "kernel", "mm", "hugepages", NULL);
    g_autoptr(GArray) sizes = NULL;
    g_autoptr(GError) err = NULL;
    VgmHostHugepages *hp;

    testMakeHugepageDir(base, "hugepages-2048kB", "512\n", "500\n");
    testMakeHugepageDir(base, "hugepages-1048576kB", "4\n", "2\n");
    /* not hugepage size directories: ignored */
    testMakeHugepageDir(base, "hugepages-kB", NULL, NULL);
    testMakeHugepageDir(base, "hugepages-12MB", NULL, NULL);
    testMakeHugepageDir(base, "hugepages-0x10kB", NULL, NULL);
    testWriteFile(base, "README", "not a directory\n");

    g_assert_true(vgmHostHugepagesGet(root, &sizes, &err));
    g_assert_no_error(err);
    g_assert_nonnull(sizes);
    g_assert_cmpuint(sizes->len, ==, 2);

    hp = &g_array_index(sizes, VgmHostHugepages, 0);
    g_assert_cmpuint(hp->sizeKiB, ==, 2048);
    g_assert_cmpuint(hp->total, ==, 512);
    g_assert_cmpuint(hp->free, ==, 500);
    hp = &g_array_index(sizes, VgmHostHugepages, 1);
    g_assert_cmpuint(hp->sizeKiB, ==, 1048576);
    g_assert_cmpuint(hp->total, ==, 4);
    g_assert_cmpuint(hp->free, ==, 2);

    vgmTestRemoveTree(root);
}

static void
testHugepagesNone(void)
{
    g_autofree char *root = testMakeTmpDir();
    g_autoptr(GArray) sizes = NULL;
    g_autoptr(GError) err = NULL;

    /* a kernel without hugetlbfs has no such directory */
    g_assert_true(vgmHostHugepagesGet(root, &sizes, &err));
    g_assert_no_error(err);
    g_assert_nonnull(sizes);
    g_assert_cmpuint(sizes->len, ==, 0);

    vgmTestRemoveTree(root);
}

static void
testHugepagesBroken(void)
{
    g_autofree char *root = testMakeTmpDir();
    g_autofree char *base = g_build_filename(root, "kernel", "mm", "hugepages", NULL);
    g_autoptr(GArray) sizes = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = NULL;

    testMakeHugepageDir(base, "hugepages-2048kB", "512\n", "lots\n");
    g_assert_false(vgmHostHugepagesGet(root, &sizes, &err));
    g_assert_null(sizes);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    expected = g_strdup_printf("cannot parse 'lots' as a number in '%s/hugepages-2048kB/free_hugepages'",
                               base);
    g_assert_cmpstr(err->message, ==, expected);
    g_clear_error(&err);

    vgmTestRemoveTree(root);
    testMakeHugepageDir(base, "hugepages-2048kB", NULL, "1\n");
    g_assert_false(vgmHostHugepagesGet(root, &sizes, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);

    vgmTestRemoveTree(root);
}

static void
testHugepagesReal(void)
{
    g_autoptr(GArray) sizes = NULL;
    g_autoptr(GError) err = NULL;
    guint i;

    /* whatever this host has, it must read and be sorted */
    g_assert_true(vgmHostHugepagesGet(NULL, &sizes, &err));
    g_assert_no_error(err);
    for (i = 1; i < sizes->len; i++)
        g_assert_cmpuint(g_array_index(sizes, VgmHostHugepages, i - 1).sizeKiB, <,
                         g_array_index(sizes, VgmHostHugepages, i).sizeKiB);
    for (i = 0; i < sizes->len; i++)
        g_test_message("host hugepages: %" G_GUINT64_FORMAT " KiB, %"
                       G_GUINT64_FORMAT " free of %" G_GUINT64_FORMAT,
                       g_array_index(sizes, VgmHostHugepages, i).sizeKiB,
                       g_array_index(sizes, VgmHostHugepages, i).free,
                       g_array_index(sizes, VgmHostHugepages, i).total);
}


/* ---- guest_memfd requirement check ---- */

static void
testCheckFails(const VgmHostKvmInfo *info, guint64 needed, const char *expected)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(vgmHostGuestMemfdCheck(info, needed, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_SUPPORT);
    g_assert_cmpstr(err->message, ==, expected);
}

static void
testCheckPasses(const VgmHostKvmInfo *info, guint64 needed)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmHostGuestMemfdCheck(info, needed, &err));
    g_assert_no_error(err);
}

static void
testInfoSetFlags(VgmHostKvmInfo *info, guint64 mask)
{
    info->available = TRUE;
    info->apiVersion = 12;
    info->guestMemfd = TRUE;
    info->flagsMask = mask;
    vgmHostGuestMemfdFlagsDecode(mask, &info->mmap, &info->initShared,
                                 &info->noDirectMap, &info->unknownFlags);
}

static void
testCheck(void)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = NULL;
    const guint64 both = VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED;

    /* no /dev/kvm: the probe's own reason is quoted */
    g_assert_true(vgmHostKvmProbe("/nonexistent/vgm-kvm", 0, &info, &err));
    g_assert_no_error(err);
    expected = g_strdup_printf("host has no /dev/kvm: cannot open '/nonexistent/vgm-kvm': %s",
                               g_strerror(ENOENT));
    testCheckFails(&info, 0, expected);
    testCheckFails(&info, both, expected);
    vgmHostKvmInfoClear(&info);

    /* KVM without guest_memfd */
    info.available = TRUE;
    info.apiVersion = 12;
    testCheckFails(&info, 0,
                   "the host kernel does not support guest_memfd (KVM_CAP_GUEST_MEMFD)");
    testCheckFails(&info, both,
                   "the host kernel does not support guest_memfd (KVM_CAP_GUEST_MEMFD)");

    /* guest_memfd but no KVM_CAP_GUEST_MEMFD_FLAGS (Linux 6.8 .. 6.17) */
    testInfoSetFlags(&info, 0);
    testCheckPasses(&info, 0);
    testCheckFails(&info, both,
                   "the host kernel's guest_memfd lacks the flags mmap, init-shared "
                   "(KVM_CAP_GUEST_MEMFD_FLAGS reports none)");
    testCheckFails(&info, VGM_HOST_GMEM_MMAP,
                   "the host kernel's guest_memfd lacks the flags mmap "
                   "(KVM_CAP_GUEST_MEMFD_FLAGS reports none)");

    /* mmap only */
    testInfoSetFlags(&info, VGM_HOST_GMEM_MMAP);
    testCheckPasses(&info, VGM_HOST_GMEM_MMAP);
    testCheckFails(&info, both,
                   "the host kernel's guest_memfd lacks the flags init-shared "
                   "(KVM_CAP_GUEST_MEMFD_FLAGS reports mmap)");

    /* what Linux 6.18 reports for the default VM type */
    testInfoSetFlags(&info, both);
    testCheckPasses(&info, 0);
    testCheckPasses(&info, VGM_HOST_GMEM_MMAP);
    testCheckPasses(&info, both);
    testCheckFails(&info, both | VGM_HOST_GMEM_NO_DIRECT_MAP,
                   "the host kernel's guest_memfd lacks the flags no-direct-map "
                   "(KVM_CAP_GUEST_MEMFD_FLAGS reports mmap, init-shared)");

    /* a future kernel with a flag we have no name for */
    testInfoSetFlags(&info, 0xf);
    g_assert_cmphex(info.unknownFlags, ==, 0x8);
    testCheckPasses(&info, both | VGM_HOST_GMEM_NO_DIRECT_MAP);
    testInfoSetFlags(&info, 0x9);
    testCheckFails(&info, both,
                   "the host kernel's guest_memfd lacks the flags init-shared "
                   "(KVM_CAP_GUEST_MEMFD_FLAGS reports mmap, 0x8)");
}


/* ---- /dev/kvm probe ---- */

static void
testProbeMissing(void)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = NULL;

    g_assert_true(vgmHostKvmProbe("/nonexistent/vgm-kvm", 0, &info, &err));
    g_assert_no_error(err);
    g_assert_false(info.available);
    g_assert_false(info.guestMemfd);
    g_assert_cmphex(info.flagsMask, ==, 0);
    g_assert_cmpstr(info.devpath, ==, "/nonexistent/vgm-kvm");
    expected = g_strdup_printf("cannot open '/nonexistent/vgm-kvm': %s",
                               g_strerror(ENOENT));
    g_assert_cmpstr(info.reason, ==, expected);
}

static void
testProbeNotKvm(void)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = NULL;

    /* opens, but KVM_GET_API_VERSION is not an ioctl of /dev/null */
    g_assert_false(vgmHostKvmProbe("/dev/null", 0, &info, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    expected = g_strdup_printf("cannot get the KVM API version from '/dev/null': %s",
                               g_strerror(ENOTTY));
    g_assert_cmpstr(err->message, ==, expected);
}

static void
testTryArgs(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = NULL;
    long pagesize = sysconf(_SC_PAGESIZE);

    g_assert_false(vgmHostKvmTryGuestMemfd("/nonexistent/vgm-kvm", 0, 0,
                                           VGM_HOST_GMEM_MMAP, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    expected = g_strdup_printf("guest_memfd size 0 is not a non-zero multiple of the page size %ld",
                               pagesize);
    g_assert_cmpstr(err->message, ==, expected);
    g_clear_error(&err);
    g_clear_pointer(&expected, g_free);

    g_assert_false(vgmHostKvmTryGuestMemfd("/nonexistent/vgm-kvm", 0, pagesize + 1,
                                           VGM_HOST_GMEM_MMAP, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_clear_error(&err);

    /* unlike the probe, trying needs a device */
    g_assert_false(vgmHostKvmTryGuestMemfd("/nonexistent/vgm-kvm", 0, pagesize,
                                           VGM_HOST_GMEM_MMAP, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_SUPPORT);
    expected = g_strdup_printf("host has no /dev/kvm: cannot open '/nonexistent/vgm-kvm': %s",
                               g_strerror(ENOENT));
    g_assert_cmpstr(err->message, ==, expected);
}

/* KVM_CHECK_EXTENSION of KVM_CAP_GUEST_MEMFD (234) and
 * KVM_CAP_GUEST_MEMFD_FLAGS (244) on a VM of the default type, made here
 * with the bare ioctls (numbers from Linux's uapi kvm.h) */
static void
testRawKvmCaps(int *gmem, int *flags)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm;

    g_assert_cmpint(kvm, >=, 0);
    vm = ioctl(kvm, _IO(0xAE, 0x01), 0UL);          /* KVM_CREATE_VM */
    g_assert_cmpint(vm, >=, 0);
    *gmem = ioctl(vm, _IO(0xAE, 0x03), 234);        /* KVM_CHECK_EXTENSION */
    *flags = ioctl(vm, _IO(0xAE, 0x03), 244);
    close(vm);
    close(kvm);
}

static void
testProbeReal(void)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *flags = NULL;
    const guint64 both = VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED;

    int rawGmem;
    int rawFlags;

    if (!g_file_test("/dev/kvm", G_FILE_TEST_EXISTS)) {
        g_test_skip("host has no /dev/kvm: cannot probe guest_memfd here");
        return;
    }

    g_assert_true(vgmHostKvmProbe(NULL, VGM_HOST_KVM_X86_DEFAULT_VM, &info, &err));
    g_assert_no_error(err);
    g_assert_true(info.available);
    g_assert_null(info.reason);
    g_assert_cmpint(info.apiVersion, ==, 12);
    flags = vgmHostGuestMemfdFlagsFormat(info.flagsMask);
    g_test_message("/dev/kvm: guest_memfd=%d flags=%s memory-attributes=0x%"
                   G_GINT64_MODIFIER "x",
                   info.guestMemfd, flags, info.memoryAttributes);

    /* KVM's own answers, asked without the code under test */
    testRawKvmCaps(&rawGmem, &rawFlags);
    g_assert_cmpint(info.guestMemfd, ==, rawGmem > 0);
    g_assert_cmphex(info.flagsMask, ==, rawGmem > 0 && rawFlags > 0 ? (guint64)rawFlags : 0);

    if (!info.guestMemfd) {
        /* (a KVM host without it: a nested or vendor kernel) */
        const char *want = "the host kernel does not support guest_memfd (KVM_CAP_GUEST_MEMFD)";

        g_assert_false(vgmHostGuestMemfdCheck(&info, both, &err));
        g_assert_cmpstr(err->message, ==, want);
        g_clear_error(&err);
        g_assert_false(vgmHostKvmTryGuestMemfd(NULL, VGM_HOST_KVM_X86_DEFAULT_VM,
                                               2 * 1024 * 1024, both, &err));
        g_assert_nonnull(err);
        g_test_message("this host's KVM has no guest_memfd: refused (%s)", err->message);
        return;
    }
    if (!(info.flagsMask & VGM_HOST_GMEM_MMAP) || !(info.flagsMask & VGM_HOST_GMEM_INIT_SHARED)) {
        g_assert_false(vgmHostGuestMemfdCheck(&info, both, &err));
        g_assert_nonnull(strstr(err->message, "lacks the flags"));
        g_test_message("this host's guest_memfd lacks MMAP|INIT_SHARED: refused (%s)",
                       err->message);
        return;
    }

    /* a kernel like the development one (6.18): MMAP|INIT_SHARED */
    g_assert_true(info.mmap);
    g_assert_true(info.initShared);
    g_assert_true(vgmHostGuestMemfdCheck(&info, both, &err));
    g_assert_no_error(err);

    /* and it really maps and takes a write */
    g_assert_true(vgmHostKvmTryGuestMemfd(NULL, VGM_HOST_KVM_X86_DEFAULT_VM,
                                          2 * 1024 * 1024, both, &err));
    g_assert_no_error(err);
    /* a private guest_memfd is created but its mapping not touched */
    g_assert_true(vgmHostKvmTryGuestMemfd(NULL, VGM_HOST_KVM_X86_DEFAULT_VM,
                                          2 * 1024 * 1024, VGM_HOST_GMEM_MMAP, &err));
    g_assert_no_error(err);
}


/* ---- vgmfile ---- */

static void
testReadBack(const char *path, const char *expected)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    g_assert_true(vgmFileReadAll(path, 1 << 20, &contents, &len, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(len, ==, strlen(expected));
    g_assert_cmpstr(contents, ==, expected);
}

static void
testWriteAtomic(void)
{
    g_autofree char *dir = testMakeTmpDir();
    g_autofree char *path = g_build_filename(dir, "state.xml", NULL);
    g_autofree char *listing = NULL;
    g_autoptr(GError) err = NULL;
    struct stat sb;

    /* creates, with exactly the mode asked */
    g_assert_true(vgmFileWriteAtomic(path, "first\n", 6, 0640, &err));
    g_assert_no_error(err);
    testReadBack(path, "first\n");
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0640);

    /* replaces */
    g_assert_true(vgmFileWriteAtomic(path, "second, longer\n", 15, 0600, &err));
    g_assert_no_error(err);
    testReadBack(path, "second, longer\n");
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);

    /* empty data is a valid file */
    g_assert_true(vgmFileWriteAtomic(path, "", 0, 0600, &err));
    g_assert_no_error(err);
    testReadBack(path, "");
    g_assert_true(vgmFileWriteAtomic(path, "third\n", 6, 0600, &err));
    g_assert_no_error(err);

    /* no temporary file is left behind */
    listing = testListDir(dir);
    g_assert_cmpstr(listing, ==, "state.xml");

    vgmTestRemoveTree(dir);
}

static void
testWriteAtomicMissingDir(void)
{
    g_autofree char *dir = testMakeTmpDir();
    g_autofree char *path = g_build_filename(dir, "nodir", "state.xml", NULL);
    g_autofree char *listing = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_false(vgmFileWriteAtomic(path, "data\n", 5, 0600, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    expected = g_strdup_printf("cannot create a temporary file to write '%s': %s",
                               path, g_strerror(ENOENT));
    g_assert_cmpstr(err->message, ==, expected);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    listing = testListDir(dir);
    g_assert_cmpstr(listing, ==, "");

    vgmTestRemoveTree(dir);
}

static void
testWriteAtomicFailKeepsOld(void)
{
    g_autofree char *dir = testMakeTmpDir();
    g_autofree char *path = g_build_filename(dir, "state.xml", NULL);
    g_autofree char *sub = g_build_filename(dir, "busy", NULL);
    g_autofree char *listing = NULL;
    g_autofree char *big = NULL;
    g_autoptr(GError) err = NULL;
    struct rlimit saved;
    struct rlimit small;
    void (*oldHandler)(int);
    gboolean ok;
    gsize bigLen = 256 * 1024;

    g_assert_true(vgmFileWriteAtomic(path, "old\n", 4, 0600, &err));
    g_assert_no_error(err);

    /* a write that fails half way (file size limit, which binds root too) */
    big = g_malloc(bigLen);
    memset(big, 'x', bigLen);
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &saved), ==, 0);
    small = saved;
    small.rlim_cur = 4096;
    oldHandler = signal(SIGXFSZ, SIG_IGN);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &small), ==, 0);
    ok = vgmFileWriteAtomic(path, big, bigLen, 0600, &err);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &saved), ==, 0);
    signal(SIGXFSZ, oldHandler);
    g_assert_false(ok);
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    g_assert_nonnull(strstr(err->message, g_strerror(EFBIG)));
    g_clear_error(&err);
    testReadBack(path, "old\n");
    listing = testListDir(dir);
    g_assert_cmpstr(listing, ==, "state.xml");
    g_clear_pointer(&listing, g_free);

    /* a rename that fails: the target is a non-empty directory */
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    testWriteFile(sub, "keep", "keep\n");
    g_assert_false(vgmFileWriteAtomic(sub, "new\n", 4, 0600, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    g_clear_error(&err);
    g_assert_true(g_file_test(sub, G_FILE_TEST_IS_DIR));
    listing = testListDir(dir);
    g_assert_cmpstr(listing, ==, "busy state.xml");

    vgmTestRemoveTree(dir);
}

static void
testReadAll(void)
{
    g_autofree char *dir = testMakeTmpDir();
    g_autofree char *path = g_build_filename(dir, "f", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    testWriteFile(dir, "f", "0123456789");

    /* exactly at the limit is fine */
    g_assert_true(vgmFileReadAll(path, 10, &contents, &len, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(contents, ==, "0123456789");
    g_assert_cmpuint(len, ==, 10);
    g_clear_pointer(&contents, g_free);

    /* len is optional */
    g_assert_true(vgmFileReadAll(path, 100, &contents, NULL, &err));
    g_assert_no_error(err);
    g_clear_pointer(&contents, g_free);

    g_assert_false(vgmFileReadAll(path, 9, &contents, &len, &err));
    g_assert_null(contents);
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    expected = g_strdup_printf("file '%s' is larger than the limit of 9 bytes", path);
    g_assert_cmpstr(err->message, ==, expected);
    g_clear_error(&err);

    g_assert_false(vgmFileReadAll(missing, 100, &contents, &len, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    g_clear_error(&err);

    /* a sysfs-like file whose st_size is not its length */
    if (g_file_test("/proc/self/status", G_FILE_TEST_EXISTS)) {
        g_assert_true(vgmFileReadAll("/proc/self/status", 1 << 20, &contents, &len, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(len, >, 0);
        g_assert_nonnull(strstr(contents, "Name:"));
    }

    vgmTestRemoveTree(dir);
}

static void
testMakePath(void)
{
    g_autofree char *dir = testMakeTmpDir();
    g_autofree char *deep = g_build_filename(dir, "a", "b", "c", NULL);
    g_autofree char *file = g_build_filename(dir, "plain", NULL);
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmFileMakePath(deep, 0755, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_test(deep, G_FILE_TEST_IS_DIR));
    /* existing is fine */
    g_assert_true(vgmFileMakePath(deep, 0755, &err));
    g_assert_no_error(err);

    testWriteFile(dir, "plain", "x");
    g_assert_false(vgmFileMakePath(file, 0755, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);

    vgmTestRemoveTree(dir);
}


/* ---- architecture ---- */

static void
testArch(void)
{
    struct utsname ut;

    g_assert_cmpstr(vgmHostArchFromMachine("x86_64"), ==, "x86_64");
    g_assert_cmpstr(vgmHostArchFromMachine("amd64"), ==, "x86_64");
    g_assert_cmpstr(vgmHostArchFromMachine("i586"), ==, "i686");
    g_assert_cmpstr(vgmHostArchFromMachine("aarch64"), ==, "aarch64");
    g_assert_cmpstr(vgmHostArchFromMachine("arm64"), ==, "aarch64");
    g_assert_cmpstr(vgmHostArchFromMachine("s390x"), ==, "s390x");
    g_assert_cmpstr(vgmHostArchFromMachine("ppc64le"), ==, "ppc64le");

    g_assert_cmpint(uname(&ut), ==, 0);
    g_assert_cmpstr(vgmHostArch(), ==, vgmHostArchFromMachine(ut.machine));
}


/* ---- host sysinfo ---- */

/* OEM string 2 as its bytes are (its new line), as dmidecode would give
 * it again; the others are left as the text shows them */
static char *
testSysinfoOem(guint n, gpointer opaque)
{
    guint *asked = opaque;

    *asked |= 1u << n;
    return n == 2 ? g_strdup("line one\nline two") :
           n == 4 ? g_strdup("bell\a, escape\x1b, tab\t, bad \xff byte") : NULL;
}

static void
testSysinfoDmidecode(void)
{
    g_autofree char *in = vgmTestDataPath("sysinfodata/dmidecode-q.txt");
    g_autofree char *out = vgmTestDataPath("sysinfodata/sysinfo.xml");
    g_autofree char *text = NULL;
    g_autofree char *xml = NULL;
    guint asked = 0;

    g_assert_true(g_file_get_contents(in, &text, NULL, NULL));
    xml = vgmHostSysinfoFormatDmidecode(text, testSysinfoOem, &asked);
    g_assert_true(vgmTestCompareGolden(out, xml));
    /* (only the string with a '.' is asked for again) */
    g_assert_cmpuint(asked, ==, 1u << 2);
}

static void
testSysinfoEdges(void)
{
    g_autofree char *none = vgmHostSysinfoFormatDmidecode("# dmidecode 3.4\n"
                                                          "# No SMBIOS nor DMI entry point found, sorry.\n",
                                                          NULL, NULL);
    g_autofree char *empty = vgmHostSysinfoFormatDmidecode("BIOS Information\n"
                                                           "\tAddress: 0xE8000\n"
                                                           "\tCharacteristics:\n"
                                                           "\t\tVersion: not a field\n\n",
                                                           NULL, NULL);
    g_autofree char *oem = NULL;
    guint asked = 0;
    g_autofree char *two = vgmHostSysinfoFormatDmidecode("System Information\n"
                                                         "\tManufacturer: first\n\n"
                                                         "System Information\n"
                                                         "\tManufacturer: second\n",
                                                         NULL, NULL);

    /* bytes XML cannot hold, in an OEM string asked for again and in
     * dmidecode's text: control characters dropped, bad UTF-8 replaced */
    oem = vgmHostSysinfoFormatDmidecode("OEM Strings\n"
                                        "\tString 4: bell., escape., tab., bad . byte\n"
                                        "\tString 5: \x01" "ctl\xfe\n", testSysinfoOem, &asked);
    g_assert_cmpstr(oem, ==,
                    "<sysinfo type='smbios'>\n"
                    "  <oemStrings>\n"
                    "    <entry>bell, escape, tab\t, bad \xef\xbf\xbd byte</entry>\n"
                    "    <entry>ctl\xef\xbf\xbd</entry>\n"
                    "  </oemStrings>\n"
                    "</sysinfo>\n");
    g_assert_cmpstr(none, ==, "<sysinfo type='smbios'/>\n");
    g_assert_cmpstr(empty, ==, "<sysinfo type='smbios'/>\n");
    g_assert_cmpstr(two, ==,
                    "<sysinfo type='smbios'>\n"
                    "  <system>\n"
                    "    <entry name='manufacturer'>first</entry>\n"
                    "  </system>\n"
                    "</sysinfo>\n");
}

/* ---- the host's devices ---- */

/* Builds the fake host that tests/nodedevdata/sysfs.txt describes under
 * @root (see the file for its lines) */
static void
testNodeDevMakeTree(const char *root)
{
    g_autofree char *spec = vgmTestDataPath("nodedevdata/sysfs.txt");
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    g_assert_true(g_file_get_contents(spec, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_auto(GStrv) f = NULL;
        g_autofree char *path = NULL;
        g_autofree char *dir = NULL;

        if (!lines[i][0] || lines[i][0] == '#')
            continue;
        f = g_strsplit(lines[i], " ", 3);
        g_assert_nonnull(f[1]);
        path = g_build_filename(root, f[1], NULL);
        dir = g_path_get_dirname(path);
        g_assert_cmpint(g_mkdir_with_parents(lines[i][0] == 'd' ? path : dir, 0755), ==, 0);
        switch (lines[i][0]) {
        case 'd':
            break;
        case 'f': {
            g_autofree char *body = g_strcompress(f[2] ? f[2] : "");
            g_autofree char *content = g_strconcat(body, "\n", NULL);

            g_assert_true(g_file_set_contents(path, content, -1, NULL));
            break;
        }
        case 'n':
            g_assert_true(g_file_set_contents(path, f[2] ? f[2] : "", -1, NULL));
            break;
        case 'l':
            g_assert_cmpint(symlink(f[2], path), ==, 0);
            break;
        case 'x': {
            g_auto(GStrv) parts = g_strsplit(f[2], " ", -1);
            gsize size = g_ascii_strtoull(parts[0], NULL, 10);
            g_autofree guint8 *bytes = g_malloc0(size);
            size_t k;

            for (k = 1; parts[k]; k++) {
                const char *eq = strchr(parts[k], '=');
                gsize off = g_ascii_strtoull(parts[k], NULL, 16);
                size_t h;

                g_assert_nonnull(eq);
                for (h = 0; eq[1 + 2 * h] && eq[2 + 2 * h]; h++) {
                    char pair[3] = { eq[1 + 2 * h], eq[2 + 2 * h], 0 };

                    g_assert_cmpuint(off + h, <, size);
                    bytes[off + h] = (guint8)g_ascii_strtoull(pair, NULL, 16);
                }
            }
            g_assert_true(g_file_set_contents(path, (const char *)bytes, size, NULL));
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
}

static void
testNodeDevFake(void)
{
    g_autofree char *root = testMakeTmpDir();
    g_autofree char *udev = g_build_filename(root, "run", "udev", "data", NULL);
    g_autofree char *ids = vgmTestDataPath("nodedevdata/pci.ids");
    g_autofree char *golden = vgmTestDataPath("nodedevdata/nodedev.txt");
    VgmNodeDevHost host = { .sysfs = root, .udevDb = udev, .pciIds = ids, .noEthtool = TRUE };
    g_autoptr(GPtrArray) devs = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    const VgmNodeDev *fc;
    g_autofree char *gone = NULL;
    guint i;

    testNodeDevMakeTree(root);
    devs = vgmNodeDevScan(&host, &err);
    g_assert_no_error(err);
    for (i = 0; i < devs->len; i++) {
        const VgmNodeDev *dev = g_ptr_array_index(devs, i);
        g_autoptr(GPtrArray) caps = vgmNodeDevCapNames(dev);
        g_autofree char *xml = vgmNodeDevFormat(&host, dev, &err);

        g_assert_no_error(err);
        g_ptr_array_add(caps, NULL);
        g_autofree char *capList = g_strjoinv(",", (char **)caps->pdata);
        g_string_append_printf(out, "== %s parent=%s caps=%s\n%s", dev->name,
                               dev->parent ? dev->parent : "-", capList, xml);
    }
    g_assert_true(vgmTestCompareGolden(golden, out->str));

    /* the HBA by its port's names, written as a client may */
    fc = vgmNodeDevFindSCSIHostByWWN(&host, devs, "0x20000000C9831B4B", "10000000c9831b4b");
    g_assert_nonnull(fc);
    g_assert_cmpstr(fc->name, ==, "scsi_host5");
    g_assert_null(vgmNodeDevFindSCSIHostByWWN(&host, devs, "20000000c9831b4b", "10000000c9831b4c"));
    g_assert_null(vgmNodeDevFind(devs, "pci_0000_00_1f_3"));

    /* a device unplugged between the scan and its XML */
    gone = g_build_filename(root, "devices", "virtual", "net", "wlp2s0", NULL);
    vgmTestRemoveTree(gone);
    g_assert_null(vgmNodeDevFormat(&host, vgmNodeDevFind(devs, "net_wlp2s0_9c_b6_d0_12_34_56"), &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_NODE_DEVICE);
    g_clear_error(&err);
    vgmTestRemoveTree(root);
}

static void
testHostIfaces(void)
{
    g_autofree char *root = testMakeTmpDir();
    g_autofree char *proc = g_build_filename(root, "proc", NULL);
    g_autofree char *golden = vgmTestDataPath("nodedevdata/iface.txt");
    g_autoptr(GPtrArray) list = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmHostIface) port = NULL;
    g_autofree char *vlan = NULL;
    g_autofree char *miimon = NULL;
    guint i;

    testNodeDevMakeTree(root);
    list = vgmHostIfaceList(root, &err);
    g_assert_no_error(err);
    for (i = 0; i < list->len; i++) {
        const VgmHostIface *iface = g_ptr_array_index(list, i);
        g_autofree char *one = vgmHostIfaceFormat(root, proc, iface->name, &err);

        g_assert_no_error(err);
        g_string_append_printf(out, "== %s mac=%s operstate=%s\n%s", iface->name,
                               iface->mac ? iface->mac : "-", iface->operstate, one);
    }
    g_assert_true(vgmTestCompareGolden(golden, out->str));

    /* a bridge's port is not listed, but is found by its name */
    port = vgmHostIfaceGet(root, "enp1s0", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(port->mac, ==, "00:1b:21:aa:bb:cc");
    g_assert_null(vgmHostIfaceGet(root, "../net", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_INTERFACE);
    g_clear_error(&err);
    g_assert_null(vgmHostIfaceFormat(root, proc, "nosuch0", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_INTERFACE);
    g_clear_error(&err);
    /* a VLAN whose /proc/net/vlan entry is gone, a bond without settings */
    vlan = g_build_filename(proc, "net", "vlan", "bond0.100", NULL);
    g_assert_cmpint(g_unlink(vlan), ==, 0);
    g_assert_null(vgmHostIfaceFormat(root, proc, "bond0.100", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    miimon = g_build_filename(root, "devices", "virtual", "net", "bond0", "bonding", "miimon",
                              NULL);
    g_assert_cmpint(g_unlink(miimon), ==, 0);
    g_assert_null(vgmHostIfaceFormat(root, proc, "bond0", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
    g_clear_error(&err);
    vgmTestRemoveTree(root);
}

/* a dmidecode that hangs is stopped: the call answers within its limit,
 * saying so */
static void
testSysinfoHang(void)
{
    g_autofree char *dir = testMakeTmpDir();
    g_autofree char *oldPath = g_strdup(g_getenv("PATH"));
    g_autofree char *path = g_strdup_printf("%s:%s", dir, oldPath ? oldPath : "/usr/bin:/bin");
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *script = g_build_filename(dir, "dmidecode", NULL);
    gint64 t0;

    testWriteFile(dir, "dmidecode", "#!/bin/sh\nexec sleep 60\n");
    g_assert_cmpint(g_chmod(script, 0755), ==, 0);
    g_setenv("PATH", path, TRUE);
    t0 = g_get_monotonic_time();
    xml = vgmHostSysinfoRead(&err);
    g_setenv("PATH", oldPath ? oldPath : "", TRUE);
    g_assert_null(xml);
    g_assert_error(err, VGM_ERROR, VGM_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(err->message, "did not finish within 10 seconds"));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 20 * G_USEC_PER_SEC);
    g_unlink(script);
    g_rmdir(dir);
}

static void
testNodeDevNoRoot(void)
{
    g_autofree char *root = testMakeTmpDir();
    VgmNodeDevHost host = { .sysfs = root, .noEthtool = TRUE };
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) devs = vgmNodeDevScan(&host, &err);

    /* no devices directory: not a sysfs */
    g_assert_null(devs);
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    g_assert_true(strstr(err->message, "is not a directory") != NULL);
    g_rmdir(root);
}

/* A cgroup v1 layout in a temp dir: the cpuset group made with its
 * parent's CPUs and memory nodes at each level, unless it has its own */
static void
testCgroupV1Cpuset(void)
{
    g_autofree char *root = testMakeTmpDir();
    g_autoptr(VgmCgroupHost) host = NULL;
    g_autoptr(GError) err = NULL;
    const char *ctl[] = { "cpu", "cpuset", "memory" };
    g_autofree char *text = NULL;
    g_autofree char *path = NULL;
    g_autofree char *cpuPath = NULL;
    g_autofree char *cpuDir = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ctl); i++) {
        g_autofree char *dir = g_build_filename(root, ctl[i], NULL);
        g_autofree char *tasks = g_build_filename(dir, "tasks", NULL);

        g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(tasks, "", -1, NULL));
    }
    path = g_build_filename(root, "cpuset", "cpuset.cpus", NULL);
    g_assert_true(g_file_set_contents(path, "0-3\n", -1, NULL));
    g_free(path);
    path = g_build_filename(root, "cpuset", "cpuset.mems", NULL);
    g_assert_true(g_file_set_contents(path, "0-1\n", -1, NULL));

    host = vgmCgroupHostDetect(root);
    g_assert_cmpint(host->version, ==, VGM_CGROUP_V1);
    g_assert_false(host->real);
    g_assert_nonnull(host->dirs[VGM_CGROUP_CPUSET]);
    g_assert_null(host->dirs[VGM_CGROUP_IO]);
    g_assert_cmpstr(vgmCgroupControllerName(host, VGM_CGROUP_CPUSET), ==, "cpuset");

    /* the slice's own memory nodes, set before the scope is made */
    g_assert_true(vgmCgroupCreate(host, "a.slice", 1u << VGM_CGROUP_CPUSET, &err));
    g_assert_no_error(err);
    g_assert_true(vgmCgroupWrite(host, VGM_CGROUP_CPUSET, "a.slice", NULL, "cpuset.mems", "1",
                                 &err));
    g_assert_true(vgmCgroupCreate(host, "a.slice/b.scope",
                                  (1u << VGM_CGROUP_CPUSET) | (1u << VGM_CGROUP_CPU), &err));
    g_assert_no_error(err);
    g_assert_cmpstr((text = vgmCgroupRead(host, VGM_CGROUP_CPUSET, "a.slice", NULL,
                                          "cpuset.cpus")), ==, "0-3");
    g_free(text);
    g_assert_cmpstr((text = vgmCgroupRead(host, VGM_CGROUP_CPUSET, "a.slice", NULL,
                                          "cpuset.mems")), ==, "1");
    g_free(text);
    g_assert_cmpstr((text = vgmCgroupRead(host, VGM_CGROUP_CPUSET, "a.slice/b.scope", NULL,
                                          "cpuset.cpus")), ==, "0-3");
    g_free(text);
    g_assert_cmpstr((text = vgmCgroupRead(host, VGM_CGROUP_CPUSET, "a.slice/b.scope", NULL,
                                          "cpuset.mems")), ==, "1");
    cpuPath = vgmCgroupPath(host, VGM_CGROUP_CPU, "a.slice/b.scope", NULL, "cpuset.cpus");
    cpuDir = vgmCgroupPath(host, VGM_CGROUP_CPU, "a.slice/b.scope", NULL, NULL);
    g_assert_true(g_file_test(cpuDir, G_FILE_TEST_IS_DIR));
    g_assert_false(g_file_test(cpuPath, G_FILE_TEST_EXISTS));
    g_assert_true(vgmCgroupRemove(host, "a.slice", NULL));
    vgmFileRemoveTree(root);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/host/gmem-flags/decode", testFlagsDecode);
    g_test_add_func("/host/gmem-flags/format", testFlagsFormat);
    g_test_add_func("/host/gmem-flags/parse", testFlagsParse);
    g_test_add_func("/host/hugepages/fake-sysfs", testHugepages);
    g_test_add_func("/host/cgroup/v1-cpuset", testCgroupV1Cpuset);
    g_test_add_func("/host/hugepages/none", testHugepagesNone);
    g_test_add_func("/host/hugepages/broken", testHugepagesBroken);
    g_test_add_func("/host/hugepages/real", testHugepagesReal);
    g_test_add_func("/host/gmem-check/messages", testCheck);
    g_test_add_func("/host/kvm/missing", testProbeMissing);
    g_test_add_func("/host/kvm/not-kvm", testProbeNotKvm);
    g_test_add_func("/host/kvm/try-args", testTryArgs);
    g_test_add_func("/host/kvm/real", testProbeReal);
    g_test_add_func("/host/sysinfo/dmidecode", testSysinfoDmidecode);
    g_test_add_func("/host/sysinfo/edges", testSysinfoEdges);
    g_test_add_func("/host/sysinfo/hang", testSysinfoHang);
    g_test_add_func("/host/nodedev/fake", testNodeDevFake);
    g_test_add_func("/host/nodedev/no-root", testNodeDevNoRoot);
    g_test_add_func("/host/iface/fake", testHostIfaces);
    g_test_add_func("/util/file/write-atomic", testWriteAtomic);
    g_test_add_func("/util/file/write-atomic-missing-dir", testWriteAtomicMissingDir);
    g_test_add_func("/util/file/write-atomic-fail-keeps-old", testWriteAtomicFailKeepsOld);
    g_test_add_func("/util/file/read-all", testReadAll);
    g_test_add_func("/util/file/make-path", testMakePath);
    g_test_add_func("/host/arch", testArch);

    return g_test_run();
}
