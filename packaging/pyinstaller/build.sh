#!/usr/bin/env bash
# Reproducible one-folder build of what is committed: exports REF (default HEAD) of this repository
# into WORK/src (the working tree is not touched), installs it normally (not editable) with its dev
# extra into a fresh venv WORK/venv, runs PyInstaller with aep-console.spec, then smoke-tests the bundle.
#   packaging/pyinstaller/build.sh            # -> $WORK/dist/aep-console/aep-console
#   WORK=/tmp/b REF=v0.1.0 PYTHON=python3.11 SMOKE=0 packaging/pyinstaller/build.sh
# SPEC (default: the exported tree's packaging/pyinstaller/aep-console.spec) tries an uncommitted spec.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/aep-console-build}
REF=${REF:-HEAD}
PYTHON=${PYTHON:-python3}
SMOKE=${SMOKE:-1}
SPEC=${SPEC:-packaging/pyinstaller/aep-console.spec}

rm -rf "$WORK"
mkdir -p "$WORK/src"
git -C "$REPO" archive "$REF" | tar -x -C "$WORK/src"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "$WORK/src[dev]"

start=$(date +%s)
(cd "$WORK/src" && "$WORK/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$WORK/dist" --workpath "$WORK/build" "$SPEC")
bundle="$WORK/dist/aep-console"
echo "built $bundle in $(( $(date +%s) - start )) s, $(du -sh "$bundle" | cut -f1)"

if [ "$SMOKE" = 1 ]; then
    home=$(mktemp -d)
    trap 'rm -rf "$home"' EXIT
    export AEP_CONSOLE_HOME="$home"
    "$bundle/aep-console" --version
    "$bundle/aep-console" profiles list  # stderr: the keyring backend line
    # starts the bundle's own sandbox (`aep-console sandbox-server`), loads the XDM package data
    "$bundle/aep-console" setup tutorial --profile "Local sandbox" --json 2>/dev/null | grep -q '"inlet_url"'
    echo "smoke test passed"
fi
