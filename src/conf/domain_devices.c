/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_devices.c: the <devices> of the supported subset.
 *
 * Owns the emulator path, disks, network interfaces, serial ports and
 * consoles, controllers, inputs, the memory balloon, RNG, VNC graphics,
 * video and device addresses (PCI, drive, DIMM, USB). Memory devices are parsed by
 * domain_memory.c and only collected here.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

VGM_ENUM_IMPL(vgmAddress, VGM_ADDRESS_LAST, "none", "pci", "drive", "dimm", "usb",
              "virtio-serial", "isa", "ccid");
VGM_ENUM_IMPL(vgmDiskType, VGM_DISK_TYPE_LAST, "file", "block", "network", "vhostuser", "dir");
VGM_ENUM_IMPL(vgmDiskProtocol, VGM_DISK_PROTOCOL_LAST, "none", "nbd", "http", "https", "ftp",
              "ftps", "iscsi", "rbd", "gluster", "nfs");
VGM_ENUM_IMPL(vgmDiskDevice, VGM_DISK_DEVICE_LAST, "disk", "cdrom", "floppy");
VGM_ENUM_IMPL(vgmDiskEncryptionFormat, VGM_DISK_ENCRYPTION_FORMAT_LAST, "default", "qcow", "luks",
              "luks2");
VGM_ENUM_IMPL(vgmDiskEncryptionEngine, VGM_DISK_ENCRYPTION_ENGINE_LAST, "default", "qemu",
              "librbd");
VGM_ENUM_IMPL(vgmDiskStartupPolicy, VGM_DISK_STARTUP_LAST, "default", "mandatory", "requisite",
              "optional");
VGM_ENUM_IMPL(vgmDiskBus, VGM_DISK_BUS_LAST, "none", "virtio", "sata", "scsi", "ide", "fdc", "usb");
VGM_ENUM_IMPL(vgmDiskCache, VGM_DISK_CACHE_LAST,
              "default", "none", "writethrough", "writeback", "directsync", "unsafe");
VGM_ENUM_IMPL(vgmDiskIo, VGM_DISK_IO_LAST, "default", "native", "threads", "io_uring");
VGM_ENUM_IMPL(vgmDiskDiscard, VGM_DISK_DISCARD_LAST, "default", "unmap", "ignore");
VGM_ENUM_IMPL(vgmDiskDetectZeroes, VGM_DISK_DETECT_ZEROES_LAST, "default", "off", "on", "unmap");
VGM_ENUM_IMPL(vgmDiskTrans, VGM_DISK_TRANS_LAST, "default", "none", "auto", "lba");
VGM_ENUM_IMPL(vgmDiskErrorPolicy, VGM_DISK_ERROR_POLICY_LAST,
              "default", "stop", "report", "ignore", "enospace");
VGM_ENUM_IMPL(vgmNet, VGM_NET_TYPE_LAST, "user", "network", "bridge", "ethernet", "vhostuser",
              "server", "client", "mcast", "udp", "direct");
VGM_ENUM_IMPL(vgmNetDirectMode, VGM_NET_DIRECT_LAST, "vepa", "private", "bridge", "passthrough");
VGM_ENUM_IMPL(vgmNetDriverName, VGM_NET_DRIVER_LAST, "default", "qemu", "vhost");
VGM_ENUM_IMPL(vgmNetTeaming, VGM_NET_TEAMING_LAST, "none", "persistent", "transient");
VGM_ENUM_IMPL(vgmNetTxMode, VGM_NET_TXMODE_LAST, "default", "iothread", "timer");

const VgmNetOffloadInfo vgmNetOffloads[VGM_NET_OFFLOAD_LAST] = {
    [VGM_NET_OFFLOAD_HOST_CSUM] = { "host", "csum", "csum" },
    [VGM_NET_OFFLOAD_HOST_GSO] = { "host", "gso", "gso" },
    [VGM_NET_OFFLOAD_HOST_TSO4] = { "host", "tso4", "host_tso4" },
    [VGM_NET_OFFLOAD_HOST_TSO6] = { "host", "tso6", "host_tso6" },
    [VGM_NET_OFFLOAD_HOST_ECN] = { "host", "ecn", "host_ecn" },
    [VGM_NET_OFFLOAD_HOST_UFO] = { "host", "ufo", "host_ufo" },
    [VGM_NET_OFFLOAD_HOST_MRG_RXBUF] = { "host", "mrg_rxbuf", "mrg_rxbuf" },
    [VGM_NET_OFFLOAD_GUEST_CSUM] = { "guest", "csum", "guest_csum" },
    [VGM_NET_OFFLOAD_GUEST_TSO4] = { "guest", "tso4", "guest_tso4" },
    [VGM_NET_OFFLOAD_GUEST_TSO6] = { "guest", "tso6", "guest_tso6" },
    [VGM_NET_OFFLOAD_GUEST_ECN] = { "guest", "ecn", "guest_ecn" },
    [VGM_NET_OFFLOAD_GUEST_UFO] = { "guest", "ufo", "guest_ufo" },
};
VGM_ENUM_IMPL(vgmChr, VGM_CHR_TYPE_LAST, "pty", "file", "unix", "tcp", "udp", "dev", "spicevmc",
              "vc", "qemu-vdagent", "pipe", "null", "stdio", "spiceport");
VGM_ENUM_IMPL(vgmChrProtocol, VGM_CHR_PROTOCOL_LAST, "raw", "telnet");

const char *
vgmChrChannelName(const VgmChrDef *ch)
{
    if (ch->targetName)
        return ch->targetName;
    return ch->type == VGM_CHR_TYPE_SPICEVMC ? VGM_CHR_SPICE_AGENT_NAME : NULL;
}
VGM_ENUM_IMPL(vgmChrState, VGM_CHR_STATE_LAST, "default", "connected", "disconnected");
VGM_ENUM_IMPL(vgmTpmModel, VGM_TPM_MODEL_LAST, "tpm-tis", "tpm-crb");
VGM_ENUM_IMPL(vgmIommuModel, VGM_IOMMU_MODEL_LAST, "intel", "virtio");
VGM_ENUM_IMPL(vgmVsockModel, VGM_VSOCK_MODEL_LAST, "virtio", "virtio-transitional",
              "virtio-non-transitional");
VGM_ENUM_IMPL(vgmTpmVersion, VGM_TPM_VERSION_LAST, "", "1.2", "2.0");
VGM_ENUM_IMPL(vgmTpmPcrBank, VGM_TPM_PCR_BANK_LAST, "sha1", "sha256", "sha384", "sha512");
VGM_ENUM_IMPL(vgmFsDriver, VGM_FS_DRIVER_LAST, "default", "path", "handle", "virtiofs");
VGM_ENUM_IMPL(vgmFsAccess, VGM_FS_ACCESS_LAST, "", "passthrough", "mapped", "squash");
VGM_ENUM_IMPL(vgmFsModel, VGM_FS_MODEL_LAST,
              "default", "virtio", "virtio-transitional", "virtio-non-transitional");
VGM_ENUM_IMPL(vgmFsMultidevs, VGM_FS_MULTIDEVS_LAST, "default", "remap", "forbid", "warn");
VGM_ENUM_IMPL(vgmFsWrpolicy, VGM_FS_WRPOLICY_LAST, "default", "immediate");
VGM_ENUM_IMPL(vgmFsCache, VGM_FS_CACHE_LAST, "default", "none", "always");
VGM_ENUM_IMPL(vgmFsSandbox, VGM_FS_SANDBOX_LAST, "default", "namespace", "chroot");
VGM_ENUM_IMPL(vgmWatchdogAction, VGM_WATCHDOG_ACTION_LAST,
              "reset", "shutdown", "poweroff", "pause", "none", "inject-nmi", "dump");
VGM_ENUM_IMPL(vgmGraphics, VGM_GRAPHICS_LAST, "vnc", "spice");
VGM_ENUM_IMPL(vgmInput, VGM_INPUT_TYPE_LAST, "mouse", "tablet", "keyboard", "passthrough", "evdev");
VGM_ENUM_IMPL(vgmInputGrabToggle, VGM_INPUT_GRAB_TOGGLE_LAST, "default", "ctrl-ctrl", "alt-alt",
              "shift-shift", "meta-meta", "scrolllock", "ctrl-scrolllock");
VGM_ENUM_IMPL(vgmInputBus, VGM_INPUT_BUS_LAST, "", "ps2", "usb", "virtio");
VGM_ENUM_IMPL(vgmVirtioModel, VGM_VIRTIO_MODEL_LAST, "default", "virtio", "virtio-transitional",
              "virtio-non-transitional");
VGM_ENUM_IMPL(vgmSoundModel, VGM_SOUND_LAST, "ich6", "ich9", "ac97", "es1370", "sb16", "pcspk",
              "usb");
VGM_ENUM_IMPL(vgmSoundCodec, VGM_SOUND_CODEC_LAST, "duplex", "micro", "output");

static const char *const vgmControllerTypes[] = {
    "pci", "usb", "sata", "scsi", "virtio-serial", "ide", "fdc", "ccid", NULL
};
static const char *const vgmControllerModelsPci[] = {
    "pci-root", "pcie-root", "pcie-root-port", "pci-bridge",
    "dmi-to-pci-bridge", "pcie-switch-upstream-port",
    "pcie-switch-downstream-port", "pcie-to-pci-bridge", "pci-expander-bus",
    "pcie-expander-bus", NULL
};
static const char *const vgmControllerModelsUsb[] = {
    "qemu-xhci", "nec-xhci", "piix3-uhci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
    "ich9-uhci3", "none", NULL
};
/* libvirt's x86 SCSI controller models; the other ones it has are
 * another architecture's (ibmvscsi), built into a board (ncr53c90) or
 * have no QEMU device (buslogic, auto), and are refused by name */
static const char *const vgmControllerModelsScsi[] = {
    "virtio-scsi", "lsilogic", "lsisas1068", "lsisas1078", "vmpvscsi", "am53c974", "dc390",
    "virtio-transitional", "virtio-non-transitional", NULL
};
/* QEMU's x86 PCI NICs by the names libvirt passes to QEMU as they are
 * (libvirt's own list and the ones its documentation, OpenStack Nova's
 * hw_vif_model and virt-manager offer) */
static const char *const vgmNetModels[] = {
    "virtio", "e1000e", "e1000", "rtl8139", "virtio-transitional", "virtio-non-transitional",
    "vmxnet3", "ne2k_pci", "pcnet", "i82551", "i82557b", "i82559er", "igb", NULL
};

const char *const vgmVirtioModels[] = {
    "virtio", "virtio-transitional", "virtio-non-transitional", NULL
};

VgmVirtioKind
vgmVirtioModelToKind(VgmVirtioModel model)
{
    return model == VGM_VIRTIO_MODEL_DEFAULT ? VGM_VIRTIO_KIND_VIRTIO : (VgmVirtioKind)(model - 1);
}

VgmVirtioKind
vgmVirtioModelKind(const char *model)
{
    size_t i;

    for (i = 0; model && vgmVirtioModels[i]; i++) {
        if (g_str_equal(model, vgmVirtioModels[i]))
            return (VgmVirtioKind)i;
    }
    return VGM_VIRTIO_KIND_NONE;
}
static const char *const vgmSerialTargetTypes[] = {
    "isa-serial", "pci-serial", "usb-serial", "system-serial", "isa-debug", NULL
};
static const char *const vgmSerialTargetModels[] = {
    "isa-serial", "pci-serial", "usb-serial", "pl011", "isa-debugcon", NULL
};
static const char *const vgmConsoleTargetTypes[] = {
    "serial", "virtio", NULL
};
static const char *const vgmVideoModels[] = {
    "none", "vga", "cirrus", "vmvga", "qxl", "virtio", "bochs", "ramfb", NULL
};
static const char *const vgmWatchdogModels[] = {
    "i6300esb", "ib700", NULL
};
static const char *const vgmRngBackends[] = {
    "/dev/urandom", "/dev/random", "/dev/hwrng", NULL
};

static gboolean
vgmCheckValue(const char *const *list, const char *value, const char *attr,
              const char *elem, GError **error)
{
    if (vgmStrInList(list, value))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("unsupported value '%1$s' for attribute '%2$s' of element <%3$s>"),
                value, attr, elem);
    return FALSE;
}

/* ---------------- free functions ---------------- */

VGM_ENUM_IMPL(vgmDiskIotuneField, VGM_DISK_IOTUNE_LAST,
              "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
              "total_iops_sec", "read_iops_sec", "write_iops_sec",
              "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
              "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max",
              "size_iops_sec",
              "total_bytes_sec_max_length", "read_bytes_sec_max_length",
              "write_bytes_sec_max_length", "total_iops_sec_max_length",
              "read_iops_sec_max_length", "write_iops_sec_max_length");

void
vgmDiskIotuneFree(VgmDiskIotune *t)
{
    if (!t)
        return;
    g_free(t->groupName);
    g_free(t);
}

gboolean
vgmDiskIotuneCheckSplit(const VgmDiskIotune *t, const char *disk, int code, GError **error)
{
    size_t i;

    /* each total with its read and write: the first of each triple */
    for (i = VGM_DISK_IOTUNE_TOTAL_BYTES; i <= VGM_DISK_IOTUNE_WRITE_IOPS_MAX; i += 3) {
        if (t->v[i] && (t->v[i + 1] || t->v[i + 2])) {
            vgmErrorSet(error, code,
                        _("<iotune> of disk '%1$s': value '%2$s' cannot be set together with '%3$s' or '%4$s'"),
                        disk, vgmDiskIotuneFieldTypeToString(i), vgmDiskIotuneFieldTypeToString(i + 1),
                        vgmDiskIotuneFieldTypeToString(i + 2));
            return FALSE;
        }
    }
    return TRUE;
}

/* <iotune>: every value element at most once, and the split rule */
static VgmDiskIotune *
vgmDiskIotuneParse(xmlNodePtr node, const char *disk, GError **error)
{
    g_autoptr(GPtrArray) allowed = g_ptr_array_new();
    VgmDiskIotune *t = g_new0(VgmDiskIotune, 1);
    xmlNodePtr child;
    size_t i;

    for (i = 0; i < VGM_DISK_IOTUNE_LAST; i++)
        g_ptr_array_add(allowed, (gpointer)vgmDiskIotuneFieldTypeToString(i));
    g_ptr_array_add(allowed, (gpointer)"group_name");
    g_ptr_array_add(allowed, NULL);
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const *)allowed->pdata, error))
        goto error;
    for (i = 0; i < VGM_DISK_IOTUNE_LAST; i++) {
        if (vgmXMLSingleChild(node, vgmDiskIotuneFieldTypeToString(i), &child, error) < 0)
            goto error;
        if (!child)
            continue;
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error))
            goto error;
        /* (an empty one is not set, as libvirt reads it) */
        {
            g_autofree char *text = vgmXMLNodeContent(child);

            if (!text || !*g_strstrip(text))
                continue;
        }
        if (vgmXMLNodeContentULL(child, &t->v[i], error) < 0)
            goto error;
    }
    if (vgmXMLSingleChild(node, "group_name", &child, error) < 0)
        goto error;
    if (child && (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error) ||
                  !(t->groupName = vgmXMLNodeContent(child)))) {
        if (error && !*error)
            vgmErrorSet(error, VGM_ERR_XML, "%s", _("<group_name> in <iotune> is empty"));
        goto error;
    }
    if (!vgmDiskIotuneCheckSplit(t, disk, VGM_ERR_XML, error))
        goto error;
    return t;

 error:
    vgmDiskIotuneFree(t);
    return NULL;
}

static void
vgmDiskIotuneFormat(VgmBuf *buf, const VgmDiskIotune *t)
{
    size_t i;

    if (!t)
        return;
    vgmBufAdd(buf, "<iotune>\n");
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; i < VGM_DISK_IOTUNE_LAST; i++) {
        const char *el = vgmDiskIotuneFieldTypeToString(i);

        if (t->v[i])
            vgmBufAsprintf(buf, "<%s>%llu</%s>\n", el, t->v[i], el);
        /* libvirt's place for the group: after size_iops_sec */
        if (i == VGM_DISK_IOTUNE_SIZE_IOPS)
            vgmBufEscapeText(buf, "<group_name>%s</group_name>\n", t->groupName);
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</iotune>\n");
}

void
vgmDiskNetHostFree(VgmDiskNetHost *host)
{
    if (!host)
        return;
    g_free(host->name);
    g_free(host->socket);
    g_free(host);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDiskNetHost, vgmDiskNetHostFree)

gboolean
vgmDiskSameMedium(const VgmDiskDef *a, const VgmDiskDef *b)
{
    guint i;

    if (g_strcmp0(a->src, b->src) != 0 || !a->net != !b->net ||
        a->slice.set != b->slice.set ||
        (a->slice.set && (a->slice.offset != b->slice.offset || a->slice.size != b->slice.size)))
        return FALSE;
    if (!a->net)
        return TRUE;
    if (a->net->protocol != b->net->protocol || g_strcmp0(a->net->name, b->net->name) != 0 ||
        g_strcmp0(a->net->query, b->net->query) != 0 ||
        g_strcmp0(a->net->snapshot, b->net->snapshot) != 0 ||
        a->net->hosts->len != b->net->hosts->len)
        return FALSE;
    for (i = 0; i < a->net->hosts->len; i++) {
        const VgmDiskNetHost *x = g_ptr_array_index(a->net->hosts, i);
        const VgmDiskNetHost *y = g_ptr_array_index(b->net->hosts, i);

        if (g_strcmp0(x->name, y->name) != 0 || x->port != y->port ||
            g_strcmp0(x->socket, y->socket) != 0)
            return FALSE;
    }
    return TRUE;
}

static void
vgmDiskAuthFree(VgmDiskAuth *auth)
{
    if (!auth)
        return;
    g_free(auth->username);
    g_free(auth->secretType);
    g_free(auth->usage);
    g_free(auth);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDiskAuth, vgmDiskAuthFree)

void
vgmDiskNetSourceFree(VgmDiskNetSource *net)
{
    if (!net)
        return;
    g_free(net->name);
    g_clear_pointer(&net->hosts, g_ptr_array_unref);
    g_free(net->query);
    g_clear_pointer(&net->cookies, g_ptr_array_unref);
    g_free(net->snapshot);
    g_free(net->config);
    g_free(net->nfsUser);
    g_free(net->nfsGroup);
    g_free(net->initiator);
    g_free(net->tlsHostname);
    vgmDiskAuthFree(net->auth);
    g_free(net);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDiskNetSource, vgmDiskNetSourceFree)

void
vgmDiskEncryptionFree(VgmDiskEncryption *enc)
{
    if (!enc)
        return;
    g_free(enc->usage);
    g_free(enc);
}

void
vgmDiskBackingLayerFree(VgmDiskBackingLayer *l)
{
    g_free(l->format);
    g_free(l->path);
    vgmDiskNetSourceFree(l->net);
    vgmDiskEncryptionFree(l->encryption);
    g_free(l);
}


static void
vgmDiskDefFree(VgmDiskDef *d)
{
    g_clear_pointer(&d->backing, g_ptr_array_unref);
    vgmDiskIotuneFree(d->iotune);
    g_free(d->driverName);
    g_free(d->driverType);
    g_free(d->src);
    vgmDiskEncryptionFree(d->encryption);
    g_free(d->mirrorFile);
    g_free(d->mirrorFormat);
    vgmDiskNetSourceFree(d->net);
    g_free(d->dst);
    g_free(d->serial);
    g_free(d->wwn);
    g_free(d->vendor);
    g_free(d->product);
    g_free(d);
}

static void
vgmNetDefFree(VgmNetDef *n)
{
    guint i;

    for (i = 0; i < n->nguestIps; i++)
        g_free(n->guestIps[i].address);
    if (n->hostIps)
        g_ptr_array_unref(n->hostIps);
    if (n->routes)
        g_ptr_array_unref(n->routes);
    g_free(n->mac);
    g_free(n->ifname);
    g_free(n->alias);
    g_free(n->source);
    g_free(n->actualBridge);
    g_free(n->localAddress);
    g_free(n->script);
    g_free(n->downscript);
    g_free(n->backendTap);
    g_free(n->backendVhost);
    g_free(n->model);
    g_free(n->ovsInterfaceId);
    g_free(n->romFile);
    g_free(n->vlanTags);
    g_free(n->bandwidth.in);
    g_free(n->bandwidth.out);
    g_free(n->portgroup);
    g_free(n);
}

static void
vgmChrDefFree(VgmChrDef *c)
{
    if (!c)
        return;
    g_free(c->path);
    g_free(c->mode);
    g_free(c->host);
    g_free(c->service);
    g_free(c->bindHost);
    g_free(c->bindService);
    g_free(c->logfile);
    g_free(c->targetType);
    g_free(c->targetModel);
    g_free(c->targetName);
    g_free(c->fwdAddress);
    g_free(c->vdagentMouse);
    g_free(c);
}

static void
vgmSoundDefFree(VgmSoundDef *s)
{
    g_free(s->codecs);
    g_free(s);
}

static void
vgmAudioDefFree(VgmAudioDef *a)
{
    size_t i, j;

    g_free(a->type);
    for (i = 0; i < 3; i++) {
        for (j = 0; j < VGM_AUDIO_NATTRS; j++)
            g_free(a->values[i][j]);
    }
    g_free(a);
}

static void
vgmControllerDefFree(VgmControllerDef *c)
{
    g_free(c->type);
    g_free(c->model);
    g_free(c->modelName);
    g_free(c);
}

static void
vgmInputDefFree(VgmInputDef *in)
{
    g_free(in->evdev);
    g_free(in);
}

static void
vgmGraphicsDefFree(VgmGraphicsDef *g)
{
    size_t i;

    g_free(g->listen);
    g_free(g->listenNetwork);
    g_free(g->socket);
    g_free(g->keymap);
    if (g->passwd)
        memset(g->passwd, 0, strlen(g->passwd));
    g_free(g->passwd);
    g_free(g->connected);
    g_free(g->sharePolicy);
    for (i = 0; i < VGM_SPICE_OPT_LAST; i++)
        g_free(g->spiceOpts[i]);
    g_free(g->defaultMode);
    for (i = 0; i < g->nchannels; i++) {
        g_free(g->channels[i].name);
        g_free(g->channels[i].mode);
    }
    g_free(g->channels);
    g_free(g);
}

static void
vgmVideoDefFree(VgmVideoDef *v)
{
    g_free(v->model);
    g_free(v);
}

static void
vgmRngDefFree(VgmRngDef *r)
{
    vgmChrDefFree(r->egd);
    g_free(r->model);
    g_free(r->backendModel);
    g_free(r->backend);
    g_free(r);
}

static void
vgmFsDefFree(VgmFsDef *fs)
{
    g_free(fs->dir);
    g_free(fs->socket);
    g_free(fs->target);
    g_free(fs->binary);
    g_free(fs);
}

static void
vgmMemballoonDefFree(VgmMemballoonDef *m)
{
    if (!m)
        return;
    g_free(m->model);
    g_free(m);
}

static void
vgmShmemDefFree(VgmShmemDef *shm)
{
    if (!shm)
        return;
    g_free(shm->name);
    g_free(shm->serverPath);
    g_free(shm);
}

static void
vgmWatchdogDefFree(VgmWatchdogDef *w)
{
    if (!w)
        return;
    g_free(w->model);
    g_free(w);
}

void
vgmDomainDevicesInit(VgmDevicesDef *devices)
{
    devices->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDiskDefFree);
    devices->nets = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetDefFree);
    devices->controllers = g_ptr_array_new_with_free_func((GDestroyNotify)vgmControllerDefFree);
    devices->serials = g_ptr_array_new_with_free_func((GDestroyNotify)vgmChrDefFree);
    devices->fss = g_ptr_array_new_with_free_func((GDestroyNotify)vgmFsDefFree);
    devices->panics = g_ptr_array_new_with_free_func(g_free);
    devices->shmems = g_ptr_array_new_with_free_func((GDestroyNotify)vgmShmemDefFree);
    devices->parallels = g_ptr_array_new_with_free_func((GDestroyNotify)vgmChrDefFree);
    devices->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)vgmChrDefFree);
    devices->sounds = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSoundDefFree);
    devices->audios = g_ptr_array_new_with_free_func((GDestroyNotify)vgmAudioDefFree);
    devices->channels = g_ptr_array_new_with_free_func((GDestroyNotify)vgmChrDefFree);
    devices->redirdevs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmChrDefFree);
    devices->hubs = g_ptr_array_new_with_free_func(g_free);
    devices->redirfilter = g_ptr_array_new_with_free_func(g_free);
    devices->smartcards = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSmartcardDefFree);
    devices->inputs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmInputDefFree);
    devices->graphics = g_ptr_array_new_with_free_func((GDestroyNotify)vgmGraphicsDefFree);
    devices->videos = g_ptr_array_new_with_free_func((GDestroyNotify)vgmVideoDefFree);
    devices->rngs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmRngDefFree);
    devices->mems = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDomainMemoryDefFree);
}

void
vgmDomainDevicesClear(VgmDevicesDef *devices)
{
    g_free(devices->emulator);
    g_ptr_array_unref(devices->disks);
    g_ptr_array_unref(devices->nets);
    g_ptr_array_unref(devices->controllers);
    g_ptr_array_unref(devices->serials);
    g_ptr_array_unref(devices->fss);
    g_ptr_array_unref(devices->parallels);
    g_ptr_array_unref(devices->consoles);
    g_ptr_array_unref(devices->sounds);
    g_ptr_array_unref(devices->audios);
    g_ptr_array_unref(devices->channels);
    g_ptr_array_unref(devices->redirdevs);
    g_ptr_array_unref(devices->hubs);
    g_ptr_array_unref(devices->redirfilter);
    g_ptr_array_unref(devices->smartcards);
    g_ptr_array_unref(devices->inputs);
    g_ptr_array_unref(devices->graphics);
    g_ptr_array_unref(devices->videos);
    g_ptr_array_unref(devices->rngs);
    g_ptr_array_unref(devices->mems);
    vgmMemballoonDefFree(devices->memballoon);
    vgmWatchdogDefFree(devices->watchdog);
    g_ptr_array_unref(devices->panics);
    g_ptr_array_unref(devices->shmems);
    if (devices->tpm)
        g_free(devices->tpm->externalPath);
    g_free(devices->tpm);
    g_free(devices->iommu);
    g_free(devices->vsock);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDiskDef, vgmDiskDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNetDef, vgmNetDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmChrDef, vgmChrDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmControllerDef, vgmControllerDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSoundDef, vgmSoundDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmAudioDef, vgmAudioDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmInputDef, vgmInputDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmGraphicsDef, vgmGraphicsDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmVideoDef, vgmVideoDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmRngDef, vgmRngDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmFsDef, vgmFsDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmMemballoonDef, vgmMemballoonDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmWatchdogDef, vgmWatchdogDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmShmemDef, vgmShmemDefFree)

/* ---------------- shared pieces ---------------- */

/* "1", "2.1": one to VGM_USB_MAX_DEPTH (libvirt's 4) port numbers from 1
 * to 255 (hubs in between),
 * no leading zeros, so that the stored text is also the canonical one */
static gboolean
vgmUsbPortIsValid(const char *port)
{
    g_auto(GStrv) parts = g_strsplit(port, ".", -1);
    guint n = g_strv_length(parts);
    guint i;

    if (n < 1 || n > VGM_USB_MAX_DEPTH || strlen(port) >= VGM_USB_PORT_MAX)
        return FALSE;
    for (i = 0; i < n; i++) {
        const char *p = parts[i];
        size_t len = strlen(p);
        size_t j;

        if (len < 1 || len > 3 || p[0] == '0')
            return FALSE;
        for (j = 0; j < len; j++) {
            if (!g_ascii_isdigit(p[j]))
                return FALSE;
        }
        if (atoi(p) > 255)
            return FALSE;
    }
    return TRUE;
}

/* An ISA address's iobase or irq: hexadecimal, '0x' optional, as libvirt
 * reads them (irq='10' is 16) */
static int
vgmIsaHexParse(xmlNodePtr node, const char *name, unsigned int *out, GError **error)
{
    g_autofree char *text = NULL;
    unsigned long long v;

    if (vgmXMLPropString(node, name, 0, &text, error) < 0)
        return -1;
    if (!text)
        return 0;
    if (!vgmStrToULLBase(text, 16, &v) || v > G_MAXUINT) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of <address type='isa'>: a hexadecimal number"),
                    text, name);
        return -1;
    }
    *out = (unsigned int)v;
    return 1;
}

gboolean
vgmDeviceAddressParse(xmlNodePtr devNode, VgmDeviceAddress *addr, GError **error)
{
    xmlNodePtr node;
    int v;

    memset(addr, 0, sizeof(*addr));
    if (vgmXMLSingleChild(devNode, "acpi", &node, error) < 0)
        return FALSE;
    if (node &&
        (!vgmXMLCheckNode(node, (const char *const[]){ "index", NULL }, vgmXMLNoChildren, error) ||
         vgmXMLPropUInt(node, "index", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                        &addr->acpiIndex, error) < 0))
        return FALSE;
    if (vgmXMLSingleChild(devNode, "address", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (vgmXMLPropEnum(node, "type", vgmAddressTypeFromString,
                       VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
        return FALSE;
    addr->type = v;
    switch (addr->type) {
    case VGM_ADDRESS_PCI:
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "domain", "bus", "slot",
                                                          "function", "multifunction", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(node, "domain", 0, &addr->domain, error) < 0 ||
            vgmXMLPropUInt(node, "bus", 0, &addr->bus, error) < 0 ||
            vgmXMLPropUInt(node, "slot", 0, &addr->slot, error) < 0 ||
            vgmXMLPropUInt(node, "function", 0, &addr->function, error) < 0 ||
            vgmXMLPropTristateSwitch(node, "multifunction", 0, &addr->multifunction, error) < 0)
            return FALSE;
        if (addr->domain > 0xffff || addr->bus > 0xff || addr->slot > 0x1f ||
            addr->function > 7) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("PCI address in <%1$s> is out of range (domain <= 0xffff, bus <= 0xff, slot <= 0x1f, function <= 7)"),
                        (const char *)devNode->name);
            return FALSE;
        }
        break;
    case VGM_ADDRESS_DRIVE:
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "controller", "bus",
                                                          "target", "unit", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(node, "controller", 0, &addr->controller, error) < 0 ||
            vgmXMLPropUInt(node, "bus", 0, &addr->drivebus, error) < 0 ||
            vgmXMLPropUInt(node, "target", 0, &addr->target, error) < 0 ||
            vgmXMLPropUInt(node, "unit", 0, &addr->unit, error) < 0)
            return FALSE;
        break;
    case VGM_ADDRESS_DIMM:
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "slot", "base", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(node, "slot", 0, &addr->slot, error) < 0 ||
            vgmXMLPropULongLong(node, "base", 0, &addr->base, error) < 0)
            return FALSE;
        break;
    case VGM_ADDRESS_USB: {
        g_autofree char *port = NULL;

        /* only input devices, USB redirections, disks, smartcard readers
         * (ccid controllers), hubs, sound devices and serial ports sit on
         * USB here (a console: as its usb-serial port's, vgmChrParse) */
        if (!vgmStrInList((const char *const[]){ "input", "redirdev", "disk", "controller", "hub",
                                                 "sound", "serial", "console", NULL },
                          (const char *)devNode->name)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <address type='usb'> in <%1$s>: only inputs, USB redirections, disks, smartcard readers, hubs, sound devices and serial ports (and a usb-serial port's console) can be on USB"),
                        (const char *)devNode->name);
            return FALSE;
        }
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "bus", "port", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(node, "bus", 0, &addr->bus, error) < 0 ||
            vgmXMLPropString(node, "port", 0, &port, error) < 0)
            return FALSE;
        if (port && !vgmUsbPortIsValid(port)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'port' of <address type='usb'> in <%2$s>: expected port numbers 1 to 255 separated by '.', at most four"),
                        port, (const char *)devNode->name);
            return FALSE;
        }
        if (port)
            g_strlcpy(addr->port, port, sizeof(addr->port));
        break;
    }
    case VGM_ADDRESS_CCID:
        if (!g_str_equal((const char *)devNode->name, "smartcard")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <address type='ccid'> in <%1$s>: only a <smartcard> sits in a CCID reader"),
                        (const char *)devNode->name);
            return FALSE;
        }
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "controller", "slot", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(node, "controller", 0, &addr->controller, error) < 0 ||
            vgmXMLPropUInt(node, "slot", 0, &addr->slot, error) < 0)
            return FALSE;
        break;
    case VGM_ADDRESS_VIRTIO_SERIAL:
        if (!g_str_equal((const char *)devNode->name, "channel")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <address type='virtio-serial'> in <%1$s>: only <channel> devices have one"),
                        (const char *)devNode->name);
            return FALSE;
        }
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "controller", "bus",
                                                          "port", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(node, "controller", 0, &addr->controller, error) < 0 ||
            vgmXMLPropUInt(node, "bus", 0, &addr->drivebus, error) < 0 ||
            vgmXMLPropUInt(node, "port", 0, &addr->unit, error) < 0)
            return FALSE;
        break;
    case VGM_ADDRESS_ISA: {
        int rc;

        /* the ISA serial ports and the debug console (a console of type
         * serial repeats its serial port's), and the ISA panic device */
        if (!g_str_equal((const char *)devNode->name, "serial") &&
            !g_str_equal((const char *)devNode->name, "console") &&
            !g_str_equal((const char *)devNode->name, "panic")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <address type='isa'> in <%1$s>: only <serial> and <panic> devices have one"),
                        (const char *)devNode->name);
            return FALSE;
        }
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "iobase", "irq", NULL },
                             vgmXMLNoChildren, error) ||
            (rc = vgmIsaHexParse(node, "iobase", &addr->iobase, error)) < 0)
            return FALSE;
        addr->haveIobase = rc > 0;
        if ((rc = vgmIsaHexParse(node, "irq", &addr->irq, error)) < 0)
            return FALSE;
        addr->haveIrq = rc > 0;
        /* an I/O port, and one of the ISA bus's 16 interrupt lines */
        if (addr->iobase > 0xffff || addr->irq > 15) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<address type='isa'> in <%1$s> is out of range (iobase <= 0xffff, irq <= 15)"),
                        (const char *)devNode->name);
            return FALSE;
        }
        break;
    }
    case VGM_ADDRESS_NONE:
    case VGM_ADDRESS_LAST:
        break;
    }
    return TRUE;
}

gboolean
vgmDeviceIdValid(const char *id)
{
    const char *p;

    if (!id || !g_ascii_isalpha(*id))
        return FALSE;
    for (p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDeviceUserAliasValid(const char *alias)
{
    const char *p;

    if (!alias || !g_str_has_prefix(alias, VGM_DEVICE_USER_ALIAS_PREFIX) ||
        !alias[strlen(VGM_DEVICE_USER_ALIAS_PREFIX)])
        return FALSE;
    for (p = alias + strlen(VGM_DEVICE_USER_ALIAS_PREFIX); *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDeviceAliasParse(xmlNodePtr devNode, char *alias, GError **error)
{
    g_autofree char *name = NULL;
    xmlNodePtr node;

    alias[0] = '\0';
    if (vgmXMLSingleChild(devNode, "alias", &node, error) < 0)
        return FALSE;
    if (node) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(node, "name", VGM_XML_PROP_REQUIRED, &name, error) < 0)
            return FALSE;
        /* a user alias as libvirt takes them; any other is a running
         * domain's QEMU id, which QEMU would refuse otherwise */
        if (g_str_has_prefix(name, VGM_DEVICE_USER_ALIAS_PREFIX) ?
            !vgmDeviceUserAliasValid(name) : !vgmDeviceIdValid(name)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        g_str_has_prefix(name, VGM_DEVICE_USER_ALIAS_PREFIX) ?
                        _("invalid user alias '%1$s' of <%2$s>: after 'ua-' only letters, digits, '-' and '_'") :
                        _("invalid alias '%1$s' of <%2$s>: a device's alias is a QEMU id, a letter followed by letters, digits, '-', '.' and '_'"),
                        name, (const char *)devNode->name);
            return FALSE;
        }
        if (strlen(name) >= VGM_DEVICE_ALIAS_MAX) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("alias '%1$s' of <%2$s> is too long: at most %3$d characters"),
                        name, (const char *)devNode->name, VGM_DEVICE_ALIAS_MAX - 1);
            return FALSE;
        }
        g_strlcpy(alias, name, VGM_DEVICE_ALIAS_MAX);
    }
    return TRUE;
}

gboolean
vgmDeviceInfoParse(xmlNodePtr devNode, char *alias, VgmDeviceAddress *addr, GError **error)
{
    return vgmDeviceAliasParse(devNode, alias, error) &&
           vgmDeviceAddressParse(devNode, addr, error);
}

void
vgmDeviceInfoFormat(VgmBuf *buf, const char *alias, const VgmDeviceAddress *addr)
{
    if (alias[0])
        vgmBufEscapeString(buf, "<alias name='%s'/>\n", alias);
    vgmDeviceAddressFormat(buf, addr);
}

void
vgmDeviceAddressFormat(VgmBuf *buf, const VgmDeviceAddress *addr)
{
    /* libvirt writes it right before the address */
    if (addr->acpiIndex)
        vgmBufAsprintf(buf, "<acpi index='%u'/>\n", addr->acpiIndex);
    switch (addr->type) {
    case VGM_ADDRESS_PCI:
        vgmBufAsprintf(buf, "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'",
                       addr->domain, addr->bus, addr->slot, addr->function);
        if (addr->multifunction)
            vgmBufAsprintf(buf, " multifunction='%s'",
                           vgmTristateSwitchTypeToString(addr->multifunction));
        vgmBufAdd(buf, "/>\n");
        break;
    case VGM_ADDRESS_CCID:
        vgmBufAsprintf(buf, "<address type='ccid' controller='%u' slot='%u'/>\n",
                       addr->controller, addr->slot);
        break;
    case VGM_ADDRESS_DRIVE:
        vgmBufAsprintf(buf, "<address type='drive' controller='%u' bus='%u' target='%u' unit='%u'/>\n",
                       addr->controller, addr->drivebus, addr->target, addr->unit);
        break;
    case VGM_ADDRESS_DIMM:
        vgmBufAsprintf(buf, "<address type='dimm' slot='%u'", addr->slot);
        if (addr->base)
            vgmBufAsprintf(buf, " base='0x%llx'", addr->base);
        vgmBufAdd(buf, "/>\n");
        break;
    case VGM_ADDRESS_USB:
        vgmBufAsprintf(buf, "<address type='usb' bus='%u'", addr->bus);
        if (addr->port[0])
            vgmBufAsprintf(buf, " port='%s'", addr->port);
        vgmBufAdd(buf, "/>\n");
        break;
    case VGM_ADDRESS_VIRTIO_SERIAL:
        vgmBufAsprintf(buf, "<address type='virtio-serial' controller='%u' bus='%u' port='%u'/>\n",
                       addr->controller, addr->drivebus, addr->unit);
        break;
    case VGM_ADDRESS_ISA:
        vgmBufAdd(buf, "<address type='isa'");
        if (addr->haveIobase)
            vgmBufAsprintf(buf, " iobase='0x%x'", addr->iobase);
        if (addr->haveIrq)
            vgmBufAsprintf(buf, " irq='0x%x'", addr->irq);
        vgmBufAdd(buf, "/>\n");
        break;
    case VGM_ADDRESS_NONE:
    case VGM_ADDRESS_LAST:
        break;
    }
}

/* <driver iommu='on|off'/> as virtio devices carry it. */
/* iommu, ats, packed and page_per_vq of a virtio device's <driver> @node */
static gboolean
vgmVirtioOptionsParse(xmlNodePtr node, VgmVirtioOptions *o, GError **error)
{
    return vgmXMLPropTristateSwitch(node, "iommu", 0, &o->iommu, error) >= 0 &&
           vgmXMLPropTristateSwitch(node, "ats", 0, &o->ats, error) >= 0 &&
           vgmXMLPropTristateSwitch(node, "packed", 0, &o->packed, error) >= 0 &&
           vgmXMLPropTristateSwitch(node, "page_per_vq", 0, &o->pagePerVq, error) >= 0;
}

/* them as attributes, in libvirt's order */
static void
vgmVirtioOptionsFormat(VgmBuf *buf, const VgmVirtioOptions *o)
{
    if (o->iommu)
        vgmBufAsprintf(buf, " iommu='%s'", vgmTristateSwitchTypeToString(o->iommu));
    if (o->ats)
        vgmBufAsprintf(buf, " ats='%s'", vgmTristateSwitchTypeToString(o->ats));
    if (o->packed)
        vgmBufAsprintf(buf, " packed='%s'", vgmTristateSwitchTypeToString(o->packed));
    if (o->pagePerVq)
        vgmBufAsprintf(buf, " page_per_vq='%s'", vgmTristateSwitchTypeToString(o->pagePerVq));
}

/* a <driver> child that takes the virtio options only */
static gboolean
vgmDriverIommuParse(xmlNodePtr devNode, VgmVirtioOptions *o, GError **error)
{
    xmlNodePtr node;

    if (vgmXMLSingleChild(devNode, "driver", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    return vgmXMLCheckNode(node, (const char *const[]){ "iommu", "ats", "packed", "page_per_vq", NULL },
                           vgmXMLNoChildren, error) &&
           vgmVirtioOptionsParse(node, o, error);
}

static void
vgmDriverIommuFormat(VgmBuf *buf, const VgmVirtioOptions *o)
{
    if (!vgmVirtioOptionsAny(o))
        return;
    vgmBufAdd(buf, "<driver");
    vgmVirtioOptionsFormat(buf, o);
    vgmBufAdd(buf, "/>\n");
}

/* A device's <boot order='N'/> (libvirt's loadparm is s390's: refused) */
static gboolean
vgmBootOrderParse(xmlNodePtr devNode, unsigned int *order, GError **error)
{
    xmlNodePtr node;

    if (vgmXMLSingleChild(devNode, "boot", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    return vgmXMLCheckNode(node, (const char *const[]){ "order", NULL }, vgmXMLNoChildren, error) &&
           vgmXMLPropUInt(node, "order", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                          order, error) >= 0;
}

/* ---------------- disks ---------------- */

const VgmDriveBusInfo vgmDomainDriveBuses[] = {
    { VGM_DISK_BUS_SCSI, "scsi", 1, 256, 16384, 7 },
    { VGM_DISK_BUS_IDE, "ide", 2, 1, 2, 2 },    /* the PC's IDE: 2 buses of 2 */
    { VGM_DISK_BUS_SATA, "sata", 1, 1, 6, 6 },  /* an AHCI controller's 6 ports */
    { VGM_DISK_BUS_FDC, "fdc", 1, 1, 2, 2 },    /* the ISA floppy controller's 2 drives */
};
const size_t vgmDomainNDriveBuses = G_N_ELEMENTS(vgmDomainDriveBuses);

const VgmDriveBusInfo *
vgmDomainDriveBusInfo(VgmDiskBus bus)
{
    size_t i;

    for (i = 0; i < vgmDomainNDriveBuses; i++) {
        if (vgmDomainDriveBuses[i].bus == bus)
            return &vgmDomainDriveBuses[i];
    }
    return NULL;
}

unsigned int
vgmDomainDiskIndex(const char *dst)
{
    const char *p = strlen(dst) > 2 ? dst + 2 : "";
    unsigned int idx = 0;

    for (; *p && g_ascii_islower(*p) && idx < G_MAXUINT / 27; p++)
        idx = idx * 26 + (unsigned int)(*p - 'a' + 1);
    return idx ? idx - 1 : 0;
}

/* Where libvirt puts a disk it reads or attaches: among the disks on its
 * bus, before the first one (from the end backwards, the last seen) whose
 * place on the bus is higher, else right after the last one on its bus;
 * at the end when none is on its bus. */
static void
vgmDiskInsert(GPtrArray *disks, VgmDiskDef *disk)
{
    unsigned int idx = vgmDomainDiskIndex(disk->dst);
    gint64 at = -1;
    guint i;

    for (i = disks->len; i-- > 0;) {
        const VgmDiskDef *cur = g_ptr_array_index(disks, i);

        if (cur->bus != disk->bus)
            continue;
        if (vgmDomainDiskIndex(cur->dst) > idx)
            at = i;
        else if (at < 0)
            at = (gint64)i + 1;
    }
    if (at < 0 || at >= (gint64)disks->len)
        g_ptr_array_add(disks, disk);
    else
        g_ptr_array_insert(disks, (gint)at, disk);
}

/* Disk buses libvirt's schema has that no x86 machine of QEMU offers,
 * with what they are: refused by name rather than as an unknown value */
static const VgmRefused vgmDiskBusesForeign[] = {
    { "sd", N_("an SD card slot, which no x86 machine has (QEMU: the machine type does not support if=sd)") },
    { "xen", N_("a Xen paravirtual disk, which only a Xen guest has") },
    { "uml", N_("a User-Mode Linux disk") },
};

static gboolean
vgmDiskBusForeignCheck(xmlNodePtr target, const char *dst, GError **error)
{
    g_autofree char *bus = NULL;
    const char *why;

    if (vgmXMLPropString(target, "bus", 0, &bus, error) < 0)
        return FALSE;
    if ((why = VGM_REFUSED_WHY(vgmDiskBusesForeign, bus))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <target bus='%1$s'> of disk '%2$s': it is %3$s"), bus, dst, why);
        return FALSE;
    }
    return TRUE;
}

/* A disk target is a bus prefix and a letter index ("vda", "sdab"), as
 * libvirt parses it; a partition number after it ("vdb1") names no
 * disk */
static gboolean
vgmDiskTargetCheck(const char *dst, GError **error)
{
    static const char *const prefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd", NULL };
    const char *p = NULL;
    size_t i;

    for (i = 0; prefixes[i] && !p; i++) {
        if (g_str_has_prefix(dst, prefixes[i]))
            p = dst + strlen(prefixes[i]);
    }
    if (p && g_ascii_islower(*p)) {
        while (g_ascii_islower(*p))
            p++;
        if (!*p)
            return TRUE;
        if (g_ascii_isdigit(*p) && strspn(p, "0123456789") == strlen(p)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid disk target '%1$s': a target names a disk, not a partition of it"),
                        dst);
            return FALSE;
        }
    }
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("invalid disk target '%1$s': expected a prefix (vd, sd, hd, fd, xvd, ubd) and letters, such as 'vda'"),
                dst);
    return FALSE;
}

static VgmDiskBus
vgmDiskBusFromTarget(const char *dst)
{
    if (g_str_has_prefix(dst, "vd"))
        return VGM_DISK_BUS_VIRTIO;
    if (g_str_has_prefix(dst, "sd"))
        return VGM_DISK_BUS_SCSI;
    if (g_str_has_prefix(dst, "hd"))
        return VGM_DISK_BUS_IDE;
    if (g_str_has_prefix(dst, "fd"))
        return VGM_DISK_BUS_FDC;
    return VGM_DISK_BUS_NONE;
}

/* What each network protocol takes, as libvirt lowers it */
typedef struct {
    unsigned int port;          /* a <host>'s port when it names none; 0: none */
    guint minHosts;             /* how many <host>s */
    guint maxHosts;             /* 0: any number */
    gboolean unixHost;          /* a <host> may be a unix socket */
    gboolean tcpPort;           /* a tcp <host> may have a port */
    gboolean splitName;         /* name is VOLUME/PATH (rbd's pool and image) */
    const char *secretType;     /* <auth>'s <secret type=''>; NULL: no <auth> */
    const char *const *children; /* the elements <source> may have */
} VgmDiskProtocolInfo;

#define VGM_CURL_CHILDREN (const char *const[]){ "host", "ssl", "readahead", "timeout", NULL }
#define VGM_HTTP_CHILDREN (const char *const[]){ "host", "ssl", "cookies", "readahead", \
                                                 "timeout", NULL }

static const VgmDiskProtocolInfo vgmDiskProtocols[VGM_DISK_PROTOCOL_LAST] = {
    [VGM_DISK_PROTOCOL_NBD] = { 10809, 1, 1, TRUE, TRUE, FALSE, NULL,
                                (const char *const[]){ "host", NULL } },
    [VGM_DISK_PROTOCOL_HTTP] = { 80, 1, 1, FALSE, TRUE, FALSE, NULL, VGM_HTTP_CHILDREN },
    [VGM_DISK_PROTOCOL_HTTPS] = { 443, 1, 1, FALSE, TRUE, FALSE, NULL, VGM_HTTP_CHILDREN },
    [VGM_DISK_PROTOCOL_FTP] = { 21, 1, 1, FALSE, TRUE, FALSE, NULL, VGM_CURL_CHILDREN },
    [VGM_DISK_PROTOCOL_FTPS] = { 990, 1, 1, FALSE, TRUE, FALSE, NULL, VGM_CURL_CHILDREN },
    [VGM_DISK_PROTOCOL_ISCSI] = { 3260, 1, 1, FALSE, TRUE, FALSE, "iscsi",
                                  (const char *const[]){ "host", "initiator", "auth", NULL } },
    [VGM_DISK_PROTOCOL_RBD] = { 0, 0, 0, FALSE, TRUE, TRUE, "ceph",
                                (const char *const[]){ "host", "snapshot", "config", "auth",
                                                       NULL } },
    [VGM_DISK_PROTOCOL_GLUSTER] = { 24007, 1, 0, TRUE, TRUE, TRUE, NULL,
                                    (const char *const[]){ "host", NULL } },
    [VGM_DISK_PROTOCOL_NFS] = { 0, 1, 1, FALSE, FALSE, FALSE, NULL,
                                (const char *const[]){ "host", "identity", NULL } },
};

/* libvirt's other protocols, refused by name with the reason */
static const VgmRefused vgmDiskProtocolsRefused[] = {
    { "sheepdog", N_("QEMU no longer has a sheepdog block driver") },
    { "vxhs", N_("QEMU no longer has a vxhs block driver") },
    { "tftp", N_("QEMU's curl driver no longer reads over tftp") },
    { "ssh", N_("virt-gmem does not lower ssh disks") },
};

static gboolean
vgmDiskNetCurl(VgmDiskProtocol protocol)
{
    return protocol == VGM_DISK_PROTOCOL_HTTP || protocol == VGM_DISK_PROTOCOL_HTTPS ||
           protocol == VGM_DISK_PROTOCOL_FTP || protocol == VGM_DISK_PROTOCOL_FTPS;
}

/* The uuid='' or usage='' (one of the two) by which <secret> @secret of
 * <@owner> names a secret of the secret driver */
static gboolean
vgmSecretRefParse(xmlNodePtr secret, const char *owner, gboolean *byUUID, unsigned char *uuid,
                  char **usage, GError **error)
{
    g_autofree char *str = NULL;

    if (vgmXMLPropString(secret, "uuid", 0, &str, error) < 0 ||
        vgmXMLPropString(secret, "usage", 0, usage, error) < 0)
        return FALSE;
    if (!str == !*usage) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <secret> of <%1$s> names its secret by 'uuid' or by 'usage', one of the two"),
                    owner);
        return FALSE;
    }
    if (str && !(*byUUID = vgmDomainUUIDParse(str, uuid))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'uuid' of <secret> in <%2$s>: expected a UUID"),
                    str, owner);
        return FALSE;
    }
    return TRUE;
}

/* ... written back, as the rest of a <secret> element */
static void
vgmSecretRefFormat(VgmBuf *buf, gboolean byUUID, const unsigned char *uuid, const char *usage)
{
    if (byUUID) {
        char str[37];

        vgmDomainUUIDFormat(uuid, str);
        vgmBufAsprintf(buf, " uuid='%s'/>\n", str);
    } else {
        vgmBufEscapeString(buf, " usage='%s'/>\n", usage);
    }
}

/* <auth username='' type=''><secret type='' uuid=''|usage=''/></auth> */
static VgmDiskAuth *
vgmDiskAuthParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmDiskAuth) auth = g_new0(VgmDiskAuth, 1);
    xmlNodePtr secret;

    /* libvirt's schema has no type='' (chap, ceph) on a disk's <auth> */
    if (!vgmXMLCheckNode(node, (const char *const[]){ "username", NULL },
                         (const char *const[]){ "secret", NULL }, error) ||
        vgmXMLPropString(node, "username", VGM_XML_PROP_REQUIRED, &auth->username, error) < 0 ||
        vgmXMLSingleChild(node, "secret", &secret, error) < 0)
        return NULL;
    if (!secret) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("element <auth> of a disk needs a <secret type='' uuid=''|usage=''/>"));
        return NULL;
    }
    if (!vgmXMLCheckNode(secret, (const char *const[]){ "type", "uuid", "usage", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(secret, "type", VGM_XML_PROP_REQUIRED, &auth->secretType, error) < 0 ||
        !vgmSecretRefParse(secret, "auth", &auth->byUUID, auth->uuid, &auth->usage, error))
        return NULL;
    return g_steal_pointer(&auth);
}

static void
vgmDiskAuthFormat(VgmBuf *buf, const VgmDiskAuth *auth)
{
    vgmBufEscapeString(buf, "<auth username='%s'>\n", auth->username);
    vgmBufEscapeString(buf, "  <secret type='%s'", auth->secretType);
    vgmSecretRefFormat(buf, auth->byUUID, auth->uuid, auth->usage);
    vgmBufAdd(buf, "</auth>\n");
}

/* Whether @auth fits a disk over @protocol: the protocol takes one and
 * the secret's type is the protocol's, as libvirt checks */
static gboolean
vgmDiskAuthCheck(const VgmDiskAuth *auth, VgmDiskProtocol protocol, GError **error)
{
    const VgmDiskProtocolInfo *info = &vgmDiskProtocols[protocol];
    const char *proto = vgmDiskProtocolTypeToString(protocol);

    if (!info->secretType) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <auth> of a disk over %1$s: only rbd and iscsi disks authenticate here"),
                    proto);
        return FALSE;
    }
    if (!g_str_equal(auth->secretType, info->secretType)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("invalid secret type '%1$s' in <auth> of a disk over %2$s: its secret is of type '%3$s'"),
                    auth->secretType, proto, info->secretType);
        return FALSE;
    }
return TRUE;
}

/* Whether @str has none of the characters RFC 6265 keeps out of a
 * cookie's value (controls, space, '"', ',', ';', '\\') nor, for a
 * @name, of its token (besides: separators) */
static gboolean
vgmDiskCookieCharsOK(const char *str, gboolean name)
{
    for (const char *c = str; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f || strchr(" \",;\\", *c))
            return FALSE;
        if (name && strchr("()<>@:/[]?={}", *c))
            return FALSE;
    }
    return TRUE;
}

/* <cookies><cookie name=''>VALUE</cookie>...</cookies> of an http(s)
 * disk: name and value in turn into @cookies, checked as libvirt checks
 * them (RFC 6265's characters, a value maybe in double quotes, names
 * given once) */
static gboolean
vgmDiskCookiesParse(xmlNodePtr node, GPtrArray **cookies, GError **error)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) children = vgmXMLChildren(node, "cookie");
    guint i, j;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "cookie", NULL }, error))
        return FALSE;
    for (i = 0; i < children->len; i++) {
        xmlNodePtr c = g_ptr_array_index(children, i);
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;
        size_t len;

        /* text, and no element */
        if (!vgmXMLCheckNode(c, (const char *const[]){ "name", NULL }, NULL, error) ||
            vgmXMLPropString(c, "name", VGM_XML_PROP_REQUIRED, &name, error) < 0)
            return FALSE;
        if (!(value = vgmXMLNodeContent(c)))
            value = g_strdup("");
        len = strlen(value);
        if (!*name || !vgmDiskCookieCharsOK(name, TRUE)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid cookie name '%1$s' in <cookies>: a cookie's name is a token of RFC 6265"),
                        name);
            return FALSE;
        }
        /* an optional pair of double quotes around the value */
        if (value[0] == '"' && len >= 2 && value[len - 1] == '"') {
            g_autofree char *inner = g_strndup(value + 1, len - 2);

            if (!vgmDiskCookieCharsOK(inner, FALSE))
                len = 0;
        } else if (!vgmDiskCookieCharsOK(value, FALSE)) {
            len = 0;
        }
        if (!len && *value) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value of cookie '%1$s' in <cookies>: RFC 6265 keeps controls, spaces, quotes (but around it), commas, semicolons and backslashes out of it"),
                        name);
            return FALSE;
        }
        for (j = 0; j < list->len; j += 2) {
            if (g_str_equal(g_ptr_array_index(list, j), name)) {
                vgmErrorSet(error, VGM_ERR_XML, _("cookie '%1$s' is given twice in <cookies>"),
                            name);
                return FALSE;
            }
        }
        g_ptr_array_add(list, g_steal_pointer(&name));
        g_ptr_array_add(list, g_steal_pointer(&value));
    }
    if (!list->len) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("element <cookies> needs a <cookie name=''>"));
        return FALSE;
    }
    *cookies = g_steal_pointer(&list);
    return TRUE;
}

/* One <host> of a network disk over @proto */
static VgmDiskNetHost *
vgmDiskNetHostParse(xmlNodePtr node, VgmDiskProtocol protocol, GError **error)
{
    const VgmDiskProtocolInfo *info = &vgmDiskProtocols[protocol];
    g_autoptr(VgmDiskNetHost) host = g_new0(VgmDiskNetHost, 1);
    g_autofree char *transport = NULL;
    int rc;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "name", "port", "transport", "socket", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(node, "transport", 0, &transport, error) < 0 ||
        (transport && !vgmCheckValue(info->unixHost ? (const char *const[]){ "tcp", "unix", NULL } :
                                                      (const char *const[]){ "tcp", NULL },
                                     transport, "transport", "host", error)))
        return NULL;
    if (transport && g_str_equal(transport, "unix")) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "transport", "socket", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(node, "socket", VGM_XML_PROP_REQUIRED, &host->socket, error) < 0)
            return NULL;
        if (!g_path_is_absolute(host->socket)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'socket' of <host>: a unix socket is an absolute path"),
                        host->socket);
            return NULL;
        }
        return g_steal_pointer(&host);
    }
    if (!vgmXMLCheckNode(node, info->tcpPort ? (const char *const[]){ "name", "port", "transport", NULL } :
                                               (const char *const[]){ "name", "transport", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(node, "name", VGM_XML_PROP_REQUIRED, &host->name, error) < 0 ||
        (rc = vgmXMLPropUInt(node, "port", 0, &host->port, error)) < 0)
        return NULL;
    if (!*host->name || strpbrk(host->name, "/?#@ ,")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'name' of <host>: expected a host name or an IP address"),
                    host->name);
        return NULL;
    }
    if (rc > 0 && (host->port == 0 || host->port > 65535)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'port' of <host>: a port is 1 to 65535"),
                    host->port);
        return NULL;
    }
    if (!host->port)
        host->port = info->port;
    return g_steal_pointer(&host);
}

/* <encryption format='' engine=''> with its <secret type='passphrase'
 * uuid=''|usage=''/>, as libvirt parses it for a domain's disk: a
 * <cipher> or <ivgen> (what a new volume is made with) is refused, as
 * libvirt refuses them there; so is more than one secret, of which
 * libvirt reads only the first */
static VgmDiskEncryption *
vgmDiskEncryptionParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmDiskEncryption) enc = g_new0(VgmDiskEncryption, 1);
    g_autoptr(GPtrArray) secrets = NULL;
    g_autofree char *type = NULL;
    xmlNodePtr secret;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "format", "engine", NULL },
                         (const char *const[]){ "secret", "cipher", "ivgen", NULL }, error) ||
        vgmXMLPropEnum(node, "format", vgmDiskEncryptionFormatTypeFromString,
                       VGM_XML_PROP_REQUIRED, &v, error) < 0)
        return NULL;
    enc->format = v;
    if (vgmXMLPropEnum(node, "engine", vgmDiskEncryptionEngineTypeFromString,
                       VGM_XML_PROP_NONZERO, &v, error) < 0)
        return NULL;
    enc->engine = v;
    if (vgmXMLChild(node, "cipher") || vgmXMLChild(node, "ivgen")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <%1$s> in the <encryption> of a disk: the image's own LUKS header names how it is encrypted (<%1$s> is for making a storage volume)"),
                    vgmXMLChild(node, "cipher") ? "cipher" : "ivgen");
        return NULL;
    }
    secrets = vgmXMLChildren(node, "secret");
    if (secrets->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("element <encryption> of a disk needs a <secret type='passphrase' uuid=''|usage=''/>: the secret holding the image's passphrase"));
        return NULL;
    }
    if (secrets->len > 1) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <encryption> of a disk takes one <secret>, not %1$u"),
                    secrets->len);
        return NULL;
    }
    secret = g_ptr_array_index(secrets, 0);
    if (!vgmXMLCheckNode(secret, (const char *const[]){ "type", "uuid", "usage", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(secret, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0 ||
        !vgmCheckValue((const char *const[]){ "passphrase", NULL }, type, "type", "secret", error) ||
        !vgmSecretRefParse(secret, "encryption", &enc->byUUID, enc->uuid, &enc->usage, error))
        return NULL;
    return g_steal_pointer(&enc);
}

static void
vgmDiskEncryptionFormatXML(VgmBuf *buf, const VgmDiskEncryption *enc)
{
    if (!enc)
        return;
    vgmBufAsprintf(buf, "<encryption format='%s'", vgmDiskEncryptionFormatTypeToString(enc->format));
    if (enc->engine)
        vgmBufAsprintf(buf, " engine='%s'", vgmDiskEncryptionEngineTypeToString(enc->engine));
    vgmBufAdd(buf, ">\n");
    vgmBufAdd(buf, "  <secret type='passphrase'");
    vgmSecretRefFormat(buf, enc->byUUID, enc->uuid, enc->usage);
    vgmBufAdd(buf, "</encryption>\n");
}

/* The <encryption> of an image's <source> @src into *@enc, then taken
 * out of the document so that the source's own checks do not meet it */
static gboolean
vgmDiskEncryptionTake(xmlNodePtr src, VgmDiskEncryption **enc, GError **error)
{
    xmlNodePtr node;

    if (vgmXMLSingleChild(src, "encryption", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!(*enc = vgmDiskEncryptionParse(node, error)))
        return FALSE;
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    return TRUE;
}

/* The <slices> of an image's <source> @src into *@slice, then taken out
 * of the document so that the source's own checks do not meet it: one
 * <slice type='storage' offset='' size=''/>, both in bytes (libvirt's
 * only kind). */
static gboolean
vgmDiskSliceTake(xmlNodePtr src, VgmDiskSlice *slice, GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    g_autofree char *type = NULL;
    xmlNodePtr slices, one;

    if (vgmXMLSingleChild(src, "slices", &slices, error) < 0)
        return FALSE;
    if (!slices)
        return TRUE;
    if (!vgmXMLCheckNode(slices, (const char *const[]){ NULL }, (const char *const[]){ "slice", NULL }, error))
        return FALSE;
    list = vgmXMLChildren(slices, "slice");
    if (list->len != 1) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <slices> of <source> holds one <slice type='storage'>, not %1$u"),
                    list->len);
        return FALSE;
    }
    one = g_ptr_array_index(list, 0);
    if (!vgmXMLCheckNode(one, (const char *const[]){ "type", "offset", "size", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(one, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0 ||
        !vgmCheckValue((const char *const[]){ "storage", NULL }, type, "type", "slice", error) ||
        vgmXMLPropULongLong(one, "offset", VGM_XML_PROP_REQUIRED, &slice->offset, error) < 0 ||
        vgmXMLPropULongLong(one, "size", VGM_XML_PROP_REQUIRED, &slice->size, error) < 0)
        return FALSE;
    slice->set = TRUE;
    xmlUnlinkNode(slices);
    xmlFreeNode(slices);
    return TRUE;
}

static void
vgmDiskSliceFormat(VgmBuf *buf, const VgmDiskSlice *slice)
{
    if (!slice || !slice->set)
        return;
    vgmBufAdd(buf, "<slices>\n");
    vgmBufAsprintf(buf, "  <slice type='storage' offset='%llu' size='%llu'/>\n",
                   slice->offset, slice->size);
    vgmBufAdd(buf, "</slices>\n");
}

/* Ends a file or block image's <source> start tag: with its <slices> and
 * <encryption> (@enc, unless given in the <disk>) inside, or at once */
static void
vgmDiskSourceClose(VgmBuf *buf, const VgmDiskSlice *slice, const VgmDiskEncryption *enc)
{
    if (enc && enc->inDisk)
        enc = NULL;
    if (!slice->set && !enc) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    vgmDiskSliceFormat(buf, slice);
    vgmDiskEncryptionFormatXML(buf, enc);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</source>\n");
}

/* <source protocol='' name='' tls='' tlsHostname=''> with its <host>s
 * and what the protocol takes besides (vgmDiskProtocols) */
static VgmDiskNetSource *
vgmDiskNetSourceParse(xmlNodePtr src, GError **error)
{
    g_autoptr(VgmDiskNetSource) net = g_new0(VgmDiskNetSource, 1);
    g_autofree char *protocol = NULL;
    g_autoptr(GPtrArray) hosts = NULL;
    const VgmDiskProtocolInfo *info;
    xmlNodePtr child;
    gboolean curl;
    guint i;
    int v;

    if (vgmXMLPropString(src, "protocol", VGM_XML_PROP_REQUIRED, &protocol, error) < 0)
        return NULL;
    if ((v = vgmDiskProtocolTypeFromString(protocol)) <= 0) {
        const char *why = VGM_REFUSED_WHY(vgmDiskProtocolsRefused, protocol);

        if (why) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <disk type='network'> protocol '%1$s': %2$s"), protocol, why);
            return NULL;
        }
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'protocol' of <source> in <disk type='network'>: the protocols are nbd, http, https, ftp, ftps, iscsi, rbd, gluster and nfs"),
                    protocol);
        return NULL;
    }
    net->protocol = v;
    info = &vgmDiskProtocols[net->protocol];
    curl = vgmDiskNetCurl(net->protocol);
    /* curl's passwords would need secrets of a usage libvirt gives them
     * none of (refused as unknown: an <auth> of curl's) */
    if (!vgmXMLCheckNode(src, net->protocol == VGM_DISK_PROTOCOL_NBD ?
                                  (const char *const[]){ "protocol", "name", "tls", "tlsHostname", NULL } :
                              net->protocol == VGM_DISK_PROTOCOL_HTTP ||
                              net->protocol == VGM_DISK_PROTOCOL_HTTPS ?
                                  (const char *const[]){ "protocol", "name", "query", NULL } :
                                  (const char *const[]){ "protocol", "name", NULL },
                         info->children, error) ||
        vgmXMLPropString(src, "name", 0, &net->name, error) < 0 ||
        vgmXMLPropString(src, "query", 0, &net->query, error) < 0 ||
        vgmXMLPropTristateBool(src, "tls", 0, &net->tls, error) < 0 ||
        vgmXMLPropString(src, "tlsHostname", 0, &net->tlsHostname, error) < 0)
        return NULL;
    if (net->tlsHostname && net->tls != VGM_TRISTATE_YES) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("attribute 'tlsHostname' of <source protocol='nbd'> goes with tls='yes'"));
        return NULL;
    }
    if (net->protocol != VGM_DISK_PROTOCOL_NBD && !net->name) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<source protocol='%1$s'> needs a name: the image on the server"),
                    protocol);
        return NULL;
    }
    /* rbd's pool/image, gluster's volume/path */
    if (info->splitName) {
        const char *slash = strchr(net->name, '/');

        if (!slash || slash == net->name || !slash[1]) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid name '%1$s' of <source protocol='%2$s'>: expected %3$s"),
                        net->name, protocol,
                        net->protocol == VGM_DISK_PROTOCOL_RBD ? "POOL/IMAGE" : "VOLUME/PATH");
            return NULL;
        }
    }
    /* iscsi's target and its LUN (0 when not given) */
    if (net->protocol == VGM_DISK_PROTOCOL_ISCSI) {
        const char *slash = strchr(net->name, '/');
        guint64 lun;

        if (slash == net->name ||
            (slash && !g_ascii_string_to_unsigned(slash + 1, 10, 0, G_MAXUINT32, &lun, NULL))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid name '%1$s' of <source protocol='iscsi'>: expected TARGET or TARGET/LUN, the LUN a number"),
                        net->name);
            return NULL;
        }
    }

    net->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDiskNetHostFree);
    hosts = vgmXMLChildren(src, "host");
    if (hosts->len < info->minHosts || (info->maxHosts && hosts->len > info->maxHosts)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    info->maxHosts == 1 ?
                    _("<source protocol='%1$s'> of a network disk needs exactly one <host>, not %2$u") :
                    _("<source protocol='%1$s'> of a network disk needs at least one <host>"),
                    protocol, hosts->len);
        return NULL;
    }
    for (i = 0; i < hosts->len; i++) {
        VgmDiskNetHost *host = vgmDiskNetHostParse(g_ptr_array_index(hosts, i), net->protocol,
                                                   error);

        if (!host)
            return NULL;
        g_ptr_array_add(net->hosts, host);
    }

    if (vgmXMLSingleChild(src, "ssl", &child, error) < 0)
        return NULL;
    if (child) {
        if (net->protocol != VGM_DISK_PROTOCOL_HTTPS && net->protocol != VGM_DISK_PROTOCOL_FTPS) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("element <ssl> of <source protocol='%1$s'> is for https and ftps only"),
                        protocol);
            return NULL;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "verify", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropTristateBool(child, "verify", VGM_XML_PROP_REQUIRED, &net->sslVerify, error) < 0)
            return NULL;
    }
    if (vgmXMLSingleChild(src, "cookies", &child, error) < 0 ||
        (child && !vgmDiskCookiesParse(child, &net->cookies, error)))
        return NULL;
    if (vgmXMLSingleChild(src, "readahead", &child, error) < 0 ||
        (child && (!vgmXMLCheckNode(child, (const char *const[]){ "size", NULL }, vgmXMLNoChildren, error) ||
                   vgmXMLPropULongLong(child, "size", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                                       &net->readahead, error) < 0)) ||
        vgmXMLSingleChild(src, "timeout", &child, error) < 0 ||
        (child && (!vgmXMLCheckNode(child, (const char *const[]){ "seconds", NULL }, vgmXMLNoChildren, error) ||
                   vgmXMLPropULongLong(child, "seconds", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                                       &net->timeout, error) < 0)))
        return NULL;
    /* QEMU's limits: both are int64 options, the timeout at most what
     * curl takes */
    if (curl && (net->readahead > G_MAXINT64 || net->timeout > G_MAXINT32)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<readahead> or <timeout> of <source protocol='%1$s'> is too large"),
                    protocol);
        return NULL;
    }
    if (vgmXMLSingleChild(src, "snapshot", &child, error) < 0 ||
        (child && (!vgmXMLCheckNode(child, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
                   vgmXMLPropString(child, "name", VGM_XML_PROP_REQUIRED, &net->snapshot, error) < 0)) ||
        vgmXMLSingleChild(src, "config", &child, error) < 0 ||
        (child && (!vgmXMLCheckNode(child, (const char *const[]){ "file", NULL }, vgmXMLNoChildren, error) ||
                   vgmXMLPropString(child, "file", VGM_XML_PROP_REQUIRED, &net->config, error) < 0)) ||
        vgmXMLSingleChild(src, "identity", &child, error) < 0 ||
        (child && (!vgmXMLCheckNode(child, (const char *const[]){ "user", "group", NULL },
                                    vgmXMLNoChildren, error) ||
                   vgmXMLPropString(child, "user", 0, &net->nfsUser, error) < 0 ||
                   vgmXMLPropString(child, "group", 0, &net->nfsGroup, error) < 0)))
        return NULL;
    if (vgmXMLSingleChild(src, "initiator", &child, error) < 0)
        return NULL;
    if (child) {
        xmlNodePtr iqn;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, (const char *const[]){ "iqn", NULL }, error) ||
            vgmXMLSingleChild(child, "iqn", &iqn, error) < 0)
            return NULL;
        if (!iqn) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("element <initiator> of <source protocol='iscsi'> needs an <iqn name=''/>"));
            return NULL;
        }
        if (!vgmXMLCheckNode(iqn, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(iqn, "name", VGM_XML_PROP_REQUIRED, &net->initiator, error) < 0)
            return NULL;
    }
    if (vgmXMLSingleChild(src, "auth", &child, error) < 0 ||
        (child && !(net->auth = vgmDiskAuthParse(child, error))))
        return NULL;
    return g_steal_pointer(&net);
}

VgmDiskNetSource *
vgmDiskNetSourceParseChecked(xmlNodePtr src, GError **error)
{
    g_autoptr(VgmDiskNetSource) net = vgmDiskNetSourceParse(src, error);

    if (!net || (net->auth && !vgmDiskAuthCheck(net->auth, net->protocol, error)))
        return NULL;
    return g_steal_pointer(&net);
}

/* A network image's <source>, with a running disk's node number as its
 * index (0: none), its slice and its <encryption> (unless given in the
 * <disk>) */
static void
vgmDiskNetSourceFormatIndex(VgmBuf *buf, const VgmDiskNetSource *net, unsigned int index,
                            const VgmDiskSlice *slice, const VgmDiskEncryption *enc)
{
    guint i;

    vgmBufAsprintf(buf, "<source protocol='%s'", vgmDiskProtocolTypeToString(net->protocol));
    if (index)
        vgmBufAsprintf(buf, " index='%u'", index);
    vgmBufEscapeString(buf, " name='%s'", net->name);
    vgmBufEscapeString(buf, " query='%s'", net->query);
    if (net->tls)
        vgmBufAsprintf(buf, " tls='%s'", vgmTristateBoolTypeToString(net->tls));
    vgmBufEscapeString(buf, " tlsHostname='%s'", net->tlsHostname);
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; i < net->hosts->len; i++) {
        const VgmDiskNetHost *host = g_ptr_array_index(net->hosts, i);

        if (host->socket) {
            vgmBufEscapeString(buf, "<host transport='unix' socket='%s'/>\n", host->socket);
            continue;
        }
        vgmBufEscapeString(buf, "<host name='%s'", host->name);
        if (host->port)
            vgmBufAsprintf(buf, " port='%u'", host->port);
        vgmBufAdd(buf, "/>\n");
    }
    if (net->nfsUser || net->nfsGroup) {
        vgmBufAdd(buf, "<identity");
        vgmBufEscapeString(buf, " user='%s'", net->nfsUser);
        vgmBufEscapeString(buf, " group='%s'", net->nfsGroup);
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufEscapeString(buf, "<snapshot name='%s'/>\n", net->snapshot);
    vgmBufEscapeString(buf, "<config file='%s'/>\n", net->config);
    if (net->initiator) {
        vgmBufAdd(buf, "<initiator>\n");
        vgmBufEscapeString(buf, "  <iqn name='%s'/>\n", net->initiator);
        vgmBufAdd(buf, "</initiator>\n");
    }
    if (net->sslVerify)
        vgmBufAsprintf(buf, "<ssl verify='%s'/>\n", vgmTristateBoolTypeToString(net->sslVerify));
    if (net->cookies) {
        vgmBufAdd(buf, "<cookies>\n");
        for (i = 0; i < net->cookies->len; i += 2) {
            vgmBufEscapeString(buf, "  <cookie name='%s'>", g_ptr_array_index(net->cookies, i));
            vgmBufEscapeString(buf, "%s</cookie>\n", g_ptr_array_index(net->cookies, i + 1));
        }
        vgmBufAdd(buf, "</cookies>\n");
    }
    if (net->readahead)
        vgmBufAsprintf(buf, "<readahead size='%llu'/>\n", net->readahead);
    if (net->timeout)
        vgmBufAsprintf(buf, "<timeout seconds='%llu'/>\n", net->timeout);
    vgmDiskSliceFormat(buf, slice);
    if (net->auth && !net->auth->inDisk)
        vgmDiskAuthFormat(buf, net->auth);
    if (enc && !enc->inDisk)
        vgmDiskEncryptionFormatXML(buf, enc);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</source>\n");
}

void
vgmDiskNetSourceFormat(VgmBuf *buf, const VgmDiskNetSource *net)
{
    vgmDiskNetSourceFormatIndex(buf, net, 0, NULL, NULL);
}

/* <reconnect enabled='' timeout=''> of a vhost-user socket in <@owner
 * type='vhostuser'>: *timeout 0 for enabled='no' */
static gboolean
vgmReconnectParse(xmlNodePtr rc, const char *owner, unsigned int *timeout, gboolean *have,
                  GError **error)
{
    VgmTristate enabled = VGM_TRISTATE_ABSENT;
    int got;

    if (!vgmXMLCheckNode(rc, (const char *const[]){ "enabled", "timeout", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropTristateBool(rc, "enabled", VGM_XML_PROP_REQUIRED, &enabled, error) < 0 ||
        (got = vgmXMLPropUInt(rc, "timeout", 0, timeout, error)) < 0)
        return FALSE;
    /* libvirt's: a timeout with enabled='yes' only, and then one */
    if ((enabled == VGM_TRISTATE_YES) != (got > 0 && *timeout > 0)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<reconnect> of <%1$s type='vhostuser'>: enabled='yes' takes a nonzero 'timeout' (seconds), enabled='no' none"),
                    owner);
        return FALSE;
    }
    *have = TRUE;
    return TRUE;
}

/* <source ...> of a vhost-user socket, closed, with its <reconnect> */
static void
vgmReconnectSourceFormat(VgmBuf *buf, gboolean have, unsigned int timeout)
{
    if (!have) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    if (timeout)
        vgmBufAsprintf(buf, "  <reconnect enabled='yes' timeout='%u'/>\n", timeout);
    else
        vgmBufAdd(buf, "  <reconnect enabled='no'/>\n");
    vgmBufAdd(buf, "</source>\n");
}

/* A vhost-user socket's <source type='unix' path=''> in <@owner
 * type='vhostuser'> (@attrs: the attributes it may have) and its
 * <reconnect>: the path, which is absolute, in *path */
static gboolean
vgmVhostUserSourceParse(xmlNodePtr source, const char *owner, const char *const *attrs,
                        char **path, unsigned int *reconnect, gboolean *haveReconnect,
                        GError **error)
{
    g_autofree char *type = NULL;
    xmlNodePtr rc;

    if (!vgmXMLCheckNode(source, attrs, (const char *const[]){ "reconnect", NULL }, error) ||
        vgmXMLPropString(source, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0 ||
        !vgmCheckValue((const char *const[]){ "unix", NULL }, type, "type", "source", error) ||
        vgmXMLPropString(source, "path", VGM_XML_PROP_REQUIRED, path, error) < 0 ||
        vgmXMLSingleChild(source, "reconnect", &rc, error) < 0)
        return FALSE;
    if (!g_path_is_absolute(*path)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'path' of <source> in <%2$s type='vhostuser'>: a socket is an absolute path"),
                    *path, owner);
        return FALSE;
    }
    return !rc || vgmReconnectParse(rc, owner, reconnect, haveReconnect, error);
}

/* A vhostuser disk's <source type='unix' path=''> (the socket of a
 * vhost-user-blk server someone else runs) and its <reconnect> */
static gboolean
vgmDiskVhostUserParse(xmlNodePtr source, VgmDiskDef *disk, GError **error)
{
    if (!source) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <disk type='vhostuser'> needs <source type='unix' path='...'/>"));
        return FALSE;
    }
    return vgmVhostUserSourceParse(source, "disk", (const char *const[]){ "type", "path", NULL },
                                   &disk->src, &disk->reconnect, &disk->haveReconnect, error);
}

/* The text of the disk's <NAME> child into *out (NULL when absent); an
 * empty one is refused, a longer one than @maxLen (0: any length) too, and
 * each character must be in @allowed (NULL: any printable ASCII) */
static gboolean
vgmDiskTextParse(xmlNodePtr node, const char *name, size_t maxLen, const char *allowed,
                 char **out, GError **error)
{
    xmlNodePtr child;
    const char *p;

    if (vgmXMLSingleChild(node, name, &child, error) < 0)
        return FALSE;
    if (!child)
        return TRUE;
    /* text, and no attributes or elements */
    if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error))
        return FALSE;
    *out = vgmXMLNodeContent(child);
    /* (an empty one says nothing: libvirt reads it as absent, as a
     * client that clears a field writes it) */
    if (!*out || !**out) {
        g_clear_pointer(out, g_free);
        return TRUE;
    }
    for (p = *out; *p; p++) {
        if (allowed ? !strchr(allowed, *p) : !g_ascii_isprint(*p))
            break;
    }
    if (*p || (maxLen && strlen(*out) > maxLen)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    *p ? _("invalid character in <%1$s> of <disk>: '%2$s'") :
                    _("<%1$s> of <disk> is longer than %3$zu characters: '%2$s'"),
                    name, *out, maxLen);
        return FALSE;
    }
    return TRUE;
}

/* What the guest sees of the disk beyond its medium: <serial>, <wwn>,
 * <vendor>, <product>, <geometry> and <blockio>, with libvirt's syntax */
static gboolean
vgmDiskFrontendParse(xmlNodePtr node, VgmDiskDef *disk, GError **error)
{
    static const char serialChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+- ";
    xmlNodePtr child;
    int v;

    if (!vgmDiskTextParse(node, "serial", 0, serialChars, &disk->serial, error) ||
        !vgmDiskTextParse(node, "wwn", 0, "0123456789abcdefABCDEFx", &disk->wwn, error) ||
        !vgmDiskTextParse(node, "vendor", 8, NULL, &disk->vendor, error) ||
        !vgmDiskTextParse(node, "product", 16, NULL, &disk->product, error))
        return FALSE;
    if (disk->wwn) {
        const char *digits = g_str_has_prefix(disk->wwn, "0x") ? disk->wwn + 2 : disk->wwn;

        /* QEMU takes the name as a 64-bit number; the NAA formats start
         * with a digit below 8, as a JSON integer needs */
        if (strlen(digits) != 16 || strchr(digits, 'x') || !strchr("01234567", digits[0])) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid <wwn> '%1$s' of <disk>: expected 16 hexadecimal digits (optionally after 0x), the first below 8"),
                        disk->wwn);
            return FALSE;
        }
    }
    if (vgmXMLSingleChild(node, "geometry", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "cyls", "heads", "secs", "trans",
                                                           NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(child, "cyls", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                           &disk->cyls, error) < 0 ||
            vgmXMLPropUInt(child, "heads", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                           &disk->heads, error) < 0 ||
            vgmXMLPropUInt(child, "secs", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                           &disk->secs, error) < 0 ||
            vgmXMLPropEnum(child, "trans", vgmDiskTransTypeFromString, VGM_XML_PROP_NONZERO,
                           &v, error) < 0)
            return FALSE;
        disk->trans = v;
    }
    if (vgmXMLSingleChild(node, "blockio", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "logical_block_size",
                                                           "physical_block_size", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(child, "logical_block_size", VGM_XML_PROP_NONZERO,
                           &disk->logicalBlockSize, error) < 0 ||
            vgmXMLPropUInt(child, "physical_block_size", VGM_XML_PROP_NONZERO,
                           &disk->physicalBlockSize, error) < 0)
            return FALSE;
    }
    return TRUE;
}

/* <driver><metadata_cache><max_size unit=''>: the size of qcow2's L2
 * and refcount caches, in bytes unless a unit says otherwise */
static gboolean
vgmDiskMetadataCacheParse(xmlNodePtr driver, unsigned long long *out, GError **error)
{
    g_autofree char *unit = NULL;
    unsigned long long v;
    xmlNodePtr mc, max;

    if (vgmXMLSingleChild(driver, "metadata_cache", &mc, error) < 0)
        return FALSE;
    if (!mc)
        return TRUE;
    if (!vgmXMLCheckNode(mc, vgmXMLNoChildren, (const char *const[]){ "max_size", NULL },
                         error) ||
        vgmXMLSingleChild(mc, "max_size", &max, error) < 0)
        return FALSE;
    if (!max)
        return TRUE;
    if (!vgmXMLCheckNode(max, (const char *const[]){ "unit", NULL }, NULL, error) ||
        vgmXMLPropString(max, "unit", 0, &unit, error) < 0 ||
        vgmXMLNodeContentULL(max, &v, error) < 0 ||
        !vgmScaleInteger(&v, unit, 1, G_MAXINT64, "<max_size> in <metadata_cache>", error))
        return FALSE;
    if (v == 0) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("<max_size> in <metadata_cache> must be above 0"));
        return FALSE;
    }
    *out = v;
    return TRUE;
}

/* <metadata_cache> of a <driver> or <format> whose start tag is open:
 * closes it with @element, or with "/>" when there is no cache size */
static void
vgmDiskMetadataCacheFormat(VgmBuf *buf, const char *element, unsigned long long size)
{
    if (!size) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufAdd(buf, "  <metadata_cache>\n");
    vgmBufAsprintf(buf, "    <max_size unit='bytes'>%llu</max_size>\n", size);
    vgmBufAdd(buf, "  </metadata_cache>\n");
    vgmBufAsprintf(buf, "</%s>\n", element);
}

/* The <backingStore> chain of @node (a disk or a layer): each layer's
 * type, <format> and <source>, until an empty <backingStore/> ends it
 * or a layer has none below (then QEMU opens the rest from the image) */
static gboolean
vgmDiskBackingParse(xmlNodePtr node, VgmDiskDef *disk, GError **error)
{
    xmlNodePtr bs;

    for (;;) {
        g_autoptr(VgmDiskBackingLayer) layer = NULL;
        xmlNodePtr fmt, src;
        const char *attr;
        int type;

        if (vgmXMLSingleChild(node, "backingStore", &bs, error) < 0)
            return FALSE;
        if (!bs)
            return TRUE;
        if (!disk->backing)
            disk->backing = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDiskBackingLayerFree);
        /* the chain's explicit end */
        if (!bs->properties && !xmlFirstElementChild(bs)) {
            disk->backingEnd = TRUE;
            return TRUE;
        }
        layer = g_new0(VgmDiskBackingLayer, 1);
        /* (only the driver's live XML still has the index here) */
        if (!vgmXMLCheckNode(bs, (const char *const[]){ "type", "index", NULL },
                             (const char *const[]){ "format", "source", "backingStore", NULL },
                             error) ||
            vgmXMLPropEnum(bs, "type", vgmDiskTypeTypeFromString, VGM_XML_PROP_REQUIRED, &type,
                           error) < 0 ||
            vgmXMLPropUInt(bs, "index", VGM_XML_PROP_NONZERO, &layer->index, error) < 0)
            return FALSE;
        if (type != VGM_DISK_TYPE_FILE && type != VGM_DISK_TYPE_BLOCK &&
            type != VGM_DISK_TYPE_NETWORK) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <backingStore type='%1$s'> of disk: a backing image is a 'file', a 'block' device or on the 'network' here"),
                        vgmDiskTypeTypeToString(type));
            return FALSE;
        }
        layer->type = type;
        attr = type == VGM_DISK_TYPE_FILE ? "file" : type == VGM_DISK_TYPE_BLOCK ? "dev" : "protocol";
        if (vgmXMLSingleChild(bs, "format", &fmt, error) < 0 ||
            vgmXMLSingleChild(bs, "source", &src, error) < 0)
            return FALSE;
        if (!fmt || !src) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<backingStore type='%1$s'> needs a <format type=''/> and a <source %2$s=''/>"),
                        vgmDiskTypeTypeToString(type), attr);
            return FALSE;
        }
        if (!vgmXMLCheckNode(fmt, (const char *const[]){ "type", NULL },
                             (const char *const[]){ "metadata_cache", NULL }, error) ||
            vgmXMLPropString(fmt, "type", VGM_XML_PROP_REQUIRED, &layer->format, error) < 0 ||
            !vgmCheckValue((const char *const[]){ "raw", "qcow2", NULL }, layer->format, "type",
                           "format", error) ||
            !vgmDiskMetadataCacheParse(fmt, &layer->metadataCacheMax, error))
            return FALSE;
        if (!vgmDiskSliceTake(src, &layer->slice, error) ||
            !vgmDiskEncryptionTake(src, &layer->encryption, error))
            return FALSE;
        if (type == VGM_DISK_TYPE_NETWORK) {
            if (!(layer->net = vgmDiskNetSourceParseChecked(src, error)))
                return FALSE;
            layer->path = g_strdup_printf("%s:%s", vgmDiskProtocolTypeToString(layer->net->protocol),
                                          layer->net->name ? layer->net->name : "");
        } else if (!vgmXMLCheckNode(src, (const char *const[]){ attr, NULL }, vgmXMLNoChildren, error) ||
                   vgmXMLPropString(src, attr, VGM_XML_PROP_REQUIRED, &layer->path, error) < 0) {
            return FALSE;
        }
        g_ptr_array_add(disk->backing, g_steal_pointer(&layer));
        node = bs;
    }
}

static void
vgmDiskBackingFormat(VgmBuf *buf, const VgmDiskDef *disk)
{
    guint i;

    if (!disk->backing)
        return;
    for (i = 0; i < disk->backing->len; i++) {
        const VgmDiskBackingLayer *l = g_ptr_array_index(disk->backing, i);

        vgmBufAsprintf(buf, "<backingStore type='%s'", vgmDiskTypeTypeToString(l->type));
        if (l->index)
            vgmBufAsprintf(buf, " index='%u'", l->index);
        vgmBufAdd(buf, ">\n");
        vgmBufAdjustIndent(buf, 2);
        vgmBufEscapeString(buf, "<format type='%s'", l->format);
        vgmDiskMetadataCacheFormat(buf, "format", l->metadataCacheMax);
        if (l->net) {
            vgmDiskNetSourceFormatIndex(buf, l->net, 0, &l->slice, l->encryption);
        } else {
            vgmBufEscapeString(buf, l->type == VGM_DISK_TYPE_FILE ? "<source file='%s'" :
                               "<source dev='%s'", l->path);
            vgmDiskSourceClose(buf, &l->slice, l->encryption);
        }
    }
    if (disk->backingEnd)
        vgmBufAdd(buf, "<backingStore/>\n");
    for (i = 0; i < disk->backing->len; i++) {
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</backingStore>\n");
    }
}

/* A running domain's copy or active commit job, in the driver's own live
 * XML (a definition's <mirror> is dropped before this reads it): <mirror
 * type='file|block' job='copy|active-commit' [ready='yes']> with
 * <format> and <source> inside, and a copy's destination in attributes
 * file='' format='' too, as libvirt writes them */
static gboolean
vgmDiskMirrorParse(xmlNodePtr node, VgmDiskDef *disk, GError **error)
{
    g_autofree char *type = NULL;
    g_autofree char *job = NULL;
    g_autofree char *ready = NULL;
    xmlNodePtr m = NULL;
    xmlNodePtr n;

    if (vgmXMLSingleChild(node, "mirror", &m, error) < 0)
        return FALSE;
    if (!m)
        return TRUE;
    if (!vgmXMLCheckNode(m, (const char *const[]){ "type", "file", "format", "job", "ready", NULL },
                         (const char *const[]){ "format", "source", NULL }, error) ||
        vgmXMLPropString(m, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0 ||
        vgmXMLPropString(m, "file", 0, &disk->mirrorFile, error) < 0 ||
        vgmXMLPropString(m, "format", 0, &disk->mirrorFormat, error) < 0 ||
        vgmXMLPropString(m, "job", 0, &job, error) < 0 ||
        vgmXMLPropString(m, "ready", 0, &ready, error) < 0)
        return FALSE;
    if ((!g_str_equal(type, "file") && !g_str_equal(type, "block")) ||
        (job && !g_str_equal(job, "copy") && !g_str_equal(job, "active-commit")) ||
        (ready && !g_str_equal(ready, "yes"))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("unsupported <mirror> of <disk>: a block job's is type 'file' or 'block', job 'copy' or 'active-commit' and ready 'yes' when it is"));
        return FALSE;
    }
    disk->mirrorBlock = g_str_equal(type, "block");
    disk->mirrorCommit = job && g_str_equal(job, "active-commit");
    for (n = m->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!disk->mirrorFormat && xmlStrEqual(n->name, BAD_CAST "format") &&
            vgmXMLPropString(n, "type", 0, &disk->mirrorFormat, error) < 0)
            return FALSE;
        if (!disk->mirrorFile && xmlStrEqual(n->name, BAD_CAST "source") &&
            vgmXMLPropString(n, disk->mirrorBlock ? "dev" : "file", 0, &disk->mirrorFile,
                             error) < 0)
            return FALSE;
    }
    if (!disk->mirrorFile || !disk->mirrorFormat) {
        vgmErrorSet(error, VGM_ERR_XML, _("<mirror> of disk '%1$s' has no file or format"),
                    disk->dst ? disk->dst : "?");
        return FALSE;
    }
    disk->mirrorReady = ready != NULL;
    return TRUE;
}

/* The <mirror> of a disk's copy or active commit job, as libvirt writes
 * it */
static void
vgmDiskMirrorFormat(VgmBuf *buf, const VgmDiskDef *disk)
{
    if (!disk->mirrorFile)
        return;
    vgmBufAsprintf(buf, "<mirror type='%s'", disk->mirrorBlock ? "block" : "file");
    if (!disk->mirrorCommit) {
        vgmBufEscapeString(buf, " file='%s'", disk->mirrorFile);
        vgmBufEscapeString(buf, " format='%s'", disk->mirrorFormat);
    }
    vgmBufAsprintf(buf, " job='%s'", disk->mirrorCommit ? "active-commit" : "copy");
    vgmBufAdd(buf, disk->mirrorReady ? " ready='yes'>\n" : ">\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufEscapeString(buf, "<format type='%s'/>\n", disk->mirrorFormat);
    vgmBufEscapeString(buf, disk->mirrorBlock ? "<source dev='%s'/>\n" : "<source file='%s'/>\n",
                       disk->mirrorFile);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</mirror>\n");
}

static VgmDiskDef *
vgmDiskParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmDiskDef) disk = g_new0(VgmDiskDef, 1);
    xmlNodePtr child;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "device", "snapshot", "model", NULL },
                         (const char *const[]){ "driver", "source", "backingStore", "mirror",
                                                "target", "iotune",
                                                "readonly", "boot", "alias", "address", "acpi", "serial", "wwn",
                                                "vendor", "product", "geometry", "blockio",
                                                "shareable", "transient", "auth", "encryption",
                                                NULL }, error))
        return NULL;
    {
        g_autofree char *snapshot = NULL;

        /* the default of the disk in a snapshot ('manual' leaves it to
         * the user, which virt-gmem does not take) */
        if (vgmXMLPropString(node, "snapshot", 0, &snapshot, error) < 0)
            return NULL;
        if (snapshot && !g_str_equal(snapshot, "no") && !g_str_equal(snapshot, "internal") &&
            !g_str_equal(snapshot, "external")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported value '%1$s' for attribute 'snapshot' of <disk>: 'no', 'internal' or 'external' fits"),
                        snapshot);
            return NULL;
        }
        disk->snapshotNo = g_strcmp0(snapshot, "no") == 0;
        disk->snapshotExternal = g_strcmp0(snapshot, "external") == 0;
        disk->snapshotInternal = g_strcmp0(snapshot, "internal") == 0;
    }
    /* libvirt's disk types this driver has not: named, with the reason */
    {
        static const VgmRefused refused[] = {
            { "nvme", N_("QEMU's own NVMe driver takes the host's NVMe controller, a host PCI device, which the driver does not hand QEMU") },
            { "volume", N_("a storage pool's volume is named by its path here: <disk type='file'> or 'block' with the volume's path (virsh vol-path)") },
        };
        g_autofree char *type = NULL;
        const char *why;

        if (vgmXMLPropString(node, "type", 0, &type, error) < 0)
            return NULL;
        if ((why = VGM_REFUSED_WHY(refused, type))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, _("unsupported <disk type='%1$s'>: %2$s"),
                        type, why);
            return NULL;
        }
    }
    /* libvirt takes a disk without a type for a file */
    if (vgmXMLPropEnum(node, "type", vgmDiskTypeTypeFromString, 0, &v, error) < 0)
        return NULL;
    disk->type = v;
    if (vgmXMLPropEnum(node, "device", vgmDiskDeviceTypeFromString, 0, &v, error) < 0)
        return NULL;
    disk->device = v;
    if (vgmXMLPropEnum(node, "model", vgmVirtioModelTypeFromString, VGM_XML_PROP_NONZERO, &v,
                       error) < 0)
        return NULL;
    disk->model = v;

    if (vgmXMLSingleChild(node, "driver", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "name", "type", "cache", "io",
                                                           "discard", "detect_zeroes", "queues",
                                                           "queue_size", "ioeventfd", "event_idx",
                                                           "iommu", "ats", "packed", "page_per_vq", "error_policy",
                                                           "rerror_policy", "iothread", "copy_on_read",
                                                           NULL },
                             (const char *const[]){ "metadata_cache", NULL }, error) ||
            !vgmDiskMetadataCacheParse(child, &disk->metadataCacheMax, error) ||
            vgmXMLPropTristateSwitch(child, "ioeventfd", 0, &disk->ioeventfd, error) < 0 ||
            vgmXMLPropTristateSwitch(child, "event_idx", 0, &disk->eventIdx, error) < 0 ||
            vgmXMLPropTristateSwitch(child, "copy_on_read", 0, &disk->copyOnRead, error) < 0 ||
            vgmXMLPropEnum(child, "discard", vgmDiskDiscardTypeFromString, VGM_XML_PROP_NONZERO,
                           &v, error) < 0)
            return NULL;
        disk->discard = v;
        if (vgmXMLPropEnum(child, "detect_zeroes", vgmDiskDetectZeroesTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return NULL;
        disk->detectZeroes = v;
        if (vgmXMLPropEnum(child, "error_policy", vgmDiskErrorPolicyTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return NULL;
        disk->errorPolicy = v;
        if (vgmXMLPropEnum(child, "rerror_policy", vgmDiskErrorPolicyTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return NULL;
        disk->rerrorPolicy = v;
        /* QEMU's enospc is a write error's */
        if (disk->rerrorPolicy == VGM_DISK_ERROR_POLICY_ENOSPACE) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("invalid value 'enospace' for attribute 'rerror_policy' of <driver> in <disk>: only a write error can be out of space"));
            return NULL;
        }
        if (vgmXMLPropUInt(child, "queues", VGM_XML_PROP_NONZERO, &disk->queues, error) < 0 ||
            vgmXMLPropUInt(child, "queue_size", VGM_XML_PROP_NONZERO, &disk->queueSize, error) < 0 ||
            vgmXMLPropUInt(child, "iothread", 0, &disk->iothread, error) < 0 ||
            vgmXMLPropString(child, "name", 0, &disk->driverName, error) < 0 ||
            vgmXMLPropString(child, "type", 0, &disk->driverType, error) < 0 ||
            !vgmVirtioOptionsParse(child, &disk->virtio, error))
            return NULL;
        /* cache='default' is the same as no cache attribute; io has no
         * 'default' value, as in libvirt */
        if (vgmXMLPropEnum(child, "cache", vgmDiskCacheTypeFromString, 0, &v, error) < 0)
            return NULL;
        disk->cache = v;
        if (vgmXMLPropEnum(child, "io", vgmDiskIoTypeFromString, VGM_XML_PROP_NONZERO,
                           &v, error) < 0)
            return NULL;
        disk->io = v;
        if (disk->driverName && !g_str_equal(disk->driverName, "qemu")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported disk driver name '%1$s' in <driver> of <disk>: only 'qemu'"),
                        disk->driverName);
            return NULL;
        }
        if (disk->driverType &&
            !vgmCheckValue((const char *const[]){ "raw", "qcow2", "fat", NULL }, disk->driverType,
                           "type", "driver", error))
            return NULL;
    }
    /* QEMU shows a directory as a FAT file system, and only that (libvirt's
     * rules) */
    if (disk->type == VGM_DISK_TYPE_DIR && disk->driverType &&
        !g_str_equal(disk->driverType, "fat")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<disk type='dir'> needs <driver type='fat'>, not '%1$s': QEMU shows the directory as a FAT file system"),
                    disk->driverType);
        return NULL;
    }
    if (disk->type != VGM_DISK_TYPE_DIR && g_strcmp0(disk->driverType, "fat") == 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<driver type='fat'> of <disk> is for type 'dir' (a host directory)"));
        return NULL;
    }

    if (vgmXMLSingleChild(node, "source", &child, error) < 0)
        return NULL;
    /* (only the driver's live XML still has the index here) */
    if (child && vgmXMLPropUInt(child, "index", VGM_XML_PROP_NONZERO, &disk->nodeIndex, error) < 0)
        return NULL;
    if (child)
        xmlUnsetProp(child, (const xmlChar *)"index");
    if (child && (!vgmDiskSliceTake(child, &disk->slice, error) ||
                  !vgmDiskEncryptionTake(child, &disk->encryption, error)))
        return NULL;
    {
        xmlNodePtr enc;

        /* libvirt's older place for it, kept where it was given */
        if (vgmXMLSingleChild(node, "encryption", &enc, error) < 0)
            return NULL;
        if (enc && disk->encryption) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("element <encryption> is given in both <disk> and its <source>: one is enough"));
            return NULL;
        }
        if (enc) {
            if (!(disk->encryption = vgmDiskEncryptionParse(enc, error)))
                return NULL;
            disk->encryption->inDisk = TRUE;
        }
    }
    if (disk->slice.set && disk->type != VGM_DISK_TYPE_FILE &&
        disk->type != VGM_DISK_TYPE_BLOCK && disk->type != VGM_DISK_TYPE_NETWORK) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<slices> in the <source> of <disk type='%1$s'>: a storage slice is of an image (a 'file', a 'block' device or one on the 'network')"),
                    vgmDiskTypeTypeToString(disk->type));
        return NULL;
    }
    if (child && disk->type == VGM_DISK_TYPE_NETWORK) {
        xmlNodePtr auth;

        if (!(disk->net = vgmDiskNetSourceParse(child, error)) ||
            vgmXMLSingleChild(node, "auth", &auth, error) < 0)
            return NULL;
        /* libvirt's older place for it, kept where it was given */
        if (auth) {
            if (disk->net->auth) {
                vgmErrorSet(error, VGM_ERR_XML, "%s",
                            _("element <auth> is given in both <disk> and its <source>: one is enough"));
                return NULL;
            }
            if (!(disk->net->auth = vgmDiskAuthParse(auth, error)))
                return NULL;
            disk->net->auth->inDisk = TRUE;
        }
        if (disk->net->auth && !vgmDiskAuthCheck(disk->net->auth, disk->net->protocol, error))
            return NULL;
    } else if (disk->type == VGM_DISK_TYPE_VHOSTUSER) {
        if (!vgmDiskVhostUserParse(child, disk, error))
            return NULL;
    } else if (child) {
        const char *attr = disk->type == VGM_DISK_TYPE_FILE ? "file" :
                           disk->type == VGM_DISK_TYPE_DIR ? "dir" : "dev";
        int policy = VGM_DISK_STARTUP_DEFAULT;

        if (!vgmXMLCheckNode(child, (const char *const[]){ attr, "startupPolicy", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, attr, 0, &disk->src, error) < 0 ||
            vgmXMLPropEnum(child, "startupPolicy", vgmDiskStartupPolicyTypeFromString,
                           VGM_XML_PROP_NONZERO, &policy, error) < 0)
            return NULL;
        disk->startupPolicy = policy;
    }
    /* also for a CD-ROM: libvirt's schema wants the source, though its
     * parser would take an empty drive (its test input
     * disk-cdrom-empty-network-invalid) */
    if (disk->type == VGM_DISK_TYPE_NETWORK && !disk->net) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <disk type='network'> needs a <source protocol=''> with its <host>"));
        return NULL;
    }
    if (disk->type != VGM_DISK_TYPE_NETWORK) {
        if (vgmXMLSingleChild(node, "auth", &child, error) < 0)
            return NULL;
        if (child) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("element <auth> of <disk> is for network disks (rbd and iscsi)"));
            return NULL;
        }
    }
    if (disk->slice.set && !vgmDiskHasMedium(disk)) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("<slices> in a disk <source> that names no image: a storage slice is of a file, a device or a network image"));
        return NULL;
    }
    if (!disk->src && !disk->net && disk->device == VGM_DISK_DEVICE_DISK) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <disk> of device 'disk' needs a <source> with a path"));
        return NULL;
    }
    if (!vgmDiskBackingParse(node, disk, error) || !vgmDiskMirrorParse(node, disk, error))
        return NULL;

    if (vgmXMLSingleChild(node, "target", &child, error) < 0)
        return NULL;
    if (!child) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <disk> needs a <target>"));
        return NULL;
    }
    if (!vgmXMLCheckNode(child, (const char *const[]){ "dev", "bus", "tray", "removable",
                                                       "rotation_rate", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(child, "dev", VGM_XML_PROP_REQUIRED, &disk->dst, error) < 0 ||
        !vgmDiskBusForeignCheck(child, disk->dst, error) ||
        vgmXMLPropUInt(child, "rotation_rate", VGM_XML_PROP_NONZERO, &disk->rotationRate,
                       error) < 0 ||
        vgmXMLPropEnum(child, "bus", vgmDiskBusTypeFromString, VGM_XML_PROP_NONZERO, &v, error) < 0 ||
        vgmXMLPropTristateSwitch(child, "removable", 0, &disk->removable, error) < 0)
        return NULL;
    disk->bus = v;
    if (!vgmDiskTargetCheck(disk->dst, error))
        return NULL;
    {
        g_autofree char *tray = NULL;

        /* a removable medium's tray, which a start leaves open or closed */
        if (vgmXMLPropString(child, "tray", 0, &tray, error) < 0 ||
            (tray && !vgmCheckValue((const char *const[]){ "open", "closed", NULL }, tray,
                                    "tray", "target", error)))
            return NULL;
        if (tray && disk->device == VGM_DISK_DEVICE_DISK) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute 'tray' of <target> in disk '%1$s': only a cdrom or a floppy has a tray"),
                        disk->dst);
            return NULL;
        }
        disk->trayOpen = tray && g_str_equal(tray, "open");
        /* QEMU's floppy drive has no tray to open (blockdev-open-tray
         * leaves it as it is) */
        if (disk->trayOpen && disk->device == VGM_DISK_DEVICE_FLOPPY) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<target tray='open'> of floppy disk '%1$s': QEMU's floppy drive has no tray it opens; only a cdrom's opens"),
                        disk->dst);
            return NULL;
        }
    }
    if (!disk->bus && !(disk->bus = vgmDiskBusFromTarget(disk->dst))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("cannot tell the bus of disk target '%1$s': give <target bus='virtio|sata|scsi|ide|usb'/>"),
                    disk->dst);
        return NULL;
    }
    if (vgmXMLSingleChild(node, "iotune", &child, error) < 0 ||
        (child && !(disk->iotune = vgmDiskIotuneParse(child, disk->dst, error))))
        return NULL;
    if ((child = vgmXMLChild(node, "readonly"))) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, vgmXMLNoChildren, error))
            return NULL;
        disk->readonly = TRUE;
    }
    if ((child = vgmXMLChild(node, "shareable"))) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, vgmXMLNoChildren, error))
            return NULL;
        disk->shareable = TRUE;
    }
    if (vgmXMLSingleChild(node, "transient", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "shareBacking", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropTristateBool(child, "shareBacking", 0, &disk->transientShareBacking,
                                   error) < 0)
            return NULL;
        disk->transient = TRUE;
    }
    if (!vgmDiskFrontendParse(node, disk, error) ||
        !vgmBootOrderParse(node, &disk->bootOrder, error) ||
        !vgmDeviceInfoParse(node, disk->alias, &disk->addr, error))
        return NULL;
    return g_steal_pointer(&disk);
}

static void
vgmDiskFormat(VgmBuf *buf, const VgmDiskDef *disk)
{
    vgmBufAsprintf(buf, "<disk type='%s' device='%s'", vgmDiskTypeTypeToString(disk->type),
                   vgmDiskDeviceTypeToString(disk->device));
    if (disk->model)
        vgmBufAsprintf(buf, " model='%s'", vgmVirtioModelTypeToString(disk->model));
    vgmBufAsprintf(buf, "%s>\n", disk->snapshotNo ? " snapshot='no'" :
                                  disk->snapshotInternal ? " snapshot='internal'" :
                                  disk->snapshotExternal ? " snapshot='external'" : "");
    vgmBufAdjustIndent(buf, 2);
    if (disk->driverName || disk->driverType || disk->cache || disk->io || disk->discard ||
        disk->detectZeroes || disk->queues || disk->queueSize || disk->ioeventfd ||
        disk->eventIdx || vgmVirtioOptionsAny(&disk->virtio) || disk->errorPolicy ||
        disk->rerrorPolicy || disk->iothread || disk->copyOnRead || disk->metadataCacheMax) {
        vgmBufAdd(buf, "<driver");
        vgmBufEscapeString(buf, " name='%s'", disk->driverName);
        vgmBufEscapeString(buf, " type='%s'", disk->driverType);
        if (disk->cache)
            vgmBufAsprintf(buf, " cache='%s'", vgmDiskCacheTypeToString(disk->cache));
        if (disk->errorPolicy)
            vgmBufAsprintf(buf, " error_policy='%s'",
                           vgmDiskErrorPolicyTypeToString(disk->errorPolicy));
        if (disk->rerrorPolicy)
            vgmBufAsprintf(buf, " rerror_policy='%s'",
                           vgmDiskErrorPolicyTypeToString(disk->rerrorPolicy));
        if (disk->io)
            vgmBufAsprintf(buf, " io='%s'", vgmDiskIoTypeToString(disk->io));
        if (disk->ioeventfd)
            vgmBufAsprintf(buf, " ioeventfd='%s'", vgmTristateSwitchTypeToString(disk->ioeventfd));
        if (disk->eventIdx)
            vgmBufAsprintf(buf, " event_idx='%s'", vgmTristateSwitchTypeToString(disk->eventIdx));
        if (disk->copyOnRead)
            vgmBufAsprintf(buf, " copy_on_read='%s'",
                           vgmTristateSwitchTypeToString(disk->copyOnRead));
        if (disk->discard)
            vgmBufAsprintf(buf, " discard='%s'", vgmDiskDiscardTypeToString(disk->discard));
        if (disk->iothread)
            vgmBufAsprintf(buf, " iothread='%u'", disk->iothread);
        if (disk->detectZeroes)
            vgmBufAsprintf(buf, " detect_zeroes='%s'",
                           vgmDiskDetectZeroesTypeToString(disk->detectZeroes));
        if (disk->queues)
            vgmBufAsprintf(buf, " queues='%u'", disk->queues);
        if (disk->queueSize)
            vgmBufAsprintf(buf, " queue_size='%u'", disk->queueSize);
        vgmVirtioOptionsFormat(buf, &disk->virtio);
        vgmDiskMetadataCacheFormat(buf, "driver", disk->metadataCacheMax);
    }
    if (disk->net) {
        if (disk->net->auth && disk->net->auth->inDisk)
            vgmDiskAuthFormat(buf, disk->net->auth);
        vgmDiskNetSourceFormatIndex(buf, disk->net, disk->nodeIndex, &disk->slice,
                                    disk->encryption);
    } else if (disk->type == VGM_DISK_TYPE_VHOSTUSER) {
        vgmBufEscapeString(buf, "<source type='unix' path='%s'", disk->src);
        if (disk->nodeIndex)
            vgmBufAsprintf(buf, " index='%u'", disk->nodeIndex);
        vgmReconnectSourceFormat(buf, disk->haveReconnect, disk->reconnect);
    } else if (disk->src || disk->startupPolicy || disk->nodeIndex) {
        /* (a running empty drive keeps its node number for a medium) */
        vgmBufAdd(buf, "<source");
        vgmBufEscapeString(buf, disk->type == VGM_DISK_TYPE_FILE ? " file='%s'" :
                                disk->type == VGM_DISK_TYPE_DIR ? " dir='%s'" : " dev='%s'",
                           disk->src);
        if (disk->startupPolicy)
            vgmBufAsprintf(buf, " startupPolicy='%s'",
                           vgmDiskStartupPolicyTypeToString(disk->startupPolicy));
        if (disk->nodeIndex)
            vgmBufAsprintf(buf, " index='%u'", disk->nodeIndex);
        vgmDiskSourceClose(buf, &disk->slice, disk->encryption);
    }
    vgmDiskBackingFormat(buf, disk);
    vgmDiskMirrorFormat(buf, disk);
    if (disk->cyls) {
        vgmBufAsprintf(buf, "<geometry cyls='%u' heads='%u' secs='%u'",
                       disk->cyls, disk->heads, disk->secs);
        if (disk->trans)
            vgmBufAsprintf(buf, " trans='%s'", vgmDiskTransTypeToString(disk->trans));
        vgmBufAdd(buf, "/>\n");
    }
    if (disk->logicalBlockSize || disk->physicalBlockSize) {
        vgmBufAdd(buf, "<blockio");
        if (disk->logicalBlockSize)
            vgmBufAsprintf(buf, " logical_block_size='%u'", disk->logicalBlockSize);
        if (disk->physicalBlockSize)
            vgmBufAsprintf(buf, " physical_block_size='%u'", disk->physicalBlockSize);
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufEscapeString(buf, "<target dev='%s'", disk->dst);
    vgmBufAsprintf(buf, " bus='%s'%s", vgmDiskBusTypeToString(disk->bus),
                   disk->trayOpen ? " tray='open'" : "");
    if (disk->removable)
        vgmBufAsprintf(buf, " removable='%s'", vgmTristateSwitchTypeToString(disk->removable));
    if (disk->rotationRate)
        vgmBufAsprintf(buf, " rotation_rate='%u'", disk->rotationRate);
    vgmBufAdd(buf, "/>\n");
    vgmDiskIotuneFormat(buf, disk->iotune);
    if (disk->readonly)
        vgmBufAdd(buf, "<readonly/>\n");
    if (disk->shareable)
        vgmBufAdd(buf, "<shareable/>\n");
    if (disk->transient && disk->transientShareBacking)
        vgmBufAsprintf(buf, "<transient shareBacking='%s'/>\n",
                       vgmTristateBoolTypeToString(disk->transientShareBacking));
    else if (disk->transient)
        vgmBufAdd(buf, "<transient/>\n");
    vgmBufEscapeText(buf, "<serial>%s</serial>\n", disk->serial);
    vgmBufEscapeText(buf, "<wwn>%s</wwn>\n", disk->wwn);
    vgmBufEscapeText(buf, "<vendor>%s</vendor>\n", disk->vendor);
    vgmBufEscapeText(buf, "<product>%s</product>\n", disk->product);
    if (disk->encryption && disk->encryption->inDisk)
        vgmDiskEncryptionFormatXML(buf, disk->encryption);
    if (disk->bootOrder)
        vgmBufAsprintf(buf, "<boot order='%u'/>\n", disk->bootOrder);
    vgmDeviceInfoFormat(buf, disk->alias, &disk->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</disk>\n");
}

/* ---------------- interfaces ---------------- */

char *
vgmDomainMacParse(const char *str, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(str, ":", -1);
    unsigned char mac[6];
    size_t i;

    /* six parts of one or two hex digits, as libvirt reads them */
    if (g_strv_length(parts) != 6)
        goto error;
    for (i = 0; i < 6; i++) {
        const char *p = parts[i];
        size_t n = strlen(p);

        if (n < 1 || n > 2 || !g_ascii_isxdigit(p[0]) || (n == 2 && !g_ascii_isxdigit(p[1])))
            goto error;
        mac[i] = n == 1 ? g_ascii_xdigit_value(p[0]) :
                 (g_ascii_xdigit_value(p[0]) << 4) | g_ascii_xdigit_value(p[1]);
    }
    if (mac[0] & 1) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid MAC address '%1$s' in <mac>: a multicast address cannot name an interface"),
                    str);
        return NULL;
    }
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
 error:
    vgmErrorSet(error, VGM_ERR_XML,
                _("invalid MAC address '%1$s' in <mac>: expected six hexadecimal pairs separated by ':'"),
                str);
    return NULL;
}

/* <interface><driver>: the backend (name), its queues, and iommu */
static gboolean
vgmNetDriverParse(xmlNodePtr devNode, VgmNetDef *net, GError **error)
{
    static const struct {
        const char *attr;
        size_t offset;
    } sizes[] = {
        { "queues", G_STRUCT_OFFSET(VgmNetDef, queues) },
        { "rx_queue_size", G_STRUCT_OFFSET(VgmNetDef, rxQueueSize) },
        { "tx_queue_size", G_STRUCT_OFFSET(VgmNetDef, txQueueSize) },
    };
    xmlNodePtr node;
    size_t i;
    int v;

    static const struct {
        const char *attr;
        size_t offset;
    } switches[] = {
        { "ioeventfd", G_STRUCT_OFFSET(VgmNetDef, ioeventfd) },
        { "event_idx", G_STRUCT_OFFSET(VgmNetDef, eventIdx) },
        { "rss", G_STRUCT_OFFSET(VgmNetDef, rss) },
        { "rss_hash_report", G_STRUCT_OFFSET(VgmNetDef, rssHashReport) },
    };

    if (vgmXMLSingleChild(devNode, "driver", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, (const char *const[]){ "name", "queues", "rx_queue_size",
                                                      "tx_queue_size", "iommu", "ats", "packed", "page_per_vq",
                                                      "txmode", "ioeventfd", "event_idx", "rss",
                                                      "rss_hash_report", NULL },
                         (const char *const[]){ "host", "guest", NULL }, error) ||
        vgmXMLPropEnum(node, "name", vgmNetDriverNameTypeFromString, VGM_XML_PROP_NONZERO,
                       &v, error) < 0 ||
        !vgmVirtioOptionsParse(node, &net->virtio, error))
        return FALSE;
    net->driverName = v;
    if (vgmXMLPropEnum(node, "txmode", vgmNetTxModeTypeFromString, VGM_XML_PROP_NONZERO,
                       &v, error) < 0)
        return FALSE;
    net->txmode = v;
    for (i = 0; i < G_N_ELEMENTS(switches); i++) {
        if (vgmXMLPropTristateSwitch(node, switches[i].attr, 0,
                                     G_STRUCT_MEMBER_P(net, switches[i].offset), error) < 0)
            return FALSE;
    }
    for (i = 0; i < 2; i++) {
        const char *element = i == 0 ? "host" : "guest";
        g_autoptr(GPtrArray) attrs = g_ptr_array_new();
        xmlNodePtr offload;
        size_t j;

        if (vgmXMLSingleChild(node, element, &offload, error) < 0)
            return FALSE;
        if (!offload)
            continue;
        for (j = 0; j < VGM_NET_OFFLOAD_LAST; j++) {
            if (g_str_equal(vgmNetOffloads[j].element, element))
                g_ptr_array_add(attrs, (gpointer)vgmNetOffloads[j].attr);
        }
        g_ptr_array_add(attrs, NULL);
        if (!vgmXMLCheckNode(offload, (const char *const *)attrs->pdata, vgmXMLNoChildren, error))
            return FALSE;
        for (j = 0; j < VGM_NET_OFFLOAD_LAST; j++) {
            if (g_str_equal(vgmNetOffloads[j].element, element) &&
                vgmXMLPropTristateSwitch(offload, vgmNetOffloads[j].attr, 0,
                                         &net->offloads[j], error) < 0)
                return FALSE;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
        unsigned int *field = G_STRUCT_MEMBER_P(net, sizes[i].offset);

        if (vgmXMLPropUInt(node, sizes[i].attr, VGM_XML_PROP_NONZERO, field, error) < 0)
            return FALSE;
    }
    /* one queue is what QEMU does anyway: libvirt drops it */
    if (net->queues == 1)
        net->queues = 0;
    return TRUE;
}

/* <virtualport type='openvswitch'> and <vlan> of a bridge interface */
static gboolean
vgmNetOvsParse(xmlNodePtr node, VgmNetDef *net, GError **error)
{
    xmlNodePtr vp, params, vlan;
    g_autofree char *type = NULL;

    if (vgmXMLSingleChild(node, "virtualport", &vp, error) < 0 ||
        vgmXMLSingleChild(node, "vlan", &vlan, error) < 0)
        return FALSE;
    if (vp) {
        if (!vgmXMLCheckNode(vp, (const char *const[]){ "type", NULL },
                             (const char *const[]){ "parameters", NULL }, error) ||
            vgmXMLPropString(vp, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0)
            return FALSE;
        /* 802.1Qbg / 802.1Qbh need a macvtap, midonet its own agent */
        if (!g_str_equal(type, "openvswitch")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <virtualport type='%1$s'>: only 'openvswitch'"), type);
            return FALSE;
        }
        if (net->type != VGM_NET_TYPE_BRIDGE) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<virtualport type='openvswitch'> is for <interface type='bridge'>, not '%1$s'"),
                        vgmNetTypeToString(net->type));
            return FALSE;
        }
        net->ovs = TRUE;
        if (vgmXMLSingleChild(vp, "parameters", &params, error) < 0)
            return FALSE;
        if (params) {
            unsigned char uuid[16];

            if (!vgmXMLCheckNode(params, (const char *const[]){ "interfaceid", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropString(params, "interfaceid", 0, &net->ovsInterfaceId, error) < 0)
                return FALSE;
            if (net->ovsInterfaceId && !vgmDomainUUIDParse(net->ovsInterfaceId, uuid)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'interfaceid' of <parameters> in <virtualport>: expected a UUID"),
                            net->ovsInterfaceId);
                return FALSE;
            }
        }
    }
    if (vlan) {
        g_autoptr(GPtrArray) tags = NULL;
        VgmTristate trunk = VGM_TRISTATE_ABSENT;
        guint i;

        if (net->type == VGM_NET_TYPE_DIRECT) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<vlan> in <interface type='direct'> on '%1$s': libvirt tags the traffic of an SR-IOV virtual function in passthrough mode, and virt-gmem does not configure virtual functions"),
                        net->source);
            return FALSE;
        }
        if (!net->ovs) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<vlan> in <interface> needs an Open vSwitch port (<virtualport type='openvswitch'>): a Linux bridge or tap carries no tag"));
            return FALSE;
        }
        if (!vgmXMLCheckNode(vlan, (const char *const[]){ "trunk", NULL },
                             (const char *const[]){ "tag", NULL }, error) ||
            vgmXMLPropTristateBool(vlan, "trunk", 0, &trunk, error) < 0)
            return FALSE;
        tags = vgmXMLChildren(vlan, "tag");
        if (tags->len == 0) {
            vgmErrorSet(error, VGM_ERR_XML, _("element <vlan> needs a <tag>"));
            return FALSE;
        }
        if (tags->len > 1 && trunk == VGM_TRISTATE_NO) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<vlan trunk='no'> has %1$u tags: more than one is a trunk"), tags->len);
            return FALSE;
        }
        net->vlanTrunk = trunk == VGM_TRISTATE_YES || tags->len > 1;
        net->vlanTags = g_new0(unsigned int, tags->len);
        for (i = 0; i < tags->len; i++) {
            xmlNodePtr tag = g_ptr_array_index(tags, i);

            /* nativeMode is refused as unknown */
            if (!vgmXMLCheckNode(tag, (const char *const[]){ "id", NULL }, vgmXMLNoChildren, error) ||
                vgmXMLPropUInt(tag, "id", VGM_XML_PROP_REQUIRED, &net->vlanTags[i], error) < 0)
                return FALSE;
            if (net->vlanTags[i] > 4095) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$u' for attribute 'id' of <tag> in <vlan>: a VLAN id is 0 to 4095"),
                            net->vlanTags[i]);
                return FALSE;
            }
            net->nvlanTags++;
        }
    }
    return TRUE;
}

/* libvirt's rate attributes, in its output order */
static const struct {
    const char *name;
    size_t offset;
} vgmNetBandwidthAttrs[] = {
    { "average", G_STRUCT_OFFSET(VgmNetBandwidthRate, average) },
    { "peak", G_STRUCT_OFFSET(VgmNetBandwidthRate, peak) },
    { "floor", G_STRUCT_OFFSET(VgmNetBandwidthRate, floor) },
    { "burst", G_STRUCT_OFFSET(VgmNetBandwidthRate, burst) },
};

VgmNetDef *
vgmDomainNetFind(const VgmDomainDef *def, const char *device, GError **error)
{
    g_autofree char *mac = g_ascii_strdown(device, -1);
    guint i;

    for (i = 0; i < def->devices.nets->len; i++) {
        VgmNetDef *n = g_ptr_array_index(def->devices.nets, i);

        if (g_strcmp0(n->mac, mac) == 0 || g_strcmp0(n->ifname, device) == 0)
            return n;
    }
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("domain '%1$s' has no interface '%2$s' (a host device or a MAC address)"),
                def->name, device);
    return NULL;
}

/* <bandwidth>: each direction at most once, with an average (libvirt
 * also takes a floor alone, which needs a virtual network's QoS: refused
 * with <floor>) */
gboolean
vgmNetBandwidthParse(xmlNodePtr iface, VgmNetBandwidth *bw, GError **error)
{
    static const char *const dirs[] = { "inbound", "outbound" };
    xmlNodePtr node;
    size_t d, a;

    if (vgmXMLSingleChild(iface, "bandwidth", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "inbound", "outbound", NULL },
                         error))
        return FALSE;
    for (d = 0; d < G_N_ELEMENTS(dirs); d++) {
        g_autofree VgmNetBandwidthRate *rate = g_new0(VgmNetBandwidthRate, 1);
        xmlNodePtr child;

        if (vgmXMLSingleChild(node, dirs[d], &child, error) < 0)
            return FALSE;
        if (!child)
            continue;
        if (!vgmXMLCheckNode(child, (const char *const[]){ "average", "peak", "burst", "floor", NULL },
                             vgmXMLNoChildren, error))
            return FALSE;
        for (a = 0; a < G_N_ELEMENTS(vgmNetBandwidthAttrs); a++) {
            if (vgmXMLPropULongLong(child, vgmNetBandwidthAttrs[a].name, 0,
                                    (unsigned long long *)((char *)rate + vgmNetBandwidthAttrs[a].offset),
                                    error) < 0)
                return FALSE;
        }
        if (rate->floor) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute 'floor' of <%1$s> in <bandwidth> guarantees bandwidth through a virtual network's QoS, which virt-gmem does not have"),
                        dirs[d]);
            return FALSE;
        }
        if (!rate->average) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s> in <bandwidth> needs a nonzero attribute 'average' (kilobytes per second)"),
                        dirs[d]);
            return FALSE;
        }
        if (d == 0)
            bw->in = g_steal_pointer(&rate);
        else
            bw->out = g_steal_pointer(&rate);
    }
    return TRUE;
}

void
vgmNetBandwidthFormat(VgmBuf *buf, const VgmNetBandwidth *bw)
{
    const VgmNetBandwidthRate *rates[] = { bw->in, bw->out };
    static const char *const dirs[] = { "inbound", "outbound" };
    size_t d, a;

    if (!bw->in && !bw->out)
        return;
    vgmBufAdd(buf, "<bandwidth>\n");
    for (d = 0; d < G_N_ELEMENTS(rates); d++) {
        if (!rates[d])
            continue;
        vgmBufAsprintf(buf, "  <%s", dirs[d]);
        for (a = 0; a < G_N_ELEMENTS(vgmNetBandwidthAttrs); a++) {
            unsigned long long v = *(const unsigned long long *)((const char *)rates[d] +
                                                                  vgmNetBandwidthAttrs[a].offset);
            if (v)
                vgmBufAsprintf(buf, " %s='%llu'", vgmNetBandwidthAttrs[a].name, v);
        }
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufAdd(buf, "</bandwidth>\n");
}

/* <coalesce><rx><frames max='N'/></rx></coalesce>: the most received
 * frames the tap batches, which libvirt sets on the tap of a network or
 * bridge interface only; an <rx> without <frames max>, or max='0', sets
 * nothing (the tap's default), as libvirt reads it. */
static gboolean
vgmNetCoalesceParse(xmlNodePtr node, VgmNetDef *net, GError **error)
{
    xmlNodePtr rx;
    xmlNodePtr frames = NULL;
    int given = 0;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "rx", NULL }, error) ||
        vgmXMLSingleChild(node, "rx", &rx, error) < 0)
        return FALSE;
    if (rx && (!vgmXMLCheckNode(rx, vgmXMLNoChildren, (const char *const[]){ "frames", NULL }, error) ||
               vgmXMLSingleChild(rx, "frames", &frames, error) < 0))
        return FALSE;
    if (frames &&
        (!vgmXMLCheckNode(frames, (const char *const[]){ "max", NULL }, vgmXMLNoChildren, error) ||
         (given = vgmXMLPropUInt(frames, "max", 0, &net->coalesceRxFrames, error)) < 0))
        return FALSE;
    /* libvirt refuses a <frames max> (even 0) where there is no tap of its */
    if (given > 0 && net->type != VGM_NET_TYPE_NETWORK && net->type != VGM_NET_TYPE_BRIDGE) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<coalesce> of <interface type='%1$s'> is not supported: it is set on the tap of a network or bridge interface"),
                    vgmNetTypeToString(net->type));
        return FALSE;
    }
    return TRUE;
}

/* A TCP or UDP port of <source> or <local> in a socket interface */
static gboolean
vgmNetPortParse(xmlNodePtr node, const char *element, unsigned int *port, GError **error)
{
    if (vgmXMLPropUInt(node, "port", VGM_XML_PROP_REQUIRED, port, error) < 0)
        return FALSE;
    if (*port > 65535) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'port' of <%2$s> in <interface>: a port is at most 65535"),
                    *port, element);
        return FALSE;
    }
    return TRUE;
}

static void
vgmNetHostIpFree(VgmNetHostIp *ip)
{
    g_free(ip->address);
    g_free(ip->peer);
    g_free(ip);
}

static void
vgmNetRouteFree(VgmNetRoute *r)
{
    g_free(r->family);
    g_free(r->address);
    g_free(r->netmask);
    g_free(r->gateway);
    g_free(r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNetHostIp, vgmNetHostIpFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNetRoute, vgmNetRouteFree)

/* Attribute @attr of <@elem> in an ethernet interface's <source>: an IP
 * address, of family @family ('ipv4', 'ipv6' or NULL: either) and, where
 * @v6 is not NULL and @family is, that of the first address read (*v6
 * then says which); canonical in *@out */
static gboolean
vgmNetHostAddrParse(xmlNodePtr node, const char *elem, const char *attr, gboolean required,
                    const char *family, gboolean *v6, char **out, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GInetAddress) inet = NULL;
    gboolean is6;

    if (vgmXMLPropString(node, attr, required ? VGM_XML_PROP_REQUIRED : 0, &text, error) < 0)
        return FALSE;
    if (!text)
        return TRUE;
    if (!(inet = g_inet_address_new_from_string(text))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of <%3$s> in <interface type='ethernet'>: expected an IPv4 or IPv6 address"),
                    text, attr, elem);
        return FALSE;
    }
    is6 = g_inet_address_get_family(inet) == G_SOCKET_FAMILY_IPV6;
    if (family && g_str_equal(family, "ipv6") != is6) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("address '%1$s' of <%2$s> in <interface type='ethernet'> is not of family '%3$s'"),
                    text, elem, family);
        return FALSE;
    }
    *out = g_inet_address_to_string(inet);
    if (v6)
        *v6 = is6;
    return TRUE;
}

/* libvirt's prefix for @address (canonical) where none is given: 0 for
 * the unspecified address, /64 for IPv6, the class's for IPv4 (A /8, B
 * /16, C /24); FALSE for the IPv4 classes D and E, which have none */
static gboolean
vgmNetDefaultPrefix(const char *address, gboolean v6, unsigned int *prefix)
{
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address);
    guint8 first = g_inet_address_to_bytes(inet)[0];

    if (g_inet_address_get_is_any(inet))
        *prefix = 0;
    else if (v6)
        *prefix = 64;
    else if (first < 128)
        *prefix = 8;
    else if (first < 192)
        *prefix = 16;
    else if (first < 224)
        *prefix = 24;
    else
        return FALSE;
    return TRUE;
}

/* The host side of an ethernet interface, its <source>: <ip address=''
 * family='' prefix='' peer=''/> for the tap's addresses and <route
 * family='' address='' netmask='' prefix='' gateway='' metric=''/> for
 * host routes through it, with libvirt's rules (a prefix of at most 32
 * or 128 bits, the family of every address the same) */
static gboolean
vgmNetHostSourceParse(xmlNodePtr child, VgmNetDef *net, GError **error)
{
    xmlNodePtr cur;

    if (!vgmXMLCheckNode(child, vgmXMLNoChildren, (const char *const[]){ "ip", "route", NULL },
                         error))
        return FALSE;
    for (cur = child->children; cur; cur = cur->next) {
        g_autofree char *family = NULL;
        gboolean v6 = FALSE;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (vgmXMLPropString(cur, "family", 0, &family, error) < 0 ||
            (family && !vgmCheckValue((const char *const[]){ "ipv4", "ipv6", NULL }, family,
                                      "family", (const char *)cur->name, error)))
            return FALSE;
        if (xmlStrEqual(cur->name, (const xmlChar *)"ip")) {
            g_autoptr(VgmNetHostIp) ip = g_new0(VgmNetHostIp, 1);

            if (!vgmXMLCheckNode(cur, (const char *const[]){ "address", "family", "prefix", "peer",
                                                             NULL }, vgmXMLNoChildren, error) ||
                !vgmNetHostAddrParse(cur, "ip", "address", TRUE, family, &v6, &ip->address,
                                     error) ||
                !vgmNetHostAddrParse(cur, "ip", "peer", FALSE, v6 ? "ipv6" : "ipv4", NULL,
                                     &ip->peer, error) ||
                vgmXMLPropUInt(cur, "prefix", 0, &ip->prefix, error) < 0)
                return FALSE;
            ip->ipv6 = v6;
            if (ip->prefix > (v6 ? 128u : 32u)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$u' for attribute 'prefix' of <ip address='%2$s'> in <interface type='ethernet'>: at most %3$u"),
                            ip->prefix, ip->address, v6 ? 128u : 32u);
                return FALSE;
            }
            ip->usePrefix = ip->prefix;
            if (!ip->prefix && !vgmNetDefaultPrefix(ip->address, v6, &ip->usePrefix)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<ip address='%1$s'> in <interface type='ethernet'> needs a prefix: an address of IPv4 class D or E has no default one"),
                            ip->address);
                return FALSE;
            }
            if (!net->hostIps)
                net->hostIps = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetHostIpFree);
            g_ptr_array_add(net->hostIps, g_steal_pointer(&ip));
        } else {
            g_autoptr(VgmNetRoute) r = g_new0(VgmNetRoute, 1);
            int rc;

            if (!vgmXMLCheckNode(cur, (const char *const[]){ "family", "address", "netmask",
                                                             "prefix", "gateway", "metric", NULL },
                                 vgmXMLNoChildren, error) ||
                !vgmNetHostAddrParse(cur, "route", "address", TRUE, family, &v6, &r->address,
                                     error) ||
                !vgmNetHostAddrParse(cur, "route", "gateway", TRUE, v6 ? "ipv6" : "ipv4", NULL,
                                     &r->gateway, error) ||
                (rc = vgmXMLPropUInt(cur, "prefix", 0, &r->prefix, error)) < 0 ||
                vgmXMLPropUInt(cur, "metric", 0, &r->metric, error) < 0)
                return FALSE;
            r->family = g_steal_pointer(&family);
            r->ipv6 = v6;
            r->havePrefix = rc > 0;
            if (xmlHasProp(cur, (const xmlChar *)"netmask")) {
                g_autoptr(GInetAddress) mask = NULL;
                const guint8 *bytes;
                guint32 m;

                if (v6) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("<route address='%1$s'> in <interface type='ethernet'> is IPv6 and has a netmask: a netmask is for an IPv4 route"),
                                r->address);
                    return FALSE;
                }
                if (r->havePrefix) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("<route address='%1$s'> in <interface type='ethernet'> has both a netmask and a prefix: give one"),
                                r->address);
                    return FALSE;
                }
                if (!vgmNetHostAddrParse(cur, "route", "netmask", TRUE, "ipv4", NULL, &r->netmask,
                                         error))
                    return FALSE;
                mask = g_inet_address_new_from_string(r->netmask);
                bytes = g_inet_address_to_bytes(mask);
                m = ((guint32)bytes[0] << 24) | ((guint32)bytes[1] << 16) |
                    ((guint32)bytes[2] << 8) | bytes[3];
                /* contiguous: the ones, then only zeros */
                if (m & (~m >> 1)) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("invalid netmask '%1$s' of <route address='%2$s'> in <interface type='ethernet'>: its ones must come first"),
                                r->netmask, r->address);
                    return FALSE;
                }
                for (r->prefix = 0; m; m <<= 1)
                    r->prefix++;
            } else if (!r->havePrefix && !vgmNetDefaultPrefix(r->address, v6, &r->prefix)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<route address='%1$s'> in <interface type='ethernet'> needs a prefix or a netmask: an address of IPv4 class D or E has no default one"),
                            r->address);
                return FALSE;
            }
            if (xmlHasProp(cur, (const xmlChar *)"metric") && !r->metric) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '0' for attribute 'metric' of <route address='%1$s'> in <interface type='ethernet'>: a metric is above 0"),
                            r->address);
                return FALSE;
            }
            if (r->prefix > (v6 ? 128u : 32u)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$u' for attribute 'prefix' of <route address='%2$s'> in <interface type='ethernet'>: at most %3$u"),
                            r->prefix, r->address, v6 ? 128u : 32u);
                return FALSE;
            }
            if (!net->routes)
                net->routes = g_ptr_array_new_with_free_func((GDestroyNotify)vgmNetRouteFree);
            g_ptr_array_add(net->routes, g_steal_pointer(&r));
        }
    }
    return TRUE;
}

/* The <source> of an interface, by its type: none for user, the host
 * side of the tap (vgmNetHostSourceParse) for ethernet;
 * a network or bridge name; a vhost-user socket (type, path, mode and
 * <reconnect>); the address and port of QEMU's socket netdevs (an
 * address of its own and <local> for udp) */
static gboolean
vgmNetSourceParse(xmlNodePtr child, VgmNetDef *net, gboolean live, GError **error)
{
    const char *type = vgmNetTypeToString(net->type);

    if (net->type == VGM_NET_TYPE_VHOSTUSER) {
        g_autofree char *mode = NULL;

        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("<interface type='vhostuser'> needs <source type='unix' path='...' mode='server|client'/>"));
            return FALSE;
        }
        if (!vgmVhostUserSourceParse(child, "interface",
                                     (const char *const[]){ "type", "path", "mode", NULL },
                                     &net->source, &net->reconnect, &net->haveReconnect, error) ||
            vgmXMLPropString(child, "mode", VGM_XML_PROP_REQUIRED, &mode, error) < 0 ||
            !vgmCheckValue((const char *const[]){ "server", "client", NULL }, mode, "mode",
                           "source", error))
            return FALSE;
        net->vhostServer = g_str_equal(mode, "server");
        return TRUE;
    }
    if (net->type == VGM_NET_TYPE_SERVER || net->type == VGM_NET_TYPE_CLIENT ||
        net->type == VGM_NET_TYPE_MCAST || net->type == VGM_NET_TYPE_UDP) {
        gboolean udp = net->type == VGM_NET_TYPE_UDP;
        xmlNodePtr local;

        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<interface type='%1$s'> needs <source address='...' port='...'/>"),
                        type);
            return FALSE;
        }
        /* a server without an address listens on every one */
        if (!vgmXMLCheckNode(child, (const char *const[]){ "address", "port", NULL },
                             udp ? (const char *const[]){ "local", NULL } : vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(child, "address",
                             net->type == VGM_NET_TYPE_SERVER ? 0 : VGM_XML_PROP_REQUIRED,
                             &net->source, error) < 0 ||
            !vgmNetPortParse(child, "source", &net->port, error))
            return FALSE;
        if (!udp)
            return TRUE;
        if (vgmXMLSingleChild(child, "local", &local, error) < 0)
            return FALSE;
        if (!local) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("<interface type='udp'> needs <source><local address='...' port='...'/>: the address and port it sends from"));
            return FALSE;
        }
        return vgmXMLCheckNode(local, (const char *const[]){ "address", "port", NULL },
                               vgmXMLNoChildren, error) &&
               vgmXMLPropString(local, "address", VGM_XML_PROP_REQUIRED, &net->localAddress,
                                error) >= 0 &&
               vgmNetPortParse(local, "local", &net->localPort, error);
    }
    if (net->type == VGM_NET_TYPE_DIRECT) {
        int mode = VGM_NET_DIRECT_VEPA;

        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("<interface type='direct'> needs <source dev='...'/>: the host device its macvtap is made on"));
            return FALSE;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "dev", "mode", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "dev", VGM_XML_PROP_REQUIRED, &net->source, error) < 0 ||
            vgmXMLPropEnum(child, "mode", vgmNetDirectModeTypeFromString, 0, &mode, error) < 0)
            return FALSE;
        net->directMode = mode;
        return TRUE;
    }
    if (net->type == VGM_NET_TYPE_ETHERNET && child)
        return vgmNetHostSourceParse(child, net, error);
    if (net->type == VGM_NET_TYPE_USER || net->type == VGM_NET_TYPE_ETHERNET) {
        if (child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<interface type='%1$s'> takes no <source> element"),
                        type);
            return FALSE;
        }
    } else {
        const char *attr;

        /* a running domain's interface on a network that is a host bridge
         * (<forward mode='bridge'>), in libvirt's live form: its actual
         * type, with the network named. It is the network interface (a
         * definition of it too: a save image's, a migration's, a
         * snapshot's, where libvirt writes the network interface) */
        if (net->type == VGM_NET_TYPE_BRIDGE && child && xmlHasProp(child, BAD_CAST "network")) {
            net->type = VGM_NET_TYPE_NETWORK;
            net->actualHostBridge = live;
        }
        attr = net->type == VGM_NET_TYPE_NETWORK ? "network" : "bridge";
        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<interface type='%1$s'> needs <source %2$s='...'/>"),
                        type, attr);
            return FALSE;
        }
        /* a network interface's live XML names the bridge it joined and
         * libvirt's port; both are run-time state, which a definition
         * does not keep */
        if (!vgmXMLCheckNode(child, net->type == VGM_NET_TYPE_NETWORK ?
                             (const char *const[]){ "network", "portgroup", "bridge", "portid",
                                                    NULL } :
                             (const char *const[]){ attr, NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, attr, VGM_XML_PROP_REQUIRED, &net->source, error) < 0 ||
            (net->type == VGM_NET_TYPE_NETWORK &&
             vgmXMLPropString(child, "portgroup", 0, &net->portgroup, error) < 0) ||
            (net->type == VGM_NET_TYPE_NETWORK && live &&
             vgmXMLPropString(child, "bridge", 0, &net->actualBridge, error) < 0))
            return FALSE;
    }

    return TRUE;
}

/* <backend tap='' vhost=''/>: the host devices the driver opens the tap
 * and vhost-net through, where libvirt opens /dev/net/tun and
 * /dev/vhost-net. A tap is what an ethernet, network or bridge interface
 * has; vhost-net serves those and a macvtap. (libvirt's type='passt' is
 * a user-mode backend the driver does not run.) */
static gboolean
vgmNetBackendParse(xmlNodePtr node, VgmNetDef *net, GError **error)
{
    static const struct {
        const char *attr;
        size_t offset;
    } paths[] = {
        { "tap", G_STRUCT_OFFSET(VgmNetDef, backendTap) },
        { "vhost", G_STRUCT_OFFSET(VgmNetDef, backendVhost) },
    };
    g_autofree char *type = NULL;
    size_t i;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "tap", "vhost", "logFile", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(node, "type", 0, &type, error) < 0)
        return FALSE;
    if (type && !g_str_equal(type, "passt")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'type' of <backend> in <interface>: the only backend type is 'passt'"),
                    type);
        return FALSE;
    }
    if (type || xmlHasProp(node, BAD_CAST "logFile")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    type ? _("unsupported <backend type='passt'> in <interface>: passt is a user-mode network process the driver does not run (type 'user' without <backend> is QEMU's own user-mode network)")
                         : _("unsupported attribute 'logFile' of <backend> in <interface>: it is a passt backend's log, and the driver does not run passt"));
        return FALSE;
    }
    for (i = 0; i < G_N_ELEMENTS(paths); i++) {
        char **out = G_STRUCT_MEMBER_P(net, paths[i].offset);

        if (vgmXMLPropString(node, paths[i].attr, 0, out, error) < 0)
            return FALSE;
        if (*out && !g_path_is_absolute(*out)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute '%2$s' of <backend> in <interface>: a device is an absolute path"),
                        *out, paths[i].attr);
            return FALSE;
        }
    }
    if (net->backendTap && (!vgmNetTypeHasTap(net->type) || net->type == VGM_NET_TYPE_DIRECT)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<backend tap='%1$s'> of <interface type='%2$s'>: the driver opens a tap only for an interface of type 'ethernet', 'network' or 'bridge'"),
                    net->backendTap, vgmNetTypeToString(net->type));
        return FALSE;
    }
    if (net->backendVhost && !vgmNetTypeHasTap(net->type)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<backend vhost='%1$s'> of <interface type='%2$s'>: vhost-net serves a tap or macvtap, which type '%2$s' does not have"),
                    net->backendVhost, vgmNetTypeToString(net->type));
        return FALSE;
    }
    return TRUE;
}

/* <script path=''/> or <downscript path=''/> (@name): a program the
 * driver runs with the tap's name, as libvirt does for an ethernet
 * interface only */
static gboolean
vgmNetScriptParse(xmlNodePtr node, const char *name, const VgmNetDef *net, char **out,
                  GError **error)
{
    xmlNodePtr child;

    if (vgmXMLSingleChild(node, name, &child, error) < 0)
        return FALSE;
    if (!child)
        return TRUE;
    if (!vgmXMLCheckNode(child, (const char *const[]){ "path", NULL }, vgmXMLNoChildren, error) ||
        vgmXMLPropString(child, "path", VGM_XML_PROP_REQUIRED, out, error) < 0)
        return FALSE;
    if (net->type != VGM_NET_TYPE_ETHERNET) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<%1$s> of <interface type='%2$s'>: a script is run for the tap of an <interface type='ethernet'> only"),
                    name, vgmNetTypeToString(net->type));
        return FALSE;
    }
    if (!g_path_is_absolute(*out)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'path' of <%2$s> in <interface>: a script is an absolute path"),
                    *out, name);
        return FALSE;
    }
    return TRUE;
}

/* The number N of interface alias "netN", or -1 */
static gint64
vgmDomainNetAliasNumber(const char *alias)
{
    const char *digits = alias && g_str_has_prefix(alias, "net") ? alias + 3 : NULL;

    if (!digits || !*digits || strspn(digits, "0123456789") != strlen(digits) ||
        strlen(digits) > 9 || (digits[0] == '0' && digits[1]))
        return -1;
    return g_ascii_strtoll(digits, NULL, 10);
}

gboolean
vgmDomainNetAliasValid(const char *alias)
{
    return vgmDomainNetAliasNumber(alias) >= 0;
}

char *
vgmDomainNetAlias(const VgmDomainDef *def, guint index)
{
    const VgmNetDef *net = g_ptr_array_index(def->devices.nets, index);
    gint64 next = 0;
    guint i;

    if (net->alias)
        return g_strdup(net->alias);
    /* after the highest "netN" (a user alias takes no number), in order */
    for (i = 0; i < def->devices.nets->len; i++) {
        const VgmNetDef *other = g_ptr_array_index(def->devices.nets, i);

        next = MAX(next, vgmDomainNetAliasNumber(other->alias) + 1);
    }
    for (i = 0; i < index; i++) {
        if (!((const VgmNetDef *)g_ptr_array_index(def->devices.nets, i))->alias)
            next++;
    }
    return g_strdup_printf("net%" G_GINT64_FORMAT, next);
}

void
vgmDomainDefAssignLiveAliases(VgmDomainDef *def)
{
    gint64 nextMem[VGM_MEMORY_MODEL_LAST + 1] = { 0 };
    g_autoptr(GPtrArray) netIds = g_ptr_array_new_with_free_func(g_free);
    guint i;

    /* (all numbered before any is written) */
    for (i = 0; i < def->devices.nets->len; i++)
        g_ptr_array_add(netIds, vgmDomainNetAlias(def, i));
    for (i = 0; i < def->devices.nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);

        if (!net->alias)
            net->alias = g_strdup(g_ptr_array_index(netIds, i));
    }
    /* a memory device's number is per model (each its own prefix) */
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        size_t m = MIN((size_t)mem->model, (size_t)VGM_MEMORY_MODEL_LAST);

        nextMem[m] = MAX(nextMem[m], vgmDomainMemoryAliasNumber(mem) + 1);
    }
    for (i = 0; i < def->devices.mems->len; i++) {
        VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        size_t m = MIN((size_t)mem->model, (size_t)VGM_MEMORY_MODEL_LAST);

        if (!mem->alias)
            mem->alias = g_strdup_printf("%s%" G_GINT64_FORMAT,
                                         vgmDomainMemoryAliasPrefix(mem->model), nextMem[m]++);
    }
}

/* <ip address='' family='ipv4|ipv6' prefix=''/> of a user-mode
 * interface: the guest's network on QEMU's user stack, one of each family
 * (libvirt's rules: an IPv4 prefix of 4 to 27, an IPv6 one of 64, no peer) */
static gboolean
vgmNetGuestIpsParse(xmlNodePtr node, VgmNetDef *net, GError **error)
{
    g_autoptr(GPtrArray) ips = vgmXMLChildren(node, "ip");
    guint i;

    if (ips->len > 0 && net->type != VGM_NET_TYPE_USER) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<ip> in <interface type='%1$s'>: QEMU sets a guest's addresses only on a user-mode network (type 'user')"),
                    vgmNetTypeToString(net->type));
        return FALSE;
    }
    for (i = 0; i < ips->len; i++) {
        xmlNodePtr ipNode = g_ptr_array_index(ips, i);
        g_autofree char *address = NULL;
        g_autofree char *family = NULL;
        g_autoptr(GInetAddress) inet = NULL;
        unsigned int prefix = 0;
        gboolean v6;
        guint k;

        if (!vgmXMLCheckNode(ipNode, (const char *const[]){ "address", "family", "prefix", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(ipNode, "address", VGM_XML_PROP_REQUIRED, &address, error) < 0 ||
            vgmXMLPropString(ipNode, "family", 0, &family, error) < 0 ||
            vgmXMLPropUInt(ipNode, "prefix", 0, &prefix, error) < 0)
            return FALSE;
        if (!(inet = g_inet_address_new_from_string(address)) ||
            (family && !vgmCheckValue((const char *const[]){ "ipv4", "ipv6", NULL }, family,
                                      "family", "ip", error))) {
            if (!inet)
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'address' of <ip> in <interface>: expected an IPv4 or IPv6 address"),
                            address);
            return FALSE;
        }
        v6 = g_inet_address_get_family(inet) == G_SOCKET_FAMILY_IPV6;
        if (family && g_str_equal(family, "ipv6") != v6) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("address '%1$s' of <ip> in <interface> is not of family '%2$s'"),
                        address, family);
            return FALSE;
        }
        for (k = 0; k < net->nguestIps; k++) {
            if (net->guestIps[k].ipv6 == v6) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<interface type='user'> has two %1$s <ip> addresses: QEMU's user network takes one of each family"),
                            v6 ? "IPv6" : "IPv4");
                return FALSE;
            }
        }
        if (prefix && (v6 ? prefix != 64 : prefix < 4 || prefix > 27)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported prefix='%1$u' of <ip address='%2$s'> in <interface type='user'>: %3$s"),
                        prefix, address,
                        v6 ? _("an IPv6 network of QEMU's user stack is a /64") :
                             _("an IPv4 network of QEMU's user stack has a prefix of 4 to 27"));
            return FALSE;
        }
        net->guestIps[net->nguestIps].address = g_inet_address_to_string(inet);
        net->guestIps[net->nguestIps].ipv6 = v6;
        net->guestIps[net->nguestIps].prefix = prefix;
        net->nguestIps++;
    }
    return TRUE;
}

/* <teaming type='persistent'/>: the virtio side of a failover pair,
 * QEMU's virtio-net failover (libvirt's rules: a virtio model; the
 * transient side names it by its user alias). The transient side is a
 * host PCI device (libvirt: an interface whose actual type is hostdev),
 * which this driver does not pass through. */
static gboolean
vgmNetTeamingParse(xmlNodePtr node, VgmNetDef *net, GError **error)
{
    g_autofree char *persistent = NULL;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "persistent", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropEnum(node, "type", vgmNetTeamingTypeFromString,
                       VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0 ||
        vgmXMLPropString(node, "persistent", 0, &persistent, error) < 0)
        return FALSE;
    if (v == VGM_NET_TEAMING_TRANSIENT) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    persistent ?
                    _("unsupported <teaming type='transient'> in <interface>: the transient side of a failover pair is a host PCI device (type 'hostdev'), which this driver does not pass through") :
                    _("<teaming type='transient'> in <interface> needs the persistent='' alias of its virtio side"));
        return FALSE;
    }
    if (persistent) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'persistent' of <teaming type='%1$s'> is for a transient one only"),
                    vgmNetTeamingTypeToString(v));
        return FALSE;
    }
    if (vgmVirtioModelKind(net->model) == VGM_VIRTIO_KIND_NONE) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<teaming type='persistent'> in <interface> is QEMU's virtio-net failover: it needs <model type='virtio'/>, not '%1$s'"),
                    net->model ? net->model : _("the default"));
        return FALSE;
    }
    net->teaming = v;
    return TRUE;
}

static VgmNetDef *
vgmNetParse(xmlNodePtr node, gboolean live, GError **error)
{
    /* libvirt's other interface types, refused by name before their
     * attributes (managed='yes' of a hostdev one, say) are looked at */
    static const struct {
        const char *type;
        const char *why;
    } unsupported[] = {
        { "hostdev", N_("this driver does not pass host PCI devices through") },
        { "vdpa", N_("this driver does not pass host vDPA devices through") },
    };
    g_autoptr(VgmNetDef) net = g_new0(VgmNetDef, 1);
    g_autofree char *type = NULL;
    xmlNodePtr child;
    size_t i;
    int v;

    if (vgmXMLPropString(node, "type", 0, &type, error) < 0)
        return NULL;
    for (i = 0; type && i < G_N_ELEMENTS(unsupported); i++) {
        if (g_str_equal(type, unsupported[i].type)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <interface type='%1$s'>: %2$s"),
                        type, _(unsupported[i].why));
            return NULL;
        }
    }
    /* what libvirt takes of an interface and this driver does not do */
    {
        static const VgmRefused refused[] = {
            { "filterref", N_("virt-gmem has no network filters (nwfilter): the guest's traffic would pass unfiltered") },
            { "trustGuestRxFilters", N_("it lets a guest's receive filter changes reach a macvtap device, which virt-gmem does not follow") },
        };
        const char *why;

        for (child = node->children; child; child = child->next) {
            if (child->type == XML_ELEMENT_NODE &&
                (why = VGM_REFUSED_WHY(refused, (const char *)child->name))) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("unsupported element <%1$s> in <interface>: %2$s"),
                            (const char *)child->name, why);
                return NULL;
            }
        }
        if (xmlHasProp(node, (const xmlChar *)"trustGuestRxFilters")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported attribute 'trustGuestRxFilters' of <interface>: %1$s"),
                        VGM_REFUSED_WHY(refused, "trustGuestRxFilters"));
            return NULL;
        }
    }
    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL },
                         (const char *const[]){ "mac", "source", "target", "model", "driver",
                                                "mtu", "coalesce", "virtualport", "vlan", "bandwidth",
                                                "port", "link", "rom", "boot", "address", "acpi",
                                                "script", "downscript", "alias", "ip",
                                                "teaming", "tune", "backend", NULL },
                         error))
        return NULL;
    if (vgmXMLPropEnum(node, "type", vgmNetTypeFromString, VGM_XML_PROP_REQUIRED, &v, error) < 0)
        return NULL;
    net->type = v;

    /* (only a running domain's XML keeps it: see vgmDevicesDropLiveState) */
    if (vgmXMLSingleChild(node, "alias", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
         vgmXMLPropString(child, "name", VGM_XML_PROP_REQUIRED, &net->alias, error) < 0))
        return NULL;
    if (net->alias && !vgmDomainNetAliasValid(net->alias) &&
        !vgmDeviceUserAliasValid(net->alias)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid alias '%1$s' of interface: a running domain's interface is named 'net' and a number, or by a user alias ('ua-', then letters, digits, '-' and '_')"),
                    net->alias);
        return NULL;
    }

    if (vgmXMLSingleChild(node, "port", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "isolated", NULL }, vgmXMLNoChildren,
                          error) ||
         vgmXMLPropTristateBool(child, "isolated", 0, &net->isolatedPort, error) < 0))
        return NULL;
    if (vgmXMLSingleChild(node, "mac", &child, error) < 0)
        return NULL;
    if (child) {
        g_autofree char *mac = NULL;
        if (!vgmXMLCheckNode(child, (const char *const[]){ "address", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "address", VGM_XML_PROP_REQUIRED, &mac, error) < 0 ||
            !(net->mac = vgmDomainMacParse(mac, error)))
            return NULL;
    }

    if (vgmXMLSingleChild(node, "source", &child, error) < 0 ||
        !vgmNetSourceParse(child, net, live, error))
        return NULL;

    if (vgmXMLSingleChild(node, "target", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "dev", "managed", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "dev", VGM_XML_PROP_REQUIRED, &net->ifname, error) < 0 ||
            vgmXMLPropTristateBool(child, "managed", 0, &net->managedTap, error) < 0)
            return NULL;
        if (net->managedTap && net->type != VGM_NET_TYPE_ETHERNET) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute 'managed' of <target> is for <interface type='ethernet'> only, not type '%1$s'"),
                        vgmNetTypeToString(net->type));
            return NULL;
        }
        /* names the host gave (vnetN, macvtapN) are run-time state that
         * libvirt drops from the inactive XML; a tap that is not managed
         * keeps the name it was made with */
        if (!live && net->managedTap != VGM_TRISTATE_NO &&
            (g_str_has_prefix(net->ifname, "vnet") || g_str_has_prefix(net->ifname, "macvtap")))
            g_clear_pointer(&net->ifname, g_free);
    }

    if (vgmXMLSingleChild(node, "model", &child, error) < 0)
        return NULL;
    if (child) {
        /* the models libvirt has names of its own for, in any case (it
         * folds them); the others as QEMU spells them */
        static const char *const folded[] = {
            "virtio", "e1000e", "e1000", "rtl8139", "virtio-transitional",
            "virtio-non-transitional", "vmxnet3", NULL
        };
        size_t k;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "type", VGM_XML_PROP_REQUIRED, &net->model, error) < 0)
            return NULL;
        for (k = 0; folded[k]; k++) {
            if (g_ascii_strcasecmp(net->model, folded[k]) == 0) {
                g_free(net->model);
                net->model = g_strdup(folded[k]);
                break;
            }
        }
        if (!vgmCheckValue(vgmNetModels, net->model, "type", "model", error))
            return NULL;
    }
    if (!vgmNetDriverParse(node, net, error) ||
        !vgmBootOrderParse(node, &net->bootOrder, error) ||
        !vgmDeviceAddressParse(node, &net->addr, error))
        return NULL;

    if (!vgmNetOvsParse(node, net, error) ||
        !vgmNetBandwidthParse(node, &net->bandwidth, error) ||
        !vgmNetGuestIpsParse(node, net, error))
        return NULL;
    if (vgmXMLSingleChild(node, "mtu", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "size", NULL }, vgmXMLNoChildren, error) ||
         vgmXMLPropUInt(child, "size", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                        &net->mtu, error) < 0))
        return NULL;
    if (vgmXMLSingleChild(node, "coalesce", &child, error) < 0 ||
        (child && !vgmNetCoalesceParse(child, net, error)))
        return NULL;
    if (vgmXMLSingleChild(node, "link", &child, error) < 0)
        return NULL;
    if (child) {
        g_autofree char *state = NULL;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "state", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(child, "state", VGM_XML_PROP_REQUIRED, &state, error) < 0 ||
            !vgmCheckValue((const char *const[]){ "up", "down", NULL }, state, "state", "link",
                           error))
            return NULL;
        net->linkDown = g_str_equal(state, "down") ? VGM_TRISTATE_YES : VGM_TRISTATE_NO;
    }
    if (vgmXMLSingleChild(node, "teaming", &child, error) < 0 ||
        (child && !vgmNetTeamingParse(child, net, error)))
        return NULL;
    /* <tune><sndbuf>: the send buffer of the interface's tap */
    if (vgmXMLSingleChild(node, "tune", &child, error) < 0)
        return NULL;
    if (child) {
        xmlNodePtr sndbuf;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, (const char *const[]){ "sndbuf", NULL },
                             error) ||
            vgmXMLSingleChild(child, "sndbuf", &sndbuf, error) < 0)
            return NULL;
        if (sndbuf) {
            if (!vgmXMLCheckAttrs(sndbuf, vgmXMLNoChildren, error) ||
                vgmXMLNodeContentULL(sndbuf, &net->sndbuf, error) < 0)
                return NULL;
            net->haveSndbuf = TRUE;
        }
    }
    if (!vgmNetScriptParse(node, "script", net, &net->script, error) ||
        !vgmNetScriptParse(node, "downscript", net, &net->downscript, error))
        return NULL;
    if (vgmXMLSingleChild(node, "backend", &child, error) < 0 ||
        (child && !vgmNetBackendParse(child, net, error)))
        return NULL;
    if (vgmXMLSingleChild(node, "rom", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "bar", "file", "enabled", NULL },
                          vgmXMLNoChildren, error) ||
         vgmXMLPropTristateSwitch(child, "bar", 0, &net->romBar, error) < 0 ||
         vgmXMLPropTristateBool(child, "enabled", 0, &net->romEnabled, error) < 0 ||
         vgmXMLPropString(child, "file", 0, &net->romFile, error) < 0))
        return NULL;
    return g_steal_pointer(&net);
}

/* <driver> in libvirt's attribute order, with its <host> and <guest> */
static void
vgmNetDriverFormat(VgmBuf *buf, const VgmNetDef *net)
{
    const struct {
        const char *attr;
        VgmTristate value;
    } switches[] = {
        { "ioeventfd", net->ioeventfd },
        { "event_idx", net->eventIdx },
    }, late[] = {
        { "rss", net->rss },
        { "rss_hash_report", net->rssHashReport },
    };
    gboolean offloads = FALSE;
    size_t i;

    for (i = 0; i < VGM_NET_OFFLOAD_LAST; i++)
        offloads |= net->offloads[i] != VGM_TRISTATE_ABSENT;
    if (!net->driverName && !net->queues && !net->rxQueueSize && !net->txQueueSize &&
        !vgmVirtioOptionsAny(&net->virtio) && !net->txmode && !net->ioeventfd &&
        !net->eventIdx && !net->rss && !net->rssHashReport && !offloads)
        return;
    vgmBufAdd(buf, "<driver");
    if (net->driverName)
        vgmBufAsprintf(buf, " name='%s'", vgmNetDriverNameTypeToString(net->driverName));
    if (net->txmode)
        vgmBufAsprintf(buf, " txmode='%s'", vgmNetTxModeTypeToString(net->txmode));
    for (i = 0; i < G_N_ELEMENTS(switches); i++) {
        if (switches[i].value)
            vgmBufAsprintf(buf, " %s='%s'", switches[i].attr,
                           vgmTristateSwitchTypeToString(switches[i].value));
    }
    if (net->queues)
        vgmBufAsprintf(buf, " queues='%u'", net->queues);
    if (net->rxQueueSize)
        vgmBufAsprintf(buf, " rx_queue_size='%u'", net->rxQueueSize);
    if (net->txQueueSize)
        vgmBufAsprintf(buf, " tx_queue_size='%u'", net->txQueueSize);
    for (i = 0; i < G_N_ELEMENTS(late); i++) {
        if (late[i].value)
            vgmBufAsprintf(buf, " %s='%s'", late[i].attr,
                           vgmTristateSwitchTypeToString(late[i].value));
    }
    vgmVirtioOptionsFormat(buf, &net->virtio);
    if (!offloads) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    for (i = 0; i < 2; i++) {
        const char *element = i == 0 ? "host" : "guest";
        gboolean any = FALSE;
        size_t j;

        for (j = 0; j < VGM_NET_OFFLOAD_LAST; j++) {
            if (!net->offloads[j] || !g_str_equal(vgmNetOffloads[j].element, element))
                continue;
            if (!any)
                vgmBufAsprintf(buf, "  <%s", element);
            any = TRUE;
            vgmBufAsprintf(buf, " %s='%s'", vgmNetOffloads[j].attr,
                           vgmTristateSwitchTypeToString(net->offloads[j]));
        }
        if (any)
            vgmBufAdd(buf, "/>\n");
    }
    vgmBufAdd(buf, "</driver>\n");
}

/* An ethernet interface's <source>, as libvirt writes it: each address
 * with its family, then the routes */
static void
vgmNetHostSourceFormat(VgmBuf *buf, const VgmNetDef *net)
{
    guint i;

    if (!net->hostIps && !net->routes)
        return;
    vgmBufAdd(buf, "<source>\n");
    for (i = 0; net->hostIps && i < net->hostIps->len; i++) {
        const VgmNetHostIp *ip = g_ptr_array_index(net->hostIps, i);

        vgmBufAsprintf(buf, "  <ip address='%s' family='%s'", ip->address,
                       ip->ipv6 ? "ipv6" : "ipv4");
        if (ip->prefix)
            vgmBufAsprintf(buf, " prefix='%u'", ip->prefix);
        if (ip->peer)
            vgmBufAsprintf(buf, " peer='%s'", ip->peer);
        vgmBufAdd(buf, "/>\n");
    }
    for (i = 0; net->routes && i < net->routes->len; i++) {
        const VgmNetRoute *r = g_ptr_array_index(net->routes, i);

        vgmBufAdd(buf, "  <route");
        if (r->family)
            vgmBufAsprintf(buf, " family='%s'", r->family);
        vgmBufAsprintf(buf, " address='%s'", r->address);
        if (r->netmask)
            vgmBufAsprintf(buf, " netmask='%s'", r->netmask);
        if (r->havePrefix)
            vgmBufAsprintf(buf, " prefix='%u'", r->prefix);
        vgmBufAsprintf(buf, " gateway='%s'", r->gateway);
        if (r->metric)
            vgmBufAsprintf(buf, " metric='%u'", r->metric);
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufAdd(buf, "</source>\n");
}

static void
vgmNetFormat(VgmBuf *buf, const VgmNetDef *net)
{
    guint i;

    vgmBufAsprintf(buf, "<interface type='%s'>\n",
                   net->type == VGM_NET_TYPE_NETWORK && net->actualHostBridge ? "bridge" :
                   vgmNetTypeToString(net->type));
    vgmBufAdjustIndent(buf, 2);
    if (net->mac)
        vgmBufAsprintf(buf, "<mac address='%s'/>\n", net->mac);
    if (net->type == VGM_NET_TYPE_NETWORK) {
        vgmBufEscapeString(buf, "<source network='%s'", net->source);
        vgmBufEscapeString(buf, " portgroup='%s'", net->portgroup);
        vgmBufEscapeString(buf, " bridge='%s'", net->actualBridge);
        vgmBufAdd(buf, "/>\n");
    }
    else if (net->type == VGM_NET_TYPE_BRIDGE)
        vgmBufEscapeString(buf, "<source bridge='%s'/>\n", net->source);
    else if (net->type == VGM_NET_TYPE_DIRECT) {
        vgmBufEscapeString(buf, "<source dev='%s'", net->source);
        vgmBufAsprintf(buf, " mode='%s'/>\n", vgmNetDirectModeTypeToString(net->directMode));
    } else if (net->type == VGM_NET_TYPE_VHOSTUSER) {
        vgmBufEscapeString(buf, "<source type='unix' path='%s'", net->source);
        vgmBufAsprintf(buf, " mode='%s'", net->vhostServer ? "server" : "client");
        vgmReconnectSourceFormat(buf, net->haveReconnect, net->reconnect);
    } else if (net->type == VGM_NET_TYPE_ETHERNET) {
        vgmNetHostSourceFormat(buf, net);
    } else if (net->type != VGM_NET_TYPE_USER) {
        /* the socket netdevs' */
        vgmBufEscapeString(buf, "<source address='%s'", net->source);
        vgmBufAsprintf(buf, net->source ? " port='%u'" : "<source port='%u'", net->port);
        if (net->localAddress) {
            vgmBufAdd(buf, ">\n");
            vgmBufEscapeString(buf, "  <local address='%s'", net->localAddress);
            vgmBufAsprintf(buf, " port='%u'/>\n", net->localPort);
            vgmBufAdd(buf, "</source>\n");
        } else {
            vgmBufAdd(buf, "/>\n");
        }
    }
    /* libvirt's order: <vlan> and <virtualport> between <source> and <target> */
    if (net->nvlanTags) {
        vgmBufAdd(buf, net->vlanTrunk ? "<vlan trunk='yes'>\n" : "<vlan>\n");
        for (i = 0; i < net->nvlanTags; i++)
            vgmBufAsprintf(buf, "  <tag id='%u'/>\n", net->vlanTags[i]);
        vgmBufAdd(buf, "</vlan>\n");
    }
    if (net->ovs) {
        vgmBufAdd(buf, "<virtualport type='openvswitch'>\n");
        vgmBufEscapeString(buf, "  <parameters interfaceid='%s'/>\n", net->ovsInterfaceId);
        vgmBufAdd(buf, "</virtualport>\n");
    }
    vgmNetBandwidthFormat(buf, &net->bandwidth);
    if (net->isolatedPort)
        vgmBufAsprintf(buf, "<port isolated='%s'/>\n",
                       vgmTristateBoolTypeToString(net->isolatedPort));
    for (i = 0; i < net->nguestIps; i++) {
        vgmBufAsprintf(buf, "<ip address='%s' family='%s'", net->guestIps[i].address,
                       net->guestIps[i].ipv6 ? "ipv6" : "ipv4");
        if (net->guestIps[i].prefix)
            vgmBufAsprintf(buf, " prefix='%u'", net->guestIps[i].prefix);
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufEscapeString(buf, "<script path='%s'/>\n", net->script);
    vgmBufEscapeString(buf, "<downscript path='%s'/>\n", net->downscript);
    if (net->ifname && net->managedTap) {
        vgmBufEscapeString(buf, "<target dev='%s'", net->ifname);
        vgmBufAsprintf(buf, " managed='%s'/>\n", vgmTristateBoolTypeToString(net->managedTap));
    } else {
        vgmBufEscapeString(buf, "<target dev='%s'/>\n", net->ifname);
    }
    if (net->model)
        vgmBufAsprintf(buf, "<model type='%s'/>\n", net->model);
    vgmNetDriverFormat(buf, net);
    if (net->backendTap || net->backendVhost) {
        vgmBufAdd(buf, "<backend");
        vgmBufEscapeString(buf, " tap='%s'", net->backendTap);
        vgmBufEscapeString(buf, " vhost='%s'", net->backendVhost);
        vgmBufAdd(buf, "/>\n");
    }
    if (net->haveSndbuf) {
        VgmBuf tune;

        vgmBufInitChild(&tune, buf);
        vgmBufAsprintf(&tune, "<sndbuf>%llu</sndbuf>\n", net->sndbuf);
        vgmXMLFormatElement(buf, "tune", NULL, &tune);
    }
    if (net->teaming)
        vgmBufAsprintf(buf, "<teaming type='%s'/>\n", vgmNetTeamingTypeToString(net->teaming));
    if (net->linkDown)
        vgmBufAsprintf(buf, "<link state='%s'/>\n",
                       net->linkDown == VGM_TRISTATE_YES ? "down" : "up");
    if (net->mtu)
        vgmBufAsprintf(buf, "<mtu size='%u'/>\n", net->mtu);
    if (net->coalesceRxFrames) {
        vgmBufAdd(buf, "<coalesce>\n");
        vgmBufAdjustIndent(buf, 2);
        vgmBufAdd(buf, "<rx>\n");
        vgmBufAsprintf(buf, "  <frames max='%u'/>\n", net->coalesceRxFrames);
        vgmBufAdd(buf, "</rx>\n");
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</coalesce>\n");
    }
    if (net->bootOrder)
        vgmBufAsprintf(buf, "<boot order='%u'/>\n", net->bootOrder);
    vgmBufEscapeString(buf, "<alias name='%s'/>\n", net->alias);
    if (net->romBar || net->romEnabled || net->romFile) {
        vgmBufAdd(buf, "<rom");
        if (net->romEnabled)
            vgmBufAsprintf(buf, " enabled='%s'", vgmTristateBoolTypeToString(net->romEnabled));
        if (net->romBar)
            vgmBufAsprintf(buf, " bar='%s'", vgmTristateSwitchTypeToString(net->romBar));
        vgmBufEscapeString(buf, " file='%s'", net->romFile);
        vgmBufAdd(buf, "/>\n");
    }
    vgmDeviceAddressFormat(buf, &net->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</interface>\n");
}

/* ---------------- serial and console ---------------- */

static gboolean
vgmChrUdpParse(xmlNodePtr node, VgmChrDef *chr, GError **error)
{
    g_autoptr(GPtrArray) sources = vgmXMLChildren(node, "source");
    guint i;

    for (i = 0; i < sources->len; i++) {
        xmlNodePtr src = g_ptr_array_index(sources, i);
        g_autofree char *mode = NULL;
        char **host, **service;

        if (!vgmXMLCheckNode(src, (const char *const[]){ "mode", "host", "service", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(src, "mode", 0, &mode, error) < 0)
            return FALSE;
        if (!mode)
            mode = g_strdup("connect");
        if (!vgmCheckValue((const char *const[]){ "bind", "connect", NULL }, mode,
                           "mode", "source", error))
            return FALSE;
        host = g_str_equal(mode, "bind") ? &chr->bindHost : &chr->host;
        service = g_str_equal(mode, "bind") ? &chr->bindService : &chr->service;
        if (*service) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s type='udp'> has two <source mode='%2$s'>"),
                        (const char *)node->name, mode);
            return FALSE;
        }
        if (vgmXMLPropString(src, "host", 0, host, error) < 0 ||
            vgmXMLPropString(src, "service", VGM_XML_PROP_REQUIRED, service, error) < 0)
            return FALSE;
    }
    if (!chr->service) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<%1$s type='udp'> needs <source mode='connect' host='...' service='...'/>"),
                    (const char *)node->name);
        return FALSE;
    }
    /* a connect source without a host sends to the local host, as
     * libvirt writes it (host=, which QEMU takes for localhost) */
    return TRUE;
}

/* A <seclabel> in the <source> of a file or socket: model 'dac' with
 * relabel='no' asks that the file be left as it is, which is what
 * virt-gmem does to every file (it has no security driver); anything
 * that asks for a label is refused */
static gboolean
vgmChrNoRelabelParse(xmlNodePtr devNode, xmlNodePtr source, VgmChrDef *chr, GError **error)
{
    g_autofree char *model = NULL;
    VgmTristate relabel = VGM_TRISTATE_ABSENT;
    xmlNodePtr sl;

    if (vgmXMLSingleChild(source, "seclabel", &sl, error) < 0)
        return FALSE;
    if (!sl)
        return TRUE;
    if (!vgmXMLCheckNode(sl, (const char *const[]){ "model", "relabel", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropString(sl, "model", 0, &model, error) < 0 ||
        vgmXMLPropTristateBool(sl, "relabel", 0, &relabel, error) < 0)
        return FALSE;
    if (g_strcmp0(model, "dac") != 0 || relabel != VGM_TRISTATE_NO) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <seclabel> in the <source> of <%1$s>: virt-gmem has no security driver and relabels no file, so only <seclabel model='dac' relabel='no'/> fits"),
                    (const char *)devNode->name);
        return FALSE;
    }
    chr->noRelabel = TRUE;
    return TRUE;
}

/* <source><reconnect enabled='yes|no' timeout='N'/>: a connecting
 * socket QEMU connects again N s after it lost its peer, or never
 * (enabled='no'); libvirt's rules: a listening socket has none, and
 * enabled='yes' needs a timeout of at least 1 s */
static gboolean
vgmChrReconnectParse(xmlNodePtr devNode, xmlNodePtr source, VgmChrDef *chr, GError **error)
{
    xmlNodePtr rc;
    int have;

    if (vgmXMLSingleChild(source, "reconnect", &rc, error) < 0)
        return FALSE;
    if (!rc)
        return TRUE;
    if (!vgmXMLCheckNode(rc, (const char *const[]){ "enabled", "timeout", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropTristateBool(rc, "enabled", VGM_XML_PROP_REQUIRED, &chr->reconnect, error) < 0 ||
        (have = vgmXMLPropUInt(rc, "timeout", 0, &chr->reconnectTimeout, error)) < 0)
        return FALSE;
    if (g_str_equal(chr->mode, "bind")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<reconnect> in the <source> of <%1$s> is for a connecting socket, not one with mode='bind'"),
                    (const char *)devNode->name);
        return FALSE;
    }
    if (chr->reconnect == VGM_TRISTATE_YES && chr->reconnectTimeout == 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<reconnect enabled='yes'> in the <source> of <%1$s> needs a timeout of at least 1 s"),
                    (const char *)devNode->name);
        return FALSE;
    }
    if (chr->reconnect == VGM_TRISTATE_NO && have > 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<reconnect enabled='no'> in the <source> of <%1$s> takes no timeout: the socket never connects again"),
                    (const char *)devNode->name);
        return FALSE;
    }
    return TRUE;
}

static VgmChrDef *
vgmChrParse(xmlNodePtr node, VgmChrKind kind, GError **error)
{
    g_autoptr(VgmChrDef) chr = g_new0(VgmChrDef, 1);
    xmlNodePtr child;
    int v;
    int rc;

    chr->kind = kind;
    if (kind == VGM_CHR_RNG) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "model", "type", NULL },
                             (const char *const[]){ "source", "protocol", NULL }, error))
            return NULL;
    } else if (kind == VGM_CHR_REDIRDEV) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "bus", NULL },
                             (const char *const[]){ "source", "protocol", "boot", "alias", "address", NULL },
                             error))
            return NULL;
    } else if (kind == VGM_CHR_SMARTCARD) {
        /* its <address type='ccid'> is the smartcard's (vgmSmartcardParse) */
        if (!vgmXMLCheckNode(node, (const char *const[]){ "mode", "type", NULL },
                             (const char *const[]){ "source", "protocol", "alias", "address", NULL },
                             error))
            return NULL;
    } else if (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL },
                                kind == VGM_CHR_PARALLEL ?
                                (const char *const[]){ "source", "protocol", "log", "target", "alias", NULL } :
                                (const char *const[]){ "source", "protocol", "log", "target",
                                                       "alias", "address", NULL },
                                error)) {
        return NULL;
    }
    if (vgmXMLPropEnum(node, "type", vgmChrTypeFromString, VGM_XML_PROP_REQUIRED, &v, error) < 0)
        return NULL;
    chr->type = v;
    /* USB redirection comes from a SPICE client or a usbredir server over
     * TCP or a unix socket (libvirt's tests have these three) */
    if (kind == VGM_CHR_REDIRDEV && chr->type != VGM_CHR_TYPE_SPICEVMC &&
        chr->type != VGM_CHR_TYPE_TCP && chr->type != VGM_CHR_TYPE_UNIX) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <redirdev type='%1$s'>: the types are 'spicevmc', 'tcp' and 'unix'"),
                    vgmChrTypeToString(chr->type));
        return NULL;
    }
    /* an EGD daemon is reached through a socket or a pipe (or a file, as
     * libvirt's tests do, or a pseudo-terminal, as virt-install offers) */
    if (kind == VGM_CHR_RNG && chr->type != VGM_CHR_TYPE_UNIX && chr->type != VGM_CHR_TYPE_TCP &&
        chr->type != VGM_CHR_TYPE_UDP && chr->type != VGM_CHR_TYPE_PIPE &&
        chr->type != VGM_CHR_TYPE_FILE && chr->type != VGM_CHR_TYPE_PTY) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <backend model='egd' type='%1$s'> of <rng>: an EGD daemon is reached through a 'unix', 'tcp' or 'udp' socket, a 'pipe', a 'file' or a 'pty'"),
                    vgmChrTypeToString(chr->type));
        return NULL;
    }

    /* a udp device has a <source mode='connect'> and may have a
     * <source mode='bind'> */
    if (chr->type == VGM_CHR_TYPE_UDP) {
        if (!vgmChrUdpParse(node, chr, error))
            return NULL;
        child = NULL;
    } else if (vgmXMLSingleChild(node, "source", &child, error) < 0) {
        return NULL;
    }
    switch (chr->type) {
    case VGM_CHR_TYPE_SPICEVMC:
        /* SPICE's agent channel, USB redirection and smartcard: the other
         * character devices have no SPICE end */
        if (kind != VGM_CHR_CHANNEL && kind != VGM_CHR_REDIRDEV && kind != VGM_CHR_SMARTCARD) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s type='spicevmc'> is for <channel>, <redirdev> and <smartcard> only"),
                        (const char *)node->name);
            return NULL;
        }
        if (child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s type='spicevmc'> takes no <source>: the SPICE client is the other end"),
                        (const char *)node->name);
            return NULL;
        }
        break;
    case VGM_CHR_TYPE_VC:
    case VGM_CHR_TYPE_NULL:
    case VGM_CHR_TYPE_STDIO:
        if (child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s type='%2$s'> takes no <source>"),
                        (const char *)node->name, vgmChrTypeToString(chr->type));
            return NULL;
        }
        break;
    case VGM_CHR_TYPE_SPICEPORT:
        /* a SPICE port the client opens by its name (virt-manager's
         * webdav channel, a serial console in the SPICE client) */
        if (kind == VGM_CHR_REDIRDEV || kind == VGM_CHR_SMARTCARD || kind == VGM_CHR_RNG) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s type='spiceport'> is for serial, parallel, console and channel devices only"),
                        (const char *)node->name);
            return NULL;
        }
        if (child &&
            (!vgmXMLCheckNode(child, (const char *const[]){ "channel", NULL }, vgmXMLNoChildren,
                              error) ||
             vgmXMLPropString(child, "channel", 0, &chr->path, error) < 0))
            return NULL;
        if (!chr->path || !*chr->path) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s type='spiceport'> needs <source channel=''>, the name of the SPICE port"),
                        (const char *)node->name);
            return NULL;
        }
        break;
    case VGM_CHR_TYPE_QEMU_VDAGENT: {
        xmlNodePtr sub;

        /* QEMU's own agent end: the guest's spice-vdagent talks to QEMU,
         * which shares the clipboard with a VNC client */
        if (kind != VGM_CHR_CHANNEL) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s type='qemu-vdagent'> is for <channel> only"),
                        (const char *)node->name);
            return NULL;
        }
        if (!child)
            break;
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren,
                             (const char *const[]){ "clipboard", "mouse", NULL }, error) ||
            vgmXMLSingleChild(child, "clipboard", &sub, error) < 0)
            return NULL;
        if (sub &&
            (!vgmXMLCheckNode(sub, (const char *const[]){ "copypaste", NULL }, vgmXMLNoChildren,
                              error) ||
             vgmXMLPropTristateBool(sub, "copypaste", VGM_XML_PROP_REQUIRED,
                                    &chr->vdagentClipboard, error) < 0))
            return NULL;
        if (vgmXMLSingleChild(child, "mouse", &sub, error) < 0)
            return NULL;
        if (sub &&
            (!vgmXMLCheckNode(sub, (const char *const[]){ "mode", NULL }, vgmXMLNoChildren, error) ||
             vgmXMLPropString(sub, "mode", VGM_XML_PROP_REQUIRED, &chr->vdagentMouse, error) < 0 ||
             !vgmCheckValue((const char *const[]){ "client", "server", NULL }, chr->vdagentMouse,
                            "mode", "mouse", error)))
            return NULL;
        break;
    }
    case VGM_CHR_TYPE_PTY:
        if (child && (!vgmXMLCheckNode(child, (const char *const[]){ "path", NULL },
                                       vgmXMLNoChildren, error)))
            return NULL;
        /* a pty's path is run-time state that libvirt reports: only a
         * running domain's XML keeps it (vgmDevicesDropLiveState) */
        if (child && vgmXMLPropString(child, "path", 0, &chr->path, error) < 0)
            return NULL;
        break;
    case VGM_CHR_TYPE_DEV:
        /* a host serial or parallel port (libvirt's other devices take
         * none) */
        if (kind == VGM_CHR_CHANNEL) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s type='dev'> is for <serial>, <parallel> and <console> only"),
                        (const char *)node->name);
            return NULL;
        }
        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML, _("<%1$s type='dev'> needs <source path='...'/>"),
                        (const char *)node->name);
            return NULL;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "path", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(child, "path", VGM_XML_PROP_REQUIRED, &chr->path, error) < 0)
            return NULL;
        if (!g_path_is_absolute(chr->path)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'path' of <source> in <%2$s type='dev'>: a host device is an absolute path"),
                        chr->path, (const char *)node->name);
            return NULL;
        }
        break;
    case VGM_CHR_TYPE_PIPE:
        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML, _("<%1$s type='pipe'> needs <source path='...'/>"),
                        (const char *)node->name);
            return NULL;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "path", NULL },
                             (const char *const[]){ "seclabel", NULL }, error) ||
            vgmXMLPropString(child, "path", VGM_XML_PROP_REQUIRED, &chr->path, error) < 0 ||
            !vgmChrNoRelabelParse(node, child, chr, error))
            return NULL;
        if (!g_path_is_absolute(chr->path)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'path' of <source> in <%2$s type='pipe'>: a pipe is an absolute path"),
                        chr->path, (const char *)node->name);
            return NULL;
        }
        break;
    case VGM_CHR_TYPE_FILE:
        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML, _("<%1$s type='file'> needs <source path='...'/>"),
                        (const char *)node->name);
            return NULL;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "path", "append", NULL },
                             (const char *const[]){ "seclabel", NULL }, error) ||
            vgmXMLPropString(child, "path", VGM_XML_PROP_REQUIRED, &chr->path, error) < 0 ||
            vgmXMLPropTristateSwitch(child, "append", 0, &chr->append, error) < 0 ||
            !vgmChrNoRelabelParse(node, child, chr, error))
            return NULL;
        break;
    case VGM_CHR_TYPE_UNIX:
        /* a channel's listening socket may be left to the driver, which
         * puts it in the domain's run-time directory at start */
        if (!child && kind != VGM_CHR_CHANNEL) {
            vgmErrorSet(error, VGM_ERR_XML, _("<%1$s type='unix'> needs <source mode='...' path='...'/>"),
                        (const char *)node->name);
            return NULL;
        }
        if (child &&
            (!vgmXMLCheckNode(child, (const char *const[]){ "mode", "path", NULL },
                              (const char *const[]){ "seclabel", "reconnect", NULL }, error) ||
             vgmXMLPropString(child, "path", kind == VGM_CHR_CHANNEL ? 0 : VGM_XML_PROP_REQUIRED,
                              &chr->path, error) < 0 ||
             vgmXMLPropString(child, "mode", 0, &chr->mode, error) < 0 ||
             !vgmChrNoRelabelParse(node, child, chr, error)))
            return NULL;
        if (!chr->mode)
            chr->mode = g_strdup(chr->path ? "connect" : "bind");
        if (!vgmCheckValue((const char *const[]){ "bind", "connect", NULL }, chr->mode,
                           "mode", "source", error) ||
            (child && !vgmChrReconnectParse(node, child, chr, error)))
            return NULL;
        break;
    case VGM_CHR_TYPE_TCP:
        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s type='tcp'> needs <source mode='...' host='...' service='...'/>"),
                        (const char *)node->name);
            return NULL;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", "host", "service", "tls", NULL },
                             (const char *const[]){ "reconnect", NULL }, error) ||
            vgmXMLPropString(child, "mode", 0, &chr->mode, error) < 0 ||
            vgmXMLPropString(child, "host", VGM_XML_PROP_REQUIRED, &chr->host, error) < 0 ||
            vgmXMLPropString(child, "service", VGM_XML_PROP_REQUIRED, &chr->service, error) < 0)
            return NULL;
        {
            VgmTristate tls = VGM_TRISTATE_ABSENT;

            /* TLS needs certificates from the driver's configuration,
             * which virt-gmem has not; 'no' is a plain socket */
            if (vgmXMLPropTristateBool(child, "tls", 0, &tls, error) < 0)
                return NULL;
            if (tls == VGM_TRISTATE_YES) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("unsupported <source tls='yes'> in <%1$s type='tcp'>: virt-gmem has no TLS certificates for character devices"),
                            (const char *)node->name);
                return NULL;
            }
            chr->tlsOff = tls == VGM_TRISTATE_NO;
        }
        if (!chr->mode)
            chr->mode = g_strdup("connect");
        if (!vgmCheckValue((const char *const[]){ "bind", "connect", NULL }, chr->mode,
                           "mode", "source", error) ||
            !vgmChrReconnectParse(node, child, chr, error))
            return NULL;
        if (!*chr->host || !*chr->service) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<source> of <%1$s type='tcp'> needs a non-empty host and service"),
                        (const char *)node->name);
            return NULL;
        }
        break;
    case VGM_CHR_TYPE_UDP:
    case VGM_CHR_TYPE_LAST:
        break;
    }

    if (vgmXMLSingleChild(node, "protocol", &child, error) < 0)
        return NULL;
    if (child) {
        /* telnets and tls need TLS credentials, which are not modelled */
        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "type", vgmChrProtocolTypeFromString, 0, &v, error) < 0)
            return NULL;
        /* libvirt also reads a raw protocol on a unix socket (its
         * parallel port inputs have one), which is what the socket is,
         * and writes it back for tcp only */
        if (chr->type != VGM_CHR_TYPE_TCP &&
            !(chr->type == VGM_CHR_TYPE_UNIX && v == VGM_CHR_PROTOCOL_RAW)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("element <protocol type='%1$s'> of <%2$s> is for type 'tcp' (and 'raw' for 'unix') only, not '%3$s'"),
                        vgmChrProtocolTypeToString(v), (const char *)node->name,
                        vgmChrTypeToString(chr->type));
            return NULL;
        }
        chr->protocol = v;
    }

    /* <log>: QEMU writes a copy of everything the guest sends to a file */
    if (vgmXMLSingleChild(node, "log", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "file", "append", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "file", VGM_XML_PROP_REQUIRED, &chr->logfile, error) < 0 ||
            vgmXMLPropTristateSwitch(child, "append", 0, &chr->logappend, error) < 0)
            return NULL;
        if (!g_path_is_absolute(chr->logfile)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'file' of element <log> in <%2$s>: the log file must be an absolute path"),
                        chr->logfile, (const char *)node->name);
            return NULL;
        }
    }

    if (kind == VGM_CHR_SMARTCARD)
        return g_steal_pointer(&chr);
    if (kind == VGM_CHR_REDIRDEV) {
        g_autofree char *bus = NULL;

        if (vgmXMLPropString(node, "bus", 0, &bus, error) < 0 ||
            (bus && !vgmCheckValue((const char *const[]){ "usb", NULL }, bus, "bus", "redirdev",
                                   error)) ||
            !vgmBootOrderParse(node, &chr->bootOrder, error) ||
            !vgmDeviceInfoParse(node, chr->alias, &chr->addr, error))
            return NULL;
        if (chr->addr.type != VGM_ADDRESS_NONE && chr->addr.type != VGM_ADDRESS_USB) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<redirdev bus='usb'> takes a USB <address>, not type '%1$s'"),
                        vgmAddressTypeToString(chr->addr.type));
            return NULL;
        }
        return g_steal_pointer(&chr);
    }

    if (vgmXMLSingleChild(node, "target", &child, error) < 0)
        return NULL;
    if (kind == VGM_CHR_CHANNEL) {
        /* 'state' is run-time state libvirt reports (connected or not) */
        if (!child) {
            vgmErrorSet(error, VGM_ERR_XML, _("element <channel> needs a <target>"));
            return NULL;
        }
        if (vgmXMLPropString(child, "type", VGM_XML_PROP_REQUIRED, &chr->targetType, error) < 0)
            return NULL;
        /* a guestfwd channel: QEMU's user network hands the guest's TCP
         * connections to an address and port over to the chardev */
        if (g_str_equal(chr->targetType, "guestfwd")) {
            g_autoptr(GInetAddress) ia = NULL;

            if (!vgmXMLCheckNode(child, (const char *const[]){ "type", "address", "port", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropString(child, "address", VGM_XML_PROP_REQUIRED, &chr->fwdAddress,
                                 error) < 0 ||
                vgmXMLPropUInt(child, "port", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                               &chr->fwdPort, error) < 0)
                return NULL;
            ia = g_inet_address_new_from_string(chr->fwdAddress);
            if (!ia || g_inet_address_get_family(ia) != G_SOCKET_FAMILY_IPV4 ||
                chr->fwdPort > 65535) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("invalid <target type='guestfwd' address='%1$s' port='%2$u'> in <channel>: QEMU's user network forwards to an IPv4 address and a port up to 65535"),
                            chr->fwdAddress, chr->fwdPort);
                return NULL;
            }
            if (vgmXMLChild(node, "address")) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                            _("a <channel> with <target type='guestfwd'> is on no bus: it takes no <address>"));
                return NULL;
            }
            if (!vgmDeviceAliasParse(node, chr->alias, error))
                return NULL;
            return g_steal_pointer(&chr);
        }
        /* libvirt's other channel kind, by name before its attributes */
        if (g_str_equal(chr->targetType, "xen")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported <channel> with <target type='%1$s'>: only virtio and guestfwd channels"),
                        chr->targetType);
            return NULL;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", "name", "state", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "name", 0, &chr->targetName, error) < 0 ||
            (rc = vgmXMLPropEnum(child, "state", vgmChrStateTypeFromString, 0, &v, error)) < 0)
            return NULL;
        /* (a definition's is dropped before: vgmDevicesDropLiveState) */
        if (rc > 0 && v == VGM_CHR_STATE_DEFAULT) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("invalid attribute 'state' of <target> in <channel>: 'connected' or 'disconnected'"));
            return NULL;
        }
        chr->state = rc > 0 ? v : VGM_CHR_STATE_DEFAULT;
        if (!vgmCheckValue((const char *const[]){ "virtio", NULL }, chr->targetType,
                           "type", "target", error))
            return NULL;
        if (!vgmDeviceInfoParse(node, chr->alias, &chr->addr, error))
            return NULL;
        return g_steal_pointer(&chr);
    }
    /* a parallel port's target is its port number only */
    if (child && kind == VGM_CHR_PARALLEL) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "port", NULL }, vgmXMLNoChildren,
                             error) ||
            (rc = vgmXMLPropUInt(child, "port", 0, &chr->port, error)) < 0 ||
            !vgmDeviceAliasParse(node, chr->alias, error))
            return NULL;
        chr->havePort = rc > 0;
        return g_steal_pointer(&chr);
    }
    if (child) {
        xmlNodePtr model;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", "port", NULL },
                             (const char *const[]){ "model", NULL }, error) ||
            vgmXMLPropString(child, "type", 0, &chr->targetType, error) < 0 ||
            (rc = vgmXMLPropUInt(child, "port", 0, &chr->port, error)) < 0)
            return NULL;
        chr->havePort = rc > 0;
        if (chr->targetType &&
            !vgmCheckValue(kind == VGM_CHR_SERIAL ? vgmSerialTargetTypes : vgmConsoleTargetTypes,
                           chr->targetType, "type", "target", error))
            return NULL;
        if (vgmXMLSingleChild(child, "model", &model, error) < 0)
            return NULL;
        if (model) {
            if (kind != VGM_CHR_SERIAL) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("unsupported element <model> in <target> of <console>"));
                return NULL;
            }
            if (!vgmXMLCheckNode(model, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
                vgmXMLPropString(model, "name", VGM_XML_PROP_REQUIRED, &chr->targetModel, error) < 0 ||
                !vgmCheckValue(vgmSerialTargetModels, chr->targetModel, "name", "model", error))
                return NULL;
        }
    }
    /* serial ports on the ISA bus may say where (vgmDeviceAddressParse
     * takes type 'isa' in <serial> and <console> only) */
    if (!vgmDeviceInfoParse(node, chr->alias, &chr->addr, error))
        return NULL;
    /* ... and a pci-serial port on which PCI slot (libvirt reads a port
     * without a target type as an ISA one) */
    if (chr->addr.type == VGM_ADDRESS_PCI && g_str_equal((const char *)node->name, "serial") &&
        g_strcmp0(chr->targetType, "pci-serial") == 0) {
        /* placed by domain_pci.c */
    } else if ((chr->addr.type == VGM_ADDRESS_PCI || chr->addr.type == VGM_ADDRESS_USB) &&
               kind == VGM_CHR_CONSOLE && g_strcmp0(chr->targetType, "serial") == 0) {
        /* the console of a pci-serial or usb-serial port 0 repeats that
         * port's address, as libvirt writes it (validation holds them
         * equal) */
    } else if (chr->addr.type == VGM_ADDRESS_USB && kind == VGM_CHR_SERIAL &&
               g_strcmp0(chr->targetType, "usb-serial") == 0) {
        /* a usb-serial port on its USB port (domain_usb.c) */
    } else if (chr->addr.type != VGM_ADDRESS_NONE && chr->addr.type != VGM_ADDRESS_ISA) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <address type='%1$s'> in <%2$s>: a serial port takes an ISA address, a pci-serial one a PCI address, a usb-serial one a USB address"),
                    vgmAddressTypeToString(chr->addr.type), (const char *)node->name);
        return NULL;
    }
    return g_steal_pointer(&chr);
}

/* The end of a file's or socket's <source>, with its <seclabel> */
static void
vgmChrSourceEnd(VgmBuf *buf, const VgmChrDef *chr)
{
    if (!chr->noRelabel && !chr->reconnect) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    /* in libvirt's order */
    if (chr->noRelabel)
        vgmBufAdd(buf, "  <seclabel model='dac' relabel='no'/>\n");
    if (chr->reconnect == VGM_TRISTATE_YES)
        vgmBufAsprintf(buf, "  <reconnect enabled='yes' timeout='%u'/>\n", chr->reconnectTimeout);
    else if (chr->reconnect == VGM_TRISTATE_NO)
        vgmBufAdd(buf, "  <reconnect enabled='no'/>\n");
    vgmBufAdd(buf, "</source>\n");
}

static void
vgmChrFormat(VgmBuf *buf, const VgmChrDef *chr)
{
    static const char *const elems[VGM_CHR_LAST] = {
        [VGM_CHR_SERIAL] = "serial", [VGM_CHR_CONSOLE] = "console",
        [VGM_CHR_CHANNEL] = "channel", [VGM_CHR_PARALLEL] = "parallel",
        [VGM_CHR_REDIRDEV] = "redirdev", [VGM_CHR_RNG] = "backend",
        [VGM_CHR_SMARTCARD] = "smartcard",
    };
    const char *elem = elems[chr->kind];

    /* (an EGD's pty has nothing inside: QEMU makes it, and libvirt does
     * not say its path) */
    if (chr->kind == VGM_CHR_RNG && chr->type == VGM_CHR_TYPE_PTY && !chr->path) {
        vgmBufAsprintf(buf, "<%s model='egd' type='pty'/>\n", elem);
        return;
    }
    if (chr->kind == VGM_CHR_RNG)
        vgmBufAsprintf(buf, "<%s model='egd' type='%s'>\n", elem, vgmChrTypeToString(chr->type));
    else if (chr->kind == VGM_CHR_SMARTCARD)
        vgmBufAsprintf(buf, "<%s mode='passthrough' type='%s'>\n", elem,
                       vgmChrTypeToString(chr->type));
    else if (chr->kind == VGM_CHR_REDIRDEV)
        vgmBufAsprintf(buf, "<%s bus='usb' type='%s'>\n", elem, vgmChrTypeToString(chr->type));
    else if (chr->kind == VGM_CHR_CONSOLE && chr->type == VGM_CHR_TYPE_PTY && chr->path)
        /* a running domain's console names its pty twice, as libvirt's */
        vgmBufEscapeString(buf, "<console type='pty' tty='%s'>\n", chr->path);
    else
        vgmBufAsprintf(buf, "<%s type='%s'>\n", elem, vgmChrTypeToString(chr->type));
    vgmBufAdjustIndent(buf, 2);
    if (chr->type == VGM_CHR_TYPE_DEV || (chr->type == VGM_CHR_TYPE_PTY && chr->path)) {
        vgmBufEscapeString(buf, "<source path='%s'/>\n", chr->path);
    } else if (chr->type == VGM_CHR_TYPE_SPICEPORT) {
        vgmBufEscapeString(buf, "<source channel='%s'/>\n", chr->path);
    } else if (chr->type == VGM_CHR_TYPE_PIPE) {
        vgmBufEscapeString(buf, "<source path='%s'", chr->path);
        vgmChrSourceEnd(buf, chr);
    } else if (chr->type == VGM_CHR_TYPE_FILE) {
        vgmBufEscapeString(buf, "<source path='%s'", chr->path);
        if (chr->append)
            vgmBufAsprintf(buf, " append='%s'", vgmTristateSwitchTypeToString(chr->append));
        vgmChrSourceEnd(buf, chr);
    } else if (chr->type == VGM_CHR_TYPE_UNIX && chr->path) {
        /* a channel's socket left to the driver has no source, as libvirt
         * writes it */
        vgmBufAsprintf(buf, "<source mode='%s'", chr->mode);
        vgmBufEscapeString(buf, " path='%s'", chr->path);
        vgmChrSourceEnd(buf, chr);
    } else if (chr->type == VGM_CHR_TYPE_UDP) {
        if (chr->bindService) {
            vgmBufAdd(buf, "<source mode='bind'");
            vgmBufEscapeString(buf, " host='%s'", chr->bindHost);
            vgmBufEscapeString(buf, " service='%s'/>\n", chr->bindService);
        }
        vgmBufAdd(buf, "<source mode='connect'");
        vgmBufEscapeString(buf, " host='%s'", chr->host);
        vgmBufEscapeString(buf, " service='%s'/>\n", chr->service);
    } else if (chr->type == VGM_CHR_TYPE_QEMU_VDAGENT &&
               (chr->vdagentClipboard || chr->vdagentMouse)) {
        vgmBufAdd(buf, "<source>\n");
        vgmBufAdjustIndent(buf, 2);
        if (chr->vdagentClipboard)
            vgmBufAsprintf(buf, "<clipboard copypaste='%s'/>\n",
                           vgmTristateBoolTypeToString(chr->vdagentClipboard));
        if (chr->vdagentMouse)
            vgmBufAsprintf(buf, "<mouse mode='%s'/>\n", chr->vdagentMouse);
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</source>\n");
    } else if (chr->type == VGM_CHR_TYPE_TCP) {
        vgmBufAsprintf(buf, "<source mode='%s'", chr->mode);
        vgmBufEscapeString(buf, " host='%s'", chr->host);
        vgmBufEscapeString(buf, " service='%s'", chr->service);
        if (chr->tlsOff)
            vgmBufAdd(buf, " tls='no'");
        vgmChrSourceEnd(buf, chr);
        vgmBufAsprintf(buf, "<protocol type='%s'/>\n", vgmChrProtocolTypeToString(chr->protocol));
    }
    if (chr->logfile) {
        vgmBufEscapeString(buf, "<log file='%s'", chr->logfile);
        if (chr->logappend)
            vgmBufAsprintf(buf, " append='%s'", vgmTristateSwitchTypeToString(chr->logappend));
        vgmBufAdd(buf, "/>\n");
    }
    if (chr->kind == VGM_CHR_RNG) {
        /* the source is all */
    } else if (chr->kind == VGM_CHR_REDIRDEV) {
        if (chr->bootOrder)
            vgmBufAsprintf(buf, "<boot order='%u'/>\n", chr->bootOrder);
        vgmDeviceInfoFormat(buf, chr->alias, &chr->addr);
    } else if (chr->kind == VGM_CHR_CHANNEL && chr->fwdAddress) {
        vgmBufEscapeString(buf, "<target type='guestfwd' address='%s'", chr->fwdAddress);
        vgmBufAsprintf(buf, " port='%u'/>\n", chr->fwdPort);
        vgmDeviceInfoFormat(buf, chr->alias, &chr->addr);
    } else if (chr->kind == VGM_CHR_CHANNEL) {
        vgmBufAsprintf(buf, "<target type='%s'", chr->targetType);
        vgmBufEscapeString(buf, " name='%s'", chr->targetName);
        if (chr->state != VGM_CHR_STATE_DEFAULT)
            vgmBufAsprintf(buf, " state='%s'", vgmChrStateTypeToString(chr->state));
        vgmBufAdd(buf, "/>\n");
        vgmDeviceInfoFormat(buf, chr->alias, &chr->addr);
    } else if (chr->targetType || chr->havePort || chr->targetModel) {
        vgmBufAdd(buf, "<target");
        if (chr->targetType)
            vgmBufAsprintf(buf, " type='%s'", chr->targetType);
        if (chr->havePort)
            vgmBufAsprintf(buf, " port='%u'", chr->port);
        if (chr->targetModel) {
            vgmBufAdd(buf, ">\n");
            vgmBufAsprintf(buf, "  <model name='%s'/>\n", chr->targetModel);
            vgmBufAdd(buf, "</target>\n");
        } else {
            vgmBufAdd(buf, "/>\n");
        }
    }
    if (chr->kind == VGM_CHR_SERIAL || chr->kind == VGM_CHR_CONSOLE ||
        chr->kind == VGM_CHR_PARALLEL || chr->kind == VGM_CHR_SMARTCARD)
        vgmDeviceInfoFormat(buf, chr->alias, &chr->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAsprintf(buf, "</%s>\n", elem);
}

/* ---------------- smartcards ---------------- */

VGM_ENUM_IMPL(vgmSmartcardMode, VGM_SMARTCARD_LAST, "host", "host-certificates", "passthrough");

void
vgmSmartcardDefFree(VgmSmartcardDef *sc)
{
    size_t i;

    if (!sc)
        return;
    for (i = 0; i < VGM_SMARTCARD_CERTS; i++)
        g_free(sc->certs[i]);
    g_free(sc->database);
    vgmChrDefFree(sc->chr);
    g_free(sc);
}

VgmDeviceAddress *
vgmSmartcardAddress(VgmSmartcardDef *sc)
{
    return sc->chr ? &sc->chr->addr : &sc->addr;
}

/* <smartcard mode='host'>, <smartcard mode='host-certificates'> with its
 * three <certificate> and an optional <database>, or <smartcard
 * mode='passthrough' type=''> with a channel's <source>; each with an
 * optional <address type='ccid' controller='' slot=''/> */
static VgmSmartcardDef *
vgmSmartcardParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmSmartcardDef) sc = g_new0(VgmSmartcardDef, 1);
    VgmDeviceAddress *addr;
    int v;

    if (vgmXMLPropEnum(node, "mode", vgmSmartcardModeTypeFromString, VGM_XML_PROP_REQUIRED, &v,
                       error) < 0)
        return NULL;
    sc->mode = v;
    /* A card QEMU emulates has no channel: libvirt reads no type='' for
     * it, and its define drops one (virt-install 4.1 writes type='tcp'
     * for --smartcard host); a character device type is let through and
     * dropped the same way, anything else refused */
    if (sc->mode != VGM_SMARTCARD_PASSTHROUGH &&
        vgmXMLPropEnum(node, "type", vgmChrTypeFromString, 0, &v, error) < 0)
        return NULL;
    if (sc->mode == VGM_SMARTCARD_HOST) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "mode", "type", NULL },
                             (const char *const[]){ "alias", "address", NULL }, error))
            return NULL;
    } else if (sc->mode == VGM_SMARTCARD_HOST_CERTIFICATES) {
        g_autoptr(GPtrArray) certs = NULL;
        xmlNodePtr db;
        guint i;

        if (!vgmXMLCheckNode(node, (const char *const[]){ "mode", "type", NULL },
                             (const char *const[]){ "certificate", "database", "alias", "address", NULL },
                             error))
            return NULL;
        certs = vgmXMLChildren(node, "certificate");
        if (certs->len != VGM_SMARTCARD_CERTS) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<smartcard mode='host-certificates'> needs exactly %1$u <certificate> elements, not %2$u"),
                        VGM_SMARTCARD_CERTS, certs->len);
            return NULL;
        }
        for (i = 0; i < certs->len; i++) {
            xmlNodePtr c = g_ptr_array_index(certs, i);

            if (!vgmXMLCheckNode(c, vgmXMLNoChildren, NULL, error))
                return NULL;
            /* QEMU's list takes the names comma-separated */
            if (!(sc->certs[i] = vgmXMLNodeContent(c)) || strchr(sc->certs[i], ',')) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' in <certificate> of <smartcard>: expected a certificate's name, without ','"),
                            sc->certs[i] ? sc->certs[i] : "");
                return NULL;
            }
        }
        if (vgmXMLSingleChild(node, "database", &db, error) < 0)
            return NULL;
        if (db) {
            if (!vgmXMLCheckNode(db, vgmXMLNoChildren, NULL, error))
                return NULL;
            sc->database = vgmXMLNodeContent(db);
            if (!sc->database || !g_path_is_absolute(sc->database)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' in <database> of <smartcard>: expected the absolute path of an NSS database"),
                            sc->database ? sc->database : "");
                return NULL;
            }
        }
    } else if (!(sc->chr = vgmChrParse(node, VGM_CHR_SMARTCARD, error))) {
        return NULL;
    }
    addr = vgmSmartcardAddress(sc);
    /* (a passthrough card's alias is its character device's, which holds
     * the element) */
    if (!vgmDeviceInfoParse(node, sc->chr ? sc->chr->alias : sc->alias, addr, error))
        return NULL;
    if (addr->type != VGM_ADDRESS_NONE && addr->type != VGM_ADDRESS_CCID) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<smartcard> takes an <address type='ccid'>, not type '%1$s'"),
                    vgmAddressTypeToString(addr->type));
        return NULL;
    }
    return g_steal_pointer(&sc);
}

static void
vgmSmartcardFormat(VgmBuf *buf, VgmSmartcardDef *sc)
{
    size_t i;

    /* a passthrough card is its channel's element */
    if (sc->chr) {
        vgmChrFormat(buf, sc->chr);
        return;
    }
    vgmBufAsprintf(buf, "<smartcard mode='%s'>\n", vgmSmartcardModeTypeToString(sc->mode));
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; sc->mode == VGM_SMARTCARD_HOST_CERTIFICATES && i < VGM_SMARTCARD_CERTS; i++)
        vgmBufEscapeString(buf, "<certificate>%s</certificate>\n", sc->certs[i]);
    vgmBufEscapeString(buf, "<database>%s</database>\n", sc->database);
    vgmDeviceInfoFormat(buf, sc->alias, &sc->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</smartcard>\n");
}

/* ---------------- controllers ---------------- */

gboolean
vgmDomainControllerIsVirtioScsi(const VgmControllerDef *c)
{
    static const char *const models[] = {
        "virtio-scsi", "virtio-transitional", "virtio-non-transitional", NULL
    };

    return g_str_equal(c->type, "scsi") && c->model && vgmStrInList(models, c->model);
}

/* <controller><driver iommu queues>: virtio controllers only (libvirt's
 * other driver attributes are refused as unknown) */
static gboolean
vgmControllerDriverParse(xmlNodePtr devNode, VgmControllerDef *ctrl, GError **error)
{
    gboolean virtioScsi = vgmDomainControllerIsVirtioScsi(ctrl);
    xmlNodePtr node;

    if (vgmXMLSingleChild(devNode, "driver", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!g_str_equal(ctrl->type, "virtio-serial") && !virtioScsi) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("element <driver> of <controller type='%1$s'> is for virtio-serial and virtio-scsi controllers only"),
                    ctrl->type);
        return FALSE;
    }
    if (!vgmXMLCheckNode(node, virtioScsi ? (const char *const[]){ "iommu", "ats", "packed", "page_per_vq", "queues",
                                                                   "cmd_per_lun", "max_sectors",
                                                                   "ioeventfd", "iothread", NULL } :
                                            (const char *const[]){ "iommu", "ats", "packed", "page_per_vq", NULL },
                         vgmXMLNoChildren, error) ||
        !vgmVirtioOptionsParse(node, &ctrl->virtio, error) ||
        vgmXMLPropUInt(node, "queues", VGM_XML_PROP_NONZERO, &ctrl->queues, error) < 0 ||
        vgmXMLPropUInt(node, "cmd_per_lun", VGM_XML_PROP_NONZERO, &ctrl->cmdPerLun, error) < 0 ||
        vgmXMLPropUInt(node, "max_sectors", VGM_XML_PROP_NONZERO, &ctrl->maxSectors, error) < 0 ||
        vgmXMLPropTristateSwitch(node, "ioeventfd", 0, &ctrl->ioeventfd, error) < 0 ||
        vgmXMLPropUInt(node, "iothread", 0, &ctrl->iothread, error) < 0)
        return FALSE;
    return TRUE;
}

/* libvirt's names for the QEMU device of a PCI controller model */
static const char *const vgmControllerPciModelNames[] = {
    "pci-bridge", "i82801b11-bridge", "ioh3420", "x3130-upstream", "xio3130-downstream",
    "pxb", "pxb-pcie", "pcie-root-port", "spapr-pci-host-bridge", "pcie-pci-bridge", NULL
};

/* The <target> attributes of the PCI controller models that have them,
 * with libvirt's ranges */
static const struct {
    const char *attr;
    const char *const *models;
    unsigned int min, max;
} vgmControllerPciTargetAttrs[] = {
    { "chassisNr", (const char *const[]){ "pci-bridge", NULL }, 1, 255 },
    { "chassis", (const char *const[]){ "pcie-root-port", "pcie-switch-downstream-port", NULL },
      0, 255 },
    { "port", (const char *const[]){ "pcie-root-port", "pcie-switch-downstream-port", NULL },
      0, 255 },
    { "busNr", (const char *const[]){ "pci-expander-bus", "pcie-expander-bus", NULL }, 1, 254 },
};

/* A PCI controller's <model name> and <target>, which libvirt writes into
 * every definition it keeps (so they come back in XML that libvirt
 * exported), and an expander bus's busNr and NUMA <node> */
static gboolean
vgmControllerPciParse(xmlNodePtr node, VgmControllerDef *ctrl, GError **error)
{
    gboolean *have[] = { &ctrl->haveChassisNr, &ctrl->haveChassis, &ctrl->havePort,
                         &ctrl->haveBusNr };
    unsigned int *value[] = { &ctrl->chassisNr, &ctrl->chassis, &ctrl->port, &ctrl->busNr };
    xmlNodePtr nodeEl;
    xmlNodePtr child;
    size_t i;
    int rc;

    if (vgmXMLSingleChild(node, "model", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!g_str_equal(ctrl->type, "pci")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("element <model> of <controller type='%1$s'> is for PCI controllers only"),
                        ctrl->type);
            return FALSE;
        }
        if (!vgmXMLCheckNode(child, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "name", VGM_XML_PROP_REQUIRED, &ctrl->modelName, error) < 0 ||
            !vgmCheckValue(vgmControllerPciModelNames, ctrl->modelName, "name", "model", error))
            return FALSE;
    }
    /* <pcihole64>: the size of a root bus's 64-bit PCI hole, KiB by
     * default (libvirt rounds up to whole KiB) */
    if (vgmXMLSingleChild(node, "pcihole64", &child, error) < 0)
        return FALSE;
    if (child) {
        if (g_strcmp0(ctrl->model, "pci-root") != 0 && g_strcmp0(ctrl->model, "pcie-root") != 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("element <pcihole64> is for the root PCI controller (model 'pci-root' or 'pcie-root'), not <controller type='%1$s' model='%2$s'>"),
                        ctrl->type, ctrl->model ? ctrl->model : "");
            return FALSE;
        }
        if (vgmDomainSizeParse(child, &ctrl->pcihole64KiB, error) < 0)
            return FALSE;
        ctrl->havePcihole64 = TRUE;
    }
    if (vgmXMLSingleChild(node, "target", &child, error) < 0)
        return FALSE;
    if (!child)
        return TRUE;
    if (!g_str_equal(ctrl->type, "pci")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("element <target> of <controller type='%1$s'> is for PCI controllers only"),
                    ctrl->type);
        return FALSE;
    }
    if (!vgmXMLCheckNode(child, (const char *const[]){ "chassisNr", "chassis", "port", "hotplug",
                                                       "busNr", "index", NULL },
                         (const char *const[]){ "node", NULL }, error))
        return FALSE;
    if (xmlHasProp(child, (const xmlChar *)"index")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<target> of <controller model='%1$s'> has 'index', which is for pSeries host bridges"),
                    ctrl->model);
        return FALSE;
    }
    /* <node>: the guest NUMA node of an expander bus */
    if (vgmXMLSingleChild(child, "node", &nodeEl, error) < 0)
        return FALSE;
    if (nodeEl) {
        g_autofree char *text = vgmXMLNodeContent(nodeEl);
        guint64 v;

        if (!vgmStrInList(vgmControllerPciTargetAttrs[3].models, ctrl->model)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("element <node> of <target> is not for <controller model='%1$s'>: only PCI expander buses belong to a guest NUMA node"),
                        ctrl->model);
            return FALSE;
        }
        if (!text || !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT, &v, NULL)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in element <node> of <target> in <controller model='%2$s'>: expected a guest NUMA node number"),
                        text ? text : "", ctrl->model);
            return FALSE;
        }
        ctrl->haveNumaNode = TRUE;
        ctrl->numaNode = (unsigned int)v;
    }
    for (i = 0; i < G_N_ELEMENTS(vgmControllerPciTargetAttrs); i++) {
        const char *attr = vgmControllerPciTargetAttrs[i].attr;

        if ((rc = vgmXMLPropUInt(child, attr, 0, value[i], error)) < 0)
            return FALSE;
        if (rc == 0)
            continue;
        if (!vgmStrInList(vgmControllerPciTargetAttrs[i].models, ctrl->model)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute '%1$s' of <target> is not for <controller model='%2$s'>"),
                        attr, ctrl->model);
            return FALSE;
        }
        if (*value[i] < vgmControllerPciTargetAttrs[i].min ||
            *value[i] > vgmControllerPciTargetAttrs[i].max) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute '%1$s' of <target> in <controller model='%2$s'> (%3$u) must be in range [%4$u, %5$u]"),
                        attr, ctrl->model, *value[i], vgmControllerPciTargetAttrs[i].min,
                        vgmControllerPciTargetAttrs[i].max);
            return FALSE;
        }
        *have[i] = TRUE;
    }
    if ((rc = vgmXMLPropTristateSwitch(child, "hotplug", 0, &ctrl->hotplug, error)) < 0)
        return FALSE;
    /* pci-root's: the ACPI hotplug of the PC's root bus */
    if (rc > 0 && !vgmStrInList(vgmControllerPciTargetAttrs[1].models, ctrl->model) &&
        g_strcmp0(ctrl->model, "pci-root") != 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("attribute 'hotplug' of <target> is not for <controller model='%1$s'>"),
                    ctrl->model);
        return FALSE;
    }
    return TRUE;
}

static VgmControllerDef *
vgmControllerParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmControllerDef) ctrl = g_new0(VgmControllerDef, 1);
    int rc;

    xmlNodePtr master;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "index", "model", "ports", "vectors",
                                                    NULL },
                         (const char *const[]){ "master", "driver", "model", "target", "alias", "address", "acpi",
                                                "pcihole64", NULL }, error) ||
        vgmXMLPropString(node, "type", VGM_XML_PROP_REQUIRED, &ctrl->type, error) < 0 ||
        !vgmCheckValue(vgmControllerTypes, ctrl->type, "type", "controller", error) ||
        (rc = vgmXMLPropUInt(node, "index", 0, &ctrl->index, error)) < 0 ||
        vgmXMLPropString(node, "model", 0, &ctrl->model, error) < 0)
        return NULL;
    ctrl->haveIndex = rc > 0;
    if ((rc = vgmXMLPropUInt(node, "ports", 0, &ctrl->ports, error)) < 0)
        return NULL;
    /* libvirt's ranges: an xHCI has 1 to 15 root ports (QEMU's p2/p3
     * limit), a virtio-serial controller up to 31 ports */
    if (rc > 0 && !((g_str_equal(ctrl->type, "usb") && ctrl->ports >= 1 && ctrl->ports <= 15) ||
                    (g_str_equal(ctrl->type, "virtio-serial") && ctrl->ports >= 1 &&
                     ctrl->ports <= 31))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported value '%1$u' for attribute 'ports' of <controller type='%2$s'>: an xHCI USB controller has 1 to 15 ports, a virtio-serial one 1 to 31"),
                    ctrl->ports, ctrl->type);
        return NULL;
    }
    /* a virtio-serial controller's MSI-X vectors (a PCI MSI-X table has
     * at most 2048) */
    if ((rc = vgmXMLPropUInt(node, "vectors", 0, &ctrl->vectors, error)) < 0)
        return NULL;
    ctrl->haveVectors = rc > 0;
    if (ctrl->haveVectors &&
        (!g_str_equal(ctrl->type, "virtio-serial") || ctrl->vectors > 2048)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported value '%1$u' for attribute 'vectors' of <controller type='%2$s'>: a virtio-serial controller has 0 to 2048 MSI-X vectors, and no other takes the attribute"),
                    ctrl->vectors, ctrl->type);
        return NULL;
    }
    if (ctrl->model) {
        const char *const *models = NULL;

        if (g_str_equal(ctrl->type, "pci"))
            models = vgmControllerModelsPci;
        else if (g_str_equal(ctrl->type, "usb"))
            models = vgmControllerModelsUsb;
        else if (g_str_equal(ctrl->type, "scsi"))
            models = vgmControllerModelsScsi;
        else if (g_str_equal(ctrl->type, "virtio-serial"))
            models = vgmVirtioModels;
        if (models == vgmControllerModelsScsi &&
            !vgmStrInList(vgmControllerModelsScsi, ctrl->model)) {
            /* libvirt's SCSI models that have no device on an x86 guest */
            static const struct {
                const char *model;
                const char *why;
            } foreign[] = {
                { "ibmvscsi", N_("it is POWER's spapr-vscsi") },
                { "ncr53c90", N_("it is built into a SPARC or MIPS board") },
                { "buslogic", N_("QEMU has no BusLogic device") },
                { "auto", N_("libvirt's QEMU driver refuses it too") },
            };
            size_t f;

            for (f = 0; f < G_N_ELEMENTS(foreign); f++) {
                if (g_str_equal(ctrl->model, foreign[f].model)) {
                    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                                _("unsupported SCSI controller model '%1$s' for an x86 guest: %2$s"),
                                ctrl->model, _(foreign[f].why));
                    return NULL;
                }
            }
        }
        if (!models) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported attribute 'model' of element <controller type='%1$s'>"),
                        ctrl->type);
            return NULL;
        }
        if (!vgmCheckValue(models, ctrl->model, "model", "controller", error))
            return NULL;
    } else if (g_str_equal(ctrl->type, "pci")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<controller type='pci'> needs a 'model' attribute"));
        return NULL;
    }
    if (vgmXMLSingleChild(node, "master", &master, error) < 0)
        return NULL;
    if (master) {
        /* libvirt's schema has <master> on USB controllers only: the
         * companion's first port on the EHCI controller of its index */
        if (!g_str_equal(ctrl->type, "usb")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("element <master> of <controller type='%1$s'> is only for USB controllers"),
                        ctrl->type);
            return NULL;
        }
        if (!vgmXMLCheckNode(master, (const char *const[]){ "startport", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(master, "startport", VGM_XML_PROP_REQUIRED,
                           &ctrl->startport, error) < 0)
            return NULL;
        ctrl->haveMaster = TRUE;
    }
    if (!vgmControllerDriverParse(node, ctrl, error) ||
        !vgmControllerPciParse(node, ctrl, error) ||
        !vgmDeviceInfoParse(node, ctrl->alias, &ctrl->addr, error))
        return NULL;
    return g_steal_pointer(&ctrl);
}

/* Where libvirt puts a controller it reads: one without an index right
 * after the last controller of its type; one with an index before the
 * first controller of its type that has a higher index, or that is a
 * companion of the same index when the new one is its master; otherwise
 * right after the last controller of its type, or at the end when it is
 * the first of its type. (Found by defining mixed lists in libvirt 9.0
 * and reading them back: a pci-bridge after a USB controller comes back
 * right after pci-root.) The order is what dumpxml shows and the order of
 * the command line. */
void
vgmDomainControllerInsert(GPtrArray *ctrls, VgmControllerDef *ctrl)
{
    guint i;

    if (!ctrl->haveIndex) {
        for (i = ctrls->len; i-- > 0;) {
            const VgmControllerDef *cur = g_ptr_array_index(ctrls, i);
            if (g_str_equal(cur->type, ctrl->type)) {
                g_ptr_array_insert(ctrls, (gint)i + 1, ctrl);
                return;
            }
        }
    } else {
        gint after = -1;

        for (i = 0; i < ctrls->len; i++) {
            const VgmControllerDef *cur = g_ptr_array_index(ctrls, i);

            if (!g_str_equal(cur->type, ctrl->type))
                continue;
            if (cur->haveIndex &&
                (cur->index > ctrl->index ||
                 (cur->index == ctrl->index && cur->haveMaster && !ctrl->haveMaster))) {
                g_ptr_array_insert(ctrls, (gint)i, ctrl);
                return;
            }
            after = (gint)i;
        }
        if (after >= 0) {
            g_ptr_array_insert(ctrls, after + 1, ctrl);
            return;
        }
    }
    g_ptr_array_add(ctrls, ctrl);
}

void
vgmDomainControllerAppend(GPtrArray *ctrls, VgmControllerDef *ctrl)
{
    g_ptr_array_add(ctrls, ctrl);
}

void
vgmDomainControllersRegroup(GPtrArray *ctrls)
{
    gsize n = 0;
    g_autofree gpointer *items = g_ptr_array_steal(ctrls, &n);
    gsize i;

    for (i = 0; i < n; i++)
        vgmDomainControllerInsert(ctrls, items[i]);
}

static void
vgmControllerFormat(VgmBuf *buf, const VgmControllerDef *ctrl)
{
    VgmBuf attrs;
    VgmBuf child;

    vgmBufInit(&attrs, 0);
    vgmBufAsprintf(&attrs, " type='%s' index='%u'", ctrl->type, ctrl->index);
    if (ctrl->model)
        vgmBufAsprintf(&attrs, " model='%s'", ctrl->model);
    if (ctrl->ports)
        vgmBufAsprintf(&attrs, " ports='%u'", ctrl->ports);
    if (ctrl->haveVectors)
        vgmBufAsprintf(&attrs, " vectors='%u'", ctrl->vectors);
    vgmBufInitChild(&child, buf);
    /* a USB companion's alias before its <master>, as libvirt writes it */
    if (ctrl->haveMaster) {
        if (ctrl->alias[0])
            vgmBufEscapeString(&child, "<alias name='%s'/>\n", ctrl->alias);
        vgmBufAsprintf(&child, "<master startport='%u'/>\n", ctrl->startport);
    }
    if (ctrl->modelName)
        vgmBufAsprintf(&child, "<model name='%s'/>\n", ctrl->modelName);
    if (ctrl->haveChassisNr || ctrl->haveChassis || ctrl->havePort || ctrl->hotplug ||
        ctrl->haveBusNr || ctrl->haveNumaNode) {
        /* libvirt's order and its hexadecimal port */
        vgmBufAdd(&child, "<target");
        if (ctrl->haveChassisNr)
            vgmBufAsprintf(&child, " chassisNr='%u'", ctrl->chassisNr);
        if (ctrl->haveChassis)
            vgmBufAsprintf(&child, " chassis='%u'", ctrl->chassis);
        if (ctrl->havePort)
            vgmBufAsprintf(&child, " port='0x%x'", ctrl->port);
        if (ctrl->haveBusNr)
            vgmBufAsprintf(&child, " busNr='%u'", ctrl->busNr);
        if (ctrl->hotplug)
            vgmBufAsprintf(&child, " hotplug='%s'", vgmTristateSwitchTypeToString(ctrl->hotplug));
        if (ctrl->haveNumaNode) {
            vgmBufAdd(&child, ">\n");
            vgmBufAsprintf(&child, "  <node>%u</node>\n", ctrl->numaNode);
            vgmBufAdd(&child, "</target>\n");
        } else {
            vgmBufAdd(&child, "/>\n");
        }
    }
    if (ctrl->queues || ctrl->cmdPerLun || ctrl->maxSectors || ctrl->ioeventfd ||
        ctrl->iothread || vgmVirtioOptionsAny(&ctrl->virtio)) {
        vgmBufAdd(&child, "<driver");
        if (ctrl->queues)
            vgmBufAsprintf(&child, " queues='%u'", ctrl->queues);
        if (ctrl->cmdPerLun)
            vgmBufAsprintf(&child, " cmd_per_lun='%u'", ctrl->cmdPerLun);
        if (ctrl->maxSectors)
            vgmBufAsprintf(&child, " max_sectors='%u'", ctrl->maxSectors);
        if (ctrl->ioeventfd)
            vgmBufAsprintf(&child, " ioeventfd='%s'", vgmTristateSwitchTypeToString(ctrl->ioeventfd));
        if (ctrl->iothread)
            vgmBufAsprintf(&child, " iothread='%u'", ctrl->iothread);
        vgmVirtioOptionsFormat(&child, &ctrl->virtio);
        vgmBufAdd(&child, "/>\n");
    }
    vgmDeviceInfoFormat(&child, ctrl->haveMaster ? "" : ctrl->alias, &ctrl->addr);
    if (ctrl->havePcihole64)
        vgmBufAsprintf(&child, "<pcihole64 unit='KiB'>%llu</pcihole64>\n", ctrl->pcihole64KiB);
    vgmXMLFormatElement(buf, "controller", &attrs, &child);
}

/* ---------------- memballoon, rng, graphics, video ---------------- */

static VgmMemballoonDef *
vgmMemballoonParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmMemballoonDef) mb = g_new0(VgmMemballoonDef, 1);
    xmlNodePtr child;
    int rc;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", "autodeflate", "freePageReporting",
                                                      NULL },
                         (const char *const[]){ "stats", "driver", "alias", "address", "acpi", NULL }, error) ||
        vgmXMLPropString(node, "model", VGM_XML_PROP_REQUIRED, &mb->model, error) < 0 ||
        !vgmCheckValue((const char *const[]){ "virtio", "none", "virtio-transitional",
                                              "virtio-non-transitional", NULL }, mb->model,
                       "model", "memballoon", error) ||
        vgmXMLPropTristateSwitch(node, "autodeflate", 0, &mb->autodeflate, error) < 0 ||
        vgmXMLPropTristateSwitch(node, "freePageReporting", 0, &mb->freePageReporting, error) < 0)
        return NULL;
    if (vgmXMLSingleChild(node, "stats", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "period", NULL }, vgmXMLNoChildren, error) ||
            (rc = vgmXMLPropUInt(child, "period", VGM_XML_PROP_REQUIRED, &mb->period, error)) < 0)
            return NULL;
        mb->havePeriod = TRUE;
    }
    if (!vgmDriverIommuParse(node, &mb->virtio, error) ||
        !vgmDeviceInfoParse(node, mb->alias, &mb->addr, error))
        return NULL;
    /* no balloon: what a balloon had (a client that switches it off,
     * virt-xml --memballoon model=none, leaves its address and settings)
     * goes with it, as libvirt drops it; a user's alias stays */
    if (g_str_equal(mb->model, "none")) {
        VgmMemballoonDef none = { .model = g_steal_pointer(&mb->model) };

        memcpy(none.alias, mb->alias, sizeof(none.alias));
        *mb = none;
    }
    return g_steal_pointer(&mb);
}

static void
vgmMemballoonFormat(VgmBuf *buf, const VgmMemballoonDef *mb)
{
    VgmBuf attrs;
    VgmBuf child;

    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);
    vgmBufAsprintf(&attrs, " model='%s'", mb->model);
    if (mb->autodeflate)
        vgmBufAsprintf(&attrs, " autodeflate='%s'", vgmTristateSwitchTypeToString(mb->autodeflate));
    if (mb->freePageReporting)
        vgmBufAsprintf(&attrs, " freePageReporting='%s'",
                       vgmTristateSwitchTypeToString(mb->freePageReporting));
    /* (as libvirt writes it: a period of 0, statistics off, is none) */
    if (mb->havePeriod && mb->period)
        vgmBufAsprintf(&child, "<stats period='%u'/>\n", mb->period);
    vgmDeviceInfoFormat(&child, mb->alias, &mb->addr);
    vgmDriverIommuFormat(&child, &mb->virtio);
    vgmXMLFormatElement(buf, "memballoon", &attrs, &child);
}

/* An attribute of <usbdev> in <redirfilter>: a number up to @max (any
 * base, as libvirt reads it), or -1 (absent or "-1": any) */
static gboolean
vgmRedirFilterNumber(xmlNodePtr node, const char *attr, gint64 max, int *out, GError **error)
{
    g_autofree char *text = NULL;
    gint64 v;
    char *end = NULL;

    *out = -1;
    if (vgmXMLPropString(node, attr, 0, &text, error) < 0)
        return FALSE;
    if (!text || g_str_equal(text, "-1"))
        return TRUE;
    errno = 0;
    v = g_ascii_strtoll(text, &end, 0);
    if (errno || !*text || *end || v < 0 || v > max) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of <usbdev> in <redirfilter>: expected -1 (any) or 0 to 0x%3$X"),
                    text, attr, (unsigned int)max);
        return FALSE;
    }
    *out = (int)v;
    return TRUE;
}

/* <redirfilter><usbdev class='' vendor='' product='' version='J.MN'
 * allow='yes|no'/>...: the rules, kept in @rules */
static gboolean
vgmRedirFilterParse(xmlNodePtr node, GPtrArray *rules, GError **error)
{
    g_autoptr(GPtrArray) devs = NULL;
    guint i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "usbdev", NULL }, error))
        return FALSE;
    devs = vgmXMLChildren(node, "usbdev");
    for (i = 0; i < devs->len; i++) {
        xmlNodePtr u = g_ptr_array_index(devs, i);
        g_autofree VgmRedirFilterRule *r = g_new0(VgmRedirFilterRule, 1);
        g_autofree char *version = NULL;
        VgmTristate allow = VGM_TRISTATE_ABSENT;

        if (!vgmXMLCheckNode(u, (const char *const[]){ "class", "vendor", "product", "version",
                                                      "allow", NULL }, vgmXMLNoChildren, error) ||
            !vgmRedirFilterNumber(u, "class", 0xFF, &r->usbClass, error) ||
            !vgmRedirFilterNumber(u, "vendor", 0xFFFF, &r->vendor, error) ||
            !vgmRedirFilterNumber(u, "product", 0xFFFF, &r->product, error) ||
            vgmXMLPropString(u, "version", 0, &version, error) < 0 ||
            vgmXMLPropTristateBool(u, "allow", VGM_XML_PROP_REQUIRED, &allow, error) < 0)
            return FALSE;
        r->allow = allow == VGM_TRISTATE_YES;
        r->version = -1;
        /* a USB version J.MN as BCD 0xJJMN (J.M is J.M0), as libvirt
         * reads it */
        if (version && !g_str_equal(version, "-1")) {
            g_auto(GStrv) parts = g_strsplit(version, ".", -1);
            guint64 major = 0, minor = 0;

            if (g_strv_length(parts) != 2 ||
                !g_ascii_string_to_unsigned(parts[0], 10, 0, 99, &major, NULL) ||
                !g_ascii_string_to_unsigned(parts[1], 10, 0, 99, &minor, NULL)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'version' of <usbdev> in <redirfilter>: expected a USB version such as 2.0 or 1.10"),
                            version);
                return FALSE;
            }
            if (strlen(parts[1]) == 1)
                minor *= 10;
            r->version = (int)((major / 10) << 12 | (major % 10) << 8 |
                               (minor / 10) << 4 | (minor % 10));
        }
        g_ptr_array_add(rules, g_steal_pointer(&r));
    }
    return TRUE;
}

static void
vgmRedirFilterFormat(VgmBuf *buf, const GPtrArray *rules)
{
    guint i;

    if (rules->len == 0)
        return;
    vgmBufAdd(buf, "<redirfilter>\n");
    for (i = 0; i < rules->len; i++) {
        const VgmRedirFilterRule *r = g_ptr_array_index(rules, i);

        vgmBufAdd(buf, "  <usbdev");
        if (r->usbClass >= 0)
            vgmBufAsprintf(buf, " class='0x%02X'", (unsigned int)r->usbClass);
        if (r->vendor >= 0)
            vgmBufAsprintf(buf, " vendor='0x%04X'", (unsigned int)r->vendor);
        if (r->product >= 0)
            vgmBufAsprintf(buf, " product='0x%04X'", (unsigned int)r->product);
        if (r->version >= 0)
            vgmBufAsprintf(buf, " version='%d.%02d'",
                           ((r->version >> 12) & 0xF) * 10 + ((r->version >> 8) & 0xF),
                           ((r->version >> 4) & 0xF) * 10 + (r->version & 0xF));
        vgmBufAsprintf(buf, " allow='%s'/>\n", r->allow ? "yes" : "no");
    }
    vgmBufAdd(buf, "</redirfilter>\n");
}

/* <hub type='usb'>, and its USB <address> */
static VgmHubDef *
vgmHubParse(xmlNodePtr node, GError **error)
{
    g_autofree VgmHubDef *hub = g_new0(VgmHubDef, 1);
    g_autofree char *type = NULL;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL },
                         (const char *const[]){ "alias", "address", NULL }, error) ||
        vgmXMLPropString(node, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0 ||
        !vgmCheckValue((const char *const[]){ "usb", NULL }, type, "type", "hub", error) ||
        !vgmDeviceInfoParse(node, hub->alias, &hub->addr, error))
        return NULL;
    if (hub->addr.type && hub->addr.type != VGM_ADDRESS_USB) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<hub type='usb'> cannot have an <address type='%1$s'>: it plugs into a USB port"),
                    vgmAddressTypeToString(hub->addr.type));
        return NULL;
    }
    return g_steal_pointer(&hub);
}

static void
vgmHubFormat(VgmBuf *buf, const VgmHubDef *hub)
{
    if (hub->addr.type == VGM_ADDRESS_NONE) {
        vgmBufAdd(buf, "<hub type='usb'/>\n");
        return;
    }
    vgmBufAdd(buf, "<hub type='usb'>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmDeviceInfoFormat(buf, hub->alias, &hub->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</hub>\n");
}

static VgmRngDef *
vgmRngParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmRngDef) rng = g_new0(VgmRngDef, 1);
    xmlNodePtr child;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", NULL },
                         (const char *const[]){ "rate", "backend", "driver", "alias", "address", "acpi", NULL }, error) ||
        vgmXMLPropString(node, "model", VGM_XML_PROP_REQUIRED, &rng->model, error) < 0 ||
        !vgmCheckValue(vgmVirtioModels, rng->model, "model", "rng", error))
        return NULL;
    /* what the guest may draw: bytes per period (ms) */
    if (vgmXMLSingleChild(node, "rate", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "bytes", "period", NULL }, vgmXMLNoChildren,
                          error) ||
         vgmXMLPropUInt(child, "bytes", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                        &rng->rateBytes, error) < 0 ||
         vgmXMLPropUInt(child, "period", VGM_XML_PROP_NONZERO, &rng->ratePeriod, error) < 0))
        return NULL;
    if (vgmXMLSingleChild(node, "backend", &child, error) < 0)
        return NULL;
    if (!child) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <rng> needs a <backend>"));
        return NULL;
    }
    if (vgmXMLPropString(child, "model", VGM_XML_PROP_REQUIRED, &rng->backendModel, error) < 0 ||
        !vgmCheckValue((const char *const[]){ "random", "builtin", "egd", NULL }, rng->backendModel,
                       "model", "backend", error))
        return NULL;
    /* egd: an entropy gathering daemon QEMU reads through a character
     * device */
    if (g_str_equal(rng->backendModel, "egd")) {
        if (!(rng->egd = vgmChrParse(child, VGM_CHR_RNG, error)))
            return NULL;
    } else if (!vgmXMLCheckNode(child, (const char *const[]){ "model", NULL }, NULL, error)) {
        return NULL;
    } else {
        rng->backend = vgmXMLNodeContent(child);
    }
    if (rng->backend && g_str_equal(rng->backendModel, "builtin")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<backend model='builtin'> of <rng> takes no device path"));
        return NULL;
    }
    if (rng->backend) {
        g_strstrip(rng->backend);
        if (!vgmStrInList(vgmRngBackends, rng->backend)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported RNG source '%1$s' in <backend>: use /dev/urandom, /dev/random or /dev/hwrng"),
                        rng->backend);
            return NULL;
        }
    }
    if (!vgmDriverIommuParse(node, &rng->virtio, error) ||
        !vgmDeviceInfoParse(node, rng->alias, &rng->addr, error))
        return NULL;
    if (rng->addr.type != VGM_ADDRESS_NONE && rng->addr.type != VGM_ADDRESS_PCI) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <address type='%1$s'> in <rng>: virtio-rng is a PCI device"),
                    vgmAddressTypeToString(rng->addr.type));
        return NULL;
    }
    return g_steal_pointer(&rng);
}

static void
vgmRngFormat(VgmBuf *buf, const VgmRngDef *rng)
{
    vgmBufAsprintf(buf, "<rng model='%s'>\n", rng->model);
    vgmBufAdjustIndent(buf, 2);
    if (rng->rateBytes && rng->ratePeriod)
        vgmBufAsprintf(buf, "<rate bytes='%u' period='%u'/>\n", rng->rateBytes, rng->ratePeriod);
    else if (rng->rateBytes)
        vgmBufAsprintf(buf, "<rate bytes='%u'/>\n", rng->rateBytes);
    if (rng->egd)
        vgmChrFormat(buf, rng->egd);
    else if (rng->backend)
        vgmBufAsprintf(buf, "<backend model='%s'>%s</backend>\n", rng->backendModel, rng->backend);
    else
        vgmBufAsprintf(buf, "<backend model='%s'/>\n", rng->backendModel);
    vgmDriverIommuFormat(buf, &rng->virtio);
    vgmDeviceInfoFormat(buf, rng->alias, &rng->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</rng>\n");
}

/* ---------------- filesystem ---------------- */

/* fmode / dmode: octal permission bits, at most 0777 */
static gboolean
vgmFsModeParse(xmlNodePtr node, const char *name, unsigned int *mode, GError **error)
{
    g_autofree char *text = NULL;
    guint64 v;

    if (vgmXMLPropString(node, name, 0, &text, error) < 0)
        return FALSE;
    if (!text)
        return TRUE;
    if (!g_ascii_string_to_unsigned(text, 8, 0, 0777, &v, NULL)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of element <filesystem>: an octal mode of at most 0777"),
                    text, name);
        return FALSE;
    }
    *mode = (unsigned int)v;
    return TRUE;
}

/* virtiofs's <binary path='' xattr=''> and its children */
static gboolean
vgmFsBinaryParse(xmlNodePtr node, VgmFsDef *fs, GError **error)
{
    xmlNodePtr child;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "path", "xattr", NULL },
                         (const char *const[]){ "cache", "sandbox", "lock", "thread_pool", NULL },
                         error) ||
        vgmXMLPropString(node, "path", 0, &fs->binary, error) < 0 ||
        vgmXMLPropTristateSwitch(node, "xattr", 0, &fs->xattr, error) < 0)
        return FALSE;
    if (fs->binary && !g_path_is_absolute(fs->binary)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'path' of element <binary> in <filesystem>: an absolute path"),
                    fs->binary);
        return FALSE;
    }
    if (vgmXMLSingleChild(node, "cache", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmFsCacheTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        fs->cache = v;
    }
    if (vgmXMLSingleChild(node, "sandbox", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmFsSandboxTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        fs->sandbox = v;
    }
    if (vgmXMLSingleChild(node, "lock", &child, error) < 0)
        return FALSE;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "posix", "flock", NULL }, vgmXMLNoChildren,
                          error) ||
         vgmXMLPropTristateSwitch(child, "posix", 0, &fs->posixLock, error) < 0 ||
         vgmXMLPropTristateSwitch(child, "flock", 0, &fs->flock, error) < 0))
        return FALSE;
    if (vgmXMLSingleChild(node, "thread_pool", &child, error) < 0)
        return FALSE;
    if (child) {
        unsigned int size;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "size", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropUInt(child, "size", VGM_XML_PROP_REQUIRED, &size, error) < 0)
            return FALSE;
        if (size > G_MAXINT) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$u' for attribute 'size' of element <thread_pool>: at most %2$d"),
                        size, G_MAXINT);
            return FALSE;
        }
        fs->threadPoolSize = (int)size;
    }
    return TRUE;
}

static VgmFsDef *
vgmFsParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmFsDef) fs = g_new0(VgmFsDef, 1);
    g_autofree char *type = NULL;
    xmlNodePtr child;
    int v;

    fs->threadPoolSize = -1;
    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "accessmode", "model", "multidevs",
                                                      "fmode", "dmode", NULL },
                         (const char *const[]){ "driver", "binary", "source", "target", "readonly",
                                                "boot", "alias", "address", "acpi", NULL }, error) ||
        vgmXMLPropString(node, "type", 0, &type, error) < 0)
        return NULL;
    /* libvirt's other types (block, file, template, ram, bind, volume) are
     * its LXC driver's */
    if (type && !g_str_equal(type, "mount")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <filesystem type='%1$s'>: QEMU shares host directories only, type 'mount'"),
                    type);
        return NULL;
    }
    if (vgmXMLPropEnum(node, "accessmode", vgmFsAccessTypeFromString, 0, &v, error) < 0)
        return NULL;
    fs->accessmode = v;
    if (vgmXMLPropEnum(node, "model", vgmFsModelTypeFromString, VGM_XML_PROP_NONZERO, &v,
                       error) < 0)
        return NULL;
    fs->model = v;
    if (vgmXMLPropEnum(node, "multidevs", vgmFsMultidevsTypeFromString, 0, &v, error) < 0)
        return NULL;
    fs->multidevs = v;
    if (!vgmFsModeParse(node, "fmode", &fs->fmode, error) ||
        !vgmFsModeParse(node, "dmode", &fs->dmode, error))
        return NULL;

    if (vgmXMLSingleChild(node, "driver", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", "wrpolicy", "queue", "iommu",
                                                           "ats", "packed", "page_per_vq", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "type", vgmFsDriverTypeFromString, 0, &v, error) < 0)
            return NULL;
        fs->driver = v;
        if (vgmXMLPropEnum(child, "wrpolicy", vgmFsWrpolicyTypeFromString, 0, &v, error) < 0)
            return NULL;
        fs->wrpolicy = v;
        if (vgmXMLPropUInt(child, "queue", 0, &fs->queue, error) < 0 ||
            !vgmVirtioOptionsParse(child, &fs->virtio, error))
            return NULL;
        if (fs->queue && fs->driver != VGM_FS_DRIVER_VIRTIOFS) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("attribute 'queue' of <driver> in <filesystem> is virtiofs's only (type='virtiofs')"));
            return NULL;
        }
    }
    if (vgmXMLSingleChild(node, "binary", &child, error) < 0)
        return NULL;
    if (child) {
        if (fs->driver != VGM_FS_DRIVER_VIRTIOFS) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("element <binary> of <filesystem> is virtiofs's only (<driver type='virtiofs'/>)"));
            return NULL;
        }
        if (!vgmFsBinaryParse(child, fs, error))
            return NULL;
    }

    if (vgmXMLSingleChild(node, "source", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "dir", "socket", NULL }, vgmXMLNoChildren,
                          error) ||
         vgmXMLPropString(child, "dir", 0, &fs->dir, error) < 0 ||
         vgmXMLPropString(child, "socket", 0, &fs->socket, error) < 0))
        return NULL;
    if (!fs->dir && !fs->socket) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("element <filesystem> needs <source dir='...'/> (or, for virtiofs, <source socket='...'/>)"));
        return NULL;
    }
    if (fs->dir && fs->socket) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("<source> of <filesystem> takes either 'dir' or 'socket', not both"));
        return NULL;
    }
    if ((fs->dir && !g_path_is_absolute(fs->dir)) || (fs->socket && !g_path_is_absolute(fs->socket))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of <source> in <filesystem>: an absolute path"),
                    fs->dir ? fs->dir : fs->socket, fs->dir ? "dir" : "socket");
        return NULL;
    }
    /* someone else's virtiofsd: how it runs and what it exports are its
     * own settings */
    if (fs->socket && (fs->binary || fs->xattr || fs->cache || fs->sandbox || fs->posixLock ||
                       fs->flock || fs->threadPoolSize >= 0 ||
                       vgmXMLChild(node, "binary"))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<filesystem> with <source socket='%1$s'> takes no <binary>: that virtiofsd is run by someone else, with its own options"),
                    fs->socket);
        return NULL;
    }
    if (fs->socket && fs->driver != VGM_FS_DRIVER_VIRTIOFS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<source socket='...'> of <filesystem> is a virtiofsd's: it needs <driver type='virtiofs'/>"));
        return NULL;
    }

    if (vgmXMLSingleChild(node, "target", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "dir", NULL }, vgmXMLNoChildren, error) ||
         vgmXMLPropString(child, "dir", 0, &fs->target, error) < 0))
        return NULL;
    if (!fs->target || !*fs->target) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<filesystem> of source '%1$s' needs <target dir='...'/>, the tag the guest mounts it by"),
                    fs->dir ? fs->dir : fs->socket);
        return NULL;
    }
    if (vgmXMLSingleChild(node, "readonly", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, vgmXMLNoChildren, error))
            return NULL;
        fs->readonly = TRUE;
    }
    if (!vgmBootOrderParse(node, &fs->bootOrder, error) ||
        !vgmDeviceInfoParse(node, fs->alias, &fs->addr, error))
        return NULL;
    if (fs->addr.type != VGM_ADDRESS_NONE && fs->addr.type != VGM_ADDRESS_PCI) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <address type='%1$s'> in <filesystem>: a share is a PCI device"),
                    vgmAddressTypeToString(fs->addr.type));
        return NULL;
    }
    /* libvirt's rule */
    if (fs->bootOrder && fs->driver != VGM_FS_DRIVER_VIRTIOFS) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<boot order> of a <filesystem> needs virtiofs (<driver type='virtiofs'/>): a 9p share is not bootable"));
        return NULL;
    }
    return g_steal_pointer(&fs);
}

/* The devices that take a <boot order>, and where each keeps it */
static const struct {
    size_t list;                /* of the GPtrArray in VgmDevicesDef */
    size_t order;               /* of the unsigned int in its element */
} vgmBootableLists[] = {
    { G_STRUCT_OFFSET(VgmDevicesDef, disks), G_STRUCT_OFFSET(VgmDiskDef, bootOrder) },
    { G_STRUCT_OFFSET(VgmDevicesDef, nets), G_STRUCT_OFFSET(VgmNetDef, bootOrder) },
    { G_STRUCT_OFFSET(VgmDevicesDef, redirdevs), G_STRUCT_OFFSET(VgmChrDef, bootOrder) },
    { G_STRUCT_OFFSET(VgmDevicesDef, fss), G_STRUCT_OFFSET(VgmFsDef, bootOrder) },
};

GArray *
vgmDomainDefBootOrders(const VgmDomainDef *def)
{
    GArray *orders = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    size_t k;
    guint i;

    for (k = 0; k < G_N_ELEMENTS(vgmBootableLists); k++) {
        GPtrArray *list = G_STRUCT_MEMBER(GPtrArray *, &def->devices, vgmBootableLists[k].list);

        for (i = 0; i < list->len; i++) {
            unsigned int order = G_STRUCT_MEMBER(unsigned int, g_ptr_array_index(list, i),
                                                 vgmBootableLists[k].order);

            if (order)
                g_array_append_val(orders, order);
        }
    }
    return orders;
}

const char *
vgmDomainDefVhostUserDevice(const VgmDomainDef *def)
{
    guint i;

    if (vgmDomainDefHasVirtiofs(def))
        return "virtiofs <filesystem>";
    for (i = 0; i < def->devices.disks->len; i++) {
        if (((const VgmDiskDef *)g_ptr_array_index(def->devices.disks, i))->type ==
            VGM_DISK_TYPE_VHOSTUSER)
            return "vhostuser <disk>";
    }
    return NULL;
}

gboolean
vgmDomainDefHasVirtiofs(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices.fss->len; i++) {
        if (((const VgmFsDef *)g_ptr_array_index(def->devices.fss, i))->driver ==
            VGM_FS_DRIVER_VIRTIOFS)
            return TRUE;
    }
    return FALSE;
}

static void
vgmFsFormat(VgmBuf *buf, const VgmFsDef *fs)
{
    VgmBuf attrs, child;

    vgmBufAdd(buf, "<filesystem type='mount'");
    if (fs->accessmode)
        vgmBufAsprintf(buf, " accessmode='%s'", vgmFsAccessTypeToString(fs->accessmode));
    if (fs->model)
        vgmBufAsprintf(buf, " model='%s'", vgmFsModelTypeToString(fs->model));
    if (fs->multidevs)
        vgmBufAsprintf(buf, " multidevs='%s'", vgmFsMultidevsTypeToString(fs->multidevs));
    if (fs->fmode)
        vgmBufAsprintf(buf, " fmode='%04o'", fs->fmode);
    if (fs->dmode)
        vgmBufAsprintf(buf, " dmode='%04o'", fs->dmode);
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);

    vgmBufInit(&attrs, 0);
    if (fs->driver)
        vgmBufAsprintf(&attrs, " type='%s'", vgmFsDriverTypeToString(fs->driver));
    if (fs->wrpolicy)
        vgmBufAsprintf(&attrs, " wrpolicy='%s'", vgmFsWrpolicyTypeToString(fs->wrpolicy));
    if (fs->queue)
        vgmBufAsprintf(&attrs, " queue='%u'", fs->queue);
    vgmVirtioOptionsFormat(&attrs, &fs->virtio);
    vgmXMLFormatElement(buf, "driver", &attrs, NULL);

    if (fs->driver == VGM_FS_DRIVER_VIRTIOFS) {
        VgmBuf lock;

        vgmBufInit(&attrs, 0);
        vgmBufInitChild(&child, buf);
        vgmBufEscapeString(&attrs, " path='%s'", fs->binary);
        if (fs->xattr)
            vgmBufAsprintf(&attrs, " xattr='%s'", vgmTristateSwitchTypeToString(fs->xattr));
        if (fs->cache)
            vgmBufAsprintf(&child, "<cache mode='%s'/>\n", vgmFsCacheTypeToString(fs->cache));
        if (fs->sandbox)
            vgmBufAsprintf(&child, "<sandbox mode='%s'/>\n", vgmFsSandboxTypeToString(fs->sandbox));
        vgmBufInit(&lock, 0);
        if (fs->posixLock)
            vgmBufAsprintf(&lock, " posix='%s'", vgmTristateSwitchTypeToString(fs->posixLock));
        if (fs->flock)
            vgmBufAsprintf(&lock, " flock='%s'", vgmTristateSwitchTypeToString(fs->flock));
        vgmXMLFormatElement(&child, "lock", &lock, NULL);
        if (fs->threadPoolSize >= 0)
            vgmBufAsprintf(&child, "<thread_pool size='%d'/>\n", fs->threadPoolSize);
        vgmXMLFormatElement(buf, "binary", &attrs, &child);
    }
    if (fs->socket)
        vgmBufEscapeString(buf, "<source socket='%s'/>\n", fs->socket);
    else
        vgmBufEscapeString(buf, "<source dir='%s'/>\n", fs->dir);
    vgmBufEscapeString(buf, "<target dir='%s'/>\n", fs->target);
    if (fs->readonly)
        vgmBufAdd(buf, "<readonly/>\n");
    if (fs->bootOrder)
        vgmBufAsprintf(buf, "<boot order='%u'/>\n", fs->bootOrder);
    vgmDeviceInfoFormat(buf, fs->alias, &fs->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</filesystem>\n");
}

/* ---------------- input ---------------- */

/* The address type each bus takes (ps2 takes none). */
static const VgmAddressType vgmInputBusAddress[VGM_INPUT_BUS_LAST] = {
    [VGM_INPUT_BUS_USB] = VGM_ADDRESS_USB,
    [VGM_INPUT_BUS_VIRTIO] = VGM_ADDRESS_PCI,
};

static VgmInputDef *
vgmInputParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmInputDef) input = g_new0(VgmInputDef, 1);
    int v;

    xmlNodePtr source;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "bus", "model", NULL },
                         (const char *const[]){ "source", "driver", "alias", "address", "acpi", NULL }, error) ||
        vgmXMLPropEnum(node, "type", vgmInputTypeFromString, VGM_XML_PROP_REQUIRED, &v, error) < 0)
        return NULL;
    input->type = v;
    if (vgmXMLPropEnum(node, "bus", vgmInputBusTypeFromString, VGM_XML_PROP_NONZERO, &v, error) < 0)
        return NULL;
    input->bus = v;
    if (vgmXMLPropEnum(node, "model", vgmVirtioModelTypeFromString, VGM_XML_PROP_NONZERO, &v,
                       error) < 0)
        return NULL;
    input->model = v;
    /* (a passthrough input's bus is virtio when not given) */
    if (input->model && input->bus != VGM_INPUT_BUS_VIRTIO &&
        !(input->type == VGM_INPUT_TYPE_PASSTHROUGH && !input->bus)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("attribute model='%1$s' of <input type='%2$s'> is for bus 'virtio' only"),
                    vgmVirtioModelTypeToString(input->model), vgmInputTypeToString(input->type));
        return NULL;
    }
    /* QEMU's virtio input devices are modern only, and libvirt refuses the
     * two other models too */
    if (input->model == VGM_VIRTIO_MODEL_TRANSITIONAL ||
        input->model == VGM_VIRTIO_MODEL_NON_TRANSITIONAL) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported model='%1$s' of <input type='%2$s'>: QEMU's virtio input devices have no transitional and non-transitional variants, only model 'virtio'"),
                    vgmVirtioModelTypeToString(input->model), vgmInputTypeToString(input->type));
        return NULL;
    }
    /* a host input device: passed through as a virtio input, or read by
     * QEMU (evdev, with no bus in the guest: the events go to the guest's
     * own keyboard and mouse) */
    if (vgmXMLSingleChild(node, "source", &source, error) < 0)
        return NULL;
    if (input->type == VGM_INPUT_TYPE_PASSTHROUGH || input->type == VGM_INPUT_TYPE_EVDEV) {
        gboolean evdev = input->type == VGM_INPUT_TYPE_EVDEV;
        const char *attr = evdev ? "dev" : "evdev";

        if (source &&
            (!vgmXMLCheckNode(source, evdev ? (const char *const[]){ "dev", "grab", "grabToggle",
                                                                     "repeat", NULL } :
                                              (const char *const[]){ "evdev", NULL },
                              vgmXMLNoChildren, error) ||
             vgmXMLPropString(source, attr, 0, &input->evdev, error) < 0))
            return NULL;
        if (!input->evdev || !g_path_is_absolute(input->evdev)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<input type='%1$s'> needs <source %2$s='...'/>, the absolute path of a host input device (/dev/input/eventN)"),
                        vgmInputTypeToString(input->type), attr);
            return NULL;
        }
        if (evdev) {
            g_autofree char *grab = NULL;

            if (vgmXMLPropString(source, "grab", 0, &grab, error) < 0 ||
                (grab && !vgmCheckValue((const char *const[]){ "all", NULL }, grab, "grab",
                                        "source", error)) ||
                vgmXMLPropEnum(source, "grabToggle", vgmInputGrabToggleTypeFromString,
                               VGM_XML_PROP_NONZERO, &v, error) < 0)
                return NULL;
            input->grabAll = grab != NULL;
            input->grabToggle = v;
            if (vgmXMLPropTristateSwitch(source, "repeat", 0, &input->repeat, error) < 0)
                return NULL;
            if (input->bus) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<input type='evdev'> takes no bus ('%1$s'): QEMU reads the host device and hands its events to the guest's keyboard and mouse"),
                            vgmInputBusTypeToString(input->bus));
                return NULL;
            }
        } else if (input->bus && input->bus != VGM_INPUT_BUS_VIRTIO) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<input type='passthrough'> is a virtio device: bus '%1$s' cannot take it"),
                        vgmInputBusTypeToString(input->bus));
            return NULL;
        } else {
            /* libvirt's default, at parse time */
            input->bus = VGM_INPUT_BUS_VIRTIO;
        }
    } else if (source) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("unsupported element <source> in <input type='%1$s'>: only passthrough and evdev inputs have a host source"),
                    vgmInputTypeToString(input->type));
        return NULL;
    }
    if (input->type == VGM_INPUT_TYPE_TABLET && input->bus == VGM_INPUT_BUS_PS2) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <input type='tablet' bus='ps2'>: a PS/2 port has no tablet; use bus='usb' or bus='virtio'"));
        return NULL;
    }
    if (!vgmDriverIommuParse(node, &input->virtio, error) ||
        !vgmDeviceInfoParse(node, input->alias, &input->addr, error))
        return NULL;
    if (vgmVirtioOptionsAny(&input->virtio) && input->bus != VGM_INPUT_BUS_VIRTIO) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<driver> of <input type='%1$s' bus='%2$s'> takes the virtio options (iommu, ats, packed, page_per_vq), which only bus='virtio' has"),
                    vgmInputTypeToString(input->type),
                    input->bus ? vgmInputBusTypeToString(input->bus) : "ps2");
        return NULL;
    }
    if (input->type == VGM_INPUT_TYPE_EVDEV && (input->addr.type || vgmVirtioOptionsAny(&input->virtio))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<input type='evdev'> is no guest device: it takes no <address> or <driver>"));
        return NULL;
    }
    if (input->addr.type && input->bus &&
        input->addr.type != vgmInputBusAddress[input->bus]) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<input type='%1$s' bus='%2$s'> cannot have an <address type='%3$s'>"),
                    vgmInputTypeToString(input->type), vgmInputBusTypeToString(input->bus),
                    vgmAddressTypeToString(input->addr.type));
        return NULL;
    }
    return g_steal_pointer(&input);
}

static void
vgmInputFormat(VgmBuf *buf, const VgmInputDef *input)
{
    VgmBuf child;

    vgmBufAsprintf(buf, "<input type='%s'", vgmInputTypeToString(input->type));
    if (input->bus)
        vgmBufAsprintf(buf, " bus='%s'", vgmInputBusTypeToString(input->bus));
    if (input->model)
        vgmBufAsprintf(buf, " model='%s'", vgmVirtioModelTypeToString(input->model));
    vgmBufInitChild(&child, buf);
    if (input->type == VGM_INPUT_TYPE_PASSTHROUGH) {
        vgmBufEscapeString(&child, "<source evdev='%s'/>\n", input->evdev);
    } else if (input->type == VGM_INPUT_TYPE_EVDEV) {
        vgmBufEscapeString(&child, "<source dev='%s'", input->evdev);
        if (input->grabAll)
            vgmBufAdd(&child, " grab='all'");
        if (input->grabToggle)
            vgmBufAsprintf(&child, " grabToggle='%s'", vgmInputGrabToggleTypeToString(input->grabToggle));
        if (input->repeat)
            vgmBufAsprintf(&child, " repeat='%s'", vgmTristateSwitchTypeToString(input->repeat));
        vgmBufAdd(&child, "/>\n");
    }
    vgmDriverIommuFormat(&child, &input->virtio);
    vgmDeviceInfoFormat(&child, input->alias, &input->addr);
    if (vgmBufIsEmpty(&child)) {
        vgmBufAdd(buf, "/>\n");
    } else {
        vgmBufAdd(buf, ">\n");
        vgmBufAddBuf(buf, &child);
        vgmBufAdd(buf, "</input>\n");
    }
    vgmBufClear(&child);
}

unsigned int
vgmDomainUsbControllerPorts(const VgmControllerDef *ctrl)
{
    const char *model = ctrl->model;
    /* root hub ports without a 'ports' attribute, as libvirt counts them */
    static const struct {
        const char *model;
        unsigned int ports;
    } usbPorts[] = {
        { "qemu-xhci", 4 },
        { "nec-xhci", 4 },
        { "piix3-uhci", 2 },
        { "ich9-ehci1", 6 },
        { "ich9-uhci1", 2 },
        { "ich9-uhci2", 2 },
        { "ich9-uhci3", 2 },
    };
    size_t i;

    if (ctrl->ports)
        return ctrl->ports;

    for (i = 0; model && i < G_N_ELEMENTS(usbPorts); i++) {
        if (g_str_equal(usbPorts[i].model, model))
            return usbPorts[i].ports;
    }
    return 0;
}

const VgmControllerDef *
vgmDomainDefFindUsbController(const VgmDomainDef *def, unsigned int index)
{
    const VgmControllerDef *found = NULL;
    guint i;

    /* the master of a set of companions: its ports are the set's */
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);
        if (!g_str_equal(c->type, "usb") || c->index != index)
            continue;
        if (!c->haveMaster)
            return c;
        if (!found)
            found = c;
    }
    return found;
}

/* ---------------- sound, audio ---------------- */

/* <audio id=''/> inside <sound> or <graphics>: the backend it plays to */
static gboolean
vgmAudioRefParse(xmlNodePtr node, unsigned int *id, GError **error)
{
    xmlNodePtr child;

    if (vgmXMLSingleChild(node, "audio", &child, error) < 0)
        return FALSE;
    if (!child)
        return TRUE;
    if (!vgmXMLCheckNode(child, (const char *const[]){ "id", NULL }, vgmXMLNoChildren, error) ||
        vgmXMLPropUInt(child, "id", VGM_XML_PROP_REQUIRED, id, error) < 0)
        return FALSE;
    if (*id == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '0' for attribute 'id' of <audio> in <%1$s>: audio ids start at 1"),
                    (const char *)node->name);
        return FALSE;
    }
    return TRUE;
}

static VgmSoundDef *
vgmSoundParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmSoundDef) snd = g_new0(VgmSoundDef, 1);
    g_autoptr(GPtrArray) codecs = NULL;
    g_autofree char *model = NULL;
    guint i;
    int v;

    if (vgmXMLPropString(node, "model", VGM_XML_PROP_REQUIRED, &model, error) < 0)
        return NULL;
    if ((v = vgmSoundModelTypeFromString(model)) < 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <sound model='%1$s'>: the models are ich6, ich9, ac97, es1370, sb16, pcspk and usb"),
                    model);
        return NULL;
    }
    snd->model = v;
    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", NULL },
                         (const char *const[]){ "codec", "audio", "alias", "address", "acpi", NULL }, error) ||
        !vgmAudioRefParse(node, &snd->audioId, error))
        return NULL;
    codecs = vgmXMLChildren(node, "codec");
    if (codecs->len > 0 && snd->model != VGM_SOUND_ICH6 && snd->model != VGM_SOUND_ICH9) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<codec> is for the HDA sound models ich6 and ich9, not '%1$s'"), model);
        return NULL;
    }
    snd->codecs = g_new0(VgmSoundCodec, codecs->len);
    for (i = 0; i < codecs->len; i++) {
        xmlNodePtr cn = g_ptr_array_index(codecs, i);

        if (!vgmXMLCheckNode(cn, (const char *const[]){ "type", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(cn, "type", vgmSoundCodecTypeFromString, VGM_XML_PROP_REQUIRED,
                           &v, error) < 0)
            return NULL;
        snd->codecs[snd->ncodecs++] = v;
    }
    if (!vgmDeviceInfoParse(node, snd->alias, &snd->addr, error))
        return NULL;
    /* the ISA card and the speaker have no bus address; a USB device a
     * USB one */
    if (snd->addr.type &&
        (snd->model == VGM_SOUND_SB16 || snd->model == VGM_SOUND_PCSPK ||
         (snd->model == VGM_SOUND_USB) != (snd->addr.type == VGM_ADDRESS_USB))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<sound model='%1$s'> cannot have an <address type='%2$s'>"),
                    model, vgmAddressTypeToString(snd->addr.type));
        return NULL;
    }
    return g_steal_pointer(&snd);
}

static void
vgmSoundFormat(VgmBuf *buf, const VgmSoundDef *snd)
{
    VgmBuf attrs;
    VgmBuf child;
    size_t i;

    vgmBufInit(&attrs, 0);
    vgmBufAsprintf(&attrs, " model='%s'", vgmSoundModelTypeToString(snd->model));
    vgmBufInitChild(&child, buf);
    for (i = 0; i < snd->ncodecs; i++)
        vgmBufAsprintf(&child, "<codec type='%s'/>\n", vgmSoundCodecTypeToString(snd->codecs[i]));
    if (snd->audioId)
        vgmBufAsprintf(&child, "<audio id='%u'/>\n", snd->audioId);
    vgmDeviceInfoFormat(&child, snd->alias, &snd->addr);
    vgmXMLFormatElement(buf, "sound", &attrs, &child);
}

/* libvirt's <audio> types and the QEMU -audiodev driver of each */
static const struct {
    const char *type;
    const char *driver;
} vgmAudioTypes[] = {
    { "none", "none" }, { "alsa", "alsa" }, { "coreaudio", "coreaudio" },
    { "jack", "jack" }, { "oss", "oss" }, { "pulseaudio", "pa" }, { "sdl", "sdl" },
    { "spice", "spice" }, { "file", "wav" }, { "dbus", "dbus" },
};

const char *
vgmAudioQemuDriver(const char *type)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmAudioTypes); i++) {
        if (g_str_equal(vgmAudioTypes[i].type, type))
            return vgmAudioTypes[i].driver;
    }
    return NULL;
}

#define VGM_AUDIO_TYPES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* libvirt's attributes of <audio>, in its order (which is also QEMU's
 * order of the -audiodev properties libvirt writes) */
const VgmAudioAttrInfo vgmAudioAttrs[VGM_AUDIO_NATTRS] = {
    { VGM_AUDIO_AT_AUDIO, NULL, "timerPeriod", "timer-period", VGM_AUDIO_VALUE_POSITIVE, NULL },
    { VGM_AUDIO_AT_AUDIO, VGM_AUDIO_TYPES("oss"), "tryMMap", "try-mmap", VGM_AUDIO_VALUE_BOOL, NULL },
    { VGM_AUDIO_AT_AUDIO, VGM_AUDIO_TYPES("oss"), "exclusive", "exclusive", VGM_AUDIO_VALUE_BOOL, NULL },
    { VGM_AUDIO_AT_AUDIO, VGM_AUDIO_TYPES("oss"), "dspPolicy", "dsp-policy", VGM_AUDIO_VALUE_INT, NULL },
    { VGM_AUDIO_AT_AUDIO, VGM_AUDIO_TYPES("pulseaudio"), "serverName", "server",
      VGM_AUDIO_VALUE_STRING, NULL },
    /* SDL's own driver, which QEMU's environment names (SDL_AUDIODRIVER) */
    { VGM_AUDIO_AT_AUDIO, VGM_AUDIO_TYPES("sdl"), "driver", NULL, VGM_AUDIO_VALUE_ENUM,
      VGM_AUDIO_TYPES("esd", "alsa", "arts", "pulseaudio") },
    { VGM_AUDIO_AT_AUDIO, VGM_AUDIO_TYPES("file"), "path", "path", VGM_AUDIO_VALUE_PATH, NULL },
    { VGM_AUDIO_AT_IO, NULL, "mixingEngine", "mixing-engine", VGM_AUDIO_VALUE_BOOL, NULL },
    { VGM_AUDIO_AT_IO, NULL, "fixedSettings", "fixed-settings", VGM_AUDIO_VALUE_BOOL, NULL },
    { VGM_AUDIO_AT_IO, NULL, "voices", "voices", VGM_AUDIO_VALUE_POSITIVE, NULL },
    { VGM_AUDIO_AT_IO, NULL, "bufferLength", "buffer-length", VGM_AUDIO_VALUE_POSITIVE, NULL },
    { VGM_AUDIO_AT_SETTINGS, NULL, "frequency", "frequency", VGM_AUDIO_VALUE_POSITIVE, NULL },
    { VGM_AUDIO_AT_SETTINGS, NULL, "channels", "channels", VGM_AUDIO_VALUE_POSITIVE, NULL },
    { VGM_AUDIO_AT_SETTINGS, NULL, "format", "format", VGM_AUDIO_VALUE_ENUM,
      VGM_AUDIO_TYPES("u8", "s8", "u16", "s16", "u32", "s32", "f32") },
    /* the backends' own: an OSS device's dev, bufferCount, tryPoll, as
     * libvirt writes them */
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("alsa", "oss"), "dev", "dev", VGM_AUDIO_VALUE_STRING, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("coreaudio", "oss", "sdl"), "bufferCount", "buffer-count",
      VGM_AUDIO_VALUE_UINT, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("oss"), "tryPoll", "try-poll", VGM_AUDIO_VALUE_BOOL, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("jack"), "serverName", "server-name", VGM_AUDIO_VALUE_STRING,
      NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("jack"), "clientName", "client-name", VGM_AUDIO_VALUE_STRING,
      NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("jack"), "connectPorts", "connect-ports",
      VGM_AUDIO_VALUE_STRING, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("jack"), "exactName", "exact-name", VGM_AUDIO_VALUE_BOOL, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("pulseaudio"), "name", "name", VGM_AUDIO_VALUE_STRING, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("pulseaudio"), "streamName", "stream-name",
      VGM_AUDIO_VALUE_STRING, NULL },
    { VGM_AUDIO_AT_IO, VGM_AUDIO_TYPES("pulseaudio"), "latency", "latency", VGM_AUDIO_VALUE_UINT,
      NULL },
};

#undef VGM_AUDIO_TYPES

static gboolean
vgmAudioAttrFor(const VgmAudioAttrInfo *info, const char *type, VgmAudioAttrPlace place)
{
    return info->attr && info->place == place &&
           (!info->types || g_strv_contains(info->types, type));
}

/* The attributes of @node at @place into @values, each checked for its
 * kind; any attribute the type does not have is refused by name */
static gboolean
vgmAudioAttrsParse(xmlNodePtr node, const char *type, VgmAudioAttrPlace place,
                   const char *const *extraAttrs, const char *const *children,
                   char **values, GError **error)
{
    g_autoptr(GPtrArray) allowed = g_ptr_array_new();
    size_t i;

    for (i = 0; extraAttrs && extraAttrs[i]; i++)
        g_ptr_array_add(allowed, (gpointer)extraAttrs[i]);
    for (i = 0; i < VGM_AUDIO_NATTRS; i++) {
        if (vgmAudioAttrFor(&vgmAudioAttrs[i], type, place))
            g_ptr_array_add(allowed, (gpointer)vgmAudioAttrs[i].attr);
    }
    g_ptr_array_add(allowed, NULL);
    if (!vgmXMLCheckNode(node, (const char *const *)allowed->pdata, children, error))
        return FALSE;
    for (i = 0; i < VGM_AUDIO_NATTRS; i++) {
        const VgmAudioAttrInfo *info = &vgmAudioAttrs[i];
        g_autofree char *v = NULL;
        unsigned int u;
        int n;

        if (!vgmAudioAttrFor(info, type, place))
            continue;
        switch (info->kind) {
        case VGM_AUDIO_VALUE_STRING:
        case VGM_AUDIO_VALUE_PATH:
        case VGM_AUDIO_VALUE_ENUM:
            if (vgmXMLPropString(node, info->attr, 0, &v, error) < 0)
                return FALSE;
            if (v && info->kind == VGM_AUDIO_VALUE_PATH && !g_path_is_absolute(v)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute '%2$s' of <audio type='%3$s'>: expected an absolute path"),
                            v, info->attr, type);
                return FALSE;
            }
            if (v && info->kind == VGM_AUDIO_VALUE_ENUM &&
                !vgmCheckValue(info->values, v, info->attr, (const char *)node->name, error))
                return FALSE;
            break;
        case VGM_AUDIO_VALUE_UINT:
        case VGM_AUDIO_VALUE_POSITIVE:
            if ((n = vgmXMLPropUInt(node, info->attr,
                                    info->kind == VGM_AUDIO_VALUE_POSITIVE ? VGM_XML_PROP_NONZERO : 0,
                                    &u, error)) < 0)
                return FALSE;
            /* 0 is QEMU's own default, which libvirt does not write */
            if (n > 0 && u > 0)
                v = g_strdup_printf("%u", u);
            break;
        case VGM_AUDIO_VALUE_INT:
            if ((n = vgmXMLPropInt(node, info->attr, 0, (int *)&u, error)) < 0)
                return FALSE;
            if (n > 0 && (int)u < 0) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$d' for attribute '%2$s' of <audio>: expected 0 or more"),
                            (int)u, info->attr);
                return FALSE;
            }
            if (n > 0)
                v = g_strdup_printf("%d", (int)u);
            break;
        case VGM_AUDIO_VALUE_BOOL: {
            VgmTristate t;

            if (vgmXMLPropTristateBool(node, info->attr, 0, &t, error) < 0)
                return FALSE;
            if (t)
                v = g_strdup(vgmTristateBoolTypeToString(t));
            break;
        }
        }
        values[i] = g_steal_pointer(&v);
    }
    return TRUE;
}

static int
vgmAudioAttrIndex(const char *attr, VgmAudioAttrPlace place)
{
    int i;

    for (i = 0; i < VGM_AUDIO_NATTRS; i++) {
        if (vgmAudioAttrs[i].attr && vgmAudioAttrs[i].place == place &&
            g_str_equal(vgmAudioAttrs[i].attr, attr))
            return i;
    }
    g_assert_not_reached();
}

static VgmAudioDef *
vgmAudioParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmAudioDef) audio = g_new0(VgmAudioDef, 1);
    int fixedIdx = vgmAudioAttrIndex("fixedSettings", VGM_AUDIO_AT_IO);
    int mixingIdx = vgmAudioAttrIndex("mixingEngine", VGM_AUDIO_AT_IO);
    int rc;
    size_t d;

    if (vgmXMLPropString(node, "type", VGM_XML_PROP_REQUIRED, &audio->type, error) < 0)
        return NULL;
    if (!vgmAudioQemuDriver(audio->type)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'type' of element <audio>: expected none, alsa, coreaudio, jack, oss, pulseaudio, sdl, spice, file or dbus"),
                    audio->type);
        return NULL;
    }
    if (!vgmAudioAttrsParse(node, audio->type, VGM_AUDIO_AT_AUDIO,
                            (const char *const[]){ "id", "type", NULL },
                            (const char *const[]){ "input", "output", NULL },
                            audio->values[0], error) ||
        (rc = vgmXMLPropUInt(node, "id", 0, &audio->id, error)) < 0)
        return NULL;
    if (rc > 0 && audio->id == 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '0' for attribute 'id' of element <audio>: audio ids start at 1"));
        return NULL;
    }
    for (d = 0; d < 2; d++) {
        const char *dir = d == 0 ? "input" : "output";
        char **values = audio->values[1 + d];
        xmlNodePtr io;
        xmlNodePtr settings;

        if (vgmXMLSingleChild(node, dir, &io, error) < 0)
            return NULL;
        if (!io)
            continue;
        audio->haveIO[d] = TRUE;
        if (!vgmAudioAttrsParse(io, audio->type, VGM_AUDIO_AT_IO, NULL,
                                (const char *const[]){ "settings", NULL }, values, error) ||
            vgmXMLSingleChild(io, "settings", &settings, error) < 0)
            return NULL;
        /* libvirt's rules: fixed settings need the mixing engine, and
         * <settings> the fixed settings */
        if (g_strcmp0(values[fixedIdx], "yes") == 0 && g_strcmp0(values[mixingIdx], "yes") != 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<%1$s fixedSettings='yes'> of <audio id='%2$u'> needs mixingEngine='yes'"),
                        dir, audio->id);
            return NULL;
        }
        if (settings) {
            if (g_strcmp0(values[fixedIdx], "yes") != 0) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<settings> in <%1$s> of <audio id='%2$u'> needs fixedSettings='yes'"),
                            dir, audio->id);
                return NULL;
            }
            if (!vgmAudioAttrsParse(settings, audio->type, VGM_AUDIO_AT_SETTINGS, NULL,
                                    vgmXMLNoChildren, values, error))
                return NULL;
        }
    }
    return g_steal_pointer(&audio);
}

/* libvirt's <audio>: attributes, then <input> and <output> with their
 * attributes and, with fixed settings, <settings> */
static void
vgmAudioFormat(VgmBuf *buf, const VgmAudioDef *a)
{
    int fixedIdx = vgmAudioAttrIndex("fixedSettings", VGM_AUDIO_AT_IO);
    size_t d, i;
    gboolean children = FALSE;

    vgmBufAsprintf(buf, "<audio id='%u' type='%s'", a->id, a->type);
    for (i = 0; i < VGM_AUDIO_NATTRS; i++) {
        if (a->values[0][i]) {
            vgmBufAsprintf(buf, " %s=", vgmAudioAttrs[i].attr);
            vgmBufEscapeString(buf, "'%s'", a->values[0][i]);
        }
    }
    for (d = 0; d < 2; d++) {
        char *const *values = a->values[1 + d];
        gboolean any = FALSE;
        gboolean fixed = g_strcmp0(values[fixedIdx], "yes") == 0;

        for (i = 0; i < VGM_AUDIO_NATTRS; i++)
            any |= values[i] && vgmAudioAttrs[i].place == VGM_AUDIO_AT_IO;
        if (!any)
            continue;
        if (!children) {
            vgmBufAdd(buf, ">\n");
            vgmBufAdjustIndent(buf, 2);
        }
        children = TRUE;
        vgmBufAsprintf(buf, "<%s", d == 0 ? "input" : "output");
        for (i = 0; i < VGM_AUDIO_NATTRS; i++) {
            if (values[i] && vgmAudioAttrs[i].place == VGM_AUDIO_AT_IO) {
                vgmBufAsprintf(buf, " %s=", vgmAudioAttrs[i].attr);
                vgmBufEscapeString(buf, "'%s'", values[i]);
            }
        }
        if (!fixed) {
            vgmBufAdd(buf, "/>\n");
            continue;
        }
        vgmBufAdd(buf, ">\n");
        vgmBufAdd(buf, "  <settings");
        for (i = 0; i < VGM_AUDIO_NATTRS; i++) {
            if (values[i] && vgmAudioAttrs[i].place == VGM_AUDIO_AT_SETTINGS)
                vgmBufAsprintf(buf, " %s='%s'", vgmAudioAttrs[i].attr, values[i]);
        }
        vgmBufAdd(buf, "/>\n");
        vgmBufAsprintf(buf, "</%s>\n", d == 0 ? "input" : "output");
    }
    if (children) {
        vgmBufAdjustIndent(buf, -2);
        vgmBufAdd(buf, "</audio>\n");
    } else {
        vgmBufAdd(buf, "/>\n");
    }
}

/* ---------------- graphics ---------------- */

/* An IP address or a DNS host name: nothing that could end the option
 * value it is written into. */
static gboolean
vgmGraphicsListenIsValid(const char *listen)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(listen);
    const char *p;

    if (addr)
        return TRUE;
    if (!*listen || strlen(listen) > 253)
        return FALSE;
    for (p = listen; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
            return FALSE;
    }
    return TRUE;
}

/* SPICE's one-attribute children, in libvirt's order; the values are
 * libvirt's (qemu_command.c turns them into -spice options) */
const VgmSpiceOptInfo vgmSpiceOptTable[VGM_SPICE_OPT_LAST] = {
    [VGM_SPICE_OPT_IMAGE] = { "image", "compression",
        (const char *const[]){ "auto_glz", "auto_lz", "quic", "glz", "lz", "off", NULL } },
    [VGM_SPICE_OPT_JPEG] = { "jpeg", "compression",
        (const char *const[]){ "auto", "never", "always", NULL } },
    [VGM_SPICE_OPT_ZLIB] = { "zlib", "compression",
        (const char *const[]){ "auto", "never", "always", NULL } },
    [VGM_SPICE_OPT_PLAYBACK] = { "playback", "compression",
        (const char *const[]){ "on", "off", NULL } },
    [VGM_SPICE_OPT_STREAMING] = { "streaming", "mode",
        (const char *const[]){ "filter", "all", "off", NULL } },
    [VGM_SPICE_OPT_MOUSE] = { "mouse", "mode",
        (const char *const[]){ "server", "client", NULL } },
    [VGM_SPICE_OPT_CLIPBOARD] = { "clipboard", "copypaste",
        (const char *const[]){ "yes", "no", NULL } },
    [VGM_SPICE_OPT_FILETRANSFER] = { "filetransfer", "enable",
        (const char *const[]){ "yes", "no", NULL } },
    [VGM_SPICE_OPT_GL] = { "gl", "enable",
        (const char *const[]){ "yes", "no", NULL } },
};

/* SPICE's channels, and the modes a channel or the default may have;
 * 'secure' needs SPICE TLS, which virt-gmem does not set up */
static const char *const vgmSpiceChannelNames[] = {
    "main", "display", "inputs", "cursor", "playback", "record", "smartcard", "usbredir", NULL
};
static const char *const vgmSpiceModes[] = { "any", "secure", "insecure", NULL };

static gboolean
vgmSpiceModeCheck(const char *mode, const char *attr, const char *elem, GError **error)
{
    if (!vgmCheckValue(vgmSpiceModes, mode, attr, elem, error))
        return FALSE;
    if (g_str_equal(mode, "secure")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported %1$s='secure' in <%2$s> of SPICE graphics: secure channels need SPICE TLS, which virt-gmem does not set up"),
                    attr, elem);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmSpiceParse(xmlNodePtr node, VgmGraphicsDef *gr, GError **error)
{
    g_autoptr(GPtrArray) channels = vgmXMLChildren(node, "channel");
    size_t i;

    for (i = 0; i < VGM_SPICE_OPT_LAST; i++) {
        const VgmSpiceOptInfo *info = &vgmSpiceOptTable[i];
        xmlNodePtr child;

        if (vgmXMLSingleChild(node, info->elem, &child, error) < 0)
            return FALSE;
        if (!child)
            continue;
        if (!vgmXMLCheckNode(child, (const char *const[]){ info->attr, NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, info->attr, VGM_XML_PROP_REQUIRED, &gr->spiceOpts[i],
                             error) < 0 ||
            !vgmCheckValue(info->values, gr->spiceOpts[i], info->attr, info->elem, error))
            return FALSE;
    }
    /* OpenGL needs a render node and QEMU's egl-headless display */
    if (g_strcmp0(gr->spiceOpts[VGM_SPICE_OPT_GL], "yes") == 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <gl enable='yes'> in SPICE graphics: virt-gmem does not give QEMU a render node"));
        return FALSE;
    }
    if (vgmXMLPropString(node, "defaultMode", 0, &gr->defaultMode, error) < 0 ||
        (gr->defaultMode && !vgmSpiceModeCheck(gr->defaultMode, "defaultMode", "graphics", error)))
        return FALSE;
    gr->channels = g_new0(VgmSpiceChannel, channels->len);
    for (i = 0; i < channels->len; i++) {
        xmlNodePtr cn = g_ptr_array_index(channels, i);
        VgmSpiceChannel *ch = &gr->channels[gr->nchannels++];
        size_t j;

        if (!vgmXMLCheckNode(cn, (const char *const[]){ "name", "mode", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(cn, "name", VGM_XML_PROP_REQUIRED, &ch->name, error) < 0 ||
            vgmXMLPropString(cn, "mode", VGM_XML_PROP_REQUIRED, &ch->mode, error) < 0 ||
            !vgmCheckValue(vgmSpiceChannelNames, ch->name, "name", "channel", error) ||
            !vgmSpiceModeCheck(ch->mode, "mode", "channel", error))
            return FALSE;
        for (j = 0; j + 1 < gr->nchannels; j++) {
            if (g_str_equal(gr->channels[j].name, ch->name)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("SPICE graphics list channel '%1$s' twice"), ch->name);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/*
 * @live: the XML of a running domain, whose ports are the ones the driver
 * gave it; in a definition, autoport='yes' drops any port given, as
 * libvirt does.
 */
/* VNC's own attributes: sharePolicy, websocket, powerControl and the old
 * spelling of a socket listener, socket='' */
static gboolean
vgmVncParse(xmlNodePtr node, VgmGraphicsDef *gr, GError **error)
{
    int rc;

    if (vgmXMLPropString(node, "sharePolicy", 0, &gr->sharePolicy, error) < 0 ||
        (gr->sharePolicy &&
         !vgmCheckValue((const char *const[]){ "allow-exclusive", "force-shared", "ignore", NULL },
                        gr->sharePolicy, "sharePolicy", "graphics", error)) ||
        vgmXMLPropTristateBool(node, "powerControl", 0, &gr->powerControl, error) < 0 ||
        vgmXMLPropString(node, "socket", 0, &gr->socket, error) < 0 ||
        (rc = vgmXMLPropInt(node, "websocket", 0, &gr->websocket, error)) < 0)
        return FALSE;
    /* -1: the driver picks a port at each start, as libvirt does */
    if (rc > 0 && (gr->websocket == 0 || gr->websocket < -1 || gr->websocket > 65535)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$d' for attribute 'websocket' of VNC graphics: give a port from 1 to 65535, or -1 for one the driver chooses at start"),
                    gr->websocket);
        return FALSE;
    }
    if (gr->socket)
        gr->listenSocket = TRUE;
    return TRUE;
}

/* The server's password: passwd='' (set over QMP once QEMU listens, so
 * never on the command line), passwdValidTo='YYYY-MM-DDTHH:MM:SS' (UTC;
 * QEMU refuses the password from then on) and connected='' (what a
 * change of the password does to connected clients; VNC keeps them,
 * SPICE may disconnect them or fail the change). Without the secure
 * flag the XML leaves passwd out but keeps the others, so passwdValidTo
 * or connected without a passwd is such an XML: refused, since a define
 * of it would lose the password. */
static gboolean
vgmGraphicsAuthParse(xmlNodePtr node, VgmGraphicsDef *gr, GError **error)
{
    g_autofree char *validTo = NULL;
    const char *type = vgmGraphicsTypeToString(gr->type);

    if (vgmXMLPropString(node, "passwd", 0, &gr->passwd, error) < 0 ||
        vgmXMLPropString(node, "passwdValidTo", 0, &validTo, error) < 0 ||
        vgmXMLPropString(node, "connected", 0, &gr->connected, error) < 0)
        return FALSE;
    if (!gr->passwd && (validTo || gr->connected)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute '%1$s' of <graphics type='%2$s'> needs its passwd='' (an XML dumped without the secure flag leaves the password out)"),
                    validTo ? "passwdValidTo" : "connected", type);
        return FALSE;
    }
    if (validTo) {
        g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
        g_autoptr(GDateTime) then = NULL;
        int year, mon, day, hour, min, sec, end = 0;

        if (sscanf(validTo, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min,
                   &sec, &end) != 6 || validTo[end] != '\0' ||
            !(then = g_date_time_new(utc, year, mon, day, hour, min, sec))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'passwdValidTo' of <graphics type='%2$s'>: expected a UTC time YYYY-MM-DDTHH:MM:SS"),
                        validTo, type);
            return FALSE;
        }
        gr->passwdExpires = TRUE;
        gr->passwdValidTo = g_date_time_to_unix(then);
    }
    if (gr->connected &&
        !vgmCheckValue((const char *const[]){ "keep", "disconnect", "fail", NULL },
                       gr->connected, "connected", "graphics", error))
        return FALSE;
    /* QEMU's VNC server keeps its clients whatever the password */
    if (gr->connected && gr->type == VGM_GRAPHICS_VNC && !g_str_equal(gr->connected, "keep")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported value '%1$s' for attribute 'connected' of VNC graphics: VNC keeps its clients when the password changes (connected='keep')"),
                    gr->connected);
        return FALSE;
    }
    return TRUE;
}

static VgmGraphicsDef *
vgmGraphicsParse(xmlNodePtr node, gboolean live, GError **error)
{
    g_autoptr(VgmGraphicsDef) gr = g_new0(VgmGraphicsDef, 1);
    xmlNodePtr child;
    int v;
    int rc;
    int tlsPort = 0;
    int tlsRc = 0;
    gboolean spice;

    /* libvirt's other graphics types, refused by name with the reason */
    static const VgmRefused refused[] = {
        { "sdl", N_("QEMU's SDL window needs the host's X display and Debian's qemu-system-gui; the driver serves remote displays (vnc, spice)") },
        { "egl-headless", N_("it renders with the host's GPU (an EGL render node), which the driver does not hand QEMU") },
        { "dbus", N_("QEMU's D-Bus display needs a bus and a client the driver does not set up") },
        { "rdp", N_("QEMU has no RDP server") },
        { "desktop", N_("QEMU has no such display") },
    };
    g_autofree char *typeStr = NULL;
    const char *why;

    if (vgmXMLPropString(node, "type", VGM_XML_PROP_REQUIRED, &typeStr, error) < 0)
        return NULL;
    if ((why = VGM_REFUSED_WHY(refused, typeStr))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <graphics type='%1$s'>: %2$s"), typeStr, why);
        return NULL;
    }
    if (vgmXMLPropEnum(node, "type", vgmGraphicsTypeFromString, VGM_XML_PROP_REQUIRED, &v, error) < 0)
        return NULL;
    gr->type = v;
    spice = gr->type == VGM_GRAPHICS_SPICE;
    if (spice) {
        size_t i;
        const char *attrs[] = { "type", "port", "tlsPort", "autoport", "listen", "defaultMode",
                                "keymap", "passwd", "passwdValidTo", "connected", NULL };
        /* SPICE plays the guest's sound through its own audio backend:
         * <audio> is for VNC */
        const char *children[VGM_SPICE_OPT_LAST + 3] = { "listen", "channel" };

        for (i = 0; i < VGM_SPICE_OPT_LAST; i++)
            children[2 + i] = vgmSpiceOptTable[i].elem;
        if (!vgmXMLCheckNode(node, attrs, children, error))
            return NULL;
    } else if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "port", "autoport", "listen",
                                                             "keymap", "sharePolicy", "websocket",
                                                             "powerControl", "socket", "passwd",
                                                             "passwdValidTo", "connected", NULL },
                                (const char *const[]){ "listen", "audio", NULL }, error) ||
               !vgmVncParse(node, gr, error)) {
        return NULL;
    }
    if (vgmXMLPropString(node, "keymap", 0, &gr->keymap, error) < 0)
        return NULL;
    if (gr->keymap && (!*gr->keymap ||
                       strspn(gr->keymap, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-") != strlen(gr->keymap))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'keymap' of element <graphics>: expected a keymap name such as 'en-us'"),
                    gr->keymap);
        return NULL;
    }
    if (!vgmAudioRefParse(node, &gr->audioId, error) ||
        !vgmGraphicsAuthParse(node, gr, error) ||
        (rc = vgmXMLPropInt(node, "port", 0, &gr->port, error)) < 0 ||
        (spice && (tlsRc = vgmXMLPropInt(node, "tlsPort", 0, &tlsPort, error)) < 0) ||
        vgmXMLPropTristateBool(node, "autoport", 0, &gr->autoport, error) < 0 ||
        vgmXMLPropString(node, "listen", 0, &gr->listen, error) < 0 ||
        (spice && !vgmSpiceParse(node, gr, error)))
        return NULL;
    gr->havePort = rc > 0;
    if (gr->havePort && gr->port != -1 && (gr->port < 5900 || gr->port > 65535) &&
        !(spice && gr->port == 0)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$d' for attribute 'port' of element <graphics>: use -1 or 5900 to 65535"),
                    gr->port);
        return NULL;
    }
    if (spice) {
        /* libvirt's old spelling of autoport: both ports -1 */
        if (gr->havePort && gr->port == -1 && (tlsRc == 0 || tlsPort == -1) && !gr->autoport)
            gr->autoport = VGM_TRISTATE_YES;
        /* a TLS port needs certificates, which virt-gmem does not set up;
         * with autoport libvirt allocates one only when TLS is configured */
        if (tlsRc > 0 && gr->autoport != VGM_TRISTATE_YES) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported attribute tlsPort='%1$d' of SPICE graphics: a TLS port needs SPICE TLS, which virt-gmem does not set up"),
                        tlsPort);
            return NULL;
        }
        if (gr->autoport == VGM_TRISTATE_YES && !live) {
            gr->havePort = FALSE;
            gr->port = 0;
        }
        if (gr->port == 0)
            gr->havePort = FALSE;
    } else if (gr->autoport == VGM_TRISTATE_YES && !live) {
        /* the port a running domain's XML names was chosen at its start */
        gr->havePort = FALSE;
        gr->port = 0;
    }
    if (vgmXMLSingleChild(node, "listen", &child, error) < 0)
        return NULL;
    if (gr->listen && !vgmGraphicsListenIsValid(gr->listen)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'listen' of element <graphics>: expected an IP address or a host name"),
                    gr->listen);
        return NULL;
    }
    if (child) {
        g_autofree char *type = NULL;
        g_autofree char *address = NULL;

        g_autofree char *socket = NULL;
        gboolean onNetwork;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", "address", "socket", "network",
                                                           NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0 ||
            !vgmCheckValue((const char *const[]){ "address", "none", "socket", "network", NULL },
                           type, "type", "listen", error) ||
            vgmXMLPropString(child, "address", 0, &address, error) < 0 ||
            vgmXMLPropString(child, "socket", 0, &socket, error) < 0 ||
            vgmXMLPropString(child, "network", 0, &gr->listenNetwork, error) < 0)
            return NULL;
        /* the address of a virtual network (its bridge's), which the start
         * looks up and a running domain's XML shows; a definition's
         * address of it is the last start's, and goes, as in libvirt */
        onNetwork = g_str_equal(type, "network");
        if (gr->listenNetwork && !*gr->listenNetwork)
            g_clear_pointer(&gr->listenNetwork, g_free);
        if (onNetwork != (gr->listenNetwork != NULL)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        onNetwork ? _("<listen type='network'> needs a network='' attribute") :
                                    _("attribute 'network' of <listen> is for type 'network' only"));
            return NULL;
        }
        if (onNetwork && !live) {
            g_clear_pointer(&address, g_free);
            if (gr->listen) {
                /* (the <graphics listen=''> a running domain's XML has) */
                g_clear_pointer(&gr->listen, g_free);
            }
        }
        if (!g_str_equal(type, "address") && !onNetwork &&
            (address || gr->listen || gr->havePort || gr->autoport == VGM_TRISTATE_YES ||
             gr->websocket)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("graphics with <listen type='%1$s'/> take no port, autoport, websocket or listen address"),
                        type);
            return NULL;
        }
        if (socket && !g_str_equal(type, "socket")) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("attribute 'socket' of <listen> is for type 'socket', not '%1$s'"), type);
            return NULL;
        }
        if (gr->socket && socket && !g_str_equal(gr->socket, socket)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<graphics> socket '%1$s' differs from its <listen> socket '%2$s'"),
                        gr->socket, socket);
            return NULL;
        }
        if (g_str_equal(type, "none"))
            gr->listenNone = TRUE;
        if (g_str_equal(type, "socket")) {
            gr->listenSocket = TRUE;
            if (socket) {
                g_free(gr->socket);
                gr->socket = g_steal_pointer(&socket);
            }
        } else if (gr->socket) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<graphics socket='%1$s'> needs <listen type='socket'>, not type '%2$s'"),
                        gr->socket, type);
            return NULL;
        }
        if (gr->socket && !g_path_is_absolute(gr->socket)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid socket '%1$s' of <graphics>: expected an absolute path"),
                        gr->socket);
            return NULL;
        }
        if (gr->listen && address && !onNetwork && !g_str_equal(gr->listen, address)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<graphics> listen address '%1$s' differs from its <listen> address '%2$s'"),
                        gr->listen, address);
            return NULL;
        }
        if (address && !vgmGraphicsListenIsValid(address)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'address' of element <listen>: expected an IP address or a host name"),
                        address);
            return NULL;
        }
        if (!gr->listen || (onNetwork && address)) {
            /* (a network's: the <listen>'s address is the one it got) */
            g_free(gr->listen);
            gr->listen = g_steal_pointer(&address);
        }
    }
    /* SPICE without a port listens nowhere, as libvirt lowers it (port=0) */
    if (spice && !gr->havePort && gr->autoport != VGM_TRISTATE_YES && !gr->listen &&
        !gr->listenSocket && !gr->listenNetwork)
        gr->listenNone = TRUE;
    return g_steal_pointer(&gr);
}

static void
vgmGraphicsFormat(VgmBuf *buf, const VgmGraphicsDef *gr)
{
    VgmBuf attrs;
    VgmBuf child;
    size_t i;

    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);
    vgmBufAsprintf(&attrs, " type='%s'", vgmGraphicsTypeToString(gr->type));
    /* (a VNC socket also as the attribute, as libvirt writes it, for the
     * clients that read it there; libvirt's schema takes it only without
     * the attributes of a TCP listener, sharePolicy and powerControl) */
    if (gr->type == VGM_GRAPHICS_VNC && gr->listenSocket && !gr->havePort && !gr->autoport &&
        !gr->websocket && !gr->listen && !gr->sharePolicy && !gr->powerControl)
        vgmBufEscapeString(&attrs, " socket='%s'", gr->socket);
    if (gr->havePort)
        vgmBufAsprintf(&attrs, " port='%d'", gr->port);
    /* (a display listening nowhere has no port to choose: libvirt writes
     * no autoport) */
    if (gr->autoport && !gr->listenNone)
        vgmBufAsprintf(&attrs, " autoport='%s'", vgmTristateBoolTypeToString(gr->autoport));
    else if (gr->type == VGM_GRAPHICS_SPICE && gr->havePort)
        vgmBufAdd(&attrs, " autoport='no'");
    if (gr->websocket)
        vgmBufAsprintf(&attrs, " websocket='%d'", gr->websocket);
    vgmBufEscapeString(&attrs, " listen='%s'", gr->listen);
    vgmBufEscapeString(&attrs, " keymap='%s'", gr->keymap);
    if (gr->sharePolicy)
        vgmBufAsprintf(&attrs, " sharePolicy='%s'", gr->sharePolicy);
    if (gr->powerControl)
        vgmBufAsprintf(&attrs, " powerControl='%s'",
                       vgmTristateBoolTypeToString(gr->powerControl));
    if (gr->defaultMode)
        vgmBufAsprintf(&attrs, " defaultMode='%s'", gr->defaultMode);
    if (gr->passwd)
        vgmBufEscapeString(&attrs, " passwd='%s'", gr->passwd);
    if (gr->passwdExpires) {
        g_autoptr(GDateTime) then = g_date_time_new_from_unix_utc(gr->passwdValidTo);
        g_autofree char *text = then ? g_date_time_format(then, "%Y-%m-%dT%H:%M:%S") : NULL;

        vgmBufEscapeString(&attrs, " passwdValidTo='%s'", text);
    }
    vgmBufEscapeString(&attrs, " connected='%s'", gr->connected);

    if (gr->listenSocket && gr->socket)
        vgmBufEscapeString(&child, "<listen type='socket' socket='%s'/>\n", gr->socket);
    else if (gr->listenSocket)
        vgmBufAdd(&child, "<listen type='socket'/>\n");
    else if (gr->listenNone)
        vgmBufAdd(&child, "<listen type='none'/>\n");
    else if (gr->listenNetwork) {
        vgmBufAdd(&child, "<listen type='network'");
        vgmBufEscapeString(&child, " address='%s'", gr->listen);
        vgmBufEscapeString(&child, " network='%s'/>\n", gr->listenNetwork);
    } else if (gr->listen)
        vgmBufEscapeString(&child, "<listen type='address' address='%s'/>\n", gr->listen);
    else
        vgmBufAdd(&child, "<listen type='address'/>\n");
    for (i = 0; i < gr->nchannels; i++)
        vgmBufAsprintf(&child, "<channel name='%s' mode='%s'/>\n",
                       gr->channels[i].name, gr->channels[i].mode);
    for (i = 0; i < VGM_SPICE_OPT_LAST; i++) {
        if (gr->spiceOpts[i])
            vgmBufAsprintf(&child, "<%s %s='%s'/>\n", vgmSpiceOptTable[i].elem,
                           vgmSpiceOptTable[i].attr, gr->spiceOpts[i]);
    }
    if (gr->audioId)
        vgmBufAsprintf(&child, "<audio id='%u'/>\n", gr->audioId);
    vgmXMLFormatElement(buf, "graphics", &attrs, &child);
}

char *
vgmDomainXMLHideSecrets(const char *xml)
{
    GString *out = g_string_new(NULL);
    const char *p = xml;
    const char *tag;

    /* the formatter writes passwd='' among <graphics>'s attributes, its
     * value escaped (no quote inside it) */
    while ((tag = strstr(p, "<graphics "))) {
        const char *end = strchr(tag, '>');
        const char *attr = strstr(tag, " passwd='");
        const char *close;

        if (!end || !attr || attr > end ||
            !(close = strchr(attr + strlen(" passwd='"), '\'')) || close > end) {
            g_string_append_len(out, p, (end ? end : tag + 1) - p);
            p = end ? end : tag + 1;
            continue;
        }
        g_string_append_len(out, p, attr - p);
        p = close + 1;
    }
    g_string_append(out, p);
    /* and every <cookies> element, a line each from its own line to its
     * end tag's */
    for (char *c; (c = strstr(out->str, "<cookies>"));) {
        char *end = strstr(c, "</cookies>\n");
        gsize from = c - out->str;

        if (!end)
            break;
        while (from > 0 && out->str[from - 1] == ' ')
            from--;
        g_string_erase(out, from, (end + strlen("</cookies>\n")) - (out->str + from));
    }
    return g_string_free(out, FALSE);
}

static VgmVideoDef *
vgmVideoParse(xmlNodePtr node, GError **error)
{
    /* the sizes of <model>, in KiB; qxl has all four */
    static const struct {
        const char *attr;
        size_t offset;
        gboolean qxlOnly;
    } sizes[] = {
        { "ram", G_STRUCT_OFFSET(VgmVideoDef, ram), TRUE },
        { "vram", G_STRUCT_OFFSET(VgmVideoDef, vram), FALSE },
        { "vram64", G_STRUCT_OFFSET(VgmVideoDef, vram64), TRUE },
        { "vgamem", G_STRUCT_OFFSET(VgmVideoDef, vgamem), TRUE },
    };
    g_autoptr(VgmVideoDef) video = g_new0(VgmVideoDef, 1);
    xmlNodePtr child;
    xmlNodePtr res;
    size_t i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "model", "driver", "alias", "address", "acpi", NULL }, error) ||
        vgmXMLSingleChild(node, "model", &child, error) < 0)
        return NULL;
    if (!child) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <video> needs a <model>"));
        return NULL;
    }
    if (!vgmXMLCheckNode(child, (const char *const[]){ "type", "ram", "vram", "vram64", "vgamem",
                                                       "heads", "primary", NULL },
                         (const char *const[]){ "resolution", "acceleration", NULL }, error) ||
        vgmXMLPropString(child, "type", VGM_XML_PROP_REQUIRED, &video->model, error) < 0 ||
        !vgmCheckValue(vgmVideoModels, video->model, "type", "model", error) ||
        vgmXMLPropUInt(child, "heads", VGM_XML_PROP_NONZERO, &video->heads, error) < 0 ||
        vgmXMLPropTristateBool(child, "primary", 0, &video->primary, error) < 0)
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
        unsigned int *field = G_STRUCT_MEMBER_P(video, sizes[i].offset);
        int rc;

        if ((rc = vgmXMLPropUInt(child, sizes[i].attr, 0, field, error)) < 0)
            return NULL;
        if (rc > 0 && sizes[i].qxlOnly && !g_str_equal(video->model, "qxl")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute '%1$s' of <model> in <video> is for model 'qxl' only, not '%2$s'"),
                        sizes[i].attr, video->model);
            return NULL;
        }
    }
    if (vgmXMLSingleChild(child, "acceleration", &res, error) < 0)
        return NULL;
    /* 3D acceleration is OpenGL rendering (virtio-vga-gl), which the
     * driver does not hand QEMU, and QEMU has no 2D one (libvirt's QEMU
     * driver refuses it too): 'no' is what a guest has without them */
    if (res) {
        if (!vgmXMLCheckNode(res, (const char *const[]){ "accel3d", "accel2d", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropTristateBool(res, "accel3d", 0, &video->accel3d, error) < 0 ||
            vgmXMLPropTristateBool(res, "accel2d", 0, &video->accel2d, error) < 0)
            return NULL;
        if (!video->accel3d && !video->accel2d) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<acceleration> of <video> needs accel3d='' or accel2d=''"));
            return NULL;
        }
        if (video->accel3d == VGM_TRISTATE_YES || video->accel2d == VGM_TRISTATE_YES) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        video->accel3d == VGM_TRISTATE_YES ?
                        _("unsupported <acceleration accel3d='yes'> of <video>: 3D acceleration renders with the host's GPU (OpenGL), which the driver does not hand QEMU") :
                        _("unsupported <acceleration accel2d='yes'> of <video>: QEMU has no 2D acceleration setting"));
            return NULL;
        }
        video->accel = TRUE;
    }
    if (vgmXMLSingleChild(child, "resolution", &res, error) < 0)
        return NULL;
    /* the display's first mode, which QEMU's VGA, QXL, virtio and bochs
     * devices take (xres, yres) */
    if (res) {
        if (!vgmXMLCheckNode(res, (const char *const[]){ "x", "y", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropUInt(res, "x", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &video->resX,
                           error) < 0 ||
            vgmXMLPropUInt(res, "y", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &video->resY,
                           error) < 0)
            return NULL;
        if (!vgmStrInList((const char *const[]){ "vga", "qxl", "virtio", "bochs", NULL },
                          video->model)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<resolution> of <video> is for models 'vga', 'qxl', 'virtio' and 'bochs', not '%1$s'"),
                        video->model);
            return NULL;
        }
    }
    if (!vgmDriverIommuParse(node, &video->virtio, error) ||
        !vgmDeviceInfoParse(node, video->alias, &video->addr, error))
        return NULL;
    /* no video device: the sizes, heads, primary and address of the model
     * a client switched off (virt-manager's Video "None" keeps primary,
     * virt-xml --video model=none all of them) go with it, as libvirt
     * clears them; a user's alias stays */
    if (g_str_equal(video->model, "none")) {
        VgmVideoDef none = { .model = g_steal_pointer(&video->model) };

        memcpy(none.alias, video->alias, sizeof(none.alias));
        *video = none;
        return g_steal_pointer(&video);
    }
    /* (QEMU's qxl and virtio GPUs have outputs, the others one screen) */
    if (video->heads > 1 && !vgmStrInList((const char *const[]){ "qxl", "virtio", NULL },
                                          video->model)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("heads='%1$u' of <video> model '%2$s': only models 'qxl' and 'virtio' have more than one head"),
                    video->heads, video->model);
        return NULL;
    }
    if (vgmVirtioOptionsAny(&video->virtio) && !g_str_equal(video->model, "virtio")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("attributes 'iommu', 'ats', 'packed' and 'page_per_vq' of <driver> in <video> are for model 'virtio' only, not '%1$s'"),
                    video->model);
        return NULL;
    }
    return g_steal_pointer(&video);
}

static void
vgmVideoFormat(VgmBuf *buf, const VgmVideoDef *video)
{
    vgmBufAdd(buf, "<video>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufAsprintf(buf, "<model type='%s'", video->model);
    if (video->ram)
        vgmBufAsprintf(buf, " ram='%u'", video->ram);
    if (video->vram)
        vgmBufAsprintf(buf, " vram='%u'", video->vram);
    if (video->vram64)
        vgmBufAsprintf(buf, " vram64='%u'", video->vram64);
    if (video->vgamem)
        vgmBufAsprintf(buf, " vgamem='%u'", video->vgamem);
    if (video->heads)
        vgmBufAsprintf(buf, " heads='%u'", video->heads);
    if (video->primary)
        vgmBufAsprintf(buf, " primary='%s'", vgmTristateBoolTypeToString(video->primary));
    if (video->resX || video->accel) {
        vgmBufAdd(buf, ">\n");
        if (video->accel) {
            vgmBufAdd(buf, "  <acceleration");
            if (video->accel3d)
                vgmBufAsprintf(buf, " accel3d='%s'", vgmTristateBoolTypeToString(video->accel3d));
            if (video->accel2d)
                vgmBufAsprintf(buf, " accel2d='%s'", vgmTristateBoolTypeToString(video->accel2d));
            vgmBufAdd(buf, "/>\n");
        }
        if (video->resX)
            vgmBufAsprintf(buf, "  <resolution x='%u' y='%u'/>\n", video->resX, video->resY);
        vgmBufAdd(buf, "</model>\n");
    } else {
        vgmBufAdd(buf, "/>\n");
    }
    vgmDriverIommuFormat(buf, &video->virtio);
    vgmDeviceInfoFormat(buf, video->alias, &video->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</video>\n");
}

/* ---------------- IOMMU ---------------- */

static const struct {
    const char *attr;
    size_t offset;
} vgmIommuSwitches[] = {
    { "intremap", G_STRUCT_OFFSET(VgmIommuDef, intremap) },
    { "caching_mode", G_STRUCT_OFFSET(VgmIommuDef, cachingMode) },
    { "eim", G_STRUCT_OFFSET(VgmIommuDef, eim) },
    { "iotlb", G_STRUCT_OFFSET(VgmIommuDef, iotlb) },
};

static VgmIommuDef *
vgmIommuParse(xmlNodePtr node, GError **error)
{
    g_autofree VgmIommuDef *iommu = g_new0(VgmIommuDef, 1);
    g_autofree char *model = NULL;
    xmlNodePtr driver;
    size_t i;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", NULL },
                         (const char *const[]){ "driver", "alias", "address", NULL }, error) ||
        vgmXMLPropString(node, "model", VGM_XML_PROP_REQUIRED, &model, error) < 0)
        return NULL;
    if ((v = vgmIommuModelTypeFromString(model)) < 0) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <iommu model='%1$s'>: x86 guests have 'intel' or 'virtio'"),
                    model);
        return NULL;
    }
    iommu->model = v;
    /* virtio-iommu is a PCI device of the root bus; the Intel IOMMU is
     * part of the machine */
    if (!vgmDeviceInfoParse(node, iommu->alias, &iommu->addr, error))
        return NULL;
    if (iommu->addr.type != VGM_ADDRESS_NONE &&
        (iommu->model != VGM_IOMMU_MODEL_VIRTIO || iommu->addr.type != VGM_ADDRESS_PCI)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<iommu model='%1$s'> cannot have <address type='%2$s'>: only virtio-iommu has one, on PCI"),
                    model, vgmAddressTypeToString(iommu->addr.type));
        return NULL;
    }
    if (vgmXMLSingleChild(node, "driver", &driver, error) < 0)
        return NULL;
    if (!driver)
        return g_steal_pointer(&iommu);
    if (!vgmXMLCheckNode(driver, (const char *const[]){ "intremap", "caching_mode", "eim", "iotlb",
                                                        "aw_bits", NULL },
                         vgmXMLNoChildren, error))
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(vgmIommuSwitches); i++) {
        if (vgmXMLPropTristateSwitch(driver, vgmIommuSwitches[i].attr, 0,
                                     G_STRUCT_MEMBER_P(iommu, vgmIommuSwitches[i].offset), error) < 0)
            return NULL;
    }
    if (vgmXMLPropUInt(driver, "aw_bits", VGM_XML_PROP_NONZERO, &iommu->awBits, error) < 0)
        return NULL;
    return g_steal_pointer(&iommu);
}

static void
vgmIommuFormat(VgmBuf *buf, const VgmIommuDef *iommu)
{
    VgmBuf attrs, drv, child;
    size_t i;

    vgmBufInit(&attrs, 0);
    vgmBufInit(&drv, 0);
    vgmBufInitChild(&child, buf);
    vgmBufAsprintf(&attrs, " model='%s'", vgmIommuModelTypeToString(iommu->model));
    for (i = 0; i < G_N_ELEMENTS(vgmIommuSwitches); i++) {
        VgmTristate t = G_STRUCT_MEMBER(VgmTristate, iommu, vgmIommuSwitches[i].offset);

        if (t)
            vgmBufAsprintf(&drv, " %s='%s'", vgmIommuSwitches[i].attr,
                           vgmTristateSwitchTypeToString(t));
    }
    if (iommu->awBits)
        vgmBufAsprintf(&drv, " aw_bits='%u'", iommu->awBits);
    if (!vgmBufIsEmpty(&drv)) {
        g_autofree char *a = vgmBufSteal(&drv);
        vgmBufAsprintf(&child, "<driver%s/>\n", a);
    }
    vgmBufClear(&drv);
    vgmDeviceInfoFormat(&child, iommu->alias, &iommu->addr);
    vgmXMLFormatElement(buf, "iommu", &attrs, &child);
}

/* ---------------- vsock ---------------- */

static VgmVsockDef *
vgmVsockParse(xmlNodePtr node, GError **error)
{
    g_autofree VgmVsockDef *vsock = g_new0(VgmVsockDef, 1);
    xmlNodePtr cid;
    int model = VGM_VSOCK_MODEL_VIRTIO;
    int rc = 0;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", NULL },
                         (const char *const[]){ "cid", "driver", "alias", "address", "acpi", NULL }, error) ||
        vgmXMLPropEnum(node, "model", vgmVsockModelTypeFromString, 0, &model, error) < 0 ||
        vgmXMLSingleChild(node, "cid", &cid, error) < 0)
        return NULL;
    vsock->model = model;
    if (cid &&
        (!vgmXMLCheckNode(cid, (const char *const[]){ "auto", "address", NULL }, vgmXMLNoChildren,
                          error) ||
         vgmXMLPropTristateBool(cid, "auto", 0, &vsock->autoCid, error) < 0 ||
         (rc = vgmXMLPropUInt(cid, "address", VGM_XML_PROP_NONZERO, &vsock->cid, error)) < 0))
        return NULL;
    if (rc > 0 && (vsock->cid < VGM_VSOCK_CID_MIN || vsock->cid > VGM_VSOCK_CID_MAX)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$u' for attribute 'address' of <cid> in <vsock>: a guest's vsock address is %2$u to %3$u (0 to 2 are the host's, %4$u is any)"),
                    vsock->cid, VGM_VSOCK_CID_MIN, VGM_VSOCK_CID_MAX, VGM_VSOCK_CID_MAX + 1);
        return NULL;
    }
    if (!vsock->autoCid)
        vsock->autoCid = vsock->cid ? VGM_TRISTATE_NO : VGM_TRISTATE_YES;
    if (vsock->autoCid == VGM_TRISTATE_NO && !vsock->cid) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<cid auto='no'> in <vsock> needs its address=''"));
        return NULL;
    }
    if (!vgmDriverIommuParse(node, &vsock->virtio, error) ||
        !vgmDeviceInfoParse(node, vsock->alias, &vsock->addr, error))
        return NULL;
    return g_steal_pointer(&vsock);
}

static void
vgmVsockFormat(VgmBuf *buf, const VgmVsockDef *vsock)
{
    VgmBuf attrs, child;

    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);
    vgmBufAsprintf(&attrs, " model='%s'", vgmVsockModelTypeToString(vsock->model));
    vgmBufAsprintf(&child, "<cid auto='%s'", vgmTristateBoolTypeToString(vsock->autoCid));
    if (vsock->cid)
        vgmBufAsprintf(&child, " address='%u'", vsock->cid);
    vgmBufAdd(&child, "/>\n");
    vgmDeviceInfoFormat(&child, vsock->alias, &vsock->addr);
    vgmDriverIommuFormat(&child, &vsock->virtio);
    vgmXMLFormatElement(buf, "vsock", &attrs, &child);
}

/* ---------------- TPM ---------------- */

static VgmTpmDef *
vgmTpmParse(xmlNodePtr node, GError **error)
{
    g_autofree VgmTpmDef *tpm = g_new0(VgmTpmDef, 1);
    g_autofree char *type = NULL;
    xmlNodePtr backend;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", NULL },
                         (const char *const[]){ "backend", "alias", NULL }, error) ||
        !vgmDeviceAliasParse(node, tpm->alias, error) ||
        vgmXMLPropEnum(node, "model", vgmTpmModelTypeFromString, 0, &v, error) < 0 ||
        vgmXMLSingleChild(node, "backend", &backend, error) < 0)
        return NULL;
    tpm->model = v;
    if (!backend) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <tpm> needs a <backend>"));
        return NULL;
    }
    if (vgmXMLPropString(backend, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0)
        return NULL;
    /* a TPM emulator someone else runs, on a socket QEMU connects to */
    if (g_str_equal(type, "external")) {
        xmlNodePtr src;
        g_autofree char *stype = NULL;
        g_autofree char *mode = NULL;

        if (!vgmXMLCheckNode(backend, (const char *const[]){ "type", NULL },
                             (const char *const[]){ "source", NULL }, error) ||
            vgmXMLSingleChild(backend, "source", &src, error) < 0)
            return NULL;
        if (!src) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<backend type='external'> of <tpm> needs <source type='unix' mode='connect' path='...'/>"));
            return NULL;
        }
        if (!vgmXMLCheckNode(src, (const char *const[]){ "type", "mode", "path", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(src, "type", VGM_XML_PROP_REQUIRED, &stype, error) < 0 ||
            !vgmCheckValue((const char *const[]){ "unix", NULL }, stype, "type", "source", error) ||
            vgmXMLPropString(src, "mode", 0, &mode, error) < 0 ||
            (mode && !vgmCheckValue((const char *const[]){ "connect", NULL }, mode, "mode",
                                    "source", error)) ||
            vgmXMLPropString(src, "path", VGM_XML_PROP_REQUIRED, &tpm->externalPath, error) < 0)
            return NULL;
        if (!g_path_is_absolute(tpm->externalPath)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'path' of <source> in <tpm>: a socket is an absolute path"),
                        tpm->externalPath);
            g_clear_pointer(&tpm->externalPath, g_free);
            return NULL;
        }
        return g_steal_pointer(&tpm);
    }
    /* libvirt's other backends, by name before their attributes */
    if (!g_str_equal(type, "emulator")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <backend type='%1$s'> of <tpm>: only 'emulator' (a swtpm the driver runs) and 'external' (one on a socket)"),
                    type);
        return NULL;
    }
    /* <source> and the like are refused by name */
    if (!vgmXMLCheckNode(backend, (const char *const[]){ "type", "version", "persistent_state", NULL },
                         (const char *const[]){ "encryption", "active_pcr_banks", NULL }, error) ||
        vgmXMLPropEnum(backend, "version", vgmTpmVersionTypeFromString, VGM_XML_PROP_NONZERO,
                       &v, error) < 0 ||
        vgmXMLPropTristateBool(backend, "persistent_state", 0, &tpm->persistentState, error) < 0)
        return NULL;
    tpm->version = v;
    /* what Nova writes for every vTPM: the state encrypted with the
     * passphrase a secret of usage 'vtpm' holds */
    {
        xmlNodePtr enc;
        g_autofree char *uuid = NULL;

        if (vgmXMLSingleChild(backend, "encryption", &enc, error) < 0)
            return NULL;
        if (enc) {
            if (!vgmXMLCheckNode(enc, (const char *const[]){ "secret", NULL }, vgmXMLNoChildren,
                                 error) ||
                vgmXMLPropString(enc, "secret", VGM_XML_PROP_REQUIRED, &uuid, error) < 0)
                return NULL;
            if (!vgmDomainUUIDParse(uuid, tpm->secret)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'secret' of <encryption> in <tpm>: expected a secret's uuid"),
                            uuid);
                return NULL;
            }
            tpm->encrypted = TRUE;
        }
    }
    /* the PCR banks swtpm_setup activates (an empty list: the TPM's own) */
    {
        xmlNodePtr banks;
        xmlNodePtr b;

        if (vgmXMLSingleChild(backend, "active_pcr_banks", &banks, error) < 0 ||
            (banks && !vgmXMLCheckNode(banks, vgmXMLNoChildren,
                                       (const char *const[]){ "sha1", "sha256", "sha384", "sha512",
                                                              NULL }, error)))
            return NULL;
        for (b = banks ? banks->children : NULL; b; b = b->next) {
            if (b->type != XML_ELEMENT_NODE)
                continue;
            if (!vgmXMLCheckNode(b, vgmXMLNoChildren, vgmXMLNoChildren, error))
                return NULL;
            tpm->pcrBanks |= 1u << vgmTpmPcrBankTypeFromString((const char *)b->name);
        }
    }
    return g_steal_pointer(&tpm);
}

static void
vgmTpmFormat(VgmBuf *buf, const VgmTpmDef *tpm)
{
    vgmBufAsprintf(buf, "<tpm model='%s'>\n", vgmTpmModelTypeToString(tpm->model));
    if (tpm->externalPath) {
        vgmBufAdd(buf, "  <backend type='external'>\n");
        vgmBufEscapeString(buf, "    <source type='unix' mode='connect' path='%s'/>\n",
                           tpm->externalPath);
        vgmBufAdd(buf, "  </backend>\n");
        if (tpm->alias[0])
            vgmBufEscapeString(buf, "  <alias name='%s'/>\n", tpm->alias);
        vgmBufAdd(buf, "</tpm>\n");
        return;
    }
    vgmBufAsprintf(buf, "  <backend type='emulator' version='%s'", vgmTpmVersionTypeToString(tpm->version));
    if (tpm->persistentState)
        vgmBufAsprintf(buf, " persistent_state='%s'", vgmTristateBoolTypeToString(tpm->persistentState));
    if (tpm->encrypted || tpm->pcrBanks) {
        vgmBufAdd(buf, ">\n");
        if (tpm->encrypted) {
            char uuid[37];

            vgmDomainUUIDFormat(tpm->secret, uuid);
            vgmBufAsprintf(buf, "    <encryption secret='%s'/>\n", uuid);
        }
        if (tpm->pcrBanks) {
            int b;

            vgmBufAdd(buf, "    <active_pcr_banks>\n");
            for (b = 0; b < VGM_TPM_PCR_BANK_LAST; b++) {
                if (tpm->pcrBanks & (1u << b))
                    vgmBufAsprintf(buf, "      <%s/>\n", vgmTpmPcrBankTypeToString(b));
            }
            vgmBufAdd(buf, "    </active_pcr_banks>\n");
        }
        vgmBufAdd(buf, "  </backend>\n");
    } else {
        vgmBufAdd(buf, "/>\n");
    }
    if (tpm->alias[0])
        vgmBufEscapeString(buf, "  <alias name='%s'/>\n", tpm->alias);
    vgmBufAdd(buf, "</tpm>\n");
}

/* ---------------- panic ---------------- */

VGM_ENUM_IMPL(vgmPanicModel, VGM_PANIC_MODEL_LAST, "isa", "hyperv");

/* <panic model='isa|hyperv'>, the ISA one at libvirt's optional
 * <address type='isa' iobase=''/>; libvirt's other models are not x86's
 * (pseries, s390) or not in libvirt 9.0 (pvpanic on PCI) */
static VgmPanicDef *
vgmPanicParse(xmlNodePtr node, GError **error)
{
    g_autofree VgmPanicDef *panic = g_new0(VgmPanicDef, 1);
    int v, rc;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", NULL },
                         (const char *const[]){ "address", NULL }, error) ||
        (rc = vgmXMLPropEnum(node, "model", vgmPanicModelTypeFromString, 0, &v, error)) < 0)
        return NULL;
    panic->model = rc > 0 ? v : VGM_PANIC_MODEL_ISA;
    if (!vgmDeviceAddressParse(node, &panic->addr, error))
        return NULL;
    if (panic->addr.type != VGM_ADDRESS_NONE &&
        (panic->addr.type != VGM_ADDRESS_ISA || panic->model != VGM_PANIC_MODEL_ISA)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<panic model='%1$s'> cannot have an <address type='%2$s'>: only the ISA panic device has one, of type 'isa'"),
                    vgmPanicModelTypeToString(panic->model), vgmAddressTypeToString(panic->addr.type));
        return NULL;
    }
    /* pvpanic has an I/O port, and no interrupt */
    if (panic->addr.haveIrq) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<address type='isa'> of <panic> takes no irq: the panic device has an I/O port only"));
        return NULL;
    }
    return g_steal_pointer(&panic);
}

static void
vgmPanicFormat(VgmBuf *buf, const VgmPanicDef *panic)
{
    vgmBufAsprintf(buf, "<panic model='%s'", vgmPanicModelTypeToString(panic->model));
    if (panic->addr.type == VGM_ADDRESS_NONE) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    vgmDeviceAddressFormat(buf, &panic->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</panic>\n");
}

/* ---------------- watchdog ---------------- */

static VgmWatchdogDef *
vgmWatchdogParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmWatchdogDef) wd = g_new0(VgmWatchdogDef, 1);
    g_autofree char *action = NULL;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", "action", NULL },
                         (const char *const[]){ "alias", "address", "acpi", NULL }, error) ||
        vgmXMLPropString(node, "model", VGM_XML_PROP_REQUIRED, &wd->model, error) < 0 ||
        !vgmCheckValue(vgmWatchdogModels, wd->model, "model", "watchdog", error) ||
        vgmXMLPropString(node, "action", 0, &action, error) < 0)
        return NULL;
    if (vgmXMLPropEnum(node, "action", vgmWatchdogActionTypeFromString, 0, &v, error) < 0 ||
        !vgmDeviceInfoParse(node, wd->alias, &wd->addr, error))
        return NULL;
    wd->action = v;
    if (g_str_equal(wd->model, "ib700") && wd->addr.type != VGM_ADDRESS_NONE) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<watchdog model='ib700'> is an ISA device and takes no <address>"));
        return NULL;
    }
    return g_steal_pointer(&wd);
}

static void
vgmWatchdogFormat(VgmBuf *buf, const VgmWatchdogDef *wd)
{
    vgmBufAsprintf(buf, "<watchdog model='%s' action='%s'", wd->model,
                   vgmWatchdogActionTypeToString(wd->action));
    if (wd->addr.type == VGM_ADDRESS_NONE) {
        vgmBufAdd(buf, "/>\n");
        return;
    }
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    vgmDeviceInfoFormat(buf, wd->alias, &wd->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</watchdog>\n");
}

/* ---------------- shmem ---------------- */

VGM_ENUM_IMPL(vgmShmemModel, VGM_SHMEM_MODEL_LAST, "ivshmem", "ivshmem-plain", "ivshmem-doorbell");
VGM_ENUM_IMPL(vgmShmemRole, VGM_SHMEM_ROLE_LAST, "default", "master", "peer");

/* <shmem name='' role=''> with <model type=''>, <size unit=''>, <server
 * path=''>, <msi vectors='' ioeventfd=''> and a PCI <address>, with
 * libvirt's parse rules: a size is a power of two of at least 1 MiB, and
 * <msi> needs a <server> */
static VgmShmemDef *
vgmShmemParse(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmShmemDef) shm = g_new0(VgmShmemDef, 1);
    xmlNodePtr model, size, server, msi;
    int v = 0;
    int rc;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "name", "role", NULL },
                         (const char *const[]){ "model", "size", "server", "msi", "alias", "address",
                                                "acpi", NULL }, error) ||
        vgmXMLPropString(node, "name", VGM_XML_PROP_REQUIRED, &shm->name, error) < 0 ||
        vgmXMLSingleChild(node, "model", &model, error) < 0 ||
        vgmXMLSingleChild(node, "size", &size, error) < 0 ||
        vgmXMLSingleChild(node, "server", &server, error) < 0 ||
        vgmXMLSingleChild(node, "msi", &msi, error) < 0)
        return NULL;
    if (model &&
        (!vgmXMLCheckNode(model, (const char *const[]){ "type", NULL }, vgmXMLNoChildren,
                          error) ||
         vgmXMLPropEnum(model, "type", vgmShmemModelTypeFromString, VGM_XML_PROP_REQUIRED, &v,
                        error) < 0))
        return NULL;
    shm->model = v;
    if ((rc = vgmXMLPropEnum(node, "role", vgmShmemRoleTypeFromString, VGM_XML_PROP_NONZERO, &v,
                             error)) < 0)
        return NULL;
    shm->role = rc > 0 ? v : VGM_SHMEM_ROLE_DEFAULT;
    if (size) {
        g_autofree char *unit = NULL;

        if (!vgmXMLCheckNode(size, (const char *const[]){ "unit", NULL }, NULL, error) ||
            vgmXMLPropString(size, "unit", 0, &unit, error) < 0 ||
            vgmXMLNodeContentULL(size, &shm->size, error) < 0 ||
            !vgmScaleInteger(&shm->size, unit, 1, G_MAXINT64, "<size> in <shmem>", error))
            return NULL;
        if (shm->size & (shm->size - 1)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<size> of <shmem name='%1$s'> is %2$llu bytes, which is not a power of two"),
                        shm->name, shm->size);
            return NULL;
        }
        if (shm->size < 1024 * 1024) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<size> of <shmem name='%1$s'> is %2$llu bytes: it must be at least 1 MiB"),
                        shm->name, shm->size);
            return NULL;
        }
    }
    if (server) {
        shm->server = TRUE;
        if (!vgmXMLCheckNode(server, (const char *const[]){ "path", NULL }, vgmXMLNoChildren,
                             error) ||
            vgmXMLPropString(server, "path", 0, &shm->serverPath, error) < 0)
            return NULL;
    }
    if (msi) {
        shm->msi = TRUE;
        if (!vgmXMLCheckNode(msi, (const char *const[]){ "vectors", "ioeventfd", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(msi, "vectors", 0, &shm->vectors, error) < 0 ||
            vgmXMLPropTristateSwitch(msi, "ioeventfd", 0, &shm->ioeventfd, error) < 0)
            return NULL;
        if (!server) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<msi> of <shmem name='%1$s'> needs a <server>: interrupts come through an ivshmem-server"),
                        shm->name);
            return NULL;
        }
    }
    if (!vgmDeviceInfoParse(node, shm->alias, &shm->addr, error))
        return NULL;
    if (shm->addr.type != VGM_ADDRESS_NONE && shm->addr.type != VGM_ADDRESS_PCI) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<shmem name='%1$s'> cannot have an <address type='%2$s'>: it is a PCI device"),
                    shm->name, vgmAddressTypeToString(shm->addr.type));
        return NULL;
    }
    return g_steal_pointer(&shm);
}

static void
vgmShmemFormat(VgmBuf *buf, const VgmShmemDef *shm)
{
    vgmBufEscapeString(buf, "<shmem name='%s'", shm->name);
    if (shm->role != VGM_SHMEM_ROLE_DEFAULT)
        vgmBufAsprintf(buf, " role='%s'", vgmShmemRoleTypeToString(shm->role));
    vgmBufAdd(buf, ">\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufAsprintf(buf, "<model type='%s'/>\n", vgmShmemModelTypeToString(shm->model));
    /* (a power of two of at least 1 MiB: whole MiB) */
    if (shm->size)
        vgmBufAsprintf(buf, "<size unit='M'>%llu</size>\n", shm->size >> 20);
    if (shm->server) {
        vgmBufAdd(buf, "<server");
        vgmBufEscapeString(buf, " path='%s'", shm->serverPath);
        vgmBufAdd(buf, "/>\n");
    }
    if (shm->msi) {
        vgmBufAdd(buf, "<msi");
        if (shm->vectors)
            vgmBufAsprintf(buf, " vectors='%u'", shm->vectors);
        if (shm->ioeventfd)
            vgmBufAsprintf(buf, " ioeventfd='%s'", vgmTristateSwitchTypeToString(shm->ioeventfd));
        vgmBufAdd(buf, "/>\n");
    }
    vgmDeviceInfoFormat(buf, shm->alias, &shm->addr);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</shmem>\n");
}

/* ---------------- the container ---------------- */

/* libvirt's device elements virt-gmem refuses, and why */
static const struct {
    const char *element;
    const char *why;
} vgmDevicesRefused[] = {
    { "hostdev", N_("virt-gmem does not pass host devices (PCI through VFIO, USB, SCSI, mediated) to a guest") },
    { "lease", N_("virt-gmem has no lock manager to hold it") },
    { "crypto", N_("virtio-crypto devices are not supported") },
    { "nvram", N_("it is the sPAPR NVRAM of POWER guests") },
};

/* FALSE, with the reason, when @dev is one of vgmDevicesRefused */
static gboolean
vgmDevicesCheckRefused(xmlNodePtr dev, GError **error)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDevicesRefused); i++) {
        g_autofree char *mode = NULL;
        g_autofree char *type = NULL;
        g_autofree char *what = NULL;

        if (!xmlStrEqual(dev->name, (const xmlChar *)vgmDevicesRefused[i].element))
            continue;
        /* (named with its mode and type, as far as it has them) */
        vgmXMLPropString(dev, "mode", 0, &mode, NULL);
        vgmXMLPropString(dev, "type", 0, &type, NULL);
        what = g_strdup_printf("<%s%s%s%s%s%s%s>", (const char *)dev->name,
                               mode ? " mode='" : "", mode ? mode : "", mode ? "'" : "",
                               type ? " type='" : "", type ? type : "", type ? "'" : "");
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, _("unsupported %1$s: %2$s"),
                    what, _(vgmDevicesRefused[i].why));
        return FALSE;
    }
    return TRUE;
}

static const char *const vgmDevicesChildren[] = {
    "emulator", "disk", "controller", "filesystem", "interface", "serial", "parallel", "console", "channel",
    "input", "tpm", "graphics", "sound", "audio", "video", "redirdev", "smartcard", "watchdog", "panic",
    "memballoon", "rng", "memory", "iommu", "vsock", "hub", "redirfilter", "shmem",
    /* refused by name (vgmDevicesRefused) */
    "hostdev", "lease", "crypto", "nvram", NULL
};

/* The index attribute of @source and of the <backingStore> chain below
 * @disk and their sources (libvirt's image numbers in a running domain's
 * XML); with @live (the driver's own live XML) the top source's and each
 * <backingStore>'s stay: the first is the number of the disk's QEMU
 * nodes, the others those of its images that DST[N] names */
static void
vgmDiskDropIndexes(xmlNodePtr disk, gboolean live, gboolean top)
{
    xmlNodePtr cur;

    for (cur = disk->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal((const char *)cur->name, "source")) {
            if (!live || !top)
                xmlUnsetProp(cur, (const xmlChar *)"index");
        } else if (g_str_equal((const char *)cur->name, "backingStore")) {
            if (!live)
                xmlUnsetProp(cur, (const xmlChar *)"index");
            vgmDiskDropIndexes(cur, live, FALSE);
        }
    }
}

/* The character device elements, whose pty a running domain's XML names */
static const char *const vgmDevicesChr[] = { "serial", "parallel", "console", "channel", NULL };

/* The device elements whose <alias> is their QEMU id, as libvirt's are */
static const char *const vgmDevicesWithAlias[] = {
    "disk", "controller", "interface", "serial", "parallel", "console", "channel",
    "redirdev", "smartcard", "input", "sound", "video", "memballoon", "rng",
    "filesystem", "watchdog", "tpm", "hub", "iommu", "vsock", "shmem", "memory", NULL
};

/* Run-time state libvirt writes into a running domain's XML (virsh
 * dumpxml), which a definition does not keep and libvirt's define drops
 * as well: each device's <alias> (the id QEMU got), a disk source's
 * index, a disk's <mirror> (a block copy job), a console's tty, a
 * channel's state. Removed from the document before it is read,
 * so that a running libvirt domain's XML defines here too. A user's own
 * alias (ua-...), which libvirt keeps, is refused, except a memory
 * device's, which names its QEMU device. With @live (the driver's own
 * live XML), the alias of every device that has one stays: it is its
 * QEMU id. */

gboolean
vgmDomainDeviceDropAlias(xmlNodePtr dev, gboolean live, GError **error)
{
    const char *name = (const char *)dev->name;
    xmlNodePtr cur;
    xmlNodePtr next;

    for (cur = dev->children; cur; cur = next) {
        g_autofree char *alias = NULL;

        next = cur->next;
        if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "alias"))
            continue;
        if (vgmXMLPropString(cur, "name", 0, &alias, error) < 0)
            return FALSE;
        /* a running domain's device keeps the id QEMU knows it by,
         * which other devices' plugs and unplugs do not move; a user
         * alias ('ua-') is the device's QEMU id from the start, as in
         * libvirt */
        if (alias && vgmStrInList(vgmDevicesWithAlias, name) &&
            (live || g_str_has_prefix(alias, VGM_DEVICE_USER_ALIAS_PREFIX)))
            continue;
        /* (a host device's is refused with the device itself) */
        if (alias && g_str_has_prefix(alias, VGM_DEVICE_USER_ALIAS_PREFIX) &&
            !g_str_equal(name, "hostdev")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported user alias '%1$s' of <%2$s>: QEMU has no device of it to name"),
                        alias, name);
            return FALSE;
        }
        /* (libvirt's own ids are a running domain's; an <alias>
         * without a name names nothing) */
        xmlUnlinkNode(cur);
        xmlFreeNode(cur);
    }
    return TRUE;
}

static gboolean
vgmDevicesDropLiveState(xmlNodePtr devices, gboolean live, GError **error)
{
    xmlNodePtr dev;

    for (dev = devices->children; dev; dev = dev->next) {
        const char *name = (const char *)dev->name;

        if (dev->type != XML_ELEMENT_NODE)
            continue;
        if (!vgmDomainDeviceDropAlias(dev, live, error))
            return FALSE;
        if (g_str_equal(name, "disk")) {
            xmlNodePtr mirror;

            vgmDiskDropIndexes(dev, live, TRUE);
            /* a block job's copy in progress (virsh blockcopy), which
             * libvirt's define drops too; the driver's live XML keeps
             * its own */
            while (!live && (mirror = vgmXMLChild(dev, "mirror"))) {
                xmlUnlinkNode(mirror);
                xmlFreeNode(mirror);
            }
        }
        else if (g_str_equal(name, "console"))
            xmlUnsetProp(dev, (const xmlChar *)"tty");
        else if (g_str_equal(name, "channel") && !live && vgmXMLChild(dev, "target"))
            xmlUnsetProp(vgmXMLChild(dev, "target"), (const xmlChar *)"state");
        /* the pty QEMU opened, which a definition does not name */
        if (!live && vgmStrInList(vgmDevicesChr, name) && vgmXMLChild(dev, "source") &&
            xmlHasProp(dev, (const xmlChar *)"type")) {
            g_autofree char *type = (char *)xmlGetProp(dev, (const xmlChar *)"type");

            if (g_str_equal(type, "pty"))
                xmlUnsetProp(vgmXMLChild(dev, "source"), (const xmlChar *)"path");
        }
    }
    return TRUE;
}

gboolean
vgmDomainDevicesParse(VgmDomainDef *def, xmlNodePtr root, unsigned int flags,
                      GError **error)
{
    VgmDevicesDef *devs = &def->devices;
    gboolean haveRedirfilter = FALSE;
    xmlNodePtr node;
    xmlNodePtr cur;

    if (vgmXMLSingleChild(root, "devices", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, vgmDevicesChildren, error) ||
        !vgmDevicesDropLiveState(node, !!(flags & VGM_DOMAIN_PARSE_LIVE), error))
        return FALSE;

    for (cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!vgmDevicesCheckRefused(cur, error))
            return FALSE;
        if (g_str_equal(name, "emulator")) {
            if (devs->emulator) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("element <emulator> may appear only once in <devices>"));
                return FALSE;
            }
            if (!vgmXMLCheckNode(cur, vgmXMLNoChildren, NULL, error))
                return FALSE;
            if (!(devs->emulator = vgmXMLNodeContent(cur))) {
                vgmErrorSet(error, VGM_ERR_XML, _("element <emulator> must not be empty"));
                return FALSE;
            }
            g_strstrip(devs->emulator);
            if (!g_path_is_absolute(devs->emulator)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' in element <emulator>: the emulator must be an absolute path"),
                            devs->emulator);
                return FALSE;
            }
        } else if (g_str_equal(name, "disk")) {
            VgmDiskDef *d = vgmDiskParse(cur, error);
            if (!d)
                return FALSE;
            vgmDiskInsert(devs->disks, d);
        } else if (g_str_equal(name, "interface")) {
            VgmNetDef *n = vgmNetParse(cur, !!(flags & VGM_DOMAIN_PARSE_LIVE), error);
            if (!n)
                return FALSE;
            g_ptr_array_add(devs->nets, n);
        } else if (g_str_equal(name, "serial") || g_str_equal(name, "console")) {
            gboolean serial = g_str_equal(name, "serial");
            VgmChrDef *c = vgmChrParse(cur, serial ? VGM_CHR_SERIAL : VGM_CHR_CONSOLE, error);
            if (!c)
                return FALSE;
            g_ptr_array_add(serial ? devs->serials : devs->consoles, c);
        } else if (g_str_equal(name, "channel")) {
            VgmChrDef *c = vgmChrParse(cur, VGM_CHR_CHANNEL, error);
            if (!c)
                return FALSE;
            g_ptr_array_add(devs->channels, c);
        } else if (g_str_equal(name, "parallel")) {
            VgmChrDef *c = vgmChrParse(cur, VGM_CHR_PARALLEL, error);
            if (!c)
                return FALSE;
            g_ptr_array_add(devs->parallels, c);
        } else if (g_str_equal(name, "redirdev")) {
            VgmChrDef *c = vgmChrParse(cur, VGM_CHR_REDIRDEV, error);
            if (!c)
                return FALSE;
            g_ptr_array_add(devs->redirdevs, c);
        } else if (g_str_equal(name, "redirfilter")) {
            if (haveRedirfilter) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("element <redirfilter> may appear only once in <devices>"));
                return FALSE;
            }
            haveRedirfilter = TRUE;
            if (!vgmRedirFilterParse(cur, devs->redirfilter, error))
                return FALSE;
        } else if (g_str_equal(name, "hub")) {
            VgmHubDef *hub = vgmHubParse(cur, error);
            if (!hub)
                return FALSE;
            g_ptr_array_add(devs->hubs, hub);
        } else if (g_str_equal(name, "smartcard")) {
            VgmSmartcardDef *sc = vgmSmartcardParse(cur, error);
            if (!sc)
                return FALSE;
            g_ptr_array_add(devs->smartcards, sc);
        } else if (g_str_equal(name, "controller")) {
            VgmControllerDef *c = vgmControllerParse(cur, error);
            if (!c)
                return FALSE;
            vgmDomainControllerInsert(devs->controllers, c);
        } else if (g_str_equal(name, "filesystem")) {
            VgmFsDef *fs = vgmFsParse(cur, error);
            if (!fs)
                return FALSE;
            g_ptr_array_add(devs->fss, fs);
        } else if (g_str_equal(name, "memballoon")) {
            if (devs->memballoon) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("element <memballoon> may appear only once in <devices>"));
                return FALSE;
            }
            if (!(devs->memballoon = vgmMemballoonParse(cur, error)))
                return FALSE;
        } else if (g_str_equal(name, "iommu")) {
            if (devs->iommu) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("element <iommu> may appear only once in <devices>"));
                return FALSE;
            }
            if (!(devs->iommu = vgmIommuParse(cur, error)))
                return FALSE;
        } else if (g_str_equal(name, "vsock")) {
            if (devs->vsock) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("element <vsock> may appear only once in <devices>"));
                return FALSE;
            }
            if (!(devs->vsock = vgmVsockParse(cur, error)))
                return FALSE;
        } else if (g_str_equal(name, "tpm")) {
            if (devs->tpm) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("element <tpm> may appear only once in <devices>"));
                return FALSE;
            }
            if (!(devs->tpm = vgmTpmParse(cur, error)))
                return FALSE;
        } else if (g_str_equal(name, "watchdog")) {
            if (devs->watchdog) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("element <watchdog> may appear only once in <devices>"));
                return FALSE;
            }
            if (!(devs->watchdog = vgmWatchdogParse(cur, error)))
                return FALSE;
        } else if (g_str_equal(name, "panic")) {
            VgmPanicDef *p = vgmPanicParse(cur, error);
            guint k;

            if (!p)
                return FALSE;
            /* libvirt's rule: one of each model */
            for (k = 0; k < devs->panics->len; k++) {
                if (((VgmPanicDef *)g_ptr_array_index(devs->panics, k))->model == p->model) {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("two <panic> devices of model '%1$s'"),
                                vgmPanicModelTypeToString(p->model));
                    g_free(p);
                    return FALSE;
                }
            }
            g_ptr_array_add(devs->panics, p);
        } else if (g_str_equal(name, "shmem")) {
            VgmShmemDef *shm = vgmShmemParse(cur, error);

            if (!shm)
                return FALSE;
            g_ptr_array_add(devs->shmems, shm);
        } else if (g_str_equal(name, "rng")) {
            VgmRngDef *r = vgmRngParse(cur, error);
            if (!r)
                return FALSE;
            g_ptr_array_add(devs->rngs, r);
        } else if (g_str_equal(name, "input")) {
            VgmInputDef *in = vgmInputParse(cur, error);
            if (!in)
                return FALSE;
            g_ptr_array_add(devs->inputs, in);
        } else if (g_str_equal(name, "graphics")) {
            VgmGraphicsDef *g = vgmGraphicsParse(cur, !!(flags & VGM_DOMAIN_PARSE_LIVE), error);
            if (!g)
                return FALSE;
            g_ptr_array_add(devs->graphics, g);
        } else if (g_str_equal(name, "sound")) {
            VgmSoundDef *snd = vgmSoundParse(cur, error);
            if (!snd)
                return FALSE;
            g_ptr_array_add(devs->sounds, snd);
        } else if (g_str_equal(name, "audio")) {
            VgmAudioDef *a = vgmAudioParse(cur, error);
            if (!a)
                return FALSE;
            g_ptr_array_add(devs->audios, a);
        } else if (g_str_equal(name, "video")) {
            VgmVideoDef *v = vgmVideoParse(cur, error);
            if (!v)
                return FALSE;
            g_ptr_array_add(devs->videos, v);
        } else if (g_str_equal(name, "memory")) {
            VgmMemoryDef *m = vgmDomainMemoryDefParse(cur, !!(flags & VGM_DOMAIN_PARSE_LIVE), error);
            if (!m)
                return FALSE;
            g_ptr_array_add(devs->mems, m);
        }
    }
    return TRUE;
}

void
vgmDomainDevicesFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmDevicesDef *devs = &def->devices;
    guint i;

    vgmBufAdd(buf, "<devices>\n");
    vgmBufAdjustIndent(buf, 2);
    vgmBufEscapeString(buf, "<emulator>%s</emulator>\n", devs->emulator);
    for (i = 0; i < devs->disks->len; i++)
        vgmDiskFormat(buf, g_ptr_array_index(devs->disks, i));
    for (i = 0; i < devs->controllers->len; i++)
        vgmControllerFormat(buf, g_ptr_array_index(devs->controllers, i));
    for (i = 0; i < devs->fss->len; i++)
        vgmFsFormat(buf, g_ptr_array_index(devs->fss, i));
    for (i = 0; i < devs->nets->len; i++)
        vgmNetFormat(buf, g_ptr_array_index(devs->nets, i));
    for (i = 0; i < devs->smartcards->len; i++)
        vgmSmartcardFormat(buf, g_ptr_array_index(devs->smartcards, i));
    for (i = 0; i < devs->serials->len; i++)
        vgmChrFormat(buf, g_ptr_array_index(devs->serials, i));
    for (i = 0; i < devs->parallels->len; i++)
        vgmChrFormat(buf, g_ptr_array_index(devs->parallels, i));
    for (i = 0; i < devs->consoles->len; i++)
        vgmChrFormat(buf, g_ptr_array_index(devs->consoles, i));
    for (i = 0; i < devs->channels->len; i++)
        vgmChrFormat(buf, g_ptr_array_index(devs->channels, i));
    for (i = 0; i < devs->inputs->len; i++)
        vgmInputFormat(buf, g_ptr_array_index(devs->inputs, i));
    if (devs->tpm)
        vgmTpmFormat(buf, devs->tpm);
    for (i = 0; i < devs->graphics->len; i++)
        vgmGraphicsFormat(buf, g_ptr_array_index(devs->graphics, i));
    for (i = 0; i < devs->sounds->len; i++)
        vgmSoundFormat(buf, g_ptr_array_index(devs->sounds, i));
    for (i = 0; i < devs->audios->len; i++)
        vgmAudioFormat(buf, g_ptr_array_index(devs->audios, i));
    for (i = 0; i < devs->videos->len; i++)
        vgmVideoFormat(buf, g_ptr_array_index(devs->videos, i));
    for (i = 0; i < devs->redirdevs->len; i++)
        vgmChrFormat(buf, g_ptr_array_index(devs->redirdevs, i));
    vgmRedirFilterFormat(buf, devs->redirfilter);
    for (i = 0; i < devs->hubs->len; i++)
        vgmHubFormat(buf, g_ptr_array_index(devs->hubs, i));
    if (devs->watchdog)
        vgmWatchdogFormat(buf, devs->watchdog);
    if (devs->memballoon)
        vgmMemballoonFormat(buf, devs->memballoon);
    for (i = 0; i < devs->rngs->len; i++)
        vgmRngFormat(buf, g_ptr_array_index(devs->rngs, i));
    for (i = 0; i < devs->panics->len; i++)
        vgmPanicFormat(buf, g_ptr_array_index(devs->panics, i));
    for (i = 0; i < devs->shmems->len; i++)
        vgmShmemFormat(buf, g_ptr_array_index(devs->shmems, i));
    for (i = 0; i < devs->mems->len; i++)
        vgmDomainMemoryDefFormat(buf, g_ptr_array_index(devs->mems, i));
    if (devs->iommu)
        vgmIommuFormat(buf, devs->iommu);
    if (devs->vsock)
        vgmVsockFormat(buf, devs->vsock);
    vgmBufAdjustIndent(buf, -2);
    vgmBufAdd(buf, "</devices>\n");
}
