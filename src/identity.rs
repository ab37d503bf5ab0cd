//! Child ids that look alike. `AB12` and `ab12`, `René` typed two ways (NFC and NFD), `0777`
//! and `777`, or an id with an invisible character pasted in are different ids to a computer
//! but are often the same child to a person; one of them then has no assessments and shows as a
//! phantom overdue child. They stay distinct children (nothing is merged on a guess); the
//! reader warns, naming both lines (docs/bad-input.md).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Characters that show as nothing: zero-width spaces and joiners, the byte order mark, the
/// word joiner, and the bidirectional controls (which can also make an id read backwards).
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{00AD}')
}

/// The form in which look-alike ids agree: Unicode NFKC, without invisible characters, in
/// lower case, without leading zeros (an id of zeros keeps one). Plain ASCII ids in lower case
/// with no leading zero are their own key and cost nothing.
pub fn id_key(id: &str) -> Cow<'_, str> {
    let folded: Cow<'_, str> = if id.is_ascii() {
        if id.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(id.to_ascii_lowercase())
        } else {
            Cow::Borrowed(id)
        }
    } else {
        Cow::Owned(id.nfkc().filter(|c| !is_invisible(*c)).collect::<String>().to_lowercase())
    };
    let trimmed = folded.trim_start_matches('0');
    if trimmed.len() == folded.len() {
        return folded;
    }
    if trimmed.is_empty() {
        return Cow::Borrowed("0");
    }
    Cow::Owned(trimmed.to_string())
}

/// Pairs of look-alike ids among `ids` (sorted, distinct, each with its line): (index of the
/// later line, index of the earlier line), each pair once, in order of the later line.
pub fn look_alikes(ids: &[(&str, u64)]) -> Vec<(usize, usize)> {
    // The usual extract: ids of one length in plain lower-case ASCII ("000123"). Two different
    // ids of one length stay different with their leading zeros taken off (equal remainders
    // would need equal numbers of zeros), and no key is then another id (keys are shorter), so
    // there is nothing to find: one pass instead of a key, a search and a sort an id.
    if let Some((first, _)) = ids.first() {
        if ids.iter().all(|(id, _)| id.len() == first.len() && id.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())) {
            return Vec::new();
        }
    }
    search(ids)
}

/// [`look_alikes`] without its fast path.
fn search(ids: &[(&str, u64)]) -> Vec<(usize, usize)> {
    // Only ids that are not their own key can look like another id: find each one's key among
    // the ids themselves (binary search) and among the other changed ids.
    let mut changed: Vec<(String, usize)> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, (id, _))| match id_key(id) {
            Cow::Borrowed(k) if k == *id => None,
            k => Some((k.into_owned(), i)),
        })
        .collect();
    let mut pairs = Vec::new();
    for (key, i) in &changed {
        if let Ok(j) = ids.binary_search_by(|(id, _)| (*id).cmp(key.as_str())) {
            if j != *i {
                pairs.push((*i, j));
            }
        }
    }
    changed.sort_unstable();
    for group in changed.chunk_by(|a, b| a.0 == b.0) {
        for (n, (_, i)) in group.iter().enumerate() {
            for (_, j) in &group[..n] {
                pairs.push((*i, *j));
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = pairs.into_iter().map(|(a, b)| if ids[a].1 >= ids[b].1 { (a, b) } else { (b, a) }).collect();
    pairs.sort_unstable_by_key(|&(a, b)| (ids[a].1, ids[b].1));
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_form_invisibles_and_leading_zeros() {
        assert_eq!(id_key("AB12"), "ab12");
        assert_eq!(id_key("ab12"), "ab12");
        assert!(matches!(id_key("ab12"), Cow::Borrowed(_)));
        assert_eq!(id_key("0777"), "777");
        assert_eq!(id_key("000"), "0");
        assert_eq!(id_key("Ren\u{e9}"), id_key("Rene\u{301}"));
        assert_eq!(id_key("A\u{200B}B"), "ab");
        assert_eq!(id_key("\u{202E}21BA"), "21ba");
        assert_eq!(id_key("\u{FF21}1"), "a1"); // a full-width A
    }

    #[test]
    fn ids_of_one_length_in_lower_case_ascii_have_no_look_alikes() {
        // The fast path's claim, checked against the full search on every id of each length
        // 1 to 4 made of "0", "1", "a" (so with and without leading zeros).
        let alphabet = ["0", "1", "a"];
        let mut all: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            all = all.iter().flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}"))).collect();
            let ids: Vec<(&str, u64)> = all.iter().enumerate().map(|(i, s)| (s.as_str(), i as u64 + 2)).collect();
            assert!(search(&ids).is_empty() && look_alikes(&ids).is_empty(), "length {}", all[0].len());
        }
        // One longer id breaks the rule ("01" and "001" look alike): the full search runs.
        let mixed = [("001", 2u64), ("01", 3)];
        assert_eq!(look_alikes(&mixed), [(1, 0)]);
    }

    #[test]
    fn look_alikes_pair_each_once_later_line_first() {
        let mut ids = vec![("AB12", 2), ("ab12", 5), ("0777", 3), ("777", 4), ("x", 6), ("Ren\u{e9}", 7), ("Rene\u{301}", 8)];
        ids.sort();
        let pairs: Vec<(u64, u64)> = look_alikes(&ids).into_iter().map(|(a, b)| (ids[a].1, ids[b].1)).collect();
        assert_eq!(pairs, vec![(4, 3), (5, 2), (8, 7)]);
        assert!(look_alikes(&[("1", 2), ("2", 3)]).is_empty());
    }
}
