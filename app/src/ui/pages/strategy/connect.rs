//! The "+" menu of a rule, with the seed's three connection types: a new rule, an existing rule,
//! an existing endpoint. It offers only what the rule does not hold yet; whether a connection
//! is allowed (no cycles) is the [`Edit`]'s to decide, not this menu's.

use leptos::prelude::*;

use super::canvas::kind_label;
use super::ctx;
use crate::editor::{Edit, is_rule};
use crate::strategy::RuleKind;
use crate::ui::i18n::t;

/// The "+" menu: A. a new rule, B. an existing rule, C. an existing endpoint.
#[component]
pub(super) fn Connect(parent: String) -> impl IntoView {
    let ctx = ctx();
    let parent = StoredValue::new(parent);
    let kind = RwSignal::new(RuleKind::Wrr);
    let first = NodeRef::<leptos::html::Select>::new();
    Effect::new(move |_| {
        if ctx.connecting.get()
            && let Some(select) = first.get()
        {
            let _ = select.focus();
        }
    });
    let options = Memo::new(move |_| {
        ctx.editor.with(|e| {
            let doc = e.doc();
            let own: Vec<String> = doc
                .strategy
                .rules
                .iter()
                .find(|r| r.name == parent.get_value())
                .map(|r| r.items.iter().map(|i| i.reference.clone()).collect())
                .unwrap_or_default();
            let rules: Vec<String> = doc
                .strategy
                .rules
                .iter()
                .map(|r| r.name.clone())
                .filter(|n| *n != parent.get_value() && !own.contains(n))
                .collect();
            let endpoints: Vec<String> = doc
                .endpoints_conf
                .iter()
                .map(|c| c.value.clone())
                .filter(|v| !own.contains(v) && !is_rule(doc, v))
                .collect();
            (rules, endpoints)
        })
    });
    view! {
        <fieldset class="connect" class:open=move || ctx.connecting.get()>
            <legend>{t("选择连接类型", "Choose the connection")}</legend>
            <div class="connect-row">
                <label>
                    {t("A. 选择新规则", "A. New rule")}
                    <select
                        node_ref=first
                        id="new-rule-kind"
                        on:change=move |ev| kind.set(RuleKind::parse(&event_target_value(&ev)).unwrap_or(RuleKind::Wrr))
                    >
                        {RuleKind::ALL.into_iter().map(|k| view! {
                            <option value=k.code()>{move || kind_label(k.code())} " (" {k.code()} ")"</option>
                        }).collect_view()}
                    </select>
                </label>
                <button
                    type="button"
                    id="add-rule"
                    on:click=move |_| ctx.edit(Edit::AddRule { parent: Some(parent.get_value()), kind: kind.get_untracked() })
                >
                    {t("添加规则", "Add rule")}
                </button>
            </div>
            <ConnectRow
                label=t("B. 连接已有规则", "B. Existing rule")
                id="connect-rule"
                parent
                choices=Signal::derive(move || options.get().0)
            />
            <ConnectRow
                label=t("C. 连接已有端点", "C. Existing endpoint")
                id="connect-endpoint"
                parent
                choices=Signal::derive(move || options.get().1)
            />
        </fieldset>
    }
}

/// Pick a rule or endpoint and connect it under `parent`.
#[component]
fn ConnectRow(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    id: &'static str,
    parent: StoredValue<String>,
    choices: Signal<Vec<String>>,
) -> impl IntoView {
    let ctx = ctx();
    let chosen = RwSignal::new(String::new());
    view! {
        <div class="connect-row">
            <label>
                {label}
                <select id=id on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || choices.get().into_iter().map(|n| view! { <option value=n.clone() translate="no">{n.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button
                type="button"
                id=format!("{id}-button")
                on:click=move |_| {
                    let reference = chosen.get_untracked();
                    if !reference.is_empty() {
                        ctx.edit(Edit::Connect { parent: parent.get_value(), reference });
                    }
                }
            >
                {t("连接", "Connect")}
            </button>
        </div>
    }
}
