//! A throw-away PostgreSQL server of our own for the tests (issue 19): Debian's server
//! programs (`/usr/lib/postgresql/N/bin`, package `postgresql`), a fresh cluster made by
//! `initdb` in a folder of its own, listening on a free port of 127.0.0.1 only with its
//! Unix socket in that folder, so the machine's own clusters (Debian's `main` on 5432)
//! are never touched. [`Cluster`] is the guard: dropping it (a step that ends, fails or
//! panics) stops the server and removes the folder. A run that was killed cannot do
//! that; the next start stops and removes what it left.
//!
//! Where: `<target>/postgres/cluster-<xtask pid>-<n>/` (`data/`, the socket, `server.log`).
//! The server refuses to run as root, so as root the cluster belongs to the `postgres`
//! user (`runuser`), who must be able to reach the folder: the default target folder
//! lies in root's home (0700), so then the clusters live under the temp folder instead
//! (`/tmp/aftersales-postgres-<uid>/`), as the CUPS server's do (cups.rs) for the same
//! reason. The same happens when the socket's path would pass the 107 bytes a Unix
//! socket's name may have.
//!
//! It is a test server: nothing in it outlives the run, so it skips what only protects
//! against an operating-system crash (`initdb --no-sync`; `fsync`, `full_page_writes`,
//! `synchronous_commit` off, PostgreSQL's own "Non-Durable Settings", which pg_upgrade
//! uses for its new cluster too). `synchronous_commit = off` may lose the last commits
//! when the server process itself crashes (PostgreSQL's "Asynchronous Commit"), so the
//! cluster of the restart test (`Cluster::start_restartable`) turns it back on: that test
//! crashes the server and counts every acknowledged commit.
//!
//! The tests are told `AFTERSALES_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres`
//! (trust authentication: no password) and `AFTERSALES_REQUIRE_PG=1`, so a PostgreSQL
//! test fails rather than skips under xtask.
//!
//! TLS (issue 19): the server has `ssl = on` with a certificate for 127.0.0.1 signed by a
//! CA made for the cluster (`<cluster>/tls/`), told to the tests as
//! `AFTERSALES_TEST_PG_CA`; its Unix socket (plain text only, as PostgreSQL's socket always
//! is) as `AFTERSALES_TEST_PG_SOCKET`. The URL names no sslmode, so the desks connect as
//! libpq's default `prefer` does: over TLS, the certificate not checked (the door tests
//! of cli/tests/postgres.rs check it). The role [`TLS_ROLE`] may log in over TLS only.
//!
//! `cargo xtask pg` starts one for a developer and waits for Ctrl+C; `cargo xtask pg
//! COMMAND…` runs one command with the environment set and stops the server after it.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{ensure_apt, find_program, query};

/// The Debian package with the server programs (it depends on the current major version).
pub const PACKAGE: &str = "postgresql";
/// The OS user the server runs as when xtask runs as root (made by Debian's package).
const SERVICE_USER: &str = "postgres";
/// How long the server may take to accept connections (`pg_ctl -t`).
const START_LIMIT_SECS: &str = "60";
/// A Unix socket's path must fit `sun_path` (108 bytes with its terminating zero).
const SOCKET_PATH_MAX: usize = 107;

/// The names of the cluster folders this process made (a folder with our pid in its name
/// that is not one of them is a leftover of an earlier run that had our pid).
static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A running throw-away cluster; stopped and removed when dropped.
/// The role of the test cluster whose password is checked (`cli/tests/postgres.rs`
/// creates it with a password of its choosing).
pub const PASSWORD_ROLE: &str = "desk_password_check";
/// The role of the test cluster that may log in over TLS only (`cli/tests/postgres.rs`
/// creates it): a connection as it proves TLS was used.
pub const TLS_ROLE: &str = "desk_tls_check";
/// The cluster's TLS files, in `<cluster>/tls/`.
const TLS_DIR: &str = "tls";
const CA_CERT: &str = "ca.crt";
const SERVER_CERT: &str = "server.crt";
const SERVER_KEY: &str = "server.key";

pub struct Cluster {
    /// The cluster's folder: `data/`, the socket and `server.log`.
    dir: PathBuf,
    /// Where initdb, pg_ctl and postgres are.
    bin: PathBuf,
    /// `postgres` when we run as root, else None (the server runs as us).
    run_as: Option<&'static str>,
    pub port: u16,
    /// Ctrl+C and SIGTERM are caught while the server runs (see [`interrupted`]).
    _signals: SignalGuard,
}

impl Cluster {
    /// Makes and starts a fresh cluster, after removing what killed runs left.
    pub fn start(target: &Path) -> Result<Cluster, String> {
        let bin = server_programs()?;
        let run_as = if query("id", &["-u"]).is_some_and(|s| s.trim() == "0") {
            Some(SERVICE_USER)
        } else {
            None
        };
        let bases = [
            target.join("postgres"),
            env::temp_dir().join(format!(
                "aftersales-postgres-{}",
                query("id", &["-u"]).unwrap_or_default().trim()
            )),
        ];
        for base in &bases {
            remove_leftovers(base, &bin, run_as);
        }
        // Caught from here on, so that an interrupted run still reaches the guard's drop.
        let signals = SignalGuard::install();
        let name = {
            let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
            let name = format!("cluster-{}-{}", std::process::id(), made.len());
            made.push(name.clone());
            name
        };
        let mut dir = make_dir(&bases[0].join(&name), run_as)?;
        if !reachable(&dir, run_as) {
            let _ = fs::remove_dir_all(&dir);
            dir = make_dir(&bases[1].join(&name), run_as)?;
        }
        let mut cluster = Cluster {
            dir,
            bin,
            run_as,
            port: 0,
            _signals: signals,
        };

        let started = Instant::now();
        cluster.run(
            "initdb",
            &[
                "-D",
                "data",
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ],
        )?;
        let initdb_took = started.elapsed();
        // Settings in the file rather than on pg_ctl's command line, which goes through a
        // shell: the folder's path may hold anything.
        let socket_dir = cluster.dir.display().to_string().replace('\'', "''");
        let conf = cluster.dir.join("data/postgresql.conf");
        let mut text = fs::read_to_string(&conf).map_err(|e| format!("{}: {e}", conf.display()))?;
        text.push_str(&format!(
            "\n# cargo xtask: a throw-away test cluster\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{socket_dir}'\n\
             fsync = off\n\
             full_page_writes = off\n\
             synchronous_commit = off\n"
        ));
        fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
        // TLS on the TCP port (the socket stays plain, as PostgreSQL's always is): a CA of
        // the cluster's own and a certificate for 127.0.0.1 it signed.
        let tls = cluster.make_certificates()?;
        fs::write(&conf, {
            let mut text =
                fs::read_to_string(&conf).map_err(|e| format!("{}: {e}", conf.display()))?;
            let quoted = |p: &Path| p.display().to_string().replace('\'', "''");
            text.push_str(&format!(
                "ssl = on\n\
                 ssl_cert_file = '{}'\n\
                 ssl_key_file = '{}'\n",
                quoted(&tls.join(SERVER_CERT)),
                quoted(&tls.join(SERVER_KEY)),
            ));
            text
        })
        .map_err(|e| format!("{}: {e}", conf.display()))?;
        // One role whose password is checked (the rest trust): the door test of a wrong
        // password (cli/tests/postgres.rs) logs in as it; and one that may log in over
        // TLS only, refused in plain text. Rules are read top down.
        let hba = cluster.dir.join("data/pg_hba.conf");
        let rules = fs::read_to_string(&hba).map_err(|e| format!("{}: {e}", hba.display()))?;
        fs::write(
            &hba,
            format!(
                "hostnossl all {TLS_ROLE} 127.0.0.1/32 reject\n\
                 hostssl all {TLS_ROLE} 127.0.0.1/32 trust\n\
                 host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n{rules}"
            ),
        )
        .map_err(|e| format!("{}: {e}", hba.display()))?;

        let started = Instant::now();
        // A free port found by binding may be taken again before the server binds it.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let socket = cluster.dir.join(format!(".s.PGSQL.{port}"));
            if socket.as_os_str().len() > SOCKET_PATH_MAX {
                return Err(format!("socket path too long: {}", socket.display()));
            }
            let started = cluster.run(
                "pg_ctl",
                &[
                    "-D",
                    "data",
                    "-l",
                    "server.log",
                    "-o",
                    &format!("-p {port}"),
                    "-w",
                    "-t",
                    START_LIMIT_SECS,
                    "start",
                ],
            );
            match started {
                Ok(()) => {
                    cluster.port = port;
                    break;
                }
                Err(e) => {
                    let log =
                        fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default();
                    if !log.contains("Address already in use") {
                        return Err(format!("{e}\n{}", tail(&log, 20)));
                    }
                    last_error = e;
                }
            }
        }
        if cluster.port == 0 {
            return Err(format!("no free port for PostgreSQL: {last_error}"));
        }
        // pg_ctl -w has waited until the server accepts connections; check it is the
        // loopback address that does.
        TcpStream::connect(("127.0.0.1", cluster.port))
            .map_err(|e| format!("PostgreSQL started but 127.0.0.1:{}: {e}", cluster.port))?;
        eprintln!(
            "xtask: PostgreSQL ({}) at {} in {} (initdb {:.1} s, start {:.1} s)",
            cluster.bin.display(),
            cluster.url(),
            cluster.dir.display(),
            initdb_took.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// The URL the tests connect with (trust authentication, no password; the role
    /// [`PASSWORD_ROLE`] alone must give its password).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// What the tests are told: the URL, the CA that signed the server's certificate
    /// (for `sslmode=verify-full&sslrootcert=…`) and the folder of the server's Unix
    /// socket (a path on which the server speaks plain text only).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AFTERSALES_TEST_PG", self.url()),
            ("AFTERSALES_REQUIRE_PG", "1".to_string()),
            (
                "AFTERSALES_TEST_PG_CA",
                self.dir.join(TLS_DIR).join(CA_CERT).display().to_string(),
            ),
            ("AFTERSALES_TEST_PG_SOCKET", self.dir.display().to_string()),
        ]
    }

    /// Makes `tls/` in the cluster's folder: a CA (its key removed once it has signed), the
    /// server's certificate for 127.0.0.1 only (so `localhost` is another name) and its
    /// key, owned by the server's user and readable by it alone (PostgreSQL refuses a
    /// key others may read). By Debian's `openssl`, which the `postgresql` package
    /// depends on (through `ssl-cert`), so xtask stays free of crates.
    fn make_certificates(&self) -> Result<PathBuf, String> {
        let tls = self.dir.join(TLS_DIR);
        make_dir(&tls, self.run_as)?;
        fs::write(
            tls.join("server.ext"),
            "subjectAltName = IP:127.0.0.1\n\
             basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature, keyEncipherment\n\
             extendedKeyUsage = serverAuth\n",
        )
        .map_err(|e| format!("{}: {e}", tls.display()))?;
        let key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let steps: [Vec<&str>; 3] = [
            [
                &["req", "-x509"][..],
                &key,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    CA_CERT,
                    "-days",
                    "7",
                    "-subj",
                    "/CN=aftersales test CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            ]
            .concat(),
            [
                &["req"][..],
                &key,
                &[
                    "-keyout",
                    SERVER_KEY,
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=127.0.0.1",
                ],
            ]
            .concat(),
            vec![
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                CA_CERT,
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "7",
                "-extfile",
                "server.ext",
                "-out",
                SERVER_CERT,
            ],
        ];
        for args in steps {
            let out = command_as(Path::new("openssl"), self.run_as, &tls)
                .args(&args)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot start openssl: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "openssl {} failed ({}): {}",
                    args.join(" "),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(tls.join(SERVER_KEY), fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{SERVER_KEY}: {e}"))?;
        for spent in ["ca.key", "server.csr", "server.ext", "ca.srl"] {
            let _ = fs::remove_file(tls.join(spent));
        }
        Ok(tls)
    }

    /// A server program, as the cluster's owner, run in the cluster's folder (as the
    /// `postgres` user, initdb fails in a working folder it may not enter).
    fn command(&self, program: &str) -> Command {
        command_as(&self.bin.join(program), self.run_as, &self.dir)
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {} failed ({}): {}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// The cluster a test stops and starts again (cli/tests/pg_restart.rs): a second one, so
// that its outages disturb no other test.

impl Cluster {
    /// A cluster for the restart test: [`Cluster::start`]'s, with two settings more in its
    /// configuration file. `synchronous_commit = on`: the test crashes the server
    /// (`pg_ctl stop -m immediate`), and with it off a commit already answered may be
    /// lost in a server crash (PostgreSQL's "Asynchronous Commit"), which is not what a
    /// chain's server does. (`fsync` may stay off: the operating system does not crash
    /// here, and what the server wrote is in its page cache.) `port`: so that a plain
    /// `pg_ctl start` brings it back on the same port.
    pub fn start_restartable(target: &Path) -> Result<Cluster, String> {
        let cluster = Cluster::start(target)?;
        let conf = cluster.dir.join("data/postgresql.conf");
        let mut text = fs::read_to_string(&conf).map_err(|e| format!("{}: {e}", conf.display()))?;
        // Later lines win over earlier ones.
        text.push_str(&format!(
            "\n# cargo xtask: the restart test's cluster\n\
             synchronous_commit = on\n\
             port = {}\n",
            cluster.port
        ));
        fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
        cluster.run("pg_ctl", &["-D", "data", "reload"])?;
        Ok(cluster)
    }

    /// What the restart test is told: the server, and how to stop and start it (its
    /// `pg_ctl`, data folder, log, and the user it runs as when that is not us).
    pub fn restart_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("AFTERSALES_TEST_PG_RESTART_URL", self.url()),
            (
                "AFTERSALES_TEST_PG_RESTART_CTL",
                self.bin.join("pg_ctl").display().to_string(),
            ),
            (
                "AFTERSALES_TEST_PG_RESTART_DATA",
                self.dir.join("data").display().to_string(),
            ),
            (
                "AFTERSALES_TEST_PG_RESTART_LOG",
                self.dir.join("server.log").display().to_string(),
            ),
            ("AFTERSALES_REQUIRE_PG", "1".to_string()),
        ];
        if let Some(user) = self.run_as {
            env.push(("AFTERSALES_TEST_PG_RESTART_AS", user.to_string()));
        }
        env
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let started = Instant::now();
        if self.port != 0 {
            // Fast: open sessions are ended, nothing is waited for.
            if let Err(e) = self.run("pg_ctl", &["-D", "data", "-m", "fast", "-w", "stop"]) {
                eprintln!("xtask: stopping PostgreSQL: {e}");
            }
        }
        match fs::remove_dir_all(&self.dir) {
            Ok(()) => eprintln!(
                "xtask: PostgreSQL stopped and {} removed in {:.1} s",
                self.dir.display(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => eprintln!("xtask: removing {}: {e}", self.dir.display()),
        }
    }
}

/// `cargo xtask pg [COMMAND…]`: installs the server where missing and starts a cluster.
/// Without a command: prints the URL and the environment to export, and waits for
/// Ctrl+C. With one: runs it with that environment, then stops the cluster; the
/// command's failure is ours.
pub fn serve(target: &Path, command: &[OsString]) -> Result<(), String> {
    ensure_apt(&[PACKAGE])?;
    let cluster = Cluster::start(target)?;
    if let Some((program, args)) = command.split_first() {
        let mut cmd = Command::new(program);
        cmd.args(args).envs(cluster.env());
        // Ctrl+C reaches the command too; we wait for it and then stop the server.
        return crate::status(&mut cmd);
    }
    println!("{}", cluster.url());
    for (key, value) in cluster.env() {
        println!("export {key}={value}");
    }
    println!("# PostgreSQL runs until Ctrl+C");
    while !interrupted() {
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("\nxtask: interrupted, stopping PostgreSQL");
    Ok(())
}

/// Debian's server programs of the newest major version installed, else the ones on
/// PATH (other systems).
fn server_programs() -> Result<PathBuf, String> {
    let newest = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .max();
    if let Some((_, bin)) = newest {
        return Ok(bin);
    }
    find_program("initdb")
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .ok_or_else(|| {
            format!("no PostgreSQL server programs (initdb) found; install Debian's `{PACKAGE}`")
        })
}

fn command_as(program: &Path, run_as: Option<&str>, dir: &Path) -> Command {
    let mut cmd = match run_as {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(program);
            c
        }
        None => Command::new(program),
    };
    cmd.current_dir(dir);
    cmd
}

/// A new empty folder, owned by `run_as` when given.
fn make_dir(dir: &Path, run_as: Option<&str>) -> Result<PathBuf, String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if let Some(user) = run_as {
        let id = |flag: &str| -> Result<u32, String> {
            query("id", &[flag, user])
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| {
                    format!("no user `{user}` to run PostgreSQL as (Debian's `{PACKAGE}` makes it)")
                })
        };
        std::os::unix::fs::chown(dir, Some(id("-u")?), Some(id("-g")?))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(dir.to_path_buf())
}

/// Whether the server's user can write in `dir` (every folder above it must let them
/// through), and the socket's path there is short enough.
fn reachable(dir: &Path, run_as: Option<&str>) -> bool {
    let socket = dir.join(".s.PGSQL.65535");
    if socket.as_os_str().len() > SOCKET_PATH_MAX {
        return false;
    }
    let Some(user) = run_as else {
        return true;
    };
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-w"])
        .arg(dir)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops and removes the clusters of runs that no longer live (killed, or whose pid is
/// ours now).
fn remove_leftovers(base: &Path, bin: &Path, run_as: Option<&str>) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("cluster-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let ours = pid == std::process::id();
        let made_here = MADE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&name);
        if made_here || (!ours && alive(pid)) {
            continue;
        }
        let dir = entry.path();
        if dir.join("data/postmaster.pid").exists() {
            // Immediate: nothing in it is worth a clean shutdown. Fails harmlessly when
            // the server is already gone.
            let _ = command_as(&bin.join("pg_ctl"), run_as, &dir)
                .args(["-D", "data", "-m", "immediate", "-w", "stop"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        match fs::remove_dir_all(&dir) {
            Ok(()) => eprintln!(
                "xtask: removed the PostgreSQL cluster a killed run left: {}",
                dir.display()
            ),
            Err(e) => eprintln!("xtask: cannot remove {}: {e}", dir.display()),
        }
    }
}

/// Whether process `pid` runs. Without /proc we cannot tell, and say yes: a leftover
/// kept is better than a live cluster removed.
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port for PostgreSQL: {e}"))
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ---------------------------------------------------------------------------------------
// Ctrl+C: the standard library has no signal handling and xtask takes no crates, so the C
// library's `signal` is called directly. The handler only sets a flag (an atomic store is
// async-signal-safe); the guard puts the previous handlers back.

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl+C (SIGINT) or SIGTERM came since the cluster started.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

extern "C" {
    // `sighandler_t signal(int signum, sighandler_t handler)`; a handler is a function
    // pointer, or 0 (SIG_DFL) / 1 (SIG_IGN).
    fn signal(signum: i32, handler: usize) -> usize;
}

extern "C" fn on_signal(_signum: i32) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

struct SignalGuard {
    previous: [(i32, usize); 2],
}

impl SignalGuard {
    fn install() -> SignalGuard {
        let handler = on_signal as extern "C" fn(i32) as usize;
        // SAFETY: `signal` is the C library's; the handler is an `extern "C"` function
        // that only stores to an atomic, which is async-signal-safe.
        let previous = [SIGINT, SIGTERM].map(|sig| (sig, unsafe { signal(sig, handler) }));
        SignalGuard { previous }
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for (sig, handler) in self.previous {
            // SAFETY: puts back what `signal` returned for this signal.
            unsafe { signal(sig, handler) };
        }
    }
}
