//! `hrh validate`: the data-quality report of a registry.

use std::path::PathBuf;

use hrh_core::quality::{self, Severity};
use hrh_fhir::{ReadConfig, inputs, read_registry};
use serde::Serialize;

use crate::error::CliError;

/// Arguments of `hrh validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
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
    findings: &'a [quality::Finding],
    counts: Vec<(&'static str, usize)>,
}

/// Exit status 0 when nothing fails, 1 when records were rejected or a finding is an error
/// (or a warning, with `--strict`), 2 when the input is unusable.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let files = inputs::expand(&args.inputs)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
        ));
    }
    let (registry, report) = read_registry(&files, &ReadConfig::default())?;
    if report.accepted == 0 {
        return Err(CliError::Usage(format!(
            "no usable records: {} read, {} rejected",
            report.read,
            report.rejected.len()
        )));
    }
    let as_of = match &args.as_of {
        Some(text) => match text.parse::<hrh_core::PartialDate>()? {
            hrh_core::PartialDate::Date(d) => d,
            _ => return Err(hrh_core::CoreError::InvalidDate(text.clone()).into()),
        },
        None => chrono::Local::now().date_naive(),
    };
    let checked = quality::check(&registry, &quality::Options::as_of(as_of));
    let rejected: Vec<String> = report
        .rejected
        .iter()
        .map(|r| r.reason.to_string())
        .collect();
    if args.json {
        let json = JsonReport {
            records_read: report.read,
            records_accepted: report.accepted,
            rejected,
            errors: checked.count_of(Severity::Error),
            warnings: checked.count_of(Severity::Warning),
            info: checked.count_of(Severity::Info),
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
        for finding in &checked.findings {
            println!("{}: {finding}", finding.severity);
        }
        crate::output::note(&format!(
            "{} records read, {} accepted, {} rejected; {} findings ({} errors, {} warnings, {} info)",
            report.read,
            report.accepted,
            report.rejected.len(),
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
    Ok(u8::from(!report.rejected.is_empty() || failed))
}
