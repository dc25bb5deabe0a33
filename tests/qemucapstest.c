/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemucapstest.c: QEMU capabilities (src/qemu/qemu_capabilities.c).
 *
 * Covers:
 *  - the flag table: every flag name maps to its enum and back, names are
 *    unique, every flag has a probe;
 *  - every capability set in tests/qemucapabilitiesdata/: it loads, it is in
 *    canonical form (format(load(file)) is the file, byte for byte), its name
 *    is its file name, its flags agree with its schema;
 *  - per set, the facts spec section 5 states, positive and negative;
 *  - machine lookup by name, alias and default;
 *  - vgmQemuCapsCheckObject / CheckDevice / CheckMachineProp accept valid
 *    input and reject unknown types, unknown properties and wrong value
 *    types with the exact message;
 *  - malformed capability files are rejected with a message;
 *  - host-model's choice of a named model (vgmQemuCpuExpandHostModel) on
 *    a made-up host CPU: the host's vendor only, a model of the host's
 *    family and model first, then the fewest differences, fewer features
 *    turned off on a tie, then the first name; the domain's features on
 *    top, and the live XML's custom CPU (vgmQemuCpuHostModelToCustom)
 *    keeping their policies; a vendor no model has, and a set without the
 *    accelerator's host CPU, are refused;
 *  - CPU comparison (vgmQemuCpuCompare) with libvirt's rules on a made-up
 *    host CPU and models: identical, superset, strict match, required
 *    features missing, what a feature disables, forces or makes optional,
 *    forbidden features the host has, vendor, a host CPU (<arch>) and its
 *    arch, unknown models and features and malformed descriptions;
 *  - CPU baseline (vgmQemuCpuBaseline): the one model named, the cheapest
 *    model (a removed feature weighing more than an added one), vendor
 *    only when all name it, the hypervisor's limit, expanded features, the
 *    migratable and never-set features left out, vendors that differ or
 *    are unknown, nothing in common;
 *  - the host CPU from CPUID (vgmQemuCpuFromCpuid) with a stand-in CPUID:
 *    vendor, family and model with their extended fields, stepping, the
 *    features' names; against it, models whose every definition has
 *    'hypervisor' and an MSR feature (a physical host has neither): read
 *    as QEMU has them none fits, read as CPUID can see them one does, and
 *    wins a tie over a generic model; comparisons and an expanded baseline
 *    leave both features out;
 *  - the real binaries, one test each (/qemucaps/real-binary/SET): probing
 *    it gives the stored set, except the volatile fields (description,
 *    kvm.enabled, cpu.kvm), host CPU and CPU models under TCG included; skipped, with the reason, when the binary is absent or
 *    is another build than the one captured:
 *      qemu-7.2-debian   /usr/bin/qemu-system-x86_64 (or $VGM_QEMU_BINARY),
 *                        Debian 12's QEMU 7.2;
 *      qemu-10.0-debian  Debian's bookworm-backports QEMU 10.0, which
 *                        scripts/fetch-qemu10.sh unpacks into
 *                        $VGM_BUILDDIR/tests/qemu-10.0 on first use, run
 *                        through its wrapper (vgmTestQemu10Binary); skipped
 *                        with the script's reason when it cannot fetch it;
 *    and the probe leaves nothing in its temporary directory's parent
 *    (this program's own TMPDIR);
 *  - a probe's QEMU killed without a word on its stderr (a wrapper of the
 *    7.2 binary SIGKILLs its QEMU of the TCG host CPU probe): killed once, it is started
 *    again and the TCG host CPU is probed; killed every time, the message
 *    says it was killed and the set has no TCG host CPU;
 *  - the cache (with the 7.2 binary): a second lookup does not start QEMU
 *    and shares the set the process holds, a changed binary (mtime) or a
 *    corrupt cache file does start it, and a cache file written since is
 *    read again; three lookups at once of a changed binary start one QEMU
 *    probe and all get its set.
 *
 * Regenerating the captured sets (review the diff before committing):
 *   VGM_REGENERATE=1 meson test -C build qemucaps
 * rewrites tests/qemucapabilitiesdata/SET.json of every real set whose
 * binary is there, keeping its description (VGM_REGENERATE=SET rewrites
 * only SET). Afterwards run synthesize.py there to rebuild the synthesized
 * sets from qemu-10.0-debian.json.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_cpu.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "testutils.h"

static char *
testDataDir(void)
{
    const char *dir = g_getenv("VGM_TESTDIR");

    if (dir)
        return g_build_filename(dir, "qemucapabilitiesdata", NULL);
    return g_build_filename(SRCDIR, "tests", "qemucapabilitiesdata", NULL);
}

static char *
testSetPath(const char *name)
{
    g_autofree char *dir = testDataDir();
    g_autofree char *file = g_strdup_printf("%s.json", name);

    return g_build_filename(dir, file, NULL);
}

static VgmQemuCaps *
testLoadSet(const char *name)
{
    g_autofree char *path = testSetPath(name);
    g_autoptr(GError) err = NULL;
    VgmQemuCaps *caps = vgmQemuCapsLoadFile(path, &err);

    g_assert_no_error(err);
    g_assert_nonnull(caps);
    return caps;
}

static const char *
testQemuBinaryPath(void)
{
    const char *bin = g_getenv("VGM_QEMU_BINARY");

    return bin ? bin : "/usr/bin/qemu-system-x86_64";
}

/* ---- the flag table ---- */

static void
testFlagTable(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (int i = 0; i < VGM_QEMU_CAPS_LAST; i++) {
        const char *name = vgmQemuCapsFlagTypeToString(i);
        const VgmQemuCapsProbeSpec *spec = vgmQemuCapsFlagGetProbe(i);

        g_assert_nonnull(name);
        g_assert_true(g_hash_table_add(seen, (gpointer)name));
        g_assert_cmpint(vgmQemuCapsFlagTypeFromString(name), ==, i);
        g_assert_nonnull(spec);
        if (spec->kind != VGM_QEMU_CAPS_PROBE_KVM)
            g_assert_nonnull(spec->arg1);
        if (spec->kind == VGM_QEMU_CAPS_PROBE_OBJECT_PROP)
            g_assert_nonnull(spec->arg2);
    }
    g_assert_cmpint(vgmQemuCapsFlagTypeFromString("no.such-flag"), ==, -1);
    g_assert_null(vgmQemuCapsFlagTypeToString(VGM_QEMU_CAPS_LAST));
}

/* ---- every stored set ---- */

static void
testSetRoundTrip(gconstpointer data)
{
    const char *file = data;
    g_autofree char *text = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *base = g_path_get_basename(file);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;

    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    caps = vgmQemuCapsLoadFile(file, &err);
    g_assert_no_error(err);

    formatted = vgmQemuCapsFormat(caps);
    g_assert_cmpstr(formatted, ==, text);

    *strrchr(base, '.') = '\0';
    g_assert_cmpstr(vgmQemuCapsGetName(caps), ==, base);
    g_assert_cmpstr(vgmQemuCapsGetDescription(caps), !=, "");

    vgmQemuCapsCheckConsistency(caps, &err);
    g_assert_no_error(err);
}

/* ---- facts per set (spec section 5) ---- */

typedef struct {
    const char *set;
    unsigned int version;
    const VgmQemuCapsFlag *yes;
    const VgmQemuCapsFlag *no;
} TestSetFacts;

#define FLAGS(...) ((const VgmQemuCapsFlag[]){ __VA_ARGS__, VGM_QEMU_CAPS_LAST })

/* Every synthesized set is 10.1 plus one spelling; these hold for all. */
#define FLAGS_10_1 \
    VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_RAM, \
    VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_FILE, \
    VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD, \
    VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_SHM, \
    VGM_QEMU_CAPS_OBJECT_THREAD_CONTEXT, \
    VGM_QEMU_CAPS_OBJECT_SEV_GUEST, \
    VGM_QEMU_CAPS_OBJECT_SEV_SNP_GUEST, \
    VGM_QEMU_CAPS_OBJECT_TDX_GUEST, \
    VGM_QEMU_CAPS_SEV_SNP_KERNEL_HASHES, \
    VGM_QEMU_CAPS_SEV_SNP_HOST_DATA, \
    VGM_QEMU_CAPS_SEV_SNP_ID_BLOCK, \
    VGM_QEMU_CAPS_TDX_QUOTE_GENERATION_SOCKET, \
    VGM_QEMU_CAPS_FILE_ROM, \
    VGM_QEMU_CAPS_MACHINE_AUX_RAM_SHARE, \
    VGM_QEMU_CAPS_MACHINE_MEMORY_BACKEND, \
    VGM_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT, \
    VGM_QEMU_CAPS_MEMFD_SEAL, \
    VGM_QEMU_CAPS_BACKEND_PREALLOC_CONTEXT, \
    VGM_QEMU_CAPS_BACKEND_RESERVE, \
    VGM_QEMU_CAPS_DEVICE_PC_DIMM, \
    VGM_QEMU_CAPS_DEVICE_VIRTIO_MEM_PCI, \
    VGM_QEMU_CAPS_MIGRATE_CPR_TRANSFER, \
    VGM_QEMU_CAPS_KVM, \
    VGM_QEMU_CAPS_QUERY_KVM

static const TestSetFacts testFacts[] = {
    { "qemu-7.2-debian", 7002022,
      FLAGS(VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_RAM,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_FILE,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD,
            VGM_QEMU_CAPS_OBJECT_THREAD_CONTEXT,
            VGM_QEMU_CAPS_OBJECT_SEV_GUEST,
            VGM_QEMU_CAPS_MEMFD_SEAL,
            VGM_QEMU_CAPS_FILE_DISCARD_DATA,
            VGM_QEMU_CAPS_FILE_ALIGN,
            VGM_QEMU_CAPS_FILE_PMEM,
            VGM_QEMU_CAPS_BACKEND_PREALLOC_CONTEXT,
            VGM_QEMU_CAPS_BACKEND_RESERVE,
            VGM_QEMU_CAPS_BACKEND_CANONICAL_RAMBLOCK_ID,
            VGM_QEMU_CAPS_MACHINE_MEMORY_BACKEND,
            VGM_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT,
            VGM_QEMU_CAPS_DEVICE_PC_DIMM,
            VGM_QEMU_CAPS_DEVICE_NVDIMM,
            VGM_QEMU_CAPS_DEVICE_VIRTIO_MEM_PCI,
            VGM_QEMU_CAPS_DEVICE_VIRTIO_PMEM_PCI,
            VGM_QEMU_CAPS_DEVICE_SGX_EPC,
            VGM_QEMU_CAPS_KVM,
            VGM_QEMU_CAPS_QUERY_KVM),
      FLAGS(VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD,
            VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_SHM,
            VGM_QEMU_CAPS_OBJECT_SEV_SNP_GUEST,
            VGM_QEMU_CAPS_OBJECT_TDX_GUEST,
            VGM_QEMU_CAPS_OBJECT_S390_PV_GUEST,
            VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR,
            VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE,
            VGM_QEMU_CAPS_MACHINE_AUX_RAM_SHARE,
            VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION,
            VGM_QEMU_CAPS_MIGRATE_CPR_TRANSFER,
            VGM_QEMU_CAPS_FILE_ROM) },
    { "qemu-10.0-debian", 10000002,
      FLAGS(VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_RAM,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_FILE,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_SHM,
            VGM_QEMU_CAPS_OBJECT_THREAD_CONTEXT,
            VGM_QEMU_CAPS_OBJECT_SEV_GUEST,
            VGM_QEMU_CAPS_OBJECT_SEV_SNP_GUEST,
            VGM_QEMU_CAPS_SEV_SNP_KERNEL_HASHES,
            VGM_QEMU_CAPS_SEV_SNP_HOST_DATA,
            VGM_QEMU_CAPS_SEV_SNP_ID_BLOCK,
            VGM_QEMU_CAPS_MEMFD_SEAL,
            VGM_QEMU_CAPS_FILE_DISCARD_DATA,
            VGM_QEMU_CAPS_FILE_ALIGN,
            VGM_QEMU_CAPS_FILE_PMEM,
            VGM_QEMU_CAPS_FILE_ROM,
            VGM_QEMU_CAPS_BACKEND_PREALLOC_CONTEXT,
            VGM_QEMU_CAPS_BACKEND_RESERVE,
            VGM_QEMU_CAPS_BACKEND_CANONICAL_RAMBLOCK_ID,
            VGM_QEMU_CAPS_MACHINE_MEMORY_BACKEND,
            VGM_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT,
            VGM_QEMU_CAPS_MACHINE_AUX_RAM_SHARE,
            VGM_QEMU_CAPS_DEVICE_PC_DIMM,
            VGM_QEMU_CAPS_DEVICE_NVDIMM,
            VGM_QEMU_CAPS_DEVICE_VIRTIO_MEM_PCI,
            VGM_QEMU_CAPS_DEVICE_VIRTIO_PMEM_PCI,
            VGM_QEMU_CAPS_DEVICE_SGX_EPC,
            VGM_QEMU_CAPS_BLOCKDEV_AIO_IO_URING,
            VGM_QEMU_CAPS_MIGRATE_CPR_TRANSFER,
            VGM_QEMU_CAPS_KVM,
            VGM_QEMU_CAPS_QUERY_KVM),
      FLAGS(VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD,
            VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_TDX_GUEST,
            VGM_QEMU_CAPS_OBJECT_S390_PV_GUEST,
            VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_TDX_QUOTE_GENERATION_SOCKET,
            VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR,
            VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE,
            VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION) },
    { "qemu-10.1", 10001000,
      FLAGS(FLAGS_10_1),
      FLAGS(VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD,
            VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD,
            VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR,
            VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE,
            VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION) },
    { "qemu-gmem-memfd", 10001000,
      FLAGS(FLAGS_10_1, VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD),
      FLAGS(VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD,
            VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR,
            VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE,
            VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION) },
    { "qemu-gmem-inplace", 10001000,
      FLAGS(FLAGS_10_1,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD,
            VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR,
            VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE),
      FLAGS(VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD,
            VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD,
            VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION) },
    { "qemu-gmem-machine", 10001000,
      FLAGS(FLAGS_10_1, VGM_QEMU_CAPS_MACHINE_IN_PLACE_CONVERSION),
      FLAGS(VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD,
            VGM_QEMU_CAPS_MEMFD_X_GUEST_MEMFD,
            VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_GUEST_MEMFD,
            VGM_QEMU_CAPS_SEV_SNP_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_TDX_CONVERT_IN_PLACE,
            VGM_QEMU_CAPS_CGS_GMEM_ALLOCATOR,
            VGM_QEMU_CAPS_CGS_GMEM_PAGE_SIZE) },
};

static void
testSetFacts(gconstpointer data)
{
    const TestSetFacts *facts = data;
    g_autoptr(VgmQemuCaps) caps = testLoadSet(facts->set);
    const VgmQemuCapsFlag *f;

    g_assert_cmpuint(vgmQemuCapsGetVersion(caps), ==, facts->version);
    g_assert_cmpstr(vgmQemuCapsGetArch(caps), ==, "x86_64");
    g_assert_true(vgmQemuCapsHasKVM(caps));
    for (f = facts->yes; *f != VGM_QEMU_CAPS_LAST; f++) {
        if (!vgmQemuCapsGet(caps, *f))
            g_error("%s: expected flag %s", facts->set, vgmQemuCapsFlagTypeToString(*f));
    }
    for (f = facts->no; *f != VGM_QEMU_CAPS_LAST; f++) {
        if (vgmQemuCapsGet(caps, *f))
            g_error("%s: unexpected flag %s", facts->set, vgmQemuCapsFlagTypeToString(*f));
    }
}

static void
testMachines(void)
{
    g_autoptr(VgmQemuCaps) caps72 = testLoadSet("qemu-7.2-debian");
    g_autoptr(VgmQemuCaps) caps100 = testLoadSet("qemu-10.0-debian");
    g_autoptr(VgmQemuCaps) caps101 = testLoadSet("qemu-10.1");
    g_autoptr(GError) err = NULL;
    const VgmQemuCapsMachine *m;

    m = vgmQemuCapsGetMachine(caps72, "q35", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(m->name, ==, "pc-q35-7.2");
    g_assert_cmpstr(m->defaultRamId, ==, "pc.ram");
    g_assert_true(m == vgmQemuCapsGetMachine(caps72, "pc-q35-7.2", NULL));

    m = vgmQemuCapsGetMachine(caps72, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(m->name, ==, "pc-i440fx-7.2");
    g_assert_cmpstr(m->alias, ==, "pc");
    g_assert_true(m->isDefault);

    m = vgmQemuCapsGetMachine(caps72, "x-remote", &err);
    g_assert_no_error(err);
    g_assert_null(m->defaultRamId);
    m = vgmQemuCapsGetMachine(caps72, "pc-i440fx-1.4", &err);
    g_assert_no_error(err);
    g_assert_true(m->deprecated);

    g_assert_cmpstr(vgmQemuCapsGetMachineType(caps72), ==, "pc-q35-7.2");

    m = vgmQemuCapsGetMachine(caps101, "q35", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(m->name, ==, "pc-q35-10.1");
    g_assert_cmpstr(m->defaultRamId, ==, "pc.ram");
    m = vgmQemuCapsGetMachine(caps101, "pc", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(m->name, ==, "pc-i440fx-10.1");
    g_assert_true(m->isDefault);
    /* The 7.2 versioned type no longer carries the alias. */
    m = vgmQemuCapsGetMachine(caps101, "pc-q35-7.2", &err);
    g_assert_no_error(err);
    g_assert_null(m->alias);
    g_assert_cmpstr(vgmQemuCapsGetMachineType(caps101), ==, "pc-q35-10.1");
    /* As in 10.0: the 8.0 to 10.0 types, not the 1.4 to 2.3 ones 7.2 had. */
    g_assert_nonnull(vgmQemuCapsGetMachine(caps101, "pc-q35-10.0", NULL));
    g_assert_null(vgmQemuCapsGetMachine(caps101, "pc-i440fx-1.4", NULL));

    m = vgmQemuCapsGetMachine(caps100, "q35", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(m->name, ==, "pc-q35-10.0");
    g_assert_cmpstr(m->defaultRamId, ==, "pc.ram");
    g_assert_cmpuint(m->cpuMax, ==, 4096);
    m = vgmQemuCapsGetMachine(caps100, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(m->name, ==, "pc-i440fx-10.0");
    g_assert_cmpstr(m->alias, ==, "pc");
    m = vgmQemuCapsGetMachine(caps100, "pc-q35-7.0", &err);
    g_assert_no_error(err);
    g_assert_true(m->deprecated);
    g_assert_null(vgmQemuCapsGetMachine(caps100, "pc-i440fx-2.3", NULL));
    g_assert_cmpstr(vgmQemuCapsGetMachineType(caps100), ==, "pc-q35-10.0");

    g_assert_null(vgmQemuCapsGetMachine(caps72, "virt", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-7.2-debian' has no machine type 'virt'");
}

/* ---- schema checks ---- */

static JsonObject *
testJSON(const char *text)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) node = json_from_string(text, &err);

    g_assert_no_error(err);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
    return json_object_ref(json_node_get_object(node));
}

static void
testCheckObjectOne(const char *set, const char *type, const char *props,
                   const char *message)
{
    g_autoptr(VgmQemuCaps) caps = testLoadSet(set);
    g_autoptr(JsonObject) obj = testJSON(props);
    g_autoptr(GError) err = NULL;
    gboolean ok = vgmQemuCapsCheckObject(caps, type, obj, &err);

    if (!message) {
        g_assert_no_error(err);
        g_assert_true(ok);
        return;
    }
    g_assert_false(ok);
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, message);
}

static void
testCheckObject(void)
{
    /* valid */
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-memfd",
                       "{\"qom-type\": \"memory-backend-memfd\", \"id\": \"pc.ram\","
                       " \"size\": 4294967296, \"share\": true, \"prealloc\": false,"
                       " \"host-nodes\": [0, 1], \"policy\": \"bind\"}", NULL);
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-file",
                       "{\"mem-path\": \"/dev/hugepages\", \"size\": 1073741824,"
                       " \"discard-data\": true}", NULL);
    testCheckObjectOne("qemu-gmem-memfd", "memory-backend-memfd",
                       "{\"id\": \"pc.ram\", \"size\": 4294967296, \"share\": true,"
                       " \"guest-memfd\": true}", NULL);
    testCheckObjectOne("qemu-gmem-inplace", "memory-backend-guest-memfd",
                       "{\"id\": \"ram1\", \"size\": 17179869184, \"share\": true,"
                       " \"reserve\": false}", NULL);
    testCheckObjectOne("qemu-gmem-inplace", "sev-snp-guest",
                       "{\"id\": \"lsec0\", \"cbitpos\": 51, \"reduced-phys-bits\": 1,"
                       " \"policy\": 196608, \"convert-in-place\": true,"
                       " \"gmem-allocator\": \"hugetlb\", \"gmem-page-size\": 2097152}",
                       NULL);
    testCheckObjectOne("qemu-10.1", "tdx-guest",
                       "{\"id\": \"lsec0\", \"attributes\": 268435456,"
                       " \"sept-ve-disable\": true,"
                       " \"quote-generation-socket\": {\"type\": \"vsock\","
                       " \"cid\": \"2\", \"port\": \"4050\"}}", NULL);

    testCheckObjectOne("qemu-10.0-debian", "sev-snp-guest",
                       "{\"id\": \"lsec0\", \"cbitpos\": 51, \"reduced-phys-bits\": 1,"
                       " \"policy\": 196608, \"kernel-hashes\": true}", NULL);
    testCheckObjectOne("qemu-10.0-debian", "memory-backend-shm",
                       "{\"id\": \"pc.ram\", \"size\": 4294967296, \"share\": true}", NULL);

    /* unknown object type */
    testCheckObjectOne("qemu-10.0-debian", "tdx-guest", "{}",
                       "capability set 'qemu-10.0-debian' has no object type 'tdx-guest'");
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-guest-memfd",
                       "{\"size\": 1024}",
                       "capability set 'qemu-7.2-debian' has no object type 'memory-backend-guest-memfd'");
    testCheckObjectOne("qemu-7.2-debian", "sev-snp-guest", "{}",
                       "capability set 'qemu-7.2-debian' has no object type 'sev-snp-guest'");
    /* unknown property */
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-memfd",
                       "{\"size\": 1024, \"share\": true, \"guest-memfd\": true}",
                       "capability set 'qemu-7.2-debian': object type 'memory-backend-memfd' has no property 'guest-memfd'");
    testCheckObjectOne("qemu-10.1", "memory-backend-memfd",
                       "{\"size\": 1024, \"guest-memfd\": true}",
                       "capability set 'qemu-10.1': object type 'memory-backend-memfd' has no property 'guest-memfd'");
    testCheckObjectOne("qemu-gmem-memfd", "sev-snp-guest",
                       "{\"convert-in-place\": true}",
                       "capability set 'qemu-gmem-memfd': object type 'sev-snp-guest' has no property 'convert-in-place'");
    /* wrong value types */
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-ram",
                       "{\"size\": \"4G\"}",
                       "capability set 'qemu-7.2-debian': object type 'memory-backend-ram' property 'size' must be of type 'int', not a string");
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-ram",
                       "{\"size\": 1024, \"share\": \"on\"}",
                       "capability set 'qemu-7.2-debian': object type 'memory-backend-ram' property 'share' must be of type 'bool', not a string");
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-ram",
                       "{\"size\": 1024, \"host-nodes\": [0, \"1\"]}",
                       "capability set 'qemu-7.2-debian': object type 'memory-backend-ram' property 'host-nodes' must be of type 'array of int', not an array");
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-ram",
                       "{\"size\": 1024, \"policy\": \"spread\"}",
                       "capability set 'qemu-7.2-debian': object type 'memory-backend-ram' property 'policy' has value 'spread', which is not one of: default, preferred, bind, interleave");
    testCheckObjectOne("qemu-7.2-debian", "memory-backend-ram",
                       "{\"size\": 1024, \"policy\": 1}",
                       "capability set 'qemu-7.2-debian': object type 'memory-backend-ram' property 'policy' must be of type 'enum', not an integer");
    testCheckObjectOne("qemu-gmem-inplace", "tdx-guest",
                       "{\"gmem-allocator\": \"thp\"}",
                       "capability set 'qemu-gmem-inplace': object type 'tdx-guest' property 'gmem-allocator' has value 'thp', which is not one of: normal, hugetlb");
    testCheckObjectOne("qemu-10.1", "tdx-guest",
                       "{\"quote-generation-socket\": \"/run/qgs.sock\"}",
                       "capability set 'qemu-10.1': object type 'tdx-guest' property 'quote-generation-socket' must be of type 'object', not a string");
}

static void
testCheckDevice(void)
{
    g_autoptr(VgmQemuCaps) caps = testLoadSet("qemu-7.2-debian");
    g_autoptr(JsonObject) ok = testJSON("{\"driver\": \"pc-dimm\", \"id\": \"dimm0\","
                                        " \"memdev\": \"memdimm0\", \"node\": 0,"
                                        " \"slot\": 0, \"addr\": 4294967296}");
    g_autoptr(JsonObject) bad = testJSON("{\"driver\": \"pc-dimm\", \"memdev\": \"m\","
                                         " \"requested-size\": 1024}");
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmQemuCapsCheckDevice(caps, "pc-dimm", ok, &err));
    g_assert_no_error(err);
    g_assert_true(vgmQemuCapsCheckDevice(caps, "virtio-mem-pci", NULL, &err));
    g_assert_no_error(err);

    g_assert_false(vgmQemuCapsCheckDevice(caps, "pc-dimm", bad, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-7.2-debian': device 'pc-dimm' has no property 'requested-size'");
    g_clear_error(&err);

    g_assert_false(vgmQemuCapsCheckDevice(caps, "cxl-type3", NULL, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-7.2-debian' has no device 'cxl-type3'");
}

static void
testCheckMachineProp(void)
{
    g_autoptr(VgmQemuCaps) caps72 = testLoadSet("qemu-7.2-debian");
    g_autoptr(VgmQemuCaps) caps100 = testLoadSet("qemu-10.0-debian");
    g_autoptr(VgmQemuCaps) caps101 = testLoadSet("qemu-10.1");
    g_autoptr(VgmQemuCaps) capsMachine = testLoadSet("qemu-gmem-machine");
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmQemuCapsCheckMachineProp(caps72, "memory-backend", &err));
    g_assert_true(vgmQemuCapsCheckMachineProp(caps72, "confidential-guest-support", &err));
    g_assert_true(vgmQemuCapsCheckMachineProp(caps100, "aux-ram-share", &err));
    g_assert_true(vgmQemuCapsCheckMachineProp(caps101, "aux-ram-share", &err));
    g_assert_true(vgmQemuCapsCheckMachineProp(capsMachine, "in-place-conversion", &err));
    g_assert_no_error(err);

    g_assert_false(vgmQemuCapsCheckMachineProp(caps72, "aux-ram-share", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-7.2-debian': machine type 'pc-q35-7.2' has no property 'aux-ram-share'");
    g_clear_error(&err);

    g_assert_false(vgmQemuCapsCheckMachineProp(caps101, "in-place-conversion", &err));
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-10.1': machine type 'pc-q35-10.1' has no property 'in-place-conversion'");
}

/* ---- malformed files ---- */

static void
testLoadErrorOne(const char *text, const char *message)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = vgmQemuCapsLoadString(text, "test", &err);

    g_assert_null(caps);
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==, message);
}

#define MINIMAL(extra) \
    "{\"name\": \"t\", \"description\": \"d\", \"version\": \"1.2.3\"," \
    " \"arch\": \"x86_64\", \"kvm\": {\"present\": true, \"enabled\": false}," \
    " \"machines\": [], \"objects\": {}, \"devices\": {}" extra "}"

static void
testLoadErrors(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = vgmQemuCapsLoadString(MINIMAL(", \"flags\": [\"kvm\"]"),
                                                        "test", &err);

    g_assert_no_error(err);
    g_assert_cmpuint(vgmQemuCapsGetVersion(caps), ==, 1002003);
    g_assert_true(vgmQemuCapsGet(caps, VGM_QEMU_CAPS_KVM));

    testLoadErrorOne("[]", "invalid capability file test: the top level is not an object");
    testLoadErrorOne(MINIMAL(""),
                     "invalid capability file test: the capability set lacks the member 'flags'");
    testLoadErrorOne(MINIMAL(", \"flags\": [\"memfd.guest_memfd\"]"),
                     "invalid capability file test: unknown capability flag 'memfd.guest_memfd'");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"flag\": []"),
                     "invalid capability file test: the capability set has an unknown member 'flag'");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"machine\": {\"type\": \"m\"}"),
                     "invalid capability file test: 'machine' lacks the member 'props'");
    testLoadErrorOne("{\"name\": \"t\", \"description\": \"d\", \"version\": \"1.2\"}",
                     "invalid capability file test: version '1.2' is not MAJOR.MINOR.MICRO");
    testLoadErrorOne("{\"name\": \"t\", \"description\": \"d\", \"version\": \"1.2.3\","
                     " \"arch\": \"x86_64\", \"kvm\": {\"present\": true, \"enabled\": false},"
                     " \"flags\": [], \"machines\": [],"
                     " \"objects\": {\"memory-backend-ram\": {\"size\": \"integer\"}},"
                     " \"devices\": {}}",
                     "invalid capability file test: object type 'memory-backend-ram' member 'size' has an invalid type");
    /* the host CPUs for host-model */
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"cpu\": {\"hvf\": {}}"),
                     "invalid capability file test: 'cpu' has an unknown member 'hvf'");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"cpu\": {\"tcg\": []}"),
                     "invalid capability file test: member 'tcg' of 'cpu' must be an object");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"cpu\": {\"kvm\": {\"vendor\": \"GenuineIntel\","
                             " \"family\": 6, \"model\": 85, \"features\": \"sse\"}}"),
                     "invalid capability file test: 'cpu' 'kvm' lacks the member 'models'");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"cpu\": {\"tcg\": {\"vendor\": \"v\", \"family\": 6,"
                             " \"model\": 1, \"features\": \"\","
                             " \"models\": {\"m\": {\"vendor\": \"v\", \"family\": 6, \"model\": 2}}}}"),
                     "invalid capability file test: CPU model 'm' of 'cpu' 'tcg' lacks the member 'features'");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"cpu\": {\"tcg\": {\"vendor\": \"v\", \"family\": 6,"
                             " \"model\": 1, \"features\": 1, \"models\": {}}}"),
                     "invalid capability file test: member 'features' of 'cpu' 'tcg' must be a string");
    testLoadErrorOne(MINIMAL(", \"flags\": [], \"cpu\": {\"tcg\": {\"vendor\": \"v\", \"family\": -1,"
                             " \"model\": 1, \"features\": \"\", \"models\": {}}}"),
                     "invalid capability file test: member 'family' of 'cpu' 'tcg' must be an unsigned integer");
}

#define HOSTCPU(vendor, models) \
    MINIMAL(", \"flags\": [], \"cpu\": {\"tcg\": {\"vendor\": \"" vendor "\"," \
            " \"family\": 6, \"model\": 85, \"features\": \"a b c d\", \"models\": {" models "}}}")
#define MODEL(name, vendor, model, features) \
    "\"" name "\": {\"vendor\": \"" vendor "\", \"family\": 6, \"model\": " #model "," \
    " \"features\": \"" features "\"}"

static char *
testHostModelLine(const VgmQemuCpuHostModel *hm)
{
    GString *s = g_string_new(hm->model);
    guint i;

    for (i = 0; i < hm->settings->len; i++) {
        const VgmQemuCpuSetting *set = g_ptr_array_index(hm->settings, i);

        g_string_append_printf(s, ",%s=%s", set->name, set->on ? "on" : "off");
    }
    return g_string_free(s, FALSE);
}

/* KVM's paravirtual features (kvm-pv-ipi, kvmclock, ...) are no CPU
 * features of libvirt's map: host-model neither adds the host's nor
 * turns off a model's, and the model is chosen without them */
static void
testHostModelParavirt(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps =
        vgmQemuCapsLoadString(MINIMAL(", \"flags\": [], \"cpu\": {\"kvm\": {\"vendor\":"
                                      " \"GenuineIntel\", \"family\": 6, \"model\": 85,"
                                      " \"features\": \"a b c kvm-pv-ipi kvmclock\", \"models\": {"
                                      MODEL("A1", "GenuineIntel", 3, "a b c kvm-asyncpf-int")
                                      "}}}"),
                              "test", &err);
    VgmCpuDef cpu = { .mode = VGM_CPU_MODE_HOST_MODEL };
    g_autoptr(VgmQemuCpuHostModel) hm = NULL;
    g_autofree char *line = NULL;

    g_assert_no_error(err);
    hm = vgmQemuCpuExpandHostModel(&cpu, caps, VGM_QEMU_CAPS_ACCEL_KVM, &err);
    g_assert_no_error(err);
    line = testHostModelLine(hm);
    g_assert_cmpstr(line, ==, "A1");
    g_assert_true(vgmQemuCpuIsParavirt("kvm-pv-ipi") && vgmQemuCpuIsParavirt("kvmclock"));
    g_assert_false(vgmQemuCpuIsParavirt("avx2"));
}

static void
testHostModel(void)
{
    g_autoptr(GError) err = NULL;
    /* none has the host's signature (family 6, model 85). A1 and N1: c, d
     * on, y or x off (3 differences, 1 off; A1 first by name); M2: d on,
     * e, f off (3, but 2 off); M3: the host's features, another vendor's */
    g_autoptr(VgmQemuCaps) caps =
        vgmQemuCapsLoadString(HOSTCPU("GenuineIntel",
                                      MODEL("M2", "GenuineIntel", 1, "a b c e f") ", "
                                      MODEL("N1", "GenuineIntel", 2, "a b x") ", "
                                      MODEL("A1", "GenuineIntel", 3, "a b y") ", "
                                      MODEL("M3", "AuthenticAMD", 85, "a b c d")),
                              "test", &err);
    /* S1 has the host's signature: under KVM it wins with 5 differences */
#define SIGCPU \
    "{\"vendor\": \"GenuineIntel\", \"family\": 6, \"model\": 85, \"features\": \"a b c d\"," \
    " \"models\": {" MODEL("A1", "GenuineIntel", 3, "a b y") ", " \
    MODEL("S1", "GenuineIntel", 85, "a x y") "}}"
    g_autoptr(VgmQemuCaps) sig =
        vgmQemuCapsLoadString(MINIMAL(", \"flags\": [], \"cpu\": {\"tcg\": " SIGCPU ","
                                      " \"kvm\": " SIGCPU "}"),
                              "test", &err);
#undef SIGCPU
    g_autoptr(VgmQemuCaps) other =
        vgmQemuCapsLoadString(HOSTCPU("CentaurHauls", MODEL("M1", "GenuineIntel", 1, "a b")),
                              "test", &err);
    VgmCpuFeature features[] = {
        { .name = (char *)"x", .policy = VGM_CPU_FEATURE_REQUIRE },
        { .name = (char *)"c", .policy = VGM_CPU_FEATURE_DISABLE },
        { .name = (char *)"y_z", .policy = VGM_CPU_FEATURE_FORCE },
        { .name = (char *)"d", .policy = VGM_CPU_FEATURE_OPTIONAL },
        { .name = (char *)"e", .policy = VGM_CPU_FEATURE_OPTIONAL },
        { .name = (char *)"sse4_2", .policy = VGM_CPU_FEATURE_FORBID },
    };
    VgmCpuDef cpu = { .mode = VGM_CPU_MODE_HOST_MODEL };
    g_autoptr(VgmQemuCpuHostModel) hm = NULL;
    g_autofree char *line = NULL;
    size_t i;

    g_assert_no_error(err);
    hm = vgmQemuCpuExpandHostModel(&cpu, caps, VGM_QEMU_CAPS_ACCEL_TCG, &err);
    g_assert_no_error(err);
    line = testHostModelLine(hm);
    g_assert_cmpstr(line, ==, "A1,c=on,d=on,y=off");
    g_assert_cmpstr(hm->vendor, ==, "GenuineIntel");
    g_clear_pointer(&hm, vgmQemuCpuHostModelFree);
    g_clear_pointer(&line, g_free);

    /* the signature counts under KVM (its CPU is the host's), not under
     * TCG (whose is QEMU's own) */
    hm = vgmQemuCpuExpandHostModel(&cpu, sig, VGM_QEMU_CAPS_ACCEL_KVM, &err);
    g_assert_no_error(err);
    line = testHostModelLine(hm);
    g_assert_cmpstr(line, ==, "S1,b=on,c=on,d=on,x=off,y=off");
    g_clear_pointer(&hm, vgmQemuCpuHostModelFree);
    g_clear_pointer(&line, g_free);
    hm = vgmQemuCpuExpandHostModel(&cpu, sig, VGM_QEMU_CAPS_ACCEL_TCG, &err);
    g_assert_no_error(err);
    line = testHostModelLine(hm);
    g_assert_cmpstr(line, ==, "A1,c=on,d=on,y=off");
    g_clear_pointer(&hm, vgmQemuCpuHostModelFree);
    g_clear_pointer(&line, g_free);

    /* the domain's features on top; the live XML keeps their policies
     * but an optional one's */
    cpu.features = g_new0(VgmCpuFeature, G_N_ELEMENTS(features));
    cpu.nfeatures = G_N_ELEMENTS(features);
    for (i = 0; i < G_N_ELEMENTS(features); i++) {
        cpu.features[i].name = g_strdup(features[i].name);
        cpu.features[i].policy = features[i].policy;
    }
    hm = vgmQemuCpuExpandHostModel(&cpu, caps, VGM_QEMU_CAPS_ACCEL_TCG, &err);
    g_assert_no_error(err);
    line = testHostModelLine(hm);
    g_assert_cmpstr(line, ==, "A1,c=off,d=on,y=off,x=on,y-z=on,e=off,sse4.2=off");
    vgmQemuCpuHostModelToCustom(&cpu, hm);
    g_assert_cmpint(cpu.mode, ==, VGM_CPU_MODE_CUSTOM);
    g_assert_cmpint(cpu.match, ==, VGM_CPU_MATCH_EXACT);
    g_assert_cmpint(cpu.fallback, ==, VGM_CPU_FALLBACK_FORBID);
    g_assert_cmpstr(cpu.model, ==, "A1");
    g_assert_cmpstr(cpu.vendor, ==, "Intel");
    g_assert_cmpuint(cpu.nfeatures, ==, 7);
    {
        static const struct {
            const char *name;
            VgmCpuFeaturePolicy policy;
        } want[] = {
            { "c", VGM_CPU_FEATURE_DISABLE }, { "d", VGM_CPU_FEATURE_REQUIRE },
            { "y", VGM_CPU_FEATURE_DISABLE }, { "x", VGM_CPU_FEATURE_REQUIRE },
            { "y-z", VGM_CPU_FEATURE_FORCE }, { "e", VGM_CPU_FEATURE_DISABLE },
            { "sse4.2", VGM_CPU_FEATURE_FORBID },
        };

        for (i = 0; i < G_N_ELEMENTS(want); i++) {
            g_assert_cmpstr(cpu.features[i].name, ==, want[i].name);
            g_assert_cmpint(cpu.features[i].policy, ==, want[i].policy);
        }
    }
    for (i = 0; i < cpu.nfeatures; i++)
        g_free(cpu.features[i].name);
    g_free(cpu.features);
    g_free(cpu.model);
    g_free(cpu.vendor);
    cpu = (VgmCpuDef){ .mode = VGM_CPU_MODE_HOST_MODEL };
    g_clear_pointer(&hm, vgmQemuCpuHostModelFree);

    g_assert_null(vgmQemuCpuExpandHostModel(&cpu, caps, VGM_QEMU_CAPS_ACCEL_KVM, &err));
    g_assert_cmpstr(err->message, ==,
                    "<cpu mode='host-model'> is made of the host CPU under KVM, which capability set 't' does not have (a host CPU under KVM is probed only where /dev/kvm is usable)");
    g_clear_error(&err);
    g_assert_null(vgmQemuCpuExpandHostModel(&cpu, other, VGM_QEMU_CAPS_ACCEL_TCG, &err));
    g_assert_cmpstr(err->message, ==,
                    "<cpu mode='host-model'>: no CPU model of capability set 't' has the vendor of the host CPU under TCG ('CentaurHauls'); use mode='host-passthrough'");
}

static void
testConsistency(void)
{
    g_autoptr(VgmQemuCaps) caps = testLoadSet("qemu-10.1");
    g_autoptr(GError) err = NULL;

    vgmQemuCapsSet(caps, VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD);
    g_assert_false(vgmQemuCapsCheckConsistency(caps, &err));
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-10.1': flag 'memfd.guest-memfd' is set but its schema lacks what it stands for");
    g_clear_error(&err);

    vgmQemuCapsClear(caps, VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD);
    vgmQemuCapsClear(caps, VGM_QEMU_CAPS_OBJECT_TDX_GUEST);
    g_assert_false(vgmQemuCapsCheckConsistency(caps, &err));
    g_assert_cmpstr(err->message, ==,
                    "capability set 'qemu-10.1': its schema implies flag 'object.tdx-guest' but the flag is not set");
}

/* ---- the real binaries ---- */

/*
 * The sets captured from a real QEMU, and where that QEMU is: Debian 12's
 * own (or $VGM_QEMU_BINARY) for 7.2, the private bookworm-backports build
 * scripts/fetch-qemu10.sh unpacks into the build directory for 10.0.
 */
typedef struct {
    const char *set;
    const char *(*binary)(const char **reason);
    char *(*describe)(const VgmQemuCaps *probed, const char *binary);
} TestRealSet;

static const char *
testQemu72Binary(const char **reason)
{
    static char *why;
    const char *binary = testQemuBinaryPath();

    if (g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
        return binary;
    g_free(why);
    why = g_strdup_printf("%s is not installed", binary);
    *reason = why;
    return NULL;
}

static char *
testCaptureDate(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();

    return g_date_time_format(now, "%Y-%m-%d");
}

static char *
testDescribe72(const VgmQemuCaps *caps, const char *binary)
{
    g_autofree char *dpkg = NULL;
    g_autofree char *date = testCaptureDate();
    const char *argv[] = { "dpkg-query", "-W", "-f=${Version}", "qemu-system-x86", NULL };

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &dpkg, NULL,
                      NULL, NULL))
        dpkg = g_strdup("unknown");

    return g_strdup_printf("Captured %s by vgmQemuCapsProbe ('VGM_REGENERATE=1 meson test qemucaps') "
                           "from %s, Debian 12 package qemu-system-x86 %s (dpkg-query -W qemu-system-x86), "
                           "started as '%s -machine none -nodefaults -nographic -display none -S "
                           "-no-user-config -qmp unix:SOCK,server=on,wait=off' with LC_ALL=C; "
                           "/dev/kvm %s on the capturing host (kvm.enabled is volatile).",
                           date, binary, dpkg, binary,
                           vgmQemuCapsKVMEnabled(caps) ? "usable" : "absent");
}

static char *
testDescribe100(const VgmQemuCaps *caps, const char *binary G_GNUC_UNUSED)
{
    g_autofree char *date = testCaptureDate();
    const char *package = vgmQemuCapsGetPackage(caps);
    const char *version = package && g_str_has_prefix(package, "Debian ") ?
                          package + strlen("Debian ") : "unknown";

    return g_strdup_printf("Captured %s by vgmQemuCapsProbe ('VGM_REGENERATE=1 meson test qemucaps') "
                           "from Debian's bookworm-backports package qemu-system-x86 %s "
                           "(with qemu-system-common and qemu-system-data of the same version), "
                           "downloaded with apt-get download and unpacked with dpkg -x by "
                           "scripts/fetch-qemu10.sh into $VGM_BUILDDIR/tests/qemu-10.0, not "
                           "installed; run through the script's wrapper bin/qemu-system-x86_64, "
                           "which execs the unpacked usr/bin/qemu-system-x86_64 with "
                           "-L <unpacked>/usr/share/qemu -L /usr/share/seabios and "
                           "QEMU_MODULE_DIR set to the unpacked usr/lib/x86_64-linux-gnu/qemu, "
                           "so that QEMU loads its own modules (virtio-vga, virtio-gpu-pci) "
                           "rather than refuse the host's 7.2 ones; started as 'WRAPPER -machine none -nodefaults "
                           "-nographic -display none -S -no-user-config -qmp "
                           "unix:SOCK,server=on,wait=off' with LC_ALL=C on a Debian 12 host; "
                           "/dev/kvm %s on the capturing host (kvm.enabled is volatile).",
                           date, version,
                           vgmQemuCapsKVMEnabled(caps) ? "usable" : "absent");
}

static const TestRealSet testRealSets[] = {
    { "qemu-7.2-debian", testQemu72Binary, testDescribe72 },
    { "qemu-10.0-debian", vgmTestQemu10Binary, testDescribe100 },
};

/* VGM_REGENERATE=1 rewrites every real set, VGM_REGENERATE=SET only SET. */
static gboolean
testRegenerateSet(const char *set)
{
    const char *env = g_getenv("VGM_REGENERATE");
    guint i;

    if (!env || !*env || g_str_equal(env, "0"))
        return FALSE;
    for (i = 0; i < G_N_ELEMENTS(testRealSets); i++) {
        if (g_str_equal(env, testRealSets[i].set))
            return g_str_equal(env, set);
    }
    return TRUE;
}

/* The probe's temporary directory goes with everything in it (the
 * sockets a display's trial leaves behind too): this program's TMPDIR, a
 * directory of its own (main), is empty after a probe. */
static char *testTmpDir;

static void
testAssertTmpEmpty(void)
{
    g_autoptr(GDir) dir = g_dir_open(testTmpDir, 0, NULL);
    const char *left;

    g_assert_nonnull(dir);
    left = g_dir_read_name(dir);
    if (left)
        g_error("the probe left %s in %s", left, testTmpDir);
}

static void
testRealBinary(gconstpointer data)
{
    const TestRealSet *real = data;
    const char *reason = NULL;
    const char *binary = real->binary(&reason);
    g_autofree char *path = testSetPath(real->set);
    g_autoptr(VgmQemuCaps) stored = NULL;
    g_autoptr(VgmQemuCaps) probed = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;

    if (!binary) {
        g_test_skip(reason);
        return;
    }

    probed = vgmQemuCapsProbe(binary, &err);
    g_assert_no_error(err);
    g_assert_nonnull(probed);
    vgmQemuCapsSetName(probed, real->set);
    testAssertTmpEmpty();

    if (testRegenerateSet(real->set)) {
        g_autofree char *desc = NULL;
        g_autofree char *text = NULL;
        g_autoptr(VgmQemuCaps) none = vgmQemuCapsNew();

        /* the KVM host CPU is this host's: a stored set never has one */
        vgmQemuCapsCopyHostCpu(probed, none, VGM_QEMU_CAPS_ACCEL_KVM);

        if ((stored = vgmQemuCapsLoadFile(path, NULL)))
            desc = g_strdup(vgmQemuCapsGetDescription(stored));
        else
            desc = real->describe(probed, binary);
        vgmQemuCapsSetDescription(probed, desc);
        text = vgmQemuCapsFormat(probed);
        g_assert_true(g_file_set_contents(path, text, -1, NULL));
        g_test_message("rewrote %s from %s", path, binary);
        return;
    }

    stored = testLoadSet(real->set);
    if (vgmQemuCapsGetVersion(stored) != vgmQemuCapsGetVersion(probed) ||
        g_strcmp0(vgmQemuCapsGetPackage(stored), vgmQemuCapsGetPackage(probed)) != 0) {
        g_autofree char *msg = g_strdup_printf("%s is '%s', the stored set %s was captured from '%s'",
                                               binary,
                                               vgmQemuCapsGetPackage(probed),
                                               real->set,
                                               vgmQemuCapsGetPackage(stored));
        g_test_skip(msg);
        return;
    }

    /* Volatile fields: the description, whether KVM was usable, and the
     * host CPU under KVM (this host's). */
    vgmQemuCapsSetDescription(probed, vgmQemuCapsGetDescription(stored));
    vgmQemuCapsSetKVM(probed, vgmQemuCapsHasKVM(probed), vgmQemuCapsKVMEnabled(stored));
    vgmQemuCapsCopyHostCpu(probed, stored, VGM_QEMU_CAPS_ACCEL_KVM);

    want = vgmQemuCapsFormat(stored);
    got = vgmQemuCapsFormat(probed);
    if (!g_str_equal(want, got)) {
        g_auto(GStrv) wl = g_strsplit(want, "\n", -1);
        g_auto(GStrv) gl = g_strsplit(got, "\n", -1);
        guint i;

        for (i = 0; wl[i] && gl[i] && g_str_equal(wl[i], gl[i]); i++)
            ;
        g_test_message("%s: first difference at line %u: stored '%s', probed '%s'",
                       real->set, i + 1, wl[i] ? wl[i] : "(end)", gl[i] ? gl[i] : "(end)");
        g_test_message("regenerate with VGM_REGENERATE=%s if the change is expected",
                       real->set);
        g_test_fail();
    }
}

/* A temporary directory for a test of QEMU binary @binary, or NULL (the
 * test skipped) when it is not installed */
static char *
testQemuTmpDir(const char *binary)
{
    g_autoptr(GError) err = NULL;
    char *tmp;

    if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE)) {
        g_autofree char *msg = g_strdup_printf("%s is not installed", binary);

        g_test_skip(msg);
        return NULL;
    }
    tmp = g_dir_make_tmp("vgm-qemucapstest-XXXXXX", &err);
    g_assert_no_error(err);
    return tmp;
}

/* ---- a probe's QEMU that dies without a word ---- */

/* A wrapper for the binary whose QEMU of the TCG host CPU probe (-machine none,accel=tcg) SIGKILLs itself:
 * the first only (@once), or every one. */
static char *
testProbeKillerWrapper(const char *tmp, const char *binary, gboolean once)
{
    g_autofree char *wrapper = g_build_filename(tmp, "qemu-killer", NULL);
    g_autofree char *marker = g_build_filename(tmp, "killed", NULL);
    g_autofree char *script = NULL;

    script = g_strdup_printf("#!/bin/sh\n"
                             "case \"$*\" in *none,accel=tcg*)\n"
                             "    if %s[ ! -e %s ]; then touch %s; kill -9 $$; fi ;;\n"
                             "esac\n"
                             "exec %s \"$@\"\n",
                             once ? "" : "true || ", marker, marker, binary);
    g_assert_true(g_file_set_contents(wrapper, script, -1, NULL));
    g_assert_cmpint(g_chmod(wrapper, 0755), ==, 0);
    return g_steal_pointer(&wrapper);
}

static void
testProbeKilled(void)
{
    const char *binary = testQemuBinaryPath();
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *wrapper = NULL;
    g_autofree char *marker = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuCapsHostCpu) hostCpu = NULL;

    if (!(tmp = testQemuTmpDir(binary)))
        return;
    marker = g_build_filename(tmp, "killed", NULL);

    /* killed once: started again, and the TCG host CPU is there */
    wrapper = testProbeKillerWrapper(tmp, binary, TRUE);
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                          "starting * with -machine none,accel=tcg again: *killed by signal 9*");
    caps = vgmQemuCapsProbe(wrapper, &err);
    g_test_assert_expected_messages();
    g_assert_no_error(err);
    g_assert_nonnull(caps);
    g_assert_true(g_file_test(marker, G_FILE_TEST_EXISTS));
    hostCpu = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG);
    g_assert_nonnull(hostCpu);
    g_clear_pointer(&hostCpu, vgmQemuCapsHostCpuFree);
    g_clear_pointer(&caps, vgmQemuCapsFree);
    g_clear_pointer(&wrapper, g_free);

    /* killed every time: no TCG host CPU, and the message says how QEMU
     * ended */
    wrapper = testProbeKillerWrapper(tmp, binary, FALSE);
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                          "starting * with -machine none,accel=tcg again: *killed by signal 9*");
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                          "no host CPU under TCG for *: cannot start QEMU binary * "
                          "with -machine none,accel=tcg: *(QEMU was killed by signal 9)");
    caps = vgmQemuCapsProbe(wrapper, &err);
    g_test_assert_expected_messages();
    g_assert_no_error(err);
    g_assert_nonnull(caps);
    hostCpu = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG);
    g_assert_null(hostCpu);

    g_unlink(marker);
    g_unlink(wrapper);
    g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

/* ---- the cache ---- */

static void
testCacheTouch(const char *path, gint64 sec)
{
    struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

    g_assert_cmpint(utimensat(AT_FDCWD, path, ts, 0), ==, 0);
}

typedef struct {
    const char *binary;
    const char *cacheDir;
    GThread *thread;
    VgmQemuCaps *caps;
    GError *err;
} TestCacheLookup;

static gpointer
testCacheLookupThread(gpointer data)
{
    TestCacheLookup *l = data;

    l->caps = vgmQemuCapsCacheLookup(l->binary, l->cacheDir, &l->err);
    return NULL;
}

static void
testCache(void)
{
    const char *binary = testQemuBinaryPath();
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *wrapper = NULL;
    g_autofree char *script = NULL;
    g_autofree char *cacheDir = NULL;
    g_autofree char *defDir = vgmQemuCapsCacheDefaultDir();
    g_autoptr(VgmQemuCaps) first = NULL;
    g_autoptr(VgmQemuCaps) second = NULL;
    g_autoptr(VgmQemuCaps) third = NULL;
    g_autoptr(VgmQemuCaps) fourth = NULL;
    g_autofree char *firstText = NULL;
    g_autofree char *secondText = NULL;
    g_autoptr(GDir) dir = NULL;
    g_autofree char *cacheFile = NULL;
    const char *entry;
    unsigned int count;

    g_assert_true(g_str_has_suffix(defDir, "virt-gmem/qemucaps"));


    /* A wrapper whose mtime we may change stands for the binary. */
    if (!(tmp = testQemuTmpDir(binary)))
        return;
    wrapper = g_build_filename(tmp, "qemu-wrapper", NULL);
    script = g_strdup_printf("#!/bin/sh\nexec %s \"$@\"\n", binary);
    g_assert_true(g_file_set_contents(wrapper, script, -1, NULL));
    g_assert_cmpint(g_chmod(wrapper, 0755), ==, 0);
    testCacheTouch(wrapper, 1700000000);
    cacheDir = g_build_filename(tmp, "cache", "qemucaps", NULL);

    count = vgmQemuCapsGetProbeCount();
    first = vgmQemuCapsCacheLookup(wrapper, cacheDir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 1);

    dir = g_dir_open(cacheDir, 0, &err);
    g_assert_no_error(err);
    g_assert_nonnull((entry = g_dir_read_name(dir)));
    g_assert_true(g_str_has_prefix(entry, "qemu-wrapper-"));
    g_assert_true(g_str_has_suffix(entry, ".json"));
    cacheFile = g_build_filename(cacheDir, entry, NULL);
    g_assert_null(g_dir_read_name(dir));

    /* Cached: no new QEMU, same content. */
    second = vgmQemuCapsCacheLookup(wrapper, cacheDir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 1);
    firstText = vgmQemuCapsFormat(first);
    secondText = vgmQemuCapsFormat(second);
    g_assert_cmpstr(firstText, ==, secondText);
    g_assert_true(vgmQemuCapsGet(second, VGM_QEMU_CAPS_OBJECT_MEMORY_BACKEND_MEMFD));
    /* ... and the process's own set, shared, not the file parsed again */
    g_assert_true(second == first);

    /* A changed binary invalidates. */
    testCacheTouch(wrapper, 1700000100);
    third = vgmQemuCapsCacheLookup(wrapper, cacheDir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 2);

    /* Lookups at once of a binary changed again share one probe: the
     * others wait for it and take what it stored */
    testCacheTouch(wrapper, 1700000200);
    {
        TestCacheLookup looks[3] = { 0 };
        guint i;

        for (i = 0; i < G_N_ELEMENTS(looks); i++) {
            looks[i].binary = wrapper;
            looks[i].cacheDir = cacheDir;
            looks[i].thread = g_thread_new("lookup", testCacheLookupThread, &looks[i]);
        }
        for (i = 0; i < G_N_ELEMENTS(looks); i++) {
            g_autofree char *text = NULL;
            g_autofree char *want = NULL;

            g_thread_join(looks[i].thread);
            g_assert_no_error(looks[i].err);
            g_assert_nonnull(looks[i].caps);
            text = vgmQemuCapsFormat(looks[i].caps);
            want = vgmQemuCapsFormat(looks[0].caps);
            g_assert_cmpstr(text, ==, want);
        }
        g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 3);
        for (i = 0; i < G_N_ELEMENTS(looks); i++)
            vgmQemuCapsFree(looks[i].caps);
    }
    count++;

    /* So does a corrupt cache file, which is rewritten. */
    g_assert_true(g_file_set_contents(cacheFile, "{ not json", -1, NULL));
    fourth = vgmQemuCapsCacheLookup(wrapper, cacheDir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 3);
    g_clear_pointer(&fourth, vgmQemuCapsFree);
    fourth = vgmQemuCapsCacheLookup(wrapper, cacheDir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 3);
    /* A cache file another process wrote since (the same key) is read
     * again rather than the set this process holds shared. */
    {
        g_autofree char *text = vgmQemuCapsFormat(fourth);
        g_autoptr(VgmQemuCaps) fifth = NULL;

        g_assert_true(g_file_set_contents(cacheFile, text, -1, NULL));
        fifth = vgmQemuCapsCacheLookup(wrapper, cacheDir, &err);
        g_assert_no_error(err);
        g_assert_cmpuint(vgmQemuCapsGetProbeCount(), ==, count + 3);
        g_assert_true(fifth != fourth);
    }

    g_unlink(cacheFile);
    g_rmdir(cacheDir);
    g_clear_pointer(&cacheDir, g_free);
    cacheDir = g_build_filename(tmp, "cache", NULL);
    g_rmdir(cacheDir);
    g_unlink(wrapper);
    g_rmdir(tmp);
}

/* host CPU (TCG): Intel, "a b c d"; models M1 "a b", M2 "a b c e" (Intel),
 * X1 "a b c d" (AMD) */
#define CPUSET HOSTCPU("GenuineIntel", \
                       MODEL("M1", "GenuineIntel", 1, "a b") ", " \
                       MODEL("M2", "GenuineIntel", 2, "a b c e") ", " \
                       MODEL("X1", "AuthenticAMD", 3, "a b c d"))

/* A CPU context over CPUSET's TCG CPU (returned; @ctx points into it):
 * every name of it and CPUID's known */
static VgmQemuCapsHostCpu *
testCpuContext(VgmQemuCpuContext *ctx)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = vgmQemuCapsLoadString(CPUSET, "test", &err);
    VgmQemuCapsHostCpu *hv;
    guint i, j;

    g_assert_no_error(err);
    hv = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG);
    g_assert_nonnull(hv);

    ctx->host = hv->host;
    ctx->models = hv->models;
    ctx->known = g_hash_table_new(g_str_hash, g_str_equal);
    vgmQemuCpuAddCpuidNames(ctx->known);
    for (i = 0; hv->host->features[i]; i++)
        g_hash_table_add(ctx->known, hv->host->features[i]);
    for (i = 0; i < hv->models->len; i++) {
        const VgmQemuCapsCpuModel *m = g_ptr_array_index(hv->models, i);

        for (j = 0; m->features[j]; j++)
            g_hash_table_add(ctx->known, m->features[j]);
    }
    return hv;
}

static int
testCompareOne(const VgmQemuCpuContext *ctx, const char *xml, char **why, GError **err)
{
    g_autoptr(VgmCpuDesc) desc = vgmCpuDescParseString(xml, FALSE, err);

    if (!desc)
        return -2;
    return vgmQemuCpuCompare(ctx, desc, why, err);
}

static void
testCpuCompare(void)
{
    static const struct {
        const char *xml;
        int result;
        const char *why;    /* incompatible: the reason; error: the message part */
    } cases[] = {
        { "<cpu mode='custom' match='exact'><model>M1</model></cpu>",
          VGM_QEMU_CPU_SUPERSET, NULL },
        { "<cpu match='exact'><model>M1</model><feature policy='require' name='c'/>"
          "<feature name='d'/></cpu>", VGM_QEMU_CPU_IDENTICAL, NULL },
        { "<cpu match='strict'><model>M1</model></cpu>", VGM_QEMU_CPU_INCOMPATIBLE,
          "Host CPU does not strictly match guest CPU: Extra features: c, d" },
        { "<cpu match='minimum'><model>M1</model></cpu>", VGM_QEMU_CPU_SUPERSET, NULL },
        { "<cpu><model>M2</model></cpu>", VGM_QEMU_CPU_INCOMPATIBLE,
          "Host CPU does not provide required features: e" },
        /* what the model brings and a feature disables, forces or makes
         * optional is not asked of the host */
        { "<cpu><model>M2</model><feature policy='disable' name='e'/></cpu>",
          VGM_QEMU_CPU_SUPERSET, NULL },
        { "<cpu><model>M2</model><feature policy='force' name='e'/>"
          "<feature policy='optional' name='d'/></cpu>", VGM_QEMU_CPU_IDENTICAL, NULL },
        { "<cpu><model>M1</model><feature policy='forbid' name='c'/></cpu>",
          VGM_QEMU_CPU_INCOMPATIBLE, "Host CPU provides forbidden features: c" },
        { "<cpu><model>M1</model><feature policy='forbid' name='e'/></cpu>",
          VGM_QEMU_CPU_SUPERSET, NULL },
        { "<cpu><model>M1</model><vendor>AMD</vendor></cpu>", VGM_QEMU_CPU_INCOMPATIBLE,
          "host CPU vendor does not match required CPU vendor AMD" },
        { "<cpu><model>M1</model><vendor>Intel</vendor></cpu>", VGM_QEMU_CPU_SUPERSET, NULL },
        /* a host CPU: the model and every feature required */
        { "<cpu><arch>x86_64</arch><model>M1</model><feature name='c'/><feature name='d'/>"
          "<topology sockets='1' cores='2' threads='1'/><pages size='4'/></cpu>",
          VGM_QEMU_CPU_IDENTICAL, NULL },
        { "<cpu><arch>x86_64</arch><model>M2</model></cpu>", VGM_QEMU_CPU_INCOMPATIBLE,
          "Host CPU does not provide required features: e" },
        { "<cpu><arch>aarch64</arch><model>M1</model></cpu>", VGM_QEMU_CPU_INCOMPATIBLE,
          "CPU arch aarch64 does not match host arch" },
        { "<cpu><model>Z9</model></cpu>", -1, "unknown CPU model 'Z9'" },
        { "<cpu><model>M1</model><feature name='zz'/></cpu>", -1, "unknown CPU feature 'zz'" },
        { "<cpu><arch>x86_64</arch></cpu>", -2, "needs its model name in <model>" },
        { "<cpu match='exact'><arch>x86_64</arch><model>M1</model></cpu>", -2,
          "has no attribute 'match'" },
        { "<domain/>", -2, "a CPU definition is a <cpu> element" },
        /* a host CPU's features are ones it has, whatever policy they
         * carry: libvirt reads none there (a host-model CPU given back as
         * a host CPU, 'disable' and all, as virt-install gives it to a
         * baseline: libvirtd 9.0 counts 'c' and 'd' in, 2026-12-07), and
         * its model's fallback, which libvirt passes over for a host CPU;
         * its model no other attribute */
        { "<cpu><arch>x86_64</arch><model>M1</model><feature policy='disable' name='c'/>"
          "<feature policy='forbid' name='d'/></cpu>", VGM_QEMU_CPU_IDENTICAL, NULL },
        { "<cpu><arch>x86_64</arch><model fallback='allow' mode='x'>M1</model></cpu>", -2,
          "attribute 'mode'" },
        { "<cpu><arch>x86_64</arch><model>M1</model><signature family='6'/></cpu>", -2,
          "model" },
    };
    g_autoptr(GError) err = NULL;
    VgmQemuCpuContext ctx = { 0 };
    g_autoptr(VgmQemuCapsHostCpu) hv = testCpuContext(&ctx);
    size_t i;

    g_assert_cmpstr(hv->host->vendor, ==, "GenuineIntel");
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *why = NULL;
        int r = testCompareOne(&ctx, cases[i].xml, &why, &err);

        if (r != cases[i].result)
            g_error("%s: result %d, expected %d (%s)", cases[i].xml, r, cases[i].result,
                    err ? err->message : why ? why : "");
        if (r < 0) {
            g_assert_nonnull(err);
            if (!strstr(err->message, cases[i].why))
                g_error("%s: '%s' lacks '%s'", cases[i].xml, err->message, cases[i].why);
            g_clear_error(&err);
        } else {
            g_assert_no_error(err);
            g_assert_cmpstr(why, ==, cases[i].why);
        }
    }
    g_hash_table_unref(ctx.known);
}

static char *
testBaselineOne(const VgmQemuCpuContext *ctx, const char *const *xmls,
                const VgmQemuCapsCpuModel *limit, gboolean expand, gboolean migratable,
                GError **err)
{
    g_autoptr(GPtrArray) descs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmCpuDescFree);
    g_autoptr(VgmCpuDef) cpu = NULL;
    g_auto(VgmBuf) buf = { 0 };
    size_t i;

    for (i = 0; xmls[i]; i++) {
        VgmCpuDesc *d = vgmCpuDescParseString(xmls[i], FALSE, err);

        g_assert_no_error(*err);
        g_ptr_array_add(descs, d);
    }
    if (!(cpu = vgmQemuCpuBaseline(ctx, (VgmCpuDesc *const *)descs->pdata, descs->len, limit,
                                   expand, migratable, err)))
        return NULL;
    vgmBufInit(&buf, 0);
    vgmDomainCpuDefFormat(&buf, cpu);
    return vgmBufSteal(&buf);
}

static void
testCpuBaseline(void)
{
#define HOST(m, extra) "<cpu><arch>x86_64</arch><model>" m "</model>" extra "</cpu>"
    static const struct {
        const char *xmls[3];
        gboolean limit;
        gboolean expand;
        gboolean migratable;
        const char *result;     /* NULL: an error containing @error */
        const char *error;
    } cases[] = {
        /* one model named: it, exactly, fallback forbid; no vendor unless
         * every input names it */
        { { HOST("M2", ""), NULL }, FALSE, FALSE, FALSE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>M2</model>\n</cpu>\n" },
        { { HOST("M2", "<vendor>Intel</vendor>"), NULL }, FALSE, TRUE, FALSE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>M2</model>\n"
          "  <vendor>Intel</vendor>\n"
          "  <feature policy='require' name='a'/>\n  <feature policy='require' name='b'/>\n"
          "  <feature policy='require' name='c'/>\n  <feature policy='require' name='e'/>\n"
          "</cpu>\n" },
        /* what both have (a b c) is M1 plus c (cost 1) rather than M2
         * less e (cost 2) */
        { { HOST("M2", "<vendor>Intel</vendor>"),
            HOST("M1", "<vendor>Intel</vendor><feature name='c'/>"), NULL }, FALSE, FALSE, FALSE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='allow'>M1</model>\n"
          "  <vendor>Intel</vendor>\n  <feature policy='require' name='c'/>\n</cpu>\n" },
        /* limited to the hypervisor's CPU (a b c d): M2 less e */
        { { HOST("M2", ""), NULL }, TRUE, FALSE, FALSE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>M2</model>\n"
          "  <feature policy='disable' name='e'/>\n</cpu>\n" },
        { { HOST("M1", "<feature name='invtsc'/>"), NULL }, FALSE, FALSE, FALSE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>M1</model>\n"
          "  <feature policy='require' name='invtsc'/>\n</cpu>\n" },
        { { HOST("M1", "<feature name='invtsc'/><feature name='osxsave'/>"), NULL },
          FALSE, FALSE, TRUE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>M1</model>\n</cpu>\n" },
        /* xsaves, which libvirt's map marks migratable='no' too */
        { { HOST("M1", "<feature name='xsaves'/>"), NULL }, FALSE, FALSE, TRUE,
          "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>M1</model>\n</cpu>\n" },
        { { HOST("M1", "<vendor>Intel</vendor>"), HOST("X1", "<vendor>AMD</vendor>"), NULL },
          FALSE, FALSE, FALSE, NULL, "CPU vendors do not match: Intel and AMD" },
        { { HOST("M1", "<vendor>Cyrix</vendor>"), NULL }, FALSE, FALSE, FALSE, NULL,
          "unknown CPU vendor 'Cyrix'" },
        { { HOST("M1", ""), HOST("M2", "<vendor>AMD</vendor>"), NULL }, FALSE, FALSE, FALSE,
          NULL, "CPU vendor Intel of model M2 differs from vendor AMD" },
        { { "<cpu><model>M1</model><feature policy='disable' name='a'/>"
            "<feature policy='disable' name='b'/></cpu>", NULL }, FALSE, FALSE, FALSE, NULL,
          "CPUs are incompatible" },
    };
#undef HOST
    g_autoptr(GError) err = NULL;
    VgmQemuCpuContext ctx = { 0 };
    g_autoptr(VgmQemuCapsHostCpu) hv = testCpuContext(&ctx);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out = testBaselineOne(&ctx, cases[i].xmls,
                                               cases[i].limit ? hv->host : NULL,
                                               cases[i].expand, cases[i].migratable, &err);

        if (cases[i].result) {
            g_assert_no_error(err);
            g_assert_cmpstr(out, ==, cases[i].result);
        } else {
            g_assert_null(out);
            g_assert_nonnull(err);
            if (!strstr(err->message, cases[i].error))
                g_error("case %zu: '%s' lacks '%s'", i, err->message, cases[i].error);
            g_clear_error(&err);
        }
    }
    g_hash_table_unref(ctx.known);
}
#undef CPUSET

/* a made-up CPU: GenuineIntel, family 6, model 85 (0x55), stepping 4;
 * pni, sse4.2, fpu, avx2 and lahf-lm; no leaf past 7 or 0x80000001 */
static gboolean
testCpuid(guint32 leaf, guint32 subleaf, guint32 regs[4])
{
    memset(regs, 0, 4 * sizeof(guint32));
    switch (leaf) {
    case 0:
        regs[0] = 7;
        memcpy(&regs[1], "Genu", 4);
        memcpy(&regs[3], "ineI", 4);
        memcpy(&regs[2], "ntel", 4);
        return TRUE;
    case 1:
        regs[0] = (5u << 16) | (6u << 8) | (5u << 4) | 4u;
        regs[2] = 1u | (1u << 20);
        regs[3] = 1u;
        return TRUE;
    case 7:
        regs[1] = subleaf == 0 ? 1u << 5 : 0;
        return TRUE;
    case 0x80000001:
        regs[2] = 1u;
        return TRUE;
    default:
        return FALSE;
    }
}

/* Against the host's own CPU (read from CPUID: testCpuid's), a model
 * asks only what CPUID reports, and not 'hypervisor', which QEMU puts in
 * every model; a generic model loses a tie */
static void
testCpuHostCpuid(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps =
        vgmQemuCapsLoadString(HOSTCPU("GenuineIntel",
                                      MODEL("Alpha", "GenuineIntel", 1, "fpu hypervisor mds-no pni") ", "
                                      MODEL("Beta", "GenuineIntel", 2, "avx512f fpu hypervisor pni") ", "
                                      MODEL("qemu64", "AuthenticAMD", 3, "fpu hypervisor pni")),
                              "test", &err);
    g_autoptr(VgmQemuCapsHostCpu) hv = NULL;
    g_autoptr(VgmQemuCapsCpuModel) host = NULL;
    g_autoptr(VgmCpuDesc) alpha = NULL;
    g_autoptr(VgmCpuDesc) hostAlpha = NULL;
    g_autofree char *why = NULL;
    g_autofree char *out = NULL;
    const char *const xmls[] = {
        "<cpu><arch>x86_64</arch><model>Alpha</model><feature name='avx2'/></cpu>", NULL
    };
    VgmQemuCpuContext ctx = { 0 };
    const VgmQemuCapsCpuModel *m;
    guint stepping;

    g_assert_no_error(err);
    hv = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG);
    host = vgmQemuCpuFromCpuid(testCpuid, &stepping);
    ctx.host = host;
    ctx.models = hv->models;
    ctx.known = g_hash_table_new(g_str_hash, g_str_equal);
    vgmQemuCpuAddCpuidNames(ctx.known);
    g_hash_table_add(ctx.known, (gpointer)"mds-no");

    /* read as QEMU defines them, no model fits a host without the
     * hypervisor bit */
    g_assert_null(vgmQemuCpuDecodeHost(&ctx));
    ctx.cpuid = TRUE;
    m = vgmQemuCpuDecodeHost(&ctx);
    g_assert_nonnull(m);
    g_assert_cmpstr(m->name, ==, "Alpha");

    alpha = vgmCpuDescParseString("<cpu><model>Alpha</model></cpu>", FALSE, &err);
    g_assert_no_error(err);
    g_assert_cmpint(vgmQemuCpuCompare(&ctx, alpha, &why, &err), ==, VGM_QEMU_CPU_SUPERSET);
    g_assert_null(why);
    hostAlpha = vgmCpuDescParseString("<cpu><arch>x86_64</arch><model>Alpha</model>"
                                      "<feature name='avx2'/><feature name='lahf_lm'/>"
                                      "<feature name='sse4.2'/></cpu>", FALSE, &err);
    g_assert_no_error(err);
    g_assert_cmpint(vgmQemuCpuCompare(&ctx, hostAlpha, &why, &err), ==, VGM_QEMU_CPU_IDENTICAL);

    /* the expansion has neither 'hypervisor' nor 'mds-no' */
    out = testBaselineOne(&ctx, xmls, NULL, TRUE, FALSE, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(out, ==,
                    "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>Alpha</model>\n"
                    "  <feature policy='require' name='avx2'/>\n"
                    "  <feature policy='require' name='fpu'/>\n"
                    "  <feature policy='require' name='pni'/>\n</cpu>\n");
    g_hash_table_unref(ctx.known);
}

static void
testCpuFromCpuid(void)
{
    g_autoptr(VgmQemuCapsCpuModel) cpu = NULL;
    g_autofree char *features = NULL;
    guint stepping = 0;

    cpu = vgmQemuCpuFromCpuid(testCpuid, &stepping);
    g_assert_nonnull(cpu);
    g_assert_cmpstr(cpu->vendor, ==, "GenuineIntel");
    g_assert_cmpuint(cpu->family, ==, 6);
    g_assert_cmpuint(cpu->model, ==, 85);
    g_assert_cmpuint(stepping, ==, 4);
    features = g_strjoinv(" ", cpu->features);
    g_assert_cmpstr(features, ==, "avx2 fpu lahf-lm pni sse4.2");
}

static gint
testStrPtrCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autofree char *dataDir = testDataDir();
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    guint i;
    int ret;

    /* before glib reads it: the probes' temporary directories go here */
    {
        g_autofree char *tmpl = g_build_filename(g_getenv("TMPDIR") ? g_getenv("TMPDIR") : "/tmp",
                                                 "qemucapstest-XXXXXX", NULL);

        if (!g_mkdtemp(tmpl))
            g_error("cannot make a temporary directory: %s", g_strerror(errno));
        testTmpDir = g_steal_pointer(&tmpl);
        g_setenv("TMPDIR", testTmpDir, TRUE);
    }

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/qemucaps/flag-table", testFlagTable);

    dir = g_dir_open(dataDir, 0, NULL);
    g_assert_nonnull(dir);
    while ((entry = g_dir_read_name(dir))) {
        if (g_str_has_suffix(entry, ".json"))
            g_ptr_array_add(files, g_strdup(entry));
    }
    g_ptr_array_sort(files, testStrPtrCompare);
    for (i = 0; i < files->len; i++) {
        const char *name = g_ptr_array_index(files, i);
        g_autofree char *testPath = g_strdup_printf("/qemucaps/roundtrip/%s", name);

        g_test_add_data_func_full(testPath, g_build_filename(dataDir, name, NULL),
                                  testSetRoundTrip, g_free);
    }
    for (i = 0; i < G_N_ELEMENTS(testFacts); i++) {
        g_autofree char *testPath = g_strdup_printf("/qemucaps/facts/%s", testFacts[i].set);

        g_test_add_data_func(testPath, &testFacts[i], testSetFacts);
    }

    g_test_add_func("/qemucaps/machines", testMachines);
    g_test_add_func("/qemucaps/check-object", testCheckObject);
    g_test_add_func("/qemucaps/check-device", testCheckDevice);
    g_test_add_func("/qemucaps/check-machine-prop", testCheckMachineProp);
    g_test_add_func("/qemucaps/load-errors", testLoadErrors);
    g_test_add_func("/qemucaps/consistency", testConsistency);
    g_test_add_func("/qemucaps/host-model", testHostModel);
    g_test_add_func("/qemucaps/host-model-paravirt", testHostModelParavirt);
    g_test_add_func("/qemucaps/cpu-compare", testCpuCompare);
    g_test_add_func("/qemucaps/cpu-baseline", testCpuBaseline);
    g_test_add_func("/qemucaps/cpu-from-cpuid", testCpuFromCpuid);
    g_test_add_func("/qemucaps/cpu-host-cpuid", testCpuHostCpuid);
    for (i = 0; i < G_N_ELEMENTS(testRealSets); i++) {
        g_autofree char *testPath = g_strdup_printf("/qemucaps/real-binary/%s",
                                                    testRealSets[i].set);

        g_test_add_data_func(testPath, &testRealSets[i], testRealBinary);
    }
    g_test_add_func("/qemucaps/probe-killed", testProbeKilled);
    g_test_add_func("/qemucaps/cache", testCache);

    ret = g_test_run();
    vgmFileRemoveTree(testTmpDir);
    g_free(testTmpDir);
    return ret;
}
