//! Customers: list (scoped, searchable, keyset), read, create, update, delete, bulk create and bulk actions.

use super::records::{self, apply_all, audit_create, audit_update, delete_in, lock_for};
use super::{require, visible};
use crate::ssr::repo::customers::{self as repo, CustomerRecord, ListParams, Search};
use crate::ssr::repo::users as users_repo;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::bulk::BulkResult;
use domain::customer::{
    Customer, CustomerBulkAction, CustomerBulkRequest, CustomerInput, CustomerPatch, CustomerQuery,
};
use domain::{Action, CustomerId, Page, Principal, Problem, Resource, Scope};
use sqlx::PgConnection;

const R: Resource = Resource::Customers;

pub async fn list(ctx: &AppCtx, actor: &Actor, query: CustomerQuery) -> Result<Page<Customer>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    let visible = visible(&ctx.db, p, R).await?;
    repo::check_cursor(f.sort.field, f.cursor.as_ref())?;
    let mut params = ListParams {
        fields: f.fields.clone(),
        visible,
        search: None,
        status: f.status,
        owner_id: f.owner_id,
        industry: f.industry.as_deref(),
        tag: f.tag.as_deref(),
        created_from: f.created_from,
        created_to: f.created_to,
        sort: f.sort.field,
        dir: f.sort.dir,
        after: f.cursor.clone(),
        limit: f.limit,
    };
    let (rows, mode) = match &f.q {
        None => (repo::list(&ctx.db, &params).await?, None),
        Some(q) => {
            // On the first page the modes are tried in order until one finds something; later pages keep the
            // mode their cursor came from, so a result set never switches meaning half-way.
            let forced = f.cursor.as_ref().and_then(|c| c.mode.clone());
            let mut found = (Vec::new(), None);
            let mut fuzzy: Option<Fuzzy> = None;
            for (name, mode) in search_modes(q) {
                if forced.as_deref().is_some_and(|m| m != name) {
                    continue;
                }
                let search = match mode {
                    Mode::Ready(s) => s,
                    Mode::FuzzyPrefix | Mode::FuzzyText => {
                        if fuzzy.is_none() {
                            fuzzy = Some(fuzzy_search(ctx, q).await?);
                        }
                        let Some(f) = &fuzzy else { continue };
                        let s = match mode {
                            Mode::FuzzyPrefix => &f.prefix,
                            _ => &f.text,
                        };
                        let Some(s) = s.clone() else { continue };
                        s
                    }
                };
                params.search = Some(search);
                let rows = repo::list(&ctx.db, &params).await?;
                if !rows.is_empty() || forced.is_some() {
                    found = (rows, Some(name));
                    break;
                }
            }
            found
        }
    };
    let customers = rows.into_iter().map(|r| r.customer).collect();
    Ok(Page::from_rows(customers, f.limit, |c: &Customer| {
        f.sort.field.cursor(&f.sort_text, c, c.id.0).with_mode(mode)
    }))
}

/// How `q` is matched, in the order tried: the name starts with it (type-ahead), every word is a prefix of a
/// word in name/e-mail/phone/website (full text), then the same two with typos corrected (`None` here: they
/// need the dictionary, see `fuzzy_search`). Text without letters or digits is matched as a substring of the
/// name.
fn search_modes(q: &str) -> Vec<(&'static str, Mode)> {
    match domain::search::prefix_tsquery(q) {
        Some(tsq) => {
            let prefix = q
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            vec![
                ("prefix", Mode::Ready(Search::NamePrefix(prefix))),
                ("text", Mode::Ready(Search::FullText(tsq))),
                ("fuzzy_prefix", Mode::FuzzyPrefix),
                ("fuzzy", Mode::FuzzyText),
            ]
        }
        None => vec![("substring", Mode::Ready(Search::Substring(q.to_owned())))],
    }
}

/// One way of matching `q`: a search known up front, or one of the two typo-tolerant ones (`Fuzzy`).
enum Mode {
    Ready(Search),
    FuzzyPrefix,
    FuzzyText,
}

/// The typo-tolerant searches: the name starts with the best corrections (`"nakatmoi hea"` → names starting
/// with "nakatomi hea…", the fast type-ahead plan), and full text where each word may also be any of its
/// corrections.
struct Fuzzy {
    prefix: Option<Search>,
    text: Option<Search>,
}

/// Each word that could be misspelt is looked up among the words known from customer names
/// (`customer_name_words`); `None`s when no word has a correction, so there is nothing new to search for.
async fn fuzzy_search(ctx: &AppCtx, q: &str) -> Result<Fuzzy> {
    let words = domain::search::query_words(q);
    let lookup: Vec<String> = words
        .iter()
        .filter(|w| domain::search::correctable(w))
        .cloned()
        .collect();
    let mut found = if lookup.is_empty() {
        Vec::new()
    } else {
        repo::name_word_corrections(&ctx.db, &lookup).await?
    }
    .into_iter();
    let corrections: Vec<Vec<String>> = words
        .iter()
        .map(|w| {
            if domain::search::correctable(w) {
                found.next().unwrap_or_default()
            } else {
                Vec::new()
            }
        })
        .collect();
    let Some(tsq) = domain::search::fuzzy_tsquery(&words, &corrections) else {
        return Ok(Fuzzy {
            prefix: None,
            text: None,
        });
    };
    let best = domain::search::best_corrections(&words, &corrections);
    Ok(Fuzzy {
        prefix: Some(Search::NamePrefix(best)),
        text: Some(Search::FullText(tsq)),
    })
}

/// The record if the caller may see it; 404 otherwise (also for records of other teams).
async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: CustomerId,
    lock: bool,
) -> Result<CustomerRecord> {
    let rec = if lock {
        repo::by_id_for_update(conn, id).await?
    } else {
        repo::by_id(conn, id).await?
    };
    match rec {
        Some(r) if p.sees(R, r.customer.owner_id, r.owner_team.as_deref()) => Ok(r),
        _ => Err(Problem::not_found("customer").into()),
    }
}

pub async fn get(ctx: &AppCtx, actor: &Actor, id: CustomerId) -> Result<Customer> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    Ok(visible_record(&mut conn, &actor.principal, id, false)
        .await?
        .customer)
}

/// For other services (contacts): 404 unless the caller may see the customer.
pub(crate) async fn ensure_visible(
    conn: &mut PgConnection,
    p: &Principal,
    id: CustomerId,
) -> Result<CustomerRecord> {
    visible_record(conn, p, id, false).await
}

/// Sales may assign customers only to themselves (or their team); team managers only within their team.
async fn check_owner(
    conn: &mut PgConnection,
    p: &Principal,
    owner: Option<domain::UserId>,
    field: &str,
) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let scope = p.scope(R);
    // The owner's team matters only for team scopes; the rule itself is the domain's `Scope::contains`.
    let owner_team = match scope {
        Scope::Team(_) => users_repo::by_id(conn, owner).await?.and_then(|u| u.team),
        _ => None,
    };
    if scope.contains(Some(owner), owner_team.as_deref()) {
        Ok(())
    } else {
        Err(Problem::invalid_field(
            field,
            "You can only assign customers to yourself or members of your team.",
        )
        .into())
    }
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    mut input: CustomerInput,
    field_prefix: &str,
) -> Result<Customer> {
    if input.owner_id.is_none() {
        input.owner_id = Some(actor.principal.user_id);
    }
    check_owner(
        conn,
        &actor.principal,
        input.owner_id,
        &format!("{field_prefix}owner_id"),
    )
    .await?;
    let id = CustomerId::new();
    repo::insert(conn, id, &input).await?;
    let created = repo::by_id(conn, id)
        .await?
        .ok_or_else(|| ServiceError::internal("inserted customer vanished"))?
        .customer;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

records::impl_record!(
    Customer, CustomerId, CustomerInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.customer),
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

pub async fn create(ctx: &AppCtx, actor: &Actor, input: CustomerInput) -> Result<Customer> {
    records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then all are inserted in one
/// transaction; a duplicate in item i answers 409 naming `items[i].email`.
pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<CustomerInput>,
) -> Result<Vec<Customer>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: CustomerId,
    if_match: Option<i32>,
    patch: CustomerPatch,
) -> Result<Customer> {
    let mut tx = ctx.db.begin().await?;
    let updated = update_in(&mut tx, actor, id, if_match, patch).await?;
    tx.commit().await?;
    Ok(updated)
}

async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: CustomerId,
    if_match: Option<i32>,
    patch: CustomerPatch,
) -> Result<Customer> {
    let p = &actor.principal;
    let current: Customer = lock_for(conn, p, id, Action::Update, if_match).await?;
    let owner_changes = !patch.owner_id.is_missing();
    let merged = patch.apply(&current)?;
    if owner_changes && merged.owner_id != current.owner_id {
        check_owner(conn, p, merged.owner_id, "owner_id").await?;
    }
    repo::update(conn, id, &merged).await?;
    let updated = repo::by_id(conn, id)
        .await?
        .ok_or_else(|| ServiceError::internal("updated customer vanished"))?
        .customer;
    audit_update(conn, actor, &current, &updated).await?;
    Ok(updated)
}

pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: CustomerId,
    if_match: Option<i32>,
) -> Result<()> {
    records::delete::<Customer>(ctx, actor, id, if_match).await
}

/// Applies one action to every selected customer in one transaction; any id the caller may not see or
/// change fails the whole request and nothing is written.
pub async fn bulk_action(
    ctx: &AppCtx,
    actor: &Actor,
    req: CustomerBulkRequest,
) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                if let CustomerBulkAction::Delete = action {
                    return delete_in::<Customer>(conn, actor, id, None).await;
                }
                let patch = bulk_patch(conn, actor, id, action).await?;
                update_in(conn, actor, id, None, patch).await.map(drop)
            })
        },
    )
    .await
}

async fn bulk_patch(
    conn: &mut PgConnection,
    actor: &Actor,
    id: CustomerId,
    action: &CustomerBulkAction,
) -> Result<CustomerPatch> {
    use domain::Patch::Value;
    Ok(match action {
        CustomerBulkAction::AssignOwner { owner_id } => CustomerPatch {
            owner_id: Value(*owner_id),
            ..Default::default()
        },
        CustomerBulkAction::SetStatus { status } => CustomerPatch {
            status: Value(*status),
            ..Default::default()
        },
        CustomerBulkAction::AddTag { tag } => {
            let mut tags = visible_record(conn, &actor.principal, id, true)
                .await?
                .customer
                .tags;
            tags.push(tag.clone());
            CustomerPatch {
                tags: Value(tags),
                ..Default::default()
            }
        }
        CustomerBulkAction::RemoveTag { tag } => {
            let tag = tag.trim().to_lowercase();
            let tags = visible_record(conn, &actor.principal, id, true)
                .await?
                .customer
                .tags
                .into_iter()
                .filter(|t| *t != tag)
                .collect();
            CustomerPatch {
                tags: Value(tags),
                ..Default::default()
            }
        }
        CustomerBulkAction::Delete => CustomerPatch::default(),
    })
}
