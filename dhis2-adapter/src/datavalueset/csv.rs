//! DHIS2 CSV data value sets (`application/csv`).
//!
//! Written with the header
//! `dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted`,
//! which suits both DHIS2 ≤ 2.42 (columns by position) and 2.43 (by header name).
//!
//! Reading: if a cell of the first row is `dataelement` (any case), the
//! row is a header and columns are matched by name (`timestamp` is read as
//! `lastupdated`; unknown columns are ignored). Otherwise every row is data and
//! columns are read by position in the order above. Rows may be shorter than the
//! header (DHIS2's own fixtures have 10-field rows under an 11-column header);
//! missing and empty cells are unset.

use std::io;

use super::{DataValue, DataValueSet};
use crate::datavalueset::json::parse_bool;
use crate::error::{Dhis2Error, Result};

/// The CSV header DHIS2 documents, in column order.
pub const HEADER: [&str; 11] = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    DataElement,
    Period,
    OrgUnit,
    CategoryOptionCombo,
    AttributeOptionCombo,
    Value,
    StoredBy,
    Created,
    LastUpdated,
    Comment,
    Followup,
    Deleted,
    Ignored,
}

impl Column {
    fn from_name(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "dataelement" => Self::DataElement,
            "period" => Self::Period,
            "orgunit" => Self::OrgUnit,
            "categoryoptioncombo" => Self::CategoryOptionCombo,
            "attributeoptioncombo" => Self::AttributeOptionCombo,
            "value" => Self::Value,
            "storedby" => Self::StoredBy,
            "created" => Self::Created,
            "lastupdated" | "timestamp" => Self::LastUpdated,
            "comment" => Self::Comment,
            "followup" => Self::Followup,
            "deleted" => Self::Deleted,
            _ => Self::Ignored,
        }
    }
}

/// Reads a CSV data value set (with or without header; see the module docs).
pub fn read_csv<R: io::Read>(reader: R) -> Result<DataValueSet> {
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut columns: Vec<Column> = HEADER.iter().map(|name| Column::from_name(name)).collect();
    let mut values = Vec::new();
    for (row, record) in csv.records().enumerate() {
        let record = record.map_err(Dhis2Error::csv)?;
        let is_header = row == 0
            && record.iter().any(|cell| {
                cell.trim()
                    .trim_start_matches('\u{feff}')
                    .eq_ignore_ascii_case("dataelement")
            });
        if is_header {
            columns = record
                .iter()
                .map(|name| Column::from_name(name.trim_start_matches('\u{feff}')))
                .collect();
            continue;
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        values.push(read_row(&record, &columns, values.len())?);
    }
    Ok(DataValueSet::new(values))
}

fn read_row(record: &::csv::StringRecord, columns: &[Column], index: usize) -> Result<DataValue> {
    let mut value = DataValue::default();
    for (column, cell) in columns.iter().zip(record.iter()) {
        let text = (!cell.is_empty()).then(|| cell.to_owned());
        match column {
            Column::DataElement => cell.trim().clone_into(&mut value.data_element),
            Column::Period => value.period = text,
            Column::OrgUnit => value.org_unit = text,
            Column::CategoryOptionCombo => value.category_option_combo = text,
            Column::AttributeOptionCombo => value.attribute_option_combo = text,
            Column::Value => value.value = text,
            Column::StoredBy => value.stored_by = text,
            Column::Created => value.created = text,
            Column::LastUpdated => value.last_updated = text,
            Column::Comment => value.comment = text,
            Column::Followup => value.followup = flag(cell, index, "followup")?,
            Column::Deleted => value.deleted = flag(cell, index, "deleted")?,
            Column::Ignored => {}
        }
    }
    if value.data_element.is_empty() {
        return Err(Dhis2Error::MissingField {
            index,
            field: "dataElement",
        });
    }
    Ok(value)
}

fn flag(cell: &str, index: usize, field: &'static str) -> Result<Option<bool>> {
    parse_bool(cell).map_err(|reason| Dhis2Error::InvalidField {
        index,
        field,
        value: cell.to_owned(),
        reason,
    })
}

/// Writes a data value set as DHIS2 CSV with [`HEADER`]; the set's defaults are
/// applied to every row, since CSV has no top-level fields.
pub fn write_csv<W: io::Write>(set: &DataValueSet, writer: W) -> Result<()> {
    write_csv_values(writer, set.resolved_values())
}

/// Writes [`HEADER`] and a row per value, one at a time.
pub fn write_csv_values<W: io::Write>(
    writer: W,
    values: impl IntoIterator<Item = DataValue>,
) -> Result<()> {
    let mut stream = CsvWriter::begin(writer)?;
    for value in values {
        stream.write_value(&value)?;
    }
    stream.finish().map(drop)
}

/// Writes CSV rows one value at a time.
#[derive(Debug)]
pub struct CsvWriter<W: io::Write> {
    csv: ::csv::Writer<W>,
}

impl<W: io::Write> CsvWriter<W> {
    /// Starts the document with the [`HEADER`] row.
    pub fn begin(writer: W) -> Result<Self> {
        let mut csv = ::csv::Writer::from_writer(writer);
        csv.write_record(HEADER).map_err(Dhis2Error::csv)?;
        Ok(Self { csv })
    }

    /// Appends one row; values' own fields only (apply defaults first).
    pub fn write_value(&mut self, value: &DataValue) -> Result<()> {
        let text = |field: &Option<String>| field.clone().unwrap_or_default();
        let flag = |field: Option<bool>| field.map(|b| b.to_string()).unwrap_or_default();
        self.csv
            .write_record([
                value.data_element.clone(),
                text(&value.period),
                text(&value.org_unit),
                text(&value.category_option_combo),
                text(&value.attribute_option_combo),
                text(&value.value),
                text(&value.stored_by),
                text(&value.last_updated),
                text(&value.comment),
                flag(value.followup),
                flag(value.deleted),
            ])
            .map_err(Dhis2Error::csv)
    }

    /// Flushes and returns the writer.
    pub fn finish(self) -> Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| Dhis2Error::Io(io::Error::other(e.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_by_position_without_header() {
        let set = read_csv(
            &b"\"a\",\"2024\",\"ou\",\"\",\"\",\"5\",\"john\",\"2012-01-01\",\"c\",\"false\"\n"[..],
        )
        .unwrap();
        let v = &set.data_values[0];
        assert_eq!(v.data_element, "a");
        assert_eq!(v.value.as_deref(), Some("5"));
        assert_eq!(v.category_option_combo, None);
        assert_eq!(v.last_updated.as_deref(), Some("2012-01-01"));
        assert_eq!(v.followup, Some(false));
    }

    #[test]
    fn reads_by_header_name_in_any_order() {
        let set = read_csv(&b"value,DataElement,extra,timestamp\n7,de,x,2020\n"[..]).unwrap();
        assert_eq!(set.data_values.len(), 1);
        assert_eq!(set.data_values[0].data_element, "de");
        assert_eq!(set.data_values[0].value.as_deref(), Some("7"));
        assert_eq!(set.data_values[0].last_updated.as_deref(), Some("2020"));
    }

    #[test]
    fn bad_flags_and_missing_data_elements_are_errors() {
        assert!(matches!(
            read_csv(&b"a,1,o,,,1,,,,maybe\n"[..]),
            Err(Dhis2Error::InvalidField {
                index: 0,
                field: "followup",
                ..
            })
        ));
        assert!(matches!(
            read_csv(&b"a,1,o\n,2,o\n"[..]),
            Err(Dhis2Error::MissingField {
                index: 1,
                field: "dataElement"
            })
        ));
    }

    #[test]
    fn writes_header_and_reads_back() {
        let mut v = DataValue::new("de", "1,5");
        v.comment = Some("a \"quoted\" comment".into());
        v.followup = Some(true);
        let mut set = DataValueSet::new(vec![v]);
        set.period = Some("2024".into());
        let mut out = Vec::new();
        write_csv(&set, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with(&HEADER.join(",")), "{text}");
        let back = read_csv(&out[..]).unwrap();
        assert_eq!(back.data_values, set.resolved_values().collect::<Vec<_>>());
    }
}
