//! The canvas: rule nodes and endpoint leaves where [`Layout`] puts them, edges labelled with
//! what the parent's type reads (weight, priority or user groups), and the endpoint list to drag
//! from. Dropping an endpoint on a rule connects it; dropping a node on a rule moves its item
//! there (a cycle is refused with a message). Every node is a button, so the keyboard selects
//! it; the side panel does the rest.

use leptos::prelude::*;

use super::{Ctx, Drag, ctx};
use crate::editor::Edit;
use crate::editor::layout::{NODE_HEIGHT, NODE_WIDTH, Node, NodeKey};
use crate::strategy::{RuleKind, StrategyDocument};
use crate::ui::i18n::t;

/// The endpoints of the domain, to drag onto rules.
#[component]
pub(super) fn EndpointList() -> impl IntoView {
    let ctx = ctx();
    let endpoints = Memo::new(move |_| ctx.editor.with(|e| e.doc().endpoints_conf.clone()));
    view! {
        <aside class="endpoint-list">
            <h3>{t("端点（拖到规则上）", "Endpoints (drag onto a rule)")}</h3>
            <ul>
                {move || {
                    endpoints
                        .get()
                        .into_iter()
                        .map(|e| {
                            let value = e.value.clone();
                            view! {
                                <li
                                    class="endpoint-chip"
                                    draggable="true"
                                    data-endpoint=e.value.clone()
                                    on:dragstart=move |ev| start_drag(ctx, &ev, Drag::Endpoint(value.clone()))
                                    on:dragend=move |_| end_drag(ctx)
                                >
                                    <span class="value">{e.value.clone()}</span>
                                    <small>{format!("{} {} {}", e.kind, e.area, e.isp)}</small>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </aside>
    }
}

#[component]
pub(super) fn Canvas() -> impl IntoView {
    let ctx = ctx();
    let add_root = move |_| {
        ctx.edit(Edit::AddRule {
            parent: None,
            kind: RuleKind::Wrr,
        })
    };
    view! {
        <div class="canvas-wrap" data-testid="canvas">
            {move || {
                let layout = ctx.layout.get();
                if layout.nodes.is_empty() {
                    return view! {
                        <div class="canvas-empty">
                            <p>{t("还没有规则。", "No rules yet.")}</p>
                            <button type="button" id="add-root" on:click=add_root disabled=move || !ctx.writable.get()>
                                {t("新建根规则", "New root rule")}
                            </button>
                        </div>
                    }
                        .into_any();
                }
                let edges = ctx.editor.with(|e| {
                    layout
                        .edges
                        .iter()
                        .map(|edge| {
                            let (a, b) = (&layout.nodes[edge.from], &layout.nodes[edge.to]);
                            let (x1, y1) = (a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2.0);
                            let (x2, y2) = (b.x, b.y + NODE_HEIGHT / 2.0);
                            let mid = (x1 + x2) / 2.0;
                            let label = edge_label(e.doc(), &edge.parent, edge.index);
                            view! {
                                <path
                                    d=format!("M{x1} {y1} C{mid} {y1} {mid} {y2} {x2} {y2}")
                                    class="edge"
                                />
                                <text x=x2 - 6.0 y=y2 - 5.0 class="edge-label">{label}</text>
                            }
                        })
                        .collect_view()
                });
                let nodes = layout
                    .nodes
                    .iter()
                    .map(|n| view! { <NodeView node=n.clone() /> })
                    .collect_view();
                view! {
                    <div
                        class="canvas"
                        style=format!("width:{}px;height:{}px", layout.width, layout.height)
                    >
                        <svg class="edges" width=layout.width height=layout.height>
                            {edges}
                        </svg>
                        {nodes}
                    </div>
                }
                    .into_any()
            }}
        </div>
    }
}

/// What an edge reads, by the parent's type: `w3`, `p1`, the user groups, or nothing.
fn edge_label(doc: &StrategyDocument, parent: &str, index: usize) -> String {
    let Some(rule) = doc.strategy.rules.iter().find(|r| r.name == parent) else {
        return String::new();
    };
    let Some(item) = rule.items.get(index) else {
        return String::new();
    };
    match RuleKind::parse(&rule.kind) {
        Some(RuleKind::Wrr) => format!("w{}", item.weight),
        Some(RuleKind::Priority) => format!("p{}", item.priority),
        Some(RuleKind::UsersetMapping) if item.usersets.is_empty() => "default".to_owned(),
        Some(RuleKind::UsersetMapping) => {
            let mut text = item.usersets.clone();
            if text.chars().count() > 24 {
                text = text.chars().take(22).collect::<String>() + "…";
            }
            text
        }
        _ => String::new(),
    }
}

#[component]
fn NodeView(node: Node) -> impl IntoView {
    let ctx = ctx();
    let key = node.key.clone();
    let rule = match &node.key {
        NodeKey::Rule(name) => Some(name.clone()),
        NodeKey::Leaf { .. } => None,
    };
    let badge = {
        let rule = rule.clone();
        let label = node.label.clone();
        move || {
            ctx.editor.with(|e| {
                let doc = e.doc();
                match &rule {
                    Some(name) => doc
                        .strategy
                        .rules
                        .iter()
                        .find(|r| r.name == *name)
                        .map(|r| kind_label(&r.kind))
                        .unwrap_or_default(),
                    None => doc
                        .endpoints_conf
                        .iter()
                        .find(|e| e.value == label)
                        .map(|e| format!("{} {}", e.area, e.isp))
                        .unwrap_or_else(|| "?".to_owned()),
                }
            })
        }
    };
    let disabled_rule = {
        let rule = rule.clone();
        move || {
            rule.as_ref().is_some_and(|name| {
                ctx.editor.with(|e| {
                    e.doc()
                        .strategy
                        .rules
                        .iter()
                        .any(|r| r.name == *name && !r.enable)
                })
            })
        }
    };
    let is_selected = {
        let key = key.clone();
        move || ctx.selected.with(|s| s.as_ref() == Some(&key))
    };
    let marked = {
        let key = key.clone();
        move |error: bool| {
            let key = key.clone();
            move || {
                ctx.problems.with(|p| {
                    p.iter()
                        .any(|l| l.error == error && l.node.as_ref() == Some(&key))
                })
            }
        }
    };
    let is_over = {
        let rule = rule.clone();
        move || rule.is_some() && ctx.over.with(|o| o.as_deref() == rule.as_deref())
    };
    let select = {
        let key = key.clone();
        move |_| {
            ctx.selected.set(Some(key.clone()));
            ctx.connecting.set(false);
        }
    };
    let via = node.via.clone();
    let is_rule_node = rule.is_some();
    let drop_rule = rule.clone();
    let over_rule = rule.clone();
    let plus_key = key.clone();
    view! {
        <div
            class="node"
            class:rule=is_rule_node
            class:leaf=!is_rule_node
            class:start=node.start
            class:detached=node.detached
            class:missing=node.missing
            class:off=disabled_rule
            class:selected=is_selected
            class:over=is_over
            class:has-error=marked(true)
            class:has-warning=marked(false)
            style=format!("left:{}px;top:{}px;width:{}px", node.x, node.y, NODE_WIDTH)
            draggable=if via.is_some() { "true" } else { "false" }
            data-node=node.label.clone()
            on:dragstart=move |ev| {
                if let Some((parent, index)) = via.clone() {
                    start_drag(ctx, &ev, Drag::Item { parent, index });
                }
            }
            on:dragend=move |_| end_drag(ctx)
            on:dragover=move |ev| {
                if let Some(name) = &over_rule
                    && ctx.dragging.with_untracked(Option::is_some)
                {
                    ev.prevent_default();
                    if ctx.over.with_untracked(|o| o.as_ref() != Some(name)) {
                        ctx.over.set(Some(name.clone()));
                    }
                }
            }
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(name) = &drop_rule {
                    drop_on(ctx, name);
                }
            }
        >
            <button type="button" class="node-body" on:click=select title=node.label.clone()>
                // A rule's name is the user's data: never translated.
                <span class="node-name" translate="no">{node.start.then_some("▶ ")} {node.label.clone()}</span>
                <small class="badge">{badge}</small>
            </button>
            {rule.map(|_| view! {
                <button
                    type="button"
                    class="plus"
                    title=t("添加子节点", "Add a child")
                    aria-label=t("添加子节点", "Add a child")
                    on:click=move |_| {
                        ctx.selected.set(Some(plus_key.clone()));
                        ctx.connecting.set(true);
                    }
                >
                    "+"
                </button>
            })}
        </div>
    }
}

pub(super) fn kind_label(code: &str) -> String {
    let (zh, en) = match RuleKind::parse(code) {
        Some(RuleKind::Wrr) => ("加权轮询", "weighted"),
        Some(RuleKind::Priority) => ("优先级", "priority"),
        Some(RuleKind::GeoProximity) => ("地理就近", "geo"),
        Some(RuleKind::UsersetMapping) => ("用户组映射", "mapping"),
        None => return code.to_owned(),
    };
    crate::ui::i18n::lang().get().pick(zh, en).to_owned()
}

fn start_drag(ctx: Ctx, ev: &leptos::ev::DragEvent, drag: Drag) {
    #[cfg(feature = "hydrate")]
    if let Some(transfer) = ev.data_transfer() {
        // Firefox starts a drag only with data set.
        let text = match &drag {
            Drag::Endpoint(v) => v.clone(),
            Drag::Item { parent, index } => format!("{parent}#{index}"),
        };
        let _ = transfer.set_data("text/plain", &text);
        transfer.set_effect_allowed("copyMove");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
    ctx.dragging.set(Some(drag));
}

fn end_drag(ctx: Ctx) {
    ctx.dragging.set(None);
    ctx.over.set(None);
}

fn drop_on(ctx: Ctx, rule: &str) {
    let dragged = ctx.dragging.get_untracked();
    end_drag(ctx);
    match dragged {
        Some(Drag::Endpoint(value)) => ctx.edit(Edit::Connect {
            parent: rule.to_owned(),
            reference: value,
        }),
        // The selection follows a moved node (Ctx::edit).
        Some(Drag::Item { parent, index }) => ctx.edit(Edit::Move {
            from: parent,
            index,
            to: rule.to_owned(),
        }),
        None => {}
    }
}
