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

/// A fragment is found as a phrase, on PostgreSQL through the lists of its pairs of
/// characters (migration 29), which every change of a name or address keeps in step:
/// the three pairs of 浦东新区 apart in one address do not make it match, a changed
/// address is found by its new words and no longer by its old ones, a customer merged
/// away is found no more by its name. 1–3 digits are a phone number being typed and find no one.
#[test]
fn fragments_are_found_as_phrases_through_every_change() {
    let mut t = desk();
    let id = |v: &serde_json::Value| v["id"].clone();
    let a = id(&t.ok(
        "customers.create",
        json!({"name": "欧阳玥", "phones": ["13812345678"], "address": "上海市浦东新区世纪大道100号"}),
    ));
    t.ok(
        "customers.create",
        json!({"name": "陈东新", "phones": ["13912345678"], "address": "浦东路8号东新小区新区花园"}),
    );
    let c = id(&t.ok(
        "customers.create",
        json!({"kind": "company", "name": "杭州恒泰商贸有限公司", "phones": ["0571-87654321"], "address": "杭州市西湖区文三路1号"}),
    ));
    let d = id(&t.ok(
        "customers.create",
        json!({"kind": "company", "name": "恒泰商贸", "phones": ["0571-87654322"]}),
    ));
    assert_eq!(t.search("浦东新区"), ["欧阳玥"]);
    assert_eq!(t.search("新区花园"), ["陈东新"]);
    // Names before addresses, each newest first.
    assert_eq!(t.search("东新"), ["陈东新", "欧阳玥"]);
    assert_eq!(t.search("阳玥"), ["欧阳玥"]);
    assert_eq!(t.search("欧阳玥"), ["欧阳玥"]);
    assert_eq!(t.search("100号"), ["欧阳玥"]);
    // The last Latin word or number is a prefix.
    assert_eq!(t.search("世纪大道1"), ["欧阳玥"]);
    assert_eq!(t.search("世纪大道2"), Vec::<String>::new());
    assert_eq!(t.search("恒泰商贸"), ["恒泰商贸", "杭州恒泰商贸有限公司"]);
    assert_eq!(t.search("泰商贸有"), ["杭州恒泰商贸有限公司"]);
    for typing in ["1", "13", "138", "１３８"] {
        assert_eq!(t.search(typing), Vec::<String>::new(), "{typing}");
    }
    assert_eq!(t.search("1381"), ["欧阳玥"]);
    assert_eq!(
        t.ok("search.global", json!({"query": "138"}))["items"],
        json!([])
    );
    assert_eq!(t.search("文三路1"), ["杭州恒泰商贸有限公司"]);

    t.ok(
        "customers.update",
        json!({"id": a, "name": "欧阳玥", "phones": ["13812345678"], "address": "苏州市姑苏区人民路2号"}),
    );
    assert_eq!(t.search("浦东新区"), Vec::<String>::new());
    assert_eq!(t.search("世纪大道"), Vec::<String>::new());
    assert_eq!(t.search("姑苏区人民路"), ["欧阳玥"]);
    assert_eq!(t.search("东新"), ["陈东新"]);

    t.ok("customers.merge", json!({"keep_id": d, "merge_id": c}));
    assert_eq!(t.search("恒泰商贸"), ["恒泰商贸"]);
    assert_eq!(t.search("有限公司"), Vec::<String>::new());
    // The one kept had no address and took the merged one's.
    assert_eq!(t.search("文三路"), ["恒泰商贸"]);
}
