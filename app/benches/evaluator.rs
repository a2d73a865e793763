//! The evaluator's speed targets (issue: foundation): on a 50-rule / 200-endpoint strategy,
//! validate the document, evaluate all 165 groups × 2 families (≤ 2 ms), compile every sampler
//! (≤ 5 ms), and pick one answer from a compiled sampler (≤ 30 ns). The DNS server validates and
//! compiles every domain at load, so the first and third are its per-domain start-up cost.
//! Validation includes the evaluation cost (its own line below, also for the largest synthetic
//! strategy within the size limits); `tests/cost.rs` measures that cost against compile time.
//! Run: `cargo bench -p app`.

use app::strategy::{
    Family, Preview, SamplerSet, Strategy, UserGroup, health_with_down, synthetic,
};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn strategy_50_200() -> Strategy {
    match Strategy::compile(&synthetic(50, 200)) {
        Ok(c) => c.strategy,
        Err(p) => panic!("synthetic strategy invalid: {:?}", p.errors),
    }
}

fn evaluate_all(c: &mut Criterion) {
    let doc = synthetic(50, 200);
    c.bench_function("validate a document (50 rules, 200 endpoints)", |b| {
        b.iter(|| black_box(Strategy::compile(black_box(&doc)).is_ok()))
    });
    let s = strategy_50_200();
    c.bench_function("evaluation cost (50 rules, 200 endpoints)", |b| {
        b.iter(|| black_box(black_box(&s).evaluation_cost()))
    });
    let large = match Strategy::compile(&synthetic(300, 3_000)) {
        Ok(c) => c.strategy,
        Err(p) => panic!("synthetic strategy invalid: {:?}", p.errors),
    };
    c.bench_function("evaluation cost (300 rules, 3000 endpoints)", |b| {
        b.iter(|| black_box(black_box(&large).evaluation_cost()))
    });
    // A few endpoints down, so failover paths are exercised too.
    let down: Vec<String> = s
        .endpoints
        .iter()
        .step_by(17)
        .map(|e| e.value.clone())
        .collect();
    let (health, _) = health_with_down(&s, down.iter().map(String::as_str));
    c.bench_function(
        "evaluate 165 groups x 2 families (50 rules, 200 endpoints)",
        |b| {
            b.iter(|| {
                for family in Family::ALL {
                    black_box(Preview::compute(&s, &health, family));
                }
            })
        },
    );
    c.bench_function("compile all samplers (50 rules, 200 endpoints)", |b| {
        b.iter(|| black_box(SamplerSet::compile(&s, &health)))
    });
    let set = SamplerSet::compile(&s, &health);
    let group = UserGroup::parse("guangdong.CN/ct").expect("group");
    let mut random = 0x9E37_79B9_7F4A_7C15u64;
    c.bench_function("pick one answer from a compiled sampler", |b| {
        b.iter(|| {
            random = random
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            black_box(
                set.sampler(black_box(group), Family::A)
                    .map(|s| s.pick(random)),
            )
        })
    });
}

criterion_group!(benches, evaluate_all);
criterion_main!(benches);
