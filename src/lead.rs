//! Leads: people or companies that may become customers. Status runs new → contacted → qualified and ends in
//! `converted` (only by converting: customer + contact + opportunity in one go) or `disqualified` (with a
//! reason; a disqualified lead may be reopened).

use crate::contact::Contact;
use crate::customer::Customer;
use crate::ids::{ContactId, CustomerId, LeadId, OpportunityId, UserId};
use crate::money;
use crate::opportunity::{Opportunity, Stage};
use crate::page::{Cursor, SortDir, SortSpec};
use crate::patch::Patch;
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_time, parse_uuid};
use crate::validation::{self, clean, clean_email};
use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a lead came from.
    pub enum LeadSource {
        Other => "other",
        Web => "web",
        Referral => "referral",
        Event => "event",
        Outbound => "outbound",
        Partner => "partner",
    }
}

text_enum! {
    /// Where a lead stands.
    pub enum LeadStatus {
        New => "new",
        Contacted => "contacted",
        Qualified => "qualified",
        Converted => "converted",
        Disqualified => "disqualified",
    }
}

impl LeadSource {
    /// In the order a person picks them (the default `other` last).
    pub const CHOICES: [LeadSource; 6] = [
        Self::Web,
        Self::Referral,
        Self::Event,
        Self::Outbound,
        Self::Partner,
        Self::Other,
    ];
}

impl LeadStatus {
    /// The statuses a client may set (everything but `converted`).
    pub const SETTABLE: [LeadStatus; 4] = [
        Self::New,
        Self::Contacted,
        Self::Qualified,
        Self::Disqualified,
    ];
}

/// A lead as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lead {
    pub id: LeadId,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: LeadSource,
    pub status: LeadStatus,
    pub owner_id: Option<UserId>,
    /// The owner's display name (read-only).
    pub owner_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1200.00"))]
    pub estimated_value: Option<Decimal>,
    pub currency: String,
    pub notes: String,
    pub disqualified_reason: Option<String>,
    pub converted_at: Option<DateTime<Utc>>,
    pub converted_customer_id: Option<CustomerId>,
    pub converted_contact_id: Option<ContactId>,
    pub converted_opportunity_id: Option<OpportunityId>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields of a lead a client may set (create; update merges a [`LeadPatch`] into the stored lead).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub company: Option<String>,
    #[garde(email, length(max = 254))]
    #[serde(default)]
    pub email: Option<String>,
    #[garde(custom(validation::phone))]
    #[serde(default)]
    pub phone: Option<String>,
    #[garde(skip)]
    #[serde(default)]
    pub source: LeadSource,
    #[garde(skip)]
    #[serde(default)]
    pub status: LeadStatus,
    #[garde(skip)]
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[garde(custom(money::opt_amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1200.00"))]
    pub estimated_value: Option<Decimal>,
    /// ISO 4217 code; blank means USD.
    #[garde(custom(money::currency))]
    #[serde(default)]
    pub currency: String,
    #[garde(length(chars, max = 10000))]
    #[serde(default)]
    pub notes: String,
    /// Required when the status is `disqualified`; dropped otherwise.
    #[garde(length(chars, min = 1, max = 500))]
    #[serde(default)]
    pub disqualified_reason: Option<String>,
}

impl LeadInput {
    /// Normalises and validates every field at once, including the status rules ([`check_status`]).
    pub fn clean(self) -> Result<Self, Problem> {
        let disqualified_reason = match self.status {
            LeadStatus::Disqualified => clean(self.disqualified_reason),
            _ => None,
        };
        let cleaned = Self {
            name: self.name.trim().to_owned(),
            company: clean(self.company),
            email: clean_email(self.email),
            phone: clean(self.phone),
            source: self.source,
            status: self.status,
            owner_id: self.owner_id,
            estimated_value: self.estimated_value,
            currency: money::clean_currency(Some(self.currency)),
            notes: self.notes.trim().to_owned(),
            disqualified_reason,
        };
        let mut errors = match validation::validate(&cleaned) {
            Ok(()) => Vec::new(),
            Err(p) => p.errors,
        };
        if let Err(e) = check_status(cleaned.status, cleaned.disqualified_reason.as_deref()) {
            errors.push(e);
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(Problem::invalid(errors))
        }
    }
}

/// A status a client sets on create or update: never `converted` (only converting does that), and
/// `disqualified` needs a reason.
pub fn check_status(
    status: LeadStatus,
    disqualified_reason: Option<&str>,
) -> Result<(), FieldError> {
    match status {
        LeadStatus::Converted => Err(FieldError::new(
            "status",
            "cannot be set to converted; convert the lead instead",
        )),
        LeadStatus::Disqualified if disqualified_reason.is_none_or(|r| r.trim().is_empty()) => {
            Err(FieldError::new(
                "disqualified_reason",
                "is required when the status is disqualified",
            ))
        }
        _ => Ok(()),
    }
}

/// A converted lead is a record of what happened: it cannot be edited any more (409).
pub fn ensure_editable(lead: &Lead) -> Result<(), Problem> {
    if lead.status == LeadStatus::Converted {
        Err(Problem::conflict(
            "This lead has been converted and can no longer be changed.",
        ))
    } else {
        Ok(())
    }
}

/// Only open leads can be converted: converting twice or converting a disqualified lead is a 409.
pub fn ensure_convertible(status: LeadStatus) -> Result<(), Problem> {
    match status {
        LeadStatus::Converted => Err(Problem::conflict("This lead is already converted.")),
        LeadStatus::Disqualified => Err(Problem::conflict(
            "This lead is disqualified; reopen it (status new, contacted or qualified) before converting.",
        )),
        _ => Ok(()),
    }
}

impl From<&Lead> for LeadInput {
    fn from(l: &Lead) -> Self {
        Self {
            name: l.name.clone(),
            company: l.company.clone(),
            email: l.email.clone(),
            phone: l.phone.clone(),
            source: l.source,
            status: l.status,
            owner_id: l.owner_id,
            estimated_value: l.estimated_value,
            currency: l.currency.clone(),
            notes: l.notes.clone(),
            disqualified_reason: l.disqualified_reason.clone(),
        }
    }
}

/// A partial update: absent fields stay, `null` clears.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LeadSource>))]
    pub source: Patch<LeadSource>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LeadStatus>))]
    pub status: Patch<LeadStatus>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Patch<UserId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub estimated_value: Patch<Decimal>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub currency: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub disqualified_reason: Patch<String>,
}

impl LeadPatch {
    /// The stored lead with this patch applied, cleaned and validated. A converted lead answers 409.
    pub fn apply(self, current: &Lead) -> Result<LeadInput, Problem> {
        ensure_editable(current)?;
        let mut errors = Vec::new();
        let mut required = |field: &str| errors.push(FieldError::new(field, "is required"));
        let name = match self.name {
            Patch::Null => {
                required("name");
                String::new()
            }
            other => other
                .apply_to(Some(current.name.clone()))
                .unwrap_or_default(),
        };
        let source = match self.source {
            Patch::Null => {
                required("source");
                current.source
            }
            other => other.apply_to(Some(current.source)).unwrap_or_default(),
        };
        let status = match self.status {
            Patch::Null => {
                required("status");
                current.status
            }
            other => other.apply_to(Some(current.status)).unwrap_or_default(),
        };
        let merged = LeadInput {
            name,
            company: self.company.apply_to(current.company.clone()),
            email: self.email.apply_to(current.email.clone()),
            phone: self.phone.apply_to(current.phone.clone()),
            source,
            status,
            owner_id: self.owner_id.apply_to(current.owner_id),
            estimated_value: self.estimated_value.apply_to(current.estimated_value),
            currency: self
                .currency
                .apply_to(Some(current.currency.clone()))
                .unwrap_or_default(),
            notes: self
                .notes
                .apply_to(Some(current.notes.clone()))
                .unwrap_or_default(),
            disqualified_reason: self
                .disqualified_reason
                .apply_to(current.disqualified_reason.clone()),
        };
        match merged.clean() {
            Ok(v) if errors.is_empty() => Ok(v),
            Ok(_) => Err(Problem::invalid(errors)),
            Err(mut p) => {
                errors.append(&mut p.errors);
                Err(Problem::invalid(errors))
            }
        }
    }
}

crate::sort_keys! {
    pub enum LeadSortKey for Lead {
        Name = "name" => |l| l.name,
        CreatedAt = "created_at" => |l| l.created_at,
        UpdatedAt = "updated_at" => |l| l.updated_at,
        EstimatedValue = "estimated_value" => |l| l.estimated_value,
        Company = "company" => |l| l.company,
        Email = "email" => |l| l.email,
        Phone = "phone" => |l| l.phone,
        Source = "source" => |l| l.source.as_str(),
        Status = "status" => |l| l.status.as_str(),
        OwnerId = "owner_id" => |l| l.owner_id.map(|u| u.0),
        OwnerName = "owner_name" => |l| l.owner_name,
        Currency = "currency" => |l| l.currency,
        ConvertedAt = "converted_at" => |l| l.converted_at,
    }
}

/// List query as it arrives (all text, so that a bad value is a 422 naming the parameter).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct LeadQuery {
    /// Full-text search over name, company, email and phone.
    pub q: Option<String>,
    pub status: Option<String>,
    pub source: Option<String>,
    pub owner_id: Option<String>,
    /// Created on or after (date `YYYY-MM-DD` or RFC 3339 time).
    pub created_from: Option<String>,
    /// Created before the end of this date (or before this RFC 3339 time).
    pub created_to: Option<String>,
    /// Exact value, ignoring case.
    pub name: Option<String>,
    /// Exact value, ignoring case.
    pub company: Option<String>,
    /// Exact e-mail address, ignoring case.
    pub email: Option<String>,
    /// Exact value, ignoring case.
    pub currency: Option<String>,
    /// Exact amount (`1234.50`).
    pub estimated_value: Option<String>,
    /// Any scalar field (`name`, `company`, `email`, `status`, `estimated_value`, `created_at`, …); prefix `-`
    /// for descending. Default `-created_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// A parsed, valid lead list query.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub status: Option<LeadStatus>,
    pub source: Option<LeadSource>,
    pub owner_id: Option<UserId>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub sort: SortSpec<LeadSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl LeadQuery {
    pub fn parse(self) -> Result<LeadFilter, Problem> {
        let mut p = QueryParser::default();
        let ListOrder {
            sort,
            sort_text,
            cursor,
        } = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "-created_at",
                SortSpec {
                    field: LeadSortKey::CreatedAt,
                    dir: SortDir::Desc,
                },
            ),
            LeadSortKey::parse,
            &LeadSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "name", self.name);
        p.text(&mut fields, "company", self.company);
        p.email(&mut fields, "email", self.email);
        p.text(&mut fields, "currency", self.currency);
        p.decimal(
            &mut fields,
            "estimated_value",
            self.estimated_value.as_deref(),
        );
        let filter = LeadFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            status: p.opt("status", self.status.as_deref(), LeadStatus::parse),
            source: p.opt("source", self.source.as_deref(), LeadSource::parse),
            owner_id: p
                .opt("owner_id", self.owner_id.as_deref(), parse_uuid)
                .map(UserId),
            created_from: p.opt("created_from", self.created_from.as_deref(), |s| {
                parse_time(s, false)
            }),
            created_to: p.opt("created_to", self.created_to.as_deref(), |s| {
                parse_time(s, true)
            }),
            sort,
            sort_text,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
            cursor,
        };
        p.finish(filter)
    }
}

/// What a bulk action does to the selected leads (`POST /leads/bulk-actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LeadBulkAction {
    AssignOwner {
        owner_id: UserId,
    },
    SetStatus {
        status: LeadStatus,
        #[serde(default)]
        disqualified_reason: Option<String>,
    },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadBulkRequest {
    pub ids: Vec<LeadId>,
    #[serde(flatten)]
    pub action: LeadBulkAction,
}

/// Options of `POST /leads/{id}/convert` (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadConvertInput {
    /// Attach the lead to this existing customer instead of creating one.
    #[garde(skip)]
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Create an opportunity too (default true).
    #[garde(skip)]
    #[serde(default)]
    pub create_opportunity: Option<bool>,
    /// Default: the company (or the lead's name).
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub opportunity_name: Option<String>,
    /// Default: the lead's estimated value, or 0.
    #[garde(custom(money::opt_amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1200.00"))]
    pub amount: Option<Decimal>,
    /// Default: the lead's currency.
    #[garde(custom(opt_currency))]
    #[serde(default)]
    pub currency: Option<String>,
    #[garde(skip)]
    #[serde(default)]
    pub expected_close_date: Option<NaiveDate>,
}

fn opt_currency(value: &Option<String>, _: &()) -> garde::Result {
    value.as_deref().map_or(Ok(()), |v| money::currency(v, &()))
}

/// The opportunity a conversion creates, fully resolved from the lead and the options.
#[derive(Clone, Debug, PartialEq)]
pub struct OpportunityPlan {
    pub name: String,
    pub amount: Decimal,
    pub currency: String,
    pub stage: Stage,
    pub probability: i16,
    pub expected_close_date: Option<NaiveDate>,
}

impl LeadConvertInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            opportunity_name: clean(self.opportunity_name),
            currency: clean(self.currency).map(|c| c.to_uppercase()),
            ..self
        };
        validation::validate(&cleaned)?;
        Ok(cleaned)
    }

    /// The opportunity to create for `lead`, or `None` when `create_opportunity` is false.
    pub fn opportunity(&self, lead: &Lead) -> Option<OpportunityPlan> {
        if self.create_opportunity == Some(false) {
            return None;
        }
        let stage = Stage::Qualification;
        Some(OpportunityPlan {
            name: self
                .opportunity_name
                .clone()
                .unwrap_or_else(|| customer_name(lead)),
            amount: self
                .amount
                .or(lead.estimated_value)
                .unwrap_or(Decimal::ZERO),
            currency: self
                .currency
                .clone()
                .unwrap_or_else(|| lead.currency.clone()),
            stage,
            probability: stage.default_probability(),
            expected_close_date: self.expected_close_date,
        })
    }
}

/// The name of the customer a lead becomes: its company, or the lead's own name.
pub fn customer_name(lead: &Lead) -> String {
    lead.company.clone().unwrap_or_else(|| lead.name.clone())
}

/// A lead's name as a contact's first and last name: the last word is the last name (names fit the
/// contact's 100 characters each).
pub fn split_name(name: &str) -> (String, String) {
    let words: Vec<&str> = name.split_whitespace().collect();
    let cut = |s: &str| s.chars().take(100).collect::<String>();
    match words.as_slice() {
        [] => (String::new(), String::new()),
        [only] => (cut(only), String::new()),
        [first @ .., last] => (cut(&first.join(" ")), cut(last)),
    }
}

/// The answer of `POST /leads/{id}/convert`: what the lead became, and the converted lead itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadConversion {
    pub customer: Customer,
    pub contact: Contact,
    /// `null` when the conversion was asked not to create one.
    pub opportunity: Option<Opportunity>,
    pub lead: Lead,
}

/// A customer that may already be the lead's company (`GET /leads/{id}/duplicates`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCandidate {
    pub customer: Customer,
    pub reason: DuplicateReason,
    /// How sure the match is, 0..1 (1 = same e-mail).
    pub score: f64,
}

text_enum! {
    /// Why a customer is offered as a duplicate of a lead.
    pub enum DuplicateReason {
        Email => "email",
        Domain => "domain",
        Name => "name",
    }
}

/// E-mail domains shared by many unrelated people: they say nothing about the company.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "proton.me",
    "protonmail.com",
];

/// The company domain of an e-mail address (`None` for free-mail providers or no address).
pub fn company_domain(email: Option<&str>) -> Option<String> {
    let domain = email?.rsplit_once('@')?.1.trim().to_lowercase();
    (!domain.is_empty() && !FREE_MAIL_DOMAINS.contains(&domain.as_str())).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn input(name: &str) -> LeadInput {
        LeadInput {
            name: name.into(),
            ..Default::default()
        }
    }

    fn lead(status: LeadStatus) -> Lead {
        let now = Utc::now();
        Lead {
            id: LeadId::new(),
            name: "Ada Lovelace".into(),
            company: Some("Analytical Engines".into()),
            email: Some("ada@engines.example".into()),
            phone: None,
            source: LeadSource::Web,
            status,
            owner_id: None,
            owner_name: None,
            estimated_value: Some(Decimal::from_str("1500.00").unwrap()),
            currency: "EUR".into(),
            notes: String::new(),
            disqualified_reason: (status == LeadStatus::Disqualified).then(|| "no budget".into()),
            converted_at: None,
            converted_customer_id: None,
            converted_contact_id: None,
            converted_opportunity_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn clean_normalises_and_defaults() {
        let l = LeadInput {
            email: Some(" Ada@Engines.Example ".into()),
            currency: " eur ".into(),
            company: Some("  ".into()),
            disqualified_reason: Some("ignored unless disqualified".into()),
            ..input(" Ada ")
        }
        .clean()
        .unwrap();
        assert_eq!(l.name, "Ada");
        assert_eq!(l.email.as_deref(), Some("ada@engines.example"));
        assert_eq!(l.currency, "EUR");
        assert_eq!(l.company, None);
        assert_eq!(l.disqualified_reason, None);
        assert_eq!((l.status, l.source), (LeadStatus::New, LeadSource::Other));
        assert_eq!(input("X").clean().unwrap().currency, "USD");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let p = LeadInput {
            email: Some("nope".into()),
            estimated_value: Some(Decimal::from(-1)),
            currency: "EURO".into(),
            ..input(" ")
        }
        .clean()
        .unwrap_err();
        for f in ["name", "email", "estimated_value", "currency"] {
            assert!(p.field(f).is_some(), "{f} missing in {p}");
        }
    }

    #[test]
    fn converted_cannot_be_set_and_disqualified_needs_a_reason() {
        let p = LeadInput {
            status: LeadStatus::Converted,
            ..input("A")
        }
        .clean()
        .unwrap_err();
        assert!(p.field("status").is_some());
        let p = LeadInput {
            status: LeadStatus::Disqualified,
            disqualified_reason: Some("  ".into()),
            ..input("A")
        }
        .clean()
        .unwrap_err();
        assert!(p.field("disqualified_reason").is_some());
        let ok = LeadInput {
            status: LeadStatus::Disqualified,
            disqualified_reason: Some("no budget".into()),
            ..input("A")
        }
        .clean()
        .unwrap();
        assert_eq!(ok.disqualified_reason.as_deref(), Some("no budget"));
    }

    #[test]
    fn disqualified_lead_can_be_reopened_and_loses_its_reason() {
        let patch: LeadPatch = serde_json::from_str(r#"{"status":"contacted"}"#).unwrap();
        let merged = patch.apply(&lead(LeadStatus::Disqualified)).unwrap();
        assert_eq!(merged.status, LeadStatus::Contacted);
        assert_eq!(merged.disqualified_reason, None);
    }

    #[test]
    fn converted_lead_is_read_only() {
        let patch: LeadPatch = serde_json::from_str(r#"{"notes":"x"}"#).unwrap();
        assert_eq!(
            patch
                .apply(&lead(LeadStatus::Converted))
                .unwrap_err()
                .status,
            409
        );
        let to_converted: LeadPatch = serde_json::from_str(r#"{"status":"converted"}"#).unwrap();
        let p = to_converted.apply(&lead(LeadStatus::New)).unwrap_err();
        assert_eq!(p.status, 422);
        assert!(p.field("status").is_some());
    }

    #[test]
    fn patch_merges_and_rejects_null_required_fields() {
        let patch: LeadPatch =
            serde_json::from_str(r#"{"company":null,"estimated_value":"10.50"}"#).unwrap();
        let merged = patch.apply(&lead(LeadStatus::New)).unwrap();
        assert_eq!(merged.company, None);
        assert_eq!(
            merged.estimated_value,
            Some(Decimal::from_str("10.5").unwrap())
        );
        assert_eq!(merged.currency, "EUR");
        let bad: LeadPatch = serde_json::from_str(r#"{"name":null,"source":null}"#).unwrap();
        let p = bad.apply(&lead(LeadStatus::New)).unwrap_err();
        assert!(p.field("name").is_some() && p.field("source").is_some());
    }

    #[test]
    fn only_open_leads_convert() {
        assert!(ensure_convertible(LeadStatus::Qualified).is_ok());
        assert!(ensure_convertible(LeadStatus::New).is_ok());
        assert_eq!(
            ensure_convertible(LeadStatus::Converted)
                .unwrap_err()
                .status,
            409
        );
        assert_eq!(
            ensure_convertible(LeadStatus::Disqualified)
                .unwrap_err()
                .status,
            409
        );
    }

    #[test]
    fn conversion_plan_defaults_from_the_lead() {
        let l = lead(LeadStatus::Qualified);
        let plan = LeadConvertInput::default().opportunity(&l).unwrap();
        assert_eq!(plan.name, "Analytical Engines");
        assert_eq!(plan.amount, Decimal::from_str("1500").unwrap());
        assert_eq!(plan.currency, "EUR");
        assert_eq!(plan.stage, Stage::Qualification);
        assert_eq!(plan.probability, Stage::Qualification.default_probability());
        let none = LeadConvertInput {
            create_opportunity: Some(false),
            ..Default::default()
        };
        assert_eq!(none.opportunity(&l), None);
        let bad = LeadConvertInput {
            amount: Some(Decimal::from(-5)),
            currency: Some("euro".into()),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        assert!(bad.field("amount").is_some() && bad.field("currency").is_some());
    }

    #[test]
    fn names_split_into_first_and_last() {
        assert_eq!(split_name("Ada"), ("Ada".into(), String::new()));
        assert_eq!(
            split_name(" Ada  King Lovelace "),
            ("Ada King".into(), "Lovelace".into())
        );
    }

    #[test]
    fn company_domains_skip_free_mail() {
        assert_eq!(
            company_domain(Some("ada@Engines.Example")).as_deref(),
            Some("engines.example")
        );
        assert_eq!(company_domain(Some("ada@gmail.com")), None);
        assert_eq!(company_domain(Some("nope")), None);
        assert_eq!(company_domain(None), None);
    }

    #[test]
    fn query_parses_and_reports_bad_parameters() {
        let f = LeadQuery {
            status: Some("qualified".into()),
            source: Some("web".into()),
            sort: Some("-estimated_value".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.status, Some(LeadStatus::Qualified));
        assert_eq!(f.sort.field, LeadSortKey::EstimatedValue);
        let p = LeadQuery {
            status: Some("gone".into()),
            source: Some("tv".into()),
            sort: Some("notes".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(p.errors.len(), 3, "{p}");
    }
}
