//! `storyline eval quotes DIR`: quotations and their speakers against
//! PolNeAR (brat standoff: `Content` = what was said, `Source` = who said
//! it, tied by `Attribution` relations).
//!
//! Each article's text is annotated as it is (no cleaning, so offsets stay
//! the gold's). A found quote *matches* a gold content when their character
//! spans overlap (one to one, largest overlap first); it matches *exactly*
//! when the spans are equal after leaving out quote marks, spaces, final
//! punctuation and a leading "that". The speaker of a matched quote is right
//! when the gold source's text and the speaker as written contain one
//! another (case folded: "the New York Post" / "New York Post", "he" /
//! "He"), or when a mention of the resolved speaker lies inside the source.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use storyline_model::{AnnotatedArticle, Article};

use super::eval::{check_floors, prf_counts};
use crate::output::line;

/// One attribution: content span and, if annotated, source span (chars).
#[derive(Debug, Clone, PartialEq)]
struct Gold {
    content: (usize, usize),
    source: Option<(usize, usize)>,
}

/// Reads a brat `.ann` file's attributions. Discontinuous spans
/// ("115 200;210 290") are taken from their first to their last character.
fn read_ann(path: &Path) -> Result<Vec<Gold>> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut spans: HashMap<&str, (&str, (usize, usize))> = HashMap::new();
    let mut relations = Vec::new();
    for (n, l) in raw.lines().enumerate() {
        let mut cols = l.split('\t');
        let (Some(id), Some(body)) = (cols.next(), cols.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let (kind, offsets) = body
                .split_once(' ')
                .with_context(|| format!("{}:{}: no offsets", path.display(), n + 1))?;
            let mut lo = usize::MAX;
            let mut hi = 0;
            for frag in offsets.split(';') {
                let (a, b) = frag.split_once(' ').with_context(|| {
                    format!("{}:{}: bad offsets {frag:?}", path.display(), n + 1)
                })?;
                lo = lo.min(a.parse()?);
                hi = hi.max(b.parse()?);
            }
            spans.insert(id, (kind, (lo, hi)));
        } else if id.starts_with('E') {
            relations.push(body);
        }
    }
    let mut out = Vec::new();
    for r in relations {
        let mut content = None;
        let mut source = None;
        for arg in r.split_whitespace() {
            let Some((role, id)) = arg.split_once(':') else {
                continue;
            };
            let span = spans.get(id).map(|s| s.1);
            match role {
                "Content" => content = span,
                "Source" => source = span,
                _ => {}
            }
        }
        if let Some(content) = content {
            out.push(Gold { content, source });
        }
    }
    Ok(out)
}

/// A found quote in character offsets, with its speaker.
struct Found {
    span: (usize, usize),
    speaker_name: Option<String>,
    /// Character spans of the resolved speaker's mentions.
    speaker_mentions: Vec<(usize, usize)>,
}

fn found(a: &AnnotatedArticle) -> Vec<Found> {
    a.quotes
        .iter()
        .map(|q| Found {
            span: (q.span.start as usize, q.span.end as usize),
            speaker_name: q.speaker_name.clone(),
            speaker_mentions: q
                .speaker
                .and_then(|i| a.entities.get(i))
                .map(|e| {
                    e.mentions
                        .iter()
                        .map(|m| (m.start as usize, m.end as usize))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// A span without surrounding quote marks, spaces, final punctuation and a
/// leading "that ".
fn core(chars: &[char], (mut s, mut e): (usize, usize)) -> (usize, usize) {
    let trim = |c: char| c.is_whitespace() || "\"“”‘’'.,;:".contains(c);
    e = e.min(chars.len());
    loop {
        while s < e && trim(chars[s]) {
            s += 1;
        }
        while e > s && trim(chars[e - 1]) {
            e -= 1;
        }
        let head: String = chars[s..e.min(s + 5)].iter().collect();
        if head.eq_ignore_ascii_case("that ") {
            s += 5;
        } else {
            return (s, e);
        }
    }
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

fn folded(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(Default, Serialize)]
struct Tally {
    gold: usize,
    found: usize,
    matched: usize,
    exact: usize,
    with_source: usize,
    speaker_right: usize,
}

/// Scores one article; adds to `t`.
fn score(text: &str, gold: &[Gold], found: &[Found], t: &mut Tally) {
    let chars: Vec<char> = text.chars().collect();
    let at = |(s, e): (usize, usize)| -> String {
        chars[s.min(chars.len())..e.min(chars.len())]
            .iter()
            .collect()
    };
    t.gold += gold.len();
    t.found += found.len();
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (fi, f) in found.iter().enumerate() {
            let o = overlap(g.content, f.span);
            if o > 0 {
                pairs.push((o, gi, fi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gold_used = vec![false; gold.len()];
    let mut found_used = vec![false; found.len()];
    for (_, gi, fi) in pairs {
        if gold_used[gi] || found_used[fi] {
            continue;
        }
        gold_used[gi] = true;
        found_used[fi] = true;
        t.matched += 1;
        let (g, f) = (&gold[gi], &found[fi]);
        if core(&chars, g.content) == core(&chars, f.span) {
            t.exact += 1;
        }
        if let Some(src) = g.source {
            t.with_source += 1;
            let gs = folded(&at(src));
            let by_name = f.speaker_name.as_deref().map(folded).is_some_and(|n| {
                !n.is_empty() && !gs.is_empty() && (gs.contains(&n) || n.contains(&gs))
            });
            let by_mention = f
                .speaker_mentions
                .iter()
                .any(|&m| m.0 >= src.0 && m.1 <= src.1);
            if by_name || by_mention {
                t.speaker_right += 1;
            }
        }
    }
}

/// `storyline eval quotes DIR`: DIR is a PolNeAR split (`text/`,
/// `attributions/`).
pub fn quotes(dir: &Path, floors: &[String], dump: Option<&Path>, json: bool) -> Result<ExitCode> {
    let mut dump = dump.map(super::eval::create_dump).transpose()?;
    let ann_dir = dir.join("attributions");
    let mut anns: Vec<PathBuf> = std::fs::read_dir(&ann_dir)
        .with_context(|| format!("{}: PolNeAR attributions", ann_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    anns.sort();
    // Several annotators may have done one article: the first file counts.
    let mut by_text: BTreeMap<String, PathBuf> = BTreeMap::new();
    for a in anns {
        let stem = a
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let base = stem
            .rsplit_once('_')
            .map_or(stem.as_str(), |(b, _)| b)
            .to_string();
        by_text.entry(base).or_insert(a);
    }
    let mut t = Tally::default();
    let mut articles = 0;
    let mut bytes = 0;
    let started = std::time::Instant::now();
    for (base, ann) in &by_text {
        let path = dir.join("text").join(format!("{base}.txt"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped {}: no text {}", ann.display(), path.display());
            continue;
        };
        let gold = read_ann(ann)?;
        let article = Article {
            source: path.display().to_string(),
            language: Some("en".into()),
            ..Article::plain(base, &text)
        };
        let a = storyline_nlp::annotate(article);
        let found = found(&a);
        score(&text, &gold, &found, &mut t);
        if let Some(out) = dump.as_mut() {
            use std::io::Write;
            let chars: Vec<char> = text.chars().collect();
            let at = |(s, e): (usize, usize)| -> String {
                chars[s.min(chars.len())..e.min(chars.len())]
                    .iter()
                    .collect()
            };
            let record = serde_json::json!({
                "article": base,
                "gold": gold.iter().map(|g| serde_json::json!({
                    "content": g.content, "text": at(g.content),
                    "source": g.source.map(at),
                })).collect::<Vec<_>>(),
                "found": a.quotes.iter().map(|q| serde_json::json!({
                    "content": (q.span.start, q.span.end), "text": q.text,
                    "speaker": q.speaker_name, "cue": q.cue, "kind": q.kind,
                })).collect::<Vec<_>>(),
            });
            writeln!(out, "{record}")?;
        }
        articles += 1;
        bytes += text.len();
    }
    if articles == 0 {
        bail!(
            "{}: no article with both text and attributions",
            dir.display()
        );
    }
    let secs = started.elapsed().as_secs_f64();
    let (p, r, overlap_f1) = prf_counts(t.matched, t.found, t.gold);
    let (ep, er, exact_f1) = prf_counts(t.exact, t.found, t.gold);
    let speaker = t.speaker_right as f64 / t.with_source.max(1) as f64;
    let mut metrics: HashMap<String, f64> = HashMap::new();
    metrics.insert("polnear-overlap-f1".into(), overlap_f1);
    metrics.insert("polnear-exact-f1".into(), exact_f1);
    metrics.insert("polnear-speaker-accuracy".into(), speaker);
    if json {
        crate::output::json(&serde_json::json!({
            "articles": articles,
            "tally": t,
            "metrics": metrics,
        }))?;
    } else {
        line(&format!(
            "PolNeAR {}: {articles} articles, {} attributions, {} quotes found ({:.1} MB/s annotating)",
            dir.display(),
            t.gold,
            t.found,
            bytes as f64 / 1e6 / secs.max(1e-9)
        ))?;
        line(&format!(
            "content, overlap: P {p:.3}  R {r:.3}  F1 {:.3}",
            overlap_f1
        ))?;
        line(&format!(
            "content, exact:   P {ep:.3}  R {er:.3}  F1 {:.3}",
            exact_f1
        ))?;
        line(&format!(
            "speaker accuracy on {} matched quotes with a gold source: {speaker:.3}",
            t.with_source
        ))?;
    }
    check_floors(&metrics, floors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brat_attributions_with_discontinuous_spans() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ann");
        std::fs::write(
            &p,
            "T1\tSource 0 11\tOlav Strand\nT2\tCue 12 16\tsaid\nT3\tContent 17 30;35 40\tx\n\
             T4\tAttribution 12 16\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
             T5\tContent 50 60\ty\nE2\tContent:T5\n",
        )
        .unwrap();
        let g = read_ann(&p).unwrap();
        assert_eq!(
            g,
            [
                Gold {
                    content: (17, 40),
                    source: Some((0, 11))
                },
                Gold {
                    content: (50, 60),
                    source: None
                },
            ]
        );
    }

    #[test]
    fn overlap_exact_and_speaker() {
        let text = "Olav Strand said that \"the quay will reopen on Friday.\" Later came rain.";
        let gold = [Gold {
            content: (17, 55),
            source: Some((0, 11)),
        }];
        let found = [
            Found {
                span: (23, 53),
                speaker_name: Some("Strand".into()),
                speaker_mentions: vec![],
            },
            Found {
                span: (56, 71),
                speaker_name: None,
                speaker_mentions: vec![],
            },
        ];
        let mut t = Tally::default();
        score(text, &gold, &found, &mut t);
        assert_eq!((t.gold, t.found, t.matched, t.exact), (1, 2, 1, 1));
        assert_eq!((t.with_source, t.speaker_right), (1, 1));
        let wrong = [Found {
            span: (23, 40),
            speaker_name: Some("Ana Lind".into()),
            speaker_mentions: vec![],
        }];
        let mut t = Tally::default();
        score(text, &gold, &wrong, &mut t);
        assert_eq!((t.matched, t.exact, t.speaker_right), (1, 0, 0));
    }
}
