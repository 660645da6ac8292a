//! `storyline ingest`: add pages to the store and re-link.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use storyline_pipeline::Stage;
use storyline_store::Store;

use crate::output;

pub fn run(
    db: &Path,
    paths: &[PathBuf],
    options: storyline_pipeline::IngestOptions,
    json: bool,
) -> Result<ExitCode> {
    let mut store =
        Store::open(db).with_context(|| format!("cannot open store {}", db.display()))?;
    let bytes = Arc::new(AtomicU64::new(0));
    let docs = storyline_ingest::read_paths_counting(paths, bytes.clone());
    let bar = progress_bar(storyline_ingest::input_size(paths));
    let start = Instant::now();
    let mut linking = 0;
    let report =
        storyline_pipeline::ingest_with_progress(&mut store, docs, options, |stage| match stage {
            Stage::Pages { read, added } => {
                bar.set_position(bytes.load(Ordering::Relaxed));
                let rate = read as f64 / start.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!("{read} pages ({added} new), {rate:.0} pages/s"));
            }
            stage => show_linking(&bar, stage, &mut linking),
        });
    bar.finish_and_clear();
    let report = report?;
    if json {
        output::json(&report)?;
    } else {
        output::line(&format!(
            "{}: added {} article(s), {} already stored, {} failed; store now holds {} articles in {} events and {} storylines",
            db.display(),
            report.added,
            report.already_stored,
            report.failed,
            report.articles,
            report.events,
            report.storylines
        ))?;
        if report.needs_link {
            output::line(&format!(
                "{}: not linked yet: events, entities, quotes and storylines leave out new pages until `storyline link`",
                db.display()
            ))?;
        }
    }
    Ok(super::report_errors(&report.errors))
}

/// `storyline link`: link the store if pages were added since it was last
/// linked (or always, with `force`).
pub fn link(db: &Path, force: bool, json: bool) -> Result<ExitCode> {
    let mut store = super::open(db)?;
    let bar = progress_bar(0);
    let mut linking = 0;
    let report = storyline_pipeline::link(&mut store, force, |stage| {
        show_linking(&bar, stage, &mut linking)
    });
    bar.finish_and_clear();
    let report = report?;
    if json {
        output::json(&report)?;
    } else if report.linked {
        output::line(&format!(
            "{}: linked {} articles in {:.1} s: {} events, {} storylines",
            db.display(),
            report.articles,
            report.link_seconds,
            report.events,
            report.storylines
        ))?;
    } else {
        output::line(&format!(
            "{}: already linked ({} articles, {} events, {} storylines); --force links again",
            db.display(),
            report.articles,
            report.events,
            report.storylines
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `storyline check`: the store's integrity, as a list of problems.
pub fn check(db: &Path, json: bool) -> Result<ExitCode> {
    if !db.exists() {
        anyhow::bail!("{}: no such store", db.display());
    }
    let store = Store::open(db).with_context(|| format!("cannot open store {}", db.display()))?;
    let problems = store.integrity_check()?;
    let pending = store.needs_link()?;
    let unindexed = store.search_behind()?;
    let (articles, events, storylines) = store.counts()?;
    if json {
        output::json(&serde_json::json!({
            "ok": problems.is_empty(),
            "problems": problems,
            "needs_link": pending,
            "search_unindexed": unindexed,
            "articles": articles,
            "events": events,
            "storylines": storylines,
        }))?;
    } else {
        for p in &problems {
            output::line(&format!("{}: {p}", db.display()))?;
        }
        output::line(&format!(
            "{}: {}; {articles} articles, {events} events, {storylines} storylines{}",
            db.display(),
            if problems.is_empty() {
                "ok"
            } else {
                "PROBLEMS FOUND"
            },
            if pending {
                " (pages not linked yet: run `storyline link`)"
            } else {
                ""
            }
        ))?;
        if unindexed > 0 {
            output::line(&format!(
                "{}: {unindexed} articles not in the search index yet (the next search or ingest adds them)",
                db.display()
            ))?;
        }
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Shows how far linking is on `bar`: from its start a spinner with the
/// time elapsed (the input is all read by then, so a bar over its bytes
/// would sit full with an ETA of 0 for the minutes linking takes at a
/// million pages), then each step as it ends. `articles` keeps the count
/// the start gave.
fn show_linking(bar: &ProgressBar, stage: Stage, articles: &mut usize) {
    match stage {
        Stage::Linking { articles: n } => {
            *articles = n;
            bar.set_style(spinner_style());
            bar.set_message(format!("linking {n} articles"));
        }
        Stage::Linked { step, done, of } => {
            bar.set_message(format!(
                "linking {articles} articles: {done}/{of} steps ({step} done)"
            ));
        }
        Stage::Pages { .. } => {}
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template")
}

/// A bar over the input's bytes with pages/s and an ETA, drawn on standard
/// error only when it is a terminal (quiet in pipes, logs and CI).
fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(if total > 0 {
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg} ETA {eta}")
            .expect("valid template")
    } else {
        spinner_style()
    });
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
