/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_watch.h: lifecycle events from what guests and QEMU do by
 * themselves, for a long-lived driver (driver_watch.c).
 */
#pragma once

#include <glib.h>

#include "driver/driver_conn.h"

typedef struct _VgmDriverWatch VgmDriverWatch;

/* How long a start waits at most for the watcher to read its QEMU's
 * events (a connection refused while QEMU is busy is tried again at the
 * next look, once a second) */
#define VGM_DRIVER_WATCH_AWAIT_MS 5000

/* Starts the watcher thread of @drv (which must outlive it). */
VgmDriverWatch *vgmDriverWatchNew(VgmDriver *drv);
/* Stops the thread and frees @w. */
void vgmDriverWatchFree(VgmDriverWatch *w);
/* Looks at the status files again soon (a domain was just started). */
void vgmDriverWatchPoke(VgmDriverWatch *w);
/* Pokes, then waits up to @timeoutMs until the watcher reads the events
 * of domain @name's QEMU @qemu (FALSE if it does not by then, or QEMU
 * died): what QEMU says after this comes to the listeners. */
gboolean vgmDriverWatchAwait(VgmDriverWatch *w, const char *name,
                             const VgmDriverProcIdent *qemu, guint timeoutMs);
/* The driver's API reported the stop of domain @name's QEMU @pid itself:
 * the watcher does not report it again. */
void vgmDriverWatchReported(VgmDriverWatch *w, const char *name, pid_t pid);
/* ... taken back: the call that was to stop QEMU @pid failed, and the
 * watcher reports its end when it comes */
void vgmDriverWatchUnreported(VgmDriverWatch *w, const char *name, pid_t pid);
