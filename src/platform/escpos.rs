//! Receipts and labels for thermal printers that speak ESC/POS, sent to them raw: no PDF,
//! no driver, no dialog.
//!
//! The encoder ([`Receipt`]) writes the commands of Epson's ESC/POS reference that the
//! common Chinese 58/80 mm printers (Xprinter, Gprinter, HPRT, Sunmi…) take: `ESC @` to
//! start from the printer's defaults, `FS &` for Chinese character mode (two-byte GBK
//! text), `ESC a` alignment, `ESC E` bold, `GS !` character size, `GS ( k` for a QR code
//! the printer draws itself (model 2, module size, error correction, store, print), `GS k`
//! for Code 128, `ESC d` to feed and `GS V` to cut. Its bytes for those commands are held
//! against PyPI's python-escpos in the tests.
//!
//! Text is laid out by display width: 80 mm paper takes 48 columns of font A, a Chinese
//! character takes two, and a line never cuts a character in half (nor an ASCII word,
//! when the word fits a line of its own). A character GBK lacks (a rare name) prints as
//! [`MARKER`] and is reported as the PDF reports a character no font has (`U+2A6D7`).
//! Control characters in the text never reach the printer: they would be commands.
//!
//! Transport ([`send`]): a network printer (`IP:9100`, plain TCP, "raw port 9100"), with
//! time limits on connecting, writing and the close; or a printer known to the system by
//! name, fed the bytes as they are (Linux and other Unix: CUPS `lp -o raw`; Windows: the
//! spooler with the `RAW` datatype). A job counts as accepted only when every byte was
//! written and the connection closed cleanly (TCP), or the spooler took the whole job.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::platform::error::{Error, Result};

/// Columns of font A (12 × 24 dots) on 80 mm paper (72 mm printable, 576 dots).
pub const COLUMNS: usize = 48;
/// Printable dots across 80 mm paper at 203 dpi.
pub const DOTS: usize = 576;
/// What prints in place of a character GBK lacks.
pub const MARKER: char = '□';
/// The default port of a network receipt printer ("raw port", JetDirect).
pub const DEFAULT_PORT: u16 = 9100;
/// The longest address or printer name taken, characters.
pub const TARGET_MAX: usize = 255;
/// Connecting to a network printer gives up after this long…
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// …a write that does not move for this long is a printer that stopped taking data…
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// …and after the last byte the printer has this long to close or reset the connection
/// (a printer that keeps it open has taken the job: most do, until the client closes).
pub const CLOSE_WAIT: Duration = Duration::from_secs(3);
/// The most data a QR code symbol takes through `GS ( k` (pL + pH × 256 ≤ 7092, minus 3).
pub const QR_MAX_BYTES: usize = 7089;

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const FS: u8 = 0x1c;
const LF: u8 = 0x0a;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// QR error correction: L 7 %, M 15 %, Q 25 %, H 30 % of the symbol recoverable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    L,
    M,
    Q,
    H,
}

/// An ESC/POS job being written: commands and GBK text, in order.
#[derive(Debug, Clone)]
pub struct Receipt {
    bytes: Vec<u8>,
    /// Columns of the paper in font A.
    columns: usize,
    /// Current character width multiplier (`GS !`), 1–8.
    width: usize,
    unprintable: BTreeSet<char>,
}

impl Receipt {
    /// A job for 80 mm paper: `ESC @` (initialise), then `FS &` (Chinese character mode).
    pub fn new() -> Receipt {
        Receipt::with_columns(COLUMNS)
    }

    /// A job for paper `columns` wide in font A (80 mm: 48; 58 mm: 32).
    pub fn with_columns(columns: usize) -> Receipt {
        let mut r = Receipt {
            bytes: Vec::with_capacity(2048),
            columns: columns.max(8),
            width: 1,
            unprintable: BTreeSet::new(),
        };
        r.bytes.extend_from_slice(&[ESC, b'@', FS, b'&']);
        r
    }

    /// `ESC a n`: alignment of the lines that follow.
    pub fn align(&mut self, align: Align) -> &mut Self {
        let n = match align {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        self.bytes.extend_from_slice(&[ESC, b'a', n]);
        self
    }

    /// `ESC E n`: bold on or off.
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'E', u8::from(on)]);
        self
    }

    /// `GS ! n`: characters `width` × `height` times their size (each 1–8).
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let (w, h) = (width.clamp(1, 8), height.clamp(1, 8));
        self.width = usize::from(w);
        self.bytes
            .extend_from_slice(&[GS, b'!', ((w - 1) << 4) | (h - 1)]);
        self
    }

    /// Columns a line holds at the current character width.
    pub fn line_columns(&self) -> usize {
        (self.columns / self.width).max(1)
    }

    /// `text` as lines no wider than the paper (each ended by LF); `\n` starts a new line.
    pub fn text(&mut self, text: &str) -> &mut Self {
        let columns = self.line_columns();
        for line in wrap(text, columns) {
            for c in line.chars() {
                self.char(c);
            }
            self.bytes.push(LF);
        }
        self
    }

    fn char(&mut self, c: char) {
        if c.is_ascii() {
            // Wrapped text holds no control character (see `clean`).
            self.bytes.push(c as u8);
            return;
        }
        match gbk(stand_in(c)) {
            Some(code) => self.bytes.extend_from_slice(&code),
            None => {
                self.unprintable.insert(c);
                self.bytes
                    .extend_from_slice(&gbk(MARKER).expect("□ is in GBK (A1F5)"));
            }
        }
    }

    /// A line of `-` across the paper.
    pub fn rule(&mut self) -> &mut Self {
        let n = self.line_columns();
        self.bytes.extend(std::iter::repeat_n(b'-', n));
        self.bytes.push(LF);
        self
    }

    /// `n` empty lines (LF each).
    pub fn feed(&mut self, n: usize) -> &mut Self {
        self.bytes.extend(std::iter::repeat_n(LF, n));
        self
    }

    /// A QR code drawn by the printer (`GS ( k`, function 165 model 2, 167 module size,
    /// 169 error correction, 180 store the data, 181 print it). `module`: dots per module,
    /// 1–16. Refused when the data is empty or longer than [`QR_MAX_BYTES`].
    pub fn qr(&mut self, data: &str, module: u8, correction: Correction) -> Result<&mut Self> {
        let data = data.as_bytes();
        if data.is_empty() || data.len() > QR_MAX_BYTES {
            return Err(Error::invalid(
                "qr",
                format!(
                    "二维码内容应为 1 到 {QR_MAX_BYTES} 个字节（现在是 {} 个）",
                    data.len()
                ),
            ));
        }
        let ec = match correction {
            Correction::L => b'0',
            Correction::M => b'1',
            Correction::Q => b'2',
            Correction::H => b'3',
        };
        self.qr_function(b'A', &[b'2', 0]);
        self.qr_function(b'C', &[module.clamp(1, 16)]);
        self.qr_function(b'E', &[ec]);
        let mut store = Vec::with_capacity(data.len() + 1);
        store.push(b'0');
        store.extend_from_slice(data);
        self.qr_function(b'P', &store);
        self.qr_function(b'Q', b"0");
        Ok(self)
    }

    /// `GS ( k pL pH cn fn [parameters]` with cn = 49 (QR code).
    fn qr_function(&mut self, function: u8, parameters: &[u8]) {
        let n = parameters.len() + 2;
        self.bytes
            .extend_from_slice(&[GS, b'(', b'k', (n & 0xff) as u8, (n >> 8) as u8, b'1']);
        self.bytes.push(function);
        self.bytes.extend_from_slice(parameters);
    }

    /// A Code 128 barcode drawn by the printer (`GS k` m = 73, code set B), `height` dots
    /// tall, its text printed below it. The module width is the widest (3, then
    /// 2 dots) at which the symbol and its quiet zones fit the paper; a value that does
    /// not fit at 2 dots, or that code set B cannot carry (printable ASCII only), is refused
    /// with the field `code`.
    pub fn code128(&mut self, value: &str, height: u8) -> Result<&mut Self> {
        if value.is_empty() || !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Error::invalid(
                "code",
                format!("条形码“{value}”只能用英文字母、数字和常用符号，请改用二维码"),
            ));
        }
        // "{B" selects code set B; a "{" of the value itself is written "{{".
        let mut data = b"{B".to_vec();
        for b in value.bytes() {
            data.push(b);
            if b == b'{' {
                data.push(b'{');
            }
        }
        // Start, a symbol per character, check and stop (13 modules), and 10 modules of
        // quiet zone on each side.
        let modules = 11 * (value.len() + 2) + 13 + 20;
        let Some(module) = [3u8, 2]
            .into_iter()
            .find(|m| modules * usize::from(*m) <= DOTS)
        else {
            return Err(Error::invalid(
                "code",
                format!("条形码“{value}”太长，在 80 毫米热敏纸上印不清，请改用二维码"),
            ));
        };
        if data.len() > 255 {
            return Err(Error::invalid("code", "条形码太长"));
        }
        self.bytes.extend_from_slice(&[GS, b'h', height.max(1)]);
        self.bytes.extend_from_slice(&[GS, b'w', module]);
        // The text under it in font A (`GS f 0`), below the bars (`GS H 2`).
        self.bytes.extend_from_slice(&[GS, b'f', 0]);
        self.bytes.extend_from_slice(&[GS, b'H', 2]);
        self.bytes
            .extend_from_slice(&[GS, b'k', 73, data.len() as u8]);
        self.bytes.extend_from_slice(&data);
        Ok(self)
    }

    /// `ESC d 6` (the paper past the cutter), then `GS V 1`: a partial cut, the receipt
    /// held by a hinge of paper so it does not fall.
    pub fn cut(&mut self) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'd', 6, GS, b'V', 1]);
        self
    }

    /// The job's bytes and the codes (`U+2A6D7`) of the characters GBK lacks, each once.
    pub fn finish(self) -> (Vec<u8>, Vec<String>) {
        let chars: Vec<char> = self.unprintable.into_iter().collect();
        (self.bytes, crate::platform::pdf::codes(&chars))
    }
}

impl Default for Receipt {
    fn default() -> Self {
        Receipt::new()
    }
}

/// What prints for a character GBK lacks but has a form of: the yuan sign our money
/// shows (¥, U+00A5) as the full-width ￥, an en dash as a hyphen, a bullet as a middle dot.
fn stand_in(c: char) -> char {
    match c {
        '¥' => '￥',
        '–' => '-',
        '•' => '·',
        c => c,
    }
}

/// `c` in GBK (two bytes, or one for ASCII), or None when GBK has no code for it.
pub fn gbk(c: char) -> Option<Vec<u8>> {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    // encoding_rs writes an unmappable character as an HTML numeric reference.
    (!unmappable).then(|| bytes.into_owned())
}

/// Columns `c` takes in font A: two for every character GBK writes in two bytes (Chinese,
/// full-width forms, the marker), one for ASCII.
pub fn columns_of(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        2
    }
}

/// `text` without control characters (a tab is a space; anything else is dropped): an
/// ESC or GS in a customer's name would be a command to the printer.
fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// `text` in lines of at most `columns` display columns. A `\n` ends a line; a long line
/// breaks before the character that would not fit, or before an ASCII word that would be
/// cut when the word fits a line by itself; spaces at a break are dropped.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let chars: Vec<char> = clean(paragraph).chars().collect();
        let mut line = String::new();
        let mut width = 0;
        for (i, &c) in chars.iter().enumerate() {
            let starts_word = c.is_ascii_graphic() && (i == 0 || !chars[i - 1].is_ascii_graphic());
            // What must fit on this line: a whole word at its start (when the word fits a
            // line at all), else the character.
            let need = if starts_word {
                let word = chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_graphic())
                    .count();
                if word <= columns {
                    word
                } else {
                    1
                }
            } else {
                columns_of(c)
            };
            if width > 0 && width + need > columns {
                out.push(line.trim_end().to_string());
                line.clear();
                width = 0;
                if c == ' ' {
                    continue;
                }
            }
            line.push(c);
            width += columns_of(c);
        }
        out.push(line.trim_end().to_string());
    }
    out
}

/// Display columns of `text` (see [`columns_of`]).
pub fn width(text: &str) -> usize {
    text.chars().map(columns_of).sum()
}

// ---- where the bytes go --------------------------------------------------------------------

/// How a printer of the settings is reached, as the settings word says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A printer of the system, sent the PDF (platform::printing).
    System,
    /// An ESC/POS printer on the network: the setting is its `host:port`.
    Network,
    /// An ESC/POS printer of the system, sent the bytes raw: the setting is its name.
    Raw,
}

impl Kind {
    pub const WORDS: &'static [&'static str] = &["system", "escpos_network", "escpos_raw"];

    pub fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "" | "system" => Kind::System,
            "escpos_network" => Kind::Network,
            "escpos_raw" => Kind::Raw,
            _ => return None,
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            Kind::System => "system",
            Kind::Network => "escpos_network",
            Kind::Raw => "escpos_raw",
        }
    }
}

/// An ESC/POS printer, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `host:port` (IPv6 in brackets).
    Network(String),
    /// A printer's name, fed raw.
    Raw(String),
}

impl Target {
    /// The printer of `kind` as set (`value`); `what` names it in errors (热敏纸打印机…).
    /// None for [`Kind::System`]. Errors name the field `printers`.
    pub fn of(what: &str, kind: Kind, value: &str) -> Result<Option<Target>> {
        Ok(match kind {
            Kind::System => None,
            Kind::Network => Some(Target::Network(address(what, value)?)),
            Kind::Raw => {
                let name = crate::platform::printing::printer_name(what, value)?;
                if name.is_empty() {
                    return Err(Error::invalid(
                        "printers",
                        format!("{what}设为 ESC/POS（按打印机名称）时，须写打印机名称"),
                    ));
                }
                Some(Target::Raw(name))
            }
        })
    }

    /// As a clerk reads it: the address, or the printer's name.
    pub fn shown(&self) -> &str {
        match self {
            Target::Network(a) | Target::Raw(a) => a,
        }
    }
}

/// A network printer's address as typed (`192.168.1.50:9100`, `192.168.1.50` for port
/// 9100, `pos-printer.lan:9100`, `[fe80::1]:9100`), checked and written out with its port.
pub fn address(what: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let bad = |why: &str| {
        Error::invalid(
            "printers",
            format!("{what}地址“{v}”{why}：应写成 IP 地址:端口，例如 192.168.1.50:9100"),
        )
    };
    if v.is_empty() {
        return Err(Error::invalid(
            "printers",
            format!("{what}设为网络 ESC/POS 打印机时，须写它的地址，例如 192.168.1.50:9100"),
        ));
    }
    if v.chars().count() > TARGET_MAX {
        return Err(bad("太长"));
    }
    let (host, port) = if let Some(rest) = v.strip_prefix('[') {
        let (ip6, after) = rest.split_once(']').ok_or_else(|| bad("不对"))?;
        ip6.parse::<std::net::Ipv6Addr>()
            .map_err(|_| bad("不是有效的 IPv6 地址"))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| bad("不对"))?),
        };
        (format!("[{ip6}]"), port)
    } else {
        let (host, port) = match v.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (v, None),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !host_ok {
            return Err(bad("不对"));
        }
        let all_digits = host
            .split('.')
            .all(|l| l.chars().all(|c| c.is_ascii_digit()));
        if all_digits && host.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(bad("不是有效的 IP 地址"));
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.len() <= 5 => n,
            _ => return Err(bad("的端口不对（1 到 65535，通常是 9100）")),
        },
    };
    Ok(format!("{host}:{port}"))
}

fn refused(message: String) -> Error {
    Error::invalid("printer", message)
}

/// Sends `bytes` to `target`, titled `title` where the print system shows one. Returns
/// what the clerk is told when it was accepted; an error on `printer`, in Chinese and
/// naming the printer, when it was not.
pub fn send(target: &Target, title: &str, bytes: &[u8]) -> Result<String> {
    match target {
        Target::Network(addr) => network(addr, bytes),
        Target::Raw(name) => {
            crate::platform::printing::printer_name("", name)
                .map_err(|e| refused(e.to_string()))?;
            raw::send(name, title, bytes)
        }
    }
}

/// Plain TCP to the printer's raw port: connect (each address the name resolves to, within
/// [`CONNECT_TIMEOUT`]), write everything (no write stalled longer than [`WRITE_TIMEOUT`]),
/// close our side, and wait up to [`CLOSE_WAIT`] for the printer to close or reset its own:
/// a reset means the job did not arrive whole.
fn network(addr: &str, bytes: &[u8]) -> Result<String> {
    let unreachable = |why: String| {
        refused(format!(
            "连不上热敏打印机 {addr}：{why}。请确认打印机已开机、接好网线，地址和端口（通常是 9100）与打印机自检页上的一致"
        ))
    };
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .map_err(|_| unreachable("找不到这个地址".into()))?
        .collect();
    let mut last = String::from("找不到这个地址");
    let mut stream = None;
    for a in addrs {
        match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = connect_error(&e),
        }
    }
    let mut stream = stream.ok_or_else(|| unreachable(last))?;
    let broken = |e: std::io::Error| {
        refused(format!(
            "发送到热敏打印机 {addr} 时中断（{}）：这张可能没有打全，请检查打印机（缺纸、开盖）后重新打印",
            io_words(&e)
        ))
    };
    stream
        .set_write_timeout(Some(WRITE_TIMEOUT))
        .map_err(broken)?;
    stream.write_all(bytes).map_err(broken)?;
    stream.flush().map_err(broken)?;
    stream.shutdown(std::net::Shutdown::Write).map_err(broken)?;
    // The printer may answer with status bytes; read them away until it closes. A printer
    // that keeps the connection open past CLOSE_WAIT has taken the job.
    stream.set_read_timeout(Some(CLOSE_WAIT)).map_err(broken)?;
    let mut buf = [0u8; 256];
    let mut answered = 0usize;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answered += n;
                if answered > 64 * 1024 {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break
            }
            Err(e) => return Err(broken(e)),
        }
    }
    Ok(format!("已发送到热敏打印机 {addr}（{} 字节）", bytes.len()))
}

fn connect_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "打印机拒绝连接".into(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            format!("{} 秒内没有应答", CONNECT_TIMEOUT.as_secs())
        }
        _ => io_words(e),
    }
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "打印机拒绝连接".into(),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
            "打印机断开了连接".into()
        }
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            "打印机长时间不接收数据".into()
        }
        std::io::ErrorKind::BrokenPipe => "连接已断开".into(),
        _ => format!("系统错误：{e}"),
    }
}

/// A printer of the system, fed the bytes as they are.
#[cfg(not(windows))]
mod raw {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use super::refused;
    use crate::platform::error::Result;

    /// CUPS: `lp -d NAME -o raw -t TITLE`, the job on its standard input (no file, no
    /// shell). CUPS has the whole job once `lp` answers with success.
    pub fn send(name: &str, title: &str, bytes: &[u8]) -> Result<String> {
        let mut child = Command::new("lp")
            .args(["-d", name, "-o", "raw", "-t", title])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| refused(format!("无法启动打印（{e}）。请检查打印服务")))?;
        let written = child
            .stdin
            .take()
            .map(|mut stdin| stdin.write_all(bytes))
            .unwrap_or(Ok(()));
        let out = child
            .wait_with_output()
            .map_err(|e| refused(format!("打印到“{name}”失败：{e}")))?;
        if !out.status.success() || written.is_err() {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(refused(format!("打印到“{name}”失败：{err}")));
        }
        let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(if said.is_empty() {
            format!("已发送到{name}")
        } else {
            said
        })
    }
}

/// The Windows spooler, with the `RAW` datatype: the bytes reach the printer's port as
/// they are, past its driver.
#[cfg(windows)]
mod raw {
    use windows_sys::Win32::Foundation::GetLastError;
    use windows_sys::Win32::Graphics::Printing::{
        ClosePrinter, EndDocPrinter, EndPagePrinter, OpenPrinterW, StartDocPrinterW,
        StartPagePrinter, WritePrinter, DOC_INFO_1W, PRINTER_HANDLE,
    };

    use super::refused;
    use crate::platform::error::Result;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    /// OpenPrinterW, StartDocPrinterW (DOC_INFO_1 with datatype "RAW"), StartPagePrinter,
    /// WritePrinter until every byte is written, EndPagePrinter, EndDocPrinter. The job is
    /// the spooler's once EndDocPrinter succeeded.
    pub fn send(name: &str, title: &str, bytes: &[u8]) -> Result<String> {
        let printer = wide(name);
        let doc = wide(title);
        let datatype = wide("RAW");
        let failed = |step: &str| {
            // SAFETY: reads the calling thread's last error; no pointer involved.
            let code = unsafe { GetLastError() };
            refused(format!(
                "打印到“{name}”失败（{step}，错误 {code}）：请确认打印机名称与“设备和打印机”中的一致，且打印机在线"
            ))
        };
        let mut handle = PRINTER_HANDLE::default();
        // SAFETY: `printer` is a NUL-terminated UTF-16 string alive for the call; `handle`
        // receives the printer handle; no defaults are passed.
        if unsafe { OpenPrinterW(printer.as_ptr(), &mut handle, std::ptr::null()) } == 0 {
            return Err(failed("找不到打印机"));
        }
        let result = (|| {
            let info = DOC_INFO_1W {
                pDocName: doc.as_ptr() as *mut u16,
                pOutputFile: std::ptr::null_mut(),
                pDatatype: datatype.as_ptr() as *mut u16,
            };
            // SAFETY: `handle` is open; `info` points at NUL-terminated strings alive for
            // the call; level 1 matches DOC_INFO_1W.
            let job = unsafe { StartDocPrinterW(handle, 1, &info) };
            if job == 0 {
                return Err(failed("打印任务没有建立"));
            }
            // SAFETY: a document was started on `handle`.
            if unsafe { StartPagePrinter(handle) } == 0 {
                // SAFETY: ends the document started above.
                unsafe { EndDocPrinter(handle) };
                return Err(failed("打印任务没有建立"));
            }
            let mut sent = 0usize;
            while sent < bytes.len() {
                let chunk = &bytes[sent..(sent + 64 * 1024).min(bytes.len())];
                let mut written: u32 = 0;
                // SAFETY: `chunk` is valid for `chunk.len()` bytes; `written` receives the
                // count.
                let ok = unsafe {
                    WritePrinter(
                        handle,
                        chunk.as_ptr().cast(),
                        chunk.len() as u32,
                        &mut written,
                    )
                };
                if ok == 0 || written == 0 {
                    // SAFETY: ends the page and the document started above.
                    unsafe {
                        EndPagePrinter(handle);
                        EndDocPrinter(handle);
                    }
                    return Err(failed("数据没有送完"));
                }
                sent += written as usize;
            }
            // SAFETY: the page and the document started above are ended once each.
            let ended = unsafe { EndPagePrinter(handle) != 0 && EndDocPrinter(handle) != 0 };
            if !ended {
                return Err(failed("打印任务没有完成"));
            }
            Ok(format!("已发送到{name}（任务 {job}）"))
        })();
        // SAFETY: `handle` came from OpenPrinterW and is closed exactly once.
        unsafe { ClosePrinter(handle) };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_never_cuts_a_chinese_character() {
        // 47 columns of ASCII, then a Chinese character: it goes whole to the next line.
        let text = format!("{}中文", "a".repeat(47));
        let lines = wrap(&text, 48);
        assert_eq!(lines, vec!["a".repeat(47), "中文".to_string()]);
        for line in wrap(&"服务交接单".repeat(20), 48) {
            assert!(width(&line) <= 48, "{line}");
        }
    }

    #[test]
    fn an_ascii_word_moves_whole_to_the_next_line() {
        let lines = wrap("序列号 SN123456789 型号 KFR-35GW", 16);
        assert_eq!(lines, vec!["序列号", "SN123456789 型号", "KFR-35GW"]);
    }

    #[test]
    fn control_characters_never_reach_the_printer() {
        let mut r = Receipt::new();
        r.text("张\x1b@三\x1dV\x00");
        let (bytes, _) = r.finish();
        // Only the ESC @ FS & of the start.
        assert_eq!(bytes.iter().filter(|&&b| b == ESC).count(), 1);
        assert!(!bytes.contains(&GS));
    }

    #[test]
    fn an_address_gets_its_port_and_a_bad_one_is_refused_naming_the_field() {
        assert_eq!(
            address("热敏纸打印机", " 192.168.1.50 ").unwrap(),
            "192.168.1.50:9100"
        );
        assert_eq!(address("", "Printer.lan:9101").unwrap(), "printer.lan:9101");
        assert_eq!(address("", "[fe80::1]:9100").unwrap(), "[fe80::1]:9100");
        for bad in [
            "",
            "192.168.1.300",
            "a b:9100",
            "host:0",
            "host:70000",
            "host:x",
            "-x:1",
        ] {
            let e = address("热敏纸打印机", bad).unwrap_err();
            assert!(e.to_string().contains("热敏纸打印机"), "{bad}: {e}");
        }
    }
}
