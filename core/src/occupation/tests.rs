use super::*;

fn isco(code: &str) -> IscoCode {
    IscoCode::parse(code).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn who_health_workforce_groups_are_known() {
    for (code, title) in [
        ("2211", "Generalist medical practitioners"),
        ("2212", "Specialist medical practitioners"),
        ("2221", "Nursing professionals"),
        ("2222", "Midwifery professionals"),
        ("3221", "Nursing associate professionals"),
        ("3222", "Midwifery associate professionals"),
        ("2261", "Dentists"),
        ("2262", "Pharmacists"),
        ("3253", "Community health workers"),
        ("5321", "Health care assistants"),
        ("221", "Medical doctors"),
        ("22", "Health professionals"),
        ("32", "Health associate professionals"),
        ("2", "Professionals"),
    ] {
        assert_eq!(isco(code).title(), title, "{code}");
    }
}

#[test]
fn hierarchy() {
    let nurse = isco("3221");
    assert_eq!(nurse.level(), IscoLevel::UnitGroup);
    assert_eq!(nurse.parent(), Some(isco("322")));
    assert_eq!(isco("322").parent(), Some(isco("32")));
    assert_eq!(isco("32").parent(), Some(isco("3")));
    assert_eq!(isco("3").parent(), None);
    assert!(nurse.is_within(isco("32")));
    assert!(nurse.is_within(nurse));
    assert!(!nurse.is_within(isco("22")));
    assert!(!isco("22").is_within(isco("2211")));
    assert!(
        !isco("2221").is_within(
            isco("222")
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap_or(isco("3"))
        )
    );
}

#[test]
fn leading_zeros_are_kept() {
    let officer = isco("0110");
    assert_eq!(officer.to_string(), "0110");
    assert!(officer.is_within(isco("0")));
    assert_eq!(serde_json::to_string(&officer).unwrap(), "\"0110\"");
}

#[test]
fn malformed_or_unknown_codes_are_refused() {
    for bad in ["", "22111", "22a1", "9999", "2299", "-221", "０"] {
        assert!(IscoCode::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn table_is_sorted_unique_and_every_group_has_its_parents() {
    let codes: Vec<&str> = isco08::ALL.iter().map(|(c, _)| *c).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    for code in IscoCode::all() {
        if let Some(parent) = code.parent() {
            assert!(
                IscoCode::parse(&parent.to_string()).is_ok(),
                "{code} has parent {parent}"
            );
        }
    }
    let count = |level| IscoCode::all().filter(|c| c.level() == level).count();
    assert_eq!(count(IscoLevel::MajorGroup), 10);
    assert_eq!(count(IscoLevel::SubMajorGroup), 43);
    assert_eq!(count(IscoLevel::MinorGroup), 130);
    assert_eq!(count(IscoLevel::UnitGroup), 436);
}

#[test]
fn every_code_of_one_to_four_digits_is_known_exactly_when_it_has_a_title() {
    for digits in 1..=4_usize {
        for value in 0..10_u32.pow(u32::try_from(digits).unwrap()) {
            let code = format!("{value:0digits$}");
            let known = isco08::title(&code).is_some();
            assert_eq!(IscoCode::parse(&code).is_ok(), known, "{code}");
        }
    }
    assert_eq!(IscoCode::all().count(), isco08::ALL.len());
}
