//! The XML form of the 903 return (`<EXPSSDA903><CHILD><HEADER>...<EPISODE>...`), turned into
//! the same raw tables as the CSV form so that one set of checks serves both. Lines are the XML
//! file's lines where each element starts.

use crate::read::RawTable;
use crate::report::{Problem, ProblemKind, Severity};

/// Raw header, episodes, uasc, missing and oc2 tables from an XML return.
pub(crate) struct XmlTables {
    pub header: RawTable,
    pub episodes: RawTable,
    pub uasc: RawTable,
    pub missing: RawTable,
    pub oc2: RawTable,
}

use super::{EPISODE_COLS as EPISODES, HEADER_COLS as HEADER, MISSING_COLS as MISSING, OC2_COLS as OC2, UASC_COLS as UASC};

fn table(file: &str, cols: &[&str]) -> RawTable {
    RawTable { file: file.to_string(), header: cols.iter().map(|c| c.to_string()).collect(), rows: Vec::new() }
}

fn child_text<'a>(node: roxmltree::Node<'a, 'a>, tag: &str) -> String {
    node.children().find(|n| n.has_tag_name(tag)).and_then(|n| n.text()).map(|t| t.trim().to_string()).unwrap_or_default()
}

/// A row of `cols` from the element's children; `CHILD` and `DOB` come from the header, and
/// `PLACE` is read from `PL` (the XML's name for it) when there is no `PLACE`.
fn row(node: roxmltree::Node, cols: &[&str], child: &str, dob: &str) -> Vec<String> {
    cols.iter()
        .map(|c| match *c {
            "CHILD" => child.to_string(),
            "DOB" if node.children().all(|n| !n.has_tag_name("DOB")) => dob.to_string(),
            "PLACE" => {
                let p = child_text(node, "PLACE");
                if p.is_empty() {
                    child_text(node, "PL")
                } else {
                    p
                }
            }
            _ => child_text(node, c),
        })
        .collect()
}

pub(crate) fn parse(file: &str, text: &str, problems: &mut Vec<Problem>) -> XmlTables {
    let mut t = XmlTables {
        header: table(file, HEADER),
        episodes: table(file, EPISODES),
        uasc: table(file, UASC),
        missing: table(file, MISSING),
        oc2: table(file, OC2),
    };
    let doc = match roxmltree::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let pos = e.pos();
            problems.push(Problem::new(
                Severity::Error,
                ProblemKind::UnreadableXml,
                file,
                Some(u64::from(pos.row)),
                None,
                "",
                format!("not a readable XML return: {e}"),
            ));
            return t;
        }
    };
    let line = |n: roxmltree::Node| u64::from(doc.text_pos_at(n.range().start).row);
    for child in doc.descendants().filter(|n| n.has_tag_name("CHILD") && n.is_element()) {
        let Some(header) = child.children().find(|n| n.has_tag_name("HEADER")) else {
            problems.push(Problem::new(
                Severity::Warning,
                ProblemKind::ChildWithoutHeader,
                file,
                Some(line(child)),
                Some("HEADER"),
                "",
                "CHILD without a HEADER: ignored",
            ));
            continue;
        };
        let id = child_text(header, "CHILDID");
        let dob = child_text(header, "DOB");
        let mut h = row(header, HEADER, &id, &dob);
        h[0] = id.clone();
        t.header.rows.push((line(header), crate::read::row_of(&h)));
        if child_text(header, "UASC") == "1" || !child_text(header, "DUC").is_empty() {
            t.uasc.rows.push((line(header), crate::read::row_of(&row(header, UASC, &id, &dob))));
        }
        if let Some(oc2) = header.children().find(|n| n.has_tag_name("OC2")) {
            t.oc2.rows.push((line(oc2), crate::read::row_of(&row(oc2, OC2, &id, &dob))));
        }
        for m in header.children().filter(|n| n.has_tag_name("AMISSING")) {
            t.missing.rows.push((line(m), crate::read::row_of(&row(m, MISSING, &id, &dob))));
        }
        for ep in child.children().filter(|n| n.has_tag_name("EPISODE")) {
            t.episodes.rows.push((line(ep), crate::read::row_of(&row(ep, EPISODES, &id, &dob))));
        }
    }
    t
}
