//! `/assets`: search, filters (kind, category, vendor, below reorder point) and sortable columns, kept in the
//! URL; stock badges, Load more, and "New asset" (shortcut N) in a dialog.

use crate::api::inventory::{create_asset, list_assets};
use crate::components::form::{FormAlert, FormButtons};
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::{
    CheckboxField, FormState, Modal, PagedList, PagedStates, SelectField, SortHeader, TextField,
    use_toasts,
};
use crate::pages::inventory::asset_form::{
    ASSET_FIELDS, AssetFields, AssetFormFields, VendorChoices, kind_options, load_vendor_choices,
};
use crate::root::use_session;
use domain::asset::{Asset, AssetQuery, AssetStatus};
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn AssetsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Assets action=Action::Read>
            <AssetList />
        </Allowed>
    }
}

/// URL names as the query's: `?q=laptop&kind=hardware&vendor_id=…&below_reorder_point=true&sort=name`.
const ASSET_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("kind"),
    FilterKey::text("category"),
    FilterKey::choice("vendor_id"),
    FilterKey::flag("below_reorder_point"),
    FilterKey::sort("sku"),
];

#[component]
fn AssetList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = ListFilters::<AssetQuery>::new(ASSET_FILTERS);
    filters.sync_with_url();
    let vendors = load_vendor_choices();
    let list = PagedList::new(move |cursor| list_assets(filters.query(cursor, 50)));
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Assets, Action::Create);

    // Any filter or sort change starts again from the first page.
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });

    on_create_shortcut(creating, can_create);

    let on_created = move |a: Asset| {
        creating.set(false);
        toasts.success(format!("Asset {} created.", a.sku.as_str()));
        list.reload();
    };

    view! {
        <section class="page">
            <header class="page-header">
                <div><h1>"Assets"</h1></div>
                <div class="page-actions">
                    <A href="/purchase-orders/suggested" attr:class="btn btn-secondary">"Reorder suggestions"</A>
                    <Show when=can_create>
                        <button
                            type="button"
                            class="btn btn-primary"
                            aria-keyshortcuts="n"
                            title="New asset (N)"
                            on:click=move |_| creating.set(true)
                        >
                            "New asset"
                        </button>
                    </Show>
                </div>
            </header>
            <div class="filters" role="search">
                <div class="filters-main">
                    <TextField label="Search" value=filters.search() input_type="search" placeholder="SKU, name, category or location" class="field-search" />
                </div>
                <div class="filters-more is-open">
                    <SelectField label="Kind" value=filters.signal("kind") options=Signal::derive(|| kind_options("Any kind")) />
                    <TextField label="Category" value=filters.signal("category") placeholder="Hardware/Laptops" />
                    <SelectField label="Vendor" value=filters.signal("vendor_id") options=vendors.options("Any vendor") />
                    <CheckboxField label="Below reorder point" checked=filters.flag("below_reorder_point") />
                </div>
            </div>
            <PagedStates list=list empty_title="No assets match.">
                <AssetTable list=list sort=filters.sort() />
            </PagedStates>
            <Show when=move || creating.get()>
                <NewAssetDialog vendors=vendors on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

#[component]
fn AssetTable(list: PagedList<Asset>, sort: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table responsive-table">
                <caption class="sr-only">"Assets"</caption>
                <thead>
                    <tr>
                        <SortHeader label="SKU" key="sku" sort=sort />
                        <SortHeader label="Name" key="name" sort=sort />
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Vendor"</th>
                        <SortHeader label="Stock" key="available_quantity" sort=sort />
                        <th scope="col">"Status"</th>
                        <SortHeader label="Created" key="created_at" sort=sort desc_first=true />
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.rows.get() key=|a| (a.id, a.version) let:asset>
                        <AssetRow asset=asset />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// "7 / 10 available" with a "Low" badge at or below the reorder point.
#[component]
pub fn StockBadge(asset: Asset) -> impl IntoView {
    let class = if asset.available_quantity == 0 {
        "badge badge-danger"
    } else if asset.below_reorder_point {
        "badge badge-warning"
    } else {
        "badge badge-active"
    };
    view! {
        <span class="stock-cell">
            <span class=class title="Available / total">
                {format!("{} / {}", asset.available_quantity, asset.total_quantity)}
            </span>
            {asset.below_reorder_point.then(|| view! {
                " "
                <span class="badge badge-danger badge-low" title=format!("Reorder point {}", asset.reorder_point)>"Low"</span>
            })}
        </span>
    }
}

#[component]
pub fn AssetStatusBadge(status: AssetStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-asset-{}", status.as_str())>{status.label()}</span> }
}

#[component]
fn AssetRow(asset: Asset) -> impl IntoView {
    let (id, sku) = (asset.id, asset.sku.as_str().to_owned());
    view! {
        <tr>
            <td data-label="SKU" class="col-primary">
                <A href=format!("/assets/{id}")>{sku}</A>
            </td>
            <td data-label="Name">{asset.name.clone()}</td>
            <td data-label="Kind">{asset.kind.label()}</td>
            <td data-label="Category">{asset.category.clone()}</td>
            <td data-label="Vendor">{asset.vendor_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Stock"><StockBadge asset=asset.clone() /></td>
            <td data-label="Status"><AssetStatusBadge status=asset.status /></td>
            <td data-label="Created">{crate::components::format::date(asset.created_at)}</td>
        </tr>
    }
}

#[component]
fn NewAssetDialog(
    vendors: VendorChoices,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Asset>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = AssetFields::new(None);
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
        form.busy.set(true);
        spawn_local(async move {
            let result = create_asset(input).await;
            form.busy.try_set(false);
            match result {
                Ok(a) => on_created.run(a),
                Err(e) => form.show_error(&e, &ASSET_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New asset" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <AssetFormFields fields=fields form=form vendors=vendors />
                <FormButtons form=form submit_label="Create asset" on_cancel=on_close />
            </form>
        </Modal>
    }
}
