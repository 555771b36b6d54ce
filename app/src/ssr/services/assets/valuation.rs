//! Usage (units-of-production), depreciation schedules and the valuation report.

use super::*;

pub async fn set_usage(ctx: &AppCtx, actor: &Actor, id: AssetId, input: UsageInput) -> Result<()> {
    let mut errors = Vec::new();
    if input.month.is_none() {
        errors.push(domain::FieldError::new("month", "is required"));
    }
    if input.units < Decimal::ZERO {
        errors.push(domain::FieldError::new("units", "must not be negative"));
    }
    let Some(month) = input.month.filter(|_| errors.is_empty()) else {
        return Err(Problem::invalid(errors).into());
    };
    let month = month.with_day(1).unwrap_or(month);
    let mut tx = ctx.db.begin().await?;
    locked(&mut tx, &actor.principal, id).await?;
    repo::set_usage(&mut tx, id, month, input.units).await?;
    super::super::record(
        &mut tx,
        actor,
        "asset.usage",
        "asset",
        id.0,
        json!({"usage": {"from": null, "to": {"month": month, "units": input.units}}}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn depreciation_input(a: &Asset, usage: &[(NaiveDate, Decimal)]) -> Option<DepreciationInput> {
    let cost = a.purchase_price?;
    let months = a.useful_life_months?;
    let start = a.purchase_date.unwrap_or_else(|| a.created_at.date_naive());
    let start_month = start.with_day(1).unwrap_or(start);
    let units_by_month = if a.depreciation_method == DepreciationMethod::UnitsOfProduction {
        (0..months)
            .map(|k| {
                let m = start_month
                    .checked_add_months(chrono::Months::new(u32::try_from(k).unwrap_or(0)))
                    .unwrap_or(start_month);
                usage
                    .iter()
                    .find(|(d, _)| *d == m)
                    .map_or(Decimal::ZERO, |(_, u)| *u)
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(DepreciationInput {
        cost,
        salvage_value: a.salvage_value.unwrap_or(Decimal::ZERO).min(cost),
        useful_life_months: u32::try_from(months).ok()?,
        start,
        method: a.depreciation_method,
        total_units: a.lifetime_units,
        units_by_month,
    })
}

pub async fn depreciation(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    as_of: Option<NaiveDate>,
) -> Result<Depreciation> {
    let a = get(ctx, actor, id).await?;
    let usage = repo::usage(&ctx.db, id).await?;
    let Some(input) = depreciation_input(&a, &usage) else {
        return Err(Problem::conflict(
            "Set the purchase price and the useful life (months) of this asset to see its depreciation.",
        )
        .into());
    };
    if let Err(errors) = input.check() {
        return Err(Problem::invalid(errors).into());
    }
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let book_value = depreciation::book_value_at(&input, as_of);
    Ok(Depreciation {
        asset_id: id,
        method: input.method,
        cost: input.cost,
        salvage_value: input.salvage_value,
        useful_life_months: a.useful_life_months.unwrap_or(0),
        start: input.start,
        as_of,
        book_value,
        total_book_value: book_value * Decimal::from(a.total_quantity),
        schedule: depreciation::schedule(&input),
    })
}

/// `reports/valuation`: sum of book values (at `as_of`) by category, amounts in each asset's own currency
/// summed as given (one currency per installation is assumed; the report says which ones it saw).
pub async fn valuation(
    ctx: &AppCtx,
    actor: &Actor,
    as_of: Option<NaiveDate>,
) -> Result<Vec<ValuationRow>> {
    require(&actor.principal, Resource::Reports, Action::Read)?;
    require(&actor.principal, R, Action::Read)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let assets = repo::valuation_inputs(&ctx.db).await?;
    let mut rows: Vec<ValuationRow> = Vec::new();
    for a in &assets {
        let usage = if a.depreciation_method == DepreciationMethod::UnitsOfProduction {
            repo::usage(&ctx.db, a.id).await?
        } else {
            Vec::new()
        };
        let units = Decimal::from(a.total_quantity);
        let cost = a.purchase_price.unwrap_or_default();
        let book = match depreciation_input(a, &usage).filter(|i| i.check().is_ok()) {
            Some(i) => depreciation::book_value_at(&i, as_of),
            None => cost,
        };
        let top = a.category.split('/').next().unwrap_or("").to_owned();
        let category = if top.is_empty() {
            "Uncategorised".to_owned()
        } else {
            top
        };
        match rows.iter_mut().find(|r| r.category == category) {
            Some(r) => {
                r.asset_count += 1;
                r.units += i64::from(a.total_quantity);
                r.cost += cost * units;
                r.book_value += book * units;
            }
            None => rows.push(ValuationRow {
                category,
                asset_count: 1,
                units: i64::from(a.total_quantity),
                cost: cost * units,
                book_value: book * units,
            }),
        }
    }
    rows.sort_by(|a, b| a.category.cmp(&b.category));
    Ok(rows)
}
