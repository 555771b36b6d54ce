//! Dashboards, the activity report (from its rollup) and the audit log's PDF export.

use crate::common::{TestApp, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

fn days_ago(n: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(n)).to_rfc3339()
}

/// The report's rows summed per user name: (calls, emails, total).
fn per_user(report: &Value) -> Vec<(String, i64, i64, i64)> {
    let mut out: Vec<(String, i64, i64, i64)> = Vec::new();
    for r in report["data"].as_array().expect("rows") {
        let name = r["user_name"].as_str().unwrap_or("").to_owned();
        let (c, e, t) = (
            r["calls"].as_i64().unwrap_or(0),
            r["emails"].as_i64().unwrap_or(0),
            r["total"].as_i64().unwrap_or(0),
        );
        match out.iter_mut().find(|x| x.0 == name) {
            Some(x) => {
                x.1 += c;
                x.2 += e;
                x.3 += t;
            }
            None => out.push((name, c, e, t)),
        }
    }
    out.sort();
    out
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_activity_report_counts_per_rep_and_week_within_the_callers_scope(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let rep = app.user(Role::Sales, None).await;
    let other = app.user(Role::Sales, None).await;
    let manager = app.user(Role::Manager, None).await;
    let mine = app.customer(&rep, json!({"name": "Activity One"})).await;
    let theirs = app.customer(&other, json!({"name": "Activity Two"})).await;
    let log = |u: &crate::common::TestUser, c: &Value, kind: &str, ago: i64| {
        let body = json!({"customer_id": c["id"], "kind": kind, "subject": format!("{kind} {ago}"), "occurred_at": days_ago(ago)});
        let token = u.token.clone();
        let app = &app;
        async move {
            let (status, i) = app
                .call(
                    Method::POST,
                    "/api/v1/interactions",
                    Some(&token),
                    Some(body),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{i}");
            i
        }
    };
    log(&rep, &mine, "call", 1).await;
    log(&rep, &mine, "call", 9).await;
    let email = log(&rep, &mine, "email", 2).await;
    log(&rep, &mine, "meeting", 100).await; // outside the default 8 weeks
    log(&other, &theirs, "note", 3).await;

    let (status, report) = app.get("/api/v1/reports/activity", &rep).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let rep_rows = per_user(&report);
    assert_eq!(
        rep_rows.len(),
        1,
        "a rep sees their own activity only: {report}"
    );
    assert_eq!((rep_rows[0].1, rep_rows[0].2, rep_rows[0].3), (2, 1, 3));
    let weeks: Vec<_> = report["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["week"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        weeks
            .iter()
            .all(|w| chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d")
                .unwrap()
                .format("%u")
                .to_string()
                == "1"),
        "weeks start on Monday: {weeks:?}"
    );

    let (_, all) = app.get("/api/v1/reports/activity", &manager).await;
    assert_eq!(per_user(&all).iter().map(|r| r.3).sum::<i64>(), 4, "{all}");
    let (_, long) = app
        .get(
            &format!(
                "/api/v1/reports/activity?from={}",
                (chrono::Utc::now() - chrono::Duration::days(120)).format("%Y-%m-%d")
            ),
            &manager,
        )
        .await;
    assert_eq!(per_user(&long).iter().map(|r| r.3).sum::<i64>(), 5);

    // The rollup follows edits and deletes: the e-mail becomes a call, then is deleted.
    let path = format!("/api/v1/interactions/{}", email["id"].as_str().unwrap());
    let (status, _) = app.patch(&path, &rep, json!({"kind": "call"})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, report) = app.get("/api/v1/reports/activity", &rep).await;
    assert_eq!(per_user(&report)[0].1, 3);
    assert_eq!(per_user(&report)[0].2, 0);
    let (status, _) = app.delete(&path, &rep).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, report) = app.get("/api/v1/reports/activity", &rep).await;
    assert_eq!(per_user(&report)[0].3, 2);
    let exact: i64 = sqlx::query_scalar("SELECT count(*) FROM interactions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let rolled: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(n), 0)::bigint FROM interaction_daily_rollup")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(rolled, exact);

    // CSV, and errors on bad windows.
    let res = app
        .send(
            Method::GET,
            "/api/v1/reports/activity?format=csv",
            Some(&manager.token),
            None,
        )
        .await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("week,user_id,user_name,calls,emails,meetings,notes,total\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        1 + all["data"].as_array().unwrap().len()
    );
    let (status, problem) = app
        .get("/api/v1/reports/activity?from=2026-02-30", &manager)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["from"]);
    let (status, problem) = app
        .get(
            "/api/v1/reports/activity?from=2020-01-01&to=2026-01-01",
            &manager,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // Performance: a won deal (closing in the window) and the activity, per rep.
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, opp) = app
        .post("/api/v1/opportunities", &rep, json!({"name": "Perf", "customer_id": mine["id"], "amount": "100", "stage": "negotiation", "expected_close_date": today}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    let (status, _) = app
        .patch(
            &format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap()),
            &rep,
            json!({"stage": "won"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, perf) = app.get("/api/v1/reports/performance", &manager).await;
    assert_eq!(status, StatusCode::OK, "{perf}");
    let row = perf["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == rep.id.as_str())
        .expect("the rep's row");
    assert_eq!(
        (row["won"].as_i64(), row["activities"].as_i64()),
        (Some(1), Some(2)),
        "{perf}"
    );
    let res = app
        .send(
            Method::GET,
            "/api/v1/reports/performance?format=csv",
            Some(&rep.token),
            None,
        )
        .await;
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("user_id,user_name,won,lost,win_rate,activities\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 2, "a rep sees their own row: {csv}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn each_role_gets_its_dashboard_and_only_admins_open_the_others(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let rep = app.user(Role::Sales, None).await;
    let inv = app.user(Role::Inventory, None).await;
    let admin = app.user(Role::Admin, None).await;
    let support = app.user(Role::Support, None).await;

    let (status, d) = app.get("/api/v1/dashboard", &rep).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["view"], "sales");
    assert!(
        d["pipeline"]["stages"].is_array()
            && d["tasks_due"].is_array()
            && d["recent_activity"].is_array()
    );
    assert!(d.get("health").is_none() && d.get("stock_alerts").is_none());
    let (status, problem) = app.get("/api/v1/dashboard?view=admin", &rep).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, problem) = app.get("/api/v1/dashboard?view=boss", &rep).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["view"]);

    // Manager: a deal that moved through a stage shows its days in that stage for its rep.
    let manager = app.user(Role::Manager, None).await;
    let c = app.customer(&rep, json!({"name": "Stage Time"})).await;
    let (_, opp) = app
        .post(
            "/api/v1/opportunities",
            &rep,
            json!({"name": "Timed", "customer_id": c["id"], "amount": "10"}),
        )
        .await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/opportunities/{}", opp["id"].as_str().unwrap()),
            &rep,
            json!({"stage": "proposal"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, d) = app.get("/api/v1/dashboard", &manager).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["view"], "manager");
    let stays = d["time_in_stage_by_rep"].as_array().expect("time in stage");
    assert!(
        stays
            .iter()
            .any(|r| r["user_id"] == rep.id.as_str() && r["stage"] == "qualification"),
        "{d}"
    );
    assert!(d["tickets"].is_object() && d["stock_alerts"].is_array() && d["activity"].is_array());

    let (status, d) = app.get("/api/v1/dashboard", &support).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["view"], "support");
    assert!(d["tickets"]["by_status"].is_array());

    // Inventory: the allocation shows in "top allocated" and the weekly movements.
    let (status, asset) = app
        .post("/api/v1/assets", &inv, json!({"sku": "DASH-1", "name": "Dash", "kind": "software", "total_quantity": 10, "reorder_point": 8}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    let path = format!("/api/v1/assets/{}/allocate", asset["id"].as_str().unwrap());
    let (status, _) = app
        .post(&path, &inv, json!({"quantity": 3, "user_id": inv.id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, d) = app.get("/api/v1/dashboard", &inv).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["view"], "inventory");
    assert_eq!(d["top_allocated"][0]["sku"], "DASH-1");
    assert_eq!(d["top_allocated"][0]["allocated"], 3);
    assert_eq!(
        d["stock_alerts"][0]["sku"], "DASH-1",
        "7 available ≤ reorder point 8"
    );
    let moved: i64 = d["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["allocated"].as_i64().unwrap())
        .sum();
    assert_eq!(moved, 3);

    // Admin: any view; sign-ins per day count a failed one apart.
    let bad = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": rep.email, "password": "wrong password"})),
        )
        .await;
    assert_eq!(bad.0, StatusCode::UNAUTHORIZED);
    let (status, d) = app.get("/api/v1/dashboard", &admin).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["view"], "admin");
    let failed: i64 = d["logins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["failed"].as_i64().unwrap())
        .sum();
    let succeeded: i64 = d["logins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["succeeded"].as_i64().unwrap())
        .sum();
    assert_eq!(failed, 1);
    assert!(succeeded >= 4, "every test user signed in: {d}");
    assert!(d["health"]["database_connections"].as_u64().unwrap() >= 1);
    assert!(
        d["users_by_role"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["label"] == "inventory")
    );
    let (status, d) = app.get("/api/v1/dashboard?view=inventory", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["view"], "inventory");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_audit_log_prints_as_pdf_for_auditors_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let rep = app.user(Role::Sales, None).await;
    app.customer(&rep, json!({"name": "Printed (Zoë) Ltd"}))
        .await;
    let res = app
        .send(
            Method::GET,
            "/api/v1/audit-logs?format=pdf&entity=customer",
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit-log.pdf")
    );
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("CRM-IMS audit log"));
    assert!(text.contains("customer.create"), "the entry is printed");
    assert!(
        text.contains("1 entries, entity customer"),
        "the filter is printed"
    );
    let (status, _) = app.get("/api/v1/audit-logs?format=pdf", &rep).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_sales_pipeline_report_exports_every_section_as_csv(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let rep = app.user(Role::Sales, None).await;
    let c = app.customer(&rep, json!({"name": "Csv Pipeline"})).await;
    let (status, _) = app
        .post("/api/v1/opportunities", &rep, json!({"name": "Csv deal", "customer_id": c["id"], "amount": "1234.50", "stage": "proposal", "probability": 40, "expected_close_date": "2027-03-15"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let res = app
        .send(
            Method::GET,
            "/api/v1/reports/sales-pipeline?format=csv",
            Some(&rep.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("sales-pipeline.csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "section,key,count,amount,weighted_amount,won,lost,rate,days"
    );
    assert!(
        lines.contains(&"stage,proposal,1,1234.50,493.80,,,,"),
        "{csv}"
    );
    assert!(
        lines.contains(&"forecast,2027-03,1,1234.50,493.80,,,,"),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("totals,USD,1,1234.50,493.80,")),
        "{csv}"
    );
    let (status, problem) = app
        .get("/api/v1/reports/sales-pipeline?format=xml", &rep)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["format"]);
}
