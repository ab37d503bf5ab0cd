//! Privacy for tables that leave the care team (docs/privacy.md), by each column's
//! [`Role`] as the table builders set it, never by a column's name or a sentence's wording:
//! child ids become keyed pseudonyms (HMAC-SHA256), dates of birth their month, a clinician's
//! own words are withheld, and dates of birth in the library's own text are reduced to the
//! month. [`Table::values_hidden`] masks the data values of a problems table.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::table::{ColumnData, Role, Table};

/// A pseudonym: this prefix and the first [`PSEUDONYM_HEX_CHARS`] hex digits of the HMAC.
pub const PSEUDONYM_PREFIX: &str = "ps_";
/// 20 hex digits: 80 bits, so two of ten million children share a pseudonym with odds below
/// 1 in 10^10.
pub const PSEUDONYM_HEX_CHARS: usize = 20;
/// What a masked value becomes.
pub const HIDDEN_VALUE: &str = "[hidden]";
/// What a clinician's own words become.
pub const CLINICIAN_TEXT_WITHHELD: &str = "[reason withheld]";
/// The fixed message whose HMAC names a key in manifests without revealing it.
pub const KEY_FINGERPRINT_LABEL: &[u8] = b"lac-backlog pseudonymisation key fingerprint v1";
/// The columns of a problem whose value is a child's id (ours and the 903's), or a date of
/// birth (ours, the 903's DOB and a mother's child's MC_DOB), matched in any case.
pub const CHILD_ID_COLUMNS: &[&str] = &["child_id", "child"];
pub const DOB_COLUMNS: &[&str] = &["date_of_birth", "dob", "mc_dob"];

/// A secret key (the care team keeps it). Its bytes never leave: only pseudonyms and the
/// fingerprint do.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PseudonymKey(fingerprint {}...)", &self.fingerprint()[..16])
    }
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

impl PseudonymKey {
    /// The key's bytes, without surrounding white space (a key file's final newline).
    pub fn new(bytes: &[u8]) -> PseudonymKey {
        PseudonymKey(bytes.trim_ascii().to_vec())
    }

    /// `ps_` and 20 hex digits of HMAC-SHA256(key, id): the same id and key always give the
    /// same pseudonym.
    pub fn pseudonym(&self, id: &str) -> String {
        let hex = hmac_hex(&self.0, id.as_bytes());
        format!("{PSEUDONYM_PREFIX}{}", &hex[..PSEUDONYM_HEX_CHARS])
    }

    /// HMAC-SHA256(key, a fixed label) in hex: names the key, reveals nothing.
    pub fn fingerprint(&self) -> String {
        hmac_hex(&self.0, KEY_FINGERPRINT_LABEL)
    }
}

/// A date of birth reduced to its month, `YYYY-MM`, from `YYYY-MM-DD` or `DD/MM/YYYY` text
/// (the first date in it); other text that is not blank becomes [`HIDDEN_VALUE`].
pub fn dob_month(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return String::new();
    }
    match find_dates(t).first() {
        Some(&(at, len)) if at == 0 || len > 0 => month_of(&t[at..at + len]),
        _ => HIDDEN_VALUE.to_string(),
    }
}

/// `YYYY-MM` of a date found by [`find_dates`].
fn month_of(date: &str) -> String {
    if date.as_bytes()[4] == b'-' {
        date[..7].to_string()
    } else {
        format!("{}-{}", &date[6..10], &date[3..5])
    }
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where the dates are in `text`: (byte, length) of each `YYYY-MM-DD` not inside a longer run
/// of digits and dashes, and each `DD/MM/YYYY` not inside a longer run of digits and slashes.
fn find_dates(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let is = |i: usize, c: u8| b.get(i) == Some(&c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let before = |x: u8| i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == x);
        let iso = (0..4).all(|k| digit(i + k))
            && is(i + 4, b'-')
            && digit(i + 5)
            && digit(i + 6)
            && is(i + 7, b'-')
            && digit(i + 8)
            && digit(i + 9);
        if iso && !before(b'-') && !digit(i + 10) {
            out.push((i, 10));
            i += 10;
            continue;
        }
        let uk =
            digit(i) && digit(i + 1) && is(i + 2, b'/') && digit(i + 3) && digit(i + 4) && is(i + 5, b'/') && (6..10).all(|k| digit(i + k));
        if uk && !before(b'/') && !digit(i + 10) && !is(i + 10, b'/') {
            out.push((i, 10));
            i += 10;
            continue;
        }
        i += 1;
    }
    out
}

/// `text` with every date replaced by `with(date)`.
fn replace_dates(text: &str, with: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, len) in find_dates(text) {
        out.push_str(&text[last..at]);
        out.push_str(&with(&text[at..at + len]));
        last = at + len;
    }
    out.push_str(&text[last..]);
    out
}

/// The library's text with each date that follows a mention of birth ("birth", "birthday",
/// "births", "birthdays" as a word), up to the closing bracket, reduced to its month: "on or
/// after the 18th birthday (2022-01-09)" becomes "... (2022-01)".
pub fn reduce_birth_dates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = next_birth_word(rest) {
        out.push_str(&rest[..at]);
        let span_end = rest[at..].find(')').map_or(rest.len(), |e| at + e);
        out.push_str(&replace_dates(&rest[at..span_end], month_of));
        rest = &rest[span_end..];
    }
    out.push_str(rest);
    out
}

/// Where the next "birth", "birthday", "births" or "birthdays" word starts in `text`.
fn next_birth_word(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("birth") {
        let at = from + found;
        let starts = text[..at].chars().next_back().is_none_or(|c| !word_char(c));
        let mut end = at + "birth".len();
        for tail in ["day", "s"] {
            if text[end..].starts_with(tail) {
                end += tail.len();
            }
        }
        let ends = text[end..].chars().next().is_none_or(|c| !word_char(c));
        if starts && ends {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A problem's text with its value (where it stands as a whole word) and every date masked.
pub fn hide_in_problem(problem: &str, value: &str) -> String {
    let value = value.trim();
    let mut text = problem.to_string();
    if !value.is_empty() {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(value) {
            let before_ok = rest[..at].chars().next_back().is_none_or(|c| !word_char(c));
            let after_ok = rest[at + value.len()..].chars().next().is_none_or(|c| !word_char(c));
            out.push_str(&rest[..at]);
            out.push_str(if before_ok && after_ok { HIDDEN_VALUE } else { value });
            rest = &rest[at + value.len()..];
        }
        out.push_str(rest);
        text = out;
    }
    replace_dates(&text, |_| HIDDEN_VALUE.to_string())
}

impl crate::report::Problem {
    /// The problem with the child's data hidden: the value ([`hidden_problem`]), dates and the
    /// value in the sentence, and its date facts (a date fact becomes the name `[hidden]`).
    pub fn values_hidden(&self) -> crate::report::Problem {
        use crate::report::Fact;
        let (value, problem) = hidden_problem(self.line, &self.value, &self.problem);
        let facts = self
            .facts
            .iter()
            .map(|(n, f)| (*n, if matches!(f, Fact::Date(_)) { Fact::Name(HIDDEN_VALUE.to_string()) } else { f.clone() }))
            .collect();
        crate::report::Problem { value, problem, facts, ..self.clone() }
    }
}

/// A problem's (value, text) with the value masked: a blank value, or a header cell on line 1
/// (a column name, not data), is kept; dates in the text are masked either way.
pub fn hidden_problem(line: Option<u64>, value: &str, problem: &str) -> (String, String) {
    if line == Some(1) || value.is_empty() {
        (value.to_string(), replace_dates(problem, |_| HIDDEN_VALUE.to_string()))
    } else {
        (HIDDEN_VALUE.to_string(), hide_in_problem(problem, value))
    }
}

fn text_cells(data: &ColumnData) -> Vec<Option<String>> {
    // Each cell made once (a worklist's reasons are written when read).
    (0..data.len())
        .map(|i| {
            let v = data.cell(i);
            if data.is_text() && v.is_empty() && !text_present(data, i) {
                None
            } else {
                Some(v)
            }
        })
        .collect()
}

/// Whether a text column's row `i` holds a value (a blank `Str` is `None`).
fn text_present(data: &ColumnData, i: usize) -> bool {
    match data {
        ColumnData::Str(v) => v[i].is_some(),
        _ => true,
    }
}

impl Table {
    /// The table for sharing beyond the care team, by each column's [`Role`]: child ids as
    /// pseudonyms, dates of birth as their month (`YYYY-MM` text), a clinician's own words
    /// withheld, and dates of birth in the library's text reduced to their month. In a
    /// problems table the value of a child id or date of birth cell is treated the same way.
    /// Tables with no child-level column come back equal.
    pub fn pseudonymised(&self, key: &PseudonymKey) -> Table {
        let problem_columns: Option<Vec<String>> = self.column("column").map(|c| (0..c.len()).map(|i| c.cell(i).to_lowercase()).collect());
        let mut out = Table::default();
        for c in &self.columns {
            let cells = || text_cells(&c.data);
            let data = match c.role {
                Role::Plain => c.data.clone(),
                Role::ChildId => ColumnData::Str(cells().into_iter().map(|v| v.map(|v| key.pseudonym(&v))).collect()),
                Role::DateOfBirth => ColumnData::Str(cells().into_iter().map(|v| v.map(|v| dob_month(&v))).collect()),
                Role::ClinicianText => ColumnData::Str(
                    cells().into_iter().map(|v| v.map(|v| if v.is_empty() { v } else { CLINICIAN_TEXT_WITHHELD.to_string() })).collect(),
                ),
                Role::Text => ColumnData::Str(
                    cells()
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            v.map(|v| {
                                let own = c.clinician_from.iter().find(|(row, _)| *row == i).map(|(_, at)| *at);
                                match own.filter(|at| v.is_char_boundary(*at)) {
                                    Some(at) => reduce_birth_dates(&v[..at]) + CLINICIAN_TEXT_WITHHELD,
                                    None => reduce_birth_dates(&v),
                                }
                            })
                        })
                        .collect(),
                ),
                Role::ProblemValue => ColumnData::Str(
                    cells()
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let col = problem_columns.as_ref().map_or("", |p| p[i].as_str());
                            v.map(|v| match v.as_str() {
                                "" => v,
                                _ if CHILD_ID_COLUMNS.contains(&col) => key.pseudonym(&v),
                                _ if DOB_COLUMNS.contains(&col) => dob_month(&v),
                                _ => v,
                            })
                        })
                        .collect(),
                ),
            };
            out.push_as(&c.name, c.role, data);
        }
        out
    }

    /// A problems table with the data values masked ([`hidden_problem`]); any other table as
    /// it is.
    pub fn values_hidden(&self) -> Table {
        let (Some(line), Some(value), Some(problem)) = (self.column("line"), self.column("value"), self.column("problem")) else {
            return self.clone();
        };
        let hidden: Vec<(String, String)> =
            (0..self.n_rows()).map(|i| hidden_problem(line.cell(i).parse().ok(), &value.cell(i), &problem.cell(i))).collect();
        let mut out = self.clone();
        for c in &mut out.columns {
            match c.name.as_str() {
                "value" => c.data = ColumnData::Str(hidden.iter().map(|h| Some(h.0.clone())).collect()),
                "problem" => c.data = ColumnData::Str(hidden.iter().map(|h| Some(h.1.clone())).collect()),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_problem_with_values_hidden_keeps_its_kind_and_lines_and_hides_dates() {
        use crate::report::{Fact, Problem, ProblemKind, Severity};
        let d = chrono::NaiveDate::from_ymd_opt(2020, 5, 1).unwrap();
        let p = Problem::new(
            Severity::Error,
            ProblemKind::BornAfterCareStart,
            "c.csv",
            Some(4),
            Some("date_of_birth"),
            "2021-01-01",
            "date of birth is after care_start (2020-05-01)",
        )
        .with("care_start", Fact::Date(d))
        .with("other_line", Fact::Line(3));
        let h = p.values_hidden();
        assert_eq!((h.kind, h.line, h.value.as_str()), (ProblemKind::BornAfterCareStart, Some(4), HIDDEN_VALUE));
        assert_eq!(h.problem, "date of birth is after care_start ([hidden])");
        assert_eq!(h.facts, vec![("care_start", Fact::Name(HIDDEN_VALUE.to_string())), ("other_line", Fact::Line(3))]);
    }

    use super::*;

    #[test]
    fn birth_dates_in_text_are_reduced_to_the_month() {
        assert_eq!(
            reduce_birth_dates("next RHA would fall due on 2022-03-01, on or after the 18th birthday (2022-01-09)"),
            "next RHA would fall due on 2022-03-01, on or after the 18th birthday (2022-01)"
        );
        assert_eq!(
            reduce_birth_dates("aged 18 or over (birthday 09/01/2022) and 2021-10-21"),
            "aged 18 or over (birthday 2022-01) and 2021-10-21"
        );
        assert_eq!(reduce_birth_dates("rebirthday 2022-01-09 birthdays 2022-01-09"), "rebirthday 2022-01-09 birthdays 2022-01");
        assert_eq!(reduce_birth_dates("no dates"), "no dates");
    }

    #[test]
    fn problems_lose_their_values_and_dates() {
        assert_eq!(
            hidden_problem(Some(3), "AB12", "duplicate child_id AB12 (also line 2), seen 2021-01-05"),
            ("[hidden]".into(), "duplicate child_id [hidden] (also line 2), seen [hidden]".into())
        );
        assert_eq!(hidden_problem(Some(1), "shoe_size", "unknown column"), ("shoe_size".into(), "unknown column".into()));
        // A value inside a longer word stays (it is not the value).
        assert_eq!(hide_in_problem("AB123 and AB12", "AB12"), "AB123 and [hidden]");
    }

    #[test]
    fn dob_months() {
        assert_eq!(dob_month("2012-05-07"), "2012-05");
        assert_eq!(dob_month("07/05/2012"), "2012-05");
        assert_eq!(dob_month("not a date"), HIDDEN_VALUE);
        assert_eq!(dob_month(" "), "");
    }

    #[test]
    fn pseudonyms_are_keyed_and_stable() {
        let k = PseudonymKey::new(b"a key of at least thirty-two bytes, kept secret\n");
        let p = k.pseudonym("0017");
        assert!(p.starts_with("ps_") && p.len() == 3 + PSEUDONYM_HEX_CHARS);
        assert_eq!(p, PseudonymKey::new(b"a key of at least thirty-two bytes, kept secret").pseudonym("0017"));
        assert_ne!(p, PseudonymKey::new(b"another key of at least thirty-two bytes").pseudonym("0017"));
        assert!(!format!("{k:?}").contains("thirty"));
    }
}
