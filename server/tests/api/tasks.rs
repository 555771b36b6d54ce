use crate::common::{TestApp, TestUser, fields};
use app::ssr::jobs::run_due_jobs;
use chrono::{Duration, SecondsFormat, Utc};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

fn time(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Millis, true)
}

async fn task(app: &TestApp, u: &TestUser, body: Value) -> Value {
    let (status, t) = app.post("/api/v1/tasks", u, body).await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t
}

fn path(t: &Value) -> String {
    format!("/api/v1/tasks/{}", t["id"].as_str().expect("task id"))
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|t| t["id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn notifications_of(app: &TestApp, user_id: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE user_id = $1::uuid")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .expect("count")
}

async fn pending_jobs(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM jobs WHERE done_at IS NULL")
        .fetch_one(&app.db)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn crud_with_defaults_completion_etag_and_audit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let res = app
        .send(
            reqwest::Method::POST,
            "/api/v1/tasks",
            Some(&u.token),
            Some(json!({"title": " Call Acme ", "priority": "high", "due_at": time(Duration::days(1))})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let t: Value = res.json().await.unwrap();
    assert_eq!(location, path(&t));
    assert_eq!(t["title"], "Call Acme");
    assert_eq!(t["status"], "open");
    assert_eq!(t["priority"], "high");
    assert_eq!(
        t["assignee_id"],
        u.id.as_str(),
        "assignee defaults to the caller"
    );
    assert_eq!(t["assignee_name"], "Test User");
    assert_eq!(t["created_by"], u.id.as_str());
    assert_eq!(t["overdue"], false);
    assert_eq!(app.get(&location, &u).await, (StatusCode::OK, t.clone()));

    let (status, done) = app.patch(&location, &u, json!({"status": "done"})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(
        done["completed_at"].is_string(),
        "completing sets completed_at"
    );
    assert_eq!(done["version"], 2);
    let (_, reopened) = app.patch(&location, &u, json!({"status": "open"})).await;
    assert_eq!(reopened["completed_at"], Value::Null, "reopening clears it");

    let (status, _) = app.delete(&location, &u).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&location, &u).await.0, StatusCode::NOT_FOUND);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity = 'task' AND entity_id = $1::uuid ORDER BY id",
    )
    .bind(t["id"].as_str().unwrap())
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["task.create", "task.update", "task.update", "task.delete"]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_422_naming_the_field_and_writes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let theirs = app.customer(&b, json!({"name": "B's customer"})).await;
    let audits = app.count("audit_logs").await;
    let cases = [
        (json!({"description": "no title"}), "title"),
        (
            json!({"title": "x", "due_at": time(Duration::hours(1)), "remind_at": time(Duration::hours(2))}),
            "remind_at",
        ),
        (
            json!({"title": "x", "assignee_id": uuid::Uuid::now_v7()}),
            "assignee_id",
        ),
        (
            json!({"title": "x", "customer_id": theirs["id"]}),
            "customer_id",
        ),
        (
            json!({"title": "x", "lead_id": uuid::Uuid::now_v7()}),
            "lead_id",
        ),
        (json!({"title": "x", "assignee_id": b.id}), "assignee_id"),
        (json!({"title": "x", "status": "later"}), "status"),
    ];
    for (body, field) in cases {
        let (status, p) = app.post("/api/v1/tasks", &a, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {p}");
        assert!(fields(&p).contains(&field.to_owned()), "{field} in {p}");
    }
    assert_eq!(app.count("tasks").await, 0);
    assert_eq!(app.count("audit_logs").await, audits);
    let (status, p) = app
        .get("/api/v1/tasks?bucket=soon&status=open,later", &a)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["status", "bucket"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sales_see_their_own_and_linked_tasks_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let support = app.user(Role::Support, None).await;
    let customer = app.customer(&a, json!({"name": "A's customer"})).await;
    let private = task(&app, &a, json!({"title": "A private"})).await;
    let linked = task(
        &app,
        &a,
        json!({"title": "A linked", "customer_id": customer["id"]}),
    )
    .await;
    assert_eq!(app.get(&path(&private), &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&path(&private), &b, json!({"title": "mine now"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&path(&private), &b).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = app.get("/api/v1/tasks", &b).await;
    assert!(ids(&page).is_empty(), "{page}");
    // Support may see every customer, so the linked task — and only it.
    let (_, page) = app.get("/api/v1/tasks", &support).await;
    assert_eq!(ids(&page), [linked["id"].as_str().unwrap()]);
    assert_eq!(
        app.get(&path(&private), &support).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path(&linked), &support).await.0, StatusCode::OK);
    // Assigned to B by an admin: now B sees it.
    let admin = app.user(Role::Admin, None).await;
    let for_b = task(&app, &admin, json!({"title": "For B", "assignee_id": b.id})).await;
    let (_, page) = app.get("/api/v1/tasks?mine=true", &b).await;
    assert_eq!(ids(&page), [for_b["id"].as_str().unwrap()]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn managers_with_a_team_see_the_teams_tasks(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let manager = app.user(Role::Manager, Some("north")).await;
    let north = app.user(Role::Sales, Some("north")).await;
    let south = app.user(Role::Sales, Some("south")).await;
    let team_task = task(&app, &north, json!({"title": "North"})).await;
    let other = task(&app, &south, json!({"title": "South"})).await;
    let own = task(
        &app,
        &manager,
        json!({"title": "Mine", "assignee_id": north.id}),
    )
    .await;
    assert_eq!(app.get(&path(&team_task), &manager).await.0, StatusCode::OK);
    assert_eq!(
        app.get(&path(&other), &manager).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = app
        .get("/api/v1/tasks?team=true&sort=title", &manager)
        .await;
    assert_eq!(
        ids(&page),
        [
            own["id"].as_str().unwrap(),
            team_task["id"].as_str().unwrap()
        ]
    );
    // Sales in a team may assign within it, not outside.
    let (status, p) = app
        .post(
            "/api/v1/tasks",
            &north,
            json!({"title": "x", "assignee_id": south.id}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["assignee_id".to_owned()]
        )
    );
    let (status, _) = app
        .post(
            "/api/v1/tasks",
            &north,
            json!({"title": "x", "assignee_id": manager.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // A manager without a team sees everything.
    let boss = app.user(Role::Manager, None).await;
    let (_, page) = app.get("/api/v1/tasks", &boss).await;
    assert_eq!(ids(&page).len(), 4);
    // A manager with a team assigns within it too (issue #20: the rule held for sales only), on create and
    // on update; the manager without a team assigns anyone.
    let (status, p) = app
        .post(
            "/api/v1/tasks",
            &manager,
            json!({"title": "x", "assignee_id": south.id}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["assignee_id".to_owned()]
        )
    );
    let (status, p) = app
        .patch(&path(&own), &manager, json!({"assignee_id": south.id}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["assignee_id".to_owned()]
        )
    );
    let (status, _) = app
        .post(
            "/api/v1/tasks",
            &boss,
            json!({"title": "x", "assignee_id": south.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn viewer_reads_but_may_not_write(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let viewer = app.user(Role::Viewer, None).await;
    let sales = app.user(Role::Sales, None).await;
    let t = task(&app, &sales, json!({"title": "Visible to viewers"})).await;
    assert_eq!(app.get(&path(&t), &viewer).await.0, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/tasks", &viewer, json!({"title": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.patch(&path(&t), &viewer, json!({"title": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.delete(&path(&t), &viewer).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("tasks").await, 1);
    let (status, _) = app
        .call(reqwest::Method::GET, "/api/v1/tasks", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stale_if_match_is_412_and_changes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let t = task(&app, &u, json!({"title": "Versioned"})).await;
    let url = format!("{}{}", app.base, path(&t));
    let send = |etag: &'static str| {
        app.http
            .patch(&url)
            .bearer_auth(&u.token)
            .header("if-match", etag)
            .json(&json!({"title": etag}))
            .send()
    };
    assert_eq!(send("\"1\"").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send("\"1\"").await.unwrap().status(),
        StatusCode::PRECONDITION_FAILED
    );
    let (_, now) = app.get(&path(&t), &u).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["title"], "\"1\"");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_and_bulk_actions_are_all_or_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let (status, p) = app
        .post(
            "/api/v1/tasks/bulk",
            &a,
            json!({"items": [{"title": "ok"}, {"title": ""}, {"title": "x", "assignee_id": b.id}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&p).contains(&"items[1].title".to_owned()), "{p}");
    assert_eq!(app.count("tasks").await, 0);
    let (status, created) = app
        .post(
            "/api/v1/tasks/bulk",
            &a,
            json!({"items": [{"title": "one"}, {"title": "two"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mine: Vec<String> = ids(&created);
    let theirs = task(&app, &b, json!({"title": "B's"})).await;
    let (status, p) = app
        .post(
            "/api/v1/tasks/bulk-actions",
            &a,
            json!({"ids": [mine[0], theirs["id"]], "action": "set_status", "status": "done"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(p["detail"].as_str().unwrap().starts_with("ids[1]"), "{p}");
    let (status, p) = app
        .post(
            "/api/v1/tasks/bulk-actions",
            &a,
            json!({"ids": mine, "action": "assign", "assignee_id": b.id}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["ids[0].assignee_id"]);
    let done: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks WHERE status = 'done'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(done, 0, "nothing changed");
    let (status, r) = app
        .post(
            "/api/v1/tasks/bulk-actions",
            &a,
            json!({"ids": mine, "action": "set_status", "status": "done"}),
        )
        .await;
    assert_eq!((status, r["affected"].as_i64()), (StatusCode::OK, Some(2)));
    let (status, _) = app
        .post(
            "/api/v1/tasks/bulk-actions",
            &a,
            json!({"ids": mine, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("tasks").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn lists_filter_by_bucket_and_page_with_undated_tasks_last(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let offsets = [Some(-48), Some(-1), Some(1), Some(30), Some(72), None, None];
    let mut created = Vec::new();
    for (i, h) in offsets.iter().enumerate() {
        let due = h.map(|h| time(Duration::hours(h)));
        created.push(task(&app, &u, json!({"title": format!("t{i}"), "due_at": due})).await);
    }
    // Page through the default sort (due_at, undated last) two at a time.
    let mut seen = Vec::new();
    let mut url = "/api/v1/tasks?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&url, &u).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/tasks?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(&seen[..5], ["t0", "t1", "t2", "t3", "t4"]);
    assert_eq!(seen.len(), 7);
    // Each bucket holds what the domain's rule says.
    let now = Utc::now();
    for bucket in domain::task::Bucket::ALL {
        let expected: Vec<String> = created
            .iter()
            .filter(|t| {
                let due = t["due_at"].as_str().map(|d| d.parse().unwrap());
                domain::task::bucket_of(due, domain::task::TaskStatus::Open, now) == Some(*bucket)
            })
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        let (_, page) = app.get(&format!("/api/v1/tasks?bucket={bucket}"), &u).await;
        let mut got = ids(&page);
        got.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(got, expected, "bucket {bucket}");
    }
    let (_, overdue) = app.get("/api/v1/tasks?bucket=overdue", &u).await;
    assert!(
        overdue["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["overdue"] == true)
    );
    assert_eq!(ids(&overdue).len(), 2);
    let (_, found) = app.get("/api/v1/tasks?q=t3", &u).await;
    assert_eq!(ids(&found), [created[3]["id"].as_str().unwrap()]);
}

// ---- reminders ----

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_due_reminder_notifies_the_assignee_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let creator = app.user(Role::Manager, None).await;
    let assignee = app.user(Role::Sales, None).await;
    let t = task(
        &app,
        &creator,
        json!({"title": "Ring back", "remind_at": time(Duration::minutes(-1)), "assignee_id": assignee.id}),
    )
    .await;
    assert_eq!(pending_jobs(&app).await, 1, "scheduled with the task");
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 1);
    assert_eq!(notifications_of(&app, &assignee.id).await, 1);
    assert_eq!(notifications_of(&app, &creator.id).await, 0);
    assert_eq!(pending_jobs(&app).await, 0, "the job is done");
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 0);
    assert_eq!(notifications_of(&app, &assignee.id).await, 1);
    let (_, page) = app.get("/api/v1/notifications", &assignee).await;
    let n = &page["data"][0];
    assert_eq!(n["kind"], "task_reminder");
    assert_eq!(n["title"], "Reminder: Ring back");
    assert_eq!(n["entity"], "task");
    assert_eq!(n["entity_id"], t["id"]);
    assert_eq!(n["link"], format!("/tasks/{}", t["id"].as_str().unwrap()));
    assert_eq!(n["read_at"], Value::Null);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_concurrent_workers_deliver_each_reminder_exactly_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let items: Vec<Value> = (0..50)
        .map(|i| json!({"title": format!("r{i}"), "remind_at": time(Duration::seconds(-10))}))
        .collect();
    let (status, _) = app
        .post("/api/v1/tasks/bulk", &u, json!({ "items": items }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let drain = |db: PgPool| async move {
        let mut n = 0;
        loop {
            let k = run_due_jobs(&db, 20).await.unwrap();
            if k == 0 {
                break n;
            }
            n += k;
        }
    };
    let (x, y) = tokio::join!(drain(app.db.clone()), drain(app.db.clone()));
    let rest = drain(app.db.clone()).await;
    assert_eq!(
        x + y + rest,
        50,
        "each job completed once ({x} + {y} + {rest})"
    );
    assert_eq!(notifications_of(&app, &u.id).await, 50);
    assert_eq!(pending_jobs(&app).await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_crash_before_commit_delivers_on_the_next_run(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    task(
        &app,
        &u,
        json!({"title": "Survives", "remind_at": time(Duration::seconds(-5))}),
    )
    .await;
    let mut crashed = app.db.begin().await.unwrap();
    let claimed = app::ssr::repo::jobs::claim_due(&mut crashed, 20)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // While the "crashed" worker holds the row, another skips it.
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 0);
    crashed.rollback().await.unwrap();
    assert_eq!(notifications_of(&app, &u.id).await, 0);
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 1);
    assert_eq!(notifications_of(&app, &u.id).await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn changing_remind_at_replaces_the_pending_job(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let t = task(
        &app,
        &u,
        json!({"title": "Moved", "remind_at": time(Duration::minutes(-2))}),
    )
    .await;
    let (status, _) = app
        .patch(
            &path(&t),
            &u,
            json!({"remind_at": time(Duration::hours(1))}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pending_jobs(&app).await, 1, "one job: the new time");
    assert_eq!(
        run_due_jobs(&app.db, 20).await.unwrap(),
        0,
        "the old one never fires"
    );
    assert_eq!(notifications_of(&app, &u.id).await, 0);
    let (status, _) = app
        .patch(
            &path(&t),
            &u,
            json!({"remind_at": time(Duration::minutes(-1))}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pending_jobs(&app).await, 1);
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 1);
    assert_eq!(notifications_of(&app, &u.id).await, 1);
    // Removing the reminder removes its job.
    let later = task(
        &app,
        &u,
        json!({"title": "Unreminded", "remind_at": time(Duration::hours(1))}),
    )
    .await;
    app.patch(&path(&later), &u, json!({"remind_at": null}))
        .await;
    assert_eq!(pending_jobs(&app).await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn completing_or_deleting_a_task_removes_its_reminder(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let done = task(
        &app,
        &u,
        json!({"title": "Done", "remind_at": time(Duration::minutes(-1))}),
    )
    .await;
    let gone = task(
        &app,
        &u,
        json!({"title": "Gone", "remind_at": time(Duration::minutes(-1))}),
    )
    .await;
    assert_eq!(pending_jobs(&app).await, 2);
    assert_eq!(
        app.patch(&path(&done), &u, json!({"status": "done"}))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(app.delete(&path(&gone), &u).await.0, StatusCode::NO_CONTENT);
    assert_eq!(pending_jobs(&app).await, 0);
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 0);
    assert_eq!(notifications_of(&app, &u.id).await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_failing_job_is_retried_later_and_given_up_after_ten_attempts(db: PgPool) {
    let app = TestApp::spawn(db).await;
    sqlx::query("INSERT INTO jobs (kind, run_at) VALUES ('no_such_kind', now())")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 0);
    let (attempts, error, later, done): (i32, Option<String>, bool, bool) = sqlx::query_as(
        "SELECT attempts, last_error, run_at > now(), done_at IS NOT NULL FROM jobs",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((attempts, later, done), (1, true, false));
    assert!(error.unwrap().contains("no_such_kind"));
    sqlx::query("UPDATE jobs SET attempts = 9, run_at = now()")
        .execute(&app.db)
        .await
        .unwrap();
    run_due_jobs(&app.db, 20).await.unwrap();
    let (attempts, done): (i32, bool) =
        sqlx::query_as("SELECT attempts, done_at IS NOT NULL FROM jobs")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((attempts, done), (10, true), "dead after ten attempts");
}

// ---- notifications ----

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn notifications_are_private_and_can_be_marked_read(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    for i in 0..3 {
        task(
            &app,
            &a,
            json!({"title": format!("a{i}"), "remind_at": time(Duration::seconds(-1))}),
        )
        .await;
    }
    task(
        &app,
        &b,
        json!({"title": "b", "remind_at": time(Duration::seconds(-1))}),
    )
    .await;
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 4);
    let (_, count) = app.get("/api/v1/notifications/unread-count", &a).await;
    assert_eq!(count, json!({"count": 3}));
    let (_, page) = app.get("/api/v1/notifications?limit=2", &a).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = app
        .get(
            &format!("/api/v1/notifications?limit=2&cursor={cursor}"),
            &a,
        )
        .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    assert!(page["data"][0]["created_at"].as_str() >= page["data"][1]["created_at"].as_str());

    let first = page["data"][0]["id"].as_str().unwrap().to_owned();
    let read = format!("/api/v1/notifications/{first}/read");
    assert_eq!(
        app.post(&read, &b, json!({})).await.0,
        StatusCode::NOT_FOUND,
        "not B's"
    );
    assert_eq!(
        app.post(&read, &a, json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, count) = app.get("/api/v1/notifications/unread-count", &a).await;
    assert_eq!(count["count"], 2);
    let (_, unread) = app.get("/api/v1/notifications?unread=true", &a).await;
    assert!(!ids(&unread).contains(&first));
    assert_eq!(
        app.post("/api/v1/notifications/read-all", &a, json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, count) = app.get("/api/v1/notifications/unread-count", &a).await;
    assert_eq!(count["count"], 0);
    let (_, count) = app.get("/api/v1/notifications/unread-count", &b).await;
    assert_eq!(count["count"], 1, "B's stay unread");
    let (_, bs) = app.get("/api/v1/notifications", &b).await;
    assert_eq!(bs["data"].as_array().unwrap().len(), 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_running_worker_delivers_a_reminder_over_http(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (stop, worker) =
        app::ssr::jobs::spawn_worker(app.db.clone(), std::time::Duration::from_millis(200));
    let u = app.user(Role::Sales, None).await;
    let t = task(
        &app,
        &u,
        json!({"title": "Soon", "remind_at": time(Duration::seconds(2))}),
    )
    .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    let arrived = loop {
        let (status, page) = app.get("/api/v1/notifications", &u).await;
        assert_eq!(status, StatusCode::OK);
        if let Some(n) = page["data"].as_array().and_then(|d| d.first()) {
            break n.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no reminder within 15 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert_eq!(arrived["entity_id"], t["id"]);
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), worker)
        .await
        .expect("the worker stops on shutdown")
        .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_browser_app_uses_the_same_services(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let url = |p: &str| format!("{}{p}", app.base);
    let browser = app.browser_login(&a.email).await;
    let res = browser
        .post(url(app::api::tasks::CreateTask::PATH))
        .json(&json!({"input": {"title": "From the UI", "remind_at": time(Duration::seconds(-1))}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    let res = browser
        .post(url(app::api::tasks::UpdateTask::PATH))
        .json(&json!({"id": t["id"], "version": 1, "patch": {"status": "done"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let stale = browser
        .post(url(app::api::tasks::UpdateTask::PATH))
        .json(&json!({"id": t["id"], "version": 1, "patch": {"status": "open"}}))
        .send()
        .await
        .unwrap();
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["status"], 412);
    let history: Value = browser
        .post(url(app::api::audit::RecordHistory::PATH))
        .json(&json!({"entity": "task", "entity_id": t["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["task.update", "task.create"]);
    // Another sales user gets "not found", not the history.
    let other = app.browser_login(&b.email).await;
    let denied: Value = other
        .post(url(app::api::audit::RecordHistory::PATH))
        .json(&json!({"entity": "task", "entity_id": t["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(denied["status"], 404);
    // Done before it was due: the reminder never comes, and the count says so.
    assert_eq!(run_due_jobs(&app.db, 20).await.unwrap(), 0);
    let count: Value = browser
        .post(url(app::api::notifications::UnreadNotifications::PATH))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count, json!({"count": 0}));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_openapi_document_lists_tasks_and_notifications(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (status, doc) = app
        .call(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/tasks",
        "/api/v1/tasks/{id}",
        "/api/v1/tasks/bulk",
        "/api/v1/tasks/bulk-actions",
        "/api/v1/notifications",
        "/api/v1/notifications/unread-count",
        "/api/v1/notifications/{id}/read",
        "/api/v1/notifications/read-all",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(tags.contains(&"tasks") && tags.contains(&"notifications"));
    assert!(doc["components"]["schemas"].get("Task").is_some());
}

/// The titles of every page of `url` (a list URL with a query), following `next_cursor`.
async fn all_titles(app: &TestApp, u: &TestUser, url: &str) -> Vec<String> {
    let mut titles = Vec::new();
    let mut next = url.to_owned();
    loop {
        let (status, page) = app.get(&next, u).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        titles.extend(
            page["data"]
                .as_array()
                .expect("a page")
                .iter()
                .map(|t| t["title"].as_str().expect("title").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{url}&cursor={c}"),
            None => return titles,
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_sort_pages_through_all_tasks_in_order(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let rows = [
        ("a", "low", Some(3)),
        ("b", "urgent", None),
        ("c", "high", Some(1)),
        ("d", "urgent", Some(2)),
        ("e", "normal", None),
    ];
    for (title, priority, days) in rows {
        let due = days.map(|d| time(Duration::days(d)));
        task(
            &app,
            &u,
            json!({"title": title, "priority": priority, "due_at": due}),
        )
        .await;
    }
    for (sort, expected) in [
        ("due_at", ["c", "d", "a", "b", "e"]),
        // Undated tasks come last in both directions (ties by id in the sort's direction).
        ("-due_at", ["a", "d", "c", "e", "b"]),
        ("priority", ["b", "d", "c", "e", "a"]),
        ("-title", ["e", "d", "c", "b", "a"]),
        ("created_at", ["a", "b", "c", "d", "e"]),
    ] {
        let url = format!("/api/v1/tasks?limit=2&sort={sort}");
        assert_eq!(all_titles(&app, &u, &url).await, expected, "sort={sort}");
    }
    let filtered = all_titles(
        &app,
        &u,
        &format!(
            "/api/v1/tasks?limit=2&priority=urgent&due_from={}",
            time(Duration::days(1)).replace('+', "%2B")
        ),
    )
    .await;
    assert_eq!(filtered, ["d"]);
    let (status, p) = app.get("/api/v1/tasks?team=true", &u).await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["team".to_owned()])
    );
}
