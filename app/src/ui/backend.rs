//! What the console's server functions need from the server, as a trait the server implements
//! over its service layer (so the console and the REST API share permissions and validation).
//! Provided to server functions as context; server-side only.
//!
//! Every call but login acts as the user of the session the `request` carries, found by the
//! server's one session rule (the REST API's: the cookie, the CSRF check, the client's address
//! behind trusted proxies); its policies apply. The error is typed ([`ConsoleError`]): its kind
//! sets the HTTP status, its message names the field.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;

use crate::model::{
    AuditEntry, ContactGroupRecord, ContactRecord, CreatedDomain, CreatedKey, CreatedMonitorPoint,
    CreatedUser, DeliveryRecord, DomainDetails, DomainNotify, DomainPage, DomainSchedule,
    DomainStatus, Enabling, EndpointInput, EndpointRecord, HealthEventRecord, IpPlace, KeyInfo, Me,
    MonitorPointInfo, MonitorSettings, MonitorTaskCount, NewDomain, NewMonitorPoint, NodeStatus,
    ProbeRecord, QueryVolume, StrategyDraft, Usage, UserInfo, Verification, VersionInfo,
};
use crate::strategy::StrategyDocument;
use crate::ui::error::ConsoleError;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
pub type Reply<'a, T> = BoxFuture<'a, Result<T, ConsoleError>>;

pub trait ConsoleBackend: Send + Sync {
    /// Logs in (a sub-user with its account id) from the client of `request` (failed attempts
    /// are throttled per user and address); returns the `Set-Cookie` value of the session,
    /// `Secure` when the client came over HTTPS. The error says only that the credentials were
    /// refused, never which part.
    fn login<'a>(
        &'a self,
        account_id: Option<i64>,
        username: &'a str,
        password: &'a str,
        request: &'a Parts,
    ) -> Reply<'a, String>;

    /// Ends the session of `request` (if any); returns the `Set-Cookie` value clearing it.
    fn logout<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, String>;

    /// Who the session of `request` belongs to; `None` when not logged in or expired.
    fn whoami<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Option<Me>>;

    // Domains.

    fn domain_page<'a>(
        &'a self,
        request: &'a Parts,
        search: &'a str,
        page: u32,
    ) -> Reply<'a, DomainPage>;
    fn domain<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, DomainDetails>;
    fn create_domain<'a>(
        &'a self,
        request: &'a Parts,
        domain: NewDomain,
    ) -> Reply<'a, CreatedDomain>;
    /// Looks for the proof of control of a pending delegated domain.
    fn verify_domain<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, Verification>;
    fn set_domain_status<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        status: DomainStatus,
    ) -> Reply<'a, ()>;
    fn delete_domain<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, ()>;
    /// Sets the TTL (seconds, 1..=86400) of the domain's answers.
    fn set_domain_ttl<'a>(&'a self, request: &'a Parts, domain: &'a str, ttl: i64)
    -> Reply<'a, ()>;

    // Endpoints.

    fn endpoints<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Vec<EndpointRecord>>;
    /// Adds every endpoint or none.
    fn add_endpoints<'a>(
        &'a self,
        request: &'a Parts,
        endpoints: Vec<EndpointInput>,
    ) -> Reply<'a, ()>;
    fn update_endpoint<'a>(&'a self, request: &'a Parts, endpoint: EndpointInput) -> Reply<'a, ()>;
    fn delete_endpoint<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        endpoint: &'a str,
    ) -> Reply<'a, ()>;
    /// The area and ISP the server's IP database gives each address, in order.
    fn locate<'a>(&'a self, request: &'a Parts, addresses: Vec<String>) -> Reply<'a, Vec<IpPlace>>;

    // Monitoring.

    fn monitor_settings<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, MonitorSettings>;
    fn set_monitor_settings<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        settings: MonitorSettings,
    ) -> Reply<'a, ()>;
    fn monitor_points<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<MonitorPointInfo>>;
    fn monitor_tasks<'a>(&'a self, request: &'a Parts) -> Reply<'a, MonitorTaskCount>;
    /// Probe results since `since` (ms), newest first.
    fn probes<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        since: i64,
    ) -> Reply<'a, Vec<ProbeRecord>>;
    fn health_events<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Vec<HealthEventRecord>>;
    /// The domain's DNS queries over the last `hours`.
    fn query_volume<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        hours: u32,
    ) -> Reply<'a, QueryVolume>;

    // Scheduling.

    fn schedule<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, DomainSchedule>;
    /// The schedule as it stood at `at` (ms since the Unix epoch).
    fn schedule_at<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        at: i64,
    ) -> Reply<'a, DomainSchedule>;
    fn strategy_versions<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Vec<VersionInfo>>;
    /// Generates the recommended strategy from the endpoints and enables it.
    fn recommend_strategy<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        enabling: Enabling,
    ) -> Reply<'a, ()>;
    /// Version `n`'s document over today's endpoints.
    fn strategy_version<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        n: i64,
    ) -> Reply<'a, StrategyDocument>;
    fn strategy_draft<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
    ) -> Reply<'a, Option<StrategyDraft>>;
    fn save_strategy_draft<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        document: StrategyDocument,
    ) -> Reply<'a, StrategyDraft>;
    fn discard_strategy_draft<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, ()>;
    /// Validates and enables `document`, removing the draft; returns the new version. Refused
    /// when the enabled version is no longer `enabling.base` (someone enabled another
    /// meanwhile).
    fn enable_strategy<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        document: StrategyDocument,
        enabling: Enabling,
    ) -> Reply<'a, i64>;

    // Monitor points (agents).

    fn create_point<'a>(
        &'a self,
        request: &'a Parts,
        point: NewMonitorPoint,
    ) -> Reply<'a, CreatedMonitorPoint>;
    fn delete_point<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, ()>;

    // IAM: sub-users and policies (the main account's alone), access keys, the audit log.

    fn users<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<UserInfo>>;
    fn create_user<'a>(&'a self, request: &'a Parts, username: &'a str) -> Reply<'a, CreatedUser>;
    fn reset_password<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
    ) -> Reply<'a, CreatedUser>;
    fn delete_user<'a>(&'a self, request: &'a Parts, username: &'a str) -> Reply<'a, ()>;
    fn set_policy<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
        policy: &'a str,
        granted: bool,
    ) -> Reply<'a, ()>;
    fn access_keys<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<KeyInfo>>;
    /// For `username` (a sub-user), or for the caller when empty.
    fn create_access_key<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
    ) -> Reply<'a, CreatedKey>;
    fn delete_access_key<'a>(&'a self, request: &'a Parts, access_key_id: &'a str)
    -> Reply<'a, ()>;
    /// Entries by `username` and/or `action` (empty: any) since `since` (ms), newest first.
    fn audit<'a>(
        &'a self,
        request: &'a Parts,
        username: &'a str,
        action: &'a str,
        since: i64,
    ) -> Reply<'a, Vec<AuditEntry>>;

    // Notifications.

    fn contacts<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<ContactRecord>>;
    fn put_contact<'a>(&'a self, request: &'a Parts, contact: ContactRecord) -> Reply<'a, ()>;
    fn delete_contact<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, ()>;
    /// Queues a test message on each of the contact's channels; returns how many.
    fn test_contact<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, usize>;
    fn contact_groups<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<ContactGroupRecord>>;
    fn put_contact_group<'a>(
        &'a self,
        request: &'a Parts,
        group: ContactGroupRecord,
    ) -> Reply<'a, ()>;
    fn delete_contact_group<'a>(&'a self, request: &'a Parts, name: &'a str) -> Reply<'a, ()>;
    fn domain_notify<'a>(&'a self, request: &'a Parts, domain: &'a str) -> Reply<'a, DomainNotify>;
    fn set_domain_notify<'a>(
        &'a self,
        request: &'a Parts,
        domain: &'a str,
        choice: DomainNotify,
    ) -> Reply<'a, ()>;
    fn deliveries<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<DeliveryRecord>>;

    // Usage.

    fn usage<'a>(&'a self, request: &'a Parts) -> Reply<'a, Usage>;
    /// The nodes serving from the store (`GET /v1/nodes`).
    fn nodes<'a>(&'a self, request: &'a Parts) -> Reply<'a, Vec<NodeStatus>>;
}

pub type Backend = Arc<dyn ConsoleBackend>;
