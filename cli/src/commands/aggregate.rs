//! `hrh aggregate`: figures from a registry.

use std::path::PathBuf;

use hrh_core::aggregate::AggregateResult;
use hrh_core::population::PopulationTable;

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
    /// Population by org unit and period (CSV: `org_unit,period,population`), for the
    /// mapping's `density` figures (workers per 10,000 population).
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them; with `--table-mapping`,
    /// table files (CSV, TSV, XLSX, ODS, `.gz`) or directories of them.
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
    let (mapping, mut aggregations) = args.figures.aggregations()?;
    if let Some(path) = &args.population {
        let file = std::fs::File::open(path).map_err(CliError::io(path))?;
        let table = PopulationTable::from_csv(file, &path.display().to_string())?;
        aggregations = aggregations
            .into_iter()
            .map(|a| a.with_population(table.clone()))
            .collect();
    }
    let inputs = crate::inputs::open(&args.inputs, &args.table)?;
    let spinner = output::spinner(format!("reading {} files", inputs.file_count()));
    let (results, report) = inputs.aggregate_series(aggregations)?;
    spinner.finish_and_clear();
    let Some(first) = results.first() else {
        return Err(CliError::Usage("no period given".to_owned()));
    };
    // Before anything is written: an empty or broken input gives no file at all.
    for result in &results {
        super::check_result(result, &report, &args.guard.limits())?;
    }
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
        output::note(&format!(
            "{} records or rows rejected (see `hrh validate`)",
            report.rejected.len()
        ));
    }
    for result in &results {
        if results.len() > 1 {
            output::note(&format!(
                "reference date {}:",
                result.account.reference_date
            ));
        }
        output::note(&result.account.to_string());
    }
    output::note(&format!("{} values written", all.values.len()));
    let periods: Vec<String> = results
        .iter()
        .filter_map(|r| r.values.first().map(|v| v.period.to_string()))
        .collect();
    if let [period] = periods.as_slice() {
        output::record("period", period);
    } else {
        output::record("periods", &periods);
    }
    output::record("data_set", &all.data_set);
    output::record("values", all.values.len());
    output::record("records_read", report.read);
    output::record("records_rejected", report.rejected.len());
    output::record("account", first.account.summary());
    if results.len() > 1 {
        let accounts: Vec<_> = results.iter().map(|r| r.account.summary()).collect();
        output::record("accounts", accounts);
    }
    Ok(0)
}
