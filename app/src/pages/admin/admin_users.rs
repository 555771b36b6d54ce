//! `/admin/users`: the user directory for admins: search, role filter, create, edit, deactivate.

use crate::api::users::list_users;
use crate::components::format::date_time;
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::{PagedList, SelectField, TextField, use_toasts};
use crate::pages::admin::user_form::{EditUserDialog, NewUserDialog, role_options};
use domain::user::{User, UserQuery};
use domain::{Action, Resource};
use leptos::prelude::*;

#[derive(Clone)]
enum Dialog {
    None,
    New,
    Edit(User),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Users action=Action::Create>
            <UserAdmin />
        </Allowed>
    }
}

const USER_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("role"),
    FilterKey::choice("is_active"),
];

#[component]
fn UserAdmin() -> impl IntoView {
    let toasts = use_toasts();
    let filters = ListFilters::<UserQuery>::new(USER_FILTERS);
    let list = PagedList::new(move |cursor| list_users(filters.query(cursor, 50)));
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });
    let dialog = RwSignal::new(Dialog::None);
    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let on_saved = Callback::new(move |u: User| {
        let created = matches!(dialog.get_untracked(), Dialog::New);
        dialog.set(Dialog::None);
        if created {
            toasts.success(format!("User {} created.", u.email));
            list.reload();
        } else {
            toasts.success(format!("User {} saved.", u.email));
            list.rows.update(|rows| {
                if let Some(row) = rows.iter_mut().find(|r| r.id == u.id) {
                    *row = u;
                }
            });
        }
    });
    let active_options = Signal::derive(|| {
        vec![
            (String::new(), "Any status".to_owned()),
            ("true".to_owned(), "Active".to_owned()),
            ("false".to_owned(), "Deactivated".to_owned()),
        ]
    });

    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Users"</h1>
                <button type="button" class="btn btn-primary" on:click=move |_| dialog.set(Dialog::New)>
                    "New user"
                </button>
            </header>
            <div class="filters filters-inline" role="search">
                <TextField label="Search" value=filters.search() input_type="search" placeholder="Name or email" class="field-search" />
                <SelectField label="Role" value=filters.signal("role") options=Signal::derive(|| role_options("Any role")) />
                <SelectField label="Status" value=filters.signal("is_active") options=active_options />
            </div>
            <PagedStates list=list empty_title="No users match.">
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="sr-only">"Users"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Team"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Last login"</th>
                                <th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|u| (u.id, u.version) let:user>
                                <UserRow user=user dialog=dialog />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::New => view! { <NewUserDialog on_close=close on_saved=on_saved /> }.into_any(),
            Dialog::Edit(u) => view! { <EditUserDialog user=u on_close=close on_saved=on_saved /> }.into_any(),
        }}
    }
}

#[component]
fn UserRow(user: User, dialog: RwSignal<Dialog>) -> impl IntoView {
    let label = format!("Edit {}", user.email);
    let for_edit = user.clone();
    view! {
        <tr class:is-muted=!user.is_active>
            <td data-label="Name" class="col-primary">{user.name.clone()}</td>
            <td data-label="Email">{user.email.clone()}</td>
            <td data-label="Role"><span class="badge badge-role">{user.role.label()}</span></td>
            <td data-label="Team">{user.team.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Status">
                {if user.is_active {
                    view! { <span class="badge badge-active">"Active"</span> }
                } else {
                    view! { <span class="badge badge-inactive">"Deactivated"</span> }
                }}
            </td>
            <td data-label="Last login">{user.last_login_at.map(date_time).unwrap_or_else(|| "Never".into())}</td>
            <td class="col-actions">
                <button
                    type="button"
                    class="btn btn-ghost btn-small"
                    aria-label=label
                    on:click=move |_| dialog.set(Dialog::Edit(for_edit.clone()))
                >
                    "Edit"
                </button>
            </td>
        </tr>
    }
}
