//! The strategy editor (`/domains/<d>/strategy`): the draft as a tree canvas (`canvas.rs`), the
//! selected node's settings (`panel.rs`, with the province × ISP picker in `picker.rs` and the
//! rule's "+" menu in `connect.rs`), the problems list (`problems.rs`), and — computed in the
//! browser by the evaluator DNS runs — the preview with what-if failures, the N-1 sweep and the
//! diff against the enabled version (`stress.rs`). Save draft and Enable are separate; leaving
//! with unsaved changes asks first.
//!
//! State lives in one [`Ctx`] of signals; every change to the draft is an [`Edit`] applied
//! through [`Ctx::edit`], so it is checked, undoable, and refused whole with a message.

mod canvas;
mod connect;
mod panel;
mod picker;
mod problems;
mod stress;
mod toolbar;

use leptos::prelude::*;

use crate::ui::error::ConsoleError;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::editor::layout::{Layout, NodeKey};
use crate::editor::stress::previews;
use crate::editor::{Edit, EditError, Editor, is_rule};
use crate::model::{DomainSchedule, EndpointStatus, StrategyDraft};
use crate::strategy::{Compiled, Family, Preview, Problems, Strategy, StrategyDocument, UserGroup};
use crate::ui::i18n::{Lang, lang, t};
use crate::ui::server_fns::scheduling::{load_strategy_draft, schedule};
use crate::ui::widgets::{alert_error, current_user, loading};

/// What is being dragged.
#[derive(Clone, PartialEq, Debug)]
enum Drag {
    /// An endpoint from the endpoint list: dropping it on a rule connects it.
    Endpoint(String),
    /// A node placed by item `index` of `parent`: dropping it on a rule moves the item there.
    Item { parent: String, index: usize },
}

/// A message about the last action: a refusal (error) or a confirmation.
#[derive(Clone, PartialEq, Debug)]
struct Notice {
    error: bool,
    text: String,
}

/// The draft checked: the compiled strategy, or the problems that stop it.
type Checked = Result<Compiled, Problems>;

/// Every signal of the editor; `Copy`, so each view takes it whole.
#[derive(Clone, Copy)]
struct Ctx {
    domain: StoredValue<String>,
    editor: RwSignal<Editor>,
    /// The enabled version's document (the diff's left side) and number (None: none).
    enabled: RwSignal<StrategyDocument>,
    enabled_version: RwSignal<Option<i64>>,
    /// A draft is saved on the server (discarding must remove it there too).
    has_draft: RwSignal<bool>,
    /// Who saved the draft the page opened with, and when; forgotten once the draft is replaced
    /// (a version, the recommendation) or saved again, so the note never describes another one.
    draft_origin: RwSignal<Option<(String, i64)>>,
    /// Read once here: texts made after an await have no reactive owner to ask.
    lang: RwSignal<Lang>,
    selected: RwSignal<Option<NodeKey>>,
    /// The "+" of the selected rule was pressed: the panel opens its connect menu.
    connecting: RwSignal<bool>,
    notice: RwSignal<Option<Notice>>,
    dragging: RwSignal<Option<Drag>>,
    /// The rule a drag is over.
    over: RwSignal<Option<String>>,
    /// The endpoints the monitor has down now (a what-if shortcut).
    live_down: StoredValue<Vec<String>>,
    /// What-if: endpoints taken down.
    down: RwSignal<Vec<String>>,
    family: RwSignal<Family>,
    /// The group whose path through the tree is shown.
    group: RwSignal<Option<UserGroup>>,
    checked: Memo<Checked>,
    /// The A and AAAA previews of the valid draft with every endpoint up (the lint's input, and
    /// the preview when nothing is taken down).
    base: Memo<Option<[Preview; 2]>>,
    layout: Memo<Layout>,
    /// The draft's rule names, in document order.
    rule_names: Memo<Vec<String>>,
    /// Validation's and the lint's findings, each with its node.
    problems: Memo<Vec<problems::Line>>,
    writable: Signal<bool>,
}

impl Ctx {
    fn new(domain: String, schedule: DomainSchedule, draft: Option<StrategyDraft>) -> Ctx {
        let has_draft = draft.is_some();
        let draft_origin = draft.as_ref().map(|d| (d.updated_by.clone(), d.updated_at));
        let draft = draft.map_or_else(|| schedule.document.clone(), |d| d.document);
        let enabled_version = schedule.enabled_version;
        let live_down = schedule
            .health
            .iter()
            .filter(|(_, s)| *s == EndpointStatus::Fail)
            .map(|(v, _)| v.clone())
            .collect();
        let enabled = schedule.document;
        let editor = RwSignal::new(Editor::new(draft));
        let checked = Memo::new(move |_| editor.with(|e| Strategy::compile(e.doc())));
        let layout = Memo::new(move |_| editor.with(|e| Layout::of(e.doc())));
        let base = Memo::new(move |_| {
            checked.with(|c| {
                c.as_ref()
                    .ok()
                    .map(|c| previews(&c.strategy, &c.strategy.health_unknown()))
            })
        });
        Ctx {
            domain: StoredValue::new(domain),
            editor,
            enabled: RwSignal::new(enabled),
            enabled_version: RwSignal::new(enabled_version),
            has_draft: RwSignal::new(has_draft),
            draft_origin: RwSignal::new(draft_origin),
            lang: lang(),
            selected: RwSignal::new(None),
            connecting: RwSignal::new(false),
            notice: RwSignal::new(None),
            dragging: RwSignal::new(None),
            over: RwSignal::new(None),
            live_down: StoredValue::new(live_down),
            down: RwSignal::new(Vec::new()),
            family: RwSignal::new(Family::A),
            group: RwSignal::new(None),
            checked,
            base,
            layout,
            rule_names: Memo::new(move |_| {
                editor.with(|e| {
                    e.doc()
                        .strategy
                        .rules
                        .iter()
                        .map(|r| r.name.clone())
                        .collect()
                })
            }),
            problems: problems::problem_lines(editor, checked, base, lang()),
            writable: Signal::derive(|| current_user().is_some_and(|m| m.can_write)),
        }
    }

    /// Applies `edit`; a created or renamed rule becomes the selection, a refusal the notice.
    fn edit(&self, edit: Edit) {
        if matches!(edit, Edit::Replace(_)) {
            self.draft_origin.set(None);
        }
        let mut result = None;
        self.keep_selection(|| result = self.editor.try_update(|e| e.apply(edit)));
        match result {
            Some(Ok(Some(name))) => {
                self.selected.set(Some(NodeKey::Rule(name)));
                self.notice.set(None);
            }
            Some(Ok(None)) => self.notice.set(None),
            Some(Err(e)) => self.say_error(edit_error_text(&e, lang().get_untracked())),
            None => {}
        }
    }

    fn undo(&self) {
        self.keep_selection(|| {
            self.editor.update(|e| {
                e.undo();
            })
        });
    }

    fn redo(&self) {
        self.keep_selection(|| {
            self.editor.update(|e| {
                e.redo();
            })
        });
    }

    /// Runs `change` and keeps the selection on the same thing: a leaf is found again by its
    /// parent and reference (items before it may have moved), a rule by name; gone → none.
    fn keep_selection(&self, change: impl FnOnce()) {
        let find = |parent: &str, pick: &dyn Fn(usize, &str) -> bool| {
            self.editor.with_untracked(|e| {
                e.doc()
                    .strategy
                    .rules
                    .iter()
                    .find(|r| r.name == parent)
                    .and_then(|r| {
                        r.items
                            .iter()
                            .enumerate()
                            .find(|(i, item)| pick(*i, &item.reference))
                    })
                    .map(|(i, item)| (i, item.reference.clone()))
            })
        };
        let before = self.selected.get_untracked();
        let leaf = match &before {
            Some(NodeKey::Leaf { parent, index }) => {
                find(parent, &|i, _| i == *index).map(|(_, r)| (parent.clone(), r))
            }
            _ => None,
        };
        change();
        let after = match before {
            Some(NodeKey::Leaf { .. }) => leaf.and_then(|(parent, reference)| {
                find(&parent, &|_, r| r == reference)
                    .map(|(index, _)| NodeKey::Leaf { parent, index })
            }),
            Some(NodeKey::Rule(name)) => self
                .editor
                .with_untracked(|e| is_rule(e.doc(), &name))
                .then_some(NodeKey::Rule(name)),
            None => None,
        };
        if after != self.selected.get_untracked() {
            self.selected.set(after);
        }
    }

    fn say_error(&self, text: String) {
        self.notice.set(Some(Notice { error: true, text }));
    }

    fn say(&self, text: String) {
        self.notice.set(Some(Notice { error: false, text }));
    }

    fn doc(&self) -> StrategyDocument {
        self.editor.with(|e| e.doc().clone())
    }
}

#[component]
pub fn StrategyPage() -> impl IntoView {
    let params = use_params_map();
    let domain = Memo::new(move |_| params.read().get("domain").unwrap_or_default());
    let data = Resource::new(
        move || domain.get(),
        |domain| async move {
            let schedule = schedule(domain.clone()).await?;
            let draft = load_strategy_draft(domain).await?;
            Ok::<_, ConsoleError>((schedule, draft))
        },
    );
    view! {
        <Title text=move || format!("{} · {} · ITM", t("调度策略", "Strategy")(), domain.get()) />
        <Transition fallback=loading>
            {move || {
                data.get()
                    .map(|r| match r {
                        Err(e) => alert_error(&e),
                        Ok((schedule, draft)) => {
                            view! { <EditorView domain=domain.get_untracked() schedule draft /> }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn EditorView(
    domain: String,
    schedule: DomainSchedule,
    draft: Option<StrategyDraft>,
) -> impl IntoView {
    let ctx = Ctx::new(domain.clone(), schedule, draft);
    provide_context(ctx);
    crate::ui::track_unsaved(move || ctx.editor.with(Editor::is_dirty));
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key().to_lowercase();
        if !(ev.ctrl_key() || ev.meta_key()) || in_text_field(&ev) {
            return;
        }
        let redo = key == "y" || (key == "z" && ev.shift_key());
        if key == "z" || redo {
            ev.prevent_default();
            if redo {
                ctx.redo();
            } else {
                ctx.undo();
            }
        }
    };
    view! {
        <section
            class="strategy-editor card"
            data-ready=move || ready.get().to_string()
            on:keydown=on_key
        >
            <p class="crumbs">
                <a href="/">{t("域名", "Domains")}</a>
                " / "
                <a href=format!("/domains/{domain}")>{domain.clone()}</a>
                " / "
            </p>
            <h1>{t("调度策略配置", "Strategy editor")}</h1>
            {move || ctx.has_draft.get().then(|| ctx.draft_origin.get()).flatten().map(|(by, at)| view! {
                <p class="hint" data-testid="draft-origin">
                    {t("已载入保存的草稿：", "Loaded the saved draft: ")}
                    {format!("{by} · {}", crate::ui::widgets::time_text(at))}
                </p>
            })}
            <toolbar::Toolbar />
            {move || ctx.notice.get().map(|n| {
                let class = if n.error { "error" } else { "ok" };
                view! { <p class=class role="status" data-testid="notice">{n.text}</p> }
            })}
            <div class="editor-body">
                <canvas::EndpointList />
                <canvas::Canvas />
                <panel::Panel />
            </div>
            <problems::Problems />
        </section>
        <stress::StressView />
    }
}

/// Why an edit was refused, in the page's language.
fn edit_error_text(e: &EditError, lang: Lang) -> String {
    match e {
        EditError::UnknownRule(n) => lang.pick(
            format!("没有名为“{n}”的规则"),
            format!("no rule is named \"{n}\""),
        ),
        EditError::UnknownReference(n) => lang.pick(
            format!("没有名为“{n}”的规则或端点"),
            format!("no rule or endpoint is named \"{n}\""),
        ),
        EditError::UnknownItem(rule, item) => lang.pick(
            format!("规则“{rule}”没有第 {item} 个子节点"),
            format!("rule \"{rule}\" has no item {item}"),
        ),
        EditError::Cycle { parent, child } => lang.pick(
            format!("“{child}”已经通向“{parent}”：这样连接会形成环（要把整棵树放到新规则下，请用“套上新的上级规则”）"),
            format!("\"{child}\" already leads to \"{parent}\": connecting it would make a cycle (to put the tree under a new rule, use \"Wrap in a new rule\")"),
        ),
        EditError::AlreadyConnected { parent, reference } => lang.pick(
            format!("“{parent}”已经有子节点“{reference}”"),
            format!("\"{parent}\" already has \"{reference}\" as an item"),
        ),
        EditError::NameTaken(n) => lang.pick(
            format!("名称“{n}”已被其他规则或端点使用"),
            format!("the name \"{n}\" is taken by another rule or an endpoint"),
        ),
        EditError::EmptyName => lang.pick("名称不能为空", "the name is empty").to_owned(),
        EditError::NoParent(n) => lang.pick(
            format!("没有规则使用“{n}”：它的子节点无处可移"),
            format!("no rule uses \"{n}\": there is no parent to move its items to"),
        ),
    }
}

/// Ctrl+Z in a text box undoes the typing, not the draft.
fn in_text_field(ev: &leptos::ev::KeyboardEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

/// The editor's context (every view below `EditorView`).
fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_edit_is_told_in_each_language() {
        let all = [
            EditError::UnknownRule("r".into()),
            EditError::UnknownReference("r".into()),
            EditError::UnknownItem("r".into(), 2),
            EditError::Cycle {
                parent: "p".into(),
                child: "c".into(),
            },
            EditError::AlreadyConnected {
                parent: "p".into(),
                reference: "c".into(),
            },
            EditError::NameTaken("r".into()),
            EditError::EmptyName,
            EditError::NoParent("r".into()),
        ];
        for e in &all {
            let zh = edit_error_text(e, Lang::Zh);
            // Only the names (one letter here) are Latin in the Chinese text.
            let latin = zh.chars().filter(char::is_ascii_alphabetic).count();
            assert!(latin <= 2, "{zh}");
            assert_eq!(edit_error_text(e, Lang::En), e.to_string().replace(
                "connecting it would make a cycle",
                "connecting it would make a cycle (to put the tree under a new rule, use \"Wrap in a new rule\")",
            ));
        }
    }
}
