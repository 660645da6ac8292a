//! Cleaner throughput on a directory of HTML pages, one core, next to
//! `dom_smoothie` alone on the same pages (the floor our extras sit on).
//!
//! ```sh
//! cargo run --release -p storyline-clean --example clean_throughput -- DIR
//! ```
//!
//! The last line is a digest of every cleaned article, to check that a
//! speed change left the results as they were.

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use storyline_ingest::{decode_bytes, PageKind, RawDoc};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: clean_throughput DIR_OF_HTML_FILES");
        std::process::exit(2);
    };
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        let bytes = std::fs::read(&path).expect("readable file");
        let (text, _) = decode_bytes(&bytes, PageKind::Html);
        docs.push(RawDoc::new(
            path.display().to_string(),
            PageKind::Html,
            text,
        ));
    }
    let n = docs.len() as f64;
    let mb = docs.iter().map(|d| d.content.len()).sum::<usize>() as f64 / 1e6;

    let t = Instant::now();
    for d in &docs {
        let cfg = dom_smoothie::Config {
            text_mode: dom_smoothie::TextMode::Formatted,
            ..Default::default()
        };
        if let Ok(mut r) = dom_smoothie::Readability::new(d.content.as_str(), None, Some(cfg)) {
            let _ = r.parse();
        }
    }
    let dom = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let cleaned: Vec<_> = docs.iter().map(storyline_clean::clean).collect();
    let ours = t.elapsed().as_secs_f64();
    let failed = cleaned.iter().filter(|c| c.is_err()).count();
    // In a fixed order: the directory lists files in any order.
    let mut outputs: Vec<String> = cleaned.iter().map(|c| format!("{c:?}")).collect();
    outputs.sort_unstable();
    let mut digest = xxhash_rust::xxh3::Xxh3::new();
    for o in &outputs {
        digest.update(o.as_bytes());
    }
    println!("{n} pages, {mb:.1} MB");
    println!("dom_smoothie alone: {:.0} pages/s", n / dom);
    println!(
        "storyline clean:    {:.0} pages/s ({failed} without a body)",
        n / ours
    );
    println!("digest {:032x}", digest.digest128());
}
