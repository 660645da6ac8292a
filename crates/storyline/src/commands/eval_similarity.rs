//! `storyline eval similarity DIR`: document similarity against SemEval-2022
//! Task 8 (Pearson with the 1–4 `overall` score), the sentence aligner's
//! similarity against MRPC (paraphrase F1) and STS-B news (Pearson).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use storyline_link::similarity::{
    document_similarity, sentence_similarity, sentence_tokens, Idf, PARAPHRASE_THRESHOLD,
};
use storyline_link::text;

use super::eval::{check_floors, read_jsonl};
use crate::output::line;

#[derive(Deserialize)]
struct SemEvalPair {
    lang1: String,
    lang2: String,
    text1: String,
    text2: String,
    overall: f64,
}

#[derive(Deserialize)]
struct MrpcPair {
    label: u8,
    s1: String,
    s2: String,
}

#[derive(Deserialize)]
struct StsPair {
    score: f64,
    s1: String,
    s2: String,
}

/// The aligner's similarity of each sentence pair, with word weights from
/// all the sentences given (as a store would weigh them).
fn pair_similarities<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<f32> {
    let toks: Vec<(Vec<u64>, Vec<u64>)> = pairs
        .map(|(a, b)| (sentence_tokens(a), sentence_tokens(b)))
        .collect();
    let idf = Idf::from_docs(toks.iter().flat_map(|(a, b)| [a.as_slice(), b.as_slice()]));
    toks.iter()
        .map(|(a, b)| sentence_similarity(a, b, &idf))
        .collect()
}

/// Pearson's correlation coefficient (0 when either side is constant).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// F1 of "paraphrase" decisions `score >= threshold` against labels.
fn f1_at(scores: &[f32], labels: &[bool], threshold: f32) -> f64 {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (&s, &l) in scores.iter().zip(labels) {
        match (s >= threshold, l) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            _ => {}
        }
    }
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fn_)
    }
}

/// The threshold with the best F1 on these pairs (ties: the lowest).
fn best_threshold(scores: &[f32], labels: &[bool]) -> f32 {
    let mut cands: Vec<f32> = scores.to_vec();
    cands.sort_by(f32::total_cmp);
    cands.dedup();
    cands
        .into_iter()
        .fold((f64::MIN, 0.0f32), |best, t| {
            let f = f1_at(scores, labels, t);
            if f > best.0 {
                (f, t)
            } else {
                best
            }
        })
        .1
}

#[derive(Serialize, Default)]
struct Report {
    semeval_pairs: usize,
    /// Pearson r per language pair ("en-en", "de-en", …) and "all".
    semeval_r: BTreeMap<String, (usize, f64)>,
    mrpc_pairs: usize,
    mrpc_f1: f64,
    mrpc_accuracy: f64,
    /// F1 with the threshold chosen on the other half (two folds, averaged).
    mrpc_cv_f1: f64,
    mrpc_best_threshold: f32,
    /// Pearson r on each STS-B news file.
    stsb_r: BTreeMap<String, (usize, f64)>,
}

/// Runs the similarity evaluations on `dir` (the `similarity/` data folder).
pub fn similarity(dir: &Path, floors: &[String], json: bool) -> Result<ExitCode> {
    let mut r = Report::default();

    // Documents.
    let pairs: Vec<SemEvalPair> = read_jsonl(&dir.join("semeval2022-task8-dev.jsonl"))?;
    r.semeval_pairs = pairs.len();
    let terms: Vec<Vec<String>> = pairs
        .iter()
        .flat_map(|p| [text::content_words(&p.text1), text::content_words(&p.text2)])
        .collect();
    let vectors = text::tfidf(&terms);
    let mut by_lang: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (k, p) in pairs.iter().enumerate() {
        let sim = f64::from(document_similarity(&vectors[2 * k], &vectors[2 * k + 1]));
        let mut langs = [p.lang1.as_str(), p.lang2.as_str()];
        langs.sort_unstable();
        for key in [langs.join("-"), "all".to_string()] {
            let e = by_lang.entry(key).or_default();
            e.0.push(sim);
            e.1.push(p.overall);
        }
    }
    for (k, (s, g)) in by_lang {
        r.semeval_r.insert(k, (s.len(), pearson(&s, &g)));
    }

    // Sentences: MRPC.
    let mrpc: Vec<MrpcPair> = read_jsonl(&dir.join("mrpc-train.jsonl"))?;
    r.mrpc_pairs = mrpc.len();
    let scores = pair_similarities(mrpc.iter().map(|p| (p.s1.as_str(), p.s2.as_str())));
    let labels: Vec<bool> = mrpc.iter().map(|p| p.label == 1).collect();
    r.mrpc_f1 = f1_at(&scores, &labels, PARAPHRASE_THRESHOLD);
    r.mrpc_accuracy = scores
        .iter()
        .zip(&labels)
        .filter(|(s, l)| (**s >= PARAPHRASE_THRESHOLD) == **l)
        .count() as f64
        / scores.len().max(1) as f64;
    r.mrpc_best_threshold = best_threshold(&scores, &labels);
    // Two folds (even and odd lines): each threshold is tuned on one half and
    // scored on the other, so the figure is not fitted to what it measures.
    let fold = |parity: usize| -> (Vec<f32>, Vec<bool>) {
        scores
            .iter()
            .zip(&labels)
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, (s, l))| (*s, *l))
            .unzip()
    };
    let (s0, l0) = fold(0);
    let (s1, l1) = fold(1);
    r.mrpc_cv_f1 = (f1_at(&s1, &l1, best_threshold(&s0, &l0))
        + f1_at(&s0, &l0, best_threshold(&s1, &l1)))
        / 2.0;

    // Sentences: STS-B news.
    for name in ["stsb-news-dev", "stsb-news-train"] {
        let path = dir.join(format!("{name}.jsonl"));
        if !path.exists() {
            continue;
        }
        let sts: Vec<StsPair> = read_jsonl(&path)?;
        let s: Vec<f64> = pair_similarities(sts.iter().map(|p| (p.s1.as_str(), p.s2.as_str())))
            .into_iter()
            .map(f64::from)
            .collect();
        let g: Vec<f64> = sts.iter().map(|p| p.score).collect();
        r.stsb_r
            .insert(name.to_string(), (sts.len(), pearson(&s, &g)));
    }

    let mut metrics = HashMap::new();
    for (k, (_, v)) in &r.semeval_r {
        // The gold runs from 1 (same) to 4 (unrelated): a good similarity
        // correlates negatively; floors are on |r|.
        metrics.insert(format!("semeval-{k}-abs-r"), v.abs());
    }
    metrics.insert("mrpc-f1".into(), r.mrpc_f1);
    metrics.insert("mrpc-cv-f1".into(), r.mrpc_cv_f1);
    for (k, (_, v)) in &r.stsb_r {
        metrics.insert(format!("{k}-r"), *v);
    }

    if json {
        crate::output::json(&r)?;
    } else {
        line(&format!(
            "document similarity, SemEval-2022 Task 8 ({} pairs): Pearson r with `overall` (1 = same … 4 = unrelated)",
            r.semeval_pairs
        ))?;
        for (k, (n, v)) in &r.semeval_r {
            line(&format!("  {k:<6} {n:>5} pairs  r = {v:+.3}"))?;
        }
        line(&format!(
            "sentence similarity, MRPC ({} pairs): F1 {:.3}, accuracy {:.3} at threshold {PARAPHRASE_THRESHOLD}; \
             2-fold F1 {:.3}; best threshold here {:.3}",
            r.mrpc_pairs, r.mrpc_f1, r.mrpc_accuracy, r.mrpc_cv_f1, r.mrpc_best_threshold
        ))?;
        for (k, (n, v)) in &r.stsb_r {
            line(&format!(
                "sentence similarity, {k} ({n} pairs): Pearson r = {v:+.3}"
            ))?;
        }
    }
    check_floors(&metrics, floors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_and_f1() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
        let scores = [0.9, 0.8, 0.2, 0.1];
        let labels = [true, false, true, false];
        assert!((f1_at(&scores, &labels, 0.5) - 0.5).abs() < 1e-12);
        assert_eq!(best_threshold(&scores, &labels), 0.2);
    }
}
