//! `hrh aggregate`: figures from a registry.

use std::path::PathBuf;

use hrh_core::aggregate::AggregateResult;
use hrh_core::population::PopulationTable;
use hrh_fhir::inputs;

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
    /// Population by org unit and period (CSV: `org_unit,period,population`), for the
    /// mapping's `density` figures (workers per 10,000 population).
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Writes the figures; prints the account of every worker on stderr.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let (mapping, mut aggregations) = args.figures.aggregations()?;
    if let Some(path) = &args.population {
        let file = std::fs::File::open(path).map_err(CliError::io(path))?;
        let table = PopulationTable::from_csv(file, &path.display().to_string())?;
        aggregations = aggregations
            .into_iter()
            .map(|a| a.with_population(table.clone()))
            .collect();
    }
    let files = inputs::expand(&args.inputs)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
        ));
    }
    let spinner = indicatif::ProgressBar::new_spinner()
        .with_message(format!("reading {} files", files.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let (results, report) = super::aggregate_series(&files, aggregations)?;
    spinner.finish_and_clear();
    let Some(first) = results.first() else {
        return Err(CliError::Usage("no period given".to_owned()));
    };
    // One output holding every period's figures, in period order.
    let all = AggregateResult {
        values: results.iter().flat_map(|r| r.values.clone()).collect(),
        withheld: results.iter().flat_map(|r| r.withheld.clone()).collect(),
        ..first.clone()
    };
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_result(&all, Some(&mapping), args.format, out)
    })?;
    if !report.rejected.is_empty() {
        eprintln!(
            "{} records rejected (see `hrh validate`)",
            report.rejected.len()
        );
    }
    for result in &results {
        if results.len() > 1 {
            eprintln!("reference date {}:", result.account.reference_date);
        }
        eprintln!("{}", result.account);
    }
    eprintln!("{} values written", all.values.len());
    Ok(0)
}
