//! Rewrite candidates at scale. A rewrite shares few word 5-shingles with
//! its source, so the near-duplicate index misses it; but it keeps the
//! source's names and numbers sentence by sentence ("Kim Jong Un", "2024",
//! "KCNA"). Each sentence gives one *anchor key* from its anchors
//! (capitalised words after the first, numbers) that another page of the
//! batch also has: the rarest of them, with the rarest of another run of
//! words (a name's words are one run) — a choice that does not depend on
//! word order or on the words around them. Pages sharing two or more keys
//! are candidates for sentence alignment ([`crate::dedup::align`]), which
//! decides.
//!
//! Rarest, and from two runs, where the key was once the two smallest
//! hashes: on pages of one topic every sentence names the topic's people
//! and places, and keys made of them ("Jong" and "Un" alone make a key of
//! one man) paired each page with dozens that shared nothing else. 20,000
//! generated pages of 40 sentences, each naming one of 300 people and one
//! of 300 agencies: 638,959 anchor candidate pairs (32 a page, no copy
//! among them), now 29,880. An anchor no other page has cannot make a shared key, so it
//! is passed over.
//!
//! About eight bytes per sentence are indexed (one `(key, page)` entry), in
//! the same sorted-array-with-directory layout as the near-duplicate bands.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::neardup::Band;
use crate::similarity::Idf;
use crate::text::Term;

/// Keys two pages must share to become a rewrite candidate.
pub const MIN_SHARED_KEYS: usize = 2;

/// Pages a look-up takes of one key at most, the earliest (the original
/// of a story is among them); pages past them still count for the key when
/// a key held by fewer pages finds them. A key can be on most pages of a
/// topic, and each look-up gathered every earlier page holding it: the
/// anchors' share of linking grew with the square of the pages. 100k bench
/// corpus, with the keys then made (two smallest hashes): 3 of 21,985
/// relations lost, the same events (44 lost at 256 without the rare keys'
/// pages, 3 at 1,024).
const ANCHOR_PAGES: usize = 256;

/// Sentences of a page that give keys, at most (the lede and body carry
/// the facts; long tails add lookups, not recall).
const MAX_KEYS: usize = 40;

/// A page's anchors, sentence by sentence: of its first [`MAX_KEYS`]
/// sentences with two or more, each sentence's distinct anchors as 32-bit
/// hashes, sorted, each with the run of words it came in. Its keys are
/// chosen from them once every page's anchors are counted
/// ([`keys_of_all`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Anchors {
    hashes: Vec<u32>,
    /// Each anchor's run within its sentence: a name's words ("Kim Jong
    /// Un") share one, a number has its own.
    runs: Vec<u16>,
    /// Where each sentence's anchors end in `hashes`.
    ends: Vec<u32>,
}

impl Anchors {
    /// The anchors of a text.
    ///
    /// Anchors are numbers and capitalised words (of two characters or
    /// more) that do not open their sentence, or open it but are
    /// capitalised mid-sentence elsewhere on the page (a name, not "The").
    /// Capitalised words one after another are one run (a name's words).
    /// Words are compared lower-cased, by hash: one pass over the text finds
    /// every sentence's candidates and the page's names, the second only
    /// looks at the candidates (this runs on every page of every linking).
    pub fn of(text: &str) -> Anchors {
        // Each candidate: its hash, its run in its sentence, and whether it
        // is an anchor wherever it stands (else it opens its sentence and
        // must be a name).
        let mut candidates: Vec<(u32, u16, bool)> = Vec::new();
        let mut sentence_ends: Vec<usize> = Vec::new();
        let mut names: rustc_hash::FxHashSet<u32> = rustc_hash::FxHashSet::default();
        let mut lower: Vec<u8> = Vec::new();
        for sentence in sentences(text) {
            // The run the next word joins if it is a capitalised word
            // right after the last one.
            let (mut run, mut joins) = (0u16, false);
            for (i, word) in sentence.enumerate() {
                let mut chars = word.chars();
                let Some(c) = chars.next() else {
                    joins = false;
                    continue;
                };
                let digit = c.is_ascii_digit();
                // A number, or a capitalised word of two characters or more.
                let capitalised = c.is_uppercase() && chars.next().is_some();
                if !(digit || capitalised) {
                    joins = false;
                    continue;
                }
                if !(capitalised && joins) {
                    run = run.wrapping_add(1);
                }
                joins = capitalised;
                let hash = if word.is_ascii() {
                    lower.clear();
                    lower.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
                    anchor_hash(&lower)
                } else {
                    anchor_hash(word.to_lowercase().as_bytes())
                };
                if !digit && i > 0 {
                    names.insert(hash);
                }
                candidates.push((hash, run, digit || i > 0));
            }
            sentence_ends.push(candidates.len());
        }
        let mut out = Anchors::default();
        let mut sentence: Vec<(u32, u16)> = Vec::new();
        let mut start = 0;
        for end in sentence_ends {
            sentence.clear();
            sentence.extend(
                candidates[start..end]
                    .iter()
                    .filter(|&&(h, _, sure)| sure || names.contains(&h))
                    .map(|&(h, run, _)| (h, run)),
            );
            start = end;
            // Each anchor once, in its first run.
            sentence.sort_unstable();
            sentence.dedup_by_key(|&mut (h, _)| h);
            if sentence.len() >= 2 {
                out.hashes.extend(sentence.iter().map(|&(h, _)| h));
                out.runs.extend(sentence.iter().map(|&(_, run)| run));
                out.ends.push(out.hashes.len() as u32);
            }
            if out.ends.len() == MAX_KEYS {
                break;
            }
        }
        out.hashes.shrink_to_fit();
        out.runs.shrink_to_fit();
        out.ends.shrink_to_fit();
        out
    }

    /// Each sentence's anchors and their runs.
    fn sentences(&self) -> impl Iterator<Item = (&[u32], &[u16])> {
        let mut from = 0;
        self.ends.iter().map(move |&end| {
            let (a, b) = (from, end as usize);
            from = b;
            (&self.hashes[a..b], &self.runs[a..b])
        })
    }

    /// The page's anchor keys, sorted: each sentence's rarest anchor that
    /// another page also has (fewest pages, then smallest hash), with the
    /// rarest such anchor of another run, as counted in `counts`. Two words
    /// of one name ("Jong", "Un") always come together, and would make a
    /// key of the name alone. A sentence whose shared anchors are all of
    /// one run still gives a key, of that run's two rarest: without it the
    /// bench corpus lost 2% of its rewrites (recall 0.835 → 0.818). A
    /// sentence whose rarest shared anchor is common ([`AnchorCounts`])
    /// gives none: on the bench corpus with a clause naming Kim Jong Un,
    /// North Korea and the like on every sentence, such keys were most of
    /// the candidates (copies 4.1 → 1.3 s for 20,000 pages, rewrite recall
    /// 0.867 → 0.865); the plain bench corpus has no such sentence.
    pub fn keys(&self, counts: &AnchorCounts) -> Vec<u32> {
        let mut keys = Vec::new();
        let mut shared: Vec<((u32, u32), u16)> = Vec::new();
        let common = counts.common();
        for (hashes, runs) in self.sentences() {
            shared.clear();
            for (&h, &run) in hashes.iter().zip(runs) {
                let pages = counts.pages_of(h);
                if pages >= 2 {
                    shared.push(((pages, h), run));
                }
            }
            let Some(&(a, run_a)) = shared.iter().min() else {
                continue;
            };
            // Even the rarest is common: the sentence only names the topic.
            if a.0 > common {
                continue;
            }
            let other = |same: bool| {
                shared
                    .iter()
                    .filter(|&&(x, run)| x != a && (run == run_a) == same)
                    .map(|&(x, _)| x)
                    .min()
            };
            let b = other(false).or_else(|| other(true));
            if let Some(b) = b {
                keys.push(sentence_key(a.1.min(b.1), a.1.max(b.1)));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// How many pages have each anchor, of how many pages: their document
/// frequencies, counted as the sentence words' are ([`Idf`]).
#[derive(Debug, Default)]
pub struct AnchorCounts(Idf);

impl AnchorCounts {
    /// Counts a page's anchors, each once.
    pub fn add(&mut self, page: &Anchors) {
        let mut distinct = page.hashes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        self.0.count_distinct(distinct.into_iter().map(Term::from));
    }

    /// Adds another count to this one.
    pub fn absorb(&mut self, other: AnchorCounts) {
        self.0.absorb(other.0);
    }

    /// Pages that have `anchor`.
    fn pages_of(&self, anchor: u32) -> u32 {
        self.0.df(Term::from(anchor))
    }

    /// Pages past which an anchor is common: on a quarter of the pages, and
    /// on more than a look-up takes of one key. A common anchor names the
    /// batch's topic, not a story.
    fn common(&self) -> u32 {
        (self.0.docs() / 4).max(ANCHOR_PAGES as u32)
    }

    /// The counts of these pages' anchors, on all cores.
    pub fn of(pages: &[&Anchors]) -> AnchorCounts {
        pages
            .par_iter()
            .with_min_len(256)
            .fold(AnchorCounts::default, |mut counts, page| {
                counts.add(page);
                counts
            })
            .reduce(AnchorCounts::default, |mut a, b| {
                a.absorb(b);
                a
            })
    }
}

/// Every page's anchor keys ([`Anchors::keys`]), the anchors counted over
/// these pages, on all cores.
pub fn keys_of_all(pages: &[&Anchors]) -> Vec<Vec<u32>> {
    let counts = AnchorCounts::of(pages);
    pages.par_iter().map(|p| p.keys(&counts)).collect()
}

/// An anchor's hash: the high half of its lower-cased bytes' xxh3. Among
/// n distinct anchors about n²/2³³ pairs share one (a hundred at a
/// million): such a pair's pages are counted together, and a key made of
/// it is merely shared by more pages.
fn anchor_hash(lower: &[u8]) -> u32 {
    (xxh3_64(lower) >> 32) as u32
}

/// The key of a sentence whose two chosen anchor hashes are `a` < `b`.
fn sentence_key(a: u32, b: u32) -> u32 {
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

    /// Each sentence's anchors as first written: names as lower-cased
    /// strings, each sentence's anchors hashed, sorted and deduplicated,
    /// with the number of the run (of capitalised words, or a number) each
    /// first came in.
    fn anchors_by_strings(text: &str) -> Vec<Vec<(u32, u16)>> {
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
        let capital = |w: &str| w.starts_with(char::is_uppercase) && w.chars().count() > 1;
        let digit = |w: &str| w.starts_with(|c: char| c.is_ascii_digit());
        let mut out = Vec::new();
        for words in words_of(text) {
            let mut anchors: Vec<(u32, u16)> = Vec::new();
            let mut run = 0u16;
            for (i, w) in words.iter().enumerate() {
                if !(capital(w) || digit(w)) {
                    continue;
                }
                if !(capital(w) && i > 0 && capital(words[i - 1])) {
                    run += 1;
                }
                if digit(w) || i > 0 || names.contains(&w.to_lowercase()) {
                    anchors.push((anchor_hash(w.to_lowercase().as_bytes()), run));
                }
            }
            anchors.sort_unstable();
            anchors.dedup_by_key(|a| a.0);
            if anchors.len() >= 2 {
                out.push(anchors);
            }
            if out.len() == MAX_KEYS {
                break;
            }
        }
        out
    }

    /// Keys of these texts, their anchors counted over all of them.
    fn keys_of(texts: &[&str]) -> Vec<Vec<u32>> {
        let anchors: Vec<Anchors> = texts.iter().map(|t| Anchors::of(t)).collect();
        keys_of_all(&anchors.iter().collect::<Vec<_>>())
    }

    fn by_sentence(text: &str) -> Vec<Vec<(u32, u16)>> {
        Anchors::of(text)
            .sentences()
            .map(|(h, r)| h.iter().copied().zip(r.iter().copied()).collect())
            .collect()
    }

    #[test]
    fn anchors_equal_those_of_the_string_sets() {
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
            // Some pages long enough to reach the sentences' bound.
            let mut text = String::new();
            for _ in 0..next(if round % 10 == 0 { 1000 } else { 120 }) {
                text.push_str(words[next(words.len())]);
                text.push_str(marks[next(marks.len())]);
            }
            assert_eq!(by_sentence(&text), anchors_by_strings(&text), "{text:?}");
        }
        assert_eq!(by_sentence(SOURCE), anchors_by_strings(SOURCE));
    }

    #[test]
    fn a_key_is_made_of_the_rarest_anchors_another_page_has() {
        // Every page names Kim and Pyongyang; two also Sejong and 240mm;
        // one alone Halvik.
        let texts = [
            "Officials said Kim toured Pyongyang with Sejong analysts and 240mm launchers.",
            "Officials said Kim toured Pyongyang with Sejong analysts and 240mm launchers and Halvik.",
            "Officials said Kim visited Pyongyang on a rainy day.",
            "Officials said Kim left Pyongyang for the coast.",
        ];
        let h = |w: &str| anchor_hash(w.as_bytes());
        let key = |a: &str, b: &str| sentence_key(h(a).min(h(b)), h(a).max(h(b)));
        // A name's words are one run: its key takes another run's anchor.
        let ran = by_sentence("The Bank of Japan said Kim Jong Un met 40 officials.");
        let run_of = |w: &str| ran[0].iter().find(|a| a.0 == h(w)).map(|a| a.1);
        assert_eq!(run_of("the"), None);
        assert_eq!(run_of("kim"), run_of("un"));
        assert_ne!(run_of("kim"), run_of("40"));
        assert_ne!(run_of("bank"), run_of("japan"));
        // The name's words are on two pages, 40 on three: the rarest
        // anchor is one of the name's words, and the key takes 40 with it,
        // not another of its words. A sentence naming the man alone gives
        // a key of the name's two rarest words.
        let keys = keys_of(&[
            "Officials said Kim Jong Un met 40 envoys. Officials said Kim Jong Un left.",
            "Officials said Kim Jong Un met 40 envoys. Officials said Kim Jong Un left.",
            "Officials counted 40 boats near Busan.",
        ]);
        let mut name = ["kim", "jong", "un"];
        name.sort_by_key(|w| h(w));
        let mut expected = vec![key(name[0], "40"), key(name[0], name[1])];
        expected.sort_unstable();
        assert_eq!(keys[0], expected);
        assert!(keys[2].is_empty());
        assert_eq!(keys[1], keys[0]);
        let keys = keys_of(&texts);
        // Halvik is on one page only: the second page's key is the first's.
        assert_eq!(keys[0], vec![key("sejong", "240mm")]);
        assert_eq!(keys[1], keys[0]);
        assert_eq!(keys[2], vec![key("kim", "pyongyang")]);
        assert_eq!(keys[3], keys[2]);
        // A page alone has no anchor another has: no keys.
        assert!(keys_of(&[texts[0]])[0].is_empty());
    }

    #[test]
    fn a_sentence_naming_only_the_topic_gives_no_key() {
        // Every page names Kim Jong Un and Seoul; each pair of pages also
        // shares a sentence of its own names.
        let pages: Vec<String> = (0..1200)
            .map(|p| {
                format!(
                    "Officials said Kim Jong Un met Seoul envoys. Officials said Town{} hired {} guards.",
                    p / 2,
                    1000 + p / 2
                )
            })
            .collect();
        let texts: Vec<&str> = pages.iter().map(String::as_str).collect();
        let keys = keys_of(&texts);
        let h = |w: &str| anchor_hash(w.as_bytes());
        let key = |a: &str, b: &str| sentence_key(h(a).min(h(b)), h(a).max(h(b)));
        assert_eq!(keys[0], vec![key("town0", "1000")]);
        assert_eq!(keys[1], keys[0]);
        // Below the look-up's bound nothing is common.
        let few = keys_of(&texts[..200]);
        assert_eq!(few[0].len(), 2);
    }

    #[test]
    fn rewrites_share_anchor_keys_and_strangers_do_not() {
        let keys = keys_of(&[
            SOURCE,
            "The council in Halvik approved a tram budget on Monday. Construction starts in 2026, Mayor Ana Lind said.",
            REWRITE,
        ]);
        let mut index = AnchorIndex::new();
        index.insert(&keys[0]);
        index.insert(&keys[1]);
        let hits = index.query(&keys[2]);
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
        let keys = keys_of(&[
            "Yesterday Kim met Putin in 2024.",
            "In 2024, Putin met Kim.",
        ]);
        assert!(!keys[0].is_empty());
        assert_eq!(keys[0], keys[1]);
        assert_eq!(Anchors::of("Nothing here is named."), Anchors::default());
    }
}
