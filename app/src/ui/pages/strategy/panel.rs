//! The side panel: the selected rule's type, name, location and switch, the selected item's
//! weight, priority and user groups (with the province × ISP picker), moving and removing, and
//! the "+" menu with the seed's three connection types. Below the editor: the problems list
//! (validation errors and warnings, and the editor's lint), each naming its node.

use leptos::prelude::*;

use super::Checked;
use super::canvas::kind_label;
use super::ctx;
use crate::editor::Editor;
use crate::editor::layout::NodeKey;
use crate::editor::lint::{Lint, lint};
use crate::editor::usersets::{area_groups, compact, isp_groups, picked, toggle_all};
use crate::editor::{Edit, is_rule};
use crate::strategy::Preview;
use crate::strategy::{AREAS, Area, Isp, Location, RuleConf, RuleKind, UserGroup, Usersets};
use crate::ui::i18n::{Lang, area_name, isp_name, lang, t};

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
                <h3>{t("规则", "Rule")} " " <span class="value">{name.clone()}</span></h3>
                <RuleFields rule=r.clone() />
                {move || via.get().map(|(parent, index)| view! {
                    <h4>{t("作为 ", "As an item of ")} {parent.clone()} {t(" 的子节点", "")}</h4>
                    <ItemFields parent index />
                })}
                <Connect parent=name.clone() />
            </div>
        }
        .into_any()
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
                    class="danger"
                    id="delete-rule"
                    on:click=move |_| {
                        ctx.edit(Edit::DeleteRule { name: name.get_value() });
                    }
                >
                    {t("删除规则", "Delete rule")}
                </button>
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
                <h4>{t("在 ", "In ")} {parent.clone()} {t(" 中", "")}</h4>
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
            view! { <NumberField label=t("权重", "Weight") class="item-weight" field="weight" value=it.weight set /> }
        });
        let priority = matches!(kind, Some(RuleKind::Priority)).then(|| {
            let set = move |priority| Edit::SetPriority { parent: parent.get_value(), index, priority };
            view! { <NumberField label=t("优先级（小者优先）", "Priority (lower first)") class="item-priority" field="priority" value=it.priority set /> }
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
                            {targets.get().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
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

/// A whole-number field of an item; a change is the edit `set` makes, text that is not a whole
/// number is refused naming `field`.
#[component]
fn NumberField(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    class: &'static str,
    field: &'static str,
    value: i64,
    set: impl Fn(i64) -> Edit + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let change = move |text: String| match text.trim().parse::<i64>() {
        Ok(n) => ctx.edit(set(n)),
        Err(_) => ctx.say_error(format!("{field}: not a whole number")),
    };
    view! {
        <label>
            {label}
            <input
                type="number"
                class=class
                min="0"
                value=value
                prop:value=value.to_string()
                on:change=move |ev| change(event_target_value(&ev))
            />
        </label>
    }
}

/// The province × ISP grid of a mapping item: a cell per group, a button per row (province) and
/// column (ISP) to pick or drop all of it. Every click is one edit (undoable).
#[component]
fn UsersetPicker(parent: String, index: usize, usersets: String) -> impl IntoView {
    let ctx = ctx();
    let current = picked(&usersets);
    // The other items' selectors decide how broadly this item's may be written.
    let siblings: Vec<Usersets> = ctx.editor.with_untracked(|e| {
        e.doc()
            .strategy
            .rules
            .iter()
            .find(|r| r.name == parent)
            .map(|r| {
                r.items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != index)
                    .filter_map(|(_, it)| Usersets::parse(&it.usersets).ok())
                    .collect()
            })
            .unwrap_or_default()
    });
    let parent = StoredValue::new(parent);
    let apply = move |change: &dyn Fn(&mut Vec<bool>)| {
        let mut next = current.clone();
        change(&mut next);
        ctx.edit(Edit::SetUsersets {
            parent: parent.get_value(),
            index,
            usersets: compact(&next, &siblings),
        });
    };
    let apply = StoredValue::new_local(apply);
    let header = Isp::ALL
        .into_iter()
        .map(|isp| {
            view! {
                <th>
                    <button
                        type="button"
                        data-col=isp.code()
                        on:click=move |_| apply.with_value(|f| f(&|p| toggle_all(p, isp_groups(isp))))
                    >
                        {move || isp_name(isp)}
                    </button>
                </th>
            }
        })
        .collect_view();
    let on = picked(&usersets);
    let rows = Area::all()
        .map(|area| {
            let cells = Isp::ALL
                .into_iter()
                .map(|isp| {
                    let group = UserGroup::new(area, isp);
                    let checked = on[group.index()];
                    view! {
                        <td>
                            <input
                                type="checkbox"
                                data-cell=group.to_string()
                                checked=checked
                                aria-label=group.to_string()
                                on:change=move |_| apply.with_value(|f| f(&|p| p[group.index()] = !checked))
                            />
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th>
                        <button
                            type="button"
                            data-row=area.code()
                            on:click=move |_| apply.with_value(|f| f(&|p| toggle_all(p, area_groups(area))))
                        >
                            {move || area_name(area)}
                        </button>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="userset-picker">
            <thead>
                <tr>
                    <th></th>
                    {header}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The "+" menu: A. a new rule, B. an existing rule, C. an existing endpoint.
#[component]
fn Connect(parent: String) -> impl IntoView {
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
                    {move || choices.get().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
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

/// One line of the problems list: error or warning, the node it names, the text.
#[derive(Clone, PartialEq, Debug)]
pub(super) struct Line {
    pub(super) error: bool,
    pub(super) node: Option<NodeKey>,
    text: String,
}

/// Validation errors and warnings and the editor's lint, each naming its node (the canvas marks
/// those nodes, the list below the editor selects them).
pub(super) fn problem_lines(
    editor: RwSignal<Editor>,
    checked: Memo<Checked>,
    base: Memo<Option<[Preview; 2]>>,
    lang: RwSignal<Lang>,
) -> Memo<Vec<Line>> {
    Memo::new(move |_| {
        let lang = lang.get();
        editor.with(|e| {
            let doc = e.doc();
            let node_of = |location: &Location| match location {
                Location::Rule { rule, .. } => Some(NodeKey::Rule(rule.clone())),
                Location::Item {
                    rule,
                    item,
                    reference,
                    ..
                } => Some(if is_rule(doc, reference) {
                    NodeKey::Rule(reference.clone())
                } else {
                    NodeKey::Leaf {
                        parent: rule.clone(),
                        index: item.saturating_sub(1),
                    }
                }),
                _ => None,
            };
            checked.with(|checked| {
                let (errors, warnings) = match checked {
                    Ok(c) => (Vec::new(), c.warnings.clone()),
                    Err(p) => (p.errors.clone(), p.warnings.clone()),
                };
                let mut lines: Vec<Line> = errors
                    .iter()
                    .map(|p| (true, p))
                    .chain(warnings.iter().map(|p| (false, p)))
                    .map(|(error, p)| Line {
                        error,
                        node: node_of(&p.location),
                        text: p.to_string(),
                    })
                    .collect();
                if let Ok(c) = checked {
                    let found = base.with(|b| b.as_ref().map(|b| lint(doc, &c.strategy, b)));
                    lines.extend(found.unwrap_or_default().into_iter().map(|l| Line {
                        error: false,
                        node: l.rule().map(|r| NodeKey::Rule(r.to_owned())),
                        text: lint_text(&l, lang),
                    }));
                }
                lines
            })
        })
    })
}

/// The problems list; clicking one selects its node.
#[component]
pub(super) fn Problems() -> impl IntoView {
    let ctx = ctx();
    let lines = ctx.problems;
    view! {
        <ul class="messages problems" id="problems">
            {move || {
                lines
                    .get()
                    .into_iter()
                    .map(|line| {
                        let node = line.node.clone();
                        view! {
                            <li class=if line.error { "error" } else { "warning" }>
                                <button
                                    type="button"
                                    class="link"
                                    on:click=move |_| {
                                        if let Some(n) = node.clone() {
                                            ctx.selected.set(Some(n));
                                        }
                                    }
                                >
                                    {line.text.clone()}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

fn lint_text(l: &Lint, lang: crate::ui::i18n::Lang) -> String {
    match l {
        Lint::NoAnswer { family, groups } => {
            let sample: Vec<String> = groups.iter().take(5).map(ToString::to_string).collect();
            let more = if groups.len() > 5 { " …" } else { "" };
            lang.pick(
                format!(
                    "{} 个用户组的 {family} 查询没有应答：{}{more}",
                    groups.len(),
                    sample.join(", ")
                ),
                format!(
                    "{} user groups get no {family} answer: {}{more}",
                    groups.len(),
                    sample.join(", ")
                ),
            )
        }
        Lint::NoBackup { rule, endpoint } => lang.pick(
            format!("规则 \"{rule}\" 只有一个端点 {endpoint}，没有备份"),
            format!("rule \"{rule}\" has a single endpoint {endpoint} and no backup"),
        ),
        Lint::NoAaaa => lang.pick(
            "没有启用的 AAAA（或 CNAME）端点：IPv6 查询没有地址".to_owned(),
            "no enabled AAAA (or CNAME) endpoint: AAAA queries get no address".to_owned(),
        ),
    }
}
