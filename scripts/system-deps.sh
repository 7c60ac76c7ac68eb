#!/usr/bin/env bash
# Installs the Debian packages banhao needs, only when they are missing (issue 10, build 1).
#
#   scripts/system-deps.sh            # what `make demo`, `make test` and .ci/run call
#   scripts/system-deps.sh --bench    # also wrk (HTTP benchmarks)
#   scripts/system-deps.sh --check    # only report; exit 1 when something is missing
#
# The packages: chromium (browser tests drive Debian's Chromium), libatomic1 (the Playwright
# driver's Node.js needs it; a minimal Debian lacks it), fonts-noto-cjk (the CJK fonts
# embedded in every PDF), libpango-1.0-0, libpangoft2-1.0-0 and libharfbuzz-subset0 (WeasyPrint).
# Everything present: one dpkg-query, no network, well under a second. Missing: apt-get update
# and install, as root or through sudo. BANHAO_SKIP_SYSTEM_DEPS=1 skips it all (a machine
# managed otherwise); a system without apt-get/dpkg gets a note and no failure.
set -euo pipefail

PACKAGES=(chromium libatomic1 fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
CHECK_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --bench) PACKAGES+=(wrk) ;;
    --check) CHECK_ONLY=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "system-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "${BANHAO_SKIP_SYSTEM_DEPS:-0}" = "1" ]; then
  exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install by hand: ${PACKAGES[*]} (see README)." >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
  case "$status" in
    ii*) ;;
    *) missing+=("$pkg") ;;
  esac
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$CHECK_ONLY" = "1" ]; then
  echo "system-deps: missing ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" = "0" ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "system-deps: missing ${missing[*]}, and neither root nor sudo is available." >&2
  echo "  As root run: apt-get install ${missing[*]}   (or set BANHAO_SKIP_SYSTEM_DEPS=1)" >&2
  exit 1
fi

echo "==> installing Debian packages: ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
echo "==> installed: ${missing[*]}"
