//! Loading records into a FHIR server so that one bad entry loses no good one: the work
//! behind `hrh load` and `hrh facilities push` (feature `client`).
//!
//! [`load_entries`] sends entries (conditional `PUT`s by business identifier,
//! [`write::entries`]) in transaction Bundles, and accounts for every one:
//!
//! 1. **Before sending**, each entry is checked by [`Precheck`] (FHIR R4 formats, bindings,
//!    reference shapes, a `Type/id` or identifier an earlier entry already has). An entry
//!    that fails is not sent and is reported with every problem found.
//! 2. **Dependent entries**: an entry whose reference (`Type/id`) names an entry refused
//!    earlier in the load (before sending or by the server) is not sent either, and is
//!    reported naming the refused one: a role without its practitioner would be a broken
//!    reference on the server, and sent later with it the two load together. A reference
//!    to a resource that is not in the load, or to one that comes later in it, is left to
//!    the server to judge.
//! 3. **Bisection**: when the server refuses a transaction as a whole (HTTP 400, 404, 409,
//!    412, 422: it rolled back), its entries are sent again in two halves, each split again
//!    while refused, down to single entries; so every entry the server accepts is stored,
//!    and each one it refuses alone is reported with its OperationOutcome. The entries are
//!    conditional `PUT`s, so sending one again after a rollback is safe. A refused Bundle of
//!    `n` entries with `k` bad ones costs at most about `2k·log2(n)` more requests, and
//!    never more than `2n`.
//!
//! Any other failure (network, credentials, 5xx) stops the load with the error.
//!
//! Why split rather than resend as a batch (sekmet-fhir's `CapabilityStatement` lists
//! `batch`): a server processes batch entries independently and in no set order, so a role
//! may be processed before the practitioner it refers to in the same Bundle, and a server
//! that checks references refuses it. Halves of a transaction keep its all-or-nothing
//! semantics, work with any server, and cost more requests only for Bundles that hold a
//! refused entry, which the check before sending makes rare.
//!
//! Every entry ends in exactly one count: [`LoadReport::created`] + [`LoadReport::updated`]
//! + refused before sending + refused by the server = [`LoadReport::entries`].

use std::collections::HashSet;
use std::fmt;

use hrh_core::Registry;
use serde_json::Value;

use crate::client::blocking::FhirClient;
use crate::error::FhirError;
use crate::write::precheck::{Precheck, Problem, ProblemKind};
use crate::write::{self, BundleKind, Entry};

/// Why an entry was not stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// Not sent: the server would refuse it (every problem found).
    Invalid(Vec<Problem>),
    /// Not sent: it refers to `on` (`Type/id`), which was refused.
    Dependent {
        /// The refused entry referred to.
        on: String,
    },
    /// Sent alone and refused by the server.
    Server {
        /// The HTTP status of the refusal (of the entry's own response, or of the Bundle).
        status: Option<u16>,
        /// The server's OperationOutcome (or response text), as it sent it.
        message: String,
    },
}

impl Cause {
    /// Whether the entry was refused before sending (invalid or dependent).
    pub fn before_send(&self) -> bool {
        !matches!(self, Self::Server { .. })
    }
}

/// An entry that was not stored, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// `Type/id` of the entry.
    pub resource: String,
    /// Why.
    pub cause: Cause,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.resource)?;
        match &self.cause {
            Cause::Invalid(problems) => {
                for (n, problem) in problems.iter().enumerate() {
                    if n > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
            Cause::Dependent { on } => {
                write!(f, "not sent: it refers to {on}, which was refused")
            }
            Cause::Server { status, message } => {
                f.write_str("refused by the server")?;
                if let Some(status) = status {
                    write!(f, " (HTTP {status})")?;
                }
                write!(f, ": {message}")
            }
        }
    }
}

/// What a load did, entry by entry.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LoadReport {
    /// Entries given to the load.
    pub entries: usize,
    /// Transaction Bundles sent (resent halves included).
    pub bundles: usize,
    /// Entries answered `201 Created`.
    pub created: usize,
    /// Entries answered with another 2xx (updated, or matched unchanged).
    pub updated: usize,
    /// Entries not stored, in the order found.
    pub refused: Vec<Refused>,
}

impl LoadReport {
    /// Entries refused before sending (invalid, or dependent on a refused one).
    pub fn refused_before_send(&self) -> usize {
        self.refused
            .iter()
            .filter(|r| r.cause.before_send())
            .count()
    }

    /// Entries the server refused.
    pub fn refused_by_server(&self) -> usize {
        self.refused.len() - self.refused_before_send()
    }

    /// Entries accounted for: created + updated + refused (equal to [`Self::entries`] once
    /// the load has finished).
    pub fn accounted(&self) -> usize {
        self.created + self.updated + self.refused.len()
    }
}

/// Whether an error is the server refusing a Bundle's content (it rolled back: split it)
/// rather than the server, network or credentials failing (stop).
fn is_refusal(error: &FhirError) -> bool {
    matches!(error, FhirError::Http { status, .. }
        if matches!(status, 400 | 404 | 409 | 412 | 422))
}

/// The loader's state over one load.
struct Loader<'c> {
    client: &'c FhirClient,
    /// `Type/id` of every entry refused so far (for dependents).
    refused: HashSet<String>,
    report: LoadReport,
}

impl Loader<'_> {
    fn refuse(&mut self, resource: String, cause: Cause) {
        self.refused.insert(resource.clone());
        self.report.refused.push(Refused { resource, cause });
    }

    /// The refused entry `entry` refers to, if any.
    fn refused_target(&self, entry: &Entry) -> Option<String> {
        let mut found = None;
        references(&entry.resource, &mut |reference| {
            if found.is_none() && self.refused.contains(reference) {
                found = Some(reference.to_owned());
            }
        });
        found
    }

    /// Sends `entries` as one transaction, splitting it in halves while the server refuses
    /// it; entries referring to entries refused meanwhile are left out first.
    fn send(
        &mut self,
        entries: Vec<Entry>,
        progress: &mut dyn FnMut(&LoadReport),
    ) -> Result<(), FhirError> {
        let mut pending = Vec::with_capacity(entries.len());
        for entry in entries {
            match self.refused_target(&entry) {
                Some(on) => self.refuse(entry.key(), Cause::Dependent { on }),
                None => pending.push(entry),
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        self.report.bundles += 1;
        let result = self
            .client
            .transaction(&write::bundle(BundleKind::Transaction, &pending));
        match result {
            Ok(outcomes) => {
                for (n, entry) in pending.iter().enumerate() {
                    match outcomes.get(n) {
                        Some(o) if o.code == Some(201) => self.report.created += 1,
                        Some(o) if o.is_success() => self.report.updated += 1,
                        Some(o) => {
                            let message = o.outcome.as_ref().map_or_else(
                                || format!("entry status {:?}", o.status),
                                ToString::to_string,
                            );
                            self.refuse(
                                entry.key(),
                                Cause::Server {
                                    status: o.code,
                                    message,
                                },
                            );
                        }
                        None => self.refuse(
                            entry.key(),
                            Cause::Server {
                                status: None,
                                message: "the transaction response has no entry for it".to_owned(),
                            },
                        ),
                    }
                }
                progress(&self.report);
                Ok(())
            }
            Err(error) if is_refusal(&error) => {
                progress(&self.report);
                if pending.len() == 1 {
                    let (status, message) = server_message(&error);
                    if let Some(entry) = pending.first() {
                        self.refuse(entry.key(), Cause::Server { status, message });
                        progress(&self.report);
                    }
                    return Ok(());
                }
                let second = pending.split_off(pending.len() / 2);
                self.send(pending, progress)?;
                self.send(second, progress)
            }
            Err(error) => Err(error),
        }
    }
}

/// The status and the server's own words of a refusal.
fn server_message(error: &FhirError) -> (Option<u16>, String) {
    match error {
        FhirError::Http {
            status,
            outcome,
            text,
            ..
        } => (
            Some(*status),
            outcome.as_ref().map_or_else(
                || text.clone().unwrap_or_else(|| "no details".to_owned()),
                ToString::to_string,
            ),
        ),
        other => (None, other.to_string()),
    }
}

/// Calls `found` with each relative `Type/id` reference in `value` (at any depth; a
/// `/_history/n` suffix is dropped; contained, absolute and `urn:` references are skipped).
fn references(value: &Value, found: &mut dyn FnMut(&str)) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("reference", Value::String(text)) => {
                        let text = text.split("/_history/").next().unwrap_or(text);
                        if !text.contains(':') && !text.starts_with('#') {
                            found(text);
                        }
                    }
                    _ => references(item, found),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                references(item, found);
            }
        }
        _ => {}
    }
}

/// Sends `entries` to the server in transactions of at most `batch_size` entries, checking
/// each before sending and splitting refused transactions (see the module docs), and
/// reports every entry's fate. `progress` is called after each transaction (and each
/// refusal found by splitting). Entries are pulled from the iterator as their Bundle is
/// filled, so only one Bundle is held at a time; the check keeps the ids and identifier
/// URLs seen (about 100 bytes per entry).
///
/// An error making an entry, or from the server other than a refusal, stops the load and is
/// returned.
pub fn load_entries(
    client: &FhirClient,
    entries: impl IntoIterator<Item = Result<Entry, FhirError>>,
    batch_size: usize,
    progress: &mut dyn FnMut(&LoadReport),
) -> Result<LoadReport, FhirError> {
    let size = batch_size.max(1);
    let mut loader = Loader {
        client,
        refused: HashSet::new(),
        report: LoadReport::default(),
    };
    let mut check = Precheck::new();
    let mut chunk = Vec::with_capacity(size);
    for entry in entries {
        let entry = entry?;
        loader.report.entries += 1;
        let problems = check.check(&entry);
        if problems.is_empty() {
            chunk.push(entry);
        } else if problems.iter().any(|p| p.kind == ProblemKind::DuplicateId) {
            // Its `Type/id` is also the earlier entry's, which is sent: what refers to that
            // id is not dependent on this one.
            loader.report.refused.push(Refused {
                resource: entry.key(),
                cause: Cause::Invalid(problems),
            });
        } else {
            loader.refuse(entry.key(), Cause::Invalid(problems));
        }
        if chunk.len() == size {
            loader.send(std::mem::take(&mut chunk), progress)?;
        }
    }
    if !chunk.is_empty() {
        loader.send(chunk, progress)?;
    }
    Ok(loader.report)
}

/// [`load_entries`] of every record of `registry` ([`write::entries`]: conditional `PUT`s
/// by business identifier, in dependency order), so loading the same registry twice
/// creates nothing new.
pub fn load(
    client: &FhirClient,
    registry: &Registry,
    batch_size: usize,
    progress: &mut dyn FnMut(&LoadReport),
) -> Result<LoadReport, FhirError> {
    load_entries(client, write::entries(registry), batch_size, progress)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn references_are_relative_type_ids() {
        let role = json!({"practitioner": {"reference": "Practitioner/p1/_history/2"},
            "location": [{"reference": "Location/f1"}, {"reference": "http://x/Location/f2"}],
            "issuer": {"reference": "#issuer0"}, "other": {"reference": "urn:uuid:1"}});
        let mut found = Vec::new();
        references(&role, &mut |r| found.push(r.to_owned()));
        assert_eq!(found, ["Practitioner/p1", "Location/f1"]);
    }

    #[test]
    fn refusals_name_the_entry_and_the_reason() {
        let dependent = Refused {
            resource: "PractitionerRole/r1".into(),
            cause: Cause::Dependent {
                on: "Practitioner/p1".into(),
            },
        };
        assert_eq!(
            dependent.to_string(),
            "PractitionerRole/r1: not sent: it refers to Practitioner/p1, which was refused"
        );
        let server = Refused {
            resource: "Practitioner/p1".into(),
            cause: Cause::Server {
                status: Some(400),
                message: "error invalid: bad".into(),
            },
        };
        assert_eq!(
            server.to_string(),
            "Practitioner/p1: refused by the server (HTTP 400): error invalid: bad"
        );
        let report = LoadReport {
            entries: 3,
            created: 1,
            refused: vec![dependent, server],
            ..LoadReport::default()
        };
        assert_eq!(
            (report.refused_before_send(), report.refused_by_server()),
            (1, 1)
        );
        assert_eq!(report.accounted(), report.entries);
    }
}
