//! What every record page shares: the `:id` route parameter, loading the record (with a reload and a
//! change counter for the history card), and the error / loading / record states.

use crate::ApiError;
use crate::components::{ErrorState, Loading, Toasts, use_toasts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use std::future::Future;
use std::str::FromStr;

/// Renders `page` for the `:id` of the route, or "not found" when it is not an id of this kind.
#[component]
pub fn IdRoute<Id, V>(what: &'static str, page: fn(Id) -> V) -> impl IntoView
where
    Id: FromStr + Copy + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<Id>().ok())));
    move || match id.get() {
        Some(id) => page(id).into_any(),
        None => view! {
            <section class="page">
                <ErrorState error=ApiError(domain::Problem::not_found(what)) />
            </section>
        }
        .into_any(),
    }
}

/// A record loaded from the server: the record, the load error, a counter bumped on every change (the history
/// card's reload key), and `reload`.
pub struct Loaded<T: Send + Sync + 'static> {
    pub record: RwSignal<Option<T>>,
    pub error: RwSignal<Option<ApiError>>,
    pub changes: RwSignal<u32>,
    pub reload: Callback<()>,
    toasts: Toasts,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Clone + Send + Sync + 'static> Loaded<T> {
    /// Starts loading with `fetch` (again on every `reload`).
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let record = RwSignal::new(None);
        let error = RwSignal::new(None);
        let changes = RwSignal::new(0_u32);
        let reload = Callback::new(move |()| {
            error.set(None);
            let future = fetch();
            spawn_local(async move {
                match future.await {
                    Ok(r) => {
                        record.try_set(Some(r));
                        changes.try_update(|n| *n += 1);
                    }
                    Err(e) => {
                        error.try_set(Some(e));
                    }
                }
            });
        });
        reload.run(());
        Self {
            record,
            error,
            changes,
            reload,
            toasts: use_toasts(),
        }
    }

    /// After a successful save: show the saved record, reload the history and say so.
    pub fn saved(&self, record: T, message: impl Into<String>) {
        self.record.set(Some(record));
        self.changes.update(|n| *n += 1);
        self.toasts.success(message);
    }

    /// The error (with Retry), "Loading…", or `render` of the record.
    pub fn view<V: IntoView + 'static>(
        self,
        render: impl Fn(T) -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        move || {
            if let Some(e) = self.error.get() {
                view! { <ErrorState error=e on_retry=self.reload /> }.into_any()
            } else if let Some(r) = self.record.get() {
                render(r).into_any()
            } else {
                view! { <Loading /> }.into_any()
            }
        }
    }

    pub fn failed(&self) -> bool {
        self.error.with(Option::is_some)
    }
}

/// Deletes the record a page shows: `busy` while the server works, then the toast `deleted` and the list at
/// `list`; a refusal closes the confirmation (`confirming`) and shows the server's reason, and the page stays.
pub fn delete_and_leave(
    deleting: impl Future<Output = Result<(), ApiError>> + 'static,
    (deleted, list): (&'static str, &'static str),
    (busy, confirming): (RwSignal<bool>, RwSignal<bool>),
    toasts: Toasts,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        let result = deleting.await;
        busy.try_set(false);
        match result {
            Ok(()) => {
                toasts.success(deleted);
                navigate(list, Default::default());
            }
            Err(e) => {
                confirming.try_set(false);
                toasts.error(crate::components::form::problem_message(e.problem(), &[]));
            }
        }
    });
}
