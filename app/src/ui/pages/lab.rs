//! The strategy lab: paste or edit a strategy JSON, see its validation messages and the answer
//! of every one of the 165 user groups, with what-if failures. The preview is computed in the
//! browser by the same evaluator the DNS server runs (compiled to wasm); before the page has
//! hydrated it says so instead of showing a stale table.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::strategy::{Family, Preview, Strategy, StrategyDocument, health_with_down};
use crate::ui::i18n::t;
use crate::ui::preview_table::{PreviewHead, PreviewRows};
use crate::ui::widgets::now_ms;

const EXAMPLE: &str = include_str!("lab_example.json");

/// What the lab shows for the current text, family and what-if failures.
#[derive(Clone, PartialEq, Debug, Default)]
struct Analysis {
    errors: Vec<String>,
    warnings: Vec<String>,
    /// Endpoint values, for the what-if toggles.
    endpoints: Vec<String>,
    preview: Option<Preview>,
}

fn analyse(text: &str, family: Family, down: &[String]) -> Analysis {
    let doc = match StrategyDocument::from_json(text) {
        Ok(doc) => doc,
        Err(e) => {
            return Analysis {
                errors: vec![format!("JSON: {e}")],
                ..Analysis::default()
            };
        }
    };
    let endpoints = doc.endpoints_conf.iter().map(|e| e.value.clone()).collect();
    match Strategy::compile(&doc) {
        Err(problems) => Analysis {
            errors: problems.errors.iter().map(ToString::to_string).collect(),
            warnings: problems.warnings.iter().map(ToString::to_string).collect(),
            endpoints,
            preview: None,
        },
        Ok(compiled) => {
            let (health, _) = health_with_down(&compiled.strategy, down.iter().map(String::as_str));
            Analysis {
                errors: Vec::new(),
                warnings: compiled.warnings.iter().map(ToString::to_string).collect(),
                endpoints,
                preview: Some(Preview::compute(&compiled.strategy, &health, family)),
            }
        }
    }
}

#[component]
pub fn LabPage() -> impl IntoView {
    let text = RwSignal::new(EXAMPLE.to_owned());
    let family = RwSignal::new(Family::A);
    let down = RwSignal::new(Vec::<String>::new());
    let hydrated = RwSignal::new(false);
    let elapsed_ms = RwSignal::new(0.0_f64);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| hydrated.set(true));
    let analysis = Memo::new(move |_| {
        if !hydrated.get() {
            return Analysis::default();
        }
        let start = now_ms();
        let result = analyse(&text.get(), family.get(), &down.get());
        elapsed_ms.set(now_ms() - start);
        result
    });

    view! {
        <Title text="策略实验室 · Strategy lab · ITM" />
        <section class="lab" data-ready=move || hydrated.get().to_string()>
            <div class="lab-editor card">
                <h1>{t("策略实验室", "Strategy lab")}</h1>
                <p class="hint">
                    {t(
                        "粘贴或编辑策略 JSON（与 GET /v1/domains/{domain}/strategy 相同的格式），即刻查看 165 个用户组的调度结果。",
                        "Paste or edit a strategy JSON (as GET /v1/domains/{domain}/strategy returns it) and see every user group's answer.",
                    )}
                </p>
                <textarea
                    id="strategy-json"
                    aria-label=t("策略 JSON", "Strategy JSON")
                    spellcheck="false"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                >
                    {EXAMPLE}
                </textarea>
                <Messages analysis />
            </div>
            <Show
                when=move || hydrated.get()
                fallback=|| {
                    view! {
                        <div class="card notice" id="needs-js">
                            {t(
                                "预览在浏览器中计算：正在加载评估器（需要启用 JavaScript）。",
                                "The preview is computed in your browser: loading the evaluator (JavaScript must be enabled).",
                            )}
                        </div>
                    }
                }
            >
                <div class="lab-preview card">
                    <Controls analysis family down elapsed_ms />
                    <PreviewTable analysis />
                </div>
            </Show>
        </section>
    }
}

#[component]
fn Messages(analysis: Memo<Analysis>) -> impl IntoView {
    view! {
        <ul class="messages" id="messages">
            {move || {
                let a = analysis.get();
                let errors = a.errors.into_iter().map(|m| view! { <li class="error">{m}</li> });
                let warnings = a.warnings.into_iter().map(|m| view! { <li class="warning">{m}</li> });
                (errors.collect_view(), warnings.collect_view())
            }}
        </ul>
    }
}

#[component]
fn Controls(
    analysis: Memo<Analysis>,
    family: RwSignal<Family>,
    down: RwSignal<Vec<String>>,
    elapsed_ms: RwSignal<f64>,
) -> impl IntoView {
    let toggle = move |value: String, checked: bool| {
        down.update(|d| {
            d.retain(|v| *v != value);
            if checked {
                d.push(value);
            }
        })
    };
    view! {
        <div class="controls">
            <label>
                {t("记录类型 ", "Record type ")}
                <select
                    id="family"
                    on:change=move |ev| {
                        family.set(Family::parse(&event_target_value(&ev)).unwrap_or(Family::A))
                    }
                >
                    <option value="A" selected=move || family.get() == Family::A>
                        "A"
                    </option>
                    <option value="AAAA" selected=move || family.get() == Family::Aaaa>
                        "AAAA"
                    </option>
                </select>
            </label>
            <fieldset class="what-if">
                <legend>{t("假设故障", "What if down")}</legend>
                {move || {
                    analysis
                        .get()
                        .endpoints
                        .into_iter()
                        .map(|value| {
                            let v = value.clone();
                            view! {
                                <label class="down-toggle">
                                    <input
                                        type="checkbox"
                                        data-endpoint=value.clone()
                                        prop:checked=move || down.get().contains(&v)
                                        on:change={
                                            let value = value.clone();
                                            move |ev| toggle(value.clone(), event_target_checked(&ev))
                                        }
                                    />
                                    {value.clone()}
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </fieldset>
            <span class="timing" id="timing">
                {move || format!("{:.2} ms", elapsed_ms.get())}
            </span>
        </div>
    }
}

#[component]
fn PreviewTable(analysis: Memo<Analysis>) -> impl IntoView {
    view! {
        <table class="preview" id="preview">
            <PreviewHead />
            <tbody>
                {move || analysis.get().preview.map(|preview| view! { <PreviewRows preview /> })}
            </tbody>
        </table>
    }
}
