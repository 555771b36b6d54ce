use domain::audit::{AuditEntry, AuditFilter};
use domain::{AuditId, UserId};
use serde_json::Value;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// One audit row to append.
pub struct NewAudit<'a> {
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub changes: Value,
    pub request_id: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// Appends an audit row on the caller's connection — inside the caller's transaction.
pub async fn insert(conn: &mut PgConnection, a: NewAudit<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_logs (id, actor_id, actor_email, action, entity, entity_id, changes, request_id, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        AuditId::new().0,
        a.actor_id,
        a.actor_email,
        a.action,
        a.entity,
        a.entity_id,
        a.changes,
        a.request_id,
        a.ip,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// `(action, entity, entity_id)` of every audit row a request wrote, oldest first. Only for the request ids
/// `Idempotency-Key` attempts carry (`idem-…`), which a partial index finds.
pub async fn written_by_attempt(
    db: &PgPool,
    attempt: &str,
) -> Result<Vec<(String, String, Option<Uuid>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT action, entity, entity_id FROM audit_logs WHERE request_id = $1 AND request_id LIKE 'idem-%'
          ORDER BY id",
    )
    .bind(attempt)
    .fetch_all(db)
    .await
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    actor_id: Option<Uuid>,
    actor_email: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<Uuid>,
    changes: Value,
    request_id: Option<String>,
    ip: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: AuditId(r.id),
            at: r.at,
            actor_id: r.actor_id.map(UserId),
            actor_email: r.actor_email,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            changes: r.changes,
            request_id: r.request_id,
            ip: r.ip,
        }
    }
}

/// Which entries a reader of the audit trail may list.
#[derive(Clone, Debug)]
pub enum AuditScope {
    All,
    /// A team-scoped reader: entries about records owned (directly, or through their customer) by these
    /// users, about these users themselves, and about the kinds of record in `open` (read by the role as a
    /// whole, such as assets); for a record that is gone, entries one of these users wrote.
    Team {
        owners: Vec<Uuid>,
        open: Vec<&'static str>,
    },
}

/// Per kind of entry: the record's table (aliased `x`, with its joins) and the condition, on `$owners`, under
/// which its owner is in scope. A task is in scope through its assignee, its creator or what it is linked to.
const OWNED: &[(&str, &str, &str)] = &[
    ("customer", "customers x", "x.owner_id = ANY($owners)"),
    ("lead", "leads x", "x.owner_id = ANY($owners)"),
    ("opportunity", "opportunities x", "x.owner_id = ANY($owners)"),
    (
        "contact",
        "contacts x JOIN customers c ON c.id = x.customer_id",
        "c.owner_id = ANY($owners)",
    ),
    (
        "interaction",
        "interactions x JOIN customers c ON c.id = x.customer_id",
        "c.owner_id = ANY($owners)",
    ),
    (
        "ticket",
        "tickets x JOIN customers c ON c.id = x.customer_id",
        "c.owner_id = ANY($owners)",
    ),
    (
        "project",
        "projects x JOIN customers c ON c.id = x.customer_id",
        "c.owner_id = ANY($owners)",
    ),
    (
        "milestone",
        "milestones x JOIN projects p ON p.id = x.project_id JOIN customers c ON c.id = p.customer_id",
        "c.owner_id = ANY($owners)",
    ),
    (
        "project_demand",
        "project_demands x JOIN projects p ON p.id = x.project_id JOIN customers c ON c.id = p.customer_id",
        "c.owner_id = ANY($owners)",
    ),
    (
        "allocation",
        "allocations x LEFT JOIN projects p ON p.id = x.project_id
            LEFT JOIN customers c ON c.id = coalesce(x.customer_id, p.customer_id)",
        "(c.id IS NULL OR c.owner_id = ANY($owners))",
    ),
    (
        "task",
        "tasks x LEFT JOIN customers c ON c.id = x.customer_id LEFT JOIN leads l ON l.id = x.lead_id
            LEFT JOIN opportunities o ON o.id = x.opportunity_id",
        "(x.assignee_id = ANY($owners) OR x.created_by = ANY($owners) OR c.owner_id = ANY($owners)
            OR l.owner_id = ANY($owners) OR o.owner_id = ANY($owners))",
    ),
    ("user", "users x", "x.id = ANY($owners)"),
    ("notification", "notifications x", "x.user_id = ANY($owners)"),
];

impl AuditScope {
    fn push(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        let AuditScope::Team { owners, open } = self else {
            return;
        };
        qb.push(" AND (entity = ANY(")
            .push_bind(open.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>())
            .push(")");
        for (entity, from, cond) in OWNED {
            // Each `$owners` in the condition binds the same list.
            let mut parts = cond.split("$owners");
            qb.push(format!(
                " OR (entity = '{entity}' AND (EXISTS (SELECT 1 FROM {from} WHERE x.id = audit_logs.entity_id AND {}",
                parts.next().unwrap_or_default()
            ));
            for part in parts {
                qb.push_bind(owners.clone()).push(part);
            }
            let table = from.split_whitespace().next().unwrap_or(from);
            qb.push(") OR (actor_id = ANY(")
                .push_bind(owners.clone())
                .push(format!(
                    ") AND NOT EXISTS (SELECT 1 FROM {table} g WHERE g.id = audit_logs.entity_id))))"
                ));
        }
        qb.push(")");
    }
}

/// Newest first, keyset on the time-ordered id; fetches `limit + 1` rows so the caller can tell if there is more.
pub async fn list(
    db: &PgPool,
    f: &AuditFilter,
    scope: &AuditScope,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, at, actor_id, actor_email, action, entity, entity_id, changes, request_id, ip FROM audit_logs WHERE true",
    );
    scope.push(&mut qb);
    if let Some(e) = &f.entity {
        qb.push(" AND entity = ").push_bind(e.clone());
    }
    if let Some(id) = f.entity_id {
        qb.push(" AND entity_id = ").push_bind(id);
    }
    if let Some(a) = f.actor_id {
        qb.push(" AND actor_id = ").push_bind(a.0);
    }
    if let Some(a) = &f.action {
        qb.push(" AND action = ").push_bind(a.clone());
    }
    if let Some(t) = f.from {
        qb.push(" AND at >= ").push_bind(t);
    }
    if let Some(t) = f.to {
        qb.push(" AND at < ").push_bind(t);
    }
    if let Some(before) = f.before_id {
        qb.push(" AND id < ").push_bind(before.0);
    }
    qb.push(" ORDER BY id DESC");
    super::limit(&mut qb, f.limit + 1);
    Ok(qb
        .build_query_as::<AuditRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
