//! `storyline eval events DIR`: the whole pipeline (clean, annotate, link)
//! on ECB+ documents (events against `event_cluster`, storylines against
//! `topic`) and on Google News headlines (events against `story`), scored
//! with B-cubed and pairwise F1; and, when the seeds are at hand, the seed
//! check the issue names.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use storyline_ingest::{PageKind, RawDoc};
use storyline_model::{calendar, Analysis, AnnotatedArticle};

use super::eval::{check_floors, create_dump, read_jsonl};
use crate::output::line;
use storyline_pipeline::annotate_one;

#[derive(Deserialize)]
struct EcbDoc {
    doc_id: String,
    topic: serde_json::Value,
    event_cluster: String,
    text: String,
}

#[derive(Deserialize)]
struct Headline {
    id: serde_json::Value,
    title: String,
    publisher: Option<String>,
    story: String,
    timestamp_ms: Option<i64>,
}

/// B-cubed precision, recall, F1 and pairwise F1 of `pred` against `gold`
/// (cluster labels per item, same order).
pub fn bcubed<P: Eq + std::hash::Hash, G: Eq + std::hash::Hash>(
    pred: &[P],
    gold: &[G],
) -> (f64, f64, f64, f64) {
    let n = pred.len().min(gold.len());
    if n == 0 {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let mut p_size: HashMap<&P, usize> = HashMap::new();
    let mut g_size: HashMap<&G, usize> = HashMap::new();
    let mut both: HashMap<(&P, &G), usize> = HashMap::new();
    for i in 0..n {
        *p_size.entry(&pred[i]).or_default() += 1;
        *g_size.entry(&gold[i]).or_default() += 1;
        *both.entry((&pred[i], &gold[i])).or_default() += 1;
    }
    let (mut p, mut r) = (0.0, 0.0);
    for i in 0..n {
        let c = both[&(&pred[i], &gold[i])] as f64;
        p += c / p_size[&pred[i]] as f64;
        r += c / g_size[&gold[i]] as f64;
    }
    let (p, r) = (p / n as f64, r / n as f64);
    let f = super::eval::f1(p, r);
    // Pairwise: pairs placed together vs pairs that belong together.
    let pairs = |m: usize| (m * m.saturating_sub(1) / 2) as f64;
    let same_both: f64 = both.values().map(|&c| pairs(c)).sum();
    let same_pred: f64 = p_size.values().map(|&c| pairs(c)).sum();
    let same_gold: f64 = g_size.values().map(|&c| pairs(c)).sum();
    let pf = if same_pred + same_gold > 0.0 {
        2.0 * same_both / (same_pred + same_gold)
    } else {
        0.0
    };
    (p, r, f, pf)
}

/// Event and storyline label of each article id in an analysis.
fn labels(a: &Analysis) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut event_of = HashMap::new();
    for (k, e) in a.events.iter().enumerate() {
        for m in &e.articles {
            event_of.insert(m.clone(), k);
        }
    }
    let articles_of: HashMap<&str, &Vec<String>> = a
        .events
        .iter()
        .map(|e| (e.id.as_str(), &e.articles))
        .collect();
    let mut story_of = HashMap::new();
    for (k, s) in a.storylines.iter().enumerate() {
        for art in s
            .events
            .iter()
            .filter_map(|e| articles_of.get(e.as_str()))
            .copied()
            .flatten()
        {
            story_of.insert(art.clone(), k);
        }
    }
    (event_of, story_of)
}

/// Writes one JSONL record to the `--dump` file, if there is one.
fn write_record(
    dump: &mut Option<std::io::BufWriter<std::fs::File>>,
    record: serde_json::Value,
) -> Result<()> {
    if let Some(out) = dump {
        use std::io::Write;
        writeln!(out, "{record}")?;
    }
    Ok(())
}

/// Annotates pages on all cores; a page that fails stays out (reported).
fn annotate_all(docs: &[RawDoc]) -> Vec<Option<AnnotatedArticle>> {
    use rayon::prelude::*;
    docs.par_iter().map(|d| annotate_one(d).ok()).collect()
}

#[derive(Serialize, Default)]
struct Scores {
    documents: usize,
    clusters_gold: usize,
    clusters_found: usize,
    bcubed_precision: f64,
    bcubed_recall: f64,
    bcubed_f1: f64,
    pairwise_f1: f64,
}

fn scores(pred: &[usize], gold: &[String]) -> Scores {
    let (p, r, f, pf) = bcubed(pred, gold);
    let distinct = |xs: Vec<String>| {
        xs.into_iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    Scores {
        documents: pred.len(),
        clusters_gold: distinct(gold.to_vec()),
        clusters_found: distinct(pred.iter().map(|x| x.to_string()).collect()),
        bcubed_precision: p,
        bcubed_recall: r,
        bcubed_f1: f,
        pairwise_f1: pf,
    }
}

#[derive(Serialize, Default)]
struct Report {
    ecb_events: Scores,
    ecb_storylines: Scores,
    headlines: Scores,
    link_seconds: BTreeMap<String, f64>,
    seeds: Option<String>,
}

/// Links annotated pages and labels each input by its event and storyline.
/// Pages that failed or repeat another page's text take their own label.
fn cluster(
    annotated: Vec<Option<AnnotatedArticle>>,
    secs: &mut BTreeMap<String, f64>,
    name: &str,
) -> (Vec<usize>, Vec<usize>, Analysis) {
    let ids: Vec<Option<String>> = annotated
        .iter()
        .map(|a| a.as_ref().map(|a| a.article.id.clone()))
        .collect();
    let mut unique: HashMap<String, AnnotatedArticle> = HashMap::new();
    for a in annotated.into_iter().flatten() {
        unique.entry(a.article.id.clone()).or_insert(a);
    }
    let t = Instant::now();
    let analysis = storyline_link::link(unique.into_values().collect(), Vec::new());
    secs.insert(name.to_string(), t.elapsed().as_secs_f64());
    let (event_of, story_of) = labels(&analysis);
    // Unplaced pages get labels no cluster uses.
    let mut fresh = 1_000_000usize;
    let mut label = |m: &HashMap<String, usize>, id: &Option<String>| {
        id.as_ref()
            .and_then(|id| m.get(id).copied())
            .unwrap_or_else(|| {
                fresh += 1;
                fresh
            })
    };
    let events: Vec<usize> = ids.iter().map(|id| label(&event_of, id)).collect();
    let stories: Vec<usize> = ids.iter().map(|id| label(&story_of, id)).collect();
    (events, stories, analysis)
}

/// Runs the event evaluations on `dir` (the `clustering/` data folder).
pub fn events(
    dir: &Path,
    seeds: Option<&Path>,
    floors: &[String],
    dump: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    let mut r = Report::default();
    let mut dump = dump.map(create_dump).transpose()?;

    // ECB+: documents without dates; two confusable events per topic.
    let ecb: Vec<EcbDoc> = read_jsonl(&dir.join("ecbplus-dev.jsonl"))?;
    let raw: Vec<RawDoc> = ecb
        .iter()
        .map(|d| RawDoc::new(d.doc_id.clone(), PageKind::Text, d.text.clone()))
        .collect();
    let annotated = annotate_all(&raw);
    let kept = dump.is_some().then(|| annotated.clone());
    let (events, stories, _) = cluster(annotated, &mut r.link_seconds, "ecbplus");
    let gold_events: Vec<String> = ecb.iter().map(|d| d.event_cluster.clone()).collect();
    let gold_topics: Vec<String> = ecb.iter().map(|d| d.topic.to_string()).collect();
    for (k, a) in kept.into_iter().flatten().enumerate() {
        write_record(
            &mut dump,
            serde_json::json!({
                "set": "ecbplus",
                "doc_id": ecb[k].doc_id,
                "gold_event": gold_events[k],
                "gold_storyline": gold_topics[k],
                "event": events[k],
                "storyline": stories[k],
                "article": a,
            }),
        )?;
    }
    r.ecb_events = scores(&events, &gold_events);
    r.ecb_storylines = scores(&stories, &gold_topics);

    // Google News: headlines with publisher and time.
    let heads: Vec<Headline> = read_jsonl(&dir.join("google-news-headlines.jsonl"))?;
    let raw: Vec<RawDoc> = heads
        .iter()
        .map(|h| {
            let mut d = RawDoc::new(
                format!("headline {}", h.id),
                PageKind::Text,
                h.title.clone(),
            );
            d.outlet = h.publisher.clone();
            d.published = h.timestamp_ms.and_then(|ms| {
                calendar::Ymd::from_days_since_epoch(ms.div_euclid(86_400_000)).map(|d| d.iso())
            });
            d
        })
        .collect();
    let (events, _, _) = cluster(annotate_all(&raw), &mut r.link_seconds, "headlines");
    let gold: Vec<String> = heads.iter().map(|h| h.story.clone()).collect();
    if dump.is_some() {
        for (k, h) in heads.iter().enumerate() {
            write_record(
                &mut dump,
                serde_json::json!({
                    "set": "headlines",
                    "doc_id": h.id,
                    "title": h.title,
                    "published": raw[k].published,
                    "gold_event": gold[k],
                    "event": events[k],
                }),
            )?;
        }
    }
    r.headlines = scores(&events, &gold);

    // The seeds: the two reports of the factory visit one event, the other
    // three pages three more, all in one storyline.
    if let Some(seeds) = seeds.filter(|p| p.is_dir()) {
        let mut raw: Vec<RawDoc> = Vec::new();
        for item in storyline_ingest::read_paths(&[seeds.to_path_buf()]) {
            raw.extend(item.ok());
        }
        let annotated: Vec<AnnotatedArticle> = annotate_all(&raw).into_iter().flatten().collect();
        let n = annotated.len();
        for a in &annotated {
            write_record(
                &mut dump,
                serde_json::json!({ "set": "seeds", "article": a }),
            )?;
        }
        let a = storyline_link::link(annotated, Vec::new());
        let sizes: Vec<usize> = {
            let mut s: Vec<usize> = a.events.iter().map(|e| e.articles.len()).collect();
            s.sort_unstable();
            s
        };
        let ok = n == 5 && sizes == vec![1, 1, 1, 2] && a.storylines.len() == 1;
        r.seeds = Some(format!(
            "{}: {n} pages, events of sizes {sizes:?}, {} storylines",
            if ok { "ok" } else { "WRONG" },
            a.storylines.len()
        ));
    }

    if let Some(out) = dump.as_mut() {
        std::io::Write::flush(out)?;
    }

    let mut metrics = HashMap::new();
    for (name, s) in [
        ("ecb-event", &r.ecb_events),
        ("ecb-storyline", &r.ecb_storylines),
        ("headline-event", &r.headlines),
    ] {
        metrics.insert(format!("{name}-bcubed-f1"), s.bcubed_f1);
        metrics.insert(format!("{name}-pairwise-f1"), s.pairwise_f1);
    }
    if let Some(s) = &r.seeds {
        metrics.insert("seeds".into(), f64::from(u8::from(s.starts_with("ok"))));
    }
    if json {
        crate::output::json(&r)?;
    } else {
        line("clustering        docs  gold  found  B3-P   B3-R   B3-F1  pair-F1")?;
        for (name, s) in [
            ("ECB+ events", &r.ecb_events),
            ("ECB+ storylines", &r.ecb_storylines),
            ("headline events", &r.headlines),
        ] {
            line(&format!(
                "{name:<16} {:>5} {:>5} {:>6}  {:.3}  {:.3}  {:.3}  {:.3}",
                s.documents,
                s.clusters_gold,
                s.clusters_found,
                s.bcubed_precision,
                s.bcubed_recall,
                s.bcubed_f1,
                s.pairwise_f1
            ))?;
        }
        line(&format!(
            "link time: {}",
            r.link_seconds
                .iter()
                .map(|(k, v)| format!("{k} {v:.2} s"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        if let Some(s) = &r.seeds {
            line(&format!("seeds: {s}"))?;
        }
    }
    check_floors(&metrics, floors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcubed_by_hand() {
        // Gold {0,1,2} {3,4}; predicted {0,1} {2,3,4}.
        let pred = [1, 1, 2, 2, 2];
        let gold = ["a", "a", "a", "b", "b"];
        let (p, r, f, pf) = bcubed(&pred, &gold);
        // Precision: 1,1 for the first two; 1/3, 2/3, 2/3 for the rest.
        assert!((p - (2.0 + 1.0 / 3.0 + 4.0 / 3.0) / 5.0).abs() < 1e-12);
        // Recall: 2/3, 2/3, 1/3, 1, 1.
        assert!((r - (2.0 / 3.0 * 2.0 + 1.0 / 3.0 + 2.0) / 5.0).abs() < 1e-12);
        assert!(f > 0.0 && f < 1.0);
        // Pairs together: pred 1 + 3 = 4, gold 3 + 1 = 4, both 1 + 1 = 2.
        assert!((pf - 0.5).abs() < 1e-12);
        let perfect = bcubed(&gold, &gold);
        assert_eq!((perfect.2, perfect.3), (1.0, 1.0));
    }
}
