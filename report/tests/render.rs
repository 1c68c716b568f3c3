//! The page from a generated registry: headline figures equal the aggregation's, small
//! cells are withheld, every chart is an accessible SVG, nothing is fetched.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use hrh_core::aggregate::{AggregateResult, Aggregation, Mapping, Options};
use hrh_core::population::PopulationTable;
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, Period, Registry};
use hrh_report::{Places, Report};

fn run(registry: &Registry, mapping: &Mapping, period: &str, k: Option<u64>) -> AggregateResult {
    let options = Options {
        period: period.parse().unwrap(),
        home: Country::UZBEKISTAN,
        org_unit: Some("UZ".into()),
        suppress_below: k,
    };
    Aggregation::new(mapping, &options)
        .unwrap()
        .with_profile()
        .run(registry)
}

/// The `data-value` of the headline row of a data element, or `None` when it is withheld.
fn headline(html: &str, data_element: &str) -> Option<u64> {
    let section = html.split("id=\"headline\"").nth(1).unwrap();
    let row = section
        .split(&format!("data-figure=\"{data_element}\""))
        .nth(1)
        .expect("a row for every headline figure");
    let row = row.split("</tr>").next().unwrap();
    if row.contains("data-withheld") {
        return None;
    }
    let value = row.split("data-value=\"").nth(1).unwrap();
    Some(value.split('"').next().unwrap().parse().unwrap())
}

/// The small-cell threshold of the test.
const K: u64 = 12;

#[test]
fn headline_figures_are_the_aggregates_and_small_cells_are_withheld() {
    let registry = SyntheticRegistry::new(Config {
        workers: 2_000,
        ..Config::default()
    })
    .to_registry();
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let result = run(&registry, &mapping, "2024", Some(K));
    let period: Period = "2024".parse().unwrap();
    let mut population = PopulationTable::new();
    population.insert("UZ", "2024", 36_800_000);
    let mut report = Report::new(Country::UZBEKISTAN, &mapping, vec![(period, &result)]);
    report.suppress_below = Some(K);
    report.population = Some((&population, "population.csv".to_owned()));
    report.places.add_facilities(&registry.facilities);
    let html = report.render().unwrap();
    let artifacts =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/report-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("render.html"), &html).unwrap();
    let mut shown = 0;
    for value in &result.values {
        let target = mapping
            .targets
            .iter()
            .find(|t| t.data_element == value.data_element)
            .unwrap();
        if target.breakdown == hrh_core::aggregate::Breakdown::None
            && target.measure == hrh_core::aggregate::Measure::Headcount
        {
            assert_eq!(
                headline(&html, &value.data_element),
                Some(value.value.as_f64() as u64)
            );
            shown += 1;
        }
    }
    assert!(shown > 10, "{shown}");
    let mut withheld = 0;
    for value in &result.withheld {
        let target = mapping
            .targets
            .iter()
            .find(|t| t.data_element == value.data_element)
            .unwrap();
        if target.breakdown == hrh_core::aggregate::Breakdown::None {
            assert_eq!(
                headline(&html, &value.data_element),
                None,
                "{}",
                value.data_element
            );
            withheld += 1;
        }
    }
    assert!(withheld > 0, "2,000 workers leave some small groups");
    assert!(html.contains("id=\"suppression\""));
    // No count from 1 to K-1 anywhere in a table.
    for n in 1..K {
        assert!(!html.contains(&format!("data-value=\"{n}\"")), "{n} shown");
    }
    // Density from the population of the national org unit.
    assert!(html.contains("per 10,000 population"));
    let svgs = html
        .matches("<svg class=\"chart\" role=\"img\" aria-labelledby=")
        .count();
    assert!(svgs >= 9, "{svgs} charts");
    assert_eq!(
        html.matches("<svg").count(),
        svgs,
        "every chart is accessible"
    );
    assert_eq!(html.matches("<title id=").count(), svgs);
    assert!(
        !html.contains("no-geometry"),
        "facility positions give a map"
    );
    // Self-contained: no script, no external reference.
    assert!(!html.contains("<script"));
    assert_eq!(
        html.matches("http://").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert!(!html.contains("https://"));
    assert!(html.len() < 2_000_000, "{}", html.len());
}

#[test]
fn one_group_without_population_or_geometry_still_renders_and_says_why() {
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let mut registry = SyntheticRegistry::new(Config {
        workers: 600,
        bad_records: false,
        ..Config::default()
    })
    .to_registry();
    // Keep the nurses only.
    registry.employments.retain(|e| {
        e.occupation
            .valid()
            .is_some_and(|c| c.to_string() == "3221")
    });
    for f in &mut registry.facilities {
        f.position = None;
    }
    let periods = Period::parse_series("2022..2024").unwrap();
    let results: Vec<_> = periods
        .iter()
        .map(|p| run(&registry, &mapping, &p.to_string(), None))
        .collect();
    let runs = periods.iter().copied().zip(results.iter()).collect();
    let mut report = Report::new(Country::UZBEKISTAN, &mapping, runs);
    report.places = Places::new();
    let html = report.render().unwrap();
    assert!(html.contains("id=\"no-geometry\""));
    assert!(html.contains("no population file given"));
    assert!(html.contains("id=\"trends\""));
    assert!(html.contains("Nursing personnel: age-sex pyramid"));
    assert!(
        !html.contains("Medical doctors: age-sex pyramid"),
        "no doctors, no pyramid"
    );
    let summary = report.summary();
    assert!(summary.contains("Nursing Associate Professionals") && !summary.contains("<svg"));
}

#[test]
fn the_page_is_written_whole_or_not_at_all() {
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    let result = run(&Registry::default(), &mapping, "2024", None);
    let report = Report::new(
        Country::UZBEKISTAN,
        &mapping,
        vec![("2024".parse().unwrap(), &result)],
    );
    let dir = std::env::temp_dir().join(format!("hrh-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("profile.html");
    report.write(&path).unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().ends_with("</html>"));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    let error = report
        .write(&dir.join("missing").join("p.html"))
        .unwrap_err();
    assert!(error.to_string().contains("p.html"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
