//! ESC/POS (issue 18): the encoder's commands held against PyPI's python-escpos, text laid
//! out by display width in GBK, and the TCP transport against a real listener on this
//! machine (the helper the slip and label tests share: [`Listener`]).

use std::io::Read;
use std::net::TcpListener;
use std::process::Command;
use std::thread::JoinHandle;

use aftersales::platform::escpos::{self, Align, Correction, Receipt, Target};
use serde_json::Value;

/// A thermal printer's raw port on 127.0.0.1: takes one connection, reads it to the end
/// (the client's close) and hands back every byte.
pub struct Listener {
    pub address: String,
    job: JoinHandle<Vec<u8>>,
}

impl Listener {
    pub fn start() -> Listener {
        let socket = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let address = socket.local_addr().unwrap().to_string();
        let job = std::thread::spawn(move || {
            let (mut conn, _) = socket.accept().expect("the job's connection");
            let mut bytes = Vec::new();
            conn.read_to_end(&mut bytes).expect("read the job");
            bytes
        });
        Listener { address, job }
    }

    /// Every byte of the one job it took.
    pub fn job(self) -> Vec<u8> {
        self.job.join().expect("the listener's thread")
    }
}

/// An address on 127.0.0.1 where nothing listens: bound, then let go.
pub fn closed_address() -> String {
    let socket = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = socket.local_addr().unwrap().to_string();
    drop(socket);
    address
}

/// `text` in GBK.
pub fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad, "{text} is all in GBK");
    bytes.into_owned()
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A job's bytes without the `ESC @ FS &` every job starts with.
fn command(build: impl FnOnce(&mut Receipt)) -> Vec<u8> {
    let mut r = Receipt::new();
    build(&mut r);
    let (bytes, _) = r.finish();
    assert_eq!(
        &bytes[..4],
        b"\x1b@\x1c&",
        "init, then Chinese character mode"
    );
    bytes[4..].to_vec()
}

const REFERENCE_SCRIPT: &str = r#"
import json, sys
from escpos.printer import Dummy
from escpos import constants as c
out = {}
def cmd(name, f):
    p = Dummy(); f(p); out[name] = p.output.hex()
cmd("init", lambda p: p.hw("INIT"))
cmd("bold_on", lambda p: p.set(bold=True))
cmd("bold_off", lambda p: p.set(bold=False))
cmd("double", lambda p: p.set(custom_size=True, width=2, height=2))
cmd("single", lambda p: p.set(custom_size=True, width=1, height=1))
cmd("center", lambda p: p.set(align="center"))
cmd("left", lambda p: p.set(align="left"))
cmd("qr", lambda p: p.qr("FW2026000001 WO2026000007", ec=c.QR_ECLEVEL_M, size=6, model=c.QR_MODEL_2, native=True))
cmd("code128", lambda p: p.barcode("{BP-001{{X", "CODE128", height=80, width=3, pos="BELOW", font="A", align_ct=False, function_type="B"))
cmd("cut", lambda p: p.cut(mode="PART"))
import escpos
out["version"] = getattr(escpos, "__version__", "")
print(json.dumps(out))
"#;

/// python-escpos's bytes for the same commands, or None (with a note) when run by hand
/// without it. Under `cargo xtask test` AFTERSALES_PYREF is set, and a missing reference
/// fails.
fn reference() -> Option<Value> {
    let Some(path) = std::env::var_os("AFTERSALES_PYREF") else {
        eprintln!(
            "note: AFTERSALES_PYREF not set, the ESC/POS commands are not compared with \
             python-escpos (cargo xtask test installs it and sets it)"
        );
        return None;
    };
    // Through the tests' one way to run a Linux program (under Wine: the xtask's bridge).
    let out = crate::tools::output(
        Command::new("python3")
            .arg("-c")
            .arg(REFERENCE_SCRIPT)
            .env("PYTHONPATH", &path)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    )
    .expect("python3 runs");
    assert!(
        out.status.success(),
        "python-escpos in {path:?} did not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // python-escpos also prints notes of its own ("Using hardware barcode renderer"): the
    // JSON is the last line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    Some(serde_json::from_str(last).expect("the reference prints JSON"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn init_bold_size_align_qr_code128_and_cut_are_the_bytes_python_escpos_writes() {
    let ours = [
        (
            "bold_on",
            command(|r| {
                r.bold(true);
            }),
        ),
        (
            "bold_off",
            command(|r| {
                r.bold(false);
            }),
        ),
        (
            "double",
            command(|r| {
                r.size(2, 2);
            }),
        ),
        (
            "single",
            command(|r| {
                r.size(1, 1);
            }),
        ),
        (
            "center",
            command(|r| {
                r.align(Align::Center);
            }),
        ),
        (
            "left",
            command(|r| {
                r.align(Align::Left);
            }),
        ),
        (
            "qr",
            command(|r| {
                r.qr("FW2026000001 WO2026000007", 6, Correction::M).unwrap();
            }),
        ),
        (
            "code128",
            command(|r| {
                r.code128("P-001{X", 80).unwrap();
            }),
        ),
        (
            "cut",
            command(|r| {
                r.cut();
            }),
        ),
    ];
    // Epson's reference, written out by hand: function 165 (model 2), 167 (6 dots), 169
    // (M), 180 (store: pL = 3 + 25 bytes), 181 (print).
    let qr = &ours[6].1;
    let mut want = b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x06\x1d(k\x03\x001E1".to_vec();
    want.extend_from_slice(b"\x1d(k\x1c\x001P0FW2026000001 WO2026000007\x1d(k\x03\x001Q0");
    assert_eq!(hex(qr), hex(&want));
    // python-escpos takes Code 128 data as the printer does: code set B chosen by "{B",
    // a "{" of the value written "{{" (Epson's reference); it is given that, we the value.
    let Some(r) = reference() else { return };
    assert_eq!(r["init"], "1b40", "python-escpos {}", r["version"]);
    for (name, bytes) in &ours {
        assert_eq!(
            r[*name],
            hex(bytes),
            "{name}: python-escpos {}",
            r["version"]
        );
    }
}

#[test]
fn text_goes_in_gbk_and_wraps_at_48_columns_without_cutting_a_character() {
    let name = "广州市天河区珠江新城华夏路十号富力盈信大厦二十三楼售后服务中心前台";
    let mut r = Receipt::new();
    r.text(name);
    let (bytes, missing) = r.finish();
    assert!(missing.is_empty());
    // 35 characters: 24 on the first line (48 columns), 11 on the second.
    let chars: Vec<char> = name.chars().collect();
    let first: String = chars[..24].iter().collect();
    let second: String = chars[24..].iter().collect();
    let mut want = b"\x1b@\x1c&".to_vec();
    want.extend(gbk(&first));
    want.push(b'\n');
    want.extend(gbk(&second));
    want.push(b'\n');
    assert_eq!(bytes, want);
    // Double width: 24 columns, 12 characters a line.
    let lines = escpos::wrap(name, 24);
    assert!(lines.iter().all(|l| escpos::width(l) <= 24));
    assert_eq!(lines.concat(), name);
}

#[test]
fn a_character_gbk_lacks_prints_as_a_box_and_is_reported_by_its_code() {
    // U+3400 (CJK extension A) and U+20000: in GB18030's four-byte range, not in GBK.
    let mut r = Receipt::new();
    r.text("王㐀𠀀");
    let (bytes, missing) = r.finish();
    assert_eq!(missing, vec!["U+3400", "U+20000"]);
    let mut want = b"\x1b@\x1c&".to_vec();
    want.extend(gbk("王□□"));
    want.push(b'\n');
    assert_eq!(bytes, want);
}

#[test]
fn a_job_reaches_a_network_printer_whole() {
    let printer = Listener::start();
    let mut r = Receipt::new();
    r.text(&"测试".repeat(5000));
    let (bytes, _) = r.finish();
    let said = escpos::send(&Target::Network(printer.address.clone()), "测试", &bytes).unwrap();
    assert!(said.contains(&printer.address), "{said}");
    assert_eq!(printer.job(), bytes);
}

#[test]
fn a_refused_connection_is_told_in_chinese_naming_the_address() {
    let address = closed_address();
    let e = escpos::send(&Target::Network(address.clone()), "测试", b"\x1b@").unwrap_err();
    assert_eq!(e.field(), Some("printer"));
    let message = e.to_string();
    assert!(
        message.starts_with(&format!("连不上热敏打印机 {address}：打印机拒绝连接")),
        "{message}"
    );
}
