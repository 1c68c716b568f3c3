//! A deterministic synthetic national workforce registry, for demos, tests and benchmarks.
//!
//! Each worker is generated from the seed and its own index, so any slice of a
//! registry of a million workers can be produced on its own (and in parallel)
//! and the same seed always gives the same registry.
//!
//! ```
//! use hrh_core::synthetic::{Config, SyntheticRegistry};
//! let registry = SyntheticRegistry::new(Config { workers: 100, ..Config::default() });
//! let (first, jobs) = registry.worker(0);
//! assert_eq!(first.id, "hw-0000000");
//! assert_eq!(registry.worker(0).0, first, "deterministic");
//! assert!(registry.facilities().len() >= 10);
//! # let _ = jobs;
//! ```

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::coding::{Coding, Identifier, IdentifierKind, Recorded};
use crate::country::Country;
use crate::date::{DateRange, PartialDate};
use crate::employment::{
    ContractType, Employment, EmploymentStatus, ExitReason, PayPeriod, Salary,
};
use crate::facility::{Facility, GeoPoint, OrgUnitRef};
use crate::occupation::IscoCode;
use crate::organization::{Organization, Ownership};
use crate::practitioner::{Practitioner, Qualification};
use crate::sex::Sex;

/// The ISCO-08 code system URI used in generated roles.
pub const ISCO08_SYSTEM: &str = "http://www.ilo.org/public/english/bureau/stat/isco/isco08";
/// The code system of generated facility ownership codes on `Organization.type`.
pub const OWNERSHIP_SYSTEM: &str = "https://hrh.dev/fhir/CodeSystem/facility-ownership";
/// v3 `ServiceDeliveryLocationRoleType`, used for generated `Location.type`.
pub const LOCATION_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
/// Identifier system of generated national health-worker ids.
pub const NATIONAL_ID_SYSTEM: &str = "https://hrh.dev/fhir/sid/national-health-worker-id";
/// Identifier system of generated licence numbers.
pub const LICENCE_SYSTEM: &str = "https://hrh.dev/fhir/sid/licence";

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Number of workers (default 1,000).
    pub workers: usize,
    /// Seed (default 42).
    pub seed: u64,
    /// The home country (default Uzbekistan, `UZ`).
    pub country: Country,
    /// The year the registry describes; employments and licences run into it (default 2024).
    pub year: i32,
    /// Whether about 1 % of records carry deliberate mistakes (default true).
    pub bad_records: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            workers: 1_000,
            seed: 42,
            country: Country::UZBEKISTAN,
            year: 2024,
            bad_records: true,
        }
    }
}

/// Occupation mix: (ISCO-08 unit group, weight in thousandths, share female in percent).
const OCCUPATIONS: [(&str, u32, u32); 16] = [
    ("3221", 250, 88),
    ("2221", 150, 85),
    ("2222", 30, 99),
    ("3222", 40, 99),
    ("2211", 110, 50),
    ("2212", 70, 45),
    ("2261", 20, 55),
    ("2262", 25, 65),
    ("3213", 30, 70),
    ("3212", 40, 60),
    ("3211", 15, 45),
    ("3253", 90, 70),
    ("5321", 50, 80),
    ("2264", 10, 60),
    ("3256", 20, 55),
    ("221", 30, 50),
];

/// Foreign countries workers trained or were born in.
const ABROAD: [&str; 6] = ["RU", "KZ", "IN", "TR", "UA", "CU"];

/// The code system of SHA 2011 provider classes, used where v3 `RoleCode` has no fitting code.
pub const SHA_PROVIDER_SYSTEM: &str = "https://hrh.dev/fhir/CodeSystem/sha-provider";

/// Facility kinds: (code system, code, share in percent).
const FACILITY_TYPES: [(&str, &str, u32); 6] = [
    (LOCATION_TYPE_SYSTEM, "HOSP", 35),
    (LOCATION_TYPE_SYSTEM, "NCCF", 5),
    (LOCATION_TYPE_SYSTEM, "PC", 40),
    (LOCATION_TYPE_SYSTEM, "MBL", 8),
    (LOCATION_TYPE_SYSTEM, "PHARM", 7),
    (SHA_PROVIDER_SYSTEM, "HP.6", 5),
];

/// A synthetic registry: organisations, facilities and workers with their employments.
#[derive(Debug, Clone)]
pub struct SyntheticRegistry {
    config: Config,
    organizations: Vec<Organization>,
    facilities: Vec<Facility>,
}

impl SyntheticRegistry {
    /// Builds the organisations and facilities; workers are made on demand.
    pub fn new(config: Config) -> Self {
        let count = (config.workers / 50).clamp(10, 20_000);
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed_fac1);
        let mut organizations = Vec::with_capacity(count + 2);
        let mut facilities = Vec::with_capacity(count);
        for i in 0..count {
            let ownership = match rng.random_range(0..100) {
                0..60 => Ownership::Public,
                60..85 => Ownership::PrivateForProfit,
                _ => Ownership::PrivateNotForProfit,
            };
            let (system, code, _) = pick(
                &mut rng,
                &FACILITY_TYPES,
                |(_, _, w)| *w,
                (LOCATION_TYPE_SYSTEM, "HOSP", 0),
            );
            let org_id = format!("org-{i:05}");
            organizations.push(Organization {
                id: org_id.clone(),
                identifiers: vec![Identifier::new(
                    IdentifierKind::Registry,
                    Some("https://hrh.dev/fhir/sid/organization"),
                    &org_id,
                )],
                name: Some(format!("Health provider {i}")),
                active: Some(true),
                types: vec![Coding::new(
                    Some(OWNERSHIP_SYSTEM),
                    ownership_code(ownership),
                )],
                ownership: None,
                part_of: None,
                country: Some(config.country),
            });
            let uid = dhis2_like_uid(&mut rng);
            facilities.push(Facility {
                id: format!("loc-{i:05}"),
                identifiers: vec![Identifier::new(
                    IdentifierKind::Dhis2Uid,
                    Some("http://dhis2.org/identifiertypes#id"),
                    &uid,
                )],
                name: Some(format!("Facility {i}")),
                types: vec![Coding::new(Some(system), code)],
                provider_class: None,
                part_of: None,
                managing_organization: Some(org_id),
                position: Some(GeoPoint {
                    latitude: f64::from(37_000 + rng.random_range(0..6000u32)) / 1000.0,
                    longitude: f64::from(56_000 + rng.random_range(0..17000u32)) / 1000.0,
                }),
                org_unit: Some(OrgUnitRef::Uid(uid)),
            });
        }
        // Domestic graduates point at this school; foreign ones name a school abroad in
        // the qualification itself (issuer name and country only, as registries record them).
        organizations.push(Organization {
            id: "school-0".to_owned(),
            name: Some("National medical university".to_owned()),
            country: Some(config.country),
            ..Organization::default()
        });
        Self {
            config,
            organizations,
            facilities,
        }
    }

    /// The settings it was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Employers and training institutions.
    pub fn organizations(&self) -> &[Organization] {
        &self.organizations
    }

    /// Facilities.
    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }

    /// The whole registry in memory (for small registries; large ones stream [`Self::workers`]).
    pub fn to_registry(&self) -> crate::registry::Registry {
        let mut registry = crate::registry::Registry {
            organizations: self.organizations.clone(),
            facilities: self.facilities.clone(),
            ..crate::registry::Registry::default()
        };
        for (practitioner, jobs) in self.workers() {
            registry.practitioners.push(practitioner);
            registry.employments.extend(jobs);
        }
        registry
    }

    /// Every worker with their employments, in index order.
    pub fn workers(&self) -> impl Iterator<Item = (Practitioner, Vec<Employment>)> + '_ {
        (0..self.config.workers).map(|i| self.worker(i))
    }

    /// Worker number `index` and their employments.
    pub fn worker(&self, index: usize) -> (Practitioner, Vec<Employment>) {
        let config = &self.config;
        let mut rng = ChaCha8Rng::seed_from_u64(
            config.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ index as u64,
        );
        let id = format!("hw-{index:07}");
        let (occupation, _, female_share) =
            pick(&mut rng, &OCCUPATIONS, |(_, w, _)| *w, ("3221", 0, 88));
        let sex = if rng.random_range(0..100) < female_share {
            Sex::Female
        } else {
            Sex::Male
        };
        let age = rng.random_range(22..68);
        let born = NaiveDate::from_ymd_opt(
            config.year - age,
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        );
        let foreign_born = rng.random_range(0..100) < 5;
        let foreign_trained = rng.random_range(0..100) < 8;
        let abroad = |rng: &mut ChaCha8Rng| {
            ABROAD
                .get(rng.random_range(0..ABROAD.len()))
                .and_then(|c| Country::parse(c).ok())
        };
        let graduated = config.year - age + 23;
        let training_country = if foreign_trained {
            abroad(&mut rng)
        } else {
            Some(config.country)
        };
        let mut practitioner = Practitioner {
            id: id.clone(),
            identifiers: vec![Identifier::new(
                IdentifierKind::National,
                Some(NATIONAL_ID_SYSTEM),
                &format!("NHW{index:08}"),
            )],
            name: Some(format!("Worker {index}")),
            active: Some(rng.random_range(0..100) >= 2),
            sex: Recorded::Valid(sex),
            birth_date: born.map_or(Recorded::Missing, |d| Recorded::Valid(PartialDate::Date(d))),
            nationality: Recorded::Valid(config.country),
            country_of_birth: if foreign_born {
                abroad(&mut rng).map_or(Recorded::Missing, Recorded::Valid)
            } else {
                Recorded::Valid(config.country)
            },
            qualifications: vec![Qualification {
                code: Some(Coding::new(Some(ISCO08_SYSTEM), occupation)),
                issuer: (!foreign_trained).then(|| "school-0".to_owned()),
                issuer_name: foreign_trained.then(|| "Medical school abroad".to_owned()),
                country: training_country,
                period: DateRange::new(NaiveDate::from_ymd_opt(graduated, 7, 1), None),
                is_licence: false,
            }],
        };
        if occupation.starts_with('2') && rng.random_range(0..100) < 85 {
            let mut licence = Identifier::new(
                IdentifierKind::Licence,
                Some(LICENCE_SYSTEM),
                &format!("LIC-{index:08}"),
            );
            let from = config.year - rng.random_range(0..5);
            licence.validity = DateRange::new(
                NaiveDate::from_ymd_opt(from, 1, 1),
                NaiveDate::from_ymd_opt(from + rng.random_range(3..7), 12, 31),
            );
            practitioner.identifiers.push(licence);
        }
        let employments = self.employments(&mut rng, &id, occupation, graduated);
        if config.bad_records && rng.random_range(0..1000) < 10 {
            spoil(&mut rng, &mut practitioner, index);
            return (
                practitioner,
                employments
                    .into_iter()
                    .map(|e| spoil_role(&mut rng, e))
                    .collect(),
            );
        }
        (practitioner, employments)
    }

    fn employments(
        &self,
        rng: &mut ChaCha8Rng,
        worker: &str,
        occupation: &str,
        graduated: i32,
    ) -> Vec<Employment> {
        let year = self.config.year;
        let count = match rng.random_range(0..100) {
            0..8 => 0,
            8..80 => 1,
            80..95 => 2,
            _ => 3,
        };
        let isco = IscoCode::parse(occupation).map_or_else(
            |_| Recorded::Invalid(occupation.to_owned()),
            Recorded::Valid,
        );
        let currency = currency_of(self.config.country);
        let mut previous_end: Option<NaiveDate> = None;
        (0..count)
            .map(|n| {
                let facility = rng.random_range(0..self.facilities.len().max(1));
                let start_year = rng.random_range(graduated.min(year)..=year);
                let mut start = NaiveDate::from_ymd_opt(start_year, rng.random_range(1..=12), 1);
                // A third of later jobs follow an ended one after a gap: a re-entry.
                if let Some(end) = previous_end
                    && rng.random_range(0..3) == 0
                    && end.year() + 2 <= year
                {
                    start = NaiveDate::from_ymd_opt(end.year() + rng.random_range(1..=2), 3, 1);
                }
                let ended = rng.random_range(0..100) < 20;
                let end = if ended {
                    start
                        .and_then(|s| {
                            NaiveDate::from_ymd_opt(
                                (s.year() + rng.random_range(0..4)).min(year),
                                6,
                                30,
                            )
                        })
                        .filter(|e| start.is_none_or(|s| s <= *e))
                } else {
                    None
                };
                previous_end = end;
                let part_time = rng.random_range(0..100) < 15;
                let fte = if !part_time {
                    1.0
                } else if rng.random_bool(0.5) {
                    0.5
                } else {
                    0.75
                };
                let (contract, exit_reason, salary) =
                    terms(rng, occupation, end.is_some(), fte, currency);
                Employment {
                    id: format!("{worker}-r{n}"),
                    practitioner: worker.to_owned(),
                    occupation: isco.clone(),
                    job_code: Some(Coding::new(Some(ISCO08_SYSTEM), occupation)),
                    specialties: Vec::new(),
                    employer: self
                        .facilities
                        .get(facility)
                        .and_then(|f| f.managing_organization.clone()),
                    facility: self.facilities.get(facility).map(|f| f.id.clone()),
                    service: None,
                    period: DateRange::new(start, end),
                    active: Some(true),
                    status: Some(if part_time {
                        EmploymentStatus::PartTime
                    } else {
                        EmploymentStatus::FullTime
                    }),
                    fte: Some(fte),
                    contract: Recorded::Valid(contract),
                    weekly_hours: Some(40.0 * fte),
                    exit_reason,
                    salary,
                }
            })
            .collect()
    }
}

/// The terms of one generated job: contract, exit reason (for an ended one) and salary.
fn terms(
    rng: &mut ChaCha8Rng,
    occupation: &str,
    ended: bool,
    fte: f64,
    currency: (&str, f64),
) -> (ContractType, Recorded<ExitReason>, Option<Salary>) {
    let contract = match rng.random_range(0..100) {
        0..2 => ContractType::Volunteer,
        2..7 => ContractType::Casual,
        7..27 => ContractType::FixedTerm,
        _ => ContractType::Permanent,
    };
    let exit_reason = match (ended, rng.random_range(0..100)) {
        (false, _) | (true, 95..) => Recorded::Missing,
        (true, 0..45) => Recorded::Valid(ExitReason::Voluntary),
        (true, 45..70) => Recorded::Valid(ExitReason::Involuntary),
        (true, 70..92) => Recorded::Valid(ExitReason::Retirement),
        (true, _) => Recorded::Valid(ExitReason::Death),
    };
    let salary = (contract != ContractType::Volunteer && rng.random_range(0..10) > 0).then(|| {
        let monthly =
            monthly_pay(occupation) * currency.1 * f64::from(100 + rng.random_range(0..40u32))
                / 100.0
                * fte;
        let yearly = rng.random_range(0..10) == 0;
        Salary {
            amount: if yearly { monthly * 12.0 } else { monthly }.round(),
            currency: currency.0.to_owned(),
            per: if yearly {
                PayPeriod::Year
            } else {
                PayPeriod::Month
            },
        }
    });
    (contract, exit_reason, salary)
}

/// The currency salaries are recorded in and its units per US dollar (rounded; only the
/// magnitude matters to generated data). Countries not listed pay in US dollars.
fn currency_of(country: Country) -> (&'static str, f64) {
    match country.alpha2() {
        "UZ" => ("UZS", 12_500.0),
        "KZ" => ("KZT", 450.0),
        "KE" => ("KES", 130.0),
        "IN" => ("INR", 83.0),
        "NG" => ("NGN", 1_500.0),
        "ET" => ("ETB", 57.0),
        "RW" => ("RWF", 1_300.0),
        "TZ" => ("TZS", 2_500.0),
        "UG" => ("UGX", 3_800.0),
        "GH" => ("GHS", 12.0),
        "FR" | "DE" | "IT" | "ES" | "PT" | "NL" | "BE" | "AT" | "IE" | "FI" | "GR" => ("EUR", 0.9),
        "GB" => ("GBP", 0.8),
        _ => ("USD", 1.0),
    }
}

/// A full-time monthly pay in US dollars by occupation: doctors, then other professionals,
/// then associate professionals and care workers.
fn monthly_pay(occupation: &str) -> f64 {
    if occupation.starts_with("221") {
        700.0
    } else if occupation.starts_with('2') {
        450.0
    } else {
        300.0
    }
}

/// One deliberate mistake of the kinds the data-quality report finds.
fn spoil(rng: &mut ChaCha8Rng, practitioner: &mut Practitioner, index: usize) {
    match rng.random_range(0..4) {
        0 => practitioner.sex = Recorded::Missing,
        1 => practitioner.sex = Recorded::Invalid("F".to_owned()),
        2 => practitioner.birth_date = Recorded::Invalid("2020-13-01".to_owned()),
        _ => {
            // Shares the national id of the previous worker.
            let value = format!("NHW{:08}", index.saturating_sub(1));
            if let Some(id) = practitioner.identifiers.first_mut() {
                id.value = value;
            }
        }
    }
}

fn spoil_role(rng: &mut ChaCha8Rng, mut employment: Employment) -> Employment {
    if rng.random_bool(0.5) {
        employment.facility = None;
    } else {
        employment.occupation = Recorded::Invalid("9999".to_owned());
        employment.job_code = Some(Coding::new(Some(ISCO08_SYSTEM), "9999"));
    }
    employment
}

/// The code of an ownership in [`OWNERSHIP_SYSTEM`].
pub fn ownership_code(ownership: Ownership) -> &'static str {
    match ownership {
        Ownership::Public => "public",
        Ownership::PrivateNotForProfit => "private-not-for-profit",
        Ownership::PrivateForProfit => "private-for-profit",
    }
}

/// Picks an item with probability proportional to its weight (the last one for an empty draw).
fn pick<T: Copy, const N: usize>(
    rng: &mut ChaCha8Rng,
    items: &[T; N],
    weight: impl Fn(&T) -> u32,
    fallback: T,
) -> T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut ticket = rng.random_range(0..total.max(1));
    for item in items {
        let w = weight(item);
        if ticket < w {
            return *item;
        }
        ticket -= w;
    }
    fallback
}

/// An 11-character DHIS2-style UID (letter first).
fn dhis2_like_uid(rng: &mut ChaCha8Rng) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut uid = String::with_capacity(11);
    uid.push(char::from(
        LETTERS
            .get(rng.random_range(0..LETTERS.len()))
            .copied()
            .unwrap_or(b'a'),
    ));
    for _ in 0..10 {
        uid.push(char::from(
            ALNUM
                .get(rng.random_range(0..ALNUM.len()))
                .copied()
                .unwrap_or(b'0'),
        ));
    }
    uid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality;
    use crate::registry::Registry;

    fn registry(config: Config) -> Registry {
        SyntheticRegistry::new(config).to_registry()
    }

    #[test]
    fn same_seed_same_registry_other_seed_other_registry() {
        let a = registry(Config {
            workers: 300,
            ..Config::default()
        });
        assert_eq!(
            a,
            registry(Config {
                workers: 300,
                ..Config::default()
            })
        );
        assert_ne!(
            a,
            registry(Config {
                workers: 300,
                seed: 7,
                ..Config::default()
            })
        );
    }

    #[test]
    fn mix_is_realistic() {
        let r = registry(Config {
            workers: 5_000,
            bad_records: false,
            ..Config::default()
        });
        let home = Country::parse("UZ").unwrap();
        let female = r
            .practitioners
            .iter()
            .filter(|p| p.sex == Recorded::Valid(Sex::Female))
            .count();
        assert!((3_000..4_000).contains(&female), "{female} women of 5000");
        let foreign_trained = r
            .practitioners
            .iter()
            .filter(|p| p.qualifications[0].country != Some(home))
            .count();
        assert!((250..600).contains(&foreign_trained), "{foreign_trained}");
        let nurses = r
            .employments
            .iter()
            .filter(|e| {
                e.occupation
                    .valid()
                    .is_some_and(|o| o.to_string() == "3221")
            })
            .count();
        assert!(nurses > r.employments.len() / 6, "{nurses}");
        assert!(
            r.employments.iter().any(|e| e.period.end.is_some()),
            "some employments ended"
        );
        let mut per_worker = std::collections::HashMap::<&str, usize>::new();
        for e in &r.employments {
            *per_worker.entry(&e.practitioner).or_default() += 1;
        }
        assert!(
            per_worker.values().any(|n| *n > 1),
            "some workers hold several jobs"
        );
        assert!(
            per_worker.len() < r.practitioners.len(),
            "some workers hold none"
        );
        let as_of = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        let report = quality::check(&r, &quality::Options::as_of(as_of));
        assert!(
            report.findings.iter().all(|f| matches!(
                f.problem.code(),
                "overlapping_employments" | "ambiguous_main_employment"
            )),
            "only concurrent jobs (dual practice, sometimes with the same FTE and start) without bad records: {:?}",
            report.counts()
        );
    }

    #[test]
    fn flows_and_working_conditions_are_exercised() {
        let r = registry(Config {
            workers: 3_000,
            bad_records: false,
            ..Config::default()
        });
        let ended: Vec<_> = r
            .employments
            .iter()
            .filter(|e| e.period.end.is_some())
            .collect();
        for reason in ExitReason::ALL {
            assert!(
                ended
                    .iter()
                    .any(|e| e.exit_reason == Recorded::Valid(reason)),
                "{reason:?}"
            );
        }
        assert!(ended.iter().any(|e| e.exit_reason == Recorded::Missing));
        assert!(
            r.employments
                .iter()
                .all(|e| e.period.end.is_some() || e.exit_reason == Recorded::Missing),
            "only ended jobs have an exit reason"
        );
        for contract in ContractType::ALL {
            assert!(
                r.employments
                    .iter()
                    .any(|e| e.contract == Recorded::Valid(contract)),
                "{contract:?}"
            );
        }
        let part_time = r
            .employments
            .iter()
            .filter(|e| e.fte.is_some_and(|f| f < 1.0))
            .count();
        assert!((200..900).contains(&part_time), "{part_time}");
        assert!(
            r.employments
                .iter()
                .all(|e| e.weekly_hours == e.fte.map(|f| f * 40.0))
        );
        let salaries: Vec<_> = r
            .employments
            .iter()
            .filter_map(|e| e.salary.as_ref())
            .collect();
        assert!(salaries.len() > r.employments.len() / 2);
        assert!(
            salaries
                .iter()
                .all(|s| s.currency == "UZS" && s.amount > 0.0)
        );
        assert!(salaries.iter().any(|s| s.per == PayPeriod::Year));
        // Re-entry: a job that starts a year or more after an earlier one of the same worker ended.
        let re_entry = r.employments.iter().any(|later| {
            r.employments.iter().any(|earlier| {
                earlier.practitioner == later.practitioner
                    && earlier
                        .period
                        .end
                        .zip(later.period.start)
                        .is_some_and(|(end, start)| start > end + chrono::Days::new(200))
            })
        });
        assert!(re_entry);
    }

    #[test]
    fn bad_records_are_found_by_the_quality_check() {
        let r = registry(Config {
            workers: 3_000,
            ..Config::default()
        });
        let report = quality::check(
            &r,
            &quality::Options::as_of(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()),
        );
        let counts = report.counts();
        for code in [
            "missing_sex",
            "invalid_sex",
            "invalid_birth_date",
            "unknown_occupation_code",
        ] {
            assert!(
                counts.iter().any(|(c, n)| *c == code && *n > 0),
                "{code} in {counts:?}"
            );
        }
    }
}
