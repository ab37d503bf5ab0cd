//! A seedable random number generator, the same bit for bit on every machine: the xoshiro256++
//! core of the rand_xoshiro crate, seeded per stream by SplitMix64, with the few distributions
//! the generator and the simulation need.
//!
//! The distributions stay our own, on purpose: each is an inverse transform taking a fixed
//! number of uniforms a draw (Knuth's Poisson excepted), so a child's or a run's stream stays
//! aligned as the code around it changes, and every synthetic council and stored back-test
//! (tests/golden) is reproduced exactly. rand_distr's exponential (ziggurat) and Poisson
//! (PTRS) take a variable number of draws and would change every stream.

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// xoshiro256++ (Blackman and Vigna), from rand_xoshiro.
#[derive(Debug, Clone)]
pub struct Rng {
    core: Xoshiro256PlusPlus,
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform in [0, 1) fixed by (key, a, b) alone: the same number for the same three keys,
/// however many other draws were made. The simulation draws a child's did-not-attend at its
/// n-th offer this way (key = the run's, a = the child, b = n), so every capacity tried sees
/// the same attendance (common random numbers).
pub fn uniform_at(key: u64, a: u64, b: u64) -> f64 {
    let mut st = key ^ a.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ b.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
    splitmix64(&mut st);
    (splitmix64(&mut st) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

impl Rng {
    /// A generator for stream `stream` of `seed`: streams are independent, so item `i` of a
    /// generated set can be made on its own, in any order or in parallel.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut st = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng::from_state([splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st)])
    }

    /// The generator in state `s` (xoshiro's four words, as the reference code holds them).
    fn from_state(s: [u64; 4]) -> Rng {
        let mut seed = [0u8; 32];
        for (chunk, word) in seed.chunks_exact_mut(8).zip(s) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        Rng { core: Xoshiro256PlusPlus::from_seed(seed) }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.core.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n) (n > 0), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform integer in [lo, hi] inclusive.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Exponential with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// Poisson with mean `lambda` (Knuth's method in pieces of at most 30, so large means
    /// neither underflow nor lose accuracy).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        let mut left = lambda.max(0.0);
        let mut total = 0;
        while left > 0.0 {
            let part = left.min(30.0);
            left -= part;
            let limit = (-part).exp();
            let mut p = 1.0;
            loop {
                p *= self.f64();
                if p <= limit {
                    break;
                }
                total += 1;
            }
        }
        total
    }

    /// An index drawn with the given weights (which need not sum to 1).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uniform_at_is_fixed_by_its_keys_and_spread_evenly() {
        use super::uniform_at;
        assert_eq!(uniform_at(7, 3, 1), uniform_at(7, 3, 1));
        assert_ne!(uniform_at(7, 3, 1), uniform_at(7, 3, 2));
        assert_ne!(uniform_at(7, 3, 1), uniform_at(7, 4, 1));
        let n = 100_000u64;
        let below_tenth = (0..n).filter(|i| uniform_at(11, *i, 0) < 0.1).count() as f64 / n as f64;
        assert!((below_tenth - 0.1).abs() < 0.005, "{below_tenth}");
        assert!((0..n).all(|i| (0.0..1.0).contains(&uniform_at(5, i, i))));
    }

    use super::*;

    #[test]
    fn xoshiro256pp_reference_output() {
        // With state {1, 2, 3, 4} the first output is rotl(1 + 4, 23) + 1 = 41943041 (the
        // reference code); the state words reach rand_xoshiro in that order.
        let mut r = Rng::from_state([1, 2, 3, 4]);
        assert_eq!(r.next_u64(), 41_943_041);
    }

    #[test]
    fn the_crate_core_gives_the_streams_the_hand_written_one_gave() {
        // First outputs of stream (7, 3) and (2021, 0) before the core moved to rand_xoshiro.
        let mut r = Rng::new(7, 3);
        let a = [r.next_u64(), r.next_u64()];
        let mut hand = HandXoshiro::new(7, 3);
        assert_eq!(a, [hand.next(), hand.next()]);
    }

    /// The reference algorithm, written out, to hold the crate's core to it.
    struct HandXoshiro([u64; 4]);

    impl HandXoshiro {
        fn new(seed: u64, stream: u64) -> HandXoshiro {
            let mut st = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
            HandXoshiro([splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st)])
        }

        fn next(&mut self) -> u64 {
            let s = &mut self.0;
            let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
            let t = s[1] << 17;
            s[2] ^= s[0];
            s[3] ^= s[1];
            s[1] ^= s[2];
            s[0] ^= s[3];
            s[2] ^= t;
            s[3] = s[3].rotate_left(45);
            result
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 3).next_u64(), Rng::new(7, 4).next_u64());
        assert_ne!(Rng::new(7, 3).next_u64(), Rng::new(8, 3).next_u64());
    }

    #[test]
    fn distributions_have_their_means() {
        let mut r = Rng::new(1, 0);
        let n = 200_000;
        let mean = |f: &mut dyn FnMut() -> f64| (0..n).map(|_| f()).sum::<f64>() / n as f64;
        assert!((mean(&mut || r.f64()) - 0.5).abs() < 0.01);
        let mut r = Rng::new(2, 0);
        assert!((mean(&mut || r.exp(10.0)) - 10.0).abs() < 0.2);
        let mut r = Rng::new(3, 0);
        assert!((mean(&mut || r.poisson(3.0) as f64) - 3.0).abs() < 0.05);
        let mut r = Rng::new(4, 0);
        assert!((mean(&mut || r.poisson(75.0) as f64) - 75.0).abs() < 0.3);
        let mut r = Rng::new(5, 0);
        let mut counts = [0u32; 3];
        for _ in 0..n {
            counts[r.weighted(&[0.2, 0.3, 0.5])] += 1;
        }
        assert!((f64::from(counts[2]) / n as f64 - 0.5).abs() < 0.01);
        let mut r = Rng::new(6, 0);
        assert!((0..1000).all(|_| (3..=5).contains(&r.range(3, 5))));
    }
}
