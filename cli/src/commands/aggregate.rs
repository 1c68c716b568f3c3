//! `hrh aggregate`: figures from a registry.

use std::path::PathBuf;

use hrh_fhir::inputs;

use crate::error::CliError;
use crate::output::{self, Format};

/// Arguments of `hrh aggregate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    figures: super::FigureArgs,
    #[command(flatten)]
    guard: super::GuardArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "dhis2-json")]
    format: Format,
    /// Output file (default: stdout).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Writes the figures; prints the account of every worker on stderr.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let (mapping, aggregation) = args.figures.aggregation()?;
    let files = inputs::expand(&args.inputs)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
        ));
    }
    let spinner = indicatif::ProgressBar::new_spinner()
        .with_message(format!("reading {} files", files.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let (result, report) = super::aggregate_files(&files, aggregation)?;
    spinner.finish_and_clear();
    // Before anything is written: an empty or broken input gives no file at all.
    super::check_result(&result, &report, &args.guard.limits())?;
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_result(&result, Some(&mapping), args.format, out)
    })?;
    if !report.rejected.is_empty() {
        eprintln!(
            "{} records rejected (see `hrh validate`)",
            report.rejected.len()
        );
    }
    eprintln!("{}", result.account);
    eprintln!("{} values written", result.values.len());
    Ok(0)
}
