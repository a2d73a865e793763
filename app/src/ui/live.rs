//! The live view in the browser: the server's `/console/events` stream (server-sent events),
//! opened once per tab while the tab is visible, told to the pages as versions. A page puts
//! [`version_for`] (its domain changed) or [`version_of_any`] (any of the account's domains
//! changed) into its resources' sources, and they read again when it moves — within a second
//! of a change, without a reload.
//!
//! The first stream resumes from where the feeds stood when the server began rendering the
//! page (`Me::live_from`), so a change made while the page rendered or loaded is not missed.
//!
//! A hidden tab closes its stream (browsers allow few connections per server) and reopens it,
//! resuming from the last position, when shown again; the server replays what happened
//! meanwhile. After an error the stream is reopened with a growing delay; a session that ended
//! stops it.

use leptos::prelude::*;
use serde::Deserialize;

/// One `changed` event: the domains whose configuration, health or probe results changed, or
/// everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct LiveEvent {
    #[serde(default)]
    pub everything: bool,
    #[serde(default)]
    pub config: Vec<String>,
    #[serde(default)]
    pub health: Vec<String>,
    #[serde(default)]
    pub probes: Vec<String>,
}

/// What a page shows of a domain, and so which changes concern it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shows {
    /// Endpoints, strategy, status, settings.
    Config,
    /// Endpoint and domain health.
    Health,
    /// Probe results.
    Probes,
}

impl LiveEvent {
    /// Whether the event concerns `domain` as a page showing `shows` sees it.
    pub fn concerns(&self, domain: &str, shows: &[Shows]) -> bool {
        self.everything
            || shows
                .iter()
                .any(|s| self.of(*s).iter().any(|d| d == domain))
    }

    /// Whether the event concerns a list of domains showing `shows`.
    pub fn concerns_any(&self, shows: &[Shows]) -> bool {
        self.everything || shows.iter().any(|s| !self.of(*s).is_empty())
    }

    fn of(&self, shows: Shows) -> &[String] {
        match shows {
            Shows::Config => &self.config,
            Shows::Health => &self.health,
            Shows::Probes => &self.probes,
        }
    }
}

/// The latest event and how many came before it (0: none yet, as on the server).
#[derive(Clone, Copy)]
pub struct Live(RwSignal<(u64, LiveEvent)>);

/// Provides the live view to the pages, and in the browser opens the stream.
pub fn provide_live() {
    let live = Live(RwSignal::new((0, LiveEvent::default())));
    provide_context(live);
    #[cfg(feature = "hydrate")]
    browser::connect(live);
}

/// A version that moves each time a change concerns `domain` as a page showing `shows` sees it.
pub fn version_for(
    domain: impl Fn() -> String + Send + Sync + 'static,
    shows: &'static [Shows],
) -> Memo<u64> {
    version_when(move |event| event.concerns(&domain(), shows))
}

/// A version that moves each time a change concerns any of the account's domains (lists).
pub fn version_of_any(shows: &'static [Shows]) -> Memo<u64> {
    version_when(move |event| event.concerns_any(shows))
}

/// The count of the latest event that `concerns` the page, 0 before any.
fn version_when(concerns: impl Fn(&LiveEvent) -> bool + Send + Sync + 'static) -> Memo<u64> {
    let live = use_context::<Live>();
    Memo::new(move |previous: Option<&u64>| {
        let Some(Live(last)) = live else { return 0 };
        last.with(|(count, event)| {
            if *count > 0 && concerns(event) {
                *count
            } else {
                previous.copied().unwrap_or(0)
            }
        })
    })
}

/// `version`, held still while the page shows an open form matching `open_form` (a CSS
/// selector): reading again would draw the rows afresh and close the form under the user's
/// hands. `wake` is bumped when such a form opens or closes, so the held version catches up.
pub fn held_while_open(
    version: Memo<u64>,
    open_form: &'static str,
    wake: RwSignal<u32>,
) -> Memo<u64> {
    Memo::new(move |previous: Option<&u64>| {
        wake.track();
        let now = version.get();
        match previous {
            Some(held) if form_is_open(open_form) => *held,
            _ => now,
        }
    })
}

#[cfg(feature = "hydrate")]
fn form_is_open(selector: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .is_some()
}

#[cfg(not(feature = "hydrate"))]
fn form_is_open(_selector: &str) -> bool {
    false
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::{Live, LiveEvent};

    const FIRST_RETRY_MS: i32 = 1_000;
    const LAST_RETRY_MS: i32 = 60_000;

    struct State {
        live: Live,
        source: Option<EventSource>,
        /// The open stream's listeners.
        listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
        /// A closed stream's listeners, kept until the next stream opens: a listener may be
        /// the one closing its stream, and must not be dropped while it runs.
        retired: Vec<Closure<dyn FnMut(web_sys::Event)>>,
        /// The last position the server gave: a reopened stream resumes from it.
        position: Option<String>,
        retry_ms: i32,
        /// The session ended: no more streams until someone signs in again.
        ended: bool,
        signed_in: bool,
    }

    type Shared = Rc<RefCell<State>>;

    pub(super) fn connect(live: Live) {
        let state: Shared = Rc::new(RefCell::new(State {
            live,
            source: None,
            listeners: Vec::new(),
            retired: Vec::new(),
            position: None,
            retry_ms: FIRST_RETRY_MS,
            ended: false,
            signed_in: false,
        }));
        // Open while someone is signed in (not on the login page); a new sign-in starts afresh.
        Effect::new({
            let state = state.clone();
            move |previous: Option<Option<(i64, String)>>| {
                let me = crate::ui::widgets::current_user();
                let user = me.as_ref().map(|m| (m.account_id, m.username.clone()));
                let changed = previous.as_ref().is_some_and(|p| *p != user);
                if changed {
                    close(&state);
                    let mut st = state.borrow_mut();
                    st.ended = false;
                    st.position = None;
                }
                // The page as rendered: its first stream starts where the server began it.
                let mut st = state.borrow_mut();
                if st.position.is_none() && st.source.is_none() {
                    st.position = me.and_then(|m| m.live_from);
                }
                drop(st);
                state.borrow_mut().signed_in = user.is_some();
                if user.is_some() {
                    open(&state);
                }
                user
            }
        });
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let on_visibility = Closure::<dyn FnMut()>::new({
            let state = state.clone();
            let document = document.clone();
            move || {
                if document.hidden() {
                    close(&state);
                } else if state.borrow().source.is_none() {
                    open(&state);
                }
            }
        });
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        // One listener for the page's life.
        on_visibility.forget();
    }

    fn open(state: &Shared) {
        let url = {
            let st = state.borrow();
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if st.ended || !st.signed_in || st.source.is_some() || hidden {
                return;
            }
            // Positions are letters, digits and dots; anything else is not passed on.
            match &st.position {
                Some(p) if p.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') => {
                    format!("/console/events?since={p}")
                }
                _ => "/console/events".to_owned(),
            }
        };
        let Ok(source) = EventSource::new(&url) else {
            return;
        };
        let listen = |name: &str, handler: Box<dyn FnMut(web_sys::Event)>| {
            let closure = Closure::wrap(handler);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            closure
        };
        let listeners = vec![
            listen("position", {
                let state = state.clone();
                Box::new(move |ev| {
                    remember_position(&state, &ev);
                })
            }),
            listen("changed", {
                let state = state.clone();
                Box::new(move |ev| {
                    remember_position(&state, &ev);
                    let data = ev
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.data().as_string())
                        .unwrap_or_default();
                    let Ok(event) = serde_json::from_str::<LiveEvent>(&data) else {
                        return;
                    };
                    let Live(last) = state.borrow().live;
                    last.update(|(count, last)| {
                        *count += 1;
                        *last = event;
                    });
                })
            }),
            listen("ended", {
                let state = state.clone();
                Box::new(move |_| {
                    state.borrow_mut().ended = true;
                    close(&state);
                })
            }),
            listen("error", {
                let state = state.clone();
                Box::new(move |_| {
                    // The browser retries by itself unless the stream is closed (a refused
                    // reconnect, say while the database is away): then reopen later.
                    let closed = state
                        .borrow()
                        .source
                        .as_ref()
                        .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
                    if closed {
                        close(&state);
                        retry_later(&state);
                    }
                })
            }),
        ];
        let mut st = state.borrow_mut();
        st.source = Some(source);
        st.listeners = listeners;
        st.retired.clear();
    }

    fn remember_position(state: &Shared, ev: &web_sys::Event) {
        if let Some(message) = ev.dyn_ref::<MessageEvent>() {
            let id = message.last_event_id();
            let mut st = state.borrow_mut();
            if !id.is_empty() {
                st.position = Some(id);
            }
            st.retry_ms = FIRST_RETRY_MS;
        }
    }

    fn close(state: &Shared) {
        let source = {
            let mut st = state.borrow_mut();
            let listeners = std::mem::take(&mut st.listeners);
            st.retired.extend(listeners);
            st.source.take()
        };
        if let Some(source) = source {
            source.close();
        }
    }

    fn retry_later(state: &Shared) {
        let delay = {
            let mut st = state.borrow_mut();
            let delay = st.retry_ms;
            st.retry_ms = (delay * 2).min(LAST_RETRY_MS);
            delay
        };
        let state = state.clone();
        let reopen = Closure::once_into_js(move || open(&state));
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                reopen.unchecked_ref(),
                delay,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_concerns_the_pages_showing_what_changed() {
        let event = LiveEvent {
            health: vec!["a.example.com".into()],
            ..LiveEvent::default()
        };
        assert!(event.concerns("a.example.com", &[Shows::Config, Shows::Health]));
        assert!(!event.concerns("a.example.com", &[Shows::Config, Shows::Probes]));
        assert!(!event.concerns("b.example.com", &[Shows::Health]));
        assert!(event.concerns_any(&[Shows::Health]));
        assert!(!event.concerns_any(&[Shows::Probes]));
        let everything = LiveEvent {
            everything: true,
            ..LiveEvent::default()
        };
        assert!(everything.concerns("b.example.com", &[Shows::Probes]));
        let wire: LiveEvent =
            serde_json::from_str(r#"{"everything":false,"config":["x"],"health":[],"probes":[]}"#)
                .expect("the server's event reads");
        assert_eq!(wire.config, vec!["x".to_owned()]);
    }
}
