//! `hrh facilities pull`: the DHIS2 org unit hierarchy as mCSD Organization +
//! Location pairs (`Organization.ndjson`, `Location.ndjson`); `hrh facilities push`:
//! those files to a FHIR server, in transaction Bundles of conditional `PUT`s by DHIS2
//! identifier (`hrh_fhir::load::load`, as `hrh load`: checked before sending, refused
//! transactions split until each refused entry is alone), so pushing twice creates no
//! duplicates.
//!
//! The conversion is `hrh_dhis2::org_units_to_core`, the FHIR side
//! `hrh_fhir::write`; this command only fetches, wires and writes files.
//!
//! Exit status: 0 written or stored; 1 entries refused (push); 2 usage or
//! unusable input/output; 3 server, credential or network error.

use std::io::Write;
use std::path::{Path, PathBuf};

use hrh_dhis2::client::OrgUnitQuery;
use hrh_dhis2::org_units_to_core::{self, McsdKind};
use hrh_fhir::write;

use crate::error::CliError;

/// Arguments of `hrh facilities`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// DHIS2 org units to mCSD Organization + Location NDJSON files.
    Pull(PullArgs),
    /// mCSD Organization + Location files (as `pull` writes them) to a FHIR server.
    Push(PushArgs),
}

/// Arguments of `hrh facilities push`.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// The FHIR server's base URL (credentials from the `HRH_FHIR_*` variables).
    #[arg(long = "fhir", value_name = "URL")]
    url: String,
    /// Entries per transaction Bundle.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    batch_size: u32,
    /// Print one JSON document on stdout (the report below as data); the text goes to stderr.
    #[arg(long)]
    json: bool,
    /// The directory `hrh facilities pull` wrote (`Organization.ndjson`, `Location.ndjson`).
    dir: PathBuf,
}

/// Arguments of `hrh facilities pull`.
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// The DHIS2 instance (credentials from `HRH_DHIS2_USERNAME`/`HRH_DHIS2_PASSWORD` or `HRH_DHIS2_TOKEN`).
    #[arg(long = "dhis2", value_name = "URL")]
    url: String,
    /// The directory to write `Organization.ndjson` and `Location.ndjson` into (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Only the sub-tree under this org unit (itself included; default: every org unit).
    #[arg(long, value_name = "UID")]
    root: Option<String>,
    /// Only org units down to this DHIS2 level (1 = the national root).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    level: Option<u32>,
    /// Org units per page when listing (default 500).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page_size: Option<u32>,
    /// Print one JSON document on stdout (the report below as data); the text goes to stderr.
    #[arg(long)]
    json: bool,
}

/// Runs a `facilities` subcommand.
pub fn run(args: &Args, insecure: bool) -> Result<u8, CliError> {
    match &args.command {
        Command::Pull(pull_args) => pull(pull_args, insecure),
        Command::Push(push_args) => push(push_args, insecure),
    }
}

fn push(args: &PushArgs, insecure: bool) -> Result<u8, CliError> {
    crate::output::set_json(args.json);
    let files: Vec<PathBuf> = ["Organization.ndjson", "Location.ndjson"]
        .iter()
        .map(|name| args.dir.join(name))
        .filter(|path| path.is_file())
        .collect();
    if files.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no Organization.ndjson or Location.ndjson (write them with `hrh facilities pull`)",
            args.dir.display()
        )));
    }
    let client = super::fhir_client(&args.url, insecure)?;
    let batch = usize::try_from(args.batch_size).unwrap_or(usize::MAX);
    super::load::publish(&client, &args.url, &files, batch, "facility ")
}

fn pull(args: &PullArgs, insecure: bool) -> Result<u8, CliError> {
    crate::output::set_json(args.json);
    if let Some(root) = args.root.as_deref()
        && !hrh_dhis2::uid::is_valid_uid(root)
    {
        return Err(CliError::Usage(format!(
            "--root {root:?} is not a DHIS2 UID (a letter then 10 letters or digits)"
        )));
    }
    let client = super::dhis2_client(&args.url, insecure, |settings| match args.page_size {
        Some(n) => settings.with_page_size(n),
        None => settings,
    })?;
    let mut query = OrgUnitQuery::default();
    query.fields.push_str(",geometry");
    if let Some(root) = args.root.as_deref() {
        query.filters.push(format!("path:like:{root}"));
    }
    let units = client
        .organisation_units(&query)
        .map_err(CliError::dhis2_server(&args.url))?;
    if let Some(root) = args.root.as_deref()
        && !units.iter().any(|u| u.id == root)
    {
        return Err(CliError::Usage(format!(
            "org unit {root} is unknown to DHIS2 (or not visible to this user)"
        )));
    }
    let places = org_units_to_core::to_core(&units, args.level);
    std::fs::create_dir_all(&args.out).map_err(CliError::io(&args.out))?;
    write_ndjson(
        &args.out.join("Organization.ndjson"),
        places.iter().map(|p| write::organization(&p.organization)),
    )?;
    write_ndjson(
        &args.out.join("Location.ndjson"),
        places.iter().map(|p| write::location(&p.facility)),
    )?;
    let jurisdictions = places
        .iter()
        .filter(|p| p.kind == McsdKind::Jurisdiction)
        .count();
    crate::output::record(
        "pull",
        serde_json::json!({
            "pairs": places.len(),
            "jurisdictions": jurisdictions,
            "facilities": places.len() - jurisdictions,
            "out": args.out,
        }),
    );
    crate::output::say!(
        "wrote {} Organization + Location pair(s) ({jurisdictions} jurisdiction(s), {} facility(ies)) to {}",
        places.len(),
        places.len() - jurisdictions,
        args.out.display()
    );
    Ok(0)
}

/// Writes one resource per line.
fn write_ndjson<T: serde::Serialize>(
    path: &Path,
    resources: impl Iterator<Item = T>,
) -> Result<(), CliError> {
    let file = std::fs::File::create(path).map_err(CliError::io(path))?;
    let mut out = std::io::BufWriter::new(file);
    for resource in resources {
        serde_json::to_writer(&mut out, &resource).map_err(|e| CliError::io(path)(e.into()))?;
        out.write_all(b"\n").map_err(CliError::io(path))?;
    }
    out.flush().map_err(CliError::io(path))
}
