//! Parsers for single cell values, shared by every reader. Each returns the typed value or a
//! message saying what is wrong; the caller adds file, line, column and value.

use chrono::{Datelike, NaiveDate};

/// A cell's text without white space at either end, as `str::trim`: ASCII first (the usual
/// case), then any other Unicode white space (and the vertical tab, which `trim_ascii` keeps).
#[inline(always)]
pub fn trim_cell(s: &str) -> &str {
    let s = s.trim_ascii();
    let odd = |c: &u8| !c.is_ascii() || *c == 0x0B;
    if s.as_bytes().first().is_some_and(odd) || s.as_bytes().last().is_some_and(odd) {
        s.trim()
    } else {
        s
    }
}

/// A cell is blank when it is empty or only white space.
pub fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Years up to this are Excel's day 0 (an empty date cell in its 1900 date system shows as
/// 1900-01-00, 1899-12-31 or 1899-12-30), never a real date in a child's record: rejected.
pub const EXCEL_DAY_ZERO_YEAR: i32 = 1900;

/// Dates as `YYYY-MM-DD` or `DD/MM/YYYY` (one- or two-digit day and month accepted). A time
/// after the date (`2021-10-21 00:00:00`, `21/10/2021 14:30`, `2021-10-21T00:00`), as pandas and
/// Excel write datetimes, is allowed and ignored. Excel's other manglings get a message saying
/// what happened: a serial number (`44490`), a two-digit year (`21/10/21`), a month name
/// (`21-Oct-21`), a date in 1900 or before ([`EXCEL_DAY_ZERO_YEAR`]).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let d = parse_any_date(s)?;
    if d.year() <= EXCEL_DAY_ZERO_YEAR {
        return Err(format!(
            "a date in {EXCEL_DAY_ZERO_YEAR} or before: an empty cell in Excel's 1900 date system? Give the real date or leave it blank"
        ));
    }
    Ok(d)
}

fn parse_any_date(s: &str) -> Result<NaiveDate, String> {
    let s = trim_cell(s);
    // The common case, YYYY-MM-DD, without splitting or allocating.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() {
        let ds = [y0, y1, y2, y3, m0, m1, d0, d1];
        if ds.iter().all(u8::is_ascii_digit) {
            let n = |a: &[u8]| a.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
            return make_date(n(&ds[..4]) as i32, n(&ds[4..6]), n(&ds[6..]));
        }
    }
    let date = strip_time(s).ok_or_else(|| not_a_date(s))?;
    let parts: (Option<(&str, &str, &str)>, bool) = if let Some((y, rest)) = date.split_once('-') {
        (rest.split_once('-').map(|(m, d)| (y, m, d)), true)
    } else if let Some((d, rest)) = date.split_once('/') {
        (rest.split_once('/').map(|(m, y)| (y, m, d)), false)
    } else {
        (None, false)
    };
    let (y, m, d) = match parts {
        (Some((y, m, d)), iso)
            if digits(y)
                && digits(m)
                && digits(d)
                && y.len() == 4
                && m.len() <= 2
                && d.len() <= 2
                && (!iso || (m.len() == 2 && d.len() == 2)) =>
        {
            (y, m, d)
        }
        _ => return Err(not_a_date(s)),
    };
    let (y, m, d): (i32, u32, u32) = match (y.parse(), m.parse(), d.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return Err(not_a_date(s)),
    };
    make_date(y, m, d)
}

fn make_date(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        if (y, m, d) == (EXCEL_DAY_ZERO_YEAR, 1, 0) {
            format!("{EXCEL_DAY_ZERO_YEAR}-01-00 is Excel's day 0 (an empty date cell)")
        } else {
            "impossible date (no such day)".to_string()
        }
    })
}

/// The date part of a date with an optional time of day after a space or `T`
/// (`HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`); `None` if what follows is not a time.
fn strip_time(s: &str) -> Option<&str> {
    let Some(i) = s.find([' ', 'T']) else { return Some(s) };
    let (date, time) = (&s[..i], s[i + 1..].trim());
    let mut parts = time.split(':');
    let ok = |p: Option<&str>, max: u32| p.is_some_and(|p| p.len() == 2 && digits(p) && p.parse::<u32>().is_ok_and(|v| v <= max));
    let (h, m) = (parts.next(), parts.next());
    let sec = parts.next();
    let sec_ok = sec.is_none_or(|x| {
        let whole = x.split_once('.').map_or(x, |(w, frac)| if digits(frac) { w } else { "" });
        ok(Some(whole), 59)
    });
    (ok(h, 23) && ok(m, 59) && sec_ok && parts.next().is_none()).then_some(date)
}

/// Why a text is not a date, with a hint for what Excel does to dates.
fn not_a_date(s: &str) -> String {
    let base = "not a date (expected YYYY-MM-DD or DD/MM/YYYY)";
    if digits(s) && (4..=6).contains(&s.len()) {
        format!("{base}: this looks like an Excel date serial number; format the column as a date")
    } else if s.bytes().any(|b| b.is_ascii_alphabetic()) && s.bytes().any(|b| b.is_ascii_digit()) {
        format!("{base}: month names are not read; write the month as a number")
    } else if s.split(['/', '-']).count() == 3 && s.split(['/', '-']).next_back().is_some_and(|y| y.len() == 2 && digits(y)) {
        format!("{base}: a two-digit year is ambiguous; give all four digits")
    } else {
        base.to_string()
    }
}

/// Booleans: 1/0, true/false, yes/no, y/n in any case. Blank is handled by the caller.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    let t = trim_cell(s);
    match t.as_bytes() {
        b"1" => return Ok(true),
        b"0" => return Ok(false),
        _ => {}
    }
    // "1.0" and "0.0": what pandas writes for a 0/1 column with blanks in it (a float column).
    let t = match t.split_once('.') {
        Some((whole @ ("0" | "1"), zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
        _ => t,
    };
    let is = |w: &str| t.eq_ignore_ascii_case(w);
    if is("1") || is("true") || is("yes") || is("y") {
        Ok(true)
    } else if is("0") || is("false") || is("no") || is("n") {
        Ok(false)
    } else {
        Err("not a yes/no value (expected 1/0, true/false, yes/no or y/n)".to_string())
    }
}

/// A whole number, possibly negative.
pub fn parse_int(s: &str) -> Result<i64, String> {
    let t = trim_cell(s);
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits(body) {
        return Err("not a whole number".to_string());
    }
    t.parse::<i64>().map_err(|_| "number too large".to_string())
}

/// A count (a whole number, 0 or more).
pub fn parse_count(s: &str) -> Result<u32, String> {
    count_of(parse_int(s)?)
}

/// A whole number as a count (0 or more).
pub fn count_of(n: i64) -> Result<u32, String> {
    if n < 0 {
        return Err("negative count (must be 0 or more)".to_string());
    }
    u32::try_from(n).map_err(|_| "count too large".to_string())
}

/// The highest SDQ total difficulties score.
pub const SDQ_MAX: u8 = 40;

/// An SDQ total difficulties score, 0 to 40 ([`SDQ_MAX`]).
pub fn parse_sdq(s: &str) -> Result<u8, String> {
    sdq_of(parse_int(s)?)
}

/// A whole number as an SDQ score (0 to 40).
pub fn sdq_of(n: i64) -> Result<u8, String> {
    if !(0..=i64::from(SDQ_MAX)).contains(&n) {
        return Err("SDQ score outside 0-40".to_string());
    }
    Ok(n as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn both_date_formats() {
        assert_eq!(parse_date("2021-10-21"), Ok(ymd(2021, 10, 21)));
        assert_eq!(parse_date("21/10/2021"), Ok(ymd(2021, 10, 21)));
        assert_eq!(parse_date("1/2/2021"), Ok(ymd(2021, 2, 1)));
        assert_eq!(parse_date(" 2021-10-21 "), Ok(ymd(2021, 10, 21)));
    }

    #[test]
    fn impossible_and_unparseable_dates() {
        assert!(parse_date("2021-02-30").unwrap_err().contains("impossible"));
        assert!(parse_date("31/04/2021").unwrap_err().contains("impossible"));
        assert!(parse_date("2021-13-01").unwrap_err().contains("impossible"));
        assert!(parse_date("21/10/21").unwrap_err().contains("two-digit year"));
        // Excel and pandas datetimes: the time is ignored.
        assert_eq!(parse_date("2021-10-21 00:00:00"), Ok(ymd(2021, 10, 21)));
        assert_eq!(parse_date("21/10/2021 14:30"), Ok(ymd(2021, 10, 21)));
        assert_eq!(parse_date("2021-10-21T00:00:00.000"), Ok(ymd(2021, 10, 21)));
        assert!(parse_date("2021-10-21 25:00").unwrap_err().contains("not a date"));
        assert!(parse_date("2021-10-21 noon").unwrap_err().contains("not a date"));
        // Excel's manglings say what happened.
        assert!(parse_date("44490").unwrap_err().contains("serial number"));
        assert!(parse_date("21-Oct-21").unwrap_err().contains("month names"));
        assert!(parse_date("1900-01-01").unwrap_err().contains("Excel's 1900 date system"));
        assert!(parse_date("30/12/1899").unwrap_err().contains("Excel's 1900 date system"));
        assert!(parse_date("00/01/1900").unwrap_err().contains("day 0"));
        assert_eq!(parse_date("1901-01-01"), Ok(ymd(1901, 1, 1)));
        assert!(parse_date("2021-1-5").unwrap_err().contains("not a date"));
        assert!(parse_date("yesterday").unwrap_err().contains("not a date"));
        assert!(parse_date("2021/10/21").unwrap_err().contains("not a date"));
    }

    #[test]
    fn all_boolean_spellings() {
        for t in ["1", "true", "TRUE", "Yes", "y", "Y", "1.0", "1.00"] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["0", "false", "False", "NO", "n", "0.0"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        for bad in ["maybe", "2", "1.", "1.5", "2.0", ".0", "0.0.0"] {
            assert!(parse_bool(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_count("3"), Ok(3));
        assert!(parse_count("-1").unwrap_err().contains("negative"));
        assert!(parse_count("1.5").unwrap_err().contains("whole number"));
        assert_eq!(parse_sdq("40"), Ok(40));
        assert!(parse_sdq("41").unwrap_err().contains("0-40"));
        assert!(parse_sdq("-1").unwrap_err().contains("0-40"));
    }
}
