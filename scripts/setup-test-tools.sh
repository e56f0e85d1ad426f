#!/usr/bin/env bash
# Installs what the test suite runs against, where it is missing; `npm test` calls it first,
# so a fresh machine needs nothing but `npm ci && npm test`:
#   - from Debian (as root, only what is missing): poppler-utils (pdfsig, pdftoppm, pdftotext),
#     qpdf, openssl, python3-venv, chromium (the browser tests), jq and curl (the README's
#     worked example);
#   - pyHanko (pinned) into .tools/pyhanko-venv, the second independent PAdES validator.
#   - docker compose (pinned) into .tools/docker-compose, built with Go (for `docker compose config`).
# The Temporal CLI comes from scripts/setup-temporal.mjs. Idempotent and fast when everything
# is there: a stamp file records the pinned pyHanko versions.
set -euo pipefail
cd "$(dirname "$0")/.."

PYHANKO_VERSION=0.38.0
PYHANKO_CLI_VERSION=0.6.0
venv=.tools/pyhanko-venv
stamp="$venv/.sealflow-pins"
pins="pyhanko==$PYHANKO_VERSION pyhanko-cli==$PYHANKO_CLI_VERSION"

need_apt=()
command -v pdfsig >/dev/null || need_apt+=(poppler-utils)
command -v qpdf >/dev/null || need_apt+=(qpdf)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v jq >/dev/null || need_apt+=(jq)
command -v curl >/dev/null || need_apt+=(curl)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "[setup] the tests need these Debian packages: ${need_apt[*]}" >&2
    echo "[setup] install them (sudo apt-get install ${need_apt[*]}) or run npm test as root" >&2
    exit 1
  fi
  echo "[setup] installing ${need_apt[*]} from Debian …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# docker compose (the Compose plugin, pinned), built from the Go module proxy with the machine's Go
# (test/deploy/compose.test.ts runs its `config` on docker-compose.yml; that needs no Docker engine).
# Debian bookworm has only the retired Compose v1, which refuses today's compose files.
COMPOSE_VERSION=v5.6.0
compose_dir=.tools/docker-compose
if [ ! -x "$compose_dir/docker-compose" ] || [ "$(cat "$compose_dir/.sealflow-version" 2>/dev/null)" != "$COMPOSE_VERSION" ]; then
  if ! command -v go >/dev/null; then
    echo "[setup] Go is needed to build docker compose (https://go.dev/dl/, 1.26.8 or newer; Debian's golang is too old)" >&2
    exit 1
  fi
  echo "[setup] building docker compose $COMPOSE_VERSION into $compose_dir (Go module proxy; a minute or two with a warm Go cache) …"
  module_dir=$(GOTOOLCHAIN=local go mod download -json "github.com/docker/compose/v5@$COMPOSE_VERSION" \
    | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).Dir))')
  rm -rf "$compose_dir" && mkdir -p "$compose_dir"
  # Built inside the module (its go.mod has exclude directives, which `go install pkg@version` refuses).
  (cd "$module_dir" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false nice -n 10 \
    go build -trimpath -ldflags="-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" -o "$OLDPWD/$compose_dir/docker-compose" ./cmd)
  echo "$COMPOSE_VERSION" > "$compose_dir/.sealflow-version"
fi

if [ -x "$venv/bin/pyhanko" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; then
  exit 0
fi
echo "[setup] installing pyHanko $PYHANKO_VERSION into $venv …"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "pyhanko[opentype]==$PYHANKO_VERSION" "pyhanko-cli==$PYHANKO_CLI_VERSION"
"$venv/bin/pyhanko" --version >/dev/null
echo "$pins" > "$stamp"
