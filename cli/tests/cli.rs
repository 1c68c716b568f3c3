//! The `hrh` binary as a user runs it.
#![allow(clippy::unwrap_used)] // a failing unwrap is a failing test

use std::process::Command;

fn hrh(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hrh"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bare_hrh_prints_version_and_subcommands() {
    let (code, out, _) = hrh(&[]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!("hrh {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains("period"), "{out}");
}

#[test]
fn period_prints_dates_of_an_id_and_the_period_of_a_date() {
    let (code, out, _) = hrh(&["period", "2024NovQ1"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        "2024NovQ1\tQuarterlyNov\t2023-11-01\t2024-01-31\t2023-11-01/P3M"
    );
    let (code, out, _) = hrh(&["period", "2024-12-30", "--type", "Weekly"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("2025W1\t"), "{out}");
}

#[test]
fn bad_input_gives_one_line_and_exit_status_2() {
    for args in [
        &["period", "2024Q5"][..],
        &["period", "2024-02-30", "--type", "Weekly"],
        &["period", "2024-01-01", "--type", "Fortnightly"],
    ] {
        let (code, out, err) = hrh(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: "), "{err}");
    }
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef hrh"),
        ("fish", "complete -c hrh"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hrh"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["aggregate", "sync", "insecure", "dhis2"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hrh"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn global_flags_have_their_own_help_section() {
    let out = Command::new(env!("CARGO_BIN_EXE_hrh"))
        .args(["push", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let (own, global) = help.split_once("Global options:").unwrap();
    for flag in ["--insecure", "--quiet", "--verbose", "--pretty"] {
        assert!(global.contains(flag), "{flag} under Global options: {help}");
        assert!(
            !own.contains(flag),
            "{flag} not among push's options: {help}"
        );
    }
    assert!(own.contains("--dry-run"), "{help}");
}
