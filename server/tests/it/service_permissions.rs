//! The permission table at the service layer, on SQLite, without an HTTP server: the fast twin of
//! `server/tests/api/test_permissions.py`. For every operation of the one door (REST API and
//! console alike) and every kind of caller — the main user and sub-users holding
//! ITMFullControlPolicy, ITMWritePolicy, ITMReadAccessPolicy or no policy at all — the operation
//! is allowed exactly when the Python matrix's `ALLOWED` says so; a refusal is
//! `ServiceError::Forbidden`, comes before validation and lookups, and changes nothing; an
//! allowed write does change something. Another account's domains, endpoints, strategies,
//! contacts, points, sub-users and keys look as if they did not exist, by name or id.
//!
//! Each table row is one line (`case!` / `foreign!` / `listing!`); a failure names the row and
//! the caller, and every failing row of a table is listed at once.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{endpoint, main_caller};
use app::model::{
    ContactRecord, DomainNotify, DomainStatus, EndpointInput, GroupMembers, MonitorSettings,
    NewDomain, NewMonitorPoint, Policy, Protocol,
};
use app::strategy::StrategyDocument;
use itm_server::net::{Reach, ReachEntry};
use itm_server::resolver::Resolver;
use itm_server::service::{
    AuditFilter, Caller, Delegation, Enabling, EndpointRef, Sealer, Service, ServiceConfig,
    ServiceError, StrategyInput,
};
use itm_server::store::{Store, accounts};

type Outcome = Result<(), ServiceError>;
type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;
/// An operation: the world, the caller, and the name `Prep` made (a domain, user, key, …).
type Call = for<'a> fn(&'a World, &'a Caller, &'a str) -> Fut<'a, Outcome>;
/// A listing, shown as text (to look for a name in it).
type List = for<'a> fn(&'a World, &'a Caller) -> Fut<'a, Result<String, ServiceError>>;

/// Account A's callers (the matrix's roles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Main,
    Full,
    Write,
    Read,
    NoPolicy,
}

impl Role {
    const ALL: [Role; 5] = [
        Role::Main,
        Role::Full,
        Role::Write,
        Role::Read,
        Role::NoPolicy,
    ];

    /// `ALLOWED` of test_permissions.py (account A is the installation's operator).
    fn allowed(self) -> &'static [Need] {
        match self {
            Role::NoPolicy => &[],
            Role::Read => &[Need::Read],
            Role::Write => &[Need::Read, Need::Write],
            Role::Full => &[Need::Read, Need::Write, Need::Account, Need::Operate],
            Role::Main => &[
                Need::Read,
                Need::Write,
                Need::Account,
                Need::Users,
                Need::Operate,
            ],
        }
    }

    /// The sub-user's name and policy (the main user: none).
    fn sub_user(self) -> Option<(&'static str, Option<Policy>)> {
        match self {
            Role::Main => None,
            Role::Full => Some(("perm-full", Some(Policy::FullControl))),
            Role::Write => Some(("perm-write", Some(Policy::Write))),
            Role::Read => Some(("perm-read", Some(Policy::ReadAccess))),
            Role::NoPolicy => Some(("perm-none", None)),
        }
    }
}

/// The least an operation needs: the route classes of test_permissions.py.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Read,
    Write,
    /// Keys, the users list, the audit log.
    Account,
    /// The main user alone (managing sub-users, other users' keys).
    Users,
    /// Installation-wide state.
    Operate,
}

/// Whether a successful call must change the accounts (`Writes`) or leave them (`Reads`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Reads,
    Writes,
}

/// The outcome expected of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    Ok,
    Forbidden,
    NotFound,
    Invalid,
    Conflict,
}

impl Then {
    fn matches(self, got: &Outcome) -> bool {
        matches!(
            (self, got),
            (Then::Ok, Ok(()))
                | (Then::Forbidden, Err(ServiceError::Forbidden(_)))
                | (Then::NotFound, Err(ServiceError::NotFound(_)))
                | (Then::Invalid, Err(ServiceError::Invalid(_)))
                | (Then::Conflict, Err(ServiceError::Conflict(_)))
        )
    }
}

/// What account A's main user makes before a call; the call gets its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prep {
    /// Nothing: a fresh name no resource has.
    Nothing,
    /// A delegated domain with two A endpoints, no strategy.
    Domain,
    /// The same with the recommended strategy enabled (version 1).
    Strategy,
    /// The domain with a saved strategy draft.
    Draft,
    /// A sub-user without policies.
    User,
    /// A sub-user holding ITMWritePolicy.
    UserWithPolicy,
    /// An access key of sub-user `perm-write` (its id).
    SubUserKey,
    /// An access key of the main user (its id).
    MainKey,
    Contact,
    /// A contact group with one member.
    Group,
    /// A monitor point (agent).
    Point,
}

/// One row of the permission matrix.
struct Case {
    name: &'static str,
    need: Need,
    effect: Effect,
    prep: Prep,
    /// The outcome for a caller the table allows.
    then: Then,
    call: Call,
}

/// `case!(name, Need, Reads|Writes, Prep => outcome when allowed, |world, caller, name| future)`
macro_rules! case {
    ($name:literal, $need:ident, $effect:ident, $prep:ident => $then:ident,
     |$w:ident, $c:ident, $x:ident| $call:expr) => {
        Case {
            name: $name,
            need: Need::$need,
            effect: Effect::$effect,
            prep: Prep::$prep,
            then: Then::$then,
            call: |$w, $c, $x| {
                Box::pin(async move {
                    let _ = ($w, $c, $x);
                    ($call).await.map(drop)
                })
            },
        }
    };
}

/// One thing account B's users try on account A's resource.
struct Foreign {
    name: &'static str,
    prep: Prep,
    /// The outcome for B's main user.
    then: Then,
    /// The outcome for B's full-control sub-user (refused what only a main user may do).
    full_then: Then,
    call: Call,
}

/// `foreign!(name, Prep => outcome [/ outcome for B's full sub-user], |world, caller, A's
/// name| future)`
macro_rules! foreign {
    ($name:literal, $prep:ident => $then:ident $(/ $full:ident)?,
     |$w:ident, $c:ident, $x:ident| $call:expr) => {
        Foreign {
            name: $name,
            prep: Prep::$prep,
            then: Then::$then,
            full_then: [$(Then::$full,)? Then::$then][0],
            call: |$w, $c, $x| {
                Box::pin(async move {
                    let _ = ($w, $c, $x);
                    ($call).await.map(drop)
                })
            },
        }
    };
}

/// A listing that must show account A's resource to A and hide it from B.
struct Listing {
    name: &'static str,
    prep: Prep,
    list: List,
}

/// `listing!(name, Prep => |world, caller| future of a list)`
macro_rules! listing {
    ($name:literal, $prep:ident => |$w:ident, $c:ident| $call:expr) => {
        Listing {
            name: $name,
            prep: Prep::$prep,
            list: |$w, $c| {
                Box::pin(async move {
                    let _ = ($w, $c);
                    ($call).await.map(|v| format!("{v:?}"))
                })
            },
        }
    };
}

/// A service on a fresh SQLite store with account A (the installation's operator: the first
/// account) and its four sub-users, and account B with its main user and a full-control
/// sub-user.
struct World {
    svc: Service,
    main: Caller,
    subs: [Caller; 4],
    /// Account B's main user.
    stranger: Caller,
    /// Account B's full-control sub-user.
    stranger_full: Caller,
    seq: AtomicUsize,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::connect(&format!(
            "sqlite://{}/itm.db?mode=rwc",
            dir.path().display()
        ))
        .await
        .expect("store");
        // Nothing is probed: private test addresses may be endpoints; delegated names are
        // served without a proof of control (no DNS lookup happens).
        let config = ServiceConfig::new("itm.test")
            .with_reach(
                Reach::new(
                    "--probe-networks",
                    &[ReachEntry::Public, "10.0.0.0/8".parse().expect("network")],
                ),
                Reach::public("--webhook-networks"),
            )
            .with_delegation(Delegation {
                resolver: Resolver::at(SocketAddr::from(([127, 0, 0, 1], 53))),
                trusted: true,
            });
        let svc = Service::new(store, config, Sealer::new([7; 32]));
        let a = svc.create_account("tenant-a").await.expect("account A");
        let b = svc.create_account("tenant-b").await.expect("account B");
        let main = main_caller(&svc, &a.username).await;
        let stranger = main_caller(&svc, &b.username).await;
        assert!(main.user.operator, "the first account is the operator's");
        assert!(!stranger.user.operator, "a later account is a tenant's");
        let mut subs = Vec::new();
        for role in &Role::ALL[1..] {
            let (name, policy) = role.sub_user().expect("a sub-user role");
            subs.push(sub_caller(&svc, &main, name, policy).await);
        }
        let stranger_full =
            sub_caller(&svc, &stranger, "perm-full", Some(Policy::FullControl)).await;
        World {
            svc,
            main,
            subs: subs.try_into().expect("four sub-users"),
            stranger,
            stranger_full,
            seq: AtomicUsize::new(0),
            _dir: dir,
        }
    }

    fn caller(&self, role: Role) -> &Caller {
        match role {
            Role::Main => &self.main,
            Role::Full => &self.subs[0],
            Role::Write => &self.subs[1],
            Role::Read => &self.subs[2],
            Role::NoPolicy => &self.subs[3],
        }
    }

    /// A name no other call of this world gets (letters around the number: it never appears
    /// by chance in a listing's text).
    fn unique(&self, prefix: &str) -> String {
        format!("{prefix}{:03}z", self.seq.fetch_add(1, Ordering::Relaxed))
    }
}

/// Creates sub-user `name` of `main`'s account through the service, grants `policy`, and loads
/// it back as the doors would.
async fn sub_caller(svc: &Service, main: &Caller, name: &str, policy: Option<Policy>) -> Caller {
    svc.create_user(main, name, None).await.expect("sub-user");
    if let Some(policy) = policy {
        svc.grant_policy(main, name, policy.name())
            .await
            .expect("grant");
    }
    let mut conn = svc.node().store().conn().await.expect("conn");
    let user = accounts::sub_user(&mut conn, main.account_id(), name)
        .await
        .expect("query")
        .expect("sub-user stored");
    assert_eq!(user.policies, Vec::from_iter(policy), "{name}'s policies");
    assert!(!user.is_main, "{name} is a sub-user");
    Caller {
        user,
        source: "test".into(),
    }
}

fn endpoint_ref(domain: &str, value: &str) -> EndpointRef {
    EndpointRef {
        domain: domain.into(),
        endpoint: value.into(),
    }
}

/// A one-rule WRR strategy over `items` (JSON).
fn wrr(items: &str) -> StrategyDocument {
    serde_json::from_str(&format!(
        r#"{{"strategy":{{"start":"r","rules":[{{"type":"wrr","name":"r","items":[{items}]}}]}}}}"#
    ))
    .expect("strategy document")
}

const ONE_ITEM: &str = r#"{"reference":"10.0.0.1","weight":1}"#;

fn batch(domain: &str, doc: StrategyDocument) -> BTreeMap<String, StrategyInput> {
    [(domain.to_owned(), StrategyInput::from(doc))].into()
}

fn contact(name: &str) -> ContactRecord {
    ContactRecord {
        name: name.into(),
        email: "ops@example.com".into(),
        phone: String::new(),
        webhook: String::new(),
    }
}

fn tcp_monitor() -> MonitorSettings {
    MonitorSettings {
        protocol: Protocol::Tcp,
        port: 22,
        ..MonitorSettings::default()
    }
}

fn recent(limit: i64) -> AuditFilter {
    AuditFilter {
        limit,
        ..AuditFilter::default()
    }
}

fn no_point(name: &str) -> NewMonitorPoint {
    NewMonitorPoint {
        name: name.into(),
        area: String::new(),
        isp: String::new(),
    }
}

/// Makes what `prep` says as account A's main user; returns its name.
async fn prepare(w: &World, prep: Prep) -> Result<String, ServiceError> {
    let (s, a) = (&w.svc, &w.main);
    let domain = async || -> Result<String, ServiceError> {
        let name = format!("{}.example.com", w.unique("d"));
        let created = s
            .create_domains(
                a,
                &[NewDomain {
                    domain: name,
                    is_itm_domain: false,
                }],
            )
            .await?;
        let d = created[0].domain.clone();
        s.add_endpoints(
            a,
            &[
                endpoint(&d, "10.0.0.1", "beijing.CN"),
                endpoint(&d, "10.0.0.2", "hebei.CN"),
            ],
        )
        .await?;
        Ok(d)
    };
    Ok(match prep {
        Prep::Nothing => w.unique("n"),
        Prep::Domain => domain().await?,
        Prep::Strategy => {
            let d = domain().await?;
            s.recommend_strategy(a, &d, &any()).await?;
            d
        }
        Prep::Draft => {
            let d = domain().await?;
            s.save_strategy_draft(a, &d, &wrr("")).await?;
            d
        }
        Prep::User => {
            let u = w.unique("u");
            s.create_user(a, &u, None).await?;
            u
        }
        Prep::UserWithPolicy => {
            let u = w.unique("u");
            s.create_user(a, &u, None).await?;
            s.grant_policy(a, &u, Policy::Write.name()).await?;
            u
        }
        Prep::SubUserKey => {
            s.create_access_key(a, Some("perm-write"))
                .await?
                .access_key_id
        }
        Prep::MainKey => s.create_access_key(a, None).await?.access_key_id,
        Prep::Contact => {
            let c = w.unique("c");
            s.put_contact(a, &contact(&c)).await?;
            c
        }
        Prep::Group => {
            let c = w.unique("c");
            s.put_contact(a, &contact(&c)).await?;
            let g = w.unique("g");
            let members = GroupMembers { contacts: vec![c] };
            s.put_contact_group(a, &g, &members).await?;
            g
        }
        Prep::Point => {
            let p = w.unique("p");
            s.create_point(a, &no_point(&p)).await?;
            p
        }
    })
}

/// Everything one account shows its main user, as text: what a write would change. The newest
/// audit entries are in it, so any committed write shows.
async fn account_digest(w: &World, c: &Caller) -> String {
    let s = &w.svc;
    let mut out = String::new();
    let _ = writeln!(out, "domains {:?}", s.list_domains(c).await);
    let _ = writeln!(out, "contacts {:?}", s.contacts(c).await);
    let _ = writeln!(out, "groups {:?}", s.contact_groups(c).await);
    let _ = writeln!(out, "users {:?}", s.list_users(c).await);
    let _ = writeln!(out, "keys {:?}", s.list_access_keys(c).await);
    let _ = writeln!(out, "points {:?}", s.list_points(c).await);
    let _ = writeln!(out, "audit {:?}", s.audit_log(c, recent(5)).await);
    out
}

/// Account A's view of the domain `x` (errors too, when `x` names no domain).
async fn domain_digest(w: &World, x: &str) -> String {
    let (s, a) = (&w.svc, &w.main);
    let mut out = String::new();
    let _ = writeln!(out, "details {:?}", s.domain_details(a, x).await);
    let _ = writeln!(out, "endpoints {:?}", s.list_endpoints(a, x).await);
    let _ = writeln!(out, "strategy {:?}", s.strategy(a, x).await);
    let _ = writeln!(out, "versions {:?}", s.strategy_versions(a, x).await);
    let _ = writeln!(out, "draft {:?}", s.strategy_draft(a, x).await);
    let _ = writeln!(out, "monitor {:?}", s.monitor_settings(a, x).await);
    let _ = writeln!(out, "notify {:?}", s.domain_notify(a, x).await);
    out
}

/// Account A's state (with the domain `x`) and account B's.
async fn digest(w: &World, x: &str) -> (String, String) {
    let a = account_digest(w, &w.main).await + &domain_digest(w, x).await;
    (a, account_digest(w, &w.stranger).await)
}

/// The first line two digests differ in, for the failure message.
fn difference(before: &str, after: &str) -> String {
    before
        .lines()
        .zip(after.lines())
        .find(|(b, a)| b != a)
        .map_or_else(
            || "(lengths differ)".to_owned(),
            |(b, a)| format!("before: {b}\n      after:  {a}"),
        )
}

fn report(table: &str, checks: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{table}: {} of {checks} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs every case for every role on a fresh world; each call on freshly prepared resources.
async fn run_matrix(table: &str, cases: &[Case]) {
    let w = World::new().await;
    let mut failures = Vec::new();
    let mut checks = 0;
    for case in cases {
        for role in Role::ALL {
            checks += 1;
            let x = match prepare(&w, case.prep).await {
                Ok(x) => x,
                Err(e) => {
                    failures.push(format!(
                        "{} as {role:?}: {:?} failed: {e:?}",
                        case.name, case.prep
                    ));
                    continue;
                }
            };
            let before = digest(&w, &x).await;
            let got = (case.call)(&w, w.caller(role), &x).await;
            let after = digest(&w, &x).await;
            let allowed = role.allowed().contains(&case.need);
            let expected = if allowed { case.then } else { Then::Forbidden };
            let changed = before != after;
            let problem = if !expected.matches(&got) {
                Some(format!("expected {expected:?}, got {got:?}"))
            } else if allowed && case.then == Then::Ok && case.effect == Effect::Writes {
                (!changed).then(|| "allowed, but the write changed nothing".to_owned())
            } else if changed {
                let (b, a) = if before.0 != after.0 {
                    (&before.0, &after.0)
                } else {
                    (&before.1, &after.1)
                };
                Some(format!(
                    "{expected:?} as expected, but the accounts changed:\n      {}",
                    difference(b, a)
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                failures.push(format!(
                    "{} as {role:?} (needs {:?}): {problem}",
                    case.name, case.need
                ));
            }
        }
    }
    report(table, checks, &failures);
}

#[tokio::test]
async fn read_operations_follow_the_permission_table() {
    let cases = [
        case!("list domains", Read, Reads, Domain => Ok, |w, c, x| w.svc.list_domains(c)),
        case!("domain page", Read, Reads, Domain => Ok, |w, c, x| w.svc.domain_page(c, x, 1)),
        case!("get domain", Read, Reads, Domain => Ok, |w, c, x| w.svc.domain_details(c, x)),
        case!("list endpoints", Read, Reads, Domain => Ok, |w, c, x| w.svc.list_endpoints(c, x)),
        case!("get monitor settings", Read, Reads, Domain => Ok, |w, c, x| w.svc.monitor_settings(c, x)),
        case!("get strategy", Read, Reads, Strategy => Ok, |w, c, x| w.svc.strategy(c, x)),
        case!("get schedule", Read, Reads, Strategy => Ok, |w, c, x| w.svc.schedule(c, x)),
        case!("get schedule at", Read, Reads, Strategy => Ok, |w, c, x| w.svc.schedule_at(c, x, i64::MAX)),
        case!("list versions", Read, Reads, Strategy => Ok, |w, c, x| w.svc.strategy_versions(c, x)),
        case!("get version", Read, Reads, Strategy => Ok, |w, c, x| w.svc.strategy_version(c, x, 1)),
        case!("get draft", Read, Reads, Draft => Ok, |w, c, x| w.svc.strategy_draft(c, x)),
        case!("list probes", Read, Reads, Domain => Ok, |w, c, x| w.svc.probes(c, x, None, None, None)),
        case!("list health events", Read, Reads, Domain => Ok, |w, c, x| w.svc.health_events(c, x, None, None)),
        case!("list contacts", Read, Reads, Contact => Ok, |w, c, x| w.svc.contacts(c)),
        case!("list contact groups", Read, Reads, Group => Ok, |w, c, x| w.svc.contact_groups(c)),
        case!("get domain notify", Read, Reads, Domain => Ok, |w, c, x| w.svc.domain_notify(c, x)),
        case!("list deliveries", Read, Reads, Nothing => Ok, |w, c, x| w.svc.deliveries(c, None, None)),
        case!("list monitor points", Read, Reads, Point => Ok, |w, c, x| w.svc.list_points(c)),
        case!("count monitor tasks", Read, Reads, Domain => Ok, |w, c, x| w.svc.monitor_tasks(c)),
        // The permission comes before the lookup and the validation: a refused caller learns
        // neither whether a name exists nor what is wrong with its input.
        case!("get missing domain", Read, Reads, Nothing => NotFound, |w, c, x| w.svc.domain_details(c, &format!("{x}.example.com"))),
        case!("domain page, bad search", Read, Reads, Nothing => Invalid, |w, c, x| w.svc.domain_page(c, "a\u{7}b", 1)),
        case!("list probes, bad limit", Read, Reads, Domain => Invalid, |w, c, x| w.svc.probes(c, x, None, None, Some(-1))),
    ];
    run_matrix("reads", &cases).await;
}

#[tokio::test]
async fn domain_and_endpoint_writes_follow_the_permission_table() {
    let cases = [
        case!("create domain", Write, Writes, Nothing => Ok, |w, c, x| w.svc.create_domains(c, &[NewDomain { domain: format!("{x}.example.com"), is_itm_domain: true }])),
        case!("create no domain", Write, Writes, Nothing => Invalid, |w, c, x| w.svc.create_domains(c, &[])),
        case!("delete domain", Write, Writes, Domain => Ok, |w, c, x| w.svc.delete_domains(c, &[x.to_owned()])),
        case!("delete missing domain", Write, Writes, Nothing => NotFound, |w, c, x| w.svc.delete_domains(c, &[format!("{x}.example.com")])),
        case!("set status", Write, Writes, Domain => Ok, |w, c, x| w.svc.set_domain_status(c, x, DomainStatus::Pause)),
        case!("set status unscheduled", Write, Writes, Domain => Invalid, |w, c, x| w.svc.set_domain_status(c, x, DomainStatus::Unscheduled)),
        case!("set ttl", Write, Writes, Domain => Ok, |w, c, x| w.svc.set_domain_ttl(c, x, 30)),
        case!("set ttl out of range", Write, Writes, Domain => Invalid, |w, c, x| w.svc.set_domain_ttl(c, x, 0)),
        case!("set monitor settings", Write, Writes, Domain => Ok, |w, c, x| w.svc.set_monitor_settings(c, x, tcp_monitor())),
        case!("add endpoint", Write, Writes, Domain => Ok, |w, c, x| w.svc.add_endpoints(c, &[endpoint(x, "10.0.0.3", "beijing.CN")])),
        case!("add endpoint to missing domain", Write, Writes, Nothing => NotFound, |w, c, x| w.svc.add_endpoints(c, &[endpoint(&format!("{x}.example.com"), "10.0.0.3", "beijing.CN")])),
        case!("update endpoint", Write, Writes, Domain => Ok, |w, c, x| w.svc.update_endpoints(c, &[EndpointInput { tag: "t".into(), ..endpoint(x, "10.0.0.1", "beijing.CN") }])),
        case!("delete endpoint", Write, Writes, Domain => Ok, |w, c, x| w.svc.delete_endpoints(c, &[endpoint_ref(x, "10.0.0.2")])),
        case!("delete endpoint regenerating", Write, Writes, Strategy => Ok, |w, c, x| w.svc.delete_endpoints_regenerating(c, &[endpoint_ref(x, "10.0.0.2")])),
        case!("delete missing endpoint", Write, Writes, Domain => NotFound, |w, c, x| w.svc.delete_endpoints(c, &[endpoint_ref(x, "10.0.0.9")])),
    ];
    run_matrix("domain and endpoint writes", &cases).await;
}

#[tokio::test]
async fn strategy_writes_follow_the_permission_table() {
    let cases = [
        case!("recommend strategy", Write, Writes, Domain => Ok, |w, c, x| w.svc.recommend_strategy(c, x, &any())),
        case!("update or create strategy", Write, Writes, Domain => Ok, |w, c, x| w.svc.update_or_create_strategies(c, &batch(x, wrr(ONE_ITEM)), &any())),
        case!("update or create nothing", Write, Writes, Nothing => Invalid, |w, c, x| w.svc.update_or_create_strategies(c, &BTreeMap::new(), &any())),
        case!("restore version", Write, Writes, Strategy => Ok, |w, c, x| w.svc.restore_strategy_version(c, x, 1, &any())),
        case!("restore missing version", Write, Writes, Strategy => NotFound, |w, c, x| w.svc.restore_strategy_version(c, x, 9, &any())),
        case!("save draft", Write, Writes, Domain => Ok, |w, c, x| w.svc.save_strategy_draft(c, x, &wrr(""))),
        case!("discard draft", Write, Writes, Draft => Ok, |w, c, x| w.svc.discard_strategy_draft(c, x)),
        case!("discard missing draft", Write, Writes, Domain => NotFound, |w, c, x| w.svc.discard_strategy_draft(c, x)),
        case!("enable strategy", Write, Writes, Domain => Ok, |w, c, x| w.svc.enable_strategy(c, x, &wrr(ONE_ITEM), &any())),
    ];
    run_matrix("strategy writes", &cases).await;
}

#[tokio::test]
async fn notification_and_monitor_point_writes_follow_the_permission_table() {
    let cases = [
        case!("put contact", Write, Writes, Nothing => Ok, |w, c, x| w.svc.put_contact(c, &contact(x))),
        case!("update contact", Write, Writes, Contact => Ok, |w, c, x| w.svc.put_contact(c, &ContactRecord { email: "other@example.com".into(), ..contact(x) })),
        case!("put contact, bad e-mail", Write, Writes, Nothing => Invalid, |w, c, x| w.svc.put_contact(c, &ContactRecord { email: "nobody".into(), ..contact(x) })),
        case!("delete contact", Write, Writes, Contact => Ok, |w, c, x| w.svc.delete_contact(c, x)),
        case!("delete missing contact", Write, Writes, Nothing => NotFound, |w, c, x| w.svc.delete_contact(c, x)),
        case!("send a test to a contact", Write, Writes, Contact => Ok, |w, c, x| w.svc.send_test_notification(c, x)),
        case!("send a test to a missing contact", Write, Writes, Nothing => NotFound, |w, c, x| w.svc.send_test_notification(c, x)),
        case!("put contact group", Write, Writes, Contact => Ok, |w, c, x| w.svc.put_contact_group(c, x, &GroupMembers { contacts: vec![x.to_owned()] })),
        case!("delete contact group", Write, Writes, Group => Ok, |w, c, x| w.svc.delete_contact_group(c, x)),
        case!("set domain notify", Write, Writes, Domain => Ok, |w, c, x| w.svc.set_domain_notify(c, x, &DomainNotify::default())),
        case!("set domain notify, unknown contact", Write, Writes, Domain => Invalid, |w, c, x| w.svc.set_domain_notify(c, x, &DomainNotify { contacts: vec!["nobody".into()], groups: vec![] })),
        case!("create monitor point", Write, Writes, Nothing => Ok, |w, c, x| w.svc.create_point(c, &no_point(x))),
        case!("delete monitor point", Write, Writes, Point => Ok, |w, c, x| w.svc.delete_point(c, x)),
        case!("delete the built-in point", Write, Writes, Nothing => Conflict, |w, c, x| w.svc.delete_point(c, "local")),
    ];
    run_matrix("notification and point writes", &cases).await;
}

#[tokio::test]
async fn iam_and_account_operations_follow_the_permission_table() {
    let cases = [
        case!("list users", Account, Reads, User => Ok, |w, c, x| w.svc.list_users(c)),
        case!("list access keys", Account, Reads, SubUserKey => Ok, |w, c, x| w.svc.list_access_keys(c)),
        case!("audit log", Account, Reads, Nothing => Ok, |w, c, x| w.svc.audit_log(c, recent(10))),
        case!("audit log, bad filter", Account, Reads, Nothing => Invalid, |w, c, x| w.svc.audit_log(c, AuditFilter { username: Some("a\u{0}b".into()), ..recent(10) })),
        case!("list nodes", Operate, Reads, Nothing => Ok, |w, c, x| w.svc.nodes(c)),
        case!("create own access key", Account, Writes, Nothing => Ok, |w, c, x| w.svc.create_access_key(c, None)),
        case!("create own access key by name", Account, Writes, Nothing => Ok, |w, c, x| w.svc.create_access_key(c, Some(c.user.username.as_str()))),
        case!("create access key for a sub-user", Users, Writes, User => Ok, |w, c, x| w.svc.create_access_key(c, Some(x))),
        case!("delete a sub-user's access key", Account, Writes, SubUserKey => Ok, |w, c, x| w.svc.delete_access_key(c, x)),
        case!("delete the main user's access key", Users, Writes, MainKey => Ok, |w, c, x| w.svc.delete_access_key(c, x)),
        case!("delete missing access key", Account, Writes, Nothing => NotFound, |w, c, x| w.svc.delete_access_key(c, x)),
        case!("create sub-user", Users, Writes, Nothing => Ok, |w, c, x| w.svc.create_user(c, x, None)),
        case!("create sub-user, short password", Users, Writes, Nothing => Invalid, |w, c, x| w.svc.create_user(c, x, Some("short"))),
        case!("create sub-user named like the main user", Users, Writes, Nothing => Conflict, |w, c, x| w.svc.create_user(c, "tenant-a", None)),
        case!("delete sub-user", Users, Writes, User => Ok, |w, c, x| w.svc.delete_user(c, x)),
        case!("delete the main user", Users, Writes, Nothing => NotFound, |w, c, x| w.svc.delete_user(c, "tenant-a")),
        case!("reset password", Users, Writes, User => Ok, |w, c, x| w.svc.reset_password(c, x, None)),
        case!("grant policy", Users, Writes, User => Ok, |w, c, x| w.svc.grant_policy(c, x, "ITMWritePolicy")),
        case!("grant unknown policy", Users, Writes, User => Invalid, |w, c, x| w.svc.grant_policy(c, x, "ITMRootPolicy")),
        case!("revoke policy", Users, Writes, UserWithPolicy => Ok, |w, c, x| w.svc.revoke_policy(c, x, "ITMWritePolicy")),
        case!("revoke policy not held", Users, Writes, User => NotFound, |w, c, x| w.svc.revoke_policy(c, x, "ITMWritePolicy")),
    ];
    run_matrix("iam and account", &cases).await;
}

#[tokio::test]
async fn another_accounts_resources_do_not_exist() {
    let cases = [
        foreign!("get domain", Domain => NotFound, |w, c, x| w.svc.domain_details(c, x)),
        foreign!("get domain, other spelling", Domain => NotFound, |w, c, x| w.svc.domain_details(c, &format!("{}.", x.to_uppercase()))),
        foreign!("list endpoints", Domain => NotFound, |w, c, x| w.svc.list_endpoints(c, x)),
        foreign!("get monitor settings", Domain => NotFound, |w, c, x| w.svc.monitor_settings(c, x)),
        foreign!("get strategy", Strategy => NotFound, |w, c, x| w.svc.strategy(c, x)),
        foreign!("get schedule", Strategy => NotFound, |w, c, x| w.svc.schedule(c, x)),
        foreign!("get schedule at", Strategy => NotFound, |w, c, x| w.svc.schedule_at(c, x, i64::MAX)),
        foreign!("list versions", Strategy => NotFound, |w, c, x| w.svc.strategy_versions(c, x)),
        foreign!("get version", Strategy => NotFound, |w, c, x| w.svc.strategy_version(c, x, 1)),
        foreign!("get draft", Draft => NotFound, |w, c, x| w.svc.strategy_draft(c, x)),
        foreign!("list probes", Domain => NotFound, |w, c, x| w.svc.probes(c, x, None, None, None)),
        foreign!("list health events", Domain => NotFound, |w, c, x| w.svc.health_events(c, x, None, None)),
        foreign!("get domain notify", Domain => NotFound, |w, c, x| w.svc.domain_notify(c, x)),
        foreign!("delete domain", Domain => NotFound, |w, c, x| w.svc.delete_domains(c, &[x.to_owned()])),
        foreign!("set status", Domain => NotFound, |w, c, x| w.svc.set_domain_status(c, x, DomainStatus::Stop)),
        foreign!("set ttl", Domain => NotFound, |w, c, x| w.svc.set_domain_ttl(c, x, 30)),
        foreign!("set monitor settings", Domain => NotFound, |w, c, x| w.svc.set_monitor_settings(c, x, tcp_monitor())),
        foreign!("add endpoint", Domain => NotFound, |w, c, x| w.svc.add_endpoints(c, &[endpoint(x, "10.0.0.99", "beijing.CN")])),
        foreign!("update endpoint", Domain => NotFound, |w, c, x| w.svc.update_endpoints(c, &[endpoint(x, "10.0.0.1", "hebei.CN")])),
        foreign!("delete endpoint", Domain => NotFound, |w, c, x| w.svc.delete_endpoints(c, &[endpoint_ref(x, "10.0.0.2")])),
        foreign!("delete endpoint regenerating", Strategy => NotFound, |w, c, x| w.svc.delete_endpoints_regenerating(c, &[endpoint_ref(x, "10.0.0.2")])),
        foreign!("recommend strategy", Domain => NotFound, |w, c, x| w.svc.recommend_strategy(c, x, &any())),
        foreign!("update or create strategy", Strategy => NotFound, |w, c, x| w.svc.update_or_create_strategies(c, &batch(x, wrr(ONE_ITEM)), &any())),
        foreign!("restore version", Strategy => NotFound, |w, c, x| w.svc.restore_strategy_version(c, x, 1, &any())),
        foreign!("save draft", Domain => NotFound, |w, c, x| w.svc.save_strategy_draft(c, x, &wrr(""))),
        foreign!("discard draft", Draft => NotFound, |w, c, x| w.svc.discard_strategy_draft(c, x)),
        foreign!("enable strategy", Domain => NotFound, |w, c, x| w.svc.enable_strategy(c, x, &wrr(ONE_ITEM), &any())),
        foreign!("set domain notify", Domain => NotFound, |w, c, x| w.svc.set_domain_notify(c, x, &DomainNotify::default())),
        foreign!("delete contact", Contact => NotFound, |w, c, x| w.svc.delete_contact(c, x)),
        foreign!("send a test to a contact", Contact => NotFound, |w, c, x| w.svc.send_test_notification(c, x)),
        foreign!("delete contact group", Group => NotFound, |w, c, x| w.svc.delete_contact_group(c, x)),
        foreign!("delete monitor point", Point => NotFound, |w, c, x| w.svc.delete_point(c, x)),
        foreign!("delete sub-user", User => NotFound / Forbidden, |w, c, x| w.svc.delete_user(c, x)),
        foreign!("reset sub-user's password", User => NotFound / Forbidden, |w, c, x| w.svc.reset_password(c, x, None)),
        foreign!("grant sub-user a policy", User => NotFound / Forbidden, |w, c, x| w.svc.grant_policy(c, x, "ITMFullControlPolicy")),
        foreign!("revoke sub-user's policy", UserWithPolicy => NotFound / Forbidden, |w, c, x| w.svc.revoke_policy(c, x, "ITMWritePolicy")),
        foreign!("create key for sub-user", User => NotFound / Forbidden, |w, c, x| w.svc.create_access_key(c, Some(x))),
        foreign!("delete sub-user's key by id", SubUserKey => NotFound, |w, c, x| w.svc.delete_access_key(c, x)),
        foreign!("delete main user's key by id", MainKey => NotFound, |w, c, x| w.svc.delete_access_key(c, x)),
        // The same names in B's own account are B's own: A's stay as they are.
        foreign!("put contact of the same name", Contact => Ok, |w, c, x| w.svc.put_contact(c, &ContactRecord { email: "b@example.com".into(), ..contact(x) })),
        foreign!("put contact group of the same name", Group => Ok, |w, c, x| w.svc.put_contact_group(c, x, &GroupMembers { contacts: vec![] })),
        foreign!("create point of the same name", Point => Ok, |w, c, x| w.svc.create_point(c, &no_point(x))),
        foreign!("create sub-user of the same name", User => Ok / Forbidden, |w, c, x| w.svc.create_user(c, x, None)),
        foreign!("create ITM domain of the same name", Domain => Ok, |w, c, x| w.svc.create_domains(c, &[NewDomain { domain: x.to_owned(), is_itm_domain: true }])),
        // A delegated name is served for one account only: taken is taken (by design).
        foreign!("create delegated domain of the same name", Domain => Conflict, |w, c, x| w.svc.create_domains(c, &[NewDomain { domain: x.to_owned(), is_itm_domain: false }])),
    ];
    let w = World::new().await;
    let mut failures = Vec::new();
    for case in &cases {
        // B's main user may do everything in B; its full-control sub-user is checked too.
        let callers = [
            ("B main", &w.stranger, case.then),
            ("B full", &w.stranger_full, case.full_then),
        ];
        for (who, caller, then) in callers {
            let x = match prepare(&w, case.prep).await {
                Ok(x) => x,
                Err(e) => {
                    failures.push(format!("{}: {:?} failed: {e:?}", case.name, case.prep));
                    continue;
                }
            };
            let before = digest(&w, &x).await;
            let got = (case.call)(&w, caller, &x).await;
            let after = digest(&w, &x).await;
            let problem = if !then.matches(&got) {
                Some(format!("expected {then:?}, got {got:?}"))
            } else if before.0 != after.0 {
                Some(format!(
                    "account A changed:\n      {}",
                    difference(&before.0, &after.0)
                ))
            } else if then != Then::Ok && before.1 != after.1 {
                Some(format!(
                    "account B changed:\n      {}",
                    difference(&before.1, &after.1)
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                failures.push(format!("{} as {who}: {problem}", case.name));
            }
        }
    }
    report("cross-tenant", cases.len() * 2, &failures);
}

#[tokio::test]
async fn another_accounts_lists_do_not_show_ours() {
    let cases = [
        listing!("list domains", Domain => |w, c| w.svc.list_domains(c)),
        listing!("domain page", Domain => |w, c| w.svc.domain_page(c, "", 1)),
        listing!("list contacts", Contact => |w, c| w.svc.contacts(c)),
        listing!("list contact groups", Group => |w, c| w.svc.contact_groups(c)),
        listing!("list monitor points", Point => |w, c| w.svc.list_points(c)),
        listing!("count monitor tasks", Domain => |w, c| w.svc.monitor_tasks(c)),
        listing!("list users", User => |w, c| w.svc.list_users(c)),
        listing!("list access keys", SubUserKey => |w, c| w.svc.list_access_keys(c)),
        listing!("audit log", Domain => |w, c| w.svc.audit_log(c, recent(1000))),
    ];
    let w = World::new().await;
    let mut failures = Vec::new();
    for case in &cases {
        let x = match prepare(&w, case.prep).await {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{}: {:?} failed: {e:?}", case.name, case.prep));
                continue;
            }
        };
        // The positive control: A sees it, so not finding it in B's list means something.
        match (case.list)(&w, &w.main).await {
            Ok(text) if text.contains(&x) => {}
            other => failures.push(format!(
                "{}: account A does not see {x}: {other:?}",
                case.name
            )),
        }
        for (who, caller) in [("B main", &w.stranger), ("B full", &w.stranger_full)] {
            match (case.list)(&w, caller).await {
                Ok(text) if !text.contains(&x) => {}
                other => failures.push(format!("{} as {who}: shows A's {x}: {other:?}", case.name)),
            }
        }
    }
    report("cross-tenant lists", cases.len() * 3, &failures);
}

#[tokio::test]
async fn only_operator_accounts_see_the_nodes() {
    let w = World::new().await;
    // A tenant's account is no operator's, whatever its policies.
    for (who, caller) in [("B main", &w.stranger), ("B full", &w.stranger_full)] {
        match w.svc.nodes(caller).await {
            Err(ServiceError::Forbidden(m)) => {
                assert!(m.contains("operators"), "{who}: the refusal says why: {m}");
            }
            other => panic!("{who}: expected Forbidden, got {other:?}"),
        }
    }
    // Below full control, an operator's sub-user is refused too (but for its policy).
    for role in [Role::Write, Role::Read, Role::NoPolicy] {
        match w.svc.nodes(w.caller(role)).await {
            Err(ServiceError::Forbidden(m)) => {
                assert!(m.contains("no policy"), "{role:?}: {m}");
            }
            other => panic!("{role:?}: expected Forbidden, got {other:?}"),
        }
    }
    // An account made an operator (`itm account create --operator`) sees them.
    let c = w
        .svc
        .create_operator_account("tenant-c")
        .await
        .expect("operator account");
    let operator = main_caller(&w.svc, &c.username).await;
    assert!(operator.user.operator, "tenant-c is an operator");
    w.svc
        .nodes(&operator)
        .await
        .expect("an operator's main user");
    w.svc
        .nodes(&w.main)
        .await
        .expect("the first account's main user");
    w.svc
        .nodes(w.caller(Role::Full))
        .await
        .expect("the first account's full-control sub-user");
}

/// Enabling against whatever is enabled, with no note (the permission table is not about them).
fn any() -> Enabling {
    Enabling::default()
}
