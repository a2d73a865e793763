//! The problems list below the editor: validation errors and warnings, and the editor's lint,
//! each naming its node (the canvas marks those nodes; a click here selects one). It computes
//! the lines from the checked draft and shows them; it never changes the draft.

use leptos::prelude::*;

use super::Checked;
use super::ctx;
use crate::editor::Editor;
use crate::editor::is_rule;
use crate::editor::layout::NodeKey;
use crate::editor::lint::{Lint, lint};
use crate::strategy::{Location, Preview};
use crate::ui::i18n::Lang;

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
                                    {names_marked(&line.text)}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// The line's text with the names it quotes marked as data (`translate="no"`): a rule's name is
/// the user's, in whatever language they wrote it.
fn names_marked(text: &str) -> impl IntoView + use<> {
    let parts: Vec<&str> = text.split('"').collect();
    // An odd number of quotes: the last one opens nothing and stays text.
    let unclosed = parts.len().is_multiple_of(2);
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| match (i % 2 == 1, unclosed && i == last) {
            (true, false) => {
                view! { <span class="name" translate="no">{format!("\"{part}\"")}</span> }
                    .into_any()
            }
            (true, true) => format!("\"{part}").into_any(),
            (false, _) => part.to_owned().into_any(),
        })
        .collect_view()
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
