//! Reading and validating mapping files.
//!
//! ```toml
//! format = 1                      # file format version
//! name = "nhwa-module1"
//! version = "2025.1"              # the mapping's own version
//! data_set = "FuMctq4PQpf"
//! period_type = "Yearly"
//! id_scheme = "uid"               # or "code"
//! default_combo = "Xr12mI7VPn3"   # combo of breakdown = "none" targets (omit: DHIS2's default)
//!
//! flows = "workforce"             # entries/exits convention, or "employment" (job moves)
//! currency = "UZS"                # earnings figures count only salaries in this currency
//!
//! [org_unit]
//! rule = "national"               # or "facility" (with an optional [org_unit.lookup] table)
//!
//! [ownership]                     # "system|code" of Organization.type → ownership
//! "https://hrh.dev/fhir/CodeSystem/facility-ownership|public" = "public"
//!
//! [facility_type]                 # "system|code" of Location.type → HP.1 .. HP.6
//! "http://terminology.hl7.org/CodeSystem/v3-RoleCode|HOSP" = "HP.1"
//!
//! [combos.sex]                    # combo sets, named after the breakdown they serve
//! female = "F3kCvhpDnMM"
//! male = "sAC6z2IMFrR"
//!
//! [[target]]                      # one figure
//! data_element = "GFfMM55sVzg"
//! isco = ["221"]
//! measure = "headcount"           # headcount | fte | entries | exits | part_time | weekly_hours
//!                                 # | density | median_earnings | graduate_entries
//! breakdown = "sex"               # combos default to [combos.<breakdown>]
//! only = { place_of_training = "foreign" }   # count only workers in these categories
//!
//! [[group]]                       # shorthand: one target per breakdown listed
//! name = "Medical doctors"
//! isco = ["221"]
//! data_elements = { none = "h6VJJu0W8U7", sex = "GFfMM55sVzg" }
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::{
    Breakdown, Category, Flows, IdScheme, Mapping, Measure, OrgUnitRule, Population, Target,
    ownership_from_key,
};
use crate::coding::Coding;
use crate::error::{CoreError, MappingIssue};
use crate::facility::ProviderClass;
use crate::occupation::IscoCode;
use crate::period::PeriodType;

/// The file format version this release reads.
pub const FORMAT: u32 = 1;

type Text = Spanned<String>;

/// Combo sets by name: the breakdown they serve and their entries.
type ComboSets = BTreeMap<String, (Breakdown, Vec<(Category, Text)>)>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    format: Spanned<u32>,
    name: Text,
    version: Text,
    description: Option<String>,
    data_set: Option<Text>,
    period_type: Option<Text>,
    id_scheme: Option<Text>,
    attribute_option_combo: Option<Text>,
    default_combo: Option<Text>,
    org_unit: Option<RawOrgUnit>,
    flows: Option<Text>,
    currency: Option<Text>,
    #[serde(default)]
    ownership: BTreeMap<Text, Text>,
    #[serde(default)]
    facility_type: BTreeMap<Text, Text>,
    #[serde(default)]
    combos: BTreeMap<Text, BTreeMap<Text, Text>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
    #[serde(default)]
    group: Vec<Spanned<RawGroup>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrgUnit {
    rule: Text,
    uid: Option<Text>,
    #[serde(default)]
    lookup: BTreeMap<String, Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    data_element: Text,
    name: Option<String>,
    #[serde(default)]
    isco: Vec<Text>,
    #[serde(default)]
    specialties: Vec<Text>,
    #[serde(default)]
    not_specialties: Vec<Text>,
    #[serde(default)]
    exact: bool,
    measure: Option<Text>,
    breakdown: Option<Text>,
    /// Breakdown name → the one category counted.
    #[serde(default)]
    only: BTreeMap<Text, Text>,
    /// A combo set name, or an inline table of category → combo.
    combos: Option<Spanned<toml::Value>>,
    category_option_combo: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: Option<String>,
    #[serde(default)]
    isco: Vec<Text>,
    #[serde(default)]
    specialties: Vec<Text>,
    #[serde(default)]
    not_specialties: Vec<Text>,
    #[serde(default)]
    exact: bool,
    measure: Option<Text>,
    data_elements: BTreeMap<Text, Text>,
}

/// Collects every mistake with its line.
struct Issues {
    /// Byte offsets of the line breaks, for line numbers without rescanning the text.
    line_breaks: Vec<usize>,
    list: Vec<MappingIssue>,
}

impl Issues {
    fn new(text: &str) -> Self {
        Self {
            line_breaks: text.match_indices('\n').map(|(i, _)| i).collect(),
            list: Vec::new(),
        }
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.line_breaks.partition_point(|b| *b < offset) + 1
    }

    fn add<T>(&mut self, at: &Spanned<T>, message: String) {
        let line = self.line(at.span().start);
        self.list.push(MappingIssue { line, message });
    }
}

impl Mapping {
    /// Reads a mapping file and validates all of it, reporting every mistake with its line.
    ///
    /// ```
    /// let text = r#"
    /// format = 1
    /// name = "demo"
    /// version = "1"
    /// [[target]]
    /// data_element = "h6VJJu0W8U7"
    /// isco = ["221"]
    /// breakdown = "gender"
    /// "#;
    /// let err = hrh_core::aggregate::Mapping::from_toml(text).unwrap_err();
    /// assert!(err.to_string().contains("line 8: unknown breakdown \"gender\""), "{err}");
    /// ```
    pub fn from_toml(text: &str) -> crate::Result<Self> {
        let mut issues = Issues::new(text);
        let raw: RawMapping = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(err) => {
                let line = err.span().map_or(1, |s| issues.line(s.start));
                let message = err.message().to_owned();
                return Err(CoreError::InvalidMapping {
                    issues: vec![MappingIssue { line, message }],
                });
            }
        };
        let mapping = build(raw, &mut issues);
        if issues.list.is_empty() {
            Ok(mapping)
        } else {
            issues.list.sort_by_key(|i| i.line);
            Err(CoreError::InvalidMapping {
                issues: issues.list,
            })
        }
    }
}

fn build(raw: RawMapping, issues: &mut Issues) -> Mapping {
    let (ids, period_type) = header(&raw, issues);
    for id in [
        &raw.data_set,
        &raw.attribute_option_combo,
        &raw.default_combo,
    ]
    .into_iter()
    .flatten()
    {
        ids.check(issues, id, "identifier");
    }
    let org_unit = org_unit_rule(raw.org_unit, issues, ids);
    let ownership = table(
        &raw.ownership,
        issues,
        "ownership",
        ownership_from_key,
        "public, private-not-for-profit or private-for-profit",
    );
    let facility_types = table(
        &raw.facility_type,
        issues,
        "facility type",
        ProviderClass::from_code,
        "HP.1 to HP.6",
    );
    let flows = match raw.flows.as_ref().map(|f| (f, f.get_ref().as_str())) {
        None | Some((_, "workforce")) => Flows::Workforce,
        Some((_, "employment")) => Flows::Employment,
        Some((at, other)) => {
            issues.add(
                at,
                format!("unknown flows convention {other:?} (expected workforce or employment)"),
            );
            Flows::Workforce
        }
    };
    if let Some(currency) = &raw.currency {
        let code = currency.get_ref();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            issues.add(
                currency,
                format!("currency {code:?} is not an ISO 4217 code (three capital letters)"),
            );
        }
    }
    let sets = combo_sets(&raw.combos, issues, ids);
    check_duplicates(&raw.target, &raw.group, issues);
    let context = TargetContext {
        sets: &sets,
        default_combo: raw.default_combo.as_ref(),
        ids,
    };
    let mut targets: Vec<Target> = raw
        .target
        .iter()
        .filter_map(|t| target_of(t, issues, &context))
        .collect();
    for group in &raw.group {
        targets.extend(expand_group(group, issues, &context));
    }
    Mapping {
        name: raw.name.into_inner(),
        version: raw.version.into_inner(),
        description: raw.description,
        data_set: raw.data_set.map(Spanned::into_inner),
        period_type,
        id_scheme: ids.0,
        attribute_option_combo: raw.attribute_option_combo.map(Spanned::into_inner),
        org_unit,
        ownership,
        facility_types,
        flows,
        currency: raw.currency.map(Spanned::into_inner),
        targets,
    }
}

/// Checks identifiers against the mapping's id scheme.
#[derive(Clone, Copy)]
struct IdCheck(IdScheme);

impl IdCheck {
    fn check(self, issues: &mut Issues, id: &Text, what: &str) {
        if self.0 == IdScheme::Uid && !is_uid(id.get_ref()) {
            issues.add(
                id,
                format!(
                    "malformed {what} UID {:?} (11 letters or digits, starting with a letter)",
                    id.get_ref()
                ),
            );
        }
    }
}

/// What every target needs from the rest of the file.
struct TargetContext<'a> {
    sets: &'a ComboSets,
    default_combo: Option<&'a Text>,
    ids: IdCheck,
}

fn header(raw: &RawMapping, issues: &mut Issues) -> (IdCheck, Option<PeriodType>) {
    if *raw.format.get_ref() != FORMAT {
        let message = format!(
            "format {} is not supported (this release reads format {FORMAT})",
            raw.format.get_ref()
        );
        issues.add(&raw.format, message);
    }
    let id_scheme = match &raw.id_scheme {
        None => IdScheme::Uid,
        Some(at) => match at.get_ref().as_str() {
            "uid" => IdScheme::Uid,
            "code" => IdScheme::Code,
            other => {
                issues.add(
                    at,
                    format!("unknown id_scheme {other:?} (expected \"uid\" or \"code\")"),
                );
                IdScheme::Uid
            }
        },
    };
    let period_type = raw.period_type.as_ref().and_then(|t| {
        t.get_ref()
            .parse::<PeriodType>()
            .map_err(|e| issues.add(t, e.to_string()))
            .ok()
    });
    (IdCheck(id_scheme), period_type)
}

fn combo_sets(
    raw: &BTreeMap<Text, BTreeMap<Text, Text>>,
    issues: &mut Issues,
    ids: IdCheck,
) -> ComboSets {
    let mut sets = ComboSets::new();
    for (name, entries) in raw {
        let Some(breakdown) = Breakdown::from_name(name.get_ref()) else {
            issues.add(
                name,
                format!(
                    "combo set {:?} is not named after a breakdown ({})",
                    name.get_ref(),
                    breakdown_names()
                ),
            );
            continue;
        };
        sets.insert(
            name.get_ref().clone(),
            (breakdown, categories(breakdown, entries, issues, ids)),
        );
    }
    sets
}

fn check_duplicates(
    targets: &[Spanned<RawTarget>],
    groups: &[Spanned<RawGroup>],
    issues: &mut Issues,
) {
    // A data element may serve several targets only when each fixes its own combo
    // (`category_option_combo`, as NHWA forms with the occupation in the combo need).
    let mut seen: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
    let declared = targets
        .iter()
        .map(|t| {
            let t = t.get_ref();
            (
                &t.data_element,
                t.category_option_combo
                    .as_ref()
                    .map(|c| c.get_ref().as_str()),
            )
        })
        .chain(
            groups
                .iter()
                .flat_map(|g| g.get_ref().data_elements.values().map(|de| (de, None))),
        );
    for (data_element, combo) in declared {
        let combos = seen.entry(data_element.get_ref().as_str()).or_default();
        let clash = combos
            .iter()
            .any(|c| c.is_none() || combo.is_none() || *c == combo);
        combos.push(combo);
        if clash {
            let message = match combo {
                Some(coc) => format!(
                    "duplicate target: data element {} with combo {coc} appears more than once",
                    data_element.get_ref()
                ),
                None => format!(
                    "duplicate target: data element {} appears more than once",
                    data_element.get_ref()
                ),
            };
            issues.add(data_element, message);
        }
    }
}

/// One target per breakdown a `[[group]]` lists.
fn expand_group(
    group: &Spanned<RawGroup>,
    issues: &mut Issues,
    context: &TargetContext<'_>,
) -> Vec<Target> {
    let g = group.get_ref();
    let mut targets = Vec::new();
    for (breakdown_name, data_element) in &g.data_elements {
        let Some(breakdown) = breakdown_named(breakdown_name, issues) else {
            continue;
        };
        let raw_target = RawTarget {
            data_element: data_element.clone(),
            name: g.name.as_ref().map(|n| format!("{n} ({breakdown})")),
            isco: g.isco.clone(),
            specialties: g.specialties.clone(),
            not_specialties: g.not_specialties.clone(),
            exact: g.exact,
            measure: g.measure.clone(),
            breakdown: Some(Spanned::new(
                breakdown_name.span(),
                breakdown_name.get_ref().clone(),
            )),
            only: BTreeMap::new(),
            combos: None,
            category_option_combo: None,
        };
        targets.extend(target_of(
            &Spanned::new(data_element.span(), raw_target),
            issues,
            context,
        ));
    }
    targets
}

fn org_unit_rule(raw: Option<RawOrgUnit>, issues: &mut Issues, ids: IdCheck) -> OrgUnitRule {
    let Some(raw) = raw else {
        return OrgUnitRule::National { org_unit: None };
    };
    for id in raw.uid.iter().chain(raw.lookup.values()) {
        ids.check(issues, id, "org unit");
    }
    match raw.rule.get_ref().as_str() {
        "national" => OrgUnitRule::National {
            org_unit: raw.uid.map(Spanned::into_inner),
        },
        "facility" => OrgUnitRule::Facility {
            lookup: raw
                .lookup
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
        },
        other => {
            issues.add(
                &raw.rule,
                format!("unknown org unit rule {other:?} (expected \"national\" or \"facility\")"),
            );
            OrgUnitRule::National { org_unit: None }
        }
    }
}

fn table<T>(
    raw: &BTreeMap<Text, Text>,
    issues: &mut Issues,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Vec<(Coding, T)> {
    let mut out = Vec::new();
    for (key, value) in raw {
        let Some(coding) = coding(key.get_ref()) else {
            issues.add(
                key,
                format!("{what} key {:?} is not \"system|code\"", key.get_ref()),
            );
            continue;
        };
        match parse(value.get_ref()) {
            Some(v) => out.push((coding, v)),
            None => issues.add(
                value,
                format!("unknown {what} {:?} (expected {expected})", value.get_ref()),
            ),
        }
    }
    out
}

/// Reads `system|code` (or a bare `code`).
fn coding(text: &str) -> Option<Coding> {
    match text.rsplit_once('|') {
        Some((system, code)) if !code.is_empty() => Some(Coding::new(
            if system.is_empty() {
                None
            } else {
                Some(system)
            },
            code,
        )),
        None if !text.is_empty() => Some(Coding::new(None, text)),
        Some(_) | None => None,
    }
}

fn categories(
    breakdown: Breakdown,
    entries: &BTreeMap<Text, Text>,
    issues: &mut Issues,
    ids: IdCheck,
) -> Vec<(Category, Text)> {
    let mut out = Vec::new();
    for (key, combo) in entries {
        ids.check(issues, combo, "category option combo");
        match Category::parse(breakdown, key.get_ref()) {
            Some(category) => out.push((category, combo.clone())),
            None if breakdown == Breakdown::ActivityLevel && key.get_ref() == "professionally_active" => issues.add(
                key,
                "professionally_active cannot be derived from individual records (it needs a rule for non-patient-facing roles); leave it out".to_owned(),
            ),
            None => issues.add(key, format!("{:?} is not a value of breakdown {breakdown}", key.get_ref())),
        }
    }
    out.sort_by_key(|(c, _)| *c);
    out
}

fn target_of(
    target: &Spanned<RawTarget>,
    issues: &mut Issues,
    context: &TargetContext<'_>,
) -> Option<Target> {
    let raw = target.get_ref();
    let line = issues.line(target.span().start.max(raw.data_element.span().start));
    context.ids.check(issues, &raw.data_element, "data element");
    let breakdown = match &raw.breakdown {
        None => Some(Breakdown::None),
        Some(name) => breakdown_named(name, issues),
    };
    let measure = measure_of(raw.measure.as_ref(), issues);
    let population = population_of(raw, issues);
    if let (Some(c), Some(b)) = (&raw.category_option_combo, breakdown) {
        if b == Breakdown::None {
            context.ids.check(issues, c, "category option combo");
        } else {
            issues.add(
                c,
                "category_option_combo is only for breakdown \"none\"; use combos".to_owned(),
            );
        }
    }
    let (Some(breakdown), Some(measure)) = (breakdown, measure) else {
        return None;
    };
    if !measure.supports(breakdown) {
        let at = raw.breakdown.as_ref().unwrap_or(&raw.data_element);
        issues.add(
            at,
            format!("measure {measure} cannot be broken down by {breakdown}"),
        );
        return None;
    }
    let mut only = Vec::new();
    for (name, key) in &raw.only {
        let Some(by) = breakdown_named(name, issues) else {
            continue;
        };
        if !measure.supports(by) || by == breakdown || by == Breakdown::None {
            issues.add(
                name,
                format!("measure {measure} with breakdown {breakdown} cannot be narrowed by {by}"),
            );
            continue;
        }
        match Category::parse(by, key.get_ref()) {
            Some(category) => only.push(category),
            None => issues.add(
                key,
                format!("{:?} is not a value of breakdown {by}", key.get_ref()),
            ),
        }
    }
    let combos = combos_of(raw, breakdown, issues, context);
    Some(Target {
        data_element: raw.data_element.get_ref().clone(),
        name: raw.name.clone(),
        population,
        measure,
        breakdown,
        only,
        combos: combos
            .into_iter()
            .map(|(c, t)| (c, t.into_inner()))
            .collect(),
        line,
    })
}

/// The breakdown called `name`; an issue when there is none.
fn breakdown_named(name: &Text, issues: &mut Issues) -> Option<Breakdown> {
    let found = Breakdown::from_name(name.get_ref());
    if found.is_none() {
        issues.add(
            name,
            format!(
                "unknown breakdown {:?} ({})",
                name.get_ref(),
                breakdown_names()
            ),
        );
    }
    found
}

fn measure_of(raw: Option<&Text>, issues: &mut Issues) -> Option<Measure> {
    let Some(at) = raw else {
        return Some(Measure::Headcount);
    };
    let found = Measure::ALL
        .into_iter()
        .find(|m| m.name() == at.get_ref().as_str());
    if found.is_none() {
        let names: Vec<&str> = Measure::ALL.iter().map(|m| m.name()).collect();
        issues.add(
            at,
            format!(
                "unknown measure {:?} (expected {})",
                at.get_ref(),
                names.join(", ")
            ),
        );
    }
    found
}

fn population_of(raw: &RawTarget, issues: &mut Issues) -> Population {
    let mut isco = Vec::new();
    for code in &raw.isco {
        match IscoCode::parse(code.get_ref()) {
            Ok(c) => isco.push(c),
            Err(e) => issues.add(code, e.to_string()),
        }
    }
    if raw.isco.is_empty() {
        issues.add(
            &raw.data_element,
            "target has no isco population (list the ISCO-08 groups it counts)".to_owned(),
        );
    }
    let mut codings = |list: &[Text]| -> Vec<Coding> {
        list.iter()
            .filter_map(|t| {
                let c = coding(t.get_ref());
                if c.is_none() {
                    issues.add(
                        t,
                        format!("specialty {:?} is not \"system|code\"", t.get_ref()),
                    );
                }
                c
            })
            .collect()
    };
    let specialties = codings(&raw.specialties);
    let not_specialties = codings(&raw.not_specialties);
    Population {
        isco,
        specialties,
        not_specialties,
        exact: raw.exact,
    }
}

fn combos_of(
    raw: &RawTarget,
    breakdown: Breakdown,
    issues: &mut Issues,
    context: &TargetContext<'_>,
) -> Vec<(Category, Text)> {
    if breakdown == Breakdown::None {
        let combo = raw.category_option_combo.as_ref().or(context.default_combo);
        return combo
            .map(|c| vec![(Category::Total, c.clone())])
            .unwrap_or_default();
    }
    let Some(combos) = &raw.combos else {
        if let Some((_, set)) = context.sets.get(breakdown.name()) {
            return set.clone();
        }
        issues.add(
            &raw.data_element,
            format!(
                "breakdown {breakdown} needs combos: add [combos.{breakdown}] or combos = {{...}}"
            ),
        );
        return Vec::new();
    };
    match combos.get_ref() {
        toml::Value::Table(table) => {
            let span = combos.span();
            let mut entries = BTreeMap::new();
            for (key, value) in table {
                match value.as_str() {
                    Some(v) => {
                        entries.insert(
                            Spanned::new(span.clone(), key.clone()),
                            Spanned::new(span.clone(), v.to_owned()),
                        );
                    }
                    None => issues.add(combos, format!("combo of {key:?} must be a string")),
                }
            }
            categories(breakdown, &entries, issues, context.ids)
        }
        toml::Value::String(name) => match context.sets.get(name) {
            Some((b, set)) if *b == breakdown => set.clone(),
            Some((b, _)) => {
                issues.add(
                    combos,
                    format!("combo set {name:?} is for breakdown {b}, not {breakdown}"),
                );
                Vec::new()
            }
            None => {
                issues.add(combos, format!("no combo set [combos.{name}]"));
                Vec::new()
            }
        },
        _ => {
            issues.add(
                combos,
                "combos must be a combo set name or a table".to_owned(),
            );
            Vec::new()
        }
    }
}

fn breakdown_names() -> String {
    let names: Vec<&str> = Breakdown::ALL.iter().map(|b| b.name()).collect();
    format!("expected one of {}", names.join(", "))
}

/// Whether `text` is a DHIS2 UID: 11 ASCII letters or digits, the first a letter.
pub fn is_uid(text: &str) -> bool {
    text.len() == 11
        && text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
}
