//! Rendering: tables for people, JSON for machines.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use storyline_model::{Analysis, Article, Entity, Event, Quote, Relation, Storyline};

/// Writes `value` as pretty JSON to stdout.
pub fn json<T: serde::Serialize>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .map_err(to_stdout)
}

/// Writes a line to stdout.
pub fn line(s: &str) -> io::Result<()> {
    writeln!(io::stdout().lock(), "{s}").map_err(to_stdout)
}

/// Says that an error was in writing the output, not in the store: a full
/// disk under a redirected report read as if the ingest had failed. The
/// kind is kept (a closed pipe is not reported).
fn to_stdout(e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("writing to standard output: {e}"))
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    if let Some((w, _)) = terminal_width() {
        t.set_width(w);
    } else {
        t.set_width(140);
    }
    t
}

fn terminal_width() -> Option<(u16, u16)> {
    std::env::var("COLUMNS").ok()?.parse().ok().map(|w| (w, 0))
}

fn print(t: &Table) -> io::Result<()> {
    writeln!(io::stdout().lock(), "{t}").map_err(to_stdout)
}

/// Shortens to `n` characters with an ellipsis.
pub fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(n.saturating_sub(1)).collect::<String>()
        )
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("—")
}

pub fn articles(list: &[Article]) -> io::Result<()> {
    let mut t = table(&[
        "article",
        "published",
        "outlet",
        "lang",
        "words",
        "removed",
        "title",
    ]);
    for a in list {
        t.add_row(vec![
            a.id.clone(),
            match (&a.published, &a.published_after) {
                (Some(d), _) => d.clone(),
                // A bound from the text, marked as one.
                (None, Some(after)) => format!("≥ {after}"),
                (None, None) => "—".to_string(),
            },
            trunc(opt(&a.outlet), 24),
            opt(&a.language).to_string(),
            a.body.split_whitespace().count().to_string(),
            a.removed.len().to_string(),
            trunc(a.title.as_deref().unwrap_or("(untitled)"), 70),
        ]);
    }
    print(&t)
}

pub fn relations(list: &[Relation]) -> io::Result<()> {
    let mut t = table(&["original", "copy", "kind", "score"]);
    for r in list {
        t.add_row(vec![
            r.a.clone(),
            r.b.clone(),
            r.kind.as_str().to_string(),
            format!("{:.2}", r.score),
        ]);
    }
    print(&t)
}

pub fn events(list: &[Event]) -> io::Result<()> {
    let mut t = table(&[
        "event", "happened", "reported", "articles", "outlets", "title",
    ]);
    for e in list {
        t.add_row(vec![
            e.id.clone(),
            opt(&e.date).to_string(),
            opt(&e.reported).to_string(),
            e.articles.len().to_string(),
            trunc(&e.outlets.join(", "), 30),
            trunc(&e.title, 70),
        ]);
    }
    print(&t)
}

pub fn storylines(list: &[Storyline], events: &[Event]) -> io::Result<()> {
    let mut t = table(&["storyline", "events", "title", "first event"]);
    for s in list {
        let first = s
            .events
            .first()
            .and_then(|id| events.iter().find(|e| &e.id == id))
            .map(|e| trunc(&e.title, 50))
            .unwrap_or_default();
        t.add_row(vec![
            s.id.clone(),
            s.events.len().to_string(),
            trunc(&s.title, 50),
            first,
        ]);
    }
    print(&t)
}

pub fn entities(list: &[Entity], limit: usize) -> io::Result<()> {
    let mut t = table(&["entity", "kind", "mentions", "articles", "name", "aliases"]);
    for e in list.iter().take(limit) {
        let mut arts: Vec<&str> = e.mentions.iter().map(|m| m.article.as_str()).collect();
        arts.sort_unstable();
        arts.dedup();
        t.add_row(vec![
            e.id.clone(),
            serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            e.mentions.len().to_string(),
            arts.len().to_string(),
            e.name.clone(),
            trunc(&e.aliases.join(", "), 50),
        ]);
    }
    print(&t)
}

pub fn quotes(list: &[Quote], limit: usize) -> io::Result<()> {
    let mut t = table(&["speaker", "channel", "kind", "group", "quote"]);
    for q in list.iter().take(limit) {
        let group = match (&q.group, &q.variant) {
            (Some(g), Some(v)) => format!("{} ({v})", trunc(g, 10)),
            _ => "—".into(),
        };
        t.add_row(vec![
            q.speaker_name.clone().unwrap_or_else(|| "(unknown)".into()),
            opt(&q.channel).to_string(),
            serde_json::to_value(q.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            group,
            trunc(&quote_text(q), 90),
        ]);
    }
    print(&t)
}

/// A quote's words; for an altered member of a group, its changes against
/// the group's first member marked `[-removed-]` and `{+added+}`.
fn quote_text(q: &Quote) -> String {
    if q.diff.is_empty() {
        return q.text.clone();
    }
    q.diff
        .iter()
        .map(|e| match e.op.as_str() {
            "removed" => format!("[-{}-]", e.words),
            "added" => format!("{{+{}+}}", e.words),
            _ => e.words.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The human summary of a whole analysis.
pub fn summary(a: &Analysis) -> io::Result<()> {
    line(&format!(
        "{} articles · {} relations · {} events · {} storylines · {} entities · {} quotes · {} time expressions · {} errors",
        a.articles.len(),
        a.relations.len(),
        a.events.len(),
        a.storylines.len(),
        a.entities.len(),
        a.quotes.len(),
        a.times.len(),
        a.errors.len()
    ))?;
    line("\nArticles")?;
    articles(&a.articles)?;
    if !a.relations.is_empty() {
        line("\nCopies and rewrites")?;
        relations(&a.relations)?;
    }
    line("\nEvents")?;
    events(&a.events)?;
    line("\nStorylines")?;
    storylines(&a.storylines, &a.events)?;
    line("\nMost mentioned entities")?;
    let mut by_mentions = a.entities.clone();
    by_mentions.sort_by(|x, y| {
        y.mentions
            .len()
            .cmp(&x.mentions.len())
            .then(x.name.cmp(&y.name))
    });
    entities(&by_mentions, 12)?;
    line("\nQuotes")?;
    quotes(&a.quotes, 15)?;
    if a.quotes.len() > 15 {
        line(&format!(
            "… and {} more (use --json for all)",
            a.quotes.len() - 15
        ))?;
    }
    Ok(())
}
