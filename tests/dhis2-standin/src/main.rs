//! The DHIS2 stand-in (work in progress).

fn main() {}
