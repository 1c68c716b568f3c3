//! One module per subcommand; each returns the exit status on success.

pub mod aggregate;
pub mod completions;
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

use chrono::Datelike;
use hrh_core::aggregate::guard::{self, Limits, Override, Refusal, Share};
use hrh_core::{Country, Period, PeriodType};

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
    /// A built-in mapping (`nhwa-module1`, `nhwa-module1-subnational`, `nhwa-module5`,
    /// `nhwa-module6`, `nhwa-module7`) or a mapping file.
    #[arg(long, default_value = "nhwa-module1")]
    pub mapping: String,
    /// The DHIS2 reporting period, e.g. `2024`; for `aggregate` also a series (`2019..2024`,
    /// `2023,2024`), and the option may be repeated (default: the last full period of the
    /// mapping's type, the last full year for the NHWA mappings).
    #[arg(long)]
    pub period: Vec<String>,
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

/// The checks that keep an empty or broken input from wiping figures (`aggregate`, `sync`).
#[derive(Debug, clap::Args)]
pub struct GuardArgs {
    /// Refuse the input when more than PERCENT (0-100) of its records are rejected.
    #[arg(long, value_name = "PERCENT", default_value = "5", value_parser = percent)]
    pub max_rejected: Share,
    /// Accept on purpose an input that counts nobody (no worker read, none counted; for
    /// `push`: no value, or every value zero or blank).
    #[arg(long)]
    pub allow_empty: bool,
}

impl GuardArgs {
    /// The limits these flags set (the drop limits at their defaults).
    pub fn limits(&self) -> Limits {
        Limits {
            max_rejected: self.max_rejected,
            allow_empty: self.allow_empty,
            ..Limits::default()
        }
    }
}

/// Reads a percentage from 0 to 100, with or without `%` (`5`, `2.5%`).
pub fn percent(text: &str) -> Result<Share, String> {
    let number = text.trim().trim_end_matches('%').trim();
    number
        .parse::<f64>()
        .ok()
        .and_then(Share::from_percent)
        .ok_or_else(|| format!("{text:?} is not a percentage from 0 to 100"))
}

/// A guard's refusal as a usage error (exit 2), naming the flag that accepts it on purpose.
pub fn refused(refusal: &Refusal) -> CliError {
    let hint = match refusal.overridden_by() {
        Override::AllowEmpty => "--allow-empty accepts it on purpose",
        Override::MaxRejected => "--max-rejected PERCENT raises the limit",
        Override::AllowDrop => {
            "--allow-drop accepts it on purpose, --max-drop PERCENT raises the limit"
        }
    };
    CliError::Usage(format!("{refusal}; nothing written or pushed ({hint})"))
}

/// Checks an aggregation's result and read report against `limits` (see [`guard::check_result`]).
pub fn check_result(
    result: &hrh_core::aggregate::AggregateResult,
    report: &crate::inputs::ReadSummary,
    limits: &Limits,
) -> Result<(), CliError> {
    let input = guard::Input {
        accepted: u64::try_from(report.accepted).unwrap_or(u64::MAX),
        rejected: u64::try_from(report.rejected.len()).unwrap_or(u64::MAX),
    };
    guard::check_result(&result.account, input, limits).map_err(|r| refused(&r))
}

impl FigureArgs {
    /// The mapping and an aggregation ready to be fed, for commands that take one period.
    pub fn aggregation(
        &self,
    ) -> Result<
        (
            hrh_core::aggregate::Mapping,
            hrh_core::aggregate::Aggregation,
        ),
        CliError,
    > {
        let (mapping, mut aggregations) = self.aggregations()?;
        match (aggregations.pop(), aggregations.is_empty()) {
            (Some(one), true) => Ok((mapping, one)),
            _ => Err(CliError::Usage(
                "this command takes one --period, not a series".to_owned(),
            )),
        }
    }

    /// The periods of `--period` (every one given, each a period or a series), in period
    /// order without repeats; the mapping's last full period when none is given.
    pub fn periods(&self, mapping: &hrh_core::aggregate::Mapping) -> Result<Vec<Period>, CliError> {
        let mut periods = Vec::new();
        for text in &self.period {
            periods.extend(Period::parse_series(text)?);
        }
        if periods.is_empty() {
            periods.push(default_period(mapping)?);
        }
        periods.sort_by_key(|p| (p.start(), p.end()));
        periods.dedup();
        Ok(periods)
    }

    /// The mapping and one aggregation per period of `--period` (every one given, each a
    /// period or a series), in period order without repeats.
    pub fn aggregations(
        &self,
    ) -> Result<
        (
            hrh_core::aggregate::Mapping,
            Vec<hrh_core::aggregate::Aggregation>,
        ),
        CliError,
    > {
        let home = Country::parse(&self.country)?;
        let mapping = mapping(&self.mapping)?;
        let periods = self.periods(&mapping)?;
        let mut aggregations = Vec::with_capacity(periods.len());
        for period in periods {
            let options = hrh_core::aggregate::Options {
                period,
                home,
                org_unit: self.org_unit.clone(),
                suppress_below: self.suppress,
            };
            aggregations.push(hrh_core::aggregate::Aggregation::new(&mapping, &options)?);
        }
        Ok((mapping, aggregations))
    }
}

/// Today's date, local time: what "the last full year" is judged from.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The last full calendar year: the default year of `demo` and `generate`.
pub fn last_full_year() -> i32 {
    today().year() - 1
}

/// The last full period of the mapping's type (the last full year for NHWA), said in a note.
fn default_period(mapping: &hrh_core::aggregate::Mapping) -> Result<Period, CliError> {
    let period_type = mapping.period_type.unwrap_or(PeriodType::Yearly);
    let period = Period::last_full(today(), period_type)?;
    let what = if period_type == PeriodType::Yearly {
        "year".to_owned()
    } else {
        format!("{} period", period_type.name())
    };
    crate::output::note(&format!(
        "period {period} (the last full {what}; --period to choose another)"
    ));
    Ok(period)
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
