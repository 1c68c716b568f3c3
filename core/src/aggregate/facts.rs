//! Compact per-worker facts: what the aggregation needs of each record, judged
//! at the reference date. This is the one place where records become figures'
//! inputs; the in-memory and the streaming paths both go through it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;

use super::account::Reason;
use super::mapping::{Mapping, OrgUnitRule, Origin};
use crate::age::AgeBand;
use crate::coding::{Coding, IdentifierKind, Recorded};
use crate::country::Country;
use crate::employment::Employment;
use crate::facility::{Facility, OrgUnitRef, ProviderClass};
use crate::occupation::IscoCode;
use crate::organization::{Organization, Ownership};
use crate::period::Period;
use crate::practitioner::Practitioner;
use crate::service::HealthService;
use crate::sex::Sex;

/// What is known of a worker's own record, at the reference date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PractitionerFacts {
    pub(crate) active: bool,
    pub(crate) sex: Result<Sex, Reason>,
    pub(crate) age: Result<AgeBand, Reason>,
    pub(crate) training: Origin,
    pub(crate) training_country: Option<Country>,
    pub(crate) birth: Result<Origin, Reason>,
    pub(crate) licensed: bool,
    pub(crate) qualification_occupation: Option<IscoCode>,
}

/// What is known of one employment, at the reference date (44 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmploymentFacts {
    pub(crate) occupation: Result<IscoCode, Reason>,
    pub(crate) specialty_bits: u32,
    /// Full-time equivalent; NaN when unknown.
    fte: f32,
    start: Option<NaiveDate>,
    /// The first 16 bytes of the id, for the "lowest id" tie-break.
    tie: [u8; 16],
    /// Org unit index; [`NO_ORG_UNIT`] when the facility has none.
    org_unit: u32,
    ownership: Option<Ownership>,
    facility_type: Option<ProviderClass>,
    flags: u8,
}

const HELD: u8 = 1;
const ENTERED: u8 = 2;
const EXITED: u8 = 4;
const NO_ORG_UNIT: u32 = u32::MAX;

impl EmploymentFacts {
    pub(crate) fn held(&self) -> bool {
        self.flags & HELD != 0
    }

    pub(crate) fn fte(&self) -> Option<f32> {
        (!self.fte.is_nan()).then_some(self.fte)
    }

    pub(crate) fn ownership(&self) -> Result<Ownership, Reason> {
        self.ownership.ok_or(Reason::OwnershipUnknown)
    }

    pub(crate) fn facility_type(&self) -> Result<ProviderClass, Reason> {
        self.facility_type.ok_or(Reason::FacilityTypeUnknown)
    }

    pub(crate) fn org_unit(&self) -> Result<u32, Reason> {
        if self.org_unit == NO_ORG_UNIT {
            Err(Reason::NoOrgUnit)
        } else {
            Ok(self.org_unit)
        }
    }
}

/// A worker's employments reduced to what the figures need: the one employment
/// counted in the stock, and (in a side table, as they are rare) any entry or exit in the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EmploymentSummary {
    pub(crate) stock: Option<EmploymentFacts>,
    /// Index into the moves table, [`NO_MOVES`] when none.
    moves: u32,
}

const NO_MOVES: u32 = u32::MAX;

/// Entries and exits of one worker within the period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Moves {
    pub(crate) entry: Option<EmploymentFacts>,
    pub(crate) exit: Option<EmploymentFacts>,
}

impl Default for EmploymentSummary {
    fn default() -> Self {
        Self {
            stock: None,
            moves: NO_MOVES,
        }
    }
}

/// Every worker's [`EmploymentSummary`], by practitioner id key; slots are reused once a worker is counted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Summaries {
    index: KeyMap<u32>,
    slots: Vec<EmploymentSummary>,
    moves: Vec<Moves>,
    free: Vec<u32>,
}

impl Summaries {
    /// Adds one employment of the worker `key`: the stock keeps the held employment with
    /// the highest FTE, then the earliest start, then the lowest id; entries and exits the lowest id.
    pub(crate) fn merge(&mut self, key: u64, facts: EmploymentFacts) {
        let slot = if let Some(slot) = self.index.get(&key) {
            *slot
        } else {
            let slot = self.free.pop().unwrap_or_else(|| {
                self.slots.push(EmploymentSummary::default());
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            });
            self.index.insert(key, slot);
            slot
        };
        let Some(summary) = self.slots.get_mut(slot as usize) else {
            return;
        };
        if facts.held()
            && summary
                .stock
                .is_none_or(|current| ranks_before(&facts, &current))
        {
            summary.stock = Some(facts);
        }
        if facts.flags & (ENTERED | EXITED) != 0 {
            if summary.moves == NO_MOVES {
                self.moves.push(Moves::default());
                summary.moves = u32::try_from(self.moves.len() - 1).unwrap_or(NO_MOVES);
            }
            if let Some(moves) = self.moves.get_mut(summary.moves as usize) {
                if facts.flags & ENTERED != 0 && moves.entry.is_none_or(|m| facts.tie < m.tie) {
                    moves.entry = Some(facts);
                }
                if facts.flags & EXITED != 0 && moves.exit.is_none_or(|m| facts.tie < m.tie) {
                    moves.exit = Some(facts);
                }
            }
        }
    }

    /// Removes and returns the worker's summary and moves (empty when they had no employment).
    pub(crate) fn take(&mut self, key: u64) -> (Option<EmploymentFacts>, Moves) {
        let Some(slot) = self.index.remove(&key) else {
            return (None, Moves::default());
        };
        self.free.push(slot);
        let summary = self
            .slots
            .get_mut(slot as usize)
            .map(std::mem::take)
            .unwrap_or_default();
        let moves = self
            .moves
            .get(summary.moves as usize)
            .copied()
            .unwrap_or_default();
        (summary.stock, moves)
    }

    /// Workers with employments not yet taken.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }
}

fn ranks_before(a: &EmploymentFacts, b: &EmploymentFacts) -> bool {
    let fte = |f: &EmploymentFacts| f.fte().unwrap_or(0.0);
    match fte(a).total_cmp(&fte(b)) {
        std::cmp::Ordering::Greater => return true,
        std::cmp::Ordering::Less => return false,
        std::cmp::Ordering::Equal => {}
    }
    // Earliest start first; an unknown start counts as earliest (it began before records).
    match (a.start, b.start) {
        (x, y) if x != y => return x < y,
        _ => {}
    }
    a.tie < b.tie
}

/// The first 16 bytes of an id: compares like the id itself for ids up to 16 bytes.
pub(crate) fn tie_key(id: &str) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    bytes
}

/// A 64-bit key for a record id (`SipHash` with fixed keys, so stable within a run).
pub(crate) fn id_key(id: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(id.as_bytes());
    hasher.finish()
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by [`id_key`].
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

#[derive(Debug, Clone, Copy)]
struct OrgFacts {
    ownership: Option<Ownership>,
    country: Option<Country>,
}

#[derive(Debug, Clone, Copy)]
struct ServiceFacts {
    class: Option<ProviderClass>,
    provided_by: Option<u64>,
    location: Option<u64>,
}

#[derive(Debug, Clone)]
struct FacilityFacts {
    class: Option<ProviderClass>,
    org_unit: Option<u32>,
    managing_organization: Option<u64>,
}

/// Organisations and facilities reduced to what employments need, and the
/// rules that turn records into facts.
#[derive(Debug, Clone)]
pub struct Judge {
    pub(crate) reference_date: NaiveDate,
    pub(crate) period: Period,
    pub(crate) home: Country,
    specialty_sets: Vec<Vec<Coding>>,
    ownership_table: Vec<(Coding, Ownership)>,
    facility_table: Vec<(Coding, ProviderClass)>,
    facility_rule: Option<std::collections::BTreeMap<String, String>>,
    organizations: KeyMap<OrgFacts>,
    facilities: KeyMap<FacilityFacts>,
    services: KeyMap<ServiceFacts>,
    pub(crate) org_units: Vec<String>,
    org_unit_index: HashMap<String, u32>,
}

impl Judge {
    pub(crate) fn new(mapping: &Mapping, period: Period, home: Country) -> Self {
        let mut specialty_sets: Vec<Vec<Coding>> = Vec::new();
        for target in &mapping.targets {
            for set in [
                &target.population.specialties,
                &target.population.not_specialties,
            ] {
                if !set.is_empty() && !specialty_sets.contains(set) {
                    specialty_sets.push(set.clone());
                }
            }
        }
        Self {
            reference_date: period.end(),
            period,
            home,
            specialty_sets,
            ownership_table: mapping.ownership.clone(),
            facility_table: mapping.facility_types.clone(),
            facility_rule: match &mapping.org_unit {
                OrgUnitRule::Facility { lookup } => Some(lookup.clone()),
                OrgUnitRule::National { .. } => None,
            },
            organizations: KeyMap::default(),
            facilities: KeyMap::default(),
            services: KeyMap::default(),
            org_units: Vec::new(),
            org_unit_index: HashMap::new(),
        }
    }

    /// The bit of a specialty set in [`EmploymentFacts::specialty_bits`] (sets beyond 32 never match).
    pub(crate) fn specialty_bit(&self, set: &[Coding]) -> u32 {
        self.specialty_sets
            .iter()
            .position(|s| s == set)
            .and_then(|i| u32::try_from(i).ok())
            .and_then(|i| 1u32.checked_shl(i))
            .unwrap_or(0)
    }

    pub(crate) fn add_organization(&mut self, org: &Organization) {
        let ownership = org
            .ownership
            .or_else(|| lookup(&self.ownership_table, &org.types));
        self.organizations.insert(
            id_key(&org.id),
            OrgFacts {
                ownership,
                country: org.country,
            },
        );
    }

    pub(crate) fn add_facility(&mut self, facility: &Facility) {
        let class = facility
            .provider_class
            .or_else(|| lookup(&self.facility_table, &facility.types));
        let org_unit = self.facility_rule.as_ref().and_then(|table| {
            let from_record = match &facility.org_unit {
                Some(OrgUnitRef::Uid(uid) | OrgUnitRef::Code(uid)) => Some(uid.clone()),
                None => facility
                    .identifiers
                    .iter()
                    .find(|i| {
                        matches!(i.kind, IdentifierKind::Dhis2Uid | IdentifierKind::Dhis2Code)
                    })
                    .map(|i| i.value.clone()),
            };
            from_record.or_else(|| table.get(&facility.id).cloned())
        });
        let org_unit = org_unit.map(|ou| self.intern_org_unit(ou));
        let managing_organization = facility.managing_organization.as_deref().map(id_key);
        self.facilities.insert(
            id_key(&facility.id),
            FacilityFacts {
                class,
                org_unit,
                managing_organization,
            },
        );
    }

    pub(crate) fn add_service(&mut self, service: &HealthService) {
        let facts = ServiceFacts {
            class: lookup(&self.facility_table, &service.types),
            provided_by: service.provided_by.as_deref().map(id_key),
            location: service.locations.first().map(|l| id_key(l)),
        };
        self.services.insert(id_key(&service.id), facts);
    }

    fn intern_org_unit(&mut self, org_unit: String) -> u32 {
        if let Some(i) = self.org_unit_index.get(&org_unit) {
            return *i;
        }
        let i = u32::try_from(self.org_units.len()).unwrap_or(u32::MAX);
        self.org_unit_index.insert(org_unit.clone(), i);
        self.org_units.push(org_unit);
        i
    }

    /// The facts of a worker's own record.
    pub fn practitioner(&self, p: &Practitioner) -> PractitionerFacts {
        let on = self.reference_date;
        let sex = match &p.sex {
            Recorded::Valid(sex) => Ok(*sex),
            Recorded::Missing => Err(Reason::NoSex),
            Recorded::Invalid(_) => Err(Reason::InvalidSex),
        };
        let age = match &p.birth_date {
            Recorded::Missing => Err(Reason::NoBirthDate),
            Recorded::Invalid(_) => Err(Reason::InvalidBirthDate),
            Recorded::Valid(born) if born.earliest().is_none_or(|d| d > on) => {
                Err(Reason::BornAfterReferenceDate)
            }
            Recorded::Valid(born) => born
                .age_on(on)
                .map(AgeBand::of_age)
                .ok_or(Reason::ImpreciseBirthDate),
        };
        let training = p.training_qualification();
        let training_country = training.and_then(|q| {
            q.country.or_else(|| {
                q.issuer
                    .as_deref()
                    .and_then(|id| self.organizations.get(&id_key(id)))
                    .and_then(|o| o.country)
            })
        });
        let origin = |country: Country| {
            if country == self.home {
                Origin::Domestic
            } else {
                Origin::Foreign
            }
        };
        let licensed = p.is_active() && p.holds_licence_on(on);
        // Only a licensed worker needs an occupation from their qualifications.
        let qualification_occupation = if licensed {
            p.qualifications
                .iter()
                .filter_map(|q| q.code.as_ref())
                .filter(|c| c.system.as_deref().is_some_and(|s| s.contains("isco")))
                .find_map(|c| IscoCode::parse(&c.code).ok())
        } else {
            None
        };
        PractitionerFacts {
            active: p.is_active(),
            sex,
            age,
            training: training_country.map_or(Origin::Unknown, origin),
            training_country,
            birth: match &p.country_of_birth {
                Recorded::Valid(country) => Ok(origin(*country)),
                Recorded::Missing => Err(Reason::NoCountryOfBirth),
                Recorded::Invalid(_) => Err(Reason::InvalidCountryOfBirth),
            },
            licensed,
            qualification_occupation,
        }
    }

    /// The facts of one employment.
    pub fn employment(&self, e: &Employment) -> EmploymentFacts {
        let on = self.reference_date;
        let service = e
            .service
            .as_deref()
            .and_then(|id| self.services.get(&id_key(id)));
        let facility = e
            .facility
            .as_deref()
            .map(id_key)
            .or_else(|| service.and_then(|s| s.location))
            .and_then(|key| self.facilities.get(&key));
        let employer = e
            .employer
            .as_deref()
            .map(id_key)
            .or_else(|| service.and_then(|s| s.provided_by))
            .or_else(|| facility.and_then(|f| f.managing_organization))
            .and_then(|key| self.organizations.get(&key));
        let within = |d: Option<NaiveDate>| d.is_some_and(|d| self.period.contains(d));
        let mut specialty_bits = 0;
        for (i, set) in self.specialty_sets.iter().enumerate().take(32) {
            if e.specialties.iter().any(|s| {
                set.iter()
                    .any(|c| c.code == s.code && (c.system.is_none() || c.system == s.system))
            }) {
                specialty_bits |= 1u32 << i;
            }
        }
        let mut flags = 0;
        if e.is_held_on(on) {
            flags |= HELD;
        }
        if within(e.period.start) {
            flags |= ENTERED;
        }
        if within(e.period.end) {
            flags |= EXITED;
        }
        EmploymentFacts {
            occupation: match &e.occupation {
                Recorded::Valid(code) => Ok(*code),
                Recorded::Missing => Err(Reason::NoOccupation),
                Recorded::Invalid(_) => Err(Reason::UnrecognisedOccupation),
            },
            specialty_bits,
            #[allow(clippy::cast_possible_truncation)] // FTEs are small numbers
            fte: e.fte.map_or(f32::NAN, |f| f as f32),
            start: e.period.start,
            tie: tie_key(&e.id),
            ownership: employer.and_then(|o| o.ownership),
            facility_type: facility.and_then(|f| f.class).or_else(|| service.and_then(|s| s.class)),
            org_unit: facility.and_then(|f| f.org_unit).unwrap_or(NO_ORG_UNIT),
            flags,
        }
    }
}

/// The first table entry whose coding matches one of `codings` (system and code; a table entry without system matches any system).
fn lookup<T: Copy>(table: &[(Coding, T)], codings: &[Coding]) -> Option<T> {
    codings.iter().find_map(|c| {
        table
            .iter()
            .find(|(key, _)| key.code == c.code && (key.system.is_none() || key.system == c.system))
            .map(|(_, v)| *v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_worker_facts_stay_compact() {
        // The streaming path keeps one summary per worker until the worker is counted.
        assert!(
            std::mem::size_of::<EmploymentFacts>() <= 44,
            "{}",
            std::mem::size_of::<EmploymentFacts>()
        );
        assert!(
            std::mem::size_of::<EmploymentSummary>() <= 48,
            "{}",
            std::mem::size_of::<EmploymentSummary>()
        );
        assert!(
            std::mem::size_of::<PractitionerFacts>() <= 24,
            "{}",
            std::mem::size_of::<PractitionerFacts>()
        );
    }
}
