/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_watch.h: lifecycle events from what guests and QEMU do by
 * themselves, for a long-lived driver (driver_watch.c).
 */
#pragma once

#include <glib.h>

#include "driver/driver_conn.h"

typedef struct _VgmDriverWatch VgmDriverWatch;

/* Starts the watcher thread of @drv (which must outlive it). */
VgmDriverWatch *vgmDriverWatchNew(VgmDriver *drv);
/* Stops the thread and frees @w. */
void vgmDriverWatchFree(VgmDriverWatch *w);
/* Looks at the status files again soon (a domain was just started). */
void vgmDriverWatchPoke(VgmDriverWatch *w);
/* The driver's API reported the stop of domain @name's QEMU @pid itself:
 * the watcher does not report it again. */
void vgmDriverWatchReported(VgmDriverWatch *w, const char *name, pid_t pid);
/* ... taken back: the call that was to stop QEMU @pid failed, and the
 * watcher reports its end when it comes */
void vgmDriverWatchUnreported(VgmDriverWatch *w, const char *name, pid_t pid);
