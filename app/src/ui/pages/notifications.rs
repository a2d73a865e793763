//! Notifications: alert contacts (e-mail, SMS, webhook), contact groups, and the delivery log.
//! Each domain chooses whom to notify on its own tab (`domain/notify.rs`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::model::{ContactGroupRecord, ContactRecord, DeliveryRecord};
use crate::ui::error::ConsoleError;
use crate::ui::i18n::t;
use crate::ui::server_fns::alert_contacts::{
    DeleteContact, DeleteContactGroup, PutContact, TestContact, list_contact_groups, list_contacts,
    list_deliveries, put_contact_group,
};
use crate::ui::widgets::{
    Writable, alert, alert_error, confirm_delete, error_text, first_error, loading, time_text,
};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let put = ServerAction::<PutContact>::new();
    let delete = ServerAction::<DeleteContact>::new();
    let delete_group = ServerAction::<DeleteContactGroup>::new();
    let test = ServerAction::<TestContact>::new();
    let groups_saved = RwSignal::new(0_u32);
    let contacts = Resource::new(
        move || (put.version().get(), delete.version().get()),
        |_| list_contacts(),
    );
    let groups = Resource::new(
        move || {
            (
                groups_saved.get(),
                delete_group.version().get(),
                delete.version().get(),
            )
        },
        |_| list_contact_groups(),
    );
    // A test shows up in the log at once (queued), then as the sender records it.
    let deliveries = Resource::new(move || test.version().get(), |_| list_deliveries());
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let failure = move || {
        first_error(&[
            put.value()
                .get()
                .filter(|r| r.as_ref().err().and_then(ConsoleError::field).is_none()),
            delete.value().get(),
            delete_group.value().get(),
            test.value().get().map(|r| r.map(|_| ())),
        ])
    };
    let tested = move || {
        let Some(Ok(queued)) = test.value().get() else {
            return None;
        };
        Some(view! {
            <p class="ok" role="status">
                {move || crate::ui::i18n::lang().get().pick(
                    format!("已排队 {queued} 条测试消息，结果见下方发送记录。"),
                    format!("{queued} test message(s) queued; see the delivery log below for how they went."),
                )}
            </p>
        })
    };
    view! {
        <Title text="通知 Notifications · ITM" />
        <section class="contacts card" data-ready=move || ready.get().to_string()>
            <h1>{t("告警联系人", "Alert contacts")}</h1>
            <p class="hint">
                {t(
                    "端点或域名的健康状态变化时，域名选中的联系人会通过其填写的每个渠道收到通知（邮件、短信、Webhook）。",
                    "When an endpoint's or a domain's health changes, the contacts the domain chose are notified on every channel they have (e-mail, SMS, webhook).",
                )}
            </p>
            <Writable>
                <ContactForm put />
            </Writable>
            {move || failure().map(alert)}
            {tested}
            <Transition fallback=loading>
                {move || contacts.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">{t("还没有联系人：添加一个，再在域名的“通知”页选中它。", "No contacts yet: add one, then choose it on a domain's Notifications tab.")}</p>
                    }.into_any(),
                    Ok(list) => view! { <ContactTable list delete test /> }.into_any(),
                })}
            </Transition>
        </section>
        <section class="groups card">
            <h2>{t("联系人组", "Contact groups")}</h2>
            <Transition fallback=|| ()>
                {move || {
                    let all = contacts.get().and_then(Result::ok).unwrap_or_default();
                    groups.get().map(|r| match r {
                        Err(e) => alert_error(&e),
                        Ok(list) => view! { <Groups list contacts=all saved=groups_saved delete=delete_group /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
        <section class="deliveries card">
            <h2>{t("发送记录", "Delivery log")}</h2>
            <Transition fallback=|| ()>
                {move || deliveries.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">{t("还没有发送过通知。", "Nothing has been sent yet.")}</p>
                    }.into_any(),
                    Ok(list) => view! { <DeliveryTable list /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// The new-contact form. It works as a plain post before the page is hydrated; bad input is
/// said beside the field the server names, and what was typed stays; a saved contact is
/// confirmed and the form emptied for the next one.
#[component]
fn ContactForm(put: ServerAction<PutContact>) -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(put.value().get(), Some(Ok(())))
            && let Some(form) = form.get_untracked()
        {
            form.reset();
        }
    });
    let refused = move |field: &'static str| {
        move || match put.value().get() {
            Some(Err(e)) if e.field() == Some(field) => Some(view! {
                <span class="field-error" data-field=field role="alert">{error_text(&e)}</span>
            }),
            _ => None,
        }
    };
    let saved = move || {
        matches!(put.value().get(), Some(Ok(()))).then(|| {
            view! {
                <p class="ok" role="status">{t("联系人已保存。", "Contact saved.")}</p>
            }
        })
    };
    view! {
        <ActionForm action=put node_ref=form attr:class="add-contact">
            <label>{t("名称", "Name")} <input type="text" name="name" /> {refused("name")}</label>
            <label>{t("邮箱", "E-mail")} <input type="text" name="email" /> {refused("email")}</label>
            <label>{t("手机", "Phone")} <input type="text" name="phone" /> {refused("phone")}</label>
            <label>"Webhook" <input type="text" name="webhook" placeholder="https://…" /> {refused("webhook")}</label>
            <button type="submit" disabled=move || put.pending().get()>{t("保存联系人", "Save contact")}</button>
        </ActionForm>
        {saved}
    }
}

#[component]
fn ContactTable(
    list: Vec<ContactRecord>,
    delete: ServerAction<DeleteContact>,
    test: ServerAction<TestContact>,
) -> impl IntoView {
    view! {
        <table class="contact-list">
            <thead>
                <tr>
                    <th>{t("名称", "Name")}</th>
                    <th>{t("邮箱", "E-mail")}</th>
                    <th>{t("手机", "Phone")}</th>
                    <th>"Webhook"</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|c| {
                    let (name, row_name, test_name) = (c.name.clone(), c.name.clone(), c.name.clone());
                    view! {
                        <tr data-contact=row_name>
                            <td>{c.name}</td>
                            <td>{c.email}</td>
                            <td>{c.phone}</td>
                            <td>{c.webhook}</td>
                            <td>
                                <Writable>
                                    {test_button(test, test_name.clone())}
                                    {confirm_delete!(delete, name = name)}
                                </Writable>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// "Send a test": one test message on each of the contact's channels.
fn test_button(test: ServerAction<TestContact>, name: String) -> impl IntoView {
    view! {
        <ActionForm action=test attr:class="test-contact">
            <input type="hidden" name="name" value=name />
            <button type="submit" disabled=move || test.pending().get()>
                {t("发送测试", "Send a test")}
            </button>
        </ActionForm>
    }
}

/// Groups with their members; a new group is named and its members ticked.
#[component]
fn Groups(
    list: Vec<ContactGroupRecord>,
    contacts: Vec<ContactRecord>,
    saved: RwSignal<u32>,
    delete: ServerAction<DeleteContactGroup>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let members = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let save = move || {
        let group = ContactGroupRecord {
            name: name.get_untracked(),
            contacts: members.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match put_contact_group(group).await {
                Ok(()) => {
                    error.set(None);
                    name.set(String::new());
                    members.set(Vec::new());
                    saved.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let rows = list
        .into_iter()
        .map(|g| {
            let group = g.name.clone();
            view! {
                <tr data-group=g.name.clone()>
                    <td>{g.name.clone()}</td>
                    <td>{g.contacts.join(", ")}</td>
                    <td>
                        <Writable>
                            {confirm_delete!(delete, name = group)}
                        </Writable>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let names: Vec<String> = contacts.into_iter().map(|c| c.name).collect();
    let choices = move || {
        names
            .clone()
            .into_iter()
            .map(|c| {
                let (value, value2) = (c.clone(), c.clone());
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            data-member=c.clone()
                            prop:checked=move || members.with(|m| m.contains(&value))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                members.update(|m| {
                                    m.retain(|x| *x != value2);
                                    if on {
                                        m.push(value2.clone());
                                    }
                                });
                            }
                        />
                        {c.clone()}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <table class="group-list">
            <thead>
                <tr>
                    <th>{t("组名", "Group")}</th>
                    <th>{t("成员", "Members")}</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <Writable>
            <form class="add-group" on:submit=move |ev| { ev.prevent_default(); save(); }>
                <label>
                    {t("新组名", "New group")}
                    <input type="text" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <fieldset class="members">
                    <legend>{t("成员", "Members")}</legend>
                    {choices.clone()()}
                </fieldset>
                <button type="submit">{t("保存联系人组", "Save group")}</button>
            </form>
        </Writable>
        {move || error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
    }
}

#[component]
fn DeliveryTable(list: Vec<DeliveryRecord>) -> impl IntoView {
    view! {
        <table class="delivery-list">
            <thead>
                <tr>
                    <th>{t("时间 (UTC)", "Time (UTC)")}</th>
                    <th>{t("联系人", "Contact")}</th>
                    <th>{t("渠道", "Channel")}</th>
                    <th>{t("地址", "Address")}</th>
                    <th>{t("主题", "Subject")}</th>
                    <th>{t("状态", "Status")}</th>
                    <th>{t("尝试次数", "Attempts")}</th>
                    <th>{t("错误", "Error")}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|d| {
                    let class = format!("delivery {}", d.status);
                    view! {
                    <tr class=class>
                        <td>{time_text(d.time)}</td>
                        <td>{d.contact}</td>
                        <td>{d.channel}</td>
                        <td>{d.address}</td>
                        <td>{d.subject}</td>
                        <td>{d.status}</td>
                        <td>{d.attempts}</td>
                        <td>{d.last_error}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
