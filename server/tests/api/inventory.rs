use crate::common::{TestApp, TestUser, fields};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

struct World {
    app: TestApp,
    inv: TestUser,
    sales: TestUser,
}

async fn world(db: PgPool) -> World {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let sales = app.user(Role::Sales, None).await;
    World { app, inv, sales }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("record id").to_owned()
}

impl World {
    async fn asset(&self, body: Value) -> Value {
        let (status, a) = self.app.post("/api/v1/assets", &self.inv, body).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        a
    }

    async fn vendor(&self, name: &str) -> Value {
        let (status, v) = self
            .app
            .post(
                "/api/v1/vendors",
                &self.inv,
                json!({"name": name, "lead_time_days": 10}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v
    }

    async fn stock(&self, asset: &str) -> (i64, i64) {
        let (_, a) = self
            .app
            .get(&format!("/api/v1/assets/{asset}"), &self.inv)
            .await;
        (
            a["total_quantity"].as_i64().expect("total"),
            a["available_quantity"].as_i64().expect("available"),
        )
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn asset_crud_with_opening_stock_ledger_and_audit(db: PgPool) {
    let w = world(db).await;
    let a = w
        .asset(
            json!({"sku": " lic-office ", "name": "Office licence", "kind": "software",
            "category": "Software / Office", "total_quantity": 25, "reorder_point": 5,
            "purchase_price": "120.00", "useful_life_months": 12}),
        )
        .await;
    assert_eq!(a["sku"], "LIC-OFFICE");
    assert_eq!(a["category"], "Software/Office");
    assert_eq!(a["tracking"], "quantity");
    assert_eq!(
        (
            a["total_quantity"].as_i64(),
            a["available_quantity"].as_i64()
        ),
        (Some(25), Some(25))
    );
    let path = format!("/api/v1/assets/{}", id(&a));
    let (_, moves) = w.app.get(&format!("{path}/movements"), &w.inv).await;
    assert_eq!(moves["data"][0]["kind"], "receipt");
    assert_eq!(moves["data"][0]["total_delta"], 25);
    assert_eq!(w.app.audit_count(&id(&a)).await, 1);

    // Duplicate SKU (any case) → 409 naming sku; every bad field at once → 422.
    let (status, p) = w
        .app
        .post(
            "/api/v1/assets",
            &w.inv,
            json!({"sku": "LIC-office", "name": "x", "kind": "software"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(fields(&p), ["sku"]);
    let (status, p) = w
        .app
        .post(
            "/api/v1/assets",
            &w.inv,
            json!({"sku": "!", "name": "", "kind": "hardware", "tracking": "serial", "total_quantity": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["sku", "name", "total_quantity"]);
    let (status, p) = w
        .app
        .post(
            "/api/v1/assets",
            &w.inv,
            json!({"sku": "X1", "name": "x", "kind": "car"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["kind"]);

    // PATCH merges; quantities are read-only; a stale If-Match writes nothing.
    let (status, p) = w
        .app
        .patch(&path, &w.inv, json!({"total_quantity": 3}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (status, up) = w
        .app
        .patch(
            &path,
            &w.inv,
            json!({"name": "Office 365", "location": "Cloud"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(
        (up["name"].as_str(), up["version"].as_i64()),
        (Some("Office 365"), Some(2))
    );
    let res = w
        .app
        .http
        .patch(format!("{}{path}", w.app.base))
        .bearer_auth(&w.inv.token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Stale"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(w.app.get(&path, &w.inv).await.1["name"], "Office 365");

    // An asset with a ledger cannot be deleted (history is kept); one without can.
    assert_eq!(w.app.delete(&path, &w.inv).await.0, StatusCode::CONFLICT);
    let fresh = w
        .asset(json!({"sku": "TMP-1", "name": "Temp", "kind": "software"}))
        .await;
    let fresh_path = format!("/api/v1/assets/{}", id(&fresh));
    assert_eq!(
        w.app.delete(&fresh_path, &w.inv).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.app.get(&fresh_path, &w.inv).await.0,
        StatusCode::NOT_FOUND
    );

    // Filters: category includes sub-categories; below reorder point.
    let (_, list) = w.app.get("/api/v1/assets?category=Software", &w.inv).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
    let (_, list) = w.app.get("/api/v1/assets?category=Soft", &w.inv).await;
    assert_eq!(
        list["data"].as_array().map(Vec::len),
        Some(0),
        "a category is a whole path segment"
    );
    let (_, list) = w
        .app
        .get("/api/v1/assets?below_reorder_point=true", &w.inv)
        .await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(0));
    let (_, list) = w.app.get("/api/v1/assets?q=lic", &w.inv).await;
    assert_eq!(list["data"][0]["sku"], "LIC-OFFICE");
    // A word that starts no SKU falls back to full text (the name is "Office 365" now).
    let (_, list) = w.app.get("/api/v1/assets?q=office", &w.inv).await;
    assert_eq!(list["data"][0]["sku"], "LIC-OFFICE", "{list}");
    // SKU-prefix pages continue by SKU: three KB-… assets, two per page.
    for sku in ["KB-1", "KB-2", "KB-3"] {
        w.asset(json!({"sku": sku, "name": format!("Keyboard {sku}"), "kind": "software"}))
            .await;
    }
    let (_, first) = w.app.get("/api/v1/assets?q=kb-&limit=2", &w.inv).await;
    let skus = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|a| a["sku"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(skus(&first), ["KB-1", "KB-2"]);
    let cursor = first["next_cursor"].as_str().expect("more").to_owned();
    let (_, second) = w
        .app
        .get(
            &format!("/api/v1/assets?q=kb-&limit=2&cursor={cursor}"),
            &w.inv,
        )
        .await;
    assert_eq!(skus(&second), ["KB-3"]);
    assert!(second["next_cursor"].is_null());
    let (status, p) = w
        .app
        .get("/api/v1/assets?sort=price&kind=car", &w.inv)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["sort", "kind"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn roles_inventory_writes_sales_reads(db: PgPool) {
    let w = world(db).await;
    let viewer = w.app.user(Role::Viewer, None).await;
    let a = w
        .asset(json!({"sku": "CABLE", "name": "Cable", "kind": "software", "total_quantity": 5}))
        .await;
    let path = format!("/api/v1/assets/{}", id(&a));
    for u in [&w.sales, &viewer] {
        assert_eq!(w.app.get(&path, u).await.0, StatusCode::OK);
        let (status, _) = w
            .app
            .post(
                "/api/v1/assets",
                u,
                json!({"sku": "NOPE", "name": "n", "kind": "software"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            w.app.patch(&path, u, json!({"name": "x"})).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, _) = w
            .app
            .post(
                &format!("{path}/allocate"),
                u,
                json!({"quantity": 1, "user_id": u.id}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = w.app.post("/api/v1/vendors", u, json!({"name": "V"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(w.stock(&id(&a)).await, (5, 5), "nothing changed");
    assert_eq!(w.app.audit_count(&id(&a)).await, 1);
    assert_eq!(
        w.app.get("/api/v1/assets", &w.sales).await.0,
        StatusCode::OK
    );
    let (status, _) = w
        .app
        .call(reqwest::Method::GET, "/api/v1/assets", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The seed's sequence: 200 concurrent requests for one unit each against 50 available → exactly 50 succeed,
/// the rest get 409, and the ledger, the allocations and the quantity agree.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_allocations_never_oversell(db: PgPool) {
    let w = world(db).await;
    let a = w
        .asset(
            json!({"sku": "HOT-SKU", "name": "Hot item", "kind": "software", "total_quantity": 50}),
        )
        .await;
    let url = format!("{}/api/v1/assets/{}/allocate", w.app.base, id(&a));
    let mut handles = Vec::new();
    for _ in 0..200 {
        let http = w.app.http.clone();
        let (url, token, user) = (url.clone(), w.inv.token.clone(), w.inv.id.clone());
        handles.push(tokio::spawn(async move {
            let res = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({"quantity": 1, "user_id": user}))
                .send()
                .await
                .expect("sent");
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body)
        }));
    }
    let (mut ok, mut conflict) = (0, 0);
    for h in handles {
        let (status, body) = h.await.expect("task");
        match status {
            StatusCode::CREATED => ok += 1,
            StatusCode::CONFLICT => {
                assert!(
                    body["detail"].as_str().unwrap_or("").contains("available"),
                    "{body}"
                );
                conflict += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, conflict), (50, 150));
    assert_eq!(w.stock(&id(&a)).await, (50, 0));
    assert_eq!(w.app.count("allocations").await, 50);
    let ledger: i64 = sqlx::query_scalar("SELECT sum(available_delta) FROM stock_movements")
        .fetch_one(&w.app.db)
        .await
        .expect("sum");
    assert_eq!(ledger, 0);
    let (_, rec) = w.app.get("/api/v1/assets/reconcile", &w.inv).await;
    assert_eq!(rec["data"], json!([]));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn allocate_and_return_with_limits_conditions_and_history(db: PgPool) {
    let w = world(db).await;
    let customer = w.app.customer(&w.sales, json!({"name": "Acme"})).await;
    let a = w
        .asset(json!({"sku": "DOCK", "name": "Dock", "kind": "software", "total_quantity": 10, "reorder_point": 6}))
        .await;
    let base = format!("/api/v1/assets/{}", id(&a));
    // Bad input: no target, two targets, an unknown customer.
    let (status, p) = w
        .app
        .post(&format!("{base}/allocate"), &w.inv, json!({"quantity": 0}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["quantity", "project_id"]);
    let (status, p) = w
        .app
        .post(
            &format!("{base}/allocate"),
            &w.inv,
            json!({"quantity": 1, "customer_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["customer_id"]);
    // Too many → 409 and nothing written.
    let (status, p) = w
        .app
        .post(
            &format!("{base}/allocate"),
            &w.inv,
            json!({"quantity": 11, "customer_id": id(&customer)}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        p["detail"].as_str().unwrap_or("").contains("Only 10"),
        "{p}"
    );
    assert_eq!(w.app.count("allocations").await, 0);

    let (status, alloc) = w
        .app
        .post(
            &format!("{base}/allocate"),
            &w.inv,
            json!({"quantity": 5, "customer_id": id(&customer), "note": "rollout"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{alloc}");
    assert_eq!(alloc["customer_name"], "Acme");
    assert_eq!(w.stock(&id(&a)).await, (10, 5));

    // Return more than is out → 409; 2 good back to stock; 1 damaged written off.
    let ret = |q: i64, c: &str| json!({"allocation_id": id(&alloc), "quantity": q, "condition": c});
    let (status, _) = w
        .app
        .post(&format!("{base}/return"), &w.inv, ret(6, "good"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, r) = w
        .app
        .post(&format!("{base}/return"), &w.inv, ret(2, "good"))
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["outstanding_quantity"], 3);
    assert_eq!(w.stock(&id(&a)).await, (10, 7));
    let (status, r) = w
        .app
        .post(&format!("{base}/return"), &w.inv, ret(1, "damaged"))
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(w.stock(&id(&a)).await, (9, 7));
    let (status, r) = w
        .app
        .post(&format!("{base}/return"), &w.inv, ret(2, "lost"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(r["closed_at"].is_string(), "fully returned closes it: {r}");
    assert_eq!(w.stock(&id(&a)).await, (7, 7));
    let (status, _) = w
        .app
        .post(&format!("{base}/return"), &w.inv, ret(1, "good"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // History per asset and per customer; ledger kinds in order.
    let (_, hist) = w.app.get(&format!("{base}/allocations"), &w.inv).await;
    assert_eq!(hist["data"].as_array().map(Vec::len), Some(1));
    let (_, by_customer) = w
        .app
        .get(
            &format!("/api/v1/customers/{}/allocations", id(&customer)),
            &w.sales,
        )
        .await;
    assert_eq!(by_customer["data"][0]["id"], alloc["id"]);
    let (_, moves) = w.app.get(&format!("{base}/movements"), &w.inv).await;
    let kinds: Vec<&str> = moves["data"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "write_off",
            "return",
            "write_off",
            "return",
            "return",
            "allocation",
            "receipt"
        ]
    );
    let (_, rec) = w.app.get("/api/v1/assets/reconcile", &w.inv).await;
    assert_eq!(rec["data"], json!([]));
    // Each allocate and return wrote its audit row.
    assert_eq!(w.app.audit_count(&id(&alloc)).await, 4);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn purchase_order_partial_and_over_receipts(db: PgPool) {
    let w = world(db).await;
    let v = w.vendor("Dell").await;
    let laptop = w
        .asset(
            json!({"sku": "LAP-X1", "name": "Laptop", "kind": "hardware", "tracking": "serial",
            "vendor_id": id(&v), "purchase_price": "1000.00"}),
        )
        .await;
    assert_eq!(laptop["tracking"], "serial");
    let mouse = w
        .asset(json!({"sku": "MOUSE", "name": "Mouse", "kind": "software", "tracking": "quantity"}))
        .await;
    // Bad lines: every problem named at once.
    let (status, p) = w
        .app
        .post("/api/v1/purchase-orders", &w.inv, json!({"vendor_id": id(&v), "lines": [
            {"asset_id": id(&mouse), "quantity": 0}, {"asset_id": uuid::Uuid::now_v7(), "quantity": 1}]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["lines[0].quantity"]);
    let (status, po) = w
        .app
        .post(
            "/api/v1/purchase-orders",
            &w.inv,
            json!({"vendor_id": id(&v), "lines": [
            {"asset_id": id(&mouse), "quantity": 10, "unit_price": "12.50"},
            {"asset_id": id(&laptop), "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{po}");
    assert_eq!(po["status"], "draft");
    assert_eq!(
        po["lines"][1]["unit_price"], "1000.00",
        "defaults to the asset's price"
    );
    assert_eq!(po["total"], "2125.00");
    let path = format!("/api/v1/purchase-orders/{}", id(&po));
    let mouse_line = po["lines"][0]["id"].clone();
    let laptop_line = po["lines"][1]["id"].clone();

    // A draft cannot be received; receiving is not a status a person sets.
    let recv = |lines: Value| json!({"lines": lines});
    let (status, _) = w
        .app
        .post(
            &format!("{path}/receive"),
            &w.inv,
            recv(json!([{"line_id": mouse_line, "quantity": 1}])),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = w
        .app
        .patch(&path, &w.inv, json!({"status": "received"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, sent) = w
        .app
        .patch(&path, &w.inv, json!({"status": "ordered"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert!(sent["expected_on"].is_string());
    let (status, p) = w.app.patch(&path, &w.inv, json!({"lines": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");

    // Receive 6 then 4 mice; the laptops need serials; over-receipt → 422 and nothing written.
    let (status, r) = w
        .app
        .post(
            &format!("{path}/receive"),
            &w.inv,
            recv(json!([{"line_id": mouse_line, "quantity": 6}])),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "partially_received");
    assert_eq!(w.stock(&id(&mouse)).await, (6, 6));
    let (status, p) = w
        .app
        .post(
            &format!("{path}/receive"),
            &w.inv,
            recv(json!([
            {"line_id": mouse_line, "quantity": 5},
            {"line_id": laptop_line, "quantity": 2, "serials": ["SN1"]}])),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["lines[0].quantity", "lines[1].serials"]);
    assert_eq!(w.stock(&id(&mouse)).await, (6, 6));
    let (status, r) = w
        .app
        .post(
            &format!("{path}/receive"),
            &w.inv,
            recv(json!([
            {"line_id": mouse_line, "quantity": 4},
            {"line_id": laptop_line, "quantity": 2, "serials": ["SN1", "SN2"]}])),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "received");
    assert_eq!(w.stock(&id(&mouse)).await, (10, 10));
    assert_eq!(w.stock(&id(&laptop)).await, (2, 2));
    let (_, units) = w
        .app
        .get(&format!("/api/v1/assets/{}/units", id(&laptop)), &w.inv)
        .await;
    assert_eq!(units["data"][0]["serial"], "SN1");
    assert_eq!(units["data"][0]["status"], "in_stock");

    // Serial-tracked allocation hands out units by serial and returns them.
    let (status, alloc) = w
        .app
        .post(
            &format!("/api/v1/assets/{}/allocate", id(&laptop)),
            &w.inv,
            json!({"quantity": 1, "user_id": w.sales.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{alloc}");
    assert_eq!(alloc["serials"], json!(["SN1"]));
    let (status, r) = w
        .app
        .post(
            &format!("/api/v1/assets/{}/return", id(&laptop)),
            &w.inv,
            json!({"allocation_id": id(&alloc), "quantity": 1, "condition": "good"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (_, units) = w
        .app
        .get(&format!("/api/v1/assets/{}/units", id(&laptop)), &w.inv)
        .await;
    assert_eq!(units["data"][0]["status"], "in_stock");
    // A received order cannot be cancelled or deleted.
    assert_eq!(
        w.app
            .patch(&path, &w.inv, json!({"status": "cancelled"}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    assert_eq!(w.app.delete(&path, &w.inv).await.0, StatusCode::CONFLICT);
    let (_, rec) = w.app.get("/api/v1/assets/reconcile", &w.inv).await;
    assert_eq!(rec["data"], json!([]));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn reconcile_reports_a_tampered_quantity_and_an_adjustment_fixes_it(db: PgPool) {
    let w = world(db).await;
    let a = w
        .asset(json!({"sku": "TONER", "name": "Toner", "kind": "software", "total_quantity": 8}))
        .await;
    // Someone edits the table behind the app's back.
    sqlx::query(
        "UPDATE assets SET total_quantity = 12, available_quantity = 12 WHERE id = $1::uuid",
    )
    .bind(id(&a))
    .execute(&w.app.db)
    .await
    .expect("tamper");
    let (_, rec) = w.app.get("/api/v1/assets/reconcile", &w.inv).await;
    assert_eq!(rec["data"][0]["sku"], "TONER");
    assert_eq!(rec["data"][0]["stored_total"], 12);
    assert_eq!(rec["data"][0]["ledger_total"], 8);
    // Reconcile never fixes: still there on a second look.
    assert_eq!(w.stock(&id(&a)).await, (12, 12));
    // The ledger is append-only.
    let err = sqlx::query("DELETE FROM stock_movements")
        .execute(&w.app.db)
        .await;
    assert!(err.is_err());
    // An audited adjustment: a reason is required.
    let path = format!("/api/v1/assets/{}/adjustments", id(&a));
    let (status, p) = w
        .app
        .post(&path, &w.inv, json!({"quantity_delta": 4}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["reason"]);
    // Removing more than is on the shelf → 409.
    let (status, _) = w
        .app
        .post(
            &path,
            &w.inv,
            json!({"quantity_delta": -13, "reason": "count", "kind": "write_off"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Put the stored numbers back the way the ledger says, then record a counted +4 properly.
    sqlx::query("UPDATE assets SET total_quantity = 8, available_quantity = 8 WHERE id = $1::uuid")
        .bind(id(&a))
        .execute(&w.app.db)
        .await
        .expect("restore");
    let (status, fixed) = w
        .app
        .post(
            &path,
            &w.inv,
            json!({"quantity_delta": 4, "reason": "Stock count found 4 more"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    assert_eq!(fixed["total_quantity"], 12);
    let (_, rec) = w.app.get("/api/v1/assets/reconcile", &w.inv).await;
    assert_eq!(rec["data"], json!([]));
    let adjust_rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'asset.adjust' AND changes->'reason'->>'to' = 'Stock count found 4 more'",
    )
    .fetch_one(&w.app.db)
    .await
    .expect("count");
    assert_eq!(adjust_rows, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn outbox_events_become_notifications_once(db: PgPool) {
    let w = world(db).await;
    let a = w
        .asset(json!({"sku": "PHONE", "name": "Phone", "kind": "software", "total_quantity": 3, "reorder_point": 2}))
        .await;
    let (status, _) = w
        .app
        .post(
            &format!("/api/v1/assets/{}/allocate", id(&a)),
            &w.inv,
            json!({"quantity": 2, "user_id": w.sales.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Committed: the asset's creation, an allocation event and a low-stock event wait in the outbox.
    let pending: Vec<String> =
        sqlx::query_scalar("SELECT type FROM outbox WHERE handled_at IS NULL ORDER BY id")
            .fetch_all(&w.app.db)
            .await
            .expect("outbox");
    assert_eq!(pending, ["asset.created", "asset.allocated", "stock.low"]);
    // A failed (rolled-back) allocation leaves no event.
    let (status, _) = w
        .app
        .post(
            &format!("/api/v1/assets/{}/allocate", id(&a)),
            &w.inv,
            json!({"quantity": 5, "user_id": w.sales.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(w.app.count("outbox").await, 3);
    // The dispatcher (as after a restart) handles them; running it again delivers nothing twice.
    assert_eq!(
        app::ssr::outbox::dispatch_pending(&w.app.db, 50, None)
            .await
            .expect("dispatch"),
        3
    );
    // Each new notification is an event of its own (its recipient's live push), written by that run.
    let notifications = w.app.count("notifications").await;
    assert!(notifications >= 2);
    assert_eq!(
        app::ssr::outbox::dispatch_pending(&w.app.db, 50, None)
            .await
            .expect("dispatch"),
        usize::try_from(notifications).expect("count")
    );
    assert_eq!(
        app::ssr::outbox::dispatch_pending(&w.app.db, 50, None)
            .await
            .expect("dispatch"),
        0
    );
    let (_, mine) = w.app.get("/api/v1/notifications", &w.sales).await;
    assert_eq!(mine["data"].as_array().map(Vec::len), Some(1), "{mine}");
    assert!(
        mine["data"][0]["title"]
            .as_str()
            .unwrap_or("")
            .contains("2 × Phone")
    );
    let (_, inv) = w.app.get("/api/v1/notifications", &w.inv).await;
    assert!(
        inv["data"][0]["title"]
            .as_str()
            .unwrap_or("")
            .contains("Low stock"),
        "{inv}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn vendors_prices_suggestions_stock_levels_and_demand(db: PgPool) {
    let w = world(db).await;
    let manager = w.app.user(Role::Manager, None).await;
    let v = w.vendor("Lenovo").await;
    let (status, p) = w
        .app
        .post("/api/v1/vendors", &w.inv, json!({"name": "lenovo"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(fields(&p), ["name"]);
    let a = w
        .asset(
            json!({"sku": "MON-27", "name": "Monitor", "kind": "software", "total_quantity": 3,
            "reorder_point": 4, "vendor_id": id(&v)}),
        )
        .await;
    let (status, price) = w
        .app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/vendors/{}/assets/{}", id(&v), id(&a)),
            Some(&w.inv.token),
            Some(json!({"unit_price": "199.99", "currency": "usd"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{price}");
    assert_eq!(price["currency"], "USD");
    // Stock levels (JSON and CSV) and suggestions.
    let (_, levels) = w
        .app
        .get(
            "/api/v1/reports/stock-levels?below_reorder_point=true",
            &w.sales,
        )
        .await;
    assert_eq!(levels["data"][0]["sku"], "MON-27");
    assert_eq!(levels["data"][0]["below_reorder_point"], true);
    let res = w
        .app
        .send(
            reqwest::Method::GET,
            "/api/v1/reports/stock-levels?format=csv",
            Some(&w.sales.token),
            None,
        )
        .await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    let csv = res.text().await.expect("body");
    assert!(csv.lines().nth(1).unwrap_or("").contains("MON-27"), "{csv}");
    let (_, sugg) = w.app.get("/api/v1/purchase-orders/suggested", &w.inv).await;
    assert_eq!(sugg["data"][0]["vendor_name"], "Lenovo");
    assert_eq!(
        sugg["data"][0]["lines"][0]["quantity"], 5,
        "back to twice the reorder point"
    );
    assert_eq!(sugg["data"][0]["lines"][0]["unit_price"], "199.99");
    let (status, drafted) = w
        .app
        .post("/api/v1/purchase-orders/suggested", &w.inv, json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drafted}");
    assert_eq!(drafted["data"][0]["status"], "draft");
    let (_, sugg) = w.app.get("/api/v1/purchase-orders/suggested", &w.inv).await;
    assert_eq!(sugg["data"], json!([]), "covered by the draft");

    // Project demand: 5 needed, 3 available, 5 on order once sent → no shortfall; 10 needed → shortfall.
    let customer = w.app.customer(&w.sales, json!({"name": "Initech"})).await;
    let (status, project) = w
        .app
        .post(
            "/api/v1/projects",
            &manager,
            json!({"name": "Rollout", "customer_id": id(&customer)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let demand_path = format!("/api/v1/projects/{}/demand", id(&project));
    let (status, p) = w
        .app
        .post(&demand_path, &manager, json!({"quantity": 0}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["asset_id", "quantity", "needed_by"]);
    let (status, d) = w
        .app
        .post(
            &demand_path,
            &manager,
            json!({"asset_id": id(&a), "quantity": 10, "needed_by": "2030-01-15"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!(
        w.app
            .post(
                &demand_path,
                &w.sales,
                json!({"asset_id": id(&a), "quantity": 1, "needed_by": "2030-01-01"})
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, plan) = w
        .app
        .get(&format!("/api/v1/assets/{}/demand", id(&a)), &w.inv)
        .await;
    assert_eq!(plan["required_quantity"], 10);
    assert_eq!(plan["on_order_quantity"], 0, "a draft is not on order");
    assert_eq!(plan["shortfall"], 7);
    assert_eq!(plan["shortfall_date"], "2030-01-15");
    let (_, overview) = w.app.get("/api/v1/reports/demand-planning", &w.inv).await;
    assert_eq!(overview["data"][0]["sku"], "MON-27");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn depreciation_schedule_valuation_and_maintenance(db: PgPool) {
    let w = world(db).await;
    let a = w
        .asset(json!({"sku": "SRV-1", "name": "Server", "kind": "software", "total_quantity": 2,
            "category": "Hardware/Servers", "purchase_price": "1200.00", "salvage_value": "200.00",
            "useful_life_months": 10, "purchase_date": "2026-01-01", "depreciation_method": "straight_line"}))
        .await;
    let base = format!("/api/v1/assets/{}", id(&a));
    let (status, dep) = w
        .app
        .get(&format!("{base}/depreciation?as_of=2026-06-01"), &w.sales)
        .await;
    assert_eq!(status, StatusCode::OK, "{dep}");
    assert_eq!(dep["schedule"].as_array().map(Vec::len), Some(10));
    assert_eq!(dep["schedule"][0]["depreciation"], "100.00");
    assert_eq!(dep["schedule"][9]["book_value"], "200.00");
    assert_eq!(dep["book_value"], "700.00");
    assert_eq!(dep["total_book_value"], "1400.00");
    let (status, _) = w
        .app
        .get(&format!("{base}/depreciation?as_of=soon"), &w.sales)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, val) = w
        .app
        .get("/api/v1/reports/valuation?as_of=2027-01-01", &w.sales)
        .await;
    assert_eq!(val["data"][0]["category"], "Hardware");
    assert_eq!(val["data"][0]["book_value"], "400.00");
    assert_eq!(val["data"][0]["cost"], "2400.00");

    let (status, p) = w
        .app
        .post(
            &format!("{base}/maintenance"),
            &w.inv,
            json!({"description": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["description", "performed_at"]);
    let (status, m) = w
        .app
        .post(&format!("{base}/maintenance"), &w.inv,
            json!({"kind": "preventive", "description": "Replace fans", "scheduled_for": "2030-03-01", "cost": "80.00"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["status"], "scheduled");
    // The planned date became a task with a reminder for the person who logged it.
    let (_, tasks) = w.app.get("/api/v1/tasks", &w.inv).await;
    assert!(
        tasks["data"][0]["title"]
            .as_str()
            .unwrap_or("")
            .contains("Maintenance due: Server"),
        "{tasks}"
    );
    let (_, list) = w.app.get(&format!("{base}/maintenance"), &w.sales).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn units_of_production_follows_recorded_usage(db: PgPool) {
    let w = world(db).await;
    let a = w
        .asset(json!({"sku": "PRN-1", "name": "Printer", "kind": "software", "total_quantity": 1,
            "purchase_price": "1100.00", "salvage_value": "100.00", "useful_life_months": 12,
            "purchase_date": "2026-01-01", "depreciation_method": "units_of_production", "lifetime_units": "10000"}))
        .await;
    let base = format!("/api/v1/assets/{}", id(&a));
    // Bad input names its fields; a sales user may read but not record usage.
    let (status, p) = w
        .app
        .post(&format!("{base}/usage"), &w.inv, json!({"units": "-1"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["month", "units"]);
    let (status, _) = w
        .app
        .post(
            &format!("{base}/usage"),
            &w.sales,
            json!({"month": "2026-01-01", "units": "10"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // 2,500 units in January (any day of the month counts for the month), 500 in February.
    for (month, units) in [("2026-01-15", "2500"), ("2026-02-01", "500")] {
        let (status, body) = w
            .app
            .post(
                &format!("{base}/usage"),
                &w.inv,
                json!({"month": month, "units": units}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let (_, dep) = w
        .app
        .get(&format!("{base}/depreciation?as_of=2026-03-01"), &w.inv)
        .await;
    assert_eq!(dep["schedule"][0]["depreciation"], "250.00");
    assert_eq!(dep["schedule"][1]["depreciation"], "50.00");
    assert_eq!(dep["schedule"][2]["depreciation"], "0.00");
    assert_eq!(dep["book_value"], "800.00");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_cannot_order_receive_or_log_maintenance(db: PgPool) {
    let w = world(db).await;
    let v = w.vendor("Acme Supply").await;
    let a = w
        .asset(json!({"sku": "PAPER", "name": "Paper", "kind": "software"}))
        .await;
    let order = json!({"vendor_id": id(&v), "lines": [{"asset_id": id(&a), "quantity": 5}]});
    let (status, _) = w
        .app
        .post("/api/v1/purchase-orders", &w.sales, order.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.count("purchase_orders").await, 0);
    let (status, po) = w
        .app
        .post(
            "/api/v1/purchase-orders",
            &w.inv,
            json!({"vendor_id": id(&v), "status": "ordered",
        "lines": [{"asset_id": id(&a), "quantity": 5}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{po}");
    let receive = json!({"lines": [{"line_id": po["lines"][0]["id"], "quantity": 5}]});
    let (status, _) = w
        .app
        .post(
            &format!("/api/v1/purchase-orders/{}/receive", id(&po)),
            &w.sales,
            receive,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(w.stock(&id(&a)).await, (0, 0), "nothing received");
    let (status, _) = w
        .app
        .post(
            &format!("/api/v1/assets/{}/maintenance", id(&a)),
            &w.sales,
            json!({"description": "Check", "performed_at": "2026-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.count("maintenance").await, 0);
    // Sales still read orders.
    assert_eq!(
        w.app
            .get(&format!("/api/v1/purchase-orders/{}", id(&po)), &w.sales)
            .await
            .0,
        StatusCode::OK
    );
}
