//! The editor's commands: undo and redo, the recommended strategy as a draft (seed: 使用推荐策略),
//! save and discard the draft, enable it (a new version, with an optional note), and the
//! versions list (who made each, how, and their note), each loadable as a draft. Enabling a
//! draft that leaves user groups unanswered asks first; one that answers no group at all is
//! refused (the server refuses it too). Saving and enabling need a write policy; anyone may
//! edit and preview.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use super::{Ctx, ctx};
use crate::editor::Edit;
use crate::editor::lint::{Lint, lint};
use crate::strategy::{Family, StrategyDocument, answers_nobody, recommend};
use crate::ui::i18n::t;
use crate::ui::i18n::{Lang, version_source_name};
use crate::ui::server_fns::scheduling::{
    discard_strategy_draft, enable_strategy, save_strategy_draft, strategy_version,
    strategy_versions,
};
use crate::ui::widgets::{error_text, time_text};

#[component]
pub(super) fn Toolbar() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang;
    let busy = RwSignal::new(false);
    let versions_changed = RwSignal::new(0_u32);
    let can_undo = move || ctx.editor.with(|e| e.can_undo());
    let can_redo = move || ctx.editor.with(|e| e.can_redo());
    let dirty = move || ctx.editor.with(|e| e.is_dirty());
    let invalid = move || ctx.checked.with(Result::is_err);
    let use_recommended = move |_| {
        let mut doc = ctx.doc();
        let endpoints = doc.endpoints_conf.clone();
        doc.strategy = recommend(&endpoints).strategy;
        ctx.edit(Edit::Replace(Box::new(doc)));
        ctx.selected.set(None);
        ctx.say(
            t(
                "已载入推荐策略（草稿，尚未启用）。",
                "The recommended strategy is loaded as a draft (not enabled yet).",
            )()
            .to_owned(),
        );
    };
    let save = move |_| {
        run(ctx, busy, move |domain, json, _| async move {
            save_strategy_draft(domain, json).await?;
            ctx.has_draft.set(true);
            ctx.draft_origin.set(None);
            Ok(lang
                .get_untracked()
                .pick("草稿已保存。", "Draft saved.")
                .to_owned())
        })
    };
    let discard = move |_| {
        let enabled = ctx.enabled.get_untracked();
        ctx.edit(Edit::Replace(Box::new(enabled)));
        if !ctx.has_draft.get_untracked() {
            ctx.editor.update(|e| e.mark_saved());
            ctx.say(
                lang.get_untracked()
                    .pick("已恢复为已启用的版本。", "Back to the enabled version.")
                    .to_owned(),
            );
            return;
        }
        run(ctx, busy, move |domain, _, _| async move {
            discard_strategy_draft(domain).await?;
            ctx.has_draft.set(false);
            Ok(lang
                .get_untracked()
                .pick(
                    "草稿已丢弃，恢复为已启用的版本。",
                    "Draft discarded; back to the enabled version.",
                )
                .to_owned())
        })
    };
    let note = RwSignal::new(String::new());
    // The groups the draft leaves unanswered, when enabling it must ask first.
    let asking = RwSignal::new(None::<Vec<(Family, usize)>>);
    let send_enable = move || {
        asking.set(None);
        let base = ctx.enabled_version.get_untracked().unwrap_or(0);
        let note_text = note.get_untracked();
        run(ctx, busy, move |domain, json, sent| async move {
            let version = enable_strategy(domain, json, base, note_text).await?;
            note.set(String::new());
            ctx.enabled.set(sent);
            ctx.enabled_version.set(Some(version));
            ctx.has_draft.set(false);
            versions_changed.update(|n| *n += 1);
            Ok(lang.get_untracked().pick(
                format!("已启用，版本 {version}。"),
                format!("Enabled as version {version}."),
            ))
        })
    };
    let enable = move |_| {
        match coverage(ctx) {
        Coverage::Nobody => ctx.say_error(
            lang.get_untracked()
                .pick(
                    "这个策略不应答任何用户组（A 和 AAAA 都没有应答）：启用后 DNS 对该域名什么也不回答。请先修改策略。",
                    "This strategy answers no user group (no A or AAAA answer for anyone): enabled, DNS would answer nothing for the domain. Fix the strategy first.",
                )
                .to_owned(),
        ),
        Coverage::Gaps(gaps) => asking.set(Some(gaps)),
        Coverage::Everyone => send_enable(),
    }
    };
    let versions = Resource::new(
        move || (ctx.domain.get_value(), versions_changed.get()),
        |(domain, _)| strategy_versions(domain),
    );
    let load_version = move |version: i64| {
        let domain = ctx.domain.get_value();
        leptos::task::spawn_local(async move {
            match strategy_version(domain, version).await {
                Ok(doc) => {
                    ctx.edit(Edit::Replace(Box::new(doc)));
                    ctx.selected.set(None);
                    ctx.say(lang.get_untracked().pick(
                        format!("已载入版本 {version} 作为草稿。"),
                        format!("Version {version} is loaded as the draft."),
                    ));
                }
                Err(e) => ctx.say_error(error_text(&e)),
            }
        });
    };
    view! {
        <div class="toolbar" role="toolbar">
            <button type="button" id="undo" disabled=move || !can_undo() on:click=move |_| ctx.undo()>
                {t("撤销", "Undo")}
            </button>
            <button type="button" id="redo" disabled=move || !can_redo() on:click=move |_| ctx.redo()>
                {t("重做", "Redo")}
            </button>
            <button type="button" id="recommend" on:click=use_recommended>
                {t("使用推荐策略", "Use the recommended strategy")}
            </button>
            <button type="button" id="save-draft" disabled=move || busy.get() || !ctx.writable.get() on:click=save>
                {t("保存草稿", "Save draft")}
            </button>
            <button type="button" id="discard-draft" disabled=move || busy.get() || !ctx.writable.get() on:click=discard>
                {t("丢弃草稿", "Discard draft")}
            </button>
            <button
                type="button"
                id="enable"
                class="primary"
                disabled=move || busy.get() || invalid() || !ctx.writable.get()
                on:click=enable
            >
                {t("启用策略", "Enable")}
            </button>
            <input
                type="text"
                id="version-note"
                maxlength="500"
                aria-label=move || lang.get().pick("版本备注（可选）", "Version note (optional)")
                placeholder=move || lang.get().pick("版本备注（可选）", "Version note (optional)")
                prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))
            />
            <span class="dirty" id="dirty" data-dirty=move || dirty().to_string()>
                {move || if dirty() { t("有未保存的修改", "Unsaved changes")() } else { "" }}
            </span>
            <details class="versions" id="versions">
                <summary>{t("历史版本", "Versions")}</summary>
                <ul>
                    <Transition fallback=|| ()>
                        {move || versions.get().map(|r| match r {
                            Err(e) => view! { <li class="error">{error_text(&e)}</li> }.into_any(),
                            Ok(list) => list.into_iter().map(|v| view! {
                                <li data-version=v.version>
                                    {format!("v{} · {} · {}", v.version, time_text(v.created_at), v.created_by)}
                                    <span class="source" data-source=v.source.code()>
                                        {move || version_source_name(v.source)}
                                    </span>
                                    {(!v.note.is_empty()).then(|| view! { <q class="note">{v.note.clone()}</q> })}
                                    {v.enabled.then(|| view! { <b>{t(" · 已启用", " · enabled")}</b> })}
                                    " "
                                    <button type="button" class="load-version" on:click=move |_| load_version(v.version)>
                                        {t("载入为草稿", "Load as draft")}
                                    </button>
                                </li>
                            }).collect_view().into_any(),
                        })}
                    </Transition>
                </ul>
            </details>
        </div>
        {move || asking.get().map(|gaps| {
            let groups: usize = gaps.iter().map(|(_, n)| n).sum();
            view! {
            <div class="confirm-enable warning" role="alertdialog" id="confirm-enable" aria-labelledby="confirm-enable-text">
                <p id="confirm-enable-text" data-groups=groups>
                    {move || gaps_text(&gaps, lang.get())}
                </p>
                <button type="button" id="confirm-enable-yes" class="danger" on:click=move |_| send_enable()>
                    {t("仍然启用", "Enable anyway")}
                </button>
                <button type="button" id="confirm-enable-no" on:click=move |_| asking.set(None)>
                    {t("取消", "Cancel")}
                </button>
            </div>
            }
        })}
    }
}

/// Who the valid draft answers, with every endpoint up.
enum Coverage {
    Everyone,
    /// Per family, how many groups get no answer (AAAA only when something can answer it).
    Gaps(Vec<(Family, usize)>),
    Nobody,
}

fn coverage(ctx: Ctx) -> Coverage {
    let doc = ctx.doc();
    ctx.checked.with(|checked| {
        let Ok(compiled) = checked else {
            return Coverage::Everyone; // Enable is disabled for an invalid draft.
        };
        if answers_nobody(&compiled.strategy) {
            return Coverage::Nobody;
        }
        let gaps: Vec<(Family, usize)> = ctx.base.with(|previews| {
            let Some(previews) = previews else {
                return Vec::new();
            };
            lint(&doc, &compiled.strategy, previews)
                .into_iter()
                .filter_map(|l| match l {
                    Lint::NoAnswer { family, groups } => Some((family, groups.len())),
                    _ => None,
                })
                .collect()
        });
        if gaps.is_empty() {
            Coverage::Everyone
        } else {
            Coverage::Gaps(gaps)
        }
    })
}

fn gaps_text(gaps: &[(Family, usize)], lang: Lang) -> String {
    let parts: Vec<String> = gaps
        .iter()
        .map(|(family, n)| {
            lang.pick(
                format!("{n} 个用户组没有 {family} 应答"),
                format!("{n} user groups get no {family} answer"),
            )
        })
        .collect();
    lang.pick(
        format!("启用后{}。仍然启用吗？", parts.join("，")),
        format!("Once enabled, {}. Enable anyway?", parts.join("; ")),
    )
}

/// Runs a server call with the draft (domain, JSON, the document itself); on success the sent
/// document counts as saved (edits made meanwhile stay unsaved) and the message shows, on
/// failure the error does.
fn run<F, Fut>(ctx: Ctx, busy: RwSignal<bool>, call: F)
where
    F: FnOnce(String, String, StrategyDocument) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<String, ConsoleError>> + 'static,
{
    let sent = ctx.doc();
    let json = serde_json::to_string(&sent).unwrap_or_default();
    let domain = ctx.domain.get_value();
    busy.set(true);
    leptos::task::spawn_local(async move {
        match call(domain, json, sent.clone()).await {
            Ok(message) => {
                ctx.editor.update(|e| e.mark_saved_as(sent));
                ctx.say(message);
            }
            Err(e) => ctx.say_error(error_text(&e)),
        }
        busy.set(false);
    });
}
