//! Tasks: the record with what decides its visibility (assignee's and creator's teams, owners of linked
//! records), keyset lists, and the owners of records a task may link to.

use super::scope::Visible;
use super::sort::Column;
use domain::page::{SortDir, SortType};
use domain::priority::Priority;
use domain::task::{
    Bucket, LinkOwner, Task, TaskAccess, TaskFilter, TaskInput, TaskSortKey, TaskStatus,
    day_bounds, is_overdue,
};
use domain::{CustomerId, LeadId, OpportunityId, Resource, TaskId, TicketId, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;

/// A task with the information its visibility is decided on.
#[derive(Clone, Debug)]
pub struct TaskRecord {
    pub task: Task,
    pub access: TaskAccess,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    title: String,
    description: String,
    due_at: Option<Time>,
    remind_at: Option<Time>,
    assignee_id: Option<Uuid>,
    assignee_name: Option<String>,
    created_by: Option<Uuid>,
    status: String,
    priority: String,
    customer_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    opportunity_id: Option<Uuid>,
    ticket_id: Option<Uuid>,
    completed_at: Option<Time>,
    version: i32,
    created_at: Time,
    updated_at: Time,
    assignee_team: Option<String>,
    creator_team: Option<String>,
    customer_owner: Option<Uuid>,
    customer_owner_team: Option<String>,
    lead_owner: Option<Uuid>,
    lead_owner_team: Option<String>,
    opportunity_owner: Option<Uuid>,
    opportunity_owner_team: Option<String>,
}

fn link(
    resource: Resource,
    linked: bool,
    owner: Option<Uuid>,
    team: Option<String>,
) -> Option<LinkOwner> {
    linked.then(|| LinkOwner {
        resource,
        owner: owner.map(UserId),
        owner_team: team,
    })
}

impl Row {
    fn into_record(self, now: Time) -> TaskRecord {
        // The CHECK constraints admit only known words.
        let status = TaskStatus::parse(&self.status).unwrap_or_default();
        let links = [
            link(
                Resource::Customers,
                self.customer_id.is_some(),
                self.customer_owner,
                self.customer_owner_team,
            ),
            link(
                Resource::Leads,
                self.lead_id.is_some(),
                self.lead_owner,
                self.lead_owner_team,
            ),
            link(
                Resource::Opportunities,
                self.opportunity_id.is_some(),
                self.opportunity_owner,
                self.opportunity_owner_team,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        TaskRecord {
            access: TaskAccess {
                assignee: self.assignee_id.map(UserId),
                assignee_team: self.assignee_team,
                creator: self.created_by.map(UserId),
                creator_team: self.creator_team,
                links,
            },
            task: Task {
                id: TaskId(self.id),
                title: self.title,
                description: self.description,
                due_at: self.due_at,
                remind_at: self.remind_at,
                assignee_id: self.assignee_id.map(UserId),
                assignee_name: self.assignee_name,
                created_by: self.created_by.map(UserId),
                status,
                priority: Priority::parse(&self.priority).unwrap_or_default(),
                customer_id: self.customer_id.map(CustomerId),
                lead_id: self.lead_id.map(LeadId),
                opportunity_id: self.opportunity_id.map(OpportunityId),
                ticket_id: self.ticket_id.map(TicketId),
                completed_at: self.completed_at,
                overdue: is_overdue(self.due_at, status, now),
                version: self.version,
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
        }
    }
}

const SELECT: &str = "SELECT t.id, t.title, t.description, t.due_at, t.remind_at, t.assignee_id,
        au.name AS assignee_name, t.created_by, t.status, t.priority, t.customer_id, t.lead_id, t.opportunity_id,
        t.ticket_id, t.completed_at, t.version, t.created_at, t.updated_at,
        au.team AS assignee_team, cu.team AS creator_team,
        c.owner_id AS customer_owner, cou.team AS customer_owner_team,
        l.owner_id AS lead_owner, lou.team AS lead_owner_team,
        o.owner_id AS opportunity_owner, oou.team AS opportunity_owner_team
    FROM tasks t
    LEFT JOIN users au ON au.id = t.assignee_id
    LEFT JOIN users cu ON cu.id = t.created_by
    LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN users cou ON cou.id = c.owner_id
    LEFT JOIN leads l ON l.id = t.lead_id LEFT JOIN users lou ON lou.id = l.owner_id
    LEFT JOIN opportunities o ON o.id = t.opportunity_id LEFT JOIN users oou ON oou.id = o.owner_id";

/// The priority as a sortable number: urgent first.
const PRIORITY_RANK: &str =
    "(CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)";

pub async fn by_id(
    conn: &mut PgConnection,
    id: TaskId,
    lock: bool,
) -> Result<Option<TaskRecord>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE t.id = $1{}",
        if lock { " FOR UPDATE OF t" } else { "" }
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.into_record(chrono::Utc::now())))
}

pub async fn insert(
    conn: &mut PgConnection,
    id: TaskId,
    created_by: UserId,
    t: &TaskInput,
    completed_at: Option<Time>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO tasks (id, title, description, due_at, remind_at, assignee_id, created_by, status, priority,
                customer_id, lead_id, opportunity_id, ticket_id, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        id.0,
        t.title,
        t.description,
        t.due_at,
        t.remind_at,
        t.assignee_id.map(|u| u.0),
        created_by.0,
        t.status.as_str(),
        t.priority.as_str(),
        t.customer_id.map(|c| c.0),
        t.lead_id.map(|l| l.0),
        t.opportunity_id.map(|o| o.0),
        t.ticket_id.map(|x| x.0),
        completed_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(
    conn: &mut PgConnection,
    id: TaskId,
    t: &TaskInput,
    completed_at: Option<Time>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE tasks SET title = $2, description = $3, due_at = $4, remind_at = $5, assignee_id = $6, status = $7,
                priority = $8, customer_id = $9, lead_id = $10, opportunity_id = $11, ticket_id = $12,
                completed_at = $13, version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        t.title,
        t.description,
        t.due_at,
        t.remind_at,
        t.assignee_id.map(|u| u.0),
        t.status.as_str(),
        t.priority.as_str(),
        t.customer_id.map(|c| c.0),
        t.lead_id.map(|l| l.0),
        t.opportunity_id.map(|o| o.0),
        t.ticket_id.map(|x| x.0),
        completed_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: TaskId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM tasks WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The owner (and owner's team) of a lead or opportunity; `None` when there is no such record.
pub async fn link_owner(
    conn: &mut PgConnection,
    resource: Resource,
    id: Uuid,
) -> Result<Option<LinkOwner>, sqlx::Error> {
    let table = match resource {
        Resource::Leads => "leads",
        Resource::Opportunities => "opportunities",
        _ => return Ok(None),
    };
    let sql = format!(
        "SELECT r.owner_id, u.team FROM {table} r LEFT JOIN users u ON u.id = r.owner_id WHERE r.id = $1"
    );
    let row: Option<(Option<Uuid>, Option<String>)> =
        sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?;
    Ok(row.map(|(owner, team)| LinkOwner {
        resource,
        owner: owner.map(UserId),
        owner_team: team,
    }))
}

/// The customer of a ticket; `None` when there is no such ticket.
pub async fn ticket_customer(
    conn: &mut PgConnection,
    id: TicketId,
) -> Result<Option<CustomerId>, sqlx::Error> {
    let c = sqlx::query_scalar!("SELECT customer_id FROM tickets WHERE id = $1", id.0)
        .fetch_optional(conn)
        .await?;
    Ok(c.map(CustomerId))
}

/// Which tasks a list may include (see `services::tasks`).
pub enum TaskVisible {
    All,
    /// Assigned to or created by one of these users.
    Team(Vec<UserId>),
    /// Assigned to or created by `me`, or linked to a customer/lead/opportunity owned within `owners`.
    Involved {
        me: UserId,
        owners: Visible,
    },
}

pub struct ListParams<'a> {
    pub visible: TaskVisible,
    pub filter: &'a TaskFilter,
    /// `team=true`: the caller's team members (assignees).
    pub team_members: Option<Vec<UserId>>,
    pub me: UserId,
    pub now: Time,
}

fn ids(v: &[UserId]) -> Vec<Uuid> {
    v.iter().map(|u| u.0).collect()
}

fn push_visible(qb: &mut QueryBuilder<'_, Postgres>, v: &TaskVisible) {
    match v {
        TaskVisible::All => {}
        TaskVisible::Team(members) => {
            qb.push(" AND (t.assignee_id = ANY(")
                .push_bind(ids(members));
            qb.push(") OR t.created_by = ANY(")
                .push_bind(ids(members))
                .push("))");
        }
        TaskVisible::Involved { me, owners } => {
            qb.push(" AND (t.assignee_id = ").push_bind(me.0);
            qb.push(" OR t.created_by = ").push_bind(me.0);
            match owners {
                Visible::All => {
                    qb.push(" OR t.customer_id IS NOT NULL OR t.lead_id IS NOT NULL OR t.opportunity_id IS NOT NULL");
                }
                Visible::OwnedBy(owners) => {
                    for (table, col) in [
                        ("customers", "customer_id"),
                        ("leads", "lead_id"),
                        ("opportunities", "opportunity_id"),
                    ] {
                        qb.push(format!(" OR EXISTS (SELECT 1 FROM {table} x WHERE x.id = t.{col} AND x.owner_id = ANY("));
                        qb.push_bind(ids(owners)).push("))");
                    }
                }
            }
            qb.push(")");
        }
    }
}

fn push_bucket(qb: &mut QueryBuilder<'_, Postgres>, bucket: Bucket, now: Time) {
    let (start, end) = day_bounds(now);
    let active = " t.status IN ('open', 'in_progress')";
    match bucket {
        Bucket::Overdue => {
            qb.push(" AND t.due_at < ")
                .push_bind(now)
                .push(format!(" AND{active}"));
        }
        Bucket::Today => {
            qb.push(" AND t.due_at >= ").push_bind(start);
            qb.push(" AND t.due_at < ").push_bind(end);
            qb.push(" AND (t.due_at >= ")
                .push_bind(now)
                .push(format!(" OR NOT{active})"));
        }
        Bucket::Upcoming => {
            qb.push(" AND t.due_at >= ").push_bind(end);
        }
        Bucket::NoDueDate => {
            qb.push(" AND t.due_at IS NULL");
        }
    }
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, p: &ListParams<'_>) {
    let f = p.filter;
    push_visible(qb, &p.visible);
    super::push_field_filters(qb, &f.fields, &[("title", "t.title")]);
    if let Some(tsq) = f.q.as_deref().and_then(domain::search::prefix_tsquery) {
        qb.push(" AND t.search @@ to_tsquery('simple', ")
            .push_bind(tsq)
            .push(")");
    }
    if f.mine {
        qb.push(" AND t.assignee_id = ").push_bind(p.me.0);
    }
    if let Some(members) = &p.team_members {
        qb.push(" AND t.assignee_id = ANY(")
            .push_bind(ids(members))
            .push(")");
    }
    if !f.statuses.is_empty() {
        let words: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
        qb.push(" AND t.status = ANY(").push_bind(words).push(")");
    }
    let eq: [(&str, Option<Uuid>); 5] = [
        ("t.assignee_id", f.assignee_id.map(|u| u.0)),
        ("t.customer_id", f.customer_id.map(|c| c.0)),
        ("t.lead_id", f.lead_id.map(|l| l.0)),
        ("t.opportunity_id", f.opportunity_id.map(|o| o.0)),
        ("t.ticket_id", f.ticket_id.map(|x| x.0)),
    ];
    for (col, v) in eq {
        if let Some(v) = v {
            qb.push(format!(" AND {col} = ")).push_bind(v);
        }
    }
    if let Some(pr) = f.priority {
        qb.push(" AND t.priority = ").push_bind(pr.as_str());
    }
    if let Some(from) = f.due_from {
        qb.push(" AND t.due_at >= ").push_bind(from);
    }
    if let Some(to) = f.due_to {
        qb.push(" AND t.due_at < ").push_bind(to);
    }
    if let Some(b) = f.bucket {
        push_bucket(qb, b, p.now);
    }
}

fn column(key: TaskSortKey) -> Column {
    use TaskSortKey as K;
    let time = |expr| Column::nullable(expr, SortType::Time);
    let id = |expr| Column::nullable(expr, SortType::Uuid);
    match key {
        K::DueAt => time("t.due_at"),
        K::CreatedAt => Column::time("t.created_at"),
        K::Priority => Column::new(PRIORITY_RANK, SortType::Int),
        K::Title => Column::text("t.title"),
        K::Description => Column::text("left(t.description, 200)"),
        K::RemindAt => time("t.remind_at"),
        K::AssigneeId => id("t.assignee_id"),
        K::AssigneeName => Column::nullable("au.name", SortType::Text),
        K::CreatedBy => id("t.created_by"),
        K::Status => Column::text("t.status"),
        K::CustomerId => id("t.customer_id"),
        K::LeadId => id("t.lead_id"),
        K::OpportunityId => id("t.opportunity_id"),
        K::TicketId => id("t.ticket_id"),
        K::CompletedAt => time("t.completed_at"),
        K::UpdatedAt => Column::time("t.updated_at"),
    }
}

/// One keyset page (`limit + 1` rows).
pub async fn list(
    db: &PgPool,
    p: &ListParams<'_>,
) -> Result<Vec<TaskRecord>, crate::ssr::ServiceError> {
    let f = p.filter;
    let desc = f.sort.dir == SortDir::Desc;
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    push_filters(&mut qb, p);
    let col = column(f.sort.field);
    if let Some(c) = &f.cursor {
        col.push_after(&mut qb, "t.id", desc, c)?;
    }
    col.push_order(&mut qb, "t.id", desc);
    super::limit(&mut qb, f.limit + 1);
    let rows = qb.build_query_as::<Row>().fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| r.into_record(p.now)).collect())
}

/// What a reminder needs: the task's title, due time, whether it still needs doing, and whom to tell.
pub struct ReminderTarget {
    pub title: String,
    pub due_at: Option<Time>,
    pub active: bool,
    pub recipient: Option<UserId>,
}

pub async fn reminder_target(
    conn: &mut PgConnection,
    id: TaskId,
) -> Result<Option<ReminderTarget>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT title, due_at, status, coalesce(assignee_id, created_by) AS recipient FROM tasks WHERE id = $1",
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| ReminderTarget {
        title: r.title,
        due_at: r.due_at,
        active: TaskStatus::parse(&r.status).is_ok_and(TaskStatus::is_active),
        recipient: r.recipient.map(UserId),
    }))
}
