//! HTTP API and web pages for storyline: `storyline serve`.
//!
//! One axum router over a store: a JSON API under `/api/` (paginated,
//! described by `/api/openapi.json`) and server-rendered pages (no
//! JavaScript, no CDN, inline CSS) for storylines, events with their
//! outlets side by side, entities, articles with a highlighted span, a
//! timeline drawn in SVG, and search.
//!
//! Scraped text is hostile: every string from the store goes through
//! [`esc`] (text) or [`attr`] (attribute values), links are built only from
//! ids we checked ([`safe_id`]), and every response carries a
//! Content-Security-Policy that forbids scripts. The server binds to
//! loopback unless given a token, which it then requires on every request.
#![deny(missing_docs)]

mod pages;

pub use pages::q as query_value;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use storyline_store::{Cursor, Page as StorePage, Start, Store};

/// What the handlers share: connections to the store and the access token,
/// if any. A SQLite connection serves one thread at a time, so reads spread
/// over a few connections, each behind a lock, and writes (`POST
/// /api/pages`) have their own: in WAL mode readers keep answering from the
/// last committed state while an ingest runs, and see its result only when
/// its single transaction commits — never a half-linked store.
pub struct AppState {
    readers: Vec<Mutex<Store>>,
    next_reader: AtomicUsize,
    writer: Mutex<Store>,
    token: Option<String>,
}

/// Read connections per server: enough that two cores never wait on a lock
/// held by a slow query.
const READERS: usize = 4;

/// Page cache of each read connection, MiB (at most 4 × this held).
const READER_CACHE_MIB: usize = 64;

impl AppState {
    /// Opens the store at `db`.
    pub fn open(db: &Path, token: Option<String>) -> Result<AppState, ServeError> {
        let open =
            || Store::open(db).map_err(|e| ServeError::Store(db.to_path_buf(), e.to_string()));
        let writer = Mutex::new(open()?);
        let readers = (0..READERS)
            .map(|_| {
                let store = open()?;
                store
                    .cache_pages(READER_CACHE_MIB)
                    .map_err(|e| ServeError::Store(db.to_path_buf(), e.to_string()))?;
                Ok(Mutex::new(store))
            })
            .collect::<Result<_, _>>()?;
        Ok(AppState {
            readers,
            next_reader: AtomicUsize::new(0),
            writer,
            token,
        })
    }

    /// Brings the search index up to date before serving (a store from
    /// before the index, or an ingest stopped between storing and
    /// indexing), so that no search request pays for it; then lets the
    /// index writer go for ingests in other processes.
    pub fn sync_search(&self, db: &Path) -> Result<(), ServeError> {
        let store = self
            .write()
            .map_err(|_| ServeError::Store(db.to_path_buf(), "store lock poisoned".into()))?;
        let fail =
            |e: storyline_store::StoreError| ServeError::Store(db.to_path_buf(), e.to_string());
        store
            .catch_up_search(|behind| {
                eprintln!("storyline: indexing {behind} articles for search (once)…");
            })
            .map(drop)
            .map_err(fail)
    }

    /// A read connection, for one request: the first free one, else the
    /// next in turn.
    fn lock(&self) -> Result<MutexGuard<'_, Store>, ApiError> {
        for r in &self.readers {
            if let Ok(guard) = r.try_lock() {
                return Ok(guard);
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        self.readers[i]
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))
    }

    /// The write connection; ingests take turns on it.
    fn write(&self) -> Result<MutexGuard<'_, Store>, ApiError> {
        self.writer
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> storyline_store::Result<T>,
    ) -> Result<T, ApiError> {
        f(&*self.lock()?).map_err(ApiError::from_store)
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The store could not be opened.
    Store(PathBuf, String),
    /// Listening on a non-loopback address needs a token.
    NeedsToken(SocketAddr),
    /// The address could not be bound.
    Bind(SocketAddr, std::io::Error),
    /// The server stopped with an error.
    Io(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Store(p, e) => write!(f, "{}: {e}", p.display()),
            ServeError::NeedsToken(a) => write!(
                f,
                "{a} is not a loopback address: give --token (or STORYLINE_TOKEN) so that every request must carry it"
            ),
            ServeError::Bind(a, e) => write!(f, "cannot listen on {a}: {e}"),
            ServeError::Io(e) => write!(f, "server error: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serves `db` on `addr` until interrupted (Ctrl-C).
pub fn serve(db: &Path, addr: SocketAddr, token: Option<String>) -> Result<(), ServeError> {
    if !addr.ip().is_loopback() && token.as_deref().is_none_or(str::is_empty) {
        return Err(ServeError::NeedsToken(addr));
    }
    let state = Arc::new(AppState::open(db, token)?);
    state.sync_search(db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Io)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Bind(addr, e))?;
        eprintln!("storyline: serving {} on http://{addr}/", db.display());
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(ServeError::Io)
    })
}

/// Longest query string accepted (bytes).
const MAX_QUERY: usize = 2048;
/// Largest page size for list endpoints.
const MAX_LIMIT: usize = 200;
/// Deepest search page: the index keeps `offset + limit` hits in a heap.
pub const MAX_OFFSET: usize = 10_000;
/// Largest body `POST /api/pages` accepts.
const MAX_POST_BYTES: usize = 32 * 1024 * 1024;

/// The whole application: API, pages, limits, token and security headers.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/events", get(api_events))
        .route("/api/events/{id}", get(api_event))
        .route("/api/storylines", get(api_storylines))
        .route("/api/storylines/{id}", get(api_storyline))
        .route("/api/entities", get(api_entities))
        .route("/api/entities/{id}", get(api_entity))
        .route("/api/articles/{id}", get(api_article))
        .route("/api/quotes", get(api_quotes))
        .route("/api/timeline", get(api_timeline))
        .route("/api/search", get(api_search))
        .route(
            "/api/pages",
            axum::routing::post(api_post_pages).layer(DefaultBodyLimit::max(MAX_POST_BYTES)),
        );
    Router::new()
        .merge(api)
        .merge(pages::routes())
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Every request: bounded query, the token when one is set, and headers
/// that keep a browser from running anything a page might smuggle in.
async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        return ApiError::new(StatusCode::URI_TOO_LONG, "query string too long").into_response();
    }
    if let Some(token) = state.token.as_deref().filter(|t| !t.is_empty()) {
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let in_query = req.uri().query().is_some_and(|q| {
            q.split('&')
                .any(|kv| kv.strip_prefix("token=") == Some(token))
        });
        if bearer != Some(token) && !in_query {
            return ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong token")
                .into_response();
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// An error answered as JSON (API) with its status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: &str) -> ApiError {
        ApiError {
            status,
            message: message.to_string(),
        }
    }
    fn internal(message: &str) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, &format!("no {what}"))
    }
    /// A store's error: the client's fault when it sent a cursor of another
    /// list, the server's otherwise.
    fn from_store(e: storyline_store::StoreError) -> ApiError {
        match e {
            storyline_store::StoreError::BadCursor(m) => ApiError::new(StatusCode::BAD_REQUEST, &m),
            e => ApiError::internal(&e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// Ids are short and made of our own alphabet; anything else is refused
/// before it reaches the store or a link.
pub fn safe_id(id: &str) -> Result<&str, ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed id"))
    }
}

/// Escapes text for HTML element content.
pub fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// Escapes text for a double-quoted HTML attribute value.
pub fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// Pagination: `offset` or `after` (a cursor from an earlier page's
/// `next`), and `limit` (at most [`MAX_LIMIT`]).
#[derive(Debug, Deserialize, Default)]
pub struct Page {
    offset: Option<usize>,
    limit: Option<usize>,
    after: Option<String>,
}

impl Page {
    /// Where the page starts and its length (defaulted and capped); 400
    /// for a cursor this server did not write, or one with an offset.
    fn bounds(&self) -> Result<(Start, usize), ApiError> {
        let limit = self.limit.unwrap_or(50).clamp(1, MAX_LIMIT);
        let start = match (&self.after, self.offset) {
            (None, offset) => Start::Offset(offset.unwrap_or(0)),
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "give offset or after, not both",
                ))
            }
            (Some(after), None) => Start::After(
                Cursor::decode(after).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, &m))?,
            ),
        };
        Ok((start, limit))
    }

    /// Asks the store for this page with `fetch(start, limit)`.
    fn fetch<T>(
        &self,
        s: &AppState,
        fetch: impl FnOnce(&Store, &Start, usize) -> storyline_store::Result<StorePage<T>>,
    ) -> Result<Paged<T>, ApiError> {
        let (start, limit) = self.bounds()?;
        let page = s.with_store(|st| fetch(st, &start, limit))?;
        Ok(Paged::of(page, &start, limit))
    }
}

/// The offset a page of `total` items asked for from `start` reports: the
/// end for an offset past it, none after a cursor.
fn shown_offset(start: &Start, total: usize) -> Option<usize> {
    match start {
        Start::Offset(o) => Some((*o).min(total)),
        Start::After(_) => None,
    }
}

/// A page of a list as the API answers it.
#[derive(Serialize)]
pub struct Paged<T> {
    total: usize,
    /// The page's offset; `null` for a page asked for `after` a cursor.
    offset: Option<usize>,
    limit: usize,
    /// The cursor of the next page (`after=`), `null` on the last one.
    next: Option<String>,
    items: Vec<T>,
}

impl<T> Paged<T> {
    /// The store's page, asked for from `start`; an offset past the end is
    /// reported as the end.
    fn of(page: StorePage<T>, start: &Start, limit: usize) -> Paged<T> {
        Paged {
            total: page.total,
            offset: shown_offset(start, page.total),
            limit,
            next: page.next.map(|c| c.encode()),
            items: page.items,
        }
    }

    /// The same page with each item turned into another.
    fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            total: self.total,
            offset: self.offset,
            limit: self.limit,
            next: self.next,
            items: self.items.into_iter().map(f).collect(),
        }
    }
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn api_events(
    State(s): State<Arc<AppState>>,
    Query(p): Query<Page>,
) -> Result<Json<Paged<storyline_model::Event>>, ApiError> {
    Ok(Json(p.fetch(&s, |st, at, l| st.events_page(at, l))?))
}

/// An event with what the event page needs: a page of its articles (in
/// publication order), their quotes, the copy/rewrite links among them and
/// who each names. A wire story can have thousands of reprints: all their
/// bodies at once would be tens of MB, and every one was parsed per request.
#[derive(Serialize)]
struct EventDetail {
    event: storyline_model::Event,
    /// All its articles; `articles` holds those from `article_offset` on.
    article_count: usize,
    article_offset: usize,
    articles: Vec<storyline_model::Article>,
    quotes: Vec<storyline_model::Quote>,
    relations: Vec<storyline_model::Relation>,
    names: Vec<EventName>,
}

/// Which of an event's articles to show: `offset` (default 0) and `limit`
/// (default per caller, at most [`MAX_LIMIT`]).
#[derive(Debug, Deserialize, Default)]
pub struct ArticlePage {
    offset: Option<usize>,
    limit: Option<usize>,
}

impl ArticlePage {
    /// The first article shown and how many at most.
    fn bounds(&self, default: usize) -> (usize, usize) {
        (
            self.offset.unwrap_or(0),
            self.limit.unwrap_or(default).clamp(1, MAX_LIMIT),
        )
    }
}

/// Articles of an event the API returns by default.
const EVENT_ARTICLES: usize = 50;

/// Someone or something named in an event, and which of its articles name it.
#[derive(Serialize)]
struct EventName {
    /// Store-wide entity id, when the name resolves to one.
    entity: Option<String>,
    name: String,
    kind: storyline_model::EntityKind,
    articles: Vec<String>,
}

fn event_detail(
    store: &Store,
    id: &str,
    (offset, limit): (usize, usize),
) -> Result<Option<EventDetail>, ApiError> {
    let map = |e: storyline_store::StoreError| ApiError::internal(&e.to_string());
    let Some(event) = store.event(id).map_err(map)? else {
        return Ok(None);
    };
    let shown: Vec<String> = event
        .articles
        .iter()
        .skip(offset)
        .take(limit)
        .cloned()
        .collect();
    let mut articles = Vec::new();
    let mut names: Vec<EventName> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    // An event's articles name mostly the same people: each name is
    // resolved once.
    let mut resolved: std::collections::HashMap<String, Option<(String, String)>> =
        Default::default();
    for a in &shown {
        let Some(ann) = store.annotated(a).map_err(map)? else {
            continue;
        };
        for local in &ann.entities {
            // Local names differ by outlet ("Kim Jong Un", "Kim Jong-un"): the
            // store-wide entity, found by name or alias, makes them one.
            let global = match resolved.get(&local.name) {
                Some(g) => g.clone(),
                None => {
                    let g = store.resolve_name(&local.name).map_err(map)?;
                    resolved.insert(local.name.clone(), g.clone());
                    g
                }
            };
            let key = global
                .as_ref()
                .map(|g| g.0.clone())
                .unwrap_or_else(|| local.name.to_lowercase());
            let i = *index.entry(key).or_insert_with(|| {
                names.push(EventName {
                    entity: global.as_ref().map(|g| g.0.clone()),
                    name: global.as_ref().map_or(local.name.clone(), |g| g.1.clone()),
                    kind: local.kind,
                    articles: Vec::new(),
                });
                names.len() - 1
            });
            if !names[i].articles.contains(a) {
                names[i].articles.push(a.clone());
            }
        }
        articles.push(ann.article);
    }
    names.sort_by(|x, y| {
        y.articles
            .len()
            .cmp(&x.articles.len())
            .then_with(|| x.name.cmp(&y.name))
    });
    let mut quotes = Vec::new();
    for a in &shown {
        quotes.extend(store.quotes_of_article(a).map_err(map)?);
    }
    let relations = store.relations_among(&shown).map_err(map)?;
    Ok(Some(EventDetail {
        article_count: event.articles.len(),
        article_offset: offset,
        event,
        articles,
        quotes,
        relations,
        names,
    }))
}

async fn api_event(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
    Query(p): Query<ArticlePage>,
) -> Result<Json<EventDetail>, ApiError> {
    let id = safe_id(&id)?;
    let store = s.lock()?;
    event_detail(&store, id, p.bounds(EVENT_ARTICLES))?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("such event"))
}

async fn api_storylines(
    State(s): State<Arc<AppState>>,
    Query(p): Query<Page>,
) -> Result<Json<Paged<storyline_model::Storyline>>, ApiError> {
    Ok(Json(p.fetch(&s, |st, at, l| st.storylines_page(at, l))?))
}

async fn api_storyline(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = safe_id(&id)?;
    let (story, events) = s.with_store(|st| {
        let Some(story) = st.storyline(id)? else {
            return Ok((None, vec![]));
        };
        let mut events = Vec::new();
        for e in &story.events {
            events.extend(st.event(e)?);
        }
        Ok((Some(story), events))
    })?;
    let story = story.ok_or_else(|| ApiError::not_found("such storyline"))?;
    Ok(Json(
        serde_json::json!({ "storyline": story, "events": events }),
    ))
}

/// An entity as the API lists it: its mentions cut to one page (a person
/// named in 10,000 articles would otherwise weigh megabytes), with their count.
#[derive(Serialize)]
struct EntityView {
    #[serde(flatten)]
    entity: storyline_model::Entity,
    mention_count: usize,
    /// The mentions' offset; `null` for a page asked for `after` a cursor.
    mention_offset: Option<usize>,
    /// The cursor of the next page of mentions (`after=` on the entity's
    /// record), `null` on the last one and in the list of entities.
    mention_next: Option<String>,
}

async fn api_entities(
    State(s): State<Arc<AppState>>,
    Query(p): Query<Page>,
) -> Result<Json<Paged<EntityView>>, ApiError> {
    // The store hands each entity with its first mentions only (its list
    // entry), and the count of all.
    let page = p.fetch(&s, |st, at, l| st.entities_page(at, l))?;
    Ok(Json(page.map(|(entity, mention_count)| EntityView {
        mention_offset: Some(0),
        // The rest are paged from the entity's own record.
        mention_next: None,
        entity,
        mention_count,
    })))
}

/// One entity; `offset` and `limit` page through its mentions.
async fn api_entity(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
    Query(p): Query<Page>,
) -> Result<Json<EntityView>, ApiError> {
    let id = safe_id(&id)?;
    let (start, limit) = p.bounds()?;
    // The record from its list entry, and one page of its mentions read
    // from their index: the most-named entities have 100k of them.
    let view = s.with_store(|st| {
        let Some((mut entity, count)) = st.entity_head(id)? else {
            return Ok(None);
        };
        let page = st.entity_mentions(&entity.id, &start, limit)?;
        entity.mentions = page.items;
        Ok(Some(EntityView {
            entity,
            mention_count: count,
            mention_offset: shown_offset(&start, count),
            mention_next: page.next.map(|c| c.encode()),
        }))
    })?;
    view.map(Json)
        .ok_or_else(|| ApiError::not_found("such entity"))
}

async fn api_article(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<storyline_model::Article>, ApiError> {
    let id = safe_id(&id)?;
    s.with_store(|st| st.article(id))?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("such article"))
}

/// Quote filters.
#[derive(Debug, Deserialize, Default)]
pub struct QuoteQuery {
    speaker: Option<String>,
    group: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
    after: Option<String>,
}

async fn api_quotes(
    State(s): State<Arc<AppState>>,
    Query(q): Query<QuoteQuery>,
) -> Result<Json<Paged<storyline_model::Quote>>, ApiError> {
    let page = Page {
        offset: q.offset,
        limit: q.limit,
        after: q.after.clone(),
    };
    Ok(Json(page.fetch(&s, |st, at, l| {
        st.quotes_page(q.speaker.as_deref(), q.group.as_deref(), at, l)
    })?))
}

/// Timeline filters and page.
#[derive(Debug, Deserialize, Default)]
pub struct TimelineQuery {
    entity: Option<String>,
    storyline: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
    after: Option<String>,
}

/// One page of the events of a storyline or naming an entity (or all),
/// oldest first by when they happened, and how many there are.
fn timeline_events(
    store: &Store,
    q: &TimelineQuery,
    start: &Start,
    limit: usize,
) -> Result<StorePage<storyline_model::Event>, ApiError> {
    let storyline = q.storyline.as_deref().map(safe_id).transpose()?;
    match store
        .timeline_page(storyline, q.entity.as_deref(), start, limit)
        .map_err(ApiError::from_store)?
    {
        Ok(page) => Ok(page),
        Err(storyline_store::Unknown::Storyline) => Err(ApiError::not_found("such storyline")),
        Err(storyline_store::Unknown::Entity) => Err(ApiError::not_found("such entity")),
    }
}

async fn api_timeline(
    State(s): State<Arc<AppState>>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<Paged<storyline_model::Event>>, ApiError> {
    let (start, limit) = Page {
        offset: q.offset,
        limit: q.limit,
        after: q.after.clone(),
    }
    .bounds()?;
    let page = timeline_events(&*s.lock()?, &q, &start, limit)?;
    Ok(Json(Paged::of(page, &start, limit)))
}

/// Search parameters: the text, and filters on outlet, publication dates
/// (`from`, `to`: `YYYY-MM-DD`, inclusive), language and a named entity;
/// `offset` hits skipped (pages of results, up to [`MAX_OFFSET`]).
#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    outlet: Option<String>,
    from: Option<String>,
    to: Option<String>,
    language: Option<String>,
    entity: Option<String>,
}

/// Runs a search with its filters (outlet, language, dates, a named
/// entity), all applied inside the index.
fn search_filtered(
    store: &Store,
    q: &SearchQuery,
    text: &str,
    limit: usize,
) -> Result<Vec<Hit>, ApiError> {
    let map = |e: storyline_store::StoreError| ApiError::internal(&e.to_string());
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    let day = |name: &str, v: &Option<String>| -> Result<Option<u64>, ApiError> {
        match nonempty(v) {
            None => Ok(None),
            Some(v) => storyline_store::iso_day(&v).map(Some).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    &format!("{name}: {v:?} is not a date (YYYY-MM-DD)"),
                )
            }),
        }
    };
    let filter = storyline_store::SearchFilter {
        outlet: nonempty(&q.outlet),
        language: nonempty(&q.language),
        from: day("from", &q.from)?,
        to: day("to", &q.to)?,
        entity: nonempty(&q.entity),
    };
    let offset = q.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            &format!("offset: at most {MAX_OFFSET} (narrow the search instead)"),
        ));
    }
    let hits = store
        .search_filtered(text, &filter, offset, limit)
        .map_err(map)?;
    Ok(hits
        .into_iter()
        .map(|h| Hit {
            article: h.article,
            title: h.title,
            snippet: h.snippet,
        })
        .collect())
}

/// One search result.
#[derive(Serialize, Clone)]
pub(crate) struct Hit {
    article: String,
    title: Option<String>,
    snippet: String,
}

async fn api_search(
    State(s): State<Arc<AppState>>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<Hit>>, ApiError> {
    let text = q.q.clone().unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "empty query (q=…)"));
    }
    let limit = q.limit.unwrap_or(20).clamp(1, MAX_LIMIT);
    let store = s.lock()?;
    Ok(Json(search_filtered(&store, &q, &text, limit)?))
}

/// Parameters of `POST /api/pages`.
#[derive(Debug, Deserialize, Default)]
pub struct PagesQuery {
    /// `false`: store the pages without linking (as `ingest --no-link`).
    link: Option<bool>,
}

/// `POST /api/pages`: JSONL, one page per line (`url`, `html` or `text`,
/// `published`, `outlet`, `title`), ingested as `storyline ingest` does —
/// pages already stored are skipped, everything re-linked in one
/// transaction; with `?link=false` the pages are stored and searchable
/// but linked only by a later post without it (or `storyline link`).
/// 200 with the report (its `errors` name each failed line); 400 when no
/// page in the body could be read; 413 over the size limit;
/// 503 when another process holds the store's write lock (an ingest
/// linking a large store holds it for minutes).
async fn api_post_pages(
    State(s): State<Arc<AppState>>,
    Query(q): Query<PagesQuery>,
    body: Bytes,
) -> Result<Json<storyline_pipeline::IngestReport>, ApiError> {
    let options = storyline_pipeline::IngestOptions {
        link: q.link.unwrap_or(true),
        ..Default::default()
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty body: send JSONL, one page per line",
        ));
    }
    // Cleaning, annotating and re-linking take a while: off the async threads.
    let report = tokio::task::spawn_blocking(move || {
        let mut store = s.write()?;
        let docs = storyline_ingest::read_jsonl_bytes("request", body.to_vec());
        storyline_pipeline::ingest_with_progress(&mut store, docs, options, |_| {}).map_err(|e| {
            if e.is_busy() {
                // Another process (a `storyline ingest`) holds the write
                // lock, for minutes while it links a large store.
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store is busy: another ingest is writing it; retry later",
                )
            } else {
                ApiError::internal(&e.to_string())
            }
        })
    })
    .await
    .map_err(|e| ApiError::internal(&e.to_string()))??;
    if report.added == 0 && report.already_stored == 0 && report.failed > 0 {
        let first = report
            .errors
            .first()
            .map(|e| format!("{}: {}", e.source, e.message))
            .unwrap_or_default();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            &format!(
                "no page could be read ({} failed; first: {first})",
                report.failed
            ),
        ));
    }
    Ok(Json(report))
}

#[cfg(test)]
mod tests;
