//! `storyline bench`: the whole pipeline (`storyline ingest`) at growing
//! sizes on a synthetic corpus grown from Reuters-21578
//! ([`storyline_ingest::synthetic`]), then on the WCXB HTML pages, with
//! trafilatura (extraction) and datasketch (near-duplicates) measured on
//! the same pages in the same run when Python has them.
//!
//! Each ingest runs in a child process (this binary, `ingest --json`) on a
//! fresh store, so its peak memory is its own; the store is then served
//! (`storyline serve`, another child) and its main queries timed, to show
//! whether their latency stays flat as the store grows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use storyline_ingest::{synthetic, PageKind, RawDoc};

use crate::output::line;

/// The datasketch side of the near-duplicate comparison.
const DATASKETCH: &str = include_str!("../../../../bench/datasketch_neardup.py");
/// Pages of the near-duplicate comparison (datasketch is ~100× slower).
const NEARDUP_PAGES: usize = 10_000;

/// What to run.
pub struct Options {
    /// Synthetic corpus sizes, in pages.
    pub sizes: Vec<usize>,
    /// Directory holding `corpus-reuters21578.tar.gz` and
    /// `extraction-wcxb-articles-dev.tar.gz`.
    pub data: PathBuf,
    /// Skip the HTML run.
    pub no_html: bool,
    /// Copies of each WCXB page in the HTML run, each with a marker so that
    /// they are distinct inputs (they then link as duplicates, as reprints
    /// do).
    pub html_copies: usize,
    /// Skip the comparisons with trafilatura and datasketch.
    pub no_compare: bool,
}

/// One ingest into a fresh store.
#[derive(Serialize)]
struct Run {
    name: String,
    /// Pages read (added, already stored or failed).
    pages: usize,
    pages_seconds: f64,
    link_seconds: f64,
    /// Pages a second of the page stage (read, clean, annotate, store).
    page_stage_pages_per_second: f64,
    /// Pages a second of the whole ingest, linking included.
    whole_pages_per_second: f64,
    peak_rss_mib: Option<f64>,
    /// The store's file, write-ahead log and search index.
    store_mib: f64,
    /// The most those took while the ingest ran, sampled every 200 ms:
    /// linking's one transaction grows the write-ahead log until it
    /// commits, so this is the free disk an ingest needs.
    peak_disk_mib: f64,
    events: u64,
    /// Linking's steps as `ingest --json` reports them.
    link_steps: serde_json::Value,
    /// `storyline serve` on the run's store: median milliseconds of each
    /// kind of request.
    latency_ms: Vec<(String, f64)>,
}

/// A rate measured on the same pages by storyline and by another tool.
#[derive(Serialize)]
struct Comparison {
    what: &'static str,
    pages: usize,
    storyline_pages_per_second: f64,
    /// `None` when the tool is not installed (`skipped` says why).
    other_pages_per_second: Option<f64>,
    other: &'static str,
    skipped: Option<String>,
}

#[derive(Serialize)]
struct Report {
    runs: Vec<Run>,
    comparisons: Vec<Comparison>,
    /// What was left out, and why.
    notes: Vec<String>,
}

/// Runs the suite and prints its report.
pub fn run(options: &Options, json: bool) -> Result<ExitCode> {
    let reuters_tgz = options.data.join("corpus-reuters21578.tar.gz");
    if !reuters_tgz.is_file() {
        bail!(
            "{}: not found; `storyline bench` grows its corpus from Reuters-21578 \
             (../shared/data, or --data DIR)",
            reuters_tgz.display()
        );
    }
    let mut sizes = options.sizes.clone();
    sizes.sort_unstable();
    sizes.dedup();
    sizes.retain(|&n| n > 0);
    let Some(&max) = sizes.last() else {
        bail!("--sizes: give at least one size above 0");
    };
    let work = tempfile::tempdir().context("creating a scratch directory")?;
    let mut notes = Vec::new();
    let say = |s: &str| {
        if !json {
            eprintln!("{s}");
        }
    };

    let reuters = String::from_utf8_lossy(&unpack_one(&reuters_tgz, ".jsonl")?).into_owned();
    let stories = synthetic::stories(&reuters);
    drop(reuters);
    if stories.is_empty() {
        bail!("{}: no stories of 60 words or more", reuters_tgz.display());
    }
    say(&format!(
        "synthetic corpus: {max} pages grown from {} Reuters-21578 stories (flattened text)",
        stories.len()
    ));
    let pages = synthetic::generate(&stories, max);
    // One file per size, the first N pages of the same stream: each record
    // made once and written to every file it belongs in.
    let files: Vec<(usize, PathBuf)> = sizes
        .iter()
        .map(|&n| (n, work.path().join(format!("pages-{n}.jsonl"))))
        .collect();
    let mut writers = files
        .iter()
        .map(|(_, path)| Ok(std::io::BufWriter::new(std::fs::File::create(path)?)))
        .collect::<Result<Vec<_>>>()?;
    for (i, p) in pages.iter().enumerate() {
        let record = p.record(i);
        for ((n, _), w) in files.iter().zip(&mut writers) {
            if i < *n {
                writeln!(w, "{record}")?;
            }
        }
    }
    for w in &mut writers {
        w.flush()?;
    }
    drop(writers);
    // Only the near-duplicate comparison's pages are kept in memory while
    // the runs go (a million pages are ~1 GB of text).
    let mut pages = pages;
    pages.truncate(NEARDUP_PAGES);
    pages.shrink_to_fit();

    let mut runs = Vec::new();
    for (n, path) in &files {
        say(&format!("ingesting {n} text pages…"));
        runs.push(ingest(
            &format!("text {n}"),
            Input::File(path),
            work.path(),
        )?);
    }

    let wcxb_tgz = options.data.join("extraction-wcxb-articles-dev.tar.gz");
    let mut html_pages: Vec<String> = Vec::new();
    if options.no_html {
        notes.push("HTML run skipped (--no-html)".into());
    } else if !wcxb_tgz.is_file() {
        notes.push(format!(
            "HTML run skipped: {} not found",
            wcxb_tgz.display()
        ));
    } else {
        // Decoded as ingest decodes them (declared charset, else detected).
        html_pages = unpack_all(&wcxb_tgz, ".html")?
            .into_iter()
            .map(|b| storyline_ingest::decode_bytes(&b, PageKind::Html).0)
            .collect();
        let copies = options.html_copies;
        say(&format!(
            "ingesting {} HTML pages ({} WCXB pages × {copies})…",
            html_pages.len() * copies,
            html_pages.len()
        ));
        // Streamed to the ingest: at ~190 KB a page, 100k pages written out
        // first would take 19 GB of disk.
        let pages = &html_pages;
        let records = move |w: &mut dyn Write| -> std::io::Result<()> {
            for k in 0..copies {
                for (i, html) in pages.iter().enumerate() {
                    let rec = serde_json::json!({
                        "url": format!("https://wcxb.invalid/{k}/{i}"),
                        "html": format!("{html}\n<!-- copy {k} -->"),
                    });
                    writeln!(w, "{rec}")?;
                }
            }
            w.flush()
        };
        runs.push(ingest("html", Input::Stream(&records), work.path())?);
    }

    let mut comparisons = Vec::new();
    if options.no_compare {
        notes.push("comparisons skipped (--no-compare)".into());
    } else {
        if !html_pages.is_empty() {
            say("extraction: storyline's cleaner and trafilatura, one core…");
            comparisons.push(extraction(&html_pages, work.path())?);
        }
        say(&format!(
            "near-duplicates: storyline and datasketch on {} pages…",
            pages.len()
        ));
        // The largest size's file starts with these pages.
        let (_, largest) = files.last().expect("at least one size");
        comparisons.push(neardup(&pages, largest, work.path())?);
    }

    let report = Report {
        runs,
        comparisons,
        notes,
    };
    if json {
        crate::output::json(&report)?;
    } else {
        print_report(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &Report) -> Result<()> {
    line("run           pages  page stage/s  linking s  whole pages/s  peak RSS MiB  store MiB  peak disk MiB  events")?;
    for run in &r.runs {
        line(&format!(
            "{:<11} {:>7}  {:>12.0}  {:>9.1}  {:>13.0}  {:>12}  {:>9.0}  {:>13.0}  {:>6}",
            run.name,
            run.pages,
            run.page_stage_pages_per_second,
            run.link_seconds,
            run.whole_pages_per_second,
            run.peak_rss_mib
                .map_or_else(|| "-".to_string(), |m| format!("{m:.0}")),
            run.store_mib,
            run.peak_disk_mib,
            run.events
        ))?;
    }
    if let Some(first) = r.runs.first() {
        // Flat as the store grows: one column per run.
        let mut head = format!("{:<38}", "query latency (median ms)");
        for run in &r.runs {
            head.push_str(&format!("  {:>11}", run.name));
        }
        line(&head)?;
        for (k, (what, _)) in first.latency_ms.iter().enumerate() {
            let mut row = format!("{what:<38}");
            for run in &r.runs {
                let ms = run.latency_ms.get(k).map_or(f64::NAN, |l| l.1);
                row.push_str(&format!("  {ms:>11.1}"));
            }
            line(&row)?;
        }
    }
    for c in &r.comparisons {
        match (c.other_pages_per_second, &c.skipped) {
            (Some(o), _) => line(&format!(
                "{}: storyline {:.0} pages/s, {} {:.0} pages/s ({:.1}×) on {} pages",
                c.what,
                c.storyline_pages_per_second,
                c.other,
                o,
                c.storyline_pages_per_second / o.max(1e-9),
                c.pages
            ))?,
            (None, why) => line(&format!(
                "{}: storyline {:.0} pages/s on {} pages; {} skipped: {}",
                c.what,
                c.storyline_pages_per_second,
                c.pages,
                c.other,
                why.as_deref().unwrap_or("not run")
            ))?,
        }
    }
    for n in &r.notes {
        line(&format!("note: {n}"))?;
    }
    line("(2 cores: the issue's targets are ≥ 5,000 text and ≥ 1,000 HTML pages/s whole, 1M pages < 30 min and < 4 GiB)")?;
    Ok(())
}

/// What a bench ingest reads.
enum Input<'a> {
    /// A file.
    File(&'a Path),
    /// JSONL records written to the ingest's standard input.
    Stream(&'a (dyn Fn(&mut dyn Write) -> std::io::Result<()> + Sync)),
}

/// `storyline ingest INPUT --json` into a fresh store in `work`, in a child
/// process (a stream is written to it from here, on a thread of its own).
fn ingest(name: &str, input: Input, work: &Path) -> Result<Run> {
    let db = work.join(format!("{}.db", name.replace(' ', "-")));
    let exe = std::env::current_exe().context("finding this program to run `ingest`")?;
    let (arg, what) = match input {
        Input::File(path) => (path.as_os_str(), path.display().to_string()),
        Input::Stream(_) => ("-".as_ref(), "- (the HTML pages)".to_string()),
    };
    let mut child = Command::new(exe)
        .arg("--db")
        .arg(&db)
        .arg("ingest")
        .arg(arg)
        .arg("--json")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running `storyline ingest`")?;
    let stdin = child.stdin.take().context("the ingest's standard input")?;
    let running = std::sync::atomic::AtomicBool::new(true);
    let (out, written, peak_disk) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || match input {
            Input::Stream(records) => records(&mut std::io::BufWriter::new(stdin)),
            Input::File(_) => Ok(()),
        });
        let sampler = scope.spawn(|| {
            let mut peak = 0;
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(store_bytes(&db));
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            peak
        });
        let out = child.wait_with_output();
        running.store(false, std::sync::atomic::Ordering::Relaxed);
        let peak = sampler
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (out, writer.join(), peak)
    });
    let out = out.context("running `storyline ingest`")?;
    // Exit code 1: some pages failed (reported in the JSON); worse is fatal.
    if !matches!(out.status.code(), Some(0 | 1)) {
        bail!(
            "`storyline ingest {what}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    match written {
        Ok(written) => written.with_context(|| format!("writing to `storyline ingest {what}`"))?,
        Err(panic) => std::panic::resume_unwind(panic),
    }
    let r: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("`storyline ingest {what}` printed no report"))?;
    let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
    let pages = (num("added") + num("already_stored") + num("failed")) as usize;
    let (page_s, link_s) = (num("pages_seconds"), num("link_seconds"));
    let store = store_bytes(&db);
    let run = Run {
        name: name.to_string(),
        pages,
        pages_seconds: page_s,
        link_seconds: link_s,
        page_stage_pages_per_second: pages as f64 / page_s.max(1e-9),
        whole_pages_per_second: pages as f64 / (page_s + link_s).max(1e-9),
        peak_rss_mib: r["peak_rss_mib"].as_f64(),
        store_mib: store as f64 / (1024.0 * 1024.0),
        peak_disk_mib: peak_disk.max(store) as f64 / (1024.0 * 1024.0),
        events: r["events"].as_u64().unwrap_or(0),
        link_steps: r["link_steps"].clone(),
        latency_ms: query_latency(&db)
            .with_context(|| format!("serving {} to time its queries", db.display()))?,
    };
    // The next run's memory and disk are its own.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let _ = std::fs::remove_dir_all(storyline_store::search::index_dir(&db));
    Ok(run)
}

/// Requests of each kind timed (after one to warm up), the median kept.
const SAMPLES: usize = 11;

/// `storyline serve` on `db` in a child process, and the median time of
/// [`SAMPLES`] requests for each of its main pages and API calls: event
/// pages and timeline pages (at offsets spread over the whole list), lists,
/// searches, the timeline, and the most-named entity's page and timeline.
fn query_latency(db: &Path) -> Result<Vec<(String, f64)>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting `storyline serve`")?;
    let _server = KillOnDrop(child);
    let mut ready = false;
    for _ in 0..300 {
        if http_get(port, "/api/events?limit=1").is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if !ready {
        bail!("the server did not answer within 30 s");
    }
    let json = |path: &str| -> Result<serde_json::Value> {
        Ok(serde_json::from_str(&http_get(port, path)?)?)
    };
    let total = json("/api/events?limit=1")?["total"].as_u64().unwrap_or(0) as usize;
    // Offsets spread over the whole list of events.
    let spread: Vec<usize> = (0..SAMPLES).map(|k| k * total / SAMPLES).collect();
    let mut events = Vec::new();
    let mut cursors = Vec::new();
    for at in &spread {
        let page = json(&format!("/api/events?offset={at}&limit=1"))?;
        if let Some(id) = page["items"][0]["id"].as_str() {
            events.push(id.to_string());
        }
        if let Some(next) = page["next"].as_str() {
            cursors.push(format!("/api/events?after={next}&limit=20"));
        }
    }
    // The most-named entity, how often it is named, and the least named.
    let entities = json("/api/entities?limit=1")?;
    let entity = entities["items"][0]["id"].as_str().map(str::to_string);
    // Its name, as a user types it: a name several entities share is
    // the merge of their timelines.
    let entity_name = entities["items"][0]["name"]
        .as_str()
        .map(storyline_server::query_value);
    let named = entities["items"][0]["mention_count"].as_u64().unwrap_or(0) as usize;
    let last = entities["total"].as_u64().unwrap_or(0).saturating_sub(1);
    let rare = json(&format!("/api/entities?offset={last}&limit=1"))?["items"][0]["id"]
        .as_str()
        .map(str::to_string);
    let mut kinds: Vec<(&str, Vec<String>)> = vec![
        ("home page /", vec!["/".into()]),
        (
            "events list /api/events",
            vec!["/api/events?limit=20".into()],
        ),
        (
            "search /api/search?q=said",
            vec!["/api/search?q=said".into()],
        ),
        (
            "search /api/search?q=two+words",
            vec!["/api/search?q=government+minister".into()],
        ),
        ("search page /search", vec!["/search?q=said".into()]),
        ("entities /api/entities", vec!["/api/entities".into()]),
        ("quotes /api/quotes", vec!["/api/quotes".into()]),
        ("storylines /api/storylines", vec!["/api/storylines".into()]),
        (
            "timeline /api/timeline",
            spread
                .iter()
                .map(|at| format!("/api/timeline?offset={at}&limit=20"))
                .collect(),
        ),
        ("timeline page /timeline", vec!["/timeline".into()]),
    ];
    if !cursors.is_empty() {
        kinds.push(("events after a cursor (spread)", cursors));
        kinds.push((
            "events at an offset (spread)",
            spread
                .iter()
                .map(|at| format!("/api/events?offset={at}&limit=20"))
                .collect(),
        ));
    }
    if !events.is_empty() {
        let api = events
            .iter()
            .map(|id| format!("/api/events/{id}"))
            .collect();
        let page = events.iter().map(|id| format!("/events/{id}")).collect();
        kinds.push(("event /api/events/{id}", api));
        kinds.push(("event page /events/{id}", page));
    }
    if let Some(id) = entity {
        kinds.push((
            "entity page /entities/{id}",
            vec![format!("/entities/{id}")],
        ));
        kinds.push((
            "entity timeline /timeline?entity={id}",
            vec![format!("/timeline?entity={id}")],
        ));
        kinds.push((
            "entity mentions /api/entities/{id}",
            (0..SAMPLES)
                .map(|k| format!("/api/entities/{id}?offset={}&limit=20", k * named / SAMPLES))
                .collect(),
        ));
        kinds.push((
            "search said within the entity",
            vec![format!("/api/search?q=said&entity={id}")],
        ));
    }
    if let Some(name) = entity_name {
        kinds.push((
            "timeline by its name /api/timeline",
            vec![format!("/api/timeline?entity={name}&limit=20")],
        ));
    }
    if let Some(id) = rare {
        kinds.push((
            "search said within least named",
            vec![format!("/api/search?q=said&entity={id}")],
        ));
    }
    let mut out = Vec::new();
    for (what, paths) in kinds {
        http_get(port, &paths[0])?;
        let mut ms: Vec<f64> = (0..SAMPLES)
            .map(|k| {
                let start = Instant::now();
                http_get(port, &paths[k % paths.len()])?;
                Ok(start.elapsed().as_secs_f64() * 1000.0)
            })
            .collect::<Result<_>>()?;
        ms.sort_by(f64::total_cmp);
        out.push((what.to_string(), ms[SAMPLES / 2]));
    }
    Ok(out)
}

/// A child process killed when this goes (on every path out).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The body of `GET path` from the server on loopback `port` (HTTP/1.0, so
/// the answer is not chunked and ends with the connection); an error unless
/// the status is 200.
fn http_get(port: u16, path: &str) -> Result<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .with_context(|| format!("GET {path}: no complete answer"))?;
    let status = head.split(' ').nth(1).unwrap_or("");
    if status != "200" {
        bail!("GET {path}: status {status}");
    }
    Ok(body.to_string())
}

/// Bytes of a store: its file, its write-ahead log and its search index.
fn store_bytes(db: &Path) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let index: u64 = walkdir::WalkDir::new(storyline_store::search::index_dir(db))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| size(e.path()))
        .sum();
    size(db) + size(&wal) + index
}

/// The cleaner on one core against trafilatura's `extract`, on the same
/// HTML pages.
fn extraction(pages: &[String], work: &Path) -> Result<Comparison> {
    let docs: Vec<RawDoc> = pages
        .iter()
        .enumerate()
        .map(|(i, html)| RawDoc::new(format!("bench/{i}.html"), PageKind::Html, html.clone()))
        .collect();
    let start = Instant::now();
    for doc in &docs {
        let _ = std::hint::black_box(storyline_clean::clean(doc));
    }
    let ours = pages.len() as f64 / start.elapsed().as_secs_f64().max(1e-9);
    let dir = work.join("html");
    std::fs::create_dir_all(&dir)?;
    for (i, html) in pages.iter().enumerate() {
        std::fs::write(dir.join(format!("{i:05}.html")), html)?;
    }
    let script = r#"
import pathlib, sys, time, trafilatura
pages = [p.read_text(errors="replace") for p in sorted(pathlib.Path(sys.argv[1]).glob("*.html"))]
t = time.perf_counter()
for h in pages:
    trafilatura.extract(h)
print(len(pages) / (time.perf_counter() - t))
"#;
    let (other, skipped) = python_rate(&["-c", script, &dir.display().to_string()], "trafilatura");
    Ok(Comparison {
        what: "extraction (one core)",
        pages: pages.len(),
        storyline_pages_per_second: ours,
        other_pages_per_second: other,
        other: "trafilatura",
        skipped,
    })
}

/// The near-duplicate index (sign, look up, insert, on all cores a batch
/// at a time as linking does) against datasketch's MinHashLSH on the same
/// pages (the first `pages.len()` records of `records`).
fn neardup(pages: &[synthetic::Page], records: &Path, work: &Path) -> Result<Comparison> {
    use rayon::prelude::*;
    use storyline_link::neardup::{NearDupIndex, Signature};
    let start = Instant::now();
    let mut index = NearDupIndex::new();
    let mut links = 0usize;
    for batch in pages.chunks(1000) {
        let sigs: Vec<Option<Signature>> =
            batch.par_iter().map(|p| Signature::of(&p.text)).collect();
        let ids: Vec<Option<u32>> = sigs
            .iter()
            .map(|s| s.as_ref().map(|s| index.insert(s)))
            .collect();
        links += sigs
            .par_iter()
            .zip(&ids)
            .map(|(s, id)| match (s, id) {
                (Some(s), Some(id)) => index.query(s, 0.5).iter().filter(|m| m.page < *id).count(),
                _ => 0,
            })
            .sum::<usize>();
    }
    let ours = pages.len() as f64 / start.elapsed().as_secs_f64().max(1e-9);
    std::hint::black_box(links);
    let script = work.join("datasketch_neardup.py");
    std::fs::write(&script, DATASKETCH)?;
    let (other, skipped) = python_rate(
        &[
            &script.display().to_string(),
            &records.display().to_string(),
            &pages.len().to_string(),
            "--rate",
        ],
        "datasketch",
    );
    Ok(Comparison {
        what: "near-duplicates",
        pages: pages.len(),
        storyline_pages_per_second: ours,
        other_pages_per_second: other,
        other: "datasketch",
        skipped,
    })
}

/// Runs `python3 ARGS` if `module` imports, and reads the pages/s it prints
/// last; else why not.
fn python_rate(args: &[&str], module: &str) -> (Option<f64>, Option<String>) {
    let has = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        return (None, Some(format!("pip install {module}")));
    }
    match Command::new("python3").args(args).output() {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            match text
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<f64>().ok())
            {
                Some(rate) => (Some(rate), None),
                None => (None, Some(format!("{module} printed no rate"))),
            }
        }
        Ok(o) => (
            None,
            Some(format!(
                "{module} failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            )),
        ),
        Err(e) => (None, Some(format!("python3: {e}"))),
    }
}

/// The contents of the first member of a `.tar.gz` whose name ends with
/// `suffix`.
fn unpack_one(tgz: &Path, suffix: &str) -> Result<Vec<u8>> {
    let mut found = unpack(tgz, suffix, true)?;
    found
        .pop()
        .with_context(|| format!("{}: no *{suffix} inside", tgz.display()))
}

/// The contents of every member of a `.tar.gz` whose name ends with
/// `suffix`, in name order.
fn unpack_all(tgz: &Path, suffix: &str) -> Result<Vec<Vec<u8>>> {
    let found = unpack(tgz, suffix, false)?;
    if found.is_empty() {
        bail!("{}: no *{suffix} inside", tgz.display());
    }
    Ok(found)
}

fn unpack(tgz: &Path, suffix: &str, first: bool) -> Result<Vec<Vec<u8>>> {
    use std::io::Read;
    let bad = || format!("{}: not a readable .tar.gz", tgz.display());
    let file =
        std::fs::File::open(tgz).with_context(|| format!("{}: cannot open", tgz.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut found: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for entry in archive.entries().with_context(bad)? {
        let mut entry = entry.with_context(bad)?;
        let path = entry.path().with_context(bad)?.into_owned();
        if !entry.header().entry_type().is_file() || !path.to_string_lossy().ends_with(suffix) {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).with_context(bad)?;
        found.push((path, bytes));
        if first {
            break;
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found.into_iter().map(|(_, b)| b).collect())
}
