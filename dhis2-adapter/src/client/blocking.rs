//! A blocking facade over the async client, for the CLI and Python: it owns a
//! current-thread tokio runtime. Do not call it from inside an async runtime.

use tokio::runtime::{Builder, Runtime};

use super::{
    ClientSettings, DataSetMetadata, DataValueQuery, ImportOptions, Me, OrgUnitQuery,
    OrganisationUnit, PreflightReport, SystemInfo, Version,
};
use crate::datavalueset::DataValueSet;
use crate::error::{Dhis2Error, Result};
use crate::import_summary::ImportSummary;

/// The blocking DHIS2 client: the methods of [`super::Dhis2Client`], waited for.
#[derive(Debug)]
pub struct Dhis2Client {
    inner: super::Dhis2Client,
    runtime: Runtime,
}

impl Dhis2Client {
    /// A client for `settings`, with its own runtime.
    pub fn new(settings: ClientSettings) -> Result<Self> {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| Dhis2Error::ClientSetup(error.to_string()))?;
        Ok(Self {
            inner: super::Dhis2Client::new(settings)?,
            runtime,
        })
    }

    /// The async client inside.
    pub fn inner(&self) -> &super::Dhis2Client {
        &self.inner
    }

    /// See [`super::Dhis2Client::system_info`].
    pub fn system_info(&self) -> Result<SystemInfo> {
        self.runtime.block_on(self.inner.system_info())
    }

    /// See [`super::Dhis2Client::version`].
    pub fn version(&self) -> Result<Version> {
        self.runtime.block_on(self.inner.version())
    }

    /// See [`super::Dhis2Client::me`].
    pub fn me(&self) -> Result<Me> {
        self.runtime.block_on(self.inner.me())
    }

    /// See [`super::Dhis2Client::import_data_values`].
    pub fn import_data_values(
        &self,
        set: &DataValueSet,
        options: &ImportOptions,
    ) -> Result<ImportSummary> {
        self.runtime
            .block_on(self.inner.import_data_values(set, options))
    }

    /// See [`super::Dhis2Client::delete_data_values`].
    pub fn delete_data_values(
        &self,
        set: &DataValueSet,
        options: &ImportOptions,
    ) -> Result<ImportSummary> {
        self.runtime
            .block_on(self.inner.delete_data_values(set, options))
    }

    /// See [`super::Dhis2Client::read_data_values`].
    pub fn read_data_values(&self, query: &DataValueQuery) -> Result<DataValueSet> {
        self.runtime.block_on(self.inner.read_data_values(query))
    }

    /// See [`super::Dhis2Client::organisation_units`].
    pub fn organisation_units(&self, query: &OrgUnitQuery) -> Result<Vec<OrganisationUnit>> {
        self.runtime.block_on(self.inner.organisation_units(query))
    }

    /// See [`super::Dhis2Client::data_set_metadata`].
    pub fn data_set_metadata(&self, data_set: &str) -> Result<DataSetMetadata> {
        self.runtime
            .block_on(self.inner.data_set_metadata(data_set))
    }

    /// See [`super::Dhis2Client::preflight`].
    pub fn preflight(&self, set: &DataValueSet, data_set: &str) -> Result<PreflightReport> {
        self.runtime.block_on(self.inner.preflight(set, data_set))
    }
}
