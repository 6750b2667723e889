//! The people at the desk: user accounts with argon2 password hashes, their roles, logins,
//! sessions, and the actor every command runs as.
//!
//! - A [`Desk`] always acts as someone ([`Actor`]). Opened in-process (the command line,
//!   scripts, tests) it acts as [`Actor::script`], the owner of the file with every role:
//!   whoever can open the file holds all of it anyway. The doors (desktop window, browser
//!   door) never trust that: for every request they call [`crate::api::call_in_session`],
//!   which makes the desk act as the session's user, or as nobody.
//! - Sessions live in the desk's memory, not in the file: a restart of the door ends them
//!   all, and a session unused for [`SESSION_IDLE_MINUTES`] ends by itself.
//! - Five wrong passwords in a row lock a login for [`LOCK_MINUTES`] (against guessing
//!   over the LAN); argon2 makes each guess cost tens of milliseconds too.

use std::collections::HashMap;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

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

/// A session ends after this long without a request.
pub const SESSION_IDLE_MINUTES: i64 = 240;
/// Wrong passwords in a row before a login is locked.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked login stays locked.
pub const LOCK_MINUTES: i64 = 5;

/// The logged-in sessions of one door and the failed logins, in memory.
#[derive(Default)]
pub(crate) struct Sessions {
    open: HashMap<String, OpenSession>,
    failures: HashMap<String, (u32, DateTime<Utc>)>,
}

struct OpenSession {
    user_id: i64,
    last_seen: DateTime<Utc>,
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

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_password(field: &'static str, password: &str, login: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < 6 {
        return Err(Error::invalid(field, "密码至少 6 位"));
    }
    if chars > 128 {
        return Err(Error::invalid(field, "密码最多 128 位"));
    }
    if password.eq_ignore_ascii_case(login) {
        return Err(Error::invalid(field, "密码不能与登录名相同"));
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

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
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

fn user_by_id(conn: &rusqlite::Connection, id: i64) -> Result<Option<User>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT_USERS} WHERE u.id = ?1"))?
        .query_row([id], user_row)
        .optional()?)
}

pub(crate) fn any_user(conn: &rusqlite::Connection) -> Result<bool> {
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

/// Whether `token` is a session that has not idled out (its user is checked on use).
pub(crate) fn alive(desk: &Desk, token: &str) -> bool {
    let idle = Duration::minutes(SESSION_IDLE_MINUTES);
    desk.sessions
        .open
        .get(token)
        .is_some_and(|s| desk.now() - s.last_seen <= idle)
}

/// The user of a live session, refreshing its idle clock when `active` (a person acted,
/// not a screen polling); None when there is no such session, it has expired, or its user
/// was deactivated since.
pub(crate) fn resume(desk: &mut Desk, token: &str, active: bool) -> Result<Option<Actor>> {
    let now = desk.now();
    let idle = Duration::minutes(SESSION_IDLE_MINUTES);
    let Some(session) = desk.sessions.open.get_mut(token) else {
        return Ok(None);
    };
    if now - session.last_seen > idle {
        desk.sessions.open.remove(token);
        return Ok(None);
    }
    if active {
        session.last_seen = now;
    }
    let user_id = session.user_id;
    match user_by_id(desk.conn(), user_id)? {
        Some(user) if user.active => Ok(Some(Actor::from(&user))),
        _ => {
            desk.sessions.open.remove(token);
            Ok(None)
        }
    }
}

fn new_token() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| Error::Storage(format!("无法生成会话：{e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn open_session(desk: &mut Desk, user_id: i64) -> Result<String> {
    let token = new_token()?;
    let now = desk.now();
    desk.sessions.open.insert(
        token.clone(),
        OpenSession {
            user_id,
            last_seen: now,
        },
    );
    Ok(token)
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

/// 登录. A wrong login name and a wrong password get the same message.
pub fn login(desk: &mut Desk, a: LoginArgs) -> Result<LoggedIn> {
    let key = a.login.trim().to_lowercase();
    if key.is_empty() {
        return Err(Error::invalid("login", "请填写登录名"));
    }
    if a.password.is_empty() {
        return Err(Error::invalid("password", "请填写密码"));
    }
    let now = desk.now();
    if let Some((count, last)) = desk.sessions.failures.get(&key) {
        let until = *last + Duration::minutes(LOCK_MINUTES);
        if *count >= MAX_FAILURES && now < until {
            let left = (until - now).num_minutes() + 1;
            return Err(Error::invalid(
                "password",
                format!("密码连续输错 {MAX_FAILURES} 次，请 {left} 分钟后再试"),
            ));
        }
    }
    let found: Option<(i64, String, bool)> = desk
        .conn()
        .prepare_cached(
            "SELECT id, password_hash, active FROM app_user WHERE login = ?1 COLLATE NOCASE",
        )?
        .query_row([a.login.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let user_id = match found {
        Some((id, hash, active)) if password_matches(&a.password, &hash) => {
            if !active {
                return Err(Error::invalid("login", "该账号已停用，请联系管理员"));
            }
            id
        }
        _ => {
            let entry = desk.sessions.failures.entry(key).or_insert((0, now));
            if now - entry.1 > Duration::minutes(LOCK_MINUTES) {
                entry.0 = 0;
            }
            entry.0 += 1;
            entry.1 = now;
            return Err(Error::invalid("password", "登录名或密码不正确"));
        }
    };
    desk.sessions.failures.remove(&key);
    let user =
        user_by_id(desk.conn(), user_id)?.ok_or_else(|| Error::NotFound("用户不存在".into()))?;
    let actor = Actor::from(&user);
    desk.act_as(actor.clone());
    let at = desk.stamp();
    let tx = desk.write()?;
    audit::record(&tx, &at, "login", "user", user_id, "登录")?;
    tx.commit()?;
    let session = open_session(desk, user_id)?;
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
    if let Some(s) = desk.sessions.open.remove(&a.session) {
        let at = desk.stamp();
        let tx = desk.write()?;
        audit::record(&tx, &at, "logout", "user", s.user_id, "退出登录")?;
        tx.commit()?;
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct SetupArgs {
    pub login: String,
    pub name: String,
    pub password: String,
    pub password_again: String,
    #[serde(default)]
    pub settings: crate::people::settings::SaveArgs,
}

/// 首次使用: writes the company settings and the first administrator (with every role: at
/// a small desk one person does it all; the admin takes roles away from others later) in
/// ONE transaction: a refused setting or a failing account insert leaves neither behind.
/// Refused once any user exists.
pub fn setup(desk: &mut Desk, a: SetupArgs) -> Result<LoggedIn> {
    if any_user(desk.conn())? {
        return Err(Error::invalid("login", "系统已经设置过管理员，请直接登录"));
    }
    let login = check_login(&a.login)?;
    let name = crate::platform::text::field("name", "姓名", &a.name, 20, true)?;
    check_password("password", &a.password, &login)?;
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
    let at = desk.stamp();
    // One transaction: the company settings, then the account and its audit entry. Any
    // error drops `tx` uncommitted, so nothing of the wizard is written.
    let tx = desk.write()?;
    crate::people::settings::save_in(&tx, &at, &a.settings)?;
    tx.execute(
        "INSERT INTO app_user (login, name, password_hash, roles, active, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)",
        params![login, name, hash, roles_text(&roles), at],
    )?;
    let id = tx.last_insert_rowid();
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
    tx.commit()?;
    let user = user_by_id(desk.conn(), id)?.ok_or_else(|| Error::NotFound("用户".into()))?;
    let actor = Actor::from(&user);
    desk.act_as(actor.clone());
    let session = open_session(desk, id)?;
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

/// 修改密码: one's own, knowing the old one.
pub fn change_password(desk: &mut Desk, a: PasswordArgs) -> Result<()> {
    let Some(id) = desk.actor().id else {
        return Err(Error::invalid("old_password", "系统账户没有密码"));
    };
    let (login, stored): (String, String) = desk.conn().query_row(
        "SELECT login, password_hash FROM app_user WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if !password_matches(&a.old_password, &stored) {
        return Err(Error::invalid("old_password", "原密码不正确"));
    }
    check_password("new_password", &a.new_password, &login)?;
    if a.new_password != a.new_password_again {
        return Err(Error::invalid(
            "new_password_again",
            "两次输入的新密码不一致",
        ));
    }
    let hash = hash_password(&a.new_password)?;
    let at = desk.stamp();
    let tx = desk.write()?;
    tx.execute(
        "UPDATE app_user SET password_hash = ?1 WHERE id = ?2",
        params![hash, id],
    )?;
    audit::record(&tx, &at, "password", "user", id, "修改了自己的密码")?;
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
        "{SELECT_USERS} ORDER BY u.active DESC, u.login COLLATE NOCASE"
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
    conn: &rusqlite::Connection,
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
        "SELECT EXISTS (SELECT 1 FROM app_user WHERE id IS ?1 AND engineer_id = ?2)",
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
            "SELECT login, name FROM app_user WHERE engineer_id = ?1 AND id IS NOT ?2",
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
/// stripped of the role or deactivated: someone must always be able to manage users.
pub fn save(desk: &mut Desk, a: SaveArgs) -> Result<User> {
    let login = check_login(&a.login)?;
    let name = crate::platform::text::field("name", "姓名", &a.name, 20, true)?;
    let roles = check_roles(&a.roles)?;
    let password = a.password.as_deref().filter(|p| !p.is_empty());
    if let Some(p) = password {
        check_password("password", p, &login)?;
    }
    let hash = password.map(hash_password).transpose()?;
    let at = desk.stamp();
    let tx = desk.write()?;
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM app_user WHERE login = ?1 COLLATE NOCASE",
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
            "SELECT id FROM app_user WHERE name = ?1 AND id IS NOT ?2",
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
            let id = tx.last_insert_rowid();
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
                    "SELECT count(*) FROM app_user WHERE active AND id <> ?1
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
    tx.commit()?;
    if !a.active {
        desk.sessions.open.retain(|_, s| s.user_id != id);
    }
    user_by_id(desk.conn(), id)?.ok_or_else(|| Error::NotFound("用户".into()))
}
