//! The people at the desk: user accounts with argon2 password hashes, their roles, logins,
//! sessions, and the actor every command runs as.
//!
//! - A [`Desk`] always acts as someone ([`Actor`]). Opened in-process (the command line,
//!   scripts, tests) it acts as [`Actor::script`], the owner of the file with every role:
//!   whoever can open the file holds all of it anyway. The doors (desktop window, browser
//!   door) never trust that: for every request they call [`crate::api::call_in_session`],
//!   which makes the desk act as the session's user, or as nobody.
//! - Sessions, failed tries and the setup code live in the database (issue 19), not in a
//!   door's memory, so any door serves any desk: a session opened through one door works
//!   through another, failures through every door count together, and the setup code
//!   the first door printed is the one all accept. A session is stored as the SHA-256 of
//!   its token, never the token. It ends [`SESSION_LIFETIME_HOURS`] after its login
//!   whatever happens, and after [`SESSION_IDLE_MINUTES`] without a person's request (a
//!   screen's own polling does not count). A password change, a reset by the
//!   administrator, a role change and a deactivation end every other session of that
//!   user, in the transaction that makes the change.
//! - Wrong passwords slow down the address that sends them ([`PEER_FREE_FAILURES`] free,
//!   then a wait from [`FIRST_WAIT_SECONDS`], doubling up to [`PEER_MAX_WAIT_SECONDS`]) and, once a login has drawn
//!   [`LOGIN_FREE_FAILURES`] from anywhere, every address that failed recently on it; an
//!   address with no recent failure always gets its password checked, so a foreign
//!   machine cannot lock the right password out. Both tables (`login_failure`) forget
//!   after [`FAILURE_MEMORY_MINUTES`] and hold at most [`FAILURE_TABLE_MAX`] entries
//!   each. Times are stored to the second, as every stamp is. An unknown
//!   login is checked against a dummy hash, so it costs the same argon2 work as a known one.
//! - While no user exists the database holds a one-time setup code ([`setup_code`]): the
//!   first run's wizard needs it, and is refused from any other computer than the desk's
//!   own. The first account's transaction deletes it.

use std::net::IpAddr;
use std::sync::OnceLock;

use crate::platform::db::{Db, Optional};
use crate::platform::time::Stamp;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::platform::error::{Error, Result};
use crate::{people::audit, Desk};

/// The jobs at the desk (DOMAIN.md, "The people at the desk"), plus the administrator who
/// manages users and backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Clerk,
    Dispatcher,
    Engineer,
    Storekeeper,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Clerk,
        Role::Dispatcher,
        Role::Engineer,
        Role::Storekeeper,
        Role::Manager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Dispatcher => "dispatcher",
            Role::Engineer => "engineer",
            Role::Storekeeper => "storekeeper",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// As the desk calls it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "前台",
            Role::Dispatcher => "派工",
            Role::Engineer => "工程师",
            Role::Storekeeper => "库管",
            Role::Manager => "主管",
            Role::Admin => "管理员",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Who a command runs as.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Actor {
    /// None for the script actor and for nobody.
    pub id: Option<i64>,
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// The service engineer this account works as (用户管理), whose orders are its own
    /// (`orders.list {mine: true}`); None when the account is not linked.
    pub engineer_id: Option<i64>,
}

impl Actor {
    /// The owner of the file, acting in-process (command line, scripts, tests): every role.
    pub fn script() -> Actor {
        Actor {
            id: None,
            login: "script".into(),
            name: "系统".into(),
            roles: Role::ALL.to_vec(),
            engineer_id: None,
        }
    }

    /// Not logged in: no role at all.
    pub fn nobody() -> Actor {
        Actor {
            id: None,
            login: String::new(),
            name: "未登录".into(),
            roles: Vec::new(),
            engineer_id: None,
        }
    }

    /// Holds at least one of `roles`.
    pub fn holds_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    pub fn is_nobody(&self) -> bool {
        self.id.is_none() && self.roles.is_empty()
    }
}

/// A session ends after this long without a person's request.
pub const SESSION_IDLE_MINUTES: i64 = 240;
/// A session ends this long after its login, however busy.
pub const SESSION_LIFETIME_HOURS: i64 = 12;
/// Wrong passwords an address may send before it has to wait.
pub const PEER_FREE_FAILURES: u32 = 5;
/// The first wait, after the free failures; it doubles with each further failure.
pub const FIRST_WAIT_SECONDS: i64 = 30;
/// The longest an address waits between tries.
pub const PEER_MAX_WAIT_SECONDS: i64 = 15 * 60;
/// Wrong passwords for one login, from any address, before every address that failed on
/// it recently has to wait too.
pub const LOGIN_FREE_FAILURES: u32 = 10;
/// The longest such an address waits because of the login.
pub const LOGIN_MAX_WAIT_SECONDS: i64 = 5 * 60;
/// A failure is forgotten this long after the last one of its address (or login).
pub const FAILURE_MEMORY_MINUTES: i64 = 60;
/// Entries each failure table keeps at most; the oldest goes first.
pub const FAILURE_TABLE_MAX: usize = 10_000;
/// Shortest password, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;

/// What a desk keeps in its own memory about logins: only a counter for tests. Sessions,
/// failed tries and the setup code live in the database (see the module's notes), so
/// that any door serves any desk.
#[derive(Default)]
pub(crate) struct Sessions {
    /// Passwords checked against a hash (argon2 verifications), for the test that an
    /// unknown login costs the same work as a known one.
    checked: u64,
}

/// The two tables of failed tries, one per kind of key, in `login_failure.kind`.
#[derive(Debug, Clone, Copy)]
enum Strikes {
    /// Per client address (the desk's own window and command line count as one).
    Peer,
    /// Per login, from every address.
    Login,
}

/// A key's recent failures and the time of the last one.
#[derive(Debug, Clone, Copy)]
struct Struck {
    failures: u32,
    last: DateTime<Utc>,
}

impl Strikes {
    fn kind(self) -> &'static str {
        match self {
            Strikes::Peer => "peer",
            Strikes::Login => "login",
        }
    }

    fn fresh(last: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last <= Duration::minutes(FAILURE_MEMORY_MINUTES)
    }

    /// The row of `key`, as stored (forgotten or not).
    fn row(self, db: &Db, key: &str) -> Result<Option<Struck>> {
        Ok(db
            .prepare_cached(
                "SELECT failures, last_at FROM login_failure WHERE kind = ?1 AND key = ?2",
            )?
            .query_row([self.kind(), key], |r| {
                Ok(Struck {
                    failures: r.get(0)?,
                    last: r.get::<_, Stamp>(1)?.instant(),
                })
            })
            .optional()?)
    }

    /// Recent failures of `key`.
    fn count(self, db: &Db, key: &str, now: DateTime<Utc>) -> Result<u32> {
        Ok(match self.row(db, key)? {
            Some(s) if Strikes::fresh(s.last, now) => s.failures,
            _ => 0,
        })
    }

    /// How much longer `key` must wait before its next try: after `free` failures the
    /// wait is [`FIRST_WAIT_SECONDS`], then doubles with each further failure up to
    /// `max_seconds`.
    fn wait(
        self,
        db: &Db,
        key: &str,
        now: DateTime<Utc>,
        free: u32,
        max_seconds: i64,
    ) -> Result<Option<Duration>> {
        let Some(struck) = self.row(db, key)? else {
            return Ok(None);
        };
        if !Strikes::fresh(struck.last, now) || struck.failures < free {
            return Ok(None);
        }
        let doublings = (struck.failures - free).min(20);
        let seconds = (FIRST_WAIT_SECONDS << doublings).min(max_seconds);
        let left = struck.last + Duration::seconds(seconds) - now;
        Ok((left > Duration::zero()).then_some(left))
    }

    /// One more failure of `key`, written in the caller's transaction. A full table first
    /// drops what it has forgotten, then, if still full, its oldest entry.
    fn strike(self, tx: &Db, key: &str, now: DateTime<Utc>) -> Result<()> {
        let before = self.row(tx, key)?;
        if before.is_none() && self.size(tx)? >= FAILURE_TABLE_MAX {
            let forgotten = Stamp::from(now - Duration::minutes(FAILURE_MEMORY_MINUTES));
            tx.execute(
                "DELETE FROM login_failure WHERE kind = ?1 AND last_at < ?2",
                params![self.kind(), forgotten],
            )?;
            if self.size(tx)? >= FAILURE_TABLE_MAX {
                tx.execute(
                    "DELETE FROM login_failure WHERE kind = ?1 AND key =
                       (SELECT key FROM login_failure WHERE kind = ?1
                        ORDER BY last_at, key LIMIT 1)",
                    [self.kind()],
                )?;
            }
        }
        let failures = match before {
            Some(s) if Strikes::fresh(s.last, now) => s.failures.saturating_add(1),
            _ => 1,
        };
        tx.prepare_cached(
            "INSERT INTO login_failure (kind, key, failures, last_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, key) DO UPDATE
               SET failures = excluded.failures, last_at = excluded.last_at",
        )?
        .execute(params![self.kind(), key, failures, Stamp::from(now)])?;
        Ok(())
    }

    fn forget(self, tx: &Db, key: &str) -> Result<()> {
        tx.execute(
            "DELETE FROM login_failure WHERE kind = ?1 AND key = ?2",
            [self.kind(), key],
        )?;
        Ok(())
    }

    /// Entries of this table, forgotten ones included.
    fn size(self, db: &Db) -> Result<usize> {
        let n: i64 = db.query_row(
            "SELECT count(*) FROM login_failure WHERE kind = ?1",
            [self.kind()],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}

/// How big the failure tables are now (addresses, logins): for the test that they stay
/// bounded.
pub fn failure_table_sizes(desk: &Desk) -> Result<(usize, usize)> {
    Ok((
        Strikes::Peer.size(desk.conn())?,
        Strikes::Login.size(desk.conn())?,
    ))
}

/// How many passwords this desk has checked against a stored (or the dummy) hash.
pub fn password_checks(desk: &Desk) -> u64 {
    desk.sessions.checked
}

/// The key an address is counted under: an IPv4 address (also written as IPv6), an IPv6
/// network's /64 (one machine can pick any address inside its /64), or the desk itself
/// (its window and command line have no address).
fn peer_key(peer: Option<IpAddr>) -> String {
    match peer.map(|ip| ip.to_canonical()) {
        None => "local".into(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The address as the audit trail names it.
fn peer_label(peer: Option<IpAddr>) -> String {
    match peer.map(|ip| ip.to_canonical()) {
        None => "本机（桌面程序或命令行）".into(),
        Some(ip) => ip.to_string(),
    }
}

/// “请 N 秒后再试” / “请 N 分钟后再试”.
fn try_again(left: Duration) -> String {
    let seconds = left.num_seconds().max(1);
    if seconds < 60 {
        format!("请 {seconds} 秒后再试")
    } else {
        format!("请 {} 分钟后再试", (seconds + 59) / 60)
    }
}

/// How long the calling address must still wait before trying a password again (its own
/// failures; and, with `login`, those of the login when the address failed recently), as
/// every door has counted them.
fn throttled(desk: &Desk, login: Option<&str>) -> Result<Option<Duration>> {
    let now = desk.now();
    let peer = peer_key(desk.caller().peer);
    let db = desk.conn();
    if let Some(left) =
        Strikes::Peer.wait(db, &peer, now, PEER_FREE_FAILURES, PEER_MAX_WAIT_SECONDS)?
    {
        return Ok(Some(left));
    }
    let Some(login) = login else {
        return Ok(None);
    };
    if Strikes::Peer.count(db, &peer, now)? == 0 {
        // A desk with no recent failure always gets its password checked.
        return Ok(None);
    }
    Strikes::Login.wait(db, login, now, LOGIN_FREE_FAILURES, LOGIN_MAX_WAIT_SECONDS)
}

// ---- passwords --------------------------------------------------------------------------

fn hash_password(password: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Storage(format!("无法生成随机数：{e}")))?;
    let salt =
        SaltString::encode_b64(&bytes).map_err(|e| Error::Storage(format!("密码加密失败：{e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage(format!("密码加密失败：{e}")))
}

/// Checks `password` against `stored` (argon2 verification, counted on the desk).
fn password_matches(desk: &mut Desk, password: &str, stored: &str) -> bool {
    desk.sessions.checked += 1;
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password nobody knows, made as every stored hash is (same
/// algorithm and parameters): an unknown login is checked against it, so it costs the
/// same work as a known one. Made once per process, on the first login of any kind.
fn dummy_hash() -> Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let mut secret = [0u8; 24];
    getrandom::fill(&mut secret).map_err(|e| Error::Storage(format!("无法生成随机数：{e}")))?;
    let made = hash_password(
        &secret
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    )?;
    Ok(DUMMY.get_or_init(|| made))
}

/// The shipped list of common passwords (Chinese and English habits), one a line,
/// lower case.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Whether `password` is on the list of common passwords (case does not matter).
pub fn is_common_password(password: &str) -> bool {
    let lower = password.trim().to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .any(|line| !line.is_empty() && !line.starts_with('#') && line == lower)
}

/// The rules for a new password; `label` names the field in the message (密码, 新密码).
fn check_password(field: &'static str, label: &str, password: &str, login: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Error::invalid(
            field,
            format!("{label}至少 {PASSWORD_MIN_CHARS} 位"),
        ));
    }
    if chars > 128 {
        return Err(Error::invalid(field, format!("{label}最多 128 位")));
    }
    if password.eq_ignore_ascii_case(login) {
        return Err(Error::invalid(field, format!("{label}不能与登录名相同")));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 3 || is_common_password(password) {
        return Err(Error::invalid(
            field,
            format!("{label}太常见，容易被猜到，请换一个（可用字母、数字和符号组合）"),
        ));
    }
    Ok(())
}

fn check_login(login: &str) -> Result<String> {
    let login = login.trim();
    if login.is_empty() {
        return Err(Error::invalid("login", "请填写登录名"));
    }
    if login.chars().count() > 32 {
        return Err(Error::invalid("login", "登录名最多 32 个字"));
    }
    if login.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("login", "登录名不能含空格"));
    }
    if login.eq_ignore_ascii_case("script") {
        return Err(Error::invalid("login", "“script” 是系统保留的名字"));
    }
    Ok(login.to_string())
}

fn check_roles(roles: &[Role]) -> Result<Vec<Role>> {
    let mut out: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| roles.contains(r))
        .collect();
    out.dedup();
    if out.is_empty() {
        return Err(Error::invalid("roles", "请至少选择一个角色"));
    }
    Ok(out)
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn roles_label(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join("、")
}

fn parse_roles(text: &str) -> Vec<Role> {
    text.split(',').filter_map(Role::parse).collect()
}

// ---- reading users -----------------------------------------------------------------------

/// The service engineer an account is linked to, as the account list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LinkedEngineer {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// A user account as the admin sees it (never the hash).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub created_at: String,
    /// The service engineer this account works as, if linked.
    pub engineer: Option<LinkedEngineer>,
}

/// Accounts with their linked engineer. The engineer table belongs to the orders area;
/// the people area only reads its id, name and state through the link's foreign key.
const SELECT_USERS: &str = "SELECT u.id, u.login, u.name, u.roles, u.active, u.created_at,
        u.engineer_id, g.name, g.active
    FROM app_user u LEFT JOIN engineer g ON g.id = u.engineer_id";

fn user_row(r: &crate::platform::db::Row<'_, '_>) -> rusqlite::Result<User> {
    let engineer_id: Option<i64> = r.get(6)?;
    Ok(User {
        id: r.get(0)?,
        login: r.get(1)?,
        name: r.get(2)?,
        roles: parse_roles(&r.get::<_, String>(3)?),
        active: r.get(4)?,
        created_at: r.get(5)?,
        engineer: match engineer_id {
            Some(id) => Some(LinkedEngineer {
                id,
                name: r.get(7)?,
                active: r.get::<_, i64>(8)? == 1,
            }),
            None => None,
        },
    })
}

fn user_by_id(conn: &crate::platform::db::Db, id: i64) -> Result<Option<User>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT_USERS} WHERE u.id = ?1"))?
        .query_row([id], user_row)
        .optional()?)
}

pub(crate) fn any_user(conn: &crate::platform::db::Db) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM app_user)", [], |r| r.get(0))?)
}

impl From<&User> for Actor {
    fn from(u: &User) -> Actor {
        Actor {
            id: Some(u.id),
            login: u.login.clone(),
            name: u.name.clone(),
            roles: u.roles.clone(),
            engineer_id: u.engineer.as_ref().map(|g| g.id),
        }
    }
}

// ---- sessions (used by api::call_in_session) --------------------------------------------

/// A session as stored: its user and its clocks.
struct OpenSession {
    user_id: i64,
    started: DateTime<Utc>,
    last_seen: DateTime<Utc>,
}

impl OpenSession {
    /// Whether it is still within its idle time and its lifetime at `now`.
    fn live(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen <= Duration::minutes(SESSION_IDLE_MINUTES)
            && now - self.started <= Duration::hours(SESSION_LIFETIME_HOURS)
    }
}

/// What is stored of a token: its SHA-256, in hex. Whoever reads the database (or a
/// backup of it) learns no session that would let them in.
fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn session_by_hash(db: &Db, hash: &str) -> Result<Option<OpenSession>> {
    Ok(db
        .prepare_cached("SELECT user_id, started_at, last_seen FROM login_session WHERE hash = ?1")?
        .query_row([hash], |r| {
            Ok(OpenSession {
                user_id: r.get(0)?,
                started: r.get::<_, Stamp>(1)?.instant(),
                last_seen: r.get::<_, Stamp>(2)?.instant(),
            })
        })
        .optional()?)
}

/// Whether `token` is a session that has neither idled out nor outlived its lifetime (its
/// user is checked on use). A store that cannot answer counts as no session.
pub(crate) fn alive(desk: &Desk, token: &str) -> bool {
    let now = desk.now();
    session_by_hash(desk.conn(), &token_hash(token))
        .ok()
        .flatten()
        .is_some_and(|s| s.live(now))
}

/// The user of a live session, refreshing its idle clock when `active` (a person acted,
/// not a screen polling); None when there is no such session, it has idled out or reached
/// its lifetime, or its user was deactivated since.
///
/// Its writes are single statements, each its own transaction (no read before them in
/// the same transaction, so SQLite's busy wait applies; on PostgreSQL a row lock, not a
/// serialisation failure, orders two doors refreshing one session): this runs before the
/// command, outside the command table's retries.
pub(crate) fn resume(desk: &mut Desk, token: &str, active: bool) -> Result<Option<Actor>> {
    let now = desk.now();
    let hash = token_hash(token);
    let Some(session) = session_by_hash(desk.conn(), &hash)? else {
        return Ok(None);
    };
    let forget = |desk: &Desk| -> Result<()> {
        desk.conn()
            .execute("DELETE FROM login_session WHERE hash = ?1", [&hash])?;
        Ok(())
    };
    if !session.live(now) {
        forget(desk)?;
        return Ok(None);
    }
    if active {
        // Only when the stored second moved: a burst of requests writes once.
        desk.conn()
            .prepare_cached(
                "UPDATE login_session SET last_seen = ?2 WHERE hash = ?1 AND last_seen < ?2",
            )?
            .execute(params![hash, Stamp::from(now)])?;
    }
    match user_by_id(desk.conn(), session.user_id)? {
        Some(user) if user.active => Ok(Some(Actor::from(&user))),
        _ => {
            forget(desk)?;
            Ok(None)
        }
    }
}

/// Ends every session of user `id` but `keep` (the token of the session that made the
/// change), in the caller's transaction.
fn end_sessions(tx: &Db, id: i64, keep: Option<&str>) -> Result<()> {
    match keep {
        Some(token) => tx.execute(
            "DELETE FROM login_session WHERE user_id = ?1 AND hash <> ?2",
            params![id, token_hash(token)],
        )?,
        None => tx.execute("DELETE FROM login_session WHERE user_id = ?1", [id])?,
    };
    Ok(())
}

/// Ends every session, forgets every failed try and the setup code: after a restore the
/// accounts are those of the backup (a session may name someone else now), so everyone
/// logs in again, as they did when all this lived in a door's memory.
pub(crate) fn forget_all_logins(tx: &Db) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM login_session; DELETE FROM login_failure; DELETE FROM setup_code;",
    )?;
    Ok(())
}

fn new_token() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| Error::Storage(format!("无法生成会话：{e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new session of `user_id` from `now`, written in the caller's transaction; the token
/// (only its hash is stored).
fn open_session(tx: &Db, user_id: i64, now: DateTime<Utc>) -> Result<String> {
    let token = new_token()?;
    // Ended sessions go when a new one comes: the table holds only live ones.
    tx.execute(
        "DELETE FROM login_session WHERE last_seen < ?1 OR started_at < ?2",
        params![
            Stamp::from(now - Duration::minutes(SESSION_IDLE_MINUTES)),
            Stamp::from(now - Duration::hours(SESSION_LIFETIME_HOURS))
        ],
    )?;
    let at = Stamp::from(now);
    tx.execute(
        "INSERT INTO login_session (hash, user_id, started_at, last_seen)
         VALUES (?1, ?2, ?3, ?3)",
        params![token_hash(&token), user_id, at],
    )?;
    Ok(token)
}

// ---- the first run's setup code ----------------------------------------------------------

/// The one-time code the first-run wizard needs while no user exists (None once one
/// does): 8 random digits, made on the first ask by any door and kept in the database, so
/// that the code the first door printed is the one every door accepts. The browser door
/// prints it on its console; the desktop window hands it to `auth.setup` itself. It is
/// kept as it is, not hashed: the doors must show it, and whoever reads the database
/// holds the desk anyway.
pub fn setup_code(desk: &mut Desk) -> Result<Option<String>> {
    if any_user(desk.conn())? {
        desk.conn().execute("DELETE FROM setup_code", [])?;
        return Ok(None);
    }
    // Two doors starting at once: the first insert wins, both read it back. On
    // PostgreSQL the second insert, meeting the first's row while it was uncommitted,
    // cannot be serialised with it: the second door then simply reads again. (Doors call
    // this at start, outside the command table and its retries.)
    let mut tries = 0;
    loop {
        match make_setup_code(desk) {
            Err(Error::Contended) if tries < 3 => tries += 1,
            made => return made.map(Some),
        }
    }
}

fn make_setup_code(desk: &mut Desk) -> Result<String> {
    let fresh = new_setup_code()?;
    let at = desk.stamp();
    let tx = desk.write()?;
    tx.execute(
        "INSERT INTO setup_code (id, code, made_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO NOTHING",
        params![fresh, at],
    )?;
    let code: String =
        tx.query_row("SELECT code FROM setup_code WHERE id = 1", [], |r| r.get(0))?;
    tx.commit()?;
    Ok(code)
}

fn stored_setup_code(db: &Db) -> Result<Option<String>> {
    Ok(db
        .query_row("SELECT code FROM setup_code WHERE id = 1", [], |r| r.get(0))
        .optional()?)
}

/// A code as a person reads it: `1234-5678`.
pub fn setup_code_shown(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

fn new_setup_code() -> Result<String> {
    // Uniform over 0..10^8: draws of 4,200,000,000 or more (a multiple of 10^8) are
    // drawn again.
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| Error::Storage(format!("无法生成随机数：{e}")))?;
        let n = u32::from_le_bytes(bytes);
        if n < 4_200_000_000 {
            return Ok(format!("{:08}", n % 100_000_000));
        }
    }
}

/// Whether `typed` is `code`, read as a person may type it (dashes, spaces and full-width
/// digits allowed); every character compared, whatever the first difference.
fn same_code(code: &str, typed: &str) -> bool {
    let digits: Option<String> = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .take(64)
        .collect();
    let Some(digits) = digits else { return false };
    digits.len() == code.len()
        && digits
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Whether `ip` is this computer (127.0.0.0/8, ::1, or IPv4 loopback written as IPv6).
fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

// ---- commands ----------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NoArgs {}

#[derive(Debug, Deserialize)]
pub struct LoginArgs {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct LoggedIn {
    /// Sent with every later request of this window (header or Tauri argument).
    pub session: String,
    pub user: Actor,
}

/// 登录. A wrong login name and a wrong password get the same message and the same work
/// (an unknown login is checked against a dummy hash). Each wrong password is counted for
/// the address it came from and for the login, and recorded in the audit trail (who was
/// tried, from where; never the password); an address that has failed too often waits
/// before its next try (see the module's notes).
pub fn login(desk: &mut Desk, a: LoginArgs) -> Result<LoggedIn> {
    let typed = a.login.trim();
    if typed.is_empty() {
        return Err(Error::invalid("login", "请填写登录名"));
    }
    if typed.chars().count() > 32 {
        return Err(Error::invalid("login", "登录名最多 32 个字"));
    }
    if a.password.is_empty() {
        return Err(Error::invalid("password", "请填写密码"));
    }
    let typed = typed.to_string();
    let key = typed.to_lowercase();
    if let Some(left) = throttled(desk, Some(&key))? {
        return Err(Error::invalid(
            "password",
            format!("密码错误次数过多，{}", try_again(left)),
        ));
    }
    // Made before the lookup, so that the first login of a process costs the same
    // whether its login exists or not.
    let dummy = dummy_hash()?;
    let found: Option<(i64, String, bool)> = desk
        .conn()
        .prepare_cached(
            "SELECT id, password_hash, active FROM app_user WHERE lower(login) = lower(?1)",
        )?
        .query_row([&typed], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let stored = found
        .as_ref()
        .map_or(dummy, |(_, hash, _)| hash.as_str())
        .to_string();
    let right = password_matches(desk, &a.password, &stored) && found.is_some();
    let user_id = match found {
        Some((id, _, active)) if right => {
            if !active {
                return Err(Error::invalid("login", "该账号已停用，请联系管理员"));
            }
            id
        }
        other => {
            let now = desk.now();
            let peer = desk.caller().peer;
            let shown: String = typed
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            let at = desk.stamp();
            // Counted where every door reads them, with the audit entry.
            let tx = desk.write()?;
            Strikes::Peer.strike(&tx, &peer_key(peer), now)?;
            Strikes::Login.strike(&tx, &key, now)?;
            audit::record(
                &tx,
                &at,
                "login_failed",
                "user",
                other.map_or(0, |(id, _, _)| id),
                &format!("登录失败：登录名“{shown}”，来自 {}", peer_label(peer)),
            )?;
            tx.commit()?;
            return Err(Error::invalid("password", "登录名或密码不正确"));
        }
    };
    // The address that knows the password starts afresh; the login's count stays (it
    // slows only addresses that fail).
    let peer = peer_key(desk.caller().peer);
    let user =
        user_by_id(desk.conn(), user_id)?.ok_or_else(|| Error::NotFound("用户不存在".into()))?;
    let actor = Actor::from(&user);
    desk.act_as(actor.clone());
    let (at, now) = (desk.stamp(), desk.now());
    let tx = desk.write()?;
    Strikes::Peer.forget(&tx, &peer)?;
    audit::record(&tx, &at, "login", "user", user_id, "登录")?;
    let session = open_session(&tx, user_id, now)?;
    tx.commit()?;
    Ok(LoggedIn {
        session,
        user: actor,
    })
}

#[derive(Debug, Deserialize)]
pub struct LogoutArgs {
    pub session: String,
}

/// 退出登录: the session ends at once.
pub fn logout(desk: &mut Desk, a: LogoutArgs) -> Result<()> {
    let at = desk.stamp();
    let tx = desk.write()?;
    let ended: Option<i64> = tx
        .query_row(
            "DELETE FROM login_session WHERE hash = ?1 RETURNING user_id",
            [token_hash(&a.session)],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(user_id) = ended {
        audit::record(&tx, &at, "logout", "user", user_id, "退出登录")?;
    }
    tx.commit()?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct SetupArgs {
    pub login: String,
    pub name: String,
    pub password: String,
    pub password_again: String,
    /// The first run's one-time code ([`setup_code`]): on the browser door's console, put
    /// in by the desktop window itself. The desk's owner in-process (the command line)
    /// needs none.
    #[serde(default)]
    pub setup_code: Option<String>,
    /// The company only: names, hotline, address, logo, numbering, hours, terms. The LAN,
    /// the backups and the printers are the administrator's, later, under 设置.
    #[serde(default)]
    pub settings: crate::people::settings::SaveArgs,
}

/// Whether the desk acts as the file's owner in-process (command line, scripts), not for
/// a door's caller.
fn is_owner(actor: &Actor) -> bool {
    actor.id.is_none() && actor.login == Actor::script().login
}

/// Refuses the settings the wizard does not take, naming the first one given.
fn company_only(s: &crate::people::settings::SaveArgs) -> Result<()> {
    let admin_only: [(bool, &'static str, &str); 7] = [
        (s.lan_open.is_some(), "lan_open", "局域网访问"),
        (s.lan_port.is_some(), "lan_port", "局域网端口"),
        (s.lan_allow.is_some(), "lan_allow", "允许访问的地址"),
        (s.backup_folder.is_some(), "backup_folder", "备份文件夹"),
        (s.backup_keep.is_some(), "backup_keep", "备份保留份数"),
        (s.printers.is_some(), "printers", "打印机"),
        (s.printer_kinds.is_some(), "printers", "打印机"),
    ];
    match admin_only.into_iter().find(|(given, _, _)| *given) {
        Some((_, field, label)) => Err(Error::invalid(
            field,
            format!("首次设置只填写公司信息；{label}请由管理员登录后在“设置”中修改"),
        )),
        None => Ok(()),
    }
}

/// 首次使用: writes the company settings and the first administrator (with every role: at
/// a small desk one person does it all; the admin takes roles away from others later) in
/// ONE transaction: a refused setting or a failing account insert leaves neither behind.
/// Refused once any user exists, from any computer but the desk's own, and without the
/// one-time setup code (except for the file's owner in-process).
pub fn setup(desk: &mut Desk, a: SetupArgs) -> Result<LoggedIn> {
    if let Some(ip) = desk.caller().peer.filter(|ip| !is_loopback(*ip)) {
        return Err(Error::Forbidden(format!(
            "首次设置只能在服务台这台电脑上进行（本机的浏览器或桌面程序），不能从其他电脑（{ip}）进行"
        )));
    }
    if any_user(desk.conn())? {
        return Err(Error::invalid("login", "系统已经设置过管理员，请直接登录"));
    }
    if !is_owner(desk.actor()) {
        if let Some(left) = throttled(desk, None)? {
            return Err(Error::Forbidden(format!(
                "首次设置码错误次数过多，{}",
                try_again(left)
            )));
        }
        let typed = a.setup_code.as_deref().unwrap_or_default();
        let right = stored_setup_code(desk.conn())?.is_some_and(|code| same_code(&code, typed));
        if !right {
            let (peer, now) = (peer_key(desk.caller().peer), desk.now());
            let tx = desk.write()?;
            Strikes::Peer.strike(&tx, &peer, now)?;
            tx.commit()?;
            return Err(Error::Forbidden(if typed.trim().is_empty() {
                "请填写首次设置码：它显示在服务台电脑上运行 aftersales serve 的窗口里".into()
            } else {
                "首次设置码不正确：请核对服务台电脑上 aftersales serve 窗口里显示的首次设置码"
                    .into()
            }));
        }
    }
    company_only(&a.settings)?;
    let login = check_login(&a.login)?;
    let name = crate::platform::text::field("name", "姓名", &a.name, 20, true)?;
    check_password("password", "密码", &a.password, &login)?;
    if a.password != a.password_again {
        return Err(Error::invalid("password_again", "两次输入的密码不一致"));
    }
    let hash = hash_password(&a.password)?;
    let roles = Role::ALL.to_vec();
    desk.act_as(Actor {
        id: None,
        login: login.clone(),
        name: name.clone(),
        roles: roles.clone(),
        engineer_id: None,
    });
    let (at, now) = (desk.stamp(), desk.now());
    // One transaction: the company settings, then the account and its audit entry. Any
    // error drops `tx` uncommitted, so nothing of the wizard is written.
    let tx = desk.write()?;
    // Another door may have taken the wizard since the check above: its account is in,
    // or (PostgreSQL) this transaction cannot be serialised with it and runs again.
    if any_user(&tx)? {
        return Err(Error::invalid("login", "系统已经设置过管理员，请直接登录"));
    }
    crate::people::settings::save_in(&tx, &at, &a.settings)?;
    tx.execute(
        "INSERT INTO app_user (login, name, password_hash, roles, active, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)",
        params![login, name, hash, roles_text(&roles), at],
    )?;
    let id = tx.last_insert_rowid()?;
    audit::record(
        &tx,
        &at,
        "created",
        "user",
        id,
        &format!(
            "首次使用：创建管理员 {login}（{name}），角色 {}",
            roles_label(&roles)
        ),
    )?;
    // One time only: the code is gone with the first account.
    tx.execute("DELETE FROM setup_code", [])?;
    let session = open_session(&tx, id, now)?;
    tx.commit()?;
    let user = user_by_id(desk.conn(), id)?.ok_or_else(|| Error::NotFound("用户".into()))?;
    let actor = Actor::from(&user);
    desk.act_as(actor.clone());
    Ok(LoggedIn {
        session,
        user: actor,
    })
}

#[derive(Debug, Deserialize)]
pub struct PasswordArgs {
    pub old_password: String,
    pub new_password: String,
    pub new_password_again: String,
}

/// 修改密码: one's own, knowing the old one. A wrong old password counts as a failed try
/// of the caller's address (someone at an unattended desk guessing it waits as at the
/// login screen). Every other session of the user ends; the one that changed it stays.
pub fn change_password(desk: &mut Desk, a: PasswordArgs) -> Result<()> {
    let Some(id) = desk.actor().id else {
        return Err(Error::invalid("old_password", "系统账户没有密码"));
    };
    if let Some(left) = throttled(desk, None)? {
        return Err(Error::invalid(
            "old_password",
            format!("密码错误次数过多，{}", try_again(left)),
        ));
    }
    let (login, stored): (String, String) = desk.conn().query_row(
        "SELECT login, password_hash FROM app_user WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if !password_matches(desk, &a.old_password, &stored) {
        let (peer, now) = (peer_key(desk.caller().peer), desk.now());
        let tx = desk.write()?;
        Strikes::Peer.strike(&tx, &peer, now)?;
        tx.commit()?;
        return Err(Error::invalid("old_password", "原密码不正确"));
    }
    check_password("new_password", "新密码", &a.new_password, &login)?;
    if a.new_password != a.new_password_again {
        return Err(Error::invalid(
            "new_password_again",
            "两次输入的新密码不一致",
        ));
    }
    let hash = hash_password(&a.new_password)?;
    let at = desk.stamp();
    let keep = desk.caller().session.clone();
    let tx = desk.write()?;
    tx.execute(
        "UPDATE app_user SET password_hash = ?1 WHERE id = ?2",
        params![hash, id],
    )?;
    audit::record(&tx, &at, "password", "user", id, "修改了自己的密码")?;
    end_sessions(&tx, id, keep.as_deref())?;
    tx.commit()?;
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct UserList {
    pub items: Vec<User>,
}

/// 用户管理: every account, active ones first.
pub fn list(desk: &mut Desk, _: NoArgs) -> Result<UserList> {
    let mut stmt = desk.conn().prepare_cached(&format!(
        "{SELECT_USERS} ORDER BY u.active DESC, lower(u.login)"
    ))?;
    let items = stmt
        .query_map([], user_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(UserList { items })
}

#[derive(Debug, Deserialize)]
pub struct SaveArgs {
    /// None: a new account.
    pub id: Option<i64>,
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Required for a new account; for an existing one, a reset by the admin.
    pub password: Option<String>,
    /// The service engineer (`engineers.list`) the account works as; None or absent: not
    /// linked. A save sets the whole account, the link included.
    #[serde(default)]
    pub engineer_id: Option<i64>,
}

fn yes() -> bool {
    true
}

/// The engineer an account is to be linked to, by name: one that exists, is active
/// (unless the account already had this link: an engineer who left keeps his account's
/// history) and is linked to no other account.
fn check_engineer(
    conn: &crate::platform::db::Db,
    engineer_id: i64,
    account: Option<i64>,
) -> Result<String> {
    let found: Option<(String, bool)> = conn
        .prepare_cached("SELECT name, active FROM engineer WHERE id = ?1")?
        .query_row([engineer_id], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1)))
        .optional()?;
    let Some((name, active)) = found else {
        return Err(Error::invalid(
            "engineer_id",
            format!("关联工程师：没有编号为 {engineer_id} 的工程师"),
        ));
    };
    let kept: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM app_user WHERE id IS NOT DISTINCT FROM ?1 AND engineer_id = ?2)",
        params![account, engineer_id],
        |r| r.get(0),
    )?;
    if !active && !kept {
        return Err(Error::invalid(
            "engineer_id",
            format!("关联工程师：{name} 已停用，不能再关联账号"),
        ));
    }
    let other: Option<(String, String)> = conn
        .query_row(
            "SELECT login, name FROM app_user WHERE engineer_id = ?1 AND id IS DISTINCT FROM ?2",
            params![engineer_id, account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((login, user)) = other {
        return Err(Error::invalid(
            "engineer_id",
            format!("关联工程师：{name} 已关联账号 {login}（{user}），一位工程师只能关联一个账号"),
        ));
    }
    Ok(name)
}

/// Creates or changes an account. The last active administrator cannot be removed,
/// stripped of the role or deactivated: someone must always be able to manage users. A
/// password reset, a change of roles and a deactivation end the account's sessions (all
/// but the one making the change, when that is the account's own and it stays active).
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<User> {
    let login = check_login(&a.login)?;
    let name = crate::platform::text::field("name", "姓名", &a.name, 20, true)?;
    let roles = check_roles(&a.roles)?;
    let password = a.password.as_deref().filter(|p| !p.is_empty());
    if let Some(p) = password {
        check_password("password", "密码", p, &login)?;
    }
    let hash = password.map(hash_password).transpose()?;
    let at = desk.stamp();
    // The session making the change stays when it is the account's own and the account
    // stays active (an administrator resetting their own password).
    let keep = desk.caller().session.clone().filter(|_| a.active);
    let tx = desk.write()?;
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM app_user WHERE lower(login) = lower(?1)",
            [&login],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() && taken != a.id {
        return Err(Error::invalid("login", format!("登录名“{login}”已被使用")));
    }
    // The audit trail and every timeline record who by name: names must tell people apart.
    let same_name: Option<i64> = tx
        .query_row(
            "SELECT id FROM app_user WHERE name = ?1 AND id IS DISTINCT FROM ?2",
            params![name, a.id],
            |r| r.get(0),
        )
        .optional()?;
    if same_name.is_some() {
        return Err(Error::invalid(
            "name",
            format!("已有名为“{name}”的用户，请加以区分（如 {name}A）"),
        ));
    }
    let engineer = a
        .engineer_id
        .map(|e| check_engineer(&tx, e, a.id))
        .transpose()?;
    // Whether the account's sessions end: a password reset, a role change, a deactivation.
    let mut ends_sessions = false;
    let id = match a.id {
        None => {
            let Some(hash) = hash else {
                return Err(Error::invalid("password", "新账号请设置初始密码"));
            };
            tx.execute(
                "INSERT INTO app_user (login, name, password_hash, roles, active, created_at,
                     engineer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    login,
                    name,
                    hash,
                    roles_text(&roles),
                    a.active,
                    at,
                    a.engineer_id
                ],
            )?;
            let id = tx.last_insert_rowid()?;
            let state = if a.active { "" } else { "（停用）" };
            let link = engineer
                .as_ref()
                .map(|e| format!("，关联工程师 {e}"))
                .unwrap_or_default();
            audit::record(
                &tx,
                &at,
                "created",
                "user",
                id,
                &format!(
                    "创建账号 {login}（{name}），角色 {}{link}{state}",
                    roles_label(&roles)
                ),
            )?;
            id
        }
        Some(id) => {
            let before = user_by_id(&tx, id)?
                .ok_or_else(|| Error::NotFound(format!("没有编号为 {id} 的用户")))?;
            let was_admin = before.active && before.roles.contains(&Role::Admin);
            let stays_admin = a.active && roles.contains(&Role::Admin);
            if was_admin && !stays_admin {
                let others: i64 = tx.query_row(
                    "SELECT count(*) FROM app_user WHERE active = 1 AND id <> ?1
                     AND (',' || roles || ',') LIKE '%,admin,%'",
                    [id],
                    |r| r.get(0),
                )?;
                if others == 0 {
                    return Err(Error::invalid(
                        "roles",
                        "这是最后一位在用的管理员，不能取消其管理员角色或停用",
                    ));
                }
            }
            tx.execute(
                "UPDATE app_user SET login = ?1, name = ?2, roles = ?3, active = ?4,
                     engineer_id = ?5
                 WHERE id = ?6",
                params![login, name, roles_text(&roles), a.active, a.engineer_id, id],
            )?;
            if let Some(hash) = &hash {
                tx.execute(
                    "UPDATE app_user SET password_hash = ?1 WHERE id = ?2",
                    params![hash, id],
                )?;
            }
            let mut changes = Vec::new();
            if before.login != login {
                changes.push(format!("登录名 {} → {login}", before.login));
            }
            if before.name != name {
                changes.push(format!("姓名 {} → {name}", before.name));
            }
            if before.roles != roles {
                changes.push(format!(
                    "角色 {} → {}",
                    roles_label(&before.roles),
                    roles_label(&roles)
                ));
            }
            if before.active != a.active {
                changes.push(if a.active { "启用" } else { "停用" }.to_string());
            }
            match (&before.engineer, &engineer) {
                (None, Some(now)) => changes.push(format!("关联工程师 {now}")),
                (Some(was), None) => changes.push(format!("取消关联工程师 {}", was.name)),
                (Some(was), Some(now)) if was.id != a.engineer_id.unwrap_or_default() => {
                    changes.push(format!("关联工程师 {} → {now}", was.name))
                }
                _ => {}
            }
            if hash.is_some() {
                changes.push("重设了密码".into());
            }
            ends_sessions = hash.is_some() || before.roles != roles || !a.active;
            if !changes.is_empty() {
                audit::record(
                    &tx,
                    &at,
                    "updated",
                    "user",
                    id,
                    &format!("账号 {login}：{}", changes.join("；")),
                )?;
            }
            id
        }
    };
    if ends_sessions {
        end_sessions(&tx, id, keep.as_deref())?;
    }
    tx.commit()?;
    user_by_id(desk.conn(), id)?.ok_or_else(|| Error::NotFound("用户".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f09_the_dummy_hash_is_made_like_every_stored_one() {
        let real = hash_password("pass-1234").unwrap();
        let dummy = PasswordHash::new(dummy_hash().unwrap()).unwrap();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    }

    #[test]
    fn f02_codes_are_eight_digits_and_read_as_typed() {
        let code = new_setup_code().unwrap();
        assert_eq!(code.len(), 8);
        assert!(same_code(&code, &setup_code_shown(&code)));
        assert!(same_code("12345678", "１２３４ ５６７８"));
        assert!(!same_code("12345678", "1234567"));
        assert!(!same_code("12345678", "123456789"));
        assert!(!same_code("12345678", "1234567x"));
        assert!(!same_code("12345678", ""));
    }
}
