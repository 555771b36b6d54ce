//! The sales-pipeline report reads rollups kept by triggers (migration `20261201000002_pipeline_rollups`): after
//! every kind of write — through the API, set-based SQL (the seed) and plain SQL on the history — the report must
//! equal the live aggregate, computed here with plain SQL over `opportunities` and `opportunity_stage_history`.

use crate::common::{TestApp, TestUser};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

/// Who asks and with which filters; `sql` is the same selection as a condition on `o` (opportunities).
struct Case {
    label: &'static str,
    user: usize,
    query: String,
    sql: String,
}

/// The report as the live tables give it, section by section, in the API's shape.
async fn live_report(db: &PgPool, cond: &str) -> Value {
    let sql = format!(
        r#"
WITH o AS (SELECT o.*, r.rate FROM opportunities o LEFT JOIN exchange_rates r ON r.currency = o.currency
           WHERE {cond}),
stages AS (
    SELECT s.st, s.i, count(o.id) FILTER (WHERE o.rate IS NOT NULL) AS n,
           round(coalesce(sum(o.amount * o.rate), 0), 2)::numeric(20, 2) AS amount,
           round(coalesce(sum(o.amount * o.probability * o.rate), 0) / 100, 2)::numeric(20, 2) AS weighted
    FROM unnest(ARRAY['qualification', 'proposal', 'negotiation', 'won', 'lost']) WITH ORDINALITY s (st, i)
    LEFT JOIN o ON o.stage = s.st
    GROUP BY s.st, s.i
),
forecast AS (
    SELECT to_char(expected_close_date, 'YYYY-MM') AS month, count(*) FILTER (WHERE rate IS NOT NULL) AS n,
           round(coalesce(sum(amount * rate), 0), 2)::numeric(20, 2) AS amount,
           round(coalesce(sum(amount * probability * rate), 0) / 100, 2)::numeric(20, 2) AS weighted
    FROM o WHERE stage NOT IN ('won', 'lost') AND expected_close_date IS NOT NULL
    GROUP BY 1 HAVING count(*) FILTER (WHERE rate IS NOT NULL) > 0
),
by_stage AS (
    SELECT h.to_stage, count(DISTINCT o.id) AS entered, count(DISTINCT o.id) FILTER (WHERE o.stage = 'won') AS won
    FROM o JOIN opportunity_stage_history h ON h.opportunity_id = o.id
    WHERE o.stage IN ('won', 'lost') GROUP BY 1
),
by_owner AS (
    SELECT o.owner_id, u.name, count(*) FILTER (WHERE o.stage = 'won') AS won,
           count(*) FILTER (WHERE o.stage = 'lost') AS lost
    FROM o LEFT JOIN users u ON u.id = o.owner_id
    WHERE o.stage IN ('won', 'lost') GROUP BY 1, 2
),
days AS (
    SELECT h.to_stage, (avg(extract(epoch FROM h.left_at - h.changed_at)) / 86400)::float8 AS days
    FROM o JOIN opportunity_stage_history h ON h.opportunity_id = o.id
    WHERE h.left_at IS NOT NULL GROUP BY 1
),
stage_order (st, i) AS (SELECT * FROM unnest(ARRAY['qualification', 'proposal', 'negotiation', 'won', 'lost'])
                         WITH ORDINALITY)
SELECT json_build_object(
    'base_currency', 'USD',
    'stages', (SELECT json_agg(json_build_object('stage', st, 'count', n, 'amount', amount::text,
                                                 'weighted_amount', weighted::text) ORDER BY i) FROM stages),
    'totals', (SELECT json_build_object(
        'open_count', sum(n) FILTER (WHERE st NOT IN ('won', 'lost')),
        'open_amount', (sum(amount) FILTER (WHERE st NOT IN ('won', 'lost')))::text,
        'weighted_amount', (sum(weighted) FILTER (WHERE st NOT IN ('won', 'lost')))::text,
        'won_amount', (sum(amount) FILTER (WHERE st = 'won'))::text,
        'lost_amount', (sum(amount) FILTER (WHERE st = 'lost'))::text) FROM stages),
    'unconverted_currencies', (SELECT coalesce(json_agg(DISTINCT currency::text ORDER BY currency::text), '[]')
                               FROM o WHERE rate IS NULL),
    'forecast', (SELECT coalesce(json_agg(json_build_object('month', month, 'amount', amount::text,
                                                            'weighted_amount', weighted::text, 'count', n)
                                          ORDER BY month), '[]') FROM forecast),
    'win_rate_by_stage', (SELECT coalesce(json_agg(json_build_object('stage', to_stage, 'entered', entered,
                                                   'won', won, 'rate', won::float8 / entered) ORDER BY s.i), '[]')
                          FROM by_stage JOIN stage_order s ON s.st = to_stage),
    'win_rate_by_owner', (SELECT coalesce(json_agg(json_build_object('owner_id', owner_id, 'owner_name', name,
                                                   'won', won, 'lost', lost, 'rate', won::float8 / (won + lost))
                                          ORDER BY name NULLS LAST, owner_id), '[]') FROM by_owner),
    'avg_days_in_stage', (SELECT coalesce(json_agg(json_build_object('stage', to_stage, 'days', days)
                                          ORDER BY s.i), '[]')
                          FROM days JOIN stage_order s ON s.st = to_stage))::text"#
    );
    let text: String = sqlx::query_scalar(&sql)
        .fetch_one(db)
        .await
        .expect("live report");
    serde_json::from_str(&text).expect("live report is JSON")
}

/// PostgreSQL writes a float 1.0 as `1`, serde as `1.0`: compare every number as an f64.
fn numbers_as_floats(v: Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().expect("a number")),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_floats).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, numbers_as_floats(v)))
                .collect(),
        ),
        v => v,
    }
}

/// Each rollup row (count > 0) equals the aggregate of the live rows of its key, and no key is missing.
async fn assert_rollups_exact(db: &PgPool, when: &str) {
    let stage_diff: i64 = sqlx::query_scalar(
        "WITH live AS (SELECT owner_id, stage, currency, pipeline_month(expected_close_date) AS m, count(*) AS n,
                              sum(amount) AS a, sum(amount * probability) AS w
                       FROM opportunities GROUP BY 1, 2, 3, 4),
              roll AS (SELECT owner_id, stage, currency, close_month, n, amount, weighted
                       FROM pipeline_stage_rollup WHERE n <> 0 OR amount <> 0 OR weighted <> 0)
         SELECT count(*) FROM ((SELECT * FROM live EXCEPT SELECT * FROM roll)
                               UNION ALL (SELECT * FROM roll EXCEPT SELECT * FROM live)) d",
    )
    .fetch_one(db)
    .await
    .expect("stage rollup check");
    let history_diff: i64 = sqlx::query_scalar(
        "WITH live AS (
             SELECT o.owner_id, pipeline_month(o.expected_close_date) AS m,
                    CASE WHEN o.stage IN ('won', 'lost') THEN o.stage ELSE 'open' END AS outcome, h.to_stage,
                    count(DISTINCT o.id) FILTER (WHERE o.stage IN ('won', 'lost')) AS entered,
                    count(h.left_at) AS stays, coalesce(sum(extract(epoch FROM h.left_at - h.changed_at)), 0) AS secs
             FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id
             GROUP BY 1, 2, 3, 4
             HAVING count(DISTINCT o.id) FILTER (WHERE o.stage IN ('won', 'lost')) > 0 OR count(h.left_at) > 0),
         roll AS (SELECT owner_id, close_month, outcome, to_stage,
                         CASE WHEN outcome = 'open' THEN 0 ELSE entered END, stays, secs
                  FROM pipeline_history_rollup
                  WHERE (outcome <> 'open' AND entered <> 0) OR stays <> 0 OR secs <> 0)
         SELECT count(*) FROM ((SELECT * FROM live EXCEPT SELECT * FROM roll)
                               UNION ALL (SELECT * FROM roll EXCEPT SELECT * FROM live)) d",
    )
    .fetch_one(db)
    .await
    .expect("history rollup check");
    assert_eq!(
        (stage_diff, history_diff),
        (0, 0),
        "rollup rows differing from the live aggregate {when}"
    );
}

struct World {
    app: TestApp,
    /// admin, manager of team north, sales A (north), sales B (north), sales C (no team).
    users: Vec<TestUser>,
    /// A customer of A, of B and of C.
    customers: Vec<Value>,
}

impl World {
    async fn new(db: PgPool) -> Self {
        let app = TestApp::spawn(db).await;
        let users = vec![
            app.user(Role::Admin, None).await,
            app.user(Role::Manager, Some("north")).await,
            app.user(Role::Sales, Some("north")).await,
            app.user(Role::Sales, Some("north")).await,
            app.user(Role::Sales, None).await,
        ];
        let mut customers = Vec::new();
        for (i, u) in users[2..].iter().enumerate() {
            customers.push(
                app.customer(u, json!({"name": format!("Rollup {i}")}))
                    .await,
            );
        }
        Self {
            app,
            users,
            customers,
        }
    }

    fn id(&self, user: usize) -> &str {
        &self.users[user].id
    }

    /// Creates an opportunity as sales user `user` (2, 3 or 4) on their customer.
    async fn opp(&self, user: usize, mut body: Value) -> Value {
        body["customer_id"] = self.customers[user - 2]["id"].clone();
        let (status, o) = self
            .app
            .post("/api/v1/opportunities", &self.users[user], body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        o
    }

    /// Changes an opportunity as the admin (who may reassign, move back and reopen).
    async fn change(&self, o: &Value, body: Value) {
        let path = format!("/api/v1/opportunities/{}", o["id"].as_str().expect("id"));
        let (status, r) = self.app.patch(&path, &self.users[0], body).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }

    async fn delete(&self, o: &Value) {
        let path = format!("/api/v1/opportunities/{}", o["id"].as_str().expect("id"));
        let (status, r) = self.app.delete(&path, &self.users[0]).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{r}");
    }

    fn cases(&self) -> Vec<Case> {
        let (a, c) = (self.id(2), self.id(4));
        vec![
            Case {
                label: "admin, whole company",
                user: 0,
                query: String::new(),
                sql: "true".into(),
            },
            Case {
                label: "manager of north (the team's owners)",
                user: 1,
                query: String::new(),
                sql: "o.owner_id IN (SELECT id FROM users WHERE team = 'north')".into(),
            },
            Case {
                label: "sales A of north (sales in a team see the team's)",
                user: 2,
                query: String::new(),
                sql: "o.owner_id IN (SELECT id FROM users WHERE team = 'north')".into(),
            },
            Case {
                label: "sales C without a team, own",
                user: 4,
                query: String::new(),
                sql: format!("o.owner_id = '{c}'"),
            },
            Case {
                label: "admin, owner A",
                user: 0,
                query: format!("owner_id={a}"),
                sql: format!("o.owner_id = '{a}'"),
            },
            Case {
                label: "admin, owner C",
                user: 0,
                query: format!("owner_id={c}"),
                sql: format!("o.owner_id = '{c}'"),
            },
            Case {
                label: "admin, whole months February–March",
                user: 0,
                query: "from=2026-02-01&to=2026-03-31".into(),
                sql: "o.expected_close_date BETWEEN '2026-02-01' AND '2026-03-31'".into(),
            },
            Case {
                label: "manager, from March on",
                user: 1,
                query: "from=2026-03-01".into(),
                sql: "o.owner_id IN (SELECT id FROM users WHERE team = 'north')
                      AND o.expected_close_date >= '2026-03-01'"
                    .into(),
            },
            Case {
                label: "admin, to the end of February (leap-free year)",
                user: 0,
                query: "to=2026-02-28".into(),
                sql: "o.expected_close_date <= '2026-02-28'".into(),
            },
            Case {
                label: "admin, days inside months (day rollups)",
                user: 0,
                query: "from=2026-01-10&to=2026-03-15".into(),
                sql: "o.expected_close_date BETWEEN '2026-01-10' AND '2026-03-15'".into(),
            },
        ]
    }

    /// Every case's report equals the live aggregate, and the rollups equal theirs.
    async fn check(&self, when: &str) {
        assert_rollups_exact(&self.app.db, when).await;
        for case in self.cases() {
            let path = format!("/api/v1/reports/sales-pipeline?{}", case.query);
            let (status, got) = self.app.get(&path, &self.users[case.user]).await;
            assert_eq!(status, StatusCode::OK, "{got}");
            let want = live_report(&self.app.db, &case.sql).await;
            assert_eq!(
                numbers_as_floats(got),
                numbers_as_floats(want),
                "{} {when}",
                case.label
            );
        }
    }
}

fn body(name: &str, amount: &str, currency: &str, close: Option<&str>) -> Value {
    json!({"name": name, "amount": amount, "currency": currency, "expected_close_date": close})
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_report_equals_the_live_aggregate_after_every_kind_of_write(db: PgPool) {
    let w = World::new(db).await;
    w.check("with no opportunities").await;

    let a1 = w
        .opp(2, body("a1", "1000.00", "USD", Some("2026-01-15")))
        .await;
    let mut a2 = body("a2", "500.55", "EUR", Some("2026-02-10"));
    a2["stage"] = json!("proposal");
    let a2 = w.opp(2, a2).await;
    let a3 = w
        .opp(2, body("a3", "2000.00", "USD", Some("2026-02-28")))
        .await;
    let a4 = w
        .opp(2, body("a4", "300.33", "GBP", Some("2026-03-01")))
        .await;
    let a5 = w
        .opp(2, body("a5", "100.00", "SEK", Some("2026-01-05")))
        .await;
    let b1 = w.opp(3, body("b1", "1234.56", "USD", None)).await;
    let mut b2 = body("b2", "99.99", "USD", Some("2026-03-31"));
    b2["probability"] = json!(33);
    let b2 = w.opp(3, b2).await;
    let c1 = w
        .opp(4, body("c1", "777.77", "CHF", Some("2026-04-01")))
        .await;
    let c2 = w
        .opp(4, body("c2", "50.00", "EUR", Some("2026-02-14")))
        .await;
    w.check("after creates").await;

    // Stage moves (the history gets rows; stays are closed), wins and losses.
    w.change(&a1, json!({"stage": "proposal"})).await;
    w.change(&a1, json!({"stage": "negotiation"})).await;
    w.change(&a1, json!({"stage": "won"})).await;
    w.change(&a3, json!({"stage": "won"})).await;
    w.change(&a4, json!({"stage": "lost", "lost_reason": "price"}))
        .await;
    w.change(&b2, json!({"stage": "negotiation"})).await;
    w.change(&b2, json!({"stage": "lost", "lost_reason": "timing"}))
        .await;
    w.change(&c1, json!({"stage": "won"})).await;
    w.check("after stage moves").await;

    // Stays of measurable length: plain SQL on the history is a writer too.
    sqlx::query(
        "UPDATE opportunity_stage_history
         SET changed_at = changed_at - make_interval(days => 3 + length(to_stage)),
             left_at = left_at - make_interval(days => 1)",
    )
    .execute(&w.app.db)
    .await
    .expect("history shifted");
    w.check("after shifting the history").await;

    // Owner, amount, currency, close date (to another month, within the month, to none, from none).
    w.change(&a2, json!({"owner_id": w.id(3)})).await;
    w.change(&a3, json!({"owner_id": w.id(4), "amount": "2500.01"}))
        .await;
    w.change(&a5, json!({"currency": "USD", "amount": "120.00"}))
        .await;
    w.change(&c2, json!({"currency": "SEK"})).await;
    w.change(&a4, json!({"expected_close_date": "2026-04-30"}))
        .await;
    w.change(&b2, json!({"expected_close_date": "2026-03-02"}))
        .await;
    w.change(&c1, json!({"expected_close_date": null})).await;
    w.change(
        &b1,
        json!({"expected_close_date": "2026-02-01", "probability": 55}),
    )
    .await;
    w.check("after owner, amount, currency and date changes")
        .await;

    // Reopening and moving back enter stages a second time (counted once per opportunity).
    w.change(&a1, json!({"stage": "qualification"})).await;
    w.change(&a1, json!({"stage": "proposal"})).await;
    w.change(&a1, json!({"stage": "lost", "lost_reason": "budget"}))
        .await;
    w.change(&a3, json!({"stage": "negotiation"})).await;
    w.check("after reopening").await;

    // A user removed: their opportunities lose the owner (ON DELETE SET NULL is an update too).
    sqlx::query("UPDATE users SET team = NULL WHERE id = $1::uuid")
        .bind(w.id(3))
        .execute(&w.app.db)
        .await
        .expect("team left");
    sqlx::query("UPDATE opportunities SET owner_id = NULL WHERE owner_id = $1::uuid")
        .bind(w.id(3))
        .execute(&w.app.db)
        .await
        .expect("owner removed");
    w.check("after removing an owner").await;

    // Deletes: one, then several at once (cascading to the history).
    w.delete(&a2).await;
    w.check("after a delete").await;
    let ids: Vec<Value> = [&a1, &a4, &b1].iter().map(|o| o["id"].clone()).collect();
    let (status, r) = w
        .app
        .post(
            "/api/v1/opportunities/bulk-actions",
            &w.users[0],
            json!({"action": "delete", "ids": ids}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    w.check("after a bulk delete").await;

    // Set-based writers: the seed inserts opportunities and their history in one statement.
    server::seed_crm::opportunities(&w.app.db, 400, false)
        .await
        .expect("seeded");
    w.check("after the seed").await;
    sqlx::query("DELETE FROM opportunities WHERE amount > 100000")
        .execute(&w.app.db)
        .await
        .expect("bulk delete");
    w.check("after a set-based delete").await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_emptied_rollup_key_leaves_no_trace_in_the_report(db: PgPool) {
    let w = World::new(db).await;
    let o = w
        .opp(2, body("sek", "10.00", "SEK", Some("2026-05-20")))
        .await;
    let (_, r) = w
        .app
        .get("/api/v1/reports/sales-pipeline", &w.users[0])
        .await;
    assert_eq!(r["unconverted_currencies"], json!(["SEK"]));
    w.change(&o, json!({"currency": "USD"})).await;
    let (_, r) = w
        .app
        .get("/api/v1/reports/sales-pipeline", &w.users[0])
        .await;
    assert_eq!(
        r["unconverted_currencies"],
        json!([]),
        "the SEK key is empty now"
    );
    assert_eq!(
        r["forecast"],
        json!([{"month": "2026-05", "amount": "10.00", "weighted_amount": "1.00", "count": 1}])
    );
    w.delete(&o).await;
    let (_, r) = w
        .app
        .get("/api/v1/reports/sales-pipeline", &w.users[0])
        .await;
    assert_eq!(r["forecast"], json!([]));
    assert_eq!(r["totals"]["open_count"], 0);
    w.check("after emptying every key").await;
}
