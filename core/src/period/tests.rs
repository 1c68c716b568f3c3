use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn span(id: &str) -> (NaiveDate, NaiveDate) {
    let p = Period::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    (p.start(), p.end())
}

#[test]
fn every_type_has_a_known_example() {
    let cases = [
        ("20240315", d(2024, 3, 15), d(2024, 3, 15)),
        ("2024W1", d(2024, 1, 1), d(2024, 1, 7)),
        ("2015WedW5", d(2015, 1, 28), d(2015, 2, 3)),
        ("2024WedW1", d(2024, 1, 3), d(2024, 1, 9)),
        ("2024ThuW1", d(2024, 1, 4), d(2024, 1, 10)),
        ("2024FriW1", d(2023, 12, 29), d(2024, 1, 4)),
        ("2024SatW1", d(2023, 12, 30), d(2024, 1, 5)),
        ("2024SunW1", d(2023, 12, 31), d(2024, 1, 6)),
        ("2025BiW1", d(2024, 12, 30), d(2025, 1, 12)),
        ("2024BiW2", d(2024, 1, 15), d(2024, 1, 28)),
        ("202402", d(2024, 2, 1), d(2024, 2, 29)),
        ("202402B", d(2024, 3, 1), d(2024, 4, 30)),
        ("202406B", d(2024, 11, 1), d(2024, 12, 31)),
        ("2024Q1", d(2024, 1, 1), d(2024, 3, 31)),
        ("2024Q4", d(2024, 10, 1), d(2024, 12, 31)),
        ("2024NovQ1", d(2023, 11, 1), d(2024, 1, 31)),
        ("2024NovQ4", d(2024, 8, 1), d(2024, 10, 31)),
        ("2024S2", d(2024, 7, 1), d(2024, 12, 31)),
        ("2024AprilS1", d(2024, 4, 1), d(2024, 9, 30)),
        ("2024AprilS2", d(2024, 10, 1), d(2025, 3, 31)),
        ("2024NovS1", d(2023, 11, 1), d(2024, 4, 30)),
        ("2024NovS2", d(2024, 5, 1), d(2024, 10, 31)),
        ("2024", d(2024, 1, 1), d(2024, 12, 31)),
        ("2024Feb", d(2024, 2, 1), d(2025, 1, 31)),
        ("2024April", d(2024, 4, 1), d(2025, 3, 31)),
        ("2024July", d(2024, 7, 1), d(2025, 6, 30)),
        ("2024Aug", d(2024, 8, 1), d(2025, 7, 31)),
        ("2024Sep", d(2024, 9, 1), d(2025, 8, 31)),
        ("2024Oct", d(2024, 10, 1), d(2025, 9, 30)),
        ("2024Nov", d(2023, 11, 1), d(2024, 10, 31)),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (id, start, end) in cases {
        assert_eq!(span(id), (start, end), "{id}");
        assert_eq!(Period::parse(id).unwrap().to_string(), id);
        seen.insert(Period::parse(id).unwrap().period_type());
    }
    assert_eq!(
        seen.len(),
        PeriodType::ALL.len(),
        "every type has an example"
    );
}

#[test]
fn dashed_daily_and_monthly_forms_are_read() {
    assert_eq!(Period::parse("2024-03-15").unwrap().to_string(), "20240315");
    assert_eq!(Period::parse("2024-03").unwrap().to_string(), "202403");
}

#[test]
fn iso_week_edges_around_year_ends() {
    let week = |y, m, day| {
        Period::containing(d(y, m, day), PeriodType::Weekly)
            .unwrap()
            .to_string()
    };
    assert_eq!(week(2024, 12, 30), "2025W1");
    assert_eq!(week(2024, 12, 29), "2024W52");
    assert_eq!(week(2021, 1, 3), "2020W53");
    assert_eq!(week(2020, 12, 31), "2020W53");
    assert_eq!(week(2027, 1, 3), "2026W53");
    assert_eq!(week(2027, 1, 4), "2027W1");
    assert_eq!(week(2016, 1, 1), "2015W53");
    assert_eq!(span("2020W53"), (d(2020, 12, 28), d(2021, 1, 3)));
    assert!(Period::parse("2021W53").is_err(), "2021 has 52 ISO weeks");
    assert!(Period::parse("2024W0").is_err());
    // Sunday weeks: 2023-01-01 is a Sunday and the start of 2023SunW1.
    let sunday = |y, m, day| {
        Period::containing(d(y, m, day), PeriodType::WeeklySunday)
            .unwrap()
            .to_string()
    };
    assert_eq!(sunday(2023, 1, 1), "2023SunW1");
    assert_eq!(sunday(2022, 12, 31), "2022SunW52");
    assert_eq!(sunday(2023, 12, 31), "2024SunW1");
}

#[test]
fn biweeks_pair_iso_weeks() {
    let biweek = |y, m, day| {
        Period::containing(d(y, m, day), PeriodType::BiWeekly)
            .unwrap()
            .to_string()
    };
    assert_eq!(biweek(2024, 1, 1), "2024BiW1");
    assert_eq!(biweek(2024, 1, 14), "2024BiW1");
    assert_eq!(biweek(2024, 1, 15), "2024BiW2");
    assert_eq!(biweek(2024, 12, 30), "2025BiW1");
    assert!(
        Period::parse("2024BiW27").is_err(),
        "2024 has 52 weeks, so 26 bi-weeks"
    );
}

#[test]
fn financial_years_are_labelled_by_start_year_except_november() {
    let fy = |t, y, m, day| Period::containing(d(y, m, day), t).unwrap().to_string();
    assert_eq!(fy(PeriodType::FinancialApril, 2024, 3, 31), "2023April");
    assert_eq!(fy(PeriodType::FinancialApril, 2024, 4, 1), "2024April");
    assert_eq!(fy(PeriodType::FinancialJuly, 2025, 6, 30), "2024July");
    assert_eq!(fy(PeriodType::FinancialOct, 2024, 10, 1), "2024Oct");
    assert_eq!(fy(PeriodType::FinancialNov, 2023, 11, 1), "2024Nov");
    assert_eq!(fy(PeriodType::FinancialNov, 2024, 10, 31), "2024Nov");
    assert_eq!(fy(PeriodType::FinancialNov, 2024, 11, 1), "2025Nov");
    assert_eq!(fy(PeriodType::QuarterlyNov, 2023, 12, 25), "2024NovQ1");
    assert_eq!(fy(PeriodType::SixMonthlyNov, 2024, 11, 2), "2025NovS1");
    assert_eq!(fy(PeriodType::SixMonthlyApril, 2025, 2, 1), "2024AprilS2");
}

#[test]
fn every_day_round_trips_for_every_type() {
    let mut day = d(2018, 11, 1);
    while day <= d(2027, 2, 1) {
        for t in PeriodType::ALL {
            let p = Period::containing(day, t).unwrap();
            assert!(p.contains(day), "{t} {day}");
            let id = p.to_string();
            assert_eq!(Period::parse(&id).unwrap(), p, "{t} {day} {id}");
            assert_eq!(Period::from_adx(&p.to_adx()).unwrap(), p, "{t} {day} adx");
            if t != PeriodType::BiWeekly {
                let next = p.next().unwrap();
                assert_eq!(next.start(), p.end().succ_opt().unwrap(), "{t} {day} next");
                assert_eq!(next.previous().unwrap(), p);
            }
        }
        day = day.succ_opt().unwrap();
    }
}

#[test]
fn adx_periods() {
    let p = Period::from_adx("2023-01-01/P1Y").unwrap();
    assert_eq!(p.to_string(), "2023");
    assert_eq!(
        Period::from_adx("2024-04-01/P1Y").unwrap().to_string(),
        "2024April"
    );
    assert_eq!(
        Period::from_adx("2023-11-01/P3M").unwrap().to_string(),
        "2024NovQ1"
    );
    assert_eq!(Period::parse("2024W1").unwrap().to_adx(), "2024-01-01/P7D");
    assert!(
        Period::from_adx("2024-01-02/P1M").is_err(),
        "not a month start"
    );
    assert!(Period::from_adx("2024-01-02/P7D").is_err(), "Tuesday");
    assert!(Period::from_adx("2024-01-01").is_err());
    assert!(Period::from_adx("2024-01-01/P5Y").is_err());
}

#[test]
fn malformed_ids_are_refused_with_a_reason() {
    for bad in [
        "",
        "202",
        "abcd",
        "2024W",
        "2024W54",
        "2024Q5",
        "2024Q0",
        "202413",
        "2024S3",
        "2024NovQ5",
        "202407B",
        "20240230",
        "2024Foo",
        "2024-13",
        "2024-02-30",
        "0000",
        "2024WedW99",
        "2024BiW0",
        "2024W1x",
        "２０２４",
    ] {
        let err = Period::parse(bad).unwrap_err();
        assert!(
            matches!(err, CoreError::InvalidPeriod { .. }),
            "{bad}: {err}"
        );
    }
}

#[test]
fn dates_at_the_edge_of_the_range_do_not_panic() {
    for t in PeriodType::ALL {
        let _ = Period::containing(NaiveDate::MIN, t);
        let _ = Period::containing(NaiveDate::MAX, t);
        assert!(Period::containing(d(9999, 12, 31), t).is_ok() || t.iso_duration() != "P1D");
        assert!(
            Period::containing(d(1, 1, 1), t).is_err()
                || Period::containing(d(1, 1, 1), t).unwrap().start().year() >= 1
        );
    }
    assert!(Period::parse("9999Nov").is_ok());
    assert!(
        Period::parse("9999April").is_err(),
        "would end in year 10000"
    );
}

#[test]
fn type_names_parse_with_aliases() {
    for t in PeriodType::ALL {
        assert_eq!(t.name().parse::<PeriodType>().unwrap(), t);
    }
    assert_eq!(
        "FinancialNovember".parse::<PeriodType>().unwrap(),
        PeriodType::FinancialNov
    );
    assert_eq!("weekly".parse::<PeriodType>().unwrap(), PeriodType::Weekly);
    assert!("Fortnightly".parse::<PeriodType>().is_err());
}

#[test]
fn serde_uses_the_period_id() {
    let p = Period::parse("2024AprilS2").unwrap();
    assert_eq!(serde_json::to_string(&p).unwrap(), "\"2024AprilS2\"");
    assert_eq!(
        serde_json::from_str::<Period>("\"2024AprilS2\"").unwrap(),
        p
    );
    assert!(serde_json::from_str::<Period>("\"2024X\"").is_err());
}
