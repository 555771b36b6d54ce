//! Keyset-paged lists: the first page on (re)load, "Load more" appends the next one.
//! Answers to requests that a newer reload has overtaken are dropped.

use super::states::{EmptyState, ErrorState, Loading};
use crate::ApiError;
use domain::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, ApiError>>>>;
type Fetcher<T> = Rc<dyn Fn(Option<String>) -> PageFuture<T>>;

pub struct PagedList<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    /// True once a first page has arrived (before that, show "Loading…" rather than "empty").
    pub loaded: RwSignal<bool>,
    generation: StoredValue<u64>,
    fetch: StoredValue<Fetcher<T>, LocalStorage>,
}

impl<T: Send + Sync + 'static> Clone for PagedList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PagedList<T> {}

impl<T: Clone + Send + Sync + 'static> PagedList<T> {
    /// `fetch(cursor)` builds the query from the current filters. Its reads are not tracked: a page that
    /// reloads on filter changes reads the filters in its own `Effect` and calls [`reload`](Self::reload).
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    {
        let fetcher: Fetcher<T> = Rc::new(move |cursor| Box::pin(fetch(cursor)));
        Self {
            rows: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            loaded: RwSignal::new(false),
            generation: StoredValue::new(0),
            fetch: StoredValue::new_local(fetcher),
        }
    }

    /// Starts again from the first page.
    pub fn reload(&self) {
        self.run(None);
    }

    /// Appends the next page, if there is one.
    pub fn load_more(&self) {
        if let Some(cursor) = self.next_cursor.get_untracked() {
            self.run(Some(cursor));
        }
    }

    fn run(&self, cursor: Option<String>) {
        let append = cursor.is_some();
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        // The fetcher reads the filters; callers that want to reload on change track them themselves.
        let future = untrack(|| self.fetch.with_value(|f| f(cursor)));
        let this = *self;
        this.loading.set(true);
        this.error.set(None);
        spawn_local(async move {
            let result = future.await;
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok(page) => {
                    if append {
                        this.rows.update(|rows| rows.extend(page.data));
                    } else {
                        this.rows.set(page.data);
                    }
                    this.next_cursor.set(page.next_cursor);
                    this.loaded.set(true);
                }
                Err(e) => {
                    if !append {
                        this.rows.set(Vec::new());
                        this.next_cursor.set(None);
                    }
                    this.error.set(Some(e));
                }
            }
            this.loading.set(false);
        });
    }

    pub fn is_empty(&self) -> bool {
        self.rows.with(Vec::is_empty)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListState {
    Failed,
    Loading,
    Empty,
    Rows,
}

/// Loading / error / empty states around a list's rows, and the "Load more" button under them.
#[component]
pub fn PagedStates<T: Clone + Send + Sync + 'static>(
    list: PagedList<T>,
    #[prop(into)] empty_title: Signal<String>,
    children: ChildrenFn,
) -> impl IntoView {
    let retry = Callback::new(move |()| list.reload());
    let state = Memo::new(move |_| {
        if list.error.with(Option::is_some) && list.is_empty() {
            ListState::Failed
        } else if !list.loaded.get() {
            ListState::Loading
        } else if list.is_empty() && !list.loading.get() {
            ListState::Empty
        } else {
            ListState::Rows
        }
    });
    view! {
        {move || match state.get() {
            ListState::Failed => {
                (move || list.error.get().map(|error| view! { <ErrorState error=error on_retry=retry /> }))
                    .into_any()
            }
            ListState::Loading => view! { <Loading /> }.into_any(),
            ListState::Empty => view! { <EmptyState title=empty_title.get_untracked() /> }.into_any(),
            ListState::Rows => {
                view! {
                    <div class="list-body" class:is-reloading=move || list.loading.get()>
                        {children()}
                    </div>
                }
                    .into_any()
            }
        }}
        <LoadMore list=list />
    }
}

#[component]
pub fn LoadMore<T: Clone + Send + Sync + 'static>(list: PagedList<T>) -> impl IntoView {
    let retry = Callback::new(move |()| list.load_more());
    view! {
        <Show when=move || list.error.get().is_some() && !list.is_empty()>
            {move || list.error.get().map(|e| view! { <ErrorState error=e on_retry=retry /> })}
        </Show>
        <Show when=move || list.next_cursor.get().is_some() && list.loaded.get()>
            <div class="load-more">
                <button
                    type="button"
                    class="btn btn-secondary"
                    disabled=move || list.loading.get()
                    aria-busy=move || list.loading.get().then_some("true")
                    on:click=move |_| list.load_more()
                >
                    {move || if list.loading.get() { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
    }
}
