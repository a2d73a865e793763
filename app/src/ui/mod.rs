//! The console (Leptos, SSR + hydration). The server renders each page's HTML; the wasm build
//! of this same module then hydrates it. Pages live in `pages/`, one file per page; the server
//! functions they call live in `server_fns/`, one file per subject.

#[cfg(feature = "ssr")]
pub mod backend;
pub mod error;
pub mod i18n;
pub mod live;
pub mod map;
mod pages;
pub mod preview_table;
pub mod server_fns;
pub mod widgets;

use leptos::prelude::*;
use leptos_meta::{Html, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, lazy_route, path};

use i18n::{LangSwitch, t};
use server_fns::session;
use widgets::current_user;

/// The HTML document around the app; used by the server only. `stylesheet` is the stylesheet's
/// path, which a release build names after its content.
pub fn shell(options: LeptosOptions, stylesheet: std::sync::Arc<str>) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="data:," />
                <link rel="stylesheet" id="leptos" href=stylesheet.to_string() />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    i18n::provide_lang();
    let lang = i18n::lang();
    view! {
        <Html {..} lang=move || lang.get().pick("zh-CN", "en") />
        <Title text="ITM · Intelligent Traffic Manager" />
        <Router>
            <Layout />
        </Router>
    }
}

/// Set while a page holds changes not saved yet (the strategy editor's draft): leaving the page
/// then asks first, for links inside the console and for reloads or closing the tab alike.
#[derive(Clone, Copy)]
struct UnsavedChanges(RwSignal<bool>);

/// Keeps the app-wide "unsaved changes" flag (which guards leaving the page) in step with what
/// a page holds, and clears it when the page goes away.
pub fn track_unsaved(dirty: impl Fn() -> bool + Send + Sync + 'static) {
    let Some(UnsavedChanges(flag)) = use_context::<UnsavedChanges>() else {
        return;
    };
    Effect::new(move |_| flag.set(dirty()));
    on_cleanup(move || flag.set(false));
}

#[component]
fn Layout() -> impl IntoView {
    widgets::provide_me();
    live::provide_live();
    let unsaved = RwSignal::new(false);
    provide_context(UnsavedChanges(unsaved));
    guard_unsaved(unsaved);
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                "ITM"
            </A>
            <nav>
                <A href="/">{t("域名", "Domains")}</A>
                <A href="/notifications">{t("通知", "Notifications")}</A>
                <A href="/usage">{t("用量与监控点", "Usage & points")}</A>
                <A href="/iam">{t("访问控制", "Access control")}</A>
                <A href="/lab">{t("策略实验室", "Strategy lab")}</A>
                <Transition fallback=|| ()>
                    {move || {
                        widgets::current_user()
                            .filter(|m| m.operator)
                            .map(|_| view! { <A href="/nodes">{t("节点", "Nodes")}</A> })
                    }}
                </Transition>
            </nav>
            <LangSwitch />
            <UserMenu />
        </header>
        <main>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::DomainsPage />
                <Route path=path!("/domains/:domain") view={Lazy::<DomainRoute>::new()} />
                <Route path=path!("/domains/:domain/strategy") view={Lazy::<StrategyRoute>::new()} />
                <Route path=path!("/domains/:domain/:tab") view={Lazy::<DomainRoute>::new()} />
                <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} />
                <Route path=path!("/usage") view={Lazy::<UsageRoute>::new()} />
                <Route path=path!("/iam") view={Lazy::<IamRoute>::new()} />
                <Route path=path!("/lab") view={Lazy::<LabRoute>::new()} />
                <Route path=path!("/nodes") view={Lazy::<NodesRoute>::new()} />
                <Route path=path!("/login") view=pages::LoginPage />
                <Route path=path!("/login/:account") view=pages::LoginPage />
            </Routes>
        </main>
    }
}

/// Asks before leaving while `unsaved` is set: the browser's own prompt on reload or close, and a
/// confirmation before the router follows a link (the capturing listener runs before it).
fn guard_unsaved(unsaved: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let lang = i18n::lang();
        let _ = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if unsaved.get_untracked() {
                ev.prevent_default();
                ev.set_return_value("unsaved");
            }
        });
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                // A click that opens another tab or window leaves this page where it is.
                let elsewhere =
                    ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key();
                if !unsaved.get_untracked() || elsewhere {
                    return;
                }
                let link = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|e| e.closest("a[href]").ok().flatten());
                let new_tab =
                    |a: &web_sys::Element| a.get_attribute("target").is_some_and(|t| t == "_blank");
                if link.as_ref().is_none_or(new_tab) {
                    return;
                }
                let message = lang.get_untracked().pick(
                    "有未保存的修改，确定离开吗？",
                    "There are unsaved changes. Leave anyway?",
                );
                let leave = web_sys::window()
                    .and_then(|w| w.confirm_with_message(message).ok())
                    .unwrap_or(true);
                // Leaving unmounts the editor, which clears the flag; staying keeps it.
                if !leave {
                    ev.prevent_default();
                    ev.stop_propagation();
                }
            });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        }
        // The layout lives as long as the page: the listener does too.
        on_click.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = unsaved;
}

/// A page whose code the browser loads when it is first visited (a separate wasm chunk with
/// `cargo leptos build --split`), so the first page does not download every page.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        #[derive(Debug)]
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                pages::$page().into_any()
            }
        }
    };
}

lazy_page!(DomainRoute, DomainPage);
lazy_page!(NotificationsRoute, NotificationsPage);
lazy_page!(UsageRoute, UsagePage);
lazy_page!(IamRoute, IamPage);
lazy_page!(LabRoute, LabPage);
lazy_page!(StrategyRoute, StrategyPage);
lazy_page!(NodesRoute, NodesPage);

/// Who is logged in, with a logout button; a login link otherwise.
#[component]
fn UserMenu() -> impl IntoView {
    let logout = ServerAction::<session::Logout>::new();
    let main_label = t("主账号", "main account");
    let sub_label = t("子用户", "sub-user");
    view! {
        <div class="user">
            <Suspense fallback=|| ()>
                {move || match current_user() {
                    Some(me) => {
                        view! {
                            <span class="who" data-testid="who">
                                {move || {
                                    format!(
                                        "{} · {} {}",
                                        me.username,
                                        if me.main { main_label() } else { sub_label() },
                                        me.account_id,
                                    )
                                }}
                            </span>
                            <ActionForm action=logout>
                                <button type="submit">{t("退出", "Log out")}</button>
                            </ActionForm>
                        }
                            .into_any()
                    }
                    None => view! { <A href="/login">{t("登录", "Log in")}</A> }.into_any(),
                }}
            </Suspense>
        </div>
    }
}
