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

/* Host facts the domain capabilities depend on. */
typedef struct {
    gboolean kvm;                /* /dev/kvm usable */
    gboolean guestMemfd;         /* KVM_CAP_GUEST_MEMFD, default VM type */
    guint64 gmemFlags;           /* creation flags, default VM type */
    gboolean sev;                /* kvm_amd sev=Y */
    gboolean sevSnp;             /* kvm_amd sev_snp=Y */
    gboolean tdx;                /* kvm_intel tdx=Y */
    gboolean sgx;                /* /dev/sgx_vepc */
    gboolean snpGmemMmap;        /* guest_memfd MMAP on an SNP VM */
    gboolean tdxGmemMmap;        /* guest_memfd MMAP on a TDX VM */
} VgmDriverHostFacts;

/* Probes this host (never fails: what cannot be probed is absent). */
void vgmDriverHostFactsProbe(VgmDriverHostFacts *facts);

/*
 * The domain capabilities of @caps (binary @emulator) for @virttype ("kvm",
 * "qemu"; NULL: kvm when the host and QEMU have it, else qemu) and
 * @machine (NULL: the default machine) on a host with @facts.
 */
char *vgmDriverDomainCapsFormat(const VgmQemuCaps *caps, const char *emulator,
                                const char *virttype, const char *machine,
                                const VgmDriverHostFacts *facts,
                                GError **error);

/* The same for a binary (@emulator NULL: qemu-system-@arch, @arch NULL:
 * the host's), probed through the store's capability cache and this
 * host's facts. */
char *vgmDriverDomainCapabilities(const VgmDriverStore *store,
                                  const char *emulator, const char *arch,
                                  const char *machine, const char *virttype,
                                  GError **error);

/* Host capabilities: arch, CPUs, memory and hugepages per NUMA node, the
 * guest_memfd flags of /dev/kvm, and the QEMU binary found for the host
 * arch with its machine types. */
char *vgmDriverCapabilities(const VgmDriverStore *store, GError **error);

/* The QEMU binary used when none is named: qemu-system-@arch (NULL: the
 * host's arch) from $PATH, else under /usr/bin. */
char *vgmDriverDefaultEmulator(const char *arch);
