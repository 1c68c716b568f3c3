//! Aggregation straight from bulk-export files, on several threads, without building a
//! [`Registry`]: each worker is reduced to the compact facts the
//! aggregation needs as soon as its line is read.
//!
//! Files are taken in the order the aggregation needs them, whatever order they are given
//! in: organisations, locations and services first (whole), then `PractitionerRole` files,
//! then `Practitioner` files, each NDJSON file classified by its first resource. Every
//! NDJSON file is parsed on `threads` threads while one more reads ahead.
//! A JSON (non-NDJSON) input, such as a Bundle, makes the whole run fall back to reading
//! into memory (NDJSON still parsed on every thread) and [`Aggregation::run_parallel`], which
//! gives the same figures.
//!
//! Records out of place (a Practitioner in a role file, say) are still counted in the right
//! order. Identifier-only references can be resolved only by linking a whole registry: a
//! record with one (as in Synthea's exports) makes the run stop after that file and start
//! again on the in-memory path, so the figures are always those of [`read_registry`]. The
//! [`ReadReport`] lists what was rejected, skipped and deleted in the order of the files given
//! and of their lines, as [`read_registry`] does, whatever order the files were read in.
//!
//! [`read_registry`] uses the same parsing threads to build the whole [`Registry`] (the one
//! [`crate::read_registry`] builds), for callers that need the records themselves.
//!
//! ```
//! use hrh_core::aggregate::{Aggregation, Mapping, Options};
//! use hrh_core::synthetic::{Config, SyntheticRegistry};
//! use hrh_core::Country;
//! let dir = std::env::temp_dir().join(format!("hrh-stream-doc-{}", std::process::id()));
//! let synthetic = SyntheticRegistry::new(Config { workers: 300, ..Config::default() });
//! hrh_fhir::write::export_synthetic(&synthetic, &dir, 1)?;
//! let files = hrh_fhir::inputs::expand(&[&dir])?;
//! let mapping = Mapping::builtin("nhwa-module1")?;
//! let options = Options { period: "2024".parse()?, home: Country::UZBEKISTAN,
//!     org_unit: Some("UZdemoRoot1".into()), suppress_below: None };
//! let (result, report) = hrh_fhir::stream::aggregate_files(
//!     &files, &Default::default(), Aggregation::new(&mapping, &options)?, 2)?;
//! assert_eq!(result.account.workers, 300);
//! assert!(report.is_balanced());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use hrh_core::Registry;
use hrh_core::aggregate::{
    AggregateResult, Aggregation, EmploymentFacts, Judge, PractitionerFacts, WorkerKey,
};

use crate::config::ReadConfig;
use crate::error::{FhirError, Origin};
use crate::link::{link_references, refers_by_identifier};
use crate::mapping::raw::Head;
use crate::read::{Input, ReadReport, Record, read_line, read_path};

/// Bytes of whole lines handed to a parsing thread at a time.
const BATCH_BYTES: usize = 1 << 20;

/// What a file holds, judged by its first resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Organisations, locations, services (or anything else): read first, whole.
    Directory,
    /// `PractitionerRole` lines.
    Roles,
    /// `Practitioner` lines.
    Practitioners,
    /// Not NDJSON: needs the in-memory path.
    Document,
}

/// A record reduced for the aggregations, keyed by its worker: its facts at each period's
/// reference date, in the order of the aggregations.
enum Fact {
    Employment(WorkerKey, Each<EmploymentFacts>),
    Practitioner(WorkerKey, Each<PractitionerFacts>),
    Other(Box<Record>),
}

/// One value per aggregation: one without an allocation (the usual single period), or several.
enum Each<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Each<T> {
    /// The facts of every judge.
    fn judged(judges: &[Arc<Judge>], judge: impl Fn(&Judge) -> T) -> Self {
        match judges {
            [one] => Self::One(judge(one)),
            many => Self::Many(many.iter().map(|j| judge(j)).collect()),
        }
    }
}

/// Hands each aggregation its own facts.
fn each<T>(
    aggregations: &mut [Aggregation],
    facts: Each<T>,
    mut add: impl FnMut(&mut Aggregation, T),
) {
    match facts {
        Each::One(one) => {
            if let Some(first) = aggregations.first_mut() {
                add(first, one);
            }
        }
        Each::Many(many) => {
            for (aggregation, f) in aggregations.iter_mut().zip(many) {
                add(aggregation, f);
            }
        }
    }
}

/// The parsing threads to ask for: one more than the cores, because the thread that reads
/// ahead and the one that merges leave part of a core idle. (1,000,000 workers on 2 cores:
/// 3.5 s with 2 parsing threads, 3.06 s with 3, the same with 4.)
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from) + 1
}

/// Reads `files` (NDJSON, `.ndjson.gz`, or JSON documents) into `aggregation` and finishes it.
/// `threads` parsing threads are used (at least one). The report's lists are in file order
/// (the order of `files`) and line order, as those of [`read_registry`]. Files with JSON
/// documents or identifier-only references are aggregated in memory (see the module docs).
pub fn aggregate_files(
    files: &[PathBuf],
    config: &ReadConfig,
    aggregation: Aggregation,
    threads: usize,
) -> Result<(AggregateResult, ReadReport), FhirError> {
    let (mut results, report) = aggregate_series(files, config, vec![aggregation], threads)?;
    let result = results.pop().ok_or_else(|| FhirError::Io {
        source_name: "aggregation".to_owned(),
        source: std::io::Error::other("no result"),
    })?;
    Ok((result, report))
}

/// [`aggregate_files`] for several aggregations (say, one per period of a series) in **one
/// read** of the files: each record is parsed once and judged by every aggregation at its
/// own reference date. The results come in the order of `aggregations`.
pub fn aggregate_series(
    files: &[PathBuf],
    config: &ReadConfig,
    aggregations: Vec<Aggregation>,
    threads: usize,
) -> Result<(Vec<AggregateResult>, ReadReport), FhirError> {
    let mut kinds = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        kinds.push((classify(file)?, index, file.as_path()));
    }
    if kinds.iter().any(|(k, _, _)| *k == Kind::Document) {
        return in_memory(files, config, aggregations, threads);
    }
    let fallback = aggregations.clone();
    match stream_files(&kinds, config, aggregations, threads)? {
        Some(done) => Ok(done),
        None => in_memory(files, config, fallback, threads),
    }
}

/// The in-memory path: [`read_registry`] once and [`Aggregation::run_parallel`] for each.
fn in_memory(
    files: &[PathBuf],
    config: &ReadConfig,
    aggregations: Vec<Aggregation>,
    threads: usize,
) -> Result<(Vec<AggregateResult>, ReadReport), FhirError> {
    let (registry, report) = read_registry(files, config, threads)?;
    let results = aggregations
        .into_iter()
        .map(|a| a.run_parallel(&registry, threads))
        .collect();
    Ok((results, report))
}

/// The streaming path over NDJSON files of known kinds (with their place in the list given);
/// `None` when a record refers to another by identifier only.
fn stream_files(
    kinds: &[(Kind, usize, &Path)],
    config: &ReadConfig,
    mut aggregations: Vec<Aggregation>,
    threads: usize,
) -> Result<Option<(Vec<AggregateResult>, ReadReport)>, FhirError> {
    let by_identifier = AtomicBool::new(false);
    let met_by_identifier = || by_identifier.load(Ordering::Relaxed);
    let note = |record: &Record| {
        if refers_by_identifier(record) {
            by_identifier.store(true, Ordering::Relaxed);
        }
    };
    // Each file's report with the file's place in `files`, merged in that order at the end.
    let mut reports: Vec<(usize, ReadReport)> = Vec::with_capacity(kinds.len());
    let mut late_practitioners = Vec::new();
    let mut late_employments = Vec::new();
    for (_, index, file) in kinds.iter().filter(|(k, _, _)| *k == Kind::Directory) {
        let report = records_in_order(file, config, threads, &mut |record| {
            note(&record);
            match record {
                Record::Practitioner(p) => late_practitioners.push(p),
                Record::Employment(e) => late_employments.push(e),
                other => add_directory_record(&mut aggregations, &other),
            }
        })?;
        reports.push((*index, report));
        if met_by_identifier() {
            return Ok(None);
        }
    }
    for aggregation in &mut aggregations {
        for e in &late_employments {
            aggregation.add_employment(e);
        }
    }
    let judges: Vec<Arc<Judge>> = aggregations.iter().map(Aggregation::shared_judge).collect();
    let mut deferred: Vec<(WorkerKey, Each<PractitionerFacts>)> = Vec::new();
    for (_, index, file) in kinds.iter().filter(|(k, _, _)| *k == Kind::Roles) {
        let report = facts_in_parallel(file, config, &judges, threads, &note, |facts| {
            for fact in facts {
                match fact {
                    Fact::Employment(key, f) => each(&mut aggregations, f, |a, f| {
                        a.add_keyed_employment_facts(key, f);
                    }),
                    Fact::Practitioner(key, f) => deferred.push((key, f)),
                    Fact::Other(record) => add_directory_record(&mut aggregations, &record),
                }
            }
        })?;
        reports.push((*index, report));
        if met_by_identifier() {
            return Ok(None);
        }
    }
    for aggregation in &mut aggregations {
        for p in &late_practitioners {
            aggregation.add_practitioner(p);
        }
    }
    for (key, facts) in deferred {
        each(&mut aggregations, facts, |a, f| {
            a.add_keyed_practitioner_facts(key, &f);
        });
    }
    for (_, index, file) in kinds.iter().filter(|(k, _, _)| *k == Kind::Practitioners) {
        let report = facts_in_parallel(file, config, &judges, threads, &note, |facts| {
            for fact in facts {
                match fact {
                    Fact::Employment(key, f) => each(&mut aggregations, f, |a, f| {
                        a.add_keyed_employment_facts(key, f);
                    }),
                    Fact::Practitioner(key, f) => each(&mut aggregations, f, |a, f| {
                        a.add_keyed_practitioner_facts(key, &f);
                    }),
                    Fact::Other(record) => add_directory_record(&mut aggregations, &record),
                }
            }
        })?;
        reports.push((*index, report));
        if met_by_identifier() {
            return Ok(None);
        }
    }
    reports.sort_by_key(|(index, _)| *index);
    let mut report = ReadReport::default();
    for (_, one) in reports {
        report.merge(one);
    }
    Ok(Some((
        aggregations.into_iter().map(Aggregation::finish).collect(),
        report,
    )))
}

fn add_directory_record(aggregations: &mut [Aggregation], record: &Record) {
    for aggregation in aggregations {
        match record {
            Record::Organization(o) => aggregation.add_organization(o),
            Record::Facility(f) => aggregation.add_facility(f),
            Record::Service(s) => aggregation.add_service(s),
            Record::Employment(e) => aggregation.add_employment(e),
            Record::Practitioner(p) => aggregation.add_practitioner(p),
        }
    }
}

/// The kind of a file from its name and first non-blank line.
fn classify(path: &Path) -> Result<Kind, FhirError> {
    let input = Input::open(path)?;
    if !input.ndjson {
        return Ok(Kind::Document);
    }
    let mut lines = BufReader::new(input.reader);
    // Bytes, not text: a line that is not UTF-8 is the reader's to reject, not an I/O error.
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = lines
            .read_until(b'\n', &mut line)
            .map_err(|source| FhirError::Io {
                source_name: input.name.clone(),
                source,
            })?;
        if n == 0 {
            return Ok(Kind::Directory);
        }
        if !line.trim_ascii().is_empty() {
            break;
        }
    }
    let head: Head = serde_json::from_slice(line.trim_ascii()).unwrap_or_default();
    Ok(match head.resource_type.as_deref() {
        Some("PractitionerRole") => Kind::Roles,
        Some("Practitioner") => Kind::Practitioners,
        _ => Kind::Directory,
    })
}

/// A batch of whole lines, its place in the file (0-based) and the number of its first line.
struct Batch {
    seq: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// What one batch gave: its place in the file, its converted records and its report.
struct Parsed<T> {
    seq: usize,
    items: Vec<T>,
    report: ReadReport,
}

/// Parses one NDJSON file on `threads` threads, turning each record into a `T` with
/// `convert` on the parsing thread and handing each batch to `merge` on the calling thread.
/// Batches may arrive out of order; each carries its place in the file.
fn parse_in_parallel<T: Send>(
    path: &Path,
    config: &ReadConfig,
    threads: usize,
    convert: &(dyn Fn(Record) -> T + Sync),
    mut merge: impl FnMut(Parsed<T>),
) -> Result<(), FhirError> {
    let input = Input::open(path)?;
    let threads = threads.max(1);
    let base = Origin::new(&input.name);
    let (batch_tx, batch_rx) = sync_channel::<Batch>(threads * 2);
    let batch_rx = Arc::new(Mutex::new(batch_rx));
    let (parsed_tx, parsed_rx) = sync_channel::<Parsed<T>>(threads * 2);
    // Parsed batches' buffers go back to the reader, which fills them again.
    let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(threads * 2 + 2);
    std::thread::scope(|scope| {
        let name = input.name.clone();
        let reader = scope.spawn(move || read_batches(input.reader, &name, &batch_tx, &spare_rx));
        for _ in 0..threads {
            let batch_rx = Arc::clone(&batch_rx);
            let parsed_tx = parsed_tx.clone();
            let spare_tx = spare_tx.clone();
            let base = &base;
            scope.spawn(move || {
                parse_batches(&batch_rx, &parsed_tx, &spare_tx, base, config, convert);
            });
        }
        drop(parsed_tx);
        drop(spare_tx);
        for parsed in parsed_rx {
            merge(parsed);
        }
        match reader.join() {
            Ok(result) => result,
            Err(_) => Err(FhirError::Io {
                source_name: base.source.to_string(),
                source: std::io::Error::other("the reading thread failed"),
            }),
        }
    })
}

/// A record reduced to the facts each aggregation needs.
fn fact(judges: &[Arc<Judge>], record: Record) -> Fact {
    match record {
        Record::Employment(e) => Fact::Employment(
            WorkerKey::of(&e.practitioner),
            Each::judged(judges, |j| j.employment(&e)),
        ),
        Record::Practitioner(p) => Fact::Practitioner(
            WorkerKey::of(&p.id),
            Each::judged(judges, |j| j.practitioner(&p)),
        ),
        other => Fact::Other(Box::new(other)),
    }
}

/// [`parse_in_parallel`] reduced to aggregation facts (batches in any order; the report in
/// line order).
fn facts_in_parallel(
    path: &Path,
    config: &ReadConfig,
    judges: &[Arc<Judge>],
    threads: usize,
    note: &(dyn Fn(&Record) + Sync),
    mut merge: impl FnMut(Vec<Fact>),
) -> Result<ReadReport, FhirError> {
    let convert = |record: Record| {
        note(&record);
        fact(judges, record)
    };
    // Each batch's report by its place in the file, merged in that order at the end.
    let mut reports = BTreeMap::new();
    parse_in_parallel(path, config, threads, &convert, |parsed| {
        merge(parsed.items);
        reports.insert(parsed.seq, parsed.report);
    })?;
    let mut report = ReadReport::default();
    for (_, one) in reports {
        report.merge(one);
    }
    Ok(report)
}

/// Reads `files` into one [`Registry`] and links it: the same registry and report as
/// [`read_registry`](crate::read_registry) (records in file and line order), with each
/// NDJSON file parsed on `threads` threads (at least one) while one more reads ahead.
///
/// ```
/// use hrh_core::synthetic::{Config, SyntheticRegistry};
/// let dir = std::env::temp_dir().join(format!("hrh-stream-read-doc-{}", std::process::id()));
/// let synthetic = SyntheticRegistry::new(Config { workers: 200, ..Config::default() });
/// hrh_fhir::write::export_synthetic(&synthetic, &dir, 1)?;
/// let files = hrh_fhir::inputs::expand(&[&dir])?;
/// let config = Default::default();
/// let (parallel, report) = hrh_fhir::stream::read_registry(&files, &config, 2)?;
/// let (serial, _) = hrh_fhir::read_registry(&files, &config)?;
/// assert_eq!(parallel.practitioners, serial.practitioners);
/// assert!(report.is_balanced());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_registry(
    files: &[PathBuf],
    config: &ReadConfig,
    threads: usize,
) -> Result<(Registry, ReadReport), FhirError> {
    let mut registry = Registry::default();
    let mut report = ReadReport::default();
    for file in files {
        if !Input::open(file)?.ndjson {
            report.merge(read_path(file, config, &mut |r| r.add_to(&mut registry))?);
            continue;
        }
        // Records in file order, so the registry is the serial reader's.
        report.merge(records_in_order(file, config, threads, &mut |record| {
            record.add_to(&mut registry);
        })?);
    }
    link_references(&mut registry);
    Ok((registry, report))
}

/// Parses one NDJSON file on `threads` threads and hands its records to `sink` in file
/// order (batches are put back in order as they come).
fn records_in_order(
    file: &Path,
    config: &ReadConfig,
    threads: usize,
    sink: &mut dyn FnMut(Record),
) -> Result<ReadReport, FhirError> {
    let mut report = ReadReport::default();
    let mut waiting: BTreeMap<usize, Parsed<Record>> = BTreeMap::new();
    let mut next = 0;
    parse_in_parallel(file, config, threads, &|record| record, |parsed| {
        waiting.insert(parsed.seq, parsed);
        while let Some(ready) = waiting.remove(&next) {
            for record in ready.items {
                sink(record);
            }
            report.merge(ready.report);
            next += 1;
        }
    })?;
    Ok(report)
}

/// Reads `input` in batches of whole lines, into the buffers `spare` gives back when it has one.
fn read_batches(
    mut input: Box<dyn Read + Send>,
    name: &str,
    out: &SyncSender<Batch>,
    spare: &Receiver<Vec<u8>>,
) -> Result<(), FhirError> {
    let io = |source| FhirError::Io {
        source_name: name.to_owned(),
        source,
    };
    let mut next_line: u64 = 1;
    let mut seq = 0;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        // The unfinished line goes first; a long one (no line break in a whole batch) is
        // kept in its own buffer rather than copied.
        let mut bytes = match spare.try_recv() {
            Ok(mut buffer) if carry.len() <= BATCH_BYTES / 2 => {
                buffer.clear();
                buffer.extend_from_slice(&carry);
                carry.clear();
                buffer
            }
            _ => std::mem::take(&mut carry),
        };
        bytes.reserve(BATCH_BYTES);
        let start = bytes.len();
        // Reads into the spare capacity (no zeroing), up to a batch or the end.
        let n = (&mut input)
            .take(BATCH_BYTES as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if n == 0 {
            if !bytes.is_empty() {
                send(out, seq, next_line, bytes);
            }
            return Ok(());
        }
        // Keep the unfinished last line for the next batch.
        if let Some(last_break) = memchr::memrchr(b'\n', bytes.get(start..).unwrap_or_default()) {
            let end = start + last_break + 1;
            carry.extend_from_slice(bytes.get(end..).unwrap_or_default());
            bytes.truncate(end);
            let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64;
            if !send(out, seq, next_line, bytes) {
                return Ok(());
            }
            seq += 1;
            next_line += lines;
        } else {
            carry = bytes;
        }
    }
}

/// Sends a batch; `false` when the parsers have gone.
fn send(out: &SyncSender<Batch>, seq: usize, first_line: u64, bytes: Vec<u8>) -> bool {
    out.send(Batch {
        seq,
        first_line,
        bytes,
    })
    .is_ok()
}

fn parse_batches<T>(
    batches: &Mutex<Receiver<Batch>>,
    out: &SyncSender<Parsed<T>>,
    spare: &SyncSender<Vec<u8>>,
    base: &Origin,
    config: &ReadConfig,
    convert: &(dyn Fn(Record) -> T + Sync),
) {
    // One origin per thread, its line set for each line: no clone (and no write to a
    // reference count shared by every thread) per line.
    let mut origin = Origin::new(&base.source);
    loop {
        let next = match batches.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(batch) = next else { return };
        let mut items = Vec::with_capacity(batch.bytes.len() / 512);
        let mut report = ReadReport::default();
        let mut sink = |record: Record| items.push(convert(record));
        let mut body = batch.bytes.as_slice();
        if body.last() == Some(&b'\n') {
            body = body.get(..body.len() - 1).unwrap_or_default();
        }
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', body).chain(std::iter::once(body.len()));
        for (line_no, end) in (batch.first_line..).zip(ends) {
            origin.line = Some(u32::try_from(line_no).unwrap_or(u32::MAX));
            read_line(
                body.get(start..end).unwrap_or_default(),
                &origin,
                config,
                &mut report,
                &mut sink,
            );
            start = end + 1;
        }
        // A full return queue means the reader has buffers enough; this one is dropped.
        let _ = spare.try_send(batch.bytes);
        let parsed = Parsed {
            seq: batch.seq,
            items,
            report,
        };
        if out.send(parsed).is_err() {
            return;
        }
    }
}
