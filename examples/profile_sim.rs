//! Profiling driver (not a test): simulate a synthetic council of N children, 52 weeks, R runs.
//! `cargo run --release --example profile_sim -- 2000 1000`
//! `cargo run --release --example profile_sim -- curve`: the time against runs and children
//! (docs/performance.md shows the curve; `make bench` runs it).
use lac_backlog::simulate::{simulate, Costs, Scenario, Setup};

fn council(n: usize, as_of: chrono::NaiveDate) -> lac_backlog::Cohort {
    let o = lac_backlog::synth::SynthOptions { overdue_share: Some(0.4), ..lac_backlog::synth::SynthOptions::new(n, 1, as_of) };
    lac_backlog::synth::synthetic_cohort(&o)
}

/// The median of three timings, in seconds.
fn time(c: &lac_backlog::Cohort, s: &Scenario, as_of: chrono::NaiveDate, runs: u32) -> f64 {
    let p = lac_backlog::Policy::default();
    let mut t: Vec<f64> = (0..3)
        .map(|_| {
            let t = std::time::Instant::now();
            std::hint::black_box(simulate(
                c,
                s,
                &Setup { as_of, weeks: 52, seed: 7, policy: &p, costs: &Costs::default(), deterministic: false },
                0..runs,
            ));
            t.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[1]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let as_of = chrono::NaiveDate::from_ymd_opt(2021, 10, 21).unwrap();
    // The bench's scenario (benches/core.rs): 45 face-to-face and 5 virtual slots a week.
    let s = Scenario { face_to_face_per_week: 45, virtual_per_week: 5, ..Default::default() };
    if args.first().map(String::as_str) == Some("curve") {
        let c = council(2000, as_of);
        println!("children  runs  seconds  seconds per 1,000 child-runs");
        for runs in [125u32, 250, 500, 1000, 2000] {
            let t = time(&c, &s, as_of, runs);
            println!("{:>8} {:>5} {:>8.3} {:>10.4}", 2000, runs, t, t / (2.0 * f64::from(runs)));
        }
        for n in [500usize, 1000, 4000, 8000] {
            // Capacity scaled with the council, so the backlog is alike at every size.
            let k = n as f64 / 2000.0;
            let s = Scenario {
                face_to_face_per_week: (45.0 * k) as u32,
                virtual_per_week: (5.0 * k).ceil() as u32,
                new_entrants_per_week: 3.0 * k,
                ..Default::default()
            };
            let t = time(&council(n, as_of), &s, as_of, 250);
            println!("{:>8} {:>5} {:>8.3} {:>10.4}", n, 250, t, t / (n as f64 / 1000.0 * 250.0));
        }
        return;
    }
    if args.first().map(String::as_str) == Some("capacity") {
        // Issue 23's target: an ICB of 6,000 children, 500 runs, 52 weeks, cleared within the
        // year in 90% of runs (`capacity [children] [runs]`).
        let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(6000);
        let runs: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(500);
        let k = n as f64 / 2000.0;
        let s = Scenario {
            face_to_face_per_week: (45.0 * k) as u32,
            virtual_per_week: (5.0 * k).ceil() as u32,
            new_entrants_per_week: 3.0 * k,
            did_not_attend_rate: 0.1,
            ..Default::default()
        };
        let c = council(n, as_of);
        let p = lac_backlog::Policy::default();
        let costs = Costs::default();
        let setup = Setup { as_of, weeks: 52, seed: 7, policy: &p, costs: &costs, deterministic: false };
        let goal = lac_backlog::simulate::Goal::ClearBy(as_of + chrono::Days::new(7 * 52));
        let t = std::time::Instant::now();
        let a = lac_backlog::simulate::capacity_needed(&c, &s, &setup, runs, goal, 0.9).unwrap();
        println!(
            "capacity_needed {n} children x 52 weeks x {runs} runs: {:.2} s; answer {:?} a week; {} capacities tried",
            t.elapsed().as_secs_f64(),
            a.face_to_face_per_week,
            a.tried.len()
        );
        return;
    }
    let n = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let runs = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let c = council(n, as_of);
    let p = lac_backlog::Policy::default();
    let t = std::time::Instant::now();
    let r = simulate(&c, &s, &Setup { as_of, weeks: 52, seed: 7, policy: &p, costs: &Costs::default(), deterministic: false }, 0..runs);
    eprintln!("simulate {n} children x 52 weeks x {runs} runs: {:?} ({} runs)", t.elapsed(), r.len());
    let q: u64 = r.iter().flat_map(|r| r.weeks.iter()).map(|w| u64::from(w.queued)).sum();
    let seen: u64 = r.iter().flat_map(|r| r.weeks.iter()).map(|w| u64::from(w.seen)).sum();
    eprintln!(
        "mean queue {:.0} a week, mean seen {:.1} a week",
        q as f64 / (52.0 * f64::from(runs)),
        seen as f64 / (52.0 * f64::from(runs))
    );
}
