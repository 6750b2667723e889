//! `cargo xtask run | test | bench` — the project's set-up and checks, so that a newcomer
//! (and CI, through `.ci/run`) needs one command and nothing else.
//!
//! - `run`: install what is missing, build, make a demo database once, open the desktop
//!   window — or, with no display, the browser door (`aftersales serve`).
//! - `test`: install what is missing, then fmt, clippy, build, the whole test suite under
//!   Xvfb, and a compile check for Windows. Ends with one line `N passed, M failed`.
//! - `bench`: the core's benchmarks in release mode.
//!
//! Standard library only, on purpose: xtask must build in seconds on a cold machine.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The Windows target whose code we compile-check (there is no MSVC linker here).
const WINDOWS_TARGET: &str = "x86_64-pc-windows-msvc";

/// Debian packages needed to build anything (the core compiles SQLite from C).
const BUILD_PACKAGES: &[&str] = &["build-essential", "pkg-config"];
/// Debian packages needed to build and run the desktop window (Tauri on WebKitGTK).
/// A Chinese font, or a minimal machine shows boxes instead of the UI's text.
const DESKTOP_PACKAGES: &[&str] = &["libwebkit2gtk-4.1-dev", "fonts-noto-cjk"];
/// Debian packages the tests use: a virtual display for the real window, WebDriver for
/// WebKitGTK and for Chromium (the browser door), and `pdftotext` for reading slips back.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "chromium",
    "chromium-driver",
    "poppler-utils",
    // zbarimg: the PDF tests scan the labels' barcodes and QR codes.
    "zbar-tools",
];

#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Bench,
    Run,
    Test,
}

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let task = args.next().and_then(|a| a.into_string().ok());
    let rest: Vec<OsString> = args.collect();
    let ctx = match Ctx::new() {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    let result = match task.as_deref() {
        Some("run") => run(&ctx, &rest),
        Some("test") => return test(&ctx),
        Some("bench") => bench(&ctx, &rest),
        Some("help" | "-h" | "--help") | None => {
            print_help();
            Ok(())
        }
        Some(other) => {
            print_help();
            Err(format!("unknown task `{other}`"))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn print_help() {
    eprintln!(
        "usage: cargo xtask <task>\n\
         \n  run [ARGS]    build, make a demo database once, open the desktop window\n\
         \x20               (or the browser door when there is no display); ARGS go to it\n\
         \x20 test          fmt, clippy, build, all tests under Xvfb, Windows compile check\n\
         \x20 bench [ARGS]  cargo bench -p aftersales in release mode; ARGS go to cargo bench\n\
         \nMissing system packages and Rust components are installed first."
    );
}

fn fail(message: &str) -> ExitCode {
    eprintln!("xtask: error: {message}");
    ExitCode::FAILURE
}

/// Where things are.
struct Ctx {
    /// The workspace root (the repository).
    root: PathBuf,
    /// The cargo target directory every spawned cargo uses.
    target: PathBuf,
}

impl Ctx {
    fn new() -> Result<Ctx, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask is not inside the workspace")?
            .to_path_buf();
        // A Tauri debug build is ~2 GB and takes minutes from cold. Unless the caller chose
        // a target directory, every cargo spawned here shares one outside the work tree, so
        // a fresh clone (as CI makes) or a second checkout reuses the warm build.
        let target = match env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if dir.is_absolute() {
                    dir
                } else {
                    env::current_dir().map_err(|e| e.to_string())?.join(dir)
                }
            }
            None => match env::var_os("HOME").filter(|v| !v.is_empty()) {
                Some(home) => PathBuf::from(home).join(".cache/aftersales-target"),
                None => root.join("target"),
            },
        };
        Ok(Ctx { root, target })
    }

    /// A `cargo` command run in the workspace root with the shared target directory.
    fn cargo(&self) -> Command {
        let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target);
        cmd
    }

    /// A binary from the debug build of the workspace.
    fn debug_bin(&self, name: &str) -> PathBuf {
        self.target
            .join("debug")
            .join(format!("{name}{}", env::consts::EXE_SUFFIX))
    }
}

/// Runs a command with inherited output; Err names it when it fails.
fn status(cmd: &mut Command) -> Result<(), String> {
    let shown = describe(cmd);
    eprintln!("xtask: $ {shown}");
    let st = cmd
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({st})"))
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Output of a quick query command, or None when it cannot be run or fails.
fn query(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---------------------------------------------------------------------------------------
// ensure: install what is missing, and only that

fn ensure(needs: Needs) -> Result<(), String> {
    let mut packages: Vec<&str> = BUILD_PACKAGES.to_vec();
    if needs != Needs::Bench {
        packages.extend(DESKTOP_PACKAGES);
    }
    if needs == Needs::Test {
        packages.extend(TEST_PACKAGES);
    }
    ensure_apt(&packages)?;
    if needs == Needs::Test {
        ensure_rustup(&["rustfmt", "clippy"], &[WINDOWS_TARGET])?;
        ensure_tauri_driver()?;
    }
    Ok(())
}

fn ensure_apt(packages: &[&str]) -> Result<(), String> {
    if query("dpkg", &["--version"]).is_none() {
        eprintln!(
            "xtask: no dpkg here (not Debian/Ubuntu); make sure these are installed: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !query("dpkg", &["-s", p]).is_some_and(|s| s.contains("Status: install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing system packages: {}", missing.join(" "));
    let as_root = query("id", &["-u"]).is_some_and(|s| s.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    status(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(&missing);
    status(&mut install)
}

fn ensure_rustup(components: &[&str], targets: &[&str]) -> Result<(), String> {
    let Some(installed) = query("rustup", &["component", "list", "--installed"]) else {
        eprintln!(
            "xtask: no rustup here; make sure these are installed: {} and the target {}",
            components.join(" "),
            targets.join(" ")
        );
        return Ok(());
    };
    // Lines look like `clippy-x86_64-unknown-linux-gnu`.
    let missing: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| {
            !installed
                .lines()
                .any(|l| l == *c || l.starts_with(&format!("{c}-")))
        })
        .collect();
    if !missing.is_empty() {
        let mut cmd = Command::new("rustup");
        cmd.args(["component", "add"]).args(&missing);
        status(&mut cmd)?;
    }
    let installed = query("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if !missing.is_empty() {
        let mut cmd = Command::new("rustup");
        cmd.args(["target", "add"]).args(&missing);
        status(&mut cmd)?;
    }
    Ok(())
}

/// `~/.cargo/bin` (or `$CARGO_HOME/bin`), where `cargo install` puts programs.
fn cargo_bin_dir() -> Option<PathBuf> {
    if let Some(home) = env::var_os("CARGO_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(home).join("bin"));
    }
    env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|h| PathBuf::from(h).join(".cargo/bin"))
}

/// PATH with the cargo bin directory in it, so the tests find `tauri-driver`.
fn path_with_cargo_bin() -> OsString {
    let mut dirs: Vec<PathBuf> = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(bin) = cargo_bin_dir() {
        if !dirs.contains(&bin) {
            dirs.push(bin);
        }
    }
    env::join_paths(dirs).unwrap_or_default()
}

fn find_program(name: &str) -> Option<PathBuf> {
    let file = format!("{name}{}", env::consts::EXE_SUFFIX);
    env::split_paths(&path_with_cargo_bin())
        .map(|dir| dir.join(&file))
        .find(|p| p.is_file())
}

fn ensure_tauri_driver() -> Result<(), String> {
    if find_program("tauri-driver").is_some() {
        return Ok(());
    }
    eprintln!("xtask: installing tauri-driver (WebDriver for the desktop window, ~1 min)");
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(["install", "tauri-driver", "--locked"]);
    status(&mut cmd)
}

// ---------------------------------------------------------------------------------------
// run

fn run(ctx: &Ctx, extra: &[OsString]) -> Result<(), String> {
    ensure(Needs::Run)?;
    status(
        ctx.cargo()
            .args(["build", "-p", "aftersales-cli", "-p", "aftersales-desktop"]),
    )?;

    let cli = ctx.debug_bin("aftersales");
    let data = ctx.target.join("demo-data");
    if !data.join("desk.db").exists() {
        eprintln!("xtask: making a demo database in {}", data.display());
        let made = status(Command::new(&cli).arg("--data-dir").arg(&data).arg("demo"));
        if let Err(e) = made {
            // Leave no half-filled database behind: the next run tries again.
            let _ = fs::remove_dir_all(&data);
            return Err(e);
        }
    }

    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| env::var_os(v).is_some_and(|s| !s.is_empty()));
    if has_display {
        status(
            Command::new(ctx.debug_bin("aftersales-desktop"))
                .arg("--data-dir")
                .arg(&data)
                .args(extra),
        )
    } else {
        eprintln!("xtask: no display (DISPLAY/WAYLAND_DISPLAY unset), so opening the browser door instead of the window");
        // `serve` prints its own `UI: http://…` line on stdout, which is inherited.
        status(
            Command::new(&cli)
                .arg("--data-dir")
                .arg(&data)
                .arg("serve")
                .args(extra),
        )
    }
}

// ---------------------------------------------------------------------------------------
// bench

fn bench(ctx: &Ctx, extra: &[OsString]) -> Result<(), String> {
    ensure(Needs::Bench)?;
    // `cargo bench` builds with the release-based `bench` profile.
    status(ctx.cargo().args(["bench", "-p", "aftersales"]).args(extra))
}

// ---------------------------------------------------------------------------------------
// test

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Ok,
    Failed,
    Skipped,
}

struct Step {
    name: &'static str,
    outcome: Outcome,
    took: Duration,
}

/// Totals from the `test result:` lines of libtest.
#[derive(Default, Debug, PartialEq)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Counts {
    /// Adds one line such as
    /// `test result: ok. 4 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`.
    fn add_line(&mut self, line: &str) {
        let Some(at) = line.find("test result: ") else {
            return;
        };
        let rest = &line[at + "test result: ".len()..];
        let Some((_verdict, numbers)) = rest.split_once(". ") else {
            return;
        };
        for part in numbers.split(';') {
            let mut words = part.split_whitespace();
            let (Some(n), Some(what)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else {
                continue;
            };
            match what {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

fn test(ctx: &Ctx) -> ExitCode {
    let mut steps: Vec<Step> = Vec::new();
    let mut counts = Counts::default();
    let mut failure: Option<String> = None;

    let plan: [&'static str; 6] = ["setup", "fmt", "clippy", "build", "test", "windows-check"];
    for name in plan {
        if failure.is_some() {
            steps.push(Step {
                name,
                outcome: Outcome::Skipped,
                took: Duration::ZERO,
            });
            continue;
        }
        eprintln!("xtask: ── {name} ──");
        let started = Instant::now();
        let result = match name {
            "setup" => ensure(Needs::Test),
            "fmt" => status(ctx.cargo().args(["fmt", "--all", "--check"])),
            "clippy" => status(ctx.cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])),
            "build" => status(ctx.cargo().args([
                "build",
                "-p",
                "aftersales-cli",
                "-p",
                "aftersales-desktop",
            ])),
            "test" => run_tests(ctx, &mut counts),
            "windows-check" => windows_check(ctx),
            _ => unreachable!("every step of the plan is handled"),
        };
        let outcome = match result {
            Ok(()) => Outcome::Ok,
            Err(e) => {
                failure = Some(format!("{name}: {e}"));
                Outcome::Failed
            }
        };
        steps.push(Step {
            name,
            outcome,
            took: started.elapsed(),
        });
    }

    let _ = io::stderr().flush();
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "\nxtask test summary");
    for step in &steps {
        let word = match step.outcome {
            Outcome::Ok => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "skipped",
        };
        let took = if step.outcome == Outcome::Skipped {
            String::new()
        } else {
            format!("{:>7.1}s", step.took.as_secs_f64())
        };
        let _ = writeln!(out, "  {:<14} {:<8} {took}", step.name, word);
    }
    if let Some(why) = &failure {
        let _ = writeln!(out, "first failure: {why}");
    }
    if counts.ignored > 0 {
        let _ = writeln!(out, "({} tests ignored)", counts.ignored);
    }
    // The last line, alone, is what CI reads.
    let _ = writeln!(out, "{} passed, {} failed", counts.passed, counts.failed);
    let _ = out.flush();
    if failure.is_none() && counts.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `cargo test --workspace` under a virtual X display, output shown as it comes and the
/// `test result:` lines counted.
fn run_tests(ctx: &Ctx, counts: &mut Counts) -> Result<(), String> {
    let mut cmd = match find_program("xvfb-run") {
        Some(xvfb) => {
            let mut c = Command::new(xvfb);
            // A screen larger than the 1280×800 window: with xvfb's small default some
            // elements count as invisible to WebDriver and screenshots are cut.
            c.args(["-a", "-s", "-screen 0 1920x1080x24"])
                .arg(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
            c
        }
        None => {
            eprintln!("xtask: xvfb-run not found; tests that open a window need a display");
            Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        }
    };
    cmd.args(["test", "--workspace"])
        .current_dir(&ctx.root)
        .env("CARGO_TARGET_DIR", &ctx.target)
        .env("PATH", path_with_cargo_bin())
        .env("AFTERSALES_BIN", ctx.debug_bin("aftersales"))
        .env(
            "AFTERSALES_DESKTOP_BIN",
            ctx.debug_bin("aftersales-desktop"),
        )
        .env("AFTERSALES_UI_DIR", ctx.root.join("ui"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = describe(&cmd);
    eprintln!("xtask: $ {shown}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;

    // libtest prints `test result:` on stdout, and only stdout is counted; cargo's own
    // messages and the tests' stderr go to stderr. Both are passed through as they come.
    let out = child.stdout.take().expect("stdout is piped");
    let err = child.stderr.take().expect("stderr is piped");
    let err_reader = thread::spawn(move || tee(err, &mut io::stderr()));
    *counts = tee(out, &mut io::stdout());
    let _ = err_reader.join();

    let st = child.wait().map_err(|e| e.to_string())?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({st})"))
    }
}

/// Copies `from` to `to` line by line, counting `test result:` lines on the way.
fn tee(from: impl Read, to: &mut impl Write) -> Counts {
    let mut counts = Counts::default();
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let _ = to.write_all(&line);
                let _ = to.flush();
                counts.add_line(&String::from_utf8_lossy(&line));
            }
        }
    }
    counts
}

/// Compile-checks the desktop door for Windows, so Windows-only code cannot rot unseen.
///
/// The core's rusqlite uses the `bundled` feature, whose build script compiles
/// sqlite3.c with the target's C compiler — MSVC's cl.exe and lib.exe, which do not exist
/// here, and neither do the Windows SDK headers that clang would need instead. A check
/// never links, so the C library is not needed at all: `LIBSQLITE3_SYS_USE_PKG_CONFIG=1`
/// makes libsqlite3-sys skip the C build and only declare the link (never performed),
/// while still using the same bundled Rust bindings. The Rust code checked is exactly
/// what a real Windows build compiles. Only this cargo call gets the variable, and the
/// Windows artefacts live in their own target subdirectory, so Linux builds stay warm.
fn windows_check(ctx: &Ctx) -> Result<(), String> {
    status(
        ctx.cargo()
            .args([
                "check",
                "-p",
                "aftersales-desktop",
                "--target",
                WINDOWS_TARGET,
            ])
            .env("LIBSQLITE3_SYS_USE_PKG_CONFIG", "1"),
    )
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn counts_ok_and_failed_result_lines() {
        let mut c = Counts::default();
        c.add_line("test result: ok. 4 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n");
        c.add_line("test result: FAILED. 2 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s");
        c.add_line("running 9 tests");
        c.add_line("test counts::passed ... ok");
        assert_eq!(
            c,
            Counts {
                passed: 6,
                failed: 3,
                ignored: 1
            }
        );
    }
}
