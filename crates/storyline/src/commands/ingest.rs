//! `storyline ingest`: add pages to the store and re-link.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use storyline_model::InputError;
use storyline_store::Store;

use crate::{output, pipeline};

#[derive(serde::Serialize)]
struct Report {
    added: usize,
    already_stored: usize,
    failed: usize,
    articles: usize,
    events: usize,
    storylines: usize,
    errors: Vec<InputError>,
}

pub fn run(db: &Path, paths: &[PathBuf], json: bool) -> Result<ExitCode> {
    let mut store =
        Store::open(db).with_context(|| format!("cannot open store {}", db.display()))?;
    let pipeline::Batch {
        articles: new,
        errors,
        skipped: already,
    } = pipeline::process(storyline_ingest::read_paths(paths), |hash| {
        Ok(store.has_hash(hash)?)
    })?;
    // Re-link everything: a new page can join an existing event, and the
    // result equals linking all pages at once.
    let mut all = store.load_annotated()?;
    all.extend(new.iter().map(|(_, a)| a.clone()));
    let analysis = storyline_link::link(all, Vec::new());
    store.commit(&new, &analysis)?;
    let report = Report {
        added: new.len(),
        already_stored: already,
        failed: errors.len(),
        articles: analysis.articles.len(),
        events: analysis.events.len(),
        storylines: analysis.storylines.len(),
        errors,
    };
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
    }
    Ok(super::report_errors(&report.errors))
}
