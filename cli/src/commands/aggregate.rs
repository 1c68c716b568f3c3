//! `hrh aggregate`: figures from a registry.

use std::path::PathBuf;

use crate::error::CliError;
use crate::output::{self, Format};

/// Arguments of `hrh aggregate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    figures: super::FigureArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "dhis2-json")]
    format: Format,
    /// Output file (default: stdout).
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them; with `--table-mapping`,
    /// table files (CSV, TSV, XLSX, ODS, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Writes the figures; prints the account of every worker on stderr.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let (mapping, aggregation) = args.figures.aggregation()?;
    let inputs = crate::inputs::open(&args.inputs, &args.table)?;
    let spinner = indicatif::ProgressBar::new_spinner()
        .with_message(format!("reading {} files", inputs.file_count()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let (result, report) = inputs.aggregate(aggregation)?;
    spinner.finish_and_clear();
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_result(&result, Some(&mapping), args.format, out)
    })?;
    if !report.rejected.is_empty() {
        eprintln!(
            "{} records or rows rejected (see `hrh validate`)",
            report.rejected.len()
        );
    }
    eprintln!("{}", result.account);
    eprintln!("{} values written", result.values.len());
    Ok(0)
}
