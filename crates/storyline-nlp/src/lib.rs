//! Per-article annotators: sentences, named entities (aliases merged within
//! the article), quotations with speakers and channels, and time expressions
//! normalised against the publication date.
//!
//! Each annotator reads the clean body and what earlier ones produced (quotes
//! need entities and sentences; times need sentences and the publication
//! date). They work on byte offsets; [`annotate`] converts every span to
//! character offsets at the end, as the JSON contract requires.
//!
//! ```
//! use storyline_model::{Article, SourceFormat};
//! let article = Article {
//!     id: "a1".into(), source: "x.txt".into(), url: None, format: SourceFormat::Text,
//!     title: None, authors: vec![], outlet: None, original_source: None,
//!     published: Some("2025-03-04".into()), published_after: None, language: Some("en".into()),
//!     body: "\"The quay will reopen on Friday,\" harbour master Olav Strand said on Tuesday.".into(),
//!     removed: vec![],
//! };
//! let a = storyline_nlp::annotate(article);
//! assert_eq!(a.quotes[0].speaker_name.as_deref(), Some("Olav Strand"));
//! assert_eq!(a.times.iter().map(|t| t.value.as_str()).collect::<Vec<_>>(), ["2025-03-07", "2025-03-04"]);
//! ```
#![deny(missing_docs)]

pub mod entities;
pub mod gazetteer;
pub mod ner;
pub mod quotes;
pub mod sentences;
pub mod times;

use storyline_model::{calendar, AnnotatedArticle, Article, CharMap, Span, TimeMention};

/// Bodies longer than this are annotated only up to it: bounds time and
/// memory per document on hostile input. News articles are far shorter.
pub const MAX_ANNOTATED_BYTES: usize = 2 * 1024 * 1024;

/// The latest full date the text names with its year written out ("on
/// September 1, 2025"): a page naming it was written on or after it.
/// Dates whose year was inferred say nothing without a publication date.
fn written_after(body: &str, timexes: &[times::Timex]) -> Option<String> {
    timexes
        .iter()
        .filter(|t| t.value.len() == 10 && t.value.parse::<jiff::civil::Date>().is_ok())
        .filter(|t| {
            body[t.start..t.end]
                .split(|c: char| !c.is_ascii_digit())
                .any(|run| run.len() == 4)
        })
        .map(|t| t.value.clone())
        .max()
}

/// Runs every annotator on one article.
pub fn annotate(mut article: Article) -> AnnotatedArticle {
    let mut cut = article.body.len().min(MAX_ANNOTATED_BYTES);
    while !article.body.is_char_boundary(cut) {
        cut -= 1;
    }
    let body = &article.body[..cut];
    let sents = sentences::split(body);
    // The tagger and the time parser read the same words.
    let toks = entities::tokens(body);
    let lowered = entities::Lowered::new(&toks);
    let mut ents = entities::find_in(body, &toks, &lowered, Some(ner::Model::shipped()));
    let mut quotes = quotes::find(body, &sents, &ents);
    let dct = article
        .published
        .as_deref()
        .and_then(calendar::parse_date)
        .and_then(|d| jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).ok());
    let timexes = times::find_in(body, &toks, &lowered, dct, &sents);
    if article.published.is_none() {
        article.published_after = written_after(body, &timexes);
    }

    // Byte offsets → character offsets.
    let map = CharMap::new(body);
    let conv = |s: Span| map.span(s.start as usize, s.end as usize);
    for e in &mut ents {
        for m in &mut e.mentions {
            *m = conv(*m);
        }
    }
    for q in &mut quotes {
        q.span = conv(q.span);
    }
    let times = timexes
        .into_iter()
        .map(|t| {
            let s = map.span(t.start, t.end);
            TimeMention {
                article: article.id.clone(),
                text: body[t.start..t.end].to_string(),
                start: s.start,
                end: s.end,
                value: t.value,
                kind: t.kind.to_string(),
                range: t.range,
            }
        })
        .collect();
    let sentences = sents.into_iter().map(|(s, e)| map.span(s, e)).collect();
    AnnotatedArticle {
        article,
        sentences,
        entities: ents,
        quotes,
        times,
    }
}

/// Whether `text` starts with `prefix`, ASCII case ignored: reads only
/// the prefix's length of `text`, where lower-casing `text` first costs its
/// whole length (quadratic when done for each name on a long page).
pub(crate) fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|t| t.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// A small deterministic generator (xorshift) for the tests' random
/// cases: `r(n)` is below `n`.
#[cfg(test)]
pub(crate) fn test_rng(seed: u64) -> impl FnMut(usize) -> usize {
    let mut x = seed.max(1);
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(body: &str, published: Option<&str>) -> Article {
        Article {
            published: published.map(str::to_string),
            ..Article::plain("a", body)
        }
    }

    #[test]
    fn undated_pages_get_a_lower_bound_from_dates_with_years() {
        let a = annotate(article(
            "The law passed on September 1, 2025, after a vote on 3 March 2024. On May 7 it took effect.",
            None,
        ));
        assert_eq!(a.article.published_after.as_deref(), Some("2025-09-01"));
        // A dated page needs no bound; a page with no full date gets none.
        let a = annotate(article(
            "It passed on September 1, 2025.",
            Some("2025-09-02"),
        ));
        assert_eq!(a.article.published_after, None);
        let a = annotate(article("It passed on May 7.", None));
        assert_eq!(a.article.published_after, None);
    }
}
