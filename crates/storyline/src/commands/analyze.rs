//! `storyline analyze`: the whole pipeline in memory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::{output, pipeline};

pub fn run(paths: &[PathBuf], json: bool) -> Result<ExitCode> {
    let mut analysis = pipeline::analyze_paths(paths);
    if json {
        output::json(&analysis)?;
    } else {
        analysis.entities.sort_by(|a, b| {
            b.mentions
                .len()
                .cmp(&a.mentions.len())
                .then(a.name.cmp(&b.name))
        });
        output::summary(&analysis)?;
    }
    Ok(super::report_errors(&analysis.errors))
}
