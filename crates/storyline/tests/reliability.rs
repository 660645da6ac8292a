//! Reliability of `storyline ingest`: killed mid-run it leaves a sound store
//! and resumes; a corpus of bad inputs (generated here) gives one clear
//! error per file while the batch goes on and nothing stored is lost.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_storyline"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn check(db: &Path) -> Value {
    let out = run(&["--db", db.to_str().unwrap(), "check", "--json"]);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `n` distinct short news pages as JSONL, each its own story.
fn pages(n: usize) -> String {
    let towns = ["Halvik", "Nordvik", "Brekke", "Lysvik", "Ostra", "Skarnes"];
    let what = [
        "a new ferry pier",
        "a school roof",
        "the harbour wall",
        "a tram depot",
    ];
    let mut out = String::new();
    for i in 0..n {
        let town = towns[i % towns.len()];
        let thing = what[(i / 7) % what.len()];
        let text = format!(
            "{town} council approved {} crowns for {thing} on Monday, item {i} on its agenda.\n\n\
             Mayor Ana Lind said work would start in spring and take {} months.\n\n\
             The vote was {} to {}, the council's clerk said.",
            1000 + i * 37,
            3 + i % 9,
            5 + i % 4,
            i % 5
        );
        let page = serde_json::json!({
            "url": format!("https://example.test/{i}"),
            "title": format!("{town} approves funds for {thing} ({i})"),
            "published": format!("2025-03-{:02}", 1 + i % 28),
            "outlet": "Test Wire",
            "text": text,
        });
        out.push_str(&page.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn a_killed_ingest_leaves_a_sound_store_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let input = dir.path().join("pages.jsonl");
    let n = 400;
    std::fs::write(&input, pages(n)).unwrap();
    let args = [
        "--db",
        db.to_str().unwrap(),
        "ingest",
        "--chunk",
        "10",
        "--commit-every",
        "10",
        input.to_str().unwrap(),
    ];

    // Kill -9 as soon as some chunks are stored, well before the end.
    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let stored_at_kill;
    loop {
        if db.exists() {
            let c = check(&db);
            let stored = c["articles"].as_u64().unwrap_or(0);
            if stored >= 20 {
                stored_at_kill = stored;
                break;
            }
        }
        assert!(Instant::now() < deadline, "ingest made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let after_kill = check(&db);
    assert_eq!(after_kill["ok"], true, "{after_kill:#}");
    let kept = after_kill["articles"].as_u64().unwrap();
    assert!(kept >= stored_at_kill && kept < n as u64, "{after_kill:#}");
    assert_eq!(after_kill["needs_link"], true, "{after_kill:#}");
    assert!(
        after_kill["search_unindexed"].as_u64().unwrap() <= kept,
        "{after_kill:#}"
    );

    // The same command again: the rest is read, nothing twice, then linked.
    let out = bin().args(args).arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["already_stored"].as_u64(), Some(kept), "{report:#}");
    assert_eq!(
        report["added"].as_u64(),
        Some(n as u64 - kept),
        "{report:#}"
    );
    let done = check(&db);
    assert_eq!(done["ok"], true, "{done:#}");
    assert_eq!(done["articles"].as_u64(), Some(n as u64), "{done:#}");
    assert_eq!(done["needs_link"], false, "{done:#}");
    assert!(done["events"].as_u64().unwrap() > 0, "{done:#}");
    // The search index took in every page once: what was stored before the
    // kill (indexed, or caught up by the second run) and after.
    assert_eq!(done["search_unindexed"].as_u64(), Some(0), "{done:#}");
    let out = run(&[
        "--db",
        db.to_str().unwrap(),
        "search",
        "council",
        "--limit",
        "1000",
        "--json",
    ]);
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.as_array().map(Vec::len), Some(n), "{hits:#}");
}

/// Gzip members concatenated: `copies` × 1 MiB of text from ~1 KiB each.
fn gzip_bomb(copies: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'a'; 1 << 20]).unwrap();
    gz.finish().unwrap().repeat(copies)
}

fn warc_record(url: &str, html: &str) -> Vec<u8> {
    let payload =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
        payload.len()
    )
    .into_bytes()
}

#[test]
fn bad_inputs_each_get_a_clear_error_and_nothing_stored_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let good = dir.path().join("good");
    std::fs::create_dir(&good).unwrap();
    std::fs::write(good.join("pages.jsonl"), pages(3)).unwrap();
    let out = run(&[
        "--db",
        db.to_str().unwrap(),
        "ingest",
        good.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(bad.join(name), bytes).unwrap();
    w("empty.html", b"");
    w(
        "binary.txt",
        &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0, 1, 2, 3, 4, 5, 6, 7],
    );
    w("cut.txt.gz", &gzip_bomb(1)[..40]);
    let mut warc = warc_record(
        "https://a.test/1",
        "<html><body><h1>Ferry back</h1><p>The ferry between Ostra and Lysvik resumed on Friday after a week of storms, its operator said.</p></body></html>",
    );
    let second = warc_record("https://a.test/2", "<html><body><p>Cut.</p></body></html>");
    warc.extend_from_slice(&second[..second.len() / 2]);
    w("cut.warc", &warc);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&warc).unwrap();
    let warc_gz = gz.finish().unwrap();
    w("cut-gzip.warc.gz", &warc_gz[..warc_gz.len() - 30]);
    w("not-a-feed.rss", b"<rss><channel><item>");
    w("bomb.html.gz", &gzip_bomb(100));
    w("bomb.jsonl.gz", &gzip_bomb(100));

    // Pages that must be read, in the encodings and shapes they come in.
    let story = "Harbour reopens\n\nThe harbour at Lysvik reopened on Tuesday after repairs to its breakwater, the port authority said in a statement.";
    w(
        "invalid-utf8.txt",
        &[story.as_bytes(), b" \xff\xfe end."].concat(),
    );
    let (euc, _, _) = encoding_rs::EUC_KR.encode(
        "서울 시청은 화요일에 새 예산안을 발표했다. 시장은 예산이 교통과 주거에 집중된다고 말했다.",
    );
    w(
        "euc-kr.html",
        &[
            b"<html><head><meta charset=\"euc-kr\"><title>x</title></head><body><p>".as_slice(),
            &euc,
            b"</p></body></html>",
        ]
        .concat(),
    );
    let (sjis, _, _) = encoding_rs::SHIFT_JIS
        .encode("東京都は火曜日に新しい予算案を発表した。知事は交通と住宅に重点を置くと述べた。");
    w("shift-jis.txt", &sjis);
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(
        "Le café du port a rouvert mardi après des réparations, a déclaré la mairie de Lysvik.",
    );
    w("windows-1252.txt", &cp);
    let mut line = String::from("<html><body><p>");
    while line.len() < 50 << 20 {
        line.push_str("The long line goes on and on without a break. ");
    }
    line.push_str("</p></body></html>");
    w("one-line-50mb.html", line.as_bytes());
    let deep = format!(
        "<html><body>{}<p>Deep inside the page the quay at Brekke reopened on Friday, officials said.</p>{}</body></html>",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    w("deep.html", deep.as_bytes());

    let out = run(&[
        "--db",
        db.to_str().unwrap(),
        "ingest",
        bad.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "some inputs failed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (file, problem) in [
        ("empty.html", "empty"),
        ("binary.txt", "binary data"),
        ("cut.txt.gz", "corrupt gzip"),
        ("cut.warc record 2", "truncated"),
        ("cut-gzip.warc.gz", "gzip"),
        ("not-a-feed.rss", "feed"),
        ("bomb.html.gz", "larger than"),
        ("bomb.jsonl.gz", "larger than"),
        ("one-line-50mb.html", "too large to be an article"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(problem)),
            "no error line for {file} ({problem}):\n{stderr}"
        );
    }
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The first WARC record, four encodings and the deep page.
    assert_eq!(report["added"].as_u64(), Some(6), "{report:#}");
    assert_eq!(report["failed"].as_u64(), Some(9), "{report:#}");
    let c = check(&db);
    assert_eq!(c["ok"], true, "{c:#}");
    assert_eq!(c["articles"].as_u64(), Some(3 + 6), "{c:#}");
    // The pages stored before are all still there.
    for i in 0..3 {
        let hits = run(&[
            "--db",
            db.to_str().unwrap(),
            "search",
            &format!("\"item {i}\""),
            "--json",
        ]);
        let hits: Value = serde_json::from_slice(&hits.stdout).unwrap();
        assert!(!hits.as_array().unwrap().is_empty(), "page {i} lost");
    }
}
