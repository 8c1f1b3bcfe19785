#!/usr/bin/env bash
# Regenerates requirements.lock: the exact versions of depotline's runtime dependencies, from
# `pip freeze` of a clean virtual environment with depotline installed. pjsua2 is not in
# it: every machine builds it from the pjproject source (pjsua2/build.sh).
# Run it after changing the dependencies in pyproject.toml, and commit the result.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="$(dirname "$here")"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$project"
{
    echo "# depotline runtime dependencies, pinned (image_build/lock-requirements.sh writes this)."
    echo "# Python $("$work/venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])');" \
        "pjsua2 built from source: image_build/pjsua2/build.sh."
    "$work/venv/bin/pip" freeze --disable-pip-version-check --exclude-editable \
        | grep -v -i -E '^(depotline|pjsua2)(==| @)' \
        | LC_ALL=C sort -f
} >"$here/requirements.lock"
echo "wrote $here/requirements.lock"
