//! `hrh convert`: figures between DHIS2 JSON, DXF2 XML, CSV, ADX and mADX `MeasureReport`s;
//! or a registry (FHIR, or tables with `--table-mapping`) to mCSD bulk NDJSON
//! (`--to fhir-ndjson`) that `hrh load` publishes.

use std::path::PathBuf;

use crate::error::CliError;
use crate::output::{self, Format};

/// What `hrh convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// DHIS2 data value set, JSON.
    #[value(name = "dhis2-json")]
    Dhis2Json,
    /// DHIS2 data value set, DXF2 XML.
    #[value(name = "dhis2-xml")]
    Dhis2Xml,
    /// DHIS2 data value set, CSV.
    #[value(name = "dhis2-csv")]
    Dhis2Csv,
    /// ADX XML.
    Adx,
    /// IHE mADX: a Bundle of FHIR `MeasureReport`s.
    #[value(name = "measurereport")]
    MeasureReport,
    /// A registry as mCSD bulk NDJSON (`Practitioner.ndjson`, ...) in the `-o` directory.
    #[value(name = "fhir-ndjson")]
    FhirNdjson,
}

/// Arguments of `hrh convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to write.
    #[arg(long, value_enum)]
    to: Target,
    /// The format of the input figures (default: from its content: the XML root element,
    /// the JSON keys; CSV by the `.csv` name).
    #[arg(long, value_enum)]
    from: Option<Format>,
    /// Output file (default: stdout); with `--to fhir-ndjson`, the output directory.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    table: crate::inputs::TableArgs,
    /// The input file of figures; with `--to fhir-ndjson`, the registry's files or
    /// directories (FHIR, or tables with `--table-mapping`).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Reads one format and writes another.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let to = match args.to {
        Target::Dhis2Json => Format::Dhis2Json,
        Target::Dhis2Xml => Format::Dhis2Xml,
        Target::Dhis2Csv => Format::Dhis2Csv,
        Target::Adx => Format::Adx,
        Target::MeasureReport => Format::MeasureReport,
        Target::FhirNdjson => return registry_to_ndjson(args),
    };
    let [input] = args.inputs.as_slice() else {
        return Err(CliError::Usage(
            "converting figures takes one input file".to_owned(),
        ));
    };
    let set = output::read_set(input, args.from)?;
    if !set.names_uids() && !matches!(to, Format::Dhis2Json | Format::Dhis2Xml) {
        eprintln!(
            "warning: {}: its id schemes (dataElementIdScheme, orgUnitIdScheme, ...) cannot be written in this format; the identifiers are written as they are",
            input.display()
        );
    }
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_set(&set, None, to, out)
    })?;
    Ok(0)
}

/// Reads the registry and writes it as bulk NDJSON; rejected rows or records are listed on
/// stderr and give exit status 1.
fn registry_to_ndjson(args: &Args) -> Result<u8, CliError> {
    let Some(dir) = &args.output else {
        return Err(CliError::Usage(
            "--to fhir-ndjson writes a directory: give -o DIR".to_owned(),
        ));
    };
    let inputs = crate::inputs::open(&args.inputs, &args.table)?;
    let (registry, report) = inputs.read_registry()?;
    for line in &report.rejected {
        eprintln!("rejected: {line}");
    }
    for line in &report.bad_values {
        eprintln!("bad value: {line}");
    }
    let mut writer = hrh_fhir::write::BulkWriter::create(dir)?;
    writer.registry(&registry)?;
    let counts = writer.finish()?;
    println!(
        "wrote {} Practitioner, {} PractitionerRole, {} Organization, {} Location to {}",
        counts.practitioners,
        counts.roles,
        counts.organizations,
        counts.locations,
        dir.display()
    );
    eprintln!(
        "{} read, {} accepted, {} rejected, {} bad values",
        report.read,
        report.accepted,
        report.rejected.len(),
        report.bad_values.len()
    );
    Ok(u8::from(!report.rejected.is_empty()))
}
