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

/* The x86 CPU models libvirt 9.0's CPU map names, in its order, NULL
 * terminated: what virConnectGetCPUModelNames answers (of those QEMU
 * has) and the custom models domain capabilities list. */
extern const char *const vgmQemuCpuLibvirtX86Models[];

/* Whether QEMU's x86 CPU feature @name is one of KVM's paravirtual ones
 * (kvmclock, kvm-pv-ipi, ...): no CPU feature of libvirt's map, left to
 * QEMU's defaults and <features><kvm>, so never part of a model, a
 * host-model CPU or a comparison. */
gboolean vgmQemuCpuIsParavirt(const char *name);

/* libvirt's spelling of QEMU's x86 CPU feature @name (the few libvirt
 * spells with '_' or its older name; others are QEMU's). */
const char *vgmQemuCpuFeatureXMLName(const char *name);

typedef struct {
    char *name;     /* QEMU's property name */
    gboolean on;
} VgmQemuCpuSetting;

typedef struct {
    char *model;            /* a named model of the binary ("EPYC") */
    char *vendor;           /* its CPUID vendor ("AuthenticAMD"); NULL with
                             * ownModel */
    gboolean ownModel;      /* the domain's own model, its optional
                             * features settled */
    GPtrArray *settings;    /* VgmQemuCpuSetting, in command line order */
} VgmQemuCpuHostModel;

void vgmQemuCpuHostModelFree(VgmQemuCpuHostModel *hm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmQemuCpuHostModel, vgmQemuCpuHostModelFree)

/* @cpu, a CPU relative to the host, turned into the custom CPU @hm
 * stands for, as libvirt's live XML shows it: model @hm->model (fallback
 * forbid), match exact unless @hm is the domain's own model, and each
 * setting a require or disable feature. */
void vgmQemuCpuHostModelToCustom(VgmCpuDef *cpu, const VgmQemuCpuHostModel *hm);

/* The features a custom model @cpu (not match='minimum') leaves on in
 * QEMU's definition of it that libvirt's CPU map has removed from it
 * (EPYC's monitor, Icelake-Server's intel-pt), which libvirt turns off
 * unless the domain names them: a new array of static names. */
GPtrArray *vgmQemuCpuRemovedFeatures(const VgmCpuDef *cpu);

/* Names the removed features above that @cpu does not name, with
 * @policy: disable in the live XML of a start (as libvirt turns them
 * off); force for a running guest's XML from a start before 2026-12-06
 * (a live update, an incoming migration, a restore), which left them as
 * QEMU's model has them, so that a new QEMU gives the same CPU. */
void vgmQemuCpuNameRemovedFeatures(VgmCpuDef *cpu, VgmCpuFeaturePolicy policy);

/* The features of @cpu (QEMU's names) that libvirt drops before QEMU
 * starts, which the command line and the live XML leave out: cmt,
 * mbm_total, mbm_local, osxsave and ospke, which QEMU never had, and a
 * disabled or forbidden one this QEMU does not know (off anyway), or an
 * optional one of a CPU relative to the host (then off: the host lacks
 * it), where @caps records the features it knows under @accel. A new
 * set. */
GHashTable *vgmQemuCpuDroppedFeatures(const VgmCpuDef *cpu, const VgmQemuCaps *caps,
                                      VgmQemuCapsAccel accel);

/* Sets @error: @what (a CPU, for the message) is incompatible with the
 * host CPU under @accel ("KVM", "TCG"), which lacks @missing (feature
 * names). */
void vgmQemuCpuMissingError(GError **error, const char *what, const char *accel,
                            GPtrArray *missing);

/* Whether @cpu is defined relative to the host CPU, as libvirt updates
 * it at a start: mode host-model, a custom model with match='minimum'
 * (widened to the host's model) or with optional features (each on or
 * off as the host has it). */
gboolean vgmQemuCpuIsHostRelative(const VgmCpuDef *cpu);

/* @cpu (relative to the host, above) made into a named model and feature
 * settings under @accel, from @caps; NULL with @error naming what is
 * missing. */
VgmQemuCpuHostModel *vgmQemuCpuExpandHostModel(const VgmCpuDef *cpu, const VgmQemuCaps *caps,
                                               VgmQemuCapsAccel accel, GError **error);

/*
 * Comparison and baseline, with libvirt's meaning (virConnectCompareCPU,
 * virConnectBaselineCPU and their hypervisor variants), over named
 * features rather than CPUID bits: a CPU model stands for the features
 * QEMU's definition of it has (the capability set's models), a host CPU
 * for its features.
 *
 * A CPU context is the CPU compared against (its vendor, CPUID signature
 * and features) and the named models a CPU description may use.
 */
typedef struct {
    const VgmQemuCapsCpuModel *host;    /* the CPU compared against */
    GPtrArray *models;                  /* VgmQemuCapsCpuModel */
    GHashTable *known;                  /* every feature name the models,
                                         * host CPUs and QEMU know */
    gboolean cpuid;                     /* @host was read from CPUID (the
                                         * host's own CPU): a model asks of
                                         * it only what CPUID reports, and
                                         * not 'hypervisor', which QEMU
                                         * gives every guest */
} VgmQemuCpuContext;

typedef enum {
    VGM_QEMU_CPU_INCOMPATIBLE = 0,      /* libvirt's virCPUCompareResult */
    VGM_QEMU_CPU_IDENTICAL = 1,
    VGM_QEMU_CPU_SUPERSET = 2,
} VgmQemuCpuCompareResult;

/*
 * How @cpu compares with @ctx->host: identical (the host has exactly what
 * @cpu asks for), superset (more), or incompatible, with *@why saying what
 * is missing, forbidden or (match='strict') extra. libvirt's rules: a
 * model's features are required unless a feature names them force,
 * optional or disable; forbid fails when the host has the feature; a host
 * CPU (with <arch>) requires its model and every feature. -1 with @error
 * for a model or feature no one knows.
 */
int vgmQemuCpuCompare(const VgmQemuCpuContext *ctx, const VgmCpuDesc *cpu, char **why,
                      GError **error);

/*
 * The largest CPU that all @cpus provide, as a guest CPU of the closest
 * model of @ctx (libvirt's choice: the single model the inputs name when
 * there is one, else the fewest features to add, each one to remove
 * counting more), limited to @limit's features when non-NULL (what the
 * hypervisor can give). @expand lists every feature of the model as
 * well; @migratable leaves out what cannot migrate (invtsc). The vendor is
 * kept only when every input names it. NULL with @error: CPUs of
 * different vendors, nothing in common, an unknown model or feature.
 */
VgmCpuDef *vgmQemuCpuBaseline(const VgmQemuCpuContext *ctx, VgmCpuDesc *const *cpus, guint ncpus,
                              const VgmQemuCapsCpuModel *limit, gboolean expand,
                              gboolean migratable, GError **error);

/* The features model @m stands for in @ctx (a new set of QEMU names):
 * against a host CPU read from CPUID, only those CPUID reports, and not
 * 'hypervisor', which QEMU gives every guest whatever the host; never
 * KVM's paravirtual ones (kvm*), which libvirt's CPU map does not have */
GHashTable *vgmQemuCpuModelSet(const VgmQemuCpuContext *ctx, const VgmQemuCapsCpuModel *m);

/* The named model of @ctx closest to @ctx->host as libvirt describes a
 * host CPU: one whose every feature the host has, of the host's vendor,
 * of its family and model where there is one, then with the fewest
 * features left over; NULL when none fits. */
const VgmQemuCapsCpuModel *vgmQemuCpuDecodeHost(const VgmQemuCpuContext *ctx);

/* Reads CPUID leaf @leaf, subleaf @subleaf into EAX..EDX; FALSE where the
 * CPU has no such leaf (vgmHostCpuid, or a stand-in in tests). */
typedef gboolean (*VgmQemuCpuidFunc)(guint32 leaf, guint32 subleaf, guint32 regs[4]);

/* The CPU @cpuid describes: its vendor string, family, model (and
 * *@stepping), and the features it reports (QEMU's names, sorted); NULL
 * where it has no leaf 0 or 1. Free with vgmQemuCapsCpuModelFree. */
VgmQemuCapsCpuModel *vgmQemuCpuFromCpuid(VgmQemuCpuidFunc cpuid, guint *stepping);

/* Adds every feature name CPUID reports to @known (static strings). */
void vgmQemuCpuAddCpuidNames(GHashTable *known);
