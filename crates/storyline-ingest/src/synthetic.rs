//! A synthetic news stream for benchmarks, grown from real stories (the
//! Reuters-21578 bodies): the stories, then new pages mixed from their
//! sentences with words swapped (so no two are alike), and, at known rates,
//! exact copies, trimmed copies (a lead kept, 50–90%), edited copies (a new
//! intro and sign-off, 5% of words changed) and rewrites (names and numbers
//! kept, other words swapped, clauses rotated, a sentence dropped).
//!
//! Deterministic: the same stories and size give the same pages, so runs
//! of `storyline bench` and of the `neardup_scale` example compare. The
//! pages are clearly synthetic: `https://synthetic.invalid/N` URLs and
//! outlets named "Synthetic N".

/// A tiny deterministic generator (xorshift*), so runs are reproducible.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// How a page was made.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A story, or a new page mixed from stories' sentences.
    Original,
    /// An exact copy of an original.
    Copy,
    /// An original's lead.
    Trimmed,
    /// An original with a new intro and sign-off and 5% of words changed.
    Edited,
    /// An original reworded.
    Rewritten,
}

/// One synthetic page.
pub struct Page {
    /// Flattened text.
    pub text: String,
    /// How it was made.
    pub kind: Kind,
    /// The original it derives from (its own position for originals).
    pub family: u32,
}

impl Page {
    /// The page as an ingestible JSONL record (with its truth: `id`,
    /// `family`, `kind`), `position` being its place in the stream: a
    /// synthetic URL and outlet, and a date 250 pages a day from 1987-01-01.
    pub fn record(&self, position: usize) -> String {
        let day = position / 250;
        let published = format!(
            "{}-{:02}-{:02}",
            1987 + day / 336,
            1 + (day / 28) % 12,
            1 + day % 28
        );
        serde_json::json!({
            "id": position, "family": self.family, "kind": format!("{:?}", self.kind),
            "text": self.text, "url": format!("https://synthetic.invalid/{position}"),
            "outlet": format!("Synthetic {}", position % 6), "published": published,
        })
        .to_string()
    }
}

/// The story bodies of a Reuters-21578 JSONL file (a `body` per line), with
/// whitespace collapsed, of at least 60 words, exact duplicates dropped
/// (they would be true links that the truth does not know about).
pub fn stories(jsonl: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    jsonl
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            v["body"]
                .as_str()
                .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .filter(|b| b.split(' ').count() >= 60)
        .filter(|b| seen.insert(b.clone()))
        .collect()
}

/// A text's sentences of four words or more, whitespace collapsed.
pub fn sentences(body: &str) -> Vec<String> {
    body.split_inclusive(['.', '!', '?'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.split(' ').count() >= 4)
        .collect()
}

/// A synthetic rewrite: names and numbers kept (rewriters keep facts), 35%
/// of the other words swapped, clauses of half the sentences rotated, one
/// sentence dropped half the time.
fn rewrite(base: &str, vocab: &[&str], rng: &mut Rng) -> String {
    let mut out: Vec<String> = sentences(base)
        .into_iter()
        .map(|s| {
            let body = s.trim_end_matches(['.', '!', '?']);
            let words: Vec<String> = body
                .split(' ')
                .map(|w| {
                    let keep = w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
                    if !keep && rng.chance(0.35) {
                        vocab[rng.below(vocab.len())].to_lowercase()
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            let mut s = words.join(" ");
            if rng.chance(0.5) {
                if let Some((a, b)) = s.split_once(", ") {
                    s = format!("{b}, {a}");
                }
            }
            s + "."
        })
        .collect();
    if out.len() > 2 && rng.chance(0.5) {
        let k = rng.below(out.len());
        out.remove(k);
    }
    out.join(" ")
}

/// `total` pages grown from `stories` (see the module's description): 80%
/// originals (the stories first, then mixes of 4–9 of their sentences with
/// 15% of words swapped) and 5% each of copies, trimmed copies, edited
/// copies and rewrites of an earlier original. Empty without stories.
pub fn generate(stories: &[String], total: usize) -> Vec<Page> {
    let pool: Vec<String> = stories.iter().flat_map(|s| sentences(s)).collect();
    if pool.is_empty() {
        return Vec::new();
    }
    let vocab: Vec<&str> = pool
        .iter()
        .flat_map(|s| s.split(' '))
        .take(200_000)
        .collect();
    let mut rng = Rng(0x5151_7eed);
    let mut pages: Vec<Page> = Vec::with_capacity(total);
    let mut originals: Vec<u32> = Vec::new();
    let swap = |text: &str, rate: f64, rng: &mut Rng| -> String {
        text.split(' ')
            .map(|w| {
                if rng.chance(rate) {
                    vocab[rng.below(vocab.len())]
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    for i in 0..total {
        let roll = rng.below(100);
        let page = if originals.len() < 100 || roll >= 20 {
            let text = if i < stories.len() {
                stories[i].clone()
            } else {
                let n = 4 + rng.below(6);
                let mixed: Vec<&str> = (0..n)
                    .map(|_| pool[rng.below(pool.len())].as_str())
                    .collect();
                swap(&mixed.join(" "), 0.15, &mut rng)
            };
            originals.push(i as u32);
            Page {
                text,
                kind: Kind::Original,
                family: i as u32,
            }
        } else {
            let src = originals[rng.below(originals.len())];
            let base = &pages[src as usize].text;
            let words: Vec<&str> = base.split(' ').collect();
            let (kind, text) = match roll % 4 {
                3 => (Kind::Rewritten, rewrite(base, &vocab, &mut rng)),
                0 => (Kind::Copy, base.clone()),
                1 => {
                    let keep = words.len() * (50 + rng.below(41)) / 100;
                    (Kind::Trimmed, words[..keep.max(5)].join(" "))
                }
                _ => {
                    let intro = pool[rng.below(pool.len())].clone();
                    let outro = pool[rng.below(pool.len())].clone();
                    (
                        Kind::Edited,
                        format!("{intro} {} {outro}", swap(base, 0.05, &mut rng)),
                    )
                }
            };
            Page {
                text,
                kind,
                family: src,
            }
        };
        pages.push(page);
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(k: usize) -> String {
        (0..12)
            .map(|s| {
                format!("Officials in Town{k} said item {s} of the plan moved ahead on Monday.")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn generation_is_deterministic_and_makes_every_kind() {
        let stories: Vec<String> = (0..150).map(story).collect();
        let a = generate(&stories, 2_000);
        let b = generate(&stories, 2_000);
        assert_eq!(a.len(), 2_000);
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.text == y.text && x.kind == y.kind));
        for kind in [
            Kind::Original,
            Kind::Copy,
            Kind::Trimmed,
            Kind::Edited,
            Kind::Rewritten,
        ] {
            assert!(a.iter().any(|p| p.kind == kind), "{kind:?}");
        }
        // A copy is its family's text; the stories come first, unchanged.
        let copy = a.iter().find(|p| p.kind == Kind::Copy).unwrap();
        assert_eq!(copy.text, a[copy.family as usize].text);
        assert_eq!(a[0].text, stories[0]);
        assert!(generate(&[], 10).is_empty());
    }

    #[test]
    fn records_are_ingestible_jsonl() {
        let pages = generate(&[story(1)], 3);
        let rec: serde_json::Value = serde_json::from_str(&pages[2].record(600)).unwrap();
        assert_eq!(rec["url"], "https://synthetic.invalid/600");
        assert_eq!(rec["published"], "1987-01-03");
        assert_eq!(rec["text"], pages[2].text.as_str());
    }

    #[test]
    fn stories_drop_short_and_repeated_bodies() {
        let long = story(2);
        let jsonl = format!(
            "{}\n{}\n{}\nnot json\n",
            serde_json::json!({ "body": long }),
            serde_json::json!({ "body": format!("  {long}") }),
            serde_json::json!({ "body": "Too short." }),
        );
        assert_eq!(stories(&jsonl), vec![long]);
    }
}
