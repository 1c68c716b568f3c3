//! `hrh`: health-workforce registry data (FHIR) to NHWA figures (DHIS2).
//!
//! The binary only wires the library crates together: it parses arguments,
//! reads and writes files, and turns errors into one-line messages and exit
//! statuses. Counting rules live in `hrh-core`.
//!
//! Exit statuses: 0 success; 1 errors found (`validate`) or values refused
//! (`push`, `sync`, `load`); 2 unusable input or usage; 3 server, credential or
//! network error (DHIS2 or FHIR server unreachable, HTTP 401, 5xx). Credentials come from the environment
//! only (see `credentials.rs`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod credentials;
mod error;
mod inputs;
mod output;

use error::CliError;

/// The help section of the flags every subcommand takes.
const GLOBAL: &str = "Global options";

/// Health-workforce registry data (FHIR) to National Health Workforce Accounts figures (DHIS2).
#[derive(Debug, Parser)]
#[command(name = "hrh", version, about, long_about = None)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug); `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = GLOBAL)]
    verbose: u8,
    /// Only errors on stderr: no notes, progress or summaries (the results still go to
    /// stdout or the output files).
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    quiet: bool,
    /// Indent JSON output (`--json` documents and DHIS2 JSON figures).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pretty: bool,
    /// Allow sending credentials over plain `http://` (test servers only).
    #[arg(long, global = true, help_heading = GLOBAL)]
    insecure: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The whole job offline on a synthetic registry: check, aggregate NHWA Module 1, write hrh-demo/.
    Demo(commands::demo::Args),
    /// Write a synthetic registry as bulk-export NDJSON (Practitioner, PractitionerRole, ...).
    Generate(commands::generate::Args),
    /// Data-quality report of a registry (exit 0 no errors, 1 errors found, 2 unusable input).
    Validate(commands::validate::Args),
    /// Aggregate a registry into figures with a mapping (NHWA Module 1 by default).
    Aggregate(commands::aggregate::Args),
    /// The workforce profile as one self-contained HTML page (charts, map, quality, account).
    Report(commands::report::Args),
    /// Convert figures between DHIS2 JSON, DXF2 XML, CSV, ADX and mADX `MeasureReport`s.
    Convert(commands::convert::Args),
    /// Show DHIS2 period ids: the dates of a period id, or the period of a date.
    Period(commands::period::Args),
    /// Import figures into DHIS2 after a pre-flight check (exit 1 rejected, 3 server error).
    Push(commands::push::Args),
    /// Publish a registry to a FHIR server (conditional updates: loading twice adds nothing).
    Load(commands::load::Args),
    /// Pull a FHIR registry into a mirror, aggregate, push to DHIS2, remember the watermark.
    Sync(commands::sync::Args),
    /// DHIS2 org units to mCSD Organization + Location pairs (`pull`) and to a FHIR server (`push`).
    Facilities(commands::facilities::Args),
    /// A shell completion script (bash, zsh, fish, ...) on stdout.
    Completions(commands::completions::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    output::set_quiet(cli.quiet);
    output::set_pretty(cli.pretty);
    let Some(command) = cli.command else {
        print_overview();
        return ExitCode::SUCCESS;
    };
    let outcome = match command {
        Command::Demo(args) => commands::demo::run(&args),
        Command::Generate(args) => commands::generate::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
        Command::Aggregate(args) => commands::aggregate::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Convert(args) => commands::convert::run(&args),
        Command::Period(args) => commands::period::run(&args),
        Command::Push(args) => commands::push::run(&args, cli.insecure),
        Command::Load(args) => commands::load::run(&args, cli.insecure),
        Command::Sync(args) => commands::sync::run(&args, cli.insecure),
        Command::Facilities(args) => commands::facilities::run(&args, cli.insecure),
        Command::Completions(args) => Ok(commands::completions::run(
            &args,
            &mut <Cli as clap::CommandFactory>::command(),
        )),
    };
    match outcome {
        Ok(code) => {
            output::finish_json(code, None);
            ExitCode::from(code)
        }
        Err(error) => {
            let message = one_line(&error);
            eprintln!("error: {message}");
            output::finish_json(error.exit_code(), Some(&message));
            ExitCode::from(error.exit_code())
        }
    }
}

/// The error and its causes on one line.
fn one_line(error: &CliError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace('\n', "; ")
}

fn init_logging(verbose: u8) {
    // Without -v, the DHIS2 and FHIR clients' retry warnings stay quiet: a failed
    // request ends in one error line of its own.
    let default = match verbose {
        0 => "warn,hrh_dhis2::client=error,hrh_fhir::client=error",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn print_overview() {
    println!("hrh {}", env!("CARGO_PKG_VERSION"));
    println!("Health-workforce registry data to NHWA figures in DHIS2.\n");
    println!("Subcommands:");
    for sub in <Cli as clap::CommandFactory>::command().get_subcommands() {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        println!("  {:<10} {about}", sub.get_name());
    }
    println!("\nStart with `hrh demo`; `hrh <subcommand> --help` for details.");
}
