//! Access control (IAM): sub-users with their policies and the login link to hand out (the main
//! account manages them), access keys (the secret is shown once), and the audit log with filters
//! (`/iam?user=&action=&days=`, rendered by the server).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::model::{CreatedUser, KeyInfo, Policy, UserInfo};
use crate::ui::i18n::{lang, t};
use crate::ui::server_fns::access_admin::{
    CreateAccessKey, CreateUser, DeleteAccessKey, DeleteUser, ResetPassword, SetPolicy, audit_log,
    list_access_keys, list_users,
};
use crate::ui::widgets::{
    CopyButton, alert, alert_error, confirm_delete, current_user, first_error, loading, time_text,
};

#[component]
pub fn IamPage() -> impl IntoView {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    // Each action on this page is audited: the log below reads it again after each one.
    let acted = RwSignal::new(0_u32);
    view! {
        <Title text="访问控制 IAM · ITM" />
        <section class="iam card" data-ready=move || ready.get().to_string()>
            <h1>{t("访问控制", "Access control")}</h1>
            <LoginLink />
        </section>
        <Users acted />
        <AccessKeys acted />
        <AuditLog acted />
    }
}

/// The sub-user login link of this account.
#[component]
fn LoginLink() -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || {
                current_user()
                    .map(|me| {
                        let link = format!("/login/{}", me.account_id);
                        view! {
                            <p class="login-link">
                                {t("子用户登录链接：", "Sub-user login link: ")}
                                <code data-testid="login-link">{link.clone()}</code>
                                <CopyButton text=link />
                            </p>
                        }
                    })
            }}
        </Transition>
    }
}

/// A password or secret shown this once.
#[component]
fn ShownOnce(label: String, secret: String) -> impl IntoView {
    view! {
        <div class="notice shown-once" role="status">
            <strong>{label}</strong>
            " "
            <code data-testid="secret">{secret.clone()}</code>
            <CopyButton text=secret />
            <p>{t("只显示这一次：请现在保存。", "Shown this once: keep it now.")}</p>
        </div>
    }
}

#[component]
fn Users(acted: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let policy = ServerAction::<SetPolicy>::new();
    tell_on_completion(acted, move || {
        create.version().get()
            + reset.version().get()
            + delete.version().get()
            + policy.version().get()
    });
    let list = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                policy.version().get(),
            )
        },
        |_| list_users(),
    );
    let lang = lang();
    // The password of whichever action answered last (create or reset).
    let last = RwSignal::new(None::<CreatedUser>);
    Effect::new(move |_| {
        if let Some(Ok(u)) = create.value().get() {
            last.set(Some(u));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(u)) = reset.value().get() {
            last.set(Some(u));
        }
    });
    let shown = move || {
        last.get().map(|u| {
            let label = lang.get_untracked().pick(
                format!("{} 的密码：", u.username),
                format!("Password of {}:", u.username),
            );
            view! { <ShownOnce label secret=u.password /> }
        })
    };
    let failure = move || {
        first_error(&[
            create.value().get().map(|r| r.map(drop)),
            reset.value().get().map(|r| r.map(drop)),
            delete.value().get(),
            policy.value().get(),
        ])
    };
    let is_main = move || current_user().is_some_and(|m| m.main);
    view! {
        <section class="users card">
            <h2>{t("子用户", "Sub-users")}</h2>
            <Transition fallback=|| ()>
                <Show when=is_main>
                    <ActionForm action=create attr:class="add-user">
                        <label>
                            {t("用户名", "User name")}
                            <input type="text" name="username" required />
                        </label>
                        <button type="submit">{t("创建子用户", "Create sub-user")}</button>
                    </ActionForm>
                </Show>
            </Transition>
            {shown}
            {move || failure().map(alert)}
            <Transition fallback=loading>
                {move || {
                    list.get()
                        .map(|r| match r {
                            Err(e) => alert_error(&e),
                            Ok(users) => {
                                let manage = is_main();
                                view! { <UserTable users manage reset delete policy /> }.into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn UserTable(
    users: Vec<UserInfo>,
    manage: bool,
    reset: ServerAction<ResetPassword>,
    delete: ServerAction<DeleteUser>,
    policy: ServerAction<SetPolicy>,
) -> impl IntoView {
    let subs: Vec<UserInfo> = users.into_iter().filter(|u| !u.main).collect();
    if subs.is_empty() {
        return view! {
            <p class="empty">
                {t(
                    "还没有子用户：创建一个，授予策略，再把登录链接交给他。",
                    "No sub-users yet: create one, grant it a policy, and hand it the login link.",
                )}
            </p>
        }
        .into_any();
    }
    view! {
        <table class="user-list">
            <thead>
                <tr>
                    <th>{t("用户名", "User name")}</th>
                    <th>{t("策略", "Policies")}</th>
                    <th>{t("创建时间 (UTC)", "Created (UTC)")}</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>
                {subs
                    .into_iter()
                    .map(|u| {
                        let held = u.policies.clone();
                        let policies = Policy::ALL
                            .into_iter()
                            .map(|p| {
                                let has = held.contains(&p);
                                let name = u.username.clone();
                                view! {
                                    <ActionForm action=policy attr:class="inline policy">
                                        <input type="hidden" name="username" value=name />
                                        <input type="hidden" name="policy" value=p.name() />
                                        <input type="hidden" name="grant" value=(!has).to_string() />
                                        <label class="check">
                                            <button
                                                type="submit"
                                                class:held=has
                                                aria-pressed=has.to_string()
                                                disabled=!manage
                                                data-policy=p.name()
                                            >
                                                {if has { "✓ " } else { "+ " }}
                                                {p.name()}
                                            </button>
                                        </label>
                                    </ActionForm>
                                }
                            })
                            .collect_view();
                        let (reset_name, delete_name) = (u.username.clone(), u.username.clone());
                        view! {
                            <tr data-user=u.username.clone()>
                                <td>{u.username.clone()}</td>
                                <td class="policies">{policies}</td>
                                <td>{time_text(u.created_at)}</td>
                                <td class="actions">
                                    {manage
                                        .then(|| {
                                            view! {
                                                <ActionForm action=reset attr:class="inline">
                                                    <input type="hidden" name="username" value=reset_name />
                                                    <button type="submit">{t("重置密码", "Reset password")}</button>
                                                </ActionForm>
                                                {confirm_delete!(delete, username = delete_name)}
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn AccessKeys(acted: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateAccessKey>::new();
    let delete = ServerAction::<DeleteAccessKey>::new();
    tell_on_completion(acted, move || {
        create.version().get() + delete.version().get()
    });
    let list = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| list_access_keys(),
    );
    let lang = lang();
    view! {
        <section class="keys card">
            <h2>{t("访问密钥", "Access keys")}</h2>
            <ActionForm action=create attr:class="add-key">
                <label>
                    {t("属于用户（空 = 自己）", "For user (empty = yourself)")}
                    <input type="text" name="username" />
                </label>
                <button type="submit">{t("创建访问密钥", "Create access key")}</button>
            </ActionForm>
            {move || {
                create
                    .value()
                    .get()
                    .map(|r| match r {
                        Ok(k) => {
                            let label = lang.get_untracked().pick(
                                format!("{} 的密钥 {}：", k.username, k.access_key_id),
                                format!("Secret of {} for {}:", k.access_key_id, k.username),
                            );
                            view! { <ShownOnce label secret=k.secret_access_key /> }.into_any()
                        }
                        Err(e) => alert_error(&e),
                    })
            }}
            {move || {
                delete
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| alert_error(&e))
            }}
            <Transition fallback=loading>
                {move || {
                    list.get()
                        .map(|r| match r {
                            Err(e) => alert_error(&e),
                            Ok(keys) => view! { <KeyTable keys delete /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn KeyTable(keys: Vec<KeyInfo>, delete: ServerAction<DeleteAccessKey>) -> impl IntoView {
    view! {
        <table class="key-list">
            <thead>
                <tr>
                    <th>{t("访问密钥 ID", "Access key ID")}</th>
                    <th>{t("用户", "User")}</th>
                    <th>{t("创建时间 (UTC)", "Created (UTC)")}</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>
                {keys
                    .into_iter()
                    .map(|k| {
                        let id = k.access_key_id.clone();
                        view! {
                            <tr data-key=k.access_key_id.clone()>
                                <td><code>{k.access_key_id.clone()}</code></td>
                                <td>{k.username.clone()}</td>
                                <td>{time_text(k.created_at)}</td>
                                <td>
                                    {confirm_delete!(delete, access_key_id = id)}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Counts `acted` up each time `completed` (a sum of action versions) changes after the first
/// read, i.e. each time one of the actions finishes.
fn tell_on_completion(acted: RwSignal<u32>, completed: impl Fn() -> usize + 'static) {
    Effect::new(move |before: Option<usize>| {
        let now = completed();
        if before.is_some_and(|b| b != now) {
            acted.update(|n| *n += 1);
        }
        now
    });
}

#[component]
fn AuditLog(acted: RwSignal<u32>) -> impl IntoView {
    let query = use_query_map();
    let get = move |key: &str| query.read().get(key).unwrap_or_default();
    let days = move || get("days").parse::<i64>().unwrap_or(30);
    let list = Resource::new(
        move || (get("user"), get("action"), days(), acted.get()),
        |(user, action, days, _)| audit_log(user, action, days),
    );
    view! {
        <section class="audit card">
            <h2>{t("审计日志", "Audit log")}</h2>
            <form method="get" action="/iam" class="search">
                <label>
                    {t("用户", "User")}
                    <input type="text" name="user" value=get("user") prop:value=move || get("user") />
                </label>
                <label>
                    {t("操作", "Action")}
                    <input
                        type="text"
                        name="action"
                        placeholder="domain.create"
                        value=get("action")
                        prop:value=move || get("action")
                    />
                </label>
                <label>
                    {t("最近天数", "Last days")}
                    <input
                        type="number"
                        name="days"
                        min="1"
                        value=days().to_string()
                        prop:value=move || days().to_string()
                    />
                </label>
                <button type="submit">{t("筛选", "Filter")}</button>
            </form>
            <Transition fallback=loading>
                {move || {
                    list.get()
                        .map(|r| match r {
                            Err(e) => alert_error(&e),
                            Ok(entries) if entries.is_empty() => view! {
                                <p class="empty">{t("没有符合条件的记录。", "No entries match.")}</p>
                            }.into_any(),
                            Ok(entries) => view! {
                                <table class="audit-list">
                                    <thead>
                                        <tr>
                                            <th>{t("时间 (UTC)", "Time (UTC)")}</th>
                                            <th>{t("用户", "User")}</th>
                                            <th>{t("操作", "Action")}</th>
                                            <th>{t("对象", "Target")}</th>
                                            <th>{t("详情", "Detail")}</th>
                                            <th>{t("来源", "Source")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {entries.into_iter().map(|e| view! {
                                            <tr>
                                                <td>{time_text(e.at)}</td>
                                                <td>{e.username}</td>
                                                <td class="action">{e.action}</td>
                                                <td>{e.target}</td>
                                                <td>{e.detail}</td>
                                                <td>{e.source}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}
