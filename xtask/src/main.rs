//! `cargo xtask run | test | bench | dist | fuzz` — the project's set-up and checks, so that a
//! newcomer (and CI, through `.ci/run`) needs one command and nothing else.
//!
//! - `run`: install what is missing, build, make a demo database once, open the desktop
//!   window — or, with no display, the browser door (`aftersales serve`).
//! - `test`: install what is missing, then fmt, clippy, build, the whole test suite under
//!   Xvfb, a compile check for Windows, the core's whole suite cross-compiled for Windows
//!   and run under Wine, the browser suite against the Windows `aftersales.exe` under
//!   Wine (wine.rs), and the Windows installer installed, used and removed under Wine
//!   (installer.rs). Ends with one line `N passed, M failed`.
//! - `wine [tests|ui|installer]`: only the Wine suites (tests and ui by default), with the
//!   same summary line.
//! - `bench`: the core's benchmarks in release mode, the TLS door's, fifty desks on SQLite and
//!   PostgreSQL (a throw-away cluster), then search as you type.
//! - `fuzz`: the cargo-fuzz targets (fuzz/), each for a set time; see `fuzz()`.
//! - `pg [COMMAND…]`: the tests' throw-away PostgreSQL, for a developer (postgres.rs).
//! - `dist`: what goes to the desks: the Linux .deb, the Windows programs (cross-compiled
//!   with mingw) with what they need beside them, a portable .zip of those, and the Windows
//!   installer from our own NSIS script (installer.rs); all in one folder, listed.
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

mod cups;
mod installer;
mod postgres;
mod wine;

/// The Windows target whose code we compile-check (there is no MSVC linker here).
const WINDOWS_TARGET: &str = "x86_64-pc-windows-msvc";
/// The Windows target we can build real executables for here: Debian's mingw-w64 links it.
const WINDOWS_GNU: &str = "x86_64-pc-windows-gnu";
/// The tauri CLI (`@tauri-apps/cli` from npm ships it prebuilt: seconds instead of the
/// ten minutes of `cargo install tauri-cli`). It makes the .deb.
const TAURI_CLI: &str = "@tauri-apps/cli@2.12.5";
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
    // The phone tests write what an old version left in a desk file (tests/ui phones.rs).
    "sqlite3",
    // zbarimg: the PDF tests scan the labels' barcodes and QR codes.
    "zbar-tools",
    // A real print server with a PDF queue, for the printing tests (xtask/src/cups.rs).
    "cups",
    "printer-driver-cups-pdf",
    // A throw-away PostgreSQL server for the tests of the store on it (postgres.rs).
    postgres::PACKAGE,
];
/// Debian packages for Windows builds made here: the mingw-w64 C compiler and linker (the
/// core compiles SQLite from C), and Wine, which runs the core's tests built for Windows.
const WINDOWS_PACKAGES: &[&str] = &["gcc-mingw-w64-x86-64", "wine", "wine64"];
/// Debian packages `dist` needs besides: NSIS (makensis 3.08) for the installer, zip, and
/// npm for the tauri CLI.
const DIST_PACKAGES: &[&str] = &["gcc-mingw-w64-x86-64", "nsis", "zip"];

#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Bench,
    Run,
    Test,
    Dist,
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
        Some("test") => return test(&ctx, rest.iter().any(|a| a == "--wine-ui-all")),
        Some("bench") => bench(&ctx, &rest),
        Some("dist") => dist(&ctx, &rest),
        // The test's wine-installer step alone (the step's own checks, counted).
        Some("test-installer") => {
            let mut counts = Counts::default();
            let result = installer::wine_installer(&ctx, &mut counts);
            println!("{} passed, {} failed", counts.passed, counts.failed);
            result
        }
        Some("fuzz") => fuzz(&ctx, &rest),
        Some("cups") => cups::serve(&ctx.target),
        Some("pg") => postgres::serve(&ctx.target, &rest),
        Some("wine") => wine::alone(&ctx, &rest),
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
         \x20 test [--wine-ui-all]\n\
         \x20               fmt, clippy, build, all tests under Xvfb, Windows compile check,\n\
         \x20               the core's suite and a browser test of every screen against the\n\
         \x20               Windows builds under Wine (--wine-ui-all: the whole browser suite),\n\
         \x20               the installer installed, used and removed under Wine\n\
         \x20 bench [ARGS]  cargo bench -p aftersales in release mode; ARGS go to cargo bench\n\
         \x20 test-installer only the test's step that installs the installer under Wine\n\
         \x20 dist [--windows]\n\
         \x20               the .deb, the Windows programs, a portable .zip and the installer\n\
         \x20               in one folder, listed with sizes (--windows: all but the .deb)\n\
         \x20 wine [tests|ui|installer] [--all]\n\
         \x20               only the steps wine-tests, wine-ui or wine-installer of `test`\n\
         \x20               (tests and ui by default; --all: the whole browser suite)\n\
         \x20 fuzz [TARGET] [--seconds N | --runs N]\n\
         \x20               the cargo-fuzz targets (fuzz/), each for N seconds (default 60)\n\
         \x20               or N inputs; prints inputs/s, coverage, peak memory, crashes\n\
         \x20 cups          a CUPS server with a cups-pdf queue, for print tests run by hand:\n\
         \x20               prints what to export; stops at the end of its input\n\
         \x20 pg [COMMAND…] a throw-away PostgreSQL: prints its URL and what to export, runs\n\
         \x20               until Ctrl+C; with COMMAND, runs it with that set, then stops\n\
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
        packages.extend(WINDOWS_PACKAGES);
    }
    if needs == Needs::Dist {
        packages.extend(DIST_PACKAGES);
        if find_program("npm").is_none() {
            packages.push("npm");
        }
    }
    ensure_apt(&packages)?;
    if needs == Needs::Test {
        ensure_rustup(&["rustfmt", "clippy"], &[WINDOWS_TARGET, WINDOWS_GNU])?;
        ensure_tauri_driver()?;
    }
    if needs == Needs::Dist {
        ensure_rustup(&[], &[WINDOWS_GNU])?;
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
    // v2: demo databases made before logins existed have no accounts; v3: before the demo
    // had a year of history with faults and parts of each model's own category.
    let data = ctx.target.join("demo-data-v3");
    if !data.join("desk.db").exists() {
        eprintln!("xtask: making a demo database in {}", data.display());
        let made = status(Command::new(&cli).arg("--data-dir").arg(&data).arg("demo"));
        if let Err(e) = made {
            // Leave no half-filled database behind: the next run tries again.
            let _ = fs::remove_dir_all(&data);
            return Err(e);
        }
    }

    eprintln!(
        "xtask: log in as admin (every role), or qiantai, paigong, gongchengshi, kuguan, zhuguan (one role each); password demo1234"
    );
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
        // `serve` prints its own `UI: http://…` line on stdout, which is inherited. It
        // serves only the UI it is told of (or ui/ beside it): the workspace's.
        status(
            Command::new(&cli)
                .arg("--data-dir")
                .arg(&data)
                .arg("serve")
                .args(extra)
                .env("AFTERSALES_UI_DIR", ctx.root.join("ui")),
        )
    }
}

// ---------------------------------------------------------------------------------------
// bench

fn bench(ctx: &Ctx, extra: &[OsString]) -> Result<(), String> {
    ensure(Needs::Bench)?;
    // The search benchmark measures PostgreSQL beside SQLite (issue 19) on a throw-away
    // server of its own, stopped and removed when the core's benchmarks end.
    ensure_apt(&[postgres::PACKAGE])?;
    let pg = postgres::Cluster::start(&ctx.target)?;
    // `cargo bench` builds with the release-based `bench` profile.
    status(
        ctx.cargo()
            .args(["bench", "-p", "aftersales"])
            .args(extra)
            .env("AFTERSALES_BENCH_PG", pg.url()),
    )?;
    drop(pg);
    if !extra.is_empty() {
        // One chosen core benchmark: that is all.
        return Ok(());
    }
    // What TLS adds to a request on the LAN door (the real `serve`, plain and TLS).
    status(
        ctx.cargo()
            .args(["bench", "-p", "aftersales-cli", "--bench", "tls_door"]),
    )?;
    // Fifty desks on the real `serve`, SQLite then PostgreSQL (issue 19): the PostgreSQL
    // doors get a throw-away cluster as the tests do, stopped when the benchmark ends.
    ensure_apt(&[postgres::PACKAGE])?;
    let pg = postgres::Cluster::start(&ctx.target)?;
    status(
        ctx.cargo()
            .args(["bench", "-p", "aftersales-cli", "--bench", "load"])
            .envs(pg.env()),
    )?;
    drop(pg);
    // Search as you type in the real browser, on the 1,000,000 customers the search
    // benchmark above keeps in <target>/bench-data: the release CLI serves them to
    // headless Chromium.
    ensure_apt(&["chromium", "chromium-driver"])?;
    status(
        ctx.cargo()
            .args(["build", "--release", "-p", "aftersales-cli"]),
    )?;
    let cli = ctx
        .target
        .join("release")
        .join(format!("aftersales{}", env::consts::EXE_SUFFIX));
    status(
        ctx.cargo()
            .args(["bench", "-p", "ui-tests", "--bench", "search_ui"])
            .env("AFTERSALES_BIN", &cli)
            .env("AFTERSALES_UI_DIR", ctx.root.join("ui")),
    )?;
    // 来电弹屏 (issue 20): a call centre's ring → the pop-up painted, on the same data.
    status(
        ctx.cargo()
            .args(["bench", "-p", "ui-tests", "--bench", "ring_ui"])
            .env("AFTERSALES_BIN", &cli)
            .env("AFTERSALES_UI_DIR", ctx.root.join("ui")),
    )
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
    /// Adds another pass's totals.
    fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }

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

fn test(ctx: &Ctx, wine_ui_all: bool) -> ExitCode {
    let mut steps: Vec<Step> = Vec::new();
    let mut counts = Counts::default();
    let mut failure: Option<String> = None;

    let plan: [&'static str; 9] = [
        "setup",
        "fmt",
        "clippy",
        "build",
        "test",
        "windows-check",
        "wine-tests",
        "wine-ui",
        "wine-installer",
    ];
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
            "wine-tests" => wine::wine_tests(ctx, &mut counts),
            "wine-ui" => wine::wine_ui(ctx, &mut counts, wine_ui_all),
            "wine-installer" => installer::wine_installer(ctx, &mut counts),
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

/// The references of issue 17, pinned: the PyPI packages the official calendar days
/// (tests/people/calendar.rs) and the phone parser (tests/platform/phone.rs: the Python
/// port of libphonenumber with the same metadata as the `phonenumber` crate) are held
/// against, and (issue 18) python-escpos, whose commands the ESC/POS encoder's bytes
/// (tests/platform/escpos.rs) must equal; installed once into `<target>/pyref` (a finished install is marked by
/// a file naming the versions; a half one is thrown away and done again).
const PYREF: &[&str] = &[
    "chinesecalendar==1.11.0",
    "holidays==0.108",
    "phonenumbers==9.0.33",
    "python-escpos==3.1",
];

fn ensure_pyref(ctx: &Ctx) -> Result<PathBuf, String> {
    let dir = ctx.target.join("pyref");
    let mark = dir.join("installed.txt");
    let want = PYREF.join("\n");
    if fs::read_to_string(&mark).is_ok_and(|have| have == want) {
        return Ok(dir);
    }
    let _ = fs::remove_dir_all(&dir);
    status(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&dir)
            .args(PYREF),
    )
    .map_err(|e| {
        format!("the reference packages (calendar, phones, ESC/POS) did not install: {e}")
    })?;
    fs::write(&mark, want).map_err(|e| format!("{}: {e}", mark.display()))?;
    Ok(dir)
}

/// `cargo ARGS` from the workspace's root as every test pass runs it: into the target,
/// cargo's bin folder on PATH, `AFTERSALES_XTASK` set (tests that need a part fail rather
/// than skip), output piped to be shown and counted. With `display`, under a virtual X
/// display larger than the 1280×800 window (with xvfb's small default some elements count
/// as invisible to WebDriver and screenshots are cut).
fn test_pass(ctx: &Ctx, display: bool, args: &[&str]) -> Command {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let xvfb = if display {
        find_program("xvfb-run")
    } else {
        None
    };
    let mut cmd = match xvfb {
        Some(xvfb) => {
            let mut c = Command::new(xvfb);
            c.args(["-a", "-s", "-screen 0 1920x1080x24"]).arg(cargo);
            c
        }
        None => {
            if display {
                eprintln!("xtask: xvfb-run not found; tests that open a window need a display");
            }
            Command::new(cargo)
        }
    };
    cmd.args(args)
        .current_dir(&ctx.root)
        .env("CARGO_TARGET_DIR", &ctx.target)
        .env("PATH", path_with_cargo_bin())
        .env("AFTERSALES_XTASK", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// `cargo test --workspace` under a virtual X display, then the passes on PostgreSQL:
/// output shown as it comes and the `test result:` lines counted.
fn run_tests(ctx: &Ctx, counts: &mut Counts) -> Result<(), String> {
    // Set for the tests, so the calendar's comparison fails (never skips) under xtask.
    let pyref = ensure_pyref(ctx)?;
    // The printing tests print to a real CUPS queue; stopped when the tests end.
    let cups = cups::Cups::start(&ctx.target)?;
    // The tests of the store on PostgreSQL get a server of their own; stopped and removed
    // when the tests end, also when they fail.
    let pg = postgres::Cluster::start(&ctx.target)?;
    // The restart test stops its server: it runs below, alone, on a cluster of its own.
    // Every pass runs all its test binaries (`--no-fail-fast`), so one run names every
    // failure.
    let mut cmd = test_pass(
        ctx,
        true,
        &[
            "test",
            "--workspace",
            "--no-fail-fast",
            "--",
            "--skip",
            RESTART_TEST,
        ],
    );
    cmd.env("AFTERSALES_BIN", ctx.debug_bin("aftersales"))
        .env(
            "AFTERSALES_DESKTOP_BIN",
            ctx.debug_bin("aftersales-desktop"),
        )
        .env("AFTERSALES_UI_DIR", ctx.root.join("ui"))
        // The calendar's and the phones' references; under xtask those tests fail rather
        // than skip without them.
        .env("AFTERSALES_PYREF", &pyref)
        .envs(cups.env())
        .envs(pg.env());
    let (made, result) = run_counted(&mut cmd);
    *counts = made;
    result?;

    // The core's whole integration suite again with every desk on PostgreSQL (issue 19),
    // less the tests of SQLite's own file (SQLITE_ONLY).
    let mut args = vec!["test", "--test", "integration", "--no-fail-fast", "--"];
    args.extend(SQLITE_ONLY.iter().flat_map(|t| ["--skip", *t]));
    let mut cmd = test_pass(ctx, false, &args);
    cmd.env("AFTERSALES_PYREF", &pyref)
        .env("AFTERSALES_TEST_ENGINE", "postgres")
        .envs(cups.env())
        .envs(pg.env());
    let (on_pg, result) = run_counted(&mut cmd);
    eprintln!(
        "xtask: the integration suite on PostgreSQL: {} passed, {} failed",
        on_pg.passed, on_pg.failed
    );
    counts.add(&on_pg);
    result?;

    // The server stopped and started again under load (cli/tests/pg_restart.rs), on a
    // second throw-away cluster: its outages must not reach the other tests' server.
    let restartable = postgres::Cluster::start_restartable(&ctx.target)?;
    let mut cmd = test_pass(
        ctx,
        false,
        &[
            "test",
            "-p",
            "aftersales-cli",
            "--test",
            "pg_restart",
            "--no-fail-fast",
        ],
    );
    cmd.envs(restartable.restart_env());
    let (restarted, result) = run_counted(&mut cmd);
    drop(restartable);
    counts.add(&restarted);
    result?;

    // The browser suite again with every door on PostgreSQL (each door a database of its
    // own on the suite's cluster), less the desktop window's tests: the window opens only
    // a desk's own SQLite file (docs/DECISIONS.md, issue 19).
    let started = Instant::now();
    let mut args = vec!["test", "-p", "ui-tests", "--tests", "--no-fail-fast", "--"];
    args.extend(UI_SQLITE_ONLY.iter().flat_map(|t| ["--skip", *t]));
    let mut cmd = test_pass(ctx, true, &args);
    cmd.env("AFTERSALES_BIN", ctx.debug_bin("aftersales"))
        .env("AFTERSALES_UI_DIR", ctx.root.join("ui"))
        .env("AFTERSALES_PYREF", &pyref)
        .env("AFTERSALES_TEST_ENGINE", "postgres")
        .envs(cups.env())
        .envs(pg.env());
    let (ui_on_pg, result) = run_counted(&mut cmd);
    eprintln!(
        "xtask: the browser suite on PostgreSQL: {} passed, {} failed in {} s",
        ui_on_pg.passed,
        ui_on_pg.failed,
        started.elapsed().as_secs()
    );
    counts.add(&ui_on_pg);
    result
}

/// The browser tests left out of the PostgreSQL pass, with why. `desktop`: the desktop
/// window (its tests say so in their names) opens only a desk's own SQLite file.
/// `numbers_to_check_are_listed_above_the_customer_list`: it writes what the phone
/// migration leaves for an old number into the SQLite file with `sqlite3` (no command
/// makes such a row); the list itself is the same query on both engines.
const UI_SQLITE_ONLY: &[&str] = &[
    "desktop",
    "numbers_to_check_are_listed_above_the_customer_list",
];

/// The test that stops and starts its PostgreSQL server; the first pass skips it.
const RESTART_TEST: &str = "the_cluster_restarted_under_load";

/// The integration tests that are about SQLite's own file, not the store: its pragmas,
/// migrations and snapshot, power cuts at its sync points, its permissions at rest, its
/// online backup and restore, the re-reading of the numbers in an old file; and the tests
/// that open both engines themselves (the schema comparison, migrate-from, pg_dump
/// backups), which the first pass runs already. Skipped in the PostgreSQL pass.
const SQLITE_ONLY: &[&str] = &[
    "platform::db::",
    "platform::durability::",
    "platform::at_rest::",
    "platform::pg_schema::",
    "people::backup::",
    "people::migrate::",
    "people::pg_backup::",
    "platform::phone::old_numbers_are_re_read",
];

/// Runs `cmd`, its output shown as it comes, and counts its `test result:` lines (also
/// when it fails).
fn run_counted(cmd: &mut Command) -> (Counts, Result<(), String>) {
    let shown = describe(cmd);
    eprintln!("xtask: $ {shown}");
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return (
                Counts::default(),
                Err(format!("cannot start `{shown}`: {e}")),
            )
        }
    };

    // libtest prints `test result:` on stdout, and only stdout is counted; cargo's own
    // messages and the tests' stderr go to stderr. Both are passed through as they come.
    let out = child.stdout.take().expect("stdout is piped");
    let err = child.stderr.take().expect("stderr is piped");
    let err_reader = thread::spawn(move || tee(err, &mut io::stderr()));
    let counts = tee(out, &mut io::stdout());
    let _ = err_reader.join();

    let result = match child.wait() {
        Ok(st) if st.success() => Ok(()),
        Ok(st) => Err(format!("`{shown}` failed ({st})")),
        Err(e) => Err(e.to_string()),
    };
    (counts, result)
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
///
/// The target is mingw's ([`WINDOWS_GNU`], the one `dist` ships), not MSVC's: the desktop's
/// LAN client uses rustls with the `ring` provider, whose build script compiles C and
/// assembly for the target, which mingw's gcc can do here and MSVC's absent cl.exe cannot.
fn windows_check(ctx: &Ctx) -> Result<(), String> {
    status(
        ctx.cargo()
            .args(["check", "-p", "aftersales-desktop", "--target", WINDOWS_GNU])
            .env("LIBSQLITE3_SYS_USE_PKG_CONFIG", "1"),
    )
}

/// The value of the first `"key":"…"` (or `"key": "…"`, as pretty-printed) in JSON text:
/// cargo's lines, the command line's output (paths and values here have no escapes other
/// than `\\` and `\"`, which are undone).
fn json_string_field(line: &str, key: &str) -> Option<String> {
    let after_key = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = line[after_key..].trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut value = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

/// Waits for `child`, killing it after `limit`.
fn wait_at_most(
    child: &mut std::process::Child,
    limit: Duration,
) -> Result<std::process::ExitStatus, String> {
    let started = Instant::now();
    loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(st);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("stopped after {} s", limit.as_secs()));
        }
        thread::sleep(Duration::from_millis(200));
    }
}

// ---------------------------------------------------------------------------------------
// dist

/// Product name and version as tauri.conf.json has them (file names of the artefacts).
struct Product {
    name: String,
    version: String,
}

fn product(ctx: &Ctx) -> Result<Product, String> {
    let conf = fs::read_to_string(ctx.root.join("src-tauri/tauri.conf.json"))
        .map_err(|e| format!("src-tauri/tauri.conf.json: {e}"))?;
    let field = |key: &str| {
        json_string_field(&conf.replace("\": \"", "\":\""), key)
            .ok_or(format!("tauri.conf.json has no \"{key}\""))
    };
    Ok(Product {
        name: field("productName")?,
        version: field("version")?,
    })
}

/// `cargo xtask dist`: builds what goes to the desks into `<target>/dist/`, lists it.
fn dist(ctx: &Ctx, args: &[OsString]) -> Result<(), String> {
    let started = Instant::now();
    // `--windows`: the Windows programs, the .zip and the installer only (no .deb, whose
    // Linux release build is the other half of a cold `dist`).
    let windows_only = match args {
        [] => false,
        [flag] if flag == "--windows" => true,
        _ => return Err("dist takes no arguments but --windows".into()),
    };
    ensure(Needs::Dist)?;
    let product = product(ctx)?;
    let out = ctx.target.join("dist");
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    // 1. Linux: the .deb, made by the tauri CLI (a release build with the UI embedded).
    if !windows_only {
        let tauri = ensure_tauri_cli(ctx)?;
        let deb_dir = ctx.target.join("release/bundle/deb");
        let _ = fs::remove_dir_all(&deb_dir);
        status(tauri_cmd(ctx, &tauri).args(["build", "--bundles", "deb", "--ci"]))?;
        for deb in files_ending(&deb_dir, ".deb")? {
            copy_into(&deb, &out)?;
        }
    }

    // 2. Windows: both programs cross-compiled with mingw in the `ship` profile (release
    //    with LTO, one codegen unit, no symbols; Cargo.toml), so the desktop program is a
    //    GUI program (main.rs sets windows_subsystem outside debug builds).
    status(ctx.cargo().args([
        "build",
        "--profile",
        "ship",
        "--target",
        WINDOWS_GNU,
        "-p",
        "aftersales-desktop",
        "-p",
        "aftersales-cli",
        "--features",
        "aftersales-desktop/custom-protocol",
    ]))?;
    let built = ctx.target.join(WINDOWS_GNU).join("ship");
    let win_name = format!("{}-{}-windows-x64", product.name, product.version);
    let win = out.join(&win_name);
    // The portable folder, its programs' PE headers checked (installer.rs).
    let (desktop, cli) =
        installer::portable_folder(ctx, &built, &win, installer::Programs::AsBuilt)?;

    // 3. A portable .zip of that folder: unzip anywhere, double-click the program.
    let zip = out.join(format!("{win_name}.zip"));
    status(
        Command::new("zip")
            .args(["-q", "-r", "-9"])
            .arg(&zip)
            .arg(&win_name)
            .current_dir(&out),
    )?;

    // 4. The installer: our own NSIS script around the same folder, by Debian's makensis
    //    (packaging/windows/installer.nsi; Tauri's bundler cannot work offline).
    let setup = out.join(installer::setup_name(&product.name, &product.version));
    installer::make_installer(
        ctx,
        &win,
        &product.version,
        &setup,
        installer::Compression::Smallest,
    )?;
    check_pe(&setup, Subsystem::Gui, &out)?;

    // The listing.
    let mut out_lock = io::stdout().lock();
    let _ = writeln!(out_lock, "\nxtask dist: {}", out.display());
    for (path, size) in listing(&out)? {
        let shown = path
            .strip_prefix(&out)
            .unwrap_or(&path)
            .display()
            .to_string();
        let _ = writeln!(out_lock, "  {:>12}  {shown}", human_size(size));
    }
    let _ = writeln!(
        out_lock,
        "checked: {} is PE32+ x86-64 GUI, {} is PE32+ x86-64 console ({:.0} s)",
        desktop.file_name().unwrap_or_default().to_string_lossy(),
        cli.file_name().unwrap_or_default().to_string_lossy(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What the clerk's IT person reads in the portable folder (CRLF-converted when written).
const WINDOWS_README: &str = "售后服务台（便携版）

双击 aftersales-desktop.exe 打开售后服务台。WebView2Loader.dll 必须和它放在同一个文件夹里。
Windows 10/11 自带 WebView2；如果打开后窗口空白，请安装微软的 WebView2 运行时。

数据保存在 %APPDATA%\\com.aftersales.desk\\desk.db，备份在同一文件夹的 backups 里。
换电脑：先关闭售后服务台，再把整个 %APPDATA%\\com.aftersales.desk 文件夹复制到新电脑的同一位置；
或者在新电脑上用 aftersales restore 备份文件 恢复。

aftersales.exe 是命令行工具（导入、导出、浏览器访问 aftersales serve），ui 文件夹供它使用。
";

/// Installs the tauri CLI from npm into the target directory once; returns the program.
fn ensure_tauri_cli(ctx: &Ctx) -> Result<PathBuf, String> {
    let dir = ctx.target.join("tools/tauri-cli");
    let bin = dir.join("node_modules/.bin/tauri");
    let version = TAURI_CLI.rsplit('@').next().unwrap_or_default();
    let installed = query(&bin.to_string_lossy(), &["--version"]).unwrap_or_default();
    if installed.split_whitespace().last() == Some(version) {
        return Ok(bin);
    }
    eprintln!("xtask: installing the tauri CLI ({TAURI_CLI}) from npm");
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    status(
        Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .arg(TAURI_CLI),
    )?;
    Ok(bin)
}

fn tauri_cmd(ctx: &Ctx, tauri: &Path) -> Command {
    let mut cmd = Command::new(tauri);
    cmd.current_dir(ctx.root.join("src-tauri"))
        .env("CARGO_TARGET_DIR", &ctx.target)
        .stdin(Stdio::null());
    cmd
}

/// WebView2Loader.dll for x64, as webview2-com-sys's build script copied it into `built`
/// (a Windows target's profile folder) or left it in its own output.
fn webview2_loader(built: &Path) -> Result<PathBuf, String> {
    let beside = built.join("WebView2Loader.dll");
    if beside.is_file() {
        return Ok(beside);
    }
    let build = built.join("build");
    let mut found: Vec<PathBuf> = fs::read_dir(&build)
        .map_err(|e| format!("{}: {e}", build.display()))?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("webview2-com-sys-")
        })
        .map(|e| e.path().join("out/x64/WebView2Loader.dll"))
        .filter(|p| p.is_file())
        .collect();
    // Newest first, should an older build of the crate still lie around.
    found.sort_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok());
    found
        .pop()
        .ok_or_else(|| format!("no WebView2Loader.dll under {}", build.display()))
}

fn files_ending(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, String> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(format!("no *{suffix} in {}", dir.display()));
    }
    Ok(found)
}

fn copy_into(file: &Path, dir: &Path) -> Result<PathBuf, String> {
    let to = dir.join(file.file_name().ok_or("no file name")?);
    fs::copy(file, &to).map_err(|e| format!("copy {}: {e}", file.display()))?;
    Ok(to)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            copy_into(&path, to)?;
        }
    }
    Ok(())
}

/// Files under `dir` with their sizes; a folder counts as one entry with its total.
fn listing(dir: &Path) -> Result<Vec<(PathBuf, u64)>, String> {
    fn total(path: &Path) -> u64 {
        match fs::read_dir(path) {
            Ok(entries) => entries.flatten().map(|e| total(&e.path())).sum(),
            Err(_) => fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        }
    }
    let mut rows = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            for inner in fs::read_dir(&path).map_err(|e| e.to_string())?.flatten() {
                rows.push((inner.path(), total(&inner.path())));
            }
        } else {
            rows.push((path.clone(), total(&path)));
        }
    }
    rows.sort();
    Ok(rows)
}

fn human_size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= MB {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

// ---------------------------------------------------------------------------------------
// PE: what Windows will make of an executable

#[derive(Clone, Copy, Debug, PartialEq)]
enum Subsystem {
    /// IMAGE_SUBSYSTEM_WINDOWS_GUI: no console window.
    Gui = 2,
    /// IMAGE_SUBSYSTEM_WINDOWS_CUI: a console program.
    Console = 3,
}

/// The facts of a PE file we check.
#[derive(Debug, PartialEq)]
struct PeFacts {
    /// COFF machine: 0x8664 is x86-64.
    machine: u16,
    /// Optional-header magic: 0x20b is PE32+ (64-bit), 0x10b PE32.
    magic: u16,
    subsystem: u16,
    /// Names of the DLLs in the import directory, as written.
    imports: Vec<String>,
}

/// Reads the headers and the import directory of a PE image (the layout of Microsoft's
/// "PE Format" specification: the DOS header's e_lfanew at 0x3C, "PE\0\0", the 20-byte
/// COFF header, the optional header with Subsystem at offset 68 and, in PE32+, the data
/// directories from offset 112, the import table being directory 1).
fn read_pe(bytes: &[u8]) -> Result<PeFacts, String> {
    let u16_at = |at: usize| -> Result<u16, String> {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .ok_or_else(|| format!("cut short at {at:#x}"))
    };
    let u32_at = |at: usize| -> Result<u32, String> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| format!("cut short at {at:#x}"))
    };
    if bytes.get(..2) != Some(b"MZ") {
        return Err("no MZ header: not a Windows executable".into());
    }
    let pe = u32_at(0x3c)? as usize;
    if bytes.get(pe..pe + 4) != Some(b"PE\0\0") {
        return Err("no PE signature".into());
    }
    let coff = pe + 4;
    let machine = u16_at(coff)?;
    let sections = u16_at(coff + 2)? as usize;
    let optional_size = u16_at(coff + 16)? as usize;
    let optional = coff + 20;
    let magic = u16_at(optional)?;
    let subsystem = u16_at(optional + 68)?;
    let mut imports = Vec::new();
    if magic == 0x20b {
        let import_rva = u32_at(optional + 112 + 8)?;
        let table = optional + optional_size;
        // RVA → file offset through the section table (40 bytes a section).
        let to_offset = |rva: u32| -> Option<usize> {
            (0..sections).find_map(|i| {
                let s = table + i * 40;
                let size = u32_at(s + 8).ok()?.max(u32_at(s + 16).ok()?);
                let start = u32_at(s + 12).ok()?;
                let raw = u32_at(s + 20).ok()?;
                (rva >= start && rva < start + size).then(|| (rva - start + raw) as usize)
            })
        };
        if import_rva != 0 {
            let mut at = to_offset(import_rva).ok_or("import table outside every section")?;
            // 20-byte descriptors, ended by one of zeros; the name RVA is at offset 12.
            loop {
                let name_rva = u32_at(at + 12)?;
                if name_rva == 0 {
                    break;
                }
                let start = to_offset(name_rva).ok_or("import name outside every section")?;
                let end = bytes[start..]
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or("unterminated import name")?;
                imports.push(String::from_utf8_lossy(&bytes[start..start + end]).into_owned());
                at += 20;
            }
        }
    }
    Ok(PeFacts {
        machine,
        magic,
        subsystem,
        imports,
    })
}

/// Fails unless `exe` is a PE32+ x86-64 program of the given subsystem whose imported
/// DLLs are either Windows' own or present in `beside`.
fn check_pe(exe: &Path, want: Subsystem, beside: &Path) -> Result<(), String> {
    let bytes = fs::read(exe).map_err(|e| format!("{}: {e}", exe.display()))?;
    let pe = read_pe(&bytes).map_err(|e| format!("{}: {e}", exe.display()))?;
    let name = exe.display();
    if pe.machine != 0x8664 || pe.magic != 0x20b {
        return Err(format!(
            "{name} is not PE32+ x86-64 (machine {:#x}, magic {:#x})",
            pe.machine, pe.magic
        ));
    }
    if pe.subsystem != want as u16 {
        return Err(format!(
            "{name}: subsystem {} where {want:?} ({}) was expected",
            pe.subsystem, want as u16
        ));
    }
    let shipped: Vec<String> = fs::read_dir(beside)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_lowercase())
        .collect();
    let missing: Vec<&String> = pe
        .imports
        .iter()
        .filter(|dll| !is_system_dll(dll) && !shipped.contains(&dll.to_lowercase()))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{name} needs DLLs that are neither part of Windows nor beside it: {missing:?}"
        ));
    }
    let mut imports: Vec<String> = pe.imports.iter().map(|d| d.to_lowercase()).collect();
    imports.sort();
    imports.dedup();
    eprintln!(
        "xtask: {name}: PE32+ x86-64, {want:?}; imports {}",
        imports.join(" ")
    );
    Ok(())
}

/// DLLs every Windows 10/11 has. Anything else (mingw's libgcc_s/libwinpthread,
/// WebView2Loader.dll) must be shipped beside the program.
fn is_system_dll(dll: &str) -> bool {
    const SYSTEM: &[&str] = &[
        "advapi32",
        "bcrypt",
        "bcryptprimitives",
        // Configuration Manager (CM_* device functions; Windows 2000 on, System32): the
        // serial port's enumeration for a caller-ID box (来电盒).
        "cfgmgr32",
        "combase",
        "comctl32",
        "comdlg32",
        "crypt32",
        "dwmapi",
        "dwrite",
        "d2d1",
        "d3d11",
        "dxgi",
        "gdi32",
        "gdiplus",
        "imm32",
        "iphlpapi",
        "kernel32",
        "msimg32",
        "msvcrt",
        "ncrypt",
        "netapi32",
        "ntdll",
        "ole32",
        "oleaut32",
        "oleacc",
        "powrprof",
        "propsys",
        "rpcrt4",
        "secur32",
        "setupapi",
        "shell32",
        "shlwapi",
        "synchronization",
        "ucrtbase",
        "user32",
        "userenv",
        "uxtheme",
        "version",
        "winhttp",
        "wininet",
        "winmm",
        "winspool",
        "ws2_32",
        "dbghelp",
        "urlmon",
        "mpr",
        "windowscodecs",
        "msctf",
        "winspool.drv",
    ];
    let lower = dll.to_lowercase();
    let stem = lower.strip_suffix(".dll").unwrap_or(&lower);
    lower.starts_with("api-ms-win-") || lower.starts_with("ext-ms-") || SYSTEM.contains(&stem)
}

// ---------------------------------------------------------------------------------------
// fuzz: the cargo-fuzz targets of fuzz/ (issue 16), each for a set time or number of inputs

/// The targets of fuzz/Cargo.toml, in the order they run.
const FUZZ_TARGETS: &[&str] = &["csv", "xlsx", "xls", "count_sheet", "logo", "api"];
/// libFuzzer's limits: the whole process, and any one allocation (a bigger one is a crash).
const FUZZ_RSS_LIMIT_MB: u32 = 2048;
const FUZZ_MALLOC_LIMIT_MB: u32 = 512;

fn fuzz(ctx: &Ctx, args: &[OsString]) -> Result<(), String> {
    let mut only = None;
    let mut budget = "-max_total_time=60".to_string();
    let mut args = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" | "--runs" => {
                let n: u64 = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or(format!("{arg} needs a number"))?;
                budget = if arg == "--seconds" {
                    format!("-max_total_time={n}")
                } else {
                    format!("-runs={n}")
                };
            }
            t if FUZZ_TARGETS.contains(&t) => only = Some(t.to_string()),
            other => {
                return Err(format!(
                    "unknown fuzz argument `{other}` (targets: {})",
                    FUZZ_TARGETS.join(", ")
                ))
            }
        }
    }
    if query("rustup", &["run", "nightly", "rustc", "--version"]).is_none() {
        status(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    if find_program("cargo-fuzz").is_none() {
        eprintln!("xtask: installing cargo-fuzz (~2 min)");
        let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.args(["install", "cargo-fuzz", "--locked"]);
        status(&mut cmd)?;
    }
    let fuzz_dir = ctx.root.join("fuzz");
    let work = ctx.target.join("fuzz");
    let nightly = || {
        // The rustup proxy, so that `+nightly` picks the toolchain.
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&ctx.root)
            .env("PATH", path_with_cargo_bin())
            .env_remove("RUSTUP_TOOLCHAIN")
            .arg("+nightly")
            .arg("fuzz");
        cmd
    };
    let dirs = |cmd: &mut Command| {
        cmd.arg("--fuzz-dir")
            .arg(&fuzz_dir)
            .arg("--target-dir")
            .arg(&work);
    };
    let targets: Vec<String> = match only {
        Some(t) => vec![t],
        None => FUZZ_TARGETS.iter().map(|t| t.to_string()).collect(),
    };
    let mut crashed = Vec::new();
    for target in &targets {
        // New inputs go to a scratch corpus; the kept one (fuzz/corpus/) only seeds.
        let scratch = work.join("corpus").join(target);
        let artifacts = work.join("artifacts").join(target);
        let logs = work.join("logs");
        for dir in [&scratch, &artifacts, &logs] {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut build = nightly();
        build.args(["build", target]);
        dirs(&mut build);
        status(&mut build)?;
        let mut run = nightly();
        run.args(["run", target]);
        dirs(&mut run);
        run.arg(&scratch)
            .arg(fuzz_dir.join("corpus").join(target))
            .arg("--")
            .arg(&budget)
            .arg(format!("-rss_limit_mb={FUZZ_RSS_LIMIT_MB}"))
            .arg(format!("-malloc_limit_mb={FUZZ_MALLOC_LIMIT_MB}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg("-print_final_stats=1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        eprintln!("xtask: $ {}", describe(&run));
        let log_path = logs.join(format!("{target}.log"));
        let mut log = fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let mut child = run
            .spawn()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        let mut last_pulse = String::new();
        let mut stats = Vec::new();
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
                if line.starts_with('#') && line.contains("cov:") {
                    last_pulse = line;
                } else if let Some(stat) = line.strip_prefix("stat::") {
                    stats.push(stat.to_string());
                }
            }
        }
        let st = child.wait().map_err(|e| e.to_string())?;
        let stat = |name: &str| {
            stats
                .iter()
                .find_map(|s| {
                    s.strip_prefix(name)?
                        .trim_start_matches(':')
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
                .unwrap_or(0)
        };
        let word = |name: &str| {
            last_pulse
                .split_whitespace()
                .skip_while(|w| *w != name)
                .nth(1)
                .unwrap_or("?")
                .to_string()
        };
        let inputs = stat("number_of_executed_units");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "fuzz {target}: {inputs} inputs in {secs:.0} s ({} /s), coverage {} edges, {} features, corpus {}, peak RSS {} MB, {}",
            stat("average_exec_per_sec"),
            word("cov:"),
            word("ft:"),
            word("corp:"),
            stat("peak_rss_mb"),
            if st.success() { "0 crashes".to_string() } else { format!("CRASHED (see {} and {})", artifacts.display(), log_path.display()) }
        );
        if !st.success() {
            crashed.push(target.clone());
        }
    }
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets crashed: {}", crashed.join(", ")))
    }
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
