//! Copies, syndication and rewrites between articles.
//!
//! Candidate pairs come from MinHash LSH over word 5-shingles (so a page is
//! never compared with all others) plus the pairs inside one event (where
//! rewrites, which share few shingles, live). Each candidate pair is then
//! scored: shingle Jaccard and containment for copies, sentence alignment for
//! rewrites.

use std::collections::HashMap;

use storyline_model::{RelationKind, Span};

use crate::text;

/// MinHash signature length and LSH banding (bands × rows must equal it).
pub const HASHES: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;

/// Jaccard at or above which two pages are the same text.
const DUPLICATE_JACCARD: f32 = 0.9;
/// Share of the shorter page's shingles found in the longer one for a trimmed
/// or edited copy.
const SYNDICATED_CONTAINMENT: f32 = 0.5;
/// A sentence pair aligns when its content-word Jaccard reaches this.
const ALIGN_JACCARD: f32 = 0.3;
/// Share of the shorter page's sentences aligned, in order, for a rewrite.
const REWRITE_COVERAGE: f32 = 0.35;

/// What the relation finder needs of an article.
pub struct DocFeatures {
    /// Sorted, deduplicated shingle hashes.
    pub shingles: Vec<u64>,
    /// Content-word sets of sentences (only sentences with ≥ 4 content words).
    pub sentences: Vec<Vec<String>>,
}

impl DocFeatures {
    /// Builds features from a body and its sentence spans (character offsets).
    pub fn new(body: &str, sentences: &[Span]) -> Self {
        let chars: Vec<char> = body.chars().collect();
        let sentences = sentences
            .iter()
            .map(|s| {
                let t: String = chars[s.start as usize..(s.end as usize).min(chars.len())]
                    .iter()
                    .collect();
                let mut w = text::content_words(&t);
                w.sort();
                w.dedup();
                w
            })
            .filter(|w| w.len() >= 4)
            .collect();
        DocFeatures {
            shingles: text::shingles(body),
            sentences,
        }
    }

    /// MinHash signature of the shingle set.
    pub fn minhash(&self) -> [u64; HASHES] {
        let mut sig = [u64::MAX; HASHES];
        for &h in &self.shingles {
            for (k, slot) in sig.iter_mut().enumerate() {
                // One multiply-xorshift per permutation: cheap and well mixed.
                let mut x = h ^ SEEDS[k];
                x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                x ^= x >> 29;
                if x < *slot {
                    *slot = x;
                }
            }
        }
        sig
    }
}

const SEEDS: [u64; HASHES] = {
    let mut s = [0u64; HASHES];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut i = 0;
    while i < HASHES {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        s[i] = z ^ (z >> 31);
        i += 1;
    }
    s
};

/// Pairs `(i, j)`, `i < j`, that share at least one LSH band.
pub fn lsh_candidates(docs: &[DocFeatures]) -> Vec<(usize, usize)> {
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if d.shingles.is_empty() {
            continue;
        }
        let sig = d.minhash();
        for b in 0..BANDS {
            let band = &sig[b * ROWS..(b + 1) * ROWS];
            let key = band.iter().fold(0u64, |acc, &x| acc.rotate_left(17) ^ x);
            buckets.entry((b, key)).or_default().push(i);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for members in buckets.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Scores one pair. Returns the kind and score, or `None` if unrelated.
pub fn classify(a: &DocFeatures, b: &DocFeatures) -> Option<(RelationKind, f32)> {
    let inter = text::intersect_sorted(&a.shingles, &b.shingles) as f32;
    let (la, lb) = (a.shingles.len() as f32, b.shingles.len() as f32);
    if la > 0.0 && lb > 0.0 {
        let jaccard = inter / (la + lb - inter);
        let containment = inter / la.min(lb);
        if jaccard >= DUPLICATE_JACCARD {
            return Some((RelationKind::Duplicate, jaccard));
        }
        if containment >= SYNDICATED_CONTAINMENT {
            return Some((RelationKind::Syndicated, containment));
        }
    }
    let coverage = aligned_coverage(&a.sentences, &b.sentences);
    (coverage >= REWRITE_COVERAGE).then_some((RelationKind::Rewrite, coverage))
}

fn jaccard(a: &[String], b: &[String]) -> f32 {
    let inter = a.iter().filter(|w| b.binary_search(w).is_ok()).count() as f32;
    let union = a.len() as f32 + b.len() as f32 - inter;
    if union == 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Share of the shorter document's sentences that align with a sentence of
/// the other, counting only alignments that keep their order (the longest
/// increasing run of matched positions).
pub fn aligned_coverage(a: &[Vec<String>], b: &[Vec<String>]) -> f32 {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return 0.0;
    }
    let matches: Vec<usize> = short
        .iter()
        .filter_map(|s| {
            long.iter()
                .enumerate()
                .map(|(j, l)| (j, jaccard(s, l)))
                .filter(|(_, sim)| *sim >= ALIGN_JACCARD)
                .max_by(|x, y| x.1.total_cmp(&y.1))
                .map(|(j, _)| j)
        })
        .collect();
    longest_increasing(&matches) as f32 / short.len() as f32
}

/// Length of the longest strictly increasing subsequence (patience sorting).
fn longest_increasing(xs: &[usize]) -> usize {
    let mut tails: Vec<usize> = Vec::new();
    for &x in xs {
        match tails.binary_search(&x) {
            Ok(_) => {}
            Err(p) if p == tails.len() => tails.push(x),
            Err(p) => tails[p] = x,
        }
    }
    tails.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(text: &str) -> DocFeatures {
        let spans: Vec<Span> = {
            let mut out = Vec::new();
            let mut start = 0u32;
            for (i, c) in text.chars().enumerate() {
                if c == '.' {
                    out.push(Span {
                        start,
                        end: i as u32 + 1,
                    });
                    start = i as u32 + 2;
                }
            }
            out
        };
        DocFeatures::new(text, &spans)
    }

    const ORIGINAL: &str = "The harbour at Nordvik was closed for three days after a storm damaged the northern breakwater. \
Repair crews began work on Monday and expect to finish by the end of the month according to harbour master Olav Strand. \
The storm also cut power to about two thousand homes in the district, the grid operator said in a statement. \
Fishermen said they had lost a week of catch because boats could not leave the inner basin.";

    #[test]
    fn copies_trims_and_rewrites() {
        let a = feats(ORIGINAL);
        let dup = feats(&format!("{ORIGINAL} "));
        assert_eq!(classify(&a, &dup).unwrap().0, RelationKind::Duplicate);

        let trimmed: String = ORIGINAL.split(". ").take(2).collect::<Vec<_>>().join(". ") + ".";
        assert_eq!(
            classify(&a, &feats(&trimmed)).unwrap().0,
            RelationKind::Syndicated
        );

        let rewrite = "A storm that damaged its northern breakwater kept the Nordvik harbour closed for three days. \
Harbour master Olav Strand said repair crews started on Monday and should finish by the end of the month. \
About two thousand homes in the district lost power in the storm, according to a statement from the grid operator. \
Boats could not leave the inner basin, and fishermen said a week of catch was lost.";
        let (kind, score) = classify(&a, &feats(rewrite)).unwrap();
        assert_eq!(kind, RelationKind::Rewrite, "{score}");

        let other = feats("The regional council approved the budget for a new tram line on Thursday after a long debate. \
Construction will start next spring and the first trams should run in three years.");
        assert!(classify(&a, &other).is_none());
    }

    #[test]
    fn lsh_finds_near_copies_only() {
        let docs = vec![
            feats(ORIGINAL),
            feats(&ORIGINAL.replace("Monday", "Tuesday")),
            feats("The regional council approved the budget for a new tram line on Thursday after a long debate."),
        ];
        assert_eq!(lsh_candidates(&docs), vec![(0, 1)]);
    }
}
