#!/usr/bin/env bash
# Builds the depotline Raspberry Pi OS image with pi-gen, on a Debian (bookworm) build host.
#   sudo FIRST_USER_PASS='…' PJPROJECT_TARBALL=/path/to/pjproject-2.15.1.tar.gz \
#       image_build/build.sh /path/to/pi-gen [--docker]
# pi-gen must already be on the build host (nothing is cloned here):
#   git clone --branch bookworm https://github.com/RPi-Distro/pi-gen
# and its host packages installed (pi-gen's `depends` file), or Docker for --docker, and the
# pjproject 2.15.1 release tarball downloaded beforehand (the image builds pjsua2 from it,
# image_build/pjsua2/build.sh; its sha256 is checked there):
#   https://github.com/pjsip/pjproject/archive/refs/tags/2.15.1.tar.gz
# The image lands in pi-gen's deploy/ as image_<date>-depotline-depotline.img.xz.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pi_gen="$(realpath "${1:?usage: build.sh PI_GEN_DIR [--docker]}")"
mode="${2:-}"
[ -x "$pi_gen/build.sh" ] || { echo "$pi_gen is not a pi-gen checkout" >&2; exit 1; }
: "${FIRST_USER_PASS:?set FIRST_USER_PASS: the image has no default password}"
: "${PJPROJECT_TARBALL:?set PJPROJECT_TARBALL to the pjproject-2.15.1.tar.gz release tarball}"
[ -f "$PJPROJECT_TARBALL" ] || { echo "$PJPROJECT_TARBALL does not exist" >&2; exit 1; }
export PJPROJECT_TARBALL

"$here/assemble-files.sh" "$here/stage-depotline/01-depotline/files"

# stage2 (Raspberry Pi OS Lite) is the base; only the depotline stage exports an image
touch "$pi_gen/stage2/SKIP_IMAGES"
rm -f "$pi_gen/stage2/EXPORT_IMAGE" "$pi_gen/stage2/EXPORT_NOOBS"

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
cat >"$config" <<CONFIG
IMG_NAME=depotline
RELEASE=bookworm
TARGET_HOSTNAME=${TARGET_HOSTNAME:-depotline}
FIRST_USER_NAME=${FIRST_USER_NAME:-depotadmin}
FIRST_USER_PASS='${FIRST_USER_PASS}'
DISABLE_FIRST_BOOT_USER_RENAME=1
ENABLE_SSH=${ENABLE_SSH:-0}
LOCALE_DEFAULT=${LOCALE_DEFAULT:-en_GB.UTF-8}
TIMEZONE_DEFAULT=${TIMEZONE_DEFAULT:-Asia/Shanghai}
KEYBOARD_KEYMAP=${KEYBOARD_KEYMAP:-us}
KEYBOARD_LAYOUT="${KEYBOARD_LAYOUT:-English (US)}"
STAGE_LIST="stage0 stage1 stage2 $here/stage-depotline"
DEPLOY_COMPRESSION=xz
CONFIG

cd "$pi_gen"
if [ "$mode" = "--docker" ]; then
    # build-docker.sh mounts only the pi-gen directory: copy the stage in
    rm -rf "$pi_gen/stage-depotline"
    cp -r "$here/stage-depotline" "$pi_gen/stage-depotline"
    sed -i "s#^STAGE_LIST=.*#STAGE_LIST=\"stage0 stage1 stage2 stage-depotline\"#" "$config"
    ./build-docker.sh -c "$config"
else
    ./build.sh -c "$config"
fi
