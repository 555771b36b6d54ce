# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this file
# Common environment for the CRM-IMS scripts. Source it, do not run it:
#
#     source scripts/env.sh
#
# It sets REPO_ROOT, puts the Rust tools ($CARGO_HOME/bin) and the npm dev tools
# (node_modules/.bin: wasm-opt from binaryen@132, playwright) first on PATH, so that
# Trunk finds the pinned wasm-bindgen and wasm-opt and never downloads its own, and
# defines a few small helpers (log, die, port_open, db_url_with_name).

if [ -z "${BASH_VERSION:-}" ]; then
    echo "scripts/env.sh needs bash" >&2
    # shellcheck disable=SC2317
    return 1 2>/dev/null || exit 1
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
    *":$REPO_ROOT/node_modules/.bin:"*) ;;
    *) PATH="$REPO_ROOT/node_modules/.bin:$PATH" ;;
esac
case ":$PATH:" in
    *":$CARGO_BIN:"*) ;;
    *) PATH="$CARGO_BIN:$PATH" ;;
esac
export PATH

# Trunk: never download tools, never ask crates.io for a newer Trunk.
export TRUNK_SKIP_VERSION_CHECK=true
# Never let Playwright try to download browsers (there is no route to its CDN).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Non-interactive package installs.
export DEBIAN_FRONTEND=noninteractive
# Cargo: plain progress output in CI logs.
if [ "${CI:-}" = "true" ]; then
    export CARGO_TERM_PROGRESS_WHEN=never
fi

# Pinned tool versions (must match Cargo.toml's `wasm-bindgen = "=0.2.130"` and Trunk.toml's [tools]).
WASM_BINDGEN_VERSION="0.2.130"
TRUNK_VERSION="0.21.14"
SCHEMATHESIS_VERSION="4.32.5"
DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/crm_ims"

# Colours only on a terminal (and never with NO_COLOR).
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
    C_BLUE=$'\033[1;34m' C_YELLOW=$'\033[1;33m' C_RED=$'\033[1;31m' C_GREEN=$'\033[1;32m' C_OFF=$'\033[0m'
else
    C_BLUE='' C_YELLOW='' C_RED='' C_GREEN='' C_OFF=''
fi
log() { printf '%s==>%s %s\n' "$C_BLUE" "$C_OFF" "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$C_YELLOW" "$C_OFF" "$*" >&2; }
die() {
    printf '%serror:%s %s\n' "$C_RED" "$C_OFF" "$*" >&2
    exit 1
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# wait_port HOST PORT SECONDS
wait_port() {
    local i
    for ((i = 0; i < $3 * 4; i++)); do
        port_open "$1" "$2" && return 0
        sleep 0.25
    done
    return 1
}

# db_url_with_name URL NAME: the same server and credentials, another database.
#   db_url_with_name postgres://u:p@h:5432/crm_ims?sslmode=disable crm_ims_test
#   -> postgres://u:p@h:5432/crm_ims_test?sslmode=disable
db_url_with_name() {
    local url="$1" name="$2" query="" scheme rest authority
    case "$url" in *\?*) query="?${url#*\?}"; url="${url%%\?*}" ;; esac
    scheme="${url%%://*}"
    rest="${url#*://}"
    authority="${rest%%/*}"
    printf '%s://%s/%s%s\n' "$scheme" "$authority" "$name" "$query"
}

# db_url_host URL / db_url_port URL: host and port of a postgres:// URL (defaults 127.0.0.1, 5432).
db_url_host() {
    local rest="${1#*://}" hostport
    rest="${rest%%/*}"
    rest="${rest%%\?*}"
    hostport="${rest##*@}"
    case "$hostport" in
        \[*\]*) hostport="${hostport#\[}"; printf '%s\n' "${hostport%%\]*}" ;;
        "") printf '127.0.0.1\n' ;;
        *) printf '%s\n' "${hostport%%:*}" ;;
    esac
}
db_url_port() {
    local rest="${1#*://}" hostport
    rest="${rest%%/*}"
    rest="${rest%%\?*}"
    hostport="${rest##*@}"
    hostport="${hostport##*\]}"
    case "$hostport" in
        *:*) printf '%s\n' "${hostport##*:}" ;;
        *) printf '5432\n' ;;
    esac
}

# dotenv_get NAME: the value of NAME in the repository's .env file (the binary reads it too), if any.
dotenv_get() {
    local file="$REPO_ROOT/.env" line
    [ -f "$file" ] || return 1
    line="$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1=" "$file" | tail -n 1)" || return 1
    line="${line#*=}"
    line="${line%\"}"; line="${line#\"}"
    line="${line%\'}"; line="${line#\'}"
    printf '%s\n' "$line"
}

# now_s: seconds since the epoch (for phase timings).
now_s() { date +%s; }
fmt_duration() {
    local s="$1"
    if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}
