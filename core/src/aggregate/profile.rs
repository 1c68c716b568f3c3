//! The workforce profile: the stock cross-tabulated by every category the engine judges,
//! counted in the same run as the mapping's figures (see [`Aggregation::with_profile`]).
//!
//! A profile is what a workforce report draws from (age-sex pyramids per occupation,
//! migration, distribution by org unit): each [`ProfileCell`] is a number of workers in
//! the stock sharing one occupation, sex, age group, training, birth, employer ownership,
//! facility type and org unit. Summing cells ([`Profile::tally`]) gives any breakdown or
//! cross-tabulation with the engine's own rules, without counting records a second time.
//!
//! [`Aggregation::with_profile`]: super::Aggregation::with_profile

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::mapping::Origin;
use crate::age::AgeBand;
use crate::country::Country;
use crate::facility::ProviderClass;
use crate::occupation::IscoCode;
use crate::organization::Ownership;
use crate::sex::Sex;

/// The categories of one stock worker, as a compact key (org unit and target list by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CellKey {
    pub(crate) occupation: IscoCode,
    pub(crate) targets: u32,
    pub(crate) sex: Option<Sex>,
    pub(crate) age: Option<AgeBand>,
    pub(crate) training: Origin,
    pub(crate) training_country: Option<Country>,
    pub(crate) birth: Option<Origin>,
    pub(crate) ownership: Option<Ownership>,
    pub(crate) facility_type: Option<ProviderClass>,
    pub(crate) org_unit: Option<u32>,
}

/// Profile counts while the run is in progress.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally(pub(crate) HashMap<CellKey, u64>);

/// Workers in the stock sharing every category below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCell {
    /// The occupation of the stock employment (ISCO-08).
    pub occupation: IscoCode,
    /// Indexes (in the mapping's `targets`) of the figures whose population covers this
    /// occupation and specialties, whatever their measure and breakdown.
    pub targets: Vec<usize>,
    /// Sex; `None` when missing or invalid.
    pub sex: Option<Sex>,
    /// Age group on the reference date; `None` when the birth date does not give it.
    pub age: Option<AgeBand>,
    /// Place of training.
    pub training: Origin,
    /// Country of training, when recorded.
    pub training_country: Option<Country>,
    /// Place of birth; `None` when missing or invalid.
    pub birth: Option<Origin>,
    /// Employer ownership; `None` when unknown.
    pub ownership: Option<Ownership>,
    /// Facility provider class; `None` when unknown.
    pub facility_type: Option<ProviderClass>,
    /// The DHIS2 org unit of the facility; `None` when it has none.
    pub org_unit: Option<String>,
    /// How many workers.
    pub workers: u64,
}

/// The stock of one run cross-tabulated by every category (see the module docs).
///
/// ```
/// use hrh_core::aggregate::{Aggregation, Mapping, Options};
/// use hrh_core::synthetic::{Config, SyntheticRegistry};
/// let registry = SyntheticRegistry::new(Config { workers: 300, ..Config::default() }).to_registry();
/// let mapping = Mapping::builtin("nhwa-module1")?;
/// let options = Options { period: "2024".parse()?, home: hrh_core::Country::UZBEKISTAN, org_unit: Some("UZ".into()), suppress_below: None };
/// let result = Aggregation::new(&mapping, &options)?.with_profile().run(&registry);
/// let profile = result.profile.expect("asked for");
/// let by_sex = profile.tally(|_| true, |cell| cell.sex);
/// assert!(by_sex.values().sum::<u64>() <= profile.total(|_| true));
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The reference date the categories are judged at.
    pub reference_date: NaiveDate,
    /// The cells, in a deterministic order (by occupation, then the other categories).
    pub cells: Vec<ProfileCell>,
}

impl Profile {
    pub(crate) fn from_tally(
        tally: Tally,
        reference_date: NaiveDate,
        target_lists: &[Box<[u32]>],
        org_units: &[String],
    ) -> Self {
        let mut cells: Vec<ProfileCell> = tally
            .0
            .into_iter()
            .map(|(key, workers)| ProfileCell {
                occupation: key.occupation,
                targets: target_lists
                    .get(key.targets as usize)
                    .map(|list| list.iter().map(|t| *t as usize).collect())
                    .unwrap_or_default(),
                sex: key.sex,
                age: key.age,
                training: key.training,
                training_country: key.training_country,
                birth: key.birth,
                ownership: key.ownership,
                facility_type: key.facility_type,
                org_unit: key
                    .org_unit
                    .and_then(|i| org_units.get(i as usize))
                    .cloned(),
                workers,
            })
            .collect();
        cells.sort_by(|a, b| {
            (
                a.occupation,
                &a.targets,
                a.sex,
                a.age,
                a.training,
                a.training_country,
            )
                .cmp(&(
                    b.occupation,
                    &b.targets,
                    b.sex,
                    b.age,
                    b.training,
                    b.training_country,
                ))
                .then_with(|| {
                    (a.birth, a.ownership, a.facility_type, &a.org_unit).cmp(&(
                        b.birth,
                        b.ownership,
                        b.facility_type,
                        &b.org_unit,
                    ))
                })
        });
        Self {
            reference_date,
            cells,
        }
    }

    /// Workers in the cells that `filter` keeps.
    pub fn total(&self, filter: impl Fn(&ProfileCell) -> bool) -> u64 {
        self.cells
            .iter()
            .filter(|c| filter(c))
            .map(|c| c.workers)
            .sum()
    }

    /// Workers in the cells that `filter` keeps, by the key `by` gives (cells it gives
    /// `None` for are left out: a category not recorded).
    pub fn tally<K: Ord>(
        &self,
        filter: impl Fn(&ProfileCell) -> bool,
        by: impl Fn(&ProfileCell) -> Option<K>,
    ) -> BTreeMap<K, u64> {
        let mut counts = BTreeMap::new();
        for cell in self.cells.iter().filter(|c| filter(c)) {
            if let Some(key) = by(cell) {
                *counts.entry(key).or_default() += cell.workers;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    use super::super::{Aggregation, Breakdown, Category, Mapping, Measure, Options};
    use super::*;
    use crate::synthetic::{Config, SyntheticRegistry};

    #[test]
    fn the_profile_adds_up_to_the_mapping_figures_of_the_same_run() {
        let registry = SyntheticRegistry::new(Config {
            workers: 3_000,
            ..Config::default()
        })
        .to_registry();
        let mapping = Mapping::builtin("nhwa-module1").unwrap();
        let options = Options {
            period: "2024".parse().unwrap(),
            home: Country::UZBEKISTAN,
            org_unit: Some("UZ".into()),
            suppress_below: None,
        };
        let plain = Aggregation::new(&mapping, &options).unwrap().run(&registry);
        let result = Aggregation::new(&mapping, &options)
            .unwrap()
            .with_profile()
            .run_parallel(&registry, 3);
        assert_eq!(plain.values, result.values, "figures unchanged");
        assert_eq!(plain.account, result.account);
        let profile = result.profile.unwrap();
        assert!(profile.cells.iter().all(|c| c.workers > 0));
        assert!(
            profile.cells.iter().any(|c| c.org_unit.is_some()),
            "facility org units resolved"
        );
        let mut checked = 0;
        for (index, target) in mapping.targets.iter().enumerate() {
            if target.measure != Measure::Headcount {
                continue;
            }
            let mine = |c: &ProfileCell| c.targets.contains(&index);
            let figure = |combo: &str| {
                result
                    .values
                    .iter()
                    .find(|v| {
                        v.data_element == target.data_element
                            && v.category_option_combo.as_deref() == Some(combo)
                    })
                    .map(|v| v.value.as_f64() as u64)
            };
            match target.breakdown {
                Breakdown::None => {
                    let value = result
                        .values
                        .iter()
                        .find(|v| v.data_element == target.data_element)
                        .unwrap()
                        .value
                        .as_f64() as u64;
                    assert_eq!(profile.total(mine), value, "{:?}", target.name);
                    checked += 1;
                }
                Breakdown::Sex | Breakdown::AgeGroup => {
                    for (category, combo) in &target.combos {
                        let want = figure(combo).unwrap();
                        let got = profile.total(|c| {
                            mine(c)
                                && match category {
                                    Category::Sex(s) => c.sex == Some(*s),
                                    Category::Age(a) => c.age == Some(*a),
                                    _ => false,
                                }
                        });
                        assert_eq!(got, want, "{:?} {combo}", target.name);
                        checked += 1;
                    }
                }
                _ => {}
            }
        }
        assert!(checked > 50, "{checked}");
    }
}
