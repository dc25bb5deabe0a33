/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_dispatch.h: libvirt's REMOTE program served from the driver API.
 *
 * Owns what each remote procedure of src/remote/remote_protocol.x means:
 * the per-client state (opened, read-only, event callbacks), the checks
 * every call goes through (a procedure we do not serve, a call before
 * CONNECT_OPEN, a write call on a read-only connection, arguments that do
 * not decode), the handlers that turn calls into driver calls, and the
 * mapping of our error codes to the libvirt codes clients act on. The
 * transport (framing, threads, keepalive) is src/rpc's.
 */
#pragma once

#include "driver/driver_conn.h"
#include "rpc/vgm_rpc_server.h"

/* libvirt's error domains (virErrorDomain) that we report from. */
#define VGM_REMOTE_FROM_QEMU 10
#define VGM_REMOTE_FROM_REMOTE 13
#define VGM_REMOTE_FROM_STORAGE 18
#define VGM_REMOTE_FROM_NETWORK 19
#define VGM_REMOTE_FROM_NODEDEV 22
#define VGM_REMOTE_FROM_INTERFACE 26
#define VGM_REMOTE_FROM_SECRET 30
#define VGM_REMOTE_FROM_DOMAIN_SNAPSHOT 35

/* The error domain (virErrorDomain) of error @code (libvirt's) of the
 * procedure named @procName (REMOTE_PROC_...; NULL: a QEMU program's) */
int vgmRemoteErrorDomain(const char *procName, int code);

/* Fills @program with the REMOTE program served from @drv. */
void vgmRemoteProgramInit(VgmRpcProgram *program, VgmDriver *drv);
