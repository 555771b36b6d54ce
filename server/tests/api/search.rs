//! Full-text and typo-tolerant search over more rows than one bounded walk reads (1,000 for a page of 50):
//! every plan a search can take — the walk in sort order, the GIN index, the month windows of interactions —
//! must give exactly the rows and order of the plain query, page after page.

use crate::common::{TestApp, all_pages};
use domain::Role;
use sqlx::PgPool;

async fn names_in_order(db: &PgPool, condition: &str, order: &str) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT name FROM customers WHERE {condition} ORDER BY {order}"
    ))
    .fetch_all(db)
    .await
    .expect("names")
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn customer_search_gives_the_plain_order_whichever_plan_answers(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Admin, None).await;
    // 3,000 customers, newest first by created_at: every 3rd is "… Common …" (dense: the walk fills a page),
    // 10 old ones are "Quasar …" (rare, and older than the first 1,000: only the GIN index finds them in
    // time), and 120 spread over all ages carry the phone group 4242 (a page and more from the index).
    sqlx::query(
        "INSERT INTO customers (id, name, phone, created_at, updated_at)
         SELECT gen_random_uuid(),
                CASE WHEN n > 2990 THEN 'Quasar Labs ' || n
                     WHEN n % 3 = 0 THEN 'Alpha Common ' || n ELSE 'Filler Works ' || n END,
                CASE WHEN n % 25 = 0 THEN '+1 555 4242 ' || n ELSE '+1 555 0000 ' || n END,
                now() - n * interval '1 hour', now() - n * interval '1 hour'
         FROM generate_series(1, 3000) AS n",
    )
    .execute(&db)
    .await
    .unwrap();
    // Table statistics, as autovacuum keeps them: the plan choice weighs the table's size.
    sqlx::query("ANALYZE customers").execute(&db).await.unwrap();

    // Dense word, default order (newest first), then by name descending.
    assert_eq!(
        all_pages(&app, &u, "/api/v1/customers?q=common&limit=50", "name").await,
        names_in_order(&db, "name LIKE '%Common%'", "created_at DESC, id DESC").await
    );
    assert_eq!(
        all_pages(
            &app,
            &u,
            "/api/v1/customers?q=common&sort=-name&limit=200",
            "name"
        )
        .await,
        names_in_order(&db, "name LIKE '%Common%'", "name DESC, id DESC").await
    );
    // Rare and old: no row of the walk matches, the index finds all of them, in order.
    let quasar = names_in_order(&db, "name LIKE 'Quasar%'", "created_at DESC, id DESC").await;
    assert_eq!(quasar.len(), 10);
    assert_eq!(
        all_pages(&app, &u, "/api/v1/customers?q=labs%20quasar", "name").await,
        quasar
    );
    // A phone group on 120 customers: pages of 50 from the index, then the cursor chain goes on.
    let phone = names_in_order(&db, "phone LIKE '% 4242 %'", "created_at DESC, id DESC").await;
    assert_eq!(phone.len(), 120);
    assert_eq!(
        all_pages(&app, &u, "/api/v1/customers?q=555%204242&limit=50", "name").await,
        phone
    );
    // A frequent word with a less frequent one: the index looks up 4242 alone (on 4 % of the rows walked,
    // "common" on a third), and the whole query then drops the 4242 rows without "common".
    let both = names_in_order(
        &db,
        "name LIKE '%Common%' AND phone LIKE '% 4242 %'",
        "created_at DESC, id DESC",
    )
    .await;
    assert_eq!(both.len(), 39);
    assert_eq!(
        all_pages(
            &app,
            &u,
            "/api/v1/customers?q=common%204242&limit=20",
            "name"
        )
        .await,
        both
    );
    // Filters narrow the walk and the index alike.
    sqlx::query("UPDATE customers SET status = 'active' WHERE name LIKE '%5'")
        .execute(&db)
        .await
        .unwrap();
    let active = names_in_order(
        &db,
        "phone LIKE '% 4242 %' AND status = 'active'",
        "created_at DESC, id DESC",
    )
    .await;
    assert_eq!(active.len(), 60);
    assert_eq!(
        all_pages(&app, &u, "/api/v1/customers?q=4242&status=active", "name").await,
        names_in_order(
            &db,
            "phone LIKE '% 4242 %' AND status = 'active'",
            "created_at DESC, id DESC"
        )
        .await
    );
    // Typos are corrected against the words of customer names, and the result is the corrected query's.
    assert_eq!(
        all_pages(&app, &u, "/api/v1/customers?q=qasar%20labz", "name").await,
        quasar
    );
    let (_, none) = app.get("/api/v1/customers?q=zzzyx%20qqqwv", &u).await;
    assert_eq!(none["data"], serde_json::json!([]));

    // Two words on half the rows each but together on 2 %: a first walk finds ~40 of the 51 rows needed, and
    // a second, longer walk (cheaper than the index reading a quarter of the 43,000 rows) fills the page.
    sqlx::query(
        "INSERT INTO customers (id, name, created_at, updated_at)
         SELECT gen_random_uuid(),
                CASE WHEN n % 50 = 0 THEN 'Orion Vega ' || n WHEN n % 2 = 0 THEN 'Orion Filler ' || n
                     ELSE 'Vega Filler ' || n END,
                now() - interval '1 minute' * n, now()
         FROM generate_series(1, 40000) AS n",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("ANALYZE customers").execute(&db).await.unwrap();
    assert_eq!(
        all_pages(
            &app,
            &u,
            "/api/v1/customers?q=vega%20orion&limit=50",
            "name"
        )
        .await,
        names_in_order(&db, "name LIKE 'Orion Vega%'", "created_at DESC, id DESC").await
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn type_ahead_gives_the_plain_order_whether_its_walk_fills_the_page_or_not(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Admin, None).await;
    let sales = app.user(Role::Sales, None).await;
    // 4,000 names starting "Nak" (one in twelve "Nakatomi Health", the rest "Nakatomi Labs"), "Nakamura"
    // three times among the newest and 60 times among the oldest, and 940 others; a fifth owned by the
    // sales user.
    sqlx::query(
        "INSERT INTO customers (id, name, owner_id, created_at, updated_at)
         SELECT gen_random_uuid(),
                CASE WHEN n > 4940 OR n IN (5, 6, 7) THEN 'Nakamura ' || n WHEN n > 4000 THEN 'Other Works ' || n
                     WHEN n % 12 = 0 THEN 'Nakatomi Health ' || n ELSE 'Nakatomi Labs ' || n END,
                CASE WHEN n % 5 = 0 THEN $1::uuid END,
                now() - n * interval '1 minute', now()
         FROM generate_series(1, 5000) AS n",
    )
    .bind(&sales.id)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("ANALYZE customers").execute(&db).await.unwrap();
    let cases = [
        // Dense in its group: the walk of the "nak" group fills each page; the last page ends the group.
        (
            "nakatomi%20heal",
            "lower(name) LIKE 'nakatomi heal%'",
            "created_at DESC, id DESC",
            "",
        ),
        // Oldest first: the same walk, the other way.
        (
            "nakatomi%20heal",
            "lower(name) LIKE 'nakatomi heal%'",
            "created_at, id",
            "&sort=created_at",
        ),
        // Rare in its group (63 of 4,063) but more than a page: the walk finds three and does not fill
        // the page, so every match is read instead.
        (
            "nakam",
            "lower(name) LIKE 'nakam%'",
            "created_at DESC, id DESC",
            "",
        ),
        // At most a page of names start with it: all of them are read at once, without a walk.
        (
            "nakamura%2049",
            "lower(name) LIKE 'nakamura 49%'",
            "created_at DESC, id DESC",
            "",
        ),
        // Two letters: no group; the walk goes through all customers.
        (
            "na",
            "lower(name) LIKE 'na%'",
            "created_at DESC, id DESC",
            "&limit=200",
        ),
        // Another sort: every match, sorted.
        (
            "nakatomi%20h",
            "lower(name) LIKE 'nakatomi h%'",
            "name DESC, id DESC",
            "&sort=-name",
        ),
        // Nothing starts with it: the next mode (full text) answers.
        (
            "health",
            "name LIKE '%Health%'",
            "created_at DESC, id DESC",
            "&limit=100",
        ),
    ];
    for (q, condition, order, extra) in cases {
        assert_eq!(
            all_pages(&app, &u, &format!("/api/v1/customers?q={q}{extra}"), "name").await,
            names_in_order(&db, condition, order).await,
            "q={q}{extra}"
        );
    }
    // A sales user's walk keeps to the customers it owns.
    let own: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM customers WHERE lower(name) LIKE 'nakatomi heal%' AND owner_id = $1::uuid
         ORDER BY created_at DESC, id DESC",
    )
    .bind(&sales.id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(own.len(), 66);
    assert_eq!(
        all_pages(&app, &sales, "/api/v1/customers?q=nakatomi%20heal", "name").await,
        own
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_renamed_customer_teaches_the_typo_search_its_new_words(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Admin, None).await;
    let c = app
        .customer(&u, serde_json::json!({"name": "Initech"}))
        .await;
    let (_, found) = app.get("/api/v1/customers?q=initeck", &u).await;
    assert_eq!(found["data"][0]["name"], "Initech");
    let (_, none) = app.get("/api/v1/customers?q=globxo", &u).await;
    assert_eq!(none["data"], serde_json::json!([]));
    let (status, _) = app
        .patch(
            &format!("/api/v1/customers/{}", c["id"].as_str().unwrap()),
            &u,
            serde_json::json!({"name": "Globex Holdings"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, found) = app.get("/api/v1/customers?q=globxe%20holdngs", &u).await;
    assert_eq!(found["data"][0]["name"], "Globex Holdings");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn interaction_search_gives_the_plain_order_across_month_windows(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Admin, None).await;
    let c = app
        .customer(&u, serde_json::json!({"name": "Timeline Corp"}))
        .await;
    let cid = c["id"].as_str().unwrap();
    // 3,000 interactions, one every 8 hours back over ~33 months (partitions created for them), newest
    // first: "renewal" on every 4th (dense), "escrow" on every 97th (sparse, in many month windows), and
    // "zephyr" on three of the oldest.
    sqlx::query(
        "SELECT crm_ensure_interaction_partition(date_trunc('month', now() - n * interval '1 month')::date)
         FROM generate_series(0, 36) AS n",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO interactions (id, customer_id, kind, subject, body, occurred_at)
         SELECT gen_random_uuid(), $1::uuid, 'note',
                'Note ' || n,
                CASE WHEN n > 2997 THEN 'zephyr contract' WHEN n % 97 = 0 THEN 'escrow terms'
                     WHEN n % 4 = 0 THEN 'renewal talk' ELSE 'general chat' END,
                now() - n * interval '8 hours'
         FROM generate_series(1, 3000) AS n",
    )
    .bind(cid)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("ANALYZE interactions")
        .execute(&db)
        .await
        .unwrap();
    let subjects = |condition: &'static str, order: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT subject FROM interactions WHERE {condition} ORDER BY {order}"
            ))
            .fetch_all(&db)
            .await
            .unwrap()
        }
    };
    let newest = "occurred_at DESC, id DESC";
    for (q, condition) in [
        ("renewal", "body LIKE 'renewal%'"),
        ("escrow", "body LIKE 'escrow%'"),
        ("zephyr", "body LIKE 'zephyr%'"),
    ] {
        let want = subjects(condition, newest).await;
        assert!(!want.is_empty());
        assert_eq!(
            all_pages(
                &app,
                &u,
                &format!("/api/v1/interactions?q={q}&limit=20"),
                "subject"
            )
            .await,
            want,
            "q={q}"
        );
    }
    assert_eq!(subjects("body LIKE 'escrow%'", newest).await.len(), 30);
    // Oldest first, and inside a date range.
    assert_eq!(
        all_pages(
            &app,
            &u,
            "/api/v1/interactions?q=escrow&sort=occurred_at&limit=7",
            "subject"
        )
        .await,
        subjects("body LIKE 'escrow%'", "occurred_at ASC, id ASC").await
    );
    let (from, to): (String, String) = sqlx::query_as(
        "SELECT to_char(now() - interval '600 days', 'YYYY-MM-DD'), to_char(now() - interval '200 days', 'YYYY-MM-DD')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let in_range: Vec<String> = sqlx::query_scalar(
        "SELECT subject FROM interactions WHERE body LIKE 'escrow%'
           AND occurred_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'
           AND occurred_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
         ORDER BY occurred_at DESC, id DESC",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(!in_range.is_empty());
    assert_eq!(
        all_pages(
            &app,
            &u,
            &format!("/api/v1/interactions?q=escrow&from={from}&to={to}&limit=5"),
            "subject"
        )
        .await,
        in_range
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_plan_keeps_to_the_records_the_caller_may_see(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    // 3,000 customers each, interleaved in time (more than one walk reads); the 5 oldest of each are "Quasar
    // Labs", so that sales A's walk of its newest rows finds none and the index (with A's scope) has to.
    sqlx::query(
        "INSERT INTO customers (id, name, owner_id, created_at, updated_at)
         SELECT gen_random_uuid(),
                CASE WHEN n > 5990 THEN 'Quasar Labs ' || n ELSE 'Filler Works ' || n END,
                CASE WHEN n % 2 = 0 THEN $1::uuid ELSE $2::uuid END,
                now() - n * interval '1 hour', now()
         FROM generate_series(1, 6000) AS n",
    )
    .bind(&a.id)
    .bind(&b.id)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("ANALYZE customers").execute(&db).await.unwrap();
    let own: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM customers WHERE name LIKE 'Quasar%' AND owner_id = $1::uuid
         ORDER BY created_at DESC, id DESC",
    )
    .bind(&a.id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(own.len(), 5);
    assert_eq!(
        all_pages(&app, &a, "/api/v1/customers?q=labs%20quasar", "name").await,
        own
    );
    assert_eq!(
        all_pages(&app, &a, "/api/v1/customers?q=qasar%20labz", "name").await,
        own,
        "typo search keeps to the scope too"
    );

    // Interactions: one customer each, 1,500 notes each, "escrow" on a few old ones of both.
    let (ca, cb): (String, String) = sqlx::query_as(
        "SELECT (SELECT id::text FROM customers WHERE owner_id = $1::uuid LIMIT 1),
                (SELECT id::text FROM customers WHERE owner_id = $2::uuid LIMIT 1)",
    )
    .bind(&a.id)
    .bind(&b.id)
    .fetch_one(&db)
    .await
    .unwrap();
    sqlx::query(
        "SELECT crm_ensure_interaction_partition(date_trunc('month', now() - n * interval '1 month')::date)
         FROM generate_series(0, 8) AS n",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO interactions (id, customer_id, kind, subject, body, occurred_at)
         SELECT gen_random_uuid(), CASE WHEN n % 2 = 0 THEN $1::uuid ELSE $2::uuid END, 'note', 'Note ' || n,
                CASE WHEN n > 2980 THEN 'escrow terms' ELSE 'general chat' END, now() - n * interval '1 hour'
         FROM generate_series(1, 3000) AS n",
    )
    .bind(&ca)
    .bind(&cb)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("ANALYZE interactions")
        .execute(&db)
        .await
        .unwrap();
    let own: Vec<String> = sqlx::query_scalar(
        "SELECT subject FROM interactions WHERE body LIKE 'escrow%' AND customer_id = $1::uuid
         ORDER BY occurred_at DESC, id DESC",
    )
    .bind(&ca)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(own.len(), 10);
    assert_eq!(
        all_pages(&app, &a, "/api/v1/interactions?q=escrow&limit=4", "subject").await,
        own
    );
}

/// The GIN indexes of the schema (a partitioned index takes no storage parameters; its partitions' do) that
/// break the rule of migration 20261205000002: full text and tags without a pending list, trigrams with one of
/// 128 kB.
async fn gin_off_the_rule(db: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_am a ON a.oid = c.relam JOIN pg_index i ON i.indexrelid = c.oid
         WHERE a.amname = 'gin' AND c.relkind = 'i' AND c.relnamespace = current_schema()::regnamespace
           AND coalesce(c.reloptions, '{}') <> CASE
                 WHEN EXISTS (SELECT 1 FROM pg_opclass o WHERE o.oid = ANY (i.indclass::oid[]) AND o.opcname = 'gin_trgm_ops')
                 THEN '{fastupdate=on,gin_pending_list_limit=128}'::text[]
                 ELSE '{fastupdate=off}'::text[] END
         ORDER BY 1",
    )
    .fetch_all(db)
    .await
    .expect("GIN index options")
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn gin_indexes_keep_no_pending_list_but_a_small_one_for_trigrams(db: PgPool) {
    // Every GIN index the migrations create, and those of interaction partitions made later.
    sqlx::query("SELECT crm_ensure_interaction_partition((now() + interval '5 years')::date)")
        .execute(&db)
        .await
        .unwrap();
    let gin: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin' AND c.relkind = 'i'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(gin > 10, "{gin}");
    let trigrams: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class WHERE relname IN ('customers_name_trgm_idx', 'users_name_trgm_idx')
           AND reloptions = '{fastupdate=on,gin_pending_list_limit=128}'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(trigrams, 2);
    assert_eq!(gin_off_the_rule(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_failed_bulk_load_still_restores_the_rule_and_reports_its_error(db: PgPool) {
    let failed: anyhow::Result<()> = server::seed::bulk_load(&db, async {
        // Fast update is on while the load runs, for every GIN index.
        let on: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_class WHERE relname = 'customers_search_idx' AND reloptions = '{fastupdate=on}'",
        )
        .fetch_one(&db)
        .await?;
        anyhow::ensure!(on == 1, "fast update was not on during the load");
        anyhow::bail!("the load broke")
    })
    .await;
    assert_eq!(
        failed.map_err(|e| e.to_string()).unwrap_err(),
        "the load broke"
    );
    assert_eq!(gin_off_the_rule(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_seeding_leaves_the_search_indexes_without_a_pending_list(db: PgPool) {
    server::seed::customers(&db, 300).await.unwrap();
    server::seed::interactions(&db, 2_000).await.unwrap();
    // Fast update is on for every GIN index only while the loader runs: afterwards each is back to the
    // schema's rule, with its pending list merged.
    assert_eq!(gin_off_the_rule(&db).await, Vec::<String>::new());
    // Nothing is left to merge: a second cleanup finds no pending pages.
    for idx in [
        "customers_search_idx",
        "customers_name_trgm_idx",
        "contacts_search_idx",
    ] {
        let pending: i64 = sqlx::query_scalar("SELECT gin_clean_pending_list($1::regclass)")
            .bind(idx)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(pending, 0, "{idx}");
    }
    // And what was loaded is found through the index.
    let found: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM customers WHERE search @@ to_tsquery('simple', '555')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(found >= 300, "{found}");
}
