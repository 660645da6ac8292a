//! Disjoint sets over `0..n`, for grouping linked items (events into
//! storylines, quotes into groups).

/// Union-find with path halving; the smallest index is each set's root, so
/// groups are deterministic.
pub struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    /// The root of `x`'s set.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Merges the sets of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }

    /// The sets with their members in ascending order, ordered by smallest member.
    pub fn groups(&mut self) -> Vec<Vec<usize>> {
        let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> =
            std::collections::BTreeMap::new();
        for i in 0..self.parent.len() {
            let r = self.find(i);
            by_root.entry(r).or_default().push(i);
        }
        by_root.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_are_ordered_by_smallest_member() {
        let mut u = super::UnionFind::new(5);
        u.union(4, 1);
        u.union(3, 4);
        assert_eq!(u.groups(), vec![vec![0], vec![1, 3, 4], vec![2]]);
    }
}
