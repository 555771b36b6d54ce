//! Stock: allocation and return (never oversold), adjustments, the ledger, serial units and reconciliation.

use super::*;

/// The target of an allocation must exist and be visible: 422 on its field otherwise (other errors pass through).
async fn check_target(conn: &mut PgConnection, p: &Principal, t: AllocationTarget) -> Result<()> {
    match t {
        AllocationTarget::Customer(id) => {
            super::super::tickets::target_customer(conn, p, id, "customer_id").await?;
        }
        AllocationTarget::Project(id) => match super::super::projects::get_in(conn, p, id).await {
            Err(ServiceError::Problem(pr)) if pr.status == 404 => {
                return Err(
                    Problem::invalid_field("project_id", "No project with this id.").into(),
                );
            }
            other => drop(other?),
        },
        AllocationTarget::User(id) => {
            if !crate::ssr::repo::users::by_id(conn, id)
                .await?
                .is_some_and(|u| u.is_active)
            {
                return Err(
                    Problem::invalid_field("user_id", "No active user with this id.").into(),
                );
            }
        }
    }
    Ok(())
}

fn target_json(t: AllocationTarget) -> serde_json::Value {
    match t {
        AllocationTarget::Project(id) => json!({"project_id": id}),
        AllocationTarget::Customer(id) => json!({"customer_id": id}),
        AllocationTarget::User(id) => json!({"user_id": id}),
    }
}

/// After a change of `available`: a `stock.low` event when it crossed the reorder point downwards.
async fn low_stock_event(
    conn: &mut PgConnection,
    actor: &Actor,
    before: &Asset,
    after: &Asset,
) -> Result<()> {
    if after.below_reorder_point && !before.below_reorder_point {
        outbox::insert(
            conn,
            NewEvent {
                r#type: domain::live::STOCK_LOW,
                entity: "asset",
                entity_id: after.id.0,
                data: json!({"sku": after.sku, "name": after.name, "available_quantity": after.available_quantity,
                    "reorder_point": after.reorder_point}),
                actor_id: Some(actor.principal.user_id.0),
            },
        )
        .await?;
    }
    Ok(())
}

fn not_enough(asset: &Asset, wanted: i32) -> ServiceError {
    Problem::conflict(format!(
        "Only {} of {} ({}) available; {wanted} requested.",
        asset.available_quantity,
        asset.name,
        asset.sku.as_str()
    ))
    .into()
}

/// `POST /assets/{id}/allocate`: permission, quantity check, allocation row, stock decrement, audit and outbox
/// event in one transaction. The decrement is a conditional update on the locked asset row, so concurrent
/// requests queue on the lock and exactly as many succeed as there are units (the rest: 409).
pub async fn allocate(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: AllocateInput,
) -> Result<Allocation> {
    let p = &actor.principal;
    let req = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = locked(&mut tx, p, id).await?;
    check_target(&mut tx, p, req.target).await?;
    if before.available_quantity < req.quantity {
        return Err(not_enough(&before, req.quantity));
    }
    let allocation = AllocationId::new();
    repo::insert_allocation(
        &mut tx,
        allocation,
        id,
        req.quantity,
        req.target,
        &req.note,
        p.user_id,
    )
    .await?;
    let serials = if before.tracking == Tracking::Serial {
        let got =
            repo::allocate_units(&mut tx, id, allocation, req.quantity, &req.unit_ids).await?;
        if got.len() != req.quantity as usize {
            return Err(Problem::conflict(if req.unit_ids.is_empty() {
                format!(
                    "Only {} serial-numbered units of {} are in stock.",
                    got.len(),
                    before.sku.as_str()
                )
            } else {
                "Some of the listed units are not in stock.".to_owned()
            })
            .into());
        }
        got
    } else {
        Vec::new()
    };
    let moved = repo::move_stock(
        &mut tx,
        &NewMovement {
            allocation_id: Some(allocation),
            serials: &serials,
            ..NewMovement::new(
                id,
                MovementKind::Allocation,
                (0, -req.quantity),
                &req.note,
                p.user_id,
            )
        },
    )
    .await?;
    if !moved {
        return Err(not_enough(&before, req.quantity));
    }
    let after = reload(&mut tx, id).await?;
    let scoped = repo::allocation(&mut tx, allocation)
        .await?
        .ok_or_else(|| ServiceError::internal("written allocation vanished"))?;
    let created = scoped.allocation;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "allocation",
            verb: "create",
            id: allocation.0,
        },
        None,
        Some(&created),
    )
    .await?;
    let mut data = target_json(req.target);
    if let Some(m) = data.as_object_mut() {
        m.insert("allocation_id".into(), json!(allocation));
        m.insert("quantity".into(), json!(req.quantity));
        m.insert("sku".into(), json!(after.sku));
        m.insert("name".into(), json!(after.name));
        m.insert("note".into(), json!(req.note));
        m.insert("available_quantity".into(), json!(after.available_quantity));
        // Who may read where the units went (taken out again before the event goes out).
        m.insert(domain::live::OWNER_ID.into(), json!(scoped.customer_owner));
        m.insert(domain::live::OWNER_TEAM.into(), json!(scoped.customer_team));
    }
    outbox::insert(
        &mut tx,
        NewEvent {
            r#type: domain::live::ASSET_ALLOCATED,
            entity: "asset",
            entity_id: id.0,
            data,
            actor_id: Some(p.user_id.0),
        },
    )
    .await?;
    low_stock_event(&mut tx, actor, &before, &after).await?;
    tx.commit().await?;
    Ok(created)
}

/// `POST /assets/{id}/return`: part or all of an allocation comes back; good units become available, damaged
/// or lost ones are written off. More than is outstanding → 409.
pub async fn return_items(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: ReturnInput,
) -> Result<Allocation> {
    let p = &actor.principal;
    let req = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = locked(&mut tx, p, id).await?;
    let current = repo::allocation(&mut tx, req.allocation_id)
        .await?
        .map(|s| s.allocation)
        .filter(|a| a.asset_id == id)
        .ok_or_else(|| {
            Problem::invalid_field("allocation_id", "No allocation of this asset with this id.")
        })?;
    if req.quantity > current.outstanding_quantity {
        return Err(Problem::conflict(format!(
            "Only {} of this allocation are still out; {} cannot be returned.",
            current.outstanding_quantity, req.quantity
        ))
        .into());
    }
    if !repo::return_to_allocation(&mut tx, req.allocation_id, req.quantity).await? {
        return Err(Problem::conflict("This allocation changed meanwhile; try again.").into());
    }
    let serials = if before.tracking == Tracking::Serial {
        let status = returned_unit_status(req.condition);
        let got = repo::return_units(
            &mut tx,
            req.allocation_id,
            req.quantity,
            &req.unit_ids,
            status,
        )
        .await?;
        if got.len() != req.quantity as usize {
            return Err(Problem::invalid_field(
                "unit_ids",
                "Some of the listed units are not part of this allocation.",
            )
            .into());
        }
        got
    } else {
        Vec::new()
    };
    let reason = if req.note.is_empty() {
        format!("Returned ({})", req.condition.as_str())
    } else {
        format!("Returned ({}): {}", req.condition.as_str(), req.note)
    };
    for (kind, total, available) in return_movements(req.condition, req.quantity) {
        let movement = NewMovement {
            allocation_id: Some(req.allocation_id),
            serials: &serials,
            ..NewMovement::new(id, kind, (total, available), &reason, p.user_id)
        };
        if !repo::move_stock(&mut tx, &movement).await? {
            return Err(ServiceError::internal("return refused by the stock check"));
        }
    }
    let scoped = repo::allocation(&mut tx, req.allocation_id)
        .await?
        .ok_or_else(|| ServiceError::internal("allocation vanished"))?;
    let updated = scoped.allocation.clone();
    audit(
        &mut tx,
        actor,
        Change {
            entity: "allocation",
            verb: "return",
            id: req.allocation_id.0,
        },
        Some(&current),
        Some(&updated),
    )
    .await?;
    let after = reload(&mut tx, id).await?;
    outbox::insert(
        &mut tx,
        NewEvent {
            r#type: domain::live::ASSET_RETURNED,
            entity: "asset",
            entity_id: id.0,
            data: json!({"allocation_id": req.allocation_id, "quantity": req.quantity,
                "condition": req.condition, "available_quantity": after.available_quantity}),
            actor_id: Some(p.user_id.0),
        },
    )
    .await?;
    low_stock_event(&mut tx, actor, &before, &after).await?;
    tx.commit().await?;
    Ok(updated.redacted_for(p, scoped.customer_owner, scoped.customer_team.as_deref()))
}

/// `POST /assets/{id}/adjustments`: a counted correction or a write-off of shelf stock, with a reason, audited.
pub async fn adjust(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: AdjustmentInput,
) -> Result<Asset> {
    let p = &actor.principal;
    let input = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = locked(&mut tx, p, id).await?;
    let delta = input.quantity_delta;
    if before.tracking == Tracking::Serial {
        if input.serials.len() != delta.unsigned_abs() as usize {
            return Err(Problem::invalid_field(
                "serials",
                "serial-tracked: list one serial number per unit added or removed",
            )
            .into());
        }
        if delta > 0 {
            repo::insert_units(&mut tx, id, &input.serials, None).await?;
        } else {
            let found = repo::write_off_units(&mut tx, id, &input.serials).await?;
            if found.len() != input.serials.len() {
                return Err(Problem::invalid_field(
                    "serials",
                    "Some of these serial numbers are not in stock.",
                )
                .into());
            }
        }
    } else if !input.serials.is_empty() {
        return Err(Problem::invalid_field("serials", "this asset is counted by quantity").into());
    }
    let moved = repo::move_stock(
        &mut tx,
        &NewMovement {
            serials: &input.serials,
            ..NewMovement::new(
                id,
                input.kind.unwrap_or(MovementKind::Adjustment),
                (delta, delta),
                &input.reason,
                p.user_id,
            )
        },
    )
    .await?;
    if !moved {
        return Err(Problem::conflict(format!(
            "Only {} of {} are on the shelf; {} cannot be removed.",
            before.available_quantity,
            before.sku.as_str(),
            -delta
        ))
        .into());
    }
    let after = reload(&mut tx, id).await?;
    let mut changes = domain::audit::diff(Some(&snapshot(&before)), Some(&snapshot(&after)));
    if let Some(m) = changes.as_object_mut() {
        m.insert("reason".into(), json!({"from": null, "to": input.reason}));
    }
    super::super::record(&mut tx, actor, "asset.adjust", "asset", id.0, changes).await?;
    // The counted stock changed: live clients showing it refetch.
    super::super::events::publish(&mut tx, actor, domain::live::Verb::Updated, &after).await?;
    low_stock_event(&mut tx, actor, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Ledger page of an asset, newest first.
pub async fn movements(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    cursor: Option<String>,
    limit: Option<i64>,
) -> Result<Page<StockMovement>> {
    get(ctx, actor, id).await?;
    let limit = domain::page::clamp_limit(limit);
    let after = match cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            let c = Cursor::decode(c, "-at").map_err(|m| Problem::invalid_field("cursor", m))?;
            let t = chrono::DateTime::parse_from_rfc3339(&c.value)
                .map_err(|_| Problem::invalid_field("cursor", "is not a valid cursor"))?;
            Some((t.with_timezone(&chrono::Utc), c.id))
        }
        None => None,
    };
    let rows = repo::movements(&ctx.db, id, after, limit).await?;
    Ok(Page::from_rows(rows, limit, |m: &StockMovement| {
        Cursor::new("-at", m.at.to_rfc3339(), m.id.0)
    }))
}

pub async fn allocations(
    ctx: &AppCtx,
    actor: &Actor,
    of: AllocationsOf,
    open_only: bool,
) -> Result<Vec<Allocation>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    match of {
        AllocationsOf::Asset(a) => {
            repo::asset(&mut conn, a, false)
                .await?
                .ok_or_else(not_found)?;
        }
        AllocationsOf::Project(id) => {
            super::super::projects::get_in(&mut conn, p, id).await?;
        }
        AllocationsOf::Customer(id) => {
            super::super::customers::ensure_visible(&mut conn, p, id).await?;
        }
        AllocationsOf::User(_) => {}
    }
    drop(conn);
    let rows = repo::allocations(&ctx.db, of, open_only, 500).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.allocation
                .redacted_for(p, r.customer_owner, r.customer_team.as_deref())
        })
        .collect())
}

pub async fn units(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<Vec<AssetUnit>> {
    get(ctx, actor, id).await?;
    Ok(repo::units(&ctx.db, id, 2000).await?)
}

/// `crm-ims stock reconcile` and `GET /assets/reconcile`: assets whose quantities disagree with the ledger.
pub async fn reconcile(ctx: &AppCtx, actor: &Actor) -> Result<Vec<StockDiscrepancy>> {
    require(&actor.principal, R, Action::Read)?;
    Ok(repo::discrepancies(&ctx.db).await?)
}

/// Reads the discrepancies without a caller (the CLI).
pub async fn reconcile_all(db: &sqlx::PgPool) -> Result<Vec<StockDiscrepancy>> {
    Ok(repo::discrepancies(db).await?)
}
