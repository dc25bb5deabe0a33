/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_pin.h: where a domain's threads may run, as libvirt's
 * virDomainGetVcpuPinInfo, virDomainGetEmulatorPinInfo,
 * virDomainGetIOThreadInfo and virDomainGetVcpus report it. A read with
 * @flags LIVE (or CURRENT on a running domain) gives the affinity of
 * QEMU's threads; CONFIG (or CURRENT on a shut-off domain) the
 * definition's pins.
 */
#pragma once

#include <sys/types.h>
#include <glib.h>

#include "driver_conn.h"
#include "util/vgmbitmap.h"

/* A thread of a domain: a vCPU (its index) or an I/O thread (its id) */
typedef struct {
    unsigned int id;
    VgmBitmap *cpus;            /* where it may run */
    int state;                  /* virVcpuState, vCPUs of virDomainGetVcpus */
    guint64 cpuTime;            /* ns, same */
    int cpu;                    /* the CPU it last ran on, -1: unknown */
} VgmDriverThreadInfo;
void vgmDriverThreadInfoFree(VgmDriverThreadInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverThreadInfo, vgmDriverThreadInfoFree)

/* Each vCPU's CPUs (VgmBitmap), by index up to <vcpu>'s maximum */
GPtrArray *vgmDriverGetVcpuPinInfo(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                                   GError **error);
/* The emulator threads' CPUs */
VgmBitmap *vgmDriverGetEmulatorPinInfo(VgmDriver *drv, VgmDriverDomain *dom,
                                       unsigned int flags, GError **error);
/* Each I/O thread (VgmDriverThreadInfo with its id and CPUs) */
GPtrArray *vgmDriverGetIOThreadInfo(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                                    GError **error);
/* A running domain's vCPU threads (VgmDriverThreadInfo, all fields) */
GPtrArray *vgmDriverGetVcpus(VgmDriver *drv, VgmDriverDomain *dom, GError **error);
/* @cpus as libvirt's cpumap: bit N % 8 of byte N / 8, @maplen bytes
 * (CPUs beyond them left out) */
void vgmDriverCpuMapFill(const VgmBitmap *cpus, guint8 *map, size_t maplen);
