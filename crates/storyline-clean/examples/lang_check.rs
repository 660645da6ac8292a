//! Language identification: agreement with labelled texts and speed, per
//! sample length (SemEval-2022 task 8 pairs carry `lang1`/`lang2`).
//!
//! ```sh
//! cargo run --release -p storyline-clean --example lang_check -- \
//!     ../shared/data/similarity/semeval2022-task8-dev.jsonl
//! ```

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: lang_check PAIRS.jsonl");
        std::process::exit(2);
    };
    let mut docs: Vec<(String, String)> = Vec::new();
    for line in std::fs::read_to_string(&path)
        .expect("readable file")
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        for k in ["1", "2"] {
            if let (Some(t), Some(l)) = (
                v[format!("text{k}")].as_str(),
                v[format!("lang{k}")].as_str(),
            ) {
                docs.push((t.to_string(), l.to_string()));
            }
        }
    }
    let t = Instant::now();
    let mut right = 0;
    let mut none = 0;
    for (text, lang) in &docs {
        match storyline_clean::detect_language(text) {
            Some(l) if l == *lang => right += 1,
            None => none += 1,
            _ => {}
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "{} texts: {right} right, {none} undecided, accuracy {:.4}; {:.0} texts/s",
        docs.len(),
        right as f64 / docs.len() as f64,
        docs.len() as f64 / s
    );
}
