//! Log in with e-mail and password (session cookie).

use crate::api::auth::login;
use crate::components::TextField;
use crate::root::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Where to go after logging in: the page that sent us here, if it is one of ours.
fn next_path(raw: Option<String>) -> String {
    raw.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/login"))
        .unwrap_or_else(|| "/customers".to_owned())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // Already signed in (e.g. the back button): go on.
    let nav = navigate.clone();
    Effect::new(move |_| {
        if session.is_signed_in() {
            nav(
                &next_path(query.get_untracked().get("next")),
                Default::default(),
            );
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (e, p) = (email.get_untracked(), password.get_untracked());
        email_error.set(
            e.trim()
                .is_empty()
                .then(|| "Enter your email address.".to_owned()),
        );
        password_error.set(p.is_empty().then(|| "Enter your password.".to_owned()));
        if e.trim().is_empty() || p.is_empty() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = login(e.trim().to_owned(), p).await;
            busy.set(false);
            match result {
                Ok(user) => {
                    password.set(String::new());
                    session.signed_in(user);
                    navigate(
                        &next_path(query.get_untracked().get("next")),
                        Default::default(),
                    );
                }
                Err(err) => {
                    let problem = err.problem();
                    let message = match problem.status {
                        401 => "The email or password is wrong.".to_owned(),
                        429 => match problem.retry_after {
                            Some(s) => format!("Too many attempts. Try again in {s} seconds."),
                            None => "Too many attempts. Try again in a minute.".to_owned(),
                        },
                        _ => crate::components::form::problem_message(problem, &[]),
                    };
                    email_error.set(
                        err.field("email")
                            .map(|m| crate::components::form::human_message(&m)),
                    );
                    password_error.set(Some(message));
                }
            }
        });
    };

    view! {
        <section class="auth-page">
            <form class="auth-card" novalidate on:submit=on_submit aria-labelledby="login-title">
                <div class="auth-brand">
                    <img src="/favicon.svg" alt="" width="32" height="32" />
                    <span>"CRM-IMS"</span>
                </div>
                <h1 id="login-title">"Log in"</h1>
                <TextField
                    label="Email"
                    value=email
                    input_type="email"
                    autocomplete="username"
                    required=true
                    error=email_error
                />
                <TextField
                    label="Password"
                    value=password
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    error=password_error
                    announce=true
                />
                <button
                    type="submit"
                    class="btn btn-primary btn-block"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().then_some("true")
                >
                    {move || if busy.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </section>
    }
}
