/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_tpm.h: the swtpm behind a domain's <tpm><backend type='emulator'>.
 *
 * As libvirt runs it: the TPM's state lives in STATEDIR/swtpm/UUID/tpm2
 * (tpm1.2 for version 1.2; after a live update tpm2.b, the two taking
 * turns, STATEDIR/swtpm/UUID/current naming the one in use), made once with swtpm_setup (an endorsement
 * key, and as root the EK and platform certificates of Debian's local
 * CA, NVRAM locked); each start runs `swtpm socket --terminate` on
 * RUNDIR/swtpm.sock before QEMU, which connects to it, so that swtpm ends
 * when QEMU closes the connection. A start that fails, and the clean-up
 * after a stop, end a swtpm still running (RUNDIR/swtpm.pid). The state
 * goes with undefine unless kept (libvirt's KEEP_TPM flag, or
 * persistent_state='yes').
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "driver_store.h"

/* Before the spawn: swtpm and swtpm_setup are installed. */
gboolean vgmDriverTpmCheckHost(const VgmDomainDef *def, GError **error);

/* What this host's swtpm offers: the programs (swtpm, swtpm_setup) and
 * the TPM versions swtpm_setup makes */
typedef struct {
    gboolean swtpm;
    gboolean v12;
    gboolean v20;
} VgmDriverTpmHost;
VgmDriverTpmHost vgmDriverTpmHostProbe(void);

/* Makes the state of @tpm (NULL: nothing to do) of domain @name / @uuid
 * if needed and starts swtpm, listening once it returns. */
gboolean vgmDriverTpmStart(const VgmDriverStore *store, const char *name,
                           const unsigned char *uuid, const VgmTpmDef *tpm, GError **error);

/* Ends the swtpm of domain @name's run, if one still runs. */
void vgmDriverTpmStop(const VgmDriverStore *store, const char *name);

/* Live update of domain @name / @uuid with TPM @tpm (an emulator's): a
 * second swtpm for the new QEMU, listening on RUNDIR/@base.sock, on a
 * copy of the state in use at the other of the two state directories
 * (swtpm locks the one the running swtpm uses; the guest's TPM state comes
 * over in the migration stream). *@stateName gets that directory's name. */
gboolean vgmDriverTpmStartCopy(const VgmDriverStore *store, const char *name,
                               const unsigned char *uuid, const VgmTpmDef *tpm,
                               const char *base, char **stateName, GError **error);

/* A live update that did not take place: ends the swtpm on
 * RUNDIR/@base.sock and removes state directory @stateName (if given, and
 * not the one in use). */
void vgmDriverTpmDiscard(const VgmDriverStore *store, const char *name, const unsigned char *uuid,
                         const char *base, const char *stateName);

/* A live update that took place: makes @stateName the state in use (one
 * atomic write of ROOT/current), ends the old swtpm on RUNDIR/@oldBase.sock
 * if it still runs and removes the old state. */
gboolean vgmDriverTpmAdopt(const VgmDriverStore *store, const char *name,
                           const unsigned char *uuid, const char *oldBase,
                           const char *stateName, GError **error);

/* Removes the TPM state of the domain of @uuid. */
void vgmDriverTpmRemoveState(const VgmDriverStore *store, const unsigned char *uuid);
