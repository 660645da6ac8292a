//! Everything that needs many articles: copies and rewrites, events,
//! storylines, entities merged across outlets, and quote groups.
//!
//! [`link`] is a batch stage: it takes annotated articles and returns the
//! whole [`Analysis`]. Results are deterministic for a given set of articles
//! whatever order they come in (they are put in publication order first), so
//! re-linking a store after adding pages gives the same events as linking
//! all the pages at once.
#![deny(missing_docs)]

pub mod cluster;
pub mod dedup;
pub mod neardup;
pub mod rewrite;
pub mod similarity;
pub mod text;
pub mod unionfind;

use unionfind::UnionFind;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use storyline_model::{
    calendar, slice_chars, Analysis, AnnotatedArticle, Entity, EntityKind, Event, InputError,
    Mention, Quote, Relation, RelationKind, Storyline, WordEdit, SCHEMA_VERSION,
};
use storyline_nlp::entities::{alias_fits, name_key};
use xxhash_rust::xxh3::xxh3_64;

/// Members of an event (copies left out) searched pairwise for rewrites.
const REWRITE_SCAN: usize = 100;

/// Links a batch of annotated articles into the full analysis.
pub fn link(docs: Vec<AnnotatedArticle>, errors: Vec<InputError>) -> Analysis {
    link_timed(docs, errors).0
}

/// Seconds spent in each step of [`link`], in order, for benchmarks.
pub type StepTimes = Vec<Step>;

/// One step of [`link_timed`] (or of the ingest around it).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Step {
    /// What the step does.
    pub name: &'static str,
    /// Wall-clock seconds it took.
    pub seconds: f64,
    /// CPU seconds the process spent in it, all threads (Linux only):
    /// over `seconds`, how many cores the step kept busy.
    pub cpu_seconds: Option<f64>,
    /// Resident memory of the process when it ended, in MiB (Linux only):
    /// where the peak builds up.
    pub rss_mib: Option<f64>,
    /// The process's peak resident memory so far, in MiB (Linux only): the
    /// step where it rises holds the peak.
    pub peak_rss_mib: Option<f64>,
}

/// The steps [`link_source`] times, in the order they end when its two
/// halves run one after the other (side by side, the events half's
/// `copies` … `describe_events` and the entities half's `entities`,
/// `quotes` end interleaved). A progress display counts them.
pub const STEPS: [&str; 10] = [
    "read",
    "copies",
    "vectors",
    "events",
    "rewrites",
    "describe_events",
    "entities",
    "quotes",
    "entity_events",
    "storylines",
];

/// Told of each step of [`link_source`] as it ends, from whichever thread
/// ran it.
pub type OnStep<'a> = &'a (dyn Fn(&Step) + Sync);

/// Times consecutive [`Step`]s: each ends where the next starts.
pub struct StepClock {
    wall: std::time::Instant,
    cpu: Option<f64>,
}

impl StepClock {
    /// A clock whose first step starts now.
    pub fn start() -> StepClock {
        StepClock {
            wall: std::time::Instant::now(),
            cpu: cpu_seconds(),
        }
    }

    /// The step `name`, ended now; the next one starts now.
    pub fn step(&mut self, name: &'static str) -> Step {
        let cpu = cpu_seconds();
        let step = Step {
            name,
            seconds: self.wall.elapsed().as_secs_f64(),
            cpu_seconds: cpu.zip(self.cpu).map(|(now, then)| now - then),
            rss_mib: rss_mib(),
            peak_rss_mib: peak_rss_mib(),
        };
        *self = StepClock {
            wall: std::time::Instant::now(),
            cpu,
        };
        step
    }
}

/// This process's resident memory in MiB, read from `/proc/self/statm`.
pub fn rss_mib() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Every Linux this runs on uses 4 KiB pages.
    Some(pages * 4096.0 / (1024.0 * 1024.0))
}

/// This process's peak resident memory so far in MiB (`VmHWM` in
/// `/proc/self/status`).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// CPU seconds this process has used (user and system, all threads), read
/// from `/proc/self/stat`.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces), from field 3:
    // utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    // Clock ticks: 100 a second on every Linux this runs on (USER_HZ).
    Some((user + system) / 100.0)
}

/// Where [`link_source`] reads articles from. Linking goes over the
/// articles several times, each time for a few things (copy features, then
/// word vectors, then entities, then quotes), so that a store of a million
/// articles (~4 GB once parsed) is never in memory all at once.
///
/// Articles are numbered `0..len()` in linking order: by publication date
/// (undated last), then by id, the order pages would arrive in.
pub trait DocSource {
    /// What reading an article can fail with.
    type Error: Send;
    /// A second handle on the same articles ([`DocSource::fork`]).
    type Fork: DocSource<Error = Self::Error> + Send;
    /// A handle on the same articles, in the same order, that another
    /// thread can read through while this one is read; `None` when there is
    /// none (linking then runs its two halves one after the other).
    fn fork(&self) -> Result<Option<Self::Fork>, Self::Error>;
    /// How many articles there are.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Calls `f` with the articles at positions `at` (ascending), in
    /// order, a batch at a time: `f(k, batch)` gets `at[k..k + batch.len()]`.
    fn visit(
        &mut self,
        at: &[usize],
        f: &mut dyn FnMut(usize, &[&AnnotatedArticle]),
    ) -> Result<(), Self::Error>;
}

/// Articles held in memory, as a [`DocSource`].
pub struct InMemory {
    // Shared with its forks.
    docs: std::sync::Arc<Vec<AnnotatedArticle>>,
}

impl InMemory {
    /// Puts `docs` in linking order.
    pub fn new(mut docs: Vec<AnnotatedArticle>) -> Self {
        docs.sort_by(|a, b| linking_order(&a.article, &b.article));
        InMemory {
            docs: std::sync::Arc::new(docs),
        }
    }

    /// The articles, in linking order.
    pub fn into_docs(self) -> Vec<AnnotatedArticle> {
        // Forks live only while linking runs.
        std::sync::Arc::try_unwrap(self.docs).unwrap_or_else(|shared| (*shared).clone())
    }
}

/// Linking order: publication date (undated last), then id.
fn linking_order(a: &storyline_model::Article, b: &storyline_model::Article) -> std::cmp::Ordering {
    let da = a.published.as_deref().unwrap_or("9999");
    let db = b.published.as_deref().unwrap_or("9999");
    da.cmp(db).then(a.id.cmp(&b.id))
}

impl DocSource for InMemory {
    type Error = std::convert::Infallible;
    type Fork = InMemory;

    fn fork(&self) -> Result<Option<InMemory>, Self::Error> {
        Ok(Some(InMemory {
            docs: self.docs.clone(),
        }))
    }

    fn len(&self) -> usize {
        self.docs.len()
    }

    fn visit(
        &mut self,
        at: &[usize],
        f: &mut dyn FnMut(usize, &[&AnnotatedArticle]),
    ) -> Result<(), Self::Error> {
        for (k, chunk) in at.chunks(VISIT_BATCH).enumerate() {
            let batch: Vec<&AnnotatedArticle> = chunk.iter().map(|&i| &self.docs[i]).collect();
            f(k * VISIT_BATCH, &batch);
        }
        Ok(())
    }
}

/// Articles per batch of [`InMemory::visit`].
const VISIT_BATCH: usize = 4096;

/// Maps every article at `at` on all cores, a batch at a time, and
/// returns the results in order.
fn map_all<S: DocSource, T: Send>(
    src: &mut S,
    at: &[usize],
    f: impl Fn(&AnnotatedArticle) -> T + Sync,
) -> Result<Vec<T>, S::Error> {
    let mut out = Vec::with_capacity(at.len());
    src.visit(at, &mut |_, batch| {
        out.par_extend(batch.par_iter().map(|d| f(d)));
    })?;
    Ok(out)
}

/// [`link`], also telling how long each step took.
pub fn link_timed(docs: Vec<AnnotatedArticle>, errors: Vec<InputError>) -> (Analysis, StepTimes) {
    let mut src = InMemory::new(docs);
    let mut analysis = empty_analysis();
    let steps = match link_source(&mut src, &mut analysis, &|_| {}) {
        Ok(steps) => steps,
        Err(never) => match never {},
    };
    let docs = src.into_docs();
    analysis.times = docs.iter().flat_map(|d| d.times.iter().cloned()).collect();
    analysis.articles = docs.into_iter().map(|d| d.article).collect();
    analysis.errors = errors;
    (analysis, steps)
}

/// An analysis with nothing in it yet: a [`Sink`] to link into.
fn empty_analysis() -> Analysis {
    Analysis {
        schema_version: SCHEMA_VERSION,
        articles: Vec::new(),
        relations: Vec::new(),
        events: Vec::new(),
        storylines: Vec::new(),
        entities: Vec::new(),
        quotes: Vec::new(),
        times: Vec::new(),
        errors: Vec::new(),
    }
}

/// What linking keeps of each article between its passes over them
/// (~250 bytes, where the parsed article is ~4 KB).
struct Meta {
    id: String,
    published: Option<String>,
    outlet: Option<String>,
    original_source: Option<String>,
    title: Option<String>,
    /// Body length in bytes: of two copies, the longer is the original.
    body_len: usize,
    first_sentence: String,
    /// The full dates the lede (first two sentences) gives, not after
    /// publication: its votes for when the event happened.
    lede_dates: Vec<storyline_model::TimeMention>,
}

impl Meta {
    fn new(d: &AnnotatedArticle) -> Meta {
        let a = &d.article;
        let lede_end = lede_end(d, 2);
        let lede_dates = d
            .times
            .iter()
            .filter(|t| {
                let full = t.value.len() == 10
                    && t.value.as_bytes()[4] == b'-'
                    && !t.value.starts_with('X');
                let not_after = a.published.as_deref().is_none_or(|p| t.value.as_str() <= p);
                full && t.start < lede_end && not_after
            })
            .cloned()
            .collect();
        Meta {
            id: a.id.clone(),
            published: a.published.clone(),
            outlet: a.outlet.clone(),
            original_source: a.original_source.clone(),
            title: a.title.clone(),
            body_len: a.body.len(),
            first_sentence: first_sentence(d),
            lede_dates,
        }
    }
}

/// Links the articles of `src` into the derived analysis — relations,
/// events, entities, quotes and storylines — and gives each part to
/// `sink` as soon as it is final (articles and times are the caller's).
/// Reads `src` a few times over, holding only what each step needs; see
/// [`DocSource`]. The steps' times include giving their rows to `sink`;
/// `on_step` hears of each ([`STEPS`]) as it ends.
pub fn link_source<S: DocSource, K: Sink<Error = S::Error>>(
    src: &mut S,
    sink: &mut K,
    on_step: OnStep<'_>,
) -> Result<StepTimes, S::Error> {
    let mut clock = StepClock::start();
    let n = src.len();
    let all: Vec<usize> = (0..n).collect();
    // First pass: what later steps keep of each page, its copy keys, and
    // its sentences' words counted for their weights (the features
    // themselves are let go a batch at a time).
    let mut metas = Vec::with_capacity(n);
    let mut keys = Vec::with_capacity(n);
    let mut cdocs = Vec::with_capacity(n);
    // Sentence words weigh by how rare they are in this batch.
    let mut idf = similarity::Idf::default();
    // Word counts, weighed into vectors once every page's are counted.
    let mut vectors = text::VectorCounter::default();
    // Entity names and the aliases that join them, for merging below.
    let mut names = EntityNames::default();
    src.visit(&all, &mut |_, batch| {
        // Each core counts the words of its share of the batch; the counts
        // are then added in (counting every word on one thread was most of
        // this pass at a million pages).
        let counted = batch
            .par_iter()
            .with_min_len(64)
            .fold(similarity::Idf::default, |mut idf, d| {
                let (sentences, _) = dedup::sentence_words(&d.article.body, &d.sentences);
                for words in &sentences {
                    idf.count_distinct(words.iter().copied());
                }
                idf
            })
            .reduce(similarity::Idf::default, |mut a, b| {
                a.absorb(b);
                a
            });
        idf.absorb(counted);
        let known = &vectors;
        let read: Vec<_> = batch
            .par_iter()
            .map(|d| {
                let copy_keys = dedup::CopyKeys::new(&d.article.body);
                let counts = known.number(&term_counts(d));
                (
                    Meta::new(d),
                    copy_keys,
                    cluster_doc(d),
                    counts,
                    EntityNames::keys(d),
                )
            })
            .collect();
        for (meta, copy_keys, cdoc, counts, page_names) in read {
            metas.push(meta);
            keys.push(copy_keys);
            cdocs.push(cdoc);
            vectors.add(counts);
            names.add(page_names);
        }
    })?;
    let read = clock.step("read");
    on_step(&read);
    let mut steps: StepTimes = vec![read];

    // The two halves of linking need only what the first pass kept: the
    // events half (copies, events, rewrites, their descriptions) and the
    // entities half (entities, then quotes, whose speakers they are). When
    // the source can be read from two threads and both halves fit in
    // memory at once, they run at the same time: each has long stretches
    // on one core (agglomeration, grouping, SQLite writes) that the other
    // fills. The events half records its rows, written when it ends, so
    // that only this thread writes to the sink.
    let fork = if n <= OVERLAP_MAX { src.fork()? } else { None };
    let (
        (event_members, events, story_groups, events_steps),
        (entities, entity_of, entities_steps),
    ) = match fork {
        Some(mut fork) => {
            let (events_half, entities_half) = std::thread::scope(|scope| {
                let (metas, all) = (&metas, all.as_slice());
                let events_thread = scope.spawn(move || {
                    let mut recorded = Recorded::default();
                    let half = events_half(
                        &mut fork,
                        &mut recorded,
                        metas,
                        keys,
                        cdocs,
                        vectors,
                        idf.into_weights(),
                        all,
                        on_step,
                    );
                    half.map(|half| (half, recorded))
                });
                let entities_half = entities_half(src, sink, metas, names, all, on_step);
                let events_half = events_thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (events_half, entities_half)
            });
            let (events_half, recorded) = events_half?;
            let entities_half = entities_half?;
            sink.relations(recorded.relations)?;
            sink.events(&recorded.events)?;
            (events_half, entities_half)
        }
        None => {
            let events_half = events_half(
                src,
                sink,
                &metas,
                keys,
                cdocs,
                vectors,
                idf.into_weights(),
                &all,
                on_step,
            )?;
            let entities_half = entities_half(src, sink, &metas, names, &all, on_step)?;
            (events_half, entities_half)
        }
    };
    steps.extend(events_steps);
    steps.extend(entities_steps);
    clock = StepClock::start();
    write_entity_events(sink, &event_members, &events, &entities, &entity_of)?;
    steps.push(clock.step("entity_events"));
    on_step(&steps[steps.len() - 1]);
    let storylines: Vec<Storyline> = story_groups
        .into_iter()
        .map(|group| describe_storyline(&events, &event_members, &group, &entities, &entity_of))
        .collect();
    sink.storylines(&storylines)?;
    steps.push(clock.step("storylines"));
    on_step(&steps[steps.len() - 1]);
    Ok(steps)
}

/// Hands `sink` each (entity, event) pair where one of the event's
/// articles names the entity, from each member's merged entities: the
/// store looks up an entity's events by it (its page, its timeline), where
/// reading every article that names it grew with the store.
fn write_entity_events<K: Sink>(
    sink: &mut K,
    event_members: &[Vec<usize>],
    events: &[Event],
    entities: &[Entity],
    entity_of: &[Vec<usize>],
) -> Result<(), K::Error> {
    // Ranks by entity id and by timeline order: the pairs sorted by them
    // are the store's key order, so its B-tree is written front to back.
    fn ranked(
        n: usize,
        order: impl Fn(&usize, &usize) -> std::cmp::Ordering + Sync,
    ) -> (Vec<usize>, Vec<u32>) {
        let mut by: Vec<usize> = (0..n).collect();
        by.par_sort_unstable_by(order);
        let mut rank = vec![0u32; n];
        for (r, &i) in by.iter().enumerate() {
            rank[i] = r as u32;
        }
        (by, rank)
    }
    let (by_entity_rank, entity_rank) =
        ranked(entities.len(), |&a, &b| entities[a].id.cmp(&entities[b].id));
    let (by_event_rank, event_rank) = ranked(events.len(), |&a, &b| {
        storyline_model::chronological(&events[a], &events[b])
    });
    let mut pairs: Vec<u64> = event_members
        .par_iter()
        .enumerate()
        .flat_map_iter(|(e, members)| {
            let mut named: Vec<u32> = members
                .iter()
                .flat_map(|&m| entity_of[m].iter().map(|&x| entity_rank[x]))
                .collect();
            named.sort_unstable();
            named.dedup();
            let at = u64::from(event_rank[e]);
            named.into_iter().map(move |x| u64::from(x) << 32 | at)
        })
        .collect();
    pairs.par_sort_unstable();
    for chunk in pairs.chunks(4096) {
        let rows: Vec<(&str, &Event)> = chunk
            .iter()
            .map(|&p| {
                let (x, e) = ((p >> 32) as usize, (p & 0xffff_ffff) as usize);
                (
                    entities[by_entity_rank[x]].id.as_str(),
                    &events[by_event_rank[e]],
                )
            })
            .collect();
        sink.entity_events(&rows)?;
    }
    Ok(())
}

/// Largest number of articles whose two halves of linking run at once
/// ([`link_source`]). Above it they run in turn: at a million pages each
/// half alone takes the process to ~3.6 GiB, and together they would pass
/// the 4 GiB that a million pages must fit in.
const OVERLAP_MAX: usize = 300_000;

/// Estimated bytes of pages' features ([`dedup::DocFeatures`]) held at
/// once while pairs are scored for copies and rewrites. An HTML article's
/// are ~70 KB; held for every paired page they grew with the corpus.
#[cfg(not(test))]
const FEATURE_BYTES: usize = 256 << 20;
/// The tests' pages are a few hundred bytes: a few to a run, so that every
/// test scores pairs across runs.
#[cfg(test)]
const FEATURE_BYTES: usize = 4 << 10;

/// A page's features' size, estimated from its body before they are built:
/// a shingle and a sentence term (8 bytes each) and a word's weight (4) per
/// word, and a word per 4 bytes at most (CJK words are a character, 3
/// bytes).
fn feature_estimate(meta: &Meta) -> usize {
    5 * meta.body_len + 256
}

/// Cuts `items` (in their order) into runs whose pages' features are
/// estimated to fit in `budget` bytes together. A run has at least one
/// item, so one item over the budget is a run of its own.
fn feature_runs<T, P: IntoIterator<Item = usize>>(
    metas: &[Meta],
    items: Vec<T>,
    budget: usize,
    pages: impl Fn(&T) -> P,
) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    let mut seen = FxHashSet::default();
    let mut bytes = 0;
    for item in items {
        let mut at: Vec<usize> = pages(&item).into_iter().collect();
        at.sort_unstable();
        at.dedup();
        let cost = |seen: &FxHashSet<usize>| -> usize {
            at.iter()
                .filter(|p| !seen.contains(p))
                .map(|&p| feature_estimate(&metas[p]))
                .sum()
        };
        let mut more = cost(&seen);
        if !run.is_empty() && bytes + more > budget {
            // The item starts the next run, where all its pages are new.
            runs.push(std::mem::take(&mut run));
            seen.clear();
            bytes = 0;
            more = cost(&seen);
        }
        bytes += more;
        seen.extend(at);
        run.push(item);
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Candidate copy pairs ordered by the component of the pair graph they are
/// in (by its first page), then by their later page: the pairs of one story
/// and its copies come together, so a run of them reads each page once.
/// Within a component too large for one run (pages of one topic can join
/// into one), a run holds a stretch of later pages and the earlier pages
/// they were paired with, which look-ups draw from the earliest of each
/// key. Ordered by the earlier page, each run paired a few early pages
/// with later ones from everywhere, and read nearly all of them again:
/// 40,000 pages naming the same people, 57 runs read 514,532 pages' features
/// (copies 99 s); now 6 runs read 56,279 (50 s).
fn copy_order(mut pairs: Vec<(usize, usize)>, n: usize) -> Vec<(usize, usize)> {
    let mut sets = UnionFind::new(n);
    for &(i, j) in &pairs {
        sets.union(i, j);
    }
    pairs.sort_by_cached_key(|&(i, j)| (sets.find(i), j, i));
    pairs
}

/// The features of the pages a run of pairs needs, with each one's
/// fingerprint; those the next run needs too are kept, not read again.
#[derive(Default)]
struct Features(FxHashMap<usize, (dedup::DocFeatures, u128)>);

impl Features {
    /// Holds the features of `pages` (and of no others), reading those not
    /// held, their sentences weighed by `weights`.
    fn keep<S: DocSource>(
        &mut self,
        src: &mut S,
        pages: impl Iterator<Item = usize>,
        weights: &similarity::Weights,
    ) -> Result<(), S::Error> {
        let mut need: Vec<usize> = pages.collect();
        need.sort_unstable();
        need.dedup();
        self.0.retain(|p, _| need.binary_search(p).is_ok());
        need.retain(|p| !self.0.contains_key(p));
        let read = map_all(src, &need, |d| {
            let f = dedup::DocFeatures::new(&d.article.body, &d.sentences, weights);
            let print = f.fingerprint();
            (f, print)
        })?;
        self.0.extend(need.into_iter().zip(read));
        Ok(())
    }

    fn get(&self, page: usize) -> &dedup::DocFeatures {
        &self.0[&page].0
    }

    fn print(&self, page: usize) -> u128 {
        self.0[&page].1
    }
}

/// What the events half leaves for storylines: each event's members (in
/// linking order), the events (without the parts only the store needs),
/// the storylines' groups of events, and the half's steps.
type EventsHalf = (Vec<Vec<usize>>, Vec<Event>, Vec<Vec<usize>>, StepTimes);

/// The events half of [`link_source`]: copies and rewrites (relations),
/// events, and the storylines' groups of events.
#[allow(clippy::too_many_arguments)]
fn events_half<S: DocSource, K: Sink<Error = S::Error>>(
    src: &mut S,
    sink: &mut K,
    metas: &[Meta],
    keys: Vec<dedup::CopyKeys>,
    mut cdocs: Vec<cluster::ClusterDoc>,
    vectors: text::VectorCounter,
    weights: similarity::Weights,
    all: &[usize],
    on_step: OnStep<'_>,
) -> Result<EventsHalf, S::Error> {
    let mut steps: StepTimes = Vec::new();
    let mut clock = StepClock::start();
    let mut step = |name: &'static str| {
        let step = clock.step(name);
        on_step(&step);
        steps.push(step);
    };
    // Copies first: they also bind articles into one event. Candidates
    // come from one pass over the keys in arrival order. Only the pages of
    // candidate pairs are read again for their features, a run of pairs at
    // a time (`feature_runs`); each pair is scored, and its evidence taken,
    // on all cores.
    let pairs = dedup::candidates(&keys);
    drop(keys);
    let mut relations: BTreeMap<(usize, usize), Relation> = BTreeMap::new();
    let mut held = Features::default();
    for run in feature_runs(
        metas,
        copy_order(pairs, metas.len()),
        FEATURE_BYTES,
        |&(i, j)| [i, j],
    ) {
        held.keep(src, run.iter().flat_map(|&(i, j)| [i, j]), &weights)?;
        // Pages with the same words score alike: each distinct pair of
        // texts is scored once. Exact copies are common (mirrors, print
        // and AMP pages, reposts), and n copies of each of two pages make
        // n² pairs. They are one component of the pairs, so one run.
        let mut distinct: FxHashMap<(u128, u128), (usize, usize)> = FxHashMap::default();
        for &(i, j) in &run {
            distinct
                .entry((held.print(i), held.print(j)))
                .or_insert((i, j));
        }
        let links: FxHashMap<(u128, u128), dedup::Link> = distinct
            .into_par_iter()
            .filter_map(|(key, (i, j))| Some((key, dedup::classify(held.get(i), held.get(j))?)))
            .collect();
        let found: Vec<((usize, usize), Relation)> = run
            .into_par_iter()
            .filter_map(|(i, j)| {
                let link = links.get(&(held.print(i), held.print(j)))?;
                Some((
                    (i, j),
                    relation(metas, held.get(i), held.get(j), (i, j), link),
                ))
            })
            .collect();
        relations.extend(found);
    }
    drop(held);
    for (&(i, j), r) in &relations {
        if r.kind != RelationKind::Rewrite && cdocs[j].copy_of.is_none() {
            cdocs[j].copy_of = Some(i);
        }
    }
    step("copies");

    for (c, v) in cdocs.iter_mut().zip(vectors.finish()) {
        c.vector = v;
    }
    step("vectors");
    let event_members = cluster::events(&cdocs, all);
    step("events");

    // Rewrites share few shingles; look for them inside each event, among
    // its first members (in publication order) only: pairs grow with the
    // square of an event's size, and a rewrite follows its source closely.
    // Copies are left out: a copy of a page says what the page says, so
    // the page's rewrites are its copies' too, and with n copies of each
    // of two pages the pairs would grow n².
    let scans: Vec<Vec<usize>> = event_members
        .iter()
        .map(|members| {
            members
                .iter()
                .copied()
                .filter(|&i| cdocs[i].copy_of.is_none())
                .take(REWRITE_SCAN)
                .collect::<Vec<usize>>()
        })
        .filter(|m| m.len() > 1)
        .collect();
    // An article is in one event, so each run's pages are read once.
    let mut held = Features::default();
    for run in feature_runs(metas, scans, FEATURE_BYTES, |m| m.clone()) {
        held.keep(src, run.iter().flatten().copied(), &weights)?;
        let found: Vec<((usize, usize), Relation)> = run
            .par_iter()
            .flat_map_iter(|members| {
                let mut found = Vec::new();
                for (x, &i) in members.iter().enumerate() {
                    for &j in &members[x + 1..] {
                        let key = (i.min(j), i.max(j));
                        if relations.contains_key(&key) {
                            continue;
                        }
                        let (a, b) = (held.get(key.0), held.get(key.1));
                        if let Some(link) = dedup::classify(a, b) {
                            found.push((key, relation(metas, a, b, key, &link)));
                        }
                    }
                }
                found
            })
            .collect();
        relations.extend(found);
    }
    drop(held);
    let relations: Vec<Relation> = relations.into_values().collect();
    drop(weights);
    sink.relations(relations)?;
    step("rewrites");

    let mut events: Vec<Event> = event_members
        .par_iter()
        .map(|m| describe_event(metas, &cdocs, m))
        .collect();
    // Storylines are grouped while the vectors are here (they are named
    // after the entities, below), on the pool while this thread writes the
    // events: grouping is partly one thread's work, and so is writing.
    let mut story_groups = Vec::new();
    let written = rayon::in_place_scope(|scope| {
        let (groups, members, cdocs) = (&mut story_groups, &event_members, &cdocs);
        scope.spawn(move |_| *groups = cluster::storylines(members, cdocs));
        sink.events(&events)
    });
    written?;
    drop(cdocs);
    // Storylines need only the events' ids, titles and dates from here on.
    for e in &mut events {
        e.date_evidence = Vec::new();
        e.articles = Vec::new();
        e.outlets = Vec::new();
        e.summary = String::new();
    }
    step("describe_events");
    Ok((event_members, events, story_groups, steps))
}

/// What the entities half leaves for storylines: the merged entities
/// (without mentions and aliases), each article's local entities as
/// merged ones, and the half's steps.
type EntitiesHalf = (Vec<Entity>, Vec<Vec<usize>>, StepTimes);

/// The entities half of [`link_source`]: entities merged across articles,
/// then quotes grouped across articles.
fn entities_half<S: DocSource, K: Sink<Error = S::Error>>(
    src: &mut S,
    sink: &mut K,
    metas: &[Meta],
    names: EntityNames,
    all: &[usize],
    on_step: OnStep<'_>,
) -> Result<EntitiesHalf, S::Error> {
    let mut steps: StepTimes = Vec::new();
    let mut clock = StepClock::start();
    let mut step = |name: &'static str| {
        let step = clock.step(name);
        on_step(&step);
        steps.push(step);
    };
    // The quotes are read on the entities' second pass: their speakers
    // are merged entities.
    let mut raw_quotes = RawQuotes::default();
    let (mut entities, entity_of) =
        merge_entities(src, all, names, |di, d, local| raw_quotes.add(di, d, local))?;
    sink.entities(&entities)?;
    // Quotes and storylines need only the entities' ids, names and kinds.
    for e in &mut entities {
        e.mentions = Vec::new();
        e.aliases = Vec::new();
    }
    step("entities");
    group_quotes(raw_quotes, metas, &entities, sink)?;
    step("quotes");
    Ok((entities, entity_of, steps))
}

/// A sink that keeps the relations and events it is given, for the events
/// half running on another thread than the one that writes.
struct Recorded<E> {
    relations: Vec<Relation>,
    events: Vec<Event>,
    error: std::marker::PhantomData<fn() -> E>,
}

impl<E> Default for Recorded<E> {
    fn default() -> Self {
        Recorded {
            relations: Vec::new(),
            events: Vec::new(),
            error: std::marker::PhantomData,
        }
    }
}

impl<E> Sink for Recorded<E> {
    type Error = E;

    fn relations(&mut self, rows: Vec<Relation>) -> Result<(), E> {
        self.relations.extend(rows);
        Ok(())
    }

    fn events(&mut self, rows: &[Event]) -> Result<(), E> {
        self.events.extend_from_slice(rows);
        Ok(())
    }

    fn entities(&mut self, _: &[Entity]) -> Result<(), E> {
        unreachable!("the events half writes no entities")
    }

    fn entity_events(&mut self, _: &[(&str, &Event)]) -> Result<(), E> {
        unreachable!("the events half writes no entities")
    }

    fn quotes(&mut self, _: &[Quote]) -> Result<(), E> {
        unreachable!("the events half writes no quotes")
    }

    fn storylines(&mut self, _: &[Storyline]) -> Result<(), E> {
        unreachable!("the events half writes no storylines")
    }
}

/// Where [`link_source`] puts what it derives, each part as soon as it is
/// final (relations, events, entities, quotes, storylines, in that order),
/// so that a store can write it and linking can let it go.
pub trait Sink {
    /// What taking rows can fail with.
    type Error;
    /// The copy and rewrite relations.
    fn relations(&mut self, rows: Vec<Relation>) -> Result<(), Self::Error>;
    /// The events.
    fn events(&mut self, rows: &[Event]) -> Result<(), Self::Error>;
    /// The merged entities.
    fn entities(&mut self, rows: &[Entity]) -> Result<(), Self::Error>;
    /// Which events name which entities, as `(entity id, event)`: each
    /// pair once, sorted by entity id, then in timeline order
    /// ([`storyline_model::chronological`]), a chunk at a time. The events
    /// carry their ids and dates only.
    fn entity_events(&mut self, rows: &[(&str, &Event)]) -> Result<(), Self::Error>;
    /// The quotes, grouped: called a chunk at a time, in the order the
    /// articles and their quotes come in.
    fn quotes(&mut self, rows: &[Quote]) -> Result<(), Self::Error>;
    /// The storylines.
    fn storylines(&mut self, rows: &[Storyline]) -> Result<(), Self::Error>;
}

/// An analysis collects what it is given.
impl Sink for Analysis {
    type Error = std::convert::Infallible;

    fn relations(&mut self, rows: Vec<Relation>) -> Result<(), Self::Error> {
        self.relations.extend(rows);
        Ok(())
    }

    fn events(&mut self, rows: &[Event]) -> Result<(), Self::Error> {
        self.events.extend_from_slice(rows);
        Ok(())
    }

    fn entities(&mut self, rows: &[Entity]) -> Result<(), Self::Error> {
        self.entities.extend_from_slice(rows);
        Ok(())
    }

    /// Kept nowhere: the entities' mentions and the events' articles say
    /// the same.
    fn entity_events(&mut self, _: &[(&str, &Event)]) -> Result<(), Self::Error> {
        Ok(())
    }

    fn quotes(&mut self, rows: &[Quote]) -> Result<(), Self::Error> {
        self.quotes.extend_from_slice(rows);
        Ok(())
    }

    fn storylines(&mut self, rows: &[Storyline]) -> Result<(), Self::Error> {
        self.storylines.extend_from_slice(rows);
        Ok(())
    }
}

/// A page's word counts for its vector (title and body).
fn term_counts(d: &AnnotatedArticle) -> text::Vector {
    let title = d.article.title.as_deref().unwrap_or("");
    // The headline counts twice: it names the happening.
    let mut terms = Vec::new();
    text::for_each_content_word(title, |w| terms.push(text::term(w)));
    terms.extend_from_within(..);
    text::for_each_content_word(&d.article.body, |w| terms.push(text::term(w)));
    text::term_counts(terms)
}

/// What clustering needs of a page besides its vector (made later).
fn cluster_doc(d: &AnnotatedArticle) -> cluster::ClusterDoc {
    cluster::ClusterDoc {
        vector: Vec::new(),
        entities: cluster::entity_keys(
            d.entities
                .iter()
                .filter(|e| e.kind != EntityKind::Other)
                .map(|e| name_key(&e.name)),
        ),
        day: d
            .article
            .published
            .as_deref()
            .and_then(calendar::parse_date)
            .map(|x| x.days_since_epoch()),
        copy_of: None,
        anchors: lede_anchors(d),
    }
}

/// The relation between pages `i` < `j` (features `fi`, `fj`) found by
/// `link`, original first, with its evidence.
fn relation(
    metas: &[Meta],
    fi: &dedup::DocFeatures,
    fj: &dedup::DocFeatures,
    (i, j): (usize, usize),
    link: &dedup::Link,
) -> Relation {
    let mut evidence = link.evidence(fi, fj);
    let (a, b) = if original_first(&metas[i], &metas[j]) {
        (i, j)
    } else {
        for e in &mut evidence {
            std::mem::swap(&mut e.a, &mut e.b);
        }
        (j, i)
    };
    Relation {
        a: metas[a].id.clone(),
        b: metas[b].id.clone(),
        kind: link.kind,
        score: (link.score * 1000.0).round() / 1000.0,
        evidence,
    }
}

/// Whether `a` is the likelier original of the pair: the page of the outlet
/// the other credits ("(Reuters) -") wins whatever the dates; then the
/// earlier page; then the page that credits a source (an uncredited rewrite
/// is the derivative one); then the page that carries more (a trimmed copy
/// holds a subset of the original's details).
fn original_first(x: &Meta, y: &Meta) -> bool {
    let credits = |a: &Meta, b: &Meta| {
        a.outlet.is_some()
            && a.outlet.as_deref().map(str::to_lowercase)
                == b.original_source.as_deref().map(str::to_lowercase)
    };
    if credits(x, y) != credits(y, x) {
        return credits(x, y);
    }
    if let (Some(p), Some(q)) = (&x.published, &y.published) {
        if p != q {
            return p < q;
        }
    }
    match (&x.original_source, &y.original_source) {
        (Some(_), None) => return true,
        (None, Some(_)) => return false,
        _ => {}
    }
    if x.body_len != y.body_len {
        return x.body_len > y.body_len;
    }
    x.id < y.id
}
fn short_id(prefix: &str, key: &str) -> String {
    format!("{prefix}{:012x}", xxh3_64(key.as_bytes()) >> 16)
}

/// Merges per-article entities by folded name and by multi-word or acronym
/// aliases. Returns the entities and, per article, local index → entity index.
///
/// `names` are the articles' names and aliases (read on linking's first
/// pass); this is the second pass over the articles at `all` (every
/// position, in order), for the mentions, which also calls
/// `also(position, article, entity of each local entity)` for whatever
/// else needs the merged entities.
#[allow(clippy::type_complexity)]
fn merge_entities<S: DocSource>(
    src: &mut S,
    all: &[usize],
    names: EntityNames,
    mut also: impl FnMut(usize, &AnnotatedArticle, &[usize]),
) -> Result<(Vec<Entity>, Vec<Vec<usize>>), S::Error> {
    let EntityNames {
        keys,
        key_index,
        links,
    } = names;
    let mut sets = UnionFind::new(keys.len());
    for (a, b) in links {
        sets.union(a, b);
    }
    let mut group_name: Vec<usize> = (0..keys.len()).collect();
    for group in sets.groups() {
        let smallest = *group
            .iter()
            .min_by_key(|&&k| &keys[k])
            .expect("groups are not empty");
        for k in group {
            group_name[k] = smallest;
        }
    }
    // Each group's entity (by the group's key), once made.
    const NONE: u32 = u32::MAX;
    let mut entity_at: Vec<u32> = vec![NONE; keys.len()];
    let mut entities: Vec<Entity> = Vec::new();
    let mut name_votes: Vec<HashMap<String, usize>> = Vec::new();
    let mut kind_votes: Vec<HashMap<EntityKind, usize>> = Vec::new();
    // Where a form sits in its entity's aliases, by (entity, hash of the
    // form): testing each form against every alias of a much-named entity
    // was most of this pass.
    let mut alias_at: FxHashMap<(u32, u64), u32> = FxHashMap::default();
    let mut entity_of = Vec::with_capacity(all.len());
    src.visit(all, &mut |k, batch| {
        // Each name's group and its forms' hashes, on all cores.
        let resolved: Vec<Vec<(usize, Vec<u64>)>> = batch
            .par_iter()
            .map(|d| {
                d.entities
                    .iter()
                    .map(|e| {
                        let group = group_name[key_index[&name_key(&e.name)]];
                        let forms = std::iter::once(&e.name)
                            .chain(&e.aliases)
                            .map(|f| xxh3_64(f.as_bytes()))
                            .collect();
                        (group, forms)
                    })
                    .collect()
            })
            .collect();
        for (x, (d, resolved)) in batch.iter().zip(resolved).enumerate() {
            let mut local = Vec::with_capacity(d.entities.len());
            for (e, (group, hashes)) in d.entities.iter().zip(resolved) {
                if entity_at[group] == NONE {
                    let root = &keys[group];
                    entities.push(Entity {
                        id: short_id("n", root),
                        name: e.name.clone(),
                        kind: e.kind,
                        aliases: Vec::new(),
                        role: None,
                        mentions: Vec::new(),
                    });
                    name_votes.push(HashMap::new());
                    kind_votes.push(HashMap::new());
                    entity_at[group] = entities.len() as u32 - 1;
                }
                let idx = entity_at[group] as usize;
                let ent = &mut entities[idx];
                match name_votes[idx].get_mut(&e.name) {
                    Some(n) => *n += e.mentions.len(),
                    None => {
                        name_votes[idx].insert(e.name.clone(), e.mentions.len());
                    }
                }
                *kind_votes[idx].entry(e.kind).or_default() += e.mentions.len();
                for (form, h) in std::iter::once(&e.name).chain(&e.aliases).zip(hashes) {
                    match alias_at.get(&(idx as u32, h)) {
                        Some(&at) if ent.aliases[at as usize] == *form => {}
                        // Another form with this hash (as good as never).
                        Some(_) => {
                            if !ent.aliases.contains(form) {
                                ent.aliases.push(form.clone());
                            }
                        }
                        None => {
                            alias_at.insert((idx as u32, h), ent.aliases.len() as u32);
                            ent.aliases.push(form.clone());
                        }
                    }
                }
                if ent.role.is_none() {
                    ent.role = e.role.clone();
                }
                ent.mentions.extend(e.mentions.iter().map(|m| Mention {
                    article: d.article.id.clone(),
                    start: m.start,
                    end: m.end,
                }));
                local.push(idx);
            }
            also(all[k + x], d, &local);
            entity_of.push(local);
        }
    })?;
    drop(alias_at);
    for (i, e) in entities.iter_mut().enumerate() {
        // Canonical name: the most mentioned full form (longest on ties).
        let best = name_votes[i]
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then(a.0.len().cmp(&b.0.len()))
                    .then(b.0.cmp(a.0))
            })
            .map(|(n, _)| n.clone());
        if let Some(b) = best {
            e.name = b;
        }
        if let Some((k, _)) = kind_votes[i]
            .iter()
            .filter(|(k, _)| **k != EntityKind::Other)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        {
            e.kind = *k;
        }
        let name = e.name.clone();
        e.aliases.retain(|a| *a != name);
        e.aliases.sort();
    }
    Ok((entities, entity_of))
}

/// Entity names as read (the first pass of [`merge_entities`]): interned
/// name keys and the alias links that join them.
///
/// Union-find over interned name keys; each group is named by its
/// smallest key, so ids do not depend on the order articles arrive in.
/// Only aliases that can stand for the name anywhere join keys
/// (`alias_fits`: fitting acronyms, longer forms of a name): one
/// article's wrong reading would otherwise join two entities, and over
/// many pages such joins chain unrelated names into one.
#[derive(Default)]
struct EntityNames {
    keys: Vec<String>,
    key_index: FxHashMap<String, usize>,
    links: Vec<(usize, usize)>,
}

impl EntityNames {
    fn intern(&mut self, k: String) -> usize {
        if let Some(&i) = self.key_index.get(&k) {
            return i;
        }
        self.keys.push(k.clone());
        self.key_index.insert(k, self.keys.len() - 1);
        self.keys.len() - 1
    }

    /// The name keys of an article's entities, each with the keys of its
    /// fitting aliases (on any core; [`EntityNames::add`] takes them in).
    fn keys(d: &AnnotatedArticle) -> Vec<(String, Vec<String>)> {
        d.entities
            .iter()
            .map(|e| {
                let aliases = e
                    .aliases
                    .iter()
                    .filter(|a| alias_fits(&e.name, a))
                    .map(|a| name_key(a))
                    .collect();
                (name_key(&e.name), aliases)
            })
            .collect()
    }

    /// Takes in an article's [`EntityNames::keys`].
    fn add(&mut self, keys: Vec<(String, Vec<String>)>) {
        for (name, aliases) in keys {
            let k = self.intern(name);
            for a in aliases {
                let b = self.intern(a);
                self.links.push((k, b));
            }
        }
    }
}

/// The words of a quote that match it across articles (of three letters
/// or more), as written: lower-cased, they are its words for matching.
fn raw_quote_words(text: &str) -> impl Iterator<Item = &str> {
    text::words(text).filter(|w| w.chars().count() > 2)
}

/// Whether two quotes have the same words for matching (lower-cased
/// [`raw_quote_words`]), compared a word at a
/// time and lower-cased only where they differ (most members of a quote's
/// group are verbatim copies of its first).
fn same_quote_words(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (raw_quote_words(a), raw_quote_words(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(v), Some(w)) if v == w || v.to_lowercase() == w.to_lowercase() => {}
            _ => return false,
        }
    }
}

/// Rarest words per quote used to find the same quote elsewhere.
const QUOTE_KEYS: usize = 4;
/// Words two quotes must share to be one quote.
const MIN_SHARED: usize = 4;
/// Keys on more quote classes than this are too common to find candidates
/// with (200 measured: quote grouping step 9.8 → 8.0 s at 100k pages but
/// 0.8% fewer quotes grouped).
const QUOTE_POSTINGS: usize = 2000;

/// A quote as read: its article by position, its speaker by merged
/// entity, and no record strings yet (ids, group, variant): those are
/// made a chunk at a time on the way out (a million pages have two
/// million quotes, and the full records weighed ~0.6 KB each).
struct RawQuote {
    article: u32,
    /// Its number in the article.
    index: u32,
    text: String,
    speaker: Option<u32>,
    /// The name the article gives, kept when there is no entity.
    speaker_name: Option<String>,
    /// The cue and the channel as numbers in [`RawQuotes::forms`].
    cue: Option<u32>,
    channel: Option<u32>,
    kind: storyline_model::QuoteKind,
    span: storyline_model::Span,
}

/// The articles' quotes as read, before their speakers' entities are
/// final and before grouping.
#[derive(Default)]
struct RawQuotes {
    quotes: Vec<RawQuote>,
    /// Each distinct cue and channel once: a few words ("said", "told")
    /// over millions of quotes, where two strings a quote put 78 MiB on
    /// the 1M peak (measured).
    forms: Vec<String>,
    form_of: FxHashMap<String, u32>,
}

impl RawQuotes {
    /// `form`'s number in [`RawQuotes::forms`].
    fn form(&mut self, form: &str) -> u32 {
        if let Some(&k) = self.form_of.get(form) {
            return k;
        }
        self.forms.push(form.to_string());
        let k = self.forms.len() as u32 - 1;
        self.form_of.insert(form.to_string(), k);
        k
    }

    /// Adds the quotes of article `d` at position `di`, whose local
    /// entities are the merged entities `entity_of`.
    fn add(&mut self, di: usize, d: &AnnotatedArticle, entity_of: &[usize]) {
        for (qi, q) in d.quotes.iter().enumerate() {
            let speaker = q.speaker.map(|s| entity_of[s] as u32);
            let cue = q.cue.as_deref().map(|c| self.form(c));
            let channel = q.channel.as_deref().map(|c| self.form(c));
            self.quotes.push(RawQuote {
                article: di as u32,
                index: qi as u32,
                text: q.text.clone(),
                speaker,
                speaker_name: if speaker.is_none() {
                    q.speaker_name.clone()
                } else {
                    None
                },
                cue,
                channel,
                kind: q.kind,
                span: q.span,
            });
        }
    }
}

/// A quote class as candidate matching looks at it: one record of half a
/// cache line (a look-up visits tens of candidates at random, and each
/// further array read per candidate was a cache miss: the sketch, then the
/// representative, then its word list's header, then its words).
#[repr(align(32))]
struct ClassInfo {
    sketch: text::Sketch,
    /// Where its distinct words start in the classes' one word array.
    start: usize,
    /// Distinct words.
    words: u32,
    /// Its one article, or `u32::MAX` when it spans several.
    article: u32,
}

/// Quote records handed to the sink at a time.
const QUOTE_CHUNK: usize = 16_384;

/// Resolves quote speakers to merged entities and groups the same quote
/// across articles; marks each member verbatim or altered against the
/// group's first member. The records go to `sink` a chunk at a time, in
/// the order read.
fn group_quotes<K: Sink>(
    raw: RawQuotes,
    metas: &[Meta],
    entities: &[Entity],
    sink: &mut K,
) -> Result<(), K::Error> {
    let RawQuotes { quotes, forms, .. } = raw;
    // Each quote's distinct words as sorted terms: candidate pairs are
    // compared by one merge pass. Each list is copied out of a scratch one
    // at its final length: collected straight from the words, two million
    // lists kept the capacity they grew to (the 1M peak rose 239 MiB).
    let words: Vec<Vec<text::Term>> = quotes
        .par_iter()
        .map_init(Vec::new, |w, q| {
            w.clear();
            w.extend(
                raw_quote_words(&q.text).map(|w| text::term(&storyline_model::words::lowercase(w))),
            );
            w.sort_unstable();
            w.dedup();
            w.to_vec()
        })
        .collect();
    // Quotes with the same words are one class: a wire quote reprinted by
    // a thousand pages is compared once, not a million times (and grouped
    // even when its words are on too many quotes to serve as keys). Two
    // classes group as their members would pairwise: when alike, unless
    // every member of both sits in one article.
    let mut class_of_words: FxHashMap<&[text::Term], usize> = FxHashMap::default();
    let mut class_members: Vec<Vec<usize>> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let c = *class_of_words.entry(w.as_slice()).or_insert_with(|| {
            class_members.push(Vec::new());
            class_members.len() - 1
        });
        class_members[c].push(i);
    }
    // The one article of a class, or None when it spans several.
    let class_article: Vec<Option<usize>> = class_members
        .iter()
        .map(|m| {
            let a = quotes[m[0]].article;
            m.iter()
                .all(|&i| quotes[i].article == a)
                .then_some(a as usize)
        })
        .collect();
    let rep: Vec<usize> = class_members.iter().map(|m| m[0]).collect();
    // Only the representatives' words are read from here on: the other
    // members' lists go now, before the classes' word array is built (at a
    // million pages they are some hundreds of MiB).
    drop(class_of_words);
    let mut words = words;
    let rep_list: Vec<Vec<text::Term>> =
        rep.iter().map(|&r| std::mem::take(&mut words[r])).collect();
    drop(words);
    let rep_words = |c: usize| &rep_list[c];
    // Each class's rarest words (a quote that is the same as another shares
    // them). Reported speech groups too: how outlets paraphrase one
    // statement is part of how it changed.
    let mut df: FxHashMap<text::Term, usize> = FxHashMap::default();
    for c in 0..rep.len() {
        for &x in rep_words(c) {
            *df.entry(x).or_default() += 1;
        }
    }
    // Sorted in a scratch list so that each class keeps an allocation of
    // its keys only, not of all its words.
    let mut by_rarity: Vec<(usize, text::Term)> = Vec::new();
    let keys: Vec<Vec<text::Term>> = (0..rep.len())
        .map(|c| {
            by_rarity.clear();
            by_rarity.extend(rep_words(c).iter().map(|x| (df[x], *x)));
            by_rarity.sort_unstable();
            by_rarity.iter().take(QUOTE_KEYS).map(|&(_, x)| x).collect()
        })
        .collect();
    // Each group is founded by its earliest class and holds the classes
    // alike with the founder itself, not with any member: joining through
    // members chains partial quotes into one group of half the corpus
    // (100k synthetic pages: 109,216 of 236,286 quotes), and every member
    // is shown as a variant of the founder. A class joins the earliest
    // founder it matches; one no founder matches founds its own group.
    // Candidates come through each class's rarest words (QUOTE_KEYS), and
    // only words on at most QUOTE_POSTINGS classes serve: common words
    // ("the", "said") would make this quadratic in the number of quotes.
    // A quote of fewer than MIN_SHARED distinct words can share no more
    // than that with another: it never groups, so it has no keys.
    let mut postings: FxHashMap<text::Term, usize> = FxHashMap::default();
    for (c, k) in keys.iter().enumerate() {
        if rep_words(c).len() >= MIN_SHARED {
            for &x in k {
                *postings.entry(x).or_default() += 1;
            }
        }
    }
    let keys: Vec<Vec<text::Term>> = keys
        .into_iter()
        .enumerate()
        .map(|(c, mut k)| {
            if rep_words(c).len() < MIN_SHARED {
                k.clear();
            }
            k.retain(|x| postings[x] <= QUOTE_POSTINGS);
            k
        })
        .collect();
    drop(postings);
    // Alike: at least MIN_SHARED words shared, and 60% of the shorter's.
    // The least number shared that passes, per shorter length, lets the
    // word merge stop early (same test, in the same f32 arithmetic).
    let longest = (0..rep.len())
        .map(|c| rep_words(c).len())
        .max()
        .unwrap_or(0);
    let needs: Vec<usize> = (0..=longest).map(shared_needed).collect();
    // What a candidate is tested on, side by side in one record a class,
    // and the classes' words in one array in class order.
    let mut class_words: Vec<text::Term> =
        Vec::with_capacity((0..rep.len()).map(|c| rep_words(c).len()).sum());
    let mut info: Vec<ClassInfo> = Vec::with_capacity(rep.len());
    for (w, article) in rep_list.into_iter().zip(&class_article) {
        info.push(ClassInfo {
            sketch: text::Sketch::new(&w),
            start: class_words.len(),
            words: w.len() as u32,
            article: article.map_or(u32::MAX, |a| a as u32),
        });
        class_words.extend_from_slice(&w);
    }
    let words_of = |x: &ClassInfo| &class_words[x.start..x.start + x.words as usize];
    // A class may not join one whose every member sits in its one article.
    let allowed = |c: usize, d: usize| {
        let a = info[c].article;
        a == u32::MAX || a != info[d].article
    };
    // Most candidates share too few words: their sketches say so without
    // reading either word list.
    let alike = |c: usize, d: usize| {
        let (x, y) = (&info[c], &info[d]);
        let need = needs[x.words.min(y.words) as usize];
        x.sketch.shared_at_most(y.sketch) >= need
            && text::shares_at_least(words_of(x), words_of(y), need)
    };
    let founder = assign_founders(&keys, FOUNDER_BLOCK, allowed, alike);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); rep.len()];
    for (c, &f) in founder.iter().enumerate() {
        groups[f as usize].push(c);
    }
    groups.retain(|classes| match classes.as_slice() {
        // A class alone is a group when it spans articles (the same words
        // reprinted); in one article it is a quote repeated, not compared.
        [] => false,
        [c] => class_article[*c].is_none() && info[*c].words as usize >= MIN_SHARED,
        _ => true,
    });
    // Each member's reference: the group's first quote. Whether it is
    // verbatim or altered, and the diff, are worked out on the way out, a
    // chunk at a time: at a million pages half the quotes are altered and
    // their diffs weigh more than their texts.
    const NO_GROUP: u32 = u32::MAX;
    let mut reference: Vec<u32> = vec![NO_GROUP; quotes.len()];
    for classes in &groups {
        let first = classes
            .iter()
            .filter_map(|&c| class_members[c].iter().min())
            .min()
            .copied()
            .expect("groups are not empty");
        for &c in classes {
            for &i in &class_members[c] {
                reference[i] = first as u32;
            }
        }
    }
    drop(groups);
    drop(class_members);
    // The records, a chunk at a time, on all cores, in the order of their
    // ids (article id, then index): the store's key on them is then written
    // front to back across chunks.
    let mut order: Vec<u32> = (0..quotes.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        let (a, b) = (&quotes[a as usize], &quotes[b as usize]);
        (&metas[a.article as usize].id, a.index).cmp(&(&metas[b.article as usize].id, b.index))
    });
    for chunk in order.chunks(QUOTE_CHUNK) {
        let out: Vec<Quote> = chunk
            .par_iter()
            .map(|&i| {
                let i = i as usize;
                let q = &quotes[i];
                let article = &metas[q.article as usize].id;
                let speaker = q.speaker.map(|s| &entities[s as usize]);
                let (group, variant, diff) = match reference[i] {
                    NO_GROUP => (None, None, Vec::new()),
                    r => {
                        let r = &quotes[r as usize];
                        let altered = !same_quote_words(&q.text, &r.text);
                        (
                            Some(format!("g{}-{}", metas[r.article as usize].id, r.index)),
                            Some(if altered { "altered" } else { "verbatim" }.to_string()),
                            if altered {
                                word_diff(&r.text, &q.text)
                            } else {
                                Vec::new()
                            },
                        )
                    }
                };
                Quote {
                    id: format!("q{article}-{}", q.index),
                    article: article.clone(),
                    text: q.text.clone(),
                    speaker: speaker.map(|e| e.id.clone()),
                    speaker_name: speaker
                        .map(|e| e.name.clone())
                        .or_else(|| q.speaker_name.clone()),
                    cue: q.cue.map(|c| forms[c as usize].clone()),
                    channel: q.channel.map(|c| forms[c as usize].clone()),
                    kind: q.kind,
                    start: q.span.start,
                    end: q.span.end,
                    group,
                    variant,
                    diff,
                }
            })
            .collect();
        sink.quotes(&out)?;
    }
    Ok(())
}

/// The fewest words two quote classes must share to be alike when the
/// shorter has `min` distinct words: MIN_SHARED, and 60% of `min` in f32
/// arithmetic (`usize::MAX` when no count passes).
fn shared_needed(min: usize) -> usize {
    let min = min.max(1);
    let passes = |s: usize| s as f32 / min as f32 >= 0.6;
    // The search starts just below 60% (the test is monotone in `s`, and
    // f32 puts it off by far less than 2 there): searched from MIN_SHARED,
    // one quote of a hundred thousand words (an unclosed quote mark on a
    // hostile page) cost billions of tests.
    let from = (min * 3 / 5).saturating_sub(2).max(MIN_SHARED);
    (from..=min.max(MIN_SHARED))
        .find(|&s| passes(s))
        .unwrap_or(usize::MAX)
}

/// Classes decided at a time by [`assign_founders`]: each block's look-ups
/// against earlier blocks run on all cores.
const FOUNDER_BLOCK: usize = 4096;

/// The group of each class: a class joins the earliest founder it is
/// `alike` with (among those it is `allowed` to join), and a class no
/// earlier founder is alike with founds a group (its own number). A class
/// is compared only with founders sharing one of its `keys`; one without
/// keys is never alike with any.
///
/// Equal to [`founders`] over all alike pairs, but compares a class with
/// founders only, earliest first, and stops at the first alike: at a
/// million pages most quote classes join a group, and comparing each with
/// every candidate made quote grouping half of linking. Only founders are
/// indexed, so the classes that joined a group are never looked at again.
/// Blocks of `block` classes look back at earlier blocks on all cores;
/// within a block classes are decided in order.
fn assign_founders<K: Copy + Eq + std::hash::Hash + Sync>(
    keys: &[Vec<K>],
    block: usize,
    allowed: impl Fn(usize, usize) -> bool + Sync,
    alike: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<u32> {
    let n = keys.len();
    let mut founder: Vec<u32> = Vec::with_capacity(n);
    // Founders by key, ascending.
    let mut index: FxHashMap<K, Vec<u32>> = FxHashMap::default();
    // The earliest founder from `from` on that `c` may join: the founders
    // under its keys, merged in ascending order, until one is alike (most
    // classes join the first or second they meet, and collecting and
    // sorting every candidate first was most of the look-up).
    let first_alike = |index: &FxHashMap<K, Vec<u32>>, c: usize, from: u32| {
        let mut lists: Vec<&[u32]> = keys[c]
            .iter()
            .filter_map(|k| index.get(k))
            .map(|list| &list[list.partition_point(|&d| d < from)..])
            .filter(|list| !list.is_empty())
            .collect();
        while let Some(d) = lists.iter().map(|list| list[0]).min() {
            for list in &mut lists {
                if list[0] == d {
                    *list = &list[1..];
                }
            }
            lists.retain(|list| !list.is_empty());
            if allowed(c, d as usize) && alike(c, d as usize) {
                return Some(d);
            }
        }
        None
    };
    for start in (0..n).step_by(block.max(1)) {
        let end = (start + block.max(1)).min(n);
        // The index holds the founders of earlier blocks only here.
        let earlier: Vec<Option<u32>> = (start..end)
            .into_par_iter()
            .map(|c| first_alike(&index, c, 0))
            .collect();
        for (c, e) in (start..end).zip(earlier) {
            let f = e
                .or_else(|| first_alike(&index, c, start as u32))
                .unwrap_or(c as u32);
            founder.push(f);
            if f == c as u32 {
                for &k in &keys[c] {
                    index.entry(k).or_default().push(f);
                }
            }
        }
    }
    founder
}

/// The group of each class: `matches[c]` lists the later classes alike
/// with `c`; a class joins the earliest founder it is alike with, and a
/// class no earlier founder is alike with founds a group (its own number).
/// (What [`assign_founders`] computes, from all alike pairs.)
#[cfg(test)]
fn founders(matches: &[Vec<usize>]) -> Vec<u32> {
    const NONE: u32 = u32::MAX;
    let mut founder = vec![NONE; matches.len()];
    for (c, ds) in matches.iter().enumerate() {
        if founder[c] != NONE {
            continue;
        }
        founder[c] = c as u32;
        for &d in ds {
            if founder[d] == NONE {
                founder[d] = c as u32;
            }
        }
    }
    founder
}

/// Words compared by a diff: longer quotes are compared on their first
/// words only, to bound the quadratic alignment.
const DIFF_WORDS: usize = 400;

/// Word-level diff of `new` against `old` (longest common subsequence of
/// words, compared without case and surrounding punctuation), as runs.
fn word_diff<'a>(old: &'a str, new: &'a str) -> Vec<WordEdit> {
    let a: Vec<&str> = old.split_whitespace().take(DIFF_WORDS).collect();
    let b: Vec<&str> = new.split_whitespace().take(DIFF_WORDS).collect();
    let key = |w: &'a str| {
        storyline_model::words::lowercase(w.trim_matches(|c: char| !c.is_alphanumeric()))
    };
    // Each distinct key numbered: the table compares numbers, not strings
    // (up to 160,000 compares a pair of quotes).
    let mut ids: FxHashMap<Cow<'a, str>, u32> = FxHashMap::default();
    let mut number = |w: &'a str| {
        let next = ids.len() as u32;
        *ids.entry(key(w)).or_insert(next)
    };
    let ka: Vec<u32> = a.iter().map(|w| number(w)).collect();
    let kb: Vec<u32> = b.iter().map(|w| number(w)).collect();
    // The walk below takes equal words as they come, so a common start is
    // the same run whatever the table says: the table covers the rest
    // only (an altered quote is mostly its reference's words).
    let skip = ka.iter().zip(&kb).take_while(|(x, y)| x == y).count();
    // lcs[(i - skip) * width + j - skip]: LCS length of a[i..] and b[j..].
    let width = b.len() - skip + 1;
    let mut lcs = vec![0u16; (a.len() - skip + 1) * width];
    for i in (0..a.len() - skip).rev() {
        for j in (0..b.len() - skip).rev() {
            lcs[i * width + j] = if ka[skip + i] == kb[skip + j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let lcs_at = |i: usize, j: usize| lcs[(i - skip) * width + (j - skip)];
    // The walk's edits first, then each run's words joined into a string
    // made at its size: growing the runs a word at a time was ~40% of this
    // function, and half the quotes of a large corpus are diffed.
    const OPS: [&str; 3] = ["same", "removed", "added"];
    let mut edits: Vec<(usize, &str)> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && ka[i] == kb[j] {
            edits.push((0, b[j]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs_at(i + 1, j) >= lcs_at(i, j + 1)) {
            // Removals first where both would do: "old → new" reads in order.
            edits.push((1, a[i]));
            i += 1;
        } else {
            edits.push((2, b[j]));
            j += 1;
        }
    }
    edits
        .chunk_by(|x, y| x.0 == y.0)
        .map(|run| {
            let len = run.iter().map(|(_, w)| w.len() + 1).sum::<usize>() - 1;
            let mut words = String::with_capacity(len);
            for (k, (_, w)) in run.iter().enumerate() {
                if k > 0 {
                    words.push(' ');
                }
                words.push_str(w);
            }
            WordEdit {
                op: OPS[run[0].0].to_string(),
                words,
            }
        })
        .collect()
}

/// When the lede (the first [`cluster::LEDE_SENTENCES`] sentences) says the
/// happening took place: its first day, month or quarter.
fn lede_anchors(d: &AnnotatedArticle) -> cluster::TimeAnchors {
    let end = lede_end(d, cluster::LEDE_SENTENCES);
    // The first time the lede names is when the happening took place; later
    // ones are often background ("a week after the storm").
    d.times
        .iter()
        .filter(|t| t.start < end)
        .map(|t| {
            cluster::TimeAnchors::from_values([t.value.as_str()], d.article.published.as_deref())
        })
        .find(|a| !a.is_empty())
        .unwrap_or_default()
}

/// Where the first `n` sentences end (the whole body when it has fewer).
fn lede_end(d: &AnnotatedArticle, n: usize) -> u32 {
    d.sentences
        .get(n.saturating_sub(1))
        .or(d.sentences.last())
        .map_or(0, |s| s.end)
}

fn first_sentence(d: &AnnotatedArticle) -> String {
    d.sentences
        .first()
        .map(|s| slice_chars(&d.article.body, *s))
        .unwrap_or_default()
}

fn describe_event(metas: &[Meta], cdocs: &[cluster::ClusterDoc], members: &[usize]) -> Event {
    let first = &metas[members[0]];
    // The most central article (highest summed similarity to the members)
    // gives the summary. The vectors are unit length, so that sum is the
    // dot product with the members' sum: linear in the event's size, where
    // summing the pairs was quadratic (minutes for the largest events of a
    // million pages). Sums within 1e-4 are a tie, which goes to the
    // earliest article: rounding noise decided between the two pages of
    // most two-page events (each page's sum is 1 + their similarity).
    let mut total: FxHashMap<u32, f32> = FxHashMap::default();
    for &m in members {
        for &(t, x) in &cdocs[m].vector {
            *total.entry(t).or_default() += x;
        }
    }
    let centrality = |m: usize| -> f32 {
        cdocs[m]
            .vector
            .iter()
            .map(|&(t, x)| x * total.get(&t).copied().unwrap_or(0.0))
            .sum()
    };
    let central = members
        .iter()
        .map(|&m| (m, (f64::from(centrality(m)) * 1e4).round() as i64))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(members[0], |(m, _)| m);
    let title = members
        .iter()
        .find_map(|&m| metas[m].title.clone())
        .unwrap_or_else(|| {
            let s = &first.first_sentence;
            if s.chars().count() > 120 {
                format!("{}…", s.chars().take(119).collect::<String>())
            } else {
                s.clone()
            }
        });
    let reported = members
        .iter()
        .filter_map(|&m| metas[m].published.clone())
        .min();
    // When it happened: the full dates the ledes give (first two sentences),
    // never after the report; the most cited one wins, earliest on ties.
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    let mut cited: Vec<&storyline_model::TimeMention> = Vec::new();
    for &m in members {
        for t in &metas[m].lede_dates {
            *votes.entry(t.value.clone()).or_default() += 1;
            cited.push(t);
        }
    }
    let date = votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(v, _)| v.clone());
    let date_evidence = cited
        .into_iter()
        .filter(|t| date.as_deref() == Some(t.value.as_str()))
        .take(5)
        .cloned()
        .collect();
    let mut outlets: Vec<String> = members
        .iter()
        .filter_map(|&m| metas[m].outlet.clone())
        .collect();
    outlets.sort();
    outlets.dedup();
    Event {
        id: format!("e{}", first.id),
        title,
        date,
        date_evidence,
        reported,
        articles: members.iter().map(|&m| metas[m].id.clone()).collect(),
        outlets,
        summary: metas[central].first_sentence.clone(),
    }
}

fn describe_storyline(
    events: &[Event],
    event_members: &[Vec<usize>],
    group: &[usize],
    entities: &[Entity],
    entity_of: &[Vec<usize>],
) -> Storyline {
    let mut ordered: Vec<usize> = group.to_vec();
    ordered.sort_by(|&a, &b| {
        let da = events[a].date.as_ref().or(events[a].reported.as_ref());
        let db = events[b].date.as_ref().or(events[b].reported.as_ref());
        // Undated events go last.
        match (da, db) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(a.cmp(&b))
    });
    // Title: the entities named in the most articles of the storyline.
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for &e in group {
        for &m in &event_members[e] {
            let mut seen: Vec<usize> = entity_of[m].clone();
            seen.sort_unstable();
            seen.dedup();
            for x in seen {
                if matches!(
                    entities[x].kind,
                    EntityKind::Person | EntityKind::Organization | EntityKind::Place
                ) {
                    *counts.entry(x).or_default() += 1;
                }
            }
        }
    }
    let mut top: Vec<(usize, usize)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let title = if top.is_empty() {
        events[ordered[0]].title.clone()
    } else {
        top.iter()
            .take(3)
            .map(|(e, _)| entities[*e].name.clone())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    Storyline {
        id: format!("s{}", events[ordered[0]].id.trim_start_matches('e')),
        title,
        events: ordered.iter().map(|&e| events[e].id.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_runs_of_one_large_component_read_each_page_about_once() {
        // One component: a chain through every page, and each page paired
        // with four of the first 64 (where look-ups draw hot keys from).
        let n = 4_000;
        let metas: Vec<Meta> = (0..n).map(|i| sized(i, 1_000)).collect();
        let mut pairs: Vec<(usize, usize)> = (1..n).map(|j| (j - 1, j)).collect();
        for j in 64..n {
            pairs.extend((0..4).map(|t| ((j * 7 + t * 13) % 64, j)));
        }
        // Room for ~250 pages' features a run.
        let budget = 250 * feature_estimate(&metas[0]);
        let runs = feature_runs(&metas, copy_order(pairs, n), budget, |&(i, j)| [i, j]);
        assert!(runs.len() > 10);
        // Pages read: those a run needs that the run before did not hold.
        let (mut read, mut held) = (0, FxHashSet::default());
        for run in &runs {
            let need: FxHashSet<usize> = run.iter().flat_map(|&(i, j)| [i, j]).collect();
            read += need.difference(&held).count();
            held = need;
        }
        assert!(
            read < n + n / 2,
            "{read} reads of {n} pages in {} runs",
            runs.len()
        );
    }

    #[test]
    fn shared_needed_is_the_least_count_that_passes() {
        let passes = |s: usize, min: usize| s as f32 / min.max(1) as f32 >= 0.6;
        // Against the plain search from MIN_SHARED, for quotes of up to
        // 3,000 words.
        for min in 0..3_000 {
            let plain = (MIN_SHARED..=min.max(MIN_SHARED))
                .find(|&s| passes(s, min))
                .unwrap_or(usize::MAX);
            assert_eq!(shared_needed(min), plain, "{min} words");
        }
        // Longer ones, up to the longest an annotated page can hold: the
        // count passes and one fewer does not.
        for min in (3_000..2_000_000).step_by(997) {
            let s = shared_needed(min);
            assert!(passes(s, min) && !passes(s - 1, min), "{min} words: {s}");
        }
    }

    fn sized(i: usize, body_len: usize) -> Meta {
        Meta {
            id: format!("a{i}"),
            published: None,
            outlet: None,
            original_source: None,
            title: None,
            body_len,
            first_sentence: String::new(),
            lede_dates: Vec::new(),
        }
    }

    #[test]
    fn feature_runs_keep_every_item_in_order_and_fit_the_budget() {
        // Pages 0..6 of 100 bytes (656 estimated), page 6 of 10,000.
        let metas: Vec<Meta> = (0..7)
            .map(|i| sized(i, if i == 6 { 10_000 } else { 100 }))
            .collect();
        let budget = 3 * feature_estimate(&metas[0]);
        let pairs = vec![(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (5, 6), (0, 1)];
        let runs = feature_runs(&metas, pairs.clone(), budget, |&(i, j)| [i, j]);
        assert_eq!(runs.concat(), pairs);
        // A pair's pages already in the run cost nothing more: 0, 1, 2 fit.
        assert_eq!(runs[0], vec![(0, 1), (1, 2), (0, 2)]);
        for run in &runs {
            let mut pages: Vec<usize> = run.iter().flat_map(|&(i, j)| [i, j]).collect();
            pages.sort_unstable();
            pages.dedup();
            let bytes: usize = pages.iter().map(|&p| feature_estimate(&metas[p])).sum();
            assert!(bytes <= budget || run.len() == 1, "{run:?}");
        }
        // The page over the budget is a run of its own pair.
        assert!(runs.contains(&vec![(5, 6)]));
        assert_eq!(runs.last(), Some(&vec![(0, 1)]));
        assert!(feature_runs(&metas, Vec::<Vec<usize>>::new(), budget, |m| m.clone()).is_empty());
    }

    #[test]
    fn copies_are_found_across_runs_of_features() {
        // Made-up words, so that stories share no shingles.
        let mut seed = 7u64;
        let mut word = || {
            let syllables = [
                "ka", "lo", "mi", "ten", "ru", "sa", "vo", "deb", "ni", "pho",
            ];
            (0..3)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    syllables[(seed >> 33) as usize % syllables.len()]
                })
                .collect::<String>()
        };
        let stories: Vec<Vec<String>> = (0..6)
            .map(|_| {
                (0..8)
                    .map(|_| {
                        let words: Vec<String> = (0..12).map(|_| word()).collect();
                        format!("The {}.", words.join(" "))
                    })
                    .collect()
            })
            .collect();
        let mut docs = Vec::new();
        for (k, sentences) in stories.iter().enumerate() {
            // The page, an exact copy, a copy without its last sentence,
            // and a rewrite: two words of each sentence changed. The exact
            // copy is related to the page only (what holds for the page
            // holds for it).
            let whole = sentences.join(" ");
            let cut = sentences[..7].join(" ");
            let reworded: Vec<String> = sentences
                .iter()
                .map(|s| {
                    let mut words: Vec<&str> = s.split(' ').collect();
                    words[4] = "harbour";
                    words[9] = "yesterday";
                    words.join(" ")
                })
                .collect();
            let rewrite = reworded.join(" ");
            for (v, body) in [&whole, &whole, &cut, &rewrite].into_iter().enumerate() {
                let article = storyline_model::Article::plain(&format!("s{k}v{v}"), body);
                docs.push(storyline_nlp::annotate(article));
            }
        }
        // Each run of features holds one story's pages at most.
        assert!(2 * (4 * stories[0].join(" ").len()) > FEATURE_BYTES);
        let analysis = link(docs, Vec::new());
        let mut related: Vec<(String, String, RelationKind)> = analysis
            .relations
            .iter()
            .map(|r| ((&r.a).min(&r.b).clone(), (&r.a).max(&r.b).clone(), r.kind))
            .collect();
        related.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        use RelationKind::{Duplicate, Rewrite, Syndicated};
        let expected: Vec<(String, String, RelationKind)> = (0..6)
            .flat_map(|k| {
                [(0, 1, Duplicate), (0, 2, Syndicated), (0, 3, Rewrite)]
                    .map(|(x, y, kind)| (format!("s{k}v{x}"), format!("s{k}v{y}"), kind))
            })
            .collect();
        assert_eq!(related, expected);
    }

    #[test]
    fn each_step_is_heard_once_as_it_ends() {
        let docs: Vec<AnnotatedArticle> = [
            "Mr Halvik said on Monday that the port would reopen.",
            "Mr Halvik said on Monday that the port would reopen soon.",
            "The storm closed three schools in Varna.",
        ]
        .iter()
        .enumerate()
        .map(|(i, body)| {
            storyline_nlp::annotate(storyline_model::Article::plain(&format!("p{i}"), body))
        })
        .collect();
        let heard = std::sync::Mutex::new(Vec::new());
        let on_step = |s: &Step| heard.lock().unwrap().push(s.name);
        let steps = match link_source(&mut InMemory::new(docs), &mut empty_analysis(), &on_step) {
            Ok(steps) => steps,
            Err(never) => match never {},
        };
        let heard = heard.into_inner().unwrap();
        // Heard as they ended: the halves' steps may interleave, each half's
        // in its own order.
        let returned: Vec<&str> = steps.iter().map(|s| s.name).collect();
        let mut sorted = heard.clone();
        sorted.sort_unstable();
        let mut all = STEPS.to_vec();
        all.sort_unstable();
        assert_eq!(sorted, all, "heard {heard:?}");
        let mut returned_sorted = returned.clone();
        returned_sorted.sort_unstable();
        assert_eq!(returned_sorted, all);
        for half in [&STEPS[1..6], &STEPS[6..8]] {
            let order: Vec<&str> = heard.iter().copied().filter(|n| half.contains(n)).collect();
            assert_eq!(order, half);
        }
        assert_eq!((heard[0], heard[9]), ("read", "storylines"));
    }

    #[test]
    fn copy_pairs_come_a_component_at_a_time() {
        let pairs = vec![(0, 5), (1, 2), (2, 7), (3, 4), (5, 9)];
        assert_eq!(
            copy_order(pairs, 10),
            vec![(0, 5), (5, 9), (1, 2), (2, 7), (3, 4)]
        );
    }

    #[test]
    fn the_most_central_article_sums_up_an_event_and_ties_go_to_the_earliest() {
        let meta = |i: usize| Meta {
            id: format!("a{i}"),
            published: None,
            outlet: None,
            original_source: None,
            title: None,
            body_len: 0,
            first_sentence: format!("sentence {i}"),
            lede_dates: Vec::new(),
        };
        let doc = |v: &[(u32, f32)]| cluster::ClusterDoc {
            vector: v.to_vec(),
            entities: Vec::new(),
            day: None,
            copy_of: None,
            anchors: Default::default(),
        };
        let metas: Vec<Meta> = (0..3).map(meta).collect();
        // Unit vectors: 1 is alike with both others, which differ.
        let cdocs = [
            doc(&[(0, 1.0)]),
            doc(&[(0, 0.6), (1, 0.8)]),
            doc(&[(1, 1.0)]),
        ];
        assert_eq!(
            describe_event(&metas, &cdocs, &[0, 1, 2]).summary,
            "sentence 1"
        );
        // Two pages: each sums 1 + their similarity; the earlier wins,
        // whichever way rounding falls.
        assert_eq!(
            describe_event(&metas, &cdocs, &[1, 2]).summary,
            "sentence 1"
        );
        assert_eq!(
            describe_event(&metas, &cdocs, &[0, 2]).summary,
            "sentence 0"
        );
    }

    fn runs(d: &[WordEdit]) -> Vec<(&str, &str)> {
        d.iter()
            .map(|e| (e.op.as_str(), e.words.as_str()))
            .collect()
    }

    #[test]
    fn quote_groups_do_not_chain_through_members() {
        // 0 ~ 1, 1 ~ 2, 0 !~ 2: 2 is not a variant of 0, so it founds its
        // own group, and 3 (alike with 2 only) joins it.
        let matches = vec![vec![1], vec![2], vec![3], vec![]];
        assert_eq!(founders(&matches), [0, 0, 2, 2]);
        // A class alike with two founders joins the earlier.
        let matches = vec![vec![2], vec![2], vec![]];
        assert_eq!(founders(&matches), [0, 1, 0]);
    }

    #[test]
    fn founders_by_blocks_equal_founders_of_all_pairs() {
        // Random small word sets; alike = sharing two words or more.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..20 {
            let n = 50 + round * 7;
            let sets: Vec<Vec<u64>> = (0..n)
                .map(|_| {
                    let mut s: Vec<u64> = (0..(next() % 5)).map(|_| next() % 12).collect();
                    s.sort_unstable();
                    s.dedup();
                    s
                })
                .collect();
            let indexed = |c: usize| sets[c].len() >= 2;
            let alike = |c: usize, d: usize| {
                indexed(c) && indexed(d) && text::intersect_sorted(&sets[c], &sets[d]) >= 2
            };
            let matches: Vec<Vec<usize>> = (0..n)
                .map(|c| (c + 1..n).filter(|&d| alike(c, d)).collect())
                .collect();
            // Every element a key: alike classes share one.
            let keys: Vec<Vec<u64>> = (0..n)
                .map(|c| {
                    if indexed(c) {
                        sets[c].clone()
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            for block in [1, 3, 16, 1000] {
                assert_eq!(
                    assign_founders(&keys, block, |c, d| c != d, alike),
                    founders(&matches),
                    "round {round}, block {block}"
                );
            }
        }
    }

    /// A quote's words for matching, lower-cased one by one.
    fn quote_words(text: &str) -> Vec<String> {
        raw_quote_words(text).map(str::to_lowercase).collect()
    }

    #[test]
    fn same_quote_words_agrees_with_comparing_the_word_lists() {
        let quotes = [
            "We will not back down, the minister said.",
            "we WILL not back down; the Minister said",
            "We will not back down.",
            "We will not back down, the minister said again.",
            "ΟΔΟΣ ΚΑΙ ΤΕΛΟΣ", // final sigma: lower-cased as a word, not a letter
            "οδος και τελος",
            "οδοσ και τελοσ",
            "",
            "a an of",
        ];
        for a in quotes {
            for b in quotes {
                assert_eq!(
                    same_quote_words(a, b),
                    quote_words(a) == quote_words(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn word_diff_keeps_order_and_marks_changes() {
        let d = word_diff(
            "We will rebuild the breakwater before winter.",
            "We will quickly rebuild the wall before winter",
        );
        assert_eq!(
            runs(&d),
            [
                ("same", "We will"),
                ("added", "quickly"),
                ("same", "rebuild the"),
                ("removed", "breakwater"),
                ("added", "wall"),
                ("same", "before winter"),
            ]
        );
        // Case and punctuation alone are no change.
        assert_eq!(
            runs(&word_diff("Ready, now.", "ready now")),
            [("same", "ready now")]
        );
    }

    /// The diff from the whole table, common start included: what
    /// [`word_diff`] computed before it skipped the common start.
    fn word_diff_whole_table(old: &str, new: &str) -> Vec<(String, String)> {
        let a: Vec<&str> = old.split_whitespace().take(DIFF_WORDS).collect();
        let b: Vec<&str> = new.split_whitespace().take(DIFF_WORDS).collect();
        let key = |w: &str| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        };
        let (ka, kb): (Vec<String>, Vec<String>) = (
            a.iter().map(|w| key(w)).collect(),
            b.iter().map(|w| key(w)).collect(),
        );
        let width = b.len() + 1;
        let mut lcs = vec![0u16; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i * width + j] = if ka[i] == kb[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let mut out: Vec<(String, String)> = Vec::new();
        let mut push = |op: &str, w: &str| match out.last_mut() {
            Some((o, words)) if o == op => {
                words.push(' ');
                words.push_str(w);
            }
            _ => out.push((op.to_string(), w.to_string())),
        };
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && ka[i] == kb[j] {
                push("same", b[j]);
                (i, j) = (i + 1, j + 1);
            } else if i < a.len()
                && (j == b.len() || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
            {
                push("removed", a[i]);
                i += 1;
            } else {
                push("added", b[j]);
                j += 1;
            }
        }
        out
    }

    #[test]
    fn word_diff_equals_the_whole_table_walk() {
        // Few distinct words, so that ties and repeats are common.
        let vocabulary = ["a", "B", "c.", "d", "ä", "A,", "\"e\"", "f"];
        let mut lcg = text::tests::lcg(17);
        let mut next = move || lcg() as usize;
        for _ in 0..3000 {
            let quote = |n: usize, next: &mut dyn FnMut() -> usize| {
                (0..next() % n)
                    .map(|_| vocabulary[next() % vocabulary.len()])
                    .collect::<Vec<_>>()
            };
            let old = quote(12, &mut next);
            // The new quote starts as the old one often does.
            let mut new = old[..next() % (old.len() + 1)].to_vec();
            new.extend(quote(8, &mut next));
            let (old, new) = (old.join(" "), new.join(" "));
            let got: Vec<(String, String)> = word_diff(&old, &new)
                .into_iter()
                .map(|e| (e.op, e.words))
                .collect();
            assert_eq!(got, word_diff_whole_table(&old, &new), "{old:?} → {new:?}");
        }
    }
}
