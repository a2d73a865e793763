//! Login: a main account at `/login`, a sub-user at its account's link `/login/<accountId>`.
//! Works before the wasm has loaded (a plain form post); a refusal never says which part of the
//! credentials was wrong. `?next=<path>` (set by a page that needed a session) is where a
//! successful login goes, when it is a path of this console.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::ui::i18n::{lang, t};
use crate::ui::server_fns::session::{Login, safe_next};

#[component]
pub fn LoginPage() -> impl IntoView {
    let params = use_params_map();
    let account = move || {
        params
            .read()
            .get("account")
            .and_then(|a| a.parse::<i64>().ok())
    };
    let query = use_query_map();
    let next = move || query.read().get("next").filter(|n| safe_next(n).is_some());
    let action = ServerAction::<Login>::new();
    let refused = move || matches!(action.value().get(), Some(Err(_)));
    // Set once the page is interactive (effects run only in the browser).
    let lang = lang();
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    view! {
        <Title text="登录 Log in · ITM" />
        <section class="login" data-ready=move || ready.get().to_string()>
            <h1>{t("登录", "Log in")}</h1>
            {move || {
                account()
                    .map(|id| {
                        view! {
                            <p class="hint">
                                {move || {
                                    lang.get()
                                        .pick(
                                            format!("子用户登录，主账号 ID {id}"),
                                            format!("Sub-user login for account {id}"),
                                        )
                                }}
                            </p>
                        }
                    })
            }}
            <ActionForm action>
                <label>
                    {t("用户名", "User name")} <input type="text" name="username" autocomplete="username" required />
                </label>
                <label>
                    {t("密码", "Password")}
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                {move || {
                    account().map(|id| view! { <input type="hidden" name="account" value=id /> })
                }}
                {move || next().map(|n| view! { <input type="hidden" name="next" value=n /> })}
                <button type="submit" disabled=move || action.pending().get()>
                    {t("登录", "Log in")}
                </button>
            </ActionForm>
            <Show when=refused>
                <p class="error" role="alert">
                    {t("用户名或密码错误", "Wrong user name or password")}
                </p>
            </Show>
        </section>
    }
}
