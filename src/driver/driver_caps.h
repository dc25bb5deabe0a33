/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_caps.h: what the driver reports it can do.
 *
 * Owns the domain capabilities XML (libvirt's <domainCapabilities> shape
 * plus the <guestMemfd> extension block of the specification, section 4)
 * and the host capabilities XML (<capabilities>). QEMU-side answers come
 * from the capability set through the same validation that start uses
 * (small domain definitions are asked "would this work?"), host-side
 * answers from the host probes; the two are gathered apart so that tests
 * can give synthetic host facts.
 */
#pragma once

#include <glib.h>

#include "driver/driver_store.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_plan.h"

/* Host facts the domain capabilities depend on. */
typedef struct {
    gboolean kvm;                /* /dev/kvm usable */
    gboolean guestMemfd;         /* KVM_CAP_GUEST_MEMFD, default VM type */
    guint64 gmemFlags;           /* creation flags, default VM type */
    gboolean sev;                /* kvm_amd sev=Y */
    gboolean sevSnp;             /* kvm_amd sev_snp=Y */
    gboolean tdx;                /* kvm_intel tdx=Y */
    gboolean sgx;                /* /dev/sgx_vepc */
    guint64 snpGmemFlags;        /* guest_memfd creation flags on an SNP
                                  * VM, 0 without guest_memfd there */
    guint64 tdxGmemFlags;        /* the same on a TDX VM */
    gboolean inPlaceKernel;      /* kvm converts guest_memfd in place
                                  * (vm_memory_attributes=N) */
} VgmDriverHostFacts;

/* Probes this host (never fails: what cannot be probed is absent). */
void vgmDriverHostFactsProbe(VgmDriverHostFacts *facts);

/*
 * Whether this kernel converts guest_memfd memory between private and
 * shared in place: its kvm module has the parameter vm_memory_attributes
 * (@sysfs/module/kvm/parameters/vm_memory_attributes, @sysfs NULL: /sys)
 * and it is off (N or 0), so that the attributes live in the guest_memfd
 * and not per VM. Fails with VGM_ERR_NO_SUPPORT naming what the kernel
 * lacks.
 */
gboolean vgmDriverKvmInPlaceCheck(const char *sysfs, GError **error);

/* What a domain's guest_memfd RAM asks of KVM. */
typedef struct {
    unsigned long vmType;   /* the KVM_CREATE_VM type QEMU uses */
    guint64 flags;          /* the guest_memfd creation flags QEMU asks for */
    gboolean inPlace;       /* in-place conversion (vgmDriverKvmInPlaceCheck) */
} VgmDriverGmemNeed;

/*
 * What @def's guest_memfd RAM, asked for with @gmem (and @convertInPlace
 * on the confidential-guest object), needs from the host; FALSE when
 * @gmem is NONE (no guest_memfd). The VM type follows <launchSecurity> on
 * x86_64 (sev: the SEV or, with policy bit ES, SEV-ES type; sev-snp: SNP;
 * tdx: TDX; else the default type). Every spelling maps the guest_memfd
 * (MMAP); shared-from-the-start RAM (no in-place conversion) also needs
 * INIT_SHARED, and so does the memory-backend-memfd property
 * 'guest-memfd' / 'x-guest-memfd', which always asks for it, even where
 * the VM type never offers it (SNP, TDX). Pure, for tests.
 */
gboolean vgmDriverGmemNeedFor(const VgmDomainDef *def, VgmQemuGmemSpelling gmem,
                              gboolean convertInPlace, VgmDriverGmemNeed *need);

/* "default", "sev", "sev-es", "snp", "tdx", else the number. */
char *vgmDriverKvmVmTypeFormat(unsigned long vmType);

/*
 * The domain capabilities of @caps (binary @emulator) for guests of @arch
 * (NULL: the binary's own), @virttype ("kvm", "qemu"; NULL: kvm when the
 * host and QEMU have it, else qemu) and @machine (NULL: the default
 * machine) on a host with @facts.
 */
char *vgmDriverDomainCapsFormat(const VgmQemuCaps *caps, const char *emulator,
                                const char *arch, const char *virttype, const char *machine,
                                const VgmDriverHostFacts *facts,
                                GError **error);

/* The same for a binary (@emulator NULL: qemu-system-@arch, @arch NULL:
 * the host's), probed through the store's capability cache and this
 * host's facts. */
char *vgmDriverDomainCapabilities(const VgmDriverStore *store,
                                  const char *emulator, const char *arch,
                                  const char *machine, const char *virttype,
                                  GError **error);

/*
 * virConnectCompareCPU (@hypervisor FALSE: against the host's own CPU, as
 * CPUID describes it) and virConnectCompareHypervisorCPU
 * (against the CPU the accelerator of @virttype gives with @emulator, as
 * domain capabilities describe it) of the <cpu> @xml: a
 * VgmQemuCpuCompareResult, or -1 with @error. @failIncompatible makes an
 * incompatible CPU an error (VGM_ERR_CPU_INCOMPATIBLE) saying why.
 */
int vgmDriverCpuCompare(const VgmDriverStore *store, gboolean hypervisor, const char *emulator,
                        const char *arch, const char *machine, const char *virttype,
                        const char *xml, gboolean failIncompatible, GError **error);

/*
 * libvirt's check of a custom guest CPU with check='partial' under KVM
 * before its start: @cpu compared, as virConnectCompareCPU compares it,
 * with the host's own CPU as CPUID describes it (what the capabilities
 * show). FALSE with @error (VGM_ERR_CPU_INCOMPATIBLE) saying what the host
 * lacks. *@checked is FALSE when no CPU model of @emulator describes the
 * host CPU, and nothing was compared.
 */
gboolean vgmDriverCpuCheckGuest(const VgmDriverStore *store, const char *emulator,
                                const VgmCpuDef *cpu, gboolean *checked, GError **error);

/*
 * virConnectBaselineCPU (host CPUs, the binary's models) and
 * virConnectBaselineHypervisorCPU (host or guest CPUs, limited to what the
 * accelerator gives) of the <cpu> elements @xmls: a guest <cpu>.
 */
char *vgmDriverCpuBaseline(const VgmDriverStore *store, gboolean hypervisor, const char *emulator,
                           const char *arch, const char *machine, const char *virttype,
                           const char *const *xmls, guint n, gboolean expand,
                           gboolean migratable, GError **error);

/* Host capabilities: arch, CPUs, memory and hugepages per NUMA node, the
 * guest_memfd flags of /dev/kvm, and the QEMU binary found for the host
 * arch with its machine types. */
char *vgmDriverCapabilities(const VgmDriverStore *store, GError **error);

/* The QEMU binary used when none is named: qemu-system-@arch (NULL: the
 * host's arch) from $PATH (for i686, qemu-system-x86_64 when there is no
 * qemu-system-i386), else under /usr/bin. */
char *vgmDriverDefaultEmulator(const char *arch);
/* The guest arch of @caps' binary, in libvirt's name (i686, not i386) */
const char *vgmDriverGuestArch(const VgmQemuCaps *caps);
