/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmkeycode.h: key codes in the code sets of libvirt's virDomainSendKey,
 * turned into the key numbers QEMU's send-key takes.
 */
#pragma once

#include <glib.h>

#include "vgmenum.h"

/* libvirt's virKeycodeSet, in its numbering (the wire carries it) */
typedef enum {
    VGM_KEYCODE_SET_LINUX,
    VGM_KEYCODE_SET_XT,
    VGM_KEYCODE_SET_ATSET1,
    VGM_KEYCODE_SET_ATSET2,
    VGM_KEYCODE_SET_ATSET3,
    VGM_KEYCODE_SET_OSX,
    VGM_KEYCODE_SET_XT_KBD,
    VGM_KEYCODE_SET_USB,
    VGM_KEYCODE_SET_WIN32,
    VGM_KEYCODE_SET_QNUM,       /* QEMU's key numbers; libvirt's "rfb" too */
    VGM_KEYCODE_SET_LAST
} VgmKeycodeSet;

VGM_ENUM_DECL(vgmKeycodeSet);

/*
 * The QEMU key number (AT set 1 scan code, 0x80 set for the 0xe0-prefixed
 * ones) of the key whose code in @set is @code; -1 for a code of no key.
 * A key number (VGM_KEYCODE_SET_QNUM) is taken as it is.
 */
int vgmKeycodeToQnum(VgmKeycodeSet set, unsigned int code);
