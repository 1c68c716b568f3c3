//! `dhis2-standin`: a DHIS2 Web API stand-in for tests, in memory.
//!
//! ```text
//! dhis2-standin --port P [--seed FILE] [--version 2.42|2.43] [--token TOKEN]
//! ```
//!
//! Binds 127.0.0.1:P (0 picks a free port) and prints `listening on
//! http://127.0.0.1:NNNN`, then `api token: TOKEN`, on stdout. Without `--seed`
//! it serves NHWA Module 1 (data set `FuMctq4PQpf`, from the shipped
//! `nhwa-module1` mapping) and a demo hierarchy rooted at `UZdemoRoot1`
//! ("Uzbekistan (demo)"). Credentials: Basic `admin` / `district`, or
//! `Authorization: ApiToken <token>`. See README.md for endpoints and faults.

mod api;
mod data_values;
mod guard;
mod listing;
mod model;
mod store;

use std::collections::{BTreeMap, VecDeque};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use clap::Parser;
use hrh_dhis2::import_summary::ImportSummary;

use crate::model::Metadata;
use crate::store::{Key, Stored};

/// The default personal access token.
const DEFAULT_TOKEN: &str = "d2p_standinDemoToken0000000000000000000000000000000000000000";

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "dhis2-standin", about = "A DHIS2 Web API stand-in for tests")]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long)]
    port: u16,
    /// A DHIS2 metadata export JSON (dataElements, categoryCombos, categoryOptionCombos,
    /// organisationUnits, dataSets) instead of the built-in NHWA Module 1.
    #[arg(long)]
    seed: Option<std::path::PathBuf>,
    /// Response conventions: 2.42 (409 for imports with conflicts) or 2.43 (200).
    #[arg(long = "version", default_value = "2.42", value_parser = ["2.41", "2.42", "2.43"])]
    dhis2_version: String,
    /// The personal access token accepted as `Authorization: ApiToken <token>`.
    #[arg(long, default_value = DEFAULT_TOKEN)]
    token: String,
}

/// An injected fault: answer `status` (with `Retry-After`) and/or wait `delay_ms` first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fault {
    pub(crate) status: Option<u16>,
    pub(crate) retry_after: Option<String>,
    pub(crate) delay_ms: u64,
}

/// An asynchronous import job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) created: String,
    pub(crate) summary: Option<ImportSummary>,
}

/// Everything the server holds.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) meta: Metadata,
    pub(crate) v243: bool,
    pub(crate) version: String,
    pub(crate) token: String,
    pub(crate) base_url: String,
    pub(crate) values: BTreeMap<Key, Stored>,
    pub(crate) jobs: BTreeMap<String, Job>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) requests: u64,
    /// The latest `/api` requests, for `GET /__requests`.
    pub(crate) seen: VecDeque<guard::Seen>,
}

/// The state shared by the handlers.
#[derive(Debug, Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    /// Locks the state (a poisoned lock is still used: the data stays consistent per request).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The current time as DHIS2 writes it.
pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

fn run(args: Args) -> Result<(), String> {
    let meta = match &args.seed {
        Some(path) => {
            let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let doc =
                serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            Metadata::from_export(&doc)?
        }
        None => Metadata::builtin()?,
    };
    let v243 = args.dhis2_version == "2.43";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
            .await
            .map_err(|e| format!("cannot bind 127.0.0.1:{}: {e}", args.port))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let base_url = format!("http://{address}");
        let state = Shared(Arc::new(Mutex::new(State {
            meta,
            v243,
            version: if v243 { "2.43.0" } else { "2.42.3" }.to_owned(),
            token: args.token.clone(),
            base_url: base_url.clone(),
            values: BTreeMap::new(),
            jobs: BTreeMap::new(),
            faults: VecDeque::new(),
            requests: 0,
            seen: VecDeque::new(),
        })));
        println!("listening on {base_url}");
        println!("api token: {}", args.token);
        axum::serve(listener, api::router(state))
            .await
            .map_err(|e| e.to_string())
    })
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dhis2-standin: {message}");
            ExitCode::FAILURE
        }
    }
}
