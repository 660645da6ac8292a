//! Near-duplicate detection at scale, on a synthetic stream grown from the
//! Reuters-21578 stories: originals (the stories, then new pages mixed from
//! their sentences with words swapped, so no two are alike), and injected at
//! known rates exact copies, trimmed copies (a lead kept, 50–90%), and edited
//! copies (a new intro and sign-off, 5% of words changed). Every page is
//! looked up against all pages before it, then indexed.
//!
//! Prints, at each checkpoint (10k, 100k, 1M pages by default): pages/s of
//! signing + lookup + insert on all cores, the cost of one lookup at that
//! size, index bytes per page, peak RSS, and precision/recall of the links
//! found against the injected truth; and the same for rewrites (names and
//! numbers kept, other words swapped, clauses rotated, a sentence dropped)
//! found through anchor keys and sentence alignment. Links between two
//! Reuters stories (or
//! their copies) that the corpus itself repeats are counted apart
//! (`corpus-dups`), not as errors: the truth does not know them.
//!
//! ```sh
//! cargo run --release -p storyline-link --example neardup_scale -- \
//!     reuters21578.jsonl [--pages 1000000] [--dump-pages FILE --dump-limit N]
//! ```
//! `--dump-pages` writes the first N pages with their truth as JSONL, for
//! `bench/datasketch_neardup.py` to run the same pages through datasketch.

use std::io::Write;
use std::time::Instant;

use rayon::prelude::*;
use storyline_ingest::synthetic::{self, sentences, Kind};
use storyline_link::dedup::{align, REWRITE_COVERAGE};
use storyline_link::neardup::{NearDupIndex, Signature};
use storyline_link::rewrite::{keys_of_all, AnchorIndex, Anchors};
use storyline_link::similarity::{sentence_tokens, Idf};

/// Links at or above this estimated containment count as copies.
const MIN_CONTAINMENT: f32 = 0.5;

fn peak_rss_mib() -> f64 {
    storyline_link::peak_rss_mib().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!(
            "usage: neardup_scale REUTERS.jsonl [--pages N] [--dump-pages FILE --dump-limit N]"
        );
        std::process::exit(2);
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let total: usize = flag("--pages").map_or(1_000_000, |v| v.parse().expect("--pages N"));
    let dump_limit: usize = flag("--dump-limit").map_or(0, |v| v.parse().expect("--dump-limit N"));
    let mut dump = flag("--dump-pages")
        .map(|p| std::io::BufWriter::new(std::fs::File::create(p).expect("writable dump file")));

    // The stories, exact duplicates in the corpus dropped (they would be
    // true links the truth does not know about), grown to `total` pages.
    let text = std::fs::read_to_string(path).expect("readable Reuters JSONL");
    let stories = synthetic::stories(&text);
    eprintln!("{} stories; generating {total} pages", stories.len());
    let pages = synthetic::generate(&stories, total);
    if let Some(w) = dump.as_mut() {
        for (i, p) in pages.iter().take(dump_limit).enumerate() {
            writeln!(w, "{}", p.record(i)).expect("dump written");
        }
        w.flush().expect("dump written");
    }
    let input_mib = pages.iter().map(|p| p.text.len()).sum::<usize>() as f64 / (1 << 20) as f64;
    eprintln!(
        "generated: {:.0} MiB of text, peak RSS so far {:.0} MiB",
        input_mib,
        peak_rss_mib()
    );

    // Sentence words weigh by their rarity in the first pages (a stand-in
    // for the store's statistics).
    let idf = Idf::from_docs(
        pages
            .iter()
            .take(20_000)
            .map(|p| sentence_tokens(&p.text))
            .collect::<Vec<_>>()
            .iter()
            .map(Vec::as_slice),
    )
    .into_weights();
    let page_sentences = |text: &str| -> Vec<Vec<u64>> {
        sentences(text)
            .iter()
            .map(|s| sentence_tokens(s))
            .filter(|t| t.len() >= 5)
            .collect()
    };

    // Anchor keys are chosen by how many pages have each anchor: counted
    // over the whole stream, as linking counts over the whole store.
    let t = Instant::now();
    let anchors_of: Vec<Anchors> = pages.par_iter().map(|p| Anchors::of(&p.text)).collect();
    let page_keys = keys_of_all(&anchors_of.iter().collect::<Vec<_>>());
    drop(anchors_of);
    eprintln!(
        "anchor keys of {total} pages: {:.1} s",
        t.elapsed().as_secs_f64()
    );

    println!(
        "pages     pages/s  lookup-us  index-B/page  peak-RSS-MiB   links  corpus-dups  precision  recall(copy/trim/edit)  | rw-pages/s  rw-B/page  rw-cands/page  rw-precision  rw-recall"
    );
    let mut index = NearDupIndex::new();
    let mut anchors = AnchorIndex::new();
    let checkpoints: Vec<usize> = [10_000, 100_000, 1_000_000, total]
        .into_iter()
        .filter(|&c| c <= total)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let (mut tp, mut fp, mut natural) = (0usize, 0usize, 0usize);
    let (mut rw_tp, mut rw_fp, mut rw_cands) = (0usize, 0usize, 0usize);
    let mut found = [0usize; 5];
    let mut derived = [0usize; 5];
    let (mut elapsed, mut rw_elapsed) = (0.0f64, 0.0f64);
    let mut done = 0usize;
    const BATCH: usize = 10_000;
    for &stop in &checkpoints {
        while done < stop {
            let end = (done + BATCH).min(stop);
            let t0 = Instant::now();
            // Sign on all cores; insert in order; then look every page of the
            // batch up (reads only) and keep matches with earlier pages.
            let sigs: Vec<Option<Signature>> = pages[done..end]
                .par_iter()
                .map(|p| Signature::of(&p.text))
                .collect();
            let ids: Vec<Option<u32>> = sigs
                .iter()
                .map(|s| s.as_ref().map(|s| index.insert(s)))
                .collect();
            let matches: Vec<Vec<u32>> = sigs
                .par_iter()
                .zip(&ids)
                .map(|(s, id)| match (s, id) {
                    (Some(s), Some(id)) => index
                        .query(s, MIN_CONTAINMENT)
                        .into_iter()
                        .map(|m| m.page)
                        .filter(|p| p < id)
                        .collect(),
                    _ => Vec::new(),
                })
                .collect();
            elapsed += t0.elapsed().as_secs_f64();

            // Rewrites: anchor-key candidates (pages are numbered as in
            // `pages`), then sentence alignment decides. Pages the
            // near-duplicate index already linked are not aligned again.
            let t1 = Instant::now();
            let keys = &page_keys[done..end];
            for k in keys {
                anchors.insert(k);
            }
            let rewrites: Vec<(usize, Vec<u32>)> = keys
                .par_iter()
                .enumerate()
                .map(|(k, keys)| {
                    let me = (done + k) as u32;
                    let cands: Vec<u32> = anchors
                        .query(keys)
                        .into_iter()
                        .map(|(p, _)| p)
                        .filter(|&p| p < me && !matches[k].contains(&p))
                        .collect();
                    let n = cands.len();
                    let mine = page_sentences(&pages[me as usize].text);
                    let linked = cands
                        .into_iter()
                        .filter(|&p| {
                            let theirs = page_sentences(&pages[p as usize].text);
                            let shorter = mine.len().min(theirs.len()).max(1);
                            align(&mine, &theirs, &idf).len() as f32 / shorter as f32
                                >= REWRITE_COVERAGE
                        })
                        .collect();
                    (n, linked)
                })
                .collect();
            rw_elapsed += t1.elapsed().as_secs_f64();

            for (k, m) in matches.iter().enumerate() {
                let page = &pages[done + k];
                let kind = page.kind as usize;
                let (n, rw) = &rewrites[k];
                rw_cands += n;
                if page.kind != Kind::Original {
                    derived[kind] += 1;
                    if m.iter()
                        .chain(rw)
                        .any(|&p| pages[p as usize].family == page.family)
                    {
                        found[kind] += 1;
                    }
                }
                for (&p, rewrite_link) in m
                    .iter()
                    .map(|p| (p, false))
                    .chain(rw.iter().map(|p| (p, true)))
                {
                    let other = pages[p as usize].family;
                    let natural_pair =
                        (other as usize) < stories.len() && (page.family as usize) < stories.len();
                    match (other == page.family, natural_pair, rewrite_link) {
                        (true, _, false) => tp += 1,
                        (true, _, true) => rw_tp += 1,
                        // Two Reuters stories (or copies of them) that the
                        // corpus itself repeats ("The Bank of England said
                        // it forecast a shortage of …").
                        (false, true, _) => natural += 1,
                        (false, false, false) => fp += 1,
                        (false, false, true) => rw_fp += 1,
                    }
                }
            }
            done = end;
        }
        // One lookup at this size, timed alone over a sample.
        let sample: Vec<Signature> = (0..1000)
            .filter_map(|k| Signature::of(&pages[(k * 7919) % done].text))
            .collect();
        let t = Instant::now();
        let mut n = 0;
        for s in &sample {
            n += index.query(s, MIN_CONTAINMENT).len();
        }
        let lookup_us = t.elapsed().as_secs_f64() * 1e6 / sample.len() as f64;
        let rate = |k: Kind| found[k as usize] as f64 / derived[k as usize].max(1) as f64;
        println!(
            "{:<9} {:>7.0}  {:>9.1}  {:>12.0}  {:>12.0}  {:>6}  {:>11}  {:>9.4}  {:.3}/{:.3}/{:.3}             | {:>10.0}  {:>9.0}  {:>13.2}  {:>12.4}  {:>9.3}",
            done,
            done as f64 / elapsed,
            lookup_us,
            index.heap_bytes() as f64 / index.len() as f64,
            peak_rss_mib(),
            tp + fp + natural,
            natural,
            tp as f64 / (tp + fp).max(1) as f64,
            rate(Kind::Copy),
            rate(Kind::Trimmed),
            rate(Kind::Edited),
            done as f64 / rw_elapsed,
            anchors.heap_bytes() as f64 / done as f64,
            rw_cands as f64 / done as f64,
            rw_tp as f64 / (rw_tp + rw_fp).max(1) as f64,
            rate(Kind::Rewritten),
        );
        std::hint::black_box(n);
    }
}
