#!/usr/bin/env bash
# Regenerates .sqlx/ (the offline metadata of the compile-time-checked queries) after a query or migration
# changes. Migrates a scratch database crm_ims_sqlx (psql) on the DATABASE_URL server and re-expands every query!
# macro with SQLX_OFFLINE_DIR set. (`cargo sqlx prepare --workspace` is not used: it would build `app` with
# its `csr` and `ssr` features together.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
DATABASE_URL="$(db_url_with_name "${DATABASE_URL:-$DEFAULT_DATABASE_URL}" crm_ims_sqlx)"
export DATABASE_URL
# A fresh scratch database with every migration applied by psql (not by `crm-ims migrate`: building the binary
# would itself need this metadata once a query has changed).
psql "$(db_url_with_name "$DATABASE_URL" postgres)" -qX -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS crm_ims_sqlx" -c "CREATE DATABASE crm_ims_sqlx"
# Each file in one transaction, as sqlx applies it, unless it opts out the way sqlx reads it (`-- no-transaction`).
for f in migrations/*.sql; do
    if head -n1 "$f" | grep -q -- '-- no-transaction'; then
        psql "$DATABASE_URL" -qX -v ON_ERROR_STOP=1 -f "$f" >/dev/null
    else
        psql "$DATABASE_URL" -qX -v ON_ERROR_STOP=1 --single-transaction -f "$f" >/dev/null
    fi
done
rm -rf .sqlx && mkdir .sqlx
touch app/src/lib.rs server/src/lib.rs server/src/main.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$REPO_ROOT/.sqlx" cargo check -q -p server --all-targets
echo "$(find .sqlx -name 'query-*.json' | wc -l) queries in .sqlx/"
