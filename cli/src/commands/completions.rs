//! `hrh completions SHELL`: a shell completion script on stdout.

/// Arguments of `hrh completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Writes the completion script of `command` (the whole `hrh` command line) for the shell.
pub fn run(args: &Args, command: &mut clap::Command) -> u8 {
    clap_complete::generate(args.shell, command, "hrh", &mut std::io::stdout());
    0
}
