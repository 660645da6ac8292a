//! `storyline analyze`: the whole pipeline in memory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::output;

pub fn run(paths: &[PathBuf], json: bool) -> Result<ExitCode> {
    let analysis = storyline_pipeline::analyze(storyline_ingest::read_paths(paths));
    if json {
        output::json(&analysis)?;
    } else {
        output::summary(&analysis)?;
    }
    Ok(super::report_errors(&analysis.errors))
}
