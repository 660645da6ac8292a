//! Fuzz the cleaner: any bytes, as HTML and as flattened text, must clean
//! or fail with an error, never panic; a cleaned article has a body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storyline_ingest::{decode_bytes, PageKind, RawDoc};

fuzz_target!(|data: &[u8]| {
    for kind in [PageKind::Html, PageKind::Text] {
        let (text, _) = decode_bytes(data, kind);
        let doc = RawDoc::new("fuzz", kind, text);
        if let Ok(article) = storyline_clean::clean(&doc) {
            assert!(!article.body.trim().is_empty());
        }
    }
});
