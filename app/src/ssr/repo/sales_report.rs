//! The sales-pipeline report: one aggregate query per section, amounts converted with `exchange_rates`
//! (numeric throughout; opportunities in a currency without a rate are left out and listed separately).
//!
//! Every query starts from the same filtered set of opportunities: the caller's visible owners
//! (`opportunities_owner_stage_idx`), an owner filter and the expected-close range (`opportunities_close_idx`).
//!
//! Measured (EXPLAIN ANALYZE, 2 cores, 500k opportunities, 900k history rows): one sales user's report runs
//! every section in 3–110 ms; the whole-company report scans everything: stages 126 ms, forecast 121 ms, win
//! rate by owner 81 ms, days in stage 127 ms, win rate by stage 680 ms (the history join alone is 460 ms).
//! Meeting 100 ms there needs aggregates kept up to date on write (per owner × stage × currency × close
//! month, and per stage entered for closed opportunities), not a better plan.

use super::customers::Visible;
use domain::UserId;
use domain::opportunity::Stage;
use domain::opportunity::report::{
    ForecastMonth, OwnerWinRate, StageDuration, StageTotal, StageWinRate, rate,
};
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

pub struct ReportScope {
    pub visible: Visible,
    pub owner_id: Option<UserId>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

impl ReportScope {
    /// The `AND …` conditions on `o` (opportunities).
    fn push(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if let Visible::OwnedBy(ids) = &self.visible {
            qb.push(" AND o.owner_id = ANY(")
                .push_bind(ids.iter().map(|i| i.0).collect::<Vec<_>>())
                .push(")");
        }
        if let Some(o) = self.owner_id {
            qb.push(" AND o.owner_id = ").push_bind(o.0);
        }
        if let Some(d) = self.from {
            qb.push(" AND o.expected_close_date >= ").push_bind(d);
        }
        if let Some(d) = self.to {
            qb.push(" AND o.expected_close_date <= ").push_bind(d);
        }
    }

    /// Every opportunity counts (admins and unteamed managers without filters).
    fn is_everything(&self) -> bool {
        matches!(self.visible, Visible::All)
            && self.owner_id.is_none()
            && self.from.is_none()
            && self.to.is_none()
    }

    fn query<'a>(&self, head: &str, tail: &str) -> QueryBuilder<'a, Postgres> {
        let mut qb = QueryBuilder::new(head);
        self.push(&mut qb);
        qb.push(tail);
        qb
    }
}

/// One converted sum per `key` (an expression over `o`): the opportunities are first summed per key and
/// currency, then each currency's sums are converted once (exact: numeric is distributive), which keeps the
/// per-row work to two additions. Currencies without a rate count for nothing and are listed per key (the last
/// column), so the report needs no extra scan to name them.
fn converted(key: &str, open_only: bool) -> (String, String) {
    let open = if open_only {
        " AND o.stage IN ('qualification', 'proposal', 'negotiation') AND o.expected_close_date IS NOT NULL"
    } else {
        ""
    };
    (
        format!(
            "SELECT t.k, coalesce(sum(t.n) FILTER (WHERE r.rate IS NOT NULL), 0)::bigint,
                    coalesce(round(sum(t.amount * r.rate), 2), 0), coalesce(round(sum(t.weighted * r.rate) / 100, 2), 0),
                    coalesce(array_agg(t.currency::text) FILTER (WHERE r.rate IS NULL), '{{}}')
             FROM (SELECT {key} AS k, o.currency, count(*) AS n, sum(o.amount) AS amount,
                          sum(o.amount * o.probability) AS weighted
                   FROM opportunities o WHERE true{open}"
        ),
        " GROUP BY 1, 2) t LEFT JOIN exchange_rates r ON r.currency = t.currency GROUP BY t.k ORDER BY t.k"
            .to_owned(),
    )
}

/// Two decimal places also for a zero sum (PostgreSQL's numeric zero arrives without a scale).
fn cents(mut d: Decimal) -> Decimal {
    d.rescale(2);
    d
}

fn stage(s: &str) -> Stage {
    Stage::parse(s).unwrap_or_default()
}

type ConvertedRow = (String, i64, Decimal, Decimal, Vec<String>);

/// Totals per stage, and the currencies left out for want of a rate.
pub async fn stage_totals(
    db: &PgPool,
    s: &ReportScope,
) -> Result<(Vec<StageTotal>, Vec<String>), sqlx::Error> {
    let (head, tail) = converted("o.stage", false);
    let rows: Vec<ConvertedRow> = s.query(&head, &tail).build_query_as().fetch_all(db).await?;
    let mut unconverted: Vec<String> = rows.iter().flat_map(|r| r.4.clone()).collect();
    unconverted.sort();
    unconverted.dedup();
    let totals = rows
        .into_iter()
        .map(|(st, count, amount, weighted_amount, _)| StageTotal {
            stage: stage(&st),
            count,
            amount: cents(amount),
            weighted_amount: cents(weighted_amount),
        })
        .collect();
    Ok((totals, unconverted))
}

/// Open opportunities by expected close month.
pub async fn forecast(db: &PgPool, s: &ReportScope) -> Result<Vec<ForecastMonth>, sqlx::Error> {
    let (head, tail) = converted("to_char(o.expected_close_date, 'YYYY-MM')", true);
    let rows: Vec<ConvertedRow> = s.query(&head, &tail).build_query_as().fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.1 > 0)
        .map(|(month, count, amount, weighted_amount, _)| ForecastMonth {
            month,
            amount: cents(amount),
            weighted_amount: cents(weighted_amount),
            count,
        })
        .collect())
}

/// Per stage: closed opportunities that entered it (per the history) and how many of them were won.
pub async fn win_rate_by_stage(
    db: &PgPool,
    s: &ReportScope,
) -> Result<Vec<StageWinRate>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = s
        .query(
            "SELECT h.to_stage, count(DISTINCT o.id), count(DISTINCT o.id) FILTER (WHERE o.stage = 'won')
             FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id
             WHERE o.stage IN ('won', 'lost')",
            " GROUP BY h.to_stage",
        )
        .build_query_as()
        .fetch_all(db)
        .await?;
    let mut out: Vec<StageWinRate> = rows
        .into_iter()
        .map(|(st, entered, won)| StageWinRate {
            stage: stage(&st),
            entered,
            won,
            rate: rate(won, entered),
        })
        .collect();
    out.sort_by_key(|r| r.stage);
    Ok(out)
}

pub async fn win_rate_by_owner(
    db: &PgPool,
    s: &ReportScope,
) -> Result<Vec<OwnerWinRate>, sqlx::Error> {
    let rows: Vec<(Option<Uuid>, Option<String>, i64, i64)> = s
        .query(
            "SELECT o.owner_id, u.name, count(*) FILTER (WHERE o.stage = 'won'),
                    count(*) FILTER (WHERE o.stage = 'lost')
             FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id
             WHERE o.stage IN ('won', 'lost')",
            " GROUP BY o.owner_id, u.name ORDER BY u.name NULLS LAST, o.owner_id",
        )
        .build_query_as()
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(owner_id, owner_name, won, lost)| OwnerWinRate {
            owner_id: owner_id.map(UserId),
            owner_name,
            won,
            lost,
            rate: rate(won, won + lost),
        })
        .collect())
}

/// Average days between entering a stage and entering the next one (stays still going are not counted).
/// 62 ms over 360k history rows unfiltered; with a scope it joins the opportunities (110 ms for a team of 10
/// owners at 200k opportunities).
pub async fn avg_days_in_stage(
    db: &PgPool,
    s: &ReportScope,
) -> Result<Vec<StageDuration>, sqlx::Error> {
    // Without a filter the history alone answers (no join with opportunities: 3× faster).
    let from = if s.is_everything() {
        "FROM opportunity_stage_history h"
    } else {
        "FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id"
    };
    let rows: Vec<(String, f64)> = s
        .query(
            &format!(
                "SELECT h.to_stage, (avg(extract(epoch FROM h.left_at - h.changed_at)) / 86400)::float8
                 {from} WHERE h.left_at IS NOT NULL"
            ),
            " GROUP BY h.to_stage",
        )
        .build_query_as()
        .fetch_all(db)
        .await?;
    let mut out: Vec<StageDuration> = rows
        .into_iter()
        .map(|(st, days)| StageDuration {
            stage: stage(&st),
            days,
        })
        .collect();
    out.sort_by_key(|d| d.stage);
    Ok(out)
}
