//! Tables into a [`Registry`], or streamed straight into an aggregation.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};

use hrh_core::aggregate::{AggregateResult, Aggregation};
use hrh_core::{Employment, Facility, Organization, Practitioner, Registry};

use crate::error::TableError;
use crate::mapping::{Layout, SourceKind, SourceSettings, TableMapping};
use crate::report::{Place, RejectedRow, TableReport};
use crate::row::{Resolved, RowReader};
use crate::source::{self, Cells, Visitor};

/// A worker and the employments of their rows.
struct Worker {
    practitioner: Practitioner,
    employments: Vec<Employment>,
}

/// Where the records of the rows go.
trait Sink {
    /// The employer and facility of a row (each may repeat across rows).
    fn directory(&mut self, employer: Option<Organization>, facility: Option<Facility>);
    /// A whole worker (all their adjacent rows).
    fn worker(&mut self, worker: Worker);
}

/// Walks rows, groups them into workers and accounts for each row.
struct Walker<'a> {
    mapping: &'a TableMapping,
    source: String,
    sheet: Option<String>,
    sheet_index: usize,
    resolved: Option<Resolved>,
    current: Option<Worker>,
    /// Only worker ids, employers and facilities are read (the first pass of a stream).
    directory_only: bool,
    report: &'a mut TableReport,
    sink: &'a mut dyn Sink,
}

impl Walker<'_> {
    fn place(&self, row: u64) -> Place {
        Place {
            source: self.source.clone(),
            sheet: self.sheet.clone(),
            row,
        }
    }

    fn flush(&mut self) {
        if let Some(worker) = self.current.take() {
            self.report.workers += 1;
            self.report.employments += worker.employments.len();
            self.sink.worker(worker);
        }
    }

    fn reject(&mut self, row: u64, reason: String) {
        let place = self.place(row);
        self.report.rejected.push(RejectedRow { place, reason });
    }
}

impl Visitor for Walker<'_> {
    fn sheet(&mut self, sheet: Option<&str>, headers: &[String]) -> Result<(), TableError> {
        self.flush();
        self.sheet = sheet.map(str::to_owned);
        self.sheet_index += 1;
        let place = match sheet {
            Some(sheet) => format!("{}, sheet {sheet:?}", self.source),
            None => self.source.clone(),
        };
        self.resolved = Some(Resolved::new(self.mapping, headers, &place)?);
        Ok(())
    }

    fn row(&mut self, number: u64, cells: &Cells<'_>) {
        self.report.rows += 1;
        let Some(resolved) = &self.resolved else {
            return;
        };
        let place = self.place(number);
        let employment_number = if self.sheet.is_some() {
            format!("s{}r{number}", self.sheet_index)
        } else {
            format!("r{number}")
        };
        let reader = RowReader {
            mapping: self.mapping,
            resolved,
            cells,
            place: &place,
            bad: &mut self.report.bad_values,
        };
        let read = if self.directory_only {
            reader.directory()
        } else {
            reader.read(&employment_number)
        };
        let records = match read {
            Ok(records) => records,
            Err(reason) => {
                self.reject(number, reason);
                return;
            }
        };
        self.report.accepted += 1;
        self.sink.directory(records.employer, records.facility);
        let same_worker = self.mapping.source.layout == Layout::PerEmployment
            && self
                .current
                .as_ref()
                .is_some_and(|w| w.practitioner.id == records.worker);
        if same_worker {
            if let (Some(worker), Some(e)) = (self.current.as_mut(), records.employment) {
                worker.employments.push(e);
            }
        } else {
            self.flush();
            self.current = Some(Worker {
                practitioner: records.practitioner,
                employments: records.employment.into_iter().collect(),
            });
        }
    }

    fn blank(&mut self, _number: u64) {
        self.report.rows += 1;
        self.report.blank += 1;
    }

    fn unreadable(&mut self, number: u64, reason: &str) {
        self.report.rows += 1;
        self.reject(number, reason.to_owned());
    }
}

/// Walks `files` in order into `sink`.
fn walk_files(
    files: &[PathBuf],
    mapping: &TableMapping,
    report: &mut TableReport,
    sink: &mut dyn Sink,
) -> Result<(), TableError> {
    walk_files_as(files, mapping, report, sink, false)
}

fn walk_files_as(
    files: &[PathBuf],
    mapping: &TableMapping,
    report: &mut TableReport,
    sink: &mut dyn Sink,
    directory_only: bool,
) -> Result<(), TableError> {
    for file in files {
        walk_one(
            file,
            mapping,
            report,
            sink,
            directory_only,
            |settings, visitor| source::walk(file, settings, visitor),
        )?;
    }
    Ok(())
}

fn walk_one(
    file: &Path,
    mapping: &TableMapping,
    report: &mut TableReport,
    sink: &mut dyn Sink,
    directory_only: bool,
    walk: impl FnOnce(&SourceSettings, &mut dyn Visitor) -> Result<(), TableError>,
) -> Result<(), TableError> {
    let mut walker = Walker {
        mapping,
        source: source::source_name(file),
        sheet: None,
        sheet_index: 0,
        resolved: None,
        current: None,
        directory_only,
        report,
        sink,
    };
    walk(&mapping.source, &mut walker)?;
    walker.flush();
    Ok(())
}

/// Employers and facilities, each once (the first row that names one gives its details).
#[derive(Default)]
struct Directory {
    organizations: Vec<Organization>,
    facilities: Vec<Facility>,
    seen_organizations: HashSet<String>,
    seen_facilities: HashSet<String>,
}

impl Directory {
    fn add(&mut self, employer: Option<Organization>, facility: Option<Facility>) {
        if let Some(org) = employer
            && !self.seen_organizations.contains(&org.id)
        {
            self.seen_organizations.insert(org.id.clone());
            self.organizations.push(org);
        }
        if let Some(facility) = facility
            && !self.seen_facilities.contains(&facility.id)
        {
            self.seen_facilities.insert(facility.id.clone());
            self.facilities.push(facility);
        }
    }
}

/// Builds a whole registry; rows of one worker that are not adjacent are still joined
/// (one row per employment).
struct RegistrySink {
    directory: Directory,
    practitioners: Vec<Practitioner>,
    employments: Vec<Employment>,
    index: HashMap<String, usize>,
    layout: Layout,
}

impl Sink for RegistrySink {
    fn directory(&mut self, employer: Option<Organization>, facility: Option<Facility>) {
        self.directory.add(employer, facility);
    }

    fn worker(&mut self, worker: Worker) {
        self.employments.extend(worker.employments);
        if self.layout == Layout::PerEmployment && self.index.contains_key(&worker.practitioner.id)
        {
            return;
        }
        self.index
            .insert(worker.practitioner.id.clone(), self.practitioners.len());
        self.practitioners.push(worker.practitioner);
    }
}

impl RegistrySink {
    fn new(layout: Layout) -> Self {
        Self {
            directory: Directory::default(),
            practitioners: Vec::new(),
            employments: Vec::new(),
            index: HashMap::new(),
            layout,
        }
    }

    fn into_registry(self) -> Registry {
        Registry {
            practitioners: self.practitioners,
            employments: self.employments,
            organizations: self.directory.organizations,
            facilities: self.directory.facilities,
            services: Vec::new(),
        }
    }
}

/// Expands inputs: files are kept as given; a directory becomes its table files
/// (`.csv`, `.tsv`, `.xlsx`, `.ods`, optionally `.gz`; not recursive), in name order.
/// A path that does not exist is an error naming it.
pub fn expand<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<PathBuf>, TableError> {
    let mut files = Vec::new();
    for input in inputs {
        let path = input.as_ref();
        let io = |source| TableError::Io {
            source_name: path.display().to_string(),
            source,
        };
        if std::fs::metadata(path).map_err(io)?.is_dir() {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io)? {
                let file = entry.map_err(io)?.path();
                let named = file
                    .file_name()
                    .is_some_and(|n| SourceKind::from_name(&n.to_string_lossy()).is_some());
                if named && file.is_file() {
                    found.push(file);
                }
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.to_path_buf());
        }
    }
    Ok(files)
}

/// Reads `files` (CSV, TSV, XLSX, ODS, optionally `.gz`) through `mapping` into one
/// [`Registry`], with the account of every row.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("hrh-table-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let file = dir.join("staff.csv");
/// std::fs::write(&file, "ID;Gender;Cadre\n7;F;DOC\n;M;NUR\n8;X;NUR\n")?;
/// let mapping = hrh_table::TableMapping::from_toml(r#"
///     format = 1
///     name = "staff"
///     version = "1"
///     [source]
///     delimiter = ";"
///     [worker]
///     id = "ID"
///     sex = { column = "Gender", values = "sex" }
///     [employment]
///     occupation = { column = "Cadre", values = "cadre" }
///     [values.sex]
///     F = "female"
///     M = "male"
///     [values.cadre]
///     DOC = "2211"
///     NUR = "2221"
/// "#)?;
/// let (registry, report) = hrh_table::read_registry(&[file], &mapping)?;
/// assert_eq!(registry.practitioners.len(), 2);
/// assert_eq!(report.rejected.len(), 1); // row 3 has no worker id
/// assert_eq!(report.bad_values[0].value, "X"); // kept as an invalid sex
/// assert!(report.is_balanced());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_registry(
    files: &[PathBuf],
    mapping: &TableMapping,
) -> Result<(Registry, TableReport), TableError> {
    let mut report = TableReport::default();
    let mut sink = RegistrySink::new(mapping.source.layout);
    walk_files(files, mapping, &mut report, &mut sink)?;
    // A worker whose rows are apart is one worker.
    report.workers = sink.practitioners.len();
    Ok((sink.into_registry(), report))
}

/// Reads one table from a reader of `kind` (named `name` in the report), e.g. the CSV text
/// of a `DataFrame`.
pub fn read_registry_from(
    name: &str,
    kind: SourceKind,
    input: Box<dyn Read + Send>,
    mapping: &TableMapping,
) -> Result<(Registry, TableReport), TableError> {
    let mut report = TableReport::default();
    let mut sink = RegistrySink::new(mapping.source.layout);
    walk_one(
        Path::new(name),
        mapping,
        &mut report,
        &mut sink,
        false,
        |settings, visitor| source::walk_reader(name, kind, input, settings, visitor),
    )?;
    Ok((sink.into_registry(), report))
}

/// The first pass of a stream: the directory, and whether every worker's rows are adjacent.
struct Survey {
    directory: Directory,
    seen: HashSet<u64>,
    repeated: bool,
}

impl Sink for Survey {
    fn directory(&mut self, employer: Option<Organization>, facility: Option<Facility>) {
        self.directory.add(employer, facility);
    }

    fn worker(&mut self, worker: Worker) {
        let mut hasher = DefaultHasher::new();
        worker.practitioner.id.hash(&mut hasher);
        if !self.seen.insert(hasher.finish()) {
            self.repeated = true;
        }
    }
}

/// The second pass: each worker into the aggregation as soon as their rows are read.
struct Feed<'a>(&'a mut Aggregation);

impl Sink for Feed<'_> {
    fn directory(&mut self, _: Option<Organization>, _: Option<Facility>) {}

    fn worker(&mut self, worker: Worker) {
        for e in &worker.employments {
            self.0.add_employment(e);
        }
        self.0.add_practitioner(&worker.practitioner);
    }
}

/// Aggregates `files` through `mapping`: the figures and account of
/// [`Aggregation::run`] on the [`read_registry`] registry, and its report.
///
/// Delimited text is streamed in two passes, never held in memory: the first collects the
/// employers and facilities (which the employments need first), the second hands each
/// worker to the aggregation as soon as their rows are read. When a worker id appears again
/// after other workers' rows, the rows are joined in memory instead, so the figures are
/// always those of the whole registry. Workbooks are read into a registry (calamine loads a
/// sheet whole anyway).
pub fn aggregate_files(
    files: &[PathBuf],
    mapping: &TableMapping,
    mut aggregation: Aggregation,
) -> Result<(AggregateResult, TableReport), TableError> {
    let mut workbook = false;
    for file in files {
        let kind = source::kind_of(file, &mapping.source)?;
        workbook |= matches!(kind, SourceKind::Xlsx | SourceKind::Ods);
    }
    let in_memory = |aggregation: Aggregation| {
        let (registry, report) = read_registry(files, mapping)?;
        Ok((aggregation.run(&registry), report))
    };
    if workbook {
        return in_memory(aggregation);
    }
    let mut survey = Survey {
        directory: Directory::default(),
        seen: HashSet::new(),
        repeated: false,
    };
    walk_files_as(
        files,
        mapping,
        &mut TableReport::default(),
        &mut survey,
        true,
    )?;
    if survey.repeated {
        return in_memory(aggregation);
    }
    for org in &survey.directory.organizations {
        aggregation.add_organization(org);
    }
    for facility in &survey.directory.facilities {
        aggregation.add_facility(facility);
    }
    drop(survey);
    let mut report = TableReport::default();
    walk_files(files, mapping, &mut report, &mut Feed(&mut aggregation))?;
    Ok((aggregation.finish(), report))
}
