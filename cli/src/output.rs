//! Writing aggregate figures in the formats users ask for.

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use hrh_core::aggregate::{AggregateResult, Mapping};
use hrh_dhis2::DataValueSet;
use hrh_dhis2::datavalueset::DataValue;
use hrh_dhis2::datavalueset::detect::{Document, detect};
use hrh_dhis2::datavalueset::{adx, csv, json, xml};
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
    /// DHIS2 data value set, DXF2 XML (`<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">`).
    #[value(name = "dhis2-xml")]
    Dhis2Xml,
    /// ADX XML.
    Adx,
    /// IHE mADX: a Bundle of FHIR `MeasureReport`s.
    #[value(name = "measurereport")]
    MeasureReport,
}

/// The format given with `--from`, else the one the content tells (the XML root element and
/// namespace: DXF2 or ADX; JSON: a DHIS2 data value set or a FHIR `MeasureReport`/Bundle),
/// else CSV for a `.csv` file.
fn format_of(path: &Path, bytes: &[u8], from: Option<Format>) -> Result<Format, CliError> {
    if let Some(from) = from {
        return Ok(from);
    }
    let named = |e: hrh_dhis2::Dhis2Error| CliError::Usage(format!("{}: {e}", path.display()));
    Ok(match detect(bytes).map_err(named)? {
        Some(Document::Dhis2Json) => Format::Dhis2Json,
        Some(Document::Dhis2Xml) => Format::Dhis2Xml,
        Some(Document::Adx) => Format::Adx,
        Some(Document::Fhir) => Format::MeasureReport,
        None if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            Format::Dhis2Csv
        }
        None => {
            return Err(CliError::Usage(format!(
                "{}: neither an XML nor a JSON document, and not named .csv: give --from",
                path.display()
            )));
        }
    })
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
        Format::Dhis2Xml => xml::write_xml(set, out)?,
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
        Format::Dhis2Xml | Format::Adx | Format::MeasureReport => {
            write_set(&DataValueSet::from_result(result), mapping, format, out)?;
        }
    }
    Ok(())
}

/// Reads a data value set in the format `--from` gives, else the one its content tells.
pub fn read_set(path: &Path, from: Option<Format>) -> Result<DataValueSet, CliError> {
    let bytes = std::fs::read(path).map_err(CliError::io(path))?;
    Ok(match format_of(path, &bytes, from)? {
        Format::Dhis2Json => json::read_json(&bytes)?,
        Format::Dhis2Csv => csv::read_csv(bytes.as_slice())?,
        Format::Dhis2Xml => xml::read_xml(&String::from_utf8_lossy(&bytes))?,
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
