//! The browser's live connection (`/api/v1/ws`): one WebSocket per signed-in tab, shared through context.
//!
//! - It reconnects with exponential backoff (1 s doubling to 30 s, with jitter) and asks for a replay from the
//!   last event it saw (`?last_event_id=`), so a short drop loses nothing.
//! - Duplicates (same `event_id`, around a replay) are dropped.
//! - `resync` from the server (a gap too big to replay) reaches every handler: widgets fetch afresh.
//! - The header shows the connection state ([`LinkState`]).
//!
//! Widgets subscribe with [`Live::on`] (or [`Live::on_debounced`] for aggregates that refetch), and are
//! unsubscribed when their owner is cleaned up.

use leptos::prelude::*;
// The browser has one thread; Leptos' cleanup callbacks must be `Send` all the same.
use send_wrapper::SendWrapper;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// How many recent event ids are remembered to drop duplicates.
const SEEN: usize = 512;
/// After this many failed attempts in a row the header says "Offline" instead of "Reconnecting".
const OFFLINE_AFTER: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Signed out: no connection is wanted.
    Idle,
    Connecting,
    Live,
    Reconnecting,
    Offline,
}

impl LinkState {
    pub fn label(self) -> &'static str {
        match self {
            LinkState::Idle => "",
            LinkState::Connecting => "Connecting…",
            LinkState::Live => "Live",
            LinkState::Reconnecting => "Reconnecting…",
            LinkState::Offline => "Offline",
        }
    }
}

/// A message from the server: an event (`seq`, `event_id` set) or `resync`.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct LiveMsg {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub id: Option<uuid::Uuid>,
    #[serde(default)]
    pub data: serde_json::Value,
    #[serde(default)]
    pub seq: i64,
    #[serde(default)]
    pub event_id: Option<uuid::Uuid>,
}

impl LiveMsg {
    pub fn is_resync(&self) -> bool {
        self.kind == domain::live::RESYNC
    }
}

type Handler = Rc<dyn Fn(&LiveMsg)>;

struct Socket {
    ws: web_sys::WebSocket,
    // Kept alive as long as the socket may call them.
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_close: Closure<dyn FnMut(web_sys::CloseEvent)>,
}

#[derive(Default)]
struct Inner {
    socket: Option<Socket>,
    handlers: Vec<(u64, Handler)>,
    next_handler: u64,
    last_seq: Option<i64>,
    seen: VecDeque<uuid::Uuid>,
    failures: u32,
    wanted: bool,
    /// Bumped by every connect and stop: a pending reconnect of an older generation does nothing.
    generation: u64,
}

#[derive(Clone, Copy)]
pub struct Live {
    state: RwSignal<LinkState>,
    inner: StoredValue<Rc<RefCell<Inner>>, LocalStorage>,
}

pub fn provide_live() -> Live {
    let live = Live {
        state: RwSignal::new(LinkState::Idle),
        inner: StoredValue::new_local(Rc::new(RefCell::new(Inner::default()))),
    };
    provide_context(live);
    live
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

fn socket_url(last_seq: Option<i64>) -> Option<String> {
    let location = window().location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    let query = last_seq.map_or(String::new(), |s| format!("?last_event_id={s}"));
    Some(format!("{scheme}://{host}/api/v1/ws{query}"))
}

/// 1 s doubling to 30 s, ±20 % so that many tabs do not come back at once.
fn backoff(failures: u32) -> Duration {
    let base = (1000_f64 * 2_f64.powi(failures.min(5) as i32)).min(30_000.0);
    let jitter = 0.8 + 0.4 * js_sys::Math::random();
    Duration::from_millis((base * jitter) as u64)
}

impl Live {
    /// The connection state (reactive).
    pub fn state(&self) -> LinkState {
        self.state.get()
    }

    fn inner(&self) -> Rc<RefCell<Inner>> {
        self.inner.with_value(Rc::clone)
    }

    /// Connects (after sign-in); idempotent.
    pub fn start(self) {
        let inner = self.inner();
        if inner.borrow().wanted {
            return;
        }
        inner.borrow_mut().wanted = true;
        self.connect();
    }

    /// Disconnects (after sign-out) and forgets the stream position.
    pub fn stop(self) {
        let inner = self.inner();
        let mut i = inner.borrow_mut();
        i.wanted = false;
        i.generation += 1;
        i.last_seq = None;
        if let Some(s) = i.socket.take() {
            s.ws.set_onclose(None);
            s.ws.set_onmessage(None);
            s.ws.set_onopen(None);
            let _ = s.ws.close();
        }
        drop(i);
        self.state.set(LinkState::Idle);
    }

    fn connect(self) {
        let inner = self.inner();
        let (url, generation) = {
            let mut i = inner.borrow_mut();
            i.generation += 1;
            (socket_url(i.last_seq), i.generation)
        };
        let Some(ws) = url.and_then(|u| web_sys::WebSocket::new(&u).ok()) else {
            self.retry_later(generation);
            return;
        };
        if self.state.get_untracked() != LinkState::Offline {
            self.state.set(if inner.borrow().failures == 0 {
                LinkState::Connecting
            } else {
                LinkState::Reconnecting
            });
        }
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new({
            let inner = Rc::clone(&inner);
            move |_| {
                inner.borrow_mut().failures = 0;
                self.state.set(LinkState::Live);
            }
        });
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(text) = e.data().as_string() {
                    self.received(&text);
                }
            });
        let on_close = Closure::<dyn FnMut(web_sys::CloseEvent)>::new(move |_| {
            self.retry_later(generation);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        inner.borrow_mut().socket = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    /// The socket of `generation` closed (or could not open): try again after the backoff.
    fn retry_later(self, generation: u64) {
        let inner = self.inner();
        let wait = {
            let mut i = inner.borrow_mut();
            if !i.wanted || i.generation != generation {
                return;
            }
            i.failures += 1;
            backoff(i.failures - 1)
        };
        let failures = inner.borrow().failures;
        self.state.set(if failures >= OFFLINE_AFTER {
            LinkState::Offline
        } else {
            LinkState::Reconnecting
        });
        set_timeout(
            move || {
                let current = {
                    let i = self.inner();
                    let i = i.borrow();
                    i.wanted && i.generation == generation
                };
                if current {
                    self.connect();
                }
            },
            wait,
        );
    }

    fn received(self, text: &str) {
        let Ok(msg) = serde_json::from_str::<LiveMsg>(text) else {
            return;
        };
        let inner = self.inner();
        let handlers: Vec<Handler> = {
            let mut i = inner.borrow_mut();
            if let Some(id) = msg.event_id {
                if i.seen.contains(&id) {
                    return;
                }
                if i.seen.len() == SEEN {
                    i.seen.pop_front();
                }
                i.seen.push_back(id);
            }
            if msg.seq > 0 {
                i.last_seq = Some(msg.seq);
            }
            i.handlers.iter().map(|(_, h)| Rc::clone(h)).collect()
        };
        for h in handlers {
            h(&msg);
        }
    }

    /// Calls `handler` for every event and `resync`, until the calling owner is cleaned up.
    pub fn on(self, handler: impl Fn(&LiveMsg) + 'static) {
        let inner = self.inner();
        let id = {
            let mut i = inner.borrow_mut();
            i.next_handler += 1;
            let id = i.next_handler;
            i.handlers.push((id, Rc::new(handler)));
            id
        };
        let inner = SendWrapper::new(inner);
        on_cleanup(move || {
            inner.borrow_mut().handlers.retain(|(h, _)| *h != id);
        });
    }

    /// Calls `run` once, `wait` after the first event `wanted` accepts (or a `resync`): a burst of events
    /// causes one refetch, not one per event.
    pub fn on_debounced(
        self,
        wanted: impl Fn(&LiveMsg) -> bool + 'static,
        wait: Duration,
        run: impl Fn() + 'static,
    ) {
        let pending = Rc::new(Cell::new(false));
        let run = Rc::new(run);
        self.on(move |m| {
            if !(m.is_resync() || wanted(m)) || pending.get() {
                return;
            }
            pending.set(true);
            let pending = Rc::clone(&pending);
            let run = Rc::clone(&run);
            set_timeout(
                move || {
                    pending.set(false);
                    run();
                },
                wait,
            );
        });
    }
}

/// The connection state in the header (announced to screen readers when it changes).
#[component]
pub fn LiveStatus() -> impl IntoView {
    let live = use_live();
    let class = move || {
        let s = match live.state() {
            LinkState::Live => "live",
            LinkState::Connecting | LinkState::Reconnecting => "connecting",
            LinkState::Offline => "offline",
            LinkState::Idle => "idle",
        };
        format!("live-status live-status--{s}")
    };
    view! {
        <span class=class role="status" aria-live="polite" title="Live updates">
            <span class="live-status__dot" aria-hidden="true"></span>
            <span class="live-status__text">{move || live.state().label()}</span>
        </span>
    }
}
