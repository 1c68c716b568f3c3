//! Every command in the README runs as written, so the README stays true.
//!
//! The convention (stated in the README too):
//! - a fenced block tagged `bash` is run: all such blocks, in README order, make one
//!   `bash -euo pipefail` script, run in a fresh directory with `hrh` on the `PATH` the
//!   binary under test, no `HRH_*` variable inherited, and `http://127.0.0.1:8080`
//!   replaced by the address of a DHIS2 stand-in this test starts;
//! - a block tagged `bash no-run` is not run (a release build, a real remote server, a
//!   server that runs until stopped), but each `hrh ...` command in it (or
//!   `cargo run ... --bin hrh -- ...`) is parsed: run with `--help` appended, which checks
//!   that the subcommand and every flag before it exist and that their values parse;
//! - the stand-in command the README gives (`cargo run -p dhis2-standin -- --port 8080`)
//!   must be the one whose port the run blocks use; the test runs the same binary on a
//!   free port instead (`common::Standin`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a failing unwrap is a failing test

mod common;

use std::path::Path;
use std::process::Command;

use common::{Standin, temp_dir};
use hrh_dhis2::client::DataValueQuery;

/// The README's address of the stand-in, replaced by the test's own.
const README_STANDIN: &str = "http://127.0.0.1:8080";

/// A fenced block: its tags after the language, and its lines with `\` continuations joined.
struct Block {
    run: bool,
    commands: Vec<String>,
    text: String,
}

fn bash_blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let is_bash = words.next() == Some("bash");
        let tags: Vec<&str> = words.collect();
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if !is_bash {
            continue;
        }
        assert!(
            tags.iter().all(|t| *t == "no-run"),
            "unknown tag in ```{info}: use ```bash or ```bash no-run"
        );
        let text = body.join("\n");
        let commands = text
            .replace("\\\n", " ")
            .lines()
            .map(|l| l.split(" #").next().unwrap_or("").trim().to_owned())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        blocks.push(Block {
            run: tags.is_empty(),
            commands,
            text,
        });
    }
    blocks
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap()
}

#[test]
fn the_readme_commands_that_are_not_run_parse() {
    let blocks = bash_blocks(&readme());
    let mut parsed = 0;
    for command in blocks.iter().filter(|b| !b.run).flat_map(|b| &b.commands) {
        let args = if let Some(rest) = command.strip_prefix("hrh ") {
            rest
        } else if let Some((_, rest)) = command
            .strip_prefix("cargo run")
            .and_then(|c| c.split_once("--bin hrh -- "))
        {
            rest
        } else {
            continue;
        };
        let mut args: Vec<&str> = args.split_whitespace().collect();
        assert!(
            !args.iter().any(|a| a.contains(['"', '\'', '$', '|'])),
            "keep no-run hrh commands free of quotes, variables and pipes: {command}"
        );
        args.push("--help");
        let out = Command::new(env!("CARGO_BIN_EXE_hrh"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        parsed += 1;
    }
    assert!(parsed >= 6, "the no-run hrh commands were found ({parsed})");
}

#[test]
fn the_readme_commands_run_against_the_standin() {
    let blocks = bash_blocks(&readme());
    let starts_standin = blocks
        .iter()
        .filter(|b| !b.run)
        .flat_map(|b| &b.commands)
        .any(|c| c == "cargo run -p dhis2-standin -- --port 8080");
    assert!(
        starts_standin,
        "the README starts the stand-in on the port its commands use"
    );
    let script: Vec<&str> = blocks
        .iter()
        .filter(|b| b.run)
        .map(|b| b.text.as_str())
        .collect();
    let script = script.join("\n");
    assert!(script.contains("hrh --insecure push"), "{script}");
    assert!(script.contains("hrh --insecure sync"), "{script}");

    let standin = Standin::start();
    let dir = temp_dir("readme");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hrh"), bin.join("hrh")).unwrap();
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    // The README's commands run from the repository root: its example files are there.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    std::os::unix::fs::symlink(examples, work.join("examples")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut bash = Command::new("bash");
    bash.args(["-euo", "pipefail", "-c"])
        .arg(script.replace(README_STANDIN, &standin.base_url))
        .current_dir(&work)
        .env("PATH", path);
    for (name, _) in std::env::vars() {
        if name.starts_with("HRH_") || name == "RUST_LOG" {
            bash.env_remove(name);
        }
    }
    let out = bash.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // What the README says the commands show.
    assert!(stdout.contains("imported 1440, updated 0"), "{stdout}");
    assert!(
        stdout.contains("\"dataValues\""),
        "curl shows the values: {stdout}"
    );
    assert!(stdout.contains("\"dry_run\": true"), "{stdout}");
    // And the stand-in holds the synced figures.
    let stored = standin
        .client()
        .read_data_values(&DataValueQuery::new("FuMctq4PQpf", "UZdemoRoot1", "2024"))
        .unwrap();
    assert_eq!(stored.data_values.len(), 1440);
    assert!(
        stored
            .data_values
            .iter()
            .any(|v| v.value.as_deref().is_some_and(|v| v != "0")),
        "figures, not only zeros"
    );
}

#[test]
fn the_readmes_link_only_to_files_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap();
    for readme in [
        "README.md",
        "cli/README.md",
        "python/README.md",
        "tests/dhis2-standin/README.md",
    ] {
        let path = root.join(readme);
        let text = std::fs::read_to_string(&path).unwrap();
        for outside in ["PEERS.md", "DOMAIN.md", "STYLE.md"] {
            assert!(
                !text.contains(outside),
                "{readme} names {outside}, not in the repository"
            );
        }
        for (_, rest) in text.match_indices("](").map(|(i, _)| text.split_at(i + 2)) {
            let target = rest.split([')', '#']).next().unwrap_or("");
            if target.is_empty() || target.contains("://") {
                continue;
            }
            let linked = path.parent().unwrap().join(target);
            let linked = linked
                .canonicalize()
                .unwrap_or_else(|e| panic!("{readme}: link {target}: {e}"));
            assert!(
                linked.starts_with(&root),
                "{readme}: {target} is outside the repository"
            );
        }
    }
}
