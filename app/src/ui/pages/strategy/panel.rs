//! The side panel: the selected rule's type, name, location and switch, the selected item's
//! weight, priority and user groups, moving and removing. The province × ISP picker of a mapping
//! item is in `picker.rs`, the rule's "+" menu in `connect.rs`; this file only lays them out for
//! the node selected and turns each field's change into one [`Edit`].

use leptos::prelude::*;

use super::canvas::kind_label;
use super::connect::Connect;
use super::ctx;
use super::picker::UsersetPicker;
use crate::editor::layout::NodeKey;
use crate::editor::number::{ItemNumber, NumberRefused};
use crate::editor::{Children, Edit, only_under};
use crate::strategy::{AREAS, Isp, RuleConf, RuleKind};
use crate::ui::i18n::{Lang, isp_name, lang, t};

#[component]
pub(super) fn Panel() -> impl IntoView {
    let ctx = ctx();
    view! {
        <aside class="node-panel" data-testid="panel">
            {move || match ctx.selected.get() {
                None => view! {
                    <p class="hint">
                        {t(
                            "选中一个节点以编辑；点规则右侧的“+”添加子节点；把端点拖到规则上。Ctrl+Z 撤销，Ctrl+Y 重做。",
                            "Select a node to edit it; press a rule's “+” to add a child; drag endpoints onto rules. Ctrl+Z undoes, Ctrl+Y redoes.",
                        )}
                    </p>
                }
                    .into_any(),
                Some(NodeKey::Rule(name)) => view! { <RulePanel name /> }.into_any(),
                Some(NodeKey::Leaf { parent, index }) => view! { <LeafPanel parent index /> }.into_any(),
            }}
        </aside>
    }
}

#[component]
fn RulePanel(name: String) -> impl IntoView {
    let ctx = ctx();
    let rule = {
        let name = name.clone();
        Memo::new(move |_| {
            ctx.editor.with(|e| {
                e.doc()
                    .strategy
                    .rules
                    .iter()
                    .find(|r| r.name == name)
                    .cloned()
            })
        })
    };
    // Where the canvas placed it from: its item in that parent.
    let via = {
        let name = name.clone();
        Memo::new(move |_| {
            ctx.layout.with(|l| {
                l.position(&NodeKey::Rule(name.clone()))
                    .and_then(|i| l.nodes[i].via.clone())
            })
        })
    };
    move || {
        let Some(r) = rule.get() else {
            return view! { <p class="hint">{t("规则已删除。", "The rule was deleted.")}</p> }
                .into_any();
        };
        let name = r.name.clone();
        view! {
            <div class="rule-panel" data-rule=name.clone()>
                <h3>{t("规则", "Rule")} " " <span class="value" translate="no">{name.clone()}</span></h3>
                <RuleFields rule=r.clone() />
                {move || via.get().map(|(parent, index)| view! {
                    <h4>{t("作为 ", "As an item of ")} <span translate="no">{parent.clone()}</span> {t(" 的子节点", "")}</h4>
                    <ItemFields parent index />
                })}
                <Connect parent=name.clone() />
            </div>
        }
        .into_any()
    }
}

/// "Delete rule": a rule with items asks what becomes of them — deleted with it (the sub-rules
/// no other rule uses, counted), or moved to the rules that use it — and says how to undo.
#[component]
fn DeleteRule(name: String) -> impl IntoView {
    let ctx = ctx();
    let lang = lang();
    let name = StoredValue::new(name);
    let asking = RwSignal::new(false);
    // (items, sub-rules deleted with it, whether some rule uses it)
    let shape = move || {
        ctx.editor.with(|e| {
            let doc = e.doc();
            let name = name.get_value();
            let items = doc
                .strategy
                .rules
                .iter()
                .find(|r| r.name == name)
                .map_or(0, |r| r.items.len());
            let sub_rules = only_under(doc, &name).len().saturating_sub(1);
            let used = doc
                .strategy
                .rules
                .iter()
                .any(|r| r.name != name && r.items.iter().any(|i| i.reference == name));
            (items, sub_rules, used)
        })
    };
    let delete = move |children: Children| {
        asking.set(false);
        ctx.edit(Edit::DeleteRule {
            name: name.get_value(),
            children,
        });
        let deleted = ctx.editor.with(|e| {
            e.doc()
                .strategy
                .rules
                .iter()
                .all(|r| r.name != name.get_value())
        });
        if !deleted {
            return; // refused: the edit's reason is the notice
        }
        ctx.say(
            lang.get_untracked()
                .pick(
                    "规则已删除（撤销：Ctrl+Z 或“撤销”）。",
                    "The rule was deleted (undo: Ctrl+Z or Undo).",
                )
                .to_owned(),
        );
    };
    view! {
        <button
            type="button"
            class="danger"
            id="delete-rule"
            on:click=move |_| {
                if shape().0 == 0 { delete(Children::Delete) } else { asking.set(true) }
            }
        >
            {t("删除规则", "Delete rule")}
        </button>
        {move || asking.get().then(|| {
            let (items, sub_rules, used) = shape();
            view! {
                <div class="confirm-delete-rule warning" role="alertdialog" id="delete-rule-choice">
                    <p>
                        {move || lang.get().pick(
                            format!("这个规则有 {items} 个子节点。删除后它们怎么办？"),
                            format!("This rule has {items} items. What becomes of them?"),
                        )}
                    </p>
                    <button type="button" id="delete-rule-subtree" class="danger" on:click=move |_| delete(Children::Delete)>
                        {move || lang.get().pick(
                            format!("连同子节点一起删除（{sub_rules} 个子规则）"),
                            format!("Delete them too ({sub_rules} sub-rules)"),
                        )}
                    </button>
                    <button
                        type="button"
                        id="delete-rule-reattach"
                        disabled=!used
                        title=move || (!used).then(|| lang.get().pick("没有上级规则可以接收它们", "No rule uses this one to take them"))
                        on:click=move |_| delete(Children::Reattach)
                    >
                        {t("移到上级规则", "Move them to the parent rule")}
                    </button>
                    <button type="button" id="delete-rule-cancel" on:click=move |_| asking.set(false)>
                        {t("取消", "Cancel")}
                    </button>
                </div>
            }
        })}
    }
}

#[component]
fn RuleFields(rule: RuleConf) -> impl IntoView {
    let ctx = ctx();
    let name = StoredValue::new(rule.name.clone());
    let is_start = move || {
        ctx.editor
            .with(|e| e.doc().strategy.start == name.get_value())
    };
    let set_kind = move |ev| {
        if let Some(kind) = RuleKind::parse(&event_target_value(&ev)) {
            ctx.edit(Edit::SetKind {
                rule: name.get_value(),
                kind,
            });
        }
    };
    let (area, isp) = (
        StoredValue::new(rule.area.clone()),
        StoredValue::new(rule.isp.clone()),
    );
    let set_area = move |ev| {
        ctx.edit(Edit::SetLocation {
            rule: name.get_value(),
            area: event_target_value(&ev),
            isp: isp.get_value(),
        })
    };
    let set_isp = move |ev| {
        ctx.edit(Edit::SetLocation {
            rule: name.get_value(),
            area: area.get_value(),
            isp: event_target_value(&ev),
        })
    };
    view! {
        <div class="fields">
            <label>
                {t("名称", "Name")}
                <input
                    type="text"
                    id="rule-name"
                    value=rule.name.clone()
                    prop:value=rule.name.clone()
                    on:change=move |ev| ctx.edit(Edit::Rename { from: name.get_value(), to: event_target_value(&ev) })
                />
            </label>
            <label>
                {t("类型", "Type")}
                <select id="rule-kind" on:change=set_kind>
                    {RuleKind::ALL.into_iter().map(|k| view! {
                        <option value=k.code() selected=rule.kind == k.code()>
                            {move || kind_label(k.code())} " (" {k.code()} ")"
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                {t("位置（地区）", "Location (area)")}
                <select id="rule-area" on:change=set_area>
                    {AREAS.iter().map(|a| view! {
                        <option value=a.code selected=rule.area == a.code>
                            {move || lang().get().pick(a.name_zh, a.name_en)} " " {a.code}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                {t("位置（运营商）", "Location (ISP)")}
                <select id="rule-isp" on:change=set_isp>
                    {Isp::ALL.into_iter().map(|i| view! {
                        <option value=i.code() selected=rule.isp == i.code()>
                            {move || isp_name(i)} " " {i.code()}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    id="rule-enable"
                    checked=rule.enable
                    on:change=move |ev| ctx.edit(Edit::SetEnabled { rule: name.get_value(), enabled: event_target_checked(&ev) })
                />
                {t("启用", "Enabled")}
            </label>
            <div class="actions">
                <button
                    type="button"
                    id="set-start"
                    disabled=is_start
                    on:click=move |_| ctx.edit(Edit::SetStart { name: name.get_value() })
                >
                    {move || if is_start() { t("这是根规则", "This is the start rule")() } else { t("设为根规则", "Make it the start rule")() }}
                </button>
                <button
                    type="button"
                    id="wrap-rule"
                    title=t(
                        "新建一个加权轮询规则放在这个规则的位置，这个规则成为它的子节点（类型可随后修改）",
                        "A new weighted round-robin rule takes this rule's place, with this rule as its item (change its type after)",
                    )
                    on:click=move |_| ctx.edit(Edit::Wrap { rule: name.get_value(), kind: RuleKind::Wrr })
                >
                    {t("套上新的上级规则", "Wrap in a new rule")}
                </button>
                <DeleteRule name=name.get_value() />
            </div>
        </div>
    }
}

#[component]
fn LeafPanel(parent: String, index: usize) -> impl IntoView {
    let ctx = ctx();
    let item = {
        let parent = parent.clone();
        Memo::new(move |_| {
            ctx.editor.with(|e| {
                let doc = e.doc();
                let reference = doc
                    .strategy
                    .rules
                    .iter()
                    .find(|r| r.name == parent)?
                    .items
                    .get(index)?
                    .reference
                    .clone();
                let conf = doc
                    .endpoints_conf
                    .iter()
                    .find(|c| c.value == reference)
                    .cloned();
                Some((reference, conf))
            })
        })
    };
    move || {
        let Some((reference, conf)) = item.get() else {
            return view! { <p class="hint">{t("节点已移除。", "The node was removed.")}</p> }
                .into_any();
        };
        let endpoint = conf.map(|c| {
            let value = StoredValue::new(c.value.clone());
            let (enable, eval) = (c.enable, c.eval_health);
            view! {
                <p class="facts">{format!("{} · {} · {}", c.kind, c.area, c.isp)}</p>
                <label class="check">
                    <input
                        type="checkbox"
                        id="endpoint-enable"
                        checked=enable
                        on:change=move |ev| ctx.edit(Edit::SetEndpoint { value: value.get_value(), enable: event_target_checked(&ev), eval_health: eval })
                    />
                    {t("启用该端点", "Endpoint enabled")}
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        id="endpoint-eval"
                        checked=eval
                        on:change=move |ev| ctx.edit(Edit::SetEndpoint { value: value.get_value(), enable, eval_health: event_target_checked(&ev) })
                    />
                    {t("参考健康检查", "Use its health")}
                </label>
            }
        });
        view! {
            <div class="leaf-panel" data-leaf=reference.clone()>
                <h3>{t("端点", "Endpoint")} " " <span class="value">{reference.clone()}</span></h3>
                {endpoint}
                <h4>{t("在 ", "In ")} <span translate="no">{parent.clone()}</span> {t(" 中", "")}</h4>
                <ItemFields parent=parent.clone() index />
            </div>
        }
        .into_any()
    }
}

/// An item's fields as its parent's type reads them, and moving or removing it.
#[component]
fn ItemFields(parent: String, index: usize) -> impl IntoView {
    let ctx = ctx();
    let parent = StoredValue::new(parent);
    let item = Memo::new(move |_| {
        ctx.editor.with(|e| {
            let rule = e
                .doc()
                .strategy
                .rules
                .iter()
                .find(|r| r.name == parent.get_value())?;
            Some((RuleKind::parse(&rule.kind), rule.items.get(index)?.clone()))
        })
    });
    let move_to = RwSignal::new(String::new());
    let targets = Memo::new(move |_| {
        ctx.rule_names.with(|names| {
            names
                .iter()
                .filter(|n| **n != parent.get_value())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    move || {
        let Some((kind, it)) = item.get() else {
            return ().into_any();
        };
        let weight = matches!(kind, Some(RuleKind::Wrr | RuleKind::UsersetMapping)).then(|| {
            let set = move |weight| Edit::SetWeight { parent: parent.get_value(), index, weight };
            view! { <NumberField label=t("权重", "Weight") class="item-weight" number=ItemNumber::Weight value=it.weight set /> }
        });
        let priority = matches!(kind, Some(RuleKind::Priority)).then(|| {
            let set = move |priority| Edit::SetPriority { parent: parent.get_value(), index, priority };
            view! { <NumberField label=t("优先级（小者优先）", "Priority (lower first)") class="item-priority" number=ItemNumber::Priority value=it.priority set /> }
        });
        let groups = matches!(kind, Some(RuleKind::UsersetMapping)).then(|| {
            let text = it.usersets.clone();
            view! {
                <label class="wide">
                    {t("用户组（空 = 默认用户组）", "User groups (empty = the default group)")}
                    <input
                        type="text"
                        class="item-usersets"
                        value=text.clone()
                        prop:value=text.clone()
                        on:change=move |ev| ctx.edit(Edit::SetUsersets { parent: parent.get_value(), index, usersets: event_target_value(&ev) })
                    />
                </label>
                <details class="picker" open=true>
                    <summary>{t("选择省份 + 运营商", "Pick provinces + ISPs")}</summary>
                    <UsersetPicker parent=parent.get_value() index usersets=it.usersets.clone() />
                </details>
            }
        });
        view! {
            <div class="item-fields" data-item=format!("{}#{index}", parent.get_value())>
                {weight}
                {priority}
                {groups}
                <div class="actions">
                    <label>
                        {t("移到", "Move to")}
                        <select class="move-to" on:change=move |ev| move_to.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {targets.get().into_iter().map(|n| view! { <option value=n.clone() translate="no">{n.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button
                        type="button"
                        class="move"
                        on:click=move |_| {
                            let to = move_to.get_untracked();
                            if !to.is_empty() {
                                ctx.edit(Edit::Move { from: parent.get_value(), index, to });
                            }
                        }
                    >
                        {t("移动", "Move")}
                    </button>
                    <button
                        type="button"
                        class="danger remove-item"
                        on:click=move |_| {
                            ctx.edit(Edit::RemoveItem { parent: parent.get_value(), index });
                        }
                    >
                        {t("从父规则移除", "Remove from parent")}
                    </button>
                </div>
            </div>
        }
            .into_any()
    }
}

/// A whole-number field of an item; a change is the edit `set` makes. Text that is not a whole
/// number in range is not applied: the field keeps it and says why beside it.
#[component]
fn NumberField(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    class: &'static str,
    number: ItemNumber,
    value: i64,
    set: impl Fn(i64) -> Edit + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let refused = RwSignal::new(None::<NumberRefused>);
    let change = move |text: String| match number.parse(&text) {
        Ok(n) => {
            refused.set(None);
            ctx.edit(set(n));
        }
        Err(why) => refused.set(Some(why)),
    };
    let field = match number {
        ItemNumber::Weight => "weight",
        ItemNumber::Priority => "priority",
    };
    view! {
        <label>
            {label}
            <input
                type="text"
                inputmode="numeric"
                class=class
                value=value
                prop:value=value.to_string()
                aria-invalid=move || refused.get().is_some().then_some("true")
                on:change=move |ev| change(event_target_value(&ev))
            />
            {move || refused.get().map(|why| view! {
                <span class="field-error" data-field=field role="alert">{refused_text(why)}</span>
            })}
        </label>
    }
}

/// Why a number was not applied, in the current language.
fn refused_text(why: NumberRefused) -> String {
    let lang = lang().get();
    match why {
        NumberRefused::Empty => lang
            .pick("请输入整数；未应用", "Enter a whole number; not applied")
            .into(),
        NumberRefused::NotWhole => lang
            .pick(
                "须为整数（不含小数点、符号或指数）；未应用",
                "Must be a whole number (no decimal point, sign or exponent); not applied",
            )
            .into(),
        NumberRefused::TooLarge { max } => match lang {
            Lang::Zh => format!("须在 0 到 {max} 之间；未应用"),
            Lang::En => format!("Must be between 0 and {max}; not applied"),
        },
    }
}
