#!/bin/sh
# Build pjproject 2.15.1 and its official SWIG Python module (pjsua2) as a wheel, from the release
# source with depotline's config_site.h, on x86_64 and aarch64 alike, and install it into a venv:
#
#   image_build/pjsua2/build.sh [VENV]
#
# The wheel is cached outside the checkout, keyed by pjproject version, the sha256 of
# config_site.h and of the patches, the Python version and the architecture, so a machine builds
# it once (about 5 minutes on 2 cores); later runs only install it. Next to the wheel,
# limits.json records the build's limits (calls, players, recorders, conference ports, ioqueue
# handles); the wheel carries the same figures as the module pjsua2_build (LIMITS), which the
# SIP driver's admission rule and check-config read.
#
# The release tarball comes from $PJPROJECT_TARBALL, else ../shared/vendor/ beside the checkout,
# else the upstream release URL; its sha256 is checked every time.
#
# A small test build (make test): PJSUA2_MAX_CALLS=8 builds the same source with PJSUA_MAX_CALLS 8
# and a trimmed configure (no sound device, G.711 only, no SSL/SRTP: about 2.5 minutes on 2 cores
# instead of 5), under its own cache key; PJSUA2_TARGET=DIR unpacks it into DIR instead of the
# venv (the module names are the same: a test puts DIR first on PYTHONPATH).
#
# Environment: PJPROJECT_TARBALL, PJSUA2_COPY_TO (a directory to copy the wheel into, for the
# image stage's x86_64 test root), PJSUA2_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/depotline/
# pjsua2), PYTHON (default VENV/bin/python, else python3), JOBS (default nproc), PJSUA2_HOST (a
# GNU triplet such as aarch64-linux-gnu to cross-compile; CC, CXX and PYTHON then target it, as
# image_build/vm/cross-pjsua2.sh sets them).
# Needs: build-essential python3-dev swig libasound2-dev libssl-dev (.ci/setup-system).
# pjproject is GPL-2.0-or-later (or commercial): the image ships its source offer.
set -eu

die() { echo "pjsua2 build: $*" >&2; exit 1; }

VENV=${1:-}
if [ -n "$VENV" ]; then
    [ -d "$VENV" ] || die "$VENV is not a virtual environment (make setup creates .venv)"
    VENV=$(cd "$VENV" && pwd)
fi
TARGET=${PJSUA2_TARGET:-}
if [ -n "$TARGET" ]; then  # absolute: the build changes directory before installing
    mkdir -p "$TARGET" && TARGET=$(cd "$TARGET" && pwd)
fi
HERE=$(cd "$(dirname "$0")" && pwd)
CHECKOUT=$(cd "$HERE/../.." && pwd)
VERSION=2.15.1
SHA256=380bb718c991a662a15288210d580861ab4ce25222f50043313159ad3f267b8e
URL="https://github.com/pjsip/pjproject/archive/refs/tags/$VERSION.tar.gz"
VENDOR="$CHECKOUT/../shared/vendor/pjproject-$VERSION.tar.gz"
JOBS=${JOBS:-$(nproc)}
if [ -n "$VENV" ]; then PYTHON=${PYTHON:-$VENV/bin/python}; else PYTHON=${PYTHON:-python3}; fi

pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
arch=${PJSUA2_HOST:-$(uname -m)}
arch=${arch%%-*}
MAX_CALLS=${PJSUA2_MAX_CALLS:-}
case "$MAX_CALLS" in
'' | *[!0-9]*) [ -z "$MAX_CALLS" ] || die "PJSUA2_MAX_CALLS must be a number of call legs, not '$MAX_CALLS'" ;;
esac
settings=$(cat "$HERE/config_site.h" "$HERE"/*.patch 2>/dev/null | sha256sum | cut -c1-12)
key="pjproject-$VERSION-site-$settings${MAX_CALLS:+-calls$MAX_CALLS}-py$pyver-$arch"
CACHE=${PJSUA2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/depotline/pjsua2}/$key

install_wheel() {
    if [ -n "${PJSUA2_COPY_TO:-}" ]; then cp "$CACHE"/pjsua2-*.whl "$PJSUA2_COPY_TO/"; fi
    if [ -n "$TARGET" ]; then
        "$PYTHON" -m pip install -q --no-deps --upgrade --target "$TARGET" "$CACHE"/pjsua2-*.whl
        PYTHONPATH="$TARGET" "$PYTHON" -c 'import pjsua2, pjsua2_build; print("pjsua2", pjsua2_build.LIMITS)'
        return 0
    fi
    [ -n "$VENV" ] || return 0
    # The PyPI wheel (4 call legs) ships the same module names: never both.
    "$VENV/bin/python" -m pip uninstall -q -y pjsua2-python 2>/dev/null || true
    "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$CACHE"/pjsua2-*.whl
    "$VENV/bin/python" -c 'import pjsua2, pjsua2_build; print("pjsua2", pjsua2_build.LIMITS)'
}

if ls "$CACHE"/pjsua2-*.whl >/dev/null 2>&1 && [ -f "$CACHE/limits.json" ]; then
    echo "pjsua2: cached wheel $CACHE"
    install_wheel
    exit 0
fi

# The release source, checked against the one sha256 every copy must have.
tarball=${PJPROJECT_TARBALL:-}
if [ -z "$tarball" ] && [ -f "$VENDOR" ]; then tarball=$VENDOR; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -z "$tarball" ]; then
    echo "pjsua2: no PJPROJECT_TARBALL and no $VENDOR; downloading $URL"
    tarball="$WORK/pjproject-$VERSION.tar.gz"
    if ! { command -v curl >/dev/null && curl -fsSL -o "$tarball" "$URL"; } &&
        ! { command -v wget >/dev/null && wget -q -O "$tarball" "$URL"; }; then
        die "could not download $URL. Put pjproject-$VERSION.tar.gz (sha256 $SHA256) in
  $VENDOR
or set PJPROJECT_TARBALL=/path/to/pjproject-$VERSION.tar.gz"
    fi
fi
[ -f "$tarball" ] || die "$tarball does not exist. Put pjproject-$VERSION.tar.gz in
  $VENDOR
or set PJPROJECT_TARBALL=/path/to/pjproject-$VERSION.tar.gz"
got=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "$tarball has sha256 $got, not pjproject $VERSION's $SHA256.
Replace it with the pjproject-$VERSION release tarball (in $VENDOR or PJPROJECT_TARBALL)."

echo "pjsua2: building pjproject $VERSION from $tarball in $WORK (key $key)"
tar -xzf "$tarball" -C "$WORK"
SRC="$WORK/pjproject-$VERSION"
[ -d "$SRC" ] || die "$tarball has no pjproject-$VERSION directory at its top"
cp "$HERE/config_site.h" "$SRC/pjlib/include/pj/config_site.h"
trimmed=""
if [ -n "$MAX_CALLS" ]; then
    sed -i "s/^#define PJSUA_MAX_CALLS .*/#define PJSUA_MAX_CALLS $MAX_CALLS/" \
        "$SRC/pjlib/include/pj/config_site.h"
    grep -q "^#define PJSUA_MAX_CALLS $MAX_CALLS\$" "$SRC/pjlib/include/pj/config_site.h" ||
        die "config_site.h has no PJSUA_MAX_CALLS line to set to $MAX_CALLS"
    # the test build needs no sound device and no codec but G.711 (it never ships)
    trimmed="--disable-sound --disable-speex-aec --disable-l16-codec --disable-gsm-codec
        --disable-g722-codec --disable-g7221-codec --disable-speex-codec --disable-ilbc-codec
        --disable-ssl --disable-opencore-amr --disable-silk --disable-opus --disable-bcg729
        --disable-lyra --disable-libsrtp --disable-upnp --disable-vpx"
fi
for p in "$HERE"/*.patch; do
    [ -f "$p" ] || continue
    (cd "$SRC" && patch -s -p1 <"$p") || die "patch $p does not apply to pjproject $VERSION"
done

cd "$SRC"
# -fPIC: the static libraries are linked into the Python extension module. -DNDEBUG: plain
# assert() is off, like pj_assert() with PJ_DEBUG 0 (config_site.h).
# --enable-epoll: the ioqueue on epoll, for PJ_IOQUEUE_MAX_HANDLES beyond FD_SETSIZE.
# --disable-libwebrtc: its configure forces 32-bit ARM float flags that break aarch64 builds.
CFLAGS="-O2 -fPIC -DNDEBUG" CXXFLAGS="-O2 -fPIC -DNDEBUG" ./configure ${PJSUA2_HOST:+--host="$PJSUA2_HOST"} \
    --enable-epoll \
    --disable-video \
    --disable-libwebrtc \
    --disable-libyuv \
    --disable-v4l2 \
    --disable-openh264 \
    --disable-ffmpeg \
    --disable-sdl \
    $trimmed \
    --enable-shared=no >"$WORK/configure.log" 2>&1 || { tail -30 "$WORK/configure.log"; die "configure failed"; }
grep -q 'PJ_HAS_LINUX_EPOLL 1' pjlib/include/pj/compat/os_auto.h 2>/dev/null ||
    grep -q 'ioqueue_epoll' build.mak 2>/dev/null || die "configure did not select the epoll ioqueue"
make dep >"$WORK/dep.log" 2>&1 || { tail -30 "$WORK/dep.log"; die "make dep failed"; }
# lib: the libraries only, not pjproject's sample and test programs
make -j"$JOBS" lib >"$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log"; die "make failed"; }

# The build's limits, read from pjproject's own headers as compiled, not restated here.
cat >"$WORK/limits.c" <<'C'
#include <pjsua-lib/pjsua.h>
#include <stdio.h>
int main(void) {
    printf("{\"pjproject\": \"%s\", \"max_calls\": %d, \"max_players\": %d, "
           "\"max_recorders\": %d, \"max_conf_ports\": %d, \"ioqueue_handles\": %d, "
           "\"ioqueue\": \"%s\", \"max_pkt_len\": %d}\n",
           PJ_VERSION, PJSUA_MAX_CALLS, PJSUA_MAX_PLAYERS, PJSUA_MAX_RECORDERS,
           PJSUA_MAX_CONF_PORTS, PJ_IOQUEUE_MAX_HANDLES, pj_ioqueue_name(), PJSIP_MAX_PKT_LEN);
    return 0;
}
C
(cd pjsip-apps/src/swig/python &&
    ${CC:-cc} -o "$WORK/limits" "$WORK/limits.c" $(make --no-print-directory -f helper.mak cflags) \
        $(make --no-print-directory -f helper.mak ldflags) \
        $(make --no-print-directory -f helper.mak libs | sed 's/^/-l/') -lstdc++) ||
    die "could not compile the limits probe"
"$WORK/limits" >"$WORK/limits.json"
cat "$WORK/limits.json"

cd pjsip-apps/src/swig/python
# The limits travel inside the wheel as a second module, so the installed stack says what it is.
printf '"""Limits of this pjsua2 build (image_build/pjsua2/build.sh)."""\n\nimport json\n\nLIMITS = json.loads(%s)\n' \
    "$("$PYTHON" -c 'import sys; print(repr(open(sys.argv[1]).read().strip()))' "$WORK/limits.json")" \
    >pjsua2_build.py
sed -i 's/py_modules=\["pjsua2"\]/py_modules=["pjsua2", "pjsua2_build"]/' setup.py
grep -q pjsua2_build setup.py || die "setup.py no longer lists py_modules as expected"
make pjsua2_wrap.cpp >"$WORK/swig.log" 2>&1 || { tail -30 "$WORK/swig.log"; die "swig failed"; }
"$PYTHON" -c 'import setuptools, wheel' 2>/dev/null || "$PYTHON" -m pip install -q setuptools wheel
# -g0: no debug information in the 200 000-line SWIG wrapper (it halves its compile time)
CFLAGS="-g0" "$PYTHON" -m pip wheel -q --no-deps --no-build-isolation -w "$WORK/wheel" . ||
    die "building the wheel failed"

mkdir -p "$CACHE"
cp "$WORK"/wheel/pjsua2-*.whl "$WORK/limits.json" "$CACHE/"
echo "pjsua2: wheel cached in $CACHE"
install_wheel
