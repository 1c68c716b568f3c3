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

/// What is known of one employment, at the reference date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmploymentFacts {
    pub(crate) held: bool,
    pub(crate) occupation: Result<IscoCode, Reason>,
    pub(crate) specialty_bits: u64,
    pub(crate) fte: Option<f32>,
    pub(crate) start: Option<NaiveDate>,
    /// The first 16 bytes of the id, for the "lowest id" tie-break.
    pub(crate) tie: u128,
    pub(crate) ownership: Result<Ownership, Reason>,
    pub(crate) facility_type: Result<ProviderClass, Reason>,
    pub(crate) org_unit: Result<u32, Reason>,
    pub(crate) entered: bool,
    pub(crate) exited: bool,
}

/// A worker's employments reduced to what the figures need: the one employment
/// counted in the stock, and the occupations of any entry or exit in the period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EmploymentSummary {
    pub(crate) stock: Option<EmploymentFacts>,
    pub(crate) entry: Option<EmploymentFacts>,
    pub(crate) exit: Option<EmploymentFacts>,
}

impl EmploymentSummary {
    /// Adds one employment: the stock keeps the held employment with the highest
    /// FTE, then the earliest start, then the lowest id.
    pub fn merge(&mut self, facts: EmploymentFacts) {
        if facts.held
            && self
                .stock
                .is_none_or(|current| ranks_before(&facts, &current))
        {
            self.stock = Some(facts);
        }
        if facts.entered
            && self
                .entry
                .is_none_or(|current| ranks_before(&facts, &current))
        {
            self.entry = Some(facts);
        }
        if facts.exited
            && self
                .exit
                .is_none_or(|current| ranks_before(&facts, &current))
        {
            self.exit = Some(facts);
        }
    }
}

fn ranks_before(a: &EmploymentFacts, b: &EmploymentFacts) -> bool {
    let fte = |f: &EmploymentFacts| f.fte.unwrap_or(0.0);
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

/// The first 16 bytes of an id as a big-endian number: orders like the id itself for ids up to 16 bytes.
pub(crate) fn tie_key(id: &str) -> u128 {
    let mut bytes = [0u8; 16];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    u128::from_be_bytes(bytes)
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

    /// The bit of a specialty set in [`EmploymentFacts::specialty_bits`] (sets beyond 64 never match).
    pub(crate) fn specialty_bit(&self, set: &[Coding]) -> u64 {
        self.specialty_sets
            .iter()
            .position(|s| s == set)
            .and_then(|i| u32::try_from(i).ok())
            .and_then(|i| 1u64.checked_shl(i))
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
        let qualification_occupation = p
            .qualifications
            .iter()
            .filter_map(|q| q.code.as_ref())
            .find_map(|c| {
                IscoCode::parse(&c.code)
                    .ok()
                    .filter(|_| c.system.as_deref().is_some_and(|s| s.contains("isco")))
            });
        PractitionerFacts {
            active: p.is_active(),
            sex,
            age,
            training: training_country.map_or(Origin::Unknown, origin),
            training_country,
            birth: p
                .country_of_birth
                .map(origin)
                .ok_or(Reason::NoCountryOfBirth),
            licensed: p.is_active() && p.holds_licence_on(on),
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
        for (i, set) in self.specialty_sets.iter().enumerate().take(64) {
            if e.specialties.iter().any(|s| {
                set.iter()
                    .any(|c| c.code == s.code && (c.system.is_none() || c.system == s.system))
            }) {
                specialty_bits |= 1u64 << i;
            }
        }
        EmploymentFacts {
            held: e.is_held_on(on),
            occupation: match &e.occupation {
                Recorded::Valid(code) => Ok(*code),
                Recorded::Missing => Err(Reason::NoOccupation),
                Recorded::Invalid(_) => Err(Reason::UnrecognisedOccupation),
            },
            specialty_bits,
            #[allow(clippy::cast_possible_truncation)] // FTEs are small numbers
            fte: e.fte.map(|f| f as f32),
            start: e.period.start,
            tie: tie_key(&e.id),
            ownership: employer.and_then(|o| o.ownership).ok_or(Reason::OwnershipUnknown),
            facility_type: facility
                .and_then(|f| f.class)
                .or_else(|| service.and_then(|s| s.class))
                .ok_or(Reason::FacilityTypeUnknown),
            org_unit: facility.and_then(|f| f.org_unit).ok_or(Reason::NoOrgUnit),
            entered: within(e.period.start),
            exited: within(e.period.end),
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
