//! Fuzz the per-article annotators (sentences, entities, quotes, times):
//! any text, with or without a publication date, must annotate without
//! panicking, and every span must lie inside the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storyline_model::Article;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    for published in [None, Some("2025-05-08".to_string())] {
        let a = storyline_nlp::annotate(Article {
            published,
            ..Article::plain("fuzz", &text)
        });
        let chars = a.article.body.chars().count() as u32;
        for t in &a.times {
            assert!(t.start <= t.end && t.end <= chars);
        }
        for q in &a.quotes {
            assert!(q.span.start <= q.span.end && q.span.end <= chars);
        }
    }
});
