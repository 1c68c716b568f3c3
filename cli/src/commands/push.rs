//! `hrh push`: imports a data value set into DHIS2, after a pre-flight check,
//! and prints the import summary with every conflict tied to its value.
//!
//! Exit status: 0 every value stored; 1 the pre-flight check found unknown
//! identifiers (nothing sent) or DHIS2 rejected or ignored values by conflict;
//! 2 unusable input or usage; 3 server, credential or network error.

use std::path::PathBuf;

use clap::ValueEnum;
use hrh_core::aggregate::guard::{self, Limits};
use hrh_dhis2::client::{ImportOptions, ImportStrategy, PreflightReport};
use hrh_dhis2::import_summary::{Conflict, ImportSummary};
use hrh_dhis2::{DataValue, DataValueSet};

use crate::error::CliError;
use crate::output::{self, Format, say};

/// `importStrategy` as a flag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Strategy {
    /// Create new values and update existing ones (DHIS2's default).
    #[value(name = "create-and-update")]
    CreateAndUpdate,
    /// Only create new values.
    Create,
    /// Only update existing values.
    Update,
    /// Delete the values sent.
    Delete,
}

impl From<Strategy> for ImportStrategy {
    fn from(strategy: Strategy) -> Self {
        match strategy {
            Strategy::CreateAndUpdate => Self::CreateAndUpdate,
            Strategy::Create => Self::Create,
            Strategy::Update => Self::Update,
            Strategy::Delete => Self::Delete,
        }
    }
}

/// Arguments of `hrh push`.
#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // each bool is an on/off flag of the command line
pub struct Args {
    /// The DHIS2 instance, e.g. `https://dhis2.example.org` (credentials from
    /// `HRH_DHIS2_USERNAME`/`HRH_DHIS2_PASSWORD` or `HRH_DHIS2_TOKEN`).
    #[arg(long = "dhis2", value_name = "URL")]
    url: String,
    /// Let DHIS2 check and count without storing anything (`dryRun`).
    #[arg(long)]
    dry_run: bool,
    /// Data values per import request (default 1,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    chunk: Option<u32>,
    /// Import in the background on the server (`async=true`) and wait for the result.
    #[arg(long = "async")]
    async_import: bool,
    /// The data set of the pre-flight check (default: the file's `dataSet`).
    #[arg(long, value_name = "UID")]
    data_set: Option<String>,
    /// What DHIS2 does with each value.
    #[arg(long, value_enum, default_value = "create-and-update")]
    import_strategy: Strategy,
    /// Send without the pre-flight check of data elements, option combos and org units.
    #[arg(long)]
    skip_preflight: bool,
    /// Accept on purpose a file with no value, or with every value zero or blank (which
    /// would overwrite the figures in DHIS2 with zeros).
    #[arg(long)]
    allow_empty: bool,
    /// The format of the input (default: from its content: the XML root element, the JSON
    /// keys; CSV by the `.csv` name).
    #[arg(long, value_enum)]
    from: Option<Format>,
    /// Print one JSON document on stdout (the report below as data); the text goes to stderr.
    #[arg(long)]
    json: bool,
    /// The figures: DHIS2 JSON, DXF2 XML, CSV, ADX or an mADX `MeasureReport` Bundle.
    file: PathBuf,
}

/// Checks, imports and reports.
pub fn run(args: &Args, insecure: bool) -> Result<u8, CliError> {
    output::set_json(args.json);
    let set = read(args)?;
    if args.import_strategy != Strategy::Delete {
        let limits = Limits {
            allow_empty: args.allow_empty,
            ..Limits::default()
        };
        guard::check_values(set.data_values.iter().map(|v| v.value.as_deref()), &limits)
            .map_err(|r| super::refused(&r))?;
    }
    let data_set = args.data_set.clone().or_else(|| set.data_set.clone());
    // The pre-flight compares UIDs: a file naming its identifiers otherwise is sent as is.
    let skip_preflight = args.skip_preflight || !set.names_uids();
    if !args.skip_preflight && skip_preflight {
        let schemes: Vec<String> = set
            .id_schemes()
            .into_iter()
            .filter_map(|(name, scheme)| Some(format!("{name}={}", scheme?)))
            .collect();
        say!(
            "no pre-flight check: the file names its identifiers by {} (the check compares UIDs)",
            schemes.join(", ")
        );
    }
    if !skip_preflight && data_set.is_none() {
        return Err(CliError::Usage(format!(
            "{}: no dataSet in the file for the pre-flight check; give --data-set UID (or --skip-preflight)",
            args.file.display()
        )));
    }
    let chunk = args.chunk.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let client = super::dhis2_client(&args.url, insecure, |settings| match chunk {
        Some(n) => settings.with_chunk_size(n),
        None => settings,
    })?;
    let preflight = data_set.as_deref().filter(|_| !skip_preflight);
    let options = ImportOptions {
        dry_run: args.dry_run,
        import_strategy: args.import_strategy.into(),
        async_import: args.async_import,
        chunk_size: chunk,
        ..ImportOptions::default()
    };
    send(&client, &args.url, &set, preflight, &options)
}

/// The push code path `hrh push` and `hrh sync` share: the pre-flight check against
/// `preflight` (a data set UID; `None` skips it), then the import with `options`, printing
/// the report on stdout. Returns the exit status: 0 every value stored (or checked, on a dry
/// run), 1 the pre-flight found problems (nothing sent) or DHIS2 rejected values.
pub fn send(
    client: &hrh_dhis2::client::blocking::Dhis2Client,
    url: &str,
    set: &DataValueSet,
    preflight: Option<&str>,
    options: &ImportOptions,
) -> Result<u8, CliError> {
    let server = CliError::dhis2_server;
    let resolved: Vec<DataValue> = set.resolved_values().collect();

    if let Some(data_set) = preflight {
        let report = client.preflight(set, data_set).map_err(|error| {
            if error.http_status() == Some(404) {
                CliError::Usage(format!(
                    "data set {data_set} is unknown to DHIS2 at {} ({error}); check --data-set or the file's dataSet",
                    url.trim()
                ))
            } else {
                server(url)(error)
            }
        })?;
        output::record("preflight", preflight_json(data_set, &report, &resolved));
        if !report.is_clean() {
            print_preflight(&report, &resolved);
            eprintln!(
                "error: pre-flight against data set {data_set}: {} problem(s) in {} of {} value(s); nothing was sent (--skip-preflight sends anyway)",
                report.problems.len(),
                report.indexes().len(),
                report.checked
            );
            return Ok(1);
        }
        say!(
            "pre-flight: {} value(s) checked against data set {data_set}, no problem",
            report.checked
        );
    }

    let summary = client
        .import_data_values(set, options)
        .map_err(server(url))?;
    output::record("import", import_json(&summary, &resolved, options.dry_run));
    print_summary(&summary, &resolved, options.dry_run);
    if summary.is_complete_success() {
        Ok(0)
    } else {
        let rejected = summary.rejected_indexes().len();
        eprintln!(
            "error: DHIS2 reported {} conflict(s), {rejected} value(s) rejected (status {:?})",
            summary.conflicts.len(),
            summary.status
        );
        Ok(1)
    }
}

/// Reads the file in its format.
fn read(args: &Args) -> Result<DataValueSet, CliError> {
    output::read_set(&args.file, args.from)
}

/// `dataElement=… period=… orgUnit=… categoryOptionCombo=… value=…` of a value.
fn describe(value: Option<&DataValue>) -> String {
    let Some(value) = value else {
        return "(not in the file)".to_owned();
    };
    let field = |text: Option<&str>| text.unwrap_or("-").to_owned();
    let mut text = format!(
        "dataElement={} period={} orgUnit={} categoryOptionCombo={}",
        value.data_element,
        field(value.period.as_deref()),
        field(value.org_unit.as_deref()),
        field(value.category_option_combo.as_deref()),
    );
    if let Some(aoc) = value.attribute_option_combo.as_deref() {
        text.push_str(" attributeOptionCombo=");
        text.push_str(aoc);
    }
    text.push_str(" value=");
    text.push_str(value.value.as_deref().unwrap_or("-"));
    text
}

/// A value's fields for `--json`.
fn value_json(value: Option<&DataValue>) -> serde_json::Value {
    value.map_or(serde_json::Value::Null, |v| {
        serde_json::json!({
            "dataElement": v.data_element,
            "period": v.period,
            "orgUnit": v.org_unit,
            "categoryOptionCombo": v.category_option_combo,
            "attributeOptionCombo": v.attribute_option_combo,
            "value": v.value,
        })
    })
}

/// The pre-flight report for `--json`.
fn preflight_json(
    data_set: &str,
    report: &PreflightReport,
    resolved: &[DataValue],
) -> serde_json::Value {
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "index": p.index,
                "issue": p.issue.to_string(),
                "value": value_json(resolved.get(p.index)),
            })
        })
        .collect();
    serde_json::json!({
        "data_set": data_set,
        "checked": report.checked,
        "clean": report.is_clean(),
        "problems": problems,
    })
}

/// The import summary for `--json`: the counts and every rejected value with DHIS2's messages.
fn import_json(
    summary: &ImportSummary,
    resolved: &[DataValue],
    dry_run: bool,
) -> serde_json::Value {
    let rejected: Vec<_> = summary
        .rejections(resolved)
        .iter()
        .map(|r| {
            serde_json::json!({
                "index": r.index,
                "value": value_json(r.value),
                "reasons": r.conflicts.iter().map(|c| conflict_text(c)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let unattached: Vec<_> = summary
        .conflicts
        .iter()
        .filter(|c| c.indexes.is_empty())
        .map(|c| serde_json::json!({"object": c.object, "message": conflict_text(c)}))
        .collect();
    let count = summary.import_count;
    serde_json::json!({
        "dry_run": dry_run,
        "status": summary.status,
        "imported": count.imported,
        "updated": count.updated,
        "ignored": count.ignored,
        "deleted": count.deleted,
        "complete_success": summary.is_complete_success(),
        "rejected": rejected,
        "conflicts": unattached,
    })
}

fn print_preflight(report: &PreflightReport, resolved: &[DataValue]) {
    for problem in &report.problems {
        say!(
            "value {}: {} ({})",
            problem.index,
            problem.issue,
            describe(resolved.get(problem.index))
        );
    }
}

/// DHIS2's message of a conflict, with its error code.
fn conflict_text(conflict: &Conflict) -> String {
    let mut text = conflict
        .value
        .clone()
        .unwrap_or_else(|| "(no message)".to_owned());
    if let Some(code) = conflict.error_code.as_deref() {
        text.push_str(" [");
        text.push_str(code);
        text.push(']');
    }
    text
}

fn print_summary(summary: &ImportSummary, resolved: &[DataValue], dry_run: bool) {
    let count = summary.import_count;
    say!(
        "{}: imported {}, updated {}, ignored {}, deleted {} (status {:?})",
        if dry_run {
            "dry run, nothing stored"
        } else {
            "import"
        },
        count.imported,
        count.updated,
        count.ignored,
        count.deleted,
        summary.status
    );
    for rejection in summary.rejections(resolved) {
        let reasons: Vec<String> = rejection
            .conflicts
            .iter()
            .map(|c| conflict_text(c))
            .collect();
        say!(
            "rejected value {}: {}: {}",
            rejection.index,
            describe(rejection.value),
            if reasons.is_empty() {
                "(no conflict message)".to_owned()
            } else {
                reasons.join("; ")
            }
        );
    }
    // Conflicts DHIS2 did not tie to a value (older versions send no indexes).
    for conflict in summary.conflicts.iter().filter(|c| c.indexes.is_empty()) {
        say!(
            "conflict: {}: {}",
            conflict.object.as_deref().unwrap_or("-"),
            conflict_text(conflict)
        );
    }
}
