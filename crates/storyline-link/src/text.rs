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
    STOPWORDS.contains(&w)
}

/// Lower-cased content words of `text` (stopwords and one-letter words out).
pub fn content_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 1 && !is_stopword(w))
        .collect()
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
        hashes = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| xxh3_64(w.to_lowercase().as_bytes()))
            .collect();
    }
    hashes.sort_unstable();
    hashes.dedup();
    hashes
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
    let number = word.starts_with(|c: char| c.is_ascii_digit());
    (xxh3_64(word.as_bytes()) & !1) | Term::from(number)
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

/// Scales a vector to unit length.
pub fn normalise(v: &mut Vector) {
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
mod tests {
    use super::*;

    #[test]
    fn shares_at_least_agrees_with_counting_the_intersection() {
        let mut x: u64 = 7;
        let mut next = move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
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
