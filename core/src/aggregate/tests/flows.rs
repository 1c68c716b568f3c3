//! Labour-market flows and working conditions on a hand-built registry; every expected
//! value was worked out by hand from the records below.

use super::*;
use crate::employment::PayPeriod::{Month, Year};
use crate::employment::{ContractType, EmploymentStatus, ExitReason};

const FLOWS_MAPPING: &str = r#"
format = 1
name = "flows"
version = "1"
period_type = "Yearly"
default_combo = "COCdefault1"

[org_unit]
rule = "national"
uid = "Uzbekistan1"

[[target]]
data_element = "NurseStock1"
isco = ["3221"]

[[target]]
data_element = "NurseEntry1"
isco = ["3221"]
measure = "entries"
breakdown = "place_of_training"
combos = { domestic = "COCdomestic", foreign = "COCforeign1" }

[[target]]
data_element = "NurseExitR1"
isco = ["3221"]
measure = "exits"
breakdown = "exit_reason"
combos = { voluntary = "COCvoluntar", involuntary = "COCinvolunt" }

[[target]]
data_element = "NurseExitS1"
isco = ["3221"]
measure = "exits"
breakdown = "sex"
combos = { female = "COCfemale01", male = "COCmale0001" }

[[target]]
data_element = "NursePartT1"
isco = ["3221"]
measure = "part_time"

[[target]]
data_element = "NurseContr1"
isco = ["3221"]
breakdown = "contract_type"
combos = { permanent = "COCpermanen", fixed-term = "COCfixedter", casual = "COCcasual01", volunteer = "COCvolunter" }

[[target]]
data_element = "NurseHours1"
isco = ["3221"]
measure = "weekly_hours"
"#;

struct Terms {
    start: NaiveDate,
    end: Option<NaiveDate>,
    fte: Option<f64>,
    contract: Option<ContractType>,
    hours: Option<f64>,
    exit: Option<ExitReason>,
}

fn nurse_job(id: &str, worker: &str, t: &Terms) -> Employment {
    Employment {
        contract: t.contract.map_or(Recorded::Missing, Recorded::Valid),
        weekly_hours: t.hours,
        exit_reason: t.exit.map_or(Recorded::Missing, Recorded::Valid),
        ..job(&Job {
            id,
            worker,
            isco: "3221",
            facility: "fac-1",
            employer: None,
            start: t.start,
            end: t.end,
            fte: t.fte,
        })
    }
}

/// A full-time permanent job of 40 hours from `start` to `end`, ended for `exit`.
fn plain(start: NaiveDate, end: Option<NaiveDate>, exit: Option<ExitReason>) -> Terms {
    Terms {
        start,
        end,
        fte: Some(1.0),
        contract: Some(ContractType::Permanent),
        hours: Some(40.0),
        exit,
    }
}

/// Nine nurses, the period is 2024:
/// - `a` starts 2024-03, domestic-trained: an entry (domestic); permanent, 40 h.
/// - `b` starts 2024-02, trained in Russia: an entry (foreign); FTE 0.5, fixed-term, 20 h.
/// - `c` employed since 2015: stock only; permanent, 40 h.
/// - `d` (male) employed 2018 to 2024-05, resigned: an exit, voluntary.
/// - `e` employed 2010 to 2024-09, retired: an exit, involuntary.
/// - `f` employed 2024-02 to 2024-10: entered and left within the year, so neither an entry
///   (not in the stock at the end) nor an exit (not in it the day before): not counted.
/// - `g` employed 2016 to 2021 (dismissed), back from 2024-04 after a gap: a re-entry, not an
///   entry (an employment before 2024); FTE 0.8, casual, 32 h.
/// - `h` changes job in 2024-04 (resigned from the first): neither entry nor exit; the new
///   job is volunteer with neither FTE, status nor hours.
/// - `i` employed 2020 to 2024-07, no reason recorded: an exit, left out of the reasons.
fn flows_registry() -> Registry {
    let mut practitioners = Vec::new();
    for id in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] {
        let sex = if id == "d" { "male" } else { "female" };
        let trained = if id == "b" { "RU" } else { "UZ" };
        practitioners.push(worker(
            id,
            Some(sex),
            Some("1990-01-01"),
            Some(trained),
            Some("UZ"),
        ));
    }
    let voluntary = Some(ExitReason::Voluntary);
    let employments = vec![
        nurse_job("a1", "a", &plain(d(2024, 3, 1), None, None)),
        nurse_job(
            "b1",
            "b",
            &Terms {
                fte: Some(0.5),
                contract: Some(ContractType::FixedTerm),
                hours: Some(20.0),
                ..plain(d(2024, 2, 1), None, None)
            },
        ),
        nurse_job("c1", "c", &plain(d(2015, 1, 1), None, None)),
        nurse_job(
            "d1",
            "d",
            &plain(d(2018, 1, 1), Some(d(2024, 5, 31)), voluntary),
        ),
        nurse_job(
            "e1",
            "e",
            &plain(
                d(2010, 1, 1),
                Some(d(2024, 9, 30)),
                Some(ExitReason::Retirement),
            ),
        ),
        nurse_job(
            "f1",
            "f",
            &plain(d(2024, 2, 1), Some(d(2024, 10, 31)), voluntary),
        ),
        nurse_job(
            "g1",
            "g",
            &plain(
                d(2016, 1, 1),
                Some(d(2021, 6, 30)),
                Some(ExitReason::Involuntary),
            ),
        ),
        nurse_job(
            "g2",
            "g",
            &Terms {
                fte: Some(0.8),
                contract: Some(ContractType::Casual),
                hours: Some(32.0),
                ..plain(d(2024, 4, 1), None, None)
            },
        ),
        nurse_job(
            "h1",
            "h",
            &plain(d(2019, 1, 1), Some(d(2024, 3, 31)), voluntary),
        ),
        nurse_job(
            "h2",
            "h",
            &Terms {
                fte: None,
                contract: Some(ContractType::Volunteer),
                hours: None,
                ..plain(d(2024, 4, 1), None, None)
            },
        ),
        nurse_job("i1", "i", &plain(d(2020, 1, 1), Some(d(2024, 7, 31)), None)),
    ];
    Registry {
        practitioners,
        employments,
        facilities: vec![facility("fac-1", Some("HOSP"), "org-1")],
        organizations: vec![org("org-1", "govt", Some("UZ"))],
        ..Registry::default()
    }
}

/// (data element, combo, value) of each value.
fn triples(result: &AggregateResult) -> Vec<(String, String, String)> {
    result
        .values
        .iter()
        .map(|v| {
            (
                v.data_element.clone(),
                v.category_option_combo.clone().unwrap_or_default(),
                v.value.to_string(),
            )
        })
        .collect()
}

fn figures(mapping: &str, registry: &Registry) -> (Vec<(String, String, String)>, Account) {
    let mapping = Mapping::from_toml(mapping).unwrap();
    let result = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(registry);
    (triples(&result), result.account)
}

fn owned(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn flows_and_working_conditions_give_the_figures_worked_out_by_hand() {
    let (values, account) = figures(FLOWS_MAPPING, &flows_registry());
    let expected = [
        ("NurseStock1", "COCdefault1", "5"),  // a b c g h
        ("NurseEntry1", "COCdomestic", "1"),  // a
        ("NurseEntry1", "COCforeign1", "1"),  // b
        ("NurseExitR1", "COCvoluntar", "1"),  // d
        ("NurseExitR1", "COCinvolunt", "1"),  // e (retirement)
        ("NurseExitS1", "COCfemale01", "2"),  // e i
        ("NurseExitS1", "COCmale0001", "1"),  // d
        ("NursePartT1", "COCdefault1", "2"),  // b (0.5) g (0.8)
        ("NurseContr1", "COCpermanen", "2"),  // a c
        ("NurseContr1", "COCfixedter", "1"),  // b
        ("NurseContr1", "COCcasual01", "1"),  // g
        ("NurseContr1", "COCvolunter", "1"),  // h
        ("NurseHours1", "COCdefault1", "33"), // (40 + 20 + 40 + 32) / 4
    ];
    assert_eq!(values, owned(&expected));
    assert!(account.adds_up());
    assert_eq!((account.workers, account.counted), (9, 8));
    assert_eq!(
        account.not_counted.get(&(Reason::NotEmployed, None)),
        Some(&1),
        "f: {account}"
    );
    for (breakdown, reason) in [
        (Breakdown::ExitReason, Reason::NoExitReason),
        (Breakdown::None, Reason::NoWorkingTime),
        (Breakdown::None, Reason::NoWeeklyHours),
    ] {
        assert_eq!(
            account.left_out.get(&(breakdown, reason)),
            Some(&1),
            "{breakdown} {reason:?}: {account}"
        );
    }
}

#[test]
fn the_employment_convention_counts_job_moves() {
    let mapping = FLOWS_MAPPING.replace(
        "default_combo = \"COCdefault1\"",
        "default_combo = \"COCdefault1\"\nflows = \"employment\"",
    );
    let (values, account) = figures(&mapping, &flows_registry());
    let flows: Vec<_> = values
        .into_iter()
        .filter(|(de, _, _)| de.starts_with("NurseE"))
        .collect();
    // Jobs begun in 2024: a b f g2 h2; ended: d e f h1 i.
    let expected = [
        ("NurseEntry1", "COCdomestic", "4"), // a f g h
        ("NurseEntry1", "COCforeign1", "1"), // b
        ("NurseExitR1", "COCvoluntar", "3"), // d f h
        ("NurseExitR1", "COCinvolunt", "1"), // e
        ("NurseExitS1", "COCfemale01", "4"), // e f h i
        ("NurseExitS1", "COCmale0001", "1"), // d
    ];
    assert_eq!(flows, owned(&expected));
    assert!(account.adds_up());
    assert_eq!(account.counted, 9);
}

#[test]
fn an_unknown_status_is_not_part_time_and_a_status_decides_without_fte() {
    let mut registry = flows_registry();
    for e in &mut registry.employments {
        if e.id == "h2" {
            e.status = Some(EmploymentStatus::PartTime);
        }
    }
    let (values, account) = figures(FLOWS_MAPPING, &registry);
    assert!(values.contains(&("NursePartT1".into(), "COCdefault1".into(), "3".into())));
    assert_eq!(
        account
            .left_out
            .get(&(Breakdown::None, Reason::NoWorkingTime)),
        None
    );
}

#[test]
fn a_measure_asked_for_a_breakdown_it_cannot_have_fails_on_load_with_its_line() {
    let mapping = FLOWS_MAPPING.replace(
        "measure = \"part_time\"",
        "measure = \"part_time\"\nbreakdown = \"exit_reason\"\ncombos = { voluntary = \"COCvoluntar\" }",
    );
    let err = Mapping::from_toml(&mapping).unwrap_err().to_string();
    // The second `exit_reason` breakdown, the part-time target's.
    let line = mapping
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "breakdown = \"exit_reason\"")
        .map(|(i, _)| i + 1)
        .last()
        .unwrap();
    assert!(
        err.contains(&format!(
            "line {line}: measure part_time cannot be broken down by exit_reason"
        )),
        "{err}"
    );
    let err = Mapping::from_toml(
        &FLOWS_MAPPING.replace("version = \"1\"", "version = \"1\"\nflows = \"jobs\""),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 5: unknown flows convention \"jobs\""),
        "{err}"
    );
}

#[test]
fn only_narrows_a_figure_to_categories_and_the_account_says_who_is_in_none() {
    let mapping = r#"
format = 1
name = "only"
version = "1"
default_combo = "COCdefault1"

[org_unit]
rule = "national"
uid = "Uzbekistan1"

[[target]]
data_element = "FemForeign1"
isco = ["3221"]
measure = "entries"
only = { sex = "female", place_of_training = "foreign" }
category_option_combo = "COCnurse001"

[[target]]
data_element = "MaleDomest1"
isco = ["3221"]
measure = "entries"
only = { sex = "male", place_of_training = "domestic" }
category_option_combo = "COCnurse001"

[[target]]
data_element = "MaleVolunt1"
isco = ["3221"]
measure = "exits"
only = { sex = "male", exit_reason = "voluntary" }
category_option_combo = "COCnurse001"
"#;
    let (values, account) = figures(mapping, &flows_registry());
    let expected = [
        ("FemForeign1", "COCnurse001", "1"), // b
        ("MaleDomest1", "COCnurse001", "0"), // a is female
        ("MaleVolunt1", "COCnurse001", "1"), // d
    ];
    assert_eq!(values, owned(&expected));
    assert!(account.adds_up());
    // Counted: b and d only. In the stock and in no figure: a (female, domestic), c, g, h.
    // Not employed at the end: e and i (female exits) and f.
    assert_eq!(account.counted, 2, "{account}");
    assert_eq!(
        account.not_counted.get(&(Reason::InNoFigure, None)),
        Some(&4),
        "{account}"
    );
    assert_eq!(
        account.not_counted.get(&(Reason::NotEmployed, None)),
        Some(&3),
        "{account}"
    );
    let bad = mapping.replace(
        "only = { sex = \"male\", exit_reason = \"voluntary\" }",
        "only = { sex = \"male\", exit_reason = \"sideways\" }",
    );
    let err = Mapping::from_toml(&bad).unwrap_err().to_string();
    assert!(
        err.contains("\"sideways\" is not a value of breakdown exit_reason"),
        "{err}"
    );
}

/// The value of data element `de` for combo `coc`.
fn value_of(values: &[(String, String, String)], de: &str, coc: &str) -> u64 {
    values
        .iter()
        .find(|(d, c, _)| d == de && c == coc)
        .map_or_else(
            || panic!("no value for {de} {coc}"),
            |(_, _, v)| v.parse().unwrap(),
        )
}

/// A generated registry of 4,000 clean records and national options for it.
fn generated() -> (Registry, Options) {
    let registry = SyntheticRegistry::new(Config {
        workers: 4_000,
        bad_records: false,
        ..Config::default()
    })
    .to_registry();
    let options = Options {
        org_unit: Some("Uzbekistan1".into()),
        home: Country::UZBEKISTAN,
        ..options()
    };
    (registry, options)
}

#[test]
fn shipped_flows_and_conditions_mappings_add_up_on_a_generated_registry() {
    let module5 = Mapping::builtin("nhwa-module5").unwrap();
    assert_eq!(module5.data_set.as_deref(), Some("WXTEJg6SJAc"));
    let female_domestic_nurses = module5
        .targets
        .iter()
        .find(|t| t.data_element == "sF1LtVEqk6Y" && t.combos[0].1 == "gT8LDQDh2wc")
        .unwrap();
    assert_eq!(female_domestic_nurses.measure, Measure::Entries);
    assert_eq!(
        female_domestic_nurses.population.isco[0].to_string(),
        "2221"
    );
    assert_eq!(
        female_domestic_nurses.only,
        // In breakdown-name order, as the file's table is read.
        vec![
            Category::Training(Origin::Domestic),
            Category::Sex(Sex::Female)
        ]
    );
    let module6 = Mapping::builtin("nhwa-module6").unwrap();
    assert_eq!(module6.data_set.as_deref(), Some("U2K47T8nDgj"));
    assert_eq!(module6.targets.len(), 5 * 7);
    let err = Mapping::builtin("nhwa-module8").unwrap_err().to_string();
    assert!(
        err.contains("nhwa-module5, nhwa-module6, nhwa-module7"),
        "{err}"
    );

    let (registry, options) = generated();
    let run = |m: &Mapping| {
        let result = Aggregation::new(m, &options).unwrap().run(&registry);
        assert!(result.account.adds_up(), "{}", result.account);
        triples(&result)
    };
    let flows = run(&module5);
    // Every generated worker has a valid sex: female + male = all, for each occupation combo.
    let doctors = "woIm3nuS3mM";
    for (total, female, male) in [
        ("DwYaOZuilM8", "sF1LtVEqk6Y", "gvkPV8aqP39"), // newly active, domestic trained
        ("OI5vu4jG4Rf", "ftfTDf31OnN", "h1S7GCkmvVn"), // newly active, foreign trained
        ("BOPZbzxOfSA", "sw0lh63wqsA", "qQBFc1FSZBd"), // voluntary exits
        ("NNQYgAf2Cj8", "yazrkuSMGHD", "AZqsANkZRnD"), // involuntary exits
    ] {
        let all = value_of(&flows, total, doctors);
        assert!(all > 0, "{total}");
        assert_eq!(
            value_of(&flows, female, doctors) + value_of(&flows, male, doctors),
            all,
            "{total}"
        );
    }
    // Started practising within a year of graduation: female + male = all, too.
    let all = value_of(&flows, "P9FK7e2Ngsz", doctors);
    let split = value_of(&flows, "SSzpjcForGt", doctors) + value_of(&flows, "qNRERx0Icjw", doctors);
    assert!(all > 0);
    assert_eq!(split, all);
    let conditions = run(&module6);
    let nurses = "gT8LDQDh2wc";
    let part_time = value_of(&conditions, "hBzWHe6kuvu", nurses);
    assert!(part_time > 0);
    let by_ownership: u64 = ["C8MvR5CNwpG", "wsmvhizfctg", "KlsBVkjtkkV"]
        .iter()
        .map(|de| value_of(&conditions, de, nurses))
        .sum();
    assert_eq!(by_ownership, part_time);
    let hours = conditions
        .iter()
        .find(|(d, c, _)| d == "GeY6o2BMvp1" && c == nurses)
        .map(|(_, _, v)| v.parse::<f64>().unwrap())
        .unwrap();
    assert!((20.0..40.0).contains(&hours), "{hours}");
}

#[test]
fn density_is_workers_per_ten_thousand_population_and_never_a_silent_zero() {
    let mapping = Mapping::from_toml(
        r#"
format = 1
name = "density"
version = "1"
default_combo = "COCdefault1"

[org_unit]
rule = "national"
uid = "Uzbekistan1"

[[target]]
data_element = "NurseDens01"
isco = ["3221"]
measure = "density"
"#,
    )
    .unwrap();
    let csv = "org_unit,period,population\nUzbekistan1,2024,40000\nUzbekistan1,2023,1\n";
    let table = crate::population::PopulationTable::from_csv(csv.as_bytes(), "pop.csv").unwrap();
    let run = |table: Option<&crate::population::PopulationTable>| {
        let mut aggregation = Aggregation::new(&mapping, &options()).unwrap();
        if let Some(t) = table {
            aggregation = aggregation.with_population(t.clone());
        }
        aggregation.run(&flows_registry())
    };
    // Five nurses in the stock (a b c g h) over 40,000 people: 1.25 per 10,000.
    let with = run(Some(&table));
    assert_eq!(
        triples(&with),
        owned(&[("NurseDens01", "COCdefault1", "1.25")])
    );
    assert_eq!(with.account.densities_without_population, 0);
    let without = run(None);
    assert!(without.values.is_empty());
    assert_eq!(without.account.densities_without_population, 1);
    assert!(
        without
            .account
            .to_string()
            .contains("density values not written")
    );
    let err = Mapping::from_toml(
        "format = 1\nname = \"d\"\nversion = \"1\"\n[org_unit]\nrule = \"national\"\n[[target]]\ndata_element = \"NurseDens01\"\nisco = [\"3221\"]\nmeasure = \"density\"\nbreakdown = \"sex\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 10: measure density cannot be broken down by sex"),
        "{err}"
    );
}

const EARNINGS_MAPPING: &str = r#"
format = 1
name = "earnings"
version = "1"
default_combo = "COCdefault1"

[org_unit]
rule = "national"
uid = "Uzbekistan1"

[ownership]
"http://terminology.hl7.org/CodeSystem/organization-type|govt" = "public"
"http://terminology.hl7.org/CodeSystem/organization-type|bus" = "private-for-profit"

[[target]]
data_element = "NursePay001"
isco = ["3221"]
measure = "median_earnings"

[[target]]
data_element = "NursePayOwn"
isco = ["3221"]
measure = "median_earnings"
breakdown = "facility_ownership"
combos = { public = "COCpublic01", private-not-for-profit = "COCnonprofi", private-for-profit = "COCforprofi" }
"#;

/// The flows registry's stock (a b c g h) with salaries: a 1,500,000 UZS a month
/// (18,000,000 a year), b 12,000,000 a year, c 2,000,000 a month (24,000,000), g
/// 20,000,000 a year (or 2,000 USD a year with `g_in_usd`), h (a volunteer) none; c and g
/// work for a private for-profit employer, the others for the public one.
fn paid_registry(g_in_usd: bool) -> Registry {
    let mut registry = flows_registry();
    registry.organizations.push(org("org-2", "bus", Some("UZ")));
    let salary = |amount: f64, currency: &str, per| crate::employment::Salary {
        amount,
        currency: currency.to_owned(),
        per,
    };
    for e in &mut registry.employments {
        e.salary = match e.id.as_str() {
            "a1" => Some(salary(1_500_000.0, "UZS", Month)),
            "b1" => Some(salary(12_000_000.0, "UZS", Year)),
            "c1" => Some(salary(2_000_000.0, "UZS", Month)),
            "g2" if g_in_usd => Some(salary(2_000.0, "USD", Year)),
            "g2" => Some(salary(20_000_000.0, "UZS", Year)),
            _ => None,
        };
        if matches!(e.id.as_str(), "c1" | "g2") {
            e.employer = Some("org-2".into());
        }
    }
    registry
}

#[test]
fn median_earnings_are_the_middle_annual_pay_in_one_currency() {
    let (values, account) = figures(EARNINGS_MAPPING, &paid_registry(false));
    let expected = [
        // 12, 18, 20, 24 million: an even count, the mean of 18 and 20 million.
        ("NursePay001", "COCdefault1", "19000000"),
        ("NursePayOwn", "COCpublic01", "15000000"), // a 18, b 12 million
        ("NursePayOwn", "COCforprofi", "22000000"), // c 24, g 20 million
    ];
    assert_eq!(values, owned(&expected));
    assert!(account.adds_up());
    assert_eq!(account.medians_mixed_currencies, 0);
    for breakdown in [Breakdown::None, Breakdown::FacilityOwnership] {
        assert_eq!(
            account.left_out.get(&(breakdown, Reason::NoSalary)),
            Some(&1),
            "h: {account}"
        );
    }
}

#[test]
fn median_earnings_never_mix_currencies() {
    // g paid in USD: the total and the for-profit figure would mix UZS and USD.
    let (values, account) = figures(EARNINGS_MAPPING, &paid_registry(true));
    assert_eq!(values, owned(&[("NursePayOwn", "COCpublic01", "15000000")]));
    assert!(account.adds_up());
    assert_eq!(account.medians_mixed_currencies, 2);
    assert!(
        account
            .to_string()
            .contains("median earnings not written (salaries in more than one currency): 2"),
        "{account}"
    );
    // With the mapping's currency fixed, g is left out of the figures instead.
    let fixed = EARNINGS_MAPPING.replace(
        "default_combo = \"COCdefault1\"",
        "default_combo = \"COCdefault1\"\ncurrency = \"UZS\"",
    );
    let (values, account) = figures(&fixed, &paid_registry(true));
    let expected = [
        ("NursePay001", "COCdefault1", "18000000"), // 12, 18, 24 million: the middle one
        ("NursePayOwn", "COCpublic01", "15000000"),
        ("NursePayOwn", "COCforprofi", "24000000"), // c alone
    ];
    assert_eq!(values, owned(&expected));
    assert_eq!(account.medians_mixed_currencies, 0);
    assert_eq!(
        account
            .left_out
            .get(&(Breakdown::None, Reason::OtherCurrency)),
        Some(&1),
        "{account}"
    );
    let err = Mapping::from_toml(&EARNINGS_MAPPING.replace(
        "default_combo = \"COCdefault1\"",
        "default_combo = \"COCdefault1\"\ncurrency = \"som\"",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 6: currency \"som\" is not an ISO 4217 code"),
        "{err}"
    );
}

#[test]
fn a_salary_without_a_currency_or_amount_is_left_out_with_its_reason() {
    let mut registry = paid_registry(false);
    for e in &mut registry.employments {
        if let Some(s) = e.salary.as_mut() {
            match e.id.as_str() {
                "a1" => s.currency = "U$".to_owned(),
                "b1" => s.amount = -1.0,
                _ => {}
            }
        }
    }
    let (values, account) = figures(EARNINGS_MAPPING, &registry);
    // c 24 and g 20 million remain.
    assert_eq!(
        values[0],
        owned(&[("NursePay001", "COCdefault1", "22000000")])[0]
    );
    assert_eq!(
        account
            .left_out
            .get(&(Breakdown::None, Reason::InvalidSalary)),
        Some(&2),
        "{account}"
    );
}

#[test]
fn the_shipped_remuneration_mapping_gives_every_median_on_a_generated_registry() {
    let module7 = Mapping::builtin("nhwa-module7").unwrap();
    assert_eq!(module7.data_set.as_deref(), Some("Vvb0gbFH9IO"));
    // Total, female and male median earnings for seven occupations.
    assert_eq!(module7.targets.len(), 3 * 7);
    assert!(
        module7
            .targets
            .iter()
            .all(|t| t.measure == Measure::MedianEarnings)
    );
    let (registry, options) = generated();
    let result = Aggregation::new(&module7, &options).unwrap().run(&registry);
    assert!(result.account.adds_up(), "{}", result.account);
    // Generated salaries are all in UZS: nothing is withheld for mixed currencies, and
    // every occupation of the registry has its three figures.
    assert_eq!(result.account.medians_mixed_currencies, 0);
    let values = triples(&result);
    let pay = |de: &str, coc: &str| {
        values
            .iter()
            .find(|(d, c, _)| d == de && c == coc)
            .map(|(_, _, v)| v.parse::<f64>().unwrap())
    };
    for coc in ["woIm3nuS3mM", "gT8LDQDh2wc"] {
        let total = pay("BCjjT4Xujzu", coc).unwrap();
        let female = pay("kOWad32u5xr", coc).unwrap();
        let male = pay("oTcSBrUk1hs", coc).unwrap();
        assert!(total > 0.0, "{coc}");
        // A median of all lies between the medians of its two halves.
        assert!(
            female.min(male) <= total && total <= female.max(male),
            "{coc}: {female} {total} {male}"
        );
    }
    // A tenth of generated jobs (and every volunteer's) record no salary.
    assert!(
        result
            .account
            .left_out
            .get(&(Breakdown::None, Reason::NoSalary))
            .is_some_and(|n| *n > 0),
        "{}",
        result.account
    );
}

/// A national mapping named `name` with these targets.
fn national(name: &str, targets: &str) -> String {
    format!(
        "format = 1\nname = \"{name}\"\nversion = \"1\"\ndefault_combo = \"COCdefault1\"\n\n\
         [org_unit]\nrule = \"national\"\nuid = \"Uzbekistan1\"\n{targets}"
    )
}

#[test]
fn graduate_entries_are_entrants_who_started_within_a_year_of_graduating() {
    let mapping = &national(
        "graduates",
        r#"
[[target]]
data_element = "NurseGrad01"
isco = ["3221"]
measure = "graduate_entries"
breakdown = "sex"
combos = { female = "COCfemale01", male = "COCmale0001" }
"#,
    );
    let mut registry = flows_registry();
    for p in &mut registry.practitioners {
        let Some(q) = p.qualifications.first_mut() else {
            continue;
        };
        match p.id.as_str() {
            // a graduated 2023-06-30 and started 2024-03-01: within a year.
            "a" => q.period = DateRange::new(Some(d(2019, 9, 1)), Some(d(2023, 6, 30))),
            // b's diploma has no date: left out with the reason.
            "b" => q.period = DateRange::default(),
            // c, in the stock since 2015, graduates in 2024: not an entrant at all.
            "c" => q.period = DateRange::new(None, Some(d(2024, 1, 31))),
            _ => {}
        }
    }
    let (values, account) = figures(mapping, &registry);
    assert_eq!(
        values,
        owned(&[
            ("NurseGrad01", "COCfemale01", "1"), // a
            ("NurseGrad01", "COCmale0001", "0"),
        ])
    );
    assert!(account.adds_up());
    assert_eq!(
        account
            .left_out
            .get(&(Breakdown::Sex, Reason::NoGraduationDate)),
        Some(&1),
        "b: {account}"
    );
    // Graduated a day more than a year before starting: not within one year.
    for p in &mut registry.practitioners {
        if p.id == "a" {
            p.qualifications[0].period = DateRange::new(None, Some(d(2023, 2, 28)));
        }
    }
    let (values, _) = figures(mapping, &registry);
    assert_eq!(value_of(&values, "NurseGrad01", "COCfemale01"), 0);
    // Started before graduating: not "after graduation" either.
    for p in &mut registry.practitioners {
        if p.id == "a" {
            p.qualifications[0].period = DateRange::new(None, Some(d(2024, 6, 30)));
        }
    }
    let (values, _) = figures(mapping, &registry);
    assert_eq!(value_of(&values, "NurseGrad01", "COCfemale01"), 0);
}
