//! `/assets/:id`: the asset with its stock numbers, edit (412 prompt), delete, allocate / return / adjust,
//! allocations, the stock ledger, serial units, depreciation, maintenance and history.

use crate::api::inventory::{delete_asset, get_asset, update_asset};
use crate::components::delete_record::DeleteRecordButton;
use crate::components::form::FormAlert;
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::{FormState, use_toasts};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::inventory::asset_activity::{
    DepreciationCard, MaintenanceCard, MovementsCard, UnitsCard,
};
use crate::pages::inventory::asset_form::{
    ASSET_FIELDS, AssetFields, AssetFormFields, VendorChoices, changed_fields, load_vendor_choices,
};
use crate::pages::inventory::asset_stock::{AdjustDialog, AllocateDialog, AllocationsCard};
use crate::pages::inventory::assets::{AssetStatusBadge, StockBadge};
use crate::pages::record_page::{IdRoute, Loaded};
use crate::pages::service::ticket_detail::{SaveButtons, StaleAlert};
use crate::root::use_session;
use domain::asset::{Asset, AssetInput, Tracking};
use domain::{Action, AssetId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

const STALE_ASSET: &str =
    "This asset was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn AssetDetailPage() -> impl IntoView {
    view! { <IdRoute what="asset" page=|id| view! { <AssetDetail id=id /> } /> }
}

#[component]
fn AssetDetail(id: AssetId) -> impl IntoView {
    let session = use_session();
    let loaded = Loaded::new(move || get_asset(id));
    let editing = RwSignal::new(false);
    let vendors = load_vendor_choices();
    let reload = loaded.reload;
    let on_saved = Callback::new(move |a: Asset| {
        editing.set(false);
        loaded.saved(a, "Asset saved.");
    });
    let serial = move || {
        loaded
            .record
            .with(|a| a.as_ref().is_some_and(|a| a.tracking == Tracking::Serial))
    };
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/assets">"Assets"</A></nav>
            {loaded.view(move |a: Asset| view! {
                <AssetHeader asset=a.clone() editing=editing loaded=loaded />
                {if editing.get() {
                    view! { <EditAssetForm asset=a vendors=vendors on_saved=on_saved on_cancel=move |_| editing.set(false) on_reload=reload /> }.into_any()
                } else {
                    view! { <AssetFacts asset=a /> }.into_any()
                }}
            })}
            <Show when=move || !loaded.failed() && loaded.record.with(Option::is_some)>
                <AllocationsCard loaded=loaded />
                <MovementsCard id=id reload_key=loaded.changes />
                <Show when=serial>
                    <UnitsCard id=id reload_key=loaded.changes />
                </Show>
                <DepreciationCard id=id reload_key=loaded.changes />
                <MaintenanceCard id=id can_write=Signal::derive(move || session.can(Resource::Assets, Action::Update)) />
                <RecordHistory entity="asset" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn AssetHeader(asset: Asset, editing: RwSignal<bool>, loaded: Loaded<Asset>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let allocating = RwSignal::new(false);
    let adjusting = RwSignal::new(false);
    let id = asset.id;
    let can_update = move || session.can(Resource::Assets, Action::Update);
    let stock_changed = Callback::new(move |message: String| {
        allocating.set(false);
        adjusting.set(false);
        toasts.success(message);
        loaded.reload.run(());
    });
    let (for_allocate, for_adjust) = (asset.clone(), asset.clone());
    view! {
        <header class="page-header">
            <div>
                <h1>{asset.name.clone()}</h1>
                <p class="page-sub">
                    <span class="sku">{asset.sku.as_str().to_owned()}</span>
                    " "
                    <AssetStatusBadge status=asset.status />
                    " "
                    <StockBadge asset=asset.clone() />
                </p>
            </div>
            <div class="page-actions">
                <Show when=move || can_update() && !editing.get()>
                    <button type="button" class="btn btn-primary" on:click=move |_| allocating.set(true)>"Allocate"</button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| adjusting.set(true)>"Adjust stock"</button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>"Edit"</button>
                </Show>
                <Show when=move || session.can(Resource::Assets, Action::Delete)>
                    <DeleteRecordButton what="asset" name=asset.name.clone() back="/assets" delete=move || delete_asset(id) />
                </Show>
            </div>
        </header>
        <Show when=move || allocating.get()>
            <AllocateDialog asset=for_allocate.clone() on_close=move |_| allocating.set(false) on_done=stock_changed />
        </Show>
        <Show when=move || adjusting.get()>
            <AdjustDialog asset=for_adjust.clone() on_close=move |_| adjusting.set(false) on_done=stock_changed />
        </Show>
    }
}

#[component]
fn AssetFacts(asset: Asset) -> impl IntoView {
    let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let money = |m: Option<rust_decimal::Decimal>| m.map(|m| format!("{m} {}", asset.currency));
    let vendor = asset.vendor_id.map(|v| {
        let name = asset.vendor_name.clone().unwrap_or_default();
        view! { <A href=format!("/vendors/{v}")>{name}</A> }
    });
    view! {
        <section class="card" aria-labelledby="stock-title">
            <h2 id="stock-title" class="card-title">"Stock"</h2>
            <dl class="facts stock-facts">
                <div><dt>"Available"</dt><dd class="stock-number" data-testid="available-quantity">{asset.available_quantity}</dd></div>
                <div><dt>"Allocated"</dt><dd class="stock-number" data-testid="allocated-quantity">{asset.allocated_quantity}</dd></div>
                <div><dt>"Total owned"</dt><dd class="stock-number" data-testid="total-quantity">{asset.total_quantity}</dd></div>
                <div>
                    <dt>"Reorder point"</dt>
                    <dd>
                        {asset.reorder_point}
                        {asset.below_reorder_point.then(|| view! { " " <span class="badge badge-danger">"Below reorder point"</span> })}
                    </dd>
                </div>
                <div><dt>"Reorder quantity"</dt><dd>{asset.reorder_quantity}</dd></div>
                <div><dt>"Tracking"</dt><dd>{asset.tracking.label()}</dd></div>
            </dl>
        </section>
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div><dt>"SKU"</dt><dd>{asset.sku.as_str().to_owned()}</dd></div>
                <div><dt>"Kind"</dt><dd>{asset.kind.label()}</dd></div>
                <div><dt>"Category"</dt><dd>{or_dash((!asset.category.is_empty()).then(|| asset.category.clone()))}</dd></div>
                <div><dt>"Vendor"</dt><dd>{or_dash(vendor)}</dd></div>
                <div><dt>"Location"</dt><dd>{or_dash((!asset.location.is_empty()).then(|| asset.location.clone()))}</dd></div>
                <div><dt>"Purchase price"</dt><dd>{or_dash(money(asset.purchase_price))}</dd></div>
                <div><dt>"Purchase date"</dt><dd>{date(asset.purchase_date)}</dd></div>
                <div><dt>"Depreciation"</dt><dd>{asset.depreciation_method.label()}</dd></div>
                <div><dt>"Useful life"</dt><dd>{or_dash(asset.useful_life_months.map(|m| format!("{m} months")))}</dd></div>
                <div><dt>"Salvage value"</dt><dd>{or_dash(money(asset.salvage_value))}</dd></div>
                {asset.lifetime_units.map(|u| view! { <div><dt>"Lifetime units"</dt><dd>{u.to_string()}</dd></div> })}
                {asset.license_expires_on.map(|d| view! { <div><dt>"Licence expires"</dt><dd>{d.to_string()}</dd></div> })}
                <div><dt>"Created"</dt><dd><time datetime=iso(asset.created_at)>{date_time(asset.created_at)}</time></dd></div>
                <div class="span-2"><dt>"Notes"</dt><dd class="pre-wrap">{or_dash((!asset.notes.is_empty()).then(|| asset.notes.clone()))}</dd></div>
            </dl>
        </section>
    }
}

#[component]
fn EditAssetForm(
    asset: Asset,
    vendors: VendorChoices,
    #[prop(into)] on_saved: Callback<Asset>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let form = FormState::new();
    let fields = AssetFields::new(Some(&asset));
    let (id, version) = (asset.id, asset.version);
    let before = AssetInput::from(&asset);
    let stored = asset.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input().and_then(|i| i.clean()) {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        // Quantities are not part of an edit (stock changes by adjustment).
        let patch = changed_fields(&before, &input, &["total_quantity"]);
        if patch.is_empty() {
            toasts.success("Nothing changed.");
            return on_saved.run(stored.clone());
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_asset(id, version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(a) => on_saved.run(a),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &ASSET_FIELDS);
                    }
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit asset"</h2>
            <form novalidate on:submit=on_submit>
                <StaleAlert form=form message=STALE_ASSET on_reload=on_reload />
                <FormAlert form=form />
                <AssetFormFields fields=fields form=form vendors=vendors />
                <SaveButtons form=form on_cancel=on_cancel />
            </form>
        </section>
    }
}
