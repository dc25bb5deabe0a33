/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_tool.h: what the command files of the virt-gmem tool share.
 *
 * Each command is a row in the table of virt-gmem.c: its name, one line of
 * help, and a handler that parses its own options (so that
 * `virt-gmem CMD --help` describes CMD) and returns the exit status.
 */
#pragma once

#include <glib.h>

typedef struct {
    const char *name;
    const char *params;      /* parameter string for --help, e.g. "FILE" */
    const char *summary;     /* translatable, marked with N_() */
    int (*run)(int argc, char **argv);
} VgmToolCommand;

/* Parses @entries for command @cmd; prints errors; FALSE on failure.
 * On return argv holds the positional arguments (argv[0] is the command). */
gboolean vgmToolParseOptions(const VgmToolCommand *cmd, GOptionEntry *entries,
                             int *argc, char ***argv);
/* Prints "error: MESSAGE" on stderr and returns the exit status 1. */
int vgmToolError(GError *error);
/* Where docs/schemas/domain.rng is. */
char *vgmToolSchemaPath(void);

extern const VgmToolCommand vgmToolDomainCommands[];
extern const VgmToolCommand vgmToolLifecycleCommands[];
