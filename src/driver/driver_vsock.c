/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_vsock.c: see driver_vsock.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/vhost.h>

#include "driver_vsock.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

#define VGM_DRIVER_VSOCK_DEVICE "/dev/vhost-vsock"

static int
vgmDriverVsockSetCid(int fd, unsigned int cid)
{
    guint64 v = cid;

    return ioctl(fd, VHOST_VSOCK_SET_GUEST_CID, &v);
}

gboolean
vgmDriverVsockOpen(VgmDomainDef *def, int *fd, GError **error)
{
    VgmVsockDef *vsock = def->devices.vsock;
    unsigned int cid;
    int f;

    *fd = -1;
    if (!vsock)
        return TRUE;
    if ((f = open(VGM_DRIVER_VSOCK_DEVICE, O_RDWR | O_CLOEXEC)) < 0) {
        vgmErrorSet(error, VGM_ERR_SYSTEM,
                    _("<vsock> of domain '%1$s' needs %2$s (the vhost_vsock module): %3$s"),
                    def->name, VGM_DRIVER_VSOCK_DEVICE, g_strerror(errno));
        return FALSE;
    }
    if (vsock->autoCid != VGM_TRISTATE_YES) {
        if (vgmDriverVsockSetCid(f, vsock->cid) < 0) {
            int err = errno;

            close(f);
            vgmErrorSet(error, err == EADDRINUSE ? VGM_ERR_OPERATION_INVALID : VGM_ERR_SYSTEM,
                        _("cannot give the <vsock> of domain '%1$s' address %2$u: %3$s"),
                        def->name, vsock->cid,
                        err == EADDRINUSE ? _("another guest has it") : g_strerror(err));
            return FALSE;
        }
        *fd = f;
        return TRUE;
    }
    /* the lowest free address, as libvirt looks for one */
    for (cid = VGM_VSOCK_CID_MIN; cid <= VGM_VSOCK_CID_MAX; cid++) {
        if (vgmDriverVsockSetCid(f, cid) == 0) {
            vsock->cid = cid;
            *fd = f;
            return TRUE;
        }
        if (errno != EADDRINUSE)
            break;
    }
    vgmErrorSet(error, VGM_ERR_SYSTEM,
                _("cannot find a free address for the <vsock> of domain '%1$s': %2$s"),
                def->name, g_strerror(errno));
    close(f);
    return FALSE;
}
