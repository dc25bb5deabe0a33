/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_plan.h: the backend plan, decided before anything is rendered.
 *
 * vgmQemuPlanBuild is a pure function of (domain definition, capability
 * set, configuration): for main RAM, each NUMA cell and each memory device
 * it picks the QOM type and the properties of the backend (which
 * guest_memfd spelling the binary offers, hugepages, prealloc, host nodes,
 * share, discard), then the -machine properties and the
 * confidential-guest object. qemu_command.c only renders the plan; the
 * QEMU process code checks the running QEMU against it.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_cpu.h"
#include "qemu/qemu_firmware.h"

/* libvirt's page size alignment of RAM: 1 MiB for x86 main RAM and cells,
 * 2 MiB for DIMMs */
#define VGM_QEMU_RAM_ALIGN_KIB 1024ULL
#define VGM_QEMU_DIMM_ALIGN_KIB 2048ULL

/* The CPU model QEMU gives a domain without one: its binary's default
 * (qemu64; qemu32 on qemu-system-i386) */
const char *vgmQemuDefaultCpuModel(const VgmQemuCaps *caps);

/* Whether @def has no CPU model; vgmQemuCpuSetDefault then names it as
 * libvirt's post-parse does: custom model @model, exactly, checked no
 * further */
gboolean vgmQemuCpuLacksModel(const VgmDomainDef *def);
void vgmQemuCpuSetDefault(VgmDomainDef *def, const char *model);

/* Whether the memory QEMU gets for @def (its sizes aligned) differs from
 * what @def says; vgmQemuMemoryAlign sets those sizes in @def, as the
 * live XML reports them (libvirt's alignment at start) */
gboolean vgmQemuMemoryUnaligned(const VgmDomainDef *def);
void vgmQemuMemoryAlign(VgmDomainDef *def);

typedef enum {
    VGM_QEMU_BACKEND_MAIN,      /* -machine memory-backend=, no NUMA */
    VGM_QEMU_BACKEND_CELL,      /* -numa node,memdev= */
    VGM_QEMU_BACKEND_DEVICE,    /* a <memory> device */

    VGM_QEMU_BACKEND_LAST
} VgmQemuBackendRole;
VGM_ENUM_DECL(vgmQemuBackendRole);

/* How guest_memfd is asked for, when it is (one per plan). */
typedef enum {
    VGM_QEMU_GMEM_NONE = 0,
    VGM_QEMU_GMEM_MEMFD_PROP,      /* memory-backend-memfd "guest-memfd" */
    VGM_QEMU_GMEM_BACKEND,         /* memory-backend-guest-memfd */
    VGM_QEMU_GMEM_MEMFD_XPROP,     /* memory-backend-memfd "x-guest-memfd" */
    VGM_QEMU_GMEM_MACHINE,         /* -machine in-place-conversion=on */

    VGM_QEMU_GMEM_LAST
} VgmQemuGmemSpelling;
VGM_ENUM_DECL(vgmQemuGmemSpelling);

typedef struct {
    char *id;                   /* pc.ram, ram-node0, memdimm0 */
    char *qomType;
    JsonObject *props;          /* qom-type and id first, in emission order */
    VgmQemuBackendRole role;
    int cell;                   /* guest NUMA node, -1 for none */
    unsigned long long size;    /* bytes */
    gboolean share;             /* the share QEMU will report */
    gboolean guestMemfd;        /* RAM lives in guest_memfd */
    JsonObject *threadContext;  /* thread-context object, or NULL */
    gboolean devicePrealloc;    /* virtio-mem: prealloc goes on the device */
} VgmQemuBackend;

typedef struct {
    char *name;
    char *value;
} VgmQemuMachineProp;

/* A file the domain's QEMU reads, which a start writes first (mode 0600) */
typedef struct {
    char *path;
    char *content;
} VgmQemuPlanFile;

typedef struct {
    const VgmQemuCapsMachine *machine;  /* canonical machine type */
    GPtrArray *machineProps;    /* VgmQemuMachineProp, in emission order */
    gboolean accelKVM;
    const char *defaultCpu;     /* the binary's default -cpu: qemu64, qemu32 */
    VgmQemuCpuHostModel *hostModel; /* a CPU relative to the host, settled */
    GHashTable *cpuDropped;     /* QEMU names of <cpu> features left out
                                 * (vgmQemuCpuDroppedFeatures) */
    gboolean vhostNet;          /* virtio-net taps use vhost-net unless
                                 * <driver name='qemu'> (KVM guests only) */
    gboolean hpetMachineProp;   /* <timer name='hpet' present='no'/> is the
                                 * machine's hpet=off, not -no-hpet */
    const char *pitTickPolicy;  /* a <timer name='pit'>'s kvm-pit
                                 * lost_tick_policy, or NULL: none written */
    unsigned long long initialKiB; /* -m size */
    GPtrArray *backends;        /* VgmQemuBackend: main or cells, then devices */
    GPtrArray *memDevices;      /* JsonObject -device for each <memory> */
    JsonObject *lsec;           /* the launch security object, or NULL */
    VgmQemuGmemSpelling gmem;
    gboolean convertInPlace;    /* cgs object carries convert-in-place */
    VgmQemuFirmware *firmware;  /* the firmware booted (loader NULL: QEMU's) */
    GPtrArray *files;           /* VgmQemuPlanFile: SEV's certificate, session */
    GPtrArray *pciBuses;        /* char *: the id of PCI bus N (the controller of
                                 * index N), NULL where none */
} VgmQemuPlan;

void vgmQemuPlanFree(VgmQemuPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuPlan, vgmQemuPlanFree)

/* The -audiodev id of <audio id='@id'/>, or of the first <audio> for 0;
 * NULL without any. */
char *vgmQemuAudiodevId(const VgmDomainDef *def, unsigned int id);

/* Runs QEMU-specific validation (rules 9 to 12) and builds the plan. */
VgmQemuPlan *vgmQemuPlanBuild(const VgmDomainDef *def, const VgmQemuCaps *caps,
                              const VgmQemuConfig *cfg, GError **error);

/* The aliases of the memory devices (dimm0, virtiomem0, ...), in their
 * order, NULL-terminated; found in one pass. */
GStrv vgmQemuMemoryDeviceAliases(const VgmDomainDef *def);

/* A PCI <address> as the device's bus (pci.0 or pcie.0 for the root, else
 * pci.N for controller N), addr and multifunction; nothing for another
 * address type. */
void vgmQemuPlanPciAddress(JsonObject *dev, const VgmDeviceAddress *addr,
                           const VgmQemuPlan *plan);

/* The plan as JSON (what `start` stores in the status file and checks). */
JsonNode *vgmQemuPlanToJSON(const VgmQemuPlan *plan);
