//! The in-memory pipeline: read → clean → annotate → link.

use std::path::PathBuf;

use storyline_ingest::RawDoc;
use storyline_model::{Analysis, AnnotatedArticle, InputError};

/// Pages read, cleaned and annotated in one run.
pub struct Batch {
    /// Content hash and annotated article of each new page.
    pub articles: Vec<(String, AnnotatedArticle)>,
    /// One error per input that could not be read, cleaned or annotated.
    pub errors: Vec<InputError>,
    /// Pages skipped: already `known`, or given twice in this run.
    pub skipped: usize,
}

/// Cleans and annotates pages, collecting a per-page error for each failure
/// (one bad page never stops the batch). `known` says whether a content hash
/// is already stored; such pages, and repeats within the run, are skipped.
pub fn process(
    docs: impl Iterator<Item = Result<RawDoc, storyline_ingest::IngestError>>,
    mut known: impl FnMut(&str) -> anyhow::Result<bool>,
) -> anyhow::Result<Batch> {
    let mut batch = Batch {
        articles: Vec::new(),
        errors: Vec::new(),
        skipped: 0,
    };
    let mut seen = std::collections::HashSet::new();
    for r in docs {
        match r {
            Ok(doc) => {
                if known(&doc.hash)? || !seen.insert(doc.hash.clone()) {
                    batch.skipped += 1;
                    continue;
                }
                match annotate_one(&doc) {
                    Ok(a) => batch.articles.push((doc.hash, a)),
                    Err(e) => batch.errors.push(e),
                }
            }
            Err(e) => batch.errors.push(InputError {
                source: e.source_name.clone(),
                message: e.kind.to_string(),
            }),
        }
    }
    Ok(batch)
}

/// Cleans and annotates one page.
pub fn annotate_one(doc: &RawDoc) -> Result<AnnotatedArticle, InputError> {
    // A bug triggered by one hostile page must not stop the batch: report it
    // as that page's error.
    let run = std::panic::catch_unwind(|| storyline_clean::clean(doc).map(storyline_nlp::annotate));
    match run {
        Ok(Ok(a)) => Ok(a),
        Ok(Err(e)) => Err(InputError {
            source: doc.source.clone(),
            message: e.to_string(),
        }),
        Err(_) => Err(InputError {
            source: doc.source.clone(),
            message: "internal error while cleaning or annotating this page (please report it)"
                .into(),
        }),
    }
}

/// Runs the whole pipeline on paths, in memory.
pub fn analyze_paths(paths: &[PathBuf]) -> anyhow::Result<Analysis> {
    let batch = process(storyline_ingest::read_paths(paths), |_| Ok(false))?;
    let docs = batch.articles.into_iter().map(|(_, a)| a).collect();
    Ok(storyline_link::link(docs, batch.errors))
}
