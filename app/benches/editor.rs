//! The strategy editor's in-process targets (issue: strategy editor), natively; the browser's
//! numbers come from the Playwright run (`end2end/tests/strategy.spec.ts` prints them). On a
//! 50-rule / 200-endpoint draft: compile + lay out after an edit, and the N-1 sweep (≤ 1 s in
//! the browser). Run: `cargo bench -p app --bench editor`.

use app::editor::layout::Layout;
use app::editor::stress::n1_sweep;
use app::strategy::{Strategy, synthetic};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn editor(c: &mut Criterion) {
    let doc = synthetic(50, 200);
    c.bench_function(
        "compile and lay out a draft (50 rules, 200 endpoints)",
        |b| {
            b.iter(|| {
                black_box(Strategy::compile(black_box(&doc)).is_ok());
                black_box(Layout::of(black_box(&doc)));
            })
        },
    );
    let strategy = match Strategy::compile(&doc) {
        Ok(c) => c.strategy,
        Err(p) => panic!("synthetic strategy invalid: {:?}", p.errors),
    };
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function("N-1 sweep (50 rules, 200 endpoints)", |b| {
        b.iter(|| black_box(n1_sweep(&strategy, &[])))
    });
    group.finish();
}

criterion_group!(benches, editor);
criterion_main!(benches);
