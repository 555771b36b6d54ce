//! The "New user" and "Edit user" dialogs (admins only).

use crate::api::users::{create_user, update_user};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::{CheckboxField, FormState, Modal, SelectField, TextField};
use crate::root::use_session;
use domain::user::{MIN_PASSWORD_LEN, NewUser, User, UserPatch};
use domain::{Patch, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

const USER_FIELDS: [&str; 6] = ["email", "name", "password", "role", "team", "is_active"];

pub fn role_options(none_label: &'static str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none_label.to_owned())];
    out.extend(
        Role::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned())),
    );
    out
}

fn password_hint() -> String {
    format!("At least {MIN_PASSWORD_LEN} characters.")
}

#[component]
pub fn NewUserDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<User>,
) -> impl IntoView {
    let form = FormState::new();
    let (email, name, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (role, team) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = NewUser {
            email: email.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
            role: Role::parse(&role.get_untracked()).ok(),
            team: optional(team.get_untracked()),
        };
        let input = match input.clean() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = create_user(input).await;
            form.busy.try_set(false);
            match result {
                Ok(user) => on_saved.run(user),
                Err(e) => form.show_error(&e, &USER_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New user" on_close=on_close>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <div class="form-grid">
                    <TextField
                        label="Email"
                        value=email
                        input_type="email"
                        autocomplete="off"
                        required=true
                        error=form.error("email")
                        class="span-2"
                    />
                    <TextField label="Name" value=name required=true error=form.error("name") class="span-2" />
                    <TextField
                        label="Password"
                        value=password
                        input_type="password"
                        autocomplete="new-password"
                        required=true
                        hint=password_hint()
                        error=form.error("password")
                        class="span-2"
                    />
                    <SelectField
                        label="Role"
                        value=role
                        options=Signal::derive(|| role_options("Choose a role"))
                        required=true
                        error=form.error("role")
                    />
                    <TextField label="Team" value=team error=form.error("team") />
                </div>
                <FormButtons form=form submit_label="Create" on_cancel=on_close />
            </form>
        </Modal>
    }
}

#[component]
pub fn EditUserDialog(
    user: User,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<User>,
) -> impl IntoView {
    let session = use_session();
    let form = FormState::new();
    let name = RwSignal::new(user.name.clone());
    let role = RwSignal::new(user.role.as_str().to_owned());
    let team = RwSignal::new(user.team.clone().unwrap_or_default());
    let active = RwSignal::new(user.is_active);
    let password = RwSignal::new(String::new());
    let is_me = untrack(|| session.user()).is_some_and(|me| me.id == user.id);
    let title = format!("Edit user {}", user.email);
    let user = StoredValue::new(user);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let current = user.get_value();
        let patch = changes(
            &current,
            name.get_untracked(),
            &role.get_untracked(),
            team.get_untracked(),
            active.get_untracked(),
            password.get_untracked(),
        );
        if let Err(problem) = patch.clone().apply(&current) {
            return form.show_invalid(problem);
        }
        if patch == UserPatch::default() {
            on_saved.run(current);
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_user(current.id, current.version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(u) => on_saved.run(u),
                Err(e) => {
                    form.show_error(&e, &USER_FIELDS);
                    if e.problem().status == 412 {
                        form.alert.set(Some(
                            "This user was changed by someone else since you opened it. Close this dialog and open it again to see the changes."
                                .to_owned(),
                        ));
                    }
                }
            }
        });
    };
    view! {
        <Modal title=title on_close=on_close>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <div class="form-grid">
                    <TextField label="Name" value=name required=true error=form.error("name") class="span-2" />
                    <SelectField
                        label="Role"
                        value=role
                        options=Signal::derive(|| role_options("Choose a role").into_iter().skip(1).collect())
                        error=form.error("role")
                    />
                    <TextField label="Team" value=team error=form.error("team") />
                    <div class="span-2">
                        <CheckboxField
                            label="Active"
                            checked=active
                            hint=if is_me {
                                "You cannot deactivate yourself while logged in.".to_owned()
                            } else {
                                "Deactivated users cannot log in.".to_owned()
                            }
                        />
                    </div>
                    <TextField
                        label="Reset password"
                        value=password
                        input_type="password"
                        autocomplete="new-password"
                        hint=format!("Leave blank to keep the current password. {}", password_hint())
                        error=form.error("password")
                        class="span-2"
                    />
                </div>
                <FormButtons form=form submit_label="Save" on_cancel=on_close />
            </form>
        </Modal>
    }
}

/// A patch with only what was changed in the dialog.
fn changes(
    current: &User,
    name: String,
    role: &str,
    team: String,
    active: bool,
    password: String,
) -> UserPatch {
    let name = name.trim().to_owned();
    let team = optional(team);
    UserPatch {
        email: Patch::Missing,
        name: if name == current.name {
            Patch::Missing
        } else {
            Patch::Value(name)
        },
        role: match Role::parse(role) {
            Ok(r) if r != current.role => Patch::Value(r),
            _ => Patch::Missing,
        },
        team: match team {
            t if t == current.team => Patch::Missing,
            Some(t) => Patch::Value(t),
            None => Patch::Null,
        },
        is_active: if active == current.is_active {
            Patch::Missing
        } else {
            Patch::Value(active)
        },
        password: if password.is_empty() {
            Patch::Missing
        } else {
            Patch::Value(password)
        },
    }
}
