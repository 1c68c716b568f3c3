//! Data values in memory and the import rules of DOMAIN.md §2.1–2.2: upserts,
//! conflicts for unknown data elements, org units, option combos and periods,
//! dry runs, deletes, counts, and 2.43's `atomic`.

use std::collections::BTreeMap;

use hrh_dhis2::DataValue;
use hrh_dhis2::DataValueSet;
use hrh_dhis2::import_summary::{Conflict, ImportCount, ImportStatus, ImportSummary};

use crate::model::Metadata;

/// DHIS2's default attribute option combo.
pub const DEFAULT_AOC: &str = "HllvX50cXC0";

/// What identifies a data value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    pub coc: String,
    pub aoc: String,
}

/// A stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub value: Option<String>,
    pub comment: Option<String>,
    pub followup: bool,
    pub deleted: bool,
    /// Who stored it.
    pub by: String,
    pub created: String,
    pub last_updated: String,
}

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportParams {
    pub dry_run: bool,
    /// `CREATE_AND_UPDATE`, `CREATE`, `UPDATE` or `DELETE`.
    pub strategy: String,
    pub atomic: bool,
    /// 2.43 error codes and delete rules.
    pub v243: bool,
    /// Id schemes for data elements, org units and option combos (`UID`, `CODE`, `NAME`).
    pub de_scheme: String,
    pub ou_scheme: String,
    pub coc_scheme: String,
    pub user: String,
}

/// Collects conflicts, merging those with the same code and object.
#[derive(Default)]
struct Conflicts {
    list: Vec<Conflict>,
    rejected: Vec<usize>,
}

impl Conflicts {
    fn add(&mut self, index: usize, code: &str, property: &str, object: &str, message: String) {
        if !self.rejected.contains(&index) {
            self.rejected.push(index);
        }
        if let Some(c) = self
            .list
            .iter_mut()
            .find(|c| c.error_code.as_deref() == Some(code) && c.object.as_deref() == Some(object))
        {
            c.indexes.push(index);
            return;
        }
        self.list.push(Conflict {
            object: Some(object.to_owned()),
            objects: BTreeMap::from([(property.to_owned(), object.to_owned())]),
            value: Some(message),
            error_code: Some(code.to_owned()),
            property: Some(property.to_owned()),
            indexes: vec![index],
        });
    }
}

/// Finds an object's UID under an id scheme.
fn resolve<'a>(
    scheme: &str,
    given: &str,
    candidates: impl Iterator<Item = (&'a str, Option<&'a str>, &'a str)>,
) -> Option<String> {
    for (id, code, name) in candidates {
        let hit = match scheme.to_ascii_uppercase().as_str() {
            "CODE" => code == Some(given),
            "NAME" => name == given,
            _ => id == given,
        };
        if hit {
            return Some(id.to_owned());
        }
    }
    None
}

/// What one valid value does to the store.
enum Effect {
    Write(Stored),
    Delete,
}

/// Runs an import against `store`; returns the summary (nothing written on a
/// dry run or an atomic import with conflicts).
pub fn import(
    meta: &Metadata,
    store: &mut BTreeMap<Key, Stored>,
    set: &DataValueSet,
    params: &ImportParams,
    now: &str,
) -> ImportSummary {
    let codes = if params.v243 {
        ["E8103", "E8107", "E8108", "E7611", "E8120", "E8122"]
    } else {
        ["E7610", "E7612", "E7613", "E7611", "E7618", "E7619"]
    };
    let [
        de_code,
        ou_code,
        coc_code,
        pe_code,
        no_value_code,
        type_code,
    ] = codes;
    let mut conflicts = Conflicts::default();
    let mut count = ImportCount::default();
    let mut effects: Vec<(Key, Effect)> = Vec::new();
    for (index, value) in set.resolved_values().enumerate() {
        let Some(key) = key_of(
            meta,
            &value,
            params,
            index,
            &mut conflicts,
            [de_code, ou_code, coc_code, pe_code],
        ) else {
            continue;
        };
        let delete_asked = params.strategy == "DELETE"
            || value.deleted == Some(true)
            || (blank(value.value.as_ref()) && blank(value.comment.as_ref()));
        if !delete_asked {
            let numeric = meta
                .data_element(&key.data_element)
                .is_some_and(|de| de.value_type.contains("INTEGER") || de.value_type == "NUMBER");
            let text = value.value.as_deref().unwrap_or("").trim();
            if numeric && !text.is_empty() && text.parse::<f64>().is_err() {
                conflicts.add(
                    index,
                    type_code,
                    "value",
                    text,
                    format!(
                        "Value must match data element's `{}` type constraints",
                        key.data_element
                    ),
                );
                continue;
            }
        }
        let existing = store.get(&key).filter(|s| !s.deleted);
        if delete_asked {
            if existing.is_some() {
                effects.push((key, Effect::Delete));
            } else if params.strategy == "DELETE" {
                conflicts.add(
                    index,
                    no_value_code,
                    "value",
                    &key.data_element,
                    "Data value does not exist and cannot be deleted".to_owned(),
                );
            } else {
                count.ignored += 1;
            }
            continue;
        }
        let fresh = Stored {
            value: value.value.clone(),
            comment: value.comment.clone(),
            followup: value.followup.unwrap_or(false),
            deleted: false,
            by: params.user.clone(),
            created: existing.map_or_else(|| now.to_owned(), |e| e.created.clone()),
            last_updated: now.to_owned(),
        };
        match (existing, params.strategy.as_str()) {
            (Some(_), "CREATE") | (None, "UPDATE") => count.ignored += 1,
            (Some(old), _)
                if old.value == fresh.value
                    && old.comment == fresh.comment
                    && old.followup == fresh.followup =>
            {
                count.ignored += 1;
            }
            _ => effects.push((key, Effect::Write(fresh))),
        }
    }
    let abort = params.atomic && !conflicts.list.is_empty();
    apply(store, effects, &mut count, params.dry_run || abort, now);
    summary(count, conflicts, abort)
}

/// The summary of an import from its counts and conflicts.
fn summary(mut count: ImportCount, mut conflicts: Conflicts, abort: bool) -> ImportSummary {
    count.ignored += u64::try_from(conflicts.rejected.len()).unwrap_or(u64::MAX);
    if abort {
        count.ignored += count.imported + count.updated + count.deleted;
        count.imported = 0;
        count.updated = 0;
        count.deleted = 0;
    }
    conflicts.rejected.sort_unstable();
    let status = if abort {
        ImportStatus::Error
    } else if conflicts.list.is_empty() {
        ImportStatus::Success
    } else {
        ImportStatus::Warning
    };
    ImportSummary {
        response_type: Some("ImportSummary".to_owned()),
        status,
        description: Some(match status {
            ImportStatus::Success => "Import process completed successfully".to_owned(),
            ImportStatus::Warning => "Import process completed with conflicts".to_owned(),
            ImportStatus::Error => "Atomic import aborted: some values are invalid".to_owned(),
        }),
        import_count: count,
        conflicts: conflicts.list,
        rejected_indexes: conflicts.rejected,
    }
}

/// Counts the effects and, unless `count_only`, writes them.
fn apply(
    store: &mut BTreeMap<Key, Stored>,
    effects: Vec<(Key, Effect)>,
    count: &mut ImportCount,
    count_only: bool,
    now: &str,
) {
    for (key, effect) in effects {
        let existed = store.get(&key).is_some_and(|s| !s.deleted);
        match effect {
            Effect::Delete => count.deleted += 1,
            Effect::Write(_) if existed => count.updated += 1,
            Effect::Write(_) => count.imported += 1,
        }
        if count_only {
            continue;
        }
        match effect {
            Effect::Delete => {
                if let Some(stored) = store.get_mut(&key) {
                    stored.deleted = true;
                    now.clone_into(&mut stored.last_updated);
                }
            }
            Effect::Write(stored) => {
                store.insert(key, stored);
            }
        }
    }
}

fn blank(text: Option<&String>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// Resolves and checks a value's identifiers; records conflicts and returns `None` when any is bad.
fn key_of(
    meta: &Metadata,
    value: &DataValue,
    params: &ImportParams,
    index: usize,
    conflicts: &mut Conflicts,
    [de_code, ou_code, coc_code, pe_code]: [&str; 4],
) -> Option<Key> {
    let before = conflicts.rejected.len();
    let de = resolve(
        &params.de_scheme,
        &value.data_element,
        meta.data_elements
            .iter()
            .map(|d| (d.id.as_str(), d.code.as_deref(), d.name.as_str())),
    );
    if de.is_none() {
        let object = &value.data_element;
        conflicts.add(
            index,
            de_code,
            "dataElement",
            object,
            format!("Data element not found or not accessible: `{object}`"),
        );
    }
    let ou_given = value.org_unit.clone().unwrap_or_default();
    let ou = resolve(
        &params.ou_scheme,
        &ou_given,
        meta.org_units
            .iter()
            .map(|o| (o.id.as_str(), o.code.as_deref(), o.name.as_str())),
    );
    if ou.is_none() {
        conflicts.add(
            index,
            ou_code,
            "orgUnit",
            &ou_given,
            format!("Org unit not found or not accessible: `{ou_given}`"),
        );
    }
    let period = value.period.clone().unwrap_or_default();
    if hrh_core::Period::parse(&period).is_err() {
        conflicts.add(
            index,
            pe_code,
            "period",
            &period,
            format!("Period not valid: `{period}`"),
        );
    }
    let coc = match (&value.category_option_combo, &de) {
        (Some(given), _) => resolve(
            &params.coc_scheme,
            given,
            meta.cocs
                .iter()
                .map(|c| (c.id.as_str(), c.code.as_deref(), c.name.as_str())),
        ),
        (None, Some(de)) => {
            let combo = meta
                .data_element(de)
                .map(|d| d.category_combo.clone())
                .unwrap_or_default();
            match meta.combo_cocs(&combo).as_slice() {
                [only] => Some(only.id.clone()),
                _ => None,
            }
        }
        (None, None) => Some(String::new()),
    };
    if coc.is_none() {
        let object = value
            .category_option_combo
            .clone()
            .unwrap_or_else(|| "default".to_owned());
        conflicts.add(
            index,
            coc_code,
            "categoryOptionCombo",
            &object,
            format!("Category option combo not found or not accessible: `{object}`"),
        );
    }
    if conflicts.rejected.len() > before {
        return None;
    }
    Some(Key {
        data_element: de?,
        period,
        org_unit: ou?,
        coc: coc?,
        aoc: value
            .attribute_option_combo
            .clone()
            .unwrap_or_else(|| DEFAULT_AOC.to_owned()),
    })
}
