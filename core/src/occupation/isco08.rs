//! The ISCO-08 structure (ILO, 2008). (Partial while the full table is being written.)

/// Every ISCO-08 group as (code, title), sorted by code as text.
pub(super) const ALL: &[(&str, &str)] = &[
    ("0", "Armed forces occupations"),
    ("01", "Commissioned armed forces officers"),
    ("011", "Commissioned armed forces officers"),
    ("0110", "Commissioned armed forces officers"),
    ("2", "Professionals"),
    ("22", "Health professionals"),
    ("221", "Medical doctors"),
    ("2211", "Generalist medical practitioners"),
    ("2212", "Specialist medical practitioners"),
    ("222", "Nursing and midwifery professionals"),
    ("2221", "Nursing professionals"),
    ("2222", "Midwifery professionals"),
    ("226", "Other health professionals"),
    ("2261", "Dentists"),
    ("2262", "Pharmacists"),
    ("3", "Technicians and associate professionals"),
    ("32", "Health associate professionals"),
    ("322", "Nursing and midwifery associate professionals"),
    ("3221", "Nursing associate professionals"),
    ("3222", "Midwifery associate professionals"),
    ("325", "Other health associate professionals"),
    ("3253", "Community health workers"),
    ("5", "Service and sales workers"),
    ("53", "Personal care workers"),
    ("532", "Personal care workers in health services"),
    ("5321", "Health care assistants"),
];

/// The title of an ISCO-08 code, if the code exists.
pub(super) fn title(code: &str) -> Option<&'static str> {
    ALL.binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .and_then(|i| ALL.get(i))
        .map(|(_, t)| *t)
}
