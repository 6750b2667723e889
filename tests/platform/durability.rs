//! Power cuts: a commit that returned survives one.
//!
//! A recording VFS (`powercut`, in memory, registered through `rusqlite::ffi`) keeps two
//! copies of every file: what is on the disk surface (as of that file's last `xSync`) and
//! what the OS has (every write since). Reads see the latter; `xSync` copies it to the
//! former. A power cut keeps only the surface: every write not synced is dropped, the
//! shared-memory index (`-shm`) is lost (SQLite rebuilds it from the WAL).
//!
//! The durable content changes only at a sync, and a command is acknowledged when its call
//! has returned, so between two syncs the worst moment for a cut is the last one: right
//! before the next sync (or at the very end). The VFS takes that image at every sync of a
//! run of real use cases (customers, orders, completion, payments, slip numbers, in two
//! sessions so that the checkpoints and the WAL's deletion on close are among the sync
//! points), together with how many calls had returned by then. Each image is then written
//! out as an ordinary file and opened with `Desk::open`: integrity and foreign keys are
//! checked, every acknowledged effect must be there (customer, machine, order number,
//! completion, each payment and the amount paid, slip number), and the next order number
//! the reopened desk gives out must not be one already handed to a customer.
//!
//! Taking every image in one run is the same as re-running the scenario and cutting at
//! each point: the run is deterministic (fixed clock) and taking an image changes nothing.
//! The model drops *all* unsynced writes; a real disk may keep some of them, which SQLite's
//! WAL checksums already reject, so the model is the harder case for "acknowledged means
//! kept". A self-check proves the harness can fail: plain SQLite in WAL mode with
//! `synchronous=NORMAL` loses acknowledged commits under it, with `FULL` none.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use aftersales::{api, Desk};
use rusqlite::{ffi, Connection};
use serde_json::{json, Value};

/// The VFS's name, as given in `file:/DISK/desk.db?vfs=powercut`.
const VFS_NAME: &CStr = c"powercut";

// ---------------------------------------------------------------------------------------
// The disks: files in memory, by disk (the first component of the path) and name.

#[derive(Default)]
struct File {
    /// On the surface: as of the last sync.
    durable: Vec<u8>,
    /// What the OS has: every write, synced or not.
    current: Vec<u8>,
}

/// What a power cut would leave: the durable content of every file, and how many calls had
/// returned (been acknowledged) by then.
struct Image {
    /// Taken right before this sync (1-based); `None`: at the end of the run.
    before_sync: Option<usize>,
    acked: usize,
    files: BTreeMap<String, Vec<u8>>,
}

#[derive(Default)]
struct Disk {
    files: BTreeMap<String, File>,
    /// The shared-memory regions of each database (volatile: never in an image).
    shm: HashMap<String, Vec<Box<[u8]>>>,
    syncs: usize,
    acked: usize,
    images: Vec<Image>,
    /// A database file is open (the VFS has no locks: one connection per disk).
    main_open: bool,
}

impl Disk {
    fn image(&self, before_sync: Option<usize>) -> Image {
        Image {
            before_sync,
            acked: self.acked,
            files: self
                .files
                .iter()
                .map(|(name, f)| (name.clone(), f.durable.clone()))
                .collect(),
        }
    }
}

static DISKS: Mutex<BTreeMap<String, Disk>> = Mutex::new(BTreeMap::new());

/// The disks, also after a panic elsewhere (a callback from C must never panic).
fn disks() -> MutexGuard<'static, BTreeMap<String, Disk>> {
    DISKS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `/DISK/NAME` → (DISK, NAME).
fn split(path: &str) -> Option<(String, String)> {
    let (disk, name) = path.strip_prefix('/')?.split_once('/')?;
    (!disk.is_empty() && !name.is_empty() && !name.contains('/'))
        .then(|| (disk.to_string(), name.to_string()))
}

// ---------------------------------------------------------------------------------------
// The VFS.

/// An open file as SQLite holds it: the `sqlite3_file` header, then our key.
#[repr(C)]
struct Handle {
    base: ffi::sqlite3_file,
    key: *mut Key,
}

struct Key {
    disk: String,
    name: String,
    delete_on_close: bool,
    main_db: bool,
}

/// The key of an open file.
///
/// # Safety
/// `file` is a handle our `x_open` filled in and `x_close` has not freed.
unsafe fn key<'a>(file: *mut ffi::sqlite3_file) -> &'a Key {
    unsafe { &*(*(file as *mut Handle)).key }
}

/// Runs `f` on the open file's disk and contents.
fn with_file<R>(k: &Key, f: impl FnOnce(&mut Disk, &str) -> R) -> R {
    let mut all = disks();
    let disk = all.entry(k.disk.clone()).or_default();
    f(disk, &k.name)
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_lock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

/// The OS's own VFS, for randomness, sleeping and the time.
static OS_VFS: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(ptr::null_mut());
static TEMP_FILES: AtomicUsize = AtomicUsize::new(0);

/// Registers the `powercut` VFS once (not as the default: nothing else uses it).
fn register() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| unsafe {
        let os = ffi::sqlite3_vfs_find(ptr::null());
        assert!(!os.is_null(), "SQLite has no default VFS");
        OS_VFS.store(os, Ordering::SeqCst);
        let vfs = Box::leak(Box::new(ffi::sqlite3_vfs {
            iVersion: 2,
            szOsFile: std::mem::size_of::<Handle>() as c_int,
            mxPathname: 512,
            pNext: ptr::null_mut(),
            zName: VFS_NAME.as_ptr(),
            pAppData: ptr::null_mut(),
            xOpen: Some(x_open),
            xDelete: Some(x_delete),
            xAccess: Some(x_access),
            xFullPathname: Some(x_full_pathname),
            xDlOpen: Some(x_dl_open),
            xDlError: Some(x_dl_error),
            xDlSym: Some(x_dl_sym),
            xDlClose: Some(x_dl_close),
            xRandomness: Some(x_randomness),
            xSleep: Some(x_sleep),
            xCurrentTime: Some(x_current_time),
            xGetLastError: Some(x_get_last_error),
            xCurrentTimeInt64: Some(x_current_time_int64),
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        }));
        assert_eq!(ffi::sqlite3_vfs_register(vfs, 0), ffi::SQLITE_OK);
    });
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    unsafe { (*file).pMethods = ptr::null() };
    let path = if name.is_null() {
        format!("/~temp/{}", TEMP_FILES.fetch_add(1, Ordering::SeqCst) + 1)
    } else {
        unsafe { CStr::from_ptr(name) }
            .to_string_lossy()
            .into_owned()
    };
    let Some((disk_name, file_name)) = split(&path) else {
        return ffi::SQLITE_CANTOPEN;
    };
    let main_db = flags & ffi::SQLITE_OPEN_MAIN_DB != 0;
    {
        let mut all = disks();
        let disk = all.entry(disk_name.clone()).or_default();
        if !disk.files.contains_key(&file_name) {
            if flags & ffi::SQLITE_OPEN_CREATE == 0 {
                return ffi::SQLITE_CANTOPEN;
            }
            // A file once created stays (its directory entry is taken as durable).
            disk.files.insert(file_name.clone(), File::default());
        }
        if main_db {
            if disk.main_open {
                return ffi::SQLITE_CANTOPEN;
            }
            disk.main_open = true;
        }
    }
    let key = Box::new(Key {
        disk: disk_name,
        name: file_name,
        delete_on_close: flags & ffi::SQLITE_OPEN_DELETEONCLOSE != 0,
        main_db,
    });
    unsafe {
        let handle = file as *mut Handle;
        (*handle).key = Box::into_raw(key);
        (*handle).base.pMethods = &METHODS;
        if !out_flags.is_null() {
            *out_flags = flags;
        }
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let key = unsafe { Box::from_raw((*(file as *mut Handle)).key) };
    with_file(&key, |disk, name| {
        if key.delete_on_close {
            disk.files.remove(name);
        }
        if key.main_db {
            disk.main_open = false;
        }
    });
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let out = unsafe { std::slice::from_raw_parts_mut(buf as *mut u8, amount as usize) };
    with_file(unsafe { key(file) }, |disk, name| {
        let Some(f) = disk.files.get(name) else {
            return ffi::SQLITE_IOERR_READ;
        };
        let start = (offset as usize).min(f.current.len());
        let have = (f.current.len() - start).min(out.len());
        out[..have].copy_from_slice(&f.current[start..start + have]);
        if have < out.len() {
            // SQLite relies on the missing part being zeros.
            out[have..].fill(0);
            return ffi::SQLITE_IOERR_SHORT_READ;
        }
        ffi::SQLITE_OK
    })
}

unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let data = unsafe { std::slice::from_raw_parts(buf as *const u8, amount as usize) };
    with_file(unsafe { key(file) }, |disk, name| {
        let Some(f) = disk.files.get_mut(name) else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let end = offset as usize + data.len();
        if f.current.len() < end {
            f.current.resize(end, 0);
        }
        f.current[offset as usize..end].copy_from_slice(data);
        ffi::SQLITE_OK
    })
}

unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    with_file(unsafe { key(file) }, |disk, name| {
        match disk.files.get_mut(name) {
            Some(f) => {
                f.current.resize(size as usize, 0);
                ffi::SQLITE_OK
            }
            None => ffi::SQLITE_IOERR_TRUNCATE,
        }
    })
}

/// A sync point: the image a cut right now would leave, then this file's writes reach the
/// surface.
unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, _flags: c_int) -> c_int {
    with_file(unsafe { key(file) }, |disk, name| {
        disk.syncs += 1;
        let image = disk.image(Some(disk.syncs));
        disk.images.push(image);
        match disk.files.get_mut(name) {
            Some(f) => {
                f.durable = f.current.clone();
                ffi::SQLITE_OK
            }
            None => ffi::SQLITE_IOERR_FSYNC,
        }
    })
}

unsafe extern "C" fn x_file_size(
    file: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    with_file(unsafe { key(file) }, |disk, name| {
        match disk.files.get(name) {
            Some(f) => {
                unsafe { *size = f.current.len() as ffi::sqlite3_int64 };
                ffi::SQLITE_OK
            }
            None => ffi::SQLITE_IOERR_FSTAT,
        }
    })
}

/// Locks always succeed: one connection per disk (checked in `x_open`), one thread.
unsafe extern "C" fn x_lock(_file: *mut ffi::sqlite3_file, _level: c_int) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_check_reserved_lock(
    _file: *mut ffi::sqlite3_file,
    out: *mut c_int,
) -> c_int {
    unsafe { *out = 0 };
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_file_control(
    _file: *mut ffi::sqlite3_file,
    _op: c_int,
    _arg: *mut c_void,
) -> c_int {
    ffi::SQLITE_NOTFOUND
}

unsafe extern "C" fn x_sector_size(_file: *mut ffi::sqlite3_file) -> c_int {
    4096
}

/// What the unix and Windows VFS report by default (`psow=1`): nothing more is assumed.
unsafe extern "C" fn x_device_characteristics(_file: *mut ffi::sqlite3_file) -> c_int {
    ffi::SQLITE_IOCAP_POWERSAFE_OVERWRITE
}

unsafe extern "C" fn x_shm_map(
    file: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    with_file(unsafe { key(file) }, |disk, name| {
        let regions = disk.shm.entry(name.to_string()).or_default();
        while regions.len() <= region as usize {
            if extend == 0 {
                unsafe { *out = ptr::null_mut() };
                return ffi::SQLITE_OK;
            }
            regions.push(vec![0u8; size as usize].into_boxed_slice());
        }
        // A boxed slice never moves: the pointer stays valid until the region is unmapped.
        unsafe { *out = regions[region as usize].as_mut_ptr() as *mut c_void };
        ffi::SQLITE_OK
    })
}

unsafe extern "C" fn x_shm_lock(
    _file: *mut ffi::sqlite3_file,
    _offset: c_int,
    _n: c_int,
    _flags: c_int,
) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shm_barrier(_file: *mut ffi::sqlite3_file) {
    std::sync::atomic::fence(Ordering::SeqCst);
}

unsafe extern "C" fn x_shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    if delete != 0 {
        with_file(unsafe { key(file) }, |disk, name| disk.shm.remove(name));
    }
    ffi::SQLITE_OK
}

/// Deleting a file is durable at once (the WAL after the checkpoint on close).
unsafe extern "C" fn x_delete(
    _vfs: *mut ffi::sqlite3_vfs,
    path: *const c_char,
    _sync_dir: c_int,
) -> c_int {
    let path = unsafe { CStr::from_ptr(path) }.to_string_lossy();
    if let Some((disk, name)) = split(&path) {
        if let Some(d) = disks().get_mut(&disk) {
            d.files.remove(&name);
        }
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_access(
    _vfs: *mut ffi::sqlite3_vfs,
    path: *const c_char,
    _flags: c_int,
    out: *mut c_int,
) -> c_int {
    let path = unsafe { CStr::from_ptr(path) }.to_string_lossy();
    let exists = split(&path)
        .map(|(disk, name)| {
            disks()
                .get(&disk)
                .is_some_and(|d| d.files.contains_key(&name))
        })
        .unwrap_or(false);
    unsafe { *out = exists as c_int };
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_full_pathname(
    _vfs: *mut ffi::sqlite3_vfs,
    path: *const c_char,
    n_out: c_int,
    out: *mut c_char,
) -> c_int {
    let bytes = unsafe { CStr::from_ptr(path) }.to_bytes_with_nul();
    if bytes.len() > n_out as usize {
        return ffi::SQLITE_CANTOPEN;
    }
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr() as *const c_char, out, bytes.len()) };
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_dl_open(_vfs: *mut ffi::sqlite3_vfs, _path: *const c_char) -> *mut c_void {
    ptr::null_mut()
}

unsafe extern "C" fn x_dl_error(_vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) {
    if n > 0 {
        unsafe { *out = 0 };
    }
}

unsafe extern "C" fn x_dl_sym(
    _vfs: *mut ffi::sqlite3_vfs,
    _handle: *mut c_void,
    _symbol: *const c_char,
) -> Option<unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char)> {
    None
}

unsafe extern "C" fn x_dl_close(_vfs: *mut ffi::sqlite3_vfs, _handle: *mut c_void) {}

fn os() -> *mut ffi::sqlite3_vfs {
    OS_VFS.load(Ordering::SeqCst)
}

unsafe extern "C" fn x_randomness(
    _vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    unsafe { ((*os()).xRandomness.unwrap())(os(), n, out) }
}

unsafe extern "C" fn x_sleep(_vfs: *mut ffi::sqlite3_vfs, micros: c_int) -> c_int {
    unsafe { ((*os()).xSleep.unwrap())(os(), micros) }
}

unsafe extern "C" fn x_current_time(_vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    unsafe { ((*os()).xCurrentTime.unwrap())(os(), out) }
}

unsafe extern "C" fn x_current_time_int64(
    _vfs: *mut ffi::sqlite3_vfs,
    out: *mut ffi::sqlite3_int64,
) -> c_int {
    unsafe { ((*os()).xCurrentTimeInt64.unwrap())(os(), out) }
}

unsafe extern "C" fn x_get_last_error(
    _vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    unsafe { ((*os()).xGetLastError.unwrap())(os(), n, out) }
}

// ---------------------------------------------------------------------------------------
// Running on a disk and cutting its power.

/// The URI that opens `desk.db` on `disk` through the VFS.
fn uri(disk: &str) -> String {
    format!("file:/{disk}/desk.db?vfs=powercut")
}

/// A fresh, empty disk.
fn new_disk(disk: &str) {
    register();
    disks().insert(disk.to_string(), Disk::default());
}

/// One more call has returned.
fn acknowledge(disk: &str) {
    disks().get_mut(disk).expect("the disk").acked += 1;
}

/// The images of the run: one per sync point, and the end.
fn images(disk: &str) -> Vec<Image> {
    let mut all = disks();
    let d = all.get_mut(disk).expect("the disk");
    assert!(!d.main_open, "close every connection before the last cut");
    let end = d.image(None);
    let mut images = std::mem::take(&mut d.images);
    images.push(end);
    images
}

/// Writes what survived a cut as ordinary files in `dir`; the path of the database.
fn restore(image: &Image, dir: &Path) -> std::path::PathBuf {
    for (name, bytes) in &image.files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir.join("desk.db")
}

fn cut_name(image: &Image) -> String {
    match image.before_sync {
        Some(k) => format!("cut before sync {k} ({} calls acknowledged)", image.acked),
        None => format!("cut at the end ({} calls acknowledged)", image.acked),
    }
}

// ---------------------------------------------------------------------------------------
// The desk's use cases, and what each acknowledged call must have left behind.

/// The desk's clock in every run: numbers are per year.
fn day() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// What an acknowledged call promised the person at the desk.
enum Effect {
    Customer(i64),
    Machine(i64),
    /// An order number was given out.
    Order {
        id: i64,
        number: String,
    },
    Completed(i64),
    /// The `nth` payment line of an order; the order then showed `paid_fen` received.
    Payment {
        order: i64,
        nth: i64,
        paid_fen: i64,
    },
    /// A slip number was printed and handed over.
    Slip {
        order: i64,
        number: String,
    },
    /// Set-up (models, engineers, dispatch moves): nothing the customer holds.
    Setup,
}

struct Run {
    disk: String,
    desk: Desk,
    effects: Vec<Effect>,
    payments: HashMap<i64, i64>,
}

impl Run {
    fn call(&mut self, command: &str, args: Value) -> Value {
        self.desk.act_as(aftersales::Actor::script());
        let out = match api::call(&mut self.desk, command, args.clone()) {
            Ok(reply) => reply.value(),
            Err(e) => panic!("{command} {args}: {}", e.to_json()),
        };
        let id = out["id"].as_i64().unwrap_or_default();
        let effect = match command {
            "customers.create" => Effect::Customer(id),
            "equipment.create" => Effect::Machine(id),
            "orders.create" => Effect::Order {
                id,
                number: out["number"].as_str().unwrap().to_string(),
            },
            "orders.complete" => Effect::Completed(id),
            "orders.pay" => {
                let nth = self.payments.entry(id).or_default();
                *nth += 1;
                Effect::Payment {
                    order: id,
                    nth: *nth,
                    paid_fen: out["paid_fen"].as_i64().unwrap(),
                }
            }
            "slips.print" => Effect::Slip {
                order: args["order_id"].as_i64().unwrap(),
                number: out["slip"]["number"].as_str().unwrap().to_string(),
            },
            _ => Effect::Setup,
        };
        self.effects.push(effect);
        acknowledge(&self.disk);
        out
    }

    fn open(disk: &str, effects: Vec<Effect>, payments: HashMap<i64, i64>) -> Run {
        let mut desk = Desk::open(Path::new(&uri(disk))).expect("open the desk on the VFS");
        desk.set_clock(Some(day()));
        Run {
            disk: disk.to_string(),
            desk,
            effects,
            payments,
        }
    }

    /// Closing is a checkpoint: the WAL into the file, then the WAL deleted.
    fn close(self) -> (Vec<Effect>, HashMap<i64, i64>) {
        drop(self.desk);
        (self.effects, self.payments)
    }

    /// A customer's machine from intake to a paid order with its slip printed.
    fn repair(&mut self, name: &str, mobile: &str, serial: &str, payments: &[i64]) {
        let customer = self.call(
            "customers.create",
            json!({"name": name, "phones": [mobile], "address": "北京市海淀区中关村大街1号"}),
        )["id"]
            .clone();
        let machine = self.call(
            "equipment.create",
            json!({"customer_id": customer, "model_id": 1, "serial": serial, "purchase_date": "2020-01-01"}),
        )["id"]
            .clone();
        let order = self.call(
            "orders.create",
            json!({"customer_id": customer, "equipment_id": machine, "fault": "不点火，显示E1", "confirmed": true}),
        )["id"]
            .clone();
        self.call("orders.assign", json!({"id": order, "engineer_id": 1}));
        self.call("orders.move", json!({"id": order, "to": "in_progress"}));
        self.call(
            "orders.complete",
            json!({"id": order, "diagnosis": "点火针积碳", "work_done": "更换点火针，试机正常",
                   "fees": [{"kind": "labour", "amount_fen": 5000}]}),
        );
        for amount in payments {
            self.call(
                "orders.pay",
                json!({"id": order, "method": "wechat", "amount_fen": amount}),
            );
        }
        self.call("slips.print", json!({"order_id": order, "format": "a4"}));
    }
}

/// The desk's day on `disk`, in two sessions; what each acknowledged call promised.
fn a_day_at_the_desk(disk: &str) -> Vec<Effect> {
    new_disk(disk);
    let mut run = Run::open(disk, Vec::new(), HashMap::new());
    run.call(
        "models.save",
        json!({"code": "JSQ25-13", "name": "燃气热水器 13L",
               "policies": [{"component": "", "months": 12, "basis": "purchase"}]}),
    );
    run.call("engineers.save", json!({"name": "李强", "region": "海淀"}));
    run.repair("张伟", "13812345678", "SN00000001", &[2000, 3000]);
    run.repair("李娜", "13987654321", "SN00000002", &[5000]);
    let (effects, payments) = run.close();
    // The next morning: the same file again, a WAL started afresh.
    let mut run = Run::open(disk, effects, payments);
    run.repair("王芳", "13700001111", "SN00000003", &[1000, 4000]);
    run.close().0
}

/// One SQL value from the reopened file.
fn one(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> i64 {
    conn.query_row(sql, params, |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// What is wrong with the file a cut left: empty when integrity holds and every
/// acknowledged effect is there.
fn problems_after(image: &Image, effects: &[Effect]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = restore(image, dir.path());
    let mut desk = match Desk::open(&path) {
        Ok(desk) => desk,
        Err(e) => return vec![format!("Desk::open fails: {}", e.to_json())],
    };
    let conn = Connection::open(&path).unwrap();
    let mut problems = Vec::new();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    if integrity != ["ok"] {
        problems.push(format!("integrity_check: {integrity:?}"));
    }
    let orphans = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    if orphans > 0 {
        problems.push(format!("foreign_key_check: {orphans} rows"));
    }
    let mut numbers = Vec::new();
    for effect in &effects[..image.acked] {
        let missing = match effect {
            Effect::Customer(id) => {
                (one(&conn, "SELECT count(*) FROM customer WHERE id = ?1", [id]) == 0)
                    .then(|| format!("customer {id}"))
            }
            Effect::Machine(id) => {
                (one(&conn, "SELECT count(*) FROM equipment WHERE id = ?1", [id]) == 0)
                    .then(|| format!("machine {id}"))
            }
            Effect::Order { id, number } => {
                numbers.push(number.clone());
                (one(
                    &conn,
                    "SELECT count(*) FROM work_order WHERE id = ?1 AND number = ?2",
                    rusqlite::params![id, number],
                ) == 0)
                    .then(|| format!("order {number}"))
            }
            Effect::Completed(id) => (one(
                &conn,
                "SELECT count(*) FROM work_order WHERE id = ?1
                   AND status IN ('completed', 'called_back', 'closed')",
                [id],
            ) == 0)
                .then(|| format!("completion of order {id}")),
            Effect::Payment {
                order,
                nth,
                paid_fen,
            } => {
                let lines = one(
                    &conn,
                    "SELECT count(*) FROM payment WHERE order_id = ?1",
                    [order],
                );
                let paid = one(
                    &conn,
                    "SELECT coalesce(max(paid_fen), 0) FROM work_order WHERE id = ?1",
                    [order],
                );
                (lines < *nth || paid < *paid_fen).then(|| {
                    format!(
                        "payment {nth} of order {order} (paid {paid_fen} fen, the file has \
                         {lines} lines and {paid} fen)"
                    )
                })
            }
            Effect::Slip { order, number } => (one(
                &conn,
                "SELECT count(*) FROM slip WHERE order_id = ?1 AND number = ?2",
                rusqlite::params![order, number],
            ) == 0)
                .then(|| format!("slip {number}")),
            Effect::Setup => None,
        };
        problems.extend(missing.map(|m| format!("acknowledged but lost: {m}")));
    }
    // The next number the reopened desk gives out is not one a customer already holds.
    desk.set_clock(Some(day()));
    desk.act_as(aftersales::Actor::script());
    let customer = api::call(
        &mut desk,
        "customers.create",
        json!({"name": "赵敏", "phones": ["13600002222"], "address": "北京市朝阳区建国路88号"}),
    )
    .expect("a customer on the reopened file")
    .value()["id"]
        .clone();
    let next = api::call(
        &mut desk,
        "orders.create",
        json!({"customer_id": customer, "fault": "漏水", "confirmed": true}),
    )
    .expect("an order on the reopened file")
    .value()["number"]
        .as_str()
        .unwrap()
        .to_string();
    if numbers.contains(&next) {
        problems.push(format!("order number {next} given out a second time"));
    }
    problems
}

#[test]
fn every_acknowledged_number_and_payment_survives_a_power_cut_at_every_sync_point() {
    let effects = a_day_at_the_desk("desk-day");
    let images = images("desk-day");
    let syncs = images.len() - 1;
    let acked = images.last().unwrap().acked;
    assert_eq!(acked, effects.len());
    let money_and_numbers = effects
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Order { .. } | Effect::Payment { .. } | Effect::Slip { .. }
            )
        })
        .count();
    let mut failures = Vec::new();
    for image in &images {
        for p in problems_after(image, &effects) {
            failures.push(format!("{}: {p}", cut_name(image)));
        }
    }
    println!(
        "power cuts: {} images ({syncs} sync points and the end), {acked} calls, \
         {money_and_numbers} of them numbers or money; problems: {}",
        images.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // And why: every call that gives out a number or takes money synced before it
    // returned (the images taken during call i+1 are those with i calls acknowledged).
    for (i, effect) in effects.iter().enumerate() {
        if matches!(
            effect,
            Effect::Order { .. } | Effect::Payment { .. } | Effect::Slip { .. }
        ) {
            assert!(
                images
                    .iter()
                    .any(|im| im.before_sync.is_some() && im.acked == i),
                "call {} returned a number or took money without a sync",
                i + 1
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The harness can fail: under it, `synchronous=NORMAL` loses acknowledged commits.

/// Plain SQLite as the desk opens it, with `synchronous` set to `mode`: 20 single-row
/// commits, then close; how many acknowledged rows the worst cut lost.
fn rows_lost_with(mode: &str) -> usize {
    let disk = format!("plain-{mode}");
    new_disk(&disk);
    let conn = Connection::open(uri(&disk)).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", mode).unwrap();
    conn.execute_batch("CREATE TABLE slip (number INTEGER PRIMARY KEY)")
        .unwrap();
    acknowledge(&disk);
    for n in 1..=20 {
        conn.execute("INSERT INTO slip VALUES (?1)", [n]).unwrap();
        acknowledge(&disk);
    }
    drop(conn);
    let mut worst = 0;
    for image in images(&disk) {
        let dir = tempfile::tempdir().unwrap();
        let path = restore(&image, dir.path());
        let conn = Connection::open(&path).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{mode}, {}", cut_name(&image));
        let kept: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'slip'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let rows = if kept == 1 {
            one(&conn, "SELECT count(*) FROM slip", [])
        } else {
            0
        };
        // Call 1 made the table, calls 2… each one row.
        let promised = image.acked.saturating_sub(1) as i64;
        worst = worst.max((promised - rows).max(0) as usize);
    }
    worst
}

#[test]
fn the_power_cut_harness_catches_what_synchronous_normal_loses() {
    let normal = rows_lost_with("NORMAL");
    let full = rows_lost_with("FULL");
    println!("acknowledged rows lost by the worst cut: NORMAL {normal}, FULL {full}");
    assert!(normal > 0, "NORMAL lost nothing: the harness cannot fail");
    assert_eq!(full, 0);
}
