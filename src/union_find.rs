//! Disjoint sets over `0..n` (union-find), for grouping that builds up pair by pair: the
//! segmenter's groups of pieces competing for the same continuations
//! ([`crate::corpus::segment`]) and the search's classes of characters that are one another's
//! script variants ([`crate::search`]).

/// Disjoint sets of the indices `0..n`, each named by its root.
#[derive(Debug, Clone)]
pub(crate) struct UnionFind(Vec<usize>);

impl UnionFind {
    /// `n` sets of one index each.
    pub(crate) fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }

    /// The root of `x`'s set, shortening the path to it on the way (path halving).
    ///
    /// # Panics
    /// When `x` is not below `n`.
    pub(crate) fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    /// Merges the sets of `a` and `b`; the root of `b`'s set becomes the root of both.
    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.0[ra] = rb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_merge_pair_by_pair_and_the_second_root_names_them() {
        let mut sets = UnionFind::new(6);
        assert!((0..6).all(|x| sets.find(x) == x));
        sets.union(0, 1);
        sets.union(2, 3);
        sets.union(1, 3);
        assert_eq!(sets.find(0), 3, "the root of the second set names the merged one");
        assert!([0, 1, 2, 3].iter().all(|&x| sets.find(x) == 3));
        assert_eq!((sets.find(4), sets.find(5)), (4, 5));
        sets.union(3, 0);
        assert_eq!(sets.find(2), 3, "merging a set with itself changes nothing");
    }
}
