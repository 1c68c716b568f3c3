//! `hrh validate`: the data-quality report of a registry.

use std::path::PathBuf;

use hrh_core::quality;
use serde::Serialize;

use crate::error::CliError;

/// Arguments of `hrh validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them; with `--table-mapping`,
    /// table files (CSV, TSV, XLSX, ODS, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Judge ages and "future" at this date (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    records_read: usize,
    records_accepted: usize,
    rejected: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bad_values: Vec<String>,
    findings: &'a [quality::Finding],
    counts: Vec<(&'static str, usize)>,
}

/// Exit status 0 when clean, 1 when problems were found, 2 when the input is unusable.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let inputs = crate::inputs::open(&args.inputs, &args.table)?;
    let (registry, report) = inputs.read_registry()?;
    if report.accepted == 0 {
        return Err(CliError::Usage(format!(
            "no usable records: {} read, {} rejected",
            report.read,
            report.rejected.len()
        )));
    }
    let rejected = report.rejected;
    let as_of = match &args.as_of {
        Some(text) => match text.parse::<hrh_core::PartialDate>()? {
            hrh_core::PartialDate::Date(d) => d,
            _ => return Err(hrh_core::CoreError::InvalidDate(text.clone()).into()),
        },
        None => chrono::Local::now().date_naive(),
    };
    let checked = quality::check(&registry, &quality::Options::as_of(as_of));
    let problems = !rejected.is_empty() || !checked.is_clean();
    if args.json {
        let json = JsonReport {
            records_read: report.read,
            records_accepted: report.accepted,
            rejected,
            bad_values: report.bad_values,
            findings: &checked.findings,
            counts: checked.counts(),
        };
        let text =
            serde_json::to_string_pretty(&json).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
    } else {
        for line in &rejected {
            println!("rejected: {line}");
        }
        for line in &report.bad_values {
            println!("bad value: {line}");
        }
        for finding in &checked.findings {
            println!("{finding}");
        }
        eprintln!(
            "{} records read, {} accepted, {} rejected; {} findings",
            report.read,
            report.accepted,
            rejected.len(),
            checked.findings.len()
        );
        for (code, n) in checked.counts() {
            eprintln!("  {code}: {n}");
        }
    }
    Ok(u8::from(problems))
}
