//! Bulk-export layout: one NDJSON file per resource type, written as a stream.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use hrh_core::synthetic::SyntheticRegistry;
use hrh_core::{Employment, Facility, HealthService, Organization, Practitioner};
use serde::Serialize;

use super::resources::{
    healthcare_service, location, organization, practitioner, practitioner_role,
};
use crate::FhirError;

/// How many resources of each type were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BulkCounts {
    /// `Practitioner.ndjson` lines.
    pub practitioners: u64,
    /// `PractitionerRole.ndjson` lines.
    pub roles: u64,
    /// `Organization.ndjson` lines.
    pub organizations: u64,
    /// `Location.ndjson` lines.
    pub locations: u64,
    /// `HealthcareService.ndjson` lines (the file exists only when there are some).
    pub services: u64,
}

/// One open NDJSON file.
#[derive(Debug)]
struct Sink {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Sink {
    fn create(dir: &Path, name: &str) -> Result<Self, FhirError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| io_error(&path, e))?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
        })
    }

    fn line(&mut self, resource: &impl Serialize) -> Result<(), FhirError> {
        serde_json::to_writer(&mut self.out, resource)
            .map_err(|e| io_error(&self.path, e.into()))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| io_error(&self.path, e))
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), FhirError> {
        self.out
            .write_all(bytes)
            .map_err(|e| io_error(&self.path, e))
    }

    fn finish(mut self) -> Result<(), FhirError> {
        self.out.flush().map_err(|e| io_error(&self.path, e))
    }
}

fn io_error(path: &Path, source: std::io::Error) -> FhirError {
    FhirError::Io {
        source_name: path.display().to_string(),
        source,
    }
}

/// Writes a registry as a bulk-export directory: `Practitioner.ndjson`,
/// `PractitionerRole.ndjson`, `Organization.ndjson`, `Location.ndjson` and, when there are
/// services, `HealthcareService.ndjson`.
#[derive(Debug)]
pub struct BulkWriter {
    dir: PathBuf,
    practitioners: Sink,
    roles: Sink,
    organizations: Sink,
    locations: Sink,
    services: Option<Sink>,
    counts: BulkCounts,
}

impl BulkWriter {
    /// Creates `dir` (and its parents) and the files in it, replacing files of the same names.
    pub fn create(dir: &Path) -> Result<Self, FhirError> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        Ok(Self {
            dir: dir.to_owned(),
            practitioners: Sink::create(dir, "Practitioner.ndjson")?,
            roles: Sink::create(dir, "PractitionerRole.ndjson")?,
            organizations: Sink::create(dir, "Organization.ndjson")?,
            locations: Sink::create(dir, "Location.ndjson")?,
            services: None,
            counts: BulkCounts::default(),
        })
    }

    /// Writes an organisation.
    pub fn organization(&mut self, o: &Organization) -> Result<(), FhirError> {
        self.organizations.line(&organization(o))?;
        self.counts.organizations += 1;
        Ok(())
    }

    /// Writes a facility as a Location.
    pub fn facility(&mut self, f: &Facility) -> Result<(), FhirError> {
        self.locations.line(&location(f))?;
        self.counts.locations += 1;
        Ok(())
    }

    /// Writes a health service.
    pub fn service(&mut self, s: &HealthService) -> Result<(), FhirError> {
        let sink = match &mut self.services {
            Some(sink) => sink,
            None => self
                .services
                .insert(Sink::create(&self.dir, "HealthcareService.ndjson")?),
        };
        sink.line(&healthcare_service(s))?;
        self.counts.services += 1;
        Ok(())
    }

    /// Writes a worker and their employments.
    pub fn worker(&mut self, p: &Practitioner, jobs: &[Employment]) -> Result<(), FhirError> {
        self.practitioners.line(&practitioner(p))?;
        self.counts.practitioners += 1;
        for job in jobs {
            self.roles.line(&practitioner_role(job))?;
            self.counts.roles += 1;
        }
        Ok(())
    }

    /// Writes a whole in-memory registry.
    pub fn registry(&mut self, registry: &hrh_core::Registry) -> Result<(), FhirError> {
        for o in &registry.organizations {
            self.organization(o)?;
        }
        for f in &registry.facilities {
            self.facility(f)?;
        }
        for s in &registry.services {
            self.service(s)?;
        }
        for p in &registry.practitioners {
            self.practitioners.line(&practitioner(p))?;
            self.counts.practitioners += 1;
        }
        for e in &registry.employments {
            self.roles.line(&practitioner_role(e))?;
            self.counts.roles += 1;
        }
        Ok(())
    }

    /// Flushes every file and returns the counts.
    pub fn finish(self) -> Result<BulkCounts, FhirError> {
        self.practitioners.finish()?;
        self.roles.finish()?;
        self.organizations.finish()?;
        self.locations.finish()?;
        if let Some(services) = self.services {
            services.finish()?;
        }
        Ok(self.counts)
    }
}

/// Workers generated per thread per round.
const CHUNK: usize = 4096;

/// Writes a synthetic registry as a bulk export into `dir`, generating and serialising workers
/// on `threads` threads (at least one) while keeping the files in worker order, so the output
/// is the same for a seed whatever the thread count.
pub fn export_synthetic(
    synthetic: &SyntheticRegistry,
    dir: &Path,
    threads: usize,
) -> Result<BulkCounts, FhirError> {
    let mut writer = BulkWriter::create(dir)?;
    for o in synthetic.organizations() {
        writer.organization(o)?;
    }
    for f in synthetic.facilities() {
        writer.facility(f)?;
    }
    let threads = threads.max(1);
    let total = synthetic.config().workers;
    let mut next = 0;
    while next < total {
        let round_end = total.min(next + threads * CHUNK);
        let parts: Vec<Result<Serialised, FhirError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (next..round_end)
                .step_by(CHUNK)
                .map(|start| {
                    let end = round_end.min(start + CHUNK);
                    scope.spawn(move || serialise_workers(synthetic, start, end))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(worker_thread_failed(dir))))
                .collect()
        });
        for part in parts {
            let part = part?;
            writer.practitioners.raw(&part.practitioners)?;
            writer.roles.raw(&part.roles)?;
            writer.counts.practitioners += part.practitioner_count;
            writer.counts.roles += part.role_count;
        }
        next = round_end;
    }
    writer.finish()
}

fn worker_thread_failed(dir: &Path) -> FhirError {
    io_error(
        dir,
        std::io::Error::other("a worker-generating thread failed"),
    )
}

/// NDJSON text of a range of workers.
struct Serialised {
    practitioners: Vec<u8>,
    roles: Vec<u8>,
    practitioner_count: u64,
    role_count: u64,
}

fn serialise_workers(
    synthetic: &SyntheticRegistry,
    start: usize,
    end: usize,
) -> Result<Serialised, FhirError> {
    let mut out = Serialised {
        practitioners: Vec::with_capacity((end - start) * 900),
        roles: Vec::with_capacity((end - start) * 700),
        practitioner_count: 0,
        role_count: 0,
    };
    let to_io = |e: serde_json::Error| io_error(Path::new("<memory>"), e.into());
    for index in start..end {
        let (p, jobs) = synthetic.worker(index);
        serde_json::to_writer(&mut out.practitioners, &practitioner(&p)).map_err(to_io)?;
        out.practitioners.push(b'\n');
        out.practitioner_count += 1;
        for job in &jobs {
            serde_json::to_writer(&mut out.roles, &practitioner_role(job)).map_err(to_io)?;
            out.roles.push(b'\n');
            out.role_count += 1;
        }
    }
    Ok(out)
}
