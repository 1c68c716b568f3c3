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
    /// Name each value's data element and category option combo (from the mapping)
    /// beside the UIDs in DHIS2 JSON (`dataElementName`, `categoryOptionComboName`).
    #[arg(long)]
    names: bool,
    /// Print the account as one JSON document on stdout (the figures then need `-o FILE`).
    #[arg(long)]
    json: bool,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Writes the figures; prints the account of every worker on stderr.
pub fn run(args: &Args) -> Result<u8, CliError> {
    output::set_json(args.json);
    if args.json && args.output.as_deref().is_none_or(|p| p.as_os_str() == "-") {
        return Err(CliError::Usage(
            "--json prints the account on stdout: give -o FILE for the figures".to_owned(),
        ));
    }
    output::set_names(args.names);
    let (mapping, aggregation) = args.figures.aggregation()?;
    let files = inputs::expand(&args.inputs)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
        ));
    }
    let spinner = output::spinner(format!("reading {} files", files.len()));
    let (result, report) = super::aggregate_files(&files, aggregation)?;
    spinner.finish_and_clear();
    // Before anything is written: an empty or broken input gives no file at all.
    super::check_result(&result, &report, &args.guard.limits())?;
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_result(&result, Some(&mapping), args.format, out)
    })?;
    if !report.rejected.is_empty() {
        output::note(&format!(
            "{} records rejected (see `hrh validate`)",
            report.rejected.len()
        ));
    }
    output::note(&result.account.to_string());
    output::note(&format!("{} values written", result.values.len()));
    output::record(
        "period",
        result.values.first().map(|v| v.period.to_string()),
    );
    output::record("data_set", &result.data_set);
    output::record("values", result.values.len());
    output::record("records_read", report.read);
    output::record("records_rejected", report.rejected.len());
    output::record("account", result.account.summary());
    Ok(0)
}
