#!/usr/bin/env bash
# Installs what `npm run test:reliability` needs beyond `npm test`'s tools: Schemathesis (pinned,
# from PyPI) into .tools/schemathesis-venv. Idempotent and fast when it is there: a stamp file
# records the pin.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
venv=.tools/schemathesis-venv
stamp="$venv/.sealflow-pins"
pins="schemathesis==$SCHEMATHESIS_VERSION"

if [ -x "$venv/bin/schemathesis" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; then
  exit 0
fi
echo "[setup] installing Schemathesis $SCHEMATHESIS_VERSION into $venv …"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$pins"
"$venv/bin/schemathesis" --version >/dev/null
echo "$pins" > "$stamp"
