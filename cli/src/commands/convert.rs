//! `hrh convert`: figures between DHIS2 JSON, DXF2 XML, CSV, ADX and mADX `MeasureReport`s.

use std::path::PathBuf;

use crate::error::CliError;
use crate::output::{self, Format};

/// Arguments of `hrh convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to write.
    #[arg(long, value_enum)]
    to: Format,
    /// The format of the input (default: from its content: the XML root element, the JSON
    /// keys; CSV by the `.csv` name).
    #[arg(long, value_enum)]
    from: Option<Format>,
    /// Output file (default: stdout).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The input file.
    input: PathBuf,
}

/// Reads one format and writes another.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let set = output::read_set(&args.input, args.from)?;
    if !set.names_uids() && !matches!(args.to, Format::Dhis2Json | Format::Dhis2Xml) {
        eprintln!(
            "warning: {}: its id schemes (dataElementIdScheme, orgUnitIdScheme, ...) cannot be written in this format; the identifiers are written as they are",
            args.input.display()
        );
    }
    output::to_file_or_stdout(args.output.as_deref(), |out| {
        output::write_set(&set, None, args.to, out)
    })?;
    Ok(0)
}
