use crate::common::{TestApp, TestUser, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

async fn lead(app: &TestApp, u: &TestUser, body: Value) -> Value {
    let (status, l) = app.post("/api/v1/leads", u, body).await;
    assert_eq!(status, StatusCode::CREATED, "{l}");
    l
}

fn path(l: &Value) -> String {
    format!("/api/v1/leads/{}", l["id"].as_str().expect("lead id"))
}

fn names(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| l["name"].as_str().expect("name").to_owned())
        .collect()
}

/// (action, entity) of every audit row, oldest first.
async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT action, entity FROM audit_logs WHERE entity IN ('lead', 'customer', 'contact', 'opportunity') ORDER BY id")
        .fetch_all(&app.db)
        .await
        .expect("audit rows")
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn create_read_update_delete_with_etag_location_and_audit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let res = app
        .send(
            Method::POST,
            "/api/v1/leads",
            Some(&u.token),
            Some(json!({"name": " Ada Lovelace ", "company": "Engines Ltd", "email": "Ada@Engines.example",
                "source": "web", "estimated_value": "1500.50", "currency": "eur"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let l: Value = res.json().await.unwrap();
    assert_eq!(location, path(&l));
    assert_eq!(l["name"], "Ada Lovelace");
    assert_eq!(l["email"], "ada@engines.example");
    assert_eq!(l["status"], "new");
    assert_eq!(l["source"], "web");
    assert_eq!(l["estimated_value"], "1500.50");
    assert_eq!(l["currency"], "EUR");
    assert_eq!(l["owner_id"], u.id.as_str(), "the creator owns it");
    assert_eq!(l["owner_name"], "Test User");

    let (status, got) = app.get(&location, &u).await;
    assert_eq!((status, &got), (StatusCode::OK, &l));

    let (status, updated) = app
        .patch(
            &location,
            &u,
            json!({"status": "contacted", "company": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["status"], "contacted");
    assert_eq!(updated["company"], Value::Null);
    assert_eq!(updated["version"], 2);

    // Disqualify needs a reason; a disqualified lead can be reopened.
    let (status, p) = app
        .patch(&location, &u, json!({"status": "disqualified"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["disqualified_reason"]);
    let (status, d) = app
        .patch(
            &location,
            &u,
            json!({"status": "disqualified", "disqualified_reason": "No budget"}),
        )
        .await;
    assert_eq!(
        (status, &d["disqualified_reason"]),
        (StatusCode::OK, &json!("No budget"))
    );
    let (status, reopened) = app
        .patch(&location, &u, json!({"status": "qualified"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reopened["disqualified_reason"], Value::Null);

    let (status, _) = app.delete(&location, &u).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&location, &u).await.0, StatusCode::NOT_FOUND);
    let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|a| a.0).collect();
    assert_eq!(
        actions,
        [
            "lead.create",
            "lead.update",
            "lead.update",
            "lead.update",
            "lead.delete"
        ]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_422_naming_every_field_and_writes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let (status, p) = app
        .post(
            "/api/v1/leads",
            &u,
            json!({"name": "", "email": "nope", "estimated_value": "-5", "currency": "EURO"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["currency", "email", "estimated_value", "name"]);
    let (status, p) = app
        .post("/api/v1/leads", &u, json!({"name": "X", "source": "tv"}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["source".to_owned()])
    );
    let (status, p) = app
        .post(
            "/api/v1/leads",
            &u,
            json!({"name": "X", "status": "converted"}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_owned()])
    );
    let (status, p) = app
        .post(
            "/api/v1/leads",
            &u,
            json!({"name": "X", "owner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );
    let (status, p) = app.get("/api/v1/leads?status=gone&sort=secret", &u).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p).len(), 2);
    assert_eq!(app.count("leads").await, 0);
    assert_eq!(app.count("audit_logs WHERE entity = 'lead'").await, 0);

    let unknown = format!("/api/v1/leads/{}", uuid::Uuid::now_v7());
    assert_eq!(app.get(&unknown, &u).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&unknown, &u, json!({"name": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&format!("{unknown}/convert"), &u, json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_see_only_their_leads_and_viewers_cannot_write(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let viewer = app.user(Role::Viewer, None).await;
    let la = lead(&app, &a, json!({"name": "A's lead"})).await;
    let pa = path(&la);
    assert_eq!(app.get(&pa, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&pa, &b, json!({"name": "Stolen"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&pa, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("{pa}/convert"), &b, json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{pa}/duplicates"), &b).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(names(&app.get("/api/v1/leads", &b).await.1).is_empty());
    assert_eq!(names(&app.get("/api/v1/leads", &a).await.1), ["A's lead"]);
    // Sales may not hand a lead to someone outside their scope.
    let (status, p) = app.patch(&pa, &a, json!({"owner_id": b.id})).await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );

    // A viewer reads every lead but writes none.
    assert_eq!(app.get(&pa, &viewer).await.0, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/leads", &viewer, json!({"name": "V"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.patch(&pa, &viewer, json!({"name": "V"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&format!("{pa}/convert"), &viewer, json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("leads").await, 1);
    assert_eq!(
        app.call(Method::GET, "/api/v1/leads", None, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stale_if_match_is_412_and_changes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let l = lead(&app, &u, json!({"name": "Versioned"})).await;
    let p = path(&l);
    let patch = |etag: &'static str, name: &'static str| {
        app.http
            .patch(format!("{}{p}", app.base))
            .bearer_auth(&u.token)
            .header("if-match", etag)
            .json(&json!({"name": name}))
            .send()
    };
    let ok = patch("\"1\"", "First").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()["etag"], "\"2\"");
    let stale = patch("\"1\"", "Second").await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (_, now) = app.get(&p, &u).await;
    assert_eq!(
        (now["name"].as_str(), now["version"].as_i64()),
        (Some("First"), Some(2))
    );
    assert_eq!(app.audit_count(l["id"].as_str().unwrap()).await, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_is_all_or_nothing_and_bulk_actions_apply(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Manager, None).await;
    let other = app.user(Role::Sales, None).await;
    let (status, p) = app
        .post(
            "/api/v1/leads/bulk",
            &u,
            json!({"items": [{"name": "Fine"}, {"name": "Bad", "email": "nope"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].email"]);
    assert_eq!(app.count("leads").await, 0);
    let (status, created) = app
        .post(
            "/api/v1/leads/bulk",
            &u,
            json!({"items": [{"name": "One"}, {"name": "Two", "source": "event"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ids: Vec<Value> = created["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].clone())
        .collect();
    assert_eq!(ids.len(), 2);

    let (status, r) = app
        .post(
            "/api/v1/leads/bulk-actions",
            &u,
            json!({"ids": ids, "action": "assign_owner", "owner_id": other.id}),
        )
        .await;
    assert_eq!((status, &r["affected"]), (StatusCode::OK, &json!(2)));
    assert_eq!(
        names(&app.get("/api/v1/leads?sort=name", &other).await.1),
        ["One", "Two"]
    );

    // Disqualifying without a reason fails for the whole selection.
    let (status, p) = app
        .post(
            "/api/v1/leads/bulk-actions",
            &u,
            json!({"ids": ids, "action": "set_status", "status": "disqualified"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["ids[0].disqualified_reason"]);
    let (status, _) = app
        .post("/api/v1/leads/bulk-actions", &u, json!({"ids": ids, "action": "set_status", "status": "disqualified", "disqualified_reason": "Spam"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app.get("/api/v1/leads?status=disqualified", &u).await;
    assert_eq!(names(&list).len(), 2);

    let unknown = uuid::Uuid::now_v7();
    let (status, _) = app
        .post(
            "/api/v1/leads/bulk-actions",
            &u,
            json!({"ids": [ids[0], unknown], "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("leads").await, 2, "nothing deleted");
    let (status, _) = app
        .post(
            "/api/v1/leads/bulk-actions",
            &u,
            json!({"ids": ids, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("leads").await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn list_filters_sorts_searches_and_pages(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    for (name, value, source) in [
        ("Alpha", "10", "web"),
        ("Bravo", "30", "event"),
        ("Charlie", "20", "web"),
    ] {
        lead(&app, &u, json!({"name": name, "estimated_value": value, "source": source, "company": format!("{name} Corp")})).await;
    }
    lead(&app, &u, json!({"name": "Delta"})).await;
    let (_, by_value) = app
        .get("/api/v1/leads?sort=-estimated_value&limit=2", &u)
        .await;
    assert_eq!(names(&by_value), ["Bravo", "Charlie"]);
    let cursor = by_value["next_cursor"].as_str().unwrap();
    let (_, next) = app
        .get(
            &format!("/api/v1/leads?sort=-estimated_value&limit=2&cursor={cursor}"),
            &u,
        )
        .await;
    assert_eq!(
        names(&next),
        ["Alpha", "Delta"],
        "no value sorts last when descending"
    );
    assert_eq!(next["next_cursor"], Value::Null);
    let (_, web) = app.get("/api/v1/leads?source=web&sort=name", &u).await;
    assert_eq!(names(&web), ["Alpha", "Charlie"]);
    let (_, q) = app.get("/api/v1/leads?q=brav", &u).await;
    assert_eq!(names(&q), ["Bravo"]);
    let (_, q) = app.get("/api/v1/leads?q=charlie%20corp", &u).await;
    assert_eq!(names(&q), ["Charlie"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn convert_creates_customer_contact_opportunity_and_links_them(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let l = lead(
        &app,
        &u,
        json!({"name": "Ada King Lovelace", "company": "Engines Ltd", "email": "ada@engines.example",
            "phone": "+44 20 7946 0000", "estimated_value": "2500.00", "currency": "GBP", "status": "qualified"}),
    )
    .await;
    let p = path(&l);
    let (status, c) = app
        .post(
            &format!("{p}/convert"),
            &u,
            json!({"expected_close_date": "2027-01-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let customer = &c["customer"];
    assert_eq!(customer["name"], "Engines Ltd");
    assert_eq!(customer["email"], "ada@engines.example");
    assert_eq!(customer["status"], "prospect");
    assert_eq!(customer["owner_id"], u.id.as_str());
    let contact = &c["contact"];
    assert_eq!(
        (
            contact["first_name"].as_str(),
            contact["last_name"].as_str()
        ),
        (Some("Ada King"), Some("Lovelace"))
    );
    assert_eq!(contact["customer_id"], customer["id"]);
    let opp = &c["opportunity"];
    assert_eq!(opp["name"], "Engines Ltd");
    assert_eq!(opp["stage"], "qualification");
    assert_eq!(opp["probability"], 10);
    assert_eq!(opp["amount"], "2500.00");
    assert_eq!(opp["currency"], "GBP");
    assert_eq!(opp["customer_id"], customer["id"]);
    assert_eq!(opp["owner_id"], u.id.as_str());
    assert_eq!(opp["expected_close_date"], "2027-01-31");
    // The answer is the opportunity as the opportunities API returns it.
    assert_eq!(opp["customer_name"], "Engines Ltd");
    assert_eq!(opp["contact_id"], contact["id"]);
    assert_eq!(opp["lead_id"], l["id"]);
    assert_eq!(opp["version"], 1);
    let (status, read) = app
        .get(
            &format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap()),
            &u,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(&read, opp);

    let (_, converted) = app.get(&p, &u).await;
    assert_eq!(converted["status"], "converted");
    assert!(converted["converted_at"].is_string());
    assert_eq!(converted["converted_customer_id"], customer["id"]);
    assert_eq!(converted["converted_contact_id"], contact["id"]);
    assert_eq!(converted["converted_opportunity_id"], opp["id"]);
    let opp_id = uuid::Uuid::parse_str(opp["id"].as_str().unwrap()).unwrap();
    let (lead_id, contact_id): (Option<uuid::Uuid>, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT lead_id, contact_id FROM opportunities WHERE id = $1")
            .bind(opp_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(lead_id.map(|i| i.to_string()).as_deref(), l["id"].as_str());
    assert_eq!(
        contact_id.map(|i| i.to_string()).as_deref(),
        contact["id"].as_str()
    );
    let history: Vec<(Option<String>, String, i16)> = sqlx::query_as(
        "SELECT from_stage, to_stage, probability FROM opportunity_stage_history WHERE opportunity_id = $1",
    )
    .bind(opp_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(history, [(None, "qualification".to_owned(), 10)]);

    // Every record created and the lead itself are audited.
    let actions = audit_actions(&app).await;
    let tail: Vec<(&str, &str)> = actions
        .iter()
        .skip(1)
        .map(|(a, e)| (a.as_str(), e.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("customer.create", "customer"),
            ("contact.create", "contact"),
            ("opportunity.create", "opportunity"),
            ("lead.convert", "lead"),
        ]
    );

    // A converted lead is read-only and cannot be converted again.
    let (status, p2) = app.post(&format!("{p}/convert"), &u, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p2}");
    assert!(p2["detail"].as_str().unwrap().contains("already converted"));
    assert_eq!(
        app.patch(&p, &u, json!({"notes": "late"})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(app.count("customers").await, 1);
    assert_eq!(app.count("opportunities").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn convert_without_body_and_without_opportunity(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let l = lead(&app, &u, json!({"name": "Solo"})).await;
    let res = app
        .send(
            Method::POST,
            &format!("{}/convert", path(&l)),
            Some(&u.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["customer"]["name"], "Solo");
    assert_eq!(c["opportunity"]["amount"], "0");
    let l2 = lead(&app, &u, json!({"name": "No Deal"})).await;
    let (status, c2) = app
        .post(
            &format!("{}/convert", path(&l2)),
            &u,
            json!({"create_opportunity": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c2}");
    assert_eq!(c2["opportunity"], Value::Null);
    assert_eq!(c2["lead"]["converted_opportunity_id"], Value::Null);
    assert_eq!(app.count("opportunities").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn disqualified_lead_cannot_be_converted(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let l = lead(
        &app,
        &u,
        json!({"name": "Gone", "status": "disqualified", "disqualified_reason": "Spam"}),
    )
    .await;
    let (status, p) = app
        .post(&format!("{}/convert", path(&l)), &u, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(app.count("customers").await, 0);
    assert_eq!(app.count("contacts").await, 0);
    assert_eq!(app.get(&path(&l), &u).await.1["status"], "disqualified");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn convert_attaches_to_an_existing_customer(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let existing = app.customer(&u, json!({"name": "Engines Ltd"})).await;
    let l = lead(
        &app,
        &u,
        json!({"name": "Ada", "company": "Engines", "estimated_value": "99.99"}),
    )
    .await;
    let (status, c) = app
        .post(
            &format!("{}/convert", path(&l)),
            &u,
            json!({"customer_id": existing["id"], "opportunity_name": "Engine upgrade", "amount": "120.00", "currency": "EUR"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    assert_eq!(c["customer"]["id"], existing["id"]);
    assert_eq!(c["contact"]["customer_id"], existing["id"]);
    assert_eq!(c["opportunity"]["name"], "Engine upgrade");
    assert_eq!(c["opportunity"]["amount"], "120.00");
    assert_eq!(c["opportunity"]["currency"], "EUR");
    assert_eq!(app.count("customers").await, 1, "no new customer");
    assert_eq!(
        app.count("audit_logs WHERE action = 'customer.create'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn failed_conversion_leaves_nothing_behind(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let hidden = app
        .customer(
            &b,
            json!({"name": "B's customer", "email": "owner@engines.example"}),
        )
        .await;
    let l = lead(
        &app,
        &a,
        json!({"name": "Ada", "email": "owner@engines.example"}),
    )
    .await;
    let convert = format!("{}/convert", path(&l));
    let audit_before = app.count("audit_logs").await;

    // A customer the caller cannot see is not a valid target.
    let (status, p) = app
        .post(&convert, &a, json!({"customer_id": hidden["id"]}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_id".to_owned()]
        )
    );
    // A new customer would take an e-mail another customer already has: 409, nothing written.
    let (status, p) = app.post(&convert, &a, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(fields(&p), ["email"]);
    // Bad options are 422 before anything happens.
    let (status, p) = app
        .post(
            &convert,
            &a,
            json!({"amount": "-1", "currency": "euro", "expected_close_date": "soon"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");

    assert_eq!(app.count("customers").await, 1);
    assert_eq!(app.count("contacts").await, 0);
    assert_eq!(app.count("opportunities").await, 0);
    assert_eq!(app.count("opportunity_stage_history").await, 0);
    assert_eq!(app.count("audit_logs").await, audit_before);
    assert_eq!(app.get(&path(&l), &a).await.1["status"], "new");

    // The owner of the customer sees it named in the conflict, so they can attach to it.
    let l2 = lead(
        &app,
        &b,
        json!({"name": "Ada", "email": "owner@engines.example"}),
    )
    .await;
    let (status, p) = app
        .post(&format!("{}/convert", path(&l2)), &b, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(hidden["id"].as_str().unwrap()),
        "{p}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn duplicates_by_email_domain_and_name(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let other = app.user(Role::Sales, None).await;
    let same_email = app
        .customer(&u, json!({"name": "Zeta", "email": "ada@engines.example"}))
        .await;
    let same_site = app
        .customer(
            &u,
            json!({"name": "Omega", "website": "https://www.engines.example/about"}),
        )
        .await;
    let similar = app
        .customer(&u, json!({"name": "Analytical Engines Ltd"}))
        .await;
    app.customer(
        &u,
        json!({"name": "Unrelated Bakery", "email": "x@bakery.example"}),
    )
    .await;
    app.customer(
        &other,
        json!({"name": "Analytical Engines", "email": "y@engines.example"}),
    )
    .await;
    let l = lead(
        &app,
        &u,
        json!({"name": "Ada", "company": "Analytical Engines", "email": "ada@engines.example"}),
    )
    .await;
    let (status, d) = app.get(&format!("{}/duplicates", path(&l)), &u).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let got: Vec<(String, String)> = d["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["customer"]["id"].as_str().unwrap().to_owned(),
                h["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let id = |c: &Value| c["id"].as_str().unwrap().to_owned();
    assert_eq!(
        got,
        [
            (id(&same_email), "email".to_owned()),
            (id(&same_site), "domain".to_owned()),
            (id(&similar), "name".to_owned()),
        ],
        "best first, only customers the caller sees: {d}"
    );
    assert_eq!(d["data"][0]["score"], 1.0);
    let name_score = d["data"][2]["score"].as_f64().unwrap();
    assert!(name_score > 0.4 && name_score < 1.0, "{name_score}");

    // Free-mail domains say nothing about the company.
    app.customer(&u, json!({"name": "Someone", "email": "someone@gmail.com"}))
        .await;
    let free = lead(&app, &u, json!({"name": "Bob", "email": "bob@gmail.com"})).await;
    let (_, d) = app.get(&format!("{}/duplicates", path(&free)), &u).await;
    assert_eq!(d["data"], json!([]), "{d}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_ui_server_functions_convert_and_show_history(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let existing = app
        .customer(
            &u,
            json!({"name": "Engines", "email": "info@engines.example"}),
        )
        .await;
    let l = lead(
        &app,
        &u,
        json!({"name": "Ada", "email": "ada@engines.example"}),
    )
    .await;
    let browser = app.browser_login(&u.email).await;
    let call = |path: &'static str, body: Value| {
        browser
            .post(format!("{}{path}", app.base))
            .json(&body)
            .send()
    };
    let dupes: Value = call(
        app::api::leads::LeadDuplicates::PATH,
        json!({"id": l["id"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(dupes[0]["customer"]["id"], existing["id"], "{dupes}");
    assert_eq!(dupes[0]["reason"], "domain");
    let res = call(
        app::api::leads::ConvertLead::PATH,
        json!({"id": l["id"], "input": {"customer_id": existing["id"], "amount": "10.00"}}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["lead"]["status"], "converted");
    assert_eq!(c["opportunity"]["amount"], "10.00");
    let history: Value = call(
        app::api::audit::RecordHistory::PATH,
        json!({"entity": "lead", "entity_id": l["id"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(history[0]["action"], "lead.convert", "{history}");
    assert_eq!(history[1]["action"], "lead.create");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_conversions_create_one_customer(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let l = lead(&app, &u, json!({"name": "Raced", "company": "Race Ltd"})).await;
    let convert = format!("{}/convert", path(&l));
    let (a, b) = tokio::join!(
        app.post(&convert, &u, json!({})),
        app.post(&convert, &u, json!({}))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(app.count("customers").await, 1);
    assert_eq!(app.count("opportunities").await, 1);
    assert_eq!(
        app.count("audit_logs WHERE action = 'lead.convert'").await,
        1
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn openapi_documents_the_lead_endpoints(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    for p in [
        "/api/v1/leads",
        "/api/v1/leads/{id}",
        "/api/v1/leads/bulk",
        "/api/v1/leads/bulk-actions",
        "/api/v1/leads/{id}/convert",
        "/api/v1/leads/{id}/duplicates",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert_eq!(
        doc["paths"]["/api/v1/leads/{id}/convert"]["post"]["tags"][0],
        "leads"
    );
    assert!(doc["components"]["schemas"]["LeadConversion"].is_object());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn teams_share_leads_and_owners_stay_in_scope(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let north1 = app.user(Role::Sales, Some("north")).await;
    let north2 = app.user(Role::Sales, Some("north")).await;
    let south = app.user(Role::Sales, Some("south")).await;
    let manager = app.user(Role::Manager, Some("north")).await;
    let l = lead(&app, &north1, json!({"name": "North lead"})).await;
    assert_eq!(
        names(&app.get("/api/v1/leads", &north2).await.1),
        ["North lead"]
    );
    assert_eq!(
        names(&app.get("/api/v1/leads", &manager).await.1),
        ["North lead"]
    );
    assert!(names(&app.get("/api/v1/leads", &south).await.1).is_empty());
    // A team mate may take the lead over; handing it to another team is refused.
    let (status, moved) = app
        .patch(&path(&l), &north2, json!({"owner_id": north2.id}))
        .await;
    assert_eq!(
        (status, &moved["owner_id"]),
        (StatusCode::OK, &json!(north2.id))
    );
    let (status, p) = app
        .patch(&path(&l), &manager, json!({"owner_id": south.id}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );
    let (status, p) = app
        .post(
            "/api/v1/leads",
            &north1,
            json!({"name": "Gift", "owner_id": south.id}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );
}
