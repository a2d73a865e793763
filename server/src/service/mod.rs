//! The service layer: the one door to the store for both the REST API and the console's server
//! functions. Every operation starts with the permission check, validates its whole input before
//! writing anything, makes its writes in one transaction and records the audit entry in that
//! same transaction. Errors are typed ([`ServiceError`]); the doors map them to HTTP.

mod auth;
mod changes;
mod domains;
mod endpoints;
mod error;
mod iam;
mod monitoring;
mod nodes;
mod notify;
mod points;
mod secrets;
mod strategies;

use std::sync::Arc;

use app::model::Permission;

pub use auth::{NewAccount, SESSION_TTL_SECS, Session};
pub use changes::{ChangeFeed, Changes};
pub use endpoints::EndpointRef;
pub use error::ServiceError;
pub use iam::{CreatedKey, CreatedUser, KeyInfo, UserInfo};
pub use secrets::Sealer;
pub use strategies::{StrategyInput, VersionInfo, compose};

use crate::health::HealthBook;
use crate::ipdb::Locator;
use crate::monitor::Reports;
use crate::store::accounts::User;
use crate::store::audit::Actor;
use crate::store::{Conn, Store};

pub type Result<T> = std::result::Result<T, ServiceError>;

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
}

impl ServiceConfig {
    /// A configuration for `zone` without an IP database.
    pub fn new(zone: impl Into<String>) -> ServiceConfig {
        ServiceConfig {
            zone: zone.into(),
            locator: Arc::new(Locator::empty()),
            local_point: Default::default(),
            notify_quiet: std::time::Duration::from_secs(600),
        }
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

/// Cheap to clone: everything is shared.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: ServiceConfig,
    sealer: Sealer,
    throttle: auth::LoginThrottle,
    changes: ChangeFeed,
    health: Arc<HealthBook>,
    health_changes: ChangeFeed,
    reports: Reports,
    notify_wake: tokio::sync::Notify,
    /// False while the node's heartbeat cannot reach the database.
    database_reachable: std::sync::atomic::AtomicBool,
    /// This node's name among those sharing the store (set once at start).
    node_name: std::sync::OnceLock<String>,
    /// The monitoring nodes whose heartbeat is fresh, with when it was (ms), this one included
    /// (the cluster task keeps it): those domains' monitoring may go to.
    live_nodes: std::sync::RwLock<Vec<(String, i64)>>,
}

/// An authenticated user making a request, and where it came from (for the audit log).
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub source: String,
}

impl Caller {
    /// The permission check every operation starts with. Main accounts may do everything;
    /// sub-users what one of their policies allows.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.user.is_main || self.user.policies.iter().any(|p| p.allows(permission)) {
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
    pub fn new(store: Store, config: ServiceConfig, sealer: Sealer) -> Service {
        Service {
            inner: Arc::new(Inner {
                store,
                config,
                sealer,
                throttle: auth::LoginThrottle::default(),
                changes: ChangeFeed::default(),
                health: Arc::default(),
                health_changes: ChangeFeed::default(),
                reports: Reports::default(),
                notify_wake: tokio::sync::Notify::new(),
                database_reachable: std::sync::atomic::AtomicBool::new(true),
                node_name: std::sync::OnceLock::new(),
                live_nodes: std::sync::RwLock::new(Vec::new()),
            }),
        }
    }

    /// This node's name (set once at start; "local" when never set).
    pub fn node_name(&self) -> &str {
        self.inner.node_name.get().map_or("local", String::as_str)
    }

    pub fn set_node_name(&self, name: String) {
        let _ = self.inner.node_name.set(name);
    }

    /// The monitoring nodes heard from recently and when (this one included once its first
    /// heartbeat is in).
    pub fn live_nodes(&self) -> Vec<(String, i64)> {
        self.inner
            .live_nodes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_live_nodes(&self, nodes: Vec<(String, i64)>) {
        *self
            .inner
            .live_nodes
            .write()
            .unwrap_or_else(|e| e.into_inner()) = nodes;
    }

    /// Whether this node's last heartbeat reached the database.
    pub fn database_reachable(&self) -> bool {
        self.inner
            .database_reachable
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_database_reachable(&self, reachable: bool) {
        self.inner
            .database_reachable
            .store(reachable, std::sync::atomic::Ordering::Relaxed);
    }

    /// Wakes the notification sender (messages were queued).
    pub fn notify_wake(&self) -> &tokio::sync::Notify {
        &self.inner.notify_wake
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

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn zone(&self) -> &str {
        &self.inner.config.zone
    }

    /// The feed of committed changes to what DNS answers.
    pub fn changes(&self) -> &ChangeFeed {
        &self.inner.changes
    }

    /// The current health of monitored endpoints (monitoring writes, DNS reads).
    pub fn health(&self) -> &Arc<HealthBook> {
        &self.inner.health
    }

    /// The latest probe outcome of every point for every endpoint (local probes and agents).
    pub fn reports(&self) -> &Reports {
        &self.inner.reports
    }

    /// The feed of endpoint health changes (kept apart from configuration changes, which
    /// monitoring itself follows).
    pub fn health_changes(&self) -> &ChangeFeed {
        &self.inner.health_changes
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
