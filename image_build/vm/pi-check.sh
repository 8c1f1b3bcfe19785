#!/usr/bin/env bash
# The Pi's software path on an emulated arm64 machine (docs/box.md, "The emulated Pi"): builds
# an arm64 Debian 12 root, installs depotline into it with the image's own stage scripts,
# cross-compiles pjsua2 for it, boots it in qemu-system-aarch64 and checks from outside what a
# depot owner sees on first boot. Prints one JSON object; with --record also writes it to
# docs/pi-check.json.
#   image_build/vm/pi-check.sh [--record]
# Every built piece is cached in $DEPOTLINE_VM_CACHE (default ~/.cache/depotline/vm), keyed by
# what it is built from, so a second run only boots. Needs root, debootstrap, qemu-user-static,
# qemu-system-arm, gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu, e2fsprogs and sipp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="$(cd "$here/../.." && pwd)"
cache="${DEPOTLINE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/depotline/vm}"
python="${PYTHON:-$project/.venv/bin/python}"
started_s=$(date +%s)
mkdir -p "$cache"
log() { echo "pi-check: $*" >&2; }

# by content only, so every checkout of the same sources shares the cache
digest() { cat "$@" | sha256sum | cut -c1-12; }

# 1. the arm64 base root (debootstrap, kernel, build headers)
base="$cache/base-$(digest "$here/build-base.sh" "$project/image_build/stage-depotline/01-depotline/00-packages").tar"
if [ ! -f "$base" ]; then
    log "building the arm64 base root $base"
    base_started_s=$(date +%s)
    "$here/build-base.sh" "$base" >&2
    echo $(($(date +%s) - base_started_s)) >"$cache/base_build_s"
fi

# 2. depotline installed by the image stage, as a disk the emulator boots; keyed by everything
# the stage installs from (sources, units, stage scripts, pjsua2 settings, the VM's additions),
# not by the docs it copies nor by the checks run against it
sources=$(cd "$project" && git ls-files -co --exclude-standard -- appliance drivers web_ui systemd \
    image_build pyproject.toml | grep -v '^image_build/vm/\(check.py\|machine.py\|pi-check.sh\|host-packages.sh\)$' | sort)
disk_key=$( (echo "$base"; cd "$project" && echo "$sources" | xargs sha256sum) | sha256sum | cut -c1-12)
disk="$cache/disk-$disk_key"
if [ ! -f "$disk/root.img" ]; then
    disk_started_s=$(date +%s)
    work="$(mktemp -d "$cache/build.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    mkdir "$work/root"
    tar -C "$work/root" -xf "$base"
    log "assembling depotline's files"
    PJPROJECT_TARBALL="$project/../shared/vendor/pjproject-2.15.1.tar.gz" PYTHON="$python" \
        "$project/image_build/assemble-files.sh" "$work/files" >&2
    rm -f "$work/files/pjproject-2.15.1.tar.gz"  # the cross-compiled wheel goes in instead
    log "cross-compiling pjsua2 for aarch64"
    pjsua2_started_s=$(date +%s)
    "$here/cross-pjsua2.sh" "$work/root" "$work/files" >&2
    # the time of a real build (not of taking the cached wheel) is kept for the record
    pjsua2_build_s=$(($(date +%s) - pjsua2_started_s))
    if [ "$pjsua2_build_s" -gt 60 ]; then echo "$pjsua2_build_s" >"$cache/pjsua2_cross_build_s"; fi
    log "running the image stage in the arm64 root (qemu-user)"
    "$project/image_build/check-stage.sh" "$work/root" "$work/files" >&2
    "$here/vm-only.sh" "$work/root"
    mkdir -p "$work/disk"
    cp "$work/root/boot/vmlinuz-"* "$work/disk/vmlinuz"
    cp "$work/root/boot/initrd.img-"* "$work/disk/initrd.img"
    mkfs.ext4 -q -F -L depotroot -d "$work/root" "$work/disk/root.img" 4G
    echo $(($(date +%s) - disk_started_s)) >"$work/disk/build_s"
    rm -rf "$disk"
    mv "$work/disk" "$disk"
    rm -rf "$work"
    trap - EXIT
fi

# 3. boot it and check
record=()
if [ "${1:-}" = "--record" ]; then record=(--record "$project/docs/pi-check.json"); fi
# its own network namespace: every packet of the check stays in it (check.py)
exec unshare --net -- "$python" "$here/check.py" --disk "$disk" --started "$started_s" "${record[@]}"
