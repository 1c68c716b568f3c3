//! Table mappings: which column of an export gives which fact of the core model.
//!
//! A mapping is a TOML file, versioned (`format = 1`) and validated whole on load: every
//! mistake is reported with its line, as the NHWA mappings of `hrh-core` are.
//!
//! ```toml
//! format = 1                       # file format version
//! name = "ihris4-person-position"
//! version = "1"                    # the mapping's own version
//!
//! [source]
//! kind = "csv"                     # csv | tsv | xlsx | ods (default: by file extension)
//! delimiter = ";"                  # one character (default "," for csv, tab for tsv)
//! encoding = "utf-8"               # utf-8 (a BOM is skipped), windows-1251, windows-1252
//! sheet = "Staff"                  # xlsx/ods: only this sheet (default: every sheet)
//! header_row = 1                   # 1-based row of the column names; 0: none (columns by position)
//! rows = "per-employment"          # per-worker | per-employment (rows grouped by worker id)
//!
//! [worker]
//! id = "person_id"                 # a column by header name ...
//! sex = { column = "#4", values = "sex" }   # ... or by 1-based position, through a value table
//! birth_date = { column = "dob", format = "%d.%m.%Y" }
//!
//! [employment]
//! occupation = { column = "cadre", values = "cadre" }
//! start = { column = "hired", format = "excel" }   # Excel serial day numbers
//! salary_currency = { value = "UZS" }               # a constant instead of a column
//!
//! [values.sex]
//! M = "male"
//! F = "female"
//!
//! [values.cadre]
//! DOC = "2211"
//! ```
//!
//! Sections and their facts: `[worker]` `id` (required), `name`, `sex`, `birth_date`,
//! `nationality`, `country_of_birth`, `active`, `national_id`; `[training]` `country`,
//! `date`, `code` (ISCO-08 of the qualification), `institution`; `[licence]` `number`,
//! `valid_from`, `valid_to`; `[employment]` `id`, `occupation` (ISCO-08), `start`, `end`,
//! `fte`, `status`, `contract`, `weekly_hours`, `exit_reason`, `salary`,
//! `salary_currency`, `salary_per`, `active`; `[employer]` `id`, `name`, `ownership`;
//! `[facility]` `id`, `name`, `type`, `org_unit` (DHIS2 UID), `org_unit_code`.
//!
//! A value table maps the cell's text (trimmed) to the core's code; a cell not in the
//! table is read as it is, so `female` needs no entry, and a cell mapped to `""` is
//! missing (`"0000-00-00 00:00:00" = ""`, as iHRIS writes an open end date). A `system` key gives the code
//! system of identifiers and codings (`national_id`, `number`, `type`, `ownership`); a
//! coding cell may also be written `system|code`.
//!
//! Record ids (workers, employments, employers, facilities) are the cells with every
//! character other than an ASCII letter, digit, `-` or `.` made `-` (iHRIS `person|1021`
//! becomes `person-1021`), so that they are FHIR ids too. An employer or facility without an
//! id column takes its name as id; an employment without one is `<worker>-r<row>`.

use std::collections::BTreeMap;

use hrh_core::error::MappingIssue;
use serde::Deserialize;
use toml::Spanned;

use crate::error::TableError;

/// The file format version this release reads.
pub const FORMAT: u32 = 1;

/// How rows relate to workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Each row is one worker with at most one employment.
    PerWorker,
    /// Each row is one employment; the rows of a worker share the worker id.
    PerEmployment,
}

/// The kind of file a table comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Delimited text (comma by default).
    Csv,
    /// Delimited text, tab by default.
    Tsv,
    /// An Excel workbook.
    Xlsx,
    /// An `OpenDocument` spreadsheet.
    Ods,
}

impl SourceKind {
    /// The kind a file name says (`.csv`, `.tsv`/`.tab`, `.xlsx`/`.xlsm`, `.ods`; `.gz` is looked through).
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "csv" | "txt" => Some(Self::Csv),
            "tsv" | "tab" => Some(Self::Tsv),
            "xlsx" | "xlsm" => Some(Self::Xlsx),
            "ods" => Some(Self::Ods),
            _ => None,
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "tsv" => Some(Self::Tsv),
            "xlsx" => Some(Self::Xlsx),
            "ods" => Some(Self::Ods),
            _ => None,
        }
    }
}

/// The text encoding of a delimited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// Windows-1251 (Cyrillic).
    Windows1251,
    /// Windows-1252 (Western European).
    Windows1252,
}

/// How to open the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSettings {
    /// The kind of file; `None`: by the file's extension.
    pub kind: Option<SourceKind>,
    /// The delimiter byte of delimited text; `None`: `,` for CSV, tab for TSV.
    pub delimiter: Option<u8>,
    /// The encoding of delimited text.
    pub encoding: TextEncoding,
    /// The one sheet to read from a workbook; `None`: every sheet.
    pub sheet: Option<String>,
    /// 1-based row of the column names; 0 when there is none.
    pub header_row: u32,
    /// How rows relate to workers.
    pub layout: Layout,
}

/// A fact of the core model that a column can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // each variant is named after its key in the mapping file
pub enum Fact {
    WorkerId,
    Name,
    Sex,
    BirthDate,
    Nationality,
    CountryOfBirth,
    Active,
    NationalId,
    TrainingCountry,
    TrainingDate,
    TrainingCode,
    TrainingInstitution,
    LicenceNumber,
    LicenceFrom,
    LicenceTo,
    EmploymentId,
    Occupation,
    Start,
    End,
    Fte,
    Status,
    Contract,
    WeeklyHours,
    ExitReason,
    Salary,
    SalaryCurrency,
    SalaryPer,
    EmploymentActive,
    EmployerId,
    EmployerName,
    Ownership,
    FacilityId,
    FacilityName,
    FacilityType,
    OrgUnit,
    OrgUnitCode,
}

/// Every fact with its section and key in the mapping file.
const FACTS: [(&str, &str, Fact); 36] = [
    ("worker", "id", Fact::WorkerId),
    ("worker", "name", Fact::Name),
    ("worker", "sex", Fact::Sex),
    ("worker", "birth_date", Fact::BirthDate),
    ("worker", "nationality", Fact::Nationality),
    ("worker", "country_of_birth", Fact::CountryOfBirth),
    ("worker", "active", Fact::Active),
    ("worker", "national_id", Fact::NationalId),
    ("training", "country", Fact::TrainingCountry),
    ("training", "date", Fact::TrainingDate),
    ("training", "code", Fact::TrainingCode),
    ("training", "institution", Fact::TrainingInstitution),
    ("licence", "number", Fact::LicenceNumber),
    ("licence", "valid_from", Fact::LicenceFrom),
    ("licence", "valid_to", Fact::LicenceTo),
    ("employment", "id", Fact::EmploymentId),
    ("employment", "occupation", Fact::Occupation),
    ("employment", "start", Fact::Start),
    ("employment", "end", Fact::End),
    ("employment", "fte", Fact::Fte),
    ("employment", "status", Fact::Status),
    ("employment", "contract", Fact::Contract),
    ("employment", "weekly_hours", Fact::WeeklyHours),
    ("employment", "exit_reason", Fact::ExitReason),
    ("employment", "salary", Fact::Salary),
    ("employment", "salary_currency", Fact::SalaryCurrency),
    ("employment", "salary_per", Fact::SalaryPer),
    ("employment", "active", Fact::EmploymentActive),
    ("employer", "id", Fact::EmployerId),
    ("employer", "name", Fact::EmployerName),
    ("employer", "ownership", Fact::Ownership),
    ("facility", "id", Fact::FacilityId),
    ("facility", "name", Fact::FacilityName),
    ("facility", "type", Fact::FacilityType),
    ("facility", "org_unit", Fact::OrgUnit),
    ("facility", "org_unit_code", Fact::OrgUnitCode),
];

impl Fact {
    /// `section.key` as written in the mapping file.
    pub fn key(self) -> String {
        FACTS
            .iter()
            .find(|(_, _, f)| *f == self)
            .map_or_else(String::new, |(s, k, _)| format!("{s}.{k}"))
    }

    /// Whether the fact is a date (takes a `format`).
    fn is_date(self) -> bool {
        matches!(
            self,
            Self::BirthDate
                | Self::TrainingDate
                | Self::LicenceFrom
                | Self::LicenceTo
                | Self::Start
                | Self::End
        )
    }

    /// Whether the fact belongs to the employment (or its employer or facility).
    pub(crate) fn is_job(self) -> bool {
        self >= Self::EmploymentId
    }
}

/// A column of the table: by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Column {
    /// The header name (matched trimmed, case-insensitively).
    Name(String),
    /// The 1-based position.
    Position(usize),
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Name(name) => write!(f, "{name:?}"),
            Self::Position(n) => write!(f, "#{n}"),
        }
    }
}

/// How a date column is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// ISO 8601 (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), the default.
    Iso,
    /// A `chrono` format such as `%d.%m.%Y`; ISO dates are accepted as well.
    Pattern(String),
    /// A year alone (`%Y`).
    Year,
    /// Excel serial day numbers (1900 date system); ISO dates are accepted as well.
    Excel,
}

/// Where one fact comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The fact.
    pub fact: Fact,
    /// The column, or `None` for a constant.
    pub column: Option<Column>,
    /// A constant used for every row (`value = "UZS"`).
    pub constant: Option<String>,
    /// The value table: cell text → core code.
    pub values: Option<BTreeMap<String, String>>,
    /// The date format of a date fact.
    pub format: DateFormat,
    /// The code or identifier system.
    pub system: Option<String>,
}

/// A validated table mapping.
///
/// ```
/// let text = r#"
/// format = 1
/// name = "staff"
/// version = "1"
/// [worker]
/// id = "ID"
/// sex = { column = "Gender", values = "sexes" }
/// "#;
/// let err = hrh_table::TableMapping::from_toml(text).unwrap_err();
/// assert!(err.to_string().contains("line 7: no value table [values.sexes]"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMapping {
    /// The mapping's name.
    pub name: String,
    /// The mapping's own version.
    pub version: String,
    /// How to open the file.
    pub source: SourceSettings,
    /// Where each mapped fact comes from, in fact order.
    pub fields: Vec<FieldSpec>,
}

impl TableMapping {
    /// Reads a mapping file and validates all of it, reporting every mistake with its line.
    pub fn from_toml(text: &str) -> Result<Self, TableError> {
        let lines = Lines::new(text);
        let raw: RawMapping = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(err) => {
                let line = err.span().map_or(1, |s| lines.line(s.start));
                return Err(TableError::Mapping {
                    issues: vec![MappingIssue {
                        line,
                        message: err.message().to_owned(),
                    }],
                });
            }
        };
        let mut issues = Issues {
            lines,
            list: vec![],
        };
        let mapping = build(raw, &mut issues);
        if issues.list.is_empty() {
            Ok(mapping)
        } else {
            issues.list.sort_by_key(|i| i.line);
            Err(TableError::Mapping {
                issues: issues.list,
            })
        }
    }

    /// The spec of a fact, when mapped.
    pub fn field(&self, fact: Fact) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.fact == fact)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    format: Spanned<u32>,
    name: String,
    version: String,
    #[allow(dead_code)] // read so that it is allowed; not used
    description: Option<String>,
    source: Option<RawSource>,
    worker: Option<RawSection>,
    training: Option<RawSection>,
    licence: Option<RawSection>,
    employment: Option<RawSection>,
    employer: Option<RawSection>,
    facility: Option<RawSection>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

type RawSection = BTreeMap<Spanned<String>, Spanned<RawField>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    kind: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    sheet: Option<String>,
    header_row: Option<u32>,
    rows: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawField {
    Column(String),
    Full(RawFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFull {
    column: Option<String>,
    value: Option<String>,
    values: Option<String>,
    format: Option<String>,
    system: Option<String>,
}

/// Line numbers of byte offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        Self(text.match_indices('\n').map(|(i, _)| i).collect())
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|b| *b < offset) + 1
    }
}

struct Issues {
    lines: Lines,
    list: Vec<MappingIssue>,
}

impl Issues {
    fn add<T>(&mut self, at: &Spanned<T>, message: String) {
        let line = self.lines.line(at.span().start);
        self.list.push(MappingIssue { line, message });
    }
}

fn build(raw: RawMapping, issues: &mut Issues) -> TableMapping {
    if *raw.format.get_ref() != FORMAT {
        issues.add(
            &raw.format,
            format!(
                "table mapping format {} is not supported (this release reads format {FORMAT})",
                raw.format.get_ref()
            ),
        );
    }
    let source = source_settings(raw.source, issues);
    let mut fields = Vec::new();
    let sections = [
        ("worker", raw.worker),
        ("training", raw.training),
        ("licence", raw.licence),
        ("employment", raw.employment),
        ("employer", raw.employer),
        ("facility", raw.facility),
    ];
    for (section, entries) in sections {
        for (key, field) in entries.into_iter().flatten() {
            let Some((_, _, fact)) = FACTS
                .iter()
                .find(|(s, k, _)| *s == section && k == key.get_ref())
            else {
                let known: Vec<&str> = FACTS
                    .iter()
                    .filter(|(s, _, _)| *s == section)
                    .map(|(_, k, _)| *k)
                    .collect();
                issues.add(
                    &key,
                    format!(
                        "unknown key {section}.{} (known: {})",
                        key.get_ref(),
                        known.join(", ")
                    ),
                );
                continue;
            };
            if let Some(spec) = field_spec(*fact, &field, &raw.values, issues) {
                fields.push(spec);
            }
        }
    }
    fields.sort_by_key(|f| f.fact);
    if !fields.iter().any(|f| f.fact == Fact::WorkerId) {
        issues.list.push(MappingIssue {
            line: 1,
            message: "the mapping names no worker id column ([worker] id = \"...\")".to_owned(),
        });
    }
    TableMapping {
        name: raw.name,
        version: raw.version,
        source,
        fields,
    }
}

fn source_settings(raw: Option<RawSource>, issues: &mut Issues) -> SourceSettings {
    let mut settings = SourceSettings {
        kind: None,
        delimiter: None,
        encoding: TextEncoding::Utf8,
        sheet: None,
        header_row: 1,
        layout: Layout::PerWorker,
    };
    let Some(raw) = raw else { return settings };
    if let Some(kind) = raw.kind {
        settings.kind = SourceKind::parse(kind.get_ref());
        if settings.kind.is_none() {
            issues.add(
                &kind,
                format!(
                    "unknown source kind {:?} (csv, tsv, xlsx, ods)",
                    kind.get_ref()
                ),
            );
        }
    }
    if let Some(delimiter) = raw.delimiter {
        let text = delimiter.get_ref();
        let byte = match text.as_str() {
            "\\t" | "tab" => Some(b'\t'),
            _ if text.len() == 1 => text.bytes().next(),
            _ => None,
        };
        if byte.is_none() {
            issues.add(
                &delimiter,
                format!("a delimiter is one ASCII character, not {text:?}"),
            );
        }
        settings.delimiter = byte;
    }
    if let Some(encoding) = raw.encoding {
        match encoding.get_ref().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => settings.encoding = TextEncoding::Utf8,
            "windows-1251" | "cp1251" => settings.encoding = TextEncoding::Windows1251,
            "windows-1252" | "cp1252" => settings.encoding = TextEncoding::Windows1252,
            other => issues.add(
                &encoding,
                format!("unknown encoding {other:?} (utf-8, windows-1251, windows-1252)"),
            ),
        }
    }
    settings.sheet = raw.sheet;
    settings.header_row = raw.header_row.unwrap_or(1);
    if let Some(rows) = raw.rows {
        match rows.get_ref().as_str() {
            "per-worker" => settings.layout = Layout::PerWorker,
            "per-employment" => settings.layout = Layout::PerEmployment,
            other => issues.add(
                &rows,
                format!("unknown rows {other:?} (per-worker, per-employment)"),
            ),
        }
    }
    settings
}

fn column_of(text: &str) -> Option<Column> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.strip_prefix('#').map(str::parse::<usize>) {
        Some(Ok(n)) if n >= 1 => Some(Column::Position(n)),
        Some(_) => None,
        None => Some(Column::Name(text.to_owned())),
    }
}

fn field_spec(
    fact: Fact,
    field: &Spanned<RawField>,
    tables: &BTreeMap<String, BTreeMap<String, String>>,
    issues: &mut Issues,
) -> Option<FieldSpec> {
    let mut spec = FieldSpec {
        fact,
        column: None,
        constant: None,
        values: None,
        format: DateFormat::Iso,
        system: None,
    };
    let column_text = match field.get_ref() {
        RawField::Column(column) => Some(column.as_str()),
        RawField::Full(full) => {
            spec.constant.clone_from(&full.value);
            spec.system.clone_from(&full.system);
            if let Some(name) = &full.values {
                match tables.get(name) {
                    Some(table) => {
                        spec.values = Some(
                            table
                                .iter()
                                .map(|(k, v)| (k.trim().to_owned(), v.clone()))
                                .collect(),
                        );
                    }
                    None => issues.add(field, format!("no value table [values.{name}]")),
                }
            }
            if let Some(format) = &full.format {
                if !fact.is_date() {
                    issues.add(
                        field,
                        format!("{} is not a date: it takes no format", fact.key()),
                    );
                }
                spec.format = match format.as_str() {
                    "iso" => DateFormat::Iso,
                    "excel" => DateFormat::Excel,
                    "%Y" => DateFormat::Year,
                    pattern if pattern.contains('%') => DateFormat::Pattern(pattern.to_owned()),
                    other => {
                        issues.add(
                            field,
                            format!(
                                "unknown date format {other:?} (iso, excel, or a pattern like %d.%m.%Y)"
                            ),
                        );
                        DateFormat::Iso
                    }
                };
            }
            full.column.as_deref()
        }
    };
    if let Some(text) = column_text {
        spec.column = column_of(text);
        if spec.column.is_none() {
            issues.add(
                field,
                format!(
                    "{}: {text:?} is not a column (a header name, or #N for the Nth column)",
                    fact.key()
                ),
            );
            return None;
        }
    }
    match (&spec.column, &spec.constant) {
        (None, None) => {
            issues.add(field, format!("{}: give a column or a value", fact.key()));
            None
        }
        (Some(_), Some(_)) => {
            issues.add(
                field,
                format!("{}: give a column or a value, not both", fact.key()),
            );
            None
        }
        _ if fact == Fact::WorkerId && spec.column.is_none() => {
            issues.add(field, "worker.id must be a column".to_owned());
            None
        }
        _ => Some(spec),
    }
}
