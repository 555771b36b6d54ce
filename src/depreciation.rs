//! Depreciation: how an asset's book value falls month by month from its cost to its salvage value, by straight
//! line, double declining balance (switching to straight line), sum of the months' digits, or units of production.
//!
//! Periods are months counted from the start date itself: period `k` (1-based) runs from `start + (k − 1)` months
//! to `start + k` months. Each date is computed from `start` (not from the previous period), so a start on the
//! 31st gives Jan 31, Feb 29, Mar 31, … rather than drifting to the 29th.
//!
//! Amounts are rounded to cents, half away from zero. The straight-line, sum-of-digits and units-of-production
//! methods round the *accumulated* amount of each month (the exact accumulated amount, rounded), and each row's
//! depreciation is the difference from the previous row. So no row is ever more than half a cent from the exact
//! schedule, a month is never negative even when the monthly amount is below a cent, and the last row lands on
//! cost − salvage exactly (it absorbs whatever rounding is left). Declining balance works on the rounded book
//! value month by month, and its last row is whatever is left above salvage.

use crate::problem::FieldError;
use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The longest useful life accepted: 50 years.
pub const MAX_USEFUL_LIFE_MONTHS: u32 = 600;

text_enum! {
    /// How the depreciable amount (cost − salvage) is spread over the useful life.
    pub enum DepreciationMethod {
        StraightLine => "straight_line",
        DecliningBalance => "declining_balance",
        SumOfYearsDigits => "sum_of_years_digits",
        UnitsOfProduction => "units_of_production",
    }
}

/// What a schedule is computed from. Check it with [`DepreciationInput::check`]; [`schedule`] of an input that
/// fails the check is empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepreciationInput {
    pub cost: Decimal,
    pub salvage_value: Decimal,
    pub useful_life_months: u32,
    /// The first day of the first period.
    pub start: NaiveDate,
    pub method: DepreciationMethod,
    /// Units of production only: the units the asset is expected to produce over its life.
    #[serde(default)]
    pub total_units: Option<Decimal>,
    /// Units of production only: the units used in each month, index 0 being the first period. Months past
    /// the end of the list used none; entries past the useful life are ignored.
    #[serde(default)]
    pub units_by_month: Vec<Decimal>,
}

impl DepreciationInput {
    /// Every invalid field at once: cost and salvage are amounts (not negative, cents), salvage is at most the
    /// cost, the life is 1 to 600 months, units of production has a positive total, and no month's units are
    /// negative.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(message) = crate::money::check_amount(self.cost) {
            errors.push(FieldError::new("cost", message));
        }
        if let Err(message) = crate::money::check_amount(self.salvage_value) {
            errors.push(FieldError::new("salvage_value", message));
        } else if self.salvage_value > self.cost {
            errors.push(FieldError::new(
                "salvage_value",
                "must not be more than the cost",
            ));
        }
        if !(1..=MAX_USEFUL_LIFE_MONTHS).contains(&self.useful_life_months) {
            errors.push(FieldError::new(
                "useful_life_months",
                format!("must be between 1 and {MAX_USEFUL_LIFE_MONTHS} months"),
            ));
        } else if months_after(self.start, self.useful_life_months).is_none() {
            errors.push(FieldError::new("start", "is too far in the future"));
        }
        match self.total_units {
            Some(total) if total < Decimal::ZERO => {
                errors.push(FieldError::new("total_units", "must not be negative"));
            }
            Some(total) if total > Decimal::ZERO => {}
            _ if self.method == DepreciationMethod::UnitsOfProduction => {
                errors.push(FieldError::new(
                    "total_units",
                    "must be more than zero for units of production",
                ))
            }
            _ => {}
        }
        for (i, units) in self.units_by_month.iter().enumerate() {
            if *units < Decimal::ZERO {
                errors.push(FieldError::new(
                    format!("units_by_month[{i}]"),
                    "must not be negative",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One month of a schedule. `accumulated` is the depreciation so far including this month, and `book_value`
/// is cost − accumulated at the end of this month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleRow {
    /// 1-based month of the useful life.
    pub period: u32,
    pub period_start: NaiveDate,
    pub depreciation: Decimal,
    pub accumulated: Decimal,
    pub book_value: Decimal,
}

/// One row per month of the useful life (empty if `input` fails [`DepreciationInput::check`]).
///
/// Every month's depreciation is at least zero, the book value never rises and never falls below salvage, and
/// after the last month it equals salvage exactly — except for units of production, which follows the units
/// actually used: it stops at salvage once `total_units` have been used, and if fewer were used over the life,
/// the final book value stays above salvage.
///
/// - straight line: (cost − salvage) / months each month.
/// - declining balance: double declining, `2 / months` of the book value each month, switching to straight
///   line over the remaining months as soon as that gives more, so it reaches salvage at the end of life.
/// - sum of years' digits: applied to months (sum of the months' digits) so a life that is not whole years
///   needs no special case: month `k` of `n` gets (n − k + 1) / (n(n + 1) / 2) of the depreciable amount.
/// - units of production: (cost − salvage) × units used / `total_units`, capped at what is left.
pub fn schedule(input: &DepreciationInput) -> Vec<ScheduleRow> {
    if input.check().is_err() {
        return Vec::new();
    }
    let mut accumulated = Decimal::ZERO;
    monthly_depreciation(input)
        .into_iter()
        .zip(1..)
        .map(|(depreciation, period)| {
            accumulated += depreciation;
            ScheduleRow {
                period,
                period_start: months_after(input.start, period - 1).expect(
                    "check() ensures the end of life is a date, so every earlier month is one",
                ),
                depreciation: cents(depreciation),
                accumulated: cents(accumulated),
                book_value: cents(input.cost - accumulated),
            }
        })
        .collect()
}

/// The book value on `date`: the cost minus the depreciation of every month completed by then, a month being
/// completed on the day the next one starts (`period_start` + 1 month ≤ `date`). So it is the cost up to the end
/// of the first month, and the final book value (salvage, unless units of production used fewer than
/// `total_units`) from the end of life on. The cost if `input` fails [`DepreciationInput::check`].
pub fn book_value_at(input: &DepreciationInput, date: NaiveDate) -> Decimal {
    schedule(input)
        .into_iter()
        .take_while(|row| months_after(input.start, row.period).is_some_and(|end| end <= date))
        .last()
        .map_or(input.cost, |row| row.book_value)
}

/// Each month's depreciation, already in cents; together at most cost − salvage.
fn monthly_depreciation(input: &DepreciationInput) -> Vec<Decimal> {
    let months = input.useful_life_months;
    let depreciable = input.cost - input.salvage_value;
    match input.method {
        DepreciationMethod::StraightLine => differences(
            (1..=months).map(|k| cents(depreciable * Decimal::from(k) / Decimal::from(months))),
        ),
        DepreciationMethod::SumOfYearsDigits => {
            let n = u64::from(months);
            // Digits of the first k months: k·n − k(k − 1)/2 = k(2n − k + 1)/2, over n(n + 1)/2 in all.
            differences((1..=n).map(|k| {
                cents(depreciable * Decimal::from(k * (2 * n - k + 1)) / Decimal::from(n * (n + 1)))
            }))
        }
        DepreciationMethod::UnitsOfProduction => {
            let total = input.total_units.unwrap_or(Decimal::ONE);
            let mut used = Decimal::ZERO;
            differences((0..months as usize).map(|i| {
                let units = input.units_by_month.get(i).copied().unwrap_or_default();
                used = used.checked_add(units).map_or(total, |sum| sum.min(total));
                cents(share(depreciable, used, total))
            }))
        }
        DepreciationMethod::DecliningBalance => {
            declining_balance(input.cost, input.salvage_value, months)
        }
    }
}

fn declining_balance(cost: Decimal, salvage: Decimal, months: u32) -> Vec<Decimal> {
    let mut book = cost;
    (1..=months)
        .map(|k| {
            let left = book - salvage;
            let depreciation = if k == months {
                left
            } else {
                let double_declining = book * Decimal::TWO / Decimal::from(months);
                let straight_line = left / Decimal::from(months - k + 1);
                cents(double_declining.max(straight_line)).min(left)
            };
            book -= depreciation;
            depreciation
        })
        .collect()
}

/// `amount × part / whole`, multiplying first for exactness unless that overflows.
fn share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal {
    amount
        .checked_mul(part)
        .and_then(|product| product.checked_div(whole))
        .unwrap_or_else(|| amount * (part / whole))
}

/// Month-by-month amounts from a non-decreasing series of accumulated amounts.
fn differences(accumulated: impl Iterator<Item = Decimal>) -> Vec<Decimal> {
    let mut previous = Decimal::ZERO;
    accumulated
        .map(|total| {
            let month = total - previous;
            previous = total;
            month
        })
        .collect()
}

fn months_after(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))
}

/// Rounded to cents, half away from zero, always shown with two decimals.
fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn date(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn input(
        cost: &str,
        salvage: &str,
        months: u32,
        method: DepreciationMethod,
    ) -> DepreciationInput {
        DepreciationInput {
            cost: d(cost),
            salvage_value: d(salvage),
            useful_life_months: months,
            start: date(2024, 1, 15),
            method,
            total_units: None,
            units_by_month: Vec::new(),
        }
    }

    fn amounts(rows: &[ScheduleRow]) -> Vec<Decimal> {
        rows.iter().map(|r| r.depreciation).collect()
    }

    fn ds(values: &[&str]) -> Vec<Decimal> {
        values.iter().map(|v| d(v)).collect()
    }

    #[test]
    fn straight_line_spreads_evenly() {
        let rows = schedule(&input("1200", "200", 10, DepreciationMethod::StraightLine));
        assert_eq!(rows.len(), 10);
        assert!(rows.iter().all(|r| r.depreciation == d("100")));
        assert_eq!(rows[0].book_value, d("1100"));
        assert_eq!(rows[9].accumulated, d("1000"));
        assert_eq!(rows[9].book_value, d("200"));
        assert_eq!(rows[0].depreciation.to_string(), "100.00");
    }

    #[test]
    fn straight_line_rounds_the_accumulated_amount() {
        let rows = schedule(&input("1000", "0", 3, DepreciationMethod::StraightLine));
        assert_eq!(amounts(&rows), ds(&["333.33", "333.34", "333.33"]));
        assert_eq!(rows[2].book_value, Decimal::ZERO);
        // Less than a cent a month: cents appear when they accumulate, never a negative month.
        let rows = schedule(&input("1.00", "0", 200, DepreciationMethod::StraightLine));
        assert_eq!(rows[0].depreciation, d("0.01"));
        assert_eq!(rows[1].depreciation, d("0.00"));
        assert_eq!(rows[199].book_value, Decimal::ZERO);
    }

    #[test]
    fn double_declining_switches_to_straight_line() {
        // Rate 2/5: 400 (of 1000), 240 (of 600), 144 (of 360); then straight line over the last two months
        // (216 / 2 = 108) beats 40% of 216 = 86.40.
        let rows = schedule(&input("1000", "0", 5, DepreciationMethod::DecliningBalance));
        assert_eq!(amounts(&rows), ds(&["400", "240", "144", "108", "108"]));
        assert_eq!(rows[4].book_value, Decimal::ZERO);
    }

    #[test]
    fn double_declining_stops_at_salvage() {
        // Half of 1000 would take the book value below 700.
        let rows = schedule(&input(
            "1000",
            "700",
            4,
            DepreciationMethod::DecliningBalance,
        ));
        assert_eq!(amounts(&rows), ds(&["300", "0", "0", "0"]));
        // With salvage 100 the switch never comes; the last month takes what is left above salvage.
        let rows = schedule(&input(
            "1000",
            "100",
            5,
            DepreciationMethod::DecliningBalance,
        ));
        assert_eq!(amounts(&rows), ds(&["400", "240", "144", "86.40", "29.60"]));
        assert_eq!(rows[4].book_value, d("100"));
    }

    #[test]
    fn sum_of_digits_weights_early_months() {
        let rows = schedule(&input("1000", "0", 4, DepreciationMethod::SumOfYearsDigits));
        assert_eq!(amounts(&rows), ds(&["400", "300", "200", "100"]));
        // 600 months of a cent: never negative, ends exactly at salvage.
        let rows = schedule(&input(
            "0.01",
            "0",
            600,
            DepreciationMethod::SumOfYearsDigits,
        ));
        assert!(rows.iter().all(|r| r.depreciation >= Decimal::ZERO));
        assert_eq!(rows[599].book_value, Decimal::ZERO);
    }

    #[test]
    fn units_of_production_follows_usage() {
        let mut i = input("1000", "100", 5, DepreciationMethod::UnitsOfProduction);
        i.total_units = Some(d("100"));
        i.units_by_month = ds(&["10", "30", "0", "80"]);
        // 9 per unit; month 4 uses 80 units but only 60 are left of the expected total.
        let rows = schedule(&i);
        assert_eq!(amounts(&rows), ds(&["90", "270", "0", "540", "0"]));
        assert_eq!(rows[4].book_value, d("100"));

        i.units_by_month = ds(&["10"]);
        let rows = schedule(&i);
        assert_eq!(amounts(&rows), ds(&["90", "0", "0", "0", "0"]));
        assert_eq!(rows[4].book_value, d("910"));
    }

    #[test]
    fn units_of_production_absorbs_rounding() {
        let mut i = input("100", "0", 3, DepreciationMethod::UnitsOfProduction);
        i.total_units = Some(d("3"));
        i.units_by_month = ds(&["1", "1", "1"]);
        let rows = schedule(&i);
        assert_eq!(amounts(&rows), ds(&["33.33", "33.34", "33.33"]));
        assert_eq!(rows[2].book_value, Decimal::ZERO);
    }

    #[test]
    fn periods_count_months_from_the_start_date() {
        let mut i = input("300", "0", 3, DepreciationMethod::StraightLine);
        i.start = date(2024, 1, 31);
        let rows = schedule(&i);
        let starts: Vec<_> = rows.iter().map(|r| r.period_start).collect();
        assert_eq!(
            starts,
            [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
        );
        assert_eq!(rows.iter().map(|r| r.period).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn book_value_counts_completed_months() {
        let i = input("1200", "200", 10, DepreciationMethod::StraightLine);
        assert_eq!(book_value_at(&i, date(2023, 12, 31)), d("1200"));
        assert_eq!(book_value_at(&i, date(2024, 1, 15)), d("1200"));
        assert_eq!(book_value_at(&i, date(2024, 2, 14)), d("1200"));
        assert_eq!(book_value_at(&i, date(2024, 2, 15)), d("1100"));
        assert_eq!(book_value_at(&i, date(2024, 11, 14)), d("300"));
        assert_eq!(book_value_at(&i, date(2024, 11, 15)), d("200"));
        assert_eq!(book_value_at(&i, date(2040, 1, 1)), d("200"));
    }

    #[test]
    fn check_reports_every_field() {
        let mut i = input("-1", "5", 0, DepreciationMethod::UnitsOfProduction);
        i.units_by_month = ds(&["1", "-2"]);
        let fields: Vec<_> = i
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "cost",
                "salvage_value",
                "useful_life_months",
                "total_units",
                "units_by_month[1]"
            ]
        );
        assert!(schedule(&i).is_empty());
        assert_eq!(book_value_at(&i, date(2030, 1, 1)), d("-1"));

        let i = input("100", "100.001", 601, DepreciationMethod::StraightLine);
        let errors = i.check().unwrap_err();
        assert_eq!(errors[0].message, "must have at most two decimal places");
        assert_eq!(errors[1].message, "must be between 1 and 600 months");

        let mut i = input("100", "0", 12, DepreciationMethod::StraightLine);
        assert_eq!(i.check(), Ok(()));
        i.start = NaiveDate::MAX;
        assert_eq!(i.check().unwrap_err()[0].field, "start");
        i.method = DepreciationMethod::UnitsOfProduction;
        i.start = date(2024, 1, 1);
        i.total_units = Some(Decimal::ZERO);
        assert_eq!(
            i.check().unwrap_err()[0].message,
            "must be more than zero for units of production"
        );
    }

    #[test]
    fn method_is_stored_as_text() {
        assert_eq!(
            DepreciationMethod::parse("sum_of_years_digits"),
            Ok(DepreciationMethod::SumOfYearsDigits)
        );
        let json = serde_json::to_string(&DepreciationMethod::DecliningBalance).unwrap();
        assert_eq!(json, "\"declining_balance\"");
    }

    fn any_input() -> impl Strategy<Value = DepreciationInput> {
        (0..10_000_000i64)
            .prop_flat_map(|cost| (Just(cost), 0..=cost))
            .prop_flat_map(|(cost, salvage)| {
                (
                    Just(cost),
                    Just(salvage),
                    1..=120u32,
                    proptest::sample::select(DepreciationMethod::ALL),
                    1..5_000i64,
                    proptest::collection::vec(0..500i64, 0..130),
                    0..3_650i64,
                )
            })
            .prop_map(
                |(cost, salvage, months, method, total, units, day)| DepreciationInput {
                    cost: Decimal::new(cost, 2),
                    salvage_value: Decimal::new(salvage, 2),
                    useful_life_months: months,
                    start: date(2020, 1, 1) + chrono::Duration::days(day),
                    method,
                    total_units: Some(Decimal::new(total, 1)),
                    units_by_month: units.into_iter().map(|u| Decimal::new(u, 1)).collect(),
                },
            )
    }

    proptest! {
        #[test]
        fn schedules_keep_their_invariants(i in any_input()) {
            prop_assert_eq!(i.check(), Ok(()));
            let rows = schedule(&i);
            prop_assert_eq!(rows.len(), i.useful_life_months as usize);
            let mut previous = i.cost;
            let mut total = Decimal::ZERO;
            for row in &rows {
                prop_assert!(row.depreciation >= Decimal::ZERO);
                prop_assert!(row.depreciation.scale() == 2);
                prop_assert!(row.book_value >= i.salvage_value);
                prop_assert!(row.book_value <= previous);
                total += row.depreciation;
                prop_assert_eq!(row.accumulated, total);
                prop_assert_eq!(row.book_value, i.cost - total);
                previous = row.book_value;
            }
            let last = &rows[rows.len() - 1];
            let used: Decimal = i.units_by_month.iter().take(rows.len()).sum();
            let reaches_salvage = i.method != DepreciationMethod::UnitsOfProduction
                || i.total_units.is_some_and(|t| used >= t);
            if reaches_salvage {
                prop_assert_eq!(total, i.cost - i.salvage_value);
                prop_assert_eq!(last.book_value, i.salvage_value);
            }
            let end = months_after(i.start, i.useful_life_months).unwrap();
            prop_assert_eq!(book_value_at(&i, end), last.book_value);
            let before_last = if rows.len() >= 2 { rows[rows.len() - 2].book_value } else { i.cost };
            prop_assert_eq!(book_value_at(&i, end.pred_opt().unwrap()), before_last);
        }
    }
}
