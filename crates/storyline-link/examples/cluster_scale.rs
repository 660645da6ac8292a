//! Event clustering at scale: Reuters-21578 stories, grown to N pages by
//! mixing their sentences (as in `neardup_scale`), each with entities found
//! by the real entity finder, arriving 250 a day (a bigger collection is a
//! longer period, as a store grows); then
//! [`storyline_link::cluster::events`] on the first 10k, 30k and N pages.
//! Prints pages/s and µs per page of the clustering alone, so that the cost
//! per page can be compared as the collection grows.
//!
//! ```sh
//! cargo run --release -p storyline-link --example cluster_scale -- reuters21578.jsonl [N] [mixed-only]
//! ```

use std::collections::HashSet;
use std::time::Instant;

use rayon::prelude::*;
use storyline_link::cluster::{events, storylines, ClusterDoc};
use storyline_link::text;
use storyline_model::calendar;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: cluster_scale REUTERS.jsonl [PAGES] [mixed-only]");
        std::process::exit(2);
    };
    let total: usize = args.get(2).map_or(100_000, |v| v.parse().expect("PAGES"));
    // `mixed`: the real stories first, then mixes; the first 10k pages are
    // then all real and the rest mostly mixes, so the curve compares unlike
    // pages. `mixed-only`: every page a mix, alike at every size.
    let real_first = args.get(3).is_none_or(|m| m != "mixed-only");
    let text = std::fs::read_to_string(path).expect("readable Reuters JSONL");
    let stories: Vec<(String, i64)> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let body = v["body"]
                .as_str()?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            // "26-FEB-1987 15:01:01.79"
            let date = v["date"].as_str()?.trim();
            let mut parts = date.split(['-', ' ']);
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            let day = calendar::Ymd::new(
                y.parse().ok()?,
                calendar::month_from_name(m)?,
                d.parse().ok()?,
            )?
            .days_since_epoch();
            (body.split(' ').count() >= 40).then_some((body, day))
        })
        .collect();
    let sentences: Vec<&str> = stories
        .iter()
        .flat_map(|(b, _)| b.split_inclusive(". "))
        .collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    // A feed of constant volume: PER_DAY pages a day, in arrival order, so
    // that a bigger collection is a longer period, as a store grows.
    const PER_DAY: usize = 250;
    let first_day = stories.iter().map(|s| s.1).min().unwrap_or(0);
    let pages: Vec<(String, i64)> = (0..total)
        .map(|i| {
            let day = first_day + (i / PER_DAY) as i64;
            if real_first && i < stories.len() {
                (stories[i].0.clone(), day)
            } else {
                let k = 4 + next(6);
                (
                    (0..k).map(|_| sentences[next(sentences.len())]).collect(),
                    day,
                )
            }
        })
        .collect();
    eprintln!(
        "{} pages; finding entities and terms on all cores",
        pages.len()
    );
    let t = Instant::now();
    let terms: Vec<Vec<String>> = pages
        .par_iter()
        .map(|(b, _)| text::content_words(b))
        .collect();
    let entities: Vec<HashSet<String>> = pages
        .par_iter()
        .map(|(b, _)| {
            storyline_nlp::entities::find(b)
                .into_iter()
                .map(|e| storyline_nlp::entities::name_key(&e.name))
                .collect()
        })
        .collect();
    let vectors = text::to_ids(text::tfidf(&terms));
    eprintln!("features in {:.1} s", t.elapsed().as_secs_f64());
    let docs: Vec<ClusterDoc> = vectors
        .into_iter()
        .zip(entities)
        .zip(&pages)
        .map(|((vector, entities), (_, day))| ClusterDoc {
            vector,
            entities: storyline_link::cluster::entity_keys(entities),
            day: Some(*day),
            copy_of: None,
            anchors: Default::default(),
        })
        .collect();
    // Arrival order: by day, then page number.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].day, i));
    println!("pages    events   seconds  pages/s  us/page  storylines  seconds");
    for n in [10_000, 30_000, total] {
        if n > total {
            continue;
        }
        let prefix: Vec<usize> = order.iter().copied().filter(|&i| i < n).collect();
        let t = Instant::now();
        let ev = events(&docs, &prefix);
        let secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let lines = storylines(&ev, &docs);
        let story_secs = t.elapsed().as_secs_f64();
        println!(
            "{n:<8} {:>6}  {secs:>8.2}  {:>7.0}  {:>7.1}  {:>10}  {story_secs:>7.2}",
            ev.len(),
            n as f64 / secs,
            secs * 1e6 / n as f64,
            lines.len()
        );
    }
}
