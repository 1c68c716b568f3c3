//! `hrh generate`: a synthetic national registry as a bulk-export directory.

use std::path::PathBuf;
use std::time::Instant;

use hrh_core::Country;
use hrh_core::synthetic::{Config, SyntheticRegistry};

use crate::error::CliError;

/// Arguments of `hrh generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    synthetic: super::SyntheticArgs,
    /// The year the registry describes (employments and licences run into it; default:
    /// the last full year, the default period of `aggregate`).
    #[arg(long)]
    year: Option<i32>,
    /// Leave out the deliberately bad records (about 1 % of workers otherwise).
    #[arg(long)]
    no_bad_records: bool,
    /// Threads generating workers (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Output directory (created; files of the same names are replaced).
    #[arg(long)]
    out: PathBuf,
}

/// Writes `Practitioner.ndjson`, `PractitionerRole.ndjson`, `Organization.ndjson` and
/// `Location.ndjson` into `--out` and prints what was written.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let config = Config {
        workers: args.synthetic.workers,
        seed: args.synthetic.seed,
        country: Country::parse(&args.synthetic.country)?,
        year: args.year.unwrap_or_else(super::last_full_year),
        bad_records: !args.no_bad_records,
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let spinner = crate::output::spinner(format!("generating {} workers", args.synthetic.workers));
    let started = Instant::now();
    let synthetic = SyntheticRegistry::new(config);
    let counts = hrh_fhir::write::export_synthetic(&synthetic, &args.out, threads)?;
    spinner.finish_and_clear();
    println!(
        "wrote {} practitioners, {} roles, {} organizations, {} locations to {} in {:.2} s",
        counts.practitioners,
        counts.roles,
        counts.organizations,
        counts.locations,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}
