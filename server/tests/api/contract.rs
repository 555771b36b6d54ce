//! The list contract of ../shared/API.md, per resource: every listed field filters (`<field>=<value>`), a
//! parameter a list does not know is a 422 naming it (never silently ignored), the listed scalar fields sort
//! in both directions and stay in order across keyset pages, and `total_quantity` creates stock of any kind.

use crate::common::{TestApp, TestUser, all_pages, fields};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

/// Creates a record and returns its id.
async fn create(app: &TestApp, u: &TestUser, path: &str, body: Value) -> String {
    let (status, v) = app.post(path, u, body).await;
    assert_eq!(status, StatusCode::CREATED, "POST {path}: {v}");
    v["id"].as_str().expect("id").to_owned()
}

/// Every id a list answers, following `next_cursor` page by page.
async fn all_ids(app: &TestApp, u: &TestUser, url: &str) -> Vec<String> {
    all_pages(app, u, url, "id").await
}

/// `GET <path>?<field>=<value>` answers exactly `want` (in any order).
async fn assert_filter(app: &TestApp, u: &TestUser, path: &str, filter: &str, want: &[&String]) {
    let mut got = all_ids(app, u, &format!("{path}?{filter}")).await;
    got.sort();
    let mut want: Vec<String> = want.iter().map(|s| (*s).clone()).collect();
    want.sort();
    assert_eq!(got, want, "GET {path}?{filter}");
}

/// `sort=<key>` and `sort=-<key>` over pages of two give `ordered` and its reverse.
async fn assert_sort(app: &TestApp, u: &TestUser, path: &str, key: &str, ordered: &[String]) {
    let asc = all_ids(app, u, &format!("{path}?sort={key}&limit=2")).await;
    assert_eq!(asc, ordered, "GET {path}?sort={key}");
    let desc = all_ids(app, u, &format!("{path}?sort=-{key}&limit=2")).await;
    let reversed: Vec<String> = ordered.iter().rev().cloned().collect();
    assert_eq!(desc, reversed, "GET {path}?sort=-{key}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_parameter_a_list_does_not_know_is_refused_by_name(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let lists = [
        "customers",
        "contacts",
        "leads",
        "opportunities",
        "interactions",
        "tasks",
        "tickets",
        "projects",
        "vendors",
        "assets",
        "purchase-orders",
        "users",
        "audit-logs",
        "notifications",
        "reports/stock-levels",
        "reports/sales-pipeline",
    ];
    for list in lists {
        // A known parameter beside it (the report is not paged).
        let known = if list.starts_with("reports/sales") {
            "from=2026-01-01"
        } else {
            "limit=5"
        };
        let (status, p) = app
            .get(&format!("/api/v1/{list}?colour=red&{known}"), &admin)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{list}: {p}");
        assert_eq!(fields(&p), ["colour"], "{list}: {p}");
        let (status, p) = app.get(&format!("/api/v1/{list}?{known}"), &admin).await;
        assert_eq!(status, StatusCode::OK, "{list}: {p}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn customers_filter_by_every_listed_text_field(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let path = "/api/v1/customers";
    let acme = create(&app, &u, path, json!({"name": "Acme", "email": "info@acme.com", "phone": "+1 555 0100", "website": "acme.com", "industry": "IT"})).await;
    let acme2 = create(&app, &u, path, json!({"name": "Acme Two", "email": "info@acme2.com", "phone": "+1 555 0101", "website": "acme2.com", "industry": "IT"})).await;
    assert_filter(&app, &u, path, "name=acme", &[&acme]).await;
    assert_filter(&app, &u, path, "email=INFO@acme.com", &[&acme]).await;
    assert_filter(&app, &u, path, "phone=%2B1%20555%200101", &[&acme2]).await;
    assert_filter(&app, &u, path, "website=https://acme2.com", &[&acme2]).await;
    assert_filter(&app, &u, path, "industry=IT", &[&acme, &acme2]).await;
    assert_filter(&app, &u, path, "status=prospect", &[&acme, &acme2]).await;
    assert_filter(
        &app,
        &u,
        path,
        &format!("owner_id={}", u.id),
        &[&acme, &acme2],
    )
    .await;
    // A LIKE wildcard in a value is a character, not a pattern.
    assert_filter(&app, &u, path, "name=Acme%25", &[]).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn contacts_filter_by_every_listed_field(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let c = app.customer(&u, json!({"name": "Acme"})).await;
    let cid = c["id"].as_str().expect("id");
    let path = "/api/v1/contacts";
    let ann = create(&app, &u, path, json!({"customer_id": cid, "first_name": "Ann", "last_name": "Lee", "email": "ann@acme.com", "phone": "+1 555 0200", "title": "CTO"})).await;
    let bob = create(&app, &u, path, json!({"customer_id": cid, "first_name": "Bob", "last_name": "Lee", "email": "bob@acme.com", "phone": "+1 555 0201", "title": "CFO"})).await;
    assert_filter(&app, &u, path, "first_name=ann", &[&ann]).await;
    assert_filter(&app, &u, path, "last_name=Lee", &[&ann, &bob]).await;
    assert_filter(&app, &u, path, "email=bob@acme.com", &[&bob]).await;
    assert_filter(&app, &u, path, "phone=%2B1%20555%200200", &[&ann]).await;
    assert_filter(&app, &u, path, "title=cfo", &[&bob]).await;
    assert_filter(&app, &u, path, &format!("customer_id={cid}"), &[&ann, &bob]).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn leads_filter_by_every_listed_field(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let path = "/api/v1/leads";
    let a = create(&app, &u, path, json!({"name": "Ann Lee", "company": "Acme", "email": "ann@acme.com", "source": "web", "estimated_value": "1000.00", "currency": "EUR"})).await;
    let b = create(&app, &u, path, json!({"name": "Bob Ray", "company": "Globex", "email": "bob@globex.com", "source": "event", "estimated_value": "2500.50", "currency": "USD"})).await;
    assert_filter(&app, &u, path, "name=ann%20lee", &[&a]).await;
    assert_filter(&app, &u, path, "company=globex", &[&b]).await;
    assert_filter(&app, &u, path, "email=Ann@Acme.com", &[&a]).await;
    assert_filter(&app, &u, path, "source=event", &[&b]).await;
    assert_filter(&app, &u, path, "status=new", &[&a, &b]).await;
    assert_filter(&app, &u, path, "estimated_value=2500.5", &[&b]).await;
    assert_filter(&app, &u, path, "currency=EUR", &[&a]).await;
    let (status, p) = app.get(&format!("{path}?estimated_value=lots"), &u).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["estimated_value"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tasks_vendors_and_projects_filter_by_their_listed_fields(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let path = "/api/v1/tasks";
    let call = create(&app, &admin, path, json!({"title": "Call Acme"})).await;
    create(&app, &admin, path, json!({"title": "Call Acme back"})).await;
    assert_filter(&app, &admin, path, "title=call%20acme", &[&call]).await;

    let path = "/api/v1/vendors";
    let dell = create(&app, &admin, path, json!({"name": "Dell", "email": "sales@dell.com", "phone": "+1 555 0300", "lead_time_days": 7})).await;
    let hp = create(&app, &admin, path, json!({"name": "Dell Outlet", "email": "sales@hp.com", "phone": "+1 555 0301", "lead_time_days": 14})).await;
    assert_filter(&app, &admin, path, "name=dell", &[&dell]).await;
    assert_filter(&app, &admin, path, "email=sales@hp.com", &[&hp]).await;
    assert_filter(&app, &admin, path, "phone=%2B1%20555%200300", &[&dell]).await;
    assert_filter(&app, &admin, path, "lead_time_days=14", &[&hp]).await;

    let c = app.customer(&admin, json!({"name": "Acme"})).await;
    let cid = c["id"].as_str().expect("id");
    let path = "/api/v1/projects";
    let rollout = create(&app, &admin, path, json!({"name": "Rollout", "customer_id": cid, "start_date": "2026-01-05", "end_date": "2026-03-31", "budget": "12000.00"})).await;
    let audit = create(&app, &admin, path, json!({"name": "Audit", "customer_id": cid, "start_date": "2026-02-01", "budget": "500.00"})).await;
    assert_filter(&app, &admin, path, "name=ROLLOUT", &[&rollout]).await;
    assert_filter(&app, &admin, path, "start_date=2026-02-01", &[&audit]).await;
    assert_filter(&app, &admin, path, "end_date=2026-03-31", &[&rollout]).await;
    assert_filter(&app, &admin, path, "budget=12000", &[&rollout]).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn interactions_and_tickets_filter_and_sort_by_subject(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let c = app.customer(&admin, json!({"name": "Acme"})).await;
    let cid = c["id"].as_str().expect("id");
    // Created out of order, two with the same subject (ties are in id order).
    let subjects = ["Delta", "alpha", "Charlie", "bravo", "Echo", "Charlie"];
    for (resource, extra) in [
        ("interactions", json!({"kind": "note"})),
        ("tickets", json!({})),
    ] {
        let path = format!("/api/v1/{resource}");
        let mut made = Vec::new();
        for s in subjects {
            let mut body = json!({"customer_id": cid, "subject": s});
            for (k, v) in extra.as_object().expect("object") {
                body[k] = v.clone();
            }
            made.push((s, create(&app, &admin, &path, body).await));
        }
        let charlie: Vec<&String> = made
            .iter()
            .filter(|(s, _)| *s == "Charlie")
            .map(|(_, id)| id)
            .collect();
        assert_filter(&app, &admin, &path, "subject=charlie", &charlie).await;
        // The expected order is the database's own text order (its collation), ties by id.
        let ordered: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT id::text FROM {resource} ORDER BY subject, id"
        ))
        .fetch_all(&app.db)
        .await
        .expect("ids");
        assert_eq!(ordered.len(), subjects.len());
        assert_sort(&app, &admin, &path, "subject", &ordered).await;
    }
    // With a search term too, subject order still holds.
    let (status, page) = app
        .get("/api/v1/interactions?q=charlie&sort=subject", &admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(2), "{page}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn users_filter_by_email_and_name_and_sort_by_name_across_pages(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let path = "/api/v1/users";
    // E-mail order differs from name order, so an e-mail-ordered list fails the name order.
    for (email, name) in [
        ("a@example.com", "Zoe Quinn"),
        ("b@example.com", "Adam Smith"),
        ("c@example.com", "Maya Lopez"),
        ("d@example.com", "Carl Berg"),
        ("e@example.com", "Maya Lopez"),
    ] {
        create(
            &app,
            &admin,
            path,
            json!({"email": email, "name": name, "password": "a long password 1", "role": "sales"}),
        )
        .await;
    }
    let ordered: Vec<String> = sqlx::query_scalar("SELECT id::text FROM users ORDER BY name, id")
        .fetch_all(&app.db)
        .await
        .expect("ids");
    assert_sort(&app, &admin, path, "name", &ordered).await;
    let by_email: Vec<String> = sqlx::query_scalar("SELECT id::text FROM users ORDER BY email, id")
        .fetch_all(&app.db)
        .await
        .expect("ids");
    assert_sort(&app, &admin, path, "email", &by_email).await;
    let maya: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM users WHERE name = 'Maya Lopez'")
            .fetch_all(&app.db)
            .await
            .expect("ids");
    assert_filter(
        &app,
        &admin,
        path,
        "name=maya%20lopez",
        &maya.iter().collect::<Vec<_>>(),
    )
    .await;
    let (status, page) = app
        .get(&format!("{path}?email=B@example.com"), &admin)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"][0]["name"], "Adam Smith", "{page}");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn hardware_created_with_total_quantity_is_stock_that_allocates(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let (status, a) = app
        .post(
            "/api/v1/assets",
            &inv,
            json!({"sku": "LAP-T14", "name": "ThinkPad T14", "kind": "hardware", "category": "Laptops", "total_quantity": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["total_quantity"], 5);
    assert_eq!(a["available_quantity"], 5);
    assert_eq!(a["tracking"], "quantity");
    let id = a["id"].as_str().expect("id");
    let (status, alloc) = app
        .post(
            &format!("/api/v1/assets/{id}/allocate"),
            &inv,
            json!({"quantity": 2, "user_id": inv.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{alloc}");
    let (_, a) = app.get(&format!("/api/v1/assets/{id}"), &inv).await;
    assert_eq!(a["available_quantity"], 3);
    assert_filter(
        &app,
        &inv,
        "/api/v1/assets",
        "sku=lap-t14",
        &[&id.to_owned()],
    )
    .await;
    // Serial tracking is opted into, and then stock comes by receiving serial numbers.
    let (status, p) = app
        .post(
            "/api/v1/assets",
            &inv,
            json!({"sku": "LAP-SN", "name": "Serial laptop", "kind": "hardware", "tracking": "serial", "total_quantity": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["total_quantity"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_documented_operation_is_routed_and_declares_its_problem_answers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (status, doc) = app
        .call(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() > 80, "{} paths", paths.len());
    let some_id = uuid::Uuid::now_v7().to_string();
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().expect("item") {
            let Ok(m) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            operations += 1;
            let responses = op["responses"].as_object().expect("responses");
            for (code, r) in responses {
                if code.as_str() >= "400" {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{method} {path} {code}: {r}"
                    );
                }
            }
            if op["security"].is_array() {
                assert!(responses.contains_key("401"), "{method} {path}");
                // Unauthenticated, the route answers 401 (it exists), never 404 or 405.
                let url: String = path
                    .split('/')
                    .map(|seg| {
                        if seg.starts_with('{') {
                            some_id.as_str()
                        } else {
                            seg
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let (status, _) = app.call(m.clone(), &url, None, None).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url}");
            }
        }
    }
    assert!(operations > 120, "{operations} operations");
}

/// Every row of a list in order, following `next_cursor` over pages of two.
async fn all_rows(app: &TestApp, u: &TestUser, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = format!("{path}&limit=2");
    for _ in 0..100 {
        let (status, body) = app.get(&url, u).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        out.extend(body["data"].as_array().expect("a page").iter().cloned());
        match &body["next_cursor"] {
            Value::String(c) => url = format!("{path}&limit=2&cursor={c}"),
            _ => return out,
        }
    }
    panic!("more than 100 pages for {path}");
}

/// The sort keys a list takes, from its answer to an unknown one ("can sort by a, b, c (…)").
async fn sort_keys(app: &TestApp, u: &TestUser, path: &str) -> Vec<String> {
    let (status, p) = app.get(&format!("{path}?sort=no_such_field"), u).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {p}");
    let message = p["errors"][0]["message"].as_str().expect("a message");
    let list = message
        .strip_prefix("can sort by ")
        .and_then(|m| m.split(" (").next())
        .unwrap_or_else(|| panic!("{path}: {message}"));
    list.split(", ").map(str::to_owned).collect()
}

/// A sort value whose order does not depend on the database's collation of text.
#[derive(PartialEq, PartialOrd)]
enum Typed {
    Number(f64),
    Bool(bool),
    Time(chrono::DateTime<chrono::Utc>),
    Date(chrono::NaiveDate),
    Money(rust_decimal::Decimal),
    Id(uuid::Uuid),
}

impl Typed {
    fn of(v: &Value) -> Option<Self> {
        Some(match v {
            Value::Number(n) => Self::Number(n.as_f64()?),
            Value::Bool(b) => Self::Bool(*b),
            Value::String(s) => {
                if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                    Self::Time(t.to_utc())
                } else if let Ok(d) = s.parse() {
                    Self::Date(d)
                } else if let Ok(x) = s.parse() {
                    Self::Money(x)
                } else {
                    Self::Id(s.parse().ok()?)
                }
            }
            _ => return None,
        })
    }

    fn same_kind(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// `sort=<key>` and `sort=-<key>` page through every row once; rows without a value come last either way; the
/// rows with one come in exactly reverse order; and where the value's order does not depend on the database's
/// text collation (numbers, times, dates, money, ids, booleans), ascending really ascends.
async fn assert_sorts_by(app: &TestApp, u: &TestUser, path: &str, key: &str, every: &[String]) {
    let id = |r: &Value| r["id"].as_str().expect("id").to_owned();
    let split = |rows: &[Value]| -> (Vec<Value>, Vec<String>) {
        let first_null = rows
            .iter()
            .position(|r| r[key].is_null())
            .unwrap_or(rows.len());
        assert!(
            rows[first_null..].iter().all(|r| r[key].is_null()),
            "{path}?sort={key}: rows without a value come last"
        );
        (
            rows[..first_null].to_vec(),
            rows[first_null..].iter().map(id).collect(),
        )
    };
    let asc = all_rows(app, u, &format!("{path}?sort={key}")).await;
    let desc = all_rows(app, u, &format!("{path}?sort=-{key}")).await;
    for (dir, rows) in [("", &asc), ("-", &desc)] {
        let mut ids: Vec<String> = rows.iter().map(id).collect();
        ids.sort();
        assert_eq!(ids, every, "{path}?sort={dir}{key}: every row once");
    }
    let (asc_values, asc_nulls) = split(&asc);
    let (desc_values, desc_nulls) = split(&desc);
    let reversed: Vec<String> = asc_values.iter().rev().map(id).collect();
    assert_eq!(
        desc_values.iter().map(id).collect::<Vec<_>>(),
        reversed,
        "{path}?sort=-{key}"
    );
    assert_eq!(
        desc_nulls,
        asc_nulls.iter().rev().cloned().collect::<Vec<_>>(),
        "{path}?sort=-{key}"
    );
    // Keys whose order is not their value's (a weight or a prefix) are checked by the reversal above.
    if ["priority", "stage", "description", "body"].contains(&key) {
        return;
    }
    let typed: Option<Vec<_>> = asc_values.iter().map(|r| Typed::of(&r[key])).collect();
    if let Some(values) = typed.filter(|v| v.iter().all(|t| t.same_kind(&v[0]))) {
        assert!(
            values.windows(2).all(|w| w[0] <= w[1]),
            "{path}?sort={key}: {:?}",
            asc_values.iter().map(|r| &r[key]).collect::<Vec<_>>()
        );
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_listed_scalar_field_sorts_both_ways_across_pages(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let a = &admin;
    // Values with ties and gaps, so that ids break ties and rows without a value are paged too.
    let mut customers = Vec::new();
    for (name, email, industry, status) in [
        ("Acme", Some("a@acme.example"), Some("Retail"), "active"),
        ("Globex", None, Some("Retail"), "prospect"),
        ("Initech", Some("i@initech.example"), None, "active"),
        ("Acme", None, None, "inactive"),
        (
            "Umbrella",
            Some("u@umbrella.example"),
            Some("Pharma"),
            "prospect",
        ),
    ] {
        let body = json!({"name": name, "email": email, "industry": industry, "status": status,
                          "phone": email.map(|_| "+1 555 0100"), "website": industry.map(|_| "https://x.example")});
        customers.push(create(&app, a, "/api/v1/customers", body).await);
    }
    let c0 = customers[0].clone();
    for (first, last, email, title) in [
        ("Ann", "Lee", Some("ann@x.example"), Some("CTO")),
        ("Bob", "Lee", None, None),
        ("Cy", "Moe", Some("cy@x.example"), Some("CEO")),
    ] {
        let body = json!({"customer_id": customers[0], "first_name": first, "last_name": last, "email": email, "title": title});
        create(&app, a, "/api/v1/contacts", body).await;
    }
    for (name, company, value, source) in [
        ("Lead A", Some("Acme"), Some("10.00"), "web"),
        ("Lead B", None, None, "event"),
        ("Lead C", Some("Acme"), Some("10.00"), "referral"),
        ("Lead D", Some("Globex"), Some("2.50"), "web"),
    ] {
        let body =
            json!({"name": name, "company": company, "estimated_value": value, "source": source});
        create(&app, a, "/api/v1/leads", body).await;
    }
    for (name, amount, close) in [
        ("Deal A", "100.00", Some("2027-01-01")),
        ("Deal B", "20.00", None),
        ("Deal C", "100.00", Some("2026-12-31")),
    ] {
        let body = json!({"name": name, "customer_id": c0, "amount": amount, "currency": "USD", "expected_close_date": close});
        create(&app, a, "/api/v1/opportunities", body).await;
    }
    for (kind, subject, body, contact) in [
        ("call", "Intro", "Talked about the rollout", true),
        ("note", "Budget", "", false),
        ("call", "Intro", "Follow-up", false),
    ] {
        let contact_id = if contact {
            all_rows(
                &app,
                a,
                &format!("/api/v1/contacts?customer_id={c0}&sort=last_name"),
            )
            .await[0]["id"]
                .clone()
        } else {
            Value::Null
        };
        let body = json!({"customer_id": c0, "contact_id": contact_id, "kind": kind, "subject": subject,
                          "body": body, "occurred_at": "2026-11-30T10:00:00Z"});
        create(&app, a, "/api/v1/interactions", body).await;
    }
    for (subject, priority) in [("Printer", "low"), ("VPN", "urgent"), ("Mail", "normal")] {
        let body = json!({"subject": subject, "priority": priority, "customer_id": c0});
        create(&app, a, "/api/v1/tickets", body).await;
    }
    for (title, due, priority) in [
        ("Call", Some("2027-01-02T10:00:00Z"), "high"),
        ("Write", None, "low"),
        ("Ship", Some("2026-12-20T10:00:00Z"), "high"),
    ] {
        let body = json!({"title": title, "due_at": due, "priority": priority, "customer_id": c0});
        create(&app, a, "/api/v1/tasks", body).await;
    }
    for (name, start, budget) in [
        ("Rollout", Some("2027-02-01"), Some("5000.00")),
        ("Audit", None, None),
        ("Migration", Some("2027-01-15"), Some("5000.00")),
    ] {
        let body = json!({"name": name, "customer_id": c0, "start_date": start, "budget": budget});
        create(&app, a, "/api/v1/projects", body).await;
    }
    let mut vendors = Vec::new();
    for (name, email, lead) in [
        ("Northwind", Some("n@w.example"), 7),
        ("Contoso", None, 14),
        ("Fabrikam", None, 7),
    ] {
        let body = json!({"name": name, "email": email, "lead_time_days": lead});
        vendors.push(create(&app, a, "/api/v1/vendors", body).await);
    }
    let mut assets = Vec::new();
    for (sku, name, qty, point, price) in [
        ("LAP-1", "Laptop", 10, 2, Some("900.00")),
        ("MON-1", "Monitor", 0, 2, None),
        ("SW-1", "Office", 5, 0, Some("90.00")),
    ] {
        let kind = if sku.starts_with("SW") {
            "software"
        } else {
            "hardware"
        };
        let body = json!({"sku": sku, "name": name, "kind": kind, "category": "IT", "total_quantity": qty,
                          "reorder_point": point, "purchase_price": price, "vendor_id": vendors[0]});
        assets.push(create(&app, a, "/api/v1/assets", body).await);
    }
    for (vendor, qty) in [(&vendors[0], 3), (&vendors[1], 1), (&vendors[0], 2)] {
        let body = json!({"vendor_id": vendor, "lines": [{"asset_id": assets[0], "quantity": qty, "unit_price": "10.00"}]});
        create(&app, a, "/api/v1/purchase-orders", body).await;
    }
    for (email, name, role, team) in [
        ("x@example.com", "Xena", "sales", Some("north")),
        ("y@example.com", "Yuri", "manager", None),
    ] {
        let body = json!({"email": email, "name": name, "password": "a long password 1", "role": role, "team": team});
        create(&app, a, "/api/v1/users", body).await;
    }

    // The scalar fields ../shared/API.md lists for each resource.
    let contract: [(&str, &[&str]); 12] = [
        (
            "customers",
            &[
                "name", "email", "phone", "website", "industry", "status", "owner_id",
            ],
        ),
        (
            "contacts",
            &[
                "customer_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "title",
            ],
        ),
        (
            "leads",
            &[
                "name",
                "company",
                "email",
                "source",
                "status",
                "estimated_value",
                "currency",
            ],
        ),
        (
            "opportunities",
            &[
                "name",
                "customer_id",
                "stage",
                "amount",
                "currency",
                "probability",
                "expected_close_date",
                "owner_id",
                "lost_reason",
            ],
        ),
        (
            "tickets",
            &[
                "subject",
                "description",
                "priority",
                "status",
                "customer_id",
                "assignee_id",
            ],
        ),
        (
            "tasks",
            &["title", "due_at", "remind_at", "assignee_id", "status"],
        ),
        (
            "projects",
            &[
                "name",
                "customer_id",
                "status",
                "start_date",
                "end_date",
                "budget",
            ],
        ),
        ("vendors", &["name", "email", "phone", "lead_time_days"]),
        (
            "assets",
            &[
                "sku",
                "name",
                "kind",
                "category",
                "total_quantity",
                "available_quantity",
                "reorder_point",
                "vendor_id",
                "purchase_price",
                "purchase_date",
                "depreciation_method",
                "useful_life_months",
                "salvage_value",
                "status",
            ],
        ),
        ("purchase-orders", &["vendor_id", "status"]),
        ("users", &["email", "name", "role", "team", "is_active"]),
        (
            "interactions",
            &[
                "customer_id",
                "contact_id",
                "kind",
                "subject",
                "body",
                "occurred_at",
            ],
        ),
    ];
    for (resource, listed) in contract {
        let path = format!("/api/v1/{resource}");
        let keys = sort_keys(&app, a, &path).await;
        for field in listed {
            assert!(
                keys.iter().any(|k| k == field),
                "{path} does not sort by {field}: {keys:?}"
            );
        }
        let mut every: Vec<String> = all_rows(&app, a, &format!("{path}?sort=created_at"))
            .await
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_owned())
            .collect();
        every.sort();
        assert!(every.len() >= 3, "{path}: {} rows", every.len());
        for key in &keys {
            assert_sorts_by(&app, a, &path, key, &every).await;
        }
        // A cursor whose value is not of its sort's type (tampered with) is a 422 naming it, never a 500.
        let tampered =
            domain::page::Cursor::new("created_at", "not a time", uuid::Uuid::nil()).encode();
        let (status, p) = app
            .get(&format!("{path}?sort=created_at&cursor={tampered}"), a)
            .await;
        assert_eq!(
            (status, fields(&p)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["cursor".to_owned()]),
            "{path}: {p}"
        );
    }
}
