//! Main content and metadata of HTML pages via `dom_smoothie`, with a plain
//! tag-stripping fallback when Readability finds nothing or the page is too
//! large to parse within bounds.

use std::borrow::Cow;

use dom_smoothie::{Config, Readability, TextMode};
use storyline_model::calendar;

use crate::{authors, rules};

/// Pages larger than this skip the DOM parse and use the linear-time fallback,
/// so a hostile 50 MB page costs one scan, not a DOM of millions of nodes.
const MAX_DOM_BYTES: usize = 8 * 1024 * 1024;

/// Deeper markup than this is not real page structure (real pages stay
/// under a few hundred levels); Readability's cost grows with depth, so such
/// pages take the fallback.
const MAX_DOM_DEPTH: usize = 512;

/// Largest element nesting depth, estimated in one scan: opening tags push,
/// closing tags pop, void and self-closed elements do neither.
fn nesting_depth(html: &str) -> usize {
    const VOID: &[&[u8]] = &[
        b"br", b"img", b"meta", b"link", b"input", b"hr", b"source", b"wbr", b"area", b"base",
        b"col", b"embed", b"track", b"param",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    for at in memchr::memchr_iter(b'<', bytes) {
        let rest = &bytes[at + 1..];
        if rest.first() == Some(&b'/') {
            depth = depth.saturating_sub(1);
        } else if rest.first().is_some_and(u8::is_ascii_alphabetic) {
            let len = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let name = &rest[..len];
            let void = VOID.iter().any(|v| v.eq_ignore_ascii_case(name));
            let end = memchr::memchr(b'>', rest).map_or(rest.len(), |e| e);
            if !void && !rest[..end].ends_with(b"/") {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

/// What the HTML path hands to the block classifier.
pub struct Extracted {
    pub lines: Vec<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    /// Figure captions, kept apart from the body.
    pub captions: Vec<String>,
    /// The whole page as text (tags stripped), for the text-path fallback
    /// when Readability kept too little; empty when `lines` already is it.
    pub page_lines: Vec<String>,
}

pub fn extract(html: &str, url: Option<&str>) -> Extracted {
    // Readability keeps figure captions inside the article; take them out
    // first so that they never reach the body.
    let (html, lower, captions) = take_captions(html);
    let r = if html.len() <= MAX_DOM_BYTES && nesting_depth(&html) <= MAX_DOM_DEPTH {
        // A panic inside the DOM library on hostile markup must not take the
        // batch down: the page's own text is used instead.
        std::panic::catch_unwind(|| readability(&readability_input(&html, &lower), url))
            .ok()
            .flatten()
    } else {
        None
    };
    let mut e = assemble(&html, &lower, r, fallback_lower(&html, &lower));
    e.captions = captions;
    e
}

/// What Readability is given of a page: the page without code
/// ([`without_code`]), then cut to its article ([`only_article`]). Code
/// goes first: an `<article>` written inside a script or a comment is not
/// the page's.
fn readability_input<'a>(html: &'a str, lower: &'a str) -> Cow<'a, str> {
    let code_free = without_code(html, lower);
    let code_free_lower = match &code_free {
        Cow::Borrowed(_) => Cow::Borrowed(lower),
        Cow::Owned(page) => Cow::Owned(page.to_ascii_lowercase()),
    };
    match only_article(&code_free, &code_free_lower).0 {
        Cow::Owned(cut) => Cow::Owned(cut),
        Cow::Borrowed(_) => code_free,
    }
}

/// The page cut to its head and its one `<article>` element, or else its
/// one `<main>`, when it has exactly one (and a head before it):
/// Readability then parses and scores that element, not the menus,
/// sidebars and footers around it (most of a news page's markup).
fn only_article<'a>(html: &'a str, lower: &'a str) -> (Cow<'a, str>, Cow<'a, str>) {
    for tag in ["article", "main"] {
        let open_pat = format!("<{tag}");
        let opens: Vec<usize> = memchr::memmem::find_iter(lower.as_bytes(), open_pat.as_bytes())
            .filter(|&p| {
                lower
                    .as_bytes()
                    .get(p + open_pat.len())
                    .is_some_and(|&b| b == b'>' || b.is_ascii_whitespace())
            })
            .take(2)
            .collect();
        let [open] = opens[..] else {
            continue;
        };
        let close_pat = format!("</{tag}>");
        let Some(close) = find_from(lower, &close_pat, open) else {
            continue;
        };
        let Some(head_end) = lower[..open].find("</head>").map(|p| p + "</head>".len()) else {
            continue;
        };
        let end = close + close_pat.len();
        let cut = |s: &str| format!("{}<body>{}</body></html>", &s[..head_end], &s[open..end]);
        return (Cow::Owned(cut(html)), Cow::Owned(cut(lower)));
    }
    (Cow::Borrowed(html), Cow::Borrowed(lower))
}

/// The page without what Readability would only parse to throw away:
/// scripts (but not JSON-LD, which it reads for metadata), styles, inline SVG
/// and comments. They are often most of a page's bytes.
fn without_code<'a>(html: &'a str, lower: &str) -> Cow<'a, str> {
    let mut out = String::new();
    let mut pos = 0; // copied up to here
    let mut at = 0; // searched from here
    while let Some(lt) = memchr::memchr(b'<', &lower.as_bytes()[at..]).map(|p| at + p) {
        let rest = &lower[lt..];
        let close = if rest.starts_with("<!--") {
            Some("-->")
        } else if rest.starts_with("<script") {
            let head_end = rest.find('>').unwrap_or(rest.len());
            (!rest[..head_end].contains("ld+json")).then_some("</script>")
        } else if rest.starts_with("<style") {
            Some("</style>")
        } else if rest.starts_with("<svg") {
            Some("</svg>")
        } else {
            None
        };
        let Some(close) = close else {
            at = lt + 1;
            continue;
        };
        let end = find_from(lower, close, lt + 4).map_or(lower.len(), |e| e + close.len());
        out.push_str(&html[pos..lt]);
        pos = end;
        at = end;
    }
    if pos == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[pos..]);
    Cow::Owned(out)
}

/// Removes `<figcaption>` elements, returning the page without them and
/// their text. One linear scan over a lower-cased copy.
fn take_captions(html: &str) -> (Cow<'_, str>, String, Vec<String>) {
    let lower = html.to_ascii_lowercase();
    let spans = elements(&lower, "figcaption", usize::MAX);
    if spans.is_empty() {
        return (Cow::Borrowed(html), lower, Vec::new());
    }
    // ASCII lower-casing keeps offsets, so both strings are cut alike.
    let mut out = String::with_capacity(html.len());
    let mut out_lower = String::with_capacity(html.len());
    let mut captions = Vec::new();
    let mut pos = 0;
    for (open, end) in spans {
        out.push_str(&html[pos..open]);
        out_lower.push_str(&lower[pos..open]);
        let text = element_text(&html[open..end]);
        if !text.is_empty() {
            captions.push(text);
        }
        pos = end;
    }
    out.push_str(&html[pos..]);
    out_lower.push_str(&lower[pos..]);
    (Cow::Owned(out), out_lower, captions)
}

/// Offset of `needle` in `hay` at or after `from` (SIMD substring search:
/// these scans run over whole pages).
fn find_from(hay: &str, needle: &str, from: usize) -> Option<usize> {
    memchr::memmem::find(&hay.as_bytes()[from..], needle.as_bytes()).map(|p| from + p)
}

/// Byte ranges (opening `<` to the end of the closing tag) of the first `max`
/// `tag` elements, found on the ASCII-lower-cased page (same offsets).
fn elements(lower: &str, tag: &str, max: usize) -> Vec<(usize, usize)> {
    let open_pat = format!("<{tag}");
    let close_pat = format!("</{tag}>");
    let mut out = Vec::new();
    let mut pos = 0;
    while out.len() < max {
        let Some(open) = find_from(lower, &open_pat, pos) else {
            break;
        };
        // `<h1` must not match `<h10` or `<header`: the name ends here.
        let after = lower.as_bytes().get(open + open_pat.len()).copied();
        if after.is_some_and(|b| b.is_ascii_alphanumeric()) {
            pos = open + open_pat.len();
            continue;
        }
        let Some(close) = find_from(lower, &close_pat, open) else {
            break;
        };
        out.push((open, close + close_pat.len()));
        pos = close + close_pat.len();
    }
    out
}

/// The text of an element, tags stripped, entities decoded, white space folded.
fn element_text(html: &str) -> String {
    crate::collapse_ws(&fallback(html).lines.join(" "))
}

/// An `<h1>` sharing less than this (Dice) with the metadata title is a
/// section label or site name, not the headline.
const HEADLINE_MIN_DICE: f32 = 0.2;

/// Drops what a page prints before its headline inside the `<h1>` when the
/// metadata title does not have it: a label ("Title:", "Blog:") or a date
/// ("Dec 18 2025 Preparing a transition").
fn strip_heading_prefix(h1: &str, meta_title: &str) -> String {
    let label = h1.split_once(':').filter(|(l, rest)| {
        !l.contains(' ')
            && l.len() <= 12
            && rest.split_whitespace().count() >= 2
            && !meta_title.trim_start().starts_with(l)
    });
    let rest = match label {
        Some((_, rest)) => rest.trim().to_string(),
        // Only a date that opens the heading.
        None if matches!(calendar::find_dates(h1).first(), Some((0, _))) => h1
            .split_whitespace()
            .skip_while(|w| {
                w.chars().any(|c| c.is_ascii_digit())
                    || calendar::month_from_name(w.trim_end_matches([',', '.'])).is_some()
            })
            .collect::<Vec<_>>()
            .join(" "),
        None => return h1.to_string(),
    };
    if rest.split_whitespace().count() >= 2 {
        rest
    } else {
        h1.to_string()
    }
}

/// The headline: the page's `<h1>` that shares the most words with the
/// metadata title (`og:title`, JSON-LD or `<title>`, as Readability chose
/// it); else the metadata title without its " | Site name" part; else the
/// first `<h1>`. Site names and section labels in `<h1>`s share no words
/// with the title, so they lose.
fn headline(html: &str, lower: &str, meta_title: &str) -> Option<String> {
    let h1s: Vec<String> = elements(lower, "h1", 5)
        .into_iter()
        .map(|(s, e)| element_text(&html[s..e]))
        .filter(|t| (1..=40).contains(&t.split_whitespace().count()))
        .collect();
    let best = rules::best_word_match(meta_title, h1s.iter().map(|h| (h, h.as_str())))
        .filter(|(_, dice)| *dice > HEADLINE_MIN_DICE);
    if let Some((h, _)) = best {
        return Some(strip_heading_prefix(&rules::strip_tagline(h), meta_title));
    }
    let stripped = rules::strip_site_name(meta_title);
    if !stripped.is_empty() {
        return Some(stripped);
    }
    h1s.into_iter().next()
}

/// The attributes of the opening tag that starts at `tag` (`<meta …>`), lower-
/// cased names, values with entities decoded.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let end = tag.find('>').unwrap_or(tag.len());
    let inner = &tag[1..end];
    let mut out = Vec::new();
    let b = inner.as_bytes();
    // Skip the tag name.
    let mut i = b
        .iter()
        .position(|c| c.is_ascii_whitespace())
        .unwrap_or(b.len());
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = inner[ns..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs + b[vs..].iter().position(|&c| c == q).unwrap_or(b.len() - vs);
                value = decode_entities(&inner[vs..i]);
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = decode_entities(&inner[vs..i]);
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

/// One `<meta>` tag's attributes.
struct Meta(Vec<(String, String)>);

impl Meta {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// What the tag is about: its `property`, `name` or `itemprop`, lower-cased.
    fn key(&self) -> String {
        self.get("property")
            .or_else(|| self.get("name"))
            .or_else(|| self.get("itemprop"))
            .unwrap_or("")
            .to_ascii_lowercase()
    }
}

/// Pages carry a few dozen `<meta>` tags; a page with thousands is hostile.
const MAX_META_TAGS: usize = 500;

/// The page's `<meta>` tags, parsed once.
fn meta_tags(html: &str, lower: &str) -> Vec<Meta> {
    tag_starts(lower, "meta")
        .take(MAX_META_TAGS)
        .map(|at| Meta(attributes(&html[at..])))
        .collect()
}

/// Start offsets of the opening tags named `name` (on the lower-cased page).
fn tag_starts<'a>(lower: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let pat = format!("<{name}");
    let mut pos = 0;
    std::iter::from_fn(move || loop {
        let at = find_from(lower, &pat, pos)?;
        pos = at + pat.len();
        let next = lower.as_bytes().get(pos).copied();
        if next.is_none_or(|c| c.is_ascii_whitespace() || c == b'>' || c == b'/') {
            return Some(at);
        }
    })
}

/// A plausible person's name for an author field: 1–6 words, letters, no
/// URL, not a generic account name.
fn plausible_author(s: &str) -> Option<String> {
    let mut t = crate::collapse_ws(s.trim());
    // Labels that travel with the name in author boxes.
    for label in [
        "written by ",
        "posted by ",
        "reviewed by ",
        "by: ",
        "by ",
        "author: ",
    ] {
        if t.len() > label.len()
            && t.get(..label.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(label))
        {
            t = t[label.len()..].to_string();
        }
    }
    let t = t.trim_start_matches(", ");
    // "ByAna Lind": a label and name run together by the markup.
    let t = match t.strip_prefix("By") {
        Some(rest) if rest.starts_with(char::is_uppercase) => rest,
        _ => t,
    }
    .to_string();
    let words = crate::words(&t);
    let lower = t.to_lowercase();
    let generic = [
        "admin",
        "administrator",
        "staff",
        "editor",
        "team",
        "guest",
        "user",
        "written by",
        "posted by",
        "author",
        "by",
        "reviewed by",
        "published by",
        "use case",
        "the author",
        "about the author",
        "undefined",
        "null",
        "none",
        "unknown",
    ];
    // "andrew.keaveney", "page.head.extra.author": identifiers, not names
    // (a trailing period, as in "Justin C. Meserole", is fine).
    let identifier = t
        .split_whitespace()
        .any(|w| w.trim_end_matches('.').contains('.') || w.contains('_'));
    ((1..=6).contains(&words)
        && t.chars().any(char::is_alphabetic)
        && !identifier
        && !lower.contains("http")
        && !lower.contains('@')
        && !generic.contains(&lower.as_str()))
    .then_some(t)
}

/// The largest char boundary at or below `i` (clamped to the string).
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Author names from JSON-LD `author` (objects, arrays or strings).
fn json_ld_authors(html: &str, lower: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (s, e) in elements(lower, "script", usize::MAX) {
        let open_end = html[s..e].find('>').map_or(e, |p| s + p + 1);
        if !lower[s..open_end].contains("ld+json") {
            continue;
        }
        let body = &html[open_end..e - "</script>".len()];
        let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
            continue;
        };
        collect_authors(&v, &mut out, 0);
        if !out.is_empty() {
            break;
        }
    }
    out
}

fn collect_authors(v: &serde_json::Value, out: &mut Vec<String>, depth: usize) {
    use serde_json::Value;
    if depth > 8 {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(a) = map.get("author") {
                let names: Vec<&Value> = match a {
                    Value::Array(xs) => xs.iter().collect(),
                    x => vec![x],
                };
                for n in names {
                    let name = match n {
                        Value::String(s) => Some(s.as_str()),
                        Value::Object(o) => o.get("name").and_then(Value::as_str),
                        _ => None,
                    };
                    if let Some(p) = name.and_then(plausible_author) {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
            }
            for x in map.values() {
                collect_authors(x, out, depth + 1);
            }
        }
        Value::Array(xs) => {
            for x in xs {
                collect_authors(x, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Authors from the page's markup, most reliable source first: JSON-LD,
/// `<meta name="author">`, `rel="author"` links, a "By …" line near the
/// top, an element whose class says author or byline.
fn html_authors(
    html: &str,
    lower: &str,
    metas: &[Meta],
    byline_text: &[String],
    title: Option<&str>,
) -> Vec<String> {
    let ld = json_ld_authors(html, lower);
    if !ld.is_empty() {
        return ld;
    }
    // Structured data that is not in a parseable ld+json block (inline app
    // state, broken JSON): `"author": {… "name": "X"` in the raw page.
    for at in memchr::memmem::find_iter(html.as_bytes(), b"\"author\"").take(20) {
        // Only within the author's own object: stop at its closing brace.
        let mut window = &html[at..floor_char_boundary(html, at + 300)];
        if let Some(close) = window.find('}') {
            window = &window[..close];
        }
        let Some(n) = window.find("\"name\"") else {
            continue;
        };
        let rest = window[n + 6..].trim_start_matches([' ', ':']);
        let Some(rest) = rest.strip_prefix('"') else {
            continue;
        };
        if let Some(end) = rest.find('"') {
            if let Some(a) = plausible_author(&rest[..end]) {
                return vec![a];
            }
        }
    }
    // Twitter card pairs: label1 "Written by", data1 the name.
    let mut card_label: Option<String> = None;
    for m in metas {
        let name = m.get("name").unwrap_or("").to_ascii_lowercase();
        if let Some(n) = name.strip_prefix("twitter:label") {
            if m.get("content")
                .is_some_and(|c| c.to_ascii_lowercase().contains("written by"))
            {
                card_label = Some(n.to_string());
            }
        } else if let (Some(n), Some(l)) =
            (name.strip_prefix("twitter:data"), card_label.as_deref())
        {
            if n == l {
                if let Some(a) = m.get("content").and_then(plausible_author) {
                    return split_names(&a);
                }
            }
        }
    }
    for m in metas {
        let key = m.key();
        if matches!(
            key.as_str(),
            "author" | "article:author" | "parsely-author" | "sailthru.author" | "dc.creator"
        ) {
            if let Some(a) = m.get("content").and_then(plausible_author) {
                return split_names(&a);
            }
        }
    }
    let lines: Vec<&str> = byline_text
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    let names = authors::from_lines(&lines, title);
    if !names.is_empty() {
        return names;
    }
    // Elements whose class (or `rel`) names an author or byline: found by searching
    // for the words, then checking they sit in a class attribute, so that
    // the page's other tags are never parsed.
    for at in ["author", "byline", "contributor", "writer"]
        .iter()
        .flat_map(|w| memchr::memmem::find_iter(lower.as_bytes(), w.as_bytes()))
        .take(200)
    {
        let Some(open) = lower[..at].rfind('<') else {
            continue;
        };
        let tag = &lower[open..at];
        let name: String = lower[open + 1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        // A link to the author's page: `<a href="/authors/ana-lind">`.
        let author_link = name == "a"
            && tag.contains("href")
            && tag.ends_with('/')
            && lower[at..].starts_with(['a', 'c', 'w'])
            && lower[at..]
                .split('/')
                .next()
                .is_some_and(|seg| AUTHOR_PATHS.contains(&seg));
        if tag.contains('>')
            || !(author_link || tag.contains("class") || tag.contains("rel"))
            || !matches!(name.as_str(), "span" | "div" | "p" | "a")
        {
            continue;
        }
        let at = open;
        // The element's own text up to its first child's close (or a line
        // break: "Ana Lind<br>4 August 2010") is enough here.
        let end = [lower[at..].find("</"), lower[at..].find("<br")]
            .into_iter()
            .flatten()
            .min()
            .map_or(lower.len(), |p| at + p);
        let text = element_text(&html[at..end]);
        if let Some(a) = plausible_author(&text).filter(|a| rules::is_name(a)) {
            return vec![a];
        }
    }
    Vec::new()
}

/// Path segments of links to an author's page.
const AUTHOR_PATHS: &[&str] = &[
    "author",
    "authors",
    "contributor",
    "contributors",
    "writer",
    "writers",
];

/// "Ana Lind and Per Holm" → two names.
fn split_names(s: &str) -> Vec<String> {
    s.split([',', '&', ';'])
        .flat_map(|p| p.split(" and "))
        .filter_map(plausible_author)
        .collect()
}

/// Meta names and properties that carry the publication date.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "publication_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "date",
];

/// The publication date the page's metadata states: JSON-LD or inline
/// structured data (`"datePublished"`), a `<meta>` date, or a `<time>`
/// element marked as the publication time.
fn meta_published(html: &str, lower: &str, metas: &[Meta]) -> Option<calendar::Ymd> {
    // Structured data, parsed or not (inline app state, HTML-escaped JSON).
    for key in ["\"datepublished\"", "&quot;datepublished&quot;"] {
        for at in memchr::memmem::find_iter(lower.as_bytes(), key.as_bytes()).take(5) {
            let rest = &html[at + key.len()..floor_char_boundary(html, at + key.len() + 80)];
            let rest = rest.trim_start_matches([' ', ':']);
            let rest = rest
                .strip_prefix('"')
                .or_else(|| rest.strip_prefix("&quot;"))
                .unwrap_or(rest);
            if let Some(d) = calendar::parse_date(rest.get(..rest.len().min(30)).unwrap_or(rest)) {
                return Some(d);
            }
        }
    }
    for m in metas {
        if DATE_META.contains(&m.key().as_str()) {
            if let Some(d) = m.get("content").and_then(calendar::parse_date) {
                return Some(d);
            }
        }
    }
    for at in tag_starts(lower, "time").take(50) {
        let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |e| at + e)];
        if tag.contains("publish") || tag.contains("entry-date") {
            let attrs = attributes(&html[at..]);
            if let Some(d) = attrs
                .iter()
                .find(|(n, _)| n == "datetime")
                .and_then(|(_, v)| calendar::parse_date(v))
            {
                return Some(d);
            }
        }
    }
    None
}

/// How far (bytes of page text) from the headline a visible date may stand
/// to count as the article's date.
const DATE_WINDOW: usize = 3000;

/// The date a reader sees next to the headline: of the dates written in the
/// page's text, the one nearest the headline, within [`DATE_WINDOW`]. Pages
/// show the date that matters to them there (often "updated on"), which
/// metadata does not always carry.
fn nearest_date(page_text: &str, headline: Option<&str>) -> Option<calendar::Ymd> {
    // Without a headline on the page, the top of the page is where dates sit.
    let anchor = headline.and_then(|h| page_text.find(h)).unwrap_or(0);
    // Only the window around the headline is searched.
    let from = floor_char_boundary(page_text, anchor.saturating_sub(DATE_WINDOW));
    let to = floor_char_boundary(page_text, anchor + DATE_WINDOW);
    let dates: Vec<(usize, bool, calendar::Ymd)> = calendar::find_dates(&page_text[from..to])
        .into_iter()
        .map(|(p, d)| {
            let at = from + p;
            let before = &page_text[floor_char_boundary(page_text, at.saturating_sub(30))..at];
            (at.abs_diff(anchor), rules::is_update_label(before), d)
        })
        .filter(|(dist, _, _)| *dist <= DATE_WINDOW)
        .collect();
    // "Published May 2 · Updated June 9": the first publication is the date
    // that relative dates in the text count from.
    let published = dates.iter().filter(|(_, update, _)| !update);
    published
        .min_by_key(|(dist, _, _)| *dist)
        .or_else(|| dates.iter().min_by_key(|(dist, _, _)| *dist))
        .map(|(_, _, d)| *d)
}

/// The page's text on one line, white space folded (for date search).
fn page_text(page_lines: &[String]) -> String {
    let mut out = String::with_capacity(page_lines.iter().map(String::len).sum());
    for w in page_lines.iter().flat_map(|l| l.split_whitespace()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// What Readability found: the article's text and the metadata it read.
struct ReadabilityOut {
    text: String,
    title: String,
    byline: Option<String>,
    published: Option<String>,
    site_name: Option<String>,
    lang: Option<String>,
}

fn readability(html: &str, url: Option<&str>) -> Option<ReadabilityOut> {
    let cfg = Config {
        text_mode: TextMode::Formatted,
        max_elements_to_parse: 100_000,
        ..Default::default()
    };
    let mut r = Readability::new(html, url, Some(cfg)).ok()?;
    let article = r.parse().ok()?;
    let text = article.text_content.to_string();
    if crate::words(&text) < 3 {
        return None;
    }
    Some(ReadabilityOut {
        text,
        title: article.title,
        byline: article.byline,
        published: article.published_time,
        site_name: article.site_name,
        lang: article.lang,
    })
}

/// The article and its metadata from Readability's output (if it found an
/// article) and the whole page's text (always).
fn assemble(html: &str, lower: &str, r: Option<ReadabilityOut>, page: Extracted) -> Extracted {
    let meta_title = r
        .as_ref()
        .map(|r| r.title.clone())
        .filter(|t| !t.trim().is_empty())
        .or_else(|| page.title.clone())
        .unwrap_or_default();
    let title = headline(html, lower, &meta_title);
    let page_lines = page.lines;
    let text_of_page = page_text(&page_lines);
    let near_date = nearest_date(&text_of_page, title.as_deref());
    let metas = meta_tags(html, lower);
    let from_markup = html_authors(html, lower, &metas, &page_lines, title.as_deref());
    let authors = if from_markup.is_empty() {
        r.as_ref()
            .and_then(|r| r.byline.as_deref())
            .map(|b| {
                rules::byline(b).unwrap_or_else(|| {
                    b.split([',', '&'])
                        .flat_map(|p| p.split(" and "))
                        .map(str::trim)
                        .filter(|p| rules::is_name(p))
                        .filter_map(plausible_author)
                        .collect()
                })
            })
            .unwrap_or_default()
    } else {
        from_markup
    };
    let published = meta_published(html, lower, &metas)
        .or(near_date)
        .or_else(|| {
            r.as_ref()
                .and_then(|r| r.published.as_deref())
                .and_then(calendar::parse_date)
        })
        // The last resort: the first date anywhere on the page.
        .or_else(|| calendar::find_dates(&text_of_page).first().map(|(_, d)| *d))
        .map(|d| d.iso());
    let (lines, page_lines, site_name, language) = match r {
        Some(r) => (
            r.text.lines().map(str::to_string).collect(),
            page_lines,
            r.site_name.filter(|s| !s.trim().is_empty()),
            r.lang
                .map(|l| {
                    l.split(['-', '_'])
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                })
                .filter(|l| !l.is_empty()),
        ),
        // Without Readability the page's text is the article's lines.
        None => (page_lines, Vec::new(), None, None),
    };
    Extracted {
        lines,
        title,
        authors,
        published,
        site_name,
        captions: Vec::new(),
        page_lines,
        language,
    }
}

/// Strips tags in one pass: drops script/style/noscript/template content,
/// turns block-level tags into line breaks, decodes common entities.
fn fallback(html: &str) -> Extracted {
    fallback_lower(html, &html.to_ascii_lowercase())
}

/// [`fallback`] with the ASCII-lower-cased page already at hand.
fn fallback_lower(html: &str, lower: &str) -> Extracted {
    let mut out = String::with_capacity(html.len() / 2);
    let mut title = None;
    let mut i = 0;
    // Inside <pre> line breaks are the text's own; elsewhere they are white
    // space like any other (hard-wrapped source must not split paragraphs).
    let mut pre_depth = 0usize;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let next = html[i..].find('<').map_or(html.len(), |p| i + p);
            let text = &html[i..next];
            if pre_depth > 0 || !text.contains(['\n', '\r']) {
                out.push_str(text);
            } else {
                out.extend(
                    text.chars()
                        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
                );
            }
            i = next;
            continue;
        }
        let end = match tag_end(bytes, i) {
            Some(e) => e,
            None => break,
        };
        let tag = &lower[i + 1..end - 1];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !tag.starts_with('/')
            && matches!(
                name.as_str(),
                "script" | "style" | "noscript" | "template" | "title"
            )
        {
            let close = format!("</{name}");
            let stop = find_from(lower, &close, end).unwrap_or(html.len());
            if name == "title" {
                title = Some(decode_entities(html[end..stop].trim()));
            }
            i = lower[stop..].find('>').map_or(html.len(), |p| stop + p + 1);
            continue;
        }
        if name == "pre" {
            pre_depth = if tag.starts_with('/') {
                pre_depth.saturating_sub(1)
            } else {
                pre_depth + 1
            };
        }
        if matches!(
            name.as_str(),
            "p" | "div"
                | "br"
                | "pre"
                | "nav"
                | "aside"
                | "main"
                | "figure"
                | "form"
                | "hr"
                | "dl"
                | "dt"
                | "dd"
                | "address"
                | "details"
                | "summary"
                | "li"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "tr"
                | "section"
                | "article"
                | "header"
                | "footer"
                | "blockquote"
                | "figcaption"
                | "ul"
                | "ol"
                | "table"
        ) {
            out.push('\n');
        }
        i = end;
    }
    let text = decode_entities(&out);
    Extracted {
        lines: text.lines().map(str::to_string).collect(),
        title: title.filter(|t| !t.is_empty()),
        authors: Vec::new(),
        published: None,
        site_name: None,
        language: None,
        captions: Vec::new(),
        page_lines: Vec::new(),
    }
}

/// One past the `>` that closes the tag opened at `start`, skipping quoted
/// attribute values (`title="a > b"` does not end the tag). An unterminated
/// quote falls back to the first `>`, so one bad attribute cannot swallow
/// the rest of the page.
fn tag_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut quote = None;
    for (k, &b) in bytes[start + 1..].iter().enumerate() {
        let at = start + 1 + k;
        match (quote, b) {
            (None, b'"' | b'\'')
                if bytes[at - 1] == b'=' || bytes[at - 1].is_ascii_whitespace() =>
            {
                quote = Some(b);
            }
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(at + 1),
            (None, b'<') if k > 0 => break,
            _ => {}
        }
    }
    memchr::memchr(b'>', &bytes[start..]).map(|p| start + p + 1)
}

/// Decodes character references: the common ones here, the rest of HTML's
/// named entities (`&sdot;`, `&eacute;`) through `html_escape`.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let semi = rest.as_bytes()[..rest.len().min(34)]
            .iter()
            .position(|&b| b == b';');
        let decoded = semi.and_then(|e| {
            let ent = &rest[1..e];
            let ch = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                _ => ent
                    .strip_prefix("#x")
                    .or_else(|| ent.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            match ch {
                Some(c) => Some((c.to_string(), e + 1)),
                // The rest of HTML's named entities (`&sdot;`, `&eacute;`).
                None => {
                    let full = html_escape::decode_html_entities(&rest[..=e]);
                    (full != rest[..=e]).then(|| (full.into_owned(), e + 1))
                }
            }
        });
        match decoded {
            Some((c, len)) => {
                out.push_str(&c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readability_keeps_paragraphs_and_metadata() {
        let html = r#"<html lang="en-GB"><head><title>Tram line approved | City Paper</title>
<meta property="og:site_name" content="City Paper">
<meta property="article:published_time" content="2025-02-11T08:00:00Z">
<meta name="author" content="Ana Lind"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Tram line approved</h1><figure><img src="x.jpg"><figcaption>The <b>new</b> tram depot, February 10. CITY PAPER</figcaption></figure>
<p>The regional council approved the new tram line on Monday after a debate that lasted more than six hours, ending a dispute that had run for years.</p>
<p>Construction is expected to start next spring and the first trams should run in 2028, the transport department said in a statement.</p>
<p>Opponents said the cost, estimated at 400 million crowns, was too high for a city of its size, and promised to keep campaigning.</p>
</article><footer>Copyright City Paper</footer></body></html>"#;
        let e = extract(html, Some("https://citypaper.example/tram"));
        let text = e.lines.join("\n");
        assert!(text.contains("The regional council approved"), "{text}");
        assert!(text.contains("Opponents said"));
        assert!(!text.contains("Copyright"));
        assert!(!text.contains("tram depot"));
        assert_eq!(
            e.captions,
            vec!["The new tram depot, February 10. CITY PAPER"]
        );
        assert_eq!(e.published.as_deref(), Some("2025-02-11"));
        assert_eq!(e.site_name.as_deref(), Some("City Paper"));
        assert_eq!(e.authors, vec!["Ana Lind"]);
        assert_eq!(e.language.as_deref(), Some("en"));
        let paras = e.lines.iter().filter(|l| crate::words(l) > 10).count();
        assert_eq!(paras, 3, "paragraph breaks kept: {:?}", e.lines);
    }

    #[test]
    fn author_names_are_cleaned_and_junk_refused() {
        assert_eq!(
            plausible_author("Written By Ana Lind").as_deref(),
            Some("Ana Lind")
        );
        assert_eq!(
            plausible_author("Hlín Eyjólfsdóttir").as_deref(),
            Some("Hlín Eyjólfsdóttir")
        );
        assert_eq!(
            plausible_author("Justin C. Meserole").as_deref(),
            Some("Justin C. Meserole")
        );
        assert_eq!(plausible_author("andrew.keaveney"), None);
        assert_eq!(plausible_author("undefined"), None);
        assert_eq!(plausible_author("https://example.com/ana"), None);
        assert_eq!(plausible_author("ByAna Lind").as_deref(), Some("Ana Lind"));
    }

    #[test]
    fn publication_date_from_structured_data_meta_and_time() {
        let date = |page: &str| {
            let lower = page.to_ascii_lowercase();
            meta_published(page, &lower, &meta_tags(page, &lower)).map(|d| d.iso())
        };
        assert_eq!(
            date(r#"<script>{"dateModified":"2025-02-01","datePublished":"2024-12-30T23:10:00-05:00"}</script>"#).as_deref(),
            Some("2024-12-30")
        );
        assert_eq!(
            date(r#"<meta property="article:published_time" content="2023-08-06T07:11:00Z">"#)
                .as_deref(),
            Some("2023-08-06")
        );
        assert_eq!(
            date(r#"<time class="entry-date published" datetime="2020-06-29T15:00:23-05:00">June 29</time>"#)
                .as_deref(),
            Some("2020-06-29")
        );
        assert_eq!(
            date(r#"<time class="updated" datetime="2020-06-29">x</time>"#),
            None
        );
    }

    #[test]
    fn heading_prefixes_the_metadata_title_lacks_are_dropped() {
        assert_eq!(
            strip_heading_prefix("Title:Harbour cranes return", "Harbour cranes return"),
            "Harbour cranes return"
        );
        assert_eq!(
            strip_heading_prefix("Dec 18 2025 Harbour cranes return", "Harbour cranes return"),
            "Harbour cranes return"
        );
        // A label the title has too, and a colon inside the headline, stay.
        assert_eq!(
            strip_heading_prefix("Review: Harbour cranes", "Review: Harbour cranes"),
            "Review: Harbour cranes"
        );
        assert_eq!(
            strip_heading_prefix("Fitness trends 2025: nine things", "x"),
            "Fitness trends 2025: nine things"
        );
    }

    #[test]
    fn authors_from_links_to_their_pages_and_class_elements() {
        let link = r#"<html><body><h1>Harbour cranes</h1><div><a href="/authors/ana-lind">Ana Lind</a></div><p>Text.</p></body></html>"#;
        let lower = link.to_ascii_lowercase();
        assert_eq!(html_authors(link, &lower, &[], &[], None), vec!["Ana Lind"]);
        let class = r#"<html><body><p class="author">Ana Lind<br>4 August 2010</p></body></html>"#;
        let lower = class.to_ascii_lowercase();
        assert_eq!(
            html_authors(class, &lower, &[], &[], None),
            vec!["Ana Lind"]
        );
        let other = r#"<html><body><a href="/tags/harbour">Harbour News</a></body></html>"#;
        let lower = other.to_ascii_lowercase();
        assert!(html_authors(other, &lower, &[], &[], None).is_empty());
    }

    #[test]
    fn quoted_greater_than_does_not_end_a_tag() {
        let e = fallback(
            r#"<p data-x="a > b" title='c>d'>Kept text</p><p class="x>Broken quote</p><p>After</p>"#,
        );
        let text = e.lines.join("|");
        assert!(text.contains("Kept text"), "{text}");
        assert!(!text.contains("a > b") && !text.contains("c>d"), "{text}");
        assert!(text.contains("After"), "{text}");
    }

    #[test]
    fn deep_nesting_takes_the_fallback() {
        let html = format!(
            "<html><body>{}<p>Deep words here.</p>{}</body></html>",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        );
        assert!(nesting_depth(&html) > MAX_DOM_DEPTH);
        assert_eq!(
            nesting_depth("<div><p>a<br>b<img src=x/></p><hr/></div>"),
            2
        );
        let e = extract(&html, None);
        assert!(e.lines.iter().any(|l| l.contains("Deep words here.")));
    }

    #[test]
    fn fallback_strips_tags_scripts_and_entities() {
        let e = fallback("<html><head><title>A &amp; B</title><script>var x = '<p>';</script></head><body><p>One&nbsp;two &#x263A;</p><p>Three &lt;four&gt;</body>");
        assert_eq!(e.title.as_deref(), Some("A & B"));
        let text = e.lines.join("|");
        assert!(text.contains("One two ☺"), "{text}");
        assert!(text.contains("Three <four>"));
        assert!(!text.contains("var x"));
    }

    #[test]
    fn code_is_stripped_before_the_dom_but_json_ld_kept() {
        let page = r#"<p>One</p><script>var a = "<p>x</p>";</script><!-- <p>gone</p> --><style>p{}</style><script type="application/ld+json">{"a":1}</script><svg><text>t</text></svg><p>Two</p>"#;
        let lower = page.to_ascii_lowercase();
        assert_eq!(
            without_code(page, &lower),
            r#"<p>One</p><script type="application/ld+json">{"a":1}</script><p>Two</p>"#
        );
        let unclosed = "<p>One</p><script>never closed";
        assert_eq!(
            without_code(unclosed, &unclosed.to_ascii_lowercase()),
            "<p>One</p>"
        );
    }

    #[test]
    fn readability_sees_the_head_and_the_one_article_or_main() {
        let cut = |page: &str| {
            let lower = page.to_ascii_lowercase();
            only_article(page, &lower).0.into_owned()
        };
        let head = "<html><head><title>T</title></head>";
        // One <article>: the head and it, the menus and sidebar gone.
        let page = format!(
            "{head}<body><nav>Menu</nav><ARTICLE class=x><p>Story</p></ARTICLE><aside>More</aside></body></html>"
        );
        assert_eq!(
            cut(&page),
            format!("{head}<body><ARTICLE class=x><p>Story</p></ARTICLE></body></html>")
        );
        // No <article>, one <main>: the same with it.
        let page = format!("{head}<body><nav>Menu</nav><main><p>Story</p></main></body>");
        assert_eq!(
            cut(&page),
            format!("{head}<body><main><p>Story</p></main></body></html>")
        );
        // Two articles (a story and a teaser) and one <main>: the <main>.
        let page = format!(
            "{head}<body><main><article><p>Story</p></article><article>Teaser</article></main><footer>F</footer></body>"
        );
        assert_eq!(
            cut(&page),
            format!("{head}<body><main><article><p>Story</p></article><article>Teaser</article></main></body></html>")
        );
        // An article in a script (or a comment) is no article of the page's.
        let page = format!(
            "{head}<body><script>var t = '<article>Ad</article>';</script><main><p>Story</p></main></body>"
        );
        let lower = page.to_ascii_lowercase();
        assert_eq!(
            readability_input(&page, &lower),
            format!("{head}<body><main><p>Story</p></main></body></html>")
        );
        // Otherwise the whole page: two of each, an unclosed article, no
        // head before it, or only look-alike tags (<mainnav>, <articles>).
        for page in [
            format!("{head}<body><article>A</article><article>B</article></body>"),
            format!("{head}<body><main>A</main><main>B</main></body>"),
            format!("{head}<body><article><p>Story</p></body>"),
            "<body><article><p>Story</p></article></body>".to_string(),
            format!("{head}<body><mainnav>M</mainnav><articles>A</articles></body>"),
        ] {
            assert_eq!(cut(&page), page);
        }
    }
    #[test]
    fn fallback_joins_hard_wrapped_text_but_keeps_pre_and_all_entities() {
        let e = fallback("<p>A paragraph\nwrapped in\nthe source.</p><pre>line one\nline two</pre><p>Ana &sdot; caf&eacute; &bogus; &amp</p>");
        let lines: Vec<&str> = e
            .lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(
            lines,
            vec![
                "A paragraph wrapped in the source.",
                "line one",
                "line two",
                "Ana ⋅ café &bogus; &amp"
            ]
        );
    }
}
