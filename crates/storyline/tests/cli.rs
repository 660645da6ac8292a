//! End-to-end tests of the `storyline` binary on the bundled example pages
//! and on bad input written by the tests themselves.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_storyline"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/pages")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn chars(s: &str, start: u64, end: u64) -> String {
    s.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn article_by_source<'a>(a: &'a Value, needle: &str) -> &'a Value {
    a["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["source"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no article from {needle}"))
}

#[test]
fn analyze_examples_json_contract() {
    let out = run(&["analyze", examples().to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = json_of(&out);
    assert_eq!(a["schema_version"], 1);
    assert_eq!(a["articles"].as_array().unwrap().len(), 6);

    let wire = article_by_source(&a, "01-wire");
    let herald = article_by_source(&a, "02-coastal");
    let rewrite = article_by_source(&a, "03-rewrite");
    let tram = article_by_source(&a, "06-tram");
    assert_eq!(wire["outlet"], "Tidewater Wire");
    assert_eq!(wire["published"], "2025-03-04");
    assert_eq!(wire["authors"][0], "Jonas Aalto");
    assert_eq!(herald["original_source"], "Tidewater Wire");
    assert_eq!(herald["authors"][0], "Mia Berg");
    let body = herald["body"].as_str().unwrap();
    for clutter in [
        "cookies",
        "41 F",
        "donation",
        "Read also",
        "Fish prices",
        "[COASTAL HERALD]",
    ] {
        assert!(!body.contains(clutter), "{clutter:?} left in body");
    }
    assert!(
        !wire["body"].as_str().unwrap().contains("Waves break"),
        "figure caption in body"
    );
    assert_eq!(rewrite["published"], "2025-03-05");
    assert_eq!(rewrite["authors"][0], "Erik Sund");
    // Windows-1252 decoded.
    assert!(tram["title"].as_str().unwrap().contains("Västra"));
    assert!(tram["body"].as_str().unwrap().contains("Café Norden"));

    // The three reports of the first storm are one event; the reopening, the
    // second storm and the tram vote are three more.
    let events = a["events"].as_array().unwrap();
    assert_eq!(events.len(), 4, "{events:#?}");
    let storm = events
        .iter()
        .find(|e| e["articles"].as_array().unwrap().contains(&wire["id"]))
        .unwrap();
    let members = storm["articles"].as_array().unwrap();
    assert!(members.contains(&herald["id"]) && members.contains(&rewrite["id"]));
    assert_eq!(members.len(), 3);
    // Storylines: the storms and the reopening together, the tram apart.
    let storylines = a["storylines"].as_array().unwrap();
    assert_eq!(storylines.len(), 2, "{storylines:#?}");

    // The wire is the original of the syndicated copy; the rewrite is found.
    let rels = a["relations"].as_array().unwrap();
    assert!(rels
        .iter()
        .any(|r| r["a"] == wire["id"] && r["b"] == herald["id"] && r["kind"] == "syndicated"));
    assert!(rels
        .iter()
        .any(|r| r["b"] == rewrite["id"] && r["kind"] == "rewrite"));

    // Every span points at its text.
    let bodies: std::collections::HashMap<&str, &str> = a["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].as_str().unwrap(), x["body"].as_str().unwrap()))
        .collect();
    // A dated event says where its date comes from: lede expressions that
    // resolve to it, spans pointing at their text.
    let dated: Vec<&Value> = a["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["date"].is_string())
        .collect();
    assert!(!dated.is_empty());
    for e in dated {
        let ev = e["date_evidence"].as_array().unwrap();
        assert!(!ev.is_empty(), "{e:#?}");
        for t in ev {
            assert_eq!(t["value"], e["date"]);
            let body = bodies[t["article"].as_str().unwrap()];
            assert_eq!(
                chars(
                    body,
                    t["start"].as_u64().unwrap(),
                    t["end"].as_u64().unwrap()
                ),
                t["text"].as_str().unwrap()
            );
        }
    }
    // The rewrite's evidence: aligned sentences, in order in both pages,
    // each span a whole sentence of its page.
    let rewrite_rel = rels.iter().find(|r| r["kind"] == "rewrite").unwrap();
    let ev = rewrite_rel["evidence"].as_array().unwrap();
    assert!(ev.len() >= 2, "{rewrite_rel:#?}");
    for w in ev.windows(2) {
        assert!(w[0]["a"]["start"].as_u64() < w[1]["a"]["start"].as_u64());
        assert!(w[0]["b"]["start"].as_u64() < w[1]["b"]["start"].as_u64());
    }
    for e in ev {
        for (side, id) in [("a", &rewrite_rel["a"]), ("b", &rewrite_rel["b"])] {
            let body = bodies[id.as_str().unwrap()];
            let s = chars(
                body,
                e[side]["start"].as_u64().unwrap(),
                e[side]["end"].as_u64().unwrap(),
            );
            assert!(s.trim_end().ends_with(['.', '"', '”', '!', '?']), "{s}");
        }
    }
    for e in a["entities"].as_array().unwrap() {
        let mut forms: Vec<&str> = vec![e["name"].as_str().unwrap()];
        forms.extend(
            e["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap()),
        );
        for m in e["mentions"].as_array().unwrap() {
            let text = chars(
                bodies[m["article"].as_str().unwrap()],
                m["start"].as_u64().unwrap(),
                m["end"].as_u64().unwrap(),
            );
            assert!(
                forms.contains(&text.as_str()),
                "mention {text:?} of {forms:?}"
            );
        }
    }
    for q in a["quotes"].as_array().unwrap() {
        let text = chars(
            bodies[q["article"].as_str().unwrap()],
            q["start"].as_u64().unwrap(),
            q["end"].as_u64().unwrap(),
        );
        assert_eq!(text, q["text"].as_str().unwrap());
    }
    for t in a["times"].as_array().unwrap() {
        let text = chars(
            bodies[t["article"].as_str().unwrap()],
            t["start"].as_u64().unwrap(),
            t["end"].as_u64().unwrap(),
        );
        assert_eq!(text, t["text"].as_str().unwrap());
    }

    // Entities merged across outlets, quotes attributed and grouped.
    let strand = a["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Olav Strand")
        .unwrap();
    assert_eq!(strand["kind"], "person");
    let strand_articles: std::collections::HashSet<&str> = strand["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["article"].as_str().unwrap())
        .collect();
    assert_eq!(strand_articles.len(), 4);
    let ferries: Vec<&Value> = a["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| {
            q["kind"] == "direct"
                && q["text"]
                    .as_str()
                    .unwrap()
                    .contains("depend on those ferries")
        })
        .collect();
    assert_eq!(ferries.len(), 3);
    assert!(ferries.iter().all(|q| q["speaker"] == strand["id"]));
    assert!(ferries
        .iter()
        .all(|q| q["group"] == ferries[0]["group"] && !q["group"].is_null()));
    let variants: Vec<&str> = ferries
        .iter()
        .map(|q| q["variant"].as_str().unwrap())
        .collect();
    assert!(
        variants.contains(&"verbatim") && variants.contains(&"altered"),
        "{variants:?}"
    );

    // "on Tuesday" in a report published Tuesday 2025-03-04.
    assert!(a["times"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["article"] == herald["id"]
            && t["text"] == "Tuesday"
            && t["value"] == "2025-03-04"));
}

#[test]
fn bad_inputs_are_reported_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.txt"), b"").unwrap();
    std::fs::write(d.join("binary.html"), [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    std::fs::write(d.join("truncated.txt.gz"), [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    std::fs::write(
        d.join("lines.jsonl"),
        b"{\"text\": \"A short page that says almost nothing at all.\"}\nnot json\n",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"Ferry resumes\n\nThe ferry between the islands resumed service on Friday after a week of storms, the operator said.").unwrap();
    std::fs::write(d.join("good.txt.gz"), gz.finish().unwrap()).unwrap();

    let out = run(&["analyze", d.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "some inputs failed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (file, problem) in [
        ("empty.txt", "empty file"),
        ("binary.html", "binary data"),
        ("truncated.txt.gz", "corrupt gzip"),
        ("lines.jsonl:2", "invalid JSON"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(problem)),
            "no error line for {file}: {stderr}"
        );
    }
    let a = json_of(&out);
    assert_eq!(a["articles"].as_array().unwrap().len(), 2);
    assert_eq!(a["errors"].as_array().unwrap().len(), 4);
}

#[test]
fn ingest_is_idempotent_incremental_and_queryable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let ex = examples();
    let wire = ex.join("01-wire-tidewater.html");
    let herald = ex.join("02-coastal-herald.txt");

    let out = run(&["ingest", wire.to_str().unwrap(), "--db", db, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_of(&out)["added"], 1);

    // The same page again adds nothing; a new page joins the existing event.
    let out = run(&[
        "ingest",
        wire.to_str().unwrap(),
        herald.to_str().unwrap(),
        "--db",
        db,
        "--json",
    ]);
    let r = json_of(&out);
    assert_eq!(
        (r["added"].as_u64(), r["already_stored"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["events"], 1);

    let out = run(&["ingest", ex.to_str().unwrap(), "--db", db, "--json"]);
    let r = json_of(&out);
    assert_eq!(
        (r["added"].as_u64(), r["already_stored"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(r["articles"], 6);

    // The store gives the same events as the in-memory pipeline.
    let stored = json_of(&run(&["events", "--db", db, "--json"]));
    let analysed = json_of(&run(&["analyze", ex.to_str().unwrap(), "--json"]));
    let ids = |v: &Value| {
        let mut x: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        x.sort();
        x
    };
    assert_eq!(ids(&stored), ids(&analysed["events"]));

    let storm = stored
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["articles"].as_array().unwrap().len() == 3)
        .unwrap();
    let out = run(&["show", storm["id"].as_str().unwrap(), "--db", db]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Tidewater Wire") && text.contains("Coastal Herald"),
        "{text}"
    );

    let tl = json_of(&run(&[
        "timeline", "--entity", "Strand", "--db", db, "--json",
    ]));
    let dates: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["happened"].as_str())
        .collect();
    assert!(
        tl.as_array().unwrap().len() >= 2 && dates.windows(2).all(|w| w[0] <= w[1]),
        "{tl:#?}"
    );
    // A dated event shows the sentence that dates it.
    for e in tl.as_array().unwrap() {
        if let Some(ev) = e.get("evidence") {
            let expr = ev["expression"].as_str().unwrap();
            assert!(ev["sentence"].as_str().unwrap().contains(expr), "{ev:#?}");
        }
    }
    // --offset and --limit take a part of it.
    let part = json_of(&run(&[
        "timeline", "--entity", "Strand", "--offset", "1", "--limit", "1", "--db", db, "--json",
    ]));
    assert_eq!(part.as_array().unwrap(), &tl.as_array().unwrap()[1..2]);
    // One storyline's timeline holds only its events.
    let stories = json_of(&run(&["storylines", "--db", db, "--json"]));
    let story = &stories.as_array().unwrap()[0];
    let tl = json_of(&run(&[
        "timeline",
        "--storyline",
        story["id"].as_str().unwrap(),
        "--db",
        db,
        "--json",
    ]));
    let ids: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    let members: Vec<&str> = story["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|i| members.contains(i)),
        "{tl:#?}"
    );

    let q = json_of(&run(&[
        "quotes",
        "--speaker",
        "olav strand",
        "--db",
        db,
        "--json",
    ]));
    assert!(q.as_array().unwrap().len() >= 3);
    let hits = json_of(&run(&["search", "breakwater", "--db", db, "--json"]));
    assert!(hits.as_array().unwrap().len() >= 3);
    assert!(hits[0]["snippet"]
        .as_str()
        .unwrap()
        .contains("[breakwater]"));
    // Pages of hits, and filters: the next page starts where the first
    // ended; no page is dated in 1990; a bad date is refused by name.
    let all = hits.as_array().unwrap().len();
    let rest = json_of(&run(&[
        "search",
        "breakwater",
        "--offset",
        "1",
        "--db",
        db,
        "--json",
    ]));
    assert_eq!(rest.as_array().unwrap().len(), all - 1);
    assert_eq!(rest[0], hits[1]);
    let none = json_of(&run(&[
        "search",
        "breakwater",
        "--to",
        "1990-12-31",
        "--db",
        db,
        "--json",
    ]));
    assert!(none.as_array().unwrap().is_empty(), "{none:#}");
    let bad = run(&["search", "breakwater", "--from", "May", "--db", db]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a date"));
    let ents = json_of(&run(&["entities", "--db", db, "--json"]));
    assert!(ents
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "Halvik Port Authority"));
    let out = run(&["show", "no-such-thing", "--db", db]);
    assert_eq!(out.status.code(), Some(2));
    // Links in the store keep their evidence; one article's links are asked for by id.
    let links = json_of(&run(&["copies", "--db", db, "--json"]));
    let first = &links.as_array().unwrap()[0];
    assert!(
        !first["evidence"].as_array().unwrap().is_empty(),
        "{first:#?}"
    );
    let one = json_of(&run(&[
        "copies",
        first["b"].as_str().unwrap(),
        "--db",
        db,
        "--json",
    ]));
    assert!(one
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["a"] == first["b"] || r["b"] == first["b"]));
    let text = run(&["copies", first["b"].as_str().unwrap(), "--db", db]);
    assert!(String::from_utf8_lossy(&text.stdout).contains(first["kind"].as_str().unwrap()));
    assert_eq!(
        run(&["copies", "no-such-article", "--db", db])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn ingest_without_linking_then_link() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let ex = examples();
    let out = run(&[
        "ingest",
        ex.to_str().unwrap(),
        "--no-link",
        "--db",
        db,
        "--json",
    ]);
    let r = json_of(&out);
    assert!(r["added"].as_u64().unwrap() > 1, "{r:#}");
    assert_eq!(
        (r["events"].as_u64(), r["needs_link"].as_bool()),
        (Some(0), Some(true))
    );
    // Searchable before linking; `check` says linking is pending.
    let found = json_of(&run(&["search", "harbour", "--db", db, "--json"]));
    assert!(!found.as_array().unwrap().is_empty(), "{found:#}");
    assert_eq!(
        json_of(&run(&["check", "--db", db, "--json"]))["needs_link"],
        true
    );

    let r = json_of(&run(&["link", "--db", db, "--json"]));
    assert_eq!(r["linked"], true);
    let events = r["events"].as_u64().unwrap();
    assert!(events > 0);
    assert_eq!(
        json_of(&run(&["check", "--db", db, "--json"]))["needs_link"],
        false
    );
    // Nothing new: nothing to do, unless forced; the same events either way.
    let r = json_of(&run(&["link", "--db", db, "--json"]));
    assert_eq!(
        (r["linked"].as_bool(), r["events"].as_u64()),
        (Some(false), Some(events))
    );
    let r = json_of(&run(&["link", "--force", "--db", db, "--json"]));
    assert_eq!(
        (r["linked"].as_bool(), r["events"].as_u64()),
        (Some(true), Some(events))
    );
    // No store: a clear error naming it.
    let missing = dir.path().join("none.db");
    let out = run(&["link", "--db", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("none.db"));
}

#[test]
fn store_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = run(&["events", "--db", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    let page = examples().join("02-coastal-herald.txt");
    let out = run(&[
        "ingest",
        page.to_str().unwrap(),
        "--db",
        junk.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("junk.db"), "{err}");
    // The file is left as it was.
    assert_eq!(std::fs::read(&junk).unwrap(), vec![b'x'; 4096]);
}

#[test]
fn a_report_that_cannot_be_written_says_so() {
    // A full disk under a redirected report (Linux's /dev/full).
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let page = examples().join("02-coastal-herald.txt");
    let out = bin()
        .args(["--json", "ingest", page.to_str().unwrap(), "--db"])
        .arg(&db)
        .stdout(full)
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("writing to standard output"), "{err}");
    // The page was stored all the same.
    let out = run(&["--json", "--db", db.to_str().unwrap(), "events"]);
    assert_eq!(json_of(&out).as_array().map(Vec::len), Some(1), "{out:?}");
}

#[test]
fn demo_runs_and_summarises() {
    let out = run(&["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("6 articles"), "{text}");
    assert!(text.contains("Storm shuts Halvik harbour"));
    let json = json_of(&run(&["demo", "--json"]));
    assert!(json["articles"][0]["source"]
        .as_str()
        .unwrap()
        .starts_with("examples/pages/"));
}

/// A `.tar.gz` holding `files` (name, bytes), as the shared data ships.
fn tar_gz(path: &Path, files: &[(&str, Vec<u8>)]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

#[test]
fn bench_ingests_each_size_of_a_corpus_grown_from_the_stories() {
    let dir = tempfile::tempdir().unwrap();
    // Invented stories of 60+ words, the shape of the Reuters JSONL.
    let stories: String = (0..120)
        .map(|k| {
            let body: Vec<String> = (0..8)
                .map(|s| {
                    format!(
                        "The council of Harrowgate{k} said on Tuesday that plan {s} for the harbour would cost {} million crowns.",
                        k * 10 + s
                    )
                })
                .collect();
            format!("{}\n", serde_json::json!({ "body": body.join(" ") }))
        })
        .collect();
    tar_gz(
        &dir.path().join("corpus-reuters21578.tar.gz"),
        &[("reuters/stories.jsonl", stories.into_bytes())],
    );
    let out = run(&[
        "bench",
        "--data",
        dir.path().to_str().unwrap(),
        "--sizes",
        "300,150",
        "--no-compare",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json_of(&out);
    let runs = r["runs"].as_array().unwrap();
    // Sizes in order; no HTML archive here, so that run is skipped, saying so.
    let names: Vec<&str> = runs.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["text 150", "text 300"]);
    for (run, n) in runs.iter().zip([150, 300]) {
        assert_eq!(run["pages"], n);
        assert!(run["whole_pages_per_second"].as_f64().unwrap() > 0.0);
        assert!(run["page_stage_pages_per_second"].as_f64().unwrap() > 0.0);
        assert!(run["store_mib"].as_f64().unwrap() > 0.0);
        // Reported, and at least what the store takes at the end.
        assert!(run["peak_disk_mib"].as_f64().unwrap() >= run["store_mib"].as_f64().unwrap());
        // Copies and rewrites make fewer events than pages.
        let events = run["events"].as_u64().unwrap();
        assert!(events > 0 && events < n, "{events} events for {n} pages");
        assert!(run["peak_rss_mib"].as_f64().unwrap() > 1.0);
        // The store was served and its pages answered (200) and timed.
        let latency = run["latency_ms"].as_array().unwrap();
        let kinds: Vec<&str> = latency.iter().map(|l| l[0].as_str().unwrap()).collect();
        for kind in [
            "home page /",
            "event page /events/{id}",
            "entity page /entities/{id}",
        ] {
            assert!(kinds.contains(&kind), "{kind} not timed: {kinds:?}");
        }
        assert!(latency.iter().all(|l| l[1].as_f64().unwrap() > 0.0));
    }
    let notes = r["notes"].to_string();
    assert!(notes.contains("HTML run skipped"), "{notes}");
}

#[test]
fn bench_without_its_data_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["bench", "--data", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("corpus-reuters21578.tar.gz: not found"),
        "{err}"
    );
    // A broken archive is named too.
    std::fs::write(dir.path().join("corpus-reuters21578.tar.gz"), b"not gzip").unwrap();
    let out = run(&["bench", "--data", dir.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a readable .tar.gz"), "{err}");
}
