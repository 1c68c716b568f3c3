//! DHIS2 period ids and ADX periods: a period that parses prints back as the id it came
//! from (or, for the dashed forms, as an id that parses to it), and its dates agree.
#![no_main]

use hrh_core::{Period, PeriodType};
use libfuzzer_sys::fuzz_target;

fn check(p: &Period) {
    let id = p.to_string();
    match Period::parse(&id) {
        Ok(again) => assert_eq!(&again, p, "{id} parses to another period"),
        Err(e) => panic!("printed id {id} does not parse: {e}"),
    }
    assert!(p.start() <= p.end(), "{id}: start after end");
    assert!(p.contains(p.start()) && p.contains(p.end()), "{id}");
    assert_eq!(
        Period::containing(p.start(), p.period_type()).ok().as_ref(),
        Some(p)
    );
    assert_eq!(
        Period::containing(p.end(), p.period_type()).ok().as_ref(),
        Some(p)
    );
    if let Some(next) = p.next() {
        assert_eq!(
            next.previous().as_ref(),
            Some(p),
            "{id}: next then previous"
        );
        assert_eq!(
            p.end().succ_opt(),
            Some(next.start()),
            "{id}: gap before next"
        );
    }
    match Period::from_adx(&p.to_adx()) {
        Ok(adx) => assert_eq!(
            (adx.start(), adx.end()),
            (p.start(), p.end()),
            "{id} as ADX"
        ),
        Err(e) => panic!("{id} as ADX {} does not read back: {e}", p.to_adx()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Period::parse(text) {
        // DHIS2 also takes dashed dates, padded indexes (`2024W06`) and spaces around the
        // id; any other id that parses is printed back exactly.
        let padded = text
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_alphabetic() && w[1] == b'0');
        if !text.contains('-') && !padded && text.trim() == text {
            assert_eq!(
                p.to_string(),
                text,
                "a period id does not print back the same"
            );
        }
        check(&p);
    }
    if let Ok(p) = Period::from_adx(text) {
        check(&p);
    }
    let _ = text.parse::<PeriodType>();
});
