//! How alike two documents, or two sentences, are.
//!
//! Documents: cosine of TF-IDF vectors ([`crate::text::tfidf`]), square-rooted.
//! The root is a calibration, not a new measure: cosines of news pages that
//! tell the same story bunch near the top of a long tail, and the root spreads
//! them out. It was chosen on the non-English pairs of SemEval-2022 Task 8
//! (exponents 0.25–1 tried; 0.5 best there) and then measured on the English
//! ones (`storyline eval similarity`).
//!
//! Sentences: IDF-weighted Jaccard of their word sets, less a penalty when
//! both carry numbers the other lacks ("$2.5 billion" against "$1.8
//! billion" is a different claim in the same words). This is what the rewrite
//! aligner uses; its threshold comes from MRPC.

use crate::text::{cosine, is_number, term, Term, Vector};

/// Sentence pairs at or above this similarity say the same thing. Chosen on
/// the MRPC training pairs (F1-optimal; `storyline eval similarity` reports
/// it cross-validated).
pub const PARAPHRASE_THRESHOLD: f32 = 0.25;

/// Subtracted when each sentence has a number the other does not.
const NUMBER_CONFLICT: f32 = 0.15;
/// Subtracted when one sentence has a number the other does not.
const NUMBER_EXTRA: f32 = 0.05;

/// Similarity of two documents in `[0, 1]` from their TF-IDF vectors.
pub fn document_similarity(a: &Vector, b: &Vector) -> f32 {
    cosine(a, b).clamp(0.0, 1.0).sqrt()
}

/// Document frequencies of words over a collection, for weighting.
#[derive(Debug, Default, Clone)]
pub struct Idf {
    df: rustc_hash::FxHashMap<Term, u32>,
    n: u32,
}

impl Idf {
    /// Counts each word once per document.
    pub fn from_docs<'a>(docs: impl IntoIterator<Item = &'a [Term]>) -> Self {
        let mut idf = Idf::default();
        let mut seen = Vec::new();
        for d in docs {
            seen.clear();
            seen.extend_from_slice(d);
            seen.sort_unstable();
            seen.dedup();
            idf.count_distinct(seen.iter().copied());
        }
        idf
    }

    /// Counts one more document, holding each of `words` once (no repeats).
    pub fn count_distinct(&mut self, words: impl IntoIterator<Item = Term>) {
        self.n += 1;
        for t in words {
            *self.df.entry(t).or_default() += 1;
        }
    }

    /// Adds in another's counts (counted over other documents).
    pub fn absorb(&mut self, other: Idf) {
        self.n += other.n;
        if self.df.len() < other.df.len() {
            let mine = std::mem::replace(&mut self.df, other.df);
            for (t, c) in mine {
                *self.df.entry(t).or_default() += c;
            }
        } else {
            for (t, c) in other.df {
                *self.df.entry(t).or_default() += c;
            }
        }
    }

    /// Documents counted.
    pub fn docs(&self) -> u32 {
        self.n
    }

    /// Documents that hold `word`.
    pub fn df(&self, word: Term) -> u32 {
        self.df.get(&word).copied().unwrap_or(0)
    }

    /// [`Idf::weight`] of each word.
    pub fn weights(&self, words: &[Term]) -> Vec<f32> {
        words.iter().map(|&w| self.weight(w)).collect()
    }

    /// Smoothed inverse document frequency; unseen words weigh most.
    pub fn weight(&self, word: Term) -> f32 {
        idf_weight(self.n as usize, self.df(word))
    }
}

impl Idf {
    /// Each counted word's weight, worked out once: an aligner looks up
    /// every word of both pages of every pair it scores.
    pub fn into_weights(self) -> Weights {
        let n = self.n as usize;
        Weights {
            unseen: idf_weight(n, 0),
            of: self
                .df
                .into_iter()
                .map(|(t, df)| (t, idf_weight(n, df)))
                .collect(),
        }
    }
}

/// Word weights ([`Idf::weight`]) of finished counts ([`Idf::into_weights`]).
#[derive(Debug, Clone)]
pub struct Weights {
    of: rustc_hash::FxHashMap<Term, f32>,
    unseen: f32,
}

impl Weights {
    /// The weight of `word`, as [`Idf::weight`] gives it.
    pub fn weight(&self, word: Term) -> f32 {
        self.of.get(&word).copied().unwrap_or(self.unseen)
    }

    /// The weight of each word.
    pub fn of(&self, words: &[Term]) -> Vec<f32> {
        words.iter().map(|&w| self.weight(w)).collect()
    }
}

/// [`Idf::weight`] of a word held by `df` of `n` documents.
pub fn idf_weight(n: usize, df: u32) -> f32 {
    ((n as f32 + 1.0) / (df as f32 + 1.0)).ln() + 1.0
}

/// A sentence's words for comparison: lower-cased, as [`Term`]s, sorted,
/// each once.
pub fn sentence_tokens(sentence: &str) -> Vec<Term> {
    let mut w: Vec<Term> = if sentence.is_ascii() {
        // The same pieces, split a byte at a time, lower-cased into one
        // buffer: every sentence of every page is tokenised when linking.
        let mut lower: Vec<u8> = Vec::new();
        sentence
            .as_bytes()
            .split(|&b| !(b.is_ascii_alphanumeric() || b == b'.'))
            .map(trim_dots)
            .filter(|w| !w.is_empty())
            .map(|w| {
                lower.clear();
                lower.extend(w.iter().map(u8::to_ascii_lowercase));
                crate::text::term_of_bytes(&lower)
            })
            .collect()
    } else {
        sentence
            .split(|c: char| !c.is_alphanumeric() && c != '.')
            .map(|w| w.trim_matches('.'))
            .filter(|w| !w.is_empty())
            .map(|w| term(&storyline_model::words::lowercase(w)))
            .collect()
    };
    w.sort_unstable();
    w.dedup();
    w
}

/// `w` without the dots it starts and ends with.
fn trim_dots(mut w: &[u8]) -> &[u8] {
    while let [b'.', rest @ ..] = w {
        w = rest;
    }
    while let [rest @ .., b'.'] = w {
        w = rest;
    }
    w
}

/// Similarity of two sentences given as [`sentence_tokens`], in `[-0.15, 1]`.
pub fn sentence_similarity(a: &[Term], b: &[Term], idf: &Idf) -> f32 {
    sentence_similarity_weighted(a, &idf.weights(a), b, &idf.weights(b))
}

/// [`sentence_similarity`] with each word's weight looked up beforehand
/// (`wa[i]` for `a[i]`): an aligner compares every sentence of one page
/// with every sentence of another, so it looks each weight up once, not
/// once per pair.
pub fn sentence_similarity_weighted(a: &[Term], wa: &[f32], b: &[Term], wb: &[f32]) -> f32 {
    let (wa, wb) = (&wa[..a.len()], &wb[..b.len()]);
    let (mut shared, mut union) = (0.0f32, 0.0f32);
    let (mut a_only_num, mut b_only_num) = (false, false);
    // Both sorted: one merge pass, then what is left of either.
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y {
            let w = wa[i];
            shared += w;
            union += w;
            i += 1;
            j += 1;
        } else if x < y {
            union += wa[i];
            a_only_num |= is_number(x);
            i += 1;
        } else {
            union += wb[j];
            b_only_num |= is_number(y);
            j += 1;
        }
    }
    for (&x, &w) in a[i..].iter().zip(&wa[i..]) {
        union += w;
        a_only_num |= is_number(x);
    }
    for (&y, &w) in b[j..].iter().zip(&wb[j..]) {
        union += w;
        b_only_num |= is_number(y);
    }
    penalised_jaccard(shared, union, a_only_num, b_only_num)
}

/// The weighted Jaccard of a merge's sums, less the penalty for numbers
/// one side holds and the other lacks.
fn penalised_jaccard(shared: f32, union: f32, a_only_num: bool, b_only_num: bool) -> f32 {
    let jaccard = if union > 0.0 { shared / union } else { 0.0 };
    let penalty = match (a_only_num, b_only_num) {
        (true, true) => NUMBER_CONFLICT,
        (true, false) | (false, true) => NUMBER_EXTRA,
        _ => 0.0,
    };
    jaccard - penalty
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merge as first written, one `Option` match a step: the one in
    /// use must give the same sums to the bit.
    fn similarity_by_options(a: &[Term], wa: &[f32], b: &[Term], wb: &[f32]) -> f32 {
        let (mut shared, mut union) = (0.0f32, 0.0f32);
        let (mut a_only_num, mut b_only_num) = (false, false);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match ord {
                std::cmp::Ordering::Equal => {
                    shared += wa[i];
                    union += wa[i];
                    (i, j) = (i + 1, j + 1);
                }
                std::cmp::Ordering::Less => {
                    union += wa[i];
                    a_only_num |= is_number(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    union += wb[j];
                    b_only_num |= is_number(b[j]);
                    j += 1;
                }
            }
        }
        penalised_jaccard(shared, union, a_only_num, b_only_num)
    }

    #[test]
    fn similarity_is_the_same_to_the_bit_as_the_first_merge() {
        let mut next = crate::text::tests::lcg(17);
        // Terms from a small range, so that sentences share words, numbers
        // (odd terms) among them; weights of many magnitudes, so that the
        // order of additions shows in the low bits.
        let sentence = |next: &mut dyn FnMut() -> u64| {
            let mut words: Vec<Term> = (0..next() % 24).map(|_| next() % 60).collect();
            words.sort_unstable();
            words.dedup();
            let weights: Vec<f32> = words
                .iter()
                .map(|&w| 1.0 + (w as f32).sqrt() * 0.37 + (w % 7) as f32 * 1e-3)
                .collect();
            (words, weights)
        };
        let mut shared_some = 0;
        for _ in 0..20_000 {
            let (a, wa) = sentence(&mut next);
            let (b, wb) = sentence(&mut next);
            let got = sentence_similarity_weighted(&a, &wa, &b, &wb);
            let want = similarity_by_options(&a, &wa, &b, &wb);
            assert_eq!(got.to_bits(), want.to_bits(), "{a:?} {b:?}");
            shared_some += usize::from(got > 0.0);
        }
        // The sentences do overlap, often.
        assert!(shared_some > 3_000, "{shared_some}");
    }

    #[test]
    fn ascii_sentences_tokenise_as_any_other() {
        // The ASCII path against the general one: the same sentence with a
        // non-ASCII word added, whose term is then taken out.
        let pieces = [
            "Kim", "U.S.", "2.5", "...", "said", " ", ", ", "-", "a.b", ".x.", "KCNA", "'", "\n",
        ];
        let mut next = crate::text::tests::lcg(5);
        for _ in 0..3000 {
            let mut sentence = String::new();
            for _ in 0..next() % 32 {
                sentence.push_str(pieces[next() as usize % pieces.len()]);
            }
            let ascii = sentence_tokens(&sentence);
            let mut general = sentence_tokens(&format!("{sentence} ñandú"));
            let extra = term("ñandú");
            general.retain(|&t| t != extra);
            assert_eq!(ascii, general, "{sentence:?}");
        }
    }

    #[test]
    fn paraphrases_score_above_the_threshold_and_conflicts_below() {
        let s = [
            "The ferry line resumed service on Friday, the operator said.",
            "On Friday the operator said the ferry line had resumed service.",
            "The bakery on the corner closed after forty years.",
            "The deal was worth $2.5 billion in 1998.",
            "The deal was worth $1.8 billion in 1998.",
        ];
        let toks: Vec<Vec<Term>> = s.iter().map(|x| sentence_tokens(x)).collect();
        let idf = Idf::from_docs(toks.iter().map(Vec::as_slice));
        let sim = |i: usize, j: usize| sentence_similarity(&toks[i], &toks[j], &idf);
        assert!(sim(0, 1) >= PARAPHRASE_THRESHOLD, "{}", sim(0, 1));
        assert!(sim(0, 2) < PARAPHRASE_THRESHOLD, "{}", sim(0, 2));
        assert!(sim(3, 4) < sim(3, 3) - NUMBER_CONFLICT + 0.01);
        assert!((sim(0, 0) - 1.0).abs() < 1e-6);
        let mut want: Vec<Term> = [
            "1998", "2.5", "billion", "deal", "in", "the", "was", "worth",
        ]
        .iter()
        .map(|w| term(w))
        .collect();
        want.sort_unstable();
        assert_eq!(toks[3], want);
        assert!(is_number(term("2.5")) && !is_number(term("deal")));
    }

    #[test]
    fn document_similarity_is_a_calibrated_cosine() {
        let docs = vec![
            crate::text::content_words("harbour cranes return to the port after the strike"),
            crate::text::content_words("cranes return to harbour as port strike ends"),
            crate::text::content_words("bakery closes after forty years on the corner"),
        ];
        let v = crate::text::tfidf(&docs);
        let same = document_similarity(&v[0], &v[1]);
        let other = document_similarity(&v[0], &v[2]);
        assert!(
            same > other && (0.0..=1.0).contains(&same),
            "{same} {other}"
        );
        assert!((document_similarity(&v[0], &v[0]) - 1.0).abs() < 1e-4);
    }
}
