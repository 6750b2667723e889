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
    // A file whose models the catalogue knows shows no models card, and no stray word.
    let whole = inner_text(c, "#import-preview").await.unwrap();
    assert!(!whole.contains("null"), "{whole}");
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

#[path = "../../fixtures/fresh_desk_sheet.rs"]
mod fresh_sheet;

#[tokio::test]
async fn a_fresh_desk_adds_its_unknown_models_in_the_import_and_downloads_the_report() {
    // Issue 17: on a new desk every row was refused for its model.
    let door = Door::start();
    let file = door.data_dir.path().join("门店客户.xlsx");
    std::fs::write(&file, fresh_sheet::fresh_desk_sheet(true)).expect("write the sheet");
    let downloads = tempfile::tempdir().expect("temp download folder");
    let session = Session::chromium_downloading_to(downloads.path()).await;
    let c = &session.client;
    c.goto(&door.url).await.expect("open the browser door");
    find(c, "#day").await;
    go(c, "#/customers/import").await;
    let input = find(c, "#import-file").await;
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");

    // The four models, each once with its rows, ticked: the counts are the commit's.
    let models = wait_inner(
        c,
        "#import-models",
        &[
            "型号目录中没有的型号（4）",
            "SK-200",
            "RH-50",
            "RH-80",
            "CW-300",
        ],
    )
    .await;
    assert!(models.contains("整机保修（月）"), "{models}");
    let rows = inner_text(c, "#import-models tr[data-code=\"SK-200\"]")
        .await
        .unwrap();
    assert!(rows.contains('4'), "SK-200 is on four rows: {rows}");
    let summary = wait_inner(
        c,
        "#import-summary",
        &[
            "共 10 行",
            "将新增客户 8 个、设备 9 台",
            "有问题 1 行",
            "将新建型号 4 个",
        ],
    )
    .await;
    assert!(!summary.contains("将新增客户 0 个"), "{summary}");
    // Both problems of the last row, not only the first.
    let bad = wait_inner(
        c,
        "#import-preview table.import-rejected tr[data-row=\"11\"]",
        &["列“手机”", "列“购买日期”"],
    )
    .await;
    assert!(bad.contains("2024-13-05"), "{bad}");

    // Untick RH-80 with the space bar: its two rows are refused, the focus stays on the
    // tick through the new preview; tick it again.
    let tick = "#import-models input.import-model-create[data-code=\"RH-80\"]";
    find(c, tick)
        .await
        .send_keys(" ")
        .await
        .expect("space on the tick");
    wait_inner(c, "#import-summary", &["有问题 3 行", "将新建型号 3 个"]).await;
    let focused = c
        .execute("return document.activeElement.dataset.code || ''", vec![])
        .await
        .expect("the focused element");
    assert_eq!(focused, json!("RH-80"), "the focus stays on the tick");
    c.active_element()
        .await
        .expect("the focused tick")
        .send_keys(" ")
        .await
        .expect("space again");
    wait_inner(c, "#import-summary", &["有问题 1 行", "将新建型号 4 个"]).await;

    // The clerk names one model and gives another a longer warranty, by keyboard.
    let name = find(
        c,
        "#import-models input[data-code=\"SK-200\"][data-key=\"name\"]",
    )
    .await;
    name.send_keys("商用净水器").await.expect("type a name");
    let months = find(
        c,
        "#import-models input[data-code=\"CW-300\"][data-key=\"months\"]",
    )
    .await;
    months.clear().await.expect("clear the months");
    months.send_keys("36").await.expect("type the months");
    screenshot(c, "import-unknown-models").await;

    click(c, "#import-commit").await;
    let done = wait_inner(
        c,
        "#import-report",
        &["新增客户 8 个、设备 9 台", "未导入 1 行"],
    )
    .await;
    assert!(done.contains("已存在 0 行"), "{done}");
    wait_inner(
        c,
        "#import-models-added",
        &["已新建型号 4 个", "SK-200、RH-50、RH-80、CW-300"],
    )
    .await;
    screenshot(c, "import-models-added").await;
    let catalogue = door.call("models.list", json!({}));
    let items = catalogue["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{catalogue}");
    let of = |code: &str| items.iter().find(|m| m["code"] == code).unwrap().clone();
    assert_eq!(of("SK-200")["name"], "商用净水器");
    assert_eq!(of("CW-300")["policies"][0]["months"], 36);
    assert_eq!(of("RH-50")["policies"][0]["months"], 12);
    assert_eq!(door.call("customers.search", json!({}))["total"], 8);

    // The rows left out, as the clerk wrote them, with their reasons, as .xlsx.
    click(c, "#import-result-report").await;
    wait_text(c, "#toast", "已下载导入报告").await;
    let report = wait_download(downloads.path(), ".xlsx").await;
    assert_eq!(
        report.file_name().unwrap().to_string_lossy(),
        "导入报告-门店客户.xlsx"
    );
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&report).expect("an .xlsx");
    let range = book
        .worksheet_range("导入报告")
        .expect("the report's sheet");
    let cell = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        (0..7).map(|col| cell(0, col)).collect::<Vec<_>>(),
        [
            "客户名称",
            "手机",
            "地址",
            "型号",
            "序列号",
            "购买日期",
            "原因"
        ]
    );
    assert_eq!(cell(1, 0), "李雷");
    assert_eq!(
        range.get_value((1, 1)),
        Some(&calamine::Data::String("1381234567".into())),
        "a phone stays text"
    );
    let why = cell(1, 6);
    assert!(
        why.starts_with("第 11 行：列“手机”") && why.contains("列“购买日期”"),
        "{why}"
    );
    session.close().await;
}
