#!/usr/bin/env bash
# Benchmark of live events (numbers, not a test). Loopback only.
#
#   scripts/bench-live.sh [EVENTS]   EVENTS allocations per case (default 200)
#
# Serves the release binary on 127.0.0.1:3996 over a database crm_ims_bench_live (demo data) and, with 1, 1,000
# and 10,000 WebSockets of the demo inventory user connected, measures commit -> socket latency p50/p99 (to the
# first socket and to all of them) and the server's resident memory per idle socket (server/examples/
# live_bench.rs). REDIS_URL set: the server fans out through Redis (BENCH_REDIS=0 turns it off).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

EVENTS="${1:-200}"
PORT="${BENCH_PORT:-3996}"
BASE="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
DATABASE_URL="$(db_url_with_name "$BASE" crm_ims_bench_live)"
export DATABASE_URL
if [ "${BENCH_REDIS:-1}" = "0" ]; then unset REDIS_URL; fi
SQLX_OFFLINE=true cargo build --release -p server --bins --example live_bench -q
BIN="${BENCH_BIN:-target/release/crm-ims}"
# 10,000 sockets need as many descriptors on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

$BIN migrate >/dev/null
$BIN seed --demo >/dev/null
# Load from one address and one user is the point here: no rate limit.
RATE_LIMIT_USER_PER_MINUTE=100000000 RATE_LIMIT_ADDRESS_PER_MINUTE=100000000 RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE=100000000 BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn $BIN serve >/tmp/crm-ims-bench-live.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "== crm-ims serve (pid $SERVER), REDIS_URL=${REDIS_URL:-<unset>}, $(nproc) cores"
for n in 1 1000 10000; do
    echo
    echo "== $n sockets"
    target/release/examples/live_bench "http://127.0.0.1:$PORT" "$SERVER" "$n" "$EVENTS"
done
