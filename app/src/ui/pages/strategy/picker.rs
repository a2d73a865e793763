//! The province × ISP picker of a usersetMapping item: the 165 user groups as a grid, picked one
//! cell, one province or one ISP at a time. It writes the item's usersets text through one
//! [`Edit`] per click, as compactly as the item's siblings allow (`editor::usersets`); it keeps
//! no state of its own.

use leptos::prelude::*;

use super::ctx;
use crate::editor::Edit;
use crate::editor::usersets::{area_groups, compact, isp_groups, picked, toggle_all};
use crate::strategy::{Area, Isp, UserGroup, Usersets};
use crate::ui::i18n::{area_name, isp_name};

/// The province × ISP grid of a mapping item: a cell per group, a button per row (province) and
/// column (ISP) to pick or drop all of it. Every click is one edit (undoable).
#[component]
pub(super) fn UsersetPicker(parent: String, index: usize, usersets: String) -> impl IntoView {
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
