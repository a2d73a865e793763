//! Issue 14: no input may exhaust the stack. Chains of rules up to 100,000 deep — as documents
//! for validation and the editor, and built by hand (the fields are public, so validation's
//! limits do not protect them) for the evaluator, the samplers and the stress tools. These run
//! on the default test thread (2 MiB of stack), where a recursion one frame per rule would
//! overflow long before 100,000 and abort the whole test binary.

mod common;

use app::editor::layout::{COLUMN, Layout, NodeKey};
use app::editor::lint::lint;
use app::editor::stress::{diff, endpoints_under, health_down, n1_sweep, previews};
use app::editor::{Children, Edit, EditError, Editor, reaches};
use app::strategy::{
    EndpointId, Evaluator, Family, Health, Limit, MAX_DEPTH, MAX_RULES, Preview, ProblemKind,
    RuleId, RuleKind, SamplerSet, Strategy, Target, UserGroup,
};
use common::{CHAIN_ENDPOINTS, chain_document, chain_strategy};
use proptest::prelude::*;

const DEEPEST: usize = 100_000;

fn kinds() -> impl proptest::strategy::Strategy<Value = Vec<RuleKind>> {
    prop::collection::vec(prop::sample::select(RuleKind::ALL.to_vec()), 1..6)
}

/// Depths past every limit, and the ones between the depth and the rule-count limits.
fn depth() -> impl proptest::strategy::Strategy<Value = usize> {
    prop_oneof![MAX_DEPTH + 1..=MAX_RULES, MAX_RULES + 1..=DEEPEST]
}

fn over_limit(kind: &ProblemKind) -> Option<(Limit, usize)> {
    match kind {
        ProblemKind::OverLimit { limit, found, .. } => Some((*limit, *found)),
        _ => None,
    }
}

/// The answer a pass-through chain must give: its one endpoint of the family.
fn expected(family: Family) -> Vec<(EndpointId, f64)> {
    vec![(EndpointId(family.index() as u32), 1.0)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn validation_refuses_a_chain_of_any_depth_with_a_limit(
        depth in depth(), kinds in kinds(), cyclic in any::<bool>(),
    ) {
        let mut doc = chain_document(depth, &kinds);
        if cyclic {
            // The last rule also leads back to the first.
            let last = doc.strategy.rules.len() - 1;
            let mut back = doc.strategy.rules[last].items[0].clone();
            back.reference = "r0".into();
            doc.strategy.rules[last].items.push(back);
        }
        let problems = Strategy::compile(&doc).expect_err("too deep or too many");
        let limits: Vec<(Limit, usize)> =
            problems.errors.iter().filter_map(|p| over_limit(&p.kind)).collect();
        let cycle = problems.errors.iter().any(|p| matches!(p.kind, ProblemKind::Cycle(_)));
        if depth > MAX_RULES {
            prop_assert_eq!(limits, vec![(Limit::Rules, depth)]);
        } else if cyclic {
            prop_assert!(cycle && limits.is_empty(), "{:?}", problems.errors);
        } else {
            prop_assert_eq!(limits, vec![(Limit::Depth, depth)]);
        }
    }

    #[test]
    fn the_evaluator_answers_through_a_hand_built_chain_of_any_depth(
        depth in 1..=DEEPEST, kinds in kinds(), down in any::<bool>(),
    ) {
        let s = chain_strategy(depth, &kinds);
        let health = vec![if down { Health::Down } else { Health::Up }; 2];
        let mut evaluator = Evaluator::new(&s, &health);
        for group in [UserGroup::all().next(), UserGroup::all().last()].into_iter().flatten() {
            for family in Family::ALL {
                let e = evaluator.evaluate(group, family);
                prop_assert_eq!(&e.dist, &expected(family), "{} {}", group, family);
                prop_assert_eq!(e.healthy, !down, "fail-open when down");
                prop_assert_eq!(e.trace.len(), depth, "every rule decided");
            }
        }
    }

    #[test]
    fn samplers_and_previews_compile_over_a_hand_built_chain_of_any_depth(
        depth in 1..=DEEPEST,
        kinds in prop::collection::vec(
            prop::sample::select(vec![RuleKind::Wrr, RuleKind::Priority]), 1..4),
    ) {
        // wrr and priority depend on nothing but the family, so 330 answers cost two walks.
        let s = chain_strategy(depth, &kinds);
        let health = s.health_unknown();
        let set = SamplerSet::compile(&s, &health);
        for group in UserGroup::all() {
            for family in Family::ALL {
                let sampler = set.sampler(group, family).expect("an answer");
                prop_assert_eq!(sampler.pick(0x9E37_79B9_7F4A_7C15), expected(family)[0].0);
                prop_assert!(set.is_healthy(group, family));
            }
        }
        let preview = Preview::compute(&s, &health, Family::Aaaa);
        prop_assert!(preview
            .groups
            .iter()
            .all(|g| g.dist == [(CHAIN_ENDPOINTS[1].to_owned(), 1.0)]));
    }

    #[test]
    fn a_hand_built_cycle_of_any_length_ends(depth in 1..=DEEPEST, kinds in kinds()) {
        // The last rule leads back to the first as well as to the endpoints: the edge closing
        // the cycle counts as an empty child, so the endpoints still answer.
        let mut s = chain_strategy(depth, &kinds);
        let mut back = s.rules[depth - 1].items[0].clone();
        back.target = Target::Rule(RuleId(0));
        s.rules[depth - 1].items.push(back);
        let group = UserGroup::all().next().expect("a group");
        let e = s.evaluate(&s.health_unknown(), group, Family::A);
        prop_assert_eq!(e.dist, expected(Family::A));
    }
}

/// A draft 100,000 rules deep, and the same strategy built by hand.
fn deep() -> (app::strategy::StrategyDocument, Strategy) {
    let kinds = [RuleKind::Wrr, RuleKind::Priority];
    (
        chain_document(DEEPEST, &kinds),
        chain_strategy(DEEPEST, &kinds),
    )
}

#[test]
fn the_editor_lays_out_and_walks_a_draft_100000_deep() {
    let (doc, _) = deep();
    let layout = Layout::of(&doc);
    assert_eq!(
        layout.nodes.len(),
        DEEPEST + 2,
        "every rule and both endpoint leaves"
    );
    assert_eq!(layout.edges.len(), DEEPEST + 1);
    let last = format!("r{}", DEEPEST - 1);
    let deepest = &layout.nodes[layout
        .position(&NodeKey::Rule(last.clone()))
        .expect("drawn")];
    assert_eq!(deepest.x, (DEEPEST - 1) as f32 * COLUMN);
    assert!(reaches(&doc, "r0", &last) && !reaches(&doc, &last, "r0"));
    assert_eq!(endpoints_under(&doc, "r0"), CHAIN_ENDPOINTS);
    let problems = Strategy::compile(&doc).expect_err("too many rules");
    assert!(matches!(
        problems.errors[0].kind,
        ProblemKind::OverLimit {
            limit: Limit::Rules,
            ..
        }
    ));
}

#[test]
fn the_editor_edits_a_draft_100000_deep() {
    let (doc, _) = deep();
    let last = format!("r{}", DEEPEST - 1);
    let mut editor = Editor::new(doc);
    // Closing the loop is refused: the check walks the whole chain.
    let cycle = editor.apply(Edit::Connect {
        parent: last.clone(),
        reference: "r0".into(),
    });
    assert_eq!(
        cycle,
        Err(EditError::Cycle {
            parent: last.clone(),
            child: "r0".into()
        })
    );
    let added = editor
        .apply(Edit::AddRule {
            parent: Some(last.clone()),
            kind: RuleKind::Wrr,
        })
        .expect("adds")
        .expect("named");
    assert_eq!(added, "rule1", "the first free name");
    editor
        .apply(Edit::Rename {
            from: "r1".into(),
            to: "second".into(),
        })
        .expect("renames");
    assert_eq!(editor.doc().strategy.rules[0].items[0].reference, "second");
    editor
        .apply(Edit::Move {
            from: last.clone(),
            index: 0,
            to: "r0".into(),
        })
        .expect("moves");
    editor
        .apply(Edit::DeleteRule {
            name: "r5".into(),
            children: Children::Delete,
        })
        .expect("deletes");
    assert!(
        !reaches(editor.doc(), "r0", &last),
        "the chain is cut at r5"
    );
    assert!(editor.undo() && editor.undo() && editor.undo() && editor.undo());
    assert!(reaches(editor.doc(), "r0", &last));
    assert_eq!(editor.doc().strategy.rules.len(), DEEPEST);
}

#[test]
fn lint_n1_and_diff_run_over_a_strategy_100000_deep() {
    let (doc, s) = deep();
    let base = previews(&s, &s.health_unknown());
    for preview in &base {
        assert!(
            preview
                .groups
                .iter()
                .all(|g| g.healthy && g.dist.len() == 1)
        );
    }
    // The deepest rule holds two endpoints, one per family: no single-endpoint rule, no
    // unanswered group; only the missing-IPv6 lint cannot fire (there is an AAAA endpoint).
    assert_eq!(lint(&doc, &s, &base), []);
    let sweep = n1_sweep(&s, &[]);
    assert_eq!(sweep.len(), 2);
    for (impact, family) in sweep.iter().zip(Family::ALL) {
        assert_eq!(
            impact.lost.len(),
            UserGroup::COUNT,
            "{family}: nothing else to answer"
        );
        assert!(impact.lost.iter().all(|&(f, _)| f == family));
    }
    let down = previews(&s, &health_down(&s, &[CHAIN_ENDPOINTS[0].to_owned()]));
    let changes = diff(&base, &down);
    assert_eq!(
        changes.len(),
        UserGroup::COUNT,
        "every A group turns fail-open"
    );
}

/// Stack to spare for the test below: a quarter of wasm's 1 MiB default, an eighth of a test or
/// DNS worker thread's 2 MiB. (Unoptimised, as tests run, a level of recursion takes about
/// 3 KiB; optimised, a tenth of that.)
const SMALL_STACK: usize = 256 * 1024;

fn on_small_stack(work: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(work)
        .expect("spawns");
    assert!(thread.join().is_ok(), "the work panicked");
}

#[test]
fn evaluation_and_validation_need_little_stack_at_any_depth() {
    // The evaluator recurses a bounded number of levels (past them it keeps its own stack on
    // the heap): a mapping chain, whose every rule depends on the group, in a quarter MiB.
    on_small_stack(|| {
        let s = chain_strategy(DEEPEST, &[RuleKind::UsersetMapping, RuleKind::GeoProximity]);
        let group = UserGroup::all().last().expect("a group");
        let e = s.evaluate(&s.health_unknown(), group, Family::Aaaa);
        assert_eq!(e.dist, expected(Family::Aaaa));
        let doc = chain_document(MAX_RULES, &[RuleKind::Wrr]);
        assert!(Strategy::compile(&doc).is_err(), "too deep");
        assert_eq!(Layout::of(&doc).nodes.len(), MAX_RULES + 2);
    });
}
