//! The home page: the account's domains — name, CNAME (with a copy button), scheduling and
//! monitor status, endpoint count, last change — searched and paged (`?q=&page=`), with
//! start / pause / stop / delete (delete asks for confirmation) and "add a domain" (ITM or
//! non-ITM) with the seed's CNAME instructions. Rendered on the server with its data; the forms
//! work before the wasm has loaded.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::model::{DomainPage, DomainRow, DomainStatus, MonitorStatus, NameClaim, Verification};
use crate::ui::i18n::{lang, t};
use crate::ui::live::{Shows, version_of_any};
use crate::ui::server_fns::domain_admin::{
    CreateDomain, DeleteDomain, SetDomainStatus, VerifyDomain, list_domains,
};
use crate::ui::widgets::{
    CopyButton, Writable, alert, confirm_delete, current_user, error_text, first_error, loading,
    percent_encode, time_text,
};

#[component]
pub fn DomainsPage() -> impl IntoView {
    let create = ServerAction::<CreateDomain>::new();
    let status = ServerAction::<SetDomainStatus>::new();
    let delete = ServerAction::<DeleteDomain>::new();
    let verify = ServerAction::<VerifyDomain>::new();
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    // The list reads again when any of the account's domains changes or flips health.
    let live = version_of_any(&[Shows::Config, Shows::Health]);
    let list = Resource::new(
        move || {
            (
                search(),
                page(),
                create.version().get(),
                status.version().get(),
                delete.version().get(),
                verify.version().get(),
                live.get(),
            )
        },
        |(search, page, ..)| list_domains(search, page),
    );
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let failure = move || {
        first_error(&[
            create.value().get().map(|r| r.map(drop)),
            status.value().get(),
            delete.value().get(),
            verify.value().get().map(|r| r.map(drop)),
        ])
    };
    view! {
        <Title text="域名 Domains · ITM" />
        <section class="domains card" data-ready=move || ready.get().to_string()>
            <h1>{t("域名", "Domains")}</h1>
            <Writable>
                <ActionForm action=create attr:class="add-domain">
                    <label>
                        {t("新域名", "New domain")}
                        <input type="text" name="domain" placeholder="www.example.com" required />
                    </label>
                    <label class="check">
                        <input type="checkbox" name="itm" value="on" checked />
                        {t("ITM 域名（生成 CNAME）", "ITM domain (gets a CNAME)")}
                    </label>
                    <button type="submit">{t("添加", "Add")}</button>
                </ActionForm>
                <p class="hint">
                    {t(
                        "ITM 域名：在您的 DNS 服务商处把您的域名 CNAME 到下表的 CNAME 值。非 ITM 域名：发布下表给出的 TXT 记录以证明您控制该域名，再把该域名的 NS 委派给 ITM 的名称服务器。",
                        "ITM domain: at your DNS provider, point your name (CNAME) at the value in the CNAME column. Non-ITM domain: publish the TXT record shown below to prove you control the name, then delegate the name (NS) to ITM's name servers.",
                    )}
                </p>
            </Writable>
            {move || failure().map(alert)}
            <form method="get" action="/" class="search">
                <input
                    type="search"
                    name="q"
                    aria-label=t("搜索域名", "Search domains")
                    placeholder=t("搜索域名", "Search domains")
                    value=search
                    prop:value=search
                />
                <button type="submit">{t("搜索", "Search")}</button>
            </form>
            <Transition fallback=loading>
                {move || {
                    list.get()
                        .map(|result| match result {
                            Err(e) => {
                                view! {
                                    <p class="error" role="alert">
                                        {error_text(&e)} " " <a href="/login">{t("登录", "Log in")}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(p) if p.total == 0 && search().is_empty() => {
                                view! {
                                    <p class="empty">
                                        {t(
                                            "还没有域名：在上面添加第一个。",
                                            "No domains yet: add the first one above.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(p) if p.total == 0 => {
                                view! {
                                    <p class="empty">
                                        {t("没有匹配的域名。", "No domain matches.")}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(p) => {
                                view! {
                                    <DomainTable
                                        rows=p.rows.clone()
                                        can_write=current_user().is_some_and(|m| m.can_write)
                                        status
                                        delete
                                        verify
                                    />
                                    <Pager page=p search=search() />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn Pager(page: DomainPage, search: String) -> impl IntoView {
    let lang = lang();
    let link = move |n: u32| format!("/?q={}&page={n}", percent_encode(&search));
    let previous = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < page.pages).then(|| link(page.page + 1));
    view! {
        <nav class="pager" aria-label="pages">
            {previous.map(|href| view! { <a href=href rel="prev">{t("上一页", "Previous")}</a> })}
            <span class="page-of">
                {move || {
                    lang.get()
                        .pick(
                            format!("第 {} / {} 页，共 {} 个域名", page.page, page.pages, page.total),
                            format!("Page {} of {}, {} domains", page.page, page.pages, page.total),
                        )
                }}
            </span>
            {next.map(|href| view! { <a href=href rel="next">{t("下一页", "Next")}</a> })}
        </nav>
    }
}

#[component]
fn DomainTable(
    rows: Vec<DomainRow>,
    /// Whether to offer the write actions (one check for the table, not a Transition per row).
    can_write: bool,
    status: ServerAction<SetDomainStatus>,
    delete: ServerAction<DeleteDomain>,
    verify: ServerAction<VerifyDomain>,
) -> impl IntoView {
    view! {
        <table class="domain-list">
            <thead>
                <tr>
                    <th>{t("域名", "Domain")}</th>
                    <th>"CNAME"</th>
                    <th>{t("调度", "Scheduling")}</th>
                    <th>{t("监控", "Monitor")}</th>
                    <th>{t("资源状态", "Resource")}</th>
                    <th>{t("端点", "Endpoints")}</th>
                    <th>{t("最近修改", "Last change")}</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| view! { <DomainLine row can_write status delete verify /> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn DomainLine(
    row: DomainRow,
    can_write: bool,
    status: ServerAction<SetDomainStatus>,
    delete: ServerAction<DeleteDomain>,
    verify: ServerAction<VerifyDomain>,
) -> impl IntoView {
    let d = row.summary;
    let name = d.domain.clone();
    let current = d.status;
    let actions = {
        let name = name.clone();
        move || {
            [DomainStatus::Start, DomainStatus::Pause, DomainStatus::Stop]
                .into_iter()
                .filter(|s| *s != current)
                .map(|s| {
                    let name = name.clone();
                    view! {
                        <ActionForm action=status attr:class="inline">
                            <input type="hidden" name="domain" value=name />
                            <input type="hidden" name="status" value=s.code() />
                            <button type="submit">{status_action(s)}</button>
                        </ActionForm>
                    }
                })
                .collect_view()
        }
    };
    let confirm_name = name.clone();
    let cname = d.cname.clone();
    view! {
        <tr data-domain=name.clone()>
            <td class="name">
                <a href=format!("/domains/{name}")>{name.clone()}</a>
            </td>
            <td class="cname">
                <span class="value">{cname.clone()}</span>
                {(!cname.is_empty()).then(|| view! { <CopyButton text=cname.clone() /> })}
                {d.verification.clone().map(|v| view! { <Proof v domain=name.clone() can_write verify /> })}
            </td>
            <td class="status">{status_label(d.status)}</td>
            <td class="monitor">{monitor_label(d.monitor_status, row.endpoint_count, row.down_count)}</td>
            <td class="resource">{d.resource_status.clone()}</td>
            <td class="count">{row.endpoint_count}</td>
            <td class="changed">{time_text(row.updated_at)}</td>
            <td class="actions">
                {can_write.then(|| view! {
                    {actions.clone()}
                    {confirm_delete!(delete, domain = confirm_name)}
                })}
            </td>
        </tr>
    }
}

/// A delegated name's proof of control: the TXT record to publish while it is pending (with a
/// button to look for it now), or why it is not served.
#[component]
fn Proof(
    v: Verification,
    domain: String,
    can_write: bool,
    verify: ServerAction<VerifyDomain>,
) -> impl IntoView {
    match v.status {
        NameClaim::Active => {
            view! { <span class="claim active">{t("已验证", "Verified")}</span> }.into_any()
        }
        NameClaim::Conflict => view! {
            <span class="claim conflict" title=t(
                "该名称位于为他人服务的区域之下，不予解析",
                "The name lies under a zone served for someone else; it is not answered",
            )>{t("冲突，不解析", "Conflict: not answered")}</span>
        }
        .into_any(),
        NameClaim::Pending => {
            let record = format!("{} TXT \"{}\"", v.txt_name, v.txt_value);
            view! {
                <div class="claim pending">
                    <span>{t("待验证：发布 TXT 记录", "Pending: publish the TXT record")}</span>
                    <code class="txt">{record.clone()}</code>
                    <CopyButton text=record />
                    {can_write.then(|| view! {
                        <ActionForm action=verify attr:class="inline">
                            <input type="hidden" name="domain" value=domain.clone() />
                            <button type="submit">{t("立即验证", "Verify now")}</button>
                        </ActionForm>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

fn status_action(status: DomainStatus) -> impl Fn() -> &'static str + Copy {
    match status {
        DomainStatus::Pause => t("暂停", "Pause"),
        DomainStatus::Stop => t("停止", "Stop"),
        _ => t("启动", "Start"),
    }
}

pub fn status_label(status: DomainStatus) -> impl Fn() -> &'static str + Copy {
    match status {
        DomainStatus::Unscheduled => t("未调度", "Not scheduled"),
        DomainStatus::Start => t("运行", "Started"),
        DomainStatus::Pause => t("暂停", "Paused"),
        DomainStatus::Stop => t("停止", "Stopped"),
    }
}

/// The monitor column: the seed's ok / fail, and "degraded" when only some of the endpoints
/// are down (the API's `monitorStatus` stays the seed's `fail`).
pub fn monitor_label(
    status: MonitorStatus,
    endpoints: u32,
    down: u32,
) -> impl Fn() -> &'static str + Copy {
    match status {
        MonitorStatus::Ok => t("正常", "OK"),
        MonitorStatus::Fail if down > 0 && down < endpoints => t("部分异常", "Degraded"),
        MonitorStatus::Fail => t("异常", "Failing"),
        MonitorStatus::Unknown => t("—", "—"),
    }
}
