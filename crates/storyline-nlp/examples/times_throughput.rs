//! Time-expression tagging and normalisation speed on one core, over the
//! Reuters-21578 bodies (sentences split outside the timed part).
//!
//! ```sh
//! cargo run --release -p storyline-nlp --example times_throughput -- reuters21578.jsonl
//! ```
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: times_throughput REUTERS.jsonl");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("readable JSONL");
    let docs: Vec<(String, Vec<(usize, usize)>)> = text
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let body = v["body"].as_str()?.to_string();
            let sents = storyline_nlp::sentences::split(&body);
            Some((body, sents))
        })
        .collect();
    let dct = jiff::civil::date(1987, 3, 1);
    let bytes: usize = docs.iter().map(|d| d.0.len()).sum();
    let t = Instant::now();
    let mut found = 0;
    for (body, sents) in &docs {
        found += storyline_nlp::times::find(body, Some(dct), sents).len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} documents, {:.1} MB in {secs:.2} s: {:.1} MB/s on one core, {found} expressions",
        docs.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}
