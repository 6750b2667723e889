//! The Windows programs end to end under Wine 8.0 (Debian's `wine`, `wine64`), in a Wine
//! prefix of our own in the target folder:
//!
//! - `wine-tests`: the core's whole integration suite cross-compiled for
//!   `x86_64-pc-windows-gnu` and run under Wine. Where a test reads a file back with a Linux
//!   program (poppler, zbarimg, python3), it reaches that program through the [`Bridge`]
//!   (tests/tools.rs says why Wine cannot simply start it).
//! - `wine-ui`: the Windows `aftersales.exe` under Wine as the browser door for the
//!   browser UI suite (tests/ui) in Chromium; the harness starts it as `wine aftersales.exe`
//!   when `AFTERSALES_WINDOWS_BIN` names it. The desktop window (WebView2) cannot run under
//!   Wine: those tests stay on Linux and are skipped here by name.
//!
//! Both are counted in the summary and stopped (with every Wine process of the prefix)
//! after a time limit.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::{describe, status, tee, wait_at_most, Counts, Ctx, WINDOWS_GNU};

/// `ProcessPrng` for Wine 8.0 (Debian 12), which has no `bcryptprimitives.dll`: Rust's
/// standard library imports its random numbers from there since Rust 1.78 (Windows 10+),
/// so every Rust program fails to start under that Wine with "Library
/// bcryptprimitives.dll ... not found" (status c0000135). Wine 8.13 and later have the DLL.
/// This stand-in is put beside the executables run under Wine only; it asks advapi32's
/// `RtlGenRandom` (SystemFunction036), the system's generator, for the bytes.
const PRNG_SHIM_C: &str = r#"#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
"#;

/// Longest the core's suite may take under Wine before it is stopped (a hung Wine must
/// not hang CI). Measured: 2 to 3 minutes.
const CORE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Longest the browser suite against the Windows door may take. Measured: see
/// docs/WINDOWS.md.
const UI_TIMEOUT: Duration = Duration::from_secs(40 * 60);

/// The programs the bridge runs for the Windows tests, and nothing else.
const BRIDGE_PROGRAMS: &[&str] = &[
    "pdftotext",
    "pdftoppm",
    "pdfinfo",
    "pdffonts",
    "pdfimages",
    "zbarimg",
    "python3",
];
/// The environment a Windows test may set for a bridged program.
const BRIDGE_ENV: &[&str] = &["PYTHONPATH", "PYTHONDONTWRITEBYTECODE"];
/// The bridge's limits on one request: a field, the number of arguments.
const BRIDGE_FIELD_MAX: u32 = 64 * 1024 * 1024;
const BRIDGE_ARGS_MAX: u32 = 256;

/// One Wine prefix (a Windows C: drive) under the target folder, made on first use
/// (~10 s) and kept.
pub(crate) struct Wine {
    prefix: PathBuf,
}

impl Wine {
    pub(crate) fn new(ctx: &Ctx) -> Wine {
        Wine {
            prefix: ctx.target.join("wine").join("prefix"),
        }
    }

    /// The environment every Wine process of ours gets.
    pub(crate) fn env(&self, cmd: &mut Command) {
        cmd.env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No Mono/Gecko install prompts while the prefix is made: nothing needs them.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
    }

    /// `wine program` in our prefix.
    pub(crate) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new("wine");
        cmd.arg(program);
        self.env(&mut cmd);
        cmd
    }

    /// Ends every Wine process of the prefix (`wineserver -k`): what a stopped or failed
    /// run left behind, and the wineserver itself.
    pub(crate) fn stop(&self) {
        let mut cmd = Command::new("wineserver");
        self.env(&mut cmd);
        let _ = cmd.arg("-k").stdin(Stdio::null()).status();
    }

    /// The Linux path Wine maps an absolute Windows path to (`C:\users\x` →
    /// `<prefix>/dosdevices/c:/users/x`, which Wine's own links resolve), or None when
    /// `arg` is not one.
    fn unix_path(&self, arg: &str) -> Option<PathBuf> {
        let bytes = arg.as_bytes();
        if bytes.len() < 3
            || !bytes[0].is_ascii_alphabetic()
            || bytes[1] != b':'
            || !matches!(bytes[2], b'\\' | b'/')
        {
            return None;
        }
        let drive = format!("{}:", (bytes[0] as char).to_ascii_lowercase());
        let mut path = self.prefix.join("dosdevices").join(drive);
        for part in arg[3..].split(['\\', '/']).filter(|p| !p.is_empty()) {
            path.push(part);
        }
        Some(path)
    }
}

/// How a Windows program under Wine names a Linux path: drive Z: is `/` in every prefix
/// (`/work/x` → `Z:\work\x`).
pub(crate) fn windows_path(path: &Path) -> Result<String, String> {
    let shown = path.to_str().ok_or(format!("not Unicode: {path:?}"))?;
    if !shown.starts_with('/') {
        return Err(format!("not an absolute path: {shown}"));
    }
    Ok(format!("Z:{}", shown.replace('/', "\\")))
}

/// Builds the `bcryptprimitives.dll` stand-in into `dir` (beside an executable run under
/// Wine), once.
pub(crate) fn prng_shim(ctx: &Ctx, dir: &Path) -> Result<(), String> {
    let shim = dir.join("bcryptprimitives.dll");
    if shim.is_file() {
        return Ok(());
    }
    let src = ctx.target.join("wine").join("bcryptprimitives.c");
    fs::create_dir_all(src.parent().unwrap_or(&ctx.target)).map_err(|e| e.to_string())?;
    fs::write(&src, PRNG_SHIM_C).map_err(|e| e.to_string())?;
    status(
        Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&shim)
            .arg(&src)
            .arg("-ladvapi32"),
    )
}

/// `cargo xtask wine [tests|ui]`: the Wine steps of `test` alone (after `setup`), each
/// timed, then the line `N passed, M failed`.
pub(crate) fn alone(ctx: &Ctx, args: &[std::ffi::OsString]) -> Result<(), String> {
    let which: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let all = which.iter().any(|a| a == "--all");
    let named: Vec<&str> = which
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--all")
        .collect();
    let steps: Vec<&str> = match named[..] {
        [] => vec!["tests", "ui"],
        ["tests"] => vec!["tests"],
        ["ui"] => vec!["ui"],
        ["installer"] => vec!["installer"],
        _ => {
            return Err(format!(
                "unknown wine arguments {which:?} (tests, ui, installer, --all)"
            ))
        }
    };
    crate::ensure(crate::Needs::Test)?;
    let mut counts = Counts::default();
    let mut failure = None;
    for step in steps {
        let started = std::time::Instant::now();
        let result = match step {
            "tests" => wine_tests(ctx, &mut counts),
            "installer" => crate::installer::wine_installer(ctx, &mut counts),
            _ => wine_ui(ctx, &mut counts, all),
        };
        eprintln!(
            "xtask: wine-{step} {} in {:.1} s",
            if result.is_ok() { "ok" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
        if let Err(e) = result {
            failure.get_or_insert(format!("wine-{step}: {e}"));
        }
    }
    println!("{} passed, {} failed", counts.passed, counts.failed);
    match failure {
        Some(e) => Err(e),
        None if counts.failed > 0 => Err(format!("{} failed", counts.failed)),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// the bridge: Linux programs for the Windows tests, over loopback

/// A listener on 127.0.0.1 that runs [`BRIDGE_PROGRAMS`] for the Windows tests under Wine
/// and answers with the exit code, stdout and stderr (protocol: tests/tools.rs). Only
/// connections that bring the secret are served. Stops when dropped.
struct Bridge {
    address: String,
    token: String,
    stop: Arc<AtomicBool>,
}

impl Bridge {
    fn start(wine: &Wine) -> Result<Bridge, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bridge: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("bridge: {e}"))?
            .to_string();
        let token = secret()?;
        let stop = Arc::new(AtomicBool::new(false));
        let prefix = Wine {
            prefix: wine.prefix.clone(),
        };
        let (want, stopped) = (token.clone(), stop.clone());
        thread::spawn(move || {
            let prefix = Arc::new(prefix);
            for conn in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (want, prefix) = (want.clone(), prefix.clone());
                thread::spawn(move || {
                    if let Err(e) = serve_one(conn, &want, &prefix) {
                        eprintln!("xtask: bridge: {e}");
                    }
                });
            }
        });
        eprintln!("xtask: tool bridge for the Windows tests on {address}");
        Ok(Bridge {
            address,
            token,
            stop,
        })
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("AFTERSALES_TOOL_BRIDGE", &self.address)
            .env("AFTERSALES_TOOL_TOKEN", &self.token);
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(&self.address);
    }
}

/// 32 hex digits from the system's generator.
fn secret() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("bridge secret: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn read_u32(from: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    from.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn bad(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

fn read_field(from: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = read_u32(from)?;
    if len > BRIDGE_FIELD_MAX {
        return Err(bad(format!("a field of {len} bytes")));
    }
    let mut bytes = vec![0u8; len as usize];
    from.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_text(from: &mut impl Read) -> io::Result<String> {
    String::from_utf8(read_field(from)?).map_err(|_| bad("a field that is not UTF-8".into()))
}

fn read_count(from: &mut impl Read) -> io::Result<u32> {
    let n = read_u32(from)?;
    if n > BRIDGE_ARGS_MAX {
        return Err(bad(format!("{n} fields")));
    }
    Ok(n)
}

fn write_field(to: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    to.write_all(&(bytes.len() as u32).to_le_bytes())?;
    to.write_all(bytes)
}

/// One request: read, checked, run, answered.
fn serve_one(conn: TcpStream, want: &str, wine: &Wine) -> io::Result<()> {
    let mut from = BufReader::new(conn.try_clone()?);
    let mut magic = [0u8; 6];
    from.read_exact(&mut magic)?;
    if &magic != b"ASTB1\n" {
        return Err(bad("not a bridge request".into()));
    }
    if read_text(&mut from)? != want {
        return Err(bad("a request without the secret".into()));
    }
    let program = read_text(&mut from)?;
    let mut args = Vec::new();
    for _ in 0..read_count(&mut from)? {
        args.push(read_text(&mut from)?);
    }
    let mut envs = Vec::new();
    for _ in 0..read_count(&mut from)? {
        envs.push(read_text(&mut from)?);
    }
    let input = read_field(&mut from)?;

    let (code, stdout, stderr) = match run_bridged(wine, &program, &args, &envs, input) {
        Ok(out) => out,
        // 127, as a shell says for a program it cannot run; the reason on stderr.
        Err(why) => (127, Vec::new(), format!("bridge: {why}\n").into_bytes()),
    };
    let mut to = BufWriter::new(conn);
    to.write_all(&code.to_le_bytes())?;
    write_field(&mut to, &stdout)?;
    write_field(&mut to, &stderr)?;
    to.flush()
}

fn run_bridged(
    wine: &Wine,
    program: &str,
    args: &[String],
    envs: &[String],
    input: Vec<u8>,
) -> Result<(u32, Vec<u8>, Vec<u8>), String> {
    if !BRIDGE_PROGRAMS.contains(&program) {
        return Err(format!(
            "`{program}` is not one of the programs the bridge runs ({})",
            BRIDGE_PROGRAMS.join(", ")
        ));
    }
    let mut cmd = Command::new(program);
    for arg in args {
        match wine.unix_path(arg) {
            Some(path) => cmd.arg(path),
            None => cmd.arg(arg),
        };
    }
    for pair in envs {
        let (key, value) = pair.split_once('=').ok_or(format!("no `=` in {pair:?}"))?;
        if !BRIDGE_ENV.contains(&key) {
            return Err(format!("the environment variable {key} is not passed on"));
        }
        cmd.env(key, value);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", describe(&cmd)))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let writer = thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    // A program ended by a signal has no exit code: reported as a failure.
    let code = out.status.code().map_or(u32::MAX, |c| c as u32);
    Ok((code, out.stdout, out.stderr))
}

// ---------------------------------------------------------------------------------------
// wine-tests: the core's whole suite

/// Cross-compiles the core's integration tests for Windows (mingw) and runs all of them
/// under Wine, the Linux tools through the bridge; counts its `test result:` line.
pub(crate) fn wine_tests(ctx: &Ctx, counts: &mut Counts) -> Result<(), String> {
    let exe = build_windows_tests(ctx)?;
    let dir = exe.parent().ok_or("test executable has no folder")?;
    prng_shim(ctx, dir)?;
    let wine = Wine::new(ctx);
    let bridge = Bridge::start(&wine)?;
    let pyref = crate::ensure_pyref(ctx)?;
    // The real print server of the GDI tests (platform::gdi): Wine's winspool lists its
    // queues as Windows printers (CUPS_SERVER); it lives until the suite has run.
    let cups = crate::cups::Cups::start(&ctx.target)?;
    // All of it: no test is skipped under Wine. (Two are not compiled for Windows at all:
    // platform::at_rest's file modes, which are Unix's.)
    let mut cmd = wine.command(&exe);
    bridge.env(&mut cmd);
    cmd.envs(cups.env());
    // The samples folder the PDF tests write to, as the Windows program names it.
    cmd.env("CARGO_TARGET_DIR", windows_path(&ctx.target)?)
        // The references of the calendar and the phones, read by python3 through the
        // bridge (a Linux path, used only there); under xtask they fail, never skip.
        .env("AFTERSALES_PYREF", &pyref)
        .env("AFTERSALES_XTASK", "1")
        .current_dir(dir);
    let result = run_counted(&mut cmd, CORE_TIMEOUT, &wine, counts);
    drop(bridge);
    wine.stop();
    drop(cups);
    result
}

/// Runs `cmd` with its output passed through and its `test result:` lines counted into
/// `counts`; stopped after `limit`.
/// On a timeout, `wine` is stopped and the output readers are left behind: a Wine process
/// (or a browser the killed test started) may hold the pipes open, and waiting for them
/// would hang the very run the limit is for.
fn run_counted(
    cmd: &mut Command,
    limit: Duration,
    wine: &Wine,
    counts: &mut Counts,
) -> Result<(), String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = describe(cmd);
    eprintln!("xtask: $ {shown}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let out = child.stdout.take().expect("stdout is piped");
    let err = child.stderr.take().expect("stderr is piped");
    let err_reader = thread::spawn(move || tee(err, &mut io::stderr()));
    let out_reader = thread::spawn(move || tee(out, &mut io::stdout()));
    let st = match wait_at_most(&mut child, limit) {
        Ok(st) => st,
        Err(e) => {
            wine.stop();
            // What ran is unknown: counted as one failure, so the summary cannot pass.
            counts.failed += 1;
            return Err(e);
        }
    };
    let got = out_reader.join().unwrap_or_default();
    let _ = err_reader.join();
    counts.add(&got);
    if got.passed + got.failed == 0 {
        return Err(format!("`{shown}` ran no tests ({st})"));
    }
    if st.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({st})"))
    }
}

/// The test binaries of `package` (ui-tests; aftersales-cli), named `name` if given, as
/// the `test` step built them: the same `cargo test --workspace`, so nothing is built
/// again with other features.
fn test_binaries(ctx: &Ctx, package: &str, name: Option<&str>) -> Result<Vec<PathBuf>, String> {
    let mut cmd = ctx.cargo();
    cmd.args([
        "test",
        "--workspace",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ])
    .stdout(Stdio::piped());
    let shown = describe(&cmd);
    eprintln!("xtask: $ {shown}");
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(format!("`{shown}` failed ({})", out.status));
    }
    let found: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            l.contains(r#""reason":"compiler-artifact""#)
                && l.contains(&format!("#{package}@"))
                && l.contains(r#""kind":["test"]"#)
                && name.is_none_or(|n| l.contains(&format!(r#""name":"{n}""#)))
        })
        .filter_map(|l| crate::json_string_field(l, "executable"))
        .map(PathBuf::from)
        .collect();
    if found.is_empty() {
        return Err(format!("`{shown}` named no {package} test binary"));
    }
    Ok(found)
}

/// Builds the core's integration-test binary for [`WINDOWS_GNU`]; returns its path.
fn build_windows_tests(ctx: &Ctx) -> Result<PathBuf, String> {
    let mut cmd = ctx.cargo();
    cmd.args([
        "test",
        "--no-run",
        "-p",
        "aftersales",
        "--test",
        "integration",
        "--target",
        WINDOWS_GNU,
        "--message-format=json-render-diagnostics",
    ])
    .stdout(Stdio::piped());
    let shown = describe(&cmd);
    eprintln!("xtask: $ {shown}");
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(format!("`{shown}` failed ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#))
        .find_map(|l| crate::json_string_field(l, "executable"))
        .map(PathBuf::from)
        .ok_or_else(|| format!("`{shown}` named no test executable"))
}

// ---------------------------------------------------------------------------------------
// wine-ui: the browser suite against the Windows door

/// Browser tests that cannot mean anything against the Windows door, skipped by name
/// (libtest's substring match), each with the reason.
const UI_SKIPS_UNDER_WINE: &[(&str, &str)] = &[
    (
        "desktop",
        "the desktop window (Tauri on WebView2) cannot run under Wine, which has no \
         WebView2: every test that opens the real window has `desktop` in its name and stays \
         on Linux (the harness fails, never falls back, should one be missed)",
    ),
    (
        "a_signed_slip_printed_reprinted_voided_and_printed_again_under_a_new_number",
        "its last part sends the slip to the printer through a stand-in `lp` put on the \
         door's PATH and reads what that `lp` was given: the Linux print path. The Windows \
         door never calls `lp` (it prints through Windows' own print path), so under Wine \
         the slip never reaches the stand-in and the test waits for a request id in vain",
    ),
    (
        "i18n_",
        "the three checks of the translation files read ui/i18n and start no door: they ran \
         in the test step already",
    ),
];

/// The browser tests `cargo xtask test` runs against the Windows door: one for each screen
/// and area (the first-run wizard and roles, login, customers, the one search box, intake,
/// an order from call to payment, the slip template, the browser desk's printing, stock,
/// its report, labels, follow-up, reports, import, backup, the calendar, settings, the
/// thermal printer). The whole suite under Wine takes about 18 minutes on the two cores
/// CI has, which a cold `.ci/run` cannot afford (docs/DECISIONS.md, issue 18); these take
/// about a quarter of it. `cargo xtask test --wine-ui-all` (or `cargo xtask wine ui
/// --all`) runs every test but the [`UI_SKIPS_UNDER_WINE`].
const UI_SMOKE_UNDER_WINE: &[&str] = &[
    "first_run_wizard_then_a_clerk_sees_only_the_clerks_desk",
    "f09_the_login_screen_says_how_long_to_wait_chromium",
    "add_customer_then_find_by_name_fragment_and_phone_tail",
    "global_search_finds_every_kind_and_opens_the_machine",
    "p05_intake_is_one_transaction_and_shows_every_error_chromium",
    "a_call_from_the_phone_intake_to_the_payment",
    "the_overlay_template_moves_in_half_millimetres_and_is_saved",
    "a_browser_desk_prints_in_its_own_dialog_and_records_on_printed",
    "new_part_receipt_and_an_issue_refused_for_want_of_stock",
    "stock_report_low_stock_purchase_request_slow_parts_and_a_claim",
    "labels_from_the_part_file_and_the_list_and_the_purchase_request_pdf",
    "a_complaint_from_registration_to_close_and_an_escalated_one_on_the_day_board",
    "a_month_of_reports_drilled_down_to_its_orders_and_exported",
    "import_a_csv_with_a_bad_row_and_read_the_report",
    "back_up_now_restore_from_the_list_and_a_refused_restore",
    "the_calendar_shows_the_notices_days_and_loads_next_years_notice",
    "p10_settings_in_sections_with_one_save_each_chromium",
    "a_network_thermal_printer_set_on_screen_receives_the_80mm_slip_as_escpos",
];

/// Builds the Windows `aftersales.exe` (debug: the test hooks the harness logs in with
/// exist only in debug builds) and runs the browser UI suite in Chromium against it under
/// Wine: the [`UI_SMOKE_UNDER_WINE`], or with `all` every test but the
/// [`UI_SKIPS_UNDER_WINE`].
pub(crate) fn wine_ui(ctx: &Ctx, counts: &mut Counts, all: bool) -> Result<(), String> {
    status(
        ctx.cargo()
            .args(["build", "-p", "aftersales-cli", "--target", WINDOWS_GNU]),
    )?;
    let dir = ctx.target.join(WINDOWS_GNU).join("debug");
    let exe = dir.join("aftersales.exe");
    prng_shim(ctx, &dir)?;
    let wine = Wine::new(ctx);
    // One wineserver for the whole run (each `wine` then starts in a fraction of a
    // second), and the prefix made before two tests could race to make it. Whatever an
    // earlier run left in the prefix goes first (`-p` fails while a server runs).
    wine.stop();
    let mut server = Command::new("wineserver");
    wine.env(&mut server);
    status(server.arg("-p"))?;
    let started = status(wine.command(&exe).arg("commands").stdout(Stdio::null()));
    let result = started.and_then(|()| {
        let ui = ctx.root.join("tests").join("ui");
        let deadline = std::time::Instant::now() + UI_TIMEOUT;
        let mut failed = Vec::new();
        for binary in test_binaries(ctx, "ui-tests", None)? {
            let mut cmd = Command::new(&binary);
            if all {
                for (name, _why) in UI_SKIPS_UNDER_WINE {
                    cmd.args(["--skip", name]);
                }
            } else {
                cmd.args(UI_SMOKE_UNDER_WINE).arg("--exact");
            }
            wine.env(&mut cmd);
            // As `cargo test` runs them: in the package's folder, the driver on PATH.
            cmd.current_dir(&ui)
                .env("CARGO_MANIFEST_DIR", &ui)
                .env("PATH", crate::path_with_cargo_bin())
                .env("AFTERSALES_WINDOWS_BIN", &exe)
                .env("AFTERSALES_UI_DIR", ctx.root.join("ui"))
                .env("AFTERSALES_XTASK", "1");
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match run_counted(&mut cmd, left, &wine, counts) {
                Ok(()) => {}
                // A file whose tests are all skipped here (the desktop's own files).
                Err(e) if e.contains("ran no tests") => {}
                Err(e) if e.starts_with("stopped after") => return Err(e),
                Err(e) => failed.push(e),
            }
        }
        // The Windows spooler's RAW path (issue 18): the command line built for Windows
        // sends ESC/POS labels through Wine's winspool to a raw CUPS queue
        // (cli/tests/escpos.rs; it makes its own prefix and its own cupsd).
        for binary in test_binaries(ctx, "aftersales-cli", Some("escpos"))? {
            let mut cmd = Command::new(&binary);
            cmd.args([RAW_UNDER_WINE, "--exact"])
                .current_dir(ctx.root.join("cli"))
                .env("AFTERSALES_WINE_EXE", &exe)
                .env("AFTERSALES_XTASK", "1");
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if let Err(e) = run_counted(&mut cmd, left, &wine, counts) {
                failed.push(e);
            }
        }
        match failed.len() {
            0 => Ok(()),
            _ => Err(failed.join("; ")),
        }
    });
    wine.stop();
    result
}

/// The command line's test that prints RAW through the Windows spooler under Wine; in the
/// `test` step (no Windows build yet) it says so and passes, here it runs.
const RAW_UNDER_WINE: &str =
    "under_wine_the_windows_build_feeds_labels_raw_through_the_spooler_to_cups";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_paths_map_to_the_prefixs_drives_and_back() {
        let wine = Wine {
            prefix: PathBuf::from("/t/wine/prefix"),
        };
        assert_eq!(
            wine.unix_path(r"C:\users\root\Temp\.tmpAb\页 1.pdf"),
            Some(PathBuf::from(
                "/t/wine/prefix/dosdevices/c:/users/root/Temp/.tmpAb/页 1.pdf"
            ))
        );
        assert_eq!(
            wine.unix_path(r"Z:\work\target\pdf-samples\a.pdf"),
            Some(PathBuf::from(
                "/t/wine/prefix/dosdevices/z:/work/target/pdf-samples/a.pdf"
            ))
        );
        for not_a_path in [
            "-",
            "-r",
            "110",
            "-singlefile",
            "a:b",
            r"\\server\share",
            "",
        ] {
            assert_eq!(wine.unix_path(not_a_path), None, "{not_a_path}");
        }
        assert_eq!(
            windows_path(Path::new("/work/wt/x target")).unwrap(),
            r"Z:\work\wt\x target"
        );
        assert!(windows_path(Path::new("relative")).is_err());
    }
}
