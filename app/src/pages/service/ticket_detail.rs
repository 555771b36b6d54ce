//! `/tickets/:id`: the ticket, its workflow buttons (only the moves allowed), edit, delete, the comment thread
//! (with internal notes for staff) and its history.

use crate::api::tickets::{
    add_ticket_comment, delete_ticket, get_ticket, list_ticket_comments, update_ticket,
};
use crate::components::form::{FormAlert, problem_message};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::user_choices::UserChoices;
use crate::components::{
    CheckboxField, ConfirmDialog, FormState, PagedList, PagedStates, use_toasts,
};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::record_page::{IdRoute, Loaded, delete_and_leave};
use crate::pages::service::tickets::{
    SlaBadge, TICKET_FIELDS, TicketFields, TicketFormFields, TicketStatusBadge,
};
use crate::root::use_session;
use domain::ticket::{
    Ticket, TicketCommentInput, TicketCommentQuery, TicketPatch, TicketStatus, sees_internal_notes,
};
use domain::{Action, Patch, Resource, TicketId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

pub const STALE_TICKET: &str =
    "This ticket was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn TicketDetailPage() -> impl IntoView {
    view! { <IdRoute what="ticket" page=|id| view! { <TicketDetail id=id /> } /> }
}

#[component]
fn TicketDetail(id: TicketId) -> impl IntoView {
    let loaded = Loaded::new(move || get_ticket(id));
    let editing = RwSignal::new(false);
    let users = UserChoices::load();
    let reload = loaded.reload;
    let on_saved = Callback::new(move |t: Ticket| {
        editing.set(false);
        loaded.saved(t, "Ticket saved.");
    });
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/tickets">"Tickets"</A>
            </nav>
            {loaded.view(move |t: Ticket| view! {
                <TicketHeader ticket=t.clone() editing=editing on_saved=on_saved />
                {if editing.get() {
                    view! {
                        <EditTicketForm ticket=t users=users on_saved=on_saved on_cancel=move |_| editing.set(false) on_reload=reload />
                    }
                        .into_any()
                } else {
                    view! { <TicketFacts ticket=t /> }.into_any()
                }}
            })}
            <Show when=move || !loaded.failed()>
                <TicketComments id=id on_change=move |_| reload.run(()) />
                <RecordHistory entity="ticket" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn TicketHeader(
    ticket: Ticket,
    editing: RwSignal<bool>,
    #[prop(into)] on_saved: Callback<Ticket>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let (id, version, status) = (ticket.id, ticket.version, ticket.status);
    let move_to = move |to: TicketStatus| {
        busy.set(true);
        spawn_local(async move {
            let patch = TicketPatch {
                status: Patch::Value(to),
                ..Default::default()
            };
            let result = update_ticket(id, version, patch).await;
            busy.try_set(false);
            match result {
                Ok(t) => on_saved.run(t),
                Err(e) => {
                    toasts.error(if e.problem().status == 412 {
                        STALE_TICKET.to_owned()
                    } else {
                        problem_message(e.problem(), &e.problem().errors)
                    });
                }
            }
        });
    };
    let on_delete = move |_| {
        let done = ("Ticket deleted.", "/tickets");
        delete_and_leave(
            delete_ticket(id),
            done,
            (busy, confirming),
            toasts,
            navigate.clone(),
        );
    };
    let can_update = move || session.can(Resource::Tickets, Action::Update);
    view! {
        <header class="page-header">
            <div>
                <h1>{format!("#{} {}", ticket.number, ticket.subject)}</h1>
                <p class="page-sub">
                    <TicketStatusBadge status=status />" "<SlaBadge ticket=ticket.clone() />
                </p>
            </div>
            <div class="page-actions">
                <Show when=can_update>
                    {status
                        .next()
                        .iter()
                        .map(|to| {
                            let to = *to;
                            view! {
                                <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=move |_| move_to(to)>
                                    {to.action_label(status)}
                                </button>
                            }
                        })
                        .collect_view()}
                </Show>
                <Show when=move || can_update() && !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>"Edit"</button>
                </Show>
                <Show when=move || session.can(Resource::Tickets, Action::Delete)>
                    <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>"Delete"</button>
                </Show>
            </div>
        </header>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title="Delete ticket"
                message=format!("Delete ticket #{} and its comments? This cannot be undone.", ticket.number)
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

#[component]
fn TicketFacts(ticket: Ticket) -> impl IntoView {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        or_dash(t.map(|t| view! { <time datetime=iso(t)>{date_time(t)}</time> }))
    };
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div>
                    <dt>"Customer"</dt>
                    <dd><A href=format!("/customers/{}", ticket.customer_id)>{ticket.customer_name.clone().unwrap_or_default()}</A></dd>
                </div>
                <div><dt>"Priority"</dt><dd>{ticket.priority.label()}</dd></div>
                <div><dt>"Assignee"</dt><dd>{ticket.assignee_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"SLA due"</dt><dd>{time(Some(ticket.sla_due_at))}</dd></div>
                <div><dt>"First response"</dt><dd>{time(ticket.first_response_at)}</dd></div>
                <div><dt>"Resolved"</dt><dd>{time(ticket.resolved_at)}</dd></div>
                <div><dt>"Closed"</dt><dd>{time(ticket.closed_at)}</dd></div>
                <div><dt>"Created"</dt><dd>{time(Some(ticket.created_at))}</dd></div>
                <div class="span-2"><dt>"Description"</dt><dd class="pre-wrap">{or_dash((!ticket.description.is_empty()).then(|| ticket.description.clone()))}</dd></div>
            </dl>
        </section>
    }
}

/// Every editable field as a patch.
fn full_patch(input: domain::ticket::TicketInput) -> TicketPatch {
    TicketPatch {
        subject: Patch::Value(input.subject),
        description: Patch::Value(input.description),
        priority: Patch::Value(input.priority),
        assignee_id: input.assignee_id.map_or(Patch::Null, Patch::Value),
        ..Default::default()
    }
}

#[component]
fn EditTicketForm(
    ticket: Ticket,
    users: UserChoices,
    #[prop(into)] on_saved: Callback<Ticket>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = TicketFields::new(Some(&ticket));
    let (id, version, customer) = (ticket.id, ticket.version, ticket.customer_id);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input(Some(customer)).clean() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = update_ticket(id, version, full_patch(input)).await;
            form.busy.try_set(false);
            match result {
                Ok(t) => on_saved.run(t),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &TICKET_FIELDS);
                    }
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit ticket"</h2>
            <form novalidate on:submit=on_submit>
                <StaleAlert form=form message=STALE_TICKET on_reload=on_reload />
                <FormAlert form=form />
                <TicketFormFields fields=fields form=form users=users />
                <SaveButtons form=form on_cancel=on_cancel />
            </form>
        </section>
    }
}

/// The "changed by someone else" (412) message with a Reload button.
#[component]
pub fn StaleAlert(
    form: FormState,
    message: &'static str,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || form.status.get() == Some(412)>
            <div class="form-alert form-alert-warning" role="alert">
                <p>{message}</p>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_reload.run(())>"Reload"</button>
            </div>
        </Show>
    }
}

/// Cancel and Save under an inline edit form.
#[component]
pub fn SaveButtons(form: FormState, #[prop(into)] on_cancel: Callback<()>) -> impl IntoView {
    view! {
        <div class="form-buttons">
            <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            <button type="submit" class="btn btn-primary" disabled=move || form.busy.get() aria-busy=move || form.busy.get().then_some("true")>
                "Save"
            </button>
        </div>
    }
}

#[component]
fn TicketComments(id: TicketId, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let session = use_session();
    let list = PagedList::new(move |cursor| {
        list_ticket_comments(
            id,
            TicketCommentQuery {
                cursor,
                limit: Some("100".into()),
            },
        )
    });
    list.reload();
    let can_write = move || session.can(Resource::Tickets, Action::Update);
    let on_added = Callback::new(move |()| {
        list.reload();
        on_change.run(());
    });
    view! {
        <section class="card" aria-labelledby="comments-title">
            <h2 id="comments-title" class="card-title">"Comments"</h2>
            <PagedStates list=list empty_title="No comments yet.">
                <ol class="comment-thread">
                    <For each=move || list.rows.get() key=|c| c.id let:c>
                        <li class="comment" class:is-internal=c.internal>
                            <p class="comment-meta">
                                <strong>{c.author_name.clone().unwrap_or_else(|| "Someone".into())}</strong>" · "
                                <time datetime=iso(c.created_at)>{date_time(c.created_at)}</time>
                                {c.internal.then(|| view! { " " <span class="badge">"Internal note"</span> })}
                            </p>
                            <p class="pre-wrap">{c.body.clone()}</p>
                        </li>
                    </For>
                </ol>
            </PagedStates>
            <Show when=can_write>
                <CommentForm id=id on_added=on_added />
            </Show>
        </section>
    }
}

#[component]
fn CommentForm(id: TicketId, #[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let session = use_session();
    let form = FormState::new();
    let body = RwSignal::new(String::new());
    let internal = RwSignal::new(false);
    let may_note = move || session.role().is_some_and(sees_internal_notes);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match (TicketCommentInput {
            body: body.get_untracked(),
            internal: internal.get_untracked(),
        })
        .clean()
        {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = add_ticket_comment(id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(_) => {
                    body.set(String::new());
                    internal.set(false);
                    on_added.run(());
                }
                Err(e) => form.show_error(&e, &["body"]),
            }
        });
    };
    view! {
        <form novalidate class="comment-form" on:submit=on_submit>
            <FormAlert form=form />
            <div class="field" class:has-error=move || form.error("body").get().is_some()>
                <label for="comment-body">"Add a comment"</label>
                <textarea id="comment-body" rows="3" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {move || form.error("body").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <Show when=may_note>
                <CheckboxField label="Internal note (hidden from sales)" checked=internal />
            </Show>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>"Post comment"</button>
            </div>
        </form>
    }
}
