//! A local mirror of a FHIR registry: one NDJSON file per resource type, kept in
//! step with a server by applying changes (`_history` pages, search results,
//! bulk exports), plus the watermarks of the last successful sync.
//!
//! The mCSD update pattern: fetch `[type]/_history?_since=<watermark>`, apply the
//! changes here, do the work (aggregate, push), and only then store the new
//! watermark with [`Mirror::save_state`]. A failure before that leaves the old
//! watermark, so the next run fetches the same changes again; applying them
//! twice gives the same mirror.
//!
//! Applying streams each type's file once (memory grows with the number of
//! changes, not with the registry) and replaces it atomically.
//!
//! ```
//! use hrh_fhir::mirror::{Change, Mirror};
//! let dir = std::env::temp_dir().join(format!("hrh-mirror-doc-{}", std::process::id()));
//! let mirror = Mirror::open(&dir)?;
//! let p = r#"{"resourceType":"Practitioner","id":"p1","gender":"female"}"#;
//! mirror.apply(vec![Change::upsert(p)?])?;
//! mirror.apply(vec![Change::Delete { resource_type: "Practitioner".into(), id: "p1".into() }])?;
//! assert_eq!(std::fs::read_to_string(dir.join("Practitioner.ndjson"))?, "");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{FhirError, Origin, redact};
use crate::mapping::READ_TYPES;

/// One change to the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A resource created or updated: its JSON as one line.
    Upsert {
        /// `resourceType`.
        resource_type: String,
        /// `id`.
        id: String,
        /// `meta.lastUpdated`, when given (the newest version of an id wins).
        last_updated: Option<String>,
        /// The resource as compact JSON (kept as received, so it can be written back unchanged).
        json: String,
    },
    /// A resource deleted.
    Delete {
        /// `resourceType`.
        resource_type: String,
        /// `id`.
        id: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    resource_type: Option<String>,
    id: Option<String>,
    meta: Option<Meta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    last_updated: Option<String>,
}

impl Change {
    /// An upsert from a resource's JSON.
    pub fn upsert(json: &str) -> Result<Self, FhirError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| FhirError::Json {
            origin: Origin::new("<change>"),
            detail: redact(&e),
        })?;
        Self::from_resource(&value).ok_or_else(|| FhirError::MissingId {
            origin: Origin::new("<change>"),
            resource_type: value
                .get("resourceType")
                .and_then(|t| t.as_str())
                .unwrap_or("(no resourceType)")
                .to_owned(),
        })
    }

    /// An upsert from a parsed resource, `None` when it has no `resourceType` or `id`.
    pub fn from_resource(resource: &serde_json::Value) -> Option<Self> {
        let head = Head::deserialize(resource).ok()?;
        Some(Self::Upsert {
            resource_type: head.resource_type?,
            id: head.id?,
            last_updated: head.meta.and_then(|m| m.last_updated),
            json: serde_json::to_string(resource).ok()?,
        })
    }

    /// The changes a Bundle carries: entries with a resource are upserts, entries whose
    /// `request.method` is `DELETE` are deletions (the id from the resource or the request URL).
    pub fn from_bundle(bundle: &serde_json::Value) -> Vec<Self> {
        let entries = bundle
            .get("entry")
            .and_then(|e| e.as_array())
            .map_or(&[][..], Vec::as_slice);
        let mut changes = Vec::with_capacity(entries.len());
        for entry in entries {
            let method = entry.pointer("/request/method").and_then(|m| m.as_str());
            let resource = entry.get("resource");
            if method == Some("DELETE") {
                let from_url = entry
                    .pointer("/request/url")
                    .and_then(|u| u.as_str())
                    .and_then(|url| {
                        let path = url.split('?').next().unwrap_or(url);
                        let path = path.split("/_history/").next().unwrap_or(path);
                        let mut parts = path.rsplit('/');
                        let id = parts.next()?;
                        let resource_type = parts.next()?;
                        Some((resource_type.to_owned(), id.to_owned()))
                    });
                let from_resource = resource
                    .and_then(|r| Head::deserialize(r).ok())
                    .and_then(|h| Some((h.resource_type?, h.id?)));
                if let Some((resource_type, id)) = from_resource.or(from_url) {
                    changes.push(Self::Delete { resource_type, id });
                }
            } else if let Some(change) = resource.and_then(Self::from_resource) {
                changes.push(change);
            }
        }
        changes
    }

    fn key(&self) -> (&str, &str) {
        match self {
            Self::Upsert {
                resource_type, id, ..
            }
            | Self::Delete { resource_type, id } => (resource_type, id),
        }
    }
}

/// What [`Mirror::apply`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Resources added or replaced.
    pub upserted: usize,
    /// Resources removed (that were in the mirror).
    pub deleted: usize,
    /// Changes ignored: a type the mirror does not keep, or an older version of an id changed twice.
    pub ignored: usize,
}

/// The watermarks of the last successful sync.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The server the mirror follows.
    pub base_url: Option<String>,
    /// Resource type → the `_since` to use next (the server's time of the last successful fetch).
    pub since: BTreeMap<String, String>,
    /// The last successful push of each set of figures, with its counted total, for the
    /// caller's drop check ([`hrh_core::aggregate::guard::check_drop`]). Absent from older
    /// state files (read as none: no check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pushed: Vec<hrh_core::aggregate::guard::Pushed>,
}

/// A directory holding `<Type>.ndjson` per kept type and `state.json`.
#[derive(Debug, Clone)]
pub struct Mirror {
    dir: PathBuf,
}

impl Mirror {
    /// Opens (creating if needed) a mirror directory.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, FhirError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Self { dir })
    }

    /// The NDJSON files of the mirror (for the readers), one per kept type that exists.
    pub fn files(&self) -> Vec<PathBuf> {
        READ_TYPES
            .iter()
            .map(|t| self.file(t))
            .filter(|p| p.is_file())
            .collect()
    }

    fn file(&self, resource_type: &str) -> PathBuf {
        self.dir.join(format!("{resource_type}.ndjson"))
    }

    /// Applies changes: for each id the newest version (by `meta.lastUpdated`, else the first
    /// given, as `_history` lists newest first) replaces what the mirror holds.
    pub fn apply(&self, changes: Vec<Change>) -> Result<Applied, FhirError> {
        let mut applied = Applied::default();
        let mut newest: HashMap<(String, String), Change> = HashMap::new();
        for change in changes {
            let (resource_type, id) = change.key();
            if !READ_TYPES.contains(&resource_type) {
                applied.ignored += 1;
                continue;
            }
            let key = (resource_type.to_owned(), id.to_owned());
            let replace = match (newest.get(&key), &change) {
                (None, _) => true,
                (
                    Some(Change::Upsert {
                        last_updated: Some(old),
                        ..
                    }),
                    Change::Upsert {
                        last_updated: Some(new),
                        ..
                    },
                ) => new > old,
                (Some(_), _) => false,
            };
            let known = newest.contains_key(&key);
            if replace {
                newest.insert(key, change);
            }
            if known {
                applied.ignored += 1;
            }
        }
        let mut by_type: BTreeMap<String, HashMap<String, Change>> = BTreeMap::new();
        for ((resource_type, id), change) in newest {
            by_type.entry(resource_type).or_default().insert(id, change);
        }
        for (resource_type, mut changes) in by_type {
            let path = self.file(&resource_type);
            let tmp = self.dir.join(format!(".{resource_type}.ndjson.tmp"));
            let mut out = BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
            if path.is_file() {
                let reader = BufReader::new(File::open(&path).map_err(io(&path))?);
                for line in reader.lines() {
                    let line = line.map_err(io(&path))?;
                    let id = serde_json::from_str::<Head>(&line).ok().and_then(|h| h.id);
                    match id.and_then(|id| changes.remove(&id)) {
                        Some(Change::Upsert { json, .. }) => {
                            applied.upserted += 1;
                            writeln!(out, "{json}").map_err(io(&tmp))?;
                        }
                        Some(Change::Delete { .. }) => applied.deleted += 1,
                        None => writeln!(out, "{line}").map_err(io(&tmp))?,
                    }
                }
            }
            let mut rest: Vec<(String, Change)> = changes.into_iter().collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, change) in rest {
                match change {
                    Change::Upsert { json, .. } => {
                        applied.upserted += 1;
                        writeln!(out, "{json}").map_err(io(&tmp))?;
                    }
                    Change::Delete { .. } => applied.ignored += 1,
                }
            }
            out.flush().map_err(io(&tmp))?;
            drop(out);
            std::fs::rename(&tmp, &path).map_err(io(&path))?;
        }
        Ok(applied)
    }

    /// Removes every kept type's file (the mirror is then empty; `state.json` stays).
    pub fn reset(&self) -> Result<(), FhirError> {
        for path in self.files() {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
        Ok(())
    }

    /// The stored sync state (empty when none was saved yet).
    pub fn state(&self) -> Result<SyncState, FhirError> {
        SyncState::read(&self.dir.join("state.json"))
    }

    /// Stores the sync state; call it only after the work the sync fed has succeeded.
    pub fn save_state(&self, state: &SyncState) -> Result<(), FhirError> {
        state.write(&self.dir.join("state.json"))
    }
}

impl SyncState {
    /// Reads a state file (empty state when the file does not exist).
    pub fn read(path: &Path) -> Result<Self, FhirError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| FhirError::Json {
                origin: Origin::new(&path.display().to_string()),
                detail: redact(&e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(io(path)(e)),
        }
    }

    /// Writes a state file atomically (a temporary file next to it, then renamed), creating
    /// its directory if needed.
    pub fn write(&self, path: &Path) -> Result<(), FhirError> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let name = path
            .file_name()
            .map_or_else(|| "state".into(), |n| n.to_string_lossy());
        let tmp = dir.join(format!(".{name}.tmp"));
        let text = serde_json::to_vec_pretty(self).map_err(|e| FhirError::Json {
            origin: Origin::new(&path.display().to_string()),
            detail: redact(&e),
        })?;
        std::fs::write(&tmp, text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FhirError + '_ {
    move |source| FhirError::Io {
        source_name: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "hrh-mirror-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn ids(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn history_pages_update_and_delete_and_applying_twice_changes_nothing() {
        let dir = temp();
        let mirror = Mirror::open(&dir).unwrap();
        let first = serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"resource": {"resourceType": "Practitioner", "id": "a", "gender": "female"}},
            {"resource": {"resourceType": "Practitioner", "id": "b"}},
            {"resource": {"resourceType": "Patient", "id": "x"}},
        ]});
        let applied = mirror.apply(Change::from_bundle(&first)).unwrap();
        assert_eq!(
            (applied.upserted, applied.deleted, applied.ignored),
            (2, 0, 1)
        );
        // A _history page: newest first; b updated twice (the newer wins), a deleted, c new.
        let history = serde_json::json!({"resourceType": "Bundle", "type": "history", "entry": [
            {"resource": {"resourceType": "Practitioner", "id": "b", "meta": {"lastUpdated": "2024-05-02T00:00:00Z"}, "gender": "male"},
             "request": {"method": "PUT", "url": "Practitioner/b"}},
            {"resource": {"resourceType": "Practitioner", "id": "b", "meta": {"lastUpdated": "2024-05-01T00:00:00Z"}, "gender": "other"},
             "request": {"method": "PUT", "url": "Practitioner/b"}},
            {"request": {"method": "DELETE", "url": "Practitioner/a/_history/3"}},
            {"resource": {"resourceType": "Practitioner", "id": "c"}, "request": {"method": "POST", "url": "Practitioner"}},
        ]});
        let changes = Change::from_bundle(&history);
        assert_eq!(changes.len(), 4);
        let applied = mirror.apply(changes.clone()).unwrap();
        assert_eq!(
            (applied.upserted, applied.deleted, applied.ignored),
            (2, 1, 1),
            "{applied:?}"
        );
        let file = dir.join("Practitioner.ndjson");
        assert_eq!(ids(&file), ["b", "c"]);
        assert!(std::fs::read_to_string(&file).unwrap().contains("\"male\""));
        let before = std::fs::read(&file).unwrap();
        mirror.apply(changes).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), before, "idempotent");
        assert_eq!(mirror.files(), vec![file]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn state_is_stored_only_when_saved() {
        let dir = temp();
        let mirror = Mirror::open(&dir).unwrap();
        assert_eq!(mirror.state().unwrap(), SyncState::default());
        let mut state = SyncState {
            base_url: Some("http://127.0.0.1:8090/fhir".into()),
            ..SyncState::default()
        };
        state
            .since
            .insert("Practitioner".into(), "2024-05-02T00:00:00Z".into());
        mirror.save_state(&state).unwrap();
        assert_eq!(Mirror::open(&dir).unwrap().state().unwrap(), state);
        std::fs::write(dir.join("state.json"), "{").unwrap();
        assert!(
            mirror
                .state()
                .unwrap_err()
                .to_string()
                .contains("state.json")
        );
    }

    #[test]
    fn older_state_files_read_without_pushed_totals_and_new_ones_keep_them() {
        let dir = temp();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        std::fs::write(
            &path,
            r#"{"base_url":"http://127.0.0.1:1/fhir","since":{"Practitioner":"2024-05-02T00:00:00Z"}}"#,
        )
        .unwrap();
        let mut state = SyncState::read(&path).unwrap();
        assert!(state.pushed.is_empty());
        assert_eq!(state.since.len(), 1);
        state.pushed.push(hrh_core::aggregate::guard::Pushed {
            dhis2: "http://127.0.0.1:2".into(),
            data_set: Some("FuMctq4PQpf".into()),
            period: "2024".into(),
            org_unit: None,
            counted: 120,
            at: "2025-01-01T00:00:00Z".into(),
        });
        state.write(&path).unwrap();
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"counted\": 120")
        );
        assert_eq!(SyncState::read(&path).unwrap(), state);
    }
}
