//! DHIS2 JSON data value sets (`application/json`): reading and streaming writing.
//!
//! Reading tolerates the real-world key `completedDate` for `completeDate`,
//! `timestamp` for `lastUpdated`, and values sent as JSON numbers or booleans
//! (kept as their text). Writing goes straight to any [`io::Write`] value by
//! value, without building a `serde_json::Value` of the whole set.

use std::io;

use serde::{Deserialize, Deserializer};

use super::{DataValue, DataValueSet};
use crate::error::{Dhis2Error, Result};

/// Reads a JSON data value set from bytes.
pub fn read_json(bytes: &[u8]) -> Result<DataValueSet> {
    serde_json::from_slice::<DataValueSet>(bytes)
        .map_err(Dhis2Error::json)?
        .check_required()
}

/// Reads a JSON data value set from a reader (buffer it for speed).
pub fn read_json_from<R: io::Read>(reader: R) -> Result<DataValueSet> {
    serde_json::from_reader::<_, DataValueSet>(reader)
        .map_err(Dhis2Error::json)?
        .check_required()
}

/// Writes a data value set as DHIS2 JSON (camelCase keys, values as strings).
pub fn write_json<W: io::Write>(set: &DataValueSet, writer: W) -> Result<()> {
    write_json_values(writer, set, &set.data_values)
}

/// Writes `header`'s top-level fields and then `values` (not `header.data_values`), one at a
/// time: values made on the fly need never be held together.
pub fn write_json_values<W: io::Write, V: std::borrow::Borrow<DataValue>>(
    writer: W,
    header: &DataValueSet,
    values: impl IntoIterator<Item = V>,
) -> Result<()> {
    let mut stream = JsonWriter::begin(writer, header)?;
    for value in values {
        stream.write_value(value.borrow())?;
    }
    stream.finish().map(drop)
}

/// Writes a JSON data value set one value at a time, so a large set need not be in memory.
///
/// ```
/// use hrh_dhis2::datavalueset::{json::JsonWriter, DataValue, DataValueSet};
///
/// let header = DataValueSet { period: Some("2024".into()), ..DataValueSet::default() };
/// let mut stream = JsonWriter::begin(Vec::new(), &header)?;
/// stream.write_value(&DataValue::new("GFfMM55sVzg", "12"))?;
/// let bytes = stream.finish()?;
/// let set = hrh_dhis2::datavalueset::json::read_json(&bytes)?;
/// assert_eq!(set.data_values.len(), 1);
/// # Ok::<(), hrh_dhis2::Dhis2Error>(())
/// ```
#[derive(Debug)]
pub struct JsonWriter<W: io::Write> {
    writer: W,
    written: usize,
}

impl<W: io::Write> JsonWriter<W> {
    /// Starts the document with the top-level fields of `header` (its `data_values` are ignored).
    pub fn begin(mut writer: W, header: &DataValueSet) -> Result<Self> {
        writer.write_all(b"{")?;
        let fields = [
            ("dataSet", &header.data_set),
            ("completeDate", &header.complete_date),
            ("period", &header.period),
            ("orgUnit", &header.org_unit),
            ("attributeOptionCombo", &header.attribute_option_combo),
        ];
        let schemes = header
            .id_schemes()
            .map(|(key, scheme)| (key, scheme.map(ToString::to_string)));
        let fields = fields
            .into_iter()
            .map(|(key, value)| (key, value.as_deref()))
            .chain(schemes.iter().map(|(key, value)| (*key, value.as_deref())));
        for (key, value) in fields {
            if let Some(value) = value {
                serde_json::to_writer(&mut writer, key).map_err(Dhis2Error::json)?;
                writer.write_all(b":")?;
                serde_json::to_writer(&mut writer, value).map_err(Dhis2Error::json)?;
                writer.write_all(b",")?;
            }
        }
        writer.write_all(b"\"dataValues\":[")?;
        Ok(Self { writer, written: 0 })
    }

    /// Appends one data value.
    pub fn write_value(&mut self, value: &DataValue) -> Result<()> {
        if self.written > 0 {
            self.writer.write_all(b",")?;
        }
        serde_json::to_writer(&mut self.writer, value).map_err(Dhis2Error::json)?;
        self.written += 1;
        Ok(())
    }

    /// Closes the document and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.writer.write_all(b"]}")?;
        self.writer.flush()?;
        Ok(self.writer)
    }
}

/// Deserializes an optional value that DHIS2 clients send as a string, number or boolean.
pub(crate) fn lenient_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Number(serde_json::Number),
        Bool(bool),
    }
    Ok(
        Option::<Text>::deserialize(deserializer)?.map(|text| match text {
            Text::String(s) => s,
            Text::Number(n) => n.to_string(),
            Text::Bool(b) => b.to_string(),
        }),
    )
}

/// Deserializes an optional boolean sent as `true`/`false` or `"true"`/`"false"`.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        String(String),
    }
    match Option::<Flag>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Flag::Bool(b)) => Ok(Some(b)),
        Some(Flag::String(s)) => parse_bool(&s).map_err(serde::de::Error::custom),
    }
}

/// Reads `true`/`false` (any case) or an empty string (unset).
pub(crate) fn parse_bool(text: &str) -> std::result::Result<Option<bool>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else if text.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if text.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err("expected true or false")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_booleans_and_completed_date() {
        let set = read_json(
            br#"{"completedDate":"2019-06-05","dataValues":[
                {"dataElement":"a","value":12.5,"followup":"true"},
                {"dataElement":"b","value":true,"timestamp":"2012-01-01"},
                {"dataElement":"c","value":null,"comment":null}]}"#,
        )
        .unwrap();
        assert_eq!(set.complete_date.as_deref(), Some("2019-06-05"));
        assert_eq!(set.data_values[0].value.as_deref(), Some("12.5"));
        assert_eq!(set.data_values[0].followup, Some(true));
        assert_eq!(set.data_values[1].value.as_deref(), Some("true"));
        assert_eq!(
            set.data_values[1].last_updated.as_deref(),
            Some("2012-01-01")
        );
        assert_eq!(set.data_values[2].value, None);
    }

    #[test]
    fn errors_carry_position_or_index() {
        match read_json(b"{\n\"dataValues\": [ {\"value\": 1 2} ]}") {
            Err(Dhis2Error::Json { line: 2, .. }) => {}
            other => panic!("expected a JSON error on line 2, got {other:?}"),
        }
        assert!(matches!(
            read_json_from(&br#"{"dataValues":[{"dataElement":"a"},{"value":"1"}]}"#[..]),
            Err(Dhis2Error::MissingField {
                index: 1,
                field: "dataElement"
            })
        ));
    }

    #[test]
    fn writes_and_reads_back() {
        let mut value = DataValue::new("GFfMM55sVzg", "1");
        value.comment = Some("quote \" and ünïcode".into());
        value.deleted = Some(false);
        let set = DataValueSet {
            data_set: Some("FuMctq4PQpf".into()),
            complete_date: Some("2024-01-31".into()),
            data_values: vec![value.clone(), DataValue::new("x", "2")],
            ..DataValueSet::default()
        };
        let mut out = Vec::new();
        write_json(&set, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("\"completeDate\":\"2024-01-31\""), "{text}");
        assert_eq!(read_json(&out).unwrap(), set);
        let mut empty = Vec::new();
        write_json(&DataValueSet::default(), &mut empty).unwrap();
        assert_eq!(empty, b"{\"dataValues\":[]}");
    }
}
