//! The assets a project needs (project demand): a card for the project's page with the list, "Add demand" and
//! delete. Demand feeds `/demand` and the reorder suggestions.

use crate::api::inventory::{add_project_demand, delete_project_demand, project_demands};
use crate::components::form::{FormAlert, problem_message};
use crate::components::{
    ConfirmDialog, EmptyState, ErrorState, FormState, Loading, SelectField, TextField, use_toasts,
};
use crate::pages::inventory::asset_form::{load_asset_choices, parse_date, parse_int};
use crate::root::use_session;
use domain::asset::{Demand, DemandInput};
use domain::{Action, Problem, ProjectId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// Shown to roles that may read inventory; managers of the project and the inventory role may change it.
#[component]
pub fn ProjectDemandsCard(project: ProjectId) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let reload = RwSignal::new(0_u32);
    let items = LocalResource::new(move || {
        reload.track();
        async move { project_demands(project).await }
    });
    let can_write = move || {
        session.can(Resource::Projects, Action::Update)
            || session.can(Resource::Assets, Action::Update)
    };
    let removing = RwSignal::new(None::<Demand>);
    let busy = RwSignal::new(false);
    let on_remove = move |_| {
        let Some(d) = removing.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = delete_project_demand(project, d.id).await;
            busy.try_set(false);
            removing.try_set(None);
            match result {
                Ok(()) => {
                    toasts.success("Demand removed.");
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(problem_message(e.problem(), &[])),
            }
        });
    };
    let retry = Callback::new(move |()| items.refetch());
    let added = Callback::new(move |()| {
        toasts.success("Demand added.");
        reload.update(|n| *n += 1);
    });
    view! {
        <Show when=move || session.can(Resource::Assets, Action::Read)>
            <section class="card" aria-labelledby="demand-title">
                <h2 id="demand-title" class="card-title">"Assets needed"</h2>
                {move || match items.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <EmptyState title="No assets planned for this project." /> }.into_any(),
                    Some(Ok(list)) => view! {
                        <div class="table-wrap">
                            <table class="data-table responsive-table" data-testid="project-demands">
                                <caption class="sr-only">"Assets needed"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Asset"</th>
                                        <th scope="col" class="num">"Quantity"</th>
                                        <th scope="col">"Needed by"</th>
                                        <th scope="col">"Note"</th>
                                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|d| {
                                        let row = d.clone();
                                        view! {
                                            <tr>
                                                <td data-label="Asset" class="col-primary">
                                                    <A href=format!("/assets/{}", d.asset_id)>{d.sku.clone()}</A>
                                                    <span class="cell-sub">{format!(" {}", d.asset_name)}</span>
                                                </td>
                                                <td data-label="Quantity" class="num">{d.quantity}</td>
                                                <td data-label="Needed by">{d.needed_by.to_string()}</td>
                                                <td data-label="Note" class="cell-wrap">{d.note.clone()}</td>
                                                <td class="col-actions">
                                                    {can_write().then(|| view! {
                                                        <button type="button" class="btn btn-ghost btn-small" aria-label=format!("Remove demand for {}", row.sku)
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
                    <DemandForm project=project on_added=added />
                </Show>
                {move || removing.get().map(|d| view! {
                    <ConfirmDialog
                        title="Remove demand"
                        message=format!("Remove the demand for {} × {}?", d.quantity, d.sku)
                        confirm_label="Remove"
                        busy=busy
                        on_confirm=on_remove
                        on_cancel=move |_| removing.set(None)
                    />
                })}
            </section>
        </Show>
    }
}

#[component]
fn DemandForm(project: ProjectId, #[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let form = FormState::new();
    let assets = load_asset_choices();
    let asset = RwSignal::new(String::new());
    let quantity = RwSignal::new("1".to_owned());
    let needed_by = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let mut errors = Vec::new();
        let qty = parse_int(&quantity.get_untracked(), "quantity", Some(0), &mut errors);
        let date = parse_date(&needed_by.get_untracked(), "needed_by", &mut errors);
        if !errors.is_empty() {
            return form.show_invalid(Problem::invalid(errors));
        }
        let input = DemandInput {
            asset_id: asset.get_untracked().parse().ok(),
            quantity: qty.unwrap_or(0),
            needed_by: date,
            note: note.get_untracked(),
        };
        if let Err(p) = input.clone().clean() {
            return form.show_invalid(p);
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = add_project_demand(project, input).await;
            form.busy.try_set(false);
            match result {
                Ok(_) => {
                    asset.set(String::new());
                    quantity.set("1".to_owned());
                    note.set(String::new());
                    on_added.run(());
                }
                Err(e) => form.show_error(&e, &["asset_id", "quantity", "needed_by", "note"]),
            }
        });
    };
    view! {
        <form novalidate class="inline-form" on:submit=on_submit aria-labelledby="add-demand-title">
            <h3 id="add-demand-title" class="card-subtitle">"Add demand"</h3>
            <FormAlert form=form />
            <div class="form-grid">
                <SelectField label="Asset" value=asset options=assets.options("Choose an asset") required=true error=form.error("asset_id") class="span-2" />
                <TextField label="Quantity" value=quantity input_type="number" required=true error=form.error("quantity") />
                <TextField label="Needed by" value=needed_by input_type="date" required=true error=form.error("needed_by") />
                <TextField label="Note" value=note error=form.error("note") class="span-2" />
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>"Add demand"</button>
            </div>
        </form>
    }
}
