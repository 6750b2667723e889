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
        // In-process, the test is the owner of the file (a door call may have left the
        // desk acting as nobody).
        self.desk.act_as(aftersales::Actor::script());
        match aftersales::api::call(&mut self.desk, command, args.clone()) {
            Ok(reply) => reply.value(),
            Err(e) => panic!("{command} {args}: {}", e.to_json()),
        }
    }

    /// Calls a command and expects an error, returned as its JSON.
    pub fn err(&mut self, command: &str, args: Value) -> Value {
        self.desk.act_as(aftersales::Actor::script());
        match aftersales::api::call(&mut self.desk, command, args.clone()) {
            Ok(v) => panic!("{command} {args} should fail, gave {v}"),
            Err(e) => e.to_json(),
        }
    }

    /// The one value `sql` selects, read through a second connection on the same file.
    pub fn sql<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        let conn = rusqlite::Connection::open(self.desk.path()).expect("open the file");
        conn.query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
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
