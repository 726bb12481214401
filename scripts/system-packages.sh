#!/usr/bin/env bash
# Debian packages the platform needs beyond Python: CJK fonts for PDF documents (公文), and for
# the tests Debian's chromium and poppler-utils. The fonts (docs/decisions/0004-document-fonts.md):
# texlive-lang-chinese is the only Debian package with the Fandol faces, FandolFang being the one
# free 仿宋 with full GB2312 coverage (the PDF loads them from texlive's folder); fonts-noto-cjk
# covers the characters outside GB2312. --no-install-recommends keeps texlive to its base.
# Installed only when missing, and only as root; otherwise the command to run is printed and the
# caller decides whether that is fatal.
#   scripts/system-packages.sh runtime   fonts for documents
#   scripts/system-packages.sh test      fonts, chromium, poppler-utils, faketime
set -euo pipefail
want=(texlive-lang-chinese fonts-noto-cjk)
# faketime runs the suite a second time with the system clock moved ahead (scripts/test.sh).
[ "${1:-runtime}" = test ] && want+=(chromium poppler-utils faketime)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ducha: missing Debian packages: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ducha: installing Debian packages: ${missing[*]}"
apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
