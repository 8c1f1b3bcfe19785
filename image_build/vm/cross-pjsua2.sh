#!/usr/bin/env bash
# pjsua2 for the arm64 root, cross-compiled on this machine by image_build/pjsua2/build.sh (the
# same source, config_site.h and patches as on a PC and on the Pi) with Debian's aarch64
# toolchain against the root's own headers and libraries (--sysroot). Cross-compiling takes
# about as long as the PC build; compiling natively inside the root under qemu-user runs
# every compiler process emulated, 11 times slower (measured: pjsua_call.c at -O2, 16 s of
# CPU against 1.5 s; docs/box.md, "The emulated Pi").
#   image_build/vm/cross-pjsua2.sh ROOT OUT_DIR
# ROOT is an arm64 root from build-base.sh (unpacked); the wheel is copied into OUT_DIR and
# cached like every pjsua2 build (its key names the architecture).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(realpath "${1:?usage: cross-pjsua2.sh ROOT OUT_DIR}")"
out="$(realpath "${2:?usage: cross-pjsua2.sh ROOT OUT_DIR}")"
triplet=aarch64-linux-gnu
command -v "$triplet-gcc" >/dev/null || {
    echo "no $triplet-gcc: apt-get install gcc-$triplet g++-$triplet" >&2
    exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A Python of this machine that builds extension modules for the root: the root's sysconfig
# data (compiler, extension suffix) and platform tag, setuptools and wheel from a build venv.
sysconfig="_sysconfigdata__linux_$triplet"
cp "$root/usr/lib/python3.11/$sysconfig.py" "$work/"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q setuptools wheel
cat >"$work/python" <<PYTHON
#!/bin/sh
export _PYTHON_HOST_PLATFORM=linux-aarch64 _PYTHON_SYSCONFIGDATA_NAME=$sysconfig PYTHONPATH="$work"
exec "$work/venv/bin/python" "\$@"
PYTHON
chmod +x "$work/python"

export PJSUA2_HOST="$triplet" PYTHON="$work/python" PJSUA2_COPY_TO="$out"
export CC="$triplet-gcc --sysroot=$root" CXX="$triplet-g++ --sysroot=$root"
# the root's Python headers, before this machine's (same version, other architecture)
export CPPFLAGS="-I$root/usr/include/python3.11"
export LDSHARED="$triplet-gcc --sysroot=$root -shared"
export PKG_CONFIG_SYSROOT_DIR="$root"
export PKG_CONFIG_LIBDIR="$root/usr/lib/$triplet/pkgconfig:$root/usr/share/pkgconfig"
# build.sh runs its limits probe: an arm64 program, run by qemu-user with the root's loader
export QEMU_LD_PREFIX="$root"
mkdir -p "$out"
"$here/../pjsua2/build.sh"
