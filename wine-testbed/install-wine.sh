#!/usr/bin/env bash
# Installs what the Wine test bed (wine-testbed/) needs on a Debian machine: Wine (64-bit) to run Win32 programs and
# the mingw-w64 cross compiler to build them. Idempotent: does nothing when the tools are already there. Quiet: prints
# one line, or the tail of apt's output when it fails. Needs root (or sudo) and Debian's package repositories.
set -euo pipefail

have_tools() {
    { [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1; } \
        && { [ -x /usr/lib/wine/wineserver ] || command -v wineserver >/dev/null 2>&1; } \
        && command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1
}

if have_tools; then
    echo "install-wine: wine and mingw already installed ($(/usr/lib/wine/wine64 --version 2>/dev/null || wine64 --version 2>/dev/null || echo wine))"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-wine: apt-get not found; install Wine (wine, wine64) and gcc-mingw-w64-x86-64 by hand" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-wine: must run as root (or with sudo) to install wine wine64 gcc-mingw-w64-x86-64" >&2
        exit 1
    fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "install-wine: installing wine wine64 gcc-mingw-w64-x86-64"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        wine wine64 gcc-mingw-w64-x86-64; } >"$log" 2>&1; then
    echo "install-wine: apt-get failed; last lines:" >&2
    tail -n 30 "$log" >&2
    exit 1
fi
if ! have_tools; then
    echo "install-wine: packages installed but wine64, wineserver or x86_64-w64-mingw32-gcc still missing" >&2
    exit 1
fi
echo "install-wine: done ($(/usr/lib/wine/wine64 --version 2>/dev/null || wine64 --version))"
