/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_cpu.h: x86 CPU facts of the QEMU arrow: libvirt's feature names as
 * QEMU spells them, and <cpu mode='host-model'> made into a named model.
 *
 * host-model, as libvirt makes it: the named CPU model of the binary that
 * is closest to the host CPU (under the domain's accelerator: the host's
 * own CPU under KVM, everything TCG emulates under TCG), plus the features
 * that make it the host CPU: those the host has and the model lacks turned
 * on, those the model defines and the host lacks turned off. "Closest":
 * of the models of the host CPU's vendor, one of the host CPU's family and
 * model (its CPUID signature) where there is one, as libvirt prefers it
 * (under KVM only: TCG's CPU has qemu64's signature), then the one with
 * the fewest such differences (then the fewest turned off, then the first
 * name). The domain's own
 * <feature>s then apply on top: require and force turn a feature on,
 * disable and forbid turn it off, optional turns it on where the host CPU
 * has it and off where not. The result is a migratable CPU whose features
 * do not depend on the next host, which -cpu host is not.
 *
 * The host CPU and the models come from the capability set (its "cpu",
 * see qemu_capabilities.h); a set without them for the accelerator cannot
 * lower host-model, and says so.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"

/* QEMU's property name of the x86 CPU feature @name, which may be
 * libvirt's spelling ("fxsr_opt", "pclmuldq", "sse4_2"). */
char *vgmQemuCpuFeatureName(const char *name);

/* libvirt's name of the CPU vendor whose CPUID string is @vendor
 * ("GenuineIntel": "Intel"), or NULL where libvirt has none. */
const char *vgmQemuCpuVendorXMLName(const char *vendor);

/* libvirt's spelling of QEMU's x86 CPU feature @name (the few libvirt
 * spells with '_' or its older name; others are QEMU's). */
const char *vgmQemuCpuFeatureXMLName(const char *name);

typedef struct {
    char *name;     /* QEMU's property name */
    gboolean on;
} VgmQemuCpuSetting;

typedef struct {
    char *model;            /* a named model of the binary ("EPYC") */
    char *vendor;           /* its CPUID vendor ("AuthenticAMD") */
    GPtrArray *settings;    /* VgmQemuCpuSetting, in command line order */
} VgmQemuCpuHostModel;

void vgmQemuCpuHostModelFree(VgmQemuCpuHostModel *hm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCpuHostModel, vgmQemuCpuHostModelFree)

/* @cpu, a host-model CPU, turned into the custom CPU @hm stands for, as
 * libvirt's live XML shows it: model @hm->model (fallback forbid), match
 * exact, and each setting a require or disable feature. */
void vgmQemuCpuHostModelToCustom(VgmCpuDef *cpu, const VgmQemuCpuHostModel *hm);

/* @cpu (mode host-model) made into a named model and feature settings
 * under @accel, from @caps; NULL with @error naming what is missing. */
VgmQemuCpuHostModel *vgmQemuCpuExpandHostModel(const VgmCpuDef *cpu, const VgmQemuCaps *caps,
                                               VgmQemuCapsAccel accel, GError **error);
