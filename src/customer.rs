//! Customers: the record, its input for create/update, and list queries.

use crate::ids::{CustomerId, UserId};
use crate::page::{SortDir, SortSpec};
use crate::patch::Patch;
use crate::problem::{FieldError, Problem};
use crate::query::{QueryParser, parse_i64, parse_time, parse_uuid};
use crate::validation::{self, clean, clean_email, clean_tags, clean_url};
use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    #[default]
    Prospect,
    Active,
    Inactive,
}

impl CustomerStatus {
    pub const ALL: [CustomerStatus; 3] = [Self::Prospect, Self::Active, Self::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prospect => "prospect",
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "must be prospect, active or inactive".to_owned())
    }
}

/// A customer as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub status: CustomerStatus,
    pub owner_id: Option<UserId>,
    /// The owner's display name (read-only).
    pub owner_name: Option<String>,
    pub tags: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields of a customer a client may set. Used for create and, merged with the stored record, for update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(email, length(max = 254))]
    #[serde(default)]
    pub email: Option<String>,
    #[garde(custom(validation::phone))]
    #[serde(default)]
    pub phone: Option<String>,
    #[garde(url, length(max = 500))]
    #[serde(default)]
    pub website: Option<String>,
    #[garde(length(chars, min = 1, max = 100))]
    #[serde(default)]
    pub industry: Option<String>,
    #[garde(skip)]
    #[serde(default)]
    pub status: CustomerStatus,
    #[garde(skip)]
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[garde(custom(validation::tags))]
    #[serde(default)]
    pub tags: Vec<String>,
}

impl CustomerInput {
    /// Normalises (trims, lower-cases the e-mail, completes the website) and validates every field at once.
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            name: self.name.trim().to_owned(),
            email: clean_email(self.email),
            phone: clean(self.phone),
            website: clean_url(self.website),
            industry: clean(self.industry),
            status: self.status,
            owner_id: self.owner_id,
            tags: clean_tags(self.tags),
        };
        validation::validate(&cleaned)?;
        Ok(cleaned)
    }
}

impl From<&Customer> for CustomerInput {
    fn from(c: &Customer) -> Self {
        Self {
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            website: c.website.clone(),
            industry: c.industry.clone(),
            status: c.status,
            owner_id: c.owner_id,
            tags: c.tags.clone(),
        }
    }
}

/// A partial update: absent fields stay, `null` clears.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub website: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub industry: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CustomerStatus>))]
    pub status: Patch<CustomerStatus>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Patch<UserId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub tags: Patch<Vec<String>>,
}

impl CustomerPatch {
    /// The stored customer with this patch applied, cleaned and validated.
    pub fn apply(self, current: &Customer) -> Result<CustomerInput, Problem> {
        let mut errors = Vec::new();
        let name = match self.name {
            Patch::Missing => current.name.clone(),
            Patch::Null => {
                errors.push(FieldError::new("name", "is required"));
                String::new()
            }
            Patch::Value(v) => v,
        };
        let status = match self.status {
            Patch::Null => {
                errors.push(FieldError::new(
                    "status",
                    "must be prospect, active or inactive",
                ));
                current.status
            }
            other => other.apply_to(Some(current.status)).unwrap_or_default(),
        };
        let merged = CustomerInput {
            name,
            email: self.email.apply_to(current.email.clone()),
            phone: self.phone.apply_to(current.phone.clone()),
            website: self.website.apply_to(current.website.clone()),
            industry: self.industry.apply_to(current.industry.clone()),
            status,
            owner_id: self.owner_id.apply_to(current.owner_id),
            tags: self
                .tags
                .apply_to(Some(current.tags.clone()))
                .unwrap_or_default(),
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
    pub enum CustomerSortKey for Customer {
        Name = "name" => |c| c.name,
        CreatedAt = "created_at" => |c| c.created_at,
        UpdatedAt = "updated_at" => |c| c.updated_at,
        Email = "email" => |c| c.email,
        Phone = "phone" => |c| c.phone,
        Website = "website" => |c| c.website,
        Industry = "industry" => |c| c.industry,
        Status = "status" => |c| c.status.as_str(),
        OwnerId = "owner_id" => |c| c.owner_id.map(|u| u.0),
    }
}

/// List query as it arrives (all text, so that a bad value is a 422 naming the parameter).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct CustomerQuery {
    /// Full-text and fuzzy search over name, email, phone and website.
    pub q: Option<String>,
    pub status: Option<String>,
    pub owner_id: Option<String>,
    pub industry: Option<String>,
    pub tag: Option<String>,
    /// Created on or after (date `YYYY-MM-DD` or RFC 3339 time).
    pub created_from: Option<String>,
    /// Created before the end of this date (or before this RFC 3339 time).
    pub created_to: Option<String>,
    /// Exact value, ignoring case.
    pub name: Option<String>,
    /// Exact e-mail address, ignoring case.
    pub email: Option<String>,
    /// Exact value, ignoring case.
    pub phone: Option<String>,
    /// Exact value, ignoring case.
    pub website: Option<String>,
    /// Any scalar field (`name`, `email`, `phone`, `website`, `industry`, `status`, `owner_id`, `created_at`,
    /// `updated_at`); prefix `-` for descending. Default `-created_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// A parsed, valid customer list query.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub status: Option<CustomerStatus>,
    pub owner_id: Option<UserId>,
    pub industry: Option<String>,
    pub tag: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub sort: SortSpec<CustomerSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<crate::page::Cursor>,
}

impl CustomerQuery {
    pub fn parse(self) -> Result<CustomerFilter, Problem> {
        let mut p = QueryParser::default();
        let sort_text = self
            .sort
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "-created_at".to_owned());
        let sort = p.field(
            "sort",
            SortSpec::parse(
                &sort_text,
                CustomerSortKey::parse,
                &CustomerSortKey::allowed(),
            ),
        );
        let cursor = p.opt("cursor", self.cursor.as_deref(), |c| {
            crate::page::Cursor::decode(c, &sort_text)
        });
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "name", self.name);
        p.email(&mut fields, "email", self.email);
        p.text(&mut fields, "phone", self.phone);
        p.text(&mut fields, "website", self.website);
        let filter = CustomerFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            status: p.opt("status", self.status.as_deref(), CustomerStatus::parse),
            owner_id: p
                .opt("owner_id", self.owner_id.as_deref(), parse_uuid)
                .map(UserId),
            industry: clean(self.industry),
            tag: clean(self.tag).map(|t| t.to_lowercase()),
            created_from: p.opt("created_from", self.created_from.as_deref(), |s| {
                parse_time(s, false)
            }),
            created_to: p.opt("created_to", self.created_to.as_deref(), |s| {
                parse_time(s, true)
            }),
            sort: sort.unwrap_or(SortSpec {
                field: CustomerSortKey::CreatedAt,
                dir: SortDir::Desc,
            }),
            sort_text,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
            cursor,
        };
        p.finish(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> CustomerInput {
        CustomerInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn clean_normalises_and_accepts_good_input() {
        let c = CustomerInput {
            email: Some(" Sales@ACME.com ".into()),
            website: Some("acme.com".into()),
            tags: vec!["VIP".into(), "vip".into()],
            ..input(" Acme ")
        }
        .clean()
        .unwrap();
        assert_eq!(c.name, "Acme");
        assert_eq!(c.email.as_deref(), Some("sales@acme.com"));
        assert_eq!(c.website.as_deref(), Some("https://acme.com"));
        assert_eq!(c.tags, vec!["vip"]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let p = CustomerInput {
            email: Some("not-an-email".into()),
            phone: Some("call me".into()),
            tags: vec!["bad;tag".into()],
            ..input("  ")
        }
        .clean()
        .unwrap_err();
        assert_eq!(p.status, 422);
        for f in ["name", "email", "phone", "tags"] {
            assert!(p.field(f).is_some(), "{f} missing in {p}");
        }
    }

    #[test]
    fn patch_merges_clears_and_rejects_null_name() {
        let now = Utc::now();
        let current = Customer {
            id: CustomerId::new(),
            name: "Acme".into(),
            email: Some("a@acme.com".into()),
            phone: None,
            website: None,
            industry: Some("IT".into()),
            status: CustomerStatus::Active,
            owner_id: None,
            owner_name: None,
            tags: vec![],
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let patch: CustomerPatch =
            serde_json::from_str(r#"{"email":null,"industry":"Retail"}"#).unwrap();
        let merged = patch.apply(&current).unwrap();
        assert_eq!(merged.name, "Acme");
        assert_eq!(merged.email, None);
        assert_eq!(merged.industry.as_deref(), Some("Retail"));
        assert_eq!(merged.status, CustomerStatus::Active);
        let bad: CustomerPatch = serde_json::from_str(r#"{"name":null,"email":"x"}"#).unwrap();
        let p = bad.apply(&current).unwrap_err();
        assert!(p.field("name").is_some() && p.field("email").is_some());
    }

    #[test]
    fn query_parses_and_reports_every_bad_parameter() {
        let f = CustomerQuery {
            status: Some("active".into()),
            limit: Some("9999".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.status, Some(CustomerStatus::Active));
        assert_eq!(f.limit, 500);
        assert_eq!(f.sort.dir, SortDir::Desc);
        let p = CustomerQuery {
            status: Some("gone".into()),
            owner_id: Some("nope".into()),
            created_from: Some("yesterday".into()),
            sort: Some("password".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(p.errors.len(), 4, "{p}");
    }
}

/// What a bulk action does to the selected customers (`POST /customers/bulk-actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CustomerBulkAction {
    AssignOwner { owner_id: UserId },
    AddTag { tag: String },
    RemoveTag { tag: String },
    SetStatus { status: CustomerStatus },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerBulkRequest {
    pub ids: Vec<CustomerId>,
    #[serde(flatten)]
    pub action: CustomerBulkAction,
}
