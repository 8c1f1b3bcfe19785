#!/usr/bin/env bash
# What the emulated machine needs that a Pi gets from Raspberry Pi OS, added to the root after
# the image stage ran (nothing here is part of the image): networking on the emulator's two
# network cards, a host name, and a root shell on the second console (hvc0) that pi-check
# drives the way a technician with a serial cable would. The first console (ttyAMA0, the
# emulator's UART) keeps the login screen a depot owner sees on the HDMI screen.
#   image_build/vm/vm-only.sh ROOT
set -euo pipefail
root="$(realpath "${1:?usage: vm-only.sh ROOT}")"

echo depotline >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 depotline\n' >"$root/etc/hosts"
echo '/dev/vda / ext4 defaults,noatime 0 1' >>"$root/etc/fstab"

# the LAN: the emulator's user-mode network (DHCP, 10.0.2.15), which forwards the web port
mkdir -p "$root/etc/systemd/network"
cat >"$root/etc/systemd/network/10-lan.network" <<'NETWORK'
[Match]
MACAddress=52:54:00:12:34:56

[Network]
DHCP=ipv4
NETWORK
# the SIP network: a tap device inside pi-check's private network namespace, where the sipp
# gateway and agent run; no address translation between the box and its SIP peers
cat >"$root/etc/systemd/network/20-sip.network" <<'NETWORK'
[Match]
MACAddress=52:54:00:12:34:57

[Network]
Address=10.0.3.2/24
NETWORK
ln -sf /usr/lib/systemd/system/systemd-networkd.service \
    "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
mkdir -p "$root/etc/systemd/system/network-online.target.wants"
ln -sf /usr/lib/systemd/system/systemd-networkd-wait-online.service \
    "$root/etc/systemd/system/network-online.target.wants/systemd-networkd-wait-online.service"

cat >"$root/etc/systemd/system/pi-check-shell.service" <<'UNIT'
[Unit]
Description=pi-check's root shell on the emulator's second console
After=dev-hvc0.device
BindsTo=dev-hvc0.device

[Service]
ExecStart=/bin/bash --noprofile --norc
StandardInput=tty
StandardOutput=tty
TTYPath=/dev/hvc0
Restart=always
Environment=TERM=dumb PS1=

[Install]
WantedBy=multi-user.target
UNIT
# systemd would start a login prompt on hvc0 too (a virtualisation console): the shell has it
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@hvc0.service"
ln -sf /etc/systemd/system/pi-check-shell.service \
    "$root/etc/systemd/system/multi-user.target.wants/pi-check-shell.service"

# The installer's wiring, as a depot with an FXO gateway and one agent phone writes it into the
# configuration: both sit on the SIP network, played by sipp in pi-check's namespace.
cat >>"$root/etc/depotline/depotline.toml" <<'WIRING'

# pi-check (image_build/vm/vm-only.sh): a gateway and an agent phone on the SIP network
[[lines]]
id = "gw1"
type = "sip"
gateway = "10.0.3.1"

[[positions]]
id = "pos1"
type = "sip"
uri = "sip:pos1@10.0.3.3:5060"
WIRING
