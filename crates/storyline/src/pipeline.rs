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
    let article = storyline_clean::clean(doc).map_err(|e| InputError {
        source: doc.source.clone(),
        message: e.to_string(),
    })?;
    Ok(storyline_nlp::annotate(article))
}

/// Runs the whole pipeline on paths.
pub fn analyze_paths(paths: &[PathBuf]) -> Analysis {
    let (docs, errors) = process(storyline_ingest::read_paths(paths));
    storyline_link::link(docs, errors)
}
