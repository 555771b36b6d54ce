//! `/vendors/:id`: the vendor, edit (412 prompt), delete, and the prices it charges per asset (set and remove).

use crate::api::inventory::{
    delete_vendor, get_vendor, remove_vendor_price, set_vendor_price, update_vendor, vendor_assets,
};
use crate::components::delete_record::DeleteRecordButton;
use crate::components::form::{FormAlert, optional, problem_message};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::{
    ConfirmDialog, EmptyState, ErrorState, FormState, Loading, SelectField, TextField, use_toasts,
};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::inventory::asset_form::{
    AssetChoices, changed_fields, load_asset_choices, parse_amount, parse_int,
};
use crate::pages::inventory::vendors::{VENDOR_FIELDS, VendorFields, VendorFormFields};
use crate::pages::record_page::{IdRoute, Loaded};
use crate::pages::service::ticket_detail::{SaveButtons, StaleAlert};
use crate::root::use_session;
use domain::vendor::{Vendor, VendorAsset, VendorAssetInput, VendorInput};
use domain::{Action, AssetId, FieldError, Problem, Resource, VendorId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

const STALE_VENDOR: &str =
    "This vendor was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn VendorDetailPage() -> impl IntoView {
    view! { <IdRoute what="vendor" page=|id| view! { <VendorDetail id=id /> } /> }
}

#[component]
fn VendorDetail(id: VendorId) -> impl IntoView {
    let session = use_session();
    let loaded = Loaded::new(move || get_vendor(id));
    let editing = RwSignal::new(false);
    let reload = loaded.reload;
    let on_saved = Callback::new(move |v: Vendor| {
        editing.set(false);
        loaded.saved(v, "Vendor saved.");
    });
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/vendors">"Vendors"</A></nav>
            {loaded.view(move |v: Vendor| {
                let (vid, name) = (v.id, v.name.clone());
                view! {
                    <header class="page-header">
                        <div><h1>{v.name.clone()}</h1></div>
                        <div class="page-actions">
                            <Show when=move || session.can(Resource::PurchaseOrders, Action::Read)>
                                <A href=format!("/purchase-orders?vendor_id={vid}") attr:class="btn btn-secondary">"Purchase orders"</A>
                            </Show>
                            <Show when=move || session.can(Resource::Vendors, Action::Update) && !editing.get()>
                                <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>"Edit"</button>
                            </Show>
                            <Show when=move || session.can(Resource::Vendors, Action::Delete)>
                                <DeleteRecordButton what="vendor" name=name.clone() back="/vendors" delete=move || delete_vendor(vid) />
                            </Show>
                        </div>
                    </header>
                    {if editing.get() {
                        view! { <EditVendorForm vendor=v on_saved=on_saved on_cancel=move |_| editing.set(false) on_reload=reload /> }.into_any()
                    } else {
                        view! {
                            <VendorFacts vendor=v.clone() />
                            <VendorContacts vendor=v on_saved=on_saved />
                        }.into_any()
                    }}
                }
            })}
            <Show when=move || !loaded.failed()>
                <VendorPrices id=id on_change=move |_| reload.run(()) />
                <RecordHistory entity="vendor" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn VendorFacts(vendor: Vendor) -> impl IntoView {
    let v = vendor;
    let website = v.website.clone().map(|w| {
        view! { <a href=w.clone() rel="external noopener" target="_blank">{w.clone()}</a> }
    });
    let email = v
        .email
        .clone()
        .map(|e| view! { <a href=format!("mailto:{e}")>{e.clone()}</a> });
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div><dt>"Contact person"</dt><dd>{or_dash(v.contact_name.clone())}</dd></div>
                <div><dt>"E-mail"</dt><dd>{or_dash(email)}</dd></div>
                <div><dt>"Phone"</dt><dd>{or_dash(v.phone.clone())}</dd></div>
                <div><dt>"Website"</dt><dd>{or_dash(website)}</dd></div>
                <div><dt>"Lead time"</dt><dd data-testid="lead-time">{format!("{} days", v.lead_time_days)}</dd></div>
                <div><dt>"Assets supplied"</dt><dd>{v.asset_count}</dd></div>
                <div><dt>"Created"</dt><dd><time datetime=iso(v.created_at)>{date_time(v.created_at)}</time></dd></div>
                <div class="span-2"><dt>"Notes"</dt><dd class="pre-wrap">{or_dash((!v.notes.is_empty()).then(|| v.notes.clone()))}</dd></div>
            </dl>
        </section>
    }
}

#[component]
fn EditVendorForm(
    vendor: Vendor,
    #[prop(into)] on_saved: Callback<Vendor>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = VendorFields::new(Some(&vendor));
    let (id, version) = (vendor.id, vendor.version);
    let before = VendorInput::from(&vendor);
    let stored = vendor.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        let patch = changed_fields(&before, &input, &[]);
        if patch.is_empty() {
            return on_saved.run(stored.clone());
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_vendor(id, version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(v) => on_saved.run(v),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &VENDOR_FIELDS);
                    }
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit vendor"</h2>
            <form novalidate on:submit=on_submit>
                <StaleAlert form=form message=STALE_VENDOR on_reload=on_reload />
                <FormAlert form=form />
                <VendorFormFields fields=fields form=form />
                <SaveButtons form=form on_cancel=on_cancel />
            </form>
        </section>
    }
}

#[component]
fn VendorPrices(id: VendorId, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let reload = RwSignal::new(0_u32);
    let prices = LocalResource::new(move || {
        reload.track();
        async move { vendor_assets(id).await }
    });
    let changed = Callback::new(move |()| {
        reload.update(|n| *n += 1);
        on_change.run(());
    });
    let removing = RwSignal::new(None::<VendorAsset>);
    let busy = RwSignal::new(false);
    let on_remove = move |_| {
        let Some(p) = removing.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = remove_vendor_price(id, p.asset_id).await;
            busy.try_set(false);
            removing.try_set(None);
            match result {
                Ok(()) => {
                    toasts.success(format!("Price of {} removed.", p.sku));
                    changed.run(());
                }
                Err(e) => toasts.error(problem_message(e.problem(), &[])),
            }
        });
    };
    let can_write = move || session.can(Resource::Vendors, Action::Update);
    let assets = load_asset_choices();
    let retry = Callback::new(move |()| prices.refetch());
    view! {
        <section class="card" aria-labelledby="prices-title">
            <h2 id="prices-title" class="card-title">"Asset prices"</h2>
            {move || match prices.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <EmptyState title="No prices yet." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table responsive-table" data-testid="vendor-prices">
                            <caption class="sr-only">"Asset prices"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Asset"</th>
                                    <th scope="col" class="num">"Unit price"</th>
                                    <th scope="col">"Vendor SKU"</th>
                                    <th scope="col" class="num">"Lead time"</th>
                                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|p| {
                                    let row = p.clone();
                                    view! {
                                        <tr>
                                            <td data-label="Asset" class="col-primary">
                                                <A href=format!("/assets/{}", p.asset_id)>{p.sku.clone()}</A>
                                                <span class="cell-sub">{format!(" {}", p.asset_name)}</span>
                                            </td>
                                            <td data-label="Unit price" class="num">{format!("{} {}", p.unit_price, p.currency)}</td>
                                            <td data-label="Vendor SKU">{p.vendor_sku.clone().unwrap_or_else(|| "—".into())}</td>
                                            <td data-label="Lead time" class="num">{p.lead_time_days.map_or_else(|| "Vendor's".to_owned(), |d| format!("{d} days"))}</td>
                                            <td class="col-actions">
                                                {can_write().then(|| view! {
                                                    <button type="button" class="btn btn-ghost btn-small" aria-label=format!("Remove price of {}", row.sku)
                                                        on:click=move |_| removing.set(Some(row.clone()))>
                                                        "Remove"
                                                    </button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <Show when=can_write>
                <SetPriceForm id=id assets=assets on_saved=changed />
            </Show>
            {move || removing.get().map(|p| view! {
                <ConfirmDialog
                    title="Remove price"
                    message=format!("Remove this vendor's price for {}?", p.sku)
                    confirm_label="Remove"
                    busy=busy
                    on_confirm=on_remove
                    on_cancel=move |_| removing.set(None)
                />
            })}
        </section>
    }
}

#[component]
fn SetPriceForm(
    id: VendorId,
    assets: AssetChoices,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let form = FormState::new();
    let asset = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_owned());
    let vendor_sku = RwSignal::new(String::new());
    let lead = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let mut errors = Vec::new();
        let asset_id = asset.get_untracked().parse::<AssetId>().ok();
        if asset_id.is_none() {
            errors.push(FieldError::new("asset_id", "is required"));
        }
        let unit_price = parse_amount(&price.get_untracked(), "unit_price", &mut errors);
        if unit_price.is_none() && !errors.iter().any(|e| e.field == "unit_price") {
            errors.push(FieldError::new("unit_price", "is required"));
        }
        let lead_time_days = parse_int(&lead.get_untracked(), "lead_time_days", None, &mut errors);
        let (Some(asset_id), Some(unit_price), true) = (asset_id, unit_price, errors.is_empty())
        else {
            return form.show_invalid(Problem::invalid(errors));
        };
        let input = VendorAssetInput {
            unit_price,
            currency: currency.get_untracked(),
            vendor_sku: optional(vendor_sku.get_untracked()),
            lead_time_days,
        };
        let input = match input.clean() {
            Ok(i) => i,
            Err(p) => return form.show_invalid(p),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = set_vendor_price(id, asset_id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(p) => {
                    toasts.success(format!(
                        "Price of {} set to {} {}.",
                        p.sku, p.unit_price, p.currency
                    ));
                    asset.set(String::new());
                    price.set(String::new());
                    vendor_sku.set(String::new());
                    lead.set(String::new());
                    on_saved.run(());
                }
                Err(e) => {
                    form.show_error(
                        &e,
                        &[
                            "asset_id",
                            "unit_price",
                            "currency",
                            "vendor_sku",
                            "lead_time_days",
                        ],
                    );
                }
            }
        });
    };
    view! {
        <form novalidate class="inline-form" on:submit=on_submit aria-labelledby="set-price-title">
            <h3 id="set-price-title" class="card-subtitle">"Set a price"</h3>
            <FormAlert form=form />
            <div class="form-grid">
                <SelectField label="Asset" value=asset options=assets.options("Choose an asset") required=true error=form.error("asset_id") class="span-2" />
                <TextField label="Unit price" value=price required=true error=form.error("unit_price") placeholder="1500.00" />
                <TextField label="Currency" value=currency error=form.error("currency") />
                <TextField label="Vendor SKU" value=vendor_sku error=form.error("vendor_sku") />
                <TextField label="Lead time (days)" value=lead input_type="number" error=form.error("lead_time_days")
                    hint="Leave empty for the vendor's lead time." />
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>"Set price"</button>
            </div>
        </form>
    }
}

/// The people to talk to at the vendor: listed, added and removed (each change saves the vendor, with its version).
#[component]
fn VendorContacts(vendor: Vendor, #[prop(into)] on_saved: Callback<Vendor>) -> impl IntoView {
    let session = use_session();
    let contacts = vendor.contacts.clone();
    let (id, version) = (vendor.id, vendor.version);
    let (name, role, email, phone) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let save = move |list: Vec<domain::vendor::VendorContact>| {
        busy.set(true);
        spawn_local(async move {
            let mut patch = serde_json::Map::new();
            patch.insert(
                "contacts".into(),
                serde_json::to_value(&list).unwrap_or_default(),
            );
            let result = update_vendor(id, version, patch).await;
            busy.try_set(false);
            match result {
                Ok(v) => on_saved.run(v),
                Err(e) => problem.set(Some(e.problem().clone())),
            }
        });
    };
    let current = contacts.clone();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut list = current.clone();
        list.push(domain::vendor::VendorContact {
            name: name.get_untracked(),
            role: optional(role.get_untracked()),
            email: optional(email.get_untracked()),
            phone: optional(phone.get_untracked()),
        });
        save(list);
    };
    let n = contacts.len();
    let field_error = move |f: &'static str| {
        Signal::derive(move || {
            problem.with(|p| {
                p.as_ref()
                    .and_then(|p| p.field(&format!("contacts[{n}].{f}")).map(str::to_owned))
            })
        })
    };
    let can_edit = move || session.can(Resource::Vendors, Action::Update);
    view! {
        <section class="card" aria-labelledby="vendor-contacts-title">
            <h2 id="vendor-contacts-title" class="card-title">"Contacts"</h2>
            {if contacts.is_empty() {
                view! { <p class="muted">"No contacts yet."</p> }.into_any()
            } else {
                let all = contacts.clone();
                view! {
                    <ul class="contact-list" data-testid="vendor-contacts">
                        {contacts.iter().enumerate().map(|(i, c)| {
                            let all = all.clone();
                            let label = format!("Remove {}", c.name);
                            view! {
                                <li>
                                    <strong>{c.name.clone()}</strong>
                                    {c.role.clone().map(|r| view! { " · " <span>{r}</span> })}
                                    {c.email.clone().map(|e| view! { " · " <a href=format!("mailto:{e}")>{e.clone()}</a> })}
                                    {c.phone.clone().map(|p| view! { " · " <span>{p}</span> })}
                                    <Show when=can_edit>
                                        {
                                            let all = all.clone();
                                            let label = label.clone();
                                            view! {
                                                " "
                                                <button type="button" class="btn btn-link" aria-label=label
                                                    disabled=move || busy.get()
                                                    on:click=move |_| {
                                                        let mut list = all.clone();
                                                        list.remove(i);
                                                        save(list);
                                                    }>"Remove"</button>
                                            }
                                        }
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Show when=can_edit>
                <form class="form-grid" novalidate on:submit=add.clone() aria-label="Add contact">
                    <TextField label="Contact name" value=name required=true error=field_error("name") />
                    <TextField label="Role" value=role error=field_error("role") />
                    <TextField label="Contact e-mail" value=email input_type="email" error=field_error("email") />
                    <TextField label="Contact phone" value=phone input_type="tel" error=field_error("phone") />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-secondary" disabled=move || busy.get()>"Add contact"</button>
                    </div>
                </form>
                {move || problem.get().filter(|p| p.errors.is_empty()).map(|p| view! {
                    <p class="field-error" role="alert">{problem_message(&p, &[])}</p>
                })}
            </Show>
        </section>
    }
}
