//! `POST /api/dataValueSets`: import options, chunking, asynchronous imports, deletes.

use std::time::Instant;

use reqwest::Method;

use super::Dhis2Client;
use super::http::{Answer, Call, error_answer};
use crate::datavalueset::json::JsonWriter;
use crate::datavalueset::{DataValue, DataValueSet};
use crate::error::{Dhis2Error, Result};
use crate::import_summary::{ImportResponse, ImportSummary, WebMessage, parse_import_response};
use crate::uid::IdScheme;

/// What DHIS2 does with each value (`importStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportStrategy {
    /// Create new values, update existing ones (the default).
    #[default]
    CreateAndUpdate,
    /// Only create new values.
    Create,
    /// Only update existing values.
    Update,
    /// Delete the values sent (soft delete).
    Delete,
}

impl ImportStrategy {
    /// The parameter value, e.g. `CREATE_AND_UPDATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateAndUpdate => "CREATE_AND_UPDATE",
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }
}

/// The import parameters of `POST /api/dataValueSets` (DOMAIN §2.1). The
/// default is what DHIS2 does without parameters, in chunks of the client's size.
#[allow(clippy::struct_excessive_bools)] // each bool is one of DHIS2's flags
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Check and count without storing (`dryRun`).
    pub dry_run: bool,
    /// `importStrategy`.
    pub import_strategy: ImportStrategy,
    /// `idScheme`: the scheme of every identifier unless overridden below.
    pub id_scheme: Option<IdScheme>,
    /// `dataElementIdScheme`.
    pub data_element_id_scheme: Option<IdScheme>,
    /// `orgUnitIdScheme`.
    pub org_unit_id_scheme: Option<IdScheme>,
    /// `categoryOptionComboIdScheme`.
    pub category_option_combo_id_scheme: Option<IdScheme>,
    /// `skipExistingCheck`: faster, for values known to be new.
    pub skip_existing_check: bool,
    /// `async`: DHIS2 imports in the background; the client polls until done.
    pub async_import: bool,
    /// `preheatCache`: load metadata up front (large imports).
    pub preheat_cache: bool,
    /// `atomic` (2.43+): a group is stored only if all its values are valid. `None`: not sent.
    pub atomic: Option<bool>,
    /// Values per request; `None` takes [`ClientSettings::chunk_size`](super::ClientSettings::chunk_size).
    pub chunk_size: Option<usize>,
}

impl ImportOptions {
    /// These options with the id schemes `set` names where these give none (a scheme given
    /// here wins over the document's).
    #[must_use]
    pub fn with_id_schemes_of(&self, set: &DataValueSet) -> Self {
        let mut options = self.clone();
        let slots = [
            (&mut options.id_scheme, &set.id_scheme),
            (
                &mut options.data_element_id_scheme,
                &set.data_element_id_scheme,
            ),
            (&mut options.org_unit_id_scheme, &set.org_unit_id_scheme),
            (
                &mut options.category_option_combo_id_scheme,
                &set.category_option_combo_id_scheme,
            ),
        ];
        for (slot, from_set) in slots {
            if slot.is_none() {
                slot.clone_from(from_set);
            }
        }
        options
    }

    /// The query parameters, only those that differ from DHIS2's defaults.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        let flags = [
            ("dryRun", self.dry_run),
            ("skipExistingCheck", self.skip_existing_check),
            ("async", self.async_import),
            ("preheatCache", self.preheat_cache),
        ];
        for (name, on) in flags {
            if on {
                query.push((name, "true".to_owned()));
            }
        }
        if self.import_strategy != ImportStrategy::CreateAndUpdate {
            query.push(("importStrategy", self.import_strategy.as_str().to_owned()));
        }
        let schemes = [
            ("idScheme", &self.id_scheme),
            ("dataElementIdScheme", &self.data_element_id_scheme),
            ("orgUnitIdScheme", &self.org_unit_id_scheme),
            (
                "categoryOptionComboIdScheme",
                &self.category_option_combo_id_scheme,
            ),
        ];
        for (name, scheme) in schemes {
            if let Some(scheme) = scheme {
                query.push((name, scheme.to_string()));
            }
        }
        if let Some(atomic) = self.atomic {
            query.push(("atomic", atomic.to_string()));
        }
        query
    }
}

impl Dhis2Client {
    /// Imports a data value set in chunks and returns one summary for the whole set.
    ///
    /// Counts are added up; conflicts' `indexes` and `rejectedIndexes` refer to
    /// positions in `set.data_values`, so [`ImportSummary::rejections`] maps
    /// them back. A partial import (DHIS2 2.37–2.42 answer 409 with an
    /// ImportSummary) is a result, not an error. An error answer to the first
    /// chunk is returned as is; one to a later chunk comes as
    /// [`Dhis2Error::Chunk`], since earlier chunks were stored. An empty set
    /// sends nothing and returns an empty `SUCCESS` summary. The id schemes the set names
    /// (e.g. read from a DXF2 XML document) are sent as the import's id-scheme parameters
    /// where `options` gives none ([`ImportOptions::with_id_schemes_of`]).
    pub async fn import_data_values(
        &self,
        set: &DataValueSet,
        options: &ImportOptions,
    ) -> Result<ImportSummary> {
        let options = &options.with_id_schemes_of(set);
        let size = options
            .chunk_size
            .unwrap_or(self.settings.chunk_size)
            .max(1);
        let mut total = ImportSummary {
            response_type: Some("ImportSummary".to_owned()),
            ..ImportSummary::default()
        };
        for (chunk, values) in set.data_values.chunks(size).enumerate() {
            let first_index = chunk * size;
            let body = chunk_body(set, values)?;
            match self.import_chunk(body, options).await {
                Ok(summary) => total.absorb(summary, first_index),
                Err(error) if chunk == 0 => return Err(error),
                Err(error) => {
                    return Err(Dhis2Error::Chunk {
                        chunk,
                        first_index,
                        source: Box::new(error),
                    });
                }
            }
        }
        Ok(total)
    }

    /// Deletes the values of `set` (`importStrategy=DELETE`); other options as given.
    pub async fn delete_data_values(
        &self,
        set: &DataValueSet,
        options: &ImportOptions,
    ) -> Result<ImportSummary> {
        let options = ImportOptions {
            import_strategy: ImportStrategy::Delete,
            ..options.clone()
        };
        self.import_data_values(set, &options).await
    }

    /// Sends one chunk; polls the task when the import is asynchronous.
    async fn import_chunk(&self, body: Vec<u8>, options: &ImportOptions) -> Result<ImportSummary> {
        let path = "api/dataValueSets";
        let answer = self
            .execute(Call {
                method: Method::POST,
                path,
                query: options.query(),
                body: Some(body),
                retry_safe: true,
            })
            .await?;
        match summary_or_message("POST", path, &answer)? {
            ImportResponse::Summary(summary) => Ok(summary),
            ImportResponse::Message(message) if options.async_import => {
                self.await_task(&message).await
            }
            ImportResponse::Message(message) => Err(unexpected_message(&message)),
        }
    }

    /// Polls `/api/system/tasks/DATAVALUE_IMPORT/{id}` until an entry is
    /// `completed`, then reads `/api/system/taskSummaries/DATAVALUE_IMPORT/{id}`.
    async fn await_task(&self, started: &WebMessage) -> Result<ImportSummary> {
        let job = started
            .response
            .as_ref()
            .and_then(|r| r.get("id"))
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| unexpected_message(started))?;
        crate::uid::validate_uid(job)?;
        let tasks = format!("api/system/tasks/DATAVALUE_IMPORT/{job}");
        let began = Instant::now();
        loop {
            let notes: serde_json::Value = self.json(Call::get(&tasks, Vec::new())).await?;
            if task_completed(&notes) {
                break;
            }
            if began.elapsed() >= self.settings.task_timeout {
                return Err(Dhis2Error::TaskTimeout {
                    task_id: job.to_owned(),
                    waited_seconds: began.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(self.settings.poll_interval).await;
        }
        let path = format!("api/system/taskSummaries/DATAVALUE_IMPORT/{job}");
        let answer = self.execute(Call::get(&path, Vec::new())).await?;
        match summary_or_message("GET", &path, &answer)? {
            ImportResponse::Summary(summary) => Ok(summary),
            ImportResponse::Message(message) => Err(unexpected_message(&message)),
        }
    }
}

/// The JSON body of one chunk: the set's top-level fields and these values.
fn chunk_body(set: &DataValueSet, values: &[DataValue]) -> Result<Vec<u8>> {
    let mut stream = JsonWriter::begin(Vec::new(), set)?;
    for value in values {
        stream.write_value(value)?;
    }
    stream.finish()
}

/// Reads an import answer; an answer that is neither a summary nor a WebMessage is an HTTP error.
pub(crate) fn summary_or_message(
    method: &'static str,
    path: &str,
    answer: &Answer,
) -> Result<ImportResponse> {
    match parse_import_response(&answer.body) {
        Ok(ImportResponse::Message(_))
        | Err(Dhis2Error::Json { .. } | Dhis2Error::UnexpectedDocument { .. })
            if answer.status >= 400 =>
        {
            Err(error_answer(method, path, answer))
        }
        other => other,
    }
}

/// Whether a `/api/system/tasks/...` answer (a list of notifications, newest first) says done.
pub(crate) fn task_completed(notes: &serde_json::Value) -> bool {
    let completed = |note: &serde_json::Value| {
        note.get("completed").and_then(serde_json::Value::as_bool) == Some(true)
    };
    match notes {
        serde_json::Value::Array(items) => items.iter().any(completed),
        serde_json::Value::Object(_) => completed(notes),
        _ => false,
    }
}

fn unexpected_message(message: &WebMessage) -> Dhis2Error {
    Dhis2Error::UnexpectedDocument {
        expected: "an ImportSummary or an async job",
        found: format!(
            "a WebMessage ({}): {}",
            message.http_status_code,
            message.message.as_deref().unwrap_or("no message")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_default_options_are_sent() {
        assert!(ImportOptions::default().query().is_empty());
        let options = ImportOptions {
            dry_run: true,
            import_strategy: ImportStrategy::Delete,
            org_unit_id_scheme: Some(IdScheme::Code),
            atomic: Some(true),
            async_import: true,
            ..ImportOptions::default()
        };
        let query = options.query();
        assert!(query.contains(&("dryRun", "true".to_owned())));
        assert!(query.contains(&("importStrategy", "DELETE".to_owned())));
        assert!(query.contains(&("orgUnitIdScheme", "CODE".to_owned())));
        assert!(query.contains(&("atomic", "true".to_owned())));
        assert!(query.contains(&("async", "true".to_owned())));
    }

    #[test]
    fn the_sets_id_schemes_are_sent_unless_the_options_give_one() {
        let set = DataValueSet {
            data_element_id_scheme: Some(IdScheme::Attribute("Kx6rYwlEDtT".into())),
            org_unit_id_scheme: Some(IdScheme::Code),
            ..DataValueSet::default()
        };
        let options = ImportOptions {
            org_unit_id_scheme: Some(IdScheme::Name),
            ..ImportOptions::default()
        };
        let query = options.with_id_schemes_of(&set).query();
        assert!(query.contains(&("dataElementIdScheme", "ATTRIBUTE:Kx6rYwlEDtT".to_owned())));
        assert!(query.contains(&("orgUnitIdScheme", "NAME".to_owned())));
        assert!(!query.iter().any(|(name, _)| *name == "idScheme"));
        assert!(
            ImportOptions::default()
                .with_id_schemes_of(&DataValueSet::default())
                .query()
                .is_empty()
        );
    }

    #[test]
    fn task_lists_say_when_done() {
        let done: serde_json::Value =
            serde_json::from_str(r#"[{"completed":false},{"completed":true}]"#).unwrap();
        assert!(task_completed(&done));
        assert!(!task_completed(&serde_json::json!([{"completed": false}])));
        assert!(!task_completed(&serde_json::json!("x")));
    }

    #[test]
    fn chunks_keep_the_header_and_only_their_values() {
        let mut set = DataValueSet::new(vec![DataValue::new("a", "1"), DataValue::new("b", "2")]);
        set.period = Some("2023".into());
        let body = chunk_body(&set, &set.data_values[1..]).unwrap();
        let back = crate::datavalueset::json::read_json(&body).unwrap();
        assert_eq!(back.period.as_deref(), Some("2023"));
        assert_eq!(back.data_values.len(), 1);
        assert_eq!(back.data_values[0].data_element, "b");
    }
}
