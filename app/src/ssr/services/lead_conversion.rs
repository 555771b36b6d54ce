//! Converting a lead: customer (new, or an existing one the caller picks), contact and opportunity in one
//! transaction, every record audited; and the duplicate-customer suggestions offered before converting.

use super::customers::ensure_visible;
use super::events::publish;
use super::leads::{reload, visible_record};
use super::opportunities;
use super::records::audit_create;
use super::{record, require, snapshot, visible};
use crate::ssr::repo::contacts as contacts_repo;
use crate::ssr::repo::customers as customers_repo;
use crate::ssr::repo::leads::{self as repo, Conversion, DuplicateHit, DuplicateSearch};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::audit::diff;
use domain::contact::{Contact, ContactInput};
use domain::customer::{Customer, CustomerInput, CustomerStatus};
use domain::lead::{
    DuplicateCandidate, DuplicateReason, Lead, LeadConversion, LeadConvertInput, OpportunityPlan,
    company_domain, customer_name, ensure_convertible, split_name,
};
use domain::live::Verb;
use domain::opportunity::{Opportunity, OpportunityInput};
use domain::{Action, ContactId, CustomerId, LeadId, Principal, Problem, Resource};
use sqlx::PgConnection;

/// At most this many duplicate suggestions.
const MAX_DUPLICATES: usize = 10;

/// `POST /leads/{id}/convert`: the lead is locked, so two conversions of one lead never both succeed (the
/// second sees `converted` and answers 409).
pub async fn convert(
    ctx: &AppCtx,
    actor: &Actor,
    id: LeadId,
    input: LeadConvertInput,
) -> Result<LeadConversion> {
    let p = &actor.principal;
    require(p, Resource::Leads, Action::Read)?;
    let input = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = visible_record(&mut tx, p, id, true).await?.lead;
    require(p, Resource::Leads, Action::Update)?;
    require(p, Resource::Contacts, Action::Create)?;
    ensure_convertible(before.status)?;
    let plan = input.opportunity(&before);
    if plan.is_some() {
        require(p, Resource::Opportunities, Action::Create)?;
    }
    let customer = match input.customer_id {
        Some(existing) => existing_customer(&mut tx, p, existing).await?,
        None => new_customer(&mut tx, actor, &before).await?,
    };
    let contact = new_contact(&mut tx, actor, &before, customer.id).await?;
    let opportunity = match plan {
        Some(plan) => {
            Some(new_opportunity(&mut tx, actor, &before, &customer, contact.id, plan).await?)
        }
        None => None,
    };
    let links = Conversion {
        customer: customer.id,
        contact: contact.id,
        opportunity: opportunity.as_ref().map(|o| o.id),
    };
    repo::mark_converted(&mut tx, id, &links).await?;
    let lead = reload(&mut tx, id).await?;
    let changes = diff(Some(&snapshot(&before)), Some(&snapshot(&lead)));
    record(&mut tx, actor, "lead.convert", "lead", id.0, changes).await?;
    publish(&mut tx, actor, Verb::Updated, &lead).await?;
    tx.commit().await?;
    Ok(LeadConversion {
        customer,
        contact,
        opportunity,
        lead,
    })
}

/// The customer to attach the lead to: one the caller may see, or 422 on `customer_id`.
async fn existing_customer(
    conn: &mut PgConnection,
    p: &Principal,
    id: CustomerId,
) -> Result<Customer> {
    match ensure_visible(conn, p, id).await {
        Ok(c) => Ok(c.customer),
        Err(ServiceError::Problem(pr)) if pr.status == 404 => {
            Err(Problem::invalid_field("customer_id", "No customer with this id.").into())
        }
        Err(e) => Err(e),
    }
}

/// A prospect named after the lead's company (or the lead), owned by the lead's owner. Customers' e-mails are
/// unique: when one already has the lead's address, the answer is 409 pointing at it (when the caller may see
/// it), so the lead can be attached to that customer instead.
async fn new_customer(conn: &mut PgConnection, actor: &Actor, lead: &Lead) -> Result<Customer> {
    let p = &actor.principal;
    require(p, Resource::Customers, Action::Create)?;
    if let Some(email) = &lead.email
        && let Some(taken) = repo::customer_with_email(conn, email).await?
    {
        return Err(email_taken(conn, p, taken).await?.into());
    }
    let input = CustomerInput {
        name: customer_name(lead),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        status: CustomerStatus::Prospect,
        owner_id: lead.owner_id,
        ..Default::default()
    }
    .clean()?;
    let id = CustomerId::new();
    customers_repo::insert(conn, id, &input).await?;
    let created = customers_repo::by_id(conn, id)
        .await?
        .ok_or_else(|| ServiceError::internal("inserted customer vanished"))?
        .customer;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

async fn email_taken(conn: &mut PgConnection, p: &Principal, taken: CustomerId) -> Result<Problem> {
    let detail = match ensure_visible(conn, p, taken).await {
        Ok(c) => format!(
            "The customer \u{201c}{}\u{201d} ({}) already has this lead's e-mail address; convert with \
             \"customer_id\": \"{}\" to attach the lead to it.",
            c.customer.name, c.customer.id, c.customer.id
        ),
        Err(_) => {
            "Another customer already has this lead's e-mail address; ask its owner, or attach \
                   the lead to an existing customer with \"customer_id\"."
                .to_owned()
        }
    };
    let mut problem = Problem::duplicate("email", detail.clone());
    problem.detail = detail;
    Ok(problem)
}

async fn new_contact(
    conn: &mut PgConnection,
    actor: &Actor,
    lead: &Lead,
    customer: CustomerId,
) -> Result<Contact> {
    let (first_name, last_name) = split_name(&lead.name);
    let input = ContactInput {
        customer_id: Some(customer),
        first_name,
        last_name,
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        title: None,
    }
    .clean()?;
    let id = ContactId::new();
    contacts_repo::insert(conn, id, customer, &input).await?;
    let created = contacts_repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("inserted contact vanished"))?
        .contact;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

/// The opportunity the lead becomes, written by the opportunities service (its first stage-history row and
/// audit row included) on the conversion's transaction.
async fn new_opportunity(
    conn: &mut PgConnection,
    actor: &Actor,
    lead: &Lead,
    customer: &Customer,
    contact: ContactId,
    plan: OpportunityPlan,
) -> Result<Opportunity> {
    let input = OpportunityInput {
        name: plan.name,
        customer_id: Some(customer.id),
        contact_id: Some(contact),
        lead_id: Some(lead.id),
        stage: plan.stage,
        amount: plan.amount,
        currency: plan.currency,
        probability: Some(plan.probability),
        expected_close_date: plan.expected_close_date,
        owner_id: lead.owner_id,
        ..Default::default()
    }
    .clean()?;
    opportunities::insert_one(conn, actor, input, "").await
}

/// Customers the caller may see that may already be this lead's company, best first (at most 10).
pub async fn duplicates(
    ctx: &AppCtx,
    actor: &Actor,
    id: LeadId,
) -> Result<Vec<DuplicateCandidate>> {
    let p = &actor.principal;
    require(p, Resource::Leads, Action::Read)?;
    require(p, Resource::Customers, Action::Read)?;
    let customers_visible = visible(&ctx.db, p, Resource::Customers).await?;
    let mut tx = ctx.db.begin().await?;
    let lead = visible_record(&mut tx, p, id, false).await?.lead;
    let domain = company_domain(lead.email.as_deref());
    let name = customer_name(&lead);
    let search = DuplicateSearch {
        visible: &customers_visible,
        email: lead.email.as_deref(),
        domain: domain.as_deref(),
        name: &name,
        limit: MAX_DUPLICATES as i64,
    };
    let hits = best_per_customer(repo::duplicate_hits(&mut tx, &search).await?);
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(rec) = customers_repo::by_id(&mut tx, CustomerId(hit.id)).await? else {
            continue;
        };
        out.push(DuplicateCandidate {
            customer: rec.customer,
            reason: DuplicateReason::parse(&hit.reason).unwrap_or(DuplicateReason::Name),
            score: (f64::from(hit.score) * 100.0).round() / 100.0,
        });
    }
    tx.commit().await?;
    Ok(out)
}

/// One hit per customer (its best reason), best first, at most [`MAX_DUPLICATES`].
fn best_per_customer(mut hits: Vec<DuplicateHit>) -> Vec<DuplicateHit> {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut seen = std::collections::HashSet::new();
    hits.retain(|h| seen.insert(h.id));
    hits.truncate(MAX_DUPLICATES);
    hits
}
