#!/usr/bin/env bash
# Debian/Ubuntu system packages the console needs: Qt's runtime libraries (offscreen and X11),
# Xvfb for a headless display, gnome-keyring + D-Bus for a real Secret Service keyring, and Chromium
# for the Web SDK browser test.
# Installs only what is missing; runs apt-get through sudo when not root.
set -euo pipefail

PACKAGES=(
  # Qt offscreen
  libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0
  # Qt on X11 / Xvfb
  xvfb xauth libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-xfixes0
  # Secret Service keyring (gnome-keyring brings dbus-run-session; dbus-daemon for private buses)
  gnome-keyring dbus dbus-bin
)
# the Web SDK browser test drives Debian's Chromium with Playwright (never `playwright install`) and
# fetches @adobe/alloy with npm; installed without their recommended extras
BROWSER=(chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
browser_missing=()
for pkg in "${BROWSER[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || browser_missing+=("$pkg")
done
# any npm will do (e.g. the one of NodeSource's nodejs): Debian's package only when there is none
command -v npm >/dev/null 2>&1 || browser_missing+=(npm)

if ((${#missing[@]} == 0 && ${#browser_missing[@]} == 0)); then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "system packages: installing ${missing[*]} ${browser_missing[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout=120 update -qq
if ((${#missing[@]})); then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq "${missing[@]}" >/dev/null
fi
if ((${#browser_missing[@]})); then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
    --no-install-recommends "${browser_missing[@]}" >/dev/null
fi
echo "system packages: done"
