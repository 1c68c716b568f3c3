//! `hrh`: health-workforce registry data to NHWA figures in DHIS2.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Health-workforce registry data (FHIR) to National Health Workforce Accounts figures (DHIS2).
#[derive(Debug, Parser)]
#[command(name = "hrh", version, about, long_about = None, arg_required_else_help = false)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show DHIS2 period ids: the period of a date, or the dates of a period id.
    Period {
        /// A DHIS2 period id (`2024W1`, `2024NovQ1`), or a date `YYYY-MM-DD` with --type.
        value: String,
        /// The period type for a date (e.g. `Weekly`, `FinancialApril`).
        #[arg(long = "type")]
        period_type: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            println!("hrh {}", env!("CARGO_PKG_VERSION"));
            println!("Health-workforce registry data to NHWA figures in DHIS2.\n");
            println!("Subcommands:");
            for sub in <Cli as clap::CommandFactory>::command().get_subcommands() {
                println!(
                    "  {:<10} {}",
                    sub.get_name(),
                    sub.get_about().map(ToString::to_string).unwrap_or_default()
                );
            }
            println!("\nRun `hrh --help` for details.");
            ExitCode::SUCCESS
        }
        Some(Command::Period { value, period_type }) => {
            match period(&value, period_type.as_deref()) {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn period(value: &str, period_type: Option<&str>) -> Result<String, hrh_core::CoreError> {
    use hrh_core::{Period, PeriodType};
    let period = match period_type {
        Some(t) => {
            let date = chrono_date(value)?;
            Period::containing(date, t.parse::<PeriodType>()?)?
        }
        None => Period::parse(value)?,
    };
    Ok(format!(
        "{period}\t{}\t{}\t{}\t{}",
        period.period_type(),
        period.start(),
        period.end(),
        period.to_adx()
    ))
}

fn chrono_date(value: &str) -> Result<chrono::NaiveDate, hrh_core::CoreError> {
    match value.parse::<hrh_core::PartialDate>()? {
        hrh_core::PartialDate::Date(d) => Ok(d),
        _ => Err(hrh_core::CoreError::InvalidDate(value.to_owned())),
    }
}
