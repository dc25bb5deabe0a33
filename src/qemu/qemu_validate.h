/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_validate.h: validation that needs to know the QEMU binary: rules 9
 * to 12 of the specification (a guest_memfd spelling exists, hugetlb
 * guest_memfd, live update, libvirt's QEMU checks). Each error names the
 * capability the binary lacks.
 */
#pragma once

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"

gboolean vgmQemuValidateDomain(const VgmDomainDef *def, const VgmQemuCaps *caps,
                               GError **error);

/* The guest_memfd way this binary offers for @def (rule 9, 10, 11): which
 * backend spelling, and whether the confidential-guest object carries
 * convert-in-place. VGM_QEMU_GMEM_NONE when @def needs no guest_memfd. */
typedef struct {
    int spelling;               /* VgmQemuGmemSpelling */
    gboolean convertInPlace;
    gboolean hugetlb;           /* gmem-allocator=hugetlb on the cgs object */
    unsigned long long pageKiB; /* gmem-page-size */
} VgmQemuGmemChoice;

gboolean vgmQemuChooseGuestMemfd(const VgmDomainDef *def, const VgmQemuCaps *caps,
                                 VgmQemuGmemChoice *choice, GError **error);

/* The hugepage size (KiB) for guest NUMA node @cell (-1: main RAM), or 0. */
unsigned long long vgmQemuHugepageForNode(const VgmDomainDef *def, int cell);
