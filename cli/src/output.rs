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

/// Whether `--quiet` was given: notes and summaries on stderr are left out.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--quiet` for the whole run.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// A line for the person at the terminal, on stderr, unless `--quiet`.
pub fn note(text: &str) {
    if !quiet() {
        eprintln!("{text}");
    }
}

/// A spinner on stderr (drawn only on a terminal, never with `--quiet`).
pub fn spinner(message: String) -> indicatif::ProgressBar {
    if quiet() {
        return indicatif::ProgressBar::hidden();
    }
    let spinner = indicatif::ProgressBar::new_spinner().with_message(message);
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

/// Whether `--pretty` was given: JSON written indented.
static PRETTY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--pretty` for the whole run.
pub fn set_pretty(pretty: bool) {
    PRETTY.store(pretty, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--pretty` was given.
pub fn pretty() -> bool {
    PRETTY.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether `--names` was given: DHIS2 JSON figures name their data element and combo.
static NAMES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--names` for the whole run.
pub fn set_names(names: bool) {
    NAMES.store(names, std::sync::atomic::Ordering::Relaxed);
}

/// Writes DHIS2 JSON figures through `write`, indented with `--pretty`, and with `--names`
/// each value's `dataElementName` and `categoryOptionComboName` from the mapping beside
/// the UIDs (readers, `hrh push` included, ignore them).
fn readable_json(
    mapping: Option<&Mapping>,
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let names = mapping.filter(|_| NAMES.load(std::sync::atomic::Ordering::Relaxed));
    if names.is_none() && !pretty() {
        return write(out);
    }
    let mut buffer = Vec::new();
    write(&mut buffer)?;
    let mut set: serde_json::Value =
        serde_json::from_slice(&buffer).map_err(|e| CliError::io("<output>")(e.into()))?;
    if let Some(mapping) = names {
        let names = mapping.names();
        let values = set
            .get_mut("dataValues")
            .and_then(serde_json::Value::as_array_mut);
        for value in values.into_iter().flatten() {
            let Some(value) = value.as_object_mut() else {
                continue;
            };
            let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let (de, coc) = (text("dataElement"), text("categoryOptionCombo"));
            if let Some(name) = de.as_deref().and_then(|de| names.data_element(de)) {
                value.insert("dataElementName".to_owned(), name.into());
            }
            if let Some(name) = de
                .as_deref()
                .zip(coc.as_deref())
                .and_then(|(de, coc)| names.combo(de, coc))
            {
                value.insert("categoryOptionComboName".to_owned(), name.into());
            }
        }
    }
    let written = if pretty() {
        serde_json::to_writer_pretty(&mut *out, &set)
    } else {
        serde_json::to_writer(&mut *out, &set)
    };
    written.map_err(|e| CliError::io("<output>")(e.into()))?;
    out.write_all(b"\n").map_err(CliError::io("<output>"))
}

/// Whether `--json` was given: one JSON document on stdout, the human text on stderr.
static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The `--json` document, filled by the command as it goes and printed by `main` at the end.
static DOCUMENT: std::sync::Mutex<Option<serde_json::Map<String, serde_json::Value>>> =
    std::sync::Mutex::new(None);

/// Sets `--json` for the whole run.
pub fn set_json(json: bool) {
    JSON.store(json, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--json` was given.
pub fn json() -> bool {
    JSON.load(std::sync::atomic::Ordering::Relaxed)
}

/// Adds `key` to the `--json` document (nothing without `--json`).
pub fn record(key: &str, value: impl serde::Serialize) {
    if !json() {
        return;
    }
    let value = serde_json::to_value(value).unwrap_or_else(|e| e.to_string().into());
    DOCUMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get_or_insert_with(serde_json::Map::new)
        .insert(key.to_owned(), value);
}

/// Prints the `--json` document on stdout, with the exit status and the error if any,
/// indented with `--pretty`; nothing without `--json`.
pub fn finish_json(exit_code: u8, error: Option<&str>) {
    if !json() {
        return;
    }
    record("exit_code", exit_code);
    if let Some(error) = error {
        record("error", error);
    }
    let document = DOCUMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
        .unwrap_or_default();
    let value = serde_json::Value::Object(document);
    let text = if pretty() {
        serde_json::to_string_pretty(&value)
    } else {
        serde_json::to_string(&value)
    };
    println!("{}", text.unwrap_or_default());
}

/// A line of a command's report: on stdout, or on stderr with `--json` (where `--quiet`
/// leaves it out).
pub fn say_line(text: &str) {
    if json() {
        note(text);
    } else {
        println!("{text}");
    }
}

/// `println!` for a command's report: see [`say_line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::say_line(&format!($($arg)*))
    };
}
pub(crate) use say;

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
        Format::Dhis2Json => readable_json(mapping, out, |out| Ok(json::write_json(set, out)?))?,
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
            readable_json(mapping, out, |out| {
                Ok(json::write_json_values(
                    out,
                    &header,
                    result.values.iter().map(DataValue::from),
                )?)
            })?;
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
