//! A trained named-entity tagger: an averaged perceptron over hashed
//! features, decoding greedily left to right with BIO constraints.
//!
//! It reads the same words as the rest of the crate ([`crate::entities`]'s
//! tokeniser), so training data is first projected onto those words: what
//! the model learns is exactly what it sees at run time. Features are the
//! word and its neighbours, shapes, affixes, the punctuation between words
//! (sentence starts, quotes, parentheses, commas), the crate's gazetteers,
//! whether the word also appears in lower case elsewhere in the document,
//! and the two previous tags.
//!
//! Weights are stored as `(feature hash, 7 × f32)` records (see
//! [`Model::to_bytes`]); the shipped model is trained by
//! `storyline train entities` on the CC BY / CC BY-SA genres of GUM and on
//! WNUT-17, and embedded in the binary ([`Model::shipped`]).

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use storyline_model::EntityKind;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::entities::{self, Tok};

/// Tags: O, then B and I for each of person, organisation, place.
const NT: usize = 7;
const KINDS: [EntityKind; 3] = [
    EntityKind::Person,
    EntityKind::Organization,
    EntityKind::Place,
];
const MAGIC: &[u8; 8] = b"SLNER\x00\x00\x02";
/// Bytes per stored feature: hash and one weight per tag.
const RECORD: usize = 8 + 4 * NT;
/// Averaged weights this small change no decision worth storing.
const PRUNE: f32 = 1e-3;

fn tag_kind(tag: usize) -> Option<(EntityKind, bool)> {
    (tag > 0).then(|| (KINDS[(tag - 1) / 2], tag % 2 == 1))
}

fn begin_tag(kind: EntityKind) -> Option<usize> {
    KINDS.iter().position(|&k| k == kind).map(|p| 1 + 2 * p)
}

/// An I tag may only follow a B or I of its kind.
fn allowed(prev: usize, tag: usize) -> bool {
    tag == 0 || tag % 2 == 1 || prev == tag || prev + 1 == tag
}

/// A named span found by the model: byte range and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// First byte.
    pub start: usize,
    /// One past the last byte (a possessive "'s" left out).
    pub end: usize,
    /// Person, organisation or place.
    pub kind: EntityKind,
}

/// The model: feature hash → one weight per tag.
pub struct Model {
    // Keys are already hashes: FxHash (one multiply) instead of SipHash,
    // which was a fifth of annotation time.
    weights: FxHashMap<u64, [f32; NT]>,
    /// Tells models apart in the threads' [`HISTORY`] caches.
    id: u64,
}

impl Model {
    fn new(weights: FxHashMap<u64, [f32; NT]>) -> Model {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Model {
            weights,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The model trained by `storyline train entities`, embedded at build time.
    pub fn shipped() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            Model::from_bytes(include_bytes!("../model/ner.bin"))
                .expect("the embedded entity model is well formed")
        })
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or("not a storyline entity model (bad magic)")?;
        if body.len() < 4 {
            return Err("truncated header".into());
        }
        let n = u32::from_le_bytes(body[..4].try_into().expect("4 bytes")) as usize;
        let data = &body[4..];
        if data.len() != n * RECORD {
            return Err(format!(
                "expected {n} records ({} bytes), found {} bytes",
                n * RECORD,
                data.len()
            ));
        }
        let mut weights = FxHashMap::with_capacity_and_hasher(n, Default::default());
        for r in data.chunks_exact(RECORD) {
            let key = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
            let mut w = [0.0; NT];
            for (t, x) in w.iter_mut().enumerate() {
                let at = 8 + 4 * t;
                *x = f32::from_le_bytes(r[at..at + 4].try_into().expect("4 bytes"));
            }
            weights.insert(key, w);
        }
        Ok(Model::new(weights))
    }

    /// Serialises the weights: a header, then per feature its hash and one
    /// `f32` per tag (little-endian), sorted by hash; features whose weights
    /// are all below [`PRUNE`] are left out.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut keys: Vec<u64> = self
            .weights
            .iter()
            .filter(|(_, w)| w.iter().any(|x| x.abs() >= PRUNE))
            .map(|(&k, _)| k)
            .collect();
        keys.sort_unstable();
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        for k in keys {
            out.extend_from_slice(&k.to_le_bytes());
            for x in self.weights[&k] {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Number of weighted features.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Named spans in `text`.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let toks = entities::tokens(text);
        self.find_in(text, &toks, &entities::Lowered::new(&toks))
    }

    /// Named spans in `text`, given its words and their lower case.
    pub(crate) fn find_in(
        &self,
        text: &str,
        toks: &[Tok<'_>],
        lowered: &entities::Lowered,
    ) -> Vec<Found> {
        let feats = Features::new(text, toks, lowered);
        let mut tags = self.decode(&feats);
        consistent(toks, &mut tags);
        spans(text, toks, &tags)
    }

    fn decode(&self, feats: &Features) -> Vec<usize> {
        HISTORY.with_borrow_mut(|(model, kept)| {
            if *model != Some(self.id) {
                kept.clear();
                *model = Some(self.id);
            }
            viterbi(feats, |f| self.weights.get(&f).copied(), Some(kept))
        })
    }
}

/// Summed weights of some features, per tag.
fn sum(feats: &[u64], weight: &impl Fn(u64) -> Option<[f32; NT]>) -> [f32; NT] {
    sum_onto([0.0; NT], feats, weight)
}

/// `s` plus the summed weights of some features, added in their order.
fn sum_onto(
    mut s: [f32; NT],
    feats: &[u64],
    weight: &impl Fn(u64) -> Option<[f32; NT]>,
) -> [f32; NT] {
    for &f in feats {
        if let Some(w) = weight(f) {
            for (x, y) in s.iter_mut().zip(w) {
                *x += y;
            }
        }
    }
    s
}

/// Per (word, shape) hashes, the scores of the history features after
/// each previous tag ([`Features::word_history`] onto the transition's).
type History = FxHashMap<(u64, u64), [[f32; NT]; NT]>;

/// How many words' history scores a thread keeps; past it they are
/// dropped and gathered again (16k words, ~3.5 MB).
const HISTORY_KEPT: usize = 1 << 14;

thread_local! {
    /// A thread's history scores, for the model with the id it holds:
    /// 14 of a word's ~40 look-ups, the same for every "the" of every page.
    static HISTORY: std::cell::RefCell<(Option<u64>, History)> =
        std::cell::RefCell::new((None, History::default()));
}

/// The best tag sequence (first-order Viterbi, BIO constraints), paragraph
/// by paragraph.
fn viterbi(
    feats: &Features,
    weight: impl Fn(u64) -> Option<[f32; NT]>,
    mut kept: Option<&mut History>,
) -> Vec<usize> {
    let mut tags = vec![0; feats.len()];
    // The first history feature depends on the previous tag alone: look it
    // up once per document, not once per word and tag. Summing onto it
    // keeps the order of additions, so the scores are the same to the bit.
    let mut prior = [[0.0; NT]; NT + 1];
    for (p, s) in prior.iter_mut().enumerate() {
        *s = sum(&[Features::transition(p)], &weight);
    }
    for (a, b) in feats.segments() {
        let n = b - a;
        let mut score = vec![[f32::NEG_INFINITY; NT]; n];
        let mut back = vec![[0usize; NT]; n];
        for i in 0..n {
            let st = sum(feats.stat(a + i), &weight);
            // The scores of the history features after each tag depend on
            // the word and its shape alone: common words' are kept.
            let history = if i == 0 {
                [[0.0; NT]; NT]
            } else {
                let key = (feats.lower[a + i], feats.shape[a + i]);
                let work = || {
                    let mut h = [[0.0; NT]; NT];
                    for (p, x) in h.iter_mut().enumerate() {
                        *x = sum_onto(prior[p], &feats.word_history(a + i, p), &weight);
                    }
                    h
                };
                match kept.as_deref_mut() {
                    Some(kept) => {
                        if let Some(h) = kept.get(&key) {
                            *h
                        } else {
                            if kept.len() >= HISTORY_KEPT {
                                kept.clear();
                            }
                            *kept.entry(key).or_insert_with(work)
                        }
                    }
                    None => work(),
                }
            };
            let prevs: &[usize] = if i == 0 {
                &[START]
            } else {
                &[0, 1, 2, 3, 4, 5, 6]
            };
            for &p in prevs {
                let base = if i == 0 { 0.0 } else { score[i - 1][p] };
                if base == f32::NEG_INFINITY {
                    continue;
                }
                let d = if p == START {
                    sum_onto(prior[p], &feats.word_history(a + i, p), &weight)
                } else {
                    history[p]
                };
                let from = if p == START { 0 } else { p };
                for c in 0..NT {
                    if !allowed(from, c) {
                        continue;
                    }
                    let v = base + st[c] + d[c];
                    if v > score[i][c] {
                        score[i][c] = v;
                        back[i][c] = p;
                    }
                }
            }
        }
        if n == 0 {
            continue;
        }
        let mut c = (0..NT)
            .max_by(|&x, &y| score[n - 1][x].total_cmp(&score[n - 1][y]).then(y.cmp(&x)))
            .unwrap_or(0);
        for i in (0..n).rev() {
            tags[a + i] = c;
            c = back[i][c];
        }
    }
    tags
}

/// One name, one reading per document: where the words of a longer name
/// found elsewhere in the text were tagged as (parts of) names, they take
/// that name's tags ("the Halvik Port Authority" read once as a place and
/// an organisation becomes the organisation found in a later sentence).
fn consistent(toks: &[Tok<'_>], tags: &mut [usize]) {
    consistent_with(toks, tags, None);
}

/// [`consistent`], finding each name's occurrences by scanning every
/// position (`indexed` false) or through an index of word sequences
/// (`true`); `None` chooses by size. The scan compares each name with
/// every word: a page naming thousands of distinct people took minutes.
fn consistent_with(toks: &[Tok<'_>], tags: &mut [usize], indexed: Option<bool>) {
    let mut names: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        if tags[i] % 2 == 1 {
            let mut j = i + 1;
            while j < tags.len() && tags[j] == tags[i] + 1 {
                j += 1;
            }
            if j - i >= 2 {
                names.push((i, j));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    // Longest names first, so they win over their parts.
    names.sort_by_key(|&(a, b)| std::cmp::Reverse(b - a));
    let indexed = indexed.unwrap_or(names.len() * toks.len() > SCAN_MAX);
    let mut occurrences = Occurrences::new(toks, indexed);
    let mut seen: FxHashSet<Vec<&str>> = FxHashSet::default();
    // Words already given to a longer name.
    let mut fixed = vec![false; tags.len()];
    for (a, b) in names {
        if fixed[a..b].iter().any(|&f| f) {
            continue;
        }
        let words: Vec<&str> = toks[a..b].iter().map(|t| t.text).collect();
        if !seen.insert(words.clone()) {
            continue;
        }
        let begin = tags[a];
        let len = b - a;
        for s in occurrences.of(a, b) {
            let tagged = (s..s + len).any(|k| tags[k] != 0);
            if tagged && !fixed[s..s + len].iter().any(|&f| f) {
                tags[s] = begin;
                for t in &mut tags[s + 1..s + len] {
                    *t = begin + 1;
                }
                // A name continuing past the match loses its tail's I tags.
                let mut k = s + len;
                while k < tags.len() && tags[k] != 0 && tags[k].is_multiple_of(2) {
                    tags[k] = 0;
                    k += 1;
                }
                fixed[s..s + len].iter_mut().for_each(|f| *f = true);
            }
        }
    }
}

/// Word comparisons past which [`consistent`] finds names through an
/// index: a news page has a few dozen names and a few thousand words.
const SCAN_MAX: usize = 1 << 20;

/// Where runs of words occur in a document, for [`consistent_with`].
struct Occurrences<'t, 'a> {
    toks: &'t [Tok<'a>],
    /// Each word's number (the same for the same word), when indexed.
    ids: Option<Vec<u32>>,
    /// The start of every run of `len` words, by the hash of their numbers,
    /// for the last `len` asked about (names come longest first).
    runs: Option<(usize, FxHashMap<u64, Vec<u32>>)>,
}

impl<'t, 'a> Occurrences<'t, 'a> {
    fn new(toks: &'t [Tok<'a>], indexed: bool) -> Self {
        let ids = indexed.then(|| {
            let mut number: FxHashMap<&str, u32> = FxHashMap::default();
            toks.iter()
                .map(|t| {
                    let next = number.len() as u32;
                    *number.entry(t.text).or_insert(next)
                })
                .collect()
        });
        Occurrences {
            toks,
            ids,
            runs: None,
        }
    }

    /// Every start, ascending, of the words `toks[a..b]`.
    fn of(&mut self, a: usize, b: usize) -> Vec<usize> {
        let len = b - a;
        let last = self.toks.len().saturating_sub(len);
        let Some(ids) = &self.ids else {
            let same = |s: usize| (0..len).all(|k| self.toks[s + k].text == self.toks[a + k].text);
            return (0..=last).filter(|&s| same(s)).collect();
        };
        let hash = |run: &[u32]| {
            use std::hash::{BuildHasher, Hasher};
            let mut h = rustc_hash::FxBuildHasher.build_hasher();
            run.iter().for_each(|&x| h.write_u32(x));
            h.finish()
        };
        if self.runs.as_ref().is_none_or(|(l, _)| *l != len) {
            let mut runs: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
            for s in 0..=last {
                runs.entry(hash(&ids[s..s + len]))
                    .or_default()
                    .push(s as u32);
            }
            self.runs = Some((len, runs));
        }
        let (_, runs) = self.runs.as_ref().expect("made above");
        let name = &ids[a..b];
        runs.get(&hash(name)).map_or_else(Vec::new, |starts| {
            // Equal hashes of unequal runs are told apart here.
            starts
                .iter()
                .map(|&s| s as usize)
                .filter(|&s| ids[s..s + len] == *name)
                .collect()
        })
    }
}

/// Tagged words → spans, a trailing possessive left out.
fn spans(text: &str, toks: &[Tok<'_>], tags: &[usize]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for (i, &t) in tags.iter().enumerate() {
        let Some((kind, begin)) = tag_kind(t) else {
            continue;
        };
        let tok = toks[i];
        // A name does not run over a line break, a comma or bracket, or a
        // full stop after a word longer than an abbreviation ("St. Louis"
        // is one name, "Bohemia. Dvořák" two).
        let joins = |last: &Found| {
            let gap = &text[last.end..tok.start];
            let prev_len = text[last.start..last.end]
                .rsplit(' ')
                .next()
                .map_or(0, |w| w.chars().count());
            !gap.contains(['\n', ',', ';', ':', '(', ')', '"', '“', '”'])
                && (!gap.contains('.') || prev_len <= 3)
        };
        match out.last_mut() {
            Some(last) if !begin && last.kind == kind && joins(last) => last.end = tok.end,
            _ => out.push(Found {
                start: tok.start,
                end: tok.end,
                kind,
            }),
        }
    }
    for f in &mut out {
        let s = &text[f.start..f.end];
        f.end = f.start + entities::base(s).len();
    }
    out.retain(|f| f.end > f.start);
    out
}

/// Number of tag-history features per word.
const DYNAMIC: usize = 3;
/// The pseudo-tag before a paragraph's first word.
const START: usize = NT;

/// The tag-independent features of every word of a text.
struct Features {
    /// Per word, its static feature hashes (`offsets[i]..offsets[i+1]`).
    hashes: Vec<u64>,
    offsets: Vec<usize>,
    /// Lower-cased word hashes and shapes, for the history features.
    lower: Vec<u64>,
    shape: Vec<u64>,
    /// Words that open a paragraph: decoding restarts there (no name
    /// crosses a line break).
    starts: Vec<usize>,
}

fn h(template: u64, s: &str) -> u64 {
    xxh3_64_with_seed(s.as_bytes(), template)
}

fn h2(template: u64, a: u64, b: u64) -> u64 {
    let mut buf = [0u8; 16];
    buf[..8].copy_from_slice(&a.to_le_bytes());
    buf[8..].copy_from_slice(&b.to_le_bytes());
    xxh3_64_with_seed(&buf, template)
}

/// A word's shape into `out` (cleared first, no allocation per word):
/// "Kim" → "Xx", "KCNA" → "X", "2025" → "d", "Jong-un" → "Xx-x".
fn shape_into(w: &str, out: &mut String) {
    out.clear();
    let mut last = None;
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if last != Some(k) {
            out.push(k);
            last = Some(k);
        }
        if out.len() >= 6 {
            break;
        }
    }
}

/// What separates two words: a sentence end, a line break, a quote…
fn gap_kind(gap: &str, at_start: bool) -> &'static str {
    if at_start {
        "BOS"
    } else if gap.contains('\n') {
        "NL"
    } else if gap.contains(['.', '!', '?']) {
        "EOS"
    } else if gap.contains(['"', '“', '”', '‘']) {
        "Q"
    } else if gap.contains('(') {
        "LP"
    } else if gap.contains(')') {
        "RP"
    } else if gap.contains(',') {
        "C"
    } else if gap.contains([':', ';']) {
        "COL"
    } else if gap.contains(['-', '–', '—']) {
        "D"
    } else if gap.trim().is_empty() {
        "S"
    } else {
        "P"
    }
}

/// Gazetteer flags of a word, as a short string: P place word, F given
/// name, T title, O organisation word, G group, N not a name, C person cue.
/// Written into `out` (cleared first): this runs for every word of every page.
fn gazetteer(w: &str, out: &mut String, lower: &mut String) {
    // Every listed word once, with its flags: one look-up per word instead
    // of a scan of each list.
    static FLAGS: OnceLock<FxHashMap<&'static str, String>> = OnceLock::new();
    static CUES: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let flags = FLAGS.get_or_init(|| {
        let mut m: FxHashMap<&'static str, String> = FxHashMap::default();
        let mut add = |words: &mut dyn Iterator<Item = &'static str>, flag: char| {
            for w in words {
                let f = m.entry(w).or_default();
                if !f.contains(flag) {
                    f.push(flag);
                }
            }
        };
        add(&mut crate::gazetteer::place_words().iter().copied(), 'P');
        add(&mut crate::gazetteer::given_names().iter().copied(), 'F');
        add(&mut entities::TITLES.iter().copied(), 'T');
        add(&mut entities::ORG_WORDS.iter().copied(), 'O');
        add(&mut entities::GROUPS.iter().copied(), 'G');
        add(&mut entities::NOT_NAMES.iter().copied(), 'N');
        m
    });
    let cues = CUES.get_or_init(|| entities::PERSON_CUES_BEFORE.iter().copied().collect());
    let b = entities::base(w);
    out.clear();
    if let Some(f) = flags.get(b) {
        out.push_str(f);
    }
    let is_cue = if b.is_ascii() {
        // ASCII lower-casing is Unicode's here, into a reused buffer.
        if b.bytes().any(|c| c.is_ascii_uppercase()) {
            lower.clear();
            lower.push_str(b);
            lower.make_ascii_lowercase();
            cues.contains(lower.as_str())
        } else {
            cues.contains(b)
        }
    } else if b.chars().any(char::is_uppercase) {
        cues.contains(b.to_lowercase().as_str())
    } else {
        cues.contains(b)
    };
    if is_cue {
        out.push('C');
    }
}

impl Features {
    fn new(text: &str, toks: &[Tok<'_>], lowered: &entities::Lowered) -> Features {
        let n = toks.len();
        let lower: Vec<u64> = (0..n).map(|i| h(1, lowered.word(i))).collect();
        let mut scratch = String::new();
        let shape_h: Vec<u64> = toks
            .iter()
            .map(|t| {
                shape_into(t.text, &mut scratch);
                h(2, &scratch)
            })
            .collect();
        let gaps: Vec<&str> = (0..=n)
            .map(|i| {
                let a = if i == 0 { 0 } else { toks[i - 1].end };
                let b = if i == n { text.len() } else { toks[i].start };
                gap_kind(&text[a..b], i == 0)
            })
            .collect();
        // Words inside a whole place or organisation name of the gazetteers
        // ("New Zealand", "Supreme Court"), longest match first.
        let mut in_place: Vec<Option<char>> = vec![None; n];
        let leads = crate::gazetteer::name_leads();
        let mut i = 0;
        while i < n {
            // A name starting here begins with this word's leading run
            // (`base` only strips a suffix after it): most words start none.
            if !leads.contains(crate::gazetteer::lead(toks[i].text)) {
                i += 1;
                continue;
            }
            let mut matched = 0;
            let mut kind = 'W';
            for len in (1..=4.min(n - i)).rev() {
                let (a, b) = (toks[i].start, toks[i + len - 1].end);
                let name = entities::base(&text[a..b]);
                if crate::gazetteer::places().contains(name) {
                    matched = len;
                    kind = 'W';
                    break;
                }
                if crate::gazetteer::organizations().contains(name) {
                    matched = len;
                    kind = 'K';
                    break;
                }
            }
            for f in in_place.iter_mut().skip(i).take(matched) {
                *f = Some(kind);
            }
            i += matched.max(1);
        }
        let mut lowered_scratch = String::new();
        let gaz: Vec<u64> = toks
            .iter()
            .zip(&in_place)
            .map(|(t, &p)| {
                gazetteer(t.text, &mut scratch, &mut lowered_scratch);
                scratch.extend(p);
                h(3, &scratch)
            })
            .collect();
        // Words the document also writes in lower case are less likely names
        // when capitalised at a sentence start.
        let seen_lower: FxHashSet<&str> = toks
            .iter()
            .filter(|t| t.text.chars().next().is_some_and(char::is_lowercase))
            .map(|t| t.text)
            .collect();
        // Runs of capitalised words (joined by single spaces or by "of",
        // "for", "and" between two of them): each word sees its run's first
        // and last word and its place in it — "Halvik Port Authority" is an
        // organisation because of its last word.
        let cap = |i: usize| toks[i].text.chars().next().is_some_and(char::is_uppercase);
        let joined = |i: usize| text[toks[i].end..toks[i + 1].start] == *" ";
        let mut run_of: Vec<(usize, usize)> = vec![(0, 0); n];
        let mut i = 0;
        while i < n {
            if !cap(i) {
                run_of[i] = (i, i);
                i += 1;
                continue;
            }
            let mut j = i;
            loop {
                if j + 1 < n && joined(j) && cap(j + 1) {
                    j += 1;
                } else if j + 2 < n
                    && joined(j)
                    && joined(j + 1)
                    && matches!(toks[j + 1].text, "of" | "for" | "and")
                    && cap(j + 2)
                {
                    j += 2;
                } else {
                    break;
                }
            }
            for r in run_of.iter_mut().take(j + 1).skip(i) {
                *r = (i, j);
            }
            i = j + 1;
        }
        const PAD: u64 = 0x5eed;
        let at = |v: &[u64], i: isize| -> u64 {
            if i < 0 || i as usize >= n {
                PAD
            } else {
                v[i as usize]
            }
        };
        let mut hashes = Vec::with_capacity(n * 24);
        let mut offsets = Vec::with_capacity(n + 1);
        for i in 0..n {
            offsets.push(hashes.len());
            let ii = i as isize;
            let w = toks[i].text;
            let lw = lowered.word(i);
            // First three and last three and two characters (not bytes).
            let pre = &lw[..lw.char_indices().nth(3).map_or(lw.len(), |(k, _)| k)];
            let suf3 = &lw[lw.char_indices().rev().nth(2).map_or(0, |(k, _)| k)..];
            let suf2 = &lw[lw.char_indices().rev().nth(1).map_or(0, |(k, _)| k)..];
            let gb = h(4, gaps[i]);
            let ga = h(5, gaps[i + 1]);
            hashes.extend([
                h(0, ""),
                lower[i],
                h(6, w),
                h2(7, at(&lower, ii - 1), 0),
                h2(8, at(&lower, ii + 1), 0),
                h2(9, at(&lower, ii - 2), 0),
                h2(10, at(&lower, ii + 2), 0),
                shape_h[i],
                h2(11, at(&shape_h, ii - 1), shape_h[i]),
                h2(12, shape_h[i], at(&shape_h, ii + 1)),
                h(13, suf3),
                h(14, pre),
                h(15, suf2),
                gb,
                ga,
                h2(16, gb, shape_h[i]),
                gaz[i],
                h2(17, at(&gaz, ii - 1), 0),
                h2(18, at(&gaz, ii + 1), 0),
                h2(19, at(&lower, ii - 1), lower[i]),
                h2(20, lower[i], at(&lower, ii + 1)),
                h2(21, u64::from(seen_lower.contains(lw)), shape_h[i]),
                h2(22, gb, lower[i]),
                h2(23, at(&gaz, ii - 1), shape_h[i]),
            ]);
            let (a, b) = run_of[i];
            if b > a {
                let place = if i == a {
                    0
                } else if i == b {
                    2
                } else {
                    1
                };
                hashes.extend([
                    h2(24, lower[b], place),
                    h2(25, lower[a], place),
                    h2(26, gaz[b], place),
                    h2(27, (b - a).min(4) as u64, place),
                ]);
            }
        }
        offsets.push(hashes.len());
        let starts = (0..n).filter(|&i| i == 0 || gaps[i] == "NL").collect();
        Features {
            hashes,
            offsets,
            lower,
            shape: shape_h,
            starts,
        }
    }

    fn len(&self) -> usize {
        self.lower.len()
    }

    fn stat(&self, i: usize) -> &[u64] {
        &self.hashes[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The history features of word `i` after tag `prev` ([`START`] at a
    /// paragraph's first word): [`Features::transition`], then
    /// [`Features::word_history`].
    fn dynamic(&self, i: usize, prev: usize) -> [u64; DYNAMIC] {
        let [w, s] = self.word_history(i, prev);
        [Features::transition(prev), w, s]
    }

    /// The first history feature: the previous tag alone.
    fn transition(prev: usize) -> u64 {
        h2(30, Features::tag_key(prev), 0)
    }

    /// The other history features: the previous tag with the word, and
    /// with its shape.
    fn word_history(&self, i: usize, prev: usize) -> [u64; DYNAMIC - 1] {
        let p1 = Features::tag_key(prev);
        [h2(32, p1, self.lower[i]), h2(33, p1, self.shape[i])]
    }

    /// How a previous tag enters the history features' hashes.
    fn tag_key(prev: usize) -> u64 {
        if prev == START {
            99
        } else {
            prev as u64
        }
    }

    /// Paragraph ranges of words.
    fn segments(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.starts.iter().enumerate().map(|(k, &a)| {
            let b = self.starts.get(k + 1).copied().unwrap_or(self.len());
            (a, b)
        })
    }
}

/// One training document: text and its named spans (byte ranges).
pub struct Example {
    /// The document text.
    pub text: String,
    /// Gold spans.
    pub spans: Vec<(usize, usize, EntityKind)>,
}

/// Gold spans → one tag per word (a word starting inside a span belongs to it).
fn project(toks: &[Tok<'_>], spans: &[(usize, usize, EntityKind)]) -> Vec<usize> {
    let mut tags = vec![0; toks.len()];
    for &(s, e, kind) in spans {
        let Some(b) = begin_tag(kind) else { continue };
        let mut first = true;
        for (i, t) in toks.iter().enumerate() {
            if t.start >= s && t.start < e {
                tags[i] = if first { b } else { b + 1 };
                first = false;
            }
        }
    }
    tags
}

/// Trains an averaged perceptron for `epochs` passes (documents shuffled
/// by a fixed seed, so training is reproducible).
pub fn train(examples: &[Example], epochs: usize) -> Model {
    struct Param {
        w: [f32; NT],
        total: [f32; NT],
        stamp: [u32; NT],
    }
    let docs: Vec<(Features, Vec<usize>)> = examples
        .iter()
        .map(|ex| {
            let toks = entities::tokens(&ex.text);
            let gold = project(&toks, &ex.spans);
            (
                Features::new(&ex.text, &toks, &entities::Lowered::new(&toks)),
                gold,
            )
        })
        .collect();
    let mut params: FxHashMap<u64, Param> = FxHashMap::default();
    let mut clock: u32 = 0;
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let update = |params: &mut FxHashMap<u64, Param>, f: u64, t: usize, d: f32, clock: u32| {
        let p = params.entry(f).or_insert(Param {
            w: [0.0; NT],
            total: [0.0; NT],
            stamp: [0; NT],
        });
        p.total[t] += (clock - p.stamp[t]) as f32 * p.w[t];
        p.stamp[t] = clock;
        p.w[t] += d;
    };
    for _ in 0..epochs {
        for k in (1..order.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            order.swap(k, (x % (k as u64 + 1)) as usize);
        }
        for &d in &order {
            let (feats, gold) = &docs[d];
            clock += 1;
            let guess = viterbi(feats, |f| params.get(&f).map(|p| p.w), None);
            // Structured perceptron: the gold path's features up, the
            // guessed path's down, where the two differ.
            for (a, b) in feats.segments() {
                for i in a..b {
                    let (g, p) = (gold[i], guess[i]);
                    let gp = if i == a { START } else { gold[i - 1] };
                    let pp = if i == a { START } else { guess[i - 1] };
                    if g != p {
                        for &f in feats.stat(i) {
                            update(&mut params, f, g, 1.0, clock);
                            update(&mut params, f, p, -1.0, clock);
                        }
                    }
                    if (g, gp) != (p, pp) {
                        for f in feats.dynamic(i, gp) {
                            update(&mut params, f, g, 1.0, clock);
                        }
                        for f in feats.dynamic(i, pp) {
                            update(&mut params, f, p, -1.0, clock);
                        }
                    }
                }
            }
        }
    }
    let weights = params
        .into_iter()
        .map(|(f, p)| {
            let w: [f32; NT] = std::array::from_fn(|t| {
                let total = p.total[t] + (clock - p.stamp[t]) as f32 * p.w[t];
                total / clock.max(1) as f32
            });
            (f, w)
        })
        .collect();
    Model::new(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_consistent_alike_by_scan_and_by_index() {
        // Few distinct words, so that names recur, overlap and nest.
        let vocab = [
            "Kim", "Jong", "Un", "met", "the", "Lind", "Ana", "Port", "of",
        ];
        for seed in 1..400u64 {
            let mut r = crate::test_rng(seed);
            let n = 1 + r(60);
            let text: String = (0..n)
                .map(|_| vocab[r(vocab.len())])
                .collect::<Vec<_>>()
                .join(" ");
            let toks = entities::tokens(&text);
            let tags: Vec<usize> = (0..toks.len()).map(|_| r(NT)).collect();
            let (mut scanned, mut indexed) = (tags.clone(), tags.clone());
            consistent_with(&toks, &mut scanned, Some(false));
            consistent_with(&toks, &mut indexed, Some(true));
            assert_eq!(scanned, indexed, "{text:?} tagged {tags:?}");
        }
    }

    fn example(text: &str, names: &[(&str, EntityKind)]) -> Example {
        let spans = names
            .iter()
            .map(|(n, k)| {
                let s = text.find(n).expect("name in text");
                (s, s + n.len(), *k)
            })
            .collect();
        Example {
            text: text.into(),
            spans,
        }
    }

    fn tiny_corpus() -> Vec<Example> {
        use EntityKind::*;
        let people = ["Olav Strand", "Mira Holt", "Tomas Berg", "Ana Lind"];
        let orgs = ["Harbour Authority", "Nordvik Council", "Coast Agency"];
        let places = ["Nordvik", "Bergen", "Tromso"];
        let mut out = Vec::new();
        for (i, p) in people.iter().enumerate() {
            for (j, o) in orgs.iter().enumerate() {
                let l = places[(i + j) % places.len()];
                let text = format!(
                    "The storm hit {l} on Monday. {p} of the {o} said the quay was closed."
                );
                out.push(example(
                    &text,
                    &[(l, Place), (p, Person), (o, Organization)],
                ));
            }
        }
        out
    }

    #[test]
    fn learns_a_tiny_corpus_and_survives_a_round_trip() {
        let model = train(&tiny_corpus(), 8);
        let bytes = model.to_bytes();
        let loaded = Model::from_bytes(&bytes).expect("round trip");
        let text = "The storm hit Bergen on Monday. Mira Holt of the Coast Agency said the quay was closed.";
        let found: Vec<(&str, EntityKind)> = loaded
            .find(text)
            .iter()
            .map(|f| (&text[f.start..f.end], f.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("Bergen", EntityKind::Place),
                ("Mira Holt", EntityKind::Person),
                ("Coast Agency", EntityKind::Organization)
            ]
        );
    }

    #[test]
    fn models_tagging_in_one_thread_keep_their_own_scores() {
        // Each thread keeps a model's history scores per word: a model
        // tagging words another has tagged must not read its scores. One
        // model weighs only a history feature ("bergen" after O begins a
        // place); the other weighs nothing and finds nothing.
        let mut w = [0.0; NT];
        w[begin_tag(EntityKind::Place).unwrap()] = 10.0;
        let key = h2(32, Features::tag_key(0), h(1, "bergen"));
        let weighs = Model::new([(key, w)].into_iter().collect());
        let blank = Model::new(FxHashMap::default());
        let text = "They sailed to Bergen at dawn.";
        for _ in 0..2 {
            let found: Vec<_> = weighs
                .find(text)
                .iter()
                .map(|f| &text[f.start..f.end])
                .collect();
            assert_eq!(found, ["Bergen"]);
            assert_eq!(blank.find(text), []);
        }
    }

    #[test]
    fn bad_model_bytes_are_refused_with_a_reason() {
        assert!(Model::from_bytes(b"nonsense").is_err());
        let mut bytes = train(&tiny_corpus(), 1).to_bytes();
        bytes.truncate(bytes.len() - 3);
        let err = Model::from_bytes(&bytes).err().expect("truncated");
        assert!(err.contains("records"), "{err}");
    }

    #[test]
    fn i_tags_only_continue_their_kind() {
        assert!(allowed(1, 2) && allowed(2, 2) && !allowed(0, 2) && !allowed(3, 2));
        assert!(allowed(0, 1) && allowed(4, 5) && allowed(6, 0));
    }

    #[test]
    fn a_longer_name_found_once_is_read_the_same_everywhere() {
        let text = "the Halvik Port Authority said. The Halvik Port Authority";
        let toks = entities::tokens(text);
        // First reading: place + organisation; second: one organisation.
        let mut tags = vec![0, 5, 3, 4, 0, 0, 3, 4, 4];
        consistent(&toks, &mut tags);
        assert_eq!(tags, [0, 3, 4, 4, 0, 0, 3, 4, 4]);
    }

    #[test]
    fn possessives_stay_outside_spans() {
        let text = "Nordvik's harbour";
        let toks = entities::tokens(text);
        let f = spans(text, &toks, &[5, 0]);
        assert_eq!(&text[f[0].start..f[0].end], "Nordvik");
    }
}
