//! Server-rendered pages. Every value from the store is escaped with
//! [`esc`]/[`attr`]; links are built from checked ids and percent-encoded
//! query values only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use storyline_model::{Article, Event, Quote};
use storyline_store::Start;

use crate::{
    attr, esc, event_detail, safe_id, timeline_events, ApiError, AppState, ArticlePage, Page,
    SearchQuery, TimelineQuery,
};

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(home))
        .route("/events/{id}", get(event_page))
        .route("/entities/{id}", get(entity_page))
        .route("/articles/{id}", get(article_page))
        .route("/timeline", get(timeline_page))
        .route("/search", get(search_page))
}

/// A page error: a small HTML page with the status.
struct PageError(StatusCode, String);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e.status, e.message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = layout("Error", &format!("<p>{}</p>", esc(&self.1)));
        (self.0, Html(body)).into_response()
    }
}

type PageResult = Result<Html<String>, PageError>;

const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#222}\
a{color:#1a4d8f}nav a{margin-right:1rem}table{border-collapse:collapse}td,th{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}.col{border:1px solid #ccc;border-radius:6px;padding:.75rem}\
.meta{color:#666;font-size:.9em}del{background:#fdd}ins{background:#dfd;text-decoration:none}mark{background:#ffe066}\
.has{color:#176317}.lacks{color:#b33}pre.body{white-space:pre-wrap;font:inherit}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · storyline</title>\
<meta name=\"viewport\" content=\"width=device-width\"><style>{STYLE}</style></head><body>\
<nav><a href=\"/\">Storylines</a><a href=\"/timeline\">Timeline</a>\
<form action=\"/search\" method=\"get\" style=\"display:inline\"><input name=\"q\" aria-label=\"search\" placeholder=\"search\"> <button>Search</button></form></nav>\
<main>{body}</main></body></html>",
        esc(title)
    )
}

/// Percent-encodes a query value.
pub fn q(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn event_when(e: &Event) -> String {
    match (&e.date, &e.reported) {
        (Some(d), Some(r)) if d != r => format!("{} (reported {})", esc(d), esc(r)),
        (Some(d), _) => esc(d),
        (None, Some(r)) => format!("reported {}", esc(r)),
        (None, None) => "undated".into(),
    }
}

/// Events per page of the home page.
const HOME_EVENTS: usize = 100;

async fn home(State(s): State<Arc<AppState>>, Query(p): Query<Page>) -> PageResult {
    // The page's links carry offsets ("page 3 of 40"); cursors are the API's.
    let offset = p.offset.unwrap_or(0);
    let (stories, (total, events), pending) = s.with_store(|st| {
        let page = st.events_page(&Start::Offset(offset), HOME_EVENTS)?;
        let (total, events) = (page.total, page.items);
        let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        Ok((
            st.storylines_of_events(&ids)?,
            (total, events),
            st.needs_link()?,
        ))
    })?;
    // Storylines of the newest events, in the order of their newest event.
    let story_of: HashMap<&str, usize> = stories
        .iter()
        .enumerate()
        .flat_map(|(k, st)| st.events.iter().map(move |e| (e.as_str(), k)))
        .collect();
    let mut shown: Vec<(usize, &Event)> = Vec::new();
    for e in &events {
        if let Some(&k) = story_of.get(e.id.as_str()) {
            if !shown.iter().any(|(x, _)| *x == k) {
                shown.push((k, e));
            }
        }
    }
    let mut html = String::new();
    if pending {
        // Pages stored with `ingest --no-link` (or an ingest still linking):
        // searchable, but in no event yet.
        html.push_str(
            "<p><strong>Pages were added since the store was last linked:</strong> \
             search finds them, but events, storylines, entities and quotes leave \
             them out until <code>storyline link</code> runs.</p>",
        );
    }
    html.push_str(
        "<h1>Storylines</h1><table><tr><th>storyline</th><th>events</th><th>latest</th></tr>",
    );
    for (k, latest) in shown {
        let st = &stories[k];
        let _ = write!(
            html,
            "<tr><td><a href=\"/timeline?storyline={}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            attr(&q(&st.id)),
            esc(&st.title),
            st.events.len(),
            latest.when().map_or_else(String::new, esc)
        );
    }
    html.push_str("</table><h1>Events</h1><table><tr><th>when</th><th>event</th><th>outlets</th><th>articles</th></tr>");
    for e in &events {
        let _ = write!(
            html,
            "<tr><td>{}</td><td><a href=\"/events/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            event_when(e),
            attr(&q(&e.id)),
            esc(&e.title),
            esc(&e.outlets.join(", ")),
            e.articles.len()
        );
    }
    html.push_str("</table><p>");
    if offset > 0 {
        let _ = write!(
            html,
            "<a href=\"/?offset={}\">newer</a> ",
            offset.saturating_sub(HOME_EVENTS)
        );
    }
    let _ = write!(
        html,
        "events {}–{} of {total}",
        (offset + 1).min(total),
        (offset + events.len()).min(total)
    );
    if offset + events.len() < total {
        let _ = write!(
            html,
            " <a href=\"/?offset={}\">older</a>",
            offset + HOME_EVENTS
        );
    }
    html.push_str("</p>");
    Ok(Html(layout("Storylines", &html)))
}

/// Numbers a text states ("40-metre", "3 million", "2,000"), normalised.
fn numbers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (!cur.is_empty() && (c == ',' || c == '.')) {
            cur.push(c);
        } else {
            let n = cur.trim_end_matches([',', '.']).replace(',', "");
            if !n.is_empty() && !(n.len() == 4 && (n.starts_with("19") || n.starts_with("20"))) {
                out.insert(n);
            }
            cur.clear();
        }
    }
    out
}

/// Word-level diff of an altered quote, as HTML.
fn diff_html(qt: &Quote) -> String {
    if qt.diff.is_empty() {
        return esc(&qt.text);
    }
    qt.diff
        .iter()
        .map(|e| match e.op.as_str() {
            "removed" => format!("<del>{}</del>", esc(&e.words)),
            "added" => format!("<ins>{}</ins>", esc(&e.words)),
            _ => esc(&e.words),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn span_link(article: &str, start: u32, end: u32, label: &str) -> String {
    format!(
        "<a href=\"/articles/{}?start={start}&amp;end={end}#hit\">{}</a>",
        attr(&q(article)),
        esc(label)
    )
}

/// Outlets an event page sets side by side at a time.
const EVENT_PAGE_ARTICLES: usize = 20;

async fn event_page(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
    Query(p): Query<ArticlePage>,
) -> PageResult {
    let id = safe_id(&id)?.to_string();
    let (offset, limit) = p.bounds(EVENT_PAGE_ARTICLES);
    let detail = {
        let store = s.lock()?;
        event_detail(&store, &id, (offset, limit))?
    };
    let d = detail.ok_or_else(|| PageError(StatusCode::NOT_FOUND, "no such event".into()))?;
    let mut html = format!(
        "<h1>{}</h1><p class=\"meta\">{}</p>",
        esc(&d.event.title),
        event_when(&d.event)
    );
    // Which outlets these are, when there are more than one page of them.
    let mut pager = String::new();
    if d.article_count > d.articles.len() && !d.articles.is_empty() {
        let _ = write!(
            pager,
            "<p class=\"meta\">Articles {}–{} of {}",
            offset + 1,
            offset + d.articles.len(),
            d.article_count
        );
        let at = |o: usize| format!("/events/{}?offset={o}&amp;limit={limit}", attr(&q(&id)));
        if offset > 0 {
            let _ = write!(
                pager,
                " · <a href=\"{}\">earlier</a>",
                at(offset.saturating_sub(limit))
            );
        }
        if offset + limit < d.article_count {
            let _ = write!(pager, " · <a href=\"{}\">later</a>", at(offset + limit));
        }
        pager.push_str("</p>");
    }
    // One line per wording of the date, each outlet that used it linked.
    let outlet_of = |id: &str| {
        d.articles
            .iter()
            .find(|a| a.id == id)
            .map_or(id, |a| a.outlet_or_source())
            .to_string()
    };
    let mut wordings: BTreeMap<&str, Vec<&storyline_model::TimeMention>> = BTreeMap::new();
    for ev in &d.event.date_evidence {
        wordings.entry(ev.text.as_str()).or_default().push(ev);
    }
    for (text, evs) in &wordings {
        let links: Vec<String> = evs
            .iter()
            .map(|ev| span_link(&ev.article, ev.start, ev.end, &outlet_of(&ev.article)))
            .collect();
        let _ = write!(
            html,
            "<p class=\"meta\">Dated by “{}” in {}</p>",
            esc(text),
            links.join(", ")
        );
    }
    let _ = write!(html, "<p>{}</p>", esc(&d.event.summary));

    // Which numbers each outlet states, and which it lacks.
    let per_article: Vec<(&Article, BTreeSet<String>)> =
        d.articles.iter().map(|a| (a, numbers(&a.body))).collect();
    let mut all: BTreeMap<&String, usize> = BTreeMap::new();
    for (_, ns) in &per_article {
        for n in ns {
            *all.entry(n).or_default() += 1;
        }
    }
    let shared: Vec<&String> = all
        .iter()
        .filter(|(_, &c)| c >= 2 || d.articles.len() == 1)
        .map(|(n, _)| *n)
        .take(40)
        .collect();

    // Names more than one outlet gives (or all, for a single article).
    let shared_names: Vec<_> = d
        .names
        .iter()
        .filter(|n| n.articles.len() >= 2 || d.articles.len() == 1)
        .take(20)
        .collect();
    // Quote groups: the first quote of each, and the groups each article has.
    let mut group_first: BTreeMap<&str, &Quote> = BTreeMap::new();
    let mut groups_here: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for qt in &d.quotes {
        if let Some(g) = qt.group.as_deref() {
            group_first.entry(g).or_insert(qt);
            groups_here
                .entry(qt.article.as_str())
                .or_default()
                .insert(g);
        }
    }
    if d.articles.len() < 2 {
        group_first.clear();
    }

    html.push_str("<h2>Outlets side by side</h2>");
    html.push_str(&pager);
    html.push_str("<div class=\"cols\">");
    for (a, ns) in &per_article {
        let outlet = a.outlet_or_source();
        let _ = write!(
            html,
            "<section class=\"col\"><h3>{}</h3><p class=\"meta\">{} · <a href=\"/articles/{}\">{}</a></p>",
            esc(outlet),
            esc(a.published.as_deref().unwrap_or("undated")),
            attr(&q(&a.id)),
            esc(a.title.as_deref().unwrap_or("(untitled)"))
        );
        for r in d.relations.iter().filter(|r| r.b == a.id) {
            let _ = write!(
                html,
                "<p class=\"meta\">{} of <a href=\"/articles/{}\">{}</a> ({:.2})</p>",
                esc(r.kind.as_str()),
                attr(&q(&r.a)),
                esc(&r.a),
                r.score
            );
        }
        if !shared.is_empty() {
            html.push_str("<p>Numbers: ");
            for n in &shared {
                let class = if ns.contains(*n) { "has" } else { "lacks" };
                let mark = if ns.contains(*n) { "" } else { " (missing)" };
                let _ = write!(html, "<span class=\"{class}\">{}{mark}</span> ", esc(n));
            }
            html.push_str("</p>");
        }
        if !shared_names.is_empty() {
            html.push_str("<p>Names: ");
            for n in &shared_names {
                let has = n.articles.contains(&a.id);
                let label = format!("{}{}", n.name, if has { "" } else { " (missing)" });
                let label = match n.entity.as_deref().and_then(|id| safe_id(id).ok()) {
                    Some(id) => {
                        format!("<a href=\"/entities/{}\">{}</a>", attr(&q(id)), esc(&label))
                    }
                    None => esc(&label),
                };
                let class = if has { "has" } else { "lacks" };
                let _ = write!(html, "<span class=\"{class}\">{label}</span> ");
            }
            html.push_str("</p>");
        }
        // Quotes other outlets carry and this one does not.
        let missing: Vec<&&Quote> = group_first
            .iter()
            .filter(|(g, _)| {
                !groups_here
                    .get(a.id.as_str())
                    .is_some_and(|h| h.contains(*g))
            })
            .map(|(_, qt)| qt)
            .collect();
        if !missing.is_empty() {
            html.push_str("<p class=\"lacks\">Not quoted here:</p><ul class=\"lacks\">");
            for qt in missing {
                let short: String = qt
                    .text
                    .split_whitespace()
                    .take(8)
                    .collect::<Vec<_>>()
                    .join(" ");
                let _ = write!(
                    html,
                    "<li>{}: “{}…” {}</li>",
                    esc(qt.speaker_name.as_deref().unwrap_or("unknown speaker")),
                    esc(&short),
                    span_link(
                        &qt.article,
                        qt.start,
                        qt.end,
                        &format!("[in {}]", outlet_of(&qt.article))
                    )
                );
            }
            html.push_str("</ul>");
        }
        html.push_str("<ul>");
        for qt in d.quotes.iter().filter(|x| x.article == a.id) {
            let name = qt.speaker_name.as_deref().unwrap_or("unknown speaker");
            let who = match qt.speaker.as_deref().and_then(|id| safe_id(id).ok()) {
                Some(id) => format!("<a href=\"/entities/{}\">{}</a>", attr(&q(id)), esc(name)),
                None => esc(name),
            };
            let variant = qt
                .variant
                .as_deref()
                .map(|v| format!(" <span class=\"meta\">({})</span>", esc(v)))
                .unwrap_or_default();
            let _ = write!(
                html,
                "<li>{who}: “{}”{variant} {}</li>",
                diff_html(qt),
                span_link(&qt.article, qt.start, qt.end, "[in text]")
            );
        }
        html.push_str("</ul></section>");
    }
    html.push_str("</div>");
    Ok(Html(layout(&d.event.title, &html)))
}

/// Quotes an entity page lists before pointing to the API.
const MAX_QUOTES: usize = 200;
/// Events an entity page lists before pointing to the timeline.
const MAX_EVENTS: usize = 200;

async fn entity_page(State(s): State<Arc<AppState>>, UrlPath(id): UrlPath<String>) -> PageResult {
    let id = safe_id(&id)?.to_string();
    let (ents, (quote_count, quotes), heads, (event_count, events)) = s.with_store(|st| {
        let ents = st.find_entity_heads(&id)?;
        let Some(e) = ents.first() else {
            return Ok((ents, (0, vec![]), BTreeMap::new(), (0, vec![])));
        };
        let page = st.quotes_page(Some(&e.id), None, &Start::Offset(0), MAX_QUOTES)?;
        let quotes = (page.total, page.items);
        let mut heads = BTreeMap::new();
        for qt in &quotes.1 {
            if !heads.contains_key(&qt.article) {
                if let Some(h) = st.article_head(&qt.article)? {
                    heads.insert(qt.article.clone(), h);
                }
            }
        }
        let events = st.newest_events_of_entity(&e.id, MAX_EVENTS)?;
        Ok((ents, quotes, heads, events))
    })?;
    let e = ents
        .first()
        .ok_or_else(|| PageError(StatusCode::NOT_FOUND, "no such entity".into()))?;
    let mut html = format!(
        "<h1>{}</h1><p class=\"meta\">{}{}</p>",
        esc(&e.name),
        esc(&format!("{:?}", e.kind).to_lowercase()),
        e.role
            .as_deref()
            .map(|r| format!(" · {}", esc(r)))
            .unwrap_or_default()
    );
    if !e.aliases.is_empty() {
        let _ = write!(html, "<p>Also written: {}</p>", esc(&e.aliases.join(", ")));
    }
    // What they said, across outlets: the variants of one quote together.
    let _ = write!(html, "<h2>What they said ({quote_count})</h2>");
    let mut order: Vec<&str> = Vec::new();
    let mut by_group: BTreeMap<&str, Vec<&Quote>> = BTreeMap::new();
    for qt in &quotes {
        let key = qt.group.as_deref().unwrap_or(qt.id.as_str());
        if !by_group.contains_key(key) {
            order.push(key);
        }
        by_group.entry(key).or_default().push(qt);
    }
    html.push_str("<ul>");
    for key in order {
        let variants = &by_group[key];
        let _ = write!(html, "<li>“{}”<ul>", esc(&variants[0].text));
        for qt in variants {
            let (outlet, date) = heads
                .get(&qt.article)
                .map(|h| (h.outlet_or_source().to_string(), h.published.clone()))
                .unwrap_or_else(|| (qt.article.clone(), None));
            let wording = if qt.diff.is_empty() {
                String::new()
            } else {
                format!(": “{}”", diff_html(qt))
            };
            let _ = write!(
                html,
                "<li class=\"meta\">{} {}{} {}{}</li>",
                esc(&outlet),
                esc(date.as_deref().unwrap_or("undated")),
                qt.variant
                    .as_deref()
                    .map(|v| format!(" ({})", esc(v)))
                    .unwrap_or_default(),
                span_link(&qt.article, qt.start, qt.end, "[in text]"),
                wording
            );
        }
        html.push_str("</ul></li>");
    }
    html.push_str("</ul>");
    if quote_count > quotes.len() {
        let _ = write!(
            html,
            "<p class=\"meta\">First {MAX_QUOTES} shown; all at <a href=\"/api/quotes?speaker={}\">/api/quotes</a>.</p>",
            attr(&q(&e.id))
        );
    }
    let _ = write!(html, "<h2>Events ({event_count})</h2><ul>");
    for ev in &events {
        let _ = write!(
            html,
            "<li>{} <a href=\"/events/{}\">{}</a> <span class=\"meta\">{} article(s)</span></li>",
            event_when(ev),
            attr(&q(&ev.id)),
            esc(&ev.title),
            ev.articles.len()
        );
    }
    html.push_str("</ul>");
    if event_count > events.len() {
        let _ = write!(
            html,
            "<p class=\"meta\">Newest {MAX_EVENTS} shown; <a href=\"/timeline?entity={}\">all on the timeline</a>.</p>",
            attr(&q(&e.id))
        );
    }
    Ok(Html(layout(&e.name, &html)))
}

/// A character span to highlight.
#[derive(Debug, Deserialize, Default)]
struct SpanQuery {
    start: Option<usize>,
    end: Option<usize>,
}

async fn article_page(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
    Query(sq): Query<SpanQuery>,
) -> PageResult {
    let id = safe_id(&id)?.to_string();
    let a = s
        .with_store(|st| st.article(&id))?
        .ok_or_else(|| PageError(StatusCode::NOT_FOUND, "no such article".into()))?;
    let chars: Vec<char> = a.body.chars().collect();
    let (st, en) = match (sq.start, sq.end) {
        (Some(x), Some(y)) if x < y && y <= chars.len() => (x, y),
        _ => (0, 0),
    };
    let part = |r: std::ops::Range<usize>| esc(&chars[r].iter().collect::<String>());
    let body = if en > st {
        format!(
            "{}<mark id=\"hit\">{}</mark>{}",
            part(0..st),
            part(st..en),
            part(en..chars.len())
        )
    } else {
        part(0..chars.len())
    };
    let title = a.title.clone().unwrap_or_else(|| "(untitled)".into());
    let html = format!(
        "<h1>{}</h1><p class=\"meta\">{} · {} · {}</p><pre class=\"body\">{body}</pre>",
        esc(&title),
        esc(a.outlet.as_deref().unwrap_or("unknown outlet")),
        esc(a.published.as_deref().unwrap_or("undated")),
        esc(&a.source)
    );
    Ok(Html(layout(&title, &html)))
}

/// Events on one page of the timeline.
const TIMELINE_ROWS: usize = 300;

/// Day number of `YYYY-MM-DD` (or its start for coarser values).
fn day_of(v: &str) -> Option<i64> {
    let y: i64 = v.get(0..4)?.parse().ok()?;
    let m: i64 = v.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let d: i64 = v.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(1);
    Some(y * 372 + (m - 1) * 31 + (d - 1))
}

async fn timeline_page(
    State(s): State<Arc<AppState>>,
    Query(tq): Query<TimelineQuery>,
) -> PageResult {
    // A page of the timeline at a time: the latest unless asked for
    // another (`offset`, as the API's), with links to either side.
    let (offset, total, events) = {
        let store = s.lock()?;
        let offset = match tq.offset {
            Some(o) => o,
            None => timeline_events(&store, &tq, &Start::Offset(0), 0)?
                .total
                .saturating_sub(TIMELINE_ROWS),
        };
        let page = timeline_events(&store, &tq, &Start::Offset(offset), TIMELINE_ROWS)?;
        let (total, events) = (page.total, page.items);
        (offset.min(total), total, events)
    };
    let mut dated: Vec<(&Event, i64, Option<i64>)> = Vec::new();
    let mut undated: Vec<&Event> = Vec::new();
    for e in &events {
        match e.date.as_deref().or(e.reported.as_deref()).and_then(day_of) {
            Some(happened) => dated.push((e, happened, e.reported.as_deref().and_then(day_of))),
            None => undated.push(e),
        }
    }
    let mut html = String::from("<h1>Timeline</h1>");
    let filters: String = [("storyline", &tq.storyline), ("entity", &tq.entity)]
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| format!("&{k}={}", q(v))))
        .collect();
    let link = |from: usize, label: &str| {
        format!(
            "<a href=\"/timeline?offset={from}{}\">{label}</a>",
            attr(&filters)
        )
    };
    let mut nav = Vec::new();
    if offset > 0 {
        nav.push(link(offset.saturating_sub(TIMELINE_ROWS), "← earlier"));
    }
    if offset + events.len() < total {
        nav.push(link(offset + TIMELINE_ROWS, "later →"));
    }
    let _ = write!(
        html,
        "<p class=\"meta\">Events {}–{} of {total}, in the order they happened. {}</p>",
        (offset + 1).min(total),
        offset + events.len(),
        nav.join(" · ")
    );
    // Events without a date to draw them at come last, listed.
    let mut tail = String::new();
    if !undated.is_empty() {
        tail.push_str("<h2>Undated</h2><ul>");
        for e in &undated {
            let _ = write!(
                tail,
                "<li><a href=\"/events/{}\">{}</a></li>",
                attr(&q(&e.id)),
                esc(&e.title)
            );
        }
        tail.push_str("</ul>");
    }
    if dated.is_empty() {
        html.push_str("<p>No dated events here.</p>");
        html.push_str(&tail);
        return Ok(Html(layout("Timeline", &html)));
    }
    let lo = dated
        .iter()
        .map(|d| d.1.min(d.2.unwrap_or(d.1)))
        .min()
        .unwrap_or(0);
    let hi = dated
        .iter()
        .map(|d| d.1.max(d.2.unwrap_or(d.1)))
        .max()
        .unwrap_or(0);
    let width = 900.0;
    let x = |day: i64| 20.0 + (day - lo) as f64 / ((hi - lo).max(1)) as f64 * (width - 40.0);
    let row = 28;
    let height = 40 + row * dated.len();
    let _ = write!(
        html,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"events by date\">\
<line x1=\"20\" y1=\"20\" x2=\"{}\" y2=\"20\" stroke=\"#999\"/>",
        width - 20.0
    );
    for (k, (e, happened, reported)) in dated.iter().enumerate() {
        let y = 40 + row * k;
        let _ = write!(
            html,
            "<a href=\"/events/{}\"><circle cx=\"{:.1}\" cy=\"{y}\" r=\"6\" fill=\"#1a4d8f\"><title>happened {}</title></circle>",
            attr(&q(&e.id)),
            x(*happened),
            esc(e.date.as_deref().unwrap_or("?"))
        );
        if let Some(r) = reported {
            let _ = write!(
                html,
                "<rect x=\"{:.1}\" y=\"{}\" width=\"3\" height=\"12\" fill=\"#b33\"><title>reported {}</title></rect>",
                x(*r) - 1.5,
                y - 6,
                esc(e.reported.as_deref().unwrap_or("?"))
            );
        }
        // Labels right of the dot, or left of it near the right edge.
        let (lx, anchor) = if x(*happened) > width - 320.0 {
            (x(*happened) - 10.0, "end")
        } else {
            (x(*happened) + 10.0, "start")
        };
        let _ = write!(
            html,
            "<text x=\"{lx:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"{anchor}\">{}</text></a>",
            y + 4,
            esc(&e.title)
        );
    }
    html.push_str(
        "</svg><p class=\"meta\">Dots: when it happened; red ticks: when first reported.</p>",
    );
    html.push_str(&tail);
    Ok(Html(layout("Timeline", &html)))
}

async fn search_page(State(s): State<Arc<AppState>>, Query(sq): Query<SearchQuery>) -> PageResult {
    const PER_PAGE: usize = 50;
    let text = sq.q.clone().unwrap_or_default();
    let field = |name: &str, label: &str, value: &Option<String>, hint: &str| {
        format!(
            " <label>{label} <input name=\"{name}\" value=\"{}\" placeholder=\"{hint}\" size=\"12\"></label>",
            attr(value.as_deref().unwrap_or(""))
        )
    };
    let mut html = format!(
        "<h1>Search</h1><form action=\"/search\"><input name=\"q\" value=\"{}\" aria-label=\"words\"> <button>Search</button><br>{}{}{}{}{}</form>\
         <p class=\"meta\">All words must match; \"a phrase\", <code>OR</code>, <code>-word</code>, <code>title:word</code>.</p>",
        attr(&text),
        field("outlet", "Outlet", &sq.outlet, "any"),
        field("language", "Language", &sq.language, "en, ko…"),
        field("from", "From", &sq.from, "YYYY-MM-DD"),
        field("to", "To", &sq.to, "YYYY-MM-DD"),
        field("entity", "Naming", &sq.entity, "a name"),
    );
    if !text.trim().is_empty() {
        let offset = sq.offset.unwrap_or(0);
        let hits = {
            let store = s.lock()?;
            crate::search_filtered(&store, &sq, &text, PER_PAGE)?
        };
        if hits.is_empty() {
            html.push_str("<p>No results.</p>");
        } else {
            let _ = write!(
                html,
                "<p>Results {}–{}</p><ul>",
                offset + 1,
                offset + hits.len()
            );
            for h in &hits {
                let _ = write!(
                    html,
                    "<li><a href=\"/articles/{}\">{}</a><br><span class=\"meta\">{}</span></li>",
                    attr(&q(&h.article)),
                    esc(h.title.as_deref().unwrap_or("(untitled)")),
                    esc(&h.snippet)
                );
            }
            html.push_str("</ul>");
        }
        if hits.len() == PER_PAGE && offset + PER_PAGE <= crate::MAX_OFFSET {
            // The same search one page on, every parameter carried over.
            let mut next = format!("/search?q={}&offset={}", q(&text), offset + PER_PAGE);
            for (name, v) in [
                ("outlet", &sq.outlet),
                ("language", &sq.language),
                ("from", &sq.from),
                ("to", &sq.to),
                ("entity", &sq.entity),
            ] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    let _ = write!(next, "&{name}={}", q(v));
                }
            }
            let _ = write!(html, "<p><a href=\"{}\">More results</a></p>", attr(&next));
        }
    }
    Ok(Html(layout("Search", &html)))
}
