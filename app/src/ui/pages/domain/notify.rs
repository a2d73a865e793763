//! A domain's notify tab (`/domains/<d>/notify`): which of the account's contacts and contact
//! groups hear of the domain's health changes. The contacts and groups themselves are made on
//! the notifications page (`notifications.rs`); this tab only chooses among them.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::{ContactGroupRecord, ContactRecord, DomainNotify};
use crate::ui::i18n::t;
use crate::ui::server_fns::alert_contacts::{
    list_contact_groups, list_contacts, load_domain_notify, save_domain_notify,
};
use crate::ui::widgets::{Writable, alert_error, error_text, loading};

/// A domain's choice of contacts and groups to notify.
#[component]
pub fn DomainNotifyTab(domain: String) -> impl IntoView {
    let loaded = Resource::new(
        {
            let domain = domain.clone();
            move || domain.clone()
        },
        |domain| async move {
            let choice = load_domain_notify(domain).await?;
            let contacts = list_contacts().await?;
            let groups = list_contact_groups().await?;
            Ok::<_, ConsoleError>((choice, contacts, groups))
        },
    );
    view! {
        <section class="domain-notify card">
            <h2>{t("通知谁", "Whom to notify")}</h2>
            <Transition fallback=loading>
                {
                    let domain = domain.clone();
                    move || loaded.get().map(|r| match r {
                        Err(e) => alert_error(&e),
                        Ok((choice, contacts, groups)) => view! {
                            <NotifyChoice domain=domain.clone() choice contacts groups />
                        }.into_any(),
                    })
                }
            </Transition>
        </section>
    }
}

#[component]
fn NotifyChoice(
    domain: String,
    choice: DomainNotify,
    contacts: Vec<ContactRecord>,
    groups: Vec<ContactGroupRecord>,
) -> impl IntoView {
    let chosen = RwSignal::new(choice);
    let status = RwSignal::new(None::<Result<(), String>>);
    if contacts.is_empty() && groups.is_empty() {
        return view! {
            <p class="empty">
                {t("还没有联系人：先在“通知”页添加联系人。", "No contacts yet: add them on the Notifications page first.")}
                " " <a href="/notifications">{t("通知", "Notifications")}</a>
            </p>
        }.into_any();
    }
    let toggle = move |kind: &'static str, name: String, on: bool| {
        chosen.update(|c| {
            let list = if kind == "group" {
                &mut c.groups
            } else {
                &mut c.contacts
            };
            list.retain(|x| *x != name);
            if on {
                list.push(name);
            }
        });
    };
    let boxes = |kind: &'static str, names: Vec<String>| {
        names.into_iter().map(move |name| {
            let (n1, n2) = (name.clone(), name.clone());
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        data-kind=kind
                        data-name=name.clone()
                        prop:checked=move || chosen.with(|c| if kind == "group" { c.groups.contains(&n1) } else { c.contacts.contains(&n1) })
                        on:change=move |ev| toggle(kind, n2.clone(), event_target_checked(&ev))
                    />
                    {name.clone()}
                </label>
            }
        }).collect_view()
    };
    let save = move || {
        let (domain, choice) = (domain.clone(), chosen.get_untracked());
        leptos::task::spawn_local(async move {
            status.set(Some(
                save_domain_notify(domain, choice)
                    .await
                    .map_err(|e| error_text(&e)),
            ));
        });
    };
    view! {
        <form class="notify-choice" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <fieldset>
                <legend>{t("联系人", "Contacts")}</legend>
                {boxes("contact", contacts.into_iter().map(|c| c.name).collect())}
            </fieldset>
            <fieldset>
                <legend>{t("联系人组", "Contact groups")}</legend>
                {boxes("group", groups.into_iter().map(|g| g.name).collect())}
            </fieldset>
            <Writable>
                <button type="submit" class="primary">{t("保存通知设置", "Save notifications")}</button>
            </Writable>
            {move || status.get().map(|s| match s {
                Ok(()) => view! { <span class="ok" role="status">{t("已保存", "Saved")}</span> }.into_any(),
                Err(m) => view! { <p class="error" role="alert">{m}</p> }.into_any(),
            })}
        </form>
    }.into_any()
}
