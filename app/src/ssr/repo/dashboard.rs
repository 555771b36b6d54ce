//! The dashboards' aggregates. Each is one indexed query over a bounded window (a few weeks of rows, open
//! tickets, open orders); the pipeline comes from the sales report's rollups.

use domain::dashboard::{
    ActivityRow, Count, LoginDay, MovementWeek, OpenOrder, RecentActivity, RepStageDays, TaskDue,
    TicketStats, TopAsset,
};
use sqlx::PgPool;
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;
/// week, author, author's name, calls, e-mails, meetings, notes, total.
type ActivityTuple = (
    chrono::NaiveDate,
    Option<Uuid>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// Interactions per author per ISO week in the days `[from, to]`, for authors among `authors` (all when `None`)
/// and of `team` (all when `None`) — from the daily rollup (`interaction_daily_rollup`).
pub async fn activity(
    db: &PgPool,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    authors: Option<&[Uuid]>,
    team: Option<&str>,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let rows: Vec<ActivityTuple> = sqlx::query_as(
        "SELECT date_trunc('week', r.day::timestamp)::date AS week, r.author_id, u.name,
                    coalesce(sum(r.n) FILTER (WHERE r.kind = 'call'), 0)::bigint,
                    coalesce(sum(r.n) FILTER (WHERE r.kind = 'email'), 0)::bigint,
                    coalesce(sum(r.n) FILTER (WHERE r.kind = 'meeting'), 0)::bigint,
                    coalesce(sum(r.n) FILTER (WHERE r.kind = 'note'), 0)::bigint,
                    sum(r.n)::bigint
             FROM interaction_daily_rollup r LEFT JOIN users u ON u.id = r.author_id
             WHERE r.day BETWEEN $1 AND $2
               AND ($3::uuid[] IS NULL OR r.author_id = ANY($3))
               AND ($4::text IS NULL OR u.team = $4)
             GROUP BY 1, 2, 3 HAVING sum(r.n) > 0 ORDER BY 1, 3 NULLS LAST",
    )
    .bind(from)
    .bind(to)
    .bind(authors)
    .bind(team)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(week, user_id, name, calls, emails, meetings, notes, total)| ActivityRow {
                week,
                user_id,
                user_name: name.unwrap_or_else(|| "(deleted user)".into()),
                calls,
                emails,
                meetings,
                notes,
                total,
            },
        )
        .collect())
}

/// Average days per stage per owner among `owners` (all when `None`), from the pipeline history rollup.
pub async fn time_in_stage_by_rep(
    db: &PgPool,
    owners: Option<&[Uuid]>,
) -> Result<Vec<RepStageDays>, sqlx::Error> {
    let rows: Vec<(Option<Uuid>, Option<String>, String, f64)> = sqlx::query_as(
        "SELECT r.owner_id, u.name, r.to_stage, (sum(r.secs) / sum(r.stays) / 86400)::float8
         FROM pipeline_history_rollup r LEFT JOIN users u ON u.id = r.owner_id
         WHERE r.stays > 0 AND r.to_stage IN ('qualification', 'proposal', 'negotiation')
           AND ($1::uuid[] IS NULL OR r.owner_id = ANY($1))
         GROUP BY 1, 2, 3 HAVING sum(r.stays) > 0 ORDER BY 2 NULLS LAST, 3",
    )
    .bind(owners)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, stage, days)| RepStageDays {
            user_id,
            user_name: name.unwrap_or_else(|| "(unassigned)".into()),
            stage,
            days,
        })
        .collect())
}

/// Tickets of customers owned by `owners` (all when `None`): every status, active ones by priority, breaches.
pub async fn ticket_stats(
    db: &PgPool,
    owners: Option<&[Uuid]>,
) -> Result<TicketStats, sqlx::Error> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT t.status, t.priority, count(*),
                count(*) FILTER (WHERE t.status IN ('open', 'in_progress') AND t.sla_due_at < now())
         FROM tickets t JOIN customers c ON c.id = t.customer_id
         WHERE ($1::uuid[] IS NULL OR c.owner_id = ANY($1))
         GROUP BY 1, 2",
    )
    .bind(owners)
    .fetch_all(db)
    .await?;
    let mut stats = TicketStats {
        by_status: Vec::new(),
        by_priority: Vec::new(),
        breached: 0,
        open: 0,
    };
    let add = |list: &mut Vec<Count>, label: &str, n: i64| match list
        .iter_mut()
        .find(|c| c.label == label)
    {
        Some(c) => c.count += n,
        None => list.push(Count {
            label: label.to_owned(),
            count: n,
        }),
    };
    for (status, priority, n, breached) in rows {
        add(&mut stats.by_status, &status, n);
        if status == "open" || status == "in_progress" {
            add(&mut stats.by_priority, &priority, n);
            stats.open += n;
        }
        stats.breached += breached;
    }
    let order = |s: &str| {
        [
            "open",
            "in_progress",
            "waiting",
            "resolved",
            "closed",
            "urgent",
            "high",
            "normal",
            "low",
        ]
        .iter()
        .position(|x| *x == s)
        .unwrap_or(99)
    };
    stats.by_status.sort_by_key(|c| order(&c.label));
    stats.by_priority.sort_by_key(|c| order(&c.label));
    Ok(stats)
}

/// The user's open tasks due within `days` (and overdue ones), soonest first.
pub async fn tasks_due(db: &PgPool, user: Uuid, days: i64) -> Result<Vec<TaskDue>, sqlx::Error> {
    let rows: Vec<(Uuid, String, Option<Time>, String, bool)> = sqlx::query_as(
        "SELECT id, title, due_at, priority, due_at < now() FROM tasks
         WHERE assignee_id = $1 AND status IN ('open', 'in_progress')
           AND due_at < now() + make_interval(days => $2::int)
         ORDER BY due_at, id LIMIT 10",
    )
    .bind(user)
    .bind(days as i32)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, title, due_at, priority, overdue)| TaskDue {
            id,
            title,
            due_at,
            priority,
            overdue,
        })
        .collect())
}

/// The user's latest logged interactions.
pub async fn recent_activity(db: &PgPool, user: Uuid) -> Result<Vec<RecentActivity>, sqlx::Error> {
    let rows: Vec<(Uuid, String, String, Uuid, String, Time)> = sqlx::query_as(
        "SELECT i.id, i.kind, i.subject, i.customer_id, c.name, i.occurred_at
         FROM interactions i JOIN customers c ON c.id = i.customer_id
         WHERE i.author_id = $1 AND i.occurred_at <= now()
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT 10",
    )
    .bind(user)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, subject, customer_id, customer_name, occurred_at)| RecentActivity {
                id,
                kind,
                subject,
                customer_id,
                customer_name,
                occurred_at,
            },
        )
        .collect())
}

/// Units allocated, returned and received per week in the window (from the stock ledger).
pub async fn movements(
    db: &PgPool,
    (from, to): (Time, Time),
) -> Result<Vec<MovementWeek>, sqlx::Error> {
    let rows: Vec<(chrono::NaiveDate, i64, i64, i64)> = sqlx::query_as(
        "SELECT date_trunc('week', at AT TIME ZONE 'UTC')::date,
                coalesce(sum(-available_delta) FILTER (WHERE kind = 'allocation'), 0)::bigint,
                coalesce(sum(available_delta) FILTER (WHERE kind = 'return'), 0)::bigint,
                coalesce(sum(total_delta) FILTER (WHERE kind = 'receipt'), 0)::bigint
         FROM stock_movements WHERE at >= $1 AND at < $2 GROUP BY 1 ORDER BY 1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(week, allocated, returned, received)| MovementWeek {
            week,
            allocated,
            returned,
            received,
        })
        .collect())
}

/// Purchase orders not yet fully received, overdue first.
pub async fn open_orders(db: &PgPool) -> Result<Vec<OpenOrder>, sqlx::Error> {
    let rows: Vec<(Uuid, i64, String, String, Option<chrono::NaiveDate>, bool)> = sqlx::query_as(
        "SELECT po.id, po.number, v.name, po.status, po.expected_on, coalesce(po.expected_on < current_date, false)
         FROM purchase_orders po JOIN vendors v ON v.id = po.vendor_id
         WHERE po.status IN ('ordered', 'partially_received')
         ORDER BY po.expected_on NULLS LAST, po.number LIMIT 20",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, number, vendor_name, status, expected_on, overdue)| OpenOrder {
                id,
                number,
                vendor_name,
                status,
                expected_on,
                overdue,
            },
        )
        .collect())
}

/// The assets with the most units out on open allocations.
pub async fn top_allocated(db: &PgPool) -> Result<Vec<TopAsset>, sqlx::Error> {
    let rows: Vec<(Uuid, String, String, i64)> = sqlx::query_as(
        "SELECT a.id, a.sku, a.name, sum(al.quantity - al.returned_quantity)::bigint
         FROM allocations al JOIN assets a ON a.id = al.asset_id
         WHERE al.closed_at IS NULL GROUP BY a.id ORDER BY 4 DESC, a.sku LIMIT 10",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(asset_id, sku, name, allocated)| TopAsset {
            asset_id,
            sku,
            name,
            allocated,
        })
        .collect())
}

/// Active users by role.
pub async fn users_by_role(db: &PgPool) -> Result<Vec<Count>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT role, count(*) FROM users WHERE is_active GROUP BY role ORDER BY 2 DESC, 1",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(label, count)| Count { label, count })
        .collect())
}

/// Unexpired browser sessions kept in PostgreSQL (`None` would be Redis' to answer).
pub async fn active_sessions(db: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM sessions WHERE expires_at > now()")
        .fetch_one(db)
        .await
}

/// Active users who signed in within `window` (the session lifetime).
pub async fn signed_in_since(db: &PgPool, window: chrono::Duration) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE is_active AND last_login_at > now() - $1::interval",
    )
    .bind(format!("{} seconds", window.num_seconds()))
    .fetch_one(db)
    .await
}

/// Sign-ins per day in the window, failures apart (from the audit trail).
pub async fn logins(db: &PgPool, (from, to): (Time, Time)) -> Result<Vec<LoginDay>, sqlx::Error> {
    let rows: Vec<(chrono::NaiveDate, i64, i64)> = sqlx::query_as(
        "SELECT (at AT TIME ZONE 'UTC')::date, count(*) FILTER (WHERE action = 'auth.login'),
                count(*) FILTER (WHERE action = 'auth.login_failed')
         FROM audit_logs WHERE action IN ('auth.login', 'auth.login_failed') AND at >= $1 AND at < $2
         GROUP BY 1 ORDER BY 1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, succeeded, failed)| LoginDay {
            day,
            succeeded,
            failed,
        })
        .collect())
}

/// Audit entries per day in the window.
pub async fn audit_per_day(
    db: &PgPool,
    (from, to): (Time, Time),
) -> Result<Vec<Count>, sqlx::Error> {
    let rows: Vec<(chrono::NaiveDate, i64)> = sqlx::query_as(
        "SELECT (at AT TIME ZONE 'UTC')::date, count(*) FROM audit_logs WHERE at >= $1 AND at < $2
         GROUP BY 1 ORDER BY 1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, count)| Count {
            label: day.to_string(),
            count,
        })
        .collect())
}

/// (outbox events pending, outbox events given up, jobs pending).
pub async fn backlog(db: &PgPool) -> Result<(i64, i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM outbox WHERE handled_at IS NULL AND attempts < 10),
                (SELECT count(*) FROM outbox WHERE handled_at IS NULL AND attempts >= 10),
                (SELECT count(*) FROM jobs WHERE done_at IS NULL)",
    )
    .fetch_one(db)
    .await
}
