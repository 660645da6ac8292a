//! `storyline`: turn piles of raw news pages into a clean, deduplicated,
//! source-attributed record of what happened.
//!
//! The binary is thin: argument parsing here, one module per subcommand in
//! `commands/` (the pipeline itself is `storyline-pipeline`), rendering in
//! `output.rs`. Errors print once, with their causes, and set the exit code.

mod commands;
mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// DOM parsing allocates many small nodes; mimalloc makes cleaning ~5% faster
// than the system allocator (measured with the clean_throughput example).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Clean, deduplicate and link news pages into events, storylines, entities,
/// quotes and a timeline.
#[derive(Debug, Parser)]
#[command(name = "storyline", version, about, long_about = None)]
struct Cli {
    /// Print machine-readable JSON instead of tables (see docs/json-output.md).
    #[arg(long, global = true)]
    json: bool,

    /// The store to use.
    #[arg(
        long,
        global = true,
        default_value = "storyline.db",
        value_name = "FILE"
    )]
    db: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole pipeline in memory on files or directories (no store).
    Analyze {
        /// Files or directories (.txt, .html, .htm, .jsonl, .warc, .rss, .atom,
        /// .xml, and .gz of them); `-` reads JSONL from standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Add pages to the store; new pages join the existing events.
    Ingest {
        /// Files or directories (.txt, .html, .htm, .jsonl, .warc, .rss, .atom,
        /// .xml, and .gz of them); `-` reads JSONL from standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Pages read and annotated at a time (held in memory; fewer when
        /// they hold over 16 MiB of content).
        #[arg(long, default_value_t = storyline_pipeline::CHUNK, value_parser = clap::value_parser!(usize))]
        chunk: usize,
        /// Pages stored per transaction at most (one commits at least every
        /// 10 s): what a killed run can lose (it resumes when run again).
        /// Fewer, larger commits write the store's indexes less often.
        #[arg(long, default_value_t = storyline_store::STAGE_ARTICLES, value_parser = clap::value_parser!(usize))]
        commit_every: usize,
        /// Store the pages (searchable at once) but leave linking — copies,
        /// events, entities, quotes, storylines — to `storyline link` or the
        /// next ingest: several small ingests into a large store then pay
        /// for one linking.
        #[arg(long)]
        no_link: bool,
    },
    /// Link the store: copies, events, entities, quotes and storylines over
    /// all its articles, if pages were added since it was last linked.
    Link {
        /// Link even if nothing was added (after an upgrade that changed
        /// how pages are linked).
        #[arg(long)]
        force: bool,
    },
    /// Check the store: SQLite's integrity check, then that every event,
    /// quote and search entry points at a stored article. Exit code 1 if not.
    Check,
    /// List events, most recent first.
    Events {
        /// Only the events of this storyline.
        #[arg(long, value_name = "ID")]
        storyline: Option<String>,
    },
    /// List storylines with their events.
    Storylines,
    /// Show one article, event, storyline or entity by id (or an entity by name).
    Show {
        /// An id from another listing (a…, e…, s…, n…) or an entity name.
        id: String,
    },
    /// Events in the order they happened (with when they were reported and
    /// the sentence that dates them), optionally only those of a storyline
    /// or naming an entity.
    Timeline {
        /// Entity name, alias or id.
        #[arg(long, value_name = "NAME")]
        entity: Option<String>,
        /// Storyline id.
        #[arg(long, value_name = "ID")]
        storyline: Option<String>,
        /// Events to skip from the start.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Most events to list (all by default).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Quotes with speakers and channels.
    Quotes {
        /// Only quotes by this speaker (name, alias or id).
        #[arg(long, value_name = "NAME")]
        speaker: Option<String>,
    },
    /// Named entities merged across articles.
    Entities,
    /// Copies, syndicated versions and rewrites: every link, or those of one
    /// article with the aligned sentences that support them.
    Copies {
        /// An article id; without it, all links.
        id: Option<String>,
    },
    /// Full-text search over titles and bodies.
    Search {
        /// Words (all must match), "a phrase", OR, -word, title:word.
        query: String,
        /// Maximum hits.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Hits to skip (the next page: --offset 20).
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Only this outlet (any case).
        #[arg(long)]
        outlet: Option<String>,
        /// Only this language (ISO 639-1 code: en, ko, …).
        #[arg(long)]
        language: Option<String>,
        /// Published on or after this day (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        from: Option<u64>,
        /// Published on or before this day (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        to: Option<u64>,
        /// Only articles naming this entity (name, alias or id).
        #[arg(long)]
        entity: Option<String>,
    },
    /// Run the pipeline on the bundled example pages and print a summary.
    Demo,
    /// Benchmark the whole pipeline: `ingest` into fresh stores of a
    /// synthetic corpus grown from Reuters-21578 at each size, then of the
    /// WCXB HTML pages (page-stage and whole pages/s, linking seconds, peak
    /// RSS, store size), and storyline's cleaner and near-duplicate index
    /// next to trafilatura and datasketch on the same pages (when Python
    /// has them). Release builds only give meaningful numbers.
    Bench {
        /// Corpus sizes in pages, comma-separated (e.g. 10000,100000,1000000).
        #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
        sizes: Vec<usize>,
        /// Directory holding `corpus-reuters21578.tar.gz` and
        /// `extraction-wcxb-articles-dev.tar.gz`.
        #[arg(long, value_name = "DIR", default_value = "../shared/data")]
        data: PathBuf,
        /// Skip the HTML run.
        #[arg(long)]
        no_html: bool,
        /// Copies of each of the 793 WCXB pages in the HTML run (126 makes
        /// ~100k pages; they are streamed to the ingest, not written out).
        #[arg(long, value_name = "N", default_value_t = 10)]
        html_copies: usize,
        /// Skip the comparisons with trafilatura and datasketch.
        #[arg(long)]
        no_compare: bool,
    },
    /// Measure a stage against public evaluation data.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Serve the store over HTTP: a JSON API under /api/ and web pages.
    Serve {
        /// Address to listen on; anything but loopback needs a token.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Token every request must carry (`Authorization: Bearer …` or
        /// `?token=`); defaults to the STORYLINE_TOKEN environment variable.
        #[arg(long)]
        token: Option<String>,
    },
    /// Train a model the pipeline ships.
    Train {
        #[command(subcommand)]
        what: TrainCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TrainCommand {
    /// The entity tagger: an averaged perceptron trained on the train split
    /// of GUM's CC BY / CC BY-SA genres (and WNUT-17 if given); writes the
    /// weights that `crates/storyline-nlp/model/ner.bin` ships.
    Entities {
        /// GUM's directory (holding `dep/` and `splits.md`).
        gum: PathBuf,
        /// WNUT-17 training file (word TAB tag).
        #[arg(long, value_name = "FILE")]
        wnut: Option<PathBuf>,
        /// Where to write the model.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Passes over the data.
        #[arg(long, default_value_t = 30)]
        epochs: usize,
    },
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Article extraction (body F1 by the ScrapingHub shingle metric, title,
    /// author and date accuracy, pages/s) on an unpacked WCXB-style directory
    /// (`ground-truth.jsonl`, `html/`, `txt/`).
    Extraction {
        /// The directory.
        dir: PathBuf,
        /// Only the first N documents.
        #[arg(long)]
        limit: Option<usize>,
        /// Fail (exit 1) if a metric is below a floor, e.g. `--floor html-f1=0.93`.
        #[arg(long, value_name = "METRIC=VALUE")]
        floor: Vec<String>,
        /// Print per-document precision and recall on stderr.
        #[arg(long)]
        verbose: bool,
        /// Write every cleaned article as JSONL to this file, for error analysis.
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
    },
    /// Events and storylines: B-cubed and pairwise F1 on ECB+ (events against
    /// `event_cluster`, storylines against `topic`) and on Google News
    /// headlines (against `story`), plus the seed check.
    Events {
        /// The directory (`../shared/data/clustering`).
        dir: PathBuf,
        /// The seed pages, for the seed check (skipped if absent).
        #[arg(long)]
        seeds: Option<PathBuf>,
        /// Fail (exit 1) if a metric is below a floor, e.g. `--floor ecb-event-bcubed-f1=0.8`.
        #[arg(long, value_name = "METRIC=VALUE")]
        floor: Vec<String>,
        /// Write every annotated ECB+ and seed page with its gold and found
        /// labels as JSONL to this file, for error analysis.
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
    },
    /// Named entities: exact-span P/R/F1 of people, organisations and places
    /// on GUM's news documents (dev and test splits), for the pipeline and
    /// for the bare tagger.
    Entities {
        /// GUM's directory (holding `dep/` and `splits.md`).
        dir: PathBuf,
        /// A tagger model to score instead of the shipped one.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Fail (exit 1) if a metric is below a floor, e.g. `--floor gum-news-pipeline-all-f1=0.8`.
        #[arg(long, value_name = "METRIC=VALUE")]
        floor: Vec<String>,
    },
    /// Time expressions, TempEval-3 style (strict and relaxed span F1, value
    /// and type F1) on TimeML directories (`../shared/data/timex/tbaq`,
    /// `../shared/data/timex/wikiwars-train`), each scored on its own.
    Time {
        /// One or more directories of `.tml` files.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Fail (exit 1) if a metric is below a floor, e.g. `--floor tbaq-value-f1=0.8`.
        #[arg(long, value_name = "METRIC=VALUE")]
        floor: Vec<String>,
        /// Write each document's gold and found expressions as JSONL.
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
    },
    /// Quotes: content F1 (overlapping and exact spans) and speaker accuracy
    /// on a PolNeAR split (`text/`, `attributions/`).
    Quotes {
        /// The split's directory (`../shared/data/quotes/polnear/dev`).
        dir: PathBuf,
        /// Fail (exit 1) if a metric is below a floor, e.g. `--floor polnear-overlap-f1=0.5`.
        #[arg(long, value_name = "METRIC=VALUE")]
        floor: Vec<String>,
        /// Write each article's gold attributions and found quotes as JSONL
        /// to this file, for error analysis.
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
    },
    /// Document and sentence similarity: Pearson r with SemEval-2022 Task 8
    /// `overall` per language pair, paraphrase F1 on MRPC, Pearson r on STS-B
    /// news, from a directory holding those JSONL files.
    Similarity {
        /// The directory (`../shared/data/similarity`).
        dir: PathBuf,
        /// Fail (exit 1) if a metric is below a floor, e.g. `--floor semeval-en-en-abs-r=0.75`.
        #[arg(long, value_name = "METRIC=VALUE")]
        floor: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`storyline events | head`) is not an error.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A `YYYY-MM-DD` argument as the search index's day number.
fn parse_day(s: &str) -> Result<u64, String> {
    storyline_store::iso_day(s).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}
