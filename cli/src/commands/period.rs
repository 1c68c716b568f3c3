//! `hrh period`: DHIS2 period ids and dates.

use hrh_core::{PartialDate, Period, PeriodType};

use crate::error::CliError;

/// Arguments of `hrh period`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A DHIS2 period id (`2024W1`, `2024NovQ1`), or a date `YYYY-MM-DD` with --type.
    value: String,
    /// The period type for a date (e.g. `Weekly`, `FinancialApril`).
    #[arg(long = "type")]
    period_type: Option<String>,
}

/// Prints `id, type, start, end, ADX form`, tab-separated.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let period = match &args.period_type {
        Some(t) => {
            let PartialDate::Date(date) = args.value.parse::<PartialDate>()? else {
                return Err(hrh_core::CoreError::InvalidDate(args.value.clone()).into());
            };
            Period::containing(date, t.parse::<PeriodType>()?)?
        }
        None => Period::parse(&args.value)?,
    };
    println!(
        "{period}\t{}\t{}\t{}\t{}",
        period.period_type(),
        period.start(),
        period.end(),
        period.to_adx()
    );
    Ok(0)
}
