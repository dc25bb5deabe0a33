/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmsysinfo.h: the host's SMBIOS tables as libvirt's <sysinfo>.
 *
 * virConnectGetSysinfo (virsh sysinfo) answers with the host's firmware
 * tables: BIOS, system, base boards, chassis, processors, memory devices
 * and OEM strings, read as libvirt reads them on x86, through the
 * dmidecode tool (SMBIOS types 0, 1, 2, 3, 4, 11 and 17). The parser of
 * dmidecode's text is pure, so tests feed it captured output.
 */
#pragma once

#include <glib.h>

/*
 * <sysinfo type='smbios'> of dmidecode's quiet output @text (`dmidecode
 * -q -t 0,1,2,3,4,11,17`), as libvirt formats the host's: each section
 * with the entries it has, in libvirt's order; a memory slot without a
 * module left out. @oemString, when not NULL, is asked for OEM string N
 * (from 1) whenever dmidecode's text shows a '.', which stands for any
 * byte it does not print (as libvirt asks dmidecode again for those); it
 * returns NULL to keep the text as shown. Bytes XML cannot hold (control
 * characters but tab, new line and carriage return; invalid UTF-8) are
 * dropped or replaced. Never fails: text with no section it knows gives
 * an empty <sysinfo type='smbios'/>.
 */
typedef char *(*VgmSysinfoOemFunc)(guint n, gpointer opaque);
char *vgmHostSysinfoFormatDmidecode(const char *text, VgmSysinfoOemFunc oemString,
                                    gpointer opaque);

/*
 * The host's <sysinfo>, by running dmidecode (found in PATH, else
 * /usr/sbin). A host whose tables dmidecode cannot read (no dmidecode, no
 * /sys/firmware/dmi/tables nor /dev/mem) is VGM_ERR_CONFIG_UNSUPPORTED,
 * as libvirt answers, with dmidecode's reason.
 */
char *vgmHostSysinfoRead(GError **error);
