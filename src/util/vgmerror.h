/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmerror.h: the project's error domain.
 *
 * Errors are GErrors in the VGM_ERROR domain. The code says what kind of
 * failure it is (so callers and tests can react to a class of error); the
 * message is translated and names the element, attribute or value and the
 * reason. Messages travel to the user unchanged, but for one thing: the
 * control characters a quoted value may hold (a name, a path, element
 * text, an attribute value) are shown escaped (vgmErrorEscape), so that no
 * value can break a message into lines of its own or send a terminal
 * escape sequence.
 */
#pragma once

#include <glib.h>

#include "vgmenum.h"

#define VGM_ERROR (vgmErrorQuark())
GQuark vgmErrorQuark(void);

typedef enum {
    VGM_ERR_INTERNAL = 1,       /* a bug or an unexpected library failure */
    VGM_ERR_XML,                /* malformed XML or schema-level problem */
    VGM_ERR_CONFIG_UNSUPPORTED, /* well-formed but asks for what we cannot do */
    VGM_ERR_INVALID_ARG,        /* a bad value for an argument or attribute */
    VGM_ERR_OPERATION_INVALID,  /* the operation is not valid in this state */
    VGM_ERR_OPERATION_FAILED,   /* the operation was tried and failed */
    VGM_ERR_NO_DOMAIN,          /* no such domain */
    VGM_ERR_OPERATION_TIMEOUT,  /* something did not answer in time */
    VGM_ERR_SYSTEM,             /* a system call failed (errno in message) */
    VGM_ERR_NO_SUPPORT,         /* the hypervisor or host lacks a feature */
    VGM_ERR_NO_STORAGE_POOL,    /* no such storage pool */
    VGM_ERR_NO_STORAGE_VOL,     /* no such storage volume */
    VGM_ERR_NO_SECRET,          /* no such secret, or one without a value */
    VGM_ERR_INVALID_SECRET,     /* a secret that may not be used so (private) */
    VGM_ERR_NO_NETWORK,         /* no such virtual network */
    VGM_ERR_ARGUMENT_UNSUPPORTED, /* a valid flag or argument this driver
                                   * does not carry out */
    VGM_ERR_DEVICE_MISSING,     /* no such device in a domain */
    VGM_ERR_OPERATION_ABORTED,  /* a client aborted the operation */
    VGM_ERR_NO_DOMAIN_METADATA, /* no such <title>, <description> or metadata */
    VGM_ERR_AGENT_UNRESPONSIVE, /* the guest agent is not connected or does
                                 * not answer */
    VGM_ERR_NO_HOSTNAME,        /* no source knows the guest's host name */
    VGM_ERR_OPERATION_DENIED,   /* not allowed on a read-only connection */
    VGM_ERR_NO_DOMAIN_SNAPSHOT, /* no such snapshot of a domain */
    VGM_ERR_CPU_INCOMPATIBLE,   /* a CPU the host cannot provide */
    VGM_ERR_NO_NODE_DEVICE,     /* no such host device */
    VGM_ERR_NO_INTERFACE,       /* no such host network interface */
    VGM_ERR_MULTIPLE_INTERFACES, /* a MAC address of more than one interface */

    VGM_ERR_LAST
} VgmErrorCode;

VGM_ENUM_DECL(vgmErrorCode);

/* libvirt's error codes (virErrorNumber) that ours are sent as, and those
 * the daemon's RPC layer sends of its own. */
enum {
    VGM_LV_ERR_INTERNAL = 1,
    VGM_LV_ERR_NO_SUPPORT = 3,
    VGM_LV_ERR_INVALID_ARG = 8,
    VGM_LV_ERR_OPERATION_FAILED = 9,
    VGM_LV_ERR_XML = 27,
    VGM_LV_ERR_OPERATION_DENIED = 29,
    VGM_LV_ERR_SYSTEM = 38,
    VGM_LV_ERR_RPC = 39,
    VGM_LV_ERR_NO_DOMAIN = 42,
    VGM_LV_ERR_NO_NETWORK = 43,
    VGM_LV_ERR_NO_STORAGE_POOL = 49,
    VGM_LV_ERR_NO_STORAGE_VOL = 50,
    VGM_LV_ERR_NO_NODE_DEVICE = 53,
    VGM_LV_ERR_OPERATION_INVALID = 55,
    VGM_LV_ERR_NO_INTERFACE = 57,
    VGM_LV_ERR_MULTIPLE_INTERFACES = 59,
    VGM_LV_ERR_INVALID_SECRET = 65,
    VGM_LV_ERR_NO_SECRET = 66,
    VGM_LV_ERR_CONFIG_UNSUPPORTED = 67,
    VGM_LV_ERR_OPERATION_TIMEOUT = 68,
    VGM_LV_ERR_NO_DOMAIN_SNAPSHOT = 72,
    VGM_LV_ERR_ARGUMENT_UNSUPPORTED = 74,
    VGM_LV_ERR_OPERATION_ABORTED = 78,
    VGM_LV_ERR_NO_DOMAIN_METADATA = 80,
    VGM_LV_ERR_OPERATION_UNSUPPORTED = 84,
    VGM_LV_ERR_AGENT_UNRESPONSIVE = 86,
    VGM_LV_ERR_CPU_INCOMPATIBLE = 91,
    VGM_LV_ERR_DEVICE_MISSING = 99,
    VGM_LV_ERR_NO_HOSTNAME = 108,
};

/* The libvirt error code an error of @code reaches libvirt's clients as */
int vgmErrorLibvirtCode(VgmErrorCode code);

/* How libvirt words an error of @libvirtCode around its detail
 * (translated, with one "%s"): "internal error: %s", or "%s" alone */
const char *vgmErrorLibvirtFormat(int libvirtCode);

/* @err's message as libvirt's clients print it: libvirt's wording of its
 * code around it (an error of another domain than VGM_ERROR as it is),
 * its control characters escaped */
char *vgmErrorLibvirtMessage(const GError *err);

/*
 * @str fit to be shown inside a message: new line, carriage return and tab
 * as \n, \r and \t, the other C0 controls and DEL as \xNN, the C1 controls
 * (U+0080 to U+009F) as \u00NN and each byte that is not UTF-8 as \xNN;
 * the rest, backslashes included, unchanged. Escaping twice gives the same
 * text as escaping once. NULL gives NULL.
 */
char *vgmErrorEscape(const char *str);

/* Sets *error (if error is non-NULL) with a printf-style message, its
 * control characters escaped (vgmErrorEscape). */
void vgmErrorSet(GError **error, VgmErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Like vgmErrorSet, appending ": strerror(errnum)". */
void vgmErrorSetSystem(GError **error, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
