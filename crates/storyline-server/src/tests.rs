//! Router tests over a real store built by the pipeline from pages we
//! wrote, one of them hostile.

use super::*;
use axum::body::Body;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A page full of markup that must never run: scripts, event handlers,
/// `javascript:` links, attribute breakers.
const HOSTILE: &str = "Harbour master Olav Strand <script>alert(1)</script> said the quay at Nordvik would reopen on Friday.\n\n\
\"We will reopen \"><img src=x onerror=alert(2)> the quay,\" Strand said. <a href=\"javascript:alert(3)\">click</a>\n\n\
The Nordvik Port Authority said repairs cost 3 million crowns.";

const PLAIN: &str =
    "Harbour master Olav Strand said the quay at Nordvik would reopen on Friday after repairs.\n\n\
\"We will reopen the quay,\" Strand said.\n\n\
The Nordvik Port Authority said repairs cost 3 million crowns.";

fn article(id: &str, outlet: &str, body: &str) -> storyline_model::Article {
    storyline_model::Article {
        id: id.into(),
        source: format!("{id}.txt"),
        url: None,
        format: storyline_model::SourceFormat::Text,
        title: Some(format!("Quay <b>reopens</b> {id}")),
        authors: vec![],
        outlet: Some(outlet.into()),
        original_source: None,
        published: Some("2025-03-04".into()),
        published_after: None,
        language: Some("en".into()),
        body: body.into(),
        removed: vec![],
    }
}

fn app(token: Option<&str>) -> (Router, tempfile::TempDir) {
    let (state, dir) = state(token);
    (router(state), dir)
}

fn state(token: Option<&str>) -> (Arc<AppState>, tempfile::TempDir) {
    let docs = vec![
        storyline_nlp::annotate(article("a1", "Harbour <Post>", HOSTILE)),
        storyline_nlp::annotate(article("a2", "Coast Daily", PLAIN)),
    ];
    let analysis = storyline_link::link(docs.clone(), vec![]);
    stored(&docs, &analysis, token)
}

/// A fresh store holding `docs` and their `analysis`, open for serving.
fn stored(
    docs: &[storyline_model::AnnotatedArticle],
    analysis: &storyline_model::Analysis,
    token: Option<&str>,
) -> (Arc<AppState>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let new: Vec<(String, storyline_model::AnnotatedArticle)> = docs
        .iter()
        .map(|d| (format!("h-{}", d.article.id), d.clone()))
        .collect();
    let mut store = Store::open(&db).unwrap();
    store.commit(&new, analysis).unwrap();
    drop(store);
    let state = Arc::new(AppState::open(&db, token.map(str::to_string)).unwrap());
    (state, dir)
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The ids of the records in `v[list]`.
fn ids(v: &serde_json::Value, list: &str) -> Vec<String> {
    fields(v, list, "id")
}

/// The string `field` of each record in `v[list]`.
fn fields(v: &serde_json::Value, list: &str, field: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {v:#}"))
        .iter()
        .map(|x| x[field].as_str().unwrap().to_string())
        .collect()
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String, axum::http::HeaderMap) {
    let res = app
        .clone()
        .oneshot(axum::http::Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

/// No markup from the pages survives as markup (as text, escaped, it may).
fn assert_inert(html: &str) {
    for bad in ["<script", "<img", "<a href=\"javascript:", "<b>", "<Post>"] {
        assert!(!html.contains(bad), "{bad} unescaped in:\n{html}");
    }
}

#[tokio::test]
async fn pages_escape_everything_and_forbid_scripts() {
    let (app, _dir) = app(None);
    let (status, home, headers) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_inert(&home);
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"));
    // Follow the first event link.
    let at = home.find("href=\"/events/").expect("an event link");
    let id: String = home[at + 14..].chars().take_while(|c| *c != '"').collect();
    let (status, event, _) = get(&app, &format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{event}");
    assert_inert(&event);
    assert!(
        event.contains("Outlets side by side") && event.contains("Coast Daily"),
        "{event}"
    );
    assert!(event.contains("Harbour &lt;Post&gt;"));
    for uri in [
        "/articles/a1?start=0&end=10",
        "/timeline",
        "/search?q=quay",
        "/search?q=quay&outlet=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&from=2025-01-01",
        "/entities/strand",
    ] {
        let (status, page, _) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        assert_inert(&page);
    }
    // The span is highlighted, the hostile text shown as text.
    let (_, art, _) = get(&app, "/articles/a1?start=0&end=14").await;
    assert!(
        art.contains("<mark id=\"hit\">Harbour master</mark>"),
        "{art}"
    );
    assert!(art.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn api_lists_paginate_and_refuse_bad_input() {
    let (app, _dir) = app(None);
    let (status, body, _) = get(&app, "/api/events?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["limit"], 1);
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let id = v["items"][0]["id"].as_str().unwrap().to_string();
    let (status, body, _) = get(&app, &format!("/api/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let d: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(!d["articles"].as_array().unwrap().is_empty());
    // The two pages tell one event: its quotes and the rewrite link come along.
    let both = get(&app, "/api/events?limit=200").await.1;
    let both: serde_json::Value = serde_json::from_str(&both).unwrap();
    let shared = both["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["articles"].as_array().unwrap().len() == 2)
        .expect("one event of both pages");
    let d = get(
        &app,
        &format!("/api/events/{}", shared["id"].as_str().unwrap()),
    )
    .await
    .1;
    let d: serde_json::Value = serde_json::from_str(&d).unwrap();
    assert!(!d["quotes"].as_array().unwrap().is_empty(), "{d:#}");
    assert_eq!(d["relations"].as_array().unwrap().len(), 1, "{d:#}");
    // Malformed ids, unknown ids, empty searches, huge queries.
    assert_eq!(
        get(&app, "/api/events/..%2Fetc").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&app, "/api/events/enope").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&app, "/api/search?q=").await.0, StatusCode::BAD_REQUEST);
    let long = format!("/api/search?q={}", "a".repeat(5000));
    assert_eq!(get(&app, &long).await.0, StatusCode::URI_TOO_LONG);
    let (status, spec, _) = get(&app, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    assert!(spec["paths"]["/api/events/{id}"].is_object());
    // Search filters: outlet and dates.
    let hits = |uri: &str| {
        let app = app.clone();
        let uri = uri.to_string();
        async move { serde_json::from_str::<serde_json::Value>(&get(&app, &uri).await.1).unwrap() }
    };
    assert_eq!(
        hits("/api/search?q=quay").await.as_array().unwrap().len(),
        2
    );
    assert_eq!(
        hits("/api/search?q=quay&outlet=coast%20daily")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        hits("/api/search?q=quay&from=2025-03-05")
            .await
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        hits("/api/search?q=quay&to=2025-03-04&language=en")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        hits("/api/search?q=quay&offset=1")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(&app, "/api/search?q=quay&offset=99999").await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, body, _) = get(&app, "/api/search?q=quay&from=March").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("is not a date (YYYY-MM-DD)"), "{body}");
    let (status, body, _) = get(&app, "/api/quotes?speaker=strand").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_token_guards_every_request() {
    let (app, _dir) = app(Some("s3cret"));
    assert_eq!(get(&app, "/api/events").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&app, "/").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&app, "/api/events?token=wrong").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "/api/events?token=s3cret").await.0,
        StatusCode::OK
    );
    let res = app
        .clone()
        .oneshot(
            axum::http::Request::get("/api/events")
                .header(header::AUTHORIZATION, "Bearer s3cret")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[test]
fn binding_beyond_loopback_needs_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let err = serve(&dir.path().join("s.db"), "0.0.0.0:0".parse().unwrap(), None).unwrap_err();
    assert!(matches!(err, ServeError::NeedsToken(_)), "{err}");
}

async fn post(app: &Router, uri: &str, body: Vec<u8>) -> (StatusCode, String) {
    let res = app
        .clone()
        .oneshot(
            axum::http::Request::post(uri)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn pages_posted_as_jsonl_are_ingested_once() {
    let (app, _dir) = app(None);
    let page = serde_json::json!({
        "url": "https://example.test/brekke",
        "title": "Second storm floods Brekke quay",
        "published": "2025-03-18",
        "outlet": "Fjord Post",
        "text": "A second winter storm flooded the quay at Brekke on Monday, damaging warehouses.\n\nHarbour master Olav Strand said the quay would stay closed for a week."
    });
    let body = format!("{page}\n{{\"url\": \"x\"}}\n").into_bytes();
    let (status, report) = post(&app, "/api/pages", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        (r["added"].as_u64(), r["failed"].as_u64()),
        (Some(1), Some(1)),
        "{r:#}"
    );
    assert!(
        r["errors"][0]["source"]
            .as_str()
            .unwrap()
            .contains("request:2"),
        "{r:#}"
    );
    // Again: nothing new.
    let (_, report) = post(&app, "/api/pages", body).await;
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        (r["added"].as_u64(), r["already_stored"].as_u64()),
        (Some(0), Some(1))
    );
    // The new page is searchable; bad bodies get a 400, huge ones a 413.
    let hits = get(&app, "/api/search?q=Brekke").await.1;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&hits)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        post(&app, "/api/pages", b"not json\n".to_vec()).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(&app, "/api/pages", b" ".to_vec()).await.0,
        StatusCode::BAD_REQUEST
    );
    let huge = vec![b' '; MAX_POST_BYTES + 10];
    assert_eq!(
        post(&app, "/api/pages", huge).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

/// An ingest in progress (the write connection held, a write transaction
/// open and half done) neither blocks readers nor shows them its state.
#[tokio::test]
// Holding the writer across the read is the point: an ingest holds it so.
#[allow(clippy::await_holding_lock)]
async fn reads_go_on_during_an_ingest_and_see_only_committed_state() {
    let (state, dir) = state(None);
    let app = router(state.clone());
    let before = get(&app, "/api/events").await.1;
    let _writer = state.write().unwrap();
    let mut raw = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
    let tx = raw.transaction().unwrap();
    tx.execute_batch("DELETE FROM events; DELETE FROM event_articles;")
        .unwrap();
    let during = tokio::time::timeout(std::time::Duration::from_secs(10), get(&app, "/api/events"))
        .await
        .expect("a read waited for the ingest");
    assert_eq!(during.0, StatusCode::OK);
    assert_eq!(during.1, before);
    assert!(before.contains("\"total\":1"), "{before}");
    drop(tx);
}

/// A page posted while another process writes the store (a CLI ingest
/// linking) gets a 503 saying so, and changes nothing.
#[tokio::test]
async fn pages_posted_while_another_ingest_writes_get_a_503() {
    let (state, dir) = state(None);
    let app = router(state.clone());
    let before = get(&app, "/api/events").await.1;
    let mut raw = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
    let tx = raw.transaction().unwrap();
    tx.execute_batch("DELETE FROM storylines;").unwrap();
    let page = serde_json::json!({
        "url": "https://example.test/locked",
        "title": "Ferry timetable changes at Nordvik",
        "published": "2025-03-20",
        "text": "The ferry company said on Thursday that the Nordvik crossing would run hourly from April.\n\nThe harbour master welcomed the change."
    });
    let (status, body) = post(&app, "/api/pages", format!("{page}\n").into_bytes()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("busy"), "{body}");
    drop(tx);
    assert_eq!(get(&app, "/api/events").await.1, before);
    assert!(get(&app, "/api/search?q=ferry").await.1.contains("[]"));
}

/// `?link=false` stores a page (searchable at once) and leaves the events
/// as they were; the next post that links takes it in.
#[tokio::test]
async fn pages_posted_without_linking_wait_for_the_next_link() {
    let (app, _dir) = app(None);
    let before = get(&app, "/api/events").await.1;
    let page = serde_json::json!({
        "url": "https://example.test/later",
        "title": "Ferry timetable changes at Nordvik",
        "published": "2025-03-20",
        "text": "The ferry company said on Thursday that the Nordvik crossing would run hourly from April.\n\nThe harbour master welcomed the change."
    });
    let body = format!("{page}\n").into_bytes();
    let (status, report) = post(&app, "/api/pages?link=false", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        (r["added"].as_u64(), r["needs_link"].as_bool()),
        (Some(1), Some(true)),
        "{r:#}"
    );
    assert_eq!(get(&app, "/api/events").await.1, before);
    assert!(get(&app, "/api/search?q=ferry").await.1.contains("Nordvik"));
    assert!(get(&app, "/").await.1.contains("last linked"));
    // Posted again, linking: nothing new stored, but the page joins an event.
    let (_, report) = post(&app, "/api/pages", body).await;
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        (r["added"].as_u64(), r["needs_link"].as_bool()),
        (Some(0), Some(false)),
        "{r:#}"
    );
    let after = get(&app, "/api/events").await.1;
    assert_ne!(after, before);
    assert!(after.contains("Ferry timetable"), "{after}");
    assert!(!get(&app, "/").await.1.contains("last linked"));
}

/// The event API says which articles name whom, merged across outlets; the
/// page marks each name present or missing per outlet and links it.
#[tokio::test]
async fn events_say_who_each_outlet_names() {
    let (app, _dir) = app(None);
    let list: serde_json::Value = serde_json::from_str(&get(&app, "/api/events").await.1).unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let detail: serde_json::Value =
        serde_json::from_str(&get(&app, &format!("/api/events/{id}")).await.1).unwrap();
    let strand = detail["names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Olav Strand")
        .unwrap_or_else(|| panic!("{detail:#}"));
    assert_eq!(
        strand["articles"].as_array().unwrap().len(),
        2,
        "{strand:#}"
    );
    let entity = strand["entity"].as_str().unwrap();
    let page = get(&app, &format!("/events/{id}")).await.1;
    assert!(
        page.contains(&format!("href=\"/entities/{entity}\">Olav Strand<")),
        "{page}"
    );
    let person = get(&app, &format!("/entities/{entity}")).await.1;
    assert!(
        person.contains("Coast Daily"),
        "quotes carry their outlet: {person}"
    );
    assert!(person.contains(&format!("/events/{id}")), "{person}");
}

/// A store of 700 one-article events a year apart, all naming "A&B" (as
/// linking would merge it: each article's own entity of that name).
fn long_timeline() -> (Router, tempfile::TempDir) {
    use storyline_model::{
        Analysis, AnnotatedArticle, Entity, EntityKind, Event, LocalEntity, Mention, Span,
    };
    let docs: Vec<AnnotatedArticle> = (0..700)
        .map(|k| AnnotatedArticle {
            article: article(&format!("a{k:03}"), "Coast Daily", PLAIN),
            sentences: vec![],
            entities: vec![LocalEntity {
                name: "A&B".into(),
                kind: EntityKind::Organization,
                aliases: vec![],
                mentions: vec![Span { start: 0, end: 7 }],
                role: None,
            }],
            quotes: vec![],
            times: vec![],
        })
        .collect();
    let analysis = Analysis {
        schema_version: storyline_model::SCHEMA_VERSION,
        articles: docs.iter().map(|d| d.article.clone()).collect(),
        relations: vec![],
        events: (0..700)
            .map(|k| Event {
                id: format!("e{k:03}"),
                title: format!("Event {k}"),
                date: Some(format!("{}-01-01", 1300 + k)),
                date_evidence: vec![],
                reported: None,
                articles: vec![format!("a{k:03}")],
                outlets: vec![],
                summary: String::new(),
            })
            .collect(),
        storylines: vec![],
        entities: vec![Entity {
            id: "n1".into(),
            name: "A&B".into(),
            kind: EntityKind::Organization,
            aliases: vec![],
            role: None,
            mentions: (0..700)
                .map(|k| Mention {
                    article: format!("a{k:03}"),
                    start: 0,
                    end: 7,
                })
                .collect(),
        }],
        quotes: vec![],
        times: vec![],
        errors: vec![],
    };
    let (state, dir) = stored(&docs, &analysis, None);
    (router(state), dir)
}

/// One event of 130 copies of a story (a wire story and its reprints), as
/// linking makes it.
fn big_event() -> (Router, tempfile::TempDir) {
    let docs: Vec<storyline_model::AnnotatedArticle> = (0..130)
        .map(|k| {
            let a = article(&format!("a{k:03}"), &format!("Outlet {k}"), PLAIN);
            storyline_nlp::annotate(a)
        })
        .collect();
    let analysis = storyline_link::link(docs.clone(), vec![]);
    let (state, dir) = stored(&docs, &analysis, None);
    (router(state), dir)
}

#[tokio::test]
async fn an_event_is_read_a_page_of_articles_at_a_time() {
    let (app, _dir) = big_event();
    let list = json(&get(&app, "/api/events").await.1);
    assert_eq!(list["total"], 1, "{list:#}");
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let first = json(&get(&app, &format!("/api/events/{id}")).await.1);
    assert_eq!(first["article_count"], 130);
    assert_eq!(first["article_offset"], 0);
    assert_eq!(ids(&first, "articles").len(), 50);
    assert_eq!(ids(&first, "articles")[0], "a000");
    // The names are those of the page's articles.
    let strand = first["names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Olav Strand")
        .unwrap_or_else(|| panic!("{:#}", first["names"]));
    assert_eq!(strand["articles"].as_array().unwrap().len(), 50);
    let last = json(&get(&app, &format!("/api/events/{id}?offset=120")).await.1);
    assert_eq!(
        ids(&last, "articles"),
        (120..130).map(|k| format!("a{k:03}")).collect::<Vec<_>>()
    );
    let quoted = fields(&last, "quotes", "article");
    assert!(quoted.len() >= 10, "{quoted:?}");
    assert!(quoted.iter().all(|a| a.as_str() >= "a120"), "{quoted:?}");
    // The copies' relations among the page's articles only.
    let related = last["relations"].as_array().unwrap();
    assert!(
        related.iter().all(|r| r["b"].as_str().unwrap() >= "a120"),
        "{related:?}"
    );
    let all = json(&get(&app, &format!("/api/events/{id}?limit=1000")).await.1);
    assert_eq!(ids(&all, "articles").len(), 130);

    let page = get(&app, &format!("/events/{id}")).await.1;
    let has = |page: &str, s: &str| assert!(page.contains(s), "no {s:?} in the page");
    has(&page, "Articles 1–20 of 130");
    has(
        &page,
        &format!("href=\"/events/{id}?offset=20&amp;limit=20\">later<"),
    );
    assert!(!page.contains(">earlier<"));
    assert_eq!(page.matches("<section class=\"col\">").count(), 20);
    let page = get(&app, &format!("/events/{id}?offset=120")).await.1;
    has(&page, "Articles 121–130 of 130");
    has(
        &page,
        &format!("href=\"/events/{id}?offset=100&amp;limit=20\">earlier<"),
    );
    assert!(!page.contains(">later<"));
}

#[tokio::test]
async fn the_timeline_is_read_a_page_at_a_time() {
    let (app, _dir) = long_timeline();
    let (status, body, _) = get(&app, "/api/timeline?offset=10&limit=3").await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(
        (
            v["total"].as_u64(),
            v["offset"].as_u64(),
            v["limit"].as_u64()
        ),
        (Some(700), Some(10), Some(3))
    );
    assert_eq!(ids(&v, "items"), ["e010", "e011", "e012"]);
    // Pages are capped like every list's, and the filters page the same way.
    let v = json(&get(&app, "/api/timeline?limit=100000").await.1);
    assert_eq!(v["items"].as_array().unwrap().len(), MAX_LIMIT);
    let v = json(&get(&app, "/api/timeline?entity=a%26b&offset=698").await.1);
    assert_eq!(v["total"], 700);
    assert_eq!(ids(&v, "items"), ["e698", "e699"]);
    for bad in ["/api/timeline?entity=nobody", "/api/timeline?storyline=s9"] {
        assert_eq!(get(&app, bad).await.0, StatusCode::NOT_FOUND, "{bad}");
    }
    // The entity's mentions, a page at a time, in the order stored.
    let v = json(&get(&app, "/api/entities/n1?offset=690&limit=4").await.1);
    assert_eq!(
        (&v["mention_count"], &v["mention_offset"]),
        (&700.into(), &690.into())
    );
    assert_eq!(
        fields(&v, "mentions", "article"),
        ["a690", "a691", "a692", "a693"]
    );
    let v = json(&get(&app, "/api/entities/n1?offset=9999").await.1);
    assert_eq!(v["mention_offset"], 700);
    assert!(v["mentions"].as_array().unwrap().is_empty());
    // Each page names the next with a cursor (`after=`): walking them gives
    // every item once, in order, whatever the list.
    let walk = |first: String| {
        let app = app.clone();
        async move {
            let mut seen: Vec<String> = Vec::new();
            let mut uri = first.clone();
            loop {
                let (status, body, _) = get(&app, &uri).await;
                assert_eq!(status, StatusCode::OK, "{uri}: {body}");
                let v = json(&body);
                let items = v.get("items").or(v.get("mentions")).unwrap();
                for it in items.as_array().unwrap() {
                    let id = it.get("id").or(it.get("article")).unwrap();
                    seen.push(id.as_str().unwrap().to_string());
                }
                let next = v.get("next").or(v.get("mention_next")).unwrap();
                let Some(next) = next.as_str() else { break };
                let sep = if first.contains('?') { '&' } else { '?' };
                uri = format!("{first}{sep}after={next}");
            }
            seen
        }
    };
    let timeline = walk("/api/timeline?entity=a%26b&limit=150".into()).await;
    assert_eq!(timeline.len(), 700);
    assert_eq!(timeline[698..], ["e698", "e699"]);
    let mentions = walk("/api/entities/n1?limit=256".into()).await;
    assert_eq!(mentions.len(), 700);
    assert_eq!(mentions[690], "a690");
    let events = walk("/api/events?limit=200".into()).await;
    assert_eq!(events.len(), 700);
    let mut distinct = events.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 700);
    let v = json(&get(&app, "/api/events?limit=2").await.1);
    let next = v["next"].as_str().unwrap().to_string();
    let v = json(
        &get(&app, &format!("/api/events?limit=2&after={next}"))
            .await
            .1,
    );
    assert_eq!(v["offset"], serde_json::Value::Null);
    for bad in [
        format!("/api/events?after={next}&offset=3"),
        "/api/events?after=not-a-cursor".to_string(),
        format!("/api/quotes?after={next}"),
        format!("/api/timeline?after={next}"),
    ] {
        let (status, body, _) = get(&app, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(json(&body)["error"].is_string());
    }
    // Searching within it pages through all its articles.
    let v = json(
        &get(&app, "/api/search?q=quay&entity=a%26b&offset=695&limit=10")
            .await
            .1,
    );
    assert_eq!(v.as_array().unwrap().len(), 5);
    let v = json(&get(&app, "/api/search?q=quay&entity=nobody").await.1);
    assert!(v.as_array().unwrap().is_empty());
    // The page shows the latest events, pointing to the earlier ones.
    let (status, page, _) = get(&app, "/timeline").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Events 401–700 of 700"), "{page}");
    assert!(
        page.contains("href=\"/timeline?offset=100\">← earlier"),
        "{page}"
    );
    assert!(!page.contains("later →"));
    assert!(page.contains(">Event 699<") && !page.contains(">Event 399<"));
    // The filter is kept (escaped) by the links.
    let (_, page, _) = get(&app, "/timeline?entity=A%26B&offset=0").await;
    assert!(page.contains("Events 1–300 of 700"), "{page}");
    assert!(
        page.contains("href=\"/timeline?offset=300&amp;entity=A%26B\">later →"),
        "{page}"
    );
}

#[test]
fn query_values_are_percent_encoded() {
    assert_eq!(
        crate::query_value("Kim Jong-un & co"),
        "Kim%20Jong-un%20%26%20co"
    );
    assert_eq!(crate::query_value("Zürich"), "Z%C3%BCrich");
}
