//! The embedded store: SQLite (bundled) in WAL mode, with a schema version
//! and forward-only migrations, and a tantivy full-text index beside it
//! (`{store}-search/`, derived from the articles: see [`search`]).
//!
//! Articles are the source of truth: each row keeps the clean article and its
//! annotations (JSON) and is never rewritten. Everything derived from many
//! articles — relations, events, storylines, merged entities, quote groups —
//! is replaced as a whole, in the same transaction that adds new articles,
//! so a reader never sees new articles without their events, and a crash
//! leaves the store as it was before the ingest.
//!
//! ```
//! let store = storyline_store::Store::open_in_memory().unwrap();
//! assert_eq!(store.article_count().unwrap(), 0);
//! ```
#![deny(missing_docs)]

mod cursor;
pub mod search;

use cursor::Keyset;
pub use cursor::{Cursor, Page, Start};
pub use search::{iso_day, SearchFilter};

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use search::{IndexRow, Only, Progress, SearchIndex};
use storyline_model::{
    Analysis, AnnotatedArticle, Article, Entity, Event, Mention, Quote, Relation, Storyline,
    TimeMention,
};

/// Forward-only migrations; `PRAGMA user_version` is the number applied.
/// Fills `name_stats`: for each name that several entities share, how
/// many events name any of them (what a timeline of the name counts).
macro_rules! fill_name_stats {
    () => {
        "INSERT INTO name_stats (name, events)
            SELECT n.name, count(DISTINCT x.event)
            FROM entity_names n JOIN entity_events x ON x.entity = n.entity
            WHERE n.name IN (SELECT name FROM entity_names GROUP BY name
                             HAVING count(DISTINCT entity) > 1)
            GROUP BY n.name"
    };
}

/// For each name that several entities share, the events naming any of
/// them, each once, keyed in timeline order as `entity_events` is: what
/// `name_events` holds.
macro_rules! shared_name_events {
    () => {
        "SELECT DISTINCT n.name, x.undated, x.at, x.event
            FROM entity_names n JOIN entity_events x ON x.entity = n.entity
            WHERE n.name IN (SELECT name FROM entity_names GROUP BY name
                             HAVING count(DISTINCT entity) > 1)"
    };
}

/// Fills `name_events` ([`shared_name_events`]), in its key's order.
macro_rules! fill_name_events {
    () => {
        concat!(
            "INSERT INTO name_events (name, undated, at, event) ",
            shared_name_events!(),
            " ORDER BY 1, 2, 3, 4"
        )
    };
}

/// Each entity's count of events, as `entity_stats` keeps it.
macro_rules! entity_counts {
    () => {
        "SELECT entity, count(*) FROM entity_events GROUP BY entity"
    };
}

/// Each shared name's count of events, as `name_stats` keeps it.
macro_rules! name_counts {
    () => {
        "SELECT name, count(*) FROM name_events GROUP BY name"
    };
}

/// A query counting the rows of one query that the other lacks, both ways:
/// 0 when they give the same rows. Each side is read in its own order, with
/// no look-ups.
pub(crate) fn rows_differ(a: &str, b: &str) -> String {
    format!(
        "SELECT (SELECT count(*) FROM ({a} EXCEPT {b})) + (SELECT count(*) FROM ({b} EXCEPT {a}))"
    )
}

const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
    CREATE TABLE articles (
        id          TEXT PRIMARY KEY,
        hash        TEXT NOT NULL UNIQUE,
        source      TEXT NOT NULL,
        url         TEXT,
        title       TEXT,
        outlet      TEXT,
        published   TEXT,
        language    TEXT,
        annotated   TEXT NOT NULL,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE VIRTUAL TABLE articles_fts USING fts5(id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE relations (a TEXT NOT NULL, b TEXT NOT NULL, kind TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (a, b));
    CREATE TABLE events (id TEXT PRIMARY KEY, date TEXT, reported TEXT, json TEXT NOT NULL);
    CREATE TABLE event_articles (event TEXT NOT NULL, article TEXT NOT NULL, PRIMARY KEY (event, article));
    CREATE INDEX event_articles_article ON event_articles(article);
    CREATE TABLE storylines (id TEXT PRIMARY KEY, json TEXT NOT NULL);
    CREATE TABLE entities (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, mentions INTEGER NOT NULL, json TEXT NOT NULL);
    CREATE TABLE entity_names (name TEXT NOT NULL, entity TEXT NOT NULL);
    CREATE INDEX entity_names_name ON entity_names(name);
    CREATE TABLE quotes (id TEXT PRIMARY KEY, article TEXT NOT NULL, speaker TEXT, grp TEXT, json TEXT NOT NULL);
    CREATE INDEX quotes_speaker ON quotes(speaker);
    CREATE TABLE times (article TEXT NOT NULL, start INTEGER NOT NULL, json TEXT NOT NULL);
    "#,
    // 2: the aligned sentences behind each copy/rewrite link.
    r#"
    ALTER TABLE relations ADD COLUMN evidence TEXT;
    "#,
    // 3: per-article look-ups for the event page (quotes, links to copies).
    r#"
    CREATE INDEX quotes_article ON quotes(article);
    CREATE INDEX relations_b ON relations(b);
    "#,
    // 4: events paged newest first without sorting them all.
    r#"
    CREATE INDEX events_when ON events(coalesce(date, reported) IS NULL, coalesce(date, reported) DESC, id);
    "#,
    // 5: entities and quotes paged in their list order; quotes by group.
    r#"
    CREATE INDEX entities_rank ON entities(mentions DESC, name);
    CREATE INDEX quotes_order ON quotes(article, id);
    CREATE INDEX quotes_grp ON quotes(grp);
    "#,
    // 6: whether the derived tables are up to date with the articles.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    "#,
    // 7: the home page asks for the storylines of its events, and list
    // pages for row counts, without reading every row (at 1M pages the
    // home page took 0.27 s, /api/entities 0.36 s, both growing with the
    // store).
    r#"
    CREATE TABLE storyline_events (storyline TEXT NOT NULL, event TEXT NOT NULL);
    CREATE INDEX storyline_events_event ON storyline_events(event);
    INSERT INTO storyline_events SELECT s.id, j.value FROM storylines s, json_each(s.json, '$.events') j;
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'rows.events', count(*) FROM events
        UNION ALL SELECT 'rows.storylines', count(*) FROM storylines
        UNION ALL SELECT 'rows.entities', count(*) FROM entities
        UNION ALL SELECT 'rows.quotes', count(*) FROM quotes;
    "#,
    // 8: an entity's list entry (its first HEAD_MENTIONS mentions) apart from
    // the whole record: the most-named entities carry hundreds of thousands
    // of mentions at 1M pages, and /api/entities parsed them all (0.6 s).
    r#"
    ALTER TABLE entities ADD COLUMN head TEXT;
    UPDATE entities SET head = json_set(json, '$.mentions', json((
        SELECT json_group_array(json(value)) FROM (
            SELECT value FROM json_each(entities.json, '$.mentions') ORDER BY key LIMIT 20))));
    "#,
    // 9: time expressions belong to one article and never change with
    // linking: they are written with the article (relinking rewrote them
    // all, ~a quarter of the rows written at 1M pages) and looked up by
    // article through an index (each look-up read the whole table). An
    // article stored but not yet linked gets its times from its record.
    r#"
    CREATE INDEX times_article ON times(article, start);
    INSERT INTO times (article, start, json)
        SELECT a.id, json_extract(t.value, '$.start'), t.value
        FROM articles a, json_each(a.annotated, '$.times') t
        WHERE NOT EXISTS (SELECT 1 FROM times x WHERE x.article = a.id);
    "#,
    // 10: an entity's list entry before its whole record in the row. SQLite
    // reaches a column after a large one by walking that one's overflow
    // pages: the entity list at 1M pages read the most-named entities'
    // multi-megabyte records to get at their short entries (10 ms a page).
    r#"
    CREATE TABLE entities_v10 (
        id       TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        kind     TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        head     TEXT,
        json     TEXT NOT NULL
    );
    INSERT INTO entities_v10 (id, name, kind, mentions, head, json)
        SELECT id, name, kind, mentions, head, json FROM entities;
    DROP TABLE entities;
    ALTER TABLE entities_v10 RENAME TO entities;
    CREATE INDEX entities_rank ON entities(mentions DESC, name);
    "#,
    // 11: full-text search moves to tantivy (FTS5 ranked every match: half
    // a second for a common word at 1M pages). The store gets an identity
    // so that its index can tell it from another store's file.
    r#"
    DROP TABLE articles_fts;
    INSERT OR IGNORE INTO meta (key, value) VALUES ('store.id', lower(hex(randomblob(16))));
    "#,
    // 12: timelines read a page at a time in the order events happened,
    // for the whole store, a storyline or an entity: /api/timeline sorted
    // every event of the store in memory and answered all of them (643k
    // events, 275 MB of JSON at 1M pages), and an entity's page and
    // timeline looked up every article naming it. `entity_events` holds
    // each (entity, event) pair once, keyed in timeline order: `at` is the
    // event's date, else its report date, '' when it has neither
    // (`undated` then 1, so that undated events come last).
    r#"
    CREATE INDEX events_chrono ON events(coalesce(date, reported) IS NULL, coalesce(date, reported), id);
    CREATE INDEX storyline_events_storyline ON storyline_events(storyline);
    CREATE TABLE entity_events (
        entity  TEXT NOT NULL,
        undated INTEGER NOT NULL,
        at      TEXT NOT NULL,
        event   TEXT NOT NULL,
        PRIMARY KEY (entity, undated, at, event)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO entity_events (entity, undated, at, event)
        SELECT n.id, coalesce(ev.date, ev.reported) IS NULL, coalesce(ev.date, ev.reported, ''), ev.id
        FROM entities n, json_each(n.json, '$.mentions') m
        JOIN event_articles x ON x.article = json_extract(m.value, '$.article')
        JOIN events ev ON ev.id = x.event;
    "#,
    // 13: an entity's mentions as rows, keyed by the entity and the
    // article's row number, apart from its record: the most-named entity's
    // record held 94k mentions at 1M pages, parsed whole to answer one page
    // of them (35 ms) or to filter a search by it; and the search's filter
    // looked only at the text's best 2,000 hits, missing the articles of
    // rarely-named entities ranked lower. Mentions are kept in the order
    // their articles were stored, and an entity's list entry (`head`)
    // carries the first of them.
    r#"
    CREATE TABLE entity_mentions (
        entity     TEXT NOT NULL,
        row        INTEGER NOT NULL,
        span_start INTEGER NOT NULL,
        span_end   INTEGER NOT NULL,
        PRIMARY KEY (entity, row, span_start)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO entity_mentions (entity, row, span_start, span_end)
        SELECT e.id, a.rowid, json_extract(m.value, '$.start'), json_extract(m.value, '$.end')
        FROM entities e, json_each(e.json, '$.mentions') m
        JOIN articles a ON a.id = json_extract(m.value, '$.article')
        ORDER BY 1, 2, 3;
    UPDATE entities SET
        json = json_set(json, '$.mentions', json('[]')),
        head = json_set(json, '$.mentions', json((
            SELECT json_group_array(json_object('article', a.id, 'start', x.span_start, 'end', x.span_end)
                                    ORDER BY x.row, x.span_start)
            FROM (SELECT row, span_start, span_end FROM entity_mentions
                  WHERE entity = entities.id ORDER BY row, span_start LIMIT 20) x
            JOIN articles a ON a.rowid = x.row))),
        mentions = (SELECT count(*) FROM entity_mentions WHERE entity = entities.id);
    "#,
    // 14: how many events name each entity, kept beside them: the count
    // of a much-named entity's range of `entity_events` (74k at 1M pages)
    // took 4 ms on every page of its timeline and on its page.
    r#"
    CREATE TABLE entity_stats (
        entity TEXT PRIMARY KEY,
        events INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO entity_stats (entity, events)
        SELECT entity, count(*) FROM entity_events GROUP BY entity;
    "#,
    // 15: the same for names several entities share: a timeline of such a
    // name counted the union of their events on every page (30 ms for a
    // name of 36 entities at 100k pages).
    concat!(
        "CREATE TABLE name_stats (
            name TEXT PRIMARY KEY,
            events INTEGER NOT NULL
        ) WITHOUT ROWID;",
        fill_name_stats!(),
        ";"
    ),
    // 16: every 64th key of the lists read by offset, so that a page deep
    // in one starts from the nearest kept key (at 1M pages an offset of
    // 300k into the events took 15 ms, walking half their index). Filled
    // as linking fills them, by `fill_marks` after this migration.
    r#"
    CREATE TABLE list_marks (
        list TEXT NOT NULL,
        pos  INTEGER NOT NULL,
        k1, k2, k3,
        PRIMARY KEY (list, pos)
    ) WITHOUT ROWID;
    "#,
    // 17: the timeline of a name several entities share as rows of its
    // own, read as one range like an entity's: merging the entities'
    // ranges on every page took 12–28 ms at 1M pages for a name 532
    // entities share ("co"), growing with their number.
    concat!(
        "CREATE TABLE name_events (
            name    TEXT NOT NULL,
            undated INTEGER NOT NULL,
            at      TEXT NOT NULL,
            event   TEXT NOT NULL,
            PRIMARY KEY (name, undated, at, event)
        ) WITHOUT ROWID;",
        fill_name_events!(),
        ";"
    ),
];

/// The migration after which the lists' marks are first filled.
const MARKS_VERSION: i64 = 16;

impl StoreError {
    /// Whether another connection held the store's write lock past the busy
    /// timeout (another ingest is writing or linking): worth a retry.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Sqlite { error, .. } if busy(error))
    }
}

/// Whether SQLite refused because another connection held a lock.
fn busy(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(e, _)
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// [`Store::annotated_rows`] over a connection.
fn annotated_rows(
    conn: &Connection,
    path: &Path,
    rowids: &[i64],
    max_bytes: usize,
) -> Result<Vec<AnnotatedArticle>> {
    use rayon::prelude::*;
    let mut stmt = conn
        .prepare_cached("SELECT id, annotated FROM articles WHERE rowid = ?1")
        .map_err(|e| sql(path, e))?;
    let mut out = Vec::with_capacity(rowids.len().min(LOAD_BATCH));
    let mut batch: Vec<(String, String)> = Vec::with_capacity(LOAD_BATCH);
    let mut bytes = 0;
    for chunk in rowids.chunks(LOAD_BATCH) {
        batch.clear();
        for &rowid in chunk {
            if bytes >= max_bytes {
                break;
            }
            let row = stmt
                .query_row([rowid], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(|e| sql(path, e))?;
            bytes += row.1.len();
            batch.push(row);
        }
        let parsed: Vec<Result<AnnotatedArticle>> = batch
            .par_iter()
            .map(|(id, json)| parse_at(path, json, format_args!("article {id}")))
            .collect();
        for a in parsed {
            out.push(a?);
        }
        if bytes >= max_bytes {
            break;
        }
    }
    Ok(out)
}

/// Keys bound in one `IN (…)` query: SQLite caps bound parameters.
const KEYS_PER_QUERY: usize = 500;

/// A read-only connection to a store's file ([`Store::article_reader`]).
pub struct ArticleReader {
    conn: Connection,
    path: PathBuf,
}

impl ArticleReader {
    /// [`Store::annotated_rows`], read through this connection.
    pub fn annotated_rows(
        &self,
        rowids: &[i64],
        max_bytes: usize,
    ) -> Result<Vec<AnnotatedArticle>> {
        annotated_rows(&self.conn, &self.path, rowids, max_bytes)
    }
}

/// The page size of stores this build creates (bytes).
const PAGE_SIZE: u32 = 16384;

/// Articles an ingest stores per transaction by default (the most
/// [`Store::stage_articles`] holds before committing)…
pub const STAGE_ARTICLES: usize = 50_000;

/// …and for how long at most it keeps one open: a crash loses what was
/// staged (HTML pages take far longer each than flattened text).
pub const STAGE_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// How long every connection waits for another's lock before failing.
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";

/// Sets up a connection and brings its schema up to date.
fn init(conn: &Connection, path: &Path) -> Result<()> {
    let e = |err| sql(path, err);
    // Reading the schema first turns "file is not a database" into a clear error.
    conn.execute_batch(BUSY_TIMEOUT).map_err(e)?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(e)?;
    // A new store's pages are 16 KiB (SQLite's default is 4): linking
    // rewrites the derived tables in one transaction, so at a million pages
    // their indexes are built and their rows read back through a WAL of
    // gigabytes, and each page read searches the WAL's index once per 4,096
    // frames written; a quarter of the frames, each read once for four
    // pages' worth. Measured on the same 1M pages: relink 226 → 205 s (its
    // write step 31 → 19 s), store 7.8 → 6.9 GB; at 100k pages whole
    // 3,466 → 3,708 pages/s, store 808 → 735 MiB, query latencies the same.
    // A no-op on an existing store, which keeps its page size.
    conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))
        .map_err(e)?;
    // WAL is kept in the file; switching to it needs the file to itself and
    // SQLite does not wait for that, so a process opening a file another is
    // creating (`storyline check` during a first ingest) tries again.
    let mut tries = 0;
    loop {
        match conn.execute_batch("PRAGMA journal_mode = WAL") {
            Ok(()) => break,
            Err(err) if tries < 100 && busy(&err) => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(err) => return Err(e(err)),
        }
    }
    let version_in = |c: &Connection| -> Result<i64> {
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(e)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(version)
    };
    if version_in(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    // Each migration under the write lock, the version read again under
    // it: another process may be creating or migrating the same file (a
    // `storyline check` while an ingest creates the store read version 0,
    // then failed with "table articles already exists").
    loop {
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
                .map_err(e)?;
        let version = version_in(&tx)?;
        let Some(m) = MIGRATIONS.get(version as usize) else {
            return tx.commit().map_err(e);
        };
        tx.execute_batch(m).map_err(e)?;
        if version + 1 == MARKS_VERSION {
            fill_marks(&tx, path)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))
            .map_err(e)?;
        tx.commit().map_err(e)?;
    }
}

/// A stored JSON record of `path`, or a [`StoreError::Corrupt`] naming it.
/// `what` is only formatted for the error (linking parses every article
/// several times).
fn parse_at<T: serde::de::DeserializeOwned>(
    path: &Path,
    json: &str,
    what: impl std::fmt::Display,
) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// The entities a name, alias (case-insensitive) or id stands for, most
/// mentioned first: the end of a query choosing what to read of them.
const NAMED: &str = "FROM entities WHERE id = ?1 OR id IN (SELECT entity FROM entity_names WHERE name = lower(?1)) ORDER BY mentions DESC";

/// A mention from a row's columns article id, start and end, the first at
/// column `at`.
fn mention(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Mention> {
    Ok(Mention {
        article: r.get(at)?,
        start: r.get(at + 1)?,
        end: r.get(at + 2)?,
    })
}

/// The orders of the lists read a page at a time ([`cursor::Keyset`]),
/// each the columns of an index.
///
/// Events newest first, undated last, then by id (the `events_when` index).
const EVENTS: Keyset = Keyset {
    list: "events",
    cols: &[
        ("coalesce(date, reported) IS NULL", false),
        ("coalesce(date, reported)", true),
        ("id", false),
    ],
    marked: Some("events"),
};
const STORYLINES: Keyset = Keyset {
    list: "storylines",
    cols: &[("id", false)],
    marked: Some("storylines"),
};
/// Names are not unique: the row number (last in every index) settles ties.
const ENTITIES: Keyset = Keyset {
    list: "entities",
    cols: &[("mentions", true), ("name", false), ("rowid", false)],
    marked: Some("entities"),
};
const QUOTES: Keyset = Keyset {
    list: "quotes",
    cols: &[("article", false), ("id", false)],
    marked: Some("quotes"),
};
/// Over [`Store::timeline_page`]'s keys.
const TIMELINE: Keyset = Keyset {
    list: "timeline",
    cols: &[("undated", false), ("at", false), ("event", false)],
    marked: Some(WHOLE_TIMELINE),
};
/// The whole store's timeline keys, as [`Store::timeline_page`] reads them.
const WHOLE_TIMELINE: &str =
    "(SELECT coalesce(date, reported) IS NULL AS undated, coalesce(date, reported) AS at,
      id AS event FROM events) k";
const MENTIONS: Keyset = Keyset {
    list: "mentions",
    cols: &[("row", false), ("span_start", false)],
    marked: None,
};
/// The lists whose keys are marked ([`Keyset::marked`]), written when
/// linking rewrites the derived tables.
const MARKED: [&Keyset; 5] = [&EVENTS, &TIMELINE, &STORYLINES, &ENTITIES, &QUOTES];

/// Writes every marked list's marks ([`Keyset::fill_marks`]).
fn fill_marks(conn: &Connection, path: &Path) -> Result<()> {
    for keyset in MARKED {
        if let Some(fill) = keyset.fill_marks() {
            conn.execute_batch(&fill).map_err(|e| sql(path, e))?;
        }
    }
    Ok(())
}

/// The `width` values of a list's key in a row, from column `from` on.
fn key_at(
    r: &rusqlite::Row<'_>,
    from: usize,
    width: usize,
) -> rusqlite::Result<Vec<rusqlite::types::Value>> {
    (from..from + width).map(|i| r.get(i)).collect()
}

/// The distinct names ([`name_term`]) of an article's entities as stored
/// (its `entities` JSON; none if unreadable: `storyline check` reports
/// that): what the search index keeps to find an entity's articles.
fn article_names(json: Option<&str>) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    let named: Vec<Named> = json
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let mut names: Vec<String> = named.into_iter().map(|n| name_term(&n.name)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// An entity name as the search index keeps it: lower-cased, and cut to
/// its first 200 bytes (tantivy drops terms over 64 KB, and a scraped
/// page can make a name of any length; a cut name still finds a superset).
fn name_term(name: &str) -> String {
    let mut t = name.to_lowercase();
    if t.len() > 200 {
        let mut end = 200;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
    }
    t
}

/// Marks the store as needing a re-link ([`Store::needs_link`]).
const MARK_UNLINKED: &str = "INSERT OR REPLACE INTO meta (key, value) VALUES ('linked', '0')";

/// Articles read per batch by [`Store::annotated_rows`] before parsing
/// them in parallel: a caller reading a few thousand at a time asks for
/// this many.
pub const LOAD_BATCH: usize = 4096;

/// Most of the best hits among articles naming an entity's names that a
/// search within the entity checks one by one ([`Store::search_naming`])
/// before it reads the set of the entity's articles instead (the tests'
/// few hundred articles take both ways).
#[cfg(not(test))]
const SCAN_NAMED: usize = 4000;
#[cfg(test)]
const SCAN_NAMED: usize = 160;

/// Mentions an entity's list entry carries ([`Store::entities_page`]).
pub const HEAD_MENTIONS: usize = 20;

/// The tables [`Store::derived_writer`] (and [`Store::commit`]) rewrite
/// (times are written with their article).
const DERIVED: [&str; 13] = [
    "relations",
    "events",
    "event_articles",
    "storylines",
    "storyline_events",
    "entities",
    "entity_names",
    "entity_mentions",
    "entity_events",
    "entity_stats",
    "name_stats",
    "name_events",
    "quotes",
];

/// Derived tables whose row count is kept in `meta` (`rows.{table}`),
/// written with the rows in one transaction.
const COUNTED: &[&str] = &["events", "storylines", "entities", "quotes"];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("{path}: {error}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said. Shown, and so not also given as the error's
        /// source: rusqlite's error names its cause again ("database or
        /// disk is full: Error code 13: database or disk is full").
        error: rusqlite::Error,
    },
    /// The file was written by a newer storyline.
    #[error("{path}: schema version {found} is newer than this storyline supports ({supported}); upgrade storyline")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Version in the file.
        found: i64,
        /// Version we know.
        supported: i64,
    },
    /// The search index could not be read or written (the message names
    /// its directory). The articles are unaffected: the index is rebuilt
    /// from them.
    #[error("{0}")]
    Search(String),
    /// What was handed to the store contradicts what it holds (linking
    /// results naming an article that is not stored); nothing was written.
    #[error("{path}: {message}")]
    Invalid {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A page was asked for after a cursor that is not one of this list's
    /// (the message says why); nothing was read.
    #[error("{0}")]
    BadCursor(String),
    /// A stored JSON column did not parse.
    #[error("{path}: corrupt record {what}: {message}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// Which record.
        what: String,
        /// Parser message.
        message: String,
    },
}

/// Result alias for the store.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A full-text search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Article id.
    pub article: String,
    /// Headline.
    pub title: Option<String>,
    /// Text around the match, with `[` `]` around matched terms.
    pub snippet: String,
}

/// What a [`Store::timeline_page`] was asked about and the store does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// No storyline with that id.
    Storyline,
    /// No entity with that name, alias or id.
    Entity,
}

/// What lists need of an article: who published it, when, under what title.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArticleHead {
    /// Article id.
    pub id: String,
    /// File or URL it was read from.
    pub source: String,
    /// Headline.
    pub title: Option<String>,
    /// Outlet, when known.
    pub outlet: Option<String>,
    /// Publication date.
    pub published: Option<String>,
}

impl ArticleHead {
    /// The outlet, or failing that the source it came from.
    pub fn outlet_or_source(&self) -> &str {
        self.outlet.as_deref().unwrap_or(&self.source)
    }
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    search: SearchIndex,
    /// Articles [`Store::stage_articles`] added in the transaction it
    /// holds open (none open at 0), and since when it is open.
    staged: std::cell::Cell<usize>,
    staged_since: std::cell::Cell<std::time::Instant>,
}

impl Drop for Store {
    fn drop(&mut self) {
        // Articles staged are rolled back with the connection: so are they
        // in the index.
        if self.staged.get() > 0 {
            let _ = self.search.discard();
        }
        // Lets the index writer finish its merges and its lock go; an error
        // here leaves merging to the next writer.
        let _ = self.search.release();
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up
    /// to date.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| sql(path, e))?;
        init(&conn, path)?;
        let search = SearchIndex::open(&search::index_dir(path)).map_err(StoreError::Search)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            search,
            staged: Default::default(),
            staged_since: std::time::Instant::now().into(),
        })
    }

    /// Lets this connection keep up to `mib` MiB of the file's pages in
    /// its own cache (SQLite's default is 2 MiB): a server's queries then
    /// find the indexes' upper pages there instead of copying each from
    /// the OS on every request.
    pub fn cache_pages(&self, mib: usize) -> Result<()> {
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{}", mib * 1024))
            .map_err(|e| self.err(e))
    }

    /// An in-memory store (tests, `analyze`).
    pub fn open_in_memory() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sql(&path, e))?;
        init(&conn, &path)?;
        Ok(Store {
            conn,
            path,
            search: SearchIndex::in_memory(),
            staged: Default::default(),
            staged_since: std::time::Instant::now().into(),
        })
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sql(&self.path, e)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Whether a page with this content hash is stored.
    pub fn has_hash(&self, hash: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM articles WHERE hash = ?1", [hash], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.err(e))
    }

    /// Number of stored articles.
    pub fn article_count(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// How many articles, events and storylines the store holds.
    pub fn counts(&self) -> Result<(usize, usize, usize)> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events), (SELECT count(*) FROM storylines)",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as usize,
                        r.get::<_, i64>(1)? as usize,
                        r.get::<_, i64>(2)? as usize,
                    ))
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Every stored article's row number, in linking order (publication
    /// date, undated last, then id: [`storyline_model::Article`]'s
    /// `published` and `id`, stored in their own columns), for
    /// [`Store::annotated_rows`].
    pub fn link_order(&self) -> Result<Vec<i64>> {
        // Two scans of covering indexes (dates, ids) instead of one of the
        // table, whose rows hold the records.
        let pairs = |query: &str| -> Result<Vec<(i64, String)>> {
            let mut stmt = self.conn.prepare(query).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))
        };
        let mut dates = pairs("SELECT rowid, coalesce(published, '9999') FROM articles")?;
        let mut ids = pairs("SELECT rowid, id FROM articles")?;
        dates.sort_unstable_by_key(|r| r.0);
        ids.sort_unstable_by_key(|r| r.0);
        // Joined by row number: a page stored between the two scans (by
        // another connection) is left for the next linking.
        let mut all: Vec<(i64, String, String)> = Vec::with_capacity(ids.len());
        let mut ids = ids.into_iter().peekable();
        for (rowid, date) in dates {
            while ids.next_if(|(r, _)| *r < rowid).is_some() {}
            if let Some((_, id)) = ids.next_if(|(r, _)| *r == rowid) {
                all.push((rowid, date, id));
            }
        }
        // Sorted here, not by SQL: the same comparison of strings as the
        // linker's, whatever the collation.
        all.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.2.cmp(&b.2)));
        Ok(all.into_iter().map(|(rowid, _, _)| rowid).collect())
    }

    /// The annotated articles at these row numbers ([`Store::link_order`]),
    /// in that order, as far as their stored records come to `max_bytes`
    /// (one at least when `max_bytes` > 0; `usize::MAX`: all of them). The
    /// records are read one by one and parsed on all cores, [`LOAD_BATCH`]
    /// at a time.
    pub fn annotated_rows(
        &self,
        rowids: &[i64],
        max_bytes: usize,
    ) -> Result<Vec<AnnotatedArticle>> {
        annotated_rows(&self.conn, &self.path, rowids, max_bytes)
    }

    /// A second connection to the store's file that reads articles
    /// ([`ArticleReader::annotated_rows`]) on another thread while this
    /// one writes; `None` for an in-memory store, which has no file.
    pub fn article_reader(&self) -> Result<Option<ArticleReader>> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| self.err(e))?;
        conn.execute_batch(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
        Ok(Some(ArticleReader {
            conn,
            path: self.path.clone(),
        }))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, json: &str, what: &str) -> Result<T> {
        parse_at(&self.path, json, what)
    }

    /// Adds new articles (with their content hashes) and replaces every
    /// derived table with `analysis`, in one transaction.
    pub fn commit(
        &mut self,
        new: &[(String, AnnotatedArticle)],
        analysis: &Analysis,
    ) -> Result<()> {
        self.commit_staged()?;
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql(&path, e))?;
        let (added, _) = insert_articles(&tx, &path, new)?;
        write_derived(&tx, &path, analysis)?;
        tx.commit().map_err(|e| sql(&path, e))?;
        if added > 0 {
            self.index_added()?;
        }
        Ok(())
    }

    /// Adds new articles in one transaction (with any that
    /// [`Store::stage_articles`] holds), and marks the store as needing a
    /// re-link ([`Store::needs_link`]) in the same one: an ingest stopped
    /// after this (killed, crashed) is finished by the next run. Returns
    /// how many were not stored before.
    pub fn add_articles(&mut self, new: &[(String, AnnotatedArticle)]) -> Result<usize> {
        self.stage_articles(new, 0)
    }

    /// Adds new articles, and marks the store as needing a re-link, for a
    /// long ingest: they are committed (and indexed for search) once
    /// `commit_at` are held (an ingest's default: [`STAGE_ARTICLES`]) or
    /// the transaction is [`STAGE_TIME`] old, and the rest by
    /// [`Store::commit_staged`]; until then the transaction stays open.
    ///
    /// Every article writes a random leaf of three indexes (its id, its
    /// content hash, its times by article), and a commit writes each
    /// changed page whole to the WAL and, at checkpoints, to the file. At a
    /// million pages a commit per 1,000 articles rewrote about a quarter of
    /// those indexes each time: the storing thread spent 21 of its 31 s per
    /// 100k pages committing, and the cores annotating waited for it.
    /// Dropped with articles staged, the store rolls them back, as a crash
    /// would: the next run stores them again.
    pub fn stage_articles(
        &mut self,
        new: &[(String, AnnotatedArticle)],
        commit_at: usize,
    ) -> Result<usize> {
        if self.staged.get() == 0 {
            self.conn.execute_batch("BEGIN").map_err(|e| self.err(e))?;
            self.staged_since.set(std::time::Instant::now());
        }
        let added = self.search_target().and_then(|(store, before)| {
            let (added, rows) = insert_articles(&self.conn, &self.path, new)?;
            if added > 0 {
                self.conn
                    .execute(MARK_UNLINKED, [])
                    .map_err(|e| self.err(e))?;
            }
            Ok((added, store, before, rows))
        });
        let added = match added {
            Ok((added, store, before, rows)) => {
                let rows: Vec<IndexRow<'_>> = rows
                    .into_iter()
                    .map(|(k, rowid)| index_row(rowid, &new[k].1))
                    .collect();
                // Not indexed now, they are read back at the commit.
                if self.search.add_uncommitted(&rows, &store, before).is_err() {
                    let _ = self.search.discard();
                }
                added
            }
            Err(e) => {
                // What was staged goes, as in a crash; the store stays usable.
                self.staged.set(0);
                let _ = self.conn.execute_batch("ROLLBACK");
                let _ = self.search.discard();
                return Err(e);
            }
        };
        // Counted when tried, so that a run of pages stored before still
        // commits now and then.
        self.staged.set(self.staged.get() + new.len().max(1));
        if self.staged.get() >= commit_at || self.staged_since.get().elapsed() >= STAGE_TIME {
            self.commit_staged()?;
        }
        Ok(added)
    }

    /// Commits (and indexes for search) what [`Store::stage_articles`]
    /// holds. Whatever starts a transaction of its own calls it first.
    pub fn commit_staged(&self) -> Result<()> {
        if self.staged.get() == 0 {
            return Ok(());
        }
        self.staged.set(0);
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            let _ = self.search.discard();
            return Err(self.err(e));
        }
        self.index_added()?;
        self.search.store_committed().map_err(StoreError::Search)
    }

    /// Brings the search index up to date with the articles (after a run
    /// that stopped between storing and indexing, a migration, or a copied
    /// store file). Returns how many articles it indexed: none when another
    /// process still holds the index writer after a short wait — that
    /// process is indexing, and its next sync takes in every article past
    /// the last commit, these too. The writer is kept until
    /// [`Store::release_search`] (or the store is dropped), so that an
    /// ingest indexes chunk after chunk without reopening it.
    pub fn sync_search(&self) -> Result<usize> {
        Ok(self.sync_search_within(search::WRITER_WAIT)?.unwrap_or(0))
    }

    /// [`Store::sync_search`] before searching or serving, then lets the
    /// writer go: `announce` is told first how many articles will be
    /// indexed when there are enough to take a while (a store from before
    /// the index, or a run stopped between storing and indexing). Returns
    /// how many it indexed.
    pub fn catch_up_search(&self, announce: impl FnOnce(usize)) -> Result<usize> {
        let behind = self.search_behind()?;
        if behind >= 10_000 {
            announce(behind);
        }
        let indexed = if behind > 0 { self.sync_search()? } else { 0 };
        self.release_search()?;
        Ok(indexed)
    }

    /// [`Store::sync_search`] after storing articles: never waits (an
    /// ingest in another process holds the writer for its whole page
    /// stage, and will index these).
    fn index_added(&self) -> Result<()> {
        self.sync_search_within(std::time::Duration::ZERO).map(drop)
    }

    /// Articles stored but not yet in the search index.
    pub fn search_behind(&self) -> Result<usize> {
        let (store, max_row) = self.search_target()?;
        let progress = self.search.progress().map_err(StoreError::Search)?;
        let upto = progress
            .and_then(|p| p.upto_in(&store, max_row))
            .unwrap_or(0);
        self.conn
            .query_row(
                "SELECT count(*) FROM articles WHERE rowid > ?1",
                [upto],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// Lets the search index writer go (after its merges), for another
    /// process to index.
    pub fn release_search(&self) -> Result<()> {
        self.search.release().map_err(StoreError::Search)
    }

    /// This store's identity and its highest article row.
    fn search_target(&self) -> Result<(String, i64)> {
        self.conn
            .query_row(
                "SELECT (SELECT value FROM meta WHERE key = 'store.id'),
                        (SELECT coalesce(max(rowid), 0) FROM articles)",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )
            .map_err(|e| self.err(e))
    }

    /// [`Store::sync_search`], waiting at most `wait` for the writer;
    /// `None` when another process still held it.
    fn sync_search_within(&self, wait: std::time::Duration) -> Result<Option<usize>> {
        let (store, max_row) = self.search_target()?;
        let current = |p: &Option<Progress>| p.as_ref().and_then(|p| p.upto_in(&store, max_row));
        // Up to date: no writer needed (whatever this one holds is at
        // least as far as the last commit).
        if current(&self.search.progress().map_err(StoreError::Search)?) == Some(max_row) {
            return Ok(Some(0));
        }
        let Some(mut guard) = self.search.writer(wait).map_err(StoreError::Search)? else {
            return Ok(None);
        };
        let writer = guard.as_mut().expect("writer() opens a writer");
        // Read under the writer's lock (another process may have indexed
        // meanwhile); documents this writer holds uncommitted count.
        let progress = self
            .search
            .goes_on_from(writer)
            .map_err(StoreError::Search)?;
        let mut upto = match current(&progress) {
            Some(upto) => upto,
            None => {
                let fresh = Progress {
                    store: store.clone(),
                    upto: 0,
                };
                self.search
                    .clear(writer, fresh)
                    .map_err(StoreError::Search)?;
                0
            }
        };
        if upto == max_row {
            return Ok(Some(0));
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT rowid, title, outlet, language, published,
                        coalesce(json_extract(annotated, '$.article.body'), ''),
                        json_extract(annotated, '$.entities')
                 FROM articles WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut indexed = 0;
        loop {
            let rows = stmt
                .query_map(params![upto, search::SYNC_BATCH as i64], |r| {
                    let owned = |s: Option<String>| s.map(Cow::Owned);
                    Ok(IndexRow {
                        rowid: r.get(0)?,
                        title: owned(r.get(1)?),
                        outlet: owned(r.get(2)?),
                        language: owned(r.get(3)?),
                        published: owned(r.get(4)?),
                        body: Cow::Owned(r.get(5)?),
                        names: article_names(r.get::<_, Option<String>>(6)?.as_deref()),
                    })
                })
                .map_err(|e| self.err(e))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| self.err(e))?;
            let Some(last) = rows.last() else { break };
            upto = last.rowid;
            let progress = Progress {
                store: store.clone(),
                upto,
            };
            self.search
                .add(writer, &rows, progress)
                .map_err(StoreError::Search)?;
            indexed += rows.len();
        }
        Ok(Some(indexed))
    }

    /// Starts replacing every derived table, a part at a time, in one
    /// transaction that [`DerivedWriter::finish`] commits; reading articles
    /// meanwhile is fine (it is the same connection).
    pub fn derived_writer(&self) -> Result<DerivedWriter<'_>> {
        self.commit_staged()?;
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let rows = DerivedRows::begin(&tx, &self.path)?;
        Ok(DerivedWriter {
            tx,
            path: self.path.clone(),
            rows,
        })
    }

    /// Marks the store for re-linking, as adding articles does: the next
    /// link rewrites the derived tables even though no article changed.
    pub fn mark_unlinked(&self) -> Result<()> {
        self.conn
            .execute(MARK_UNLINKED, [])
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Whether articles were added since the derived tables were last
    /// written (an ingest that stopped before linking, or one told not to
    /// link), or the store was marked ([`Store::mark_unlinked`]).
    pub fn needs_link(&self) -> Result<bool> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = 'linked'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .map(|v| v.as_deref() == Some("0"))
            .map_err(|e| self.err(e))
    }

    fn json_rows<T: serde::de::DeserializeOwned>(
        &self,
        query: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(query).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let json = row.map_err(|e| self.err(e))?;
            out.push(self.parse(&json, query)?);
        }
        Ok(out)
    }

    /// One page of the events in the order they happened
    /// ([`storyline_model::chronological`]), only those of `storyline` and
    /// naming `entity` (name, alias or id: every entity so called) when
    /// given, and how many there are. Read in that order from an index,
    /// so a page costs the same in a store of any size. The inner `Err`
    /// says which of the two the store does not hold.
    pub fn timeline_page(
        &self,
        storyline: Option<&str>,
        entity: Option<&str>,
        start: &Start,
        limit: usize,
    ) -> Result<std::result::Result<Page<Event>, Unknown>> {
        if let Some(id) = storyline {
            let known = self
                .conn
                .prepare_cached("SELECT 1 FROM storylines WHERE id = ?1")
                .and_then(|mut s| s.exists([id]))
                .map_err(|e| self.err(e))?;
            if !known {
                return Ok(Err(Unknown::Storyline));
            }
        }
        // Each filter is a set of (undated, at, event) keys in timeline
        // order, counted, then a page of it read with the events' records.
        let ids;
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
        // A name several entities share (and no entity's id): its own
        // range, kept by linking, without reading which entities share it
        // (532 for "co" at 1M pages). Within a storyline the entities'
        // ranges are joined below instead.
        let shared = match (storyline, entity) {
            (None, Some(name)) => self
                .conn
                .prepare_cached(
                    "SELECT events FROM name_stats WHERE name = lower(?1)
                     AND NOT EXISTS (SELECT 1 FROM entities WHERE id = ?1)",
                )
                .and_then(|mut s| s.query_row([name], |r| r.get::<_, i64>(0)).optional())
                .map_err(|e| self.err(e))?,
            _ => None,
        };
        let (from, total) = match (storyline, entity, shared) {
            (None, None, _) => (WHOLE_TIMELINE.to_string(), self.count("events", &[])?),
            (Some(id), None, _) => {
                args.push(&storyline);
                (
                    // CROSS JOIN keeps the storyline's rows the outer loop:
                    // left free, SQLite read the events in timeline order
                    // from a page's key on, checking each for the
                    // storyline (0.8 s for a page of a 5-event one at 1M).
                    "(SELECT coalesce(e.date, e.reported) IS NULL AS undated,
                     coalesce(e.date, e.reported) AS at, e.id AS event
                     FROM storyline_events s CROSS JOIN events e ON e.id = s.event
                     WHERE s.storyline = ?) k"
                        .to_string(),
                    self.count("storyline_events WHERE storyline = ?1", &[&id])?,
                )
            }
            (_, Some(_), Some(total)) => {
                args.push(&entity);
                (
                    "(SELECT undated, at, event FROM name_events WHERE name = lower(?)) k"
                        .to_string(),
                    total as usize,
                )
            }
            (_, Some(name), None) => {
                ids = self.entity_ids(name)?;
                if ids.is_empty() {
                    return Ok(Err(Unknown::Entity));
                }
                // With one entity (the usual case) a range of the key,
                // already distinct (and a query SQLite can fold into the
                // page's, which it cannot do with DISTINCT).
                let distinct = if ids.len() > 1 { "DISTINCT" } else { "" };
                let marks = vec!["?"; ids.len()].join(",");
                let id_args = ids.iter().map(|i| i as &dyn rusqlite::ToSql);
                // Within a storyline, the smaller side leads: a storyline's
                // few events, each looked up in the entities' key (its
                // date and id are the rest of the key), or the entities'
                // events, each checked for the storyline. Led by a
                // much-named entity, a page of a 32-event storyline took
                // 210 ms at 1M.
                let led_by_storyline = match storyline {
                    Some(id) => {
                        let mut named = 0;
                        for e in &ids {
                            named += self.entity_event_count(e)?;
                        }
                        self.count("storyline_events WHERE storyline = ?1", &[&id])? < named
                    }
                    None => false,
                };
                let keys = if led_by_storyline {
                    args.extend(id_args);
                    args.push(&storyline);
                    format!(
                        "SELECT {distinct} x.undated AS undated, x.at AS at, x.event AS event
                         FROM storyline_events s CROSS JOIN events e ON e.id = s.event
                         CROSS JOIN entity_events x ON x.entity IN ({marks})
                            AND x.undated = (coalesce(e.date, e.reported) IS NULL)
                            AND x.at = coalesce(e.date, e.reported, '') AND x.event = e.id
                         WHERE s.storyline = ?"
                    )
                } else {
                    let within = match storyline {
                        Some(_) => {
                            args.push(&storyline);
                            "JOIN storyline_events s ON s.event = x.event AND s.storyline = ?"
                        }
                        None => "",
                    };
                    args.extend(id_args);
                    format!(
                        "SELECT {distinct} x.undated AS undated, x.at AS at, x.event AS event
                         FROM entity_events x {within} WHERE x.entity IN ({marks})"
                    )
                };
                let total = match (storyline, ids.as_slice()) {
                    (None, [id]) => self.entity_event_count(id)?,
                    _ => self
                        .conn
                        .prepare_cached(&format!("SELECT count(*) FROM ({keys})"))
                        .and_then(|mut s| s.query_row(args.as_slice(), |r| r.get::<_, i64>(0)))
                        .map_err(|e| self.err(e))? as usize,
                };
                (format!("({keys}) k"), total)
            }
        };
        // Only the page's events are read: the record is looked up for the
        // rows returned, not for those an offset skips.
        let page = self.keyset_json(
            &TIMELINE,
            "(SELECT json FROM events WHERE id = k.event)",
            &from,
            None,
            &args,
            (start, limit, total),
            "events",
        )?;
        Ok(Ok(page))
    }

    /// How many events name the entity with id `entity` (kept in
    /// `entity_stats` by linking).
    fn entity_event_count(&self, entity: &str) -> Result<usize> {
        self.conn
            .prepare_cached("SELECT events FROM entity_stats WHERE entity = ?1")
            .and_then(|mut s| s.query_row([entity], |r| r.get::<_, i64>(0)).optional())
            .map(|n| n.unwrap_or(0) as usize)
            .map_err(|e| self.err(e))
    }

    /// How many events name the entity with id `entity`, and the newest
    /// `limit` of them in [`Store::events_page`]'s order (by when they
    /// happened, newest first, undated last), read from the entity's range
    /// of `entity_events`: its page costs the same however much it is named.
    pub fn newest_events_of_entity(
        &self,
        entity: &str,
        limit: usize,
    ) -> Result<(usize, Vec<Event>)> {
        let total = self.entity_event_count(entity)?;
        let lim = limit as i64;
        let mut events = self.json_rows(
            "SELECT e.json FROM entity_events x JOIN events e ON e.id = x.event
             WHERE x.entity = ?1 AND x.undated = 0 ORDER BY x.at DESC, x.event LIMIT ?2",
            &[&entity, &lim],
        )?;
        if events.len() < limit {
            let rest = (limit - events.len()) as i64;
            events.extend(self.json_rows::<Event>(
                "SELECT e.json FROM entity_events x JOIN events e ON e.id = x.event
                 WHERE x.entity = ?1 AND x.undated = 1 ORDER BY x.event LIMIT ?2",
                &[&entity, &rest],
            )?);
        }
        Ok((total, events))
    }

    /// One page of [`Store::events`] (same order) and the number of events.
    pub fn events_page(&self, start: &Start, limit: usize) -> Result<Page<Event>> {
        let total = self.count("events", &[])?;
        self.keyset_json(
            &EVENTS,
            "json",
            "events",
            None,
            &[],
            (start, limit, total),
            "events",
        )
    }

    /// One page of storylines (by id) and how many there are.
    pub fn storylines_page(&self, start: &Start, limit: usize) -> Result<Page<Storyline>> {
        let total = self.count("storylines", &[])?;
        self.keyset_json(
            &STORYLINES,
            "json",
            "storylines",
            None,
            &[],
            (start, limit, total),
            "storylines",
        )
    }

    /// One page of entities, most mentioned first, with how many mentions
    /// each has, and how many entities there are.
    ///
    /// Each entity comes with its first [`HEAD_MENTIONS`] mentions only.
    pub fn entities_page(&self, start: &Start, limit: usize) -> Result<Page<(Entity, usize)>> {
        let total = self.count("entities", &[])?;
        let page = self.keyset_rows(
            &ENTITIES,
            "coalesce(head, json), mentions",
            "entities",
            None,
            &[],
            (start, limit, total),
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )?;
        page.try_map(|(json, n)| {
            let mut entity: Entity = self.parse(&json, "entities")?;
            entity.mentions.truncate(HEAD_MENTIONS);
            Ok((entity, n as usize))
        })
    }

    /// One page of quotes (by article), only those of the speakers named
    /// `speaker` and in quote group `group` when given, and how many match.
    pub fn quotes_page(
        &self,
        speaker: Option<&str>,
        group: Option<&str>,
        start: &Start,
        limit: usize,
    ) -> Result<Page<Quote>> {
        let (filter, args) = quotes_filter(&speaker, &group);
        let total = match &filter {
            None => self.count("quotes", &[])?,
            Some(f) => self.count(&format!("quotes WHERE {f}"), &args)?,
        };
        self.keyset_json(
            &QUOTES,
            "json",
            "quotes",
            filter.as_deref(),
            &args,
            (start, limit, total),
            "quotes",
        )
    }

    /// The key at `pos` in the whole of a marked list read from `from`
    /// ([`Keyset::marked`]): the nearest mark at or before it, then the
    /// keys after that one (fewer than [`cursor::MARK_EVERY`]), read from
    /// the key's index. `None` when the marks do not reach `pos`.
    fn marked_key(
        &self,
        keyset: &Keyset,
        from: &str,
        pos: usize,
    ) -> Result<Option<Vec<rusqlite::types::Value>>> {
        let width = keyset.cols.len();
        let mark = pos / cursor::MARK_EVERY * cursor::MARK_EVERY;
        let key = self
            .conn
            .prepare_cached(&keyset.mark_at())
            .and_then(|mut s| {
                let key = s
                    .query_row([mark as i64], |r| key_at(r, 0, width))
                    .optional();
                count_steps(&s);
                key
            })
            .map_err(|e| self.err(e))?;
        let Some(key) = key else {
            return Ok(None);
        };
        let keys = keyset.columns();
        cursor::walk(keyset, key, pos - mark, |cond, order, range, limit| {
            let sql = format!("SELECT {keys} FROM {from} WHERE {cond} ORDER BY {order}");
            self.limited_rows(&sql, &[], range, limit, |r| key_at(r, 0, width))
        })
    }

    /// Up to `limit` rows of `sql` (a `SELECT` to which `LIMIT` is added),
    /// its parameters `args` then `range`'s values, each read by `read`.
    fn limited_rows<T>(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
        range: &[rusqlite::types::Value],
        limit: usize,
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let limit = i64::try_from(limit).unwrap_or(-1);
        let mut all: Vec<&dyn rusqlite::ToSql> = args.to_vec();
        all.extend(range.iter().map(|v| v as &dyn rusqlite::ToSql));
        all.push(&limit);
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{sql} LIMIT ?"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(all.as_slice(), read)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e));
        count_steps(&stmt);
        rows
    }

    /// [`Store::keyset_rows`] of one JSON record (`json`, an expression),
    /// each parsed (`what` names the records in errors).
    #[allow(clippy::too_many_arguments)]
    fn keyset_json<T: serde::de::DeserializeOwned>(
        &self,
        keyset: &Keyset,
        json: &str,
        from: &str,
        filter: Option<&str>,
        args: &[&dyn rusqlite::ToSql],
        at: (&Start, usize, usize),
        what: &str,
    ) -> Result<Page<T>> {
        self.keyset_rows(keyset, json, from, filter, args, at, |r| {
            r.get::<_, String>(0)
        })?
        .try_map(|record| self.parse(&record, what))
    }

    /// One page of `SELECT {payload} FROM {from} WHERE {filter}` in
    /// `keyset`'s order (`filter` may have `?` for `args`), each row read
    /// by `read`; `at` is where the page starts, its length, and the
    /// list's. See [`cursor::page`]: whatever the start, the page is read
    /// from an index on the key, and an offset skips rows of the index
    /// only.
    #[allow(clippy::too_many_arguments)]
    fn keyset_rows<P>(
        &self,
        keyset: &Keyset,
        payload: &str,
        from: &str,
        filter: Option<&str>,
        args: &[&dyn rusqlite::ToSql],
        (start, limit, total): (&Start, usize, usize),
        read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<P>,
    ) -> Result<Page<P>> {
        let keys = keyset.columns();
        let filter = filter.unwrap_or("1");
        let width = keyset.cols.len();
        cursor::page(
            keyset,
            start,
            limit,
            total,
            |cond, order, range, lim| {
                let sql = format!(
                    "SELECT {payload}, {keys} FROM {from} WHERE ({filter}) AND {cond}
                     ORDER BY {order}"
                );
                self.limited_rows(&sql, args, range, lim, |r| {
                    let n = r.as_ref().column_count();
                    Ok((read(r)?, key_at(r, n - width, width)?))
                })
            },
            |backwards, at| {
                // The whole of a marked list: from the nearest mark.
                if keyset.marked == Some(from) && filter == "1" {
                    let pos = if backwards { total - 1 - at } else { at };
                    if let Some(key) = self.marked_key(keyset, from, pos)? {
                        return Ok(Some(key));
                    }
                }
                // Otherwise (or if the marks are missing) skip rows of the
                // index, from the nearer end.
                let order = if backwards {
                    keyset.reversed()
                } else {
                    keyset.order()
                };
                let sql = format!(
                    "SELECT {keys} FROM {from} WHERE {filter} ORDER BY {order} LIMIT 1 OFFSET ?"
                );
                let offset = i64::try_from(at).unwrap_or(i64::MAX);
                let mut all: Vec<&dyn rusqlite::ToSql> = args.to_vec();
                all.push(&offset);
                self.conn
                    .prepare_cached(&sql)
                    .and_then(|mut s| {
                        let key = s
                            .query_row(all.as_slice(), |r| key_at(r, 0, width))
                            .optional();
                        count_steps(&s);
                        key
                    })
                    .map_err(|e| self.err(e))
            },
            StoreError::BadCursor,
        )
    }

    /// Rows of `from` (which may end in a `WHERE` with `?` for `args`). A whole
    /// table's count is kept in meta: count(*) reads every row.
    fn count(&self, from: &str, args: &[&dyn rusqlite::ToSql]) -> Result<usize> {
        if COUNTED.contains(&from) {
            let kept = self
                .conn
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    [format!("rows.{from}")],
                    |r| r.get::<_, String>(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(n) = kept.and_then(|v| v.parse().ok()) {
                return Ok(n);
            }
        }
        self.conn
            .prepare_cached(&format!("SELECT count(*) FROM {from}"))
            .and_then(|mut s| s.query_row(args, |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// Events, most recent first (by when they happened, else reported).
    pub fn events(&self) -> Result<Vec<Event>> {
        self.json_rows(
            &format!("SELECT json FROM events ORDER BY {}", EVENTS.order()),
            &[],
        )
    }

    /// One event.
    pub fn event(&self, id: &str) -> Result<Option<Event>> {
        Ok(self
            .json_rows("SELECT json FROM events WHERE id = ?1", &[&id])?
            .pop())
    }

    /// Events an article belongs to.
    pub fn events_of_article(&self, article: &str) -> Result<Vec<Event>> {
        self.json_rows(
            "SELECT e.json FROM events e JOIN event_articles ea ON ea.event = e.id WHERE ea.article = ?1",
            &[&article],
        )
    }

    /// The rows `query` (given the `?` marks for some of `keys`) returns,
    /// asked for [`KEYS_PER_QUERY`] keys at a time, each row once by `id`.
    fn json_rows_for_keys<T: serde::de::DeserializeOwned>(
        &self,
        keys: &[String],
        query: impl Fn(&str) -> String,
        id: impl Fn(&T) -> &str,
    ) -> Result<Vec<T>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let marks = vec!["?"; chunk.len()].join(",");
            let args: Vec<&dyn rusqlite::ToSql> =
                chunk.iter().map(|a| a as &dyn rusqlite::ToSql).collect();
            for row in self.json_rows::<T>(&query(&marks), &args)? {
                if seen.insert(id(&row).to_string()) {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }

    /// An article's title, outlet and date, read without its text.
    pub fn article_head(&self, id: &str) -> Result<Option<ArticleHead>> {
        self.conn
            .query_row(
                "SELECT id, source, title, outlet, published FROM articles WHERE id = ?1",
                [id],
                |r| {
                    Ok(ArticleHead {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        title: r.get(2)?,
                        outlet: r.get(3)?,
                        published: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The storylines holding any of `events`, each once.
    pub fn storylines_of_events(&self, events: &[String]) -> Result<Vec<Storyline>> {
        self.json_rows_for_keys(
            events,
            |marks| format!("SELECT json FROM storylines WHERE id IN (SELECT storyline FROM storyline_events WHERE event IN ({marks}))"),
            |st: &Storyline| &st.id,
        )
    }

    /// Storylines.
    pub fn storylines(&self) -> Result<Vec<Storyline>> {
        self.json_rows("SELECT json FROM storylines ORDER BY id", &[])
    }

    /// One storyline.
    pub fn storyline(&self, id: &str) -> Result<Option<Storyline>> {
        Ok(self
            .json_rows("SELECT json FROM storylines WHERE id = ?1", &[&id])?
            .pop())
    }

    /// One article (clean text and metadata).
    pub fn article(&self, id: &str) -> Result<Option<Article>> {
        Ok(self.annotated(id)?.map(|a| a.article))
    }

    /// One article with its annotations.
    pub fn annotated(&self, id: &str) -> Result<Option<AnnotatedArticle>> {
        Ok(self
            .json_rows("SELECT annotated FROM articles WHERE id = ?1", &[&id])?
            .pop())
    }

    /// Copy and rewrite links.
    pub fn relations(&self) -> Result<Vec<Relation>> {
        self.relation_rows(
            "SELECT a, b, kind, score, evidence FROM relations ORDER BY a, b",
            &[],
        )
    }

    /// Links whose both ends are among `articles` (indexed look-ups per
    /// article, for pages about one event).
    pub fn relations_among(&self, articles: &[String]) -> Result<Vec<Relation>> {
        let mut out = Vec::new();
        for a in articles {
            out.extend(
                self.relation_rows(
                    "SELECT a, b, kind, score, evidence FROM relations WHERE a = ?1 ORDER BY b",
                    &[a],
                )?
                .into_iter()
                .filter(|r| articles.contains(&r.b)),
            );
        }
        Ok(out)
    }

    /// Quotes found in one article.
    pub fn quotes_of_article(&self, article: &str) -> Result<Vec<Quote>> {
        self.json_rows(
            "SELECT json FROM quotes WHERE article = ?1 ORDER BY id",
            &[&article],
        )
    }

    fn relation_rows(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Relation>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (a, b, kind, score, evidence) = row.map_err(|e| self.err(e))?;
            let kind = self.parse(&format!("\"{kind}\""), "relation kind")?;
            let evidence = match evidence {
                Some(json) => self.parse(&json, "relation evidence")?,
                // Links stored before schema 2 carry none.
                None => Vec::new(),
            };
            out.push(Relation {
                a,
                b,
                kind,
                score: score as f32,
                evidence,
            });
        }
        Ok(out)
    }

    /// Entities, most mentioned first, each with all its mentions.
    pub fn entities(&self) -> Result<Vec<Entity>> {
        let mut all: Vec<Entity> = self.json_rows(
            "SELECT json FROM entities ORDER BY mentions DESC, name",
            &[],
        )?;
        let at: HashMap<String, usize> = all
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.entity, a.id, m.span_start, m.span_end
                 FROM entity_mentions m JOIN articles a ON a.rowid = m.row
                 ORDER BY m.entity, m.row, m.span_start",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, mention(r, 1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (entity, m) = row.map_err(|e| self.err(e))?;
            if let Some(&i) = at.get(&entity) {
                all[i].mentions.push(m);
            }
        }
        Ok(all)
    }

    /// Entities whose name or alias is `name` (case-insensitive), or whose
    /// id it is, each with all its mentions.
    pub fn find_entities(&self, name: &str) -> Result<Vec<Entity>> {
        let mut found: Vec<Entity> = self.json_rows(&format!("SELECT json {NAMED}"), &[&name])?;
        for e in &mut found {
            e.mentions = self
                .entity_mentions(&e.id, &Start::Offset(0), usize::MAX)?
                .items;
        }
        Ok(found)
    }

    /// The most mentioned entity whose name or alias is `name`, or whose id
    /// it is, without its mentions, and how many it has.
    pub fn entity_head(&self, name: &str) -> Result<Option<(Entity, usize)>> {
        let query = format!("SELECT json, mentions {NAMED} LIMIT 1");
        let row = self
            .conn
            .prepare_cached(&query)
            .and_then(|mut s| {
                s.query_row([name], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()
            })
            .map_err(|e| self.err(e))?;
        row.map(|(json, n)| Ok((self.parse(&json, &query)?, n as usize)))
            .transpose()
    }

    /// The mentions of entity `id` (none if there is no such entity), in
    /// the order their articles were stored, a page of `limit` from
    /// `start`: read from an index, whatever the entity's size.
    pub fn entity_mentions(&self, id: &str, start: &Start, limit: usize) -> Result<Page<Mention>> {
        let total = self
            .conn
            .prepare_cached("SELECT mentions FROM entities WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get::<_, i64>(0)).optional())
            .map_err(|e| self.err(e))?
            .unwrap_or(0) as usize;
        // The article's id is looked up for the rows returned only (an
        // offset's rows joined to it took 140 ms 90k mentions in).
        self.keyset_rows(
            &MENTIONS,
            "(SELECT id FROM articles WHERE rowid = entity_mentions.row), span_start, span_end",
            "entity_mentions",
            Some("entity = ?"),
            &[&id],
            (start, limit, total),
            |r| mention(r, 0),
        )
    }

    /// The row numbers of the articles that mention any of the entities
    /// `ids` (once per mention).
    fn entity_article_rows(&self, ids: &[String]) -> Result<Vec<u64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT row FROM entity_mentions WHERE entity = ?1")
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for id in ids {
            let rows = stmt
                .query_map([id], |r| r.get::<_, i64>(0))
                .map_err(|e| self.err(e))?;
            for row in rows {
                out.push(row.map_err(|e| self.err(e))? as u64);
            }
        }
        Ok(out)
    }

    /// [`Store::find_entities`], each with its first [`HEAD_MENTIONS`]
    /// mentions only: what a page about the entity shows of it.
    pub fn find_entity_heads(&self, name: &str) -> Result<Vec<Entity>> {
        let mut found: Vec<Entity> =
            self.json_rows(&format!("SELECT coalesce(head, json) {NAMED}"), &[&name])?;
        for e in &mut found {
            e.mentions.truncate(HEAD_MENTIONS);
        }
        Ok(found)
    }

    /// The ids of [`Store::find_entities`], without reading the records.
    pub fn entity_ids(&self, name: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT id {NAMED}"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([name], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The id and name of the most mentioned entity called `name` (name or
    /// alias, case-insensitive), without reading its mentions.
    pub fn resolve_name(&self, name: &str) -> Result<Option<(String, String)>> {
        self.conn
            .prepare_cached(
                "SELECT e.id, e.name FROM entity_names n JOIN entities e ON e.id = n.entity
                 WHERE n.name = lower(?1) ORDER BY e.mentions DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Quotes, optionally only those of the speakers named `speaker`.
    pub fn quotes(&self, speaker: Option<&str>) -> Result<Vec<Quote>> {
        let (filter, args) = quotes_filter(&speaker, &None);
        self.json_rows(
            &format!(
                "SELECT json FROM quotes WHERE {} ORDER BY {}",
                filter.as_deref().unwrap_or("1"),
                QUOTES.order()
            ),
            &args,
        )
    }

    /// Time expressions of one article, or of all.
    pub fn times(&self, article: Option<&str>) -> Result<Vec<TimeMention>> {
        match article {
            None => self.json_rows("SELECT json FROM times ORDER BY article, start", &[]),
            Some(a) => self.json_rows(
                "SELECT json FROM times WHERE article = ?1 ORDER BY start",
                &[&a],
            ),
        }
    }

    /// Full-text search over titles and bodies, best first (tantivy query
    /// syntax: all words must match unless joined by `OR`, `"…"` for a
    /// phrase, `-word` to exclude, `title:word`; anything else is read as
    /// words, never an error).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        self.search_filtered(query, &SearchFilter::default(), 0, limit)
    }

    /// [`Store::search`] within `filter`, the `limit` hits after the best
    /// `offset` (pages of results). Articles stored since the index
    /// was last brought up to date are added first, unless another process
    /// is indexing (an ingest: it adds them).
    pub fn search_filtered(
        &self,
        query: &str,
        filter: &SearchFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        // The index commits what it holds below: articles staged are
        // committed first, so that it never holds rows the store could
        // still roll back.
        self.commit_staged()?;
        let held = self.search.holds_writer();
        self.sync_search_within(std::time::Duration::ZERO)?;
        if held {
            // An ingest on this connection: commit what it added so far.
            self.search.flush().map_err(StoreError::Search)?;
        } else {
            // Indexed here, if anything: no need to keep the writer.
            self.release_search()?;
        }
        let found = match &filter.entity {
            None => self
                .search
                .search(query, filter, None, offset, limit)
                .map_err(StoreError::Search)?,
            Some(name) => match self.search_naming(query, filter, name, offset, limit)? {
                Some(found) => found,
                None => return Ok(Vec::new()),
            },
        };
        let (rows, snippets) = found;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, title, coalesce(json_extract(annotated, '$.article.body'), '')
                 FROM articles WHERE rowid = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut hits = Vec::with_capacity(rows.len());
        for row in rows {
            let hit = stmt
                .query_row([row], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some((article, title, body)) = hit {
                hits.push(SearchHit {
                    article,
                    title,
                    snippet: snippets.make(&body),
                });
            }
        }
        Ok(hits)
    }

    /// [`Store::search_filtered`] within the articles naming the entities
    /// `name` stands for (`None` when it stands for none): exact, at a cost
    /// that follows the smaller of the entity and the page.
    fn search_naming(
        &self,
        query: &str,
        filter: &SearchFilter,
        name: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Option<(Vec<i64>, search::SnippetMaker)>> {
        // The entities and how often each is named, in one look-up.
        let found: Vec<(String, i64)> = self
            .conn
            .prepare_cached(&format!("SELECT id, mentions {NAMED}"))
            .and_then(|mut s| {
                s.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.err(e))?;
        if found.is_empty() {
            return Ok(None);
        }
        let ids: Vec<String> = found.into_iter().map(|(id, _)| id).collect();
        // The index keeps each article's own entity names, so the words'
        // best matches among the articles that name the entity under any
        // of its names are one intersection of postings. Another entity
        // can have one of those names too ("Georgia"), so each hit is
        // checked; where too few pass, the set of the entity's article rows
        // limits the search instead (exact, but read whole: 8 ms for an
        // entity in 94k of 1M pages). Either way the page is the best hits
        // that name it, in the words' order.
        let mut names = Vec::new();
        for id in &ids {
            names.extend(self.entity_forms(id)?);
        }
        names.sort_unstable();
        names.dedup();
        let want = offset + limit;
        let mut scan = want.max(1);
        let mut kept = Vec::new();
        let mut checked = 0;
        while scan <= SCAN_NAMED {
            let (rows, snippets) = self
                .search
                .search(query, filter, Some(Only::Names(&names)), 0, scan)
                .map_err(StoreError::Search)?;
            let seen_all = rows.len() < scan;
            // The first hits are the ones the last look checked: the order
            // of the words' hits does not depend on how many are asked for.
            for &row in rows.iter().skip(checked) {
                if self.names_row(&ids, row)? {
                    kept.push(row);
                }
            }
            checked = rows.len();
            if kept.len() >= want || seen_all {
                let page = kept.into_iter().skip(offset).take(limit).collect();
                return Ok(Some((page, snippets)));
            }
            if scan == SCAN_NAMED {
                break;
            }
            scan = scan.saturating_mul(4).min(SCAN_NAMED);
        }
        let rows = self.entity_article_rows(&ids)?;
        self.search
            .search(query, filter, Some(Only::Rows(&rows)), offset, limit)
            .map(Some)
            .map_err(StoreError::Search)
    }

    /// An entity's name and aliases as the search index keeps articles'
    /// entity names ([`name_term`]; none for an unknown id).
    fn entity_forms(&self, id: &str) -> Result<Vec<String>> {
        let found: Option<(String, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT name, json_extract(json, '$.aliases') FROM entities WHERE id = ?1",
            )
            .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| self.err(e))?;
        let Some((name, aliases)) = found else {
            return Ok(Vec::new());
        };
        let aliases: Vec<String> = match aliases {
            Some(json) => parse_at(&self.path, &json, format_args!("entity {id}"))?,
            None => Vec::new(),
        };
        Ok(std::iter::once(name)
            .chain(aliases)
            .map(|n| name_term(&n))
            .collect())
    }

    /// Whether article row `row` names any of the entities `ids`.
    fn names_row(&self, ids: &[String], row: i64) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM entity_mentions WHERE entity = ?1 AND row = ?2 LIMIT 1")
            .map_err(|e| self.err(e))?;
        for id in ids {
            if stmt.exists(params![id, row]).map_err(|e| self.err(e))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Runs SQLite's integrity check, then storyline's own: annotations
    /// readable, search index complete, events and quotes pointing at stored
    /// articles (no article can be stored twice: its hash is unique). Returns
    /// the problems found, empty if sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        let msgs: Vec<String> = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut problems: Vec<String> = msgs.into_iter().filter(|m| m != "ok").collect();
        if !problems.is_empty() {
            return Ok(problems);
        }
        // The file is sound; now what storyline itself promises.
        let checks = [
            (
                "SELECT count(*) FROM articles WHERE annotated IS NULL OR json_valid(annotated) = 0",
                "articles whose stored annotations are not valid JSON",
            ),
            (
                "SELECT (SELECT coalesce(sum(json_array_length(annotated, '$.times')), 0) FROM articles) - (SELECT count(*) FROM times)",
                "time expressions missing from (or extra in) the times table",
            ),
            (
                "SELECT count(*) FROM event_articles WHERE article NOT IN (SELECT id FROM articles)",
                "event members that are not stored articles",
            ),
            (
                "SELECT count(*) FROM event_articles WHERE event NOT IN (SELECT id FROM events)",
                "event members of no stored event",
            ),
            (
                "SELECT count(*) FROM quotes WHERE article NOT IN (SELECT id FROM articles)",
                "quotes of articles not stored",
            ),
            (
                "SELECT count(*) FROM storyline_events WHERE event NOT IN (SELECT id FROM events) OR storyline NOT IN (SELECT id FROM storylines)",
                "storyline index rows pointing at no stored event or storyline",
            ),
            (
                "SELECT count(*) FROM entity_events x WHERE x.event NOT IN (SELECT id FROM events)
                    OR x.entity NOT IN (SELECT id FROM entities)
                    OR x.at != coalesce((SELECT coalesce(date, reported) FROM events WHERE id = x.event), '')",
                "entity index rows pointing at no stored event or entity, or at another date",
            ),
            (
                // The articles' rows from a small index, not their table:
                // a look-up per mention read the table's pages (15 s at 1M).
                "SELECT (SELECT count(*) FROM (
                    SELECT row FROM entity_mentions
                    EXCEPT SELECT rowid FROM articles INDEXED BY articles_published))
                 + (SELECT count(*) FROM entity_mentions WHERE entity NOT IN (SELECT id FROM entities))",
                "entity mentions in no stored article or of no stored entity",
            ),
            (
                "SELECT count(*) FROM entities e
                    WHERE mentions != (SELECT count(*) FROM entity_mentions WHERE entity = e.id)",
                "entities whose count of mentions differs from their mentions",
            ),
            (
                &rows_differ(
                    "SELECT entity, events FROM entity_stats",
                    entity_counts!(),
                ),
                "entities whose kept count of events differs from their events",
            ),
            (
                &rows_differ(
                    "SELECT name, undated, at, event FROM name_events",
                    shared_name_events!(),
                ),
                "shared names' timeline rows that differ from their entities' events",
            ),
            (
                &rows_differ(
                    "SELECT name, events FROM name_stats",
                    name_counts!(),
                ),
                "shared names whose kept count of events differs from their events",
            ),
            (
                "SELECT count(*) FROM meta m WHERE m.key LIKE 'rows.%' AND CAST(m.value AS INTEGER) != CASE m.key
                    WHEN 'rows.events' THEN (SELECT count(*) FROM events)
                    WHEN 'rows.storylines' THEN (SELECT count(*) FROM storylines)
                    WHEN 'rows.entities' THEN (SELECT count(*) FROM entities)
                    WHEN 'rows.quotes' THEN (SELECT count(*) FROM quotes) END",
                "kept row counts that differ from the rows",
            ),
        ];
        let marks = MARKED.iter().filter_map(|keyset| {
            let what = format!(
                "kept positions of the {} list that differ from its rows",
                keyset.list
            );
            Some((keyset.marks_problems()?, what))
        });
        let checks = checks
            .into_iter()
            .map(|(query, what)| (query.to_string(), what.to_string()))
            .chain(marks);
        for (query, what) in checks {
            let n: i64 = self
                .conn
                .query_row(&query, [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if n != 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        problems.extend(self.search_problem()?);
        Ok(problems)
    }

    /// Whether the search index holds exactly the articles its last commit
    /// claims (being behind is not a problem: the next search or ingest
    /// catches up).
    fn search_problem(&self) -> Result<Option<String>> {
        let (store, max_row) = self.search_target()?;
        // The commit and its document count are read apart: an ingest may
        // commit in between, so read until the commit is the same on both
        // sides of the count.
        let (p, held) = loop {
            let Some(before) = self.search.progress().map_err(StoreError::Search)? else {
                return Ok(None);
            };
            let held = self.search.num_docs().map_err(StoreError::Search)?;
            if self.search.progress().map_err(StoreError::Search)?.as_ref() == Some(&before) {
                break (before, held);
            }
        };
        let Some(upto) = p.upto_in(&store, max_row) else {
            return Ok(Some(self.search.err(
                "belongs to another store or a later state of this one (the next search rebuilds it)",
            )));
        };
        let expected: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM articles WHERE rowid <= ?1",
                [upto],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok((held != expected as u64).then(|| {
            self.search
                .err(format!("holds {held} documents for {expected} articles"))
        }))
    }
}

#[cfg(test)]
thread_local! {
    /// SQLite's virtual-machine steps for the pages read on this thread
    /// ([`Store::keyset_rows`]): tests check that a page reads rows in
    /// proportion to the page, not to the table, whatever plan SQLite picks.
    static PAGE_STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Adds a statement's steps to `PAGE_STEPS` (tests only).
fn count_steps(_stmt: &rusqlite::Statement<'_>) {
    #[cfg(test)]
    PAGE_STEPS.with(|c| {
        let n = _stmt.reset_status(rusqlite::StatementStatus::VmStep);
        c.set(c.get() + n.max(0) as u64)
    });
}

/// The quotes table filtered by speaker (name, alias or entity id) and
/// quote group, with the query's arguments.
fn quotes_filter<'a>(
    speaker: &'a Option<&str>,
    group: &'a Option<&str>,
) -> (Option<String>, Vec<&'a dyn rusqlite::ToSql>) {
    let mut filter = Vec::new();
    let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
    if let Some(s) = speaker {
        filter.push(
            "(speaker IN (SELECT entity FROM entity_names WHERE name = lower(?)) OR speaker = ?)",
        );
        args.push(s);
        args.push(s);
    }
    if let Some(g) = group {
        filter.push("grp = ?");
        args.push(g);
    }
    // None: the whole table, whose count is kept in meta (count(*) reads
    // two million rows at 1M pages).
    ((!filter.is_empty()).then(|| filter.join(" AND ")), args)
}

/// Inserts articles not yet stored (and their times): how many, and the
/// position in `new` and row number of each.
fn insert_articles(
    tx: &Connection,
    path: &Path,
    new: &[(String, AnnotatedArticle)],
) -> Result<(usize, Vec<(usize, i64)>)> {
    let e = |err| sql(path, err);
    let mut count = 0;
    let mut rows = Vec::new();
    let mut ins = tx
            .prepare(
                "INSERT OR IGNORE INTO articles (id, hash, source, url, title, outlet, published, language, annotated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(e)?;
    let mut times = tx
        .prepare("INSERT INTO times (article, start, json) VALUES (?1, ?2, ?3)")
        .map_err(e)?;
    for (k, (hash, a)) in new.iter().enumerate() {
        let art = &a.article;
        let json = serde_json::to_string(a).expect("annotated article serialises");
        let added = ins
            .execute(params![
                art.id,
                hash,
                art.source,
                art.url,
                art.title,
                art.outlet,
                art.published,
                art.language,
                json
            ])
            .map_err(e)?;
        if added == 1 {
            count += 1;
            rows.push((k, tx.last_insert_rowid()));
            for t in &a.times {
                times
                    .execute(params![t.article, t.start, to_json(t)])
                    .map_err(e)?;
            }
        }
    }
    Ok((count, rows))
}

/// What the search index takes of a stored article: what
/// [`Store::sync_search`] reads back of its row.
fn index_row(rowid: i64, a: &AnnotatedArticle) -> IndexRow<'_> {
    let art = &a.article;
    let mut names: Vec<String> = a.entities.iter().map(|n| name_term(&n.name)).collect();
    names.sort_unstable();
    names.dedup();
    IndexRow {
        rowid,
        title: art.title.as_deref().map(Cow::Borrowed),
        outlet: art.outlet.as_deref().map(Cow::Borrowed),
        language: art.language.as_deref().map(Cow::Borrowed),
        published: art.published.as_deref().map(Cow::Borrowed),
        body: Cow::Borrowed(&art.body),
        names,
    }
}

/// Replaces the derived tables with `analysis` and marks the store linked.
fn write_derived(tx: &rusqlite::Transaction<'_>, path: &Path, analysis: &Analysis) -> Result<()> {
    let mut w = DerivedRows::begin(tx, path)?;
    w.relations(tx, path, &analysis.relations)?;
    w.events(tx, path, &analysis.events)?;
    w.storylines(tx, path, &analysis.storylines)?;
    w.entities(tx, path, &analysis.entities)?;
    w.entity_events(tx, path, &entity_events(analysis))?;
    w.quotes(tx, path, &analysis.quotes)?;
    w.finish(tx, path)
}

/// Each entity beside each event of an article that mentions it, once:
/// what linking hands [`DerivedWriter::entity_events`], found here from
/// the entities' mentions and the events' articles.
pub fn entity_events(analysis: &Analysis) -> Vec<(&str, &Event)> {
    let mut of_article: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, ev) in analysis.events.iter().enumerate() {
        for a in &ev.articles {
            of_article.entry(a).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for en in &analysis.entities {
        let mut events: Vec<usize> = en
            .mentions
            .iter()
            .flat_map(|m| of_article.get(m.article.as_str()).into_iter().flatten())
            .copied()
            .collect();
        events.sort_unstable();
        events.dedup();
        out.extend(
            events
                .into_iter()
                .map(|i| (en.id.as_str(), &analysis.events[i])),
        );
    }
    out
}

/// Replaces the derived tables a part at a time, in one transaction
/// ([`Store::derived_writer`]): linking hands each part over as soon as it
/// is final and lets it go, and readers see the old analysis or the new,
/// never a mix. Dropped without [`DerivedWriter::finish`], nothing changes.
pub struct DerivedWriter<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
    rows: DerivedRows,
}

impl DerivedWriter<'_> {
    /// Writes relations.
    pub fn relations(&mut self, rows: &[Relation]) -> Result<()> {
        self.rows.relations(&self.tx, &self.path, rows)
    }

    /// Writes events and their articles.
    pub fn events(&mut self, rows: &[Event]) -> Result<()> {
        self.rows.events(&self.tx, &self.path, rows)
    }

    /// Writes storylines and their events.
    pub fn storylines(&mut self, rows: &[Storyline]) -> Result<()> {
        self.rows.storylines(&self.tx, &self.path, rows)
    }

    /// Writes entities and their names.
    pub fn entities(&mut self, rows: &[Entity]) -> Result<()> {
        self.rows.entities(&self.tx, &self.path, rows)
    }

    /// Writes which events name which entities, as `(entity id, event)`:
    /// each pair once, in any order (fastest by entity id, then in timeline
    /// order), given a part at a time or all at once.
    pub fn entity_events(&mut self, rows: &[(&str, &Event)]) -> Result<()> {
        self.rows.entity_events(&self.tx, &self.path, rows)
    }

    /// Writes quotes.
    pub fn quotes(&mut self, rows: &[Quote]) -> Result<()> {
        self.rows.quotes(&self.tx, &self.path, rows)
    }

    /// Builds the indexes, records the row counts, marks the store linked
    /// and commits.
    pub fn finish(self) -> Result<()> {
        self.rows.finish(&self.tx, &self.path)?;
        self.tx.commit().map_err(|e| sql(&self.path, e))
    }
}

/// The state of a replacement of the derived tables: the secondary indexes
/// to build again at the end, and the rows written to each counted table.
struct DerivedRows {
    indexes: Vec<(String, String)>,
    /// Each article's row number by its id, read when the first entities
    /// come ([`DerivedRows::entities`]).
    rows_of: Option<HashMap<String, i64>>,
    events: usize,
    storylines: usize,
    entities: usize,
    quotes: usize,
}

impl DerivedRows {
    /// Empties the derived tables and drops their secondary indexes.
    fn begin(conn: &rusqlite::Connection, path: &Path) -> Result<DerivedRows> {
        let e = |err| sql(path, err);
        // The derived tables' secondary indexes are dropped and built again
        // after the rows are in: one sorted build is cheaper than keeping
        // several B-trees up to date through millions of inserts. Their
        // definitions come from the schema itself, so they stay what the
        // migrations made.
        let tables = DERIVED.map(|t| format!("'{t}'")).join(", ");
        let indexes: Vec<(String, String)> = {
            let mut q = conn
                .prepare(&format!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                     AND tbl_name IN ({tables}) ORDER BY name"
                ))
                .map_err(e)?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(e)?;
            rows.collect::<rusqlite::Result<_>>().map_err(e)?
        };
        for (name, _) in &indexes {
            conn.execute_batch(&format!("DROP INDEX \"{name}\";"))
                .map_err(e)?;
        }
        for table in DERIVED {
            conn.execute_batch(&format!("DELETE FROM {table};"))
                .map_err(e)?;
        }
        Ok(DerivedRows {
            indexes,
            rows_of: None,
            events: 0,
            storylines: 0,
            entities: 0,
            quotes: 0,
        })
    }

    fn relations(
        &mut self,
        conn: &rusqlite::Connection,
        path: &Path,
        rows: &[Relation],
    ) -> Result<()> {
        let e = |err| sql(path, err);
        let mut s = conn
            .prepare_cached(
                "INSERT INTO relations (a, b, kind, score, evidence) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e)?;
        let rows = in_key_order(rows, |x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        for (r, evidence) in serialised(&rows, |r| to_json(&r.evidence)) {
            s.execute(params![r.a, r.b, r.kind.as_str(), r.score, evidence])
                .map_err(e)?;
        }
        Ok(())
    }

    fn events(&mut self, conn: &rusqlite::Connection, path: &Path, rows: &[Event]) -> Result<()> {
        let e = |err| sql(path, err);
        let mut s = conn
            .prepare_cached("INSERT INTO events (id, date, reported, json) VALUES (?1, ?2, ?3, ?4)")
            .map_err(e)?;
        let mut ea = conn
            .prepare_cached("INSERT OR IGNORE INTO event_articles (event, article) VALUES (?1, ?2)")
            .map_err(e)?;
        let rows = in_key_order(rows, |x, y| x.id.cmp(&y.id));
        for (ev, json) in serialised(&rows, |ev| to_json(*ev)) {
            s.execute(params![ev.id, ev.date, ev.reported, json])
                .map_err(e)?;
            for a in &ev.articles {
                ea.execute(params![ev.id, a]).map_err(e)?;
            }
        }
        self.events += rows.len();
        Ok(())
    }

    fn storylines(
        &mut self,
        conn: &rusqlite::Connection,
        path: &Path,
        rows: &[Storyline],
    ) -> Result<()> {
        let e = |err| sql(path, err);
        let mut s = conn
            .prepare_cached("INSERT INTO storylines (id, json) VALUES (?1, ?2)")
            .map_err(e)?;
        let mut se = conn
            .prepare_cached("INSERT INTO storyline_events (storyline, event) VALUES (?1, ?2)")
            .map_err(e)?;
        let rows = in_key_order(rows, |x, y| x.id.cmp(&y.id));
        for (st, json) in serialised(&rows, |st| to_json(*st)) {
            s.execute(params![st.id, json]).map_err(e)?;
            for ev in &st.events {
                se.execute(params![st.id, ev]).map_err(e)?;
            }
        }
        self.storylines += rows.len();
        Ok(())
    }

    fn entities(
        &mut self,
        conn: &rusqlite::Connection,
        path: &Path,
        rows: &[Entity],
    ) -> Result<()> {
        let e = |err| sql(path, err);
        if self.rows_of.is_none() {
            let mut q = conn.prepare("SELECT id, rowid FROM articles").map_err(e)?;
            let pairs = q
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(e)?;
            self.rows_of = Some(pairs.collect::<rusqlite::Result<_>>().map_err(e)?);
        }
        let rows_of = self.rows_of.as_ref().expect("read above");
        let mut s = conn
            .prepare_cached(
                "INSERT INTO entities (id, name, kind, mentions, json, head) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(e)?;
        let mut names = conn
            .prepare_cached("INSERT INTO entity_names (name, entity) VALUES (?1, ?2)")
            .map_err(e)?;
        let mut mentions = conn
            .prepare_cached(
                "INSERT INTO entity_mentions (entity, row, span_start, span_end) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(e)?;
        let sorted = in_key_order(rows, |x, y| x.id.cmp(&y.id));
        // Each entity's mentions as (article row, start, end), in the order
        // their articles were stored; its record without them, and its
        // list entry with the first few.
        let made = |en: &&Entity| -> std::result::Result<_, String> {
            // (row, start, end, index in the entity's mentions)
            let mut at: Vec<(i64, u32, u32, usize)> = Vec::with_capacity(en.mentions.len());
            for (i, m) in en.mentions.iter().enumerate() {
                let row = rows_of.get(&m.article).ok_or_else(|| {
                    format!(
                        "entity {} is mentioned in article {}, which is not stored",
                        en.id, m.article
                    )
                })?;
                at.push((*row, m.start, m.end, i));
            }
            at.sort_unstable();
            at.dedup_by_key(|m| (m.0, m.1));
            let record = |mentions: Vec<Mention>| {
                to_json(&Entity {
                    id: en.id.clone(),
                    name: en.name.clone(),
                    kind: en.kind,
                    aliases: en.aliases.clone(),
                    role: en.role.clone(),
                    mentions,
                })
            };
            let head = at
                .iter()
                .take(HEAD_MENTIONS)
                .map(|&(.., i)| en.mentions[i].clone())
                .collect();
            Ok((record(Vec::new()), record(head), at))
        };
        for (en, made) in serialised(&sorted, made) {
            let (json, head, at) = made.map_err(|message| StoreError::Invalid {
                path: path.to_path_buf(),
                message,
            })?;
            let kind = serde_json::to_value(en.kind).expect("kind serialises");
            s.execute(params![
                en.id,
                en.name,
                kind.as_str(),
                at.len() as i64,
                json,
                head
            ])
            .map_err(e)?;
            for n in std::iter::once(&en.name).chain(&en.aliases) {
                names.execute(params![n.to_lowercase(), en.id]).map_err(e)?;
            }
            for (row, start, end, _) in at {
                mentions
                    .execute(params![en.id, row, start, end])
                    .map_err(e)?;
            }
        }
        self.entities += rows.len();
        Ok(())
    }

    fn entity_events(
        &mut self,
        conn: &rusqlite::Connection,
        path: &Path,
        rows: &[(&str, &Event)],
    ) -> Result<()> {
        let e = |err| sql(path, err);
        let mut s = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO entity_events (entity, undated, at, event) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(e)?;
        for (entity, ev) in rows {
            let at = ev.when();
            s.execute(params![entity, at.is_none(), at.unwrap_or(""), ev.id])
                .map_err(e)?;
        }
        Ok(())
    }

    fn quotes(&mut self, conn: &rusqlite::Connection, path: &Path, rows: &[Quote]) -> Result<()> {
        let e = |err| sql(path, err);
        let mut s = conn
            .prepare_cached(
                "INSERT INTO quotes (id, article, speaker, grp, json) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e)?;
        let rows = in_key_order(rows, |x, y| x.id.cmp(&y.id));
        for (q, json) in serialised(&rows, |q| to_json(*q)) {
            s.execute(params![q.id, q.article, q.speaker, q.group, json])
                .map_err(e)?;
        }
        self.quotes += rows.len();
        Ok(())
    }

    fn finish(self, conn: &rusqlite::Connection, path: &Path) -> Result<()> {
        let e = |err| sql(path, err);
        // SQLite's sorter may merge on helper threads (off by default):
        // the 12 indexes of the derived tables at 1M pages build in 6.1 s
        // instead of 7.5 with two.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        conn.query_row(&format!("PRAGMA threads = {cores}"), [], |_| Ok(()))
            .map_err(e)?;
        for (_, create) in &self.indexes {
            conn.execute_batch(create).map_err(e)?;
        }
        let mut s = conn
            .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
            .map_err(e)?;
        // Each count named beside its rows (`storyline check` compares them).
        for (table, n) in [
            ("events", self.events),
            ("storylines", self.storylines),
            ("entities", self.entities),
            ("quotes", self.quotes),
        ] {
            debug_assert!(COUNTED.contains(&table));
            s.execute(params![format!("rows.{table}"), n.to_string()])
                .map_err(e)?;
        }
        // One pass over `entity_events` in its key's order (0.7 s at 1M).
        conn.execute_batch(concat!(
            "INSERT INTO entity_stats (entity, events) ",
            entity_counts!()
        ))
        .map_err(e)?;
        conn.execute_batch(fill_name_events!()).map_err(e)?;
        conn.execute_batch(concat!(
            "INSERT INTO name_stats (name, events) ",
            name_counts!()
        ))
        .map_err(e)?;
        // After the indexes: each list's order is read from its own.
        fill_marks(conn, path)?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('linked', '1')",
            [],
        )
        .map_err(e)?;
        Ok(())
    }
}

/// `rows` in the order of their table's key: inserted so, each B-tree is
/// written front to back. In any other order (ids are hashes) each insert
/// lands on a random page of the key's index, and at a million pages those
/// indexes outgrow SQLite's cache: each miss is looked up through a WAL of
/// gigabytes (linking rewrites every derived table in one transaction).
fn in_key_order<T>(rows: &[T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<&T> {
    let mut sorted: Vec<&T> = rows.iter().collect();
    sorted.sort_unstable_by(|a, b| cmp(a, b));
    sorted
}

/// Rows beside what `f` makes of them (their JSON), made on all cores a
/// few thousand at a time as the rows are taken: serialising was most of
/// writing the derived tables, and one thread's work.
fn serialised<'a, T: Sync, J: Send + 'a>(
    rows: &'a [T],
    f: impl Fn(&T) -> J + Sync + 'a,
) -> impl Iterator<Item = (&'a T, J)> + 'a {
    use rayon::prelude::*;
    const AT_ONCE: usize = 4096;
    rows.chunks(AT_ONCE).flat_map(move |chunk| {
        let made: Vec<J> = chunk.par_iter().map(&f).collect();
        chunk.iter().zip(made)
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("model types serialise")
}

fn sql(path: &Path, error: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_path_buf(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_model::{
        AlignedSentences, EntityKind, LocalEntity, Mention, RelationKind, SourceFormat, Span,
        SCHEMA_VERSION as JSON_VERSION,
    };

    fn annotated(id: &str, body: &str) -> AnnotatedArticle {
        AnnotatedArticle {
            article: Article {
                id: id.into(),
                source: format!("{id}.txt"),
                url: None,
                format: SourceFormat::Text,
                title: Some(format!("Title {id}")),
                authors: vec![],
                outlet: Some("Test Post".into()),
                original_source: None,
                published: Some("2025-01-02".into()),
                published_after: None,
                language: Some("en".into()),
                body: body.into(),
                removed: vec![],
            },
            sentences: vec![],
            entities: vec![LocalEntity {
                name: "Olav Strand".into(),
                kind: EntityKind::Person,
                aliases: vec![],
                mentions: vec![Span { start: 0, end: 11 }],
                role: None,
            }],
            quotes: vec![],
            times: vec![],
        }
    }

    /// `docs` as [`Store::commit`] takes new articles, each hashed by its id.
    fn hashed_by_id(docs: &[AnnotatedArticle]) -> Vec<(String, AnnotatedArticle)> {
        docs.iter()
            .map(|d| (format!("h{}", d.article.id), d.clone()))
            .collect()
    }

    fn analysis(docs: &[AnnotatedArticle]) -> Analysis {
        Analysis {
            schema_version: JSON_VERSION,
            articles: docs.iter().map(|d| d.article.clone()).collect(),
            relations: vec![],
            events: vec![Event {
                id: "e1".into(),
                title: "Harbour".into(),
                date: Some("2025-01-01".into()),
                date_evidence: vec![],
                reported: Some("2025-01-02".into()),
                articles: docs.iter().map(|d| d.article.id.clone()).collect(),
                outlets: vec!["Test Post".into()],
                summary: "s".into(),
            }],
            storylines: vec![],
            entities: vec![Entity {
                id: "n1".into(),
                name: "Olav Strand".into(),
                kind: EntityKind::Person,
                aliases: vec!["Strand".into()],
                role: None,
                mentions: vec![],
            }],
            quotes: vec![],
            times: vec![],
            errors: vec![],
        }
    }

    #[test]
    fn processes_creating_one_store_at_once_all_succeed() {
        // As `storyline check` opening the file an ingest is creating: each
        // connection set up at the same moment, on its own thread.
        for round in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("s{round}.db"));
            let start = std::sync::Barrier::new(4);
            std::thread::scope(|s| {
                let opened: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            let conn = Connection::open(&path).unwrap();
                            start.wait();
                            init(&conn, &path).map(|()| conn)
                        })
                    })
                    .collect();
                for o in opened {
                    let conn = o.join().unwrap().unwrap();
                    let v: i64 = conn
                        .query_row("PRAGMA user_version", [], |r| r.get(0))
                        .unwrap();
                    assert_eq!(v, SCHEMA_VERSION);
                }
            });
        }
    }

    /// A store of 620 articles and 300 events of 1–3 articles each, some
    /// undated, some sharing a date (then ordered by id), some dated only
    /// by their report; two storylines; three entities, two of them both
    /// called "Strand", one named in more articles than one query's keys.
    fn timeline_store(dir: &Path) -> (Store, Analysis) {
        let mut store = Store::open(&dir.join("s.db")).unwrap();
        let docs: Vec<AnnotatedArticle> = (0..620)
            .map(|i| annotated(&format!("a{i}"), "Olav Strand reopened the harbour."))
            .collect();
        let mut analysis = analysis(&docs);
        let template = analysis.events[0].clone();
        analysis.events = (0..300)
            .map(|k| Event {
                id: format!("e{k:03}"),
                date: (k % 5 == 0).then(|| format!("2025-01-{:02}", 1 + k % 28)),
                reported: (k % 7 != 0).then(|| format!("2025-02-{:02}", 1 + k % 20)),
                articles: (0..1 + k % 3)
                    .map(|j| format!("a{}", (2 * k + j) % 620))
                    .collect(),
                ..template.clone()
            })
            .collect();
        analysis.storylines = vec![
            Storyline {
                id: "s1".into(),
                title: "One".into(),
                events: (0..300).step_by(3).map(|k| format!("e{k:03}")).collect(),
            },
            Storyline {
                id: "s2".into(),
                title: "Two".into(),
                events: vec!["e001".into()],
            },
        ];
        let mention = |i: usize| Mention {
            article: format!("a{i}"),
            start: 0,
            end: 5,
        };
        let entity = |id: &str, name: &str, arts: Vec<usize>| Entity {
            id: id.into(),
            name: name.into(),
            kind: EntityKind::Person,
            aliases: vec!["Strand".into()],
            role: None,
            mentions: arts.into_iter().map(mention).collect(),
        };
        analysis.entities = vec![
            entity("n1", "Olav Strand", (0..620).step_by(1).collect()),
            entity("n2", "Kari Strand", (0..620).step_by(7).collect()),
            entity("n3", "Per Lund", vec![3, 3, 4, 6, 611]),
            // A namesake of few events: "Strand" is shared by entities of
            // many events and of few, "Per Lund" by two of few.
            entity("n4", "Per Lund", vec![4, 9, 300, 301, 302]),
        ];
        analysis.entities[2].aliases.clear();
        let new: Vec<(String, AnnotatedArticle)> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("h{i}"), d.clone()))
            .collect();
        store.commit(&new, &analysis).unwrap();
        (store, analysis)
    }

    /// The events of `analysis` naming any entity called `name`, as the
    /// timeline filtered them before it was read from an index: by the
    /// articles the entities' mentions are in.
    fn naming<'a>(analysis: &'a Analysis, name: &str) -> Vec<&'a Event> {
        let arts: HashSet<&str> = analysis
            .entities
            .iter()
            .filter(|e| e.id == name || e.name == name || e.aliases.iter().any(|a| a == name))
            .flat_map(|e| e.mentions.iter().map(|m| m.article.as_str()))
            .collect();
        analysis
            .events
            .iter()
            .filter(|e| e.articles.iter().any(|a| arts.contains(a.as_str())))
            .collect()
    }

    /// Every item of a list, read `limit` at a time: by offsets, and by
    /// the cursors each page gives (through their text, as a client would).
    fn walks<T: Clone + std::fmt::Debug + PartialEq>(
        read: impl Fn(&Start, usize) -> Page<T>,
        limit: usize,
    ) -> (Vec<T>, Vec<T>) {
        let mut by_offset = Vec::new();
        loop {
            let page = read(&Start::Offset(by_offset.len()), limit);
            let done = page.items.len() < limit || page.next.is_none();
            by_offset.extend(page.items);
            if done {
                break;
            }
        }
        let mut by_cursor = Vec::new();
        let mut page = read(&Start::Offset(0), limit);
        loop {
            let total = page.total;
            by_cursor.extend(page.items);
            let Some(next) = page.next else { break };
            page = read(
                &Start::After(Cursor::decode(&next.encode()).unwrap()),
                limit,
            );
            assert_eq!(page.total, total);
        }
        (by_offset, by_cursor)
    }

    #[test]
    fn every_list_reads_the_same_by_offset_and_after_cursors() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut analysis) = timeline_store(dir.path());
        // Entities tied on their count and on their name, whose order only
        // the row number settles; quotes in several articles each.
        let base = analysis.entities[0].clone();
        analysis.entities = (0..40)
            .map(|k| Entity {
                id: format!("x{k:02}"),
                name: ["Ana", "Bo", "Cy"][k % 3].to_string(),
                aliases: vec![],
                mentions: base.mentions[..1 + k % 2].to_vec(),
                ..base.clone()
            })
            .collect();
        analysis.quotes = (0..57)
            .map(|k| Quote {
                id: format!("q{k:02}"),
                article: format!("a{}", k % 9),
                text: "We will reopen.".into(),
                speaker: Some(format!("x{:02}", k % 4)),
                speaker_name: None,
                cue: None,
                channel: None,
                kind: storyline_model::QuoteKind::Direct,
                start: k,
                end: k + 5,
                group: Some(format!("g{}", k % 2)),
                variant: None,
                diff: vec![],
            })
            .collect();
        store.commit(&[], &analysis).unwrap();
        let ids = |v: &[Event]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        let all_events = ids(&store.events().unwrap());
        let all_quotes = store.quotes(None).unwrap();
        let mut by_count: Vec<(usize, String, String)> = analysis
            .entities
            .iter()
            .map(|e| (usize::MAX - e.mentions.len(), e.name.clone(), e.id.clone()))
            .collect();
        by_count.sort();
        for limit in [1, 4, 50, 400] {
            let (a, b) = walks(|at, l| store.events_page(at, l).unwrap(), limit);
            assert_eq!((ids(&a), ids(&b)), (all_events.clone(), all_events.clone()));
            let (a, b) = walks(|at, l| store.storylines_page(at, l).unwrap(), limit);
            assert_eq!(a.len(), 2);
            assert_eq!(a, b);
            let (a, b) = walks(|at, l| store.quotes_page(None, None, at, l).unwrap(), limit);
            assert_eq!((&a, &b), (&all_quotes, &all_quotes), "{limit}");
            let (a, b) = walks(
                |at, l| store.quotes_page(None, Some("g1"), at, l).unwrap(),
                limit,
            );
            let g1: Vec<Quote> = all_quotes
                .iter()
                .filter(|q| q.group.as_deref() == Some("g1"))
                .cloned()
                .collect();
            assert_eq!((&a, &b), (&g1, &g1), "{limit}");
            let (a, b) = walks(|at, l| store.entities_page(at, l).unwrap(), limit);
            assert_eq!(a, b);
            let names: Vec<(usize, String)> = a
                .iter()
                .map(|(e, n)| (usize::MAX - n, e.name.clone()))
                .collect();
            let want: Vec<(usize, String)> = by_count
                .iter()
                .map(|(n, name, _)| (*n, name.clone()))
                .collect();
            assert_eq!(names, want, "{limit}");
            let mut seen: Vec<&str> = a.iter().map(|(e, _)| e.id.as_str()).collect();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), 40, "each entity once");
        }
        // One list's cursor is refused by another.
        let page = store.events_page(&Start::Offset(0), 2).unwrap();
        let err = store
            .quotes_page(None, None, &Start::After(page.next.unwrap()), 2)
            .unwrap_err();
        assert!(matches!(err, StoreError::BadCursor(_)), "{err}");
    }

    #[test]
    fn a_page_after_a_cursor_reads_rows_for_the_page_not_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut analysis) = timeline_store(dir.path());
        many_events(&mut analysis, |_| false);
        analysis.storylines = vec![Storyline {
            id: "s1".into(),
            title: "Three".into(),
            events: vec!["e0100".into(), "e1500".into(), "e2900".into()],
        }];
        store.commit(&[], &analysis).unwrap();
        let steps = |read: &dyn Fn()| {
            PAGE_STEPS.with(|c| c.set(0));
            read();
            PAGE_STEPS.with(|c| c.get())
        };
        let first = store
            .timeline_page(Some("s1"), None, &Start::Offset(0), 1)
            .unwrap()
            .unwrap();
        let next = Start::After(first.next.unwrap());
        // A scan of the events in timeline order would take tens of
        // thousands of steps here; the storyline's rows take a few hundred.
        type Read<'a> = Box<dyn Fn() + 'a>;
        let cases: Vec<(&str, Read)> = vec![
            (
                "storyline after a cursor",
                Box::new(|| {
                    store
                        .timeline_page(Some("s1"), None, &next, 1)
                        .unwrap()
                        .unwrap();
                }),
            ),
            (
                "storyline at an offset",
                Box::new(|| {
                    store
                        .timeline_page(Some("s1"), None, &Start::Offset(2), 1)
                        .unwrap()
                        .unwrap();
                }),
            ),
            (
                "entity after a cursor",
                Box::new(|| {
                    let p = store
                        .timeline_page(None, Some("n3"), &Start::Offset(0), 1)
                        .unwrap()
                        .unwrap();
                    let at = Start::After(p.next.unwrap());
                    store
                        .timeline_page(None, Some("n3"), &at, 1)
                        .unwrap()
                        .unwrap();
                }),
            ),
            (
                "a much-named entity within the storyline, after a cursor",
                Box::new(|| {
                    let p = store
                        .timeline_page(Some("s1"), Some("Olav Strand"), &Start::Offset(0), 1)
                        .unwrap()
                        .unwrap();
                    assert_eq!(p.total, 3);
                    let at = Start::After(p.next.unwrap());
                    store
                        .timeline_page(Some("s1"), Some("Olav Strand"), &at, 1)
                        .unwrap()
                        .unwrap();
                }),
            ),
            (
                "events after a cursor deep in the list",
                Box::new(|| {
                    let p = store.events_page(&Start::Offset(2990), 1).unwrap();
                    PAGE_STEPS.with(|c| c.set(0));
                    store
                        .events_page(&Start::After(p.next.unwrap()), 5)
                        .unwrap();
                }),
            ),
        ];
        for (what, read) in cases {
            let n = steps(&*read);
            assert!(n < 3000, "{what}: {n} steps");
        }
    }

    /// Replaces the events with 3,000, a hundred a year from 2000, `undated`
    /// saying which have no date.
    fn many_events(analysis: &mut Analysis, undated: impl Fn(usize) -> bool) {
        let template = analysis.events[0].clone();
        analysis.events = (0..3000)
            .map(|k| Event {
                id: format!("e{k:04}"),
                date: (!undated(k)).then(|| format!("20{:02}-01-01", k / 100)),
                reported: None,
                articles: vec![format!("a{}", k % 620)],
                ..template.clone()
            })
            .collect();
    }

    #[test]
    fn deep_offsets_start_from_the_nearest_mark() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut analysis) = timeline_store(dir.path());
        many_events(&mut analysis, |k| k % 11 == 0);
        analysis.storylines.truncate(1);
        analysis.storylines[0].events = vec!["e0100".into(), "e1500".into()];
        store.commit(&[], &analysis).unwrap();
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        let steps = |read: &dyn Fn()| {
            PAGE_STEPS.with(|c| c.set(0));
            read();
            PAGE_STEPS.with(|c| c.get())
        };
        let events = |n| store.events_page(&Start::Offset(n), 3).unwrap();
        let timeline = |n| {
            store
                .timeline_page(None, None, &Start::Offset(n), 3)
                .unwrap()
                .unwrap()
        };
        let offsets = [1, 63, 64, 65, 1000, 1499, 1500, 1563, 2937, 2999];
        let marked: Vec<_> = offsets.iter().map(|&n| (events(n), timeline(n))).collect();
        let cost = |n| steps(&|| drop((events(n), timeline(n))));
        let deep = cost(1500 + 63);
        // Without marks (a store not yet relinked, say) the same pages come
        // from the offset walked in the index, many times the work.
        store.conn.execute("DELETE FROM list_marks", []).unwrap();
        let unmarked: Vec<_> = offsets.iter().map(|&n| (events(n), timeline(n))).collect();
        assert_eq!(marked, unmarked);
        let walked = cost(1500 + 63);
        assert!(
            deep * 5 < walked,
            "{deep} steps from a mark, {walked} walking"
        );
        // The check names a list whose marks are missing or wrong.
        let problems = store.integrity_check().unwrap();
        assert!(
            problems.iter().any(|p| p.contains("of the events list")),
            "{problems:?}"
        );
        fill_marks(&store.conn, &store.path).unwrap();
        assert!(store.integrity_check().unwrap().is_empty());
        check_flags(
            &store,
            "UPDATE list_marks SET k3 = 'e0001' WHERE list = 'timeline' AND pos = 64",
            "of the timeline list",
        );
    }

    #[test]
    fn timeline_pages_are_the_events_in_the_order_they_happened() {
        let dir = tempfile::tempdir().unwrap();
        let (store, analysis) = timeline_store(dir.path());
        let ids = |v: &[&Event]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        let in_s1: HashSet<&String> = analysis.storylines[0].events.iter().collect();
        let within_s1 = |name: &str| -> Vec<&Event> {
            naming(&analysis, name)
                .into_iter()
                .filter(|e| in_s1.contains(&e.id))
                .collect()
        };
        // Within s1 (100 events): Per Lund's few events lead, Olav Strand's
        // (in every article) and Strand's (two entities) are led by s1's.
        let cases: [(Option<&str>, Option<&str>, Vec<&Event>); 9] = [
            (None, None, analysis.events.iter().collect()),
            (
                Some("s1"),
                None,
                analysis
                    .events
                    .iter()
                    .filter(|e| in_s1.contains(&e.id))
                    .collect(),
            ),
            (None, Some("n3"), naming(&analysis, "n3")),
            (None, Some("Strand"), naming(&analysis, "Strand")),
            (None, Some("Kari Strand"), naming(&analysis, "Kari Strand")),
            (None, Some("Per Lund"), naming(&analysis, "Per Lund")),
            (Some("s1"), Some("Per Lund"), within_s1("Per Lund")),
            (Some("s1"), Some("Olav Strand"), within_s1("Olav Strand")),
            (Some("s1"), Some("Strand"), within_s1("Strand")),
        ];
        for (storyline, entity, mut want) in cases {
            want.sort_by(|a, b| storyline_model::chronological(a, b));
            assert!(!want.is_empty(), "{storyline:?} {entity:?}");
            let n = want.len();
            let page_at = |start: &Start, limit: usize| {
                let page = store
                    .timeline_page(storyline, entity, start, limit)
                    .unwrap()
                    .unwrap();
                assert_eq!(page.total, n, "{storyline:?} {entity:?}");
                page
            };
            // Every offset, so that both ends' probes are tried.
            for offset in 0..n + 3 {
                for limit in [0, 1, 7, n] {
                    let page = page_at(&Start::Offset(offset), limit);
                    let end = (offset + limit).min(n);
                    assert_eq!(
                        ids(&page.items.iter().collect::<Vec<_>>()),
                        ids(&want[offset.min(n)..end]),
                        "{storyline:?} {entity:?} {offset} {limit}"
                    );
                    assert_eq!(page.next.is_some(), limit > 0 && end < n);
                }
            }
            // Walking the cursors gives the same list.
            for limit in [1, 3, n] {
                let mut walked = Vec::new();
                let mut page = page_at(&Start::Offset(0), limit);
                loop {
                    walked.extend(page.items);
                    let Some(next) = page.next else { break };
                    let text = next.encode();
                    page = page_at(&Start::After(Cursor::decode(&text).unwrap()), limit);
                }
                assert_eq!(
                    ids(&walked.iter().collect::<Vec<_>>()),
                    ids(&want),
                    "{storyline:?} {entity:?} {limit}"
                );
            }
        }
        // Undated events come last, and some are in the store.
        let page = store
            .timeline_page(None, None, &Start::Offset(0), 300)
            .unwrap()
            .unwrap();
        let (n, all) = (page.total, page.items);
        assert!(all[n - 1].when().is_none() && all[0].when().is_some());
        assert_eq!(
            store
                .timeline_page(Some("s9"), None, &Start::Offset(0), 5)
                .unwrap(),
            Err(Unknown::Storyline)
        );
        assert_eq!(
            store
                .timeline_page(None, Some("nobody"), &Start::Offset(0), 5)
                .unwrap(),
            Err(Unknown::Entity)
        );
        // A cursor of another list is refused, naming both.
        let quotes_cursor = QUOTES.cursor(vec!["a".to_string().into(), "q".to_string().into()]);
        let err = store
            .timeline_page(None, None, &Start::After(quotes_cursor), 5)
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::BadCursor(m) if m.contains("quotes")),
            "{err}"
        );
        // The check notices an entity index row gone stale.
        assert!(store.integrity_check().unwrap().is_empty());
        store
            .conn
            .execute(
                "UPDATE events SET date = '1999-01-01' WHERE id = 'e003'",
                [],
            )
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert!(
            problems.iter().any(|p| p.contains("entity index rows")),
            "{problems:?}"
        );
        // And a kept count of events gone stale, or missing, of an entity
        // or of a name two entities share.
        for change in [
            "UPDATE entity_stats SET events = events + 1 WHERE entity = 'n2'",
            "DELETE FROM entity_stats WHERE entity = 'n2'",
            "UPDATE name_stats SET events = events - 1 WHERE name = 'strand'",
            "DELETE FROM name_stats WHERE name = 'strand'",
        ] {
            check_flags(&store, change, "kept count of events");
        }
        // And a shared name's timeline missing one of its events.
        check_flags(
            &store,
            "DELETE FROM name_events WHERE (name, undated, at, event) =
                (SELECT name, undated, at, event FROM name_events WHERE name = 'strand' LIMIT 1)",
            "timeline rows",
        );
    }

    /// Asserts that `storyline check` names `what` after `change` (which
    /// changes one row), then undoes the change.
    fn check_flags(store: &Store, change: &str, what: &str) {
        let tx = store.conn.unchecked_transaction().unwrap();
        assert_eq!(tx.execute(change, []).unwrap(), 1, "{change}");
        let problems = store.integrity_check().unwrap();
        assert!(
            problems.iter().any(|p| p.contains(what)),
            "{change}: {problems:?}"
        );
        tx.rollback().unwrap();
    }

    #[test]
    fn an_entitys_newest_events_are_the_head_of_all_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let (store, analysis) = timeline_store(dir.path());
        for id in ["n1", "n2", "n3"] {
            let mut all = naming(&analysis, id);
            // Newest first by when they happened, undated last, then by id.
            all.sort_by(|a, b| {
                (a.when().is_none(), std::cmp::Reverse(a.when()), &a.id).cmp(&(
                    b.when().is_none(),
                    std::cmp::Reverse(b.when()),
                    &b.id,
                ))
            });
            assert!(all.iter().any(|e| e.when().is_none()) || id == "n3");
            for limit in [0, 1, 7, 100, all.len(), all.len() + 5] {
                let (count, newest) = store.newest_events_of_entity(id, limit).unwrap();
                assert_eq!(count, all.len(), "{id}");
                let want: Vec<String> = all.iter().take(limit).map(|e| e.id.clone()).collect();
                let got: Vec<String> = newest.iter().map(|e| e.id.clone()).collect();
                assert_eq!(got, want, "{id} limit {limit}");
            }
        }
        assert_eq!(store.newest_events_of_entity("n9", 5).unwrap(), (0, vec![]));
    }

    #[test]
    fn a_version_11_store_finds_its_entities_events_in_their_records() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = timeline_store(dir.path());
        let names = ["n1", "n2", "n3", "Strand"];
        let read = |store: &Store| -> Vec<(usize, Vec<Event>)> {
            names
                .iter()
                .map(|n| {
                    let page = store
                        .timeline_page(None, Some(n), &Start::Offset(0), 1000)
                        .unwrap()
                        .unwrap();
                    (page.total, page.items)
                })
                .collect()
        };
        let written = read(&store);
        let entities = store.entities().unwrap();
        let mentions = |store: &Store| -> Vec<Vec<Mention>> {
            names
                .iter()
                .map(|n| {
                    store
                        .entity_mentions(n, &Start::Offset(0), 1000)
                        .unwrap()
                        .items
                })
                .collect()
        };
        let listed = mentions(&store);
        assert!(listed[..3].iter().all(|m| !m.is_empty()), "{listed:?}");
        let heads = store.entities_page(&Start::Offset(0), 10).unwrap();
        drop(store);
        // Version 11: each entity's mentions in its record, in article id
        // order, no table of them.
        let path = dir.path().join("s.db");
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TABLE entity_events; DROP INDEX events_chrono;
             DROP INDEX storyline_events_storyline; DROP TABLE entity_mentions;
             DROP TABLE entity_stats; DROP TABLE name_stats; DROP TABLE list_marks;
             DROP TABLE name_events;
             PRAGMA user_version = 11;",
        )
        .unwrap();
        for mut e in entities {
            e.mentions.sort_by(|a, b| a.article.cmp(&b.article));
            c.execute(
                "UPDATE entities SET json = ?1, head = NULL WHERE id = ?2",
                params![serde_json::to_string(&e).unwrap(), e.id],
            )
            .unwrap();
        }
        drop(c);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(read(&store), written);
        assert_eq!(mentions(&store), listed);
        assert_eq!(store.entities_page(&Start::Offset(0), 10).unwrap(), heads);
        assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn new_stores_take_16k_pages_and_older_ones_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap()
        };
        let store = Store::open(&dir.path().join("new.db")).unwrap();
        assert_eq!(page_size(&store), i64::from(PAGE_SIZE));
        // A file SQLite made with its default page size.
        let old = dir.path().join("old.db");
        let c = Connection::open(&old).unwrap();
        c.execute_batch("PRAGMA page_size = 4096; CREATE TABLE before (x);")
            .unwrap();
        drop(c);
        let store = Store::open(&old).unwrap();
        assert_eq!(page_size(&store), 4096);
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn a_connection_takes_the_page_cache_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let size = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(size(&store), -2000, "SQLite's default");
        store.cache_pages(64).unwrap();
        assert_eq!(size(&store), -64 * 1024);
    }

    #[test]
    fn commit_is_idempotent_and_searchable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let docs = vec![annotated(
            "a1",
            "Olav Strand reopened the harbour at Nordvik.",
        )];
        let new: Vec<(String, AnnotatedArticle)> =
            docs.iter().map(|d| ("h1".to_string(), d.clone())).collect();
        store.commit(&new, &analysis(&docs)).unwrap();
        store.commit(&new, &analysis(&docs)).unwrap();
        assert_eq!(store.article_count().unwrap(), 1);
        assert!(store.has_hash("h1").unwrap());
        drop(store);

        let store = Store::open(&path).unwrap();
        assert_eq!(
            store
                .annotated_rows(&store.link_order().unwrap(), usize::MAX)
                .unwrap(),
            docs
        );
        assert_eq!(store.events().unwrap().len(), 1);
        assert_eq!(store.events_of_article("a1").unwrap()[0].id, "e1");
        assert_eq!(store.find_entities("strand").unwrap()[0].id, "n1");
        let hits = store.search("harbour", 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].snippet.contains("[harbour]"), "{}", hits[0].snippet);
        // Query syntax a user did not mean does not error.
        assert!(store.search("\"harbour AND (", 10).is_ok());
        assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn a_search_within_an_entity_is_the_words_best_hits_that_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        // Page i says "harbour" once among i other words: each scores below
        // the one before. Every page has a person named Olav Strand, but
        // the entity is only one of each 25 of the best 400 and all of the
        // last 100 (another entity of the same name is in the rest), so
        // that a page within it is found by the first look at the best hits
        // naming "Olav Strand", by a wider one, or from the set of the
        // entity's articles, depending on the page asked for.
        let docs: Vec<AnnotatedArticle> = (0..500)
            .map(|i| {
                let body = format!("The harbour reopened.{}", " Ferries ran.".repeat(i));
                annotated(&format!("a{i:03}"), &body)
            })
            .collect();
        let named: Vec<String> = (0..500)
            .filter(|i| i % 25 == 3 || *i >= 400)
            .map(|i| format!("a{i:03}"))
            .collect();
        let mut a = analysis(&docs);
        a.entities[0].mentions = named
            .iter()
            .map(|id| Mention {
                article: id.clone(),
                start: 0,
                end: 5,
            })
            .collect();
        let new = hashed_by_id(&docs);
        store.commit(&new, &a).unwrap();
        let best: Vec<String> = store
            .search("harbour", 1000)
            .unwrap()
            .into_iter()
            .map(|h| h.article)
            .collect();
        assert_eq!(best.len(), 500);
        let want: Vec<&String> = best.iter().filter(|a| named.contains(a)).collect();
        let filter = SearchFilter {
            entity: Some("Olav Strand".into()),
            ..Default::default()
        };
        for (offset, limit) in [
            (0, 1),
            (0, 10),
            (5, 10),
            (10, 10),
            (15, 10),
            (0, 40),
            (30, 100),
        ] {
            let got: Vec<String> = store
                .search_filtered("harbour", &filter, offset, limit)
                .unwrap()
                .into_iter()
                .map(|h| h.article)
                .collect();
            let end = (offset + limit).min(want.len());
            assert_eq!(
                got.iter().collect::<Vec<_>>(),
                want[offset.min(end)..end],
                "offset {offset} limit {limit}"
            );
        }
    }

    #[test]
    fn entity_mentions_are_paged_and_filter_search_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        // Every page says "harbour"; the three that name Strand say it once
        // among many other words, so that they rank last.
        let docs: Vec<AnnotatedArticle> = (0..300)
            .map(|i| {
                let body = if i % 100 == 7 {
                    "Olav Strand spoke at length about the ferry timetable, the fish market, \
                     the new road, the school and the weather near the harbour."
                } else {
                    "Harbour news: the harbour, the harbour, the harbour."
                };
                annotated(&format!("a{i:03}"), body)
            })
            .collect();
        let named: Vec<&str> = ["a007", "a107", "a207"].into();
        let mut a = analysis(&docs);
        a.entities[0].mentions = named
            .iter()
            .rev()
            .flat_map(|&id| {
                [12, 0].map(|start| Mention {
                    article: id.into(),
                    start,
                    end: start + 5,
                })
            })
            .collect();
        let new = hashed_by_id(&docs);
        store.commit(&new, &a).unwrap();

        // In the order the articles were stored, a page at a time.
        let all = store
            .entity_mentions("n1", &Start::Offset(0), 100)
            .unwrap()
            .items;
        let got: Vec<(&str, u32)> = all.iter().map(|m| (m.article.as_str(), m.start)).collect();
        assert_eq!(
            got,
            [
                ("a007", 0),
                ("a007", 12),
                ("a107", 0),
                ("a107", 12),
                ("a207", 0),
                ("a207", 12)
            ]
        );
        let page = |start: &Start, limit| store.entity_mentions("n1", start, limit).unwrap();
        assert_eq!(page(&Start::Offset(2), 3).items, all[2..5]);
        assert_eq!(page(&Start::Offset(4), 3).items, all[4..]);
        assert!(page(&Start::Offset(6), 3).items.is_empty());
        // Two at a time after cursors: the same six.
        let mut walked = Vec::new();
        let mut at = Start::Offset(0);
        loop {
            let p = page(&at, 2);
            assert_eq!(p.total, 6);
            walked.extend(p.items);
            let Some(next) = p.next else { break };
            at = Start::After(next);
        }
        assert_eq!(walked, all);
        assert!(store
            .entity_mentions("n9", &Start::Offset(0), 3)
            .unwrap()
            .items
            .is_empty());
        assert_eq!(store.find_entities("Strand").unwrap()[0].mentions, all);
        let (head, count) = store.entity_head("strand").unwrap().unwrap();
        assert_eq!((head.id.as_str(), head.mentions.len(), count), ("n1", 0, 6));

        // Searching within the entity finds its articles however low they
        // rank among the words' matches, and pages through them.
        let within = |offset, limit| {
            let filter = SearchFilter {
                entity: Some("Olav Strand".into()),
                ..Default::default()
            };
            let hits = store
                .search_filtered("harbour", &filter, offset, limit)
                .unwrap();
            hits.into_iter().map(|h| h.article).collect::<Vec<_>>()
        };
        // Checking the words' best hits one by one (a short page), or
        // through the set of the entity's articles (a long one).
        for limit in [10, 100] {
            let mut found = within(0, limit);
            found.sort();
            assert_eq!(found, named, "limit {limit}");
        }
        assert_eq!(within(0, 2).len(), 2);
        assert_eq!(within(2, 2).len(), 1);
        let best = store.search("harbour", 10).unwrap();
        assert!(best.iter().all(|h| !named.contains(&h.article.as_str())));
        let nobody = SearchFilter {
            entity: Some("nobody".into()),
            ..Default::default()
        };
        assert!(store
            .search_filtered("harbour", &nobody, 0, 10)
            .unwrap()
            .is_empty());
        assert!(store.integrity_check().unwrap().is_empty());

        // Linking results naming an article not stored are refused whole.
        let mut bad = a.clone();
        bad.entities[0].mentions.push(Mention {
            article: "a999".into(),
            start: 0,
            end: 5,
        });
        let err = store.commit(&[], &bad).unwrap_err().to_string();
        assert!(err.contains("a999") && err.contains("not stored"), "{err}");
        assert_eq!(
            store
                .entity_mentions("n1", &Start::Offset(0), 100)
                .unwrap()
                .items,
            all
        );

        // The check notices a mention of an article not stored, then one
        // gone.
        store
            .conn
            .execute_batch(
                "DELETE FROM entity_mentions WHERE row = (SELECT min(row) FROM entity_mentions)
                    AND span_start = 0;
                 INSERT INTO entity_mentions VALUES ('n1', 99999, 0, 5);",
            )
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("no stored article"), "{problems:?}");
        store
            .conn
            .execute("DELETE FROM entity_mentions WHERE row = 99999", [])
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert!(
            problems.iter().any(|p| p.contains("count of mentions")),
            "{problems:?}"
        );
    }

    #[test]
    fn articles_come_back_in_linking_order() {
        let mut store = Store::open_in_memory().unwrap();
        let mut docs = [
            annotated("a3", "Third body text."),
            annotated("a1", "First body text."),
            annotated("a2", "Second body text."),
            annotated("a0", "Undated body text."),
        ];
        docs[0].article.published = Some("2025-01-01".into());
        docs[2].article.published = Some("2025-01-01".into());
        docs[3].article.published = None;
        let new = hashed_by_id(&docs);
        store.add_articles(&new).unwrap();
        let order = store.link_order().unwrap();
        let read = |rows: &[i64], max_bytes| -> Vec<String> {
            let docs = store.annotated_rows(rows, max_bytes).unwrap();
            docs.into_iter().map(|d| d.article.id).collect()
        };
        // Dated before undated, then by id among equal dates.
        assert_eq!(read(&order, usize::MAX), ["a2", "a3", "a1", "a0"]);
        // Any subset, in the order asked.
        assert_eq!(read(&[order[3], order[1]], usize::MAX), ["a0", "a3"]);
        // As far as the records come to the bytes asked for, one at least.
        let size: Vec<usize> = order
            .iter()
            .map(|r| {
                let q = "SELECT length(CAST(annotated AS BLOB)) FROM articles WHERE rowid = ?1";
                store
                    .conn
                    .query_row(q, [r], |x| x.get::<_, i64>(0))
                    .unwrap() as usize
            })
            .collect();
        assert_eq!(read(&order, 1), ["a2"]);
        assert_eq!(read(&order, size[0]), ["a2"]);
        assert_eq!(read(&order, size[0] + 1), ["a2", "a3"]);
        assert_eq!(read(&order, size[0] + size[1] + 1), ["a2", "a3", "a1"]);
    }

    #[test]
    fn storylines_of_events_and_kept_counts_survive_migration_and_relinking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        {
            // A version-6 store with a storyline of two events and two entities.
            let c = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..6] {
                c.execute_batch(m).unwrap();
            }
            c.execute_batch(
                r#"PRAGMA user_version = 6;
                 INSERT INTO storylines (id, json) VALUES ('s1', '{"id":"s1","title":"T","events":["e1","e2"]}');
                 INSERT INTO entities (id, name, kind, mentions, json) VALUES
                     ('n1', 'A', 'person', 1, '{"id":"n1","name":"A","kind":"person","aliases":[],"role":null,"mentions":[]}'),
                     ('n2', 'B', 'person', 1, '{"id":"n2","name":"B","kind":"person","aliases":[],"role":null,"mentions":[]}');"#,
            )
            .unwrap();
        }
        let many = |n: u32| -> Vec<Mention> {
            (0..n)
                .map(|k| Mention {
                    article: "a1".into(),
                    start: k,
                    end: k + 1,
                })
                .collect()
        };
        {
            // n2 is named 25 times, in a stored article.
            let c = Connection::open(&path).unwrap();
            let a1 = annotated("a1", "Olav Strand reopened the harbour at Nordvik.");
            c.execute(
                "INSERT INTO articles (id, hash, source, annotated) VALUES ('a1', 'h1', 'test', ?1)",
                [serde_json::to_string(&a1).unwrap()],
            )
            .unwrap();
            let n2 = Entity {
                id: "n2".into(),
                name: "B".into(),
                kind: EntityKind::Person,
                aliases: vec![],
                role: None,
                mentions: many(25),
            };
            c.execute(
                "UPDATE entities SET json = ?1, mentions = 25 WHERE id = 'n2'",
                [serde_json::to_string(&n2).unwrap()],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let ids = |v: Vec<Storyline>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(
            ids(store.storylines_of_events(&["e2".into()]).unwrap()),
            ["s1"]
        );
        assert!(store
            .storylines_of_events(&["e9".into()])
            .unwrap()
            .is_empty());
        let Page {
            total,
            items: heads,
            ..
        } = store.entities_page(&Start::Offset(0), 10).unwrap();
        assert_eq!(total, 2);
        assert_eq!((heads[0].0.id.as_str(), heads[0].1), ("n2", 25));
        assert_eq!(heads[0].0.mentions, many(25)[..HEAD_MENTIONS]);
        let head_len: i64 = store
            .conn
            .query_row(
                "SELECT json_array_length(head, '$.mentions') FROM entities WHERE id = 'n2'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            head_len, HEAD_MENTIONS as i64,
            "the migration cuts the list entry"
        );
        // And puts it before the whole record in the row.
        let columns: Vec<String> = store
            .conn
            .prepare("SELECT name FROM pragma_table_info('entities')")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
        let at = |c: &str| columns.iter().position(|x| x == c).unwrap();
        assert!(at("head") < at("json"), "{columns:?}");
        // The unfiltered quote list counts from meta; a filter counts rows.
        store
            .conn
            .execute("UPDATE meta SET value = '7' WHERE key = 'rows.quotes'", [])
            .unwrap();
        assert_eq!(
            store
                .quotes_page(None, None, &Start::Offset(0), 10)
                .unwrap()
                .total,
            7
        );
        assert_eq!(
            store
                .quotes_page(None, Some("none"), &Start::Offset(0), 10)
                .unwrap()
                .total,
            0
        );

        // Relinking replaces both the index and the counts.
        let docs = vec![annotated(
            "a1",
            "Olav Strand reopened the harbour at Nordvik.",
        )];
        let mut a = analysis(&docs);
        a.entities[0].mentions = many(25);
        a.storylines = vec![Storyline {
            id: "s2".into(),
            title: "Harbour".into(),
            events: vec!["e1".into()],
        }];
        let new: Vec<(String, AnnotatedArticle)> =
            docs.iter().map(|d| ("h1".to_string(), d.clone())).collect();
        store.commit(&new, &a).unwrap();
        assert_eq!(
            ids(store
                .storylines_of_events(&["e1".into(), "e2".into()])
                .unwrap()),
            ["s2"]
        );
        assert_eq!(store.entities_page(&Start::Offset(0), 10).unwrap().total, 1);
        // A list entry: the first mentions and the count of all.
        let heads = store.entities_page(&Start::Offset(0), 10).unwrap().items;
        assert_eq!(heads[0].0.id, "n1");
        assert_eq!(
            heads[0].0.mentions[..],
            a.entities[0].mentions[..HEAD_MENTIONS]
        );
        assert_eq!(heads[0].1, 25);
        assert_eq!(store.find_entities("n1").unwrap()[0].mentions.len(), 25);
        assert_eq!(store.events_page(&Start::Offset(0), 10).unwrap().total, 1);
        assert_eq!(
            store.storylines_page(&Start::Offset(0), 10).unwrap().total,
            1
        );
        assert!(store.integrity_check().unwrap().is_empty());
        store
            .conn
            .execute("UPDATE meta SET value = '7' WHERE key = 'rows.quotes'", [])
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert!(problems[0].contains("kept row counts"), "{problems:?}");
    }

    fn time(article: &str, start: u32) -> TimeMention {
        TimeMention {
            article: article.into(),
            text: "Tuesday".into(),
            start,
            end: start + 7,
            value: "2025-01-07".into(),
            kind: "date".into(),
            range: None,
        }
    }

    #[test]
    fn times_are_written_with_articles_and_survive_relinking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v8.db");
        let mut old = annotated("a1", "Olav Strand spoke on Tuesday.");
        old.times = vec![time("a1", 21)];
        {
            // A version-8 store holding an article stored but not linked
            // (its times only in its record), as a kill before linking
            // left it.
            let c = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..8] {
                c.execute_batch(m).unwrap();
            }
            c.execute(
                "INSERT INTO articles (id, hash, source, annotated) VALUES ('a1', 'h1', 'a1.txt', ?1)",
                [serde_json::to_string(&old).unwrap()],
            )
            .unwrap();
            c.execute_batch("PRAGMA user_version = 8;").unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.times(Some("a1")).unwrap(), [time("a1", 21)]);
        // New articles bring their times; relinking leaves them alone.
        let mut new = annotated("a2", "Strand said on Tuesday and Tuesday.");
        new.times = vec![time("a2", 15), time("a2", 27)];
        store
            .add_articles(&[("h2".to_string(), new.clone())])
            .unwrap();
        let relinked = analysis(&[old, new]);
        let mut w = store.derived_writer().unwrap();
        w.relations(&relinked.relations).unwrap();
        w.events(&relinked.events).unwrap();
        w.entities(&relinked.entities).unwrap();
        w.quotes(&relinked.quotes).unwrap();
        w.storylines(&relinked.storylines).unwrap();
        w.finish().unwrap();
        assert_eq!(store.times(None).unwrap().len(), 3);
        assert_eq!(store.times(Some("a2")).unwrap()[1], time("a2", 27));
        // (The raw insert above wrote no search-index row for a1; only the
        // times check matters here.)
        let problems = store.integrity_check().unwrap();
        assert!(
            !problems.iter().any(|p| p.contains("time expressions")),
            "{problems:?}"
        );
        store
            .conn
            .execute("DELETE FROM times WHERE start = 27", [])
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert!(
            problems.iter().any(|p| p.starts_with("1 time expressions")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_version_1_store_is_migrated_and_keeps_its_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO relations (a, b, kind, score) VALUES ('a1', 'a2', 'rewrite', 0.5);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let rel = store.relations().unwrap();
        assert_eq!(rel.len(), 1);
        assert_eq!(rel[0].kind, RelationKind::Rewrite);
        assert!(rel[0].evidence.is_empty());
        // Links written now carry their evidence through a round trip.
        let docs = vec![annotated(
            "a1",
            "Olav Strand reopened the harbour at Nordvik.",
        )];
        let mut a = analysis(&docs);
        a.relations = vec![Relation {
            a: "x".into(),
            b: "y".into(),
            kind: RelationKind::Syndicated,
            score: 0.8,
            evidence: vec![AlignedSentences {
                a: Span { start: 0, end: 10 },
                b: Span { start: 5, end: 15 },
                score: 0.9,
            }],
        }];
        drop(store);
        let mut store = Store::open(&path).unwrap();
        let new: Vec<(String, AnnotatedArticle)> =
            docs.iter().map(|d| ("h1".to_string(), d.clone())).collect();
        store.commit(&new, &a).unwrap();
        assert_eq!(store.relations().unwrap(), a.relations);
    }

    #[test]
    fn newer_schema_and_non_database_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA user_version = 99").unwrap();
        }
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("schema version 99 is newer"), "{err}");

        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not a database file at all, just text padding it out",
        )
        .unwrap();
        let err = Store::open(&junk).err().unwrap().to_string();
        assert!(err.contains("junk.db"), "{err}");
    }

    fn store_with(path: &Path, docs: &[(&str, &str, &str, &str)]) -> Store {
        let mut store = Store::open(path).unwrap();
        let new: Vec<(String, AnnotatedArticle)> = docs
            .iter()
            .map(|(id, body, outlet, day)| {
                let mut a = annotated(id, body);
                a.article.outlet = Some(outlet.to_string());
                a.article.published = Some(day.to_string());
                (format!("h-{id}"), a)
            })
            .collect();
        store.add_articles(&new).unwrap();
        store
    }

    fn ids(hits: &[SearchHit]) -> Vec<&str> {
        hits.iter().map(|h| h.article.as_str()).collect()
    }

    #[test]
    fn search_ranks_filters_and_survives_odd_queries() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(
            &dir.path().join("s.db"),
            &[
                (
                    "a1",
                    "The ferry to Nordvik sailed at dawn.",
                    "Coast News",
                    "2025-01-02",
                ),
                (
                    "a2",
                    "Ferry ferry ferry: the ferry strike ended and the ferry sailed.",
                    "Harbour Daily",
                    "2025-02-10",
                ),
                (
                    "a3",
                    "Grain prices rose in Lysaker.",
                    "Coast News",
                    "2025-03-01",
                ),
                (
                    "a4",
                    "Das Fährschiff legte in Nordvik an.",
                    "Nord Zeitung",
                    "2025-02-11",
                ),
            ],
        );
        // More occurrences rank higher; all words must match by default.
        assert_eq!(ids(&store.search("ferry", 10).unwrap()), ["a2", "a1"]);
        // Pages of results.
        let all = SearchFilter::default();
        assert_eq!(
            ids(&store.search_filtered("ferry", &all, 1, 10).unwrap()),
            ["a1"]
        );
        assert!(store
            .search_filtered("ferry", &all, 2, 10)
            .unwrap()
            .is_empty());
        assert_eq!(ids(&store.search("ferry nordvik", 10).unwrap()), ["a1"]);
        assert_eq!(ids(&store.search("grain OR strike", 10).unwrap()).len(), 2);
        assert_eq!(
            ids(&store.search("\"sailed at dawn\"", 10).unwrap()),
            ["a1"]
        );
        assert_eq!(ids(&store.search("ferry -strike", 10).unwrap()), ["a1"]);
        // Accents fold both ways.
        assert_eq!(ids(&store.search("fahrschiff", 10).unwrap()), ["a4"]);
        // The snippet marks the matched words.
        let hit = &store.search("grain", 10).unwrap()[0];
        assert_eq!(hit.title.as_deref(), Some("Title a3"));
        assert!(hit.snippet.contains("[Grain]"), "{}", hit.snippet);
        // Syntax a user did not mean is read as words, never an error.
        for q in [
            "\"ferry AND (",
            "title:",
            "-",
            "((",
            "ferry^",
            "*",
            "nordvik:ferry",
        ] {
            assert!(store.search(q, 10).is_ok(), "{q}");
        }
        // Filters are applied inside the index.
        let only = |f: SearchFilter| -> Vec<String> {
            let hits = store.search_filtered("ferry OR grain", &f, 0, 10).unwrap();
            hits.into_iter().map(|h| h.article).collect()
        };
        let outlet = SearchFilter {
            outlet: Some("coast news".into()),
            ..Default::default()
        };
        let mut coast = only(outlet);
        coast.sort();
        assert_eq!(coast, ["a1", "a3"]);
        let feb = SearchFilter {
            from: iso_day("2025-02-01"),
            to: iso_day("2025-02-28"),
            ..Default::default()
        };
        assert_eq!(only(feb), ["a2"]);
        let german = SearchFilter {
            language: Some("de".into()),
            ..Default::default()
        };
        assert!(only(german).is_empty());
        assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn the_search_index_catches_up_and_is_rebuilt_when_not_this_stores() {
        let dir = tempfile::tempdir().unwrap();
        let (p1, p2) = (dir.path().join("one.db"), dir.path().join("two.db"));
        let one = store_with(
            &p1,
            &[(
                "a1",
                "Lighthouse keepers went on strike.",
                "Coast News",
                "2025-01-02",
            )],
        );
        let two = store_with(
            &p2,
            &[(
                "b1",
                "Harbour cranes stood idle.",
                "Coast News",
                "2025-01-02",
            )],
        );
        drop((one, two));
        // An index lost (killed between storing and indexing, file copied
        // without it) is rebuilt from the articles.
        std::fs::remove_dir_all(search::index_dir(&p1)).unwrap();
        let one = Store::open(&p1).unwrap();
        assert_eq!(one.search_behind().unwrap(), 1);
        assert!(one.integrity_check().unwrap().is_empty());
        assert_eq!(ids(&one.search("lighthouse", 5).unwrap()), ["a1"]);
        assert_eq!(one.search_behind().unwrap(), 0);
        drop(one);
        // Another store's index (a file replaced, directories mixed up) is
        // reported, then replaced by this store's articles.
        let copy = |from: &Path, to: &Path| {
            std::fs::remove_dir_all(to).unwrap();
            std::fs::create_dir(to).unwrap();
            for f in std::fs::read_dir(from).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        };
        copy(&search::index_dir(&p2), &search::index_dir(&p1));
        let one = Store::open(&p1).unwrap();
        let problems = one.integrity_check().unwrap();
        assert!(problems[0].contains("another store"), "{problems:?}");
        assert!(one.search("cranes", 5).unwrap().is_empty());
        assert_eq!(ids(&one.search("lighthouse", 5).unwrap()), ["a1"]);
        assert!(one.integrity_check().unwrap().is_empty());
        drop(one);
        // An unreadable index is recreated on open.
        std::fs::write(search::index_dir(&p1).join("meta.json"), b"{not json").unwrap();
        let one = Store::open(&p1).unwrap();
        assert_eq!(ids(&one.search("lighthouse", 5).unwrap()), ["a1"]);
    }

    #[test]
    fn an_index_without_entity_names_is_rebuilt_with_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let docs = [annotated("a1", "The harbour reopened.")];
        let mut a = analysis(&docs);
        a.entities[0].mentions = vec![Mention {
            article: "a1".into(),
            start: 0,
            end: 11,
        }];
        let mut store = Store::open(&path).unwrap();
        store.commit(&hashed_by_id(&docs), &a).unwrap();
        drop(store);
        // The index as a build before entity names were indexed left it.
        let index = search::index_dir(&path);
        std::fs::remove_dir_all(&index).unwrap();
        std::fs::create_dir(&index).unwrap();
        let mut older = tantivy::schema::Schema::builder();
        older.add_u64_field("row", tantivy::schema::FAST);
        older.add_text_field("body", tantivy::schema::TEXT);
        tantivy::Index::create_in_dir(&index, older.build()).unwrap();
        let store = Store::open(&path).unwrap();
        let filter = SearchFilter {
            entity: Some("Strand".into()),
            ..Default::default()
        };
        let hits = store.search_filtered("harbour", &filter, 0, 10).unwrap();
        assert_eq!(ids(&hits), ["a1"]);
        assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn an_entity_of_any_name_length_filters_a_search() {
        // Names past tantivy's 64 KB term limit, with a character across
        // the 200-byte cut, are found as well as short ones.
        for name in ["Olav Strand".to_string(), "xÖ".repeat(30_000)] {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open(&dir.path().join("s.db")).unwrap();
            let mut doc = annotated("a1", "The harbour reopened.");
            doc.entities[0].name = name.clone();
            let docs = [doc, annotated("a2", "The harbour closed.")];
            let mut a = analysis(&docs);
            a.entities[0].name = name.clone();
            a.entities[0].mentions = vec![Mention {
                article: "a1".into(),
                start: 0,
                end: 3,
            }];
            store.commit(&hashed_by_id(&docs), &a).unwrap();
            let filter = SearchFilter {
                entity: Some("n1".into()),
                ..Default::default()
            };
            let hits = store.search_filtered("harbour", &filter, 0, 10).unwrap();
            assert_eq!(ids(&hits), ["a1"], "a name of {} bytes", name.len());
        }
    }

    /// A store of one article, for a writer and readers to share.
    fn one_tugboat(path: &Path) -> Store {
        store_with(
            path,
            &[(
                "a1",
                "Tugboats towed the barge.",
                "Coast News",
                "2025-01-02",
            )],
        )
    }

    #[test]
    fn a_sqlite_error_says_what_failed_once() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        );
        let err = sql(Path::new("s.db"), full);
        // What `error: {err:#}` prints: the error and each source after it.
        let mut told = err.to_string();
        let mut cause = std::error::Error::source(&err);
        while let Some(c) = cause {
            told += &format!(": {c}");
            cause = c.source();
        }
        assert_eq!(told, "s.db: database or disk is full");
    }

    #[test]
    fn an_article_is_indexed_alike_as_staged_and_as_read_back() {
        let mut a = annotated("a1", "Olav Strand and ÅSA Lind met.");
        let person = |name: &str| LocalEntity {
            name: name.into(),
            kind: EntityKind::Person,
            aliases: vec![],
            mentions: vec![],
            role: None,
        };
        a.entities.push(person("ÅSA Lind"));
        a.entities.push(person("olav strand"));
        a.entities.push(person(&"Ø".repeat(150)));
        a.article.outlet = None;
        let store = Store::open_in_memory().unwrap();
        let (_, rows) =
            insert_articles(&store.conn, &store.path, &[("h".into(), a.clone())]).unwrap();
        let staged = index_row(rows[0].1, &a);
        let read = store
            .conn
            .query_row(
                "SELECT rowid, title, outlet, language, published,
                        json_extract(annotated, '$.article.body'),
                        json_extract(annotated, '$.entities')
                 FROM articles",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        [1, 2, 3, 4].map(|k| r.get::<_, Option<String>>(k).unwrap()),
                        r.get::<_, String>(5)?,
                        article_names(r.get::<_, Option<String>>(6)?.as_deref()),
                    ))
                },
            )
            .unwrap();
        let text = |c: &Option<Cow<'_, str>>| c.as_ref().map(|c| c.to_string());
        assert_eq!(
            (
                staged.rowid,
                [
                    &staged.title,
                    &staged.outlet,
                    &staged.language,
                    &staged.published
                ]
                .map(text),
                staged.body.to_string(),
                staged.names.clone(),
            ),
            read
        );
        assert_eq!(staged.names.len(), 3, "two names differ only in case");
    }

    #[test]
    fn staged_articles_are_stored_whole_at_their_commit_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut writer = one_tugboat(&path);
        let stage = |s: &mut Store, id: &str, body: &str| {
            s.stage_articles(&[(format!("h-{id}"), annotated(id, body))], 100)
                .unwrap()
        };
        assert_eq!(stage(&mut writer, "a2", "More tugboats arrived."), 1);
        assert_eq!(stage(&mut writer, "a3", "Tugboats again."), 1);
        // Stored twice within one stage, an article is still stored once.
        assert_eq!(stage(&mut writer, "a3", "Tugboats again."), 0);
        // Another connection sees the last commit; the staging one its own.
        let reader = Store::open(&path).unwrap();
        assert_eq!(reader.counts().unwrap().0, 1);
        assert!(writer.has_hash("h-a3").unwrap());
        writer.commit_staged().unwrap();
        assert_eq!(reader.counts().unwrap().0, 3);
        assert_eq!(writer.search("tugboats", 5).unwrap().len(), 3);
        // Dropped with an article staged (as in a crash), the store holds
        // what was committed, sound, and the next run stores it again. The
        // search index, which took the article as it was staged, drops it
        // too: its row number goes to the next article stored.
        assert_eq!(
            writer
                .stage_articles(
                    &[("h-x".into(), annotated("x", "Zebras and tugboats."))],
                    100
                )
                .unwrap(),
            1
        );
        drop(writer);
        let mut again = Store::open(&path).unwrap();
        assert!(!again.has_hash("h-x").unwrap());
        assert_eq!(again.counts().unwrap().0, 3);
        assert!(again.integrity_check().unwrap().is_empty());
        assert_eq!(stage(&mut again, "a4", "Last tugboats."), 1);
        // `add_articles` commits what is staged with its own.
        again
            .add_articles(&[("h-a5".into(), annotated("a5", "Tugboats at dusk."))])
            .unwrap();
        assert_eq!(reader.counts().unwrap().0, 5);
        assert!(again.needs_link().unwrap());
        assert!(again.search("zebras", 5).unwrap().is_empty());
        let mut found: Vec<String> = again
            .search("tugboats", 10)
            .unwrap()
            .into_iter()
            .map(|h| h.article)
            .collect();
        found.sort();
        assert_eq!(found, ["a1", "a2", "a3", "a4", "a5"]);
    }

    #[test]
    fn searches_see_an_ingest_once_it_commits_and_never_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut writer = one_tugboat(&path);
        let mut more = annotated("a2", "More tugboats arrived.");
        more.article.title = None;
        writer.add_articles(&[("h-a2".into(), more)]).unwrap();
        // Another connection (a server) while the ingest holds the index
        // writer: it searches the last commit, without waiting or failing.
        let reader = Store::open(&path).unwrap();
        assert!(reader.search("tugboats", 5).is_ok());
        // The ingest's own connection sees everything it stored.
        assert_eq!(writer.search("tugboats", 5).unwrap().len(), 2);
        // A second ingest meanwhile stores without waiting for the writer;
        // the first indexes its articles with its own next ones.
        let mut other = Store::open(&path).unwrap();
        let started = std::time::Instant::now();
        other
            .add_articles(&[("h-a3".into(), annotated("a3", "Tugboats again."))])
            .unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        writer
            .add_articles(&[("h-a4".into(), annotated("a4", "Last tugboats."))])
            .unwrap();
        writer.release_search().unwrap();
        let hits = reader.search("tugboats", 5).unwrap();
        let mut found = ids(&hits);
        found.sort();
        assert_eq!(found, ["a1", "a2", "a3", "a4"]);
        drop(other);
        // Syncing again adds nothing twice.
        assert_eq!(writer.sync_search().unwrap(), 0);
        drop(writer);
        assert!(reader.integrity_check().unwrap().is_empty());
        assert_eq!(reader.search_behind().unwrap(), 0);
    }

    #[test]
    fn any_query_a_user_can_type_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(
            &dir.path().join("s.db"),
            &[(
                "a1",
                "Ferry crews at Nordvik struck on Friday.",
                "Coast News",
                "2025-01-02",
            )],
        );
        // Query syntax, words and stray characters in random order (a fixed
        // xorshift seed, so a failure repeats).
        let parts = [
            "ferry", "Nordvik", "\"", "(", ")", "[", "]", "{", "}", ":", "title:", "body:", "-",
            "+", "*", "~", "^", "^2", "OR", "AND", "NOT", "TO", "\\", "/", "'", "IN", "<", ">",
            "=", "é", "北", " ", " ", " ", "0", "1.5", "!", "?", "&&", "||", "\u{0}", "\u{feff}",
            "row:", "day:",
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut q = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for _ in 0..(x % 12) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                q.push_str(parts[(x % parts.len() as u64) as usize]);
            }
            let hits = store.search(&q, 5);
            assert!(hits.is_ok(), "{q:?}: {:?}", hits.err());
        }
    }
}
