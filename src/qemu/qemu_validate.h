/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_validate.h: validation that needs to know the QEMU binary: rules 9
 * to 12 of the specification (a guest_memfd spelling exists, hugetlb
 * guest_memfd, live update, libvirt's QEMU checks), and the table of the
 * devices controllers become. Each error names the capability the binary
 * lacks.
 */
#pragma once

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"

/* Whether interface @net may have its <bandwidth>: tc on a tap the driver
 * makes (type ethernet, bridge or network, not on an Open vSwitch
 * port), as a start and a change of it check */
gboolean vgmQemuValidateNetBandwidth(const VgmNetDef *net, GError **error);

gboolean vgmQemuValidateDomain(const VgmDomainDef *def, const VgmQemuCaps *caps,
                               GError **error);

/* What a define checks against the binary, as libvirt's does: it runs
 * the domain's architecture, has its machine type, and the machine type
 * takes its vCPUs */
gboolean vgmQemuValidateMachineType(const VgmDomainDef *def, const VgmQemuCaps *caps,
                                    GError **error);

/* The guest_memfd way this binary offers for @def (rule 9, 10, 11): which
 * backend spelling, and whether the confidential-guest object carries
 * convert-in-place. VGM_QEMU_GMEM_NONE when @def needs no guest_memfd. */
typedef struct {
    int spelling;               /* VgmQemuGmemSpelling */
    gboolean convertInPlace;
    gboolean hugetlb;           /* gmem-allocator=hugetlb on the cgs object */
    unsigned long long pageKiB; /* gmem-page-size */
} VgmQemuGmemChoice;

gboolean vgmQemuChooseGuestMemfd(const VgmDomainDef *def, const VgmQemuCaps *caps,
                                 VgmQemuGmemChoice *choice, GError **error);

/*
 * What a <controller> becomes on QEMU: the one table of controller models
 * and their devices, read by validation (the device must be in the
 * capability set) and by the command line. Every (type, model) the parser
 * accepts has a line; @model NULL is the line for no model attribute.
 */
typedef struct {
    const char *type;           /* <controller type> */
    const char *model;          /* <controller model>, NULL: none given */
    const char *device;         /* the -device driver; NULL: QEMU's machine
                                 * has it built in, nothing is emitted */
    VgmQemuCapsFlag flag;       /* how @device is probed (unused for NULL) */
} VgmQemuControllerDevice;

/* The line for @type and @model (nullable), or NULL if the table has none. */
/* The line for @c: the one its <model name> names among its model's, the
 * model's first without one; NULL when neither exists */
const VgmQemuControllerDevice *vgmQemuControllerDeviceFor(const VgmControllerDef *c);
const VgmQemuControllerDevice *vgmQemuControllerDeviceFind(const char *type,
                                                           const char *model);

/* The hugepage size (KiB) for guest NUMA node @cell (-1: main RAM), or 0. */
unsigned long long vgmQemuHugepageForNode(const VgmDomainDef *def, int cell);

/* The -device driver of an input of @type on @bus (NULL for PS/2: the
 * machine's own), from the one table validation also reads. */
const char *vgmQemuInputDevice(VgmInputType type, VgmInputBus bus);

/* The device whose disable_s3 / disable_s4 <pm> sets with -global on
 * machine type @machine: ICH9-LPC on q35, PIIX4_PM on the PC; NULL
 * elsewhere. @flag: how the device is probed. */
/* The QEMU device of a sound model, and of an HDA codec. */
/* How a video model's sizes reach its QEMU device. */
typedef enum {
    VGM_QEMU_VIDEO_MEM_NONE = 0,
    VGM_QEMU_VIDEO_MEM_VGAMEM_MB,      /* vgamem_mb = vram / 1024 */
    VGM_QEMU_VIDEO_MEM_VGAMEM_BYTES,   /* vgamem = vram in bytes */
    VGM_QEMU_VIDEO_MEM_QXL,            /* ram_size, vram_size, vram64_size_mb, vgamem_mb */
} VgmQemuVideoMem;

/* libvirt's QEMU devices for a <video> model. */
typedef struct {
    const char *model;
    const char *primary;        /* the first video device; NULL: none */
    VgmQemuCapsFlag primaryFlag;
    const char *secondary;      /* a further one */
    VgmQemuCapsFlag secondaryFlag;
    VgmQemuVideoMem mem;
    gboolean outputs;           /* max_outputs = heads */
} VgmQemuVideoDevice;

const VgmQemuVideoDevice *vgmQemuVideoDeviceFind(const char *model);

const char *vgmQemuSoundDevice(VgmSoundModel model);
const char *vgmQemuSoundCodecDevice(VgmSoundCodec codec);
/* TRUE for the PC (i440fx) machine types and their aliases. */
gboolean vgmQemuMachineIsPC(const char *machine);
const char *vgmQemuPmDevice(const char *machine, VgmQemuCapsFlag *flag);
/* Whether @caps' kvm-pit has the lost_tick_policy property <timer
 * name='pit'> sets (libvirt writes it only then) */
gboolean vgmQemuCapsHasPitTickPolicy(const VgmQemuCaps *caps);
