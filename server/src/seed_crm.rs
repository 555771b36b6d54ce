//! Synthetic CRM-core data: opportunities with their stage history (`seed --opportunities N`, and a pipeline for
//! the demo), demo leads and tickets. Set-based SQL (`INSERT … SELECT`), so half a million opportunities load in
//! well under a minute.

use sqlx::PgPool;
use std::time::Instant;

/// One batch: `$1` opportunities over the customers numbered from `$2` (cycling), with owners from their customer,
/// a stage mix of 30 % qualification, 20 % proposal, 15 % negotiation, 20 % won, 15 % lost, amounts in USD
/// (80 %), EUR and GBP, close dates from six months ago to a year ahead; the history has the entry into
/// qualification and, for later stages, the move into the current stage.
const INSERT_BATCH: &str = r#"
WITH cust AS (
    SELECT id, owner_id, row_number() OVER (ORDER BY id) - 1 AS rn FROM customers
), total AS (SELECT count(*) AS n FROM cust),
g AS (
    SELECT s AS k, c.id AS customer_id, c.owner_id, c.name
    FROM generate_series($2::bigint, $2::bigint + $1::bigint - 1) AS s
    CROSS JOIN total
    JOIN cust c2 ON c2.rn = s % total.n
    JOIN customers c ON c.id = c2.id
), rows AS (
    SELECT k, customer_id, owner_id, name,
           CASE WHEN k % 20 < 6 THEN 'qualification' WHEN k % 20 < 10 THEN 'proposal'
                WHEN k % 20 < 13 THEN 'negotiation' WHEN k % 20 < 17 THEN 'won' ELSE 'lost' END AS stage,
           ((k * 7919) % 250000 + 500)::numeric(14, 2) AS amount,
           CASE k % 10 WHEN 0 THEN 'EUR' WHEN 1 THEN 'GBP' ELSE 'USD' END AS currency,
           current_date + ((k * 37) % 540 - 180)::int AS close_date,
           now() - make_interval(days => ((k * 13) % 360)::int + 20) AS created_at,
           now() - make_interval(days => ((k * 13) % 20)::int) AS moved_at
    FROM g
), ins AS (
    INSERT INTO opportunities (id, name, customer_id, stage, amount, currency, probability, expected_close_date,
                               owner_id, lost_reason, stage_changed_at, closed_at, created_at, updated_at)
    SELECT gen_random_uuid(), left(name, 150) || ' – deal ' || k, customer_id, stage, amount, currency,
           CASE stage WHEN 'qualification' THEN 10 WHEN 'proposal' THEN 40 WHEN 'negotiation' THEN 70
                      WHEN 'won' THEN 100 ELSE 0 END,
           close_date, owner_id,
           CASE WHEN stage = 'lost' THEN (ARRAY['Price', 'Timing', 'Competitor', 'No budget'])[k % 4 + 1] END,
           CASE WHEN stage = 'qualification' THEN created_at ELSE moved_at END,
           CASE WHEN stage IN ('won', 'lost') THEN moved_at END,
           created_at, moved_at
    FROM rows
    RETURNING id, stage, amount, probability, owner_id, created_at, stage_changed_at
)
INSERT INTO opportunity_stage_history (id, opportunity_id, from_stage, to_stage, amount, probability, changed_by,
                                       changed_at, left_at)
SELECT gen_random_uuid(), id, NULL, 'qualification', amount, 10, owner_id, created_at,
       CASE WHEN stage <> 'qualification' THEN stage_changed_at END
FROM ins
UNION ALL
SELECT gen_random_uuid(), id, 'qualification', stage, amount, probability, owner_id, stage_changed_at, NULL
FROM ins WHERE stage <> 'qualification'
"#;

/// `seed --opportunities N`: N synthetic opportunities over the existing customers (cycling through them), as a
/// bulk load (`seed::bulk_load`).
pub async fn opportunities(db: &PgPool, n: u64, report: bool) -> anyhow::Result<()> {
    crate::seed::bulk_load(db, load_opportunities(db, n, report)).await
}

async fn load_opportunities(db: &PgPool, n: u64, report: bool) -> anyhow::Result<()> {
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(db)
        .await?;
    anyhow::ensure!(customers > 0, "no customers to attach opportunities to");
    let started = Instant::now();
    let mut offset: i64 = sqlx::query_scalar("SELECT count(*) FROM opportunities")
        .fetch_one(db)
        .await?;
    let mut done = 0u64;
    const BATCH: u64 = 50_000;
    while done < n {
        let size = BATCH.min(n - done);
        sqlx::query(INSERT_BATCH)
            .bind(i64::try_from(size)?)
            .bind(offset)
            .execute(db)
            .await?;
        done += size;
        offset += i64::try_from(size)?;
        if report {
            println!(
                "  {done}/{n} opportunities ({:.0}/s)",
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    sqlx::query("ANALYZE opportunities, opportunity_stage_history")
        .execute(db)
        .await?;
    if report {
        println!(
            "seeded {n} opportunities in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Demo leads (some converted-looking states left out: conversion is a user action) and tickets on demo
/// customers, each only when its table is empty.
pub async fn demo_extras(db: &PgPool) -> anyhow::Result<()> {
    let opportunities: i64 = sqlx::query_scalar("SELECT count(*) FROM opportunities")
        .fetch_one(db)
        .await?;
    if opportunities == 0 {
        opportunities_for_demo(db).await?;
    }
    let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM leads")
        .fetch_one(db)
        .await?;
    if leads == 0 {
        sqlx::query(
            r#"INSERT INTO leads (id, name, company, email, source, status, owner_id, estimated_value, currency,
                                  created_at, updated_at)
               SELECT gen_random_uuid(),
                      (ARRAY['Maria Lopez', 'Tom Becker', 'Aiko Tanaka', 'Sam Okafor', 'Lena Novak'])[k % 5 + 1],
                      (ARRAY['Brightline', 'Kestrel', 'Northwind', 'Bluepeak', 'Ironbark', 'Tidewater'])[k % 6 + 1]
                          || ' ' || (ARRAY['Labs', 'Systems', 'Logistics', 'Retail'])[k % 4 + 1] || ' ' || k,
                      'lead' || k || '@' || (ARRAY['brightline.test', 'kestrel.test', 'bluepeak.test'])[k % 3 + 1],
                      (ARRAY['web', 'referral', 'event', 'outbound', 'partner', 'other'])[k % 6 + 1],
                      (ARRAY['new', 'new', 'contacted', 'qualified', 'disqualified'])[k % 5 + 1],
                      (SELECT id FROM users WHERE role = 'sales' ORDER BY email OFFSET (k % 2) LIMIT 1),
                      (k * 1500 + 2000)::numeric(14, 2), 'USD',
                      now() - make_interval(days => k), now() - make_interval(days => k)
               FROM generate_series(1, 24) AS k"#,
        )
        .execute(db)
        .await?;
        sqlx::query(
            "UPDATE leads SET disqualified_reason = 'No budget this year' WHERE status = 'disqualified'",
        )
        .execute(db)
        .await?;
    }
    let tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(db)
        .await?;
    if tickets == 0 {
        sqlx::query(
            r#"INSERT INTO tickets (id, subject, description, priority, status, customer_id, assignee_id, sla_due_at,
                                    created_at, updated_at)
               SELECT gen_random_uuid(),
                      (ARRAY['Cannot log in to the portal', 'Invoice shows the wrong VAT', 'Laptop will not boot',
                             'VPN drops every hour', 'Licence key rejected', 'Printer offline'])[k % 6 + 1],
                      'Reported by phone.', p, (ARRAY['open', 'open', 'in_progress', 'resolved'])[k % 4 + 1],
                      c.id, (SELECT id FROM users WHERE role = 'support' LIMIT 1),
                      now() - make_interval(hours => k * 5)
                          + make_interval(hours => CASE p WHEN 'urgent' THEN 4 WHEN 'high' THEN 8
                                                          WHEN 'normal' THEN 24 ELSE 72 END),
                      now() - make_interval(hours => k * 5), now() - make_interval(hours => k * 5)
               FROM generate_series(1, 18) AS k
               CROSS JOIN LATERAL (SELECT (ARRAY['low', 'normal', 'high', 'urgent'])[k % 4 + 1] AS p) pr
               JOIN LATERAL (SELECT id FROM customers ORDER BY id OFFSET k * 7 LIMIT 1) c ON true"#,
        )
        .execute(db)
        .await?;
        sqlx::query(
            "UPDATE tickets SET resolved_at = updated_at, first_response_at = updated_at WHERE status = 'resolved'",
        )
        .execute(db)
        .await?;
    }
    Ok(())
}

/// About one opportunity for every second demo customer.
async fn opportunities_for_demo(db: &PgPool) -> anyhow::Result<()> {
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(db)
        .await?;
    opportunities(db, u64::try_from((customers / 2).max(1))?, false).await
}
