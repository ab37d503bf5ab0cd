//! Work cut into stretches, one a thread of the current rayon pool, done on every core and
//! joined in order: the same result on one core or many.

use rayon::prelude::*;

/// How many threads the current pool has (1 in a one-thread pool).
pub(crate) fn threads() -> usize {
    rayon::current_num_threads().max(1)
}

/// The length of each stretch when `len` items are shared among `parts`, but at least `min`
/// (a shorter stretch costs more in threads than it saves) and at least 1.
pub(crate) fn stretch_len(len: usize, parts: usize, min: usize) -> usize {
    len.div_ceil(parts.max(1)).max(min).max(1)
}

/// Work on a cohort's children is shared among the cores in stretches of at least this many
/// children (attaching and sorting assessments while reading).
pub(crate) const CHILDREN_A_STRETCH: usize = 20_000;

/// `f` on each stretch of `items` (one a thread, each at least `min` long) with the index of
/// its first item, on several cores when there are several.
pub(crate) fn for_each_stretch_mut<T: Send>(items: &mut [T], min: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    let per = stretch_len(items.len(), threads(), min);
    map_in_order(items.chunks_mut(per).enumerate().collect(), |(k, stretch)| f(k * per, stretch));
}

/// `f` on each stretch, on several cores when there are several; the results in order.
pub(crate) fn map_in_order<I: Send, T: Send>(stretches: Vec<I>, f: impl Fn(I) -> T + Sync + Send) -> Vec<T> {
    if stretches.len() > 1 {
        stretches.into_par_iter().map(f).collect()
    } else {
        stretches.into_iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretches_share_the_items_but_are_never_too_short() {
        assert_eq!(stretch_len(100_000, 2, 10_000), 50_000);
        assert_eq!(stretch_len(100_001, 2, 10_000), 50_001);
        assert_eq!(stretch_len(15_000, 2, 10_000), 10_000);
        assert_eq!(stretch_len(5, 0, 1), 5);
        assert_eq!(stretch_len(0, 2, 0), 1);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let got = pool.install(|| map_in_order((0..10).collect(), |i: u32| i * i));
        assert_eq!(got, (0..10).map(|i| i * i).collect::<Vec<_>>());
    }
}
