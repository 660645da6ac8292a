//! `storyline demo`: the pipeline on example pages the team wrote (bundled
//! in the binary, so the demo runs from anywhere).

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::output;

/// The example pages: (file name, bytes). They imitate real pages: wire
/// copies and a rewrite, HTML with navigation and JSON-LD, flattened text with
/// cookie banners, appeals, weather widgets and repeated captions, a legacy
/// encoding and a JSONL feed.
const PAGES: &[(&str, &[u8])] = &[
    (
        "01-wire-tidewater.html",
        include_bytes!("../../../../examples/pages/01-wire-tidewater.html"),
    ),
    (
        "02-coastal-herald.txt",
        include_bytes!("../../../../examples/pages/02-coastal-herald.txt"),
    ),
    (
        "03-rewrite-bluewater.txt",
        include_bytes!("../../../../examples/pages/03-rewrite-bluewater.txt"),
    ),
    (
        "04-feed.jsonl",
        include_bytes!("../../../../examples/pages/04-feed.jsonl"),
    ),
    (
        "05-second-storm.txt",
        include_bytes!("../../../../examples/pages/05-second-storm.txt"),
    ),
    (
        "06-tram-vote-cp1252.txt",
        include_bytes!("../../../../examples/pages/06-tram-vote-cp1252.txt"),
    ),
];

pub fn run(json: bool) -> Result<ExitCode> {
    let dir =
        tempfile::tempdir().context("cannot create a temporary directory for the demo pages")?;
    for (name, bytes) in PAGES {
        std::fs::write(dir.path().join(name), bytes)
            .with_context(|| format!("cannot write demo page {name}"))?;
    }
    let mut analysis =
        storyline_pipeline::analyze(storyline_ingest::read_paths(&[dir.path().to_path_buf()]));
    // Show paths relative to the bundle, not the temporary directory.
    let prefix = format!("{}/", dir.path().display());
    for a in &mut analysis.articles {
        a.source = a.source.replace(&prefix, "examples/pages/");
    }
    if json {
        output::json(&analysis)?;
    } else {
        output::line(
            "storyline demo: six pages about two storms and a tram vote, from four outlets\n",
        )?;
        output::summary(&analysis)?;
    }
    Ok(super::report_errors(&analysis.errors))
}
