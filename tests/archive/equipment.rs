use serde_json::{json, Value};

use crate::util::{desk, TestDesk};

fn model(t: &mut TestDesk, code: &str) -> i64 {
    let m = t.ok(
        "models.save",
        json!({"code": code, "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"},
                            {"component": "压缩机", "months": 36, "basis": "install"}]}),
    );
    m["id"].as_i64().unwrap()
}

fn customer(t: &mut TestDesk, name: &str, phone: &str) -> i64 {
    t.ok("customers.create", json!({"name": name, "phones": [phone]}))["id"]
        .as_i64()
        .unwrap()
}

fn machine(t: &mut TestDesk, customer_id: i64, model_id: i64, serial: &str, bought: &str) -> Value {
    t.ok(
        "equipment.create",
        json!({"customer_id": customer_id, "model_id": model_id, "serial": serial, "purchase_date": bought}),
    )
}

#[test]
fn models_need_a_whole_machine_policy_and_unique_codes() {
    let mut t = desk();
    let e = t.err("models.save", json!({"code": "A1", "name": "x", "policies": [{"component": "压缩机", "months": 36, "basis": "purchase"}]}));
    assert_eq!(e["field"], "policies");
    let e = t.err("models.save", json!({"code": "A1", "name": "x", "policies": [{"component": "", "months": 0, "basis": "purchase"}]}));
    assert_eq!(e["message"], "整机的保修月数应在1到240之间");
    model(&mut t, "JSQ25-13");
    let e = t.err(
        "models.save",
        json!({"code": "JSQ25-13", "name": "y", "policies": [{"months": 12, "basis": "purchase"}]}),
    );
    assert_eq!(e["field"], "code");
    assert_eq!(
        t.ok("models.list", json!({}))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn warranty_verdict_with_component_terms_and_reason() {
    let mut t = desk();
    let m = model(&mut t, "JSQ25-13");
    let c = customer(&mut t, "张伟", "13812345678");
    let two_years_ago = (t.desk.today() - chrono::Duration::days(730))
        .format("%Y-%m-%d")
        .to_string();
    let e = t.ok(
        "equipment.create",
        json!({"customer_id": c, "model_id": m, "serial": " sn 2024 0001 ", "purchase_date": two_years_ago,
               "install_date": two_years_ago}),
    );
    assert_eq!(e["serial"], "SN20240001");
    assert_eq!(e["warranty"]["status"], "out");
    assert!(
        e["warranty"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("保外：整机保修自购买日期"),
        "{}",
        e["warranty"]
    );
    assert_eq!(e["warranty"]["components"][0]["component"], "压缩机");
    assert_eq!(e["warranty"]["components"][0]["status"], "in");
    let recent = (t.desk.today() - chrono::Duration::days(30))
        .format("%Y/%-m/%-d")
        .to_string();
    let e2 = machine(&mut t, c, m, "SN20240002", &recent);
    assert_eq!(e2["warranty"]["status"], "in");
}

#[test]
fn serials_are_unique_per_model_and_a_clash_names_the_owner() {
    let mut t = desk();
    let m = model(&mut t, "JSQ25-13");
    let other = t.ok("models.save", json!({"code": "KFR-35", "name": "空调", "policies": [{"months": 12, "basis": "purchase"}]}))["id"].clone();
    let a = customer(&mut t, "张伟", "13812345678");
    let b = customer(&mut t, "李娜", "13912345678");
    machine(&mut t, a, m, "SN1", "2024-03-15");
    let e = t.err(
        "equipment.create",
        json!({"customer_id": b, "model_id": m, "serial": "sn1"}),
    );
    assert_eq!(e["field"], "serial");
    assert_eq!(
        e["message"],
        format!("该型号的序列号 SN1 已登记在客户“张伟”（编号 {a}）名下")
    );
    // The same serial on another model is another machine.
    t.ok(
        "equipment.create",
        json!({"customer_id": b, "model_id": other, "serial": "SN1"}),
    );
}

#[test]
fn a_machine_form_is_refused_with_every_problem_at_once() {
    let mut t = desk();
    let c = customer(&mut t, "张伟", "13812345678");
    let e = t.err(
        "equipment.create",
        json!({"customer_id": c, "model_id": 999, "serial": "坏 号", "purchase_date": "2099-01-01",
               "install_date": "昨天", "site": "厨".repeat(101)}),
    );
    assert_eq!(e["field"], "model_id", "{e}");
    let fields: Vec<(&str, &str)> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("model_id", "请选择型号"),
            ("serial", "序列号只能包含字母、数字和 - _ / .（有“坏”）"),
            ("purchase_date", "购买日期不能晚于今天"),
            (
                "install_date",
                "安装日期不是有效的日期：昨天（请写成 2024-03-15）"
            ),
            ("site", "安装位置不能超过100个字"),
        ],
        "{e}"
    );
    assert_eq!(
        t.ok("equipment.list", json!({"customer_id": c}))["items"],
        json!([])
    );
}

#[test]
fn bad_dates_name_the_field_and_value() {
    let mut t = desk();
    let m = model(&mut t, "JSQ25-13");
    let c = customer(&mut t, "张伟", "13812345678");
    let e = t.err(
        "equipment.create",
        json!({"customer_id": c, "model_id": m, "serial": "A1", "purchase_date": "2023-02-29"}),
    );
    assert_eq!(
        e,
        json!({"code": "invalid", "field": "purchase_date", "message": "购买日期不是有效的日期：2023-02-29（请写成 2024-03-15）"})
    );
    let e = t.err(
        "equipment.create",
        json!({"customer_id": c, "model_id": m, "serial": "A1", "purchase_date": "2024年3月15日", "install_date": "2024-03-01"}),
    );
    assert_eq!(e["field"], "install_date");
    let e = t.err(
        "equipment.create",
        json!({"customer_id": c, "model_id": m, "serial": "A1", "purchase_date": "2099-01-01"}),
    );
    assert_eq!(e["message"], "购买日期不能晚于今天");
    let e = t.err(
        "equipment.create",
        json!({"customer_id": c, "model_id": 999, "serial": "A1"}),
    );
    assert_eq!(e["field"], "model_id");
    assert_eq!(
        t.ok("equipment.list", json!({"customer_id": c}))["items"],
        json!([])
    );
}

#[test]
fn an_override_needs_a_reason_and_is_kept_in_history() {
    let mut t = desk();
    let m = model(&mut t, "JSQ25-13");
    let c = customer(&mut t, "张伟", "13812345678");
    let e = machine(&mut t, c, m, "SN9", "2020-01-01");
    assert_eq!(e["warranty"]["status"], "out");
    let id = e["id"].clone();
    let err = t.err(
        "equipment.override_warranty",
        json!({"id": id, "warranty_end": "2099-12-31", "reason": " "}),
    );
    assert_eq!(err["field"], "reason");
    let e = t.ok(
        "equipment.override_warranty",
        json!({"id": id, "warranty_end": "2099-12-31", "reason": "经理特批延保"}),
    );
    assert_eq!(e["warranty"]["status"], "in");
    assert_eq!(
        e["warranty"]["override"],
        json!({"end": "2099-12-31", "reason": "经理特批延保"})
    );
    let history = e["history"].as_array().unwrap();
    assert_eq!(history[0]["title"], "调整保修");
    assert_eq!(
        history[0]["detail"],
        "保修截止日期改为 2099-12-31，原因：经理特批延保"
    );
    assert_eq!(history[1]["title"], "登记设备");
    let e = t.ok(
        "equipment.override_warranty",
        json!({"id": id, "warranty_end": null, "reason": "录错了"}),
    );
    assert_eq!(e["warranty"]["override"], Value::Null);
    assert_eq!(e["warranty"]["status"], "out");
    assert_eq!(e["history"].as_array().unwrap().len(), 3);
}

#[test]
fn a_head_office_sees_its_branches_machines() {
    let mut t = desk();
    let m = model(&mut t, "JSQ25-13");
    let hq = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "如家酒店集团", "phones": ["400-820-3333"]}),
    )["id"]
        .as_i64()
        .unwrap();
    let branch = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "如家酒店（浦东店）", "phones": ["021-61234567"], "parent_id": hq}),
    )["id"]
        .as_i64()
        .unwrap();
    machine(&mut t, branch, m, "B1", "2024-03-15");
    machine(&mut t, hq, m, "H1", "2024-03-15");
    let list = t.ok("equipment.list", json!({"customer_id": hq}));
    let owners: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["customer_name"].as_str().unwrap())
        .collect();
    assert_eq!(owners, ["如家酒店集团", "如家酒店（浦东店）"]);
    assert_eq!(
        t.ok("equipment.list", json!({"customer_id": branch}))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let hq_file = t.ok("customers.get", json!({"id": hq}));
    assert_eq!(
        hq_file["branches"],
        json!([{"id": branch, "name": "如家酒店（浦东店）"}])
    );
    // One level only; a person cannot be a head office.
    let e = t.err(
        "customers.create",
        json!({"name": "分店的分店", "phones": ["13800000000"], "parent_id": branch}),
    );
    assert_eq!(e["field"], "parent_id");
    let person = customer(&mut t, "王芳", "13700000000");
    let e = t.err(
        "customers.create",
        json!({"name": "某店", "phones": ["13800000001"], "parent_id": person}),
    );
    assert_eq!(e["message"], "“王芳”是个人客户，不能作为总店");
}
