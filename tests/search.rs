use serde_json::json;

use crate::util::desk;

#[test]
fn one_box_finds_every_kind() {
    let mut t = desk();
    let m = t.ok("models.save", json!({"code": "JSQ25-13", "name": "热水器", "policies": [{"months": 12, "basis": "purchase"}]}))["id"].clone();
    let zhang = t.ok("customers.create", json!({"name": "张伟", "phones": ["13812345678"], "address": "上海市浦东新区世纪大道100号"}))["id"].clone();
    let co = t.ok(
        "customers.create",
        json!({"kind": "company", "name": "杭州恒泰商贸有限公司", "phones": ["0571-87654321"]}),
    )["id"]
        .clone();
    let eq = t.ok(
        "equipment.create",
        json!({"customer_id": zhang, "model_id": m, "serial": "GW2024A0077123"}),
    )["id"]
        .clone();
    let find = |t: &mut crate::util::TestDesk, q: &str| {
        let hits = t.ok("search.global", json!({"query": q}));
        hits["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["kind"].as_str().unwrap().to_string(),
                    h["customer_id"].clone(),
                    h["matched"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find(&mut t, "13812345678"),
        [("customer".into(), zhang.clone(), "phone".into())]
    );
    assert_eq!(
        find(&mut t, "5678"),
        [("customer".into(), zhang.clone(), "phone".into())]
    );
    assert_eq!(
        find(&mut t, "张伟"),
        [("customer".into(), zhang.clone(), "name".into())]
    );
    assert_eq!(
        find(&mut t, "恒泰"),
        [("customer".into(), co.clone(), "name".into())]
    );
    assert_eq!(
        find(&mut t, "世纪大道"),
        [("customer".into(), zhang.clone(), "address".into())]
    );
    assert_eq!(
        find(&mut t, "gw2024a0077123"),
        [("equipment".into(), zhang.clone(), "serial".into())]
    );
    assert_eq!(
        find(&mut t, "7123"),
        [("equipment".into(), zhang.clone(), "serial".into())]
    );
    assert_eq!(
        find(&mut t, "GW2024"),
        [("equipment".into(), zhang.clone(), "serial".into())]
    );
    let hit = &t.ok("search.global", json!({"query": "A0077123"}))["items"][0];
    assert_eq!(hit["equipment_id"], eq);
    assert_eq!(hit["title"], "JSQ25-13 · GW2024A0077123");
    assert_eq!(find(&mut t, "没有这个人"), []);
    assert_eq!(find(&mut t, ""), []);
}

#[test]
fn numbers_are_found_however_they_are_typed() {
    let mut t = desk();
    let yao = t.ok(
        "customers.create",
        json!({"name": "姚霞", "phones": ["176 1234 5678"]}),
    )["id"]
        .clone();
    for typed in [
        "17612345678",
        "+86 176 1234 5678",
        "+86 1761234",
        "0086 17612345678",
        "１７６１２３４５６７８",
        "１７６-１２３４",
        "5678",
    ] {
        let hits = t.ok("search.global", json!({"query": typed}));
        assert_eq!(hits["items"][0]["customer_id"], yao, "{typed}: {hits}");
        assert_eq!(hits["items"][0]["matched"], "phone", "{typed}: {hits}");
        let page = t.ok("customers.search", json!({"query": typed}));
        assert_eq!(page["items"][0]["id"], yao, "{typed}: {page}");
    }
}
