//! A real CUPS print server of our own for the tests (issue 18): Debian's `cupsd` with its
//! own configuration, spool, cache, state and logs in a fresh folder of the temp folder
//! (`/tmp/aftersales-cups-PORT/`: cupsd's filters run as the user `lp`, who must reach the
//! spool and its temp folder, and the target folder usually lies under a home only its
//! owner may enter), listening on a free port of 127.0.0.1 only (no Unix socket, so the
//! machine's own CUPS, if any, is never touched), with one queue, [`QUEUE`], on the
//! `cups-pdf` backend (`printer-driver-cups-pdf`), which turns each job into a PDF in
//! `<target>/cups-pdf/` (the backend runs as root and may write there).
//!
//! The tests get its address and where to look through the environment ([`Cups::env`]):
//! `CUPS_SERVER` (read by `lp` and by libcups, hence by Wine's winspool, which lists the
//! server's queues as Windows printers), `AFTERSALES_CUPS_QUEUE` and
//! `AFTERSALES_CUPS_PDF_DIR`.
//!
//! The Windows tests under Wine read a queue's PDF back with poppler through the bridge of
//! wine.rs, like every other Linux tool they use.
//!
//! cups-pdf reads its settings from `/etc/cups` and nowhere else (the path is compiled
//! in): `/etc/cups/cups-pdf-<instance>.conf`, where the instance is the path of the
//! queue's device URI (`cups-pdf:/<instance>`). So one file is written there, named after
//! this server's port, and removed when the server stops. cupsd runs cups-pdf as root
//! (the backend is mode 0700), so the server must be started by root.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The queue's name: the printer the tests print to, also under Wine.
pub const QUEUE: &str = "AftersalesPDF";
/// cups-pdf's own PPD (Debian's copy), with its page sizes (A4, A5, custom sizes).
const PPD: &str = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd";
/// Where cups-pdf looks for its settings (compiled into the backend).
const CUPS_PDF_CONFIG_DIR: &str = "/etc/cups";
/// How long cupsd may take to listen.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A running server; stopped (and its cups-pdf settings file removed) when dropped.
pub struct Cups {
    child: Child,
    /// `127.0.0.1:PORT`, as `CUPS_SERVER` takes it.
    pub server: String,
    /// Where the queue's PDFs land.
    pub pdf_dir: PathBuf,
    config: PathBuf,
    /// The server's own folder in the temp folder, removed when it stops.
    root: PathBuf,
}

impl Cups {
    /// Starts cupsd (its logs in `<target>/cups-log/`, emptied first) and adds [`QUEUE`]
    /// as the server's default printer.
    pub fn start(target: &Path) -> Result<Cups, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for cupsd: {e}"))?
            .port();
        let server = format!("127.0.0.1:{port}");
        let instance = format!("aftersales-{port}");
        let root = std::env::temp_dir().join(format!("aftersales-cups-{port}"));
        let _ = fs::remove_dir_all(&root);
        let dir = |name: &str, mode: u32| -> Result<PathBuf, String> {
            let d = root.join(name);
            fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
            set_mode(&d, mode)?;
            Ok(d)
        };
        let etc = dir("etc", 0o755)?;
        let spool = dir("spool", 0o710)?;
        let cache = dir("cache", 0o770)?;
        let state = dir("state", 0o755)?;
        // Filters run as the unprivileged user `lp` and write their temporary files here.
        let tmp = dir("tmp", 0o1777)?;
        // Written by cupsd and cups-pdf, both root: kept in the target for reading after.
        let log = target.join("cups-log");
        let _ = fs::remove_dir_all(&log);
        fs::create_dir_all(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let cups_pdf_spool = dir("cups-pdf-spool", 0o1777)?;
        set_mode(&root, 0o755)?;
        let pdf_dir = target.join("cups-pdf");
        let _ = fs::remove_dir_all(&pdf_dir);
        fs::create_dir_all(&pdf_dir).map_err(|e| format!("{}: {e}", pdf_dir.display()))?;

        let files = etc.join("cups-files.conf");
        write(
            &files,
            &format!(
                "ServerRoot {etc}\nRequestRoot {spool}\nCacheDir {cache}\nStateDir {state}\n\
                 TempDir {tmp}\nAccessLog {log}/access_log\nErrorLog {log}/error_log\n\
                 PageLog {log}/page_log\nPrintcap {root}/printcap\nUser lp\nGroup lp\n\
                 SystemGroup root\nFileDevice No\n",
                etc = etc.display(),
                spool = spool.display(),
                cache = cache.display(),
                state = state.display(),
                tmp = tmp.display(),
                log = log.display(),
                root = root.display(),
            ),
        )?;
        let conf = etc.join("cupsd.conf");
        write(
            &conf,
            &format!(
                "Listen {server}\nLogLevel debug\nWebInterface No\nBrowsing No\n\
                 DefaultAuthType None\nDefaultEncryption Never\n\
                 <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
            ),
        )?;
        let config = Path::new(CUPS_PDF_CONFIG_DIR).join(format!("cups-pdf-{instance}.conf"));
        write(
            &config,
            &format!(
                "Out {pdf}\nAnonDirName {pdf}\nSpool {spool}\nLog {log}\nGrp root\n\
                 UserUMask 0022\nPDFVer 1.7\n",
                pdf = pdf_dir.display(),
                spool = cups_pdf_spool.display(),
                log = log.display(),
            ),
        )
        .map_err(|e| {
            format!(
                "{e}\n(cups-pdf reads its settings only from {CUPS_PDF_CONFIG_DIR}: run as root)"
            )
        })?;

        let out = fs::File::create(log.join("cupsd.out")).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new("cupsd")
            .arg("-f")
            .arg("-c")
            .arg(&conf)
            .arg("-s")
            .arg(&files)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start cupsd: {e}"))?;
        let mut cups = Cups {
            child,
            server,
            pdf_dir,
            config,
            root,
        };
        let started = Instant::now();
        while TcpStream::connect(&cups.server).is_err() {
            if let Ok(Some(st)) = cups.child.try_wait() {
                return Err(format!(
                    "cupsd ended ({st}); see {}",
                    log.join("cupsd.out").display()
                ));
            }
            if started.elapsed() > START_LIMIT {
                return Err(format!("cupsd did not listen on {} in time", cups.server));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        cups.lpadmin(&[
            "-p",
            QUEUE,
            "-E",
            "-v",
            &format!("cups-pdf:/{instance}"),
            "-P",
            PPD,
            // PDF to PostScript through poppler's cairo (Debian's advice for this queue):
            // Ghostscript's and poppler's own PostScript lose the text of our CID fonts,
            // cairo keeps the Chinese of a PDF printed by `lp` readable.
            "-o",
            "pdftops-renderer-default=pdftocairo",
        ])?;
        cups.lpadmin(&["-d", QUEUE])?;
        eprintln!(
            "xtask: CUPS at {} with queue {QUEUE} writing into {}",
            cups.server,
            cups.pdf_dir.display()
        );
        Ok(cups)
    }

    fn lpadmin(&self, args: &[&str]) -> Result<(), String> {
        let out = Command::new("lpadmin")
            .arg("-h")
            .arg(&self.server)
            .args(args)
            .output()
            .map_err(|e| format!("cannot start lpadmin: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "lpadmin {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// What the tests are told: the server, the queue, the folder its PDFs land in.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CUPS_SERVER", self.server.clone()),
            ("AFTERSALES_CUPS_QUEUE", QUEUE.to_string()),
            (
                "AFTERSALES_CUPS_PDF_DIR",
                self.pdf_dir.display().to_string(),
            ),
        ]
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_file(&self.config);
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// `cargo xtask cups`: the server for running tests by hand; prints the environment to
/// export and stops when its input ends (Ctrl-D) or it is interrupted.
pub fn serve(target: &Path) -> Result<(), String> {
    let cups = Cups::start(target)?;
    for (key, value) in cups.env() {
        println!("export {key}={value}");
    }
    println!("# cupsd pid {}; press Ctrl-D to stop", cups.child.id());
    let mut line = String::new();
    while std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?
        > 0
    {
        line.clear();
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("{}: {e}", path.display()))
}
