//! `hrh facilities pull`: the DHIS2 org unit hierarchy as mCSD Organization +
//! Location pairs (`Organization.ndjson`, `Location.ndjson`).
//!
//! The conversion is `hrh_dhis2::org_units_to_core`, the FHIR side
//! `hrh_fhir::write`; this command only fetches, wires and writes files.
//! (`hrh facilities push --fhir URL DIR` is to come with the FHIR REST client.)
//!
//! Exit status: 0 written; 2 usage or unwritable output; 3 server, credential
//! or network error.

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
}

/// Runs a `facilities` subcommand.
pub fn run(args: &Args, insecure: bool) -> Result<u8, CliError> {
    match &args.command {
        Command::Pull(pull_args) => pull(pull_args, insecure),
    }
}

fn pull(args: &PullArgs, insecure: bool) -> Result<u8, CliError> {
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
    println!(
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
