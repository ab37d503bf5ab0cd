//! Profiling driver (not a test): read a synthetic council of N children from CSV in memory.
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let as_of = chrono::NaiveDate::from_ymd_opt(2021, 10, 21).unwrap();
    let c = lac_backlog::synth::synthetic_cohort(&lac_backlog::synth::SynthOptions::new(n, 1, as_of));
    let (ch, a) = lac_backlog::table::cohort_csv(&c);
    drop(c);
    let t = std::time::Instant::now();
    let l = lac_backlog::load_csv_bytes("c", ch.as_bytes(), "a", a.as_bytes(), &lac_backlog::ReadOptions::new(as_of));
    let mb = (ch.len() + a.len()) as f64 / 1e6;
    eprintln!("read {mb:.0} MB in {:?}: {:.0} MB/s, {} problems", t.elapsed(), mb / t.elapsed().as_secs_f64(), l.report.problems.len());
    let t = std::time::Instant::now();
    drop(l);
    eprintln!("drop {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(a.as_bytes());
    let mut rec = csv::StringRecord::new();
    let mut rows = Vec::new();
    while r.read_record(&mut rec).unwrap() {
        rows.push(std::mem::take(&mut rec));
    }
    eprintln!("csv crate alone, assessments: {} rows in {:?}", rows.len(), t.elapsed());
}
