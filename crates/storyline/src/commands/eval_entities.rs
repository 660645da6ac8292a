//! `storyline eval entities DIR` and `storyline train entities DIR`: named
//! people, organisations and places against GUM (CoNLL-U with entity
//! annotation), and training the shipped tagger on GUM and WNUT-17.
//!
//! GUM marks every mention (pronouns, "the military"); a mention is a *name*
//! here when its syntactic head is a proper noun. Spans are compared
//! exactly, after leaving out a leading "the" and a trailing possessive or
//! full stop on both sides (conventions differ, names do not).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use storyline_model::EntityKind;
use storyline_nlp::ner::{self, Example, Model};

use super::eval::check_floors;
use crate::output::line;

/// GUM genres whose texts are CC BY or CC BY-SA (GUM's LICENSE.txt): only
/// these may train a model we ship.
const OPEN_GENRES: &[&str] = &["academic", "bio", "court", "interview", "news", "voyage"];

/// Words that may join two proper nouns inside one name ("Bank of
/// England", "Food Standards Australia and New Zealand"); "in", "from" do
/// not ("Adler Planetarium in Chicago" is two names).
const NAME_LINKS: &[&str] = &[
    "of", "and", "&", "for", "the", "de", "du", "la", "von", "van", "der",
];

/// One GUM document: its text and named mentions (byte ranges).
pub struct GumDoc {
    pub name: String,
    pub genre: String,
    pub text: String,
    pub names: Vec<(usize, usize, EntityKind)>,
}

struct Token {
    form: String,
    start: usize,
    end: usize,
    upos: String,
    head: usize,
}

/// Reads one GUM CoNLL-U file.
pub fn read_gum(path: &Path) -> Result<GumDoc> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let genre = name.split('_').nth(1).unwrap_or("").to_string();
    let mut text = String::new();
    let mut names = Vec::new();
    // Per sentence: tokens by id, open mentions (id → first token, type).
    let mut toks: Vec<Token> = Vec::new();
    let mut mentions: Vec<(usize, usize, String)> = Vec::new();
    let mut open: HashMap<String, Vec<(usize, String)>> = HashMap::new();
    let mut range_end = 0usize;
    let mut pending_space = false;
    let flush = |toks: &mut Vec<Token>,
                 mentions: &mut Vec<(usize, usize, String)>,
                 names: &mut Vec<(usize, usize, EntityKind)>| {
        for (first, last, etype) in mentions.drain(..) {
            let kind = match etype.as_str() {
                "person" => EntityKind::Person,
                "organization" => EntityKind::Organization,
                "place" => EntityKind::Place,
                _ => continue,
            };
            // The head: the token whose head lies outside the mention.
            let inside = |h: usize| h > first && h <= last + 1;
            let head = (first..=last).find(|&i| !inside(toks[i].head));
            let Some(h) = head.filter(|&h| toks[h].upos == "PROPN") else {
                continue;
            };
            // The name is the run of proper nouns and capitalised words
            // around the head (with "of", "the", "and" between two of
            // them), not the whole mention: "14-year-old Ahmed Mohamed"
            // names "Ahmed Mohamed"; "New York City" keeps its adjective.
            let propn = |i: usize| {
                toks[i].upos == "PROPN"
                    || toks[i].upos != "DET"
                        && toks[i].form.chars().next().is_some_and(char::is_uppercase)
            };
            let link = |i: usize| NAME_LINKS.contains(&toks[i].form.as_str());
            let (mut a, mut b) = (h, h);
            while a > first && (propn(a - 1) || a >= first + 2 && link(a - 1) && propn(a - 2)) {
                a -= 1;
            }
            while b < last && (propn(b + 1) || b + 2 <= last && link(b + 1) && propn(b + 2)) {
                b += 1;
            }
            names.push((toks[a].start, toks[b].end, kind));
        }
        toks.clear();
    };
    for (n, l) in raw.lines().enumerate() {
        if l.starts_with("# newpar") {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            pending_space = false;
            continue;
        }
        if l.is_empty() {
            flush(&mut toks, &mut mentions, &mut names);
            range_end = 0;
            continue;
        }
        if l.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = l.split('\t').collect();
        if cols.len() < 10 {
            bail!("{}:{}: expected 10 columns", path.display(), n + 1);
        }
        let misc = cols[9];
        let no_space = misc.split('|').any(|m| m == "SpaceAfter=No");
        if let Some((a, b)) = cols[0].split_once('-') {
            // A multi-word token: its surface stands for the words a..=b.
            if pending_space {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(cols[1]);
            let end = text.len();
            let (a, b): (usize, usize) = (a.parse()?, b.parse()?);
            range_end = b;
            for _ in a..=b {
                toks.push(Token {
                    form: String::new(),
                    start,
                    end,
                    upos: String::new(),
                    head: 0,
                });
            }
            pending_space = !no_space;
            continue;
        }
        if cols[0].contains('.') {
            continue;
        }
        let id: usize = cols[0]
            .parse()
            .with_context(|| format!("{}:{}: token id", path.display(), n + 1))?;
        let head: usize = cols[6].parse().unwrap_or(0);
        if id <= range_end && toks.len() >= id {
            let t = &mut toks[id - 1];
            t.form = cols[1].to_string();
            t.upos = cols[3].to_string();
            t.head = head;
        } else {
            if pending_space {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(cols[1]);
            toks.push(Token {
                form: cols[1].to_string(),
                start,
                end: text.len(),
                upos: cols[3].to_string(),
                head,
            });
            pending_space = !no_space;
        }
        if id > range_end {
            range_end = 0;
        }
        let i = id - 1;
        if let Some(e) = misc.split('|').find_map(|m| m.strip_prefix("Entity=")) {
            parse_entity(e, i, &mut open, &mut mentions);
        }
    }
    flush(&mut toks, &mut mentions, &mut names);
    // Names inside names ("North Korea" in "North Korea's news agency KCNA"):
    // a flat tagger gives the outer one.
    let all = names.clone();
    names.retain(|&(s, e, _)| {
        !all.iter()
            .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (s2, e2) != (s, e))
    });
    names.sort_by_key(|n| (n.0, n.1));
    names.dedup_by_key(|n| (n.0, n.1));
    Ok(GumDoc {
        name,
        genre,
        text,
        names,
    })
}

/// GUM's bracket notation: "(12-person-new-…" opens mention 12 at this
/// token, "12)" closes it, "(12-person-…)" is a one-token mention.
fn parse_entity(
    e: &str,
    tok: usize,
    open: &mut HashMap<String, Vec<(usize, String)>>,
    out: &mut Vec<(usize, usize, String)>,
) {
    let mut rest = e;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('(') {
            let stop = r.find(['(', ')']).unwrap_or(r.len());
            let body = &r[..stop];
            let mut f = body.split('-');
            let id = f.next().unwrap_or("").to_string();
            let etype = f.next().unwrap_or("").to_string();
            if r[stop..].starts_with(')') {
                out.push((tok, tok, etype));
                rest = &r[stop + 1..];
            } else {
                open.entry(id).or_default().push((tok, etype));
                rest = &r[stop..];
            }
        } else {
            let stop = rest.find(')').unwrap_or(rest.len());
            let id = &rest[..stop];
            if let Some((first, etype)) = open.get_mut(id).and_then(Vec::pop) {
                out.push((first, tok, etype));
            }
            rest = rest.get(stop + 1..).unwrap_or("");
        }
    }
}

/// Reads WNUT-17 (word TAB BIO tag, blank line between posts); people,
/// places, corporations and groups are kept, products and works dropped.
pub fn read_wnut(path: &Path) -> Result<Vec<Example>> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut out = Vec::new();
    let mut text = String::new();
    let mut spans: Vec<(usize, usize, EntityKind)> = Vec::new();
    let mut current: Option<(usize, usize, EntityKind)> = None;
    let mut finish = |text: &mut String, spans: &mut Vec<_>, current: &mut Option<_>| {
        spans.extend(current.take());
        if !text.is_empty() {
            out.push(Example {
                text: std::mem::take(text),
                spans: std::mem::take(spans),
            });
        }
    };
    for l in raw.lines() {
        // Posts end at a blank line (or one holding only a tab).
        let Some((word, tag)) = l.split_once('\t').filter(|(w, _)| !w.is_empty()) else {
            finish(&mut text, &mut spans, &mut current);
            continue;
        };
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(word);
        let end = text.len();
        let kind = match tag.get(2..) {
            Some("person") => Some(EntityKind::Person),
            Some("location") => Some(EntityKind::Place),
            Some("corporation" | "group") => Some(EntityKind::Organization),
            _ => None,
        };
        match (tag.as_bytes().first(), kind) {
            (Some(b'I'), Some(k)) if current.is_some_and(|c| c.2 == k) => {
                if let Some(c) = current.as_mut() {
                    c.1 = end;
                }
            }
            (Some(b'B' | b'I'), Some(k)) => {
                spans.extend(current.take());
                current = Some((start, end, k));
            }
            _ => spans.extend(current.take()),
        }
    }
    finish(&mut text, &mut spans, &mut current);
    Ok(out)
}

/// The documents of GUM's `dep/` directory, with their split.
fn gum_docs(dir: &Path) -> Result<Vec<(GumDoc, &'static str)>> {
    let splits = std::fs::read_to_string(dir.join("splits.md"))
        .with_context(|| format!("{}: GUM's split list", dir.join("splits.md").display()))?;
    let mut split_of: HashMap<String, &'static str> = HashMap::new();
    let mut current = "train";
    for l in splits.lines() {
        match l.trim() {
            "## dev" => current = "dev",
            "## test" => current = "test",
            "## test2" => current = "test2",
            "## train" => current = "train",
            t => {
                if let Some(name) = t.strip_prefix("* ") {
                    split_of.insert(name.trim().to_string(), current);
                }
            }
        }
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("dep"))
        .with_context(|| format!("{}", dir.join("dep").display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "conllu"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("GUM_"))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let d = read_gum(p)?;
            let split = split_of.get(&d.name).copied().unwrap_or("train");
            Ok((d, split))
        })
        .collect()
}

/// A span made comparable: no leading "the" or title ("Senator John
/// Cornyn" is the name "John Cornyn"; GUM keeps capitalised titles in
/// person names, news NER does not), no trailing "'s" or ".".
fn normal(text: &str, (mut s, mut e): (usize, usize)) -> (usize, usize) {
    loop {
        let t = &text[s..e];
        let title = t
            .split_once(' ')
            .filter(|(w, _)| storyline_nlp::entities::is_title(w));
        if let Some(r) = t.strip_prefix("the ").or_else(|| t.strip_prefix("The ")) {
            s = e - r.len();
        } else if let Some((_, r)) = title {
            s = e - r.len();
        } else if let Some(r) = t
            .strip_suffix("'s")
            .or_else(|| t.strip_suffix("’s"))
            .or_else(|| t.strip_suffix('.'))
        {
            e = s + r.len();
        } else {
            return (s, e);
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn prf(&self) -> (f64, f64, f64) {
        super::eval::prf_counts(self.tp, self.tp + self.fp, self.tp + self.fn_)
    }
}

/// Exact-span scores per kind and over all kinds.
fn score(
    docs: &[&GumDoc],
    predict: impl Fn(&str) -> Vec<(usize, usize, EntityKind)>,
) -> BTreeMap<&'static str, Counts> {
    let mut out: BTreeMap<&'static str, Counts> = BTreeMap::new();
    for d in docs {
        let gold: Vec<((usize, usize), EntityKind)> = d
            .names
            .iter()
            .map(|&(s, e, k)| (normal(&d.text, (s, e)), k))
            .collect();
        let pred: Vec<((usize, usize), EntityKind)> = predict(&d.text)
            .into_iter()
            .filter(|(_, _, k)| {
                matches!(
                    k,
                    EntityKind::Person | EntityKind::Organization | EntityKind::Place
                )
            })
            .map(|(s, e, k)| (normal(&d.text, (s, e)), k))
            .collect();
        for (label, want) in [
            ("PER", Some(EntityKind::Person)),
            ("ORG", Some(EntityKind::Organization)),
            ("LOC", Some(EntityKind::Place)),
            ("all", None),
            ("span", None),
        ] {
            let keep = |k: &EntityKind| want.is_none_or(|w| w == *k);
            // "span": names found, whatever their kind.
            let kind = |k: EntityKind| {
                if label == "span" {
                    EntityKind::Other
                } else {
                    k
                }
            };
            let g: Vec<_> = gold
                .iter()
                .filter(|x| keep(&x.1))
                .map(|x| (x.0, kind(x.1)))
                .collect();
            let p: Vec<_> = pred
                .iter()
                .filter(|x| keep(&x.1))
                .map(|x| (x.0, kind(x.1)))
                .collect();
            // Multisets: a name mentioned twice counts twice.
            let mut left: Vec<_> = g.clone();
            let mut tp = 0;
            for x in &p {
                if let Some(i) = left.iter().position(|y| y == x) {
                    left.swap_remove(i);
                    tp += 1;
                }
            }
            let c = out.entry(label).or_default();
            c.tp += tp;
            c.fp += p.len() - tp;
            c.fn_ += g.len() - tp;
        }
    }
    out
}

/// `storyline eval entities DIR`: the pipeline and the bare tagger on GUM's
/// news documents of its dev and test splits (the measure), and on
/// the dev and test documents of all the openly licensed genres (a larger
/// sample, steadier for comparing changes).
pub fn entities(
    dir: &Path,
    model: Option<&Path>,
    floors: &[String],
    json: bool,
) -> Result<ExitCode> {
    let docs = gum_docs(dir)?;
    let held_out = |s: &str| s == "dev" || s == "test";
    let news: Vec<&GumDoc> = docs
        .iter()
        .filter(|(d, s)| d.genre == "news" && held_out(s))
        .map(|(d, _)| d)
        .collect();
    let open: Vec<&GumDoc> = docs
        .iter()
        .filter(|(d, s)| OPEN_GENRES.contains(&d.genre.as_str()) && held_out(s))
        .map(|(d, _)| d)
        .collect();
    if news.is_empty() {
        bail!(
            "{}: no GUM news documents in the dev or test split",
            dir.display()
        );
    }
    let loaded;
    let tagger: &Model = match model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("{}", p.display()))?;
            loaded =
                Model::from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            &loaded
        }
        None => Model::shipped(),
    };
    let pipeline = |text: &str| -> Vec<(usize, usize, EntityKind)> {
        storyline_nlp::entities::find_with(text, Some(tagger))
            .into_iter()
            .flat_map(|e| {
                let kind = e.kind;
                e.mentions
                    .into_iter()
                    .map(move |m| (m.start as usize, m.end as usize, kind))
            })
            .collect()
    };
    let bare = |text: &str| -> Vec<(usize, usize, EntityKind)> {
        tagger
            .find(text)
            .into_iter()
            .map(|f| (f.start, f.end, f.kind))
            .collect()
    };
    let mut metrics: HashMap<String, f64> = HashMap::new();
    let mut out = Vec::new();
    for (set, docs) in [("news", &news), ("open", &open)] {
        for (system, scores) in [
            ("pipeline", score(docs, pipeline)),
            ("tagger", score(docs, bare)),
        ] {
            for (label, c) in scores {
                let (p, r, f) = c.prf();
                let key = format!("gum-{set}-{system}-{}-f1", label.to_lowercase());
                metrics.insert(key, f);
                out.push((set, system, label, p, r, f, c.tp + c.fn_));
            }
        }
    }
    if json {
        crate::output::json(&serde_json::json!({
            "news_documents": news.len(),
            "open_documents": open.len(),
            "metrics": metrics,
        }))?;
    } else {
        for (set, docs) in [("news", &news), ("open", &open)] {
            line(&format!(
                "GUM {set} (dev + test): {} documents, {} names, {:.1} KB",
                docs.len(),
                docs.iter().map(|d| d.names.len()).sum::<usize>(),
                docs.iter().map(|d| d.text.len()).sum::<usize>() as f64 / 1024.0
            ))?;
        }
        line("set   system    type   P      R      F1     gold")?;
        for (set, system, label, p, r, f, g) in out {
            line(&format!(
                "{set:<5} {system:<9} {label:<5} {p:.3}  {r:.3}  {f:.3}  {g}"
            ))?;
        }
    }
    check_floors(&metrics, floors)
}

/// `storyline train entities GUM_DIR [--wnut FILE] --out FILE`: trains the
/// tagger on the train split of GUM's openly licensed genres (the news dev
/// and test documents are what `eval entities` scores), and on WNUT-17 if
/// given.
pub fn train(dir: &Path, wnut: Option<&Path>, out: &Path, epochs: usize) -> Result<ExitCode> {
    let docs = gum_docs(dir)?;
    let mut examples: Vec<Example> = docs
        .into_iter()
        .filter(|(d, s)| *s == "train" && OPEN_GENRES.contains(&d.genre.as_str()))
        .map(|(d, _)| Example {
            text: d.text,
            spans: d.names,
        })
        .collect();
    let gum = examples.len();
    if gum == 0 {
        bail!(
            "{}: no GUM training documents of the open genres",
            dir.display()
        );
    }
    if let Some(w) = wnut {
        examples.extend(read_wnut(w)?);
    }
    eprintln!(
        "training on {gum} GUM documents and {} WNUT posts, {epochs} epochs",
        examples.len() - gum
    );
    let t = std::time::Instant::now();
    let model = ner::train(&examples, epochs);
    let bytes = model.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("{}", out.display()))?;
    eprintln!(
        "{} features, {:.1} MB, written to {} in {:.1} s",
        model.len(),
        bytes.len() as f64 / 1e6,
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# newdoc id = GUM_news_test
# newpar
# text = The Nordvik Council met Olav Strand's team .
1\tThe\tthe\tDET\tDT\t_\t3\tdet\t_\tEntity=(1-organization-new-x-1-coref
2\tNordvik\tNordvik\tPROPN\tNNP\t_\t3\tcompound\t_\tEntity=(2-place-new-x-1-coref)
3\tCouncil\tCouncil\tPROPN\tNNP\t_\t4\tnsubj\t_\tEntity=1)
4\tmet\tmeet\tVERB\tVBD\t_\t0\troot\t_\t_
5\tOlav\tOlav\tPROPN\tNNP\t_\t6\tcompound\t_\tEntity=(3-organization-new-x-1-coref(4-person-new-x-1-coref
6\tStrand\tStrand\tPROPN\tNNP\t_\t8\tnmod:poss\t_\tEntity=4)
7\t's\t's\tPART\tPOS\t_\t6\tcase\t_\t_
8\tteam\tteam\tNOUN\tNN\t_\t4\tobj\t_\tEntity=3)|SpaceAfter=No
9\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

";

    #[test]
    fn gum_names_are_mentions_headed_by_proper_nouns() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("GUM_news_test.conllu");
        std::fs::write(&p, DOC).unwrap();
        let d = read_gum(&p).unwrap();
        let mut got: Vec<(&str, EntityKind)> = d
            .names
            .iter()
            .map(|&(s, e, k)| (&d.text[s..e], k))
            .collect();
        got.sort_by_key(|x| x.0);
        // "Olav Strand's team" is headed by a common noun: not a name, but
        // "Olav Strand" inside it is; "Nordvik" inside "The Nordvik Council"
        // is left to the outer name, and the name is its proper nouns.
        assert_eq!(
            got,
            [
                ("Nordvik Council", EntityKind::Organization),
                ("Olav Strand", EntityKind::Person),
            ]
        );
    }

    #[test]
    fn spans_compare_without_articles_titles_and_possessives() {
        let t = "the Senator Olav Strand's";
        let (s, e) = normal(t, (0, t.len()));
        assert_eq!(&t[s..e], "Olav Strand");
        let t = "Nordvik Council.";
        let (s, e) = normal(t, (0, t.len()));
        assert_eq!(&t[s..e], "Nordvik Council");
    }

    #[test]
    fn wnut_spans_follow_bio_tags() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.conll");
        std::fs::write(
            &p,
            "met\tO\nOlav\tB-person\nStrand\tI-person\nin\tO\nNordvik\tB-location\n\nnew\tO\nphone\tB-product\n",
        )
        .unwrap();
        let ex = read_wnut(&p).unwrap();
        assert_eq!(ex.len(), 2);
        let names: Vec<&str> = ex[0].spans.iter().map(|s| &ex[0].text[s.0..s.1]).collect();
        assert_eq!(names, ["Olav Strand", "Nordvik"]);
        assert!(ex[1].spans.is_empty());
    }
}
