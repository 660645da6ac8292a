//! Clean a raw page to its article: body, title, authors, outlet, date,
//! language, wire credit, and a list of what was removed and why.
//!
//! Two paths share one block classifier:
//! - HTML goes through `dom_smoothie` (a Readability port) for the main
//!   content and the page metadata; its text output is then split into
//!   blocks and passed through the classifier, which removes in-article
//!   clutter (captions, "Read also" links, appeals) that Readability keeps.
//! - Flattened text (a page already turned into text, clutter included) is
//!   split into lines and classified directly.
//!
//! ```
//! use storyline_ingest::{PageKind, RawDoc};
//! let page = "Harbour reopens after storm\n\nBy Ana Lind\n\n\
//!     The harbour at Nordvik reopened on Monday after a storm closed it for three days, officials said.\n\n\
//!     We use cookies to improve your experience. Accept all cookies.";
//! let article = storyline_clean::clean(&RawDoc::new("page.txt", PageKind::Text, page.into())).unwrap();
//! assert_eq!(article.title.as_deref(), Some("Harbour reopens after storm"));
//! assert_eq!(article.authors, vec!["Ana Lind"]);
//! assert!(!article.body.contains("cookies"));
//! assert_eq!(article.removed.iter().filter(|r| r.reason == "cookie-banner").count(), 1);
//! ```
#![deny(missing_docs)]

mod authors;
mod blocks;
mod html;
mod lang;
mod rules;

use storyline_ingest::{PageKind, RawDoc};
use storyline_model::{calendar, Article, Removed, SourceFormat};

pub use blocks::{classify_blocks, Classified, Label};
pub use lang::detect as detect_language;
pub use lang::detect_trigrams as detect_language_by_trigrams;

/// Why a page could not be cleaned.
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    /// Nothing that looks like an article body was left.
    #[error("no article text found after removing boilerplate")]
    NoBody,
    /// Far larger than any article: refused to keep time and memory bounded.
    #[error("page of {0} MiB is too large to be an article (limit {limit} MiB)", limit = MAX_CLEAN_BYTES >> 20)]
    TooLarge(usize),
}

/// The whole-page text path replaces Readability's choice when it finds at
/// least this many words…
const FALLBACK_MIN_WORDS: usize = 200;
/// …and more than this many times what Readability kept.
const FALLBACK_RATIO: usize = 3;

/// Metadata known before the body is classified (from the input or from HTML).
#[derive(Debug, Default, Clone)]
pub(crate) struct PageMeta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub language: Option<String>,
}

/// Largest page (decoded text or markup) the cleaner takes. The cleaner holds
/// a few copies of a page at once, so this bounds its memory per page; real
/// article pages are well under a megabyte of text.
pub const MAX_CLEAN_BYTES: usize = 16 << 20;

/// Words in `text`, for the size rules: whitespace-separated tokens, plus
/// one per two characters of scripts written without spaces (Chinese,
/// Japanese, Thai), so a Japanese article is not judged empty.
pub fn words(text: &str) -> usize {
    // ASCII (most pages): whitespace-separated tokens, counted on bytes.
    if text.is_ascii() {
        let mut n = 0;
        let mut in_word = false;
        for &b in text.as_bytes() {
            let space = matches!(b, b' ' | b'\t'..=b'\r');
            n += usize::from(!space && !in_word);
            in_word = !space;
        }
        return n;
    }
    let mut spaced = 0;
    let mut unspaced = 0;
    for token in text.split_whitespace() {
        let dense = token
            .chars()
            .filter(|&c| {
                matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x0E00..=0x0E7F)
            })
            .count();
        if dense == 0 {
            spaced += 1;
        }
        unspaced += dense;
    }
    spaced + unspaced.div_ceil(2)
}

/// Cleans one page.
pub fn clean(doc: &RawDoc) -> Result<Article, CleanError> {
    if doc.content.len() > MAX_CLEAN_BYTES {
        return Err(CleanError::TooLarge(doc.content.len() >> 20));
    }
    let mut meta = PageMeta {
        title: doc.title.clone(),
        published: doc
            .published
            .as_deref()
            .and_then(calendar::parse_date)
            .map(|d| d.iso()),
        outlet: doc.outlet.clone(),
        ..PageMeta::default()
    };
    let mut captions = Vec::new();
    let mut page_lines = Vec::new();
    let (lines, format) = match doc.kind {
        PageKind::Text => (
            doc.content.lines().map(str::to_string).collect::<Vec<_>>(),
            SourceFormat::Text,
        ),
        PageKind::Html => {
            let extracted = html::extract(&doc.content, doc.url.as_deref());
            meta.title = meta.title.or(extracted.title);
            meta.published = meta.published.or(extracted.published);
            meta.outlet = meta.outlet.or(extracted.site_name);
            meta.language = extracted.language;
            meta.authors = extracted.authors;
            captions = extracted.captions;
            page_lines = extracted.page_lines;
            (extracted.lines, SourceFormat::Html)
        }
    };
    let mut outcome =
        blocks::classify_blocks(&lines, meta.title.as_deref(), format == SourceFormat::Html);
    // Readability sometimes settles on a small box (a disclaimer, a comment)
    // of a long article; then the text path over the whole page does better.
    // (The whole page is classified only when even all its words would beat
    // Readability's share: most pages never pay for it.)
    let words = |c: &Classified| c.body.iter().map(|p| crate::words(p)).sum::<usize>();
    let kept = words(&outcome);
    let page_words: usize = page_lines.iter().map(|l| crate::words(l)).sum();
    if page_words >= FALLBACK_MIN_WORDS && kept * FALLBACK_RATIO < page_words {
        let whole = blocks::classify_blocks(&page_lines, meta.title.as_deref(), false);
        let alt = words(&whole);
        if alt >= FALLBACK_MIN_WORDS && kept * FALLBACK_RATIO < alt {
            outcome.body = whole.body;
            outcome.removed.extend(whole.removed);
        }
    }

    let mut authors = meta.authors;
    for a in outcome.authors {
        if !authors.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            authors.push(a);
        }
    }
    let mut body = rules::repair_mojibake(&outcome.body.join("\n\n")).into_owned();
    // A page that is only a headline (a feed item, a wire flash) is its own
    // body.
    if crate::words(&body) < 3 && page_is_headline(&lines) {
        body = collapse_ws(&lines.join(" "));
    }
    if crate::words(&body) < 3 {
        return Err(CleanError::NoBody);
    }
    let outlet = meta
        .outlet
        .or(outcome.outlet)
        .or_else(|| doc.url.as_deref().and_then(host_of));
    let language = lang::detect(&body).or(meta.language);
    Ok(Article {
        id: doc.article_id(),
        source: doc.source.clone(),
        url: doc.url.clone(),
        format,
        title: meta
            .title
            .or(outcome.title)
            .map(|t| collapse_ws(&rules::repair_mojibake(&t))),
        authors,
        outlet,
        original_source: outcome.original_source,
        published: meta.published.or(outcome.published),
        published_after: None,
        language,
        body,
        removed: captions
            .into_iter()
            .map(|text| Removed {
                text,
                reason: "caption".into(),
            })
            .chain(outcome.removed)
            .collect(),
    })
}

/// Whether the page's text is one headline: a single non-empty line of
/// 3–40 words that no clutter rule claims.
fn page_is_headline(lines: &[String]) -> bool {
    let mut non_empty = lines.iter().filter(|l| !l.trim().is_empty());
    match (non_empty.next(), non_empty.next()) {
        (Some(l), None) => {
            let words = crate::words(l);
            (3..=40).contains(&words) && rules::line_reason(l, &l.to_lowercase(), words).is_none()
        }
        _ => false,
    }
}

/// Folds runs of whitespace to one space.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `https://www.example.com/x` → `example.com`.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_count_tokens_and_dense_scripts() {
        // The ASCII fast path counts as the general one: every ASCII
        // whitespace (vertical tab included) separates.
        for (text, n) in [
            ("", 0),
            ("  ", 0),
            ("one", 1),
            (" two  words\n", 2),
            ("a\tb\x0bc\x0cd\re\nf", 6),
            ("Kim Jong-un, 2025.", 3),
            ("nbsp\u{a0}splits", 2),
            ("김정은 위원장이", 2),
            ("日本語の記事です", 4),
            ("Tokyo 東京都 said", 4),
        ] {
            assert_eq!(words(text), n, "{text:?}");
        }
    }

    #[test]
    fn host_from_url() {
        assert_eq!(
            host_of("https://www.example.com/a/b").as_deref(),
            Some("example.com")
        );
        assert_eq!(host_of("not a url"), None);
    }

    #[test]
    fn jsonl_metadata_wins_over_guesses() {
        let mut doc = RawDoc::new(
            "x.jsonl:1",
            PageKind::Text,
            "Ferry line resumes\n\nThe ferry line between the two islands resumed service on Friday, the operator said in a statement.".into(),
        );
        doc.published = Some("2024-03-01T10:00:00Z".into());
        doc.outlet = Some("Island Post".into());
        doc.url = Some("https://islandpost.example/ferry".into());
        let a = clean(&doc).unwrap();
        assert_eq!(a.published.as_deref(), Some("2024-03-01"));
        assert_eq!(a.outlet.as_deref(), Some("Island Post"));
        assert_eq!(a.language.as_deref(), Some("en"));
    }

    #[test]
    fn oversized_page_is_refused_quickly() {
        let doc = RawDoc::new("big.txt", PageKind::Text, "word ".repeat(4 << 20));
        let err = clean(&doc).unwrap_err().to_string();
        assert!(err.contains("20 MiB is too large"), "{err}");
    }

    #[test]
    fn a_headline_alone_is_its_own_body() {
        let doc = RawDoc::new(
            "feed:1",
            PageKind::Text,
            "Fed official says weak data caused by weather".into(),
        );
        let a = clean(&doc).unwrap();
        assert_eq!(a.body, "Fed official says weak data caused by weather");
    }

    #[test]
    fn page_without_body_is_an_error() {
        let doc = RawDoc::new(
            "x.txt",
            PageKind::Text,
            "Accept all cookies\nMenu\nHome".into(),
        );
        assert!(matches!(clean(&doc), Err(CleanError::NoBody)));
    }
}
