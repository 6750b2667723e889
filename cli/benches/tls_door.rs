//! What TLS adds to a request on the browser door (issue 16): the real `aftersales serve`
//! (this bench profile's build) twice, plain HTTP on loopback and TLS in LAN mode, both
//! asked `auth.status` (the door's cheapest command, so the door's own cost shows) from
//! this process over loopback. Two ways a client talks: a new connection per request (a
//! TLS handshake each time) and one kept-alive connection. Writes its figures into
//! docs/PERFORMANCE.md between the `bench:tls-door` markers.

#[path = "../tests/support/pinned.rs"]
mod pinned;
#[path = "../../benches/report/mod.rs"]
mod report;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FRESH: usize = 300;
const KEPT: usize = 3000;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn aftersales(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR");
    cmd
}

/// `serve` on `dir`; its port and fingerprint (TLS only), once it listens.
fn serve(dir: &Path) -> (Server, u16, Option<String>) {
    let mut server = Server(
        aftersales(dir)
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start serve"),
    );
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let (mut port, mut fingerprint) = (0, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("UI: ") {
            let rest = rest.trim_end_matches('/');
            port = rest.rsplit(':').next().unwrap().parse().unwrap();
            if rest.starts_with("http://") {
                break;
            }
        } else if let Some(f) = line.strip_prefix("TLS fingerprint (SHA-256): ") {
            fingerprint = Some(f.to_string());
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (server, port, fingerprint)
}

/// One `auth.status` on `stream`; reads exactly the reply (Content-Length), so the
/// connection can carry the next one.
fn ask(stream: &mut impl ReadWrite, port: u16) {
    let body = "{}";
    write!(
        stream,
        "POST /api/auth.status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .expect("a content-length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn connect(port: u16, pin: Option<&str>) -> Box<dyn ReadWrite> {
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket.set_nodelay(true).unwrap();
    match pin {
        None => Box::new(socket),
        Some(pin) => {
            let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
            let connection = rustls::ClientConnection::new(pinned::client(pin), name).unwrap();
            Box::new(rustls::StreamOwned::new(connection, socket))
        }
    }
}

/// Median and 95th percentile of `times`, in microseconds.
fn spread(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.95))
}

fn measure(port: u16, pin: Option<&str>) -> ((f64, f64), (f64, f64)) {
    // Warm up: the door's first requests open the database pages.
    let mut warm = connect(port, pin);
    for _ in 0..50 {
        ask(&mut warm, port);
    }
    drop(warm);
    let fresh = (0..FRESH)
        .map(|_| {
            let started = Instant::now();
            let mut stream = connect(port, pin);
            ask(&mut stream, port);
            started.elapsed()
        })
        .collect();
    let mut kept = connect(port, pin);
    let kept_times = (0..KEPT)
        .map(|_| {
            let started = Instant::now();
            ask(&mut kept, port);
            started.elapsed()
        })
        .collect();
    (spread(fresh), spread(kept_times))
}

fn main() {
    let plain_dir = tempfile::tempdir().unwrap();
    let (_plain, plain_port, _) = serve(plain_dir.path());

    let tls_dir = tempfile::tempdir().unwrap();
    let lan_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = aftersales(tls_dir.path())
        .args([
            "call",
            "settings.save",
            &format!("{{\"lan_open\": true, \"lan_port\": {lan_port}}}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let (_tls, tls_port, pin) = serve(tls_dir.path());
    let pin = pin.expect("the TLS door prints its fingerprint");

    let (plain_fresh, plain_kept) = measure(plain_port, None);
    let (tls_fresh, tls_kept) = measure(tls_port, Some(&pin));
    let row = |what: &str, plain: (f64, f64), tls: (f64, f64)| {
        format!(
            "| {what} | {:.0} / {:.0} | {:.0} / {:.0} | {:+.0} |\n",
            plain.0,
            plain.1,
            tls.0,
            tls.1,
            tls.0 - plain.0
        )
    };
    let body = format!(
        "`auth.status` on the browser door over loopback, client and server on this machine \
         (`cargo bench -p aftersales-cli --bench tls_door`). Microseconds per request, \
         median / 95th percentile; {FRESH} requests on new connections, {KEPT} on one kept \
         connection. TLS: rustls (ring), TLS 1.3, ECDSA P-256 certificate. The door sets \
         TCP_NODELAY on TLS connections: without it a new connection took 42 ms (its session \
         tickets and the reply, two small writes, waited for the client's delayed ACK).\n\n\
         | requests | plain HTTP (µs) | TLS (µs) | TLS adds, median (µs) |\n\
         | --- | --- | --- | --- |\n{}{}\n",
        row("new connection each", plain_fresh, tls_fresh),
        row("one kept connection", plain_kept, tls_kept),
    );
    print!("{body}");
    report::write_section("tls-door", &body);
}
