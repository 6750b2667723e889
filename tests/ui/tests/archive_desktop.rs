//! The archive in the real desktop window (Tauri on WebKitGTK through tauri-driver, under
//! `xvfb-run -a`): the global search by every kind, the duplicate warning, an import with
//! a bad row, and an export that lands in `$HOME/Downloads` and re-imports to nothing new.

use fantoccini::key::Key;
use serde_json::{json, Value};
use std::path::Path;
use ui_tests::*;

fn seed_model(d: &Path) -> Value {
    cli_call(
        d,
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    )
}

#[tokio::test]
async fn desktop_search_by_every_kind_and_the_duplicate_warning() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let d = data_dir.path();
    let model = seed_model(d);
    cli_call(
        d,
        "customers.create",
        json!({"name": "欧阳玥", "phones": ["13812345678"], "address": "上海市浦东新区张杨路 500 号"}),
    );
    let company = cli_call(
        d,
        "customers.create",
        json!({"name": "上海海鸥电器有限公司", "kind": "company", "phones": ["021-61234567"],
               "address": "北京市朝阳区建国路 88 号"}),
    );
    cli_call(
        d,
        "equipment.create",
        json!({"customer_id": company["id"], "model_id": model["id"], "serial": "SN2024000123",
               "purchase_date": "2024-03-15"}),
    );

    let session = Session::desktop(d).await;
    let c = &session.client;
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    wait_rows(c, "two customers", 2, |_| true).await;

    press_key(c, Key::F3).await;
    wait_focus(c, "global-search").await;
    for (query, kind, matched, title) in [
        ("13812345678", "customer", "phone", "欧阳玥"),
        ("5678", "customer", "phone", "欧阳玥"),
        ("阳玥", "customer", "name", "欧阳玥"),
        ("海鸥", "customer", "name", "上海海鸥电器"),
        ("张杨路", "customer", "address", "欧阳玥"),
        ("SN2024000123", "equipment", "serial", "SN2024000123"),
        ("000123", "equipment", "serial", "SN2024000123"),
    ] {
        let (options, _) = global_search(c, query, kind, matched, title).await;
        let label = match matched {
            "phone" => "电话",
            "name" => "名称",
            "address" => "地址",
            _ => "序列号",
        };
        assert!(
            options.iter().any(|o| o.text.contains(label)),
            "{query}: the result should say it matched by {label}: {options:?}"
        );
    }
    screenshot(c, "desktop-archive-search-every-kind").await;
    press_key(c, Key::Escape).await;

    // A new customer with 欧阳玥's phone, typed the way a clerk types it.
    go(c, "#/customers").await;
    click(c, "#new-customer").await;
    find(c, "form#customer-form").await;
    fill(c, "name", "欧阳先生").await;
    fill(c, "phones", "138-1234-5678").await;
    let warning = wait_inner(c, "#duplicate-warning", &["欧阳玥", "电话相同"]).await;
    assert!(warning.contains("138 1234 5678"), "{warning}");
    find(c, "#duplicate-warning a[href=\"#/customers/1\"]").await;
    screenshot(c, "desktop-archive-duplicate-warning").await;
    // Nothing was saved by the warning itself.
    assert_eq!(customer_count(d), 2);
    session.close().await;
}

#[tokio::test]
async fn desktop_import_a_csv_with_a_bad_row_and_read_the_report() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let d = data_dir.path();
    seed_model(d);
    let files = tempfile::tempdir().expect("temp folder for the file");
    let file = files.path().join("客户清单.csv");
    std::fs::write(
        &file,
        "\u{feff}客户名称,联系电话,地址,型号,序列号,购买日期\r\n\
         张伟,138 1234 5678,上海市浦东新区世纪大道100号,JSQ25-13,SN-001,2024-03-15\r\n\
         李娜,1381234567,杭州市西湖区,,,\r\n\
         上海恒泰商贸有限公司,021-61234567 转 801,上海市黄浦区,JSQ25-13,SN-002,2024/3/20\r\n",
    )
    .unwrap();

    let session = Session::desktop(d).await;
    let c = &session.client;
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    click(c, "#import-customers").await;
    wait_hash(c, "the import page", |h| {
        h.starts_with("#/customers/import")
    })
    .await;
    upload(c, "#import-file", &file).await;

    let summary = wait_inner(
        c,
        "#import-summary",
        &["共 3 行", "将新增客户 2 个、设备 2 台", "有问题 1 行"],
    )
    .await;
    assert!(summary.contains("已存在 0 行"), "{summary}");
    let reason = "列“联系电话”：手机号码应为11位数字（第1个电话：1381234567）";
    let row = wait_inner(
        c,
        "#import-preview table.import-rejected tr[data-row=\"3\"]",
        &[reason],
    )
    .await;
    assert!(row.starts_with('3'), "the rejected row's number: {row:?}");
    screenshot(c, "desktop-archive-import-preview").await;

    click(c, "#import-commit").await;
    let done = wait_inner(
        c,
        "#import-report",
        &["新增客户 2 个、设备 2 台", "已存在 0 行", "未导入 1 行"],
    )
    .await;
    let rejected = wait_inner(
        c,
        "#import-result table.import-rejected tr[data-row=\"3\"]",
        &[reason],
    )
    .await;
    assert!(rejected.starts_with('3'), "{rejected:?} after {done:?}");
    screenshot(c, "desktop-archive-import-report").await;
    assert_eq!(customer_count(d), 2);
    session.close().await;
}

#[tokio::test]
async fn desktop_export_lands_in_downloads_and_re_imports_to_nothing_new() {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let d = data_dir.path();
    let model = seed_model(d);
    let owner = cli_call(
        d,
        "customers.create",
        json!({"name": "锦江酒店浦东店", "kind": "company", "phones": ["13900001111"],
               "address": "上海市浦东新区张杨路 500 号"}),
    );
    cli_call(
        d,
        "customers.create",
        json!({"name": "张伟", "phones": ["13812345678"], "region": "上海"}),
    );
    for serial in ["SN-DSK-001", "SN-DSK-002"] {
        cli_call(
            d,
            "equipment.create",
            json!({"customer_id": owner["id"], "model_id": model["id"], "serial": serial,
                   "purchase_date": "2024-01-10"}),
        );
    }
    let customers = customer_count(d);

    // A home of its own, so that the app's Downloads folder is ours to watch.
    let home = tempfile::tempdir().expect("temp home");
    let downloads = home.path().join("Downloads");
    let session = Session::desktop_with_env(d, &[("HOME", home.path())]).await;
    let c = &session.client;
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    wait_rows(c, "both customers", 2, |_| true).await;

    click(c, "#export-customers").await;
    wait_content(c, "#toast", "已导出").await;
    let file = wait_download(&downloads, ".xlsx").await;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("客户档案-"), "{name}");
    let log = cli_call(d, "audit.list", json!({"action": "export"}));
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1), "{log}");

    click(c, "#import-customers").await;
    wait_hash(c, "the import page", |h| {
        h.starts_with("#/customers/import")
    })
    .await;
    upload(c, "#import-file", &file).await;
    let summary = wait_inner(
        c,
        "#import-summary",
        &[
            "共 3 行",
            "将新增客户 0 个、设备 0 台",
            "已存在 3 行",
            "有问题 0 行",
        ],
    )
    .await;
    let commit = find(c, "#import-commit").await;
    assert_eq!(
        commit.prop("disabled").await.unwrap().as_deref(),
        Some("true"),
        "nothing to add, so no commit: {summary}"
    );
    screenshot(c, "desktop-archive-reimport-preview").await;
    assert_eq!(customer_count(d), customers);
    session.close().await;
}
