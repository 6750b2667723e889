//! `aftersales import customers FILE` and `aftersales export customers FILE`, the real
//! binary on a real data folder, as an admin's script runs them.

use std::process::Command;

fn aftersales(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftersales"));
    cmd.arg("--data-dir")
        .arg(dir)
        .env_remove("AFTERSALES_DATA_DIR");
    cmd
}

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = aftersales(dir).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn import_prints_the_report_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("客户.csv");
    // UTF-8 with BOM, as Excel's "CSV UTF-8" writes it (GBK is covered by the core's tests).
    let text = "\u{feff}姓名,手机,地址\r\n张伟,138 1234 5678,上海市\r\n李娜,1381234567,杭州市\r\n王芳,13900001111,\r\n";
    std::fs::write(&csv, text).unwrap();
    let csv = csv.to_str().unwrap();

    let (ok, out) = run(dir.path(), &["import", "customers", csv, "--dry-run"]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("预览（未写入）：将新增客户 2 个、设备 0 台；已存在 0 行；未导入 1 行"),
        "{out}"
    );
    assert!(
        out.contains("第3行\t列“手机”：手机号码应为11位数字（第1个电话：1381234567）"),
        "{out}"
    );

    let (ok, out) = run(dir.path(), &["import", "customers", csv]);
    assert!(ok, "{out}");
    assert!(out.starts_with("已导入：新增客户 2 个"), "{out}");
    let (_, out) = run(dir.path(), &["import", "customers", csv]);
    assert!(
        out.starts_with("已导入：新增客户 0 个、设备 0 台；已存在 2 行"),
        "{out}"
    );

    let xlsx = dir.path().join("out.xlsx");
    let xlsx = xlsx.to_str().unwrap();
    let (ok, out) = run(
        dir.path(),
        &["export", "customers", xlsx, "--query", "张伟"],
    );
    assert!(ok, "{out}");
    assert_eq!(out.trim(), format!("已导出 1 行到 {xlsx}"));
    let (_, out) = run(dir.path(), &["import", "customers", xlsx]);
    assert!(
        out.starts_with("已导入：新增客户 0 个、设备 0 台；已存在 1 行"),
        "{out}"
    );

    let bad = dir.path().join("a.pdf");
    std::fs::write(&bad, b"%PDF-1.7").unwrap();
    let (ok, out) = run(dir.path(), &["import", "customers", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        out.contains("请选择 Excel（.xlsx、.xls）或 CSV 文件"),
        "{out}"
    );
}

#[test]
fn import_names_unknown_models_creates_them_on_request_and_writes_its_report() {
    use calamine::Reader as _;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("新客户.csv");
    std::fs::write(
        &csv,
        "客户名称,手机,型号,序列号\r\n张伟,13812345678,SK-200,A1\r\n李娜,1381234567,RH-50,B2\r\n王芳,13900001111,SK-200,A3\r\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let (ok, out) = run(dir.path(), &["import", "customers", csv, "--dry-run"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("型号目录中没有的型号：SK-200（2 行）、RH-50（1 行）（加 --create-models 可在导入时新建）"),
        "{out}"
    );
    let report = dir.path().join("导入报告.xlsx");
    let (ok, out) = run(
        dir.path(),
        &[
            "import",
            "customers",
            csv,
            "--create-models",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.starts_with("已导入：新增客户 2 个、设备 2 台"), "{out}");
    assert!(out.contains("新建型号 2 个：SK-200、RH-50"), "{out}");
    assert!(
        out.contains(&format!("导入报告（1 行）已保存到 {}", report.display())),
        "{out}"
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&report).unwrap();
    let range = book.worksheet_range("导入报告").unwrap();
    assert_eq!(range.get_value((1, 0)).unwrap().to_string(), "李娜");
    assert!(range
        .get_value((1, 4))
        .unwrap()
        .to_string()
        .starts_with("第 3 行：列“手机”"));
}
