/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_plan.c: deciding every memory backend, the -machine properties and
 * the confidential-guest object (see qemu_plan.h).
 *
 * The memory backend choice follows libvirt's for everything libvirt knows
 * (memory-backend-ram / -file / -memfd from source, access, hugepages and
 * NVDIMM paths; prealloc, host-nodes and policy from numatune; discard) and
 * adds the guest_memfd spellings of the specification, chosen by
 * qemu_validate.c from what the binary offers.
 */
#include "config.h"

#include <string.h>

#include "qemu_plan.h"
#include "qemu_alias.h"
#include "qemu_validate.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

VGM_ENUM_IMPL(vgmQemuBackendRole, VGM_QEMU_BACKEND_LAST, "main", "cell", "device");
VGM_ENUM_IMPL(vgmQemuGmemSpelling, VGM_QEMU_GMEM_LAST,
              "none", "memfd-guest-memfd", "memory-backend-guest-memfd",
              "memfd-x-guest-memfd", "machine-in-place-conversion");

/* The alignment of RAM (VGM_QEMU_RAM_ALIGN_KIB, VGM_QEMU_DIMM_ALIGN_KIB in
 * qemu_plan.h): every aligned size is held to VGM_MEMORY_MAX_KIB again
 * (vgmPlanBackend, and the initial memory in vgmPlanMemory); the other
 * sizes written in bytes (page, label, block, requested and align sizes)
 * were parsed to at most VGM_MEMORY_MAX_KIB KiB or G_MAXINT64 bytes and
 * are not rounded, so KiB * 1024 fits the signed 64 bits QEMU's JSON
 * takes. */

char *
vgmQemuAudiodevId(const VgmDomainDef *def, unsigned int id)
{
    const VgmAudioDef *a;

    if (def->devices.audios->len == 0)
        return NULL;
    a = g_ptr_array_index(def->devices.audios, 0);
    return g_strdup_printf("audio%u", id ? id : a->id);
}

/* Past 64 bits this saturates, so the limit check after it refuses the
 * size instead of seeing a small wrapped one. */
static unsigned long long
vgmAlignUp(unsigned long long v, unsigned long long align)
{
    unsigned long long r;

    if (!vgmSizeRoundUp(v, align, &r))
        return G_MAXUINT64;
    return r;
}

static void
vgmQemuBackendFree(VgmQemuBackend *b)
{
    g_free(b->id);
    g_free(b->qomType);
    if (b->props)
        json_object_unref(b->props);
    if (b->threadContext)
        json_object_unref(b->threadContext);
    g_free(b);
}

static void
vgmQemuMachinePropFree(VgmQemuMachineProp *p)
{
    g_free(p->name);
    g_free(p->value);
    g_free(p);
}

void
vgmQemuPlanFree(VgmQemuPlan *plan)
{
    if (!plan)
        return;
    g_clear_pointer(&plan->machineProps, g_ptr_array_unref);
    g_clear_pointer(&plan->backends, g_ptr_array_unref);
    g_clear_pointer(&plan->memDevices, g_ptr_array_unref);
    if (plan->lsec)
        json_object_unref(plan->lsec);
    vgmQemuFirmwareFree(plan->firmware);
    g_clear_pointer(&plan->files, g_ptr_array_unref);
    g_clear_pointer(&plan->pciBuses, g_ptr_array_unref);
    vgmQemuCpuHostModelFree(plan->hostModel);
    g_clear_pointer(&plan->cpuDropped, g_hash_table_unref);
    g_free(plan);
}

static void
vgmPlanMachineProp(VgmQemuPlan *plan, const char *name, const char *value)
{
    VgmQemuMachineProp *p = g_new0(VgmQemuMachineProp, 1);

    p->name = g_strdup(name);
    p->value = g_strdup(value);
    g_ptr_array_add(plan->machineProps, p);
}

/* What QEMU gets of memory @kib of main RAM or of a NUMA cell: aligned
 * as libvirt aligns it */
static unsigned long long
vgmQemuRamSizeKiB(unsigned long long kib)
{
    return vgmAlignUp(kib, VGM_QEMU_RAM_ALIGN_KIB);
}

/* ... and of memory device @mem (a DIMM aligned, the others as given) */
static unsigned long long
vgmQemuMemDeviceSizeKiB(const VgmMemoryDef *mem)
{
    return mem->model == VGM_MEMORY_MODEL_DIMM ? vgmAlignUp(mem->size, VGM_QEMU_DIMM_ALIGN_KIB)
                                                : mem->size;
}

/* The sizes of @def's memory as QEMU gets them (main RAM or each NUMA
 * cell, and DIMMs, aligned: what vgmPlanMemory plans), set in @def when
 * @apply; whether any differs from what @def says */
static gboolean
vgmQemuAlignMemory(VgmDomainDef *def, gboolean apply)
{
    size_t ncells = vgmDomainDefNumaCells(def);
    unsigned long long initial = vgmDomainDefGetMemoryInitial(def);
    unsigned long long devs = 0;
    unsigned long long total;
    gboolean changed = FALSE;
    size_t i;

    if (ncells > 0) {
        initial = 0;
        for (i = 0; i < ncells; i++) {
            unsigned long long mem = vgmQemuRamSizeKiB(def->cpu->cells[i].mem);

            changed |= mem != def->cpu->cells[i].mem;
            if (apply)
                def->cpu->cells[i].mem = mem;
            initial += mem;
        }
    } else {
        initial = vgmQemuRamSizeKiB(initial);
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        unsigned long long size = vgmQemuMemDeviceSizeKiB(mem);

        if (mem->model == VGM_MEMORY_MODEL_SGX_EPC)
            continue;
        changed |= size != mem->size;
        if (apply)
            mem->size = size;
        devs += size;
    }
    total = initial + devs;
    changed |= total != def->memory;
    if (apply) {
        /* (a balloon target of the whole memory stays the whole of it) */
        if (def->curMemory == def->memory || def->curMemory > total)
            def->curMemory = total;
        def->memory = total;
    }
    return changed;
}

const char *
vgmQemuDefaultCpuModel(const VgmQemuCaps *caps)
{
    /* the binary's default, which is 32-bit on qemu-system-i386 */
    return g_strcmp0(vgmQemuCapsGetArch(caps), "i386") == 0 ? "qemu32" : "qemu64";
}

gboolean
vgmQemuCpuLacksModel(const VgmDomainDef *def)
{
    return !def->cpu || (def->cpu->mode == VGM_CPU_MODE_CUSTOM && !def->cpu->model);
}

void
vgmQemuCpuSetDefault(VgmDomainDef *def, const char *model)
{
    if (!model || !vgmQemuCpuLacksModel(def))
        return;
    if (!def->cpu)
        def->cpu = g_new0(VgmCpuDef, 1);
    def->cpu->mode = VGM_CPU_MODE_CUSTOM;
    if (def->cpu->match == VGM_CPU_MATCH_DEFAULT)
        def->cpu->match = VGM_CPU_MATCH_EXACT;
    if (def->cpu->check == VGM_CPU_CHECK_DEFAULT)
        def->cpu->check = VGM_CPU_CHECK_NONE;
    def->cpu->fallback = VGM_CPU_FALLBACK_FORBID;
    def->cpu->model = g_strdup(model);
}

gboolean
vgmQemuMemoryUnaligned(const VgmDomainDef *def)
{
    return vgmQemuAlignMemory((VgmDomainDef *)def, FALSE);
}

void
vgmQemuMemoryAlign(VgmDomainDef *def)
{
    vgmQemuAlignMemory(def, TRUE);
}

GStrv
vgmQemuMemoryDeviceAliases(const VgmDomainDef *def)
{
    guint n = def->devices.mems->len;
    GStrv aliases = g_new0(char *, n + 1);
    /* the next number of each prefix; prefixes are one per model */
    unsigned int next[VGM_MEMORY_MODEL_LAST + 1] = { 0 };
    guint i;

    /* numbered per prefix, in document order, as libvirt does; devices
     * with a user alias take no number */
    for (i = 0; i < n; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        size_t m = MIN((size_t)mem->model, (size_t)VGM_MEMORY_MODEL_LAST);

        if (mem->alias)
            aliases[i] = g_strdup(mem->alias);
        else
            aliases[i] = g_strdup_printf("%s%u", vgmDomainMemoryAliasPrefix(mem->model),
                                         next[m]++);
    }
    return aliases;
}

/* Everything one backend depends on, gathered like libvirt gathers it. */
typedef struct {
    const char *id;
    VgmQemuBackendRole role;
    int cell;                        /* target guest node or -1 */
    unsigned long long sizeKiB;
    unsigned long long pagesizeKiB;  /* the device's own <pagesize> */
    const char *path;                /* nvdimm / virtio-pmem file */
    VgmDomainMemoryAccess access;    /* the device's own access */
    VgmTristate discard;             /* the device's own discard */
    const VgmMemoryDef *mem;         /* for devices */
    gboolean guestMemfdCapable;      /* RAM that becomes guest_memfd */
} VgmBackendReq;

static VgmBitmap *
vgmPlanHostNodes(const VgmDomainDef *def, const VgmQemuConfig *cfg, const VgmBackendReq *req,
                 VgmDomainNumatuneMemMode *mode)
{
    const VgmDomainNumatune *nt = &def->numatune;
    size_t i;

    *mode = nt->memorySet ? nt->mode : VGM_DOMAIN_NUMATUNE_MEM_STRICT;
    if (req->cell >= 0) {
        for (i = 0; i < nt->nmemnodes; i++) {
            if ((int)nt->memnodes[i].cellid == req->cell) {
                *mode = nt->memnodes[i].mode;
                if (req->mem && req->mem->sourceNodes)
                    return req->mem->sourceNodes;
                return nt->memnodes[i].nodeset;
            }
        }
    }
    if (req->mem && req->mem->sourceNodes)
        return req->mem->sourceNodes;
    /* automatic placement: where numad advised */
    if (nt->memorySet && nt->placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO)
        return cfg->autoNodeset;
    if (nt->memorySet)
        return nt->nodeset;
    return NULL;
}

static const char *
vgmPlanPolicy(VgmDomainNumatuneMemMode mode)
{
    switch (mode) {
    case VGM_DOMAIN_NUMATUNE_MEM_STRICT: return "bind";
    case VGM_DOMAIN_NUMATUNE_MEM_PREFERRED: return "preferred";
    case VGM_DOMAIN_NUMATUNE_MEM_INTERLEAVE: return "interleave";
    case VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE:
    case VGM_DOMAIN_NUMATUNE_MEM_LAST: break;
    }
    return NULL;
}

static JsonArray *
vgmPlanNodeArray(const VgmBitmap *nodes)
{
    JsonArray *arr = json_array_new();
    int n;

    for (n = vgmBitmapNext(nodes, -1); n >= 0; n = vgmBitmapNext(nodes, n))
        json_array_add_int_element(arr, n);
    return arr;
}

static VgmQemuBackend *
vgmPlanBackend(const VgmDomainDef *def, const VgmQemuCaps *caps,
               const VgmQemuConfig *cfg, const VgmQemuGmemChoice *gmem,
               const VgmBackendReq *req, GError **error)
{
    VgmQemuBackend *b = g_new0(VgmQemuBackend, 1);
    const VgmDomainMemoryBacking *mb = &def->mb;
    VgmDomainMemoryAccess access = req->access;
    VgmTristate discard = req->discard;
    VgmDomainNumatuneMemMode mode;
    const VgmBitmap *nodes;
    unsigned long long pagesize = req->pagesizeKiB;
    gboolean useHugepage = pagesize != 0;
    gboolean prealloc = FALSE;
    gboolean shareSet = FALSE;
    gboolean share = FALSE;
    gboolean canonicalOff = FALSE;
    gboolean gmemRam = req->guestMemfdCapable && gmem->spelling != VGM_QEMU_GMEM_NONE;
    JsonObject *p = json_object_new();
    gint64 bytes;

    b->id = g_strdup(req->id);
    b->role = req->role;
    b->cell = req->cell;
    if (req->sizeKiB > VGM_MEMORY_MAX_KIB || !vgmSizeKiBToBytes(req->sizeKiB, &bytes)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("memory backend '%1$s' is %2$llu KiB after QEMU's alignment, more than the limit of %3$llu KiB"),
                    req->id, req->sizeKiB, VGM_MEMORY_MAX_KIB);
        vgmQemuBackendFree(b);
        json_object_unref(p);
        return NULL;
    }
    b->size = bytes;

    if (req->cell >= 0 && (size_t)req->cell < vgmDomainDefNumaCells(def)) {
        const VgmDomainNumaCell *cell = &def->cpu->cells[req->cell];
        if (!access)
            access = cell->memAccess;
        if (!discard)
            discard = cell->discard;
    }
    if (!access)
        access = mb->access;
    if (!discard)
        discard = mb->discard;

    if (!pagesize) {
        pagesize = vgmQemuHugepageForNode(def, req->cell);
        useHugepage = pagesize != 0;
    }
    if (pagesize == 4) {
        /* a "huge" page of the normal page size is no huge page at all */
        pagesize = 0;
        useHugepage = FALSE;
    }
    if (mb->allocation == VGM_DOMAIN_MEMORY_ALLOCATION_IMMEDIATE)
        prealloc = TRUE;

    json_object_set_string_member(p, "qom-type", "");
    json_object_set_string_member(p, "id", req->id);

    if (req->mem && req->mem->model == VGM_MEMORY_MODEL_SGX_EPC) {
        /* QEMU makes EPC backends shared itself */
        b->qomType = g_strdup("memory-backend-epc");
        share = shareSet = TRUE;
        prealloc = TRUE;
    } else if (gmemRam) {
        /* guest_memfd RAM is always shared; hugetlb guest_memfd is asked
         * for on the confidential-guest object, never here */
        share = shareSet = TRUE;
        b->guestMemfd = TRUE;
        useHugepage = FALSE;
        switch ((VgmQemuGmemSpelling)gmem->spelling) {
        case VGM_QEMU_GMEM_MEMFD_PROP:
            b->qomType = g_strdup("memory-backend-memfd");
            json_object_set_boolean_member(p, "share", TRUE);
            json_object_set_boolean_member(p, "guest-memfd", TRUE);
            canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
            break;
        case VGM_QEMU_GMEM_MEMFD_XPROP:
            b->qomType = g_strdup("memory-backend-memfd");
            json_object_set_boolean_member(p, "share", TRUE);
            json_object_set_boolean_member(p, "x-guest-memfd", TRUE);
            canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
            break;
        case VGM_QEMU_GMEM_BACKEND:
            b->qomType = g_strdup("memory-backend-guest-memfd");
            json_object_set_boolean_member(p, "share", TRUE);
            /* main RAM keeps one RAMBlock id whatever the spelling */
            canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
            break;
        case VGM_QEMU_GMEM_MACHINE:
            /* the machine's in-place-conversion makes memfd guest_memfd */
            b->qomType = g_strdup("memory-backend-memfd");
            json_object_set_boolean_member(p, "share", TRUE);
            canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
            break;
        case VGM_QEMU_GMEM_NONE:
        case VGM_QEMU_GMEM_LAST:
            break;
        }
    } else if (!req->path && mb->source == VGM_DOMAIN_MEMORY_SOURCE_MEMFD) {
        b->qomType = g_strdup("memory-backend-memfd");
        if (useHugepage) {
            json_object_set_boolean_member(p, "hugetlb", TRUE);
            json_object_set_int_member(p, "hugetlbsize", pagesize * 1024);
            prealloc = TRUE;
        }
        canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
    } else if (useHugepage || req->path || access ||
               mb->source == VGM_DOMAIN_MEMORY_SOURCE_FILE) {
        g_autofree char *path = NULL;

        b->qomType = g_strdup("memory-backend-file");
        if (req->path) {
            path = g_strdup(req->path);
            if (req->mem->pmem != VGM_TRISTATE_YES &&
                req->mem->model != VGM_MEMORY_MODEL_VIRTIO_PMEM)
                prealloc = TRUE;
        } else if (useHugepage) {
            const char *mount = vgmQemuConfigGetHugetlbfs(cfg, pagesize);
            if (!mount) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("no hugetlbfs is mounted for %1$llu KiB pages, which <hugepages> asks for"),
                            pagesize);
                vgmQemuBackendFree(b);
                json_object_unref(p);
                return NULL;
            }
            path = g_build_filename(mount, "virt-gmem", def->name, NULL);
            prealloc = TRUE;
        } else {
            path = g_build_filename(cfg->memoryDir, def->name, req->id, NULL);
        }
        json_object_set_string_member(p, "mem-path", path);
        if (!req->path && discard)
            json_object_set_boolean_member(p, "discard-data", discard == VGM_TRISTATE_YES);
        canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
    } else {
        b->qomType = g_strdup("memory-backend-ram");
    }

    /* live update: every backend fd-based and shared */
    if (mb->liveUpdate && !b->guestMemfd) {
        if (g_str_equal(b->qomType, "memory-backend-ram")) {
            g_free(b->qomType);
            b->qomType = g_strdup("memory-backend-memfd");
            canonicalOff = req->role == VGM_QEMU_BACKEND_MAIN;
        }
        access = VGM_DOMAIN_MEMORY_ACCESS_SHARED;
    }

    if (!shareSet && access) {
        share = access == VGM_DOMAIN_MEMORY_ACCESS_SHARED;
        json_object_set_boolean_member(p, "share", share);
        shareSet = TRUE;
    }
    if (!shareSet)
        share = g_str_equal(b->qomType, "memory-backend-memfd"); /* QEMU's default */

    /* virtio-mem preallocates what the guest plugs, so QEMU wants prealloc
     * on the device (with reserve=off on the backend), as libvirt does */
    if (req->mem && req->mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM) {
        b->devicePrealloc = prealloc;
        prealloc = FALSE;
    }

    /* libvirt's order: type-specific, share, canonical path, prealloc */
    if (canonicalOff && vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BACKEND_CANONICAL_RAMBLOCK_ID))
        json_object_set_boolean_member(p, "x-use-canonical-path-for-ramblock-id", FALSE);

    if (prealloc) {
        json_object_set_boolean_member(p, "prealloc", TRUE);
        if (mb->allocationThreads)
            json_object_set_int_member(p, "prealloc-threads", mb->allocationThreads);
    }

    nodes = vgmPlanHostNodes(def, cfg, req, &mode);
    if (prealloc && nodes && mode != VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE &&
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_OBJECT_THREAD_CONTEXT) &&
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BACKEND_PREALLOC_CONTEXT)) {
        g_autofree char *tc = g_strdup_printf("tc-%s", req->id);
        b->threadContext = json_object_new();
        json_object_set_string_member(b->threadContext, "qom-type", "thread-context");
        json_object_set_string_member(b->threadContext, "id", tc);
        json_object_set_array_member(b->threadContext, "node-affinity", vgmPlanNodeArray(nodes));
        json_object_set_string_member(p, "prealloc-context", tc);
    }

    if (req->mem && req->mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM &&
        vgmQemuCapsGet(caps, VGM_QEMU_CAPS_BACKEND_RESERVE))
        json_object_set_boolean_member(p, "reserve", FALSE);

    json_object_set_int_member(p, "size", b->size);

    if (req->mem && req->mem->alignsize)
        json_object_set_int_member(p, "align", req->mem->alignsize * 1024);
    if (req->mem && req->mem->pmem == VGM_TRISTATE_YES)
        json_object_set_boolean_member(p, "pmem", TRUE);

    if (nodes && mode != VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE &&
        !g_str_equal(b->qomType, "memory-backend-epc")) {
        json_object_set_array_member(p, "host-nodes", vgmPlanNodeArray(nodes));
        json_object_set_string_member(p, "policy", vgmPlanPolicy(mode));
    }

    json_object_set_string_member(p, "qom-type", b->qomType);
    b->props = p;
    b->share = share;
    return b;
}

static gboolean
vgmPlanMemory(VgmQemuPlan *plan, const VgmDomainDef *def, const VgmQemuCaps *caps,
              const VgmQemuConfig *cfg, const VgmQemuGmemChoice *gmem,
              const GStrv aliases, GError **error)
{
    size_t ncells = vgmDomainDefNumaCells(def);
    unsigned int slot = 0;      /* DIMMs so far: the slot of one without <address> */
    VgmQemuBackend *b;
    guint i;

    plan->initialKiB = vgmQemuRamSizeKiB(vgmDomainDefGetMemoryInitial(def));
    if (ncells == 0) {
        VgmBackendReq req = {
            .id = plan->machine->defaultRamId,
            .role = VGM_QEMU_BACKEND_MAIN,
            .cell = -1,
            .sizeKiB = plan->initialKiB,
            .guestMemfdCapable = TRUE,
        };
        if (!plan->machine->defaultRamId) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("machine type '%1$s' has no main RAM backend id (default-ram-id)"),
                        plan->machine->name);
            return FALSE;
        }
        if (!(b = vgmPlanBackend(def, caps, cfg, gmem, &req, error)))
            return FALSE;
        g_ptr_array_add(plan->backends, b);
    } else {
        unsigned long long total = 0;

        for (i = 0; i < ncells; i++) {
            g_autofree char *id = g_strdup_printf("ram-node%u", i);
            VgmBackendReq req = {
                .id = id,
                .role = VGM_QEMU_BACKEND_CELL,
                .cell = i,
                .sizeKiB = vgmQemuRamSizeKiB(def->cpu->cells[i].mem),
                .guestMemfdCapable = TRUE,
            };
            if (!(b = vgmPlanBackend(def, caps, cfg, gmem, &req, error)))
                return FALSE;
            total += req.sizeKiB;
            g_ptr_array_add(plan->backends, b);
        }
        plan->initialKiB = total;
    }
    /* each cell was aligned on its own: together they may pass the limit
     * their unaligned sum kept to */
    if (plan->initialKiB > VGM_MEMORY_MAX_KIB) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the initial memory is %1$llu KiB after QEMU's alignment of each NUMA cell, more than the limit of %2$llu KiB"),
                    plan->initialKiB, VGM_MEMORY_MAX_KIB);
        return FALSE;
    }

    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        const char *alias = aliases[i];
        g_autofree char *id = g_strdup_printf("mem%s", alias);
        gboolean isRam = mem->model == VGM_MEMORY_MODEL_DIMM ||
                         mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM;
        VgmBackendReq req = {
            .id = id,
            .role = VGM_QEMU_BACKEND_DEVICE,
            .cell = mem->haveNode ? (int)mem->node : -1,
            .pagesizeKiB = mem->pagesize,
            .path = mem->sourcePath,
            .access = mem->access,
            .discard = mem->discard,
            .mem = mem,
            .guestMemfdCapable = isRam && !mem->sourcePath,
        };
        JsonObject *dev;

        req.sizeKiB = vgmQemuMemDeviceSizeKiB(mem);
        if (!(b = vgmPlanBackend(def, caps, cfg, gmem, &req, error)))
            return FALSE;
        g_ptr_array_add(plan->backends, b);

        dev = json_object_new();
        switch (mem->model) {
        case VGM_MEMORY_MODEL_DIMM:
        case VGM_MEMORY_MODEL_NVDIMM:
            json_object_set_string_member(dev, "driver",
                                          mem->model == VGM_MEMORY_MODEL_DIMM ? "pc-dimm" : "nvdimm");
            if (mem->haveNode)
                json_object_set_int_member(dev, "node", mem->node);
            if (mem->model == VGM_MEMORY_MODEL_NVDIMM) {
                if (mem->labelsize)
                    json_object_set_int_member(dev, "label-size", mem->labelsize * 1024);
                if (mem->readonly)
                    json_object_set_boolean_member(dev, "unarmed", TRUE);
            }
            json_object_set_string_member(dev, "memdev", id);
            json_object_set_string_member(dev, "id", alias);
            if (mem->addr.type == VGM_ADDRESS_DIMM) {
                json_object_set_int_member(dev, "slot", mem->addr.slot);
                if (mem->addr.base)
                    json_object_set_int_member(dev, "addr", mem->addr.base);
            } else {
                /* the number of earlier DIMMs, as libvirt picks */
                json_object_set_int_member(dev, "slot", slot);
            }
            slot++;
            g_ptr_array_add(plan->memDevices, dev);
            break;
        case VGM_MEMORY_MODEL_VIRTIO_MEM:
            json_object_set_string_member(dev, "driver", "virtio-mem-pci");
            if (mem->haveNode)
                json_object_set_int_member(dev, "node", mem->node);
            json_object_set_int_member(dev, "block-size", mem->blocksize * 1024);
            json_object_set_int_member(dev, "requested-size", mem->requested * 1024);
            if (b->devicePrealloc)
                json_object_set_boolean_member(dev, "prealloc", TRUE);
            json_object_set_string_member(dev, "memdev", id);
            json_object_set_string_member(dev, "id", alias);
            vgmQemuPlanPciAddress(dev, &mem->addr, plan);
            g_ptr_array_add(plan->memDevices, dev);
            break;
        case VGM_MEMORY_MODEL_VIRTIO_PMEM:
            json_object_set_string_member(dev, "driver", "virtio-pmem-pci");
            json_object_set_string_member(dev, "memdev", id);
            json_object_set_string_member(dev, "id", alias);
            vgmQemuPlanPciAddress(dev, &mem->addr, plan);
            g_ptr_array_add(plan->memDevices, dev);
            break;
        case VGM_MEMORY_MODEL_SGX_EPC:
            /* EPC sections are machine properties (vgmPlanMachine) */
            json_object_unref(dev);
            break;
        case VGM_MEMORY_MODEL_LAST:
            json_object_unref(dev);
            break;
        }
    }
    return TRUE;
}

void
vgmQemuPlanPciAddress(JsonObject *dev, const VgmDeviceAddress *addr, const VgmQemuPlan *plan)
{
    g_autofree char *bus = NULL;
    g_autofree char *a = NULL;

    if (addr->type != VGM_ADDRESS_PCI)
        return;
    if (addr->bus == 0)
        bus = g_strdup(strstr(plan->machine->name, "q35") ? "pcie.0" : "pci.0");
    else if (addr->bus < plan->pciBuses->len && g_ptr_array_index(plan->pciBuses, addr->bus))
        bus = g_strdup(g_ptr_array_index(plan->pciBuses, addr->bus));
    else
        bus = g_strdup_printf("pci.%u", addr->bus);
    if (addr->function)
        a = g_strdup_printf("0x%x.0x%x", addr->slot, addr->function);
    else
        a = g_strdup_printf("0x%x", addr->slot);
    json_object_set_string_member(dev, "bus", bus);
    if (addr->multifunction == VGM_TRISTATE_YES)
        json_object_set_boolean_member(dev, "multifunction", TRUE);
    json_object_set_string_member(dev, "addr", a);
    if (addr->acpiIndex)
        json_object_set_int_member(dev, "acpi-index", addr->acpiIndex);
}

static void
vgmPlanFileFree(VgmQemuPlanFile *f)
{
    g_free(f->path);
    g_free(f->content);
    g_free(f);
}

/* @content in the domain's run-time dir as @name: QEMU takes the path */
static const char *
vgmPlanFile(VgmQemuPlan *plan, const VgmDomainDef *def, const VgmQemuConfig *cfg,
            const char *name, const char *content)
{
    g_autofree char *dir = vgmQemuConfigDomainRunDir(cfg, def->name);
    VgmQemuPlanFile *f = g_new0(VgmQemuPlanFile, 1);

    f->path = g_build_filename(dir, name, NULL);
    f->content = g_strdup(content);
    g_ptr_array_add(plan->files, f);
    return f->path;
}

static void
vgmPlanLaunchSecurity(VgmQemuPlan *plan, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                      const VgmQemuGmemChoice *gmem)
{
    const VgmLaunchSecurityDef *sec = def->sec;
    JsonObject *o;

    if (!sec)
        return;
    o = json_object_new();
    switch (sec->type) {
    case VGM_LAUNCH_SECURITY_SEV:
    case VGM_LAUNCH_SECURITY_SEV_SNP: {
        gboolean snp = sec->type == VGM_LAUNCH_SECURITY_SEV_SNP;
        json_object_set_string_member(o, "qom-type", snp ? "sev-snp-guest" : "sev-guest");
        json_object_set_string_member(o, "id", "lsec0");
        /* without <cbitpos>/<reducedPhysBits> libvirt takes them from the
         * host's SEV capabilities at start; here the usual EPYC values */
        json_object_set_int_member(o, "cbitpos", sec->haveCbitpos ? sec->cbitpos : 51);
        json_object_set_int_member(o, "reduced-phys-bits",
                                   sec->haveReducedPhysBits ? sec->reducedPhysBits : 1);
        if (!snp) {
            json_object_set_int_member(o, "policy", sec->policy);
            /* QEMU reads the owner's certificate and the session blob
             * from files, which libvirt writes from the XML's base64 */
            if (sec->dhCert)
                json_object_set_string_member(o, "dh-cert-file",
                                              vgmPlanFile(plan, def, cfg, "dh_cert.base64",
                                                          sec->dhCert));
            if (sec->session)
                json_object_set_string_member(o, "session-file",
                                              vgmPlanFile(plan, def, cfg, "session.base64",
                                                          sec->session));
        } else {
            if (sec->havePolicy)
                json_object_set_int_member(o, "policy", sec->policy);
            if (sec->guestVisibleWorkarounds)
                json_object_set_string_member(o, "guest-visible-workarounds", sec->guestVisibleWorkarounds);
            if (sec->idBlock)
                json_object_set_string_member(o, "id-block", sec->idBlock);
            if (sec->idAuth)
                json_object_set_string_member(o, "id-auth", sec->idAuth);
            if (sec->authorKey)
                json_object_set_boolean_member(o, "author-key-enabled", sec->authorKey == VGM_TRISTATE_YES);
            if (sec->hostData)
                json_object_set_string_member(o, "host-data", sec->hostData);
            if (sec->vcek)
                json_object_set_boolean_member(o, "vcek-disabled", sec->vcek == VGM_TRISTATE_NO);
        }
        if (sec->kernelHashes)
            json_object_set_boolean_member(o, "kernel-hashes", sec->kernelHashes == VGM_TRISTATE_YES);
        break;
    }
    case VGM_LAUNCH_SECURITY_TDX:
        json_object_set_string_member(o, "qom-type", "tdx-guest");
        json_object_set_string_member(o, "id", "lsec0");
        /* the TDX policy is the TD attributes word (bit 28 is
         * SEPT_VE_DISABLE, which QEMU's sept-ve-disable only mirrors) */
        if (sec->havePolicy)
            json_object_set_int_member(o, "attributes", sec->policy);
        if (sec->mrConfigId)
            json_object_set_string_member(o, "mrconfigid", sec->mrConfigId);
        if (sec->mrOwner)
            json_object_set_string_member(o, "mrowner", sec->mrOwner);
        if (sec->mrOwnerConfig)
            json_object_set_string_member(o, "mrownerconfig", sec->mrOwnerConfig);
        if (sec->haveQGS) {
            JsonObject *sock = json_object_new();
            json_object_set_string_member(sock, "type", "unix");
            json_object_set_string_member(sock, "path",
                                          sec->qgsPath ? sec->qgsPath : "/var/run/tdx-qgs/qgs.socket");
            json_object_set_object_member(o, "quote-generation-socket", sock);
        }
        break;
    case VGM_LAUNCH_SECURITY_S390_PV:
        json_object_set_string_member(o, "qom-type", "s390-pv-guest");
        json_object_set_string_member(o, "id", "lsec0");
        break;
    case VGM_LAUNCH_SECURITY_NONE:
    case VGM_LAUNCH_SECURITY_LAST:
        break;
    }
    if (gmem->convertInPlace) {
        json_object_set_boolean_member(o, "convert-in-place", TRUE);
        if (gmem->hugetlb) {
            json_object_set_string_member(o, "gmem-allocator", "hugetlb");
            json_object_set_int_member(o, "gmem-page-size", gmem->pageKiB * 1024);
        }
    }
    plan->lsec = o;
}

static void
vgmPlanMachine(VgmQemuPlan *plan, const VgmDomainDef *def, const VgmQemuCaps *caps,
               const VgmQemuGmemChoice *gmem, const GStrv aliases)
{
    gboolean tdx = def->sec && def->sec->type == VGM_LAUNCH_SECURITY_TDX;
    unsigned int nepc = 0;
    guint i;

    /* the order libvirt writes them in */
    vgmPlanMachineProp(plan, "usb", "off");
    if (def->features.features[VGM_FEATURE_VMPORT])
        vgmPlanMachineProp(plan, "vmport",
                           def->features.features[VGM_FEATURE_VMPORT] == VGM_TRISTATE_YES ? "on" : "off");
    if (tdx)
        vgmPlanMachineProp(plan, "smm", "off");
    else if (def->features.features[VGM_FEATURE_SMM])
        vgmPlanMachineProp(plan, "smm",
                           def->features.features[VGM_FEATURE_SMM] == VGM_TRISTATE_YES ? "on" : "off");
    else if (plan->firmware->smm)
        vgmPlanMachineProp(plan, "smm", "on");  /* the firmware chosen needs it */
    if (tdx || def->features.ioapic == VGM_IOAPIC_QEMU)
        vgmPlanMachineProp(plan, "kernel_irqchip", "split");
    else if (def->features.ioapic == VGM_IOAPIC_KVM)
        vgmPlanMachineProp(plan, "kernel_irqchip", "on");
    vgmPlanMachineProp(plan, "dump-guest-core", def->dumpCore == VGM_TRISTATE_YES ? "on" : "off");
    if (def->mb.nosharepages)
        vgmPlanMachineProp(plan, "mem-merge", "off");
    for (i = 0; i < def->clock.ntimers; i++) {
        const VgmClockTimer *t = &def->clock.timers[i];

        /* QEMU 9.0 removed -no-hpet, which libvirt writes for older QEMU
         * (and we with it); the machine property replaces it */
        if (g_str_equal(t->name, "hpet") && t->present == VGM_TRISTATE_NO &&
            vgmQemuCapsGetVersion(caps) >= 9000000 &&
            vgmQemuCapsCheckMachineProp(caps, "hpet", NULL)) {
            vgmPlanMachineProp(plan, "hpet", "off");
            plan->hpetMachineProp = TRUE;
        }
        /* as libvirt: where kvm-pit has the property, delay unless the
         * timer says discard; catchup is kvm-pit's own default */
        if (g_str_equal(t->name, "pit") && vgmQemuCapsHasPitTickPolicy(caps) &&
            g_strcmp0(t->tickpolicy, "catchup") != 0)
            plan->pitTickPolicy = g_strcmp0(t->tickpolicy, "discard") == 0 ? "discard" : "delay";
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        if (mem->model == VGM_MEMORY_MODEL_NVDIMM) {
            vgmPlanMachineProp(plan, "nvdimm", "on");
            break;
        }
    }
    if (!def->features.features[VGM_FEATURE_ACPI] &&
        vgmQemuCapsCheckMachineProp(caps, "acpi", NULL))
        vgmPlanMachineProp(plan, "acpi", "off");
    if (def->sec)
        vgmPlanMachineProp(plan, "confidential-guest-support", "lsec0");
    if (vgmDomainDefNumaCells(def) == 0)
        vgmPlanMachineProp(plan, "memory-backend", plan->machine->defaultRamId);
    if (plan->firmware->loader && plan->firmware->type == VGM_LOADER_TYPE_PFLASH) {
        vgmPlanMachineProp(plan, "pflash0", "vgm-pflash0-format");
        if (plan->firmware->nvram || plan->firmware->nvramNetwork)
            vgmPlanMachineProp(plan, "pflash1", "vgm-pflash1-format");
    }
    if (vgmDomainDefHasHmat(def))
        vgmPlanMachineProp(plan, "hmat", "on");
    /* the PC speaker plays to its audio backend (validation allows one,
     * on a machine with the property) */
    for (i = 0; i < def->devices.sounds->len; i++) {
        const VgmSoundDef *snd = g_ptr_array_index(def->devices.sounds, i);
        g_autofree char *audio = NULL;

        if (snd->model == VGM_SOUND_PCSPK && (audio = vgmQemuAudiodevId(def, snd->audioId)))
            vgmPlanMachineProp(plan, "pcspk-audiodev", audio);
    }
    /* <bios useserial='yes'>: SeaBIOS (and OVMF) write to the serial
     * console when the machine has no graphics, as libvirt asks for it */
    if (def->os.biosUseserial == VGM_TRISTATE_YES)
        vgmPlanMachineProp(plan, "graphics", "off");
    if (gmem->spelling == VGM_QEMU_GMEM_MACHINE)
        vgmPlanMachineProp(plan, "in-place-conversion", "on");
    if (def->mb.liveUpdate)
        vgmPlanMachineProp(plan, "aux-ram-share", "on");
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        g_autofree char *id = NULL;
        g_autofree char *key = NULL;
        g_autofree char *nodeKey = NULL;
        g_autofree char *nodeVal = NULL;

        if (mem->model != VGM_MEMORY_MODEL_SGX_EPC)
            continue;
        id = g_strdup_printf("mem%s", aliases[i]);
        key = g_strdup_printf("sgx-epc.%u.memdev", nepc);
        nodeKey = g_strdup_printf("sgx-epc.%u.node", nepc);
        nodeVal = g_strdup_printf("%u", mem->haveNode ? mem->node : 0);
        vgmPlanMachineProp(plan, key, id);
        vgmPlanMachineProp(plan, nodeKey, nodeVal);
        nepc++;
    }
}

/* vhost-net, as libvirt uses it: for KVM guests' virtio-net taps, where
 * /dev/vhost-net opens, unless <driver name='qemu'>; <driver name='vhost'>
 * insists on it. A TCG guest runs QEMU's own backend either way. */
static gboolean
vgmPlanVhostNet(VgmQemuPlan *plan, const VgmDomainDef *def, const VgmQemuConfig *cfg,
                GError **error)
{
    guint i;

    plan->vhostNet = plan->accelKVM && cfg->vhostNet;
    if (!plan->accelKVM || cfg->vhostNet)
        return TRUE;
    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *n = g_ptr_array_index(def->devices.nets, i);

        /* (a <backend vhost> is opened at the start, and must open) */
        if (n->driverName == VGM_NET_DRIVER_VHOST && !n->backendVhost) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<driver name='vhost'> of interface '%1$s' needs /dev/vhost-net, which this host cannot open (is the vhost_net module loaded?)"),
                        n->mac);
            return FALSE;
        }
    }
    return TRUE;
}

/* Whether a virtio device with <driver iommu='on'> would be transitional,
 * which QEMU refuses (VIRTIO_F_IOMMU_PLATFORM needs the modern interface):
 * a 'virtio-transitional' model anywhere, and plain 'virtio' on the PC's
 * conventional PCI bus for the device types QEMU still gives a legacy
 * interface (block, net, SCSI, console, rng, balloon, 9p). The others (GPU,
 * input, virtiofs, vsock) are modern-only there too: checked on QEMU 7.2 by
 * -device ...,iommu_platform=on on the pc machine. */
typedef enum {
    VGM_PLAN_VIRTIO_MODERN_ONLY,        /* never transitional */
    VGM_PLAN_VIRTIO_LEGACY_ALLOWED,     /* transitional on conventional PCI */
} VgmPlanVirtioLegacy;

static VgmVirtioKind
vgmPlanIommuKindDisk(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    *legacy = VGM_PLAN_VIRTIO_LEGACY_ALLOWED;
    return vgmVirtioModelToKind(((const VgmDiskDef *)dev)->model);
}

static VgmVirtioKind
vgmPlanIommuKindNet(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    *legacy = VGM_PLAN_VIRTIO_LEGACY_ALLOWED;
    return vgmVirtioModelKind(((const VgmNetDef *)dev)->model);
}

static VgmVirtioKind
vgmPlanIommuKindController(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    VgmVirtioKind k = vgmVirtioModelKind(((const VgmControllerDef *)dev)->model);

    /* virtio-scsi and virtio-serial: 'virtio-scsi', no model, ... are plain */
    *legacy = VGM_PLAN_VIRTIO_LEGACY_ALLOWED;
    return k == VGM_VIRTIO_KIND_NONE ? VGM_VIRTIO_KIND_VIRTIO : k;
}

static VgmVirtioKind
vgmPlanIommuKindModernOnly(gconstpointer dev G_GNUC_UNUSED, VgmPlanVirtioLegacy *legacy)
{
    *legacy = VGM_PLAN_VIRTIO_MODERN_ONLY;
    return VGM_VIRTIO_KIND_VIRTIO;
}

static VgmVirtioKind
vgmPlanIommuKindRng(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    *legacy = VGM_PLAN_VIRTIO_LEGACY_ALLOWED;
    return vgmVirtioModelKind(((const VgmRngDef *)dev)->model);
}

static VgmVirtioKind
vgmPlanIommuKindFs(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    const VgmFsDef *fs = dev;

    *legacy = fs->driver == VGM_FS_DRIVER_VIRTIOFS ? VGM_PLAN_VIRTIO_MODERN_ONLY :
                                                     VGM_PLAN_VIRTIO_LEGACY_ALLOWED;
    return vgmVirtioModelToKind((VgmVirtioModel)fs->model);
}

static VgmVirtioKind
vgmPlanIommuKindMemballoon(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    *legacy = VGM_PLAN_VIRTIO_LEGACY_ALLOWED;
    return vgmVirtioModelKind(((const VgmMemballoonDef *)dev)->model);
}

static VgmVirtioKind
vgmPlanIommuKindVsock(gconstpointer dev, VgmPlanVirtioLegacy *legacy)
{
    *legacy = VGM_PLAN_VIRTIO_MODERN_ONLY;
    return (VgmVirtioKind)((const VgmVsockDef *)dev)->model;
}

static gboolean
vgmPlanIommuPlatform(const VgmQemuPlan *plan, const VgmDomainDef *def, GError **error)
{
    /* the devices that have <driver iommu>: a list of VgmDevicesDef (or
     * one element of it), where the options are, and what kind it is */
    static const struct {
        const char *element;
        size_t member;          /* of VgmDevicesDef: a GPtrArray, or a pointer */
        gboolean single;        /* the member is one element's pointer */
        size_t options;         /* of the VgmVirtioOptions in its element */
        VgmVirtioKind (*kind)(gconstpointer dev, VgmPlanVirtioLegacy *legacy);
    } lists[] = {
        { "disk", G_STRUCT_OFFSET(VgmDevicesDef, disks), FALSE,
          G_STRUCT_OFFSET(VgmDiskDef, virtio), vgmPlanIommuKindDisk },
        { "interface", G_STRUCT_OFFSET(VgmDevicesDef, nets), FALSE,
          G_STRUCT_OFFSET(VgmNetDef, virtio), vgmPlanIommuKindNet },
        { "controller", G_STRUCT_OFFSET(VgmDevicesDef, controllers), FALSE,
          G_STRUCT_OFFSET(VgmControllerDef, virtio), vgmPlanIommuKindController },
        { "video", G_STRUCT_OFFSET(VgmDevicesDef, videos), FALSE,
          G_STRUCT_OFFSET(VgmVideoDef, virtio), vgmPlanIommuKindModernOnly },
        { "rng", G_STRUCT_OFFSET(VgmDevicesDef, rngs), FALSE,
          G_STRUCT_OFFSET(VgmRngDef, virtio), vgmPlanIommuKindRng },
        { "input", G_STRUCT_OFFSET(VgmDevicesDef, inputs), FALSE,
          G_STRUCT_OFFSET(VgmInputDef, virtio), vgmPlanIommuKindModernOnly },
        { "filesystem", G_STRUCT_OFFSET(VgmDevicesDef, fss), FALSE,
          G_STRUCT_OFFSET(VgmFsDef, virtio), vgmPlanIommuKindFs },
        { "memballoon", G_STRUCT_OFFSET(VgmDevicesDef, memballoon), TRUE,
          G_STRUCT_OFFSET(VgmMemballoonDef, virtio), vgmPlanIommuKindMemballoon },
        { "vsock", G_STRUCT_OFFSET(VgmDevicesDef, vsock), TRUE,
          G_STRUCT_OFFSET(VgmVsockDef, virtio), vgmPlanIommuKindVsock },
    };
    const VgmDevicesDef *devs = &def->devices;
    gboolean pcie = g_str_has_prefix(plan->machine->name, "pc-q35");
    size_t k;
    guint i;

    for (k = 0; k < G_N_ELEMENTS(lists); k++) {
        GPtrArray *list = lists[k].single ? NULL :
                          G_STRUCT_MEMBER(GPtrArray *, devs, lists[k].member);
        gconstpointer one = lists[k].single ? G_STRUCT_MEMBER(gconstpointer, devs, lists[k].member) :
                                              NULL;
        guint n = list ? list->len : one ? 1 : 0;

        for (i = 0; i < n; i++) {
            gconstpointer dev = list ? g_ptr_array_index(list, i) : one;
            const VgmVirtioOptions *o = G_STRUCT_MEMBER_P(dev, lists[k].options);
            VgmPlanVirtioLegacy legacy;
            VgmVirtioKind kind;

            if (o->iommu != VGM_TRISTATE_YES)
                continue;
            kind = lists[k].kind(dev, &legacy);
            if (kind == VGM_VIRTIO_KIND_TRANSITIONAL) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<driver iommu='on'> of a <%1$s> of model 'virtio-transitional': QEMU refuses an IOMMU for a transitional virtio device (use 'virtio-non-transitional')"),
                            lists[k].element);
                return FALSE;
            }
            if (!pcie && kind == VGM_VIRTIO_KIND_VIRTIO &&
                legacy == VGM_PLAN_VIRTIO_LEGACY_ALLOWED) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<driver iommu='on'> of a <%1$s> needs a q35 machine or model 'virtio-non-transitional': on the PC's PCI bus a 'virtio' one is transitional, and QEMU refuses an IOMMU for those"),
                            lists[k].element);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* A vhost-user device's backend (virtiofsd, a vhost-user-blk server) maps
 * the guest's RAM itself:
 * every RAM backend must be shared and have an fd, libvirt's rule (it
 * looks at the main RAM and the NUMA cells, not memory devices) */
static gboolean
vgmPlanVhostUserMemory(const VgmQemuPlan *plan, const VgmDomainDef *def, GError **error)
{
    guint i;

    const char *what = vgmDomainDefVhostUserDevice(def);

    if (!what)
        return TRUE;
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *be = g_ptr_array_index(plan->backends, i);

        if (be->role == VGM_QEMU_BACKEND_DEVICE || be->share)
            continue;
        if (be->role == VGM_QEMU_BACKEND_CELL)
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("a %1$s needs shared guest memory, and NUMA cell %2$d is not shared: give it memAccess='shared', or <memoryBacking><access mode='shared'/>"),
                        what, be->cell);
        else
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("a %1$s needs shared guest memory: add <memoryBacking><access mode='shared'/> (its vhost-user server maps the guest's RAM)"),
                        what);
        return FALSE;
    }
    return TRUE;
}

VgmQemuPlan *
vgmQemuPlanBuild(const VgmDomainDef *def, const VgmQemuCaps *caps,
                 const VgmQemuConfig *cfg, GError **error)
{
    g_autoptr(VgmQemuPlan) plan = g_new0(VgmQemuPlan, 1);
    g_auto(GStrv) aliases = NULL;
    VgmQemuGmemChoice gmem;

    plan->machineProps = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuMachinePropFree);
    plan->backends = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuBackendFree);
    plan->memDevices = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    plan->files = g_ptr_array_new_with_free_func((GDestroyNotify)vgmPlanFileFree);
    plan->pciBuses = g_ptr_array_new_with_free_func(g_free);

    if (!vgmQemuValidateDomain(def, caps, error) ||
        !vgmQemuChooseGuestMemfd(def, caps, &gmem, error))
        return NULL;
    /* libvirt's rule: the memory of placement 'auto' goes where numad
     * says, which only a start asks */
    if (def->numatune.memorySet && def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO &&
        !cfg->autoNodeset) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, "%s",
                    _("<numatune><memory placement='auto'> binds memory where numad advises, which a start asks it: there is no command line without that advice"));
        return NULL;
    }
    if (!(plan->machine = vgmQemuCapsGetMachine(caps, def->os.machine, error)))
        return NULL;
    /* the ids of the PCI buses (the validation held the indexes small) */
    for (guint i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        if (!g_str_equal(c->type, "pci") || c->index == 0)
            continue;
        if (plan->pciBuses->len <= c->index)
            g_ptr_array_set_size(plan->pciBuses, c->index + 1);
        g_free(g_ptr_array_index(plan->pciBuses, c->index));
        g_ptr_array_index(plan->pciBuses, c->index) = vgmQemuControllerBusId(def, "pci", c->index);
    }
    plan->gmem = gmem.spelling;
    plan->convertInPlace = gmem.convertInPlace;
    plan->accelKVM = def->virtType == VGM_DOMAIN_VIRT_KVM && !cfg->forceTCG;
    plan->defaultCpu = vgmQemuDefaultCpuModel(caps);
    plan->cpuDropped = vgmQemuCpuDroppedFeatures(def->cpu, caps,
                                                 plan->accelKVM ? VGM_QEMU_CAPS_ACCEL_KVM :
                                                                  VGM_QEMU_CAPS_ACCEL_TCG);
    if (vgmQemuCpuIsHostRelative(def->cpu) &&
        !(plan->hostModel = vgmQemuCpuExpandHostModel(def->cpu, caps,
                                                      plan->accelKVM ? VGM_QEMU_CAPS_ACCEL_KVM :
                                                                       VGM_QEMU_CAPS_ACCEL_TCG,
                                                      error)))
        return NULL;
    if (!vgmPlanVhostNet(plan, def, cfg, error) ||
        !(plan->firmware = vgmQemuFirmwareResolve(def, plan->machine->name, cfg, error)))
        return NULL;
    if (!vgmPlanIommuPlatform(plan, def, error))
        return NULL;
    if (def->devices.iommu && !g_str_has_prefix(plan->machine->name, "pc-q35")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<iommu model='%1$s'> needs a q35 machine type, not '%2$s'"),
                    vgmIommuModelTypeToString(def->devices.iommu->model), plan->machine->name);
        return NULL;
    }
    /* QEMU's Intel IOMMU takes extended interrupt mode from KVM's split
     * irqchip only */
    if (def->devices.iommu && def->devices.iommu->eim == VGM_TRISTATE_YES && !plan->accelKVM) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<driver eim='on'> of <iommu> needs KVM (<domain type='kvm'>): QEMU's Intel IOMMU takes it with KVM's split irqchip only"));
        return NULL;
    }
    if (plan->firmware->secure && !g_str_has_prefix(plan->machine->name, "pc-q35")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<loader secure='yes'> needs a q35 machine type, not '%1$s'"),
                    plan->machine->name);
        return NULL;
    }

    aliases = vgmQemuMemoryDeviceAliases(def);
    if (!vgmPlanMemory(plan, def, caps, cfg, &gmem, aliases, error))
        return NULL;
    if (!vgmPlanVhostUserMemory(plan, def, error))
        return NULL;
    vgmPlanMachine(plan, def, caps, &gmem, aliases);
    vgmPlanLaunchSecurity(plan, def, cfg, &gmem);
    return g_steal_pointer(&plan);
}

JsonNode *
vgmQemuPlanToJSON(const VgmQemuPlan *plan)
{
    JsonObject *root = json_object_new();
    JsonArray *backends = json_array_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    guint i;

    json_object_set_string_member(root, "machine", plan->machine->name);
    json_object_set_string_member(root, "guest-memfd",
                                  vgmQemuGmemSpellingTypeToString(plan->gmem));
    json_object_set_boolean_member(root, "convert-in-place", plan->convertInPlace);
    json_object_set_int_member(root, "initial-memory-kib", plan->initialKiB);
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *b = g_ptr_array_index(plan->backends, i);
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "id", b->id);
        json_object_set_string_member(o, "qom-type", b->qomType);
        json_object_set_string_member(o, "role", vgmQemuBackendRoleTypeToString(b->role));
        json_object_set_int_member(o, "cell", b->cell);
        json_object_set_int_member(o, "size", b->size);
        json_object_set_boolean_member(o, "share", b->share);
        json_object_set_boolean_member(o, "guest-memfd", b->guestMemfd);
        json_array_add_object_element(backends, o);
    }
    json_object_set_array_member(root, "backends", backends);
    json_node_take_object(node, root);
    return node;
}
