//! Read-only commands over the store: events, storylines, show, timeline,
//! quotes, entities, copies, search.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};
use storyline_model::{slice_chars, Event, Span};
use storyline_store::{Start, Store, Unknown};

use super::open;
use crate::output::{self, line, trunc};

pub fn events(db: &Path, storyline: Option<&str>, json: bool) -> Result<ExitCode> {
    let store = open(db)?;
    let mut events = store.events()?;
    if let Some(id) = storyline {
        let Some(s) = store.storyline(id)? else {
            bail!("no storyline {id} in {}", db.display());
        };
        let keep: HashSet<&String> = s.events.iter().collect();
        events.retain(|e| keep.contains(&e.id));
    }
    if json {
        output::json(&events)?;
    } else {
        output::events(&events)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Copy and rewrite links, all or one article's, with their evidence.
pub fn copies(db: &Path, id: Option<&str>, json: bool) -> Result<ExitCode> {
    let store = open(db)?;
    let mut links = store.relations()?;
    if let Some(id) = id {
        if store.article(id)?.is_none() {
            bail!("no article {id} in {}", db.display());
        }
        links.retain(|r| r.a == id || r.b == id);
    }
    if json {
        output::json(&links)?;
        return Ok(ExitCode::SUCCESS);
    }
    if links.is_empty() {
        line("no copies or rewrites found")?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &links {
        let (a, b) = (store.article(&r.a)?, store.article(&r.b)?);
        let title = |x: &Option<storyline_model::Article>| {
            x.as_ref().and_then(|x| x.title.clone()).unwrap_or_default()
        };
        line(&format!(
            "{} {:.3}  {} ({})  ->  {} ({})",
            r.kind.as_str(),
            r.score,
            r.a,
            trunc(&title(&a), 40),
            r.b,
            trunc(&title(&b), 40)
        ))?;
        // With one article asked for, show why.
        if id.is_some() {
            if let (Some(a), Some(b)) = (&a, &b) {
                for e in &r.evidence {
                    line(&format!(
                        "    {:.2}  {}\n          {}",
                        e.score,
                        trunc(&slice_chars(&a.body, e.a), 110),
                        trunc(&slice_chars(&b.body, e.b), 110)
                    ))?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn storylines(db: &Path, json: bool) -> Result<ExitCode> {
    let store = open(db)?;
    let list = store.storylines()?;
    if json {
        output::json(&list)?;
    } else {
        output::storylines(&list, &store.events()?)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(db: &Path, id: &str, json: bool) -> Result<ExitCode> {
    let store = open(db)?;
    if let Some(a) = store.annotated(id)? {
        if json {
            output::json(&a)?;
            return Ok(ExitCode::SUCCESS);
        }
        let art = &a.article;
        line(&format!(
            "{}  {}",
            art.id,
            art.title.as_deref().unwrap_or("(untitled)")
        ))?;
        line(&format!("source:    {}", art.source))?;
        line(&format!(
            "outlet:    {}",
            art.outlet.as_deref().unwrap_or("—")
        ))?;
        line(&format!(
            "original:  {}",
            art.original_source.as_deref().unwrap_or("—")
        ))?;
        line(&format!(
            "published: {}",
            art.published.as_deref().unwrap_or("—")
        ))?;
        line(&format!(
            "authors:   {}",
            if art.authors.is_empty() {
                "—".into()
            } else {
                art.authors.join(", ")
            }
        ))?;
        line(&format!(
            "language:  {}",
            art.language.as_deref().unwrap_or("—")
        ))?;
        for e in store.events_of_article(&art.id)? {
            line(&format!("event:     {}  {}", e.id, e.title))?;
        }
        line("")?;
        line(&art.body)?;
        line(&format!("\nRemoved ({}):", art.removed.len()))?;
        for r in &art.removed {
            line(&format!("  [{}] {}", r.reason, trunc(&r.text, 100)))?;
        }
        line("\nTimes:")?;
        for t in &a.times {
            line(&format!(
                "  {:>5}-{:<5} {:<24} {}",
                t.start,
                t.end,
                trunc(&t.text, 24),
                t.value
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(e) = store.event(id)? {
        if json {
            output::json(&e)?;
            return Ok(ExitCode::SUCCESS);
        }
        line(&format!("{}  {}", e.id, e.title))?;
        line(&format!(
            "happened: {}   reported: {}",
            e.date.as_deref().unwrap_or("—"),
            e.reported.as_deref().unwrap_or("—")
        ))?;
        line(&format!("outlets:  {}", e.outlets.join(", ")))?;
        line(&format!("\n{}\n", e.summary))?;
        let arts: Vec<_> = e
            .articles
            .iter()
            .filter_map(|a| store.article(a).transpose())
            .collect::<Result<_, _>>()?;
        output::articles(&arts)?;
        let quotes: Vec<_> = store
            .quotes(None)?
            .into_iter()
            .filter(|q| e.articles.contains(&q.article))
            .collect();
        if !quotes.is_empty() {
            line("\nQuotes")?;
            output::quotes(&quotes, usize::MAX)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(s) = store.storyline(id)? {
        if json {
            output::json(&s)?;
            return Ok(ExitCode::SUCCESS);
        }
        line(&format!("{}  {}", s.id, s.title))?;
        let events: Vec<Event> = s
            .events
            .iter()
            .filter_map(|e| store.event(e).transpose())
            .collect::<Result<_, _>>()?;
        output::events(&events)?;
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        let ents = store.find_entities(id)?;
        if !ents.is_empty() {
            output::json(&ents)?;
            return Ok(ExitCode::SUCCESS);
        }
    } else if let Some((e, count)) = store.entity_head(id)? {
        // Its first mentions only: the most-named have 100k.
        line(&format!("{}  {} ({:?})", e.id, e.name, e.kind))?;
        line(&format!("aliases: {}", e.aliases.join(", ")))?;
        if let Some(r) = &e.role {
            line(&format!("role:    {r}"))?;
        }
        line(&format!("mentions: {count}"))?;
        for m in store.entity_mentions(&e.id, &Start::Offset(0), 20)?.items {
            let text = store
                .article(&m.article)?
                .map(|a| {
                    slice_chars(
                        &a.body,
                        Span {
                            start: m.start,
                            end: m.end,
                        },
                    )
                })
                .unwrap_or_default();
            line(&format!("  {} {}-{} {}", m.article, m.start, m.end, text))?;
        }
        let quotes = store.quotes(Some(&e.id))?;
        if !quotes.is_empty() {
            line("\nQuotes")?;
            output::quotes(&quotes, usize::MAX)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    bail!("nothing with id or name {id:?} in {}", db.display())
}

#[derive(serde::Serialize)]
struct TimelineEntry {
    happened: Option<String>,
    reported: Option<String>,
    event: String,
    title: String,
    articles: usize,
    /// The sentence whose time expression dates the event, and its article.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
}

#[derive(serde::Serialize)]
struct Evidence {
    article: String,
    expression: String,
    sentence: String,
}

/// The sentence of `article` around the time mention (character offsets).
fn dating_sentence(store: &Store, m: &storyline_model::TimeMention) -> Result<Option<Evidence>> {
    let Some(a) = store.article(&m.article)? else {
        return Ok(None);
    };
    let body = &a.body;
    let byte = |c: u32| {
        body.char_indices()
            .nth(c as usize)
            .map_or(body.len(), |(b, _)| b)
    };
    let at = byte(m.start);
    let sentence = storyline_nlp::sentences::split(body)
        .into_iter()
        .find(|&(s, e)| s <= at && at < e)
        .map(|(s, e)| body[s..e].trim().to_string());
    Ok(sentence.map(|sentence| Evidence {
        article: m.article.clone(),
        expression: m.text.clone(),
        sentence,
    }))
}

/// Prints the timeline's events from `offset`, at most `limit` of them,
/// read a page at a time (each after the last, so the cost of a page does
/// not grow with how far in it is); text lines are written as each page
/// comes.
pub fn timeline(
    db: &Path,
    entity: Option<&str>,
    storyline: Option<&str>,
    (offset, limit): (usize, usize),
    json: bool,
) -> Result<ExitCode> {
    const PAGE: usize = 1000;
    let store = open(db)?;
    let mut all: Vec<TimelineEntry> = Vec::new();
    let mut start = Start::Offset(offset);
    let mut done = 0;
    while done < limit {
        let want = PAGE.min(limit - done);
        let (events, next) = match store.timeline_page(storyline, entity, &start, want)? {
            Ok(page) => (page.items, page.next),
            Err(Unknown::Storyline) => bail!(
                "no storyline {:?} in {}",
                storyline.unwrap_or_default(),
                db.display()
            ),
            Err(Unknown::Entity) => bail!(
                "no entity named {:?} in {}",
                entity.unwrap_or_default(),
                db.display()
            ),
        };
        let mut entries: Vec<TimelineEntry> = Vec::with_capacity(events.len());
        for e in events {
            let evidence = match e.date_evidence.first() {
                Some(m) => dating_sentence(&store, m)?,
                None => None,
            };
            entries.push(TimelineEntry {
                happened: e.date,
                reported: e.reported,
                event: e.id,
                title: e.title,
                articles: e.articles.len(),
                evidence,
            });
        }
        let got = entries.len();
        if json {
            all.extend(entries);
        } else {
            for e in &entries {
                line(&format!(
                    "{:<10}  reported {:<10}  {}  {} ({} article{})",
                    e.happened.as_deref().unwrap_or("undated"),
                    e.reported.as_deref().unwrap_or("—"),
                    e.event,
                    trunc(&e.title, 70),
                    e.articles,
                    if e.articles == 1 { "" } else { "s" }
                ))?;
                if let Some(ev) = &e.evidence {
                    line(&format!(
                        "            \"{}\": {}",
                        ev.expression,
                        trunc(&ev.sentence, 110)
                    ))?;
                }
            }
        }
        done += got;
        match next {
            Some(next) => start = Start::After(next),
            None => break,
        }
    }
    if json {
        output::json(&all)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn quotes(db: &Path, speaker: Option<&str>, json: bool) -> Result<ExitCode> {
    let store = open(db)?;
    let list = store.quotes(speaker)?;
    if json {
        output::json(&list)?;
    } else {
        output::quotes(&list, usize::MAX)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn entities(db: &Path, json: bool) -> Result<ExitCode> {
    let store = open(db)?;
    let list = store.entities()?;
    if json {
        output::json(&list)?;
    } else {
        output::entities(&list, usize::MAX)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct Hit<'a> {
    article: &'a str,
    title: Option<&'a str>,
    snippet: &'a str,
}

pub fn search(
    db: &Path,
    query: &str,
    filter: &storyline_store::SearchFilter,
    offset: usize,
    limit: usize,
    json: bool,
) -> Result<ExitCode> {
    let store = open(db)?;
    store.catch_up_search(|behind| {
        eprintln!("indexing {behind} articles for search (once)…");
    })?;
    let hits = store.search_filtered(query, filter, offset, limit)?;
    if json {
        let list: Vec<Hit> = hits
            .iter()
            .map(|h| Hit {
                article: &h.article,
                title: h.title.as_deref(),
                snippet: &h.snippet,
            })
            .collect();
        output::json(&list)?;
    } else {
        if hits.is_empty() {
            line(&format!("no matches for {query:?}"))?;
        }
        for h in &hits {
            line(&format!(
                "{}  {}\n    {}",
                h.article,
                h.title.as_deref().unwrap_or("(untitled)"),
                h.snippet
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
