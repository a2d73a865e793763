//! The console (Leptos, SSR + hydration). The server renders each page's HTML; the wasm build
//! of this same module then hydrates it. Pages live in `pages/`, one file per page.

mod pages;

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
                    <A href="/lab">"策略实验室 Strategy lab"</A>
                </nav>
            </header>
            <main>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::LabPage />
                    <Route path=path!("/lab") view=pages::LabPage />
                </Routes>
            </main>
        </Router>
    }
}
