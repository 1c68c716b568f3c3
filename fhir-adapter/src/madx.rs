//! Aggregate figures as IHE mADX `MeasureReport`s, and back.
//!
//! One MeasureReport (`type = summary`, profile [`MADX_PROFILE`]) per org unit, period and
//! attribute option combo, in a `collection` Bundle (QRPH-58 allows either):
//!
//! | figure | MeasureReport |
//! |---|---|
//! | org unit | `subject.identifier` (system [`DHIS2_ID_SYSTEM`]); read from `reporter` too |
//! | period | `period.start` / `period.end` |
//! | data set | `measure` = [`MEASURE_BASE`] + data set |
//! | data element | `group.code` |
//! | value with the default combo | `group.measureScore.value` |
//! | value with a category option combo | a `stratum` whose `value` is the combo or, when the mapping is known, whose components name the breakdown, the category and the combo |
//! | total of the group's counts | `group.population.count` |
//! | attribute option combo | the [`AOC_EXTENSION`] extension |
//!
//! Reading accepts this shape, single `MeasureReport`s, and the older encoding with one combined
//! code per stratum in `stratum.value` (taken as the combo).
//!
//! ```
//! use hrh_core::{AggregateValue, Number};
//! let values = vec![AggregateValue::new("GFfMM55sVzg", "F3kCvhpDnMM", "UZdemoRoot1", "2024".parse()?, Number::Count(12))];
//! let bundle = hrh_fhir::madx::write(&values, Some("ds000000001"), None);
//! assert_eq!(bundle["entry"][0]["resource"]["group"][0]["population"][0]["count"], 12);
//! let read = hrh_fhir::madx::read(&bundle.to_string())?;
//! assert_eq!(read.values, values);
//! assert_eq!(read.data_set.as_deref(), Some("ds000000001"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use hrh_core::aggregate::Mapping;
use hrh_core::{AggregateValue, Number, Period, PeriodType};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::config::DHIS2_ID_SYSTEM;
use crate::error::{FhirError, Origin};

/// The mADX MeasureReport profile.
pub const MADX_PROFILE: &str =
    "https://profiles.ihe.net/QRPH/mADX/StructureDefinition/mADX-MeasureReport";
/// `measure` of written reports: this prefix and the DHIS2 data set.
pub const MEASURE_BASE: &str = "https://hrh.dev/fhir/Measure/dhis2-dataset-";
/// `measure` when the data set is not known.
pub const MEASURE_UNKNOWN: &str = "https://hrh.dev/fhir/Measure/hrh-aggregate";
/// Extension carrying a non-default attribute option combo (`valueString`).
pub const AOC_EXTENSION: &str = "https://hrh.dev/fhir/StructureDefinition/attribute-option-combo";
/// Code system of stratifier and component codes (breakdown names such as `sex`).
pub const BREAKDOWN_SYSTEM: &str = "https://hrh.dev/fhir/CodeSystem/breakdown";
/// Code system of category option combos in `stratum.value`.
pub const COMBO_SYSTEM: &str = "http://dhis2.org/identifiertypes#categoryOptionCombo";
/// The component (and stratifier) code of category option combos.
pub const COMBO_COMPONENT: &str = "categoryOptionCombo";
const POPULATION_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/measure-population";
const IMPROVEMENT_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/measure-improvement-notation";

/// Figures read from `MeasureReport`s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    /// The data set, when the reports' `measure` names one.
    pub data_set: Option<String>,
    /// Every figure, in report, group and stratum order.
    pub values: Vec<AggregateValue>,
}

/// Writes `values` as a `collection` Bundle of mADX `MeasureReport`s. With the `mapping` that
/// produced them, each stratum also names its breakdown and category as a component.
pub fn write(
    values: &[AggregateValue],
    data_set: Option<&str>,
    mapping: Option<&Mapping>,
) -> Value {
    let categories = mapping.map(categories_of).unwrap_or_default();
    let mut reports: Vec<(ReportKey<'_>, Vec<&AggregateValue>)> = Vec::new();
    let mut index: HashMap<ReportKey<'_>, usize> = HashMap::new();
    for v in values {
        let key = (
            v.org_unit.as_str(),
            v.period,
            v.attribute_option_combo.as_deref(),
        );
        let i = *index.entry(key).or_insert_with(|| {
            reports.push((key, Vec::new()));
            reports.len() - 1
        });
        if let Some((_, list)) = reports.get_mut(i) {
            list.push(v);
        }
    }
    let entry: Vec<Value> = reports
        .iter()
        .map(|(key, list)| {
            let report = report(*key, list, data_set, &categories);
            json!({ "fullUrl": format!("urn:uuid:{}", pseudo_uuid(&report_id(*key, data_set))), "resource": report })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entry })
}

type ReportKey<'a> = (&'a str, Period, Option<&'a str>);

/// (data element, combo) → (breakdown name, category key), from the mapping.
fn categories_of(mapping: &Mapping) -> HashMap<(String, String), (&'static str, String)> {
    let mut out = HashMap::new();
    for target in &mapping.targets {
        for (category, combo) in &target.combos {
            out.insert(
                (target.data_element.clone(), combo.clone()),
                (target.breakdown.name(), category.key()),
            );
        }
    }
    out
}

fn report_id((org_unit, period, aoc): ReportKey<'_>, data_set: Option<&str>) -> String {
    let mut id = format!("{}-{org_unit}-{period}", data_set.unwrap_or("hrh"));
    if let Some(aoc) = aoc {
        id.push('-');
        id.push_str(aoc);
    }
    id.retain(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    id.truncate(64);
    id
}

/// A stable UUID-shaped name for an entry (FNV-1a of the report id, twice).
fn pseudo_uuid(id: &str) -> String {
    let fnv = |seed: u64| {
        id.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

fn number(n: Number) -> Value {
    match n {
        Number::Count(c) => json!(c),
        Number::Decimal(d) => json!(d),
    }
}

fn coding(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code }] })
}

fn report(
    key: ReportKey<'_>,
    values: &[&AggregateValue],
    data_set: Option<&str>,
    categories: &HashMap<(String, String), (&'static str, String)>,
) -> Value {
    let (org_unit, period, aoc) = key;
    // One group per data element, except that a group holds one total (`measureScore`):
    // a second total of the same element (e.g. repeated groups read from mADX) opens
    // another group rather than replacing the first.
    let mut groups: Vec<(&str, Vec<&AggregateValue>)> = Vec::new();
    for v in values {
        let latest = groups
            .iter_mut()
            .rev()
            .find(|(de, _)| *de == v.data_element);
        match latest {
            Some((_, list))
                if v.category_option_combo.is_some()
                    || list.iter().all(|x| x.category_option_combo.is_some()) =>
            {
                list.push(v);
            }
            _ => groups.push((&v.data_element, vec![v])),
        }
    }
    let group: Vec<Value> = groups
        .iter()
        .map(|(de, list)| group(de, list, categories))
        .collect();
    let mut report = json!({
        "resourceType": "MeasureReport",
        "id": report_id(key, data_set),
        "meta": { "profile": [MADX_PROFILE] },
        "status": "complete",
        "type": "summary",
        "measure": data_set.map_or_else(|| MEASURE_UNKNOWN.to_owned(), |ds| format!("{MEASURE_BASE}{ds}")),
        "subject": { "identifier": { "system": DHIS2_ID_SYSTEM, "value": org_unit } },
        "period": { "start": period.start().to_string(), "end": period.end().to_string() },
        "improvementNotation": coding(IMPROVEMENT_SYSTEM, "increase"),
        "group": group,
    });
    if let (Some(aoc), Some(object)) = (aoc, report.as_object_mut()) {
        object.insert(
            "extension".to_owned(),
            json!([{ "url": AOC_EXTENSION, "valueString": aoc }]),
        );
    }
    report
}

fn group(
    data_element: &str,
    values: &[&AggregateValue],
    categories: &HashMap<(String, String), (&'static str, String)>,
) -> Value {
    let mut group = Map::new();
    group.insert("code".to_owned(), coding(DHIS2_ID_SYSTEM, data_element));
    let counts: Option<u64> = values
        .iter()
        .map(|v| match v.value {
            Number::Count(c) => Some(c),
            Number::Decimal(_) => None,
        })
        .sum();
    let mut population = json!({ "code": coding(POPULATION_SYSTEM, "measure-population") });
    if let (Some(total), Some(p)) = (counts, population.as_object_mut()) {
        p.insert("count".to_owned(), json!(total));
    }
    group.insert("population".to_owned(), json!([population]));
    let mut strata = Vec::new();
    let mut breakdown = None;
    for v in values {
        match &v.category_option_combo {
            None => {
                group.insert(
                    "measureScore".to_owned(),
                    json!({ "value": number(v.value) }),
                );
            }
            Some(combo) => {
                // A stratum has a value or components, not both (invariant mrp-2): with the
                // breakdown known, the combo travels as a component beside it.
                let stratum = match categories.get(&(data_element.to_owned(), combo.clone())) {
                    Some((name, key)) => {
                        breakdown.get_or_insert(*name);
                        json!({
                            "component": [
                                { "code": coding(BREAKDOWN_SYSTEM, name), "value": coding(&format!("{BREAKDOWN_SYSTEM}/{name}"), key) },
                                { "code": coding(BREAKDOWN_SYSTEM, COMBO_COMPONENT), "value": coding(COMBO_SYSTEM, combo) },
                            ],
                            "measureScore": { "value": number(v.value) },
                        })
                    }
                    None => json!({
                        "value": coding(COMBO_SYSTEM, combo),
                        "measureScore": { "value": number(v.value) },
                    }),
                };
                strata.push(stratum);
            }
        }
    }
    if !strata.is_empty() {
        let name = breakdown.unwrap_or(COMBO_COMPONENT);
        group.insert(
            "stratifier".to_owned(),
            json!([{ "code": [coding(BREAKDOWN_SYSTEM, name)], "stratum": strata }]),
        );
    }
    Value::Object(group)
}

// ---- reading ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Doc {
    resource_type: Option<String>,
    #[serde(default)]
    entry: Vec<Entry>,
    #[serde(flatten)]
    report: Report,
}

#[derive(Deserialize)]
struct Entry {
    resource: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Report {
    id: Option<String>,
    measure: Option<String>,
    subject: Option<Reference>,
    reporter: Option<Reference>,
    period: Option<FhirPeriod>,
    #[serde(default)]
    extension: Vec<Extension>,
    #[serde(default)]
    group: Vec<Group>,
}

#[derive(Deserialize)]
struct Reference {
    reference: Option<String>,
    identifier: Option<Identifier>,
}

#[derive(Deserialize)]
struct Identifier {
    value: Option<String>,
}

#[derive(Deserialize)]
struct FhirPeriod {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Extension {
    url: String,
    value_string: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    code: Option<Concept>,
    measure_score: Option<Quantity>,
    #[serde(default)]
    stratifier: Vec<Stratifier>,
}

#[derive(Deserialize)]
struct Concept {
    #[serde(default)]
    coding: Vec<Coding>,
    text: Option<String>,
}

impl Concept {
    fn code(&self) -> Option<&str> {
        self.coding
            .iter()
            .find_map(|c| c.code.as_deref())
            .or(self.text.as_deref())
    }
}

#[derive(Deserialize)]
struct Coding {
    code: Option<String>,
}

#[derive(Deserialize)]
struct Quantity {
    value: Option<serde_json::Number>,
}

#[derive(Deserialize)]
struct Stratifier {
    #[serde(default)]
    stratum: Vec<Stratum>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stratum {
    value: Option<Concept>,
    #[serde(default)]
    component: Vec<Component>,
    measure_score: Option<Quantity>,
}

#[derive(Deserialize)]
struct Component {
    code: Option<Concept>,
    value: Option<Concept>,
}

/// Reads figures from a MeasureReport or a Bundle of them (other entries are ignored).
/// A report without an org unit or a period the DHIS2 period types know, a group without a
/// code, or a score that is not a number is an error naming the report and element.
pub fn read(text: &str) -> Result<Figures, FhirError> {
    let doc: Doc = serde_json::from_str(text).map_err(|e| FhirError::Json {
        origin: Origin::new("MeasureReport"),
        detail: e.to_string(),
    })?;
    let mut figures = Figures::default();
    if doc.resource_type.as_deref() == Some("Bundle") {
        for (i, entry) in doc.entry.into_iter().enumerate() {
            let Some(resource) = entry.resource else {
                continue;
            };
            if resource.get("resourceType").and_then(Value::as_str) != Some("MeasureReport") {
                continue;
            }
            let report: Report = serde_json::from_value(resource).map_err(|e| FhirError::Json {
                origin: Origin::new("Bundle").at_entry(i),
                detail: e.to_string(),
            })?;
            read_report(&report, &mut figures)?;
        }
    } else if doc.resource_type.as_deref() == Some("MeasureReport") {
        read_report(&doc.report, &mut figures)?;
    } else {
        return Err(invalid(
            "document",
            "resourceType",
            "not a MeasureReport or Bundle",
        ));
    }
    Ok(figures)
}

fn invalid(resource: &str, path: &str, problem: &str) -> FhirError {
    FhirError::Invalid {
        origin: Origin::new("MeasureReport"),
        resource: resource.to_owned(),
        path: path.to_owned(),
        problem: problem.to_owned(),
    }
}

fn read_report(report: &Report, figures: &mut Figures) -> Result<(), FhirError> {
    let name = format!("MeasureReport/{}", report.id.as_deref().unwrap_or("?"));
    let org_unit = report
        .subject
        .as_ref()
        .or(report.reporter.as_ref())
        .and_then(|s| {
            s.identifier
                .as_ref()
                .and_then(|i| i.value.clone())
                .or_else(|| {
                    s.reference
                        .as_deref()
                        .and_then(|r| r.rsplit('/').next())
                        .map(str::to_owned)
                })
        })
        .ok_or_else(|| invalid(&name, "subject", "no org unit (subject or reporter)"))?;
    let period = report
        .period
        .as_ref()
        .and_then(|p| Some((p.start.as_deref()?, p.end.as_deref()?)))
        .and_then(|(start, end)| period_of(start, end))
        .ok_or_else(|| invalid(&name, "period", "not the range of a DHIS2 period"))?;
    if let Some(ds) = report
        .measure
        .as_deref()
        .and_then(|m| m.strip_prefix(MEASURE_BASE))
    {
        figures.data_set.get_or_insert_with(|| ds.to_owned());
    }
    let aoc = report
        .extension
        .iter()
        .find(|e| e.url == AOC_EXTENSION)
        .and_then(|e| e.value_string.clone());
    for (g, group) in report.group.iter().enumerate() {
        let data_element = group
            .code
            .as_ref()
            .and_then(Concept::code)
            .ok_or_else(|| invalid(&name, &format!("group[{g}].code"), "no data element"))?;
        let value = |combo: Option<String>, score: &Quantity, path: String| {
            let value = score
                .value
                .as_ref()
                .and_then(|n| {
                    n.as_u64()
                        .map(Number::Count)
                        .or_else(|| n.as_f64().map(Number::Decimal))
                })
                .ok_or_else(|| invalid(&name, &path, "no numeric value"))?;
            Ok::<_, FhirError>(AggregateValue {
                data_element: data_element.to_owned(),
                category_option_combo: combo,
                attribute_option_combo: aoc.clone(),
                org_unit: org_unit.clone(),
                period,
                value,
                comment: None,
            })
        };
        if let Some(score) = &group.measure_score {
            figures
                .values
                .push(value(None, score, format!("group[{g}].measureScore"))?);
        }
        for (s, stratifier) in group.stratifier.iter().enumerate() {
            for (t, stratum) in stratifier.stratum.iter().enumerate() {
                let path = format!("group[{g}].stratifier[{s}].stratum[{t}]");
                let combo_component = stratum
                    .component
                    .iter()
                    .find(|c| c.code.as_ref().and_then(Concept::code) == Some(COMBO_COMPONENT));
                let combo = combo_component
                    .and_then(|c| c.value.as_ref())
                    .or(stratum.value.as_ref())
                    .and_then(Concept::code)
                    .map(str::to_owned)
                    .or_else(|| {
                        let parts: Vec<&str> = stratum
                            .component
                            .iter()
                            .filter_map(|c| c.value.as_ref().and_then(Concept::code))
                            .collect();
                        (!parts.is_empty()).then(|| parts.join(":"))
                    })
                    .ok_or_else(|| {
                        invalid(&name, &format!("{path}.value"), "no category option combo")
                    })?;
                let score = stratum
                    .measure_score
                    .as_ref()
                    .ok_or_else(|| invalid(&name, &format!("{path}.measureScore"), "no score"))?;
                figures
                    .values
                    .push(value(Some(combo), score, format!("{path}.measureScore"))?);
            }
        }
    }
    Ok(())
}

/// The DHIS2 period with exactly this range (the shortest type first, so a calendar year is
/// `Yearly`, not `FinancialJan`).
fn period_of(start: &str, end: &str) -> Option<Period> {
    let day = |t: &str| {
        t.get(..10)
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
    };
    let (start, end) = (day(start)?, day(end)?);
    PeriodType::ALL
        .iter()
        .filter_map(|t| Period::starting(start, *t).ok())
        .find(|p| p.end() == end)
}
