//! DHIS2 import responses: the `ImportSummary` of a data value import, bare
//! (2.36, `/api/{≤37}/` paths, async task summaries) or wrapped in a
//! `WebMessage` (2.37+), and error messages.
//!
//! **Rule:** a WebMessage whose `response.responseType` is `ImportSummary` is a
//! (possibly partial) result whatever its HTTP status: DHIS2 2.37–2.42 answer
//! 409 when some values were rejected. Read `importCount`, `conflicts` and
//! `rejectedIndexes` and map them back to the values sent with
//! [`ImportSummary::rejections`].
//!
//! ```
//! use hrh_dhis2::import_summary::{parse_import_response, ImportResponse};
//!
//! let body = br#"{"httpStatusCode":409,"status":"WARNING","response":{"responseType":"ImportSummary",
//!   "status":"WARNING","importCount":{"imported":1,"updated":0,"ignored":1,"deleted":0},
//!   "conflicts":[{"object":"x","value":"not found","errorCode":"E7610","indexes":[1]}],"rejectedIndexes":[1]}}"#;
//! let ImportResponse::Summary(summary) = parse_import_response(body)? else { panic!() };
//! assert_eq!(summary.import_count.ignored, 1);
//! assert_eq!(summary.rejected_indexes(), vec![1]);
//! # Ok::<(), hrh_dhis2::Dhis2Error>(())
//! ```

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

use crate::datavalueset::DataValue;
use crate::datavalueset::xml::{attributes, unexpected, xml_error};
use crate::error::{Dhis2Error, Result};

/// The outcome of an import as DHIS2 reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportStatus {
    /// Everything was imported.
    #[default]
    Success,
    /// Some values were rejected (see the conflicts).
    Warning,
    /// The import failed.
    Error,
}

/// Counts of values by what happened to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportCount {
    /// New values stored.
    pub imported: u64,
    /// Existing values changed.
    pub updated: u64,
    /// Values rejected or unchanged.
    pub ignored: u64,
    /// Values deleted.
    pub deleted: u64,
}

/// One conflict: why DHIS2 refused some values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Conflict {
    /// The offending object's id (2.36+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The offending objects by type (`dataElement` → id; 2.37+).
    pub objects: BTreeMap<String, String>,
    /// The human-readable reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The DHIS2 error code (`E7610`, `E8103`, ...; 2.37+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The property concerned (2.37+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// 0-based positions of the affected values in the payload (2.37+).
    pub indexes: Vec<usize>,
}

/// A DHIS2 `ImportSummary` for a data value import.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ImportSummary {
    /// `ImportSummary` when DHIS2 says so (absent in the legacy XML form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    /// The outcome.
    pub status: ImportStatus,
    /// A description, e.g. `Import process completed successfully`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What happened to the values.
    pub import_count: ImportCount,
    /// Why values were refused.
    pub conflicts: Vec<Conflict>,
    /// 0-based positions of refused values (2.39.2+, 2.40.1+, 2.41+).
    pub rejected_indexes: Vec<usize>,
}

/// A DHIS2 WebMessage envelope (2.37+), also used for errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WebMessage {
    /// The HTTP status name (`OK`, `Conflict`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<String>,
    /// The HTTP status code.
    pub http_status_code: u16,
    /// `OK`, `WARNING` or `ERROR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The DHIS2 error code (e.g. `E7108`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The developer message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_message: Option<String>,
    /// The embedded response (an ImportSummary, an async job, an object report, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<serde_json::Value>,
}

/// What an import endpoint answered, when it was not an error.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportResponse {
    /// An ImportSummary, bare or wrapped; possibly partial (see its status and conflicts).
    Summary(ImportSummary),
    /// Another non-error WebMessage (e.g. an async job started, an object report).
    Message(WebMessage),
}

/// One value DHIS2 refused, with the conflicts that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection<'a> {
    /// Its 0-based position in the payload.
    pub index: usize,
    /// The value sent at that position; `None` if the index is beyond what was sent.
    pub value: Option<&'a DataValue>,
    /// The conflicts whose `indexes` include it (may be empty).
    pub conflicts: Vec<&'a Conflict>,
}

impl ImportSummary {
    /// Reads a bare JSON ImportSummary.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        serde_json::from_slice(body).map_err(Dhis2Error::json)
    }

    /// Reads the legacy XML ImportSummary (`<importSummary><dataValueCount imported= .../>`).
    pub fn from_xml(text: &str) -> Result<Self> {
        let mut reader = Reader::from_str(text);
        let mut summary = Self::default();
        let mut seen_root = false;
        let mut in_element: Option<String> = None;
        loop {
            let position = reader.buffer_position();
            match reader
                .read_event()
                .map_err(|source| xml_error(&reader, source))?
            {
                Event::Start(element) | Event::Empty(element) => {
                    let name = element.local_name().as_ref().to_owned();
                    if !seen_root {
                        if name != "importSummary" {
                            return Err(unexpected("<importSummary>", &name));
                        }
                        seen_root = true;
                        continue;
                    }
                    let pairs = attributes(&element, position)?;
                    match name.as_str() {
                        "dataValueCount" | "importCount" => {
                            for (key, value) in &pairs {
                                let count = value.trim().parse().map_err(|_| {
                                    Dhis2Error::UnexpectedDocument {
                                        expected: "a whole number count",
                                        found: format!("{key}={value:?}"),
                                    }
                                })?;
                                match key.as_str() {
                                    "imported" => summary.import_count.imported = count,
                                    "updated" => summary.import_count.updated = count,
                                    "ignored" => summary.import_count.ignored = count,
                                    "deleted" => summary.import_count.deleted = count,
                                    _ => {}
                                }
                            }
                        }
                        "conflict" => {
                            let get = |k: &str| {
                                pairs
                                    .iter()
                                    .find(|(key, _)| key == k)
                                    .map(|(_, v)| v.clone())
                            };
                            summary.conflicts.push(Conflict {
                                object: get("object"),
                                value: get("value"),
                                error_code: get("errorCode"),
                                ..Conflict::default()
                            });
                        }
                        _ => in_element = Some(name),
                    }
                }
                Event::Text(text) => {
                    let text = text.xml10_content();
                    match in_element.as_deref() {
                        Some("status") => {
                            summary.status = match text.trim() {
                                "WARNING" => ImportStatus::Warning,
                                "ERROR" => ImportStatus::Error,
                                _ => ImportStatus::Success,
                            };
                        }
                        Some("description") => summary.description = Some(text.trim().to_owned()),
                        _ => {}
                    }
                }
                Event::End(_) => in_element = None,
                Event::Eof => break,
                _ => {}
            }
        }
        if seen_root {
            Ok(summary)
        } else {
            Err(unexpected("<importSummary>", "an empty document"))
        }
    }

    /// All rejected positions: `rejectedIndexes` and the conflicts' `indexes`, sorted, unique.
    pub fn rejected_indexes(&self) -> Vec<usize> {
        let mut indexes: Vec<usize> = self
            .rejected_indexes
            .iter()
            .chain(self.conflicts.iter().flat_map(|c| c.indexes.iter()))
            .copied()
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes
    }

    /// Maps the rejected positions back to the values that were `sent`, in index order.
    pub fn rejections<'a>(&'a self, sent: &'a [DataValue]) -> Vec<Rejection<'a>> {
        self.rejected_indexes()
            .into_iter()
            .map(|index| Rejection {
                index,
                value: sent.get(index),
                conflicts: self
                    .conflicts
                    .iter()
                    .filter(|c| c.indexes.contains(&index))
                    .collect(),
            })
            .collect()
    }

    /// Adds a later chunk's summary to this one: counts add up, the worse status
    /// wins, and the chunk's positions (`indexes`, `rejectedIndexes`) are shifted by
    /// `offset`, the index of the chunk's first value in the whole set.
    pub fn absorb(&mut self, chunk: Self, offset: usize) {
        self.status = self.status.max(chunk.status);
        // Saturating: the numbers come from the server, which may send anything.
        let count = &mut self.import_count;
        count.imported = count.imported.saturating_add(chunk.import_count.imported);
        count.updated = count.updated.saturating_add(chunk.import_count.updated);
        count.ignored = count.ignored.saturating_add(chunk.import_count.ignored);
        count.deleted = count.deleted.saturating_add(chunk.import_count.deleted);
        if self.response_type.is_none() {
            self.response_type = chunk.response_type;
        }
        if chunk.status != ImportStatus::Success || self.description.is_none() {
            self.description = chunk.description.or(self.description.take());
        }
        self.conflicts
            .extend(chunk.conflicts.into_iter().map(|mut conflict| {
                for index in &mut conflict.indexes {
                    *index = index.saturating_add(offset);
                }
                conflict
            }));
        self.rejected_indexes.extend(
            chunk
                .rejected_indexes
                .into_iter()
                .map(|i| i.saturating_add(offset)),
        );
    }

    /// Whether nothing was refused (status not `ERROR`, no conflicts, no rejected indexes).
    pub fn is_complete_success(&self) -> bool {
        self.status != ImportStatus::Error
            && self.conflicts.is_empty()
            && self.rejected_indexes.is_empty()
    }
}

/// Reads the JSON body of an import response (any HTTP status).
///
/// - a bare ImportSummary, or a WebMessage whose `response.responseType` is
///   `ImportSummary` (even with HTTP 409) → [`ImportResponse::Summary`];
/// - a WebMessage with status `ERROR` and no ImportSummary → [`Dhis2Error::WebMessage`];
/// - another WebMessage → [`ImportResponse::Message`];
/// - anything else → [`Dhis2Error::UnexpectedDocument`].
pub fn parse_import_response(body: &[u8]) -> Result<ImportResponse> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(Dhis2Error::json)?;
    let Some(object) = value.as_object() else {
        return Err(Dhis2Error::UnexpectedDocument {
            expected: "an ImportSummary or WebMessage object",
            found: kind_of(&value).to_owned(),
        });
    };
    if is_import_summary(&value) {
        return summary_from_value(value).map(ImportResponse::Summary);
    }
    if !object.contains_key("httpStatusCode") {
        return Err(Dhis2Error::UnexpectedDocument {
            expected: "an ImportSummary or WebMessage object",
            found: format!(
                "an object with keys {:?}",
                object.keys().collect::<Vec<_>>()
            ),
        });
    }
    let message: WebMessage = serde_json::from_value(value).map_err(Dhis2Error::json)?;
    if let Some(response) = message.response.as_ref().filter(|r| is_import_summary(r)) {
        return summary_from_value(response.clone()).map(ImportResponse::Summary);
    }
    if message.status.as_deref() == Some("ERROR") || message.http_status_code >= 400 {
        return Err(Dhis2Error::WebMessage {
            http_status_code: message.http_status_code,
            message: message.message,
            error_code: message.error_code,
            dev_message: message.dev_message,
        });
    }
    Ok(ImportResponse::Message(message))
}

fn is_import_summary(value: &serde_json::Value) -> bool {
    value
        .get("responseType")
        .and_then(serde_json::Value::as_str)
        == Some("ImportSummary")
        || (value.get("importCount").is_some() && value.get("httpStatusCode").is_none())
}

fn summary_from_value(value: serde_json::Value) -> Result<ImportSummary> {
    serde_json::from_value(value).map_err(Dhis2Error::json)
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2.37–2.42 style 409 with conflicts, built from DOMAIN.md §2.2.
    const CONFLICT_409: &str = r#"{
      "httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
      "message": "One more conflicts encountered, please check import summary.",
      "response": {
        "responseType": "ImportSummary", "status": "WARNING",
        "importCount": {"imported": 1, "updated": 0, "ignored": 2, "deleted": 0},
        "conflicts": [
          {"object": "nope0000001", "objects": {"orgUnit": "nope0000001"},
           "value": "Org unit not found or not accessible: `nope0000001`",
           "errorCode": "E7612", "property": "orgUnit", "indexes": [1]},
          {"object": "2024X", "objects": {"period": "2024X"},
           "value": "Period not valid: `2024X`", "errorCode": "E7611",
           "property": "period", "indexes": [2, 1]}
        ],
        "rejectedIndexes": [1, 2]
      }
    }"#;

    #[test]
    fn absorbing_a_chunk_with_huge_numbers_saturates() {
        // Confirmed with the fuzz target `import_summary`: counts and positions near
        // u64::MAX from a server overflowed (a panic in debug builds) when chunks merged.
        let big = format!(
            r#"{{"status":"WARNING","importCount":{{"imported":{max}}},
               "conflicts":[{{"indexes":[{max}]}}],"rejectedIndexes":[{max}]}}"#,
            max = u64::MAX
        );
        let chunk = ImportSummary::from_json(big.as_bytes()).unwrap();
        let mut total = chunk.clone();
        total.absorb(chunk, 10);
        assert_eq!(total.import_count.imported, u64::MAX);
        assert_eq!(total.rejected_indexes(), vec![usize::MAX]);
        let sent = [DataValue::new("de", "1")];
        let rejections = total.rejections(&sent);
        assert!(rejections.iter().all(|r| r.value.is_none()));
    }

    #[test]
    fn a_409_with_an_import_summary_is_a_partial_result() {
        let ImportResponse::Summary(summary) =
            parse_import_response(CONFLICT_409.as_bytes()).unwrap()
        else {
            panic!("expected a summary");
        };
        assert_eq!(summary.status, ImportStatus::Warning);
        assert_eq!(summary.import_count.imported, 1);
        assert_eq!(summary.import_count.ignored, 2);
        assert_eq!(summary.conflicts[0].error_code.as_deref(), Some("E7612"));
        assert_eq!(summary.conflicts[0].objects["orgUnit"], "nope0000001");
        assert!(!summary.is_complete_success());
        let sent = vec![
            DataValue::new("a", "1"),
            DataValue::new("b", "2"),
            DataValue::new("c", "3"),
        ];
        let rejections = summary.rejections(&sent);
        assert_eq!(rejections.len(), 2);
        assert_eq!(rejections[0].index, 1);
        assert_eq!(rejections[0].value.unwrap().data_element, "b");
        assert_eq!(rejections[0].conflicts.len(), 2);
        assert_eq!(rejections[1].value.unwrap().data_element, "c");
        assert_eq!(
            rejections[1].conflicts[0].error_code.as_deref(),
            Some("E7611")
        );
        // Indexes beyond what was sent do not panic.
        assert!(
            summary
                .rejections(&sent[..1])
                .iter()
                .all(|r| r.value.is_none())
        );
    }

    #[test]
    fn bare_2_36_summary_with_old_conflicts() {
        let body = br#"{"responseType":"ImportSummary","status":"WARNING",
            "importCount":{"imported":0,"updated":0,"ignored":1,"deleted":0},
            "conflicts":[{"object":"x","value":"Data element not found"}]}"#;
        let ImportResponse::Summary(summary) = parse_import_response(body).unwrap() else {
            panic!("expected a summary");
        };
        assert_eq!(summary.conflicts[0].object.as_deref(), Some("x"));
        assert!(summary.rejected_indexes().is_empty());
    }

    #[test]
    fn error_messages_are_typed_errors() {
        for code in [401_u16, 403, 404, 409, 500] {
            let body = format!(
                r#"{{"httpStatus":"X","httpStatusCode":{code},"status":"ERROR","message":"m","errorCode":"E1","devMessage":"d"}}"#
            );
            match parse_import_response(body.as_bytes()) {
                Err(Dhis2Error::WebMessage {
                    http_status_code,
                    error_code,
                    dev_message,
                    ..
                }) => {
                    assert_eq!(http_status_code, code);
                    assert_eq!(error_code.as_deref(), Some("E1"));
                    assert_eq!(dev_message.as_deref(), Some("d"));
                }
                other => panic!("expected a WebMessage error, got {other:?}"),
            }
        }
        assert!(matches!(
            parse_import_response(b"[1]"),
            Err(Dhis2Error::UnexpectedDocument { .. })
        ));
        assert!(matches!(
            parse_import_response(b"{"),
            Err(Dhis2Error::Json { .. })
        ));
    }

    #[test]
    fn legacy_xml_summary() {
        let summary = ImportSummary::from_xml(
            r#"<importSummary><status>WARNING</status><dataValueCount imported="2" updated="1" ignored="1"/>
            <conflicts><conflict object="x" value="bad"/></conflicts></importSummary>"#,
        )
        .unwrap();
        assert_eq!(summary.import_count.imported, 2);
        assert_eq!(summary.status, ImportStatus::Warning);
        assert_eq!(summary.conflicts.len(), 1);
        assert!(ImportSummary::from_xml("<adx/>").is_err());
    }
}
