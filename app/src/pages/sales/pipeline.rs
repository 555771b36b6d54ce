//! `/pipeline`: the kanban board, a column per stage. Cards move by drag and drop or with their "Move to…"
//! menu; the move shows at once and is rolled back (with a message) when the server refuses it.

use crate::ApiError;
use crate::api::opportunities::list_opportunities;
use crate::components::states::Allowed;
use crate::components::user_choices::UserChoices;
use crate::components::{ErrorState, Loading, use_toasts};
use crate::pages::sales::opportunity_filters::{
    BOARD_FILTERS, OpportunityFilters, OpportunityFiltersBar, TABLE_FILTERS,
};
use crate::pages::sales::opportunity_move::{
    LostReasonDialog, MoveMenu, PendingMove, money, move_stage, refusal,
};
use crate::root::use_session;
use domain::opportunity::{Opportunity, Stage};
use domain::{Action, OpportunityId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Cards loaded per column.
const PER_COLUMN: u32 = 200;

#[component]
pub fn PipelinePage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Opportunities action=Action::Read>
            <Board />
        </Allowed>
    }
}

/// The board's state: every loaded card, which columns have more, and the drag in progress.
#[derive(Clone, Copy)]
struct BoardState {
    cards: RwSignal<Vec<Opportunity>>,
    more: RwSignal<Vec<Stage>>,
    loaded: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    dragging: RwSignal<Option<OpportunityId>>,
    over: RwSignal<Option<Stage>>,
    pending: RwSignal<Option<PendingMove>>,
    generation: StoredValue<u64>,
}

impl BoardState {
    fn new() -> Self {
        Self {
            cards: RwSignal::new(Vec::new()),
            more: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            dragging: RwSignal::new(None),
            over: RwSignal::new(None),
            pending: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Loads every column (one request per stage, so each column shows its own first cards).
    fn load(&self, filters: OpportunityFilters) {
        let this = *self;
        let generation = this.generation.get_value() + 1;
        this.generation.set_value(generation);
        let queries: Vec<_> = Stage::ALL
            .iter()
            .map(|s| {
                let mut q = filters.query(None, PER_COLUMN);
                q.stage = Some(s.as_str().to_owned());
                q.sort = Some("-updated_at".into());
                (*s, q)
            })
            .collect();
        spawn_local(async move {
            let mut cards = Vec::new();
            let mut more = Vec::new();
            for (stage, q) in queries {
                match list_opportunities(q).await {
                    Ok(page) => {
                        if page.next_cursor.is_some() {
                            more.push(stage);
                        }
                        cards.extend(page.data);
                    }
                    Err(e) => {
                        this.error.try_set(Some(e));
                        return;
                    }
                }
            }
            if this.generation.try_get_value() == Some(generation) {
                this.error.try_set(None);
                this.cards.try_set(cards);
                this.more.try_set(more);
                this.loaded.try_set(true);
            }
        });
    }

    fn replace(&self, o: Opportunity) {
        self.cards.update(|cards| {
            if let Some(c) = cards.iter_mut().find(|c| c.id == o.id) {
                *c = o;
            }
        });
    }

    fn card(&self, id: OpportunityId) -> Option<Opportunity> {
        self.cards
            .with_untracked(|cards| cards.iter().find(|c| c.id == id).cloned())
    }
}

#[component]
fn Board() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = OpportunityFilters::new(BOARD_FILTERS);
    filters.sync_with_url();
    let users = UserChoices::load();
    let state = BoardState::new();
    Effect::new(move |_| state.load(filters));
    let can_move = move || session.can(Resource::Opportunities, Action::Update);

    // Optimistic: the card moves now; a refusal puts it back and says why (a stale version also reloads).
    let apply = move |o: Opportunity, to: Stage, reason: Option<String>| {
        let mut moved = o.clone();
        moved.stage = to;
        state.replace(moved);
        spawn_local(async move {
            match move_stage(&o, to, reason).await {
                Ok(saved) => {
                    toasts.success(format!(
                        "\u{201c}{}\u{201d} moved to {}.",
                        saved.name,
                        to.label()
                    ));
                    state.replace(saved);
                }
                Err(e) => {
                    state.replace(o);
                    toasts.error(refusal(&e));
                    if e.problem().status == 412 {
                        state.load(filters);
                    }
                }
            }
        });
    };
    let request = Callback::new(move |(o, to): (Opportunity, Stage)| {
        if o.stage == to {
            return;
        }
        if to == Stage::Lost {
            state.pending.set(Some(PendingMove { opportunity: o, to }));
        } else {
            apply(o, to, None);
        }
    });

    view! {
        <section class="page page-wide">
            <header class="page-header">
                <div>
                    <h1>"Pipeline"</h1>
                    <p class="page-sub">"Drag a card to another column, or use its \u{201c}Move to\u{2026}\u{201d} menu."</p>
                </div>
                <div class="page-actions">
                    <A href=move || format!("/opportunities{}", filters.query_string_for(TABLE_FILTERS)) attr:class="btn btn-secondary">
                        "Table view"
                    </A>
                    <A href="/reports/pipeline" attr:class="btn btn-secondary">"Report"</A>
                </div>
            </header>
            <OpportunityFiltersBar filters=filters users=users />
            {move || {
                if let Some(e) = state.error.get() {
                    let retry = Callback::new(move |()| state.load(filters));
                    view! { <ErrorState error=e on_retry=retry /> }.into_any()
                } else if !state.loaded.get() {
                    view! { <Loading /> }.into_any()
                } else {
                    view! {
                        <div class="board">
                            {Stage::ALL
                                .iter()
                                .map(|s| view! { <Column stage=*s state=state can_move=can_move() on_move=request /> })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                }
            }}
            {move || {
                state
                    .pending
                    .get()
                    .map(|p| {
                        let o = p.opportunity.clone();
                        view! {
                            <LostReasonDialog
                                name=p.opportunity.name.clone()
                                on_cancel=move |_| state.pending.set(None)
                                on_confirm=move |reason: String| {
                                    state.pending.set(None);
                                    apply(o.clone(), Stage::Lost, Some(reason));
                                }
                            />
                        }
                    })
            }}
        </section>
    }
}

/// Sum of the column's amounts per currency: `USD 1200.00 · EUR 300.00`.
fn totals(cards: &[&Opportunity]) -> String {
    let mut by_currency: BTreeMap<&str, Decimal> = BTreeMap::new();
    for c in cards {
        *by_currency.entry(c.currency.as_str()).or_default() += c.amount;
    }
    if by_currency.is_empty() {
        return "—".to_owned();
    }
    by_currency
        .into_iter()
        .map(|(cur, sum)| money(sum, cur))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
fn Column(
    stage: Stage,
    state: BoardState,
    can_move: bool,
    on_move: Callback<(Opportunity, Stage)>,
) -> impl IntoView {
    let mine = Memo::new(move |_| {
        state.cards.with(|cards| {
            cards
                .iter()
                .filter(|c| c.stage == stage)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let heading_id = format!("column-{}", stage.as_str());
    let count = move || {
        let n = mine.with(Vec::len);
        if state.more.with(|m| m.contains(&stage)) {
            format!("{n}+")
        } else {
            n.to_string()
        }
    };
    let sum = move || mine.with(|cards| totals(&cards.iter().collect::<Vec<_>>()));
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        state.over.set(None);
        if let Some(o) = state.dragging.get_untracked().and_then(|id| state.card(id)) {
            on_move.run((o, stage));
        }
        state.dragging.set(None);
    };
    view! {
        <section
            class=format!("board-column stage-{}", stage.as_str())
            class:is-over=move || state.over.get() == Some(stage)
            aria-labelledby=heading_id.clone()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                if can_move {
                    ev.prevent_default();
                    state.over.set(Some(stage));
                }
            }
            on:dragleave=move |_| state.over.set(None)
            on:drop=on_drop
        >
            <header class="board-column-header">
                <h2 id=format!("column-{}", stage.as_str())>{stage.label()}</h2>
                <span class="badge">{count}</span>
                <p class="board-column-total">{sum}</p>
            </header>
            <ul class="board-cards">
                <For each=move || mine.get() key=|c| (c.id, c.version, c.stage) let:card>
                    <Card card=card state=state can_move=can_move on_move=on_move />
                </For>
            </ul>
        </section>
    }
}

/// Marks the drag as a move of this card (Firefox starts a drag only when data is set).
fn mark_drag(ev: &leptos::ev::DragEvent, id: &str) {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use leptos::web_sys::js_sys::{Function, Reflect};
    let Ok(dt) = Reflect::get(ev.as_ref(), &JsValue::from_str("dataTransfer")) else {
        return;
    };
    if let Ok(set_data) = Reflect::get(&dt, &JsValue::from_str("setData"))
        && let Ok(f) = set_data.dyn_into::<Function>()
    {
        let _ = f.call2(
            &dt,
            &JsValue::from_str("text/plain"),
            &JsValue::from_str(id),
        );
    }
    let _ = Reflect::set(
        &dt,
        &JsValue::from_str("effectAllowed"),
        &JsValue::from_str("move"),
    );
}

#[component]
fn Card(
    card: Opportunity,
    state: BoardState,
    can_move: bool,
    on_move: Callback<(Opportunity, Stage)>,
) -> impl IntoView {
    let id = card.id;
    let menu_card = StoredValue::new(card.clone());
    let close = card
        .expected_close_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "no close date".to_owned());
    view! {
        <li
            class="board-card"
            class:is-dragging=move || state.dragging.get() == Some(id)
            draggable=if can_move { "true" } else { "false" }
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                mark_drag(&ev, &id.to_string());
                state.dragging.set(Some(id));
            }
            on:dragend=move |_| {
                state.dragging.set(None);
                state.over.set(None);
            }
        >
            <A href=format!("/opportunities/{id}") attr:class="board-card-title">{card.name.clone()}</A>
            <p class="cell-sub">{card.customer_name.clone().unwrap_or_default()}</p>
            <p class="board-card-amount">{money(card.amount, &card.currency)}</p>
            <p class="cell-sub">
                {card.owner_name.clone().unwrap_or_else(|| "No owner".to_owned())} " · " {close}
            </p>
            <Show when=move || can_move>
                <MoveMenu opportunity=menu_card.get_value() on_move=on_move />
            </Show>
        </li>
    }
}
