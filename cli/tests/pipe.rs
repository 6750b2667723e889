//! The command line whose reader goes away (`aftersales … | head -1`): issue 17 found it
//! panicking with a backtrace on the closed pipe. The real binary, its stdout a real pipe
//! whose reading end is closed before it writes.

use std::process::{Command, Stdio};

fn aftersales(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR")
        .env("RUST_BACKTRACE", "1");
    cmd
}

/// Runs `args` with stdout a pipe nobody reads any more: the reading end is dropped
/// right after the start, so the first line written meets a closed pipe.
fn with_closed_pipe(dir: &std::path::Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = aftersales(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_command_line_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["commands"][..],
        &["call", "customers.search", "{}"],
        &["call", "models.list"],
    ] {
        let (status, stderr) = with_closed_pipe(dir.path(), args);
        assert!(status.success(), "{args:?}: {status:?} {stderr}");
        assert_eq!(stderr, "", "{args:?}: nothing on stderr, no backtrace");
    }
}

#[test]
fn head_takes_the_first_line_and_the_pipeline_is_quiet() {
    // As a script writes it: the shell's pipe, `head -1` closing it.
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_aftersales");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{bin}' --data-dir '{}' commands | head -1",
            dir.path().display()
        ))
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
