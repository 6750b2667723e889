//! The `aftersales` program of this package as the door tests run it: on a data folder of
//! the test's own (never the user's), one `call` at a time, and a free loopback port.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// `aftersales --data-dir DIR …`, the environment's data folder ignored.
pub fn aftersales(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR");
    cmd
}

/// `aftersales call COMMAND ARGS` on `dir`: its JSON answer; panics on a refusal.
pub fn call(dir: &Path, command: &str, args: Value) -> Value {
    let out = aftersales(dir)
        .args(["call", command, &args.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A port of 127.0.0.1 nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
