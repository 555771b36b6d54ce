#!/usr/bin/env bash
# Installs everything CRM-IMS needs to build, run and test. Idempotent: each step checks first
# and a second run only checks (a couple of seconds).
#
#   scripts/setup.sh                 Rust targets/components, wasm-bindgen-cli, Trunk, npm dev tools,
#                                    and a local PostgreSQL when none is configured or running
#   scripts/setup.sh --with-browser  also Debian's chromium (for the Playwright browser tests)
#   scripts/setup.sh --with-redis    also a local Redis when REDIS_URL is unset and none is running
#   scripts/setup.sh --with-psql     also the psql client (the test script creates/drops databases)
#   scripts/setup.sh --with-schemathesis  also schemathesis (PyPI, in a venv under target/tools) for the API
#                                    conformance run of the test script
#   scripts/setup.sh --no-postgres   never install or start PostgreSQL
#
# Only package registries are used: rustup's channel (target and components), crates.io
# (cargo install), the npm registry (package-lock.json) and Debian apt.
#
# PostgreSQL policy: when DATABASE_URL is unset (in the environment and in .env) and nothing listens
# on 127.0.0.1:5432, this installs Debian's `postgresql`, starts the cluster and adds `trust` for TCP
# connections from 127.0.0.1/::1 to pg_hba.conf, so that the app's default
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_ims works without a password. That is meant for a
# development or CI machine: any local user can then connect as any role. For anything shared, set a
# password and a DATABASE_URL instead (see docs/operations.md); setup.sh then leaves PostgreSQL alone.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

WITH_BROWSER=0
WITH_REDIS=0
WITH_PSQL=0
WITH_SCHEMATHESIS=0
WITH_POSTGRES=1
APT_UPDATED=0

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

# ---------------------------------------------------------------------------------------------
# privileges and apt
# ---------------------------------------------------------------------------------------------
is_root() { [ "$(id -u)" -eq 0 ]; }

as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root for: $* (run as root or install sudo)"
    fi
}

as_user() { # as_user USER CMD...
    local user="$1"
    shift
    if [ "$(id -un)" = "$user" ]; then
        "$@"
    elif is_root; then
        runuser -u "$user" -- "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -u "$user" "$@"
    else
        die "need root to run as $user: $*"
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get not found: install these packages with your system's package manager: $*"
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    log "apt-get install -y $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# ---------------------------------------------------------------------------------------------
# System packages a machine with only rustup lacks: a C toolchain (the linker, and crates such as `ring`
# compile C) and Node.js with npm (wasm-opt, ECharts, Swagger UI, Playwright come from npm).
# ---------------------------------------------------------------------------------------------
setup_system() {
    local missing=()
    command -v cc >/dev/null 2>&1 || missing+=(build-essential)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    else
        log "system tools: C compiler, pkg-config, npm and curl present"
    fi
}

# ---------------------------------------------------------------------------------------------
# Rust: wasm target, rustfmt/clippy, wasm-bindgen-cli, Trunk
# ---------------------------------------------------------------------------------------------
# The build tools are installed with a cheaper release profile than their own: no LTO, many codegen
# units, opt-level 1. They only orchestrate (Trunk) or rewrite one wasm file once per build
# (wasm-bindgen), so the install time matters more than their speed; measured in docs/benchmarks.md.
tool_install_profile() {
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=64 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
        CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false "$@"
}

setup_rust() {
    command -v cargo >/dev/null 2>&1 ||
        die "cargo not found: install Rust with rustup first (rustup.rs), then rerun"

    if command -v rustup >/dev/null 2>&1; then
        local installed
        installed="$(rustup target list --installed)"
        if grep -qx 'wasm32-unknown-unknown' <<<"$installed"; then
            log "rust target wasm32-unknown-unknown: present"
        else
            log "rustup target add wasm32-unknown-unknown"
            rustup target add wasm32-unknown-unknown
        fi
        installed="$(rustup component list --installed)"
        local comp
        for comp in rustfmt clippy; do
            if grep -q "^$comp" <<<"$installed"; then
                log "rust component $comp: present"
            else
                log "rustup component add $comp"
                rustup component add "$comp"
            fi
        done
    else
        warn "rustup not found: make sure the wasm32-unknown-unknown target, rustfmt and clippy are installed"
    fi

    local have
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" = "$WASM_BINDGEN_VERSION" ]; then
        log "wasm-bindgen $have: present"
    else
        log "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION (found: ${have:-none}; a few minutes)"
        # Without --locked, as tried on these machines (shared/REAL-SERVERS.md).
        tool_install_profile cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
    fi

    have="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" = "$TRUNK_VERSION" ]; then
        log "trunk $have: present"
    else
        log "cargo install trunk --version $TRUNK_VERSION --locked (found: ${have:-none}; a few minutes on 2 cores)"
        tool_install_profile cargo install trunk --version "$TRUNK_VERSION" --locked --force
    fi

    hash -r
    local p
    for p in wasm-bindgen trunk; do
        case "$(command -v "$p")" in
            "$CARGO_BIN/$p") ;;
            *) warn "$p on PATH is $(command -v "$p"), not $CARGO_BIN/$p" ;;
        esac
    done
}

# ---------------------------------------------------------------------------------------------
# npm dev tools: binaryen@132 (wasm-opt), echarts@6, @playwright/test
# ---------------------------------------------------------------------------------------------
setup_npm() {
    command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20+ (Debian: apt-get install nodejs npm)"
    [ -f "$REPO_ROOT/package.json" ] || die "package.json missing in $REPO_ROOT"

    local stamp="$REPO_ROOT/node_modules/.crm-ims-setup" sum
    sum="$(cat "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] &&
        [ -x "$REPO_ROOT/node_modules/.bin/wasm-opt" ] &&
        [ -x "$REPO_ROOT/node_modules/.bin/playwright" ] &&
        [ -f "$REPO_ROOT/node_modules/echarts/package.json" ]; then
        log "npm dev tools: up to date with package-lock.json"
    else
        (
            cd "$REPO_ROOT"
            export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
            if [ -f package-lock.json ]; then
                log "npm ci (binaryen, echarts, @playwright/test; browsers are not downloaded)"
                if ! npm ci --no-audit --no-fund; then
                    [ "${CI:-}" = "true" ] && die "npm ci failed (is package-lock.json in sync with package.json?)"
                    warn "npm ci failed; trying npm install (this may update package-lock.json)"
                    npm install --no-audit --no-fund
                fi
            else
                log "npm install (no package-lock.json yet)"
                npm install --no-audit --no-fund
            fi
        )
        sum="$(cat "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" | sha256sum | cut -d' ' -f1)"
        printf '%s\n' "$sum" >"$stamp"
    fi

    local v
    v="$(wasm-opt --version 2>/dev/null || true)"
    case "$v" in
        *"version 132"*) log "wasm-opt: $v ($(command -v wasm-opt))" ;;
        *) die "wasm-opt from node_modules/.bin should be version 132, found: ${v:-none}" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

# check_pg_login URL: warn when psql cannot log in (e.g. a password is required).
check_pg_login() {
    command -v psql >/dev/null 2>&1 || return 0
    if PGCONNECT_TIMEOUT=5 psql -w "$(db_url_with_name "$1" postgres)" -Atqc 'select 1' >/dev/null 2>&1; then
        log "PostgreSQL: logged in at $(db_url_host "$1"):$(db_url_port "$1")"
    else
        warn "PostgreSQL at $(db_url_host "$1"):$(db_url_port "$1") does not accept $1 without a password;" \
            "set DATABASE_URL (with a password) or allow trust for 127.0.0.1 in pg_hba.conf"
    fi
}

# pg_trust_loopback VERSION CLUSTER: add trust for TCP from 127.0.0.1 and ::1 (once).
pg_trust_loopback() {
    local hba="/etc/postgresql/$1/$2/pg_hba.conf" marker="# crm-ims (scripts/setup.sh)"
    as_root test -f "$hba" || die "$hba not found"
    if as_root grep -qF "$marker" "$hba"; then
        return 1 # already done
    fi
    log "pg_hba.conf: trust TCP connections from 127.0.0.1 and ::1 ($hba)"
    as_root sed -i \
        -e "1i $marker: local development, trust TCP connections from this machine only" \
        -e '1i host    all             all             127.0.0.1/32            trust' \
        -e '1i host    all             all             ::1/128                 trust' \
        "$hba"
    return 0
}

# pg_cluster_status VERSION CLUSTER: prints online/down/"" (no such cluster).
pg_cluster_status() {
    pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v c="$2" '$1 == v && $2 == c { print $4 }'
}

# pg_ensure_cluster VERSION CLUSTER PORT: create (if missing), configure and start a Debian cluster.
pg_ensure_cluster() {
    local ver="$1" name="$2" port="$3" status changed=0
    status="$(pg_cluster_status "$ver" "$name")"
    if [ -z "$status" ]; then
        log "pg_createcluster $ver $name --port $port"
        as_root pg_createcluster "$ver" "$name" --port "$port"
        status="$(pg_cluster_status "$ver" "$name")"
    fi
    if pg_trust_loopback "$ver" "$name"; then changed=1; fi
    if [ "$status" = "online" ]; then
        if [ "$changed" -eq 1 ]; then
            log "pg_ctlcluster $ver $name reload"
            as_root pg_ctlcluster "$ver" "$name" reload
        fi
    else
        log "starting PostgreSQL cluster $ver/$name"
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
            as_root systemctl enable --now "postgresql@$ver-$name" ||
                as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
        else
            as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
        fi
    fi
    wait_port 127.0.0.1 "$port" 30 || die "PostgreSQL $ver/$name did not open 127.0.0.1:$port (see /var/log/postgresql/)"
}

setup_postgres() {
    local url="${DATABASE_URL:-}" source="DATABASE_URL"
    if [ -z "$url" ] && url="$(dotenv_get DATABASE_URL)" && [ -n "$url" ]; then
        source="DATABASE_URL in .env"
    fi
    if [ -n "$url" ]; then
        local host port
        host="$(db_url_host "$url")"
        port="$(db_url_port "$url")"
        if port_open "$host" "$port"; then
            log "PostgreSQL: using $source ($host:$port), nothing to install"
        else
            warn "PostgreSQL: $source points at $host:$port, which does not answer; start that server" \
                "(setup.sh only installs PostgreSQL when DATABASE_URL is unset)"
        fi
        return 0
    fi
    if port_open 127.0.0.1 5432; then
        log "PostgreSQL: already listening on 127.0.0.1:5432"
        check_pg_login "$DEFAULT_DATABASE_URL"
        return 0
    fi
    if [ "$WITH_POSTGRES" -eq 0 ]; then
        warn "PostgreSQL: nothing on 127.0.0.1:5432 and --no-postgres given; the app will not start without one"
        return 0
    fi

    log "PostgreSQL: nothing listens on 127.0.0.1:5432 and DATABASE_URL is unset -> local server"
    if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt_install postgresql
    fi
    local ver
    ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
    [ -n "$ver" ] || die "no PostgreSQL server found under /usr/lib/postgresql after installing"
    pg_ensure_cluster "$ver" main 5432
    check_pg_login "$DEFAULT_DATABASE_URL"
}

# ---------------------------------------------------------------------------------------------
# Redis (optional for the app; some tests use it when available)
# ---------------------------------------------------------------------------------------------
setup_redis() {
    if [ -n "${REDIS_URL:-}" ]; then
        log "Redis: using REDIS_URL, nothing to install"
        return 0
    fi
    if port_open 127.0.0.1 6379; then
        log "Redis: already listening on 127.0.0.1:6379"
        return 0
    fi
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    # the package may have started it already
    if wait_port 127.0.0.1 6379 2; then
        log "Redis: listening on 127.0.0.1:6379"
        return 0
    fi
    log "starting redis-server on 127.0.0.1:6379 (no persistence)"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl enable --now redis-server
    else
        local dir=/var/lib/redis logdir=/var/log/redis
        as_root mkdir -p "$dir" "$logdir"
        as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
            --save "" --appendonly no --dir "$dir" --logfile "$logdir/redis-server.log"
    fi
    wait_port 127.0.0.1 6379 15 || die "redis-server did not open 127.0.0.1:6379"
    log "Redis: listening on 127.0.0.1:6379"
}

# ---------------------------------------------------------------------------------------------
# Chromium (browser tests) and psql
# ---------------------------------------------------------------------------------------------
setup_browser() {
    local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
    if [ -x "$chromium" ]; then
        log "chromium: present ($("$chromium" --version 2>/dev/null || echo "$chromium"))"
    else
        apt_install chromium
        [ -x "$chromium" ] || die "chromium not found at $chromium after installing"
    fi
}

setup_psql() {
    if command -v psql >/dev/null 2>&1; then
        log "psql: present"
    else
        apt_install postgresql-client
    fi
}

# schemathesis, pinned, in its own venv (Debian's Python refuses system-wide pip installs).
setup_schemathesis() {
    local venv="$REPO_ROOT/target/tools/schemathesis" have
    have="$("$venv/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}' || true)"
    if [ "$have" = "$SCHEMATHESIS_VERSION" ]; then
        log "schemathesis $have: present"
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || apt_install python3
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    log "pip install schemathesis==$SCHEMATHESIS_VERSION (venv $venv)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

main() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --with-browser) WITH_BROWSER=1 ;;
            --with-redis) WITH_REDIS=1 ;;
            --with-psql) WITH_PSQL=1 ;;
            --with-schemathesis) WITH_SCHEMATHESIS=1 ;;
            --no-postgres) WITH_POSTGRES=0 ;;
            -h | --help)
                usage
                exit 0
                ;;
            *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done

    local t0
    t0="$(now_s)"
    cd "$REPO_ROOT"
    setup_system
    setup_rust
    setup_npm
    setup_postgres
    if [ "$WITH_REDIS" -eq 1 ]; then setup_redis; fi
    if [ "$WITH_PSQL" -eq 1 ]; then setup_psql; fi
    if [ "$WITH_BROWSER" -eq 1 ]; then setup_browser; fi
    if [ "$WITH_SCHEMATHESIS" -eq 1 ]; then setup_schemathesis; fi
    log "setup done in $(fmt_duration $(($(now_s) - t0)))"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
