//! Contacts: people at a customer.

use crate::ids::{ContactId, CustomerId};
use crate::page::{SortDir, SortSpec};
use crate::patch::Patch;
use crate::problem::{FieldError, Problem};
use crate::query::{QueryParser, parse_uuid};
use crate::validation::{self, clean, clean_email};
use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: ContactId,
    pub customer_id: CustomerId,
    /// The customer's name (read-only).
    pub customer_name: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contact {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}

/// Create input. `customer_id` is required on `POST /contacts` and taken from the path on
/// `POST /customers/{id}/contacts`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactInput {
    #[garde(skip)]
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[garde(length(chars, min = 1, max = 100))]
    #[serde(default)]
    pub first_name: String,
    #[garde(length(chars, max = 100))]
    #[serde(default)]
    pub last_name: String,
    #[garde(email, length(max = 254))]
    #[serde(default)]
    pub email: Option<String>,
    #[garde(custom(validation::phone))]
    #[serde(default)]
    pub phone: Option<String>,
    #[garde(length(chars, min = 1, max = 100))]
    #[serde(default)]
    pub title: Option<String>,
}

impl ContactInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            customer_id: self.customer_id,
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
            email: clean_email(self.email),
            phone: clean(self.phone),
            title: clean(self.title),
        };
        let mut errors = match validation::validate(&cleaned) {
            Ok(()) => Vec::new(),
            Err(p) => p.errors,
        };
        if cleaned.customer_id.is_none() {
            errors.insert(0, FieldError::new("customer_id", "is required"));
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(Problem::invalid(errors))
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub customer_id: Patch<CustomerId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Patch<String>,
}

impl ContactPatch {
    pub fn apply(self, current: &Contact) -> Result<ContactInput, Problem> {
        ContactInput {
            customer_id: self.customer_id.apply_to(Some(current.customer_id)),
            first_name: self
                .first_name
                .apply_to(Some(current.first_name.clone()))
                .unwrap_or_default(),
            last_name: self
                .last_name
                .apply_to(Some(current.last_name.clone()))
                .unwrap_or_default(),
            email: self.email.apply_to(current.email.clone()),
            phone: self.phone.apply_to(current.phone.clone()),
            title: self.title.apply_to(current.title.clone()),
        }
        .clean()
    }
}

crate::sort_keys! {
    pub enum ContactSortKey for Contact {
        LastName = "last_name" => |c| c.last_name,
        FirstName = "first_name" => |c| c.first_name,
        Email = "email" => |c| c.email,
        Phone = "phone" => |c| c.phone,
        Title = "title" => |c| c.title,
        CustomerId = "customer_id" => |c| c.customer_id.0,
        CustomerName = "customer_name" => |c| c.customer_name,
        CreatedAt = "created_at" => |c| c.created_at,
        UpdatedAt = "updated_at" => |c| c.updated_at,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ContactQuery {
    /// Search over first and last name and e-mail.
    pub q: Option<String>,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    /// Exact value, ignoring case.
    pub first_name: Option<String>,
    /// Exact value, ignoring case.
    pub last_name: Option<String>,
    /// Exact value, ignoring case.
    pub phone: Option<String>,
    /// Exact value, ignoring case.
    pub title: Option<String>,
    /// Any scalar field (`last_name`, `first_name`, `email`, `title`, `created_at`, …), `-` for descending.
    /// Default `last_name`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContactFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub email: Option<String>,
    pub sort: SortSpec<ContactSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<crate::page::Cursor>,
}

impl ContactQuery {
    pub fn parse(self) -> Result<ContactFilter, Problem> {
        let mut p = QueryParser::default();
        let sort_text = self
            .sort
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "last_name".to_owned());
        let sort = p.field(
            "sort",
            SortSpec::parse(
                &sort_text,
                ContactSortKey::parse,
                &ContactSortKey::allowed(),
            ),
        );
        let cursor = p.opt("cursor", self.cursor.as_deref(), |c| {
            crate::page::Cursor::decode(c, &sort_text)
        });
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "first_name", self.first_name);
        p.text(&mut fields, "last_name", self.last_name);
        p.text(&mut fields, "phone", self.phone);
        p.text(&mut fields, "title", self.title);
        let filter = ContactFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            customer_id: p
                .opt("customer_id", self.customer_id.as_deref(), parse_uuid)
                .map(CustomerId),
            email: clean_email(self.email),
            sort: sort.unwrap_or(SortSpec {
                field: ContactSortKey::LastName,
                dir: SortDir::Asc,
            }),
            sort_text,
            limit: crate::page::clamp_limit(p.opt(
                "limit",
                self.limit.as_deref(),
                crate::query::parse_i64,
            )),
            cursor,
        };
        p.finish(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_customer_and_first_name_and_checks_email() {
        let p = ContactInput {
            email: Some("bad".into()),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        assert!(p.field("customer_id").is_some());
        assert!(p.field("first_name").is_some());
        assert!(p.field("email").is_some());
        let ok = ContactInput {
            customer_id: Some(CustomerId::new()),
            first_name: " Ada ".into(),
            email: Some("ADA@x.io".into()),
            ..Default::default()
        }
        .clean()
        .unwrap();
        assert_eq!(ok.first_name, "Ada");
        assert_eq!(ok.email.as_deref(), Some("ada@x.io"));
    }
}
