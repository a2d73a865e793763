//! Console pages, one per file; a page with tabs is a folder (`domain/`, `strategy/`) whose
//! `mod.rs` is the page and whose other files are its parts.

mod domain;
mod domains;
mod iam;
mod lab;
mod login;
mod nodes;
mod notifications;
mod strategy;
mod usage;

pub use domain::DomainPage;
pub use domains::DomainsPage;
pub use iam::IamPage;
pub use lab::LabPage;
pub use login::LoginPage;
pub use nodes::NodesPage;
pub use notifications::NotificationsPage;
pub use strategy::StrategyPage;
pub use usage::UsagePage;

use leptos::prelude::*;

use crate::ui::i18n::t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card">
            <h1>"404"</h1>
            <p>{t("页面不存在。", "This page does not exist.")}</p>
        </section>
    }
}
