#!/usr/bin/env bash
# Installs the independent validators the signing tests run against our PDFs:
#   - pyHanko (PAdES validation incl. timestamps) into .tools/pyhanko-venv (pinned);
#   - poppler-utils (pdfsig) and qpdf from Debian, only when missing;
#   - openssl (ts -verify), only when missing.
# Idempotent and fast when everything is there: a stamp file records the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYHANKO_VERSION=0.38.0
PYHANKO_CLI_VERSION=0.6.0
venv=.tools/pyhanko-venv
stamp="$venv/.sealflow-pins"
pins="pyhanko==$PYHANKO_VERSION pyhanko-cli==$PYHANKO_CLI_VERSION"

need_apt=()
command -v pdfsig >/dev/null || need_apt+=(poppler-utils)
command -v qpdf >/dev/null || need_apt+=(qpdf)
command -v openssl >/dev/null || need_apt+=(openssl)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

if [ -x "$venv/bin/pyhanko" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; then
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "pyhanko[opentype]==$PYHANKO_VERSION" "pyhanko-cli==$PYHANKO_CLI_VERSION"
"$venv/bin/pyhanko" --version >/dev/null
echo "$pins" > "$stamp"
