//! 导入客户 in headless Chromium against the real browser door: a file with a bad row is
//! picked, previewed with its columns recognised, its bad row reported by number, then
//! imported; the report and the archive agree.

use serde_json::json;
use ui_tests::*;

#[tokio::test]
async fn import_a_csv_with_a_bad_row_and_read_the_report() {
    let door = Door::start();
    door.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L", "category": "热水器",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    );
    // UTF-8 with BOM, as Excel's "CSV UTF-8" saves it; row 3 has a 10-digit mobile.
    let file = door.data_dir.path().join("客户清单.csv");
    std::fs::write(
        &file,
        "\u{feff}客户名称,联系电话,地址,型号,序列号,购买日期\r\n\
         张伟,138 1234 5678,上海市浦东新区世纪大道100号,JSQ25-13,SN-001,2024-03-15\r\n\
         李娜,1381234567,杭州市西湖区,,,\r\n\
         上海恒泰商贸有限公司,021-61234567 转 801,上海市黄浦区,JSQ25-13,SN-002,2024/3/20\r\n",
    )
    .unwrap();

    let session = Session::chromium().await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    // The home screen is the day board (今日); these steps start at the customer list.
    find(c, "#day").await;
    go(c, "#/customers").await;
    find(c, "#customer-search").await;
    find(c, "#export-customers").await;
    screenshot(c, "import-list-toolbar").await;
    click(c, "#import-customers").await;
    let input = find(c, "#import-file").await;
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");

    let summary = wait_inner(
        c,
        "#import-summary",
        &["共 3 行", "将新增客户 2 个、设备 2 台"],
    )
    .await;
    assert!(summary.contains("有问题 1 行"), "{summary}");
    let report = wait_inner(c, "#import-preview table.import-rejected", &["3"]).await;
    assert!(
        report.contains("列“联系电话”：手机号码应为11位数字（第1个电话：1381234567）"),
        "{report}"
    );
    let columns = inner_text(c, "#import-columns thead").await.unwrap();
    assert!(columns.contains("序列号"), "{columns}");
    screenshot(c, "import-preview").await;

    click(c, "#import-commit").await;
    let done = wait_inner(
        c,
        "#import-report",
        &["新增客户 2 个、设备 2 台", "未导入 1 行"],
    )
    .await;
    assert!(done.contains("已存在 0 行"), "{done}");
    wait_inner(c, "#import-result table.import-rejected", &["1381234567"]).await;
    screenshot(c, "import-report").await;
    assert_eq!(door.call("customers.search", json!({}))["total"], 2);
    session.close().await;
}
