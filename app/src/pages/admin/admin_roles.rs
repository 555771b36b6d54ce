//! `/admin/roles`: the permission matrix (role × resource × action), straight from the domain crate.

use crate::components::format::humanize;
use crate::components::states::Allowed;
use domain::permissions::allows;
use domain::{Action, Resource, Role};
use leptos::prelude::*;

#[component]
pub fn RolesPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Users action=Action::Create>
            <RoleMatrix />
        </Allowed>
    }
}

fn action_label(a: Action) -> &'static str {
    match a {
        Action::Read => "Read",
        Action::Create => "Create",
        Action::Update => "Update",
        Action::Delete => "Delete",
        Action::Export => "Export",
    }
}

fn action_letter(a: Action) -> &'static str {
    match a {
        Action::Read => "R",
        Action::Create => "C",
        Action::Update => "U",
        Action::Delete => "D",
        Action::Export => "E",
    }
}

#[component]
fn RoleMatrix() -> impl IntoView {
    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Roles"</h1>
                    <p class="page-sub">
                        "What each role may do. Sales users and team managers see only their own or their team\u{2019}s customers, contacts, leads and opportunities."
                    </p>
                </div>
            </header>
            <p class="legend" aria-hidden="true">
                {Action::ALL
                    .iter()
                    .map(|a| view! { <span class="perm-chip">{action_letter(*a)}</span> {action_label(*a)} })
                    .collect_view()}
            </p>
            <div class="table-wrap">
                <table class="data-table matrix">
                    <caption class="sr-only">"Permissions by role and resource"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Resource"</th>
                            {Role::ALL.iter().map(|r| view! { <th scope="col">{r.label()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {Resource::ALL
                            .iter()
                            .map(|res| {
                                view! {
                                    <tr>
                                        <th scope="row">{humanize(res.as_str())}</th>
                                        {Role::ALL.iter().map(|role| view! { <PermissionCell role=*role resource=*res /> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PermissionCell(role: Role, resource: Resource) -> impl IntoView {
    let allowed: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| allows(role, resource, *a))
        .collect();
    let spoken = if allowed.is_empty() {
        "No access".to_owned()
    } else {
        allowed
            .iter()
            .map(|a| action_label(*a))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <td data-role=role.as_str() data-resource=resource.as_str() title=spoken.clone()>
            <span class="sr-only">{spoken.clone()}</span>
            <span aria-hidden="true" class="perm-chips">
                {if allowed.is_empty() {
                    view! { <span class="perm-none">"–"</span> }.into_any()
                } else {
                    allowed
                        .iter()
                        .map(|a| view! { <span class="perm-chip">{action_letter(*a)}</span> })
                        .collect_view()
                        .into_any()
                }}
            </span>
        </td>
    }
}
