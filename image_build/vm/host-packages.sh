#!/usr/bin/env bash
# Installs the Debian packages the emulated Pi is built and booted with (image_build/vm/):
# qemu for arm64 (the machine, and qemu-user for the root's second stage), Debian's aarch64
# cross compiler for pjsua2, e2fsprogs for the disk, sipp for the SIP call. Skips what is there.
set -euo pipefail
packages=(qemu-system-arm qemu-user-static qemu-utils binfmt-support debootstrap e2fsprogs
    gcc-aarch64-linux-gnu g++-aarch64-linux-gnu swig sip-tester iproute2)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
