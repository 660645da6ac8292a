//! `storyline ingest`: add pages to the store and re-link.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use storyline_store::Store;

use crate::output;

pub fn run(db: &Path, paths: &[PathBuf], json: bool) -> Result<ExitCode> {
    let mut store =
        Store::open(db).with_context(|| format!("cannot open store {}", db.display()))?;
    let report = storyline_pipeline::ingest(&mut store, storyline_ingest::read_paths(paths))?;
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
