//! Full-text search: a tantivy index beside the SQLite file (`{store}-search/`).
//!
//! FTS5 ranked every match before returning the best few: at 1M pages a
//! search for a common word ("said", 860k matches) took half a second and
//! grew with the store. tantivy's block-max WAND skips postings that cannot
//! reach the top k, so latency follows k, not the number of matches.
//!
//! The index is derived from the articles table and never the source of
//! truth. Each commit records (in tantivy's commit payload) which store it
//! belongs to and the highest article row number it holds; articles are
//! only ever appended, so "behind" is `rowid > upto`, and a run that stopped
//! between the SQLite commit and the index commit is caught up by the next
//! sync. An index of another store, or ahead of this one (a restored
//! backup), or unreadable, is rebuilt from the articles.

use std::borrow::Cow;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use tantivy::directory::error::LockError;
use tantivy::query::{
    BitSetDocSet, BooleanQuery, BoostQuery, ConstScorer, EnableScoring, Explanation, Occur, Query,
    QueryParser, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{
    BitSet, DocId, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader,
    TantivyDocument, TantivyError, Term,
};

/// Name of the tokenizer: words split at non-alphanumerics, lower-cased,
/// accents folded (what FTS5's `unicode61 remove_diacritics 2` did).
const TOKENIZER: &str = "storyline";

/// Memory for the index writer, shared by its threads. Tantivy flushes a
/// segment when it fills; 2 × 32 MB keeps segments large without weighing
/// on a 1M-page ingest's 4 GiB.
const WRITER_MEMORY: usize = 64 << 20;

/// Articles read from the store per batch while catching up.
pub(crate) const SYNC_BATCH: usize = 20_000;

/// Articles added between index commits: a commit costs a segment and an
/// fsync (one per 1,000-page ingest chunk made the page stage 12% slower
/// at 100k pages), and a killed run redoes at most this many.
const COMMIT_EVERY: usize = 20_000;

/// How long an explicit sync waits for another process's writer (one
/// that is releasing it); an ingest's own syncs never wait.
pub(crate) const WRITER_WAIT: Duration = Duration::from_secs(2);

/// Characters of body text around the matches in a hit's snippet.
const SNIPPET_CHARS: usize = 160;

/// Where a store's search index lives (`{store}-search/`).
pub fn index_dir(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push("-search");
    PathBuf::from(name)
}

/// What a search is limited to besides its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Outlet name, any case.
    pub outlet: Option<String>,
    /// Language code (`en`, `ko`, …).
    pub language: Option<String>,
    /// First publication day, `YYYYMMDD` (undated articles never match a
    /// date limit).
    pub from: Option<u64>,
    /// Last publication day, `YYYYMMDD`, inclusive.
    pub to: Option<u64>,
    /// Only articles naming this entity (name, alias or id, as
    /// [`crate::Store::find_entities`] reads it); no hits when there is none.
    pub entity: Option<String>,
}

/// A date written `YYYY-MM-DD` (a stored publication date, or a date
/// limit) as the index's day number `YYYYMMDD`; `None` for any other form
/// or a day the calendar does not have.
pub fn iso_day(date: &str) -> Option<u64> {
    let b = date.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let d = storyline_model::calendar::parse_date(date.get(..10)?)?;
    Some(u64::try_from(d.year).ok()? * 10_000 + u64::from(d.month) * 100 + u64::from(d.day))
}

/// One article as the index sees it.
pub(crate) struct IndexRow<'a> {
    pub rowid: i64,
    pub title: Option<Cow<'a, str>>,
    pub outlet: Option<Cow<'a, str>>,
    pub language: Option<Cow<'a, str>>,
    pub published: Option<Cow<'a, str>>,
    pub body: Cow<'a, str>,
    /// The names of the entities the article's annotators found, lower-cased.
    pub names: Vec<String>,
}

/// Which store an index belongs to and how far it has got.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Progress {
    pub store: String,
    pub upto: i64,
}

impl Progress {
    /// The highest row indexed, if this is the progress of `store` whose
    /// highest row is `max_row`; `None` for another store's index or one
    /// ahead of this store (a restored backup): it must be rebuilt.
    pub(crate) fn upto_in(&self, store: &str, max_row: i64) -> Option<i64> {
        (self.store == store && self.upto <= max_row).then_some(self.upto)
    }
}

#[derive(Clone, Copy)]
struct Fields {
    row: Field,
    title: Field,
    body: Field,
    outlet: Field,
    language: Field,
    day: Field,
    /// Each article's entity names, lower-cased ([`Only::Names`]).
    names: Field,
}

/// The search index of one store.
pub(crate) struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: Option<PathBuf>,
    writer: Mutex<Option<Writer>>,
    /// Each segment's article rows by document, read on the first search
    /// limited to rows ([`RowsQuery`]).
    rows: RowColumns,
}

/// Segments' `row` columns, decoded: reading the column value by value
/// decodes its block each time (~10 ns), 15 ms a search at 1M pages; the
/// decoded copy is 8 bytes a document and scanned in ~1 ms. Segments never
/// change; those merged away are dropped at the next search.
type RowColumns = std::sync::Arc<
    Mutex<std::collections::HashMap<tantivy::index::SegmentId, std::sync::Arc<Vec<u64>>>>,
>;

/// An open index writer and what it holds that is not committed yet.
pub(crate) struct Writer {
    index: IndexWriter,
    /// Progress once the added documents are committed.
    pending: Option<Progress>,
    uncommitted: usize,
}

impl Writer {
    /// Where indexing goes on from: the uncommitted progress, if any.
    pub(crate) fn pending(&self) -> Option<&Progress> {
        self.pending.as_ref()
    }
}

/// A tantivy error with the index directory named.
pub(crate) fn describe(dir: &Option<PathBuf>, e: impl std::fmt::Display) -> String {
    match dir {
        Some(d) => format!("search index {}: {e}", d.display()),
        None => format!("search index: {e}"),
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        row: b.add_u64_field("row", FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        outlet: b.add_text_field("outlet", STRING),
        language: b.add_text_field("language", STRING),
        day: b.add_u64_field("day", INDEXED | FAST),
        names: b.add_text_field("names", STRING),
    };
    (b.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (or, when it cannot be read,
    /// recreating it: it is rebuilt from the articles).
    pub(crate) fn open(dir: &Path) -> Result<SearchIndex, String> {
        let some = Some(dir.to_path_buf());
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir).map_err(|e| describe(&some, e))?;
        let open = |schema: Schema| -> tantivy::Result<Index> {
            let d = tantivy::directory::MmapDirectory::open(dir)?;
            Index::open_or_create(d, schema)
        };
        let index = match open(schema.clone()) {
            Ok(i) => i,
            // Another process was creating it at the same moment: it is there now.
            Err(TantivyError::LockFailure(..) | TantivyError::IndexAlreadyExists) => {
                open(schema).map_err(|e| describe(&some, e))?
            }
            Err(_) => {
                // Unreadable or of another schema: derived data, so start over.
                std::fs::remove_dir_all(dir).map_err(|e| describe(&some, e))?;
                std::fs::create_dir_all(dir).map_err(|e| describe(&some, e))?;
                open(schema).map_err(|e| describe(&some, e))?
            }
        };
        Self::with_index(index, fields, some)
    }

    /// An index in memory (for in-memory stores).
    pub(crate) fn in_memory() -> SearchIndex {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, None)
            .expect("an in-memory index opens")
    }

    fn with_index(index: Index, fields: Fields, dir: Option<PathBuf>) -> Result<Self, String> {
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| describe(&dir, e))?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            dir,
            writer: Mutex::new(None),
            rows: RowColumns::default(),
        })
    }

    /// `e`, naming the index directory.
    pub(crate) fn err(&self, e: impl std::fmt::Display) -> String {
        describe(&self.dir, e)
    }

    /// The last commit's progress (none: a new index).
    pub(crate) fn progress(&self) -> Result<Option<Progress>, String> {
        let metas = self.index.load_metas().map_err(|e| self.err(e))?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Progress>(&p).ok()))
    }

    /// Documents in the last commit.
    pub(crate) fn num_docs(&self) -> Result<u64, String> {
        self.reader.reload().map_err(|e| self.err(e))?;
        Ok(self.reader.searcher().num_docs())
    }

    /// The writer, opened if needed; waits up to `wait` for another
    /// process's. `None`: still busy.
    pub(crate) fn writer(
        &self,
        wait: Duration,
    ) -> Result<Option<MutexGuard<'_, Option<Writer>>>, String> {
        let mut guard = self.slot()?;
        if guard.is_some() {
            return Ok(Some(guard));
        }
        let start = Instant::now();
        loop {
            match self.index.writer_with_num_threads(2, WRITER_MEMORY) {
                Ok(w) => {
                    *guard = Some(Writer {
                        index: w,
                        pending: None,
                        uncommitted: 0,
                    });
                    return Ok(Some(guard));
                }
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                    if start.elapsed() >= wait {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(self.err(e)),
            }
        }
    }

    /// Adds `rows` (in row order), to be committed with `progress` (every
    /// [`COMMIT_EVERY`] articles, and by [`SearchIndex::flush`]).
    pub(crate) fn add(
        &self,
        writer: &mut Writer,
        rows: &[IndexRow<'_>],
        progress: Progress,
    ) -> Result<(), String> {
        self.add_documents(writer, rows, progress)?;
        self.commit_due(writer)
    }

    /// Adds `rows` with `progress`, committing nothing.
    fn add_documents(
        &self,
        writer: &mut Writer,
        rows: &[IndexRow<'_>],
        progress: Progress,
    ) -> Result<(), String> {
        let f = self.fields;
        for r in rows {
            let mut doc = TantivyDocument::new();
            doc.add_u64(f.row, r.rowid as u64);
            if let Some(t) = &r.title {
                doc.add_text(f.title, t);
            }
            doc.add_text(f.body, &r.body);
            if let Some(o) = &r.outlet {
                doc.add_text(f.outlet, o.to_lowercase());
            }
            if let Some(l) = &r.language {
                doc.add_text(f.language, l);
            }
            if let Some(d) = r.published.as_deref().and_then(iso_day) {
                doc.add_u64(f.day, d);
            }
            for n in &r.names {
                doc.add_text(f.names, n);
            }
            writer.index.add_document(doc).map_err(|e| self.err(e))?;
        }
        writer.pending = Some(progress);
        writer.uncommitted += rows.len();
        Ok(())
    }

    /// Commits once [`COMMIT_EVERY`] articles wait.
    fn commit_due(&self, writer: &mut Writer) -> Result<(), String> {
        if writer.uncommitted >= COMMIT_EVERY {
            self.commit(writer)?;
        }
        Ok(())
    }

    /// Indexes articles the store has added in a transaction it has not
    /// committed yet, when this index's writer is free to open and has
    /// every article up to `after`, the store's highest row before them;
    /// `rows` must be every article added since. They are committed to the
    /// index only after the store commits them ([`SearchIndex::store_committed`]),
    /// and dropped if it rolls them back ([`SearchIndex::discard`]). `false`:
    /// not indexed (the next sync reads them back from the store).
    ///
    /// An ingest indexes each chunk this way as it stores it: reading the
    /// articles back at each commit cost the page stage ~4% of its work and
    /// left the last commit's articles to be indexed after every page was
    /// annotated, with one core idle (~1.1 s at 100k pages).
    pub(crate) fn add_uncommitted(
        &self,
        rows: &[IndexRow<'_>],
        store: &str,
        after: i64,
    ) -> Result<bool, String> {
        // Nothing added: no writer to open.
        let Some(last) = rows.last() else {
            return Ok(true);
        };
        let Some(mut slot) = self.writer(Duration::ZERO)? else {
            return Ok(false);
        };
        let writer = slot.as_mut().expect("writer() opens a writer");
        let progress = self.goes_on_from(writer)?;
        if progress.as_ref().and_then(|p| p.upto_in(store, after)) != Some(after) {
            return Ok(false);
        }
        let progress = Progress {
            store: store.to_string(),
            upto: last.rowid,
        };
        self.add_documents(writer, rows, progress)?;
        Ok(true)
    }

    /// Where indexing with `writer` goes on from: what it holds
    /// uncommitted, else the last commit.
    pub(crate) fn goes_on_from(&self, writer: &Writer) -> Result<Option<Progress>, String> {
        match writer.pending() {
            Some(p) => Ok(Some(p.clone())),
            None => self.progress(),
        }
    }

    /// After the store committed what [`SearchIndex::add_uncommitted`]
    /// indexed: those articles may be committed to the index now.
    pub(crate) fn store_committed(&self) -> Result<(), String> {
        self.with_writer(|w| self.commit_due(w))
    }

    /// Drops what the writer holds uncommitted: the store rolled back
    /// articles [`SearchIndex::add_uncommitted`] indexed (any others it
    /// holds were committed to the store, and the next sync reads them
    /// back).
    pub(crate) fn discard(&self) -> Result<(), String> {
        self.with_writer(|w| {
            if w.pending.take().is_some() {
                w.uncommitted = 0;
                w.index.rollback().map_err(|e| self.err(e))?;
            }
            Ok(())
        })
    }

    /// `f` on the writer, if one is open.
    fn with_writer(&self, f: impl FnOnce(&mut Writer) -> Result<(), String>) -> Result<(), String> {
        match self.slot()?.as_mut() {
            Some(w) => f(w),
            None => Ok(()),
        }
    }

    /// Empties the index (it belonged to another store).
    pub(crate) fn clear(&self, writer: &mut Writer, progress: Progress) -> Result<(), String> {
        writer
            .index
            .delete_all_documents()
            .map_err(|e| self.err(e))?;
        writer.pending = Some(progress);
        self.commit(writer)
    }

    fn commit(&self, writer: &mut Writer) -> Result<(), String> {
        let Some(progress) = writer.pending.take() else {
            return Ok(());
        };
        let mut commit = writer.index.prepare_commit().map_err(|e| self.err(e))?;
        commit.set_payload(&serde_json::to_string(&progress).expect("progress serialises"));
        commit.commit().map_err(|e| self.err(e))?;
        writer.uncommitted = 0;
        self.reader.reload().map_err(|e| self.err(e))
    }

    /// Whether this index has a writer open.
    pub(crate) fn holds_writer(&self) -> bool {
        self.writer.lock().is_ok_and(|w| w.is_some())
    }

    /// The writer's slot (empty: no writer open).
    fn slot(&self) -> Result<MutexGuard<'_, Option<Writer>>, String> {
        self.writer
            .lock()
            .map_err(|_| self.err("writer lock poisoned"))
    }

    /// Commits what the writer holds, if anything, so that searches see it.
    pub(crate) fn flush(&self) -> Result<(), String> {
        self.with_writer(|w| self.commit(w))
    }

    /// Commits, then lets the writer go once its merges are done, so that
    /// another process can index.
    pub(crate) fn release(&self) -> Result<(), String> {
        let mut slot = self.slot()?;
        let Some(w) = slot.as_mut() else {
            return Ok(());
        };
        self.commit(w)?;
        let w = slot.take().expect("the writer is there");
        drop(slot);
        w.index.wait_merging_threads().map_err(|e| self.err(e))
    }

    /// The best `limit` article rows for `query` after the first `offset`
    /// (tantivy query syntax,
    /// parsed leniently: whatever a user types is a query), with `filter`.
    /// Words must all match unless joined by `OR`.
    /// `only`, when given, limits the articles that may match (to the
    /// filter's entity, as the store resolves it).
    pub(crate) fn search(
        &self,
        query: &str,
        filter: &SearchFilter,
        only: Option<Only<'_>>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<i64>, SnippetMaker), String> {
        self.reader.reload().map_err(|e| self.err(e))?;
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        let (parsed, _errors) = parser.parse_query_lenient(query);
        match self.run(parsed, filter, only, offset, limit) {
            Ok(found) => Ok(found),
            Err(_) => {
                // Lenient parsing still lets through what fails when run
                // (a field that does not exist or is not searchable): the
                // words alone, then.
                let words: Vec<&str> = query
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let (parsed, _errors) = parser.parse_query_lenient(&words.join(" "));
                self.run(parsed, filter, only, offset, limit)
                    .map_err(|e| self.err(e))
            }
        }
    }

    fn run(
        &self,
        text_query: Box<dyn Query>,
        filter: &SearchFilter,
        only: Option<Only<'_>>,
        offset: usize,
        limit: usize,
    ) -> tantivy::Result<(Vec<i64>, SnippetMaker)> {
        let searcher = self.reader.searcher();
        let f = self.fields;
        let mut snippets = SnippetGenerator::create(&searcher, &*text_query, f.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let limited = filter.outlet.is_some()
            || filter.language.is_some()
            || filter.from.is_some()
            || filter.to.is_some()
            || only.is_some();
        let query: Box<dyn Query> = if !limited {
            text_query
        } else {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
            let term = |field: Field, value: &str| -> Box<dyn Query> {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                ))
            };
            if let Some(Only::Names(names)) = only {
                // Scored 0, so that the order is the words'.
                let any = names.iter().map(|n| (Occur::Should, term(f.names, n)));
                let any = BooleanQuery::new(any.collect());
                clauses.push((Occur::Must, Box::new(BoostQuery::new(Box::new(any), 0.0))));
            }
            if let Some(Only::Rows(rows)) = only {
                let live: std::collections::HashSet<tantivy::index::SegmentId> = searcher
                    .segment_readers()
                    .iter()
                    .map(|r| r.segment_id())
                    .collect();
                if let Ok(mut cached) = self.rows.lock() {
                    cached.retain(|id, _| live.contains(id));
                }
                // Scored 0, so that the order is the words'.
                let these = RowsQuery::new(rows, self.rows.clone());
                clauses.push((Occur::Must, Box::new(BoostQuery::new(Box::new(these), 0.0))));
            }
            if let Some(o) = &filter.outlet {
                clauses.push((Occur::Must, term(f.outlet, &o.to_lowercase())));
            }
            if let Some(l) = &filter.language {
                clauses.push((Occur::Must, term(f.language, l)));
            }
            if filter.from.is_some() || filter.to.is_some() {
                let bound = |d: Option<u64>, dflt: u64| {
                    Bound::Included(Term::from_field_u64(f.day, d.unwrap_or(dflt)))
                };
                clauses.push((
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        bound(filter.from, 0),
                        bound(filter.to, u64::MAX),
                    )),
                ));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        let top = searcher.search(
            &*query,
            &TopDocs::with_limit(limit.max(1))
                .and_offset(offset)
                .order_by_score(),
        )?;
        // Each segment's column opened once: opening it per hit cost ~50 µs
        // (66 ms for the 1,281 hits a search within an entity checked).
        let mut columns = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let rows = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64("row")?,
                ),
            };
            if let Some(row) = rows.first(addr.doc_id) {
                out.push(row as i64);
            }
        }
        Ok((out, SnippetMaker(snippets)))
    }
}

/// What a search may match besides its words and filter.
#[derive(Clone, Copy)]
pub(crate) enum Only<'a> {
    /// Articles whose own entity names (lower-cased) include one of these.
    Names(&'a [String]),
    /// These article rows.
    Rows(&'a [u64]),
}

/// The documents of some article rows (an entity's articles): a query a
/// search's words are intersected with.
///
/// Each segment's documents are found by one pass over its `row` column
/// against a bitmap of the rows (~1 ms per 100k documents), which makes a
/// set of documents as small as the rows: the intersection is then led by
/// the smaller side, these or the words' matches. Checking the rows on each
/// document the words match instead took 45 ms for a common word at 1M
/// pages whatever the rows, and looking the rows up in an index (a
/// `TermSetQuery`) walked the whole term dictionary.
#[derive(Clone, Debug)]
struct RowsQuery {
    rows: std::sync::Arc<RowSet>,
    columns: RowColumns,
}

/// Row numbers: a bitmap while they are numbered as SQLite numbers rows
/// it adds (from 1 up), a hash set past [`BITMAP_ROWS`] (8 MB of bitmap).
#[derive(Debug)]
enum RowSet {
    Bits(Vec<u64>),
    Hashed(std::collections::HashSet<u64>),
}

/// Highest row number [`RowSet`] keeps in a bitmap.
const BITMAP_ROWS: u64 = 64 << 20;

impl RowsQuery {
    fn new(rows: &[u64], columns: RowColumns) -> RowsQuery {
        let max = rows.iter().copied().max().unwrap_or(0);
        let set = if max <= BITMAP_ROWS {
            let mut bits = vec![0u64; (max / 64 + 1) as usize];
            for &r in rows {
                bits[(r / 64) as usize] |= 1 << (r % 64);
            }
            RowSet::Bits(bits)
        } else {
            RowSet::Hashed(rows.iter().copied().collect())
        };
        RowsQuery {
            rows: std::sync::Arc::new(set),
            columns,
        }
    }

    fn has(&self, row: u64) -> bool {
        match &*self.rows {
            RowSet::Bits(bits) => bits
                .get((row / 64) as usize)
                .is_some_and(|w| w & (1 << (row % 64)) != 0),
            RowSet::Hashed(set) => set.contains(&row),
        }
    }
}

impl Query for RowsQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for RowsQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let id = reader.segment_id();
        let cached = self.columns.lock().ok().and_then(|c| c.get(&id).cloned());
        let column = match cached {
            Some(c) => c,
            None => {
                let column = reader.fast_fields().u64("row")?;
                let rows: Vec<u64> = (0..reader.max_doc())
                    .map(|doc| column.first(doc).unwrap_or(u64::MAX))
                    .collect();
                let rows = std::sync::Arc::new(rows);
                if let Ok(mut c) = self.columns.lock() {
                    c.insert(id, rows.clone());
                }
                rows
            }
        };
        let mut docs = BitSet::with_max_value(reader.max_doc());
        for (doc, &row) in column.iter().enumerate() {
            if self.has(row) {
                docs.insert(doc as DocId);
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("RowsQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} is not of the rows"
            )))
        }
    }
}

/// Makes a hit's snippet from its body.
pub(crate) struct SnippetMaker(SnippetGenerator);

impl SnippetMaker {
    /// The text around the best-matching passage, matched words in `[` `]`,
    /// `…` where text was cut; the body's opening when only the title
    /// matched.
    pub(crate) fn make(&self, body: &str) -> String {
        let s = self.0.snippet(body);
        let range = s.fragment_range();
        if s.fragment().is_empty() {
            let end = body
                .char_indices()
                .nth(SNIPPET_CHARS)
                .map_or(body.len(), |(i, _)| i);
            let cut = body[..end]
                .rfind(char::is_whitespace)
                .filter(|_| end < body.len());
            let head = body[..cut.unwrap_or(end)].trim_end();
            return if head.len() < body.len() {
                format!("{head}…")
            } else {
                head.to_string()
            };
        }
        let frag = s.fragment();
        let mut out = String::with_capacity(frag.len() + 16);
        if range.start > 0 {
            out.push('…');
        }
        let mut at = 0;
        for h in s.highlighted() {
            out.push_str(&frag[at..h.start]);
            out.push('[');
            out.push_str(&frag[h.start..h.end]);
            out.push(']');
            at = h.end;
        }
        out.push_str(&frag[at..]);
        if range.end < body.len() {
            out.push('…');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_numbers_only_for_real_dates() {
        assert_eq!(iso_day("2025-03-09"), Some(20250309));
        assert_eq!(iso_day("2025-03-09T10:00:00Z"), Some(20250309));
        assert_eq!(iso_day("2025-13-09"), None);
        assert_eq!(iso_day("2025-02-30"), None);
        assert_eq!(iso_day("2025-3-9"), None);
        assert_eq!(iso_day("2025/03/09"), None);
        assert_eq!(iso_day("March 9, 2025"), None);
        assert_eq!(iso_day("yesterday"), None);
        assert_eq!(iso_day("２０２５-03-09"), None);
    }

    #[test]
    fn a_rows_query_matches_the_documents_of_its_rows() {
        let (schema, f) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(TOKENIZER, analyzer());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let far = BITMAP_ROWS + 5;
        for row in (1..=200u64).chain([far]) {
            let mut doc = TantivyDocument::new();
            doc.add_u64(f.row, row);
            doc.add_text(
                f.body,
                if row % 2 == 0 {
                    "harbour quay"
                } else {
                    "harbour"
                },
            );
            w.add_document(doc).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let rows_of = |rows: &[u64], words: &str| -> Vec<u64> {
            let text = QueryParser::for_index(&index, vec![f.body])
                .parse_query(words)
                .unwrap();
            let q = BooleanQuery::new(vec![
                (Occur::Must, text),
                (
                    Occur::Must,
                    Box::new(RowsQuery::new(rows, RowColumns::default())),
                ),
            ]);
            let top = searcher
                .search(&q, &TopDocs::with_limit(1000).order_by_score())
                .unwrap();
            let mut out: Vec<u64> = top
                .into_iter()
                .map(|(_, a)| {
                    let col = searcher
                        .segment_reader(a.segment_ord)
                        .fast_fields()
                        .u64("row")
                        .unwrap();
                    col.first(a.doc_id).unwrap()
                })
                .collect();
            out.sort_unstable();
            out
        };
        // A bitmap; rows no document has are no match.
        assert_eq!(
            rows_of(&[3, 4, 64, 65, 128, 500], "harbour"),
            [3, 4, 64, 65, 128]
        );
        assert_eq!(rows_of(&[3, 4, 64, 65, 128, 500], "quay"), [4, 64, 128]);
        assert!(rows_of(&[], "harbour").is_empty());
        // A row past the bitmap's reach: a hash set.
        assert_eq!(rows_of(&[far, 7, 8], "harbour"), [7, 8, far]);
        assert_eq!(rows_of(&[far, 7, 8], "quay"), [8]);
    }

    #[test]
    fn the_tokenizer_folds_case_and_accents() {
        let mut a = analyzer();
        let mut s = a.token_stream("Señor KIM's Pyŏngyang visit");
        let mut words = Vec::new();
        while s.advance() {
            words.push(s.token().text.clone());
        }
        assert_eq!(words, ["senor", "kim", "s", "pyongyang", "visit"]);
    }
}
