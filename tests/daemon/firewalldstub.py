#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for firewalld on a D-Bus bus of a test's own: it owns
org.fedoraproject.FirewallD1 and answers its zone interface's
changeZoneOfInterface(zone, interface) (firewalld's, as libvirt calls
it), writing "ZONE INTERFACE" lines to CALLS; a zone named 'nosuch' is
refused with firewalld's INVALID_ZONE error. Runs until killed; prints
"ready" once it owns the name.

    firewalldstub.py BUS_ADDRESS CALLS
"""
import sys

from gi.repository import Gio, GLib

XML = """<node>
  <interface name='org.fedoraproject.FirewallD1.zone'>
    <method name='changeZoneOfInterface'>
      <arg type='s' name='zone' direction='in'/>
      <arg type='s' name='interface' direction='in'/>
      <arg type='s' direction='out'/>
    </method>
  </interface>
</node>"""


def main():
    address, calls = sys.argv[1], sys.argv[2]
    bus = Gio.DBusConnection.new_for_address_sync(
        address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]

    def call(conn, sender, path, iface, method, params, invocation):
        zone, ifname = params.unpack()
        if zone == "nosuch":
            invocation.return_dbus_error("org.fedoraproject.FirewallD1.Exception",
                                         "INVALID_ZONE: nosuch")
            return
        with open(calls, "a") as f:
            f.write("%s %s\n" % (zone, ifname))
        invocation.return_value(GLib.Variant("(s)", (zone,)))

    bus.register_object("/org/fedoraproject/FirewallD1", info, call, None, None)
    loop = GLib.MainLoop()

    def acquired(conn, name):
        print("ready", flush=True)

    Gio.bus_own_name_on_connection(bus, "org.fedoraproject.FirewallD1",
                                   Gio.BusNameOwnerFlags.NONE, acquired, None)
    loop.run()


if __name__ == "__main__":
    main()
