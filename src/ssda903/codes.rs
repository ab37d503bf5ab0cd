//! 903 code lists, kept as data per collection year (the year ending 31 March `year`). A code
//! outside the list is a warning, never an error: the cohort rules decide.

/// The codes valid in one collection year.
pub struct CodeLists {
    pub rne: &'static [&'static str],
    pub ls: &'static [&'static str],
    pub cin: &'static [&'static str],
    pub rec: &'static [&'static str],
    pub place: Vec<&'static str>,
    pub sex: &'static [&'static str],
    pub missing: &'static [&'static str],
}

const RNE: &[&str] = &["S", "L", "P", "T", "B", "U"];
const LS: &[&str] = &["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"];
const CIN: &[&str] = &["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"];
const REC: &[&str] = &[
    "X1", "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E41", "E45", "E46", "E47", "E48", "E4A", "E4B", "E5", "E6", "E7",
    "E8", "E9",
];
/// Placement codes up to 2023/24.
const PLACE_BASE: &[&str] = &[
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2",
    "U3", "U4", "U5", "U6", "Z1",
];
const SEX_OLD: &[&str] = &["1", "2"];
const SEX_NEW: &[&str] = &["M", "F", "U"];
const MISSING: &[&str] = &["M", "A"];

/// The code lists for the collection year ending 31 March `year`. PLACE gains K3 from 2024/25;
/// in 2025/26 H5 and P2 go and Z1 splits into Z11-Z14. SEX is 1/2 up to 2023/24, M/F/U from
/// 2024/25 (either is read; the other is warned about).
pub fn code_lists(year: i32) -> CodeLists {
    let mut place: Vec<&'static str> = PLACE_BASE.to_vec();
    if year >= 2025 {
        place.push("K3");
    }
    if year >= 2026 {
        place.retain(|c| !matches!(*c, "H5" | "P2" | "Z1"));
        place.extend(["Z11", "Z12", "Z13", "Z14"]);
    }
    CodeLists { rne: RNE, ls: LS, cin: CIN, rec: REC, place, sex: if year >= 2025 { SEX_NEW } else { SEX_OLD }, missing: MISSING }
}

/// Sex in either coding, as M/F/U.
pub fn normalise_sex(code: &str) -> Option<char> {
    match code.trim().to_ascii_uppercase().as_str() {
        "1" | "M" => Some('M'),
        "2" | "F" => Some('F'),
        "U" | "9" | "0" => Some('U'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_codes_change_by_year() {
        assert!(code_lists(2018).place.contains(&"H5") && !code_lists(2018).place.contains(&"K3"));
        assert!(code_lists(2025).place.contains(&"K3") && code_lists(2025).place.contains(&"Z1"));
        let y26 = code_lists(2026).place;
        assert!(y26.contains(&"Z12") && !y26.contains(&"Z1") && !y26.contains(&"P2") && !y26.contains(&"H5"));
    }

    #[test]
    fn sex_in_both_codings() {
        assert_eq!(code_lists(2024).sex, ["1", "2"]);
        assert_eq!(code_lists(2025).sex, ["M", "F", "U"]);
        assert_eq!((normalise_sex("1"), normalise_sex("f"), normalise_sex("x")), (Some('M'), Some('F'), None));
    }
}
