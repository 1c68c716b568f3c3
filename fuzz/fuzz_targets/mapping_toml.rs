//! The aggregate mapping TOML: loaded (or refused with a line), and a loaded mapping runs.
#![no_main]

use hrh_core::aggregate::{Aggregation, Mapping, Options};
use hrh_core::{Country, Period, PeriodType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mapping = match Mapping::from_toml(text) {
        Ok(m) => m,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let day = chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap_or_default();
    let Ok(period) = Period::containing(day, mapping.period_type.unwrap_or(PeriodType::Yearly))
    else {
        return;
    };
    let options = Options {
        period,
        home: Country::UZBEKISTAN,
        org_unit: Some("OU".into()),
        suppress_below: None,
    };
    if let Ok(aggregation) = Aggregation::new(&mapping, &options) {
        let result = aggregation.run(&hrh_core::Registry::default());
        assert_eq!(result.account.workers, 0);
    }
});
