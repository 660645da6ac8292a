//! A near-duplicate index that grows to millions of pages: one-permutation
//! MinHash signatures of word 5-shingles, banded for LSH, kept as sorted runs
//! of `(band key, page)` pairs.
//!
//! Per page the index holds [`BANDS`] band entries of 8 bytes and a signature
//! of [`HASHES`] 8-bit minima (b-bit MinHash) plus the shingle count:
//! 20 × 8 + 60 + 4 = 224 bytes, plus directories and the unmerged tail. A
//! lookup reads one short slice per band, found through a directory on the
//! keys' top bits, so its cost does not grow with the index.
//!
//! One-permutation hashing (Li, Owen & Zhang 2012) hashes each shingle once
//! and keeps the minimum per bin, instead of one hash per shingle per
//! permutation; empty bins of short pages borrow from the next non-empty bin
//! (rotation densification, Shrivastava & Li 2014).

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Signature length: bins of one-permutation hashing.
pub const HASHES: usize = 60;
/// LSH bands and rows per band (bands × rows = [`HASHES`]). With 20 × 3 a
/// pair at Jaccard 0.5 (a copy trimmed to half) becomes a candidate with
/// probability 0.93, at 0.2 with 0.15, at 0.05 with 0.003.
pub const BANDS: usize = 20;

/// Pages a look-up takes of one band key at most, the earliest: a story
/// reprinted with small changes by n sites puts most of its pages under
/// the same keys, and each look-up gathered, sorted and estimated every
/// earlier one (10,000 reprints: half of linking's copies step). A key
/// shared by more pages than this is as good as never one of unrelated
/// pages, and the earliest include the original.
pub const KEY_PAGES: usize = 256;
const ROWS: usize = HASHES / BANDS;
const _: () = assert!(BANDS * ROWS == HASHES);

/// Words per shingle.
const SHINGLE: usize = 5;

/// One-permutation hashing: a shingle hash lands in one bin, which keeps its
/// minimum. Bin from the high bits, value from the rest (independent enough
/// after xxh3 and the multiply in [`shingle_hashes`]).
fn bin(mins: &mut [u64; HASHES], h: u64) {
    let bin = ((h >> 32) * HASHES as u64) >> 32;
    let v = h.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let slot = &mut mins[bin as usize];
    if v < *slot {
        *slot = v;
    }
}

/// The page's one-permutation MinHash signature and its shingle count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Minimum hash per bin (full 64 bits while building).
    pub mins: [u64; HASHES],
    /// Distinct shingles seen (with repeats: an upper bound), for containment.
    pub shingles: u32,
}

/// Hashes of a text's word 5-shingles, lower-cased, without allocating per word.
pub fn shingle_hashes(text: &str, mut each: impl FnMut(u64)) -> u32 {
    // Rolling window of the last SHINGLE word hashes.
    let mut window = [0u64; SHINGLE];
    let mut seen = 0usize;
    let mut count = 0u32;
    // Words lower-cased a character at a time (not as `str::to_lowercase`,
    // which treats a final sigma apart), hashed as they are when already
    // lower-case ASCII.
    let mut lower: Vec<u8> = Vec::new();
    let mut wide = String::new();
    for word in crate::text::words(text) {
        let bytes: &[u8] = if word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            word.as_bytes()
        } else if word.is_ascii() {
            lower.clear();
            lower.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
            &lower
        } else {
            wide.clear();
            wide.extend(word.chars().flat_map(char::to_lowercase));
            wide.as_bytes()
        };
        window[seen % SHINGLE] = xxh3_64_with_seed(bytes, 0x5eed);
        seen += 1;
        if seen >= SHINGLE {
            // Order-sensitive combination of the window, oldest first.
            let mut h = 0u64;
            for k in 0..SHINGLE {
                h = h.rotate_left(13) ^ window[(seen + k) % SHINGLE];
                h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
            each(h);
            count += 1;
        }
    }
    count
}

impl Signature {
    /// The signature of a page's clean body; `None` below five words.
    pub fn of(text: &str) -> Option<Signature> {
        let mut mins = [u64::MAX; HASHES];
        let n = shingle_hashes(text, |h| bin(&mut mins, h));
        Signature::finish(mins, n)
    }

    /// The signature of shingle hashes already computed by
    /// [`shingle_hashes`] (repeats included, as [`Signature::of`] counts them).
    pub fn from_hashes(hashes: &[u64]) -> Option<Signature> {
        let mut mins = [u64::MAX; HASHES];
        for &h in hashes {
            bin(&mut mins, h);
        }
        Signature::finish(mins, u32::try_from(hashes.len()).unwrap_or(u32::MAX))
    }

    fn finish(mut mins: [u64; HASHES], n: u32) -> Option<Signature> {
        if n == 0 {
            return None;
        }
        // Rotation densification: an empty bin takes the next non-empty bin's
        // value, salted by the distance so that two empty bins differ.
        let filled = mins;
        for (i, slot) in mins.iter_mut().enumerate() {
            if *slot == u64::MAX {
                let (dist, v) = (1..HASHES)
                    .map(|d| (d, filled[(i + d) % HASHES]))
                    .find(|(_, v)| *v != u64::MAX)
                    .expect("at least one shingle fills a bin");
                *slot = v.wrapping_add((dist as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            }
        }
        Some(Signature { mins, shingles: n })
    }

    /// The 8-bit signature the index keeps (b-bit MinHash, Li & König 2010).
    pub fn compact(&self) -> [u8; HASHES] {
        let mut out = [0u8; HASHES];
        for (o, m) in out.iter_mut().zip(&self.mins) {
            *o = (m >> 56) as u8;
        }
        out
    }

    fn band_keys(&self) -> [u32; BANDS] {
        let mut keys = [0u32; BANDS];
        for (b, key) in keys.iter_mut().enumerate() {
            let mut h = b as u64;
            for m in &self.mins[b * ROWS..(b + 1) * ROWS] {
                h = (h ^ m).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
            }
            *key = (h >> 32) as u32;
        }
        keys
    }
}

/// Jaccard estimated from two 8-bit signatures (corrected for the 1/256
/// chance that two different minima share their top bits).
pub fn estimate_jaccard(a: &[u8; HASHES], b: &[u8; HASHES]) -> f32 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / HASHES as f32;
    let chance = 1.0 / 256.0;
    ((same - chance) / (1.0 - chance)).max(0.0)
}

/// Containment of the smaller page in the larger from Jaccard and sizes:
/// |A ∩ B| = J (|A| + |B|) / (1 + J).
pub fn estimate_containment(jaccard: f32, a: u32, b: u32) -> f32 {
    let small = a.min(b).max(1) as f32;
    (jaccard * (a as f32 + b as f32) / (1.0 + jaccard) / small).min(1.0)
}

/// One band's `(key, page)` entries: one sorted array with a directory on
/// the keys' top bits (a lookup reads one short slice), and the pages added
/// since the last merge in a hash map. The tail merges into the array when it
/// reaches 1/16 of it, so each entry is moved ~16 times over the index's life
/// and a lookup costs the same at 10k pages as at 1M.
#[derive(Debug, Default)]
pub(crate) struct Band {
    sorted: Vec<(u32, u32)>,
    /// `dir[b]`: index of the first entry whose key's top bits are ≥ `b`.
    dir: Vec<u32>,
    shift: u32,
    /// Tail: key → first page with it; `more` holds further pages of a key.
    tail: std::collections::HashMap<u32, u32>,
    more: Vec<(u32, u32)>,
}

/// The tail merges once it holds this many entries, or 1/16 of the array.
const MIN_TAIL: usize = 1024;

impl Band {
    fn tail_len(&self) -> usize {
        self.tail.len() + self.more.len()
    }

    pub(crate) fn insert(&mut self, key: u32, page: u32) {
        match self.tail.entry(key) {
            std::collections::hash_map::Entry::Occupied(_) => self.more.push((key, page)),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(page);
            }
        }
        if self.tail_len() >= MIN_TAIL.max(self.sorted.len() / 16) {
            self.merge_tail();
        }
    }

    /// A band of all these entries at once (sorted here), nothing in the
    /// tail: for look-ups that only read.
    pub(crate) fn build(mut entries: Vec<(u32, u32)>) -> Band {
        entries.sort_unstable();
        let mut band = Band {
            sorted: entries,
            ..Band::default()
        };
        band.index_sorted();
        band
    }

    fn merge_tail(&mut self) {
        let mut run: Vec<(u32, u32)> = self.tail.drain().chain(self.more.drain(..)).collect();
        run.sort_unstable();
        self.sorted = merge(std::mem::take(&mut self.sorted), run);
        self.index_sorted();
        self.more.shrink_to_fit();
    }

    /// Rebuilds the directory over `sorted`.
    fn index_sorted(&mut self) {
        // About sixteen entries (two cache lines) per directory slot.
        let bits = (self.sorted.len() / 16).max(16).ilog2().min(24);
        self.shift = 32 - bits;
        let slots = 1usize << bits;
        self.dir.clear();
        self.dir.reserve_exact(slots + 1);
        let mut i = 0usize;
        for b in 0..=slots {
            while i < self.sorted.len() && ((self.sorted[i].0 >> self.shift) as usize) < b {
                i += 1;
            }
            self.dir.push(i as u32);
        }
    }

    /// The directory slot of the sorted run that holds `key`'s entries,
    /// among others (empty while nothing is sorted).
    fn slot(&self, key: u32) -> &[(u32, u32)] {
        if self.sorted.is_empty() {
            return &[];
        }
        let b = (key >> self.shift) as usize;
        &self.sorted[self.dir[b] as usize..self.dir[b + 1] as usize]
    }

    /// Calls `each` with the first `limit` pages numbered below `before`
    /// that have `key` (the lowest numbers: a key's pages come in ascending
    /// order, the sorted run's before the tail's, the tail's in the order
    /// inserted).
    pub(crate) fn lookup_first(
        &self,
        key: u32,
        before: u32,
        limit: usize,
        mut each: impl FnMut(u32),
    ) {
        let mut left = limit;
        let mut take = |p: u32| {
            if p >= before || left == 0 {
                return false;
            }
            left -= 1;
            each(p);
            true
        };
        let slice = self.slot(key);
        let at = slice.partition_point(|&(k, _)| k < key);
        for &(k, p) in &slice[at..] {
            if k != key || !take(p) {
                break;
            }
        }
        if let Some(&p) = self.tail.get(&key) {
            if !take(p) {
                return;
            }
            for &(k, p) in &self.more {
                if k == key && !take(p) {
                    return;
                }
            }
        }
    }

    /// Whether `page` has `key`.
    pub(crate) fn holds(&self, key: u32, page: u32) -> bool {
        if self.slot(key).binary_search(&(key, page)).is_ok() {
            return true;
        }
        match self.tail.get(&key) {
            Some(&p) => p == page || self.more.contains(&(key, page)),
            None => false,
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        // hashbrown: key, value and one control byte per bucket.
        self.sorted.capacity() * 8
            + self.dir.capacity() * 4
            + self.tail.capacity() * 9
            + self.more.capacity() * 8
    }
}

fn merge(a: Vec<(u32, u32)>, b: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// A candidate found by [`NearDupIndex::query`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The indexed page (its insertion number).
    pub page: u32,
    /// Estimated Jaccard of the two shingle sets.
    pub jaccard: f32,
    /// Estimated share of the smaller page's shingles found in the other.
    pub containment: f32,
}

/// The index: pages are numbered in insertion order.
#[derive(Debug, Default)]
pub struct NearDupIndex {
    bands: Vec<Band>,
    sigs: Vec<[u8; HASHES]>,
    sizes: Vec<u32>,
}

impl NearDupIndex {
    /// An empty index.
    pub fn new() -> Self {
        NearDupIndex {
            bands: (0..BANDS).map(|_| Band::default()).collect(),
            sigs: Vec::new(),
            sizes: Vec::new(),
        }
    }

    /// Pages indexed.
    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// Adds a page; returns its number.
    pub fn insert(&mut self, sig: &Signature) -> u32 {
        let page = u32::try_from(self.sigs.len()).expect("fewer than 4 billion pages");
        for (band, key) in self.bands.iter_mut().zip(sig.band_keys()) {
            band.insert(key, page);
        }
        self.sigs.push(sig.compact());
        self.sizes.push(sig.shingles);
        page
    }

    /// Indexed pages sharing a band with `sig` whose estimated containment
    /// reaches `min_containment`, best first.
    pub fn query(&self, sig: &Signature, min_containment: f32) -> Vec<Match> {
        self.query_before(sig, min_containment, u32::MAX)
    }

    /// An index of these pages (numbered in order) built at once, for
    /// [`NearDupIndex::query_before`]: look-ups that each see only the
    /// pages before a given one propose what inserting page by page and
    /// looking each up first did, and can run on all cores.
    pub fn build<'a>(sigs: impl IntoIterator<Item = &'a Signature>) -> Self {
        let mut entries: Vec<Vec<(u32, u32)>> = vec![Vec::new(); BANDS];
        let mut index = NearDupIndex::new();
        for (page, sig) in sigs.into_iter().enumerate() {
            let page = u32::try_from(page).expect("fewer than 4 billion pages");
            for (band, key) in entries.iter_mut().zip(sig.band_keys()) {
                band.push((key, page));
            }
            index.sigs.push(sig.compact());
            index.sizes.push(sig.shingles);
        }
        index.bands = entries.into_iter().map(Band::build).collect();
        index
    }

    /// [`NearDupIndex::query`] among the pages numbered below `before`:
    /// of the pages sharing a band with `sig`, the first [`KEY_PAGES`] of
    /// each band key.
    pub fn query_before(&self, sig: &Signature, min_containment: f32, before: u32) -> Vec<Match> {
        let compact = sig.compact();
        let mut seen: Vec<u32> = Vec::new();
        for (band, key) in self.bands.iter().zip(sig.band_keys()) {
            band.lookup_first(key, before, KEY_PAGES, |p| seen.push(p));
        }
        seen.sort_unstable();
        seen.dedup();
        let mut out: Vec<Match> = seen
            .into_iter()
            .filter_map(|page| {
                let jaccard = estimate_jaccard(&compact, &self.sigs[page as usize]);
                let containment =
                    estimate_containment(jaccard, sig.shingles, self.sizes[page as usize]);
                (containment >= min_containment).then_some(Match {
                    page,
                    jaccard,
                    containment,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.containment
                .total_cmp(&a.containment)
                .then(a.page.cmp(&b.page))
        });
        out
    }

    /// Bytes of heap the index holds (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        self.bands.iter().map(Band::heap_bytes).sum::<usize>()
            + self.sigs.capacity() * HASHES
            + self.sizes.capacity() * 4
    }

    /// The stored form of a signature: 8-bit minima then the shingle count,
    /// little-endian (64 bytes).
    pub fn encode(sig: &Signature) -> Vec<u8> {
        let mut out = Vec::with_capacity(HASHES + 4);
        out.extend_from_slice(&sig.compact());
        out.extend_from_slice(&sig.shingles.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_look_up_takes_the_first_pages_of_a_key_across_run_and_tail() {
        // Inserted one at a time, a key's pages end up partly merged into
        // the sorted run and partly in the tail.
        let mut band = Band::default();
        for page in 0..5000u32 {
            band.insert(page % 3, page);
        }
        assert!(!band.sorted.is_empty() && band.tail_len() > 0);
        let all = |key: u32, before: u32| {
            let mut out = Vec::new();
            band.lookup_first(key, before, usize::MAX, |p| out.push(p));
            out
        };
        for (key, before, limit) in [
            (1, 5000, 10),
            (1, 4999, 2000),
            (2, 100, 5),
            (0, 3, 9),
            (7, 5000, 4),
        ] {
            let mut first = Vec::new();
            band.lookup_first(key, before, limit, |p| first.push(p));
            let every = all(key, before);
            assert!(every.windows(2).all(|w| w[0] < w[1]), "ascending");
            assert_eq!(
                first,
                every[..every.len().min(limit)],
                "{key} {before} {limit}"
            );
        }
    }

    #[test]
    fn many_reprints_are_looked_up_among_the_earliest() {
        let text = "The harbour authority said on Tuesday that the northern pier \
                    would reopen next week after repairs to its storm damage.";
        let sig = Signature::of(text).unwrap();
        let n = KEY_PAGES + 40;
        let index = NearDupIndex::build(std::iter::repeat_n(&sig, n));
        let found: Vec<u32> = index
            .query_before(&sig, 0.0, n as u32)
            .into_iter()
            .map(|m| m.page)
            .collect();
        // Equal signatures share every band: the first pages of each.
        let mut pages = found.clone();
        pages.sort_unstable();
        assert_eq!(pages, (0..KEY_PAGES as u32).collect::<Vec<_>>());
    }

    /// The shingle hashes as first written: a character at a time.
    fn shingle_hashes_by_char(text: &str) -> Vec<u64> {
        let mut window = [0u64; SHINGLE];
        let (mut seen, mut out) = (0usize, Vec::new());
        let mut word = String::new();
        let mut flush = |word: &mut String, out: &mut Vec<u64>| {
            if word.is_empty() {
                return;
            }
            window[seen % SHINGLE] = xxh3_64_with_seed(word.as_bytes(), 0x5eed);
            seen += 1;
            word.clear();
            if seen >= SHINGLE {
                let mut h = 0u64;
                for k in 0..SHINGLE {
                    h = h.rotate_left(13) ^ window[(seen + k) % SHINGLE];
                    h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                }
                out.push(h);
            }
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                flush(&mut word, &mut out);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    #[test]
    fn shingle_hashes_equal_those_made_a_character_at_a_time() {
        let pieces = [
            "Kim",
            "jong",
            "UN",
            " ",
            "2024",
            ". ",
            "ΣΟΦΊΑΣ",
            "é",
            "İ",
            "日本",
            "x",
            ",",
            "\n",
            "Straße",
        ];
        let mut next = crate::text::tests::lcg(1);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..next() % 16 * 4 {
                text.push_str(pieces[next() as usize % pieces.len()]);
                text.push(' ');
            }
            let mut got = Vec::new();
            let n = shingle_hashes(&text, |h| got.push(h));
            assert_eq!(got, shingle_hashes_by_char(&text), "{text:?}");
            assert_eq!(n as usize, got.len());
        }
    }

    fn text(seed: u64, words: usize) -> String {
        // Deterministic pseudo-words: distinct texts share almost no shingles.
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..words)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("w{}", x % 5000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn shingles_ignore_case_and_punctuation() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        shingle_hashes("The cranes are back in the harbour.", |h| a.push(h));
        shingle_hashes("the CRANES, are back in the  harbour", |h| b.push(h));
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
        assert!(Signature::of("too short").is_none());
    }

    #[test]
    fn copies_and_trimmed_copies_are_found_and_strangers_are_not() {
        let mut index = NearDupIndex::new();
        let originals: Vec<String> = (0..2000).map(|i| text(i, 300)).collect();
        for t in &originals {
            index.insert(&Signature::of(t).unwrap());
        }
        // An exact copy, a copy trimmed to its first half, a stranger.
        let copy = Signature::of(&originals[7]).unwrap();
        let m = index.query(&copy, 0.5);
        assert_eq!(m[0].page, 7);
        assert!(m[0].jaccard > 0.95, "{m:?}");
        let half: String = originals[42]
            .split(' ')
            .take(150)
            .collect::<Vec<_>>()
            .join(" ");
        let m = index.query(&Signature::of(&half).unwrap(), 0.5);
        assert_eq!(m.first().map(|m| m.page), Some(42), "{m:?}");
        assert!(m[0].containment > 0.8, "{m:?}");
        let stranger = Signature::of(&text(99_999, 300)).unwrap();
        let mut hashes = Vec::new();
        shingle_hashes(&originals[7], |h| hashes.push(h));
        assert_eq!(Signature::from_hashes(&hashes), Some(copy.clone()));
        assert!(index.query(&stranger, 0.5).is_empty());
        // Entries sit both in the sorted array and in the tail by now.
        assert!(!index.bands[0].sorted.is_empty() && index.bands[0].tail_len() > 0);
        assert!(index.heap_bytes() / index.len() <= 400);
    }

    #[test]
    fn encoded_signature_is_compact() {
        let sig = Signature::of(&text(1, 100)).unwrap();
        assert_eq!(NearDupIndex::encode(&sig).len(), HASHES + 4);
    }

    #[test]
    fn containment_from_jaccard() {
        // A half-size subset: |A∩B| = 50, |A∪B| = 100, J = 0.5.
        assert!((estimate_containment(0.5, 100, 50) - 1.0).abs() < 1e-6);
        assert!((estimate_containment(1.0, 80, 80) - 1.0).abs() < 1e-6);
    }
}
