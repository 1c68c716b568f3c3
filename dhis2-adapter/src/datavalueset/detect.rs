//! Telling the format of a figures document from its content, not its file name: the root
//! element and namespace of XML (DXF2 `<dataValueSet>` or ADX `<adx>`), the top-level keys
//! of JSON (a DHIS2 data value set, or a FHIR resource such as an mADX `MeasureReport` or
//! Bundle, named by `resourceType`).
//!
//! ```
//! use hrh_dhis2::datavalueset::detect::{detect, Document};
//! let dxf2 = br#"<?xml version="1.0"?><dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"/>"#;
//! assert_eq!(detect(dxf2)?, Some(Document::Dhis2Xml));
//! assert_eq!(detect(br#"<adx xmlns="urn:ihe:qrph:adx:2015"/>"#)?, Some(Document::Adx));
//! assert_eq!(detect(br#"{"dataValues": []}"#)?, Some(Document::Dhis2Json));
//! assert_eq!(detect(br#"{"resourceType": "Bundle"}"#)?, Some(Document::Fhir));
//! assert_eq!(detect(b"dataelement,period\n")?, None);
//! assert!(detect(b"<html/>").is_err());
//! # Ok::<(), hrh_dhis2::Dhis2Error>(())
//! ```

use quick_xml::Reader;
use quick_xml::events::Event;

use super::adx::ADX_NAMESPACE;
use super::xml::{DXF2_NAMESPACE, xml_error};
use crate::error::{Dhis2Error, Result};

/// What a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// A DHIS2 JSON data value set.
    Dhis2Json,
    /// A DHIS2 DXF2 XML data value set (`<dataValueSet>`, DXF2 namespace or none).
    Dhis2Xml,
    /// An ADX document (`<adx>`, ADX namespace or none).
    Adx,
    /// A FHIR resource in JSON (`resourceType` at the top level): an mADX `MeasureReport`
    /// or a Bundle of them.
    Fhir,
}

/// What the detection expects, for the error about anything else.
const EXPECTED: &str = "a DXF2 <dataValueSet> (xmlns http://dhis2.org/schema/dxf/2.0) or an ADX <adx> (xmlns urn:ihe:qrph:adx:2015)";

/// The kind of `bytes`: `Some` for XML and JSON documents, `None` for anything else (such
/// as CSV, which has no root to tell it by). XML with another root element or namespace is
/// [`Dhis2Error::UnexpectedDocument`] naming what was found.
pub fn detect(bytes: &[u8]) -> Result<Option<Document>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => xml_root(text).map(Some),
        Some(b'{') => Ok(Some(json_kind(text))),
        _ => Ok(None),
    }
}

/// The document an XML text's root element stands for.
fn xml_root(text: &[u8]) -> Result<Document> {
    let mut reader = Reader::from_reader(text);
    let mut buffer = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|source| xml_error(&reader, source))?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.name().as_ref().to_owned();
                let (prefix, local) = match name.split_once(':') {
                    Some((prefix, local)) => (Some(prefix.to_owned()), local.to_owned()),
                    None => (None, name.clone()),
                };
                let wanted = prefix.map_or_else(|| "xmlns".to_owned(), |p| format!("xmlns:{p}"));
                let namespace = element
                    .attributes()
                    .filter_map(std::result::Result::ok)
                    .find(|a| a.key.as_ref() == wanted.as_str())
                    .map(|a| a.value.clone().into_owned());
                let found = || match &namespace {
                    Some(ns) => format!("<{name} xmlns=\"{ns}\">"),
                    None => format!("<{name}> (no namespace)"),
                };
                let in_namespace =
                    |expected: &str| namespace.as_deref().is_none_or(|ns| ns == expected);
                return match local.as_str() {
                    "dataValueSet" if in_namespace(DXF2_NAMESPACE) => Ok(Document::Dhis2Xml),
                    "adx" if in_namespace(ADX_NAMESPACE) => Ok(Document::Adx),
                    _ => Err(Dhis2Error::UnexpectedDocument {
                        expected: EXPECTED,
                        found: found(),
                    }),
                };
            }
            Event::Eof => {
                return Err(Dhis2Error::UnexpectedDocument {
                    expected: EXPECTED,
                    found: "an XML document with no element".to_owned(),
                });
            }
            _ => {}
        }
        buffer.clear();
    }
}

/// Whether a JSON object is a FHIR resource (a top-level `resourceType`) or a DHIS2 data
/// value set (any of its keys first). Scans the top level only, stopping at the first key
/// that tells; an object with neither is taken for DHIS2 (its reader then says what is
/// wrong).
fn json_kind(text: &[u8]) -> Document {
    const DHIS2_KEYS: [&str; 6] = [
        "dataValues",
        "dataSet",
        "period",
        "orgUnit",
        "completeDate",
        "attributeOptionCombo",
    ];
    let mut depth = 0_usize;
    let mut index = 0;
    while let Some(&byte) = text.get(index) {
        match byte {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = index + 1;
                let end = string_end(text, start);
                if depth == 1 && next_is_colon(text, end + 1) {
                    let key = text.get(start..end).unwrap_or_default();
                    if key == b"resourceType" {
                        return Document::Fhir;
                    }
                    if DHIS2_KEYS.iter().any(|k| k.as_bytes() == key) {
                        return Document::Dhis2Json;
                    }
                }
                index = end;
            }
            _ => {}
        }
        index += 1;
    }
    Document::Dhis2Json
}

/// The index of the quote closing a JSON string whose text starts at `start` (the text's
/// length when it is not closed).
fn string_end(text: &[u8], start: usize) -> usize {
    let mut index = start;
    while let Some(&byte) = text.get(index) {
        match byte {
            b'\\' => index += 2,
            b'"' => return index,
            _ => index += 1,
        }
    }
    text.len()
}

/// Whether the next byte after whitespace from `from` is `:`.
fn next_is_colon(text: &[u8], from: usize) -> bool {
    text.get(from..)
        .and_then(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()))
        == Some(&b':')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn xml_is_told_by_root_element_and_namespace() {
        let cases: [(&str, Document); 5] = [
            ("<dataValueSet/>", Document::Dhis2Xml),
            (
                "\u{feff}  <!-- export --><d:dataValueSet xmlns:d=\"http://dhis2.org/schema/dxf/2.0\"></d:dataValueSet>",
                Document::Dhis2Xml,
            ),
            (
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2015-02-08T19:30:00Z\">",
                Document::Adx,
            ),
            ("<adx>", Document::Adx),
            (
                "<dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\" dataElementIdScheme=\"CODE\">",
                Document::Dhis2Xml,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(detect(text.as_bytes()).unwrap(), Some(expected), "{text}");
        }
    }

    #[test]
    fn other_roots_are_refused_naming_what_was_found() {
        let error = detect(br#"<Bundle xmlns="http://hl7.org/fhir"/>"#).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("<Bundle xmlns=\"http://hl7.org/fhir\">"),
            "{text}"
        );
        assert!(text.contains("DXF2 <dataValueSet>"), "{text}");
        let error = detect(br#"<dataValueSet xmlns="urn:ihe:qrph:adx:2015"/>"#).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("<dataValueSet xmlns=\"urn:ihe:qrph:adx:2015\">")
        );
        assert!(detect(b"<!-- nothing -->").is_err());
        assert!(detect(b"<a b=>").is_err());
    }

    #[test]
    fn json_is_told_by_its_top_level_keys() {
        let cases: [(&str, Document); 6] = [
            (r#"{"resourceType": "MeasureReport"}"#, Document::Fhir),
            (
                r#"{"id": "x", "meta": {"dataSet": 1}, "resourceType": "Bundle"}"#,
                Document::Fhir,
            ),
            (
                r#"{"dataSet": "FuMctq4PQpf", "dataValues": [{"resourceType": 1}]}"#,
                Document::Dhis2Json,
            ),
            (
                r#"{"x\"y": {"resourceType": "Bundle"}}"#,
                Document::Dhis2Json,
            ),
            ("{}", Document::Dhis2Json),
            ("{\"comment\": \"resourceType\"", Document::Dhis2Json),
        ];
        for (text, expected) in cases {
            assert_eq!(detect(text.as_bytes()).unwrap(), Some(expected), "{text}");
        }
        assert_eq!(detect(b"").unwrap(), None);
        assert_eq!(detect(b"not json").unwrap(), None);
    }
}
