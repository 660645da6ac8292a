//! Hostile input never panics the cleaner and stays bounded in time: random
//! bytes, mutated markup, unclosed and deeply nested tags, huge lines.
//! (The same entry point is a `cargo fuzz` target in `fuzz/`.)

use std::time::{Duration, Instant};

use storyline_ingest::{decode_bytes, PageKind, RawDoc};

/// xorshift64*: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "<html>",
    "<head>",
    "<title>Storm",
    "</title>",
    "<body>",
    "<div class=\"author\">",
    "</div>",
    "<p>",
    "</p>",
    "<h1>",
    "</h1>",
    "<figcaption>",
    "</figcaption>",
    "<script type=\"application/ld+json\">",
    "{\"author\":{\"name\":\"Ana Lind\"}}",
    "</script>",
    "<meta name=\"author\" content=\"",
    "\">",
    "By Ana Lind",
    "May 8, 2025",
    "2025-13-45",
    "\"quoted words here\"",
    "“",
    "”",
    "&amp;",
    "&#x1F600;",
    "&#99999999;",
    "&",
    "<",
    ">",
    "é",
    "\u{202e}",
    "\0",
    "\n\n",
    "Cookies we use",
    "Read also: x",
    "The harbour reopened on Monday after the storm, officials said.",
    "<a rel=author>",
    "</a>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "(Reuters) - ",
    "This article was produced by ",
];

fn random_page(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(200) {
        if rng.below(5) == 0 {
            // Raw random bytes, decoded as a page would be.
            let bytes: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
            s.push_str(&decode_bytes(&bytes, PageKind::Text).0);
        } else {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
    }
    s
}

#[test]
fn random_and_mutated_pages_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for i in 0..3000 {
        let page = random_page(&mut rng);
        let kind = if i % 2 == 0 {
            PageKind::Html
        } else {
            PageKind::Text
        };
        let doc = RawDoc::new(format!("random-{i}"), kind, page);
        if let Ok(a) = storyline_clean::clean(&doc) {
            assert!(!a.body.trim().is_empty());
        }
    }
}

#[test]
fn pathological_pages_stay_bounded() {
    let deep = format!(
        "<html><body>{}<p>Deep words in a very deep page.</p>{}</body></html>",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    let unclosed = format!("<html><body>{}", "<p><b><i>text ".repeat(20_000));
    let long_line = "word ".repeat(400_000);
    let many_lines = "Short line\n".repeat(100_000);
    let quotes = "“".repeat(50_000);
    for (name, page, kind) in [
        ("deep", deep, PageKind::Html),
        ("unclosed", unclosed, PageKind::Html),
        ("long-line", long_line, PageKind::Text),
        ("many-lines", many_lines, PageKind::Text),
        ("quotes", quotes, PageKind::Text),
    ] {
        let t = Instant::now();
        let _ = storyline_clean::clean(&RawDoc::new(name, kind, page));
        // Generous for debug builds on a loaded machine; catches quadratic blow-ups.
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "{name} took {:?}",
            t.elapsed()
        );
    }
}
