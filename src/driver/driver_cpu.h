/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_cpu.h: the host check of a guest CPU at start (<cpu check>).
 *
 * libvirt compares a guest CPU with check='partial' against what the host
 * provides before QEMU starts (under KVM the host's own CPU, as CPUID and
 * the capabilities describe it: vgmDriverCpuCheckGuest; under TCG what
 * TCG gives), and with check='full' verifies the started vCPU; either way
 * a start whose guest would lack a feature its model or a <feature
 * policy='require'> asks for fails, naming the features. virt-gmem asks
 * the QEMU it just started, paused, before the guest runs: the first
 * vCPU's "unavailable-features" are the features the accelerator filtered
 * out of the requested CPU, and the full expansion of the host's own CPU
 * model ("host" under KVM, "max" under TCG) says which forbidden features
 * the host has. Features marked optional or force may be missing, and
 * under KVM with check='partial' any the host's CPU has and KVM does not
 * give (QEMU leaves them out, as under libvirt; the live XML says so).
 * check='none' (libvirt's default for custom models under TCG, for
 * host-passthrough and for maximum) checks nothing.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_monitor.h"

typedef struct _VgmDriverCpuCheck VgmDriverCpuCheck;

/* What to check for @def's <cpu> under KVM (@kvm) or TCG; NULL when there
 * is nothing to check. @checkedHost: vgmDriverCpuCheckGuest compared it
 * with the host's CPU before the start. */
VgmDriverCpuCheck *vgmDriverCpuCheckNew(const VgmDomainDef *def, gboolean kvm,
                                        gboolean checkedHost);
void vgmDriverCpuCheckFree(VgmDriverCpuCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverCpuCheck, vgmDriverCpuCheckFree)

/* Asks the paused QEMU behind @mon; fails naming the missing (or present
 * forbidden) features. A NULL @check passes. *@filtered: every feature
 * the accelerator left out of the vCPU (QEMU's names), or NULL for none. */
gboolean vgmDriverCpuCheckRun(const VgmDriverCpuCheck *check, VgmQemuMonitor *mon,
                              GPtrArray **filtered, GError **error);
