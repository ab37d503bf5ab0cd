//! Several councils at once (an ICB commissions for several, docs/councils.md): one cohort of
//! them all, each child's locality its council, so that the indicators by locality are the
//! indicators by council with the ICB's total as `all` (and the suppression of groups adding
//! up to a total applies across councils); and tables of several councils stacked with a
//! `council` column.

use crate::error::{Error, Result};
use crate::model::{Child, Cohort};
use crate::table::{Column, ColumnData, Table};

/// The separator between a council's name and a child's id in a merged cohort.
pub const ID_SEPARATOR: &str = "/";

/// One cohort of several councils: each child's id prefixed by its council's name and
/// [`ID_SEPARATOR`] (ids of different councils may be the same), its locality the council's
/// name. Names must be distinct and not blank.
pub fn merged(parts: &[(&str, &Cohort)]) -> Result<Cohort> {
    let mut names: Vec<&str> = parts.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    if names.iter().any(|n| n.trim().is_empty()) || names.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::Policy("councils: every council needs a name of its own".into()));
    }
    // "all" is the name of the total of the groups (the ICB's), so no council may take it.
    if let Some(n) = names.iter().find(|n| n.trim().eq_ignore_ascii_case("all")) {
        return Err(Error::Policy(format!("councils: {n:?} cannot name a council (it names the ICB's total)")));
    }
    let mut children: Vec<Child> = Vec::with_capacity(parts.iter().map(|(_, c)| c.len()).sum());
    for (name, cohort) in parts {
        for c in &cohort.children {
            let mut k = c.clone();
            k.id = format!("{name}{ID_SEPARATOR}{}", c.id).into();
            k.locality = Some((*name).into());
            children.push(k);
        }
    }
    Ok(Cohort::from_children(children))
}

/// Tables of several councils, one under another, with a `council` column first. The tables
/// must have the same columns; text columns become plain text, other columns keep their type.
pub fn stacked(parts: &[(String, &Table)]) -> Result<Table> {
    let Some((_, first)) = parts.first() else { return Ok(Table::default()) };
    let names: Vec<&str> = first.columns.iter().map(|c| c.name.as_str()).collect();
    if let Some((council, _)) = parts.iter().find(|(_, t)| t.columns.iter().map(|c| c.name.as_str()).ne(names.iter().copied())) {
        return Err(Error::Policy(format!("councils: the table of {council} has other columns")));
    }
    let mut t = Table::default();
    t.push("council", ColumnData::Str(parts.iter().flat_map(|(n, tb)| std::iter::repeat_n(Some(n.clone()), tb.n_rows())).collect()));
    for (j, col) in first.columns.iter().enumerate() {
        let all = |f: &dyn Fn(&ColumnData) -> Option<ColumnData>| -> Option<ColumnData> {
            let mut out: Option<ColumnData> = None;
            for (_, tb) in parts {
                let part = f(&tb.columns[j].data)?;
                out = Some(match (out, part) {
                    (None, p) => p,
                    (Some(ColumnData::Str(mut a)), ColumnData::Str(b)) => {
                        a.extend(b);
                        ColumnData::Str(a)
                    }
                    (Some(ColumnData::Int(mut a)), ColumnData::Int(b)) => {
                        a.extend(b);
                        ColumnData::Int(a)
                    }
                    (Some(ColumnData::Float(mut a)), ColumnData::Float(b)) => {
                        a.extend(b);
                        ColumnData::Float(a)
                    }
                    (Some(ColumnData::Date(mut a)), ColumnData::Date(b)) => {
                        a.extend(b);
                        ColumnData::Date(a)
                    }
                    _ => return None,
                });
            }
            out
        };
        let data = match &col.data {
            // Text as plain text: every row selected (`ColumnData::select` turns text into Str).
            ColumnData::Str(_) | ColumnData::Text(_) | ColumnData::Reasons(_) => {
                all(&|d| d.is_text().then(|| d.select(&(0..d.len()).collect::<Vec<_>>())))
            }
            _ => all(&|d| Some(d.clone())),
        }
        .ok_or_else(|| Error::Policy(format!("councils: column {} differs in type between councils", col.name)))?;
        t.columns.push(Column {
            name: col.name.clone(),
            data,
            role: col.role,
            clinician_from: Vec::new(),
            suppressed: None,
            in_csv: col.in_csv,
        });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn merged_prefixes_ids_and_sets_the_council_as_locality() {
        let a = Cohort::from_children(vec![Child::new("1", ymd(2010, 1, 1), ymd(2015, 1, 1))]);
        let b = Cohort::from_children(vec![Child::new("1", ymd(2011, 1, 1), ymd(2016, 1, 1))]);
        let m = merged(&[("Hampshire", &a), ("Isle of Wight", &b)]).unwrap();
        assert_eq!(m.children.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["Hampshire/1", "Isle of Wight/1"]);
        assert_eq!(m.children[1].locality.as_deref(), Some("Isle of Wight"));
        assert!(merged(&[("A", &a), ("A", &b)]).is_err() && merged(&[(" ", &a)]).is_err());
        assert!(merged(&[("all", &a), ("Kent", &b)]).is_err());
    }

    #[test]
    fn stacked_tables_have_a_council_column() {
        let mut t1 = Table::default();
        t1.push("n", ColumnData::Int(vec![Some(1), Some(2)]));
        let mut t2 = Table::default();
        t2.push("n", ColumnData::Int(vec![Some(3)]));
        let s = stacked(&[("A".into(), &t1), ("B".into(), &t2)]).unwrap();
        assert_eq!(s.to_csv_string(), "council,n\nA,1\nA,2\nB,3\n");
        let mut t3 = Table::default();
        t3.push("m", ColumnData::Int(vec![Some(3)]));
        assert!(stacked(&[("A".into(), &t1), ("C".into(), &t3)]).is_err());
    }

    /// Two councils' worklists stack, their reasons (written when read) as plain text.
    #[test]
    fn stacked_worklists_keep_their_reasons() {
        let p = crate::Policy::default();
        let as_of = ymd(2021, 10, 21);
        let wl = |id: &str| {
            let c = Cohort::from_children(vec![Child::new(id, ymd(2012, 1, 1), ymd(2019, 1, 1))]);
            crate::table::worklist_table(&std::sync::Arc::new(crate::triage::triage(&c, as_of, &p, &[])))
        };
        let (a, b) = (wl("1"), wl("2"));
        let s = stacked(&[("A".into(), &a), ("B".into(), &b)]).unwrap();
        let reasons = s.column("reasons").unwrap();
        assert!(matches!(reasons, ColumnData::Str(_)));
        let want = [a.column("reasons").unwrap().cell(0), b.column("reasons").unwrap().cell(0)];
        assert!(want[0].starts_with("score "));
        assert_eq!([reasons.cell(0), reasons.cell(1)], want);
    }
}
