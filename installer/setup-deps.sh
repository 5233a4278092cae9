#!/usr/bin/env bash
# Installs the system packages Sluice builds and tests with, on Debian 12 / Ubuntu 22.04+.
# Idempotent: when every package is already present it installs nothing and exits at once.
# Runs as root, or through sudo when there is one.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    # make package: CPack finds the binaries with file and their Depends with dpkg-shlibdeps
    file dpkg-dev
    libtorrent-rasterbar-dev libboost-dev libboost-system-dev libboost-filesystem-dev
    nlohmann-json3-dev libsodium-dev libsqlite3-dev libssl-dev
    # the gate's PostgreSQL store (libpq), and the server its tests start in a temporary folder
    libpq-dev postgresql
    libgtest-dev libgmock-dev
    clang libclang-rt-dev clang-format
    nodejs npm
    # tests/interop runs these as peers and as a web seed
    aria2 transmission-cli nginx-light
    # the tracker whose scrape the gate reads for a bundle's downloads and seeds (tests start their own)
    opentracker
    # tests/e2e: the gate's clock moved to earlier days (libfaketime), and its database read whole
    faketime sqlite3
    # bench/bundle_create_bench measures sluice-bundle create beside it
    mktorrent
    # tests/e2e drives the extension in real browsers; make demo films its test pattern with ffmpeg
    chromium firefox-esr ffmpeg
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (nodesource, nvm); a working node + npm is what counts.
if command -v node >/dev/null && command -v npm >/dev/null; then
    kept=()
    for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || kept+=("$p"); done
    missing=("${kept[@]+"${kept[@]}"}")
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "setup-deps: these packages are missing and neither root nor sudo is available:" >&2
    echo "  ${missing[*]}" >&2
    exit 1
fi

echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

# Debian starts opentracker as a system service when it is installed. The tests and the demo start their own
# on loopback; a machine that had none before does not need one listening on every interface.
if [[ " ${missing[*]} " == *" opentracker "* ]] && command -v systemctl >/dev/null &&
    [[ -d /run/systemd/system ]]; then
    "${as_root[@]}" systemctl disable --now opentracker >/dev/null 2>&1 || true
fi
