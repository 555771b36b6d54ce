#!/usr/bin/env bash
# Benchmark of the customers API at scale (numbers, not a test). Loopback only.
#
#   scripts/bench.sh [N] [M] [K]  N customers (default 2000000), ~2 contacts each; M interactions (default 0:
#                                 skip the interaction cases) over the last 12 months; K opportunities (default
#                                 0: skip the pipeline cases) with stage history
#
# Seeds a dedicated database crm_ims_bench once (COPY; the load time is printed), serves the release binary
# on 127.0.0.1:3998 and measures with wrk (a discarded 1 s warm-up, then 10 s each, at 1, 4 and 32
# connections; the reads also open-loop at BENCH_RATE requests a second): get by id, first list page, a page
# deep in the cursor chain, a filtered list, a full-text search, a create, and an 80/20 read/write mix.
# Prints p50/p99 and requests/s for each, and EXPLAIN ANALYZE of the list queries. Results go into
# docs/benchmarks.md by hand, with the machine they ran on.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

N="${1:-2000000}"
M="${2:-0}"
K="${3:-0}"
PORT="${BENCH_PORT:-3998}"
DURATION="${BENCH_DURATION:-10s}"
# The database server: a cluster with production settings (scripts/bench-pg.sh) unless BENCH_PG=system, which
# uses DATABASE_URL's server (or the default one) as it is configured.
if [ "${BENCH_PG:-tuned}" = "system" ]; then
    BASE="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
else
    BASE="$(bash scripts/bench-pg.sh)"
fi
DATABASE_URL="$(db_url_with_name "$BASE" crm_ims_bench)"
export DATABASE_URL
command -v wrk >/dev/null || { log "installing wrk"; if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk; else sudo apt-get install -y -qq wrk; fi >/dev/null; }
# BENCH_BIN: a server binary to measure instead of building target/release/crm-ims.
if [ -n "${BENCH_BIN:-}" ]; then
    BIN="$BENCH_BIN"
else
    SQLX_OFFLINE=true cargo build --release -p server -q
    BIN=target/release/crm-ims
fi
psql_bench() { psql "$DATABASE_URL" -qtAX "$@"; }
$BIN migrate >/dev/null
# Per-statement time (the tuned cluster loads pg_stat_statements): after each line's c=4 run, its statements.
STATEMENTS=0
if psql_bench -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 \
    && psql_bench -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1; then
    STATEMENTS=1
fi
statements() {
    [ "$STATEMENTS" = 1 ] || return 0
    psql_bench -F ' | ' -c "SELECT calls || ' calls', plans || ' plans', round((total_plan_time / calls)::numeric, 2) || ' ms plan/call', round(mean_exec_time::numeric, 2) || ' ms exec', left(regexp_replace(query, '\s+', ' ', 'g'), 110)
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 10
        ORDER BY total_plan_time + total_exec_time DESC LIMIT 4" | sed 's/^/      /'
}

have="$(psql_bench -c 'SELECT count(*) FROM customers')"
if [ "$have" -lt "$N" ]; then
    echo "== seeding $((N - have)) customers (have $have)"
    $BIN seed --customers "$((N - have))"
fi
have_i="$(psql_bench -c 'SELECT count(*) FROM interactions')"
if [ "$have_i" -lt "$M" ]; then
    echo "== seeding $((M - have_i)) interactions (have $have_i)"
    $BIN seed --interactions "$((M - have_i))"
fi
have_o="$(psql_bench -c 'SELECT count(*) FROM opportunities')"
if [ "$have_o" -lt "$K" ]; then
    echo "== seeding $((K - have_o)) opportunities (have $have_o)"
    $BIN seed --opportunities "$((K - have_o))"
fi
# Every run measures the seeded data: the customers an earlier run's "create" lines added go first (they would
# be the newest rows, which the list and search plans read first).
psql_bench -c "DELETE FROM customers WHERE name LIKE 'Bench Co %'" -c "VACUUM ANALYZE customers" >/dev/null
# Rows stored in time order, as the app appends them (the loader writes them in random time order): once.
if [ "$(psql_bench -c "SELECT count(*) FROM pg_index WHERE indisclustered AND indrelid = 'customers'::regclass")" = 0 ]; then
    echo "== storing rows in time order (CLUSTER, once)"
    psql_bench -c "CLUSTER customers USING customers_created_idx"
    for p in $(psql_bench -c "SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'interactions'::regclass"); do
        psql_bench -c "CLUSTER $p USING ${p}_occurred_at_id_idx"
    done
    psql_bench -c "VACUUM ANALYZE customers" -c "VACUUM ANALYZE interactions"
fi
echo "== data: $(psql_bench -c 'SELECT count(*) FROM interactions') interactions, $(psql_bench -c 'SELECT count(*) FROM opportunities') opportunities"
echo "== data: $(psql_bench -c 'SELECT count(*) FROM customers') customers, $(psql_bench -c 'SELECT count(*) FROM contacts') contacts, database $(psql_bench -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"

# Load from one address and one user is the point here: no rate limit.
RATE_LIMIT_USER_PER_MINUTE=100000000 RATE_LIMIT_ADDRESS_PER_MINUTE=100000000 RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE=100000000 BIND_ADDR="127.0.0.1:$PORT" DB_MAX_CONNECTIONS="${DB_MAX_CONNECTIONS:-16}" RUST_LOG=warn $BIN serve >/tmp/crm-ims-bench.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

# A manager without a team sees every customer.
$BIN user create --email bench-manager@example.com --password "bench password 1" --role manager >/dev/null
TOKEN="$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench-manager@example.com","password":"bench password 1"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')"
export BENCH_TOKEN="$TOKEN"

ID="$(psql_bench -c "SELECT id FROM customers ORDER BY random() LIMIT 1")"
# A cursor 95% of the way down the default order (-created_at): as fast as the first page with keyset paging.
DEEP="$(psql_bench -c "SELECT created_at, id FROM customers ORDER BY created_at DESC, id DESC OFFSET (SELECT count(*) * 95 / 100 FROM customers) LIMIT 1" -F ' ')"
CURSOR="$(python3 - "$DEEP" <<'PY'
import base64, json, sys, datetime
at, cid = sys.argv[1].rsplit(' ', 1)
t = datetime.datetime.fromisoformat(at.replace(' ', 'T')).astimezone(datetime.timezone.utc)
value = t.isoformat(timespec='microseconds').replace('+00:00', '+00:00')
raw = json.dumps({"s": "-created_at", "v": value, "i": cid}, separators=(',', ':')).encode()
print(base64.urlsafe_b64encode(raw).decode().rstrip('='))
PY
)"
curl -fs "http://127.0.0.1:$PORT/api/v1/customers?limit=50&cursor=$CURSOR" -H "authorization: Bearer $TOKEN" \
    | python3 -c 'import sys,json; d=json.load(sys.stdin); assert len(d["data"])==50, d; print("deep page ok:", d["data"][0]["created_at"])'

# Each endpoint three times: latency of one client alone (1 connection), under load (4 connections, 1 wrk
# thread; on 2 cores the server, PostgreSQL and wrk then queue for the CPU), throughput with 32 connections.
wrk_summary() { grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors' | awk '{$1=$1; printf "%s  ", $0} END {print ""}'; }
wrk_line() { # wrk_line THREADS CONNECTIONS DURATION MODE PATH
    BENCH_MODE="$4" BENCH_PATH="$5" wrk -t"$1" -c"$2" -d"$3" --latency -s bench/request.lua "http://127.0.0.1:$PORT" | wrk_summary
}
# Each line is first run for WARMUP (default 1 s) at 4 connections and that run is discarded: a pooled
# connection plans a statement for its values on its first five executions (up to ~10 ms over the interaction
# partitions), which would otherwise be the p99 of a 5 s run. The warm-up is printed, not hidden. It warms the
# connections the c=4 run uses; the c=32 run may still include the first executions of further connections.
WARMUP="${BENCH_WARMUP:-1s}"
# BENCH_RATE (default 200, the requests a second one small machine must serve; 0: skip): each read line is also
# run open-loop at that steady rate with oha, whose latency correction counts a request from when it was due,
# not from when a busy connection could send it. The closed-loop runs above keep the machine saturated (at c=4
# the server, PostgreSQL and wrk queue for the two cores); this one is the latency of a given load.
RATE="${BENCH_RATE:-200}"
if [ "$RATE" != 0 ] && ! command -v oha >/dev/null; then
    log "installing oha (cargo install, a few minutes)"
    cargo install --locked --quiet oha@1.16.0
fi
rate_line() { # rate_line PATH
    # -w: requests still running at the deadline are waited for; without it oha counts them as errors
    oha -z "$DURATION" -q "$RATE" --latency-correction -w -c 8 --no-tui --output-format json \
        -H "authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$PORT$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)
p, s = r["latencyPercentiles"], r["summary"]
codes = r.get("statusCodeDistribution", {})
bad = sum(n for c, n in codes.items() if not c.startswith("2"))
errors = r.get("errorDistribution", {})
print("50%% %.2fms  99%% %.2fms  Requests/sec: %.1f%s%s" % (p["p50"] * 1e3, p["p99"] * 1e3, s["requestsPerSec"],
      "  Non-2xx: %d" % bad if bad else "", "  Errors: %s" % json.dumps(errors) if errors else ""))'
}
# BENCH_ONLY: an extended regular expression; only the lines whose label matches it run.
run() { # run LABEL MODE PATH
    if [ -n "${BENCH_ONLY:-}" ] && ! [[ "$1" =~ $BENCH_ONLY ]]; then return 0; fi
    echo
    echo "== $1"
    if [ "$WARMUP" != 0 ]; then
        printf '  warm-up (%s, c=4, discarded): ' "$WARMUP"
        wrk_line 1 4 "$WARMUP" "$2" "$3"
    fi
    printf '  c=1:  '
    wrk_line 1 1 "$DURATION" "$2" "$3"
    printf '  c=4:  '
    [ "$STATEMENTS" = 0 ] || psql_bench -c "SELECT pg_stat_statements_reset()" >/dev/null
    wrk_line 1 4 "$DURATION" "$2" "$3"
    statements
    printf '  c=32: '
    wrk_line 2 32 "$DURATION" "$2" "$3"
    if [ "$RATE" != 0 ] && [ "$2" = get ]; then
        printf '  %s/s: ' "$RATE"
        rate_line "$3"
    fi
}
run "get by id"                get   "/api/v1/customers/$ID"
run "first list page (50)"     get   "/api/v1/customers?limit=50"
run "deep page (95%, 50)"      get   "/api/v1/customers?limit=50&cursor=$CURSOR"
run "filtered list"            get   "/api/v1/customers?limit=50&status=active&industry=Retail&tag=vip"
run "search as you type"       get   "/api/v1/customers?limit=50&q=nakatomi%20heal"
run "search by phone digits"   get   "/api/v1/customers?limit=50&q=555%208812"
run "search with a typo"       get   "/api/v1/customers?limit=50&q=nakatmoi%20helth"
run "search a word inside names" get  "/api/v1/customers?limit=50&q=health"
EMAIL="$(psql_bench -c "SELECT email FROM customers WHERE email IS NOT NULL ORDER BY random() LIMIT 1")"
run "search by e-mail address" get   "/api/v1/customers?limit=50&q=$EMAIL"
run "create"                   create "/"
if [ "$M" -gt 0 ]; then
    # The customer with the most interactions in a random sample: its timeline reads every source.
    BUSY="$(psql_bench -c "SELECT customer_id FROM (SELECT customer_id FROM interactions TABLESAMPLE SYSTEM (1)) s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")"
    run "customer timeline (20)"        get "/api/v1/customers/$BUSY/timeline?limit=20"
    run "customer interactions (50)"    get "/api/v1/customers/$BUSY/interactions?limit=50"
    run "interaction search"            get "/api/v1/interactions?limit=50&q=renewal%20budget"
    run "interaction search, one word"  get "/api/v1/interactions?limit=50&q=procurement"
    run "interaction search, rare"      get "/api/v1/interactions?limit=50&q=renewal%20hedy%20ceo"
    run "interaction search, no match"  get "/api/v1/interactions?limit=50&q=budget%20friday"
    run "interactions of a kind, month" get "/api/v1/interactions?limit=50&kind=meeting&from=$(date -u -d '-60 days' +%F)&to=$(date -u -d '-30 days' +%F)"
fi
if [ "$K" -gt 0 ]; then
    OWNER="$(psql_bench -c "SELECT owner_id FROM opportunities WHERE owner_id IS NOT NULL LIMIT 1")"
    run "opportunities by stage + owner (50)" get "/api/v1/opportunities?limit=50&stage=proposal&owner_id=$OWNER"
    run "sales-pipeline report (all)"         get "/api/v1/reports/sales-pipeline"
    run "sales-pipeline report (one owner)"   get "/api/v1/reports/sales-pipeline?owner_id=$OWNER"
fi
run "mixed 80/20 (get by id)"  mixed "/api/v1/customers/$ID"

echo
echo "== EXPLAIN ANALYZE (first page, filtered, type-ahead walk, phone digits through the index, a typo's corrections)"
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT c.id FROM customers c LEFT JOIN users u ON u.id = c.owner_id ORDER BY c.created_at DESC, c.id DESC LIMIT 51" | head -8
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT c.id FROM customers c WHERE c.status = 'active' AND c.industry = 'Retail' AND c.tags @> ARRAY['vip'] ORDER BY c.created_at DESC, c.id DESC LIMIT 51" | head -12
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, hit, n FROM (SELECT c.id, lower(c.name) LIKE 'nakatomi heal%' AS hit, row_number() OVER w AS n FROM customers c WHERE lower(left(c.name, 3)) = 'nak' WINDOW w AS (ORDER BY c.created_at DESC, c.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) ORDER BY c.created_at DESC, c.id DESC LIMIT 2040) x WHERE hit OR n = 2040 LIMIT 52" | head -12
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT c.id FROM customers c WHERE c.search @@ to_tsquery('simple', '8812:*') AND ts_match_vq(c.search, to_tsquery('simple', '555 & 8812:*')) ORDER BY (c.created_at + interval '0 s') DESC, c.id DESC LIMIT 51" | head -12
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT w.word FROM customer_name_words w WHERE w.word % 'nakatmoi' ORDER BY w.word <-> 'nakatmoi', w.word LIMIT 3" | head -10
echo
echo "server memory (RSS): $(ps -o rss= -p $SERVER | awk '{printf "%.0f MiB", $1/1024}')"
