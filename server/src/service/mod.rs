//! The service layer: the one door to the store for both the REST API and the console's server
//! functions. Every operation starts with the permission check, validates its whole input before
//! writing anything, makes its writes in one transaction and records the audit entry in that
//! same transaction. Errors are typed ([`ServiceError`]); the doors map them to HTTP.

mod auth;
mod claims;
mod domains;
mod endpoints;
mod error;
mod iam;
mod live;
mod monitoring;
mod nodes;
mod notify;
mod points;
mod secrets;
mod signatures;
mod strategies;
mod volume;

use std::sync::Arc;

use app::model::Permission;

pub use auth::{NewAccount, SESSION_TTL_SECS, Session};
pub use claims::Delegation;
pub use endpoints::EndpointRef;
pub use error::ServiceError;
pub use iam::{CreatedKey, CreatedUser, KeyInfo, UserInfo};
pub use live::{LiveChanges, LiveWatch};
pub use secrets::{Sealer, constant_time_eq};
pub use strategies::{Base, Enabling, StatedEndpoint, StrategyInput, VersionInfo, VersionSource};
// The stored shapes the doors show as they are; re-exported so `api` and `http` never name the
// store.
pub use crate::store::accounts::User;
pub use crate::store::audit::{AuditEntry, AuditFilter};
pub use crate::store::monitor::MonitorPoint;

use crate::ipdb::Locator;
use crate::monitor::Reports;
use crate::net::{Network, Reach};
use crate::node::{ChangeFeed, Node};
use crate::quarantine::Quarantine;
use crate::store::audit::Actor;
use crate::store::{Conn, Store};

pub type Result<T> = std::result::Result<T, ServiceError>;

/// The default `--max-signature-age` (seconds): the BCE SDKs' default validity.
pub const DEFAULT_MAX_SIGNATURE_AGE: i64 = 30 * 60;

/// Settings the service needs from the configuration.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// ITM's own zone, without the trailing dot (`itm.localhost`); CNAMEs are made under it.
    pub zone: String,
    /// Places endpoint addresses when a request leaves their area/ISP out (the DNS listener's
    /// IP database); empty: every address is (none.CN, other).
    pub locator: Arc<Locator>,
    /// The built-in monitor point's area and ISP codes (empty: not stated).
    pub local_point: (String, String),
    /// The flapping rule's period: at most one message per contact, channel and subject in it.
    pub notify_quiet: std::time::Duration,
    /// How delegated (non-ITM) names come to be served.
    pub delegation: Delegation,
    /// Where probes may go: endpoints at special-use addresses not opened here are refused.
    pub probe_reach: Reach,
    /// Where webhooks and the SMS gateway may go: webhooks aimed elsewhere are refused.
    pub webhook_reach: Reach,
    /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (`--trusted-proxies`).
    pub trusted_proxies: Vec<Network>,
    /// The oldest signature accepted, whatever validity it states (seconds).
    pub max_signature_age: i64,
}

impl ServiceConfig {
    /// A configuration for `zone` without an IP database.
    pub fn new(zone: impl Into<String>) -> ServiceConfig {
        ServiceConfig {
            zone: zone.into(),
            locator: Arc::new(Locator::empty()),
            local_point: Default::default(),
            notify_quiet: std::time::Duration::from_secs(600),
            delegation: Delegation {
                resolver: crate::resolver::Resolver::system(),
                trusted: false,
            },
            probe_reach: Reach::public("--probe-networks"),
            webhook_reach: Reach::public("--webhook-networks"),
            trusted_proxies: Vec::new(),
            max_signature_age: DEFAULT_MAX_SIGNATURE_AGE,
        }
    }

    /// Who may tell the client's address and scheme, and how old a signature may be.
    pub fn with_http(self, trusted_proxies: Vec<Network>, max_signature_age: i64) -> ServiceConfig {
        ServiceConfig {
            trusted_proxies,
            max_signature_age,
            ..self
        }
    }

    /// Where probes and webhooks may go (`--probe-networks`, `--webhook-networks`).
    pub fn with_reach(self, probe_reach: Reach, webhook_reach: Reach) -> ServiceConfig {
        ServiceConfig {
            probe_reach,
            webhook_reach,
            ..self
        }
    }

    pub fn with_delegation(self, delegation: Delegation) -> ServiceConfig {
        ServiceConfig { delegation, ..self }
    }

    pub fn with_notify_quiet(self, notify_quiet: std::time::Duration) -> ServiceConfig {
        ServiceConfig {
            notify_quiet,
            ..self
        }
    }

    pub fn with_local_point(self, area: String, isp: String) -> ServiceConfig {
        ServiceConfig {
            local_point: (area, isp),
            ..self
        }
    }

    pub fn with_locator(self, locator: Arc<Locator>) -> ServiceConfig {
        ServiceConfig { locator, ..self }
    }
}

/// The request door: every user request goes through one of its methods, which check the
/// caller's permission first. Cheap to clone: everything is shared.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    /// The running node's state (the store, the change feeds, the health book).
    node: Node,
    config: ServiceConfig,
    sealer: Sealer,
    throttle: auth::LoginThrottle,
    signatures: signatures::SignaturesSeen,
    /// The latest probe outcome of every point, shared with monitoring (agents post here).
    reports: Arc<Reports>,
    /// The console's live views open now.
    watches: live::Watches,
}

/// An authenticated user making a request, and where it came from (for the audit log).
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub source: String,
}

impl Caller {
    /// The permission check every operation starts with. Main accounts may do everything in
    /// their account; sub-users what one of their policies allows. Installation-wide state is
    /// for operators' accounts alone.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if permission == Permission::Operate && !self.user.operator {
            return Err(ServiceError::Forbidden(
                "only the installation's operators see this".into(),
            ));
        }
        let granted = |p: Permission| {
            self.user.is_main || self.user.policies.iter().any(|policy| policy.allows(p))
        };
        // Operating needs the account-level right inside an operator's account.
        let needed = match permission {
            Permission::Operate => Permission::Account,
            other => other,
        };
        if granted(needed) {
            return Ok(());
        }
        Err(ServiceError::Forbidden(match permission {
            Permission::ManageUsers => {
                "only the main account manages sub-users and their policies".into()
            }
            _ => format!(
                "user \"{}\" has no policy allowing this action",
                self.user.username
            ),
        }))
    }

    pub fn account_id(&self) -> i64 {
        self.user.account_id
    }

    /// The server itself acting in `account_id` (background work; audited as user "itm").
    fn system(account_id: i64, source: &str) -> Caller {
        Caller {
            user: User {
                id: 0,
                account_id,
                username: "itm".into(),
                is_main: true,
                policies: Vec::new(),
                created_at: 0,
                operator: false,
            },
            source: source.into(),
        }
    }

    fn actor(&self) -> Actor<'_> {
        Actor {
            account_id: self.user.account_id,
            user_id: self.user.id,
            username: &self.user.username,
            source: &self.source,
        }
    }
}

impl Service {
    /// A service over a new node on `store`.
    pub fn new(store: Store, config: ServiceConfig, sealer: Sealer) -> Service {
        let node = Node::new(store, &config.zone);
        Service::on(node, config, sealer)
    }

    /// A service for the running `node`.
    pub fn on(node: Node, config: ServiceConfig, sealer: Sealer) -> Service {
        Service {
            inner: Arc::new(Inner {
                node,
                config,
                sealer,
                throttle: auth::LoginThrottle::default(),
                signatures: signatures::SignaturesSeen::default(),
                reports: Arc::default(),
                watches: live::Watches::default(),
            }),
        }
    }

    /// The running node this service serves on (for the background actors).
    pub fn node(&self) -> &Node {
        &self.inner.node
    }

    /// The latest probe outcome of every point for every endpoint (local probes and agents).
    pub fn reports(&self) -> &Arc<Reports> {
        &self.inner.reports
    }

    /// The flapping rule's period for notifications.
    pub fn notify_quiet(&self) -> std::time::Duration {
        self.inner.config.notify_quiet
    }

    /// The built-in monitor point's (area, ISP).
    pub fn local_point(&self) -> &(String, String) {
        &self.inner.config.local_point
    }

    pub fn locator(&self) -> &Locator {
        &self.inner.config.locator
    }

    /// The signed writes this node accepted in their validity window (replays are refused).
    pub fn signatures_seen(&self) -> &signatures::SignaturesSeen {
        &self.inner.signatures
    }

    pub fn trusted_proxies(&self) -> &[Network] {
        &self.inner.config.trusted_proxies
    }

    pub fn max_signature_age(&self) -> i64 {
        self.inner.config.max_signature_age
    }

    pub fn zone(&self) -> &str {
        self.inner.node.zone()
    }

    /// The domains whose stored strategy the DNS snapshot could not load.
    pub fn quarantine(&self) -> &Arc<Quarantine> {
        self.inner.node.quarantine()
    }

    fn store(&self) -> &Store {
        self.inner.node.store()
    }

    fn changes(&self) -> &ChangeFeed {
        self.inner.node.changes()
    }

    async fn audit(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        crate::store::audit::record(conn, &caller.actor(), action, target, detail).await?;
        Ok(())
    }
}
