//! Disclosure control for anything shared beyond the care team (DfE practice): counts from 1 to
//! 5 are shown as `c`, with secondary suppression so that a hidden count cannot be worked out
//! from the cells beside it.

use crate::policy::SuppressionPolicy;

pub struct Suppressor<'a> {
    p: &'a SuppressionPolicy,
}

impl<'a> Suppressor<'a> {
    pub fn new(p: &'a SuppressionPolicy) -> Self {
        Suppressor { p }
    }

    pub fn symbol(&self) -> String {
        self.p.symbol.clone()
    }

    /// A count that must not be shown.
    pub fn is_small(&self, n: u64) -> bool {
        n >= self.p.min_count && n <= self.p.max_count
    }

    /// A numerator and its denominator (the total it is part of). The numerator is hidden if it
    /// is small, or if the rest of the total (denominator - numerator) is small (it could be
    /// worked out by subtraction); both are hidden if the denominator is small.
    pub fn ratio(&self, num: u64, den: Option<u64>) -> (String, Option<String>) {
        match den {
            None => (if self.is_small(num) { self.symbol() } else { num.to_string() }, None),
            Some(d) if self.is_small(d) => (self.symbol(), Some(self.symbol())),
            Some(d) => {
                let hide = self.is_small(num) || self.is_small(d.saturating_sub(num));
                (if hide { self.symbol() } else { num.to_string() }, Some(d.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_and_complementary_suppression() {
        let p = SuppressionPolicy::default();
        let s = Suppressor::new(&p);
        assert_eq!(s.ratio(0, Some(100)), ("0".into(), Some("100".into())));
        assert_eq!(s.ratio(3, Some(100)), ("c".into(), Some("100".into())));
        assert_eq!(s.ratio(97, Some(100)), ("c".into(), Some("100".into()))); // 3 left over
        assert_eq!(s.ratio(100, Some(100)), ("100".into(), Some("100".into())));
        assert_eq!(s.ratio(2, Some(4)), ("c".into(), Some("c".into())));
        assert_eq!(s.ratio(6, Some(20)), ("6".into(), Some("20".into())));
        assert_eq!(s.ratio(5, None), ("c".into(), None));
    }
}

/// Secondary suppression over a block of related counts (one period of a KPI table, say).
///
/// `sums` are published additive relations (parts add up to a total: groups to `all`);
/// `guarded` are quantities a reader could work out from published cells (a denominator minus
/// its numerator; a headline count minus the same count without UASC; a denominator minus a
/// nested one) that must not be a small count, each with the cell to hide if it would be.
/// [`Protect::run`] hides cells until no small count can be read or derived by these relations;
/// if its rules cannot get there, the whole block is hidden.
#[derive(Debug, Clone, Default)]
pub struct Protect {
    pub values: Vec<u64>,
    pub hidden: Vec<bool>,
    pub sums: Vec<(Vec<usize>, usize)>,
    pub guarded: Vec<(Vec<(usize, i64)>, usize)>,
}

impl Protect {
    pub fn cell(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.hidden.push(false);
        self.values.len() - 1
    }

    fn combo(&self, terms: &[(usize, i64)], known: &[Option<u64>]) -> Option<i64> {
        terms.iter().try_fold(0i64, |acc, (c, k)| known[*c].map(|v| acc + k * v as i64))
    }

    /// Apply primary and secondary suppression with the policy's small-count range.
    pub fn run(&mut self, s: &Suppressor) {
        let small = |v: i64| v >= 0 && s.is_small(v as u64);
        for i in 0..self.values.len() {
            if s.is_small(self.values[i]) {
                self.hidden[i] = true;
            }
        }
        loop {
            let mut changed = false;
            let known: Vec<Option<u64>> = self.visible();
            for (terms, cand) in &self.guarded {
                if !self.hidden[*cand] && self.combo(terms, &known).is_some_and(small) {
                    self.hidden[*cand] = true;
                    changed = true;
                }
            }
            for (parts, total) in &self.sums {
                let all: Vec<usize> = parts.iter().copied().chain([*total]).collect();
                let hidden: Vec<usize> = all.iter().copied().filter(|c| self.hidden[*c]).collect();
                if hidden.len() == 1 {
                    // One hidden cell in a sum can be worked out: hide the smallest other part.
                    let other = parts.iter().copied().filter(|c| !self.hidden[*c]).min_by_key(|c| (self.values[*c], *c));
                    match other {
                        Some(c) => self.hidden[c] = true,
                        None => self.hidden[*total] = true,
                    }
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if !self.leaks(s).is_empty() {
            self.hidden.iter_mut().for_each(|h| *h = true);
        }
    }

    fn visible(&self) -> Vec<Option<u64>> {
        self.values.iter().zip(&self.hidden).map(|(v, h)| (!h).then_some(*v)).collect()
    }

    /// What a reader could work out: cells recovered from sums with one unknown, repeatedly;
    /// then every recovered hidden cell and every guarded quantity that is a small count.
    /// Empty when the block is safe.
    pub fn leaks(&self, s: &Suppressor) -> Vec<String> {
        let mut known = self.visible();
        loop {
            let mut changed = false;
            for (parts, total) in &self.sums {
                let unknown: Vec<usize> = parts.iter().copied().chain([*total]).filter(|c| known[*c].is_none()).collect();
                if unknown.len() == 1 {
                    let u = unknown[0];
                    let sum_parts: i64 = parts.iter().filter(|c| **c != u).filter_map(|c| known[*c]).map(|v| v as i64).sum();
                    let v = if u == *total { sum_parts } else { known[*total].unwrap_or(0) as i64 - sum_parts };
                    known[u] = Some(v.max(0) as u64);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut out = Vec::new();
        for (i, k) in known.iter().enumerate() {
            if self.hidden[i] && k.is_some_and(|v| s.is_small(v)) {
                out.push(format!("cell {i} ({}) can be worked out", self.values[i]));
            }
        }
        for (terms, _) in &self.guarded {
            if let Some(v) = self.combo(terms, &known) {
                if v >= 0 && s.is_small(v as u64) {
                    out.push(format!("{terms:?} = {v} can be worked out"));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod protect_tests {
    use super::*;

    #[test]
    fn one_hidden_part_of_a_sum_takes_another_with_it() {
        let p = SuppressionPolicy::default();
        let s = Suppressor::new(&p);
        let mut b = Protect::default();
        let (a, c, d) = (b.cell(3), b.cell(40), b.cell(57));
        let t = b.cell(100);
        b.sums.push((vec![a, c, d], t));
        b.run(&s);
        assert!(b.hidden[a] && b.hidden[c] && !b.hidden[d] && !b.hidden[t]);
        assert!(b.leaks(&s).is_empty());
    }

    #[test]
    fn guarded_differences_hide_their_candidate() {
        let p = SuppressionPolicy::default();
        let s = Suppressor::new(&p);
        let mut b = Protect::default();
        let (n, d) = (b.cell(96), b.cell(100));
        b.guarded.push((vec![(d, 1), (n, -1)], n));
        b.run(&s);
        assert!(b.hidden[n] && !b.hidden[d]);
    }
}
