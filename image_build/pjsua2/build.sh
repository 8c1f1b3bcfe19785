#!/bin/sh
# Build pjproject 2.15.1 and its SWIG Python module (pjsua2) for the Raspberry Pi image.
#
# The PyPI wheel pjsua2-python exists for x86_64 only and allows 4 calls; the image builds the
# same release from source with config_site.h (64 calls, no video). Run inside the image's
# chroot (pi-gen stage) or on a Pi, with the release tarball the image build supplies:
#
#   image_build/pjsua2/build.sh /path/to/pjproject-2.15.1.tar.gz /path/to/venv
#
# Needs: build-essential python3-dev swig libasound2-dev libssl-dev (Debian packages).
# pjproject is GPL-2.0 (or commercial): the image ships its source offer with depotline's.
set -eu

TARBALL=${1:?usage: build.sh PJPROJECT_TARBALL VENV}
VENV=${2:?usage: build.sh PJPROJECT_TARBALL VENV}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$(mktemp -d)}
JOBS=${JOBS:-$(nproc)}

echo "building pjproject from $TARBALL in $WORK"
tar -xzf "$TARBALL" -C "$WORK"
SRC="$WORK/pjproject-2.15.1"
test -d "$SRC" || { echo "the tarball has no pjproject-2.15.1 directory" >&2; exit 1; }

cp "$HERE/config_site.h" "$SRC/pjlib/include/pj/config_site.h"

cd "$SRC"
# -fPIC: the static libraries are linked into the Python extension module.
# --disable-libwebrtc: its configure forces 32-bit ARM float flags that break aarch64 builds.
CFLAGS="-O2 -fPIC" CXXFLAGS="-O2 -fPIC" ./configure \
    --prefix=/usr/local \
    --disable-video \
    --disable-libwebrtc \
    --disable-libyuv \
    --disable-v4l2 \
    --disable-openh264 \
    --disable-ffmpeg \
    --disable-sdl \
    --enable-shared=no
make dep
make -j"$JOBS"

cd pjsip-apps/src/swig/python
make PYTHON_EXE="$VENV/bin/python"
"$VENV/bin/python" -m pip install --no-deps --no-build-isolation .

"$VENV/bin/python" - <<'PY'
import pjsua2
ep = pjsua2.Endpoint()
ep.libCreate()
print("pjsua2", ep.libVersion().full, "installed")
ep.libDestroy()
PY
