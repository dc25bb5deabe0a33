/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_capabilities.h: what a QEMU binary can do, as facts probed once.
 *
 * Owns the capability flag table, the capability description file format,
 * probing a binary over QMP, the on-disk cache of probe results, and the
 * checks of emitted -object / -device / -machine properties against the
 * QMP schema subset a capability set carries.
 *
 * The flag table is VGM_QEMU_CAPS_FLAGS below: one line per flag with its
 * enum name, its string name (used in files) and how it is probed. The
 * probe and the schema subset stored in a set are both driven from it:
 * adding a flag means adding one line there and nothing else.
 *
 * Probe kinds (arg1, arg2 of a table line):
 *   OBJECT (type):          the object type is a qom-type of object-add in
 *                           query-qmp-schema AND a run-time QOM class
 *                           (qom-list-properties answers for it).
 *   OBJECT_PROP (types, p): member p of object-add's branch for the type
 *                           (object-add -> arg-type -> +type -> p) that is
 *                           also a run-time QOM property of the class (so
 *                           memfd's hugetlb follows the host's MFD_HUGETLB).
 *                           "a|b" means either type having it is enough.
 *   MACHINE_PROP (p):       a QOM property of the main machine type's class
 *                           ("<machine>-machine" of the q35 alias, else of
 *                           the default machine).
 *   DEVICE (driver):        device-list-properties answers for the driver.
 *   COMMAND (name):         a QMP command in query-qmp-schema.
 *   QAPI (path):            a path through query-qmp-schema, libvirt's
 *                           notation: "blockdev-add/arg-type/+file/aio/^io_uring"
 *                           starts at a command, follows its arg-type, the
 *                           union branch "file", the member "aio" and asks
 *                           whether that enum has the value "io_uring".
 *                           Like COMMAND, the set keeps only the flag.
 *   KVM:                    query-kvm reports KVM support present.
 *   TRIAL (option, value):  the main machine type starts (paused, TCG)
 *                           with "option value", for what nothing in QMP
 *                           tells: QEMU rejects topology levels a machine
 *                           lacks only when it builds the machine, and
 *                           SPICE's schema is there without Debian's
 *                           module that implements it.
 *
 * Capability description file (JSON, one set per file, keys sorted, two
 * space indent, exactly what vgmQemuCapsFormat writes):
 *   name         set name, used in messages ("qemu-7.2-debian")
 *   description  how it was captured / which patch series it stands for
 *   version      "MAJOR.MINOR.MICRO" as query-version reports it
 *   package      optional, query-version's package string
 *   arch         query-target's arch ("x86_64")
 *   kvm          {"enabled": bool, "present": bool} (query-kvm)
 *   flags        sorted list of flag names that are set
 *   machines     sorted by name: {"alias"?, "cpu-max", "default-ram-id"?,
 *                "deprecated", "is-default", "name"}
 *   machine      {"type": main machine type, "props": {name: QOM type}}
 *   objects      {qom-type: {member: TYPE}} for each object type of the
 *                table that exists; TYPE is "int", "number", "bool",
 *                "str", "any", "null", "object", "array of <TYPE>" or
 *                {"enum": [values]}
 *   devices      {driver: {property: QOM type}} for each device of the
 *                table that exists
 *   cpu          optional, {ACCEL: HOSTCPU} for ACCEL "tcg" and "kvm": what
 *                a <cpu mode='host-model'> is made of under that
 *                accelerator. HOSTCPU is {"vendor": the host CPU's vendor,
 *                "family", "model": its CPUID signature, "features": its
 *                features, "models": {NAME: {"vendor", "family", "model",
 *                "features"}}} with the migration-safe named
 *                models (no versioned names); "features" is a sorted,
 *                space-separated list of QEMU's feature property names: the
 *                host CPU's are those query-cpu-model-expansion (static) of
 *                "max" (TCG) or "host" (KVM) turns on, a model's are those
 *                its static expansion turns on plus its unavailable-features
 *                (what the model defines that the accelerator lacks); the
 *                host CPU's optional "unset" lists, the same way, the
 *                features that expansion leaves off (with "features",
 *                every feature the binary knows)
 *   cache-key    only in cache files: what the probe result depends on
 * Volatile (differs between runs of the same binary on different hosts):
 * kvm.enabled (whether /dev/kvm could be used), cpu.kvm (the host's CPU,
 * probed only where /dev/kvm is usable), cache-key, and the description,
 * which a person writes.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "util/vgmenum.h"

/* X(ENUM, "name", KIND, arg1, arg2) */
#define VGM_QEMU_CAPS_FLAGS(X) \
    /* object types the driver may emit */ \
    X(OBJECT_MEMORY_BACKEND_RAM, "object.memory-backend-ram", OBJECT, "memory-backend-ram", NULL) \
    X(OBJECT_MEMORY_BACKEND_FILE, "object.memory-backend-file", OBJECT, "memory-backend-file", NULL) \
    X(OBJECT_MEMORY_BACKEND_MEMFD, "object.memory-backend-memfd", OBJECT, "memory-backend-memfd", NULL) \
    X(OBJECT_MEMORY_BACKEND_SHM, "object.memory-backend-shm", OBJECT, "memory-backend-shm", NULL) \
    X(OBJECT_MEMORY_BACKEND_GUEST_MEMFD, "object.memory-backend-guest-memfd", OBJECT, "memory-backend-guest-memfd", NULL) \
    X(OBJECT_MEMORY_BACKEND_EPC, "object.memory-backend-epc", OBJECT, "memory-backend-epc", NULL) \
    X(OBJECT_THREAD_CONTEXT, "object.thread-context", OBJECT, "thread-context", NULL) \
    X(OBJECT_SEV_GUEST, "object.sev-guest", OBJECT, "sev-guest", NULL) \
    X(OBJECT_SEV_SNP_GUEST, "object.sev-snp-guest", OBJECT, "sev-snp-guest", NULL) \
    X(OBJECT_TDX_GUEST, "object.tdx-guest", OBJECT, "tdx-guest", NULL) \
    X(OBJECT_S390_PV_GUEST, "object.s390-pv-guest", OBJECT, "s390-pv-guest", NULL) \
    X(OBJECT_RNG_RANDOM, "object.rng-random", OBJECT, "rng-random", NULL) \
    X(OBJECT_RNG_BUILTIN, "object.rng-builtin", OBJECT, "rng-builtin", NULL) \
    X(OBJECT_RNG_EGD, "object.rng-egd", OBJECT, "rng-egd", NULL) \
    X(OBJECT_IOTHREAD, "object.iothread", OBJECT, "iothread", NULL) \
    X(OBJECT_MAIN_LOOP, "object.main-loop", OBJECT, "main-loop", NULL) \
    X(IOTHREAD_THREAD_POOL_MAX, "iothread.thread-pool-max", OBJECT_PROP, "iothread", "thread-pool-max") \
    /* members common to every memory backend */ \
    X(BACKEND_PREALLOC_CONTEXT, "backend.prealloc-context", OBJECT_PROP, "memory-backend-ram", "prealloc-context") \
    X(BACKEND_CANONICAL_RAMBLOCK_ID, "backend.x-use-canonical-path-for-ramblock-id", OBJECT_PROP, "memory-backend-ram", "x-use-canonical-path-for-ramblock-id") \
    X(BACKEND_RESERVE, "backend.reserve", OBJECT_PROP, "memory-backend-ram", "reserve") \
    /* memory-backend-memfd */ \
    X(MEMFD_GUEST_MEMFD, "memfd.guest-memfd", OBJECT_PROP, "memory-backend-memfd", "guest-memfd") \
    X(MEMFD_X_GUEST_MEMFD, "memfd.x-guest-memfd", OBJECT_PROP, "memory-backend-memfd", "x-guest-memfd") \
    X(MEMFD_HUGETLB, "memfd.hugetlb", OBJECT_PROP, "memory-backend-memfd", "hugetlb") \
    X(MEMFD_HUGETLBSIZE, "memfd.hugetlbsize", OBJECT_PROP, "memory-backend-memfd", "hugetlbsize") \
    X(MEMFD_SEAL, "memfd.seal", OBJECT_PROP, "memory-backend-memfd", "seal") \
    /* memory-backend-file */ \
    X(FILE_DISCARD_DATA, "file.discard-data", OBJECT_PROP, "memory-backend-file", "discard-data") \
    X(FILE_ROM, "file.rom", OBJECT_PROP, "memory-backend-file", "rom") \
    X(FILE_ALIGN, "file.align", OBJECT_PROP, "memory-backend-file", "align") \
    X(FILE_PMEM, "file.pmem", OBJECT_PROP, "memory-backend-file", "pmem") \
    /* confidential-guest objects */ \
    X(SEV_SNP_KERNEL_HASHES, "sev-snp.kernel-hashes", OBJECT_PROP, "sev-snp-guest", "kernel-hashes") \
    X(SEV_SNP_HOST_DATA, "sev-snp.host-data", OBJECT_PROP, "sev-snp-guest", "host-data") \
    X(SEV_SNP_ID_BLOCK, "sev-snp.id-block", OBJECT_PROP, "sev-snp-guest", "id-block") \
    X(SEV_SNP_CONVERT_IN_PLACE, "sev-snp.convert-in-place", OBJECT_PROP, "sev-snp-guest", "convert-in-place") \
    X(TDX_QUOTE_GENERATION_SOCKET, "tdx.quote-generation-socket", OBJECT_PROP, "tdx-guest", "quote-generation-socket") \
    X(TDX_CONVERT_IN_PLACE, "tdx.convert-in-place", OBJECT_PROP, "tdx-guest", "convert-in-place") \
    X(CGS_GMEM_ALLOCATOR, "cgs.gmem-allocator", OBJECT_PROP, "sev-snp-guest|tdx-guest", "gmem-allocator") \
    X(CGS_GMEM_PAGE_SIZE, "cgs.gmem-page-size", OBJECT_PROP, "sev-snp-guest|tdx-guest", "gmem-page-size") \
    /* -machine */ \
    X(MACHINE_MEMORY_BACKEND, "machine.memory-backend", MACHINE_PROP, "memory-backend", NULL) \
    X(MACHINE_CONFIDENTIAL_GUEST_SUPPORT, "machine.confidential-guest-support", MACHINE_PROP, "confidential-guest-support", NULL) \
    X(MACHINE_AUX_RAM_SHARE, "machine.aux-ram-share", MACHINE_PROP, "aux-ram-share", NULL) \
    X(MACHINE_IN_PLACE_CONVERSION, "machine.in-place-conversion", MACHINE_PROP, "in-place-conversion", NULL) \
    /* ACPI HMAT: memory-side caches, latencies and bandwidths of NUMA nodes */ \
    X(MACHINE_HMAT, "machine.hmat", MACHINE_PROP, "hmat", NULL) \
    /* devices the driver may emit */ \
    X(DEVICE_PC_DIMM, "device.pc-dimm", DEVICE, "pc-dimm", NULL) \
    X(DEVICE_NVDIMM, "device.nvdimm", DEVICE, "nvdimm", NULL) \
    X(DEVICE_VIRTIO_MEM_PCI, "device.virtio-mem-pci", DEVICE, "virtio-mem-pci", NULL) \
    X(DEVICE_VIRTIO_PMEM_PCI, "device.virtio-pmem-pci", DEVICE, "virtio-pmem-pci", NULL) \
    X(DEVICE_SGX_EPC, "device.sgx-epc", DEVICE, "sgx-epc", NULL) \
    X(DEVICE_VIRTIO_BLK_PCI, "device.virtio-blk-pci", DEVICE, "virtio-blk-pci", NULL) \
    X(DEVICE_VIRTIO_NET_PCI, "device.virtio-net-pci", DEVICE, "virtio-net-pci", NULL) \
    X(DEVICE_VIRTIO_SCSI_PCI, "device.virtio-scsi-pci", DEVICE, "virtio-scsi-pci", NULL) \
    X(DEVICE_VIRTIO_RNG_PCI, "device.virtio-rng-pci", DEVICE, "virtio-rng-pci", NULL) \
    X(DEVICE_VHOST_USER_BLK_PCI, "device.vhost-user-blk-pci", DEVICE, "vhost-user-blk-pci", NULL) \
    X(DEVICE_VIRTIO_BALLOON_PCI, "device.virtio-balloon-pci", DEVICE, "virtio-balloon-pci", NULL) \
    X(DEVICE_QEMU_XHCI, "device.qemu-xhci", DEVICE, "qemu-xhci", NULL) \
    X(DEVICE_ISA_SERIAL, "device.isa-serial", DEVICE, "isa-serial", NULL) \
    X(DEVICE_PCIE_ROOT_PORT, "device.pcie-root-port", DEVICE, "pcie-root-port", NULL) \
    X(DEVICE_SCSI_HD, "device.scsi-hd", DEVICE, "scsi-hd", NULL) \
    X(DEVICE_SCSI_CD, "device.scsi-cd", DEVICE, "scsi-cd", NULL) \
    X(DEVICE_IDE_HD, "device.ide-hd", DEVICE, "ide-hd", NULL) \
    X(DEVICE_IDE_CD, "device.ide-cd", DEVICE, "ide-cd", NULL) \
    X(DEVICE_VIRTIO_SERIAL_PCI, "device.virtio-serial-pci", DEVICE, "virtio-serial-pci", NULL) \
    X(DEVICE_VIRTCONSOLE, "device.virtconsole", DEVICE, "virtconsole", NULL) \
    X(DEVICE_VIRTSERIALPORT, "device.virtserialport", DEVICE, "virtserialport", NULL) \
    X(DEVICE_INTEL_HDA, "device.intel-hda", DEVICE, "intel-hda", NULL) \
    X(DEVICE_ICH9_INTEL_HDA, "device.ich9-intel-hda", DEVICE, "ich9-intel-hda", NULL) \
    X(DEVICE_HDA_DUPLEX, "device.hda-duplex", DEVICE, "hda-duplex", NULL) \
    X(DEVICE_HDA_MICRO, "device.hda-micro", DEVICE, "hda-micro", NULL) \
    X(DEVICE_HDA_OUTPUT, "device.hda-output", DEVICE, "hda-output", NULL) \
    X(DEVICE_AC97, "device.AC97", DEVICE, "AC97", NULL) \
    X(DEVICE_ES1370, "device.ES1370", DEVICE, "ES1370", NULL) \
    X(DEVICE_SB16, "device.sb16", DEVICE, "sb16", NULL) \
    X(DEVICE_USB_AUDIO, "device.usb-audio", DEVICE, "usb-audio", NULL) \
    X(DEVICE_PCI_SERIAL, "device.pci-serial", DEVICE, "pci-serial", NULL) \
    X(DEVICE_USB_SERIAL, "device.usb-serial", DEVICE, "usb-serial", NULL) \
    X(DEVICE_E1000E, "device.e1000e", DEVICE, "e1000e", NULL) \
    X(DEVICE_E1000, "device.e1000", DEVICE, "e1000", NULL) \
    X(DEVICE_RTL8139, "device.rtl8139", DEVICE, "rtl8139", NULL) \
    X(DEVICE_VMXNET3, "device.vmxnet3", DEVICE, "vmxnet3", NULL) \
    X(DEVICE_NE2K_PCI, "device.ne2k_pci", DEVICE, "ne2k_pci", NULL) \
    X(DEVICE_PCNET, "device.pcnet", DEVICE, "pcnet", NULL) \
    X(DEVICE_I82551, "device.i82551", DEVICE, "i82551", NULL) \
    X(DEVICE_I82557B, "device.i82557b", DEVICE, "i82557b", NULL) \
    X(DEVICE_I82559ER, "device.i82559er", DEVICE, "i82559er", NULL) \
    X(DEVICE_IGB, "device.igb", DEVICE, "igb", NULL) \
    X(DEVICE_VGA, "device.VGA", DEVICE, "VGA", NULL) \
    X(DEVICE_VIRTIO_VGA, "device.virtio-vga", DEVICE, "virtio-vga", NULL) \
    X(DEVICE_VIRTIO_GPU_PCI, "device.virtio-gpu-pci", DEVICE, "virtio-gpu-pci", NULL) \
    X(DEVICE_BOCHS_DISPLAY, "device.bochs-display", DEVICE, "bochs-display", NULL) \
    X(DEVICE_RAMFB, "device.ramfb", DEVICE, "ramfb", NULL) \
    X(DEVICE_CIRRUS_VGA, "device.cirrus-vga", DEVICE, "cirrus-vga", NULL) \
    X(DEVICE_VMWARE_SVGA, "device.vmware-svga", DEVICE, "vmware-svga", NULL) \
    X(DEVICE_QXL_VGA, "device.qxl-vga", DEVICE, "qxl-vga", NULL) \
    X(DEVICE_QXL, "device.qxl", DEVICE, "qxl", NULL) \
    X(DEVICE_I6300ESB, "device.i6300esb", DEVICE, "i6300esb", NULL) \
    X(DEVICE_TPM_TIS, "device.tpm-tis", DEVICE, "tpm-tis", NULL) \
    X(DEVICE_INTEL_IOMMU, "device.intel-iommu", DEVICE, "intel-iommu", NULL) \
    X(DEVICE_VIRTIO_IOMMU_PCI, "device.virtio-iommu-pci", DEVICE, "virtio-iommu-pci", NULL) \
    X(DEVICE_VHOST_VSOCK_PCI, "device.vhost-vsock-pci", DEVICE, "vhost-vsock-pci", NULL) \
    X(DEVICE_VHOST_VSOCK_PCI_NON_TRANSITIONAL, "device.vhost-vsock-pci-non-transitional", DEVICE, \
      "vhost-vsock-pci-non-transitional", NULL) \
    X(DEVICE_TPM_CRB, "device.tpm-crb", DEVICE, "tpm-crb", NULL) \
    X(DEVICE_IB700, "device.ib700", DEVICE, "ib700", NULL) \
    X(DEVICE_ISA_PARALLEL, "device.isa-parallel", DEVICE, "isa-parallel", NULL) \
    X(DEVICE_ISA_DEBUGCON, "device.isa-debugcon", DEVICE, "isa-debugcon", NULL) \
    X(DEVICE_PVPANIC, "device.pvpanic", DEVICE, "pvpanic", NULL) \
    X(DEVICE_ISA_FDC, "device.isa-fdc", DEVICE, "isa-fdc", NULL) \
    X(DEVICE_FLOPPY, "device.floppy", DEVICE, "floppy", NULL) \
    X(DEVICE_PCIE_PCI_BRIDGE, "device.pcie-pci-bridge", DEVICE, "pcie-pci-bridge", NULL) \
    X(DEVICE_IOH3420, "device.ioh3420", DEVICE, "ioh3420", NULL) \
    X(DEVICE_PCI_BRIDGE, "device.pci-bridge", DEVICE, "pci-bridge", NULL) \
    X(DEVICE_PXB, "device.pxb", DEVICE, "pxb", NULL) \
    X(DEVICE_PXB_PCIE, "device.pxb-pcie", DEVICE, "pxb-pcie", NULL) \
    X(DEVICE_I82801B11_BRIDGE, "device.i82801b11-bridge", DEVICE, "i82801b11-bridge", NULL) \
    X(DEVICE_X3130_UPSTREAM, "device.x3130-upstream", DEVICE, "x3130-upstream", NULL) \
    X(DEVICE_XIO3130_DOWNSTREAM, "device.xio3130-downstream", DEVICE, "xio3130-downstream", NULL) \
    X(DEVICE_LSI53C895A, "device.lsi53c895a", DEVICE, "lsi53c895a", NULL) \
    X(DEVICE_MPTSAS1068, "device.mptsas1068", DEVICE, "mptsas1068", NULL) \
    X(DEVICE_MEGASAS, "device.megasas", DEVICE, "megasas", NULL) \
    X(DEVICE_PVSCSI, "device.pvscsi", DEVICE, "pvscsi", NULL) \
    X(DEVICE_AM53C974, "device.am53c974", DEVICE, "am53c974", NULL) \
    X(DEVICE_DC390, "device.dc390", DEVICE, "dc390", NULL) \
    X(DEVICE_VIRTIO_SCSI_PCI_TRANSITIONAL, "device.virtio-scsi-pci-transitional", DEVICE, "virtio-scsi-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_SCSI_PCI_NON_TRANSITIONAL, "device.virtio-scsi-pci-non-transitional", DEVICE, "virtio-scsi-pci-non-transitional", NULL) \
    X(DEVICE_VIRTIO_BLK_PCI_TRANSITIONAL, "device.virtio-blk-pci-transitional", DEVICE, "virtio-blk-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_BLK_PCI_NON_TRANSITIONAL, "device.virtio-blk-pci-non-transitional", DEVICE, "virtio-blk-pci-non-transitional", NULL) \
    X(DEVICE_VIRTIO_NET_PCI_TRANSITIONAL, "device.virtio-net-pci-transitional", DEVICE, "virtio-net-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_NET_PCI_NON_TRANSITIONAL, "device.virtio-net-pci-non-transitional", DEVICE, "virtio-net-pci-non-transitional", NULL) \
    X(DEVICE_VIRTIO_RNG_PCI_TRANSITIONAL, "device.virtio-rng-pci-transitional", DEVICE, "virtio-rng-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_RNG_PCI_NON_TRANSITIONAL, "device.virtio-rng-pci-non-transitional", DEVICE, "virtio-rng-pci-non-transitional", NULL) \
    X(DEVICE_VIRTIO_BALLOON_PCI_TRANSITIONAL, "device.virtio-balloon-pci-transitional", DEVICE, "virtio-balloon-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_BALLOON_PCI_NON_TRANSITIONAL, "device.virtio-balloon-pci-non-transitional", DEVICE, "virtio-balloon-pci-non-transitional", NULL) \
    X(DEVICE_VIRTIO_SERIAL_PCI_TRANSITIONAL, "device.virtio-serial-pci-transitional", DEVICE, "virtio-serial-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_SERIAL_PCI_NON_TRANSITIONAL, "device.virtio-serial-pci-non-transitional", DEVICE, "virtio-serial-pci-non-transitional", NULL) \
    X(DEVICE_VHOST_USER_BLK_PCI_TRANSITIONAL, "device.vhost-user-blk-pci-transitional", DEVICE, "vhost-user-blk-pci-transitional", NULL) \
    X(DEVICE_VHOST_USER_BLK_PCI_NON_TRANSITIONAL, "device.vhost-user-blk-pci-non-transitional", DEVICE, "vhost-user-blk-pci-non-transitional", NULL) \
    X(DEVICE_NEC_USB_XHCI, "device.nec-usb-xhci", DEVICE, "nec-usb-xhci", NULL) \
    X(DEVICE_ICH9_USB_EHCI1, "device.ich9-usb-ehci1", DEVICE, "ich9-usb-ehci1", NULL) \
    X(DEVICE_PIIX3_USB_UHCI, "device.piix3-usb-uhci", DEVICE, "piix3-usb-uhci", NULL) \
    X(DEVICE_ICH9_USB_UHCI1, "device.ich9-usb-uhci1", DEVICE, "ich9-usb-uhci1", NULL) \
    X(DEVICE_ICH9_USB_UHCI2, "device.ich9-usb-uhci2", DEVICE, "ich9-usb-uhci2", NULL) \
    X(DEVICE_ICH9_USB_UHCI3, "device.ich9-usb-uhci3", DEVICE, "ich9-usb-uhci3", NULL) \
    X(DEVICE_ICH9_AHCI, "device.ich9-ahci", DEVICE, "ich9-ahci", NULL) \
    X(DEVICE_VMCOREINFO, "device.vmcoreinfo", DEVICE, "vmcoreinfo", NULL) \
    X(DEVICE_VMGENID, "device.vmgenid", DEVICE, "vmgenid", NULL) \
    /* the host bridges and the MCH whose properties -global sets: the \
     * 64-bit PCI hole, q35's extended TSEG */ \
    X(DEVICE_I440FX_PCIHOST, "device.i440FX-pcihost", DEVICE, "i440FX-pcihost", NULL) \
    X(DEVICE_Q35_PCIHOST, "device.q35-pcihost", DEVICE, "q35-pcihost", NULL) \
    X(DEVICE_MCH, "device.mch", DEVICE, "mch", NULL) \
    X(DEVICE_USB_TABLET, "device.usb-tablet", DEVICE, "usb-tablet", NULL) \
    X(DEVICE_USB_KBD, "device.usb-kbd", DEVICE, "usb-kbd", NULL) \
    X(DEVICE_USB_MOUSE, "device.usb-mouse", DEVICE, "usb-mouse", NULL) \
    X(DEVICE_VIRTIO_TABLET_PCI, "device.virtio-tablet-pci", DEVICE, "virtio-tablet-pci", NULL) \
    X(DEVICE_VIRTIO_KEYBOARD_PCI, "device.virtio-keyboard-pci", DEVICE, "virtio-keyboard-pci", NULL) \
    X(DEVICE_VIRTIO_MOUSE_PCI, "device.virtio-mouse-pci", DEVICE, "virtio-mouse-pci", NULL) \
    X(DEVICE_USB_REDIR, "device.usb-redir", DEVICE, "usb-redir", NULL) \
    X(DEVICE_USB_HUB, "device.usb-hub", DEVICE, "usb-hub", NULL) \
    /* <shmem> models (the heirs of ivshmem, which QEMU 4.0 removed) */ \
    X(DEVICE_IVSHMEM_PLAIN, "device.ivshmem-plain", DEVICE, "ivshmem-plain", NULL) \
    X(DEVICE_IVSHMEM_DOORBELL, "device.ivshmem-doorbell", DEVICE, "ivshmem-doorbell", NULL) \
    /* the in-kernel PIT whose lost_tick_policy <timer name='pit'> sets */ \
    X(DEVICE_KVM_PIT, "device.kvm-pit", DEVICE, "kvm-pit", NULL) \
    X(DEVICE_USB_STORAGE, "device.usb-storage", DEVICE, "usb-storage", NULL) \
    X(DEVICE_USB_CCID, "device.usb-ccid", DEVICE, "usb-ccid", NULL) \
    X(DEVICE_CCID_CARD_PASSTHRU, "device.ccid-card-passthru", DEVICE, "ccid-card-passthru", NULL) \
    X(DEVICE_CCID_CARD_EMULATED, "device.ccid-card-emulated", DEVICE, "ccid-card-emulated", NULL) \
    /* host input devices: passed through, or read by QEMU */ \
    X(DEVICE_VIRTIO_INPUT_HOST_PCI, "device.virtio-input-host-pci", DEVICE, "virtio-input-host-pci", NULL) \
    X(OBJECT_INPUT_LINUX, "object.input-linux", OBJECT, "input-linux", NULL) \
    /* <filesystem>: 9p's three models, virtiofs */ \
    X(DEVICE_VIRTIO_9P_PCI, "device.virtio-9p-pci", DEVICE, "virtio-9p-pci", NULL) \
    X(DEVICE_VIRTIO_9P_PCI_TRANSITIONAL, "device.virtio-9p-pci-transitional", DEVICE, "virtio-9p-pci-transitional", NULL) \
    X(DEVICE_VIRTIO_9P_PCI_NON_TRANSITIONAL, "device.virtio-9p-pci-non-transitional", DEVICE, "virtio-9p-pci-non-transitional", NULL) \
    X(DEVICE_VHOST_USER_FS_PCI, "device.vhost-user-fs-pci", DEVICE, "vhost-user-fs-pci", NULL) \
    /* the power management devices -global sets disable_s3 / disable_s4 on */ \
    X(DEVICE_ICH9_LPC, "device.ICH9-LPC", DEVICE, "ICH9-LPC", NULL) \
    X(DEVICE_PIIX4_PM, "device.PIIX4_PM", DEVICE, "PIIX4_PM", NULL) \
    /* -blockdev */ \
    X(BLOCKDEV_AIO_IO_URING, "blockdev.aio.io_uring", QAPI, "blockdev-add/arg-type/+file/aio/^io_uring", NULL) \
    /* network disks: the nbd client, and curl's drivers (http, https, \
     * ftp, ftps come together) */ \
    X(BLOCKDEV_NBD, "blockdev.nbd", QAPI, "blockdev-add/arg-type/+nbd", NULL) \
    X(BLOCKDEV_CURL, "blockdev.curl", QAPI, "blockdev-add/arg-type/+https", NULL) \
    /* nbd over TLS (its client credentials, the name it checks), and the \
     * drivers of iscsi, rbd, gluster and nfs disks (QEMU's modules: \
     * Debian's qemu-block-extra), a secret object for their passwords */ \
    X(BLOCKDEV_NBD_TLS, "blockdev.nbd.tls-creds", QAPI, "blockdev-add/arg-type/+nbd/tls-creds", NULL) \
    X(BLOCKDEV_NBD_TLS_HOSTNAME, "blockdev.nbd.tls-hostname", QAPI, "blockdev-add/arg-type/+nbd/tls-hostname", NULL) \
    X(OBJECT_TLS_CREDS_X509, "object.tls-creds-x509", OBJECT, "tls-creds-x509", NULL) \
    X(BLOCKDEV_ISCSI, "blockdev.iscsi", QAPI, "blockdev-add/arg-type/+iscsi", NULL) \
    X(BLOCKDEV_RBD, "blockdev.rbd", QAPI, "blockdev-add/arg-type/+rbd", NULL) \
    /* librbd's decryption of an rbd image (<encryption engine='librbd'>) */ \
    X(BLOCKDEV_RBD_ENCRYPT, "blockdev.rbd.encrypt", QAPI, "blockdev-add/arg-type/+rbd/encrypt", NULL) \
    X(BLOCKDEV_GLUSTER, "blockdev.gluster", QAPI, "blockdev-add/arg-type/+gluster", NULL) \
    X(BLOCKDEV_NFS, "blockdev.nfs", QAPI, "blockdev-add/arg-type/+nfs", NULL) \
    X(OBJECT_SECRET, "object.secret", OBJECT, "secret", NULL) \
    /* live update: migration mode cpr-transfer (the old QEMU hands its \
     * memory-backend fds to the new one) */ \
    X(MIGRATE_CPR_TRANSFER, "migrate.cpr-transfer", QAPI, "migrate-set-parameters/arg-type/mode/^cpr-transfer", NULL) \
    /* a screendump in PNG, as libvirt then asks for (else PPM) */ \
    X(SCREENDUMP_PNG, "screendump.png", QAPI, "screendump/arg-type/format/^png", NULL) \
    /* accelerator and commands */ \
    X(KVM, "kvm", KVM, NULL, NULL) \
    /* what the main machine type accepts, tried by starting it */ \
    X(SMP_CLUSTERS, "smp.clusters", TRIAL, "-smp", "2,clusters=2") \
    /* SPICE (a module in Debian's QEMU, a package of its own since 10.0), \
     * its socket in the probe's directory */ \
    X(SPICE, "spice", TRIAL, "-spice", "unix=on,addr=spice.sock,disable-ticketing=on") \
    X(QUERY_KVM, "query-kvm", COMMAND, "query-kvm", NULL) \
    /* the audio drivers -audiodev help lists (several are modules a \
     * Debian package of its own brings) */ \
    X(AUDIODEV_ALSA, "audiodev.alsa", AUDIO, "alsa", NULL) \
    X(AUDIODEV_OSS, "audiodev.oss", AUDIO, "oss", NULL) \
    X(AUDIODEV_PA, "audiodev.pa", AUDIO, "pa", NULL) \
    X(AUDIODEV_SDL, "audiodev.sdl", AUDIO, "sdl", NULL) \
    X(AUDIODEV_JACK, "audiodev.jack", AUDIO, "jack", NULL) \
    X(AUDIODEV_COREAUDIO, "audiodev.coreaudio", AUDIO, "coreaudio", NULL) \
    X(AUDIODEV_WAV, "audiodev.wav", AUDIO, "wav", NULL) \
    X(AUDIODEV_SPICE, "audiodev.spice", AUDIO, "spice", NULL) \
    X(AUDIODEV_DBUS, "audiodev.dbus", AUDIO, "dbus", NULL)

typedef enum {
#define VGM_QEMU_CAPS_ENUM_ENTRY(id, name, kind, arg1, arg2) VGM_QEMU_CAPS_##id,
    VGM_QEMU_CAPS_FLAGS(VGM_QEMU_CAPS_ENUM_ENTRY)
#undef VGM_QEMU_CAPS_ENUM_ENTRY

    VGM_QEMU_CAPS_LAST
} VgmQemuCapsFlag;

/* Flag name <-> enum ("memfd.guest-memfd" <-> VGM_QEMU_CAPS_MEMFD_GUEST_MEMFD). */
VGM_ENUM_DECL(vgmQemuCapsFlag);

typedef enum {
    VGM_QEMU_CAPS_PROBE_OBJECT,
    VGM_QEMU_CAPS_PROBE_OBJECT_PROP,
    VGM_QEMU_CAPS_PROBE_MACHINE_PROP,
    VGM_QEMU_CAPS_PROBE_DEVICE,
    VGM_QEMU_CAPS_PROBE_COMMAND,
    VGM_QEMU_CAPS_PROBE_QAPI,
    VGM_QEMU_CAPS_PROBE_KVM,
    VGM_QEMU_CAPS_PROBE_TRIAL,
    VGM_QEMU_CAPS_PROBE_AUDIO,
} VgmQemuCapsProbeKind;

typedef struct {
    VgmQemuCapsProbeKind kind;
    const char *arg1;
    const char *arg2;
} VgmQemuCapsProbeSpec;

/* How @flag is probed (for tests and documentation tools). */
const VgmQemuCapsProbeSpec *vgmQemuCapsFlagGetProbe(VgmQemuCapsFlag flag);

typedef struct {
    char *name;
    char *alias;          /* nullable */
    gboolean isDefault;
    char *defaultRamId;   /* nullable: the machine has no main RAM id */
    gboolean deprecated;
    unsigned int cpuMax;
} VgmQemuCapsMachine;

typedef struct _VgmQemuCaps VgmQemuCaps;

/* An empty set (no flags, no machines, no schema). */
VgmQemuCaps *vgmQemuCapsNew(void);
/* Another hold of @caps, which vgmQemuCapsFree lets go of: a set the
 * cache lookup returns may be shared, and is not to be changed. */
VgmQemuCaps *vgmQemuCapsRef(VgmQemuCaps *caps);
void vgmQemuCapsFree(VgmQemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCaps, vgmQemuCapsFree)

VgmQemuCaps *vgmQemuCapsLoadFile(const char *path, GError **error);
VgmQemuCaps *vgmQemuCapsLoadString(const char *text, const char *what,
                                   GError **error);
/* The capability description file text (ends with a newline). */
char *vgmQemuCapsFormat(const VgmQemuCaps *caps);

gboolean vgmQemuCapsGet(const VgmQemuCaps *caps, VgmQemuCapsFlag flag);
void vgmQemuCapsSet(VgmQemuCaps *caps, VgmQemuCapsFlag flag);
void vgmQemuCapsClear(VgmQemuCaps *caps, VgmQemuCapsFlag flag);

const char *vgmQemuCapsGetName(const VgmQemuCaps *caps);
void vgmQemuCapsSetName(VgmQemuCaps *caps, const char *name);
const char *vgmQemuCapsGetDescription(const VgmQemuCaps *caps);
void vgmQemuCapsSetDescription(VgmQemuCaps *caps, const char *description);
/* major * 1000000 + minor * 1000 + micro, as libvirt counts. */
unsigned int vgmQemuCapsGetVersion(const VgmQemuCaps *caps);
/* query-version's package string, or NULL. */
const char *vgmQemuCapsGetPackage(const VgmQemuCaps *caps);
const char *vgmQemuCapsGetArch(const VgmQemuCaps *caps);
/* Whether the binary supports the KVM accelerator (query-kvm "present"). */
gboolean vgmQemuCapsHasKVM(const VgmQemuCaps *caps);
/* Whether KVM was usable when probing (query-kvm "enabled"; volatile). */
gboolean vgmQemuCapsKVMEnabled(const VgmQemuCaps *caps);
void vgmQemuCapsSetKVM(VgmQemuCaps *caps, gboolean present, gboolean enabled);

typedef enum {
    VGM_QEMU_CAPS_ACCEL_TCG,
    VGM_QEMU_CAPS_ACCEL_KVM,

    VGM_QEMU_CAPS_ACCEL_LAST
} VgmQemuCapsAccel;

/* "tcg" <-> VGM_QEMU_CAPS_ACCEL_TCG, "kvm" <-> VGM_QEMU_CAPS_ACCEL_KVM */
VGM_ENUM_DECL(vgmQemuCapsAccel);

/* A named CPU model of QEMU's, or the host's CPU (name NULL). */
typedef struct {
    char *name;
    char *vendor;
    unsigned int family;  /* the CPUID signature */
    unsigned int model;
    GStrv features;       /* sorted QEMU feature property names */
    GStrv unset;          /* the host's: the other features QEMU knows
                           * (off); NULL where the set does not say */
} VgmQemuCapsCpuModel;

void vgmQemuCapsCpuModelFree(VgmQemuCapsCpuModel *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCapsCpuModel, vgmQemuCapsCpuModelFree)

typedef struct {
    VgmQemuCapsCpuModel *host;
    GPtrArray *models;    /* VgmQemuCapsCpuModel, sorted by name */
} VgmQemuCapsHostCpu;

void vgmQemuCapsHostCpuFree(VgmQemuCapsHostCpu *cpu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCapsHostCpu, vgmQemuCapsHostCpuFree)

/* The host CPU and named models under @accel (a new copy), or NULL when
 * the set has none for it (a KVM host CPU is probed only where /dev/kvm
 * is usable). */
VgmQemuCapsHostCpu *vgmQemuCapsGetHostCpu(const VgmQemuCaps *caps, VgmQemuCapsAccel accel);
/* Gives @dst the host CPU @src has under @accel (none: @dst's is dropped). */
void vgmQemuCapsCopyHostCpu(VgmQemuCaps *dst, const VgmQemuCaps *src, VgmQemuCapsAccel accel);

/*
 * The machine type called @name, by name or alias; NULL @name: the default
 * machine. Unknown: NULL and an error naming the set (error nullable).
 */
const VgmQemuCapsMachine *vgmQemuCapsGetMachine(const VgmQemuCaps *caps,
                                                const char *name,
                                                GError **error);
/* All machine types, sorted by name. */
GPtrArray *vgmQemuCapsGetMachines(const VgmQemuCaps *caps);
/* The machine type whose QOM properties the set holds, or NULL. */
const char *vgmQemuCapsGetMachineType(const VgmQemuCaps *caps);

gboolean vgmQemuCapsHasObjectType(const VgmQemuCaps *caps, const char *qomType);

/*
 * Checks an -object's properties against the set's schema: the type exists,
 * every property is a member, every value has the member's JSON type.
 * "id" and "qom-type" are always accepted.
 */
gboolean vgmQemuCapsCheckObject(const VgmQemuCaps *caps, const char *qomType,
                                JsonObject *props, GError **error);
/* Checks a -device: the driver exists and has every property ("driver",
 * "id", "bus" and "addr" are always accepted). Values are not checked. */
gboolean vgmQemuCapsCheckDevice(const VgmQemuCaps *caps, const char *driver,
                                JsonObject *props, GError **error);
/* Checks that the main machine type has the property @name. */
gboolean vgmQemuCapsCheckMachineProp(const VgmQemuCaps *caps, const char *name,
                                     GError **error);

/*
 * Re-derives the flags that follow from the stored schema (object types and
 * their members, machine properties, devices) and reports the first flag
 * whose stored value disagrees. Used to keep hand-made sets honest.
 */
gboolean vgmQemuCapsCheckConsistency(const VgmQemuCaps *caps, GError **error);

/* ---- probing ---- */

/*
 * Starts @binary with -machine none and a private QMP socket (clean
 * environment, LC_ALL=C, bounded in time), asks it everything the flag table
 * needs and kills it; then the host CPU and named CPU models once under TCG
 * and, where /dev/kvm is usable, once under KVM (a QEMU each). Errors carry
 * the tail of QEMU's stderr.
 */
VgmQemuCaps *vgmQemuCapsProbe(const char *binary, GError **error);

/* How many times vgmQemuCapsProbe ran in this process. */
unsigned int vgmQemuCapsGetProbeCount(void);

/* Gives up the probes running now and from now on, for a daemon that
 * stops: their QEMUs are killed, and they fail (no result is cached). */
void vgmQemuCapsProbesAbort(void);

/* ---- cache ---- */

/* $XDG_CACHE_HOME/virt-gmem/qemucaps, or /var/cache/virt-gmem/qemucaps as root. */
char *vgmQemuCapsCacheDefaultDir(void);

/*
 * The capabilities of @binary from @cacheDir (NULL: the default dir), probing
 * and rewriting the cache file (atomically) when it is missing, unreadable or
 * its key no longer matches: the binary's path, size, mtime and ctime (ns),
 * the host kernel release, whether /dev/kvm exists, the host CPU's identity
 * (/proc/cpuinfo's vendor, family, model, stepping and flags), the kvm
 * modules' nested parameter, and the flag table. A probe whose host CPU
 * could not be read is not written (the next lookup probes again).
 */
VgmQemuCaps *vgmQemuCapsCacheLookup(const char *binary, const char *cacheDir,
                                    GError **error);
