//! Language identification: agreement with labelled texts and speed
//! (SemEval-2022 task 8 pairs carry `lang1`/`lang2`), and — with
//! `--compare` — where the English shortcut and whatlang's trigrams alone
//! disagree on any texts (JSONL lines with `text`, `text1`, `text2` or
//! `body`; or directories of `.txt` files).
//!
//! ```sh
//! cargo run --release -p storyline-clean --example lang_check -- \
//!     ../shared/data/similarity/semeval2022-task8-dev.jsonl
//! cargo run --release -p storyline-clean --example lang_check -- --compare \
//!     ../shared/data/similarity/semeval2022-task8-dev.jsonl reuters.jsonl wcxb/txt
//! ```

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--compare") if args.len() > 1 => compare(&args[1..]),
        Some(path) if args.len() == 1 => labelled(path),
        _ => {
            eprintln!("usage: lang_check PAIRS.jsonl | lang_check --compare FILE_OR_DIR...");
            std::process::exit(2);
        }
    }
}

fn labelled(path: &str) {
    let mut docs: Vec<(String, String)> = Vec::new();
    for line in std::fs::read_to_string(path)
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

/// Texts of a JSONL file or a directory of `.txt` files.
fn texts(path: &str) -> Vec<String> {
    let p = std::path::Path::new(path);
    if p.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(p)
            .expect("readable directory")
            .map(|e| e.expect("entry").path())
            .filter(|f| f.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        return files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("readable text"))
            .collect();
    }
    let mut out = Vec::new();
    for line in std::fs::read_to_string(p).expect("readable file").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        for k in ["text", "text1", "text2", "body"] {
            if let Some(t) = v[k].as_str() {
                out.push(t.to_string());
            }
        }
    }
    out
}

fn compare(paths: &[String]) {
    let docs: Vec<String> = paths.iter().flat_map(|p| texts(p)).collect();
    let samples: Vec<String> = docs.iter().map(|d| d.chars().take(800).collect()).collect();
    // Each detector over its texts, and the seconds it took.
    let timed = |texts: &[String], detect: fn(&str) -> Option<String>| {
        let t = Instant::now();
        let found: Vec<Option<String>> = texts.iter().map(|d| detect(d)).collect();
        (found, t.elapsed().as_secs_f64())
    };
    let (fast, fast_s) = timed(&docs, storyline_clean::detect_language);
    let (slow, slow_s) = timed(&samples, storyline_clean::detect_language_by_trigrams);
    let mut differ = 0;
    for (i, (f, s)) in fast.iter().zip(&slow).enumerate() {
        if f != s {
            differ += 1;
            let head: String = samples[i].chars().take(90).collect();
            println!("{f:?} vs trigrams {s:?}: {:?}", head.replace('\n', " "));
        }
    }
    println!(
        "{} texts: {differ} differ; with the shortcut {:.0} texts/s, trigrams alone {:.0} texts/s",
        docs.len(),
        docs.len() as f64 / fast_s,
        docs.len() as f64 / slow_s
    );
}
