use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut pages = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        pages.push(String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned());
    }
    let t = Instant::now();
    for h in pages.iter().filter(|_| std::env::var("SKIP").is_err()) {
        let cfg = dom_smoothie::Config {
            text_mode: dom_smoothie::TextMode::Formatted,
            max_elements_to_parse: 100_000,
            ..Default::default()
        };
        if let Ok(mut r) = dom_smoothie::Readability::new(h.as_str(), None, Some(cfg)) {
            let _ = r.parse();
        }
    }
    println!(
        "dom_smoothie: {:.0} pages/s",
        pages.len() as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let docs: Vec<_> = pages
        .iter()
        .map(|h| storyline_ingest::RawDoc::new("x", storyline_ingest::PageKind::Html, h.clone()))
        .collect();
    let t = Instant::now();
    for doc in &docs {
        let _ = storyline_clean::clean(doc);
    }
    println!(
        "clean: {:.0} pages/s",
        pages.len() as f64 / t.elapsed().as_secs_f64()
    );
}
