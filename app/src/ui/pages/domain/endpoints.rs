//! A domain's endpoints: the list with live status and the latest probe per monitor point, add
//! (area and ISP detected from the IP as you type), edit, delete with confirmation, and import
//! (paste or upload a list, preview with detected places and per-line errors, then one
//! all-or-nothing request).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::model::{
    EndpointRecord, EndpointStatus, ImportLine, ImportProblem, IpPlace, ProbeRecord, TagProblem,
    mark_stored, parse_import,
};
use crate::strategy::{AREAS, Area, EndpointKind, Isp};
use crate::ui::error::ConsoleError;
use crate::ui::i18n::{area_name, isp_name, lang, t};
use crate::ui::live::{Shows, held_while_open, version_for};
use crate::ui::server_fns::endpoint_admin::{
    AddEndpoint, DeleteEndpoint, EditEndpoint, add_endpoints, list_endpoints, locate,
};
use crate::ui::server_fns::monitor_admin::probes;
use crate::ui::widgets::{
    Writable, alert, alert_error, confirm_delete, error_text, first_error, loading,
};

#[component]
pub fn EndpointsTab(domain: String) -> impl IntoView {
    let add = ServerAction::<AddEndpoint>::new();
    // Bumped by an edit form when its save succeeds (each form has its own action, so a refused
    // save stays in its open form and redraws nothing).
    let edited = RwSignal::new(0_u32);
    let delete = ServerAction::<DeleteEndpoint>::new();
    let imported = RwSignal::new(0_u32);
    // Every change this tab makes: the list, the latest probes and the domain's facts follow it.
    let changes = Memo::new(move |_| {
        add.version().get()
            + edited.get() as usize
            + delete.version().get()
            + imported.get() as usize
    });
    // Others' changes and new probes arrive live, but not while an edit form is open: the
    // rows would be drawn afresh and the form closed.
    let edit_toggled = RwSignal::new(0_u32);
    provide_context(EditToggled(edit_toggled));
    let live = |shows| {
        let domain = domain.clone();
        held_while_open(
            version_for(move || domain.clone(), shows),
            OPEN_EDIT,
            edit_toggled,
        )
    };
    let (live_rows, live_probes) = (
        live(&[Shows::Config, Shows::Health]),
        live(&[Shows::Probes]),
    );
    let list = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), changes.get(), live_rows.get())
        },
        |(domain, ..)| list_endpoints(domain),
    );
    let recent = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), changes.get(), live_probes.get())
        },
        |(domain, ..)| probes(domain, 10),
    );
    super::refresh_facts_on(move || changes.get());
    // The add form says its field errors beside the field.
    let failure = move || {
        first_error(&[
            add.value()
                .get()
                .filter(|r| r.as_ref().err().and_then(ConsoleError::field).is_none()),
            delete.value().get(),
        ])
    };
    let import_domain = domain.clone();
    view! {
        <section class="endpoints card">
            <h2>{t("端点", "Endpoints")}</h2>
            <p class="hint">
                {t(
                    "调度策略要求至少一个 A 类型端点。标签的多个关键字用分号 ; 分隔。",
                    "A strategy needs at least one A endpoint. Separate a tag's keywords with ';'.",
                )}
            </p>
            <Writable>
                <AddForm domain=domain.clone() add />
            </Writable>
            {move || failure().map(alert)}
            <Transition fallback=loading>
                {move || {
                    list.get()
                        .map(|r| match r {
                            Err(e) => alert_error(&e),
                            Ok(rows) if rows.is_empty() => {
                                view! {
                                    <p class="empty">
                                        {t(
                                            "还没有端点：添加服务器的 IP，或在下面导入一个列表。",
                                            "No endpoints yet: add a server's IP, or import a list below.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(rows) => {
                                let latest = latest_probes(
                                    recent.get().and_then(Result::ok).unwrap_or_default(),
                                );
                                view! { <EndpointTable rows latest edited delete /> }.into_any()
                            }
                        })
                }}
            </Transition>
        </section>
        <Writable>
            <ImportPanel domain=import_domain.clone() imported />
        </Writable>
    }
}

/// Per endpoint, the newest probe of each point.
fn latest_probes(probes: Vec<ProbeRecord>) -> BTreeMap<String, Vec<ProbeRecord>> {
    let mut latest: BTreeMap<String, Vec<ProbeRecord>> = BTreeMap::new();
    // Newest first: the first probe seen for a point is its latest.
    for p in probes {
        let points = latest.entry(p.endpoint.clone()).or_default();
        if !points.iter().any(|q| q.point == p.point) {
            points.push(p);
        }
    }
    latest
}

fn probe_text(p: &ProbeRecord) -> String {
    let code = p.http_status.map(|c| c.to_string());
    let what = code
        .or_else(|| p.failure.clone())
        .unwrap_or_else(|| if p.ok { "ok".into() } else { "fail".into() });
    match p.latency_ms {
        Some(ms) => format!("{}: {what} {ms} ms", p.point),
        None => format!("{}: {what}", p.point),
    }
}

pub fn area_label(code: &str) -> String {
    Area::from_code(code).map_or_else(|| code.to_owned(), |a| format!("{} {}", area_name(a), code))
}

pub fn isp_label(code: &str) -> String {
    Isp::from_code(code).map_or_else(|| code.to_owned(), |i| format!("{} {}", isp_name(i), code))
}

#[component]
fn EndpointTable(
    rows: Vec<EndpointRecord>,
    latest: BTreeMap<String, Vec<ProbeRecord>>,
    edited: RwSignal<u32>,
    delete: ServerAction<DeleteEndpoint>,
) -> impl IntoView {
    view! {
        <table class="endpoint-list">
            <thead>
                <tr>
                    <th>{t("端点", "Endpoint")}</th>
                    <th>{t("类型", "Type")}</th>
                    <th>{t("地区", "Area")}</th>
                    <th>{t("运营商", "ISP")}</th>
                    <th>{t("标签", "Tag")}</th>
                    <th>{t("状态", "Status")}</th>
                    <th>{t("最近探测", "Latest probes")}</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|e| {
                        let probes = latest.get(&e.endpoint).cloned().unwrap_or_default();
                        view! { <EndpointLine e probes edited delete /> }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn EndpointLine(
    e: EndpointRecord,
    probes: Vec<ProbeRecord>,
    edited: RwSignal<u32>,
    delete: ServerAction<DeleteEndpoint>,
) -> impl IntoView {
    let status = match e.status {
        EndpointStatus::Ok => t("健康", "Up"),
        EndpointStatus::Fail => t("异常", "Down"),
        EndpointStatus::Unknown => t("未知", "Unknown"),
    };
    let status_class = format!(
        "status {}",
        serde_json::to_string(&e.status)
            .unwrap_or_default()
            .trim_matches('"')
    );
    let (record, domain, value) = (e.clone(), e.domain.clone(), e.endpoint.clone());
    view! {
        <tr data-endpoint=e.endpoint.clone()>
            <td class="value">{e.endpoint.clone()}</td>
            <td class="type">{e.kind.clone()}</td>
            <td class="area">
                {
                    let area = e.area.clone();
                    move || area_label(&area)
                }
            </td>
            <td class="isp">
                {
                    let isp = e.isp.clone();
                    move || isp_label(&isp)
                }
            </td>
            <td class="tag">{e.tag.clone()}</td>
            <td class=status_class>{status}</td>
            <td class="probes">
                {probes.iter().map(|p| view! { <div class=if p.ok { "probe ok" } else { "probe failed" }>{probe_text(p)}</div> }).collect_view()}
            </td>
            <td class="actions">
                <Writable>
                    <EditForm edited endpoint=record.clone() />
                    {confirm_delete!(delete, domain = domain, endpoint = value)}
                </Writable>
            </td>
        </tr>
    }
}

/// An open edit form in the endpoint list.
const OPEN_EDIT: &str = ".endpoint-list details.edit[open]";

/// Bumped when an edit form opens or closes.
#[derive(Clone, Copy)]
struct EditToggled(RwSignal<u32>);

/// An endpoint's area, ISP and tag, behind "Edit". A refused save keeps the form open with what
/// was typed and says why beside the field the server names (or under the form).
#[component]
fn EditForm(edited: RwSignal<u32>, endpoint: EndpointRecord) -> impl IntoView {
    let edit = ServerAction::<EditEndpoint>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = edit.value().get() {
            edited.update(|n| *n += 1);
        }
    });
    let refused = move |field: &'static str| {
        move || match edit.value().get() {
            Some(Err(e)) if e.field() == Some(field) => Some(view! {
                <span class="field-error" data-field=field role="alert">{error_text(&e)}</span>
            }),
            _ => None,
        }
    };
    let other_error = move || match edit.value().get() {
        Some(Err(e)) if !matches!(e.field(), Some("tag" | "area" | "isp")) => {
            Some(view! { <p class="error" role="alert">{error_text(&e)}</p> })
        }
        _ => None,
    };
    let EndpointRecord {
        domain,
        endpoint,
        area,
        isp,
        tag,
        ..
    } = endpoint;
    let toggled = use_context::<EditToggled>();
    let on_toggle = move |_| {
        if let Some(EditToggled(n)) = toggled {
            n.update(|n| *n += 1);
        }
    };
    view! {
        <details class="edit" on:toggle=on_toggle>
            <summary>{t("编辑", "Edit")}</summary>
            <ActionForm action=edit attr:class="edit-endpoint">
                <input type="hidden" name="domain" value=domain />
                <input type="hidden" name="endpoint" value=endpoint />
                <PlaceSelects area=RwSignal::new(area) isp=RwSignal::new(isp) />
                {refused("area")}
                {refused("isp")}
                <label>
                    {t("标签", "Tag")} <input type="text" name="tag" value=tag /> {refused("tag")}
                </label>
                <button type="submit" disabled=move || edit.pending().get()>{t("保存", "Save")}</button>
                {other_error}
            </ActionForm>
        </details>
    }
}

/// The area and ISP selects of a form (names `area`, `isp`; empty = detect from the IP).
#[component]
fn PlaceSelects(area: RwSignal<String>, isp: RwSignal<String>) -> impl IntoView {
    let lang = lang();
    view! {
        <label>
            {t("地区", "Area")}
            <select name="area" prop:value=move || area.get() on:change=move |ev| area.set(event_target_value(&ev))>
                <option value="">{t("按 IP 自动识别", "Detect from the IP")}</option>
                {AREAS
                    .iter()
                    .map(|a| {
                        view! {
                            <option value=a.code selected=move || area.get() == a.code>
                                {move || lang.get().pick(a.name_zh, a.name_en)} " (" {a.code} ")"
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
        <label>
            {t("运营商", "ISP")}
            <select name="isp" prop:value=move || isp.get() on:change=move |ev| isp.set(event_target_value(&ev))>
                <option value="">{t("按 IP 自动识别", "Detect from the IP")}</option>
                {Isp::ALL
                    .into_iter()
                    .map(|i| {
                        view! {
                            <option value=i.code() selected=move || isp.get() == i.code()>
                                {move || isp_name(i)} " (" {i.code()} ")"
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn AddForm(domain: String, add: ServerAction<AddEndpoint>) -> impl IntoView {
    let refused = move |field: &'static str| {
        move || match add.value().get() {
            Some(Err(e)) if e.field() == Some(field) => Some(view! {
                <span class="field-error" data-field=field role="alert">{error_text(&e)}</span>
            }),
            _ => None,
        }
    };
    let area = RwSignal::new(String::new());
    let isp = RwSignal::new(String::new());
    let detected = RwSignal::new(None::<IpPlace>);
    // What detection put into the selects: taken back when the endpoint changes, so a place
    // detected for an old address never stays selected for a host name or an empty field. A
    // place the user chose is theirs and stays.
    let filled = RwSignal::new(None::<(String, String)>);
    let asked = RwSignal::new(0_u32);
    let forget_filled = move || {
        if let Some((was_area, was_isp)) = filled.get_untracked() {
            if area.get_untracked() == was_area {
                area.set(String::new());
            }
            if isp.get_untracked() == was_isp {
                isp.set(String::new());
            }
            filled.set(None);
        }
    };
    let detect = move |value: String| {
        asked.update(|n| *n += 1);
        let ask = asked.get_untracked();
        forget_filled();
        detected.set(None);
        if value.trim().parse::<std::net::IpAddr>().is_err() {
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(mut places) = locate(vec![value]).await else {
                return;
            };
            // An answer for an address typed over since is not this field's.
            let Some(place) = places.pop().filter(|_| asked.get_untracked() == ask) else {
                return;
            };
            // Only a real placement fills the selects, and only those the user left empty;
            // otherwise the server decides.
            if place.known {
                let fill = |select: RwSignal<String>, value: &str| {
                    let empty = select.get_untracked().is_empty();
                    if empty {
                        select.set(value.to_owned());
                    }
                    if empty {
                        value.to_owned()
                    } else {
                        String::new()
                    }
                };
                filled.set(Some((fill(area, &place.area), fill(isp, &place.isp))));
            }
            detected.set(Some(place));
        });
    };
    view! {
        <ActionForm action=add attr:class="add-endpoint">
            <input type="hidden" name="domain" value=domain />
            <label>
                {t("端点（IP 或域名）", "Endpoint (IP or host name)")}
                <input
                    type="text"
                    name="endpoint"
                    required
                    placeholder="1.2.3.4"
                    on:input=move |ev| detect(event_target_value(&ev))
                />
                {refused("endpoint")}
            </label>
            <PlaceSelects area isp />
            {refused("area")}
            {refused("isp")}
            <label>
                {t("标签", "Tag")}
                <input type="text" name="tag" placeholder="idc-a;primary" />
                {refused("tag")}
            </label>
            <button type="submit">{t("添加端点", "Add endpoint")}</button>
            <span class="detected" data-testid="detected">
                {move || {
                    detected
                        .get()
                        .map(|p| {
                            if p.known {
                                format!("{} · {}", area_label(&p.area), isp_label(&p.isp))
                            } else {
                                "?".to_owned()
                            }
                        })
                }}
            </span>
        </ActionForm>
    }
}

/// The import: the text, its checked lines with detected places, and the import itself.
#[component]
fn ImportPanel(domain: String, imported: RwSignal<u32>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let preview = RwSignal::new(Vec::<(ImportLine, Option<IpPlace>)>::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<usize, String>>);
    let lang = lang();
    let domain_for_preview = domain.clone();
    let run_preview = move || {
        let mut lines = parse_import(&text.get_untracked(), &domain_for_preview);
        let domain = domain_for_preview.clone();
        outcome.set(None);
        leptos::task::spawn_local(async move {
            // The domain's endpoints as they are now: importing one again would fail the whole
            // list, so the preview says which are there already and leaves them out.
            match list_endpoints(domain).await {
                Ok(stored) => mark_stored(&mut lines, stored.iter().map(|e| e.endpoint.as_str())),
                Err(e) => outcome.set(Some(Err(error_text(&e)))),
            }
            let addresses: Vec<String> = lines
                .iter()
                .filter_map(|l| l.result.as_ref().ok())
                .filter(|e| e.area.is_none() || e.isp.is_none())
                .map(|e| e.endpoint.clone())
                .collect();
            let places = if addresses.is_empty() {
                Ok(Vec::new())
            } else {
                locate(addresses.clone()).await
            };
            let by_address: BTreeMap<String, IpPlace> = addresses
                .into_iter()
                .zip(places.unwrap_or_default())
                .collect();
            preview.set(
                lines
                    .into_iter()
                    .map(|l| {
                        let place = l
                            .result
                            .as_ref()
                            .ok()
                            .and_then(|e| by_address.get(&e.endpoint).cloned());
                        (l, place)
                    })
                    .collect(),
            );
        });
    };
    let valid = move || preview.with(|p| p.iter().filter(|(l, _)| l.result.is_ok()).count());
    let run_import = move || {
        let lines: Vec<ImportLine> = preview
            .get_untracked()
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        let inputs: Vec<_> = lines.iter().filter_map(|l| l.result.clone().ok()).collect();
        let line_numbers: Vec<usize> = lines
            .iter()
            .filter(|l| l.result.is_ok())
            .map(|l| l.line)
            .collect();
        let count = inputs.len();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = add_endpoints(inputs).await.map_err(|e| {
                with_line_number(&error_text(&e), &line_numbers, lang.get_untracked())
            });
            busy.set(false);
            if result.is_ok() {
                preview.set(Vec::new());
                text.set(String::new());
                imported.update(|n| *n += 1);
            }
            outcome.set(Some(result.map(|()| count)));
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                leptos::task::spawn_local(async move {
                    if let Ok(content) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                        && let Some(content) = content.as_string()
                    {
                        text.set(content);
                        preview.set(Vec::new());
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="import card">
            <h2>{t("导入端点", "Import endpoints")}</h2>
            <p class="hint">
                {t(
                    "每行一个端点，或 CSV：endpoint,area,isp,tag（地区和运营商可省略，按 IP 自动识别）。",
                    "One endpoint per line, or CSV: endpoint,area,isp,tag (area and ISP may be left out: detected from the IP).",
                )}
            </p>
            <textarea
                id="import-text"
                aria-label=t("端点列表", "Endpoint list")
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    preview.set(Vec::new());
                }
            ></textarea>
            <div class="import-actions">
                <input type="file" accept=".csv,.txt,text/plain,text/csv" aria-label=t("上传文件", "Upload a file") on:change=on_file />
                <button type="button" on:click=move |_| run_preview()>{t("预览", "Preview")}</button>
                <Show when=move || { valid() > 0 }>
                    <button type="button" class="primary" disabled=move || busy.get() on:click=move |_| run_import()>
                        {move || lang.get().pick(format!("导入 {} 个有效端点", valid()), format!("Import {} valid endpoints", valid()))}
                    </button>
                </Show>
                <Show when=move || busy.get()>
                    <span class="progress" role="status">
                        <progress></progress>
                        {move || lang.get().pick(format!("正在导入 {} 个端点…", valid()), format!("Importing {} endpoints…", valid()))}
                    </span>
                </Show>
            </div>
            {move || {
                outcome.get().map(|o| match o {
                    Ok(n) => view! { <p class="ok" role="status">{move || lang.get().pick(format!("已导入 {n} 个端点。"), format!("Imported {n} endpoints."))}</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                })
            }}
            <Show when=move || preview.with(|p| !p.is_empty())>
                <table class="import-preview">
                    <thead>
                        <tr>
                            <th>{t("行", "Line")}</th>
                            <th>{t("端点", "Endpoint")}</th>
                            <th>{t("地区", "Area")}</th>
                            <th>{t("运营商", "ISP")}</th>
                            <th>{t("标签", "Tag")}</th>
                            <th>{t("检查", "Check")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || preview.get().into_iter().map(|(l, place)| preview_row(l, place)).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

fn preview_row(line: ImportLine, place: Option<IpPlace>) -> impl IntoView {
    match line.result {
        Ok(e) => {
            let detected =
                |given: &Option<String>, found: Option<String>, label: fn(&str) -> String| match (
                    given, found,
                ) {
                    (Some(code), _) => label(code),
                    (None, Some(code)) => format!("{} ✓", label(&code)),
                    (None, None) => "—".to_owned(),
                };
            let place = place.filter(|p| p.known);
            let area = detected(&e.area, place.as_ref().map(|p| p.area.clone()), area_label);
            let isp = detected(&e.isp, place.as_ref().map(|p| p.isp.clone()), isp_label);
            view! {
                <tr class="valid" data-line=line.line>
                    <td>{line.line}</td>
                    <td>{e.endpoint}</td>
                    <td>{area}</td>
                    <td>{isp}</td>
                    <td>{e.tag}</td>
                    <td>"OK"</td>
                </tr>
            }
            .into_any()
        }
        Err(problem) => {
            let class = if matches!(problem, ImportProblem::Stored(_)) {
                "invalid stored"
            } else {
                "invalid"
            };
            view! {
                <tr class=class data-line=line.line>
                    <td>{line.line}</td>
                    <td colspan="4">{line.text}</td>
                    <td class="error">{move || import_problem_text(&problem, lang().get())}</td>
                </tr>
            }
            .into_any()
        }
    }
}

fn import_problem_text(problem: &ImportProblem, lang: crate::ui::i18n::Lang) -> String {
    match problem {
        ImportProblem::Columns(n) => lang.pick(
            format!("有 {n} 列；应为 endpoint[,area[,isp[,tag]]]"),
            format!("{n} columns; expected endpoint[,area[,isp[,tag]]]"),
        ),
        ImportProblem::Endpoint { value, kind } => {
            let (zh, en) = match kind {
                EndpointKind::A => ("IPv4 地址", "an IPv4 address"),
                EndpointKind::Aaaa => ("IPv6 地址", "an IPv6 address"),
                EndpointKind::Cname => ("域名", "a host name"),
            };
            lang.pick(
                format!("端点：“{value}”不是有效的{zh}"),
                format!("endpoint: \"{value}\" is not {en}"),
            )
        }
        ImportProblem::UnknownArea(a) => lang.pick(
            format!("地区：未知的地区“{a}”"),
            format!("area: unknown area \"{a}\""),
        ),
        ImportProblem::UnknownIsp(i) => lang.pick(
            format!("运营商：未知的运营商“{i}”（ct、cu、cm、cernet、other）"),
            format!("isp: unknown ISP \"{i}\" (ct, cu, cm, cernet, other)"),
        ),
        ImportProblem::Tag(TagProblem::TooLong) => lang
            .pick("标签：超过 255 个字符", "tag: longer than 255 characters")
            .to_owned(),
        ImportProblem::Tag(TagProblem::ControlCharacter) => lang
            .pick("标签：含有控制字符", "tag: contains a control character")
            .to_owned(),
        ImportProblem::Tag(TagProblem::EmptyKeyword) => lang
            .pick(
                "标签：有空的关键字（关键字用分号 ; 分隔）",
                "tag: has an empty keyword (keywords are separated by ';')",
            )
            .to_owned(),
        ImportProblem::ListedTwice(e) => lang.pick(
            format!("“{e}”在列表中出现了两次"),
            format!("\"{e}\" is listed twice"),
        ),
        ImportProblem::Stored(e) => lang.pick(
            format!("“{e}”已是这个域名的端点，不再导入"),
            format!("\"{e}\" is already an endpoint of this domain: left out"),
        ),
    }
}

/// The server names a refused element by its index (`[3].area: …`); say which line it was.
fn with_line_number(message: &str, lines: &[usize], lang: crate::ui::i18n::Lang) -> String {
    let index = message
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(i, _)| i.parse::<usize>().ok());
    match index.and_then(|i| lines.get(i)) {
        Some(line) => lang.pick(
            format!("第 {line} 行：{message}"),
            format!("line {line}: {message}"),
        ),
        None => message.to_owned(),
    }
}
