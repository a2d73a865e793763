//! The console's backend: the service layer behind the console's server functions, with the
//! same sessions (cookie, expiry, login throttling) as the REST API's `/v1/session`.

use app::model::{
    AuditEntry, ContactGroupRecord, ContactRecord, CreatedDomain, CreatedKey, CreatedMonitorPoint,
    CreatedUser, DeliveryRecord, DomainDetails, DomainNotify, DomainPage, DomainSchedule,
    DomainStatus, Enabling, EndpointInput, EndpointRecord, GroupMembers, HealthEventRecord,
    IpPlace, KeyInfo, Me, MonitorPointInfo, MonitorSettings, MonitorTaskCount, NewDomain,
    NewMonitorPoint, NodeStatus, Permission, ProbeRecord, QueryVolume, StrategyDraft, Usage,
    UserInfo, Verification, VersionInfo,
};
use app::strategy::{Area, Isp, StrategyDocument};
use app::ui::backend::{BoxFuture, ConsoleBackend, Reply};
use app::ui::error::ConsoleError;
use axum::http::request::Parts;

use crate::api::extract::{SESSION_COOKIE, expired_session_cookie, session_cookie};
use crate::service::AuditFilter;
use crate::service::{Caller, EndpointRef, Service, ServiceError};

pub struct Console(pub Service);

impl Console {
    /// The session's user as a caller — through the REST API's own door, so both doors read
    /// sessions, apply the CSRF rule and place the client the same way — or why not.
    async fn caller(&self, request: &Parts) -> Result<Caller, ConsoleError> {
        crate::api::extract::caller(&self.0, request)
            .await
            .map_err(ConsoleError::from)
    }
}

/// The body of a method acting as the session's user: `$service` and `$caller` are bound, the
/// service's error becomes the console's (the kind mapped where the REST API maps its own).
macro_rules! as_user {
    ($self:ident, $request:ident, |$service:ident, $caller:ident| $body:expr) => {
        Box::pin(async move {
            let $caller = $self.caller($request).await?;
            let $service = &$self.0;
            let $caller = &$caller;
            $body.await.map_err(ConsoleError::from)
        })
    };
}

impl ConsoleBackend for Console {
    fn login<'a>(
        &'a self,
        account_id: Option<i64>,
        username: &'a str,
        password: &'a str,
        request: &'a Parts,
    ) -> Reply<'a, String> {
        Box::pin(async move {
            let client = crate::api::extract::client(&self.0, request);
            let source = client.address.to_string();
            match self.0.login(account_id, username, password, &source).await {
                Ok(session) => Ok(session_cookie(&session.token, client.secure)),
                Err(e) => {
                    tracing::debug!("console login refused: {e}");
                    Err(match e {
                        ServiceError::Throttled(m) => ConsoleError::Throttled(m),
                        // One answer for every refusal: which part was wrong is not told.
                        _ => ConsoleError::LoginRequired,
                    })
                }
            }
        })
    }

    fn logout<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, String> {
        Box::pin(async move {
            if let Some(token) = crate::api::extract::cookie(request, SESSION_COOKIE)
                && let Err(e) = self.0.logout(&token).await
            {
                tracing::warn!("console logout: {e}");
            }
            expired_session_cookie()
        })
    }

    fn whoami<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Option<Me>> {
        Box::pin(async move {
            let caller = self.caller(request).await.ok()?;
            Some(Me {
                can_write: caller.require(Permission::Write).is_ok(),
                can_manage_account: caller.require(Permission::Account).is_ok(),
                operator: caller.require(Permission::Operate).is_ok(),
                username: caller.user.username,
                account_id: caller.user.account_id,
                main: caller.user.is_main,
                live_from: request
                    .extensions
                    .get::<super::guard::LiveStart>()
                    .map(|start| start.0.clone()),
            })
        })
    }

    fn domain_page<'a>(
        &'a self,
        request: &'a Parts,
        search: &'a str,
        page: u32,
    ) -> Reply<'a, DomainPage> {
        as_user!(self, request, |s, caller| s
            .domain_page(caller, search, page))
    }

    fn domain<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, DomainDetails> {
        as_user!(self, request, |s, caller| s.domain_details(caller, domain))
    }

    fn create_domain<'a>(
        &'a self,
        request: &'a Parts,
        domain: NewDomain,
    ) -> Reply<'a, CreatedDomain> {
        as_user!(self, request, |s, caller| async move {
            let created = s
                .create_domains(caller, std::slice::from_ref(&domain))
                .await?;
            created
                .into_iter()
                .next()
                .ok_or_else(|| ServiceError::Invalid("the domain was not created".into()))
        })
    }

    fn verify_domain<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, Verification> {
        as_user!(self, request, |s, caller| s.verify_domain(caller, domain))
    }

    fn set_domain_status<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        status: DomainStatus,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s
            .set_domain_status(caller, domain, status))
    }

    fn delete_domain<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s
            .delete_domains(caller, &[domain.to_owned()]))
    }

    fn set_domain_ttl<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        ttl: i64,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s
            .set_domain_ttl(caller, domain, ttl))
    }

    fn endpoints<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Vec<EndpointRecord>> {
        as_user!(self, request, |s, caller| s.list_endpoints(caller, domain))
    }

    fn add_endpoints<'a>(
        &'a self,
        request: &'a Parts,
        endpoints: Vec<EndpointInput>,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            s.add_endpoints(caller, &endpoints).await
        })
    }

    fn update_endpoint<'a>(&'a self, request: &'a Parts, endpoint: EndpointInput) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            s.update_endpoints(caller, std::slice::from_ref(&endpoint))
                .await
        })
    }

    fn delete_endpoint<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        endpoint: &'a str,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            let one = EndpointRef {
                domain: domain.to_owned(),
                endpoint: endpoint.to_owned(),
            };
            s.delete_endpoints(caller, &[one]).await
        })
    }

    fn locate<'a>(&'a self, request: &'a Parts, addresses: Vec<String>) -> Reply<'a, Vec<IpPlace>> {
        as_user!(self, request, |s, caller| async move {
            caller.require(Permission::Read)?;
            Ok::<_, ServiceError>(
                addresses
                    .iter()
                    .map(|a| {
                        // What adding the endpoint without an area/ISP would store.
                        let placed = s.place(a);
                        let (area, isp) = placed.unwrap_or((Area::NONE_CN, Isp::Other));
                        IpPlace {
                            area: area.code().to_owned(),
                            isp: isp.code().to_owned(),
                            known: placed.is_some(),
                        }
                    })
                    .collect(),
            )
        })
    }

    fn monitor_settings<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, MonitorSettings> {
        as_user!(self, request, |s, caller| s
            .monitor_settings(caller, domain))
    }

    fn set_monitor_settings<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        settings: MonitorSettings,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            s.set_monitor_settings(caller, domain, settings)
                .await
                .map(drop)
        })
    }

    fn monitor_points<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<MonitorPointInfo>> {
        as_user!(self, request, |s, caller| s.list_points(caller))
    }

    fn monitor_tasks<'a>(&'a self, request: &'a Parts) -> Reply<'a, MonitorTaskCount> {
        as_user!(self, request, |s, caller| s.monitor_tasks(caller))
    }

    fn probes<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        since: i64,
    ) -> Reply<'a, Vec<ProbeRecord>> {
        as_user!(self, request, |s, caller| s.probes(
            caller,
            domain,
            None,
            Some(since),
            Some(5000)
        ))
    }

    fn health_events<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Vec<HealthEventRecord>> {
        as_user!(self, request, |s, caller| s.health_events(
            caller,
            domain,
            None,
            Some(200)
        ))
    }

    fn query_volume<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        hours: u32,
    ) -> Reply<'a, QueryVolume> {
        as_user!(self, request, |s, caller| s.query_volume(
            caller,
            domain,
            Some(hours)
        ))
    }

    fn schedule<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, DomainSchedule> {
        as_user!(self, request, |s, caller| s.schedule(caller, domain))
    }

    fn schedule_at<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        at: i64,
    ) -> Reply<'a, DomainSchedule> {
        as_user!(self, request, |s, caller| s.schedule_at(caller, domain, at))
    }

    fn strategy_versions<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Vec<VersionInfo>> {
        as_user!(self, request, |s, caller| s
            .strategy_versions(caller, domain))
    }

    fn recommend_strategy<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        enabling: Enabling,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            s.recommend_strategy(caller, domain, &enabling).await
        })
    }

    fn strategy_version<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        n: i64,
    ) -> Reply<'a, StrategyDocument> {
        as_user!(self, request, |s, caller| s
            .strategy_version(caller, domain, n))
    }

    fn strategy_draft<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Option<StrategyDraft>> {
        as_user!(self, request, |s, caller| s.strategy_draft(caller, domain))
    }

    fn save_strategy_draft<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        document: StrategyDocument,
    ) -> Reply<'a, StrategyDraft> {
        as_user!(self, request, |s, caller| s
            .save_strategy_draft(caller, domain, &document))
    }

    fn discard_strategy_draft<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s
            .discard_strategy_draft(caller, domain))
    }

    fn enable_strategy<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        document: StrategyDocument,
        enabling: Enabling,
    ) -> Reply<'a, i64> {
        as_user!(self, request, |s, caller| async move {
            s.enable_strategy(caller, domain, &document, &enabling)
                .await
        })
    }

    fn create_point<'a>(
        &'a self,
        request: &'a Parts,
        point: NewMonitorPoint,
    ) -> Reply<'a, CreatedMonitorPoint> {
        as_user!(self, request, |s, caller| async move {
            s.create_point(caller, &point).await
        })
    }

    fn delete_point<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s.delete_point(caller, name))
    }

    fn users<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<UserInfo>> {
        as_user!(self, request, |s, caller| s.list_users(caller))
    }

    fn create_user<'a>(&'a self, request: &'a Parts, username: &'a str) -> Reply<'a, CreatedUser> {
        as_user!(self, request, |s, caller| s.create_user(
            caller,
            username.trim(),
            None
        ))
    }

    fn reset_password<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
    ) -> Reply<'a, CreatedUser> {
        as_user!(self, request, |s, caller| s
            .reset_password(caller, username, None))
    }

    fn delete_user<'a>(&'a self, request: &'a Parts, username: &'a str) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s.delete_user(caller, username))
    }

    fn set_policy<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
        policy: &'a str,
        granted: bool,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            if granted {
                s.grant_policy(caller, username, policy).await
            } else {
                s.revoke_policy(caller, username, policy).await
            }
        })
    }

    fn access_keys<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<KeyInfo>> {
        as_user!(self, request, |s, caller| s.list_access_keys(caller))
    }

    fn create_access_key<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
    ) -> Reply<'a, CreatedKey> {
        let owner = Some(username.trim()).filter(|u| !u.is_empty());
        as_user!(self, request, |s, caller| s
            .create_access_key(caller, owner))
    }

    fn delete_access_key<'a>(
        &'a self,
        request: &'a Parts,
        access_key_id: &'a str,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s
            .delete_access_key(caller, access_key_id))
    }

    fn audit<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
        action: &'a str,
        since: i64,
    ) -> Reply<'a, Vec<AuditEntry>> {
        let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let filter = AuditFilter {
            username: given(username),
            action: given(action),
            since_ms: Some(since),
            before_id: None,
            limit: 500,
        };
        as_user!(self, request, |s, caller| s.audit_log(caller, filter))
    }

    fn contacts<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<ContactRecord>> {
        as_user!(self, request, |s, caller| s.contacts(caller))
    }

    fn put_contact<'a>(&'a self, request: &'a Parts, contact: ContactRecord) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            s.put_contact(caller, &contact).await
        })
    }

    fn delete_contact<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s.delete_contact(caller, name))
    }

    fn test_contact<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, usize> {
        as_user!(self, request, |s, caller| s
            .send_test_notification(caller, name))
    }

    fn contact_groups<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<ContactGroupRecord>> {
        as_user!(self, request, |s, caller| s.contact_groups(caller))
    }

    fn put_contact_group<'a>(
        &'a self,
        request: &'a Parts,
        group: ContactGroupRecord,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            let members = GroupMembers {
                contacts: group.contacts,
            };
            s.put_contact_group(caller, &group.name, &members).await
        })
    }

    fn delete_contact_group<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| s
            .delete_contact_group(caller, name))
    }

    fn domain_notify<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, DomainNotify> {
        as_user!(self, request, |s, caller| s.domain_notify(caller, domain))
    }

    fn set_domain_notify<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        choice: DomainNotify,
    ) -> Reply<'a, ()> {
        as_user!(self, request, |s, caller| async move {
            s.set_domain_notify(caller, domain, &choice).await
        })
    }

    fn deliveries<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<DeliveryRecord>> {
        as_user!(self, request, |s, caller| s.deliveries(
            caller,
            None,
            Some(500)
        ))
    }

    fn usage<'a>(&'a self, request: &'a Parts) -> Reply<'a, Usage> {
        as_user!(self, request, |s, caller| async move {
            caller.require(Permission::Account)?;
            let tasks = s.monitor_tasks(caller).await?;
            let points = s.list_points(caller).await?;
            let domains = s.domain_page(caller, "", 1).await?;
            let endpoints: u64 = tasks.domains.iter().map(|d| u64::from(d.endpoints)).sum();
            Ok::<_, ServiceError>(Usage {
                domains: u64::from(domains.total),
                endpoints,
                monitor_points: points.len() as u64,
                monitor_tasks: tasks.total,
                average_points: Usage::average_points(tasks.total, endpoints),
            })
        })
    }

    fn nodes<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<NodeStatus>> {
        as_user!(self, request, |s, caller| s.nodes(caller))
    }
}
