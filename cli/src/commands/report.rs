//! `hrh report`: the workforce profile as one self-contained HTML page.

use std::path::{Path, PathBuf};

use hrh_core::aggregate::{Aggregation, Options};
use hrh_core::population::PopulationTable;
use hrh_core::{Country, quality};
use hrh_fhir::inputs;
use hrh_report::{Places, Report};

use crate::error::CliError;

/// Arguments of `hrh report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The period, a range (`2019..2024`) or a list (`2023,2024`): several give trends.
    #[command(flatten)]
    figures: super::FigureArgs,
    /// Population by org unit and period: CSV with org unit, period and population columns.
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    /// Org-unit names and geometry: `hrh facilities pull` output (mCSD Location NDJSON,
    /// a folder of it) or a boundary `GeoJSON` file (`.geojson`).
    #[arg(long, value_name = "FILE")]
    org_units: Option<PathBuf>,
    /// The page to write.
    #[arg(short, long, default_value = "profile.html")]
    output: PathBuf,
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// FHIR files (NDJSON, Bundles, `.gz`) or directories of them; with `--table-mapping`,
    /// table files (CSV, TSV, XLSX, ODS, `.gz`) or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Aggregates every period with a profile, checks the records, writes the page; prints its path.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let home = Country::parse(&args.figures.country)?;
    let mapping = super::mapping(&args.figures.mapping)?;
    let periods = args.figures.periods(&mapping)?;
    let population = args
        .population
        .as_deref()
        .map(read_population)
        .transpose()?;
    let mut places = Places::new();
    if let Some(path) = &args.org_units {
        read_places(path, &mut places)?;
    }
    let (registry, read) = crate::inputs::open(&args.inputs, &args.table)?.read_registry()?;
    let threads = hrh_fhir::stream::default_threads();
    places.add_facilities(&registry.facilities);
    let mut results = Vec::with_capacity(periods.len());
    for period in &periods {
        let options = Options {
            period: *period,
            home,
            org_unit: args.figures.org_unit.clone(),
            suppress_below: args.figures.suppress,
        };
        let aggregation = Aggregation::new(&mapping, &options)?.with_profile();
        results.push(aggregation.run_parallel(&registry, threads));
    }
    let last = periods
        .last()
        .copied()
        .ok_or_else(|| CliError::Usage("no period".to_owned()))?;
    let checked = quality::check(&registry, &quality::Options::as_of(last.end()));
    let mut report = Report::new(
        home,
        &mapping,
        periods.iter().copied().zip(&results).collect(),
    );
    report.quality = Some(&checked);
    report.population = population
        .as_ref()
        .zip(args.population.as_ref())
        .map(|(table, path)| (table, path.display().to_string()));
    report.places = places;
    report.suppress_below = args.figures.suppress;
    if !read.rejected.is_empty() {
        report.warnings.push(format!(
            "{} records could not be read and are not in the figures (see `hrh validate`)",
            read.rejected.len()
        ));
    }
    report.write(&args.output)?;
    if let Some(result) = results.last() {
        eprintln!("{}", result.account);
    }
    println!("{}", args.output.display());
    Ok(0)
}

fn read_population(path: &Path) -> Result<PopulationTable, CliError> {
    let file = std::fs::File::open(path).map_err(CliError::io(path))?;
    Ok(PopulationTable::from_csv(
        std::io::BufReader::new(file),
        &path.display().to_string(),
    )?)
}

/// Names and geometry from a `GeoJSON` file, or from mCSD Locations read as FHIR.
fn read_places(path: &Path, places: &mut Places) -> Result<(), CliError> {
    let geojson = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson"));
    if geojson {
        let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
        *places = Places::from_geojson(&text, &path.display().to_string())?;
        return Ok(());
    }
    let files = inputs::expand(&[path.to_path_buf()])?;
    let (registry, read) = hrh_fhir::read_registry(&files, &hrh_fhir::ReadConfig::default())?;
    if let Some(rejected) = read.rejected.first() {
        return Err(CliError::Usage(format!(
            "org-unit file {}: {}",
            path.display(),
            rejected.reason
        )));
    }
    places.add_facilities(&registry.facilities);
    Ok(())
}
