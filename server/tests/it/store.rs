//! The store and service suite, run the same way on SQLite and on PostgreSQL. PostgreSQL runs
//! when `ITM_TEST_POSTGRES` names a server (`postgres://USER:PASS@HOST:PORT`); each test gets a
//! throwaway database there (`make test` starts the machine's PostgreSQL and sets it).

use crate::common::endpoint;
use app::model::{DomainStatus, EndpointInput, MonitorSettings, NameClaim, NewDomain, Policy};
use app::strategy::StrategyDocument;
use itm_server::service::{
    Base, Caller, Enabling, EndpointRef, Sealer, Service, ServiceConfig, ServiceError,
    VersionSource,
};
use itm_server::store::{Store, accounts, config_version, domains, now_ms, sessions};
use sqlx::Connection;

struct Backend {
    name: &'static str,
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/itm.db?mode=rwc", dir.path().display());
    let mut list = vec![Backend {
        name: "sqlite",
        store: Store::connect(&url).await.expect("sqlite"),
        _dir: Some(dir),
    }];
    if let Ok(server) = std::env::var("ITM_TEST_POSTGRES") {
        let name = format!("itm_test_{}", uuid_like());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .expect("postgres admin");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create db");
        let store = Store::connect(&format!("{server}/{name}"))
            .await
            .expect("postgres store");
        list.push(Backend {
            name: "postgres",
            store,
            _dir: None,
        });
    } else {
        eprintln!("ITM_TEST_POSTGRES not set: this run covers SQLite only");
    }
    list
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

fn service(store: &Store) -> Service {
    Service::new(
        store.clone(),
        ServiceConfig::new("itm.test"),
        Sealer::new([3; 32]),
    )
}

/// A new account named `name` and its main user's caller.
async fn main_caller(svc: &Service, name: &str) -> Caller {
    let account = svc.create_account(name).await.expect("account");
    crate::common::main_caller(svc, &account.username).await
}

#[tokio::test]
async fn migrations_are_idempotent_and_the_schema_serves_both_backends() {
    for b in backends().await {
        let mut conn = b.store.conn().await.expect("conn");
        let v = config_version(&mut conn).await.expect("version");
        assert!(v >= 1, "{}", b.name);
        drop(conn);
        // Running the migrations again (a restart) changes nothing.
        let svc = service(&b.store);
        svc.create_account("first").await.expect("account");
        assert!(
            svc.ensure_first_account().await.expect("ensure").is_none(),
            "{}: an account exists",
            b.name
        );
    }
}

#[tokio::test]
async fn domains_are_named_isolated_and_unique() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let bob = main_caller(&svc, "bob").await;
        let created = svc
            .create_domains(
                &alice,
                &[
                    NewDomain {
                        domain: "WWW.Test.com".into(),
                        is_itm_domain: true,
                    },
                    NewDomain {
                        domain: "api.example.org".into(),
                        is_itm_domain: false,
                    },
                ],
            )
            .await
            .expect("create");
        let itm_name = format!("www.test.com.{}", alice.account_id());
        assert_eq!(created[0].domain, itm_name, "{}", b.name);
        assert_eq!(created[1].domain, "api.example.org");
        let list = svc.list_domains(&alice).await.expect("list");
        let itm = list.iter().find(|d| d.domain == itm_name).expect("listed");
        assert_eq!(itm.cname, format!("{itm_name}.itm.test"));
        assert_eq!(
            list.iter()
                .find(|d| d.domain == "api.example.org")
                .map(|d| d.cname.as_str()),
            Some("")
        );
        // Bob sees none of it, cannot touch it, and cannot take the non-ITM name.
        assert!(svc.list_domains(&bob).await.expect("list").is_empty());
        assert!(matches!(
            svc.monitor_settings(&bob, &itm_name).await,
            Err(ServiceError::NotFound(_))
        ));
        let taken = svc
            .create_domains(
                &bob,
                &[NewDomain {
                    domain: "api.example.org".into(),
                    is_itm_domain: false,
                }],
            )
            .await;
        assert!(
            matches!(taken, Err(ServiceError::Conflict(_))),
            "{}: {taken:?}",
            b.name
        );
        // The same ITM name is free for Bob: his account id is in it.
        svc.create_domains(
            &bob,
            &[NewDomain {
                domain: "www.test.com".into(),
                is_itm_domain: true,
            }],
        )
        .await
        .expect("bob's own");
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_member_writes_nothing() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let bad = svc
            .create_domains(
                &alice,
                &[
                    NewDomain {
                        domain: "good.example.com".into(),
                        is_itm_domain: false,
                    },
                    NewDomain {
                        domain: "bad_name!".into(),
                        is_itm_domain: false,
                    },
                ],
            )
            .await;
        assert!(
            matches!(&bad, Err(ServiceError::Invalid(m)) if m.contains("[1].domain") && m.contains("bad_name!")),
            "{bad:?}"
        );
        assert!(
            svc.list_domains(&alice).await.expect("list").is_empty(),
            "{}",
            b.name
        );

        svc.create_domains(
            &alice,
            &[NewDomain {
                domain: "a.example.com".into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("domain");
        let bad_endpoints = svc
            .add_endpoints(
                &alice,
                &[
                    endpoint("a.example.com", "1.1.1.1", "beijing.CN"),
                    endpoint("a.example.com", "1.1.1.2", "mars.CN"),
                ],
            )
            .await;
        assert!(
            matches!(&bad_endpoints, Err(ServiceError::Invalid(m)) if m.contains("[1].area") && m.contains("mars.CN"))
        );
        assert!(
            svc.list_endpoints(&alice, "a.example.com")
                .await
                .expect("list")
                .is_empty(),
            "{}",
            b.name
        );
    }
}

#[tokio::test]
async fn strategies_version_on_every_enable_and_restore() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        svc.create_domains(
            &alice,
            &[NewDomain {
                domain: "s.example.com".into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("domain");
        svc.add_endpoints(
            &alice,
            &[
                endpoint("s.example.com", "1.1.1.1", "beijing.CN"),
                endpoint("s.example.com", "2.2.2.2", "shanghai.CN"),
            ],
        )
        .await
        .expect("endpoints");
        let mut conn = b.store.conn().await.expect("conn");
        let before = config_version(&mut conn).await.expect("version");
        drop(conn);
        svc.recommend_strategy(&alice, "s.example.com", &Enabling::default())
            .await
            .expect("recommend");
        let doc = svc
            .strategy(&alice, "s.example.com")
            .await
            .expect("strategy");
        assert_eq!(
            doc.status, "start",
            "{}: enabling starts an unscheduled domain",
            b.name
        );
        assert_eq!(doc.strategy.rules[0].kind, "geoProximity");

        let mut primary_backup: StrategyDocument = serde_json::from_str(
            r#"{"strategy":{"start":"pb","rules":[{"type":"priority","name":"pb","items":[
                {"reference":"1.1.1.1","priority":1},{"reference":"2.2.2.2","priority":2}]}]},
               "endpointsConf":[{"type":"A","value":"2.2.2.2","evalHealth":false,"enable":true}]}"#,
        )
        .expect("doc");
        primary_backup.status = String::new();
        let batch = [("s.example.com".to_owned(), primary_backup.into())]
            .into_iter()
            .collect();
        svc.update_or_create_strategies(&alice, &batch, &Enabling::default())
            .await
            .expect("update");
        let doc = svc
            .strategy(&alice, "s.example.com")
            .await
            .expect("strategy");
        assert_eq!(doc.strategy.start, "pb");
        let flags: Vec<(String, bool)> = doc
            .endpoints_conf
            .iter()
            .map(|e| (e.value.clone(), e.eval_health))
            .collect();
        assert_eq!(
            flags,
            vec![("1.1.1.1".into(), true), ("2.2.2.2".into(), false)],
            "{}",
            b.name
        );
        assert_eq!(
            doc.endpoints_conf[1].area, "shanghai.CN",
            "area comes from the endpoint table"
        );

        let versions = svc
            .strategy_versions(&alice, "s.example.com")
            .await
            .expect("versions");
        assert_eq!(
            versions
                .iter()
                .map(|v| (v.version, v.enabled))
                .collect::<Vec<_>>(),
            vec![(2, true), (1, false)]
        );
        svc.restore_strategy_version(&alice, "s.example.com", 1, &Enabling::default())
            .await
            .expect("restore");
        assert_eq!(
            svc.strategy(&alice, "s.example.com")
                .await
                .expect("strategy")
                .strategy
                .start,
            "根规则"
        );
        assert_eq!(
            svc.strategy_versions(&alice, "s.example.com")
                .await
                .expect("versions")[0]
                .version,
            3
        );

        let mut conn = b.store.conn().await.expect("conn");
        assert!(
            config_version(&mut conn).await.expect("version") >= before + 3,
            "{}: each enable bumps the version",
            b.name
        );
    }
}

#[tokio::test]
async fn endpoints_in_use_are_protected_and_regenerate_works() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        svc.create_domains(
            &alice,
            &[NewDomain {
                domain: "e.example.com".into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("domain");
        svc.add_endpoints(
            &alice,
            &[
                endpoint("e.example.com", "1.1.1.1", "beijing.CN"),
                endpoint("e.example.com", "2.2.2.2", "beijing.CN"),
            ],
        )
        .await
        .expect("endpoints");
        svc.recommend_strategy(&alice, "e.example.com", &Enabling::default())
            .await
            .expect("recommend");
        let refuse = svc
            .delete_endpoints(
                &alice,
                &[itm_server::service::EndpointRef {
                    domain: "e.example.com".into(),
                    endpoint: "1.1.1.1".into(),
                }],
            )
            .await;
        assert!(
            matches!(&refuse, Err(ServiceError::Conflict(m)) if m.contains("北京")),
            "{}: {refuse:?}",
            b.name
        );
        svc.delete_endpoints_regenerating(
            &alice,
            &[itm_server::service::EndpointRef {
                domain: "e.example.com".into(),
                endpoint: "1.1.1.1".into(),
            }],
        )
        .await
        .expect("regenerate");
        let doc = svc
            .strategy(&alice, "e.example.com")
            .await
            .expect("strategy");
        assert_eq!(doc.endpoints_conf.len(), 1);
        // The seed's shape, one area too: 根规则 (geoProximity) over 北京 (wrr).
        assert_eq!(doc.strategy.rules[0].kind, "geoProximity");
        assert_eq!(doc.strategy.rules[1].name, "北京");
        assert_eq!(doc.strategy.rules[1].items[0].reference, "2.2.2.2");
        // An endpoint the strategy does not use leaves the strategy alone.
        let version = svc
            .domain_details(&alice, "e.example.com")
            .await
            .expect("details")
            .strategy_version;
        svc.add_endpoints(
            &alice,
            &[endpoint("e.example.com", "3.3.3.3", "shanghai.CN")],
        )
        .await
        .expect("unused endpoint");
        svc.delete_endpoints_regenerating(
            &alice,
            &[itm_server::service::EndpointRef {
                domain: "e.example.com".into(),
                endpoint: "3.3.3.3".into(),
            }],
        )
        .await
        .expect("delete unused");
        let after = svc
            .domain_details(&alice, "e.example.com")
            .await
            .expect("details");
        assert_eq!(
            after.strategy_version, version,
            "{}: no new version",
            b.name
        );
        assert_eq!(after.endpoint_count, 1);
        // Only an AAAA endpoint would be left: refused (at least one A endpoint).
        svc.add_endpoints(
            &alice,
            &[EndpointInput {
                area: None,
                isp: None,
                ..endpoint("e.example.com", "2001:db8::1", "")
            }],
        )
        .await
        .expect("aaaa");
        let last_a = svc
            .delete_endpoints_regenerating(
                &alice,
                &[itm_server::service::EndpointRef {
                    domain: "e.example.com".into(),
                    endpoint: "2.2.2.2".into(),
                }],
            )
            .await;
        assert!(
            matches!(&last_a, Err(ServiceError::Invalid(m)) if m.contains("at least one A")),
            "{last_a:?}"
        );
        let list = svc
            .list_endpoints(&alice, "e.example.com")
            .await
            .expect("list");
        assert_eq!(
            list.len(),
            2,
            "{}: the refused delete changed nothing",
            b.name
        );
        assert_eq!(
            list[1].area, "none.CN",
            "omitted area falls back to none.CN"
        );
    }
}

#[tokio::test]
async fn users_policies_sessions_and_audit() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let created = svc
            .create_user(&alice, "ops", Some("long-enough-pw"))
            .await
            .expect("user");
        assert_eq!(created.login_link, format!("/login/{}", alice.account_id()));
        assert!(matches!(
            svc.create_user(&alice, "ops", None).await,
            Err(ServiceError::Conflict(_))
        ));
        svc.grant_policy(&alice, "ops", "ITMWritePolicy")
            .await
            .expect("grant");
        svc.grant_policy(&alice, "ops", "ITMWritePolicy")
            .await
            .expect("granting twice is harmless");
        assert!(matches!(
            svc.grant_policy(&alice, "ops", "Admin").await,
            Err(ServiceError::Invalid(_))
        ));

        // The main user's name is not a sub-user login, and a wrong password says nothing more.
        assert!(
            svc.login(Some(alice.account_id()), "alice", "x", "t")
                .await
                .is_err()
        );
        let wrong = svc
            .login(Some(alice.account_id()), "ops", "wrong-password", "t")
            .await;
        assert!(
            matches!(&wrong, Err(ServiceError::Unauthenticated(m)) if m == "wrong user name or password")
        );
        let session = svc
            .login(Some(alice.account_id()), "ops", "long-enough-pw", "t")
            .await
            .expect("login");
        let (user, csrf) = svc
            .session_user(&session.token, Some(&session.csrf_token))
            .await
            .expect("query")
            .expect("live");
        assert_eq!(user.policies, vec![Policy::Write]);
        assert!(csrf, "the session's own CSRF token matches");
        let (_, forged) = svc
            .session_user(&session.token, Some("not-the-token"))
            .await
            .expect("query")
            .expect("live");
        assert!(!forged, "another token does not");
        assert_eq!(svc.csrf_token(&session.token), session.csrf_token);
        // The store keeps neither token, only their hashes.
        let mut conn = b.store.conn().await.expect("conn");
        let stored = sessions::find(&mut conn, &sha256_hex(&session.token))
            .await
            .expect("find")
            .expect("stored under the token's hash");
        assert_ne!(stored.csrf_hash, session.csrf_token);
        assert_eq!(stored.csrf_hash, sha256_hex(&session.csrf_token));
        drop(conn);
        let ops = Caller {
            user,
            source: "t".into(),
        };
        svc.create_domains(
            &ops,
            &[NewDomain {
                domain: "w.example.com".into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("write allowed");
        assert!(matches!(
            svc.create_user(&ops, "x", None).await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            svc.list_access_keys(&ops).await,
            Err(ServiceError::Forbidden(_))
        ));
        svc.logout(&session.token).await.expect("logout");
        assert!(
            svc.session_user(&session.token, None)
                .await
                .expect("query")
                .is_none(),
            "{}",
            b.name
        );

        // An expired session is never returned.
        let mut conn = b.store.conn().await.expect("conn");
        let expired = sessions::Session {
            user_id: ops.user.id,
            csrf_hash: "c".into(),
            expires_at: now_ms() - 1,
        };
        sessions::insert(&mut conn, "hash-of-old-token", &expired)
            .await
            .expect("insert");
        assert!(
            sessions::find(&mut conn, "hash-of-old-token")
                .await
                .expect("find")
                .is_none()
        );
        drop(conn);

        svc.revoke_policy(&alice, "ops", "ITMWritePolicy")
            .await
            .expect("revoke");
        let audit = svc
            .audit_log(
                &alice,
                itm_server::store::audit::AuditFilter {
                    username: Some("ops".into()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .expect("audit");
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        // The failed login (wrong password) is in the log too.
        assert_eq!(
            actions,
            vec!["domain.create", "login", "login.failed"],
            "{}: newest first, filtered by user",
            b.name
        );
    }
}

#[tokio::test]
async fn access_keys_are_sealed_and_resolve_to_their_user() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let key = svc.create_access_key(&alice, None).await.expect("key");
        let (user, secret) = svc
            .access_key(&key.access_key_id)
            .await
            .expect("query")
            .expect("found");
        assert_eq!(
            (user.username.as_str(), secret.as_str()),
            ("alice", key.secret_access_key.as_str())
        );
        // The stored form is not the secret; another master key cannot open it.
        let other = Service::new(
            b.store.clone(),
            ServiceConfig::new("z"),
            Sealer::new([4; 32]),
        );
        assert!(
            matches!(
                other.access_key(&key.access_key_id).await,
                Err(ServiceError::Internal(_))
            ),
            "{}",
            b.name
        );
        svc.delete_access_key(&alice, &key.access_key_id)
            .await
            .expect("delete");
        assert!(
            svc.access_key(&key.access_key_id)
                .await
                .expect("query")
                .is_none()
        );
    }
}

#[tokio::test]
async fn monitor_settings_and_status_round_trip() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        svc.create_domains(
            &alice,
            &[NewDomain {
                domain: "m.example.com".into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("domain");
        assert_eq!(
            svc.monitor_settings(&alice, "m.example.com")
                .await
                .expect("get"),
            MonitorSettings::default()
        );
        let tcp = MonitorSettings {
            protocol: app::model::Protocol::Tcp,
            port: 8443,
            interval_sec: 10,
            ..MonitorSettings::default()
        };
        svc.set_monitor_settings(&alice, "m.example.com", tcp.clone())
            .await
            .expect("set");
        assert_eq!(
            svc.monitor_settings(&alice, "m.example.com")
                .await
                .expect("get"),
            tcp,
            "{}",
            b.name
        );
        let bad = MonitorSettings {
            window: 2,
            min_errors: 3,
            ..MonitorSettings::default()
        };
        assert!(
            matches!(svc.set_monitor_settings(&alice, "m.example.com", bad).await, Err(ServiceError::Invalid(m)) if m.contains("minErrors"))
        );
        svc.set_domain_status(&alice, "m.example.com", DomainStatus::Pause)
            .await
            .expect("pause");
        let mut conn = b.store.conn().await.expect("conn");
        let d = domains::get(&mut conn, alice.account_id(), "m.example.com")
            .await
            .expect("get")
            .expect("domain");
        assert_eq!((d.status, d.monitor.port), (DomainStatus::Pause, 8443));
    }
}

#[tokio::test]
async fn the_console_list_pages_and_searches_in_the_database() {
    for b in backends().await {
        let svc = service(&b.store);
        let caller = main_caller(&svc, "pager").await;
        let other = main_caller(&svc, "someone-else").await;
        let names: Vec<NewDomain> = (0..120)
            .map(|i| NewDomain {
                domain: format!("p{i:03}.example.com"),
                is_itm_domain: true,
            })
            .chain(["a-b.example.com", "axb.example.com"].map(|d| NewDomain {
                domain: d.into(),
                is_itm_domain: false,
            }))
            .collect();
        svc.create_domains(&caller, &names).await.expect("domains");
        svc.create_domains(
            &other,
            &[NewDomain {
                domain: "p000.other.com".into(),
                is_itm_domain: true,
            }],
        )
        .await
        .expect("other account");
        let first = format!("p000.example.com.{}", caller.account_id());
        svc.add_endpoints(
            &caller,
            &[
                endpoint(&first, "192.0.2.1", "beijing.CN"),
                endpoint(&first, "192.0.2.2", "beijing.CN"),
            ],
        )
        .await
        .expect("endpoints");

        let all = svc.domain_page(&caller, "", 1).await.expect("page 1");
        assert_eq!(
            (all.total, all.pages, all.rows.len()),
            (122, 3, 50),
            "{}",
            b.name
        );
        let third = svc.domain_page(&caller, "", 3).await.expect("page 3");
        assert_eq!(third.rows.len(), 22, "{}", b.name);
        // Past the end: the last page.
        let past = svc.domain_page(&caller, "", 99).await.expect("page 99");
        assert_eq!((past.page, past.rows.len()), (3, 22), "{}", b.name);

        let p0 = svc.domain_page(&caller, "P00", 1).await.expect("search");
        let listed: Vec<&str> = p0.rows.iter().map(|r| r.summary.domain.as_str()).collect();
        assert_eq!(p0.total, 10, "{}: {listed:?}", b.name);
        assert_eq!(p0.rows[0].summary.domain, first, "{}", b.name);
        assert_eq!(p0.rows[0].endpoint_count, 2, "{}", b.name);
        assert_eq!(p0.rows[1].endpoint_count, 0, "{}", b.name);
        // `_` and `%` are matched literally, not as wildcards.
        for (search, expected) in [("a_b", 0), ("a-b", 1), ("%", 0), ("axb", 1)] {
            let found = svc.domain_page(&caller, search, 1).await.expect("search");
            assert_eq!(found.total, expected, "{}: {search}", b.name);
        }
    }
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The served name is unique in the store itself (not only by the service's checks), on both
/// backends: a second domain under a name already served is a unique violation, and nothing is
/// written.
#[tokio::test]
async fn served_names_are_unique_in_the_store() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let bob = main_caller(&svc, "bob").await;
        let mut tx = b.store.begin().await.expect("tx");
        let row = |account, name, served| domains::NewRow {
            account_id: account,
            name,
            served_name: served,
            is_itm: false,
            claim: NameClaim::Active,
        };
        domains::insert(
            &mut tx,
            row(
                alice.account_id(),
                "www.victim.com.1",
                "www.victim.com.1.itm.test",
            ),
            &MonitorSettings::default(),
        )
        .await
        .expect("first");
        let second = domains::insert(
            &mut tx,
            row(
                bob.account_id(),
                "www.victim.com.1.itm.test",
                "www.victim.com.1.itm.test",
            ),
            &MonitorSettings::default(),
        )
        .await
        .expect_err("the same served name");
        assert!(second.is_unique_violation(), "{}: {second}", b.name);
    }
}

/// At start, a stored delegated name under ITM's zone or under another account's delegated
/// domain (a store written before the rules) is marked conflict and no longer served; ITM
/// domains get their served names under the zone.
#[tokio::test]
async fn overlapping_stored_names_are_marked_conflict_at_start() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let bob = main_caller(&svc, "bob").await;
        let itm = svc
            .create_domains(
                &alice,
                &[NewDomain {
                    domain: "www.victim.com".into(),
                    is_itm_domain: true,
                }],
            )
            .await
            .expect("itm domain")[0]
            .domain
            .clone();
        let hijacked = format!("{itm}.itm.test");
        let mut tx = b.store.begin().await.expect("tx");
        // As an old store left it: no served name for the ITM domain yet.
        sqlx::query("UPDATE domains SET served_name = NULL WHERE is_itm = 1")
            .execute(&mut *tx)
            .await
            .expect("clear");
        for (account, name) in [
            (alice.account_id(), "example.org"),
            (bob.account_id(), hijacked.as_str()),
            (bob.account_id(), "shop.example.org"),
        ] {
            let row = domains::NewRow {
                account_id: account,
                name,
                served_name: name,
                is_itm: false,
                claim: NameClaim::Active,
            };
            domains::insert(&mut tx, row, &MonitorSettings::default())
                .await
                .expect("legacy row");
        }
        tx.commit().await.expect("commit");
        let mut marked = svc.check_served_names().await.expect("check");
        marked.sort();
        assert_eq!(
            marked,
            ["shop.example.org".to_owned(), hijacked.clone()],
            "{}",
            b.name
        );
        let mut conn = b.store.conn().await.expect("conn");
        let served: Vec<String> = domains::for_dns(&mut conn, None)
            .await
            .expect("for dns")
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(
            served,
            [itm.clone(), "example.org".to_owned()],
            "{}",
            b.name
        );
        let (_, owner, _) = domains::by_served_name(&mut conn, &hijacked)
            .await
            .expect("query")
            .expect("the ITM domain's served name is set");
        assert_eq!(owner, alice.account_id());
    }
}

#[tokio::test]
async fn the_first_account_is_the_installations_operator() {
    for b in backends().await {
        let svc = service(&b.store);
        let first = main_caller(&svc, "first").await;
        let second = main_caller(&svc, "second").await;
        let staff = svc
            .create_operator_account("staff")
            .await
            .expect("operator");
        assert!(first.user.operator, "{}", b.name);
        assert!(!second.user.operator, "{}", b.name);
        assert!(svc.nodes(&first).await.is_ok());
        assert!(matches!(
            svc.nodes(&second).await,
            Err(ServiceError::Forbidden(_))
        ));
        let mut conn = b.store.conn().await.expect("conn");
        let (staff_user, _) = accounts::find_for_login(&mut conn, None, &staff.username)
            .await
            .expect("query")
            .expect("user");
        assert!(staff_user.operator);
    }
}

/// The SQLite store and its folder are private: they hold password hashes and sealed keys.
#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_files_are_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("data");
    let file = folder.join("itm.db");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .expect("store");
    let svc = service(&store);
    main_caller(&svc, "alice").await;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&file), 0o600);
    for suffix in ["-wal", "-shm"] {
        let companion = folder.join(format!("itm.db{suffix}"));
        assert_eq!(mode(&companion), 0o600, "{suffix}");
    }
    store.close().await;
    // An existing store others could read is made private at the next start.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let again = Store::connect(&format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .expect("store");
    assert_eq!(mode(&file), 0o600);
    again.close().await;
}

#[tokio::test]
async fn versions_record_how_they_were_made_and_a_strategy_answering_nobody_is_refused() {
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "vers").await;
        svc.create_domains(
            &alice,
            &[NewDomain {
                domain: "v.example.com".into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("domain");
        svc.add_endpoints(
            &alice,
            &[
                endpoint("v.example.com", "1.1.1.1", "beijing.CN"),
                endpoint("v.example.com", "2.2.2.2", "shanghai.CN"),
            ],
        )
        .await
        .expect("endpoints");
        let noted = |note: &str| Enabling {
            note: note.into(),
            ..Enabling::default()
        };
        svc.recommend_strategy(&alice, "v.example.com", &noted("  first  "))
            .await
            .expect("recommend");
        let one_item: StrategyDocument = serde_json::from_str(
            r#"{"strategy":{"start":"w","rules":[{"type":"wrr","name":"w","items":[
                {"reference":"1.1.1.1","weight":1}]}]},"endpointsConf":[]}"#,
        )
        .expect("doc");
        let batch = |doc: &StrategyDocument| {
            [("v.example.com".to_owned(), doc.clone().into())]
                .into_iter()
                .collect()
        };
        svc.update_or_create_strategies(&alice, &batch(&one_item), &noted("by script"))
            .await
            .expect("api");
        svc.restore_strategy_version(&alice, "v.example.com", 1, &Enabling::default())
            .await
            .expect("restore");
        svc.enable_strategy(
            &alice,
            "v.example.com",
            &one_item,
            &Enabling {
                base: Base::Version(Some(3)),
                ..Enabling::default()
            },
        )
        .await
        .expect("editor");
        svc.delete_endpoints_regenerating(
            &alice,
            &[EndpointRef {
                domain: "v.example.com".into(),
                endpoint: "1.1.1.1".into(),
            }],
        )
        .await
        .expect("delete regenerating");
        let made: Vec<(i64, VersionSource, String, String)> = svc
            .strategy_versions(&alice, "v.example.com")
            .await
            .expect("versions")
            .into_iter()
            .map(|v| (v.version, v.source, v.note, v.created_by))
            .collect();
        let by = alice.user.username.clone();
        assert_eq!(
            made,
            vec![
                (5, VersionSource::Regenerate, String::new(), by.clone()),
                (4, VersionSource::Editor, String::new(), by.clone()),
                (3, VersionSource::Restore, String::new(), by.clone()),
                (2, VersionSource::Api, "by script".into(), by.clone()),
                (1, VersionSource::Recommend, "first".into(), by.clone()),
            ],
            "{}",
            b.name
        );

        // A change prepared against an older version is refused, whichever door.
        let stale = Enabling {
            base: Base::Version(Some(4)),
            ..Enabling::default()
        };
        for refused in [
            svc.recommend_strategy(&alice, "v.example.com", &stale)
                .await,
            svc.restore_strategy_version(&alice, "v.example.com", 1, &stale)
                .await,
            svc.enable_strategy(&alice, "v.example.com", &one_item, &stale)
                .await
                .map(drop),
        ] {
            assert!(
                matches!(&refused, Err(ServiceError::Conflict(m)) if m.contains("shown version 4, now version 5")),
                "{}: {refused:?}",
                b.name
            );
        }

        // Notes are limited, and nothing is written when one is refused.
        let long = noted(&"n".repeat(app::model::MAX_VERSION_NOTE_CHARS + 1));
        let refused = svc.recommend_strategy(&alice, "v.example.com", &long).await;
        assert!(
            matches!(&refused, Err(ServiceError::Invalid(m)) if m.starts_with("note: 501 characters")),
            "{refused:?}"
        );

        // The start rule's only item is a disabled rule (absent): valid, and it answers no group
        // in either family.
        let nobody: StrategyDocument = serde_json::from_str(
            r#"{"strategy":{"start":"w","rules":[
                {"type":"wrr","name":"w","items":[{"reference":"off","weight":1}]},
                {"type":"wrr","name":"off","enable":false,"items":[{"reference":"2.2.2.2","weight":1}]}]},
               "endpointsConf":[]}"#,
        )
        .expect("doc");
        let enabled_before = svc
            .strategy_versions(&alice, "v.example.com")
            .await
            .expect("versions")
            .len();
        let doors = [
            svc.update_or_create_strategies(&alice, &batch(&nobody), &Enabling::default())
                .await,
            svc.enable_strategy(&alice, "v.example.com", &nobody, &Enabling::default())
                .await
                .map(drop),
        ];
        for refused in doors {
            assert!(
                matches!(&refused, Err(ServiceError::Conflict(m)) if m.contains("answers no user group") && m.contains("force")),
                "{}: {refused:?}",
                b.name
            );
        }
        assert_eq!(
            svc.strategy_versions(&alice, "v.example.com")
                .await
                .expect("versions")
                .len(),
            enabled_before,
            "a refused enable stores no version"
        );
        let forced = Enabling {
            force: true,
            ..Enabling::default()
        };
        svc.update_or_create_strategies(&alice, &batch(&nobody), &forced)
            .await
            .expect("forced");
        assert_eq!(
            svc.strategy_versions(&alice, "v.example.com")
                .await
                .expect("versions")[0]
                .source,
            VersionSource::Api
        );
    }
}

#[tokio::test]
async fn query_volume_adds_up_over_nodes_and_flushes_and_stays_in_its_account() {
    use app::strategy::{Area, Isp, UserGroup};
    use itm_server::store::volume::{self, Count};
    for b in backends().await {
        let svc = service(&b.store);
        let alice = main_caller(&svc, "alice").await;
        let bob = main_caller(&svc, "bob").await;
        let name = "vol.example.com";
        svc.create_domains(
            &alice,
            &[NewDomain {
                domain: name.into(),
                is_itm_domain: false,
            }],
        )
        .await
        .expect("domain");
        let mut conn = b.store.conn().await.expect("conn");
        let id = domains::get(&mut conn, alice.account_id(), name)
            .await
            .expect("get")
            .expect("domain")
            .id;
        let beijing = UserGroup::new(Area::from_code("beijing.CN").expect("area"), Isp::Ct);
        let other = UserGroup::new(Area::from_code("none.CN").expect("area"), Isp::Other);
        let count = |domain_id, group, count| Count {
            domain_id,
            group,
            count,
        };
        let now = volume::minute_of(now_ms());
        // Ten minutes ago, or eleven when that is an hour's last minute: the prune below must
        // end the minute without ending its hour.
        let earlier = match now - 10 * 60_000 {
            t if (t + 60_000) % 3_600_000 == 0 => t - 60_000,
            t => t,
        };
        let ago = ((now - earlier) / 60_000) as usize;
        // Two nodes flush the same minute; a third count is of a domain that is gone.
        volume::add(&mut conn, earlier, &[count(id, beijing, 3)])
            .await
            .expect("add");
        volume::add(
            &mut conn,
            earlier,
            &[count(id, beijing, 2), count(id + 1_000, beijing, 7)],
        )
        .await
        .expect("a count of a missing domain is dropped, not an error");
        volume::add(&mut conn, now, &[count(id, other, 1)])
            .await
            .expect("add");
        let from = earlier - 5 * 60_000;
        let slots = volume::per_slot(&mut conn, id, from, 5 * 60_000)
            .await
            .expect("slots");
        assert_eq!(slots, vec![(1, 5), (3, 1)], "{}", b.name);
        let groups = volume::per_group(&mut conn, id, from)
            .await
            .expect("groups");
        assert_eq!(groups, vec![(beijing, 5), (other, 1)], "{}", b.name);
        assert!(
            volume::per_group(&mut conn, id + 1_000, from)
                .await
                .expect("groups")
                .is_empty()
        );

        let hour = svc
            .query_volume(&alice, name, Some(1))
            .await
            .expect("volume");
        assert_eq!((hour.total, hour.series.len()), (6, 60), "{}", b.name);
        // The current minute is the last slot (or the one before, when a minute began meanwhile).
        let filled: Vec<(usize, u64)> = hour
            .series
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (i, *n))
            .collect();
        assert!(
            filled == [(59 - ago, 5), (59, 1)] || filled == [(58 - ago, 5), (58, 1)],
            "{filled:?}"
        );
        assert!(matches!(
            svc.query_volume(&bob, name, None).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            svc.query_volume(&alice, name, Some(169)).await,
            Err(ServiceError::Invalid(m)) if m.starts_with("hours")
        ));

        // The minute goes; its hour has not ended, so the groups keep it.
        assert_eq!(
            volume::prune(&mut conn, earlier + 60_000)
                .await
                .expect("prune"),
            1
        );
        let slots = volume::per_slot(&mut conn, id, from, 5 * 60_000)
            .await
            .expect("slots");
        assert_eq!(slots, vec![(3, 1)], "{}", b.name);
        let groups = volume::per_group(&mut conn, id, from)
            .await
            .expect("groups");
        assert_eq!(groups, vec![(beijing, 5), (other, 1)], "{}", b.name);

        // Whatever groups clients claim, a domain stores one row a minute and one per group
        // and hour: every group twice a minute for two minutes of one hour is 2 + 165 rows.
        let every_group: Vec<Count> = (0..UserGroup::COUNT)
            .filter_map(UserGroup::from_index)
            .map(|group| count(id, group, 1))
            .collect();
        assert_eq!(every_group.len(), 165);
        let hour = volume::hour_of(now);
        let busy = hour - 48 * 3_600_000;
        for minute in [busy + 60_000, busy + 120_000] {
            for _ in 0..2 {
                volume::add(&mut conn, minute, &every_group)
                    .await
                    .expect("add");
            }
        }
        let slots = volume::per_slot(&mut conn, id, busy, 60_000)
            .await
            .expect("slots");
        assert_eq!(&slots[..2], &[(1, 330), (2, 330)], "{}", b.name);
        let groups = volume::per_group(&mut conn, id, busy)
            .await
            .expect("groups");
        assert_eq!(groups.len(), 165, "{}", b.name);
        assert_eq!(
            groups.iter().find(|(g, _)| *g == beijing).map(|(_, n)| *n),
            Some(4 + 5)
        );
        assert!(
            volume::prune(&mut conn, busy + 3_600_000)
                .await
                .expect("prune")
                >= 165 + 2,
            "the hour that ended goes whole"
        );
        drop(conn);
        svc.delete_domains(&alice, &[name.to_owned()])
            .await
            .expect("delete");
        let mut conn = b.store.conn().await.expect("conn");
        assert!(
            volume::per_group(&mut conn, id, from)
                .await
                .expect("groups")
                .is_empty(),
            "a deleted domain's volume goes with it ({})",
            b.name
        );
    }
}
