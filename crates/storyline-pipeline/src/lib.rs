//! Pages to an analysis: read → clean → annotate → link, in memory
//! ([`analyze`]) or into a store ([`ingest`]). The CLI (`storyline analyze`,
//! `storyline ingest`) and the server (`POST /api/pages`) both run this.
#![deny(missing_docs)]

use std::collections::HashSet;

use serde::Serialize;
use storyline_ingest::{IngestError, RawDoc};
use storyline_model::{Analysis, AnnotatedArticle, InputError};
use storyline_store::{Store, StoreError};

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
pub fn process<E>(
    docs: impl Iterator<Item = Result<RawDoc, IngestError>>,
    mut known: impl FnMut(&str) -> Result<bool, E>,
) -> Result<Batch, E> {
    let mut batch = Batch {
        articles: Vec::new(),
        errors: Vec::new(),
        skipped: 0,
    };
    let mut seen = HashSet::new();
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

/// Runs the whole pipeline in memory.
pub fn analyze(docs: impl Iterator<Item = Result<RawDoc, IngestError>>) -> Analysis {
    let batch = match process(docs, |_| Ok::<bool, std::convert::Infallible>(false)) {
        Ok(b) => b,
        Err(never) => match never {},
    };
    let docs = batch.articles.into_iter().map(|(_, a)| a).collect();
    storyline_link::link(docs, batch.errors)
}

/// What an ingest did.
#[derive(Debug, Serialize)]
pub struct IngestReport {
    /// New articles stored.
    pub added: usize,
    /// Pages whose content was already stored (or repeated in the input).
    pub already_stored: usize,
    /// Pages that could not be read, cleaned or annotated.
    pub failed: usize,
    /// Articles in the store afterwards.
    pub articles: usize,
    /// Events in the store afterwards.
    pub events: usize,
    /// Storylines in the store afterwards.
    pub storylines: usize,
    /// One line per failed page, naming it.
    pub errors: Vec<InputError>,
}

/// Adds pages to a store and re-links everything: a new page can join an
/// existing event, and the result equals linking all pages at once. Pages
/// already stored (same content) are skipped, so ingesting twice adds
/// nothing; a failure leaves the store as it was (one transaction).
pub fn ingest(
    store: &mut Store,
    docs: impl Iterator<Item = Result<RawDoc, IngestError>>,
) -> Result<IngestReport, StoreError> {
    let Batch {
        articles: new,
        errors,
        skipped,
    } = process(docs, |hash| store.has_hash(hash))?;
    let mut all = store.load_annotated()?;
    all.extend(new.iter().map(|(_, a)| a.clone()));
    let analysis = storyline_link::link(all, Vec::new());
    store.commit(&new, &analysis)?;
    Ok(IngestReport {
        added: new.len(),
        already_stored: skipped,
        failed: errors.len(),
        articles: analysis.articles.len(),
        events: analysis.events.len(),
        storylines: analysis.storylines.len(),
        errors,
    })
}
