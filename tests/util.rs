use aftersales::Desk;
use serde_json::Value;

pub struct TestDesk {
    pub desk: Desk,
    // Kept so the folder lives as long as the desk.
    _dir: tempfile::TempDir,
}

pub fn desk() -> TestDesk {
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = Desk::open_dir(dir.path()).expect("open desk");
    TestDesk { desk, _dir: dir }
}

impl TestDesk {
    /// Calls a command and expects success.
    pub fn ok(&mut self, command: &str, args: Value) -> Value {
        match aftersales::api::call(&mut self.desk, command, args.clone()) {
            Ok(v) => v,
            Err(e) => panic!("{command} {args}: {}", e.to_json()),
        }
    }

    /// Calls a command and expects an error, returned as its JSON.
    pub fn err(&mut self, command: &str, args: Value) -> Value {
        match aftersales::api::call(&mut self.desk, command, args.clone()) {
            Ok(v) => panic!("{command} {args} should fail, gave {v}"),
            Err(e) => e.to_json(),
        }
    }

    pub fn search(&mut self, query: &str) -> Vec<String> {
        let page = self.ok(
            "customers.search",
            serde_json::json!({"query": query, "page_size": 200}),
        );
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    }
}
