//! One module per subcommand; each returns the exit status on success.

pub mod aggregate;
pub mod convert;
pub mod demo;
pub mod facilities;
pub mod generate;
pub mod load;
pub mod period;
pub mod push;
pub mod report;
pub mod sync;
pub mod validate;

use hrh_core::{Country, Period};

use crate::error::CliError;

/// The synthetic registry options `demo` and `generate` share.
#[derive(Debug, clap::Args)]
pub struct SyntheticArgs {
    /// Workers in the synthetic registry.
    #[arg(long, default_value_t = 10_000)]
    pub workers: usize,
    /// Seed: the same seed gives the same registry.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Home country (ISO 3166-1).
    #[arg(long, default_value = "UZ")]
    pub country: String,
}

/// What figures to make: the options `aggregate` and `sync` share.
#[derive(Debug, clap::Args)]
pub struct FigureArgs {
    /// A built-in mapping (`nhwa-module1`, `nhwa-module1-subnational`) or a mapping file.
    #[arg(long, default_value = "nhwa-module1")]
    pub mapping: String,
    /// The DHIS2 reporting period, e.g. `2024`.
    #[arg(long)]
    pub period: String,
    /// The home country (ISO 3166-1), e.g. `UZ`.
    #[arg(long)]
    pub country: String,
    /// The org unit for national reporting.
    #[arg(long, value_name = "UID")]
    pub org_unit: Option<String>,
    /// Withhold values from 1 to K-1 (small-cell suppression).
    #[arg(long, value_name = "K")]
    pub suppress: Option<u64>,
}

impl FigureArgs {
    /// The mapping and an aggregation ready to be fed.
    pub fn aggregation(
        &self,
    ) -> Result<
        (
            hrh_core::aggregate::Mapping,
            hrh_core::aggregate::Aggregation,
        ),
        CliError,
    > {
        let (period, home) = period_and_country(&self.period, &self.country)?;
        let mapping = mapping(&self.mapping)?;
        let options = hrh_core::aggregate::Options {
            period,
            home,
            org_unit: self.org_unit.clone(),
            suppress_below: self.suppress,
        };
        let aggregation = hrh_core::aggregate::Aggregation::new(&mapping, &options)?;
        Ok((mapping, aggregation))
    }
}

/// Streams FHIR files into an aggregation on every core.
pub fn aggregate_files(
    files: &[std::path::PathBuf],
    aggregation: hrh_core::aggregate::Aggregation,
) -> Result<(hrh_core::aggregate::AggregateResult, hrh_fhir::ReadReport), CliError> {
    Ok(hrh_fhir::stream::aggregate_files(
        files,
        &hrh_fhir::ReadConfig::default(),
        aggregation,
        hrh_fhir::stream::default_threads(),
    )?)
}

/// Reads `--period` and `--country` the same way in every command.
pub fn period_and_country(period: &str, country: &str) -> Result<(Period, Country), CliError> {
    Ok((Period::parse(period)?, Country::parse(country)?))
}

/// A mapping by built-in name or file path.
pub fn mapping(name_or_file: &str) -> Result<hrh_core::aggregate::Mapping, CliError> {
    let path = std::path::Path::new(name_or_file);
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
        hrh_core::aggregate::Mapping::from_toml(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        Err(CliError::Usage(format!(
            "{name_or_file}: no such mapping file"
        )))
    } else {
        Ok(hrh_core::aggregate::Mapping::builtin(name_or_file)?)
    }
}

/// A blocking DHIS2 client for `url` with the credentials of the environment,
/// refusing plain `http://` with credentials unless `insecure`; `configure`
/// adjusts the settings (chunk or page size).
pub fn dhis2_client(
    url: &str,
    insecure: bool,
    configure: impl FnOnce(hrh_dhis2::client::ClientSettings) -> hrh_dhis2::client::ClientSettings,
) -> Result<hrh_dhis2::client::blocking::Dhis2Client, CliError> {
    let auth = crate::credentials::dhis2()?;
    let plain =
        crate::credentials::check_transport(url, auth != hrh_dhis2::client::Auth::None, insecure);
    let settings = configure(hrh_dhis2::client::ClientSettings::new(url.trim(), auth));
    // The client refuses a URL holding credentials first, so no message repeats them.
    let client = hrh_dhis2::client::blocking::Dhis2Client::new(settings)
        .map_err(CliError::dhis2_server(url))?;
    plain?;
    Ok(client)
}

/// A blocking FHIR client for `url` with the FHIR credentials of the environment, refusing
/// plain `http://` with credentials unless `insecure`.
pub fn fhir_client(
    url: &str,
    insecure: bool,
) -> Result<hrh_fhir::client::blocking::FhirClient, CliError> {
    let auth = crate::credentials::fhir()?;
    let with_credentials = !matches!(auth, hrh_fhir::client::Auth::None);
    let config = hrh_fhir::client::ClientConfig {
        auth,
        ..hrh_fhir::client::ClientConfig::default()
    };
    let client = hrh_fhir::client::blocking::FhirClient::new(url.trim(), config)
        .map_err(CliError::fhir_server(url))?;
    crate::credentials::check_transport(url, with_credentials, insecure)?;
    Ok(client)
}
