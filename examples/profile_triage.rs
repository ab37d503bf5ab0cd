//! Profiling driver (not a test): triage a synthetic council of N children.
//! `cargo run --release --example profile_triage -- 200000 [reps] [threads]`: the triage, then
//! the worklist table built from it (its reasons are written when read: by the CSV here), each
//! timed.
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let as_of = chrono::NaiveDate::from_ymd_opt(2021, 10, 21).unwrap();
    let o = lac_backlog::synth::SynthOptions { overdue_share: Some(0.4), ..lac_backlog::synth::SynthOptions::new(n, 1, as_of) };
    let c = lac_backlog::synth::synthetic_cohort(&o);
    let p = lac_backlog::Policy::default();
    let reps: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    // Threads: the third argument (default 1, the single-threaded target; 0 = every core).
    let threads: usize = std::env::args().nth(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let wl = std::sync::Arc::new(pool.install(|| lac_backlog::triage::triage(&c, as_of, &p, &[])));
        eprintln!("triage {} children on {} thread(s): {} listed in {:?}", n, pool.current_num_threads(), wl.rows.len(), t.elapsed());
        // The worklist as a table, as every output builds it (the reasons written when read).
        let t = std::time::Instant::now();
        let table = pool.install(|| lac_backlog::table::worklist_table(&wl));
        eprintln!("  worklist table: {} rows in {:?}", table.columns.first().map_or(0, |c| c.data.len()), t.elapsed());
        // The table as CSV in memory (the writer's own time, no disk).
        let t = std::time::Instant::now();
        let mut buf = Vec::new();
        pool.install(|| table.write_csv(&mut buf)).expect("writing to memory");
        eprintln!("  CSV: {} MB in {:?}", buf.len() / 1_000_000, t.elapsed());
    }
    sizes();
}

#[allow(dead_code)]
fn sizes() {
    eprintln!(
        "sizes: WorklistRow {} ChildStatus {} Reason {} Override {} Contribution {}",
        std::mem::size_of::<lac_backlog::triage::WorklistRow>(),
        std::mem::size_of::<lac_backlog::ChildStatus>(),
        std::mem::size_of::<lac_backlog::Reason>(),
        std::mem::size_of::<lac_backlog::triage::Override>(),
        std::mem::size_of::<lac_backlog::triage::Contribution>()
    );
}
