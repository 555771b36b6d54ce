#!/usr/bin/env bash
# Builds and starts CRM-IMS (README command 1):
#   1. scripts/setup.sh (tools, npm dev tools, a local PostgreSQL if none is configured)
#   2. the browser app: trunk build --release --offline -> $SITE_DIR (default target/site)
#   3. the server: SQLX_OFFLINE=true cargo build --release -p server -> target/release/crm-ims
#   4. crm-ims migrate, crm-ims seed --demo (idempotent; prints the demo logins)
#   5. exec crm-ims serve (prints the URL; BIND_ADDR, default 127.0.0.1:3000)
#
# Options:  --no-setup  skip step 1        --rebuild  rebuild the browser app even if it looks current
# Configuration comes from the environment or a .env file in the repository root (see README.md).
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

DO_SETUP=1
REBUILD=0
while [ $# -gt 0 ]; do
    case "$1" in
        --no-setup) DO_SETUP=0 ;;
        --rebuild) REBUILD=1 ;;
        -h | --help)
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done

t0="$(now_s)"
step() {
    log "[$(fmt_duration $(($(now_s) - t0)))] $*"
}

if [ "$DO_SETUP" -eq 1 ]; then
    step "setup"
    bash scripts/setup.sh
fi

# --- the browser app ---------------------------------------------------------------------------
export SITE_DIR="${SITE_DIR:-target/site}"
stamp="target/.crm-ims-site-release"
# Everything the browser build reads. Directories count too: adding or deleting a file changes
# their mtime. Anything newer than the stamp of the last successful release build means rebuild.
inputs=()
for f in Trunk.toml Cargo.toml Cargo.lock package-lock.json frontend app src style public; do
    [ -e "$f" ] && inputs+=("$f")
done
site_current() {
    [ "$REBUILD" -eq 0 ] || return 1
    [ -f "$stamp" ] && [ -f "$SITE_DIR/index.html" ] || return 1
    # the stamp holds the folder and the mtime of the index.html we built (a later build by hand,
    # e.g. a debug build into the same folder, changes it)
    [ "$(cat "$stamp")" = "$SITE_DIR $(stat -c %Y "$SITE_DIR/index.html")" ] || return 1
    # the stamp's own mtime is the start of that build
    [ -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit 2>/dev/null)" ]
}
if site_current; then
    step "browser app: $SITE_DIR is newer than all its inputs, skipping trunk (--rebuild forces it)"
else
    step "browser app: trunk build --release --offline --dist $SITE_DIR"
    mkdir -p target
    rm -f "$stamp"
    touch "$stamp.start"
    trunk build --release --offline --dist "$SITE_DIR"
    printf '%s %s\n' "$SITE_DIR" "$(stat -c %Y "$SITE_DIR/index.html")" >"$stamp"
    touch -r "$stamp.start" "$stamp"
    rm -f "$stamp.start"
fi

# --- the server --------------------------------------------------------------------------------
step "server: cargo build --release -p server"
SQLX_OFFLINE="${SQLX_OFFLINE:-true}" cargo build --release -p server
bin="$REPO_ROOT/target/release/crm-ims"
[ -x "$bin" ] || die "$bin was not built"

step "crm-ims migrate"
"$bin" migrate

step "crm-ims seed --demo"
"$bin" seed --demo

step "crm-ims serve (Ctrl-C stops it)"
exec "$bin" serve
