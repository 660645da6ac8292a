//! Pages to an analysis: read → clean → annotate → link, in memory
//! ([`analyze`]) or into a store ([`ingest`]). The CLI (`storyline analyze`,
//! `storyline ingest`) and the server (`POST /api/pages`) both run this.
#![deny(missing_docs)]

use std::collections::HashSet;

use serde::Serialize;
use storyline_ingest::{IngestError, RawDoc};
use storyline_link::StepClock;
use storyline_model::{Analysis, AnnotatedArticle, InputError};
use storyline_store::{Store, StoreError};

/// Pages read, cleaned and annotated in one run.
pub struct Batch {
    /// Content hash and annotated article of each new page.
    pub articles: Vec<(String, AnnotatedArticle)>,
    /// One error per input that could not be read, cleaned or annotated.
    pub errors: Vec<InputError>,
    /// Pages skipped: already `known`, or given twice in this run.
    pub skipped: usize,
}

/// Pages cleaned and annotated at a time: enough to keep both cores busy,
/// few enough that memory stays flat however long the input (an ingest
/// commits many chunks at once: [`IngestOptions::commit_every`]).
pub const CHUNK: usize = 1000;

/// Bytes of page content a chunk holds at most (one page more may pass
/// it): 1,000 HTML pages of ~190 KB were ~190 MB read ahead, and three
/// chunks are alive at once (read, annotated, stored); each chunk's pages
/// came from fresh memory the kernel had to zero. Flattened text (~1 KB a
/// page) stays at [`CHUNK`] pages.
pub const CHUNK_BYTES: usize = 16 << 20;

/// The next chunk of `docs`: up to `pages` pages or [`CHUNK_BYTES`] of
/// content, whichever comes first (read errors count as pages).
fn next_chunk(
    docs: &mut impl Iterator<Item = Result<RawDoc, IngestError>>,
    pages: usize,
) -> Vec<Result<RawDoc, IngestError>> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    while chunk.len() < pages && bytes < CHUNK_BYTES {
        let Some(doc) = docs.next() else { break };
        bytes += doc.as_ref().map_or(0, |d| d.content.len());
        chunk.push(doc);
    }
    chunk
}

/// Cleans and annotates pages in parallel, collecting a per-page error for
/// each failure (one bad page never stops the batch). `known` says whether
/// a content hash is already stored; such pages, and repeats within the
/// run, are skipped. Results come in input order.
pub fn process<E>(
    docs: impl Iterator<Item = Result<RawDoc, IngestError>>,
    mut known: impl FnMut(&str) -> Result<bool, E>,
) -> Result<Batch, E> {
    let mut batch = Batch {
        articles: Vec::new(),
        errors: Vec::new(),
        skipped: 0,
    };
    let mut seen = HashSet::new();
    let mut docs = docs;
    loop {
        let raw = next_chunk(&mut docs, CHUNK);
        if raw.is_empty() {
            break;
        }
        let chunk = process_chunk(raw.into_iter(), &mut known, &mut seen)?;
        batch.articles.extend(chunk.articles);
        batch.errors.extend(chunk.errors);
        batch.skipped += chunk.skipped;
    }
    Ok(batch)
}

/// One chunk of [`process`]: reading and the `known` look-ups in order,
/// cleaning and annotating on all cores.
fn process_chunk<E>(
    docs: impl Iterator<Item = Result<RawDoc, IngestError>>,
    known: &mut impl FnMut(&str) -> Result<bool, E>,
    seen: &mut HashSet<String>,
) -> Result<Batch, E> {
    Ok(annotate_chunk(read_chunk(docs, known, seen)?))
}

/// A chunk read but not yet annotated: pages to do, read errors, skips.
struct Pending {
    todo: Vec<RawDoc>,
    errors: Vec<InputError>,
    skipped: usize,
}

/// Reads a chunk in order, skipping pages `known` or `seen` already.
fn read_chunk<E>(
    docs: impl Iterator<Item = Result<RawDoc, IngestError>>,
    known: &mut impl FnMut(&str) -> Result<bool, E>,
    seen: &mut HashSet<String>,
) -> Result<Pending, E> {
    let mut pending = Pending {
        todo: Vec::new(),
        errors: Vec::new(),
        skipped: 0,
    };
    for r in docs {
        match r {
            Ok(doc) => {
                if known(&doc.hash)? || !seen.insert(doc.hash.clone()) {
                    pending.skipped += 1;
                } else {
                    pending.todo.push(doc);
                }
            }
            Err(e) => pending.errors.push(InputError {
                source: e.source_name.clone(),
                message: e.kind.to_string(),
            }),
        }
    }
    Ok(pending)
}

/// Cleans and annotates a read chunk on all cores, in input order.
fn annotate_chunk(pending: Pending) -> Batch {
    use rayon::prelude::*;
    let Pending {
        todo,
        mut errors,
        skipped,
    } = pending;
    let done: Vec<Result<AnnotatedArticle, InputError>> =
        todo.par_iter().map(annotate_one).collect();
    let mut articles = Vec::with_capacity(done.len());
    for (doc, r) in todo.into_iter().zip(done) {
        match r {
            Ok(a) => articles.push((doc.hash, a)),
            Err(e) => errors.push(e),
        }
    }
    Batch {
        articles,
        errors,
        skipped,
    }
}

/// Cleans and annotates one page.
pub fn annotate_one(doc: &RawDoc) -> Result<AnnotatedArticle, InputError> {
    // A bug triggered by one hostile page must not stop the batch: report it
    // as that page's error.
    let run = std::panic::catch_unwind(|| storyline_clean::clean(doc).map(storyline_nlp::annotate));
    match run {
        Ok(Ok(a)) => Ok(a),
        Ok(Err(e)) => Err(InputError {
            source: doc.source.clone(),
            message: e.to_string(),
        }),
        Err(_) => Err(InputError {
            source: doc.source.clone(),
            message: "internal error while cleaning or annotating this page (please report it)"
                .into(),
        }),
    }
}

/// Runs the whole pipeline in memory.
pub fn analyze(docs: impl Iterator<Item = Result<RawDoc, IngestError>>) -> Analysis {
    let batch = match process(docs, |_| Ok::<bool, std::convert::Infallible>(false)) {
        Ok(b) => b,
        Err(never) => match never {},
    };
    let docs = batch.articles.into_iter().map(|(_, a)| a).collect();
    storyline_link::link(docs, batch.errors)
}

/// What an ingest did.
#[derive(Debug, Serialize)]
pub struct IngestReport {
    /// New articles stored.
    pub added: usize,
    /// Pages whose content was already stored (or repeated in the input).
    pub already_stored: usize,
    /// Pages that could not be read, cleaned or annotated.
    pub failed: usize,
    /// Articles in the store afterwards.
    pub articles: usize,
    /// Events in the store afterwards.
    pub events: usize,
    /// Storylines in the store afterwards.
    pub storylines: usize,
    /// One line per failed page, naming it.
    pub errors: Vec<InputError>,
    /// Seconds spent reading, cleaning, annotating and storing pages.
    pub pages_seconds: f64,
    /// Seconds spent linking the store (0 when nothing was added).
    pub link_seconds: f64,
    /// Seconds of each step of linking, in order: loading the articles,
    /// the steps of [`storyline_link::link_timed`], writing the result.
    pub link_steps: storyline_link::StepTimes,
    /// Whether the store is left with articles not yet linked (an ingest
    /// told not to link): events, entities, quotes and storylines are
    /// those of the last link until [`link`] or a linking ingest runs.
    pub needs_link: bool,
    /// The process's peak resident memory in MiB when the ingest ended
    /// (Linux; `None` elsewhere).
    pub peak_rss_mib: Option<f64>,
}

/// How [`ingest_with_progress`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestOptions {
    /// Pages read and annotated at a time (and held in memory; fewer
    /// when they hold more than [`CHUNK_BYTES`]).
    pub chunk: usize,
    /// Pages stored per transaction, at most (one is committed at least
    /// every [`storyline_store::STAGE_TIME`]): what a killed run can lose.
    pub commit_every: usize,
    /// Link the store once the pages are stored. Off, the pages are stored
    /// and searchable, and the store is marked for a later [`link`]: many
    /// small ingests into a large store then pay for one linking, not one
    /// each.
    pub link: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            chunk: CHUNK,
            commit_every: storyline_store::STAGE_ARTICLES,
            link: true,
        }
    }
}

/// What [`link`] did.
#[derive(Debug, Clone, Serialize)]
pub struct LinkReport {
    /// Whether anything was linked (false: the store was up to date).
    pub linked: bool,
    /// Articles in the store.
    pub articles: usize,
    /// Events in the store afterwards.
    pub events: usize,
    /// Storylines in the store afterwards.
    pub storylines: usize,
    /// Seconds spent linking.
    pub link_seconds: f64,
    /// Seconds of each step, as in [`IngestReport::link_steps`].
    pub link_steps: storyline_link::StepTimes,
}

/// Where an ingest is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading, cleaning, annotating and storing pages; this many read so far.
    Pages {
        /// Pages (and unreadable inputs) seen so far.
        read: usize,
        /// New articles stored so far.
        added: usize,
    },
    /// Linking the whole store (copies, events, storylines, entities).
    Linking {
        /// Articles being linked.
        articles: usize,
    },
    /// A step of that linking ended ([`IngestReport::link_steps`]): minutes
    /// at a million pages, so a display can tell how far it is.
    Linked {
        /// The step that ended.
        step: &'static str,
        /// Steps ended so far, this one included.
        done: usize,
        /// Steps in all ([`LINK_STEPS`]).
        of: usize,
    },
}

/// Steps of linking a store: loading its order, [`storyline_link::STEPS`],
/// then writing the derived tables' indexes and counts.
pub const LINK_STEPS: usize = storyline_link::STEPS.len() + 2;

/// Adds pages to a store and re-links everything: a new page can join an
/// existing event, and the result equals linking all pages at once. Pages
/// already stored (same content) are skipped, so ingesting twice adds
/// nothing.
///
/// Pages are annotated a chunk ([`CHUNK`]) at a time and stored as they
/// are, many chunks per transaction ([`IngestOptions::commit_every`]),
/// then the derived tables are rewritten in one transaction.
/// Killed at any point, the store holds whole articles and a consistent
/// analysis; running the same ingest again skips what was stored, reads
/// the rest and finishes the linking ([`Store::needs_link`]).
pub fn ingest(
    store: &mut Store,
    docs: impl Iterator<Item = Result<RawDoc, IngestError>> + Send,
) -> Result<IngestReport, StoreError> {
    ingest_with_progress(store, docs, IngestOptions::default(), |_| {})
}

/// [`ingest`] as `options` say, telling `progress` after each chunk and
/// before linking.
pub fn ingest_with_progress(
    store: &mut Store,
    docs: impl Iterator<Item = Result<RawDoc, IngestError>> + Send,
    options: IngestOptions,
    mut progress: impl FnMut(Stage) + Send,
) -> Result<IngestReport, StoreError> {
    let chunk = options.chunk.max(1);
    let start = std::time::Instant::now();
    // Articles a stopped run stored but did not index are indexed first.
    store.sync_search()?;
    let mut seen = HashSet::new();
    let (mut added, mut skipped, mut read) = (0, 0, 0);
    let mut errors = Vec::new();
    std::thread::scope(|scope| -> Result<(), StoreError> {
        // Pages are read and parsed (JSON, decompression, content hashes) a
        // chunk ahead on a thread of their own, while the chunk before is
        // annotated: on HTML this was a tenth of the work, done while both
        // cores waited. One chunk waits at most, so memory stays bounded.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<_>>(0);
        let reader = scope.spawn(move || {
            let mut docs = docs;
            loop {
                let raw = next_chunk(&mut docs, chunk);
                if raw.is_empty() || tx.send(raw).is_err() {
                    break;
                }
            }
        });
        // A chunk is stored while the next is annotated: storing is one
        // thread's work, and without the overlap a core idles through it.
        let mut annotated: Option<Batch> = None;
        loop {
            let pending = match rx.recv() {
                Ok(raw) => Some(read_chunk(
                    raw.into_iter(),
                    &mut |hash: &str| store.has_hash(hash),
                    &mut seen,
                )?),
                Err(_) => None,
            };
            if pending.is_none() && annotated.is_none() {
                break;
            }
            let (next, stored) = rayon::join(
                || pending.map(annotate_chunk),
                || match &annotated {
                    Some(b) => store
                        .stage_articles(&b.articles, options.commit_every)
                        .map(Some),
                    None => Ok(None),
                },
            );
            if let (Some(b), Some(n)) = (annotated.take(), stored?) {
                read += b.articles.len() + b.errors.len() + b.skipped;
                added += n;
                // Pages another writer stored after they were looked up
                // (its commit came while this ingest waited for the lock)
                // are not stored twice: they count as already stored.
                skipped += b.skipped + b.articles.len().saturating_sub(n);
                errors.extend(b.errors);
                progress(Stage::Pages { read, added });
            }
            annotated = next;
        }
        drop(rx);
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok(())
    })?;
    store.commit_staged()?;
    // The index writer's merges finish, and its memory and lock go, before
    // linking (the most memory-hungry step) and for other processes.
    store.release_search()?;
    let pages_seconds = start.elapsed().as_secs_f64();
    let (link_seconds, link_steps) = if options.link {
        link_store(store, &mut progress)?
    } else {
        (0.0, Vec::new())
    };
    let (articles, events, storylines) = store.counts()?;
    Ok(IngestReport {
        pages_seconds,
        link_seconds,
        link_steps,
        added,
        already_stored: skipped,
        failed: errors.len(),
        articles,
        events,
        storylines,
        errors,
        needs_link: store.needs_link()?,
        peak_rss_mib: storyline_link::peak_rss_mib(),
    })
}

/// Links a store whose articles changed since it was last linked (an
/// ingest told not to link, or one killed while linking); `force` links it
/// even when up to date (after an upgrade that changed linking). The
/// derived tables are rewritten in one transaction.
pub fn link(
    store: &mut Store,
    force: bool,
    mut progress: impl FnMut(Stage) + Send,
) -> Result<LinkReport, StoreError> {
    if force {
        store.mark_unlinked()?;
    }
    let linked = store.needs_link()?;
    let (link_seconds, link_steps) = link_store(store, &mut progress)?;
    let (articles, events, storylines) = store.counts()?;
    Ok(LinkReport {
        linked,
        articles,
        events,
        storylines,
        link_seconds,
        link_steps,
    })
}

/// Links the store if it needs it: seconds, and seconds per step.
fn link_store(
    store: &mut Store,
    progress: &mut (impl FnMut(Stage) + Send),
) -> Result<(f64, storyline_link::StepTimes), StoreError> {
    let start = std::time::Instant::now();
    let mut load = StepClock::start();
    let mut link_steps = Vec::new();
    if store.needs_link()? {
        let mut docs = StoreDocs {
            order: std::sync::Arc::new(store.link_order()?),
            rows: &*store,
        };
        progress(Stage::Linking {
            articles: docs.order.len(),
        });
        let load = load.step("load");
        // Linking's two halves end their steps on two threads.
        let done = std::sync::Mutex::new((0, &mut *progress));
        let ended = |step: &storyline_link::Step| {
            let mut held = done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (count, progress) = &mut *held;
            *count += 1;
            progress(Stage::Linked {
                step: step.name,
                done: *count,
                of: LINK_STEPS,
            });
        };
        ended(&load);
        // Each part is written as linking finishes it, in one transaction
        // committed at the end.
        let mut sink = StoreSink(store.derived_writer()?);
        let steps = storyline_link::link_source(&mut docs, &mut sink, &ended)?;
        let mut write = StepClock::start();
        sink.0.finish()?;
        let write = write.step("write");
        ended(&write);
        link_steps.push(load);
        link_steps.extend(steps);
        link_steps.push(write);
    }
    Ok((start.elapsed().as_secs_f64(), link_steps))
}

/// Stored bytes of articles [`StoreDocs`] reads per batch at most
/// (flattened text, ~3.5 KB a record, stays at [`storyline_store::LOAD_BATCH`]
/// records). The tests' few pages come a handful at a time, so that
/// linking from a store, which they compare with linking in memory, reads
/// batches of every size.
#[cfg(not(test))]
const VISIT_BYTES: usize = 32 << 20;
#[cfg(test)]
const VISIT_BYTES: usize = 16 << 10;

/// A store's articles as a [`storyline_link::DocSource`]: read again, a
/// batch at a time, at each pass of linking, so a large store is never in
/// memory all at once. Read through the store's connection, or through a
/// second one (a fork).
struct StoreDocs<R> {
    rows: R,
    /// Row numbers in linking order.
    order: std::sync::Arc<Vec<i64>>,
}

/// What [`StoreDocs`] reads articles through.
trait Rows {
    fn annotated_rows(
        &self,
        rows: &[i64],
        max_bytes: usize,
    ) -> Result<Vec<AnnotatedArticle>, StoreError>;
    /// A second, read-only connection for a fork, if there can be one.
    fn reader(&self) -> Result<Option<storyline_store::ArticleReader>, StoreError>;
}

impl Rows for &Store {
    fn annotated_rows(
        &self,
        rows: &[i64],
        max_bytes: usize,
    ) -> Result<Vec<AnnotatedArticle>, StoreError> {
        Store::annotated_rows(self, rows, max_bytes)
    }

    fn reader(&self) -> Result<Option<storyline_store::ArticleReader>, StoreError> {
        self.article_reader()
    }
}

impl Rows for storyline_store::ArticleReader {
    fn annotated_rows(
        &self,
        rows: &[i64],
        max_bytes: usize,
    ) -> Result<Vec<AnnotatedArticle>, StoreError> {
        storyline_store::ArticleReader::annotated_rows(self, rows, max_bytes)
    }

    /// Two threads are all linking uses.
    fn reader(&self) -> Result<Option<storyline_store::ArticleReader>, StoreError> {
        Ok(None)
    }
}

impl<R: Rows> storyline_link::DocSource for StoreDocs<R> {
    type Error = StoreError;
    type Fork = StoreDocs<storyline_store::ArticleReader>;

    fn fork(&self) -> Result<Option<Self::Fork>, StoreError> {
        Ok(self.rows.reader()?.map(|rows| StoreDocs {
            rows,
            order: self.order.clone(),
        }))
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn visit(
        &mut self,
        at: &[usize],
        f: &mut dyn FnMut(usize, &[&AnnotatedArticle]),
    ) -> Result<(), StoreError> {
        // Batches of a few thousand keep each pass's parsed articles small,
        // and so does a bound on their stored bytes: 4,096 WCXB HTML pages
        // (30 KB records, long bodies) were ~350 MB parsed.
        const BATCH: usize = storyline_store::LOAD_BATCH;
        let mut k = 0;
        while k < at.len() {
            let rows: Vec<i64> = at[k..at.len().min(k + BATCH)]
                .iter()
                .map(|&i| self.order[i])
                .collect();
            let docs = self.rows.annotated_rows(&rows, VISIT_BYTES)?;
            let refs: Vec<&AnnotatedArticle> = docs.iter().collect();
            f(k, &refs);
            k += refs.len();
            drop(refs);
            // Freed on all cores: a batch is a few thousand records of many
            // small allocations, and freeing them was one thread's work.
            use rayon::prelude::*;
            docs.into_par_iter().for_each(drop);
        }
        Ok(())
    }
}

/// A store's [`storyline_store::DerivedWriter`] as a [`storyline_link::Sink`].
struct StoreSink<'a>(storyline_store::DerivedWriter<'a>);

impl storyline_link::Sink for StoreSink<'_> {
    type Error = StoreError;

    fn relations(&mut self, rows: Vec<storyline_model::Relation>) -> Result<(), StoreError> {
        self.0.relations(&rows)
    }

    fn events(&mut self, rows: &[storyline_model::Event]) -> Result<(), StoreError> {
        self.0.events(rows)
    }

    fn entities(&mut self, rows: &[storyline_model::Entity]) -> Result<(), StoreError> {
        self.0.entities(rows)
    }

    fn entity_events(
        &mut self,
        rows: &[(&str, &storyline_model::Event)],
    ) -> Result<(), StoreError> {
        self.0.entity_events(rows)
    }

    fn quotes(&mut self, rows: &[storyline_model::Quote]) -> Result<(), StoreError> {
        self.0.quotes(rows)
    }

    fn storylines(&mut self, rows: &[storyline_model::Storyline]) -> Result<(), StoreError> {
        self.0.storylines(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as JSON, sorted: the store and an analysis order them differently.
    fn sorted<T: Serialize>(rows: &[T]) -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect();
        v.sort();
        v
    }

    fn example_paths() -> Vec<std::path::PathBuf> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/pages");
        let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        paths
    }

    /// The store's derived rows are `expected`'s.
    fn assert_linked_as(store: &Store, expected: &Analysis) {
        assert!(!store.needs_link().unwrap());
        assert_eq!(
            sorted(&store.relations().unwrap()),
            sorted(&expected.relations)
        );
        assert_eq!(sorted(&store.events().unwrap()), sorted(&expected.events));
        assert_eq!(
            sorted(&store.storylines().unwrap()),
            sorted(&expected.storylines)
        );
        // The store keeps an entity's mentions in the order their articles
        // were stored; linking, in article id order.
        let by_span = |mut list: Vec<storyline_model::Entity>| {
            for e in &mut list {
                e.mentions
                    .sort_by(|a, b| (&a.article, a.start).cmp(&(&b.article, b.start)));
            }
            sorted(&list)
        };
        assert_eq!(
            by_span(store.entities().unwrap()),
            by_span(expected.entities.clone())
        );
        assert_eq!(
            sorted(&store.quotes(None).unwrap()),
            sorted(&expected.quotes)
        );
        // Each entity's events, as linking handed them to the store, are
        // those of the articles its mentions are in.
        let pairs = storyline_store::entity_events(expected);
        assert!(!pairs.is_empty());
        for en in &expected.entities {
            let mut want: Vec<&storyline_model::Event> = pairs
                .iter()
                .filter(|(id, _)| *id == en.id)
                .map(|(_, ev)| *ev)
                .collect();
            want.sort_by(|a, b| storyline_model::chronological(a, b));
            let want: Vec<&str> = want.iter().map(|e| e.id.as_str()).collect();
            let page = store
                .timeline_page(
                    None,
                    Some(&en.id),
                    &storyline_store::Start::Offset(0),
                    100_000,
                )
                .unwrap()
                .unwrap();
            let (total, got) = (page.total, page.items);
            let got: Vec<&str> = got.iter().map(|e| e.id.as_str()).collect();
            assert_eq!((total, got), (want.len(), want), "{}", en.name);
        }
        assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn linking_a_store_equals_linking_in_memory() {
        let paths = example_paths();
        // In memory, the two halves of linking run at once (the articles
        // are shared with a second thread); an in-memory store has no second
        // connection, so there they run in turn: both give the same rows.
        let expected = analyze(storyline_ingest::read_paths(&paths));
        // The store is filled in two ingests, so the second relinks what the
        // first stored: read again from the store, a pass at a time.
        let mut store = Store::open_in_memory().unwrap();
        assert!(store.article_reader().unwrap().is_none());
        let (first, rest) = paths.split_at(paths.len() / 2);
        ingest(&mut store, storyline_ingest::read_paths(first)).unwrap();
        ingest(&mut store, storyline_ingest::read_paths(rest)).unwrap();
        // The example pages make every kind of row, so none is compared empty.
        assert!(!expected.relations.is_empty());
        assert!(expected.events.len() > 1);
        assert!(!expected.storylines.is_empty());
        assert!(!expected.entities.is_empty());
        assert!(!expected.quotes.is_empty());
        assert_linked_as(&store, &expected);
    }

    #[test]
    fn pages_another_ingest_commits_meanwhile_count_as_already_stored() {
        let paths = example_paths();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        // The first ingest stages every page and holds its transaction open.
        let mut first = Store::open(&db).unwrap();
        let staged = process(storyline_ingest::read_paths(&paths), |h| first.has_hash(h))
            .unwrap()
            .articles;
        let n = staged.len();
        assert!(n > 1);
        assert_eq!(first.stage_articles(&staged, n + 1).unwrap(), n);
        // The second looks the same pages up (not stored yet, as far as it
        // can see), then waits for the write lock until the first commits.
        let second = std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let options = IngestOptions {
                link: false,
                ..Default::default()
            };
            ingest_with_progress(
                &mut store,
                storyline_ingest::read_paths(&paths),
                options,
                |_| {},
            )
            .unwrap()
        });
        std::thread::sleep(std::time::Duration::from_millis(1500));
        first.commit_staged().unwrap();
        let report = second.join().unwrap();
        assert_eq!((report.added, report.already_stored), (0, n));
        assert_eq!(report.articles, n);
    }

    #[test]
    fn linking_tells_each_step_as_it_ends() {
        let paths = example_paths();
        let mut store = Store::open_in_memory().unwrap();
        let mut stages = Vec::new();
        let report = ingest_with_progress(
            &mut store,
            storyline_ingest::read_paths(&paths),
            IngestOptions::default(),
            |stage| stages.push(stage),
        )
        .unwrap();
        // Pages first, then the start of linking, then each step once.
        let start = stages
            .iter()
            .position(|s| matches!(s, Stage::Linking { .. }))
            .expect("linking started");
        assert!(stages[..start]
            .iter()
            .all(|s| matches!(s, Stage::Pages { .. })));
        assert_eq!(
            stages[start],
            Stage::Linking {
                articles: report.articles
            }
        );
        let ended: Vec<(&str, usize, usize)> = stages[start + 1..]
            .iter()
            .map(|s| match *s {
                Stage::Linked { step, done, of } => (step, done, of),
                other => panic!("{other:?} after linking started"),
            })
            .collect();
        let mut names: Vec<&str> = ended.iter().map(|e| e.0).collect();
        assert_eq!((names[0], names[LINK_STEPS - 1]), ("load", "write"));
        assert_eq!(
            ended.iter().map(|e| (e.1, e.2)).collect::<Vec<_>>(),
            (1..=LINK_STEPS)
                .map(|d| (d, LINK_STEPS))
                .collect::<Vec<_>>()
        );
        // The same steps as the report's.
        let mut reported: Vec<&str> = report.link_steps.iter().map(|s| s.name).collect();
        names.sort_unstable();
        reported.sort_unstable();
        assert_eq!(names, reported);
        // Nothing to link: no linking stages.
        let mut again = Vec::new();
        link(&mut store, false, |stage| again.push(stage)).unwrap();
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn a_store_file_links_on_two_connections_as_in_memory() {
        let paths = example_paths();
        let expected = analyze(storyline_ingest::read_paths(&paths));
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        // A file has a second connection: the events half reads through it
        // while the entities half reads and writes through the first.
        assert!(store.article_reader().unwrap().is_some());
        ingest(&mut store, storyline_ingest::read_paths(&paths)).unwrap();
        assert_linked_as(&store, &expected);
    }

    #[test]
    fn ingests_without_linking_then_one_link_equal_linking_each_time() {
        let paths = example_paths();
        let expected = analyze(storyline_ingest::read_paths(&paths));
        let mut store = Store::open_in_memory().unwrap();
        let later = IngestOptions {
            link: false,
            ..Default::default()
        };
        let (first, rest) = paths.split_at(paths.len() / 2);
        for part in [first, rest] {
            let r = ingest_with_progress(
                &mut store,
                storyline_ingest::read_paths(part),
                later,
                |_| {},
            )
            .unwrap();
            assert!(r.needs_link && r.added > 0 && r.link_steps.is_empty());
            // Stored, not linked: no event yet.
            assert_eq!(r.events, 0);
        }
        let r = link(&mut store, false, |_| {}).unwrap();
        assert!(r.linked && r.events == expected.events.len());
        assert_linked_as(&store, &expected);
        // Up to date: nothing to do, unless forced.
        assert!(!link(&mut store, false, |_| {}).unwrap().linked);
        assert!(link(&mut store, true, |_| {}).unwrap().linked);
        assert_linked_as(&store, &expected);
    }

    #[test]
    fn chunks_stop_at_their_page_count_or_their_bytes() {
        use storyline_ingest::{IngestErrorKind, PageKind};
        let page = |k: usize, len: usize| -> Result<RawDoc, IngestError> {
            Ok(RawDoc::new(
                format!("p{k}"),
                PageKind::Html,
                "x".repeat(len),
            ))
        };
        let sizes = |docs: Vec<Result<RawDoc, IngestError>>, pages| {
            let mut docs = docs.into_iter();
            let mut sizes = Vec::new();
            loop {
                let chunk = next_chunk(&mut docs, pages);
                if chunk.is_empty() {
                    return sizes;
                }
                sizes.push(chunk.len());
            }
        };
        // Small pages: the page count.
        let small: Vec<_> = (0..2500).map(|k| page(k, 1_000)).collect();
        assert_eq!(sizes(small, 1000), [1000, 1000, 500]);
        // Large ones: until the bytes reach the bound (that page included).
        let large: Vec<_> = (0..5).map(|k| page(k, CHUNK_BYTES / 2)).collect();
        assert_eq!(sizes(large, 1000), [2, 2, 1]);
        // Errors hold no content: they count as pages only.
        let failed: Vec<_> = (0..3)
            .map(|k| {
                Err(IngestError {
                    source_name: format!("p{k}"),
                    kind: IngestErrorKind::Empty,
                })
            })
            .collect();
        assert_eq!(sizes(failed, 2), [2, 1]);
    }
}
