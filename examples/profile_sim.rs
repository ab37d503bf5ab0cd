//! Profiling driver (not a test): simulate a synthetic council of N children, 52 weeks, R runs.
//! `cargo run --release --example profile_sim -- 2000 1000`
fn main() {
    let mut a = std::env::args().skip(1).map(|s| s.parse::<usize>().ok());
    let n = a.next().flatten().unwrap_or(2000);
    let runs = a.next().flatten().unwrap_or(1000) as u32;
    let as_of = chrono::NaiveDate::from_ymd_opt(2021, 10, 21).unwrap();
    let o = lac_backlog::synth::SynthOptions { overdue_share: Some(0.4), ..lac_backlog::synth::SynthOptions::new(n, 1, as_of) };
    let c = lac_backlog::synth::synthetic_cohort(&o);
    let p = lac_backlog::Policy::default();
    let s = lac_backlog::simulate::Scenario { face_to_face_per_week: 45, virtual_per_week: 5, ..Default::default() };
    let t = std::time::Instant::now();
    let r = lac_backlog::simulate::simulate(&c, &s, as_of, 52, 0..runs, 7, &p, &lac_backlog::simulate::Costs::default(), false);
    eprintln!("simulate {n} children x 52 weeks x {runs} runs: {:?} ({} runs)", t.elapsed(), r.len());
    let q: u64 = r.iter().flat_map(|r| r.weeks.iter()).map(|w| u64::from(w.queued)).sum();
    let seen: u64 = r.iter().flat_map(|r| r.weeks.iter()).map(|w| u64::from(w.seen)).sum();
    eprintln!("mean queue {:.0} a week, mean seen {:.1} a week", q as f64 / (52.0 * runs as f64), seen as f64 / (52.0 * runs as f64));
}
