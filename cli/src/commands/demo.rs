//! `hrh demo`: the whole job, offline, on a synthetic national registry.

use std::fmt::Write as _;
use std::path::PathBuf;

use hrh_core::aggregate::{Aggregation, Mapping, Options, overview};
use hrh_core::synthetic::{Config, SyntheticRegistry};
use hrh_core::{Country, Period, quality};
use hrh_dhis2::DataValueSet;

use crate::error::CliError;
use crate::output::{self, Format};

/// The org unit the demo reports for (the DHIS2 stand-in's country root).
pub const DEMO_ORG_UNIT: &str = "UZdemoRoot1";

/// Arguments of `hrh demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    synthetic: super::SyntheticArgs,
    /// Reporting year (default: the last full year).
    #[arg(long)]
    year: Option<i32>,
    /// Where to write the outputs.
    #[arg(long, default_value = "hrh-demo")]
    out: PathBuf,
}

/// Generates, checks, aggregates, writes `hrh-demo/` and prints a summary.
pub fn run(args: &Args) -> Result<u8, CliError> {
    let year = args.year.unwrap_or_else(super::last_full_year);
    let period = Period::parse(&format!("{year:04}"))?;
    let country = Country::parse(&args.synthetic.country)?;
    let synthetic = SyntheticRegistry::new(Config {
        workers: args.synthetic.workers,
        seed: args.synthetic.seed,
        country,
        year,
        bad_records: true,
    });
    let registry = synthetic.to_registry();
    let checked = quality::check(&registry, &quality::Options::as_of(period.end()));
    let mapping = Mapping::builtin("nhwa-module1")?;
    let options = Options {
        period,
        home: country,
        org_unit: Some(DEMO_ORG_UNIT.to_owned()),
        suppress_below: None,
    };
    let result = Aggregation::new(&mapping, &options)?
        .with_profile()
        .run(&registry);
    let rows = overview(&registry, period, country)?;

    let mut text = String::new();
    let _ = writeln!(
        text,
        "hrh demo: a synthetic registry of {} workers ({}), NHWA Module 1, period {period}\n",
        args.synthetic.workers,
        country.name()
    );
    let _ = writeln!(
        text,
        "Workers in the stock on {} by occupation group (ISCO-08)",
        period.end()
    );
    let _ = writeln!(
        text,
        "  {:<5} {:<58} {:>7} {:>7} {:>7}",
        "ISCO", "occupation group", "women", "men", "total"
    );
    for row in &rows {
        let title: String = row.title.chars().take(58).collect();
        let _ = writeln!(
            text,
            "  {:<5} {title:<58} {:>7} {:>7} {:>7}",
            row.group.to_string(),
            row.female,
            row.male,
            row.total
        );
    }
    quality_section(&mut text, &checked);
    let _ = writeln!(text, "\nAccount: {}", result.account);
    figures_section(&mut text, &result, period);

    std::fs::create_dir_all(&args.out).map_err(CliError::io(&args.out))?;
    let dvs_path = args.out.join("datavalueset.json");
    let set = DataValueSet::from_result(&result);
    // The demo's figures are for reading: indented, with names beside the UIDs.
    output::set_names(true);
    output::set_pretty(true);
    output::to_file_or_stdout(Some(&dvs_path), |out| {
        output::write_set(&set, Some(&mapping), Format::Dhis2Json, out)
    })?;
    let madx_path = args.out.join("measurereport.json");
    output::to_file_or_stdout(Some(&madx_path), |out| {
        output::write_set(&set, Some(&mapping), Format::MeasureReport, out)
    })?;
    let profile_path = args.out.join("profile.html");
    let mut report = hrh_report::Report::new(country, &mapping, vec![(period, &result)]);
    report.quality = Some(&checked);
    report.places.add_facilities(&registry.facilities);
    report.write(&profile_path)?;
    let summary_path = args.out.join("summary.txt");
    std::fs::write(&summary_path, &text).map_err(CliError::io(&summary_path))?;
    print!("{text}");
    println!(
        "Wrote {}, {} and {}",
        dvs_path.display(),
        madx_path.display(),
        summary_path.display()
    );
    println!("Workforce profile: {}", profile_path.display());
    Ok(0)
}

/// The data-quality findings, counted by severity and problem.
fn quality_section(text: &mut String, checked: &quality::QualityReport) {
    let _ = writeln!(
        *text,
        "\nData quality: {} findings in {} records: {} errors (a figure is wrong or the worker is left out of one), {} warnings (counted, worth a look), {} info",
        checked.findings.len(),
        checked.records_checked,
        checked.count_of(quality::Severity::Error),
        checked.count_of(quality::Severity::Warning),
        checked.count_of(quality::Severity::Info),
    );
    for (severity, code, n) in checked.counts_by_severity() {
        let _ = writeln!(*text, "  {:<8} {code:<26} {n:>6}", severity.as_str());
    }
}

/// The figures written, and what their counts mean.
fn figures_section(
    text: &mut String,
    result: &hrh_core::aggregate::AggregateResult,
    period: Period,
) {
    let nonzero = result
        .values
        .iter()
        .filter(|v| v.value.as_f64() != 0.0)
        .count();
    let data_set = result.data_set.as_deref().unwrap_or("-");
    let data_elements: std::collections::BTreeSet<&str> = result
        .values
        .iter()
        .map(|v| v.data_element.as_str())
        .collect();
    let _ = writeln!(
        *text,
        "\nFigures: {} values for data set {data_set}, org unit {DEMO_ORG_UNIT}, period {period}:\n  \
         one per data element and category option combo of the mapping ({} data elements, \
         each a total or a breakdown by sex, age group, ...);\n  \
         {nonzero} count at least one worker, the other {} are 0 (no worker in that cell; \
         sent so that DHIS2 replaces an older figure).\n  \
         datavalueset.json names each data element and combo beside its UID \
         (dataElementName, categoryOptionComboName; `hrh push` sends only the UIDs and values).",
        result.values.len(),
        data_elements.len(),
        result.values.len() - nonzero,
    );
}
