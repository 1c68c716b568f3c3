//! `hrh validate`: the data-quality report of a registry.

use std::path::PathBuf;

use hrh_core::quality::{self, Severity};
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
    /// Exit 1 on warnings too, not only on errors (info findings never fail).
    #[arg(long)]
    strict: bool,
    /// Judge ages and "future" at this date (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    records_read: usize,
    records_accepted: usize,
    rejected: Vec<String>,
    errors: usize,
    warnings: usize,
    info: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bad_values: Vec<String>,
    findings: &'a [quality::Finding],
    counts: Vec<(&'static str, usize)>,
}

/// Exit status 0 when nothing fails, 1 when records were rejected or a finding is an error
/// (or a warning, with `--strict`), 2 when the input is unusable.
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
    let rejected_any = !rejected.is_empty();
    if args.json {
        let json = JsonReport {
            records_read: report.read,
            records_accepted: report.accepted,
            rejected: rejected.clone(),
            errors: checked.count_of(Severity::Error),
            warnings: checked.count_of(Severity::Warning),
            info: checked.count_of(Severity::Info),
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
            println!("{}: {finding}", finding.severity);
        }
        crate::output::note(&format!(
            "{} records read, {} accepted, {} rejected; {} findings ({} errors, {} warnings, {} info)",
            report.read,
            report.accepted,
            rejected.len(),
            checked.findings.len(),
            checked.count_of(Severity::Error),
            checked.count_of(Severity::Warning),
            checked.count_of(Severity::Info),
        ));
        for (severity, code, n) in checked.counts_by_severity() {
            crate::output::note(&format!("  {severity} {code}: {n}"));
        }
    }
    let fails_at = if args.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    let failed = checked.worst().is_some_and(|worst| worst >= fails_at);
    Ok(u8::from(failed || rejected_any))
}
