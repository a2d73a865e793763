//! One domain: its name, CNAME and status, and four tabs, one file each beside this one —
//! endpoints (`/domains/<d>`, `endpoints.rs`), monitor (`/domains/<d>/monitor`, `monitor.rs`),
//! scheduling results (`/domains/<d>/results`, `results.rs`, with its history in `history.rs`)
//! and whom to notify (`/domains/<d>/notify`, `notify.rs`). This file holds the page around
//! them and the facts the tabs ask it to read again; the strategy editor is a page of its own.

mod endpoints;
mod history;
mod monitor;
mod notify;
mod results;
mod volume;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::domains::{monitor_label, status_label};
use crate::ui::i18n::t;
use crate::ui::live::{Shows, version_for};
use crate::ui::server_fns::domain_admin::{SetDomainTtl, domain_info};
use crate::ui::widgets::{CopyButton, alert_error, current_user, error_text};
use endpoints::EndpointsTab;
use monitor::MonitorTab;
use notify::DomainNotifyTab;
use results::ResultsTab;

/// Bumped by a tab after a change that alters the domain's facts.
#[derive(Clone, Copy)]
struct FactsChanged(RwSignal<u32>);

/// Reads the domain's facts again each time `version` changes (an action's version).
pub fn refresh_facts_on(version: impl Fn() -> usize + Send + Sync + 'static) {
    let Some(FactsChanged(changed)) = use_context::<FactsChanged>() else {
        return;
    };
    Effect::new(move |previous: Option<usize>| {
        let now = version();
        if previous.is_some_and(|p| p != now) {
            changed.update(|n| *n += 1);
        }
        now
    });
}

#[component]
pub fn DomainPage() -> impl IntoView {
    let params = use_params_map();
    let domain = Memo::new(move |_| params.read().get("domain").unwrap_or_default());
    let tab = Memo::new(move |_| params.read().get("tab").unwrap_or_default());
    // Asked again on every tab change and whenever a tab reports a change (a strategy enabled
    // starts the domain, endpoints change the count).
    let changed = RwSignal::new(0_u32);
    provide_context(FactsChanged(changed));
    let live = version_for(move || domain.get(), &[Shows::Config, Shows::Health]);
    let details = Resource::new(
        move || (domain.get(), tab.get(), changed.get(), live.get()),
        |(d, ..)| domain_info(d),
    );
    let ttl = TtlEdit {
        action: ServerAction::<SetDomainTtl>::new(),
        typed: RwSignal::new(None),
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = ttl.action.value().get() {
            ttl.typed.set(None);
            changed.update(|n| *n += 1);
        }
    });
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let tab_link = move |slug: &'static str, label: fn() -> (&'static str, &'static str)| {
        let (zh, en) = label();
        let text = t(zh, en);
        view! {
            <a
                href=move || {
                    if slug.is_empty() {
                        format!("/domains/{}", domain.get())
                    } else {
                        format!("/domains/{}/{slug}", domain.get())
                    }
                }
                class="tab"
                aria-current=move || (tab.get() == slug).then_some("page")
            >
                {text}
            </a>
        }
    };
    view! {
        <Title text=move || format!("{} · ITM", domain.get()) />
        <section class="domain card" data-ready=move || ready.get().to_string()>
            <p class="crumbs">
                <a href="/">{t("域名", "Domains")}</a>
                " / "
            </p>
            <h1 data-testid="domain-name">{move || domain.get()}</h1>
            <Transition fallback=|| ()>
                {move || {
                    details
                        .get()
                        .map(|r| match r {
                            Err(e) => alert_error(&e),
                            Ok(d) => {
                                let cname = d.summary.cname.clone();
                                let quarantine = d.quarantine.clone().map(|q| view! {
                                    <p class="error quarantine" role="alert">
                                        {t(
                                            "已隔离：存储的调度策略无法加载，DNS 按上次可用的配置应答（没有则返回 SERVFAIL）。原因：",
                                            "Quarantined: the stored strategy cannot be loaded; DNS answers from the last good build (SERVFAIL without one). Why: ",
                                        )}
                                        {q.reason}
                                    </p>
                                });
                                view! {
                                    {quarantine}
                                    <dl class="facts">
                                        <dt>"CNAME"</dt>
                                        <dd class="cname">
                                            {if cname.is_empty() {
                                                view! {
                                                    <span>{t("非 ITM 域名（NS 委派）", "non-ITM domain (NS delegation)")}</span>
                                                    <NameServers names=d.name_servers.clone() />
                                                }.into_any()
                                            } else {
                                                view! { <span class="value">{cname.clone()}</span> <CopyButton text=cname.clone() /> }.into_any()
                                            }}
                                        </dd>
                                        <dt>{t("调度", "Scheduling")}</dt>
                                        <dd class="status">{status_label(d.summary.status)}</dd>
                                        <dt>{t("监控", "Monitor")}</dt>
                                        <dd class="monitor">{monitor_label(d.summary.monitor_status, d.endpoint_count, d.down_count)}</dd>
                                        <dt>"TTL"</dt>
                                        <dd class="ttl"><TtlField domain=domain.get() stored=d.ttl edit=ttl /></dd>
                                        <dt>{t("端点数", "Endpoints")}</dt>
                                        <dd class="count">{d.endpoint_count}</dd>
                                        <dt>{t("策略版本", "Strategy version")}</dt>
                                        <dd class="version">{d.strategy_version.map_or_else(|| "—".to_owned(), |v| v.to_string())}</dd>
                                    </dl>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            <nav class="tabs">
                {tab_link("", || ("端点", "Endpoints"))}
                {tab_link("monitor", || ("监控", "Monitor"))}
                <a href=move || format!("/domains/{}/strategy", domain.get()) class="tab">
                    {t("调度策略配置", "Strategy editor")}
                </a>
                {tab_link("results", || ("调度结果", "Scheduling results"))}
                {tab_link("notify", || ("通知", "Notifications"))}
            </nav>
        </section>
        {move || {
            let domain = domain.get();
            match tab.get().as_str() {
                "monitor" => view! { <MonitorTab domain /> }.into_any(),
                "results" => view! { <ResultsTab domain /> }.into_any(),
                "notify" => view! { <DomainNotifyTab domain /> }.into_any(),
                _ => view! { <EndpointsTab domain /> }.into_any(),
            }
        }}
    }
}

/// The name servers a delegated domain's NS records should name, to copy into its parent zone.
#[component]
fn NameServers(names: Vec<String>) -> impl IntoView {
    (!names.is_empty()).then(|| {
        view! {
            <p class="hint">
                {t(
                    "在上级域名处把本域名的 NS 记录设为：",
                    "In the parent zone, set this name's NS records to:",
                )}
            </p>
            <ul class="name-servers">
                {names.into_iter().map(|n| view! { <li><code>{n.clone()}</code> " " <CopyButton text=n /></li> }).collect_view()}
            </ul>
        }
    })
}

/// The TTL form's state, kept above the facts (which are drawn again on every change), so what
/// was typed survives a refresh and a refused save.
#[derive(Clone, Copy)]
struct TtlEdit {
    action: ServerAction<SetDomainTtl>,
    /// What the user typed and has not saved yet (None: show the stored TTL).
    typed: RwSignal<Option<String>>,
}

/// The TTL of the domain's answers: a number for readers, a field for writers; a refused value
/// keeps its text and shows why beside it.
#[component]
fn TtlField(domain: String, stored: u32, edit: TtlEdit) -> impl IntoView {
    let TtlEdit { action, typed } = edit;
    if !current_user().is_some_and(|m| m.can_write) {
        return view! { <span class="value">{stored}</span> }.into_any();
    }
    let error = move || match action.value().get() {
        Some(Err(e)) if typed.get().is_some() => Some(error_text(&e)),
        _ => None,
    };
    view! {
        <ActionForm action attr:class="ttl-form">
            <input type="hidden" name="domain" value=domain />
            <input
                type="text"
                inputmode="numeric"
                name="ttl"
                aria-label=t("TTL（秒）", "TTL (seconds)")
                prop:value=move || typed.get().unwrap_or_else(|| stored.to_string())
                on:input=move |ev| typed.set(Some(event_target_value(&ev)))
            />
            <span class="unit">{t("秒", "s")}</span>
            <button type="submit" disabled=move || action.pending().get()>
                {t("保存 TTL", "Save TTL")}
            </button>
            {move || error().map(|m| view! { <span class="field-error" data-field="ttl" role="alert">{m}</span> })}
        </ActionForm>
    }
    .into_any()
}
