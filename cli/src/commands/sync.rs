//! `hrh sync`: pull a FHIR registry into a local mirror (`_history` since the stored
//! watermarks, or a bulk `$export` with `--bulk`), aggregate the mirror with a mapping,
//! pre-flight and push the figures to DHIS2 (the `hrh push` code path), and store the new
//! watermarks only when the push succeeded (never on `--dry-run`). Re-running is safe: a
//! failed run leaves the old watermarks, so the next run fetches the same changes again.
//!
//! With a directory instead of a URL, the files are read directly (no mirror, no state).
//!
//! Exit status: 0 pushed (state stored); 1 pre-flight problems or values rejected (state not
//! stored); 2 unusable input or usage; 3 FHIR or DHIS2 server, credential or network error.

use std::path::{Path, PathBuf};

use hrh_dhis2::DataValueSet;
use hrh_dhis2::client::ImportOptions;
use hrh_fhir::mirror::{Mirror, SyncState};
use hrh_fhir::sync::{EXPORT_WATERMARK, Pulled};

use crate::error::CliError;

/// Arguments of `hrh sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The FHIR server's base URL (credentials from the `HRH_FHIR_*` variables), or a
    /// directory of FHIR files to read directly.
    #[arg(long = "fhir", value_name = "URL|DIR")]
    fhir: String,
    /// The DHIS2 instance (credentials from `HRH_DHIS2_USERNAME`/`HRH_DHIS2_PASSWORD` or `HRH_DHIS2_TOKEN`).
    #[arg(long = "dhis2", value_name = "URL")]
    dhis2: String,
    #[command(flatten)]
    figures: super::FigureArgs,
    /// With `--fhir DIR`: read the directory's tables through this table mapping.
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// The sync state file (watermarks of the last successful sync).
    #[arg(long, value_name = "FILE", default_value = "hrh-sync/state.json")]
    state: PathBuf,
    /// The local mirror of the FHIR server (default: `mirror/` next to the state file).
    #[arg(long, value_name = "DIR")]
    mirror: Option<PathBuf>,
    /// Pull with a bulk `$export` (in full) instead of `_history`.
    #[arg(long)]
    bulk: bool,
    /// Let DHIS2 check and count without storing anything; the state is not stored.
    #[arg(long)]
    dry_run: bool,
    /// Data values per import request (default 1,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    chunk: Option<u32>,
}

/// Pulls, aggregates, pushes, and stores the state on success.
pub fn run(args: &Args, insecure: bool) -> Result<u8, CliError> {
    let (_, aggregation) = args.figures.aggregation()?;
    let chunk = args.chunk.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let dhis2 = super::dhis2_client(&args.dhis2, insecure, |settings| match chunk {
        Some(n) => settings.with_chunk_size(n),
        None => settings,
    })?;

    let directory = Path::new(&args.fhir);
    let (inputs, pulled) = if directory.is_dir() {
        let inputs = crate::inputs::open(&[directory.to_path_buf()], &args.table)?;
        println!(
            "reading {} file(s) from {}",
            inputs.file_count(),
            directory.display()
        );
        (inputs, None)
    } else if args.table.table_mapping.is_some() {
        return Err(CliError::Usage(
            "--table-mapping reads a directory of tables: give --fhir DIR".to_owned(),
        ));
    } else if args.fhir.contains("://") {
        let (files, pulled) = pull(args, insecure)?;
        (crate::inputs::Inputs::Fhir(files), Some(pulled))
    } else {
        return Err(CliError::Usage(format!(
            "--fhir {}: neither a directory nor a URL",
            args.fhir
        )));
    };

    let (result, report) = inputs.aggregate(aggregation)?;
    if !report.rejected.is_empty() {
        println!(
            "{} records or rows rejected (see `hrh validate`)",
            report.rejected.len()
        );
    }
    println!("{}", result.account);
    let set = DataValueSet::from_result(&result);
    println!("{} value(s) to push", set.data_values.len());
    if set.data_set.is_none() {
        println!("the mapping names no data set: no pre-flight check");
    }
    let import = ImportOptions {
        dry_run: args.dry_run,
        chunk_size: chunk,
        ..ImportOptions::default()
    };
    let code = super::push::send(&dhis2, &args.dhis2, &set, set.data_set.as_deref(), &import)?;
    if let Some(pulled) = pulled {
        if code == 0 && !args.dry_run {
            pulled.state.write(&args.state).map_err(CliError::from)?;
            println!("state stored in {}", args.state.display());
        } else {
            println!(
                "state not stored ({}): the next sync pulls these changes again",
                if args.dry_run {
                    "dry run"
                } else {
                    "push incomplete"
                }
            );
        }
    }
    Ok(code)
}

/// The mirror directory: `--mirror`, else `mirror/` next to the state file.
fn mirror_dir(args: &Args) -> PathBuf {
    args.mirror.clone().unwrap_or_else(|| {
        args.state
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."))
            .join("mirror")
    })
}

/// Brings the mirror up to date and prints what was pulled.
fn pull(args: &Args, insecure: bool) -> Result<(Vec<PathBuf>, Pulled), CliError> {
    let client = super::fhir_client(&args.fhir, insecure)?;
    let state = SyncState::read(&args.state)?;
    let mirror = Mirror::open(mirror_dir(args))?;
    let spinner = indicatif::ProgressBar::new_spinner().with_message(format!(
        "pulling from {}{}",
        args.fhir.trim(),
        if args.bulk { " ($export)" } else { "" }
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let pulled = if args.bulk {
        hrh_fhir::sync::pull_export(&client, &mirror, &state)
    } else {
        hrh_fhir::sync::pull_history(&client, &mirror, &state)
    };
    spinner.finish_and_clear();
    let pulled = pulled.map_err(CliError::fhir_server(&args.fhir))?;
    print_pulled(&pulled, args.bulk);
    Ok((mirror.files(), pulled))
}

fn print_pulled(pulled: &Pulled, bulk: bool) {
    if bulk {
        println!("mirror replaced by a full export");
    } else if pulled.reset {
        println!(
            "mirror started afresh from full history (first sync of this server, or an empty mirror)"
        );
    }
    let how = if bulk { "$export" } else { "_history" };
    for t in &pulled.types {
        println!(
            "pulled {}: {} change(s), {} deletion(s) ({how}; mirror: {} upserted, {} deleted)",
            t.resource_type, t.changes, t.deletions, t.applied.upserted, t.applied.deleted
        );
    }
    println!(
        "pulled {} change(s), {} deletion(s) in total",
        pulled.changes(),
        pulled.deletions()
    );
    if let Some(time) = pulled.state.since.get(EXPORT_WATERMARK) {
        println!("export transaction time {time}");
    }
}
