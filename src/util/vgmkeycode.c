/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmkeycode.c: see vgmkeycode.h.
 *
 * The key table (vgmkeytable.h) gives each Linux keycode's code in the
 * sets keycodemapdb lists directly; the rest derive from AT set 1, whose
 * extended keys are 0xe0XX: XT is AT set 1, XT KBD (Linux's xt keyboard
 * driver) writes them 0x100 | XX, QEMU's key numbers 0x80 | XX.
 */
#include <config.h>

#include "vgmkeycode.h"

VGM_ENUM_IMPL(vgmKeycodeSet, VGM_KEYCODE_SET_LAST,
              "linux", "xt", "atset1", "atset2", "atset3", "os_x", "xt_kbd", "usb",
              "win32", "qnum");

typedef enum {
    VGM_KEYTABLE_LINUX,
    VGM_KEYTABLE_ATSET1,
    VGM_KEYTABLE_ATSET2,
    VGM_KEYTABLE_ATSET3,
    VGM_KEYTABLE_OSX,
    VGM_KEYTABLE_USB,
    VGM_KEYTABLE_WIN32,
    VGM_KEYTABLE_LAST
} VgmKeytableColumn;

static const int vgmKeytable[][VGM_KEYTABLE_LAST] = {
#include "vgmkeytable.h"
};

/* the table's column of each set; the derived ones read AT set 1 */
static const VgmKeytableColumn vgmKeycodeSetColumn[VGM_KEYCODE_SET_LAST] = {
    [VGM_KEYCODE_SET_LINUX] = VGM_KEYTABLE_LINUX,
    [VGM_KEYCODE_SET_XT] = VGM_KEYTABLE_ATSET1,
    [VGM_KEYCODE_SET_ATSET1] = VGM_KEYTABLE_ATSET1,
    [VGM_KEYCODE_SET_ATSET2] = VGM_KEYTABLE_ATSET2,
    [VGM_KEYCODE_SET_ATSET3] = VGM_KEYTABLE_ATSET3,
    [VGM_KEYCODE_SET_OSX] = VGM_KEYTABLE_OSX,
    [VGM_KEYCODE_SET_XT_KBD] = VGM_KEYTABLE_ATSET1,
    [VGM_KEYCODE_SET_USB] = VGM_KEYTABLE_USB,
    [VGM_KEYCODE_SET_WIN32] = VGM_KEYTABLE_WIN32,
    [VGM_KEYCODE_SET_QNUM] = VGM_KEYTABLE_ATSET1,
};

/* an AT set 1 code in @set's writing of its extended (0xe0XX) keys */
static int
vgmKeycodeFromAtset1(VgmKeycodeSet set, int at1)
{
    if (at1 < 0 || at1 <= 0x7f)
        return at1;
    if ((at1 & ~0x7f) != 0xe000)
        return -1;
    switch (set) {
    case VGM_KEYCODE_SET_XT_KBD:
        return 0x100 | (at1 & 0x7f);
    case VGM_KEYCODE_SET_QNUM:
        return 0x80 | (at1 & 0x7f);
    default:
        return at1;
    }
}

int
vgmKeycodeToQnum(VgmKeycodeSet set, unsigned int code)
{
    size_t i;

    if (set >= VGM_KEYCODE_SET_LAST)
        return -1;
    if (set == VGM_KEYCODE_SET_QNUM)
        return code <= 0xff ? (int)code : -1;
    for (i = 0; i < G_N_ELEMENTS(vgmKeytable); i++) {
        int v = vgmKeytable[i][vgmKeycodeSetColumn[set]];

        if (set == VGM_KEYCODE_SET_XT_KBD)
            v = vgmKeycodeFromAtset1(set, v);
        if (v >= 0 && (unsigned int)v == code)
            return vgmKeycodeFromAtset1(VGM_KEYCODE_SET_QNUM,
                                        vgmKeytable[i][VGM_KEYTABLE_ATSET1]);
    }
    return -1;
}
