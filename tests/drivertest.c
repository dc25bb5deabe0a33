/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * drivertest.c: the embedded driver (src/driver) and the lifecycle
 * commands of the tool (tools/vgm_cmd_lifecycle.c).
 *
 * Covers, without QEMU:
 *  - domain names that cannot be file names are refused;
 *  - /proc/PID/stat parsing (command names with spaces and parentheses),
 *    and this process's identity (pid, start time, boot id);
 *  - status files: format and parse give the same status back;
 *  - domain ids count up per root;
 *  - the domain lock: a second taker fails with "domain NAME is locked by
 *    another virt-gmem process (pid N)" after its bounded retry;
 *  - configs: the staging file and vgmFileWriteAtomic temporaries a killed
 *    define may leave are not domains and are removed by the next define;
 *  - the monitor path found in a rendered command line (doubled commas);
 *  - the query-memdev check against a plan: match, missing backend, wrong
 *    size, wrong share, each with its message;
 *  - domain capabilities from the capability sets in
 *    tests/qemucapabilitiesdata with synthetic host facts: guestmemfd among
 *    the source types only when QEMU has a spelling and the host has
 *    guest_memfd with mmap and init-shared; the host flags; in-place
 *    conversion per launch security type; live update per source type;
 *  - the host's /dev/kvm: guest_memfd with MMAP and INIT_SHARED (skipped
 *    without /dev/kvm).
 * With Debian's QEMU (skipped, with the reason, when it is absent), through
 * the virt-gmem binary, each in its own --root:
 *  - examples/plain-memfd.xml (two NUMA cells, memfd): define, list --all,
 *    start, list, the status file (pid, plan: ram-node0/1, memfd, share,
 *    sizes), dumpxml (live: id and the resolved machine; --inactive: the
 *    config), dominfo, domstate, domid, domname, domuuid, destroy,
 *    undefine, each with virsh's exact output. Without /dev/kvm the domain
 *    type is switched to 'qemu' (TCG), and the test says so;
 *  - examples/gmem-shared.xml on QEMU 7.2: start fails with the rule 9
 *    message and leaves no QEMU and no status file;
 *  - a QEMU that died (SIGKILL) is noticed by the next command: the domain
 *    reads 'shut off' and its status file is gone;
 *  - undefine of a running domain makes it transient; it disappears when
 *    destroyed; create starts a transient domain, which undefine refuses;
 *  - one uuid under two names is refused with both names;
 *  - shutdown's output, and its error on a domain that is not running;
 *  - the tool killed in define (VIRT_GMEM_TEST_PAUSE_AT=define-before-rename)
 *    leaves the old config, whole; killed in start
 *    (VIRT_GMEM_TEST_PAUSE_AT=start-after-spawn) leaves a QEMU and a
 *    'starting' status that the next command removes;
 *  - two concurrent starts of one domain: one starts it, the other fails
 *    with a clear error, one QEMU runs; and with the first held in the
 *    middle of its start, the second fails with "domain NAME is locked by
 *    another virt-gmem process (pid N)" and list shows it starting up;
 *  - version and domcapabilities against the real binary.
 * Every QEMU started is stopped; a last sweep kills any QEMU whose command
 * line names a test root.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "driver/driver_caps.h"
#include "driver/driver_domain.h"
#include "driver/driver_process.h"
#include "driver/driver_store.h"
#include "host/vgmhost.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_plan.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"

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

static void
testRemoveTree(const char *path)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (g_file_test(path, G_FILE_TEST_IS_SYMLINK) ||
        !g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_unlink(path);
        return;
    }
    if ((dir = g_dir_open(path, 0, NULL))) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *sub = g_build_filename(path, name, NULL);
            testRemoveTree(sub);
        }
    }
    g_rmdir(path);
}

/* A fresh root under /tmp (short: the monitor socket path must fit). */
static char *
testMakeRoot(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("vgm-drv-XXXXXX", &err);

    g_assert_no_error(err);
    g_ptr_array_add(testRoots, g_strdup(dir));
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

/* Pids of running processes whose command line contains @needle. */
static GArray *
testFindProcs(const char *needle)
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
        if (strstr(cmd, needle) && strstr(cmd, "qemu-system") && testPidRuns(pid))
            g_array_append_val(pids, pid);
    }
    return pids;
}

/* Kills every QEMU whose command line names @root. */
static void
testSweep(const char *root)
{
    g_autoptr(GArray) pids = testFindProcs(root);
    guint i;

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
    st->emulator = g_strdup(QEMU_BINARY);
    st->capsName = g_strdup("qemu-7.2-debian");
    st->capsVersion = g_strdup("7.2.22");
    st->machine = g_strdup("pc-q35-7.2");
    st->startedAt = 1700000000;
    st->log = g_strdup("/r/log/qemu/dom.log");
    st->xml = g_strdup("<domain type='qemu'>\n  <name>dom</name>\n</domain>\n");
    st->transient = TRUE;
    g_assert_true(json_parser_load_from_data(parser, "{\"backends\": [{\"id\": \"pc.ram\"}]}", -1, &err));
    st->plan = json_node_copy(json_parser_get_root(parser));

    text = vgmDriverStatusFormat(st);
    back = vgmDriverStatusParse(text, "test", &err);
    g_assert_no_error(err);
    again = vgmDriverStatusFormat(back);
    g_assert_cmpstr(text, ==, again);
    g_assert_cmpint(back->qemu.pid, ==, 4242);
    g_assert_cmpint(back->starterPid, ==, 17);
    g_assert_true(back->transient);
    g_assert_cmpint(back->state, ==, VGM_DRIVER_STATUS_STARTING);

    g_assert_null(vgmDriverStatusParse("{\"name\": \"x\"}", "broken", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INTERNAL);
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
    g_assert_true(vgmDriverStoreAllocateId(store, &a, &err));
    g_assert_true(vgmDriverStoreAllocateId(store, &b, &err));
    g_assert_cmpint(a, ==, 1);
    g_assert_cmpint(b, ==, 2);

    lock = vgmDriverStoreLockDomain(store, "dom", 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(lock);
    /* flock belongs to the open file: a second open conflicts, also here */
    g_assert_null(vgmDriverStoreLockDomain(store, "dom", 100, &err));
    want = g_strdup_printf("domain dom is locked by another virt-gmem process (pid %d)", (int)getpid());
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_INVALID);
    g_assert_cmpstr(err->message, ==, want);
    g_clear_error(&err);
    g_clear_pointer(&lock, vgmDriverLockRelease);
    lock = vgmDriverStoreLockDomain(store, "dom", 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull(lock);
}

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
    char *xml = vgmDriverDomainCapsFormat(caps, QEMU_BINARY, virttype, "q35", facts, &err);

    g_assert_no_error(err);
    return xml;
}

#define GMEM_SOURCES "<value>memfd</value>\n      <value>guestmemfd</value>\n"

static void
testDomainCaps(void)
{
    VgmDriverHostFacts host = { 0 };
    VgmDriverHostFacts noflags = { 0 };
    g_autofree char *x72 = NULL;
    g_autofree char *xmemfd = NULL;
    g_autofree char *xnohost = NULL;
    g_autofree char *xinplace = NULL;
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
    g_assert_nonnull(strstr(x72, "<domain>kvm</domain>\n"));
    g_assert_nonnull(strstr(x72, "<machine>pc-q35-7.2</machine>\n"));
    g_assert_nonnull(strstr(x72, "<value>file</value>\n      <value>anonymous</value>\n      <value>memfd</value>\n    </enum>"));
    g_assert_null(strstr(x72, "<value>guestmemfd</value>"));
    g_assert_nonnull(strstr(x72, "<guestMemfd supported='no'>\n      <qemu supported='no'/>\n      <host supported='yes'/>\n"
                                 "      <hostFlags>\n        <flag name='mmap'/>\n        <flag name='init-shared'/>\n      </hostFlags>\n"));
    g_assert_nonnull(strstr(x72, "<inPlaceConversion supported='no'/>"));
    g_assert_nonnull(strstr(x72, "<liveUpdate supported='no'/>"));
    g_assert_nonnull(strstr(x72, "<sev supported='no'/>"));

    /* Peter Xu's guest-memfd property on a capable host */
    xmemfd = testDomCaps("qemu-gmem-memfd", &host, "kvm");
    g_assert_nonnull(strstr(xmemfd, GMEM_SOURCES));
    g_assert_nonnull(strstr(xmemfd, "<guestMemfd supported='yes'>\n      <qemu supported='yes'/>\n      <host supported='yes'/>\n"));
    g_assert_nonnull(strstr(xmemfd, "<liveUpdate supported='yes'>\n        <enum name='sourceType'>\n"
                                    "          <value>memfd</value>\n          <value>file</value>\n"
                                    "          <value>guestmemfd</value>\n"));

    /* ... but the host lacks init-shared */
    xnohost = testDomCaps("qemu-gmem-memfd", &noflags, "kvm");
    g_assert_null(strstr(xnohost, "<value>guestmemfd</value>\n    </enum>\n  </memoryBacking>"));
    g_assert_nonnull(strstr(xnohost, "<guestMemfd supported='no'>\n      <qemu supported='yes'/>\n      <host supported='no'/>\n"
                                     "      <hostFlags>\n        <flag name='mmap'/>\n      </hostFlags>\n"));

    /* AMD's branch on an SNP host: in-place conversion for sev-snp */
    host.sev = host.sevSnp = TRUE;
    host.snpGmemMmap = TRUE;
    xinplace = testDomCaps("qemu-gmem-inplace", &host, "kvm");
    g_assert_nonnull(strstr(xinplace, "<inPlaceConversion supported='yes'>\n"
                                      "        <enum name='launchSecurityType'>\n"
                                      "          <value>sev-snp</value>\n        </enum>\n"));
    g_assert_nonnull(strstr(xinplace, "<launchSecurity supported='yes'>\n      <enum name='sectype'>\n"
                                      "        <value>sev</value>\n        <value>sev-snp</value>\n"));

    /* the machine knob, on a TDX host */
    host.sev = host.sevSnp = host.snpGmemMmap = FALSE;
    host.tdx = host.tdxGmemMmap = TRUE;
    xmachine = testDomCaps("qemu-gmem-machine", &host, "kvm");
    g_assert_nonnull(strstr(xmachine, "<value>tdx</value>"));
    g_assert_nonnull(strstr(xmachine, "<tdx supported='yes'/>"));

    /* upstream 10.1: SNP and TDX objects, no guest_memfd spelling, but
     * aux-ram-share: live update with memfd and file */
    x101 = testDomCaps("qemu-10.1", &host, "kvm");
    g_assert_nonnull(strstr(x101, "<guestMemfd supported='no'>\n      <qemu supported='no'/>"));
    g_assert_nonnull(strstr(x101, "<inPlaceConversion supported='no'/>"));
    g_assert_nonnull(strstr(x101, "<liveUpdate supported='yes'>"));

    /* TCG: no guest_memfd at all (rule 5) */
    xtcg = testDomCaps("qemu-gmem-memfd", &host, "qemu");
    g_assert_nonnull(strstr(xtcg, "<domain>qemu</domain>"));
    g_assert_nonnull(strstr(xtcg, "<mode name='host-passthrough' supported='no'/>"));
    g_assert_null(strstr(xtcg, "<value>guestmemfd</value>\n    </enum>\n  </memoryBacking>"));
    g_assert_nonnull(strstr(xtcg, "<qemu supported='no'/>"));
}

/* ---------------- host ---------------- */

static void
testHostProbe(void)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    g_autoptr(GError) err = NULL;

    if (access("/dev/kvm", F_OK) < 0) {
        g_test_skip("no /dev/kvm on this host");
        return;
    }
    g_assert_true(vgmHostKvmProbe(NULL, VGM_HOST_KVM_X86_DEFAULT_VM, &info, &err));
    g_assert_no_error(err);
    g_assert_true(info.available);
    g_assert_true(info.guestMemfd);
    g_assert_true(info.mmap);
    g_assert_true(info.initShared);
    g_assert_true(vgmHostGuestMemfdCheck(&info, VGM_HOST_GMEM_MMAP | VGM_HOST_GMEM_INIT_SHARED, &err));
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

static void
testPlainMemfd(void)
{
    g_autofree char *root = NULL;
    g_autofree char *file = NULL;
    g_autofree char *want = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(TestRun) run = NULL;
    g_autoptr(JsonNode) node = NULL;
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
    g_assert_nonnull(strstr(run->out, "machine='q35'"));

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
    g_assert_true(g_str_has_suffix(run->out,
                                   "Max memory:     524288 KiB\nUsed memory:    524288 KiB\n"
                                   "Persistent:     yes\nAutostart:      disable\nManaged save:   no\n"
                                   "Security model: none\nSecurity DOI:   0\n\n"));
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
                                  "error: domain 'plain-memfd' is not running\n");
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "shutdown", "plain-memfd", NULL);
    g_assert_cmpint(run->status, ==, 1);
    g_assert_cmpstr(run->err, ==, "error: Failed to shutdown domain 'plain-memfd'\n"
                                  "error: domain 'plain-memfd' is not running\n");

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
                                   "error: this QEMU binary does not support guest_memfd memory backends"));
    g_assert_false(testStatusExists(root, "gmem-shared"));
    procs = testFindProcs("guest=gmem-shared");
    g_assert_cmpuint(procs->len, ==, 0);
    testAssertList(root, TRUE, (const char *const[]){ "-", "gmem-shared", "shut off", NULL });
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
    g_assert_cmpstr(run->out, ==, "shut off (unknown)\n\n");
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
                                  "error: cannot undefine transient domain 'plain-memfd'\n");
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
                                "error: domain 'kd' already exists with uuid 0b9f4a3e-2f55-4f0c-9f8e-0d7d2a1c3b4e; "
                                "the new definition names it 'kd2'\n"));
    }
}

static void
testKilledStart(void)
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

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "start", "plain-memfd", NULL);
    TEST_OK(run);
    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "destroy", "plain-memfd", NULL);
    TEST_OK(run);
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
    g_assert_true(strstr(loser, "error: domain plain-memfd is locked by another virt-gmem process (pid ") ||
                  strstr(loser, "error: domain 'plain-memfd' is already running\n"));

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
                                               "error: domain plain-memfd is locked by another virt-gmem process (pid %s)\n",
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
    if (access("/dev/kvm", R_OK | W_OK) == 0) {
        g_assert_nonnull(strstr(run->out, "<flag name='mmap'/>"));
        g_assert_nonnull(strstr(run->out, "<flag name='init-shared'/>"));
    }

    g_clear_pointer(&run, testRunFree);
    run = testTool(root, "capabilities", NULL);
    TEST_OK(run);
    g_assert_true(g_str_has_prefix(run->out, "<capabilities>\n\n  <host>\n    <cpu>\n      <arch>"));
    g_assert_nonnull(strstr(run->out, "<emulator>" QEMU_BINARY "</emulator>"));
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
    g_test_add_func("/driver/store/ids-and-locks", testIdsAndLocks);
    g_test_add_func("/driver/store/config-leftovers", testConfigLeftovers);
    g_test_add_func("/driver/process/monitor-path", testMonitorPath);
    g_test_add_func("/driver/process/memdev-check", testMemdevCheck);
    g_test_add_func("/driver/caps/domain-capabilities", testDomainCaps);
    g_test_add_func("/driver/host/kvm-guest-memfd", testHostProbe);
    g_test_add_func("/driver/lifecycle/plain-memfd", testPlainMemfd);
    g_test_add_func("/driver/lifecycle/gmem-on-qemu-7.2", testGmemOnOldQemu);
    g_test_add_func("/driver/lifecycle/dead-qemu", testDeadQemu);
    g_test_add_func("/driver/lifecycle/transient", testTransient);
    g_test_add_func("/driver/lifecycle/killed-define", testKilledDefine);
    g_test_add_func("/driver/lifecycle/killed-start", testKilledStart);
    g_test_add_func("/driver/lifecycle/concurrent-start", testConcurrentStart);
    g_test_add_func("/driver/lifecycle/version-and-caps", testVersionAndCaps);

    ret = g_test_run();

    for (i = 0; i < testRoots->len; i++) {
        const char *root = g_ptr_array_index(testRoots, i);

        testSweep(root);
        testRemoveTree(root);
    }
    g_ptr_array_unref(testRoots);
    return ret;
}
