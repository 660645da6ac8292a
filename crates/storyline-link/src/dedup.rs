//! Copies, syndication and rewrites between articles.
//!
//! Candidate pairs come from the near-duplicate index ([`crate::neardup`])
//! and the rewrite anchor index ([`crate::rewrite`]) — each page is looked up
//! against the pages before it, never against all pairs — plus the pairs
//! inside one event. Each candidate pair is then scored exactly: shingle
//! Jaccard and containment for copies, sentence alignment for rewrites. The
//! aligned sentence pairs are kept as evidence.

use storyline_model::{AlignedSentences, RelationKind, Span};

use crate::neardup::{shingle_hashes, NearDupIndex, Signature};
use crate::rewrite::{keys_of_all, AnchorIndex, Anchors};
use crate::similarity::{
    sentence_similarity_weighted, sentence_tokens, Weights, PARAPHRASE_THRESHOLD,
};
use crate::text::{self, Term};

/// Jaccard at or above which two pages are the same text.
const DUPLICATE_JACCARD: f32 = 0.9;
/// Share of the shorter page's shingles found in the longer one for a trimmed
/// or edited copy.
const SYNDICATED_CONTAINMENT: f32 = 0.5;
/// Estimated containment at which the index proposes a pair (below the
/// exact test's 0.5: the 8-bit estimate is noisy).
const CANDIDATE_CONTAINMENT: f32 = 0.35;
/// Share of the shorter page's sentences aligned, in order, for a rewrite.
pub const REWRITE_COVERAGE: f32 = 0.35;
/// Sentences with fewer words say too little to align.
const MIN_SENTENCE_WORDS: usize = 5;
/// Evidence kept per relation.
const MAX_EVIDENCE: usize = 20;

/// What the relation finder scores a pair of articles by.
pub struct DocFeatures {
    /// Sorted, deduplicated shingle hashes.
    pub shingles: Vec<u64>,
    /// The alignable sentences, weighed.
    pub sentences: Sentences,
    /// Where each of those sentences is in the body (character offsets).
    pub spans: Vec<Span>,
}

/// A page's sentences as alignment scores them: each one's words
/// ([`sentence_tokens`]), their weights and the sum of those.
///
/// Weighed once per page: on a corpus of one topic a page meets 32 to 64
/// candidates, and looking every word's weight up again for each pair was
/// half of the copies step (20,000 pages naming the same people).
pub struct Sentences {
    /// Each sentence's words, sorted.
    pub words: Vec<Vec<Term>>,
    /// The weight of each of those words ([`Weights::weight`]).
    pub weights: Vec<Vec<f32>>,
    /// Each sentence's weights summed.
    pub totals: Vec<f32>,
}

impl Sentences {
    /// `words` weighed by `weights`.
    pub fn weigh(words: Vec<Vec<Term>>, weights: &Weights) -> Self {
        let weights: Vec<Vec<f32>> = words.iter().map(|s| weights.of(s)).collect();
        let totals = weights.iter().map(|w| w.iter().sum()).collect();
        Sentences {
            words,
            weights,
            totals,
        }
    }

    /// How many sentences.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// What finds an article's copy candidates ([`candidates`]): ~0.5 KB, where
/// its [`DocFeatures`] are several KB, so only these are kept for every
/// page and the features only for the pages of candidate pairs.
pub struct CopyKeys {
    /// Near-duplicate signature (`None` below five words).
    pub signature: Option<Signature>,
    /// Rewrite anchors, whose keys are chosen once every page's are
    /// counted ([`crate::rewrite::keys_of_all`]).
    pub anchors: Anchors,
    /// A digest of the body's words in order (lower-cased, punctuation
    /// left out), with the signature: pages with equal ones say the same.
    pub text: Option<u64>,
}

impl DocFeatures {
    /// Builds features from a body and its sentence spans (character
    /// offsets), its sentences' words weighed by `weights`.
    pub fn new(body: &str, sentences: &[Span], weights: &Weights) -> Self {
        let mut hashes = Vec::new();
        shingle_hashes(body, |h| hashes.push(h));
        let (words, spans) = sentence_words(body, sentences);
        DocFeatures {
            shingles: text::shingle_set(body, hashes),
            sentences: Sentences::weigh(words, weights),
            spans,
        }
    }

    /// A 128-bit digest of what [`classify`] reads (shingles and sentence
    /// words): pages with equal fingerprints score alike against any page.
    pub fn fingerprint(&self) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&(self.shingles.len() as u64).to_le_bytes());
        for x in &self.shingles {
            h.update(&x.to_le_bytes());
        }
        for s in &self.sentences.words {
            h.update(&(s.len() as u64).to_le_bytes());
            for w in s {
                h.update(&w.to_le_bytes());
            }
        }
        h.digest128()
    }
}

impl CopyKeys {
    /// The keys of a body.
    pub fn new(body: &str) -> Self {
        let mut hashes = Vec::new();
        shingle_hashes(body, |h| hashes.push(h));
        let signature = Signature::from_hashes(&hashes);
        let text = signature.as_ref().map(|_| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            for x in &hashes {
                h.update(&x.to_le_bytes());
            }
            h.digest()
        });
        CopyKeys {
            signature,
            anchors: Anchors::of(body),
            text,
        }
    }
}

/// The words ([`sentence_tokens`]) of each sentence of `body` long enough
/// to align, with its span (character offsets).
pub fn sentence_words(body: &str, sentences: &[Span]) -> (Vec<Vec<Term>>, Vec<Span>) {
    // In ASCII, character offsets are byte offsets: sentences are sliced
    // from the body; otherwise from its characters, copied once.
    let ascii = body.is_ascii();
    let chars: Vec<char> = if ascii {
        Vec::new()
    } else {
        body.chars().collect()
    };
    let len = if ascii { body.len() } else { chars.len() };
    sentences
        .iter()
        .filter_map(|s| {
            let end = (s.end as usize).min(len);
            let start = (s.start as usize).min(end);
            let w = if ascii {
                sentence_tokens(&body[start..end])
            } else {
                sentence_tokens(&chars[start..end].iter().collect::<String>())
            };
            (w.len() >= MIN_SENTENCE_WORDS).then_some((w, *s))
        })
        .unzip()
}

/// Earlier pages a page is compared with at most, of each kind of
/// candidate (near-duplicate, shared anchors): the most alike first.
///
/// A wire story reprinted with small changes by n sites made every page a
/// candidate of every earlier one, n²/2 pairs each scored and kept with
/// its aligned sentences: 2,500 reprints took 29 s and 2 GB to ingest,
/// 10,000 ran out of memory past 24 GB. Each reprint still links to the
/// pages it is most like, and through them to the rest of its event.
pub const MAX_CANDIDATES: usize = 32;

/// Pairs `(i, j)`, `i < j`, that the near-duplicate index or the rewrite
/// anchor index proposes: each page is looked up among the pages before it.
/// No look-up depends on what was inserted before it beyond those pages, so
/// both indexes are built over all pages at once and the look-ups, each
/// limited to the earlier pages, run on all cores (inserting page by page
/// made this one core's work: 46 s at a million pages).
///
/// A page with the same words as an earlier one ([`CopyKeys::text`]) is
/// paired with the first such page only, and pages found for the others
/// are paired with their first: what holds for one holds for its exact
/// copies. Pairing every copy with every other made n copies of a story
/// n²/2 pairs, each stored with its evidence: 130 copies of each of 793
/// pages were 6.6M relations and 10 GB.
pub fn candidates(docs: &[CopyKeys]) -> Vec<(usize, usize)> {
    use rayon::prelude::*;
    let mut firsts: rustc_hash::FxHashMap<u64, usize> = rustc_hash::FxHashMap::default();
    let first: Vec<usize> = docs
        .iter()
        .enumerate()
        .map(|(j, d)| d.text.map_or(j, |t| *firsts.entry(t).or_insert(j)))
        .collect();
    drop(firsts);
    let page_of: Vec<usize> = (0..docs.len())
        .filter(|&j| docs[j].signature.is_some())
        .collect();
    let index = NearDupIndex::build(docs.iter().filter_map(|d| d.signature.as_ref()));
    // The anchor index numbers every page, so its numbers are `docs` indexes.
    let keys = keys_of_all(&docs.iter().map(|d| &d.anchors).collect::<Vec<_>>());
    let anchors = AnchorIndex::build(keys.iter().map(Vec::as_slice));
    let mut pairs: Vec<(usize, usize)> = (0..docs.len())
        .into_par_iter()
        .flat_map_iter(|j| {
            let d = &docs[j];
            let mut out = Vec::new();
            if first[j] != j {
                out.push((first[j], j));
                return out;
            }
            if let Some(sig) = &d.signature {
                // Its number in the index: how many signed pages precede it.
                let me = page_of.partition_point(|&p| p < j) as u32;
                let near = index.query_before(sig, CANDIDATE_CONTAINMENT, me);
                for m in near.into_iter().take(MAX_CANDIDATES) {
                    out.push((first[page_of[m.page as usize]], j));
                }
            }
            let anchored = anchors.query_before(&keys[j], j as u32);
            for (p, _) in anchored.into_iter().take(MAX_CANDIDATES) {
                out.push((first[p as usize], j));
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// A scored link between two pages, with the sentence pairs that support it
/// (indexes into each page's [`DocFeatures::spans`]).
#[derive(Debug, Clone)]
pub struct Link {
    /// What kind of copy.
    pub kind: RelationKind,
    /// Jaccard for duplicates, containment for syndication, aligned share
    /// for rewrites.
    pub score: f32,
    /// Aligned sentences `(in a, in b, similarity)`, in order.
    pub aligned: Vec<(usize, usize, f32)>,
}

impl Link {
    /// The aligned sentences as spans, `a` and `b` as given to [`classify`].
    pub fn evidence(&self, a: &DocFeatures, b: &DocFeatures) -> Vec<AlignedSentences> {
        self.aligned
            .iter()
            .take(MAX_EVIDENCE)
            .map(|&(i, j, sim)| AlignedSentences {
                a: a.spans[i],
                b: b.spans[j],
                score: (sim * 1000.0).round() / 1000.0,
            })
            .collect()
    }
}

/// Scores one pair. Returns the link, or `None` if unrelated.
pub fn classify(a: &DocFeatures, b: &DocFeatures) -> Option<Link> {
    let inter = text::intersect_sorted(&a.shingles, &b.shingles) as f32;
    let (la, lb) = (a.shingles.len() as f32, b.shingles.len() as f32);
    let copy = if la > 0.0 && lb > 0.0 {
        let jaccard = inter / (la + lb - inter);
        let containment = inter / la.min(lb);
        if jaccard >= DUPLICATE_JACCARD {
            Some((RelationKind::Duplicate, jaccard))
        } else if containment >= SYNDICATED_CONTAINMENT {
            Some((RelationKind::Syndicated, containment))
        } else {
            None
        }
    } else {
        None
    };
    let shorter = a.sentences.len().min(b.sentences.len());
    // Not a copy: only a rewrite's coverage can link the pair, so the
    // alignment may stop once that coverage is out of reach (most candidate
    // pairs share a few boilerplate lines and nothing else).
    let need = if copy.is_some() {
        0.0
    } else {
        REWRITE_COVERAGE
    };
    let aligned = align_bounded(&a.sentences, &b.sentences, need)?;
    let coverage = if shorter == 0 {
        0.0
    } else {
        aligned.len() as f32 / shorter as f32
    };
    let (kind, score) = match copy {
        Some(c) => c,
        None if coverage >= REWRITE_COVERAGE => (RelationKind::Rewrite, coverage),
        None => return None,
    };
    Some(Link {
        kind,
        score,
        aligned,
    })
}

/// Sentence pairs of `a` and `b` that say the same thing, in order: each
/// sentence of the shorter page takes its most similar sentence of the other
/// (at least [`PARAPHRASE_THRESHOLD`]), and of those matches the longest run
/// that keeps both orders is kept. Pairs are `(in a, in b, similarity)`.
pub fn align(a: &[Vec<Term>], b: &[Vec<Term>], weights: &Weights) -> Vec<(usize, usize, f32)> {
    let weigh = |s: &[Vec<Term>]| Sentences::weigh(s.to_vec(), weights);
    align_bounded(&weigh(a), &weigh(b), 0.0).unwrap_or_default()
}

/// Sentences of the other page scored against one sentence at most, those
/// holding its heaviest words first. A news page's sentence meets far fewer;
/// pages of tens of thousands of sentences over a small vocabulary (hostile,
/// or a flattened word list) met each other's every sentence: three 1 MB
/// pages took 48 s to align, four times as long for each doubling.
const SENTENCE_CANDIDATES: usize = 64;

/// [`align`], or `None` as soon as the pairs found cannot cover `need` of
/// the shorter page's sentences (the alignment keeps at most one pair per
/// sentence, so matched plus not yet tried bounds it).
fn align_bounded(a: &Sentences, b: &Sentences, need: f32) -> Option<Vec<(usize, usize, f32)>> {
    align_within(a, b, need, SENTENCE_CANDIDATES)
}

/// [`align_bounded`] scoring at most `cap` sentences against each.
fn align_within(
    a: &Sentences,
    b: &Sentences,
    need: f32,
    cap: usize,
) -> Option<Vec<(usize, usize, f32)>> {
    let swap = b.len() < a.len();
    let (short, long) = if swap { (b, a) } else { (a, b) };
    let (short_w, short_total) = (&short.weights, &short.totals);
    // A pair's Jaccard is at most the ratio of the lighter sentence's total
    // weight to the heavier's (shared ≤ the lighter, union ≥ the heavier):
    // sentences too far apart in weight are not scored.
    let (long_w, long_total) = (&long.weights, &long.totals);
    let (short, long) = (&short.words, &long.words);
    // A sentence word for word in the other page scores 1, the most any
    // pair can (a lower score needs a word one side lacks), and the first
    // such wins the scan below: take it without scanning. Copies of long
    // pages then align in linear time instead of sentences².
    let mut first_exact: rustc_hash::FxHashMap<&[Term], usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(long.len(), Default::default());
    for (j, l) in long.iter().enumerate() {
        first_exact.entry(l.as_slice()).or_insert(j);
    }
    // Prefix filter: a sentence reaches the threshold only with a sentence
    // holding one of its heaviest words — those without which the rest of
    // its weight is under the threshold (the Jaccard's union holds at least
    // its own words, and the number penalty only lowers the score). So only
    // the other page's sentences holding one of those are scored: the same
    // matches as scoring all, without sentences × sentences on long pages
    // of one event that are not rewrites of each other.
    // Sized for every word once up front (growing it was ~3% of linking).
    let mut holding: rustc_hash::FxHashMap<Term, Vec<u32>> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(
            long.iter().map(Vec::len).sum(),
            Default::default(),
        );
    for (j, l) in long.iter().enumerate() {
        for &w in l {
            holding.entry(w).or_default().push(j as u32);
        }
    }
    let mut marked = vec![false; long.len()];
    let mut cands: Vec<u32> = Vec::new();
    let shorter = short.len() as f32;
    let mut matches: Vec<(usize, usize, f32)> = Vec::new();
    for (i, s) in short.iter().enumerate() {
        if need > 0.0 && ((matches.len() + short.len() - i) as f32 / shorter) < need {
            return None;
        }
        let sw = &short_w[i];
        if let Some(&j) = first_exact.get(s.as_slice()) {
            let sim = sentence_similarity_weighted(s, sw, s, sw);
            if sim >= PARAPHRASE_THRESHOLD {
                matches.push((i, j, sim));
            }
            continue;
        }
        let mut by_weight: Vec<usize> = (0..s.len()).collect();
        by_weight.sort_by(|&x, &y| sw[y].total_cmp(&sw[x]).then(x.cmp(&y)));
        let total = short_total[i];
        let mut rest = total;
        cands.clear();
        'gather: for &k in &by_weight {
            if rest < PARAPHRASE_THRESHOLD * total {
                break;
            }
            rest -= sw[k];
            for &j in holding.get(&s[k]).map(Vec::as_slice).unwrap_or(&[]) {
                if !std::mem::replace(&mut marked[j as usize], true) {
                    cands.push(j);
                    if cands.len() == cap {
                        break 'gather;
                    }
                }
            }
        }
        cands.sort_unstable();
        // A hair under the threshold: the totals are summed in another order
        // than the similarity's union.
        let reach = |t: f32, need: f32| total.min(t) >= need * 0.999 * total.max(t);
        // The most similar, the first of equals (`cands` is in order). The
        // same bound skips a sentence that cannot beat the best so far: on
        // pages over a small vocabulary a sentence has tens of candidates,
        // and scoring them was most of linking.
        let mut best: Option<(usize, f32)> = None;
        for &j in &cands {
            let j = j as usize;
            marked[j] = false;
            let need = best.map_or(PARAPHRASE_THRESHOLD, |(_, sim)| sim);
            if !reach(long_total[j], need) {
                continue;
            }
            let sim = sentence_similarity_weighted(s, sw, &long[j], &long_w[j]);
            if sim >= PARAPHRASE_THRESHOLD && best.is_none_or(|(_, b)| sim > b) {
                best = Some((j, sim));
            }
        }
        if let Some((j, sim)) = best {
            matches.push((i, j, sim));
        }
    }
    if need > 0.0 && (matches.len() as f32 / shorter) < need {
        return None;
    }
    Some(in_order(&matches, swap))
}

/// Of a sentence's best matches `(in short, in long, similarity)`, the
/// longest run in order on both pages, as `(in a, in b, similarity)`
/// (`swap`: `a` is the long page).
fn in_order(matches: &[(usize, usize, f32)], swap: bool) -> Vec<(usize, usize, f32)> {
    let keep = longest_increasing(&matches.iter().map(|m| m.1).collect::<Vec<_>>());
    keep.into_iter()
        .map(|k| {
            let (i, j, sim) = matches[k];
            if swap {
                (j, i, sim)
            } else {
                (i, j, sim)
            }
        })
        .collect()
}

/// Positions of a longest strictly increasing subsequence of `xs`
/// (patience sorting with back-pointers), in order.
fn longest_increasing(xs: &[usize]) -> Vec<usize> {
    // tails[k]: position of the smallest tail of an increasing run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; xs.len()];
    for (p, &x) in xs.iter().enumerate() {
        let k = tails.partition_point(|&t| xs[t] < x);
        if k > 0 {
            prev[p] = Some(tails[k - 1]);
        }
        if k == tails.len() {
            tails.push(p);
        } else {
            tails[k] = p;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(p) = at {
        out.push(p);
        at = prev[p];
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::Idf;

    fn spans(text: &str) -> Vec<Span> {
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
    }

    /// The features of each page, weighed by word counts over all of them,
    /// and those weights.
    fn weighed(texts: &[&str]) -> (Vec<DocFeatures>, Weights) {
        let words: Vec<Vec<Vec<Term>>> = texts
            .iter()
            .map(|t| sentence_words(t, &spans(t)).0)
            .collect();
        let w = Idf::from_docs(words.iter().flatten().map(Vec::as_slice)).into_weights();
        let feats = texts
            .iter()
            .map(|t| DocFeatures::new(t, &spans(t), &w))
            .collect();
        (feats, w)
    }

    /// Two pages' features, weighed together.
    fn pair(a: &str, b: &str) -> (DocFeatures, DocFeatures) {
        let (mut f, _) = weighed(&[a, b]);
        let b = f.pop().expect("two pages");
        (f.pop().expect("two pages"), b)
    }

    /// Scores two pages weighed together.
    fn classified(a: &str, b: &str) -> Option<Link> {
        let (a, b) = pair(a, b);
        classify(&a, &b)
    }

    const ORIGINAL: &str = "The harbour at Nordvik was closed for three days after a storm damaged the northern breakwater. \
Repair crews began work on Monday and expect to finish by the end of the month according to harbour master Olav Strand. \
The storm also cut power to about two thousand homes in the district, the grid operator said in a statement. \
Fishermen said they had lost a week of catch because boats could not leave the inner basin.";

    #[test]
    fn copies_trims_and_rewrites() {
        assert_eq!(
            classified(ORIGINAL, &format!("{ORIGINAL} ")).unwrap().kind,
            RelationKind::Duplicate
        );

        let trimmed: String = ORIGINAL.split(". ").take(2).collect::<Vec<_>>().join(". ") + ".";
        assert_eq!(
            classified(ORIGINAL, &trimmed).unwrap().kind,
            RelationKind::Syndicated
        );

        let rewrite = "A storm that damaged its northern breakwater kept the Nordvik harbour closed for three days. \
Harbour master Olav Strand said repair crews started on Monday and should finish by the end of the month. \
About two thousand homes in the district lost power in the storm, according to a statement from the grid operator. \
Boats could not leave the inner basin, and fishermen said a week of catch was lost.";
        let (a, r) = pair(ORIGINAL, rewrite);
        let link = classify(&a, &r).unwrap();
        assert_eq!(link.kind, RelationKind::Rewrite, "{}", link.score);
        // Every sentence aligns, in order, and the evidence points at them.
        assert_eq!(
            link.aligned.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            vec![(0, 0), (1, 1), (2, 2), (3, 3)]
        );
        let ev = link.evidence(&a, &r);
        assert_eq!(ev[0].a, a.spans[0]);
        assert_eq!(ev[3].b, r.spans[3]);

        let other = "The regional council approved the budget for a new tram line on Thursday after a long debate. \
Construction will start next spring and the first trams should run in three years.";
        assert!(classified(ORIGINAL, other).is_none());
    }

    #[test]
    fn bounded_alignment_gives_up_only_below_the_coverage_it_needs() {
        // Two of four sentences rewritten, then two unrelated ones.
        let half = "A storm that damaged its northern breakwater kept the Nordvik harbour closed for three days. \
Harbour master Olav Strand said repair crews started on Monday and should finish by the end of the month. \
The regional council approved the budget for a new tram line on Thursday after a long debate. \
Construction will start next spring and the first trams should run in three years.";
        let (f, w) = weighed(&[ORIGINAL, half]);
        let (a, half) = (&f[0], &f[1]);
        let full = align(&a.sentences.words, &half.sentences.words, &w);
        assert_eq!(full.len(), 2);
        // Half the sentences align: enough for a need of a half, not more.
        assert_eq!(
            align_bounded(&a.sentences, &half.sentences, 0.5).as_ref(),
            Some(&full)
        );
        assert!(align_bounded(&a.sentences, &half.sentences, 0.6).is_none());
        assert_eq!(
            align_bounded(&a.sentences, &half.sentences, 0.0).as_ref(),
            Some(&full)
        );
    }

    /// The alignment with each sentence scored against every other: what
    /// the prefix filter, the weight bounds and the word-for-word shortcut
    /// must leave as it is.
    fn scored_with_all(a: &Sentences, b: &Sentences) -> Vec<(usize, usize, f32)> {
        let swap = b.len() < a.len();
        let (short, long) = if swap { (b, a) } else { (a, b) };
        let matches: Vec<(usize, usize, f32)> = (0..short.len())
            .filter_map(|i| {
                let (s, sw) = (&short.words[i], &short.weights[i]);
                (0..long.len())
                    .map(|j| {
                        let sim =
                            sentence_similarity_weighted(s, sw, &long.words[j], &long.weights[j]);
                        (j, sim)
                    })
                    .filter(|&(_, sim)| sim >= PARAPHRASE_THRESHOLD)
                    .fold(None, |best: Option<(usize, f32)>, (j, sim)| match best {
                        Some((_, b)) if sim <= b => best,
                        _ => Some((j, sim)),
                    })
                    .map(|(j, sim)| (i, j, sim))
            })
            .collect();
        in_order(&matches, swap)
    }

    #[test]
    fn a_sentence_is_scored_against_a_bounded_number_of_others() {
        // Sentences of six words from a vocabulary of twelve, so that many
        // share words; pages of 10 to 60 sentences meet the cap nowhere.
        let mut next = crate::text::tests::lcg(11);
        let vocab = [
            "harbour", "storm", "crews", "quay", "council", "tram", "budget", "repair", "port",
            "basin", "ferry", "pier",
        ];
        let page = |next: &mut dyn FnMut() -> u64, sentences: u64| {
            let text: Vec<String> = (0..sentences)
                .map(|_| {
                    let words: Vec<&str> = (0..6).map(|_| vocab[next() as usize % 12]).collect();
                    format!("The {}.", words.join(" "))
                })
                .collect();
            text.join(" ")
        };
        let mut cap_told = 0;
        for _ in 0..40 {
            let (m, n) = (10 + next() % 50, 10 + next() % 50);
            let (a, b) = pair(&page(&mut next, m), &page(&mut next, n));
            let all = align_within(&a.sentences, &b.sentences, 0.0, usize::MAX);
            assert_eq!(all, Some(scored_with_all(&a.sentences, &b.sentences)));
            assert_eq!(
                align_within(&a.sentences, &b.sentences, 0.0, SENTENCE_CANDIDATES),
                all
            );
            // The pages do give sentences several candidates each: a tight
            // cap changes what aligns.
            cap_told += usize::from(align_within(&a.sentences, &b.sentences, 0.0, 2) != all);
        }
        assert!(cap_told > 10, "{cap_told}");
        // Past the cap: still an alignment, in order on both pages, each
        // pair alike.
        let (a, b) = pair(&page(&mut next, 3_000), &page(&mut next, 3_000));
        let capped = align_within(&a.sentences, &b.sentences, 0.0, 8).unwrap();
        assert!(!capped.is_empty());
        assert!(capped
            .windows(2)
            .all(|p| p[0].0 < p[1].0 && p[0].1 < p[1].1));
        assert!(capped.iter().all(|p| p.2 >= PARAPHRASE_THRESHOLD));
    }

    #[test]
    fn fingerprints_follow_the_words_not_the_spacing() {
        let tuesday = ORIGINAL.replace("Monday", "Tuesday");
        let (f, _) = weighed(&[ORIGINAL, ORIGINAL, &tuesday]);
        assert_eq!(f[0].fingerprint(), f[1].fingerprint());
        assert_ne!(f[0].fingerprint(), f[2].fingerprint());
    }

    /// The parallel look-ups propose exactly what inserting page by page,
    /// each looked up first, did.
    #[test]
    fn candidates_equal_those_of_one_page_at_a_time() {
        let mut texts: Vec<String> = Vec::new();
        let sentences: Vec<&str> = ORIGINAL.split(". ").collect();
        let mut x: u64 = 0x5eed;
        for k in 0..300 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let t = match (x >> 33) % 5 {
                // Copies, trimmed copies, edited copies, strangers, empty.
                0 => ORIGINAL.to_string(),
                1 => sentences[..2 + (x >> 40) as usize % 2].join(". "),
                2 => ORIGINAL.replace("Monday", &format!("day {k}")),
                3 => format!("Council meeting number {k} approved budget line {} after a debate about trams and ferries in the district of Halvik.", x % 97),
                _ => String::new(),
            };
            texts.push(t);
        }
        let docs: Vec<CopyKeys> = texts.iter().map(|t| CopyKeys::new(t)).collect();
        let keys = keys_of_all(&docs.iter().map(|d| &d.anchors).collect::<Vec<_>>());
        let mut index = NearDupIndex::new();
        let mut anchors = AnchorIndex::new();
        let mut page_of = Vec::new();
        let mut expected = Vec::new();
        // Each page's first page with the same words (itself if none).
        let mut firsts = std::collections::HashMap::new();
        let mut first = Vec::new();
        for (j, d) in docs.iter().enumerate() {
            first.push(d.text.map_or(j, |t| *firsts.entry(t).or_insert(j)));
            if first[j] != j {
                expected.push((first[j], j));
            }
            if let Some(sig) = &d.signature {
                if first[j] == j {
                    let near = index.query(sig, CANDIDATE_CONTAINMENT);
                    for m in near.into_iter().take(MAX_CANDIDATES) {
                        expected.push((first[page_of[m.page as usize]], j));
                    }
                }
                index.insert(sig);
                page_of.push(j);
            }
            if first[j] == j {
                let anchored = anchors.query(&keys[j]);
                for (p, _) in anchored.into_iter().take(MAX_CANDIDATES) {
                    expected.push((first[p as usize], j));
                }
            }
            anchors.insert(&keys[j]);
        }
        expected.sort_unstable();
        expected.dedup();
        assert!(expected.len() > 500, "{}", expected.len());
        assert_eq!(candidates(&docs), expected);
    }

    #[test]
    fn an_exact_copy_pairs_with_the_first_page_of_its_words_only() {
        let trimmed: String = ORIGINAL.split(". ").take(3).collect::<Vec<_>>().join(". ");
        // Spacing and case do not make another text; a trim does.
        let respaced = ORIGINAL.replace(' ', "  ").to_uppercase();
        let texts = [ORIGINAL, "", ORIGINAL, &respaced, &trimmed, ORIGINAL];
        let docs: Vec<CopyKeys> = texts.iter().map(|t| CopyKeys::new(t)).collect();
        assert_eq!(docs[0].text, docs[3].text);
        assert_eq!(docs[1].text, None);
        // The trim is found from the copies, and paired with the first.
        assert_eq!(candidates(&docs), vec![(0, 2), (0, 3), (0, 4), (0, 5)]);
    }

    #[test]
    fn a_reprint_is_compared_with_its_most_alike_earlier_pages_only() {
        // A wire story reprinted by many sites, each changing a word or two.
        let words: Vec<&str> = ORIGINAL.split(' ').collect();
        let n = 3 * MAX_CANDIDATES;
        let texts: Vec<String> = (0..n)
            .map(|i| {
                let mut w: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                let k = i % w.len();
                w[k] = format!("{}{i}", w[k]);
                w.join(" ")
            })
            .collect();
        let docs: Vec<CopyKeys> = texts.iter().map(|t| CopyKeys::new(t)).collect();
        let pairs = candidates(&docs);
        let mut earlier = vec![0; n];
        for &(i, j) in &pairs {
            assert!(i < j);
            earlier[j] += 1;
        }
        // Without the cap the last page would be paired with all 95 before
        // it (every page is a near copy of every other).
        assert!(earlier[MAX_CANDIDATES] == MAX_CANDIDATES, "{earlier:?}");
        assert!(
            earlier.iter().all(|&k| k <= 2 * MAX_CANDIDATES),
            "{earlier:?}"
        );
        assert!(earlier[n - 1] < n - 1, "{earlier:?}");
    }

    #[test]
    fn index_proposes_near_copies_only() {
        let docs = vec![
            CopyKeys::new(ORIGINAL),
            CopyKeys::new(&ORIGINAL.replace("Monday", "Tuesday")),
            CopyKeys::new("The regional council approved the budget for a new tram line on Thursday after a long debate."),
        ];
        assert_eq!(candidates(&docs), vec![(0, 1)]);
    }

    #[test]
    fn longest_increasing_positions() {
        assert_eq!(longest_increasing(&[3, 1, 2, 5, 4, 6]), vec![1, 2, 4, 5]);
        assert!(longest_increasing(&[]).is_empty());
    }
}
