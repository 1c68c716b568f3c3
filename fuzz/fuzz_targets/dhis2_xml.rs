//! DHIS2 DXF2 XML data value sets: read, and what reads writes back and reads the same.
#![no_main]

use hrh_dhis2::datavalueset::xml;
use hrh_fuzz::{round_trip, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    round_trip(
        data,
        |b| xml::read_xml(text(b)),
        |s, out| xml::write_xml(s, out),
        Some(Clone::clone),
    );
});
