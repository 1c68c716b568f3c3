//! mADX MeasureReports (one, or a Bundle of them): figures read, written back as mADX,
//! read the same.
#![no_main]

use hrh_fhir::madx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(figures) = madx::read(text) else {
        return;
    };
    let written = madx::write(&figures.values, figures.data_set.as_deref(), None).to_string();
    match madx::read(&written) {
        Ok(again) => {
            // Reports with the same org unit, period and attribute combo are written as one,
            // so the order may change; every figure must come back.
            let sorted = |values: &[hrh_core::AggregateValue]| {
                let mut keyed: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                keyed.sort();
                keyed
            };
            assert_eq!(
                sorted(&again.values),
                sorted(&figures.values),
                "mADX round trip changed the figures"
            );
            assert_eq!(again.data_set, figures.data_set);
        }
        Err(e) => panic!("written mADX does not read back: {e}\n{written}"),
    }
});
