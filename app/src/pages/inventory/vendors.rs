//! `/vendors`: search, sortable columns, Load more and "New vendor" in a dialog; the vendor form shared with the
//! vendor's page.

use crate::api::inventory::{create_vendor, list_vendors};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::{
    FormState, Modal, PagedList, PagedStates, SortHeader, TextField, use_toasts,
};
use crate::pages::inventory::asset_form::parse_int;
use crate::root::use_session;
use domain::vendor::{Vendor, VendorInput, VendorQuery};
use domain::{Action, Problem, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn VendorsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Vendors action=Action::Read>
            <VendorList />
        </Allowed>
    }
}

const VENDOR_FILTERS: &[FilterKey] = &[FilterKey::search(), FilterKey::sort("name")];

#[component]
fn VendorList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = ListFilters::<VendorQuery>::new(VENDOR_FILTERS);
    let sort = filters.sort();
    let list = PagedList::new(move |cursor| list_vendors(filters.query(cursor, 50)));
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Vendors, Action::Create);
    on_create_shortcut(creating, can_create);
    let on_created = move |v: Vendor| {
        creating.set(false);
        toasts.success(format!("Vendor {} created.", v.name));
        list.reload();
    };
    view! {
        <section class="page">
            <header class="page-header">
                <div><h1>"Vendors"</h1></div>
                <Show when=can_create>
                    <button type="button" class="btn btn-primary" aria-keyshortcuts="n" title="New vendor (N)" on:click=move |_| creating.set(true)>
                        "New vendor"
                    </button>
                </Show>
            </header>
            <div class="filters" role="search">
                <div class="filters-main">
                    <TextField label="Search" value=filters.search() input_type="search" placeholder="Name, e-mail or contact" class="field-search" />
                </div>
            </div>
            <PagedStates list=list empty_title="No vendors match.">
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="sr-only">"Vendors"</caption>
                        <thead>
                            <tr>
                                <SortHeader label="Name" key="name" sort=sort />
                                <th scope="col">"Contact"</th>
                                <th scope="col">"E-mail"</th>
                                <th scope="col">"Phone"</th>
                                <th scope="col" class="num">"Lead time"</th>
                                <th scope="col" class="num">"Assets"</th>
                                <SortHeader label="Created" key="created_at" sort=sort desc_first=true />
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|v| (v.id, v.version) let:vendor>
                                <VendorRow vendor=vendor />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
            <Show when=move || creating.get()>
                <NewVendorDialog on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

#[component]
fn VendorRow(vendor: Vendor) -> impl IntoView {
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
    view! {
        <tr>
            <td data-label="Name" class="col-primary"><A href=format!("/vendors/{}", vendor.id)>{vendor.name.clone()}</A></td>
            <td data-label="Contact">{dash(&vendor.contact_name)}</td>
            <td data-label="E-mail">{dash(&vendor.email)}</td>
            <td data-label="Phone">{dash(&vendor.phone)}</td>
            <td data-label="Lead time" class="num">{format!("{} days", vendor.lead_time_days)}</td>
            <td data-label="Assets" class="num">{vendor.asset_count}</td>
            <td data-label="Created">{crate::components::format::date(vendor.created_at)}</td>
        </tr>
    }
}

pub const VENDOR_FIELDS: [&str; 7] = [
    "name",
    "email",
    "phone",
    "website",
    "contact_name",
    "lead_time_days",
    "notes",
];

/// The editable fields of a vendor, as text.
#[derive(Clone, Copy)]
pub struct VendorFields {
    pub name: RwSignal<String>,
    pub email: RwSignal<String>,
    pub phone: RwSignal<String>,
    pub website: RwSignal<String>,
    pub contact_name: RwSignal<String>,
    pub lead_time_days: RwSignal<String>,
    pub notes: RwSignal<String>,
}

impl VendorFields {
    pub fn new(v: Option<&Vendor>) -> Self {
        let text =
            |f: fn(&Vendor) -> Option<String>| RwSignal::new(v.and_then(f).unwrap_or_default());
        Self {
            name: text(|v| Some(v.name.clone())),
            email: text(|v| v.email.clone()),
            phone: text(|v| v.phone.clone()),
            website: text(|v| v.website.clone()),
            contact_name: text(|v| v.contact_name.clone()),
            lead_time_days: RwSignal::new(v.map_or(7, |v| v.lead_time_days).to_string()),
            notes: text(|v| Some(v.notes.clone())),
        }
    }

    /// The form as cleaned input, or every bad field.
    pub fn input(&self) -> Result<VendorInput, Problem> {
        let mut errors = Vec::new();
        let lead = parse_int(
            &self.lead_time_days.get_untracked(),
            "lead_time_days",
            Some(7),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(Problem::invalid(errors));
        }
        VendorInput {
            name: self.name.get_untracked(),
            email: optional(self.email.get_untracked()),
            phone: optional(self.phone.get_untracked()),
            website: optional(self.website.get_untracked()),
            contact_name: optional(self.contact_name.get_untracked()),
            // Contacts are edited in their own card on the vendor's page (and never sent by this form).
            contacts: Vec::new(),
            lead_time_days: lead.unwrap_or(7),
            notes: self.notes.get_untracked(),
        }
        .clean()
    }
}

#[component]
pub fn VendorFormFields(fields: VendorFields, form: FormState) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField label="Name" value=fields.name required=true error=form.error("name") class="span-2" />
            <TextField label="Contact person" value=fields.contact_name error=form.error("contact_name") />
            <TextField label="E-mail" value=fields.email input_type="email" error=form.error("email") />
            <TextField label="Phone" value=fields.phone input_type="tel" error=form.error("phone") />
            <TextField label="Website" value=fields.website input_type="url" error=form.error("website") />
            <TextField label="Lead time (days)" value=fields.lead_time_days input_type="number" error=form.error("lead_time_days")
                hint="Days from ordering to delivery." />
            <TextField label="Notes" value=fields.notes error=form.error("notes") class="span-2" />
        </div>
    }
}

#[component]
fn NewVendorDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Vendor>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = VendorFields::new(None);
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
        form.busy.set(true);
        spawn_local(async move {
            let result = create_vendor(input).await;
            form.busy.try_set(false);
            match result {
                Ok(v) => on_created.run(v),
                Err(e) => form.show_error(&e, &VENDOR_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New vendor" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <VendorFormFields fields=fields form=form />
                <FormButtons form=form submit_label="Create vendor" on_cancel=on_close />
            </form>
        </Modal>
    }
}
