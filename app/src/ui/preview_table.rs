//! The table of every user group's answer (33 areas × 5 ISPs), shared by the strategy lab and
//! the scheduling results: each cell lists the endpoints with their shares, coloured by health;
//! with `endpoints`, each answer gets its map colour. And the table of the groups whose answer
//! a change moves (the editor's diff, the recommendation's confirmation).

use leptos::prelude::*;

use super::i18n::{isp_name, lang, t};
use super::map::colour;
use crate::editor::stress::{Change, shares_text};
use crate::strategy::{AREAS, GroupPreview, Isp, Preview, UserGroup};

/// The header row: the area column and the five ISPs.
#[component]
pub fn PreviewHead() -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th>{t("地区", "Area")}</th>
                {Isp::ALL
                    .into_iter()
                    .map(|isp| view! { <th>{move || format!("{} {}", isp_name(isp), isp.code())}</th> })
                    .collect_view()}
            </tr>
        </thead>
    }
}

/// One row per area.
#[component]
pub fn PreviewRows(
    preview: Preview,
    /// The strategy's endpoints, to colour each answer as the map does.
    #[prop(optional)]
    endpoints: Option<Vec<String>>,
) -> impl IntoView {
    AREAS
        .iter()
        .enumerate()
        .map(|(a, info)| {
            let cells = (0..Isp::COUNT)
                .filter_map(|i| UserGroup::from_index(a * Isp::COUNT + i))
                .map(|g| {
                    view! { <GroupCell answer=preview.group(g).clone() endpoints=endpoints.clone() /> }
                })
                .collect_view();
            view! {
                <tr>
                    <th title=info.code>{move || lang().get().pick(info.name_zh, info.name_en)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn GroupCell(answer: GroupPreview, endpoints: Option<Vec<String>>) -> impl IntoView {
    let class = match (answer.healthy, answer.dist.is_empty()) {
        (_, true) => "empty",
        (true, false) => "healthy",
        (false, false) => "unhealthy",
    };
    let lines = answer
        .dist
        .iter()
        .map(|(value, p)| {
            let swatch = endpoints.as_ref().map(|list| {
                view! { <span class="swatch" style=format!("background:{}", colour(list, value))></span> }
            });
            view! { <div>{swatch} {format!("{value} {:.1}%", p * 100.0)}</div> }
        })
        .collect_view();
    view! {
        <td class=class data-group=answer.group.to_string() data-preview=answer.to_json()>
            {lines}
        </td>
    }
}

/// One row per (record type, group) whose answer changes: before and after.
#[component]
pub fn ChangesTable(
    changes: Vec<Change>,
    before: (&'static str, &'static str),
    after: (&'static str, &'static str),
) -> impl IntoView {
    view! {
        <table class="preview compare-table">
            <thead>
                <tr>
                    <th>{t("用户组", "User group")}</th>
                    <th>{t(before.0, before.1)}</th>
                    <th>{t(after.0, after.1)}</th>
                </tr>
            </thead>
            <tbody>
                {changes.iter().map(|c| view! {
                    <tr data-group=c.group.to_string()>
                        <th>{format!("{} {}", c.family, c.group)}</th>
                        <td>{shares_text(&c.before)}</td>
                        <td>{shares_text(&c.after)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
