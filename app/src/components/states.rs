//! The states every list and page passes through: loading, empty, failed, not allowed.

use crate::ApiError;
use leptos::prelude::*;

#[component]
pub fn Loading(#[prop(optional, into)] label: Option<String>) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label.unwrap_or_else(|| "Loading…".to_owned())}</span>
        </div>
    }
}

#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <p class="state-title">{title}</p>
            {children.map(|c| c())}
        </div>
    }
}

/// A failed request with what to do next; `on_retry` adds a "Try again" button.
#[component]
pub fn ErrorState(
    error: ApiError,
    #[prop(optional, into)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let problem = error.problem();
    let title = match problem.status {
        403 => "You are not allowed to see this.".to_owned(),
        404 => "Not found.".to_owned(),
        503 => "The server could not be reached.".to_owned(),
        _ => "Something went wrong.".to_owned(),
    };
    let detail = super::form::problem_message(problem, &problem.errors);
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">{title}</p>
            <p class="state-detail">{detail}</p>
            {on_retry
                .map(|retry| {
                    view! {
                        <button type="button" class="btn btn-secondary" on:click=move |_| retry.run(())>
                            "Try again"
                        </button>
                    }
                })}
        </div>
    }
}

/// Shown instead of a page the role may not open.
#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <section class="page">
            <div class="state state-error" role="alert">
                <p class="state-title">"You do not have access to this page."</p>
                <p class="state-detail">"Ask an administrator if you need it."</p>
            </div>
        </section>
    }
}

/// A page the role may open only with `action` on `resource`: its `children`, or [`Forbidden`]. Follows the
/// session, so a change of role shows the right one without a reload.
#[component]
pub fn Allowed(
    resource: domain::Resource,
    action: domain::Action,
    children: ChildrenFn,
) -> impl IntoView {
    let session = crate::root::use_session();
    move || {
        if session.can(resource, action) {
            children().into_any()
        } else {
            view! { <Forbidden /> }.into_any()
        }
    }
}
