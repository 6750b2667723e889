//! `cargo xtask pg` from the outside (xtask/src/postgres.rs): the real program, a real
//! PostgreSQL, each test with a target folder of its own in the temp folder. A cluster
//! answers on its loopback port while xtask runs and is gone after Ctrl+C, after a
//! command, and (the next time xtask starts) after xtask was killed.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A target folder of its own, removed at the end.
struct Target(PathBuf);

impl Target {
    fn new(test: &str) -> Option<Target> {
        let installed = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.path().join("bin/initdb").is_file());
        if !installed {
            // Under `cargo xtask test` the setup step has installed it: fail there.
            assert!(
                std::env::var("AFTERSALES_XTASK").as_deref() != Ok("1"),
                "Debian's postgresql is not installed"
            );
            eprintln!("{test}: did not run (no PostgreSQL server programs here)");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("xtask-pg-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Some(Target(dir))
    }

    fn xtask(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.env("CARGO_TARGET_DIR", &self.0).stdin(Stdio::null());
        cmd
    }

    /// The cluster folders under this target.
    fn clusters(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.0.join("postgres"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `xtask pg` (waiting for Ctrl+C) and reads the URL it prints first.
fn start_waiting(target: &Target) -> (Child, String) {
    let mut child = target
        .xtask()
        .arg("pg")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut url)
        .unwrap();
    (child, url.trim().to_string())
}

fn port(url: &str) -> u16 {
    let rest = url
        .strip_prefix("postgres://postgres@127.0.0.1:")
        .unwrap_or_else(|| panic!("not a loopback URL: {url:?}"));
    rest.strip_suffix("/postgres").unwrap().parse().unwrap()
}

fn answers(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn signal(child: &Child, name: &str) {
    let st = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn ctrl_c_stops_the_cluster_and_removes_its_folder() {
    let Some(target) = Target::new("ctrl_c") else {
        return;
    };
    let (mut child, url) = start_waiting(&target);
    let port = port(&url);
    assert!(answers(port), "{url} while xtask pg runs");
    assert_eq!(target.clusters().len(), 1, "{:?}", target.clusters());
    signal(&child, "INT");
    let st = child.wait().unwrap();
    assert!(st.success(), "xtask pg after Ctrl+C: {st}");
    assert!(!answers(port), "{url} after Ctrl+C");
    assert_eq!(target.clusters(), Vec::<String>::new());
}

#[test]
fn a_command_gets_the_url_and_the_cluster_is_gone_after_it() {
    let Some(target) = Target::new("command") else {
        return;
    };
    let out = target
        .xtask()
        .args(["pg", "sh", "-c"])
        .arg("test \"$AFTERSALES_REQUIRE_PG\" = 1 && echo \"$AFTERSALES_TEST_PG\"")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let url = String::from_utf8(out.stdout).unwrap();
    let port = port(url.trim());
    assert!(!answers(port), "{url} after the command");
    assert_eq!(target.clusters(), Vec::<String>::new());

    // A command that fails is xtask's failure, and still leaves nothing behind.
    let st = target.xtask().args(["pg", "false"]).status().unwrap();
    assert!(!st.success());
    assert_eq!(target.clusters(), Vec::<String>::new());
}

#[test]
fn the_next_run_stops_and_removes_what_a_killed_run_left() {
    let Some(target) = Target::new("killed") else {
        return;
    };
    let (mut child, url) = start_waiting(&target);
    let port = port(&url);
    child.kill().unwrap();
    child.wait().unwrap();
    // The server runs in a session of its own (pg_ctl), so it outlives a killed xtask.
    assert!(answers(port), "{url} after xtask was killed");
    let left = target.clusters();
    assert_eq!(left.len(), 1, "{left:?}");

    let st = target.xtask().args(["pg", "true"]).status().unwrap();
    assert!(st.success());
    assert!(!answers(port), "{url} after the next run");
    assert_eq!(target.clusters(), Vec::<String>::new());
    assert!(!Path::new(&target.0.join("postgres").join(&left[0])).exists());
}
