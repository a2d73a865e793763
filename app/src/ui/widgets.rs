//! Small pieces every page uses: the logged-in user (and whether it may write), error text,
//! times, a copy button.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use super::i18n::t;
use crate::model::Me;

/// The logged-in user, asked again on every navigation (logging in or out navigates).
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, ConsoleError>>);

pub fn provide_me() {
    use super::server_fns::session::{login_returning_to, page_needs_session};
    let location = leptos_router::hooks::use_location();
    let me = Resource::new(
        move || location.pathname.get(),
        |_| super::server_fns::session::whoami(),
    );
    provide_context(MeResource(me));
    // A session that ended while a page was open (logged out elsewhere, expired): the next
    // page that needs one goes to the login form, and comes back after it. Run when the answer
    // arrives, not when the path changes: until then the answer is the previous page's.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let logged_out = matches!(me.get(), Some(Ok(None)));
        let path = location.pathname.get_untracked();
        if logged_out && page_needs_session(&path) {
            let query = location.search.get_untracked();
            let back = if query.is_empty() {
                path
            } else {
                format!("{path}?{query}")
            };
            // Replaced, as the server's 303 does: Back must not return to a page that leaves.
            let options = leptos_router::NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&login_returning_to(&back), options);
        }
    });
}

fn me() -> Option<Resource<Result<Option<Me>, ConsoleError>>> {
    use_context::<MeResource>().map(|m| m.0)
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The logged-in user once known (inside a Suspense/Transition).
pub fn current_user() -> Option<Me> {
    me()?.get()?.ok().flatten()
}

/// Renders its children only for users whose policies allow changes: a read-only user sees no
/// write buttons (and the server refuses a forged write anyway).
#[component]
pub fn Writable(children: ChildrenFn) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || current_user().filter(|m| m.can_write).map(|_| children())}
        </Transition>
    }
}

/// "Delete", then "Confirm delete": a delete form behind a disclosure, posting `action` with
/// the given hidden fields (`name = value`: the field's name and what it holds). (A macro: `ActionForm`'s bounds would have to be repeated by a
/// generic component.)
macro_rules! confirm_delete {
    ($action:expr, $($field:ident = $value:expr),+ $(,)?) => {{
        // Clones taken here, so the form's children own theirs whatever encloses them.
        $(let $field = $value.clone();)+
        leptos::prelude::view! {
            <details class="confirm">
                <summary>{$crate::ui::i18n::t("删除", "Delete")}</summary>
                <ActionForm action=$action attr:class="inline">
                    $(<input type="hidden" name=stringify!($field) value=$field />)+
                    <button type="submit" class="danger">
                        {$crate::ui::i18n::t("确认删除", "Confirm delete")}
                    </button>
                </ActionForm>
            </details>
        }
    }};
}
pub(crate) use confirm_delete;

/// A server function's error as the message to show, in the user's language where the console
/// words it itself.
pub fn error_text(e: &ConsoleError) -> String {
    e.text(super::i18n::lang().get_untracked())
}

/// A message shown as an alert line.
pub fn alert(message: String) -> AnyView {
    view! { <p class="error" role="alert">{message}</p> }.into_any()
}

/// A server function's error as an alert line.
pub fn alert_error(e: &ConsoleError) -> AnyView {
    alert(error_text(e))
}

/// What a section shows while its data loads.
pub fn loading() -> impl IntoView {
    view! { <p class="loading">{t("加载中…", "Loading…")}</p> }
}

/// The first error among actions' latest results, for one alert line.
pub fn first_error(results: &[Option<Result<(), ConsoleError>>]) -> Option<String> {
    results
        .iter()
        .flatten()
        .find_map(|r| r.as_ref().err().map(error_text))
}

/// Milliseconds from the browser's monotonic clock (0 on the server, where timings are not
/// shown).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        return performance.now();
    }
    0.0
}

/// `2026-11-26 12:34:56` (UTC) from milliseconds since the Unix epoch.
pub fn time_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Copies `text` to the clipboard; says so for a moment.
#[component]
pub fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let label = t("复制", "Copy");
    let done = t("已复制", "Copied");
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <button type="button" class="copy" on:click=copy>
            {move || if copied.get() { done() } else { label() }}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(time_text(0), "1970-01-01 00:00:00");
        assert_eq!(time_text(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(time_text(1_795_695_296_000), "2026-11-26 12:14:56");
    }
}
