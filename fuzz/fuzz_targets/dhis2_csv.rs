//! DHIS2 CSV data value sets: read, and what reads writes back and reads the same.
#![no_main]

use hrh_dhis2::datavalueset::csv;
use hrh_fuzz::round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    round_trip(
        data,
        |b| csv::read_csv(b),
        |s, out| csv::write_csv(s, out),
        true,
    );
});
