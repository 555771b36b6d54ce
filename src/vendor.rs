//! Vendors: who supplies assets, how fast (lead time) and at what price per asset.

use crate::ids::{AssetId, VendorId};
use crate::money;
use crate::page::{SortDir, SortSpec};
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64};
use crate::validation;
use chrono::{DateTime, Utc};
use garde::Validate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vendor {
    pub id: VendorId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// The person to talk to at the vendor.
    pub contact_name: Option<String>,
    /// Everyone to talk to at the vendor (at most 20).
    pub contacts: Vec<VendorContact>,
    /// Days from ordering to delivery.
    pub lead_time_days: i32,
    pub notes: String,
    /// Assets this vendor supplies (read-only; set with `PUT /vendors/{id}/assets/{asset_id}`).
    pub asset_count: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(inner(email, length(max = 254)))]
    #[serde(default)]
    pub email: Option<String>,
    #[garde(custom(validation::phone))]
    #[serde(default)]
    pub phone: Option<String>,
    #[garde(inner(url, length(max = 500)))]
    #[serde(default)]
    pub website: Option<String>,
    #[garde(inner(length(chars, max = 200)))]
    #[serde(default)]
    pub contact_name: Option<String>,
    #[garde(length(max = 20), dive)]
    #[serde(default)]
    pub contacts: Vec<VendorContact>,
    #[garde(range(min = 0, max = 365))]
    #[serde(default = "default_lead_time")]
    pub lead_time_days: i32,
    #[garde(length(chars, max = 10000))]
    #[serde(default)]
    pub notes: String,
}

/// A person at a vendor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorContact {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    /// What they do for us (sales, support, accounts).
    #[garde(inner(length(chars, max = 100)))]
    #[serde(default)]
    pub role: Option<String>,
    #[garde(inner(email, length(max = 254)))]
    #[serde(default)]
    pub email: Option<String>,
    #[garde(custom(validation::phone))]
    #[serde(default)]
    pub phone: Option<String>,
}

impl VendorContact {
    fn cleaned(self) -> Self {
        Self {
            name: self.name.trim().to_owned(),
            role: validation::clean(self.role),
            email: validation::clean_email(self.email),
            phone: validation::clean(self.phone),
        }
    }
}

fn default_lead_time() -> i32 {
    7
}

impl VendorInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            name: self.name.trim().to_owned(),
            email: validation::clean_email(self.email),
            phone: validation::clean(self.phone),
            website: validation::clean_url(self.website),
            contact_name: validation::clean(self.contact_name),
            contacts: self
                .contacts
                .into_iter()
                .map(VendorContact::cleaned)
                .collect(),
            notes: self.notes.trim().to_owned(),
            ..self
        };
        validation::validate(&cleaned)?;
        Ok(cleaned)
    }
}

impl From<&Vendor> for VendorInput {
    fn from(v: &Vendor) -> Self {
        Self {
            name: v.name.clone(),
            email: v.email.clone(),
            phone: v.phone.clone(),
            website: v.website.clone(),
            contact_name: v.contact_name.clone(),
            contacts: v.contacts.clone(),
            lead_time_days: v.lead_time_days,
            notes: v.notes.clone(),
        }
    }
}

crate::sort_keys! {
    pub enum VendorSortKey for Vendor {
        Name = "name" => |v| v.name,
        Email = "email" => |v| v.email,
        Phone = "phone" => |v| v.phone,
        Website = "website" => |v| v.website,
        LeadTimeDays = "lead_time_days" => |v| v.lead_time_days,
        CreatedAt = "created_at" => |v| v.created_at,
        UpdatedAt = "updated_at" => |v| v.updated_at,
    }
}

/// `GET /vendors`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct VendorQuery {
    /// Words of name, e-mail and contact.
    pub q: Option<String>,
    /// Exact value, ignoring case.
    pub name: Option<String>,
    /// Exact e-mail address, ignoring case.
    pub email: Option<String>,
    /// Exact value, ignoring case.
    pub phone: Option<String>,
    /// Exact whole number.
    pub lead_time_days: Option<String>,
    /// Any of the vendor's scalar fields (`name`, `email`, `lead_time_days`, `created_at`, …), `-` for
    /// descending. Default `name`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

pub struct VendorFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub order: ListOrder<VendorSortKey>,
    pub limit: i64,
}

impl VendorQuery {
    pub fn parse(self) -> Result<VendorFilter, Problem> {
        let mut p = QueryParser::default();
        let order = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "name",
                SortSpec {
                    field: VendorSortKey::Name,
                    dir: SortDir::Asc,
                },
            ),
            VendorSortKey::parse,
            &VendorSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "name", self.name);
        p.email(&mut fields, "email", self.email);
        p.text(&mut fields, "phone", self.phone);
        p.int(
            &mut fields,
            "lead_time_days",
            self.lead_time_days.as_deref(),
        );
        let filter = VendorFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            order,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
        };
        p.finish(filter)
    }
}

/// An asset a vendor supplies, at its price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorAsset {
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub asset_id: AssetId,
    pub sku: String,
    pub asset_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_price: Decimal,
    pub currency: String,
    /// The vendor's own article number.
    pub vendor_sku: Option<String>,
    /// Overrides the vendor's lead time for this asset.
    pub lead_time_days: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorAssetInput {
    #[garde(custom(money::amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_price: Decimal,
    #[garde(custom(money::currency))]
    #[serde(default)]
    pub currency: String,
    #[garde(inner(length(chars, max = 100)))]
    #[serde(default)]
    pub vendor_sku: Option<String>,
    #[garde(inner(range(min = 0, max = 365)))]
    #[serde(default)]
    pub lead_time_days: Option<i32>,
}

impl VendorAssetInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            currency: money::clean_currency(Some(self.currency)),
            vendor_sku: validation::clean(self.vendor_sku),
            ..self
        };
        let errors: Vec<FieldError> = validation::field_errors(&cleaned);
        validation::finish(cleaned, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_input_is_cleaned_and_checked() {
        let v = VendorInput {
            name: " Dell ".into(),
            email: Some(" SALES@DELL.EXAMPLE ".into()),
            website: Some("dell.example".into()),
            lead_time_days: 10,
            ..Default::default()
        }
        .clean()
        .unwrap();
        assert_eq!(v.name, "Dell");
        assert_eq!(v.email.as_deref(), Some("sales@dell.example"));
        let bad = VendorInput {
            name: "".into(),
            email: Some("nope".into()),
            lead_time_days: 400,
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        assert_eq!(bad.errors.len(), 3);
        let contacts = VendorInput {
            name: "V".into(),
            contacts: vec![
                VendorContact {
                    name: " Ann ".into(),
                    email: Some("ANN@V.EXAMPLE".into()),
                    ..Default::default()
                },
                VendorContact {
                    name: "".into(),
                    email: Some("nope".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let fields: Vec<String> = contacts
            .clone()
            .clean()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["contacts[1].email", "contacts[1].name"]);
        let mut ok = contacts;
        ok.contacts.pop();
        let ok = ok.clean().unwrap();
        assert_eq!(ok.contacts[0].name, "Ann");
        assert_eq!(ok.contacts[0].email.as_deref(), Some("ann@v.example"));
        let d: VendorInput = serde_json::from_str(r#"{"name":"X"}"#).unwrap();
        assert_eq!(d.lead_time_days, 7);
    }

    #[test]
    fn vendor_asset_price_is_money() {
        let bad = VendorAssetInput {
            unit_price: Decimal::new(-1, 0),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        assert_eq!(bad.errors[0].field, "unit_price");
    }
}
