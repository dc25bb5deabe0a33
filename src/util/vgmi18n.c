/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmi18n.c: binds the gettext domain once per process.
 */
#include "config.h"

#include <locale.h>

#include "vgmi18n.h"

void
vgmI18nInit(void)
{
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
}
