/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuvalidatetest.c: QEMU-dependent validation (rules 9 to 12 of the
 * specification) one capability at a time.
 *
 * Each case takes a capability set from tests/qemucapabilitiesdata/, adds
 * or removes capabilities and builds an inline domain XML with
 * vgmQemuBuildCommandLine. A negative case asserts the exact error message
 * (and VGM_ERR_CONFIG_UNSUPPORTED); its positive counterpart asserts the
 * guest_memfd spelling chosen in the plan (plan->gmem, convert-in-place)
 * and what the command line must and must not contain.
 *
 * Capabilities are changed in two ways. "+flag" / "-flag" edit the set's
 * QMP schema the way a different binary would report it (the object type,
 * the object property, the machine property or the device the flag is
 * probed from) and derive every flag from the edited schema, so the set
 * stays consistent (vgmQemuCapsCheckConsistency) and the schema check of
 * the emitted command line still applies. "!flag" only clears the flag
 * with vgmQemuCapsClear (the schema keeps the property): validation must
 * follow the flag, not the schema.
 *
 * Covered: rule 9 (no spelling; each spelling alone; precedence memfd
 * guest-memfd > memory-backend-guest-memfd > memfd x-guest-memfd; for
 * in-place conversion convert-in-place > the machine knob, per launch
 * security type, and the message when convert-in-place has no backend),
 * rule 10 (hugetlb guest_memfd only with convert-in-place and both
 * gmem-allocator and gmem-page-size; mixed sizes; the machine knob),
 * rule 11 (aux-ram-share; an fd-keeping backend; memory-backend-guest-memfd
 * is passed over for live update), rule 12 (memfd hugepages without
 * MFD_HUGETLB, hugepages with anonymous memory, memfd missing, launch
 * security object and machine confidential-guest-support missing, memory
 * device models missing, sev-snp kernel hashes), and the devices of
 * libvirt's checks outside memory (vgmDeviceCases): <vmcoreinfo/> needs the
 * device 'vmcoreinfo', io='io_uring' the -blockdev aio value (a QAPI flag,
 * which only "!" can take away), an rbd image's librbd <encryption> the
 * rbd driver's encrypt option (a QAPI flag too), a LUKS image's the
 * secret object, a controller model its QEMU device
 * (nec-xhci is nec-usb-xhci, lsilogic lsi53c895a), a USB or virtio input
 * its device (PS/2 none), an <audio> type the QEMU driver the binary
 * lists (pulseaudio, sdl with its SDL_AUDIODRIVER, jack: libvirt's
 * -audiodev for the same input), a size in bytes is not
 * computed in 32 bits. testControllerModels takes every controller model
 * of docs/schemas/domain.rng: the parser refuses it naming it, or the
 * controller table has its device, which a set lacking it refuses.
 * testFirmwareDescriptors: QEMU firmware descriptors are read defensively
 * (not JSON, non-string array elements) and an empty file hides a later
 * directory's descriptor of its name.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_firmware.h"
#include "qemu/qemu_plan.h"
#include "qemu/qemu_validate.h"
#include "util/vgmerror.h"
#include "util/vgmxml.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

/* ---------------- domain XML pieces ---------------- */

#define MB_GMEM "<memoryBacking><source type='guestmemfd'/></memoryBacking>"
#define MB_GMEM_HUGE "<memoryBacking><hugepages><page size='2' unit='MiB'/></hugepages>" \
    "<source type='guestmemfd'/></memoryBacking>"
#define MB_GMEM_LU "<memoryBacking><source type='guestmemfd'/><liveUpdate/></memoryBacking>"
#define MB_HUGE "<memoryBacking><hugepages><page size='2' unit='MiB'/></hugepages></memoryBacking>"
#define MB_HUGE_LU "<memoryBacking><hugepages><page size='2' unit='MiB'/></hugepages>" \
    "<liveUpdate/></memoryBacking>"
#define MB_HUGE_1G "<memoryBacking><hugepages><page size='1' unit='GiB'/></hugepages></memoryBacking>"
#define MB_HUGE_MIXED "<memoryBacking><hugepages><page size='2' unit='MiB' nodeset='0'/>" \
    "<page size='1' unit='GiB' nodeset='1'/></hugepages></memoryBacking>"
#define MB_MEMFD "<memoryBacking><source type='memfd'/></memoryBacking>"
#define MB_MEMFD_HUGE "<memoryBacking><hugepages><page size='2' unit='MiB'/></hugepages>" \
    "<source type='memfd'/><access mode='shared'/></memoryBacking>"
#define MB_LU "<memoryBacking><liveUpdate/></memoryBacking>"

#define CPU_2CELLS "<cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/>" \
    "<cell id='1' cpus='1' memory='512' unit='MiB'/></numa></cpu>"

#define LSEC_SNP "<launchSecurity type='sev-snp'><policy>0x30000</policy></launchSecurity>"
#define LSEC_SNP_KH "<launchSecurity type='sev-snp' kernelHashes='yes'><policy>0x30000</policy></launchSecurity>"
#define LSEC_SNP_INPLACE "<launchSecurity type='sev-snp' inPlaceConversion='yes'>" \
    "<policy>0x30000</policy></launchSecurity>"
#define LSEC_TDX_INPLACE "<launchSecurity type='tdx' inPlaceConversion='yes'>" \
    "<policy>0x10000000</policy></launchSecurity>"

#define DEV_VIRTIO_MEM "<memory model='virtio-mem'><target><size unit='MiB'>512</size>" \
    "<node>0</node><block unit='MiB'>2</block><requested unit='MiB'>256</requested></target></memory>"
#define DEV_DIMM "<memory model='dimm'><target><size unit='MiB'>512</size><node>0</node></target></memory>"

/* ---------------- expected messages (src/qemu/qemu_validate.c) ---------------- */

#define ERR_NO_GMEM(set) \
    "this QEMU binary does not support guest_memfd memory backends (capability set '" set \
    "' has none of: memory-backend-memfd property 'guest-memfd', object 'memory-backend-guest-memfd', " \
    "memory-backend-memfd property 'x-guest-memfd')"
#define ERR_GMEM_HUGE \
    "this QEMU binary cannot back guest_memfd with hugepages for <source type='guestmemfd'>: " \
    "hugetlb guest_memfd exists only with <launchSecurity inPlaceConversion='yes'> and the " \
    "confidential-guest properties 'gmem-allocator' and 'gmem-page-size'"
#define ERR_CPR \
    "this QEMU binary does not support <liveUpdate/> with guest_memfd: its only guest_memfd backend, " \
    "'memory-backend-guest-memfd', does not keep its fd across CPR (needs memory-backend-memfd " \
    "property 'guest-memfd' or 'x-guest-memfd')"
#define ERR_CONVERT_NO_BACKEND(cgs, cpr) \
    "this QEMU binary has '" cgs "' property 'convert-in-place' but no guest_memfd RAM backend to " \
    "convert (needs memory-backend-memfd property 'guest-memfd', object 'memory-backend-guest-memfd'" \
    cpr " or memory-backend-memfd property 'x-guest-memfd')"
#define ERR_INPLACE_HUGE(cgs) \
    "this QEMU binary cannot back in-place guest_memfd with hugepages: '" cgs \
    "' lacks the properties 'gmem-allocator' and 'gmem-page-size'"
#define ERR_INPLACE_MIXED(cgs) \
    "hugepages for in-place guest_memfd must be one size for all guest memory: QEMU sets " \
    "'gmem-page-size' once per VM on '" cgs "'"
#define ERR_MACHINE_HUGE(cgs) \
    "this QEMU binary cannot back in-place guest_memfd with hugepages: it converts in place only " \
    "through the machine property 'in-place-conversion', which has no hugetlb setting ('" cgs \
    "' lacks 'convert-in-place', 'gmem-allocator' and 'gmem-page-size')"
#define ERR_NO_INPLACE(type, cgs) \
    "this QEMU binary does not support in-place conversion for <launchSecurity type='" type \
    "'>: needs the '" cgs "' property 'convert-in-place' or the machine property 'in-place-conversion'"
#define ERR_AUX \
    "this QEMU binary does not support <liveUpdate/>: the machine property 'aux-ram-share' is missing"
#define ERR_LU_MEMFD \
    "this QEMU binary does not support <liveUpdate/>: guest RAM needs an fd-based backend and " \
    "'memory-backend-memfd' is missing"
#define ERR_NO_MEMFD \
    "this QEMU binary does not support <source type='memfd'>: object 'memory-backend-memfd' is missing"
#define ERR_MFD_HUGETLB \
    "this QEMU binary cannot use hugepages with <source type='memfd'>: memory-backend-memfd has no " \
    "'hugetlb' property (the host lacks MFD_HUGETLB)"
#define ERR_MEMDEV(model, dev) \
    "this QEMU binary does not support memory device model '" model "': device '" dev "' is missing"
#define ERR_LSEC_OBJ(type, obj) \
    "this QEMU binary does not support <launchSecurity type='" type "'>: object '" obj "' is missing"
#define ERR_CGS \
    "this QEMU binary does not support <launchSecurity>: the machine property " \
    "'confidential-guest-support' is missing"
#define ERR_SNP_KH \
    "this QEMU binary does not support kernelHashes for sev-snp: 'sev-snp-guest' lacks 'kernel-hashes'"

/* ---------------- cases ---------------- */

#define ANY -1
#define NONE_OF(...) ((const char *const[]){ __VA_ARGS__, NULL })

typedef struct {
    const char *path;          /* test name below /qemuvalidate/ */
    const char *set;           /* capability set file name without .json */
    const char *edits;         /* "+flag -flag !flag ...", or NULL */
    const char *memoryBacking; /* <memoryBacking> or "" */
    const char *cpu;           /* <cpu> or "" */
    const char *devices;       /* extra devices or "" */
    const char *lsec;          /* <launchSecurity> or "" */
    const char *error;         /* expected message; NULL: success */
    int gmem;                  /* expected VgmQemuGmemSpelling, or ANY */
    gboolean convertInPlace;   /* expected plan->convertInPlace */
    const char *const *want;   /* must appear in the command line */
    const char *const *unwanted; /* must not */
} VgmValidateCase;

static const VgmValidateCase vgmCases[] = {
    /* ---- rule 9: a guest_memfd spelling, which one ---- */
    { "rule9/none-7.2", "qemu-7.2-debian", NULL, MB_GMEM, "", "", "",
      ERR_NO_GMEM("qemu-7.2-debian"), ANY, FALSE, NULL, NULL },
    { "rule9/none-10.1", "qemu-10.1", NULL, MB_GMEM, "", "", "",
      ERR_NO_GMEM("qemu-10.1"), ANY, FALSE, NULL, NULL },
    { "rule9/gmem-memfd-without-guest-memfd", "qemu-gmem-memfd", "-memfd.guest-memfd",
      MB_GMEM, "", "", "", ERR_NO_GMEM("qemu-gmem-memfd"), ANY, FALSE, NULL, NULL },
    { "rule9/flag-cleared-schema-kept", "qemu-gmem-memfd", "!memfd.guest-memfd",
      MB_GMEM, "", "", "", ERR_NO_GMEM("qemu-gmem-memfd"), ANY, FALSE, NULL, NULL },
    { "rule9/memfd-guest-memfd-only", "qemu-gmem-memfd", NULL, MB_GMEM, "", "", "",
      NULL, VGM_QEMU_GMEM_MEMFD_PROP, FALSE,
      NONE_OF("{\"qom-type\":\"memory-backend-memfd\",\"id\":\"pc.ram\",\"share\":true,\"guest-memfd\":true"),
      NONE_OF("x-guest-memfd", "memory-backend-guest-memfd") },
    { "rule9/x-guest-memfd-only", "qemu-10.1", "+memfd.x-guest-memfd", MB_GMEM, "", "", "",
      NULL, VGM_QEMU_GMEM_MEMFD_XPROP, FALSE,
      NONE_OF("{\"qom-type\":\"memory-backend-memfd\",\"id\":\"pc.ram\",\"share\":true,\"x-guest-memfd\":true"),
      NONE_OF("\"guest-memfd\"", "memory-backend-guest-memfd") },
    { "rule9/guest-memfd-backend-only", "qemu-10.1", "+object.memory-backend-guest-memfd",
      MB_GMEM, "", "", "", NULL, VGM_QEMU_GMEM_BACKEND, FALSE,
      NONE_OF("{\"qom-type\":\"memory-backend-guest-memfd\",\"id\":\"pc.ram\",\"share\":true"),
      NONE_OF("guest-memfd\":true", "memory-backend-memfd") },
    { "rule9/precedence-all-three", "qemu-10.1",
      "+memfd.guest-memfd +object.memory-backend-guest-memfd +memfd.x-guest-memfd",
      MB_GMEM, "", "", "", NULL, VGM_QEMU_GMEM_MEMFD_PROP, FALSE,
      NONE_OF("\"guest-memfd\":true"), NONE_OF("x-guest-memfd", "memory-backend-guest-memfd") },
    { "rule9/precedence-backend-over-x", "qemu-10.1",
      "+object.memory-backend-guest-memfd +memfd.x-guest-memfd",
      MB_GMEM, "", "", "", NULL, VGM_QEMU_GMEM_BACKEND, FALSE,
      NONE_OF("memory-backend-guest-memfd"), NONE_OF("x-guest-memfd") },
    { "rule9/precedence-memfd-over-backend", "qemu-gmem-inplace", "+memfd.guest-memfd",
      MB_GMEM, "", "", "", NULL, VGM_QEMU_GMEM_MEMFD_PROP, FALSE,
      NONE_OF("\"guest-memfd\":true"), NONE_OF("memory-backend-guest-memfd") },
    { "rule9/every-cell-and-device", "qemu-10.1", "+memfd.x-guest-memfd",
      MB_GMEM, CPU_2CELLS, DEV_VIRTIO_MEM, "", NULL, VGM_QEMU_GMEM_MEMFD_XPROP, FALSE,
      NONE_OF("\"id\":\"ram-node0\",\"share\":true,\"x-guest-memfd\":true",
              "\"id\":\"ram-node1\",\"share\":true,\"x-guest-memfd\":true",
              "\"id\":\"memvirtiomem0\",\"share\":true,\"x-guest-memfd\":true"),
      NULL },

    /* rule 9, in-place conversion */
    { "rule9/inplace-none", "qemu-10.1", NULL, "", "", "", LSEC_SNP_INPLACE,
      ERR_NO_INPLACE("sev-snp", "sev-snp-guest"), ANY, FALSE, NULL, NULL },
    { "rule9/inplace-convert", "qemu-gmem-inplace", NULL, "", "", "", LSEC_SNP_INPLACE,
      NULL, VGM_QEMU_GMEM_BACKEND, TRUE,
      NONE_OF("{\"qom-type\":\"memory-backend-guest-memfd\",\"id\":\"pc.ram\",\"share\":true",
              "\"convert-in-place\":true"),
      NONE_OF("in-place-conversion", "gmem-allocator") },
    { "rule9/inplace-convert-memfd-spelling", "qemu-gmem-inplace", "+memfd.guest-memfd",
      "", "", "", LSEC_SNP_INPLACE, NULL, VGM_QEMU_GMEM_MEMFD_PROP, TRUE,
      NONE_OF("\"guest-memfd\":true", "\"convert-in-place\":true"),
      NONE_OF("memory-backend-guest-memfd", "in-place-conversion") },
    { "rule9/inplace-convert-beats-machine", "qemu-gmem-inplace", "+machine.in-place-conversion",
      "", "", "", LSEC_SNP_INPLACE, NULL, VGM_QEMU_GMEM_BACKEND, TRUE,
      NONE_OF("\"convert-in-place\":true"), NONE_OF("in-place-conversion=on") },
    { "rule9/inplace-machine", "qemu-gmem-machine", NULL, "", "", "", LSEC_SNP_INPLACE,
      NULL, VGM_QEMU_GMEM_MACHINE, FALSE,
      NONE_OF("in-place-conversion=on",
              "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"pc.ram\",\"share\":true,"),
      NONE_OF("convert-in-place", "guest-memfd\":") },
    { "rule9/inplace-convert-no-backend", "qemu-gmem-inplace", "-object.memory-backend-guest-memfd",
      "", "", "", LSEC_SNP_INPLACE,
      ERR_CONVERT_NO_BACKEND("sev-snp-guest", ""), ANY, FALSE, NULL, NULL },
    { "rule9/inplace-convert-no-backend-tdx", "qemu-gmem-inplace", "-object.memory-backend-guest-memfd",
      "", "", "", LSEC_TDX_INPLACE,
      ERR_CONVERT_NO_BACKEND("tdx-guest", ""), ANY, FALSE, NULL, NULL },
    /* "first available wins": convert-in-place without a backend to convert
     * is not available, so the machine knob is next */
    { "rule9/inplace-convert-no-backend-falls-back-to-machine", "qemu-gmem-inplace",
      "-object.memory-backend-guest-memfd +machine.in-place-conversion",
      "", "", "", LSEC_SNP_INPLACE, NULL, VGM_QEMU_GMEM_MACHINE, FALSE,
      NONE_OF("in-place-conversion=on"), NONE_OF("convert-in-place") },
    /* the convert-in-place flag is per launch security type */
    { "rule9/inplace-tdx-needs-tdx-convert", "qemu-gmem-inplace", "-tdx.convert-in-place",
      "", "", "", LSEC_TDX_INPLACE,
      ERR_NO_INPLACE("tdx", "tdx-guest"), ANY, FALSE, NULL, NULL },
    { "rule9/inplace-tdx-machine-fallback", "qemu-gmem-inplace",
      "-tdx.convert-in-place +machine.in-place-conversion",
      "", "", "", LSEC_TDX_INPLACE, NULL, VGM_QEMU_GMEM_MACHINE, FALSE,
      NONE_OF("in-place-conversion=on"), NONE_OF("convert-in-place") },

    /* ---- rule 10: hugepages with guest_memfd ---- */
    { "rule10/gmem-hugepages-memfd", "qemu-gmem-memfd", NULL, MB_GMEM_HUGE, "", "", "",
      ERR_GMEM_HUGE, ANY, FALSE, NULL, NULL },
    { "rule10/gmem-hugepages-not-confidential", "qemu-gmem-inplace", NULL, MB_GMEM_HUGE, "", "", "",
      ERR_GMEM_HUGE, ANY, FALSE, NULL, NULL },
    { "rule10/inplace-hugepages", "qemu-gmem-inplace", NULL, MB_HUGE, "", "", LSEC_SNP_INPLACE,
      NULL, VGM_QEMU_GMEM_BACKEND, TRUE,
      NONE_OF("\"convert-in-place\":true,\"gmem-allocator\":\"hugetlb\",\"gmem-page-size\":2097152",
              "{\"qom-type\":\"memory-backend-guest-memfd\",\"id\":\"pc.ram\",\"share\":true,\"x-use-canonical-path-for-ramblock-id\":false,\"size\":1073741824}"),
      NONE_OF("hugetlbsize", "/dev/hugepages", "\"prealloc\"") },
    { "rule10/inplace-hugepages-1G-tdx", "qemu-gmem-inplace", NULL, MB_HUGE_1G, "", "", LSEC_TDX_INPLACE,
      NULL, VGM_QEMU_GMEM_BACKEND, TRUE,
      NONE_OF("\"gmem-allocator\":\"hugetlb\",\"gmem-page-size\":1073741824"), NONE_OF("hugetlbsize") },
    { "rule10/inplace-hugepages-no-allocator", "qemu-gmem-inplace", "-cgs.gmem-allocator",
      MB_HUGE, "", "", LSEC_SNP_INPLACE,
      ERR_INPLACE_HUGE("sev-snp-guest"), ANY, FALSE, NULL, NULL },
    { "rule10/inplace-hugepages-no-page-size", "qemu-gmem-inplace", "-cgs.gmem-page-size",
      MB_HUGE, "", "", LSEC_SNP_INPLACE,
      ERR_INPLACE_HUGE("sev-snp-guest"), ANY, FALSE, NULL, NULL },
    { "rule10/inplace-hugepages-allocator-flag-cleared", "qemu-gmem-inplace", "!cgs.gmem-allocator",
      MB_HUGE, "", "", LSEC_TDX_INPLACE,
      ERR_INPLACE_HUGE("tdx-guest"), ANY, FALSE, NULL, NULL },
    { "rule10/inplace-hugepages-mixed", "qemu-gmem-inplace", NULL, MB_HUGE_MIXED, CPU_2CELLS, "",
      LSEC_SNP_INPLACE, ERR_INPLACE_MIXED("sev-snp-guest"), ANY, FALSE, NULL, NULL },
    { "rule10/inplace-hugepages-machine", "qemu-gmem-machine", NULL, MB_HUGE, "", "", LSEC_SNP_INPLACE,
      ERR_MACHINE_HUGE("sev-snp-guest"), ANY, FALSE, NULL, NULL },
    { "rule10/inplace-hugepages-convert-beats-machine", "qemu-gmem-inplace",
      "+machine.in-place-conversion", MB_HUGE, "", "", LSEC_SNP_INPLACE,
      NULL, VGM_QEMU_GMEM_BACKEND, TRUE, NONE_OF("\"gmem-allocator\":\"hugetlb\""),
      NONE_OF("in-place-conversion=on") },

    /* ---- rule 11: live update ---- */
    { "rule11/no-aux-ram-share-7.2", "qemu-7.2-debian", NULL, MB_LU, "", "", "",
      ERR_AUX, ANY, FALSE, NULL, NULL },
    { "rule11/no-aux-ram-share", "qemu-10.1", "-machine.aux-ram-share", MB_LU, "", "", "",
      ERR_AUX, ANY, FALSE, NULL, NULL },
    { "rule11/aux-ram-share", "qemu-10.1", NULL, MB_LU, "", "", "",
      NULL, VGM_QEMU_GMEM_NONE, FALSE,
      NONE_OF("aux-ram-share=on", "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"pc.ram\",\"share\":true"),
      NONE_OF("memory-backend-ram") },
    { "rule11/no-memfd", "qemu-10.1", "-object.memory-backend-memfd", MB_LU, "", "", "",
      ERR_LU_MEMFD, ANY, FALSE, NULL, NULL },
    { "rule11/gmem-only-guest-memfd-backend", "qemu-gmem-inplace", NULL, MB_GMEM_LU, "", "", "",
      ERR_CPR, ANY, FALSE, NULL, NULL },
    { "rule11/gmem-backend-passed-over", "qemu-gmem-inplace", "+memfd.x-guest-memfd",
      MB_GMEM_LU, "", "", "", NULL, VGM_QEMU_GMEM_MEMFD_XPROP, FALSE,
      NONE_OF("\"x-guest-memfd\":true", "aux-ram-share=on"), NONE_OF("memory-backend-guest-memfd") },
    { "rule11/gmem-memfd", "qemu-gmem-memfd", NULL, MB_GMEM_LU, "", "", "",
      NULL, VGM_QEMU_GMEM_MEMFD_PROP, FALSE,
      NONE_OF("\"guest-memfd\":true", "aux-ram-share=on"), NULL },
    { "rule11/gmem-memfd-no-aux", "qemu-gmem-memfd", "-machine.aux-ram-share", MB_GMEM_LU, "", "", "",
      ERR_AUX, ANY, FALSE, NULL, NULL },
    { "rule11/inplace-convert-cpr", "qemu-gmem-inplace", NULL, MB_LU, "", "", LSEC_SNP_INPLACE,
      ERR_CONVERT_NO_BACKEND("sev-snp-guest", " (which cannot do live update)"), ANY, FALSE, NULL, NULL },
    { "rule11/inplace-convert-cpr-memfd", "qemu-gmem-inplace", "+memfd.guest-memfd",
      MB_LU, "", "", LSEC_SNP_INPLACE, NULL, VGM_QEMU_GMEM_MEMFD_PROP, TRUE,
      NONE_OF("\"guest-memfd\":true", "\"convert-in-place\":true", "aux-ram-share=on"),
      NONE_OF("memory-backend-guest-memfd") },
    { "rule11/inplace-convert-cpr-falls-back-to-machine", "qemu-gmem-inplace",
      "+machine.in-place-conversion", MB_LU, "", "", LSEC_SNP_INPLACE,
      NULL, VGM_QEMU_GMEM_MACHINE, FALSE,
      NONE_OF("in-place-conversion=on", "aux-ram-share=on"), NONE_OF("convert-in-place") },
    { "rule11/inplace-machine-cpr", "qemu-gmem-machine", NULL, MB_LU, "", "", LSEC_SNP_INPLACE,
      NULL, VGM_QEMU_GMEM_MACHINE, FALSE,
      NONE_OF("in-place-conversion=on", "aux-ram-share=on"), NULL },
    { "rule11/hugepages", "qemu-10.1", NULL, MB_HUGE_LU, "", "", "",
      NULL, VGM_QEMU_GMEM_NONE, FALSE, NONE_OF("aux-ram-share=on", "\"share\":true"), NULL },

    /* ---- rule 12: libvirt's checks ---- */
    { "rule12/sgx-epc", "qemu-10.1", "+object.memory-backend-epc", "", "",
      "<memory model='sgx-epc'><target><size unit='MiB'>64</size></target></memory>", "",
      NULL, ANY, FALSE,
      NONE_OF("sgx-epc.0.memdev=memepc0,sgx-epc.0.node=0",
              "{\"qom-type\":\"memory-backend-epc\",\"id\":\"memepc0\",\"prealloc\":true,\"size\":67108864}"),
      NONE_OF("\"driver\":\"sgx-epc\"") },
    { "rule12/cpu-clusters", "qemu-10.1", "+smp.clusters", "",
      "<cpu><topology sockets='1' dies='1' clusters='2' cores='1' threads='1'/></cpu>", "", "",
      NULL, ANY, FALSE, NONE_OF("sockets=1,dies=1,clusters=2,cores=1,threads=1"), NULL },
    { "rule12/cpu-clusters-refused", "qemu-10.1", NULL, "",
      "<cpu><topology sockets='1' dies='1' clusters='2' cores='1' threads='1'/></cpu>", "", "",
      "this QEMU binary does not support <topology clusters='2'>: its machine type refuses "
      "CPU clusters in -smp (capability 'smp.clusters')", ANY, FALSE, NULL, NULL },
    { "rule12/memfd-hugepages", "qemu-7.2-debian", NULL, MB_MEMFD_HUGE, "", "", "",
      NULL, VGM_QEMU_GMEM_NONE, FALSE,
      NONE_OF("\"hugetlb\":true,\"hugetlbsize\":2097152"), NULL },
    { "rule12/memfd-hugepages-no-mfd-hugetlb", "qemu-7.2-debian", "-memfd.hugetlb -memfd.hugetlbsize",
      MB_MEMFD_HUGE, "", "", "", ERR_MFD_HUGETLB, ANY, FALSE, NULL, NULL },
    { "rule12/memfd-hugepages-hugetlb-cleared", "qemu-7.2-debian", "!memfd.hugetlb",
      MB_MEMFD_HUGE, "", "", "", ERR_MFD_HUGETLB, ANY, FALSE, NULL, NULL },
    { "rule12/memfd-hugepages-hugetlbsize-cleared", "qemu-7.2-debian", "!memfd.hugetlbsize",
      MB_MEMFD_HUGE, "", "", "", ERR_MFD_HUGETLB, ANY, FALSE, NULL, NULL },
    /* hugepages with anonymous memory is a generic rule now (domainerrdata) */
    { "rule12/memfd", "qemu-7.2-debian", NULL, MB_MEMFD, "", "", "",
      NULL, VGM_QEMU_GMEM_NONE, FALSE, NONE_OF("memory-backend-memfd"), NULL },
    { "rule12/memfd-missing", "qemu-7.2-debian", "-object.memory-backend-memfd", MB_MEMFD, "", "", "",
      ERR_NO_MEMFD, ANY, FALSE, NULL, NULL },
    { "rule12/sev-snp", "qemu-10.1", NULL, "", "", "", LSEC_SNP,
      NULL, VGM_QEMU_GMEM_NONE, FALSE,
      NONE_OF("confidential-guest-support=lsec0", "\"qom-type\":\"sev-snp-guest\",\"id\":\"lsec0\""), NULL },
    { "rule12/sev-snp-7.2", "qemu-7.2-debian", NULL, "", "", "", LSEC_SNP,
      ERR_LSEC_OBJ("sev-snp", "sev-snp-guest"), ANY, FALSE, NULL, NULL },
    { "rule12/no-confidential-guest-support", "qemu-10.1", "-machine.confidential-guest-support",
      "", "", "", LSEC_SNP, ERR_CGS, ANY, FALSE, NULL, NULL },
    { "rule12/no-confidential-guest-support-inplace", "qemu-gmem-inplace",
      "-machine.confidential-guest-support", "", "", "", LSEC_SNP_INPLACE, ERR_CGS, ANY, FALSE, NULL, NULL },
    { "rule12/sev-snp-kernel-hashes", "qemu-10.1", NULL, "", "", "", LSEC_SNP_KH,
      NULL, VGM_QEMU_GMEM_NONE, FALSE, NONE_OF("\"kernel-hashes\":true"), NULL },
    { "rule12/sev-snp-no-kernel-hashes", "qemu-10.1", "-sev-snp.kernel-hashes", "", "", "", LSEC_SNP_KH,
      ERR_SNP_KH, ANY, FALSE, NULL, NULL },
    { "rule12/virtio-mem-missing", "qemu-7.2-debian", "-device.virtio-mem-pci", "", CPU_2CELLS,
      DEV_VIRTIO_MEM, "", ERR_MEMDEV("virtio-mem", "virtio-mem-pci"), ANY, FALSE, NULL, NULL },
    { "rule12/dimm-missing", "qemu-7.2-debian", "-device.pc-dimm", "", CPU_2CELLS,
      DEV_DIMM, "", ERR_MEMDEV("dimm", "pc-dimm"), ANY, FALSE, NULL, NULL },
};

/* ---------------- device capabilities ---------------- */

#define ERR_VMCOREINFO \
    "this QEMU binary does not support <vmcoreinfo/> in <features>: device 'vmcoreinfo' is missing"
#define ERR_IO_URING \
    "this QEMU binary does not support <driver io='io_uring'> (disk 'vda'): its -blockdev has no " \
    "aio 'io_uring' (capability 'blockdev.aio.io_uring')"

#define ERR_RBD_ENCRYPT \
    "this QEMU binary does not support <encryption engine='librbd'> of disk 'vda': its rbd " \
    "driver has no encrypt option (capability 'blockdev.rbd.encrypt')"
#define ERR_LUKS_SECRET \
    "this QEMU binary does not support the <encryption> of disk 'vda': it has no 'secret' " \
    "object (capability 'object.secret')"
#define DISK_RBD_LIBRBD "<disk type='network' device='disk'><driver name='qemu' type='raw'/>" \
    "<source protocol='rbd' name='pool/image'><host name='mon.example.org'/>" \
    "<encryption format='luks2' engine='librbd'><secret type='passphrase' " \
    "uuid='2c3d4e5f-6071-4829-ab3c-4d5e6f708192'/></encryption></source>" \
    "<target dev='vda' bus='virtio'/></disk>"
#define DISK_LUKS "<disk type='file' device='disk'><driver name='qemu' type='raw'/>" \
    "<source file='/var/lib/virt-gmem-test/disk.img'/><target dev='vda' bus='virtio'/>" \
    "<encryption format='luks'><secret type='passphrase' " \
    "uuid='2c3d4e5f-6071-4829-ab3c-4d5e6f708192'/></encryption></disk>"

#define ERR_CONTROLLER(type, model, device) \
    "this QEMU binary does not support <controller type='" type "' model='" model "'>: " \
    "device '" device "' is missing"

#define DISK_IO_URING "<disk type='file' device='disk'><driver name='qemu' type='raw' io='io_uring'/>" \
    "<source file='/var/lib/virt-gmem-test/disk.img'/><target dev='vda' bus='virtio'/></disk>"

typedef struct {
    const char *path;          /* test name below /qemuvalidate/ */
    const char *set;
    const char *edits;
    const char *features;      /* extra children of <features> */
    const char *devices;       /* extra devices */
    const char *error;         /* expected message; NULL: success */
    const char *const *want;
    const char *const *unwanted;
} VgmDeviceCase;

#define AUDIO_PA \
    "<audio id='1' type='pulseaudio' serverName='acme.example.org'>" \
    "<input mixingEngine='yes' fixedSettings='yes' voices='1' bufferLength='100' name='fish' streamName='food' latency='100'>" \
    "<settings frequency='44100' channels='2' format='s16'/></input>" \
    "<output mixingEngine='yes' fixedSettings='yes' voices='2' bufferLength='200' name='fish' streamName='food' latency='200'>" \
    "<settings frequency='22050' channels='4' format='f32'/></output></audio>"

static const VgmDeviceCase vgmDeviceCases[] = {
    { "devices/vmcoreinfo", "qemu-7.2-debian", NULL, "<vmcoreinfo/>", "",
      NULL, NONE_OF("-device '{\"driver\":\"vmcoreinfo\"}'"), NULL },
    { "devices/vmcoreinfo-missing", "qemu-7.2-debian", "-device.vmcoreinfo", "<vmcoreinfo/>", "",
      ERR_VMCOREINFO, NULL, NULL },
    { "devices/vmcoreinfo-flag-cleared", "qemu-10.1", "!device.vmcoreinfo", "<vmcoreinfo/>", "",
      ERR_VMCOREINFO, NULL, NULL },
    /* state='off' asks for nothing, so nothing is missing */
    { "devices/vmcoreinfo-off-missing", "qemu-7.2-debian", "-device.vmcoreinfo",
      "<vmcoreinfo state='off'/>", "", NULL, NULL, NONE_OF("\"driver\":\"vmcoreinfo\"") },
    { "devices/io-uring", "qemu-7.2-debian", NULL, "", DISK_IO_URING,
      NULL, NONE_OF("\"aio\":\"io_uring\""), NULL },
    { "devices/io-uring-missing", "qemu-gmem-memfd", "!blockdev.aio.io_uring", "", DISK_IO_URING,
      ERR_IO_URING, NULL, NULL },
    /* an image's <encryption>: librbd's is the rbd driver's encrypt
     * option, QEMU's a secret object the format node reads */
    { "devices/rbd-encrypt", "qemu-7.2-debian", NULL, "", DISK_RBD_LIBRBD,
      NULL, NONE_OF("\"encrypt\":{\"format\":\"luks2\",\"key-secret\":\"vgm-1-format-encryption-secret0\"}"),
      NULL },
    { "devices/rbd-encrypt-missing", "qemu-7.2-debian", "!blockdev.rbd.encrypt", "", DISK_RBD_LIBRBD,
      ERR_RBD_ENCRYPT, NULL, NULL },
    { "devices/luks", "qemu-7.2-debian", NULL, "", DISK_LUKS,
      NULL, NONE_OF("\"driver\":\"luks\",\"key-secret\":\"vgm-1-format-encryption-secret0\""),
      NULL },
    { "devices/luks-secret-missing", "qemu-7.2-debian", "-object.secret", "", DISK_LUKS,
      ERR_LUKS_SECRET, NULL, NULL },
    /* a controller model becomes its QEMU device, which the set must have
     * (issue 11: nec-xhci was written as the device 'nec-xhci') */
    { "devices/controller-nec-xhci", "qemu-7.2-debian", NULL, "",
      "<controller type='usb' model='nec-xhci'/>",
      NULL, NONE_OF("-device '{\"driver\":\"nec-usb-xhci\",\"id\":\"usb\",\"bus\":\"pci.1\",\"addr\":\"0x0\"}'"), NULL },
    { "devices/controller-nec-xhci-missing", "qemu-7.2-debian", "-device.nec-usb-xhci", "",
      "<controller type='usb' model='nec-xhci'/>",
      ERR_CONTROLLER("usb", "nec-xhci", "nec-usb-xhci"), NULL, NULL },
    { "devices/controller-nec-xhci-flag-cleared", "qemu-10.1", "!device.nec-usb-xhci", "",
      "<controller type='usb' model='nec-xhci'/>",
      ERR_CONTROLLER("usb", "nec-xhci", "nec-usb-xhci"), NULL, NULL },
    { "devices/controller-qemu-xhci-missing", "qemu-gmem-memfd", "-device.qemu-xhci", "",
      "<controller type='usb' model='qemu-xhci'/>",
      ERR_CONTROLLER("usb", "qemu-xhci", "qemu-xhci"), NULL, NULL },
    { "devices/controller-lsilogic", "qemu-7.2-debian", NULL, "",
      "<controller type='scsi' model='lsilogic'/>",
      NULL, NONE_OF("-device '{\"driver\":\"lsi53c895a\",\"id\":\"scsi0\",\"bus\":\"pci.2\",\"addr\":\"0x1\"}'"), NULL },
    { "devices/controller-lsilogic-missing", "qemu-7.2-debian", "-device.lsi53c895a", "",
      "<controller type='scsi' model='lsilogic'/>",
      ERR_CONTROLLER("scsi", "lsilogic", "lsi53c895a"), NULL, NULL },
    /* no model: the type's default device */
    /* a SCSI controller without a model is libvirt's LSI on x86 */
    { "devices/controller-scsi-default-missing", "qemu-7.2-debian", "-device.lsi53c895a", "",
      "<controller type='scsi'/>",
      "this QEMU binary does not support <controller type='scsi' model='lsilogic'>: device 'lsi53c895a' is missing",
      NULL, NULL },
    /* a size in bytes is computed in 64 bits (4 GiB of vram in KiB times
     * 1024 wrapped to 0 in 32); QEMU's own range check then decides */
    { "devices/video-bochs-vram-4g", "qemu-7.2-debian", NULL, "",
      "<video><model type='bochs' vram='4194304'/></video>",
      NULL, NONE_OF("\"driver\":\"bochs-display\",\"id\":\"video0\",\"vgamem\":4294967296,"), NULL },
    /* a virtio device's transitional or non-transitional model is a
     * device of its own, which the set must have */
    { "devices/rng-transitional-missing", "qemu-7.2-debian", "-device.virtio-rng-pci-transitional",
      "", "<rng model='virtio-transitional'><backend model='random'>/dev/urandom</backend></rng>",
      "this QEMU binary does not support model 'virtio-transitional' of <rng>: device 'virtio-rng-pci-transitional' is missing",
      NULL, NULL },
    { "devices/serial-non-transitional-missing", "qemu-7.2-debian",
      "-device.virtio-serial-pci-non-transitional", "",
      "<controller type='virtio-serial' model='virtio-non-transitional'/>",
      ERR_CONTROLLER("virtio-serial", "virtio-non-transitional", "virtio-serial-pci-non-transitional"),
      NULL, NULL },
    /* inputs: USB and virtio ones are devices the set must have; PS/2
     * is the machine's own */
    { "devices/input-usb-tablet", "qemu-7.2-debian", NULL, "",
      "<controller type='usb' model='qemu-xhci'/><input type='tablet' bus='usb'/>",
      NULL, NONE_OF("-device '{\"driver\":\"usb-tablet\",\"id\":\"input0\",\"bus\":\"usb.0\",\"port\":\"1\"}'"),
      NULL },
    { "devices/input-usb-tablet-missing", "qemu-7.2-debian", "-device.usb-tablet", "",
      "<controller type='usb' model='qemu-xhci'/><input type='tablet' bus='usb'/>",
      "this QEMU binary does not support <input type='tablet' bus='usb'>: device 'usb-tablet' is missing",
      NULL, NULL },
    { "devices/input-virtio-keyboard-missing", "qemu-10.1", "!device.virtio-keyboard-pci", "",
      "<input type='keyboard' bus='virtio'/>",
      "this QEMU binary does not support <input type='keyboard' bus='virtio'>: device 'virtio-keyboard-pci' is missing",
      NULL, NULL },
    { "devices/input-ps2", "qemu-7.2-debian",
      "-device.usb-kbd -device.usb-mouse -device.virtio-keyboard-pci -device.virtio-mouse-pci", "",
      "<input type='keyboard' bus='ps2'/><input type='mouse'/>",
      NULL, NULL, NONE_OF("input0", "input1") },
    /* usb model='none' and the root buses ask for no device */
    { "devices/controller-usb-none", "qemu-7.2-debian", "-device.qemu-xhci -device.nec-usb-xhci", "",
      "<controller type='usb' model='none'/><controller type='pci' model='pcie-root'/>",
      NULL, NULL, NONE_OF("xhci", "pcie.0") },
    /* the audio drivers Debian's qemu-system-gui brings (PulseAudio, SDL,
     * JACK), on a binary that lists them: the -audiodev libvirt 9.0 writes
     * for its own inputs audio-pulseaudio-full, audio-sdl-full and
     * audio-jack-full (their x86_64-latest.args files) */
    { "devices/audio-pulseaudio", "qemu-7.2-debian", "+audiodev.pa", "", AUDIO_PA,
      NULL, NONE_OF("-audiodev '{\"id\":\"audio1\",\"driver\":\"pa\",\"server\":\"acme.example.org\",\"in\":{\"mixing-engine\":true,\"fixed-settings\":true,\"voices\":1,\"buffer-length\":100,\"frequency\":44100,\"channels\":2,\"format\":\"s16\",\"name\":\"fish\",\"stream-name\":\"food\",\"latency\":100},\"out\":{\"mixing-engine\":true,\"fixed-settings\":true,\"voices\":2,\"buffer-length\":200,\"frequency\":22050,\"channels\":4,\"format\":\"f32\",\"name\":\"fish\",\"stream-name\":\"food\",\"latency\":200}}'"),
      NULL },
    { "devices/audio-pulseaudio-missing", "qemu-7.2-debian", NULL, "", AUDIO_PA,
      "this QEMU binary does not have the audio driver 'pa' of <audio id='1' type='pulseaudio'> (its -audiodev help does not list it)",
      NULL, NULL },
    { "devices/audio-sdl", "qemu-10.1", "+audiodev.sdl", "",
      "<audio id='1' type='sdl' driver='pulseaudio'>"
      "<input mixingEngine='yes' fixedSettings='yes' voices='1' bufferLength='100' bufferCount='40'>"
      "<settings frequency='44100' channels='2' format='s16'/></input>"
      "<output mixingEngine='yes' fixedSettings='yes' voices='2' bufferLength='200' bufferCount='50'>"
      "<settings frequency='22050' channels='4' format='f32'/></output></audio>",
      NULL, NONE_OF("SDL_AUDIODRIVER=pulseaudio \\\n",
                    "-audiodev '{\"id\":\"audio1\",\"driver\":\"sdl\",\"in\":{\"mixing-engine\":true,\"fixed-settings\":true,\"voices\":1,\"buffer-length\":100,\"frequency\":44100,\"channels\":2,\"format\":\"s16\",\"buffer-count\":40},\"out\":{\"mixing-engine\":true,\"fixed-settings\":true,\"voices\":2,\"buffer-length\":200,\"frequency\":22050,\"channels\":4,\"format\":\"f32\",\"buffer-count\":50}}'"),
      NULL },
    { "devices/audio-jack", "qemu-10.1", "+audiodev.jack", "",
      "<audio id='1' type='jack'>"
      "<input mixingEngine='yes' fixedSettings='yes' voices='1' bufferLength='100' serverName='fish' clientName='food' connectPorts='yum'>"
      "<settings frequency='44100' channels='2' format='s16'/></input>"
      "<output mixingEngine='yes' fixedSettings='yes' voices='2' bufferLength='200' serverName='fish' clientName='food' connectPorts='yum' exactName='yes'>"
      "<settings frequency='22050' channels='4' format='f32'/></output></audio>",
      NULL, NONE_OF("-audiodev '{\"id\":\"audio1\",\"driver\":\"jack\",\"in\":{\"mixing-engine\":true,\"fixed-settings\":true,\"voices\":1,\"buffer-length\":100,\"frequency\":44100,\"channels\":2,\"format\":\"s16\",\"server-name\":\"fish\",\"client-name\":\"food\",\"connect-ports\":\"yum\"},\"out\":{\"mixing-engine\":true,\"fixed-settings\":true,\"voices\":2,\"buffer-length\":200,\"frequency\":22050,\"channels\":4,\"format\":\"f32\",\"server-name\":\"fish\",\"client-name\":\"food\",\"connect-ports\":\"yum\",\"exact-name\":true}}'"),
      NULL },
};

/* ---------------- capability set variants ---------------- */

static char *
vgmCapsText(const char *set)
{
    g_autofree char *rel = g_strdup_printf("qemucapabilitiesdata/%s.json", set);
    g_autofree char *path = vgmTestDataPath(rel);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("%s: %s", path, err->message);
    return text;
}

/* The schema type a test gives an object property it adds. */
static JsonNode *
vgmPropTypeNode(const char *prop)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    if (g_str_equal(prop, "gmem-allocator")) {
        JsonObject *o = json_object_new();
        JsonArray *a = json_array_new();

        json_array_add_string_element(a, "normal");
        json_array_add_string_element(a, "hugetlb");
        json_object_set_array_member(o, "enum", a);
        json_node_free(n);
        n = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(n, o);
    } else if (g_str_equal(prop, "gmem-page-size") || g_str_equal(prop, "hugetlbsize")) {
        json_node_set_string(n, "int");
    } else {
        json_node_set_string(n, "bool");
    }
    return n;
}

static JsonObject *
vgmObjMember(JsonObject *parent, const char *name)
{
    JsonNode *n = json_object_get_member(parent, name);

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* Edits the schema part @flag is probed from. */
static void
vgmEditSchema(JsonObject *root, VgmQemuCapsFlag flag, gboolean add)
{
    const VgmQemuCapsProbeSpec *spec = vgmQemuCapsFlagGetProbe(flag);
    JsonObject *objects = vgmObjMember(root, "objects");
    JsonObject *devices = vgmObjMember(root, "devices");
    JsonObject *machine = vgmObjMember(root, "machine");
    JsonObject *mprops = machine ? vgmObjMember(machine, "props") : NULL;

    switch (spec->kind) {
    case VGM_QEMU_CAPS_PROBE_OBJECT:
        if (!add) {
            json_object_remove_member(objects, spec->arg1);
        } else if (!json_object_has_member(objects, spec->arg1)) {
            JsonObject *ram = vgmObjMember(objects, "memory-backend-ram");
            JsonNode *copy;

            /* a new memory backend type has the common backend members */
            if (g_str_has_prefix(spec->arg1, "memory-backend-") && ram) {
                g_autofree char *text = vgmQemuJSONToString(ram);
                g_autoptr(JsonParser) parser = json_parser_new();

                g_assert_true(json_parser_load_from_data(parser, text, -1, NULL));
                copy = json_node_copy(json_parser_get_root(parser));
            } else {
                copy = json_node_new(JSON_NODE_OBJECT);
                json_node_take_object(copy, json_object_new());
            }
            json_object_set_member(objects, spec->arg1, copy);
        }
        break;
    case VGM_QEMU_CAPS_PROBE_OBJECT_PROP: {
        g_auto(GStrv) types = g_strsplit(spec->arg1, "|", -1);
        gboolean done = FALSE;
        guint i;

        for (i = 0; types[i]; i++) {
            JsonObject *members = vgmObjMember(objects, types[i]);

            if (!members)
                continue;
            if (!add) {
                if (json_object_has_member(members, spec->arg2))
                    json_object_remove_member(members, spec->arg2);
            } else if (!json_object_has_member(members, spec->arg2)) {
                json_object_set_member(members, spec->arg2, vgmPropTypeNode(spec->arg2));
            }
            done = TRUE;
        }
        if (add && !done)
            g_error("cannot add %s: no object type %s in the set",
                    vgmQemuCapsFlagTypeToString(flag), spec->arg1);
        break;
    }
    case VGM_QEMU_CAPS_PROBE_MACHINE_PROP:
        g_assert_nonnull(mprops);
        if (!add) {
            if (json_object_has_member(mprops, spec->arg1))
                json_object_remove_member(mprops, spec->arg1);
        } else if (!json_object_has_member(mprops, spec->arg1)) {
            json_object_set_string_member(mprops, spec->arg1, "bool");
        }
        break;
    case VGM_QEMU_CAPS_PROBE_DEVICE:
        if (!add) {
            json_object_remove_member(devices, spec->arg1);
        } else if (!json_object_has_member(devices, spec->arg1)) {
            json_object_set_object_member(devices, spec->arg1, json_object_new());
        }
        break;
    case VGM_QEMU_CAPS_PROBE_COMMAND:
    case VGM_QEMU_CAPS_PROBE_QAPI:
    case VGM_QEMU_CAPS_PROBE_KVM:
    case VGM_QEMU_CAPS_PROBE_TRIAL:
    case VGM_QEMU_CAPS_PROBE_AUDIO:
        break;
    }
}

/* Whether the (edited) schema gives @flag, as a probe would. */
static gboolean
vgmDeriveFlag(JsonObject *root, VgmQemuCapsFlag flag, gboolean *derivable)
{
    const VgmQemuCapsProbeSpec *spec = vgmQemuCapsFlagGetProbe(flag);
    JsonObject *objects = vgmObjMember(root, "objects");
    JsonObject *devices = vgmObjMember(root, "devices");
    JsonObject *machine = vgmObjMember(root, "machine");
    JsonObject *mprops = machine ? vgmObjMember(machine, "props") : NULL;

    *derivable = TRUE;
    switch (spec->kind) {
    case VGM_QEMU_CAPS_PROBE_OBJECT:
        return json_object_has_member(objects, spec->arg1);
    case VGM_QEMU_CAPS_PROBE_OBJECT_PROP: {
        g_auto(GStrv) types = g_strsplit(spec->arg1, "|", -1);
        guint i;

        for (i = 0; types[i]; i++) {
            JsonObject *members = vgmObjMember(objects, types[i]);
            if (members && json_object_has_member(members, spec->arg2))
                return TRUE;
        }
        return FALSE;
    }
    case VGM_QEMU_CAPS_PROBE_MACHINE_PROP:
        return mprops && json_object_has_member(mprops, spec->arg1);
    case VGM_QEMU_CAPS_PROBE_DEVICE:
        return devices && json_object_has_member(devices, spec->arg1);
    case VGM_QEMU_CAPS_PROBE_COMMAND:
    case VGM_QEMU_CAPS_PROBE_QAPI:
    case VGM_QEMU_CAPS_PROBE_KVM:
    case VGM_QEMU_CAPS_PROBE_TRIAL:
    case VGM_QEMU_CAPS_PROBE_AUDIO:
        break;
    }
    *derivable = FALSE;
    return FALSE;
}

/*
 * @set with @edits applied: "+flag" / "-flag" edit the schema and re-derive
 * the flags; "!flag" clears only the flag.
 */
static VgmQemuCaps *
vgmCapsVariant(const char *set, const char *edits)
{
    g_autofree char *text = vgmCapsText(set);
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) words = g_strsplit(edits ? edits : "", " ", -1);
    g_autoptr(GPtrArray) cleared = g_ptr_array_new();
    g_autoptr(GPtrArray) added = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    JsonObject *root;
    JsonArray *oldFlags;
    JsonArray *flags;
    guint i;
    int f;

    if (!json_parser_load_from_data(parser, text, -1, &err))
        g_error("%s: %s", set, err->message);
    root = json_node_get_object(json_parser_get_root(parser));

    for (i = 0; words[i]; i++) {
        const char *w = words[i];
        int flag;

        if (!*w)
            continue;
        if ((flag = vgmQemuCapsFlagTypeFromString(w + 1)) < 0)
            g_error("unknown capability flag '%s'", w + 1);
        if (w[0] == '!')
            g_ptr_array_add(cleared, GINT_TO_POINTER(flag));
        else
            vgmEditSchema(root, flag, w[0] == '+');
        if (w[0] == '+')
            g_ptr_array_add(added, GINT_TO_POINTER(flag));
    }

    /* the flags follow the edited schema, as a probe would set them */
    oldFlags = json_object_get_array_member(root, "flags");
    flags = json_array_new();
    for (f = 0; f < VGM_QEMU_CAPS_LAST; f++) {
        gboolean derivable;
        gboolean on = vgmDeriveFlag(root, f, &derivable);
        const char *name = vgmQemuCapsFlagTypeToString(f);

        if (!derivable) {
            guint j;
            for (j = 0; j < json_array_get_length(oldFlags); j++) {
                if (g_str_equal(json_array_get_string_element(oldFlags, j), name))
                    on = TRUE;
            }
        }
        if (on)
            json_array_add_string_element(flags, name);
    }
    json_object_set_array_member(root, "flags", flags);

    json_generator_set_root(gen, json_parser_get_root(parser));
    out = json_generator_to_data(gen, NULL);
    if (!(caps = vgmQemuCapsLoadString(out, set, &err)))
        g_error("%s with '%s': %s", set, edits, err->message);
    if (!vgmQemuCapsCheckConsistency(caps, &err))
        g_error("%s with '%s' is not a consistent set: %s", set, edits, err->message);

    /* flags no schema records (commands, trials) are set as asked */
    for (i = 0; i < added->len; i++)
        vgmQemuCapsSet(caps, GPOINTER_TO_INT(added->pdata[i]));
    for (i = 0; i < cleared->len; i++)
        vgmQemuCapsClear(caps, GPOINTER_TO_INT(cleared->pdata[i]));
    return g_steal_pointer(&caps);
}

/* ---------------- the test ---------------- */

static char *
vgmCaseXML(const VgmValidateCase *c)
{
    g_autofree char *name = g_strdelimit(g_strdup(c->path), "/", '-');

    return g_strdup_printf(
        "<domain type='kvm'>\n"
        "  <name>%s</name>\n"
        "  %s\n"
        "  %s\n"
        "  <vcpu placement='static'>2</vcpu>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  %s\n"
        "  <features><acpi/><apic/>%s</features>\n"
        "  <devices>\n"
        "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
        "    %s\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "  %s\n"
        "</domain>\n",
        name,
        /* memory devices (512 MiB each here) need maxMemory and count in
         * <memory>; SGX EPC sections are no guest RAM and need neither */
        strstr(c->devices, "<memory ") && !strstr(c->devices, "sgx-epc") ?
            "<maxMemory slots='4' unit='KiB'>4194304</maxMemory><memory unit='KiB'>1572864</memory>" :
            "<memory unit='KiB'>1048576</memory>",
        c->memoryBacking, c->cpu,
        strstr(c->lsec, "'tdx'") ? "<ioapic driver='qemu'/>" : "",
        c->devices, c->lsec);
}

static void
testValidate(gconstpointer data)
{
    const VgmValidateCase *c = data;
    g_autofree char *xml = vgmCaseXML(c);
    g_autoptr(VgmQemuCaps) caps = vgmCapsVariant(c->set, c->edits);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autoptr(VgmQemuPlan) plan = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *args = NULL;
    guint i;

    vgmTestResetRandom();
    if (!(def = vgmDomainDefParseString(xml, c->path, 0, &err)))
        g_error("%s: the domain XML does not parse: %s\n%s", c->path, err->message, xml);

    cmd = vgmQemuBuildCommandLine(def, caps, cfg, &plan, &err);
    if (c->error) {
        if (cmd) {
            g_autofree char *line = vgmQemuCmdFormatArgsFile(cmd);
            g_test_message("%s on %s%s%s succeeded, expected: %s\n%s", c->path, c->set,
                           c->edits ? " " : "", c->edits ? c->edits : "", c->error, line);
            g_test_fail();
            return;
        }
        g_assert_cmpstr(err->message, ==, c->error);
        g_assert_cmpint(err->code, ==, VGM_ERR_CONFIG_UNSUPPORTED);
        return;
    }

    if (!cmd) {
        g_test_message("%s on %s%s%s failed, expected success: %s", c->path, c->set,
                       c->edits ? " " : "", c->edits ? c->edits : "", err->message);
        g_test_fail();
        return;
    }
    args = vgmQemuCmdFormatArgsFile(cmd);
    if (c->gmem != ANY && (int)plan->gmem != c->gmem) {
        g_test_message("%s: plan->gmem is %s, expected %s\n%s", c->path,
                       vgmQemuGmemSpellingTypeToString(plan->gmem),
                       vgmQemuGmemSpellingTypeToString(c->gmem), args);
        g_test_fail();
    }
    if (plan->convertInPlace != c->convertInPlace) {
        g_test_message("%s: plan->convertInPlace is %d, expected %d\n%s", c->path,
                       plan->convertInPlace, c->convertInPlace, args);
        g_test_fail();
    }
    /* guest_memfd RAM is shared, and every RAM backend of a guest_memfd
     * domain is guest_memfd */
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        gboolean gmemPlan = plan->gmem != VGM_QEMU_GMEM_NONE;

        if (b->guestMemfd != gmemPlan || (b->guestMemfd && !b->share)) {
            g_test_message("%s: backend %s guest-memfd=%d share=%d, plan spelling %s",
                           c->path, b->id, b->guestMemfd, b->share,
                           vgmQemuGmemSpellingTypeToString(plan->gmem));
            g_test_fail();
        }
    }
    for (i = 0; c->want && c->want[i]; i++) {
        if (!strstr(args, c->want[i])) {
            g_test_message("%s: the command line lacks %s\n%s", c->path, c->want[i], args);
            g_test_fail();
        }
    }
    for (i = 0; c->unwanted && c->unwanted[i]; i++) {
        if (strstr(args, c->unwanted[i])) {
            g_test_message("%s: the command line has %s\n%s", c->path, c->unwanted[i], args);
            g_test_fail();
        }
    }
}

static void
testDeviceCaps(gconstpointer data)
{
    const VgmDeviceCase *c = data;
    g_autofree char *name = g_strdelimit(g_strdup(c->path), "/", '-');
    g_autofree char *xml = g_strdup_printf(
        "<domain type='kvm'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='KiB'>1048576</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
        "  <features><acpi/>%s</features>\n"
        "  <devices>\n"
        "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
        "    %s\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n", name, c->features, c->devices);
    g_autoptr(VgmQemuCaps) caps = vgmCapsVariant(c->set, c->edits);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *args = NULL;
    guint i;

    vgmTestResetRandom();
    if (!(def = vgmDomainDefParseString(xml, c->path, 0, &err)))
        g_error("%s: the domain XML does not parse: %s\n%s", c->path, err->message, xml);
    cmd = vgmQemuBuildCommandLine(def, caps, cfg, NULL, &err);
    if (c->error) {
        if (cmd) {
            g_test_message("%s on %s %s succeeded, expected: %s", c->path, c->set,
                           c->edits ? c->edits : "", c->error);
            g_test_fail();
            return;
        }
        g_assert_cmpstr(err->message, ==, c->error);
        g_assert_cmpint(err->code, ==, VGM_ERR_CONFIG_UNSUPPORTED);
        return;
    }
    if (!cmd) {
        g_test_message("%s on %s failed, expected success: %s", c->path, c->set, err->message);
        g_test_fail();
        return;
    }
    args = vgmQemuCmdFormatArgsFile(cmd);
    for (i = 0; c->want && c->want[i]; i++) {
        if (!strstr(args, c->want[i])) {
            g_test_message("%s: the command line lacks %s\n%s", c->path, c->want[i], args);
            g_test_fail();
        }
    }
    for (i = 0; c->unwanted && c->unwanted[i]; i++) {
        if (strstr(args, c->unwanted[i])) {
            g_test_message("%s: the command line has %s\n%s", c->path, c->unwanted[i], args);
            g_test_fail();
        }
    }
}

/* ---------------- controller models ---------------- */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)

/* Adds the text of every node @xpath finds below @node to @out. */
static void
vgmSchemaValues(xmlXPathContextPtr ctxt, xmlNodePtr node, const char *xpath,
                GPtrArray *out)
{
    g_autoptr(xmlXPathObject) res = NULL;
    int i;

    ctxt->node = node;
    res = xmlXPathEvalExpression(BAD_CAST xpath, ctxt);
    for (i = 0; res && res->nodesetval && i < res->nodesetval->nodeNr; i++) {
        xmlChar *v = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
        g_ptr_array_add(out, g_strdup((const char *)v));
        xmlFree(v);
    }
}

/* The model values the schema allows for <controller type=@type>, "" for
 * no model attribute first (values reached through a <ref> included). */
static GPtrArray *
vgmSchemaControllerModels(xmlXPathContextPtr ctxt, const char *type)
{
    g_autofree char *xpath = g_strdup_printf(
        "//rng:element[@name='controller']//rng:group[rng:attribute[@name='type']/rng:value='%s']"
        "/rng:optional/rng:attribute[@name='model']", type);
    g_autoptr(xmlXPathObject) attrs = NULL;
    GPtrArray *models = g_ptr_array_new_with_free_func(g_free);
    int i;

    g_ptr_array_add(models, g_strdup(""));
    ctxt->node = xmlDocGetRootElement(ctxt->doc);
    attrs = xmlXPathEvalExpression(BAD_CAST xpath, ctxt);
    for (i = 0; attrs && attrs->nodesetval && i < attrs->nodesetval->nodeNr; i++) {
        xmlNodePtr attr = attrs->nodesetval->nodeTab[i];
        g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func(g_free);
        guint j;

        vgmSchemaValues(ctxt, attr, ".//rng:value", models);
        vgmSchemaValues(ctxt, attr, ".//rng:ref/@name", refs);
        for (j = 0; j < refs->len; j++) {
            g_autofree char *def = g_strdup_printf("//rng:define[@name='%s']//rng:value",
                                                   (char *)refs->pdata[j]);
            vgmSchemaValues(ctxt, attr, def, models);
        }
    }
    return models;
}

/*
 * Every controller model of the schema either is refused by the parser with
 * an error naming it, or has a line in the one table of controller devices
 * (vgmQemuControllerDeviceFind); a line with a device names the capability
 * it is probed as, translates on a set that has it, and is refused by
 * validation, naming model and device, on a set that lacks it.
 */
static void
testControllerModels(void)
{
    static const char *const types[] = {
        "pci", "usb", "sata", "scsi", "virtio-serial", "ide", NULL
    };
    const char *srcdir = g_getenv("VGM_SRCDIR") ? g_getenv("VGM_SRCDIR") : SRCDIR;
    g_autofree char *rng = g_build_filename(srcdir, "docs", "schemas", "domain.rng", NULL);
    g_autoptr(xmlDoc) doc = xmlReadFile(rng, NULL, XML_PARSE_NONET);
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(VgmQemuCaps) full = vgmCapsVariant("qemu-7.2-debian", NULL);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    guint checked = 0;
    guint t;

    g_assert_nonnull(doc);
    ctxt = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctxt, BAD_CAST "rng", BAD_CAST "http://relaxng.org/ns/structure/1.0");

    for (t = 0; types[t]; t++) {
        g_autoptr(GPtrArray) models = vgmSchemaControllerModels(ctxt, types[t]);
        guint m;

        g_assert_cmpuint(models->len, >=, 1);
        for (m = 0; m < models->len; m++) {
            const char *model = models->pdata[m];
            g_autofree char *attr = *model ? g_strdup_printf(" model='%s'", model) : g_strdup("");
            g_autofree char *xml = g_strdup_printf(
                "<domain type='kvm'><name>ctrl</name><memory>1048576</memory>"
                "<os><type arch='x86_64' machine='%s'>hvm</type></os>"
                "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                "<controller type='%s'%s/><memballoon model='none'/></devices></domain>",
                /* IDE is the PC's; SATA 0 on the PC is a device, on q35 built in */
                g_str_equal(types[t], "ide") || g_str_equal(types[t], "sata") ? "pc" : "q35",
                types[t], attr);
            g_autoptr(GError) err = NULL;
            g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(xml, "ctrl", 0, &err);
            const VgmQemuControllerDevice *d;
            g_autoptr(VgmQemuCmd) cmd = NULL;
            g_autofree char *args = NULL;
            g_autofree char *want = NULL;
            g_autofree char *edit = NULL;
            g_autoptr(VgmQemuCaps) lacking = NULL;
            const VgmQemuCapsProbeSpec *spec;

            if (!def) {
                /* refused at parse, with a message naming what is refused */
                g_test_message("<controller type='%s'%s>: %s", types[t], attr, err->message);
                g_assert_cmpint(err->code, !=, VGM_ERR_INTERNAL);
                /* the value, or the attribute for a type without models */
                g_assert_true((*model && strstr(err->message, model)) ||
                              strstr(err->message, "'model'"));
                continue;
            }
            checked++;
            /* the model post-parse settled on (libvirt's default for none) */
            d = vgmQemuControllerDeviceFind(types[t],
                                            ((VgmControllerDef *)def->devices.controllers->pdata[0])->model);
            if (!d)
                g_error("<controller type='%s'%s> parses but has no line in the controller table",
                        types[t], attr);
            cmd = vgmQemuBuildCommandLine(def, full, cfg, NULL, &err);
            if (!cmd)
                g_error("<controller type='%s'%s> on qemu-7.2-debian: %s", types[t], attr,
                        err->message);
            if (!d->device)
                continue;

            spec = vgmQemuCapsFlagGetProbe(d->flag);
            g_assert_cmpint(spec->kind, ==, VGM_QEMU_CAPS_PROBE_DEVICE);
            g_assert_cmpstr(spec->arg1, ==, d->device);
            args = vgmQemuCmdFormatArgsFile(cmd);
            want = g_strdup_printf("\"driver\":\"%s\"", d->device);
            g_assert_nonnull(strstr(args, want));

            edit = g_strdup_printf("-%s", vgmQemuCapsFlagTypeToString(d->flag));
            lacking = vgmCapsVariant("qemu-7.2-debian", edit);
            g_clear_pointer(&cmd, vgmQemuCmdFree);
            cmd = vgmQemuBuildCommandLine(def, lacking, cfg, NULL, &err);
            g_assert_null(cmd);
            g_assert_cmpint(err->code, ==, VGM_ERR_CONFIG_UNSUPPORTED);
            g_assert_nonnull(strstr(err->message, d->device));
            if (*model)
                g_assert_nonnull(strstr(err->message, model));
        }
    }
    /* the schema has USB, SCSI and PCI models the parser takes */
    g_assert_cmpuint(checked, >=, 15);
}

/* Firmware descriptors are read, not trusted: one that is not JSON, one
 * whose arrays hold non-strings (skipped element by element), an empty
 * file that hides a later one of its name; the first usable one wins. */
static void
testFirmwareDescriptors(void)
{
    g_autofree char *dir = g_dir_make_tmp("vgm-fw-XXXXXX", NULL);
    g_autofree char *later = g_build_filename(dir, "later", NULL);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuFirmware) fw = NULL;
    g_autoptr(GError) err = NULL;
    static const struct {
        const char *dir;        /* "" or "later" */
        const char *name;
        const char *text;
    } files[] = {
        { "", "10-garbage.json", "not json" },
        { "", "20-mixed.json",
          "{\"interface-types\":[1,\"uefi\"],\"mapping\":{\"device\":\"flash\","
          "\"executable\":{\"filename\":\"/fw/mixed.fd\",\"format\":\"raw\"},"
          "\"nvram-template\":{\"filename\":\"/fw/mixed-vars.fd\",\"format\":\"raw\"}},"
          "\"targets\":[{\"architecture\":\"x86_64\",\"machines\":[7,\"pc-i440fx-*\"]}],"
          "\"features\":[null,\"acpi-s3\"]}" },
        { "", "05-hidden.json", "" },
        { "later", "05-hidden.json",
          "{\"interface-types\":[\"uefi\"],\"mapping\":{\"device\":\"flash\","
          "\"executable\":{\"filename\":\"/fw/hidden.fd\",\"format\":\"raw\"},"
          "\"nvram-template\":{\"filename\":\"/fw/hidden-vars.fd\",\"format\":\"raw\"}},"
          "\"targets\":[{\"architecture\":\"x86_64\",\"machines\":[\"pc-*\"]}]}" },
    };
    size_t i;

    g_assert_nonnull(dir);
    g_assert_cmpint(g_mkdir(later, 0700), ==, 0);
    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename(dir, files[i].dir, files[i].name, NULL);

        g_assert_true(g_file_set_contents(path, files[i].text, -1, NULL));
    }
    g_strfreev(cfg->firmwareDirs);
    cfg->firmwareDirs = g_new0(char *, 3);
    cfg->firmwareDirs[0] = g_strdup(dir);
    cfg->firmwareDirs[1] = g_strdup(later);
    def = vgmDomainDefParseString("<domain type='qemu'><name>fw</name><memory unit='MiB'>128</memory>"
                                  "<os firmware='efi'><type arch='x86_64' machine='pc'>hvm</type></os>"
                                  "<features><acpi/></features></domain>", NULL, 0, &err);
    g_assert_no_error(err);
    fw = vgmQemuFirmwareResolve(def, "pc-i440fx-7.2", cfg, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(fw->loader, ==, "/fw/mixed.fd");
    g_assert_cmpstr(fw->nvramTemplate, ==, "/fw/mixed-vars.fd");
    g_assert_false(fw->secure);
    vgmTestRemoveTree(dir);
}

int
main(int argc, char **argv)
{
    guint i;

    g_test_init(&argc, &argv, NULL);
    g_setenv("LC_ALL", "C", TRUE);

    for (i = 0; i < G_N_ELEMENTS(vgmCases); i++) {
        g_autofree char *path = g_strdup_printf("/qemuvalidate/%s", vgmCases[i].path);
        g_test_add_data_func(path, &vgmCases[i], testValidate);
    }
    for (i = 0; i < G_N_ELEMENTS(vgmDeviceCases); i++) {
        g_autofree char *path = g_strdup_printf("/qemuvalidate/%s", vgmDeviceCases[i].path);
        g_test_add_data_func(path, &vgmDeviceCases[i], testDeviceCaps);
    }
    g_test_add_func("/qemuvalidate/controllers/every-schema-model", testControllerModels);
    g_test_add_func("/qemuvalidate/firmware/descriptors-read-not-trusted", testFirmwareDescriptors);
    return g_test_run();
}
