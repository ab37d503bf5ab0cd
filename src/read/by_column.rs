//! Columnar checks, for sources that hold whole columns (DataFrames): each column of a block of
//! rows is read in one tight loop and parsed by the very parser the row checks use, and a row
//! goes to the row checks only where one of its cells does not simply parse or a rule across
//! its cells would speak. Only the row checks write problems, so every problem (its line,
//! column and value) is the one reading row by row gives; a property test holds the two paths
//! to each other on random tables (`tests` below).

use std::ops::Range;

use super::columns::Col;
use super::source::{Cell, RowStream};

/// Rows read by column at a time: small enough that a block's columns stay in the cache.
pub(crate) const BLOCK: usize = 2048;

/// The rows of `rows` in blocks of [`BLOCK`].
pub(crate) fn blocks(rows: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    rows.clone().step_by(BLOCK).map(move |lo| lo..(lo + BLOCK).min(rows.end))
}

/// A block of rows being read by column: which rows need the row checks so far.
pub(crate) struct Block<'s> {
    pub rows: Range<usize>,
    /// Row `rows.start + i` goes to the row checks.
    pub slow: Vec<bool>,
    /// The cells of the column being read (one buffer for every column).
    cells: Vec<Cell<'s>>,
}

impl<'s> Block<'s> {
    pub fn new(rows: Range<usize>) -> Block<'s> {
        Block { slow: vec![false; rows.len()], cells: Vec::with_capacity(rows.len()), rows }
    }

    /// Column `col` parsed by `parse`: item i is the value of row `rows.start + i`, `None` when
    /// the cell is blank or the table has no such column. A cell that `parse` refuses, or a
    /// blank one when `required`, marks its row slow (for the row checks, which say what is
    /// wrong).
    #[inline(always)]
    pub fn parse<S: RowStream, T, E>(
        &mut self,
        src: &'s S,
        col: Col,
        required: bool,
        parse: impl Fn(Cell<'s>) -> Result<T, E>,
    ) -> Vec<Option<T>> {
        let Some(at) = col.at() else {
            if required {
                self.slow.iter_mut().for_each(|s| *s = true);
            }
            return self.rows.clone().map(|_| None).collect();
        };
        src.column_cells(at, self.rows.clone(), &mut self.cells);
        let mut out = Vec::with_capacity(self.rows.len());
        for (c, slow) in self.cells.iter().zip(self.slow.iter_mut()) {
            out.push(if c.is_blank() {
                *slow |= required;
                None
            } else {
                match parse(*c) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        *slow = true;
                        None
                    }
                }
            });
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! A columnar table of text cells, as a DataFrame of string columns is: the same rows read
    //! with and without the columnar checks must give the same cohort and the same report.

    use std::ops::Range;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::super::source::{Cell, Record, RowStream};
    use super::super::{load_rows, ReadOptions};
    use crate::fields::trim_cell;
    use crate::report::Problem;

    /// Text columns; `columnar: false` hides the columnar access (the row checks only).
    #[derive(Clone)]
    pub(crate) struct TextFrame {
        name: String,
        header: Vec<String>,
        cols: Arc<Vec<Vec<String>>>,
        columnar: bool,
        /// The current row, and the rows still to give.
        at: usize,
        end: usize,
        started: bool,
    }

    impl TextFrame {
        pub fn new(name: &str, header: &[&str], rows: &[Vec<String>], columnar: bool) -> TextFrame {
            let cols = (0..header.len()).map(|j| rows.iter().map(|r| r[j].clone()).collect()).collect();
            TextFrame {
                name: name.into(),
                header: header.iter().map(|h| h.to_string()).collect(),
                cols: Arc::new(cols),
                columnar,
                at: 0,
                end: rows.len(),
                started: false,
            }
        }
    }

    impl Record for TextFrame {
        fn field(&self, i: usize) -> Option<Cell<'_>> {
            self.cols.get(i).map(|c| Cell::Text(trim_cell(&c[self.at])))
        }
        fn width(&self) -> usize {
            self.header.len()
        }
    }

    impl RowStream for TextFrame {
        type Rec = TextFrame;
        fn file(&self) -> &str {
            &self.name
        }
        fn header(&self) -> &[String] {
            &self.header
        }
        fn advance(&mut self, _problems: &mut Vec<Problem>) -> Option<u64> {
            if self.started {
                self.at += 1;
            }
            self.started = true;
            (self.at < self.end).then_some(self.at as u64 + 2)
        }
        fn row(&self) -> &TextFrame {
            self
        }
        fn split(&self, n: usize) -> Option<Vec<TextFrame>> {
            // Small stretches, so that the tests cross stretch and block edges.
            let (lo, hi) = (self.at, self.end);
            let per = (hi - lo).div_ceil(n.max(1)).max(1);
            Some((lo..hi).step_by(per).map(|a| TextFrame { at: a, end: (a + per).min(hi), ..self.clone() }).collect())
        }
        fn columnar_rows(&self) -> Option<Range<usize>> {
            self.columnar.then_some(self.at + usize::from(self.started)..self.end)
        }
        fn column_cells<'s>(&'s self, col: usize, rows: Range<usize>, out: &mut Vec<Cell<'s>>) {
            out.clear();
            if let Some(c) = self.cols.get(col) {
                out.extend(c[rows].iter().map(|s| Cell::Text(trim_cell(s))));
            }
        }
        fn seek(&mut self, r: usize) -> Option<u64> {
            self.at = r;
            self.started = true;
            Some(r as u64 + 2)
        }
    }

    /// The children table's columns less five need signals (so that absent columns are read
    /// too), in the table's order.
    pub(crate) static KIDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        const LEFT_OUT: [&str; 5] = ["disability", "mental_health_concern", "substance_misuse", "pregnant_or_parent", "exploitation_risk"];
        crate::read::CHILD_COLUMNS.iter().copied().filter(|c| !LEFT_OUT.contains(c)).collect()
    });
    pub(crate) const SEEN: &[&str] = &["child_id", "assessment_type", "completed_on", "modality", "outcome"];

    /// Values for each kind of column: mostly good (so that many rows take the columnar path),
    /// with every kind of bad or odd value the row checks speak about.
    fn pick(kind: &str) -> BoxedStrategy<String> {
        let iso = |from: i32, to: i32| (from..to, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"));
        let odd_dates = prop::sample::select(vec![
            "2021-02-30",
            " 2020-02-29 ",
            "1900-01-01",
            "44490",
            "2021-10-21 00:00:00",
            "21/10/21",
            "x",
            "2031-01-01",
            "5/6/2019",
        ])
        .prop_map(String::from);
        let one_of = |good: Vec<&'static str>, odd: Vec<&'static str>| {
            prop_oneof![12 => prop::sample::select(good).prop_map(String::from), 1 => prop::sample::select(odd).prop_map(String::from)]
                .boxed()
        };
        let date =
            |from: i32, to: i32, blank: u32| prop_oneof![12 => iso(from, to), blank => Just(String::new()), 1 => odd_dates.clone()].boxed();
        match kind {
            "child_id" => prop_oneof![
                20 => (0u32..90).prop_map(|i| format!("C{i:03}")),
                1 => prop::sample::select(vec!["", "=1+1", " C001", "c001", "C0001", "  "]).prop_map(String::from),
            ]
            .boxed(),
            "date_of_birth" => date(2007, 2021, 0),
            "care_start" => date(2018, 2027, 0),
            "care_end" => date(2019, 2026, 24),
            "sdq_date" => date(2015, 2026, 6),
            "last_dental_check" => date(2020, 2027, 6),
            "completed_on" => date(2005, 2027, 0),
            "legal_status" => one_of(vec!["C2", "C1", "", "V2", "c1"], vec!["ZZ", "e 1"]),
            "locality" | "provider" => one_of(vec!["North", "", "Acme Health"], vec!["+44 1234", "@here", "=A1"]),
            "sdq_score" => one_of(vec!["12", "", "40", "0", "007"], vec!["41", "-1", "3.5"]),
            "placement_moves_12m" | "missing_episodes_12m" => one_of(vec!["0", "3", ""], vec!["-2", "1e3", "99999999999"]),
            "sex" => one_of(vec!["1", "2", "", "F", "male"], vec!["9", "x"]),
            "ethnicity" => one_of(vec!["WBRI", "", "mwbc", "REFU"], vec!["XXXX"]),
            "assessment_type" => one_of(vec!["IHA", "RHA", "rha"], vec!["", "RHA2"]),
            "modality" => one_of(vec!["", "face_to_face", "virtual", "Face to face", "questionnaire"], vec!["phone"]),
            "outcome" => one_of(vec!["", "completed", "declined", "Declined"], vec!["dna"]),
            _ => one_of(vec!["0", "1", "", "yes", "N", "1.0", "true"], vec!["maybe", "2"]),
        }
    }

    pub(crate) fn table(header: &'static [&'static str], rows: Range<usize>) -> impl Strategy<Value = Vec<Vec<String>>> {
        prop::collection::vec(header.iter().map(|h| pick(h)).collect::<Vec<_>>(), rows)
    }

    fn load(kids: &[Vec<String>], seen: &[Vec<String>], columnar: bool, strict: bool) -> super::super::Loaded {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let mut policy = crate::Policy::default();
        if !strict {
            policy.schedule.iha_exemption = crate::policy::IhaExemption::Any;
        }
        let opts = ReadOptions::with_policy(today, &policy);
        load_rows(TextFrame::new("children", &KIDS, kids, columnar), TextFrame::new("assessments", SEEN, seen, columnar), &opts)
    }

    /// A property test's configuration as the integration tests' (`tests/common`): the same
    /// cases every run from a fixed seed, a fresh seed under `FUZZ_RANDOM=1` (`make fuzz`),
    /// and no regression files written.
    pub(crate) fn prop_config(cases: u32) -> ProptestConfig {
        use proptest::test_runner::RngSeed;
        let mut config = ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() };
        let explore = std::env::var_os("FUZZ_RANDOM").is_some_and(|v| !v.is_empty() && v != "0");
        if !explore && std::env::var_os("PROPTEST_RNG_SEED").is_none() {
            config.rng_seed = RngSeed::Fixed(0x1ac_ba61);
        }
        config
    }

    proptest! {
        #![proptest_config(prop_config(256))]
        /// The columnar checks give the cohort and the report (every problem: line, column,
        /// value, message) the row checks give.
        #[test]
        fn columnar_checks_are_the_row_checks(kids in table(&KIDS, 0..60), seen in table(SEEN, 0..120), strict in any::<bool>()) {
            let by_row = load(&kids, &seen, false, strict);
            let by_col = load(&kids, &seen, true, strict);
            prop_assert_eq!(&by_col.report, &by_row.report);
            prop_assert_eq!(&by_col.cohort.children, &by_row.cohort.children);
        }
    }

    /// Good rows take the columnar path and odd ones the row checks, in blocks and stretches
    /// whose edges fall mid-table: both together give what the row checks alone give.
    #[test]
    fn many_blocks_and_stretches_agree() {
        let kid = |i: usize| -> Vec<String> {
            let mut r: Vec<String> = KIDS.iter().map(|_| String::new()).collect();
            r[0] = format!("K{i:06}");
            r[1] = format!("20{:02}-0{}-1{}", 10 + i % 10, 1 + i % 9, i % 10);
            r[2] = "2024-01-05".into();
            if i % 997 == 0 {
                r[5] = "perhaps".into();
            }
            if i % 1499 == 0 {
                r[7] = "=cmd".into();
            }
            r
        };
        let kids: Vec<Vec<String>> = (0..9000).map(kid).collect();
        let seen: Vec<Vec<String>> = (0..9000)
            .map(|i| {
                vec![
                    format!("K{:06}", i * 7 % 9100),
                    "RHA".into(),
                    if i % 501 == 0 { "2023-13-01" } else { "2025-01-02" }.into(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        let (by_row, by_col) = (load(&kids, &seen, false, true), load(&kids, &seen, true, true));
        assert!(by_row.report.problems.len() > 20);
        assert_eq!(by_col.report, by_row.report);
        assert_eq!(by_col.cohort.children, by_row.cohort.children);
    }
}
