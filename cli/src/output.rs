//! Writing aggregate figures in the formats users ask for.

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use hrh_core::aggregate::{AggregateResult, Mapping};
use hrh_dhis2::DataValueSet;
use hrh_dhis2::datavalueset::DataValue;
use hrh_dhis2::datavalueset::{adx, csv, json};
use hrh_fhir::madx;

use crate::error::CliError;

/// Output formats of figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// DHIS2 data value set, JSON.
    #[value(name = "dhis2-json")]
    Dhis2Json,
    /// DHIS2 data value set, CSV.
    #[value(name = "dhis2-csv")]
    Dhis2Csv,
    /// ADX XML.
    Adx,
    /// IHE mADX: a Bundle of FHIR `MeasureReport`s.
    #[value(name = "measurereport")]
    MeasureReport,
}

impl Format {
    /// Guesses the format from a file name (`.json`, `.csv`, `.xml`/`.adx`); a JSON file
    /// holding a FHIR resource (`"resourceType"`) is a MeasureReport.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "json" if starts_like_fhir(path) => Some(Self::MeasureReport),
            "json" => Some(Self::Dhis2Json),
            "csv" => Some(Self::Dhis2Csv),
            "xml" | "adx" => Some(Self::Adx),
            _ => None,
        }
    }
}

/// The format given with `--from`, else the one the file name tells.
pub fn format_of(path: &Path, from: Option<Format>) -> Result<Format, CliError> {
    from.or_else(|| Format::from_path(path)).ok_or_else(|| {
        CliError::Usage(format!(
            "{}: cannot tell the format from the name; give --from",
            path.display()
        ))
    })
}

/// Whether the first 4 KiB of a JSON file mention `"resourceType"`.
fn starts_like_fhir(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.get(..n)
        .is_some_and(|h| h.windows(14).any(|w| w == b"\"resourceType\""))
}

/// Writes a data value set in `format`; a MeasureReport names breakdowns when the mapping
/// that made the figures is given.
pub fn write_set(
    set: &DataValueSet,
    mapping: Option<&Mapping>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match format {
        Format::Dhis2Json => json::write_json(set, out)?,
        Format::Dhis2Csv => csv::write_csv(set, out)?,
        Format::Adx => adx::write_adx(set, out)?,
        Format::MeasureReport => {
            let bundle = madx::write(&set.to_aggregates()?, set.data_set.as_deref(), mapping);
            serde_json::to_writer_pretty(&mut *out, &bundle)
                .map_err(|e| CliError::io("<output>")(e.into()))?;
            out.write_all(b"\n").map_err(CliError::io("<output>"))?;
        }
    }
    Ok(())
}

/// Writes the figures of an aggregation in `format`. DHIS2 JSON and CSV are written one
/// value at a time, without a [`DataValueSet`] of every value beside the result (at
/// facility level, 820,000 values at a million workers: about 400 MB less).
pub fn write_result(
    result: &AggregateResult,
    mapping: Option<&Mapping>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match format {
        Format::Dhis2Json => {
            let header = DataValueSet {
                data_set: result.data_set.clone(),
                ..DataValueSet::default()
            };
            json::write_json_values(out, &header, result.values.iter().map(DataValue::from))?;
        }
        Format::Dhis2Csv => csv::write_csv_values(out, result.values.iter().map(DataValue::from))?,
        Format::Adx | Format::MeasureReport => {
            write_set(&DataValueSet::from_result(result), mapping, format, out)?;
        }
    }
    Ok(())
}

/// Reads a data value set in `format`.
pub fn read_set(path: &Path, format: Format) -> Result<DataValueSet, CliError> {
    let bytes = std::fs::read(path).map_err(CliError::io(path))?;
    Ok(match format {
        Format::Dhis2Json => json::read_json(&bytes)?,
        Format::Dhis2Csv => csv::read_csv(bytes.as_slice())?,
        Format::Adx => adx::read_adx(&String::from_utf8_lossy(&bytes))?,
        Format::MeasureReport => {
            let figures = madx::read(&String::from_utf8_lossy(&bytes))?;
            let mut set = DataValueSet::from_aggregates(&figures.values);
            set.data_set = figures.data_set;
            set
        }
    })
}

/// Writes to a file, or to stdout for `None` / `-`.
pub fn to_file_or_stdout(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    if let Some(path) = path.filter(|p| p.as_os_str() != "-") {
        let file = std::fs::File::create(path).map_err(CliError::io(path))?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        out.flush().map_err(CliError::io(path))
    } else {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        write(&mut out)?;
        out.flush().map_err(CliError::io("<stdout>"))
    }
}
