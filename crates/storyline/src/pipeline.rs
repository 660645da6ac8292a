//! The in-memory pipeline: read → clean → annotate → link.

use std::path::PathBuf;

use storyline_ingest::RawDoc;
use storyline_model::{Analysis, AnnotatedArticle, InputError};

/// Cleans and annotates pages, collecting a per-page error for each failure
/// (one bad page never stops the batch).
pub fn process(
    docs: impl Iterator<Item = Result<RawDoc, storyline_ingest::IngestError>>,
) -> (Vec<AnnotatedArticle>, Vec<InputError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in docs {
        match r {
            Ok(doc) => {
                // The same page given twice is one article.
                if !seen.insert(doc.hash.clone()) {
                    continue;
                }
                match annotate_one(&doc) {
                    Ok(a) => out.push(a),
                    Err(e) => errors.push(e),
                }
            }
            Err(e) => errors.push(InputError {
                source: e.source_name.clone(),
                message: e.kind.to_string(),
            }),
        }
    }
    (out, errors)
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

/// Runs the whole pipeline on paths.
pub fn analyze_paths(paths: &[PathBuf]) -> Analysis {
    let (docs, errors) = process(storyline_ingest::read_paths(paths));
    storyline_link::link(docs, errors)
}
