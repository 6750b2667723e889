//! The Windows installer (issue 18): our own NSIS script (`packaging/windows/installer.nsi`)
//! compiled by Debian's `makensis` around the portable folder, for `cargo xtask dist`; and
//! the `wine-installer` step of `cargo xtask test`, which compiles the same script around
//! the debug programs, installs it silently into a fresh Wine prefix, checks what it left
//! (files, shortcuts, the uninstall entry), uses the installed `aftersales.exe` (a demo
//! database, a search, a slip to a PDF read back on Linux), uninstalls it silently and
//! checks that the programs went and the data stayed. Every check is named and counted.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{
    check_pe, copy_dir, copy_into, describe, ensure_apt, product, status, wait_at_most,
    webview2_loader, Counts, Ctx, Subsystem, WINDOWS_GNU, WINDOWS_README,
};

/// The script, relative to the workspace root.
const SCRIPT: &str = "packaging/windows/installer.nsi";
/// The desk's identifier (tauri.conf.json): the uninstall entry's key, the data folder.
const IDENT: &str = "com.aftersales.desk";
/// Longest one Wine run (an install, a demo database, an uninstall) may take.
const WINE_STEP_LIMIT: Duration = Duration::from_secs(5 * 60);

/// How the programs are put into the portable folder.
#[derive(Clone, Copy, PartialEq)]
pub enum Programs {
    /// As built (already stripped by the `ship` profile).
    AsBuilt,
    /// Debug builds with debug info and symbols taken out by mingw's `strip --strip-all` (the test's installer:
    /// the same code, a tenth of the size, so makensis and the install take seconds).
    Stripped,
}

/// How makensis compresses.
#[derive(Clone, Copy, PartialEq)]
pub enum Compression {
    /// Solid LZMA: what goes to the desks.
    Smallest,
    /// None (the script's `FAST`): the test's installer, made at every `cargo xtask test`
    /// around 280 MB of debug programs: makensis takes seconds instead of two minutes.
    Off,
}

/// Fills `win` with what a desk needs beside nothing else: both programs from `built` (a
/// Windows target's profile folder), WebView2Loader.dll, `ui\` (served by
/// `aftersales serve` from beside its .exe) and 说明.txt; checks both programs' PE headers.
/// Returns the paths of the desktop program and of the command line.
pub fn portable_folder(
    ctx: &Ctx,
    built: &Path,
    win: &Path,
    programs: Programs,
) -> Result<(PathBuf, PathBuf), String> {
    fs::create_dir_all(win).map_err(|e| format!("{}: {e}", win.display()))?;
    let mut placed = Vec::new();
    for exe in ["aftersales-desktop.exe", "aftersales.exe"] {
        let from = built.join(exe);
        let to = match programs {
            Programs::AsBuilt => copy_into(&from, win)?,
            Programs::Stripped => {
                let to = win.join(exe);
                status(
                    Command::new("x86_64-w64-mingw32-strip")
                        .arg("--strip-all")
                        .arg("-o")
                        .arg(&to)
                        .arg(&from),
                )?;
                to
            }
        };
        placed.push(to);
    }
    // The gnu build of webview2-com links WebView2Loader.dll dynamically (the msvc build
    // links it statically): it must sit beside the program.
    copy_into(&webview2_loader(built)?, win)?;
    copy_dir(&ctx.root.join("ui"), &win.join("ui"))?;
    fs::write(win.join("说明.txt"), WINDOWS_README.replace('\n', "\r\n"))
        .map_err(|e| e.to_string())?;
    let cli = placed.pop().ok_or("no command line placed")?;
    let desktop = placed.pop().ok_or("no desktop program placed")?;
    // PE32+ (x86-64), GUI for the window, console for the command line, and every DLL they
    // import that Windows does not have is beside them. A debug desktop program is a
    // console program (main.rs sets windows_subsystem outside debug builds only).
    let window = if programs == Programs::Stripped {
        Subsystem::Console
    } else {
        Subsystem::Gui
    };
    super::check_pe(&desktop, window, win)?;
    check_pe(&cli, Subsystem::Console, win)?;
    Ok((desktop, cli))
}

/// `PAYLOAD_INSTALL` / `PAYLOAD_UNINSTALL` for the script, from the folder's top level:
/// files by name, folders recursively, the programs first and side by side (solid LZMA then
/// finds the second copy of the fonts they both embed).
fn payload_nsh(payload: &Path) -> Result<String, String> {
    let mut entries: Vec<(bool, String)> = Vec::new();
    for entry in fs::read_dir(payload).map_err(|e| format!("{}: {e}", payload.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| format!("not UTF-8: {n:?}"))?;
        if name.contains(['"', '$', '\\', '/']) || name.chars().any(char::is_control) {
            return Err(format!("a name the script cannot hold: {name:?}"));
        }
        entries.push((entry.path().is_dir(), name));
    }
    entries.sort_by_key(|(dir, name)| (*dir, !name.ends_with(".exe"), name.clone()));
    let source = |name: &str| {
        let path = payload.join(name).display().to_string();
        if path.contains(['"', '$']) {
            Err(format!("a path the script cannot hold: {path}"))
        } else {
            Ok(path)
        }
    };
    let mut install = String::from("!macro PAYLOAD_INSTALL\n");
    let mut uninstall = String::from("!macro PAYLOAD_UNINSTALL\n");
    for (dir, name) in &entries {
        let from = source(name)?;
        if *dir {
            install.push_str(&format!(
                "  SetOutPath \"$INSTDIR\\{name}\"\n  File /r \"{from}/*\"\n  SetOutPath \"$INSTDIR\"\n"
            ));
            uninstall.push_str(&format!("  RMDir /r \"$INSTDIR\\{name}\"\n"));
        } else {
            install.push_str(&format!("  File \"{from}\"\n"));
            uninstall.push_str(&format!("  Delete \"$INSTDIR\\{name}\"\n"));
        }
    }
    install.push_str("!macroend\n");
    uninstall.push_str("!macroend\n");
    Ok(format!(
        "; Written by cargo xtask from {}\n{install}{uninstall}",
        payload.display()
    ))
}

/// Compiles the script around `payload` into `setup`.
pub fn make_installer(
    ctx: &Ctx,
    payload: &Path,
    version: &str,
    setup: &Path,
    compression: Compression,
) -> Result<(), String> {
    let work = ctx.target.join("nsis");
    fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let nsh = work.join(format!(
        "payload-{}.nsh",
        if compression == Compression::Off {
            "test"
        } else {
            "dist"
        }
    ));
    fs::write(&nsh, payload_nsh(payload)?).map_err(|e| format!("{}: {e}", nsh.display()))?;
    let define = |key: &str, value: &Path| {
        let mut arg = std::ffi::OsString::from(format!("-D{key}="));
        arg.push(value);
        arg
    };
    let mut cmd = Command::new("makensis");
    cmd.args(["-V2", "-INPUTCHARSET", "UTF8"])
        .arg(format!("-DVERSION={version}"))
        .arg(define("PAYLOAD_NSH", &nsh))
        .arg(define("OUTFILE", setup))
        .arg(define("ICON", &ctx.root.join("src-tauri/icons/icon.ico")));
    if compression == Compression::Off {
        cmd.arg("-DFAST");
    }
    cmd.arg(ctx.root.join(SCRIPT));
    status(&mut cmd)
}

// ---------------------------------------------------------------------------------------
// cargo xtask test: the installer under Wine

/// One named check of the step, counted in xtask's summary.
struct Checks<'a> {
    counts: &'a mut Counts,
    failed: Vec<String>,
}

impl Checks<'_> {
    fn check(&mut self, name: &str, result: Result<(), String>) {
        match result {
            Ok(()) => {
                println!("installer check: {name} ... ok");
                self.counts.passed += 1;
            }
            Err(why) => {
                println!("installer check: {name} ... FAILED\n    {why}");
                self.counts.failed += 1;
                self.failed.push(name.to_string());
            }
        }
    }
}

/// A Wine prefix of the step's own, made fresh at every run, with a fresh HOME: Wine links
/// the prefix user's Desktop (and Documents) to HOME's, so the desktop shortcut must land
/// in a folder of ours, never on the real user's desktop; winemenubuilder (which turns
/// Start-menu shortcuts into Linux menu entries) is switched off.
struct Wine {
    prefix: PathBuf,
    home: PathBuf,
}

impl Wine {
    fn cmd(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("WINEPREFIX", &self.prefix)
            .env("HOME", &self.home)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            // Chinese in arguments and paths: Wine decodes them by the Unix locale.
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            // Wine hands the Unix environment to Windows programs: none of ours may leak.
            .env_remove("AFTERSALES_DATA_DIR")
            .env_remove("AFTERSALES_CLOCK")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs a Windows program to its end and waits until every Wine process of the prefix
    /// has ended (an NSIS uninstaller copies itself away and returns at once); its stdout.
    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let mut cmd = self.cmd("wine");
        cmd.arg(program)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = describe(&cmd);
        eprintln!("xtask: $ {shown}");
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        let mut out = child.stdout.take().ok_or("stdout is piped")?;
        let mut err = child.stderr.take().ok_or("stderr is piped")?;
        let out_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out, &mut s);
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = std::io::Read::read_to_end(&mut err, &mut s);
            s
        });
        let st =
            wait_at_most(&mut child, WINE_STEP_LIMIT).map_err(|e| format!("`{shown}`: {e}"))?;
        let mut server = self.cmd("wineserver");
        server.arg("-w");
        let mut server = server.spawn().map_err(|e| format!("wineserver -w: {e}"))?;
        wait_at_most(&mut server, WINE_STEP_LIMIT).map_err(|e| format!("wineserver -w: {e}"))?;
        let out = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
        let err = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
        if st.success() {
            Ok(out)
        } else {
            Err(format!(
                "`{shown}` failed ({st}): {}{}",
                out.trim(),
                err.trim()
            ))
        }
    }

    /// The prefix user's folder (drive_c/users/<name>; Wine names it after the Unix user).
    fn user_dir(&self) -> Result<PathBuf, String> {
        let users = self.prefix.join("drive_c/users");
        fs::read_dir(&users)
            .map_err(|e| format!("{}: {e}", users.display()))?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public") && p.is_dir())
            .ok_or_else(|| format!("no user folder in {}", users.display()))
    }
}

/// `cargo xtask test`'s `wine-installer` step.
pub fn wine_installer(ctx: &Ctx, counts: &mut Counts) -> Result<(), String> {
    let started = Instant::now();
    ensure_apt(&[
        "nsis",
        "gcc-mingw-w64-x86-64",
        "wine",
        "wine64",
        "poppler-utils",
    ])?;
    let product = product(ctx)?;
    // The programs of the test's installer: the debug builds of the Windows target, not a
    // release build of Tauri for Windows (15–25 min cold); the script, the payload's layout
    // and the checks are dist's. Two cargo calls, so that the command line is built with
    // its own features only (one call would unify the desktop's into its dependencies),
    // the same build the other Wine steps make of it.
    status(
        ctx.cargo()
            .args(["build", "--target", WINDOWS_GNU, "-p", "aftersales-cli"]),
    )?;
    status(ctx.cargo().args([
        "build",
        "--target",
        WINDOWS_GNU,
        "-p",
        "aftersales-desktop",
        "--features",
        "aftersales-desktop/custom-protocol",
    ]))?;
    let built = ctx.target.join(WINDOWS_GNU).join("debug");
    let work = ctx.target.join("wine-installer");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    }
    let payload = work.join("payload");
    portable_folder(ctx, &built, &payload, Programs::Stripped)?;
    let setup = work.join(format!(
        "{}_{}_x64-setup.exe",
        product.name, product.version
    ));
    make_installer(ctx, &payload, &product.version, &setup, Compression::Off)?;
    let built_in = started.elapsed();

    let wine = Wine {
        prefix: work.join("prefix"),
        home: work.join("home"),
    };
    fs::create_dir_all(&wine.home).map_err(|e| e.to_string())?;
    let mut checks = Checks {
        counts,
        failed: Vec::new(),
    };
    checks.check(
        "the installer is a 64-bit Windows GUI program",
        check_pe(&setup, Subsystem::Gui, &work),
    );

    // Install, silently, into the fresh prefix (Wine makes it on this first run).
    let installed = wine.run(&setup.to_string_lossy(), &["/S"]);
    checks.check(
        "the silent install (/S) ends without error",
        installed.map(drop),
    );
    let user = wine.user_dir()?;
    let local = user.join("AppData/Local").join(&product.name);
    let roaming = user.join("AppData/Roaming");
    let menu_lnk = roaming
        .join("Microsoft/Windows/Start Menu/Programs")
        .join(format!("{}.lnk", product.name));
    let desktop_lnk = user.join("Desktop").join(format!("{}.lnk", product.name));
    let user_name = user
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let win_local = format!(r"C:\users\{user_name}\AppData\Local\{}", product.name);
    let win_desktop_exe = format!(r"{win_local}\aftersales-desktop.exe");

    checks.check(
        "the portable folder is installed in %LOCALAPPDATA%\\售后服务台 with uninstall.exe",
        same_tree(&payload, &local).and_then(|()| {
            local
                .join("uninstall.exe")
                .is_file()
                .then_some(())
                .ok_or("no uninstall.exe".into())
        }),
    );
    checks.check(
        "a Start-menu shortcut 售后服务台.lnk opens the installed desktop program",
        shell_link_to(&menu_lnk, &win_desktop_exe),
    );
    checks.check(
        "a desktop shortcut 售后服务台.lnk (ticked by default) opens the installed desktop program",
        shell_link_to(&desktop_lnk, &win_desktop_exe),
    );
    let entry = uninstall_entry(&wine.prefix);
    checks.check(
        "the uninstall entry under HKCU names the desk, version, publisher, icon, folder, uninstallers",
        entry.as_ref().map_err(Clone::clone).and_then(|values| {
            let want: [(&str, String); 7] = [
                ("DisplayName", product.name.clone()),
                ("DisplayVersion", product.version.clone()),
                ("Publisher", "售后服务台项目组".into()),
                ("DisplayIcon", format!("{win_desktop_exe},0")),
                ("InstallLocation", win_local.clone()),
                ("UninstallString", format!("\"{win_local}\\uninstall.exe\"")),
                (
                    "QuietUninstallString",
                    format!("\"{win_local}\\uninstall.exe\" /S"),
                ),
            ];
            for (name, value) in want {
                match values.iter().find(|(n, _)| n == name) {
                    Some((_, RegValue::Str(got))) if *got == value => {}
                    got => return Err(format!("{name}: {got:?}, expected {value:?}")),
                }
            }
            for name in ["NoModify", "NoRepair"] {
                match values.iter().find(|(n, _)| n == name) {
                    Some((_, RegValue::Dword(1))) => {}
                    got => return Err(format!("{name}: {got:?}, expected dword 1")),
                }
            }
            Ok(())
        }),
    );
    checks.check(
        "the uninstall entry's EstimatedSize is the installed folder's size in KB",
        entry.as_ref().map_err(Clone::clone).and_then(|values| {
            let (bytes, files) = tree_size(&local);
            let kb = bytes / 1024;
            match values.iter().find(|(n, _)| n == "EstimatedSize") {
                // makensis' GetSize rounds per file.
                Some((_, RegValue::Dword(got))) if u64::from(*got).abs_diff(kb) <= files => Ok(()),
                got => Err(format!(
                    "EstimatedSize {got:?}, the folder has {kb} KB in {files} files"
                )),
            }
        }),
    );

    // The installed command line, on the default data folder (%APPDATA%\com.aftersales.desk,
    // which the uninstaller must keep). Wine 8.0 lacks bcryptprimitives.dll (docs/WINDOWS.md):
    // the stand-in goes into this test prefix's system32, never into the installer.
    put_prng_shim(ctx, &wine.prefix)?;
    let cli = format!(r"{win_local}\aftersales.exe");
    let data = roaming.join(IDENT);
    let demo = wine.run(
        &cli,
        &[
            "demo",
            "--customers",
            "20",
            "--parts",
            "5",
            "--orders",
            "10",
        ],
    );
    checks.check(
        "the installed aftersales.exe makes a demo database in %APPDATA%\\com.aftersales.desk",
        demo.and_then(|_| {
            data.join("desk.db")
                .is_file()
                .then_some(())
                .ok_or(format!("no {}", data.join("desk.db").display()))
        }),
    );
    checks.check(
        "the installed aftersales.exe finds a demo customer by name",
        wine.run(&cli, &["call", "customers.search", r#"{"query":""}"#])
            .and_then(|all| {
                let name = crate::json_string_field(&all, "name")
                    .ok_or(format!("no customer in {all}"))?;
                let found = wine.run(
                    &cli,
                    &[
                        "call",
                        "customers.search",
                        &format!(r#"{{"query":"{name}"}}"#),
                    ],
                )?;
                if found.contains(&format!("\"name\": \"{name}\""))
                    && !found.contains("\"total\": 0")
                {
                    Ok(())
                } else {
                    Err(format!("searching {name} found: {found}"))
                }
            }),
    );
    let slip_dir = wine.prefix.join("drive_c/xtask");
    fs::create_dir_all(&slip_dir).map_err(|e| e.to_string())?;
    checks.check(
        "the installed aftersales.exe prints a slip to a PDF that pdftotext reads back in Chinese",
        (|| {
            let order = wine.run(&cli, &["call", "orders.get", r#"{"id":1}"#])?;
            let customer = order
                .find("\"customer\": {")
                .and_then(|at| crate::json_string_field(&order[at..], "name"))
                .ok_or(format!("no customer in order 1: {order}"))?;
            let printed = wine.run(
                &cli,
                &[
                    "call",
                    "slips.print",
                    r#"{"order_id":1,"format":"a4"}"#,
                    "--out",
                    r"C:\xtask\服务单 1.pdf",
                ],
            )?;
            let number = crate::json_string_field(&printed, "number")
                .ok_or(format!("no slip number: {printed}"))?;
            let text = pdftotext(&slip_dir.join("服务单 1.pdf"))?;
            for want in [number.as_str(), customer.as_str(), "服务维修单"] {
                if !text.contains(want) {
                    return Err(format!("the slip's text lacks {want:?}: {text}"));
                }
            }
            Ok(())
        })(),
    );

    // Uninstall, silently; the programs, the shortcuts and the entry go, the data stays.
    let uninstalled = wine.run(&format!(r"{win_local}\uninstall.exe"), &["/S"]);
    checks.check(
        "the silent uninstall (/S) removes the programs and the install folder",
        uninstalled.and_then(|_| {
            if local.exists() {
                Err(format!("left behind: {:?}", tree_files(&local)))
            } else {
                Ok(())
            }
        }),
    );
    checks.check(
        "the silent uninstall removes both shortcuts",
        match [&menu_lnk, &desktop_lnk].iter().find(|p| p.exists()) {
            Some(left) => Err(format!("left behind: {}", left.display())),
            None => Ok(()),
        },
    );
    checks.check(
        "the silent uninstall removes the uninstall entry",
        match uninstall_entry(&wine.prefix) {
            Ok(values) => Err(format!("still there: {values:?}")),
            Err(_) => Ok(()),
        },
    );
    checks.check(
        "the silent uninstall keeps the data folder and its desk.db",
        data.join("desk.db")
            .is_file()
            .then_some(())
            .ok_or(format!("{} is gone", data.display())),
    );

    let took = started.elapsed();
    println!(
        "installer under Wine: installer built in {:.0} s ({} of programs, {} installer), checks in {:.0} s",
        built_in.as_secs_f64(),
        super::human_size(tree_size(&payload).0),
        super::human_size(fs::metadata(&setup).map(|m| m.len()).unwrap_or(0)),
        (took - built_in).as_secs_f64()
    );
    if checks.failed.is_empty() {
        // ~1 GB of debug programs, installer and prefix: kept only when a check failed.
        let _ = fs::remove_dir_all(&work);
        Ok(())
    } else {
        Err(format!("failed: {}", checks.failed.join("; ")))
    }
}

/// Wine 8.0's `bcryptprimitives.dll` stand-in (wine.rs), into the test prefix's system32.
fn put_prng_shim(ctx: &Ctx, prefix: &Path) -> Result<(), String> {
    super::wine::prng_shim(ctx, &prefix.join("drive_c/windows/system32"))
}

fn pdftotext(pdf: &Path) -> Result<String, String> {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .map_err(|e| format!("pdftotext: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pdftotext {}: {}",
            pdf.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Files under `dir`, relative, sorted.
fn tree_files(dir: &Path) -> Vec<(PathBuf, u64)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                out.push((path.strip_prefix(base).unwrap_or(&path).to_path_buf(), size));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Total bytes and number of files under `dir`.
fn tree_size(dir: &Path) -> (u64, u64) {
    let files = tree_files(dir);
    (files.iter().map(|(_, s)| s).sum(), files.len() as u64)
}

/// Every file of `payload` is in `installed` with the same size (and nothing is missing).
fn same_tree(payload: &Path, installed: &Path) -> Result<(), String> {
    let want = tree_files(payload);
    let have = tree_files(installed);
    let missing: Vec<String> = want
        .iter()
        .filter(|w| !have.contains(w))
        .map(|(p, s)| format!("{} ({s} bytes)", p.display()))
        .collect();
    if want.is_empty() || !missing.is_empty() {
        return Err(format!(
            "missing or of another size in {}: {missing:?}",
            installed.display()
        ));
    }
    Ok(())
}

/// A shell link (MS-SHLLINK: a 0x4C-byte header with the class id
/// 00021401-0000-0000-C000-000000000046) whose strings name `target` (UTF-16LE: the icon
/// location NSIS sets to the program itself).
fn shell_link_to(lnk: &Path, target: &str) -> Result<(), String> {
    let bytes = fs::read(lnk).map_err(|e| format!("{}: {e}", lnk.display()))?;
    const CLSID: [u8; 16] = [
        0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x46,
    ];
    if bytes.get(..4) != Some(&[0x4c, 0, 0, 0]) || bytes.get(4..20) != Some(&CLSID) {
        return Err(format!("{} is not a shell link", lnk.display()));
    }
    let wide: Vec<u8> = target.encode_utf16().flat_map(u16::to_le_bytes).collect();
    if bytes.windows(wide.len()).any(|w| w == wide.as_slice()) {
        Ok(())
    } else {
        Err(format!("{} does not name {target}", lnk.display()))
    }
}

#[derive(Debug, PartialEq)]
enum RegValue {
    Str(String),
    Dword(u32),
    Other(String),
}

/// The values of our uninstall key in the prefix's `user.reg` (HKCU as Wine saves it once
/// its server has ended); Err when the key is not there.
fn uninstall_entry(prefix: &Path) -> Result<Vec<(String, RegValue)>, String> {
    let file = prefix.join("user.reg");
    let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    reg_key(
        &text,
        &format!(r"Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{IDENT}"),
    )
    .ok_or(format!(
        "no key …\\Uninstall\\{IDENT} in {}",
        file.display()
    ))
}

/// The values of `[key]` in a Wine registry file (`key` written as the file writes it, with
/// doubled backslashes).
fn reg_key(text: &str, key: &str) -> Option<Vec<(String, RegValue)>> {
    let head = format!("[{key}]");
    let mut lines = text.lines().skip_while(|l| {
        !(l.starts_with(&head)
            && l[head.len()..]
                .chars()
                .all(|c| c == ' ' || c.is_ascii_digit()))
    });
    lines.next()?;
    let mut values = Vec::new();
    for line in lines {
        if line.starts_with('[') || line.trim().is_empty() {
            break;
        }
        let Some(rest) = line.strip_prefix('"') else {
            continue; // #time=… and the like
        };
        let (name, used) = reg_string(rest)?;
        let value = rest[used..].strip_prefix('=')?;
        let value = if let Some(s) = value.strip_prefix('"') {
            RegValue::Str(reg_string(s)?.0)
        } else if let Some(d) = value.strip_prefix("dword:") {
            RegValue::Dword(u32::from_str_radix(d.trim(), 16).ok()?)
        } else {
            RegValue::Other(value.to_string())
        };
        values.push((name, value));
    }
    Some(values)
}

/// A string of a Wine registry file up to its closing quote, undoing `\\`, `\"` and the
/// `\xHHHH` Wine writes for every character beyond ASCII; with the bytes it took.
fn reg_string(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut units: Vec<u16> = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.push_str(&String::from_utf16_lossy(units));
        units.clear();
    };
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                flush(&mut units, &mut out);
                return Some((out, i + 1));
            }
            b'\\' if bytes.get(i + 1) == Some(&b'x') => {
                let hex: String = s[i + 2..]
                    .chars()
                    .take(4)
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                units.push(u16::from_str_radix(&hex, 16).ok()?);
                i += 2 + hex.len();
            }
            b'\\' => {
                flush(&mut units, &mut out);
                let c = *bytes.get(i + 1)?;
                out.push(match c {
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'0' => '\0',
                    c => c as char,
                });
                i += 2;
            }
            _ => {
                flush(&mut units, &mut out);
                let c = s[i..].chars().next()?;
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    None
}

/// Where `cargo xtask dist` writes the installer: `<name>_<version>_x64-setup.exe`, as
/// Tauri's bundler would have named it.
pub fn setup_name(name: &str, version: &str) -> String {
    format!("{name}_{version}_x64-setup.exe")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::env;

    #[test]
    fn a_wine_registry_key_is_read_with_its_chinese_strings_and_dwords() {
        let text = "WINE REGISTRY Version 2\n\n\
            [Software\\\\Microsoft\\\\Other] 1\n\"DisplayName\"=\"x\"\n\n\
            [Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\com.aftersales.desk] 1796392019\n\
            #time=1dd83f5ef86d056\n\
            \"DisplayName\"=\"\\x552e\\x540e\\x670d\\x52a1\\x53f0\"\n\
            \"EstimatedSize\"=dword:00000069\n\
            \"UninstallString\"=\"\\\"C:\\\\users\\\\root\\\\AppData\\\\Local\\\\\\x552e\\x540e\\x670d\\x52a1\\x53f0\\\\uninstall.exe\\\"\"\n\
            \n[Software\\\\Next] 2\n\"A\"=\"b\"\n";
        let values = reg_key(
            text,
            r"Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\com.aftersales.desk",
        )
        .unwrap();
        assert_eq!(
            values,
            vec![
                ("DisplayName".into(), RegValue::Str("售后服务台".into())),
                ("EstimatedSize".into(), RegValue::Dword(0x69)),
                (
                    "UninstallString".into(),
                    RegValue::Str(
                        r#""C:\users\root\AppData\Local\售后服务台\uninstall.exe""#.into()
                    )
                ),
            ]
        );
        assert_eq!(reg_key(text, r"Software\\Missing"), None);
    }

    #[test]
    fn the_payload_macros_install_and_remove_the_folder_by_name() {
        let dir = env::temp_dir().join(format!("xtask-payload-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("ui/css")).unwrap();
        for f in [
            "aftersales.exe",
            "aftersales-desktop.exe",
            "说明.txt",
            "ui/css/a.css",
        ] {
            fs::write(dir.join(f), b"x").unwrap();
        }
        let nsh = payload_nsh(&dir).unwrap();
        let d = dir.display();
        assert!(nsh.contains(&format!(
            "!macro PAYLOAD_INSTALL\n  File \"{d}/aftersales-desktop.exe\"\n  File \"{d}/aftersales.exe\"\n  File \"{d}/说明.txt\"\n  SetOutPath \"$INSTDIR\\ui\"\n  File /r \"{d}/ui/*\"\n"
        )), "{nsh}");
        assert!(
            nsh.contains("  Delete \"$INSTDIR\\说明.txt\"\n  RMDir /r \"$INSTDIR\\ui\"\n!macroend"),
            "{nsh}"
        );
        // A name the script could not quote is refused, not written.
        fs::write(dir.join("a$b.txt"), b"x").unwrap();
        assert!(payload_nsh(&dir).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
