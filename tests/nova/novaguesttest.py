#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""novaguesttest: the domain XML OpenStack Nova's own code writes, through
virt-gmem validate, domxml-to-native and a start under QEMU (TAP).

What it covers
--------------
Debian 12's python3-nova 26.2 (Zed) generates the guests: a child process
(this program with --generate, under /usr/bin/python3) calls
nova.virt.libvirt.driver.LibvirtDriver._get_guest_xml, as nova-compute does
when it spawns an instance, for each entry of VARIANTS below (about sixty
flavors, image properties and nova.conf settings: plain guests, NUMA,
hugepages, CPU pinning, SEV, UEFI and secure boot, vTPM, pc / q35 machines,
disk buses, ephemeral and swap disks, config drive, interface types and
models, multiqueue, VNC / SPICE, video models, RNG, watchdog, guest agent,
CPU modes, quotas, Windows, file-backed memory, a Cinder volume on Ceph
RBD attached through Nova's own volume driver, ...). Nova talks to the
fake libvirt of its own test suite (nova/tests/fixtures/libvirt.py:
LibvirtFixture, a host of two NUMA cells of 4 cores x 2 threads with 4 KiB,
2 MiB and 1 GiB pages, SEV and UEFI reported), as Nova's unit tests of the
driver do; the instance's NUMA topology is what the scheduler's fitting
(nova.virt.hardware.numa_fit_instance_to_host) makes of the flavor on that
host. The XML is generated at test time into a temporary directory (the
disks it names live there too); none is checked in.

Every generated guest is then checked against EXPECT below, one line per
guest: accepted (`virt-gmem validate` passes, `virt-gmem domxml-to-native
--qemu-caps tests/qemucapabilitiesdata/qemu-7.2-debian.json` passes (a
copy whose KVM host CPU, for host-model, is its TCG one, see
virtinstalltest.use_caps_with_kvm_host), and
the command line holds what the XML asks for: the guest's name, uuid,
memory size and backend, vCPUs, NUMA cells, machine, Hyper-V
enlightenments, the clock's base, every disk's file, format and device
(an RBD volume's pool, image, monitors and cephx user with its secret),
every interface's MAC, model and tap, graphics, video, serial, guest
agent, RNG, balloon, tablet, firmware; see
tests/daemon/virtinstalltest.py: check_command_line), or refused, at
validate (domxml-to-native then too) or only at domxml-to-native, with an
error containing the given text, which names the construct. Where the
answer depends on the host (hugetlbfs mounted for the page size, an
openable /dev/vhost-net) the entry states both branches and the host
condition; the branch this host takes is checked, and for hugetlbfs the
other one too when possible: as root, in a private mount namespace with a
hugetlbfs of that size mounted (when the kernel has the size). A guest
whose result differs from its entry fails, with the actual messages.

Then every accepted guest is started paused with Debian's QEMU through
`virt-gmem --root ROOT create --paused` on a temporary root (the disk files
it names made with qemu-img first), checked paused with one QEMU running,
and destroyed (its QEMU gone). Without a usable /dev/kvm the guest's
<domain type='kvm'> is rewritten to 'qemu' (TCG) and the test line says
so. As root each start runs in a private network namespace in which the
bridges the XML names exist (Nova's br0); otherwise the guests with a
bridge or ethernet interface are skipped, saying why. Whether a start
succeeds can depend on the host too: start_expectation() says when it must
fail and with what (a firmware or varstore template file missing, the
directory Nova puts the guest agent's socket in, which only a host with
libvirt-daemon has, NUMA
nodes or CPUs the host lacks, no ovs-vsctl for an Open vSwitch port; under
TCG host-passthrough and SEV, which virt-gmem refuses, and Hyper-V's
VP_INDEX, which QEMU 7.2 refuses), and such a failure must leave no QEMU
behind; SEV guests on a KVM host without SEV, and Open vSwitch ports where
ovs-vsctl is installed (its database is the host's), are skipped. At the end a line "# accepted N of M, refused K (...)" sums up.

How the expectations were obtained: by running exactly this on
2026-12-01 against this tree (Debian 12, python3-nova 2:26.2.2-1~deb12u5,
QEMU 7.2, OVMF 2022.11, 2 CPUs, one NUMA node, no /dev/kvm, no
/dev/vhost-net, no hugetlbfs mounted, 2 MiB but no 1 GiB huge pages in the
kernel; run as root) and reviewing every result. That host could not show
the accepted branches of the 1 GiB hugetlbfs entries and of vhost_net()
(they say what is expected, not what was seen); the 2 MiB ones it showed
in a private mount namespace.

Skips: the whole program ("1..0 # SKIP") without /usr/bin/python3 and
Debian's python3-nova (with its test fixtures), or without a built
virt-gmem; the starts without /usr/bin/qemu-system-x86_64 or qemu-img.

Run: /usr/bin/python3 tests/nova/novaguesttest.py (meson: test
'novaguests'). VGM_NOVAGUEST_KEEP=DIR keeps the generated XML in DIR.
"""

import os
import sys

SYSTEM_PYTHON = "/usr/bin/python3"

# -------------------------------------------------------------- guests ----

# The fake compute host (Nova's fixture HostInfo): "ht" 2 NUMA cells x 1
# socket x 4 cores x 2 threads; "noht" the same with 1 thread per core.
BASE_CONF = {("compute", "cpu_shared_set"): "0-3,8-11",
             ("compute", "cpu_dedicated_set"): "4-7,12-15"}
NOHT_CONF = {("compute", "cpu_shared_set"): "0-1,4-5",
             ("compute", "cpu_dedicated_set"): "2-3,6-7"}
VNC = {("vnc", "enabled"): True}
VTPM_SECRET = "4b7ae8f4-1c3e-4d5a-9b6f-2e8d7c6b5a41"

VARIANTS = []


def add(name, specs=None, props=None, vifs=("bridge",), conf=None, fl=None,
        sysmeta=None, host="ht", os_type="linux", volumes=(), volume_secrets=None):
    """One guest: flavor extra specs, image properties, the VIF types of
    its network info, nova.conf overrides {(group, key): value}, flavor
    fields, system metadata, the fake host, the instance's os_type, the
    connection_info of each Cinder volume attached (as Cinder's drivers
    give it to nova-compute), and the 'volume' secrets the compute host
    holds {volume_id: secret uuid} (Nova's native LUKS: the passphrase it
    stored when it attached the encrypted volume)."""
    VARIANTS.append(dict(name=name, specs=specs or {}, props=props or {}, vifs=list(vifs),
                         conf=conf or {}, fl=fl or {}, sysmeta=sysmeta or {}, host=host,
                         os_type=os_type, volumes=list(volumes),
                         volume_secrets=dict(volume_secrets or {})))


add("plain")
add("plain-novnc", conf={("vnc", "enabled"): False})
add("plain-ethernet", vifs=("ethernet",))
add("plain-2nics", vifs=("bridge", "ethernet"))
add("plain-ovs", vifs=("ovs",))
add("vhostuser-hugepages", specs={"hw:mem_page_size": "large"}, vifs=("vhostuser",))
add("direct-macvtap", vifs=("direct",))
add("nonet", vifs=())
add("pc", props={"hw_machine_type": "pc"})
add("q35", props={"hw_machine_type": "q35"})
add("pc-i440fx-2.11", props={"hw_machine_type": "pc-i440fx-2.11"})
add("q35-conf-default", conf={("libvirt", "hw_machine_type"): ["x86_64=q35"]})
add("numa2", specs={"hw:numa_nodes": "2"}, fl={"vcpus": 4, "memory_mb": 4096})
add("numa2-asym", specs={"hw:numa_nodes": "2", "hw:numa_cpus.0": "0",
                         "hw:numa_cpus.1": "1,2,3", "hw:numa_mem.0": "1024",
                         "hw:numa_mem.1": "3072"}, fl={"vcpus": 4, "memory_mb": 4096})
add("hugepages-large", specs={"hw:mem_page_size": "large"})
add("hugepages-2M", specs={"hw:mem_page_size": "2MB"})
add("hugepages-1G-numa2", specs={"hw:mem_page_size": "1GB", "hw:numa_nodes": "2"},
    fl={"vcpus": 4, "memory_mb": 4096})
add("pinned", specs={"hw:cpu_policy": "dedicated"})
# isolate: Nova refuses it on a host with SMT (the scheduler would not pick one)
add("pinned-isolate", specs={"hw:cpu_policy": "dedicated", "hw:cpu_thread_policy": "isolate"},
    host="noht")
add("pinned-emu-isolate", specs={"hw:cpu_policy": "dedicated",
                                 "hw:emulator_threads_policy": "isolate"})
add("pinned-realtime", specs={"hw:cpu_policy": "dedicated", "hw:cpu_realtime": "yes",
                              "hw:cpu_realtime_mask": "^0", "hw:mem_page_size": "large"},
    fl={"vcpus": 4})
add("pinned-numa2-huge", specs={"hw:cpu_policy": "dedicated", "hw:numa_nodes": "2",
                                "hw:mem_page_size": "2MB"}, fl={"vcpus": 4, "memory_mb": 4096})
add("cpu-topology", specs={"hw:cpu_sockets": "1", "hw:cpu_cores": "2", "hw:cpu_threads": "2"},
    fl={"vcpus": 4})
add("uefi", props={"hw_firmware_type": "uefi"})
add("uefi-q35", props={"hw_firmware_type": "uefi", "hw_machine_type": "q35"})
add("uefi-secureboot", props={"hw_firmware_type": "uefi", "hw_machine_type": "q35",
                              "os_secure_boot": "required"})
add("sev", specs={"hw:mem_encryption": "True"},
    props={"hw_firmware_type": "uefi", "hw_machine_type": "q35"})
add("sev-qga", specs={"hw:mem_encryption": "True"},
    props={"hw_firmware_type": "uefi", "hw_machine_type": "q35",
           "hw_qemu_guest_agent": "yes"})
add("vtpm-tis", specs={"hw:tpm_version": "2.0", "hw:tpm_model": "tpm-tis"},
    conf={("libvirt", "swtpm_enabled"): True}, sysmeta={"vtpm_secret_uuid": VTPM_SECRET})
add("vtpm-crb-q35", specs={"hw:tpm_version": "2.0", "hw:tpm_model": "tpm-crb"},
    props={"hw_machine_type": "q35"},
    conf={("libvirt", "swtpm_enabled"): True}, sysmeta={"vtpm_secret_uuid": VTPM_SECRET})
add("disk-virtio", props={"hw_disk_bus": "virtio"})
add("disk-scsi", props={"hw_disk_bus": "scsi", "hw_scsi_model": "virtio-scsi"})
add("disk-sata-q35", props={"hw_disk_bus": "sata", "hw_machine_type": "q35"})
add("disk-ide", props={"hw_disk_bus": "ide", "hw_machine_type": "pc"})
add("ephemeral-swap", fl={"ephemeral_gb": 20, "swap": 512})
add("config-drive", conf={("DEFAULT", "force_config_drive"): True})
add("serial-console-tcp", conf={("serial_console", "enabled"): True})
add("vnc-tablet", conf=VNC, props={"hw_pointer_model": "usbtablet"})
add("vnc-virtio-input", conf=VNC, props={"hw_pointer_model": "usbtablet",
                                         "hw_input_bus": "virtio"})
add("spice", conf={("vnc", "enabled"): False, ("spice", "enabled"): True,
                   ("spice", "agent_enabled"): True})
add("video-virtio", props={"hw_video_model": "virtio"})
add("video-qxl", props={"hw_video_model": "qxl"}, conf=VNC)
add("rng", specs={"hw_rng:allowed": "True"}, props={"hw_rng_model": "virtio"})
add("watchdog", props={"hw_watchdog_action": "reset"})
add("qga", props={"hw_qemu_guest_agent": "yes"})
add("vif-e1000", props={"hw_vif_model": "e1000"})
add("vif-multiqueue", props={"hw_vif_multiqueue_enabled": "true"}, fl={"vcpus": 4})
add("cpu-host-passthrough", conf={("libvirt", "cpu_mode"): "host-passthrough"})
add("cpu-custom", conf={("libvirt", "cpu_mode"): "custom", ("libvirt", "cpu_models"): ["Penryn"]})
add("cpu-host-model", conf={("libvirt", "cpu_mode"): "host-model"})
add("pmu-off", specs={"hw:pmu": "false"})
add("quota", specs={"quota:cpu_shares": "2048", "quota:cpu_period": "20000",
                    "quota:disk_read_bytes_sec": "10240000",
                    "quota:vif_inbound_average": "1024"})
add("boot-menu", specs={"hw:boot_menu": "true"})
add("mem-balloon-off", conf={("libvirt", "mem_stats_period_seconds"): 0})
# the instance's os_type (from the image's os_type at boot) makes Nova
# write Hyper-V enlightenments and a localtime clock
add("hyperv-windows", props={"os_type": "windows"}, os_type="windows")
add("virtio-iommu-q35", props={"hw_machine_type": "q35", "hw_viommu_model": "virtio"})
add("locked-memory", specs={"hw:locked_memory": "true", "hw:mem_page_size": "large"})
add("qemu-tcg", conf={("libvirt", "virt_type"): "qemu"})
add("file-backed-mem", conf={("libvirt", "file_backed_memory"): 1024,
                             ("DEFAULT", "ram_allocation_ratio"): 1.0})
# A Cinder volume on Ceph RBD, as Cinder's RBD driver gives it: Nova's
# LibvirtNetVolumeDriver writes a network disk with the monitors and the
# cephx user and secret (by uuid), which a Ceph deployment defines in
# libvirt's secret store on each compute host
RBD_SECRET = "457eb676-33da-42ec-9a8c-9293d545c337"
add("volume-rbd", volumes=(
    {"driver_volume_type": "rbd",
     "data": {"name": "volumes/volume-7a3c2b1d", "hosts": ["192.0.2.11", "192.0.2.12"],
              "ports": ["6789", "6789"], "cluster_name": "ceph", "auth_enabled": True,
              "auth_username": "cinder", "secret_type": "ceph", "secret_uuid": RBD_SECRET,
              "volume_id": "7a3c2b1d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", "discard": True,
              "qos_specs": None, "access_mode": "rw", "encrypted": False}},))
# An encrypted Cinder volume on Ceph RBD, decrypted by QEMU (Nova's native
# LUKS, encryption provider 'luks'): once Nova has stored the volume's
# passphrase in a 'volume' secret, its volume driver adds
# <encryption format='luks'><secret type='passphrase' uuid=''/></encryption>
LUKS_SECRET = "5c8e1f2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
add("volume-rbd-luks", volumes=(
    {"driver_volume_type": "rbd",
     "data": {"name": "volumes/volume-9e8d7c6b", "hosts": ["192.0.2.11"],
              "ports": ["6789"], "cluster_name": "ceph", "auth_enabled": True,
              "auth_username": "cinder", "secret_type": "ceph", "secret_uuid": RBD_SECRET,
              "volume_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "discard": True,
              "qos_specs": None, "access_mode": "rw", "encrypted": True}},),
    volume_secrets={"9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b": LUKS_SECRET})
add("everything", specs={"hw:numa_nodes": "2", "hw:cpu_policy": "dedicated",
                         "hw:mem_page_size": "large"},
    props={"hw_machine_type": "q35", "hw_firmware_type": "uefi",
           "hw_disk_bus": "scsi", "hw_scsi_model": "virtio-scsi",
           "hw_pointer_model": "usbtablet", "hw_qemu_guest_agent": "yes",
           "hw_rng_model": "virtio"},
    conf=dict(VNC), vifs=("bridge", "ethernet"), fl={"vcpus": 4, "memory_mb": 4096})


# ------------------------------------------------------------ generator ----

def generate(outdir, statedir):
    """The child process: each variant's XML from Nova's own driver into
    OUTDIR/NN-NAME.xml; one line per variant on stdout:
    NOVAGEN {"name": ..., "file": ...} or NOVAGEN {"name": ..., "error": ...}."""
    import json
    import traceback
    import types
    from unittest import mock

    import eventlet  # noqa: F401  (Nova's modules expect it importable)
    import nova.tests
    # nova.tests.fixtures/__init__.py pulls in what Debian does not ship
    # (wsgi_intercept, ...): load the package's libvirt module alone.
    fxdir = os.path.join(os.path.dirname(nova.tests.__file__), "fixtures")
    pkg = types.ModuleType("nova.tests.fixtures")
    pkg.__path__ = [fxdir]
    sys.modules["nova.tests.fixtures"] = pkg

    import nova.conf
    import nova.conf.devices
    import nova.conf.neutron
    import nova.config
    from nova import context as nova_context
    from nova import objects
    nova.config.parse_args(["nova-compute"], default_config_files=[],
                           configure_db=False, init_rpc=False)
    CONF = nova.conf.CONF
    nova.conf.neutron.register_dynamic_opts(CONF)
    nova.conf.devices.register_dynamic_opts(CONF)
    objects.register_all()

    from nova.tests.fixtures import libvirt as fakelibvirt
    from nova.tests.unit import fake_network_cache_model as fnm
    from nova.network import model as network_model
    from nova.tests.unit import fake_block_device
    from nova.virt import block_device as driver_block_device
    from nova.virt import fake as virt_fake
    from oslo_serialization import jsonutils
    from nova.virt import hardware
    from nova.virt.libvirt import blockinfo
    from nova.virt.libvirt import driver as libvirt_driver
    from nova.virt.libvirt import host as libvirt_host
    from oslo_utils.fixture import uuidsentinel as uuids

    os.makedirs(statedir, exist_ok=True)
    CONF.set_override("state_path", statedir)
    CONF.set_override("instances_path", os.path.join(statedir, "instances"))
    CONF.set_override("host", "fake-host")
    CONF.set_override("my_ip", "127.0.0.1")
    CONF.set_override("virt_type", "kvm", group="libvirt")
    CONF.set_override("images_type", "raw", group="libvirt")
    CONF.set_override("use_cow_images", False)

    fx = fakelibvirt.LibvirtFixture(stub_os_vif=False)
    fx.setUp()

    def hostinfo(threads):
        pages = {i: fakelibvirt.create_mempages([(4, 1024 * 1024), (2048, 4096), (1048576, 8)])
                 for i in range(2)}
        return fakelibvirt.HostInfo(cpu_nodes=2, cpu_sockets=1, cpu_cores=4,
                                    cpu_threads=threads, kB_mem=32 * 1024 * 1024,
                                    mempages=pages)

    hosts = {"ht": (hostinfo(2), 16), "noht": (hostinfo(1), 8)}
    current = {"host": "ht"}
    # An AMD SEV-capable host (domain capabilities with <sev supported='yes'>).
    fakelibvirt.Connection._domain_capability_features = \
        fakelibvirt.Connection._domain_capability_features_with_SEV
    libvirt_host.Host._get_new_connection = lambda self: fakelibvirt.Connection(
        "qemu:///system", host_info=hosts[current["host"]][0])

    def make_instance(i, flavor_kw, extra_specs, sysmeta, os_type):
        fkw = dict(memory_mb=2048, swap=0, vcpu_weight=None, root_gb=10, id=2,
                   name="m1.small", ephemeral_gb=0, rxtx_factor=1.0,
                   flavorid="1", vcpus=2, extra_specs=dict(extra_specs))
        fkw.update(flavor_kw)
        flavor = objects.Flavor(**fkw)
        sm = {"image_disk_format": "raw"}
        sm.update(sysmeta)
        return objects.Instance(
            id=i, uuid=getattr(uuids, "inst%d" % i), memory_mb=flavor.memory_mb,
            display_name="novaguest-%d" % i, vcpus=flavor.vcpus, project_id="fake",
            image_ref="155d900f-4e14-4e4c-a73d-069cbf4541e6",
            root_gb=flavor.root_gb, ephemeral_gb=flavor.ephemeral_gb,
            system_metadata=sm, instance_type_id=2, flavor=flavor,
            new_flavor=None, old_flavor=None, pci_devices=objects.PciDeviceList(),
            numa_topology=None, config_drive=None, vm_mode=None, vm_state=None,
            kernel_id=None, ramdisk_id=None, os_type=os_type,
            user_id="838a72b0-0d54-4827-8fd6-fb1227633ceb",
            ephemeral_key_uuid=None, vcpu_model=None, host="fake-host",
            node="fake-node", task_state=None, trusted_certs=None, resources=None,
            migration_context=None, info_cache=None, hidden=False,
            device_metadata=None, pci_requests=objects.InstancePCIRequests(requests=[]),
            keypairs=objects.KeyPairList(objects=[]), metadata={},
            tags=objects.TagList(objects=[]), availability_zone=None,
            root_device_name=None, default_ephemeral_device=None,
            default_swap_device=None, launched_at=None, created_at=None,
            deleted_at=None, updated_at=None, key_data=None, cell_name=None,
            architecture=None, auto_disk_config=False, hostname="novaguest",
            reservation_id="r-1", launch_index=0, terminated_at=None,
            security_groups=objects.SecurityGroupList(objects=[]),
            services=objects.ServiceList(objects=[]))

    def vif(kind, idx):
        d = dict(id=getattr(uuids, "vif%d" % idx), address="fa:16:3e:00:00:%02x" % idx)
        if kind == "bridge":
            d.update(type=network_model.VIF_TYPE_BRIDGE, devname="tap%08d" % idx)
        elif kind == "ethernet":      # VIF type tap: <interface type='ethernet'>
            d.update(type=network_model.VIF_TYPE_TAP, devname="tap%08d" % idx)
        elif kind == "ovs":
            d.update(type=network_model.VIF_TYPE_OVS, devname="tap%08d" % idx,
                     details={network_model.VIF_DETAILS_PORT_FILTER: True,
                              "ovs_hybrid_plug": False})
        elif kind == "vhostuser":
            d.update(type=network_model.VIF_TYPE_VHOSTUSER,
                     details={network_model.VIF_DETAILS_VHOSTUSER_MODE: "client",
                              network_model.VIF_DETAILS_VHOSTUSER_SOCKET:
                                  os.path.join(statedir, "vhu.sock"),
                              network_model.VIF_DETAILS_VHOSTUSER_OVS_PLUG: False})
        elif kind == "direct":
            d.update(type=network_model.VIF_TYPE_HW_VEB, vnic_type="macvtap",
                     profile={"pci_slot": "0000:0a:00.1"},
                     details={network_model.VIF_DETAILS_VLAN: 100})
        return fnm.new_vif(d)

    def group(g):
        return None if g == "DEFAULT" else g

    for idx, v in enumerate(VARIANTS, 1):
        allconf = dict(NOHT_CONF if v["host"] == "noht" else BASE_CONF)
        allconf.update(v["conf"])
        for (g, k), val in allconf.items():
            CONF.set_override(k, val, group=group(g))
        current["host"] = v["host"]
        try:
            drvr = libvirt_driver.LibvirtDriver(virt_fake.FakeVirtAPI(), False)
            drvr._host._supports_amd_sev = True
            drvr._host._supports_uefi = True
            drvr._host._supports_secure_boot = True
            inst = make_instance(idx, v["fl"], v["specs"], v["sysmeta"], v["os_type"])
            image_meta = objects.ImageMeta.from_dict(
                {"disk_format": "raw", "properties": dict(v["props"])})
            # what the scheduler's claim puts on the instance
            constraint = hardware.numa_get_constraints(inst.flavor, image_meta)
            if constraint is not None:
                fitted = hardware.numa_fit_instance_to_host(drvr._get_host_numa_topology(),
                                                            constraint)
                if fitted is None:
                    raise RuntimeError("the instance's NUMA topology does not fit the fake host")
                inst.numa_topology = fitted
            nw = network_model.NetworkInfo([vif(k, i) for i, k in enumerate(v["vifs"])])
            ctx = nova_context.get_admin_context()
            # the attached volumes, as nova-compute hands them to the driver
            bdi = None
            if v["volumes"]:
                bdms = []
                for n, ci in enumerate(v["volumes"]):
                    bdms.append(driver_block_device.DriverVolumeBlockDevice(
                        fake_block_device.fake_bdm_object(ctx, {
                            "id": n + 1, "instance_uuid": inst.uuid,
                            "device_name": "/dev/vd%s" % chr(ord("b") + n),
                            "source_type": "volume", "destination_type": "volume",
                            "volume_id": ci["data"]["volume_id"], "disk_bus": "virtio",
                            "device_type": "disk", "boot_index": None,
                            "connection_info": jsonutils.dumps(ci)})))
                bdi = {"root_device_name": "/dev/vda", "ephemerals": [], "swap": None,
                       "block_device_mapping": bdms}
            disk_info = blockinfo.get_disk_info(CONF.libvirt.virt_type, inst, image_meta, bdi)
            secrets = v["volume_secrets"]

            def find_secret(usage_type, usage_id, secrets=secrets):
                # the fake libvirt finds no secret: the compute host's
                # 'volume' secrets of this variant
                if usage_type == "volume" and usage_id in secrets:
                    return mock.Mock(UUIDString=mock.Mock(return_value=secrets[usage_id]))
                return None
            with mock.patch.object(objects.Instance, "save"), \
                    mock.patch.object(libvirt_host.Host, "find_secret", side_effect=find_secret), \
                    mock.patch.object(objects.BlockDeviceMapping, "save"), \
                    mock.patch.object(libvirt_host.Host, "get_online_cpus",
                                      return_value=set(range(hosts[v["host"]][1]))):
                xml = drvr._get_guest_xml(ctx, inst, nw, disk_info, image_meta,
                                          block_device_info=bdi)
            path = os.path.join(outdir, "%02d-%s.xml" % (idx, v["name"]))
            with open(path, "w") as f:
                f.write(xml)
            res = {"name": v["name"], "file": path}
        except Exception as e:  # noqa: BLE001 - reported as that guest's failure
            res = {"name": v["name"], "error": "%s: %s" % (type(e).__name__, e),
                   "traceback": traceback.format_exc()}
        finally:
            for (g, k) in allconf:
                CONF.clear_override(k, group=group(g))
        print("NOVAGEN " + json.dumps(res))
        sys.stdout.flush()


if __name__ == "__main__" and sys.argv[1:2] == ["--generate"]:
    generate(sys.argv[2], sys.argv[3])
    sys.exit(0)


# ---------------------------------------------------------- the test ----

def _use_system_python():
    """Nova comes from Debian's dist-packages, which only /usr/bin/python3
    sees."""
    import importlib.util
    if importlib.util.find_spec("nova") and importlib.util.find_spec("lxml"):
        return
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) \
            and os.path.exists(SYSTEM_PYTHON) \
            and not os.environ.get("VGM_NOVAGUEST_REEXEC"):
        os.environ["VGM_NOVAGUEST_REEXEC"] = "1"
        sys.stdout.flush()
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(sys.argv[0])] + sys.argv[1:])
    print("1..0 # SKIP Debian's python3-nova (and /usr/bin/python3) are needed")
    sys.exit(0)


if __name__ == "__main__":
    _use_system_python()

import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "daemon"))
import harness  # noqa: E402
from virtinstalltest import (Expect, accepted, refused, refused_native,  # noqa: E402
                             check_branch, check_command_line, check_expectation,
                             hugetlbfs_mounted_kib, kvm_usable, machine_aliases,
                             native_with_hugetlbfs, summary, use_caps_with_kvm_host)

QEMU = "/usr/bin/qemu-system-x86_64"
QEMU_IMG = shutil.which("qemu-img") or "/usr/bin/qemu-img"
UNSHARE = shutil.which("unshare")
IP = shutil.which("ip")


# -------------------------------------------------------- expectations ----

class HostDependent:
    """An expectation that depends on the host: `when_yes` if cond(host),
    else `when_no`; `what` names the condition."""

    def __init__(self, what, cond, when_yes, when_no):
        self.what, self.cond, self.when_yes, self.when_no = what, cond, when_yes, when_no

    def resolve(self, host):
        yes = self.cond(host)
        e = self.when_yes if yes else self.when_no
        return Expect(e.accepted, e.text, e.step, ("" if yes else "no ") + self.what)


def hugetlbfs(kib, then=None):
    """Accepted (or `then`) when a hugetlbfs of that page size is mounted
    (seen for 2048 KiB in a private mount namespace on 2026-12-01; not for
    1048576 KiB, which that kernel lacks), else refused by
    domxml-to-native, which checks the host."""
    return HostDependent("hugetlbfs of %d KiB mounted" % kib,
                         lambda h: kib in h["hugetlbfs"], then or accepted(),
                         refused_native("no hugetlbfs is mounted for %d KiB pages, which "
                                        "<hugepages> asks for" % kib))


def vhost_net(then=None):
    """Accepted when /dev/vhost-net opens (not seen on 2026-12-01), else
    refused by domxml-to-native: the interface asks for <driver
    name='vhost'>."""
    return HostDependent("openable /dev/vhost-net", lambda h: h["vhost_net"],
                         then or accepted(),
                         refused_native("<driver name='vhost'> of interface "
                                        "'fa:16:3e:00:00:00' needs /dev/vhost-net"))


ACCEPTED = accepted()

# One line per guest of VARIANTS (captured 2026-12-01; when virt-gmem
# learns a construct, its lines change to ACCEPTED).
EXPECT = {
    "plain": ACCEPTED,
    "plain-novnc": ACCEPTED,
    "plain-ethernet": ACCEPTED,
    "plain-2nics": ACCEPTED,
    "plain-ovs": ACCEPTED,
    "vhostuser-hugepages": hugetlbfs(1048576),  # <interface type='vhostuser'> since 2026-12-02
    # Nova's macvtap VIF is an SR-IOV VF in passthrough mode, tagged
    "direct-macvtap": refused("<vlan> in <interface type='direct'>"),
    "nonet": ACCEPTED,
    "pc": ACCEPTED,
    "q35": ACCEPTED,
    "pc-i440fx-2.11": ACCEPTED,
    "q35-conf-default": ACCEPTED,
    "numa2": ACCEPTED,
    "numa2-asym": ACCEPTED,
    "hugepages-large": hugetlbfs(1048576),       # "large": the fake host's largest, 1 GiB
    "hugepages-2M": hugetlbfs(2048),
    "hugepages-1G-numa2": hugetlbfs(1048576),
    "pinned": ACCEPTED,
    "pinned-isolate": ACCEPTED,
    "pinned-emu-isolate": ACCEPTED,
    "pinned-realtime": hugetlbfs(1048576),       # <vcpusched fifo> is accepted since 2026-12-01
    "pinned-numa2-huge": hugetlbfs(2048),
    "cpu-topology": ACCEPTED,
    "uefi": ACCEPTED,
    "uefi-q35": ACCEPTED,
    "uefi-secureboot": ACCEPTED,            # Nova 26's nested <smm><smm state='on'/>
    "sev": ACCEPTED,                        # <driver iommu='on'> on every virtio device
    "sev-qga": ACCEPTED,
    # Nova encrypts every vTPM's state with a libvirt secret
    "vtpm-tis": ACCEPTED,
    "vtpm-crb-q35": ACCEPTED,
    "disk-virtio": ACCEPTED,
    "disk-scsi": ACCEPTED,
    "disk-sata-q35": ACCEPTED,
    "disk-ide": ACCEPTED,
    "ephemeral-swap": ACCEPTED,
    "config-drive": ACCEPTED,
    "serial-console-tcp": ACCEPTED,
    "vnc-tablet": ACCEPTED,
    "vnc-virtio-input": ACCEPTED,
    "spice": ACCEPTED,                           # SPICE, its agent channel since 2026-12-01
    "video-virtio": ACCEPTED,
    "video-qxl": ACCEPTED,
    "rng": ACCEPTED,
    "watchdog": ACCEPTED,
    "qga": ACCEPTED,
    "vif-e1000": ACCEPTED,
    "vif-multiqueue": vhost_net(),
    "cpu-host-passthrough": ACCEPTED,
    "cpu-custom": ACCEPTED,
    "cpu-host-model": ACCEPTED,
    "pmu-off": ACCEPTED,
    "quota": ACCEPTED,                           # <shares>, <period>, <iotune>, <bandwidth> since 2026-12-01
    "boot-menu": ACCEPTED,
    "mem-balloon-off": ACCEPTED,
    "hyperv-windows": ACCEPTED,
    # Nova 26 gives the virtio IOMMU the Intel one's <driver> options,
    # which libvirt 9.0 refuses too
    "virtio-iommu-q35": refused("<iommu model='virtio'> takes no <driver> attributes"),
    "locked-memory": hugetlbfs(1048576),
    "qemu-tcg": ACCEPTED,
    "volume-rbd": ACCEPTED,                      # rbd network disks since 2026-12-02
    "volume-rbd-luks": ACCEPTED,                 # LUKS <encryption> since 2026-12-07
    "file-backed-mem": ACCEPTED,
    "everything": hugetlbfs(1048576),
}


def resolve(exp, host):
    return exp.resolve(host) if isinstance(exp, HostDependent) else exp


# --------------------------------------------------------- host facts ----

def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _cpuset(text):
    out = set()
    for part in (text or "").replace(" ", "").split(","):
        if not part or part.startswith("^"):
            continue
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def vhost_net_usable():
    try:
        os.close(os.open("/dev/vhost-net", os.O_RDWR))
        return True
    except OSError:
        return False


def private_netns_works():
    """As root with unshare and ip: a network namespace of our own in
    which a bridge can be made."""
    if os.geteuid() != 0 or not UNSHARE or not IP:
        return False
    r = subprocess.run([UNSHARE, "--net", "sh", "-c", "ip link add vgmtestbr type bridge"],
                       capture_output=True, timeout=30)
    return r.returncode == 0


def tc_shaping_works():
    """As root in a network namespace of our own: the tc commands the
    driver runs for <bandwidth> (htb, sfq, fw, ingress, u32 police) work
    on a tap (not seen on 2026-12-01: that kernel had no sfq qdisc)."""
    if os.geteuid() != 0 or not UNSHARE or not shutil.which("tc"):
        return False
    script = " && ".join([
        "ip tuntap add dev vgmtctest mode tap",
        "tc qdisc add dev vgmtctest root handle 1: htb default 1",
        "tc class add dev vgmtctest parent 1: classid 1:1 htb rate 1024kbps quantum 87",
        "tc qdisc add dev vgmtctest parent 1:1 handle 2: sfq perturb 10",
        "tc filter add dev vgmtctest parent 1:0 protocol all prio 1 handle 1 fw flowid 1",
        "tc qdisc add dev vgmtctest ingress",
        "tc filter add dev vgmtctest parent ffff: protocol all u32 match u32 0 0 police "
        "rate 1024kbps burst 1024kb mtu 64kb drop flowid :1"])
    r = subprocess.run([UNSHARE, "--net", "sh", "-c", script], capture_output=True, timeout=30)
    return r.returncode == 0


# --------------------------------------------------------------- starts ----

def start_expectation(dom, host):
    """(None, None): the start must succeed; ('fail', text): it must fail
    with an error containing text (this host lacks something); ('skip',
    why). The first rule that applies, in the order of start's steps."""
    if dom.find("memoryBacking/hugepages") is not None:
        return "skip", "it would need reserved huge pages"
    if not host["netns"] and any(i.get("type") in ("bridge", "ethernet")
                                 for i in dom.findall("devices/interface")):
        return "skip", "its bridge/ethernet interfaces need a private network namespace (root)"
    ovs = dom.find("devices/interface/virtualport[@type='openvswitch']")
    if ovs is not None and host["ovs_vsctl"]:
        # Open vSwitch's database is the host's, whatever the network namespace
        return "skip", "it would add a port to this host's Open vSwitch"
    tcg = dom.get("type") == "qemu"
    cpu = dom.find("cpu")
    if tcg and cpu is not None and cpu.get("mode") == "host-passthrough":
        return "fail", "<cpu mode='host-passthrough'> needs <domain type='kvm'>"
    sev = dom.find("launchSecurity")
    if sev is not None:
        if tcg:
            return "fail", "<launchSecurity type='%s'> needs <domain type='kvm'>" % sev.get("type")
        if not host["sev"]:
            return "skip", "it needs an AMD SEV host"
    # Nova defines the vTPM's secret (usage vtpm) through the secret API
    # before it starts the guest; on this test's fresh root there is none
    enc = dom.find("devices/tpm/backend/encryption")
    if enc is not None:
        return "fail", "no secret with matching uuid '%s'" % enc.get("secret")
    # Nova's fake host names firmware files of its own (e.g. OVMF_VARS.secboot.fd)
    template = dom.find("os/nvram")
    template = template.get("template") if template is not None else None
    if template and not os.path.exists(template):
        return "fail", "cannot read the UEFI varstore template '%s'" % template
    loader = dom.findtext("os/loader")
    if loader and not os.path.exists(loader):
        return "fail", "Could not open '%s'" % loader
    # Nova names the guest agent's socket in libvirtd's own directory
    # (/var/lib/libvirt/qemu), which only a host with libvirt-daemon
    # installed has; QEMU binds the socket, as libvirtd would, and fails
    # without its directory
    for src in dom.findall("devices/channel[@type='unix']/source"):
        path = src.get("path")
        if path and src.get("mode") == "bind" and not os.path.isdir(os.path.dirname(path)):
            return "fail", "Failed to bind socket to %s" % path
    if tcg and dom.find("features/hyperv/vpindex[@state='on']") is not None:
        # QEMU 7.2 itself, whatever the driver: TCG cannot set VP_INDEX
        return "fail", "kernel doesn't allow setting HyperV VP_INDEX"
    # refused by the driver before QEMU runs, naming the first missing node
    # (the <numatune><memory> nodeset, which Nova writes too, is checked
    # before the memnodes)
    mem = dom.find("numatune/memory")
    if mem is not None and mem.get("nodeset"):
        missing = sorted(_cpuset(mem.get("nodeset")) - host["nodes"])
        if missing:
            return "fail", "host NUMA node %d, which <numatune><memory nodeset> names, " \
                "does not exist on this host" % missing[0]
    for mn in dom.findall("numatune/memnode"):
        missing = sorted(_cpuset(mn.get("nodeset")) - host["nodes"])
        if missing:
            return "fail", "host NUMA node %d, which <memnode cellid='%s'> in " \
                "<numatune> names, does not exist on this host" % (missing[0], mn.get("cellid"))
    pins = [(p.get("cpuset"), p.tag) for p in dom.findall("cputune/vcpupin")] + \
        [(p.get("cpuset"), p.tag) for p in dom.findall("cputune/emulatorpin")]
    for cpus, _ in pins:
        if not _cpuset(cpus) & host["cpus"]:
            return "fail", "cannot pin QEMU thread"
    tune = dom.find("cputune")
    if not host["cgroups"] and (dom.find("memtune") is not None or
                                dom.find("blkiotune") is not None or
                                (tune is not None and any(tune.find(t) is not None for t in (
                                    "shares", "period", "quota", "global_period",
                                    "global_quota", "emulator_period", "emulator_quota")))):
        return "skip", "its <cputune>/<memtune>/<blkiotune> controls need this host's cgroups"
    # a network disk's <auth> (Nova's Ceph volumes): its secret is the
    # compute host's, which this test's fresh root does not have; the
    # driver refuses the start before QEMU runs
    for disk in dom.findall("devices/disk[@type='network']"):
        if disk.find("auth") is not None or disk.find("source/auth") is not None:
            return "fail", "cannot start with the <auth> of disk '%s'" % disk.find("target").get("dev")
    if ovs is not None:
        return "fail", "to Open vSwitch bridge '%s': ovs-vsctl failed" % (
            dom.find("devices/interface[virtualport]/source").get("bridge"))
    if dom.find("devices/interface/bandwidth") is not None and not host["tc"]:
        return "fail", "cannot set the <bandwidth> of interface"
    return None, None


def make_disks(dom):
    """qemu-img create every file the XML's disks name; mkdir the serial
    log's directory. Returns an error text or None."""
    for disk in dom.findall("devices/disk"):
        src = disk.find("source")
        path = src.get("file") if src is not None else None
        if not path or os.path.exists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        drv = disk.find("driver")
        fmt = (drv.get("type") if drv is not None else None) or "raw"
        r = harness.run([QEMU_IMG, "create", "-q", "-f", fmt, path, "16M"], timeout=60)
        if r.rc != 0:
            return r.describe()
    for log in dom.findall("devices/serial/log") + dom.findall("devices/console/log"):
        if log.get("file"):
            os.makedirs(os.path.dirname(log.get("file")), exist_ok=True)
    return None


def qemus(root):
    return harness.processes_naming(root + "/")


def wait_no_qemu(root, wait=10.0):
    deadline = time.monotonic() + wait
    while qemus(root):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def start_guest(tap, label, text, root, work, host):
    tcg = ""
    if not host["kvm"]:
        text, n = re.subn(r"<domain(\s+)type=([\"'])kvm\2", r"<domain\1type=\2qemu\2", text,
                          count=1)
        if n:
            tcg = " (type kvm rewritten to qemu: no usable /dev/kvm)"
    dom = ET.fromstring(text)
    name = dom.findtext("name")
    how, want = start_expectation(dom, host)
    if how == "skip":
        tap.skip("%s: start paused" % label, want)
        return None
    err = make_disks(dom)
    if not tap.ok(err is None, "%s: qemu-img makes its disk files" % label, err):
        return False
    path = os.path.join(work, "%s.xml" % name)
    with open(path, "w") as f:
        f.write(text)
    # what this host's KVM cannot run (tried on bare QEMU): the start
    # must fail for that reason
    kvm_why = harness.kvm_guest_failure(path) if how is None and host["kvm"] else None
    if kvm_why:
        how, want = "fail", kvm_why[1]
        tcg = " (its KVM cannot run the guest's machine and CPU: %s)" % kvm_why[0]
    cmd = [harness.CLI, "--root", root, "create", "--paused", path]
    ns = ""
    if host["netns"]:
        bridges = sorted({s.get("bridge") for s in dom.findall("devices/interface/source")
                          if s.get("bridge")})
        # SPICE's server resolves its listen address with AI_ADDRCONFIG,
        # which finds nothing without a non-loopback IPv4 address, as any
        # real host has: one of TEST-NET-1 on a bridge of its own
        script = ("ip link set lo up && ip link add vgmaddr0 type bridge"
                  " && ip addr add 192.0.2.1/24 dev vgmaddr0 && ip link set vgmaddr0 up")
        for b in bridges:
            script += " && ip link add %s type bridge && ip link set %s up" % (b, b)
        cmd = [UNSHARE, "--net", "sh", "-c", script + ' && exec "$@"', "sh"] + cmd
        ns = " in a private network namespace" + (
            " with bridge %s" % ", ".join(bridges) if bridges else "")
    t0 = time.monotonic()
    r = harness.run(cmd, timeout=120)
    took = time.monotonic() - t0
    if how == "fail":
        left = qemus(root)
        ok = tap.ok(r.rc not in (0, None) and want in r.err and not left,
                    "%s: start refused on this host%s: %s; no QEMU left" % (label, tcg, want),
                    "%s\nQEMU pids left: %s" % (r.describe(), left))
        if r.rc == 0 or left:
            harness.run([harness.CLI, "--root", root, "destroy", name], timeout=60)
            harness.kill_processes_naming(root + "/")
        return ok
    if not tap.ok(r.rc == 0, "%s: started paused under QEMU%s%s (%.1f s)" % (label, tcg, ns, took),
                  r.describe()):
        harness.kill_processes_naming(root + "/")
        return False
    st = harness.run([harness.CLI, "--root", root, "domstate", name], timeout=60)
    pids = qemus(root)
    tap.ok(st.rc == 0 and st.out.strip() == "paused" and len(pids) == 1,
           "%s: paused, one QEMU runs" % label, "domstate: %r\nQEMU pids: %s" % (st, pids))
    d = harness.run([harness.CLI, "--root", root, "destroy", name], timeout=60)
    gone = wait_no_qemu(root)
    ok = tap.ok(d.rc == 0 and gone, "%s: destroyed, its QEMU gone" % label, d.describe())
    if not gone:
        harness.kill_processes_naming(root + "/")
    return ok


# ----------------------------------------------------------------- main ----

def run_generator(tap, outdir, statedir):
    """{name: path or ('error', text)} from the child process."""
    t0 = time.monotonic()
    r = subprocess.run([SYSTEM_PYTHON, os.path.abspath(__file__), "--generate", outdir, statedir],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, LC_ALL="C"))
    got = {}
    for line in r.stdout.splitlines():
        if line.startswith("NOVAGEN "):
            d = json.loads(line[len("NOVAGEN "):])
            got[d["name"]] = d
    tap.ok(r.returncode == 0 and len(got) == len(VARIANTS),
           "Nova's LibvirtDriver._get_guest_xml ran for all %d variants (%.1f s)"
           % (len(VARIANTS), time.monotonic() - t0),
           "exit status %s, %d results; stderr (tail):\n%s"
           % (r.returncode, len(got), "\n".join(r.stderr.splitlines()[-30:])))
    return got


def run_tests(tap, tmp):
    use_caps_with_kvm_host(tmp)
    # Nova's guests ask for host-model, under KVM a named model with the
    # host CPU's features: a host whose KVM cannot run -cpu host (the same
    # features) is taken as one without KVM
    cpu_failure = harness.kvm_cpu_failure("host") if kvm_usable() else None
    if cpu_failure:
        tap.diag("QEMU cannot run -cpu host under this host's KVM (%s): the guests "
                 "start as on a host without /dev/kvm" % cpu_failure)
    host = {"kvm": kvm_usable() and not cpu_failure, "hugetlbfs": hugetlbfs_mounted_kib(),
            "vhost_net": vhost_net_usable(),
            "nodes": _cpuset(_read("/sys/devices/system/node/online") or "0"),
            "cpus": _cpuset(_read("/sys/devices/system/cpu/online")),
            "netns": private_netns_works(),
            "sev": _read("/sys/module/kvm_amd/parameters/sev") in ("Y", "1"),
            "ovs_vsctl": shutil.which("ovs-vsctl") is not None,
            "tc": tc_shaping_works(), "cgroups": harness.cgroups_usable()}
    tap.diag("host: %s /dev/kvm, %s /dev/vhost-net, hugetlbfs mounted for %s KiB pages, "
             "NUMA nodes %s, CPUs %s, private network namespaces: %s" % (
                 "usable" if host["kvm"] else "no usable",
                 "openable" if host["vhost_net"] else "no openable",
                 sorted(host["hugetlbfs"]) or "no", sorted(host["nodes"]),
                 sorted(host["cpus"]), "yes" if host["netns"] else "no (not root?)"))
    tap.diag("host: tc shaping of a tap (htb, sfq, fw, u32 police): %s; cgroups a group "
             "can be made in: %s" % ("works" if host["tc"] else "does not work",
                                     "yes" if host["cgroups"] else "no"))
    tap.eq(sorted(EXPECT), sorted(v["name"] for v in VARIANTS),
           "EXPECT has one line for every variant")

    keep = os.environ.get("VGM_NOVAGUEST_KEEP")
    outdir = keep or os.path.join(tmp, "xml")
    os.makedirs(outdir, exist_ok=True)
    statedir = os.path.join(tmp, "nova")       # instances' disks and logs
    gen = run_generator(tap, outdir, statedir)
    aliases = machine_aliases()

    results = []
    started = []
    for v in VARIANTS:
        name = v["name"]
        exp = resolve(EXPECT.get(name, ACCEPTED), host)
        g = gen.get(name, {"error": "no result from the generator"})
        if not tap.ok("file" in g, "%s: Nova generates its XML" % name,
                      "%s\n%s" % (g.get("error"), g.get("traceback", ""))):
            results.append((name, exp, False))
            continue
        native, good = check_expectation(tap, name, g["file"], exp)
        results.append((name, exp, good))
        if exp.accepted and native is not None:
            with open(g["file"]) as f:
                text = f.read()
            problems, seen = check_command_line(text, native.out, aliases)
            tap.ok(not problems, "%s: the command line has what the XML asks for (%s)"
                   % (name, seen), "\n".join(problems) + "\n$ " + native.out[:4000])
            started.append((name, text))
        # the other branch of a hugetlbfs entry, where this host can show it
        e = EXPECT.get(name)
        if isinstance(e, HostDependent) and e.what.startswith("hugetlbfs") and \
                not e.cond(host):
            other_branch(tap, name, g["file"], e, tmp, aliases)

    # starts
    if not os.access(QEMU, os.X_OK) or not os.access(QEMU_IMG, os.X_OK):
        tap.skip("start the accepted guests", "%s or qemu-img is not installed" % QEMU)
    else:
        root = os.path.join(tmp, "root")
        work = os.path.join(tmp, "start")
        os.makedirs(root)
        os.makedirs(work)
        t0 = time.monotonic()
        try:
            for name, text in started:
                start_guest(tap, name, text, root, work, host)
        finally:
            left = harness.kill_processes_naming(root + "/")
            if left:
                tap.diag("killed QEMU processes left on %s: %s" % (root, left))
        tap.diag("%d accepted guests through start in %.1f s" % (len(started),
                                                                 time.monotonic() - t0))
    summary(tap, results)


def other_branch(tap, name, path, e, tmp, aliases):
    """domxml-to-native in a private mount namespace with a hugetlbfs of
    the entry's page size mounted: the entry's other branch."""
    kib = int(re.search(r"(\d+) KiB", e.what).group(1))
    y = e.when_yes
    label = "%s: with a hugetlbfs of %d KiB mounted (private mount namespace): %s" % (
        name, kib, Expect(y.accepted, y.text, y.step).describe())
    r = native_with_hugetlbfs(kib, os.path.join(tmp, "hugetlbfs-%d" % kib), path)
    if r is None:
        tap.skip(label, "cannot mount one here (not root, or the kernel has no %d KiB pages)"
                 % kib)
        return
    with open(path) as f:
        check_branch(tap, label, y, r, f.read(), aliases)


def _terminate(signum, frame):
    raise harness.Terminated(signum)


def main():
    import importlib.util
    spec = importlib.util.find_spec("nova")
    fixtures = os.path.join(os.path.dirname(spec.origin), "tests", "fixtures", "libvirt.py") \
        if spec and spec.origin else None
    if not fixtures or not os.path.exists(fixtures):
        harness.TAP.skip_all("python3-nova has no nova/tests/fixtures/libvirt.py")
    if not os.path.exists(SYSTEM_PYTHON):
        harness.TAP.skip_all("%s is needed for Debian's python3-nova" % SYSTEM_PYTHON)
    if not harness.wait_executable(harness.CLI):
        harness.TAP.skip_all("virt-gmem not built (%s)" % harness.CLI)
    tap = harness.TAP()
    # meson's timeout: unwind through the cleanup below (run_guarded)
    signal.signal(signal.SIGTERM, _terminate)
    tmp = tempfile.mkdtemp(prefix="vgm-novaguest-")
    try:
        harness.run_guarded(tap, run_tests, tap, tmp)
    finally:
        left = harness.kill_processes_naming(os.path.join(tmp, "root") + "/")
        if left:
            tap.diag("killed QEMU processes left: %s" % left)
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(tap.done())


if __name__ == "__main__":
    main()
