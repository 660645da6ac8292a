//! Fuzz the input readers: any bytes, read as each format storyline takes
//! (page, JSONL, WARC, feed, and gzip of each), must give pages or named
//! errors — never a panic, never unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "f.html", "f.txt", "f.jsonl", "f.warc", "f.rss", "f.html.gz", "f.jsonl.gz", "f.warc.gz",
];

fuzz_target!(|data: &[u8]| {
    for name in NAMES {
        for r in storyline_ingest::read_bytes(name, data.to_vec()).take(10_000) {
            match r {
                Ok(doc) => assert!(!doc.content.trim().is_empty()),
                Err(e) => assert!(e.to_string().starts_with(name) || !e.source_name.is_empty()),
            }
        }
    }
});
