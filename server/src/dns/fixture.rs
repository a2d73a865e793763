//! A small, fixed configuration served by a handler without sockets: an ITM domain per rule type,
//! a delegated domain with a CNAME endpoint, and the committed IP fixtures. For the fuzz target
//! and the corpus-replay test; not used by the product.

use std::path::Path;
use std::sync::Arc;

use app::model::{EndpointInput, NewDomain};
use app::strategy::StrategyDocument;
use hickory_proto::rr::Name;

use super::{Answers, Handler, ZoneConfig};
use crate::health::HealthBook;
use crate::ipdb::Locator;
use crate::net::{Reach, ReachEntry};
use crate::resolver::Resolver;
use crate::service::{Caller, Delegation, Enabling, Sealer, Service, ServiceConfig};
use crate::store::{Store, accounts};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ip2region");

/// A service on a new SQLite store under `dir` (zone `itm.test`) with one account, and that
/// account's admin as caller.
pub async fn service(dir: &Path) -> anyhow::Result<(Service, Caller)> {
    let store = Store::connect(&format!("sqlite://{}/itm.db?mode=rwc", dir.display())).await?;
    // Nothing is probed here: private addresses may be endpoints, delegated names are trusted.
    let config = ServiceConfig::new("itm.test")
        .with_reach(
            Reach::new(
                "--probe-networks",
                &[
                    ReachEntry::Public,
                    "10.0.0.0/8".parse().map_err(anyhow::Error::msg)?,
                ],
            ),
            Reach::public("--webhook-networks"),
        )
        .with_delegation(Delegation {
            resolver: Resolver::at(std::net::SocketAddr::from(([127, 0, 0, 1], 53))),
            trusted: true,
        });
    let service = Service::new(store, config, Sealer::new([9; 32]));
    let account = service.create_account("fixture").await?;
    let mut conn = service.node().store().conn().await?;
    let (user, _) = accounts::find_for_login(&mut conn, None, &account.username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("fixture user missing"))?;
    drop(conn);
    let caller = Caller {
        user,
        source: "fixture".into(),
    };
    Ok((service, caller))
}

/// Builds the store under `dir`, the domains, the snapshot and the handler (zone `itm.test.`).
pub async fn handler(dir: &Path) -> anyhow::Result<Handler> {
    let (service, caller) = service(dir).await?;
    let strategies = [
        (
            "wrr.example.com",
            true,
            r#"{"type":"wrr","name":"r","items":[{"reference":"10.0.0.1","weight":1},{"reference":"2001:db8::1","weight":2}]}"#,
        ),
        (
            "geo.example.com",
            true,
            r#"{"type":"geoProximity","name":"r","items":[{"reference":"10.0.0.1"},{"reference":"edge.cdn.example.net"}]}"#,
        ),
        (
            "map.example.com",
            false,
            r#"{"type":"usersetMapping","name":"r","items":[{"reference":"10.0.0.1","usersets":"beijing.CN/*"},{"reference":"edge.cdn.example.net","usersets":""}]}"#,
        ),
    ];
    for (name, itm, rule) in strategies {
        let listed = service
            .create_domains(
                &caller,
                &[NewDomain {
                    domain: name.into(),
                    is_itm_domain: itm,
                }],
            )
            .await?[0]
            .domain
            .clone();
        let endpoints =
            ["10.0.0.1", "2001:db8::1", "edge.cdn.example.net"].map(|value| EndpointInput {
                domain: listed.clone(),
                endpoint: value.into(),
                kind: String::new(),
                area: Some("beijing.CN".into()),
                isp: Some("ct".into()),
                tag: String::new(),
            });
        service.add_endpoints(&caller, &endpoints).await?;
        let doc: StrategyDocument = serde_json::from_str(&format!(
            r#"{{"strategy":{{"start":"r","rules":[{rule}]}}}}"#
        ))?;
        service
            .update_or_create_strategies(
                &caller,
                &[(listed, doc.into())].into_iter().collect(),
                &Enabling::default(),
            )
            .await?;
    }
    let answers = Arc::new(Answers::new("itm.test", Arc::new(HealthBook::default())));
    answers.load_all(service.node().store()).await?;
    let locator = Locator::open(&[
        format!("{FIXTURES}/ipv4_sample.v3.xdb"),
        format!("{FIXTURES}/ipv6_synthetic.v3.xdb"),
    ])?;
    let name = |n: &str| Name::from_ascii(n);
    let zone = ZoneConfig {
        apex: name("itm.test.")?,
        name_servers: vec![name("ns1.itm.test.")?],
        rname: name("hostmaster.itm.test.")?,
        refresh: 3600,
        retry: 600,
        expire: 604_800,
        minimum: 60,
    };
    Ok(Handler::new(answers, Arc::new(locator), zone))
}
