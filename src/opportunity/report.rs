//! The sales-pipeline report (`GET /reports/sales-pipeline`): totals per stage in the base currency, the
//! monthly forecast of open opportunities, win rates and time in stage. The server aggregates in SQL; the
//! pure parts (totals, rates) live here.

use super::Stage;
use crate::ids::UserId;
use crate::problem::Problem;
use crate::query::{QueryParser, parse_uuid};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Count and sums of one stage, amounts converted into the base currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageTotal {
    pub stage: Stage,
    pub count: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    /// amount × probability / 100.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub weighted_amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineTotals {
    pub open_count: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub open_amount: Decimal,
    /// Over the open stages only.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub weighted_amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub won_amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lost_amount: Decimal,
}

/// Open opportunities expected to close in one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastMonth {
    /// `YYYY-MM`.
    pub month: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub weighted_amount: Decimal,
    pub count: i64,
}

/// Of the closed opportunities that once entered `stage`, how many were won.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageWinRate {
    pub stage: Stage,
    pub entered: i64,
    pub won: i64,
    /// won / entered (0–1); `null` when none entered.
    pub rate: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerWinRate {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub won: i64,
    pub lost: i64,
    /// won / (won + lost), 0–1.
    pub rate: Option<f64>,
}

/// Average days an opportunity stayed in a stage before moving on (completed stays only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageDuration {
    pub stage: Stage,
    pub days: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineReport {
    /// The currency every amount is in.
    pub base_currency: String,
    pub stages: Vec<StageTotal>,
    pub totals: PipelineTotals,
    /// Currencies without an exchange rate: their opportunities are left out of every amount and count.
    pub unconverted_currencies: Vec<String>,
    pub forecast: Vec<ForecastMonth>,
    pub win_rate_by_stage: Vec<StageWinRate>,
    pub win_rate_by_owner: Vec<OwnerWinRate>,
    pub avg_days_in_stage: Vec<StageDuration>,
}

/// Every stage in pipeline order (stages without opportunities get zeros) and the totals over them.
pub fn complete_stages(found: Vec<StageTotal>) -> (Vec<StageTotal>, PipelineTotals) {
    let stages: Vec<StageTotal> = Stage::ALL
        .iter()
        .map(|s| {
            found
                .iter()
                .find(|t| t.stage == *s)
                .cloned()
                .unwrap_or(StageTotal {
                    stage: *s,
                    count: 0,
                    amount: cents(0),
                    weighted_amount: cents(0),
                })
        })
        .collect();
    let mut totals = PipelineTotals {
        open_count: 0,
        open_amount: cents(0),
        weighted_amount: cents(0),
        won_amount: cents(0),
        lost_amount: cents(0),
    };
    for t in &stages {
        match t.stage {
            Stage::Won => totals.won_amount += t.amount,
            Stage::Lost => totals.lost_amount += t.amount,
            _ => {
                totals.open_count += t.count;
                totals.open_amount += t.amount;
                totals.weighted_amount += t.weighted_amount;
            }
        }
    }
    (stages, totals)
}

/// An amount in cents, so that zeros print as `"0.00"` like the sums.
fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

/// `part / whole`, `None` when `whole` is 0.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Report query as it arrives.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PipelineQuery {
    pub owner_id: Option<String>,
    /// Expected close on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Expected close on or before this date.
    pub to: Option<String>,
    /// `csv` for a CSV file of every section (REST only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PipelineFilter {
    pub owner_id: Option<UserId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl PipelineQuery {
    pub fn parse(self) -> Result<PipelineFilter, Problem> {
        let mut p = QueryParser::default();
        let filter = PipelineFilter {
            owner_id: p
                .opt("owner_id", self.owner_id.as_deref(), parse_uuid)
                .map(UserId),
            from: p.opt("from", self.from.as_deref(), crate::query::parse_date),
            to: p.opt("to", self.to.as_deref(), crate::query::parse_date),
        };
        p.finish(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(stage: Stage, count: i64, amount: i64, weighted: i64) -> StageTotal {
        StageTotal {
            stage,
            count,
            amount: Decimal::from(amount),
            weighted_amount: Decimal::from(weighted),
        }
    }

    #[test]
    fn totals_split_open_won_and_lost_and_fill_missing_stages() {
        let (stages, totals) = complete_stages(vec![
            t(Stage::Lost, 1, 50, 0),
            t(Stage::Qualification, 2, 100, 10),
            t(Stage::Negotiation, 1, 200, 140),
            t(Stage::Won, 3, 300, 300),
        ]);
        let order: Vec<Stage> = stages.iter().map(|s| s.stage).collect();
        assert_eq!(order, Stage::ALL);
        assert_eq!(stages[1], t(Stage::Proposal, 0, 0, 0));
        assert_eq!(totals.open_count, 3);
        assert_eq!(totals.open_amount, Decimal::from(300));
        assert_eq!(totals.weighted_amount, Decimal::from(150));
        assert_eq!(totals.won_amount, Decimal::from(300));
        assert_eq!(totals.lost_amount, Decimal::from(50));
    }

    #[test]
    fn rates_and_query() {
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(0, 0), None);
        let p = PipelineQuery {
            owner_id: Some("x".into()),
            from: Some("2026-13-01".into()),
            to: Some("2026-12-31".into()),
            format: None,
        }
        .parse()
        .unwrap_err();
        assert_eq!(p.errors.len(), 2);
    }
}
