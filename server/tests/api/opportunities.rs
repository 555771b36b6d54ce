use crate::common::{TestApp, TestUser, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

/// Creates an opportunity as `u` (201 expected).
async fn opp(app: &TestApp, u: &TestUser, body: Value) -> Value {
    let (status, o) = app.post("/api/v1/opportunities", u, body).await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    o
}

fn path(o: &Value) -> String {
    format!(
        "/api/v1/opportunities/{}",
        o["id"].as_str().expect("test data")
    )
}

/// A customer of `u` and a minimal valid opportunity body for it.
async fn deal(app: &TestApp, u: &TestUser, name: &str) -> Value {
    let c = app
        .customer(u, json!({"name": format!("{name} Inc")}))
        .await;
    json!({"name": name, "customer_id": c["id"], "amount": "1000.00"})
}

async fn moved(app: &TestApp, u: &TestUser, o: &Value, body: Value) -> (StatusCode, Value) {
    app.patch(&path(o), u, body).await
}

/// (history rows, audit rows) of one opportunity.
async fn trail(app: &TestApp, o: &Value) -> (i64, i64) {
    let id = uuid::Uuid::parse_str(o["id"].as_str().expect("test data")).expect("test data");
    let history: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM opportunity_stage_history WHERE opportunity_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("test data");
    (history, app.audit_count(&id.to_string()).await)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn create_read_update_delete_with_history_and_audit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let body = deal(&app, &u, "Big deal").await;
    let res = app
        .send(
            Method::POST,
            "/api/v1/opportunities",
            Some(&u.token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let o: Value = res.json().await.unwrap();
    assert_eq!(location, path(&o));
    assert_eq!(o["stage"], "qualification");
    assert_eq!(o["probability"], 10, "defaulted per stage");
    assert_eq!(o["amount"], "1000.00");
    assert_eq!(o["currency"], "USD");
    assert_eq!(o["owner_id"], u.id.as_str());
    assert_eq!(o["customer_name"], "Big deal Inc");
    assert_eq!(o["closed_at"], Value::Null);

    let (status, got) = app.get(&location, &u).await;
    assert_eq!((status, &got), (StatusCode::OK, &o));

    let (status, up) = app
        .patch(
            &location,
            &u,
            json!({"stage": "proposal", "amount": "1500.50", "expected_close_date": "2026-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(up["probability"], 40, "the new stage's default");
    assert_eq!(up["amount"], "1500.50");
    assert_eq!(up["version"], 2);
    assert_ne!(up["stage_changed_at"], o["stage_changed_at"]);

    let (status, h) = app.get(&format!("{location}/stage-history"), &u).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    let h = h["data"].as_array().unwrap().clone();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (&h[0]["from_stage"], &h[0]["to_stage"]),
        (&Value::Null, &json!("qualification"))
    );
    assert_eq!(
        (&h[1]["from_stage"], &h[1]["to_stage"]),
        (&json!("qualification"), &json!("proposal"))
    );
    assert_eq!(h[1]["amount"], "1500.50");
    assert_eq!(h[1]["probability"], 40);
    assert_eq!(h[1]["changed_by"], u.id.as_str());
    assert_eq!(h[0]["left_at"], h[1]["changed_at"]);

    let (status, list) = app
        .get("/api/v1/opportunities?stage=proposal,negotiation&q=big", &u)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (_, exact) = app
        .get(
            "/api/v1/opportunities?amount=1500.50&probability=40&expected_close_date=2026-12-31&name=BIG%20DEAL&currency=usd",
            &u,
        )
        .await;
    assert_eq!(exact["data"].as_array().map(Vec::len), Some(1), "{exact}");
    let (_, none) = app.get("/api/v1/opportunities?stage=won", &u).await;
    assert_eq!(none["data"], json!([]));

    let (status, _) = app.delete(&location, &u).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&location, &u).await.0, StatusCode::NOT_FOUND);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity = 'opportunity' AND entity_id = $1::uuid ORDER BY id",
    )
    .bind(o["id"].as_str().unwrap())
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "opportunity.create",
            "opportunity.update",
            "opportunity.delete"
        ]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_422_naming_each_field_and_writes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let body = deal(&app, &u, "D").await;
    let cases = [
        (json!({"amount": "-1.00"}), "amount"),
        (json!({"amount": "1.005"}), "amount"),
        (json!({"currency": "EURO"}), "currency"),
        (json!({"probability": 101}), "probability"),
        (json!({"stage": "lost"}), "lost_reason"),
        (json!({"stage": "maybe"}), "stage"),
        (json!({"name": ""}), "name"),
        (json!({"customer_id": null}), "customer_id"),
        (
            json!({"expected_close_date": "soon"}),
            "expected_close_date",
        ),
    ];
    for (change, field) in cases {
        let mut b = body.clone();
        for (k, v) in change.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (status, p) = app.post("/api/v1/opportunities", &u, b).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {p}");
        assert_eq!(fields(&p), [field], "{change}");
    }
    assert_eq!(app.count("opportunities").await, 0);
    assert_eq!(app.count("opportunity_stage_history").await, 0);

    let (status, p) = app
        .get(
            "/api/v1/opportunities?stage=won,maybe&close_from=x&sort=secret",
            &u,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["close_from", "sort", "stage"]);

    let o = opp(&app, &u, body).await;
    let (status, p) = moved(&app, &u, &o, json!({"probability": -1, "currency": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["currency", "probability"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_see_only_their_own_and_roles_are_enforced(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let body = deal(&app, &a, "Mine").await;
    let o = opp(&app, &a, body.clone()).await;
    let p = path(&o);

    assert_eq!(app.get(&p, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&p, &b, json!({"name": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&p, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("{p}/stage-history"), &b).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = app.get("/api/v1/opportunities", &b).await;
    assert_eq!(list["data"], json!([]));
    let (_, list) = app.get("/api/v1/opportunities", &a).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    // B may not attach an opportunity to A's customer, nor give one to A.
    let (status, e) = app.post("/api/v1/opportunities", &b, body.clone()).await;
    assert_eq!(
        (status, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_id".to_owned()]
        )
    );
    let mut own = deal(&app, &b, "Theirs").await;
    own["owner_id"] = json!(a.id);
    let (status, e) = app.post("/api/v1/opportunities", &b, own).await;
    assert_eq!(
        (status, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );

    let viewer = app.user(Role::Viewer, None).await;
    assert_eq!(app.get(&p, &viewer).await.0, StatusCode::OK);
    assert_eq!(
        app.post("/api/v1/opportunities", &viewer, body.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let support = app.user(Role::Support, None).await;
    assert_eq!(
        app.patch(&p, &support, json!({"name": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.delete(&p, &support).await.0, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(Method::GET, "/api/v1/opportunities", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, same) = app.get(&p, &a).await;
    assert_eq!(same["name"], "Mine", "nothing changed");
    assert_eq!(same["version"], 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stale_if_match_is_412_and_changes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let body = deal(&app, &u, "D").await;
    let o = opp(&app, &u, body).await;
    let res = app
        .http
        .patch(format!("{}{}", app.base, path(&o)))
        .bearer_auth(&u.token)
        .header("if-match", "\"7\"")
        .json(&json!({"stage": "won"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let (_, same) = app.get(&path(&o), &u).await;
    assert_eq!(
        (same["stage"].as_str(), same["version"].as_i64()),
        (Some("qualification"), Some(1))
    );
    assert_eq!(trail(&app, &o).await, (1, 1));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_is_all_or_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let good = deal(&app, &u, "A").await;
    let mut bad = good.clone();
    bad["amount"] = json!("1.001");
    let (status, p) = app
        .post(
            "/api/v1/opportunities/bulk",
            &u,
            json!({"items": [good.clone(), bad]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].amount"]);
    let other = app.user(Role::Sales, None).await;
    let foreign = deal(&app, &other, "B").await;
    let (status, p) = app
        .post(
            "/api/v1/opportunities/bulk",
            &u,
            json!({"items": [good.clone(), foreign]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].customer_id"]);
    assert_eq!(app.count("opportunities").await, 0);
    assert_eq!(app.count("opportunity_stage_history").await, 0);

    let (status, r) = app
        .post(
            "/api/v1/opportunities/bulk",
            &u,
            json!({"items": [good.clone(), good]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.count("opportunity_stage_history").await, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stage_machine_history_and_audit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let team = Some("north");
    let sales = app.user(Role::Sales, team).await;
    let manager = app.user(Role::Manager, team).await;
    let body = deal(&app, &sales, "D").await;
    let o = opp(&app, &sales, body).await;
    assert_eq!(trail(&app, &o).await, (1, 1));

    let (status, r) = moved(&app, &sales, &o, json!({"stage": "negotiation"})).await;
    assert_eq!(
        (status, r["probability"].as_i64()),
        (StatusCode::OK, Some(70)),
        "forward skip: {r}"
    );
    assert_eq!(trail(&app, &o).await, (2, 2));

    let (status, p) = moved(&app, &sales, &o, json!({"stage": "proposal"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("only a manager"));
    assert_eq!(
        trail(&app, &o).await,
        (2, 2),
        "a refused change writes nothing"
    );

    let (status, r) = moved(&app, &manager, &o, json!({"stage": "proposal"})).await;
    assert_eq!(
        (status, r["stage"].as_str()),
        (StatusCode::OK, Some("proposal")),
        "{r}"
    );

    let (status, p) = moved(&app, &sales, &o, json!({"stage": "lost"})).await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["lost_reason".to_owned()]
        )
    );

    let (status, won) = moved(&app, &sales, &o, json!({"stage": "won"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(won["probability"], 100);
    assert!(won["closed_at"].is_string());

    let (status, p) = moved(&app, &sales, &o, json!({"stage": "negotiation"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    let (status, p) = moved(
        &app,
        &sales,
        &o,
        json!({"stage": "lost", "lost_reason": "price"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "closed is final for sales: {p}"
    );

    let (status, reopened) = moved(&app, &manager, &o, json!({"stage": "negotiation"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reopened["closed_at"],
        Value::Null,
        "reopening clears closed_at"
    );
    assert_eq!(reopened["probability"], 70);

    let (status, lost) = moved(
        &app,
        &sales,
        &o,
        json!({"stage": "lost", "lost_reason": "budget cut"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{lost}");
    assert_eq!(
        (lost["lost_reason"].as_str(), lost["probability"].as_i64()),
        (Some("budget cut"), Some(0))
    );
    assert!(lost["closed_at"].is_string());

    // create, 6 stage changes: one history row and one audit row each.
    assert_eq!(trail(&app, &o).await, (6, 6));
    let (_, h) = app
        .get(&format!("{}/stage-history", path(&o)), &manager)
        .await;
    let to: Vec<&str> = h["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to_stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        to,
        [
            "qualification",
            "negotiation",
            "proposal",
            "won",
            "negotiation",
            "lost"
        ]
    );
    let (_, audit) = app
        .get(
            &format!(
                "/api/v1/audit-logs?entity=opportunity&entity_id={}",
                o["id"].as_str().unwrap()
            ),
            &manager,
        )
        .await;
    let stage_changes = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["changes"]["stage"].is_object())
        .count();
    assert_eq!(
        stage_changes, 6,
        "the create and each of the five moves record the stage"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_actions_follow_the_stage_rules_all_or_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let body = deal(&app, &u, "D").await;
    let open = opp(&app, &u, body.clone()).await;
    let mut w = body.clone();
    w["stage"] = json!("won");
    let won = opp(&app, &u, w).await;
    let ids = json!([open["id"], won["id"]]);

    let (status, p) = app
        .post(
            "/api/v1/opportunities/bulk-actions",
            &u,
            json!({"action": "move_stage", "stage": "proposal", "ids": ids}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().starts_with("ids[1]"), "{p}");
    let (_, still) = app.get(&path(&open), &u).await;
    assert_eq!(still["stage"], "qualification", "nothing moved");

    let (status, p) = app
        .post(
            "/api/v1/opportunities/bulk-actions",
            &u,
            json!({"action": "move_stage", "stage": "lost", "ids": [open["id"]]}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["ids[0].lost_reason".to_owned()]
        )
    );

    let (status, r) = app
        .post(
            "/api/v1/opportunities/bulk-actions",
            &u,
            json!({"action": "move_stage", "stage": "negotiation", "ids": [open["id"]]}),
        )
        .await;
    assert_eq!(
        (status, r["affected"].as_i64()),
        (StatusCode::OK, Some(1)),
        "{r}"
    );
    assert_eq!(trail(&app, &open).await, (2, 2));

    let other = app.user(Role::Sales, None).await;
    let (status, _) = app
        .post(
            "/api/v1/opportunities/bulk-actions",
            &u,
            json!({"action": "assign_owner", "owner_id": other.id, "ids": ids}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sales may not give opportunities away"
    );
    let (status, r) = app
        .post(
            "/api/v1/opportunities/bulk-actions",
            &u,
            json!({"action": "delete", "ids": ids}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(app.count("opportunities").await, 0);
}

/// The known data set of the report tests: sales A owns five opportunities (one in SEK, which has no rate),
/// sales B one.
async fn report_data(app: &TestApp, a: &TestUser, b: &TestUser) {
    let mk = |name: &str, amount: &str, currency: &str, close: &str| json!({"name": name, "amount": amount, "currency": currency, "expected_close_date": close});
    let ca = app.customer(a, json!({"name": "A Corp"})).await;
    let cb = app.customer(b, json!({"name": "B Corp"})).await;
    let with = |mut v: Value, c: &Value| {
        v["customer_id"] = c["id"].clone();
        v
    };
    opp(app, a, with(mk("a1", "1000.00", "USD", "2026-01-15"), &ca)).await;
    let mut a2 = with(mk("a2", "500.00", "EUR", "2026-02-10"), &ca);
    a2["stage"] = json!("proposal");
    opp(app, a, a2).await;
    let a3 = opp(app, a, with(mk("a3", "2000.00", "USD", "2026-01-20"), &ca)).await;
    assert_eq!(
        moved(app, a, &a3, json!({"stage": "won"})).await.0,
        StatusCode::OK
    );
    let a4 = opp(app, a, with(mk("a4", "300.00", "GBP", "2026-03-01"), &ca)).await;
    let (status, _) = moved(
        app,
        a,
        &a4,
        json!({"stage": "lost", "lost_reason": "price"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut a5 = with(mk("a5", "100.00", "SEK", "2026-01-05"), &ca);
    a5["stage"] = json!("negotiation");
    opp(app, a, a5).await;
    let mut b1 = with(mk("b1", "1000.00", "USD", "2026-02-01"), &cb);
    b1["stage"] = json!("negotiation");
    b1["probability"] = json!(50);
    opp(app, b, b1).await;
}

fn stage_row(r: &Value, stage: &str) -> (i64, String, String) {
    let s = r["stages"]
        .as_array()
        .expect("report shape")
        .iter()
        .find(|s| s["stage"] == stage)
        .expect("report shape");
    (
        s["count"].as_i64().expect("report shape"),
        s["amount"].as_str().expect("report shape").to_owned(),
        s["weighted_amount"]
            .as_str()
            .expect("report shape")
            .to_owned(),
    )
}

fn totals(r: &Value) -> Value {
    r["totals"].clone()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_pipeline_report_numbers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let admin = app.user(Role::Admin, None).await;
    report_data(&app, &a, &b).await;

    let (status, r) = app.get("/api/v1/reports/sales-pipeline", &admin).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let s = |c: i64, a: &str, w: &str| (c, a.to_owned(), w.to_owned());
    assert_eq!(stage_row(&r, "qualification"), s(1, "1000.00", "100.00"));
    assert_eq!(
        stage_row(&r, "proposal"),
        s(1, "540.00", "216.00"),
        "EUR at 1.08"
    );
    assert_eq!(
        stage_row(&r, "negotiation"),
        s(1, "1000.00", "500.00"),
        "SEK has no rate"
    );
    assert_eq!(stage_row(&r, "won"), s(1, "2000.00", "2000.00"));
    assert_eq!(stage_row(&r, "lost"), s(1, "381.00", "0.00"), "GBP at 1.27");
    assert_eq!(
        totals(&r),
        json!({"open_count": 3, "open_amount": "2540.00", "weighted_amount": "816.00", "won_amount": "2000.00", "lost_amount": "381.00"})
    );
    assert_eq!(r["unconverted_currencies"], json!(["SEK"]));
    assert_eq!(
        r["forecast"],
        json!([
            {"month": "2026-01", "amount": "1000.00", "weighted_amount": "100.00", "count": 1},
            {"month": "2026-02", "amount": "1540.00", "weighted_amount": "716.00", "count": 2},
        ])
    );
    assert_eq!(r["win_rate_by_owner"].as_array().unwrap().len(), 1);
    assert_eq!(r["win_rate_by_owner"][0]["owner_id"], a.id.as_str());
    assert_eq!(
        (
            r["win_rate_by_owner"][0]["won"].as_i64(),
            r["win_rate_by_owner"][0]["lost"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(r["win_rate_by_owner"][0]["rate"], 0.5);
    let q = r["win_rate_by_stage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "qualification")
        .unwrap();
    assert_eq!(
        (q["entered"].as_i64(), q["won"].as_i64(), q["rate"].as_f64()),
        (Some(2), Some(1), Some(0.5))
    );
    let days = r["avg_days_in_stage"].as_array().unwrap();
    assert_eq!(days.len(), 1, "only qualification was left: {days:?}");
    assert!(days[0]["days"].as_f64().unwrap() >= 0.0);

    let (_, by_owner) = app
        .get(
            &format!("/api/v1/reports/sales-pipeline?owner_id={}", a.id),
            &admin,
        )
        .await;
    let expected_a = json!({"open_count": 2, "open_amount": "1540.00", "weighted_amount": "316.00", "won_amount": "2000.00", "lost_amount": "381.00"});
    assert_eq!(totals(&by_owner), expected_a);

    let (_, feb) = app
        .get(
            "/api/v1/reports/sales-pipeline?from=2026-02-01&to=2026-02-28",
            &admin,
        )
        .await;
    assert_eq!(
        totals(&feb),
        json!({"open_count": 2, "open_amount": "1540.00", "weighted_amount": "716.00", "won_amount": "0.00", "lost_amount": "0.00"})
    );
    assert_eq!(feb["unconverted_currencies"], json!([]));

    let (_, mine) = app.get("/api/v1/reports/sales-pipeline", &a).await;
    assert_eq!(totals(&mine), expected_a, "sales A counts only their own");
    let (_, theirs) = app.get("/api/v1/reports/sales-pipeline", &b).await;
    assert_eq!(theirs["totals"]["open_count"], 1);
    assert_eq!(theirs["totals"]["open_amount"], "1000.00");
    assert_eq!(theirs["unconverted_currencies"], json!([]));

    let (status, p) = app
        .get(
            "/api/v1/reports/sales-pipeline?from=yesterday&owner_id=x",
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p).len(), 2);
    let (status, _) = app
        .call(Method::GET, "/api/v1/reports/sales-pipeline", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_openapi_document_lists_the_pipeline(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (_, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    for path in [
        "/api/v1/opportunities",
        "/api/v1/opportunities/{id}",
        "/api/v1/opportunities/bulk",
        "/api/v1/opportunities/bulk-actions",
        "/api/v1/opportunities/{id}/stage-history",
        "/api/v1/reports/sales-pipeline",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(tags.contains(&"opportunities") && tags.contains(&"reports"));
}

/// Names of every page of `path` (which already has a query string), `limit=2` at a time.
async fn all_pages(app: &TestApp, u: &TestUser, path: &str) -> Vec<String> {
    crate::common::all_pages(app, u, &format!("{path}&limit=2"), "name").await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn keyset_pages_cover_every_row_once_in_order_with_empty_close_dates(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let body = deal(&app, &u, "x").await;
    let rows = [
        ("a", Some("2026-03-01"), "30.00"),
        ("b", None, "10.00"),
        ("c", Some("2026-01-01"), "50.00"),
        ("d", None, "20.00"),
        ("e", Some("2026-02-01"), "40.00"),
    ];
    for (name, close, amount) in rows {
        let mut b = body.clone();
        b["name"] = json!(name);
        b["expected_close_date"] = json!(close);
        b["amount"] = json!(amount);
        opp(&app, &u, b).await;
    }
    let asc = all_pages(&app, &u, "/api/v1/opportunities?sort=expected_close_date").await;
    assert_eq!(&asc[..3], ["c", "e", "a"], "dated first, earliest first");
    let mut undated = asc[3..].to_vec();
    undated.sort();
    assert_eq!(undated, ["b", "d"]);
    let desc = all_pages(&app, &u, "/api/v1/opportunities?sort=-expected_close_date").await;
    assert_eq!(
        &desc[..3],
        ["a", "e", "c"],
        "undated last in both directions"
    );
    let by_amount = all_pages(&app, &u, "/api/v1/opportunities?sort=-amount").await;
    assert_eq!(by_amount, ["c", "e", "a", "d", "b"]);
    let by_name = all_pages(&app, &u, "/api/v1/opportunities?sort=name").await;
    assert_eq!(by_name, ["a", "b", "c", "d", "e"]);
    let newest = all_pages(&app, &u, "/api/v1/opportunities?stage=qualification").await;
    assert_eq!(newest, ["e", "d", "c", "b", "a"], "default: newest first");
}

/// The board and the detail page use server functions: a stage move with the version seen, the stage history,
/// the report and the record's audit history, under the same rules as the REST API.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn server_functions_move_stages_and_read_history(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let body = deal(&app, &u, "Rpc").await;
    let o = opp(&app, &u, body).await;
    let browser = app.browser_login(&u.email).await;
    let call = |path: &'static str, body: Value| {
        let browser = browser.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let res = browser.post(url).json(&body).send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let update = app::api::opportunities::UpdateOpportunity::PATH;
    let (status, moved) = call(
        update,
        json!({"id": o["id"], "version": 1, "patch": {"stage": "negotiation"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["stage"], "negotiation");
    let (status, stale) = call(
        update,
        json!({"id": o["id"], "version": 1, "patch": {"stage": "won"}}),
    )
    .await;
    assert_eq!(stale["status"], 412, "{status} {stale}");
    let (_, back) = call(
        update,
        json!({"id": o["id"], "version": 2, "patch": {"stage": "proposal"}}),
    )
    .await;
    assert_eq!(back["status"], 409, "{back}");

    let (status, history) = call(
        app::api::opportunities::OpportunityStageHistory::PATH,
        json!({"id": o["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let (status, audit) = call(
        app::api::audit::RecordHistory::PATH,
        json!({"entity": "opportunity", "entity_id": o["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert_eq!(audit.as_array().map(Vec::len), Some(2));
    let (status, report) = call(
        app::api::opportunities::SalesPipelineReport::PATH,
        json!({"query": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["totals"]["open_count"], 1);
}
