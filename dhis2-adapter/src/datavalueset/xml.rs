//! DHIS2 DXF2 XML data value sets (`application/xml`): reading and writing.
//!
//! `<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet= completeDate= period= orgUnit= attributeOptionCombo=>`
//! holding `<dataValue dataElement= period= orgUnit= categoryOptionCombo= attributeOptionCombo= value= storedBy= created= lastUpdated= comment= followup= deleted=/>`.
//! The root attributes are the set's defaults and its id schemes (`idScheme`,
//! `dataElementIdScheme`, `orgUnitIdScheme`, `categoryOptionComboIdScheme`: `UID`, `CODE`,
//! `NAME`, `ATTRIBUTE:<uid>`), kept in the set; `timestamp` is read as `lastUpdated`; other
//! root attributes (`dryRun`, `importStrategy`) are ignored.

use quick_xml::Reader;
use std::io;

use quick_xml::XmlVersion;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

use super::{DataValue, DataValueSet, ID_SCHEME_PARAMETERS};
use crate::datavalueset::json::parse_bool;
use crate::error::{Dhis2Error, Result};
use crate::uid::IdScheme;

/// The DXF2 namespace DHIS2 writes on `<dataValueSet>`.
pub const DXF2_NAMESPACE: &str = "http://dhis2.org/schema/dxf/2.0";

/// Reads a DXF2 XML data value set.
pub fn read_xml(text: &str) -> Result<DataValueSet> {
    let mut reader = Reader::from_str(text);
    let mut set = DataValueSet::default();
    let mut seen_root = false;
    loop {
        let position = reader.buffer_position();
        match reader
            .read_event()
            .map_err(|source| xml_error(&reader, source))?
        {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name();
                let name = name.as_ref();
                if !seen_root {
                    if name != "dataValueSet" {
                        return Err(unexpected("<dataValueSet>", name));
                    }
                    seen_root = true;
                    for (key, value) in attributes(&element, position)? {
                        match key.as_str() {
                            "dataSet" => set.data_set = Some(value),
                            "completeDate" | "completedDate" => set.complete_date = Some(value),
                            "period" => set.period = Some(value),
                            "orgUnit" => set.org_unit = Some(value),
                            "attributeOptionCombo" => set.attribute_option_combo = Some(value),
                            name if ID_SCHEME_PARAMETERS.contains(&name) => {
                                let scheme = IdScheme::parse(&value).map_err(|_| {
                                    Dhis2Error::XmlAttribute {
                                        position,
                                        reason: format!(
                                            "{name}=\"{value}\" is not an id scheme (UID, CODE, NAME or ATTRIBUTE:<uid>)"
                                        ),
                                    }
                                })?;
                                set.set_id_scheme(name, scheme);
                            }
                            _ => {}
                        }
                    }
                } else if name == "dataValue" {
                    let index = set.data_values.len();
                    set.data_values.push(read_value(&element, position, index)?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if seen_root {
        Ok(set)
    } else {
        Err(unexpected("<dataValueSet>", "an empty document"))
    }
}

fn read_value(element: &BytesStart<'_>, position: u64, index: usize) -> Result<DataValue> {
    let mut value = DataValue::default();
    for (key, text) in attributes(element, position)? {
        match key.as_str() {
            "dataElement" => value.data_element = text,
            "period" => value.period = Some(text),
            "orgUnit" => value.org_unit = Some(text),
            "categoryOptionCombo" => value.category_option_combo = Some(text),
            "attributeOptionCombo" => value.attribute_option_combo = Some(text),
            "value" => value.value = Some(text),
            "storedBy" => value.stored_by = Some(text),
            "created" => value.created = Some(text),
            "lastUpdated" | "timestamp" => value.last_updated = Some(text),
            "comment" => value.comment = Some(text),
            "followup" | "followUp" => value.followup = flag(&text, index, "followup")?,
            "deleted" => value.deleted = flag(&text, index, "deleted")?,
            _ => {}
        }
    }
    if value.data_element.trim().is_empty() {
        return Err(Dhis2Error::MissingField {
            index,
            field: "dataElement",
        });
    }
    Ok(value)
}

/// Writes a data value set as DXF2 XML; top-level fields become root attributes.
pub fn write_xml<W: io::Write>(set: &DataValueSet, mut writer: W) -> Result<()> {
    write!(writer, "<dataValueSet xmlns=\"{DXF2_NAMESPACE}\"")?;
    let root = [
        ("dataSet", &set.data_set),
        ("completeDate", &set.complete_date),
        ("period", &set.period),
        ("orgUnit", &set.org_unit),
        ("attributeOptionCombo", &set.attribute_option_combo),
    ];
    for (name, value) in root {
        write_attribute(&mut writer, name, value.as_deref())?;
    }
    for (name, scheme) in set.id_schemes() {
        write_attribute(
            &mut writer,
            name,
            scheme.map(ToString::to_string).as_deref(),
        )?;
    }
    writer.write_all(b">")?;
    for value in &set.data_values {
        writer.write_all(b"<dataValue")?;
        write_attribute(&mut writer, "dataElement", Some(&value.data_element))?;
        let flag = |b: Option<bool>| b.map(|b| if b { "true" } else { "false" });
        let fields = [
            ("period", value.period.as_deref()),
            ("orgUnit", value.org_unit.as_deref()),
            (
                "categoryOptionCombo",
                value.category_option_combo.as_deref(),
            ),
            (
                "attributeOptionCombo",
                value.attribute_option_combo.as_deref(),
            ),
            ("value", value.value.as_deref()),
            ("storedBy", value.stored_by.as_deref()),
            ("created", value.created.as_deref()),
            ("lastUpdated", value.last_updated.as_deref()),
            ("comment", value.comment.as_deref()),
            ("followup", flag(value.followup)),
            ("deleted", flag(value.deleted)),
        ];
        for (name, text) in fields {
            write_attribute(&mut writer, name, text)?;
        }
        writer.write_all(b"/>")?;
    }
    writer.write_all(b"</dataValueSet>")?;
    writer.flush()?;
    Ok(())
}

fn write_attribute<W: io::Write>(writer: &mut W, name: &str, value: Option<&str>) -> Result<()> {
    if let Some(value) = value {
        write!(writer, " {name}=\"{}\"", escape(value))?;
    }
    Ok(())
}

pub(crate) fn flag(text: &str, index: usize, field: &'static str) -> Result<Option<bool>> {
    parse_bool(text).map_err(|reason| Dhis2Error::InvalidField {
        index,
        field,
        value: text.to_owned(),
        reason,
    })
}

/// The attributes of an element as (local name, unescaped value) pairs; namespace
/// declarations (`xmlns`, `xmlns:*`) and prefixed attributes (`xsi:*`) are skipped.
pub(crate) fn attributes(element: &BytesStart<'_>, position: u64) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| Dhis2Error::XmlAttribute {
            position,
            reason: e.to_string(),
        })?;
        let key = attribute.key.as_ref();
        if key == "xmlns" || key.contains(':') {
            continue;
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| Dhis2Error::XmlAttribute {
                position,
                reason: e.to_string(),
            })?;
        pairs.push((key.to_owned(), value.into_owned()));
    }
    Ok(pairs)
}

pub(crate) fn xml_error(reader: &Reader<&[u8]>, source: quick_xml::Error) -> Dhis2Error {
    Dhis2Error::Xml {
        position: reader.error_position(),
        source,
    }
}

pub(crate) fn unexpected(expected: &'static str, found: &str) -> Dhis2Error {
    Dhis2Error::UnexpectedDocument {
        expected,
        found: format!("<{found}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_defaults_and_values() {
        let set = read_xml(
            r#"<?xml version="1.0"?><dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="ds" period="2024" orgUnit="ou">
            <dataValue dataElement="de" value="1 &amp; 2" timestamp="2012" followup="false" deleted="true"/>
            <dataValue dataElement="de2"></dataValue></dataValueSet>"#,
        )
        .unwrap();
        assert_eq!(set.data_set.as_deref(), Some("ds"));
        assert_eq!(set.data_values.len(), 2);
        assert_eq!(set.data_values[0].value.as_deref(), Some("1 & 2"));
        assert_eq!(set.data_values[0].deleted, Some(true));
        assert_eq!(set.data_values[0].last_updated.as_deref(), Some("2012"));
        assert_eq!(
            set.resolved_values().nth(1).unwrap().org_unit.as_deref(),
            Some("ou")
        );
    }

    #[test]
    fn writes_and_reads_back() {
        let mut value = DataValue::new("de", "a \"b\" <c> & d");
        value.followup = Some(true);
        value.comment = Some(String::new());
        let set = DataValueSet {
            org_unit: Some("ou".into()),
            data_values: vec![value, DataValue::new("x", "1")],
            ..DataValueSet::default()
        };
        let mut out = Vec::new();
        write_xml(&set, &mut out).unwrap();
        assert_eq!(read_xml(std::str::from_utf8(&out).unwrap()).unwrap(), set);
    }

    #[test]
    fn id_schemes_are_kept_and_written_back() {
        let text = r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataElementIdScheme="ATTRIBUTE:Kx6rYwlEDtT" orgUnitIdScheme="code" idScheme="UID" dataSetIdScheme="CODE" dryRun="true">
            <dataValue dataElement="DE_A" period="2024" orgUnit="OU_A" value="1"/></dataValueSet>"#;
        let set = read_xml(text).unwrap();
        assert_eq!(
            set.data_element_id_scheme,
            Some(IdScheme::Attribute("Kx6rYwlEDtT".into()))
        );
        assert_eq!(set.org_unit_id_scheme, Some(IdScheme::Code));
        assert_eq!(set.id_scheme, Some(IdScheme::Uid));
        assert_eq!(set.category_option_combo_id_scheme, None);
        assert!(!set.names_uids());
        let mut out = Vec::new();
        write_xml(&set, &mut out).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(
            written.contains(r#" idScheme="UID" dataElementIdScheme="ATTRIBUTE:Kx6rYwlEDtT" orgUnitIdScheme="CODE">"#),
            "{written}"
        );
        assert_eq!(read_xml(&written).unwrap(), set);
        // The JSON form keeps them too.
        let mut json = Vec::new();
        crate::datavalueset::json::write_json(&set, &mut json).unwrap();
        assert_eq!(crate::datavalueset::json::read_json(&json).unwrap(), set);

        let error = read_xml(r#"<dataValueSet orgUnitIdScheme="SHORTNAME"/>"#).unwrap_err();
        assert!(
            error
                .to_string()
                .contains(r#"orgUnitIdScheme="SHORTNAME" is not an id scheme"#),
            "{error}"
        );
    }

    #[test]
    fn refuses_other_documents() {
        assert!(matches!(
            read_xml("<adx/>"),
            Err(Dhis2Error::UnexpectedDocument { .. })
        ));
        assert!(read_xml("").is_err());
        assert!(matches!(
            read_xml("<dataValueSet><dataValue value=\"1\"/></dataValueSet>"),
            Err(Dhis2Error::MissingField {
                index: 0,
                field: "dataElement"
            })
        ));
        assert!(read_xml("<dataValueSet><dataValue dataElement=x/></dataValueSet>").is_err());
    }
}
