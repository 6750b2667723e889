//! Demo data: realistic customers for the demo database and for benchmarks. Generated
//! from a fixed seed, so the same count always gives the same archive: Chinese names
//! (rare characters such as 喆 玥 堃 included), mobiles and landlines with the right area
//! code, addresses across provinces, a share of companies and hotel branches.

use crate::archive::customers::{insert, validate, CustomerInput};
use crate::archive::words::{CustomerClass, CustomerKind};
use crate::followup::words::{Against, Cause, ComplaintChannel};
use crate::orders::words::{FeeKind, Method};
use crate::orders::{Channel, Mode, OrderId, OrderKind, OrderStatus, Priority};
use crate::platform::error::Result;
use crate::platform::time::stamp;
use crate::stock::words::MovementKind;
use crate::Desk;

/// A small deterministic generator (xorshift64*): demo data needs no crypto and no crate.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "欧阳", "司马", "上官",
    "诸葛",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "华", "建国", "建华", "志强", "海燕", "丹",
    "玲", "萍", "红", "鹏", "辉", "斌", "宇", "浩", "欣怡", "子涵", "梓萱", "一诺", "晨", "俊杰",
    "雨轩", "思远", "文博", "佳怡", "喆", "玥", "堃", "昇", "珺", "垚", "彧", "祎", "旻", "赟",
    "嘉懿", "煜", "翀", "晟",
];

/// Province, city, area code, districts.
const PLACES: &[(&str, &str, &str, &[&str])] = &[
    (
        "北京",
        "北京市",
        "010",
        &["朝阳区", "海淀区", "丰台区", "东城区"],
    ),
    (
        "上海",
        "上海市",
        "021",
        &["浦东新区", "徐汇区", "闵行区", "静安区"],
    ),
    (
        "广东",
        "广州市",
        "020",
        &["天河区", "越秀区", "番禺区", "白云区"],
    ),
    (
        "广东",
        "深圳市",
        "0755",
        &["南山区", "福田区", "宝安区", "龙岗区"],
    ),
    (
        "浙江",
        "杭州市",
        "0571",
        &["西湖区", "余杭区", "滨江区", "拱墅区"],
    ),
    (
        "江苏",
        "南京市",
        "025",
        &["鼓楼区", "玄武区", "江宁区", "秦淮区"],
    ),
    (
        "江苏",
        "苏州市",
        "0512",
        &["姑苏区", "工业园区", "吴中区", "相城区"],
    ),
    (
        "四川",
        "成都市",
        "028",
        &["武侯区", "锦江区", "青羊区", "高新区"],
    ),
    (
        "湖北",
        "武汉市",
        "027",
        &["江汉区", "武昌区", "洪山区", "汉阳区"],
    ),
    (
        "山东",
        "济南市",
        "0531",
        &["历下区", "市中区", "槐荫区", "天桥区"],
    ),
    (
        "山东",
        "青岛市",
        "0532",
        &["市南区", "崂山区", "黄岛区", "李沧区"],
    ),
    (
        "河南",
        "郑州市",
        "0371",
        &["金水区", "二七区", "中原区", "管城区"],
    ),
    (
        "陕西",
        "西安市",
        "029",
        &["雁塔区", "碑林区", "未央区", "莲湖区"],
    ),
    (
        "甘肃",
        "兰州市",
        "0931",
        &["城关区", "七里河区", "安宁区", "西固区"],
    ),
    (
        "辽宁",
        "沈阳市",
        "024",
        &["和平区", "沈河区", "皇姑区", "铁西区"],
    ),
    (
        "福建",
        "厦门市",
        "0592",
        &["思明区", "湖里区", "集美区", "海沧区"],
    ),
];

const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "黄河路",
    "文化路",
    "胜利路",
    "朝阳路",
    "青年路",
    "光明路",
    "幸福路",
    "学府路",
    "科技路",
];

const ESTATES: &[&str] = &[
    "阳光花园",
    "锦绣家园",
    "翠苑小区",
    "金色家园",
    "丽景苑",
    "万科城",
    "碧桂园",
    "绿地新城",
    "书香门第",
    "滨江花园",
];

const COMPANY_WORDS: &[&str] = &[
    "恒泰", "鑫源", "华信", "宏达", "瑞丰", "金诚", "东方", "天成", "明辉", "嘉禾",
];
const INDUSTRIES: &[&str] = &[
    "商贸",
    "餐饮管理",
    "科技",
    "物业管理",
    "酒店管理",
    "超市",
    "电器",
];
const CHAINS: &[&str] = &["如家快捷酒店", "锦江之星", "海底捞火锅", "全季酒店"];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "157", "158", "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "191",
    "198", "199",
];

/// One generated customer form, as a clerk would have typed it.
fn customer(dice: &mut Dice) -> CustomerInput {
    let (province, city, area, districts) = dice.pick(PLACES);
    let district = dice.pick(districts);
    let street = dice.pick(STREETS);
    let number = 1 + dice.below(999);
    let mobile = format!(
        "{}{:08}",
        dice.pick(MOBILE_PREFIXES),
        dice.next() % 100_000_000
    );
    // Most cities have 8-digit local numbers now; a few smaller ones still have 7.
    let local_len = if dice.chance(90) { 8 } else { 7 };
    let landline = format!(
        "{area}-{}{:0width$}",
        2 + dice.below(7),
        dice.next() % 10u64.pow(local_len as u32 - 1),
        width = local_len - 1
    );
    let roll = dice.below(100);
    let (kind, name, address, phones, class) = if roll < 10 {
        let name = format!(
            "{}{}{}有限公司",
            city.trim_end_matches('市'),
            dice.pick(COMPANY_WORDS),
            dice.pick(INDUSTRIES)
        );
        let ext = format!("{landline} 转 {}", 800 + dice.below(100));
        let address = format!("{city}{district}{street}{number}号{}楼", 1 + dice.below(20));
        (
            CustomerKind::Company,
            name,
            address,
            vec![ext, mobile],
            if dice.chance(40) {
                CustomerClass::Key
            } else {
                CustomerClass::Normal
            },
        )
    } else if roll < 14 {
        let name = format!(
            "{}（{}{}店）",
            dice.pick(CHAINS),
            city.trim_end_matches('市'),
            district.trim_end_matches('区')
        );
        let address = format!("{city}{district}{street}{number}号");
        (
            CustomerKind::Company,
            name,
            address,
            vec![landline],
            CustomerClass::Key,
        )
    } else {
        let name = format!("{}{}", dice.pick(SURNAMES), dice.pick(GIVEN));
        let address = format!(
            "{city}{district}{street}{number}号{}{}栋{}室",
            dice.pick(ESTATES),
            1 + dice.below(30),
            101 + dice.below(30) * 100 + dice.below(4)
        );
        let mut phones = vec![mobile];
        if dice.chance(25) {
            phones.push(landline);
        }
        (
            CustomerKind::Person,
            name,
            address,
            phones,
            if dice.chance(6) {
                CustomerClass::Vip
            } else {
                CustomerClass::Normal
            },
        )
    };
    CustomerInput {
        kind: Some(kind.to_string()),
        name,
        phones,
        address,
        region: province.to_string(),
        class: Some(class.to_string()),
        notes: String::new(),
        source: (*dice.pick(&["400热线", "门店", "转介绍", "经销商", ""])).to_string(),
        parent_id: None,
    }
}

/// The demo model catalogue: code, name, category, whole-machine months, and an optional
/// component with its months (counted from installation).
type DemoModel = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    Option<(&'static str, u32)>,
);

const MODELS: &[DemoModel] = &[
    (
        "JSQ25-13",
        "燃气热水器 13L",
        "热水器",
        12,
        Some(("热交换器", 36)),
    ),
    (
        "JSQ30-16",
        "燃气热水器 16L",
        "热水器",
        12,
        Some(("热交换器", 36)),
    ),
    ("DSZF-60", "电热水器 60L", "热水器", 24, Some(("内胆", 60))),
    (
        "KFR-35GW",
        "挂壁式空调 1.5匹",
        "空调",
        12,
        Some(("压缩机", 72)),
    ),
    ("KFR-72LW", "柜式空调 3匹", "空调", 12, Some(("压缩机", 72))),
    (
        "BCD-452",
        "对开门冰箱 452L",
        "冰箱",
        12,
        Some(("压缩机", 36)),
    ),
    ("ZKT-50", "商用制冰机", "商用设备", 12, None),
    ("SK-X7", "税控收款机", "收款机", 12, None),
];

const SERIAL_PREFIXES: &[&str] = &["GW", "HX", "MD", "SK", "AO", "RN"];

/// Adds the demo models unless they are there; returns their ids.
fn ensure_models(
    tx: &rusqlite::Transaction,
    at: &str,
) -> Result<Vec<crate::archive::models::ModelId>> {
    let mut ids = Vec::new();
    for (code, name, category, months, component) in MODELS {
        if let Some(id) = crate::archive::models::id_by_code(tx, code)? {
            ids.push(id);
            continue;
        }
        tx.execute(
            "INSERT INTO product_model (code, name, category, created_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![code, name, category, at],
        )?;
        let id = crate::archive::models::ModelId(tx.last_insert_rowid());
        tx.execute(
            "INSERT INTO warranty_policy (model_id, component, months, basis) VALUES (?1, '', ?2, 'purchase')",
            rusqlite::params![id, months],
        )?;
        if let Some((part, months)) = component {
            tx.execute(
                "INSERT INTO warranty_policy (model_id, component, months, basis) VALUES (?1, ?2, ?3, 'install')",
                rusqlite::params![id, part, months],
            )?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Adds `customers` generated customers with `machines_per_customer` machines on average
/// (0 to twice that), and the demo models, in one transaction. Returns the number of
/// customers added. Created times are spread over the past two years so lists look
/// lived-in; purchase dates over the past six.
pub fn fill_with(desk: &mut Desk, customers: usize, machines_per_customer: usize) -> Result<usize> {
    let mut dice = Dice(0x5EED_2026_1122_0001 ^ customers as u64);
    let (now, today) = (desk.now(), desk.today());
    let tx = desk.write()?;
    let models = ensure_models(&tx, &stamp(now))?;
    let mut serial_no: i64 = tx.query_row("SELECT count(*) FROM equipment", [], |r| r.get(0))?;
    for i in 0..customers {
        let input = customer(&mut dice);
        let valid = validate(&input)?;
        let back =
            chrono::Duration::minutes(((customers - i) * 730 * 24 * 60 / customers.max(1)) as i64);
        let at = stamp(now - back);
        let id = insert(&tx, &valid, &at)?;
        let machines = if machines_per_customer == 0 {
            0
        } else {
            dice.below(2 * machines_per_customer + 1)
        };
        for _ in 0..machines {
            serial_no += 1;
            let bought = today - chrono::Duration::days(1 + dice.below(6 * 365) as i64);
            let installed =
                (dice.chance(85)).then(|| bought + chrono::Duration::days(dice.below(10) as i64));
            let machine = crate::archive::equipment::ValidEquipment::generated(
                id,
                *dice.pick(&models),
                format!(
                    "{}{}{:08}",
                    dice.pick(SERIAL_PREFIXES),
                    bought.format("%y"),
                    serial_no
                ),
                bought,
                installed.filter(|d| *d <= today),
            );
            crate::archive::equipment::insert(&tx, &machine, &at)?;
        }
    }
    crate::archive::customers::count_added(&tx, customers)?;
    tx.commit()?;
    Ok(customers)
}

/// The demo archive: `customers` customers with about one machine each.
pub fn fill(desk: &mut Desk, customers: usize) -> Result<usize> {
    fill_with(desk, customers, 1)
}

/// Adds `parts` generated spare parts, a van store per five engineers' worth of stock,
/// and `movements` ledger movements (receipts, issues, transfers to vans, returns), in
/// one transaction, through the same posting code the desk uses. For benchmarks.
pub fn fill_stock(desk: &mut Desk, parts: usize, movements: usize) -> Result<usize> {
    let mut dice = Dice(0x5EED_0004_0000_0001 ^ movements as u64);
    let at = desk.stamp();
    let tx = desk.write()?;
    let first_part: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM part", [], |r| {
        r.get(0)
    })?;
    for i in 0..parts {
        tx.prepare_cached(
            "INSERT INTO part (code, name, spec, unit, cost_fen, price_fen, barcode, bin, min_stock, created_at, updated_at)
             VALUES (?1, ?2, ?3, '个', ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?
        .execute(rusqlite::params![
            format!("BJ{:06}", first_part + i as i64),
            format!(
                "{}{}",
                dice.pick(&["燃气热水器", "电热水器", "空调", "冰箱", "制冰机", "收款机"]),
                dice.pick(&["主板", "滤网", "电容", "温控器", "电磁阀", "打印头", "风扇电机", "显示板", "点火针", "水流传感器"])
            ),
            format!("{}型", 100 + dice.below(900)),
            100 + dice.below(50_000) as i64,
            200 + dice.below(90_000) as i64,
            format!("69{:011}", first_part + i as i64),
            format!("{}-{:02}-{:02}", dice.pick(&["A", "B", "C", "D"]), dice.below(30), dice.below(10)),
            dice.below(10) as i64,
            at
        ])?;
    }
    let mut stores: Vec<i64> = vec![1];
    for (v, (engineer, _)) in ENGINEERS.iter().enumerate().take(5) {
        let v = v + 1;
        let code = format!("VAN{v:02}");
        let id: Option<i64> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT id FROM store WHERE code = ?1",
            [&code],
            |r| r.get(0),
        ))?;
        let id = match id {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO store (code, name, kind, engineer, created_at) VALUES (?1, ?2, 'van', ?3, ?4)",
                    rusqlite::params![code, format!("{engineer}车载库"), engineer, at],
                )?;
                tx.last_insert_rowid()
            }
        };
        stores.push(id);
    }
    let post = |tx: &rusqlite::Transaction,
                kind: MovementKind,
                part_id: i64,
                store_id: i64,
                quantity: i64,
                value: i64| {
        crate::stock::ledger::post(
            tx,
            &crate::stock::ledger::Post {
                kind,
                part_id: crate::stock::parts::PartId(part_id),
                store_id: crate::stock::parts::StoreId(store_id),
                quantity,
                value_fen: value,
                reference: "DEMO",
                note: "",
                pair_id: None,
                reverses: None,
                stocktake_id: None,
            },
            &at,
        )
    };
    let mut done = 0;
    while done < movements {
        let part_id = first_part + dice.below(parts) as i64;
        let store = if dice.chance(70) {
            1
        } else {
            *dice.pick(&stores)
        };
        let balance = crate::stock::ledger::balance(
            &tx,
            crate::stock::parts::PartId(part_id),
            crate::stock::parts::StoreId(store),
        )?;
        let q = 1 + dice.below(5) as i64;
        if balance.0 < q || dice.chance(35) {
            post(
                &tx,
                MovementKind::Receipt,
                part_id,
                store,
                q * 3,
                q * 3 * (100 + dice.below(500) as i64),
            )?;
        } else if store == 1 && dice.chance(20) {
            let van = stores[1 + dice.below(5)];
            let v = crate::stock::ledger::out_value(balance, q);
            post(&tx, MovementKind::TransferOut, part_id, 1, -q, -v)?;
            post(&tx, MovementKind::TransferIn, part_id, van, q, v)?;
            done += 1;
        } else {
            post(
                &tx,
                MovementKind::Issue,
                part_id,
                store,
                -q,
                -crate::stock::ledger::out_value(balance, q),
            )?;
        }
        done += 1;
    }
    tx.commit()?;
    Ok(done)
}

/// The demo's service engineers and the districts they serve; the first five have vans.
pub const ENGINEERS: &[(&str, &str)] = &[
    ("王磊", "朝阳 东城"),
    ("李强", "海淀 西城"),
    ("张军", "丰台 大兴"),
    ("刘洋", "通州 顺义"),
    ("陈刚", "昌平 延庆"),
    ("赵鹏", "浦东 徐汇"),
    ("孙浩", "天河 越秀"),
    ("周杰", "武侯 锦江"),
];

const FAULTS: &[&str] = &[
    "不加热",
    "漏水",
    "不点火",
    "显示E1",
    "噪音大",
    "不制冷",
    "不出冰",
    "打印不清",
    "无法开机",
    "遥控失灵",
    "水温忽高忽低",
    "异味",
];

/// Orders written per transaction by [`fill_orders`].
const ORDER_CHUNK: usize = 100_000;

/// Adds the demo engineers (unless there) and `orders` generated work orders over the past
/// three years for the machines there are, numbered per year in time order, of which the
/// newest `open` are still open; the rest mostly closed and paid, a few cancelled, a few
/// owing. Parts used by past orders are only counted (per model, for the board's "probably
/// needs"), not posted, so the ledger stays as generated. Written in transactions of
/// [`ORDER_CHUNK`] orders. For the demo database and the benchmarks.
pub fn fill_orders(desk: &mut Desk, orders: usize, open: usize) -> Result<usize> {
    let mut dice = Dice(0x5EED_0005_0000_0001 ^ orders as u64);
    let now = desk.now();
    let cal = crate::people::calendar::Calendar::load(desk.conn())?;
    let prefix = crate::people::settings::load(desk.conn())?.order_prefix;
    // A bigger page cache while millions of rows go in (restored below).
    desk.conn().execute_batch("PRAGMA cache_size = -1000000")?;
    let filled = fill_orders_in(desk, orders, open, (now, &cal, &prefix), &mut dice);
    desk.conn().execute_batch("PRAGMA cache_size = -65536")?;
    filled
}

fn fill_orders_in(
    desk: &mut Desk,
    orders: usize,
    open: usize,
    (now, cal, prefix): (
        chrono::DateTime<chrono::Utc>,
        &crate::people::calendar::Calendar,
        &str,
    ),
    dice: &mut Dice,
) -> Result<usize> {
    let at = stamp(now);
    let tx = desk.write()?;
    let mut engineers = Vec::new();
    for (name, region) in ENGINEERS {
        tx.execute(
            "INSERT INTO engineer (name, region, phone, created_at) VALUES (?1, ?2, '', ?3)
             ON CONFLICT (name) DO NOTHING",
            rusqlite::params![name, region, at],
        )?;
        engineers.push(
            tx.query_row("SELECT id FROM engineer WHERE name = ?1", [name], |r| {
                r.get::<_, i64>(0)
            })?,
        );
    }
    let machines: Vec<(i64, crate::archive::customers::CustomerId, i64)> = {
        let mut stmt = tx.prepare("SELECT id, customer_id, model_id FROM equipment ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if machines.is_empty() || orders == 0 {
        tx.commit()?;
        return Ok(0);
    }
    let parts: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT id FROM part ORDER BY id LIMIT 300")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut counters: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT year, last FROM order_counter")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (year, last) = row?;
            counters.insert(year, last);
        }
    }
    let span = chrono::Duration::days(3 * 365);
    // The open orders came in over the last hours (37 minutes apart), the rest before.
    let open_window = chrono::Duration::minutes((open * 37 + 60) as i64);
    tx.commit()?;
    // In chunks: each commit lets the WAL be checkpointed, so no transaction outgrows the
    // page cache.
    let mut start = 0;
    while start < orders {
        let end = (start + ORDER_CHUNK).min(orders);
        let tx = desk.write()?;
        let mut insert_order = tx.prepare(
        "INSERT INTO work_order (number, customer_id, equipment_id, model_id, contact, phone, address,
             kind, channel, mode, priority, fault, warranty, warranty_reason, appointment_from,
             appointment_to, engineer_id, status, diagnosis, work_done, total_fen, paid_fen,
             created_at, updated_at, completed_at, confirm_due, confirm_at, reply_due, reply_at,
             slip_due, slip_at, fault_category, started_at, starts)
         SELECT ?1, c.id, ?2, ?3, c.name, coalesce((SELECT number FROM customer_phone WHERE customer_id = c.id
                    AND position = 0), ''), c.address,
             ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19, ?20, ?21, ?22,
             ?23, ?24, ?25, ?26, ?8, ?28, ?29
         FROM customer c WHERE c.id = ?27",
    )?;
        let mut insert_event = tx.prepare(
            "INSERT INTO order_event (order_id, at, user, kind, from_status, to_status, detail)
         VALUES (?1, ?2, '前台', ?3, ?4, ?5, ?6)",
        )?;
        let mut insert_fee = tx.prepare(
        "INSERT INTO fee_line (order_id, kind, description, amount_fen) VALUES (?1, ?3, ?4, ?2)",
    )?;
        let mut insert_payment = tx.prepare(
        "INSERT INTO payment (order_id, at, user, method, amount_fen, note) VALUES (?1, ?2, '前台', ?3, ?4, '')",
    )?;
        let mut learn_part = tx.prepare(
            "INSERT INTO model_part (model_id, part_id, uses) VALUES (?1, ?2, 1)
         ON CONFLICT (model_id, part_id) DO UPDATE SET uses = uses + 1",
        )?;
        let mut learn_fault = tx.prepare(
            "INSERT INTO model_fault (model_id, fault, uses) VALUES (?1, ?2, 1)
         ON CONFLICT (model_id, fault) DO UPDATE SET uses = uses + 1",
        )?;
        for i in start..end {
            // Oldest first, so numbers run in time order; the open ones are the newest.
            let is_open = i + open >= orders;
            let back = if is_open {
                chrono::Duration::minutes(((orders - i) * 37) as i64)
            } else {
                let closed = (orders - open).max(1) as i32;
                open_window + span * (orders - open - i) as i32 / closed
            };
            let created = now - back;
            let local = created.with_timezone(&crate::platform::time::zone());
            let year = chrono::Datelike::year(&local);
            let n = counters.entry(year).or_insert(0);
            *n += 1;
            let number = format!("{prefix}{year}{:06}", n);
            let (machine, customer, model) = *dice.pick(&machines);
            let cancelled = !is_open && dice.chance(2);
            let status = if is_open {
                *dice.pick(OrderStatus::OPEN)
            } else if cancelled {
                OrderStatus::Cancelled
            } else if back < chrono::Duration::days(3) {
                *dice.pick(&[OrderStatus::Completed, OrderStatus::CalledBack])
            } else {
                OrderStatus::Closed
            };
            let kind = *dice.pick(&[
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Maintenance,
                OrderKind::Installation,
                OrderKind::Inspection,
                OrderKind::Consultation,
            ]);
            let mode = if kind == OrderKind::Consultation {
                Mode::PhoneHelp
            } else if dice.chance(20) {
                Mode::CarryIn
            } else {
                Mode::OnSite
            };
            let fault = *dice.pick(FAULTS);
            let in_warranty = dice.chance(55);
            let engineer = (status != OrderStatus::Registered && !(cancelled && dice.chance(50)))
                .then(|| *dice.pick(&engineers));
            let [confirm_due, reply_due, slip_due] = crate::orders::clocks::due(cal, created);
            let done = !is_open && !cancelled;
            let completed =
                done.then(|| created + chrono::Duration::hours(2 + dice.below(40) as i64));
            // Work started an hour before completion (or, still open, an hour in).
            let started = match (completed, status) {
                (Some(c), _) => Some(c - chrono::Duration::hours(1)),
                (None, OrderStatus::InProgress | OrderStatus::WaitingParts) => {
                    Some(created + chrono::Duration::hours(1))
                }
                _ => None,
            };
            let total = if done && !in_warranty {
                5000 + 1000 * dice.below(30) as i64
            } else {
                0
            };
            let paid = if total > 0 && !dice.chance(4) {
                total
            } else {
                0
            };
            let appointment = (engineer.is_some() && mode == Mode::OnSite)
                .then(|| created + chrono::Duration::hours(3 + dice.below(20) as i64));
            insert_order.execute(rusqlite::params![
                number,
                machine,
                model,
                kind,
                *dice.pick(&[
                    Channel::Phone,
                    Channel::Phone,
                    Channel::Phone,
                    Channel::WalkIn,
                    Channel::OnSite,
                    Channel::Proactive
                ]),
                mode,
                if dice.chance(10) {
                    Priority::Urgent
                } else {
                    Priority::Normal
                },
                fault,
                if in_warranty {
                    crate::archive::warranty::Status::In
                } else {
                    crate::archive::warranty::Status::Out
                },
                if in_warranty {
                    "在保修期内"
                } else {
                    "已过保修期"
                },
                appointment.map(stamp),
                appointment.map(|a| stamp(a + chrono::Duration::hours(2))),
                engineer,
                status,
                if done { "部件老化" } else { "" },
                if done { "检修并试机正常" } else { "" },
                total,
                paid,
                stamp(created),
                completed.map(stamp),
                stamp(confirm_due),
                dice.chance(95)
                    .then(|| stamp(created + chrono::Duration::minutes(1 + dice.below(4) as i64))),
                stamp(reply_due),
                engineer
                    .map(|_| stamp(created + chrono::Duration::hours(1 + dice.below(30) as i64))),
                stamp(slip_due),
                completed.map(stamp),
                customer,
                started.map(stamp),
                started.is_some() as i64,
            ])?;
            let id = OrderId(tx.last_insert_rowid());
            insert_event.execute(rusqlite::params![
                id,
                stamp(created),
                crate::orders::EventKind::Created,
                None::<OrderStatus>,
                OrderStatus::Registered,
                fault
            ])?;
            if let Some(c) = completed {
                insert_event.execute(rusqlite::params![
                    id,
                    stamp(c),
                    crate::orders::EventKind::Completed,
                    OrderStatus::InProgress,
                    OrderStatus::Completed,
                    "检修并试机正常"
                ])?;
                if !parts.is_empty() && dice.chance(40) {
                    learn_part.execute(rusqlite::params![
                        model,
                        parts[(model as usize * 7 + dice.below(3)) % parts.len()]
                    ])?;
                }
                // Completed in the last days and not called back yet: in the callback queue.
                if status == OrderStatus::Completed {
                    crate::followup::callbacks::open_for(&tx, id, kind, c, cal)?;
                }
            }
            if total > 0 {
                insert_fee.execute(rusqlite::params![
                    id,
                    total,
                    FeeKind::Labour,
                    FeeKind::Labour.label()
                ])?;
            }
            if paid > 0 {
                let method = *dice.pick(&[
                    Method::Cash,
                    Method::Wechat,
                    Method::Alipay,
                    Method::Transfer,
                ]);
                insert_payment.execute(rusqlite::params![
                    id,
                    stamp(completed.unwrap_or(created)),
                    method,
                    paid
                ])?;
            }
            if i % 50 == 0 {
                learn_fault.execute(rusqlite::params![model, fault])?;
            }
        }
        drop((
            insert_order,
            insert_event,
            insert_fee,
            insert_payment,
            learn_part,
            learn_fault,
        ));
        tx.commit()?;
        start = end;
    }
    let tx = desk.write()?;
    // One complaint waiting for its reply, so the day board shows what one looks like.
    if let Some(&(_, customer, _)) = machines.first() {
        crate::followup::complaints::insert(
            &tx,
            cal,
            now - chrono::Duration::hours(2),
            &crate::followup::complaints::CreateArgs {
                customer_id: customer,
                against: Against::Company.to_string(),
                channel: ComplaintChannel::Phone.to_string(),
                cause: Cause::Timeliness.to_string(),
                content: "约好上午上门，工程师下午三点才到，也没有提前打电话".into(),
                ..Default::default()
            },
        )?;
    }
    for (year, last) in counters {
        tx.execute(
            "INSERT INTO order_counter (year, last) VALUES (?1, ?2)
             ON CONFLICT (year) DO UPDATE SET last = excluded.last",
            rusqlite::params![year, last],
        )?;
    }
    tx.commit()?;
    Ok(orders)
}

/// The demo's accounts, one per job plus the administrator, all with [`DEMO_PASSWORD`]:
/// (login, name, roles).
pub const DEMO_USERS: &[(&str, &str, &[crate::Role])] = &[
    ("admin", "系统管理员", &crate::Role::ALL),
    ("qiantai", "前台王芳", &[crate::Role::Clerk]),
    ("paigong", "派工刘强", &[crate::Role::Dispatcher]),
    ("gongchengshi", "工程师赵磊", &[crate::Role::Engineer]),
    ("kuguan", "库管陈静", &[crate::Role::Storekeeper]),
    ("zhuguan", "主管李明", &[crate::Role::Manager]),
];
pub const DEMO_PASSWORD: &str = "demo1234";

/// Adds the demo accounts that are not there yet; how many were added. The engineer's
/// login (engineer role, not every role) is linked to the demo engineer with the most open
/// orders (ties: the first of [`ENGINEERS`]), so that 我的工单 has something to show, and
/// is named after him; an existing unlinked engineer login is linked the same way. Without
/// any engineer (no demo orders) it stays unlinked.
pub fn fill_users(desk: &mut Desk) -> Result<usize> {
    use crate::people::users::{self, SaveArgs};
    let existing = users::list(desk, users::NoArgs {})?;
    let works_in_field =
        |roles: &[crate::Role]| roles.contains(&crate::Role::Engineer) && roles.len() == 1;
    let mut added = 0;
    for (login, name, roles) in DEMO_USERS {
        let found = existing.items.iter().find(|u| u.login == *login);
        let engineer = if works_in_field(roles) && found.is_none_or(|u| u.engineer.is_none()) {
            busiest_free_engineer(desk)?
        } else {
            None
        };
        match (found, engineer) {
            (None, engineer) => {
                let name = match &engineer {
                    Some((_, engineer)) => format!("工程师{engineer}"),
                    None => (*name).to_string(),
                };
                users::save(
                    desk,
                    SaveArgs {
                        id: None,
                        login: (*login).to_string(),
                        name,
                        roles: roles.to_vec(),
                        active: true,
                        password: Some(DEMO_PASSWORD.to_string()),
                        engineer_id: engineer.map(|(id, _)| id),
                    },
                )?;
                added += 1;
            }
            (Some(user), Some((id, _))) => {
                users::save(
                    desk,
                    SaveArgs {
                        id: Some(user.id),
                        login: user.login.clone(),
                        name: user.name.clone(),
                        roles: user.roles.clone(),
                        active: user.active,
                        password: None,
                        engineer_id: Some(id),
                    },
                )?;
            }
            (Some(_), None) => {}
        }
    }
    Ok(added)
}

/// The active engineer linked to no account with the most open orders; ties go to the
/// first in [`ENGINEERS`], then by id.
fn busiest_free_engineer(desk: &Desk) -> Result<Option<(i64, String)>> {
    let names: Vec<&str> = ENGINEERS.iter().map(|(name, _)| *name).collect();
    let bad = |e: serde_json::Error| crate::platform::error::Error::BadRequest(e.to_string());
    let names = serde_json::to_string(&names).map_err(bad)?;
    let open = serde_json::to_string(OrderStatus::OPEN).map_err(bad)?;
    let found = desk.conn().query_row(
        "SELECT g.id, g.name FROM engineer g
         WHERE g.active = 1
           AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.engineer_id = g.id)
         ORDER BY (SELECT count(*) FROM work_order o
                   WHERE o.engineer_id = g.id
                     AND o.status IN (SELECT value FROM json_each(?2))) DESC,
                  coalesce((SELECT j.key FROM json_each(?1) j WHERE j.value = g.name), 1000),
                  g.id
         LIMIT 1",
        [names, open],
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    Ok(rusqlite::OptionalExtension::optional(found)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_customer_is_valid() {
        let mut dice = Dice(42);
        for _ in 0..5000 {
            let input = customer(&mut dice);
            if let Err(e) = validate(&input) {
                panic!("{input:?}: {e}");
            }
        }
    }
}
