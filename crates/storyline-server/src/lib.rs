//! HTTP API and web pages for storyline.
//!
//! Intentionally empty: `storyline serve` (axum, an OpenAPI description,
//! server-rendered pages) is built in its own issue. The crate exists now so
//! that the workspace already has the shape of the pipeline and the server's
//! dependencies stay out of the other crates.
#![deny(missing_docs)]
