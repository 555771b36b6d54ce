//! Maintenance logs, and the task with a reminder that planned work becomes.

use super::*;

pub async fn maintenance(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<Vec<Maintenance>> {
    get(ctx, actor, id).await?;
    Ok(repo::maintenance(&ctx.db, id).await?)
}

/// Logs maintenance; a planned date (or the next due date of work done) becomes a task with a reminder for the
/// person logging it, delivered by the job queue like every task reminder.
pub async fn add_maintenance(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: MaintenanceInput,
) -> Result<Maintenance> {
    let input = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let asset = locked(&mut tx, &actor.principal, id).await?;
    let task = match input.reminder_date() {
        Some(date) => Some(
            super::super::tasks::maintenance_task(
                &mut tx,
                actor,
                &format!("Maintenance due: {} ({})", asset.name, asset.sku.as_str()),
                &input.description,
                date,
            )
            .await?,
        ),
        None => None,
    };
    let m = repo::insert_maintenance(
        &mut tx,
        domain::MaintenanceId::new(),
        id,
        &input,
        actor.principal.user_id,
        task,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "maintenance",
            verb: "create",
            id: m.id.0,
        },
        None,
        Some(&m),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}
