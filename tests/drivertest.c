/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * drivertest.c: the embedded driver (src/driver) and the lifecycle
 * commands of the tool (tools/vgm_cmd_lifecycle.c).
 *
 * Covers, without QEMU:
 *  - domain names that cannot be file names are refused;
 *  - /proc/PID/stat parsing (command names with spaces and parentheses),
 *    and this process's identity (pid, start time, boot id);
 *  - status files: format and parse give the same status back (a live
 *    update's record with the tap queues it took over and its TPM state
 *    copy too; a queue without a file is refused);
 *  - device changes of a config's XML (attach, detach, update): the
 *    device each names (a disk by target, an interface by MAC in either
 *    case, a given <address> as a number, the one watchdog), duplicates,
 *    two matches, no match, and what libvirt does not change so;
 *  - domain ids count up per root;
 *  - a long operation's mark on a domain's QEMU monitor waits for the
 *    looks begun before it, and a look after it reads the mark;
 *  - the domain lock: a second taker fails with "domain NAME is locked by
 *    another virt-gmem process (pid N)" after its bounded retry;
 *  - configs: the staging file and vgmFileWriteAtomic temporaries a killed
 *    define may leave are not domains and are removed by the next define;
 *  - the monitor path found in a rendered command line (doubled commas);
 *  - the query-memdev check against a plan: match, missing backend, wrong
 *    size, wrong share, each with its message;
 *  - domain capabilities from the capability sets in
 *    tests/qemucapabilitiesdata with synthetic host facts, read with
 *    XPath: guestmemfd among the source types only when QEMU has a
 *    spelling and the host has guest_memfd with mmap and init-shared; the
 *    host flags; in-place conversion per launch security type, only with
 *    mmap on that VM type and a kvm that converts in place; live update
 *    per source type;
 *  - what a plan's guest_memfd asks of KVM: the VM type (default, SEV,
 *    SEV-ES, SNP, TDX) and the flags per spelling (init-shared unless in
 *    place, and always for the memfd property), from real plans;
 *  - the in-place kernel check on fake /sys trees: no kvm module, no
 *    vm_memory_attributes parameter, Y/1 (each with its message), N/0;
 *  - finding a QEMU by its pidfile or command line (a fake process), and
 *    never by a pidfile naming another process;
 *  - an unreadable status file: moved to .corrupt with a warning and the
 *    other domains listed; left alone (and its domain left out of list
 *    with a warning) while a process started with its pidfile runs;
 *  - a <metadata> namespace URI with markup and white space stored as
 *    well-formed XML; a stored config that cannot be read (malformed, or
 *    invalid) listed as shut off with a warning, refused by dumpxml and
 *    start with an error naming its file, removed by undefine;
 *  - a domain name with '/' and control characters quoted escaped in
 *    errors (from the command line and from a definition);
 *  - the per-domain hugetlbfs dir from a fake mount table, listed in the
 *    status and removed with it (and nothing outside it);
 *  - libvirt's Set*Parameters applied to a definition: names, types,
 *    ranges, duplicates, memory's "unlimited", the hard/swap rule, a
 *    period of 0 on a running domain, block I/O device lists merged and
 *    refused with libvirt's reasons, <numatune>'s mode and node set;
 *  - the host's /dev/kvm: the driver's host facts agree with the host
 *    probe, and the guest_memfd check passes or fails with it, on a KVM
 *    host with guest_memfd or without (skipped without /dev/kvm).
 * With Debian's QEMU (skipped, with the reason, when it is absent), through
 * the virt-gmem binary, each in its own --root:
 *  - examples/plain-memfd.xml (two NUMA cells, memfd): define, list --all,
 *    start, list, the status file (pid, plan: ram-node0/1, memfd, share,
 *    sizes), dumpxml (live: id and the resolved machine; --inactive: the
 *    config, whose q35 alias the define wrote as the binary's versioned
 *    machine, as libvirt's define does), dominfo, domstate, domid, domname, domuuid, destroy,
 *    undefine, each with virsh's exact output. Without /dev/kvm the domain
 *    type is switched to 'qemu' (TCG), and the test says so;
 *  - examples/gmem-shared.xml on QEMU 7.2: start fails with the rule 9
 *    message and leaves no QEMU and no status file;
 *  - where this host's KVM cannot run -cpu host with the QEMU (tried
 *    once; skipped elsewhere), starting a host-passthrough domain fails
 *    with QEMU's own message and leaves nothing behind;
 *  - a QEMU that died (SIGKILL) is noticed by the next command: the domain
 *    reads 'shut off' and its status file is gone;
 *  - <cputune>: each vCPU and I/O thread on its <vcpupin> or
 *    <iothreadpin> CPUs, one without a pin on every online CPU, QEMU's
 *    other threads on <emulatorpin>'s, an <iothreadsched> policy (two
 *    host CPUs needed, else skipped);
 *  - <bandwidth> of a tap: libvirt's tc commands (in the ethernet case);
 *  - VNC and SPICE with autoport: the live XML names the port the driver
 *    chose and the listen address, QEMU listens there, a port another
 *    program holds is passed over, a second domain gets other ports, the
 *    inactive XML keeps no port (SPICE skipped where QEMU lacks it);
 *  - <memoryBacking><locked/>: QEMU's locked-memory limit unlimited
 *    without a hard limit (root);
 *  - resource controls: the group name (escaped, cut short, unique per
 *    store and name); the cgroup writes of every <cputune>, <memtune>
 *    and <blkiotune> control on v1 and v2 with their ranges (no QEMU);
 *    a domain's group on a fake v2 tree (controllers enabled, values,
 *    QEMU's pid, threaded vcpuN and emulator groups with their threads,
 *    a vCPU's scheduler policy, the controls changed while it runs: a
 *    memory limit lifted, shares and a quota written again, the group
 *    gone after destroy); the same
 *    on the host's own cgroups as the kernel reports them (root; skipped,
 *    saying why, where the host takes no group);
 *  - a bridge <interface> with <target dev='NAME'>: the tap of that name
 *    is in the bridge, an isolated port, and up once started, and gone after destroy (as
 *    root, with a bridge made by ip link; skipped, saying why, else);
 *  - <vcpus>: exactly the enabled vCPUs have threads once started (the
 *    hotpluggable ones plugged by the driver), and their pins hold;
 *  - an <interface type='direct'>: a macvtap on a bridge of the test's, in
 *    the mode asked for, with the guest's MAC, up, one fd of it in QEMU a
 *    queue, gone after destroy; a missing host device refused (root);
 *  - a <resource><partition>: the domain's group in the partition's slices
 *    (a fake cgroup v2 tree), QEMU in it, removed by destroy, the slices kept;
 *  - a <transient/> disk: its overlay beside the image while QEMU runs (the
 *    live XML's source, QEMU holding it and the image), removed by
 *    destroy with the image unchanged; an overlay found at start refused;
 *  - a <vsock cid auto='yes'>: the lowest free address from 3 in the live
 *    XML and QEMU's device, a second guest asking for it refused, freed by
 *    destroy (with /dev/vhost-vsock; without, the start is refused naming
 *    it and leaves nothing);
 *  - undefine of a running domain makes it transient; it disappears when
 *    destroyed; create starts a transient domain, which undefine refuses;
 *  - one uuid under two names is refused with both names;
 *  - domrename: the config, autostart mark, snapshots and a UEFI varstore
 *    named after the domain follow; a taken,
 *    the same or a bad name refused with nothing changed; the tool
 *    killed at each step of the rename's journal leaves one domain, the
 *    old or the new, and the next command on it finishes the rename;
 *  - shutdown's output, and its error on a domain that is not running;
 *  - the tool killed in define (VIRT_GMEM_TEST_PAUSE_AT=define-before-rename)
 *    leaves the old config, whole; killed in start before the spawn
 *    (start-before-spawn), after it but before the pid is written
 *    (start-before-pid; QEMU found by its pidfile, and with the pidfile
 *    gone by its command line) and after (start-after-spawn) leaves a
 *    'starting' status (and a QEMU) that the next command removes;
 *  - two creates of one uuid under two names: with the first held after
 *    its spawn, the second fails naming both; run together, one runs;
 *  - QEMU without -no-shutdown for <on_poweroff> destroy, with -pidfile;
 *    a QEMU that quit in order, or that another process's SIGTERM ended,
 *    reads 'shut off (shutdown)', one killed 'shut off (crashed)'; with <on_poweroff>restart QEMU keeps
 *    -no-shutdown and the status says so; preserve is refused;
 *  - through the driver with a fake mount table: a hugepage domain's
 *    MOUNT/virt-gmem/NAME dir exists while it runs and goes with destroy;
 *  - two concurrent starts of one domain: one starts it, the other fails
 *    with a clear error, one QEMU runs; and with the first held in the
 *    middle of its start, the second fails with "domain NAME is locked by
 *    another virt-gmem process (pid N)" and list shows it starting up;
 *  - version and domcapabilities against the real binary (UEFI listed as
 *    the host's descriptors offer it; an i686 guest's binary and arch),
 *    the capabilities' i686 guest before x86_64; a firmware descriptor
 *    whose target is QEMU's i386 offers UEFI to an i686 guest;
 *  - a save image's XML changed in place (save-image-define): each new
 *    XML is written where the one the header names is not (that one
 *    stays whole until the header names the new one), alternating
 *    between the two places; the running flag set and kept; QEMU's
 *    stream untouched; an XML that does not fit refused, the image
 *    unchanged;
 *  - virDomainGetDiskErrors read from a query-block reply: 'nospace' and
 *    'failed' devices with libvirt's codes, 'ok' and no io-status none.
 * Every QEMU started is stopped; a last sweep kills any QEMU whose command
 * line names a test root.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "driver/driver_caps.h"
#include "driver/driver_cgroup.h"
#include "driver/driver_conn.h"
#include "driver/driver_device.h"
#include "driver/driver_domain.h"
#include "driver/driver_process.h"
#include "driver/driver_save.h"
#include "driver/driver_store.h"
#include "host/vgmhost.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_firmware.h"
#include "qemu/qemu_plan.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmxml.h"

#include <libxml/xpath.h>

#define QEMU_BINARY "/usr/bin/qemu-system-x86_64"

static GPtrArray *testRoots; /* every root made, swept at the end */

/* ---------------- helpers ---------------- */

static const char *
testSrcDir(void)
{
    const char *dir = g_getenv("VGM_SRCDIR");

    return dir ? dir : SRCDIR;
}

static char *
testToolPath(void)
{
    const char *dir = g_getenv("VGM_BUILDDIR");

    if (dir)
        return g_build_filename(dir, "tools", "virt-gmem", NULL);
    return g_build_filename(SRCDIR, "build", "tools", "virt-gmem", NULL);
}

/* Debian QEMU's probed capabilities, as a daemon that has run before has
 * them in its cache: probed once per run into a root of its own and copied
 * into each new root's cache (ROOT/cache/qemucaps), where the driver takes
 * them only while their key (the binary's size and times, the kernel, the
 * host CPU) still holds, else probes again. Probing the same binary anew
 * for every root took about 3 s each time; qemucapstest covers the probe. */
static void
testSeedCaps(const char *root)
{
    static char *seed;
    static const char *const binary = "/usr/bin/qemu-system-x86_64";
    g_autofree char *cacheDir = g_build_filename(root, "cache", "qemucaps", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *entry;

    if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
        return;
    if (!seed) {
        g_autoptr(VgmQemuCaps) caps = NULL;

        seed = g_dir_make_tmp("vgm-drv-caps-XXXXXX", &err);
        g_assert_no_error(err);
        g_ptr_array_add(testRoots, g_strdup(seed));
        caps = vgmQemuCapsCacheLookup(binary, seed, &err);
        g_assert_no_error(err);
    }
    g_assert_true(vgmFileMakePath(cacheDir, 0755, NULL));
    dir = g_dir_open(seed, 0, &err);
    g_assert_no_error(err);
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *from = g_build_filename(seed, entry, NULL);
        g_autofree char *to = g_build_filename(cacheDir, entry, NULL);
        g_autofree char *text = NULL;
        gsize len = 0;

        g_assert_true(g_file_get_contents(from, &text, &len, NULL));
        g_assert_true(g_file_set_contents(to, text, (gssize)len, NULL));
    }
}

/* A fresh root under /tmp (short: the monitor socket path must fit). */
static char *
testMakeRoot(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("vgm-drv-XXXXXX", &err);

    g_assert_no_error(err);
    g_ptr_array_add(testRoots, g_strdup(dir));
    testSeedCaps(dir);
    return dir;
}

/* Whether process @pid runs (a zombie does not). */
static gboolean
testPidRuns(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    char state = 0;
    guint64 start = 0;

    if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    return vgmDriverProcParseStat(text, &state, &start) && state != 'Z' && state != 'X';
}

/* Pids of running processes of @program whose command line contains
 * @needle. */
static GArray *
testFindProcsOf(const char *needle, const char *program)
{
    GArray *pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autofree char *cmd = NULL;
        gsize len = 0;
        gsize i;
        pid_t pid;

        if (!g_ascii_isdigit(ent[0]))
            continue;
        pid = (pid_t)atoi(ent);
        if (pid == getpid())
            continue;
        path = g_strdup_printf("/proc/%s/cmdline", ent);
        if (!g_file_get_contents(path, &cmd, &len, NULL) || len == 0)
            continue;
        for (i = 0; i + 1 < len; i++) {
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        }
        if (strstr(cmd, needle) && strstr(cmd, program) && testPidRuns(pid))
            g_array_append_val(pids, pid);
    }
    return pids;
}

/* Pids of running QEMUs whose command line contains @needle. */
static GArray *
testFindProcs(const char *needle)
{
    return testFindProcsOf(needle, "qemu-system");
}

/* Kills every QEMU whose command line names @root, and every virt-gmem
 * left paused there by a test that failed. */
static void
testSweep(const char *root)
{
    g_autoptr(GArray) tools = testFindProcsOf(root, "tools/virt-gmem");
    g_autoptr(GArray) pids = testFindProcs(root);
    guint i;

    for (i = 0; i < tools->len; i++) {
        g_test_message("sweeping stray virt-gmem %d of %s", g_array_index(tools, pid_t, i), root);
        kill(g_array_index(tools, pid_t, i), SIGKILL);
    }
    for (i = 0; i < pids->len; i++) {
        g_test_message("sweeping stray QEMU %d of %s", g_array_index(pids, pid_t, i), root);
        kill(g_array_index(pids, pid_t, i), SIGKILL);
    }
}

typedef struct {
    int status;
    char *out;
    char *err;
} TestRun;

static void
testRunFree(TestRun *run)
{
    if (!run)
        return;
    g_free(run->out);
    g_free(run->err);
    g_free(run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestRun, testRunFree)

static GSubprocess *
testSpawn(const char *root, const char *pauseAt, GSubprocessFlags flags,
          const char *const *args)
{
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    GSubprocess *proc;
    size_t i;

    g_ptr_array_add(argv, testToolPath());
    for (i = 0; args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, g_strdup("--root"));
    g_ptr_array_add(argv, g_strdup(root));
    g_ptr_array_add(argv, NULL);
    g_subprocess_launcher_setenv(launcher, "LC_ALL", "C", TRUE);
    /* a GLib critical in the tool is a bug: make it fail the test */
    g_subprocess_launcher_setenv(launcher, "G_DEBUG", "fatal-criticals", TRUE);
    g_subprocess_launcher_unsetenv(launcher, "VIRT_GMEM_ROOT");
    if (pauseAt)
        g_subprocess_launcher_setenv(launcher, "VIRT_GMEM_TEST_PAUSE_AT", pauseAt, TRUE);
    else
        g_subprocess_launcher_unsetenv(launcher, "VIRT_GMEM_TEST_PAUSE_AT");
    proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &err);
    g_assert_no_error(err);
    return proc;
}

/* Runs virt-gmem ARGS... --root ROOT; NULL-terminated. */
static TestRun *
testTool(const char *root, ...)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    TestRun *run = g_new0(TestRun, 1);
    const char *a;
    va_list ap;

    va_start(ap, root);
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(args, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(args, NULL);

    proc = testSpawn(root, NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                     (const char *const *)args->pdata);
    g_subprocess_communicate_utf8(proc, NULL, NULL, &run->out, &run->err, &err);
    g_assert_no_error(err);
    run->status = g_subprocess_get_exit_status(proc);
    return run;
}

#define TEST_OK(run) \
    do { \
        if ((run)->status != 0) \
            g_test_message("stdout: %s\nstderr: %s", (run)->out, (run)->err); \
        g_assert_cmpint((run)->status, ==, 0); \
    } while (0)

/* An example with <domain type='kvm'> switched to 'qemu' without /dev/kvm. */
static char *
testExample(const char *root, const char *name, gboolean keepKvm)
{
    g_autofree char *src = g_strdup_printf("%s/examples/%s.xml", testSrcDir(), name);
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    char *dst = g_strdup_printf("%s/%s.xml", root, name);

    g_assert_true(g_file_get_contents(src, &xml, NULL, &err));
    if (!keepKvm && access("/dev/kvm", R_OK | W_OK) < 0) {
        g_autoptr(GString) s = g_string_new(xml);

        g_assert_cmpint(g_string_replace(s, "<domain type='kvm'>", "<domain type='qemu'>", 1), ==, 1);
        g_test_message("/dev/kvm is absent: %s runs with <domain type='qemu'> (TCG) instead of 'kvm'",
                       name);
        g_free(xml);
        xml = g_string_free(g_steal_pointer(&s), FALSE);
    }
    g_assert_true(g_file_set_contents(dst, xml, -1, &err));
    return dst;
}

static gboolean
testHaveQemu(void)
{
    if (!g_file_test(QEMU_BINARY, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("no QEMU at " QEMU_BINARY);
        return FALSE;
    }
    return TRUE;
}

static VgmDriverStatus *
testLoadStatus(const char *root, const char *name)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDriverStore) store = vgmDriverStoreOpen(root, &err);
    VgmDriverStatus *status;

    g_assert_no_error(err);
    status = vgmDriverStoreLoadStatus(store, name, &err);
    g_assert_no_error(err);
    return status;
}

static gboolean
testStatusExists(const char *root, const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/%s.status", root, name);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* ---------------- store, no QEMU ---------------- */

static void
testNames(void)
{
    static const char *const bad[] = { "", ".hidden", "a/b", "tab\there", NULL };
    g_autofree char *longName = g_strnfill(201, 'x');
    g_autoptr(GError) err = NULL;
    size_t i;

    g_assert_true(vgmDriverStoreCheckName("plain-memfd", NULL));
    g_assert_true(vgmDriverStoreCheckName("with space.and.dots", NULL));
    for (i = 0; bad[i]; i++) {
        g_assert_false(vgmDriverStoreCheckName(bad[i], &err));
        g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
        g_clear_error(&err);
    }
    g_assert_false(vgmDriverStoreCheckName(longName, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
}

static void
testProcStat(void)
{
    g_auto(VgmDriverProcIdent) me = { 0 };
    g_autoptr(GError) err = NULL;
    char state = 0;
    guint64 start = 0;
    const char *odd = "1234 (qemu (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 3 0 987654 1000 10";

    g_assert_true(vgmDriverProcParseStat(odd, &state, &start));
    g_assert_cmpint(state, ==, 'S');
    g_assert_cmpuint(start, ==, 987654);
    g_assert_false(vgmDriverProcParseStat("1234 (x) S 1 2", &state, &start));
    g_assert_false(vgmDriverProcParseStat("garbage", &state, &start));

    g_assert_true(vgmDriverProcIdentGet(getpid(), &me, &err));
    g_assert_no_error(err);
    g_assert_cmpint(me.pid, ==, getpid());
    g_assert_cmpuint(me.startTime, >, 0);
    g_assert_true(vgmDriverProcIdentIsAlive(&me));
    /* the same pid with another start time is another process */
    me.startTime++;
    g_assert_false(vgmDriverProcIdentIsAlive(&me));
    g_assert_false(vgmDriverProcIdentGet(0, &me, NULL));
}

/* The device changes of a persistent config, on its XML: which device
 * each operation names, and what it refuses (driver_device.c) */
static void
testDeviceChange(void)
{
    static const char *const dom =
        "<domain type='qemu'><name>d</name><devices>"
        "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></disk>"
        "<controller type='usb' index='0' model='qemu-xhci'/>"
        "<interface type='user'><mac address='52:54:00:aa:bb:01'/></interface>"
        "<interface type='user'><mac address='52:54:00:aa:bb:02'/>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/></interface>"
        "<watchdog model='i6300esb' action='reset'/>"
        "<graphics type='vnc' port='-1'/>"
        "</devices></domain>";
    static const struct {
        const char *device;
        VgmDriverDeviceOp op;
        int code;                   /* 0: done */
        const char *has;            /* done: in the result; else: in the message */
        const char *gone;           /* done: no longer in the result */
    } cases[] = {
        /* attach appends; duplicates by the element's unique keys */
        { "<disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' bus='virtio'/></disk>",
          VGM_DRIVER_DEVICE_ATTACH, 0, "/b.img", NULL },
        { "<disk type='file' device='disk'><source file='/b.img'/><target dev='vda' bus='virtio'/></disk>",
          VGM_DRIVER_DEVICE_ATTACH, VGM_ERR_OPERATION_INVALID, "target dev='vda'", NULL },
        { "<controller type='usb' index='0' model='ich9-ehci1'/>",
          VGM_DRIVER_DEVICE_ATTACH, VGM_ERR_OPERATION_INVALID, "type='usb', index='0'", NULL },
        { "<controller type='usb' index='1' model='qemu-xhci'/>",
          VGM_DRIVER_DEVICE_ATTACH, 0, "index=\"1\"", NULL },
        { "<watchdog model='itco' action='reset'/>",
          VGM_DRIVER_DEVICE_ATTACH, VGM_ERR_OPERATION_INVALID, "<watchdog>", NULL },
        /* interfaces share MACs with no one, but are not refused here (the
         * define's check is) */
        { "<interface type='user'><mac address='52:54:00:AA:BB:03'/></interface>",
          VGM_DRIVER_DEVICE_ATTACH, 0, "52:54:00:AA:BB:03", NULL },
        /* detach: by MAC in any case, by target, the one watchdog */
        { "<interface type='user'><mac address='52:54:00:AA:BB:02'/></interface>",
          VGM_DRIVER_DEVICE_DETACH, 0, "52:54:00:aa:bb:01", "52:54:00:aa:bb:02" },
        { "<interface type='user'/>",
          VGM_DRIVER_DEVICE_DETACH, VGM_ERR_OPERATION_FAILED, "2 <interface> devices", NULL },
        { "<interface type='user'><mac address='52:54:00:aa:bb:09'/></interface>",
          VGM_DRIVER_DEVICE_DETACH, VGM_ERR_DEVICE_MISSING, "mac address='52:54:00:aa:bb:09'", NULL },
        { "<disk type='file' device='disk'><target dev='vda'/></disk>",
          VGM_DRIVER_DEVICE_DETACH, 0, "<watchdog", "/a.img" },
        /* a disk is named by its target alone, as libvirt looks it up:
         * another <address> (a live copy's) does not keep it */
        { "<disk type='file' device='disk'><target dev='vda'/><address type='pci' slot='0x5'/></disk>",
          VGM_DRIVER_DEVICE_DETACH, 0, "<watchdog", "/a.img" },
        { "<disk type='file' device='disk'><target dev='vda'/><address type='pci' slot='0x4'/></disk>",
          VGM_DRIVER_DEVICE_DETACH, 0, "<watchdog", "/a.img" },
        /* of an interface, an <address> given must match too (0x6 is
         * 0x06) */
        { "<interface type='user'><mac address='52:54:00:aa:bb:02'/><address type='pci' slot='0x7'/></interface>",
          VGM_DRIVER_DEVICE_DETACH, VGM_ERR_DEVICE_MISSING, "mac address='52:54:00:aa:bb:02'", NULL },
        { "<interface type='user'><mac address='52:54:00:aa:bb:02'/><address type='pci' slot='0x6'/></interface>",
          VGM_DRIVER_DEVICE_DETACH, 0, "52:54:00:aa:bb:01", "52:54:00:aa:bb:02" },
        { "<watchdog model='i6300esb'/>", VGM_DRIVER_DEVICE_DETACH, 0, "<disk", "<watchdog" },
        /* update replaces the one it names */
        { "<disk type='file' device='disk'><source file='/c.img'/><target dev='vda' bus='virtio'/></disk>",
          VGM_DRIVER_DEVICE_UPDATE, 0, "/c.img", "/a.img" },
        /* (as libvirt: an update of a device the domain lacks is DEVICE_MISSING) */
        { "<disk type='file' device='disk'><source file='/c.img'/><target dev='vdz' bus='virtio'/></disk>",
          VGM_DRIVER_DEVICE_UPDATE, VGM_ERR_DEVICE_MISSING, "target dev='vdz'", NULL },
        { "<graphics type='vnc' port='5901'/>", VGM_DRIVER_DEVICE_UPDATE, 0, "5901", NULL },
        /* what libvirt does not change so, and what is no device */
        { "<graphics type='vnc'/>", VGM_DRIVER_DEVICE_ATTACH, VGM_ERR_NO_SUPPORT, "attach of device 'graphics' is not supported", NULL },
        { "<controller type='usb' index='0'/>", VGM_DRIVER_DEVICE_UPDATE, VGM_ERR_NO_SUPPORT,
          "update of device 'controller' is not supported", NULL },
        { "<video><model type='vga'/></video>", VGM_DRIVER_DEVICE_DETACH, VGM_ERR_NO_SUPPORT, "'video'", NULL },
        { "<name>x</name>", VGM_DRIVER_DEVICE_ATTACH, VGM_ERR_XML, "<name> is not a device", NULL },
        { "<disk", VGM_DRIVER_DEVICE_ATTACH, VGM_ERR_XML, "", NULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *out = vgmDriverDeviceChangeXML(dom, cases[i].device, cases[i].op, &err);

        if (cases[i].code) {
            if (!err || err->code != cases[i].code || !strstr(err->message, cases[i].has))
                g_error("case %zu (%s): want error %d with '%s', got %s", i, cases[i].device,
                        cases[i].code, cases[i].has, err ? err->message : out);
            g_assert_null(out);
            continue;
        }
        g_assert_no_error(err);
        if (!strstr(out, cases[i].has) || (cases[i].gone && strstr(out, cases[i].gone)))
            g_error("case %zu (%s): want '%s' and not '%s' in:\n%s", i, cases[i].device,
                    cases[i].has, cases[i].gone ? cases[i].gone : "", out);
    }
}

static void
testStatusRoundTrip(void)
{
    g_autoptr(VgmDriverStatus) st = vgmDriverStatusNew();
    g_autoptr(VgmDriverStatus) back = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    g_autofree char *again = NULL;

    st->name = g_strdup("dom");
    vgmDomainUUIDParse("5f9c5cda-86a1-4dba-8b9b-cad7cb12be6f", st->uuid);
    st->id = 7;
    st->state = VGM_DRIVER_STATUS_STARTING;
    st->qemu.pid = 4242;
    st->qemu.startTime = 99;
    st->qemu.bootId = g_strdup("boot");
    st->starterPid = 17;
    st->monitor = g_strdup("/r/run/qemu/domain-dom/monitor.sock");
    st->pidfile = g_strdup("/r/run/qemu/domain-dom/qemu.pid");
    st->logOffset = 1234;
    st->hugetlbfsDirs = g_strsplit("/dev/hugepages/virt-gmem/dom,/dev/hugepages1G/virt-gmem/dom", ",", -1);
    st->emulator = g_strdup(QEMU_BINARY);
    st->capsName = g_strdup("qemu-7.2-debian");
    st->capsVersion = g_strdup("7.2.22");
    st->machine = g_strdup("pc-q35-7.2");
    st->startedAt = 1700000000;
    st->log = g_strdup("/r/log/qemu/dom.log");
    st->xml = g_strdup("<domain type='qemu'>\n  <name>dom</name>\n</domain>\n");
    st->transient = TRUE;
    st->rebooting = TRUE;
    st->websocketPorts = g_array_new(FALSE, FALSE, sizeof(int));
    g_array_append_val(st->websocketPorts, (int){ 5701 });
    st->taints = (1u << VGM_DRIVER_TAINT_CUSTOM_MONITOR) | (1u << VGM_DRIVER_TAINT_DEPRECATED_CONFIG);
    st->deprecations = g_strsplit("machine type 'pc-i440fx-1.7'", "\n", -1);
    g_assert_true(json_parser_load_from_data(parser, "{\"backends\": [{\"id\": \"pc.ram\"}]}", -1, &err));
    st->plan = json_node_copy(json_parser_get_root(parser));
    /* a live update under way, with the taps' queues it took over: one
     * not known yet, one the owner had detached */
    st->update = g_new0(VgmDriverStatusUpdate, 1);
    st->update->role = VGM_DRIVER_UPDATE_INCOMING;
    st->update->qemu.pid = 4343;
    st->update->monitor = g_strdup("/r/run/qemu/domain-dom/monitor-b.sock");
    st->update->pidfile = g_strdup("/r/run/qemu/domain-dom/qemu-b.pid");
    st->update->emulator = g_strdup(QEMU_BINARY);
    st->update->tpmState = g_strdup("tpm2.b");
    st->update->tapQueues = vgmDriverTapQueuesNew();
    g_array_append_val(st->update->tapQueues,
                       ((VgmDriverTapQueue){ g_strdup("vnet3"), FALSE, 41, VGM_TRISTATE_ABSENT }));
    g_array_append_val(st->update->tapQueues,
                       ((VgmDriverTapQueue){ g_strdup("macvtap0"), TRUE, 57, VGM_TRISTATE_YES }));

    text = vgmDriverStatusFormat(st);
    back = vgmDriverStatusParse(text, "test", &err);
    g_assert_no_error(err);
    again = vgmDriverStatusFormat(back);
    g_assert_cmpstr(text, ==, again);
    g_assert_cmpint(back->qemu.pid, ==, 4242);
    g_assert_cmpint(back->starterPid, ==, 17);
    g_assert_true(back->transient);
    g_assert_true(back->rebooting);
    g_assert_cmpint(back->state, ==, VGM_DRIVER_STATUS_STARTING);
    g_assert_cmpstr(back->pidfile, ==, "/r/run/qemu/domain-dom/qemu.pid");
    g_assert_cmpint(back->logOffset, ==, 1234);
    g_assert_cmpuint(g_strv_length(back->hugetlbfsDirs), ==, 2);
    g_assert_cmpstr(back->hugetlbfsDirs[1], ==, "/dev/hugepages1G/virt-gmem/dom");
    g_assert_nonnull(back->websocketPorts);
    g_assert_cmpuint(back->websocketPorts->len, ==, 1);
    g_assert_cmpint(g_array_index(back->websocketPorts, int, 0), ==, 5701);
    g_assert_cmpuint(back->taints, ==, st->taints);
    g_assert_cmpuint(g_strv_length(back->deprecations), ==, 1);
    g_assert_cmpstr(back->deprecations[0], ==, "machine type 'pc-i440fx-1.7'");
    g_assert_nonnull(back->update);
    g_assert_cmpstr(back->update->tpmState, ==, "tpm2.b");
    g_assert_nonnull(back->update->tapQueues);
    g_assert_cmpuint(back->update->tapQueues->len, ==, 2);
    {
        const VgmDriverTapQueue *q0 = &g_array_index(back->update->tapQueues, VgmDriverTapQueue, 0);
        const VgmDriverTapQueue *q1 = &g_array_index(back->update->tapQueues, VgmDriverTapQueue, 1);

        g_assert_cmpstr(q0->ifname, ==, "vnet3");
        g_assert_false(q0->macvtap);
        g_assert_cmpint(q0->qemuFd, ==, 41);
        g_assert_cmpint(q0->detached, ==, VGM_TRISTATE_ABSENT);
        g_assert_cmpstr(q1->ifname, ==, "macvtap0");
        g_assert_true(q1->macvtap);
        g_assert_cmpint(q1->qemuFd, ==, 57);
        g_assert_cmpint(q1->detached, ==, VGM_TRISTATE_YES);
    }
    /* a tap queue without a file */
    {
        g_autoptr(GString) bad = g_string_new(text);
        g_autoptr(VgmDriverStatus) back2 = NULL;

        g_assert_cmpuint(g_string_replace(bad, "\"fd\" : 41", "\"fd\" : -1", 1), ==, 1);
        g_assert_null((back2 = vgmDriverStatusParse(bad->str, "broken", &err)));
        g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
        g_assert_nonnull(strstr(err->message, "tap queue 0"));
        g_clear_error(&err);
    }
    /* a taint a later build knows is left out, the others kept */
    {
        g_autoptr(GString) later = g_string_new(text);
        g_autoptr(VgmDriverStatus) back2 = NULL;

        g_assert_cmpuint(g_string_replace(later, "\"custom-monitor\"",
                                          "\"custom-monitor\", \"no-such-taint\"", 1), ==, 1);
        back2 = vgmDriverStatusParse(later->str, "later", &err);
        g_assert_no_error(err);
        g_assert_cmpuint(back2->taints, ==, st->taints);
    }

    g_assert_null(vgmDriverStatusParse("{\"name\": \"x\"}", "broken", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
    g_clear_error(&err);
    /* a websocket port that is no TCP port */
    {
        g_auto(GStrv) parts = g_strsplit(text, "5701", 2);
        g_autofree char *bad = NULL;

        g_assert_cmpuint(g_strv_length(parts), ==, 2);
        bad = g_strjoinv("99999", parts);
        g_clear_pointer(&back, vgmDriverStatusFree);
        g_assert_null(vgmDriverStatusParse(bad, "broken", &err));
        g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
        g_assert_nonnull(strstr(err->message, "'websocket-ports'"));
        g_clear_error(&err);
    }

    /* a status without a pid yet (written before the spawn) */
    g_clear_pointer(&st->update, vgmDriverStatusUpdateFree);
    st->qemu.pid = 0;
    st->qemu.startTime = 0;
    g_clear_pointer(&text, g_free);
    g_clear_pointer(&back, vgmDriverStatusFree);
    text = vgmDriverStatusFormat(st);
    back = vgmDriverStatusParse(text, "test", &err);
    g_assert_no_error(err);
    g_assert_cmpint(back->qemu.pid, ==, 0);
}

static void
testIdsAndLocks(void)
{
    g_autofree char *root = testMakeRoot();
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDriverStore) store = vgmDriverStoreOpen(root, &err);
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autofree char *want = NULL;
    int a = 0, b = 0;

    g_assert_no_error(err);
    /* ids are handed out under the store lock, which the caller holds */
    lock = vgmDriverStoreLockStore(store, &err);
    g_assert_no_error(err);
    g_assert_true(vgmDriverStoreAllocateId(store, &a, &err));
    g_assert_true(vgmDriverStoreAllocateId(store, &b, &err));
    g_assert_cmpint(a, ==, 1);
    g_assert_cmpint(b, ==, 2);
    g_clear_pointer(&lock, vgmDriverLockRelease);

    lock = vgmDriverStoreLockDomain(store, "dom", 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(lock);
    /* flock belongs to the open file: a second open conflicts, also here */
    g_assert_null(vgmDriverStoreLockDomain(store, "dom", 100, &err));
    /* (held by this very process: not "another process", as a daemon
     * whose other call holds it would say) */
    want = g_strdup("domain dom is busy with another operation (of this process, which waited for it in vain)");
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_INVALID);
    g_assert_cmpstr(err->message, ==, want);
    g_clear_error(&err);
    g_clear_pointer(&lock, vgmDriverLockRelease);
    lock = vgmDriverStoreLockDomain(store, "dom", 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(lock);
}

typedef struct {
    const VgmDriverStore *store;
    gint done;
} TestMonitorMark;

static gpointer
testMonitorMarkThread(gpointer data)
{
    TestMonitorMark *t = data;

    vgmDriverStoreSetBusy(t->store, "dom", "saving");
    g_atomic_int_set(&t->done, 1);
    return NULL;
}

/* A long operation's mark on a domain's monitor and the looks at it: a
 * look begun before the mark finishes first (the mark waits for it), a
 * look after the mark reads the mark and takes no turn on the monitor */
static void
testMonitorMark(void)
{
    g_autofree char *root = testMakeRoot();
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDriverStore) store = vgmDriverStoreOpen(root, &err);
    TestMonitorMark t = { 0 };
    GThread *thread;
    int i;

    g_assert_no_error(err);
    t.store = store;
    /* no mark: the look may use the monitor */
    g_assert_null(vgmDriverStoreLookBegin(store, "dom"));
    thread = g_thread_new("mark", testMonitorMarkThread, &t);
    for (i = 0; i < 500 && !vgmDriverStoreGetBusy(store, "dom"); i++)
        g_usleep(10 * 1000);
    g_assert_cmpstr(vgmDriverStoreGetBusy(store, "dom"), ==, "saving");
    /* a look after the mark reads it (and counts for nothing); the mark
     * still waits for the first look */
    g_assert_cmpstr(vgmDriverStoreLookBegin(store, "dom"), ==, "saving");
    g_assert_null(vgmDriverStoreLookBegin(store, "other"));
    vgmDriverStoreLookEnd(store, "other");
    g_usleep(50 * 1000);
    g_assert_cmpint(g_atomic_int_get(&t.done), ==, 0);
    vgmDriverStoreLookEnd(store, "dom");
    g_thread_join(thread);
    g_assert_cmpint(g_atomic_int_get(&t.done), ==, 1);
    /* over: looks use the monitor again, and a mark with none waits not */
    vgmDriverStoreSetBusy(store, "dom", NULL);
    g_assert_null(vgmDriverStoreLookBegin(store, "dom"));
    vgmDriverStoreLookEnd(store, "dom");
    vgmDriverStoreSetBusy(store, "dom", "dumping");
    g_assert_cmpstr(vgmDriverStoreGetBusy(store, "dom"), ==, "dumping");
    vgmDriverStoreSetBusy(store, "dom", NULL);
}

/* What writes killed half-way leave: a config's staging file and
 * temporaries (removed by the domain's next config write), snapshot
 * metadata of a name no domain has (removed by a define of the name), and
 * the temporaries of status, stop reason and config writes (removed when
 * a driver opens the store, vgmDriverStoreRemoveTemps) */
static void
testConfigLeftovers(void)
{
    g_autofree char *root = testMakeRoot();
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDriverStore) store = vgmDriverStoreOpen(root, &err);
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autofree char *staged = g_build_filename(store->configDir, ".dom.xml.new", NULL);
    g_autofree char *tmp = g_build_filename(store->configDir, ".dom.xml.ab12CD", NULL);
    g_autofree char *other = g_build_filename(store->configDir, ".other.xml.new", NULL);
    const char *xml = "<domain type='qemu'><name>dom</name><memory unit='MiB'>64</memory>"
                      "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>";

    g_assert_no_error(err);
    /* what a define killed half-way leaves */
    g_assert_true(g_file_set_contents(staged, "<domain type='qemu'><na", -1, NULL));
    g_assert_true(g_file_set_contents(tmp, "<dom", -1, NULL));
    g_assert_true(g_file_set_contents(other, "x", -1, NULL));
    names = vgmDriverStoreListConfigs(store, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(names->len, ==, 0);

    def = vgmDomainDefParseString(xml, "test", 0, &err);
    g_assert_no_error(err);
    g_assert_true(vgmDriverStoreSaveConfig(store, def, &err));
    g_assert_no_error(err);
    g_assert_false(g_file_test(staged, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
    /* another domain's leftovers are that domain's business */
    g_assert_true(g_file_test(other, G_FILE_TEST_EXISTS));
    g_clear_pointer(&names, g_ptr_array_unref);
    names = vgmDriverStoreListConfigs(store, &err);
    g_assert_cmpuint(names->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(names, 0), ==, "dom");

    /* the snapshot metadata an undefine --snapshots-metadata cut short
     * left: a new domain of that name does not take it, the redefinition
     * of a domain keeps its own */
    {
        g_autofree char *snaps = vgmDriverStoreSnapshotDir(store, "fresh");
        g_autofree char *old = g_build_filename(snaps, "s1.xml", NULL);
        const char *freshXml = "<domain type='qemu'><name>fresh</name>"
                               "<uuid>3f1e0c52-7d4b-4a8e-9c61-2b5d8e0f4a17</uuid>"
                               "<memory unit='MiB'>64</memory>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>";
        g_autoptr(VgmDomainDef) d1 = NULL;
        g_autoptr(VgmDomainDef) d2 = NULL;

        g_assert_cmpint(g_mkdir_with_parents(snaps, 0700), ==, 0);
        g_assert_true(g_file_set_contents(old, "<domainsnapshot/>", -1, NULL));
        d1 = vgmDriverDomainDefineXML(store, NULL, freshXml, NULL, &err);
        g_assert_no_error(err);
        g_assert_nonnull(d1);
        g_assert_false(g_file_test(snaps, G_FILE_TEST_EXISTS));
        g_assert_cmpint(g_mkdir_with_parents(snaps, 0700), ==, 0);
        g_assert_true(g_file_set_contents(old, "<domainsnapshot/>", -1, NULL));
        d2 = vgmDriverDomainDefineXML(store, NULL, freshXml, NULL, &err);
        g_assert_no_error(err);
        g_assert_true(g_file_test(old, G_FILE_TEST_EXISTS));
    }

    /* the temporaries of status, stop reason and config writes killed
     * before their rename: removed (a name with dots too), except those
     * of a domain whose lock is held (a write may be under way), and
     * files that are no such temporary */
    {
        const char *gone[] = { ".gone.status.ab12CD", ".gone.stopped.Xy9zQ1", ".x.y.status.q1W2e3" };
        const char *kept[] = { ".busy.status.ab12CD", ".other", ".gone.status.toolong1" };
        g_autofree char *cfgNew = g_build_filename(store->configDir, ".gone.xml.new", NULL);
        g_autofree char *cfgTmp = g_build_filename(store->configDir, ".x.y.xml.Ab3dE5", NULL);
        g_autoptr(VgmDriverLock) busy = vgmDriverStoreLockDomain(store, "busy", 0, &err);
        gsize i;

        g_assert_no_error(err);
        g_assert_nonnull(busy);
        for (i = 0; i < G_N_ELEMENTS(gone); i++) {
            g_autofree char *f = g_build_filename(store->runDir, gone[i], NULL);

            g_assert_true(g_file_set_contents(f, "{", -1, NULL));
        }
        for (i = 0; i < G_N_ELEMENTS(kept); i++) {
            g_autofree char *f = g_build_filename(store->runDir, kept[i], NULL);

            g_assert_true(g_file_set_contents(f, "{", -1, NULL));
        }
        g_assert_true(g_file_set_contents(cfgNew, "<dom", -1, NULL));
        g_assert_true(g_file_set_contents(cfgTmp, "<dom", -1, NULL));
        vgmDriverStoreRemoveTemps(store);
        for (i = 0; i < G_N_ELEMENTS(gone); i++) {
            g_autofree char *f = g_build_filename(store->runDir, gone[i], NULL);

            g_assert_false(g_file_test(f, G_FILE_TEST_EXISTS));
        }
        for (i = 0; i < G_N_ELEMENTS(kept); i++) {
            g_autofree char *f = g_build_filename(store->runDir, kept[i], NULL);

            g_assert_true(g_file_test(f, G_FILE_TEST_EXISTS));
        }
        g_assert_false(g_file_test(cfgNew, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(cfgTmp, G_FILE_TEST_EXISTS));
    }
}

static void
testMonitorPath(void)
{
    const char *argv1[] = { "/usr/bin/qemu", "-chardev", "pty,id=charserial0",
                            "-chardev", "socket,id=charmonitor,path=/r/run/qemu/domain-a,,b/monitor.sock,server=on,wait=off",
                            "-mon", "chardev=charmonitor,id=monitor,mode=control", NULL };
    const char *argv2[] = { "/usr/bin/qemu", "-chardev", "socket,id=charserial0,path=/x", NULL };
    g_autofree char *p1 = vgmDriverProcessMonitorPath((char **)argv1);
    g_autofree char *p2 = vgmDriverProcessMonitorPath((char **)argv2);

    g_assert_cmpstr(p1, ==, "/r/run/qemu/domain-a,b/monitor.sock");
    g_assert_null(p2);
}

static VgmQemuBackend *
testBackend(const char *id, unsigned long long size, gboolean share)
{
    VgmQemuBackend *be = g_new0(VgmQemuBackend, 1);

    be->id = g_strdup(id);
    be->qomType = g_strdup("memory-backend-memfd");
    be->size = size;
    be->share = share;
    be->cell = -1;
    return be;
}

static void
testBackendFree(VgmQemuBackend *be)
{
    g_free(be->id);
    g_free(be->qomType);
    g_free(be);
}

static void
testMemdevCheck(void)
{
    VgmQemuPlan plan = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    const char *reply =
        "[{\"id\": \"ram-node1\", \"size\": 268435456, \"share\": true},"
        " {\"id\": \"ram-node0\", \"size\": 268435456, \"share\": true}]";
    JsonNode *memdevs;

    plan.backends = g_ptr_array_new_with_free_func((GDestroyNotify)testBackendFree);
    g_assert_true(json_parser_load_from_data(parser, reply, -1, &err));
    memdevs = json_parser_get_root(parser);

    g_ptr_array_add(plan.backends, testBackend("ram-node0", 268435456, TRUE));
    g_ptr_array_add(plan.backends, testBackend("ram-node1", 268435456, TRUE));
    g_assert_true(vgmDriverProcessCheckMemdevs(&plan, memdevs, &err));
    g_assert_no_error(err);

    g_ptr_array_add(plan.backends, testBackend("pc.ram", 1024, TRUE));
    g_assert_false(vgmDriverProcessCheckMemdevs(&plan, memdevs, &err));
    g_assert_cmpstr(err->message, ==,
                    "QEMU did not create the planned memory backend 'pc.ram' (query-memdev lists: ram-node1, ram-node0)");
    g_clear_error(&err);
    g_ptr_array_remove_index(plan.backends, 2);

    ((VgmQemuBackend *)g_ptr_array_index(plan.backends, 1))->size = 1;
    g_assert_false(vgmDriverProcessCheckMemdevs(&plan, memdevs, &err));
    g_assert_cmpstr(err->message, ==,
                    "memory backend 'ram-node1' has 268435456 bytes in QEMU, but the plan says 1");
    g_clear_error(&err);
    ((VgmQemuBackend *)g_ptr_array_index(plan.backends, 1))->size = 268435456;

    ((VgmQemuBackend *)g_ptr_array_index(plan.backends, 0))->share = FALSE;
    g_assert_false(vgmDriverProcessCheckMemdevs(&plan, memdevs, &err));
    g_assert_cmpstr(err->message, ==,
                    "memory backend 'ram-node0' has share=true in QEMU, but the plan says share=false");
    g_clear_error(&err);
    g_ptr_array_unref(plan.backends);
}

/* ---------------- domain capabilities ---------------- */

static VgmQemuCaps *
testLoadCaps(const char *set)
{
    g_autofree char *path = g_strdup_printf("%s/tests/qemucapabilitiesdata/%s.json",
                                            testSrcDir(), set);
    g_autoptr(GError) err = NULL;
    VgmQemuCaps *caps = vgmQemuCapsLoadFile(path, &err);

    g_assert_no_error(err);
    return caps;
}

static char *
testDomCaps(const char *set, const VgmDriverHostFacts *facts, const char *virttype)
{
    g_autoptr(VgmQemuCaps) caps = testLoadCaps(set);
    g_autoptr(GError) err = NULL;
    char *xml = vgmDriverDomainCapsFormat(caps, QEMU_BINARY, NULL, virttype, "q35", facts, &err);

    g_assert_no_error(err);
    return xml;
}

/* What the XPath @expr selects in the XML document @xml: the text of each
 * node selected (attribute values, element text), joined by ",", or the
 * value of an expression that is not a node set. "" selects nothing. */
static char *
testXPath(const char *xml, const char *expr)
{
    g_autoptr(xmlDoc) doc = xmlReadMemory(xml, (int)strlen(xml), "test.xml", NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    g_autoptr(GString) s = g_string_new(NULL);
    xmlXPathContextPtr ctxt;
    xmlXPathObjectPtr obj;

    g_assert_nonnull(doc);
    ctxt = xmlXPathNewContext(doc);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctxt);
    g_assert_nonnull(obj);
    if (obj->type == XPATH_NODESET) {
        int i;

        for (i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
            xmlChar *text = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);

            if (s->len)
                g_string_append_c(s, ',');
            g_string_append(s, text ? (const char *)text : "");
            xmlFree(text);
        }
    } else {
        xmlChar *text = xmlXPathCastToString(obj);

        g_string_append(s, (const char *)text);
        xmlFree(text);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctxt);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

#define testAssertXPath(xml, expr, want) \
    do { \
        g_autofree char *got_ = testXPath(xml, expr); \
        g_assert_cmpstr(got_, ==, want); \
    } while (0)

#define DC "/domainCapabilities"
#define DC_SOURCES DC "/memoryBacking/enum[@name='sourceType']/value"
#define DC_GMEM DC "/features/guestMemfd"
#define DC_INPLACE DC_GMEM "/inPlaceConversion"
#define DC_INPLACE_TYPES DC_INPLACE "/enum[@name='launchSecurityType']/value"
#define DC_SECTYPES DC "/features/launchSecurity/enum[@name='sectype']/value"

static void
testDomainCaps(void)
{
    VgmDriverHostFacts host = { 0 };
    VgmDriverHostFacts noflags = { 0 };
    VgmDriverHostFacts snp = { 0 };
    g_autofree char *x72 = NULL;
    g_autofree char *xmemfd = NULL;
    g_autofree char *xnohost = NULL;
    g_autofree char *xinplace = NULL;
    g_autofree char *xoldkernel = NULL;
    g_autofree char *xnommap = NULL;
    g_autofree char *xmachine = NULL;
    g_autofree char *x101 = NULL;
    g_autofree char *xtcg = NULL;

    host.kvm = TRUE;
    host.guestMemfd = TRUE;
    host.gmemFlags = VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED;
    noflags = host;
    noflags.gmemFlags = VGM_HOST_GMEM_MMAP;

    /* QEMU 7.2: no spelling, so no guestmemfd even on a capable host */
    x72 = testDomCaps("qemu-7.2-debian", &host, NULL);
    testAssertXPath(x72, DC "/domain", "kvm");
    testAssertXPath(x72, DC "/machine", "pc-q35-7.2");
    testAssertXPath(x72, DC_SOURCES, "file,anonymous,memfd");
    /* the layout, once: what virsh users diff against */
    g_assert_nonnull(strstr(x72, "<guestMemfd supported='no'>\n      <qemu supported='no'/>\n      <host supported='yes'/>\n"
                                 "      <hostFlags>\n        <flag name='mmap'/>\n        <flag name='init-shared'/>\n      </hostFlags>\n"));
    testAssertXPath(x72, DC_GMEM "/@supported", "no");
    testAssertXPath(x72, DC_GMEM "/hostFlags/flag/@name", "mmap,init-shared");
    testAssertXPath(x72, DC_INPLACE "/@supported", "no");
    testAssertXPath(x72, DC_GMEM "/liveUpdate/@supported", "no");
    testAssertXPath(x72, DC "/features/sev/@supported", "no");
    /* devices as the binary has them: SPICE and USB redirection, the
     * video models, in libvirt's order */
    testAssertXPath(x72, DC "/devices/graphics/enum[@name='type']/value", "vnc,spice");
    testAssertXPath(x72, DC "/devices/video/enum[@name='modelType']/value",
                    "vga,cirrus,vmvga,qxl,virtio,none,bochs,ramfb");
    /* what virt-install decides by, as libvirtd 9.0 lists it (q35: no IDE;
     * a floppy on its controller), and what is refused */
    testAssertXPath(x72, DC "/devices/disk/enum[@name='diskDevice']/value", "disk,cdrom,floppy");
    testAssertXPath(x72, DC "/devices/disk/enum[@name='bus']/value", "fdc,scsi,virtio,usb,sata");
    testAssertXPath(x72, DC "/devices/rng/enum[@name='backendModel']/value", "random,egd,builtin");
    testAssertXPath(x72, DC "/devices/hostdev/@supported", "no");
    testAssertXPath(x72, DC "/devices/tpm/enum[@name='model']/value", "tpm-tis,tpm-crb");
    testAssertXPath(x72, DC "/devices/channel/enum[@name='type']/value", "pty,unix,spicevmc");
    testAssertXPath(x72, DC "/devices/redirdev/@supported", "yes");
    testAssertXPath(x72, DC "/devices/redirdev/enum[@name='bus']/value", "usb");
    testAssertXPath(x72, DC "/devices/filesystem/enum[@name='driverType']/value", "path,virtiofs");

    /* Peter Xu's guest-memfd property on a capable host */
    xmemfd = testDomCaps("qemu-gmem-memfd", &host, "kvm");
    testAssertXPath(xmemfd, DC_SOURCES, "file,anonymous,memfd,guestmemfd");
    testAssertXPath(xmemfd, DC_GMEM "/@supported", "yes");
    /* synthesized from Debian's 10.0, which has no SPICE module */
    testAssertXPath(xmemfd, DC "/devices/graphics/enum[@name='type']/value", "vnc");
    testAssertXPath(xmemfd, DC "/devices/video/enum[@name='modelType']/value",
                    "vga,cirrus,vmvga,virtio,none,bochs,ramfb");
    testAssertXPath(xmemfd, DC_GMEM "/qemu/@supported", "yes");
    testAssertXPath(xmemfd, DC_GMEM "/host/@supported", "yes");
    testAssertXPath(xmemfd, DC_GMEM "/liveUpdate/@supported", "yes");
    testAssertXPath(xmemfd, DC_GMEM "/liveUpdate/enum[@name='sourceType']/value",
                    "memfd,file,guestmemfd");

    /* ... but the host lacks init-shared */
    xnohost = testDomCaps("qemu-gmem-memfd", &noflags, "kvm");
    testAssertXPath(xnohost, DC_SOURCES, "file,anonymous,memfd");
    testAssertXPath(xnohost, DC_GMEM "/@supported", "no");
    testAssertXPath(xnohost, DC_GMEM "/qemu/@supported", "yes");
    testAssertXPath(xnohost, DC_GMEM "/host/@supported", "no");
    testAssertXPath(xnohost, DC_GMEM "/hostFlags/flag/@name", "mmap");

    /* AMD's branch on an SNP host whose kvm converts in place: in-place
     * conversion for sev-snp (memory-backend-guest-memfd, mmap alone) */
    snp = host;
    snp.sev = snp.sevSnp = TRUE;
    snp.snpGmemFlags = VGM_HOST_GMEM_MMAP;
    snp.inPlaceKernel = TRUE;
    xinplace = testDomCaps("qemu-gmem-inplace", &snp, "kvm");
    testAssertXPath(xinplace, DC_INPLACE "/@supported", "yes");
    testAssertXPath(xinplace, DC_INPLACE_TYPES, "sev-snp");
    testAssertXPath(xinplace, DC "/features/launchSecurity/@supported", "yes");
    testAssertXPath(xinplace, DC_SECTYPES, "sev,sev-snp");

    /* ... a kvm that keeps memory attributes per VM (vm_memory_attributes
     * Y, or a kernel before it) cannot */
    snp.inPlaceKernel = FALSE;
    xoldkernel = testDomCaps("qemu-gmem-inplace", &snp, "kvm");
    testAssertXPath(xoldkernel, DC_INPLACE "/@supported", "no");
    testAssertXPath(xoldkernel, DC_INPLACE_TYPES, "");
    testAssertXPath(xoldkernel, DC_SECTYPES, "sev,sev-snp");

    /* ... nor an SNP VM type without guest_memfd mmap */
    snp.inPlaceKernel = TRUE;
    snp.snpGmemFlags = 0;
    xnommap = testDomCaps("qemu-gmem-inplace", &snp, "kvm");
    testAssertXPath(xnommap, DC_INPLACE "/@supported", "no");

    /* the machine knob, on a TDX host */
    host.tdx = TRUE;
    host.tdxGmemFlags = VGM_HOST_GMEM_MMAP;
    host.inPlaceKernel = TRUE;
    xmachine = testDomCaps("qemu-gmem-machine", &host, "kvm");
    testAssertXPath(xmachine, DC_INPLACE "/@supported", "yes");
    testAssertXPath(xmachine, DC_INPLACE_TYPES, "tdx");
    testAssertXPath(xmachine, DC "/features/tdx/@supported", "yes");
    testAssertXPath(xmachine, DC_SECTYPES, "tdx");

    /* upstream 10.1: SNP and TDX objects, no guest_memfd spelling, but
     * aux-ram-share: live update with memfd and file */
    x101 = testDomCaps("qemu-10.1", &host, "kvm");
    testAssertXPath(x101, DC_GMEM "/@supported", "no");
    testAssertXPath(x101, DC_GMEM "/qemu/@supported", "no");
    testAssertXPath(x101, DC_INPLACE "/@supported", "no");
    testAssertXPath(x101, DC_GMEM "/liveUpdate/@supported", "yes");
    testAssertXPath(x101, DC_GMEM "/liveUpdate/enum[@name='sourceType']/value", "memfd,file");

    /* TCG: no guest_memfd at all (rule 5) */
    xtcg = testDomCaps("qemu-gmem-memfd", &host, "qemu");
    testAssertXPath(xtcg, DC "/domain", "qemu");
    testAssertXPath(xtcg, DC "/cpu/mode[@name='host-passthrough']/@supported", "no");
    testAssertXPath(xtcg, DC_SOURCES, "file,anonymous,memfd");
    testAssertXPath(xtcg, DC_GMEM "/qemu/@supported", "no");
    testAssertXPath(xtcg, DC_INPLACE "/@supported", "no");
}

/* ---------------- what guest_memfd asks of the host ---------------- */

/* Builds the plan of tests/qemuxml2argvdata/@name.xml on capability set
 * @set and says what its guest_memfd needs. */
static gboolean
testPlanNeed(const char *name, const char *set, VgmDriverGmemNeed *need)
{
    g_autofree char *path = g_strdup_printf("%s/tests/qemuxml2argvdata/%s.xml",
                                            testSrcDir(), name);
    g_autoptr(VgmQemuCaps) caps = testLoadCaps(set);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuPlan) plan = NULL;
    g_autoptr(GError) err = NULL;

    def = vgmDomainDefParseFile(path, 0, &err);
    g_assert_no_error(err);
    plan = vgmQemuPlanBuild(def, caps, cfg, &err);
    g_assert_no_error(err);
    return vgmDriverGmemNeedFor(def, plan->gmem, plan->convertInPlace, need);
}

static VgmDomainDef *
testParseDomain(const char *xml)
{
    g_autoptr(GError) err = NULL;
    VgmDomainDef *def = vgmDomainDefParseString(xml, "test", 0, &err);

    g_assert_no_error(err);
    return def;
}

static void
testGmemNeed(void)
{
    const guint64 mmapShared = VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED;
    VgmDriverGmemNeed need;
    g_autoptr(VgmDomainDef) snp = NULL;
    g_autoptr(VgmDomainDef) sevEs = NULL;
    g_autofree char *name = NULL;

    /* no guest_memfd: nothing to ask */
    g_assert_false(testPlanNeed("memfd-shared", "qemu-gmem-memfd", &need));

    /* init-shared guest_memfd RAM on the default VM type, whatever the
     * spelling */
    g_assert_true(testPlanNeed("gmem-basic", "qemu-gmem-memfd", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_DEFAULT_VM);
    g_assert_cmpuint(need.flags, ==, mmapShared);
    g_assert_false(need.inPlace);
    g_assert_true(testPlanNeed("gmem-basic", "qemu-gmem-inplace", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_DEFAULT_VM);
    g_assert_cmpuint(need.flags, ==, mmapShared);

    /* plain SEV with guest_memfd: the SEV VM type */
    g_assert_true(testPlanNeed("gmem-sev", "qemu-gmem-memfd", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_SEV_VM);
    g_assert_cmpuint(need.flags, ==, mmapShared);
    g_assert_false(need.inPlace);

    /* in-place conversion: mmap alone on the SNP or TDX VM type, through
     * convert-in-place on the cgs object or the machine knob */
    g_assert_true(testPlanNeed("sev-snp-inplace", "qemu-gmem-inplace", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_SNP_VM);
    g_assert_cmpuint(need.flags, ==, VGM_HOST_GMEM_MMAP);
    g_assert_true(need.inPlace);
    g_assert_true(testPlanNeed("sev-snp-inplace", "qemu-gmem-machine", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_SNP_VM);
    g_assert_cmpuint(need.flags, ==, VGM_HOST_GMEM_MMAP);
    g_assert_true(need.inPlace);
    g_assert_true(testPlanNeed("tdx-inplace", "qemu-gmem-machine", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_TDX_VM);
    g_assert_cmpuint(need.flags, ==, VGM_HOST_GMEM_MMAP);
    g_assert_true(need.inPlace);
    g_assert_true(testPlanNeed("tdx-inplace", "qemu-gmem-inplace", &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_TDX_VM);
    g_assert_cmpuint(need.flags, ==, VGM_HOST_GMEM_MMAP);

    /* the memfd property always asks for init-shared, also on an SNP VM
     * (which never offers it), so the host check says what is missing */
    snp = testParseDomain("<domain type='kvm'><name>s</name><memory unit='MiB'>256</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<launchSecurity type='sev-snp' inPlaceConversion='yes'>"
                          "<policy>0x30000</policy></launchSecurity></domain>");
    g_assert_true(vgmDriverGmemNeedFor(snp, VGM_QEMU_GMEM_MEMFD_PROP, TRUE, &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_SNP_VM);
    g_assert_cmpuint(need.flags, ==, mmapShared);
    g_assert_true(need.inPlace);
    g_assert_true(vgmDriverGmemNeedFor(snp, VGM_QEMU_GMEM_MEMFD_XPROP, TRUE, &need));
    g_assert_cmpuint(need.flags, ==, mmapShared);
    g_assert_true(vgmDriverGmemNeedFor(snp, VGM_QEMU_GMEM_BACKEND, TRUE, &need));
    g_assert_cmpuint(need.flags, ==, VGM_HOST_GMEM_MMAP);
    g_assert_false(vgmDriverGmemNeedFor(snp, VGM_QEMU_GMEM_NONE, FALSE, &need));

    /* SEV with the ES policy bit: QEMU creates an SEV-ES VM */
    sevEs = testParseDomain("<domain type='kvm'><name>e</name><memory unit='MiB'>256</memory>"
                            "<memoryBacking><source type='guestmemfd'/></memoryBacking>"
                            "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                            "<launchSecurity type='sev'><cbitpos>51</cbitpos>"
                            "<reducedPhysBits>1</reducedPhysBits><policy>0x0007</policy>"
                            "</launchSecurity></domain>");
    g_assert_true(vgmDriverGmemNeedFor(sevEs, VGM_QEMU_GMEM_MEMFD_PROP, FALSE, &need));
    g_assert_cmpuint(need.vmType, ==, VGM_HOST_KVM_X86_SEV_ES_VM);
    g_assert_cmpuint(need.flags, ==, mmapShared);

    name = vgmDriverKvmVmTypeFormat(VGM_HOST_KVM_X86_SNP_VM);
    g_assert_cmpstr(name, ==, "snp");
    g_clear_pointer(&name, g_free);
    name = vgmDriverKvmVmTypeFormat(42);
    g_assert_cmpstr(name, ==, "42");
}

/* Makes @sysfs a fake /sys whose kvm module parameter vm_memory_attributes
 * reads @value (NULL: the kvm module has no such parameter). */
static void
testFakeSysfs(const char *sysfs, const char *value)
{
    g_autofree char *params = g_build_filename(sysfs, "module", "kvm", "parameters", NULL);
    g_autofree char *param = g_build_filename(params, "vm_memory_attributes", NULL);

    g_assert_true(vgmFileMakePath(params, 0755, NULL));
    g_unlink(param);
    if (value)
        g_assert_true(g_file_set_contents(param, value, -1, NULL));
}

static void
testInPlaceKernel(void)
{
    g_autofree char *root = testMakeRoot();
    g_autoptr(GError) err = NULL;
    g_autofree char *none = g_build_filename(root, "nokvm", NULL);
    g_autofree char *sys = g_build_filename(root, "sys", NULL);
    g_autofree char *want = NULL;

    /* no kvm module */
    g_assert_true(vgmFileMakePath(none, 0755, NULL));
    g_assert_false(vgmDriverKvmInPlaceCheck(none, &err));
    want = g_strdup_printf("the host kernel cannot convert guest_memfd memory in place: "
                           "the kvm module is not loaded (there is no %s/module/kvm)", none);
    g_assert_error(err, VGM_ERROR, VGM_ERR_NO_SUPPORT);
    g_assert_cmpstr(err->message, ==, want);
    g_clear_error(&err);

    /* a kernel from before the parameter */
    g_clear_pointer(&want, g_free);
    testFakeSysfs(sys, NULL);
    g_assert_false(vgmDriverKvmInPlaceCheck(sys, &err));
    want = g_strdup_printf("the host kernel cannot convert guest_memfd memory in place: "
                           "its kvm module predates the parameter vm_memory_attributes "
                           "(there is no %s/module/kvm/parameters/vm_memory_attributes), "
                           "so KVM keeps the private and shared attributes of memory per VM "
                           "and not in guest_memfd", sys);
    g_assert_cmpstr(err->message, ==, want);
    g_clear_error(&err);

    /* attributes per VM */
    g_clear_pointer(&want, g_free);
    testFakeSysfs(sys, "Y\n");
    g_assert_false(vgmDriverKvmInPlaceCheck(sys, &err));
    want = g_strdup_printf("the host kernel cannot convert guest_memfd memory in place: "
                           "the kvm module parameter vm_memory_attributes is 'Y' "
                           "(%s/module/kvm/parameters/vm_memory_attributes), so KVM keeps the "
                           "private and shared attributes of memory per VM; load kvm with "
                           "vm_memory_attributes=0", sys);
    g_assert_cmpstr(err->message, ==, want);
    g_clear_error(&err);
    testFakeSysfs(sys, "1\n");
    g_assert_false(vgmDriverKvmInPlaceCheck(sys, NULL));

    /* attributes in guest_memfd */
    testFakeSysfs(sys, "N\n");
    g_assert_true(vgmDriverKvmInPlaceCheck(sys, &err));
    g_assert_no_error(err);
    testFakeSysfs(sys, "0\n");
    g_assert_true(vgmDriverKvmInPlaceCheck(sys, NULL));
}

/* ---------------- host ---------------- */

static void
testHostProbe(void)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    VgmDriverHostFacts facts = { 0 };
    g_autoptr(GError) err = NULL;
    const guint64 both = VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED;

    if (access("/dev/kvm", F_OK) < 0) {
        g_test_skip("no /dev/kvm on this host");
        return;
    }
    g_assert_true(vgmHostKvmProbe(NULL, VGM_HOST_KVM_X86_DEFAULT_VM, &info, &err));
    g_assert_no_error(err);
    g_assert_true(info.available);
    /* the driver's host facts (what domain capabilities and start go by)
     * are the host probe's, on a KVM host with guest_memfd or without */
    vgmDriverHostFactsProbe(&facts);
    g_assert_true(facts.kvm);
    g_assert_cmpint(facts.guestMemfd, ==, info.guestMemfd);
    g_assert_cmphex(facts.gmemFlags, ==, info.flagsMask);
    g_assert_cmpint(vgmHostGuestMemfdCheck(&info, both, &err), ==,
                    info.guestMemfd && info.mmap && info.initShared);
    if (!info.guestMemfd)
        g_assert_cmpstr(err->message, ==,
                        "the host kernel does not support guest_memfd (KVM_CAP_GUEST_MEMFD)");
    else if (!info.mmap || !info.initShared)
        g_assert_nonnull(strstr(err->message, "lacks the flags"));
    else
        g_assert_no_error(err);
}

/* ---------------- lifecycle through the tool ---------------- */

static const char *
testListTable(GString *s, const char *const *rows)
{
    /* rows: id, name, state triples; widths as virsh computes them */
    size_t i, n = 0;
    glong wId = 2, wName = 4, wState = 5;

    while (rows[n])
        n += 3;
    for (i = 0; i < n; i += 3) {
        wId = MAX(wId, (glong)strlen(rows[i]));
        wName = MAX(wName, (glong)strlen(rows[i + 1]));
        wState = MAX(wState, (glong)strlen(rows[i + 2]));
    }
    g_string_append_printf(s, " %-*s   %-*s   State\n", (int)wId, "Id", (int)wName, "Name");
    for (i = 0; i < (size_t)(1 + wId + 3 + wName + 3 + wState + 2); i++)
        g_string_append_c(s, '-');
    g_string_append_c(s, '\n');
    for (i = 0; i < n; i += 3)
        g_string_append_printf(s, " %-*s   %-*s   %s\n", (int)wId, rows[i], (int)wName,
                               rows[i + 1], rows[i + 2]);
    g_string_append_c(s, '\n');
    return s->str;
}

static void
testAssertList(const char *root, gboolean all, const char *const *rows)
{
    g_autoptr(TestRun) run = all ? testTool(root, "list", "--all", NULL) :
                                   testTool(root, "list", NULL);
    g_autoptr(GString) want = g_string_new(NULL);

    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, testListTable(want, rows));
}

/* ---------------- leftovers and bad files, no QEMU ---------------- */

/* A process that looks like a domain's QEMU to vgmDriverProcessFind: a
 * shell whose command line has "-pidfile @pidfile" and the QMP chardev of
 * @monitor (it sleeps; the shell stays, the '; :' keeps it from exec).
 * The sleep gets none of the test's output pipes, so an orphaned sleep
 * cannot keep the test runner waiting for their end. */
static GSubprocess *
testFakeQemu(const char *pidfile, const char *monitor)
{
    g_autofree char *chardev = g_strdup_printf("socket,id=charmonitor,path=%s,server=on,wait=off",
                                               monitor);
    const char *argv[] = { "/bin/sh", "-c", "sleep 60 </dev/null >/dev/null 2>&1; :", "fake-qemu",
                           "-pidfile", pidfile, "-chardev", chardev, NULL };
    g_autoptr(GError) err = NULL;
    GSubprocess *proc = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_NONE, &err);
    gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    g_autofree char *cmdline = NULL;

    g_assert_no_error(err);
    /* until the exec is done */
    cmdline = g_strdup_printf("/proc/%s/cmdline", g_subprocess_get_identifier(proc));
    for (;;) {
        g_autofree char *text = NULL;
        gsize len = 0;

        if (g_file_get_contents(cmdline, &text, &len, NULL) &&
            memmem(text, len, "-pidfile", strlen("-pidfile")))
            break;
        g_assert_cmpint(g_get_monotonic_time(), <, until);
        g_usleep(10 * 1000);
    }
    return proc;
}

static void
testStopFake(GSubprocess *proc)
{
    g_subprocess_force_exit(proc);
    g_subprocess_wait(proc, NULL, NULL);
}

static void
testProcessFind(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *pidfile = g_build_filename(root, "qemu.pid", NULL);
    g_autofree char *other = g_build_filename(root, "other.pid", NULL);
    g_autofree char *monitor = g_build_filename(root, "monitor.sock", NULL);
    g_autoptr(GSubprocess) fake = testFakeQemu(pidfile, monitor);
    g_auto(VgmDriverProcIdent) found = { 0 };
    g_autofree char *me = g_strdup_printf("%d\n", (int)getpid());
    pid_t pid = (pid_t)atoi(g_subprocess_get_identifier(fake));

    /* no pidfile yet: found by its command line */
    g_assert_true(vgmDriverProcessFind(pidfile, monitor, &found));
    g_assert_cmpint(found.pid, ==, pid);
    g_assert_true(vgmDriverProcIdentIsAlive(&found));
    g_assert_true(vgmDriverProcessFind(pidfile, NULL, &found));
    g_assert_cmpint(found.pid, ==, pid);
    /* another monitor, another pidfile: not that QEMU */
    g_assert_false(vgmDriverProcessFind(pidfile, "/elsewhere/monitor.sock", &found));
    g_assert_false(vgmDriverProcessFind(other, NULL, &found));

    /* a pidfile naming another process (a reused pid) is not believed */
    g_assert_true(g_file_set_contents(other, me, -1, NULL));
    g_assert_false(vgmDriverProcessFind(other, NULL, &found));
    g_assert_true(g_file_set_contents(pidfile, me, -1, NULL));
    g_assert_true(vgmDriverProcessFind(pidfile, monitor, &found));
    g_assert_cmpint(found.pid, ==, pid);
    {
        g_autofree char *text = g_strdup_printf("%d\n", (int)pid);

        g_assert_true(g_file_set_contents(pidfile, text, -1, NULL));
        g_assert_true(vgmDriverProcessFind(pidfile, monitor, &found));
        g_assert_cmpint(found.pid, ==, pid);
    }

    testStopFake(fake);
    g_assert_false(vgmDriverProcessFind(pidfile, monitor, &found));
}

/* One unreadable status file hides no other domain: moved aside with a
 * warning when nothing of its domain runs, else left out with one. */
static void
testBadStatus(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *xml = g_build_filename(root, "good.xml", NULL);
    g_autofree char *runDir = g_build_filename(root, "run", "qemu", NULL);
    g_autofree char *broken = g_build_filename(runDir, "broken.status", NULL);
    g_autofree char *goodStatus = g_build_filename(runDir, "good.status", NULL);
    g_autofree char *held = g_build_filename(runDir, "held.status", NULL);
    g_autofree char *heldPidfile = g_build_filename(runDir, "domain-held", "qemu.pid", NULL);
    g_autofree char *corrupt = NULL;
    g_autofree char *want = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GSubprocess) fake = NULL;

    g_assert_true(g_file_set_contents(xml, "<domain type='qemu'><name>good</name>"
                                      "<memory unit='MiB'>64</memory>"
                                      "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                                      "</domain>", -1, NULL));
    run = testTool(root, "define", xml, NULL);
    TEST_OK(run);

    /* a transient domain's status, cut short */
    g_assert_true(g_file_set_contents(broken, "{\"name\":\"x\"", -1, NULL));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "list", "--all", NULL);
    TEST_OK(run);
    {
        g_autoptr(GString) table = g_string_new(NULL);

        g_assert_cmpstr(run->out, ==,
                        testListTable(table, (const char *const[]){ "-", "good", "shut off", NULL }));
    }
    corrupt = g_strconcat(broken, ".corrupt", NULL);
    want = g_strdup_printf("warning: status file '%s' is not JSON: ", broken);
    g_assert_true(g_str_has_prefix(run->err, want));
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("; moved it to '%s', domain 'broken' is shut off\n", corrupt);
    g_assert_true(g_str_has_suffix(run->err, want));
    g_assert_false(g_file_test(broken, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(corrupt, G_FILE_TEST_EXISTS));
    /* once */
    testAssertList(root, TRUE, (const char *const[]){ "-", "good", "shut off", NULL });

    /* a persistent domain's status that is no status */
    g_assert_true(g_file_set_contents(goodStatus, "[]", -1, NULL));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "--reason", "good", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "shut off (unknown)\n\n");
    g_assert_nonnull(strstr(run->err, "is not a JSON object; moved it to"));
    g_assert_false(g_file_test(goodStatus, G_FILE_TEST_EXISTS));

    /* an unreadable status whose QEMU still runs stays where it is */
    fake = testFakeQemu(heldPidfile, "/nowhere/monitor.sock");
    g_assert_true(g_file_set_contents(held, "garbage", -1, NULL));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "list", "--all", NULL);
    TEST_OK(run);
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("QEMU process %s of domain 'held' still runs: stop it, then remove the file\n",
                           g_subprocess_get_identifier(fake));
    g_assert_true(g_str_has_prefix(run->err, "warning: domain 'held' is not listed: status file '"));
    g_assert_true(g_str_has_suffix(run->err, want));
    g_assert_true(g_file_test(held, G_FILE_TEST_EXISTS));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "held", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_true(g_str_has_suffix(run->err, want));
    testStopFake(fake);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "list", "--all", "--name", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "good\n\n");
    g_assert_false(g_file_test(held, G_FILE_TEST_EXISTS));
}

/*
 * Issue 11: a <metadata> namespace URI with markup characters and white
 * space is stored as well-formed XML (define, list, dumpxml, undefine all
 * work); a stored definition that cannot be read all the same is listed
 * (shut off, with a warning naming its file and why), cannot be started
 * or dumped (a clear error naming the file), and undefine removes it. A
 * definition that parses but breaks a rule newer than it is not broken:
 * it is listed and dumped, and its start fails with the rule.
 */
static void
testBrokenConfig(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *good = g_build_filename(root, "good.xml", NULL);
    g_autofree char *meta = g_build_filename(root, "meta.xml", NULL);
    g_autofree char *broken = g_build_filename(root, "etc", "qemu", "broken.xml", NULL);
    g_autofree char *alien = g_build_filename(root, "etc", "qemu", "alien.xml", NULL);
    g_autofree char *want = NULL;
    g_autoptr(TestRun) run = NULL;

    g_assert_true(g_file_set_contents(good, "<domain type='qemu'><name>good</name>"
                                      "<memory unit='MiB'>64</memory>"
                                      "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                                      "</domain>", -1, NULL));
    g_assert_true(g_file_set_contents(meta, "<domain type='qemu'><name>meta</name>"
                                      "<metadata><x:a xmlns:x='a&lt;b&#9;c&#10;d&amp;'/>"
                                      "</metadata><memory unit='MiB'>64</memory>"
                                      "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                                      "</domain>", -1, NULL));
    run = testTool(root, "define", good, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "define", meta, NULL);
    TEST_OK(run);
    testAssertList(root, TRUE, (const char *const[]){ "-", "good", "shut off",
                                                      "-", "meta", "shut off", NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "meta", NULL);
    TEST_OK(run);
    g_assert_nonnull(strstr(run->out, "<x:a xmlns:x=\"a&lt;b&#9;c&#10;d&amp;\"/>\n"));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "meta", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain 'meta' has been undefined\n\n");

    /* a config cut short, and one that holds another domain's name */
    g_assert_true(g_file_set_contents(broken, "<domain type='qemu'><name>broken</name>"
                                      "<uuid>3e5a2ba6-4b79-4b7b-9d3c-3c4ad6a5e0a1</uuid>"
                                      "<memory unit='MiB'>64</mem", -1, NULL));
    g_assert_true(g_file_set_contents(alien, "<domain type='xen'><name>other</name>"
                                      "<memory unit='MiB'>64</memory>"
                                      "<os><type>hvm</type></os></domain>", -1, NULL));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "list", "--all", NULL);
    TEST_OK(run);
    {
        g_autoptr(GString) table = g_string_new(NULL);

        g_assert_cmpstr(run->out, ==,
                        testListTable(table, (const char *const[]){ "-", "alien", "shut off",
                                                                    "-", "broken", "shut off",
                                                                    "-", "good", "shut off", NULL }));
    }
    want = g_strdup_printf("warning: the definition of domain 'broken' cannot be read: "
                           "stored definition %s: malformed XML in %s at line 1: ", broken, broken);
    g_assert_nonnull(strstr(run->err, want));
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("warning: the definition of domain 'alien' cannot be read: "
                           "stored definition %s: invalid value 'xen' for attribute 'type' of element <domain>\n",
                           alien);
    g_assert_nonnull(strstr(run->err, want));

    /* its uuid is the one the file names, when it can be found */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domuuid", "broken", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "3e5a2ba6-4b79-4b7b-9d3c-3c4ad6a5e0a1\n\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "3e5a2ba6-4b79-4b7b-9d3c-3c4ad6a5e0a1", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "shut off\n\n");

    /* what needs the definition says why it cannot have it */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "broken", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("error: XML error: stored definition %s: malformed XML in %s at line 1: ",
                           broken, broken);
    g_assert_true(g_str_has_prefix(run->err, want));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "alien", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("error: Failed to start domain 'alien'\n"
                           "error: XML error: stored definition %s: invalid value 'xen' for attribute 'type' of element <domain>\n",
                           alien);
    g_assert_cmpstr(run->err, ==, want);

    /* a definition a newer rule refuses (libvirt 9.0's lifecycle pair,
     * refused at define since 2026-12-04) is kept and shown, as libvirt
     * loads its configs unchecked; its start says why it cannot run */
    {
        g_autofree char *old = g_build_filename(root, "etc", "qemu", "old.xml", NULL);

        g_assert_true(g_file_set_contents(old, "<domain type='qemu'><name>old</name>"
                                          "<memory unit='MiB'>64</memory>"
                                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                                          "<on_poweroff>restart</on_poweroff>"
                                          "<on_reboot>destroy</on_reboot></domain>", -1, NULL));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "dumpxml", "old", NULL);
        TEST_OK(run);
        g_assert_nonnull(strstr(run->out, "  <on_poweroff>restart</on_poweroff>\n"
                                          "  <on_reboot>destroy</on_reboot>\n"));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "start", "old", NULL);
        g_assert_cmpint(run->status, ==, 1);
        g_assert_cmpstr(run->err, ==,
                        "error: Failed to start domain 'old'\n"
                        "error: unsupported configuration: unsupported <on_reboot>destroy</on_reboot> with <on_poweroff>restart</on_poweroff>: a reboot that ends the domain is a power-off, which would restart it\n");
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "domstate", "old", NULL);
        TEST_OK(run);
        g_assert_cmpstr(run->out, ==, "shut off\n\n");
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "list", "--all", NULL);
        TEST_OK(run);
        g_assert_null(strstr(run->err, "'old'"));
        g_assert_nonnull(strstr(run->out, " old "));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "undefine", "old", NULL);
        TEST_OK(run);
        g_assert_false(g_file_test(old, G_FILE_TEST_EXISTS));
    }

    /* and undefine removes them */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "broken", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain 'broken' has been undefined\n\n");
    g_assert_false(g_file_test(broken, G_FILE_TEST_EXISTS));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "alien", NULL);
    TEST_OK(run);
    g_assert_false(g_file_test(alien, G_FILE_TEST_EXISTS));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "list", "--all", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->err, ==, "");
    testAssertList(root, TRUE, (const char *const[]){ "-", "good", "shut off", NULL });
}

/*
 * Issue 11: a name with '/' and control characters is quoted with them
 * escaped, so that it cannot forge lines on stderr: given on the command
 * line, and in a definition.
 */
static void
testNameControlChars(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *file = g_build_filename(root, "forged.xml", NULL);
    g_autofree char *want = NULL;
    g_autoptr(TestRun) run = NULL;

    run = testTool(root, "dominfo", "x/\nerror: forged\r", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_cmpstr(run->err, ==, "error: failed to get domain 'x/\\nerror: forged\\r'\n");

    g_assert_true(g_file_set_contents(file, "<domain type='qemu'><name>a/&#10;error: forged&#13;</name>"
                                      "<memory unit='MiB'>64</memory>"
                                      "<os><type>hvm</type></os></domain>", -1, NULL));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "define", file, NULL);
    g_assert_cmpint(run->status, ==, 1);
    want = g_strdup_printf("error: Failed to define domain from %s\n"
                           "error: XML error: invalid domain name 'a/\\nerror: forged\\r' in element <name>: "
                           "it must not contain '/'\n", file);
    g_assert_cmpstr(run->err, ==, want);
}

/* A fake mount table with a hugetlbfs for 2 MiB pages at ROOT/huge2M. */
static char *
testFakeMounts(const char *root, char **mount)
{
    g_autofree char *table = NULL;
    char *path = g_build_filename(root, "mounts", NULL);

    *mount = g_build_filename(root, "huge2M", NULL);
    g_assert_true(vgmFileMakePath(*mount, 0755, NULL));
    table = g_strdup_printf("proc /proc proc rw 0 0\n"
                            "hugetlbfs %s hugetlbfs rw,relatime,pagesize=2M 0 0\n", *mount);
    g_assert_true(g_file_set_contents(path, table, -1, NULL));
    return path;
}

/*
 * What a running guest's live XML says for a new QEMU to give it the
 * same (a live update, an incoming migration, a restore): a pflash
 * without readonly is written readonly='no' at start, and a live XML
 * without it (a start before 2026-12-06, which made it read-only) reads
 * as read-only again; a custom EPYC's monitor, which libvirt's CPU map
 * removed, is said off at start, and a live XML that does not name it
 * (such a start left QEMU's model as it is) gets it as force.
 */
static void
testKeepAsRan(void)
{
    static const char *xml =
        "<domain type='qemu'><name>ran</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type>"
        "<loader type='pflash'>/var/lib/x/code.fd</loader></os>"
        "<features><acpi/></features>"
        "<cpu mode='custom' match='exact'><model>EPYC</model></cpu></domain>";
    g_autoptr(VgmDomainDef) def = testParseDomain(xml);
    g_autoptr(VgmDomainDef) old = testParseDomain(xml);
    g_autofree char *live = vgmDriverDomainLiveXML(def, NULL, NULL, NULL, NULL, NULL);
    guint i;
    gboolean monitor = FALSE;

    g_assert_nonnull(strstr(live, "<loader readonly='no' type='pflash'>"));
    g_assert_nonnull(strstr(live, "<feature policy='disable' name='monitor'/>"));
    vgmDriverDomainKeepAsRan(old);
    g_assert_cmpint(old->os.loaderReadonly, ==, VGM_TRISTATE_YES);
    for (i = 0; i < old->cpu->nfeatures; i++)
        monitor |= g_str_equal(old->cpu->features[i].name, "monitor") &&
                   old->cpu->features[i].policy == VGM_CPU_FEATURE_FORCE;
    g_assert_true(monitor);
    /* a live XML of a start since names both: nothing changes */
    {
        g_autoptr(VgmDomainDef) now = testParseDomain(live);
        guint n = now->cpu->nfeatures;

        vgmDriverDomainKeepAsRan(now);
        g_assert_cmpint(now->os.loaderReadonly, ==, VGM_TRISTATE_NO);
        g_assert_cmpuint(now->cpu->nfeatures, ==, n);
    }
}

/*
 * The live XML of a domain whose <os firmware='efi'> chose its firmware
 * from the descriptors names the files it runs, as libvirt 9.0's does
 * (captured from libvirtd on Debian 12, 2026-12-06: no firmware=
 * attribute, <loader readonly='yes' secure='yes' type='pflash'>,
 * <nvram template=...>, <smm state='on'/> for a firmware that needs SMM),
 * and reads back, validated, as a restore or a revert reads it; a
 * firmware given by hand and one without a descriptor are left as they
 * are.
 */
static void
testLiveFirmware(void)
{
    static const char *xml =
        "<domain type='qemu'><name>efi</name><memory unit='MiB'>128</memory>"
        "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>"
        "<firmware><feature enabled='yes' name='secure-boot'/></firmware></os>"
        "<features><acpi/></features></domain>";
    VgmQemuFirmware fw = {
        .loader = (char *)"/usr/share/OVMF/OVMF_CODE_4M.ms.fd",
        .type = VGM_LOADER_TYPE_PFLASH,
        .readonly = TRUE,
        .secure = TRUE,
        .smm = TRUE,
        .nvram = (char *)"/r/lib/qemu/nvram/efi_VARS.fd",
        .nvramTemplate = (char *)"/usr/share/OVMF/OVMF_VARS_4M.ms.fd",
        .descriptor = (char *)"/usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json",
    };
    g_autoptr(VgmDomainDef) def = testParseDomain(xml);
    g_autofree char *live = vgmDriverDomainLiveXML(def, NULL, NULL, NULL, &fw, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) back = vgmDomainDefParseString(live, "live", VGM_DOMAIN_PARSE_LIVE, &err);

    g_assert_null(strstr(live, "firmware='efi'"));
    g_assert_null(strstr(live, "<firmware>"));
    g_assert_nonnull(strstr(live, "<loader readonly='yes' secure='yes' type='pflash'>"
                                  "/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>"));
    g_assert_nonnull(strstr(live, "<nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>"
                                  "/r/lib/qemu/nvram/efi_VARS.fd</nvram>"));
    g_assert_nonnull(strstr(live, "<smm state='on'/>"));
    g_assert_no_error(err);
    g_assert_cmpstr(back->os.loader, ==, fw.loader);
    g_assert_cmpstr(back->os.nvram, ==, fw.nvram);
    /* a firmware not chosen by a descriptor (the domain's own, or none) */
    fw.descriptor = NULL;
    {
        g_autofree char *same = vgmDriverDomainLiveXML(def, NULL, NULL, NULL, &fw, NULL);

        g_assert_nonnull(strstr(same, "<os firmware='efi'>"));
        g_assert_null(strstr(same, "<loader"));
    }
}

#define TEST_HUGEPAGES_XML \
    "<domain type='qemu'><name>hp</name>" \
    "<uuid>6a1e8a3c-5b2d-4c47-9a4f-0e3b1d2c5f60</uuid>" \
    "<memory unit='MiB'>64</memory>" \
    "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>" \
    "<os><type arch='x86_64' machine='q35'>hvm</type></os>" \
    "<devices><memballoon model='none'/></devices></domain>"

/* The per-domain hugetlbfs dir: planned under the mount, listed in the
 * status, removed with it; nothing else is. */
static void
testHugetlbfsDirs(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *mount = NULL;
    g_autofree char *mounts = testFakeMounts(root, &mount);
    g_autofree char *dir = g_build_filename(mount, "virt-gmem", "hp", NULL);
    g_autofree char *otherDir = g_build_filename(mount, "virt-gmem", "other", NULL);
    g_autofree char *precious = g_build_filename(root, "precious", NULL);
    g_autofree char *inside = g_build_filename(dir, "qemu_back_mem.XXXXXX", NULL);
    g_autoptr(VgmQemuCaps) caps = testLoadCaps("qemu-7.2-debian");
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew("/run/x", "/var/x", "/log/x");
    g_autoptr(VgmDomainDef) def = testParseDomain(TEST_HUGEPAGES_XML);
    g_autoptr(VgmQemuPlan) plan = NULL;
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverStatus) status = vgmDriverStatusNew();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) dirs = NULL;

    vgmQemuConfigLoadHugetlbfs(cfg, mounts);
    plan = vgmQemuPlanBuild(def, caps, cfg, &err);
    g_assert_no_error(err);
    dirs = vgmDriverProcessHugetlbfsDirs(def, plan);
    g_assert_nonnull(dirs);
    g_assert_cmpuint(g_strv_length(dirs), ==, 1);
    g_assert_cmpstr(dirs[0], ==, dir);

    store = vgmDriverStoreOpen(root, &err);
    g_assert_no_error(err);
    status->name = g_strdup("hp");
    status->monitor = g_strdup("/m");
    status->emulator = g_strdup(QEMU_BINARY);
    status->xml = g_strdup("<domain/>");
    /* a status naming a dir that is no per-domain hugetlbfs dir of hp
     * (edited, or broken) cannot make us remove it */
    {
        const char *list[] = { dir, otherDir, precious, NULL };

        status->hugetlbfsDirs = g_strdupv((char **)list);
    }
    g_assert_true(vgmDriverStoreSaveStatus(store, status, &err));
    g_assert_true(vgmFileMakePath(dir, 0700, NULL));
    g_assert_true(vgmFileMakePath(otherDir, 0700, NULL));
    g_assert_true(vgmFileMakePath(precious, 0700, NULL));
    g_assert_true(g_file_set_contents(inside, "x", -1, NULL));

    g_assert_true(vgmDriverStoreDeleteStatus(store, "hp", &err));
    g_assert_no_error(err);
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(otherDir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(precious, G_FILE_TEST_IS_DIR));
    g_assert_false(testStatusExists(root, "hp"));
}

/* ---------------- with QEMU ---------------- */

static void
testPlainMemfd(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *want = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(TestRun) run = NULL;
    JsonArray *backends;
    char uuid[37];
    guint i;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = testExample(root, "plain-memfd", FALSE);

    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    want = g_strdup_printf("Domain 'plain-memfd' defined from %s\n\n", file);
    g_assert_cmpstr(run->out, ==, want);
    testAssertList(root, FALSE, (const char *const[]){ NULL });
    testAssertList(root, TRUE, (const char *const[]){ "-", "plain-memfd", "shut off", NULL });

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain 'plain-memfd' started\n\n");
    testAssertList(root, FALSE, (const char *const[]){ "1", "plain-memfd", "running", NULL });

    /* the status file: our QEMU, its monitor, the plan start checked */
    status = testLoadStatus(root, "plain-memfd");
    g_assert_nonnull(status);
    g_assert_cmpint(status->state, ==, VGM_DRIVER_STATUS_RUNNING);
    g_assert_true(vgmDriverProcIdentIsAlive(&status->qemu));
    g_assert_cmpstr(status->emulator, ==, QEMU_BINARY);
    g_assert_cmpstr(status->machine, ==, "pc-q35-7.2");
    g_assert_true(g_str_has_suffix(status->monitor, "/run/qemu/domain-plain-memfd/monitor.sock"));
    g_assert_nonnull(status->plan);
    backends = json_object_get_array_member(json_node_get_object(status->plan), "backends");
    g_assert_cmpuint(json_array_get_length(backends), ==, 2);
    for (i = 0; i < 2; i++) {
        JsonObject *be = json_array_get_object_element(backends, i);
        g_autofree char *id = g_strdup_printf("ram-node%u", i);

        g_assert_cmpstr(json_object_get_string_member(be, "id"), ==, id);
        g_assert_cmpstr(json_object_get_string_member(be, "qom-type"), ==, "memory-backend-memfd");
        g_assert_cmpint(json_object_get_int_member(be, "size"), ==, 268435456);
        g_assert_true(json_object_get_boolean_member(be, "share"));
        g_assert_false(json_object_get_boolean_member(be, "guest-memfd"));
    }

    /* dumpxml: live XML with id and resolved machine; --inactive: config */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_true(g_str_has_prefix(run->out, "<domain type='qemu' id='1'>\n") ||
                  g_str_has_prefix(run->out, "<domain type='kvm' id='1'>\n"));
    g_assert_nonnull(strstr(run->out, "<type arch='x86_64' machine='pc-q35-7.2'>hvm</type>"));
    g_assert_nonnull(strstr(run->out, "<emulator>" QEMU_BINARY "</emulator>"));
    g_assert_true(g_str_has_suffix(run->out, "</domain>\n\n"));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "--inactive", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_true(g_str_has_prefix(run->out, "<domain type='qemu'>\n") ||
                  g_str_has_prefix(run->out, "<domain type='kvm'>\n"));
    /* the define wrote the binary's versioned name of the q35 alias, as
     * libvirt's define does */
    g_assert_nonnull(strstr(run->out, "machine='pc-q35-"));
    g_assert_null(strstr(run->out, "machine='q35'"));

    /* dominfo, domstate, domid, domname, domuuid */
    vgmDomainUUIDFormat(status->uuid, uuid);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dominfo", "plain-memfd", NULL);
    TEST_OK(run);
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("Id:             1\nName:           plain-memfd\nUUID:           %s\n"
                           "OS Type:        hvm\nState:          running\nCPU(s):         2\n",
                           uuid);
    g_assert_true(g_str_has_prefix(run->out, want));
    g_assert_nonnull(strstr(run->out, "\nCPU time:       "));
    g_assert_nonnull(strstr(run->out,
                            "Max memory:     524288 KiB\nUsed memory:    524288 KiB\n"
                            "Persistent:     yes\nAutostart:      disable\nManaged save:   no\n"
                            "Security model: none\nSecurity DOI:   0\n"));
    /* ours after libvirt's: which QEMU process runs the guest (a live
     * update changes it) */
    g_clear_pointer(&want, g_free);
    want = g_strdup_printf("Security DOI:   0\nQEMU process:   %lld\nEmulator:       %s\n\n",
                           (long long)status->qemu.pid, status->emulator);
    g_assert_true(g_str_has_suffix(run->out, want));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "running\n\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "--reason", "1", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "running (booted)\n\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domname", uuid, NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "plain-memfd\n\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domid", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "1\n\n");

    /* shutdown asks the guest (SeaBIOS here ignores it): still running */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "shutdown", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain 'plain-memfd' is being shutdown\n\n");
    testAssertList(root, FALSE, (const char *const[]){ "1", "plain-memfd", "running", NULL });

    /* destroy: QEMU gone, status gone */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain 'plain-memfd' destroyed\n\n");
    g_assert_false(testPidRuns(status->qemu.pid));
    g_assert_false(testStatusExists(root, "plain-memfd"));
    testAssertList(root, TRUE, (const char *const[]){ "-", "plain-memfd", "shut off", NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_cmpstr(run->err, ==, "error: Failed to destroy domain 'plain-memfd'\n"
                                  "error: Requested operation is not valid: domain 'plain-memfd' is not running\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "shutdown", "plain-memfd", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_cmpstr(run->err, ==, "error: Failed to shutdown domain 'plain-memfd'\n"
                                  "error: Requested operation is not valid: domain 'plain-memfd' is not running\n");

    /* the next start gets the next id */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "plain-memfd", NULL);
    TEST_OK(run);
    testAssertList(root, FALSE, (const char *const[]){ "2", "plain-memfd", "running", NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "2", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain '2' destroyed\n\n");

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain 'plain-memfd' has been undefined\n\n");
    testAssertList(root, TRUE, (const char *const[]){ NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dominfo", "plain-memfd", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_cmpstr(run->err, ==, "error: failed to get domain 'plain-memfd'\n");
}

static void
testGmemOnOldQemu(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GArray) procs = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    /* guest_memfd needs <domain type='kvm'> (rule 5); the QEMU check comes
     * before the host check, so this holds with and without /dev/kvm */
    file = testExample(root, "gmem-shared", TRUE);
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "gmem-shared", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_true(g_str_has_prefix(run->err,
                                   "error: Failed to start domain 'gmem-shared'\n"
                                   "error: unsupported configuration: this QEMU binary does not support "
                                   "guest_memfd memory backends"));
    g_assert_false(testStatusExists(root, "gmem-shared"));
    procs = testFindProcs("guest=gmem-shared");
    g_assert_cmpuint(procs->len, ==, 0);
    testAssertList(root, TRUE, (const char *const[]){ "-", "gmem-shared", "shut off", NULL });
}

/*
 * On a host whose KVM cannot run -cpu host with this QEMU (found by
 * trying, as the acceptance test does), the tool's own start of a
 * host-passthrough domain is not adapted: it fails, quotes QEMU's message
 * and leaves nothing behind.
 */
static void
testHostCpuRefusedByKvm(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *msg = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GArray) procs = NULL;
    g_autoptr(GError) err = NULL;
    const char *reason;
    const char *lastLine;

    if (!testHaveQemu())
        return;
    if (access("/dev/kvm", R_OK | W_OK) < 0) {
        g_test_skip("no usable /dev/kvm");
        return;
    }
    if (!(reason = vgmTestKvmFailure(QEMU_BINARY, NULL, "host,migratable=on"))) {
        g_test_skip("this host's KVM runs -cpu host");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "hostcpu.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='kvm'><name>hostcpu</name><memory unit='MiB'>128</memory>"
        "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<cpu mode='host-passthrough'/></domain>", -1, &err));
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "hostcpu", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_true(g_str_has_prefix(run->err, "error: Failed to start domain 'hostcpu'\n"));
    /* the probe's reason ends with QEMU's last stderr line */
    lastLine = strrchr(reason, ':');
    g_assert_nonnull(lastLine);
    msg = g_strstrip(g_strdup(lastLine + 1));
    if (!strstr(run->err, msg))
        g_test_message("QEMU said '%s'; virt-gmem printed:\n%s", msg, run->err);
    g_assert_nonnull(strstr(run->err, msg));
    g_assert_false(testStatusExists(root, "hostcpu"));
    procs = testFindProcs("guest=hostcpu");
    g_assert_cmpuint(procs->len, ==, 0);
}

/*
 * <cpu check>: a start whose guest CPU the host (here TCG) cannot provide
 * fails as libvirt's does, naming the features QEMU filtered out, and
 * leaves nothing behind; optional and forced features may be missing, a
 * forbidden one the host has fails, a <vendor> other than the host CPU's
 * fails, check='none' starts regardless, and host-model (a named model
 * with TCG's features) passes. A CPU relative to the host is settled in
 * the live XML as libvirt's start settles it: match='minimum' becomes the
 * host's model (EPYC under TCG) with the domain's features over it, an
 * optional feature require or disable as TCG has it; the features
 * libvirt drops (one this QEMU does not know, disabled; osxsave) are not
 * in the live XML, and the one libvirt's CPU map removed from a model
 * (EPYC's monitor) is disabled there.
 */
static void
testCpuCheck(void)
{
    static const struct {
        const char *cpu;
        const char *error;      /* NULL: starts */
        const char *live[3];    /* in the live XML of a start */
        const char *absent;     /* not in it */
    } cases[] = {
        /* TCG lacks pcid, x2apic, tsc-deadline... of Skylake-Client */
        { "<cpu mode='custom' match='exact' check='partial'><model>Skylake-Client</model></cpu>",
          "<cpu> model 'Skylake-Client' is incompatible with the host CPU under TCG, which does not provide these features it requires: " },
        { "<cpu mode='custom' match='exact' check='full'><model>qemu64</model>"
          "<feature policy='require' name='avx512f'/></cpu>",
          "<cpu> model 'qemu64' is incompatible with the host CPU under TCG, which does not provide these features it requires: avx512f (" },
        { "<cpu mode='host-model'><feature policy='require' name='avx512f'/></cpu>",
          "<cpu mode='host-model'> is incompatible with the host CPU under TCG, which does not provide these features it requires: avx512f (" },
        { "<cpu mode='custom' match='exact' check='partial'><model>qemu64</model>"
          "<feature policy='forbid' name='sse2'/></cpu>",
          "<cpu> feature 'sse2' has policy='forbid', but the host CPU under TCG provides it" },
        /* forced (libvirt's spelling with '_') and optional may be filtered */
        { "<cpu mode='custom' match='exact' check='partial'><model>qemu64</model>"
          "<feature policy='force' name='tsc_deadline'/><feature policy='optional' name='avx512f'/>"
          "<feature policy='forbid' name='avx512bw'/></cpu>", NULL },
        /* libvirt's default for a custom model under TCG */
        { "<cpu mode='custom' match='exact'><model>Skylake-Client</model></cpu>", NULL },
        /* <vendor> is what the host CPU must be, where checked */
        { "<cpu mode='custom' match='exact' check='partial'><model>qemu64</model>"
          "<vendor>Intel</vendor></cpu>",
          "<cpu> model 'qemu64' is incompatible with the host CPU under TCG, whose vendor is 'AMD', not the required <vendor> 'Intel'" },
        { "<cpu mode='custom' match='exact' check='partial'><model>qemu64</model>"
          "<vendor>AMD</vendor></cpu>", NULL },
        { "<cpu mode='custom' match='exact' check='none'><model>qemu64</model>"
          "<vendor>Intel</vendor></cpu>", NULL },
        /* host-model is the named model plus exactly what TCG has: the
         * partial check finds nothing filtered out */
        { "<cpu mode='host-model' check='partial'/>", NULL },
        /* the least is qemu64: the guest gets the host's model */
        { "<cpu mode='custom' match='minimum'><model>qemu64</model>"
          "<feature policy='disable' name='sse4.2'/><feature policy='optional' name='avx512f'/></cpu>",
          NULL, { "<cpu mode='custom' match='exact' check='none'>\n"
                  "    <model fallback='forbid'>EPYC</model>\n",
                  "<feature policy='disable' name='sse4.2'/>",
                  "<feature policy='disable' name='avx512f'/>" } },
        /* a minimum the host lacks fails as an exact model's would */
        { "<cpu mode='custom' match='minimum' check='partial'><model>Skylake-Client</model></cpu>",
          "<cpu> model 'Skylake-Client' is incompatible with the host CPU under TCG, which does not provide these features it requires: " },
        /* optional features settled, the model and match kept */
        { "<cpu mode='custom' match='exact'><model>qemu64</model>"
          "<feature policy='optional' name='sse4.2'/><feature policy='optional' name='pcid'/></cpu>",
          NULL, { "<cpu mode='custom' match='exact' check='none'>\n"
                  "    <model fallback='forbid'>qemu64</model>\n"
                  "    <feature policy='require' name='sse4.2'/>\n"
                  "    <feature policy='disable' name='pcid'/>\n" } },
        /* what libvirt drops is left out of QEMU's CPU and the live XML:
         * pconfig, which this QEMU does not know, off; osxsave always */
        { "<cpu mode='custom' match='exact'><model>qemu64</model>"
          "<feature policy='disable' name='pconfig'/><feature policy='require' name='osxsave'/>"
          "<feature policy='disable' name='sse4.2'/></cpu>",
          NULL, { "<model fallback='forbid'>qemu64</model>\n"
                  "    <feature policy='disable' name='sse4.2'/>\n  </cpu>" }, "osxsave" },
        /* host-model under TCG is EPYC, and the live XML names what
         * libvirt's CPU map removed from it as the host has it (a new
         * QEMU made of the live XML gives the same CPU) */
        { "<cpu mode='host-model'/>", NULL,
          { "<model fallback='forbid'>EPYC</model>",
            "<feature policy='require' name='monitor'/>" } },
        /* check='full' compares the CPU QEMU made (the widened one), as
         * libvirt's does: no minimum refused before */
        { "<cpu mode='custom' match='minimum' check='full'><model>Skylake-Client</model></cpu>",
          NULL, { "<model fallback='forbid'>EPYC</model>" } },
        /* what libvirt's CPU map removed from EPYC is off, after the
         * domain's own features */
        { "<cpu mode='custom' match='exact'><model>EPYC</model>"
          "<feature policy='disable' name='rdseed'/></cpu>",
          NULL, { "<model fallback='forbid'>EPYC</model>\n"
                  "    <feature policy='disable' name='rdseed'/>\n"
                  "    <feature policy='disable' name='monitor'/>\n  </cpu>" } },
    };
    g_autofree char *root = NULL;
    size_t i;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *file = g_build_filename(root, "cpucheck.xml", NULL);
        g_autofree char *xml = g_strdup_printf(
            "<domain type='qemu'><name>cpucheck</name><memory unit='MiB'>128</memory>"
            "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>%s</domain>",
            cases[i].cpu);
        g_autoptr(TestRun) run = NULL;
        g_autoptr(GArray) procs = NULL;
        g_autoptr(GError) err = NULL;

        g_test_message("case %zu: %s", i, cases[i].cpu);
        g_assert_true(g_file_set_contents(file, xml, -1, &err));
        run = testTool(root, "define", file, NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "start", "cpucheck", NULL);
        if (cases[i].error) {
            g_autofree char *want = g_strdup_printf("error: Failed to start domain 'cpucheck'\n"
                                                    "error: unsupported configuration: %s",
                                                    cases[i].error);

            if (!g_str_has_prefix(run->err, want))
                g_test_message("got: %s", run->err);
            g_assert_cmpint(run->status, ==, 1);
            g_assert_true(g_str_has_prefix(run->err, want));
            g_assert_false(testStatusExists(root, "cpucheck"));
            procs = testFindProcs("guest=cpucheck");
            g_assert_cmpuint(procs->len, ==, 0);
        } else {
            size_t j;

            TEST_OK(run);
            g_clear_pointer(&run, testRunFree);
            run = testTool(root, "dumpxml", "cpucheck", NULL);
            TEST_OK(run);
            for (j = 0; j < G_N_ELEMENTS(cases[i].live) && cases[i].live[j]; j++) {
                if (!strstr(run->out, cases[i].live[j]))
                    g_test_message("live XML: %s", run->out);
                g_assert_nonnull(strstr(run->out, cases[i].live[j]));
            }
            g_assert_true(!cases[i].absent || !strstr(run->out, cases[i].absent));
            g_clear_pointer(&run, testRunFree);
            run = testTool(root, "destroy", "cpucheck", NULL);
            TEST_OK(run);
        }
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "undefine", "cpucheck", NULL);
        TEST_OK(run);
    }
}

static void
testDeadQemu(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = testExample(root, "plain-memfd", FALSE);
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "plain-memfd", NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "plain-memfd");
    kill(status->qemu.pid, SIGKILL);
    while (testPidRuns(status->qemu.pid))
        g_usleep(10 * 1000);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "--reason", "plain-memfd", NULL);
    TEST_OK(run);
    /* (killed: libvirtd 9.0 says crashed too, 2026-12-07) */
    g_assert_cmpstr(run->out, ==, "shut off (crashed)\n\n");
    g_assert_false(testStatusExists(root, "plain-memfd"));
}

static void
testTransient(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autoptr(TestRun) run = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = testExample(root, "plain-memfd", FALSE);
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "plain-memfd", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "plain-memfd", NULL);
    TEST_OK(run);
    testAssertList(root, TRUE, (const char *const[]){ "1", "plain-memfd", "running", NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dominfo", "plain-memfd", NULL);
    TEST_OK(run);
    g_assert_nonnull(strstr(run->out, "\nPersistent:     no\n"));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    TEST_OK(run);
    testAssertList(root, TRUE, (const char *const[]){ NULL });

    /* create: started without a config, gone when it stops */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    {
        g_autofree char *want = g_strdup_printf("Domain 'plain-memfd' created from %s\n\n", file);
        g_assert_cmpstr(run->out, ==, want);
    }
    testAssertList(root, TRUE, (const char *const[]){ "2", "plain-memfd", "running", NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "plain-memfd", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_cmpstr(run->err, ==, "error: Failed to undefine domain 'plain-memfd'\n"
                                  "error: Requested operation is not valid: cannot undefine transient domain 'plain-memfd'\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    TEST_OK(run);
    testAssertList(root, TRUE, (const char *const[]){ NULL });
}

/* Spawns virt-gmem with VIRT_GMEM_TEST_PAUSE_AT=@point and waits until it
 * says it paused there. */
static GSubprocess *
testSpawnPaused(const char *root, const char *point, const char *const *args)
{
    GSubprocess *proc = testSpawn(root, point,
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                  G_SUBPROCESS_FLAGS_STDOUT_SILENCE, args);
    g_autoptr(GDataInputStream) in =
        g_data_input_stream_new(g_subprocess_get_stderr_pipe(proc));
    g_autofree char *want = g_strdup_printf("virt-gmem: paused at %s (pid ", point);
    g_autoptr(GError) err = NULL;
    gboolean paused = FALSE;
    char *line;

    while ((line = g_data_input_stream_read_line_utf8(in, NULL, NULL, &err))) {
        paused = g_str_has_prefix(line, want);
        if (!paused)
            g_test_message("virt-gmem said: %s", line);
        g_free(line);
        if (paused)
            break;
    }
    g_assert_no_error(err);
    g_assert_true(paused);
    return proc;
}

static void
testKill(GSubprocess *proc)
{
    g_subprocess_send_signal(proc, SIGKILL);
    g_subprocess_wait(proc, NULL, NULL);
}

/* Spawns virt-gmem paused at @point and kills it there. */
static void
testKillAt(const char *root, const char *point, const char *const *args)
{
    g_autoptr(GSubprocess) proc = testSpawnPaused(root, point, args);

    testKill(proc);
}

static void
testKilledDefine(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *v1 = g_build_filename(root, "v1.xml", NULL);
    g_autofree char *v2 = g_build_filename(root, "v2.xml", NULL);
    g_autofree char *config = NULL;
    g_autofree char *text = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    const char *fmt = "<domain type='qemu'><name>kd</name>"
                      "<uuid>0b9f4a3e-2f55-4f0c-9f8e-0d7d2a1c3b4e</uuid>"
                      "<memory unit='MiB'>%d</memory>"
                      "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>";
    g_autofree char *x1 = g_strdup_printf(fmt, 128);
    g_autofree char *x2 = g_strdup_printf(fmt, 256);

    g_assert_true(g_file_set_contents(v1, x1, -1, NULL));
    g_assert_true(g_file_set_contents(v2, x2, -1, NULL));
    run = testTool(root, "define", v1, NULL);
    TEST_OK(run);

    testKillAt(root, "define-before-rename", (const char *const[]){ "define", v2, NULL });

    /* the old config, whole */
    config = g_build_filename(root, "etc", "qemu", "kd.xml", NULL);
    g_assert_true(g_file_get_contents(config, &text, NULL, NULL));
    def = vgmDomainDefParseString(text, config, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(def->memory, ==, 128 * 1024);
    testAssertList(root, TRUE, (const char *const[]){ "-", "kd", "shut off", NULL });

    /* the lock died with the tool: the next define goes through and
     * leaves no staging file */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "define", v2, NULL);
    TEST_OK(run);
    g_clear_pointer(&text, g_free);
    g_clear_pointer(&def, vgmDomainDefFree);
    g_assert_true(g_file_get_contents(config, &text, NULL, NULL));
    def = vgmDomainDefParseString(text, config, 0, &err);
    g_assert_cmpuint(def->memory, ==, 256 * 1024);
    {
        g_autofree char *dir = g_build_filename(root, "etc", "qemu", NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *ent;

        while ((ent = g_dir_read_name(d)))
            g_assert_cmpstr(ent, ==, "kd.xml");
    }

    /* one uuid, two names: an error naming both */
    {
        g_autofree char *v3 = g_build_filename(root, "v3.xml", NULL);
        g_autoptr(GString) x3 = g_string_new(x1);

        g_string_replace(x3, "<name>kd</name>", "<name>kd2</name>", 1);
        g_assert_true(g_file_set_contents(v3, x3->str, -1, NULL));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "define", v3, NULL);
        g_assert_cmpint(run->status, ==, 1);
        g_assert_nonnull(strstr(run->err,
                                "error: operation failed: domain 'kd' already exists with uuid "
                                "0b9f4a3e-2f55-4f0c-9f8e-0d7d2a1c3b4e; "
                                "the new definition names it 'kd2'\n"));
    }
}

/* Whether @root's file @rel (a path under ROOT) exists */
static gboolean
testRootHas(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* The <name> inside @root's config of domain @name */
static char *
testConfigInnerName(const char *root, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(root, "etc", "qemu", file, NULL);
    g_autofree char *text = NULL;
    g_autoptr(VgmDomainDef) def = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    def = vgmDomainDefParseString(text, path, VGM_DOMAIN_PARSE_SKIP_VALIDATE, NULL);
    g_assert_nonnull(def);
    return g_strdup(def->name);
}

/* domrename: the config, autostart mark and snapshots follow the name;
 * refused with nothing changed: a taken name, the same name, a bad name,
 * a running domain. The tool killed at each step of the journal
 * (rename-after-journal, rename-after-config, rename-before-rewrite)
 * leaves the old domain or the new one, listed once, and the next
 * command on it finishes or drops the rename. */
static void
testRename(void)
{
    static const char *const points[] = {
        "rename-after-journal", "rename-after-config", "rename-before-rewrite",
    };
    g_autofree char *root = testMakeRoot();
    g_autofree char *file = g_build_filename(root, "rn.xml", NULL);
    g_autofree char *other = g_build_filename(root, "taken.xml", NULL);
    g_autoptr(TestRun) run = NULL;
    const char *xml = "<domain type='qemu'><name>rn</name>"
                      "<uuid>5c2d7a91-0e3b-4b8a-9d55-6f1e2a3b4c5d</uuid>"
                      "<memory unit='MiB'>64</memory>"
                      "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>";
    const char *taken = "<domain type='qemu'><name>taken</name>"
                        "<memory unit='MiB'>64</memory>"
                        "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>";
    size_t i;

    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    g_assert_true(g_file_set_contents(other, taken, -1, NULL));
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "define", other, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "autostart", "rn", NULL);
    TEST_OK(run);
    /* a snapshot directory, as a snapshot leaves one */
    {
        g_autofree char *snap = g_build_filename(root, "lib", "qemu", "snapshot", "rn", NULL);
        g_autofree char *meta = g_build_filename(snap, "current", NULL);

        g_assert_cmpint(g_mkdir_with_parents(snap, 0755), ==, 0);
        g_assert_true(g_file_set_contents(meta, "", -1, NULL));
    }

    /* refusals change nothing */
    {
        static const char *const bad[][2] = {
            { "taken", "a domain with that name exists" },
            { "rn", "cannot be renamed to its own name" },
            { "a/b", "must not contain '/'" },
            { ".x", "must not start with '.'" },
        };

        for (i = 0; i < G_N_ELEMENTS(bad); i++) {
            g_clear_pointer(&run, testRunFree);
            run = testTool(root, "domrename", "rn", bad[i][0], NULL);
            g_assert_cmpint(run->status, ==, 1);
            g_assert_nonnull(strstr(run->err, bad[i][1]));
        }
        testAssertList(root, TRUE, (const char *const[]){ "-", "rn", "shut off",
                                                          "-", "taken", "shut off", NULL });
        g_assert_true(testRootHas(root, "etc/qemu/autostart/rn"));
    }

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domrename", "rn", "rn2", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "Domain successfully renamed\n\n");
    testAssertList(root, TRUE, (const char *const[]){ "-", "rn2", "shut off",
                                                      "-", "taken", "shut off", NULL });
    g_assert_true(testRootHas(root, "etc/qemu/autostart/rn2"));
    g_assert_false(testRootHas(root, "etc/qemu/autostart/rn"));
    g_assert_true(testRootHas(root, "lib/qemu/snapshot/rn2/current"));
    g_assert_false(testRootHas(root, "lib/qemu/snapshot/rn"));
    g_assert_false(testRootHas(root, "etc/qemu/.rename"));
    {
        g_autofree char *inner = testConfigInnerName(root, "rn2");

        g_assert_cmpstr(inner, ==, "rn2");
    }

    /* killed at each step, then a command on the domain (dominfo takes
     * no lock; autostart does) */
    for (i = 0; i < G_N_ELEMENTS(points); i++) {
        const char *from = i % 2 ? "rn3" : "rn2";
        const char *to = i % 2 ? "rn2" : "rn3";
        /* the journal is written at every point; the config moved at
         * the later two */
        const char *now = i == 0 ? from : to;
        g_autofree char *mark = g_strdup_printf("etc/qemu/autostart/%s", now);
        g_autofree char *snapMark = g_strdup_printf("lib/qemu/snapshot/%s/current", now);

        testKillAt(root, points[i], (const char *const[]){ "domrename", from, to, NULL });
        g_assert_true(testRootHas(root, "etc/qemu/.rename"));
        testAssertList(root, TRUE, (const char *const[]){ "-", now, "shut off",
                                                          "-", "taken", "shut off", NULL });
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "autostart", now, NULL);
        TEST_OK(run);
        g_assert_false(testRootHas(root, "etc/qemu/.rename"));
        g_assert_true(testRootHas(root, mark));
        g_assert_true(testRootHas(root, snapMark));
        {
            g_autofree char *inner = testConfigInnerName(root, now);

            g_assert_cmpstr(inner, ==, now);
        }
        /* the rename that was cut short, done over again (or back) */
        if (i == 0) {
            g_clear_pointer(&run, testRunFree);
            run = testTool(root, "domrename", "rn2", "rn3", NULL);
            TEST_OK(run);
        }
    }
    testAssertList(root, TRUE, (const char *const[]){ "-", "rn3", "shut off",
                                                      "-", "taken", "shut off", NULL });

    /* a UEFI varstore the driver names after the domain follows it (where
     * the host has firmware descriptors for <os firmware='efi'>) */
    {
        g_autofree char *efi = g_build_filename(root, "efi.xml", NULL);
        g_autofree char *from = g_build_filename(root, "lib", "qemu", "nvram", "ev_VARS.fd", NULL);
        g_autofree char *to = g_build_filename(root, "lib", "qemu", "nvram", "ev2_VARS.fd", NULL);
        g_autofree char *dir = g_path_get_dirname(from);
        g_autofree char *text = NULL;

        g_assert_true(g_file_set_contents(efi, "<domain type='qemu'><name>ev</name>"
                                          "<memory unit='MiB'>64</memory>"
                                          "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os>"
                                          "<features><acpi/></features></domain>", -1, NULL));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "define", efi, NULL);
        if (run->status != 0) {
            g_test_message("no UEFI firmware descriptor here: %s", run->err);
            return;
        }
        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(from, "VARS", -1, NULL));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "domrename", "ev", "ev2", NULL);
        TEST_OK(run);
        g_assert_false(g_file_test(from, G_FILE_TEST_EXISTS));
        g_assert_true(g_file_get_contents(to, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "VARS");
    }
}

/* Waits up to 10 s for @path to exist. */
static void
testWaitFile(const char *path)
{
    gint64 until = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_assert_cmpint(g_get_monotonic_time(), <, until);
        g_usleep(10 * 1000);
    }
}

static void
testKilledStart(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *needle = NULL;
    g_autofree char *pidfile = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(GArray) procs = NULL;
    int round;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = testExample(root, "plain-memfd", FALSE);
    needle = g_strdup_printf("%s/run/qemu/domain-plain-memfd/", root);
    pidfile = g_strdup_printf("%s/run/qemu/domain-plain-memfd/qemu.pid", root);
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);

    /* killed before the spawn: a 'starting' status and nothing else */
    testKillAt(root, "start-before-spawn", (const char *const[]){ "start", "plain-memfd", NULL });
    status = testLoadStatus(root, "plain-memfd");
    g_assert_nonnull(status);
    g_assert_cmpint(status->state, ==, VGM_DRIVER_STATUS_STARTING);
    g_assert_cmpint(status->qemu.pid, ==, 0);
    g_assert_cmpstr(status->pidfile, ==, pidfile);
    testAssertList(root, TRUE, (const char *const[]){ "-", "plain-memfd", "shut off", NULL });
    g_assert_false(testStatusExists(root, "plain-memfd"));

    /* killed right after the spawn, before the pid is in the status: the
     * next command finds QEMU through its pidfile (round 0) or, before
     * QEMU wrote it, its command line (round 1) */
    for (round = 0; round < 2; round++) {
        g_autoptr(VgmDriverStatus) early = NULL;

        testKillAt(root, "start-before-pid", (const char *const[]){ "start", "plain-memfd", NULL });
        early = testLoadStatus(root, "plain-memfd");
        g_assert_nonnull(early);
        g_assert_cmpint(early->state, ==, VGM_DRIVER_STATUS_STARTING);
        g_assert_cmpint(early->qemu.pid, ==, 0);
        testWaitFile(pidfile);
        g_clear_pointer(&procs, g_array_unref);
        procs = testFindProcs(needle);
        g_assert_cmpuint(procs->len, ==, 1);
        if (round == 1)
            g_assert_cmpint(g_unlink(pidfile), ==, 0);
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "domstate", "--reason", "plain-memfd", NULL);
        TEST_OK(run);
        g_assert_cmpstr(run->out, ==, "shut off (failed)\n\n");
        g_assert_false(testPidRuns(g_array_index(procs, pid_t, 0)));
        g_assert_false(testStatusExists(root, "plain-memfd"));
    }

    /* killed with the pid written down */
    g_clear_pointer(&status, vgmDriverStatusFree);
    testKillAt(root, "start-after-spawn", (const char *const[]){ "start", "plain-memfd", NULL });

    /* what the killed start left: a QEMU (in its own session, so it lives
     * on) and a status saying 'starting' */
    status = testLoadStatus(root, "plain-memfd");
    g_assert_nonnull(status);
    g_assert_cmpint(status->state, ==, VGM_DRIVER_STATUS_STARTING);
    g_assert_true(testPidRuns(status->qemu.pid));

    /* the next command cleans up: no orphan QEMU, no stale status */
    testAssertList(root, TRUE, (const char *const[]){ "-", "plain-memfd", "shut off", NULL });
    g_assert_false(testPidRuns(status->qemu.pid));
    g_assert_false(testStatusExists(root, "plain-memfd"));
    g_clear_pointer(&procs, g_array_unref);
    procs = testFindProcs(needle);
    g_assert_cmpuint(procs->len, ==, 0);

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "plain-memfd", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    TEST_OK(run);
}

/* Writes ROOT/NAME.xml: plain-memfd renamed to @name with uuid @uuid and
 * <on_poweroff>@poweroff</on_poweroff> (NULL: none). */
static char *
testVariant(const char *root, const char *name, const char *uuid, const char *poweroff)
{
    g_autofree char *base = testExample(root, "plain-memfd", FALSE);
    g_autofree char *xml = NULL;
    g_autofree char *head = NULL;
    g_autoptr(GString) s = NULL;
    char *dst = g_strdup_printf("%s/%s.xml", root, name);

    g_assert_true(g_file_get_contents(base, &xml, NULL, NULL));
    s = g_string_new(xml);
    head = g_strdup_printf("<name>%s</name>\n  <uuid>%s</uuid>", name, uuid);
    g_assert_cmpint(g_string_replace(s, "<name>plain-memfd</name>", head, 1), ==, 1);
    if (poweroff) {
        g_autofree char *lc = g_strdup_printf("</os>\n  <on_poweroff>%s</on_poweroff>", poweroff);

        g_assert_cmpint(g_string_replace(s, "</os>", lc, 1), ==, 1);
    }
    g_assert_true(g_file_set_contents(dst, s->str, -1, NULL));
    return dst;
}

#define TEST_UUID "3c1f6a52-7e0b-4d8a-9c2e-5b4a6f7d8e91"

/* One uuid can never run twice: create holds the uuid from the moment its
 * status exists, before QEMU is spawned. */
static void
testSameUuidCreate(void)
{
    g_autofree char *root = NULL;
    g_autofree char *ua = NULL;
    g_autofree char *ub = NULL;
    g_autofree char *errA = NULL, *errB = NULL;
    g_autofree char *want = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GSubprocess) a = NULL;
    g_autoptr(GSubprocess) b = NULL;
    g_autoptr(GArray) procs = NULL;
    const char *winner, *loser;
    int winners;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    ua = testVariant(root, "ua", TEST_UUID, NULL);
    ub = testVariant(root, "ub", TEST_UUID, NULL);
    /* probe QEMU once, so the starts race over the start itself */
    run = testTool(root, "version", NULL);
    TEST_OK(run);

    /* held still between the spawn and the pid: ua's uuid is taken */
    {
        g_autoptr(GSubprocess) first =
            testSpawnPaused(root, "start-before-pid", (const char *const[]){ "create", ua, NULL });

        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "create", ub, NULL);
        g_assert_cmpint(run->status, ==, 1);
        want = g_strdup_printf("error: Failed to create domain from %s\n"
                               "error: operation failed: domain 'ua' already exists with uuid " TEST_UUID
                               "; the new definition names it 'ub'\n", ub);
        g_assert_cmpstr(run->err, ==, want);
        testKill(first);
        testAssertList(root, TRUE, (const char *const[]){ NULL });
    }

    /* both at once: one runs */
    a = testSpawn(root, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                  (const char *const[]){ "create", ua, NULL });
    b = testSpawn(root, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                  (const char *const[]){ "create", ub, NULL });
    g_subprocess_communicate_utf8(a, NULL, NULL, NULL, &errA, NULL);
    g_subprocess_communicate_utf8(b, NULL, NULL, NULL, &errB, NULL);
    winners = (g_subprocess_get_exit_status(a) == 0) + (g_subprocess_get_exit_status(b) == 0);
    g_assert_cmpint(winners, ==, 1);
    winner = g_subprocess_get_exit_status(a) == 0 ? "ua" : "ub";
    loser = g_subprocess_get_exit_status(a) == 0 ? errB : errA;
    g_test_message("the losing create said: %s", loser);
    g_assert_nonnull(strstr(loser, "' already exists with uuid " TEST_UUID "; the new definition names it '"));
    procs = testFindProcs(root);
    g_assert_cmpuint(procs->len, ==, 1);
    testAssertList(root, TRUE, (const char *const[]){ "2", winner, "running", NULL });
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", winner, NULL);
    TEST_OK(run);
}

/* Waits up to 10 s for process @pid to end. */
static void
testWaitGone(pid_t pid)
{
    gint64 until = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (testPidRuns(pid)) {
        g_assert_cmpint(g_get_monotonic_time(), <, until);
        g_usleep(10 * 1000);
    }
}

/* Whether process @pid's command line has the argument @arg. */
static gboolean
testProcHasArg(pid_t pid, const char *arg)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *text = NULL;
    gsize len = 0;
    gsize i = 0;

    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    while (i < len) {
        if (g_str_equal(text + i, arg))
            return TRUE;
        i += strlen(text + i) + 1;
    }
    return FALSE;
}

/* With <on_poweroff>destroy</on_poweroff> QEMU ends itself when the guest
 * powers off (no -no-shutdown), and the next command says why it ended,
 * as far as it can tell. */
static void
testPoweroff(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *keep = NULL;
    g_autofree char *pidfile = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(GError) err = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = testVariant(root, "po", TEST_UUID, NULL);
    pidfile = g_strdup_printf("%s/run/qemu/domain-po/qemu.pid", root);
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "po", NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "po");
    g_assert_false(testProcHasArg(status->qemu.pid, "-no-shutdown"));
    g_assert_true(testProcHasArg(status->qemu.pid, "-pidfile"));
    g_assert_true(testProcHasArg(status->qemu.pid, pidfile));
    g_assert_cmpstr(status->pidfile, ==, pidfile);
    g_assert_true(g_file_test(pidfile, G_FILE_TEST_EXISTS));

    /* QEMU ends in order (as at the guest's power-off; QMP quit here, for
     * a guest that cannot power off): 'shut off (shutdown)' */
    {
        g_autoptr(VgmQemuMonitor) mon = vgmQemuMonitorOpen(status->monitor, 5000, &err);

        g_assert_no_error(err);
        g_assert_true(vgmQemuMonitorCommand(mon, "quit", NULL, NULL, &err));
        g_assert_no_error(err);
    }
    testWaitGone(status->qemu.pid);
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "--reason", "po", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "shut off (shutdown)\n\n");
    g_assert_false(testStatusExists(root, "po"));

    /* ended by a signal from someone else: QEMU shuts down in order, as
     * libvirtd 9.0 says (2026-12-07) */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "po", NULL);
    TEST_OK(run);
    g_clear_pointer(&status, vgmDriverStatusFree);
    status = testLoadStatus(root, "po");
    kill(status->qemu.pid, SIGTERM);
    testWaitGone(status->qemu.pid);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domstate", "--reason", "po", NULL);
    TEST_OK(run);
    g_assert_cmpstr(run->out, ==, "shut off (shutdown)\n\n");

    /* <on_poweroff>restart: QEMU keeps -no-shutdown, to wait at the
     * guest's power-off for the driver to restart it (guesteventstest
     * powers a guest off) */
    {
        g_autofree char *rs = testVariant(root, "rs", "7a3c9e21-4b6d-4f80-a2c5-9d1e3f5b7c68",
                                          "restart");
        g_autoptr(VgmDriverStatus) rstatus = NULL;

        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "create", rs, NULL);
        TEST_OK(run);
        rstatus = testLoadStatus(root, "rs");
        g_assert_true(rstatus->restartAtPoweroff);
        g_assert_true(testProcHasArg(rstatus->qemu.pid, "-no-shutdown"));
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "destroy", "rs", NULL);
        TEST_OK(run);
    }

    /* another <on_poweroff> would need a manager acting on the stopped
     * QEMU: refused, and nothing starts */
    keep = testVariant(root, "keep", "5d2e7b63-8f1c-4e9b-8d3f-6c5b7a8e9fa2", "preserve");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "create", keep, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, "unsupported <on_poweroff>preserve</on_poweroff>"));
    g_assert_false(testStatusExists(root, "keep"));
}

/* The Cpus_allowed_list of thread @tid of @pid, stripped. */
static char *
testThreadCpus(pid_t pid, const char *tid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task/%s/status", (int)pid, tid);
    g_autofree char *text = NULL;
    const char *p;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull((p = strstr(text, "Cpus_allowed_list:")));
    p += strlen("Cpus_allowed_list:");
    return g_strstrip(g_strndup(p, strcspn(p, "\n")));
}

/* A thread of QEMU's: its id and its name (debug-threads' comm) */
typedef struct {
    char *tid;
    char *comm;
} TestThread;

static void
testThreadFree(TestThread *t)
{
    g_free(t->tid);
    g_free(t->comm);
    g_free(t);
}

/* QEMU @pid's threads (TestThread), as /proc lists them */
static GPtrArray *
testQemuThreads(pid_t pid)
{
    g_autofree char *taskDir = g_strdup_printf("/proc/%d/task", (int)pid);
    g_autoptr(GDir) dir = g_dir_open(taskDir, 0, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)testThreadFree);
    const char *tid;

    g_assert_nonnull(dir);
    while ((tid = g_dir_read_name(dir))) {
        g_autofree char *commPath = g_strdup_printf("%s/%s/comm", taskDir, tid);
        TestThread *t = g_new0(TestThread, 1);

        g_assert_true(g_file_get_contents(commPath, &t->comm, NULL, NULL));
        g_strstrip(t->comm);
        t->tid = g_strdup(tid);
        g_ptr_array_add(out, t);
    }
    return out;
}

/* g_ptr_array_sort's order of two strings */
static gint
testCompareNames(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* <vcpus>: QEMU starts with the vCPUs that are not hotpluggable and the
 * driver plugs the other enabled ones before the guest runs, so that
 * exactly vCPUs 0, 1, 3 and 6 have threads (QEMU's "CPU N/TCG"), vCPU 6's
 * on the CPU its <vcpupin> names. Needs two host CPUs. */
static void
testVcpuHotplug(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autoptr(GString) seen = g_string_new(NULL);
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(GPtrArray) threads = NULL;
    g_autofree char *pinned = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    if (!testHaveQemu())
        return;
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        g_test_skip("pinning vCPU 6 to CPU 1 needs a host with two CPUs");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "hotplug.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>hotplug</name><memory unit='MiB'>128</memory>"
        "<vcpu>8</vcpu><vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='yes'/>"
        "<vcpu id='3' enabled='yes' hotpluggable='yes'/>"
        "<vcpu id='6' enabled='yes' hotpluggable='yes'/></vcpus>"
        "<cputune><vcpupin vcpu='6' cpuset='1'/></cputune>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<cpu><topology sockets='1' dies='2' cores='2' threads='2'/></cpu>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "hotplug");
    threads = testQemuThreads(status->qemu.pid);
    for (guint i = 0; i < threads->len; i++) {
        const TestThread *t = g_ptr_array_index(threads, i);

        if (!g_str_has_prefix(t->comm, "CPU "))
            continue;
        g_ptr_array_add(names, g_strdup(t->comm));
        if (g_str_has_prefix(t->comm, "CPU 6/"))
            pinned = testThreadCpus(status->qemu.pid, t->tid);
    }
    g_ptr_array_sort(names, testCompareNames);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(seen, "%s;", (const char *)g_ptr_array_index(names, i));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "hotplug", NULL);
    TEST_OK(run);
    g_assert_cmpstr(seen->str, ==, "CPU 0/TCG;CPU 1/TCG;CPU 3/TCG;CPU 6/TCG;");
    g_assert_cmpstr(pinned, ==, "1");
}

/* <cputune>: each vCPU thread (named "CPU N/TCG" or "CPU N/KVM", QEMU's
 * debug-threads) on the CPUs of its <vcpupin>, every other QEMU thread on
 * <emulatorpin>'s, before the guest runs. Needs two host CPUs. */
static void
testCputunePins(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *online = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(GPtrArray) threads = NULL;
    guint vcpus = 0, iothreads = 0, others = 0;

    if (!testHaveQemu())
        return;
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        g_test_skip("pinning to two CPUs needs a host with two");
        return;
    }
    g_assert_true(g_file_get_contents("/sys/devices/system/cpu/online", &online, NULL, NULL));
    g_strstrip(online);
    root = testMakeRoot();
    file = g_build_filename(root, "pins.xml", NULL);
    /* vCPU 2 and I/O thread 1 have no pin of their own: libvirt gives
     * them every online CPU, not the emulator's; I/O thread 3 runs
     * SCHED_BATCH */
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>pins</name><memory unit='MiB'>128</memory>"
        "<vcpu>3</vcpu><iothreads>3</iothreads>"
        "<cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='1'/>"
        "<emulatorpin cpuset='1'/><iothreadpin iothread='2' cpuset='0'/>"
        "<iothreadpin iothread='3' cpuset='0'/>"
        "<iothreadsched iothreads='3' scheduler='batch'/></cputune>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "pins");
    threads = testQemuThreads(status->qemu.pid);
    for (guint i = 0; i < threads->len; i++) {
        const TestThread *t = g_ptr_array_index(threads, i);
        const char *comm = t->comm;
        g_autofree char *cpus = testThreadCpus(status->qemu.pid, t->tid);
        int policy = sched_getscheduler((pid_t)g_ascii_strtoll(t->tid, NULL, 10));

        /* QEMU's debug-threads names: "CPU N/TCG", "IO iothreadN" */
        if (g_str_has_prefix(comm, "CPU 0/")) {
            g_assert_cmpstr(cpus, ==, "0");
            vcpus++;
        } else if (g_str_has_prefix(comm, "CPU 1/")) {
            g_assert_cmpstr(cpus, ==, "1");
            vcpus++;
        } else if (g_str_has_prefix(comm, "CPU 2/")) {
            g_assert_cmpstr(cpus, ==, online);
            vcpus++;
        } else if (g_str_equal(comm, "IO iothread1")) {
            g_assert_cmpstr(cpus, ==, online);
            g_assert_cmpint(policy, ==, SCHED_OTHER);
            iothreads++;
        } else if (g_str_equal(comm, "IO iothread2") || g_str_equal(comm, "IO iothread3")) {
            g_assert_cmpstr(cpus, ==, "0");
            g_assert_cmpint(policy, ==, comm[strlen(comm) - 1] == '3' ? SCHED_BATCH : SCHED_OTHER);
            iothreads++;
        } else {
            g_assert_cmpstr(cpus, ==, "1");
            others++;
        }
    }
    g_assert_cmpuint(vcpus, ==, 3);
    g_assert_cmpuint(iothreads, ==, 3);
    g_assert_cmpuint(others, >=, 1);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "pins", NULL);
    TEST_OK(run);
}

/* `virt-gmem start NAME` on @root fails with a message holding @want */
static void
testStartRefused(const char *root, const char *name, const char *want)
{
    g_autoptr(TestRun) run = testTool(root, "start", name, NULL);

    if (run->status == 0 || !strstr(run->err, want))
        g_test_message("start %s: status %d, stderr: %s", name, run->status, run->err);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, want));
}

/* Writes @xml to @file and defines it on @root */
static void
testDefineXML(const char *root, const char *file, const char *xml)
{
    g_autoptr(TestRun) run = NULL;

    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
}

/* placement='auto' (<vcpu>, <numatune><memory>): numad's advice, asked
 * with libvirt's question (numad -w VCPUS:MiB), binds the guest RAM
 * (host-nodes and policy of its backend) and pins every QEMU thread to
 * the advised nodes' CPUs; no numad, or advice naming a node the host
 * does not have, refuses the start with nothing left running. A stand-in
 * numad on PATH answers first; the host's own numad, where installed,
 * then answers for real. */
static void
testPlacementAuto(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *bin = NULL;
    g_autofree char *numad = NULL;
    g_autofree char *askLog = NULL;
    g_autofree char *ask = NULL;
    g_autofree char *savedPath = g_strdup(g_getenv("PATH"));
    g_autofree char *realNumad = g_find_program_in_path("numad");
    g_autofree char *node0Cpus = NULL;
    g_autoptr(TestRun) run = NULL;
    guint round;

    if (!testHaveQemu())
        return;
    g_assert_true(g_file_get_contents("/sys/devices/system/node/node0/cpulist", &node0Cpus,
                                      NULL, NULL));
    g_strstrip(node0Cpus);
    root = testMakeRoot();
    file = g_build_filename(root, "auto.xml", NULL);
    bin = g_build_filename(root, "bin", NULL);
    numad = g_build_filename(bin, "numad", NULL);
    askLog = g_build_filename(root, "numad-asked", NULL);
    g_assert_cmpint(g_mkdir(bin, 0755), ==, 0);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>auto</name><memory unit='KiB'>131073</memory>"
        "<vcpu placement='auto' cpuset='1'>2</vcpu>"
        "<numatune><memory mode='strict' placement='auto'/></numatune>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);

    /* no numad on PATH */
    g_setenv("PATH", bin, TRUE);
    testStartRefused(root, "auto",
                     "<vcpu placement='auto'> of domain 'auto' places it where numad advises, and numad is not installed");

    /* advice naming a node this host does not have */
    {
        g_autofree char *script = g_strdup_printf("#!/bin/sh\necho \"$@\" > '%s'\necho 7\n", askLog);

        g_assert_true(g_file_set_contents(numad, script, -1, NULL));
        g_assert_cmpint(g_chmod(numad, 0755), ==, 0);
    }
    testStartRefused(root, "auto",
                     "numad advised host node 7 for domain 'auto', which this host does not describe");
    g_assert_false(testStatusExists(root, "auto"));
    /* libvirt's question: 2 vCPUs, 131073 KiB rounded up to 129 MiB */
    g_assert_true(g_file_get_contents(askLog, &ask, NULL, NULL));
    g_assert_cmpstr(g_strstrip(ask), ==, "-w 2:129");

    for (round = 0; round < 2; round++) {
        g_autoptr(VgmDriverStatus) status = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *taskDir = NULL;
        g_autoptr(GDir) dir = NULL;
        const char *tid;

        if (round == 0) {
            g_autofree char *script = g_strdup_printf("#!/bin/sh\necho 0\n");

            g_assert_true(g_file_set_contents(numad, script, -1, NULL));
            g_assert_cmpint(g_chmod(numad, 0755), ==, 0);
        } else {
            if (!realNumad) {
                g_test_message("no numad on this host (Debian's numad): its own advice not tried");
                break;
            }
            g_setenv("PATH", savedPath, TRUE);
        }
        run = testTool(root, "start", "--paused", "auto", NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        status = testLoadStatus(root, "auto");
        {
            g_autoptr(VgmQemuMonitor) mon = vgmQemuMonitorOpen(status->monitor, 5000, &err);
            g_autoptr(JsonObject) args = json_object_new();
            g_autoptr(JsonNode) nodes = NULL;
            g_autoptr(JsonNode) policy = NULL;
            g_autofree char *text = NULL;

            g_assert_no_error(err);
            json_object_set_string_member(args, "path", "/objects/pc.ram");
            json_object_set_string_member(args, "property", "host-nodes");
            g_assert_true(vgmQemuMonitorCommand(mon, "qom-get", args, &nodes, &err));
            g_assert_no_error(err);
            text = vgmTestJSONText(nodes);
            /* this host's one node with memory */
            g_assert_cmpstr(text, ==, "[0]");
            json_object_set_string_member(args, "property", "policy");
            g_assert_true(vgmQemuMonitorCommand(mon, "qom-get", args, &policy, &err));
            g_assert_no_error(err);
            g_assert_cmpstr(json_node_get_string(policy), ==, "bind");
        }
        /* every thread on the advised node's CPUs, not <vcpu cpuset>'s,
         * which automatic placement overrides */
        taskDir = g_strdup_printf("/proc/%d/task", (int)status->qemu.pid);
        g_assert_nonnull((dir = g_dir_open(taskDir, 0, NULL)));
        while ((tid = g_dir_read_name(dir))) {
            g_autofree char *cpus = testThreadCpus(status->qemu.pid, tid);

            g_assert_cmpstr(cpus, ==, node0Cpus);
        }
        run = testTool(root, "destroy", "auto", NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
    }
    g_setenv("PATH", savedPath, TRUE);
}

/* ---- resource controls: cgroups and scheduler policies ---- */

static const char testCgroupXML[] =
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
    "%s<vcpu>2</vcpu><cputune>%s</cputune>"
    "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
    "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
    "<memballoon model='none'/></devices></domain>";

static VgmDomainDef *
testCgroupDef(const char *name, const char *tune, const char *cputune)
{
    g_autofree char *xml = g_strdup_printf(testCgroupXML, name, tune, cputune);
    g_autoptr(GError) err = NULL;
    VgmDomainDef *def = vgmDomainDefParseString(xml, "cgroup.xml", 0, &err);

    g_assert_no_error(err);
    return def;
}

/* A plan's writes as "SUB/FILE=VALUE" lines ("/FILE=..." for the group),
 * those written once QEMU is in the group marked */
static char *
testCgroupPlanText(const VgmDomainDef *def, VgmCgroupVersion version, GError **error)
{
    VgmCgroupHost host = { .version = version, .root = (char *)"/fake" };
    g_autoptr(GPtrArray) plan = NULL;
    g_autoptr(GString) out = g_string_new("");
    guint i;

    for (i = 0; i < VGM_CGROUP_LAST; i++)
        host.dirs[i] = (char *)"/fake";
    if (!(plan = vgmDriverCgroupPlan(def, NULL, &host, error)))
        return NULL;
    for (i = 0; i < plan->len; i++) {
        const VgmDriverCgroupWrite *w = g_ptr_array_index(plan, i);

        g_string_append_printf(out, "%s/%s=%s%s\n", w->sub ? w->sub : "", w->file, w->value,
                               w->afterSpawn ? " (after the spawn)" : "");
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The writes each cgroup version gets for every control libvirt applies
 * through cgroups, with libvirt's files and units; the version's ranges;
 * a <blkiotune> path that is not a block device. The block device is a
 * node made with mknod (7:0), so that part needs root. */
static void
testCgroupPlan(void)
{
    g_autofree char *root = testMakeRoot();
    g_autofree char *blk = g_build_filename(root, "blk", NULL);
    g_autofree char *tune = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDomainDef) big = NULL;
    g_autoptr(VgmDomainDef) chr = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *v1 = NULL;
    g_autofree char *v2 = NULL;
    g_autofree char *none = NULL;

    /* the group's name: escaped as systemd escapes, cut short, unique by
     * the store and the whole name */
    {
        g_autoptr(VgmDriverStore) store = vgmDriverStoreOpen(root, NULL);
        g_autofree char *a = NULL;
        g_autofree char *b = NULL;
        g_autofree char *c = NULL;
        g_autofree char *longA = g_strnfill(200, 'x');
        g_autofree char *longB = g_strdup(longA);

        g_assert_nonnull(store);
        longB[199] = 'y';
        a = vgmDriverCgroupName(store, "web-1 .x", NULL);
        g_assert_true(g_str_has_prefix(a, "virt-gmem.slice/vgm-web\\x2d1\\x20.x-"));
        g_assert_true(g_str_has_suffix(a, ".scope"));
        {
            g_autofree char *part = vgmDriverCgroupName(store, "p", "/machine/tenant-a");

            g_assert_true(g_str_has_prefix(part, "machine.slice/machine-tenant\\x2da.slice/vgm-p-"));
            g_assert_true(g_str_has_suffix(part, ".scope"));
        }
        b = vgmDriverCgroupName(store, longA, NULL);
        c = vgmDriverCgroupName(store, longB, NULL);
        g_assert_cmpuint(strlen(b) - strlen("virt-gmem.slice/"), <, 100);
        g_assert_cmpstr(b, !=, c);
    }
    /* <numatune> mode='restrictive': its node set in the cpuset's memory
     * nodes once QEMU is in the group (v1 first turns memory_migrate on);
     * without cgroups, or a cpuset controller, a clear error */
    {
        g_autoptr(VgmDomainDef) r = testCgroupDef(
            "restrictive", "<numatune><memory mode='restrictive' nodeset='0'/></numatune>", "");
        g_autoptr(VgmDomainDef) strict = testCgroupDef(
            "strict", "<numatune><memory mode='strict' nodeset='0'/></numatune>", "");
        VgmCgroupHost nocpuset = { .version = VGM_CGROUP_V2, .root = (char *)"/fake" };
        g_autoptr(GPtrArray) plan = NULL;
        g_autofree char *t1 = testCgroupPlanText(r, VGM_CGROUP_V1, &err);
        g_autofree char *t2 = NULL;
        g_autofree char *t3 = NULL;

        g_assert_no_error(err);
        g_assert_cmpstr(t1, ==, "/cpuset.memory_migrate=1\n/cpuset.mems=0 (after the spawn)\n");
        t2 = testCgroupPlanText(r, VGM_CGROUP_V2, &err);
        g_assert_no_error(err);
        g_assert_cmpstr(t2, ==, "/cpuset.mems=0 (after the spawn)\n");
        /* strict binds through QEMU's policy: no group asked for */
        t3 = testCgroupPlanText(strict, VGM_CGROUP_V2, &err);
        g_assert_no_error(err);
        g_assert_cmpstr(t3, ==, "");
        g_assert_null(testCgroupPlanText(r, VGM_CGROUP_NONE, &err));
        g_assert_cmpstr(err->message, ==,
                        "<numatune> mode='restrictive' binds the domain's memory through the cgroup cpuset controller, and there are no cgroups under '/fake'");
        g_clear_error(&err);
        nocpuset.dirs[VGM_CGROUP_CPU] = (char *)"/fake";
        g_assert_null((plan = vgmDriverCgroupPlan(r, NULL, &nocpuset, &err)));
        g_assert_cmpstr(err->message, ==,
                        "<numatune> mode='restrictive' binds the domain's memory through the cgroup cpuset controller, which the host does not have under '/fake'");
        g_clear_error(&err);
    }
    if (geteuid() != 0 || mknod(blk, S_IFBLK | 0600, makedev(7, 0)) < 0) {
        g_test_skip("making a block device node needs root");
        return;
    }
    tune = g_strdup_printf(
        "<blkiotune><weight>800</weight><device><path>%s</path><weight>500</weight>"
        "<read_iops_sec>2000</read_iops_sec><write_bytes_sec>10485760</write_bytes_sec>"
        "</device></blkiotune>"
        "<memtune><hard_limit unit='GiB'>2</hard_limit><soft_limit unit='MiB'>1536</soft_limit>"
        "<swap_hard_limit unit='GiB'>3</swap_hard_limit></memtune>"
        "<iothreads>2</iothreads><iothreadids><iothread id='4'/></iothreadids>", blk);
    def = testCgroupDef("plan", tune,
                        "<shares>2048</shares><period>100000</period><quota>-1</quota>"
                        "<global_period>200000</global_period><global_quota>150000</global_quota>"
                        "<emulator_period>50000</emulator_period>"
                        "<emulator_quota>25000</emulator_quota>"
                        "<iothread_period>60000</iothread_period>"
                        "<iothread_quota>30000</iothread_quota>");
    v2 = testCgroupPlanText(def, VGM_CGROUP_V2, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(v2, ==,
                    "/cpu.weight=2048\n"
                    "/cpu.max=150000 200000\n"
                    "/memory.max=2147483648\n"
                    "/memory.high=1610612736\n"
                    "/memory.swap.max=3221225472\n"
                    "/io.weight=default 800\n"
                    "/io.weight=7:0 500\n"
                    "/io.max=7:0 wbps=10485760 riops=2000\n"
                    "vcpu0/cpu.max=max 100000\n"
                    "vcpu1/cpu.max=max 100000\n"
                    "emulator/cpu.max=25000 50000\n"
                    "iothread4/cpu.max=30000 60000\n"
                    "iothread1/cpu.max=30000 60000\n");
    v1 = testCgroupPlanText(def, VGM_CGROUP_V1, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(v1, ==,
                    "/cpu.shares=2048\n"
                    "/cpu.cfs_period_us=200000\n"
                    "/cpu.cfs_quota_us=150000\n"
                    "/memory.limit_in_bytes=2147483648\n"
                    "/memory.soft_limit_in_bytes=1610612736\n"
                    "/memory.memsw.limit_in_bytes=3221225472\n"
                    "/blkio.weight=800\n"
                    "/blkio.weight_device=7:0 500\n"
                    "/blkio.throttle.write_bps_device=7:0 10485760\n"
                    "/blkio.throttle.read_iops_device=7:0 2000\n"
                    "vcpu0/cpu.cfs_period_us=100000\n"
                    "vcpu0/cpu.cfs_quota_us=-1\n"
                    "vcpu1/cpu.cfs_period_us=100000\n"
                    "vcpu1/cpu.cfs_quota_us=-1\n"
                    "emulator/cpu.cfs_period_us=50000\n"
                    "emulator/cpu.cfs_quota_us=25000\n"
                    "iothread4/cpu.cfs_period_us=60000\n"
                    "iothread4/cpu.cfs_quota_us=30000\n"
                    "iothread1/cpu.cfs_period_us=60000\n"
                    "iothread1/cpu.cfs_quota_us=30000\n");
    /* no cgroup controls: nothing to write, whatever the host has; an
     * I/O thread bandwidth without I/O threads controls nothing */
    g_clear_pointer(&def, vgmDomainDefFree);
    def = testCgroupDef("plain", "", "<vcpupin vcpu='0' cpuset='0'/>"
                        "<iothread_period>60000</iothread_period>");
    none = testCgroupPlanText(def, VGM_CGROUP_NONE, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(none, ==, "");

    /* shares beyond cpu.weight's range: refused on v2, taken on v1 */
    big = testCgroupDef("big", "", "<shares>20000</shares>");
    g_assert_null(testCgroupPlanText(big, VGM_CGROUP_V2, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==,
                    "<shares> in <cputune> (20000) must be in range [1, 10000] on this host's cgroup v2");
    g_clear_error(&err);
    g_free(v1);
    v1 = testCgroupPlanText(big, VGM_CGROUP_V1, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(v1, ==, "/cpu.shares=20000\n");
    g_assert_null(testCgroupPlanText(big, VGM_CGROUP_NONE, &err));
    g_assert_nonnull(err);
    g_assert_true(strstr(err->message, "need cgroups, and there are none under '/fake'"));
    g_clear_error(&err);

    /* a hard limit above memory + swap: accepted at define (as libvirt
     * accepts it), refused at start */
    {
        g_autoptr(VgmDomainDef) swap = testCgroupDef(
            "swap", "<memtune><hard_limit unit='GiB'>2</hard_limit>"
            "<swap_hard_limit unit='GiB'>1</swap_hard_limit></memtune>", "");

        g_assert_null(testCgroupPlanText(swap, VGM_CGROUP_V1, &err));
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==,
                        "<hard_limit> in <memtune> (2097152 KiB) must not be larger than <swap_hard_limit> (1048576 KiB)");
        g_clear_error(&err);
    }

    /* a path that is no block device */
    chr = testCgroupDef("chr",
                        "<blkiotune><device><path>/dev/null</path><weight>50</weight></device>"
                        "</blkiotune>", "");
    g_assert_null(testCgroupPlanText(chr, VGM_CGROUP_V2, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, "'/dev/null' in <blkiotune> is not a block device");
    g_clear_error(&err);
    vgmFileRemoveTree(root);
}

/* The file FILE of a cgroup dir, without its new line; fails when absent */
static char *
testCgroupFile(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        g_error("%s: missing", path);
    return g_strchomp(text);
}

/* The tid of QEMU @pid's thread whose name starts with @prefix, or 0 */
static pid_t
testQemuThread(pid_t pid, const char *prefix)
{
    g_autofree char *taskDir = g_strdup_printf("/proc/%d/task", (int)pid);
    g_autoptr(GDir) dir = g_dir_open(taskDir, 0, NULL);
    const char *tid;

    while (dir && (tid = g_dir_read_name(dir))) {
        g_autofree char *commPath = g_strdup_printf("%s/%s/comm", taskDir, tid);
        g_autofree char *comm = NULL;

        if (g_file_get_contents(commPath, &comm, NULL, NULL) && g_str_has_prefix(comm, prefix))
            return (pid_t)g_ascii_strtoll(tid, NULL, 10);
    }
    return 0;
}

/* A directory laid out as a cgroup v2 root with the usual controllers,
 * in @root */
static char *
testFakeCgroupV2(const char *root)
{
    char *cgroot = g_build_filename(root, "cgroup", NULL);
    g_autofree char *controllers = g_build_filename(cgroot, "cgroup.controllers", NULL);

    g_assert_cmpint(g_mkdir(cgroot, 0755), ==, 0);
    g_assert_true(g_file_set_contents(controllers, "cpuset cpu io memory pids\n", -1, NULL));
    return cgroot;
}

/* vgmDriverTuneApply with @params on a copy of @def: NULL on success, else
 * the error's message (@code its code) */
static char *
testTuneApplyMessage(VgmDomainDef *def, VgmDriverTuneKind kind, GPtrArray *params, gboolean live,
                     int code)
{
    g_autoptr(GError) err = NULL;

    if (vgmDriverTuneApply(def, kind, params, live, &err)) {
        g_assert_no_error(err);
        return NULL;
    }
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    return g_strdup(err->message);
}

/* libvirt's Set*Parameters applied to a definition
 * (vgmDriverTuneApply): names, types, ranges, duplicates, the "unlimited"
 * memory value, the hard/swap rule, a period of 0 on a running domain,
 * and the block I/O device lists merged and parsed as libvirt does */
static void
testTuneApply(void)
{
    g_autoptr(VgmDomainDef) def = testCgroupDef("tune",
        "<blkiotune><device><path>/dev/a</path><read_iops_sec>100</read_iops_sec></device></blkiotune>",
        "<period>100000</period>");
    g_autoptr(GPtrArray) params = NULL;
    g_autoptr(GPtrArray) back = NULL;
    g_autofree char *msg = NULL;
    const VgmTypedParam *bp;

#define TUNE_RESET() \
    g_clear_pointer(&params, g_ptr_array_unref); \
    params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree); \
    g_clear_pointer(&msg, g_free)

    TUNE_RESET();
    vgmTypedParamAdd(params, "cpu_shares", VGM_TYPED_PARAM_ULLONG)->v.ul = 1500;
    vgmTypedParamAdd(params, "vcpu_quota", VGM_TYPED_PARAM_LLONG)->v.l = -1;
    vgmTypedParamAdd(params, "emulator_period", VGM_TYPED_PARAM_ULLONG)->v.ul = 50000;
    g_assert_null(testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, FALSE, 0));
    g_assert_cmpuint(def->cputune.shares, ==, 1500);
    g_assert_cmpint(def->cputune.quota, ==, -1);
    g_assert_cmpuint(def->cputune.emulatorPeriod, ==, 50000);
    back = vgmDriverTuneParams(def, VGM_DRIVER_TUNE_SCHED, FALSE);
    bp = g_ptr_array_index(back, 0);
    g_assert_cmpstr(bp->field, ==, "cpu_shares");
    g_assert_cmpuint(bp->v.ul, ==, 1500);
    g_clear_pointer(&back, g_ptr_array_unref);

    /* a period of 0: none, in a config; no change, on a running domain */
    TUNE_RESET();
    vgmTypedParamAdd(params, "vcpu_period", VGM_TYPED_PARAM_ULLONG)->v.ul = 0;
    g_assert_null(testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, TRUE, 0));
    g_assert_cmpuint(def->cputune.period, ==, 100000);
    g_assert_null(testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, FALSE, 0));
    g_assert_cmpuint(def->cputune.period, ==, 0);

    TUNE_RESET();
    vgmTypedParamAdd(params, "vcpu_period", VGM_TYPED_PARAM_ULLONG)->v.ul = 20;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, FALSE, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(msg, ==, "value of 'vcpu_period' (20) is out of range [1000, 1000000]");
    TUNE_RESET();
    vgmTypedParamAdd(params, "cpu_shares", VGM_TYPED_PARAM_ULLONG)->v.ul = 0;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, TRUE, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(msg, ==, "value of 'cpu_shares' (0) is out of range [2, 262144]");
    TUNE_RESET();
    vgmTypedParamAdd(params, "cpu_shares", VGM_TYPED_PARAM_UINT)->v.ui = 10;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, FALSE, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(msg, ==, "invalid type 'uint' for parameter 'cpu_shares', expected 'ullong'");
    TUNE_RESET();
    vgmTypedParamAdd(params, "hard_limit", VGM_TYPED_PARAM_ULLONG)->v.ul = 10;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, FALSE,
                               VGM_ERR_ARGUMENT_UNSUPPORTED);
    g_assert_cmpstr(msg, ==, "parameter 'hard_limit' not supported");
    TUNE_RESET();
    vgmTypedParamAdd(params, "cpu_shares", VGM_TYPED_PARAM_ULLONG)->v.ul = 100;
    vgmTypedParamAdd(params, "cpu_shares", VGM_TYPED_PARAM_ULLONG)->v.ul = 200;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_SCHED, params, FALSE, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(msg, ==, "parameter 'cpu_shares' occurs more than once");

    /* memory: libvirt's "unlimited" and above is no limit; a hard limit
     * above the swap limit is refused */
    TUNE_RESET();
    vgmTypedParamAdd(params, "hard_limit", VGM_TYPED_PARAM_ULLONG)->v.ul = 409600;
    vgmTypedParamAdd(params, "swap_hard_limit", VGM_TYPED_PARAM_ULLONG)->v.ul = G_MAXUINT64;
    g_assert_null(testTuneApplyMessage(def, VGM_DRIVER_TUNE_MEMORY, params, FALSE, 0));
    g_assert_cmpuint(def->memtune.hardLimit, ==, 409600);
    g_assert_cmpuint(def->memtune.swapHardLimit, ==, VGM_MEMTUNE_UNLIMITED);
    TUNE_RESET();
    vgmTypedParamAdd(params, "swap_hard_limit", VGM_TYPED_PARAM_ULLONG)->v.ul = 1024;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_MEMORY, params, FALSE, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(msg, ==,
                    "hard_limit (409600 KiB) must not be higher than swap_hard_limit (1024 KiB)");

    /* block I/O device lists: merged per device, 0 takes a value away and
     * a device left with none goes */
    TUNE_RESET();
    vgmTypedParamAdd(params, "device_read_iops_sec", VGM_TYPED_PARAM_STRING)->v.s =
        g_strdup("/dev/a,0,/dev/b,200");
    vgmTypedParamAdd(params, "device_write_bytes_sec", VGM_TYPED_PARAM_STRING)->v.s =
        g_strdup("/dev/b,1048576");
    g_assert_null(testTuneApplyMessage(def, VGM_DRIVER_TUNE_BLKIO, params, FALSE, 0));
    g_assert_cmpuint(def->blkiotune.ndevices, ==, 1);
    g_assert_cmpstr(def->blkiotune.devices[0].path, ==, "/dev/b");
    g_assert_cmpuint(def->blkiotune.devices[0].readIops, ==, 200);
    g_assert_cmpuint(def->blkiotune.devices[0].writeBytes, ==, 1048576);
    back = vgmDriverTuneParams(def, VGM_DRIVER_TUNE_BLKIO, TRUE);
    bp = g_ptr_array_index(back, 2);
    g_assert_cmpstr(bp->field, ==, "device_read_iops_sec");
    g_assert_cmpstr(bp->v.s, ==, "/dev/b,200");
    {
        const struct {
            const char *value;
            const char *message;
        } bad[] = {
            { "/dev/a", "cannot parse '/dev/a' of parameter 'device_weight': it must be PATH,VALUE pairs" },
            { "/dev/a,x", "invalid value 'x' for parameter 'device_weight' of device '/dev/a'" },
            { "/dev/a,-1", "invalid value '-1' for parameter 'device_weight' of device '/dev/a'" },
            { "/dev/a,4294967296", "invalid value '4294967296' for parameter 'device_weight' of device '/dev/a'" },
            { ",5", "cannot parse ',5' of parameter 'device_weight': a device path is empty" },
        };
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(bad); i++) {
            TUNE_RESET();
            vgmTypedParamAdd(params, "device_weight", VGM_TYPED_PARAM_STRING)->v.s = g_strdup(bad[i].value);
            msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_BLKIO, params, FALSE, VGM_ERR_INVALID_ARG);
            g_assert_cmpstr(msg, ==, bad[i].message);
        }
    }
    TUNE_RESET();
    vgmTypedParamAdd(params, "weight", VGM_TYPED_PARAM_UINT)->v.ui = 0;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_BLKIO, params, TRUE, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(msg, ==, "a running domain's block I/O weight cannot be 0");

    /* <numatune>: a node set makes the placement static; a running
     * domain keeps its mode, and a strict mode its node set */
    TUNE_RESET();
    vgmTypedParamAdd(params, "numa_nodeset", VGM_TYPED_PARAM_STRING)->v.s = g_strdup("0");
    vgmTypedParamAdd(params, "numa_mode", VGM_TYPED_PARAM_INT)->v.i = VGM_DOMAIN_NUMATUNE_MEM_PREFERRED;
    g_assert_null(testTuneApplyMessage(def, VGM_DRIVER_TUNE_NUMA, params, FALSE, 0));
    g_assert_true(def->numatune.memorySet);
    g_assert_cmpint(def->numatune.mode, ==, VGM_DOMAIN_NUMATUNE_MEM_PREFERRED);
    g_assert_cmpint(def->numatune.placement, ==, VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC);
    g_assert_true(vgmBitmapIsSet(def->numatune.nodeset, 0));
    TUNE_RESET();
    vgmTypedParamAdd(params, "numa_mode", VGM_TYPED_PARAM_INT)->v.i = VGM_DOMAIN_NUMATUNE_MEM_STRICT;
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_NUMA, params, TRUE, VGM_ERR_OPERATION_INVALID);
    g_assert_cmpstr(msg, ==, "cannot change the <numatune> mode of running domain 'tune'");
    TUNE_RESET();
    vgmTypedParamAdd(params, "numa_nodeset", VGM_TYPED_PARAM_STRING)->v.s = g_strdup("");
    msg = testTuneApplyMessage(def, VGM_DRIVER_TUNE_NUMA, params, FALSE, VGM_ERR_OPERATION_INVALID);
    g_assert_cmpstr(msg, ==, "invalid nodeset of 'numatune': ''");
#undef TUNE_RESET
}

/* Through the tool, with VIRT_GMEM_CGROUP_ROOT on a directory laid out
 * as cgroup v2: the domain's group below virt-gmem.slice with the
 * controllers enabled on the way, its controls written, QEMU's pid in
 * cgroup.procs, threaded vcpuN and emulator groups with their cpu.max
 * and a vCPU thread in cgroup.threads, the vCPU's scheduler policy set;
 * the group gone after destroy, the slice left. */
static void
testCgroupFakeV2(void)
{
    g_autofree char *root = NULL;
    g_autofree char *cgroot = NULL;
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *slice = NULL;
    g_autofree char *scope = NULL;
    g_autofree char *vcpu0 = NULL;
    g_autofree char *pidText = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(VgmDriverStore) store = NULL;
    g_autofree char *rel = NULL;
    g_autofree char *text = NULL;
    g_autofree char *threads = NULL;
    pid_t cpu0;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    cgroot = testFakeCgroupV2(root);
    file = g_build_filename(root, "cg.xml", NULL);
    xml = g_strdup_printf(testCgroupXML, "cg", "<memtune><hard_limit unit='MiB'>512</hard_limit></memtune>",
                          "<shares>500</shares><period>100000</period><quota>20000</quota>"
                          "<emulator_quota>50000</emulator_quota>"
                          "<vcpusched vcpus='0' scheduler='batch'/>");
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    /* for the tool's every command, as a daemon's environment would be */
    g_setenv("VIRT_GMEM_CGROUP_ROOT", cgroot, TRUE);
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "cg");
    g_assert_nonnull((store = vgmDriverStoreOpen(root, NULL)));
    rel = vgmDriverCgroupName(store, "cg", NULL);
    g_assert_true(g_str_has_prefix(rel, "virt-gmem.slice/vgm-cg-"));
    slice = g_build_filename(cgroot, "virt-gmem.slice", NULL);
    scope = g_build_filename(cgroot, rel, NULL);
    vcpu0 = g_build_filename(scope, "vcpu0", NULL);

    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(cgroot, "cgroup.subtree_control")), ==, "cpu memory");
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(slice, "cgroup.subtree_control")), ==, "cpu memory");
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(scope, "cpu.weight")), ==, "500");
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(scope, "memory.max")), ==, "536870912");
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(scope, "cgroup.subtree_control")), ==, "cpu");
    pidText = g_strdup_printf("%d", (int)status->qemu.pid);
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(scope, "cgroup.procs")), ==, pidText);
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(vcpu0, "cgroup.type")), ==, "threaded");
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(vcpu0, "cpu.max")), ==, "20000 100000");
    cpu0 = testQemuThread(status->qemu.pid, "CPU 0/");
    g_assert_cmpint(cpu0, >, 0);
    threads = g_strdup_printf("%d", (int)cpu0);
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(vcpu0, "cgroup.threads")), ==, threads);
    g_assert_cmpint(sched_getscheduler(cpu0), ==, SCHED_BATCH);
    {
        g_autofree char *emu = g_build_filename(scope, "emulator", NULL);
        g_autofree char *tid = NULL;

        g_free(text);
        g_assert_cmpstr((text = testCgroupFile(emu, "cpu.max")), ==, "50000 100000");
        tid = testCgroupFile(emu, "cgroup.threads");
        g_assert_cmpstr(tid, !=, threads);
        g_assert_cmpint(testQemuThread(status->qemu.pid, "CPU 1/"), !=,
                        (pid_t)g_ascii_strtoll(tid, NULL, 10));
    }

    {
        /* the controls of the running domain changed (what virsh memtune
         * and schedinfo --live do): the memory limit lifted ("max"), the
         * shares and the emulator's quota written again */
        g_autoptr(VgmDomainDef) old = testCgroupDef("cg", "<memtune><hard_limit unit='MiB'>512</hard_limit></memtune>",
                                                    "<shares>500</shares><period>100000</period><quota>20000</quota>"
                                                    "<emulator_quota>50000</emulator_quota>"
                                                    "<vcpusched vcpus='0' scheduler='batch'/>");
        g_autoptr(VgmDomainDef) now = testCgroupDef("cg", "",
                                                    "<shares>800</shares><period>100000</period><quota>20000</quota>"
                                                    "<emulator_quota>40000</emulator_quota>"
                                                    "<vcpusched vcpus='0' scheduler='batch'/>");
        g_autofree char *emu = g_build_filename(scope, "emulator", NULL);
        g_autoptr(VgmQemuMonitor) mon = NULL;
        g_autoptr(GError) err = NULL;

        mon = vgmDriverProcessConnect(status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err);
        g_assert_no_error(err);
        g_assert_true(vgmDriverCgroupApplyLive(store, old, now, mon, status->qemu.pid, &err));
        g_assert_no_error(err);
        g_free(text);
        g_assert_cmpstr((text = testCgroupFile(scope, "memory.max")), ==, "max");
        g_free(text);
        g_assert_cmpstr((text = testCgroupFile(scope, "cpu.weight")), ==, "800");
        g_free(text);
        g_assert_cmpstr((text = testCgroupFile(emu, "cpu.max")), ==, "40000 100000");
        g_free(text);
        g_assert_cmpstr((text = testCgroupFile(vcpu0, "cpu.max")), ==, "20000 100000");
    }

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "cg", NULL);
    g_unsetenv("VIRT_GMEM_CGROUP_ROOT");
    TEST_OK(run);
    g_assert_false(g_file_test(scope, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(slice, G_FILE_TEST_IS_DIR));
    vgmFileRemoveTree(root);
}

/* <resource><partition> on a directory laid out as cgroup v2, without
 * any cgroup control: the domain's group is made in the partition's
 * slices (machine.slice/machine-tenant\x2da.slice) with the host's
 * controllers enabled on the way, QEMU's pid in its cgroup.procs; the
 * live XML keeps the partition; destroy removes the group and leaves
 * the slices. */
static void
testCgroupPartition(void)
{
    g_autofree char *root = NULL;
    g_autofree char *cgroot = NULL;
    g_autofree char *file = NULL;
    g_autofree char *text = NULL;
    g_autofree char *scope = NULL;
    g_autofree char *slice = NULL;
    g_autofree char *rel = NULL;
    g_autofree char *pidText = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(VgmDriverStore) store = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    cgroot = testFakeCgroupV2(root);
    file = g_build_filename(root, "part.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>part</name><memory unit='MiB'>128</memory>"
        "<resource><partition>/machine/tenant-a</partition></resource>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    g_setenv("VIRT_GMEM_CGROUP_ROOT", cgroot, TRUE);
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "part");
    g_assert_nonnull((store = vgmDriverStoreOpen(root, NULL)));
    rel = vgmDriverCgroupName(store, "part", "/machine/tenant-a");
    scope = g_build_filename(cgroot, rel, NULL);
    slice = g_build_filename(cgroot, "machine.slice", "machine-tenant\\x2da.slice", NULL);
    pidText = g_strdup_printf("%d", (int)status->qemu.pid);
    g_assert_true(g_str_has_prefix(rel, "machine.slice/machine-tenant\\x2da.slice/vgm-part-"));
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(scope, "cgroup.procs")), ==, pidText);
    g_free(text);
    g_assert_cmpstr((text = testCgroupFile(slice, "cgroup.subtree_control")), ==, "cpu memory io");
    g_assert_nonnull(strstr(status->xml, "<partition>/machine/tenant-a</partition>"));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "part", NULL);
    g_unsetenv("VIRT_GMEM_CGROUP_ROOT");
    TEST_OK(run);
    g_assert_false(g_file_test(scope, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(slice, G_FILE_TEST_IS_DIR));
    vgmFileRemoveTree(root);
}

/* On this host's own cgroups (root, and a cgroup file system this test
 * can make a group in with the cpu and memory controllers; skipped,
 * saying why, else): QEMU and its vCPU threads are in the domain's group
 * and its vcpuN groups, the kernel reads back the controls, and the group
 * is gone after destroy. */
static void
testCgroupHost(void)
{
    g_autoptr(VgmCgroupHost) host = vgmCgroupHostDetect(NULL);
    g_autoptr(GError) err = NULL;
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *probe = NULL;
    g_autofree char *rel = NULL;
    g_autofree char *cgPath = NULL;
    g_autofree char *cpu0Path = NULL;
    g_autofree char *cgText = NULL;
    g_autofree char *cpu0Text = NULL;
    g_autofree char *value = NULL;
    g_autofree char *scopeDir = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(VgmDriverStore) store = NULL;
    gboolean v2 = host->version == VGM_CGROUP_V2;
    pid_t cpu0;

    if (!testHaveQemu())
        return;
    if (geteuid() != 0 || !host->real || !host->dirs[VGM_CGROUP_CPU] ||
        !host->dirs[VGM_CGROUP_MEMORY]) {
        g_test_skip("needs root and a cgroup file system with the cpu and memory controllers");
        return;
    }
    probe = g_strdup_printf("virt-gmem.slice/drivertest-probe-%d.scope", (int)getpid());
    if (!vgmCgroupCreate(host, probe, (1u << VGM_CGROUP_CPU) | (1u << VGM_CGROUP_MEMORY), &err)) {
        g_autofree char *why = g_strdup_printf("this host's cgroups take no group of ours: %s",
                                               err->message);
        vgmCgroupRemove(host, probe, NULL);
        g_test_skip(why);
        return;
    }
    g_assert_true(vgmCgroupRemove(host, probe, NULL));

    root = testMakeRoot();
    file = g_build_filename(root, "cghost.xml", NULL);
    xml = g_strdup_printf(testCgroupXML, "cghost",
                          "<memtune><hard_limit unit='GiB'>1</hard_limit></memtune>",
                          "<shares>512</shares><period>100000</period><quota>50000</quota>");
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "cghost");
    g_assert_nonnull((store = vgmDriverStoreOpen(root, NULL)));
    rel = vgmDriverCgroupName(store, "cghost", NULL);

    /* the kernel's own view of where QEMU and its vCPU 0 are */
    cgPath = g_strdup_printf("/proc/%d/cgroup", (int)status->qemu.pid);
    g_assert_true(g_file_get_contents(cgPath, &cgText, NULL, NULL));
    g_assert_true(strstr(cgText, rel));
    cpu0 = testQemuThread(status->qemu.pid, "CPU 0/");
    g_assert_cmpint(cpu0, >, 0);
    cpu0Path = g_strdup_printf("/proc/%d/task/%d/cgroup", (int)status->qemu.pid, (int)cpu0);
    g_assert_true(g_file_get_contents(cpu0Path, &cpu0Text, NULL, NULL));
    {
        g_autofree char *want = g_strdup_printf("%s/vcpu0\n", rel);
        g_assert_true(strstr(cpu0Text, want));
    }
    value = vgmCgroupRead(host, VGM_CGROUP_CPU, rel, NULL, v2 ? "cpu.weight" : "cpu.shares");
    g_assert_cmpstr(value, ==, "512");
    g_free(value);
    value = vgmCgroupRead(host, VGM_CGROUP_MEMORY, rel, NULL,
                          v2 ? "memory.max" : "memory.limit_in_bytes");
    g_assert_cmpstr(value, ==, "1073741824");
    g_free(value);
    if (v2) {
        value = vgmCgroupRead(host, VGM_CGROUP_CPU, rel, "vcpu0", "cpu.max");
        g_assert_cmpstr(value, ==, "50000 100000");
    } else {
        value = vgmCgroupRead(host, VGM_CGROUP_CPU, rel, "vcpu0", "cpu.cfs_quota_us");
        g_assert_cmpstr(value, ==, "50000");
    }

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "cghost", NULL);
    TEST_OK(run);
    scopeDir = vgmCgroupPath(host, VGM_CGROUP_CPU, rel, NULL, NULL);
    g_assert_false(g_file_test(scopeDir, G_FILE_TEST_EXISTS));
    /* the slice this test made, unless other groups live in it */
    for (guint c = 0; c < VGM_CGROUP_LAST; c++) {
        g_autofree char *slice = NULL;

        if (!host->dirs[c])
            continue;
        slice = vgmCgroupPath(host, c, "virt-gmem.slice", NULL, NULL);
        g_rmdir(slice);
    }
    vgmFileRemoveTree(root);
}

/* <memoryBacking><locked/>: QEMU runs with the locked-memory limit libvirt
 * gives it, unlimited without a <memtune> hard limit, where this process
 * may raise its limit (CAP_SYS_RESOURCE); where it may not (a
 * container's root), QEMU keeps this process's limit and starts all the
 * same, its CAP_IPC_LOCK letting it lock. /proc/PID/limits shows which. */
static void
testMemlockLimit(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *limits = NULL;
    g_autofree char *path = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_auto(GStrv) lines = NULL;
    const char *line = NULL;
    size_t i;

    if (!testHaveQemu())
        return;
    if (geteuid() != 0) {
        g_test_skip("raising the locked-memory limit needs root");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "locked.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>locked</name><memory unit='MiB'>64</memory>"
        "<memoryBacking><locked/></memoryBacking>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "create", "--paused", file, NULL);
    TEST_OK(run);
    status = testLoadStatus(root, "locked");
    path = g_strdup_printf("/proc/%d/limits", (int)status->qemu.pid);
    g_assert_true(g_file_get_contents(path, &limits, NULL, NULL));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "locked", NULL);
    TEST_OK(run);
    lines = g_strsplit(limits, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "Max locked memory"))
            line = lines[i];
    }
    g_assert_nonnull(line);
    {
        g_auto(GStrv) f = g_strsplit_set(line + strlen("Max locked memory"), " ", -1);
        g_autoptr(GPtrArray) words = g_ptr_array_new();

        for (i = 0; f[i]; i++) {
            if (*f[i])
                g_ptr_array_add(words, f[i]);
        }
        g_autofree char *procStatus = NULL;
        const char *eff;
        gboolean canRaise;
        struct rlimit rl;

        g_assert_true(g_file_get_contents("/proc/self/status", &procStatus, NULL, NULL));
        g_assert_nonnull((eff = strstr(procStatus, "\nCapEff:")));
        canRaise = (g_ascii_strtoull(eff + strlen("\nCapEff:"), NULL, 16) >> 24) & 1;
        g_assert_cmpuint(words->len, >=, 2);
        if (canRaise) {
            g_assert_cmpstr(g_ptr_array_index(words, 0), ==, "unlimited");
            g_assert_cmpstr(g_ptr_array_index(words, 1), ==, "unlimited");
        } else {
            g_autofree char *mine = NULL;

            g_test_message("no CAP_SYS_RESOURCE here: QEMU keeps this process's limit");
            g_assert_cmpint(getrlimit(RLIMIT_MEMLOCK, &rl), ==, 0);
            mine = rl.rlim_max == RLIM_INFINITY ? g_strdup("unlimited") :
                   g_strdup_printf("%llu", (unsigned long long)rl.rlim_max);
            g_assert_cmpstr(g_ptr_array_index(words, 1), ==, mine);
        }
    }
    vgmFileRemoveTree(root);
}

/* Runs ip ARGS...; NULL-terminated. Its failure fails the test. */
static void
testIpLink(const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    const char *a;
    va_list ap;
    int status = -1;

    g_ptr_array_add(argv, (gpointer)"ip");
    g_ptr_array_add(argv, (gpointer)first);
    va_start(ap, first);
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &err));
    g_assert_no_error(err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
}

/* /sys/class/net/IFNAME/ATTR without its newline, or NULL */
static char *
testSysNet(const char *ifname, const char *attr)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/%s", ifname, attr);
    char *value = NULL;

    if (!g_file_get_contents(path, &value, NULL, NULL))
        return NULL;
    return g_strchomp(value);
}

static gboolean
testSysNetExists(const char *ifname)
{
    g_autofree char *path = ifname ? g_strdup_printf("/sys/class/net/%s", ifname) : NULL;

    return path && g_file_test(path, G_FILE_TEST_EXISTS);
}

/* A Linux bridge @name of the test's (ip link), for taps and macvtaps;
 * FALSE where this host cannot make one */
static gboolean
testMakeBridge(const char *name)
{
    const char *add[] = { "ip", "link", "add", name, "type", "bridge", NULL };
    int status = -1;

    return g_spawn_sync(NULL, (char **)add, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                        G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) &&
           g_spawn_check_wait_status(status, NULL);
}

/* What a test of host interfaces needs: QEMU, root (CAP_NET_ADMIN, to
 * make a @what) and a Linux bridge @bridge of its own (testMakeBridge);
 * FALSE, the test skipped with the reason, where one is missing */
static gboolean
testNetReady(const char *bridge, const char *what)
{
    if (!testHaveQemu())
        return FALSE;
    if (geteuid() != 0) {
        g_autofree char *why = g_strdup_printf("a %s needs root (CAP_NET_ADMIN)", what);

        g_test_skip(why);
        return FALSE;
    }
    if (!testMakeBridge(bridge)) {
        g_test_skip("cannot make a bridge here (ip link add ... type bridge failed)");
        return FALSE;
    }
    return TRUE;
}

/* Creates domain @name from @file (a failed create first deletes host
 * interface @cleanup, which the test made) and returns the first <target
 * dev> of its live XML named @prefix and a number (vnetN, macvtapN), or
 * NULL */
static char *
testCreateFindIfname(const char *root, const char *file, const char *name, const char *prefix,
                     const char *cleanup)
{
    g_autoptr(TestRun) run = testTool(root, "create", file, NULL);
    g_autofree char *pattern = g_strdup_printf("<target dev='(%s[0-9]+)'/>", prefix);
    g_autoptr(GRegex) re = g_regex_new(pattern, 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;

    if (run->status != 0)
        testIpLink("link", "del", cleanup, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", name, NULL);
    TEST_OK(run);
    return g_regex_match(re, run->out, 0, &match) ? g_match_info_fetch(match, 1) : NULL;
}

/* A bridge <interface> with <target dev>: QEMU makes the tap of that
 * name, start puts it into the bridge (an isolated port, as <port
 * isolated='yes'> asks) and up before the guest runs, and it goes with
 * QEMU. Needs root and a bridge of our own (ip link), else
 * skipped with the reason. */
static void
testNamedTap(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *bridge = g_strdup_printf("vgmbr%u", (unsigned int)getpid() % 100000);
    g_autofree char *tap = g_strdup_printf("vgmtap%u", (unsigned int)getpid() % 100000);
    g_autofree char *master = NULL;
    g_autofree char *flags = NULL;
    g_autofree char *mac = NULL;
    g_autofree char *mtu = NULL;
    g_autofree char *isolated = NULL;
    g_autofree char *sysTap = g_strdup_printf("/sys/class/net/%s", tap);
    g_autofree char *sysMaster = g_strdup_printf("/sys/class/net/%s/master", tap);
    g_autofree char *sysFlags = g_strdup_printf("/sys/class/net/%s/flags", tap);
    g_autofree char *xml = NULL;
    g_autoptr(TestRun) run = NULL;
    const char *del[] = { "ip", "link", "del", bridge, NULL };

    if (!testNetReady(bridge, "named tap"))
        return;
    /* a bridge MTU of its own, which the tap must take */
    testIpLink("link", "set", bridge, "mtu", "1400", NULL);
    root = testMakeRoot();
    file = g_build_filename(root, "tap.xml", NULL);
    xml = g_strdup_printf("<domain type='qemu'><name>tap</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<interface type='bridge'><mac address='52:54:00:6a:7b:8c'/>"
                          "<source bridge='%s'/><target dev='%s'/>"
                          "<model type='virtio'/><port isolated='yes'/></interface>"
                          "<memballoon model='none'/></devices></domain>", bridge, tap);
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    run = testTool(root, "create", file, NULL);
    if (run->status != 0)
        g_spawn_sync(NULL, (char **)del, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    TEST_OK(run);
    master = g_file_read_link(sysMaster, NULL);
    g_assert_true(g_file_get_contents(sysFlags, &flags, NULL, NULL));
    mac = testSysNet(tap, "address");
    mtu = testSysNet(tap, "mtu");
    isolated = testSysNet(tap, "brport/isolated");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "tap", NULL);
    TEST_OK(run);
    /* the tap is QEMU's: gone with it */
    g_assert_false(g_file_test(sysTap, G_FILE_TEST_EXISTS));
    g_spawn_sync(NULL, (char **)del, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    g_assert_nonnull(master);
    g_assert_true(g_str_has_suffix(master, bridge));
    /* IFF_UP */
    g_assert_true(g_ascii_strtoull(flags, NULL, 16) & 0x1);
    /* the guest's MAC with 0xfe first; the bridge's MTU */
    g_assert_cmpstr(mac, ==, "fe:54:00:6a:7b:8c");
    g_assert_cmpstr(mtu, ==, "1400");
    /* <port isolated='yes'> */
    g_assert_cmpstr(isolated, ==, "1");
}

/* A bridge <interface> without <target dev> (virt-install --network
 * bridge=BR): as libvirt, the driver names its tap (vnetN, in the live
 * XML) and puts it into the bridge, rather than leaving it to QEMU's
 * bridge helper, which needs an ACL file (/etc/qemu/bridge.conf) a host
 * may not have. Needs root and a bridge of our own, else skipped. */
static void
testBridgeTapNamed(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *bridge = g_strdup_printf("vgmbn%u", (unsigned int)getpid() % 100000);
    g_autofree char *vnet = NULL;
    g_autofree char *master = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(TestRun) run = NULL;

    if (!testNetReady(bridge, "named tap"))
        return;
    root = testMakeRoot();
    file = g_build_filename(root, "brtap.xml", NULL);
    xml = g_strdup_printf("<domain type='qemu'><name>brtap</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<interface type='bridge'><mac address='52:54:00:6a:7b:8d'/>"
                          "<source bridge='%s'/><model type='virtio'/></interface>"
                          "<memballoon model='none'/></devices></domain>", bridge);
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    vnet = testCreateFindIfname(root, file, "brtap", "vnet", bridge);
    if (vnet) {
        g_autofree char *sysMaster = g_strdup_printf("/sys/class/net/%s/master", vnet);

        master = g_file_read_link(sysMaster, NULL);
    }
    run = testTool(root, "destroy", "brtap", NULL);
    testIpLink("link", "del", bridge, NULL);
    TEST_OK(run);
    g_assert_nonnull(vnet);
    g_assert_nonnull(master);
    g_assert_true(g_str_has_suffix(master, bridge));
}

/* How many of @pid's fds are the character device of the macvtap with
 * index @ifindex (/dev/tapN, or the node the driver made and removed) */
static unsigned int
testQemuTapFds(pid_t pid, const char *ifindex)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autofree char *want = g_strdup_printf("/tap%s", ifindex);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *e;
    unsigned int n = 0;

    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, e, NULL);
        g_autofree char *target = g_file_read_link(path, NULL);

        if (target && strstr(target, want) &&
            (g_str_has_suffix(target, want) || g_str_has_suffix(target, " (deleted)")))
            n++;
    }
    return n;
}

/* Whether process @pid has @path open */
static gboolean
testProcHasOpen(pid_t pid, const char *path)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *fd = g_build_filename(dir, n, NULL);
        g_autofree char *target = g_file_read_link(fd, NULL);

        if (g_strcmp0(target, path) == 0)
            return TRUE;
    }
    return FALSE;
}

/* A <transient/> disk: the start makes IMAGE.TRANSIENT-NAME (qcow2, the
 * image below it), QEMU opens both, the live XML names the overlay as
 * the source and the image as its <backingStore>; destroy removes the
 * overlay and leaves the image as it was; a start that finds an overlay
 * there refuses, naming it, and leaves it. */
static void
testTransientDisk(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *image = NULL;
    g_autofree char *overlay = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autofree char *qemuImg = g_find_program_in_path("qemu-img");

    if (!testHaveQemu())
        return;
    if (!qemuImg) {
        g_test_skip("qemu-img (qemu-utils) makes the overlay");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "transient.xml", NULL);
    image = g_build_filename(root, "base.img", NULL);
    overlay = g_strconcat(image, ".TRANSIENT-transient", NULL);
    g_assert_true(g_file_set_contents(image, "base image, left as it is", -1, NULL));
    g_assert_true(truncate(image, 1 << 20) == 0);
    xml = g_strdup_printf("<domain type='qemu'><name>transient</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                          "<source file='%s'/><target dev='vda' bus='virtio'/><transient/></disk>"
                          "<memballoon model='none'/></devices></domain>", image);
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    g_assert_true(g_file_get_contents(image, &before, NULL, NULL));

    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "transient", NULL);
    TEST_OK(run);
    {
        g_autoptr(VgmDriverStatus) status = testLoadStatus(root, "transient");
        g_autofree char *src = testXPath(run->out, "string(//disk/source/@file)");
        g_autofree char *below = testXPath(run->out, "string(//disk/backingStore/source/@file)");
        g_autofree char *fmt = testXPath(run->out, "string(//disk/backingStore/format/@type)");
        g_autofree char *top = testXPath(run->out, "string(//disk/driver/@type)");
        gboolean openOverlay = testProcHasOpen(status->qemu.pid, overlay);
        gboolean openImage = testProcHasOpen(status->qemu.pid, image);

        g_assert_true(g_file_test(overlay, G_FILE_TEST_IS_REGULAR));
        g_assert_cmpstr(src, ==, overlay);
        g_assert_cmpstr(below, ==, image);
        g_assert_cmpstr(fmt, ==, "raw");
        g_assert_cmpstr(top, ==, "qcow2");
        g_assert_true(openOverlay);
        g_assert_true(openImage);
    }
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "transient", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    g_assert_false(g_file_test(overlay, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_get_contents(image, &after, NULL, NULL));
    g_assert_cmpmem(before, strlen(before), after, strlen(before));

    /* an overlay left there: refused, and kept */
    g_assert_true(g_file_set_contents(overlay, "someone's", -1, NULL));
    run = testTool(root, "create", file, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, overlay));
    g_assert_false(testStatusExists(root, "transient"));
    g_assert_true(g_file_test(overlay, G_FILE_TEST_EXISTS));
    testSweep(root);
}

/* A network disk's <auth>: without its secret the start is refused
 * before QEMU runs, naming the disk and the secret; with the secret (of
 * usage iscsi, found by its usage id) QEMU reads it from the file the
 * driver wrote and gets as far as the iSCSI login, which fails here
 * (nothing listens on 127.0.0.1:1), and the failed start leaves neither
 * a status nor the file. Without QEMU's iscsi module (Debian's
 * qemu-block-extra) only the refusal is checked. */
static void
testNetworkDiskAuth(void)
{
    static const char uuid[] = "5f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *secrets = NULL;
    g_autofree char *secretXml = NULL;
    g_autofree char *secretValue = NULL;
    g_autofree char *secretFile = NULL;
    g_autoptr(TestRun) run = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = g_build_filename(root, "iscsi.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>iscsi</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
        "<source protocol='iscsi' name='iqn.2013-07.com.example:vgm/0'>"
        "<host name='127.0.0.1' port='1'/>"
        "<auth username='tenant'><secret type='iscsi' usage='vgmtarget'/></auth></source>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "create", file, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, "disk 'vda'"));
    g_assert_nonnull(strstr(run->err, "no secret of usage 'iscsi' with target 'vgmtarget'"));
    g_assert_false(testStatusExists(root, "iscsi"));
    g_clear_pointer(&run, testRunFree);

    /* the secret driver's layout: ROOT/etc/secrets/UUID.{xml,base64} */
    secrets = g_build_filename(root, "etc", "secrets", NULL);
    g_assert_cmpint(g_mkdir_with_parents(secrets, 0700), ==, 0);
    secretXml = g_strdup_printf("%s/%s.xml", secrets, uuid);
    secretValue = g_strdup_printf("%s/%s.base64", secrets, uuid);
    g_assert_true(g_file_set_contents(secretXml, "<secret ephemeral='no' private='yes'>"
                                      "<uuid>5f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9</uuid>"
                                      "<usage type='iscsi'><target>vgmtarget</target></usage>"
                                      "</secret>\n", -1, NULL));
    g_assert_true(g_file_set_contents(secretValue, "czNjcjN0\n", -1, NULL));
    run = testTool(root, "create", file, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_null(strstr(run->err, "no secret"));
    g_assert_false(testStatusExists(root, "iscsi"));
    secretFile = g_build_filename(root, "run", "qemu", "domain-iscsi",
                                  "vgm-1-storage-auth-secret0.secret", NULL);
    g_assert_false(g_file_test(secretFile, G_FILE_TEST_EXISTS));
    if (strstr(run->err, "Unknown driver 'iscsi'") || strstr(run->err, "Unknown protocol")) {
        g_test_message("QEMU has no iscsi driver here (qemu-block-extra): only the refusal was checked: %s",
                       run->err);
        return;
    }
    /* QEMU makes the -object secret (from the file) before the
     * -blockdev that uses it: a missing or unreadable file would have
     * stopped it there */
    g_assert_nonnull(strstr(run->err, "iSCSI: Failed to connect to LUN"));
}

/* An http disk's <cookies>: QEMU reads them from the secret file the
 * driver writes and sends them to the server, here a stub that records
 * each request's Cookie header and answers 404 (the start then fails,
 * leaving neither a status nor the file). Without QEMU's curl module
 * (Debian's qemu-block-extra) the case is skipped. */
static void
testNetworkDiskCookies(void)
{
    static const char stub[] =
        "import http.server, sys\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_HEAD(self):\n"
        "        with open(sys.argv[2], 'a') as f:\n"
        "            f.write(self.headers.get('Cookie', '-') + '\\n')\n"
        "        self.send_response(404)\n"
        "        self.end_headers()\n"
        "    do_GET = do_HEAD\n"
        "    def log_message(self, *a):\n"
        "        pass\n"
        "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
        "with open(sys.argv[1] + '.tmp', 'w') as f:\n"
        "    f.write(str(s.server_address[1]))\n"
        "import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1])\n"
        "s.serve_forever()\n";
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *portFile = NULL;
    g_autofree char *log = NULL;
    g_autofree char *port = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *seen = NULL;
    g_autofree char *secretFile = NULL;
    g_autoptr(GSubprocess) server = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GError) err = NULL;
    gint64 deadline;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    portFile = g_build_filename(root, "http.port", NULL);
    log = g_build_filename(root, "http.cookies", NULL);
    server = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &err, "python3", "-c", stub, portFile,
                              log, NULL);
    g_assert_no_error(err);
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!g_file_get_contents(portFile, &port, NULL, NULL)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(20 * 1000);
    }
    file = g_build_filename(root, "cookies.xml", NULL);
    xml = g_strdup_printf(
        "<domain type='qemu'><name>cookies</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<disk type='network' device='cdrom'><driver name='qemu' type='raw'/>"
        "<source protocol='http' name='/install.iso'><host name='127.0.0.1' port='%s'/>"
        "<cookies><cookie name='session'>abc123</cookie><cookie name='q'>\"v1\"</cookie></cookies>"
        "</source><target dev='sda' bus='sata'/><readonly/></disk>"
        "<memballoon model='none'/></devices></domain>", port);
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    run = testTool(root, "create", file, NULL);
    g_subprocess_force_exit(server);
    g_subprocess_wait(server, NULL, NULL);
    g_assert_cmpint(run->status, !=, 0);
    if (strstr(run->err, "Unknown driver 'http'") || strstr(run->err, "Unknown protocol")) {
        g_test_skip("QEMU has no curl driver here (Debian's qemu-block-extra)");
        return;
    }
    g_assert_false(testStatusExists(root, "cookies"));
    secretFile = g_build_filename(root, "run", "qemu", "domain-cookies",
                                  "vgm-1-storage-httpcookie-secret0.secret", NULL);
    g_assert_false(g_file_test(secretFile, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_get_contents(log, &seen, NULL, NULL));
    g_test_message("the server saw: %s", seen);
    g_assert_nonnull(strstr(seen, "session=abc123; q=\"v1\"\n"));
}

/* <vsock>: with /dev/vhost-vsock, the driver gives an auto='yes' guest
 * the lowest free address from 3 (the live XML names it, QEMU's device
 * has it), a second guest asking for that address is refused before its
 * QEMU starts, and destroy frees it. Without /dev/vhost-vsock the start
 * is refused naming it, and nothing is left. */
static void
testVsock(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *other = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(TestRun) run = NULL;
    int fd;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = g_build_filename(root, "vsock.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>vsock</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/><vsock><cid auto='yes'/></vsock></devices></domain>", -1, NULL));
    if ((fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC)) < 0) {
        run = testTool(root, "create", file, NULL);
        g_assert_cmpint(run->status, !=, 0);
        g_assert_nonnull(strstr(run->err, "/dev/vhost-vsock"));
        g_assert_false(testStatusExists(root, "vsock"));
        g_test_message("no /dev/vhost-vsock here: only the refusal was checked");
        return;
    }
    close(fd);
    run = testTool(root, "create", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "vsock", NULL);
    TEST_OK(run);
    {
        g_autoptr(VgmDriverStatus) status = testLoadStatus(root, "vsock");
        g_autofree char *cidAttr = testXPath(run->out, "string(//vsock/cid/@address)");
        unsigned int cid = cidAttr ? (unsigned int)g_ascii_strtoull(cidAttr, NULL, 10) : 0;
        g_autofree char *cmdlinePath = g_strdup_printf("/proc/%d/cmdline", (int)status->qemu.pid);
        g_autofree char *cmdline = NULL;
        g_autofree char *want = g_strdup_printf("\"guest-cid\":%u,", cid);
        gsize len = 0;

        g_assert_cmpuint(cid, >=, 3);
        g_assert_true(g_file_get_contents(cmdlinePath, &cmdline, &len, NULL));
        for (gsize k = 0; k + 1 < len; k++) {
            if (!cmdline[k])
                cmdline[k] = ' ';
        }
        g_assert_nonnull(strstr(cmdline, want));
        other = g_build_filename(root, "vsock2.xml", NULL);
        xml = g_strdup_printf("<domain type='qemu'><name>vsock2</name><memory unit='MiB'>128</memory>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                              "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                              "<memballoon model='none'/><vsock><cid auto='no' address='%u'/></vsock>"
                              "</devices></domain>", cid);
        g_assert_true(g_file_set_contents(other, xml, -1, NULL));
    }
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "create", other, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, "another guest has it"));
    g_assert_false(testStatusExists(root, "vsock2"));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "vsock", NULL);
    TEST_OK(run);
    g_assert_false(testStatusExists(root, "vsock"));
    testSweep(root);
}

/* <interface type='direct'>: start makes a macvtap (macvtapN, named in
 * the live XML) on the host device, in the mode asked for, with the
 * guest's MAC, up, and QEMU holds one fd of it a queue; destroy removes
 * it. A missing host device is refused before anything is made. Needs
 * root and a bridge to put the macvtap on (ip link), else skipped. */
static void
testDirectMacvtap(void)
{
    g_autofree char *bridge = g_strdup_printf("vgmmv%u", (unsigned int)getpid() % 100000);
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *bad = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *macvtap = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;

    if (!testNetReady(bridge, "macvtap"))
        return;
    root = testMakeRoot();
    file = g_build_filename(root, "direct.xml", NULL);
    bad = g_build_filename(root, "direct-bad.xml", NULL);
    xml = g_strdup_printf("<domain type='qemu'><name>direct</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<interface type='direct'><mac address='52:54:00:6a:7c:01'/>"
                          "<source dev='%s' mode='bridge'/><model type='virtio'/>"
                          "<driver queues='2'/></interface>"
                          "<memballoon model='none'/></devices></domain>", bridge);
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    g_free(xml);
    xml = g_strdup_printf("<domain type='qemu'><name>direct-bad</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<interface type='direct'><mac address='52:54:00:6a:7c:02'/>"
                          "<source dev='%s-none' mode='vepa'/><model type='virtio'/></interface>"
                          "<memballoon model='none'/></devices></domain>", bridge);
    g_assert_true(g_file_set_contents(bad, xml, -1, NULL));

    /* no such host device: refused before a macvtap or QEMU is made */
    run = testTool(root, "create", bad, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, "does not exist"));
    g_clear_pointer(&run, testRunFree);

    macvtap = testCreateFindIfname(root, file, "direct", "macvtap", bridge);
    status = testLoadStatus(root, "direct");
    {
        g_autofree char *lower = macvtap ? g_strdup_printf("/sys/class/net/%s/lower_%s",
                                                           macvtap, bridge) : NULL;
        gboolean onBridge = lower && g_file_test(lower, G_FILE_TEST_EXISTS);
        g_autofree char *mac = macvtap ? testSysNet(macvtap, "address") : NULL;
        g_autofree char *flags = macvtap ? testSysNet(macvtap, "flags") : NULL;
        g_autofree char *ifindex = macvtap ? testSysNet(macvtap, "ifindex") : NULL;
        unsigned int fds = ifindex ? testQemuTapFds(status->qemu.pid, ifindex) : 0;
        g_autofree char *mode = NULL;

        if (macvtap) {
            const char *show[] = { "ip", "-d", "link", "show", macvtap, NULL };

            g_spawn_sync(NULL, (char **)show, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &mode,
                         NULL, NULL, NULL);
        }
        run = testTool(root, "destroy", "direct", NULL);
        TEST_OK(run);
        g_assert_nonnull(macvtap);
        g_assert_true(onBridge);
        g_assert_cmpstr(mac, ==, "52:54:00:6a:7c:01");
        g_assert_true(g_ascii_strtoull(flags, NULL, 16) & 0x1);
        g_assert_nonnull(mode);
        g_assert_nonnull(strstr(mode, "macvtap mode bridge"));
        /* two queues: QEMU holds two fds of the macvtap */
        g_assert_cmpuint(fds, ==, 2);
    }
    /* the macvtap went with the run */
    g_assert_false(testSysNetExists(macvtap));
    testIpLink("link", "del", bridge, NULL);
}

/* Counts @pid's fds open on @path */
static unsigned int
testProcOpenCount(pid_t pid, const char *path)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;
    unsigned int count = 0;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *fd = g_build_filename(dir, n, NULL);
        g_autofree char *target = g_file_read_link(fd, NULL);

        count += g_strcmp0(target, path) == 0;
    }
    return count;
}

/* <interface><backend tap vhost>: the driver opens the tap itself,
 * through the device <backend tap> names (here a node of the tun device
 * in the test's root, so that QEMU's fds show which device they came
 * through), one fd a queue with virtio-net headers and multi-queue, and
 * the tap of a bridge interface without <target dev> gets a vnetN, is
 * put into the bridge and set up, and goes with QEMU. A KVM guest's
 * <backend vhost> is opened too: a device that does not exist fails the
 * start before QEMU runs, naming it, and leaves no tap; a device that is
 * not vhost-net (a node of /dev/null) reaches QEMU as its vhostfd, which
 * it refuses. Needs root and a bridge (ip link), the vhost part
 * /dev/kvm; else skipped with the reason. */
static void
testBackendTap(void)
{
    g_autofree char *bridge = g_strdup_printf("vgmbk%u", (unsigned int)getpid() % 100000);
    g_autofree char *root = NULL;
    g_autofree char *tun = NULL;
    g_autofree char *vhostNull = NULL;
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *vnet = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    const char *vhostCases[2] = { NULL, NULL };
    guint c;

    if (!testNetReady(bridge, "tap"))
        return;
    root = testMakeRoot();
    tun = g_build_filename(root, "tun-alt", NULL);
    vhostNull = g_build_filename(root, "vhost-null", NULL);
    g_assert_cmpint(mknod(tun, S_IFCHR | 0600, makedev(10, 200)), ==, 0);
    g_assert_cmpint(mknod(vhostNull, S_IFCHR | 0600, makedev(1, 3)), ==, 0);
    file = g_build_filename(root, "backend.xml", NULL);
    xml = g_strdup_printf("<domain type='qemu'><name>backend</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<interface type='bridge'><mac address='52:54:00:6a:7d:01'/>"
                          "<source bridge='%s'/><model type='virtio'/><driver queues='2'/>"
                          "<backend tap='%s'/></interface>"
                          "<memballoon model='none'/></devices></domain>", bridge, tun);
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    vnet = testCreateFindIfname(root, file, "backend", "vnet", bridge);
    status = testLoadStatus(root, "backend");
    {
        g_autofree char *sysMaster = vnet ? g_strdup_printf("/sys/class/net/%s/master", vnet) :
                                            NULL;
        g_autofree char *master = sysMaster ? g_file_read_link(sysMaster, NULL) : NULL;
        g_autofree char *flags = vnet ? testSysNet(vnet, "flags") : NULL;
        g_autofree char *tunFlags = vnet ? testSysNet(vnet, "tun_flags") : NULL;
        g_autofree char *mac = vnet ? testSysNet(vnet, "address") : NULL;
        unsigned int fds = testProcOpenCount(status->qemu.pid, tun);
        unsigned int defaultFds = testProcOpenCount(status->qemu.pid, "/dev/net/tun");
        guint64 tf = tunFlags ? g_ascii_strtoull(tunFlags, NULL, 16) : 0;

        run = testTool(root, "destroy", "backend", NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        g_assert_nonnull(vnet);
        g_assert_nonnull(master);
        g_assert_true(g_str_has_suffix(master, bridge));
        g_assert_true(g_ascii_strtoull(flags, NULL, 16) & 0x1);
        g_assert_cmpstr(mac, ==, "fe:54:00:6a:7d:01");
        /* two queues through the device named, none through the default */
        g_assert_cmpuint(fds, ==, 2);
        g_assert_cmpuint(defaultFds, ==, 0);
        /* IFF_TAP, IFF_NO_PI, IFF_VNET_HDR, IFF_MULTI_QUEUE */
        g_assert_cmphex(tf & 0x5102, ==, 0x5102);
    }
    /* the tap went with QEMU's fds */
    g_assert_false(testSysNetExists(vnet));

    if (access("/dev/kvm", R_OK | W_OK) < 0) {
        testIpLink("link", "del", bridge, NULL);
        g_test_message("no usable /dev/kvm: <backend vhost> (KVM guests only) not tried");
        return;
    }
    vhostCases[0] = "/nonexistent/vhost-net";
    vhostCases[1] = vhostNull;
    for (c = 0; c < G_N_ELEMENTS(vhostCases); c++) {
        g_autofree char *kvmFile = g_build_filename(root, "backend-kvm.xml", NULL);
        g_autofree char *kvmXml = g_strdup_printf(
            "<domain type='kvm'><name>backend-kvm</name><memory unit='MiB'>128</memory>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
            "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
            "<interface type='bridge'><mac address='52:54:00:6a:7d:02'/>"
            "<source bridge='%s'/><target dev='vgmbkv%u'/><model type='virtio'/>"
            "<backend vhost='%s'/></interface>"
            "<memballoon model='none'/></devices></domain>",
            bridge, (unsigned int)getpid() % 100000, vhostCases[c]);
        g_autofree char *tap = g_strdup_printf("vgmbkv%u", (unsigned int)getpid() % 100000);

        g_assert_true(g_file_set_contents(kvmFile, kvmXml, -1, NULL));
        run = testTool(root, "create", kvmFile, NULL);
        g_assert_cmpint(run->status, !=, 0);
        if (c == 0) {
            g_autofree char *want = g_strdup_printf("cannot open vhost-net device '%s'",
                                                    vhostCases[c]);

            g_assert_nonnull(strstr(run->err, want));
        } else {
            /* QEMU got the node as its vhostfds, and could not set vhost-net
             * up on it (it did not open /dev/vhost-net itself) */
            g_assert_nonnull(strstr(run->err, "\"vhostfd\":\""));
            g_assert_true(strstr(run->err, "vhost_set_owner") ||
                          strstr(run->err, "vhost-net requested but could not be initialized"));
            g_assert_null(strstr(run->err, "/dev/vhost-net"));
        }
        g_assert_false(testStatusExists(root, "backend-kvm"));
        g_assert_false(testSysNetExists(tap));
        g_clear_pointer(&run, testRunFree);
    }
    testIpLink("link", "del", bridge, NULL);
}

/* <interface type='ethernet'>: QEMU makes a managed tap (named, or vnetN
 * from the driver, which the live XML shows), which start sets up (MAC,
 * <mtu>, up) and which goes with QEMU; a tap with managed='no' is opened
 * as it is and outlives the domain; a start refuses a managed name that
 * exists and an unmanaged one that does not, before a QEMU runs; a
 * <bandwidth> shapes the managed tap with libvirt's tc commands (tc a
 * recording stand-in); <script> runs with the tap's name once it is up,
 * <downscript> once the domain stopped; a guest MAC starting with fe
 * gives the tap fa (libvirt's rule); the addresses and routes of the
 * <source> (a point-to-point address and a route with a metric, in the
 * documentation ranges) are the tap's while the domain runs, as ip shows
 * them. Needs root, else skipped with the reason. */
static void
testEthernetTaps(void)
{
    unsigned int id = (unsigned int)getpid() % 100000;
    g_autofree char *named = g_strdup_printf("vgmeth%u", id);
    g_autofree char *mine = g_strdup_printf("vgmown%u", id);
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *vnet = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autofree char *oldPath = g_strdup(g_getenv("PATH"));
    g_autofree char *newPath = NULL;
    g_autofree char *fakeDir = NULL;
    g_autofree char *tcFake = NULL;
    g_autofree char *tcCalls = NULL;

    if (!testHaveQemu())
        return;
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) < 0) {
        g_test_skip("a tap needs root (CAP_NET_ADMIN) and /dev/net/tun");
        return;
    }
    root = testMakeRoot();
    /* tc is a recording stand-in: this host's kernel may lack the qdiscs
     * and filters libvirt's commands use */
    fakeDir = g_build_filename(root, "bin", NULL);
    g_assert_cmpint(g_mkdir(fakeDir, 0755), ==, 0);
    tcFake = g_build_filename(fakeDir, "tc", NULL);
    tcCalls = g_build_filename(fakeDir, "tc-calls", NULL);
    g_assert_true(g_file_set_contents(tcFake,
                                      "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/tc-calls\"\n",
                                      -1, NULL));
    g_assert_cmpint(g_chmod(tcFake, 0755), ==, 0);
    newPath = g_strdup_printf("%s:%s", fakeDir, oldPath ? oldPath : "/usr/bin:/bin");
    g_setenv("PATH", newPath, TRUE);
    file = g_build_filename(root, "eth.xml", NULL);
    xml = g_strdup_printf("<domain type='qemu'><name>eth</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<interface type='ethernet'><mac address='52:54:00:6a:7b:01'/>"
                          "<source><ip address='198.51.100.1' prefix='24' peer='198.51.100.2'/>"
                          "<route address='203.0.113.0' prefix='24' gateway='198.51.100.2'"
                          " metric='7'/></source>"
                          "<target dev='%s'/><model type='virtio'/>"
                          "<driver queues='2'/><mtu size='1450'/>"
                          "<bandwidth><inbound average='1024' peak='4096' burst='1024'/>"
                          "<outbound average='2048'/></bandwidth>"
                          "<script path='%s/ifup'/><downscript path='%s/ifdown'/></interface>"
                          "<interface type='ethernet'><mac address='52:54:00:6a:7b:02'/>"
                          "<target dev='%s' managed='no'/><model type='virtio'/></interface>"
                          "<interface type='ethernet'><mac address='fe:54:00:6a:7b:03'/>"
                          "<model type='e1000'/></interface>"
                          "<memballoon model='none'/></devices></domain>", named, fakeDir,
                          fakeDir, mine);
    /* the scripts note their argument, and whether the tap was up then */
    {
        const char *names[] = { "ifup", "ifdown" };

        for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
            g_autofree char *path = g_build_filename(fakeDir, names[k], NULL);
            g_autofree char *body = g_strdup_printf("#!/bin/sh\necho \"$1 $(cat /sys/class/net/$1/flags 2>/dev/null)\" >> \"%s/%s-calls\"\n",
                                                    fakeDir, names[k]);

            g_assert_true(g_file_set_contents(path, body, -1, NULL));
            g_assert_cmpint(g_chmod(path, 0755), ==, 0);
        }
    }
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));

    /* the unmanaged tap is missing: refused, no QEMU, no tap */
    run = testTool(root, "create", file, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, mine));
    g_assert_nonnull(strstr(run->err, "managed='no'"));
    g_assert_false(testSysNetExists(named));
    g_clear_pointer(&run, testRunFree);

    /* the managed name exists already: refused, the tap left alone */
    testIpLink("tuntap", "add", "dev", named, "mode", "tap", NULL);
    testIpLink("tuntap", "add", "dev", mine, "mode", "tap", NULL);
    run = testTool(root, "create", file, NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, "exists already"));
    g_assert_true(testSysNetExists(named));
    g_clear_pointer(&run, testRunFree);
    testIpLink("link", "del", named, NULL);

    vnet = testCreateFindIfname(root, file, "eth", "vnet", mine);
    {
        g_autofree char *namedMac = testSysNet(named, "address");
        g_autofree char *namedMtu = testSysNet(named, "mtu");
        g_autofree char *namedFlags = testSysNet(named, "flags");
        g_autofree char *namedTun = testSysNet(named, "tun_flags");
        g_autofree char *mineMac = testSysNet(mine, "address");
        g_autofree char *mineFlags = testSysNet(mine, "flags");
        g_autofree char *vnetMac = vnet ? testSysNet(vnet, "address") : NULL;
        g_autofree char *vnetFlags = vnet ? testSysNet(vnet, "flags") : NULL;
        g_autofree char *addrCmd = g_strdup_printf("ip -o -4 address show dev %s", named);
        g_autofree char *routeCmd = g_strdup_printf("ip -4 route show dev %s", named);
        g_autofree char *addrs = NULL;
        g_autofree char *routes = NULL;

        g_assert_true(g_spawn_command_line_sync(addrCmd, &addrs, NULL, NULL, NULL));
        g_assert_true(g_spawn_command_line_sync(routeCmd, &routes, NULL, NULL, NULL));
        g_test_message("tap %s: %s%s", named, addrs, routes);
        g_assert_nonnull(strstr(addrs, "inet 198.51.100.1 peer 198.51.100.2/24"));
        g_assert_nonnull(strstr(routes, "203.0.113.0/24 via 198.51.100.2"));
        g_assert_nonnull(strstr(routes, "metric 7"));

        run = testTool(root, "destroy", "eth", NULL);
        TEST_OK(run);
        g_assert_cmpstr(namedMac, ==, "fe:54:00:6a:7b:01");
        g_assert_cmpstr(namedMtu, ==, "1450");
        g_assert_true(g_ascii_strtoull(namedFlags, NULL, 16) & 0x1);
        /* two queues: IFF_MULTI_QUEUE (0x100) */
        g_assert_true(g_ascii_strtoull(namedTun, NULL, 16) & 0x100);
        /* not touched: not fe:..., not up */
        g_assert_cmpstr(mineMac, !=, "fe:54:00:6a:7b:02");
        g_assert_false(g_ascii_strtoull(mineFlags, NULL, 16) & 0x1);
        g_assert_nonnull(vnet);
        /* the guest's MAC starts with fe: the tap's with fa, as libvirt's */
        g_assert_cmpstr(vnetMac, ==, "fa:54:00:6a:7b:03");
        g_assert_true(g_ascii_strtoull(vnetFlags, NULL, 16) & 0x1);
    }
    /* <script> ran with the tap's name once it was up, <downscript>
     * once the domain stopped (the tap gone with QEMU) */
    {
        g_autofree char *upCalls = g_build_filename(fakeDir, "ifup-calls", NULL);
        g_autofree char *downCalls = g_build_filename(fakeDir, "ifdown-calls", NULL);
        g_autofree char *up = NULL;
        g_autofree char *down = NULL;
        g_autofree char *wantDown = g_strdup_printf("%s \n", named);
        unsigned long long flags;

        g_assert_true(g_file_get_contents(upCalls, &up, NULL, NULL));
        g_assert_true(g_file_get_contents(downCalls, &down, NULL, NULL));
        g_assert_true(g_str_has_prefix(up, named));
        g_assert_cmpint(up[strlen(named)], ==, ' ');
        flags = g_ascii_strtoull(up + strlen(named) + 1, NULL, 16);
        g_assert_true(flags & 0x1);
        g_assert_cmpstr(down, ==, wantDown);
    }
    /* QEMU's taps went with it; the one made beforehand stays */
    g_assert_false(testSysNetExists(named));
    g_assert_false(testSysNetExists(vnet));
    g_assert_true(testSysNetExists(mine));
    testIpLink("link", "del", mine, NULL);
    g_setenv("PATH", oldPath ? oldPath : "/usr/bin:/bin", TRUE);

    /* <bandwidth>: libvirt's tc commands on the named tap, the guest's
     * inbound shaped on the tap's egress (quantum 1024 * 1024 / 8 / 1500 =
     * 87), its outbound policed at the tap's ingress (burst: the average) */
    {
        g_autofree char *text = NULL;
        g_autofree char *want = NULL;

        g_assert_true(g_file_get_contents(tcCalls, &text, NULL, NULL));
        want = g_strdup_printf("qdisc add dev %1$s root handle 1: htb default 1\n"
                               "class add dev %1$s parent 1: classid 1:1 htb rate 1024kbps ceil 4096kbps"
                               " burst 1024kb quantum 87\n"
                               "qdisc add dev %1$s parent 1:1 handle 2: sfq perturb 10\n"
                               "filter add dev %1$s parent 1:0 protocol all prio 1 handle 1 fw flowid 1\n"
                               "qdisc add dev %1$s ingress\n"
                               "filter add dev %1$s parent ffff: protocol all u32 match u32 0 0 police"
                               " rate 2048kbps burst 2048kb mtu 64kb drop flowid :1\n", named);
        g_assert_cmpstr(text, ==, want);
    }
}

/* A bridge <interface> with <virtualport type='openvswitch'> and <vlan>:
 * start puts the tap into the Open vSwitch bridge with the command and
 * external ids libvirt uses (ovs-vsctl here is a stand-in that records
 * its arguments: no Open vSwitch runs in the test), sets its MAC and MTU
 * and brings it up; after destroy the port is removed. Needs root. */
static void
testOvsPort(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *fakeDir = NULL;
    g_autofree char *fake = NULL;
    g_autofree char *calls = NULL;
    g_autofree char *text = NULL;
    g_autofree char *oldPath = g_strdup(g_getenv("PATH"));
    g_autofree char *newPath = NULL;
    g_autofree char *tap = g_strdup_printf("vgmovs%u", (unsigned int)getpid() % 100000);
    g_autofree char *mac = NULL;
    g_autofree char *mtu = NULL;
    g_autofree char *flags = NULL;
    g_autofree char *want = NULL;
    g_autofree char *wantDel = NULL;
    g_autoptr(TestRun) run = NULL;

    if (!testHaveQemu())
        return;
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) < 0) {
        g_test_skip("a tap needs root (CAP_NET_ADMIN) and /dev/net/tun");
        return;
    }
    root = testMakeRoot();
    fakeDir = g_build_filename(root, "bin", NULL);
    g_assert_cmpint(g_mkdir(fakeDir, 0755), ==, 0);
    fake = g_build_filename(fakeDir, "ovs-vsctl", NULL);
    calls = g_build_filename(fakeDir, "calls", NULL);
    g_assert_true(g_file_set_contents(fake, "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/calls\"\n",
                                      -1, NULL));
    g_assert_cmpint(g_chmod(fake, 0755), ==, 0);

    newPath = g_strdup_printf("%s:%s", fakeDir, oldPath ? oldPath : "/usr/bin:/bin");
    g_setenv("PATH", newPath, TRUE);

    file = g_build_filename(root, "ovs.xml", NULL);
    text = g_strdup_printf("<domain type='qemu'><name>ovs</name>"
                           "<uuid>5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f</uuid>"
                           "<memory unit='MiB'>128</memory>"
                           "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                           "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                           "<interface type='bridge'><mac address='52:54:00:6a:7b:09'/>"
                           "<source bridge='br-int'/><target dev='%s'/><model type='virtio'/>"
                           "<virtualport type='openvswitch'>"
                           "<parameters interfaceid='2257160d-ccac-4b1a-a00c-b5beb646b7d2'/>"
                           "</virtualport><vlan><tag id='42'/></vlan><mtu size='1450'/></interface>"
                           "<memballoon model='none'/></devices></domain>", tap);
    g_assert_true(g_file_set_contents(file, text, -1, NULL));
    run = testTool(root, "create", file, NULL);
    if (run->status == 0) {
        mac = testSysNet(tap, "address");
        mtu = testSysNet(tap, "mtu");
        flags = testSysNet(tap, "flags");
    }
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "ovs", NULL);
    g_setenv("PATH", oldPath ? oldPath : "/usr/bin:/bin", TRUE);
    TEST_OK(run);

    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(calls, &text, NULL, NULL));
    want = g_strdup_printf("--timeout=5 -- --if-exists del-port %1$s -- add-port br-int %1$s tag=42"
                           " -- set Interface %1$s external-ids:attached-mac=\"52:54:00:6a:7b:09\""
                           " -- set Interface %1$s external-ids:iface-id=\"2257160d-ccac-4b1a-a00c-b5beb646b7d2\""
                           " -- set Interface %1$s external-ids:vm-id=\"5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\""
                           " -- set Interface %1$s external-ids:iface-status=active\n", tap);
    wantDel = g_strdup_printf("--timeout=5 -- --if-exists del-port %s\n", tap);
    {
        g_autofree char *both = g_strconcat(want, wantDel, NULL);

        g_assert_cmpstr(text, ==, both);
    }
    g_assert_cmpstr(mac, ==, "fe:54:00:6a:7b:09");
    g_assert_cmpstr(mtu, ==, "1450");
    g_assert_nonnull(flags);
    g_assert_true(g_ascii_strtoull(flags, NULL, 16) & 0x1);

}

/* <os firmware='efi'> with the host's descriptors (Debian's ovmf): a
 * start makes the varstore from the chosen firmware's template (mode
 * 0600, the template's bytes), QEMU boots the chosen code, and undefine
 * keeps the definition until told what to do with the varstore, which
 * --nvram removes. Skipped without descriptors. */
static void
testUefiVarstore(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *nvram = NULL;
    g_autofree char *vars = NULL;
    g_autofree char *tmpl = NULL;
    gsize varsLen = 0, tmplLen = 0;
    g_autoptr(TestRun) run = NULL;
    GStatBuf st;

    if (!testHaveQemu())
        return;
    if (!g_file_test("/usr/share/qemu/firmware/60-edk2-x86_64.json", G_FILE_TEST_EXISTS) ||
        !g_file_test("/usr/share/OVMF/OVMF_VARS_4M.fd", G_FILE_TEST_EXISTS)) {
        g_test_skip("no UEFI firmware descriptors here (Debian's ovmf package)");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "uefi.xml", NULL);
    /* the PC: Debian's plain OVMF_CODE_4M.fd, varstore OVMF_VARS_4M.fd */
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>uefi</name><memory unit='MiB'>128</memory>"
        "<os firmware='efi'><type arch='x86_64' machine='pc'>hvm</type></os>"
        "<features><acpi/></features>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "--paused", "uefi", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    nvram = g_build_filename(root, "lib", "qemu", "nvram", "uefi_VARS.fd", NULL);
    g_assert_cmpint(g_stat(nvram, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_true(g_file_get_contents(nvram, &vars, &varsLen, NULL));
    g_assert_true(g_file_get_contents("/usr/share/OVMF/OVMF_VARS_4M.fd", &tmpl, &tmplLen, NULL));
    g_assert_cmpuint(varsLen, ==, tmplLen);
    g_assert_true(memcmp(vars, tmpl, varsLen) == 0);
    {
        g_autofree char *cmdlinePath = NULL;
        g_autofree char *cmdline = NULL;
        gsize len = 0;
        gsize k;
        g_autoptr(VgmDriverStatus) status = testLoadStatus(root, "uefi");

        g_assert_nonnull(status);
        cmdlinePath = g_strdup_printf("/proc/%d/cmdline", (int)status->qemu.pid);
        g_assert_true(g_file_get_contents(cmdlinePath, &cmdline, &len, NULL));
        for (k = 0; k + 1 < len; k++) {
            if (!cmdline[k])
                cmdline[k] = ' ';
        }
        g_assert_nonnull(strstr(cmdline, "/usr/share/OVMF/OVMF_CODE_4M.fd"));
        g_assert_nonnull(strstr(cmdline, nvram));
    }
    run = testTool(root, "destroy", "uefi", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    /* told nothing: refused, the definition and the varstore stay */
    run = testTool(root, "undefine", "uefi", NULL);
    g_assert_cmpint(run->status, !=, 0);
    g_assert_nonnull(strstr(run->err, "--nvram"));
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dominfo", "uefi", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    g_assert_true(g_file_test(nvram, G_FILE_TEST_EXISTS));
    run = testTool(root, "undefine", "--nvram", "uefi", NULL);
    TEST_OK(run);
    g_assert_false(g_file_test(nvram, G_FILE_TEST_EXISTS));
}

/* Whether something listens on 127.0.0.1:@port (a TCP connect succeeds). */
static gboolean
testTcpListening(const char *port)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketConnection) conn = NULL;
    guint64 p = g_ascii_strtoull(port, NULL, 10);

    if (p == 0 || p > 65535)
        return FALSE;
    conn = g_socket_client_connect_to_host(client, "127.0.0.1", (guint16)p, NULL, NULL);
    return conn != NULL;
}

/* VNC and SPICE ports the driver chooses (autoport): the live XML names
 * each with the listen address, QEMU listens there, a port another program
 * holds is passed over, a second domain gets ports of its own, and the
 * inactive XML keeps the definition's autoport without a port. A VNC
 * websocket='-1' gets a port from 5700 up the same way, named in the live
 * XML and listened on, -1 kept in the inactive XML. */
static void
testGraphicsPorts(void)
{
    g_autofree char *ws1 = NULL;
    g_autofree char *ws2 = NULL;
    g_autofree char *root = NULL;
    g_autofree char *file1 = NULL;
    g_autofree char *file2 = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *vnc1 = NULL;
    g_autofree char *spice1 = NULL;
    g_autofree char *vnc2 = NULL;
    g_autofree char *held = NULL;
    g_autoptr(GSocket) holder = NULL;
    g_autoptr(TestRun) run = NULL;
    int p;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    /* another program on the lowest free port from 5900: the driver must
     * pass it over */
    for (p = 5900; p < 6100 && !holder; p++) {
        g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
        g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, (guint16)p);
        g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                               G_SOCKET_PROTOCOL_DEFAULT, NULL);

        if (sock && g_socket_bind(sock, addr, TRUE, NULL) && g_socket_listen(sock, NULL)) {
            holder = g_steal_pointer(&sock);
            held = g_strdup_printf("%d", p);
        }
    }
    g_assert_nonnull(holder);

    file1 = g_build_filename(root, "gfx1.xml", NULL);
    g_assert_true(g_file_set_contents(file1,
        "<domain type='qemu'><name>gfx1</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<controller type='usb' model='qemu-xhci'/>"
        "<channel type='spicevmc'><target type='virtio'/></channel>"
        "<graphics type='vnc' autoport='yes' websocket='-1'/>"
        "<graphics type='spice' autoport='yes'/>"
        "<redirdev bus='usb' type='spicevmc'/>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "define", file1, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "--paused", "gfx1", NULL);
    if (run->status != 0 && strstr(run->err, "capability 'spice'")) {
        g_test_skip("this QEMU has no SPICE");
        return;
    }
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "gfx1", NULL);
    TEST_OK(run);
    xml = g_strdup(run->out);
    g_clear_pointer(&run, testRunFree);
    vnc1 = testXPath(xml, "string(/domain/devices/graphics[@type='vnc']/@port)");
    spice1 = testXPath(xml, "string(/domain/devices/graphics[@type='spice']/@port)");
    testAssertXPath(xml, "string(/domain/devices/graphics[@type='vnc']/@autoport)", "yes");
    testAssertXPath(xml, "string(/domain/devices/graphics[@type='spice']/@autoport)", "yes");
    testAssertXPath(xml, "/domain/devices/graphics/listen/@address", "127.0.0.1,127.0.0.1");
    g_assert_cmpstr(vnc1, !=, spice1);
    g_assert_cmpstr(vnc1, !=, held);
    g_assert_cmpstr(spice1, !=, held);
    g_assert_cmpint(atoi(vnc1), >=, 5900);
    g_assert_cmpint(atoi(spice1), >=, 5900);
    g_assert_true(testTcpListening(vnc1));
    g_assert_true(testTcpListening(spice1));
    ws1 = testXPath(xml, "string(/domain/devices/graphics[@type='vnc']/@websocket)");
    g_assert_cmpint(atoi(ws1), >=, 5700);
    g_assert_cmpstr(ws1, !=, vnc1);
    g_assert_cmpstr(ws1, !=, spice1);
    g_assert_true(testTcpListening(ws1));
    run = testTool(root, "dumpxml", "--inactive", "gfx1", NULL);
    TEST_OK(run);
    testAssertXPath(run->out, "string(/domain/devices/graphics[@type='vnc']/@websocket)", "-1");
    testAssertXPath(run->out, "string(/domain/devices/graphics[@type='spice']/@port)", "");
    testAssertXPath(run->out, "string(/domain/devices/graphics[@type='vnc']/@port)", "-1");
    g_clear_pointer(&run, testRunFree);

    /* a second domain, started while the first runs: ports of its own */
    file2 = g_build_filename(root, "gfx2.xml", NULL);
    g_assert_true(g_file_set_contents(file2,
        "<domain type='qemu'><name>gfx2</name><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<graphics type='vnc' websocket='-1'/><memballoon model='none'/></devices></domain>",
        -1, NULL));
    run = testTool(root, "create", "--paused", file2, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "dumpxml", "gfx2", NULL);
    TEST_OK(run);
    vnc2 = testXPath(run->out, "string(/domain/devices/graphics[@type='vnc']/@port)");
    ws2 = testXPath(run->out, "string(/domain/devices/graphics[@type='vnc']/@websocket)");
    g_clear_pointer(&run, testRunFree);
    g_assert_cmpint(atoi(ws2), >=, 5700);
    g_assert_cmpstr(ws2, !=, ws1);
    g_assert_true(testTcpListening(ws2));
    g_assert_cmpstr(vnc2, !=, vnc1);
    g_assert_cmpstr(vnc2, !=, spice1);
    g_assert_cmpstr(vnc2, !=, held);
    g_assert_true(testTcpListening(vnc2));

    run = testTool(root, "destroy", "gfx2", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "gfx1", NULL);
    TEST_OK(run);
}

/* The swtpm of the first running domain's TPM, by its command line: its
 * pid, or 0. */
static pid_t
testSwtpmOf(const char *stateDir)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *ent;

    while (proc && (ent = g_dir_read_name(proc))) {
        g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", ent);
        g_autofree char *cmdline = NULL;
        gsize len = 0, k;

        if (!g_ascii_isdigit(ent[0]) || !g_file_get_contents(path, &cmdline, &len, NULL))
            continue;
        for (k = 0; k + 1 < len; k++) {
            if (!cmdline[k])
                cmdline[k] = ' ';
        }
        if (g_str_has_prefix(cmdline, "swtpm socket") && strstr(cmdline, stateDir))
            return (pid_t)g_ascii_strtoll(ent, NULL, 10);
    }
    return 0;
}

/* <tpm model='tpm-crb'><backend type='emulator'/>: a start manufactures
 * the TPM 2.0 state once with swtpm_setup and runs swtpm before QEMU,
 * whose query-tpm reports the CRB emulator; destroy ends swtpm with QEMU
 * and keeps the state, a second start reuses it; undefine removes it,
 * unless told to keep it. Skipped without swtpm. */
/*
 * <active_pcr_banks> of an emulated TPM 2.0: every start has swtpm_setup
 * activate the listed banks in the state before swtpm runs, as libvirt
 * does (swtpm_setup's log says which), also after the list changes.
 */
static void
testTpmPcrBanks(void)
{
    static const struct {
        const char *banks;
        const char *logged;
    } rounds[] = {
        { "<sha384/><sha256/>", "Successfully activated PCR banks sha256,sha384 among " },
        { "<sha1/>", "Successfully activated PCR banks sha1 among " },
    };
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *log = NULL;
    g_autofree char *swtpm = g_find_program_in_path("swtpm");
    g_autofree char *setup = g_find_program_in_path("swtpm_setup");
    size_t i;

    if (!testHaveQemu())
        return;
    if (!swtpm || !setup) {
        g_test_skip("no swtpm here (Debian's swtpm and swtpm-tools packages)");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "tpm.xml", NULL);
    log = g_build_filename(root, "log", "qemu", "tpmbanks-swtpm.log", NULL);
    for (i = 0; i < G_N_ELEMENTS(rounds); i++) {
        g_autofree char *xml = g_strdup_printf(
            "<domain type='qemu'><name>tpmbanks</name><uuid>0d6e2a4b-7c1f-4e38-9a25-6b3f8c0d1e72</uuid>"
            "<memory unit='MiB'>128</memory>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
            "<devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'>"
            "<active_pcr_banks>%s</active_pcr_banks></backend></tpm>"
            "<memballoon model='none'/></devices></domain>", rounds[i].banks);
        g_autofree char *text = NULL;
        g_autoptr(TestRun) run = NULL;
        g_autoptr(GError) err = NULL;

        g_assert_true(g_file_set_contents(file, xml, -1, &err));
        run = testTool(root, "define", file, NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        g_unlink(log);
        run = testTool(root, "start", "--paused", "tpmbanks", NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        g_assert_true(g_file_get_contents(log, &text, NULL, &err));
        if (!strstr(text, rounds[i].logged))
            g_test_message("swtpm_setup's log:\n%s", text);
        g_assert_nonnull(strstr(text, rounds[i].logged));
        run = testTool(root, "destroy", "tpmbanks", NULL);
        TEST_OK(run);
    }
}

static void
testTpmEmulator(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *stateDir = NULL;
    g_autofree char *permall = NULL;
    g_autofree char *swtpm = g_find_program_in_path("swtpm");
    g_autofree char *setup = g_find_program_in_path("swtpm_setup");
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GError) err = NULL;
    pid_t pid;
    guint round;

    if (!testHaveQemu())
        return;
    if (!swtpm || !setup) {
        g_test_skip("no swtpm here (Debian's swtpm and swtpm-tools packages)");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "tpm.xml", NULL);
    g_assert_true(g_file_set_contents(file,
        "<domain type='qemu'><name>tpm</name>"
        "<uuid>4b2c6f1e-8d3a-4e5b-9c7d-0a1b2c3d4e5f</uuid><memory unit='MiB'>128</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<tpm model='tpm-crb'><backend type='emulator'/></tpm>"
        "<memballoon model='none'/></devices></domain>", -1, NULL));
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    stateDir = g_build_filename(root, "lib", "qemu", "swtpm", "4b2c6f1e-8d3a-4e5b-9c7d-0a1b2c3d4e5f",
                                "tpm2", NULL);
    permall = g_build_filename(stateDir, "tpm2-00.permall", NULL);

    for (round = 0; round < 2; round++) {
        g_autoptr(VgmDriverStatus) status = NULL;
        g_autoptr(JsonNode) ret = NULL;
        g_autofree char *text = NULL;
        GStatBuf before = { 0 }, after = { 0 };

        if (round == 1)
            g_assert_cmpint(g_stat(permall, &before), ==, 0);
        run = testTool(root, "start", "--paused", "tpm", NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        g_assert_true(g_file_test(permall, G_FILE_TEST_EXISTS));
        pid = testSwtpmOf(stateDir);
        g_assert_cmpint(pid, >, 0);
        status = testLoadStatus(root, "tpm");
        {
            g_autoptr(VgmQemuMonitor) mon = vgmQemuMonitorOpen(status->monitor, 5000, &err);

            g_assert_no_error(err);
            g_assert_true(vgmQemuMonitorCommand(mon, "query-tpm", NULL, &ret, &err));
            g_assert_no_error(err);
        }
        text = vgmTestJSONText(ret);
        g_assert_nonnull(strstr(text, "\"model\":\"tpm-crb\""));
        g_assert_nonnull(strstr(text, "\"type\":\"emulator\""));
        /* the state is manufactured once: the second start keeps it */
        if (round == 1) {
            g_assert_cmpint(g_stat(permall, &after), ==, 0);
            g_assert_cmpint(after.st_ino, ==, before.st_ino);
        }
        run = testTool(root, "destroy", "tpm", NULL);
        TEST_OK(run);
        g_clear_pointer(&run, testRunFree);
        testWaitGone(pid);
        g_assert_true(g_file_test(permall, G_FILE_TEST_EXISTS));
    }

    /* kept when asked (libvirt's KEEP_TPM), removed by default */
    {
        g_autoptr(VgmDriverStore) store = vgmDriverStoreOpen(root, &err);

        g_assert_no_error(err);
        g_assert_true(vgmDriverDomainUndefine(store, "tpm", VGM_UNDEFINE_KEEP_TPM, NULL, &err));
        g_assert_no_error(err);
        g_assert_true(g_file_test(permall, G_FILE_TEST_EXISTS));
    }
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "undefine", "tpm", NULL);
    TEST_OK(run);
    g_assert_false(g_file_test(stateDir, G_FILE_TEST_EXISTS));
}

/* The pid in pidfile @path (its first line), or 0 */
static pid_t
testPidFromFile(const char *path)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    return (pid_t)g_ascii_strtoll(text, NULL, 10);
}

/* <filesystem>: a 9p share and a virtiofs share whose virtiofsd the
 * driver runs. The start refuses a missing directory and a binary that is
 * not executable, leaving nothing; a start runs virtiofsd with libvirt's
 * options on the listening socket it hands over (--fd=3), QEMU's devices
 * carry the tags, and destroy ends virtiofsd. */
static void
testFilesystems(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *share9p = NULL;
    g_autofree char *sharevfs = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *pidfile = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *srcOpt = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(GError) err = NULL;
    const char *fmt =
        "<domain type='qemu'><name>fs</name><uuid>9d1e3c5a-7b2f-4e6d-8a0c-1f3b5d7e9a2c</uuid>"
        "<memory unit='MiB'>128</memory>"
        "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<filesystem type='mount' accessmode='mapped'><source dir='%s'/><target dir='nine'/></filesystem>"
        "<filesystem type='mount'><driver type='virtiofs' queue='256'/>"
        "<binary path='%s' xattr='on'><cache mode='none'/><lock posix='off'/><thread_pool size='2'/></binary>"
        "<source dir='%s'/><target dir='vfs'/></filesystem>"
        "<memballoon model='none'/></devices></domain>";
    pid_t vfsd, qemu;

    if (!testHaveQemu())
        return;
    if (!g_file_test("/usr/lib/qemu/virtiofsd", G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("no virtiofsd at /usr/lib/qemu/virtiofsd (Debian's qemu-system-common)");
        return;
    }
    root = testMakeRoot();
    file = g_build_filename(root, "fs.xml", NULL);
    share9p = g_build_filename(root, "share9p", NULL);
    sharevfs = g_build_filename(root, "share,vfs", NULL);

    /* the directories do not exist yet: refused before anything runs */
    xml = g_strdup_printf(fmt, share9p, "/usr/lib/qemu/virtiofsd", sharevfs);
    testDefineXML(root, file, xml);
    testStartRefused(root, "fs", "that <filesystem> 'nine' of domain 'fs' shares does not exist");
    g_assert_cmpint(g_mkdir(share9p, 0755), ==, 0);
    g_assert_cmpint(g_mkdir(sharevfs, 0755), ==, 0);

    /* virtiofsd reads no comma in its source path */
    testStartRefused(root, "fs", "virtiofsd takes no ',' in its source path");
    g_free(sharevfs);
    sharevfs = g_build_filename(root, "share vfs", NULL);
    g_assert_cmpint(g_mkdir(sharevfs, 0755), ==, 0);

    /* a binary that is not one */
    g_free(xml);
    xml = g_strdup_printf(fmt, share9p, root, sharevfs);
    testDefineXML(root, file, xml);
    testStartRefused(root, "fs", "is not an executable file");
    g_assert_false(testStatusExists(root, "fs"));

    g_free(xml);
    xml = g_strdup_printf(fmt, share9p, "/usr/lib/qemu/virtiofsd", sharevfs);
    testDefineXML(root, file, xml);
    run = testTool(root, "start", "--paused", "fs", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);

    status = testLoadStatus(root, "fs");
    qemu = status->qemu.pid;
    pidfile = g_build_filename(root, "run", "qemu", "domain-fs", "fs1-virtiofsd.pid", NULL);
    sock = g_build_filename(root, "run", "qemu", "domain-fs", "fs1-fs.sock", NULL);
    vfsd = testPidFromFile(pidfile);
    g_assert_cmpint(vfsd, >, 1);
    g_assert_true(testPidRuns(vfsd));
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));
    /* libvirt's options */
    srcOpt = g_strdup_printf("source=%s/share vfs,cache=none,xattr,no_posix_lock", root);
    g_assert_true(testProcHasArg(vfsd, "--fd=3"));
    g_assert_true(testProcHasArg(vfsd, srcOpt));
    g_assert_true(testProcHasArg(vfsd, "--thread-pool-size=2"));
    {
        g_autoptr(VgmQemuMonitor) mon = vgmQemuMonitorOpen(status->monitor, 5000, &err);
        static const struct {
            const char *path, *prop, *want;
        } props[] = {
            { "/machine/peripheral/fs0/virtio-backend", "mount_tag", "nine" },
            { "/machine/peripheral/fs1/virtio-backend", "tag", "vfs" },
            { "/machine/peripheral/fs1/virtio-backend", "queue-size", NULL },
        };
        size_t k;

        g_assert_no_error(err);
        for (k = 0; k < G_N_ELEMENTS(props); k++) {
            g_autoptr(JsonObject) args = json_object_new();
            g_autoptr(JsonNode) ret = NULL;

            json_object_set_string_member(args, "path", props[k].path);
            json_object_set_string_member(args, "property", props[k].prop);
            g_assert_true(vgmQemuMonitorCommand(mon, "qom-get", args, &ret, &err));
            g_assert_no_error(err);
            if (props[k].want)
                g_assert_cmpstr(json_node_get_string(ret), ==, props[k].want);
            else
                g_assert_cmpint(json_node_get_int(ret), ==, 256);
        }
    }
    g_assert_true(testPidRuns(qemu));

    run = testTool(root, "destroy", "fs", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    testWaitGone(vfsd);
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    run = testTool(root, "undefine", "fs", NULL);
    TEST_OK(run);
}

/* The per-domain hugetlbfs dir a start makes goes with destroy (through
 * the driver with a fake mount table; the dir is a plain one, which QEMU
 * takes as well). */
static void
testHugetlbfsLifecycle(void)
{
    g_autofree char *root = NULL;
    g_autofree char *mount = NULL;
    g_autofree char *mounts = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *file = NULL;
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *name = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    mounts = testFakeMounts(root, &mount);
    dir = g_build_filename(mount, "virt-gmem", "hp", NULL);
    file = g_build_filename(root, "hp.xml", NULL);
    g_assert_true(g_file_set_contents(file, TEST_HUGEPAGES_XML, -1, NULL));
    store = vgmDriverStoreOpen(root, &err);
    g_assert_no_error(err);
    store->mountsFile = g_strdup(mounts);

    dom = vgmDriverDomainCreate(store, file, 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(dom);
    g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
    g_assert_nonnull(dom->status->hugetlbfsDirs);
    g_assert_cmpstr(dom->status->hugetlbfsDirs[0], ==, dir);

    g_assert_true(vgmDriverDomainDestroy(store, "hp", &name, &err));
    g_assert_no_error(err);
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    g_assert_false(testStatusExists(root, "hp"));
}

static void
testConcurrentStart(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(GSubprocess) a = NULL;
    g_autoptr(GSubprocess) b = NULL;
    g_autofree char *errA = NULL, *errB = NULL;
    g_autoptr(GArray) procs = NULL;
    g_autofree char *needle = NULL;
    const char *loser;
    int winners;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    file = testExample(root, "plain-memfd", FALSE);
    run = testTool(root, "define", file, NULL);
    TEST_OK(run);
    /* probe QEMU once, so both starts race over the start itself */
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "version", NULL);
    TEST_OK(run);

    a = testSpawn(root, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                  (const char *const[]){ "start", "plain-memfd", NULL });
    b = testSpawn(root, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                  (const char *const[]){ "start", "plain-memfd", NULL });
    g_subprocess_communicate_utf8(a, NULL, NULL, NULL, &errA, NULL);
    g_subprocess_communicate_utf8(b, NULL, NULL, NULL, &errB, NULL);
    winners = (g_subprocess_get_exit_status(a) == 0) + (g_subprocess_get_exit_status(b) == 0);
    g_assert_cmpint(winners, ==, 1);
    loser = g_subprocess_get_exit_status(a) == 0 ? errB : errA;
    g_test_message("the losing start said: %s", loser);
    g_assert_true(g_str_has_prefix(loser, "error: Failed to start domain 'plain-memfd'\n"));
    g_assert_true(strstr(loser, "error: Requested operation is not valid: domain plain-memfd is "
                                "locked by another virt-gmem process (pid ") ||
                  strstr(loser, "error: Requested operation is not valid: domain 'plain-memfd' is "
                                "already running\n"));

    needle = g_strdup_printf("%s/run/qemu/domain-plain-memfd/", root);
    procs = testFindProcs(needle);
    g_assert_cmpuint(procs->len, ==, 1);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    TEST_OK(run);

    /* the same, held still: while one start is in the middle, another
     * start fails with the lock holder's pid and list shows the domain
     * starting up */
    {
        g_autoptr(GSubprocess) first =
            testSpawnPaused(root, "start-after-spawn",
                            (const char *const[]){ "start", "plain-memfd", NULL });
        g_autofree char *msg = g_strdup_printf("error: Failed to start domain 'plain-memfd'\n"
                                               "error: Requested operation is not valid: domain plain-memfd "
                                               "is locked by another virt-gmem process (pid %s)\n",
                                               g_subprocess_get_identifier(first));

        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "start", "plain-memfd", NULL);
        g_assert_cmpint(run->status, ==, 1);
        g_assert_cmpstr(run->err, ==, msg);
        testAssertList(root, TRUE, (const char *const[]){ "2", "plain-memfd", "paused", NULL });
        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "domstate", "--reason", "plain-memfd", NULL);
        TEST_OK(run);
        g_assert_cmpstr(run->out, ==, "paused (starting up)\n\n");
        testKill(first);
        testAssertList(root, TRUE, (const char *const[]){ "-", "plain-memfd", "shut off", NULL });
        g_clear_pointer(&procs, g_array_unref);
        procs = testFindProcs(needle);
        g_assert_cmpuint(procs->len, ==, 0);
    }
}

/* UEFI for a 32-bit guest: a descriptor names its target "i386", as
 * QEMU's firmware.json does (Debian's ovmf-ia32), where the domain says
 * i686 */
static void
testFirmwareArch(void)
{
    g_autofree char *dir = g_dir_make_tmp("vgm-fw-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "50-ia32.json", NULL);
    const char *json =
        "{ \"interface-types\": [ \"uefi\" ],\n"
        "  \"mapping\": { \"device\": \"flash\",\n"
        "    \"executable\": { \"filename\": \"/usr/share/OVMF/OVMF32_CODE_4M.fd\", \"format\": \"raw\" },\n"
        "    \"nvram-template\": { \"filename\": \"/usr/share/OVMF/OVMF32_VARS_4M.fd\", \"format\": \"raw\" } },\n"
        "  \"targets\": [ { \"architecture\": \"i386\", \"machines\": [ \"pc-q35-*\" ] } ],\n"
        "  \"features\": [ ] }\n";
    const char *dirs[] = { dir, NULL };

    g_assert_nonnull(dir);
    g_assert_true(g_file_set_contents(file, json, -1, NULL));
    g_assert_true(vgmQemuFirmwareEfiAvailable(dirs, "i686", "pc-q35-7.2"));
    g_assert_false(vgmQemuFirmwareEfiAvailable(dirs, "i686", "pc-i440fx-7.2"));
    g_assert_false(vgmQemuFirmwareEfiAvailable(dirs, "x86_64", "pc-q35-7.2"));
    g_unlink(file);
    g_rmdir(dir);
}

static void
testVersionAndCaps(void)
{
    g_autofree char *root = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autofree char *want = NULL;

    if (!testHaveQemu())
        return;
    root = testMakeRoot();
    run = testTool(root, "version", NULL);
    TEST_OK(run);
    want = g_strdup_printf("Compiled against library: virt-gmem %s\nUsing library: virt-gmem %s\n"
                           "Using API: QEMU %s\nRunning hypervisor: QEMU 7.2.", VERSION, VERSION, VERSION);
    g_assert_true(g_str_has_prefix(run->out, want));

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "domcapabilities", "--machine", "q35", NULL);
    TEST_OK(run);
    g_assert_true(g_str_has_prefix(run->out, "<domainCapabilities>\n  <path>" QEMU_BINARY "</path>\n"));
    g_assert_nonnull(strstr(run->out, "<machine>pc-q35-7.2</machine>"));
    g_assert_null(strstr(run->out, "<value>guestmemfd</value>"));
    /* UEFI is listed where a descriptor offers it for the arch and
     * machine (Debian's ovmf: x86_64 only), as libvirt lists it */
    if (g_file_test("/usr/share/qemu/firmware/60-edk2-x86_64.json", G_FILE_TEST_EXISTS))
        g_assert_nonnull(strstr(run->out, "<value>efi</value>"));
    g_clear_pointer(&run, testRunFree);
    /* a 32-bit guest: its own binary, libvirt's arch name, no UEFI where
     * no descriptor has an i386 target (Debian's ovmf-ia32 has) */
    if (g_file_test("/usr/bin/qemu-system-i386", G_FILE_TEST_IS_EXECUTABLE) &&
        !vgmQemuFirmwareEfiAvailable((const char *const[]){ "/etc/qemu/firmware",
                                                           "/usr/share/qemu/firmware", NULL },
                                     "i686", "pc-q35-7.2")) {
        run = testTool(root, "domcapabilities", "--arch", "i686", "--machine", "q35", NULL);
        TEST_OK(run);
        g_assert_true(g_str_has_prefix(run->out, "<domainCapabilities>\n  <path>/usr/bin/qemu-system-i386</path>\n"));
        g_assert_nonnull(strstr(run->out, "<arch>i686</arch>"));
        g_assert_null(strstr(run->out, "<value>efi</value>"));
        g_clear_pointer(&run, testRunFree);
    }
    /* host-model under TCG: the named model QEMU 7.2's TCG CPU is closest
     * to, libvirt 9.0's choice too, with the features that make it that */
    run = testTool(root, "domcapabilities", "--virttype", "qemu", NULL);
    TEST_OK(run);
    g_assert_nonnull(strstr(run->out, "<mode name='host-passthrough' supported='no'/>\n"));
    g_assert_nonnull(strstr(run->out,
                            "<mode name='host-model' supported='yes'>\n"
                            "      <model fallback='forbid'>EPYC</model>\n"
                            "      <vendor>AMD</vendor>\n"
                            "      <feature policy='require' name='3dnow'/>\n"));
    g_assert_nonnull(strstr(run->out, "<feature policy='disable' name='fxsr_opt'/>\n"));
    if (access("/dev/kvm", R_OK | W_OK) == 0) {
        VgmDriverHostFacts facts = { 0 };

        g_clear_pointer(&run, testRunFree);
        run = testTool(root, "domcapabilities", "--machine", "q35", NULL);
        TEST_OK(run);
        g_assert_nonnull(strstr(run->out, "<enum name='hostPassthroughMigratable'>"));
        /* the host's guest_memfd flags as the host probe finds them (a
         * KVM host may have no guest_memfd: then an empty list) */
        vgmDriverHostFactsProbe(&facts);
        g_assert_cmpint(strstr(run->out, "<flag name='mmap'/>") != NULL, ==,
                        facts.guestMemfd && (facts.gmemFlags & VGM_HOST_GMEM_MMAP));
        g_assert_cmpint(strstr(run->out, "<flag name='init-shared'/>") != NULL, ==,
                        facts.guestMemfd && (facts.gmemFlags & VGM_HOST_GMEM_INIT_SHARED));
        if (!facts.guestMemfd)
            g_assert_nonnull(strstr(run->out, "<host supported='no'/>\n      <hostFlags/>"));
    }

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "capabilities", NULL);
    TEST_OK(run);
    g_assert_true(g_str_has_prefix(run->out, "<capabilities>\n\n  <host>\n"));
    g_assert_nonnull(strstr(run->out, "\n    <cpu>\n      <arch>"));
    g_assert_nonnull(strstr(run->out, "<emulator>" QEMU_BINARY "</emulator>"));
    /* the i686 guest first, as libvirt lists it (virt-install --arch
     * i686 looks for it) */
    if (g_file_test("/usr/bin/qemu-system-i386", G_FILE_TEST_IS_EXECUTABLE)) {
        const char *i686 = strstr(run->out, "<arch name='i686'>\n"
                                            "      <wordsize>32</wordsize>\n"
                                            "      <emulator>/usr/bin/qemu-system-i386</emulator>\n");

        g_assert_nonnull(i686);
        g_assert_true(i686 < strstr(run->out, "<arch name='x86_64'>"));
        g_assert_nonnull(strstr(i686, "<features>\n      <pae/>\n      <nonpae/>\n"));
    }
}

/* A failed assertion aborts: stop the QEMUs of every root on the way out
 * (not async-signal-safe, but the process is dying anyway). */
static void
testAbortHandler(int sig)
{
    guint i;

    for (i = 0; testRoots && i < testRoots->len; i++) {
        testSweep(g_ptr_array_index(testRoots, i));
        /* the tree stays, for a look at what failed */
        g_printerr("# test root kept: %s\n", (const char *)g_ptr_array_index(testRoots, i));
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The image's bytes [@at, @at + strlen(@text)) are @text */
static gboolean
testImageHas(const char *path, goffset at, const char *text)
{
    g_autofree char *all = NULL;
    gsize len = 0;

    g_assert_true(g_file_get_contents(path, &all, &len, NULL));
    return (gsize)at + strlen(text) <= len && memcmp(all + at, text, strlen(text)) == 0;
}

/* virDomainGetDiskErrors read from a query-block reply (captured shape of
 * QEMU 7.2's, with io-status as a device with rerror/werror='stop' has
 * it): a disk per device stopped on an error, with libvirt's code; 'ok'
 * and a device without io-status are none */
static void
testDiskErrorsRead(void)
{
    const char *xml =
        "<domain type='qemu'><name>e</name><memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/a.raw'/><target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><source file='/b.raw'/><target dev='vdb' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><source file='/c.raw'/><target dev='vdc' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><source file='/d.raw'/><target dev='vdd' bus='virtio'/></disk>"
        "</devices></domain>";
    const char *reply =
        "[{\"device\":\"\",\"qdev\":\"/machine/peripheral/virtio-disk0/virtio-backend\","
        "\"io-status\":\"nospace\",\"locked\":false,\"removable\":false},"
        "{\"device\":\"\",\"qdev\":\"/machine/peripheral/virtio-disk1/virtio-backend\","
        "\"io-status\":\"ok\",\"locked\":false,\"removable\":false},"
        "{\"device\":\"\",\"qdev\":\"/machine/peripheral/virtio-disk2/virtio-backend\","
        "\"io-status\":\"failed\",\"locked\":false,\"removable\":false},"
        "{\"device\":\"\",\"qdev\":\"/machine/peripheral/virtio-disk3/virtio-backend\","
        "\"locked\":false,\"removable\":false}]";
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(xml, NULL, 0, &err);
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GPtrArray) errors = NULL;
    const VgmDriverDiskError *e;

    g_assert_no_error(err);
    g_assert_true(json_parser_load_from_data(parser, reply, -1, NULL));
    errors = vgmDriverDiskErrorsRead(def, json_parser_get_root(parser));
    g_assert_cmpuint(errors->len, ==, 2);
    e = g_ptr_array_index(errors, 0);
    g_assert_cmpstr(e->disk, ==, "vda");
    g_assert_cmpint(e->error, ==, VGM_DOMAIN_DISK_ERROR_NO_SPACE);
    e = g_ptr_array_index(errors, 1);
    g_assert_cmpstr(e->disk, ==, "vdc");
    g_assert_cmpint(e->error, ==, VGM_DOMAIN_DISK_ERROR_UNSPEC);
}

static void
testSaveImageUpdate(void)
{
    g_autofree char *dir = g_dir_make_tmp("vgm-saveimg-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "img", NULL);
    g_autofree char *tmp = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *big = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GError) err = NULL;
    const char *v1 = "<domain><name>a</name></domain>";
    const char *v2 = "<domain><name>a</name><description>two</description></domain>";
    const char *v3 = "<domain><name>c</name></domain>";
    const char *stream = "QEMU-STREAM-BYTES";
    gboolean running = FALSE;
    gsize len;
    int fd;

    g_assert_nonnull(dir);
    fd = vgmDriverSaveImageCreate(path, v1, TRUE, &tmp, &err);
    g_assert_no_error(err);
    g_assert_true(write(fd, stream, strlen(stream)) == (ssize_t)strlen(stream));
    close(fd);
    g_assert_cmpint(rename(tmp, path), ==, 0);

    /* the second XML goes after the first, which stays whole */
    g_assert_true(vgmDriverSaveImageUpdate(path, v2, 0, &err));
    g_assert_no_error(err);
    g_assert_true(testImageHas(path, 40, v1));
    g_assert_true(testImageHas(path, 40 + strlen(v1), v2));
    g_assert_true(vgmDriverSaveImageOpen(path, &xml, &running, NULL, &err));
    g_assert_cmpstr(xml, ==, v2);
    g_assert_false(running);
    g_clear_pointer(&xml, g_free);

    /* the third (shorter than the first) back at the start, the second
     * whole; the flag kept (-1) */
    g_assert_true(vgmDriverSaveImageUpdate(path, v3, -1, &err));
    g_assert_true(testImageHas(path, 40, v3));
    g_assert_true(testImageHas(path, 40 + strlen(v1), v2));
    g_assert_true(vgmDriverSaveImageOpen(path, &xml, &running, NULL, &err));
    g_assert_cmpstr(xml, ==, v3);
    g_assert_false(running);
    g_clear_pointer(&xml, g_free);

    /* only the flag: running again, the XML kept */
    g_assert_true(vgmDriverSaveImageUpdate(path, NULL, 1, &err));
    g_assert_true(vgmDriverSaveImageOpen(path, &xml, &running, NULL, &err));
    g_assert_cmpstr(xml, ==, v3);
    g_assert_true(running);
    g_clear_pointer(&xml, g_free);

    /* one that does not fit: refused, not a byte changed; the stream
     * where it was all along */
    g_assert_true(g_file_get_contents(path, &before, &len, NULL));
    g_assert_true(testImageHas(path, len - strlen(stream), stream));
    big = g_strnfill(len, 'x');
    g_assert_false(vgmDriverSaveImageUpdate(path, big, 0, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(err->message, "does not fit in save image"));
    g_assert_true(g_file_get_contents(path, &after, NULL, NULL));
    g_assert_cmpmem(before, len, after, len);

    g_unlink(path);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    int ret;
    guint i;

    g_test_init(&argc, &argv, NULL);
    testRoots = g_ptr_array_new_with_free_func(g_free);
    signal(SIGABRT, testAbortHandler);
    signal(SIGTRAP, testAbortHandler);

    g_test_add_func("/driver/store/names", testNames);
    g_test_add_func("/driver/store/proc-stat", testProcStat);
    g_test_add_func("/driver/store/status-round-trip", testStatusRoundTrip);
    g_test_add_func("/driver/live-xml/keep-as-ran", testKeepAsRan);
    g_test_add_func("/driver/live-xml/firmware", testLiveFirmware);
    g_test_add_func("/driver/store/device-change", testDeviceChange);
    g_test_add_func("/driver/store/ids-and-locks", testIdsAndLocks);
    g_test_add_func("/driver/store/monitor-mark", testMonitorMark);
    g_test_add_func("/driver/store/config-leftovers", testConfigLeftovers);
    g_test_add_func("/driver/process/monitor-path", testMonitorPath);
    g_test_add_func("/driver/process/memdev-check", testMemdevCheck);
    g_test_add_func("/driver/caps/domain-capabilities", testDomainCaps);
    g_test_add_func("/driver/caps/gmem-need", testGmemNeed);
    g_test_add_func("/driver/caps/firmware-arch", testFirmwareArch);
    g_test_add_func("/driver/caps/in-place-kernel", testInPlaceKernel);
    g_test_add_func("/driver/process/find", testProcessFind);
    g_test_add_func("/driver/store/bad-status", testBadStatus);
    g_test_add_func("/driver/store/broken-config", testBrokenConfig);
    g_test_add_func("/driver/store/name-control-chars", testNameControlChars);
    g_test_add_func("/driver/store/hugetlbfs-dirs", testHugetlbfsDirs);
    g_test_add_func("/driver/host/kvm-guest-memfd", testHostProbe);
    g_test_add_func("/driver/lifecycle/plain-memfd", testPlainMemfd);
    g_test_add_func("/driver/lifecycle/gmem-on-qemu-7.2", testGmemOnOldQemu);
    g_test_add_func("/driver/lifecycle/host-cpu-refused-by-kvm", testHostCpuRefusedByKvm);
    g_test_add_func("/driver/lifecycle/cpu-check", testCpuCheck);
    g_test_add_func("/driver/lifecycle/dead-qemu", testDeadQemu);
    g_test_add_func("/driver/lifecycle/transient", testTransient);
    g_test_add_func("/driver/lifecycle/killed-define", testKilledDefine);
    g_test_add_func("/driver/lifecycle/rename", testRename);
    g_test_add_func("/driver/lifecycle/killed-start", testKilledStart);
    g_test_add_func("/driver/lifecycle/concurrent-start", testConcurrentStart);
    g_test_add_func("/driver/lifecycle/same-uuid-create", testSameUuidCreate);
    g_test_add_func("/driver/lifecycle/poweroff", testPoweroff);
    g_test_add_func("/driver/lifecycle/hugetlbfs", testHugetlbfsLifecycle);
    g_test_add_func("/driver/lifecycle/named-tap", testNamedTap);
    g_test_add_func("/driver/lifecycle/bridge-tap-named", testBridgeTapNamed);
    g_test_add_func("/driver/lifecycle/ethernet-taps", testEthernetTaps);
    g_test_add_func("/driver/lifecycle/direct-macvtap", testDirectMacvtap);
    g_test_add_func("/driver/lifecycle/backend-tap", testBackendTap);
    g_test_add_func("/driver/lifecycle/vsock", testVsock);
    g_test_add_func("/driver/lifecycle/network-disk-auth", testNetworkDiskAuth);
    g_test_add_func("/driver/lifecycle/network-disk-cookies", testNetworkDiskCookies);
    g_test_add_func("/driver/lifecycle/transient-disk", testTransientDisk);
    g_test_add_func("/driver/lifecycle/ovs-port", testOvsPort);
    g_test_add_func("/driver/lifecycle/uefi-varstore", testUefiVarstore);
    g_test_add_func("/driver/lifecycle/tpm-emulator", testTpmEmulator);
    g_test_add_func("/driver/lifecycle/tpm-pcr-banks", testTpmPcrBanks);
    g_test_add_func("/driver/lifecycle/filesystems", testFilesystems);
    g_test_add_func("/driver/lifecycle/placement-auto", testPlacementAuto);
    g_test_add_func("/driver/lifecycle/graphics-ports", testGraphicsPorts);
    g_test_add_func("/driver/lifecycle/cputune-pins", testCputunePins);
    g_test_add_func("/driver/lifecycle/vcpu-hotplug", testVcpuHotplug);
    g_test_add_func("/driver/cgroup/plan", testCgroupPlan);
    g_test_add_func("/driver/lifecycle/memlock-limit", testMemlockLimit);
    g_test_add_func("/driver/tune-apply", testTuneApply);
    g_test_add_func("/driver/save-image-update", testSaveImageUpdate);
    g_test_add_func("/driver/disk-errors", testDiskErrorsRead);
    g_test_add_func("/driver/lifecycle/cgroup-fake-v2", testCgroupFakeV2);
    g_test_add_func("/driver/lifecycle/cgroup-partition", testCgroupPartition);
    g_test_add_func("/driver/lifecycle/cgroup-host", testCgroupHost);
    g_test_add_func("/driver/lifecycle/version-and-caps", testVersionAndCaps);

    ret = g_test_run();

    for (i = 0; i < testRoots->len; i++) {
        const char *root = g_ptr_array_index(testRoots, i);

        testSweep(root);
        vgmTestRemoveTree(root);
    }
    g_ptr_array_unref(testRoots);
    return ret;
}
