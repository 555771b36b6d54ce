//! The asset form shared by "New asset" and the edit card: fields as text, parsed into an `AssetInput` with every
//! unreadable number or date reported on its field; the vendor and asset pickers the inventory pages share.

use crate::api::inventory::{JsonPatch, list_assets, list_vendors};
use crate::components::form::optional;
use crate::components::{FormState, SelectField, TextField};
use crate::pages::service::tickets::word_options;
use domain::asset::{AssetKind, AssetQuery, AssetStatus, Tracking};
use domain::depreciation::DepreciationMethod;
use domain::vendor::VendorQuery;
use domain::{FieldError, Problem};
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

pub const ASSET_FIELDS: [&str; 20] = [
    "sku",
    "name",
    "kind",
    "category",
    "tracking",
    "vendor_id",
    "total_quantity",
    "reorder_point",
    "reorder_quantity",
    "purchase_price",
    "currency",
    "purchase_date",
    "depreciation_method",
    "useful_life_months",
    "salvage_value",
    "lifetime_units",
    "status",
    "location",
    "license_expires_on",
    "notes",
];

pub fn kind_options(none: &str) -> Vec<(String, String)> {
    word_options(AssetKind::ALL, none, |k| (k.as_str(), k.label()))
}

pub fn status_options(none: &str) -> Vec<(String, String)> {
    word_options(AssetStatus::ALL, none, |s| (s.as_str(), s.label()))
}

/// Options of a word set without its "none" entry (a required choice).
fn without_none(options: Vec<(String, String)>) -> Vec<(String, String)> {
    options.into_iter().filter(|(v, _)| !v.is_empty()).collect()
}

fn tracking_options() -> Vec<(String, String)> {
    word_options(Tracking::ALL, "Default (by quantity)", |t| match t {
        Tracking::Quantity => (t.as_str(), "By quantity".to_owned()),
        Tracking::Serial => (t.as_str(), "By serial number".to_owned()),
    })
}

fn method_options() -> Vec<(String, String)> {
    DepreciationMethod::ALL
        .iter()
        .map(|m| (m.as_str().to_owned(), m.label()))
        .collect()
}

/// Text to a whole number; blank is `blank`; anything else is reported on `field`.
pub fn parse_int(
    text: &str,
    field: &str,
    blank: Option<i32>,
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
    match optional(text.to_owned()) {
        None => blank,
        Some(t) => t
            .parse::<i32>()
            .map_err(|_| errors.push(FieldError::new(field, "must be a whole number")))
            .ok(),
    }
}

pub fn parse_amount(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<Decimal> {
    optional(text.to_owned()).and_then(|t| {
        t.parse::<Decimal>()
            .map_err(|_| errors.push(FieldError::new(field, "must be an amount like 1500.00")))
            .ok()
    })
}

pub fn parse_date(
    text: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<chrono::NaiveDate> {
    optional(text.to_owned()).and_then(|t| {
        chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| errors.push(FieldError::new(field, "must be a date")))
            .ok()
    })
}

/// The fields of `after` that differ from `before` (both serialised as JSON objects), leaving out `skip`: the
/// merge patch an edit form sends.
pub fn changed_fields(before: &impl Serialize, after: &impl Serialize, skip: &[&str]) -> JsonPatch {
    let as_map = |v: serde_json::Value| match v {
        serde_json::Value::Object(m) => m,
        _ => JsonPatch::new(),
    };
    let before = as_map(serde_json::to_value(before).unwrap_or_default());
    as_map(serde_json::to_value(after).unwrap_or_default())
        .into_iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && before.get(k) != Some(v))
        .collect()
}

/// The editable fields of an asset, as text.
#[derive(Clone, Copy)]
pub struct AssetFields {
    pub sku: RwSignal<String>,
    pub name: RwSignal<String>,
    pub kind: RwSignal<String>,
    pub category: RwSignal<String>,
    pub tracking: RwSignal<String>,
    pub vendor: RwSignal<String>,
    pub total_quantity: RwSignal<String>,
    pub reorder_point: RwSignal<String>,
    pub reorder_quantity: RwSignal<String>,
    pub purchase_price: RwSignal<String>,
    pub currency: RwSignal<String>,
    pub purchase_date: RwSignal<String>,
    pub method: RwSignal<String>,
    pub useful_life_months: RwSignal<String>,
    pub salvage_value: RwSignal<String>,
    pub lifetime_units: RwSignal<String>,
    pub status: RwSignal<String>,
    pub location: RwSignal<String>,
    pub license_expires_on: RwSignal<String>,
    pub notes: RwSignal<String>,
    /// Editing a stored asset: the opening quantity is not shown (stock changes by adjustment).
    pub editing: bool,
}

impl AssetFields {
    pub fn new(a: Option<&domain::asset::Asset>) -> Self {
        let text = |f: fn(&domain::asset::Asset) -> Option<String>| {
            RwSignal::new(a.and_then(f).unwrap_or_default())
        };
        Self {
            sku: text(|a| Some(a.sku.as_str().to_owned())),
            name: text(|a| Some(a.name.clone())),
            kind: RwSignal::new(
                a.map_or(AssetKind::Hardware, |a| a.kind)
                    .as_str()
                    .to_owned(),
            ),
            category: text(|a| Some(a.category.clone())),
            tracking: text(|a| Some(a.tracking.as_str().to_owned())),
            vendor: text(|a| a.vendor_id.map(|v| v.to_string())),
            total_quantity: RwSignal::new(String::new()),
            reorder_point: text(|a| Some(a.reorder_point.to_string())),
            reorder_quantity: text(|a| Some(a.reorder_quantity.to_string())),
            purchase_price: text(|a| a.purchase_price.map(|p| p.to_string())),
            currency: RwSignal::new(a.map_or_else(|| "USD".to_owned(), |a| a.currency.clone())),
            purchase_date: text(|a| a.purchase_date.map(|d| d.to_string())),
            method: RwSignal::new(
                a.map_or(DepreciationMethod::StraightLine, |a| a.depreciation_method)
                    .as_str()
                    .to_owned(),
            ),
            useful_life_months: text(|a| a.useful_life_months.map(|m| m.to_string())),
            salvage_value: text(|a| a.salvage_value.map(|s| s.to_string())),
            lifetime_units: text(|a| a.lifetime_units.map(|u| u.to_string())),
            status: RwSignal::new(
                a.map_or(AssetStatus::Active, |a| a.status)
                    .as_str()
                    .to_owned(),
            ),
            location: text(|a| Some(a.location.clone())),
            license_expires_on: text(|a| a.license_expires_on.map(|d| d.to_string())),
            notes: text(|a| Some(a.notes.clone())),
            editing: a.is_some(),
        }
    }

    /// Quantity tracking, as chosen or by default (serial numbers are opted into). Reactive.
    pub fn counts_by_quantity(&self) -> bool {
        Tracking::parse(&self.tracking.get()).map_or(true, |t| t == Tracking::Quantity)
    }

    /// The form as input (not yet cleaned); text that is not a number, an amount or a date is reported on its
    /// field.
    pub fn input(&self) -> Result<domain::asset::AssetInput, Problem> {
        let mut errors = Vec::new();
        let get = |s: RwSignal<String>| s.get_untracked();
        let total_quantity = parse_int(
            &get(self.total_quantity),
            "total_quantity",
            Some(0),
            &mut errors,
        );
        let reorder_point = parse_int(
            &get(self.reorder_point),
            "reorder_point",
            Some(0),
            &mut errors,
        );
        let reorder_quantity = parse_int(
            &get(self.reorder_quantity),
            "reorder_quantity",
            Some(0),
            &mut errors,
        );
        let useful_life_months = parse_int(
            &get(self.useful_life_months),
            "useful_life_months",
            None,
            &mut errors,
        );
        let purchase_price = parse_amount(&get(self.purchase_price), "purchase_price", &mut errors);
        let salvage_value = parse_amount(&get(self.salvage_value), "salvage_value", &mut errors);
        let lifetime_units = parse_amount(&get(self.lifetime_units), "lifetime_units", &mut errors);
        let purchase_date = parse_date(&get(self.purchase_date), "purchase_date", &mut errors);
        let license_expires_on = parse_date(
            &get(self.license_expires_on),
            "license_expires_on",
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(Problem::invalid(errors));
        }
        Ok(domain::asset::AssetInput {
            sku: get(self.sku),
            name: get(self.name),
            kind: AssetKind::parse(&get(self.kind)).unwrap_or_default(),
            category: get(self.category),
            tracking: Tracking::parse(&get(self.tracking)).ok(),
            vendor_id: get(self.vendor).parse().ok(),
            total_quantity: total_quantity.unwrap_or(0),
            reorder_point: reorder_point.unwrap_or(0),
            reorder_quantity: reorder_quantity.unwrap_or(0),
            purchase_price,
            currency: get(self.currency),
            purchase_date,
            depreciation_method: DepreciationMethod::parse(&get(self.method)).unwrap_or_default(),
            useful_life_months,
            salvage_value,
            lifetime_units,
            status: AssetStatus::parse(&get(self.status)).unwrap_or_default(),
            location: get(self.location),
            license_expires_on,
            notes: get(self.notes),
        })
    }
}

#[component]
pub fn AssetFormFields(
    fields: AssetFields,
    form: FormState,
    vendors: VendorChoices,
) -> impl IntoView {
    let by_quantity = move || fields.counts_by_quantity();
    let software = move || fields.kind.get() == AssetKind::Software.as_str();
    let by_units = move || fields.method.get() == DepreciationMethod::UnitsOfProduction.as_str();
    let editing = fields.editing;
    view! {
        <fieldset class="form-section">
            <legend>"Catalog"</legend>
            <div class="form-grid">
                <TextField label="SKU" value=fields.sku required=true error=form.error("sku") placeholder="LAP-X1" />
                <TextField label="Name" value=fields.name required=true error=form.error("name") />
                <SelectField label="Kind" value=fields.kind options=Signal::derive(|| without_none(kind_options(""))) error=form.error("kind") />
                <TextField label="Category" value=fields.category error=form.error("category") placeholder="Hardware/Laptops" />
                <SelectField label="Tracking" value=fields.tracking options=Signal::derive(tracking_options) error=form.error("tracking") />
                <SelectField label="Vendor" value=fields.vendor options=vendors.options("No vendor") error=form.error("vendor_id") />
                {editing.then(|| view! {
                    <SelectField label="Status" value=fields.status options=Signal::derive(|| without_none(status_options(""))) error=form.error("status") />
                })}
                <TextField label="Location" value=fields.location error=form.error("location") />
            </div>
        </fieldset>
        <fieldset class="form-section">
            <legend>"Stock"</legend>
            <div class="form-grid">
                <Show when=move || !editing && by_quantity()>
                    <TextField label="Opening quantity" value=fields.total_quantity input_type="number" error=form.error("total_quantity")
                        hint="Units in stock now (recorded as an opening receipt)." />
                </Show>
                <TextField label="Reorder point" value=fields.reorder_point input_type="number" error=form.error("reorder_point")
                    hint="Flag the asset as low at or below this many available." />
                <TextField label="Reorder quantity" value=fields.reorder_quantity input_type="number" error=form.error("reorder_quantity")
                    hint="How many to order (0: enough to reach twice the reorder point)." />
            </div>
            <Show when=move || !editing && !by_quantity()>
                <p class="form-note">"Serial-tracked stock is added by receiving a purchase order (or an adjustment) with serial numbers."</p>
            </Show>
        </fieldset>
        <fieldset class="form-section">
            <legend>"Cost and depreciation"</legend>
            <div class="form-grid">
                <TextField label="Purchase price" value=fields.purchase_price error=form.error("purchase_price") placeholder="1500.00" />
                <TextField label="Currency" value=fields.currency error=form.error("currency") />
                <TextField label="Purchase date" value=fields.purchase_date input_type="date" error=form.error("purchase_date") />
                <SelectField label="Depreciation method" value=fields.method options=Signal::derive(method_options) error=form.error("depreciation_method") />
                <TextField label="Useful life (months)" value=fields.useful_life_months input_type="number" error=form.error("useful_life_months") />
                <TextField label="Salvage value" value=fields.salvage_value error=form.error("salvage_value") placeholder="0.00" />
                <Show when=by_units>
                    <TextField label="Lifetime units" value=fields.lifetime_units error=form.error("lifetime_units") />
                </Show>
                <Show when=software>
                    <TextField label="Licence expires on" value=fields.license_expires_on input_type="date" error=form.error("license_expires_on") />
                </Show>
            </div>
        </fieldset>
        <div class="field" class:has-error=move || form.error("notes").get().is_some()>
            <label for="asset-notes">"Notes"</label>
            <textarea
                id="asset-notes"
                rows="3"
                prop:value=move || fields.notes.get()
                on:input=move |ev| fields.notes.set(event_target_value(&ev))
            ></textarea>
            {move || form.error("notes").get().map(|m| view! { <p class="field-error">{m}</p> })}
        </div>
    }
}

/// `(id, name)` choices loaded once per page; empty until loaded or on error.
#[derive(Clone, Copy)]
pub struct Choices {
    items: LocalResource<Vec<(String, String)>>,
}

impl Choices {
    /// Select options with a first "none" choice labelled `none_label`.
    pub fn options(&self, none_label: &'static str) -> Signal<Vec<(String, String)>> {
        let items = self.items;
        Signal::derive(move || {
            let mut out = vec![(String::new(), none_label.to_owned())];
            out.extend(items.get().unwrap_or_default());
            out
        })
    }
}

pub type VendorChoices = Choices;
pub type AssetChoices = Choices;

/// Every vendor (up to 500, by name).
pub fn load_vendor_choices() -> VendorChoices {
    let items = LocalResource::new(move || async move {
        let query = VendorQuery {
            sort: Some("name".into()),
            limit: Some("500".into()),
            ..Default::default()
        };
        match list_vendors(query).await {
            Ok(page) => page
                .data
                .into_iter()
                .map(|v| (v.id.to_string(), v.name))
                .collect(),
            Err(_) => Vec::new(),
        }
    });
    Choices { items }
}

/// Every asset (up to 500, by SKU) as "SKU — name".
pub fn load_asset_choices() -> AssetChoices {
    let items = LocalResource::new(move || async move {
        let query = AssetQuery {
            sort: Some("sku".into()),
            limit: Some("500".into()),
            ..Default::default()
        };
        match list_assets(query).await {
            Ok(page) => page
                .data
                .into_iter()
                .map(|a| (a.id.to_string(), format!("{} — {}", a.sku.as_str(), a.name)))
                .collect(),
            Err(_) => Vec::new(),
        }
    });
    Choices { items }
}

/// Takes the errors on `field` and its items (`field[i]…`) out of `problem`, as one message
/// ("Serial 2: is listed twice."), so a list field can show them under its one control.
pub fn take_list_errors(problem: &mut Problem, field: &str, item: &str) -> Option<String> {
    let item_prefix = format!("{field}[");
    let (mine, rest): (Vec<FieldError>, Vec<FieldError>) = std::mem::take(&mut problem.errors)
        .into_iter()
        .partition(|e| e.field == field || e.field.starts_with(&item_prefix));
    problem.errors = rest;
    let messages: Vec<String> = mine
        .iter()
        .map(|e| {
            let message = crate::components::form::human_message(&e.message);
            let index = e
                .field
                .strip_prefix(&item_prefix)
                .and_then(|r| r.split(']').next())
                .and_then(|i| i.parse::<usize>().ok());
            match index {
                Some(i) => format!("{item} {}: {message}", i + 1),
                None => message,
            }
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join(" "))
}

/// One text per non-blank line (serial numbers pasted or typed one per line).
pub fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
