//! ADX documents: read, and what reads writes back and reads the same.
#![no_main]

use hrh_dhis2::datavalueset::adx;
use hrh_fuzz::{round_trip, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    round_trip(
        data,
        |b| adx::read_adx(text(b)),
        |s, out| adx::write_adx(s, out),
        None,
    );
});
