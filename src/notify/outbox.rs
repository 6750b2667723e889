//! Sending what the outbox holds (the jobs' part of issue 20's messages). A message was
//! put there by its status change, in that change's transaction (`orders::notice`); it
//! is sent here, by [`send_due`] from `jobs::tick`, which runs once across the doors of a
//! database (the jobs' turn: PostgreSQL's advisory lock, SQLite's lease), so no message
//! goes out twice from two doors, and never inside a transaction: the provider is called
//! with no transaction open, its outcome then recorded in a short one of its own.
//!
//! Before a message is handed over it is checked again, as things stand now: a customer
//! who opted out gets nothing (the log says so), a template no longer switched on or not
//! approved by the provider is not sent (the log says why), an SMS needs a mobile number
//! and a WeChat message the customer's openid.
//!
//! The providers' limits: SMS requests are spaced to the rate set (`sms_per_second`), one
//! phone gets at most one SMS a minute (both providers' default per-number limit; a
//! second waits), the 企业微信 robot takes at most 20 messages a minute (its documented
//! limit; the rest wait for the next run).
//!
//! A failure the provider may get over (no connection, a 5xx, a rate limit) is retried
//! with back-off: 1, 2, 4, 8, 16 minutes, then the message is failed. If the door dies
//! between the provider's acceptance and the record, the message is sent again at the
//! next run (at least once, never lost).

use std::time::{Duration, Instant};

use rusqlite::params;

use super::channels::{deliver, Config, Message, Outcome, Session};
use super::words::{AttemptStatus, NotifyChannel, OutboxState};
use crate::orders::notice::Facts;
use crate::orders::words::Notice;
use crate::platform::db::Db;
use crate::platform::error::Result;
use crate::platform::time::{self, Stamp};
use crate::Desk;

/// Attempts of one message at most; the last failure leaves it failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// Messages looked at per run at most (the rest wait for the next run).
pub const PER_RUN: i64 = 100;

/// The 企业微信 group robot's limit: 20 messages a minute.
pub const WECOM_PER_RUN: usize = 20;

/// One phone gets at most one SMS in this time.
pub const SMS_SAME_PHONE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// A run stops handing over messages after this long (a door ticks every minute).
pub const RUN_BUDGET: Duration = Duration::from_secs(45);

/// The wait before attempt `n + 1` after `n` failed attempts: 1, 2, 4, 8, 16 minutes.
pub fn backoff(n: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::minutes(1 << (n - 1).clamp(0, 4))
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Run {
    pub sent: usize,
    pub failed: usize,
    pub refused: usize,
    /// Left for later (a limit reached, or a retry due later).
    pub waiting: usize,
}

/// An 11-digit mainland mobile number from a stored phone (`138 1234 5678`,
/// `+86 138…`); None for a landline, an extension or a number abroad.
pub fn mobile(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    (digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.to_string())
}

/// The longest provider reply kept in the log.
const MAX_LOGGED_REPLY: usize = 1000;

/// Records one attempt (and, for an outbox message, its new state is the caller's), in
/// `tx`. Returns the attempt's status and the reply as logged.
pub(crate) fn record(
    tx: &Db,
    outbox_id: Option<i64>,
    order_id: Option<i64>,
    at: &Stamp,
    m: &Message,
    outcome: &Outcome,
) -> Result<(AttemptStatus, String)> {
    let (status, reply) = match outcome {
        Outcome::Sent(r) => (AttemptStatus::Sent, r.clone()),
        Outcome::Failed { reply, .. } => (AttemptStatus::Failed, reply.clone()),
        Outcome::Refused(why) => (AttemptStatus::Refused, why.clone()),
    };
    let reply: String = reply.chars().take(MAX_LOGGED_REPLY).collect();
    let recipient = if m.channel == NotifyChannel::Wecom {
        "企业微信群".to_string()
    } else {
        m.recipient.clone()
    };
    tx.prepare_cached(
        "INSERT INTO notify_attempt (outbox_id, order_id, at, channel, recipient, body, reply, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        outbox_id, order_id, at, m.channel, recipient, m.text, reply, status
    ])?;
    Ok((status, reply))
}

/// One message of the outbox, as read.
struct Due {
    id: i64,
    order_id: i64,
    status: Notice,
    channel: NotifyChannel,
    facts: Facts,
    attempts: i64,
}

fn due(db: &Db, now: &Stamp) -> Result<Vec<Due>> {
    let rows: Vec<(i64, i64, Notice, NotifyChannel, String, i64)> = db
        .prepare_cached(
            "SELECT id, order_id, status, channel, facts, attempts FROM notify_outbox
             WHERE state = 'pending' AND next_at <= ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(params![now, PER_RUN], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .map(|(id, order_id, status, channel, facts, attempts)| Due {
            id,
            order_id,
            status,
            channel,
            facts: serde_json::from_str(&facts).unwrap_or_default(),
            attempts,
        })
        .collect())
}

/// The message `d` becomes now, or why it is not sent.
fn prepare(
    db: &Db,
    config: &Config,
    d: &Due,
) -> Result<std::result::Result<Message, (Message, String, AttemptStatus)>> {
    let template = super::template(db, d.status, d.channel)?;
    let text = super::render(&template.body, &d.facts);
    let mut m = Message {
        channel: d.channel,
        recipient: String::new(),
        params: super::params(&template.body, &d.facts),
        text,
        provider_template: template.provider_template.clone(),
    };
    let choice = super::choice(
        db,
        crate::archive::customers::CustomerId(d.facts.customer_id),
    )?;
    m.recipient = match d.channel {
        NotifyChannel::Sms => mobile(&d.facts.phone).unwrap_or_default(),
        NotifyChannel::Wechat => choice.wechat_openid.clone(),
        NotifyChannel::Wecom => String::new(),
    };
    if d.channel.to_customer() && choice.opt_out {
        if m.recipient.is_empty() {
            m.recipient = d.facts.phone.clone();
        }
        return Ok(Err((
            m,
            "客户已选择不接收通知，未发送".into(),
            AttemptStatus::Skipped,
        )));
    }
    let refused = |m: Message, why: String| Ok(Err((m, why, AttemptStatus::Refused)));
    if !template.enabled {
        return refused(
            m,
            format!(
                "“{}”的{}通知已关闭，未发送",
                d.status.label(),
                d.channel.label()
            ),
        );
    }
    if !template.approved_for_sending() {
        return refused(
            m,
            format!(
                "“{}”的{}模板未通过服务商审核（或未填写模板编号），未发送",
                d.status.label(),
                d.channel.label()
            ),
        );
    }
    match d.channel {
        NotifyChannel::Sms if m.recipient.is_empty() => {
            m.recipient = d.facts.phone.clone();
            refused(m, "工单电话不是手机号，短信无法发送".into())
        }
        NotifyChannel::Wechat if m.recipient.is_empty() => refused(
            m,
            "客户未绑定微信公众号（客户档案里没有 openid），未发送".into(),
        ),
        NotifyChannel::Wecom if config.get("wecom_webhook").is_empty() => {
            refused(m, "未设置企业微信群机器人地址，未发送".into())
        }
        _ => Ok(Ok(m)),
    }
}

/// Whether `phone` was sent an SMS less than [`SMS_SAME_PHONE`] before `now`; the time it
/// may get the next one.
fn phone_busy(
    db: &Db,
    phone: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    let last: Option<String> = db
        .prepare_cached(
            "SELECT max(at) FROM notify_attempt WHERE channel = 'sms' AND recipient = ?1 AND status = 'sent'",
        )?
        .query_row([phone], |r| r.get(0))?;
    Ok(last
        .as_deref()
        .and_then(time::parse)
        .map(|t| t + SMS_SAME_PHONE)
        .filter(|free| *free > now))
}

/// Sends the messages that are due (see the module's comment). Runs without a
/// transaction open; each message's outcome is recorded in its own.
pub fn send_due(desk: &mut Desk) -> Result<Run> {
    let started = Instant::now();
    let config = Config::load(desk.conn())?;
    let mut run = Run::default();
    let mut session = Session::default();
    let mut wecom_sent = 0usize;
    let mut last_sms: Option<Instant> = None;
    let spacing = Duration::from_millis(1000 / u64::from(config.sms_per_second()));
    for d in due(desk.conn(), &desk.stamp())? {
        if started.elapsed() > RUN_BUDGET {
            run.waiting += 1;
            continue;
        }
        let now = desk.now();
        let prepared = prepare(desk.conn(), &config, &d)?;
        let (m, outcome) = match prepared {
            Err((m, why, AttemptStatus::Skipped)) => {
                let at = desk.stamp();
                let tx = desk.write()?;
                tx.prepare_cached(
                    "INSERT INTO notify_attempt (outbox_id, order_id, at, channel, recipient, body, reply, status)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'skipped')",
                )?
                .execute(params![d.id, d.order_id, at, m.channel, m.recipient, m.text, why])?;
                tx.execute(
                    "UPDATE notify_outbox SET state = 'refused' WHERE id = ?1",
                    [d.id],
                )?;
                tx.commit()?;
                run.refused += 1;
                continue;
            }
            Err((m, why, _)) => (m, Outcome::Refused(why)),
            Ok(m) => {
                if m.channel == NotifyChannel::Wecom && wecom_sent >= WECOM_PER_RUN {
                    run.waiting += 1;
                    continue;
                }
                if m.channel == NotifyChannel::Sms {
                    if let Some(free) = phone_busy(desk.conn(), &m.recipient, now)? {
                        let tx = desk.write()?;
                        tx.execute(
                            "UPDATE notify_outbox SET next_at = ?2 WHERE id = ?1",
                            params![d.id, time::stamp(free)],
                        )?;
                        tx.commit()?;
                        run.waiting += 1;
                        continue;
                    }
                    if let Some(last) = last_sms {
                        if let Some(wait) = spacing.checked_sub(last.elapsed()) {
                            std::thread::sleep(wait);
                        }
                    }
                    last_sms = Some(Instant::now());
                }
                if m.channel == NotifyChannel::Wecom {
                    wecom_sent += 1;
                }
                let outcome = deliver(&config, &mut session, &m, now);
                (m, outcome)
            }
        };
        let attempts = d.attempts + 1;
        let (state, next_at) = match &outcome {
            Outcome::Sent(_) => (OutboxState::Sent, now),
            Outcome::Refused(_) => (OutboxState::Refused, now),
            Outcome::Failed { retry: true, .. } if attempts < MAX_ATTEMPTS => {
                (OutboxState::Pending, now + backoff(attempts))
            }
            Outcome::Failed { .. } => (OutboxState::Failed, now),
        };
        match state {
            OutboxState::Sent => run.sent += 1,
            OutboxState::Refused => run.refused += 1,
            OutboxState::Failed => run.failed += 1,
            OutboxState::Pending => run.waiting += 1,
        }
        let at = desk.stamp();
        let tx = desk.write()?;
        record(&tx, Some(d.id), Some(d.order_id), &at, &m, &outcome)?;
        tx.execute(
            "UPDATE notify_outbox SET state = ?2, attempts = ?3, next_at = ?4 WHERE id = ?1",
            params![d.id, state, attempts, time::stamp(next_at)],
        )?;
        tx.commit()?;
    }
    Ok(run)
}
