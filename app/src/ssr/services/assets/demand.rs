//! Project demand for assets and demand planning.

use super::*;

pub async fn demands(ctx: &AppCtx, actor: &Actor, project: ProjectId) -> Result<Vec<Demand>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    super::super::projects::get_in(&mut *ctx.db.acquire().await?, p, project).await?;
    Ok(repo::demands(&ctx.db, Some(project), None).await?)
}

/// Project demand is written by whoever may update the project (managers) or the inventory.
fn require_demand_write(p: &Principal) -> Result<()> {
    if p.can(Resource::Projects, Action::Update) || p.can(R, Action::Update) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "Your role ({}) may not plan project demand.",
            p.role
        ))
        .into())
    }
}

pub async fn add_demand(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    input: DemandInput,
) -> Result<Demand> {
    let p = &actor.principal;
    let req = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    super::super::projects::get_in(&mut tx, p, project).await?;
    require_demand_write(p)?;
    if repo::asset(&mut tx, req.asset_id, false).await?.is_none() {
        return Err(Problem::invalid_field("asset_id", "No asset with this id.").into());
    }
    let d = repo::insert_demand(&mut tx, DemandId::new(), project, &req).await?;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "project_demand",
            verb: "create",
            id: d.id.0,
        },
        None,
        Some(&d),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn delete_demand(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    id: DemandId,
) -> Result<()> {
    let p = &actor.principal;
    let mut tx = ctx.db.begin().await?;
    super::super::projects::get_in(&mut tx, p, project).await?;
    require_demand_write(p)?;
    let d = repo::delete_demand(&mut tx, project, id)
        .await?
        .ok_or_else(|| Problem::not_found("demand"))?;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "project_demand",
            verb: "delete",
            id: id.0,
        },
        Some(&d),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Demand planning for one asset: what projects still need (demand minus what they already got) against what
/// is available and on order, walked by date to find when stock runs short.
pub async fn demand_plan(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<DemandPlan> {
    let a = get(ctx, actor, id).await?;
    let demands = repo::demands(&ctx.db, None, Some(id)).await?;
    let mut got = repo::allocated_to_projects(&ctx.db, id).await?;
    let mut events = Vec::new();
    let mut required = 0;
    for d in &demands {
        // Units already allocated to the project cover its earliest needs first.
        let covered = got
            .iter_mut()
            .find(|(p, _)| *p == d.project_id)
            .map_or(0, |(_, n)| {
                let c = (*n).min(i64::from(d.quantity));
                *n -= c;
                c
            });
        let open = i64::from(d.quantity) - covered;
        if open > 0 {
            required += open;
            events.push(DemandEvent {
                date: d.needed_by,
                quantity: -open,
                label: d.project_name.clone(),
            });
        }
    }
    let today = chrono::Utc::now().date_naive();
    let mut on_order = 0;
    for (number, expected, qty) in repo::expected_receipts(&ctx.db, id).await? {
        on_order += qty;
        events.push(DemandEvent {
            date: expected.unwrap_or(today).max(today),
            quantity: qty,
            label: format!("PO-{number}"),
        });
    }
    let (shortfall, shortfall_date) =
        project_shortfall(i64::from(a.available_quantity), &mut events);
    Ok(DemandPlan {
        asset_id: id,
        sku: a.sku.as_str().to_owned(),
        name: a.name,
        available_quantity: a.available_quantity,
        required_quantity: required,
        on_order_quantity: on_order,
        shortfall,
        shortfall_date,
        events,
    })
}

/// The demand-planning overview: every asset with open project demand, shortest first.
pub async fn demand_overview(ctx: &AppCtx, actor: &Actor) -> Result<Vec<DemandPlan>> {
    require(&actor.principal, R, Action::Read)?;
    let mut plans = Vec::new();
    for id in repo::assets_with_demand(&ctx.db, 500).await? {
        plans.push(demand_plan(ctx, actor, id).await?);
    }
    plans.sort_by(|a, b| {
        b.shortfall
            .cmp(&a.shortfall)
            .then(a.shortfall_date.cmp(&b.shortfall_date))
    });
    Ok(plans)
}
