//! Keeping a [`Mirror`] of a FHIR server in step: the work behind `hrh sync` (feature
//! `client`). Loading records into a server is [`crate::load`].
//!
//! - [`pull_history`] brings a mirror up to date with `[type]/_history?_since=<watermark>`
//!   per resource type (all history on the first run); [`pull_export`] replaces it with a
//!   bulk `$export`. Both return the new [`SyncState`] **without storing it**: the caller
//!   stores it (see [`SyncState::write`]) only once its own work with the mirror succeeded.

use crate::client::blocking::FhirClient;
use crate::client::{ExportLevel, ExportManifest, ExportRequest};
use crate::error::FhirError;
use crate::mapping::READ_TYPES;
use crate::mirror::{Applied, Change, Mirror, SyncState};

/// The key under which [`pull_export`] keeps the export's `transactionTime` in
/// [`SyncState::since`].
pub const EXPORT_WATERMARK: &str = "$export";

/// What a pull brought into the mirror for one resource type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TypePull {
    /// The resource type.
    pub resource_type: String,
    /// Changes received (history entries or exported resources).
    pub changes: usize,
    /// Deletions among them.
    pub deletions: usize,
    /// What applying them to the mirror did.
    pub applied: Applied,
    /// Pages (history) or files (export) fetched.
    pub pages: usize,
}

/// What [`pull_history`] or [`pull_export`] did, and the state to store once the work that
/// follows has succeeded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// Per resource type, in [`READ_TYPES`] order.
    pub types: Vec<TypePull>,
    /// Whether the mirror was emptied first (first bulk export, another server, or a full
    /// export).
    pub reset: bool,
    /// The new watermarks (not stored yet).
    pub state: SyncState,
}

impl Pulled {
    /// Changes received, over all types.
    pub fn changes(&self) -> usize {
        self.types.iter().map(|t| t.changes).sum()
    }

    /// Deletions received, over all types.
    pub fn deletions(&self) -> usize {
        self.types.iter().map(|t| t.deletions).sum()
    }
}

/// Empties the mirror when `state` follows another server than `client`'s, or starts afresh
/// when the mirror is empty; returns the state to start from (empty then) and whether it
/// reset.
fn start_state(
    client: &FhirClient,
    mirror: &Mirror,
    state: &SyncState,
) -> Result<(SyncState, bool), FhirError> {
    let base = client.as_async().base_url().as_str().to_owned();
    // The same server, and a mirror that holds something: go on from the watermarks. An empty
    // mirror (removed, or another directory) starts from full history again.
    if state.base_url.as_deref() == Some(base.as_str()) && !mirror.files().is_empty() {
        return Ok((state.clone(), false));
    }
    let had_state = state.base_url.is_some() || !state.since.is_empty();
    if had_state || !mirror.files().is_empty() {
        mirror.reset()?;
    }
    Ok((
        SyncState {
            base_url: Some(base),
            since: std::collections::BTreeMap::new(),
            // What was pushed to DHIS2 stays known when the mirror starts afresh.
            pushed: state.pushed.clone(),
        },
        true,
    ))
}

/// Brings `mirror` up to date with the server: for each read resource type,
/// `[type]/_history?_since=<its watermark in state>` (all history when there is none), applied
/// in one call per type. A `state` that follows another server (or none), or an empty
/// mirror, starts from full history (emptying the mirror first). The returned state holds
/// the new watermarks; store it only after the work fed by the mirror succeeded: a failure
/// before that fetches the same changes again next time, and applying them again gives the
/// same mirror.
pub fn pull_history(
    client: &FhirClient,
    mirror: &Mirror,
    state: &SyncState,
) -> Result<Pulled, FhirError> {
    let (mut next, reset) = start_state(client, mirror, state)?;
    let mut pulled = Pulled {
        reset,
        ..Pulled::default()
    };
    for resource_type in READ_TYPES {
        let since = next.since.get(resource_type).cloned();
        let synced = client.history_since(resource_type, since.as_deref())?;
        let deletions = synced
            .changes
            .iter()
            .filter(|c| matches!(c, Change::Delete { .. }))
            .count();
        let changes = synced.changes.len();
        let applied = if changes == 0 {
            Applied::default()
        } else {
            mirror.apply(synced.changes)?
        };
        if let Some(watermark) = synced.watermark {
            next.since.insert(resource_type.to_owned(), watermark);
        }
        pulled.types.push(TypePull {
            resource_type: resource_type.to_owned(),
            changes,
            deletions,
            applied,
            pages: synced.pages,
        });
    }
    pulled.state = next;
    Ok(pulled)
}

/// Replaces the mirror's content with a system-level bulk `$export` of the read resource
/// types (an export cannot show deletions, so every run exports in full). The export's
/// `transactionTime` is kept under [`EXPORT_WATERMARK`] in the returned state. When a
/// download fails, the mirror is left empty, so that the next pull starts from full history
/// or a full export again rather than from a partial mirror.
pub fn pull_export(
    client: &FhirClient,
    mirror: &Mirror,
    state: &SyncState,
) -> Result<Pulled, FhirError> {
    let (mut next, _) = start_state(client, mirror, state)?;
    let job = client.export_start(&ExportRequest::new(ExportLevel::System).types(&READ_TYPES))?;
    let manifest = client.export_wait(&job)?;
    mirror.reset()?;
    let types = match download(client, mirror, &manifest) {
        Ok(types) => types,
        Err(error) => {
            let _ = mirror.reset();
            return Err(error);
        }
    };
    // The job's files are no longer needed; a server that cannot delete them keeps them.
    let _ = client.export_delete(&job);
    next.since
        .insert(EXPORT_WATERMARK.to_owned(), manifest.transaction_time);
    Ok(Pulled {
        types,
        reset: true,
        state: next,
    })
}

/// Streams an export's outputs of the read types into the (empty) mirror.
fn download(
    client: &FhirClient,
    mirror: &Mirror,
    manifest: &ExportManifest,
) -> Result<Vec<TypePull>, FhirError> {
    let mut per_type: Vec<TypePull> = READ_TYPES
        .iter()
        .map(|t| TypePull {
            resource_type: (*t).to_owned(),
            ..TypePull::default()
        })
        .collect();
    for output in &manifest.output {
        let Some(slot) = per_type
            .iter_mut()
            .find(|t| t.resource_type == output.resource_type)
        else {
            continue;
        };
        let mut changes = Vec::new();
        let mut bad = 0usize;
        client.export_lines(
            manifest,
            output,
            &mut |line| match std::str::from_utf8(line).map(str::trim) {
                Ok("") => {}
                Ok(text) => match Change::upsert(text) {
                    Ok(change) => changes.push(change),
                    Err(_) => bad += 1,
                },
                Err(_) => bad += 1,
            },
        )?;
        slot.changes += changes.len();
        slot.pages += 1;
        let applied = mirror.apply(changes)?;
        slot.applied.upserted += applied.upserted;
        slot.applied.deleted += applied.deleted;
        slot.applied.ignored += applied.ignored + bad;
    }
    Ok(per_type)
}
