//! The DNS snapshot's memory per domain, counted exactly by the allocator (not RSS, which also
//! holds SQLite's cache and the allocator's slack): `cargo run --release -p itm-server --example
//! snapshot_memory -- 100000`. Domains as in the DNS benchmark: four endpoints each and four
//! strategy shapes (wrr, priority, geo-proximity, a mapping under a priority).

use std::alloc::System;
use std::collections::BTreeMap;
use std::sync::Arc;

use app::model::{Enabling, EndpointInput, NewDomain};
use app::strategy::StrategyDocument;
use itm_server::dns::Answers;
use itm_server::health::HealthBook;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn live_bytes() -> isize {
    let stats = ALLOCATOR.stats();
    stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated
}

const AREAS: [&str; 6] = [
    "beijing.CN",
    "shanghai.CN",
    "guangdong.CN",
    "sichuan.CN",
    "liaoning.CN",
    "hubei.CN",
];

fn strategy(i: usize, ips: &[String]) -> anyhow::Result<StrategyDocument> {
    let items = |f: &dyn Fn(usize, &String) -> String| {
        ips.iter()
            .enumerate()
            .map(|(k, ip)| f(k, ip))
            .collect::<Vec<_>>()
            .join(",")
    };
    let rules = match i % 4 {
        0 => format!(
            r#"{{"type":"wrr","name":"s","items":[{}]}}"#,
            items(&|k, ip| format!(r#"{{"reference":"{ip}","weight":{}}}"#, k + 1))
        ),
        1 => format!(
            r#"{{"type":"priority","name":"s","items":[{}]}}"#,
            items(&|k, ip| format!(r#"{{"reference":"{ip}","priority":{}}}"#, k + 1))
        ),
        2 => format!(
            r#"{{"type":"geoProximity","name":"s","items":[{}]}}"#,
            items(&|_, ip| format!(r#"{{"reference":"{ip}"}}"#))
        ),
        _ => format!(
            r#"{{"type":"priority","name":"s","items":[{{"reference":"m","priority":1}},{{"reference":"{}","priority":2}}]}},
               {{"type":"usersetMapping","name":"m","items":[{{"reference":"{}","usersets":"*/ct"}},
               {{"reference":"{}","usersets":"*/cu;beijing.CN/*"}},{{"reference":"{}","usersets":""}}]}}"#,
            ips[3], ips[0], ips[1], ips[2]
        ),
    };
    Ok(serde_json::from_str(&format!(
        r#"{{"strategy":{{"start":"s","rules":[{rules}]}}}}"#
    ))?)
}

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    runtime.block_on(async {
        let (service, caller) = itm_server::dns::fixture::service(dir.path()).await?;
        let started = std::time::Instant::now();
        for chunk in (0..count).collect::<Vec<_>>().chunks(2000) {
            let domains: Vec<NewDomain> = chunk
                .iter()
                .map(|i| NewDomain {
                    domain: format!("d{i}.bench.example.com"),
                    is_itm_domain: true,
                })
                .collect();
            let listed = service.create_domains(&caller, &domains).await?;
            let mut endpoints = Vec::new();
            let mut strategies = BTreeMap::new();
            for (&i, d) in chunk.iter().zip(&listed) {
                let ips: Vec<String> = (0..4)
                    .map(|k| format!("10.{}.{}.{}", i / 250 % 250, i % 250, k + 1))
                    .collect();
                for (k, ip) in ips.iter().enumerate() {
                    endpoints.push(EndpointInput {
                        domain: d.domain.clone(),
                        endpoint: ip.clone(),
                        kind: String::new(),
                        area: Some(AREAS[(i + k) % AREAS.len()].into()),
                        isp: Some(["ct", "cu", "cm"][k % 3].into()),
                        tag: String::new(),
                    });
                }
                // SHAPE=0..3 builds every domain with one shape (to compare their sizes).
                let shape = std::env::var("SHAPE")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(i);
                strategies.insert(d.domain.clone(), strategy(shape, &ips)?.into());
            }
            service.add_endpoints(&caller, &endpoints).await?;
            service
                .update_or_create_strategies(&caller, &strategies, &Enabling::default())
                .await?;
        }
        println!(
            "configured {count} domains in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let answers = Arc::new(Answers::new("itm.test", Arc::new(HealthBook::default())));
        let before = live_bytes();
        let started = std::time::Instant::now();
        answers.load_all(service.node().store()).await?;
        let built = started.elapsed();
        let domains = answers.load().len();
        let after = live_bytes();
        // What freeing the snapshot gives back is its size (growth elsewhere does not count).
        drop(answers);
        let freed = after - live_bytes();
        println!(
            "snapshot of {domains} domains built in {:.0} ms: {freed} bytes ({:.0} per domain; \
             the process grew by {} bytes meanwhile)",
            built.as_secs_f64() * 1000.0,
            freed as f64 / domains.max(1) as f64,
            after - before,
        );
        anyhow::Ok(())
    })
}
