#!/usr/bin/env bash
# Runs the depotline sub-stage of the image on a plain Debian root filesystem, the way pi-gen
# runs it (host script with ROOTFS_DIR, then the chroot script), so the stage can be checked on
# any Debian machine without pi-gen: tests/box does this on a debootstrap root.
#   image_build/check-stage.sh ROOTFS FILES_DIR
# ROOTFS must have the packages of stage-depotline/01-depotline/00-packages; FILES_DIR comes
# from assemble-files.sh. The Raspberry Pi sub-stage (00-pi-packages) is not run. Mounts
# live in a private mount namespace and vanish with it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(realpath "${1:?usage: check-stage.sh ROOTFS FILES_DIR}")"
files="$(realpath "${2:?usage: check-stage.sh ROOTFS FILES_DIR}")"
stage="$here/stage-depotline/01-depotline"

# pip inside the chroot needs the host's name server and (behind a TLS proxy) its CA bundle
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
    cp "$PIP_CERT" "$root/etc/depotline-build-ca.crt"
fi

export ROOTFS_DIR="$root" DEPOTLINE_FILES="$files"
(cd "$stage" && ./01-run.sh)

unshare --mount --propagation private bash -euo pipefail -c '
    root="$1"; script="$2"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /sys "$root/sys"
    environment=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
                 LANG=C.UTF-8 SYSTEMD_OFFLINE=1)
    if [ -f "$root/etc/depotline-build-ca.crt" ]; then
        environment+=(PIP_CERT=/etc/depotline-build-ca.crt)
    fi
    env -i "${environment[@]}" chroot "$root" /bin/bash -e <"$script"
' check-stage "$root" "$stage/01-run-chroot.sh"
rm -f "$root/etc/depotline-build-ca.crt"
echo "stage ran in $root"
