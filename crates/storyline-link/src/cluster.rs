//! Events (articles that tell one happening) and storylines (events linked
//! over time).
//!
//! Events are found in two steps. As pages arrive (publication order), each
//! is compared with the earlier pages that share one of its heaviest terms
//! (an inverted index over a window of time, never all pages): pairs alike
//! enough become edges of a sparse similarity graph. Then average-link
//! agglomeration over that graph merges the most alike pair of groups first,
//! while their mean pairwise cosine clears [`EVENT_THRESHOLD`] plus what time
//! asks for: a penalty that grows with the gap between their publication
//! dates, and another when the dates their ledes give for the happening
//! cannot be the same ([`TimeAnchors`]). Averages over all pairs, unlike one
//! growing centroid, do not let an early article decide where later ones go,
//! and do not drift: a group only takes what is alike to most of it. Articles
//! already known to be copies of each other start in one group.

use dary_heap::QuaternaryHeap;
use std::cmp::Reverse;

// FxHash: keys are small integers and names hashed by the million.
use rustc_hash::FxHashMap;

use storyline_model::calendar;

use crate::text::{self, IdVector, Term};
use crate::unionfind::UnionFind;

/// Mean pairwise cosine two groups need to become one event. Calibrated
/// with `storyline eval events` (ECB+ B-cubed F1 0.869 / 0.876 / 0.872 /
/// 0.860 / 0.839 at 0.125 / 0.14 / 0.15 / 0.16 / 0.175; the seeds' four
/// happenings stay apart at 0.15 and above).
pub const EVENT_THRESHOLD: f32 = 0.15;
/// Added to the threshold when the ledes' dates cannot be one happening
/// (0.1 lets the seeds' undated visit join another; 0.3 scores as 0.2).
const TIME_CONFLICT: f32 = 0.2;
/// Added per doubling of the gap between publication dates beyond
/// [`NEAR_DAYS`]: follow-up reports weeks later still join when alike.
const GAP_PENALTY: f32 = 0.02;
/// Publication dates this close cost nothing.
const NEAR_DAYS: i64 = 7;
/// Groups published further apart than this never merge.
const MAX_EVENT_DAYS: i64 = 120;
/// Dated pages further apart than this are not compared.
const WINDOW_DAYS: i64 = 30;
/// Pairs less alike than this are no edge (they would only dilute means).
const EDGE_FLOOR: f32 = 0.05;
/// Heaviest terms per article used as inverted-index keys.
const INDEX_TERMS: usize = 20;
/// Per key, only this many of its most recent pages (or events, for
/// storylines) are looked at.
const RECENT_POSTINGS: usize = 200;
/// Pages compared exactly per arriving page (those sharing most keys).
/// Headlines need many (60: B-cubed F1 0.49, 150: 0.56, 300: 0.57).
const CANDIDATES: usize = 150;
/// Days of slack when comparing two day ranges of the ledes.
const ANCHOR_SLACK: i64 = 3;
/// Sentences that count as the lede.
pub const LEDE_SENTENCES: usize = 3;

/// What clustering needs of an article.
pub struct ClusterDoc {
    /// TF-IDF vector of title and body.
    pub vector: IdVector,
    /// The named people, organisations and places, as [`entity_keys`]
    /// (terms, not strings: a set of strings per page weighed ~0.5 GB at
    /// a million pages).
    pub entities: Vec<Term>,
    /// Publication day number (days since 1970-01-01), if known.
    pub day: Option<i64>,
    /// Index of another article this one copies, if any (forces the same event).
    pub copy_of: Option<usize>,
    /// When the lede says things happened.
    pub anchors: TimeAnchors,
}

/// When a lede (or a group of ledes) says the happening took place: day
/// ranges, and months of a year not named ("in the fourth quarter" of an
/// undated page). Two sets are compatible when either is empty or some
/// range of one meets some range of the other.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeAnchors {
    /// Inclusive day ranges, sorted, overlapping ones merged.
    days: Vec<(i64, i64)>,
    /// Months (bit m-1) named without a year.
    months: u16,
    /// Months the day ranges fall in (all twelve for ranges over two months).
    day_months: u16,
}

const ALL_MONTHS: u16 = 0x0fff;

impl TimeAnchors {
    /// Anchors from TIMEX3 values: full dates (not after `published`),
    /// months and quarters, with or without a year. Weeks, weekdays left
    /// unresolved, years alone and durations say too little.
    pub fn from_values<'a>(
        values: impl IntoIterator<Item = &'a str>,
        published: Option<&str>,
    ) -> Self {
        let mut a = TimeAnchors::default();
        for v in values {
            let b = v.as_bytes();
            let num = |r: std::ops::Range<usize>| v.get(r).and_then(|x| x.parse::<u32>().ok());
            let quarter = |q: u32| (1..=4).contains(&q).then_some((3 * q - 2, 3 * q));
            // (year if named, first month, last month, day if named)
            let parsed = match b.len() {
                10 if b[4] == b'-' && b[7] == b'-' && !v.starts_with('X') => {
                    if published.is_some_and(|p| v > p) {
                        continue;
                    }
                    num(0..4)
                        .zip(num(5..7))
                        .zip(num(8..10))
                        .map(|((y, m), d)| (Some(y), m, m, Some(d)))
                }
                7 if b[4] == b'-' && b[5] == b'Q' => num(6..7)
                    .and_then(quarter)
                    .map(|(f, l)| (num(0..4), f, l, None)),
                7 if b[4] == b'-' => num(5..7).map(|m| (num(0..4), m, m, None)),
                _ => None,
            };
            let Some((year, first, last, day)) = parsed else {
                continue;
            };
            if !(1..=12).contains(&first) || !(1..=12).contains(&last) {
                continue;
            }
            match year {
                None => a.months |= month_bits(first, last),
                Some(y) => {
                    let y = y as i32;
                    let lo = calendar::Ymd::new(y, first, day.unwrap_or(1));
                    let hi = calendar::Ymd::new(
                        y,
                        last,
                        day.unwrap_or(calendar::days_in_month(y, last)),
                    );
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        a.add_days(
                            lo.days_since_epoch(),
                            hi.days_since_epoch(),
                            month_bits(first, last),
                        );
                    }
                }
            }
        }
        a
    }

    fn add_days(&mut self, lo: i64, hi: i64, months: u16) {
        self.days.push((lo, hi));
        self.day_months |= if hi - lo > 62 { ALL_MONTHS } else { months };
        self.merge_days();
    }

    /// Sorts the day ranges and merges overlapping ones.
    fn merge_days(&mut self) {
        self.days.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(self.days.len());
        for &(l, h) in &self.days {
            match merged.last_mut() {
                Some(last) if l <= last.1 => last.1 = last.1.max(h),
                _ => merged.push((l, h)),
            }
        }
        self.days = merged;
    }

    /// No time named.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty() && self.months == 0
    }

    /// Whether the two could name the same happening.
    pub fn compatible(&self, other: &TimeAnchors) -> bool {
        if self.is_empty() || other.is_empty() {
            return true;
        }
        if self.months & (other.months | other.day_months) != 0
            || other.months & self.day_months != 0
        {
            return true;
        }
        // Sweep both sorted range lists for two that meet.
        let (a, b) = (&self.days, &other.days);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i].0 - ANCHOR_SLACK <= b[j].1 && b[j].0 - ANCHOR_SLACK <= a[i].1 {
                return true;
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// Adds another's anchors (a group's anchors are its members').
    pub fn extend(&mut self, other: &TimeAnchors) {
        self.months |= other.months;
        self.day_months |= other.day_months;
        if !other.days.is_empty() {
            self.days.extend_from_slice(&other.days);
            self.merge_days();
        }
    }
}

/// Bits for months `first..=last` (1-based).
fn month_bits(first: u32, last: u32) -> u16 {
    (first..=last).fold(0, |m, k| m | 1 << (k - 1))
}

/// Widens a publication-day span to cover `lo..=hi`.
fn widen(span: Option<(i64, i64)>, lo: i64, hi: i64) -> Option<(i64, i64)> {
    Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))))
}

/// When an event's articles were published and when their ledes say it
/// happened.
#[derive(Default)]
struct EventTime {
    /// Earliest and latest publication day of its members.
    span: Option<(i64, i64)>,
    anchors: TimeAnchors,
}

impl Merge for EventTime {
    /// [`EVENT_THRESHOLD`] plus a penalty for the publication gap and
    /// another when the ledes' dates cannot meet.
    fn needs(&self, other: &EventTime) -> f32 {
        let mut need = EVENT_THRESHOLD;
        if let (Some((a0, a1)), Some((b0, b1))) = (self.span, other.span) {
            let gap = (a0.max(b0) - a1.min(b1)).max(0);
            if gap > MAX_EVENT_DAYS {
                return f32::INFINITY;
            }
            if gap > NEAR_DAYS {
                need += GAP_PENALTY * (gap as f32 / NEAR_DAYS as f32).log2();
            }
        }
        if !self.anchors.compatible(&other.anchors) {
            need += TIME_CONFLICT;
        }
        need
    }

    fn absorb(&mut self, other: EventTime) {
        self.anchors.extend(&other.anchors);
        if let Some((lo, hi)) = other.span {
            self.span = widen(self.span, lo, hi);
        }
    }
}

/// Groups articles into events. `order` is the arrival order (publication
/// date, then id); the result lists member indices per event, in arrival
/// order, events by their first member's arrival.
///
/// The similarity graph is built as pages arrive, each against the earlier
/// pages found through the inverted index (dated pages only within
/// [`WINDOW_DAYS`], the most recent postings of each key), so the cost per
/// page does not grow with the collection; merging costs a heap operation
/// per edge.
pub fn events(docs: &[ClusterDoc], order: &[usize]) -> Vec<Vec<usize>> {
    let edges = similarity_edges(docs, order, EDGE_BLOCK);
    agglomerate(docs, order, edges)
}

/// Edges `(earlier, later, cosine)` between alike pages (u32 indexes: a
/// million pages make tens of millions of edges), in blocks of `block`
/// pages' in arrival order: concatenated, the edges were held twice while
/// collected, and whole while their groups' links were built from them;
/// a block is let go once added up (at 1M pages the events step's peak
/// fell 3,580 → 3,131 MiB).
fn similarity_edges(
    docs: &[ClusterDoc],
    order: &[usize],
    block: usize,
) -> Vec<Vec<(u32, u32, f32)>> {
    use rayon::prelude::*;
    let terms: Vec<Vec<Term>> = order
        .par_iter()
        .map(|&i| {
            text::top_terms(&docs[i].vector, INDEX_TERMS)
                .into_iter()
                .map(Term::from)
                .collect()
        })
        .collect();
    let index = PrefixIndex::new(&terms);
    let vocabulary = vocabulary(docs);
    // Each page's day by arrival position: the window test runs for every
    // posting a look-up visits, and reading the day out of the page's
    // record, far from the last one read, was a twentieth of linking.
    let days: Vec<Option<i64>> = order.iter().map(|&i| docs[i].day).collect();
    let (n, block) = (order.len(), block.max(1));
    (0..n)
        .step_by(block)
        .map(|start| {
            (start..n.min(start.saturating_add(block)))
                .into_par_iter()
                .map_init(
                    || (Tally::default(), text::Scattered::new(vocabulary)),
                    |(tally, scattered), k| {
                        let d = &docs[order[k]];
                        let near = |p: usize| match (d.day, days[p]) {
                            (Some(a), Some(b)) => (a - b).abs() <= WINDOW_DAYS,
                            _ => true,
                        };
                        let cands = index.candidates(tally, k, CANDIDATES, near, |p| p);
                        // One page against ~150 others: its vector is spread
                        // out once and each other's terms look their weight up.
                        let spread = scattered.spread(&d.vector);
                        cands
                            .into_iter()
                            .filter_map(|p| {
                                let j = order[p];
                                let f = spread.cosine(&docs[j].vector);
                                (f >= EDGE_FLOOR).then_some((j as u32, order[k] as u32, f))
                            })
                            .collect::<Vec<_>>()
                    },
                )
                .flatten()
                .collect()
        })
        .collect()
}

/// Pages whose edges [`similarity_edges`] collects at a time: large enough
/// that each block's workers set up their scratch space (as large as the
/// vocabulary) a few times only.
const EDGE_BLOCK: usize = 1 << 16;

/// One more than the highest term id in the pages' vectors (sorted by id).
fn vocabulary(docs: &[ClusterDoc]) -> usize {
    docs.iter()
        .filter_map(|d| d.vector.last())
        .map(|&(t, _)| t as usize + 1)
        .max()
        .unwrap_or(0)
}

/// Keys by arrival position and, per key, the positions holding it in
/// ascending order. A position's look-up sees exactly the positions before
/// it, as it would have on arrival in one sequential pass, so look-ups run
/// on all cores.
///
/// Where each key's list holds each position is kept from the build: a
/// look-up reads the slice before it straight away, where a binary search
/// of each list (lists of hundreds of thousands at a million pages, each
/// step a cache miss) was a twentieth of linking there.
struct PrefixIndex {
    /// Each key's positions in ascending order, the lists one after another.
    postings: Vec<u32>,
    /// `keys[offsets[k]..offsets[k + 1]]` are position `k`'s keys.
    offsets: Vec<u32>,
    /// By key of a position: the end of the positions before it in the
    /// key's list (an index into `postings`)…
    ends: Vec<u32>,
    /// …and how many of those a look-up reads (at most [`RECENT_POSTINGS`]).
    takes: Vec<u8>,
}

impl PrefixIndex {
    fn new(keys: &[Vec<Term>]) -> Self {
        const _: () = assert!(RECENT_POSTINGS <= u8::MAX as usize);
        let mut offsets = Vec::with_capacity(keys.len() + 1);
        offsets.push(0u32);
        // Each key of each position as its list's number, then (below) as
        // the end of the positions before it in that list.
        let mut ends: Vec<u32> = Vec::with_capacity(keys.iter().map(Vec::len).sum());
        let mut sizes: Vec<u32> = Vec::new();
        {
            let mut list_of: FxHashMap<Term, u32> = FxHashMap::default();
            for ks in keys {
                for &t in ks {
                    let list = *list_of.entry(t).or_insert_with(|| {
                        sizes.push(0);
                        sizes.len() as u32 - 1
                    });
                    sizes[list as usize] += 1;
                    ends.push(list);
                }
                offsets.push(ends.len() as u32);
            }
        }
        let mut starts = Vec::with_capacity(sizes.len());
        let mut at = 0u32;
        for n in sizes {
            starts.push(at);
            at += n;
        }
        let mut fill = starts.clone();
        let mut postings = vec![0u32; ends.len()];
        let mut takes = Vec::with_capacity(ends.len());
        for (k, window) in offsets.windows(2).enumerate() {
            for held in &mut ends[window[0] as usize..window[1] as usize] {
                let list = *held as usize;
                let (start, slot) = (starts[list] as usize, fill[list] as usize);
                postings[slot] = k as u32;
                fill[list] += 1;
                // A key given twice is in its list twice: the positions
                // before `k` end at its first entry.
                let mut end = slot;
                while end > start && postings[end - 1] == k as u32 {
                    end -= 1;
                }
                *held = end as u32;
                takes.push((end - start).min(RECENT_POSTINGS) as u8);
            }
        }
        PrefixIndex {
            postings,
            offsets,
            ends,
            takes,
        }
    }

    /// Up to `n` earlier positions sharing most keys with position `k`,
    /// counting each key's [`RECENT_POSTINGS`] most recent positions that
    /// `keep` accepts; ties go to the smaller `rank` (a one-to-one key).
    fn candidates(
        &self,
        tally: &mut Tally,
        k: usize,
        n: usize,
        keep: impl Fn(usize) -> bool,
        rank: impl Fn(usize) -> usize,
    ) -> Vec<usize> {
        let positions = self.offsets.len() - 1;
        if tally.counts.len() < positions {
            tally.counts.resize(positions, 0);
        }
        for x in self.offsets[k] as usize..self.offsets[k + 1] as usize {
            let end = self.ends[x] as usize;
            let recent = &self.postings[end - self.takes[x] as usize..end];
            for &p in recent.iter().rev() {
                if keep(p as usize) {
                    let count = &mut tally.counts[p as usize];
                    if *count == 0 {
                        tally.touched.push(p);
                    }
                    *count += 1;
                }
            }
        }
        let counts = &mut tally.counts;
        let mut cands: Vec<(usize, u32)> = tally
            .touched
            .drain(..)
            .map(|p| (p as usize, std::mem::take(&mut counts[p as usize])))
            .collect();
        // A total order (ranks are distinct): the first n are selected,
        // then only they are sorted.
        let order =
            |a: &(usize, u32), b: &(usize, u32)| b.1.cmp(&a.1).then(rank(a.0).cmp(&rank(b.0)));
        if cands.len() > n && n > 0 {
            cands.select_nth_unstable_by(n - 1, order);
            cands.truncate(n);
        }
        cands.sort_unstable_by(order);
        cands.into_iter().take(n).map(|(p, _)| p).collect()
    }
}

/// Shared-key counts by position for [`PrefixIndex::candidates`], one per
/// thread: a counter per position and the positions touched, where a hash
/// map per look-up spent most of its time hashing and growing.
#[derive(Default)]
struct Tally {
    counts: Vec<u32>,
    touched: Vec<u32>,
}

/// What a group carries besides its members during average-link merging.
trait Merge {
    /// The mean cosine this group needs with `other` to merge.
    fn needs(&self, other: &Self) -> f32;
    /// Takes in a merged-away group's state.
    fn absorb(&mut self, other: Self);
}

/// A group during agglomeration (merged away when its members are taken).
struct Group<P> {
    members: Vec<usize>,
    /// Articles the group stands for: the weight of its pairs.
    size: f32,
    extra: P,
    /// Neighbouring groups with the sum of the cosines of the article
    /// pairs between them (a pair without an edge counts as 0), sorted by
    /// group: 8 bytes a link, where a hash map took ~2.5 times that (the
    /// links are most of linking's peak memory at a million pages).
    links: Links,
}

impl<P> Group<P> {
    fn new(members: Vec<usize>, size: f32, extra: P) -> Self {
        Group {
            members,
            size,
            extra,
            links: Links::default(),
        }
    }
}

/// A group's links ([`Group::links`]): `(group, summed cosine)` sorted by
/// group, each group once.
#[derive(Default)]
struct Links(Vec<(u32, f32)>);

impl Links {
    /// Sorts links pushed in edge order and adds up each group's, in that
    /// order (as adding them one by one would).
    fn settle(&mut self) {
        self.0.sort_by_key(|&(g, _)| g);
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(self.0.len());
        for &(g, s) in &self.0 {
            match out.last_mut() {
                Some((last, sum)) if *last == g => *sum += s,
                _ => out.push((g, 0.0 + s)),
            }
        }
        out.shrink_to_fit();
        self.0 = out;
    }

    fn remove(&mut self, g: u32) {
        if let Ok(k) = self.0.binary_search_by_key(&g, |&(x, _)| x) {
            self.0.remove(k);
        }
    }

    /// What `remove(gone)` then `add(keep, s)` do, with one search for
    /// each and, when the link moves, a shift of the links between the two
    /// only: a merge does this to every neighbour of the group merged
    /// away, and shifting whole lists twice was a third of it.
    #[cfg(test)]
    fn replace(&mut self, gone: u32, keep: u32, s: f32) {
        let at = [gone, keep].map(|x| self.0.binary_search_by_key(&x, |&(y, _)| y));
        self.replace_at(keep, s, at);
    }

    /// [`Links::replace`] given where `gone` and `keep` are, as
    /// `binary_search` says ([`search_levels`]).
    fn replace_at(&mut self, keep: u32, s: f32, [gone, keep_at]: [Result<usize, usize>; 2]) {
        let Ok(g) = gone else {
            match keep_at {
                Ok(k) => self.0[k].1 += s,
                Err(k) => self.0.insert(k, (keep, 0.0 + s)),
            }
            return;
        };
        match keep_at {
            Ok(k) => {
                self.0[k].1 += s;
                self.0.remove(g);
            }
            Err(k) if k <= g => {
                self.0[k..=g].rotate_right(1);
                self.0[k] = (keep, 0.0 + s);
            }
            Err(k) => {
                self.0[g..k].rotate_left(1);
                self.0[k - 1] = (keep, 0.0 + s);
            }
        }
    }

    /// Adds `s` to the link with `g`, made if missing.
    fn add(&mut self, g: u32, s: f32) {
        match self.0.binary_search_by_key(&g, |&(x, _)| x) {
            Ok(k) => self.0[k].1 += s,
            Err(k) => self.0.insert(k, (g, 0.0 + s)),
        }
    }

    /// Adds in the links of a group merged into this one (`me`), leaving
    /// out the link to `me` itself.
    fn absorb(&mut self, other: &Links, me: u32) {
        // A few links into many: inserted in place, where a merge of the
        // two lists copies the long one (a big group takes in small ones
        // one after another).
        if other.0.len() * 16 < self.0.len() {
            self.absorb_in_place(other, me);
        } else {
            self.absorb_merged(other, me);
        }
    }

    fn absorb_in_place(&mut self, other: &Links, me: u32) {
        for &(y, t) in &other.0 {
            if y != me {
                self.add(y, t);
            }
        }
    }

    fn absorb_merged(&mut self, other: &Links, me: u32) {
        let (a, b) = (&self.0, &other.0);
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if j < b.len() && b[j].0 == me {
                j += 1;
                continue;
            }
            match (a.get(i), b.get(j)) {
                (Some(&(x, s)), Some(&(y, t))) if x == y => {
                    out.push((x, s + t));
                    i += 1;
                    j += 1;
                }
                (Some(&(x, s)), Some(&(y, _))) if x < y => {
                    out.push((x, s));
                    i += 1;
                }
                (Some(&(x, s)), None) => {
                    out.push((x, s));
                    i += 1;
                }
                (_, Some(&(y, t))) => {
                    out.push((y, 0.0 + t));
                    j += 1;
                }
                (None, None) => unreachable!("loop condition"),
            }
        }
        self.0 = out;
    }
}

/// Where each of `keys` is, or would go, in each of `lists` (sorted, each
/// key at most once), as `binary_search` says, into `out`. The lists are
/// searched a level at a time: one level's probes do not wait on each
/// other, so their cache misses overlap, where searching one list after
/// another waits for every probe in turn. A merge searches the links of
/// each neighbour of the group merged away, mostly 64–511 links long, and
/// those searches were most of agglomeration's time (100k pages).
fn search_levels<const K: usize>(
    lists: &[&[(u32, f32)]],
    keys: [u32; K],
    out: &mut Vec<[Result<usize, usize>; K]>,
) {
    // Per list and key: the last place holding at most the key is in
    // `base..base + size` (or none is, and it ends at 0).
    let mut at: Vec<[(usize, usize); K]> = lists.iter().map(|l| [(0, l.len()); K]).collect();
    loop {
        let mut more = false;
        for (list, at) in lists.iter().zip(&mut at) {
            for ((base, size), &key) in at.iter_mut().zip(&keys) {
                if *size > 1 {
                    let half = *size / 2;
                    if list[*base + half].0 <= key {
                        *base += half;
                    }
                    *size -= half;
                    more |= *size > 1;
                }
            }
        }
        if !more {
            break;
        }
    }
    out.clear();
    out.extend(lists.iter().zip(&at).map(|(list, at)| {
        std::array::from_fn(|k| {
            let base = at[k].0;
            match list.get(base) {
                Some(&(x, _)) if x == keys[k] => Ok(base),
                Some(&(x, _)) if x < keys[k] => Err(base + 1),
                _ => Err(base),
            }
        })
    }));
}

/// Average-link agglomeration: merges the pair of groups with the highest
/// mean pairwise cosine first, while it clears `floor` and what the groups
/// ask of each other. `edges` are `(group, group, summed cosine)`. Returns
/// the surviving groups' members, in the order of their first group (the
/// members in no particular order).
///
/// A merged group takes the smaller of the two numbers (which orders ties
/// in the queue), but lives on in the slot of the one with more links:
/// only the other's neighbours are told of the merge, where keeping the
/// earlier slot made a big group that merged into a small one tell all of
/// its neighbours (a third of linking at 100k pages). Sums add the same
/// two numbers either way round, so the result is the same to the bit.
fn average_link<P: Merge + Default>(
    mut groups: Vec<Group<P>>,
    edges: impl IntoIterator<Item = (usize, usize, f32)>,
    floor: f32,
) -> Vec<Vec<usize>> {
    for (a, b, s) in edges {
        if a != b {
            groups[a].links.0.push((b as u32, s));
            groups[b].links.0.push((a as u32, s));
        }
    }
    for g in &mut groups {
        g.links.settle();
    }
    const GONE: u32 = u32::MAX;
    // Group number → slot, and slot → number (the same at first).
    let mut slot_of: Vec<u32> = (0..groups.len() as u32).collect();
    let mut number: Vec<u32> = slot_of.clone();
    // Sizes and versions by slot, apart from the groups: a merge scores
    // the kept group's pair with each neighbour while reading its links,
    // without copying them out first.
    let mut sizes: Vec<f32> = groups.iter().map(|g| g.size).collect();
    // A slot's version is bumped at every merge into it, so queued pairs
    // of an older state are skipped.
    let mut versions: Vec<u32> = vec![0; groups.len()];
    // Max-heap of (mean cosine, pair of numbers, versions); ties go to the
    // earlier pair. u32s: the heap and the link maps are the peak of
    // linking's memory.
    type Entry = (u32, Reverse<(u32, u32)>, u32, u32);
    let mut heap: QuaternaryHeap<Entry> = QuaternaryHeap::new();
    let push = |heap: &mut QuaternaryHeap<Entry>,
                sizes: &[f32],
                versions: &[u32],
                number: &[u32],
                x: usize,
                y: usize,
                sum: f32| {
        let mean = sum / (sizes[x] * sizes[y]);
        if mean >= floor {
            let (a, b) = if number[x] < number[y] {
                (x, y)
            } else {
                (y, x)
            };
            // Non-negative floats order as their bits do.
            heap.push((
                mean.to_bits(),
                Reverse((number[a], number[b])),
                versions[a],
                versions[b],
            ));
        }
    };
    for (a, g) in groups.iter().enumerate() {
        for &(b, sum) in &g.links.0 {
            let b = b as usize;
            if a < b {
                push(&mut heap, &sizes, &versions, &number, a, b, sum);
            }
        }
    }
    // Versions count merges over all groups, so a slot that takes a new
    // number never matches a queued pair of the old one.
    let mut merges = 0u32;
    let mut found = Vec::new();
    // A queued pair's slots, unless either group is gone or has merged
    // since it was queued.
    let live = |slot_of: &[u32], versions: &[u32], &(_, Reverse((na, nb)), va, vb): &Entry| {
        let (a, b) = (slot_of[na as usize], slot_of[nb as usize]);
        (a != GONE && b != GONE && versions[a as usize] == va && versions[b as usize] == vb)
            .then_some((a as usize, b as usize))
    };
    // Every merge leaves the queued pairs of both groups stale, and each
    // would be popped in turn: at a million pages, 9 pops in 10 of the
    // storylines' queue (18M, on a heap of ~10M whose every level misses
    // the cache). Once the stale pops since the last sweep reach a share
    // of the heap, one pass drops all the stale pairs still queued: the
    // pass costs no more than those pops did, and the pops it saves are
    // most of them (storylines' agglomeration at 1M: 21.5 s → 9.2 s).
    // The pairs left pop in the same order, so the merges are the same.
    let mut stale = 0usize;
    while let Some(top) = heap.pop() {
        let Some((a, b)) = live(&slot_of, &versions, &top) else {
            stale += 1;
            if stale >= (heap.len() / 32).max(SWEEP_MIN) {
                heap.retain(|e| live(&slot_of, &versions, e).is_some());
                stale = 0;
            }
            continue;
        };
        let (mean, Reverse((na, nb)), _, _) = top;
        let (ga, gb) = (&groups[a], &groups[b]);
        if f32::from_bits(mean) < ga.extra.needs(&gb.extra) {
            continue;
        }
        let (keep, gone) = if gb.links.0.len() > ga.links.0.len() {
            (b, a)
        } else {
            (a, b)
        };
        let gone_links = std::mem::take(&mut groups[gone].links);
        let members = std::mem::take(&mut groups[gone].members);
        groups[keep].links.remove(gone as u32);
        // Each other neighbour's link to the group gone goes to the one
        // kept, all of them searched at once.
        let lists: Vec<&[(u32, f32)]> = gone_links
            .0
            .iter()
            .filter(|&&(c, _)| c as usize != keep)
            .map(|&(c, _)| groups[c as usize].links.0.as_slice())
            .collect();
        search_levels(&lists, [gone as u32, keep as u32], &mut found);
        drop(lists);
        let others = gone_links.0.iter().filter(|&&(c, _)| c as usize != keep);
        for (&(c, s), &at) in others.zip(&found) {
            groups[c as usize].links.replace_at(keep as u32, s, at);
        }
        groups[keep].links.absorb(&gone_links, keep as u32);
        let extra = std::mem::take(&mut groups[gone].extra);
        merges += 1;
        let g = &mut groups[keep];
        g.members.extend(members);
        g.extra.absorb(extra);
        sizes[keep] += sizes[gone];
        versions[keep] = merges;
        // The merged group goes by the smaller number.
        slot_of[na as usize] = keep as u32;
        slot_of[nb as usize] = GONE;
        number[keep] = na;
        number[gone] = GONE;
        for &(c, s) in &groups[keep].links.0 {
            push(&mut heap, &sizes, &versions, &number, keep, c as usize, s);
        }
    }
    let mut out: Vec<(u32, Vec<usize>)> = groups
        .into_iter()
        .zip(number)
        .filter(|(g, _)| !g.members.is_empty())
        .map(|(g, n)| (n, g.members))
        .collect();
    out.sort_unstable_by_key(|&(n, _)| n);
    out.into_iter().map(|(_, m)| m).collect()
}

/// Stale pops before [`average_link`] sweeps its queue, at the least
/// (small in tests, so that they sweep).
const SWEEP_MIN: usize = if cfg!(test) { 4 } else { 4096 };

/// Groups of copies (numbered by first arrival), merged by average link.
/// `edges` are consumed as they are added up (tens of millions at a
/// million pages).
fn agglomerate(
    docs: &[ClusterDoc],
    order: &[usize],
    edges: Vec<Vec<(u32, u32, f32)>>,
) -> Vec<Vec<usize>> {
    let mut copies = UnionFind::new(docs.len());
    for &i in order {
        if let Some(o) = docs[i].copy_of {
            copies.union(i, o);
        }
    }
    let mut group_of: Vec<usize> = vec![usize::MAX; docs.len()];
    let mut groups: Vec<Group<EventTime>> = Vec::new();
    let mut root_group: FxHashMap<usize, usize> = FxHashMap::default();
    for &i in order {
        let g = *root_group.entry(copies.find(i)).or_insert_with(|| {
            groups.push(Group::new(Vec::new(), 0.0, EventTime::default()));
            groups.len() - 1
        });
        let grp = &mut groups[g];
        grp.members.push(i);
        grp.size += 1.0;
        grp.extra.anchors.extend(&docs[i].anchors);
        if let Some(day) = docs[i].day {
            grp.extra.span = widen(grp.extra.span, day, day);
        }
        group_of[i] = g;
    }
    let edges = edges
        .into_iter()
        .flatten()
        .map(|(a, b, f)| (group_of[a as usize], group_of[b as usize], f));
    let mut position = vec![0; docs.len()];
    for (k, &i) in order.iter().enumerate() {
        position[i] = k;
    }
    let mut out = average_link(groups, edges, EVENT_THRESHOLD);
    for m in &mut out {
        m.sort_by_key(|&m| position[m]);
    }
    out.sort_by_key(|m| position[m[0]]);
    out
}

/// What a storyline needs of its groups: only [`STORY_THRESHOLD`] (no gap
/// in time bounds a thread; ECB+ topics join happenings years apart).
#[derive(Default)]
struct Thread;

impl Merge for Thread {
    fn needs(&self, _: &Thread) -> f32 {
        STORY_THRESHOLD
    }

    fn absorb(&mut self, _: Thread) {}
}

/// A page's entity keys ([`ClusterDoc::entities`]) from the folded names
/// of its entities, sorted and distinct. Names and words share one key
/// space in [`storylines`]' index: a name's key is the term of a string no
/// word can be.
pub fn entity_keys<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<Term> {
    let mut keys: Vec<Term> = names
        .into_iter()
        .map(|k| text::term(&format!("\u{1}{}", k.as_ref())))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Storylines: events merged by average link over their articles, like
/// events but with a lower bar and no bound in time: a thread takes an
/// event only when it is alike, on average, to all the thread's articles,
/// so chains of pairwise links do not drift into one giant thread.
/// Continuity of who is involved counts through the vectors (names are
/// the heaviest terms) and through candidates: events are found by the
/// salient names they share — those in at least half of an event's
/// articles — as well as by their heaviest terms. (A bonus per shared name
/// on top measured worse: ECB+ B-cubed F1 0.934 → 0.906 at 0.01.)
pub fn storylines(events: &[Vec<usize>], docs: &[ClusterDoc]) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    let salient: Vec<Vec<Term>> = events
        .par_iter()
        .map(|members| {
            let mut counts: FxHashMap<Term, usize> = FxHashMap::default();
            for &m in members {
                for &e in &docs[m].entities {
                    *counts.entry(e).or_default() += 1;
                }
            }
            counts
                .into_iter()
                .filter(|(_, n)| 2 * n >= members.len())
                .map(|(e, _)| e)
                .collect()
        })
        .collect();
    // Summed unit vectors: the dot product of two sums is the sum of the
    // cosines of all article pairs between the events.
    let sums: Vec<std::borrow::Cow<'_, IdVector>> = events
        .par_iter()
        .map(|members| match members.as_slice() {
            // Most events are one page: its own vector is the sum (a copy
            // of each would be ~0.8 GB at a million pages).
            [m] => std::borrow::Cow::Borrowed(&docs[*m].vector),
            _ => {
                std::borrow::Cow::Owned(text::sum_vectors(members.iter().map(|&m| &docs[m].vector)))
            }
        })
        .collect();
    let size: Vec<f32> = events.iter().map(|m| m.len() as f32).collect();
    // Events in time order (undated last); each looks back through inverted
    // indexes on salient names and on its heaviest terms for the events
    // sharing most keys with it. The bound on recent postings keeps the
    // cost per event constant.
    let day: Vec<Option<i64>> = events
        .iter()
        .map(|m| m.iter().filter_map(|&i| docs[i].day).min())
        .collect();
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&e| (day[e].is_none(), day[e], e));
    // Each event looks back over the events before it in that order.
    let keys: Vec<Vec<Term>> = order
        .par_iter()
        .map(|&e| {
            salient[e]
                .iter()
                .copied()
                // Term ranks as keys: numbers below 2³², where a name's
                // key is a 64-bit hash.
                .chain(
                    text::top_terms(&sums[e], STORY_TERMS)
                        .into_iter()
                        .map(Term::from),
                )
                .collect()
        })
        .collect();
    let index = PrefixIndex::new(&keys);
    let vocabulary = vocabulary(docs);
    let edges: Vec<(u32, u32, f32)> = (0..order.len())
        .into_par_iter()
        .map_init(
            || (Tally::default(), text::Scattered::new(vocabulary)),
            |(tally, scattered), k| {
                let e = order[k];
                let cands = index.candidates(tally, k, STORY_CANDIDATES, |_| true, |p| order[p]);
                let spread = scattered.spread(&sums[e]);
                cands
                    .into_iter()
                    .filter_map(|p| {
                        let o = order[p];
                        let sum = spread.cosine(&sums[o]);
                        (sum / (size[e] * size[o]) >= STORY_EDGE_FLOOR)
                            .then_some((e as u32, o as u32, sum))
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten()
        .collect();
    drop(index);
    drop(keys);
    let groups = (0..events.len())
        .map(|e| Group::new(vec![e], size[e], Thread))
        .collect();
    let edges = edges
        .into_iter()
        .map(|(a, b, s)| (a as usize, b as usize, s));
    let mut out = average_link(groups, edges, STORY_THRESHOLD);
    for m in &mut out {
        m.sort_unstable();
    }
    out.sort_by_key(|m| m[0]);
    out
}

/// Mean cosine over article pairs for two groups of events to be one
/// storyline. Calibrated on ECB+ topics (`storyline eval events`: B-cubed
/// F1 0.934 from 0.06 to 0.07, 0.898 at 0.075, 0.884 at 0.08).
const STORY_THRESHOLD: f32 = 0.065;
/// Event pairs less alike than this are left out of the graph.
const STORY_EDGE_FLOOR: f32 = 0.025;
/// Candidate events examined per event (those sharing most keys with it).
const STORY_CANDIDATES: usize = 20;
/// Heaviest terms per event used to find storyline candidates.
const STORY_TERMS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searching_lists_a_level_at_a_time_finds_what_binary_search_finds() {
        let mut next = xorshift(0x5EED_1E7E);
        for round in 0..300 {
            // Lists of 0 to ~600 distinct sorted keys (empty ones too), and
            // keys in them, between them and past both ends.
            let lists: Vec<Vec<(u32, f32)>> = (0..next(12))
                .map(|_| {
                    let mut l: Vec<u32> = (0..next(600)).map(|_| next(2000) as u32 + 1).collect();
                    l.sort_unstable();
                    l.dedup();
                    l.into_iter().map(|x| (x, 0.5)).collect()
                })
                .collect();
            let slices: Vec<&[(u32, f32)]> = lists.iter().map(Vec::as_slice).collect();
            let keys = [
                next(2003) as u32,
                if round % 3 == 0 { 0 } else { next(2003) as u32 },
            ];
            let mut found = Vec::new();
            search_levels(&slices, keys, &mut found);
            assert_eq!(found.len(), lists.len());
            for (list, at) in lists.iter().zip(&found) {
                let want = keys.map(|k| list.binary_search_by_key(&k, |&(x, _)| x));
                assert_eq!(*at, want, "keys {keys:?} in a list of {}", list.len());
            }
        }
    }

    /// A seeded xorshift stream: each call a number below `n`.
    fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        }
    }

    #[test]
    fn prefix_index_finds_what_searching_each_list_finds() {
        // The candidates as first written: each key's list searched for
        // the positions before `k`, its most recent ones counted.
        fn searched(
            keys: &[Vec<Term>],
            k: usize,
            n: usize,
            keep: impl Fn(usize) -> bool,
        ) -> Vec<usize> {
            let mut lists: FxHashMap<Term, Vec<usize>> = FxHashMap::default();
            for (p, ks) in keys.iter().enumerate() {
                for &t in ks {
                    lists.entry(t).or_default().push(p);
                }
            }
            let mut counts: FxHashMap<usize, u32> = FxHashMap::default();
            for t in &keys[k] {
                let list = &lists[t];
                let before = &list[..list.partition_point(|&p| p < k)];
                for &p in before.iter().rev().take(RECENT_POSTINGS) {
                    if keep(p) {
                        *counts.entry(p).or_default() += 1;
                    }
                }
            }
            let mut cands: Vec<(usize, u32)> = counts.into_iter().collect();
            cands.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            cands.into_iter().take(n).map(|(p, _)| p).collect()
        }
        let mut next = xorshift(0x1DE5_0FCA_1100);
        for round in 0..40 {
            // Few keys (long lists, past RECENT_POSTINGS) or many; some
            // positions with none, some with a key twice.
            let vocabulary = if round % 2 == 0 { 3 } else { 50 };
            let keys: Vec<Vec<Term>> = (0..(100 + next(500)))
                .map(|_| (0..next(6)).map(|_| next(vocabulary)).collect())
                .collect();
            let index = PrefixIndex::new(&keys);
            let mut tally = Tally::default();
            for k in 0..keys.len() {
                let n = 1 + next(30) as usize;
                let keep = |p: usize| p % 7 != 3;
                assert_eq!(
                    index.candidates(&mut tally, k, n, keep, |p| p),
                    searched(&keys, k, n, keep),
                    "round {round}, position {k}"
                );
            }
        }
    }

    #[test]
    fn sorted_links_add_up_as_a_hash_map_does() {
        // Random edges and merges over 30 groups, on both representations.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let n = 30;
        let mut links: Vec<Links> = (0..n).map(|_| Links::default()).collect();
        let mut maps: Vec<FxHashMap<u32, f32>> = vec![FxHashMap::default(); n];
        for _ in 0..300 {
            let (a, b) = (next(n as u64) as usize, next(n as u64) as usize);
            let s = next(1000) as f32 / 997.0;
            if a != b {
                links[a].0.push((b as u32, s));
                links[b].0.push((a as u32, s));
                *maps[a].entry(b as u32).or_default() += s;
                *maps[b].entry(a as u32).or_default() += s;
            }
        }
        links.iter_mut().for_each(Links::settle);
        let same = |links: &[Links], maps: &[FxHashMap<u32, f32>]| {
            for (l, m) in links.iter().zip(maps) {
                let mut m: Vec<(u32, f32)> = m.iter().map(|(&g, &s)| (g, s)).collect();
                m.sort_by_key(|x| x.0);
                assert_eq!(l.0, m);
            }
        };
        same(&links, &maps);
        let mut alive: Vec<usize> = (0..n).collect();
        while alive.len() > 1 {
            let keep = alive[next(alive.len() as u64) as usize];
            let gone = alive[next(alive.len() as u64) as usize];
            if keep == gone {
                continue;
            }
            alive.retain(|&g| g != gone);
            // As `average_link` merges.
            let gone_links = std::mem::take(&mut links[gone]);
            links[keep].remove(gone as u32);
            for &(c, s) in &gone_links.0 {
                if c as usize != keep {
                    // `replace` against what it stands for, on every other
                    // merge.
                    if next(2) == 0 {
                        links[c as usize].replace(gone as u32, keep as u32, s);
                    } else {
                        links[c as usize].remove(gone as u32);
                        links[c as usize].add(keep as u32, s);
                    }
                }
            }
            links[keep].absorb(&gone_links, keep as u32);
            let gone_map = std::mem::take(&mut maps[gone]);
            maps[keep].remove(&(gone as u32));
            for (&c, &s) in &gone_map {
                if c as usize != keep {
                    *maps[keep].entry(c).or_default() += s;
                    maps[c as usize].remove(&(gone as u32));
                    *maps[c as usize].entry(keep as u32).or_default() += s;
                }
            }
            same(&links, &maps);
        }
    }

    #[test]
    fn agglomeration_merges_as_recomputing_every_mean_does() {
        // Average link as defined: at each step, of all pairs of groups
        // with a link, the one with the highest mean (ties to the earlier
        // pair of numbers) merges while it clears the floor; a merged group
        // takes the smaller number and the two groups' sums added. Graphs
        // with quantised sums (tied means) and duplicate edges, big enough
        // that the queue is swept (`SWEEP_MIN` is small in tests).
        let mut next = xorshift(0xA11_5EED);
        let floor = STORY_THRESHOLD;
        for round in 0..200 {
            let n = 2 + next(60) as usize;
            let sizes: Vec<f32> = (0..n).map(|_| 1.0 + next(3) as f32).collect();
            let edges: Vec<(usize, usize, f32)> = (0..next(6 * n as u64 + 1))
                .map(|_| {
                    let (a, b) = (next(n as u64) as usize, next(n as u64) as usize);
                    (a, b, (1 + next(16)) as f32 / 16.0)
                })
                .collect();
            let groups = (0..n)
                .map(|g| Group::new(vec![g], sizes[g], Thread))
                .collect();
            let got = average_link(groups, edges.iter().copied(), floor);

            // The same, every mean recomputed at every step.
            let mut sums: FxHashMap<(usize, usize), f32> = FxHashMap::default();
            for &(a, b, s) in &edges {
                if a != b {
                    *sums.entry((a.min(b), a.max(b))).or_default() += s;
                }
            }
            let mut size = sizes.clone();
            let mut number: Vec<usize> = (0..n).collect();
            let mut members: Vec<Vec<usize>> = (0..n).map(|g| vec![g]).collect();
            let mut alive: Vec<usize> = (0..n).collect();
            loop {
                let best = sums
                    .iter()
                    .map(|(&(a, b), &s)| {
                        let mean = s / (size[a] * size[b]);
                        let pair = (number[a].min(number[b]), number[a].max(number[b]));
                        (mean.to_bits(), Reverse(pair), a, b)
                    })
                    .filter(|&(m, ..)| f32::from_bits(m) >= floor)
                    .max();
                let Some((_, _, a, b)) = best else { break };
                // `b` goes into `a`, which takes the smaller number.
                alive.retain(|&g| g != b);
                number[a] = number[a].min(number[b]);
                size[a] += size[b];
                let taken = std::mem::take(&mut members[b]);
                members[a].extend(taken);
                let mut merged: FxHashMap<(usize, usize), f32> = FxHashMap::default();
                for (&(x, y), &s) in &sums {
                    let (x, y) = (if x == b { a } else { x }, if y == b { a } else { y });
                    if x != y {
                        *merged.entry((x.min(y), x.max(y))).or_default() += s;
                    }
                }
                sums = merged;
            }
            let mut want: Vec<(usize, Vec<usize>)> = alive
                .into_iter()
                .map(|g| (number[g], std::mem::take(&mut members[g])))
                .collect();
            want.sort_by_key(|(k, _)| *k);
            let sorted = |groups: Vec<Vec<usize>>| -> Vec<Vec<usize>> {
                groups
                    .into_iter()
                    .map(|mut m| {
                        m.sort_unstable();
                        m
                    })
                    .collect()
            };
            let want = sorted(want.into_iter().map(|(_, m)| m).collect());
            assert_eq!(
                sorted(got),
                want,
                "round {round}: {n} groups, edges {edges:?}"
            );
        }
    }

    #[test]
    fn links_absorbed_in_place_equal_links_merged() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut links = |n: u64| {
            let mut l = Links(
                (0..n)
                    .map(|_| (next(60) as u32, next(1000) as f32 / 991.0))
                    .collect(),
            );
            l.settle();
            l
        };
        for _ in 0..500 {
            let (a, b) = (links(40), links(6));
            let me = 7;
            let (mut x, mut y) = (Links(a.0.clone()), Links(a.0.clone()));
            x.absorb_in_place(&b, me);
            y.absorb_merged(&b, me);
            assert_eq!(x.0, y.0);
        }
    }

    /// A unit vector over `words`, each weighing the same.
    fn vector(words: &[&str]) -> IdVector {
        let w = 1.0 / (words.len() as f32).sqrt();
        let mut v: IdVector = words.iter().map(|t| (text::term(t) as u32, w)).collect();
        v.sort_unstable_by_key(|&(t, _)| t);
        v
    }

    fn doc(words: &[&str], day: Option<i64>, lede: &[&str]) -> ClusterDoc {
        ClusterDoc {
            vector: vector(words),
            entities: Vec::new(),
            day,
            copy_of: None,
            anchors: TimeAnchors::from_values(lede.iter().copied(), None),
        }
    }

    fn day(iso: &str) -> i64 {
        calendar::parse_date(iso)
            .expect("a date")
            .days_since_epoch()
    }

    fn arrival(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    #[test]
    fn same_happening_joins_and_lede_dates_keep_a_look_alike_apart() {
        let storm = ["storm", "halvik", "harbour", "ferries"];
        let report = ["storm", "halvik", "harbour", "breakwater"];
        // Shares one word in four with each report (cosine 0.25): enough to
        // join on words alone, not when the ledes date it elsewhere.
        let other = ["storm", "gale", "roofs", "power"];
        let d = day("2025-03-10");
        let docs = vec![
            doc(&storm, Some(d), &["2025-03-09"]),
            doc(&report, Some(d + 1), &["2025-03-09"]),
            doc(&["council", "tram", "vote", "budget"], Some(d + 1), &[]),
            doc(&other, Some(d + 2), &[]),
        ];
        assert_eq!(events(&docs, &arrival(4)), vec![vec![0, 1, 3], vec![2]]);
        let mut docs = docs;
        docs[3].anchors = TimeAnchors::from_values(["2025-03-02"], None);
        assert_eq!(
            events(&docs, &arrival(4)),
            vec![vec![0, 1], vec![2], vec![3]]
        );
    }

    #[test]
    fn copies_join_and_distant_dates_stay_apart() {
        let words = ["quake", "magnitude", "coast", "tremor"];
        let d = day("2024-01-05");
        let mut copy = doc(&["unrelated", "words"], Some(d), &[]);
        copy.copy_of = Some(0);
        let docs = vec![
            doc(&words, Some(d), &[]),
            copy,
            // The same words half a year later: another happening.
            doc(&words, Some(d + 180), &[]),
        ];
        assert_eq!(events(&docs, &arrival(3)), vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn edges_are_the_same_in_blocks_of_any_size() {
        let d = day("2025-06-01");
        let docs: Vec<ClusterDoc> = (0..12)
            .map(|i| {
                let w = ["a", "b", "c", "d", "e", "f", "g"];
                doc(
                    &[w[i % 7], w[(i + 1) % 7], w[(i * 3) % 7], "z"],
                    Some(d + i as i64 % 3),
                    &[],
                )
            })
            .collect();
        let order = [3, 0, 7, 1, 11, 5, 2, 9, 4, 10, 6, 8];
        let whole: Vec<_> = similarity_edges(&docs, &order, usize::MAX).concat();
        assert!(whole.len() > 12, "the pages must be alike enough to test");
        for block in [1, 2, 5, 12] {
            let blocks = similarity_edges(&docs, &order, block);
            assert_eq!(blocks.len(), 12_usize.div_ceil(block));
            assert_eq!(blocks.concat(), whole, "blocks of {block}");
        }
    }

    #[test]
    fn arrival_order_does_not_change_events() {
        let d = day("2025-06-01");
        let docs = vec![
            doc(&["a", "b", "c", "d"], Some(d), &[]),
            doc(&["a", "b", "c", "e"], None, &[]),
            doc(&["a", "f", "g", "h"], Some(d + 2), &[]),
            doc(&["x", "y", "z", "a"], Some(d + 1), &[]),
            doc(&["x", "y", "z", "w"], None, &[]),
        ];
        let canonical = |mut ev: Vec<Vec<usize>>| {
            for e in &mut ev {
                e.sort_unstable();
            }
            ev.sort();
            ev
        };
        let expected = canonical(events(&docs, &arrival(5)));
        for order in [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 3, 0, 4, 2]] {
            assert_eq!(canonical(events(&docs, &order)), expected, "{order:?}");
        }
    }

    #[test]
    fn time_anchors_compare_days_months_and_quarters() {
        let a = |vs: &[&str]| TimeAnchors::from_values(vs.iter().copied(), Some("2025-05-08"));
        // A year-less quarter against a May date: not the same happening.
        assert!(!a(&["XXXX-Q4"]).compatible(&a(&["2025-05-07"])));
        assert!(a(&["XXXX-Q2"]).compatible(&a(&["2025-05-07"])));
        assert!(a(&["2025-05"]).compatible(&a(&["2025-05-07"])));
        // Days apart within the slack meet; a week apart does not.
        assert!(a(&["2025-05-01"]).compatible(&a(&["2025-05-04"])));
        assert!(!a(&["2025-04-24"]).compatible(&a(&["2025-05-01"])));
        // Weekdays, weeks, years and durations name no anchor; nor a date
        // after publication (a plan, not the happening).
        assert!(a(&["XXXX-WXX-2", "2025-W19", "2025", "P3D", "2025-06-01"]).is_empty());
        // A group takes its members' anchors.
        let mut g = a(&["2025-05-07"]);
        g.extend(&a(&["2025-04-01"]));
        assert!(g.compatible(&a(&["2025-04-02"])));
        assert!(g.compatible(&a(&["2025-05-06"])));
        assert!(!g.compatible(&a(&["2025-04-20"])));
    }

    #[test]
    fn storylines_join_events_that_share_a_thread() {
        let d = day("2025-03-10");
        let docs = vec![
            doc(&["storm", "halvik", "harbour", "ferries"], Some(d), &[]),
            doc(&["council", "tram", "vote", "budget"], Some(d), &[]),
            doc(
                &["halvik", "harbour", "repair", "breakwater"],
                Some(d + 30),
                &[],
            ),
        ];
        let events: Vec<Vec<usize>> = (0..3).map(|k| vec![k]).collect();
        assert_eq!(storylines(&events, &docs), vec![vec![0, 2], vec![1]]);
    }

    #[test]
    fn threads_do_not_drift_along_chains_of_links() {
        // Each event shares one of its four words with the next: every
        // neighbour pair is alike enough to link (cosine 0.25), but the
        // third no longer fits the thread the first two make.
        let words = [
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
        ];
        let docs: Vec<ClusterDoc> = (0..4)
            .map(|k| doc(&words[3 * k..3 * k + 4], None, &[]))
            .collect();
        let events: Vec<Vec<usize>> = (0..4).map(|k| vec![k]).collect();
        assert_eq!(storylines(&events, &docs), vec![vec![0, 1], vec![2, 3]]);
    }
}
