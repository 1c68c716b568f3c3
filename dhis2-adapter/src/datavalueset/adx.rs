//! ADX (IHE QRPH Aggregate Data Exchange, `application/adx+xml`) reading and writing.
//!
//! `<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit= period="2023-01-01/P1Y" dataSet= completeDate=>`
//! `<dataValue dataElement= value= SEX="F"><annotation>comment</annotation></dataValue></group></adx>`.
//!
//! ADX periods are `start/duration`; they are converted to DHIS2 period ids
//! with [`Period::from_adx`] when read and [`Period::to_adx`] when written.
//!
//! **Disaggregations.** ADX does not name a category option combo: each
//! `dataValue` carries one attribute per category (`SEX="F"`), and each `group`
//! one attribute per attribute category (`mechanism="PEPFAR"`). They are kept as
//! (category, option) pairs in [`DataValue::categories`] and
//! [`DataValue::attribute_categories`]. Resolving them into a
//! `categoryOptionCombo` / `attributeOptionCombo` needs the DHIS2 metadata
//! (category combos and their option combos) and is not done here. DHIS2's own
//! `categoryOptionCombo` / `attributeOptionCombo` attributes are read and written
//! as such.

use std::io;

use hrh_core::Period;
use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;

use super::xml::{attributes, flag, unexpected, xml_error};
use super::{CategoryOption, DataValue, DataValueSet};
use crate::error::{Dhis2Error, Result};

/// The ADX namespace.
pub const ADX_NAMESPACE: &str = "urn:ihe:qrph:adx:2015";

/// One ADX `<group>`: the values of one org unit, period and attribute disaggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdxGroup {
    /// The `dataSet` attribute.
    pub data_set: Option<String>,
    /// The `completeDate` attribute.
    pub complete_date: Option<String>,
    /// The group's period.
    pub period: Period,
    /// The `orgUnit` attribute.
    pub org_unit: String,
    /// DHIS2's `attributeOptionCombo` attribute, if given.
    pub attribute_option_combo: Option<String>,
    /// The attribute categories as (category, option) codes.
    pub attribute_categories: Vec<CategoryOption>,
    /// The values, each with the group's period, org unit and attribute fields filled in.
    pub data_values: Vec<DataValue>,
}

const GROUP_ATTRIBUTES: [&str; 5] = [
    "orgUnit",
    "period",
    "dataSet",
    "completeDate",
    "attributeOptionCombo",
];
const VALUE_ATTRIBUTES: [&str; 10] = [
    "dataElement",
    "value",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "storedBy",
    "created",
    "lastUpdated",
    "comment",
    "followup",
    "deleted",
];

/// Reads an ADX document into its groups.
///
/// Errors about a group (missing `orgUnit`/`period`, bad period) carry as index
/// the index its first value would have in the flattened set.
pub fn read_adx_groups(text: &str) -> Result<Vec<AdxGroup>> {
    let mut reader = Reader::from_str(text);
    let mut groups: Vec<AdxGroup> = Vec::new();
    let mut count = 0_usize;
    let mut seen_root = false;
    // The child element of a dataValue whose text is being read, and the text so far.
    let mut capture: Option<(String, String)> = None;
    // Whether the parser is inside a non-empty `<dataValue>` (children belong to it).
    let mut in_value = false;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|source| xml_error(&reader, source))?;
        match event {
            Event::Start(ref element) | Event::Empty(ref element) => {
                let is_start = matches!(event, Event::Start(_));
                let name = element.local_name().as_ref().to_owned();
                if !seen_root {
                    if name != "adx" {
                        return Err(unexpected("<adx>", &name));
                    }
                    seen_root = true;
                } else if name == "group" {
                    groups.push(read_group(&attributes(element, position)?, count)?);
                } else if name == "dataValue" {
                    let group =
                        groups
                            .last_mut()
                            .ok_or_else(|| Dhis2Error::UnexpectedDocument {
                                expected: "<dataValue> inside <group>",
                                found: "<dataValue> outside any <group>".to_owned(),
                            })?;
                    let value = read_value(&attributes(element, position)?, group, count)?;
                    group.data_values.push(value);
                    count += 1;
                    in_value = is_start;
                } else if is_start
                    && in_value
                    && matches!(name.as_str(), "annotation" | "created" | "lastUpdated")
                {
                    capture = Some((name, String::new()));
                }
            }
            Event::Text(text) => {
                if let Some((_, buffer)) = capture.as_mut() {
                    buffer.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some((_, buffer)) = capture.as_mut() {
                    buffer.push_str(&data);
                }
            }
            Event::GeneralRef(reference) => {
                if let Some((_, buffer)) = capture.as_mut() {
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => buffer.push(c),
                        _ => match resolve_predefined_entity(&reference) {
                            Some(text) => buffer.push_str(text),
                            None => {
                                return Err(Dhis2Error::XmlAttribute {
                                    position,
                                    reason: format!("unknown entity &{};", &*reference),
                                });
                            }
                        },
                    }
                }
            }
            Event::End(element) => {
                if element.local_name().as_ref() == "dataValue" {
                    in_value = false;
                }
                if let Some((name, text)) = capture.take() {
                    if element.local_name().as_ref() == name {
                        store_child(&mut groups, &name, &text);
                    } else {
                        capture = Some((name, text));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if seen_root {
        Ok(groups)
    } else {
        Err(unexpected("<adx>", "an empty document"))
    }
}

fn store_child(groups: &mut [AdxGroup], name: &str, text: &str) {
    let Some(value) = groups.last_mut().and_then(|g| g.data_values.last_mut()) else {
        return;
    };
    let field = match name {
        "annotation" => &mut value.comment,
        "created" => &mut value.created,
        _ => &mut value.last_updated,
    };
    if field.is_none() {
        *field = Some(text.trim().to_owned());
    }
}

fn read_group(pairs: &[(String, String)], index: usize) -> Result<AdxGroup> {
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let org_unit = get("orgUnit").ok_or(Dhis2Error::MissingField {
        index,
        field: "orgUnit",
    })?;
    let period_text = get("period").ok_or(Dhis2Error::MissingField {
        index,
        field: "period",
    })?;
    let period = Period::from_adx(&period_text).map_err(|source| Dhis2Error::Period {
        index: Some(index),
        source,
    })?;
    Ok(AdxGroup {
        data_set: get("dataSet"),
        complete_date: get("completeDate"),
        period,
        org_unit,
        attribute_option_combo: get("attributeOptionCombo"),
        attribute_categories: pairs
            .iter()
            .filter(|(k, _)| !GROUP_ATTRIBUTES.contains(&k.as_str()))
            .cloned()
            .collect(),
        data_values: Vec::new(),
    })
}

fn read_value(pairs: &[(String, String)], group: &AdxGroup, index: usize) -> Result<DataValue> {
    let mut value = DataValue {
        period: Some(group.period.to_string()),
        org_unit: Some(group.org_unit.clone()),
        attribute_option_combo: group.attribute_option_combo.clone(),
        attribute_categories: group.attribute_categories.clone(),
        ..DataValue::default()
    };
    for (key, text) in pairs {
        let text = text.clone();
        match key.as_str() {
            "dataElement" => value.data_element = text,
            "value" => value.value = Some(text),
            "categoryOptionCombo" => value.category_option_combo = Some(text),
            "attributeOptionCombo" => value.attribute_option_combo = Some(text),
            "storedBy" => value.stored_by = Some(text),
            "created" => value.created = Some(text),
            "lastUpdated" => value.last_updated = Some(text),
            "comment" => value.comment = Some(text),
            "followup" => value.followup = flag(&text, index, "followup")?,
            "deleted" => value.deleted = flag(&text, index, "deleted")?,
            _ => value.categories.push((key.clone(), text)),
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

/// Reads an ADX document as one flat data value set (payload order).
///
/// The top-level `dataSet` and `completeDate` are set when every group agrees on them.
pub fn read_adx(text: &str) -> Result<DataValueSet> {
    let groups = read_adx_groups(text)?;
    let common = |field: fn(&AdxGroup) -> &Option<String>| {
        let first = groups.first().and_then(|g| field(g).clone());
        groups
            .iter()
            .all(|g| *field(g) == first)
            .then_some(first)
            .flatten()
    };
    let data_set = common(|g| &g.data_set);
    let complete_date = common(|g| &g.complete_date);
    Ok(DataValueSet {
        data_set,
        complete_date,
        data_values: groups.into_iter().flat_map(|g| g.data_values).collect(),
        ..DataValueSet::default()
    })
}

/// Writes a data value set as ADX.
///
/// The set's defaults are applied; consecutive values sharing org unit, period,
/// attribute option combo and attribute categories form one `<group>`. Every
/// value needs a period (a DHIS2 id, written as `start/duration`), an org unit
/// and a value; category codes must be XML names. Besides the ADX fields, the
/// DHIS2 extensions `categoryOptionCombo`, `attributeOptionCombo`, `created` and
/// `lastUpdated` are written when set; `storedBy`, `followup` and `deleted` are not.
pub fn write_adx<W: io::Write>(set: &DataValueSet, mut writer: W) -> Result<()> {
    write!(writer, "<adx xmlns=\"{ADX_NAMESPACE}\">")?;
    let mut open: Option<(String, String, Option<String>, Vec<CategoryOption>)> = None;
    for (index, value) in set.resolved_values().enumerate() {
        let period_id = value.period.clone().ok_or(Dhis2Error::MissingField {
            index,
            field: "period",
        })?;
        let period = Period::parse(&period_id).map_err(|source| Dhis2Error::Period {
            index: Some(index),
            source,
        })?;
        let org_unit = value.org_unit.clone().ok_or(Dhis2Error::MissingField {
            index,
            field: "orgUnit",
        })?;
        let key = (
            org_unit,
            period.to_adx(),
            value.attribute_option_combo.clone(),
            value.attribute_categories.clone(),
        );
        if open.as_ref() != Some(&key) {
            if open.is_some() {
                writer.write_all(b"</group>")?;
            }
            write!(
                writer,
                "<group orgUnit=\"{}\" period=\"{}\"",
                escape(key.0.as_str()),
                escape(key.1.as_str())
            )?;
            attribute(&mut writer, "dataSet", set.data_set.as_deref())?;
            attribute(&mut writer, "completeDate", set.complete_date.as_deref())?;
            attribute(&mut writer, "attributeOptionCombo", key.2.as_deref())?;
            categories(&mut writer, &key.3, &GROUP_ATTRIBUTES, index)?;
            writer.write_all(b">")?;
            open = Some(key);
        }
        write_value(&mut writer, &value, index)?;
    }
    if open.is_some() {
        writer.write_all(b"</group>")?;
    }
    writer.write_all(b"</adx>")?;
    writer.flush()?;
    Ok(())
}

fn write_value<W: io::Write>(writer: &mut W, value: &DataValue, index: usize) -> Result<()> {
    let text = value.value.as_deref().ok_or(Dhis2Error::MissingField {
        index,
        field: "value",
    })?;
    write!(
        writer,
        "<dataValue dataElement=\"{}\"",
        escape(value.data_element.as_str())
    )?;
    attribute(
        writer,
        "categoryOptionCombo",
        value.category_option_combo.as_deref(),
    )?;
    categories(writer, &value.categories, &VALUE_ATTRIBUTES, index)?;
    attribute(writer, "value", Some(text))?;
    attribute(writer, "created", value.created.as_deref())?;
    attribute(writer, "lastUpdated", value.last_updated.as_deref())?;
    match &value.comment {
        Some(comment) => write!(
            writer,
            "><annotation>{}</annotation></dataValue>",
            escape(comment.as_str())
        )?,
        None => writer.write_all(b"/>")?,
    }
    Ok(())
}

fn attribute<W: io::Write>(writer: &mut W, name: &str, value: Option<&str>) -> Result<()> {
    if let Some(value) = value {
        write!(writer, " {name}=\"{}\"", escape(value))?;
    }
    Ok(())
}

fn categories<W: io::Write>(
    writer: &mut W,
    pairs: &[CategoryOption],
    reserved: &[&str],
    index: usize,
) -> Result<()> {
    for (category, option) in pairs {
        if !is_xml_name(category) || reserved.contains(&category.as_str()) {
            return Err(Dhis2Error::InvalidAdxCategory {
                index,
                category: category.clone(),
            });
        }
        attribute(writer, category, Some(option))?;
    }
    Ok(())
}

/// Whether `name` can be an unprefixed XML attribute name (ASCII subset).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.to_ascii_lowercase().starts_with("xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<adx xmlns="urn:ihe:qrph:adx:2015">
      <group dataSet="DS" period="2021-01-01/P3M" orgUnit="456" mechanism="PEPFAR">
        <dataValue dataElement="MAL" SEX="F" AGE="under5" value="10"/>
        <dataValue dataElement="TXT" value="0"><annotation>a &amp; b&#33;</annotation></dataValue>
      </group></adx>"#;

    #[test]
    fn reads_groups_categories_and_annotations() {
        let groups = read_adx_groups(SAMPLE).unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].period.to_string(), "2021Q1");
        assert_eq!(
            groups[0].attribute_categories,
            vec![("mechanism".into(), "PEPFAR".into())]
        );
        let values = &groups[0].data_values;
        assert_eq!(
            values[0].categories,
            vec![("SEX".into(), "F".into()), ("AGE".into(), "under5".into())]
        );
        assert_eq!(values[1].comment.as_deref(), Some("a & b!"));
        assert_eq!(values[1].org_unit.as_deref(), Some("456"));
        let set = read_adx(SAMPLE).unwrap();
        assert_eq!(set.data_set.as_deref(), Some("DS"));
        assert_eq!(set.data_values.len(), 2);
    }

    #[test]
    fn writes_and_reads_back() {
        let set = read_adx(SAMPLE).unwrap();
        let mut out = Vec::new();
        write_adx(&set, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("period=\"2021-01-01/P3M\""), "{text}");
        assert_eq!(read_adx(&text).unwrap(), set);
    }

    #[test]
    fn annotations_outside_a_value_are_ignored() {
        let set = read_adx(
            r#"<adx><group orgUnit="o" period="2024-01-01/P1Y"><dataValue dataElement="d" value="1"/>
            <annotation>group note</annotation></group></adx>"#,
        )
        .unwrap();
        assert_eq!(set.data_values[0].comment, None);
    }

    #[test]
    fn refuses_bad_input() {
        assert!(matches!(
            read_adx("<dataValueSet/>"),
            Err(Dhis2Error::UnexpectedDocument { .. })
        ));
        assert!(matches!(
            read_adx(r#"<adx><group orgUnit="o" period="2021-01-02/P1Y"/></adx>"#),
            Err(Dhis2Error::Period { index: Some(0), .. })
        ));
        let mut value = DataValue::new("de", "1");
        value.period = Some("2024".into());
        value.org_unit = Some("ou".into());
        value.categories = vec![("1bad".into(), "x".into())];
        let set = DataValueSet::new(vec![value]);
        assert!(matches!(
            write_adx(&set, Vec::new()),
            Err(Dhis2Error::InvalidAdxCategory { index: 0, .. })
        ));
    }
}
