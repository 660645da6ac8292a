//! `storyline eval time DIR`: time expressions against TimeML (TimeBank,
//! AQUAINT, WikiWars), TempEval-3 style: strict (exact span) and relaxed
//! (overlapping span) P/R/F1, and value and type F1 (relaxed matches with
//! the right attribute, over found and over gold expressions).
//!
//! Each `.tml` file's text is taken from inside `<TEXT>` with the tags
//! removed; its creation time (`functionInDocument="CREATION_TIME"`) is
//! the publication date the expressions resolve against.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::Serialize;

use super::eval::{check_floors, prf_counts};
use crate::output::line;

/// A gold or found expression: character span, type, value.
#[derive(Debug, Clone, PartialEq)]
struct Expr {
    start: usize,
    end: usize,
    kind: String,
    value: String,
}

/// One TimeML document: plain text, creation date, gold expressions.
#[derive(Debug)]
struct TimeDoc {
    text: String,
    dct: Option<String>,
    gold: Vec<Expr>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(tag[at..end].to_string())
}

fn decode_entity(e: &str) -> Option<char> {
    Some(match e {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let n = e.strip_prefix('#')?;
            let code = match n.strip_prefix('x') {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Parses a TimeML file's `<TEXT>` (tags removed, entities decoded) and
/// its TIMEX3 annotations, with character offsets into that text.
fn parse_tml(raw: &str, path: &Path) -> Result<TimeDoc> {
    let dct = raw
        .find("<DCT>")
        .and_then(|p| {
            attr(
                &raw[p..raw[p..].find("</DCT>").map_or(raw.len(), |e| p + e)],
                "value",
            )
        })
        .map(|v| v.chars().take(10).collect());
    let body_start = raw
        .find("<TEXT>")
        .with_context(|| format!("{}: no <TEXT>", path.display()))?
        + "<TEXT>".len();
    let body_end = raw[body_start..]
        .find("</TEXT>")
        .map_or(raw.len(), |e| body_start + e);
    let body = &raw[body_start..body_end];
    let mut text = String::new();
    let mut chars = 0usize;
    let mut gold = Vec::new();
    let mut open: Vec<(usize, String, String)> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('<') {
            let close = r
                .find('>')
                .with_context(|| format!("{}: unclosed tag", path.display()))?;
            let tag = &r[..close];
            if tag.starts_with("TIMEX3") {
                let kind = attr(tag, "type").unwrap_or_default();
                let value = attr(tag, "value").unwrap_or_default();
                if tag.ends_with('/') {
                    // An empty TIMEX3 (implicit time): nothing in the text.
                } else {
                    open.push((chars, kind, value));
                }
            } else if tag == "/TIMEX3" {
                if let Some((start, kind, value)) = open.pop() {
                    gold.push(Expr {
                        start,
                        end: chars,
                        kind,
                        value,
                    });
                }
            }
            rest = &r[close + 1..];
        } else if let Some(r) = rest.strip_prefix('&') {
            let semi = r.find(';').filter(|&s| s <= 8);
            match semi.and_then(|s| decode_entity(&r[..s]).map(|c| (s, c))) {
                Some((s, c)) => {
                    text.push(c);
                    rest = &r[s + 1..];
                }
                None => {
                    text.push('&');
                    rest = r;
                }
            }
            chars += 1;
        } else {
            let next = rest.find(['<', '&']).unwrap_or(rest.len());
            text.push_str(&rest[..next]);
            chars += rest[..next].chars().count();
            rest = &rest[next..];
        }
    }
    Ok(TimeDoc { text, dct, gold })
}

/// Our expressions for a text, in character offsets.
fn predict(text: &str, dct: Option<&str>) -> Vec<Expr> {
    let dct = dct
        .and_then(storyline_model::calendar::parse_date)
        .and_then(|d| jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).ok());
    let sents = storyline_nlp::sentences::split(text);
    let map = storyline_model::CharMap::new(text);
    storyline_nlp::times::find(text, dct, &sents)
        .into_iter()
        .map(|t| {
            let s = map.span(t.start, t.end);
            Expr {
                start: s.start as usize,
                end: s.end as usize,
                kind: t.kind.to_uppercase(),
                value: t.value,
            }
        })
        .collect()
}

#[derive(Default, Serialize, Clone, Copy)]
struct Tally {
    gold: usize,
    found: usize,
    strict: usize,
    relaxed: usize,
    value: usize,
    kind: usize,
}

/// One-to-one matching: exact spans first, then largest overlaps.
fn score(gold: &[Expr], found: &[Expr], t: &mut Tally) {
    t.gold += gold.len();
    t.found += found.len();
    let mut g_used = vec![false; gold.len()];
    let mut f_used = vec![false; found.len()];
    let mut pairs: Vec<(bool, usize, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (fi, f) in found.iter().enumerate() {
            let o = g.end.min(f.end).saturating_sub(g.start.max(f.start));
            if o > 0 {
                pairs.push(((g.start, g.end) == (f.start, f.end), o, gi, fi));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    for (exact, _, gi, fi) in pairs {
        if g_used[gi] || f_used[fi] {
            continue;
        }
        g_used[gi] = true;
        f_used[fi] = true;
        t.relaxed += 1;
        t.strict += usize::from(exact);
        t.value += usize::from(gold[gi].value == found[fi].value);
        t.kind += usize::from(gold[gi].kind == found[fi].kind);
    }
}

fn tml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "tml"))
        .collect();
    out.sort();
    Ok(out)
}

/// `storyline eval time DIR...`: each DIR is scored on its own (TimeBank +
/// AQUAINT as `tbaq`, WikiWars …), named by its last path component.
pub fn time(
    dirs: &[PathBuf],
    floors: &[String],
    dump: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    let mut dump = dump.map(super::eval::create_dump).transpose()?;
    let mut metrics: HashMap<String, f64> = HashMap::new();
    let mut report = Vec::new();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        let files = tml_files(dir)?;
        if files.is_empty() {
            anyhow::bail!("{}: no .tml files", dir.display());
        }
        let mut t = Tally::default();
        let mut bytes = 0usize;
        let mut secs = 0.0;
        for f in &files {
            let raw = std::fs::read_to_string(f).with_context(|| format!("{}", f.display()))?;
            let doc = parse_tml(&raw, f)?;
            let started = std::time::Instant::now();
            let found = predict(&doc.text, doc.dct.as_deref());
            secs += started.elapsed().as_secs_f64();
            bytes += doc.text.len();
            score(&doc.gold, &found, &mut t);
            if let Some(out) = dump.as_mut() {
                use std::io::Write;
                let show = |e: &Expr| {
                    let s: String = doc
                        .text
                        .chars()
                        .skip(e.start)
                        .take(e.end - e.start)
                        .collect();
                    serde_json::json!({"start": e.start, "end": e.end, "text": s, "type": e.kind, "value": e.value})
                };
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({
                        "file": f.display().to_string(), "dct": doc.dct,
                        "gold": doc.gold.iter().map(show).collect::<Vec<_>>(),
                        "found": found.iter().map(show).collect::<Vec<_>>(),
                    })
                )?;
            }
        }
        let (sp, sr, sf) = prf_counts(t.strict, t.found, t.gold);
        let (rp, rr, rf) = prf_counts(t.relaxed, t.found, t.gold);
        let (_, _, vf) = prf_counts(t.value, t.found, t.gold);
        let (_, _, tf) = prf_counts(t.kind, t.found, t.gold);
        metrics.insert(format!("{name}-strict-f1"), sf);
        metrics.insert(format!("{name}-relaxed-f1"), rf);
        metrics.insert(format!("{name}-value-f1"), vf);
        metrics.insert(format!("{name}-type-f1"), tf);
        report.push(serde_json::json!({
            "set": name, "documents": files.len(), "tally": t,
            "strict": [sp, sr, sf], "relaxed": [rp, rr, rf], "value_f1": vf, "type_f1": tf,
            "mb_per_s": bytes as f64 / 1e6 / secs.max(1e-9),
        }));
        if !json {
            line(&format!(
                "{name}: {} documents, {} gold, {} found ({:.1} MB/s)",
                files.len(),
                t.gold,
                t.found,
                bytes as f64 / 1e6 / secs.max(1e-9)
            ))?;
            line(&format!("  strict  P {sp:.3}  R {sr:.3}  F1 {sf:.3}"))?;
            line(&format!("  relaxed P {rp:.3}  R {rr:.3}  F1 {rf:.3}"))?;
            line(&format!("  value F1 {vf:.3}   type F1 {tf:.3}"))?;
        }
    }
    if json {
        crate::output::json(&serde_json::json!({"sets": report, "metrics": metrics}))?;
    }
    check_floors(&metrics, floors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TML: &str = r#"<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="2025-03-04" functionInDocument="CREATION_TIME">20250304</TIMEX3></DCT>
<TEXT>The quay closed <TIMEX3 tid="t1" type="DATE" value="2025-03-03">on Monday</TIMEX3> &amp; reopens <TIMEX3 tid="t2" type="DURATION" value="P3D">three days</TIMEX3> later.<TIMEX3 tid="t3" type="DATE" value="X"/></TEXT></TimeML>"#;

    #[test]
    fn timeml_text_offsets_and_creation_time() {
        let d = parse_tml(TML, Path::new("x.tml")).unwrap();
        assert_eq!(d.dct.as_deref(), Some("2025-03-04"));
        assert_eq!(
            d.text,
            "The quay closed on Monday & reopens three days later."
        );
        let spans: Vec<&str> = d.gold.iter().map(|e| &d.text[e.start..e.end]).collect();
        assert_eq!(spans, ["on Monday", "three days"]);
        assert_eq!(d.gold[1].value, "P3D");
    }

    #[test]
    fn strict_relaxed_and_value_matching() {
        let e = |s, e, v: &str| Expr {
            start: s,
            end: e,
            kind: "DATE".into(),
            value: v.into(),
        };
        let gold = [e(16, 25, "2025-03-03"), e(36, 46, "P3D")];
        let found = [e(19, 25, "2025-03-03"), e(36, 46, "P2D"), e(0, 3, "X")];
        let mut t = Tally::default();
        score(&gold, &found, &mut t);
        assert_eq!((t.strict, t.relaxed, t.value, t.kind), (1, 2, 1, 2));
        assert_eq!((t.gold, t.found), (2, 3));
    }
}
