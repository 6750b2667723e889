use aftersales::Desk;
use serde_json::Value;

/// A desk for one test, on the engine the run is for: a SQLite file in a temp folder, or
/// (with `AFTERSALES_TEST_ENGINE=postgres`) a fresh database of its own on the server named
/// by `AFTERSALES_TEST_PG`, copied from a template migrated once per run and dropped
/// when the test ends.
pub struct TestDesk {
    pub desk: Desk,
    /// The PostgreSQL database's URL (None on SQLite).
    url: Option<String>,
    /// Drops that database once the desk (declared before it) has closed.
    _database: Option<pg::Database>,
    // Kept so the folder lives as long as the desk.
    _dir: tempfile::TempDir,
}

pub fn desk() -> TestDesk {
    let dir = tempfile::tempdir().expect("temp dir");
    match pg::server() {
        None => {
            let desk = Desk::open_dir(dir.path()).expect("open desk");
            TestDesk {
                desk,
                url: None,
                _database: None,
                _dir: dir,
            }
        }
        Some(server) => {
            let url = pg::fresh_database(server);
            let desk = Desk::open_postgres(&url, dir.path())
                .unwrap_or_else(|e| panic!("open the desk on {url}: {}", e.to_json()));
            TestDesk {
                desk,
                _database: Some(pg::Database(url.clone())),
                url: Some(url),
                _dir: dir,
            }
        }
    }
}

/// Whether this run is on PostgreSQL (a test of the server's own behaviour says so and
/// stops on SQLite).
pub fn on_postgres() -> bool {
    pg::server().is_some()
}

pub mod pg {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Mutex, OnceLock};

    /// The server's admin URL when this run is on PostgreSQL.
    pub fn server() -> Option<&'static str> {
        static SERVER: OnceLock<Option<String>> = OnceLock::new();
        SERVER
            .get_or_init(|| {
                let engine = std::env::var("AFTERSALES_TEST_ENGINE").unwrap_or_default();
                if engine != "postgres" {
                    return None;
                }
                Some(std::env::var("AFTERSALES_TEST_PG").expect(
                    "AFTERSALES_TEST_ENGINE=postgres needs AFTERSALES_TEST_PG (cargo xtask test sets both)",
                ))
            })
            .as_deref()
    }

    /// `url` with its database replaced by `name`.
    pub fn with_database(url: &str, name: &str) -> String {
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (url, String::new()),
        };
        let cut = base
            .rfind('/')
            .filter(|&i| i > "postgres://".len())
            .unwrap_or(base.len());
        format!("{}/{name}{query}", &base[..cut])
    }

    fn admin() -> &'static Mutex<postgres::Client> {
        static ADMIN: OnceLock<Mutex<postgres::Client>> = OnceLock::new();
        ADMIN.get_or_init(|| {
            let url = server().expect("a PostgreSQL run");
            Mutex::new(
                postgres::Client::connect(url, postgres::NoTls)
                    .unwrap_or_else(|e| panic!("connect to {url}: {e}")),
            )
        })
    }

    pub fn run(sql: &str) {
        admin()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The template every test's database is copied from, migrated once per run.
    fn template(server: &str) -> &'static str {
        static TEMPLATE: OnceLock<String> = OnceLock::new();
        TEMPLATE.get_or_init(|| {
            let name = format!("desk_template_{}", std::process::id());
            run(&format!("DROP DATABASE IF EXISTS {name}"));
            run(&format!("CREATE DATABASE {name}"));
            let dir = tempfile::tempdir().expect("temp dir");
            let url = with_database(server, &name);
            let desk = aftersales::Desk::open_postgres(&url, dir.path())
                .unwrap_or_else(|e| panic!("migrate the template {url}: {}", e.to_json()));
            drop(desk);
            name
        })
    }

    /// A new database for one test, with the schema and seed rows of a new desk.
    pub fn fresh_database(server: &str) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let template = template(server);
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        run(&format!("CREATE DATABASE {name} TEMPLATE {template}"));
        with_database(server, &name)
    }

    /// A test's database, dropped when the test is done with it.
    pub struct Database(pub String);

    impl Drop for Database {
        fn drop(&mut self) {
            drop_database(&self.0);
        }
    }

    pub fn drop_database(url: &str) {
        let name = url
            .split('?')
            .next()
            .and_then(|b| b.rsplit('/').next())
            .unwrap_or_default()
            .to_string();
        if !name.is_empty() {
            run(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
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

    /// The one value `sql` selects, read through a second connection to the same store.
    pub fn sql<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        self.db()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A second connection to the same store, to look at rows as they are.
    pub fn db(&self) -> aftersales::platform::db::Db {
        self.desk
            .another_connection()
            .unwrap_or_else(|e| panic!("a second connection: {}", e.to_json()))
    }

    /// The test's own PostgreSQL database (None on SQLite).
    pub fn database_url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// A second desk on the same store (another door).
    pub fn second_desk(&self) -> Desk {
        match &self.url {
            None => Desk::open(self.desk.path()).expect("open the same file"),
            Some(url) => Desk::open_postgres(url, self._dir.path())
                .unwrap_or_else(|e| panic!("open {url}: {}", e.to_json())),
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
