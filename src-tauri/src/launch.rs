//! What a launch asks for on its command line (or in the environment): the data folder,
//! and another PC's browser door to work with instead of this PC's data. Read once in
//! [`crate::run`]; a test hands [`crate::build_app`] its own.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable that names the data folder when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "AFTERSALES_DATA_DIR";

/// Another PC's browser door this desktop works on instead of its own data (several desks
/// on a LAN): `--server https://192.168.1.10:8765/` or [`SERVER_ENV`]. The window then
/// works on that PC's desk, with that PC's logins, its calls sent over HTTPS from Rust
/// ([`crate::remote`]); only `https://` is taken.
pub const SERVER_ENV: &str = "AFTERSALES_SERVER";

/// What this launch asks for. An `Err` is the sentence shown when the desk cannot start.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// `Ok(None)`: the OS app-data folder.
    pub data_dir: Result<Option<PathBuf>, String>,
    /// `Ok(None)`: this PC's own desk.
    pub server: Result<Option<tauri::Url>, String>,
}

impl Launch {
    /// From the program's arguments and environment.
    pub fn from_os() -> Launch {
        let args = || std::env::args_os().skip(1);
        Launch {
            data_dir: data_dir_from(args(), std::env::var_os(DATA_DIR_ENV)),
            server: server_from(args(), std::env::var_os(SERVER_ENV)),
        }
    }

    /// A launch on `dir`, showing this PC's own desk (tests, training data).
    pub fn on_dir(dir: impl Into<PathBuf>) -> Launch {
        Launch {
            data_dir: Ok(Some(dir.into())),
            server: Ok(None),
        }
    }
}

/// Reads `--data-dir DIR` or `--data-dir=DIR` from the program arguments (without the
/// program name), else the value of [`DATA_DIR_ENV`] when it is set and not empty.
/// `Ok(None)` means "use the OS app-data folder". Other arguments are ignored: launchers
/// such as WebDriver may add their own.
pub fn data_dir_from(
    args: impl IntoIterator<Item = OsString>,
    env: Option<OsString>,
) -> Result<Option<PathBuf>, String> {
    let mut args = args.into_iter();
    let mut found = None;
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            match args.next() {
                Some(value) if !value.is_empty() => found = Some(PathBuf::from(value)),
                _ => return Err("--data-dir 后面需要给出数据文件夹".to_string()),
            }
        } else if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            if value.is_empty() {
                return Err("--data-dir 后面需要给出数据文件夹".to_string());
            }
            found = Some(PathBuf::from(value));
        }
    }
    if found.is_none() {
        found = env.filter(|v| !v.is_empty()).map(PathBuf::from);
    }
    Ok(found)
}

/// Reads `--server URL` from the program arguments, else [`SERVER_ENV`].
pub fn server_from(
    args: impl IntoIterator<Item = OsString>,
    env: Option<OsString>,
) -> Result<Option<tauri::Url>, String> {
    let mut args = args.into_iter();
    let mut found = env.filter(|v| !v.is_empty());
    while let Some(arg) = args.next() {
        if arg == "--server" {
            found = args.next();
        }
    }
    let Some(text) = found else { return Ok(None) };
    let text = text.to_string_lossy().trim().to_string();
    let url = tauri::Url::parse(&text).map_err(|e| {
        format!("--server 应为另一台电脑的网址，如 https://192.168.1.10:8765/（{e}）")
    })?;
    if url.scheme() != "https" {
        return Err(format!(
            "--server 应以 https:// 开头（局域网服务须加密；桌面程序不连接不加密的服务）：{text}"
        ));
    }
    Ok(Some(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn server_comes_from_the_argument_or_the_environment() {
        let none = server_from(args(&["--data-dir", "x"]), None).unwrap();
        assert_eq!(none, None);
        let arg = server_from(args(&["--server", "https://192.168.1.10:8765/"]), None)
            .unwrap()
            .unwrap();
        assert_eq!(arg.as_str(), "https://192.168.1.10:8765/");
        let env = server_from(args(&[]), Some("https://10.0.0.2:8765".into()))
            .unwrap()
            .unwrap();
        assert_eq!(env.host_str(), Some("10.0.0.2"));
        let err = server_from(args(&["--server", "192.168.1.10"]), None).unwrap_err();
        assert!(err.contains("网址"), "{err}");
        let err = server_from(args(&["--server", "file:///etc/passwd"]), None).unwrap_err();
        assert!(err.contains("https://"), "{err}");
        // Plain HTTP would carry passwords and the archive in clear: refused.
        let err = server_from(args(&["--server", "http://192.168.1.10:8765/"]), None).unwrap_err();
        assert!(err.contains("https://"), "{err}");
    }

    #[test]
    fn data_dir_argument_wins_over_environment() {
        let got = data_dir_from(args(&["--data-dir", "/a"]), Some("/b".into()));
        assert_eq!(got, Ok(Some(PathBuf::from("/a"))));
        let got = data_dir_from(args(&["--x", "--data-dir=/c"]), Some("/b".into()));
        assert_eq!(got, Ok(Some(PathBuf::from("/c"))));
    }

    #[test]
    fn data_dir_falls_back_to_environment_then_os_folder() {
        assert_eq!(
            data_dir_from(args(&[]), Some("/b".into())),
            Ok(Some(PathBuf::from("/b")))
        );
        assert_eq!(data_dir_from(args(&[]), Some("".into())), Ok(None));
        assert_eq!(data_dir_from(args(&["--other"]), None), Ok(None));
    }

    #[test]
    fn data_dir_without_value_is_an_error() {
        assert!(data_dir_from(args(&["--data-dir"]), None).is_err());
        assert!(data_dir_from(args(&["--data-dir="]), None).is_err());
    }
}
