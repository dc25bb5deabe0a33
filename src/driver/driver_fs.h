/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_fs.h: the host side of a domain's <filesystem> shares.
 *
 * A 9p share is served by QEMU itself; the start only checks that its
 * directory exists. A virtiofs share without <source socket> is served by a
 * virtiofsd the driver runs, as libvirt runs it: the driver listens on
 * RUNDIR/fsN-fs.sock and hands the listening socket to virtiofsd (--fd),
 * so QEMU can connect as soon as it starts; virtiofsd's options come from
 * <binary>, its output goes to LOGDIR/NAME-fsN-virtiofsd.log, its pid to
 * RUNDIR/fsN-virtiofsd.pid. virtiofsd ends when QEMU closes the
 * connection; a start that fails, and the clean-up after a stop, end one
 * still running. The binary is <binary path>, or the one the host's QEMU
 * vhost-user descriptors name for type "fs" (/etc/qemu/vhost-user and
 * /usr/share/qemu/vhost-user, as libvirt looks them up).
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "driver_store.h"

typedef struct _VgmDriverFsRun VgmDriverFsRun;
void vgmDriverFsRunFree(VgmDriverFsRun *run);

/* Before anything is spawned: every share's directory exists, every
 * virtiofsd to run is found, for the shares of @def from the @first on (a
 * start: 0; a hot-plug: the new ones). Returns the virtiofsds to run
 * (VgmDriverFsRun), possibly none, or NULL with @error set. */
GPtrArray *vgmDriverFsPrepare(const VgmDriverStore *store, const VgmDomainDef *def,
                              guint first, GError **error);

/* Starts the virtiofsds of @runs, each listening once this returns; when
 * one cannot start, those of @runs started are ended. */
gboolean vgmDriverFsStart(const VgmDriverStore *store, const char *name, GPtrArray *runs,
                          GError **error);

/* Ends the virtiofsds of @runs that still run (a hot-plug that failed). */
void vgmDriverFsRunsStop(GPtrArray *runs);

/* Ends every virtiofsd of domain @name's run that still runs. */
void vgmDriverFsStop(const VgmDriverStore *store, const char *name);

/* Names in @def the virtiofsd each virtiofs share the driver serves runs
 * (<binary path>, the host's when the share gives none), as libvirt's
 * live XML names it; whether one was named */
gboolean vgmDriverFsNameBinaries(VgmDomainDef *def);
