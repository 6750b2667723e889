use aftersales::api;
use aftersales::Error;
use serde_json::json;

/// Every command with its roles. Adding a command means adding it here, reviewed.
#[test]
fn command_table_is_listed_with_roles() {
    let table: Vec<String> = api::commands()
        .iter()
        .map(|c| {
            let roles: Vec<&str> = c.roles.iter().map(|r| r.as_str()).collect();
            format!("{} {}", c.name, roles.join(","))
        })
        .collect();
    assert_eq!(
        table,
        [
            "app.info clerk,dispatcher,engineer,storekeeper,manager,admin",
            "audit.list manager,admin",
            "auth.login ",
            "auth.logout ",
            "auth.password clerk,dispatcher,engineer,storekeeper,manager,admin",
            "auth.setup ",
            "auth.status ",
            "backup.list manager,admin",
            "backup.now manager,admin",
            "backup.restore admin",
            "calendar.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "calendar.save manager",
            "callbacks.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "callbacks.queue clerk,manager",
            "callbacks.record clerk,manager",
            "campaigns.create manager,clerk",
            "campaigns.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "campaigns.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "campaigns.preview manager,clerk",
            "campaigns.record engineer,clerk,manager",
            "campaigns.report manager,clerk",
            "complaints.causes clerk,dispatcher,engineer,storekeeper,manager,admin",
            "complaints.create clerk,manager",
            "complaints.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "complaints.list clerk,manager",
            "complaints.update clerk,manager",
            "customers.create clerk,manager",
            "customers.duplicates clerk,manager",
            "customers.export clerk,manager",
            "customers.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "customers.merge clerk,manager",
            "customers.search clerk,dispatcher,engineer,storekeeper,manager,admin",
            "customers.timeline clerk,dispatcher,engineer,storekeeper,manager,admin",
            "customers.update clerk,manager",
            "day.alerts clerk,dispatcher,engineer,storekeeper,manager,admin",
            "day.board clerk,dispatcher,engineer,storekeeper,manager,admin",
            "engineers.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "engineers.save manager,dispatcher",
            "equipment.create clerk,manager",
            "equipment.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "equipment.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "equipment.override_warranty manager,clerk",
            "equipment.update clerk,manager",
            "import.commit clerk,manager",
            "import.preview clerk,manager",
            "models.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "models.save manager,clerk",
            "orders.assign dispatcher,manager",
            "orders.board clerk,dispatcher,engineer,storekeeper,manager,admin",
            "orders.caller clerk,dispatcher,manager",
            "orders.complete engineer,clerk,manager",
            "orders.confirm clerk,dispatcher,manager",
            "orders.create clerk,dispatcher,manager",
            "orders.faults clerk,dispatcher,engineer,storekeeper,manager,admin",
            "orders.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "orders.intake clerk,dispatcher,manager",
            "orders.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "orders.move engineer,clerk,dispatcher,manager",
            "orders.pay clerk,manager",
            "orders.receivables clerk,manager",
            "orders.suggest dispatcher,manager",
            "parts.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "parts.labels storekeeper,manager",
            "parts.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "parts.save storekeeper,manager",
            "reports.export manager",
            "reports.get manager",
            "reports.orders manager",
            "search.global clerk,dispatcher,engineer,storekeeper,manager,admin",
            "settings.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "settings.save manager,admin",
            "slips.calibration manager,clerk",
            "slips.continuity clerk,manager",
            "slips.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "slips.opinion engineer,clerk,manager",
            "slips.print engineer,clerk,manager",
            "slips.template clerk,dispatcher,engineer,storekeeper,manager,admin",
            "slips.template_save manager,clerk",
            "slips.void manager,clerk",
            "stock.claim storekeeper,manager",
            "stock.defective storekeeper,manager",
            "stock.issue storekeeper,engineer,manager",
            "stock.ledger clerk,dispatcher,engineer,storekeeper,manager,admin",
            "stock.low clerk,dispatcher,engineer,storekeeper,manager,admin",
            "stock.purchase_request storekeeper,manager",
            "stock.receive storekeeper,manager",
            "stock.report clerk,dispatcher,engineer,storekeeper,manager,admin",
            "stock.return storekeeper,engineer,manager",
            "stock.reverse storekeeper,manager",
            "stock.slow clerk,dispatcher,engineer,storekeeper,manager,admin",
            "stock.transfer storekeeper,manager",
            "stocktake.count storekeeper,manager",
            "stocktake.count_file storekeeper,manager",
            "stocktake.get clerk,dispatcher,engineer,storekeeper,manager,admin",
            "stocktake.post manager",
            "stocktake.start storekeeper,manager",
            "stores.list clerk,dispatcher,engineer,storekeeper,manager,admin",
            "stores.save storekeeper,manager",
            "users.list admin",
            "users.save admin",
        ]
    );
}

/// The exact JSON every door shows for an error.
#[test]
fn error_json_is_pinned() {
    let invalid = Error::invalid("name", "客户名称不能为空");
    assert_eq!(
        serde_json::to_string(&invalid).unwrap(),
        r#"{"code":"invalid","message":"客户名称不能为空","field":"name"}"#
    );
    let not_found = Error::NotFound("客户不存在（编号 9）".into());
    assert_eq!(
        serde_json::to_string(&not_found).unwrap(),
        r#"{"code":"not_found","message":"客户不存在（编号 9）"}"#
    );
    assert_eq!(
        Error::UnknownCommand("x.y".into()).to_json(),
        json!({"code": "unknown_command", "message": "没有这个功能：x.y"})
    ); // A form refused as a whole: the first problem as before, then all of them.
    let mut p = aftersales::platform::error::Problems::new();
    p.note(Error::invalid("name", "客户名称不能为空")).unwrap();
    p.note(Error::invalid("phones", "请至少填写一个联系电话"))
        .unwrap();
    p.note(Error::invalid("name", "客户名称不能超过50个字"))
        .unwrap();
    let several = p.finish(()).unwrap_err().within("customer");
    assert_eq!(
        serde_json::to_string(&several).unwrap(),
        r#"{"code":"invalid","message":"客户名称不能为空","field":"customer.name","fields":[{"field":"customer.name","message":"客户名称不能为空"},{"field":"customer.phones","message":"请至少填写一个联系电话"}]}"#
    );
}

#[test]
fn unknown_commands_and_malformed_args_are_refused() {
    let mut t = crate::util::desk();
    assert_eq!(
        t.err("customers.delete", json!({}))["code"],
        "unknown_command"
    );
    assert_eq!(t.err("customers.get", json!([1]))["code"], "bad_request");
    assert_eq!(
        t.err("customers.get", json!({"id": "abc"}))["code"],
        "bad_request"
    );
    assert_eq!(
        t.err(
            "customers.create",
            json!({"name": "张三", "phones": "13812345678"})
        )["code"],
        "bad_request"
    );
}

#[test]
fn app_info_names_the_data_file() {
    let mut t = crate::util::desk();
    let info = t.ok("app.info", serde_json::Value::Null);
    assert!(info["data_file"].as_str().unwrap().ends_with("desk.db"));
    // In-process, the desk acts for the owner of the file, with every role.
    assert_eq!(info["user"]["name"], "系统");
    assert_eq!(
        info["user"]["roles"],
        json!([
            "clerk",
            "dispatcher",
            "engineer",
            "storekeeper",
            "manager",
            "admin"
        ])
    );
    assert_eq!(info["customers"], 0);
}

/// The one `internal` error both doors answer when a call did not come back (a panic).
#[test]
fn a_call_that_never_came_back_is_internal_in_every_door() {
    let e = aftersales::api::internal_error("task 7 panicked");
    assert_eq!(
        e,
        serde_json::json!({
            "code": "internal",
            "message": "程序内部错误，请重试或联系管理员（task 7 panicked）"
        })
    );
}
