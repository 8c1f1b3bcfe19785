#!/usr/bin/env bash
# The arm64 Debian 12 (bookworm) root the emulated Pi boots, before depotline is installed: what
# pi-gen's stage2 (Raspberry Pi OS Lite) gives the image stage on a real build, plus Debian's
# arm64 kernel (the Pi's own kernel only boots on a Pi) and the arm64 headers pjsua2 is
# cross-compiled against. Built with debootstrap, its second stage run under qemu-user (binfmt).
#   image_build/vm/build-base.sh OUT.tar
# Needs root, debootstrap, qemu-user-static (binfmt) and the Debian mirror apt uses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath "${1:?usage: build-base.sh OUT.tar}")"
stage_packages="$here/../stage-depotline/01-depotline/00-packages"
mirror="$("$here/debian-mirror.sh")"

# systemd as PID 1 with networkd (DHCP on the emulator's network), the stage's own packages,
# and for cross-compiling pjsua2: the arm64 C library, Python and the libraries pjproject
# links (the Raspberry Pi sub-stage, 00-pi-packages, installs the same on a real image).
packages=(systemd systemd-sysv dbus udev iproute2 procps kmod less
    libc6-dev libpython3.11-dev libasound2-dev libssl-dev libopus-dev uuid-dev libstdc++-12-dev)
mapfile -t -O "${#packages[@]}" packages < <(grep -v '^\s*\(#\|$\)' "$stage_packages")
include="$(IFS=,; echo "${packages[*]}")"

root="$(mktemp -d "${out%/*}/base.XXXXXX")"
trap 'rm -rf "$root"' EXIT
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
debootstrap --arch=arm64 --variant=minbase --foreign --include="$include" bookworm "$root" "$mirror"
chroot "$root" /debootstrap/debootstrap --second-stage

# The kernel's initramfs holds only what the emulator's virt machine needs to find the root
# disk: a full one takes many minutes to compress under qemu-user.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo 'MODULES=list' >"$root/etc/initramfs-tools/conf.d/depotline-vm"
printf '%s\n' virtio_pci virtio_mmio virtio_blk virtio_net virtio_console ext4 >>"$root/etc/initramfs-tools/modules"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# shellcheck disable=SC2016 # expanded by the inner bash
unshare --mount --propagation private bash -euo pipefail -c '
    root="$1"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t sysfs sys "$root/sys"
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
        chroot "$root" apt-get install -y --no-install-recommends linux-image-arm64
' build-base "$root"
chroot "$root" apt-get clean
tar -C "$root" --numeric-owner -cf "$out.part" .
mv "$out.part" "$out"
echo "arm64 base root: $out"
