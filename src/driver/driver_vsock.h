/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_vsock.h: the host side of a domain's <vsock>.
 *
 * As libvirt does, the driver opens /dev/vhost-vsock itself, gives the
 * vhost device the guest's address (VHOST_VSOCK_SET_GUEST_CID) and hands
 * QEMU the fd (VGM_QEMU_VSOCK_FD). The address is taken as long as an fd
 * with it is open: while QEMU runs, so a second guest cannot have it.
 */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"

/* Opens the vhost device for @def's <vsock>, if it has one, and sets the
 * guest's address on it: the given one, or with <cid auto='yes'> the
 * lowest free one from 3, which is written into @def (the live XML names
 * it, as libvirt's does). *@fd: the fd, or -1 without a <vsock>. */
gboolean vgmDriverVsockOpen(VgmDomainDef *def, int *fd, GError **error);
