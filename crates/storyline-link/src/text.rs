//! Text features shared by the linkers: content words, shingles, TF-IDF.

use xxhash_rust::xxh3::xxh3_64;

/// English function words (the design allows one list per language).
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "said",
    "same",
    "says",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "according",
    "told",
    "say",
    "since",
    "per",
    "may",
    "might",
    "must",
    "shall",
    "upon",
    "yet",
    "however",
    "including",
    "among",
    "amid",
    "within",
    "without",
    "would",
    "year",
    "years",
    "new",
    "last",
    "next",
    "one",
    "two",
];

fn is_stopword(w: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| STOPWORDS.iter().copied().collect())
        .contains(w)
}

/// Lower-cased content words of `text` (stopwords and one-letter words out).
pub fn content_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_content_word(text, |w| out.push(w.to_string()));
    out
}

/// The words of `text`: its runs of letters and digits, as
/// `text.split(|c: char| !c.is_alphanumeric())` without the empty pieces,
/// but reading ASCII a byte at a time (every page's text is split into
/// words several times when linking; `split` decodes every character).
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`].
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

/// Whether an ASCII byte is a letter or digit, by table.
static ASCII_ALPHANUMERIC: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// Whether the character at byte `i` of `text` is a letter or digit, and
/// its length in bytes (`None` past the end): ASCII by table, inlined into
/// the loops (a call per byte was 9% of linking's instructions), other
/// characters decoded apart.
#[inline(always)]
fn alphanumeric_at(text: &str, i: usize) -> Option<(bool, usize)> {
    let &b = text.as_bytes().get(i)?;
    Some(if b < 0x80 {
        (ASCII_ALPHANUMERIC[b as usize], 1)
    } else {
        wide_alphanumeric_at(text, i)
    })
}

/// [`alphanumeric_at`] of a character that is not ASCII.
#[cold]
#[inline(never)]
fn wide_alphanumeric_at(text: &str, i: usize) -> (bool, usize) {
    let c = text[i..].chars().next().expect("i is a char boundary");
    (c.is_alphanumeric(), c.len_utf8())
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let text = self.text;
        let mut i = self.at;
        // Up to the next letter or digit, then past it and its run.
        let start = loop {
            let Some((word, len)) = alphanumeric_at(text, i) else {
                self.at = i;
                return None;
            };
            if word {
                break i;
            }
            i += len;
        };
        while let Some((true, len)) = alphanumeric_at(text, i) {
            i += len;
        }
        self.at = i;
        Some(&text[start..i])
    }
}

/// [`content_words`] handed to `f` one at a time, in order: every page's
/// words pass here when linking, and most need no lower-case copy.
pub fn for_each_content_word(text: &str, mut f: impl FnMut(&str)) {
    for w in words(text) {
        let w = storyline_model::words::lowercase(w);
        if w.chars().count() > 1 && !is_stopword(&w) {
            f(&w);
        }
    }
}

/// Sorted, distinct hashes of overlapping 5-word shingles of all words
/// (stopwords included: copies keep them, so they make shingles more
/// specific), as [`crate::neardup::shingle_hashes`] computes them.
pub fn shingles(text: &str) -> Vec<u64> {
    let mut hashes = Vec::new();
    crate::neardup::shingle_hashes(text, |h| hashes.push(h));
    shingle_set(text, hashes)
}

/// The sorted, distinct set of `hashes` (the output of
/// [`crate::neardup::shingle_hashes`] on `text`); a text of fewer than five
/// words has no shingle and gives its words' hashes instead.
pub fn shingle_set(text: &str, mut hashes: Vec<u64>) -> Vec<u64> {
    if hashes.is_empty() {
        hashes = words(text)
            .map(|w| xxh3_64(w.to_lowercase().as_bytes()))
            .collect();
    }
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// How many terms of a set fall in each of 32 buckets (by the top bits of
/// the term), 4 bits a bucket, 15 meaning 15 or more: a 16-byte sketch of
/// a word set that bounds how many terms two sets can share without
/// reading either ([`Sketch::shared_at_most`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sketch(u128);

impl Sketch {
    /// The sketch of a set of distinct terms.
    pub fn new(terms: &[Term]) -> Sketch {
        let mut counts = [0u8; 32];
        for &t in terms {
            let b = (t >> 59) as usize;
            counts[b] = (counts[b] + 1).min(15);
        }
        Sketch(
            counts
                .iter()
                .enumerate()
                .fold(0, |acc, (b, &n)| acc | (u128::from(n) << (4 * b))),
        )
    }

    /// At least as many as the terms the two sets share: a shared term is
    /// in the same bucket of both, so a bucket shares at most the smaller
    /// of its two counts (exact when one is below 15; two full buckets
    /// bound nothing).
    pub fn shared_at_most(self, other: Sketch) -> usize {
        // All 32 buckets at once (SWAR): this runs on every candidate pair
        // of quote grouping, and the bucket-by-bucket loop was most of it.
        const LOW_BITS: u128 = 0x1111_1111_1111_1111_1111_1111_1111_1111;
        const NIBBLES: u128 = 0x0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f;
        const HIGH: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;
        let (x, y) = (self.0, other.0);
        // A bucket full in both: all four bits of both set.
        let both = x & y;
        if both & (both >> 1) & (both >> 2) & (both >> 3) & LOW_BITS != 0 {
            return usize::MAX;
        }
        // Even and odd buckets in bytes of their own, each at most 15, so
        // a byte-wise subtraction never borrows from its neighbour.
        let min = |x: u128, y: u128| {
            // High bit of a byte set where x ≥ y, spread to its whole byte.
            let ge = ((x | HIGH) - y) & HIGH;
            let mask = (ge >> 7) * 0xff;
            (y & mask) | (x & !mask)
        };
        let sums = min(x & NIBBLES, y & NIBBLES) + min((x >> 4) & NIBBLES, (y >> 4) & NIBBLES);
        // Bytes of at most 30, eight a word: their sum fits the top byte.
        let add = |v: u64| (v.wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
        add(sums as u64) + add((sums >> 64) as u64)
    }
}

/// Whether two sorted, distinct lists share at least `need` items: the
/// merge stops as soon as what is left cannot make up the difference (most
/// pairs compared are far from alike).
pub fn shares_at_least(a: &[u64], b: &[u64], need: usize) -> bool {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n + (a.len() - i).min(b.len() - j) < need {
            return false;
        }
        // Branch-free, as in `cosine`.
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n >= need
}

/// Size of the intersection of two sorted, deduplicated hash lists.
pub fn intersect_sorted(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// A word as a number: its xxh3 hash, the lowest bit set when the word
/// starts with a digit. Linking compares and counts words by the million;
/// numbers make that a machine compare instead of a string compare, and
/// need no vocabulary shared between pages (64 bits: collisions are
/// negligible at any corpus size we handle).
pub type Term = u64;

/// The [`Term`] of a (lower-cased) word.
pub fn term(word: &str) -> Term {
    term_of_bytes(word.as_bytes())
}

/// [`term`] of a word given as its UTF-8 bytes.
pub fn term_of_bytes(word: &[u8]) -> Term {
    let number = word.first().is_some_and(u8::is_ascii_digit);
    (xxh3_64(word) & !1) | Term::from(number)
}

/// Whether a [`Term`] stands for a number ("1998", "2.5").
pub fn is_number(t: Term) -> bool {
    t & 1 == 1
}

/// A sparse, L2-normalised TF-IDF vector: `(term, weight)` sorted by term,
/// so a dot product is one merge pass.
pub type Vector = Vec<(Term, f32)>;

/// TF-IDF vectors of word lists, IDF over these documents.
pub fn tfidf(docs: &[Vec<String>]) -> Vec<Vector> {
    let terms: Vec<Vec<Term>> = docs
        .iter()
        .map(|d| d.iter().map(|w| term(w)).collect())
        .collect();
    tfidf_terms(&terms)
}

/// [`tfidf`] of documents given as [`Term`]s.
pub fn tfidf_terms(docs: &[Vec<Term>]) -> Vec<Vector> {
    use rayon::prelude::*;
    let mut v: Vec<Vector> = docs
        .par_iter()
        .map(|d| term_counts(d.iter().copied()))
        .collect();
    weigh_counts(&mut v);
    v
}

/// How often each term occurs, sorted by term: a [`Vector`] of counts for
/// [`weigh_counts`].
pub fn term_counts(terms: impl IntoIterator<Item = Term>) -> Vector {
    let mut sorted: Vec<Term> = terms.into_iter().collect();
    sorted.sort_unstable();
    let mut v: Vector = Vec::new();
    for t in sorted {
        match v.last_mut() {
            Some((last, f)) if *last == t => *f += 1.0,
            _ => v.push((t, 1.0)),
        }
    }
    v
}

/// Turns [`term_counts`] of a batch of documents into unit TF-IDF vectors
/// (sublinear term frequency, smoothed IDF over the batch), in place.
pub fn weigh_counts(docs: &mut [Vector]) {
    use rayon::prelude::*;
    let mut idf = crate::similarity::Idf::default();
    for d in docs.iter() {
        idf.count_distinct(d.iter().map(|&(t, _)| t));
    }
    docs.par_iter_mut().for_each(|v| {
        for (t, f) in v.iter_mut() {
            *f = (1.0 + f.ln()) * idf.weight(*t);
        }
        normalise(v);
    });
}

/// [`term_counts`] of a batch of pages taken in as they are read, ending
/// as the unit TF-IDF [`IdVector`]s that [`weigh_counts`] then [`to_ids`]
/// give, to the bit. Terms are numbered on arrival, so a page's counts
/// weigh 8 bytes an entry while the batch is read (16 as [`Vector`]s:
/// ~1.5 GB more at a million pages), and renumbered by rank at the end.
/// Pages are numbered in two steps so that most of the work runs on all
/// cores: [`VectorCounter::number`] (shared, terms already known) then
/// [`VectorCounter::add`] (in page order, new terms only).
#[derive(Default)]
pub struct VectorCounter {
    id: rustc_hash::FxHashMap<Term, u32>,
    terms: Vec<Term>,
    vectors: Vec<IdVector>,
}

/// A page's counts numbered by [`VectorCounter::number`]: terms not yet
/// known hold [`Numbered::NEW`] and are listed in `new`.
pub struct Numbered {
    v: IdVector,
    new: Vec<(u32, Term)>,
}

impl Numbered {
    const NEW: u32 = u32::MAX;
}

impl VectorCounter {
    /// Numbers the terms of a page's [`term_counts`] that are known.
    pub fn number(&self, counts: &[(Term, f32)]) -> Numbered {
        let mut new = Vec::new();
        let v = counts
            .iter()
            .enumerate()
            .map(|(k, &(t, f))| match self.id.get(&t) {
                Some(&id) => (id, f),
                None => {
                    new.push((k as u32, t));
                    (Numbered::NEW, f)
                }
            })
            .collect();
        Numbered { v, new }
    }

    /// Takes in the next page, numbering its new terms.
    pub fn add(&mut self, page: Numbered) {
        let Numbered { mut v, new } = page;
        for (k, t) in new {
            let id = *self.id.entry(t).or_insert_with(|| {
                self.terms.push(t);
                self.terms.len() as u32 - 1
            });
            v[k as usize].0 = id;
        }
        self.vectors.push(v);
    }

    /// The pages' unit TF-IDF vectors, terms numbered by rank.
    pub fn finish(self) -> Vec<IdVector> {
        use rayon::prelude::*;
        let VectorCounter { id, terms, vectors } = self;
        drop(id);
        assert!(terms.len() <= u32::MAX as usize, "too many distinct terms");
        // Pages holding each term, counted on all cores.
        let df: Vec<u32> = vectors
            .par_iter()
            .with_min_len(vectors.len() / 8 + 1)
            .fold(
                || vec![0u32; terms.len()],
                |mut df, v| {
                    for &(t, _) in v {
                        df[t as usize] += 1;
                    }
                    df
                },
            )
            .reduce(
                || vec![0u32; terms.len()],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            );
        let mut by_term: Vec<u32> = (0..terms.len() as u32).collect();
        by_term.par_sort_unstable_by_key(|&i| terms[i as usize]);
        let mut rank = vec![0u32; terms.len()];
        for (r, &i) in by_term.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        drop(by_term);
        let n = vectors.len();
        let weight: Vec<f32> = df
            .iter()
            .map(|&d| crate::similarity::idf_weight(n, d))
            .collect();
        vectors
            .into_par_iter()
            .map(|v| {
                let mut v: IdVector = v
                    .into_iter()
                    .map(|(t, f)| (rank[t as usize], (1.0 + f.ln()) * weight[t as usize]))
                    .collect();
                v.sort_unstable_by_key(|&(t, _)| t);
                normalise(&mut v);
                v
            })
            .collect()
    }
}

/// Scales a vector ([`Vector`] or [`IdVector`]) to unit length.
pub fn normalise<K>(v: &mut [(K, f32)]) {
    let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, x) in v.iter_mut() {
            *x /= norm;
        }
    }
}

/// Dot product (cosine for unit vectors), of [`Vector`]s or [`IdVector`]s.
pub fn cosine<K: Ord + Copy>(a: &[(K, f32)], b: &[(K, f32)]) -> f32 {
    // Branch-free merge: which side steps is data, not a jump the CPU
    // must guess (terms interleave at random, so half the guesses missed).
    // Non-matches add 0.0, which leaves a non-negative sum as it was, so
    // the result is the same to the bit as adding matches only.
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        let ((x, u), (y, v)) = (a[i], b[j]);
        sum += if x == y { u * v } else { 0.0 };
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    sum
}

/// A dense array of weights by term id, to compare one [`IdVector`] with
/// many: [`Spread::cosine`] looks each of the other's terms up, where a
/// merge of two sorted lists steps through both, one comparison waiting on
/// the last (~2× slower, measured on linking's similarity graph).
pub struct Scattered(Vec<f32>);

impl Scattered {
    /// Room for term ids below `vocabulary`.
    pub fn new(vocabulary: usize) -> Self {
        Scattered(vec![0.0; vocabulary])
    }

    /// Spreads `v` out until the returned guard goes.
    pub fn spread<'a>(&'a mut self, v: &'a [(u32, f32)]) -> Spread<'a> {
        for &(t, x) in v {
            self.0[t as usize] = x;
        }
        Spread { dense: self, v }
    }
}

/// A vector spread out in a [`Scattered`]; cleared on drop.
pub struct Spread<'a> {
    dense: &'a mut Scattered,
    v: &'a [(u32, f32)],
}

impl Spread<'_> {
    /// [`cosine`] of the spread vector and `other`, equal to the bit: the
    /// products are the same and are added in the same (term) order, a
    /// term the spread vector lacks adding 0.0 as the merge does.
    pub fn cosine(&self, other: &[(u32, f32)]) -> f32 {
        let dense = &self.dense.0;
        let mut sum = 0.0f32;
        for &(t, v) in other {
            sum += dense.get(t as usize).copied().unwrap_or(0.0) * v;
        }
        sum
    }
}

impl Drop for Spread<'_> {
    fn drop(&mut self) {
        for &(t, _) in self.v {
            self.dense.0[t as usize] = 0.0;
        }
    }
}

/// The sum of some vectors (not normalised), sorted by term.
pub fn sum_vectors<'a, K: Copy + Ord + std::hash::Hash + 'a>(
    vs: impl IntoIterator<Item = &'a Vec<(K, f32)>>,
) -> Vec<(K, f32)> {
    let mut acc: rustc_hash::FxHashMap<K, f32> = Default::default();
    for v in vs {
        for &(t, x) in v {
            *acc.entry(t).or_default() += x;
        }
    }
    let mut out: Vec<(K, f32)> = acc.into_iter().collect();
    out.sort_unstable_by_key(|&(t, _)| t);
    out
}

/// The `k` heaviest terms of a vector, heaviest first (ties by term).
pub fn top_terms<K: Copy + Ord>(v: &[(K, f32)], k: usize) -> Vec<K> {
    let mut terms: Vec<(K, f32)> = v.to_vec();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    terms.into_iter().take(k).map(|(t, _)| t).collect()
}

/// A [`Vector`] whose terms are numbered by their rank among all the
/// batch's terms ([`to_ids`]): 8 bytes an entry instead of 16, and the
/// same order, so dot products add up in the same order to the same
/// value.
pub type IdVector = Vec<(u32, f32)>;

/// Numbers the terms of `vectors` by rank (at most 2³² distinct terms).
/// Each vector is let go as soon as it is numbered.
pub fn to_ids(vectors: Vec<Vector>) -> Vec<IdVector> {
    use rayon::prelude::*;
    let distinct: rustc_hash::FxHashSet<Term> = vectors.iter().flatten().map(|&(t, _)| t).collect();
    let mut vocab: Vec<Term> = distinct.into_iter().collect();
    vocab.par_sort_unstable();
    assert!(vocab.len() <= u32::MAX as usize, "too many distinct terms");
    let id: rustc_hash::FxHashMap<Term, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i as u32))
        .collect();
    drop(vocab);
    vectors
        .into_par_iter()
        .map(|v| v.into_iter().map(|(t, x)| (id[&t], x)).collect())
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A seeded stream of pseudo-random numbers (31 bits each), for the
    /// crate's tests that compare a fast path with the code it replaced.
    pub(crate) fn lcg(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        }
    }

    /// What [`Sketch::shared_at_most`] computes, a bucket at a time.
    fn shared_at_most_by_bucket(a: Sketch, b: Sketch) -> usize {
        let mut n = 0usize;
        for k in 0..32 {
            let x = ((a.0 >> (4 * k)) & 15) as usize;
            let y = ((b.0 >> (4 * k)) & 15) as usize;
            if x == 15 && y == 15 {
                return usize::MAX;
            }
            n += x.min(y);
        }
        n
    }

    #[test]
    fn sketch_bounds_equal_the_bucket_by_bucket_sum() {
        let mut next = lcg(5);
        for round in 0..20_000 {
            // Random nibbles, skewed towards 0 and 15 (the edge cases).
            let mut sketch = || {
                let mut v = 0u128;
                for k in 0..32 {
                    let n = match next() % 4 {
                        0 => 0,
                        1 => 15,
                        _ => next() % 16,
                    };
                    v |= u128::from(n as u8) << (4 * k);
                }
                Sketch(v)
            };
            let (a, b) = (sketch(), sketch());
            // Half the rounds without a bucket full in both.
            let b = if round % 2 == 0 {
                Sketch(b.0 & !(a.0 & b.0 & 0x8888_8888_8888_8888_8888_8888_8888_8888))
            } else {
                b
            };
            assert_eq!(
                a.shared_at_most(b),
                shared_at_most_by_bucket(a, b),
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn sketches_never_bound_below_the_shared_terms() {
        let mut next = lcg(11);
        for _ in 0..3000 {
            // Few distinct top bits, so that buckets fill past 15 too.
            let mut set = |n: u64| {
                let mut v: Vec<Term> = (0..next() % n)
                    .map(|_| ((next() % 6) << 59) | (next() % 50))
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (a, b) = (set(60), set(60));
            let shared = intersect_sorted(&a, &b);
            let bound = Sketch::new(&a).shared_at_most(Sketch::new(&b));
            assert!(bound >= shared, "{bound} < {shared}: {a:?} {b:?}");
            // Exact when no bucket can be full: a set shares all of itself.
            if a.len() < 15 {
                assert_eq!(Sketch::new(&a).shared_at_most(Sketch::new(&a)), a.len());
            }
        }
        // Disjoint buckets share nothing.
        let (a, b) = ([1u64 << 59], [2u64 << 59]);
        assert_eq!(Sketch::new(&a).shared_at_most(Sketch::new(&b)), 0);
    }

    #[test]
    fn words_are_the_nonempty_pieces_of_split() {
        let pieces = [
            "Kim",
            "jong-un",
            " ",
            "2024",
            ".",
            "Σοφία",
            "é",
            "\u{301}",
            "日本",
            "x",
            ",",
            "\n",
            "٣",
            "\u{a0}",
        ];
        let mut next = lcg(9);
        for _ in 0..3000 {
            let text: String = (0..next() % 20)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let split: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(words(&text).collect::<Vec<_>>(), split, "{text:?}");
        }
    }

    #[test]
    fn shares_at_least_agrees_with_counting_the_intersection() {
        let mut next = lcg(7);
        let set = |next: &mut dyn FnMut() -> u64| {
            let n = next() % 25;
            let mut v: Vec<u64> = (0..n).map(|_| next() % 40).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for _ in 0..2000 {
            let (a, b) = (set(&mut next), set(&mut next));
            let shared = intersect_sorted(&a, &b);
            for need in 0..12 {
                assert_eq!(
                    shares_at_least(&a, &b, need),
                    shared >= need,
                    "{a:?} {b:?} {need}"
                );
            }
        }
    }

    #[test]
    fn counting_vectors_as_read_equals_weighing_then_numbering() {
        let docs: Vec<Vec<String>> = [
            "harbour storm breakwater repair nordvik storm storm",
            "storm breakwater nordvik harbour closed",
            "council tram budget vote storm council",
            "",
            "tram tram tram depot",
        ]
        .iter()
        .map(|s| content_words(s))
        .collect();
        let counts: Vec<Vector> = docs
            .iter()
            .map(|d| term_counts(d.iter().map(|w| term(w))))
            .collect();
        let mut counter = VectorCounter::default();
        for (k, c) in counts.iter().enumerate() {
            // Numbered against what was known a few pages back, as pages
            // are numbered a batch at a time.
            let numbered = counter.number(c);
            counter.add(numbered);
            if k == 1 {
                let again = counter.number(&counts[0]);
                assert!(again.new.is_empty());
            }
        }
        let mut weighed = counts;
        weigh_counts(&mut weighed);
        let expected = to_ids(weighed);
        let bits = |vs: &[IdVector]| -> Vec<Vec<(u32, u32)>> {
            vs.iter()
                .map(|v| v.iter().map(|&(t, x)| (t, x.to_bits())).collect())
                .collect()
        };
        assert_eq!(bits(&counter.finish()), bits(&expected));
    }

    #[test]
    fn a_spread_vector_gives_the_merged_cosine_to_the_bit() {
        let mut next = lcg(11);
        let vector = |next: &mut dyn FnMut() -> u64| {
            let n = next() % 60;
            let mut v: IdVector = (0..n)
                .map(|_| (next() as u32 % 200, (next() % 1000 + 1) as f32 / 997.0))
                .collect();
            v.sort_unstable_by_key(|&(t, _)| t);
            v.dedup_by_key(|&mut (t, _)| t);
            v
        };
        // Room for fewer terms than the others use: those look up as 0.
        let mut scattered = Scattered::new(190);
        for _ in 0..300 {
            let a = vector(&mut next);
            let a: IdVector = a.into_iter().filter(|&(t, _)| t < 190).collect();
            let spread = scattered.spread(&a);
            for _ in 0..5 {
                let b = vector(&mut next);
                assert_eq!(spread.cosine(&b).to_bits(), cosine(&a, &b).to_bits());
            }
            drop(spread);
            // Cleared for the next vector.
            assert!(scattered.0.iter().all(|&w| w == 0.0));
        }
    }

    #[test]
    fn tfidf_cosine_prefers_shared_rare_terms() {
        let docs: Vec<Vec<String>> = [
            "harbour storm breakwater repair nordvik",
            "storm breakwater nordvik harbour closed",
            "council tram budget vote storm",
        ]
        .iter()
        .map(|s| content_words(s))
        .collect();
        let v = tfidf(&docs);
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
        assert!((cosine(&v[0], &v[0]) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn shingle_overlap() {
        let a = shingles("the harbour at Nordvik was closed for three days after the storm");
        let b = shingles("The harbour at Nordvik was closed for three days, officials said");
        let n = intersect_sorted(&a, &b);
        assert!(n >= 4 && n < a.len(), "{n}");
    }
}
