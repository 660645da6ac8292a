//! One module per subcommand.

mod analyze;
mod bench;
mod demo;
mod eval;
mod eval_entities;
mod eval_events;
mod eval_quotes;
mod eval_similarity;
mod eval_time;
mod ingest;
mod query;

use std::process::ExitCode;

use anyhow::Result;
use storyline_model::InputError;

use crate::{Cli, Command};

/// An existing store (commands that read one, or link it, never create it).
fn open(db: &std::path::Path) -> Result<storyline_store::Store> {
    if !db.exists() {
        anyhow::bail!(
            "no store at {}; run `storyline ingest PATH... --db {}` first",
            db.display(),
            db.display()
        );
    }
    Ok(storyline_store::Store::open(db)?)
}

/// Runs the parsed command; the exit code says whether any input failed.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze { paths } => analyze::run(&paths, cli.json),
        Command::Ingest {
            paths,
            chunk,
            commit_every,
            no_link,
        } => {
            let options = storyline_pipeline::IngestOptions {
                chunk: chunk.max(1),
                commit_every: commit_every.max(1),
                link: !no_link,
            };
            ingest::run(&cli.db, &paths, options, cli.json)
        }
        Command::Link { force } => ingest::link(&cli.db, force, cli.json),
        Command::Check => ingest::check(&cli.db, cli.json),
        Command::Demo => demo::run(cli.json),
        Command::Bench {
            sizes,
            data,
            no_html,
            html_copies,
            no_compare,
        } => bench::run(
            &bench::Options {
                sizes,
                data,
                no_html,
                html_copies,
                no_compare,
            },
            cli.json,
        ),
        Command::Events { storyline } => query::events(&cli.db, storyline.as_deref(), cli.json),
        Command::Storylines => query::storylines(&cli.db, cli.json),
        Command::Show { id } => query::show(&cli.db, &id, cli.json),
        Command::Timeline {
            entity,
            storyline,
            offset,
            limit,
        } => query::timeline(
            &cli.db,
            entity.as_deref(),
            storyline.as_deref(),
            (offset, limit.unwrap_or(usize::MAX)),
            cli.json,
        ),
        Command::Quotes { speaker } => query::quotes(&cli.db, speaker.as_deref(), cli.json),
        Command::Entities => query::entities(&cli.db, cli.json),
        Command::Copies { id } => query::copies(&cli.db, id.as_deref(), cli.json),
        Command::Search {
            query,
            limit,
            offset,
            outlet,
            language,
            from,
            to,
            entity,
        } => {
            let filter = storyline_store::SearchFilter {
                outlet,
                language,
                from,
                to,
                entity,
            };
            query::search(&cli.db, &query, &filter, offset, limit, cli.json)
        }
        Command::Eval { what } => match what {
            crate::EvalCommand::Extraction {
                dir,
                limit,
                floor,
                verbose,
                dump,
            } => eval::extraction(&dir, limit, &floor, cli.json, verbose, dump.as_deref()),
            crate::EvalCommand::Events {
                dir,
                seeds,
                floor,
                dump,
            } => eval_events::events(&dir, seeds.as_deref(), &floor, dump.as_deref(), cli.json),
            crate::EvalCommand::Entities { dir, model, floor } => {
                eval_entities::entities(&dir, model.as_deref(), &floor, cli.json)
            }
            crate::EvalCommand::Time { dirs, floor, dump } => {
                eval_time::time(&dirs, &floor, dump.as_deref(), cli.json)
            }
            crate::EvalCommand::Quotes { dir, floor, dump } => {
                eval_quotes::quotes(&dir, &floor, dump.as_deref(), cli.json)
            }
            crate::EvalCommand::Similarity { dir, floor } => {
                eval_similarity::similarity(&dir, &floor, cli.json)
            }
        },
        Command::Serve { addr, token } => {
            let token = token.or_else(|| std::env::var("STORYLINE_TOKEN").ok());
            storyline_server::serve(&cli.db, addr, token)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Train { what } => match what {
            crate::TrainCommand::Entities {
                gum,
                wnut,
                out,
                epochs,
            } => eval_entities::train(&gum, wnut.as_deref(), &out, epochs),
        },
    }
}

/// Prints one line per failed input on stderr and returns the exit code:
/// 0 if all inputs were read, 1 if any failed.
pub fn report_errors(errors: &[InputError]) -> ExitCode {
    for e in errors {
        eprintln!("error: {}: {}", e.source, e.message);
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("{} input(s) failed; the rest were processed", errors.len());
        ExitCode::from(1)
    }
}
