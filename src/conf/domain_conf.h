/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf.h: the domain definition.
 *
 * The subset of libvirt's domain XML that a guest_memfd or confidential VM
 * needs (and what OpenStack Nova writes for any instance: SMBIOS strings,
 * vmcoreinfo, disk cache modes, chardev logs), with libvirt's spellings,
 * plus the virt-gmem extension
 * (memoryBacking source 'guestmemfd', memoryBacking <liveUpdate/>,
 * launchSecurity inPlaceConversion). Memory sizes are kept in KiB, as
 * libvirt keeps them. Parsing is split by concern across domain_*.c files;
 * each parses and formats its own elements.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "util/vgmenum.h"
#include "util/vgmbitmap.h"
#include "util/vgmxml.h"

/* The source of a network image (a disk, a disk's backing image, the
 * UEFI varstore) */
typedef struct _VgmDiskNetSource VgmDiskNetSource;

/* ---------------- limits (README, "Limits") ---------------- */

/* Checked first by generic validation (domain_validate.c). */
#define VGM_DOMAIN_MAX_NUMA_CELLS 128   /* QEMU's MAX_NODES */
#define VGM_DOMAIN_MAX_DEVICES 4096     /* of each kind of <devices> child */
#define VGM_DOMAIN_MAX_ISA_SERIALS 4    /* QEMU's MAX_ISA_SERIAL_PORTS */
/* QEMU's ISA parallel ports (MAX_PARALLEL_PORTS) */
#define VGM_DOMAIN_MAX_PARALLELS 3

/* ---------------- top level ---------------- */

typedef enum {
    VGM_DOMAIN_VIRT_QEMU,
    VGM_DOMAIN_VIRT_KVM,

    VGM_DOMAIN_VIRT_LAST
} VgmDomainVirtType;
VGM_ENUM_DECL(vgmDomainVirt);

typedef enum {
    VGM_DOMAIN_LIFECYCLE_DEFAULT = 0,
    VGM_DOMAIN_LIFECYCLE_DESTROY,
    VGM_DOMAIN_LIFECYCLE_RESTART,
    VGM_DOMAIN_LIFECYCLE_RESTART_RENAME,
    VGM_DOMAIN_LIFECYCLE_PRESERVE,
    VGM_DOMAIN_LIFECYCLE_COREDUMP_DESTROY,
    VGM_DOMAIN_LIFECYCLE_COREDUMP_RESTART,

    VGM_DOMAIN_LIFECYCLE_LAST
} VgmDomainLifecycleAction;

/* What a lifecycle action answers, in libvirt's numbering
 * (virDomainLifecycle): <on_poweroff>, <on_reboot>, <on_crash> */
typedef enum {
    VGM_DOMAIN_LIFECYCLE_EVENT_POWEROFF = 0,
    VGM_DOMAIN_LIFECYCLE_EVENT_REBOOT,
    VGM_DOMAIN_LIFECYCLE_EVENT_CRASH,

    VGM_DOMAIN_LIFECYCLE_EVENT_LAST
} VgmDomainLifecycleEvent;
VGM_ENUM_DECL(vgmDomainLifecycleAction);

/* ---------------- memory ---------------- */

typedef enum {
    VGM_DOMAIN_MEMORY_SOURCE_NONE = 0, /* no <source> element */
    VGM_DOMAIN_MEMORY_SOURCE_FILE,
    VGM_DOMAIN_MEMORY_SOURCE_ANONYMOUS,
    VGM_DOMAIN_MEMORY_SOURCE_MEMFD,
    VGM_DOMAIN_MEMORY_SOURCE_GUESTMEMFD, /* extension */

    VGM_DOMAIN_MEMORY_SOURCE_LAST
} VgmDomainMemorySource;
VGM_ENUM_DECL(vgmDomainMemorySource);

typedef enum {
    VGM_DOMAIN_MEMORY_ACCESS_DEFAULT = 0,
    VGM_DOMAIN_MEMORY_ACCESS_SHARED,
    VGM_DOMAIN_MEMORY_ACCESS_PRIVATE,

    VGM_DOMAIN_MEMORY_ACCESS_LAST
} VgmDomainMemoryAccess;
VGM_ENUM_DECL(vgmDomainMemoryAccess);

typedef enum {
    VGM_DOMAIN_MEMORY_ALLOCATION_NONE = 0,
    VGM_DOMAIN_MEMORY_ALLOCATION_IMMEDIATE,
    VGM_DOMAIN_MEMORY_ALLOCATION_ONDEMAND,

    VGM_DOMAIN_MEMORY_ALLOCATION_LAST
} VgmDomainMemoryAllocation;
VGM_ENUM_DECL(vgmDomainMemoryAllocation);

typedef struct {
    unsigned long long size; /* KiB */
    VgmBitmap *nodemask;     /* NULL: all guest NUMA nodes */
} VgmDomainHugePage;

typedef struct {
    VgmDomainHugePage *hugepages;
    size_t nhugepages;
    gboolean hasHugepages;    /* <hugepages> present (possibly with no <page>) */
    gboolean nosharepages;
    gboolean locked;
    VgmDomainMemorySource source;
    VgmDomainMemoryAccess access;
    VgmDomainMemoryAllocation allocation;
    unsigned int allocationThreads; /* 0: not set */
    VgmTristate discard;      /* libvirt writes <discard/> for yes */
    gboolean liveUpdate;      /* extension */
} VgmDomainMemoryBacking;

typedef enum {
    VGM_DOMAIN_NUMATUNE_MEM_STRICT = 0,
    VGM_DOMAIN_NUMATUNE_MEM_PREFERRED,
    VGM_DOMAIN_NUMATUNE_MEM_INTERLEAVE,
    VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE,

    VGM_DOMAIN_NUMATUNE_MEM_LAST
} VgmDomainNumatuneMemMode;
VGM_ENUM_DECL(vgmDomainNumatuneMemMode);

typedef enum {
    VGM_DOMAIN_NUMATUNE_PLACEMENT_DEFAULT = 0,
    VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC,
    VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO,

    VGM_DOMAIN_NUMATUNE_PLACEMENT_LAST
} VgmDomainNumatunePlacement;
VGM_ENUM_DECL(vgmDomainNumatunePlacement);

typedef struct {
    unsigned int cellid;
    VgmDomainNumatuneMemMode mode;
    gboolean modeSet;
    VgmBitmap *nodeset;
} VgmDomainNumatuneMemNode;

typedef struct {
    gboolean present;          /* <numatune> given */
    gboolean memorySet;        /* <memory> given */
    VgmDomainNumatuneMemMode mode;
    gboolean modeSet;
    VgmDomainNumatunePlacement placement;
    VgmBitmap *nodeset;
    VgmDomainNumatuneMemNode *memnodes;
    size_t nmemnodes;
} VgmDomainNumatune;

/* ---------------- resource controls (<cputune>, <memtune>, <blkiotune>) ---------------- */

/* <vcpusched scheduler>, <emulatorsched scheduler>: a thread's policy */
typedef enum {
    VGM_DOMAIN_SCHED_BATCH,
    VGM_DOMAIN_SCHED_IDLE,
    VGM_DOMAIN_SCHED_FIFO,
    VGM_DOMAIN_SCHED_RR,

    VGM_DOMAIN_SCHED_LAST
} VgmDomainSchedPolicy;
VGM_ENUM_DECL(vgmDomainSchedPolicy);

typedef struct {
    VgmBitmap *vcpus;          /* <vcpusched vcpus>; NULL for the emulator */
    VgmDomainSchedPolicy policy;
    int priority;              /* fifo and rr only */
} VgmDomainSched;

/* <iothreadids><iothread>: one of QEMU's I/O threads (an iothread
 * object), with its <cputune> pin and scheduler */
typedef struct {
    unsigned int id;            /* > 0; QEMU's object is iothread<id> */
    int poolMin;                /* thread_pool_min, -1: not given */
    int poolMax;                /* thread_pool_max, -1: not given */
    gboolean autofill;          /* made up for <iothreads>, not listed */
    VgmBitmap *cpumask;         /* <iothreadpin>, NULL: none */
    VgmDomainSched *sched;      /* <iothreadsched>, NULL: none */
} VgmDomainIOThread;

/* The XML namespace of libvirt's QEMU driver's own elements */
#define VGM_DOMAIN_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* <qemu:env name value>: value NULL for none given (an empty string) */
typedef struct {
    char *name;
    char *value;
} VgmDomainQemuEnv;

/* <idmap>: a container's user and group ID maps, which libvirt's QEMU
 * driver keeps and does not apply */
typedef struct {
    unsigned int start;
    unsigned int target;
    unsigned int count;
} VgmDomainIdMapEntry;

/* libvirt's ranges of <cputune>'s bandwidth controls (microseconds) */
#define VGM_CPUTUNE_PERIOD_MIN 1000ULL
#define VGM_CPUTUNE_PERIOD_MAX 1000000ULL
#define VGM_CPUTUNE_QUOTA_MIN 1000LL
#define VGM_CPUTUNE_QUOTA_MAX 17592186044415LL
#define VGM_CPUTUNE_SHARES_MIN 2ULL
#define VGM_CPUTUNE_SHARES_MAX 262144ULL

/* The CPU bandwidth controls of <cputune>, in microseconds. 0: not given;
 * a negative quota: no limit, as libvirt has it. */
typedef struct {
    unsigned long long shares;
    unsigned long long period;           /* each vCPU */
    long long quota;
    unsigned long long globalPeriod;     /* the whole domain */
    long long globalQuota;
    unsigned long long emulatorPeriod;   /* QEMU's other threads */
    long long emulatorQuota;
    unsigned long long iothreadPeriod;   /* each I/O thread */
    long long iothreadQuota;
    GPtrArray *vcpusched;                /* VgmDomainSched */
    VgmDomainSched *emulatorsched;
} VgmDomainCputune;

/* <memtune>, KiB; VGM_MEMTUNE_UNLIMITED when not given (libvirt's
 * VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: a value that large is no limit) */
#define VGM_MEMTUNE_UNLIMITED 9007199254740991ULL
typedef struct {
    unsigned long long hardLimit;
    unsigned long long softLimit;
    unsigned long long swapHardLimit;
} VgmDomainMemtune;

typedef struct {
    char *path;
    unsigned int weight;                 /* 0: not given */
    unsigned int readIops;
    unsigned int writeIops;
    unsigned long long readBytes;
    unsigned long long writeBytes;
} VgmDomainBlkioDevice;

typedef struct {
    unsigned int weight;                 /* 0: not given */
    VgmDomainBlkioDevice *devices;
    size_t ndevices;
} VgmDomainBlkiotune;

/* ---------------- vcpu and cpu ---------------- */

typedef enum {
    VGM_DOMAIN_CPU_PLACEMENT_DEFAULT = 0,
    VGM_DOMAIN_CPU_PLACEMENT_STATIC,
    VGM_DOMAIN_CPU_PLACEMENT_AUTO,

    VGM_DOMAIN_CPU_PLACEMENT_LAST
} VgmDomainCpuPlacement;
VGM_ENUM_DECL(vgmDomainCpuPlacement);

typedef enum {
    VGM_CPU_MODE_CUSTOM = 0,
    VGM_CPU_MODE_HOST_MODEL,
    VGM_CPU_MODE_HOST_PASSTHROUGH,
    VGM_CPU_MODE_MAXIMUM,

    VGM_CPU_MODE_LAST
} VgmCpuMode;
VGM_ENUM_DECL(vgmCpuMode);

typedef enum {
    VGM_CPU_MATCH_DEFAULT = 0,
    VGM_CPU_MATCH_MINIMUM,
    VGM_CPU_MATCH_EXACT,
    VGM_CPU_MATCH_STRICT,

    VGM_CPU_MATCH_LAST
} VgmCpuMatch;
VGM_ENUM_DECL(vgmCpuMatch);

typedef enum {
    VGM_CPU_CHECK_DEFAULT = 0,
    VGM_CPU_CHECK_NONE,
    VGM_CPU_CHECK_PARTIAL,
    VGM_CPU_CHECK_FULL,

    VGM_CPU_CHECK_LAST
} VgmCpuCheck;
VGM_ENUM_DECL(vgmCpuCheck);

typedef enum {
    VGM_CPU_FALLBACK_DEFAULT = 0,
    VGM_CPU_FALLBACK_ALLOW,
    VGM_CPU_FALLBACK_FORBID,

    VGM_CPU_FALLBACK_LAST
} VgmCpuFallback;
VGM_ENUM_DECL(vgmCpuFallback);

/* <cpu><cache mode=''> */
typedef enum {
    VGM_CPU_CACHE_NONE = 0,
    VGM_CPU_CACHE_EMULATE,
    VGM_CPU_CACHE_PASSTHROUGH,
    VGM_CPU_CACHE_DISABLE,

    VGM_CPU_CACHE_LAST
} VgmCpuCacheMode;
VGM_ENUM_DECL(vgmCpuCacheMode);

/* <cpu><maxphysaddr mode=''> */
typedef enum {
    VGM_CPU_PHYS_NONE = 0,
    VGM_CPU_PHYS_EMULATE,
    VGM_CPU_PHYS_PASSTHROUGH,

    VGM_CPU_PHYS_LAST
} VgmCpuPhysMode;
VGM_ENUM_DECL(vgmCpuPhysMode);

/* <sibling id='' value=''/> of a NUMA cell's <distances> */
typedef struct {
    unsigned int sibling;
    unsigned int value;
} VgmNumaDistance;

typedef enum {
    VGM_CPU_FEATURE_FORCE = 0,
    VGM_CPU_FEATURE_REQUIRE,
    VGM_CPU_FEATURE_OPTIONAL,
    VGM_CPU_FEATURE_DISABLE,
    VGM_CPU_FEATURE_FORBID,

    VGM_CPU_FEATURE_LAST
} VgmCpuFeaturePolicy;
VGM_ENUM_DECL(vgmCpuFeaturePolicy);

typedef struct {
    char *name;
    VgmCpuFeaturePolicy policy;
} VgmCpuFeature;

/* ACPI HMAT: a NUMA cell's memory-side cache, and the latency or
 * bandwidth from an initiator cell to a target cell (or its cache) */
typedef enum {
    VGM_NUMA_CACHE_ASSOC_NONE = 0,
    VGM_NUMA_CACHE_ASSOC_DIRECT,
    VGM_NUMA_CACHE_ASSOC_FULL,

    VGM_NUMA_CACHE_ASSOC_LAST
} VgmNumaCacheAssoc;
VGM_ENUM_DECL(vgmNumaCacheAssoc);

typedef enum {
    VGM_NUMA_CACHE_POLICY_NONE = 0,
    VGM_NUMA_CACHE_POLICY_WRITEBACK,
    VGM_NUMA_CACHE_POLICY_WRITETHROUGH,

    VGM_NUMA_CACHE_POLICY_LAST
} VgmNumaCachePolicy;
VGM_ENUM_DECL(vgmNumaCachePolicy);

typedef struct {
    unsigned int level;         /* 1 to 3 */
    VgmNumaCacheAssoc assoc;
    VgmNumaCachePolicy policy;
    unsigned long long size;    /* KiB */
    unsigned long long line;    /* bytes, 0: not given */
} VgmNumaCache;

typedef enum {
    VGM_NUMA_ACCESS_NONE = 0,   /* not a value */
    VGM_NUMA_ACCESS_ACCESS,
    VGM_NUMA_ACCESS_READ,
    VGM_NUMA_ACCESS_WRITE,

    VGM_NUMA_ACCESS_LAST
} VgmNumaAccess;
VGM_ENUM_DECL(vgmNumaAccess);

typedef struct {
    gboolean bandwidth;         /* <bandwidth> (KiB/s), else <latency> (ns) */
    unsigned int initiator;     /* a cell with CPUs */
    unsigned int target;
    unsigned int cache;         /* the target's cache level, 0: its memory */
    VgmNumaAccess type;
    unsigned long long value;
} VgmNumaInterconnect;

typedef struct {
    unsigned int id;
    VgmBitmap *cpus;            /* NULL for a memory-only node */
    unsigned long long mem;     /* KiB */
    VgmDomainMemoryAccess memAccess;
    VgmTristate discard;
    VgmNumaDistance *distances; /* <distances>, in document order */
    size_t ndistances;
    VgmNumaCache *caches;       /* <cache>, in document order */
    size_t ncaches;
} VgmDomainNumaCell;

typedef struct {
    VgmCpuMode mode;
    VgmCpuMatch match;
    VgmCpuCheck check;
    VgmTristate migratable;     /* on/off */
    char *model;
    VgmCpuFallback fallback;
    char *vendor;               /* <vendor>: what a check requires of the
                                 * host CPU ("Intel", "AMD"), or NULL */
    char *vendorId;             /* <model vendor_id>: the guest's CPUID
                                 * vendor string (12 characters), or NULL */
    /* topology: all zero when absent */
    unsigned int sockets;
    unsigned int dies;
    unsigned int clusters;
    unsigned int cores;
    unsigned int threads;
    VgmCpuCacheMode cacheMode;
    unsigned int cacheLevel;    /* 0: none given */
    VgmCpuPhysMode physMode;
    unsigned int physBits;      /* emulate: the guest's address bits */
    unsigned int physLimit;     /* passthrough: at most this many, 0: no limit */
    VgmCpuFeature *features;
    size_t nfeatures;
    VgmDomainNumaCell *cells;
    size_t ncells;
    VgmNumaInterconnect *interconnects; /* <numa><interconnects> */
    size_t ninterconnects;
} VgmCpuDef;

/* ---------------- os, features, clock ---------------- */

typedef enum {
    VGM_OS_FIRMWARE_NONE = 0,
    VGM_OS_FIRMWARE_BIOS,
    VGM_OS_FIRMWARE_EFI,

    VGM_OS_FIRMWARE_LAST
} VgmOsFirmware;
VGM_ENUM_DECL(vgmOsFirmware);

typedef enum {
    VGM_LOADER_TYPE_NONE = 0,
    VGM_LOADER_TYPE_ROM,
    VGM_LOADER_TYPE_PFLASH,

    VGM_LOADER_TYPE_LAST
} VgmLoaderType;
VGM_ENUM_DECL(vgmLoaderType);

typedef enum {
    VGM_BOOT_FLOPPY = 0,
    VGM_BOOT_CDROM,
    VGM_BOOT_DISK,
    VGM_BOOT_NET,

    VGM_BOOT_LAST
} VgmBootDev;
VGM_ENUM_DECL(vgmBootDev); /* fd, cdrom, hd, network */

typedef struct {
    char *name;                 /* e.g. secure-boot, enrolled-keys */
    VgmTristate enabled;
} VgmFirmwareFeature;

typedef enum {
    VGM_SMBIOS_NONE = 0,        /* no <smbios> element */
    VGM_SMBIOS_EMULATE,
    VGM_SMBIOS_HOST,
    VGM_SMBIOS_SYSINFO,

    VGM_SMBIOS_LAST
} VgmSmbiosMode;
VGM_ENUM_DECL(vgmSmbiosMode);

typedef struct {
    char *type;                 /* "hvm" */
    char *arch;
    char *machine;
    VgmOsFirmware firmware;
    VgmFirmwareFeature *fwFeatures;
    size_t nfwFeatures;
    char *loader;
    VgmLoaderType loaderType;
    VgmTristate loaderReadonly;
    VgmTristate loaderSecure;
    VgmTristate loaderStateless;
    char *nvram;
    char *nvramTemplate;
    /* <nvram type='file|block'><source file|dev/>: libvirt's newer form
     * (kept as written); block: the varstore is a block device */
    gboolean nvramTyped;
    gboolean nvramBlock;
    /* <nvram type='network'><source protocol=''>: the varstore is a
     * network image (nvram is NULL then) */
    VgmDiskNetSource *nvramNet;
    char *kernel;
    char *initrd;
    char *cmdline;
    char *dtb;                  /* a device tree for the kernel (-dtb) */
    char *slicTable;            /* <acpi><table type='slic'>: a file QEMU adds */
    VgmBootDev *boot;
    size_t nboot;
    VgmSmbiosMode smbiosMode;   /* <smbios mode=.../> */
    VgmTristate bootmenu;       /* <bootmenu enable='yes|no'/> */
    gboolean haveBootmenuTimeout;
    unsigned int bootmenuTimeout; /* ms, with enable='yes' only */
    VgmTristate biosUseserial;  /* <bios useserial=''>: the firmware's
                                 * output on the serial port */
    gboolean haveRebootTimeout;
    int rebootTimeout;          /* <bios rebootTimeout=''>: ms before the
                                 * firmware retries a failed boot, -1: never */
} VgmOsDef;

/* The name of SPICE's agent channel, which its guest agent looks for */
#define VGM_CHR_SPICE_AGENT_NAME "com.redhat.spice.0"

/* Whether <firmware><feature name='@name'> is enabled (ABSENT: not given) */
VgmTristate vgmOsFirmwareFeature(const VgmOsDef *os, const char *name);

typedef enum {
    VGM_FEATURE_ACPI = 0,
    VGM_FEATURE_APIC,
    VGM_FEATURE_PMU,
    VGM_FEATURE_SMM,
    VGM_FEATURE_IOAPIC,
    VGM_FEATURE_VMCOREINFO,
    VGM_FEATURE_PAE,
    VGM_FEATURE_PVSPINLOCK,
    VGM_FEATURE_VMPORT,

    VGM_FEATURE_LAST
} VgmFeature;
VGM_ENUM_DECL(vgmFeature);

typedef enum {
    VGM_HYPERV_MODE_NONE = 0,   /* no <hyperv> */
    VGM_HYPERV_MODE_CUSTOM,
    VGM_HYPERV_MODE_PASSTHROUGH,

    VGM_HYPERV_MODE_LAST
} VgmHypervMode;
VGM_ENUM_DECL(vgmHypervMode);

/* <hyperv> children, in libvirt's order (that of the -cpu options) */
typedef enum {
    VGM_HYPERV_RELAXED = 0,
    VGM_HYPERV_VAPIC,
    VGM_HYPERV_SPINLOCKS,
    VGM_HYPERV_VPINDEX,
    VGM_HYPERV_RUNTIME,
    VGM_HYPERV_SYNIC,
    VGM_HYPERV_STIMER,
    VGM_HYPERV_RESET,
    VGM_HYPERV_VENDOR_ID,
    VGM_HYPERV_FREQUENCIES,
    VGM_HYPERV_REENLIGHTENMENT,
    VGM_HYPERV_TLBFLUSH,
    VGM_HYPERV_IPI,
    VGM_HYPERV_EVMCS,
    VGM_HYPERV_AVIC,

    VGM_HYPERV_LAST
} VgmHypervFeature;
VGM_ENUM_DECL(vgmHypervFeature);

/* <kvm> children, in libvirt's order */
typedef enum {
    VGM_KVM_HIDDEN = 0,
    VGM_KVM_HINT_DEDICATED,
    VGM_KVM_POLL_CONTROL,
    VGM_KVM_PV_IPI,
    VGM_KVM_DIRTY_RING,

    VGM_KVM_LAST
} VgmKvmFeature;
VGM_ENUM_DECL(vgmKvmFeature);

typedef enum {
    VGM_IOAPIC_NONE = 0,
    VGM_IOAPIC_QEMU,
    VGM_IOAPIC_KVM,

    VGM_IOAPIC_LAST
} VgmIoapicDriver;
VGM_ENUM_DECL(vgmIoapicDriver);

typedef struct {
    /* features[f]: ABSENT (not given), YES (given, enabled), NO (off) */
    VgmTristate features[VGM_FEATURE_LAST];
    VgmTristate apicEoi;        /* <apic eoi='on|off'/> */
    VgmIoapicDriver ioapic;
    VgmHypervMode hypervMode;
    VgmTristate hyperv[VGM_HYPERV_LAST]; /* YES on, NO off, ABSENT not given */
    unsigned int hvSpinlockRetries;
    char *hvVendorId;
    VgmTristate hvStimerDirect; /* <stimer><direct state=''/></stimer> */
    gboolean haveKvm;           /* <kvm> given */
    VgmTristate kvm[VGM_KVM_LAST];
    unsigned int dirtyRingSize; /* <dirty-ring size>: entries a vCPU's ring
                                 * of KVM's dirty pages has */
    gboolean haveTcg;           /* <tcg> given */
    unsigned long long tcgTbCacheKiB; /* <tcg><tb-cache>, whole MiB; 0: QEMU's */
    unsigned int tsegMiB;       /* <smm><tseg>: q35's extended TSEG; 0: QEMU's */
    gboolean haveTseg;          /* <tseg> given (0 MiB is a size too) */
} VgmFeatures;

typedef enum {
    VGM_CLOCK_OFFSET_UTC = 0,
    VGM_CLOCK_OFFSET_LOCALTIME,
    VGM_CLOCK_OFFSET_VARIABLE,
    VGM_CLOCK_OFFSET_TIMEZONE,
    VGM_CLOCK_OFFSET_ABSOLUTE,

    VGM_CLOCK_OFFSET_LAST
} VgmClockOffset;
VGM_ENUM_DECL(vgmClockOffset);

typedef struct {
    char *name;                 /* rtc, pit, hpet, kvmclock, tsc, hypervclock */
    VgmTristate present;
    char *tickpolicy;           /* delay, catchup, merge, discard */
    char *track;                /* boot, guest, wall, realtime: the rtc's clock */
    unsigned long long frequency; /* the tsc's, in Hz, or 0 */
} VgmClockTimer;

typedef struct {
    VgmClockOffset offset;
    char *timezone;             /* offset='timezone' */
    long long adjustment;       /* offset='variable' */
    gboolean utcReset;          /* offset utc or localtime, adjustment='reset' */
    char *basis;                /* offset='variable': utc or localtime */
    unsigned long long start;   /* offset='absolute': seconds since the epoch */
    VgmClockTimer *timers;
    size_t ntimers;
} VgmClockDef;

/* ---------------- sysinfo (SMBIOS strings) ---------------- */

/* The blocks of <sysinfo type='smbios'> that hold named entries, each an
 * SMBIOS structure type; their entry names are listed in domain_sysinfo.c
 * (vgmSysinfoBlocks), in libvirt's order, which is also QEMU's key order. */
typedef enum {
    VGM_SYSINFO_BIOS = 0,       /* <bios>, SMBIOS type 0 */
    VGM_SYSINFO_SYSTEM,         /* <system>, type 1 */
    VGM_SYSINFO_BASEBOARD,      /* <baseBoard>, type 2 (may repeat) */
    VGM_SYSINFO_CHASSIS,        /* <chassis>, type 3 */

    VGM_SYSINFO_BLOCK_LAST
} VgmSysinfoBlockType;

/* The most entries a block has (system: 7). */
#define VGM_SYSINFO_MAX_ENTRIES 7

typedef struct {
    VgmSysinfoBlockType type;
    char *values[VGM_SYSINFO_MAX_ENTRIES]; /* by entry index; NULL: absent */
} VgmSysinfoBlock;

/* <sysinfo type='fwcfg'><entry name='opt/...' file=''>VALUE</entry>: a
 * file the firmware configuration device shows the guest */
typedef struct {
    char *name;
    char *value;                /* the text, or NULL */
    char *file;                 /* the host file QEMU reads, or NULL */
} VgmFwCfgEntry;

typedef struct {
    GPtrArray *fwCfgs;          /* type='fwcfg': VgmFwCfgEntry; NULL for
                                 * type='smbios', which the rest is */
    VgmSysinfoBlock *bios;      /* NULL: none (or all entries empty) */
    VgmSysinfoBlock *system;
    GPtrArray *baseBoards;      /* VgmSysinfoBlock */
    VgmSysinfoBlock *chassis;
    GStrv oemStrings;           /* NULL: no <oemStrings>; "" entries kept */
} VgmSysinfoDef;

/* The SMBIOS structure type of a block type. */
unsigned int vgmSysinfoBlockSmbiosType(VgmSysinfoBlockType type);
/* The entry names of @type, NULL-terminated, indexing values[]. */
const char *const *vgmSysinfoBlockEntries(VgmSysinfoBlockType type);
/* Whether QEMU's -smbios for @type always carries entry @idx (libvirt
 * writes "manufacturer=" for type 2 and 3 even when it is unset). */
gboolean vgmSysinfoBlockEntryAlways(VgmSysinfoBlockType type, size_t idx);

/* ---------------- launch security ---------------- */

typedef enum {
    VGM_LAUNCH_SECURITY_NONE = 0,
    VGM_LAUNCH_SECURITY_SEV,
    VGM_LAUNCH_SECURITY_SEV_SNP,
    VGM_LAUNCH_SECURITY_TDX,
    VGM_LAUNCH_SECURITY_S390_PV,

    VGM_LAUNCH_SECURITY_LAST
} VgmLaunchSecurityType;
VGM_ENUM_DECL(vgmLaunchSecurity);

typedef struct {
    VgmLaunchSecurityType type;
    VgmTristate inPlaceConversion;  /* extension (sev-snp, tdx) */
    /* sev and sev-snp */
    gboolean haveCbitpos;
    unsigned int cbitpos;
    gboolean haveReducedPhysBits;
    unsigned int reducedPhysBits;
    VgmTristate kernelHashes;
    gboolean havePolicy;
    unsigned long long policy;      /* sev: 32 bit; sev-snp, tdx: 64 bit */
    /* sev */
    char *dhCert;
    char *session;
    /* sev-snp */
    VgmTristate authorKey;
    VgmTristate vcek;
    char *guestVisibleWorkarounds;
    char *idBlock;
    char *idAuth;
    char *hostData;
    /* tdx */
    char *mrConfigId;
    char *mrOwner;
    char *mrOwnerConfig;
    gboolean haveQGS;               /* <quoteGenerationService/> */
    char *qgsPath;
} VgmLaunchSecurityDef;

/* ---------------- devices ---------------- */

typedef enum {
    VGM_ADDRESS_NONE = 0,
    VGM_ADDRESS_PCI,
    VGM_ADDRESS_DRIVE,
    VGM_ADDRESS_DIMM,
    VGM_ADDRESS_USB,
    VGM_ADDRESS_VIRTIO_SERIAL,
    VGM_ADDRESS_ISA,            /* an ISA device's I/O port and IRQ: serial ports, panic */
    VGM_ADDRESS_CCID,           /* a smartcard's reader: controller, slot */

    VGM_ADDRESS_LAST
} VgmAddressType;
VGM_ENUM_DECL(vgmAddress);

/* "1.2.3.4": a port behind at most three hubs, as libvirt allows; the
 * text with its NUL fits VGM_USB_PORT_MAX */
#define VGM_USB_PORT_MAX 10
#define VGM_USB_MAX_DEPTH 4
/* the ports of a USB hub (QEMU's usb-hub, libvirt's count) */
#define VGM_USB_HUB_PORTS 8

/* A device's QEMU id with its NUL: a user alias ('ua-' prefix) may be
 * at most VGM_DEVICE_ALIAS_MAX - 1 bytes long */
#define VGM_DEVICE_ALIAS_MAX 128
#define VGM_DEVICE_USER_ALIAS_PREFIX "ua-"

typedef struct {
    VgmAddressType type;
    /* pci */
    unsigned int domain, bus, slot, function;
    VgmTristate multifunction;
    /* drive; virtio-serial: controller, drivebus (its bus) and unit (its
     * port) */
    unsigned int controller, drivebus, target, unit;
    /* dimm: slot is shared with pci's slot */
    unsigned long long base;
    /* usb: the controller's index and the port, dotted through hubs
     * ("1", "2.1"); bus is shared with pci's bus */
    char port[VGM_USB_PORT_MAX];
    /* isa: iobase (I/O port) and irq, each when given */
    gboolean haveIobase, haveIrq;
    unsigned int iobase, irq;
    /* <acpi index=''/> beside the address: the PCI device's ACPI index
     * (the guest's onboard name), 0: none */
    unsigned int acpiIndex;
} VgmDeviceAddress;

typedef enum {
    VGM_DISK_TYPE_FILE = 0,
    VGM_DISK_TYPE_BLOCK,
    VGM_DISK_TYPE_NETWORK,
    VGM_DISK_TYPE_VHOSTUSER,    /* a vhost-user-blk server's socket (src) */
    VGM_DISK_TYPE_DIR,          /* a host directory as a read-only FAT disk
                                 * (QEMU's vvfat; driver type 'fat') */

    VGM_DISK_TYPE_LAST
} VgmDiskType;
VGM_ENUM_DECL(vgmDiskType);

/* <disk type='network'><source protocol=''>: the ones QEMU's nbd and curl
 * drivers serve (libvirt's others are refused by name) */
typedef enum {
    VGM_DISK_PROTOCOL_NONE = 0,
    VGM_DISK_PROTOCOL_NBD,
    VGM_DISK_PROTOCOL_HTTP,
    VGM_DISK_PROTOCOL_HTTPS,
    VGM_DISK_PROTOCOL_FTP,
    VGM_DISK_PROTOCOL_FTPS,
    VGM_DISK_PROTOCOL_ISCSI,
    VGM_DISK_PROTOCOL_RBD,
    VGM_DISK_PROTOCOL_GLUSTER,
    VGM_DISK_PROTOCOL_NFS,

    VGM_DISK_PROTOCOL_LAST
} VgmDiskProtocol;
VGM_ENUM_DECL(vgmDiskProtocol);

/* One <host> of a network disk's <source> */
typedef struct {
    char *name;                 /* <host name=''>; NULL for a unix socket */
    unsigned int port;          /* the protocol's default filled in; 0: none
                                 * (rbd without one, nfs, which has none) */
    char *socket;               /* <host transport='unix' socket=''>: nbd, gluster */
} VgmDiskNetHost;

void vgmDiskNetHostFree(VgmDiskNetHost *host);

/* <auth username=''><secret type='' uuid=''|usage=''/></auth> of a
 * network disk: the secret the driver hands QEMU when the domain starts */
typedef struct {
    char *username;
    char *secretType;           /* 'ceph' (rbd) or 'iscsi' (iscsi) */
    gboolean byUUID;            /* the secret is named by uuid, else by usage */
    unsigned char uuid[16];
    char *usage;                /* the secret's usage id */
    gboolean inDisk;            /* given in <disk>, not in its <source> (kept so) */
} VgmDiskAuth;

/* <encryption format='' engine=''><secret type='passphrase' uuid=''|usage=''/>
 * </encryption> of a disk image: how QEMU decrypts it, with the secret
 * (of usage 'volume') that holds its passphrase */
typedef enum {
    VGM_DISK_ENCRYPTION_FORMAT_DEFAULT = 0,     /* 'default': qcow's old AES */
    VGM_DISK_ENCRYPTION_FORMAT_QCOW,            /* qcow's old AES, by name */
    VGM_DISK_ENCRYPTION_FORMAT_LUKS,
    VGM_DISK_ENCRYPTION_FORMAT_LUKS2,

    VGM_DISK_ENCRYPTION_FORMAT_LAST
} VgmDiskEncryptionFormat;
VGM_ENUM_DECL(vgmDiskEncryptionFormat);

typedef enum {
    VGM_DISK_ENCRYPTION_ENGINE_DEFAULT = 0,     /* not given: 'qemu' after the post-parse */
    VGM_DISK_ENCRYPTION_ENGINE_QEMU,            /* QEMU's luks driver or qcow2's encrypt */
    VGM_DISK_ENCRYPTION_ENGINE_LIBRBD,          /* Ceph's librbd, for an rbd image */

    VGM_DISK_ENCRYPTION_ENGINE_LAST
} VgmDiskEncryptionEngine;
VGM_ENUM_DECL(vgmDiskEncryptionEngine);

typedef struct {
    VgmDiskEncryptionFormat format;
    VgmDiskEncryptionEngine engine;
    gboolean byUUID;            /* the secret is named by uuid, else by usage */
    unsigned char uuid[16];
    char *usage;                /* the secret's usage id (its volume's path) */
    gboolean inDisk;            /* given in <disk>, not in its <source> (kept so) */
} VgmDiskEncryption;

void vgmDiskEncryptionFree(VgmDiskEncryption *enc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDiskEncryption, vgmDiskEncryptionFree)

/* The source of a network disk */
struct _VgmDiskNetSource {
    VgmDiskProtocol protocol;
    char *name;                 /* <source name=''>: nbd's export, curl's path,
                                 * iscsi's target[/lun], rbd's pool/image,
                                 * gluster's volume/path, nfs's path */
    GPtrArray *hosts;           /* VgmDiskNetHost, in order: one, or for rbd
                                 * any number and for gluster one or more */
    VgmTristate sslVerify;      /* <ssl verify=''/>: https, ftps */
    char *query;                /* http, https: <source query=''>, the URL's query */
    GPtrArray *cookies;         /* http, https: <cookies><cookie name=''>VALUE</cookie>,
                                 * name and value in turn (char *); NULL: none.
                                 * Secret: a dump without the secure flag
                                 * leaves them out, as libvirt's does */
    unsigned long long readahead;   /* <readahead size=''/>, bytes; 0: none */
    unsigned long long timeout;     /* <timeout seconds=''/>; 0: none */
    char *snapshot;             /* rbd: <snapshot name=''/> */
    char *config;               /* rbd: <config file=''/>, the Ceph configuration */
    char *nfsUser;              /* nfs: <identity user='' group=''/>, a name or +ID */
    char *nfsGroup;
    char *initiator;            /* iscsi: <initiator><iqn name=''/></initiator> */
    VgmTristate tls;            /* nbd: <source tls=''> */
    char *tlsHostname;          /* nbd: <source tlsHostname=''> */
    VgmDiskAuth *auth;          /* rbd, iscsi: <auth> */
};

/* The first host of @net (every protocol but rbd has one) */
static inline const VgmDiskNetHost *
vgmDiskNetFirstHost(const VgmDiskNetSource *net)
{
    return net->hosts->len ? g_ptr_array_index(net->hosts, 0) : NULL;
}

typedef enum {
    VGM_DISK_DEVICE_DISK = 0,
    VGM_DISK_DEVICE_CDROM,
    VGM_DISK_DEVICE_FLOPPY,

    VGM_DISK_DEVICE_LAST
} VgmDiskDevice;

/* <source startupPolicy=''>: what a start does when a local source is
 * missing: fail (mandatory, and requisite, which only a restore or
 * migration would drop), or drop it (optional: a CD-ROM or floppy is
 * started empty, a disk without the disk) */
typedef enum {
    VGM_DISK_STARTUP_DEFAULT = 0,
    VGM_DISK_STARTUP_MANDATORY,
    VGM_DISK_STARTUP_REQUISITE,
    VGM_DISK_STARTUP_OPTIONAL,

    VGM_DISK_STARTUP_LAST
} VgmDiskStartupPolicy;
VGM_ENUM_DECL(vgmDiskDevice);
VGM_ENUM_DECL(vgmDiskStartupPolicy);

typedef enum {
    VGM_DISK_BUS_NONE = 0,
    VGM_DISK_BUS_VIRTIO,
    VGM_DISK_BUS_SATA,
    VGM_DISK_BUS_SCSI,
    VGM_DISK_BUS_IDE,
    VGM_DISK_BUS_FDC,           /* the ISA floppy controller */
    VGM_DISK_BUS_USB,           /* usb-storage on a USB controller's port */

    VGM_DISK_BUS_LAST
} VgmDiskBus;
VGM_ENUM_DECL(vgmDiskBus);

typedef enum {
    VGM_DISK_CACHE_DEFAULT = 0,
    VGM_DISK_CACHE_NONE,        /* "none": O_DIRECT, the guest sees a write cache */
    VGM_DISK_CACHE_WRITETHROUGH,
    VGM_DISK_CACHE_WRITEBACK,
    VGM_DISK_CACHE_DIRECTSYNC,
    VGM_DISK_CACHE_UNSAFE,

    VGM_DISK_CACHE_LAST
} VgmDiskCache;
VGM_ENUM_DECL(vgmDiskCache);

typedef enum {
    VGM_DISK_IO_DEFAULT = 0,    /* no io attribute; 'default' is not a value */
    VGM_DISK_IO_NATIVE,
    VGM_DISK_IO_THREADS,
    VGM_DISK_IO_URING,

    VGM_DISK_IO_LAST
} VgmDiskIo;
VGM_ENUM_DECL(vgmDiskIo);

typedef enum {
    VGM_DISK_DISCARD_DEFAULT = 0,
    VGM_DISK_DISCARD_UNMAP,
    VGM_DISK_DISCARD_IGNORE,

    VGM_DISK_DISCARD_LAST
} VgmDiskDiscard;
VGM_ENUM_DECL(vgmDiskDiscard);

typedef enum {
    VGM_DISK_DETECT_ZEROES_DEFAULT = 0,
    VGM_DISK_DETECT_ZEROES_OFF,
    VGM_DISK_DETECT_ZEROES_ON,
    VGM_DISK_DETECT_ZEROES_UNMAP,

    VGM_DISK_DETECT_ZEROES_LAST
} VgmDiskDetectZeroes;
VGM_ENUM_DECL(vgmDiskDetectZeroes);

/* <geometry trans>: the BIOS CHS translation of an IDE disk */
typedef enum {
    VGM_DISK_TRANS_DEFAULT = 0,
    VGM_DISK_TRANS_NONE,
    VGM_DISK_TRANS_AUTO,
    VGM_DISK_TRANS_LBA,

    VGM_DISK_TRANS_LAST
} VgmDiskTrans;
VGM_ENUM_DECL(vgmDiskTrans);

/* <driver error_policy rerror_policy>: what a write (read) error does */
typedef enum {
    VGM_DISK_ERROR_POLICY_DEFAULT = 0,
    VGM_DISK_ERROR_POLICY_STOP,
    VGM_DISK_ERROR_POLICY_REPORT,
    VGM_DISK_ERROR_POLICY_IGNORE,
    VGM_DISK_ERROR_POLICY_ENOSPACE,     /* writes only: stop when the host is full */

    VGM_DISK_ERROR_POLICY_LAST
} VgmDiskErrorPolicy;
VGM_ENUM_DECL(vgmDiskErrorPolicy);

/* The options every virtio device's <driver> takes */
typedef struct {
    VgmTristate iommu;          /* iommu_platform */
    VgmTristate ats;            /* ats (with an IOMMU) */
    VgmTristate packed;         /* packed virtqueues */
    VgmTristate pagePerVq;      /* page_per_vq: a page of notification
                                 * area for each queue */
} VgmVirtioOptions;

/* libvirt's three models of a virtio device: 'virtio' (modern on PCI
 * Express, transitional on conventional PCI), 'virtio-transitional' (the
 * legacy interface too, so only in a conventional PCI slot) and
 * 'virtio-non-transitional' (modern only) */
typedef enum {
    VGM_VIRTIO_KIND_NONE = -1,          /* not a virtio model */
    VGM_VIRTIO_KIND_VIRTIO = 0,
    VGM_VIRTIO_KIND_TRANSITIONAL,
    VGM_VIRTIO_KIND_NON_TRANSITIONAL,
} VgmVirtioKind;
/* The kind of @model, or NONE (NULL is NONE) */
VgmVirtioKind vgmVirtioModelKind(const char *model);
extern const char *const vgmVirtioModels[];
/* The same as an attribute of its own (<disk model>, <input model>) */
typedef enum {
    VGM_VIRTIO_MODEL_DEFAULT = 0,       /* not given: 'virtio' */
    VGM_VIRTIO_MODEL_VIRTIO,
    VGM_VIRTIO_MODEL_TRANSITIONAL,
    VGM_VIRTIO_MODEL_NON_TRANSITIONAL,

    VGM_VIRTIO_MODEL_LAST
} VgmVirtioModel;
VGM_ENUM_DECL(vgmVirtioModel);
/* The kind @model asks for (not given: plain virtio) */
VgmVirtioKind vgmVirtioModelToKind(VgmVirtioModel model);

static inline gboolean
vgmVirtioOptionsAny(const VgmVirtioOptions *o)
{
    return o->iommu || o->ats || o->packed || o->pagePerVq;
}

/* <iotune>: the disk's I/O throttling, in libvirt's element order (each
 * 0 when not given) */
typedef enum {
    VGM_DISK_IOTUNE_TOTAL_BYTES,
    VGM_DISK_IOTUNE_READ_BYTES,
    VGM_DISK_IOTUNE_WRITE_BYTES,
    VGM_DISK_IOTUNE_TOTAL_IOPS,
    VGM_DISK_IOTUNE_READ_IOPS,
    VGM_DISK_IOTUNE_WRITE_IOPS,
    VGM_DISK_IOTUNE_TOTAL_BYTES_MAX,
    VGM_DISK_IOTUNE_READ_BYTES_MAX,
    VGM_DISK_IOTUNE_WRITE_BYTES_MAX,
    VGM_DISK_IOTUNE_TOTAL_IOPS_MAX,
    VGM_DISK_IOTUNE_READ_IOPS_MAX,
    VGM_DISK_IOTUNE_WRITE_IOPS_MAX,
    VGM_DISK_IOTUNE_SIZE_IOPS,
    VGM_DISK_IOTUNE_TOTAL_BYTES_MAX_LENGTH,
    VGM_DISK_IOTUNE_READ_BYTES_MAX_LENGTH,
    VGM_DISK_IOTUNE_WRITE_BYTES_MAX_LENGTH,
    VGM_DISK_IOTUNE_TOTAL_IOPS_MAX_LENGTH,
    VGM_DISK_IOTUNE_READ_IOPS_MAX_LENGTH,
    VGM_DISK_IOTUNE_WRITE_IOPS_MAX_LENGTH,

    VGM_DISK_IOTUNE_LAST
} VgmDiskIotuneField;
VGM_ENUM_DECL(vgmDiskIotuneField);      /* the element names */

typedef struct {
    unsigned long long v[VGM_DISK_IOTUNE_LAST];
    char *groupName;
} VgmDiskIotune;
void vgmDiskIotuneFree(VgmDiskIotune *t);
/* libvirt's rule: a total limit does not go with its read/write split;
 * FALSE with an error of @code naming disk @disk and the three values */
gboolean vgmDiskIotuneCheckSplit(const VgmDiskIotune *t, const char *disk, int code,
                                 GError **error);

/* <source><slices><slice type='storage' offset='' size=''/></slices>:
 * the part of an image's storage (bytes) its format layer reads, as
 * libvirt lowers it: offset and size on a raw format node, or a raw node
 * of its own under any other format */
typedef struct {
    gboolean set;
    unsigned long long offset;
    unsigned long long size;
} VgmDiskSlice;

typedef struct {
    VgmDiskType type;
    VgmDiskDevice device;
    char *driverName;           /* "qemu" */
    char *driverType;           /* raw, qcow2 */
    VgmDiskCache cache;
    VgmDiskIo io;
    VgmDiskDiscard discard;
    VgmDiskDetectZeroes detectZeroes;
    VgmDiskErrorPolicy errorPolicy;     /* <driver error_policy> */
    VgmDiskErrorPolicy rerrorPolicy;    /* <driver rerror_policy>: never enospace */
    unsigned int queues;        /* virtio-blk num-queues; 0: QEMU's */
    unsigned int queueSize;     /* virtio-blk queue-size; 0: QEMU's */
    unsigned int iothread;      /* <driver iothread=''>: virtio; 0: none */
    VgmTristate ioeventfd;      /* <driver ioeventfd='on|off'>: virtio only */
    VgmTristate eventIdx;       /* <driver event_idx='on|off'>: virtio only */
    VgmTristate copyOnRead;     /* <driver copy_on_read='on|off'> */
    unsigned long long metadataCacheMax; /* <driver><metadata_cache><max_size>:
                                          * bytes of qcow2's metadata cache, 0: QEMU's */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    char *src;                  /* file or dev; NULL: empty cdrom, or network */
    VgmDiskSlice slice;         /* of the top image's storage */
    VgmDiskEncryption *encryption; /* of the top image; NULL: none */
    VgmDiskStartupPolicy startupPolicy; /* of a file or block source */
    VgmDiskNetSource *net;      /* type 'network': its source, else NULL */
    GPtrArray *backing;         /* <backingStore> layers (VgmDiskBackingLayer),
                                 * the top's first; NULL: none given (QEMU
                                 * follows the image's own backing file) */
    gboolean backingEnd;        /* the chain given ends with an empty
                                 * <backingStore/>: its last image has none */
    /* a running domain's copy or active commit job (its live XML's
     * <mirror>, never in a config): the destination (a copy's file, an
     * active commit's base), its format and whether the job is ready to
     * pivot */
    char *mirrorFile;
    char *mirrorFormat;
    gboolean mirrorBlock;       /* the destination is a block device */
    gboolean mirrorReady;
    gboolean mirrorCommit;      /* job='active-commit', else 'copy' */
    /* a running domain's disk: the number of its QEMU nodes (vgm-N-...),
     * its live XML's <source index='N'>, never in a config; 0: none yet
     * (its place in the disk list is) */
    unsigned int nodeIndex;
    gboolean snapshotNo;        /* <disk snapshot='no'>: kept out of snapshots
                                 * by default; always on vhostuser */
    gboolean snapshotInternal;  /* <disk snapshot='internal'>: taken by default
                                 * (as a writable disk with a medium is) */
    gboolean snapshotExternal;  /* <disk snapshot='external'>: taken into a
                                 * new image by default */
    unsigned int reconnect;     /* vhostuser: <reconnect enabled='yes' timeout=''/>, 0: none */
    gboolean haveReconnect;     /* vhostuser: <reconnect> given (enabled='no': reconnect 0) */
    char *dst;                  /* target dev */
    VgmDiskBus bus;
    VgmVirtioModel model;       /* <disk model=''>: bus virtio only */
    gboolean trayOpen;          /* cdrom, floppy: <target tray='open'> (the
                                 * start opens it; 'closed' is QEMU's own) */
    VgmTristate removable;      /* USB: <target removable='on|off'> */
    unsigned int rotationRate;  /* <target rotation_rate>: 1 (solid state) or
                                 * RPM; SCSI, IDE and SATA hard disks */
    unsigned int cyls, heads, secs;     /* <geometry>: all three or none */
    VgmDiskTrans trans;         /* <geometry trans>: IDE only */
    unsigned int logicalBlockSize;      /* <blockio>, bytes; 0: QEMU's */
    unsigned int physicalBlockSize;
    char *serial;               /* <serial>: the serial number the guest reads */
    char *wwn;                  /* <wwn>: 16 hex digits, maybe after 0x (IDE, SCSI) */
    char *vendor;               /* <vendor>, <product>: a SCSI disk's inquiry */
    char *product;              /*   strings (up to 8 and 16 printable chars) */
    gboolean shareable;         /* <shareable/>: other guests write it too */
    gboolean transient;         /* <transient/>: the guest writes to an overlay
                                 * the start makes and the stop removes */
    VgmTristate transientShareBacking; /* <transient shareBacking=''> */
    gboolean readonly;
    unsigned int bootOrder;     /* <boot order=''/>, 0: none */
    VgmDiskIotune *iotune;      /* NULL: no <iotune> */
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmDiskDef;

/* <vcpus><vcpu id enabled hotpluggable order/>: whether vCPU id runs,
 * whether QEMU plugs it (after its start, in @order) rather than starting
 * with it; after the parse hotpluggable is YES or NO */
typedef struct {
    gboolean given;             /* listed in <vcpus> */
    gboolean online;            /* enabled='yes' */
    VgmTristate hotpluggable;
    unsigned int order;         /* 0: none */
} VgmDomainVcpu;

/* One image below a disk (<backingStore type='file|block|network'>) */
typedef struct {
    VgmDiskType type;           /* file, block or network */
    char *format;               /* <format type=''>: raw or qcow2 */
    char *path;                 /* <source file|dev=''>; for a network
                                 * image PROTOCOL:NAME, what messages name */
    VgmDiskNetSource *net;      /* type network: its source, else NULL */
    unsigned long long metadataCacheMax; /* <format><metadata_cache>, bytes */
    VgmDiskSlice slice;         /* of the image's storage */
    VgmDiskEncryption *encryption; /* <source><encryption>; NULL: none */
    unsigned int index;         /* a running domain's number of the image
                                 * (<backingStore index=''>, libvirt's
                                 * DST[N]); 0: none */
} VgmDiskBackingLayer;

void vgmDiskBackingLayerFree(VgmDiskBackingLayer *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDiskBackingLayer, vgmDiskBackingLayerFree)

/* Whether the disk has a medium: a path, or a network source (an empty
 * CD-ROM or floppy has none) */
static inline gboolean
vgmDiskHasMedium(const VgmDiskDef *disk)
{
    return disk->src || disk->net;
}

/* Whether disk @disk's image, or one below it, has a storage slice */
static inline gboolean
vgmDiskHasSlice(const VgmDiskDef *disk)
{
    guint i;

    if (disk->slice.set)
        return TRUE;
    for (i = 0; disk->backing && i < disk->backing->len; i++) {
        if (((const VgmDiskBackingLayer *)g_ptr_array_index(disk->backing, i))->slice.set)
            return TRUE;
    }
    return FALSE;
}

/* Whether disks @a and @b have the same medium: the same path, or a
 * network source of the same protocol, name and hosts (or both none) */
gboolean vgmDiskSameMedium(const VgmDiskDef *a, const VgmDiskDef *b);

typedef enum {
    VGM_NET_TYPE_USER = 0,
    VGM_NET_TYPE_NETWORK,
    VGM_NET_TYPE_BRIDGE,
    VGM_NET_TYPE_ETHERNET,
    VGM_NET_TYPE_VHOSTUSER,     /* a vhost-user server's socket (OVS-DPDK, say) */
    VGM_NET_TYPE_SERVER,        /* QEMU's socket netdev: listens on a TCP port */
    VGM_NET_TYPE_CLIENT,        /* ... connects to one */
    VGM_NET_TYPE_MCAST,         /* ... joins a multicast group */
    VGM_NET_TYPE_UDP,           /* ... sends to a UDP port from a local one */
    VGM_NET_TYPE_DIRECT,        /* a macvtap on a host device */

    VGM_NET_TYPE_LAST
} VgmNetType;
VGM_ENUM_DECL(vgmNet);

/* Whether QEMU reaches the interface through a tap of the host's (made
 * by QEMU, the driver or QEMU's bridge helper; a macvtap for direct) */
static inline gboolean
vgmNetTypeHasTap(VgmNetType type)
{
    return type == VGM_NET_TYPE_NETWORK || type == VGM_NET_TYPE_BRIDGE ||
           type == VGM_NET_TYPE_ETHERNET || type == VGM_NET_TYPE_DIRECT;
}

/* <interface type='direct'><source mode=''>: the macvtap's mode */
typedef enum {
    VGM_NET_DIRECT_VEPA = 0,    /* libvirt's default */
    VGM_NET_DIRECT_PRIVATE,
    VGM_NET_DIRECT_BRIDGE,
    VGM_NET_DIRECT_PASSTHROUGH,

    VGM_NET_DIRECT_LAST
} VgmNetDirectMode;
VGM_ENUM_DECL(vgmNetDirectMode);

/* <interface><driver name=''>: which virtio-net backend serves a tap */
typedef enum {
    VGM_NET_DRIVER_DEFAULT = 0, /* vhost-net where the host has it (KVM) */
    VGM_NET_DRIVER_QEMU,        /* QEMU's own, in userspace */
    VGM_NET_DRIVER_VHOST,       /* the kernel's vhost-net */

    VGM_NET_DRIVER_LAST
} VgmNetDriverName;
VGM_ENUM_DECL(vgmNetDriverName);

/* <teaming type=''>: the virtio side of a failover pair (QEMU's
 * virtio-net failover) or the host device side */
typedef enum {
    VGM_NET_TEAMING_NONE,
    VGM_NET_TEAMING_PERSISTENT,
    VGM_NET_TEAMING_TRANSIENT,

    VGM_NET_TEAMING_LAST
} VgmNetTeaming;
VGM_ENUM_DECL(vgmNetTeaming);

/* <driver txmode>: how virtio-net sends (QEMU's tx) */
typedef enum {
    VGM_NET_TXMODE_DEFAULT = 0,
    VGM_NET_TXMODE_IOTHREAD,    /* tx=bh */
    VGM_NET_TXMODE_TIMER,       /* tx=timer */

    VGM_NET_TXMODE_LAST
} VgmNetTxMode;
VGM_ENUM_DECL(vgmNetTxMode);

/* virtio-net's offloads: <driver><host .../> and <driver><guest .../> */
typedef enum {
    VGM_NET_OFFLOAD_HOST_CSUM,
    VGM_NET_OFFLOAD_HOST_GSO,
    VGM_NET_OFFLOAD_HOST_TSO4,
    VGM_NET_OFFLOAD_HOST_TSO6,
    VGM_NET_OFFLOAD_HOST_ECN,
    VGM_NET_OFFLOAD_HOST_UFO,
    VGM_NET_OFFLOAD_HOST_MRG_RXBUF,
    VGM_NET_OFFLOAD_GUEST_CSUM,
    VGM_NET_OFFLOAD_GUEST_TSO4,
    VGM_NET_OFFLOAD_GUEST_TSO6,
    VGM_NET_OFFLOAD_GUEST_ECN,
    VGM_NET_OFFLOAD_GUEST_UFO,

    VGM_NET_OFFLOAD_LAST
} VgmNetOffload;

typedef struct {
    const char *element;        /* "host" or "guest" */
    const char *attr;           /* its attribute */
    const char *qemuProp;       /* virtio-net-pci's property */
} VgmNetOffloadInfo;
extern const VgmNetOffloadInfo vgmNetOffloads[VGM_NET_OFFLOAD_LAST];

/* <bandwidth><inbound|outbound average peak burst floor>: kilobytes per
 * second (burst: kilobytes); average 0: the direction is not limited */
typedef struct {
    unsigned long long average;
    unsigned long long peak;
    unsigned long long burst;
    unsigned long long floor;
} VgmNetBandwidthRate;

typedef struct {
    VgmNetBandwidthRate *in;    /* to the guest, or NULL */
    VgmNetBandwidthRate *out;   /* from the guest, or NULL */
} VgmNetBandwidth;

/* The <bandwidth> child of @parent (an interface, a network, a port
 * group) into @bw; libvirt's form of it */
gboolean vgmNetBandwidthParse(xmlNodePtr parent, VgmNetBandwidth *bw, GError **error);
void vgmNetBandwidthFormat(VgmBuf *buf, const VgmNetBandwidth *bw);

typedef struct {
    VgmNetType type;
    char *mac;                  /* canonical lower case */
    char *source;               /* network or bridge name; direct: the host
                                 * device; vhostuser: the
                                 * socket's path; server, client, mcast,
                                 * udp: the address (server: or NULL, any) */
    VgmNetDirectMode directMode; /* direct: <source dev='' mode=''> (dev in source) */
    gboolean vhostServer;       /* vhostuser <source mode='server'>: QEMU listens */
    unsigned int reconnect;     /* vhostuser <reconnect enabled='yes' timeout=''/> */
    gboolean haveReconnect;     /* <reconnect> given (enabled='no': reconnect 0) */
    unsigned int port;          /* server, client, mcast, udp: <source port=''> */
    char *localAddress;         /* udp: <source><local address='' port=''/> */
    unsigned int localPort;
    char *portgroup;            /* network: <source portgroup=''>, or NULL:
                                 * the network's default port group */
    char *actualBridge;         /* network, live: the network's bridge the
                                 * tap joined (<source bridge=''>) */
    gboolean actualHostBridge;  /* network, live: that bridge is the host's
                                 * (<forward mode='bridge'>), shown as
                                 * libvirt shows it: <interface type='bridge'> */
    gboolean actualMacTableLibvirt; /* network, at a start or plug, never
                                 * parsed: its bridge's MAC table is the
                                 * driver's (<bridge macTableManager='libvirt'>) */
    char *ifname;               /* <target dev=''/>: the host's tap name */
    gboolean tapTakenOver;      /* live update, never parsed: the new QEMU
                                 * gets the fds of the tap (or macvtap) the
                                 * running QEMU holds */
    char *alias;                /* live: QEMU's id of the device (<alias
                                 * name=''/>, "netN"), which stays when
                                 * other interfaces come and go */
    VgmTristate managedTap;     /* <target managed=''>: NO, the tap exists
                                 * already and the driver leaves it alone */
    char *model;                /* virtio, e1000e, ... */
    VgmNetDriverName driverName;
    unsigned int queues;        /* <driver queues>: 0 (unset) or >= 1 */
    unsigned int rxQueueSize;   /* <driver rx_queue_size>, 0: QEMU's */
    unsigned int txQueueSize;   /* <driver tx_queue_size>, 0: QEMU's */
    VgmNetTxMode txmode;        /* <driver txmode>: virtio only */
    VgmTristate ioeventfd;      /* <driver ioeventfd>: virtio only */
    VgmTristate eventIdx;       /* <driver event_idx>: virtio only */
    VgmTristate rss;            /* <driver rss>: virtio only */
    VgmTristate rssHashReport;  /* <driver rss_hash_report>: virtio only */
    VgmTristate offloads[VGM_NET_OFFLOAD_LAST]; /* <driver><host/><guest/> */
    VgmTristate linkDown;       /* <link state='down|up'>: YES down, NO up */
    VgmNetTeaming teaming;      /* <teaming type=''> */
    gboolean haveSndbuf;        /* <tune><sndbuf> given */
    unsigned long long sndbuf;  /* its bytes: the tap's send buffer (0: no
                                 * limit) */
    VgmTristate romBar;         /* <rom bar='on|off'> */
    VgmTristate romEnabled;     /* <rom enabled='yes|no'> (NO: no ROM at all) */
    char *romFile;              /* <rom file=''>: the option ROM QEMU loads */
    unsigned int mtu;           /* <mtu size>, 0: the host's */
    VgmTristate isolatedPort;   /* <port isolated=''>: its bridge port isolated */
    unsigned int coalesceRxFrames; /* <coalesce><rx><frames max>, set on the
                                    * tap; 0: none (the tap's default, and
                                    * how libvirt reads max='0') */
    char *script;               /* ethernet: <script path=''/>, run with the
                                 * tap's name once it is set up */
    char *downscript;           /* ethernet: <downscript path=''/>, run so
                                 * once the domain stopped */
    char *backendTap;           /* <backend tap=''>: the clone device the
                                 * driver opens the tap through (instead of
                                 * /dev/net/tun); a tap interface only */
    char *backendVhost;         /* <backend vhost=''>: the device the driver
                                 * opens vhost-net through (instead of
                                 * /dev/vhost-net); tap or macvtap */
    gboolean ovs;               /* <virtualport type='openvswitch'> */
    char *ovsInterfaceId;       /* its <parameters interfaceid=''> */
    unsigned int *vlanTags;     /* <vlan><tag id=''/>: with ovs only */
    size_t nvlanTags;
    gboolean vlanTrunk;         /* <vlan trunk='yes'> */
    VgmNetBandwidth bandwidth;  /* <bandwidth> */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    unsigned int bootOrder;     /* <boot order=''/>, 0: none */
    /* type user: <ip address='' family='' prefix=''/>, at most one of
     * each family: the network QEMU's user stack gives the guest */
    struct {
        char *address;
        gboolean ipv6;
        unsigned int prefix;    /* 0: none given */
    } guestIps[2];
    guint nguestIps;
    GPtrArray *hostIps;         /* ethernet: VgmNetHostIp, <source><ip>;
                                 * NULL: none */
    GPtrArray *routes;          /* ethernet: VgmNetRoute, <source><route>;
                                 * NULL: none */
    VgmDeviceAddress addr;
} VgmNetDef;

/* <interface type='ethernet'><source><ip address='' prefix='' peer=''/>:
 * an address the driver gives the host's tap */
typedef struct {
    char *address;              /* canonical */
    char *peer;                 /* the other end of a point-to-point
                                 * address, or NULL */
    unsigned int prefix;        /* 0: none given */
    unsigned int usePrefix;     /* the one set: given, else libvirt's
                                 * default (the IPv4 class's, IPv6 /64) */
    gboolean ipv6;
} VgmNetHostIp;

/* ... <source><route address='' prefix='' gateway='' metric=''/>: a host
 * route the driver adds through the tap */
typedef struct {
    char *family;               /* 'ipv4' or 'ipv6' as given, or NULL */
    char *address;
    char *netmask;              /* an IPv4 route's, as given, or NULL */
    unsigned int prefix;        /* from prefix or netmask, else libvirt's
                                 * default, as for an address */
    gboolean havePrefix;        /* prefix='' given */
    char *gateway;
    unsigned int metric;        /* 0: none given (libvirt's 1 is set) */
    gboolean ipv6;
} VgmNetRoute;

typedef enum {
    VGM_CHR_SERIAL = 0,
    VGM_CHR_CONSOLE,
    VGM_CHR_CHANNEL,
    VGM_CHR_PARALLEL,
    VGM_CHR_REDIRDEV,           /* <redirdev bus='usb'>: a USB redirection's channel */
    VGM_CHR_RNG,                /* <rng><backend model='egd'>: an EGD entropy source */
    VGM_CHR_SMARTCARD,          /* <smartcard mode='passthrough'>: a card's channel */

    VGM_CHR_LAST
} VgmChrKind;

typedef enum {
    VGM_CHR_TYPE_PTY = 0,
    VGM_CHR_TYPE_FILE,
    VGM_CHR_TYPE_UNIX,
    VGM_CHR_TYPE_TCP,
    VGM_CHR_TYPE_UDP,
    VGM_CHR_TYPE_DEV,           /* a host device: serial and parallel only */
    VGM_CHR_TYPE_SPICEVMC,      /* SPICE's channel: <channel> and <redirdev> only */
    VGM_CHR_TYPE_VC,            /* a text console of QEMU's display */
    VGM_CHR_TYPE_QEMU_VDAGENT,  /* QEMU's own SPICE agent (clipboard, mouse): <channel> only */
    VGM_CHR_TYPE_PIPE,          /* a named pipe (PATH, or PATH.in and PATH.out) */
    VGM_CHR_TYPE_NULL,          /* nothing: output dropped, no input */
    VGM_CHR_TYPE_STDIO,         /* QEMU's own output (the domain's log), no input */
    VGM_CHR_TYPE_SPICEPORT,     /* a named SPICE port: the client's end */

    VGM_CHR_TYPE_LAST
} VgmChrType;
VGM_ENUM_DECL(vgmChr);

/* <protocol type=''> of a tcp character device */
typedef enum {
    VGM_CHR_PROTOCOL_RAW = 0,
    VGM_CHR_PROTOCOL_TELNET,

    VGM_CHR_PROTOCOL_LAST
} VgmChrProtocol;
VGM_ENUM_DECL(vgmChrProtocol);

/* <target state=''> of a running domain's virtio channel: whether the
 * guest has its port open (QEMU's VSERPORT_CHANGE); never in a config */
typedef enum {
    VGM_CHR_STATE_DEFAULT = 0,
    VGM_CHR_STATE_CONNECTED,
    VGM_CHR_STATE_DISCONNECTED,

    VGM_CHR_STATE_LAST
} VgmChrState;
VGM_ENUM_DECL(vgmChrState);
/* the name of the guest agent's virtio port (qemu-ga's) */
#define VGM_GUEST_AGENT_PORT "org.qemu.guest_agent.0"

typedef struct {
    VgmChrKind kind;
    VgmChrType type;
    char *path;                 /* file / unix / dev; spiceport: the port's name */
    char *mode;                 /* unix, tcp: bind | connect */
    char *host;                 /* tcp; udp: where datagrams go */
    char *service;              /* tcp: the port, or a service name; udp too */
    char *bindHost;             /* udp: the local address, or NULL */
    char *bindService;          /* udp: the local port, or NULL */
    VgmChrProtocol protocol;    /* tcp; raw on unix when given */
    gboolean tlsOff;            /* tcp: <source tls='no'> (TLS itself is refused) */
    VgmTristate reconnect;      /* tcp, unix connecting: <source><reconnect enabled=''> */
    unsigned int reconnectTimeout; /* ... timeout='' (s), with enabled='yes' */
    /* a guestfwd channel: <target address='' port=''>, where the guest's
     * TCP connections to QEMU's user network go to this chardev */
    char *fwdAddress;
    unsigned int fwdPort;
    gboolean noRelabel;         /* <source><seclabel model='dac' relabel='no'/>:
                                 * what virt-gmem does anyway */
    VgmTristate append;         /* file */
    char *logfile;              /* <log file=''/>: QEMU copies the output there */
    VgmTristate logappend;      /* <log append='on|off'/> */
    char *targetType;           /* serial: isa-serial, ...; console: serial, virtio */
    gboolean havePort;
    unsigned int port;
    char *targetModel;          /* serial: isa-serial, pci-serial, ... */
    char *targetName;           /* channel: the port's name in the guest */
    VgmChrState state;          /* virtio channel of a running domain */
    VgmDeviceAddress addr;      /* channel: virtio-serial; redirdev: usb */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
    unsigned int bootOrder;     /* redirdev: <boot order=''/>, 0: none */
    VgmTristate vdagentClipboard; /* qemu-vdagent: <source><clipboard copypaste=''/> */
    char *vdagentMouse;         /* qemu-vdagent: <source><mouse mode=''/>: client, server */
} VgmChrDef;

/* The port name of channel @ch QEMU gets: its <target name>, or for
 * SPICE's agent channel VGM_CHR_SPICE_AGENT_NAME (libvirt writes none
 * into the XML), else NULL */
const char *vgmChrChannelName(const VgmChrDef *ch);

typedef struct {
    char *type;                 /* pci, usb, sata, scsi, virtio-serial, ide */
    gboolean haveIndex;
    unsigned int index;
    char *model;
    unsigned int ports;         /* usb (xhci), virtio-serial; 0: the default */
    gboolean haveVectors;       /* virtio-serial: its MSI-X vectors */
    unsigned int vectors;
    gboolean haveMaster;        /* usb: <master startport=''/> */
    unsigned int startport;
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    unsigned int queues;        /* <driver queues=''>: virtio-scsi; 0: QEMU's */
    unsigned int cmdPerLun;     /* <driver cmd_per_lun=''>: virtio-scsi; 0: QEMU's */
    unsigned int maxSectors;    /* <driver max_sectors=''>: virtio-scsi; 0: QEMU's */
    unsigned int iothread;      /* <driver iothread=''>: virtio-scsi; 0: none */
    VgmTristate ioeventfd;      /* <driver ioeventfd=''>: virtio-scsi */
    char *modelName;            /* pci: <model name=''/>, the QEMU device */
    /* pci: <target> (libvirt's names): pci-bridge's chassisNr, a PCIe
     * port's chassis, port and hotplug */
    gboolean haveChassisNr;
    unsigned int chassisNr;
    gboolean haveChassis;
    unsigned int chassis;
    gboolean havePort;
    unsigned int port;
    VgmTristate hotplug;        /* also pci-root's: ACPI hotplug of its slots */
    unsigned long long pcihole64KiB; /* pci-root, pcie-root: <pcihole64> */
    gboolean havePcihole64;
    /* pci expander buses: <target busNr=''> (the guest's bus number) and
     * <node> (the guest NUMA node the bus belongs to) */
    gboolean haveBusNr;
    unsigned int busNr;
    gboolean haveNumaNode;
    unsigned int numaNode;
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
    gboolean implicit;          /* added by this parse for a device that names it */
} VgmControllerDef;

typedef struct {
    char *model;                /* virtio, none */
    VgmTristate autodeflate;
    VgmTristate freePageReporting;
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    gboolean havePeriod;
    unsigned int period;
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmMemballoonDef;

typedef struct {
    char *model;                /* virtio */
    char *backendModel;         /* random, builtin */
    char *backend;              /* random: /dev/urandom, ... */
    VgmChrDef *egd;             /* egd: the character device to the daemon */
    unsigned int rateBytes;     /* <rate bytes=''>: at most this many bytes a period; 0: no limit */
    unsigned int ratePeriod;    /* <rate period=''> in ms; 0: not given (QEMU: 1000) */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmRngDef;

/* <filesystem>: a host directory shared with the guest, through QEMU's
 * 9p server (virtio-9p-pci over -fsdev local) or a virtiofsd (vhost-user-fs-pci) */
typedef enum {
    VGM_FS_DRIVER_DEFAULT = 0,  /* 9p's 'path' */
    VGM_FS_DRIVER_PATH,
    VGM_FS_DRIVER_HANDLE,       /* gone from QEMU since 4.0: refused */
    VGM_FS_DRIVER_VIRTIOFS,

    VGM_FS_DRIVER_LAST
} VgmFsDriver;
VGM_ENUM_DECL(vgmFsDriver);         /* default, path, handle, virtiofs */

typedef enum {
    VGM_FS_ACCESS_DEFAULT = 0,  /* passthrough */
    VGM_FS_ACCESS_PASSTHROUGH,
    VGM_FS_ACCESS_MAPPED,
    VGM_FS_ACCESS_SQUASH,

    VGM_FS_ACCESS_LAST
} VgmFsAccess;
VGM_ENUM_DECL(vgmFsAccess);         /* "", passthrough, mapped, squash */

typedef enum {
    VGM_FS_MODEL_DEFAULT = 0,
    VGM_FS_MODEL_VIRTIO,
    VGM_FS_MODEL_VIRTIO_TRANSITIONAL,
    VGM_FS_MODEL_VIRTIO_NON_TRANSITIONAL,

    VGM_FS_MODEL_LAST
} VgmFsModel;
VGM_ENUM_DECL(vgmFsModel);

typedef enum {
    VGM_FS_MULTIDEVS_DEFAULT = 0,
    VGM_FS_MULTIDEVS_REMAP,
    VGM_FS_MULTIDEVS_FORBID,
    VGM_FS_MULTIDEVS_WARN,

    VGM_FS_MULTIDEVS_LAST
} VgmFsMultidevs;
VGM_ENUM_DECL(vgmFsMultidevs);

typedef enum {
    VGM_FS_WRPOLICY_DEFAULT = 0,
    VGM_FS_WRPOLICY_IMMEDIATE,

    VGM_FS_WRPOLICY_LAST
} VgmFsWrpolicy;
VGM_ENUM_DECL(vgmFsWrpolicy);

/* virtiofsd's <binary><cache mode=''/> and <sandbox mode=''/> */
typedef enum {
    VGM_FS_CACHE_DEFAULT = 0,
    VGM_FS_CACHE_NONE,
    VGM_FS_CACHE_ALWAYS,

    VGM_FS_CACHE_LAST
} VgmFsCache;
VGM_ENUM_DECL(vgmFsCache);

typedef enum {
    VGM_FS_SANDBOX_DEFAULT = 0,
    VGM_FS_SANDBOX_NAMESPACE,
    VGM_FS_SANDBOX_CHROOT,

    VGM_FS_SANDBOX_LAST
} VgmFsSandbox;
VGM_ENUM_DECL(vgmFsSandbox);

typedef struct {
    VgmFsDriver driver;         /* <driver type=''> */
    VgmFsAccess accessmode;
    VgmFsModel model;
    VgmFsMultidevs multidevs;
    unsigned int fmode;         /* 0: not given; else octal, at most 0777 */
    unsigned int dmode;
    VgmFsWrpolicy wrpolicy;     /* <driver wrpolicy=''> */
    unsigned int queue;         /* <driver queue=''> (virtiofs), 0: QEMU's */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    char *dir;                  /* <source dir=''> */
    char *socket;               /* <source socket=''> (virtiofs: a virtiofsd
                                 * run by someone else) */
    char *target;               /* <target dir=''>: the guest's mount tag */
    gboolean readonly;
    /* virtiofs: the <binary> the driver runs */
    char *binary;               /* path; NULL: the host's vhost-user descriptor's */
    VgmTristate xattr;
    VgmFsCache cache;
    VgmFsSandbox sandbox;
    VgmTristate posixLock;      /* <lock posix='' flock=''/> */
    VgmTristate flock;
    int threadPoolSize;         /* <thread_pool size=''/>, -1: not given */
    unsigned int bootOrder;     /* virtiofs only */
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmFsDef;

typedef enum {
    VGM_GRAPHICS_VNC = 0,
    VGM_GRAPHICS_SPICE,

    VGM_GRAPHICS_LAST
} VgmGraphicsType;
VGM_ENUM_DECL(vgmGraphics);

/* SPICE's one-attribute children of <graphics type='spice'>, in libvirt's
 * order (domain_devices.c has their table) */
typedef enum {
    VGM_SPICE_OPT_IMAGE = 0,    /* <image compression=''/> */
    VGM_SPICE_OPT_JPEG,         /* <jpeg compression=''/> */
    VGM_SPICE_OPT_ZLIB,         /* <zlib compression=''/> */
    VGM_SPICE_OPT_PLAYBACK,     /* <playback compression=''/> */
    VGM_SPICE_OPT_STREAMING,    /* <streaming mode=''/> */
    VGM_SPICE_OPT_MOUSE,        /* <mouse mode=''/> */
    VGM_SPICE_OPT_CLIPBOARD,    /* <clipboard copypaste=''/> */
    VGM_SPICE_OPT_FILETRANSFER, /* <filetransfer enable=''/> */
    VGM_SPICE_OPT_GL,           /* <gl enable=''/> */

    VGM_SPICE_OPT_LAST
} VgmSpiceOpt;

/* What each VgmSpiceOpt is in the XML: element, attribute, values */
typedef struct {
    const char *elem;
    const char *attr;
    const char *const *values;
} VgmSpiceOptInfo;
extern const VgmSpiceOptInfo vgmSpiceOptTable[VGM_SPICE_OPT_LAST];

/* <channel name='' mode=''/> of SPICE graphics */
typedef struct {
    char *name;                 /* main, display, inputs, ... */
    char *mode;                 /* any, insecure (secure needs TLS: refused) */
} VgmSpiceChannel;

typedef struct {
    VgmGraphicsType type;
    int port;                   /* -1 = auto */
    gboolean havePort;
    gboolean listenNone;        /* <listen type='none'/>: no TCP port (SPICE
                                 * also without a port or address) */
    gboolean listenSocket;      /* <listen type='socket'>: a unix socket */
    char *socket;               /* its path; NULL: the driver's, in the
                                 * domain's run directory */
    char *keymap;               /* keymap='': QEMU's -k */
    char *sharePolicy;          /* vnc: sharePolicy='' (QEMU's share=) */
    int websocket;              /* vnc: websocket='' port, 0: none, -1: one
                                 * the driver chooses at start */
    VgmTristate powerControl;   /* vnc: powerControl='yes|no' */
    char *spiceOpts[VGM_SPICE_OPT_LAST]; /* spice: the value given, or NULL */
    char *defaultMode;          /* spice: any, insecure; NULL: not given */
    VgmSpiceChannel *channels;  /* spice: <channel> */
    size_t nchannels;
    unsigned int audioId;       /* <audio id=''/>; 0: the first <audio> */
    VgmTristate autoport;
    char *listen;               /* listen address */
    char *listenNetwork;        /* <listen type='network' network=''>: the
                                 * network whose address the start gives
                                 * listen (a definition keeps none) */
    char *passwd;               /* passwd='': set over QMP once QEMU
                                 * listens; shown only with the secure flag */
    gboolean passwdExpires;     /* passwdValidTo='' given */
    gint64 passwdValidTo;       /* its time, seconds since the epoch (UTC) */
    char *connected;            /* connected='': what the server does with
                                 * its clients when the password changes */
} VgmGraphicsDef;

typedef struct {
    char *model;                /* none, vga, cirrus, vmvga, qxl, virtio, bochs */
    unsigned int vram;          /* KiB */
    unsigned int ram;           /* KiB, qxl only */
    unsigned int vram64;        /* KiB, qxl only */
    unsigned int vgamem;        /* KiB, qxl only */
    unsigned int heads;
    VgmTristate primary;
    unsigned int resX, resY;    /* <resolution>: the first mode, 0: none */
    gboolean accel;             /* <acceleration> given: */
    VgmTristate accel3d;        /* ... only 'no' of each, which asks for */
    VgmTristate accel2d;        /* nothing QEMU would not do anyway */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmVideoDef;

typedef enum {
    VGM_IOMMU_MODEL_INTEL = 0,
    VGM_IOMMU_MODEL_VIRTIO,

    VGM_IOMMU_MODEL_LAST
} VgmIommuModel;
VGM_ENUM_DECL(vgmIommuModel);

typedef enum {
    VGM_VSOCK_MODEL_VIRTIO,
    VGM_VSOCK_MODEL_VIRTIO_TRANSITIONAL,
    VGM_VSOCK_MODEL_VIRTIO_NON_TRANSITIONAL,

    VGM_VSOCK_MODEL_LAST
} VgmVsockModel;
VGM_ENUM_DECL(vgmVsockModel);

/* The host's reserved vsock addresses: 0 (hypervisor), 1 (loopback), 2
 * (host); U32_MAX is VMADDR_CID_ANY */
#define VGM_VSOCK_CID_MIN 3u
#define VGM_VSOCK_CID_MAX 0xfffffffeu

/* <vsock model=''><cid auto='' address=''/></vsock>: a virtio socket
 * between guest and host (QEMU's vhost-vsock), the guest at address cid */
typedef struct {
    VgmVsockModel model;        /* absent: virtio */
    VgmTristate autoCid;        /* absent: yes without an address, as libvirt */
    unsigned int cid;           /* 0: none yet (auto='yes' before a start) */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq> */
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmVsockDef;

/* <iommu model=''><driver .../></iommu> */
typedef struct {
    VgmIommuModel model;
    VgmTristate intremap;       /* on|off */
    VgmTristate cachingMode;
    VgmTristate eim;
    VgmTristate iotlb;
    unsigned int awBits;        /* 0: QEMU's */
    VgmDeviceAddress addr;      /* virtio: on the root bus */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmIommuDef;

typedef enum {
    VGM_TPM_MODEL_TIS = 0,
    VGM_TPM_MODEL_CRB,

    VGM_TPM_MODEL_LAST
} VgmTpmModel;
VGM_ENUM_DECL(vgmTpmModel);         /* tpm-tis, tpm-crb */

typedef enum {
    VGM_TPM_VERSION_DEFAULT = 0,
    VGM_TPM_VERSION_1_2,
    VGM_TPM_VERSION_2_0,

    VGM_TPM_VERSION_LAST
} VgmTpmVersion;
VGM_ENUM_DECL(vgmTpmVersion);       /* "", 1.2, 2.0 */

typedef enum {
    VGM_TPM_PCR_BANK_SHA1 = 0,
    VGM_TPM_PCR_BANK_SHA256,
    VGM_TPM_PCR_BANK_SHA384,
    VGM_TPM_PCR_BANK_SHA512,

    VGM_TPM_PCR_BANK_LAST
} VgmTpmPcrBank;
VGM_ENUM_DECL(vgmTpmPcrBank);       /* sha1, sha256, sha384, sha512 */

/* <tpm> with <backend type='emulator'> (a swtpm of the driver's) or
 * <backend type='external'> (a TPM emulator someone else runs) */
typedef struct {
    VgmTpmModel model;
    VgmTpmVersion version;
    VgmTristate persistentState; /* <backend persistent_state=''>: kept on undefine */
    char *externalPath;         /* external: <source type='unix' path=''>; NULL: emulator */
    gboolean encrypted;         /* emulator: <encryption secret=''/>, the state's */
    unsigned char secret[16];   /* ... passphrase: a secret of usage vtpm */
    unsigned int pcrBanks;      /* emulator: <active_pcr_banks>, 1 << VgmTpmPcrBank */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmTpmDef;

typedef enum {
    VGM_WATCHDOG_ACTION_RESET = 0,
    VGM_WATCHDOG_ACTION_SHUTDOWN,
    VGM_WATCHDOG_ACTION_POWEROFF,
    VGM_WATCHDOG_ACTION_PAUSE,
    VGM_WATCHDOG_ACTION_NONE,
    VGM_WATCHDOG_ACTION_INJECT_NMI,
    VGM_WATCHDOG_ACTION_DUMP,   /* QEMU pauses, the driver dumps the guest's
                                 * memory and lets it run again */

    VGM_WATCHDOG_ACTION_LAST
} VgmWatchdogAction;
VGM_ENUM_DECL(vgmWatchdogAction);

typedef struct {
    char *model;                /* i6300esb (PCI), ib700 (ISA) */
    VgmWatchdogAction action;
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmWatchdogDef;

/* <panic model=''>: how the guest reports a crash (x86 models) */
typedef enum {
    VGM_PANIC_MODEL_ISA = 0,    /* the pvpanic ISA device (the default) */
    VGM_PANIC_MODEL_HYPERV,     /* Hyper-V's crash MSRs (-cpu hv-crash) */

    VGM_PANIC_MODEL_LAST
} VgmPanicModel;
VGM_ENUM_DECL(vgmPanicModel);

typedef struct {
    VgmPanicModel model;
    VgmDeviceAddress addr;      /* isa: <address type='isa' iobase=''/> */
} VgmPanicDef;

typedef enum {
    VGM_SOUND_ICH6 = 0,
    VGM_SOUND_ICH9,
    VGM_SOUND_AC97,
    VGM_SOUND_ES1370,
    VGM_SOUND_SB16,             /* an ISA card: no PCI address */
    VGM_SOUND_PCSPK,            /* the machine's PC speaker: no device */
    VGM_SOUND_USB,              /* a USB audio device, on a USB port */

    VGM_SOUND_LAST
} VgmSoundModel;
VGM_ENUM_DECL(vgmSoundModel);

typedef enum {
    VGM_SOUND_CODEC_DUPLEX = 0,
    VGM_SOUND_CODEC_MICRO,
    VGM_SOUND_CODEC_OUTPUT,

    VGM_SOUND_CODEC_LAST
} VgmSoundCodec;
VGM_ENUM_DECL(vgmSoundCodec);

typedef struct {
    VgmSoundModel model;
    VgmSoundCodec *codecs;      /* <codec type=''/>, HDA models only */
    size_t ncodecs;
    unsigned int audioId;       /* <audio id=''/>; 0: the first <audio> */
    VgmDeviceAddress addr;
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmSoundDef;

/* Where an <audio> attribute is written: on <audio>, on its <input> and
 * <output>, or on their <settings> */
typedef enum {
    VGM_AUDIO_AT_AUDIO,
    VGM_AUDIO_AT_IO,
    VGM_AUDIO_AT_SETTINGS,
} VgmAudioAttrPlace;

typedef enum {
    VGM_AUDIO_VALUE_STRING,
    VGM_AUDIO_VALUE_PATH,       /* an absolute path */
    VGM_AUDIO_VALUE_UINT,       /* 0 means QEMU's default, and is dropped */
    VGM_AUDIO_VALUE_POSITIVE,
    VGM_AUDIO_VALUE_INT,        /* 0 or more, kept when 0 */
    VGM_AUDIO_VALUE_BOOL,       /* yes/no */
    VGM_AUDIO_VALUE_ENUM,       /* one of @values */
} VgmAudioValueKind;

/* One attribute of libvirt's <audio>: its place, the backend types that
 * have it (NULL: all), its name in the XML and QEMU's -audiodev property
 * (NULL: not a property) */
typedef struct {
    VgmAudioAttrPlace place;
    const char *const *types;
    const char *attr;
    const char *qemuProp;
    VgmAudioValueKind kind;
    const char *const *values;
} VgmAudioAttrInfo;

#define VGM_AUDIO_NATTRS 24
extern const VgmAudioAttrInfo vgmAudioAttrs[VGM_AUDIO_NATTRS];

/* <audio>: an audio backend (QEMU -audiodev) */
typedef struct {
    unsigned int id;
    char *type;                 /* none, alsa, coreaudio, jack, oss,
                                 * pulseaudio, sdl, spice, file, dbus */
    /* each attribute's value, by vgmAudioAttrs index: [0] on <audio>,
     * [1] <input> and its <settings>, [2] <output> and its; NULL: not
     * given. Booleans are "yes"/"no", numbers decimal. */
    char *values[3][VGM_AUDIO_NATTRS];
    gboolean haveIO[2];         /* <input>, <output> given */
} VgmAudioDef;

/* QEMU's -audiodev driver for a libvirt <audio> type, or NULL */
const char *vgmAudioQemuDriver(const char *type);

typedef enum {
    VGM_INPUT_TYPE_MOUSE = 0,
    VGM_INPUT_TYPE_TABLET,
    VGM_INPUT_TYPE_KEYBOARD,
    VGM_INPUT_TYPE_PASSTHROUGH, /* a host evdev device as a virtio input (bus virtio) */
    VGM_INPUT_TYPE_EVDEV,       /* a host evdev device QEMU reads (input-linux; no bus) */

    VGM_INPUT_TYPE_LAST
} VgmInputType;
VGM_ENUM_DECL(vgmInput);

typedef enum {
    VGM_INPUT_BUS_DEFAULT = 0,  /* no bus attribute: post-parse picks one */
    VGM_INPUT_BUS_PS2,
    VGM_INPUT_BUS_USB,
    VGM_INPUT_BUS_VIRTIO,

    VGM_INPUT_BUS_LAST
} VgmInputBus;
VGM_ENUM_DECL(vgmInputBus);

/* <source grabToggle=''> of an evdev input: the keys that move the grab */
typedef enum {
    VGM_INPUT_GRAB_TOGGLE_DEFAULT = 0,
    VGM_INPUT_GRAB_TOGGLE_CTRL_CTRL,
    VGM_INPUT_GRAB_TOGGLE_ALT_ALT,
    VGM_INPUT_GRAB_TOGGLE_SHIFT_SHIFT,
    VGM_INPUT_GRAB_TOGGLE_META_META,
    VGM_INPUT_GRAB_TOGGLE_SCROLLLOCK,
    VGM_INPUT_GRAB_TOGGLE_CTRL_SCROLLLOCK,

    VGM_INPUT_GRAB_TOGGLE_LAST
} VgmInputGrabToggle;
VGM_ENUM_DECL(vgmInputGrabToggle);

typedef struct {
    VgmInputType type;
    VgmInputBus bus;
    VgmVirtioModel model;       /* <input model=''>: bus virtio only */
    char *evdev;                /* passthrough: <source evdev=''>; evdev: <source dev=''> */
    gboolean grabAll;           /* evdev: <source grab='all'> */
    VgmInputGrabToggle grabToggle; /* evdev: <source grabToggle=''> */
    VgmTristate repeat;         /* evdev: <source repeat='on|off'> */
    VgmVirtioOptions virtio;    /* <driver iommu ats packed page_per_vq>: bus virtio only */
    VgmDeviceAddress addr;      /* usb (bus usb) or pci (bus virtio) */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmInputDef;

typedef enum {
    VGM_MEMORY_MODEL_DIMM = 0,
    VGM_MEMORY_MODEL_NVDIMM,
    VGM_MEMORY_MODEL_VIRTIO_MEM,
    VGM_MEMORY_MODEL_VIRTIO_PMEM,
    VGM_MEMORY_MODEL_SGX_EPC,

    VGM_MEMORY_MODEL_LAST
} VgmMemoryModel;
VGM_ENUM_DECL(vgmMemoryModel);

typedef struct {
    VgmMemoryModel model;
    VgmDomainMemoryAccess access;
    VgmTristate discard;
    /* source */
    char *sourcePath;           /* nvdimm, virtio-pmem; dimm with a file */
    unsigned long long pagesize; /* KiB, 0 = default */
    VgmBitmap *sourceNodes;
    unsigned long long alignsize; /* KiB (nvdimm) */
    VgmTristate pmem;
    /* target */
    unsigned long long size;    /* KiB */
    gboolean haveNode;
    unsigned int node;
    unsigned long long labelsize; /* KiB (nvdimm) */
    unsigned long long blocksize; /* KiB (virtio-mem) */
    unsigned long long requested; /* KiB (virtio-mem) */
    gboolean haveCurrent;       /* a running domain's virtio-mem device: */
    unsigned long long current; /* ... the KiB its guest plugged (QEMU's
                                 * size), which only the live XML shows */
    gboolean readonly;          /* nvdimm <readonly/> */
    char *alias;                /* user alias ('ua-' prefix) or NULL */
    VgmDeviceAddress addr;
} VgmMemoryDef;

/* <smartcard mode>: a card in a USB CCID reader (a ccid controller) */
typedef enum {
    VGM_SMARTCARD_HOST = 0,             /* the host's cards, through NSS */
    VGM_SMARTCARD_HOST_CERTIFICATES,    /* three certificates of an NSS database */
    VGM_SMARTCARD_PASSTHROUGH,          /* a card at the end of a channel */

    VGM_SMARTCARD_LAST
} VgmSmartcardMode;
VGM_ENUM_DECL(vgmSmartcardMode);

#define VGM_SMARTCARD_CERTS 3

typedef struct {
    VgmSmartcardMode mode;
    char *certs[VGM_SMARTCARD_CERTS]; /* host-certificates: the certificates' names */
    char *database;                 /* host-certificates: the NSS database, NULL: none given */
    VgmChrDef *chr;                 /* passthrough: the channel, which holds the address */
    VgmDeviceAddress addr;          /* the other modes': ccid (controller, slot) or none */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmSmartcardDef;
void vgmSmartcardDefFree(VgmSmartcardDef *sc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSmartcardDef, vgmSmartcardDefFree)
/* The <address type='ccid'> of @sc (none until post-parse gives it one) */
VgmDeviceAddress *vgmSmartcardAddress(VgmSmartcardDef *sc);

/* A <redirfilter><usbdev/>: which USB devices a redirection may take;
 * -1: any */
typedef struct {
    int usbClass;               /* 0 to 0xFF */
    int vendor, product;        /* 0 to 0xFFFF */
    int version;                /* BCD, 0xJJMN for JJ.MN */
    gboolean allow;
} VgmRedirFilterRule;

/* <shmem><model type=''>: QEMU's inter-VM shared memory devices */
typedef enum {
    VGM_SHMEM_MODEL_IVSHMEM = 0,        /* the old device (libvirt's default),
                                         * gone from QEMU since 4.0 */
    VGM_SHMEM_MODEL_IVSHMEM_PLAIN,      /* memory only, on a memory backend */
    VGM_SHMEM_MODEL_IVSHMEM_DOORBELL,   /* interrupts between peers through an
                                         * ivshmem-server, which also holds
                                         * the memory */

    VGM_SHMEM_MODEL_LAST
} VgmShmemModel;
VGM_ENUM_DECL(vgmShmemModel);

typedef enum {
    VGM_SHMEM_ROLE_DEFAULT = 0,
    VGM_SHMEM_ROLE_MASTER,      /* migrates the memory (QEMU's master=on) */
    VGM_SHMEM_ROLE_PEER,        /* does not (master=off) */

    VGM_SHMEM_ROLE_LAST
} VgmShmemRole;
VGM_ENUM_DECL(vgmShmemRole);

/* <shmem name=''>: memory shared with other guests or host programs, the
 * host's /dev/shm/NAME (ivshmem-plain) or an ivshmem-server's (doorbell) */
typedef struct {
    char *name;
    VgmShmemModel model;
    unsigned long long size;    /* bytes, a power of two; 0: none given
                                 * (post-parse gives plain 4 MiB) */
    VgmShmemRole role;
    gboolean server;            /* <server>: the doorbell's ivshmem-server */
    char *serverPath;           /* ... its socket; NULL: the driver's
                                 * default, LIBDIR/shmem-NAME-sock */
    gboolean msi;               /* <msi> (post-parse: every doorbell) */
    unsigned int vectors;       /* <msi vectors=''>; 0: QEMU's default */
    VgmTristate ioeventfd;      /* <msi ioeventfd=''> (post-parse: on) */
    VgmDeviceAddress addr;      /* pci */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmShmemDef;

/* <hub type='usb'>: a USB hub of VGM_USB_HUB_PORTS ports (QEMU's usb-hub) */
typedef struct {
    VgmDeviceAddress addr;      /* usb; none until post-parse gives it a port */
    char alias[VGM_DEVICE_ALIAS_MAX]; /* its QEMU id (<alias name=''>): a user alias, or a running domain's */
} VgmHubDef;

typedef struct {
    char *emulator;
    GPtrArray *disks;           /* VgmDiskDef */
    GPtrArray *nets;            /* VgmNetDef */
    GPtrArray *controllers;     /* VgmControllerDef */
    GPtrArray *fss;             /* VgmFsDef */
    GPtrArray *serials;         /* VgmChrDef */
    GPtrArray *parallels;       /* VgmChrDef */
    GPtrArray *consoles;        /* VgmChrDef */
    GPtrArray *channels;        /* VgmChrDef */
    GPtrArray *redirdevs;       /* VgmChrDef of kind VGM_CHR_REDIRDEV */
    GPtrArray *hubs;            /* VgmHubDef */
    GPtrArray *redirfilter;     /* VgmRedirFilterRule, in order: the first
                                 * that matches decides */
    GPtrArray *smartcards;      /* VgmSmartcardDef */
    GPtrArray *inputs;          /* VgmInputDef */
    GPtrArray *graphics;        /* VgmGraphicsDef */
    GPtrArray *videos;          /* VgmVideoDef */
    GPtrArray *sounds;          /* VgmSoundDef */
    GPtrArray *audios;          /* VgmAudioDef */
    GPtrArray *rngs;            /* VgmRngDef */
    GPtrArray *mems;            /* VgmMemoryDef */
    VgmMemballoonDef *memballoon;
    VgmWatchdogDef *watchdog;
    GPtrArray *panics;          /* VgmPanicDef */
    GPtrArray *shmems;          /* VgmShmemDef */
    VgmTpmDef *tpm;
    VgmIommuDef *iommu;
    VgmVsockDef *vsock;
} VgmDevicesDef;

/* ---------------- the domain ---------------- */

typedef struct {
    VgmDomainVirtType virtType;
    char *name;
    unsigned char uuid[16];
    gboolean haveGenid;         /* <genid>: a vmgenid device */
    unsigned char genid[16];    /* its GUID (given, or made when parsed) */
    char *title;
    char *description;
    xmlNodePtr metadata;        /* a private copy of <metadata>, or NULL */

    /* memory, KiB */
    unsigned long long maxMemory;   /* <maxMemory>, 0: absent */
    unsigned int memorySlots;
    unsigned long long memory;      /* <memory> */
    VgmTristate dumpCore;
    unsigned long long curMemory;   /* <currentMemory> */
    gboolean hasMemoryBacking;
    VgmDomainMemoryBacking mb;

    /* vcpus */
    unsigned int vcpus;
    unsigned int vcpusCurrent;      /* 0: same as vcpus */
    VgmDomainVcpu *vcpuList;        /* <vcpus>: def->vcpus entries, or NULL
                                     * when not given (the first current ones
                                     * run from the start) */
    VgmDomainCpuPlacement cpuPlacement;
    VgmBitmap *cpuset;
    /* <cputune>: CPU affinity of each vCPU thread (vcpu -> cpus; NULL:
     * none given) and of QEMU's other threads */
    VgmBitmap **vcpupin;        /* def->vcpus entries when given */
    VgmBitmap *emulatorpin;
    VgmDomainCputune cputune;
    /* <iothreads>, <iothreadids> (VgmDomainIOThread, in their order) and
     * <defaultiothread>'s pool (-1: not given) */
    GPtrArray *iothreads;
    gboolean hasDefaultIOThread;
    int defaultPoolMin;
    int defaultPoolMax;
    VgmDomainMemtune memtune;
    VgmDomainBlkiotune blkiotune;
    VgmDomainNumatune numatune;
    VgmCpuDef *cpu;                 /* NULL: no <cpu> */

    GPtrArray *sysinfos;            /* VgmSysinfoDef, <sysinfo type='smbios'> */
    VgmOsDef os;
    GArray *uidmap;                 /* <idmap><uid>: VgmDomainIdMapEntry */
    GArray *gidmap;                 /* <idmap><gid> */
    VgmFeatures features;
    gboolean hasFeatures;
    VgmClockDef clock;
    VgmDomainLifecycleAction onPoweroff;
    VgmDomainLifecycleAction onReboot;
    VgmDomainLifecycleAction onCrash;
    /* <pm>: whether the guest may suspend to RAM (S3) / to disk (S4);
     * ABSENT leaves QEMU's default */
    VgmTristate pmSuspendToMem;
    VgmTristate pmSuspendToDisk;

    /* <seclabel type='none'>: QEMU unconfined, which it is under
     * virt-gmem anyway (it has no security driver); the model when given */
    gboolean seclabelNone;
    char *seclabelModel;
    /* <resource><partition>: the cgroup partition the domain's group is
     * made in, an absolute path ("/machine"); NULL: the driver's */
    char *resourcePartition;
    /* <qemu:commandline>: arguments added after the driver's, and
     * variables added to QEMU's environment (VgmDomainQemuEnv) */
    GPtrArray *qemuArgs;
    GPtrArray *qemuEnv;
    VgmLaunchSecurityDef *sec;      /* NULL: none */
    VgmDevicesDef devices;
} VgmDomainDef;

/* The interface of @def that @device names: its MAC address (any case)
 * or its host device (<target dev>), as libvirt finds one; NULL if none
 * (VGM_ERR_INVALID_ARG naming both) */
VgmNetDef *vgmDomainNetFind(const VgmDomainDef *def, const char *device, GError **error);

VgmDomainDef *vgmDomainDefNew(void);
void vgmDomainDefFree(VgmDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDomainDef, vgmDomainDefFree)

typedef enum {
    VGM_DOMAIN_PARSE_NONE = 0,
    VGM_DOMAIN_PARSE_SKIP_VALIDATE = 1 << 0, /* parse + post-parse only */
    VGM_DOMAIN_PARSE_LIVE = 1 << 1,          /* a running domain's XML: the
                                              * names the driver gave its
                                              * taps (vnetN) stay, and no PCI
                                              * address is handed out (it
                                              * has its QEMU's) */
    VGM_DOMAIN_PARSE_NO_ADDRESSES = 1 << 2,  /* no PCI addresses handed out
                                              * (a parse for the name only) */
    VGM_DOMAIN_PARSE_HOTPLUG = 1 << 3,       /* with LIVE: the devices
                                              * without an address get one
                                              * (a device being attached) */
    VGM_DOMAIN_PARSE_EDITED = 1 << 4,        /* with LIVE: a user's edit of a
                                              * saved domain's XML (a save's
                                              * or restore's --xml): devices
                                              * without an address get one,
                                              * and post-parse adds what a
                                              * definition gets (the serial
                                              * port's console) */
    VGM_DOMAIN_PARSE_STORED = 1 << 5,        /* a stored config, read as
                                              * libvirt loads one: of the
                                              * rules only the size limits
                                              * (a start checks the rest) */
} VgmDomainParseFlags;

/* Parse, post-parse and (unless told not to) generic validation. */
VgmDomainDef *vgmDomainDefParseString(const char *xml, const char *filename,
                                      unsigned int flags, GError **error);
VgmDomainDef *vgmDomainDefParseFile(const char *filename, unsigned int flags,
                                    GError **error);
/* Which PCI machine @def has: 1 the PC, 2 q35, 0 neither */
int vgmDomainPciMachineKind(const VgmDomainDef *def);

VgmDomainDef *vgmDomainDefParseNode(xmlDocPtr doc, xmlNodePtr root,
                                    unsigned int flags, GError **error);

/* Canonical XML (libvirt's element order, two-space indentation). */
char *vgmDomainDefFormat(const VgmDomainDef *def);
/* @xml (vgmDomainDefFormat's) without its secrets: the passwd='' of
 * each <graphics>, as libvirt's XML without the secure flag */
char *vgmDomainXMLHideSecrets(const char *xml);

/* post-parse: defaults libvirt fills in (domain_postparse.c); @flags are
 * the parse's (VGM_DOMAIN_PARSE_LIVE: a running domain's XML, whose
 * devices keep the places their QEMU ids came from) */
gboolean vgmDomainDefPostParse(VgmDomainDef *def, unsigned int flags, GError **error);
/* Whether @a is the one audio backend @def has, and what the post-parse
 * gives a domain that names none (libvirt leaves it out of a migratable
 * XML) */
gboolean vgmDomainAudioIsDefault(const VgmDomainDef *def, const VgmAudioDef *a);

/* PCI addresses as libvirt's QEMU driver hands them out, with the PCI
 * controllers they need, on the x86 PC and q35 machines (domain_pci.c) */
gboolean vgmDomainPciAssign(VgmDomainDef *def, GError **error);

/* generic validation (domain_validate.c) */
gboolean vgmDomainDefValidate(const VgmDomainDef *def, GError **error);
/* only the first rule, the sizes every other piece of code relies on,
 * which a parse with VGM_DOMAIN_PARSE_STORED checks */
gboolean vgmDomainDefValidateLimits(const VgmDomainDef *def, GError **error);

/* Calls @func for each device of @def with an <acpi index>: its element
 * name, its position among the devices of that element, its address;
 * stops at the first FALSE. */
typedef gboolean (*VgmDomainAcpiIndexFunc)(const char *element, guint nth,
                                           const VgmDeviceAddress *addr, gpointer opaque,
                                           GError **error);
gboolean vgmDomainDefForEachAcpiIndex(const VgmDomainDef *def, VgmDomainAcpiIndexFunc func,
                                      gpointer opaque, GError **error);

/* ---- helpers shared by the domain_*.c files ---- */

/* Effective guest RAM facts used by validation and the QEMU driver. */
gboolean vgmDomainDefUsesGuestMemfd(const VgmDomainDef *def);
/* Whether @def adds to QEMU's command line (<qemu:commandline>) */
gboolean vgmDomainDefHasQemuCommandline(const VgmDomainDef *def);
gboolean vgmDomainDefInPlaceConversion(const VgmDomainDef *def);
/* Total of NUMA cell memory, KiB */
unsigned long long vgmDomainDefNumaTotalMemory(const VgmDomainDef *def);
size_t vgmDomainDefNumaCells(const VgmDomainDef *def);
/* Whether @alias is an interface's QEMU id ("netN") */
gboolean vgmDomainNetAliasValid(const char *alias);
/* Interface @index's QEMU id: its alias, or "netN" after the highest
 * such id (the interfaces before it numbered first), as libvirt names
 * interfaces */
char *vgmDomainNetAlias(const VgmDomainDef *def, guint index);
/* Names the interfaces of @def that have no alias "netN", and the memory
 * devices that have none ("dimmN", ...), N from one above the highest
 * taken (as libvirt names them at a start and a hot-plug) */
void vgmDomainDefAssignLiveAliases(VgmDomainDef *def);

/* A size element (decimal content, unit='' as libvirt's scaled integers,
 * KiB by default) in whole KiB, rounded up and held to the memory limit;
 * 0 without @node, 1 with, -1 on an error. */
int vgmDomainSizeParse(xmlNodePtr node, unsigned long long *kib, GError **error);

/* Random bytes for uuids and MAC addresses; tests install a repeatable
 * source so that golden files stay stable. */
typedef void (*VgmRandomBytesFunc)(unsigned char *buf, size_t len);
void vgmDomainSetRandomBytesFunc(VgmRandomBytesFunc func);
void vgmDomainRandomBytes(unsigned char *buf, size_t len);

/* Memory with devices taken out: what main RAM or the NUMA cells hold. */
unsigned long long vgmDomainDefGetMemoryInitial(const VgmDomainDef *def);
unsigned long long vgmDomainDefGetMemoryDevicesTotal(const VgmDomainDef *def);

void vgmDomainUUIDFormat(const unsigned char *uuid, char *out /* 37 bytes */);
gboolean vgmDomainUUIDParse(const char *str, unsigned char *uuid);
/* A unicast MAC address, canonical (lower-case pairs); NULL with an error
 * naming <mac> when it is not one. */
char *vgmDomainMacParse(const char *str, GError **error);

/* The <boot order> of every device that has one (unsigned int), in the
 * order of the device lists */
GArray *vgmDomainDefBootOrders(const VgmDomainDef *def);

/* Whether the NUMA cells describe ACPI HMAT (memory-side caches or
 * <interconnects>) */
gboolean vgmDomainDefHasHmat(const VgmDomainDef *def);

/* The HMAT initiator of NUMA cell @cell, as libvirt picks it: the cell
 * itself when it has CPUs, else the initiator of its lowest latency, else
 * of its largest bandwidth, else the first cell with CPUs; -1 when no
 * cell has CPUs. */
int vgmDomainDefNumaInitiator(const VgmDomainDef *def, size_t cell);

/* Whether a <filesystem> of the domain is virtiofs (a vhost-user device) */
gboolean vgmDomainDefHasVirtiofs(const VgmDomainDef *def);
/* Whether the domain has a vhost-user device (a virtiofs share, a
 * vhostuser disk), whose backend maps the guest's RAM; its name for
 * messages, or NULL */
const char *vgmDomainDefVhostUserDevice(const VgmDomainDef *def);

/* Device address: parse an <address> child (if any) / format it. */
gboolean vgmDeviceAddressParse(xmlNodePtr devNode, VgmDeviceAddress *addr,
                               GError **error);
void vgmDeviceAddressFormat(VgmBuf *buf, const VgmDeviceAddress *addr);
/* A device's <alias name=''/> (what vgmDevicesDropLiveState kept of it)
 * into @alias, a buffer of VGM_DEVICE_ALIAS_MAX, then its <address>; the
 * formatting of both, in libvirt's place (the alias right before the
 * address) */
gboolean vgmDeviceAliasParse(xmlNodePtr devNode, char *alias, GError **error);
gboolean vgmDeviceInfoParse(xmlNodePtr devNode, char *alias, VgmDeviceAddress *addr,
                            GError **error);
void vgmDeviceInfoFormat(VgmBuf *buf, const char *alias, const VgmDeviceAddress *addr);
/* Whether @id can be a QEMU device id (a letter, then letters, digits,
 * '-', '.' and '_'), and a user alias ('ua-', then letters, digits, '-'
 * and '_', as libvirt takes them) */
gboolean vgmDeviceIdValid(const char *id);
/* The <alias> of device element @dev as a definition keeps it (a user
 * alias of a device QEMU has an id for; one of another device refused;
 * libvirt's own ids dropped) or, with @live, as a running domain's XML
 * keeps it */
gboolean vgmDomainDeviceDropAlias(xmlNodePtr dev, gboolean live, GError **error);
gboolean vgmDeviceUserAliasValid(const char *alias);
/* A network image's <source protocol=''> with its <host>s and, checked
 * against the protocol, its <auth>; its formatting */
VgmDiskNetSource *vgmDiskNetSourceParseChecked(xmlNodePtr src, GError **error);
void vgmDiskNetSourceFormat(VgmBuf *buf, const VgmDiskNetSource *net);
void vgmDiskNetSourceFree(VgmDiskNetSource *net);

/* An empty-only element list for vgmXMLCheckNode (no children, no text). */
extern const char *const vgmXMLNoChildren[];

/* Per-concern parsers and formatters; each returns FALSE with *error set. */
gboolean vgmDomainMemoryParse(VgmDomainDef *def, xmlNodePtr root, GError **error);
void vgmDomainMemoryFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainMemoryBackingFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainNumatuneFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainMemoryDefFree(VgmMemoryDef *mem);

gboolean vgmDomainCpuParse(VgmDomainDef *def, xmlNodePtr root, GError **error);
/* domain_iothread.c: <iothreads>, <iothreadids>, <defaultiothread> and
 * <iothreadpin> */
gboolean vgmDomainIOThreadsParse(VgmDomainDef *def, xmlNodePtr root, GError **error);
void vgmDomainIOThreadsFormat(VgmBuf *buf, const VgmDomainDef *def);
gboolean vgmDomainIOThreadPinParse(VgmDomainDef *def, xmlNodePtr pin, GError **error);
void vgmDomainIOThreadPinFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainIOThreadFree(VgmDomainIOThread *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDomainIOThread, vgmDomainIOThreadFree)
/* the I/O thread with id @id, or NULL */
VgmDomainIOThread *vgmDomainIOThreadFind(const VgmDomainDef *def, unsigned int id);
/* libvirt's virDomainAddIOThread on @def: a thread of id @id (above 0,
 * not taken) added, listed in <iothreadids> */
gboolean vgmDomainIOThreadAdd(VgmDomainDef *def, unsigned int id, GError **error);
/* libvirt's virDomainDelIOThread on @def: thread @id, which no disk or
 * controller uses, removed with its pin and scheduler; the threads after
 * it are listed from then on, so that their ids stay */
gboolean vgmDomainIOThreadDel(VgmDomainDef *def, unsigned int id, GError **error);
/* <idmap> (domain_os.c) */
gboolean vgmDomainIdmapParse(VgmDomainDef *def, xmlNodePtr root, GError **error);
void vgmDomainIdmapFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainVcpuFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainCputuneFormat(VgmBuf *buf, const VgmDomainDef *def);
/* domain_tune.c: <memtune>, <blkiotune> and <cputune>'s bandwidth and
 * scheduler controls */
gboolean vgmDomainTuneParse(VgmDomainDef *def, xmlNodePtr root, GError **error);
gboolean vgmDomainCputuneBandwidthParse(VgmDomainDef *def, xmlNodePtr node, GError **error);
void vgmDomainCputuneBandwidthFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainCputuneSchedFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainTuneFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainTuneClear(VgmDomainDef *def);
/* whether the domain asks for any control applied through cgroups */
gboolean vgmDomainDefHasCgroupTunables(const VgmDomainDef *def);
gboolean vgmDomainMemtuneIsSet(unsigned long long kib);
void vgmDomainCpuFormat(VgmBuf *buf, const VgmDomainDef *def);
/* A <cpu> element of @cpu (nothing for NULL) */
void vgmDomainCpuDefFormat(VgmBuf *buf, const VgmCpuDef *cpu);
void vgmCpuDefFree(VgmCpuDef *cpu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmCpuDef, vgmCpuDefFree)

/* A <cpu> given alone, as libvirt's CPU comparison and baseline calls take
 * one: a host CPU (with <arch>, as capabilities describe the host's) or a
 * guest CPU (as in a domain, with its mode, match and feature policies). */
typedef struct {
    VgmCpuDef *def;         /* a host CPU's features have policy require */
    gboolean host;          /* a host CPU */
    char *arch;             /* a host CPU's <arch> */
} VgmCpuDesc;

/* Parses @xml, a <cpu> element; @hostOnly refuses a guest CPU. */
VgmCpuDesc *vgmCpuDescParseString(const char *xml, gboolean hostOnly, GError **error);
void vgmCpuDescFree(VgmCpuDesc *desc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmCpuDesc, vgmCpuDescFree)

gboolean vgmDomainOsParse(VgmDomainDef *def, xmlNodePtr root, GError **error);
void vgmDomainOsFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainFeaturesFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainClockFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainOsClear(VgmDomainDef *def);

/* <sysinfo> (domain_sysinfo.c). A system <entry name='uuid'> must be the
 * domain's uuid; when the domain has no <uuid> (@uuidGenerated) it becomes
 * the domain's uuid, as in libvirt. */
gboolean vgmDomainSysinfoParse(VgmDomainDef *def, xmlNodePtr root,
                               gboolean uuidGenerated, GError **error);
void vgmDomainSysinfoFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmSysinfoDefFree(VgmSysinfoDef *sysinfo);
/* The first <shmem> of @def a migration (a save, a live update) cannot
 * carry, or NULL: libvirt's and QEMU's rule, only a role='master' one
 * (a peer's would bring the saved memory back over what the other peers
 * wrote since; a doorbell has no role) */
const VgmShmemDef *vgmDomainDefUnmigratableShmem(const VgmDomainDef *def);

/* The <sysinfo type='smbios'> QEMU takes (the first), or NULL. (Those of
 * type='fwcfg' are def->sysinfos' entries with fwCfgs.) */
const VgmSysinfoDef *vgmDomainDefGetSmbiosSysinfo(const VgmDomainDef *def);

gboolean vgmDomainLaunchSecurityParse(VgmDomainDef *def, xmlNodePtr root,
                                      GError **error);
void vgmDomainLaunchSecurityFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmLaunchSecurityDefFree(VgmLaunchSecurityDef *sec);

/* The element of lifecycle event @e ("on_poweroff", ...) and the action
 * @def has for it */
const char *vgmDomainLifecycleElement(VgmDomainLifecycleEvent e);
VgmDomainLifecycleAction *vgmDomainLifecycleField(VgmDomainDef *def, VgmDomainLifecycleEvent e);
/* Whether action @a can answer event @e at all (only a crash can dump
 * core, as libvirt has it); else FALSE with error @code (a VgmErrorCode)
 * naming both */
gboolean vgmDomainLifecycleActionCheck(VgmDomainLifecycleEvent e, VgmDomainLifecycleAction a,
                                       int code, GError **error);

gboolean vgmDomainDevicesParse(VgmDomainDef *def, xmlNodePtr root, unsigned int flags,
                               GError **error);
void vgmDomainDevicesFormat(VgmBuf *buf, const VgmDomainDef *def);
void vgmDomainDevicesClear(VgmDevicesDef *devices);
void vgmDomainDevicesInit(VgmDevicesDef *devices);
/* The root hub ports of USB controller @ctrl: its 'ports', or as libvirt
 * counts them for its model (0 for none, or a model without a device). */
unsigned int vgmDomainUsbControllerPorts(const VgmControllerDef *ctrl);
/* A disk bus whose disks have drive addresses: its controller type, how
 * many buses, targets and units a controller has, and how many units
 * libvirt fills per controller when it hands out addresses (a SCSI
 * controller takes 16384 units, libvirt gives 7 to disks without an
 * address). In the order libvirt adds their implicit controllers. */
typedef struct {
    VgmDiskBus bus;
    const char *controller;
    unsigned int buses, targets, units;
    unsigned int autoUnits;
} VgmDriveBusInfo;
extern const VgmDriveBusInfo vgmDomainDriveBuses[];
extern const size_t vgmDomainNDriveBuses;
/* The drive bus of @bus, or NULL for a bus without drive addresses. */
const VgmDriveBusInfo *vgmDomainDriveBusInfo(VgmDiskBus bus);

/* The place of disk target @dst on its bus, as libvirt counts it: the
 * letters after the prefix (hd, sd, vd) in base 26, "a" being 0 and "aa"
 * 26. */
unsigned int vgmDomainDiskIndex(const char *dst);
/* Adds @ctrl (taken) where libvirt puts a controller in the list. */
void vgmDomainControllerInsert(GPtrArray *ctrls, VgmControllerDef *ctrl);
/* A controller the definition did not give, added after the others, as
 * libvirt adds it: PCI addresses are handed out in list order */
void vgmDomainControllerAppend(GPtrArray *ctrls, VgmControllerDef *ctrl);
/* Every controller of @ctrls (each with its index) where the parser puts
 * it: grouped by type, by index */
void vgmDomainControllersRegroup(GPtrArray *ctrls);
/* A virtio-scsi controller: model virtio-scsi or its transitional and
 * non-transitional variants */
gboolean vgmDomainControllerIsVirtioScsi(const VgmControllerDef *c);

/* The USB controller of index @index (the master of a set of companions),
 * or NULL. */
const VgmControllerDef *vgmDomainDefFindUsbController(const VgmDomainDef *def,
                                                      unsigned int index);

/* The USB ports of a domain (domain_usb.c): each USB controller's root
 * ports, and the ports of the hubs on them */
typedef struct _VgmUsbPortSet VgmUsbPortSet;
/* The root ports of @def's USB controllers, all free */
VgmUsbPortSet *vgmUsbPortSetNew(const VgmDomainDef *def);
void vgmUsbPortSetFree(VgmUsbPortSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmUsbPortSet, vgmUsbPortSetFree)
/* How many root ports the controllers have */
unsigned int vgmUsbPortSetCountPorts(const VgmUsbPortSet *set);
/* Whether USB controller @bus has ports */
gboolean vgmUsbPortSetHasBus(const VgmUsbPortSet *set, unsigned int bus);
/* Port @addr (usb, with a port) taken by the device @what names, or why
 * it cannot be: no such controller, port or hub, or taken already */
gboolean vgmUsbPortSetReserve(VgmUsbPortSet *set, const char *what,
                              const VgmDeviceAddress *addr, GError **error);
/* ... by a hub, whose ports are then there */
gboolean vgmUsbPortSetAddHub(VgmUsbPortSet *set, const char *what,
                             const VgmDeviceAddress *addr, GError **error);
/* The first free port, depth first (on @addr's controller when it is
 * usb, else on the first controller that has one), into @addr and taken,
 * by a @hub or another device; FALSE when there is none */
gboolean vgmUsbPortSetAssign(VgmUsbPortSet *set, VgmDeviceAddress *addr, gboolean hub);
/* Memory devices are parsed by domain_memory.c, called from devices. */
VgmMemoryDef *vgmDomainMemoryDefParse(xmlNodePtr node, gboolean live, GError **error);
/* libvirt's alias prefix of a memory device of @model ("dimm", ...) */
const char *vgmDomainMemoryAliasPrefix(VgmMemoryModel model);
/* N of the alias @mem got in a running domain (its model's prefix and
 * N), or -1 */
gint64 vgmDomainMemoryAliasNumber(const VgmMemoryDef *mem);
void vgmDomainMemoryDefFormat(VgmBuf *buf, const VgmMemoryDef *mem);
