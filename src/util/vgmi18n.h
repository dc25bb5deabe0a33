/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmi18n.h: gettext wiring shared by every translation unit.
 *
 * Every user-visible message goes through _() so that po/ can collect it;
 * N_() marks strings kept in static tables and translated when used.
 */
#pragma once

#include "config.h"
#include <glib/gi18n-lib.h>

void vgmI18nInit(void);
