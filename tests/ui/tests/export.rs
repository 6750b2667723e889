//! 导出 in headless Chromium against the real browser door: the customer list is exported
//! to an .xlsx that the browser downloads, that very file is imported again through the
//! import page, and the preview says every row is already there; nothing is added and the
//! export is in the audit trail.

use serde_json::json;
use ui_tests::*;

#[tokio::test]
async fn export_the_list_and_re_import_it_without_duplicates() {
    let door = Door::start();
    let d = door.data_dir.path();
    let model = door.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    );
    let zhang = door.call(
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "address": "上海市浦东新区世纪大道100号",
               "region": "上海"}),
    );
    let hotel = door.call(
        "customers.create",
        json!({"name": "锦江酒店浦东店", "kind": "company", "phones": ["021-61234567"],
               "address": "上海市浦东新区张杨路 500 号"}),
    );
    door.call(
        "customers.create",
        json!({"name": "李娜", "phones": ["13900001111"], "region": "杭州"}),
    );
    for (owner, serial) in [
        (&zhang, "SN-EXP-001"),
        (&hotel, "SN-EXP-002"),
        (&hotel, "SN-EXP-003"),
    ] {
        door.call(
            "equipment.create",
            json!({"customer_id": owner["id"], "model_id": model["id"], "serial": serial,
                   "purchase_date": "2024-03-15"}),
        );
    }
    let customers = customer_count(d);
    assert_eq!(customers, 3);

    let downloads = tempfile::tempdir().expect("temp download folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    wait_rows(c, "the three customers", 3, |_| true).await;

    click(c, "#export-customers").await;
    let toast = wait_text(c, "#toast", "已导出").await;
    let file = wait_download(downloads.path(), ".xlsx").await;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("客户档案-"),
        "the download should keep the suggested name: {name}"
    );
    assert!(toast.contains(&name), "toast {toast:?} should name {name}");
    screenshot(c, "export-list-toast").await;

    // The export is in the audit trail, with its row count.
    let log = door.call("audit.list", json!({"action": "export"}));
    let items = log["items"].as_array().expect("audit items");
    assert_eq!(items.len(), 1, "{log}");
    let detail = items[0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("导出客户"), "{log}");
    assert!(detail.contains("全部客户"), "{log}");

    // The same file back in through the import page: all present, nothing to add.
    click(c, "#import-customers").await;
    wait_hash(c, "the import page", |h| {
        h.starts_with("#/customers/import")
    })
    .await;
    upload(c, "#import-file", &file).await;
    let summary = wait_inner(
        c,
        "#import-summary",
        &["将新增客户 0 个、设备 0 台", "有问题 0 行"],
    )
    .await;
    // One row per machine, plus the customer without one.
    assert!(
        summary.contains("共 4 行") && summary.contains("已存在 4 行"),
        "{summary}"
    );
    wait_inner(c, "#import-preview .import-none-rejected", &[""]).await;
    let columns = inner_text(c, "#import-columns thead").await.unwrap();
    for header in ["序列号", "型号"] {
        assert!(columns.contains(header), "{header} not in {columns:?}");
    }
    // With nothing to add, the UI offers no commit.
    let commit = find(c, "#import-commit").await;
    assert_eq!(
        commit.prop("disabled").await.unwrap().as_deref(),
        Some("true"),
        "the commit button should be disabled when nothing would be added"
    );
    screenshot(c, "export-reimport-preview").await;

    assert_eq!(customer_count(d), customers);
    let machines = door.call("search.global", json!({"query": "SN-EXP"}));
    let serials = machines["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "equipment")
        .count();
    assert_eq!(serials, 3, "{machines}");
    session.close().await;
}
