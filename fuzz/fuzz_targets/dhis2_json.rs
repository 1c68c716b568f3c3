//! DHIS2 JSON data value sets: read, and what reads writes back and reads the same.
#![no_main]

use hrh_dhis2::datavalueset::json;
use hrh_fuzz::round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    round_trip(
        data,
        |b| json::read_json(b),
        |s, out| json::write_json(s, out),
        Some(Clone::clone),
    );
});
