//! `storyline eval …`: each stage measured against public data with the
//! metric its anchor publishes (`../shared/data/README.md`), with optional
//! floors that make the command fail (for CI).

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use storyline_ingest::{decode_bytes, PageKind, RawDoc};

use crate::output::line;

/// Checks `name=value` floors against measured metrics; prints each check.
pub(crate) fn check_floors(metrics: &HashMap<String, f64>, floors: &[String]) -> Result<ExitCode> {
    let mut failed = 0;
    for f in floors {
        let Some((name, value)) = f.split_once('=') else {
            bail!("floor {f:?} is not NAME=VALUE");
        };
        let floor: f64 = value
            .parse()
            .with_context(|| format!("floor {f:?}: not a number"))?;
        let Some(got) = metrics.get(name) else {
            let mut known: Vec<&String> = metrics.keys().collect();
            known.sort();
            bail!("floor {f:?}: no metric named {name:?} (known: {known:?})");
        };
        let ok = *got >= floor;
        if !ok {
            failed += 1;
        }
        eprintln!(
            "floor {name}: {got:.4} {} {floor}",
            if ok { ">=" } else { "BELOW" }
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Opens a `--dump` file for JSONL records.
pub(crate) fn create_dump(path: &Path) -> Result<std::io::BufWriter<std::fs::File>> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(std::io::BufWriter::new(file))
}

/// Reads a JSONL file of records; a bad line is an error naming the file and
/// line.
pub(crate) fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a valid record", path.display(), i + 1))
        })
        .collect()
}

/// Tokens as Python's `re.findall(r"\w+")` gives them: runs of letters,
/// digits, marks and underscores.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_' || is_mark(c);
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Combining marks (the common blocks), which Python's `\w` counts as word characters.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Normalised (tp, fp, fn) of one document.
type Counts = (f64, f64, f64);

/// The ScrapingHub article-extraction-benchmark score of one document:
/// multisets of 4-token shingles, (tp, fp, fn) normalised to sum 1.
pub fn shingle_match(gold: &str, pred: &str) -> (f64, f64, f64) {
    fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
        let t = tokens(text);
        let mut m: HashMap<Vec<&str>, usize> = HashMap::new();
        if t.is_empty() {
            return m;
        }
        // Fewer than four tokens make one short shingle, as in the reference.
        let n = t.len().saturating_sub(3).max(1);
        for i in 0..n {
            *m.entry(t[i..(i + 4).min(t.len())].to_vec()).or_default() += 1;
        }
        m
    }
    let (g, p) = (shingles(gold), shingles(pred));
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (k, &pc) in &p {
        let gc = g.get(k).copied().unwrap_or(0);
        tp += pc.min(gc) as f64;
        fp += pc.saturating_sub(gc) as f64;
    }
    for (k, &gc) in &g {
        fn_ += gc.saturating_sub(p.get(k).copied().unwrap_or(0)) as f64;
    }
    let s = tp + fp + fn_;
    if s > 0.0 {
        (tp / s, fp / s, fn_ / s)
    } else {
        (0.0, 0.0, 0.0)
    }
}

/// Harmonic mean of precision and recall (0 when both are 0).
pub(crate) fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// Precision, recall and F1 from counts: `hit` right among `found`
/// predictions, against `gold` expected items.
pub(crate) fn prf_counts(hit: usize, found: usize, gold: usize) -> (f64, f64, f64) {
    let p = hit as f64 / found.max(1) as f64;
    let r = hit as f64 / gold.max(1) as f64;
    (p, r, f1(p, r))
}

/// Precision, recall and F1 over documents, as the reference computes them.
pub fn prf(scores: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    // The reference's precision_score and recall_score are one function with
    // the roles of fp and fn swapped; each averages over the documents where
    // its denominator is positive.
    let mean_share = |roles: fn(&Counts) -> Counts| {
        let shares: Vec<f64> = scores
            .iter()
            .map(roles)
            .filter(|(tp, err, _)| tp + err > 0.0)
            .map(|(tp, err, other)| {
                if err == 0.0 && other == 0.0 {
                    1.0
                } else if tp == 0.0 && err == 0.0 {
                    0.0
                } else {
                    tp / (tp + err)
                }
            })
            .collect();
        if shares.is_empty() {
            0.0
        } else {
            shares.iter().sum::<f64>() / shares.len() as f64
        }
    };
    let p = mean_share(|&(tp, fp, fn_)| (tp, fp, fn_));
    let r = mean_share(|&(tp, fp, fn_)| (tp, fn_, fp));
    (p, r, f1(p, r))
}

#[derive(serde::Deserialize)]
struct Gold {
    id: String,
    url: Option<String>,
    title: Option<String>,
    author: Option<String>,
    publish_date: Option<String>,
    main_content: String,
}

/// Lower-case word tokens, for comparing titles and names.
fn norm_words(s: &str) -> Vec<String> {
    tokens(s).into_iter().map(str::to_lowercase).collect()
}

fn title_correct(gold: &str, pred: Option<&str>) -> bool {
    pred.is_some_and(|p| norm_words(p) == norm_words(gold))
}

/// An author is right when one predicted name's words all appear in the gold
/// author field, or the gold name's words all appear in the prediction
/// ("Dylan Bailey, MS, RD" vs "Dylan Bailey").
fn author_correct(gold: &str, pred: &[String]) -> bool {
    let g = norm_words(gold);
    if g.is_empty() || pred.is_empty() {
        return false;
    }
    let all: Vec<String> = pred.iter().flat_map(|p| norm_words(p)).collect();
    let first = norm_words(&pred[0]);
    (!first.is_empty() && first.iter().all(|w| g.contains(w))) || g.iter().all(|w| all.contains(w))
}

#[derive(Serialize, Default)]
struct FormatReport {
    documents: usize,
    errors: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    pages_per_second: f64,
    title_accuracy: f64,
    author_accuracy: f64,
    date_accuracy: f64,
    title_gold: usize,
    author_gold: usize,
    date_gold: usize,
    /// Share of documents without a gold author where we named one anyway.
    author_false_rate: f64,
}

#[derive(Serialize)]
struct ExtractionReport {
    html: FormatReport,
    text: FormatReport,
}

fn eval_format(
    dir: &Path,
    golds: &[Gold],
    kind: PageKind,
    verbose: bool,
    dump: &mut Option<std::io::BufWriter<std::fs::File>>,
) -> Result<FormatReport> {
    let (sub, ext) = match kind {
        PageKind::Html => ("html", "html"),
        PageKind::Text => ("txt", "txt"),
    };
    let mut scores = Vec::with_capacity(golds.len());
    let mut elapsed = Duration::ZERO;
    let mut r = FormatReport::default();
    let (mut title_ok, mut author_ok, mut date_ok) = (0, 0, 0);
    let (mut no_author, mut invented) = (0, 0);
    for g in golds {
        let path = dir.join(sub).join(format!("{}.{ext}", g.id));
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let (content, _) = decode_bytes(&bytes, kind);
        let mut doc = RawDoc::new(path.display().to_string(), kind, content);
        doc.url = g.url.clone();
        // Only the cleaner is timed: reading and scoring are not extraction.
        let t0 = Instant::now();
        let article = storyline_clean::clean(&doc);
        elapsed += t0.elapsed();
        let article = match article {
            Ok(a) => Some(a),
            Err(_) => {
                r.errors += 1;
                None
            }
        };
        let body = article.as_ref().map_or("", |a| a.body.as_str());
        if let (Some(w), Some(a)) = (dump.as_mut(), article.as_ref()) {
            use std::io::Write;
            let rec = serde_json::json!({"id": g.id, "format": sub, "article": a});
            writeln!(w, "{rec}")?;
        }
        let s = shingle_match(&g.main_content, body);
        if verbose {
            eprintln!(
                "{}\t{sub}\tP={:.3}\tR={:.3}",
                g.id,
                s.0 / (s.0 + s.1).max(1e-9),
                s.0 / (s.0 + s.2).max(1e-9)
            );
        }
        scores.push(s);
        if let Some(t) = g.title.as_deref().filter(|t| !t.trim().is_empty()) {
            r.title_gold += 1;
            title_ok += usize::from(title_correct(
                t,
                article.as_ref().and_then(|a| a.title.as_deref()),
            ));
        }
        if let Some(au) = g.author.as_deref().filter(|t| !t.trim().is_empty()) {
            r.author_gold += 1;
            author_ok += usize::from(author_correct(
                au,
                article.as_ref().map_or(&[][..], |a| &a.authors[..]),
            ));
        } else {
            no_author += 1;
            invented += usize::from(article.as_ref().is_some_and(|a| !a.authors.is_empty()));
        }
        if let Some(d) = g.publish_date.as_deref().filter(|t| !t.trim().is_empty()) {
            r.date_gold += 1;
            let gold_day = d.get(..10).unwrap_or(d);
            date_ok += usize::from(
                article.as_ref().and_then(|a| a.published.as_deref()) == Some(gold_day),
            );
        }
    }
    let (p, rc, f) = prf(&scores);
    r.documents = golds.len();
    r.precision = p;
    r.recall = rc;
    r.f1 = f;
    r.pages_per_second = golds.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    let acc = |ok: usize, n: usize| if n == 0 { 0.0 } else { ok as f64 / n as f64 };
    r.title_accuracy = acc(title_ok, r.title_gold);
    r.author_accuracy = acc(author_ok, r.author_gold);
    r.date_accuracy = acc(date_ok, r.date_gold);
    r.author_false_rate = acc(invented, no_author);
    Ok(r)
}

/// `storyline eval extraction DIR`: DIR holds `ground-truth.jsonl`, `html/`
/// and `txt/` (the unpacked WCXB dev set).
pub fn extraction(
    dir: &Path,
    limit: Option<usize>,
    floors: &[String],
    json: bool,
    verbose: bool,
    dump: Option<&Path>,
) -> Result<ExitCode> {
    let mut dump = dump.map(create_dump).transpose()?;
    let mut golds: Vec<Gold> = read_jsonl(&dir.join("ground-truth.jsonl"))?;
    if let Some(n) = limit {
        golds.truncate(n);
    }
    let report = ExtractionReport {
        html: eval_format(dir, &golds, PageKind::Html, verbose, &mut dump)?,
        text: eval_format(dir, &golds, PageKind::Text, verbose, &mut dump)?,
    };
    if json {
        crate::output::json(&report)?;
    } else {
        line(&format!(
            "extraction on {} documents ({})",
            golds.len(),
            dir.display()
        ))?;
        line(
            "format  F1     P      R      pages/s  title  author  date   errors  invented-author",
        )?;
        for (name, r) in [("html", &report.html), ("text", &report.text)] {
            line(&format!(
                "{name:<6}  {:.3}  {:.3}  {:.3}  {:>7.0}  {:.3}  {:.3}   {:.3}  {:<6}  {:.3}",
                r.f1,
                r.precision,
                r.recall,
                r.pages_per_second,
                r.title_accuracy,
                r.author_accuracy,
                r.date_accuracy,
                r.errors,
                r.author_false_rate
            ))?;
        }
        line(&format!(
            "(title over {} documents with a gold title, author over {}, date over {}; invented-author: share of \
             pages without a gold author given one; pages/s: cleaner only, one core)",
            report.html.title_gold, report.html.author_gold, report.html.date_gold
        ))?;
    }
    let mut metrics = HashMap::new();
    for (name, r) in [("html", &report.html), ("text", &report.text)] {
        metrics.insert(format!("{name}-f1"), r.f1);
        metrics.insert(format!("{name}-precision"), r.precision);
        metrics.insert(format!("{name}-recall"), r.recall);
        metrics.insert(format!("{name}-title"), r.title_accuracy);
        metrics.insert(format!("{name}-author"), r.author_accuracy);
        metrics.insert(format!("{name}-date"), r.date_accuracy);
        metrics.insert(format!("{name}-pages-per-second"), r.pages_per_second);
    }
    check_floors(&metrics, floors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_metric_matches_the_reference_definition() {
        // Identical texts: all true positives.
        assert_eq!(shingle_match("a b c d e", "a b c d e"), (1.0, 0.0, 0.0));
        // Gold "a b c d e" has shingles abcd, bcde; prediction "a b c d x" has abcd, bcdx.
        let (tp, fp, fn_) = shingle_match("a b c d e", "a b c d x");
        assert!(
            (tp - 1.0 / 3.0).abs() < 1e-9
                && (fp - 1.0 / 3.0).abs() < 1e-9
                && (fn_ - 1.0 / 3.0).abs() < 1e-9
        );
        // Short texts make one shingle; punctuation is not a token.
        assert_eq!(
            shingle_match("Hello, world!", "hello world"),
            (0.0, 0.5, 0.5)
        );
        assert_eq!(shingle_match("", ""), (0.0, 0.0, 0.0));
        // Repeated shingles count as a multiset.
        let (tp, fp, _) = shingle_match("a b c d", "a b c d. a b c d");
        assert!(tp > 0.0 && fp > 0.0);
    }

    #[test]
    fn precision_recall_follow_the_reference_edge_cases() {
        // An empty prediction counts for recall (0) but not for precision.
        let (p, r, _) = prf(&[(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]);
        assert_eq!((p, r), (1.0, 0.5));
        let (p, r, f) = prf(&[(0.5, 0.25, 0.25)]);
        assert!(
            (p - 2.0 / 3.0).abs() < 1e-9
                && (r - 2.0 / 3.0).abs() < 1e-9
                && (f - 2.0 / 3.0).abs() < 1e-9
        );
    }

    #[test]
    fn tokens_like_python_word_regex() {
        assert_eq!(
            tokens("Kim’s e-mail, 2025_q4 café"),
            vec!["Kim", "s", "e", "mail", "2025_q4", "café"]
        );
    }

    #[test]
    fn metadata_matching() {
        assert!(title_correct(
            "What is Cloud Computing?",
            Some("what is cloud computing")
        ));
        assert!(!title_correct(
            "What is Cloud Computing?",
            Some("Cloud Computing | Site")
        ));
        assert!(author_correct(
            "Dylan Bailey, MS, RD, FAND",
            &["Dylan Bailey".into()]
        ));
        assert!(author_correct(
            "Ana Lind",
            &["Ana Lind".into(), "Per Holm".into()]
        ));
        assert!(!author_correct("Ana Lind", &["Per Holm".into()]));
        assert!(!author_correct("Ana Lind", &[]));
    }

    #[test]
    fn floors_pass_and_fail() {
        let m: HashMap<String, f64> = [("html-f1".to_string(), 0.9)].into();
        assert_eq!(
            check_floors(&m, &["html-f1=0.85".into()]).unwrap(),
            ExitCode::SUCCESS
        );
        assert_eq!(
            check_floors(&m, &["html-f1=0.95".into()]).unwrap(),
            ExitCode::from(1)
        );
        assert!(check_floors(&m, &["nope=1".into()]).is_err());
        assert!(check_floors(&m, &["html-f1".into()]).is_err());
    }
}
