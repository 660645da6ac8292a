//! Times one hostile page of each kind through the whole pipeline (clean,
//! annotate, link) at growing sizes, to find work that grows faster than
//! the page: a linear step takes about twice as long for twice the page, a
//! quadratic one four times.
//!
//! `cargo run --release -p storyline-pipeline --example hostile_scale [-- SIZE_KB...]`
//! (default 500 1000 2000). Prints seconds per size (`r`: rejected, no
//! article found) and the growth of the last doubling when both sizes were
//! annotated; `!` marks growth above 3×. The pages are generated here
//! (deterministic words), and annotation stops at 2 MB of body.

use std::time::Instant;

use storyline_ingest::synthetic::Rng;
use storyline_ingest::{PageKind, RawDoc};

/// Deterministic pseudo-random words.
struct Words(Rng);

impl Words {
    /// A letter from `first` on, of 26.
    fn letter(&mut self, first: u8) -> char {
        (first + self.0.below(26) as u8) as char
    }

    /// A lower-case word of 3 to 9 letters.
    fn word(&mut self) -> String {
        let n = 3 + self.0.below(7);
        (0..n).map(|_| self.letter(b'a')).collect()
    }

    /// The same, capitalised.
    fn name(&mut self) -> String {
        let w = self.word();
        w[..1].to_uppercase() + &w[1..]
    }

    /// A sentence of twelve words (HTML extraction drops short paragraphs
    /// as boilerplate).
    fn sentence(&mut self) -> String {
        let words: Vec<String> = (0..11).map(|_| self.word()).collect();
        format!("{} {}.", self.name(), words.join(" "))
    }

    /// Three capital letters.
    fn acronym(&mut self) -> String {
        (0..3).map(|_| self.letter(b'A')).collect()
    }
}

type Unit = fn(&mut Words, usize) -> String;

/// Flattened-text pages: each repeats its unit (a function of the words and
/// the unit's number) to the size asked for.
const TEXT: &[(&str, Unit)] = &[
    ("quotes", |w, _| {
        format!(
            "\"We will {} the {},\" {} {} said.",
            w.word(),
            w.word(),
            w.name(),
            w.name()
        )
    }),
    ("quote marks never closed", |w, i| {
        if i % 2 == 0 {
            format!("\"{} {}", w.word(), w.word())
        } else {
            format!("{}.", w.word())
        }
    }),
    ("one quote, no full stop", |w, i| {
        format!(
            "{}{} {}",
            if i == 0 { "\"" } else { "" },
            w.word(),
            w.word()
        )
    }),
    ("one sentence", |w, _| w.word()),
    ("dates", |w, i| {
        format!(
            "On Tuesday, Jan. {}, {}, the previous day and early next year {}.",
            1 + i % 28,
            1950 + i % 70,
            w.word()
        )
    }),
    ("abbreviations", |w, _| {
        format!(
            "Mr. {} met Dr. {} at 5 p.m. in Jan. at St. {} Co. Inc.",
            w.name(),
            w.name(),
            w.name()
        )
    }),
    ("acronyms, no full stop", |w, _| {
        format!(
            "the {} {} {} ({}) said",
            w.name(),
            w.name(),
            w.name(),
            w.acronym()
        )
    }),
    ("titles and appositions", |w, _| {
        format!(
            "President {} {}, Minister {}, and Mr {} spoke.",
            w.name(),
            w.name(),
            w.name(),
            w.name()
        )
    }),
    ("one name many times", |_, _| {
        "Kim Jong Un said Mr Kim.".to_string()
    }),
    ("distinct names", |_, i| format!("Kim Jong{i} Un said.")),
    ("capitalised words", |w, _| {
        (0..20).map(|_| w.name()).collect::<Vec<_>>().join(" ") + "."
    }),
    ("reporting chains, no full stop", |w, _| {
        format!("{} said that {} told {} that", w.name(), w.name(), w.name())
    }),
];

/// HTML pages: the unit repeated inside a body.
const HTML: &[(&str, Unit)] = &[
    ("paragraphs", |w, _| format!("<p>{}</p>", w.sentence())),
    ("nested divs", |w, _| {
        format!(
            "{}<p>{}</p>{}",
            "<div>".repeat(50),
            w.sentence(),
            "</div>".repeat(50)
        )
    }),
    ("links", |w, _| {
        format!("<a href=\"/{}\">{}</a> ", w.word(), w.word())
    }),
    ("table cells", |w, _| {
        format!(
            "<tr>{}</tr>",
            (0..10)
                .map(|_| format!("<td>{}</td>", w.word()))
                .collect::<String>()
        )
    }),
    ("unclosed tags", |w, _| {
        format!("<div><span><b>{}", w.sentence())
    }),
    ("bylines", |w, _| {
        format!(
            "<span class=\"byline\">By {} {}</span><p>{}</p>",
            w.name(),
            w.name(),
            w.sentence()
        )
    }),
];

fn page(unit: Unit, bytes: usize) -> String {
    let mut w = Words(Rng(0x9E37_79B9_7F4A_7C15));
    let mut out = String::with_capacity(bytes + 64);
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&unit(&mut w, i));
        out.push(' ');
        i += 1;
    }
    out
}

/// Seconds to clean, annotate and link one page, and whether it was
/// rejected (no article in it: a clear error, timed too, but not the same
/// work as a page annotated).
fn time(kind: PageKind, content: String) -> (f64, bool) {
    let doc = RawDoc::new("hostile", kind, content);
    let t = Instant::now();
    let analysis = storyline_pipeline::analyze(std::iter::once(Ok(doc)));
    (t.elapsed().as_secs_f64(), !analysis.errors.is_empty())
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("sizes are KB") * 1000)
        .collect();
    let sizes = if sizes.is_empty() {
        vec![500_000, 1_000_000, 2_000_000]
    } else {
        sizes
    };
    let header: Vec<String> = sizes.iter().map(|s| format!("{} KB", s / 1000)).collect();
    println!("{:<32} {}  growth", "page", header.join("  "));
    let kinds = TEXT
        .iter()
        .map(|&(name, unit)| (name, unit, PageKind::Text))
        .chain(
            HTML.iter()
                .map(|&(name, unit)| (name, unit, PageKind::Html)),
        );
    for (name, unit, kind) in kinds {
        let times: Vec<(f64, bool)> = sizes
            .iter()
            .map(|&bytes| {
                let content = page(unit, bytes);
                let content = match kind {
                    PageKind::Html => {
                        format!("<html><head><title>t</title></head><body>{content}</body></html>")
                    }
                    _ => content,
                };
                time(kind, content)
            })
            .collect();
        // Growth per doubling over the last two sizes, when both were
        // annotated.
        let growth = match times.as_slice() {
            [.., (a, false), (b, false)] if *a > 0.0 => {
                let doublings =
                    (sizes[sizes.len() - 1] as f64 / sizes[sizes.len() - 2] as f64).log2();
                let g = (b / a).powf(1.0 / doublings);
                format!("{g:.1}×{}", if g > 3.0 { " !" } else { "" })
            }
            _ => "—".to_string(),
        };
        let cells: Vec<String> = times
            .iter()
            .map(|&(t, rejected)| format!("{t:>6.2}s{}", if rejected { "r" } else { " " }))
            .collect();
        println!(
            "{:<32} {}  {growth}",
            format!("{name} ({kind:?})"),
            cells.join("  ")
        );
    }
}
