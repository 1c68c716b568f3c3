//! `hrh sync`: pull a FHIR registry into a local mirror (`_history` since the stored
//! watermarks, or a bulk `$export` with `--bulk`), aggregate the mirror with a mapping,
//! pre-flight and push the figures to DHIS2 (the `hrh push` code path), and store the new
//! watermarks only when the push succeeded (never on `--dry-run`). Re-running is safe: a
//! failed run leaves the old watermarks, so the next run fetches the same changes again.
//!
//! With a directory instead of a URL, the files are read directly (no mirror, no
//! watermarks; the state file keeps only the pushed totals).
//!
//! Guards: an input with no usable record or too many rejected records, and a counted total
//! that fell by more than `--max-drop` since the last successful push of the same figures
//! (DHIS2, data set, period, org unit; kept in the state file), are refused with exit 2
//! before anything is sent.
//!
//! Exit status: 0 pushed (state stored); 1 pre-flight problems or values rejected (state not
//! stored); 2 unusable input, a guard's refusal or usage; 3 FHIR or DHIS2 server, credential or network error.

use std::path::{Path, PathBuf};

use hrh_core::aggregate::guard::{self, Limits, Pushed, Share};
use hrh_dhis2::DataValueSet;
use hrh_dhis2::client::ImportOptions;
use hrh_fhir::mirror::{Mirror, SyncState};
use hrh_fhir::sync::{EXPORT_WATERMARK, Pulled};

use crate::error::CliError;
use crate::output::{self, say};

/// Arguments of `hrh sync`.
#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // each bool is an on/off flag of the command line
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
    #[command(flatten)]
    guard: super::GuardArgs,
    /// Refuse to push when the counted workers fell by more than PERCENT (0-100) since the
    /// last successful push of the same figures (kept in the state file).
    #[arg(long, value_name = "PERCENT", default_value = "20", value_parser = super::percent)]
    max_drop: Share,
    /// Push even when the counted workers fell by more than --max-drop (on purpose).
    #[arg(long)]
    allow_drop: bool,
    /// With `--fhir DIR`: read the directory's tables through this table mapping.
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// The sync state file (watermarks and pushed totals of the last successful sync).
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
    /// Print one JSON document on stdout (the report below as data); the text goes to stderr.
    #[arg(long)]
    json: bool,
}

/// Pulls, aggregates, pushes, and stores the state on success.
pub fn run(args: &Args, insecure: bool) -> Result<u8, CliError> {
    output::set_json(args.json);
    let (_, aggregation) = args.figures.aggregation()?;
    let chunk = args.chunk.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let dhis2 = super::dhis2_client(&args.dhis2, insecure, |settings| match chunk {
        Some(n) => settings.with_chunk_size(n),
        None => settings,
    })?;

    let state = SyncState::read(&args.state)?;
    let directory = Path::new(&args.fhir);
    let (inputs, pulled) = if directory.is_dir() {
        let inputs = crate::inputs::open(&[directory.to_path_buf()], &args.table)?;
        say!(
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
        let (files, pulled) = pull(args, &state, insecure)?;
        (crate::inputs::Inputs::Fhir(files), Some(pulled))
    } else {
        return Err(CliError::Usage(format!(
            "--fhir {}: neither a directory nor a URL",
            args.fhir
        )));
    };

    let (result, report) = inputs.aggregate(aggregation)?;
    if !report.rejected.is_empty() {
        say!(
            "{} records or rows rejected (see `hrh validate`)",
            report.rejected.len()
        );
    }
    say!("{}", result.account);
    output::record("records_rejected", report.rejected.len());
    output::record("account", result.account.summary());
    let set = DataValueSet::from_result(&result);
    let pushed = check_guards(args, &state, &result, &report, &set)?;
    output::record("values", set.data_values.len());
    say!("{} value(s) to push", set.data_values.len());
    if set.data_set.is_none() {
        say!("the mapping names no data set: no pre-flight check");
    }
    let import = ImportOptions {
        dry_run: args.dry_run,
        chunk_size: chunk,
        ..ImportOptions::default()
    };
    let code = super::push::send(&dhis2, &args.dhis2, &set, set.data_set.as_deref(), &import)?;
    let stored = code == 0 && !args.dry_run;
    if let Some(pulled) = pulled {
        if stored {
            let mut next = pulled.state;
            pushed.record(&mut next.pushed);
            next.write(&args.state).map_err(CliError::from)?;
            output::record("state_stored", true);
            say!("state stored in {}", args.state.display());
        } else {
            output::record("state_stored", false);
            say!(
                "state not stored ({}): the next sync pulls these changes again",
                if args.dry_run {
                    "dry run"
                } else {
                    "push incomplete"
                }
            );
        }
    } else if stored {
        // Files read directly: no watermarks, only the total for the next drop check.
        let mut next = state;
        pushed.record(&mut next.pushed);
        next.write(&args.state).map_err(CliError::from)?;
        say!("pushed total stored in {}", args.state.display());
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

/// The no-wipe guards: refuses figures that count nobody, come from too many rejected
/// records, or fell by more than `--max-drop` since the last push of the same figures;
/// returns what to store as this push when it succeeds.
fn check_guards(
    args: &Args,
    state: &SyncState,
    result: &hrh_core::aggregate::AggregateResult,
    report: &crate::inputs::ReadSummary,
    set: &DataValueSet,
) -> Result<Pushed, CliError> {
    let limits = Limits {
        max_drop: args.max_drop,
        allow_drop: args.allow_drop,
        ..args.guard.limits()
    };
    super::check_result(result, report, &limits)?;
    let pushed = Pushed {
        dhis2: args.dhis2.trim().to_owned(),
        data_set: set.data_set.clone(),
        period: result
            .values
            .iter()
            .chain(&result.withheld)
            .next()
            .map(|v| v.period.to_string())
            .or_else(|| args.figures.period.first().cloned())
            .unwrap_or_default(),
        org_unit: args.figures.org_unit.clone(),
        counted: result.account.counted,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    guard::check_drop(pushed.previous(&state.pushed), pushed.counted, &limits)
        .map_err(|r| super::refused(&r))?;
    Ok(pushed)
}

/// Brings the mirror up to date and prints what was pulled.
fn pull(
    args: &Args,
    state: &SyncState,
    insecure: bool,
) -> Result<(Vec<PathBuf>, Pulled), CliError> {
    let client = super::fhir_client(&args.fhir, insecure)?;
    let mirror = Mirror::open(mirror_dir(args))?;
    let spinner = output::spinner(format!(
        "pulling from {}{}",
        args.fhir.trim(),
        if args.bulk { " ($export)" } else { "" }
    ));
    let pulled = if args.bulk {
        hrh_fhir::sync::pull_export(&client, &mirror, state)
    } else {
        hrh_fhir::sync::pull_history(&client, &mirror, state)
    };
    spinner.finish_and_clear();
    let pulled = pulled.map_err(CliError::fhir_server(&args.fhir))?;
    print_pulled(&pulled, args.bulk);
    Ok((mirror.files(), pulled))
}

fn print_pulled(pulled: &Pulled, bulk: bool) {
    let types: Vec<_> = pulled
        .types
        .iter()
        .map(|t| {
            serde_json::json!({
                "resource_type": t.resource_type,
                "changes": t.changes,
                "deletions": t.deletions,
                "upserted": t.applied.upserted,
                "deleted": t.applied.deleted,
            })
        })
        .collect();
    output::record(
        "pull",
        serde_json::json!({
            "bulk": bulk,
            "reset": pulled.reset,
            "changes": pulled.changes(),
            "deletions": pulled.deletions(),
            "types": types,
        }),
    );
    if bulk {
        say!("mirror replaced by a full export");
    } else if pulled.reset {
        say!(
            "mirror started afresh from full history (first sync of this server, or an empty mirror)"
        );
    }
    let how = if bulk { "$export" } else { "_history" };
    for t in &pulled.types {
        say!(
            "pulled {}: {} change(s), {} deletion(s) ({how}; mirror: {} upserted, {} deleted)",
            t.resource_type,
            t.changes,
            t.deletions,
            t.applied.upserted,
            t.applied.deleted
        );
    }
    say!(
        "pulled {} change(s), {} deletion(s) in total",
        pulled.changes(),
        pulled.deletions()
    );
    if let Some(time) = pulled.state.since.get(EXPORT_WATERMARK) {
        say!("export transaction time {time}");
    }
}
