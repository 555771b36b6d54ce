use crate::common::{TestApp, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn create_read_update_delete_with_etag_location_and_audit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let res = app
        .send(Method::POST, "/api/v1/customers", Some(&u.token), Some(json!({"name": " Acme ", "email": "Sales@Acme.com", "website": "acme.com", "tags": ["VIP"]})))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let c: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/customers/{}", c["id"].as_str().unwrap())
    );
    assert_eq!(c["name"], "Acme");
    assert_eq!(c["email"], "sales@acme.com");
    assert_eq!(c["website"], "https://acme.com");
    assert_eq!(c["status"], "prospect");
    assert_eq!(
        c["owner_id"],
        u.id.as_str(),
        "the creator owns it by default"
    );
    assert_eq!(c["tags"], json!(["vip"]));

    let (status, got) = app.get(&location, &u).await;
    assert_eq!((status, &got), (StatusCode::OK, &c));

    let (status, updated) = app
        .patch(&location, &u, json!({"status": "active", "email": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["status"], "active");
    assert_eq!(updated["email"], Value::Null);
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "Acme", "absent fields stay");

    let (status, _) = app.delete(&location, &u).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&location, &u).await.0, StatusCode::NOT_FOUND);

    let id = c["id"].as_str().unwrap();
    let actions: Vec<(String, Value)> =
        sqlx::query_as("SELECT action, changes FROM audit_logs WHERE entity = 'customer' AND entity_id = $1::uuid ORDER BY id")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        names,
        ["customer.create", "customer.update", "customer.delete"]
    );
    assert_eq!(
        actions[1].1["status"],
        json!({"from": "prospect", "to": "active"})
    );
    assert!(
        actions[1].1.get("name").is_none(),
        "unchanged fields are not recorded"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_400_or_422_with_every_field_and_writes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let (status, p) = app
        .post(
            "/api/v1/customers",
            &u,
            json!({"name": "", "email": "nope", "phone": "call me", "tags": ["bad;tag"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["type"], "/problems/validation");
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["email", "name", "phone", "tags"]);

    let (status, p) = app
        .post(
            "/api/v1/customers",
            &u,
            json!({"name": "X", "owner_id": "not-a-uuid"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["owner_id"]);
    let (status, p) = app
        .post(
            "/api/v1/customers",
            &u,
            json!({"name": "X", "status": "gone"}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_owned()])
    );

    let res = app
        .http
        .post(format!("{}/api/v1/customers", app.base))
        .bearer_auth(&u.token)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/customers/not-a-uuid",
            Some(&u.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, p) = app
        .get(
            "/api/v1/customers?status=gone&created_from=yesterday&limit=x",
            &u,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p).len(), 3);
    assert_eq!(app.count("customers").await, 0);
    assert_eq!(app.count("audit_logs WHERE entity = 'customer'").await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn duplicate_email_is_409_on_the_field_and_leaves_no_audit_row(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Manager, None).await;
    app.customer(&u, json!({"name": "A", "email": "dup@x.example"}))
        .await;
    let audits = app.count("audit_logs").await;
    let (status, p) = app
        .post(
            "/api/v1/customers",
            &u,
            json!({"name": "B", "email": "DUP@x.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(fields(&p), ["email"]);
    assert_eq!(app.count("customers").await, 1);
    assert_eq!(
        app.count("audit_logs").await,
        audits,
        "a failed write leaves no audit row"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stale_if_match_is_412_and_changes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let c = app.customer(&u, json!({"name": "Versioned"})).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    let patch = |etag: &'static str, name: &'static str| {
        app.http
            .patch(format!("{}{path}", app.base))
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
    let (_, now) = app.get(&path, &u).await;
    assert_eq!(
        (now["name"].as_str(), now["version"].as_i64()),
        (Some("First"), Some(2))
    );
    assert_eq!(
        app.audit_count(c["id"].as_str().unwrap()).await,
        2,
        "create + one update"
    );
    let stale_delete = app
        .http
        .delete(format!("{}{path}", app.base))
        .bearer_auth(&u.token)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale_delete.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(app.get(&path, &u).await.0, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_see_own_and_team_records_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let north1 = app.user(Role::Sales, Some("north")).await;
    let north2 = app.user(Role::Sales, Some("north")).await;
    let manager = app.user(Role::Manager, Some("north")).await;
    let boss = app.user(Role::Manager, None).await;
    let ca = app.customer(&a, json!({"name": "A's customer"})).await;
    let cn = app
        .customer(&north1, json!({"name": "North customer"}))
        .await;
    let a_path = format!("/api/v1/customers/{}", ca["id"].as_str().unwrap());

    // B cannot see A's customer: 404 for read, update and delete; nothing changes.
    assert_eq!(app.get(&a_path, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&a_path, &b, json!({"name": "Stolen"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&a_path, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&a_path, &a).await.1["name"], "A's customer");
    let names = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/api/v1/customers", &b).await.1),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&app.get("/api/v1/customers", &a).await.1),
        ["A's customer"]
    );
    // Team mates and their manager see team records; a manager without a team sees everything.
    assert_eq!(
        names(&app.get("/api/v1/customers", &north2).await.1),
        ["North customer"]
    );
    assert_eq!(
        names(&app.get("/api/v1/customers", &manager).await.1),
        ["North customer"]
    );
    assert_eq!(names(&app.get("/api/v1/customers", &boss).await.1).len(), 2);
    let cn_path = format!("/api/v1/customers/{}", cn["id"].as_str().unwrap());
    assert_eq!(
        app.patch(&cn_path, &north2, json!({"industry": "Retail"}))
            .await
            .0,
        StatusCode::OK
    );
    // Sales may not hand a customer to someone outside their team.
    let (status, p) = app
        .patch(&cn_path, &north2, json!({"owner_id": a.id}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );
    // Search does not leak other teams' records either.
    assert_eq!(
        names(&app.get("/api/v1/customers?q=customer", &b).await.1),
        Vec::<String>::new()
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn viewer_reads_but_gets_403_on_writes(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let viewer = app.user(Role::Viewer, None).await;
    let support = app.user(Role::Support, None).await;
    let c = app.customer(&admin, json!({"name": "Read me"})).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    assert_eq!(app.get(&path, &viewer).await.0, StatusCode::OK);
    let (status, p) = app
        .post("/api/v1/customers", &viewer, json!({"name": "Nope"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p["type"], "/problems/forbidden");
    assert_eq!(
        app.patch(&path, &viewer, json!({"name": "Nope"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.delete(&path, &viewer).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.patch(&path, &support, json!({"name": "Nope"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&path, &admin).await.1["name"], "Read me");
    assert_eq!(app.count("customers").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn keyset_pages_filters_sort_and_search(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Manager, None).await;
    for (name, status, tag) in [
        ("Alpha Systems", "active", "vip"),
        ("Beta Labs", "prospect", "b2b"),
        ("Gamma Cloud", "active", "vip"),
        ("Delta Data", "inactive", "b2b"),
        ("Epsilon Networks", "active", "b2b"),
    ] {
        app.customer(
            &u,
            json!({"name": name, "status": status, "tags": [tag], "industry": "Software"}),
        )
        .await;
    }
    // Walk all pages of 2, sorted by name: every record exactly once, in order.
    let mut seen = Vec::new();
    let mut path = "/api/v1/customers?limit=2&sort=name".to_owned();
    loop {
        let (status, page) = app.get(&path, &u).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cur) => path = format!("/api/v1/customers?limit=2&sort=name&cursor={cur}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "Alpha Systems",
            "Beta Labs",
            "Delta Data",
            "Epsilon Networks",
            "Gamma Cloud"
        ]
    );
    let names = |v: Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(
            app.get("/api/v1/customers?sort=-name&status=active&tag=vip", &u)
                .await
                .1
        ),
        ["Gamma Cloud", "Alpha Systems"]
    );
    // Prefix full-text search and fuzzy (typo) search on the name.
    assert_eq!(
        names(app.get("/api/v1/customers?q=epsi", &u).await.1),
        ["Epsilon Networks"]
    );
    assert_eq!(
        names(app.get("/api/v1/customers?q=Gama%20Clod", &u).await.1),
        ["Gamma Cloud"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/customers?created_from=2999-01-01", &u)
                .await
                .1
        ),
        Vec::<String>::new()
    );
    // A word inside the name is found by full text when no name starts with it.
    assert_eq!(
        names(app.get("/api/v1/customers?q=networks", &u).await.1),
        ["Epsilon Networks"]
    );
    // Type-ahead pages: the cursor keeps the name-prefix mode, so page 2 holds the rest of the same result set.
    for n in ["Zeta One", "Zeta Two", "Zeta Three", "Alpha Zeta"] {
        app.customer(&u, json!({"name": n})).await;
    }
    let (_, p1) = app
        .get("/api/v1/customers?q=zeta&limit=2&sort=name", &u)
        .await;
    assert_eq!(names(p1.clone()), ["Zeta One", "Zeta Three"]);
    let cur = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = app
        .get(
            &format!("/api/v1/customers?q=zeta&limit=2&sort=name&cursor={cur}"),
            &u,
        )
        .await;
    assert_eq!(
        names(p2.clone()),
        ["Zeta Two"],
        "prefix mode only: \"Alpha Zeta\" is a full-text match"
    );
    assert_eq!(p2["next_cursor"], Value::Null);
    // Upper case and extra spaces do not matter.
    assert_eq!(
        names(app.get("/api/v1/customers?q=ZETA%20%20tw", &u).await.1),
        ["Zeta Two"]
    );
    // `%` is literal in the name prefix: no name starts with "zeta%", so full text answers (it ignores
    // punctuation) and "Alpha Zeta" is among the results, which a wildcard prefix would have left out.
    assert_eq!(
        names(app.get("/api/v1/customers?q=zeta%25", &u).await.1),
        ["Alpha Zeta", "Zeta Three", "Zeta Two", "Zeta One"]
    );
    // A cursor from another sort order is refused rather than silently misread.
    let (_, first) = app.get("/api/v1/customers?limit=1&sort=name", &u).await;
    let cur = first["next_cursor"].as_str().unwrap();
    let (status, p) = app
        .get(
            &format!("/api/v1/customers?sort=-created_at&cursor={cur}"),
            &u,
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["cursor".to_owned()])
    );
    // limit above 500 is clamped, not refused.
    assert_eq!(
        app.get("/api/v1/customers?limit=100000", &u).await.0,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_is_all_or_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let (status, p) = app
        .post(
            "/api/v1/customers/bulk",
            &u,
            json!({"items": [{"name": "Ok"}, {"name": "Bad", "email": "nope"}, {"name": ""}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].email", "items[2].name"]);
    assert_eq!(app.count("customers").await, 0);
    let (status, p) = app.post("/api/v1/customers/bulk", &u, json!({"items": [{"name": "One", "email": "same@x.example"}, {"name": "Two", "email": "same@x.example"}]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(fields(&p), ["items[1].email"]);
    assert_eq!(app.count("customers").await, 0);
    assert_eq!(app.count("audit_logs WHERE entity = 'customer'").await, 0);
    let (status, body) = app
        .post(
            "/api/v1/customers/bulk",
            &u,
            json!({"items": [{"name": "One"}, {"name": "Two"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.count("audit_logs WHERE action = 'customer.create'")
            .await,
        2
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_actions_assign_tag_and_delete(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let m = app.user(Role::Manager, None).await;
    let s = app.user(Role::Sales, None).await;
    let ids: Vec<String> = [
        app.customer(&m, json!({"name": "One"})).await,
        app.customer(&m, json!({"name": "Two"})).await,
    ]
    .iter()
    .map(|c| c["id"].as_str().unwrap().to_owned())
    .collect();
    let (status, r) = app
        .post(
            "/api/v1/customers/bulk-actions",
            &m,
            json!({"ids": ids, "action": "assign_owner", "owner_id": s.id}),
        )
        .await;
    assert_eq!(
        (status, r["affected"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{r}"
    );
    let (_, r) = app
        .post(
            "/api/v1/customers/bulk-actions",
            &s,
            json!({"ids": ids, "action": "add_tag", "tag": "Hot"}),
        )
        .await;
    assert_eq!(r["affected"], 2);
    let (_, c) = app.get(&format!("/api/v1/customers/{}", ids[0]), &s).await;
    assert_eq!(
        (c["owner_id"].as_str(), &c["tags"]),
        (Some(s.id.as_str()), &json!(["hot"]))
    );
    // One id the caller cannot see fails the whole action and nothing is deleted.
    let other = app.user(Role::Sales, None).await;
    let foreign = app.customer(&other, json!({"name": "Foreign"})).await;
    let mut mixed = ids.clone();
    mixed.push(foreign["id"].as_str().unwrap().to_owned());
    let (status, _) = app
        .post(
            "/api/v1/customers/bulk-actions",
            &s,
            json!({"ids": mixed, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("customers").await, 3);
    let (status, _) = app
        .post(
            "/api/v1/customers/bulk-actions",
            &s,
            json!({"ids": ids, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("customers").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn contacts_nested_and_standalone(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let c = app.customer(&a, json!({"name": "With contacts"})).await;
    let cid = c["id"].as_str().unwrap();
    let (status, k) = app
        .post(
            &format!("/api/v1/customers/{cid}/contacts"),
            &a,
            json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@x.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    assert_eq!(
        (k["customer_id"].as_str(), k["email"].as_str()),
        (Some(cid), Some("ada@x.example"))
    );
    let (status, p) = app
        .post("/api/v1/contacts", &a, json!({"first_name": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["customer_id", "first_name"]);
    let (status, k2) = app
        .post(
            "/api/v1/contacts",
            &a,
            json!({"customer_id": cid, "first_name": "Alan", "last_name": "Turing"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = app
        .get(&format!("/api/v1/customers/{cid}/contacts"), &a)
        .await;
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Lovelace", "Turing"]);
    let (_, found) = app.get("/api/v1/contacts?q=lovel", &a).await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    // Another sales user can neither see these contacts nor attach one to the customer.
    assert_eq!(
        app.get(
            &format!("/api/v1/contacts/{}", k["id"].as_str().unwrap()),
            &b
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/contacts", &b).await.1["data"], json!([]));
    assert_eq!(
        app.post(
            &format!("/api/v1/customers/{cid}/contacts"),
            &b,
            json!({"first_name": "X"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (status, p) = app
        .post(
            "/api/v1/contacts",
            &b,
            json!({"customer_id": cid, "first_name": "X"}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_id".to_owned()]
        )
    );
    let k2_path = format!("/api/v1/contacts/{}", k2["id"].as_str().unwrap());
    let (status, up) = app
        .patch(&k2_path, &a, json!({"title": "Mathematician"}))
        .await;
    assert_eq!((status, up["version"].as_i64()), (StatusCode::OK, Some(2)));
    assert_eq!(app.delete(&k2_path, &a).await.0, StatusCode::NO_CONTENT);
    // Deleting the customer removes its contacts.
    assert_eq!(
        app.delete(&format!("/api/v1/customers/{cid}"), &a).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.count("contacts").await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_without_a_team_cannot_give_customers_away(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let solo = app.user(Role::Sales, None).await;
    let other = app.user(Role::Sales, None).await;
    let (status, p) = app
        .post(
            "/api/v1/customers",
            &solo,
            json!({"name": "Mine", "owner_id": other.id}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["owner_id".to_owned()]
        )
    );
    assert_eq!(app.count("customers").await, 0);
    let c = app
        .customer(&solo, json!({"name": "Mine", "owner_id": solo.id}))
        .await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    let (status, _) = app.patch(&path, &solo, json!({"owner_id": other.id})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get(&path, &solo).await.1["owner_id"], solo.id.as_str());
}
