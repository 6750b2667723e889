//! Status messages to the customer (issue 20, 通知): queued in the status change's own
//! transaction, sent by the jobs after it committed, retried with back-off, logged; the
//! providers are local fakes (HTTP servers in this test) that check each request the way
//! the provider documents it — the signatures recomputed by Python's own `hmac` and
//! `hashlib` from what arrived on the wire, not by our code — and the body exactly.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

use aftersales::jobs::{self, Jobs};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::util::{desk, on_postgres, TestDesk};

/// Monday 2026-11-23 10:00 in Beijing.
const MONDAY_10: &str = "2026-11-23T10:00:00+08:00";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// Path and query, as on the request line.
    target: String,
    /// Names lowercase.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A provider: answers each request with the next scripted reply (the last one again once
/// the script is used up) and keeps what it received.
struct Fake {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Fake {
    fn start(replies: &[(u16, &str)]) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let mut script: VecDeque<(u16, String)> =
            replies.iter().map(|(s, b)| (*s, b.to_string())).collect();
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let target = parts.next().unwrap_or("").to_string();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = h.trim_end().split_once(':') {
                        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                    }
                }
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                reader.read_exact(&mut body).unwrap();
                seen.lock().unwrap().push(Request {
                    method,
                    target,
                    headers,
                    body,
                });
                let (status, reply) = if script.len() > 1 {
                    script.pop_front().unwrap()
                } else {
                    script.front().cloned().unwrap_or((200, "{}".into()))
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            }
        });
        Fake { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Runs `script` in python3 with `input` as JSON on stdin; its stdout as JSON.
fn python(script: &str, input: &Value) -> Value {
    let out = crate::tools::output_with_input(
        Command::new("python3").arg("-c").arg(script),
        input.to_string().as_bytes(),
    )
    .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python's JSON")
}

fn wire(r: &Request) -> Value {
    json!({
        "method": r.method,
        "target": r.target,
        "headers": r.headers,
        "body": r.body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    })
}

/// Aliyun's V3 signature (ACS3-HMAC-SHA256) recomputed from the request as received,
/// step by step as Aliyun's "V3 请求体&签名机制" writes them.
const ALIYUN_CHECK: &str = r#"
import sys, json, hashlib, hmac, urllib.parse
r = json.load(sys.stdin)
path, _, query = r["target"].partition("?")
pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
enc = lambda s: urllib.parse.quote(s, safe="-_.~")
cq = "&".join(k + "=" + v for k, v in sorted((enc(k), enc(v)) for k, v in pairs))
h = {k.lower(): v.strip() for k, v in r["headers"]}
signed = sorted(k for k in h if k == "host" or k.startswith("x-acs-"))
ch = "".join(k + ":" + h[k] + "\n" for k in signed)
payload = hashlib.sha256(bytes.fromhex(r["body"])).hexdigest()
canon = "\n".join([r["method"], path, cq, ch, ";".join(signed), payload])
sts = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canon.encode()).hexdigest()
sig = hmac.new(r["secret"].encode(), sts.encode(), hashlib.sha256).hexdigest()
want = "ACS3-HMAC-SHA256 Credential=" + r["key_id"] + ",SignedHeaders=" + ";".join(signed) + ",Signature=" + sig
print(json.dumps({"ok": h.get("authorization") == want, "want": want, "got": h.get("authorization"),
                  "signed": signed, "params": dict(pairs), "content_sha": h.get("x-acs-content-sha256") == payload}))
"#;

/// Tencent Cloud's TC3-HMAC-SHA256 recomputed from the request as received, as its
/// "签名方法 v3" writes the steps.
const TENCENT_CHECK: &str = r#"
import sys, json, hashlib, hmac, datetime
r = json.load(sys.stdin)
h = {k.lower(): v.strip() for k, v in r["headers"]}
auth = h.get("authorization", "")
algo, _, rest = auth.partition(" ")
fields = dict(p.strip().split("=", 1) for p in rest.split(","))
cred = fields["Credential"].split("/")
signed = fields["SignedHeaders"].split(";")
ts = h["x-tc-timestamp"]
date = datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime("%Y-%m-%d")
ch = "".join(k + ":" + h[k].lower() + "\n" for k in signed)
body = bytes.fromhex(r["body"])
canon = "\n".join(["POST", "/", "", ch, ";".join(signed), hashlib.sha256(body).hexdigest()])
scope = date + "/sms/tc3_request"
sts = "TC3-HMAC-SHA256\n" + ts + "\n" + scope + "\n" + hashlib.sha256(canon.encode()).hexdigest()
def mac(k, m): return hmac.new(k, m.encode(), hashlib.sha256).digest()
k = mac(mac(mac(("TC3" + r["secret"]).encode(), date), "sms"), "tc3_request")
sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"ok": algo == "TC3-HMAC-SHA256" and fields["Signature"] == sig
                  and cred == [r["secret_id"], date, "sms", "tc3_request"]
                  and "content-type" in signed and "host" in signed,
                  "sig": sig, "fields": fields}))
"#;

/// A customer with a mobile phone, an engineer, and a desk clock.
struct Setup {
    customer: i64,
    engineer: i64,
}

fn setup(t: &mut TestDesk) -> Setup {
    t.desk.set_clock(Some(at(MONDAY_10)));
    let customer = t.ok(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "北京市海淀区中关村大街1号"}),
    )["id"]
        .as_i64()
        .unwrap();
    let engineer = t.ok(
        "engineers.save",
        json!({"name": "王磊", "phone": "13900001111", "region": "海淀"}),
    )["id"]
        .as_i64()
        .unwrap();
    Setup { customer, engineer }
}

fn order(t: &mut TestDesk, s: &Setup) -> (i64, String) {
    let o = t.ok(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "打开热水后没有火", "mode": "carry_in"}),
    );
    (
        o["id"].as_i64().unwrap(),
        o["number"].as_str().unwrap().to_string(),
    )
}

fn template(t: &mut TestDesk, status: &str, channel: &str, body: &str, code: &str) {
    t.ok(
        "notify.save_template",
        json!({"status": status, "channel": channel, "enabled": true, "body": body,
               "provider_template": code, "approved": !code.is_empty()}),
    );
}

fn settings(t: &mut TestDesk, values: Value) {
    t.ok("notify.save_settings", json!({ "values": values }));
}

fn tick(t: &mut TestDesk) -> jobs::Ticked {
    let ticked = jobs::tick(&mut t.desk, &mut Jobs::backups_only());
    assert!(ticked.errors.is_empty(), "{:?}", ticked.errors);
    ticked
}

fn log(t: &mut TestDesk, order: i64) -> Vec<Value> {
    t.ok("notify.log", json!({ "order_id": order }))["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn outbox(t: &TestDesk) -> i64 {
    t.sql("SELECT count(*) FROM notify_outbox")
}

#[test]
fn a_status_change_queues_its_message_and_the_jobs_send_it_after_the_commit() {
    let mut t = desk();
    let s = setup(&mut t);
    let robot = Fake::start(&[(200, r#"{"errcode":0,"errmsg":"ok"}"#)]);
    settings(
        &mut t,
        json!({"wecom_webhook": format!("{}/cgi-bin/webhook/send?key=robot-key-1", robot.url)}),
    );
    template(&mut t, "registered", "wecom", "新工单{工单号}：{客户}", "");
    let (id, number) = order(&mut t, &s);
    // Queued with the order, not sent yet: nothing reached the provider.
    assert_eq!(outbox(&t), 1);
    assert!(robot.requests().is_empty());
    let ticked = tick(&mut t);
    assert_eq!(ticked.messages.sent, 1);
    let got = robot.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].target, "/cgi-bin/webhook/send?key=robot-key-1");
    assert_eq!(got[0].header("content-type"), "application/json");
    assert_eq!(
        got[0].json(),
        json!({"msgtype": "text", "text": {"content": format!("新工单{number}：张伟")}})
    );
    let attempts = log(&mut t, id);
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["status"], "sent");
    assert_eq!(attempts[0]["recipient"], "企业微信群");
    assert_eq!(attempts[0]["body"], format!("新工单{number}：张伟"));
    assert_eq!(attempts[0]["reply"], r#"{"errcode":0,"errmsg":"ok"}"#);
    // The robot's key is a secret: never in the log.
    assert!(!attempts[0].to_string().contains("robot-key-1"));
    // Sent once: the next tick sends nothing more.
    tick(&mut t);
    assert_eq!(robot.requests().len(), 1);
    // A status switched off queues nothing.
    let (_, _) = order(&mut t, &s);
    assert_eq!(outbox(&t), 2);
    t.ok(
        "notify.save_template",
        json!({"status": "registered", "channel": "wecom", "enabled": false, "body": "x"}),
    );
    order(&mut t, &s);
    assert_eq!(outbox(&t), 2);
}

#[test]
fn nothing_is_queued_or_sent_when_the_status_change_rolls_back() {
    let mut t = desk();
    let s = setup(&mut t);
    let robot = Fake::start(&[(200, r#"{"errcode":0,"errmsg":"ok"}"#)]);
    settings(
        &mut t,
        json!({"wecom_webhook": format!("{}/hook", robot.url)}),
    );
    template(&mut t, "registered", "wecom", "新工单{工单号}", "");
    // The order's second event (回电确认) fails after the first (登记) queued the message:
    // the whole intake rolls back, its message with it.
    let db = t.db();
    if on_postgres() {
        db.execute_batch(
            "CREATE FUNCTION refuse_confirmed() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'test: refused'; END $$;
             CREATE TRIGGER refuse_confirmed BEFORE INSERT ON order_event
               FOR EACH ROW WHEN (NEW.kind = 'confirmed') EXECUTE FUNCTION refuse_confirmed();",
        )
        .unwrap();
    } else {
        db.execute_batch(
            "CREATE TRIGGER refuse_confirmed BEFORE INSERT ON order_event
               WHEN NEW.kind = 'confirmed' BEGIN SELECT RAISE(ABORT, 'test: refused'); END;",
        )
        .unwrap();
    }
    drop(db);
    t.err(
        "orders.create",
        json!({"customer_id": s.customer, "fault": "不点火", "mode": "carry_in", "confirmed": true}),
    );
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM work_order"), 0);
    assert_eq!(outbox(&t), 0);
    tick(&mut t);
    assert!(robot.requests().is_empty());
    // The same intake without the failing step queues and sends.
    order(&mut t, &s);
    assert_eq!(outbox(&t), 1);
    tick(&mut t);
    assert_eq!(robot.requests().len(), 1);
}

#[test]
fn a_failing_provider_is_retried_with_back_off_and_every_attempt_logged() {
    let mut t = desk();
    let s = setup(&mut t);
    let robot = Fake::start(&[
        (502, "bad gateway"),
        (200, r#"{"errcode":-1,"errmsg":"system busy"}"#),
        (200, r#"{"errcode":0,"errmsg":"ok"}"#),
    ]);
    settings(
        &mut t,
        json!({"wecom_webhook": format!("{}/hook", robot.url)}),
    );
    template(&mut t, "registered", "wecom", "新工单{工单号}", "");
    let (id, _) = order(&mut t, &s);
    tick(&mut t);
    assert_eq!(robot.requests().len(), 1);
    // Not due again before its minute.
    t.desk.set_clock(Some(at("2026-11-23T10:00:59+08:00")));
    tick(&mut t);
    assert_eq!(robot.requests().len(), 1);
    t.desk.set_clock(Some(at("2026-11-23T10:01:00+08:00")));
    tick(&mut t);
    assert_eq!(robot.requests().len(), 2);
    // Then two minutes.
    t.desk.set_clock(Some(at("2026-11-23T10:02:59+08:00")));
    tick(&mut t);
    assert_eq!(robot.requests().len(), 2);
    t.desk.set_clock(Some(at("2026-11-23T10:03:00+08:00")));
    assert_eq!(tick(&mut t).messages.sent, 1);
    let attempts = log(&mut t, id);
    let statuses: Vec<&str> = attempts
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["sent", "failed", "failed"]);
    assert!(attempts[2]["reply"].as_str().unwrap().contains("HTTP 502"));
    assert!(attempts[1]["reply"]
        .as_str()
        .unwrap()
        .contains("system busy"));
    assert_eq!(t.sql::<String>("SELECT state FROM notify_outbox"), "sent");
}

#[test]
fn a_provider_that_refuses_for_good_is_not_retried() {
    let mut t = desk();
    let s = setup(&mut t);
    let robot = Fake::start(&[(200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#)]);
    settings(
        &mut t,
        json!({"wecom_webhook": format!("{}/hook", robot.url)}),
    );
    template(&mut t, "registered", "wecom", "新工单{工单号}", "");
    let (id, _) = order(&mut t, &s);
    assert_eq!(tick(&mut t).messages.failed, 1);
    t.desk.set_clock(Some(at("2026-11-23T11:00:00+08:00")));
    tick(&mut t);
    assert_eq!(robot.requests().len(), 1);
    assert_eq!(log(&mut t, id)[0]["status"], "failed");
}

fn aliyun(t: &mut TestDesk, fake: &Fake) {
    settings(
        t,
        json!({"sms_provider": "aliyun", "aliyun_endpoint": format!("{}/", fake.url),
               "aliyun_access_key_id": "LTAI5tTestKeyId", "aliyun_access_key_secret": "aliyun-secret-xyz",
               "aliyun_sign_name": "售后服务台"}),
    );
}

const ALIYUN_OK: &str = r#"{"Message":"OK","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990","Code":"OK","BizId":"900619746936498440^0"}"#;

#[test]
fn aliyun_sms_is_signed_and_sent_as_documented() {
    let mut t = desk();
    let s = setup(&mut t);
    let sms = Fake::start(&[(200, ALIYUN_OK)]);
    aliyun(&mut t, &sms);
    template(
        &mut t,
        "dispatched",
        "sms",
        "{客户}您好，工单{工单号}已派{工程师}工程师，预约{预约时间}。",
        "SMS_154950909",
    );
    let (id, number) = order(&mut t, &s);
    t.ok(
        "orders.assign",
        json!({"id": id, "engineer_id": s.engineer, "appointment_from": "2026-11-24T14:00:00+08:00"}),
    );
    assert_eq!(tick(&mut t).messages.sent, 1);
    let got = sms.requests();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.method, "POST");
    assert!(r.body.is_empty());
    let check = python(
        ALIYUN_CHECK,
        &json!({"key_id": "LTAI5tTestKeyId", "secret": "aliyun-secret-xyz"})
            .as_object()
            .unwrap()
            .clone()
            .into_iter()
            .chain(wire(r).as_object().unwrap().clone())
            .collect::<serde_json::Map<_, _>>()
            .into(),
    );
    assert_eq!(check["ok"], true, "{check}");
    assert_eq!(check["content_sha"], true, "{check}");
    assert_eq!(
        check["signed"],
        json!([
            "host",
            "x-acs-action",
            "x-acs-content-sha256",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-version"
        ])
    );
    assert_eq!(r.header("x-acs-action"), "SendSms");
    assert_eq!(r.header("x-acs-version"), "2017-05-25");
    assert_eq!(r.header("x-acs-date"), "2026-11-23T02:00:00Z");
    assert_eq!(r.header("x-acs-signature-nonce").len(), 32);
    let params = &check["params"];
    assert_eq!(params["PhoneNumbers"], "13812345678");
    assert_eq!(params["SignName"], "售后服务台");
    assert_eq!(params["TemplateCode"], "SMS_154950909");
    let param: Value = serde_json::from_str(params["TemplateParam"].as_str().unwrap()).unwrap();
    assert_eq!(
        param,
        json!({"customer": "张伟", "order_no": number, "engineer": "王磊", "appointment": "2026-11-24 14:00"})
    );
    let attempts = log(&mut t, id);
    assert_eq!(attempts[0]["recipient"], "13812345678");
    assert_eq!(
        attempts[0]["body"],
        format!("张伟您好，工单{number}已派王磊工程师，预约2026-11-24 14:00。")
    );
    assert!(!attempts[0].to_string().contains("aliyun-secret-xyz"));
}

#[test]
fn one_phone_gets_at_most_one_sms_a_minute() {
    let mut t = desk();
    let s = setup(&mut t);
    let sms = Fake::start(&[(200, ALIYUN_OK)]);
    aliyun(&mut t, &sms);
    template(
        &mut t,
        "registered",
        "sms",
        "{客户}您好，工单{工单号}已登记。",
        "SMS_1",
    );
    order(&mut t, &s);
    order(&mut t, &s);
    let ticked = tick(&mut t);
    assert_eq!((ticked.messages.sent, ticked.messages.waiting), (1, 1));
    assert_eq!(sms.requests().len(), 1);
    t.desk.set_clock(Some(at("2026-11-23T10:01:00+08:00")));
    assert_eq!(tick(&mut t).messages.sent, 1);
    assert_eq!(sms.requests().len(), 2);
}

#[test]
fn tencent_sms_is_signed_and_sent_as_documented() {
    let mut t = desk();
    let s = setup(&mut t);
    let sms = Fake::start(&[(
        200,
        r#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613812345678","Fee":1,"SessionContext":"","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}"#,
    )]);
    settings(
        &mut t,
        json!({"sms_provider": "tencent", "tencent_endpoint": format!("{}/", sms.url),
               "tencent_secret_id": "AKIDtestid", "tencent_secret_key": "tencent-secret-key",
               "tencent_sdk_app_id": "1400006666", "tencent_sign_name": "售后服务台"}),
    );
    template(
        &mut t,
        "completed",
        "sms",
        "{客户}您好，工单{工单号}已完工，应付{金额}。",
        "449739",
    );
    let (id, number) = order(&mut t, &s);
    t.ok(
        "orders.assign",
        json!({"id": id, "engineer_id": s.engineer}),
    );
    t.ok("orders.move", json!({"id": id, "to": "in_progress"}));
    t.ok(
        "orders.complete",
        json!({"id": id, "work_done": "更换点火针", "fees": [{"kind": "labour", "amount_fen": 8000}], "fee_reason": "人为损坏"}),
    );
    let due = t.ok("orders.get", json!({"id": id}));
    let due_fen = due["total_fen"].as_i64().unwrap() - due["paid_fen"].as_i64().unwrap();
    assert_eq!(tick(&mut t).messages.sent, 1);
    let got = sms.requests();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    let mut input = wire(r);
    input["secret"] = json!("tencent-secret-key");
    input["secret_id"] = json!("AKIDtestid");
    let check = python(TENCENT_CHECK, &input);
    assert_eq!(check["ok"], true, "{check}");
    assert_eq!(r.header("x-tc-action"), "SendSms");
    assert_eq!(r.header("x-tc-version"), "2021-01-11");
    assert_eq!(r.header("x-tc-region"), "ap-guangzhou");
    assert_eq!(r.header("content-type"), "application/json; charset=utf-8");
    assert_eq!(
        r.header("x-tc-timestamp"),
        at(MONDAY_10).timestamp().to_string()
    );
    let amount = format!("¥{}.{:02}", due_fen / 100, due_fen % 100);
    assert_eq!(
        r.json(),
        json!({"PhoneNumberSet": ["+8613812345678"], "SmsSdkAppId": "1400006666",
               "SignName": "售后服务台", "TemplateId": "449739",
               "TemplateParamSet": ["张伟", number, amount]})
    );
}

#[test]
fn wechat_template_messages_take_a_token_then_send_values_of_at_most_20_characters() {
    let mut t = desk();
    let s = setup(&mut t);
    let wx = Fake::start(&[
        (
            200,
            r#"{"access_token":"ACCESS_TOKEN_1","expires_in":7200}"#,
        ),
        (200, r#"{"errcode":0,"errmsg":"ok","msgid":200228332}"#),
    ]);
    settings(
        &mut t,
        json!({"wechat_endpoint": wx.url, "wechat_app_id": "wx1234567890abcdef", "wechat_app_secret": "wechat-app-secret"}),
    );
    template(
        &mut t,
        "registered",
        "wechat",
        "thing1={客户}，您的报修已登记，我们会尽快联系您安排上门\ncharacter_string2={工单号}",
        "tmpl-TEST_01",
    );
    // No openid on the customer's file: not sent, and the log says why.
    let (first, _) = order(&mut t, &s);
    tick(&mut t);
    assert!(wx.requests().is_empty());
    let why = log(&mut t, first)[0].clone();
    assert_eq!(why["status"], "refused");
    assert!(
        why["reply"].as_str().unwrap().contains("未绑定微信"),
        "{why}"
    );
    t.ok(
        "notify.save_customer",
        json!({"customer_id": s.customer, "wechat_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}),
    );
    let (_, number) = order(&mut t, &s);
    assert_eq!(tick(&mut t).messages.sent, 1);
    let got = wx.requests();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].method, "GET");
    assert_eq!(
        got[0].target,
        "/cgi-bin/token?grant_type=client_credential&appid=wx1234567890abcdef&secret=wechat-app-secret"
    );
    assert_eq!(got[1].method, "POST");
    assert_eq!(
        got[1].target,
        "/cgi-bin/message/template/send?access_token=ACCESS_TOKEN_1"
    );
    let thing: String = "张伟，您的报修已登记，我们会尽快联系您安排上门"
        .chars()
        .take(20)
        .collect();
    assert_eq!(thing.chars().count(), 20);
    assert_eq!(
        got[1].json(),
        json!({"touser": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "template_id": "tmpl-TEST_01",
               "data": {"thing1": {"value": thing}, "character_string2": {"value": number}}})
    );
    let all = t.ok("notify.log", json!({}));
    assert!(!all.to_string().contains("wechat-app-secret"));
}

#[test]
fn an_opted_out_customer_gets_nothing_and_the_log_says_so() {
    let mut t = desk();
    let s = setup(&mut t);
    let sms = Fake::start(&[(200, ALIYUN_OK)]);
    aliyun(&mut t, &sms);
    template(
        &mut t,
        "registered",
        "sms",
        "{客户}您好，工单{工单号}已登记。",
        "SMS_1",
    );
    let choice = t.ok(
        "notify.save_customer",
        json!({"customer_id": s.customer, "opt_out": true}),
    );
    assert_eq!(choice["opt_out"], true);
    assert_eq!(
        t.ok("notify.customer", json!({"customer_id": s.customer}))["opt_out"],
        true
    );
    let (id, _) = order(&mut t, &s);
    tick(&mut t);
    assert!(sms.requests().is_empty());
    let attempts = log(&mut t, id);
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["status"], "skipped");
    assert!(attempts[0]["reply"]
        .as_str()
        .unwrap()
        .contains("不接收通知"));
    // Opted back in: the next order's message goes.
    t.ok(
        "notify.save_customer",
        json!({"customer_id": s.customer, "opt_out": false}),
    );
    order(&mut t, &s);
    tick(&mut t);
    assert_eq!(sms.requests().len(), 1);
}

#[test]
fn a_template_not_approved_is_not_sent_and_the_log_says_why() {
    let mut t = desk();
    let s = setup(&mut t);
    let sms = Fake::start(&[(200, ALIYUN_OK)]);
    aliyun(&mut t, &sms);
    t.ok(
        "notify.save_template",
        json!({"status": "registered", "channel": "sms", "enabled": true,
               "body": "{客户}您好，工单{工单号}已登记。", "provider_template": "SMS_1", "approved": false}),
    );
    let (id, _) = order(&mut t, &s);
    assert_eq!(tick(&mut t).messages.refused, 1);
    assert!(sms.requests().is_empty());
    let why = &log(&mut t, id)[0];
    assert_eq!(why["status"], "refused");
    assert!(
        why["reply"].as_str().unwrap().contains("未通过服务商审核"),
        "{why}"
    );
    // Approval needs the provider's template code.
    let e = t.err(
        "notify.save_template",
        json!({"status": "registered", "channel": "sms", "enabled": true,
               "body": "{客户}", "provider_template": "", "approved": true}),
    );
    assert_eq!(e["field"], "provider_template");
}

#[test]
fn secrets_are_never_shown_back_nor_written_in_the_audit_trail() {
    let mut t = desk();
    setup(&mut t);
    settings(
        &mut t,
        json!({"aliyun_access_key_id": "LTAI5tTestKeyId", "aliyun_access_key_secret": "aliyun-secret-xyz",
               "wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-secret-key"}),
    );
    let shown = t.ok("notify.settings", json!({}));
    let text = shown.to_string();
    assert!(
        !text.contains("aliyun-secret-xyz") && !text.contains("robot-secret-key"),
        "{text}"
    );
    assert_eq!(shown["values"]["aliyun_access_key_id"], "LTAI5tTestKeyId");
    let set: Vec<&str> = shown["secrets_set"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(set, ["aliyun_access_key_secret", "wecom_webhook"]);
    let general = t.ok("settings.get", json!({})).to_string();
    assert!(!general.contains("aliyun-secret-xyz") && !general.contains("robot-secret-key"));
    let audit = t.ok("audit.list", json!({})).to_string();
    assert!(!audit.contains("aliyun-secret-xyz") && !audit.contains("robot-secret-key"));
    assert!(audit.contains("阿里云 AccessKey Secret：已更换"), "{audit}");
    // A secret is kept when not given again, cleared when given empty.
    settings(&mut t, json!({"aliyun_sign_name": "售后"}));
    let shown = t.ok("notify.settings", json!({}));
    assert_eq!(shown["secrets_set"].as_array().unwrap().len(), 2);
    settings(&mut t, json!({"wecom_webhook": ""}));
    let shown = t.ok("notify.settings", json!({}));
    assert_eq!(shown["secrets_set"], json!(["aliyun_access_key_secret"]));
    // Bad values name the field and change nothing.
    for bad in [
        json!({"sms_provider": "twilio"}),
        json!({"aliyun_endpoint": "ftp://x"}),
        json!({"unknown": "x"}),
        json!({"sms_per_second": "0"}),
    ] {
        let e = t.err("notify.save_settings", json!({ "values": bad }));
        assert_eq!(e["field"], "values", "{bad}: {e}");
    }
}

#[test]
fn templates_are_checked_and_previewed_with_a_real_orders_values() {
    let mut t = desk();
    let s = setup(&mut t);
    let all = t.ok("notify.templates", json!({}));
    // Five statuses and the maintenance reminder (issue 21) × three channels, each with a
    // default text, all off.
    assert_eq!(all["items"].as_array().unwrap().len(), 18);
    assert!(all["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["enabled"] == false && !i["body"].as_str().unwrap().is_empty()));
    assert_eq!(
        all["fields"],
        json!([
            "{客户}",
            "{工单号}",
            "{工程师}",
            "{预约时间}",
            "{金额}",
            "{查询链接}"
        ])
    );
    let (id, number) = order(&mut t, &s);
    t.ok("orders.assign", json!({"id": id, "engineer_id": s.engineer, "appointment_from": "2026-11-24T09:30:00+08:00"}));
    let p = t.ok(
        "notify.preview",
        json!({"status": "dispatched", "channel": "sms", "order_id": id,
               "body": "{客户}：{工单号}，{工程师}，{预约时间}，{金额}，[{查询链接}]"}),
    );
    assert_eq!(
        p["text"],
        format!("张伟：{number}，王磊，2026-11-24 09:30，¥0.00，[]")
    );
    assert_eq!(p["order_number"], number);
    // With the desk's public address set, {查询链接} is the order's status page.
    t.ok(
        "settings.save",
        json!({"public_url": "https://fuwu.example.com"}),
    );
    let path = t.ok("orders.get", json!({"id": id}))["status_path"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(path.starts_with("/s/"), "{path}");
    let p = t.ok(
        "notify.preview",
        json!({"status": "dispatched", "channel": "sms", "order_id": id,
               "body": "进度：{查询链接}"}),
    );
    assert_eq!(p["text"], format!("进度：https://fuwu.example.com{path}"));
    // Nothing saved by a preview.
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM notify_template"), 0);
    for (args, field) in [
        (
            json!({"status": "registered", "channel": "sms", "body": "{电话}"}),
            "body",
        ),
        (
            json!({"status": "registered", "channel": "sms", "body": "{客户"}),
            "body",
        ),
        (
            json!({"status": "registered", "channel": "sms", "body": ""}),
            "body",
        ),
        (
            json!({"status": "registered", "channel": "sms", "body": "x".repeat(501)}),
            "body",
        ),
        (
            json!({"status": "closed", "channel": "sms", "body": "x"}),
            "status",
        ),
        (
            json!({"status": "registered", "channel": "fax", "body": "x"}),
            "channel",
        ),
        (
            json!({"status": "registered", "channel": "wechat", "body": "没有等号"}),
            "body",
        ),
        (
            json!({"status": "registered", "channel": "sms", "body": "x", "provider_template": "SMS 1"}),
            "provider_template",
        ),
    ] {
        let e = t.err("notify.save_template", args.clone());
        assert_eq!(e["field"], field, "{args}: {e}");
    }
    assert_eq!(t.sql::<i64>("SELECT count(*) FROM notify_template"), 0);
}

#[test]
fn notify_test_sends_now_and_logs_the_attempt() {
    let mut t = desk();
    setup(&mut t);
    let robot = Fake::start(&[(200, r#"{"errcode":0,"errmsg":"ok"}"#)]);
    // No robot yet: nothing sent, and the reply says why.
    let r = t.ok("notify.test", json!({"channel": "wecom"}));
    assert_eq!(r["sent"], false);
    assert!(
        r["reply"]
            .as_str()
            .unwrap()
            .contains("未设置企业微信群机器人地址"),
        "{r}"
    );
    settings(
        &mut t,
        json!({"wecom_webhook": format!("{}/hook", robot.url)}),
    );
    let r = t.ok("notify.test", json!({"channel": "wecom"}));
    assert_eq!(r["sent"], true, "{r}");
    assert_eq!(robot.requests().len(), 1);
    let all = t.ok("notify.log", json!({}));
    assert_eq!(all["items"][0]["status"], "sent");
    let e = t.err(
        "notify.test",
        json!({"channel": "sms", "to": "010-12345678"}),
    );
    assert_eq!(e["field"], "to");
}
