//! Projects and milestones. A project is visible iff its customer is: rows carry the customer's owner and team.

use super::scope::Visible;
use super::sort::Column;
use domain::page::{SortDir, SortType};
use domain::project::{
    Milestone, MilestoneInput, MilestoneStatus, Project, ProjectInput, ProjectSortKey,
    ProjectStatus, is_overdue, progress_percent,
};
use domain::{CustomerId, MilestoneId, OpportunityId, ProjectId, UserId};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;
type Date = chrono::NaiveDate;

/// A project with its customer's owner and the owner's team, which decide who may see it.
#[derive(Clone, Debug)]
pub struct ProjectRecord {
    pub project: Project,
    pub owner_id: Option<UserId>,
    pub owner_team: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    customer_id: Uuid,
    customer_name: String,
    opportunity_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    manager_name: Option<String>,
    status: String,
    start_date: Option<Date>,
    end_date: Option<Date>,
    budget: Option<Decimal>,
    currency: String,
    description: String,
    milestone_count: i64,
    milestones_done: i64,
    overdue_milestones: i64,
    version: i32,
    created_at: Time,
    updated_at: Time,
    owner_id: Option<Uuid>,
    owner_team: Option<String>,
}

impl From<Row> for ProjectRecord {
    fn from(r: Row) -> Self {
        Self {
            project: Project {
                id: ProjectId(r.id),
                name: r.name,
                customer_id: CustomerId(r.customer_id),
                customer_name: Some(r.customer_name),
                opportunity_id: r.opportunity_id.map(OpportunityId),
                manager_id: r.manager_id.map(UserId),
                manager_name: r.manager_name,
                status: ProjectStatus::parse(&r.status).unwrap_or_default(),
                start_date: r.start_date,
                end_date: r.end_date,
                budget: r.budget,
                currency: r.currency,
                description: r.description,
                milestone_count: r.milestone_count,
                milestones_done: r.milestones_done,
                progress_percent: progress_percent(r.milestones_done, r.milestone_count),
                overdue_milestones: r.overdue_milestones,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            owner_id: r.owner_id.map(UserId),
            owner_team: r.owner_team,
        }
    }
}

const SELECT: &str = "SELECT p.id, p.name, p.customer_id, c.name AS customer_name, p.opportunity_id,
        p.manager_id, m.name AS manager_name, p.status, p.start_date, p.end_date, p.budget, p.currency::text AS currency,
        p.description, coalesce(s.total, 0) AS milestone_count, coalesce(s.done, 0) AS milestones_done,
        coalesce(s.overdue, 0) AS overdue_milestones, p.version, p.created_at, p.updated_at, c.owner_id,
        o.team AS owner_team
    FROM projects p JOIN customers c ON c.id = p.customer_id
    LEFT JOIN users m ON m.id = p.manager_id LEFT JOIN users o ON o.id = c.owner_id
    LEFT JOIN LATERAL (
        SELECT count(*) AS total, count(*) FILTER (WHERE ms.status = 'done') AS done,
               count(*) FILTER (WHERE ms.status <> 'done' AND ms.due_date < current_date) AS overdue
        FROM milestones ms WHERE ms.project_id = p.id) s ON true";

pub async fn by_id(
    conn: &mut PgConnection,
    id: ProjectId,
    lock: bool,
) -> Result<Option<ProjectRecord>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE p.id = $1{}",
        if lock { " FOR UPDATE OF p" } else { "" }
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn has_project_for(
    conn: &mut PgConnection,
    opportunity: OpportunityId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM projects WHERE opportunity_id = $1) AS \"found!\"",
        opportunity.0
    )
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    id: ProjectId,
    customer: CustomerId,
    p: &ProjectInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO projects (id, name, customer_id, opportunity_id, manager_id, status, start_date, end_date, budget,
                currency, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        id.0,
        p.name,
        customer.0,
        p.opportunity_id.map(|o| o.0),
        p.manager_id.map(|u| u.0),
        p.status.as_str(),
        p.start_date,
        p.end_date,
        p.budget,
        p.currency,
        p.description,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Updates the writable fields (customer and opportunity stay).
pub async fn update(
    conn: &mut PgConnection,
    id: ProjectId,
    p: &ProjectInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE projects SET name = $2, manager_id = $3, status = $4, start_date = $5, end_date = $6, budget = $7,
                currency = $8, description = $9, version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        p.name,
        p.manager_id.map(|u| u.0),
        p.status.as_str(),
        p.start_date,
        p.end_date,
        p.budget,
        p.currency,
        p.description,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: ProjectId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM projects WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct ListParams {
    pub fields: domain::query::FieldFilters,
    pub visible: Visible,
    pub tsquery: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub status: Option<ProjectStatus>,
    pub manager_id: Option<UserId>,
    pub sort: ProjectSortKey,
    pub dir: SortDir,
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

fn column(key: ProjectSortKey) -> Column {
    match key {
        ProjectSortKey::Name => Column::text("p.name"),
        ProjectSortKey::CustomerId => Column::new("p.customer_id", SortType::Uuid),
        ProjectSortKey::CustomerName => Column::text("c.name"),
        ProjectSortKey::ManagerId => Column::nullable("p.manager_id", SortType::Uuid),
        ProjectSortKey::Status => Column::text("p.status"),
        ProjectSortKey::StartDate => Column::nullable("p.start_date", SortType::Date),
        ProjectSortKey::EndDate => Column::nullable("p.end_date", SortType::Date),
        ProjectSortKey::Budget => Column::nullable("p.budget", SortType::Decimal),
        ProjectSortKey::Currency => Column::text("p.currency::text"),
        ProjectSortKey::CreatedAt => Column::time("p.created_at"),
        ProjectSortKey::UpdatedAt => Column::time("p.updated_at"),
    }
}

/// One page of projects (`limit + 1` rows).
pub async fn list(
    db: &PgPool,
    p: ListParams,
) -> Result<Vec<ProjectRecord>, crate::ssr::ServiceError> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    p.visible.push_owner(&mut qb, "c.owner_id");
    if let Some(tsq) = p.tsquery {
        qb.push(" AND p.search @@ to_tsquery('simple', ")
            .push_bind(tsq)
            .push(")");
    }
    if let Some(c) = p.customer_id {
        qb.push(" AND p.customer_id = ").push_bind(c.0);
    }
    super::push_field_filters(
        &mut qb,
        &p.fields,
        &[
            ("name", "p.name"),
            ("start_date", "p.start_date"),
            ("end_date", "p.end_date"),
            ("budget", "p.budget"),
        ],
    );
    if let Some(s) = p.status {
        qb.push(" AND p.status = ").push_bind(s.as_str());
    }
    if let Some(m) = p.manager_id {
        qb.push(" AND p.manager_id = ").push_bind(m.0);
    }
    let col = column(p.sort);
    let desc = p.dir == SortDir::Desc;
    if let Some(c) = &p.after {
        col.push_after(&mut qb, "p.id", desc, c)?;
    }
    col.push_order(&mut qb, "p.id", desc);
    super::limit(&mut qb, p.limit + 1);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[derive(sqlx::FromRow)]
struct MilestoneRow {
    id: Uuid,
    project_id: Uuid,
    name: String,
    due_date: Option<Date>,
    status: String,
    completed_at: Option<Time>,
    version: i32,
    created_at: Time,
    updated_at: Time,
}

impl From<MilestoneRow> for Milestone {
    fn from(r: MilestoneRow) -> Self {
        let status = MilestoneStatus::parse(&r.status).unwrap_or_default();
        Self {
            id: MilestoneId(r.id),
            project_id: ProjectId(r.project_id),
            name: r.name,
            due_date: r.due_date,
            status,
            completed_at: r.completed_at,
            overdue: is_overdue(r.due_date, status, chrono::Utc::now().date_naive()),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const MILESTONE_SELECT: &str =
    "SELECT id, project_id, name, due_date, status, completed_at, version, created_at,
        updated_at FROM milestones";

/// The milestones of a project by due date (undated last).
pub async fn milestones(db: &PgPool, project: ProjectId) -> Result<Vec<Milestone>, sqlx::Error> {
    let sql = format!(
        "{MILESTONE_SELECT} WHERE project_id = $1 ORDER BY due_date NULLS LAST, id LIMIT 1000"
    );
    Ok(sqlx::query_as::<_, MilestoneRow>(&sql)
        .bind(project.0)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn milestone(
    conn: &mut PgConnection,
    project: ProjectId,
    id: MilestoneId,
    lock: bool,
) -> Result<Option<Milestone>, sqlx::Error> {
    let sql = format!(
        "{MILESTONE_SELECT} WHERE id = $1 AND project_id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as::<_, MilestoneRow>(&sql)
        .bind(id.0)
        .bind(project.0)
        .fetch_optional(conn)
        .await?
        .map(Into::into))
}

/// The project a milestone belongs to.
pub async fn project_of(
    conn: &mut PgConnection,
    id: MilestoneId,
) -> Result<Option<ProjectId>, sqlx::Error> {
    Ok(
        sqlx::query_scalar!("SELECT project_id FROM milestones WHERE id = $1", id.0)
            .fetch_optional(conn)
            .await?
            .map(ProjectId),
    )
}

pub async fn insert_milestone(
    conn: &mut PgConnection,
    id: MilestoneId,
    project: ProjectId,
    m: &MilestoneInput,
    completed_at: Option<Time>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO milestones (id, project_id, name, due_date, status, completed_at) VALUES ($1, $2, $3, $4, $5, $6)",
        id.0,
        project.0,
        m.name,
        m.due_date,
        m.status.as_str(),
        completed_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_milestone(
    conn: &mut PgConnection,
    id: MilestoneId,
    m: &MilestoneInput,
    completed_at: Option<Time>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE milestones SET name = $2, due_date = $3, status = $4, completed_at = $5, version = version + 1,
                updated_at = now()
         WHERE id = $1",
        id.0,
        m.name,
        m.due_date,
        m.status.as_str(),
        completed_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_milestone(conn: &mut PgConnection, id: MilestoneId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM milestones WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}
