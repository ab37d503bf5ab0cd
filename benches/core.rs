//! Criterion benchmarks of the Rust core: read, schedule, triage, KPI, simulate.
//! `make bench` (or `cargo bench --bench core`) runs them; docs/performance.md records figures.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lac_backlog::kpi::{compute, month_ends, GroupBy};
use lac_backlog::simulate::{simulate, Costs, Scenario, Setup};
use lac_backlog::synth::{synthetic_cohort, SynthOptions};
use lac_backlog::table::cohort_csv;
use lac_backlog::{load_csv_bytes, status_all, Cohort, Policy, ReadOptions};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 10, 21).unwrap()
}

fn council(n: usize) -> Cohort {
    synthetic_cohort(&SynthOptions { overdue_share: Some(0.4), ..SynthOptions::new(n, 1, as_of()) })
}

fn benches(c: &mut Criterion) {
    let p = Policy::default();
    let costs = Costs::default();
    let big = council(1_000_000);
    let (children, assessments) = cohort_csv(&big);
    let bytes = (children.len() + assessments.len()) as u64;

    let mut g = c.benchmark_group("read");
    g.sample_size(10).throughput(Throughput::Bytes(bytes));
    g.bench_function("csv_1m_children", |b| {
        b.iter(|| load_csv_bytes("c", children.as_bytes(), "a", assessments.as_bytes(), &ReadOptions::new(as_of())))
    });
    g.finish();

    let mut g = c.benchmark_group("core_1m");
    g.sample_size(10);
    g.bench_function("schedule", |b| b.iter(|| status_all(black_box(&big), as_of(), &p)));
    // The target is single-threaded: one thread in the pool (triage uses every core it has).
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread pool");
    g.bench_function("triage", |b| b.iter(|| one.install(|| lac_backlog::triage::triage(black_box(&big), as_of(), &p, &[]))));
    g.bench_function("triage_all_cores", |b| b.iter(|| lac_backlog::triage::triage(black_box(&big), as_of(), &p, &[])));
    g.finish();

    let mid = council(84_000);
    let mut g = c.benchmark_group("kpi_84k");
    g.sample_size(10);
    g.bench_function("12_months", |b| b.iter(|| compute(black_box(&mid), &month_ends(as_of(), 12), GroupBy::None, &p)));
    g.finish();

    let small = council(2_000);
    let s = Scenario { face_to_face_per_week: 45, virtual_per_week: 5, ..Scenario::default() };
    let mut g = c.benchmark_group("simulate_2000_children_52_weeks");
    g.sample_size(10);
    for runs in [100u32, 1000] {
        g.bench_with_input(BenchmarkId::from_parameter(runs), &runs, |b, &runs| {
            b.iter(|| {
                simulate(
                    &small,
                    &s,
                    &Setup { as_of: as_of(), weeks: 52, seed: 7, policy: &p, costs: &costs, deterministic: false },
                    0..runs,
                )
            })
        });
    }
    g.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
