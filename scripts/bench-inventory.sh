#!/usr/bin/env bash
# Benchmark of the inventory (numbers, not a test). Loopback only.
#
#   scripts/bench-inventory.sh [A] [M]   A assets (default 100000), M stock movements in all (default 5000000)
#
# Seeds a dedicated database crm_ims_bench_inventory once (set-based SQL; the load time is printed), serves the
# release binary on 127.0.0.1:3997 and measures with wrk (BENCH_DURATION each, default 10 s):
#   - allocations/s of one unit on ONE hot SKU (every request queues on the same row lock), 4 and 32 connections;
#   - allocations/s spread over 10,000 SKUs;
#   - the stock-levels report (first page, below-reorder filter, a category) and the asset list;
# then checks that no allocation oversold (`crm-ims stock reconcile`) and prints EXPLAIN ANALYZE of the report.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

A="${1:-100000}"
M="${2:-5000000}"
PORT="${BENCH_PORT:-3997}"
DURATION="${BENCH_DURATION:-10s}"
BASE="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
DATABASE_URL="$(db_url_with_name "$BASE" crm_ims_bench_inventory)"
export DATABASE_URL
command -v wrk >/dev/null || { log "installing wrk"; if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk; else sudo apt-get install -y -qq wrk; fi >/dev/null; }
if [ -n "${BENCH_BIN:-}" ]; then
    BIN="$BENCH_BIN"
else
    SQLX_OFFLINE=true cargo build --release -p server -q
    BIN=target/release/crm-ims
fi
psql_bench() { psql "$DATABASE_URL" -qtAX "$@"; }

$BIN migrate >/dev/null
have="$(psql_bench -c "SELECT count(*) FROM assets WHERE sku LIKE 'BENCH-%'")"
if [ "$have" -lt "$A" ]; then
    echo "== seeding $((A - have)) assets, $M movements in all"
    $BIN seed --assets "$((A - have))" --movements "$M"
fi
echo "== data: $(psql_bench -c 'SELECT count(*) FROM assets') assets, $(psql_bench -c 'SELECT count(*) FROM stock_movements') movements, database $(psql_bench -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"

# Load from one address and one user is the point here: no rate limit.
RATE_LIMIT_USER_PER_MINUTE=100000000 RATE_LIMIT_ADDRESS_PER_MINUTE=100000000 RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE=100000000 BIND_ADDR="127.0.0.1:$PORT" DB_MAX_CONNECTIONS="${DB_MAX_CONNECTIONS:-16}" RUST_LOG=warn $BIN serve >/tmp/crm-ims-bench-inventory.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

$BIN user create --email bench-inventory@example.com --password "bench password 1" --role inventory >/dev/null
login="$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench-inventory@example.com","password":"bench password 1"}')"
export BENCH_TOKEN="$(python3 -c 'import sys,json; print(json.loads(sys.argv[1])["access_token"])' "$login")"
export BENCH_USER="$(python3 -c 'import sys,json; print(json.loads(sys.argv[1])["user"]["id"])' "$login")"

# One hot SKU with plenty of stock (a new one each run, so earlier runs do not drain it).
HOT_SKU="HOT-$(date +%s)"
HOT="$(curl -fs "http://127.0.0.1:$PORT/api/v1/assets" -H "authorization: Bearer $BENCH_TOKEN" -H 'content-type: application/json' \
    -d "{\"sku\":\"$HOT_SKU\",\"name\":\"Hot bench item\",\"kind\":\"software\",\"total_quantity\":1000000}" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')"
WORK="$(mktemp -d)"
echo "$HOT" >"$WORK/hot.txt"
psql_bench -c "SELECT id FROM assets WHERE sku LIKE 'BENCH-%' ORDER BY random() LIMIT 10000" >"$WORK/spread.txt"
export BENCH_MODE=get

wrk_summary() { grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors' | awk '{$1=$1; printf "%s  ", $0} END {print ""}'; }
alloc() { # alloc LABEL FILE
    echo
    echo "== $1"
    for c in 4 32; do
        printf '  c=%s: ' "$c"
        BENCH_ASSETS="$2" wrk -t2 -c"$c" -d"$DURATION" --latency -s bench/allocate.lua "http://127.0.0.1:$PORT" | wrk_summary
    done
}
get() { # get LABEL PATH
    echo
    echo "== $1"
    for c in 4 32; do
        printf '  c=%s: ' "$c"
        BENCH_PATH="$2" wrk -t2 -c"$c" -d"$DURATION" --latency -s bench/request.lua "http://127.0.0.1:$PORT" | wrk_summary
    done
}
alloc "allocate 1 unit, one hot SKU" "$WORK/hot.txt"
alloc "allocate 1 unit, spread over 10,000 SKUs" "$WORK/spread.txt"
get "stock-levels report, first page (50)" "/api/v1/reports/stock-levels?limit=50"
get "stock-levels report, below reorder point" "/api/v1/reports/stock-levels?limit=50&below_reorder_point=true"
get "stock-levels report, one category" "/api/v1/reports/stock-levels?limit=50&category=Hardware/Cat3"
get "asset list, search by SKU prefix" "/api/v1/assets?limit=50&q=BENCH-0004"
SOME="$(head -1 "$WORK/spread.txt")"
get "asset ledger page (50)" "/api/v1/assets/$SOME/movements?limit=50"

echo
echo "== allocations made: hot SKU $(psql_bench -c "SELECT count(*) FROM allocations WHERE asset_id = '$HOT'"), all $(psql_bench -c 'SELECT count(*) FROM allocations')"
echo "== hot SKU stock: $(psql_bench -c "SELECT total_quantity || ' total / ' || available_quantity || ' available' FROM assets WHERE id = '$HOT'")"
$BIN stock reconcile | tail -1 || true
echo
echo "== EXPLAIN ANALYZE (stock levels below reorder point; on-order for a page)"
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT a.id FROM assets a LEFT JOIN vendors v ON v.id = a.vendor_id WHERE a.reorder_point > 0 AND a.available_quantity <= a.reorder_point ORDER BY a.sku, a.id LIMIT 51" | head -10
echo
echo "server memory (RSS): $(ps -o rss= -p $SERVER | awk '{printf "%.0f MiB", $1/1024}')"
rm -rf "$WORK"
