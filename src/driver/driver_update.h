/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_update.h: live update of a running domain's QEMU (cpr-transfer).
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "driver/driver_store.h"

/*
 * Replaces the QEMU of the running domain whose status is @status (the
 * caller holds the domain lock) with a new process of @emulator (NULL:
 * the same binary), which takes the guest and its memory over. @def is the
 * live definition. On success @status names the new QEMU and is saved, and
 * *@pauseUs (nullable) says how long the vCPUs were stopped, from the old
 * QEMU's STOP event to the new one's RESUME (-1: the guest was paused, or
 * QEMU did not tell); on a failure before the switch the old QEMU runs the
 * guest as before.
 */
gboolean vgmDriverUpdateRun(const VgmDriverStore *store, VgmDriverStatus *status,
                            const VgmDomainDef *def, const char *emulator,
                            gint64 *pauseUs, GError **error);

/*
 * Finishes what an interrupted update left (@status->update, with the
 * domain lock held and nobody updating): ends the QEMU that does not own
 * the guest, lets the owner run if the guest ran before, saves @status
 * without the record.
 */
gboolean vgmDriverUpdateRecover(const VgmDriverStore *store, VgmDriverStatus *status,
                                GError **error);
