//! A quick overview of a registry's stock: workers by ISCO-08 minor group and sex,
//! computed with the same rules as the figures (it runs a generated mapping).

use std::collections::BTreeSet;

use serde::Serialize;

use super::engine::{Aggregation, Options};
use super::mapping::{
    Breakdown, Category, IdScheme, Mapping, Measure, OrgUnitRule, Population, Target,
};
use crate::error::Result;
use crate::occupation::{IscoCode, IscoLevel};
use crate::registry::Registry;
use crate::sex::Sex;

/// One row of the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverviewRow {
    /// The ISCO-08 minor group (3 digits).
    pub group: IscoCode,
    /// Its title.
    pub title: &'static str,
    /// Women in the stock.
    pub female: u64,
    /// Men in the stock.
    pub male: u64,
    /// All workers in the stock (including other, unknown or missing sex).
    pub total: u64,
}

/// Workers in the stock on the period's last day by ISCO-08 minor group and sex,
/// largest group first.
///
/// ```
/// use hrh_core::aggregate::overview;
/// use hrh_core::synthetic::{Config, SyntheticRegistry};
/// let registry = SyntheticRegistry::new(Config { workers: 200, ..Config::default() }).to_registry();
/// let rows = overview(&registry, "2024".parse()?, hrh_core::Country::UZBEKISTAN)?;
/// assert!(rows.iter().all(|r| r.female + r.male <= r.total));
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
pub fn overview(
    registry: &Registry,
    period: crate::period::Period,
    home: crate::country::Country,
) -> Result<Vec<OverviewRow>> {
    let groups: BTreeSet<IscoCode> = registry
        .employments
        .iter()
        .filter_map(|e| e.occupation.valid().copied())
        .filter_map(minor_group)
        .collect();
    let mut targets = Vec::new();
    for group in &groups {
        for breakdown in [Breakdown::None, Breakdown::Sex] {
            let combos = match breakdown {
                Breakdown::Sex => vec![
                    (Category::Sex(Sex::Female), "female".to_owned()),
                    (Category::Sex(Sex::Male), "male".to_owned()),
                ],
                _ => vec![(Category::Total, "total".to_owned())],
            };
            targets.push(Target {
                data_element: format!("{group}"),
                name: None,
                population: Population {
                    isco: vec![*group],
                    ..Population::default()
                },
                measure: Measure::Headcount,
                breakdown,
                only: Vec::new(),
                combos,
                line: 0,
            });
        }
    }
    let mapping = Mapping {
        name: "overview".to_owned(),
        version: "1".to_owned(),
        description: None,
        data_set: None,
        period_type: None,
        id_scheme: IdScheme::Code,
        attribute_option_combo: None,
        org_unit: OrgUnitRule::National {
            org_unit: Some("all".to_owned()),
        },
        ownership: Vec::new(),
        facility_types: Vec::new(),
        flows: super::mapping::Flows::default(),
        currency: None,
        targets,
    };
    let options = Options {
        period,
        home,
        org_unit: None,
        suppress_below: None,
    };
    let result = Aggregation::new(&mapping, &options)?.run(registry);
    let value = |group: &IscoCode, combo: &str| {
        result
            .values
            .iter()
            .filter(|v| {
                v.data_element == group.to_string()
                    && v.category_option_combo.as_deref() == Some(combo)
            })
            .map(|v| v.value.as_f64())
            .sum::<f64>()
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // headcounts
    let mut rows: Vec<OverviewRow> = groups
        .iter()
        .map(|group| OverviewRow {
            group: *group,
            title: group.title(),
            female: value(group, "female") as u64,
            male: value(group, "male") as u64,
            total: value(group, "total") as u64,
        })
        .filter(|row| row.total > 0)
        .collect();
    rows.sort_by(|a, b| b.total.cmp(&a.total).then(a.group.cmp(&b.group)));
    Ok(rows)
}

/// The minor group (3 digits) of a unit group, or the group itself when it is a minor group.
fn minor_group(code: IscoCode) -> Option<IscoCode> {
    match code.level() {
        IscoLevel::UnitGroup => code.parent(),
        IscoLevel::MinorGroup => Some(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Config, SyntheticRegistry};

    #[test]
    fn overview_counts_the_stock_by_minor_group_and_sex() {
        let registry = SyntheticRegistry::new(Config {
            workers: 2_000,
            bad_records: false,
            ..Config::default()
        })
        .to_registry();
        let rows = overview(
            &registry,
            "2024".parse().unwrap(),
            crate::country::Country::UZBEKISTAN,
        )
        .unwrap();
        let nurses = rows.iter().find(|r| r.group.to_string() == "322").unwrap();
        assert_eq!(
            nurses.title,
            "Nursing and midwifery associate professionals"
        );
        assert_eq!(
            nurses.female + nurses.male,
            nurses.total,
            "no missing sex without bad records"
        );
        assert!(
            rows.windows(2).all(|w| w[0].total >= w[1].total),
            "largest first"
        );
        let medical = rows.iter().find(|r| r.group.to_string() == "221").unwrap();
        let mapping = Mapping::builtin("nhwa-module1").unwrap();
        let options = Options {
            period: "2024".parse().unwrap(),
            home: crate::country::Country::UZBEKISTAN,
            org_unit: Some("x".into()),
            suppress_below: None,
        };
        let nhwa = Aggregation::new(&mapping, &options).unwrap().run(&registry);
        let doctors = nhwa
            .values
            .iter()
            .find(|v| v.data_element == "h6VJJu0W8U7")
            .unwrap()
            .value
            .as_f64();
        #[allow(clippy::cast_precision_loss)]
        let overview_doctors = medical.total as f64;
        assert!(
            (doctors - overview_doctors).abs() < 0.5,
            "same rules as the NHWA figures"
        );
    }
}
