//! The Linux programs the tests read our files back with — poppler (`pdftotext`,
//! `pdftoppm`, `pdfinfo`, `pdffonts`, `pdfimages`), `zbarimg`, and `python3` for the
//! calendar's and the phones' references — run through one function, [`output`], on every
//! platform.
//!
//! On Linux (and any Unix) the program is started directly.
//!
//! Built for Windows, this test binary runs under Wine 8.0 (`cargo xtask test`, step
//! `wine-tests`), where those programs exist only as Linux programs. Wine's CreateProcess
//! does start a Linux (ELF) program, but it cannot be used: Wine forks it off and hands back
//! no process (Rust's `spawn` gives process id 0 and `wait` fails with ERROR_INVALID_HANDLE,
//! so there is no exit status and no way to know it ended), and what the program writes to
//! the pipe Rust gives it as stdout never arrives (tried on 2026-12-04 with `/bin/sh -c
//! 'echo …'`: the read ends at once with nothing; redirected to a file the text is there).
//! So the xtask runs a small bridge on 127.0.0.1 (`xtask/src/wine.rs`): the Windows test
//! sends it the program's name, its arguments, the environment set on the `Command` and
//! the bytes for its stdin; the bridge runs the Linux program, with every argument that is
//! an absolute Windows path (`C:\users\…`, `Z:\work\…`) turned into the Linux path Wine maps
//! it to, and sends back the exit code, stdout and stderr. The files stay where the Windows
//! build wrote them; only their names cross over. The bridge's address and a secret it
//! checks come from `AFTERSALES_TOOL_BRIDGE` and `AFTERSALES_TOOL_TOKEN`; without them the
//! test fails saying so, it never skips.

use std::process::{Command, Output};

/// Runs `command` to the end with nothing on its stdin; its exit status, stdout and stderr.
/// Err when it could not be started at all (not installed, or no bridge under Windows).
pub(crate) fn output(command: &mut Command) -> std::io::Result<Output> {
    output_with_input(command, &[])
}

/// [`output`] with `input` written to the program's stdin (then closed).
pub(crate) fn output_with_input(command: &mut Command, input: &[u8]) -> std::io::Result<Output> {
    imp::output(command, input)
}

#[cfg(not(windows))]
mod imp {
    use std::io::Write;
    use std::process::{Command, Output, Stdio};

    pub(super) fn output(command: &mut Command, input: &[u8]) -> std::io::Result<Output> {
        if input.is_empty() {
            return command.stdin(Stdio::null()).output();
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input = input.to_vec();
        // Written beside the reading, so a program that answers as it reads never blocks.
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output()?;
        writer.join().expect("the stdin writer does not panic")?;
        Ok(out)
    }
}

#[cfg(windows)]
mod imp {
    use std::io::{self, BufReader, BufWriter, Read, Write};
    use std::net::TcpStream;
    use std::os::windows::process::ExitStatusExt;
    use std::process::{Command, ExitStatus, Output};

    /// What the bridge accepts at most in one answer (a page raster of an A4 sheet at
    /// 300 dpi in grey is 8.7 MB; nothing read back comes near this).
    const MOST: u32 = 256 * 1024 * 1024;

    fn var(name: &str) -> io::Result<String> {
        std::env::var(name).map_err(|_| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{name} is not set: under Windows the Linux tools are reached through the \
                     bridge that `cargo xtask test` (step wine-tests) starts"
                ),
            )
        })
    }

    fn frame(to: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a field over 4 GB"))?;
        to.write_all(&len.to_le_bytes())?;
        to.write_all(bytes)
    }

    fn count(to: &mut impl Write, n: usize) -> io::Result<()> {
        let n = u32::try_from(n)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "too many fields"))?;
        to.write_all(&n.to_le_bytes())
    }

    fn read_u32(from: &mut impl Read) -> io::Result<u32> {
        let mut b = [0u8; 4];
        from.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn read_frame(from: &mut impl Read) -> io::Result<Vec<u8>> {
        let len = read_u32(from)?;
        if len > MOST {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the bridge answered {len} bytes, more than {MOST}"),
            ));
        }
        let mut bytes = vec![0u8; len as usize];
        from.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    fn text(s: &std::ffi::OsStr) -> io::Result<Vec<u8>> {
        s.to_str().map(|s| s.as_bytes().to_vec()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("not Unicode: {s:?}"))
        })
    }

    pub(super) fn output(command: &mut Command, input: &[u8]) -> io::Result<Output> {
        let address = var("AFTERSALES_TOOL_BRIDGE")?;
        let token = var("AFTERSALES_TOOL_TOKEN")?;
        let stream = TcpStream::connect(&address)
            .map_err(|e| io::Error::new(e.kind(), format!("the tool bridge at {address}: {e}")))?;
        let mut to = BufWriter::new(stream.try_clone()?);
        to.write_all(b"ASTB1\n")?;
        frame(&mut to, token.as_bytes())?;
        frame(&mut to, &text(command.get_program())?)?;
        let args: Vec<Vec<u8>> = command.get_args().map(text).collect::<io::Result<_>>()?;
        count(&mut to, args.len())?;
        for arg in &args {
            frame(&mut to, arg)?;
        }
        let mut envs = Vec::new();
        for (key, value) in command.get_envs() {
            if let Some(value) = value {
                let mut pair = text(key)?;
                pair.push(b'=');
                pair.extend(text(value)?);
                envs.push(pair);
            }
        }
        count(&mut to, envs.len())?;
        for pair in &envs {
            frame(&mut to, pair)?;
        }
        frame(&mut to, input)?;
        to.flush()?;
        drop(to);
        let mut from = BufReader::new(stream);
        let code = read_u32(&mut from)?;
        let stdout = read_frame(&mut from)?;
        let stderr = read_frame(&mut from)?;
        Ok(Output {
            status: ExitStatus::from_raw(code),
            stdout,
            stderr,
        })
    }
}
