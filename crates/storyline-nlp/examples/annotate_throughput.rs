//! Per-article annotation speed on one core: sentences, entities (tagger and
//! rules), quotes and times over the Reuters-21578 bodies, as MB of text per
//! second.
//!
//! ```sh
//! cargo run --release -p storyline-nlp --example annotate_throughput -- reuters21578.jsonl
//! ```
//!
//! The last line is a digest of every annotation, to check that a speed
//! change left the results as they were.
use std::time::Instant;

use storyline_model::Article;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: annotate_throughput REUTERS.jsonl");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("readable JSONL");
    let bodies: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(v["body"].as_str()?.to_string())
        })
        .filter(|b| !b.trim().is_empty())
        .collect();
    // Load the embedded model outside the timed loop.
    let _ = storyline_nlp::ner::Model::shipped();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let t = Instant::now();
    let mut found = (0, 0, 0);
    let mut out = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.iter().enumerate() {
        let a = storyline_nlp::annotate(Article {
            published: Some("1987-03-01".into()),
            language: Some("en".into()),
            ..Article::plain(&i.to_string(), body)
        });
        found.0 += a.entities.len();
        found.1 += a.quotes.len();
        found.2 += a.times.len();
        out.push(a);
    }
    let secs = t.elapsed().as_secs_f64();
    let mut digest = xxhash_rust::xxh3::Xxh3::new();
    for a in &out {
        digest.update(&serde_json::to_vec(a).expect("serialisable"));
    }
    println!(
        "{} articles, {:.1} MB in {secs:.2} s: {:.2} MB/s, {:.0} articles/s on one core \
         ({} entities, {} quotes, {} times)",
        bodies.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        bodies.len() as f64 / secs,
        found.0,
        found.1,
        found.2
    );
    println!("digest {:032x}", digest.digest128());
}
