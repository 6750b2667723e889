use serde_json::json;

use crate::util::{desk, TestDesk};

fn add(t: &mut TestDesk, name: &str, phones: &[&str], address: &str) -> i64 {
    let c = t.ok(
        "customers.create",
        json!({"name": name, "phones": phones, "address": address}),
    );
    c["id"].as_i64().unwrap()
}

fn count(t: &mut TestDesk) -> u64 {
    t.ok("customers.search", json!({}))["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn create_normalises_and_get_returns_it() {
    let mut t = desk();
    let c = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "  上海恒泰商贸有限公司 ", "phones": ["+86 138-1234-5678", "021-61234567 转 801"],
               "address": "上海市浦东新区世纪大道100号", "region": "上海", "class": "key"}),
    );
    assert_eq!(c["name"], "上海恒泰商贸有限公司");
    assert_eq!(
        c["phones"],
        json!([{"number": "13812345678", "display": "138 1234 5678"},
               {"number": "02161234567-801", "display": "021 6123 4567 转 801"}])
    );
    let got = t.ok("customers.get", json!({"id": c["id"]}));
    assert_eq!(got, c);
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn bad_input_names_the_field_and_saves_nothing() {
    let mut t = desk();
    let e = t.err(
        "customers.create",
        json!({"name": "", "phones": ["13812345678"]}),
    );
    assert_eq!(
        e,
        json!({"code": "invalid", "field": "name", "message": "客户名称不能为空"})
    );
    // Every problem of the form at once, the first one also as field/message.
    let e = t.err(
        "customers.create",
        json!({"name": "", "phones": ["1381234567"], "class": "gold", "region": "一二三四五六七八九十一二三四五六七八九十一"}),
    );
    assert_eq!(
        e,
        json!({"code": "invalid", "field": "name", "message": "客户名称不能为空",
        "fields": [
            {"field": "name", "message": "客户名称不能为空"},
            {"field": "phones", "message": "手机号码应为11位数字（第1个电话：1381234567）"},
            {"field": "region", "message": "地区不能超过20个字"},
            {"field": "class", "message": "客户级别只能是“普通”“VIP”或“大客户”"}
        ]})
    );
    let e = t.err(
        "customers.create",
        json!({"name": "张伟", "phones": ["1381234567"]}),
    );
    assert_eq!(e["field"], "phones");
    assert_eq!(
        e["message"],
        "手机号码应为11位数字（第1个电话：1381234567）"
    );
    let e = t.err(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678", "61234567"]}),
    );
    assert_eq!(
        e["message"],
        "固定电话请加区号（如 021-6123 4567），手机号码应为11位数字（第2个电话：61234567）"
    );
    let e = t.err("customers.create", json!({"name": "张伟", "phones": []}));
    assert_eq!(e["field"], "phones");
    let e = t.err(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "class": "gold"}),
    );
    assert_eq!(e["field"], "class");
    let e = t.err(
        "customers.create",
        json!({"name": "张".repeat(51), "phones": ["13812345678"]}),
    );
    assert_eq!(e["message"], "客户名称不能超过50个字");
    assert_eq!(count(&mut t), 0);
}

#[test]
fn an_update_refuses_with_every_problem_and_changes_nothing() {
    let mut t = desk();
    let id = add(&mut t, "张伟", &["13812345678"], "");
    let e = t.err(
        "customers.update",
        json!({"id": id, "name": "", "phones": [], "parent_id": id}),
    );
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "phones", "parent_id"], "{e}");
    assert_eq!(t.ok("customers.get", json!({"id": id}))["name"], "张伟");
}

#[test]
fn update_replaces_fields_and_reindexes() {
    let mut t = desk();
    let id = add(&mut t, "李建国", &["13912345678"], "南京市鼓楼区中山路1号");
    let c = t.ok(
        "customers.update",
        json!({"id": id, "name": "李建华", "phones": ["13987654321"], "address": "苏州市姑苏区人民路2号", "class": "vip"}),
    );
    assert_eq!(c["class"], "vip");
    assert_eq!(t.search("建国"), Vec::<String>::new());
    assert_eq!(t.search("建华"), ["李建华"]);
    assert_eq!(
        t.search("5678"),
        Vec::<String>::new(),
        "old phone must be gone from the index"
    );
    assert_eq!(t.search("4321"), ["李建华"]);
    assert_eq!(t.search("鼓楼"), Vec::<String>::new());
    assert_eq!(t.search("姑苏"), ["李建华"]);
}

#[test]
fn a_failed_update_changes_nothing() {
    let mut t = desk();
    let id = add(&mut t, "王芳", &["13912345678"], "");
    let before = t.ok("customers.get", json!({"id": id}));
    let e = t.err(
        "customers.update",
        json!({"id": id, "name": "王芳芳", "phones": ["123"]}),
    );
    assert_eq!(e["field"], "phones");
    assert_eq!(t.ok("customers.get", json!({"id": id})), before);
    let e = t.err(
        "customers.update",
        json!({"id": 999, "name": "王芳", "phones": ["13912345678"]}),
    );
    assert_eq!(
        e,
        json!({"code": "not_found", "message": "客户不存在（编号 999）"})
    );
    assert_eq!(
        t.err("customers.get", json!({"id": 999}))["code"],
        "not_found"
    );
}

#[test]
fn finds_by_name_fragment_of_any_length_and_position() {
    let mut t = desk();
    add(&mut t, "欧阳玥", &["13800001111"], "");
    add(&mut t, "张伟", &["13800002222"], "");
    add(&mut t, "张伟华", &["13800003333"], "");
    add(&mut t, "李张伟", &["13800004444"], "");
    add(&mut t, "周喆", &["13800005555"], "北京市朝阳区张伟路8号");
    // Exact name first, then names starting with it, containing it, then address matches.
    assert_eq!(t.search("张伟"), ["张伟", "张伟华", "李张伟", "周喆"]);
    assert_eq!(t.search("阳玥"), ["欧阳玥"]);
    assert_eq!(t.search("玥"), ["欧阳玥"]);
    assert_eq!(t.search("喆"), ["周喆"]);
    assert_eq!(t.search("朝阳"), ["周喆"]);
    assert_eq!(t.search("伟张"), Vec::<String>::new());
    // A page that spans name matches and address-only matches.
    let p2 = t.ok(
        "customers.search",
        json!({"query": "张伟", "page": 2, "page_size": 3}),
    );
    assert_eq!(p2["total"], 4);
    assert_eq!(p2["items"][0]["name"], "周喆");
    let p2 = t.ok(
        "customers.search",
        json!({"query": "张伟", "page": 2, "page_size": 2}),
    );
    let names: Vec<&str> = p2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["李张伟", "周喆"]);
}

#[test]
fn finds_by_whole_phone_its_start_or_last_digits() {
    let mut t = desk();
    add(&mut t, "赵敏", &["13812345678"], "");
    add(&mut t, "钱强", &["13912345678"], "");
    add(&mut t, "孙丽", &["0755-87654321"], "");
    add(&mut t, "宏达电器", &["021-61234567-801"], "");
    let mut by_tail = t.search("5678");
    by_tail.sort();
    assert_eq!(by_tail, ["赵敏", "钱强"]);
    assert_eq!(t.search("13812345678"), ["赵敏"]);
    assert_eq!(t.search("138 1234 5678"), ["赵敏"]);
    assert_eq!(t.search("1381234"), ["赵敏"]);
    assert_eq!(t.search("45678"), ["钱强", "赵敏"]);
    assert_eq!(t.search("075587654321"), ["孙丽"]);
    assert_eq!(t.search("87654321"), ["孙丽"]);
    assert_eq!(
        t.search("4567"),
        ["宏达电器"],
        "tail of the main number, not of the extension"
    );
    assert_eq!(t.search("0216123"), ["宏达电器"]);
}

#[test]
fn lists_in_pages_newest_first() {
    let mut t = desk();
    for i in 0..7 {
        add(
            &mut t,
            &format!("客户{i}"),
            &[&format!("1380000000{i}")],
            "",
        );
    }
    let p1 = t.ok(
        "customers.search",
        json!({"query": "", "page": 1, "page_size": 3}),
    );
    assert_eq!(p1["total"], 7);
    let names: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["客户6", "客户5", "客户4"]);
    let p3 = t.ok(
        "customers.search",
        json!({"query": "客户", "page": 3, "page_size": 3}),
    );
    assert_eq!(p3["total"], 7);
    assert_eq!(p3["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.err("customers.search", json!({"page_size": 0}))["field"],
        "page_size"
    );
    assert_eq!(
        t.err("customers.search", json!({"page_size": 201}))["field"],
        "page_size"
    );
}

#[test]
fn demo_data_is_searchable() {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 300).unwrap();
    assert_eq!(count(&mut t), 300);
    let companies = t.ok(
        "customers.search",
        json!({"query": "有限公司", "page_size": 200}),
    );
    assert!(
        companies["total"].as_u64().unwrap() >= 10,
        "a few companies: {}",
        companies["total"]
    );
    let all = t.ok("customers.search", json!({"page_size": 200}));
    let first = &all["items"][0];
    let tail = &first["phones"][0]["number"].as_str().unwrap()[7..];
    assert!(t
        .search(tail)
        .contains(&first["name"].as_str().unwrap().to_string()));
}

#[test]
fn duplicates_by_phone_name_and_similar_address() {
    let mut t = desk();
    let a = add(
        &mut t,
        "张伟",
        &["13812345678"],
        "上海市浦东新区世纪大道100号",
    );
    let b = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "上海恒泰商贸有限公司", "phones": ["021-61234567"], "address": "上海市徐汇区漕溪北路88号"}),
    )["id"]
        .as_i64()
        .unwrap();
    let d = t.ok(
        "customers.duplicates",
        json!({"name": "张大伟", "phones": ["138-1234-5678"]}),
    );
    assert_eq!(d["items"][0]["customer"]["id"], a);
    assert_eq!(d["items"][0]["reasons"], json!(["电话相同：138 1234 5678"]));
    let d = t.ok(
        "customers.duplicates",
        json!({"name": "张伟", "phones": []}),
    );
    assert_eq!(d["items"][0]["reasons"], json!(["名称相同"]));
    let d = t.ok(
        "customers.duplicates",
        json!({"name": "恒泰商贸公司", "phones": ["bad"], "address": "徐汇区漕溪北路88号3楼"}),
    );
    assert_eq!(d["items"][0]["customer"]["id"], b);
    assert_eq!(d["items"][0]["reasons"], json!(["名称相似", "地址相似"]));
    // Editing a customer does not warn about itself; unrelated input finds nothing.
    let d = t.ok(
        "customers.duplicates",
        json!({"name": "张伟", "phones": ["13812345678"], "exclude_id": a}),
    );
    assert_eq!(d["items"], json!([]));
    let d = t.ok(
        "customers.duplicates",
        json!({"name": "恒泰商贸公司", "address": "北京市朝阳区建国路1号"}),
    );
    assert_eq!(d["items"], json!([]));
}

#[test]
fn merge_moves_machines_branches_and_phones_and_keeps_the_record() {
    let mut t = desk();
    let m = t.ok(
        "models.save",
        json!({"code": "M1", "name": "热水器", "policies": [{"months": 12, "basis": "purchase"}]}),
    )["id"]
        .clone();
    let keep = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "如家酒店", "phones": ["400-820-3333"]}),
    )["id"]
        .as_i64()
        .unwrap();
    let gone = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "如家酒店集团", "phones": ["021-61234567", "400-820-3333"], "address": "上海市徐汇区"}),
    )["id"]
        .as_i64()
        .unwrap();
    let branch = t.ok("customers.create", json!({"kind": "company", "name": "如家（浦东店）", "phones": ["021-50000000"], "parent_id": gone}))["id"].as_i64().unwrap();
    t.ok(
        "equipment.create",
        json!({"customer_id": gone, "model_id": m, "serial": "X1"}),
    );
    assert_eq!(
        t.err(
            "customers.merge",
            json!({"keep_id": keep, "merge_id": keep})
        )["field"],
        "merge_id"
    );
    assert_eq!(
        t.err(
            "customers.merge",
            json!({"keep_id": branch, "merge_id": gone})
        )["message"],
        "不能把总店合并到它自己的分店"
    );

    let kept = t.ok(
        "customers.merge",
        json!({"keep_id": keep, "merge_id": gone}),
    );
    let numbers: Vec<&str> = kept["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["4008203333", "02161234567"]);
    assert_eq!(kept["address"], "上海市徐汇区");
    assert_eq!(
        kept["branches"],
        json!([{"id": branch, "name": "如家（浦东店）"}])
    );
    assert_eq!(
        t.ok("equipment.list", json!({"customer_id": keep}))["items"][0]["serial"],
        "X1"
    );
    let old = t.ok("customers.get", json!({"id": gone}));
    assert_eq!(old["merged_into"], keep);
    assert_eq!(
        t.search("集团"),
        Vec::<String>::new(),
        "a merged customer is out of search"
    );
    assert_eq!(t.search("徐汇"), ["如家酒店"]);
    assert_eq!(
        t.err(
            "customers.merge",
            json!({"keep_id": keep, "merge_id": gone})
        )["message"],
        "“如家酒店集团”已经合并过了"
    );
    let timeline = t.ok("customers.timeline", json!({"id": keep}));
    let titles: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["合并客户", "登记设备", "建立档案"]);
}

#[test]
fn an_update_is_in_the_timeline_and_audit_is_append_only() {
    let mut t = desk();
    let id = add(&mut t, "王芳", &["13912345678"], "");
    t.ok("customers.update", json!({"id": id, "name": "王芳", "phones": ["13912345678"], "address": "杭州市西湖区", "class": "vip"}));
    let timeline = t.ok("customers.timeline", json!({"id": id}));
    assert_eq!(timeline["items"][0]["detail"], "修改了地址、等级");
    let conn = t.db();
    let e = conn
        .execute("UPDATE audit_entry SET detail = 'x'", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(conn.execute("DELETE FROM audit_entry", []).is_err());
}

#[test]
fn search_counts_are_capped_for_broad_queries() {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 3000).unwrap();
    let page = t.ok("customers.search", json!({"query": "市"}));
    assert_eq!(page["total"], 1000);
    assert_eq!(page["more"], true);
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    let all = t.ok("customers.search", json!({}));
    assert_eq!(all["total"], 3000);
    assert_eq!(all["more"], false);
}

/// Regression: a search export stopped silently at the 1,000-match count cap.
#[test]
fn exporting_a_search_beyond_the_count_cap_is_refused_not_cut() {
    let mut t = desk();
    aftersales::demo::fill(&mut t.desk, 1010).unwrap();
    let e = t.err("customers.export", json!({"query": "市"}));
    assert_eq!(e["field"], "query");
    let all = t.ok("customers.export", json!({"query": ""}));
    assert!(all["rows"].as_u64().unwrap() >= 1010);
}

// ---- issue 16, finding 8: reads of the archive bounded by role ---------------------------

fn person(name: &str, roles: &[aftersales::Role]) -> aftersales::Actor {
    aftersales::Actor {
        id: Some(900),
        login: name.into(),
        name: name.into(),
        roles: roles.to_vec(),
        engineer_id: None,
    }
}

fn call_as(
    t: &mut TestDesk,
    actor: &aftersales::Actor,
    command: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    t.desk.act_as(actor.clone());
    let out = aftersales::api::call(&mut t.desk, command, args)
        .map(|r| r.value())
        .map_err(|e| e.to_json());
    t.desk.act_as(aftersales::Actor::script());
    out
}

fn bulk_reads(t: &TestDesk) -> Vec<(String, String)> {
    let conn = t.db();
    let mut stmt = conn
        .prepare("SELECT \"user\", detail FROM audit_entry WHERE action = 'bulk_read' ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

// f08: an engineer, a storekeeper and a dispatcher find a customer by what they know of
// them, twenty at a time, three pages at most, never the whole list; their second page is
// recorded. The clerk and the manager keep the archive and read it as before, a page of
// more than twenty recorded with who, what and how many.
#[test]
fn f08_roles_that_do_not_keep_the_archive_read_it_bounded() {
    use aftersales::Role::*;
    let mut t = desk();
    for n in 0..70 {
        t.ok(
            "customers.create",
            json!({"name": format!("测试客户{n:02}"), "phones": [format!("139{n:08}")]}),
        );
    }
    for role in [Engineer, Storekeeper, Dispatcher, Admin] {
        let who = person(&format!("{}甲", role.label()), &[role]);
        let e = call_as(&mut t, &who, "customers.search", json!({"query": ""})).unwrap_err();
        assert_eq!(e["field"], "query", "{role:?}: {e}");
        assert!(e["message"].as_str().unwrap().contains("请输入"), "{e}");
        let page = call_as(
            &mut t,
            &who,
            "customers.search",
            json!({"query": "测试", "page_size": 200}),
        )
        .unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 20, "{role:?}");
        assert_eq!(page["page_size"], 20);
        assert_eq!(page["total"], 70);
        let third = call_as(
            &mut t,
            &who,
            "customers.search",
            json!({"query": "测试", "page": 3, "page_size": 20}),
        )
        .unwrap();
        assert_eq!(third["items"].as_array().unwrap().len(), 20);
        let e = call_as(
            &mut t,
            &who,
            "customers.search",
            json!({"query": "测试", "page": 4, "page_size": 20}),
        )
        .unwrap_err();
        assert_eq!(e["field"], "page", "{role:?}: {e}");
        let hits = call_as(
            &mut t,
            &who,
            "search.global",
            json!({"query": "测试", "limit": 100}),
        )
        .unwrap();
        assert_eq!(hits["items"].as_array().unwrap().len(), 20, "{role:?}");
        // A phone they were given still finds its customer.
        let found = call_as(
            &mut t,
            &who,
            "customers.search",
            json!({"query": "13900000042"}),
        )
        .unwrap();
        assert_eq!(found["items"][0]["name"], "测试客户42");
    }
    let audit = bulk_reads(&t);
    assert_eq!(audit.len(), 4, "each one's third page: {audit:?}");
    assert_eq!(audit[0].0, "工程师甲");
    assert!(
        audit[0].1.contains("测试") && audit[0].1.contains("20 位"),
        "{audit:?}"
    );

    let clerk = person("前台乙", &[Clerk]);
    let all = call_as(
        &mut t,
        &clerk,
        "customers.search",
        json!({"query": "", "page_size": 200}),
    )
    .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 70);
    let small = call_as(
        &mut t,
        &clerk,
        "customers.search",
        json!({"query": "", "page": 2, "page_size": 20}),
    )
    .unwrap();
    assert_eq!(small["items"].as_array().unwrap().len(), 20);
    let manager = person("主管丙", &[Manager]);
    let hits = call_as(
        &mut t,
        &manager,
        "search.global",
        json!({"query": "测试", "limit": 50}),
    )
    .unwrap();
    assert_eq!(hits["items"].as_array().unwrap().len(), 50);
    let audit = bulk_reads(&t);
    assert_eq!(audit.len(), 6, "{audit:?}");
    assert_eq!(audit[4].0, "前台乙");
    assert!(audit[4].1.contains("70 位"), "{audit:?}");
    assert_eq!(audit[5].0, "主管丙");
    assert!(audit[5].1.contains("50 位"), "{audit:?}");
}
