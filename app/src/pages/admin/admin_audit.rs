//! `/admin/audit`: the audit trail with filters, expandable change sets and a CSV download.

use crate::api::audit::list_audit;
use crate::components::format::{action_verb, changes, date_time, humanize, iso, query_string};
use crate::components::history::ChangeList;
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::user_choices::UserChoices;
use crate::components::{PagedList, SelectField, TextField};
use domain::audit::{AuditEntry, AuditQuery};
use domain::{Action, Resource};
use leptos::prelude::*;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::AuditLogs action=Action::Read>
            <AuditLog />
        </Allowed>
    }
}

/// The text filters (entity, entity ID) apply when the field is left (change), not on every key, so they are
/// set from the page's own text boxes.
const AUDIT_FILTERS: &[FilterKey] = &[
    FilterKey::choice("entity"),
    FilterKey::choice("entity_id"),
    FilterKey::choice("actor_id"),
    FilterKey::choice("from"),
    FilterKey::choice("to"),
];

type AuditFilters = ListFilters<AuditQuery>;

/// The CSV or PDF export of the same filters (served by the REST API; the session cookie authenticates it).
fn export_href(filters: AuditFilters, format: &str) -> String {
    let q = filters.query(None, 50);
    format!(
        "/api/v1/audit-logs{}",
        query_string(&[
            ("format", Some(format.to_owned())),
            ("entity", q.entity),
            ("entity_id", q.entity_id),
            ("actor_id", q.actor_id),
            ("from", q.from),
            ("to", q.to),
        ])
    )
}

/// Suggestions for the entity filter (singular snake_case, as the audit trail records them).
const ENTITIES: [&str; 9] = [
    "customer",
    "contact",
    "user",
    "session",
    "lead",
    "opportunity",
    "ticket",
    "asset",
    "purchase_order",
];

#[component]
fn AuditLog() -> impl IntoView {
    let users = UserChoices::load();
    let filters = AuditFilters::new(AUDIT_FILTERS);
    // Typed text is copied into the filters on change (blur or Enter).
    let (entity_text, id_text) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let list = PagedList::new(move |cursor| list_audit(filters.query(cursor, 50)));
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });

    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Audit log"</h1>
                <div class="page-actions">
                    <a class="btn btn-secondary" href=move || export_href(filters, "csv") rel="external" download="audit-log.csv">
                        "Download CSV"
                    </a>
                    <a class="btn btn-secondary" href=move || export_href(filters, "pdf") rel="external" download="audit-log.pdf">
                        "Download PDF"
                    </a>
                </div>
            </header>
            <form class="filters filters-inline" role="search" on:submit=|ev| ev.prevent_default()>
                <div on:change=move |_| filters.signal("entity").set(entity_text.get_untracked().trim().to_lowercase())>
                    <TextField label="Entity" value=entity_text placeholder="customer" list="audit-entities" />
                    <datalist id="audit-entities">
                        {ENTITIES.iter().map(|e| view! { <option value=*e></option> }).collect_view()}
                    </datalist>
                </div>
                <div on:change=move |_| filters.signal("entity_id").set(id_text.get_untracked().trim().to_owned())>
                    <TextField label="Entity ID" value=id_text placeholder="UUID" />
                </div>
                <SelectField label="Actor" value=filters.signal("actor_id") options=users.options("Anyone") />
                <TextField label="From" value=filters.signal("from") input_type="date" />
                <TextField label="To" value=filters.signal("to") input_type="date" />
            </form>
            <PagedStates list=list empty_title="No audit entries match these filters.">
                <div class="table-wrap">
                    <table class="data-table audit-table">
                        <caption class="sr-only">"Audit entries, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Time"</th>
                                <th scope="col">"Actor"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"Entity"</th>
                                <th scope="col">"Changes"</th>
                            </tr>
                        </thead>
                        <For each=move || list.rows.get() key=|e| e.id let:entry>
                            <AuditRow entry=entry />
                        </For>
                    </table>
                </div>
            </PagedStates>
        </section>
    }
}

/// One entry; its change set opens below it. Each entry is its own `<tbody>` so the pair stays together.
#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let open = RwSignal::new(false);
    let rows = changes(&entry.changes);
    let count = rows.len();
    let details_id = format!("audit-{}", entry.id.0);
    let entity = match entry.entity_id {
        Some(id) => format!("{} {}", humanize(&entry.entity), id),
        None => humanize(&entry.entity),
    };
    let meta = [
        entry.request_id.clone().map(|r| format!("Request {r}")),
        entry.ip.clone().map(|ip| format!("IP {ip}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <tbody class="audit-entry">
            <tr>
                <td data-label="Time"><time datetime=iso(entry.at)>{date_time(entry.at)}</time></td>
                <td data-label="Actor">{entry.actor_email.clone().unwrap_or_else(|| "System".into())}</td>
                <td data-label="Action">
                    <span title=entry.action.clone()>{action_verb(&entry.action)}</span>
                    <code class="cell-sub">{entry.action.clone()}</code>
                </td>
                <td data-label="Entity" class="cell-wrap">{entity}</td>
                <td data-label="Changes">
                    <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        aria-expanded=move || open.get().to_string()
                        aria-controls=details_id.clone()
                        on:click=move |_| open.update(|o| *o = !*o)
                    >
                        {move || match (open.get(), count) {
                            (true, _) => "Hide changes".to_owned(),
                            (false, 1) => "Show 1 change".to_owned(),
                            (false, n) => format!("Show {n} changes"),
                        }}
                    </button>
                </td>
            </tr>
            <tr id=details_id class="audit-details" hidden=move || !open.get()>
                <td colspan="5">
                    {if count == 0 { Some(view! { <p class="muted">"No field changes recorded."</p> }) } else { None }}
                    <ChangeList rows=rows />
                    {(!meta.is_empty()).then(|| view! { <p class="muted">{meta}</p> })}
                </td>
            </tr>
        </tbody>
    }
}
