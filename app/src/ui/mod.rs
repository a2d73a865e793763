//! The console (Leptos, SSR + hydration). The server renders each page's HTML; the wasm build
//! of this same module then hydrates it. Pages live in `pages/`, one file per page.

#[cfg(feature = "ssr")]
pub mod backend;
pub mod domains;
mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app; used by the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
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
    view! {
        <Stylesheet id="leptos" href="/pkg/itm.css" />
        <Title text="ITM · Intelligent Traffic Manager" />
        <Router>
            <header class="topbar">
                <A href="/lab" attr:class="brand">
                    "ITM"
                </A>
                <nav>
                    <A href="/">"域名 Domains"</A>
                    <A href="/lab">"策略实验室 Strategy lab"</A>
                </nav>
                <UserMenu />
            </header>
            <main>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::DomainsPage />
                    <Route path=path!("/lab") view=pages::LabPage />
                    <Route path=path!("/login") view=pages::LoginPage />
                    <Route path=path!("/login/:account") view=pages::LoginPage />
                </Routes>
            </main>
        </Router>
    }
}

/// Who is logged in, with a logout button; a login link otherwise.
#[component]
fn UserMenu() -> impl IntoView {
    // Asked again on every navigation: logging in or out navigates.
    let location = leptos_router::hooks::use_location();
    let me = Resource::new(move || location.pathname.get(), |_| session::whoami());
    let logout = ServerAction::<session::Logout>::new();
    view! {
        <div class="user">
            <Suspense fallback=|| ()>
                {move || {
                    me.get()
                        .map(|me| match me.ok().flatten() {
                            Some(me) => {
                                view! {
                                    <span class="who" data-testid="who">
                                        {format!(
                                            "{} · {} {}",
                                            me.username,
                                            if me.main { "主账号 main" } else { "子用户 sub-user" },
                                            me.account_id,
                                        )}
                                    </span>
                                    <ActionForm action=logout>
                                        <button type="submit">"退出 Log out"</button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            None => view! { <A href="/login">"登录 Log in"</A> }.into_any(),
                        })
                }}
            </Suspense>
        </div>
    }
}
