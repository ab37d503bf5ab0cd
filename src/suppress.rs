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
