#!/usr/bin/env bash
# A PostgreSQL cluster for the benchmarks, configured the way a production server of this size is
# (docs/operations.md, "PostgreSQL settings"), so that the numbers are not those of Debian's defaults
# (shared_buffers = 128MB for a 14 GB database). Starts it if it is not running and prints its base URL:
#
#   BASE="$(scripts/bench-pg.sh)"        # postgres://postgres@127.0.0.1:5433/postgres
#   scripts/bench-pg.sh stop
#
# The cluster lives in $BENCH_PG_DIR (default /var/tmp/crm-ims-bench-pg) and listens on 127.0.0.1:$BENCH_PG_PORT
# (default 5433) with trust authentication; it never touches the machine's own PostgreSQL.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

DIR="${BENCH_PG_DIR:-/var/tmp/crm-ims-bench-pg}"
PORT="${BENCH_PG_PORT:-5433}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$BIN/initdb" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)"

# The server refuses to run as root: run its tools as the postgres user then.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = "stop" ]; then
    as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    exit 0
fi

if [ ! -f "$DIR/PG_VERSION" ]; then
    log "creating the benchmark cluster in $DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
    as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # A quarter of the memory for shared buffers, planner costs for SSDs, room for bulk loads.
    mem_kb="$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
    cat >>"$DIR/postgresql.conf" <<EOF
# crm-ims benchmark settings (scripts/bench-pg.sh; docs/operations.md)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
shared_buffers = $((mem_kb / 4 / 1024))MB
effective_cache_size = $((mem_kb * 3 / 4 / 1024))MB
work_mem = 16MB
maintenance_work_mem = 1GB
random_page_cost = 1.1
effective_io_concurrency = 200
max_wal_size = 8GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
wal_compression = on
# Where a request's time goes, per statement (planning and execution): SELECT … FROM pg_stat_statements.
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track_planning = on
EOF
fi

if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null \
        || die "the benchmark cluster did not start (see $DIR/server.log)"
fi
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
