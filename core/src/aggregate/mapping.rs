//! A mapping: which figures to produce and how each breakdown value maps to a
//! DHIS2 category option combo. Mappings are data (TOML files), not code; see
//! [`Mapping::from_toml`] for the file format.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use crate::age::AgeBand;
use crate::coding::Coding;
use crate::country::Country;
use crate::employment::{ContractType, ExitReason};
use crate::facility::ProviderClass;
use crate::occupation::IscoCode;
use crate::organization::Ownership;
use crate::period::PeriodType;
use crate::sex::Sex;

mod load;

/// The figures a country reports, and how to compute each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    /// Short name, e.g. `nhwa-module1`.
    pub name: String,
    /// The mapping's own version (changes when its content changes).
    pub version: String,
    /// What it is for.
    pub description: Option<String>,
    /// The DHIS2 data set the figures belong to.
    pub data_set: Option<String>,
    /// The period type the data set uses, when fixed.
    pub period_type: Option<PeriodType>,
    /// How data elements, combos and org units are identified (UID or code).
    pub id_scheme: IdScheme,
    /// The attribute option combo of every value (`None`: the default).
    pub attribute_option_combo: Option<String>,
    /// Where the figures are reported.
    pub org_unit: OrgUnitRule,
    /// Organisation type codings that give an employer's ownership.
    pub ownership: Vec<(Coding, Ownership)>,
    /// Location type codings that give a facility's SHA provider class.
    pub facility_types: Vec<(Coding, ProviderClass)>,
    /// When a worker enters or leaves ([`Flows`]).
    pub flows: Flows,
    /// The one currency of earnings figures (ISO 4217, file key `currency`); workers paid
    /// in another are left out of them. `None`: each figure's workers must share one.
    pub currency: Option<String>,
    /// The figures, in output order.
    pub targets: Vec<Target>,
}

/// The convention of the entries and exits measures (mapping key `flows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flows {
    /// Into and out of the workforce (default): a worker **enters** when in the stock at the
    /// period's end and in no employment that began before the period's start; a worker
    /// **exits** when holding an employment the day before the period's start and none at
    /// its end (the exit's employment is the one held that day).
    #[default]
    Workforce,
    /// Job moves: an employment that starts (ends) within the period is an entry (exit),
    /// for registries that record each job change but not its workers' earlier careers.
    Employment,
}

/// How identifiers in the mapping are to be read by DHIS2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdScheme {
    /// DHIS2 UIDs (checked as 11 characters, letter first).
    Uid,
    /// DHIS2 codes.
    Code,
}

/// Which organisation unit a figure is reported for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitRule {
    /// One org unit for the whole country; `None` means it must be given at run time.
    National {
        /// The org unit, when the mapping fixes it.
        org_unit: Option<String>,
    },
    /// Each worker's facility's org unit: from the facility record (its
    /// DHIS2 identifier), or else this table of facility id → org unit.
    Facility {
        /// Facility record id → org unit.
        lookup: BTreeMap<String, String>,
    },
}

/// One figure: a data element, who it counts, what it measures and how it is broken down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The DHIS2 data element.
    pub data_element: String,
    /// A readable name.
    pub name: Option<String>,
    /// Who is counted.
    pub population: Population,
    /// What is measured.
    pub measure: Measure,
    /// How the figure is split.
    pub breakdown: Breakdown,
    /// Only workers in each of these categories are counted (file key `only`, e.g.
    /// `only = { sex = "female", place_of_training = "foreign" }`, for data sets that put a
    /// breakdown in the data element rather than in the combo).
    pub only: Vec<Category>,
    /// Each breakdown value's category option combo, in output order. For
    /// [`Breakdown::None`] a single [`Category::Total`] entry, or none for the default combo.
    pub combos: Vec<(Category, String)>,
    /// The line of the target in the mapping file (for messages).
    pub line: usize,
}

/// Who a figure counts: ISCO-08 groups, optionally narrowed by specialty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Population {
    /// The worker's occupation must be within one of these groups.
    pub isco: Vec<IscoCode>,
    /// If not empty, the employment must have one of these specialties.
    pub specialties: Vec<Coding>,
    /// The employment must have none of these specialties.
    pub not_specialties: Vec<Coding>,
    /// Count only occupations equal to a listed group, not those below it
    /// (`221` exactly: medical doctors not further defined).
    pub exact: bool,
}

impl Population {
    /// Whether an occupation is within the ISCO groups (specialties not considered).
    pub fn covers(&self, occupation: IscoCode) -> bool {
        self.isco.iter().any(|group| {
            if self.exact {
                occupation == *group
            } else {
                occupation.is_within(*group)
            }
        })
    }
}

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Workers in the stock on the reference date.
    Headcount,
    /// Sum of the full-time equivalents of the stock, where known.
    Fte,
    /// Workers whose employment started within the period.
    Entries,
    /// Workers who left within the period (by the mapping's [`Flows`]).
    Exits,
    /// Workers in the stock whose employment is part-time: FTE below 1.0, or else an
    /// employment status `partTime` (`fullTime` is full-time).
    PartTime,
    /// The mean contracted weekly hours of the stock, where recorded.
    WeeklyHours,
    /// Workers in the stock per 10,000 population of the org unit and period (the
    /// population from [`Aggregation::with_population`](super::Aggregation::with_population)).
    Density,
    /// The median annual gross pay of the stock's employments, where recorded, in whole
    /// units of their one currency (of an even count, the mean of the two middle values).
    MedianEarnings,
    /// Entries (by the mapping's [`Flows`]) whose employment started within one year after
    /// graduation: the training qualification's `period.end`, else its start (issue date).
    GraduateEntries,
}

impl Measure {
    /// All measures.
    pub const ALL: [Self; 9] = [
        Self::Headcount,
        Self::Fte,
        Self::Entries,
        Self::Exits,
        Self::PartTime,
        Self::WeeklyHours,
        Self::Density,
        Self::MedianEarnings,
        Self::GraduateEntries,
    ];

    /// The name used in mapping files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Headcount => "headcount",
            Self::Fte => "fte",
            Self::Entries => "entries",
            Self::Exits => "exits",
            Self::PartTime => "part_time",
            Self::WeeklyHours => "weekly_hours",
            Self::Density => "density",
            Self::MedianEarnings => "median_earnings",
            Self::GraduateEntries => "graduate_entries",
        }
    }

    /// Whether the measure can be split by `breakdown`: exit reasons only split exits,
    /// activity levels only headcounts, and densities (whose population is a total) nothing.
    pub fn supports(self, breakdown: Breakdown) -> bool {
        if self == Self::Density {
            return breakdown == Breakdown::None;
        }
        match breakdown {
            Breakdown::ExitReason => self == Self::Exits,
            Breakdown::ActivityLevel => self == Self::Headcount,
            _ => true,
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a figure is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// Not split: one value.
    None,
    /// By sex: female, male.
    Sex,
    /// By NHWA age group.
    AgeGroup,
    /// Domestic, foreign or unknown place of training.
    PlaceOfTraining,
    /// National or foreign born.
    PlaceOfBirth,
    /// Public, private not-for-profit, private for-profit employer.
    FacilityOwnership,
    /// SHA provider class HP.1 to HP.6 of the facility.
    FacilityType,
    /// Practising or licensed to practise.
    ActivityLevel,
    /// The country of training (foreign-trained workers by country).
    CountryOfTraining,
    /// The kind of contract of the employment: permanent, fixed-term, casual, volunteer.
    ContractType,
    /// Why the worker left: voluntary, or involuntary (dismissal, retirement, death); exits only.
    ExitReason,
}

impl Breakdown {
    /// All breakdowns.
    pub const ALL: [Self; 11] = [
        Self::None,
        Self::Sex,
        Self::AgeGroup,
        Self::PlaceOfTraining,
        Self::PlaceOfBirth,
        Self::FacilityOwnership,
        Self::FacilityType,
        Self::ActivityLevel,
        Self::CountryOfTraining,
        Self::ContractType,
        Self::ExitReason,
    ];

    /// The name used in mapping files (`sex`, `age_group`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Sex => "sex",
            Self::AgeGroup => "age_group",
            Self::PlaceOfTraining => "place_of_training",
            Self::PlaceOfBirth => "place_of_birth",
            Self::FacilityOwnership => "facility_ownership",
            Self::FacilityType => "facility_type",
            Self::ActivityLevel => "activity_level",
            Self::CountryOfTraining => "country_of_training",
            Self::ContractType => "contract_type",
            Self::ExitReason => "exit_reason",
        }
    }

    /// Reads a breakdown name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The number of distinct category indexes ([`Category::index`]) the breakdown can take.
    pub(crate) fn domain(self) -> usize {
        match self {
            Self::None => 1,
            Self::Sex | Self::ContractType => 4,
            Self::AgeGroup | Self::FacilityType => 6,
            Self::PlaceOfTraining | Self::FacilityOwnership => 3,
            Self::PlaceOfBirth | Self::ActivityLevel | Self::ExitReason => 2,
            Self::CountryOfTraining => 1001,
        }
    }
}

impl fmt::Display for Breakdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a worker was trained or born, relative to the home country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// In the home country.
    Domestic,
    /// Abroad.
    Foreign,
    /// Not recorded (place of training only).
    Unknown,
}

/// NHWA activity levels that individual records support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityLevel {
    /// In the stock: an active employment on the reference date.
    Practising,
    /// Holding a licence valid on the reference date, employed or not.
    Licensed,
}

/// One value of a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The undivided figure.
    Total,
    /// A sex.
    Sex(Sex),
    /// An age group.
    Age(AgeBand),
    /// Place of training.
    Training(Origin),
    /// Place of birth (domestic = national born).
    Birth(Origin),
    /// Employer ownership.
    Ownership(Ownership),
    /// Facility provider class.
    FacilityType(ProviderClass),
    /// Activity level.
    Activity(ActivityLevel),
    /// A country of training.
    Country(Country),
    /// A country of training without its own combo.
    OtherCountry,
    /// A kind of contract.
    Contract(ContractType),
    /// Voluntary (`true`) or involuntary exit.
    Exit(ExitKind),
}

/// How an exit came about, as NHWA splits exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitKind {
    /// Resignation and other departures by the worker's choice.
    Voluntary,
    /// Dismissal, contract not renewed, retirement, death.
    Involuntary,
}

impl ExitKind {
    /// The kind of an exit reason.
    pub fn of(reason: ExitReason) -> Self {
        if reason.is_voluntary() {
            Self::Voluntary
        } else {
            Self::Involuntary
        }
    }
}

impl Category {
    /// The breakdown the category belongs to.
    pub fn breakdown(self) -> Breakdown {
        match self {
            Self::Total => Breakdown::None,
            Self::Sex(_) => Breakdown::Sex,
            Self::Age(_) => Breakdown::AgeGroup,
            Self::Training(_) => Breakdown::PlaceOfTraining,
            Self::Birth(_) => Breakdown::PlaceOfBirth,
            Self::Ownership(_) => Breakdown::FacilityOwnership,
            Self::FacilityType(_) => Breakdown::FacilityType,
            Self::Activity(_) => Breakdown::ActivityLevel,
            Self::Country(_) | Self::OtherCountry => Breakdown::CountryOfTraining,
            Self::Contract(_) => Breakdown::ContractType,
            Self::Exit(_) => Breakdown::ExitReason,
        }
    }

    /// The position of the category within its breakdown's domain.
    pub(crate) fn index(self) -> usize {
        match self {
            Self::Total => 0,
            Self::Sex(s) => s as usize,
            Self::Age(a) => a as usize,
            Self::Training(o) | Self::Birth(o) => o as usize,
            Self::Ownership(o) => o as usize,
            Self::FacilityType(c) => c as usize,
            Self::Activity(a) => a as usize,
            Self::Country(c) => usize::from(c.numeric()),
            Self::OtherCountry => 1000,
            Self::Contract(c) => c as usize,
            Self::Exit(k) => k as usize,
        }
    }

    /// The key of the category in mapping files (`female`, `25-34`, `HP.1`, `UZ`, `other`, ...).
    pub fn key(self) -> String {
        match self {
            Self::Total => "total".to_owned(),
            Self::Sex(s) => s.fhir_code().to_owned(),
            Self::Age(a) => a.label().to_owned(),
            Self::Training(o) => match o {
                Origin::Domestic => "domestic",
                Origin::Foreign => "foreign",
                Origin::Unknown => "unknown",
            }
            .to_owned(),
            Self::Birth(o) => match o {
                Origin::Domestic => "national",
                Origin::Foreign => "foreign",
                Origin::Unknown => "unknown",
            }
            .to_owned(),
            Self::Ownership(o) => ownership_key(o).to_owned(),
            Self::FacilityType(c) => c.code().to_owned(),
            Self::Activity(ActivityLevel::Practising) => "practising".to_owned(),
            Self::Activity(ActivityLevel::Licensed) => "licensed".to_owned(),
            Self::Country(c) => c.alpha2().to_owned(),
            Self::OtherCountry => "other".to_owned(),
            Self::Contract(c) => c.code().to_owned(),
            Self::Exit(ExitKind::Voluntary) => "voluntary".to_owned(),
            Self::Exit(ExitKind::Involuntary) => "involuntary".to_owned(),
        }
    }

    /// Reads the key of a category of `breakdown`.
    pub fn parse(breakdown: Breakdown, key: &str) -> Option<Self> {
        let origin = |k: &str, domestic: &str| match k {
            k if k == domestic => Some(Origin::Domestic),
            "foreign" => Some(Origin::Foreign),
            "unknown" => Some(Origin::Unknown),
            _ => None,
        };
        match breakdown {
            Breakdown::None => (key == "total").then_some(Self::Total),
            Breakdown::Sex => Sex::from_fhir(key).ok().map(Self::Sex),
            Breakdown::AgeGroup => AgeBand::ALL
                .into_iter()
                .find(|a| a.label() == key)
                .map(Self::Age),
            Breakdown::PlaceOfTraining => origin(key, "domestic").map(Self::Training),
            Breakdown::PlaceOfBirth => origin(key, "national")
                .filter(|o| *o != Origin::Unknown)
                .map(Self::Birth),
            Breakdown::FacilityOwnership => ownership_from_key(key).map(Self::Ownership),
            Breakdown::FacilityType => ProviderClass::from_code(key).map(Self::FacilityType),
            Breakdown::ActivityLevel => match key {
                "practising" => Some(Self::Activity(ActivityLevel::Practising)),
                "licensed" => Some(Self::Activity(ActivityLevel::Licensed)),
                _ => None,
            },
            Breakdown::ContractType => ContractType::from_code(key).map(Self::Contract),
            Breakdown::ExitReason => match key {
                "voluntary" => Some(Self::Exit(ExitKind::Voluntary)),
                "involuntary" => Some(Self::Exit(ExitKind::Involuntary)),
                _ => None,
            },
            Breakdown::CountryOfTraining => {
                if key == "other" {
                    Some(Self::OtherCountry)
                } else {
                    Country::parse(key).ok().map(Self::Country)
                }
            }
        }
    }
}

/// The key of an ownership in mapping files.
pub fn ownership_key(ownership: Ownership) -> &'static str {
    match ownership {
        Ownership::Public => "public",
        Ownership::PrivateNotForProfit => "private-not-for-profit",
        Ownership::PrivateForProfit => "private-for-profit",
    }
}

/// Reads an ownership key.
pub fn ownership_from_key(key: &str) -> Option<Ownership> {
    match key {
        "public" => Some(Ownership::Public),
        "private-not-for-profit" => Some(Ownership::PrivateNotForProfit),
        "private-for-profit" => Some(Ownership::PrivateForProfit),
        _ => None,
    }
}

/// The mappings shipped with `hrh`, by name.
pub const BUILTIN: [(&str, &str); 5] = [
    (
        "nhwa-module1",
        include_str!("../../mappings/nhwa-module1.toml"),
    ),
    (
        "nhwa-module1-subnational",
        include_str!("../../mappings/nhwa-module1-subnational.toml"),
    ),
    (
        "nhwa-module5",
        include_str!("../../mappings/nhwa-module5.toml"),
    ),
    (
        "nhwa-module6",
        include_str!("../../mappings/nhwa-module6.toml"),
    ),
    (
        "nhwa-module7",
        include_str!("../../mappings/nhwa-module7.toml"),
    ),
];

impl Mapping {
    /// A mapping shipped with `hrh` (`nhwa-module1`, `nhwa-module1-subnational`,
    /// `nhwa-module5` labour-market flows, `nhwa-module6` working conditions,
    /// `nhwa-module7` remuneration).
    pub fn builtin(name: &str) -> crate::Result<Self> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| crate::CoreError::UnknownMapping(name.to_owned()))?;
        Self::from_toml(text)
    }
}

/// Readable names of a mapping's data elements and category option combos, to show
/// beside their UIDs ([`Mapping::names`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    data_elements: HashMap<String, String>,
    combos: HashMap<(String, String), String>,
}

impl Names {
    /// The name of a data element (the target's `name`), when the mapping gives one.
    pub fn data_element(&self, data_element: &str) -> Option<&str> {
        self.data_elements.get(data_element).map(String::as_str)
    }

    /// The breakdown and category a combo stands for in a data element, e.g. `sex: female`,
    /// `age_group: 25-34`, or `total`.
    pub fn combo(&self, data_element: &str, combo: &str) -> Option<&str> {
        self.combos
            .get(&(data_element.to_owned(), combo.to_owned()))
            .map(String::as_str)
    }
}

impl Mapping {
    /// The readable names of the figures' data elements and combos.
    ///
    /// ```
    /// let mapping = hrh_core::aggregate::Mapping::builtin("nhwa-module1")?;
    /// let names = mapping.names();
    /// let target = &mapping.targets[0];
    /// assert_eq!(names.data_element(&target.data_element), target.name.as_deref());
    /// # Ok::<(), hrh_core::CoreError>(())
    /// ```
    pub fn names(&self) -> Names {
        let mut names = Names::default();
        for target in &self.targets {
            if let Some(name) = &target.name {
                names
                    .data_elements
                    .insert(target.data_element.clone(), name.clone());
            }
            for (category, combo) in &target.combos {
                let name = match category {
                    Category::Total => "total".to_owned(),
                    _ => format!("{}: {}", target.breakdown.name(), category.key()),
                };
                names
                    .combos
                    .insert((target.data_element.clone(), combo.clone()), name);
            }
        }
        names
    }
}
