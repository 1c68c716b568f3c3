//! `hrh load`: publishes a registry to a FHIR server in transaction Bundles of conditional
//! `PUT`s by business identifier (`hrh_fhir::load::load`: checked before sending, refused
//! transactions split until each refused entry is alone), so loading twice creates no
//! duplicates; prints the created/updated/refused counts and each refused entry.
//!
//! Exit status: 0 every entry stored; 1 some entries refused; 2 unusable input or usage;
//! 3 server, credential or network error.

use std::path::{Path, PathBuf};

use hrh_fhir::load::LoadReport;
use hrh_fhir::{ReadConfig, inputs};

use crate::error::CliError;

/// Arguments of `hrh load`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The FHIR server's base URL (credentials from `HRH_FHIR_TOKEN`,
    /// `HRH_FHIR_USERNAME`/`HRH_FHIR_PASSWORD` or `HRH_FHIR_CLIENT_ID`/`_SECRET`/`HRH_FHIR_TOKEN_URL`).
    #[arg(long = "fhir", value_name = "URL")]
    url: String,
    /// Entries per transaction Bundle.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    batch_size: u32,
    /// Print one JSON document on stdout (the report below as data); the text goes to stderr.
    #[arg(long)]
    json: bool,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Reads the registry and sends it.
pub fn run(args: &Args, insecure: bool) -> Result<u8, CliError> {
    crate::output::set_json(args.json);
    let client = super::fhir_client(&args.url, insecure)?;
    let batch = usize::try_from(args.batch_size).unwrap_or(usize::MAX);
    publish(&client, &args.url, &args.inputs, batch, "")
}

/// Reads `inputs` as `aggregate` does and loads them (shared with `hrh facilities push`);
/// `what` names the records in the report (e.g. `"facility "`).
pub fn publish(
    client: &hrh_fhir::client::blocking::FhirClient,
    url: &str,
    inputs: &[PathBuf],
    batch_size: usize,
    what: &str,
) -> Result<u8, CliError> {
    let files = inputs::expand(inputs)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
        ));
    }
    let (registry, report) = hrh_fhir::read_registry(&files, &ReadConfig::default())?;
    if !report.rejected.is_empty() {
        eprintln!(
            "{} records rejected while reading (not sent; see `hrh validate`)",
            report.rejected.len()
        );
    }
    let records = registry.record_count();
    if records == 0 {
        return Err(CliError::Usage(format!(
            "no {what}records to send in {}",
            describe(&files)
        )));
    }
    let bar = indicatif::ProgressBar::new(u64::try_from(records).unwrap_or(u64::MAX))
        .with_message(format!("loading into {}", url.trim()));
    let loaded = hrh_fhir::load::load(client, &registry, batch_size, &mut |r: &LoadReport| {
        bar.set_position(u64::try_from(r.accounted()).unwrap_or(u64::MAX));
    });
    bar.finish_and_clear();
    let loaded = loaded.map_err(CliError::fhir_server(url))?;
    let refused = loaded.refused.len();
    crate::output::say!(
        "loaded {records} {what}record(s) in {} transaction(s): created {}, updated {}, \
         failed {refused} ({} refused before sending, {} by the server)",
        loaded.bundles,
        loaded.created,
        loaded.updated,
        loaded.refused_before_send(),
        loaded.refused_by_server()
    );
    crate::output::record(
        "load",
        serde_json::json!({
            "records": records,
            "records_rejected_while_reading": report.rejected.len(),
            "bundles": loaded.bundles,
            "created": loaded.created,
            "updated": loaded.updated,
            "failed": refused,
            "refused_before_sending": loaded.refused_before_send(),
            "refused_by_server": loaded.refused_by_server(),
            "errors": loaded.refused.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    );
    for entry in &loaded.refused {
        eprintln!("refused: {entry}");
    }
    if refused > 0 {
        eprintln!("error: {refused} of {} entries refused", loaded.entries);
        return Ok(1);
    }
    Ok(0)
}

/// `N file(s)` or the one file's name.
fn describe(files: &[PathBuf]) -> String {
    match files {
        [one] => Path::display(one).to_string(),
        many => format!("{} file(s)", many.len()),
    }
}
