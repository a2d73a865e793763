//! The strategy editor (`/domains/<d>/strategy`): the draft as a tree canvas (`canvas.rs`), the
//! selected node's settings (`panel.rs`), and — computed in the browser by the evaluator DNS
//! runs — the preview with what-if failures, the N-1 sweep and the diff against the enabled
//! version (`stress.rs`). Save draft and Enable are separate; leaving with unsaved changes asks
//! first.
//!
//! State lives in one [`Ctx`] of signals; every change to the draft is an [`Edit`] applied
//! through [`Ctx::edit`], so it is checked, undoable, and refused whole with a message.

mod canvas;
mod panel;
mod stress;
mod toolbar;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::editor::layout::{Layout, NodeKey};
use crate::editor::stress::previews;
use crate::editor::{Edit, Editor};
use crate::model::{DomainSchedule, EndpointStatus, StrategyDraft};
use crate::strategy::{Compiled, Family, Preview, Problems, Strategy, StrategyDocument, UserGroup};
use crate::ui::UnsavedChanges;
use crate::ui::i18n::t;
use crate::ui::schedule::{load_strategy_draft, schedule};
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
    /// The enabled version's document (the diff's left side).
    enabled: RwSignal<StrategyDocument>,
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
    writable: Signal<bool>,
}

impl Ctx {
    fn new(domain: String, schedule: DomainSchedule, draft: StrategyDocument) -> Ctx {
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
            writable: Signal::derive(|| current_user().is_some_and(|m| m.can_write)),
        }
    }

    /// Applies `edit`; a created or renamed rule becomes the selection, a refusal the notice.
    fn edit(&self, edit: Edit) {
        match self.editor.try_update(|e| e.apply(edit)) {
            Some(Ok(Some(name))) => {
                self.selected.set(Some(NodeKey::Rule(name)));
                self.notice.set(None);
            }
            Some(Ok(None)) => self.notice.set(None),
            Some(Err(e)) => self.say_error(e.to_string()),
            None => {}
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
            Ok::<_, ServerFnError>((schedule, draft))
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
    let from_draft = draft.as_ref().map(|d| (d.updated_by.clone(), d.updated_at));
    let start = draft.map_or_else(|| schedule.document.clone(), |d| d.document);
    let ctx = Ctx::new(domain.clone(), schedule, start);
    provide_context(ctx);
    track_unsaved(ctx);
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key().to_lowercase();
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        let redo = key == "y" || (key == "z" && ev.shift_key());
        if key == "z" || redo {
            ev.prevent_default();
            ctx.editor.update(|e| {
                if redo {
                    e.redo();
                } else {
                    e.undo();
                }
            });
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
            {from_draft.map(|(by, at)| view! {
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
            <panel::Problems />
        </section>
        <stress::StressView />
    }
}

/// Keeps the app-wide "unsaved changes" flag (which guards leaving the page) in step with the
/// draft, and clears it when the editor goes away.
fn track_unsaved(ctx: Ctx) {
    let Some(UnsavedChanges(flag)) = use_context::<UnsavedChanges>() else {
        return;
    };
    Effect::new(move |_| flag.set(ctx.editor.with(Editor::is_dirty)));
    on_cleanup(move || flag.set(false));
}

/// The editor's context (every view below `EditorView`).
fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
