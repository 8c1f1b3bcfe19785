#!/usr/bin/env bash
# Collects what the image stage installs into one directory (default: the stage's files/):
# the depotline wheel, requirements.lock, the systemd units and udev rules, the first-boot
# script, the starting configuration, the documentation, the pjsua2 build script and (with
# PJPROJECT_TARBALL set) the pjproject release it builds from, else this machine's pjsua2 wheel.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="$(dirname "$here")"
out="${1:-$here/stage-depotline/01-depotline/files}"
python="${PYTHON:-python3}"

rm -rf "$out"
mkdir -p "$out/systemd" "$out/docs"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$out" "$project"
cp "$here/requirements.lock" "$out/"
cp "$project"/systemd/* "$out/systemd/"
cp "$here/files/depotline-firstboot" "$here/files/depotline.toml" "$out/"
cp "$project"/docs/*.md "$out/docs/"
if [ -d "$here/pjsua2" ]; then
    cp -r "$here/pjsua2" "$out/pjsua2"
fi
# the pjproject release the Pi builds pjsua2 from; without it (the x86_64 test root, same
# machine) the pjsua2 wheel this machine built, from its cache (built first if need be)
if [ -n "${PJPROJECT_TARBALL:-}" ]; then
    cp "$PJPROJECT_TARBALL" "$out/pjproject-2.15.1.tar.gz"
else
    PJSUA2_COPY_TO="$out" PYTHON="$python" "$here/pjsua2/build.sh"
fi
echo "assembled $(ls "$out"/depotline-*.whl) and the box files in $out"
