//! `hrh aggregate`: figures from a registry.

use std::path::PathBuf;

use hrh_core::aggregate::{Aggregation, Options};
use hrh_dhis2::DataValueSet;
use hrh_fhir::{ReadConfig, inputs, stream};

use crate::error::CliError;
use crate::output::{self, Format};

/// Arguments of `hrh aggregate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A built-in mapping (`nhwa-module1`, `nhwa-module1-subnational`) or a mapping file.
    #[arg(long, default_value = "nhwa-module1")]
    mapping: String,
    /// The DHIS2 reporting period, e.g. `2024`.
    #[arg(long)]
    period: String,
    /// The home country (ISO 3166-1), e.g. `UZ`.
    #[arg(long)]
    country: String,
    /// The org unit for national reporting.
    #[arg(long)]
    org_unit: Option<String>,
    /// Withhold values from 1 to K-1 (small-cell suppression).
    #[arg(long, value_name = "K")]
    suppress: Option<u64>,
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
    let (period, home) = super::period_and_country(&args.period, &args.country)?;
    let mapping = super::mapping(&args.mapping)?;
    let options = Options {
        period,
        home,
        org_unit: args.org_unit.clone(),
        suppress_below: args.suppress,
    };
    let aggregation = Aggregation::new(&mapping, &options)?;
    let files = inputs::expand(&args.inputs)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
        ));
    }
    let spinner = indicatif::ProgressBar::new_spinner()
        .with_message(format!("reading {} files", files.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let (result, report) =
        stream::aggregate_files(&files, &ReadConfig::default(), aggregation, threads)?;
    spinner.finish_and_clear();
    let set = DataValueSet::from_result(&result);
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_set(&set, Some(&mapping), args.format, out)
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
