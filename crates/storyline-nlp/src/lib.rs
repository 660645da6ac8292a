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
//!     published: Some("2025-03-04".into()), language: Some("en".into()),
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

/// Runs every annotator on one article.
pub fn annotate(article: Article) -> AnnotatedArticle {
    let mut cut = article.body.len().min(MAX_ANNOTATED_BYTES);
    while !article.body.is_char_boundary(cut) {
        cut -= 1;
    }
    let body = &article.body[..cut];
    let sents = sentences::split(body);
    let mut ents = entities::find(body);
    let mut quotes = quotes::find(body, &sents, &ents);
    let dct = article
        .published
        .as_deref()
        .and_then(calendar::parse_date)
        .and_then(|d| jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).ok());
    let timexes = times::find(body, dct, &sents);

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
