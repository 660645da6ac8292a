//! Rewrite candidates at scale. A rewrite shares few word 5-shingles with
//! its source, so the near-duplicate index misses it; but it keeps the
//! source's names and numbers sentence by sentence ("Kim Jong Un", "2024",
//! "KCNA"). Each sentence gives one *anchor key*: the two of its anchors
//! (capitalised words after the first, numbers) with the smallest hashes —
//! a choice that does not depend on word order or on the words around them.
//! Pages sharing two or more keys are candidates for sentence alignment
//! ([`crate::dedup::align`]), which decides.
//!
//! About eight bytes per sentence are indexed (one `(key, page)` entry), in
//! the same sorted-array-with-directory layout as the near-duplicate bands.

use xxhash_rust::xxh3::xxh3_64;

use crate::neardup::Band;

/// Keys two pages must share to become a rewrite candidate.
pub const MIN_SHARED_KEYS: usize = 2;

/// Pages a look-up takes of one key at most, the earliest (the original
/// of a story is among them); pages past them still count for the key when
/// a key held by fewer pages finds them. A key a sentence's two smallest
/// anchor hashes make can be on most pages (a weekday and a word every
/// page's names end with: one sentence in fifteen of 20,000 generated
/// pages), and each look-up gathered every earlier page holding it: the
/// anchors' share of linking grew with the square of the pages. 100k bench
/// corpus: 3 of 21,985 relations lost, the same events (44 lost at 256
/// without the rare keys' pages, 3 at 1,024).
const ANCHOR_PAGES: usize = 256;

/// Keys of at most this many sentences are indexed per page (the lede and
/// body carry the facts; long tails add lookups, not recall).
const MAX_KEYS: usize = 40;

/// The anchor keys of a text, one per sentence with two or more anchors.
///
/// Anchors are numbers and capitalised words (of two characters or more)
/// that do not open their sentence, or open it but are capitalised
/// mid-sentence elsewhere on the page (a name, not "The"). Words are
/// compared lower-cased, by hash: one pass over the text finds every
/// sentence's candidates and the page's names, the second only looks at
/// the candidates (this ran on every page of every linking).
pub fn anchor_keys(text: &str) -> Vec<u32> {
    // Each candidate: its hash, and whether it is an anchor wherever it
    // stands (else it opens its sentence and must be a name).
    let mut candidates: Vec<(u64, bool)> = Vec::new();
    let mut sentence_ends: Vec<usize> = Vec::new();
    let mut names: rustc_hash::FxHashSet<u64> = rustc_hash::FxHashSet::default();
    let mut lower: Vec<u8> = Vec::new();
    for sentence in sentences(text) {
        for (i, word) in sentence.enumerate() {
            let mut chars = word.chars();
            let Some(c) = chars.next() else {
                continue;
            };
            let digit = c.is_ascii_digit();
            // A number, or a capitalised word of two characters or more.
            let capitalised = c.is_uppercase() && chars.next().is_some();
            if !(digit || capitalised) {
                continue;
            }
            let hash = if word.is_ascii() {
                lower.clear();
                lower.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
                xxh3_64(&lower)
            } else {
                xxh3_64(word.to_lowercase().as_bytes())
            };
            if !digit && i > 0 {
                names.insert(hash);
            }
            candidates.push((hash, digit || i > 0));
        }
        sentence_ends.push(candidates.len());
    }
    let mut keys = Vec::new();
    let mut start = 0;
    for end in sentence_ends {
        // The two smallest distinct anchor hashes of the sentence.
        let (mut a, mut b) = (u64::MAX, u64::MAX);
        let mut found = 0;
        for &(h, sure) in &candidates[start..end] {
            if !(sure || names.contains(&h)) || h == a || h == b {
                continue;
            }
            found += 1;
            if h < a {
                (a, b) = (h, a);
            } else if h < b {
                b = h;
            }
        }
        start = end;
        if found >= 2 {
            keys.push(sentence_key(a, b));
        }
        if keys.len() == MAX_KEYS {
            break;
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The key of a sentence whose two smallest anchor hashes are `a` < `b`.
fn sentence_key(a: u64, b: u64) -> u32 {
    (xxh3_64(&[a.to_le_bytes(), b.to_le_bytes()].concat()) >> 32) as u32
}

/// A text's sentences, each as its words (runs of letters and digits).
fn sentences(text: &str) -> impl Iterator<Item = impl Iterator<Item = &str>> {
    text.split_inclusive(['.', '!', '?', '\n'])
        .map(|s| crate::text::words(s))
}

/// Pages indexed by their anchor keys.
#[derive(Debug, Default)]
pub struct AnchorIndex {
    band: Band,
    pages: u32,
}

impl AnchorIndex {
    /// An empty index.
    pub fn new() -> Self {
        AnchorIndex::default()
    }

    /// Adds a page's keys; returns its number.
    pub fn insert(&mut self, keys: &[u32]) -> u32 {
        let page = self.pages;
        for &k in keys {
            self.band.insert(k, page);
        }
        self.pages += 1;
        page
    }

    /// Pages sharing at least [`MIN_SHARED_KEYS`] keys with `keys`, with the
    /// number shared, most first.
    pub fn query(&self, keys: &[u32]) -> Vec<(u32, usize)> {
        self.query_before(keys, u32::MAX)
    }

    /// An index of these pages' keys (pages numbered in order) built at
    /// once, for [`AnchorIndex::query_before`].
    pub fn build<'a>(pages: impl IntoIterator<Item = &'a [u32]>) -> Self {
        let mut entries = Vec::new();
        let mut n = 0u32;
        for keys in pages {
            entries.extend(keys.iter().map(|&k| (k, n)));
            n += 1;
        }
        AnchorIndex {
            band: Band::build(entries),
            pages: n,
        }
    }

    /// [`AnchorIndex::query`] among the pages numbered below `before`: of
    /// the pages holding each key, the first [`ANCHOR_PAGES`], and any
    /// other that a key held by fewer pages finds.
    pub fn query_before(&self, keys: &[u32], before: u32) -> Vec<(u32, usize)> {
        let mut hits: Vec<u32> = Vec::new();
        // Pages of the keys taken whole, and the keys cut short with the
        // last page taken of each.
        let mut cold: Vec<u32> = Vec::new();
        let mut hot: Vec<(u32, u32)> = Vec::new();
        let mut pages: Vec<u32> = Vec::new();
        for &k in keys {
            pages.clear();
            self.band
                .lookup_first(k, before, ANCHOR_PAGES, |p| pages.push(p));
            hits.extend_from_slice(&pages);
            match pages.last() {
                Some(&last) if pages.len() == ANCHOR_PAGES => hot.push((k, last)),
                _ => cold.extend_from_slice(&pages),
            }
        }
        // A page found through a key held by few pages is also counted for
        // the hot keys it holds past their first pages: a binary search
        // each, where gathering the hot keys' every page was the cost.
        if !hot.is_empty() {
            cold.sort_unstable();
            cold.dedup();
            for &(k, last) in &hot {
                for &p in cold.iter().filter(|&&p| p > last) {
                    if self.band.holds(k, p) {
                        hits.push(p);
                    }
                }
            }
        }
        hits.sort_unstable();
        let mut out: Vec<(u32, usize)> = hits
            .chunk_by(|a, b| a == b)
            .map(|c| (c[0], c.len()))
            .filter(|&(_, n)| n >= MIN_SHARED_KEYS)
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// Bytes of heap the index holds.
    pub fn heap_bytes(&self) -> usize {
        self.band.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "North Korean leader Kim Jong Un inspected a munitions factory in Pyongyang on Tuesday, KCNA said. \
The plant must raise output of 240mm rocket launchers by 2025, Kim told managers. \
Analysts at the Sejong Institute said the visit signalled new exports to Russia.";
    const REWRITE: &str = "State media outlet KCNA reported that Kim Jong Un toured a weapons plant in Pyongyang this week. \
Kim told managers that the factory has to lift production of 240mm launchers by 2025. \
The trip points to fresh arms sales to Russia, according to analysts at the Sejong Institute.";

    /// The keys as first written: names as lower-cased strings, each
    /// sentence's anchors hashed, sorted and deduplicated.
    fn anchor_keys_by_strings(text: &str) -> Vec<u32> {
        let words_of = |text| -> Vec<Vec<&str>> { sentences(text).map(|s| s.collect()).collect() };
        let names: rustc_hash::FxHashSet<String> = words_of(text)
            .into_iter()
            .flat_map(|words| {
                words
                    .into_iter()
                    .skip(1)
                    .filter(|w| w.starts_with(char::is_uppercase))
                    .map(str::to_lowercase)
            })
            .collect();
        let is_anchor = |word: &str, first: bool| {
            let c = word.chars().next().unwrap();
            c.is_ascii_digit()
                || (c.is_uppercase()
                    && word.chars().count() > 1
                    && (!first || names.contains(&word.to_lowercase())))
        };
        let mut keys = Vec::new();
        for words in words_of(text) {
            let mut hashes: Vec<u64> = words
                .iter()
                .enumerate()
                .filter(|(i, w)| is_anchor(w, *i == 0))
                .map(|(_, w)| xxh3_64(w.to_lowercase().as_bytes()))
                .collect();
            hashes.sort_unstable();
            hashes.dedup();
            if let [a, b, ..] = hashes[..] {
                keys.push(sentence_key(a, b));
            }
            if keys.len() == MAX_KEYS {
                break;
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    #[test]
    fn keys_equal_those_of_the_string_sets() {
        let words = [
            "Kim",
            "kim",
            "KCNA",
            "2024",
            "240mm",
            "the",
            "The",
            "A",
            "a",
            "Σοφία",
            "ΣΟΦΊΑ",
            "Öl",
            "öl",
            "İstanbul",
            "said",
            "Pyongyang",
            "x9",
            "9x",
        ];
        let marks = [" ", " ", " ", ", ", ". ", "\n", "! ", "? ", "-"];
        let mut lcg = crate::text::tests::lcg(3);
        let mut next = move |n: usize| lcg() as usize % n;
        for round in 0..3000 {
            // Some pages long enough to reach the keys' bound.
            let mut text = String::new();
            for _ in 0..next(if round % 10 == 0 { 1000 } else { 120 }) {
                text.push_str(words[next(words.len())]);
                text.push_str(marks[next(marks.len())]);
            }
            assert_eq!(
                anchor_keys(&text),
                anchor_keys_by_strings(&text),
                "{text:?}"
            );
        }
        assert_eq!(anchor_keys(SOURCE), anchor_keys_by_strings(SOURCE));
    }

    #[test]
    fn rewrites_share_anchor_keys_and_strangers_do_not() {
        let mut index = AnchorIndex::new();
        index.insert(&anchor_keys(SOURCE));
        index.insert(&anchor_keys(
            "The council in Halvik approved a tram budget on Monday. Construction starts in 2026, Mayor Ana Lind said.",
        ));
        let hits = index.query(&anchor_keys(REWRITE));
        assert_eq!(hits.first().map(|h| h.0), Some(0), "{hits:?}");
        assert!(hits.iter().all(|h| h.0 != 1));
    }

    #[test]
    fn a_look_up_takes_the_earliest_pages_of_a_hot_key_and_those_a_rare_key_finds() {
        // Every page holds keys 1 and 2; every third also a key of its own.
        let n = ANCHOR_PAGES as u32 * 4;
        let pages: Vec<Vec<u32>> = (0..n)
            .map(|p| {
                if p % 3 == 0 {
                    vec![1, 2, 10_000 + p]
                } else {
                    vec![1, 2]
                }
            })
            .collect();
        let index = AnchorIndex::build(pages.iter().map(Vec::as_slice));
        // A page far past the hot keys' first pages, whose own key the
        // query shares: found through it, with the hot keys it holds.
        let rare = n - 3 - (n - 3) % 3;
        let hits = index.query_before(&[1, 2, 10_000 + rare], n);
        assert_eq!(hits[0], (rare, 3));
        // Then the earliest pages through the hot keys alone, at two keys.
        let mut rest: Vec<u32> = hits[1..].iter().map(|h| h.0).collect();
        rest.sort_unstable();
        assert_eq!(rest, (0..ANCHOR_PAGES as u32).collect::<Vec<_>>());
        assert!(hits[1..].iter().all(|h| h.1 == 2));
        // Below the cap, every page is found.
        assert_eq!(index.query_before(&[1, 2], 10).len(), 10);
        // A page past the cap sharing only hot keys is not (what the cap
        // costs).
        assert!(index
            .query_before(&[1, 2], n)
            .iter()
            .all(|h| h.0 < ANCHOR_PAGES as u32));
    }

    #[test]
    fn keys_ignore_word_order_and_sentence_openers() {
        assert_eq!(
            anchor_keys("Yesterday Kim met Putin in 2024."),
            anchor_keys("In 2024, Putin met Kim.")
        );
        assert!(anchor_keys("Nothing here is named.").is_empty());
    }
}
